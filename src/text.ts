/** Small pure helpers shared by the ingest stages. */
import { createHash } from "node:crypto";
import { slug as githubSlug } from "github-slugger";
import { Converter } from "opencc-js";
import { lazy } from "./caches.ts";
import type { BuildMessage, Note } from "./note.ts";

export interface DecodedText {
  text: string;
  messages: BuildMessage[];
  /** True when the bytes are not text at all (NULs, control bytes). */
  binary: boolean;
}

/** 1-based line of a character offset. */
export function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * Turn raw bytes into normalised text: BOMs removed, UTF-16 decoded, GB18030 (GBK)
 * recognised when the bytes are not UTF-8 but are Chinese in the national encoding,
 * invalid UTF-8 replaced (and reported with its line), CRLF and lone CR turned into
 * LF, and control characters (terminal escapes, BEL, DEL …) removed and reported:
 * they would break the XML feed and could rewrite the build's console output.
 */
export function decodeSource(bytes: Uint8Array): DecodedText {
  const messages: BuildMessage[] = [];
  let text: string;
  const b0 = bytes[0], b1 = bytes[1];
  if ((b0 === 0xff && b1 === 0xfe) || (b0 === 0xfe && b1 === 0xff) || looksLikeUtf16(bytes)) {
    const le = b0 === 0xff || (b0 !== 0xfe && bytes.length > 1 && bytes[1] === 0);
    text = new TextDecoder(le ? "utf-16le" : "utf-16be").decode(bytes);
    messages.push({ level: "info", message: `decoded as UTF-16${le ? "LE" : "BE"}` });
  } else {
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
      text = new TextDecoder("utf-8").decode(bytes);
      const gb = mostlyUndecodable(text) ? decodeGb18030(bytes) : null;
      if (gb !== null) {
        text = gb;
        messages.push({ level: "warning", message: "the file is not UTF-8; it was decoded as GB18030 (GBK), the Chinese national encoding — save it as UTF-8 to be sure" });
      } else if (!looksBinary(text)) {
        const bad = text.indexOf("\uFFFD");
        const count = text.match(/\uFFFD/g)?.length ?? 0;
        messages.push({
          level: "warning",
          message: `the file is not valid UTF-8; ${count} undecodable byte sequence${count === 1 ? " was" : "s were"} replaced with � (the first on this line)`,
          line: lineAt(text, bad),
        });
      }
    }
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  text = text.replace(/\r\n?/g, "\n");
  if (looksBinary(text)) return { text, messages, binary: true };
  const first = text.search(CONTROL);
  if (first >= 0) {
    const line = lineAt(text, first);
    const cleaned = stripControls(text);
    text = cleaned.text;
    messages.push({ level: "warning", line, message: `the file has ${cleaned.count} control character${cleaned.count === 1 ? "" : "s"} (terminal escapes, BEL, DEL …; the first on this line); ${cleaned.count === 1 ? "it was" : "they were"} removed` });
  }
  return { text, messages, binary: false };
}

/**
 * ANSI escape sequences whole, then any other C0/C1 control but tab and newline, and
 * the non-characters U+FFFE/U+FFFF: none of them is text, and XML (the feed) forbids them.
 */
const CONTROL_SOURCE = String.raw`\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-_]|[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]`;
const CONTROL = new RegExp(CONTROL_SOURCE);

/** Remove control characters (see CONTROL_SOURCE); `count` is how many were removed. */
export function stripControls(text: string): { text: string; count: number } {
  let count = 0;
  const out = text.replace(new RegExp(CONTROL_SOURCE, "g"), () => {
    count++;
    return "";
  });
  return { text: out, count };
}

/** More than a third of the non-ASCII characters could not be decoded as UTF-8. */
function mostlyUndecodable(text: string): boolean {
  let nonAscii = 0, bad = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7f) nonAscii++;
    if (c === 0xfffd) bad++;
  }
  return nonAscii > 0 && bad > nonAscii / 3;
}

