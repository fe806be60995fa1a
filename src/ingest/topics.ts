/**
 * A raw transcript a person can read: cut into sections where the topic shifts, each
 * headed by its own most distinctive words, and summarised by its most central
 * sentences. Pure functions over paragraphs; nothing of the text is dropped or moved.
 *
 * - Sections: TextTiling (Hearst 1997): lexical cohesion between the paragraphs before
 *   and after each gap, over words cut by jieba;
 *   the deepest valleys of cohesion become section breaks.
 * - Headings: a section's words ranked by tf-idf against the other sections.
 * - Summary: TextRank (Mihalcea & Tarau 2004) over sentence-sized pieces, similarity by
 *   shared words normalised by length, the top pieces given in their original order.
 * Written here rather than taken from a package: the npm TextRank/TextTiling packages
 * are English-only (whitespace tokens, Porter stemming) and unmaintained; what is needed
 * is ~200 lines over a Chinese word segmenter (jieba).
 */
import { Jieba } from "@node-rs/jieba";
import { dict } from "@node-rs/jieba/dict.js";
import stopwordsIso from "stopwords-iso/stopwords-iso.json" with { type: "json" };
import { lazy } from "../caches.ts";
import type { Section } from "../note.ts";

/** Filler of spoken Chinese that dictionaries do not list as stopwords, plus words too generic to head a section. */
const SPOKEN = "就是 然后 所以 因为 但是 可以 一个 没有 什么 这样 那么 还是 其实 现在 已经 如果 大家 自己 时候 觉得 可能 知道 这些 那些 应该 非常 比较 的话 一些 还有 这种 一下 对于 以及 或者 而且 不是 就是说 所以说 我觉得 东西 里面 都是 这个 那个 我们 你们 他们 它们 咱们 这边 那边 这里 那里 怎么 为什么 一样 很多 一点 比如 包括 特别 真的 确实 当然 其中 基本 整个 所有 那种 这么 然后呢 对吧 是吧 的确 这块 那块 一块 这一块 看到 来说 来讲 的时候 之后 之前 以后 以前 今天 一直 开始 出来 起来 进行 有点 好像 一定 需要 一下子 事情 问题 方面 部分 情况 所谓 大概 左右 几个 两个 三个 第一 第二 第三 只是 而是 不会 不能 就会 能够 可能会 能力 做到 去做 在做 来做 不需要 负责 因此 这样子 uh um umm uhm hmm yeah yep yes okay ok oh ah like gonna wanna kinda sorta mean right sort kind really just thing things stuff actually basically literally pretty lot lots bit gotta guess maybe something anything everything somebody people guys".split(" ");
const STOP = new Set<string>([...(stopwordsIso as Record<string, string[]>).zh!, ...(stopwordsIso as Record<string, string[]>).en!, ...SPOKEN].map((w) => w.toLowerCase()));

/** Segments the dictionary leaves glued to a particle (跌了, 出了, 的话): not words to head or rank by. */
const PARTICLE_EDGE = /^[的了在是就也都又把被让给对]|[了着过的地得吗呢吧啊呀嘛]$/u;

/**
 * jieba (@node-rs/jieba: the Rust port, its binary inside the npm package), loaded on
 * the first raw transcript: Intl.Segmenter's ICU dictionary lacks the field's words
 * (it cuts 芯片 into 芯|片, 英伟达 into 英伟|达), and its cost grows faster than the text.
 */
const jieba = lazy(() => Jieba.withDict(dict));
const cut = (text: string): string[] => jieba().cut(text, false);

/** The content words of a text: words of two or more characters, no stopwords, numbers or particle-glued segments. */
export function contentWords(text: string): string[] {
  const out: string[] = [];
  for (const piece of cut(text)) {
    const w = piece.trim().toLowerCase();
    if (w.length < 2 || !/[\p{L}]/u.test(w) || STOP.has(w) || PARTICLE_EDGE.test(w)) continue;
    out.push(w);
  }
  return out;
}

function counts(words: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const w of words) m.set(w, (m.get(w) ?? 0) + 1);
  return m;
}

function cosine(a: Map<string, number>, b: Map<string, number>): number {
  let dot = 0, na = 0, nb = 0;
  for (const [w, x] of a) { na += x * x; const y = b.get(w); if (y) dot += x * y; }
  for (const y of b.values()) nb += y * y;
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}

