/** The real seeds, built as a user builds them: the test contract of the JSON API and the pages. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { crawl, listFiles } from "../helpers/crawl.ts";
import { buildSite, readJson, ROOT } from "../helpers/site.ts";

interface ApiNote {
  id: string; url: string; title: string; date: string | null; kind: string;
  source: { file: string; url: string | null; entry: number | null };
  authors: string[]; speakers: string[]; people: string[]; companies: string[]; products: string[]; tags: string[]; summary: string;
}
interface ApiEntity { id: string; type: string; name: string; aliases: string[]; url: string; notes: string[] }
interface Report { inputs: Array<{ file: string; status: string; notes: string[]; messages: Array<{ level: string; message: string; line?: number }> }> }

const site = buildSite();
const notes = () => readJson<ApiNote[]>(site, "api/notes.json");
const byTitle = (t: string) => notes().find((n) => n.title === t);

describe("building the real seeds", () => {
  it("exits 0 and publishes a site with a search index", () => {
    assert.equal(site.status, 0, site.stdout);
    assert.ok(listFiles(join(site.dir, "pagefind")).some((f) => f.endsWith("pagefind-entry.json")));
  });

  it("makes exactly 13 notes: 1 + 9 + 1 + 1 + 1", () => {
    const all = notes();
    assert.equal(all.length, 13);
    const perFile = new Map<string, number>();
    for (const n of all) perFile.set(n.source.file, (perFile.get(n.source.file) ?? 0) + 1);
    assert.deepEqual([...perFile].sort(), [
      ["seeds/000_dcbd583f39d3f2cf.txt", 1], ["seeds/001_c528050de41fc0be.txt", 9], ["seeds/002_cd6a7d5e8935a604.txt", 1],
      ["seeds/003_70529567d1e3989d.txt", 1], ["seeds/004_078d3f46e9508604.txt", 1],
    ]);
    assert.equal(new Set(all.map((n) => n.id)).size, 13, "ids are unique");
    assert.equal(new Set(all.map((n) => n.url)).size, 13, "urls are unique");
  });

  it("reads the Digital Garden cover: title, link, date, speakers from the turns", () => {
    const n = notes().find((x) => x.source.file.includes("000_"))!;
    assert.equal(n.title, "All things AI w @altcap @sama & @satyanadella. A Halloween Special. 🎃🔥BG2 w Brad Gerstner");
    assert.equal(n.date, "2025-10-31");
    assert.equal(n.source.url, "https://www.youtube.com/watch?v=Gnl833wXRz0");
    assert.equal(n.kind, "conversation");
    for (const s of ["Sam Altman", "Satya Nadella", "Brad Gerstner"]) assert.ok(n.speakers.includes(s), s);
    for (const placeholder of ["@", "A", "B", "C", "D"]) assert.ok(!n.speakers.includes(placeholder), `placeholder ${placeholder} is not a speaker`);
    assert.match(n.summary, /OpenAI Foundation/);
  });

  it("splits the digest into nine articles with authors, scores and no placeholder authors", () => {
    const digest = notes().filter((x) => x.source.file.includes("001_"));
    assert.deepEqual(digest.map((d) => d.source.entry).sort((a, b) => a! - b!), [1, 2, 3, 4, 5, 6, 7, 11, 12]);
    assert.deepEqual(byTitle("stratechery 专访 sam altman")?.authors, ["Ben Thompson"]);
    assert.deepEqual(byTitle("OpenAI Q1 收入未达内部目标，Anthropic 正快速追赶")?.authors, ["The Information"]);
    assert.deepEqual(byTitle("从 Couch 到 5K：用跑步训练法养成 AI 使用习惯")?.authors, ["Hilary Gridley"], "the byline in the body replaces 未标注");
    assert.deepEqual(byTitle("AI 的经济账怎么算？")?.authors, []);
    for (const d of digest) assert.ok(!d.authors.includes("未标注"));
  });

  it("derives a readable title and summary for the raw transcript", () => {
    const n = notes().find((x) => x.source.file.includes("002_"))!;
    assert.equal(n.kind, "transcript");
    assert.ok(n.title.length >= 6 && n.title.length <= 40, n.title);
    assert.match(n.title, /智变时代/);
    // Key sentences drawn from the text, not a word-frequency list.
    assert.doesNotMatch(n.summary, /高频词/);
    const points = n.summary.split("\n").filter((l) => l.startsWith("- "));
    assert.equal(points.length, 3, n.summary);
    const flat = (t: string) => t.replace(/\\/g, "").replace(/\s+/g, "");
    for (const p of points) assert.ok(flat(readFileSync(join(ROOT, n.source.file), "utf8")).includes(flat(p.slice(2))), `not from the text: ${p}`);
  });

  it("reads YAML front-matter notes with their dates, sources and lists", () => {
    const n3 = byTitle("加速计算时代：AI如何重塑经济、科研与未来")!;
    assert.equal(n3.date, "2025-11-05");
    assert.equal(n3.source.url, "https://www.youtube.com/watch?v=uRPqTkmIeAY");
    assert.ok(n3.tags.includes("agent-economy"));
    assert.ok(n3.people.includes("Jensen Huang"));
    assert.ok(n3.companies.includes("NVIDIA"), "Nvidia in the front-matter resolves to the canonical NVIDIA");
    const n4 = byTitle("2026科技前瞻：从AI大模型演进、自动驾驶突破到美股投资逻辑全解析")!;
    assert.equal(n4.date, "2026-01-04");
    assert.equal(n4.kind, "conversation");
    for (const s of ["陈茜", "郝亦", "张璐"]) assert.ok(n4.speakers.includes(s), s);
    assert.ok(n4.companies.includes("Waymo"));
  });

  it("accounts for every input exactly once in the build report", () => {
    const report = readJson<Report>(site, "api/build-report.json");
    assert.deepEqual(report.inputs.map((i) => i.file).sort(), notes().map((n) => n.source.file).filter((f, i, a) => a.indexOf(f) === i).sort());
    for (const input of report.inputs) assert.notEqual(input.status, "error", JSON.stringify(input));
    assert.equal(report.inputs.reduce((s, i) => s + i.notes.length, 0), 13);
  });

  it("gives every person, company, product and tag one page, newest note first", () => {
    const entities = readJson<ApiEntity[]>(site, "api/entities.json");
    const urls = entities.map((e) => e.url);
    assert.equal(new Set(urls).size, urls.length);
    for (const e of entities) assert.ok(e.url.match(/^\/(people|companies|products|tags)\/[^/]+\/$/), e.url);
    const altman = entities.find((e) => e.name === "Sam Altman")!;
    assert.ok(altman.notes.length >= 4, `Sam Altman is in ${altman.notes.length} notes`);
    const dates = altman.notes.map((id) => notes().find((n) => n.id === id)!.date).filter(Boolean) as string[];
    assert.deepEqual(dates, [...dates].sort().reverse());
  });

  it("links every page from the home page, with no broken internal link", () => {
    const { reached, broken } = crawl(site.dir);
    assert.deepEqual(broken, []);
    const pages = listFiles(site.dir).filter((f) => f.endsWith(".html") && !f.endsWith("404.html"));
    const unreached = pages.filter((p) => !reached.has(p));
    assert.deepEqual(unreached, []);
  });

  it("renders Chinese pages with no literal markdown left over", () => {
    for (const f of listFiles(site.dir).filter((x) => x.endsWith(".html"))) {
      const html = readFileSync(f, "utf8");
      assert.match(html, /<html lang="zh-CN">/, f);
      assert.ok(!html.includes("**"), `${f} has a literal **`);
    }
  });

  it("shows speaker turns with links to the speaker and timestamps to the video", () => {
    const n = notes().find((x) => x.source.file.includes("000_"))!;
    const html = readFileSync(join(site.dir, n.url, "index.html"), "utf8");
    // Shown by the Chinese name, the name as the transcript writes it on hover.
    assert.match(html, /class="turn-speaker"><a href="\/people\/sam-altman\/" title="Sam Altman">奥特曼<\/a>/);
    assert.match(html, /href="https:\/\/www\.youtube\.com\/watch\?v=Gnl833wXRz0&amp;t=326s"/, "section 00:05:26 links to t=326s");
  });
});