/** Strict GB18030 decoding whose result is mostly Chinese; null otherwise. */
function decodeGb18030(bytes: Uint8Array): string | null {
  let text: string;
  try {
    text = new TextDecoder("gb18030", { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
  const nonAscii = text.match(/[^\x00-\x7f]/g)?.length ?? 0;
  const chinese = text.match(/[\p{Script=Han}\u3000-\u303f\uff00-\uffef]/gu)?.length ?? 0;
  return nonAscii > 0 && chinese >= nonAscii * 0.7 ? text : null;
}

function looksLikeUtf16(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 512);
  if (n < 8) return false;
  let zerosEven = 0, zerosOdd = 0;
  for (let i = 0; i < n; i++) if (bytes[i] === 0) (i % 2 === 0 ? zerosEven++ : zerosOdd++);
  // ASCII-heavy UTF-16 has a NUL in every other byte and almost none in the other half.
  return Math.max(zerosEven, zerosOdd) > n * 0.3 && Math.min(zerosEven, zerosOdd) < n * 0.02;
}

/**
 * Binary, not text: a NUL in the first 8 KB (images, archives, executables all have
 * them), or at least 16 control or undecodable characters making over a tenth of it.
 * A short text with a stray BEL or terminal escape is text: it is cleaned and kept.
 */
function looksBinary(text: string): boolean {
  const sample = text.slice(0, 8192);
  if (sample.length === 0) return false;
  let control = 0;
  for (let i = 0; i < sample.length; i++) {
    const c = sample.charCodeAt(i);
    if (c === 0) return true;
    if ((c < 32 && c !== 9 && c !== 10 && c !== 12 && c !== 13) || c === 0xfffd) control++;
  }
  return control >= 16 && control / sample.length > 0.1;
}

/** A stable short hash, for fallbacks and cache keys. */
export function shortHash(input: string, length = 8): string {
  return createHash("sha256").update(input).digest("hex").slice(0, length);
}

/**
 * A URL-safe slug that keeps Chinese: `黄仁勋` → `黄仁勋`, `智谱AI` → `智谱ai`.
 * Eleventy's built-in slugify drops CJK (returns "" for `黄仁勋`), so we use
 * github-slugger (keeps Unicode letters) and add what it lacks: no leading or
 * trailing dashes, no runs of dashes, a length cap, and a hash fallback so that
 * a name made only of symbols or emoji still gets a non-empty, stable slug.
 */
export function slugify(input: string, maxLength = 60): string {
  let s = githubSlug(input.normalize("NFKC").replace(/[_/\\.\s]+/g, " "))
    .replace(/[^\p{L}\p{N}-]+/gu, "")
    .replace(/-+/g, "-")
    .replace(/^-|-$/g, "");
  s = Array.from(s).slice(0, maxLength).join("").replace(/-$/, "");
  return s || `x-${shortHash(input)}`;
}

/** Gives each base slug a unique form: `a`, `a-2`, `a-3` … in the order asked. */
export class SlugRegistry {
  private readonly used = new Set<string>();
  claim(base: string): string {
    let candidate = base;
    for (let n = 2; this.used.has(candidate.toLowerCase()); n++) candidate = `${base}-${n}`;
    this.used.add(candidate.toLowerCase());
    return candidate;
  }
}

/** `01:14:20` / `14:20` → seconds; null when not a timestamp. */
export function parseClock(value: string): number | null {
  const m = /^\s*(\d{1,3}):([0-5]\d)(?::([0-5]\d))?\s*$/.exec(value);
  if (!m) return null;
  const [a, b, c] = [Number(m[1]), Number(m[2]), m[3] === undefined ? null : Number(m[3])];
  return c === null ? a * 60 + b : a * 3600 + b * 60 + c;
}

/** 3600 → `1:00:00`, 326 → `5:26`. */
export function formatClock(seconds: number): string {
  const h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
  const pad = (n: number) => String(n).padStart(2, "0");
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
}

/**
 * Normalise a date from front-matter or a cover line to `YYYY-MM-DD`.
 * gray-matter returns unquoted YAML dates as `Date` at UTC midnight, so we format
 * in UTC. Accepts `2025-10-31`, `2025/10/31`, `2025.10.31`, `2025年10月31日`.
 */
export function normalizeDate(value: unknown): string | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString().slice(0, 10);
  if (typeof value !== "string") return null;
  const m = /^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[T\s].*)?$/.exec(value);
  if (!m) return null;
  const iso = `${m[1]}-${m[2]!.padStart(2, "0")}-${m[3]!.padStart(2, "0")}`;
  const d = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(iso) ? iso : null;
}

