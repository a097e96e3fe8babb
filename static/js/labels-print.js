// Print page: show the fields of the chosen format and redraw the first sheet's preview
// (which cells are already used, from which one printing starts).
(function () {
  "use strict";
  var form = document.querySelector(".print-form");
  if (!form) { return; }
  var format = form.querySelector(".js-label-format");
  var layout = form.querySelector(".js-label-layout");
  var start = form.querySelector(".js-label-start");
  var preview = form.querySelector(".sheet-preview");

  function showFormat() {
    var zpl = format.value === "zpl";
    form.querySelector(".for-pdf").hidden = zpl;
    form.querySelector(".for-zpl").hidden = !zpl;
  }

  function drawSheet() {
    var option = layout.options[layout.selectedIndex];
    var cells = parseInt(option.getAttribute("data-cells"), 10);
    var columns = option.getAttribute("data-columns");
    var first = parseInt(start.value, 10) || 1;
    start.max = String(cells);
    preview.className = "sheet-preview sheet-cols-" + columns;
    while (preview.firstChild) { preview.removeChild(preview.firstChild); }
    for (var cell = 1; cell <= cells; cell += 1) {
      var item = document.createElement("li");
      item.className = cell < first ? "used" : "free";
      item.textContent = String(cell);
      preview.appendChild(item);
    }
  }

  format.addEventListener("change", showFormat);
  layout.addEventListener("change", drawSheet);
  start.addEventListener("input", drawSheet);
  preview.addEventListener("click", function (event) {
    // tapping a cell of the preview makes it the first label to print
    if (event.target.tagName === "LI") {
      start.value = event.target.textContent;
      drawSheet();
    }
  });
  showFormat();
  drawSheet();
}());
