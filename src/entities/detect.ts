/**
 * Finding registered names in running text.
 *
 * Rules (see README, "How names are recognised", and the registry's header):
 * - Chinese (and other CJK) aliases match only where they stand as a word: the alias
 *   must not start or end inside a longer word of ICU's Chinese segmentation
 *   (`Intl.Segmenter`) of the text around it — `仓库克隆` (仓库|克|隆) is not 库克,
 *   `新浪潮` (新|浪潮) is not 新浪 — while a name the dictionary splits (黄|仁|勋) matches.
 *   The registry's `not` phrases name what the segmenter cannot know (高通滤波).
 * - Latin aliases match on word boundaries: not preceded or followed by a letter or
 *   digit, and not followed by `.5`/`-R1` style continuations, so `Meta` never
 *   matches `metadata` and `GPT-5` never matches inside `GPT-5.5`.
 * - Latin aliases match case-insensitively (sources write `sam altman`, `Nvidia`),
 *   except for entries marked `case: exact`, whose names are also English words
 *   (`Apple`, `Figure`): those match only as written.
 * - Weak aliases — the Latin names of `case: exact` entries, Latin aliases of three
 *   letters or fewer, and the aliases an entry lists as `common` — are not a mention when
 *   a number follows (`Figure 3`; a product's `Pixel 10` is) or when they are part of a
 *   hyphenated, dotted or slashed compound (`Bellman-Ford`, `node.Ford`); elsewhere they
 *   are returned marked `weak`, and the linker keeps them only with evidence in the note.
 * - The longest alias wins where two overlap (`Google DeepMind` over `Google`).
 *
 * Written by hand rather than with a regex alternation: one pass over the text with
 * a map keyed on the first two (folded) characters keeps the cost linear in the
 * text length whatever the registry size (a 1,000-way alternation is not).
 */

import { readFileSync } from "node:fs";
import wordListPath from "word-list";
import { lazy } from "../caches.ts";
import { CJK_CHAR } from "../text.ts";

/** English words (the `word-list` package, 274,000 of them, lower case): which capitalised names are also ordinary words. */
const englishWords = lazy(() => new Set(readFileSync(wordListPath, "utf8").split("\n")));

export interface AliasSpec {
  alias: string;
  entityKey: string;
  exactCase: boolean;
  /** Needs evidence in the note (see the header). */
  weak?: boolean;
  /** Products may carry a number (`Pixel 10`); other weak names followed by one are not mentions. */
  product?: boolean;
  /** Phrases containing this alias that mean something else. */
  not?: string[];
}

export interface Match {
  entityKey: string;
  start: number;
  end: number;
  text: string;
  weak: boolean;
}

const LATIN = /[A-Za-z]/;
const ALNUM = /[\p{L}\p{N}]/u;
const HAN = /\p{Script=Han}/u;

interface Candidate {
  folded: string; spec: AliasSpec; latinStart: boolean; latinEnd: boolean; hanStart: boolean; hanEnd: boolean; not: string[];
  /** A capitalised name that is also an English word (`Alphabet`, `Synced`, `Trump`): in lower case inside English prose, it is the word. */
  titleWord: boolean;
}

const segmenter = new Intl.Segmenter("zh", { granularity: "word" });

/**
 * Whether `text[start, end)` starts and ends at word boundaries of ICU's segmentation of
 * the text around it (a window of a dozen characters each side: segmenting whole notes is
 * slow, and a word is never longer).
 */
function standsAsWord(text: string, start: number, end: number, checkStart: boolean, checkEnd: boolean): boolean {
  const from = Math.max(0, start - 12);
  const window = text.slice(from, Math.min(text.length, end + 12));
  const s = start - from, e = end - from;
  for (const seg of segmenter.segment(window)) {
    const a = seg.index, b = seg.index + seg.segment.length;
    if (checkStart && a < s && b > s) return false;
    if (checkEnd && a < e && b > e) return false;
    if (a >= e) break;
  }
  return true;
}

/**
 * The match at `start`–`end` sits in English prose: a Latin word next to it on either side
 * (across spaces) and no Han character within 30 characters. `the alphabet`, `trump
 * company` are; `anthropic 推出`, `——howie OpenAI 的` are not (in Chinese text brand and
 * people's names are often typed in lower case).
 */
function inEnglishProse(text: string, start: number, end: number): boolean {
  if (!/[A-Za-z][ \t]+$/.test(text.slice(Math.max(0, start - 4), start)) && !/^[ \t]+[A-Za-z]/.test(text.slice(end, end + 4))) return false;
  return !HAN.test(text.slice(Math.max(0, start - 30), Math.min(text.length, end + 30)));
}

