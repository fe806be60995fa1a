/**
 * Front-matter → typed metadata. Normalise once, at the boundary (Quartz's
 * `transformers/frontmatter.ts` is the model): aliases coalesced, scalars coerced to
 * lists, wrong types reported with the field name and dropped, never trusted.
 */
import matter from "gray-matter";
import yaml from "js-yaml";
import { parse as parseToml } from "smol-toml";
import type { BuildMessage } from "../note.ts";
import { HttpUrl } from "../note.ts";
import { normalizeDate, parseClock, splitList, stripControls, truncate } from "../text.ts";

export interface Metadata {
  title: string | null;
  date: string | null;
  url: string | null;
  authors: string[];
  speakers: string[];
  people: string[];
  companies: string[];
  products: string[];
  tags: string[];
  categories: string[];
  aliases: string[];
  updated: string | null;
  summary: string | null;
  status: string | null;
  duration: number | null;
}

export function emptyMetadata(): Metadata {
  return { title: null, date: null, url: null, authors: [], speakers: [], people: [], companies: [], products: [], tags: [], categories: [], aliases: [], updated: null, summary: null, status: null, duration: null };
}

export interface FrontMatterSplit {
  /** Parsed data, or null when there is no front-matter or it could not be parsed. */
  data: Record<string, unknown> | null;
  body: string;
  /** 1-based line in the file where `body` starts. */
  bodyLine: number;
  messages: BuildMessage[];
  /** 1-based line of a top-level key in the file, when it can be found. */
  lineOf: (key: string) => number | undefined;
}

const OPEN = /^---[ \t]*([A-Za-z][\w-]*)?[ \t]*\n/;
/** Hugo's TOML front-matter: `+++` … `+++`. */
const TOML_OPEN = /^\+\+\+[ \t]*\n/;
/** Front-matter languages that are programs (gray-matter would `eval` them): never run. */
const EXECUTABLE = new Set(["js", "javascript", "coffee", "coffeescript", "cson", "ts", "typescript"]);
const noLine = () => undefined;
const refuse = () => {
  throw new Error("executable front-matter is never run");
};
const GM_DELIMITER = "\u0000front-matter\u0000";
/** The only engines gray-matter may use: YAML with js-yaml's core schema, JSON, and TOML (smol-toml). */
const SAFE_ENGINES = {
  toml: (s: string) => parseToml(s) as unknown,
  yaml: (s: string) => yaml.load(s, { schema: yaml.CORE_SCHEMA }),
  yml: (s: string) => yaml.load(s, { schema: yaml.CORE_SCHEMA }),
  json: (s: string) => JSON.parse(s) as unknown,
  js: refuse,
  javascript: refuse,
  coffee: refuse,
};

/**
 * Split the `---` block off the top of a source and parse it. Only data languages are
 * read: YAML (js-yaml's core schema: no `!!js/*` types, no timestamps, so a date stays
 * the text that was written and is checked as text) and JSON. Executable languages
 * (`---js`, `---coffee`), which gray-matter would `eval`, are refused and never run.
 * The block and the body are cut at the same delimiters, so no line is ever lost
 * between them. A block that does not parse is reported with its line and dropped;
 * the body is kept. A block that parses to something other than a map (a list, a
 * sentence between two rules) is not front-matter: the whole file stays text.
 */
