/**
 * Subtitle files (`.srt`, `.vtt`) as sources. Cues become timestamped lines
 * (`[00:01:02] text`, or `[00:01:02] Name: text` for a WebVTT voice `<v Name>`), merged
 * into paragraphs of a few sentences that keep the time they start at; the body parser
 * then reads them like any timestamped transcript. Markup inside cues (`<i>`, `<c.color>`,
 * karaoke timestamps, `{\an8}`) is removed; the repeated lines of rolling auto-captions
 * (each cue repeating the previous one's last line) are kept once; `>>` (a new speaker
 * in broadcast captions) starts a new paragraph.
 */
import type { BuildMessage } from "../note.ts";
import { formatClock } from "../text.ts";

export const SUBTITLE_EXTENSIONS = [".srt", ".vtt"];

/** Subtitles saved as `.txt`: a `WEBVTT` header, or cue time lines from the start. */
export function looksLikeSubtitles(text: string): boolean {
  const head = text.slice(0, 2000).split("\n").filter((l) => l.trim()).slice(0, 8);
  return /^WEBVTT\b/.test(head[0]?.trim() ?? "") || head.filter((l) => /^\s*(?:\d{1,2}:)?\d{1,2}:\d{1,2}(?:[.,]\d{1,3})?\s*-->/.test(l)).length >= 2;
}

/** `00:01:02,500 --> …` (SRT), `01:02.500 --> …` (WebVTT), `0:0:0.0 --> …` (Teams). */
const CUE_TIME = /^\s*((?:\d{1,2}:)?\d{1,2}:\d{1,2}(?:[.,]\d{1,3})?)\s*-->\s*(?:\d{1,2}:)?\d{1,2}:\d{1,2}(?:[.,]\d{1,3})?/;

interface Cue { start: number; voice: string | null; text: string; line: number }

function decodeEntities(s: string): string {
  return s.replace(/&(amp|lt|gt|nbsp|quot|apos|#\d+|#x[0-9a-f]+);/gi, (m, e: string) => {
    const named: Record<string, string> = { amp: "&", lt: "<", gt: ">", nbsp: " ", quot: '"', apos: "'" };
    if (named[e.toLowerCase()]) return named[e.toLowerCase()]!;
    const code = e[1] === "x" || e[1] === "X" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
    return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : m;
  });
}

function readCues(text: string, messages: BuildMessage[]): Cue[] {
  const cues: Cue[] = [];
  const lines = text.split("\n");
  let bad = 0;
  for (let i = 0; i < lines.length; i++) {
    const m = CUE_TIME.exec(lines[i]!);
    if (!m) {
      if (/-->/.test(lines[i]!)) { bad++; if (bad === 1) messages.push({ level: "warning", line: i + 1, message: "a cue's time line could not be read (expected `00:01:02,500 --> 00:01:04,000`); its text is kept without a time" }); }
      continue;
    }
    const start = Math.floor(m[1]!.replace(",", ".").split(":").reduce((sum, n) => sum * 60 + Number(n), 0));
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && lines[j]!.trim() && !CUE_TIME.test(lines[j]!); j++) body.push(lines[j]!);
    // An SRT cue's next index line sits right before the next time line.
    if (j < lines.length && CUE_TIME.test(lines[j]!) && /^\d+$/.test(body.at(-1)?.trim() ?? "")) body.pop();
    let voice: string | null = null;
    const joined = body.join("\n").replace(/<v(?:\.[\w.-]+)?\s+([^>]+)>/g, (_, name: string) => {
      voice ??= name.trim();
      return "";
    });
    const clean = decodeEntities(joined.replace(/<\/?[a-z][^>]*>|<\d{1,2}:\d{2}(?::\d{2})?[.,]\d{1,3}>|\{\\[^}]*\}/gi, ""));
    cues.push({ start, voice, text: clean, line: i + 1 });
    i = j - 1;
  }
  return cues;
}

/**
 * The cues as timestamped lines, merged into paragraphs, and the names of the WebVTT
 * voices (`<v Name>`: declared speakers); null when the file has no cue.
 */
export function subtitlesToLines(text: string, messages: BuildMessage[]): { lines: string; voices: string[] } | null {
  const cues = readCues(text, messages);
  if (!cues.length) return null;
  const out: string[] = [];
  let para: { start: number; voice: string | null; text: string } | null = null;
  let previous = new Set<string>();
  const flush = () => {
    if (para && para.text.trim()) out.push(`[${formatClock(para.start)}] ${para.voice ? `${para.voice}: ` : ""}${para.text.trim()}`);
    para = null;
  };
  for (const cue of cues) {
    const lines = cue.text.split("\n").map((l) => l.trim()).filter(Boolean);
    const shown = previous;
    previous = new Set(lines.map((l) => `${cue.voice}\u0000${l}`));
    for (const raw of lines) {
      // Rolling captions repeat the previous cue's lines: keep each line once.
      if (shown.has(`${cue.voice}\u0000${raw}`)) continue;
      // `>>`, a dash, or a label (`【说话人1】`, `[Name]`, `Name:`) starts another speaker's words.
      const newSpeaker = /^(?:>>|-\s|【[^】]{1,20}】|\[[^\]\d][^\]]{0,29}\]|[^:：\n]{1,30}[:：]\s)/u.test(raw);
      const line = raw.replace(/^(?:>>+|-)\s*/, "");
      const current = para as { start: number; voice: string | null; text: string } | null;
      const full = current && ((current.text.length >= 400 && /[。！？.!?…]["”』」]?$/.test(current.text)) || current.text.length >= 1000);
      if (!current || newSpeaker || cue.voice !== current.voice || full) {
        flush();
        para = { start: cue.start, voice: cue.voice, text: line };
      } else {
        current.text += (/\p{Script=Han}$/u.test(current.text) && /^\p{Script=Han}/u.test(line) ? "" : " ") + line;
      }
    }
  }
  flush();
  return { lines: out.join("\n"), voices: [...new Set(cues.flatMap((c) => (c.voice ? [c.voice] : [])))] };
}

/** What a subtitle file's name says: its title (language code and video id removed) and the video. */
export function subtitleName(stem: string): { title: string; url: string | null } {
  let title = stem.replace(/\.(?:[a-z]{2,3}(?:[-_][A-Za-z]{2,4})?|orig|auto)$/i, "");
  let url: string | null = null;
  const yt = /\s*\[([A-Za-z0-9_-]{11})\]\s*$/.exec(title);
  if (yt) {
    url = `https://www.youtube.com/watch?v=${yt[1]}`;
    title = title.slice(0, yt.index);
  }
  const bv = /(BV[0-9A-Za-z]{10})/.exec(title);
  if (!url && bv) url = `https://www.bilibili.com/video/${bv[1]}`;
  return { title: title.trim() || stem, url };
}
