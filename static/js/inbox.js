// The check-your-inbox page, while it stays open: if the confirmation email bounces, show
// why (the page, reloaded, says so and how to sign again with the right address).
(function () {
  var page = document.querySelector("[data-inbox-status]");
  if (!page || !window.fetch) return;
  var url = page.getAttribute("data-inbox-status");
  var tries = 0;
  var timer = setInterval(function () {
    if (++tries > 120) return clearInterval(timer); // ten minutes
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (answer) { return answer.ok ? answer.json() : null; })
      .then(function (status) {
        if (status && status.undeliverable) {
          clearInterval(timer);
          window.location.reload();
        }
      })
      .catch(function () {});
  }, 5000);
})();
