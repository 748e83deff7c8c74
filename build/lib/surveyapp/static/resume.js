// Progressive enhancement: the link is a read-only text field anyone can select and copy;
// this adds a Copy button that puts it on the clipboard and says so.
(function () {
  "use strict";
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    var status = document.querySelector("[data-copy-status]");
    var holder = button.closest("[data-texts]");  // the interface texts, in the page's language
    var texts = holder ? JSON.parse(holder.getAttribute("data-texts")) : {};
    var copied = texts.copied || "Link copied.";
    if (!field) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      field.focus();
      field.select();
      var said = function (text) { if (status) { status.textContent = text; } };
      var fallback = function () {
        var done = false;
        try { done = document.execCommand("copy"); } catch (e) { done = false; }
        said(done ? copied : (texts.press || "Press Ctrl+C (or ⌘+C) to copy the selected link."));
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(function () { said(copied); }, fallback);
      } else {
        fallback();
      }
    });
  });
  document.querySelectorAll("#resume-link").forEach(function (field) {
    field.addEventListener("focus", function () { field.select(); });
  });
})();
