// Error pages: 返回上一页 goes back in the browser's history when no previous page of the site is known.
(function () {
  "use strict";
  if (window.history.length < 2) { return; }
  document.querySelectorAll("[data-history-back]").forEach(function (link) {
    link.hidden = false;
    link.addEventListener("click", function (event) {
      event.preventDefault();
      window.history.back();
    });
  });
})();