export function splitFrontMatter(text: string): FrontMatterSplit {
  const toml = TOML_OPEN.exec(text);
  const open = toml ?? OPEN.exec(text);
  if (!open) {
    // Hexo also reads front-matter written without the opening `---`.
    const bare = /^(?:[A-Za-z_][\w-]*:[^\n]*\n(?:[ \t]*-[^\n]*\n|[ \t]+[^\n]*\n)*){2,}\s*---[ \t]*\n/.exec(text);
    if (bare && /^(?:title|date)\s*:/m.test(bare[0])) {
      const split = splitFrontMatter(`---\n${text}`);
      if (split.data) return { ...split, bodyLine: split.bodyLine - 1, messages: split.messages.map((m) => (m.line ? { ...m, line: m.line - 1 } : m)), lineOf: (key) => { const l = split.lineOf(key); return l === undefined ? l : l - 1; } };
    }
    return { data: null, body: text, bodyLine: 1, messages: [], lineOf: noLine };
  }
  const language = toml ? "toml" : (open[1] ?? "yaml").toLowerCase();
  const closeRe = toml ? /\n\+\+\+[ \t]*(?:\n|$)/g : /\n(?:---|\.\.\.)[ \t]*(?:\n|$)/g;
  closeRe.lastIndex = open[0].length - 1;
  const close = closeRe.exec(text);
  if (!close) {
    return {
      data: null,
      body: text.slice(open[0].length),
      bodyLine: 2,
      messages: [{ level: "warning", line: 1, message: `front-matter opened with \`${toml ? "+++" : "---"}\` is never closed; the whole file is published as text without metadata` }],
      lineOf: noLine,
    };
  }
  const block = text.slice(open[0].length, close.index + 1);
  const blockLines = block.split("\n").slice(0, -1);
  const lastBlockLine = 1 + Math.max(1, blockLines.length);
  const bodyStart = close.index + close[0].length;
  const body = text.slice(bodyStart);
  const bodyLine = text.slice(0, bodyStart).split("\n").length;
  const dropped = (line: number, message: string): FrontMatterSplit => ({ data: null, body, bodyLine, messages: [{ level: "warning", line, message }], lineOf: noLine });

  if (EXECUTABLE.has(language)) return dropped(1, `\`${language}\` front-matter is executable code and is never run; the note is published without its metadata`);
  if (!["yaml", "yml", "json", "toml"].includes(language)) return dropped(1, `front-matter in \`${language}\` is not supported (only YAML, JSON and TOML are read); the note is published without its metadata`);

  let data: unknown;
  try {
    // gray-matter parses the block with data-only engines (its defaults would `eval`
    // js/coffee and turn YAML dates into Dates). It gets the block between delimiters
    // of ours: its own search for the closing `---` also stops at lines like `---x`.
    data = matter(`${GM_DELIMITER}\n${block}${GM_DELIMITER}\n`, { delimiters: GM_DELIMITER, language: language === "json" || language === "toml" ? language : "yaml", engines: SAFE_ENGINES } as Parameters<typeof matter>[1]).data;
  } catch (err) {
    const { reason, line: engineLine } = parseError(err, block, language);
    // The engine saw the block after the newline that follows our opening delimiter.
    const line = engineLine === undefined || language === "json" ? engineLine : engineLine - 1;
    // Errors found at the end of the stream point past the block: show its last line.
    return dropped(Math.min(line === undefined ? 1 : line + 2, lastBlockLine), `front-matter could not be parsed (${reason}); the note is published without its metadata`);
  }
  if (data === null || data === undefined) data = {};
  // Escapes (`"\x1b[31m"`, `"\u0007"`) can put control characters back into values.
  const controls = { count: 0 };
  data = cleanStrings(data, controls);
  const cleaned: BuildMessage[] = controls.count
    ? [{ level: "warning", line: 2 + Math.max(0, blockLines.findIndex((l) => /\\[xuU0abefv]/.test(l))), message: `front-matter values hold ${controls.count} control character${controls.count === 1 ? "" : "s"} (written as escapes); ${controls.count === 1 ? "it was" : "they were"} removed` }]
    : [];
  if (typeof data !== "object" || Array.isArray(data)) {
    const what = Array.isArray(data) ? "a list" : `${typeof data === "string" ? "a line of text" : `the value ${String(data)}`}`;
    return {
      data: null,
      body: text,
      bodyLine: 1,
      messages: [{ level: "warning", line: 1, message: `the \`---\` block at the top is not front-matter (it holds ${what}, not \`key: value\` pairs); it was kept as text` }],
      lineOf: noLine,
    };
  }
  return { data: data as Record<string, unknown>, body, bodyLine, messages: cleaned, lineOf: (key) => keyLine(blockLines, key) };
}

