// The check-your-inbox page, while it stays open: if the confirmation email bounces, show
// why (the page, reloaded, says so and how to sign again with the right address).
// A refusal comes within seconds, a bounce within minutes: ask often at first, then less,
// for ten minutes, and not while the page is hidden (its reader is in their mail app); ask
// once as they come back. On launch day every signer has this page open.
(function () {
  var page = document.querySelector("[data-inbox-status]");
  if (!page || !window.fetch) return;
  var url = page.getAttribute("data-inbox-status");
  var waits = [5, 5, 10, 10, 20, 30, 60]; // seconds; then a minute each time
  var opened = Date.now();
  var asked = 0;
  var timer = null;
  var busy = false;

  function ask() {
    timer = null;
    if (busy || Date.now() - opened > 600000) return; // ten minutes
    busy = true;
    asked++;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (answer) { return answer.ok ? answer.json() : null; })
      .then(function (status) {
        busy = false;
        if (status && status.undeliverable) window.location.reload();
        else later();
      })
      .catch(function () {
        busy = false;
        later();
      });
  }

  function later() {
    if (timer || busy || document.hidden) return;
    timer = setTimeout(ask, waits[Math.min(asked, waits.length - 1)] * 1000);
  }

  document.addEventListener("visibilitychange", function () {
    if (document.hidden) {
      clearTimeout(timer);
      timer = null;
    } else if (!timer) {
      ask();
    }
  });
  later();
})();
