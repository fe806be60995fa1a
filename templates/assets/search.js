// The search page: Pagefind's JS API with our own query pipeline (search-query.js)
// and a small UI: one query box, facets for 人物/公司/产品/标签/类型 (behind a 筛选
// button on phones) with active-filter chips, date sort, readable excerpts, and
// 「没有找到」 with suggestions. The query, sort and filters live in the URL
// (?q=…&sort=date&人物=黄仁勋), pushed on each committed search so the back button
// works. Loaded only on /search/ (as a module; CSP: 'self' + wasm).
import { parseQuery, queryContext, combineMatches, holdsTerm, holdsQuery, indexTokens, closestEntities, readableExcerpt, dateLabel, HAN } from "./search-query.js";

const root = document.getElementById("search");
/** The facets, in order: the build names them (one table of entity types, src/entities/registry.ts). */
/** @type {string[]} */
const FACETS = JSON.parse(root?.dataset.facets ?? "[]");
const FACET_TOP = 8;
const PAGE = 10;

/** @type {any} */ let pf = null;
/** @type {any} */ let config = { t2s: {}, vocabulary: [], shards: [], optional: [], synonyms: [], entities: [] };
/** @type {ReturnType<typeof queryContext>} */ let ctx = queryContext({});
const selected = new Map(FACETS.map((f) => [f, new Set()]));
let shown = 0;
/** @type {any[]} */ let current = [];
/** The words of the shown query, and how many of `current` were checked against them already (the rest are checked as shown). */
/** @type {any[]} */ let currentWords = [];
let checkedUpto = 0;
let generation = 0;

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "text") node.textContent = String(v);
    else node.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children) if (c) node.append(c);
  return node;
}

const form = el("form", { class: "kb-search-form", role: "search" });
const label = el("label", { for: "kb-q", text: "搜索本站" });
const input = el("input", { id: "kb-q", type: "search", name: "q", autocomplete: "off", placeholder: "人物、公司、话题，如：英伟达芯片、OpenAI 收入" });
const sort = el("select", { id: "kb-sort", "aria-label": "排序" }, el("option", { value: "relevance", text: "按相关度" }), el("option", { value: "date", text: "按日期（新→旧）" }));
const submit = el("button", { type: "submit", text: "搜索" });
form.append(label, el("div", { class: "kb-search-row" }, input, sort, submit));
const facets = el("div", { class: "kb-facets", id: "kb-facets", role: "group", "aria-label": "筛选结果" });
const facetToggle = el("button", { type: "button", class: "kb-facet-toggle", "aria-expanded": "false", "aria-controls": "kb-facets", text: "筛选" });
const facetBox = el("div", { class: "kb-facet-box" }, facetToggle, facets);
const chips = el("div", { class: "kb-chips", hidden: true });
const status = el("p", { class: "kb-status", role: "status", "aria-live": "polite" });
const suggest = el("div", { class: "kb-suggest", hidden: true });
const list = el("ol", { class: "kb-results" });
const more = el("button", { type: "button", class: "kb-more", hidden: true, text: "显示更多结果" });
root.append(form, el("div", { class: "kb-search-layout" }, facetBox, el("div", { class: "kb-results-col" }, chips, status, suggest, list, more)));

facetToggle.addEventListener("click", () => {
  const open = facetToggle.getAttribute("aria-expanded") !== "true";
  facetToggle.setAttribute("aria-expanded", String(open));
  facetBox.classList.toggle("kb-open", open);
});

function activeFilters() {
  /** @type {Record<string, {any: string[]}>} */
  const out = {};
  for (const [k, set] of selected) if (set.size) out[k] = { any: [...set] };
  return out;
}

// ---- matching -------------------------------------------------------------

/** A result's text as the checks read it: its content and its metadata. */
const textOf = (d) => [d.content ?? "", ...Object.values(d.meta ?? {})].join(" ");

