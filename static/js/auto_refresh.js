// Pages that follow something live (the launch dashboard, an update being sent) reload
// themselves, but only while the reader leaves this checkbox ticked (WCAG 2.2.1: a timed
// refresh the reader can stop; a <meta refresh> cannot be stopped). The choice is kept for
// the tab. Without JavaScript the checkbox stays hidden and the page is simply static.
(function () {
  var box = document.querySelector("input[data-auto-refresh]");
  if (!box) return;
  var key = "auto-refresh:" + location.pathname;
  box.closest("label").hidden = false;
  if (sessionStorage.getItem(key) === "off") box.checked = false;
  var timer = null;
  function schedule() {
    clearTimeout(timer);
    if (box.checked) timer = setTimeout(function () { location.reload(); }, box.dataset.autoRefresh * 1000);
  }
  box.addEventListener("change", function () {
    sessionStorage.setItem(key, box.checked ? "on" : "off");
    schedule();
  });
  schedule();
})();
