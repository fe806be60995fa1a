// The search page: Pagefind's JS API with our own query pipeline (search-query.js)
// and a small UI: query box, facets for 人物/公司/产品/标签/类型, date sort,
// readable excerpts. Loaded only on /search/ (as a module; CSP: 'self' + wasm).
import { queryTerms, bigrams, HAN, readableExcerpt, toSimplified, dateLabel } from "./search-query.js";

const root = document.getElementById("search");
const FACETS = ["人物", "公司", "产品", "标签", "类型"];
const FACET_TOP = 8;
const PAGE = 10;

/** @type {any} */ let pf = null;
/** @type {{ t2s: Record<string,string>, vocabulary: string[], shards: string[] }} */ let config = { t2s: {}, vocabulary: [], shards: [] };
/** @type {Set<string>} */ let vocab = new Set();
const selected = new Map(FACETS.map((f) => [f, new Set()]));
let shown = 0;
/** @type {any[]} */ let current = [];
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
const facets = el("div", { class: "kb-facets", role: "group", "aria-label": "筛选结果" });
const facetBox = el("details", { class: "kb-facet-box", open: window.matchMedia("(min-width: 900px)").matches }, el("summary", { text: "筛选：人物、公司、产品、标签、类型" }), facets);
const status = el("p", { class: "kb-status", role: "status", "aria-live": "polite" });
const list = el("ol", { class: "kb-results" });
const more = el("button", { type: "button", class: "kb-more", hidden: true, text: "显示更多结果" });
root.append(form, el("div", { class: "kb-search-layout" }, facetBox, el("div", { class: "kb-results-col" }, status, list, more)));

function activeFilters() {
  /** @type {Record<string, {any: string[]}>} */
  const out = {};
  for (const [k, set] of selected) if (set.size) out[k] = { any: [...set] };
  return out;
}

/** All bigrams of each Han run (no word cutting): results that hold the exact phrase rank first. */
function phraseTerms(query) {
  const q = toSimplified(query, config.t2s);
  const out = [];
  for (const part of q.split(/\s+/)) {
    if (!part) continue;
    if (HAN.test(part)) for (const run of part.match(/[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+/g) ?? []) out.push(...bigrams(run));
    else out.push(...queryTerms(part, config.t2s, vocab));
  }
  return out;
}

/** Search and return Pagefind result handles, exact phrases first. */
async function runSearch(query, filters, bySort) {
  const terms = queryTerms(query, config.t2s, vocab);
  const options = { filters, ...(bySort === "date" ? { sort: { date: "desc" } } : {}) };
  if (!terms.length) {
    if (!Object.keys(filters).length) return { results: [], filters: null };
    const all = await pf.search(null, options);
    return { results: all.results, filters: all.filters };
  }
  const relaxed = await pf.search(terms.join(" "), options);
  const strictTerms = phraseTerms(query);
  if (bySort === "date" || strictTerms.join(" ") === terms.join(" ")) return { results: relaxed.results, filters: relaxed.filters };
  const strict = await pf.search(strictTerms.join(" "), options);
  const seen = new Set(strict.results.map((r) => r.id));
  return { results: [...strict.results, ...relaxed.results.filter((r) => !seen.has(r.id))], filters: relaxed.filters };
}

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
  for (const d of datas) {
    const meta = d.meta ?? {};
    const item = el("li", { class: "kb-result" });
    item.append(el("h2", { class: "kb-result-title" }, el("a", { href: d.url, text: meta.title ?? d.url })));
    item.append(el("p", { class: "note-meta", text: [meta.kind, meta.date ? dateLabel(meta.date) : ""].filter(Boolean).join(" · ") }));
    item.append(excerptNode(d.excerpt));
    const subs = (d.sub_results ?? []).filter((s) => s.url !== d.url && s.url.includes("#")).slice(0, 2);
    if (subs.length) {
      const ul = el("ul", { class: "kb-subresults" });
      for (const s of subs) {
        const title = readableExcerpt(s.title ?? "").map((x) => x.text).join("");
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
    if (!values.length) continue;
    values.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0], "zh-CN"));
    const fs = el("fieldset", { class: "kb-facet" }, el("legend", { text: name }));
    const ul = el("ul");
    values.forEach(([value, n], i) => {
      const id = `f-${FACETS.indexOf(name)}-${i}`;
      const box = el("input", { type: "checkbox", id, checked: selected.get(name).has(value), "data-facet": name, "data-value": value });
      box.addEventListener("change", () => {
        if (box.checked) selected.get(name).add(value);
        else selected.get(name).delete(value);
        search();
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
    if (again) {
      again.closest(".kb-facet")?.classList.add("kb-open");
      again.focus();
    }
  }
}

async function search() {
  const gen = ++generation;
  const query = input.value.trim();
  const url = new URL(window.location.href);
  if (query) url.searchParams.set("q", query); else url.searchParams.delete("q");
  history.replaceState(null, "", url);
  const filters = activeFilters();
  if (!query && !Object.keys(filters).length) {
    list.textContent = ""; status.textContent = "输入关键词开始搜索，或在左侧按人物、公司筛选。"; more.hidden = true;
    renderFacets(await pf.filters());
    return;
  }
  status.textContent = "正在搜索…";
  const { results, filters: counts } = await runSearch(query, filters, sort.value);
  if (gen !== generation) return;
  current = results; shown = 0; list.textContent = "";
  renderFacets(counts ?? (await pf.filters()));
  await renderMore();
  if (gen !== generation) return;
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
form.addEventListener("submit", (e) => { e.preventDefault(); clearTimeout(timer); search(); });
sort.addEventListener("change", search);
more.addEventListener("click", renderMore);

async function start() {
  const bundle = new URL(root.getAttribute("data-bundle") ?? "/pagefind/", window.location.href);
  status.textContent = "正在载入搜索…";
  pf = await import(new URL("pagefind.js", bundle).href);
  config = await (await fetch(new URL("kb-search.json", bundle))).json();
  vocab = new Set(config.vocabulary);
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
  input.value = new URL(window.location.href).searchParams.get("q") ?? "";
  await search();
}

/** For tests and scripts: the note URLs a query returns, in order. */
window.kbSearch = async (query, filters = {}) => {
  const { results } = await runSearch(query, Object.fromEntries(Object.entries(filters).map(([k, v]) => [k, { any: v }])), "relevance");
  const datas = await Promise.all(results.map((r) => r.data()));
  return datas.map((d) => d.url);
};

window.kbSearchReady = start().catch((err) => {
  status.textContent = `搜索载入失败：${err.message}`;
  throw err;
});
