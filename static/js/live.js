// Live tally: poll the cached count endpoint and update the numbers in place, formatted
// for the page's language. Without JavaScript the page shows the number it was rendered with.
(function () {
  "use strict";
  var tally = document.querySelector("[data-count-url]");
  if (!tally || !window.fetch) return;
  var url = tally.getAttribute("data-count-url");
  var interval = parseInt(tally.getAttribute("data-poll-ms") || "1000", 10);
  var language = document.documentElement.lang || undefined;
  // Latin digits in every language, as the server writes them (config/formats/ar).
  var format = new Intl.NumberFormat(language, { numberingSystem: "latn" });
  var plurals = window.Intl && Intl.PluralRules ? new Intl.PluralRules(language) : null;

  function set(element, value) {
    if (!element) return;
    var text = format.format(value);
    if (element.textContent !== text) {
      var changed = element.hasAttribute("data-shown");
      element.textContent = text;
      element.setAttribute("data-shown", "");
      if (changed) {
        element.classList.remove("bump");
        void element.offsetWidth; // restart the animation
        element.classList.add("bump");
      }
    }
  }

  function phrase(n) {  // "people have signed" in the form this number needs (Arabic has six)
    var element = tally.querySelector("[data-count-phrase]");
    if (!element || !plurals) return;
    var text = element.getAttribute("data-" + plurals.select(n)) || element.getAttribute("data-other");
    if (text && element.textContent !== text) element.textContent = text;
  }

  function show(data) {
    set(tally.querySelector('[data-count="signatures"]'), data.signatures);
    // The same number at the top of the page, and the goal's progress bar.
    document.querySelectorAll('[data-count-mirror="signatures"]').forEach(function (element) {
      set(element, data.signatures);
    });
    document.querySelectorAll("progress[data-goal]").forEach(function (bar) {
      bar.value = Math.min(data.signatures, bar.max);
    });
    phrase(data.signatures);
    Object.keys(data.by_profession || {}).forEach(function (key) {
      var n = data.by_profession[key];
      set(tally.querySelector('[data-profession="' + CSS.escape(key) + '"]'), n);
      var meter = tally.querySelector('[data-profession-meter="' + CSS.escape(key) + '"]');
      if (meter) { meter.max = Math.max(data.signatures, 1); meter.value = n; }
    });
  }

  function poll() {
    if (document.hidden) return;
    fetch(url, { headers: { Accept: "application/json" }, cache: "no-cache" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data) show(data); })
      .catch(function () { /* offline for a moment: keep the last number */ });
  }

  poll();
  setInterval(poll, interval);
  document.addEventListener("visibilitychange", poll);
})();