export interface TopicOptions {
  /** Paragraphs on each side of a gap compared for cohesion. */
  window?: number;
  /** Fewest paragraphs in a section. */
  minParagraphs?: number;
  /** About how many characters a section holds: the text's length over this caps the count. */
  sectionChars?: number;
}

/**
 * Where the topic shifts: indices i such that a new section starts at paragraph i
 * (ascending, never 0). Short texts (fewer than two sections' worth) get none.
 */
export function topicBreaks(paragraphs: string[], options: TopicOptions = {}): number[] {
  const { window = 3, minParagraphs = 4, sectionChars = 2800 } = options;
  const total = paragraphs.reduce((n, p) => n + p.length, 0);
  const most = Math.floor(total / sectionChars);
  if (most < 2 || paragraphs.length < minParagraphs * 2) return [];
  const bags = paragraphs.map((p) => counts(contentWords(p)));
  const merged = (from: number, to: number) => {
    const m = new Map<string, number>();
    for (let i = Math.max(0, from); i < Math.min(bags.length, to); i++) for (const [w, c] of bags[i]!) m.set(w, (m.get(w) ?? 0) + c);
    return m;
  };
  // Cohesion at each gap g (between paragraph g-1 and g), g = 1 … n-1.
  const score: number[] = [];
  for (let g = 1; g < paragraphs.length; g++) score[g] = cosine(merged(g - window, g), merged(g, g + window));
  // Depth: how far the cohesion falls here from the peaks on either side.
  const depth: Array<[number, number]> = [];
  for (let g = 1; g < paragraphs.length; g++) {
    let left = score[g]!, right = score[g]!;
    for (let i = g - 1; i >= 1 && score[i]! >= left; i--) left = score[i]!;
    for (let i = g + 1; i < paragraphs.length && score[i]! >= right; i++) right = score[i]!;
    depth.push([g, left - score[g]! + right - score[g]!]);
  }
  const values = depth.map(([, d]) => d);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
  const cutoff = mean - sd / 2;
  const chosen: number[] = [];
  for (const [g, d] of [...depth].sort((a, b) => b[1] - a[1] || a[0] - b[0])) {
    if (chosen.length >= most - 1) break;
    if (d <= cutoff || d <= 0) break;
    if (g < minParagraphs || paragraphs.length - g < minParagraphs) continue;
    if (chosen.some((c) => Math.abs(c - g) < minParagraphs)) continue;
    chosen.push(g);
  }
  return chosen.sort((a, b) => a - b);
}

/**
 * A heading for each group of paragraphs: its two or three most distinctive words
 * (tf-idf against the other groups), in the order they first appear, joined by 、.
 */
export function sectionHeadings(groups: string[][], size = 3): string[] {
  const bags = groups.map((g) => counts(contentWords(g.join(" "))));
  const df = new Map<string, number>();
  for (const b of bags) for (const w of b.keys()) df.set(w, (df.get(w) ?? 0) + 1);
  const used = new Set<string>();
  return groups.map((g, i) => {
    const bag = bags[i]!;
    const ranked = [...bag]
      .filter(([w, c]) => c >= 2 && !/^[a-z]$/.test(w))
      .map(([w, c]) => [w, c * Math.log(1 + groups.length / df.get(w)!) * (w.length >= 2 ? 1 : 0.5)] as const)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    // A word that already heads an earlier section does not head this one too; two words
    // the text writes together (数据 + 中心) head it as one (数据中心).
    const text = g.join(" ");
    const lower = text.toLowerCase();
    const latin = (w: string) => /^[a-z0-9]/.test(w);
    const join2 = (a: string, b: string) => (latin(a) && latin(b) ? `${a} ${b}` : a + b);
    const together = (a: string, b: string) => lower.split(join2(a, b)).length - 1 >= 2;
    const words: string[] = [];
    for (const [w0] of ranked) {
      if (words.length >= size) break;
      let w = w0;
      const k = words.findIndex((x) => together(x, w) || together(w, x));
      if (k >= 0) { words[k] = together(words[k]!, w) ? join2(words[k]!, w) : join2(w, words[k]!); continue; }
      if (words.some((x) => x.includes(w) || w.includes(x))) continue;
      if (used.has(w) && ranked.length > size * 2) continue;
      words.push(w);
    }
    words.forEach((w) => used.add(w));
    const pos = (w: string) => { const k = lower.indexOf(w); return k < 0 ? Infinity : k; };
    const shown = words.sort((a, b) => pos(a) - pos(b)).map((w) => original(text, w));
    return shown.length ? shown.join("、") : `第 ${i + 1} 部分`;
  });
}

