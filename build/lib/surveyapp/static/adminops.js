// Copy buttons beside read-only boxes (links, lists of links). Without this file the
// boxes stay and their text can be selected and copied by hand.
(function () {
  "use strict";
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var box = document.getElementById(button.getAttribute("data-copy"));
    var status = document.getElementById(button.getAttribute("data-copy-status") || "");
    if (!box) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      function done(ok) {
        if (status) { status.textContent = ok ? "Copied." : "Select the text and copy it."; }
      }
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(box.value).then(function () { done(true); }, function () { done(false); });
      } else {
        box.select();
        var ok = false;
        try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
        done(ok);
      }
    });
  });
})();
