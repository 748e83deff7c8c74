// The questionnaire builder, made nicer: every page works without this file (each
// button is a form post). With it: problems are checked as you type (the server's own
// checks, nothing stored), a delete asks first, focus returns to the button pressed after
// the page reloads, the copy button copies the public link, and a problem in the YAML
// editor jumps to its line.
(function () {
  "use strict";
  var FOCUS_SLOT = "surveyapp:builder-focus";

  // Ask before deleting; remember the button pressed to focus its twin after the reload.
  document.querySelectorAll("form").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var button = event.submitter;
      if (button && button.hasAttribute("data-confirm") && !window.confirm(button.getAttribute("data-confirm"))) {
        event.preventDefault();
        return;
      }
      if (button && button.value && window.sessionStorage) {
        var typed = document.activeElement && document.activeElement !== button ? document.activeElement.name || "" : "";
        try {
          sessionStorage.setItem(FOCUS_SLOT, JSON.stringify({
            verb: button.value.split(":")[0], field: typed, path: location.pathname
          }));
        } catch (e) { /* storage denied */ }
      }
    });
  });

  function restoreFocus() {
    var stored = null;
    try { stored = JSON.parse(sessionStorage.getItem(FOCUS_SLOT) || "null"); sessionStorage.removeItem(FOCUS_SLOT); } catch (e) { stored = null; }
    if (document.getElementById("notice")) {  // a refused post: the field it names
      var invalid = document.querySelector("main [aria-invalid='true']") || document.getElementById("notice");
      if (!invalid.matches("input, select, textarea, button")) { invalid.setAttribute("tabindex", "-1"); }
      invalid.focus();
      return;
    }
    var target = location.hash ? document.getElementById(decodeURIComponent(location.hash.slice(1))) : null;
    if (!stored) { return; }
    if (stored.field && (/_add$/.test(stored.verb) || /^new-/.test(stored.field))) {
      var again = document.querySelector("[name='" + stored.field.replace(/'/g, "") + "']");
      if (again && again.type !== "hidden") { again.focus(); return; }
    }
    if (target) {
      var twin = target.querySelector("button[value^='" + stored.verb + ":']");
      if (twin) { twin.focus(); return; }
      if (!target.hasAttribute("tabindex")) { target.setAttribute("tabindex", "-1"); }
      target.focus();
    }
  }
  // After the browser's own scroll to the #fragment, which would move the focus again.
  if (window.sessionStorage) {
    window.addEventListener("load", function () { window.setTimeout(restoreFocus, 0); });
  }

  // Problems as you type: the form is sent to the check URL, which applies it to a copy.
  function showProblems(form, answer) {
    var problems = answer.problems || {}, refused = answer.refused || {};
    form.querySelectorAll("[data-error-for]").forEach(function (box) {
      var path = box.getAttribute("data-error-for");
      var name = box.id.replace(/^f-/, "").replace(/-error$/, "");
      var found = (path && problems[path]) || [];
      if (refused[name]) { found = found.concat([refused[name]]); }
      box.textContent = found.join(" ");
      box.hidden = found.length === 0;
      var field = document.getElementById(box.id.replace(/-error$/, ""));
      if (field && field.matches("input, select, textarea")) {
        if (found.length) { field.setAttribute("aria-invalid", "true"); } else { field.removeAttribute("aria-invalid"); }
      }
    });
  }

  document.querySelectorAll("form[data-check]").forEach(function (form) {
    if (!window.fetch || !window.FormData) { return; }
    var timer = null;
    function check() {
      var data = new FormData(form);
      data.set("view", form.getAttribute("data-view") || "outline");
      fetch(form.getAttribute("data-check"), { method: "POST", body: data, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (answer) { if (answer) { showProblems(form, answer); } })
        .catch(function () { /* the server checks again on save */ });
    }
    form.addEventListener("input", function () { window.clearTimeout(timer); timer = window.setTimeout(check, 500); });
    form.addEventListener("change", function () { window.clearTimeout(timer); timer = window.setTimeout(check, 150); });
  });

  // Options of its own or a shared scale: show the part that applies.
  document.querySelectorAll("fieldset.source").forEach(function (box) {
    var form = box.closest("form");
    function show() {
      var chosen = form.querySelector("input[name='source']:checked");
      form.querySelectorAll("[data-source]").forEach(function (part) {
        part.hidden = !!chosen && part.getAttribute("data-source") !== chosen.value &&
          (part.getAttribute("data-source") === "scale" || part.getAttribute("data-source") === "options");
      });
    }
    box.addEventListener("change", show);
    show();
  });

  // A problem in the YAML editor: jump to its line.
  var text = document.getElementById("f-text");
  document.querySelectorAll("a[data-line]").forEach(function (link) {
    if (!text) { return; }
    link.addEventListener("click", function (event) {
      event.preventDefault();
      var line = parseInt(link.getAttribute("data-line"), 10) || 1;
      var lines = text.value.split("\n");
      var start = lines.slice(0, line - 1).join("\n").length + (line > 1 ? 1 : 0);
      var end = start + (lines[line - 1] || "").length;
      text.focus();
      text.setSelectionRange(start, end);
      var height = text.scrollHeight / Math.max(lines.length, 1);
      text.scrollTop = Math.max(0, (line - 5) * height);
    });
  });
})();
