// @ts-check
/**
 * How Chinese text becomes search terms — one module for both sides, so the index
 * and the browser always cut text the same way. Plain JavaScript because the browser
 * loads it unbundled (/assets/search-query.js); the build imports it from Node.
 *
 * Why not Pagefind's own Chinese mode: with `lang="zh-CN"` Pagefind segments with
 * jieba at index time (13 GB and 100+ s at 10,000 notes on our machine), the browser
 * segments queries with Intl.Segmenter, the two disagree, and CJK indexes are not
 * chunked (every query downloads the whole index). Instead:
 *
 * - Index side: every run of Han characters becomes its overlapping bigrams
 *   (`英伟达的芯片` → `英伟 伟达 达的 的芯 芯片`), a single character stays itself.
 *   Bigrams need no dictionary, so recall does not depend on a segmenter agreeing.
 *   Two runs separated only by white space get a `⁞` marker between them, so the
 *   original text can be rebuilt exactly for excerpts.
 * - Query side: Intl.Segmenter finds word boundaries (`英伟达芯片` → `英伟达|芯片`);
 *   runs of single characters are rejoined (unknown names such as `黄仁勋` come back
 *   as one chunk), single-character function words are dropped, and each chunk
 *   becomes its bigrams. No bigram ever spans a word boundary, so a query typed
 *   without spaces finds notes that contain its words apart (`英伟达的芯片`), while
 *   Pagefind's AND keeps precision (`自动驾驶` does not match `自动化`).
 * - Traditional characters are folded to simplified on both sides with one
 *   character table (輝達 → 辉达), generated at build time from opencc-js.
 */

/** Han ideographs (incl. extension A and compatibility), the characters we bigram. */
export const HAN = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/;
const HAN_RUN = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+/g;
/** Marks a boundary between two Han runs that were separated only by white space. */
export const RUN_BREAK = "⁞";

/** Single characters that carry no meaning on their own in a query. */
const STOP_CHARS = new Set("的了是在和与及或就都也而被把对从向于之其这那个们吗呢吧啊着过很还又再".split(""));

/**
 * Fold traditional to simplified with a character table (`{ 輝: "辉" }`).
 * @param {string} text
 * @param {Record<string, string> | null | undefined} table
 */
export function toSimplified(text, table) {
  if (!table) return text;
  let out = "";
  for (const ch of text) out += table[ch] ?? ch;
  return out;
}

/**
 * Overlapping bigrams of a Han run; a one-character run is itself.
 * @param {string} run
 * @returns {string[]}
 */
export function bigrams(run) {
  const chars = Array.from(run);
  if (chars.length < 2) return chars;
  const out = [];
  for (let i = 0; i + 1 < chars.length; i++) out.push(`${chars[i]}${chars[i + 1]}`);
  return out;
}

/**
 * Text as the index stores it: Han runs as bigrams, everything else untouched.
 * @param {string} text
 * @param {Record<string, string> | null} [table]
 */
export function indexText(text, table = null) {
  const src = toSimplified(foldWidth(text), table);
  let out = "";
  let last = 0;
  let prevRunEnd = -1;
  for (const m of src.matchAll(HAN_RUN)) {
    const start = /** @type {number} */ (m.index);
    const between = src.slice(last, start);
    if (prevRunEnd >= 0 && between.length > 0 && between.trim() === "") out += ` ${RUN_BREAK} `;
    else out += between.length ? ` ${between} ` : " ";
    out += bigrams(m[0]).join(" ");
    last = start + m[0].length;
    prevRunEnd = last;
  }
  out += src.length > last ? ` ${src.slice(last)}` : "";
  return out.replace(/[ \t]+/g, " ").trim();
}

/** @type {Intl.Segmenter | null} */
let segmenter = null;

