/**
 * Markdown body → sections and speaker turns. Shared by every shape that has a
 * markdown body (front-matter notes, the Digital Garden `## 全文`, plain notes,
 * subtitles turned into timestamped lines).
 *
 * Rules, in order:
 * - Nothing inside fenced code (backticks or tildes, three or more) is a heading, a
 *   turn or a timestamp.
 * - Sections split at the shallowest heading level present; deeper headings stay
 *   inside the section's prose. Text before the first heading is an untitled section.
 * - A heading ending in `（00:05:26 - 00:07:49）` (or `(05:26)`) carries a time range.
 * - Speaker turns, in the formats transcripts use: `**Name**: text`, `Name：text`,
 *   `**0:06** · Name: text`, `[00:01:00] Name: text`, `Name (00:12:34): text`, and a
 *   header line alone (`Name 00:12:34`, `发言人 1 0:45:54`, `Name:`) before the text.
 *   A label is a speaker only when it passes the name test (speakers.ts) and there
 *   is evidence: it carries a time, it is a diarisation placeholder, the metadata
 *   names it, or the body is a dialogue (two or more labels that each start two or
 *   more turns and hold most label lines). List bullets, quotes, tables and labels
 *   followed by a URL or a handle are never turns.
 * - Lines after a turn belong to it until the next turn, a field-label line, a heading
 *   or a horizontal rule.
 * - Timestamped lines without a speaker (`[00:01:00] text`, three or more in a body)
 *   are grouped into paragraphs that keep the time of their first line.
 * - No paragraph is longer than about 1,500 characters (paragraphs.ts).
 */
import type { Block, Section, TimeRange } from "../note.ts";
import { foldName, parseClock, SlugRegistry, slugify, stripEmphasis } from "../text.ts";
import { codeLines } from "./markup.ts";
import { limitParagraphs } from "./paragraphs.ts";
import { isDiarisationLabel, isFieldLabel, isPlausibleLabel, labelShape, type LabelShape } from "./speakers.ts";

const CLOCK = String.raw`\d{1,3}:[0-5]\d(?::[0-5]\d)?`;
/** A clock with optional fractions (`00:01:02,500` in subtitles, `0:00:04.840000` from whisper), or seconds (`12.5s`). */
const TIME = String.raw`(?:\d{1,3}:\d{1,2}(?::\d{1,3})?(?:[.,]\d{1,6})?|\d{1,6}(?:\.\d{1,6})?s)`;
const RANGE = String.raw`(?:\s*(?:-->|[-–—]|to|至|~)\s*${TIME})?`;
const HEADING_TIME = new RegExp(String.raw`\s*[（(【\[]\s*(${CLOCK})\s*(?:[-–—~～至到]\s*(${CLOCK})\s*)?[）)】\]]\s*$`);
/**
 * A time at the start of a line: `[00:01]`, `[0.0s to 4.0s]`, `(00:01)`, `【00:01】`, `**0:06**`,
 * a bare `00:01:00` before a separator or text, or whisper's range of seconds `[7.38 --> 13.44]`
 * (bare seconds only with the arrow: `[1.2]` alone is a citation or a version).
 */
