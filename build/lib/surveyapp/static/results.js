// "Download PNG" beside each results chart: fetch the chart's SVG, draw it into a canvas at
// twice its size and save the canvas as PNG. Without JavaScript the button stays hidden
// and the SVG download remains.
(function () {
  "use strict";
  function save(button) {
    fetch(button.dataset.png, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.text();
      })
      .then(function (text) {
        var image = new Image();
        image.onload = function () {
          var canvas = document.createElement("canvas");
          canvas.width = image.naturalWidth * 2;
          canvas.height = image.naturalHeight * 2;
          var context = canvas.getContext("2d");
          context.scale(2, 2);
          context.drawImage(image, 0, 0);
          var link = document.createElement("a");
          link.href = canvas.toDataURL("image/png");
          link.download = button.dataset.name;
          document.body.appendChild(link);
          link.click();
          link.remove();
        };
        image.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(text);
      })
      .catch(function () { button.textContent = "PNG download failed"; });
  }
  document.querySelectorAll("button[data-png]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { save(button); });
  });
})();