/** Pagefind's search options for the filters and sort. */
const searchOptions = (filters, bySort) => ({ filters, ...(bySort === "date" ? { sort: { date: "desc" } } : {}) });

/** Per term, for the session: page id → score, and a handle per page; null when the term matches nothing. */
const termCache = new Map();

/**
 * One term, searched alone (Pagefind would drop a term that matches nothing from a
 * longer query, or fall back to a shorter prefix: `一言` → `一`). The top result is
 * checked for the term itself; if it lacks it, every result is such a fallback.
 */
function searchTerm(term) {
  if (!termCache.has(term)) termCache.set(term, (async () => {
    const r = await pf.search(term);
    if (!r.results.length) return null;
    const top = await r.results[0].data();
    const tokens = indexTokens(textOf(top));
    if (!holdsTerm(tokens, term)) return null;
    return { scores: new Map(r.results.map((x) => [x.id, { score: x.score, pos: x.words ?? [] }])), handles: new Map(r.results.map((x) => [x.id, x])) };
  })());
  return termCache.get(term);
}

let filterCache = { key: "", ids: /** @type {Promise<string[]> | null} */ (null) };
/** Page ids that pass the filters, in date order when sorting by date. */
function filteredIds(filters, bySort) {
  const key = JSON.stringify([filters, bySort]);
  if (filterCache.key !== key || !filterCache.ids) {
    filterCache = { key, ids: pf.search(null, searchOptions(filters, bySort)).then((r) => r.results.map((x) => x.id)) };
  }
  return filterCache.ids;
}

/**
 * Search: every required word must match (one of its spellings, all terms of it);
 * optional words rank. Returns result handles in order, facet counts and what did
 * not match.
 */
async function runSearch(query, filters, bySort) {
  const words = parseQuery(query, ctx);
  const hasFilters = Object.keys(filters).length > 0;
  if (!words.length) {
    if (!hasFilters) return { results: [], checked: 0, filters: null, words, unmatched: [] };
    const all = await pf.search(null, searchOptions(filters, bySort));
    return { results: all.results, checked: all.results.length, filters: all.filters, words, unmatched: [] };
  }
  const terms = [...new Set(words.flatMap((w) => w.alts.flatMap((a) => a.terms)))];
  const found = await Promise.all(terms.map(searchTerm));
  const hits = new Map(terms.map((t, i) => [t, found[i] ? found[i].scores : null]));
  const { ids, unmatched } = combineMatches(words, hits);
  // One display search over the matched words' first spellings: its excerpts mark all of them, and it gives the facet counts.
  const shownTerms = words.flatMap((w) => w.alts.find((a) => a.terms.every((t) => hits.get(t)))?.terms ?? []);
  const display = shownTerms.length ? await pf.search(shownTerms.join(" "), { filters }) : { results: [], filters: null };
  const byId = new Map(display.results.map((x) => [x.id, x]));
  let order = ids;
  if (hasFilters || bySort === "date") {
    const allowed = await filteredIds(filters, bySort);
    const keep = new Set(ids);
    order = bySort === "date" ? allowed.filter((id) => keep.has(id)) : ((a) => ids.filter((id) => a.has(id)))(new Set(allowed));
  }
  const handle = (id) => byId.get(id) ?? terms.map((t, i) => found[i]?.handles.get(id)).find(Boolean);
  const { results, checked } = await verified(order.map(handle).filter(Boolean), words, PAGE);
  return { results, checked, filters: display.filters, words, unmatched };
}

/**
 * Drop results whose own text lacks a required word (Pagefind's stemmed prefix
 * matches). The first `upto` are checked now (their fragments are the ones shown
 * first, so this costs no extra bytes); later ones as they are shown.
 */
async function verified(results, words, upto) {
  const head = results.slice(0, upto);
  const datas = await Promise.all(head.map((r) => r.data()));
  const ok = head.filter((r, i) => holdsQuery(textOf(datas[i]), words));
  // Result handles are shared between queries (termCache): what is still unchecked is said by position, not marked on them.
  return { results: [...ok, ...results.slice(upto)], checked: ok.length };
}

