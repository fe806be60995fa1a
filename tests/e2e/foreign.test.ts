/**
 * Folders nobody here wrote: public podcast and meeting transcripts (seven formats),
 * three Obsidian vaults and eleven Hugo, Hexo and Jekyll blogs, in Chinese and English
 * (tests/fixtures/foreign/, each file's origin in the README beside it). Built as one
 * seeds folder, the way a user points the tool at their files, and read as a reader
 * would: who speaks, where links go, what the titles, dates and tags are, whether
 * images show, and that nothing raw or over-long reaches the page.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { buildSite, readJson, ROOT } from "../helpers/site.ts";

const FOREIGN = join(ROOT, "tests/fixtures/foreign");
const site = buildSite(FOREIGN);

interface ApiNote { id: string; url: string; title: string; date: string | null; updated: string | null; kind: string; source: { file: string; url: string | null }; speakers: string[]; tags: string[]; categories: string[]; aliases: string[]; summary: string; links: string[]; backlinks: string[] }
interface ApiEntity { type: string; name: string; url: string; notes: string[] }
interface Report { inputs: Array<{ file: string; status: string; notes: string[]; messages: Array<{ level: string; message: string; line?: number }> }>; other: { images: number; pdfs: number; skipped: Record<string, number>; ignored: string[] }; links: { links: number; resolved: number; unresolved: number } }
interface TranscriptGold { format: string; speakers: string[]; placeholders: string[]; notSpeakers: string[]; videoUrl: string | null }
interface VaultGold { title: string; tags: string[]; links: Array<{ raw: string; target: string | null }>; images: Array<string | null> }
interface BlogGold { title: string; date: string | null; updated: string | null; tags: string[]; categories: string[]; images: string[] }

const gold = <T>(folder: string) => JSON.parse(readFileSync(join(FOREIGN, folder, "expected.json"), "utf8")) as Record<string, T>;
const notes = () => readJson<ApiNote[]>(site, "api/notes.json");
const report = () => readJson<Report>(site, "api/build-report.json");
const noteOf = (path: string): ApiNote => {
  const file = `tests/fixtures/foreign/${path}`;
  const input = report().inputs.find((i) => i.file === file);
  assert.ok(input?.notes.length, `${file}: no note (${JSON.stringify(input?.messages)})`);
  return notes().find((n) => n.id === input.notes[0])!;
};
const page = (n: ApiNote) => readFileSync(join(site.dir, n.url, "index.html"), "utf8");
const fold = (s: string) => s.toLowerCase();
const mediaUrl = (rel: string) => `/media/${rel.split("/").map(encodeURIComponent).join("/")}`;

describe("building folders nobody here wrote", () => {
  before(() => assert.equal(site.status, 0, site.stdout.slice(-3000)));

  it("finds every speaker of every transcript format, and no label as a speaker", () => {
    const transcripts = gold<TranscriptGold>("transcripts");
    const formats = new Set<string>();
    let conversations = 0;
    for (const [path, want] of Object.entries(transcripts)) {
      const n = noteOf(`transcripts/${path}`);
      const expected = [...want.speakers, ...want.placeholders].map(fold).sort();
      assert.deepEqual([...new Set(n.speakers.map(fold))].sort(), expected, `${path}: speakers`);
      for (const label of want.notSpeakers) assert.ok(!n.speakers.some((s) => fold(s) === fold(label)), `${path}: ${label} is not a speaker`);
      if (want.videoUrl) assert.equal(n.source.url, want.videoUrl, `${path}: the video`);
      if (n.kind === "conversation") conversations++;
      formats.add(want.format);
    }
    assert.deepEqual([...formats].sort(), ["diarised", "feishu", "lex", "rev", "srt", "timestamped", "vtt"]);
    // Two speakers who each hold substantial turns make a conversation (a two-line Teams snippet does not).
    assert.ok(conversations >= 24, `${conversations} conversations`);
  });

  it("gives no person page to a placeholder, a role or a label", () => {
    const transcripts = Object.values(gold<TranscriptGold>("transcripts"));
    const never = new Set(transcripts.flatMap((t) => [...t.placeholders, ...t.notSpeakers]).map(fold));
    const people = readJson<ApiEntity[]>(site, "api/entities.json").filter((e) => e.type === "person");
    assert.deepEqual(people.filter((p) => never.has(fold(p.name))).map((p) => p.name), []);
  });

  it("links a timed turn to that moment of the video", () => {
    const n = noteOf("transcripts/shaped/lex-bold-time.md");
    assert.match(page(n), /href="https:\/\/www\.youtube\.com\/watch\?v=AbCdEfGhIjK&amp;t=31s"/);
  });

  it("renders no paragraph longer than about 1,500 characters", () => {
    const long: string[] = [];
    for (const n of notes()) {
      for (const m of page(n).matchAll(/<p>([\s\S]*?)<\/p>/g)) {
        const text = m[1]!.replace(/<[^>]+>/g, "").replace(/&[a-z#0-9]+;/gi, "x");
        if (text.length > 1600) long.push(`${n.source.file}: ${text.length}`);
      }
    }
    assert.deepEqual(long, []);
  });

  it("titles vault notes by file name and resolves every wikilink whose target is in the folder", () => {
    const vaults = gold<VaultGold>("obsidian");
    let links = 0, resolved = 0;
    const missed: string[] = [];
    for (const [path, want] of Object.entries(vaults)) {
      const n = noteOf(`obsidian/${path}`);
      assert.equal(n.title, want.title, path);
      const html = page(n);
      for (const l of want.links) {
        // Obsidian Bases (`.base`) are views, not notes: they are not published.
        if (!l.target || l.target.endsWith(".base")) continue;
        links++;
        const t = noteOf(`obsidian/${l.target}`);
        // markdown-it percent-encodes the URLs it writes (`/notes/凸优化/` → `/notes/%E5%87%B8…/`).
        if (t.id === n.id || (n.links.includes(t.id) && (html.includes(`href="${t.url}`) || html.includes(`href="${encodeURI(t.url)}`)))) resolved++;
        else missed.push(`${path}: ${l.raw}`);
      }
    }
    assert.deepEqual(missed, []);
    assert.ok(links >= 80, `${links} links`);
  });

  it("lists backlinks: a note shows the notes that link to it", () => {
    const linked = notes().filter((n) => n.backlinks.length && n.source.file.startsWith("tests/fixtures/foreign/obsidian/"));
    assert.ok(linked.length >= 10, `${linked.length} notes with backlinks`);
    for (const n of linked) {
      const html = page(n);
      assert.match(html, /链接到本篇的笔记/);
      for (const id of n.backlinks) assert.ok(html.includes(`href="/notes/${id}/"`) || html.includes(`href="/notes/${encodeURI(id)}/"`), `${n.title}: backlink ${id}`);
    }
  });

  it("shows every image that sits beside its note, sized and lazy-loaded", () => {
    const wanted: Array<[string, string]> = [];
    for (const [path, want] of Object.entries(gold<VaultGold>("obsidian"))) for (const img of want.images) if (img) wanted.push([`obsidian/${path}`, `obsidian/${img}`]);
    for (const [path, want] of Object.entries(gold<BlogGold>("blogs"))) for (const img of want.images) wanted.push([`blogs/${path}`, `blogs/${img}`]);
    assert.ok(wanted.length >= 60, `${wanted.length} images`);
    for (const [note, img] of wanted) {
      const url = mediaUrl(img);
      const tag = new RegExp(`<img src="${url.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}" alt="[^"]*" width="\\d+" height="\\d+" loading="lazy"`);
      assert.match(page(noteOf(note)), tag, `${note}: ${img}`);
      assert.ok(existsSync(join(site.dir, decodeURIComponent(url))), `${url} is published`);
    }
  });

  it("reads blog posts' TOML and YAML front-matter: title, date, updated, tags, categories", () => {
    for (const [path, want] of Object.entries(gold<BlogGold>("blogs"))) {
      const n = noteOf(`blogs/${path}`);
      assert.equal(n.title, want.title, path);
      assert.equal(n.date, want.date, `${path}: date`);
      assert.equal(n.updated, want.updated ?? null, `${path}: updated`);
      const names = n.tags.map(fold);
      for (const t of [...want.tags, ...want.categories]) assert.ok(names.includes(fold(String(t))), `${path}: tag ${t} in ${names.join(", ")}`);
      assert.deepEqual(n.categories.map(fold).sort(), want.categories.map((c) => fold(String(c))).sort(), `${path}: categories`);
    }
  });

  it("leaves no literal markdown on a page, outside code", () => {
    const raw: string[] = [];
    for (const n of notes()) {
      const article = /<article[\s\S]*<\/article>/.exec(page(n))?.[0] ?? "";
      const text = article.replace(/<(pre|code|annotation)[\s\S]*?<\/\1>/g, "").replace(/<[^>]+>/g, " ");
      // What the author escaped (`\*\*not bold\*\*`, `\[\[0]]`) is meant to show as written.
      const source = readFileSync(join(ROOT, n.source.file), "utf8");
      for (const m of text.matchAll(/\*\*[^*\s][^*]{0,40}\*\*|\[\[[^\]]+\]\]|%%/g)) {
        if (!source.includes(`\\${m[0][0]}\\${m[0][1]}`)) raw.push(`${n.source.file}: ${m[0]}`);
      }
    }
    assert.deepEqual(raw, []);
  });

  it("lets no raw markup reach a title or a summary", () => {
    for (const n of notes()) {
      for (const [what, text] of [["title", n.title], ["summary", n.summary]] as const) {
        assert.doesNotMatch(text, /\[\[|\*\*|`|%%|\+\+\+|\]\(|<!--/, `${n.source.file}: ${what} ${JSON.stringify(text.slice(0, 80))}`);
      }
    }
  });

  it("accounts for what it could not read: unresolved links with file and line, other files once per kind, dot-folders unread", () => {
    const r = report();
    const unresolved = r.inputs.flatMap((i) => i.messages.filter((m) => /no note or file named/.test(m.message)));
    assert.ok(unresolved.length > 0 && unresolved.every((m) => m.level === "info" && typeof m.line === "number"));
    assert.equal(r.links.unresolved >= unresolved.length, true);
    assert.ok(r.other.images >= 80, `${r.other.images} images`);
    assert.ok(r.other.ignored.some((d) => d.endsWith(".obsidian/")));
    assert.ok(!existsSync(join(site.dir, "media/obsidian/jumping-spider/.obsidian")));
    assert.match(site.stdout, /\[kb\] beside the notes: \d+ images published as assets/);
    // One line for the images, not a line each.
    assert.ok(site.stdout.split("\n").filter((l) => /\.png/.test(l)).length < 5, "no console line per image");
  });

  it("shows an Obsidian plugin's query as its folded source, labelled, and reports it with its line", () => {
    const file = "obsidian/kepano-obsidian/Categories/People.md";
    const html = page(noteOf(file));
    assert.match(html, /<details class="plugin-query"><summary>Obsidian Dataview 查询[^<]*<\/summary><pre><code class="language-dataview">table without id/);
    const input = report().inputs.find((i) => i.file === `tests/fixtures/foreign/${file}`)!;
    assert.ok(input.messages.some((m) => m.level === "info" && m.line === 6 && /`dataview` block is an Obsidian Dataview query/.test(m.message)), JSON.stringify(input.messages));
  });
});
