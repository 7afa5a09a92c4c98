// "Copy link": shown only where the clipboard API exists; the other share links are plain.
(function () {
  "use strict";
  var button = document.querySelector("[data-copy]");
  if (!button || !navigator.clipboard) return;
  var status = document.querySelector(".copy-status");
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(button.getAttribute("data-copy")).then(function () {
      if (status) status.textContent = status.getAttribute("data-copied");
    });
  });
})();
