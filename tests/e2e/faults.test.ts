/**
 * The fault corpus next to the real seeds, built as a user builds: bad input never
 * breaks the site, never loses a note, never runs code (see tests/helpers/faults.ts).
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { describe, it } from "node:test";
import { displayPath } from "../../src/pipeline.ts";
import { listFiles } from "../helpers/crawl.ts";
import { EXPECTED, faultMarker, faultSeeds, faultSite, listCorpus } from "../helpers/faults.ts";
import { buildSite, readJson, ROOT } from "../helpers/site.ts";

interface Message { level: string; message: string; line?: number }
interface Input { file: string; status: string; notes: string[]; messages: Message[] }
interface Report { inputs: Input[] }
interface ApiNote { id: string; url: string; title: string; source: { file: string } }

const run = process.env.KB_TEST_RUN ?? String(process.pid);
const marker = faultMarker();
const seeds = faultSeeds();
const plain = buildSite();
const site = faultSite();
// Same parse cache as the default build: strict mode re-parses nothing.
const strict = faultSite(["--strict"], { KB_CACHE_DIR: join(dirname(site.dir), "cache") });

/** A small folder with one error, for the environment-variable form of strict mode. */
function tinySeeds(): string {
  const dir = join(tmpdir(), `kb-faults-tiny-${run}`, "seeds");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "good.md"), "# 好的笔记\n\n正文。\n");
  writeFileSync(join(dir, "empty.txt"), "");
  return dir;
}
const envStrict = buildSite(tinySeeds(), [], { KB_STRICT: "1" });
const envDefault = buildSite(tinySeeds());

const report = () => readJson<Report>(site, "api/build-report.json");
const inputOf = (name: string) => report().inputs.find((i) => i.file === displayPath(`seeds/${name}`));
const page = (id: string) => readFileSync(join(site.dir, "notes", id, "index.html"), "utf8");
const REAL = readdirSync(join(ROOT, "seeds")).map((f) => `seeds/${f}`);

/** Every file a seeds folder holds, symbolic links included (they are reported, not followed). */
function seedFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(displayPath(`seeds/${relative(dir, p)}`));
    }
  };
  walk(dir);
  return out.sort();
}

