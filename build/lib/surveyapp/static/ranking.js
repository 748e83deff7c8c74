// Ranking questions: "Up" / "Down" buttons ("Move up: <option>") beside each option, usable by
// keyboard; the list's order sets the ranks (1 at the top). The rank selects stay, so
// the page works without this file; ranks chosen by hand order the list before a move.
(function () {
  "use strict";
  var each = function (list, fn) { Array.prototype.forEach.call(list, fn); };
  var holder = document.querySelector("[data-texts]");  // the interface texts, in the page's language
  var texts = holder ? JSON.parse(holder.getAttribute("data-texts")) : {};

  each(document.querySelectorAll("fieldset.rank-question"), function (set) {
    var list = set.querySelector(".rank-list");
    var top = parseInt(set.getAttribute("data-ranks"), 10);
    var status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("aria-live", "polite");
    set.appendChild(status);
    var rows = function () { return Array.prototype.slice.call(list.children); };
    var rankOf = function (row) {
      var value = parseInt(row.querySelector("select").value, 10);
      return isNaN(value) ? Infinity : value;
    };
    var sortByRank = function () {
      var sorted = rows().map(function (row, i) { return [rankOf(row), i, row]; });
      sorted.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
      sorted.forEach(function (entry) { list.appendChild(entry[2]); });
    };
    var marks = function () {
      var all = rows();
      all.forEach(function (row, i) {
        row.querySelector(".rank-up").setAttribute("aria-disabled", String(i === 0));
        row.querySelector(".rank-down").setAttribute("aria-disabled", String(i === all.length - 1));
      });
    };
    var number = function () {
      rows().forEach(function (row, i) {
        var select = row.querySelector("select");
        select.value = i < top ? String(i + 1) : "";
        select.dispatchEvent(new Event("change", { bubbles: true }));
      });
    };
    var move = function (row, up, button) {
      sortByRank();
      var other = up ? row.previousElementSibling : row.nextElementSibling;
      if (!other) { return; }
      list.insertBefore(up ? row : other, up ? other : row);
      number();
      marks();
      button.focus();
      var place = rows().indexOf(row) + 1;
      var said = place <= top ? (texts.ranked || "{option}: now {place} of {count}, rank {place}")
        : (texts.unranked || "{option}: now {place} of {count}, not ranked");
      status.textContent = said.replace("{option}", row.querySelector(".rank-label").textContent)
        .split("{place}").join(place).replace("{count}", rows().length);
    };
    rows().forEach(function (row) {
      var label = row.querySelector(".rank-label").textContent;
      var tools = document.createElement("span");
      tools.className = "rank-moves";
      [["up", texts.up || "Up", texts.move_up || "Move up: {option}"],
       ["down", texts.down || "Down", texts.move_down || "Move down: {option}"]].forEach(function (way) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "secondary rank-move rank-" + way[0];
        button.textContent = way[1];
        button.setAttribute("aria-label", way[2].replace("{option}", label));
        button.addEventListener("click", function () {
          if (button.getAttribute("aria-disabled") !== "true") { move(row, way[0] === "up", button); }
        });
        tools.appendChild(button);
      });
      row.appendChild(tools);
    });
    sortByRank();
    marks();
  });
})();
