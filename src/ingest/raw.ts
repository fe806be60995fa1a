/**
 * Raw speech-recognition transcripts: one huge line, often no punctuation, no
 * metadata. We break the text into readable paragraphs (at sentence ends when
 * there are any, else at the spaces between phrases), derive a title from the
 * opening phrases and a summary from the most frequent words. Nothing is dropped:
 * the paragraphs joined back equal the input's words.
 */
import { countWords, truncate } from "../text.ts";


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

const STOP = new Set(("我们 你们 他们 这个 那个 就是 然后 所以 因为 但是 可以 一个 没有 什么 这样 那么 还是 其实 现在 已经 如果 大家 自己 时候 觉得 可能 知道 这些 那些 应该 非常 比较 的话 一些 还有 这种 一下 对于 以及 或者 而且 不是 就是说 所以说 我觉得 他们的 the and to of a in is that it for you this are").split(" "));

/**
 * Cut text into pieces of at most `size` characters, at a space or a punctuation mark
 * when there is one. Word segmentation never joins across either, so segmenting the
 * pieces gives the same words as segmenting the whole.
 */
export function* segmentChunks(text: string, size = 2000): Generator<string> {
  for (let i = 0; i < text.length; ) {
    let end = Math.min(text.length, i + size);
    if (end < text.length) {
      const window = text.slice(i, end);
      const cut = Math.max(window.lastIndexOf(" "), window.lastIndexOf("\n"), window.search(/[。，！？；、][^。，！？；、]*$/));
      if (cut > 0) end = i + cut + 1;
    }
    yield text.slice(i, end);
    i = end;
  }
}

/**
 * The most frequent multi-character words, with Intl.Segmenter (ICU's Chinese dictionary).
 * The segmenter's cost grows faster than the text (a 200 000-character line took over a
 * minute), so it runs over pieces of a few thousand characters.
 */
export function keywords(text: string, count = 8): string[] {
  const seg = new Intl.Segmenter("zh", { granularity: "word" });
  const freq = new Map<string, number>();
  for (const chunk of segmentChunks(text.slice(0, 200_000))) for (const s of seg.segment(chunk)) {
    if (!s.isWordLike) continue;
    const w = s.segment.trim();
    if (Array.from(w).length < 2 || STOP.has(w.toLowerCase()) || /^\d+$/.test(w)) continue;
    freq.set(w, (freq.get(w) ?? 0) + 1);
  }
  return [...freq].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, count).map(([w]) => w);
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

export function summarizeRaw(text: string): string {
  const words = countWords(text);
  const keys = keywords(text);
  const head = text.trim().slice(0, 4000).replace(/\s+/g, " ");
  const opening = truncate(Array.from(head).length > 120 ? head : text.trim().replace(/\s+/g, " "), 120);
  return `语音转写稿，约 ${words.toLocaleString("zh-CN")} 字${isUnpunctuated(text) ? "，原文无标点" : ""}。高频词：${keys.join("、")}。\n\n开头：${opening}`;
}
