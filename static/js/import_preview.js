// Import preview: every fix-up form carries the names chosen so far in the confirm form, so the page that
// comes back keeps them.
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
})();
