/**
 * No rendered paragraph longer than about PARAGRAPH_MAX characters: a transcript turn
 * of 20,000 characters, or a speech-recognition dump on one line, is cut at sentence
 * ends (at commas or spaces when a sentence is itself too long, and only as a last
 * resort anywhere) into paragraphs of about half that. Nothing is dropped or reordered:
 * the pieces joined back are the text (blank lines aside).
 */
import { codeLines } from "./markup.ts";

export const PARAGRAPH_MAX = 1500;
/** Pieces are filled up to about this many characters. */
const TARGET = 700;

const SENTENCE_END = /(?<=[。！？!?；;…][”」』"')）]*)|(?<=[.!?][”"')]*)(?=\s)/u;
const CLAUSE_END = /(?<=[，,、：:])|(?=\s)/u;

function fill(pieces: string[], target: number): string[] {
  const out: string[] = [];
  let buf = "";
  for (const piece of pieces) {
    if (buf && buf.length + piece.length > target) {
      out.push(buf);
      buf = "";
    }
    buf += piece;
  }
  if (buf) out.push(buf);
  return out;
}

/** `text` cut into pieces of at most `max` characters, preferring sentence ends, then clauses. */
export function splitLongText(text: string, max = PARAGRAPH_MAX, target = TARGET): string[] {
  if (text.length <= max) return [text];
  const out: string[] = [];
  for (const sentence of fill(text.split(SENTENCE_END), target)) {
    if (sentence.length <= max) { out.push(sentence); continue; }
    for (const clause of fill(sentence.split(CLAUSE_END), target)) {
      if (clause.length <= max) { out.push(clause); continue; }
      // No boundary at all (a 20,000-character run of letters): cut by code points.
      const chars = Array.from(clause);
      for (let i = 0; i < chars.length; i += target) out.push(chars.slice(i, i + target).join(""));
    }
  }
  return out.map((p) => p.trim()).filter(Boolean);
}

/** Lines that are not plain paragraph text: list items, tables, quotes, headings, HTML-ish blocks. */
const NOT_PARAGRAPH = /^\s*(?:[-*+]\s|\d+[.)]\s|\||>|#{1,6}\s|\$\$)/;

/** Markdown with every over-long plain paragraph split (code, lists and tables left alone). */
export function limitParagraphs(md: string, max = PARAGRAPH_MAX): string {
  if (md.length <= max) return md;
  const lines = md.split("\n");
  const code = codeLines(lines);
  const out: string[] = [];
  let para: string[] = [];
  const flush = () => {
    if (!para.length) return;
    const text = para.join("\n");
    if (text.length > max) out.push(splitLongText(text, max).join("\n\n"));
    else out.push(text);
    para = [];
  };
  lines.forEach((line, i) => {
    if (code[i] || !line.trim() || NOT_PARAGRAPH.test(line)) {
      flush();
      out.push(line);
    } else para.push(line);
  });
  flush();
  return out.join("\n");
}
