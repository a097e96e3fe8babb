// A handheld scanner's input on any signed-in page opens what it scanned (garment or offcut lot).
// Scanners type a burst of keys ending in Enter. With no text field focused, keys typed within
// MAX_GAP_MS of each other and ended by Enter are taken as a scan (a person typing a code there
// gets the same: it opens). The gap is generous because a busy phone delays key events, and a
// burst cut in two would send half a code. Typing in a field is never taken, and pages with a
// scan field of their own (.scan-form, .scan-input or [data-scan-field]: the scan, batch and
// receive pages) keep their scans: a batch is never left.
//
// The offline queue is the phone's, not one page's: every signed-in page says what waits to be
// sent (#outbox-status) and, with the network there, sends it (outbox.flush, one sender at a time).
// So a clerk who signs in again after the session ran out has the queue sent wherever they land.
// The batch page shows and sends its own queue (batch.js).
import { NetworkProblem, feedback, fmt, plural, postJSON, problemText, texts } from "./scanning.js";
import { flush, loadDraft, waitingCounts } from "./outbox.js";

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

// --- the offline queue, on every page ------------------------------------------------------------

const outboxStatus = document.getElementById("outbox-status");
const onBatchPage = document.getElementById("outbox") !== null;
let sending = false;

function showLine(text, linkText) {
  if (!outboxStatus) return;
  outboxStatus.replaceChildren(text);
  if (text && linkText && t.batchUrl) {
    const link = document.createElement("a");
    link.href = t.batchUrl;
    link.textContent = linkText;
    outboxStatus.append(" ", link);
  }
  outboxStatus.hidden = !text;
}

/** Say what waits (scans, and batches in brackets), or a note, or a list not confirmed yet. */
async function showQueue(note = "") {
  if (!outboxStatus || onBatchPage) return;
  const { batches, scans } = await waitingCounts(t.userId);
  outboxStatus.dataset.scans = String(scans);
  outboxStatus.dataset.batches = String(batches);
  if (batches > 0) {
    const head = plural(t, navigator.onLine ? "tScansToSend" : "tOfflineScans", scans);
    showLine([`${head} (${plural(t, "tBatches", batches)})`, note].filter(Boolean).join(" "), t.tOpenBatch);
    return;
  }
  if (note) {
    showLine(note, t.tSeeResults);
    return;
  }
  let draft = 0;
  try {
    const kept = await loadDraft(t.userId);
    draft = kept ? (JSON.parse(kept.json).entries || []).length : 0;
  } catch (error) {
    draft = 0; // no IndexedDB here: nothing was kept in it either
  }
  showLine(draft ? plural(t, "tDraft", draft) : "", t.tOpenBatch);
}

/** Send what waits, if anything does and the network is there. */
async function sendQueue() {
  if (!outboxStatus || onBatchPage || sending || !t.apiBatch || !navigator.onLine) return;
  if ((await waitingCounts(t.userId)).batches === 0) return;
  sending = true;
  let outcome = "error";
  try {
    showLine(t.tSending);
    outcome = await flush({ userId: t.userId, url: t.apiBatch, csrf: t.csrf });
  } catch (error) {
    outcome = "error"; // IndexedDB unusable: the queue stays as it is
  } finally {
    sending = false;
  }
  await showQueue({ sent: t.tSent, signed_out: t.tSignInToSend }[outcome] || "");
}

if (outboxStatus && !onBatchPage) {
  window.addEventListener("online", () => { showQueue().then(sendQueue); });
  window.addEventListener("offline", () => { showQueue(); });
  showQueue().then(sendQueue);
}

// Signing out with scans still waiting to be sent asks first (they stay on this phone and are
// sent at the next sign-in); signing out also forgets the offline copies of the scan pages.
const signOut = document.querySelector("form.signout");
if (signOut) {
  signOut.addEventListener("submit", async (event) => {
    if (signOut.dataset.confirmed === "1") return;
    event.preventDefault();
    const count = (await waitingCounts(t.userId)).scans;
    if (count > 0 && !window.confirm(plural(t, "tSignOutWaiting", count))) return;
    if (navigator.serviceWorker && navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage({ type: "forget" });
    }
    signOut.dataset.confirmed = "1";
    signOut.requestSubmit();
  });
}
