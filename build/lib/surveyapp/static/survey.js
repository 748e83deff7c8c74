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

  // Answers given on this page but not yet sent survive a reload: they are kept in
  // this tab's sessionStorage until the page is sent (the server keeps them from then on).
  var form = document.querySelector("form[data-keep-answers]");
  var key = form && form.elements.submission_key;
  if (form && key && window.sessionStorage) {
    var slot = "surveyapp:" + location.pathname + ":" +
      (new URLSearchParams(location.search).get("page") || "1") + ":" + key.value;
    var answerable = function (el) {
      return el.name && el.type !== "hidden" && el.type !== "submit" && el.type !== "button";
    };
    var save = function () {
      var kept = {};
      Array.prototype.forEach.call(form.elements, function (el) {
        if (!answerable(el)) { return; }
        kept[el.name] = kept[el.name] || [];
        if (el.type === "radio" || el.type === "checkbox") {
          if (el.checked) { kept[el.name].push(el.value); }
        } else {
          kept[el.name].push(el.value);
        }
      });
      try { sessionStorage.setItem(slot, JSON.stringify(kept)); } catch (e) { /* full or denied */ }
    };
    var stored = null;
    try { stored = JSON.parse(sessionStorage.getItem(slot) || "null"); } catch (e) { stored = null; }
    if (stored && !form.querySelector("[aria-invalid='true']")) {
      Array.prototype.forEach.call(form.elements, function (el) {
        if (!answerable(el) || !Object.prototype.hasOwnProperty.call(stored, el.name)) { return; }
        if (el.type === "radio" || el.type === "checkbox") {
          el.checked = stored[el.name].indexOf(el.value) !== -1;
        } else {
          el.value = stored[el.name][0] || "";
        }
      });
    }
    form.addEventListener("change", save);
    form.addEventListener("input", save);
    form.addEventListener("submit", function () {
      try { sessionStorage.removeItem(slot); } catch (e) { /* denied */ }
    });
  }

  // Move focus to the first answer that needs attention.
  var first = document.querySelector("[aria-invalid='true']");
  if (first && document.activeElement !== first) { first.focus(); }
})();
