/**
 * The Obsidian Digital Garden shape: (JSON) front-matter, then `## 封面` with
 * `- 键：值` bullets, `## 摘要` as the summary and `## 全文` as the body with timed
 * `###` sections and `Name：text` speaker turns. Any other `##` part becomes a section.
 */
import type { BuildMessage, Section } from "../note.ts";
import { HttpUrl } from "../note.ts";
import { normalizeDate, parseClock, SlugRegistry, splitList } from "../text.ts";
import { parseBody } from "./body.ts";
import type { Metadata } from "./metadata.ts";

const COVER = /^(封面|元数据|信息|基本信息|metadata)$/i;
const SUMMARY = /^(摘要|概要|总结|summary)$/i;
const FULLTEXT = /^(全文|正文|全文转写|逐字稿|transcript)$/i;

/** A body is garden-shaped when it has a cover part, or both a summary and a full-text part. */
export function isGardenBody(body: string): boolean {
  const parts = [...body.matchAll(/^##\s+(.+?)\s*$/gm)].map((m) => m[1]!);
  return parts.some((p) => COVER.test(p)) || (parts.some((p) => SUMMARY.test(p)) && parts.some((p) => FULLTEXT.test(p)));
}

interface Part { name: string; text: string; line: number }

function splitParts(body: string, bodyLine: number): { preface: string; parts: Part[] } {
  const lines = body.split("\n");
  const parts: Part[] = [];
  const preface: string[] = [];
  let current: Part | null = null;
  lines.forEach((line, i) => {
    const m = /^##\s+(.+?)\s*$/.exec(line);
    if (m) {
      current = { name: m[1]!, text: "", line: bodyLine + i };
      parts.push(current);
    } else if (current) current.text += line + "\n";
    else preface.push(line);
  });
  return { preface: preface.join("\n"), parts };
}

const COVER_KEYS: Array<[RegExp, (meta: Metadata, value: string, line: number, messages: BuildMessage[]) => void]> = [
  [/^(标题|title)$/i, (m, v) => { m.title ??= v; }],
  [/^(链接|原文链接|来源|url|link)$/i, (m, v, line, messages) => {
    if (HttpUrl.safeParse(v).success) m.url ??= v;
    else messages.push({ level: "warning", line, message: `cover \`链接\` is not an http(s) URL (got ${JSON.stringify(v.slice(0, 60))}); no source link is shown` });
  }],
  [/^(发布日期|日期|发布时间|date)$/i, (m, v, line, messages) => {
    const d = normalizeDate(v);
    if (d) m.date ??= d;
    else messages.push({ level: "warning", line, message: `cover \`发布日期\` is not a date (got ${JSON.stringify(v.slice(0, 40))}); the note is published undated` });
  }],
  [/^(覆盖时长|时长|duration)$/i, (m, v) => { m.duration ??= parseClock(v); }],
  [/^(作者|频道|主播|author|channel)$/i, (m, v) => { if (!m.authors.length) m.authors = splitList(v); }],
  [/^(标签|tags)$/i, (m, v) => { if (!m.tags.length) m.tags = splitList(v); }],
];

export interface GardenResult { summary: string | null; sections: Section[] }

/**
 * Fill `meta` from the cover (front-matter wins where both speak) and return the
 * summary and sections. `识别说话人` lists speech-recognition placeholders
 * (`@, A, B, C, D`), so speakers come from the turns of `## 全文` instead.
 */
export function parseGarden(body: string, bodyLine: number, meta: Metadata, messages: BuildMessage[]): GardenResult {
  const { preface, parts } = splitParts(body, bodyLine);
  const ids = new SlugRegistry();
  const sections: Section[] = [];
  let summary: string | null = null;
  if (preface.trim()) sections.push(...parseBody(preface, ids));
  for (const part of parts) {
    if (COVER.test(part.name)) {
      part.text.split("\n").forEach((line, i) => {
        const m = /^\s*[-*+]\s*([^：:]{1,20}?)\s*[：:]\s*(.*?)\s*$/.exec(line);
        if (!m || !m[2]) return;
        const handler = COVER_KEYS.find(([re]) => re.test(m[1]!));
        handler?.[1](meta, m[2], part.line + 1 + i, messages);
      });
    } else if (SUMMARY.test(part.name) && summary === null) {
      summary = part.text.trim();
    } else if (FULLTEXT.test(part.name)) {
      sections.push(...parseBody(part.text, ids));
    } else {
      sections.push(...parseBody(`### ${part.name}\n${part.text}`, ids));
    }
  }
  return { summary, sections };
}