export class Matcher {
  /** Candidates by their first two UTF-16 code units (as one number: no string made per position). */
  private readonly byPrefix = new Map<number, Candidate[]>();
  /** Code units some alias starts with: every other position is skipped at once. */
  private readonly starts = new Uint8Array(65536);

  constructor(specs: AliasSpec[]) {
    for (const spec of specs) {
      const folded = spec.alias.normalize("NFKC").toLowerCase().replace(/’/g, "'");
      if (Array.from(folded).length < 2) continue;
      const first = folded[0]!, last = folded.at(-1)!;
      const c: Candidate = {
        folded, spec,
        latinStart: LATIN.test(first) || /\d/.test(first), latinEnd: LATIN.test(last) || /\d/.test(last),
        hanStart: HAN.test(first), hanEnd: HAN.test(last),
        not: (spec.not ?? []).map((p) => p.normalize("NFKC").toLowerCase().replace(/’/g, "'")).filter((p) => p.includes(folded)),
        titleWord: !spec.exactCase && /^\p{Lu}\p{Ll}+$/u.test(spec.alias) && englishWords().has(folded),
      };
      const key = folded.charCodeAt(0) * 65536 + folded.charCodeAt(1);
      this.starts[folded.charCodeAt(0)] = 1;
      const list = this.byPrefix.get(key) ?? [];
      list.push(c);
      this.byPrefix.set(key, list);
    }
    for (const list of this.byPrefix.values()) list.sort((a, b) => b.folded.length - a.folded.length);
  }

  /** All non-overlapping matches in `text`, left to right, longest first at each position. */
  find(text: string): Match[] {
    const norm = text.normalize("NFKC");
    const src = norm.length === text.length ? text : norm;
    // Typographic apostrophes meet straight ones (`Lenny’s Newsletter`); the length stays the same.
    const lower = src.toLowerCase().replace(/’/g, "'");
    const folded = lower.length === src.length ? lower : src;
    const out: Match[] = [];
    const starts = this.starts;
    for (let i = 0; i < folded.length - 1; ) {
      const first = folded.charCodeAt(i);
      if (starts[first] === 0) { i++; continue; }
      const list = this.byPrefix.get(first * 65536 + folded.charCodeAt(i + 1));
      let hit: Candidate | undefined;
      if (list) {
        for (const c of list) {
          if (!folded.startsWith(c.folded, i)) continue;
          const end = i + c.folded.length;
          if (c.latinStart && i > 0 && isWordChar(folded[i - 1]!)) continue;
          if (c.latinEnd && end < folded.length && (isWordChar(folded[end]!) || (/[.\-]/.test(folded[end]!) && /[a-z0-9]/.test(folded[end + 1] ?? "")))) continue;
          if (c.spec.exactCase && src.slice(i, end) !== c.spec.alias) continue;
          if (c.titleWord && /\p{Ll}/u.test(src[i]!) && inEnglishProse(src, i, end)) continue;
          if (c.not.some((p) => coveredBy(folded, i, end, p))) continue;
          if ((c.hanStart || c.hanEnd) && !standsAsWord(src, i, end, c.hanStart, c.hanEnd)) continue;
          if (c.spec.weak && weakRejected(folded, i, end, c.spec.product === true)) continue;
          hit = c;
          break;
        }
      }
      if (hit) {
        const end = i + hit.folded.length;
        out.push({ entityKey: hit.spec.entityKey, start: i, end, text: src.slice(i, end), weak: hit.spec.weak === true });
        i = end;
      } else i++;
    }
    return out;
  }
}

/** A phrase occurrence in `text` that covers `[start, end)`. */
function coveredBy(text: string, start: number, end: number, phrase: string): boolean {
  for (let from = Math.max(0, end - phrase.length); from <= start; from++) {
    if (text.startsWith(phrase, from) && from + phrase.length >= end) return true;
  }
  return false;
}

/** A weak name followed by a number (`Figure 3`), or inside a compound (`Bellman-Ford`, `x.Oracle`, `a/Cursor`). */
function weakRejected(text: string, start: number, end: number, product: boolean): boolean {
  if (!product && /^\s?\d/.test(text.slice(end, end + 2))) return true;
  if (start >= 2 && /[-./_]/.test(text[start - 1]!) && isWordChar(text[start - 2]!)) return true;
  if (/^[-/_][\p{L}\p{N}]/u.test(text.slice(end, end + 2))) return true;
  return false;
}

/** Letters, digits and `_` that are not CJK: the characters a Latin name must not touch (`youtube_url` is an identifier). */
function isWordChar(ch: string): boolean {
  return ch === "_" || (ALNUM.test(ch) && !CJK_CHAR.test(ch));
}
