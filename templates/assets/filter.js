// Directory pages: filter-as-you-type over names and aliases. Progressive
// enhancement: without JavaScript the full list is shown and the box stays hidden.
(function () {
  "use strict";
  var box = document.querySelector("[data-filter-for]");
  if (!box) return;
  var list = document.getElementById(box.getAttribute("data-filter-for"));
  var input = box.querySelector("input");
  var status = box.querySelector("[role=status]");
  if (!list || !input) return;
  box.hidden = false;
  var items = Array.prototype.slice.call(list.children);
  input.addEventListener("input", function () {
    var q = input.value.trim().toLowerCase(), shown = 0;
    items.forEach(function (li) {
      li.hidden = q !== "" && (li.getAttribute("data-names") || "").toLowerCase().indexOf(q) === -1;
      if (!li.hidden) shown++;
    });
    if (status) status.textContent = q === "" ? "" : shown ? "显示 " + shown + " / " + items.length + " 项" : "没有匹配「" + input.value.trim() + "」的条目";
  });
})();
