// Live admin figures by conditional polling: every page works without this file
// (a reload shows the current figures). Each poll sends the ETag of what is shown;
// an unchanged page answers 304 with no body, a changed one sends the new figures.
(function () {
  "use strict";
  var box = document.querySelector("[data-poll]");
  if (!box || !window.fetch || !window.DOMParser) { return; }
  var url = box.getAttribute("data-poll");
  var every = parseInt(box.getAttribute("data-poll-ms"), 10) || 1000;
  var status = document.getElementById("live-status");
  var etag = box.getAttribute("data-etag") || "";
  var failures = 0;

  function say(text) { if (status) { status.textContent = text; } }
  function later(ms) { window.setTimeout(poll, ms); }

  function poll() {
    if (document.hidden) { later(every); return; }
    var headers = etag ? { "If-None-Match": etag } : {};
    fetch(url, { headers: headers, cache: "no-store", credentials: "same-origin", redirect: "manual" })
      .then(function (response) {
        if (response.status === 304) { return null; }
        if (response.type === "opaqueredirect" || response.status === 401) {
          throw new Error("logged out");
        }
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        etag = response.headers.get("ETag") || "";
        return response.text();
      })
      .then(function (html) {
        failures = 0;
        if (html !== null) {
          var doc = new DOMParser().parseFromString(html, "text/html");
          box.replaceChildren.apply(box, Array.prototype.slice.call(doc.body.childNodes));
          say("Figures update live; last change " + new Date().toLocaleTimeString() + ".");
        }
        later(every);
      })
      .catch(function (error) {
        if (error.message === "logged out") { say("Live updates stopped: please log in again."); return; }
        failures += 1;
        say("Live updates interrupted; retrying.");
        later(Math.min(every * Math.pow(2, failures), 30000));
      });
  }
  later(every);
})();
