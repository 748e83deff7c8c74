// Progressive enhancement for choice questions; every page works without this file.
// A "please specify" box is shown only while its option is chosen (the server discards
// its text otherwise), and an exclusive option ("None of these") unticks the others.
(function () {
  "use strict";
  var form = document.querySelector("form[data-keep-answers]");
  if (!form) { return; }
  var each = function (list, fn) { Array.prototype.forEach.call(list, fn); };
  var named = function (name) {
    return form.querySelectorAll("[name='" + CSS.escape(name) + "']");
  };
  var status = document.createElement("p");
  status.className = "visually-hidden";
  status.setAttribute("aria-live", "polite");
  form.appendChild(status);

  each(form.querySelectorAll("[data-other-of]"), function (box) {
    var code = box.getAttribute("data-other-code");
    var inputs = named(box.getAttribute("data-other-of"));
    var update = function () {
      var chosen = Array.prototype.some.call(inputs, function (el) {
        return el.value === code && (el.tagName === "SELECT" || el.checked);
      });
      box.hidden = !chosen;
    };
    each(inputs, function (el) { el.addEventListener("change", update); });
    update();
  });

  form.addEventListener("change", function (event) {
    var box = event.target;
    if (box.type !== "checkbox" || !box.checked) { return; }
    var alone = box.hasAttribute("data-exclusive");
    var unticked = [];
    each(named(box.name), function (other) {
      if (other === box || !other.checked) { return; }
      if (alone || other.hasAttribute("data-exclusive")) {
        other.checked = false;
        unticked.push(other.parentNode.textContent.trim());
        other.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
    if (unticked.length) {
      var said = JSON.parse(form.getAttribute("data-texts") || "{}").unticked || "Unticked: {options}";
      status.textContent = said.replace("{options}", unticked.join(", "));
    }
  });
})();
