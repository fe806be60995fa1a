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

// One date format for the pages, the search page and the previews (src/search/dates.js).
export { dateLabel } from "./dates.js";

/** Han ideographs (incl. extension A and compatibility), the characters we bigram. */
export const HAN = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/;
const HAN_RUN = new RegExp(`${HAN.source}+`, "g");
/** A whole Han word of two to eight characters (what the query side keeps unsplit). */
const HAN_WORD = new RegExp(`^${HAN.source}{2,8}$`);
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
  const re = tableClass(table);
  if (re) return text.replace(re, (ch) => table[ch] ?? ch);
  let out = "";
  for (const ch of text) out += table[ch] ?? ch;
  return out;
}

/** @type {WeakMap<Record<string, string>, RegExp | null>} */
const tableClasses = new WeakMap();

/**
 * One character class of a table's keys, so that folding a long text is one native
 * `replace` instead of a string built character by character (most characters are not
 * in the table); null when a key is not one character.
 * @param {Record<string, string>} table
 */
function tableClass(table) {
  let re = tableClasses.get(table);
  if (re === undefined) {
    const keys = Object.keys(table);
    re = keys.length && keys.every((k) => Array.from(k).length === 1)
      ? new RegExp(`[${keys.map((k) => k.replace(/[\\\]\[^-]/g, "\\$&")).join("")}]`, "gu")
      : null;
    tableClasses.set(table, re);
  }
  return re;
}

/**
 * A query word, an alias or a synonym as the query side compares them: full-width folded,
 * traditional → simplified, lower case.
 * @param {string} text
 * @param {Record<string, string> | null} table
 */
export function foldQuery(text, table) {
  return toSimplified(foldWidth(text), table).toLowerCase();
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
  // Five native passes instead of a loop over the bigrams: at 10,000 notes building the
  // text bigram by bigram was most of the search documents' time. In order: white space
  // between two runs becomes RUN_BREAK; punctuation stands apart (it is never Han, so
  // spacing it in the whole text is spacing it between the runs); a run stands apart
  // from its neighbours; every inner character of a run is doubled (`ABCD` → `AB BC CD`).
  // The patterns use lookbehind, so they are made here, where only the build runs them:
  // the browser loads this module too, and older browsers reject lookbehind when parsing.
  const h = HAN.source;
  const nh = `[^${h.slice(1)}`;
  return spacePunctuation(toSimplified(foldWidth(text), table).replace(new RegExp(`(?<=${h})\\s+(?=${h})`, "g"), ` ${RUN_BREAK} `))
    .replace(new RegExp(`(?<=${h})(?=${nh})|(?<=${nh})(?=${h})`, "g"), " ")
    .replace(new RegExp(`(?<=${h})(${h})(?=${h})`, "g"), "$1 $1")
    .replace(/[ \t]+/g, " ")
    .trim();
}

/**
 * Fullwidth punctuation (、，：「」…) stands apart, so an excerpt's highlight covers
 * `NVIDIA`, not `：NVIDIA、Dojo` (excerpts rebuild it without spaces).
 * @param {string} s
 */
function spacePunctuation(s) {
  return s.replace(/[\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65\u2014\u2026\u201c\u201d\u2018\u2019]/g, " $& ");
}

/** ICU's word segmentation (the browser's own, and Node's). */
const segmenter = new Intl.Segmenter("zh", { granularity: "word" });

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
export function chunkQueryRun(run, vocabulary = null, dropStops = true) {
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
        if (rest) out.push(...segmentRun(rest, dropStops));
        rest = "";
        out.push(chars.slice(i, i + hit).join(""));
        i += hit;
      } else rest += chars[i++];
    }
    if (rest) out.push(...segmentRun(rest, dropStops));
    return out;
  }
  return segmentRun(run, dropStops);
}

/**
 * @param {string} run
 * @param {boolean} [dropStops]  drop a lone function character (the index side's old rule)
 * @returns {string[]}
 */
