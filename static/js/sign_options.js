// The sign form's optional parts show only when they apply: the organisation's name once
// "for an organisation" is chosen, the profile link once "public figure" is ticked. Without
// JavaScript both stay visible, with their help text saying when they are needed.
(function () {
  var form = document.querySelector(".sign-form");
  if (!form) return;
  function toggle(selector, shown) {
    var field = form.querySelector(selector);
    if (field && !field.classList.contains("field--error")) field.hidden = !shown;
  }
  function update() {
    var organisation = form.querySelector('input[name="signing_as"][value="organisation"]');
    var figure = form.querySelector('input[name="public_figure"]');
    toggle(".field--organisation", organisation && organisation.checked);
    toggle(".field--claim", figure && figure.checked);
  }
  form.addEventListener("change", update);
  update();
})();
