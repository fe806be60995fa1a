// Directory pages: filter-as-you-type over names and aliases. Progressive
// enhancement: without JavaScript the full list is shown and the box stays hidden.
(function () {
  "use strict";
  var box = document.querySelector("[data-filter-for]");
  if (!box) return;
  var list = document.getElementById(box.getAttribute("data-filter-for"));
  var input = box.querySelector("input");
  if (!list || !input) return;
  box.hidden = false;
  var items = Array.prototype.slice.call(list.children);
  input.addEventListener("input", function () {
    var q = input.value.trim().toLowerCase();
    items.forEach(function (li) {
      li.hidden = q !== "" && (li.getAttribute("data-names") || "").toLowerCase().indexOf(q) === -1;
    });
  });
})();
