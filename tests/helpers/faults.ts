/**
 * The fault corpus: hostile and malformed sources, and what the build must say about each.
 *
 * Small text fixtures are committed in tests/fixtures/faults/ (byte-exact: see
 * tests/fixtures/.gitattributes). Large, binary or oddly encoded ones, and names no
 * portable checkout can hold (`?`, `<`, `>`), are generated here into a temp folder.
 * `faultSeeds()` lays out a seeds folder with the real seeds next to the whole corpus.
 */
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { type BuiltSite, buildSite, ROOT } from "./site.ts";

export const FAULTS_DIR = join(ROOT, "tests/fixtures/faults");

export interface FaultExpectation {
  status: "ok" | "warning" | "error";
  /** Notes published from the file. */
  notes: number;
  /** Text that must reach a published note (proof the body was not lost). */
  keeps?: string;
  /** Each must match one of the file's messages as the console prints them (`seeds/x.md:3: warning: …`). */
  says?: RegExp[];
}

/** Size of the generated single-line transcript. */
export const HUGE_BYTES = 20 * 1024 * 1024;

/** Every fault file (path relative to the corpus) → what the build must report and publish. */
export const EXPECTED: Record<string, FaultExpectation> = {
  // front-matter that does not parse: the text is still published, without the metadata
  "fm-yaml-malformed.md": { status: "warning", notes: 1, keeps: "YAML 头部的方括号没有闭合", says: [/:4: warning: front-matter could not be parsed .*published without its metadata/] },
  "fm-json-malformed.md": { status: "warning", notes: 1, keeps: "fm-json-malformed-body", says: [/:2: warning: front-matter could not be parsed/] },
  "fm-json-engine-malformed.md": { status: "warning", notes: 1, keeps: "fm-json-engine-body", says: [/:\d+: warning: front-matter could not be parsed \(invalid JSON/] },
  "fm-yaml-duplicate-keys.md": { status: "warning", notes: 1, keeps: "fm-duplicate-keys-body", says: [/:3: warning: front-matter could not be parsed .*duplicate/] },
  "fm-yaml-js-function.md": { status: "warning", notes: 1, keeps: "fm-yaml-js-body", says: [/:2: warning: front-matter could not be parsed .*js\/function/] },
  "fm-unclosed.md": { status: "warning", notes: 1, keeps: "fm-unclosed-body", says: [/:1: warning: front-matter opened with `---` is never closed/] },
  "fm-not-a-map.md": { status: "warning", notes: 1, keeps: "fm-not-a-map-body", says: [/:1: warning: .*not front-matter .*kept as text/] },
  "fm-scalar-between-rules.md": { status: "warning", notes: 1, keeps: "这是一段被两条分隔线夹住的正文", says: [/:1: warning: .*not front-matter .*kept as text/] },
  "fm-broken-no-body.md": { status: "error", notes: 0, says: [/:2: warning: front-matter could not be parsed/, /:4: error: the file has no text after its front-matter; no note was made from it/] },
  "fm-only-delimiters.md": { status: "error", notes: 0, says: [/:3: error: the file has no text after its front-matter and no title or summary in it; no note was made from it/] },
  "fm-only-metadata.md": { status: "warning", notes: 1, keeps: "这份来源只有头部", says: [/:6: warning: the file has front-matter but no text; the note has only its metadata/] },
  "fm-empty-block.md": { status: "ok", notes: 1, keeps: "fm-empty-block-body" },
  // `---toml` is TOML, read like Hugo's `+++` blocks; a TOML block that does not parse is reported with its line
  "fm-toml-engine.md": { status: "ok", notes: 1, keeps: "fm-toml-body" },
  "fm-toml-malformed.md": { status: "warning", notes: 1, keeps: "fm-toml-malformed-body", says: [/:3: warning: front-matter could not be parsed \(invalid TOML/] },
  // executable front-matter: refused, never run
  "fm-js-engine.md": { status: "warning", notes: 1, keeps: "fm-js-engine-body", says: [/:1: warning: `js` front-matter is executable code and is never run/] },
  "fm-javascript-engine.md": { status: "warning", notes: 1, keeps: "fm-javascript-engine-body", says: [/:1: warning: `javascript` front-matter is executable code and is never run/] },
  "fm-coffee-engine.md": { status: "warning", notes: 1, keeps: "fm-coffee-engine-body", says: [/:1: warning: `coffee` front-matter is executable code and is never run/] },
  // wrong types: fixed or dropped field by field, each with its line
  "fm-wrong-types.md": {
    status: "warning", notes: 1, keeps: "fm-wrong-types-body",
    says: [
      /:3: warning: `date` is not a date \(got "2026-13-45"\); the note is published undated/,
      /:5: warning: `people` should be a list of names \(got a map\); it was ignored/,
      /:6: warning: `companies` should be a list of names \(got 42\); it was ignored/,
      /:7: warning: `authors` has 2 items that are not a name \(got 1, a map\); they were left out/,
      /:8: warning: `source` is not an http\(s\) URL \(got "javascript:alert\('source'\)"\); no source link is shown/,
      /:9: warning: `duration` is not a duration/,
      /:10: warning: `summary` should be text \(got a list\); it was ignored/,
    ],
  },
  "fm-title-number.md": { status: "warning", notes: 1, keeps: "fm-title-number-body", says: [/:2: warning: `title` should be text \(got 2025\); it was used as text/, /:3: warning: `date` is not a date \(got "2026-02-30"\)/] },
  "fm-date-not-date.md": { status: "warning", notes: 1, keeps: "fm-date-not-date-body", says: [/:3: warning: `date` is not a date \(got "下周二"\); the note is published undated/] },
  "fm-tags-string.md": { status: "ok", notes: 1, keeps: "fm-tags-string-body" },
  "fm-yaml-alias-bomb.md": { status: "warning", notes: 1, keeps: "fm-alias-bomb-body", says: [/:10: warning: `tags` has 9 items that are not text \(got a list\); they were left out/, /:11: warning: `people` has 9 items/] },
  "fm-proto-pollution.md": { status: "ok", notes: 1, keeps: "fm-proto-body" },
  "fm-steering-keys.md": { status: "ok", notes: 1, keeps: "fm-steering-body" },
  // empty, whitespace, encodings, line endings
  "empty.txt": { status: "error", notes: 0, says: [/error: the file is empty; no note was made from it/] },
  "whitespace-only.txt": { status: "error", notes: 0, says: [/error: the file holds only whitespace; no note was made from it/] },
  "bom-utf8.md": { status: "ok", notes: 1, keeps: "bom-utf8-body" },
  "crlf.md": { status: "ok", notes: 1, keeps: "crlf-body" },
  "cr-only.md": { status: "ok", notes: 1, keeps: "cr-only-body" },
  "mixed-line-endings.txt": { status: "ok", notes: 1, keeps: "mixed-endings-body" },
  "control-chars.md": { status: "warning", notes: 1, keeps: "control-chars-body", says: [/:5: warning: the file has 4 control characters .*they were removed/, /:2: warning: front-matter values hold 2 control characters \(written as escapes\); they were removed/] },
  // same title, same slug
  "dup-title-a.md": { status: "ok", notes: 1, keeps: "dup-title-a-body" },
  "dup-title-b.md": { status: "ok", notes: 1, keeps: "dup-title-b-body" },
  "same slug.md": { status: "ok", notes: 1, keeps: "same-slug-space-body" },
  "same_slug.md": { status: "ok", notes: 1, keeps: "same-slug-underscore-body" },
  "Same-Slug.txt": { status: "ok", notes: 1, keeps: "same-slug-upper-body" },
  // names
  "emoji-🚀-笔记.md": { status: "ok", notes: 1, keeps: "emoji-name-body" },
  "hash#name.md": { status: "ok", notes: 1, keeps: "hash-name-body" },
  "..dots..name.md": { status: "ok", notes: 1, keeps: "dots-name-body" },
  "nested/a..b/..c/路径-标题.md": { status: "ok", notes: 1, keeps: "nested-body" },
  "%2e%2e%2fencoded.md": { status: "ok", notes: 1, keeps: "percent-name-body" },
  // not sources at all
  // other file types: listed in the report, counted once per kind on the console (not a line each)
  "not-a-source.html": { status: "ok", notes: 0, says: [/info: not a source .*skipped/] },
  "evil.njk": { status: "ok", notes: 0, says: [/info: not a source .*skipped/] },
  // hostile content: published, escaped, inert
  "hostile-metadata.md": { status: "warning", notes: 1, keeps: "hostile-metadata-body", says: [/:11: warning: `source` is not an http\(s\) URL/] },
  "hostile-markup.md": { status: "ok", notes: 1, keeps: "hostile-markup-body" },
  "hostile-links.md": { status: "warning", notes: 1, keeps: "hostile-links-body", says: [/:14: warning: `\[file 链接\]\(file:\/\/\/etc\/passwd\)` points at a local file \(`file:`\); .*kept as text/] },
  "hostile-nunjucks.md": { status: "ok", notes: 1, keeps: "hostile-nunjucks-body" },
  "hostile-garden.md": { status: "warning", notes: 1, keeps: "hostile-garden-body", says: [/:7: warning: cover `链接` is not an http\(s\) URL/, /:8: warning: cover `发布日期` is not a date \(got "2026-02-30"\)/] },
  "hostile-digest.txt": { status: "ok", notes: 2, keeps: "hostile-digest-body" },
  "hostile-transcript.txt": { status: "ok", notes: 1, keeps: "hostile-transcript-body" },
  // embeds and links that would publish files from outside, or run: reported, never copied or linked
  "hostile-embeds.md": {
    status: "warning", notes: 1, keeps: "hostile-embeds-body",
    says: [
      /:7: warning: `!\[\[\.\.\/\.\.\/etc\/passwd\]\]` points outside the seeds folder; .*kept as text/,
      /:9: warning: `!\[上级\]\(\.\.\/\.\.\/\.\.\/\.\.\/etc\/shadow\)` points outside the seeds folder/,
      /:9: warning: `\[本地文件\]\(file:\/\/\/etc\/passwd\)` points at a local file/,
      /:11: warning: `\[\[javascript:alert\('wikilink'\)\]\]` is a URL, not a note; it is kept as text/,
      /:17: warning: a formula could not be rendered .*kept as text/,
    ],
  },
  "hostile-script.svg": { status: "warning", notes: 0, says: [/warning: the SVG carries active content \(.*`script`.*\); it is not published/] },
  "hostile-clean.svg": { status: "ok", notes: 0, says: [/info: published as an image at \/media\/hostile-clean\.svg/] },
  // size and structure
  "long-title.md": { status: "ok", notes: 1, keeps: "long-title-body" },
  "deep-nesting.md": { status: "ok", notes: 1, keeps: "deep-nesting-body" },
  "only-headings.md": { status: "ok", notes: 1 },
  "unicode-oddities.md": { status: "ok", notes: 1, keeps: "unicode-oddities-body" },
  // generated by generateFaults()
  "gen-huge-transcript.txt": { status: "ok", notes: 1, keeps: "huge-end-marker" },
  "gen-utf16le-bom.txt": { status: "ok", notes: 1, keeps: "utf16le-bom-body" },
  "gen-utf16be-bom.md": { status: "ok", notes: 1, keeps: "utf16be-bom-body" },
  "gen-utf16le-nobom.txt": { status: "ok", notes: 1, keeps: "utf16le-nobom-body" },
  "gen-invalid-utf8.txt": { status: "warning", notes: 1, keeps: "invalid-utf8-body", says: [/:3: warning: the file is not valid UTF-8; 2 undecodable byte sequences were replaced with �/] },
  "gen-gbk.txt": { status: "warning", notes: 1, keeps: "gbk-body", says: [/warning: the file is not UTF-8; it was decoded as GB18030/] },
  "gen-binary.txt": { status: "error", notes: 0, says: [/error: the file is binary, not text; no note was made from it/] },
  "gen-oversized.txt": { status: "error", notes: 0, says: [/error: the file is 65 MB, over the 64 MB limit; no note was made from it/] },
  "gen-symlink.md": { status: "warning", notes: 0, says: [/warning: symbolic links are not followed/] },
  "gen-symlink-image.png": { status: "warning", notes: 0, says: [/warning: symbolic links are not followed/] },
  "gen-fifo.txt": { status: "warning", notes: 0, says: [/warning: not a regular file .*skipped/] },
  "gen-<img src=x onerror=alert('filename')>.md": { status: "ok", notes: 1, keeps: "hostile-filename-body" },
  "gen-what?q=1&a=b#frag.md": { status: "ok", notes: 1, keeps: "query-filename-body" },
  "gen-ansi-\x1b[31m-red\nname.md": { status: "ok", notes: 1, keeps: "control-filename-body" },
};

/** Words for the 20 MB transcript: no punctuation, like speech recognition output. */
const WORDS = ["我们", "今天", "讨论", "人工智能", "的", "发展", "模型", "训练", "数据", "推理", "智能体", "算力", "然后", "这个", "就是说"];

/** Bytes of `text` in GBK/GB18030 (two-byte characters only), built from the decoder's table. */
function gbk(text: string): Uint8Array {
  const table = new Map<string, number[]>();
  const dec = new TextDecoder("gb18030");
  for (let lead = 0x81; lead <= 0xfe; lead++) {
    for (let trail = 0x40; trail <= 0xfe; trail++) {
      if (trail === 0x7f) continue;
      const ch = dec.decode(new Uint8Array([lead, trail]));
      if (!table.has(ch)) table.set(ch, [lead, trail]);
    }
  }
  const out: number[] = [];
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (code < 0x80) out.push(code);
    else {
      const pair = table.get(ch);
      if (!pair) throw new Error(`no GBK code for ${ch}`);
      out.push(...pair);
    }
  }
  return new Uint8Array(out);
}

function utf16(text: string, bigEndian: boolean, bom: boolean): Uint8Array {
  const le = Buffer.from((bom ? "\uFEFF" : "") + text, "utf16le");
  if (bigEndian) le.swap16();
  return new Uint8Array(le);
}

/** Write the generated part of the corpus into `dir`. */
export function generateFaults(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const put = (name: string, bytes: Uint8Array | string) => writeFileSync(join(dir, name), bytes);

  const parts: string[] = ["huge-start-marker"];
  let size = parts[0]!.length;
  for (let i = 0; size < HUGE_BYTES - 32; i++) {
    const w = WORDS[(i * 7919 + (i >> 4)) % WORDS.length]!;
    parts.push(w);
    size += Buffer.byteLength(w) + 1;
  }
  parts.push("huge-end-marker");
  put("gen-huge-transcript.txt", parts.join(" "));

  put("gen-utf16le-bom.txt", utf16("# UTF-16 小端\n\n带 BOM 的 UTF-16LE 文件。标记 utf16le-bom-body。\n", false, true));
  put("gen-utf16be-bom.md", utf16("---\ntitle: UTF-16 大端\ntags: [utf-16]\n---\n\n带 BOM 的 UTF-16BE 文件。标记 utf16be-bom-body。\n", true, true));
  put("gen-utf16le-nobom.txt", utf16("# UTF-16 without a BOM\n\nMostly ASCII text saved as UTF-16LE with no byte order mark. Marker utf16le-nobom-body.\n", false, false));

  const enc = new TextEncoder();
  put("gen-invalid-utf8.txt", new Uint8Array([
    ...enc.encode("# 无效的 UTF-8\n\n第三行有坏字节："), 0xff, 0xc3, ...enc.encode("。\n\n其余都是正常文字。标记 invalid-utf8-body。\n"),
  ]));
  put("gen-gbk.txt", gbk("# 国标编码的文件\n\n这份文件用 GBK 编码保存，不是 UTF-8。中文内容应当被正确解码并发布。标记 gbk-body。\n"));

  const binary = new Uint8Array(4096);
  binary.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]);
  for (let i = 16; i < binary.length; i++) binary[i] = (i * 2654435761) >>> 24;
  put("gen-binary.txt", binary);

  // Sparse: 65 MB on paper, nothing on disk; refused before it is read.
  put("gen-oversized.txt", "");
  truncateSync(join(dir, "gen-oversized.txt"), 65 * 1024 * 1024);

  // A link out of the seeds folder must not publish what it points to.
  const outside = join(dir, "..", "outside-secret.md");
  writeFileSync(outside, "# 秘密\n\n不应被发布的文件 outside-secret-body。\n");
  symlinkSync(outside, join(dir, "gen-symlink.md"));
  // An image that is a link out of the folder: never published, whatever embeds it.
  writeFileSync(join(dir, "..", "outside-image.png"), "not really an image");
  symlinkSync(join(dir, "..", "outside-image.png"), join(dir, "gen-symlink-image.png"));
  // A named pipe: reading it would wait for a writer forever.
  execFileSync("mkfifo", [join(dir, "gen-fifo.txt")]);

  put("gen-<img src=x onerror=alert('filename')>.md", "# 文件名里有 HTML\n\n标记 hostile-filename-body。\n");
  put("gen-what?q=1&a=b#frag.md", "# 文件名里有问号和井号\n\n标记 query-filename-body。\n");
  put("gen-ansi-\x1b[31m-red\nname.md", "# 文件名里有终端转义和换行\n\n标记 control-filename-body。\n");
}