// ---- rendering ------------------------------------------------------------

function excerptNode(excerpt) {
  const p = el("p", { class: "kb-excerpt" });
  for (const seg of readableExcerpt(excerpt ?? "")) p.append(seg.mark ? el("mark", { text: seg.text }) : document.createTextNode(seg.text));
  return p;
}

async function renderMore() {
  const gen = generation;
  const slice = current.slice(shown, shown + PAGE);
  const datas = await Promise.all(slice.map((r) => r.data()));
  if (gen !== generation) return;
  for (const [i, d] of datas.entries()) {
    // Beyond the first page, results are checked as they are shown.
    if (shown + i >= checkedUpto && !holdsQuery(textOf(d), currentWords)) continue;
    const meta = d.meta ?? {};
    const item = el("li", { class: "kb-result" });
    item.append(el("h2", { class: "kb-result-title" }, el("a", { href: d.url, text: meta.title ?? d.url })));
    item.append(el("p", { class: "note-meta", text: [meta.kind, meta.date ? dateLabel(meta.date) : ""].filter(Boolean).join(" · ") }));
    item.append(excerptNode(d.excerpt));
    const subs = (d.sub_results ?? []).filter((s) => s.url !== d.url && s.url.includes("#")).slice(0, 2);
    if (subs.length) {
      const ul = el("ul", { class: "kb-subresults" });
      for (const s of subs) {
        const title = readableExcerpt(s.title ?? "").map((x) => x.text).join("").trim();
        ul.append(el("li", {}, el("a", { href: s.url, text: title || "段落" }), excerptNode(s.excerpt)));
      }
      item.append(ul);
    }
    list.append(item);
  }
  shown += slice.length;
  more.hidden = shown >= current.length;
}

function renderFacets(counts) {
  // Values re-sort as counts change: focus goes back to the same value, not the same place.
  const active = document.activeElement;
  const focused = active && active.dataset && active.dataset.facet ? [active.dataset.facet, active.dataset.value] : null;
  facets.textContent = "";
  for (const name of FACETS) {
    const values = Object.entries(counts?.[name] ?? {}).filter(([v, n]) => n > 0 || selected.get(name).has(v));
    for (const v of selected.get(name)) if (!values.some(([x]) => x === v)) values.push([v, 0]);
    if (!values.length) continue;
    values.sort((a, b) => Number(selected.get(name).has(b[0])) - Number(selected.get(name).has(a[0])) || b[1] - a[1] || a[0].localeCompare(b[0], "zh-CN"));
    const fs = el("fieldset", { class: "kb-facet" }, el("legend", { text: name }));
    const ul = el("ul");
    values.forEach(([value, n], i) => {
      const id = `f-${FACETS.indexOf(name)}-${i}`;
      const box = el("input", { type: "checkbox", id, checked: selected.get(name).has(value), "data-facet": name, "data-value": value });
      box.addEventListener("change", () => {
        if (box.checked) selected.get(name).add(value);
        else selected.get(name).delete(value);
        search({ push: true });
      });
      const li = el("li", { class: i >= FACET_TOP && !selected.get(name).has(value) ? "kb-extra" : null }, box, el("label", { for: id }, document.createTextNode(value), el("span", { class: "count", text: ` ${n}` })));
      ul.append(li);
    });
    fs.append(ul);
    if (values.length > FACET_TOP) {
      const toggle = el("button", { type: "button", class: "kb-facet-more", "aria-expanded": "false", text: `显示全部 ${values.length} 项` });
      toggle.addEventListener("click", () => {
        const open = fs.classList.toggle("kb-open");
        toggle.setAttribute("aria-expanded", String(open));
        toggle.textContent = open ? "收起" : `显示全部 ${values.length} 项`;
      });
      fs.append(toggle);
    }
    facets.append(fs);
  }
  if (focused) {
    const again = [...facets.querySelectorAll("input[type=checkbox]")].find((b) => b.dataset.facet === focused[0] && b.dataset.value === focused[1]);
    if (again) again.focus();
  }
  renderChips();
}

