// Search page: Pagefind's UI with filters, the query taken from `?q=` so the
// header form (a plain GET form) lands on results. Loaded only on /search/.
(function () {
  "use strict";
  function start() {
    var el = document.getElementById("search");
    if (!el || typeof PagefindUI === "undefined") return;
    var ui = new PagefindUI({
      element: "#search",
      bundlePath: el.getAttribute("data-bundle"),
      showSubResults: true,
      showImages: false,
      resetStyles: false,
      pageSize: 10,
      excerptLength: 40,
      translations: {
        placeholder: "搜索笔记、人物、公司…",
        zero_results: "没有找到与「[SEARCH_TERM]」相关的笔记",
        many_results: "找到 [COUNT] 篇与「[SEARCH_TERM]」相关的笔记",
        one_result: "找到 1 篇与「[SEARCH_TERM]」相关的笔记",
        filters_label: "筛选",
        load_more: "加载更多",
        search_label: "搜索本站",
        clear_search: "清除",
        searching: "正在搜索「[SEARCH_TERM]」…"
      }
    });
    var input = el.querySelector("input");
    if (input && !input.getAttribute("aria-label")) input.setAttribute("aria-label", "搜索本站");
    var q = new URLSearchParams(window.location.search).get("q");
    if (q) ui.triggerSearch(q);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
