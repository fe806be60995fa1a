/**
 * Front-matter → typed metadata. Normalise once, at the boundary (Quartz's
 * `transformers/frontmatter.ts` is the model): aliases coalesced, scalars coerced to
 * lists, wrong types reported with the field name and dropped, never trusted.
 */
import matter from "gray-matter";
import type { BuildMessage } from "../note.ts";
import { HttpUrl } from "../note.ts";
import { normalizeDate, parseClock, splitList } from "../text.ts";

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
  summary: string | null;
  status: string | null;
  duration: number | null;
}

export function emptyMetadata(): Metadata {
  return { title: null, date: null, url: null, authors: [], speakers: [], people: [], companies: [], products: [], tags: [], summary: null, status: null, duration: null };
}

export interface FrontMatterSplit {
  /** Parsed data, or null when there is no front-matter or it could not be parsed. */
  data: Record<string, unknown> | null;
  body: string;
  /** 1-based line in the file where `body` starts. */
  bodyLine: number;
  messages: BuildMessage[];
}

const OPEN = /^---[ \t]*([A-Za-z]*)[ \t]*\n/;

const refuseEngine = (name: string) => () => {
  throw new Error(`\`${name}\` front-matter is executable code and is never run`);
};

/**
 * Split and parse front-matter with gray-matter. Its `js`/`javascript` engines
 * would `eval` the block, so they are replaced by ones that refuse. A block that
 * does not parse is reported with its line and dropped; the body is kept.
 */
export function splitFrontMatter(text: string): FrontMatterSplit {
  const open = OPEN.exec(text);
  if (!open) return { data: null, body: text, bodyLine: 1, messages: [] };
  const closeRe = /\n(?:---|\.\.\.)[ \t]*(?:\n|$)/g;
  closeRe.lastIndex = open[0].length - 1;
  const close = closeRe.exec(text);
  if (!close) {
    return {
      data: null,
      body: text.slice(open[0].length),
      bodyLine: 2,
      messages: [{ level: "warning", line: 1, message: "front-matter opened with `---` is never closed; the whole file is published as text without metadata" }],
    };
  }
  const bodyStart = close.index + close[0].length;
  const body = text.slice(bodyStart);
  const bodyLine = text.slice(0, bodyStart).split("\n").length;
  try {
    // Passing options also turns off gray-matter's cache keyed on the raw string.
    const parsed = matter(text, {
      engines: { js: refuseEngine("js"), javascript: refuseEngine("javascript"), coffee: refuseEngine("coffee") },
    } as Parameters<typeof matter>[1]);
    const data = parsed.data;
    if (data === null || typeof data !== "object" || Array.isArray(data)) {
      return { data: null, body, bodyLine, messages: [{ level: "warning", line: 1, message: "front-matter is not a key/value map; it was ignored" }] };
    }
    return { data: data as Record<string, unknown>, body, bodyLine, messages: [] };
  } catch (err) {
    const e = err as { mark?: { line?: number }; reason?: string; message?: string };
    const line = typeof e.mark?.line === "number" ? e.mark.line + 2 : 1;
    const reason = (e.reason ?? e.message ?? String(err)).split("\n")[0];
    return {
      data: null,
      body,
      bodyLine,
      messages: [{ level: "warning", line, message: `front-matter could not be parsed (${reason}); the note is published without its metadata` }],
    };
  }
}

const KEYS = {
  title: ["title", "标题", "name"],
  date: ["date", "发布日期", "published", "pubDate", "created", "日期"],
  url: ["source", "url", "link", "链接", "原文链接", "source_url"],
  authors: ["author", "authors", "作者"],
  speakers: ["speaker", "speakers", "guest", "guests", "嘉宾", "主讲"],
  people: ["people", "persons", "人物"],
  companies: ["companies_orgs", "companies", "organizations", "orgs", "公司", "机构"],
  products: ["products_models", "products", "models", "产品"],
  tags: ["tags", "tag", "keywords", "标签", "关键词"],
  summary: ["summary", "description", "摘要"],
  status: ["status", "状态"],
  duration: ["duration", "时长", "覆盖时长"],
} as const satisfies Record<keyof Metadata, readonly string[]>;

