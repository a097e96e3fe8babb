// Scans typed before the page's module has taken over (a slow phone, a page opened from the
// offline copy) are kept here, in order, and handed to it when it starts (scanning.js,
// wedgeInput). Without this, the scanner's Enter would submit the form natively: the page would
// reload and the scan would be gone without a word. Loaded as a plain script right after the form.
(function () {
  "use strict";
  var forms = document.querySelectorAll("form[data-early-scans]");
  Array.prototype.forEach.call(forms, function (form) {
    var input = form.querySelector("input");
    form.earlyScans = [];
    function keep() {
      if (!input || input.value.trim() === "") return;
      form.earlyScans.push(input.value);
      input.value = "";
      // said where the verdicts appear, so a clerk knows the scans were taken
      var status = document.getElementById(input.getAttribute("aria-describedby") || "");
      if (status && form.dataset.tEarly) {
        status.textContent = form.dataset.tEarly.replace("%(count)s", String(form.earlyScans.length));
      }
    }
    form.addEventListener("submit", function (event) {
      if (form.dataset.live === "1") return; // the module handles it
      event.preventDefault();
      keep();
    });
    if (input) {
      input.addEventListener("keydown", function (event) {
        if (form.dataset.live === "1" || event.key !== "Tab" || input.value.trim() === "") return;
        event.preventDefault(); // some scanners end a scan with Tab
        keep();
      });
    }
  });
})();
