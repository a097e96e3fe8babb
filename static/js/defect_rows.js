// Inspection form: "Add another defect" copies the last defect line in place instead of
// reloading the page (without script the same button asks the server for one more line).
(function () {
  "use strict";
  var button = document.querySelector("[data-add-defect]");
  var holder = document.querySelector(".defect-rows");
  if (!button || !holder) { return; }
  var max = parseInt(holder.getAttribute("data-max"), 10) || 20;
  var pattern = /defects-(\d+)-/g;

  function renumber(node, index) {
    ["id", "name", "for", "aria-describedby"].forEach(function (attr) {
      node.querySelectorAll("[" + attr + "]").forEach(function (el) {
        el.setAttribute(attr, el.getAttribute(attr).replace(pattern, "defects-" + index + "-"));
      });
    });
  }

  button.addEventListener("click", function (event) {
    var rows = holder.querySelectorAll(".defect-row");
    if (rows.length >= max) { return; }
    event.preventDefault();
    var copy = rows[rows.length - 1].cloneNode(true);
    renumber(copy, rows.length);
    copy.querySelectorAll("input, select, textarea").forEach(function (el) {
      if (el.tagName === "SELECT") { el.selectedIndex = 0; } else { el.value = ""; }
      el.removeAttribute("aria-invalid");
    });
    copy.querySelectorAll(".field-error").forEach(function (el) { el.remove(); });
    copy.querySelectorAll(".has-error").forEach(function (el) { el.classList.remove("has-error"); });
    var legend = copy.querySelector("legend");
    if (legend) { legend.textContent = legend.textContent.replace(/\d+\s*$/, String(rows.length + 1)); }
    holder.appendChild(copy);
    if (rows.length + 1 >= max) { button.hidden = true; }
    var first = copy.querySelector("select");
    if (first) { first.focus(); }
  });
})();