/** Keys a source tool writes to steer a site generator: never obeyed here. */
const STEERING_KEYS = ["layout", "permalink", "eleventyComputed", "eleventyExcludeFromCollections", "pagination", "eleventyNavigation", "draft", "dg-publish", "templateEngineOverride"];

function pick(data: Record<string, unknown>, keys: readonly string[]): { key: string; value: unknown } | null {
  for (const key of keys) if (key in data && data[key] !== null && data[key] !== undefined && data[key] !== "") return { key, value: data[key] };
  return null;
}

function toText(value: unknown): string | null {
  if (typeof value === "string") return value.trim() || null;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString().slice(0, 10);
  return null;
}

function toList(key: string, value: unknown, messages: BuildMessage[]): string[] {
  if (Array.isArray(value)) {
    const out: string[] = [];
    for (const item of value) {
      const t = toText(item);
      if (t) out.push(t);
      else if (item !== null && item !== undefined && item !== "") messages.push({ level: "warning", message: `\`${key}\` has an item that is not text (got ${describe(item)}); it was left out` });
    }
    return out;
  }
  const t = toText(value);
  if (t !== null) {
    if (typeof value !== "string") messages.push({ level: "warning", message: `\`${key}\` should be a list (got ${describe(value)}); it was read as one item` });
    return splitList(t);
  }
  messages.push({ level: "warning", message: `\`${key}\` should be a list of names (got ${describe(value)}); it was ignored` });
  return [];
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return "a list";
  if (value instanceof Date) return "a date";
  if (value === null) return "null";
  if (typeof value === "object") return "a map";
  return `${typeof value} ${JSON.stringify(value).slice(0, 40)}`;
}

/** Coerce parsed front-matter into `Metadata`, reporting every field it had to fix or drop. */
export function readMetadata(data: Record<string, unknown>, messages: BuildMessage[]): Metadata {
  const meta = emptyMetadata();
  const title = pick(data, KEYS.title);
  if (title) {
    const t = toText(title.value);
    if (t === null) messages.push({ level: "warning", message: `\`${title.key}\` should be text (got ${describe(title.value)}); a title was derived from the text instead` });
    else {
      if (typeof title.value !== "string") messages.push({ level: "warning", message: `\`${title.key}\` should be text (got ${describe(title.value)}); it was used as text` });
      meta.title = t;
    }
  }
  const date = pick(data, KEYS.date);
  if (date) {
    meta.date = normalizeDate(date.value instanceof Date ? date.value : toText(date.value));
    if (meta.date === null) messages.push({ level: "warning", message: `\`${date.key}\` is not a date (got ${describe(date.value)}); the note is published undated` });
  }
  const url = pick(data, KEYS.url);
  if (url) {
    const u = toText(url.value);
    if (u && HttpUrl.safeParse(u).success) meta.url = u;
    else messages.push({ level: "warning", message: `\`${url.key}\` is not an http(s) URL (got ${describe(url.value)}); no source link is shown` });
  }
  for (const field of ["authors", "speakers", "people", "companies", "products", "tags"] as const) {
    const found = pick(data, KEYS[field]);
    if (found) meta[field] = dedupe(toList(found.key, found.value, messages));
  }
  const summary = pick(data, KEYS.summary);
  if (summary) {
    meta.summary = toText(summary.value);
    if (meta.summary === null) messages.push({ level: "warning", message: `\`${summary.key}\` should be text (got ${describe(summary.value)}); it was ignored` });
  }
  const status = pick(data, KEYS.status);
  if (status) meta.status = toText(status.value);
  const duration = pick(data, KEYS.duration);
  if (duration) meta.duration = typeof duration.value === "number" && duration.value >= 0 ? Math.round(duration.value) : parseClock(String(duration.value));
  const ignored = STEERING_KEYS.filter((k) => k in data);
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