function renderChips() {
  chips.textContent = "";
  let n = 0;
  for (const [name, set] of selected) {
    for (const value of set) {
      n++;
      const b = el("button", { type: "button", class: "kb-chip", "aria-label": `取消筛选 ${name}：${value}` }, document.createTextNode(`${name}：${value}`), el("span", { "aria-hidden": "true", text: " ×" }));
      b.addEventListener("click", () => { set.delete(value); search({ push: true }); });
      chips.append(b);
    }
  }
  facetToggle.textContent = n ? `筛选（${n}）` : "筛选";
  if (n) {
    const clear = el("button", { type: "button", class: "kb-clear", text: "清除筛选" });
    clear.addEventListener("click", () => { for (const s of selected.values()) s.clear(); search({ push: true }); });
    chips.append(clear);
  }
  chips.hidden = n === 0;
}

/** 「没有找到」: the closest entity pages and the query without the words that matched nothing. */
function renderSuggestions(words, unmatched) {
  suggest.textContent = "";
  const offers = [];
  const required = words.filter((w) => !w.optional);
  const asked = (q) => {
    const b = el("button", { type: "button", class: "kb-suggest-query", text: q });
    b.addEventListener("click", () => { input.value = q; search({ push: true }); });
    return b;
  };
  const seen = new Set();
  const pages = [];
  for (const w of unmatched.length ? unmatched : required.map((x) => x.text)) {
    for (const e of closestEntities(w, config.entities, config.t2s)) {
      // A Latin name one edit away is a likely typo: offer it, in place of the word, as the query itself.
      if (!HAN.test(w) && e.distance <= 1 && !seen.has(e.spelling)) {
        seen.add(e.spelling);
        const fixed = required.map((x) => (x.text === w ? e.spelling : x.text)).join(" ");
        offers.push(el("p", {}, document.createTextNode("你要找的是不是 "), asked(fixed), document.createTextNode("？")));
      }
      if (!seen.has(e.url)) { seen.add(e.url); pages.push(el("a", { href: e.url, text: e.name })); }
    }
  }
  if (pages.length) offers.push(el("p", {}, document.createTextNode("相关页面："), ...pages.slice(0, 5).flatMap((a, i) => (i ? [document.createTextNode("、"), a] : [a]))));
  const drop = unmatched.length ? [unmatched] : required.length > 1 ? required.map((w) => [w.text]) : [];
  for (const gone of drop.slice(0, 3)) {
    const rest = required.filter((w) => !gone.includes(w.text)).map((w) => w.text).join(" ");
    if (rest) offers.push(el("p", {}, document.createTextNode(`去掉「${gone.join("、")}」再搜：`), asked(rest)));
  }
  suggest.append(...offers.slice(0, 5));
  suggest.hidden = offers.length === 0;
}

// ---- the URL --------------------------------------------------------------

function stateUrl() {
  const url = new URL(window.location.href);
  url.search = "";
  const q = input.value.trim();
  if (q) url.searchParams.set("q", q);
  if (sort.value === "date") url.searchParams.set("sort", "date");
  for (const [name, set] of selected) for (const v of set) url.searchParams.append(name, v);
  return url;
}

function restoreFromUrl() {
  const params = new URL(window.location.href).searchParams;
  input.value = params.get("q") ?? "";
  sort.value = params.get("sort") === "date" ? "date" : "relevance";
  for (const [name, set] of selected) { set.clear(); for (const v of params.getAll(name)) set.add(v); }
}