/** Every start tag of a page with its attributes, quoted values read as HTML does. */
function tagsOf(html: string): Array<{ name: string; attrs: Array<[string, string]> }> {
  const tags = [];
  for (const m of html.matchAll(/<([a-zA-Z][\w-]*)((?:\s+[^\s"'=<>/]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*\/?>/g)) {
    const attrs: Array<[string, string]> = [];
    for (const a of m[2]!.matchAll(/([^\s"'=<>/]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g)) {
      attrs.push([a[1]!.toLowerCase(), (a[2] ?? a[3] ?? a[4] ?? "").replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n))).replace(/&amp;/g, "&")]);
    }
    tags.push({ name: m[1]!.toLowerCase(), attrs });
  }
  return tags;
}

/** A note page's `<article>`, without the related-notes list. */
function article(html: string): string {
  const a = /<article\b[\s\S]*<\/article>/.exec(html)?.[0] ?? "";
  // Related notes and the previous/next in the timeline are chosen across the whole site:
  // new notes may fairly join those lists.
  return a.replace(/<section class="related"[\s\S]*?<\/section>/, "").replace(/<nav class="prev-next"[\s\S]*?<\/nav>/, "");
}

describe("building the real seeds with the fault corpus", () => {
  it("has a corpus of at least 30 committed files, each with an expectation", () => {
    const committed = listCorpus();
    assert.ok(committed.length >= 30, `${committed.length} files`);
    for (const f of committed) assert.ok(EXPECTED[f], `no expectation for ${f}`);
    for (const f of Object.keys(EXPECTED)) assert.ok(f.startsWith("gen-") || committed.includes(f), `${f} is expected but not in the corpus`);
  });

  it("exits 0 and publishes what it can", () => {
    assert.equal(site.status, 0, site.stdout);
    assert.ok(existsSync(join(site.dir, "index.html")));
    assert.ok(listFiles(join(site.dir, "pagefind")).some((f) => f.endsWith("pagefind-entry.json")));
  });

  it("reports every input file exactly once, with the expected status and note count", () => {
    const inputs = report().inputs;
    assert.deepEqual(inputs.map((i) => i.file).sort(), seedFiles(seeds));
    for (const [name, want] of Object.entries(EXPECTED)) {
      const got = inputOf(name);
      assert.ok(got, `${name} is not in the report`);
      assert.equal(got.status, want.status, `${name}: ${JSON.stringify(got.messages)}`);
      assert.equal(got.notes.length, want.notes, `${name}: ${JSON.stringify(got.messages)}`);
    }
    for (const f of REAL) {
      const got = inputs.find((i) => i.file === f)!;
      assert.equal(got.status, "ok", `${f}: ${JSON.stringify(got.messages)}`);
    }
  });

  it("says for each problem which file, which line, what is wrong and what was done", () => {
    for (const [name, want] of Object.entries(EXPECTED)) {
      const got = inputOf(name)!;
      const lines = got.messages.map((m) => `${got.file}${m.line ? `:${m.line}` : ""}: ${m.level}: ${m.message}`);
      for (const re of want.says ?? []) assert.ok(lines.some((l) => re.test(l)), `${name}: no message matches ${re}\n${lines.join("\n")}`);
      if (want.status !== "ok") {
        assert.ok(got.messages.some((m) => m.level === want.status), name);
        // What was done: every warning and error ends in the consequence.
        for (const m of got.messages.filter((x) => x.level !== "info")) {
          assert.match(m.message, /(skipped|ignored|published|removed|replaced|left out|read as one item|kept as text|no note was made from it|used as text|derived|not shown|no source link is shown|save it as UTF-8 to be sure|the note has only its metadata)/, `${name}: ${m.message}`);
        }
      }
    }
  });

  it("prints every warning and error, and the files by status, in the console summary", () => {
    const inputs = report().inputs;
    for (const i of inputs) {
      for (const m of i.messages.filter((x) => x.level !== "info")) {
        assert.ok(site.stdout.includes(`${i.file}${m.line ? `:${m.line}` : ""}: ${m.level}: ${m.message}`), `${i.file}: ${m.message}`);
      }
    }
    const count = (s: string) => inputs.filter((i) => i.status === s).length;
    assert.ok(site.stdout.includes(`[kb] ${inputs.length} input files: ${count("ok")} ok, ${count("warning")} with warnings, ${count("error")} with errors`), site.stdout.slice(-2000));
    // One message, one line: file names with newlines or terminal escapes are written out.
    assert.ok(!site.stdout.includes("\x1b"), "no terminal escape reaches the console");
  });

  it("loses no note: the text of every published fault reaches its page", () => {
    for (const [name, want] of Object.entries(EXPECTED)) {
      if (!want.keeps) continue;
      const ids = inputOf(name)!.notes;
      assert.ok(ids.some((id) => page(id).includes(want.keeps!)), `${name}: "${want.keeps}" is on none of ${ids.join(", ")}`);
    }
    const huge = page(inputOf("gen-huge-transcript.txt")!.notes[0]!);
    assert.ok(huge.includes("huge-start-marker") && huge.includes("huge-end-marker"));
  });

  it("leaves the real seeds' pages unchanged", () => {
    assert.equal(plain.status, 0, plain.stdout);
    const before = readJson<ApiNote[]>(plain, "api/notes.json");
    const after = readJson<ApiNote[]>(site, "api/notes.json");
    assert.equal(before.length, 13);
    for (const n of before) {
      const same = after.find((x) => x.id === n.id);
      assert.ok(same, `${n.id} lost its id`);
      assert.equal(same.url, n.url);
      assert.equal(same.source.file, n.source.file);
      // The <article> element (the footer counts all notes; related notes may include new ones).
      const a = article(readFileSync(join(plain.dir, n.url, "index.html"), "utf8"));
      const b = article(readFileSync(join(site.dir, n.url, "index.html"), "utf8"));
      assert.ok(a.length > 1000, n.id);
      assert.equal(b, a, `${n.id} changed`);
    }
  });

  it("gives sources with the same title or the same slug their own ids and pages", () => {
    const notes = readJson<ApiNote[]>(site, "api/notes.json");
    const dupTitle = notes.filter((n) => n.title === "重复的标题");
    assert.equal(dupTitle.length, 2);
    assert.notEqual(dupTitle[0]!.url, dupTitle[1]!.url);
    const sameSlug = ["same slug.md", "same_slug.md", "Same-Slug.txt"].map((f) => inputOf(f)!.notes[0]!);
    assert.equal(new Set(sameSlug).size, 3, sameSlug.join(" "));
    for (const id of sameSlug) assert.match(id, /^same-slug(-\d)?$/);
    assert.equal(new Set(notes.map((n) => n.url)).size, notes.length);
  });

  it("writes nothing outside the output folder and lets no source pick a path or a template", () => {
    const base = dirname(site.dir);
    for (const f of ["escape.html", "pwned.html", "garden-escape"]) {
      assert.ok(!existsSync(join(base, f)) && !existsSync(join(dirname(base), f)) && !existsSync(join(site.dir, f)), f);
    }
    const top = readdirSync(site.dir).sort();
    assert.deepEqual(top.filter((f) => !["404.html", "api", "assets", "companies", "feed.xml", "graph", "index.html", "llms.txt", "media", "notes", "pagefind", "people", "products", "search", "sitemap.xml", "tags", "timeline"].includes(f)), []);
    // Only files found inside the seeds folder are published beside the notes, an SVG only when it is clean.
    const media = listFiles(join(site.dir, "media")).map((f) => relative(join(site.dir, "media"), f));
    assert.deepEqual(media.sort(), ["hostile-clean.svg"]);
    assert.doesNotMatch(readFileSync(join(site.dir, "media", "hostile-clean.svg"), "utf8"), /script|on\w+=/i);
    for (const f of listFiles(join(site.dir, "notes"))) assert.match(relative(join(site.dir, "notes"), f), /^[\p{L}\p{N}][\p{L}\p{N}-]*\/index\.html$/u);
    const steered = page(inputOf("fm-steering-keys.md")!.notes[0]!);
    assert.match(steered, /<main id="main"/, "the note page uses the site's own layout");
    assert.ok(steered.includes("fm-steering-body"));
    assert.ok(!existsSync(join(site.dir, "outside-secret.md")) && !listFiles(site.dir).some((f) => f.endsWith(".html") && readFileSync(f, "utf8").includes("outside-secret-body")), "the symbolic link was not followed");
  });

  it("never runs front-matter code", () => {
    assert.ok(!existsSync(marker), `front-matter code ran: ${marker} exists`);
    for (const f of ["fm-js-engine.md", "fm-javascript-engine.md", "fm-coffee-engine.md"]) {
      const html = page(inputOf(f)!.notes[0]!);
      assert.ok(!html.includes("代码执行了"), f);
    }
  });

  it("escapes titles, names, tags and text, and neutralises raw HTML and script URLs", () => {
    const hostile = Object.keys(EXPECTED).filter((f) => /hostile|filename|nunjucks|steering|garden/.test(f));
    const pages = hostile.flatMap((f) => inputOf(f)!.notes.map((id) => join(site.dir, "notes", id, "index.html")));
    // Entities named by the hostile files: `<b>x</b>`, `../../etc`, `{{ 7*7 }}`, `javascript:…` …
    const named = readJson<Array<{ name: string; url: string }>>(site, "api/entities.json").filter((e) => /[<>{}]|\.\.|javascript:/.test(e.name));
    assert.ok(named.length >= 8, named.map((e) => e.name).join("\n"));
    const entityPages = named.map((e) => join(site.dir, e.url, "index.html"));
    for (const f of [...pages, ...entityPages, join(site.dir, "index.html"), join(site.dir, "tags/index.html"), join(site.dir, "people/index.html"), join(site.dir, "timeline/index.html")]) {
      const html = readFileSync(f, "utf8");
      for (const { name, attrs } of tagsOf(html)) {
        const where = `${relative(site.dir, f)}: <${name} ${attrs.map(([k, v]) => `${k}="${v}"`).join(" ")}>`;
        if (name === "script") assert.match(attrs.find(([k]) => k === "src")?.[1] ?? "", /^\/(assets|pagefind)\//, where);
        assert.ok(!["iframe", "frame", "object", "embed", "base", "style"].includes(name), where);
        assert.ok(!(name === "meta" && attrs.some(([k, v]) => k === "http-equiv" && /refresh/i.test(v))), where);
        for (const [k, v] of attrs) {
          assert.ok(!k.startsWith("on"), `an event-handler attribute: ${where}`);
          if (["href", "src", "action", "formaction", "xlink:href"].includes(k)) assert.doesNotMatch(v.replace(/[\s\x00-\x1f]/g, ""), /^(javascript|vbscript|data|file):/i, `a script URL: ${where}`);
        }
        assert.ok(!["b", "img", "svg"].includes(name) || attrs.every(([k]) => k !== "onerror" && k !== "onload"), where);
      }
      assert.ok(!html.includes("<b>x</b>") && !html.includes("<b>粗体标签</b>"), `${f}: a name was not escaped`);
    }
    const nunjucks = page(inputOf("hostile-nunjucks.md")!.notes[0]!);
    // Shown as written (markdown may still read `*7 }} … {{7*` as emphasis: that is markdown, not a template).
    for (const written of ["模板注入 {{ 7*7 }}<a class=\"anchor\"", "{{ 7*7 }} 小节", "{{ kb.site | dump }}", "{{ page.inputPath }}", "{% include &quot;../../../../etc/passwd&quot; %}"]) {
      assert.ok(nunjucks.includes(written), `${written} is shown as written`);
    }
    assert.ok(!/模板注入 49|49 小节|body：49|content\/notes\.njk/.test(nunjucks), "no template in a source was evaluated");
    assert.ok(!nunjucks.includes("root:x:0:0"), "{% include %} was not evaluated");
    const person = named.find((e) => e.name === "<b>x</b>");
    assert.ok(person && readFileSync(join(site.dir, person.url, "index.html"), "utf8").includes("<h1>&lt;b&gt;x&lt;/b&gt;</h1>"), "a person named <b>x</b> is shown as text");
    const tag = named.find((e) => e.name === "../../etc");
    assert.equal(tag?.url, "/tags/etc/", "a tag named ../../etc stays inside /tags/");
  });

  it("keeps the feed, the sitemap and the JSON API well-formed", () => {
    for (const f of ["feed.xml", "sitemap.xml"]) {
      const xml = readFileSync(join(site.dir, f), "utf8");
      assert.doesNotMatch(xml, /[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]/, `${f} holds a character XML forbids`);
      assert.doesNotMatch(xml, /<(script|img|iframe)\b/i, f);
    }
    for (const f of ["api/notes.json", "api/entities.json", "api/build-report.json"]) assert.doesNotThrow(() => JSON.parse(readFileSync(join(site.dir, f), "utf8")), f);
  });

  it("fails with --strict when any error is reported, leaving the output folder alone", () => {
    assert.notEqual(strict.status, 0, strict.stdout);
    assert.match(strict.stdout, /--strict: \d+ error\(s\) reported/);
    assert.match(strict.stdout, /seeds\/empty\.txt: error: the file is empty/);
    assert.ok(!existsSync(strict.dir), "nothing was published");
  });

  it("fails with KB_STRICT=1 too, and succeeds on the same folder without it", () => {
    assert.notEqual(envStrict.status, 0, envStrict.stdout);
    assert.ok(!existsSync(envStrict.dir));
    assert.equal(envDefault.status, 0, envDefault.stdout);
    assert.equal(readJson<ApiNote[]>(envDefault, "api/notes.json").length, 1);
  });
});
