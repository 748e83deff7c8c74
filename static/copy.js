// Copy buttons beside read-only boxes (links, lists of links): <button data-copy="BOX-ID"
// data-copy-status="STATUS-ID" data-copied="…" data-not-copied="…">. Without this file the
// boxes stay and their text can be selected and copied by hand.
(function () {
  "use strict";
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var box = document.getElementById(button.getAttribute("data-copy"));
    var status = document.getElementById(button.getAttribute("data-copy-status") || "");
    var copied = button.getAttribute("data-copied") || "Copied.";
    var notCopied = button.getAttribute("data-not-copied") || "Select the text and copy it.";
    if (!box) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      function done(ok) {
        if (status) { status.textContent = ok ? copied : notCopied; }
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