/** Chinese collation. `localeCompare(…, "zh-CN")` builds a collator per call: one, shared, is many times faster. */
export const ZH = new Intl.Collator("zh-CN");

/** Newest first, undated last; same date: by title in Chinese collation. */
export function byDateDesc(a: { date: string | null; title: string }, b: { date: string | null; title: string }): number {
  if (a.date !== b.date) return a.date === null ? 1 : b.date === null ? -1 : a.date < b.date ? 1 : -1;
  return ZH.compare(a.title, b.title);
}

/** CJK characters count one each, Latin words one each (how Chinese readers count 字数). */
export function countWords(text: string): number {
  return countCjk(text) + countMatches(LATIN_WORD, text);
}
/** One character of a CJK script (Han, kana, Hangul). */
export const CJK_CHAR = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

const cjkTable = lazy(() => {
  const table = new Uint8Array(65536);
  for (let c = 0; c < 65536; c++) if ((c < 0xd800 || c > 0xdfff) && CJK_CHAR.test(String.fromCharCode(c))) table[c] = 1;
  return table;
});

/**
 * Characters of CJK scripts in `text`. A regex test per character cost a sixth of all
 * parsing: the Basic Multilingual Plane is looked up in a table built once from the same
 * regex, only characters outside it (surrogate pairs) are tested one by one.
 */
function countCjk(text: string): number {
  const table = cjkTable();
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        if (CJK_CHAR.test(text.slice(i, i + 2))) n++;
        i++;
        continue;
      }
    }
    n += table[c]!;
  }
  return n;
}
const LATIN_WORD = /[A-Za-z0-9][A-Za-z0-9'’.-]*/g;

/** Matches of a global regex, counted without building an array of them (sources can be 20 MB). */
function countMatches(re: RegExp, text: string): number {
  let n = 0;
  re.lastIndex = 0;
  while (re.exec(text)) n++;
  return n;
}

/** What a reader sees of a wikilink's target: `Folder/Note#Part` → `Note › Part`, `#Part` → `Part`. */
export function wikilinkLabel(target: string): string {
  const [path = "", ...rest] = target.split("#");
  const name = path.split("/").pop()!.replace(/\.md$/i, "").trim();
  const part = rest.join("#").replace(/^\^/, "").trim();
  return name && part ? `${name} › ${part}` : name || part;
}

/** `==highlight==`, and emphasis or code marks that are not escaped (`\*`): one rule for both strippers below. */
const HIGHLIGHT = /==(?=\S)([^=\n]*?\S)==/g;
const EMPHASIS = /(?<!\\)(\*\*|__|\*|_|~~|`)(?=\S)([^*_~`]*?[^\s\\])\1/g;

/**
 * Inline markdown → plain text: links and wikilinks to their labels, images to their alt
 * text, emphasis, highlights, code marks, footnote references and comments removed.
 * For titles: unlike `stripMarkdown`, a leading `128. ` or `#` stays what it is.
 */
