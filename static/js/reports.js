// Reports: while a report renders in the background, poll its status and reload the page when it is finished.
(function () {
  "use strict";
  var box = document.querySelector("[data-status-url]");
  if (!box || box.dataset.finished === "1") { return; }
  var bar = box.querySelector("[data-role=progress]");
  var state = box.querySelector("[data-role=state]");
  var stage = box.querySelector("[data-role=stage]");
  function poll() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        if (data.finished) { window.location.reload(); return; }
        if (bar) { bar.value = data.progress; bar.textContent = data.progress + "%"; }
        if (state) { state.textContent = data.state_label; }
        if (stage) { stage.textContent = data.stage; }
        window.setTimeout(poll, 2000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1500);
})();
