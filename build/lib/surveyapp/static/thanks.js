// The thank-you page's optional onward link: followed after a short delay, which the
// respondent can stop (WCAG 2.2.1). Only an http(s) address is ever followed.
(function () {
  "use strict";
  var link = document.querySelector("a[data-redirect-after]");
  var note = document.querySelector(".redirect-note");
  if (!link || !note || !/^https?:\/\//i.test(link.href)) return;
  var seconds = parseInt(link.getAttribute("data-redirect-after"), 10) || 10;
  var timer = window.setTimeout(function () { window.location.assign(link.href); }, seconds * 1000);
  note.hidden = false;
  note.querySelector("[data-stay]").addEventListener("click", function () {
    window.clearTimeout(timer);
    note.textContent = note.getAttribute("data-stayed") ||
      "You stay on this page; use the link above when you are ready.";
  });
})();