async function search({ push = false, fromUrl = false } = {}) {
  const gen = ++generation;
  const query = input.value.trim();
  if (!fromUrl) {
    const url = stateUrl();
    if (url.href !== window.location.href) {
      if (push) history.pushState(null, "", url);
      else history.replaceState(null, "", url);
    }
  }
  const filters = activeFilters();
  suggest.hidden = true;
  if (!query && !Object.keys(filters).length) {
    list.textContent = ""; status.textContent = "输入关键词开始搜索，或按人物、公司筛选。"; more.hidden = true;
    renderFacets(await pf.filters());
    return;
  }
  status.textContent = "正在搜索…";
  const { results, checked, filters: counts, words, unmatched } = await runSearch(query, filters, sort.value);
  if (gen !== generation) return;
  current = results; currentWords = words; checkedUpto = checked; shown = 0; list.textContent = "";
  renderFacets(counts ?? (await pf.filters()));
  await renderMore();
  if (gen !== generation) return;
  if (!results.length && query) renderSuggestions(words, unmatched);
  // The status line is announced to screen readers, and tests wait on it: set it last.
  status.textContent = results.length ? `找到 ${results.length} 篇${query ? `与「${query}」相关的` : ""}笔记` : `没有找到${query ? `与「${query}」相关的` : ""}笔记`;
}

let timer = 0;
// A pinyin (or any IME) composition is not a query yet: "yingweida" is searched only once the
// reader has picked 英伟达 (compositionend), never letter by letter while composing.
input.addEventListener("input", (e) => {
  if (/** @type {InputEvent} */ (e).isComposing) return;
  clearTimeout(timer);
  timer = setTimeout(search, 250);
});
input.addEventListener("compositionend", () => { clearTimeout(timer); timer = setTimeout(search, 250); });
form.addEventListener("submit", (e) => { e.preventDefault(); clearTimeout(timer); search({ push: true }); });
sort.addEventListener("change", () => search({ push: true }));
more.addEventListener("click", renderMore);
window.addEventListener("popstate", () => { restoreFromUrl(); search({ fromUrl: true }); });

async function start() {
  const bundle = new URL(root.getAttribute("data-bundle") ?? "/pagefind/", window.location.href);
  status.textContent = "正在载入搜索…";
  pf = await import(new URL("pagefind.js", bundle).href);
  config = await (await fetch(new URL("kb-search.json", bundle))).json();
  ctx = queryContext(config, config.t2s);
  // pageLength 0.2 (default 0.75): long transcripts that declare an entity in their
  // metadata should outrank a short digest item that mentions it once.
  // metaWeights: names a note's metadata declares count most, then who wrote or spoke,
  // then names it mentions (their aliases make 英伟达 find NVIDIA); see records.ts.
  await pf.options({ excerptLength: 36, ranking: { pageLength: 0.2, metaWeights: { title: 10, declared: 6, people: 3, mentioned: 1, date: 0, kind: 0 } } });
  // Pagefind picks its query handling from <html lang>: for zh-CN it would re-cut
  // our bigram terms with Intl.Segmenter. The index is built as `en` (see
  // src/search/query.js), so the wrapper is created while the page says `en`.
  const html = document.documentElement;
  const pageLang = html.getAttribute("lang");
  html.setAttribute("lang", "en");
  const ready = pf.init();
  html.setAttribute("lang", pageLang ?? "zh-CN");
  await ready;
  for (const shard of config.shards) await pf.mergeIndex(new URL(shard, new URL("../", bundle)).href, { language: "en" });
  // Filter counts come back with results only once the filter index is loaded.
  await pf.filters();
  restoreFromUrl();
  await search({ fromUrl: true });
}

/** For tests and scripts: the note URLs a query returns, in order. */
window.kbSearch = async (query, filters = {}) => {
  const { results, checked, words } = await runSearch(query, Object.fromEntries(Object.entries(filters).map(([k, v]) => [k, { any: v }])), "relevance");
  const datas = await Promise.all(results.map((r) => r.data()));
  return datas.filter((d, i) => i < checked || holdsQuery(textOf(d), words)).map((d) => d.url);
};

window.kbSearchReady = start().catch((err) => {
  status.textContent = `搜索载入失败：${err.message}`;
  throw err;
});
