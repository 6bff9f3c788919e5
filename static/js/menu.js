// On a phone, fold what a wide screen shows open: the site menu (base.html, behind ☰ 菜单) and blocks marked
// data-phone-fold (a list's filters) unless data-keep-open (filters in use). Runs right after the header, so a
// phone never paints the menu open; without script every <details> stays open and still folds by hand.
(function () {
  "use strict";
  var phone = window.matchMedia("(max-width: 640px)");
  function fit() {
    document.querySelectorAll("[data-site-menu], [data-phone-fold]").forEach(function (block) {
      block.open = !phone.matches || block.hasAttribute("data-keep-open");
    });
  }
  fit();
  document.addEventListener("DOMContentLoaded", fit);
  phone.addEventListener("change", fit);
})();
