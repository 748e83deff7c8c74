// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // A second click on Submit must not send a second request; the server would
  // store one response anyway (one-time submission key), this just saves the trip.
  document.querySelectorAll("form").forEach(function (form) {
    var sent = false;
    form.addEventListener("submit", function (event) {
      var submitter = event.submitter;
      if (!submitter || !submitter.hasAttribute("data-once")) { return; }
      if (sent) { event.preventDefault(); return; }
      sent = true;
      submitter.setAttribute("aria-disabled", "true");
      submitter.classList.add("sending");
    });
  });
  // Move focus to the first answer that needs attention.
  var first = document.querySelector("[aria-invalid='true']");
  if (first && document.activeElement !== first) { first.focus(); }
})();
