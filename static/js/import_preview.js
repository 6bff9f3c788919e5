// Import preview: every fix-up form carries the names chosen so far in the confirm form (the page that
// comes back keeps them), and a measure's form shows the date or the period its chosen kind needs.
(function () {
  "use strict";
  var confirm = document.getElementById("confirm");
  var choices = confirm ? confirm.querySelectorAll("select[name^='name_']") : [];
  document.querySelectorAll("form.fix-form").forEach(function (form) {
    form.addEventListener("submit", function () {
      choices.forEach(function (select) {
        var input = document.createElement("input");
        input.type = "hidden";
        input.name = select.name;
        input.value = select.value;
        form.appendChild(input);
      });
    });
  });
  document.querySelectorAll("select[data-role=kind]").forEach(function (select) {
    var form = select.form;
    function update() {
      form.querySelectorAll("[data-kinds]").forEach(function (label) {
        label.hidden = label.dataset.kinds.split(" ").indexOf(select.value) < 0;
      });
    }
    select.addEventListener("change", update);
    update();
  });
})();
