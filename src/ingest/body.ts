/**
 * Markdown body → sections and speaker turns. Shared by every shape that has a
 * markdown body (front-matter notes, the Digital Garden `## 全文`, plain notes).
 *
 * Rules, in order:
 * - Sections split at the shallowest heading level present; deeper headings stay
 *   inside the section's prose. Text before the first heading is an untitled section.
 * - A heading ending in `（00:05:26 - 00:07:49）` (or `(05:26)`) carries a time range.
 * - `**Name**: text` / `**Name：**text` always starts a turn. A plain `Name：text`
 *   starts a turn only in a dialogue-shaped body (at least two names that each
 *   start two such lines), so that `注意：…` in an essay stays prose. Labels such
 *   as `重点：` are never speakers.
 * - Lines after a turn belong to it (004 continues a speaker over paragraphs) until
 *   the next turn, a label line, a heading or a horizontal rule.
 */
import type { Block, Section, TimeRange } from "../note.ts";
import { parseClock, SlugRegistry, slugify } from "../text.ts";

/** Words that introduce an editor's note, never a speaker. */
const LABELS = new Set([
  "重点", "要点", "注", "注意", "备注", "提示", "说明", "总结", "小结", "结论", "结语", "核心", "关键",
  "摘要", "标题", "链接", "来源", "时间", "日期", "作者", "主题", "例如", "比如", "举例", "背景", "问题",
  "观点", "金句", "引用", "补充", "更新", "编者按", "按", "评论", "tips", "note", "summary", "source",
  "warning", "update", "todo", "ps",
]);

const CLOCK = String.raw`\d{1,3}:[0-5]\d(?::[0-5]\d)?`;
const HEADING_TIME = new RegExp(String.raw`\s*[（(【\[]\s*(${CLOCK})\s*(?:[-–—~～至到]\s*(${CLOCK})\s*)?[）)】\]]\s*$`);
const TURN_TIME = new RegExp(String.raw`^[\[（(【]?(${CLOCK})[\]）)】]?\s+`);
const BOLD_TURN = /^\*\*([^*\n]{1,40}?)\s*(?:[（(]([^）)\n]{1,24})[）)])?\s*\*\*\s*[:：]\s*(.*)$|^\*\*([^*\n]{1,40}?)\s*(?:[（(]([^）)\n]{1,24})[）)])?\s*[:：]\s*\*\*\s*(.*)$/u;
const PLAIN_TURN = /^([\p{Script=Han}·]{2,8}|@?[A-Za-z][A-Za-z.'’ -]{0,38}[A-Za-z.]|[A-Z])\s*(?:[（(]([^）)\n]{1,24})[）)])?\s*[：:]\s*(\S.*)$/u;
const RULE = /^\s*(?:[-*_]\s*){3,}$|^\s*[—─]{2,}\s*$/;

export interface ParsedHeading {
  text: string;
  time: TimeRange | null;
}

/** Split a trailing time range off a heading. */
export function parseHeading(raw: string): ParsedHeading {
  const m = HEADING_TIME.exec(raw);
  if (!m) return { text: raw.trim(), time: null };
  const start = parseClock(m[1]!);
  const end = m[2] ? parseClock(m[2]) : null;
  if (start === null) return { text: raw.trim(), time: null };
  return { text: raw.slice(0, m.index).trim(), time: { start, end } };
}

interface TurnMatch { speaker: string; role: string | null; time: number | null; text: string; explicit: boolean }

function isLabel(name: string): boolean {
  return LABELS.has(name.trim().toLowerCase());
}

function matchTurn(line: string): TurnMatch | null {
  let rest = line.trim();
  let time: number | null = null;
  const t = TURN_TIME.exec(rest);
  if (t) {
    time = parseClock(t[1]!);
    rest = rest.slice(t[0].length);
  }
  const b = BOLD_TURN.exec(rest);
  if (b) {
    const speaker = (b[1] ?? b[4] ?? "").trim();
    if (speaker && !isLabel(speaker)) return { speaker, role: (b[2] ?? b[5])?.trim() || null, time, text: (b[3] ?? b[6] ?? "").trim(), explicit: true };
    return null;
  }
  const p = PLAIN_TURN.exec(rest);
  if (p && !isLabel(p[1]!) && !/^https?$/i.test(p[1]!)) return { speaker: p[1]!.trim(), role: p[2]?.trim() || null, time, text: p[3]!.trim(), explicit: false };
  return null;
}

/** Names that start at least two plain `Name：` lines; two of them make a dialogue. */
function dialogueSpeakers(lines: string[]): Set<string> {
  const counts = new Map<string, number>();
  for (const line of lines) {
    const m = matchTurn(line);
    if (m && !m.explicit) counts.set(m.speaker, (counts.get(m.speaker) ?? 0) + 1);
  }
  const frequent = [...counts].filter(([, n]) => n >= 2);
  return frequent.length >= 2 ? new Set(counts.keys()) : new Set();
}

const HEADING = /^(#{1,6})\s+(.*?)\s*#*\s*$/;

/** Parse a markdown body into sections; `ids` keeps anchors unique within the note. */
export function parseBody(body: string, ids: SlugRegistry = new SlugRegistry()): Section[] {
  const lines = body.split("\n");
  let fence = false;
  const headingLevels: number[] = [];
  for (const line of lines) {
    if (/^\s*(```|~~~)/.test(line)) fence = !fence;
    const h = !fence && HEADING.exec(line);
    if (h) headingLevels.push(h[1]!.length);
  }
  const splitLevel = headingLevels.length ? Math.min(...headingLevels) : 0;
  const plainSpeakers = dialogueSpeakers(lines);

  const sections: Section[] = [];
  let current: Section = { id: "", heading: "", time: null, blocks: [] };
  let block: Block | null = null;
  const flush = () => {
    if (block) {
      block.text = block.text.replace(/\n{3,}/g, "\n\n").trim();
      if (block.text || block.type === "turn") current.blocks.push(block);
    }
    block = null;
  };
  const closeSection = () => {
    flush();
    if (current.heading || current.blocks.length) sections.push(current);
  };
  const append = (line: string) => {
    if (!block) block = { type: "prose", text: "" };
    block.text += (block.text ? "\n" : "") + line;
  };

  fence = false;
  for (const line of lines) {
    if (/^\s*(```|~~~)/.test(line)) fence = !fence;
    if (fence) { append(line); continue; }
    const h = HEADING.exec(line);
    if (h && h[1]!.length === splitLevel) {
      closeSection();
      const { text, time } = parseHeading(h[2]!);
      current = { id: ids.claim(slugify(text || "section", 40)), heading: text, time, blocks: [] };
      continue;
    }
    if (RULE.test(line)) { flush(); continue; }
    const turn = matchTurn(line);
    if (turn && (turn.explicit || plainSpeakers.has(turn.speaker))) {
      flush();
      block = { type: "turn", speaker: turn.speaker, role: turn.role, time: turn.time, text: turn.text };
      continue;
    }
    const label = /^\s*(?:\*\*)?([^：:*\n]{1,6})(?:\*\*)?[：:]/.exec(line);
    if (label && isLabel(label[1]!) && block !== null && (block as Block).type === "turn") flush();
    append(line);
  }
  closeSection();
  for (const s of sections) if (!s.id) s.id = ids.claim("intro");
  return sections;
}