/** A copy of parsed data with control characters removed from every string (keys too). */
function cleanStrings(value: unknown, controls: { count: number }, depth = 0): unknown {
  if (typeof value === "string") {
    const c = stripControls(value);
    controls.count += c.count;
    return c.text;
  }
  // YAML aliases can make a small block a very wide tree: deep levels are left alone.
  if (value === null || typeof value !== "object" || value instanceof Date || depth > 3) return value;
  if (Array.isArray(value)) return value.map((v) => cleanStrings(v, controls, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    Object.defineProperty(out, cleanStrings(k, controls) as string, { value: cleanStrings(v, controls, depth + 1), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** A parser's complaint in one line, and the 0-based line of the block it points at. */
function parseError(err: unknown, block: string, language: string): { reason: string; line: number | undefined } {
  const e = err as { mark?: { line?: number }; reason?: string; message?: string; line?: number };
  if (language === "toml") return { reason: `invalid TOML: ${(e.message ?? String(err)).split("\n")[0]}`, line: typeof e.line === "number" ? e.line : undefined };
  if (language !== "json") return { reason: (e.reason ?? e.message ?? String(err)).split("\n")[0]!, line: e.mark?.line };
  const message = String(e.message ?? err);
  const reason = `invalid JSON: ${/^[^,"]+/.exec(message)?.[0]?.trim() ?? message.split("\n")[0]}`;
  const position = /position (\d+)/.exec(message);
  if (position) return { reason, line: block.slice(0, Number(position[1])).split("\n").length - 1 };
  try {
    yaml.load(block, { schema: yaml.CORE_SCHEMA, json: true });
  } catch (y) {
    return { reason, line: (y as { mark?: { line?: number } }).mark?.line };
  }
  return { reason, line: undefined };
}

/** Line in the file of top-level `key:` (YAML) or the first `"key":` (JSON); the block starts on line 2. */
function keyLine(blockLines: string[], key: string): number | undefined {
  const esc = key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const yamlKey = new RegExp(`^(["']?)${esc}\\1[ \\t]*:`);
  const jsonKey = new RegExp(`"${esc}"\\s*:`);
  let i = blockLines.findIndex((l) => yamlKey.test(l));
  if (i < 0) i = blockLines.findIndex((l) => jsonKey.test(l));
  return i < 0 ? undefined : i + 2;
}

const KEYS = {
  title: ["title", "标题", "name"],
  date: ["date", "发布日期", "published", "pubDate", "created", "日期"],
  url: ["source", "url", "link", "source_url", "sourceUrl", "youtube_url", "youtube", "video_url", "video", "original_url", "originalUrl", "origin", "canonical_url", "canonicalURL", "canonical", "podcast_url", "episode_url", "bilibili", "bilibili_url", "链接", "原文链接", "原文", "来源", "视频链接", "原始链接"],
  authors: ["author", "authors", "作者"],
  speakers: ["speaker", "speakers", "guest", "guests", "嘉宾", "主讲"],
  people: ["people", "persons", "person", "人物", "source_guest", "source_guests", "interviewee", "interviewees", "host", "hosts", "主持人"],
  companies: ["companies_orgs", "companies", "organizations", "orgs", "公司", "机构"],
  products: ["products_models", "products", "models", "产品"],
  tags: ["tags", "tag", "keywords", "标签", "关键词"],
  categories: ["categories", "category", "分类"],
  aliases: ["aliases", "alias", "别名"],
  updated: ["updated", "lastmod", "last_modified", "lastModified", "modified", "updated_at", "updatedAt", "更新", "更新日期", "更新时间"],
  summary: ["summary", "description", "excerpt", "abstract", "摘要", "简介"],
  status: ["status", "状态"],
  duration: ["duration", "时长", "覆盖时长"],
} as const satisfies Record<keyof Metadata, readonly string[]>;

/**
 * A note whose `type` says it is about one person, company or product (a vault's guest
 * page: `type: guest`, `name: Ada Chen Rekhi`) declares that entity, by its `name` or title.
 */
const SUBJECT_TYPES: Record<string, "people" | "companies" | "products"> = {
  person: "people", people: "people", guest: "people", host: "people", speaker: "people", author: "people", interviewee: "people", 人物: "people", 嘉宾: "people",
  company: "companies", organization: "companies", organisation: "companies", org: "companies", startup: "companies", 公司: "companies", 机构: "companies",
  product: "products", tool: "products", model: "products", 产品: "products",
};

/** The longest duration `parseClock` can read (999:59:59), in seconds; longer is a mistake. */
const MAX_DURATION = 999 * 3600 + 59 * 60 + 59;

/** Keys a source tool writes to steer a site generator: never obeyed here. */
const STEERING_KEYS = ["layout", "permalink", "eleventyComputed", "eleventyExcludeFromCollections", "pagination", "eleventyNavigation", "draft", "dg-publish", "templateEngineOverride"];

function pick(data: Record<string, unknown>, keys: readonly string[]): { key: string; value: unknown } | null {
  for (const key of keys) {
    if (!Object.hasOwn(data, key)) continue;
    const value = data[key];
    if (value === null || value === undefined || (typeof value === "string" && !value.trim())) continue;
    return { key, value };
  }
  return null;
}

/**
 * A front-matter value as text. Obsidian writes links as values (`author: "[[Y Combinator]]"`,
 * `[[People/Sam|Sam]]`): the link's label, or the target's name, is the value.
 */
function toText(value: unknown): string | null {
  if (typeof value === "string") return unwrapWikilink(value.trim()) || null;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString().slice(0, 10);
  return null;
}

/** `[[Folder/Name#Part|Label]]` → `Label`, `[[Folder/Name]]` → `Name`; other text as it is. */
export function unwrapWikilink(value: string): string {
  const m = /^!?\[\[([^\[\]|#]*)(?:#[^\[\]|]*)?(?:\|([^\[\]]*))?\]\]$/.exec(value);
  if (!m) return value;
  return (m[2]?.trim() || m[1]!.split("/").pop()!.replace(/\.md$/i, "")).trim();
}

/** An http(s) URL inside a value: the value itself, a markdown link's target, or the first of a list. */
function urlIn(value: unknown): string | null {
  if (Array.isArray(value)) {
    for (const v of value) { const u = urlIn(v); if (u) return u; }
    return null;
  }
  if (typeof value !== "string") return null;
  const v = value.trim().replace(/^<(.*)>$/, "$1");
  const md = /^\[[^\]]*\]\((\S+?)\)$/.exec(v);
  const candidate = md ? md[1]! : v;
  return HttpUrl.safeParse(candidate).success ? candidate : null;
}

type Report = (message: string, key: string) => void;

/**
 * A list field as names. A scalar string is split at commas (`tags: a, b`). Numbers and
 * booleans are names only where `scalars` says so (tags: `2025`); a `companies: 42` is a
 * mistake, and a name of two digits would link every "42" in every note to it.
 */
function toList(key: string, value: unknown, warn: Report, scalars: boolean): string[] {
  const isName = (v: unknown) => typeof v === "string" || (scalars && (typeof v === "number" || typeof v === "boolean"));
  if (Array.isArray(value)) {
    const out: string[] = [];
    const bad: unknown[] = [];
    for (const item of value) {
      const t = isName(item) ? toText(item) : null;
      if (t) out.push(t);
      else if (item !== null && item !== undefined && item !== "") bad.push(item);
    }
    const what = scalars ? "text" : "a name";
    if (bad.length === 1) warn(`\`${key}\` has an item that is not ${what} (got ${describe(bad[0])}); it was left out`, key);
    else if (bad.length > 1) warn(`\`${key}\` has ${bad.length} items that are not ${what} (got ${[...new Set(bad.map(describe))].slice(0, 3).join(", ")}); they were left out`, key);
    return out;
  }
  const t = isName(value) ? toText(value) : null;
  if (t !== null) {
    if (typeof value !== "string") warn(`\`${key}\` should be a list (got ${describe(value)}); it was read as one item`, key);
    return splitList(t);
  }
  warn(`\`${key}\` should be a list of names (got ${describe(value)}); it was ignored`, key);
  return [];
}

/** What a value is, for messages: `"2026-13-45"`, `42`, `a list`, `a map`. */
function describe(value: unknown): string {
  if (Array.isArray(value)) return "a list";
  if (value instanceof Date) return "a date";
  if (value === null) return "null";
  if (typeof value === "object") return "a map";
  if (typeof value === "string") return JSON.stringify(truncate(value.replace(/\s+/g, " "), 40));
  return String(value);
}

/**
 * Coerce parsed front-matter into `Metadata`, reporting every field it had to fix or
 * drop, with the field's line when `lineOf` can find it.
 */
export function readMetadata(data: Record<string, unknown>, messages: BuildMessage[], lineOf: (key: string) => number | undefined = () => undefined): Metadata {
  const meta = emptyMetadata();
  const found: BuildMessage[] = [];
  const warn: Report = (message, key) => {
    const line = lineOf(key);
    found.push(line === undefined ? { level: "warning", message } : { level: "warning", line, message });
  };
  const title = pick(data, KEYS.title);
  if (title) {
    const t = toText(title.value);
    if (t === null) warn(`\`${title.key}\` should be text (got ${describe(title.value)}); a title was derived from the text instead`, title.key);
    else {
      if (typeof title.value !== "string") warn(`\`${title.key}\` should be text (got ${describe(title.value)}); it was used as text`, title.key);
      meta.title = t;
    }
  }
  const date = pick(data, KEYS.date);
  if (date) {
    meta.date = normalizeDate(date.value instanceof Date ? date.value : toText(date.value));
    if (meta.date === null) warn(`\`${date.key}\` is not a date (got ${describe(date.value)}); the note is published undated`, date.key);
  }
  // The source link is the first valid URL among the keys that carry one, so `source: youtube`
  // never hides a good `youtube_url`; a key that looks like a link but is not one is reported.
  let badUrl: { key: string; value: unknown } | null = null;
  for (const key of KEYS.url) {
    if (!Object.hasOwn(data, key) || data[key] === null || data[key] === "") continue;
    const u = urlIn(data[key]);
    if (u) { meta.url = u; break; }
    badUrl ??= { key, value: data[key] };
  }
  if (!meta.url && badUrl) {
    const looksLikeLink = typeof badUrl.value === "string" && /^[a-z][a-z0-9+.-]*:|^www\.|^[\w-]+\.[a-z]{2,}\//i.test(badUrl.value.trim());
    if (looksLikeLink || /url|link|链接/i.test(badUrl.key)) warn(`\`${badUrl.key}\` is not an http(s) URL (got ${describe(badUrl.value)}); no source link is shown`, badUrl.key);
  }
  for (const field of ["authors", "speakers", "people", "companies", "products", "tags", "categories", "aliases"] as const) {
    const list = pick(data, KEYS[field]);
    if (list) meta[field] = dedupe(toList(list.key, list.value, warn, field === "tags" || field === "categories" || field === "aliases"));
  }
  const subject = typeof data.type === "string" ? SUBJECT_TYPES[data.type.trim().toLowerCase()] : undefined;
  const subjectName = subject ? toText(data.name) ?? meta.title : null;
  // A page about two guests (`name: "Aishwarya Naresh Reganti + Kiriti Badam"`) is about each;
  // a guest's page for a second appearance (`April Dunford 2.0`, `… (2)`) is about the same person.
  const subjects = subjectName ? (subject === "people" ? subjectName.split(/\s+[+&]\s+|[,，、;；]\s*/).map((n) => n.replace(/\s+(?:\d+(?:\.\d+)*|[(（]\d+[)）])$/, "")) : [subjectName]).map((n) => n.trim()).filter(Boolean) : [];
  if (subject) meta[subject] = dedupe([...subjects, ...meta[subject]]);
  const updated = pick(data, KEYS.updated);
  if (updated) {
    meta.updated = normalizeDate(updated.value instanceof Date ? updated.value : toText(updated.value));
    if (meta.updated === null) warn(`\`${updated.key}\` is not a date (got ${describe(updated.value)}); it was ignored`, updated.key);
  }
  const summary = pick(data, KEYS.summary);
  if (summary) {
    meta.summary = toText(summary.value);
    if (meta.summary === null) warn(`\`${summary.key}\` should be text (got ${describe(summary.value)}); it was ignored`, summary.key);
  }
  const status = pick(data, KEYS.status);
  if (status) {
    meta.status = Array.isArray(status.value) ? status.value.map(toText).filter(Boolean).join("、") || null : toText(status.value);
    if (meta.status === null) warn(`\`${status.key}\` should be text (got ${describe(status.value)}); it was ignored`, status.key);
  }
  const duration = pick(data, KEYS.duration);
  if (duration) {
    const v = duration.value;
    meta.duration = typeof v === "number" ? (v >= 0 && v <= MAX_DURATION ? Math.round(v) : null) : typeof v === "string" ? parseClock(v) : null;
    if (meta.duration === null) warn(`\`${duration.key}\` is not a duration (got ${describe(duration.value)}; expected seconds or \`1:02:03\`); it was ignored`, duration.key);
  }
  found.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  messages.push(...found);
  const ignored = STEERING_KEYS.filter((k) => Object.hasOwn(data, k));
  if (ignored.length) messages.push({ level: "info", message: `${ignored.map((k) => `\`${k}\``).join(", ")} ignored: sources never choose a template, an output path or their own visibility` });
  return meta;
}

export function dedupe(names: string[]): string[] {
  const seen = new Set<string>();
  return names.filter((n) => {
    const k = n.toLowerCase();
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