/** A word as the text writes it (case kept: `openai` → `OpenAI`). */
function original(text: string, lower: string): string {
  const k = text.toLowerCase().indexOf(lower);
  return k < 0 ? lower : text.slice(k, k + lower.length);
}

/**
 * Sentence-sized pieces: sentences where the text has end marks, else runs of the
 * space-separated phrases of speech recognition, about `size` characters each.
 */
export function sentencePieces(text: string, size = 60): string[] {
  const marked = text.split(/(?<=[。！？!?；;…]["”』」]?)\s*/).map((s) => s.trim()).filter(Boolean);
  const source = marked.length >= 3 && marked.every((s) => s.length < size * 6) ? marked : null;
  if (source) return source;
  const out: string[] = [];
  let buf = "";
  for (const phrase of text.split(/\s+/)) {
    if (!phrase) continue;
    buf = buf ? `${buf} ${phrase}` : phrase;
    if (buf.length >= size) { out.push(buf); buf = ""; }
  }
  if (buf) out.push(buf);
  return out;
}

/**
 * The `count` most central pieces of a text by TextRank (PageRank over the graph of
 * pieces, edges weighted by shared content words / (log |a| + log |b|)), in text order.
 */
export function keySentences(text: string, count = 3): string[] {
  const pieces = sentencePieces(text).slice(0, 1500);
  const words = pieces.map((p) => new Set(contentWords(p)));
  const n = pieces.length;
  if (n <= count) return pieces;
  // Inverted index: only pieces that share a word are compared.
  const byWord = new Map<string, number[]>();
  words.forEach((ws, i) => { for (const w of ws) { const l = byWord.get(w); if (l) l.push(i); else byWord.set(w, [i]); } });
  const edges: Array<Map<number, number>> = pieces.map(() => new Map());
  for (const list of byWord.values()) {
    if (list.length > n / 4) continue; // a word in a quarter of all pieces links everything to everything
    for (let x = 0; x < list.length; x++) for (let y = x + 1; y < list.length; y++) {
      const a = list[x]!, b = list[y]!;
      edges[a]!.set(b, (edges[a]!.get(b) ?? 0) + 1);
    }
  }
  const weight: Array<Array<[number, number]>> = pieces.map(() => []);
  edges.forEach((m, a) => {
    for (const [b, shared] of m) {
      const w = shared / (Math.log(1 + words[a]!.size) + Math.log(1 + words[b]!.size));
      weight[a]!.push([b, w]);
      weight[b]!.push([a, w]);
    }
  });
  const out = weight.map((l) => l.reduce((s, [, w]) => s + w, 0));
  let rank = new Float64Array(n).fill(1 / n);
  for (let iter = 0; iter < 40; iter++) {
    const next = new Float64Array(n).fill(0.15 / n);
    for (let a = 0; a < n; a++) {
      if (!out[a]) continue;
      for (const [b, w] of weight[a]!) next[b] = next[b]! + (0.85 * rank[a]! * w) / out[a]!;
    }
    rank = next;
  }
  // Central and dense: a piece's rank times the share of it that is content words, so
  // spoken filler (就是 我觉得 这个) does not carry a piece; too short to stand alone, never.
  const density = (i: number) => [...words[i]!].reduce((n, w) => n + w.length, 0) / pieces[i]!.replace(/\s+/g, "").length;
  const score = (i: number) => rank[i]! * density(i);
  const eligible = [...pieces.keys()].filter((i) => pieces[i]!.length >= 16 && words[i]!.size >= 3);
  const top = eligible.sort((a, b) => score(b) - score(a) || a - b).slice(0, count);
  return top.sort((a, b) => a - b).map((i) => trimFiller(pieces[i]!));
}

/** Spoken openers that add nothing at the start of a quoted piece. */
const OPENERS = /^(?:(?:就是说?|然后呢?|所以说?|那么?|对吧?|嗯+|呃+|啊+|其实|我觉得|因为|但是|而且|这个|那个|就)\s*)+/u;

/** A piece as a summary line: spoken openers dropped from its start. */
function trimFiller(piece: string): string {
  return piece.replace(OPENERS, "").trim() || piece;
}

/** Fewest characters a headingless transcript must hold before it is cut into topic sections. */
export const TOPIC_MIN_CHARS = 6000;
/** Blocks are pooled into units of at least this many characters before cohesion is measured (a conversation's one-line turns say little alone). */
const UNIT_CHARS = 240;

/** A block longer than this (a monologue turn, paragraphs cut by paragraphs.ts) may be cut between its paragraphs where the topic shifts. */
const LONG_BLOCK = 3000;

type Block = Section["blocks"][number];

/**
 * A block cut before each of `at` (indexes of its paragraphs): the same text in order,
 * the blank lines at the cuts aside. The first piece keeps the block's time; the others
 * are continuations (same speaker, no time of their own).
 */
function cutBlock(block: Block, at: number[]): Block[] {
  const parts = block.text.split(/(\n{2,})/);
  const bounds = [0, ...at.map((j) => 2 * j), parts.length];
  const out: Block[] = [];
  for (let k = 0; k + 1 < bounds.length; k++) {
    const from = bounds[k]!, to = k + 2 < bounds.length ? bounds[k + 1]! - 1 : bounds[k + 1]!;
    out.push({ ...block, text: parts.slice(from, to).join(""), time: k === 0 ? block.time : null });
  }
  return out;
}

/**
 * A long transcript without headings — a raw speech-recognition line, a diarised file,
 * subtitles — as sections cut where the topic shifts, each headed by its own words and,
 * when its blocks are timed, starting at its first block's time. Every block is kept,
 * as it was, in order; anything shorter or already headed is returned as it is.
 */
export function topicSections(sections: Section[], plain: (markdown: string) => string = (t) => t): Section[] {
  if (sections.some((s) => s.heading)) return sections;
  const blocks = sections.flatMap((s) => s.blocks);
  const texts = blocks.map((b) => plain(b.text));
  if (texts.reduce((n, t) => n + t.length, 0) < TOPIC_MIN_CHARS) return sections;
  // Pieces: whole blocks, and the paragraphs of a long block (where a monologue may change topic).
  const pieces: Array<{ block: number; para: number; text: string }> = [];
  blocks.forEach((b, i) => {
    if (texts[i]!.length <= LONG_BLOCK) { pieces.push({ block: i, para: 0, text: texts[i]! }); return; }
    b.text.split(/\n{2,}/).forEach((p, j) => pieces.push({ block: i, para: j, text: plain(p) }));
  });
  // Units: runs of consecutive pieces of at least UNIT_CHARS, each remembering its first piece.
  const units: string[] = [], firstPiece: number[] = [];
  let buf = "", start = 0;
  pieces.forEach((pc, i) => {
    if (!buf) start = i;
    buf = buf ? `${buf} ${pc.text}` : pc.text;
    if (buf.length >= UNIT_CHARS) { units.push(buf); firstPiece.push(start); buf = ""; }
  });
  if (buf) { units.push(buf); firstPiece.push(start); }
  const cuts = topicBreaks(units).map((u) => pieces[firstPiece[u]!]!);
  if (!cuts.length) return sections;
  // Blocks cut at the paragraphs where a section starts inside them; `starts`: the
  // index, in the blocks after cutting, where each section begins.
  const inside = new Map<number, number[]>();
  for (const c of cuts) if (c.para > 0) inside.set(c.block, [...(inside.get(c.block) ?? []), c.para].sort((x, y) => x - y));
  const startsBefore = new Set(cuts.filter((c) => c.para === 0).map((c) => c.block));
  const split: Block[] = [], splitTexts: string[] = [];
  const startSet = new Set<number>();
  blocks.forEach((b, i) => {
    const at = inside.get(i) ?? [];
    if (startsBefore.has(i)) startSet.add(split.length);
    at.forEach((_, k) => startSet.add(split.length + k + 1));
    const parts = at.length ? cutBlock(b, at) : [b];
    split.push(...parts);
    splitTexts.push(...(at.length ? parts.map((p) => plain(p.text)) : [texts[i]!]));
  });
  const starts = [0, ...[...startSet].filter((x) => x > 0).sort((x, y) => x - y)];
  const groups = starts.map((s, i) => split.slice(s, starts[i + 1] ?? split.length));
  const headings = sectionHeadings(starts.map((s, i) => splitTexts.slice(s, starts[i + 1] ?? split.length)));
  const firstTime = (g: Section["blocks"]) => g.find((b) => b.time !== null)?.time ?? null;
  return groups.map((g, i) => {
    const t = firstTime(g);
    const next = i + 1 < groups.length ? firstTime(groups[i + 1]!) : null;
    return { id: `part-${i + 1}`, heading: headings[i]!, time: t === null ? null : { start: t, end: next !== null && next > t ? next : null }, blocks: g };
  });
}