export function stripInline(md: string): string {
  return md
    // An embed shows another file: it is not text of this one.
    .replace(/!\[\[[^\[\]\n]+?\]\]/g, "")
    .replace(/\[\[([^\[\]|\n]+?)(?:\|([^\[\]\n]*))?\]\]/g, (_, target: string, label?: string) => label?.trim() || wikilinkLabel(target))
    // A link's URL may hold one level of parentheses: `(javascript:alert('x'))`, wiki URLs.
    .replace(/!\[([^\]]*)\]\((?:[^()]|\([^()]*\))*\)/g, "$1")
    .replace(/\[([^\]]*)\]\((?:[^()]|\([^()]*\))*\)/g, "$1")
    .replace(/\[\^[^\]\s]+\]/g, "")
    .replace(/%%[\s\S]*?%%/g, "")
    // Template tags a blog engine would have run (`{% include … %}`, `{{< shortcode >}}`).
    .replace(/\{%[^%]*%\}|\{\{[<%][^>%]*[>%]\}\}/g, "")
    .replace(HIGHLIGHT, "$1")
    .replace(EMPHASIS, "$2")
    // A backslash-escaped ASCII punctuation mark is the mark (CommonMark), as the page shows it.
    .replace(/\\([!-\/:-@[-`{-~])/g, "$1")
    .replace(/\s+/g, " ")
    .trim();
}

/** Emphasis, highlight and code marks removed, nothing else: `**0:06 – Intro**` → `0:06 – Intro` (links and their URLs stay). */
export function stripEmphasis(md: string): string {
  return md
    .replace(HIGHLIGHT, "$1")
    .replace(EMPHASIS, "$2")
    .trim();
}

/** Markdown → plain text, good enough for excerpts and summaries (block markers and callout types removed too). */
/**
 * Whether a note's summary only repeats the start of its first block (a summary cut from
 * the opening text, as feeds and Hugo's `.Summary` make them): the page does not show
 * it, and its words are not counted or excerpted twice.
 */
export function summaryRepeats(note: Pick<Note, "summary" | "sections">): boolean {
  const norm = (t: string) => stripMarkdown(t).replace(/[\s…]+/g, "").slice(0, 60);
  const summary = norm(note.summary);
  const first = note.sections.flatMap((s) => s.blocks).find((b) => b.text.trim());
  return summary.length >= 20 && first !== undefined && stripMarkdown(first.text).replace(/\s+/g, "").startsWith(summary);
}

export function stripMarkdown(md: string): string {
  return stripInline(
    md
      .replace(/^\s{0,3}(?:>\s*)+\[![\w-]+\][-+]?\s*/gm, "")
      .replace(/^\s*[-*+]\s+\[[ xX]\]\s+/gm, "")
      .replace(/^\s{0,3}(#{1,6}|>|[-*+]|\d+[.)])\s+/gm, "")
      .replace(/^\s*\[\^[^\]\s]+\]:\s*/gm, ""),
  );
}

/**
 * Traditional → simplified, character by character, from opencc-js (built once per process):
 * the table search folds queries and documents with (src/search/query.js `toSimplified`), and
 * the linker tells a mainland spelling of a name by.
 */
export const simplifiedTable = lazy((): Record<string, string> => {
  const convert = Converter({ from: "t", to: "cn" });
  const map: Record<string, string> = {};
  for (let code = 0x3400; code <= 0x9fff; code++) {
    const ch = String.fromCharCode(code);
    const s = convert(ch);
    if (s !== ch && Array.from(s).length === 1) map[ch] = s;
  }
  return map;
});

/** Fold width, case and spacing so `ＯｐｅｎＡＩ`, `openai` and `OpenAI` meet (names, labels, paths). */
export function foldName(name: string): string {
  return name.normalize("NFKC").toLowerCase().replace(/\s+/g, " ").trim();
}

/**
 * Text that markdown must show as written: every character markdown (and its plugins:
 * math, highlights, footnotes) would act on is escaped, and a leading list marker too.
 */
export function escapeMarkdown(text: string): string {
  return text.replace(/([\\`*_{}\[\]<>#|~!$=%^])/g, "\\$1").replace(/^(\s*)([-+]|\d+[.)])(\s)/, "$1\\$2$3");
}

/** Cut plain text to at most `max` characters at a sensible boundary, adding `…`. */
export function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  const cut = chars.slice(0, max).join("");
  const boundary = Math.max(cut.lastIndexOf("。"), cut.lastIndexOf("，"), cut.lastIndexOf(" "), cut.lastIndexOf("；"));
  return (boundary > max * 0.6 ? cut.slice(0, boundary) : cut).trimEnd() + "…";
}

/** Split a scalar list written as one string (`a, b、c；d`) into items. */
export function splitList(value: string): string[] {
  return value.split(/[,，、;；\n]/).map((s) => s.trim()).filter(Boolean);
}
