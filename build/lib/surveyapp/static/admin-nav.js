// The side navigation folds into a "Menu" button on narrow screens. Without this file
// the navigation stays open above the page, so every link is still reachable.
(function () {
  "use strict";
  var button = document.querySelector(".menu-toggle");
  var nav = document.getElementById("side-nav");
  if (!button || !nav || !window.matchMedia) { return; }
  var narrow = window.matchMedia("(max-width: 60rem)");

  function show(open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    nav.classList.toggle("collapsed", !open);
  }
  function fit() {
    button.hidden = !narrow.matches;
    show(!narrow.matches);
  }
  button.addEventListener("click", function () {
    show(button.getAttribute("aria-expanded") !== "true");
  });
  document.addEventListener("keydown", function (event) {
    var open = button.getAttribute("aria-expanded") === "true";
    if (event.key === "Escape" && narrow.matches && open) { show(false); button.focus(); }
  });
  if (narrow.addEventListener) { narrow.addEventListener("change", fit); }
  fit();
})();
