// The human check (signatures/defences.py): find the number whose SHA-256, after the salt,
// is the challenge (ALTCHA's protocol), put the answer in the form, and say it is done. A
// few dozen lines with the browser's own WebCrypto: ALTCHA's widget injects styles, which
// this site's Content-Security-Policy (no inline styles) would refuse.
(function () {
  var box = document.querySelector("[data-human-check]");
  if (!box || !window.crypto || !window.crypto.subtle || !window.TextEncoder) return;
  var challenge = JSON.parse(box.getAttribute("data-human-check"));
  var form = box.closest("form");
  var field = form.querySelector('input[name="human"]');
  var status = box.querySelector("[data-human-check-status]");
  var button = form.querySelector('button[type="submit"]');
  var encoder = new TextEncoder();
  button.disabled = true;

  function hex(buffer) {
    return Array.prototype.map.call(new Uint8Array(buffer), function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function done(number) {
    field.value = btoa(JSON.stringify({
      algorithm: challenge.algorithm, challenge: challenge.challenge, number: number,
      salt: challenge.salt, signature: challenge.signature
    }));
    status.textContent = status.getAttribute("data-done");
    button.disabled = false;
    button.focus();
  }

  function search(from) {
    var tries = [];
    for (var n = from; n < Math.min(from + 500, challenge.maxnumber + 1); n++) {
      tries.push(crypto.subtle.digest("SHA-256", encoder.encode(challenge.salt + n)));
    }
    Promise.all(tries).then(function (digests) {
      for (var i = 0; i < digests.length; i++) {
        if (hex(digests[i]) === challenge.challenge) return done(from + i);
      }
      if (from + 500 > challenge.maxnumber) {
        button.disabled = false; // not found: the server will ask again
        return;
      }
      search(from + 500);
    });
  }
  search(0);
})();
