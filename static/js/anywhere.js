// A handheld scanner's input on any signed-in page opens what it scanned (garment or offcut lot).
// Scanners type a burst of keys ending in Enter. With no text field focused, keys typed within
// MAX_GAP_MS of each other and ended by Enter are taken as a scan (a person typing a code there
// gets the same: it opens). The gap is generous because a busy phone delays key events, and a
// burst cut in two would send half a code. Typing in a field is never taken, and pages with a
// scan field of their own (.scan-form, .scan-input or [data-scan-field]: the scan, batch and
// receive pages) keep their scans: a batch is never left.
import { NetworkProblem, feedback, fmt, plural, postJSON, problemText, texts } from "./scanning.js";
import { waiting } from "./outbox.js";

const MAX_GAP_MS = 1000;
const MIN_LENGTH = 4;
const t = texts("anywhere-texts");
const status = document.getElementById("anywhere-status");
let buffer = "";
let last = 0;
let busy = false;
const ownScanField = document.querySelector(".scan-form, .scan-input, [data-scan-field]") !== null;

function typingInAField(target) {
  if (!target || !(target instanceof Element)) return false;
  return target.closest("input, textarea, select, [contenteditable=''], [contenteditable='true']") !== null;
}

function say(text, kind) {
  if (!status) return;
  status.textContent = text;
  status.className = `anywhere-status flash flash-${kind}`;
  status.hidden = false;
}

async function open(payload) {
  if (busy) return;
  busy = true;
  say(t.tLooking, "info");
  let result;
  try {
    result = await postJSON(t.apiScan, { payload }, { headers: { "X-CSRFToken": t.csrf || "" } });
  } catch (error) {
    if (!(error instanceof NetworkProblem)) throw error;
    feedback.refuse();
    say(problemText(t, error), "error");
    busy = false;
    return;
  }
  if (result.status === 200 && result.data.url) {
    feedback.accept();
    say(fmt(t.tOpening, { code: result.data.code }), "success");
    window.location.assign(result.data.url);
    return;
  }
  feedback.refuse();
  say(problemText(t, result), "error");
  busy = false;
}

document.addEventListener("keydown", (event) => {
  if (ownScanField || typingInAField(event.target)) {
    buffer = "";
    return;
  }
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  const now = event.timeStamp || performance.now();
  if (now - last > MAX_GAP_MS) buffer = "";
  last = now;
  if (event.key === "Enter") {
    if (buffer.length >= MIN_LENGTH) {
      event.preventDefault();
      const payload = buffer;
      buffer = "";
      open(payload);
    }
    buffer = "";
    return;
  }
  if (event.key.length === 1) buffer += event.key;
}, true);

// Signing out with batches still waiting to be sent asks first (they stay on this phone and are
// sent at the next sign-in); signing out also forgets the offline copies of the scan pages.
const signOut = document.querySelector("form.signout");
if (signOut) {
  signOut.addEventListener("submit", async (event) => {
    if (signOut.dataset.confirmed === "1") return;
    event.preventDefault();
    const count = await waiting(t.userId);
    if (count > 0 && !window.confirm(plural(t, "tSignOutWaiting", count))) return;
    if (navigator.serviceWorker && navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage({ type: "forget" });
    }
    signOut.dataset.confirmed = "1";
    signOut.requestSubmit();
  });
}
