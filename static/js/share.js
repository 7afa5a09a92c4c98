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

// The phone's own share sheet (Web Share API) where there is one; the links stay as well.
(function () {
  "use strict";
  var button = document.querySelector("[data-native-share]");
  if (!button || !navigator.share) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.share({ title: button.dataset.title, url: button.dataset.url }).catch(function () {
      /* dismissed: nothing to do */
    });
  });
})();