export function listCorpus(dir = FAULTS_DIR): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(relative(dir, p).split("\\").join("/"));
    }
  };
  walk(dir);
  return out.sort();
}

/**
 * A folder named `seeds` (so reports read `seeds/…` as in the project) holding the real
 * seeds and the whole fault corpus side by side; built once per test process.
 */
export function faultSeeds(): string {
  const base = join(tmpdir(), `kb-faults-${process.env.KB_TEST_RUN ?? process.pid}`);
  const seeds = join(base, "seeds");
  if (existsSync(join(base, "ready"))) return seeds;
  // Each run's folder holds a 20 MB transcript: drop those of runs long finished.
  for (const old of readdirSync(tmpdir()).filter((d) => d.startsWith("kb-faults-"))) {
    const p = join(tmpdir(), old);
    if (p !== base && Date.now() - statSync(p).mtimeMs > 6 * 3600_000) rmSync(p, { recursive: true, force: true });
  }
  rmSync(base, { recursive: true, force: true });
  mkdirSync(seeds, { recursive: true });
  cpSync(join(ROOT, "seeds"), seeds, { recursive: true });
  cpSync(FAULTS_DIR, seeds, { recursive: true });
  generateFaults(seeds);
  writeFileSync(join(base, "ready"), "");
  return seeds;
}

/** Front-matter code in the corpus writes this file if it ever runs. */
export function faultMarker(): string {
  return join(tmpdir(), `kb-fault-marker-${process.env.KB_TEST_RUN ?? process.pid}`);
}

/** The real seeds and the fault corpus, built once per test run (shared by the e2e and browser tests). */
export function faultSite(args: string[] = [], env: Record<string, string> = {}): BuiltSite {
  return buildSite(faultSeeds(), args, { KB_FAULT_MARKER: faultMarker(), ...env });
}