function segmentRun(run, dropStops = true) {
  /** @type {string[]} */
  const chunks = [];
  let singles = "";
  const flushSingles = () => {
    if (!singles) return;
    if (Array.from(singles).length === 1 && STOP_CHARS.has(singles) && dropStops) singles = "";
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
 * @typedef {{ text: string, terms: string[] }} Alternative  one spelling of a word and the index terms it needs (all of them)
 * @typedef {{ text: string, optional: boolean, alts: Alternative[] }} QueryWord  a word of the query and its spellings
 * @typedef {{ optional?: Iterable<string>, trailing?: Iterable<string>, synonyms?: string[][], vocabulary?: Iterable<string> }} QueryData  what kb-search.json ships
 * @typedef {{ optional: Set<string>, trailing: Set<string>, synonyms: Map<string, string[]>, vocabulary: Set<string>, table: Record<string, string> | null }} QueryContext
 */

/**
 * Prepare the data the query side needs: the optional (question/function) words, the
 * synonym groups by each spelling, and the words matched whole before the segmenter
 * (entity names, optional words, the synonyms' Han spellings).
 * @param {QueryData} data
 * @param {Record<string, string> | null} [table]
 * @returns {QueryContext}
 */
export function queryContext(data, table = null) {
  const fold = (/** @type {string} */ s) => foldQuery(s, table);
  const optional = new Set([...(data.optional ?? [])].map(fold));
  /** @type {Map<string, string[]>} */
  const synonyms = new Map();
  const vocabulary = new Set([...(data.vocabulary ?? [])].map(fold));
  for (const group of data.synonyms ?? []) {
    const spellings = group.map(fold);
    for (const s of spellings) {
      synonyms.set(s, [...new Set([...(synonyms.get(s) ?? []), ...spellings])]);
      if (HAN_WORD.test(s)) vocabulary.add(s);
    }
  }
  const trailing = new Set([...(data.trailing ?? [])].map(fold));
  for (const w of [...optional, ...trailing]) if (HAN_WORD.test(w)) vocabulary.add(w);
  return { optional, trailing, synonyms, vocabulary, table };
}

/**
 * The index terms one spelling needs: a Han word's bigrams (never a single character
 * unless the word is one), Latin words as they are (lower case).
 * @param {string} spelling
 * @returns {string[]}
 */
export function spellingTerms(spelling) {
  /** @type {string[]} */
  const out = [];
  const src = spelling.toLowerCase();
  let last = 0;
  for (const m of src.matchAll(HAN_RUN)) {
    const start = /** @type {number} */ (m.index);
    out.push(...indexTokens(src.slice(last, start)));
    out.push(...bigrams(m[0]));
    last = start + m[0].length;
  }
  out.push(...indexTokens(src.slice(last)));
  return [...new Set(out)];
}

/**
 * A reader's query → its words, each required or optional, each with its spellings
 * (the word itself, then its synonyms and variants). A note matches when it matches
 * one spelling of every required word; optional words (怎么, 区别, how, vs …) and
 * single Han characters only rank. Latin words of a multi-word synonym (`open source`,
 * `Claude Code`) are taken together.
 * @param {string} query
 * @param {QueryContext} ctx
 * @returns {QueryWord[]}
 */
export function parseQuery(query, ctx) {
  const src = foldQuery(query, ctx.table);
  /** @type {string[]} */
  const words = [];
  let last = 0;
  const other = (/** @type {string} */ s) => {
    const ws = s.split(/[^\p{L}\p{N}._+#@-]+/u).map((w) => w.replace(/^[._@-]+|[._-]+$/g, "")).filter(Boolean);
    for (let i = 0; i < ws.length; i++) {
      // Two or three Latin words that make one synonym spelling stay one word.
      let joined = 0;
      for (let n = 3; n >= 2 && !joined; n--) if (i + n <= ws.length && ctx.synonyms.has(ws.slice(i, i + n).join(" "))) joined = n;
      if (joined) { words.push(ws.slice(i, i + joined).join(" ")); i += joined - 1; }
      else words.push(/** @type {string} */ (ws[i]));
    }
  };
  /** @type {Set<string>} */
  const required = new Set();
  const isOptional = (/** @type {string} */ w) => ctx.optional.has(w) || STOP_CHARS.has(w);
  for (const m of src.matchAll(HAN_RUN)) {
    const start = /** @type {number} */ (m.index);
    other(src.slice(last, start));
    const chunks = chunkQueryRun(m[0], ctx.vocabulary, false);
    // A lone character the segmenter split off an unknown word (转|基因) belongs to its neighbour: 转基因.
    for (let i = 0; i < chunks.length; i++) {
      const c = /** @type {string} */ (chunks[i]);
      if (Array.from(c).length !== 1 || isOptional(c) || ctx.trailing.has(c)) continue;
      const next = chunks[i + 1], prev = chunks[i - 1];
      if (next !== undefined && !isOptional(next) && !ctx.trailing.has(next)) { chunks.splice(i, 2, c + next); i--; }
      else if (prev !== undefined && !isOptional(prev) && !ctx.trailing.has(prev)) { chunks.splice(i - 1, 2, prev + c); i -= 2; }
    }
    // 关系 is optional in …的关系, but part of a word in 关系模型: a trailing word directly followed by a content word joins it.
    for (let i = 0; i + 1 < chunks.length; i++) {
      const c = /** @type {string} */ (chunks[i]), next = /** @type {string} */ (chunks[i + 1]);
      if (ctx.trailing.has(c) && !isOptional(next) && !ctx.trailing.has(next)) chunks.splice(i, 2, c + next);
      else if (ctx.trailing.has(c) && chunks.slice(i + 1).some((n) => !isOptional(n) && !ctx.trailing.has(n))) required.add(c);
    }
    words.push(...chunks);
    last = start + m[0].length;
  }
  other(src.slice(last));
  /** @type {QueryWord[]} */
  const out = [];
  const seen = new Set();
  for (const w of words) {
    if (seen.has(w)) continue;
    seen.add(w);
    const single = Array.from(w).length === 1 && HAN.test(w);
    const optional = !required.has(w) && (isOptional(w) || ctx.trailing.has(w) || single);
    const spellings = [w, ...(ctx.synonyms.get(w) ?? []).filter((s) => s !== w)];
    /** @type {Alternative[]} */
    const alts = [];
    const keys = new Set();
    for (const s of spellings) {
      const terms = spellingTerms(s);
      const key = terms.join(" ");
      if (!terms.length || keys.has(key)) continue;
      keys.add(key);
      alts.push({ text: s, terms });
    }
    out.push({ text: w, optional, alts });
  }
  return out;
}

/**
 * Does a note's indexed text hold this term as Pagefind would match it? Han bigrams
 * match exactly; a Latin term matches a word it begins (`agent` → `agents`), or a word
 * that is the term less an English ending (Pagefind stems: `agents` → `agent`), never a
 * much shorter word (Pagefind's fallback to a shorter prefix: `nvidai` → `n`).
 * @param {string[]} tokens  the note's words, lower case
 * @param {string} term
 */
export function holdsTerm(tokens, term) {
  if (HAN.test(term)) return tokens.includes(term);
  return tokens.some((t) => t.startsWith(term) || (t.length >= 3 && term.startsWith(t) && term.length - t.length <= 2 && /^(s|es|ed|ing|er|ly|d)$/.test(term.slice(t.length))));
}

/**
 * The words of a text as the index holds them, for `holdsTerm`.
 * @param {string} text
 * @returns {string[]}
 */
export function indexTokens(text) {
  return text.toLowerCase().split(/[^\p{L}\p{N}+#]+/u).filter(Boolean);
}

/**
 * Edit distance with swapped neighbours as one edit (optimal string alignment),
 * capped: enough to offer 「你要找的是不是 NVIDIA？」 for `Nvidai`.
 * @param {string} a
 * @param {string} b
 * @param {number} [cap]
 */
export function editDistance(a, b, cap = 3) {
  if (Math.abs(a.length - b.length) > cap) return cap + 1;
  /** @type {number[]} */
  let before = [];
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      let v = Math.min(/** @type {number} */ (prev[j]) + 1, /** @type {number} */ (cur[j - 1]) + 1, /** @type {number} */ (prev[j - 1]) + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, /** @type {number} */ (before[j - 2]) + 1);
      cur.push(v);
      if (v < best) best = v;
    }
    if (best > cap) return cap + 1;
    before = prev;
    prev = cur;
  }
  return /** @type {number} */ (prev[b.length]);
}

/**
 * Entities whose names are closest to a word the site has no note for: a Latin word
 * within one edit of a name or alias (`Nvidai` → NVIDIA), or a Han word sharing a
 * bigram with one. Best first.
 * @param {string} word
 * @param {Array<[string, string, ...string[]]>} entities  [name, url, ...aliases]
 * @param {Record<string, string> | null} [table]
 * `spelling` is the name or alias that came closest; `distance` ≤ 1 means a whole
 * Latin name one edit away (a part of a longer name counts half an edit more).
 * @returns {Array<{ name: string, url: string, distance: number, spelling: string }>}
 */
export function closestEntities(word, entities, table = null) {
  const w = foldQuery(word, table);
  /** @type {Array<{ name: string, url: string, distance: number, spelling: string }>} */
  const out = [];
  const wb = HAN.test(w) ? new Set(bigrams(w)) : null;
  for (const [name, url, ...aliases] of entities) {
    let best = 9;
    let spelling = name;
    for (const n of [name, ...aliases]) {
      const s = foldQuery(n, table);
      if (wb) {
        if (!HAN.test(s)) continue;
        const shared = bigrams(s).filter((b) => wb.has(b)).length;
        const d = 2 - Math.min(1, shared / Math.max(wb.size, 1));
        if (shared && d < best) { best = d; spelling = n; }
      } else if (!HAN.test(s) && w.length >= 3) {
        const parts = n.split(/\s+/);
        const whole = editDistance(w, s, 1);
        if (whole < best) { best = whole; spelling = n; }
        if (parts.length > 1) for (const part of parts) {
          const d = part.length >= 3 ? editDistance(w, part.toLowerCase(), 1) + 0.5 : 9;
          if (d < best) { best = d; spelling = part; }
        }
      }
    }
    if (best <= 1.99) out.push({ name, url, distance: best, spelling });
  }
  return out.sort((a, b) => a.distance - b.distance || a.name.length - b.name.length).slice(0, 5);
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
    for (const w of decodeEntities(part).split(/(\s+)/)) {
      if (!w) continue;
      // Pagefind joins a heading or paragraph to the next with "." (`达标.`): after Han text that is a break, not a full stop.
      const joined = /^(.*[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])\.$/u.exec(w);
      if (joined) {
        words.push({ word: /** @type {string} */ (joined[1]), mark: marked });
        words.push({ word: RUN_BREAK, mark: false });
      } else words.push({ word: w, mark: marked && !/^\s+$/.test(w) });
    }
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
  for (const { ch, mark: marked } of chars) {
    // Highlights cover words: punctuation and spaces inside a marked token stay plain.
    const mark = marked && /[\p{L}\p{N}]/u.test(ch);
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
 * @typedef {{ score: number, pos: number[] }} TermHit  Pagefind's score of a page for one term, and where in its text the term stands (none when only its metadata matched)
 * @typedef {Map<string, TermHit> | null} TermHits  page id → hit for one term; null when the term matches nothing
 * @typedef {{ ids: string[], scores: Map<string, number>, unmatched: string[] }} Combined
 */

/** A synonym or variant counts a little less than the word the reader typed. */
const VARIANT_WEIGHT = 0.8;
/** Optional words only rank. */
const OPTIONAL_WEIGHT = 0.3;

/**
 * Do the terms stand one after another somewhere (term i at position p + i)?
 * @param {number[][]} positions
 */
export function hasPhrase(positions) {
  const sets = positions.map((p) => new Set(p));
  return (positions[0] ?? []).some((p) => sets.every((set, i) => set.has(p + i)));
}

/**
 * Combine the hits of each term into the honest answer: a page must hold every
 * term of one spelling of every required word; a required word none of whose
 * spellings match anything fails the query (and is reported as `unmatched`).
 * Score: per word the best spelling's mean term score (variants × 0.8), summed over
 * required words, plus optional words × 0.3, so pages about the query (Pagefind's
 * scores weigh title, declared names, headings and term frequency against length)
 * come first.
 * @param {QueryWord[]} words
 * @param {Map<string, TermHits>} hits  every term of every spelling
 * @returns {Combined}
 */
export function combineMatches(words, hits) {
  /** @type {string[]} */
  const unmatched = [];
  /** @type {Map<string, number> | null} */
  let pages = null;
  /** @type {Map<string, number>} */
  const bonus = new Map();
  const wordScores = (/** @type {QueryWord} */ w) => {
    /** @type {Map<string, number>} */
    const best = new Map();
    w.alts.forEach((alt, i) => {
      const lists = alt.terms.map((t) => hits.get(t) ?? null);
      if (!lists.length || lists.some((l) => l === null || l.size === 0)) return;
      const [first, ...rest] = /** @type {[Map<string, TermHit>, ...Array<Map<string, TermHit>>]} */ (lists);
      const phrase = alt.terms.length > 1;
      for (const [id, hit] of first) {
        let sum = hit.score;
        let ok = true;
        /** @type {number[][]} */
        const positions = [hit.pos];
        for (const l of rest) {
          const s = l.get(id);
          if (s === undefined) { ok = false; break; }
          sum += s.score;
          positions.push(s.pos);
        }
        if (!ok) continue;
        // A spelling's terms must stand together (转基因 is not 转基…基因, open source not open…source), unless a term matched only metadata.
        if (phrase && positions.every((p) => p.length) && !hasPhrase(positions)) continue;
        const v = (sum / lists.length) * (i === 0 ? 1 : VARIANT_WEIGHT);
        if (v > (best.get(id) ?? -1)) best.set(id, v);
      }
    });
    return best;
  };
  for (const w of words) {
    const scores = wordScores(w);
    if (w.optional) {
      for (const [id, s] of scores) bonus.set(id, (bonus.get(id) ?? 0) + s * OPTIONAL_WEIGHT);
      continue;
    }
    if (!scores.size) { unmatched.push(w.text); pages = new Map(); continue; }
    if (pages === null) pages = scores;
    else {
      /** @type {Map<string, number>} */
      const next = new Map();
      for (const [id, s] of pages) {
        const t = scores.get(id);
        if (t !== undefined) next.set(id, s + t);
      }
      pages = next;
    }
  }
  // Only optional words (a query of 怎么 or 的): they stand in for themselves.
  if (pages === null) pages = words.length && !unmatched.length ? new Map(bonus) : new Map();
  else for (const [id, s] of pages) pages.set(id, s + (bonus.get(id) ?? 0));
  const ids = [...pages.keys()].sort((a, b) => /** @type {number} */ (pages?.get(b)) - /** @type {number} */ (pages?.get(a)) || (a < b ? -1 : 1));
  return { ids, scores: pages, unmatched };
}

/**
 * Does a result's own text (its indexed content and metadata) hold every required
 * word of the query, in one of its spellings? Pagefind stems Latin terms and matches
 * prefixes (`redis` → `redi` → `redirect`); this is the check against its text.
 * @param {string} text  the result's content and metadata values
 * @param {QueryWord[]} words
 */
export function holdsQuery(text, words) {
  const tokens = indexTokens(text);
  return words.every((w) => w.optional || w.alts.some((a) => a.terms.every((t) => holdsTerm(tokens, t))));
}