/** Fullwidth letters and digits → ASCII; punctuation is left as written. */
/** @param {string} s */
export function foldWidth(s) {
  return s.replace(/[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
}

/**
 * Split one Han run of a query into chunks at word boundaries: known words first
 * (longest match: the ICU dictionary does not know 英伟达 or 黄仁勋), then the
 * segmenter for the rest.
 * @param {string} run
 * @param {Set<string> | null} [vocabulary]
 * @returns {string[]}
 */
export function chunkQueryRun(run, vocabulary = null) {
  if (vocabulary && vocabulary.size) {
    const chars = Array.from(run);
    /** @type {string[]} */
    const out = [];
    let rest = "";
    for (let i = 0; i < chars.length; ) {
      let hit = 0;
      for (let len = Math.min(8, chars.length - i); len >= 2; len--) {
        if (vocabulary.has(chars.slice(i, i + len).join(""))) { hit = len; break; }
      }
      if (hit) {
        if (rest) out.push(...segmentRun(rest));
        rest = "";
        out.push(chars.slice(i, i + hit).join(""));
        i += hit;
      } else rest += chars[i++];
    }
    if (rest) out.push(...segmentRun(rest));
    return out;
  }
  return segmentRun(run);
}

/**
 * @param {string} run
 * @returns {string[]}
 */
function segmentRun(run) {
  segmenter ??= new Intl.Segmenter("zh", { granularity: "word" });
  /** @type {string[]} */
  const chunks = [];
  let singles = "";
  const flushSingles = () => {
    if (!singles) return;
    if (Array.from(singles).length === 1 && STOP_CHARS.has(singles)) singles = "";
    else chunks.push(singles);
    singles = "";
  };
  for (const seg of segmenter.segment(run)) {
    const word = seg.segment;
    if (Array.from(word).length === 1) singles += word;
    else {
      flushSingles();
      chunks.push(word);
    }
  }
  flushSingles();
  return chunks;
}

/**
 * A reader's query → the terms Pagefind is asked for (all must match).
 * @param {string} query
 * @param {Record<string, string> | null} [table]
 * @param {Set<string> | null} [vocabulary]  known words (entity aliases) matched before the segmenter
 * @returns {string[]}
 */
export function queryTerms(query, table = null, vocabulary = null) {
  const src = toSimplified(foldWidth(query), table);
  /** @type {string[]} */
  const terms = [];
  let last = 0;
  const other = (/** @type {string} */ s) => {
    for (const w of s.split(/[^\p{L}\p{N}._+#-]+/u)) {
      const t = w.replace(/^[._-]+|[._-]+$/g, "");
      if (t) terms.push(t);
    }
  };
  for (const m of src.matchAll(HAN_RUN)) {
    const start = /** @type {number} */ (m.index);
    other(src.slice(last, start));
    for (const chunk of chunkQueryRun(m[0], vocabulary)) terms.push(...bigrams(chunk));
    last = start + m[0].length;
  }
  other(src.slice(last));
  return [...new Set(terms)];
}

/**
 * Pagefind's excerpt of bigram text → the original reading text with highlights.
 * Overlapping bigrams of one run are merged back (`英伟 伟达` → `英伟达`), `⁞` becomes
 * a space, a character is highlighted when any bigram holding it was.
 * @param {string} excerpt  Pagefind excerpt: text with `<mark>` around matched words
 * @returns {Array<{ text: string, mark: boolean }>}
 */
export function readableExcerpt(excerpt) {
  /** @type {Array<{ word: string, mark: boolean }>} */
  const words = [];
  const parts = excerpt.split(/(<mark>|<\/mark>)/);
  let marked = false;
  for (const part of parts) {
    if (part === "<mark>") { marked = true; continue; }
    if (part === "</mark>") { marked = false; continue; }
    for (const w of decodeEntities(part).split(/(\s+)/)) if (w) words.push({ word: w, mark: marked && !/^\s+$/.test(w) });
  }
  /** @type {Array<{ ch: string, mark: boolean }>} */
  const chars = [];
  /** @type {string | null} */
  let prevBigram = null;
  for (const { word, mark } of words) {
    if (/^\s+$/.test(word)) {
      // A space between two bigrams of one run is an artefact; elsewhere it is real.
      continue;
    }
    const cs = Array.from(word);
    const isBigram = cs.length >= 2 && HAN.test(cs[0] ?? "") && HAN.test(cs[1] ?? "");
    if (word === RUN_BREAK) {
      chars.push({ ch: " ", mark: false });
      prevBigram = null;
      continue;
    }
    if (isBigram && prevBigram !== null && Array.from(prevBigram)[1] === cs[0]) {
      const lastChar = chars[chars.length - 1];
      if (lastChar && mark) lastChar.mark = true;
      for (const c of cs.slice(1)) chars.push({ ch: c, mark });
    } else {
      const prev = chars[chars.length - 1];
      const first = cs[0] ?? "";
      // Latin next to Latin or Han keeps a space; punctuation and Han-Han never get one.
      const wordy = (/** @type {string} */ c) => /[\p{L}\p{N}]/u.test(c);
      if (prev && prev.ch !== " " && wordy(prev.ch) && wordy(first) && !(HAN.test(prev.ch) && HAN.test(first))) chars.push({ ch: " ", mark: false });
      for (const c of cs) chars.push({ ch: c, mark });
    }
    // Only a clean two-character token continues a run (`芯片.` ends one).
    prevBigram = isBigram && /^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{2}$/.test(word) ? word : null;
  }
  /** @type {Array<{ text: string, mark: boolean }>} */
  const out = [];
  for (const { ch, mark } of chars) {
    const last = out[out.length - 1];
    if (last && last.mark === mark) last.text += ch;
    else out.push({ text: ch, mark });
  }
  return out;
}

/** @param {string} s */
function decodeEntities(s) {
  return s.replace(/&(lt|gt|amp|quot|#39|#x27|apos);/g, (_, e) => ({ lt: "<", gt: ">", amp: "&", quot: '"', "#39": "'", "#x27": "'", apos: "'" })[/** @type {"lt"} */ (e)] ?? _);
}

/**
 * `2026-01-04` → `2026年1月4日`; undated is `未注明日期`. One function for the pages (the
 * `dateLabel` filter) and the search page, so dates read the same everywhere.
 * @param {string | null | undefined} date
 * @returns {string}
 */
export function dateLabel(date) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date ?? "");
  return m ? `${m[1]}年${Number(m[2])}月${Number(m[3])}日` : "未注明日期";
}
