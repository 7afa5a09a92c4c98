// The organisers' queue: a checkbox in the table's head ticks or unticks every row of the
// page (without JavaScript it stays hidden and each row is ticked on its own). A checkbox,
// so the keyboard reaches it with Tab and toggles it with Space like the rows.
(function () {
  document.querySelectorAll("input[data-select-all]").forEach(function (all) {
    var rows = Array.prototype.slice.call(
      document.querySelectorAll('input[type="checkbox"][name="' + all.dataset.selectAll + '"]')
    );
    if (!rows.length) return;
    all.hidden = false;
    function sync() {
      var ticked = rows.filter(function (row) { return row.checked; }).length;
      all.checked = ticked === rows.length;
      all.indeterminate = ticked > 0 && ticked < rows.length;
    }
    all.addEventListener("change", function () {
      rows.forEach(function (row) { row.checked = all.checked; });
    });
    rows.forEach(function (row) { row.addEventListener("change", sync); });
    sync();
  });
})();
