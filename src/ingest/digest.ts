/**
 * The EPUB daily-digest shape: a preamble, then numbered articles
 * (`1. 标题`) each with a header of `键：值` fields (作者, 主题, 质量分 ★★★★☆,
 * `… 的阅读理由`), dead link labels (`Notion 网页入口 | …`), and an outline
 * (`一、` parts, `1.1` sub-parts, tab-indented bullets). One note per article.
 */
import type { BuildMessage, Section } from "../note.ts";
import { limitParagraphs } from "./paragraphs.ts";
import { normalizeDate, SlugRegistry, slugify } from "../text.ts";

const ARTICLE_HEAD = /^\s*(\d{1,3})[.．、]\s*(\S.{0,150})$/;
const FIELD = /^\s*([^：:\n]{1,20}?)\s*[：:]\s*(.*)$/;
const HEADER_KEYS = /^(作者|主题|质量分|评分|注意力番茄|.*阅读理由|推荐理由|概念网络|来源|链接|原文)$/;
/** Link labels whose links the export lost, e.g. `Notion 网页入口 | Notion App 入口 | 原文入口`. */
const DEAD_LINKS = /^\s*(?:[^|｜]{1,24}入口\s*[|｜]?\s*)+$/;
/** Parts that belong to the digest's wrapper, not to any article. */
const FOOTER = /^\s*(阅读闭环|使用说明|阅读路线|今日份完成|下期预告)\s*$/;
const OUTLINE_START = /^\s*(三级笔记|笔记|大纲|正文)\s*$/;
const PART = /^\s*([一二三四五六七八九十百]+)[、．.]\s*(.+)$/;
const SUBPART = /^\s*(\d+\.\d+(?:\.\d+)?)\s+(.+)$/;
const COLOR_ATTR = /\s*\{color\s*=\s*["“”']?[\w-]*["“”']?\s*\}\s*$/;
const PLACEHOLDER = /^(未标注|未知|暂无|无|不详|佚名|待补充|n\/?a|none|unknown|-+|—+)$/i;

export interface DigestArticle {
  entry: number;
  title: string;
  line: number;
  authors: string[];
  topic: string | null;
  quality: number | null;
  reason: string | null;
  summary: string;
  sections: Section[];
  date: string | null;
}

function articleHeads(lines: string[]): number[] {
  const heads: number[] = [];
  lines.forEach((line, i) => {
    if (!ARTICLE_HEAD.test(line) || line.startsWith("\t")) return;
    let fields = 0;
    for (let j = i + 1, seen = 0; j < lines.length && seen < 12; j++) {
      if (!lines[j]!.trim()) continue;
      seen++;
      const f = FIELD.exec(lines[j]!);
      if (f && /^(作者|质量分|主题|评分)$/.test(f[1]!.trim())) fields++;
      if (ARTICLE_HEAD.test(lines[j]!)) break;
    }
    if (fields >= 2) heads.push(i);
  });
  return heads;
}

export function isDigest(text: string): boolean {
  return articleHeads(text.split("\n")).length > 0;
}

export function stars(value: string): number | null {
  const full = (value.match(/[★⭐]/g) ?? []).length;
  if (full + (value.match(/[☆]/g) ?? []).length > 0) return Math.min(full, 5);
  const n = /(\d(?:\.\d)?)\s*(?:\/\s*5|分)?/.exec(value);
  return n ? Math.min(5, Math.round(Number(n[1]))) : null;
}

/** Outline lines → markdown blocks; parts (`一、`) become sections. */
function outlineToSections(lines: string[], ids: SlugRegistry): Section[] {
  const sections: Section[] = [];
  let current: Section = { id: "", heading: "", time: null, blocks: [] };
  let out: string[] = [];
  let prevBullet = false;
  const flush = () => {
    const text = out.join("\n").replace(/\n{3,}/g, "\n\n").trim();
    if (text) current.blocks.push({ type: "prose", text: limitParagraphs(text), time: null });
    out = [];
    prevBullet = false;
    if (current.heading || current.blocks.length) sections.push(current);
  };
  const nextNonEmpty = (i: number) => {
    for (let j = i + 1; j < lines.length; j++) if (lines[j]!.trim()) return lines[j]!;
    return "";
  };
  lines.forEach((raw, i) => {
    const colored = COLOR_ATTR.test(raw);
    const line = raw.replace(COLOR_ATTR, "");
    if (!line.trim()) return;
    const emphasise = (s: string) => (colored ? `**${s.trim()}**` : s.trim());
    const part = PART.exec(line);
    if (part && !line.startsWith("\t")) {
      flush();
      const heading = part[2]!.trim();
      current = { id: ids.claim(slugify(heading, 40)), heading: `${part[1]}、${heading}`, time: null, blocks: [] };
      return;
    }
    const sub = SUBPART.exec(line);
    if (sub && !line.startsWith("\t")) {
      out.push("", `### ${sub[1]} ${sub[2]!.trim()}`, "");
      prevBullet = false;
      return;
    }
    const bullet = /^(\t+)(.*)$/.exec(line);
    if (bullet) {
      const depth = bullet[1]!.length - 1;
      if (!prevBullet) out.push("");
      out.push(`${"  ".repeat(depth)}- ${emphasise(bullet[2]!)}`);
      prevBullet = true;
      return;
    }
    const text = line.trim();
    const isShortHeading = Array.from(text).length <= 16 && !/[。，；：:！？.,!?」”》）)]$/.test(text) && /^\t/.test(nextNonEmpty(i));
    out.push("", isShortHeading ? `### ${text}` : emphasise(text), "");
    prevBullet = false;
  });
  flush();
  for (const s of sections) if (!s.id) s.id = ids.claim("intro");
  return sections;
}

/** Split a digest into its articles; `messages` receives what was dropped or guessed. */
export function parseDigest(text: string, bodyLine: number, messages: BuildMessage[]): DigestArticle[] {
  const lines = text.split("\n");
  const heads = articleHeads(lines);
  const preamble = lines.slice(0, heads[0] ?? 0).join("\n");
  const dateMatch = /(\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?)/.exec(preamble);
  const date = dateMatch ? normalizeDate(dateMatch[1]!) : null;
  const articles: DigestArticle[] = [];
  heads.forEach((start, k) => {
    const end = heads[k + 1] ?? lines.length;
    const head = ARTICLE_HEAD.exec(lines[start]!)!;
    const entry = Number(head[1]);
    const line = bodyLine + start;
    let authors: string[] = [];
    let placeholderAuthor = false;
    let topic: string | null = null, quality: number | null = null, reason: string | null = null;
    let i = start + 1;
    for (; i < end; i++) {
      const l = lines[i]!;
      if (!l.trim() || DEAD_LINKS.test(l)) continue;
      if (OUTLINE_START.test(l)) { i++; break; }
      const f = FIELD.exec(l);
      if (!f || !HEADER_KEYS.test(f[1]!.trim())) break;
      const key = f[1]!.trim(), value = f[2]!.trim();
      if (key === "作者") {
        if (PLACEHOLDER.test(value)) placeholderAuthor = true;
        else authors = [value];
      } else if (key === "主题") topic = value || null;
      else if (key === "质量分" || key === "评分") quality = stars(value);
      else if (/阅读理由|推荐理由/.test(key)) reason = value || null;
    }
    let body = lines.slice(i, end);
    const footer = body.findIndex((l) => FOOTER.test(l));
    if (footer >= 0) {
      messages.push({ level: "info", line: bodyLine + i + footer, message: `digest footer \`${body[footer]!.trim()}\` dropped (boilerplate of the export, not part of article ${entry})` });
      body = body.slice(0, footer);
    }
    body = body.filter((l) => !DEAD_LINKS.test(l) && !/^\s*概念网络[：:]/.test(l) && !OUTLINE_START.test(l));
    if (!authors.length) {
      // The header may say 未标注 while the article's own byline names the author.
      const byline = body.map((l) => FIELD.exec(l)).find((f) => f && f[1]!.trim() === "作者" && !PLACEHOLDER.test(f[2]!.trim()));
      if (byline) authors = [byline[2]!.replace(/[（(][^）)]*[）)]\s*$/, "").trim()];
      else if (placeholderAuthor) messages.push({ level: "info", line, message: `article ${entry} has no author (\`作者：未标注\`)` });
    }
    const sections = outlineToSections(body, new SlugRegistry());
    const firstText = sections.flatMap((s) => s.blocks).map((b) => b.text).find((t) => !t.startsWith("#")) ?? "";
    articles.push({
      entry,
      title: head[2]!.trim(),
      line,
      authors,
      topic,
      quality,
      reason,
      summary: firstText.split("\n").slice(0, 3).join("\n"),
      sections,
      date,
    });
  });
  return articles;
}
