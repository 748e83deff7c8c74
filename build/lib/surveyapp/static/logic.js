// Questionnaire logic in the browser: questions, matrix items and options appear and
// disappear as the respondent answers, without a round trip. The rules are the text the
// definition gives (data-relevant, data-filter, data-calc), evaluated with
// static/expressions.js exactly as the server evaluates them
// (surveyapp/questionnaire/logic.py); the server's result is the one that counts. The page
// works without this file: the server then draws the page again when an answer changes what
// it asks (it compares the posted "~shown" with its own; see surveyapp/questionnaire/pages.py).
(function () {
  "use strict";
  var form = document.querySelector("form[data-logic]");
  var E = window.SurveyExpressions;
  if (!form || !E) { return; }
  var data = JSON.parse(form.getAttribute("data-logic"));
  var texts = JSON.parse(form.getAttribute("data-texts") || "{}");  // in the page's language
  var trees = {};
  var LAST = "~last";

  function tree(text) {
    if (!Object.prototype.hasOwnProperty.call(trees, text)) { trees[text] = E.parse(text); }
    return trees[text];
  }
  function holds(text, answers, current) {
    return !text || E.truthy(E.evaluate(tree(text), answers, current));
  }
  function controls(name) {
    return Array.prototype.filter.call(form.elements, function (el) { return el.name === name; });
  }
  // A field's answer as the server keeps it: a code, a list of codes, trimmed text, or null.
  function current(name) {
    var found = controls(name), picked = [];
    if (!found.length) { return null; }
    if (found[0].type === "radio" || found[0].type === "checkbox") {
      found.forEach(function (el) { if (el.checked && !el.disabled) { picked.push(el.value); } });
      if (!picked.length) { return null; }
      return found[0].type === "radio" ? picked[0] : picked;
    }
    var text = found[0].value.trim();
    return text === "" ? null : text;
  }
  function show(el, on) {
    el.hidden = !on;
    el.querySelectorAll("input, select, textarea").forEach(function (input) {
      input.disabled = !on || input.closest("[hidden]") !== null;
    });
  }
  // Which options of a question it offers now; hides the others.
  function filterOptions(section, answers) {
    var offered = [], filter = section.getAttribute("data-filter");
    section.querySelectorAll("[data-option]").forEach(function (el) {
      var code = el.getAttribute("data-option");
      var on = holds(el.getAttribute("data-relevant"), answers) && holds(filter, answers, code);
      el.hidden = !on;
      var input = el.tagName === "OPTION" ? el : el.querySelector("input");
      if (input) { input.disabled = !on; }
      if (!on && input && (input.checked || input.selected)) {
        input.checked = false;
        input.selected = false;
      }
      if (on) { offered.push(code); }
    });
    return offered;
  }
  function keep(name, answers, tokens, offered) {
    var value = current(name);
    if (offered && value !== null) {
      value = Array.isArray(value) ? value.filter(function (c) { return offered.indexOf(c) !== -1; })
        : (offered.indexOf(value) !== -1 ? value : null);
      if (Array.isArray(value) && !value.length) { value = null; }
    }
    if (value === null) { delete answers[name]; } else { answers[name] = value; }
    tokens.push(name);
    if (offered) { offered.forEach(function (code) { tokens.push(name + ":" + code); }); }
  }
  function question(section, answers, tokens) {
    var name = section.getAttribute("data-question");
    var on = holds(section.getAttribute("data-relevant"), answers);
    var calc = section.getAttribute("data-calc");
    if (calc !== null) {
      var text = on ? E.asText(E.evaluate(tree(calc), answers)) : "";
      if (text === "") { delete answers[name]; } else { answers[name] = text; }
      return;
    }
    var items = section.querySelectorAll("[data-field]");
    var offered = on && section.querySelector("[data-option]") ? filterOptions(section, answers)
      : null;
    section.hidden = !on;
    if (!items.length) {
      show(section, on);
      if (on) { keep(name, answers, tokens, offered); } else { delete answers[name]; }
      return;
    }
    var any = false;
    items.forEach(function (item) {
      var field = item.getAttribute("data-field");
      var itemOn = on && holds(item.getAttribute("data-relevant"), answers);
      show(item, itemOn);
      any = any || itemOn;
      if (itemOn) { keep(field, answers, tokens, null); } else { delete answers[field]; }
    });
    section.hidden = !any;
  }
  function laterPages(answers) {
    return data.later.filter(function (page) {
      return holds(page[0], answers) && page[1].some(function (rule) { return holds(rule, answers); });
    }).length;
  }
  function primary(last) {
    var button = form.querySelector("[data-primary]");
    if (!button) { return; }
    button.value = last ? "submit" : "next";
    button.textContent = last ? (texts.submit || "Submit") : (texts.next || "Next");
    if (last) { button.setAttribute("data-once", ""); } else { button.removeAttribute("data-once"); }
  }
  function update() {
    var answers = Object.assign({}, data.answers), tokens = [];
    form.querySelectorAll("[data-question]").forEach(function (section) {
      question(section, answers, tokens);
    });
    var later = laterPages(answers);
    if (!later) { tokens.push(LAST); }
    form.elements["~shown"].value = tokens.sort().join(" ");
    var progress = document.querySelector("[data-progress]");
    if (progress) {
      var before = parseInt(progress.getAttribute("data-progress"), 10) || 0;
      var total = before + 1 + later, bar = document.querySelector("progress");
      progress.textContent = (texts.progress || "Page {number} of {total}")
        .replace("{number}", before + 1).replace("{total}", total);
      if (bar) { bar.max = total; bar.value = before + 1; }
    }
    primary(!later);
  }
  form.addEventListener("change", update);
  form.addEventListener("input", update);
  update();
})();
