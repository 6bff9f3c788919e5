// A measure's kind decides which of its fields apply: a form shows the elements marked data-kinds="once
// recurring" only while its select[data-role=kind] holds one of those kinds (a date, a period).
(function () {
  "use strict";
  document.querySelectorAll("select[data-role=kind]").forEach(function (select) {
    var form = select.form;
    function update() {
      form.querySelectorAll("[data-kinds]").forEach(function (element) {
        element.hidden = element.dataset.kinds.split(" ").indexOf(select.value) < 0;
      });
    }
    select.addEventListener("change", update);
    update();
  });
})();