const TIME_PREFIX = new RegExp(String.raw`^(?:\[(${TIME})${RANGE}\]|[（(](${TIME})${RANGE}[）)]|【(${TIME})${RANGE}】|\*\*\[?(${TIME})\]?\*\*|(\d{1,2}:[0-5]\d:[0-5]\d(?:[.,]\d{1,3})?|${CLOCK}(?=\s*[·•|–—-]))|\[(\d{1,6}\.\d{1,3})\s*-->\s*\d{1,6}\.\d{1,3}\])\s*(?:[·•|–—-]\s*)?`);
/** The time a TIME_PREFIX match starts at, in seconds. */
const prefixTime = (t: RegExpExecArray) => seconds(t[1] ?? t[2] ?? t[3] ?? t[4] ?? t[5] ?? t[6]!);
/** A label in brackets before the text: `【说话人0】text`, `[Janson Siu] 00:08:44`. */
const BRACKET_LABEL = /^[【\[]([^\[\]【】\n]{1,30})[】\]](?![(\[])\s*(.*)$/u;
/** A name alone on a line (`**Lex Fridman**`, `Douglas Murray`): a header when the next line starts with a time. */
const NAME_ALONE = /^(?:\*\*)?([^:：*#>|`\[\]!()（）\n]{2,40}?)(?:\*\*)?$/u;
const BOLD_LABEL = /^\*\*([^*\n]{1,40}?)\s*(?:[（(\[]([^）)\]\n]{1,24})[）)\]])?\s*(?:\*\*\s*[:：]|[:：]\s*\*\*)\s*(.*)$/u;
const PLAIN_LABEL = /^([^\s:：*#>|`\[\]!][^:：*\n]{0,39}?)\s*(?:[（(\[]([^）)\]\n]{1,24})[）)\]])?\s*[:：](?!\/\/)\s*(.*)$/u;
/** A header line before a turn's text: `Name 00:12:34`, `**Name** (00:12)`, `发言人 1 0:45:54`. */
const CLOCK_TIME = String.raw`\d{1,3}:\d{1,2}(?::\d{1,3})?(?:[.,]\d{1,6})?`;
const HEADER = new RegExp(String.raw`^(?:\*\*)?([^\s:：*#>|\[\]!][^:：*\n]{0,39}?)(?:\*\*)?(?:\s+|\s*[\[（(【])(${CLOCK_TIME})${RANGE}[\]）)】]?\s*[:：]?$`, "u");
const RULE = /^\s*(?:[-*_]\s*){3,}$|^\s*[—─]{2,}\s*$/;
const HEADING = /^(#{1,6})\s+(.*?)\s*#*\s*$/;
/** Lines that are never turns: list items, quotes (callouts), tables, headings. */
const STRUCTURE = /^\s*(?:[-*+]\s|\d+[.)]\s|>|\||#{1,6}\s)/;
/** Text after a label that says it is a link list, not speech: `Spotify: https://…`, `Twitter: @x`. */
const LINK_VALUE = /^(?:<?https?:\/\/|www\.|@\w|\[[^\]]*\]\(https?:|[\w.+-]+@[\w-]+\.)/i;

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

/** `00:01:02,500` → 62, `12.5s` → 12, `0:0:1.2` → 1 (fractions dropped). */
function seconds(time: string): number | null {
  if (time.endsWith("s")) return Math.floor(Number(time.slice(0, -1)));
  const parts = time.replace(/[.,]\d+$/, "").split(":").map(Number);
  if (parts.some((n) => !Number.isFinite(n))) return null;
  const value = parts.reduce((sum, n) => sum * 60 + n, 0);
  return Number.isFinite(value) ? value : parseClock(time);
}

const BOLD_TIME_LABEL = new RegExp(String.raw`^\*\*\s*([\[(（【]?${TIME}[^*\n]*?[:：])\s*\*\*\s*`);
const LINKED_TIME = new RegExp(String.raw`(^|\s)\[\(?(${TIME})\)?\]\([^)\s]*\)`);
const CLOCK_ALONE = new RegExp(String.raw`^${CLOCK}$`);

/**
 * Times as transcripts write them, in one form: `**[00:02] SPEAKER_00:** text` (the time and
 * the label in one bold run), `[(00:01:02)](https://…)` (a time linked to the video, Lex
 * Fridman's site), `0:05` alone on its line (YouTube's transcript panel).
 */
function normalizeTimes(line: string): string {
  // `\[0:00:14.3\] **Name** text`: brackets escaped by a markdown converter.
  const rest = line.trim().replace(new RegExp(String.raw`^\\\[(${TIME})\\\]`), "[$1]").replace(BOLD_TIME_LABEL, "$1 ").replace(LINKED_TIME, "$1[$2]");
  return CLOCK_ALONE.test(rest) ? `[${rest}]` : rest;
}

interface LineMatch {
  /** null: a timestamped line without a speaker. */
  label: string | null;
  role: string | null;
  time: number | null;
  text: string;
  /** A header line alone: the turn's text is on the lines that follow. */
  header: boolean;
}

/** Read one line as a possible turn or timestamped line (no decision yet on whether it is one). */
function matchLine(raw: string): LineMatch | null {
  const line = raw.trim();
  if (!line || STRUCTURE.test(raw)) return null;
  let rest = normalizeTimes(line);
  let time: number | null = null;
  const t = TIME_PREFIX.exec(rest);
  if (t) {
    time = prefixTime(t);
    rest = rest.slice(t[0].length);
  }
  const labelled = (rawLabel: string, role: string | undefined, text: string): LineMatch | null => {
    if (LINK_VALUE.test(text)) return null;
    let at = time;
    let r = role?.trim() || null;
    let label = rawLabel;
    // `同學（Speaker 3）`: a role around a diarisation label is one speaker of several, not a role.
    if (r && isDiarisationLabel(r)) { label = `${rawLabel.trim()}（${r}）`; r = null; }
    if (r && at === null && new RegExp(`^${TIME}$`).test(r)) {
      at = seconds(r);
      r = null;
    }
    return { label: label.trim(), role: r, time: at, text: text.trim(), header: !text.trim() };
  };
  const b = BOLD_LABEL.exec(rest);
  if (b) return labelled(b[1]!, b[2], b[3]!);
  // After a time, a bold name needs no colon: `0:00:12.5 **Adam Garrett-Harris** Hello and welcome…`.
  const bn = time !== null ? /^\*\*([^*\n]{1,40}?)\*\*\s+(\S.*)$/u.exec(rest) : null;
  if (bn) return labelled(bn[1]!, undefined, bn[2]!);
  const k = BRACKET_LABEL.exec(rest);
  if (k && !new RegExp(`^${TIME}$`).test(k[1]!.trim())) {
    const after = k[2]!.trim();
    const at = new RegExp(String.raw`^[\[（(【]?(${TIME})${RANGE}[\]）)】]?$`).exec(after);
    if (at) return { label: k[1]!.trim(), role: null, time: time ?? seconds(at[1]!), text: "", header: true };
    return labelled(k[1]!, undefined, after);
  }
  if (time === null) {
    const h = HEADER.exec(rest);
    if (h && !/^\d/.test(h[1]!)) return { label: h[1]!.trim(), role: null, time: seconds(h[2]!), text: "", header: true };
  }
  const p = PLAIN_LABEL.exec(rest);
  if (p && !/^https?$/i.test(p[1]!)) return labelled(p[1]!, p[2], p[3]!);
  if (time !== null) return { label: null, role: null, time, text: rest, header: false };
  return null;
}

interface Candidate extends LineMatch { index: number; shape: LabelShape | null }


/**
 * Which labels of this body are speakers (folded), and whether timestamped lines are a
 * transcript (three or more of them).
 */
function decideSpeakers(candidates: Candidate[], codeAfter: Set<number>, declared: Set<string>): { speakers: Set<string>; timedLines: boolean } {
  const speakers = new Set<string>();
  const labelled = candidates.filter((c) => c.label !== null);
  const timedLines = candidates.filter((c) => c.label === null).length >= 3;
  const untimed: Candidate[] = [];
  for (const c of labelled) {
    const key = foldName(c.label!);
    // The metadata names them (front-matter speakers, WebVTT voices): speakers whatever they look like.
    if (declared.has(key) && !isFieldLabel(c.label!)) { speakers.add(key); continue; }
    // A header with a time (`[ATL - WonderFrog] 00:12:01`) is a transcript's speaker line even when it is no name.
    if (c.shape === null && c.header && c.time !== null && isPlausibleLabel(c.label!)) { speakers.add(key); continue; }
    if (c.shape === null) continue;
    if ((c.shape === "placeholder" && isDiarisationLabel(c.label!)) || c.time !== null) speakers.add(key);
    // A role word (`Guest:`, `主持人：`) needs the dialogue around it, like a first name.
    else untimed.push(c.shape === "placeholder" ? { ...c, shape: "loose" } : c);
  }
  const counts = new Map<string, { n: number; shape: LabelShape; code: boolean }>();
  for (const c of untimed) {
    const key = foldName(c.label!);
    const e = counts.get(key) ?? { n: 0, shape: c.shape!, code: false };
    e.n++;
    if (codeAfter.has(c.index)) e.code = true;
    counts.set(key, e);
  }
  // People do not speak code: a loose label whose text holds a code block is a field label.
  for (const [k, e] of counts) if (e.code && e.shape === "loose") counts.delete(k);
  const repeated = [...counts].filter(([, e]) => e.n >= 2);
  const repeatedLines = repeated.reduce((sum, [, e]) => sum + e.n, 0);
  const labelLines = labelled.filter((c) => c.time === null && !(c.shape === "placeholder" && isDiarisationLabel(c.label!))).length;
  let alternations = 0;
  const order = untimed.filter((c) => counts.has(foldName(c.label!))).map((c) => foldName(c.label!));
  for (let i = 1; i < order.length; i++) if (order[i] !== order[i - 1]) alternations++;
  const alternation = order.length > 1 ? alternations / (order.length - 1) : 0;
  // Speakers already proven (a diarisation label, a time, the metadata) make the body a transcript:
  // its other labels that look like names are its speakers too (淑玲 beside 同學（Speaker 3）), and
  // first names and role words that start two or more turns (主持人, not a lone `**Guest**:`).
  if (speakers.size > 0) for (const [k, e] of counts) if (e.shape === "name" || e.n >= 2) speakers.add(k);
  const dialogue = (repeated.length >= 2 && repeatedLines >= labelLines * 0.5
    && (repeated.some(([, e]) => e.shape === "name") || (alternation >= 0.6 && order.length >= 6)));
  if (dialogue) for (const k of counts.keys()) speakers.add(k);
  else for (const [k, e] of repeated) if (e.shape === "name") speakers.add(k); // one person quoted at length
  return { speakers, timedLines };
}

export interface BodyOptions {
  /** Names the metadata gives (speakers, people, authors): their labels are speakers without further evidence. */
  declared?: string[];
}

/** Parse a markdown body into sections; `ids` keeps anchors unique within the note. */
export function parseBody(body: string, ids: SlugRegistry = new SlugRegistry(), options: BodyOptions = {}): Section[] {
  const lines = body.split("\n");
  const code = codeLines(lines);
  const headingLevels: number[] = [];
  const candidates: Candidate[] = [];
  const codeAfter = new Set<number>();
  let lastCandidate = -1;
  lines.forEach((line, i) => {
    if (code[i]) {
      if (lastCandidate >= 0) codeAfter.add(lastCandidate);
      return;
    }
    const h = HEADING.exec(line);
    if (h) { headingLevels.push(h[1]!.length); lastCandidate = -1; return; }
    let m = matchLine(line);
    if (!m) {
      // A name alone, then its first timed paragraph (Lex Fridman's transcripts): a header line.
      const alone = NAME_ALONE.exec(line.trim());
      const next = alone ? lines.slice(i + 1, i + 4).find((l) => l.trim()) : undefined;
      const t = next !== undefined ? TIME_PREFIX.exec(normalizeTimes(next)) : null;
      if (alone && t && labelShape(alone[1]!) !== null) m = { label: alone[1]!.trim(), role: null, time: prefixTime(t), text: "", header: true };
    }
    if (m) {
      candidates.push({ ...m, index: i, shape: m.label === null ? null : labelShape(m.label) });
      lastCandidate = i;
    }
  });
  const splitLevel = headingLevels.length ? Math.min(...headingLevels) : 0;
  const { speakers, timedLines } = decideSpeakers(candidates, codeAfter, new Set((options.declared ?? []).map(foldName)));
  const byLine = new Map(candidates.map((c) => [c.index, c]));

  const sections: Section[] = [];
  let current: Section = { id: "", heading: "", time: null, blocks: [] };
  let block: Block | null = null;
  const flush = () => {
    if (block) {
      block.text = limitParagraphs(block.text.replace(/\n{3,}/g, "\n\n").trim());
      if (block.text || block.type === "turn") current.blocks.push(block);
    }
    block = null;
  };
  const closeSection = () => {
    flush();
    if (current.heading || current.blocks.length) sections.push(current);
  };
  const append = (line: string) => {
    if (!block) block = { type: "prose", text: "", time: null };
    block.text += (block.text ? "\n" : "") + line;
  };

  lines.forEach((line, i) => {
    if (code[i]) { append(line); return; }
    const h = HEADING.exec(line);
    if (h && h[1]!.length === splitLevel) {
      closeSection();
      // A section heading is shown as text: its emphasis (`## **0:00 – Introduction**`) goes.
      const parsed = parseHeading(stripEmphasis(h[2]!));
      const text = parsed.text;
      current = { id: ids.claim(slugify(text || "section", 40)), heading: text, time: parsed.time, blocks: [] };
      return;
    }
    if (RULE.test(line)) { flush(); return; }
    const c = byLine.get(i);
    if (c && c.label !== null && speakers.has(foldName(c.label))) {
      flush();
      block = { type: "turn", speaker: c.label, role: c.role, time: c.time, text: c.text };
      return;
    }
    const open = block as Block | null;
    if (c && c.label === null && open?.type === "turn") {
      // A timed paragraph under a speaker's header belongs to the turn (`(00:00:05) text`).
      if (open.time === null) open.time = c.time;
      open.text += open.text ? `\n\n${c.text}` : c.text;
      return;
    }
    if (c && c.label === null && timedLines) {
      // Timestamped lines run on into one paragraph until it is long enough and a sentence ends.
      if (open && open.type === "prose" && open.time !== null && !(open.text.length >= 400 && /[。！？.!?…]["”』」]?$/.test(open.text)) && open.text.length < 1000) {
        open.text += (/[\p{Script=Han}]$/u.test(open.text) || /^[\p{Script=Han}]/u.test(c.text) ? "" : " ") + c.text;
      } else {
        flush();
        block = { type: "prose", text: c.text, time: c.time };
      }
      return;
    }
    const label = /^\s*(?:\*\*)?([^：:*\n]{1,8})(?:\*\*)?[：:]/.exec(line);
    if (label && isFieldLabel(label[1]!) && block !== null && (block as Block).type === "turn") flush();
    append(line);
  });
  closeSection();
  for (const s of sections) if (!s.id) s.id = ids.claim("intro");
  return sections;
}
