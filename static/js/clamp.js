// Long texts in the ledger are clamped to two lines (app.css, .clamp); a cell whose text is cut gets a small ▾
// button in its corner (展开) that shows it whole, and ▴ (收起) again.
(function () {
  "use strict";
  document.querySelectorAll(".ledger td.measure, .ledger td.task, .ledger td.sec").forEach(function (cell) {
    var text = cell.querySelector(".clamp") || cell;
    if (text.scrollHeight <= text.clientHeight + 1) { return; }
    var toggle = document.createElement("button");
    toggle.type = "button";
    toggle.className = "link clamp-toggle";
    function show(open) {
      toggle.textContent = open ? "▴" : "▾";
      toggle.title = open ? "收起" : "展开";
      toggle.setAttribute("aria-label", toggle.title);
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    }
    show(false);
    toggle.addEventListener("click", function () { show(cell.classList.toggle("expanded")); });
    cell.classList.add("clamped");
    cell.appendChild(toggle);
  });
})();
