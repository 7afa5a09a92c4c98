// A chart wider than a phone opens scrolled to its right end (today), not to its oldest day,
// which on a quiet letter looks empty. Without JavaScript it opens at the start.
(function () {
  "use strict";
  document.querySelectorAll("[data-scroll-to-end]").forEach(function (box) {
    box.scrollLeft = box.scrollWidth;
  });
})();
