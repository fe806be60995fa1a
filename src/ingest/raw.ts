/**
 * Raw speech-recognition transcripts: one huge line, often no punctuation, no
 * metadata. We break the text into readable paragraphs (at sentence ends when
 * there are any, else at the spaces between phrases), derive a title from the
 * opening phrases and a summary from its most central sentences; src/ingest/topics.ts
 * cuts the paragraphs into sections. Nothing is dropped: the paragraphs joined back
 * equal the input's words.
 */
import { countWords, escapeMarkdown, truncate } from "../text.ts";
import { keySentences } from "./topics.ts";


/**
 * No headings, and the text is essentially one unbroken run: a line too long to read
 * that holds most of the text. Many long lines (a diarised transcript with a turn per
 * line) are not raw: the body parser finds their turns and cuts their paragraphs.
 */
export function isRawTranscript(body: string): boolean {
  if (/^#{1,6}\s/m.test(body)) return false;
  const lines = body.split("\n").filter((l) => l.trim());
  const longest = lines.reduce((m, l) => Math.max(m, l.length), 0);
  return longest > 1000 && longest >= body.length * 0.5;
}

export function isUnpunctuated(text: string): boolean {
  const marks = text.match(/[。，！？、；,.!?;]/g)?.length ?? 0;
  return marks < countWords(text) / 200;
}

/** Paragraphs of roughly `target` characters, broken only between phrases or sentences. */
export function paragraphs(text: string, target = 280): string[] {
  const out: string[] = [];
  for (const line of text.split(/\n\s*\n|\n/)) {
    const trimmed = line.trim();
    if (!trimmed) continue;
    if (trimmed.length <= target * 1.5) { out.push(trimmed); continue; }
    const pieces = isUnpunctuated(trimmed)
      ? trimmed.split(/(?<=\s)/)
      : trimmed.split(/(?<=[。！？!?；;…]["”』」]?)/);
    let buf = "";
    for (const piece of pieces) {
      buf += piece;
      if (buf.length >= target) { out.push(buf.trim()); buf = ""; }
    }
    if (buf.trim()) out.push(buf.trim());
  }
  return out;
}

/** The opening phrases, at least 12 and at most 32 characters, cut at a phrase boundary. */
export function deriveTitle(text: string): string {
  // Only the opening matters: a phrase cut at 4000 characters is too long for a title anyway.
  // A stage direction first (`(Intro music: …)`, `[音乐]`) is not what the text is about.
  const head = text.trim().slice(0, 4000).replace(/^(?:\s*[(（\[【][^)）\]】\n]{0,80}[)）\]】])+\s*/, "") || text.trim().slice(0, 4000);
  const phrases = head.split(/[\s。，！？、；,.!?;]+/).filter(Boolean);
  let title = "";
  for (const p of phrases) {
    const next = title ? `${title} ${p}` : p;
    if (Array.from(next).length > 32) break;
    title = next;
    if (Array.from(title).length >= 12) break;
  }
  return title || truncate(head, 32);
}

/**
 * What a reader needs before an hour of transcript (its length is in the facts box): its few most
 * central sentences (TextRank, src/ingest/topics.ts) as a list. The entities it names
 * are shown beside it on the page (本篇涉及), from the linker.
 */
export function summarizeRaw(text: string): string {
  const key = keySentences(text, 3).map((s) => `- ${escapeMarkdown(truncate(s.replace(/\s+/g, " "), 90))}`);
  return `语音转写稿${isUnpunctuated(text) ? "，原文无标点" : ""}。要点：\n\n${key.join("\n")}`;
}
