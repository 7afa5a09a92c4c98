// The embedded sign form tells the page around it how tall it is, so the partner's iframe
// grows with errors and shrinks to the check-your-inbox answer (no scroll bar inside the
// frame). The snippet organisers paste listens for this message; nothing else is sent.
(function () {
  "use strict";
  if (window.parent === window) return;
  var last = 0;
  var box = document.querySelector("main") || document.body;
  function tell() {
    // The frame's own bottom edge, border and margin included (the document's scroll height
    // never shrinks below the frame's current height, so it cannot be asked).
    var bottom = box.getBoundingClientRect().bottom + window.scrollY;
    var height = Math.ceil(bottom + parseFloat(getComputedStyle(box).marginBottom || 0)) + 2;
    if (height === last) return;
    last = height;
    window.parent.postMessage({ undersigned: "height", height: height, href: location.href }, "*");
  }
  if (window.ResizeObserver) new ResizeObserver(tell).observe(box);
  window.addEventListener("load", tell);
  tell();
})();
