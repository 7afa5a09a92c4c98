// Pages shared through the edge cache carry no CSRF token (front/deferred_csrf.py). When
// someone starts filling in such a form, fetch a token of their own (it also sets the CSRF
// cookie) and a form timestamp of their own (the page's is shared by everyone who got it); a
// form sent before the token arrived waits for it. Without JavaScript the server asks once more.
(function () {
  "use strict";
  var fields = document.querySelectorAll("input[data-csrf-url]");
  if (!fields.length || !window.fetch) return;
  var pending = null;

  function token() {
    if (!pending) {
      pending = fetch(fields[0].getAttribute("data-csrf-url"), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) {
          if (!response.ok) throw new Error("csrf " + response.status);
          return response.json();
        })
        .then(function (data) {
          fields.forEach(function (field) {
            field.value = data.token;
            var started = field.form && field.form.querySelector("input[name=started]");
            if (started && data.started) started.value = data.started;
          });
          return data.token;
        })
        .catch(function (error) {
          pending = null; // try again on the next interaction
          throw error;
        });
    }
    return pending;
  }

  function deferred(form) {
    return form && form.querySelector && form.querySelector("input[data-csrf-url]");
  }

  document.addEventListener("focusin", function (event) {
    if (deferred(event.target.form)) token().catch(function () {});
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var field = deferred(form);
    if (!field || field.value) return;
    event.preventDefault();
    var submitter = event.submitter;
    token().then(
      function () {
        if (form.requestSubmit) form.requestSubmit(submitter || undefined);
        else form.submit();
      },
      function () { form.submit(); } // the server answers with a form that has a token
    );
  });
})();
