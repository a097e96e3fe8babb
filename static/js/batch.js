// Batch scanning: choose an action, scan garment after garment (each is checked at once), then one
// confirmation applies the action to every garment that can take it and shows what happened.
import { NetworkProblem, camera, decoderFiles, feedback, fmt, handoverKey, localMoment, plural, postJSON,
  problemText, statusLine, texts, wedgeInput } from "./scanning.js";
import * as outbox from "./outbox.js";

const t = texts();
const b = texts("batch-texts");
const MAX = Number(b.max || 500);
const MAX_SCANS = Number(b.maxScans || 2000); // doubles included
// the list being scanned survives a reload, a closed tab and a restarted browser (per user): kept
// in localStorage and, beside it, in IndexedDB (outbox.saveDraft), which has room when the other
// is full; a list that could be kept in neither says so on the page
const STORE_KEY = `cksloop.batch.${b.userId || ""}`;

const setup = document.getElementById("batch-setup");
const actionSelect = document.getElementById("batch-action");
const setupError = document.getElementById("setup-error");
const form = document.getElementById("scan-form");
const input = document.getElementById("scan-input");
const say = statusLine(document.getElementById("scan-status"));
const list = document.getElementById("batch-lines");
const empty = document.getElementById("batch-empty");
const counts = document.getElementById("batch-counts");
const applyButton = document.getElementById("batch-apply");
const clearButton = document.getElementById("batch-clear");
const retryButton = document.getElementById("batch-retry");
const summary = document.getElementById("batch-summary");
const queueButton = document.getElementById("batch-queue");
const outboxSection = document.getElementById("outbox");
const outboxBanner = document.getElementById("outbox-banner");
const outboxList = document.getElementById("outbox-list");
const outboxSend = document.getElementById("outbox-send");
const saveProblem = document.getElementById("batch-save-problem");
const userId = b.userId;
let networkFailed = false; // the last call found no network: the list may be kept for later
let sending = false;

// entries: one per scan, in scan order. A scan becomes an entry the moment its Enter arrives
// ("pending"), before the server has said anything, so nothing a scanner types is ever dropped;
// the verdict fills the entry in when it comes back. An entry that could not be checked (no
// network, details to fix) stays "unchecked" and is checked again, never forgotten.
// sequence: every garment code scanned, doubles included, so the server's answer reports the
// double scans too.
let state = { action: null, entries: [], sequence: [], key: null, nextId: 1 };
let busy = false; // a batch is being applied
let done = false;
const inFlight = new Set(); // ids of entries whose check is on its way
const PARALLEL = 4; // checks on their way at once: a slow shop Wi-Fi is latency, not bandwidth
const WAITING = new Set(["pending", "unchecked"]);

// --- the action and its details -----------------------------------------------------------------

function showFields() {
  const option = actionSelect.selectedOptions[0];
  const wanted = new Set((option ? option.dataset.fields : "").split(" ").filter(Boolean));
  setup.querySelectorAll(".field").forEach((field) => {
    field.hidden = !wanted.has(field.dataset.field);
  });
}

let detailProblem = "";

/** The details typed for the action, or null (and detailProblem says why) when some are wrong. */
function details() {
  const out = {};
  const errors = [];
  detailProblem = b.tFixDetails;
  setup.querySelectorAll(".field").forEach((field) => {
    if (field.hidden) return;
    field.querySelectorAll("[data-detail]").forEach((control) => {
      const raw = control.value.trim();
      const name = control.dataset.detail;
      if (raw === "") {
        if (control.dataset.required) errors.push(control);
        return;
      }
      if (control.dataset.money) {
        const text = raw.replace("€", "").replace(/\s/g, "").replace(",", ".");
        if (!/^\d{1,6}(\.\d{1,2})?$/.test(text)) {
          errors.push(control);
          detailProblem = b.tBadMoney;
          return;
        }
        out[name] = Math.round(Number(text) * 100);
      } else if (control.dataset.int) {
        if (!/^\d{1,9}$/.test(raw)) {
          errors.push(control);
          return;
        }
        out[name] = Number(raw);
      } else {
        out[name] = raw;
      }
    });
  });
  setup.querySelectorAll("[aria-invalid]").forEach((c) => c.removeAttribute("aria-invalid"));
  errors.forEach((control) => control.setAttribute("aria-invalid", "true"));
  return errors.length ? null : out;
}

function showSetupError(message) {
  setupError.textContent = message || "";
  setupError.hidden = !message;
}

function lockSetup(locked) {
  setup.querySelectorAll("select, input").forEach((control) => {
    control.disabled = locked;
  });
}

// --- the list -----------------------------------------------------------------------------------

function actionLabel() {
  const option = actionSelect.selectedOptions[0];
  return option ? option.textContent.trim() : "";
}

function describe(entry) {
  if (entry.outcome === "pending") return b.tPending;
  if (entry.outcome === "unchecked") return [entry.message, b.tWillRetry].filter(Boolean).join(" ");
  const what = [entry.style_name, entry.size].filter(Boolean).join(" · ");
  if (entry.ok) return what;
  let text = entry.message || "";
  if (entry.outcome === "refused") {
    text += " " + (entry.allowed_action_labels && entry.allowed_action_labels.length
      ? fmt(b.tInstead, { actions: entry.allowed_action_labels.join(", ") })
      : b.tNothingInstead);
  }
  return [what, text.trim()].filter(Boolean).join(" — ");
}

function lineElement(entry, { removable }) {
  const item = document.createElement("li");
  item.className = `batch-line line-${entry.outcome}`;
  item.dataset.code = entry.code || "";
  item.dataset.outcome = entry.outcome;
  const code = document.createElement("strong");
  code.className = "code";
  code.textContent = entry.code || entry.payload;
  const verdict = document.createElement("span");
  verdict.className = "verdict";
  verdict.textContent = entry.word || ({ pending: b.tPendingWord, unchecked: b.tPendingVerdict,
    not_a_label: b.tNotALabelWord }[entry.outcome]) || (entry.ok ? b.tCan : b.tCannot);
  const text = document.createElement("span");
  text.className = "line-text";
  text.textContent = describe(entry) + (entry.mangled ? ` ${b.tMangled}` : "");
  item.append(code, " ", verdict, " ", text);
  if (removable) {
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "link remove";
    remove.textContent = b.tRemove;
    remove.addEventListener("click", () => {
      state.entries = state.entries.filter((e) => e.id !== entry.id);
      if (entry.code) state.sequence = state.sequence.filter((c) => c !== entry.code);
      changed();
    });
    item.append(" ", remove);
  }
  return item;
}

function render() {
  list.replaceChildren(...state.entries.slice().reverse().map((e) => lineElement(e, { removable: true })));
  empty.hidden = state.entries.length > 0;
  const ok = state.entries.filter((e) => e.ok).length;
  const waiting = state.entries.filter((e) => WAITING.has(e.outcome)).length;
  const garments = state.entries.filter((e) => e.code).length;
  const doubles = state.sequence.length - garments;
  counts.textContent = state.entries.length
    ? [plural(b, "tCan", ok), plural(b, "tCannot", state.entries.length - ok - waiting),
      plural(b, "tDoubles", doubles)].join(", ")
      + (waiting ? ` · ${plural(b, "tWaitingCount", waiting)}` : "") : "";
  counts.dataset.waiting = String(waiting);
  // a batch is confirmed only once every scan has its verdict: nothing is applied unseen
  applyButton.disabled = ok === 0 || busy || waiting > 0;
  applyButton.textContent = waiting > 0 ? plural(b, "tWaiting", waiting)
    : ok === 0 ? b.tNothing
      : plural(b, "tConfirm", ok, { action: actionLabel() });
  retryButton.hidden = !state.entries.some((e) => e.outcome === "unchecked");
  const keepable = queueCodes().length;
  queueButton.hidden = !(keepable > 0 && !busy && (networkFailed || !navigator.onLine));
  if (!queueButton.hidden) queueButton.textContent = plural(b, "tQueue", keepable);
  // once scanning, empty optional details fold away so the newest scans stay on a phone's screen
  const scanning = state.entries.length > 0;
  setup.querySelectorAll(".field").forEach((field) => {
    const controls = [...field.querySelectorAll("[data-detail]")];
    field.classList.toggle("folded", scanning && controls.length > 0
      && !controls.some((c) => c.dataset.required || c.value));
  });
  clearButton.hidden = state.entries.length === 0;
  // the details are fixed once a garment was checked against them; scans still waiting for
  // their check leave them open, so details that stopped the checks can be put right
  lockSetup(state.entries.some((e) => e.code));
}

function changed() {
  state.key = null; // a different list is a different request
  save();
  render();
}

let lastSavedAt = 0;
let localFailed = false; // the last localStorage write failed (full, private mode)
let draftKept = null; // the last IndexedDB write: true kept, false failed, null not known yet
let draftWanted; // the next IndexedDB write: the list's JSON, null to forget it, undefined nothing
let draftRunning = false;

function save() {
  // the details go with the list: the garments were checked against them
  state.fields = {};
  setup.querySelectorAll("[data-detail]").forEach((control) => {
    state.fields[control.id] = control.value;
  });
  state.savedAt = Math.max(Date.now(), lastSavedAt + 1);
  lastSavedAt = state.savedAt;
  const json = JSON.stringify(state);
  try {
    localStorage.setItem(STORE_KEY, json);
    localFailed = false;
  } catch (error) {
    localFailed = true; // said on the page (showSaveProblem): never lost without a word
  }
  keepDraft(state.entries.length ? json : null);
  showSaveProblem();
}

/** Write the list to IndexedDB too; writes queue up, only the newest waiting one is written. */
function keepDraft(json) {
  draftWanted = json;
  if (!draftRunning) drainDraft();
}

async function drainDraft() {
  draftRunning = true;
  while (draftWanted !== undefined) {
    const json = draftWanted;
    draftWanted = undefined;
    try {
      if (json === null) await outbox.clearDraft(userId);
      else await outbox.saveDraft(userId, json, lastSavedAt);
      draftKept = true;
    } catch (error) {
      draftKept = false;
    }
    showSaveProblem();
  }
  draftRunning = false;
}

/** A list that could not be stored is said on the page, in words a clerk can act on. */
function showSaveProblem() {
  if (!saveProblem) return;
  let text = "";
  if (localFailed && state.entries.length && draftKept !== null) {
    text = draftKept ? b.tSavedElsewhere : b.tNotSaved;
  }
  saveProblem.textContent = text;
  saveProblem.hidden = !text;
  saveProblem.className = `flash ${draftKept ? "flash-warning" : "flash-error"}`;
  saveProblem.dataset.kept = text ? String(draftKept) : "";
}

/** The list kept before (the newer of localStorage's and IndexedDB's copies), if any. */
async function restore() {
  let saved = null;
  try {
    saved = JSON.parse(localStorage.getItem(STORE_KEY) || "null");
  } catch (error) {
    try { localStorage.removeItem(STORE_KEY); } catch (ignored) { /* storage unusable */ }
  }
  try {
    const kept = await outbox.loadDraft(userId);
    const other = kept ? JSON.parse(kept.json) : null;
    if (other && (!saved || (other.savedAt || 0) > (saved.savedAt || 0))) saved = other;
  } catch (error) {
    // no IndexedDB (private mode) or a broken copy: localStorage's copy, if any, is used
  }
  if (saved && Array.isArray(saved.entries) && saved.entries.length
      && [...actionSelect.options].some((o) => o.value === saved.action)) {
    state = { ...saved, nextId: saved.nextId || saved.entries.length + 1 };
    lastSavedAt = saved.savedAt || 0;
    state.entries.forEach((e, i) => {
      if (e.id === undefined) e.id = i + 1;
      if (e.outcome === "pending") e.outcome = "unchecked"; // its answer died with the old page
    });
    actionSelect.value = saved.action;
    Object.entries(saved.fields || {}).forEach(([id, value]) => {
      const control = document.getElementById(id);
      if (control && control.dataset.detail) control.value = value;
    });
  }
}

function forgetList() {
  try { localStorage.removeItem(STORE_KEY); } catch (error) { /* storage unusable */ }
  localFailed = false;
  keepDraft(null);
  showSaveProblem();
}

// --- scanning -----------------------------------------------------------------------------------

/** A scan arrived (scanner, typing or camera): it joins the list at once, its check follows. */
function scanned(payload) {
  if (done) return;
  if (state.entries.length >= MAX) {
    feedback.refuse();
    say(fmt(b.tTooMany, { max: MAX }), "refused");
    return;
  }
  state.action = actionSelect.value;
  state.entries.push({ id: state.nextId++, payload, outcome: "pending" });
  changed();
  pump();
}

/** Send the checks of waiting scans, oldest first, a few at a time. */
function pump() {
  if (done) return;
  const wanted = details();
  if (wanted === null) {
    // the scans wait (and say why) until the details are right; nothing is dropped
    showSetupError(detailProblem);
    let told = false;
    state.entries.forEach((e) => {
      if (e.outcome === "pending") {
        e.outcome = "unchecked";
        e.message = detailProblem;
        told = true;
      }
    });
    if (told) {
      feedback.refuse();
      say(detailProblem, "refused");
      changed();
    }
    return;
  }
  showSetupError("");
  for (const entry of state.entries) {
    if (inFlight.size >= PARALLEL) break;
    if (entry.outcome === "pending" && !inFlight.has(entry.id)) check(entry, wanted);
  }
}

/** Check the scans that could not be checked before (the network is back, details fixed). */
function retry() {
  state.entries.forEach((e) => {
    if (e.outcome === "unchecked") {
      e.outcome = "pending";
      delete e.message;
    }
  });
  changed();
  pump();
}

async function check(entry, wanted) {
  inFlight.add(entry.id);
  say(t.tLooking, "info");
  let result;
  try {
    result = await postJSON(t.apiCheck, { action: state.action, payload: entry.payload, ...wanted });
  } catch (error) {
    inFlight.delete(entry.id);
    if (!(error instanceof NetworkProblem)) throw error;
    networkFailed = true;
    // the scans queued behind it (a burst typed in the dead zone) wait too, and say so
    state.entries.forEach((e) => {
      if (e.outcome === "pending" && !inFlight.has(e.id) && e.id !== entry.id) {
        e.outcome = "unchecked";
        e.message = problemText(t, error);
      }
    });
    settle(entry, { outcome: "unchecked", message: problemText(t, error) });
    feedback.refuse();
    say(problemText(t, error), "warn");
    return;
  }
  inFlight.delete(entry.id);
  networkFailed = false;
  answered(entry, result);
  pump();
}

/** Replace a waiting entry by what became of it (it may have been removed meanwhile). */
function settle(entry, fields) {
  const index = state.entries.findIndex((e) => e.id === entry.id);
  if (index < 0) return false;
  state.entries[index] = { id: entry.id, payload: entry.payload, ...fields };
  changed();
  return true;
}

function answered(entry, result) {
  const data = result.data || {};
  if (result.status !== 200) {
    const message = problemText(t, result);
    feedback.refuse();
    if (data.error === "invalid_details" && data.details && data.details.fields) {
      showSetupError(Object.values(data.details.fields).join(" "));
    }
    // not a label: a line of its own, kept until removed; anything else is checked again later
    const final = data.error === "not_a_label";
    settle(entry, final ? { outcome: "not_a_label", message } : { outcome: "unchecked", message });
    say(final ? fmt(b.tNotALabel, { payload: entry.payload, reason: message }) : message, "refused");
    return;
  }
  const first = state.entries.find((e) => e.code === data.code && e.id !== entry.id);
  if (first) {
    // a double scan: counted once, and said so (sent with the batch, so its result reports it,
    // while the batch stays within what the server takes)
    state.entries = state.entries.filter((e) => e.id !== entry.id);
    if (queueCodes().length < MAX_SCANS) state.sequence.push(data.code);
    feedback.duplicate();
    say(fmt(b.tDouble, { code: data.code }), "warn");
    changed();
    return;
  }
  if (!settle(entry, data)) return;
  state.sequence.push(data.code);
  changed();
  if (data.ok) {
    feedback.accept();
    say(fmt(b.tAdded, { code: data.code }), "ok");
  } else {
    feedback.refuse();
    // the short reason here; the garment and what it could do instead are on its line below
    say(fmt(b.tRefused, { code: data.code, reason: data.message || describe(data) }), "refused");
  }
}

function randomKey() {
  const bytes = new Uint8Array(16);
  window.crypto.getRandomValues(bytes);
  return "batch-" + Array.from(bytes, (x) => x.toString(16).padStart(2, "0")).join("");
}

async function apply() {
  if (busy || done || state.entries.some((e) => WAITING.has(e.outcome))) return;
  const wanted = details();
  if (wanted === null) {
    showSetupError(detailProblem);
    return;
  }
  busy = true;
  applyButton.disabled = true;
  applyButton.textContent = b.tApplying;
  // the same key on every retry of this list: a batch applied whose answer was lost is not
  // applied twice, its first result comes back instead
  state.key = state.key || randomKey();
  save();
  let result;
  try {
    result = await postJSON(t.apiBatch, { action: state.action || actionSelect.value,
      codes: state.sequence, ...wanted }, { timeoutMs: 30000, headers: { "Idempotency-Key": state.key } });
  } catch (error) {
    busy = false;
    if (!(error instanceof NetworkProblem)) throw error;
    networkFailed = true;
    feedback.refuse();
    say(problemText(t, error), "warn");
    render();
    return;
  }
  busy = false;
  if (result.status !== 200) {
    feedback.refuse();
    const data = result.data || {};
    if (data.error === "invalid_details" && data.details && data.details.fields) {
      showSetupError(Object.values(data.details.fields).join(" "));
    }
    if (data.error !== "version_conflict") state.key = null;
    say(problemText(t, result), "refused");
    render();
    return;
  }
  showSummary(result.data);
}

function showSummary(data) {
  done = true;
  if (cam) cam.stop();
  const words = { applied: b.tApplied, refused: b.tRefusedWord, duplicate: b.tDuplicateWord,
    unknown: b.tUnknownWord };
  const c = data.counts || {};
  document.getElementById("summary-counts").textContent = (data.replayed ? `${b.tReplayed} ` : "")
    + [plural(b, "tSumApplied", c.applied || 0), plural(b, "tSumRefused", c.refused || 0),
      plural(b, "tSumDuplicate", c.duplicate || 0), plural(b, "tSumUnknown", c.unknown || 0)].join(", ") + ".";
  document.getElementById("summary-lines").replaceChildren(...(data.results || []).map((line) =>
    lineElement({ ...line, word: words[line.outcome] || line.outcome }, { removable: false })));
  if ((c.applied || 0) > 0) feedback.accept(); else feedback.refuse();
  // the garments the batch changed can get new labels straight away (e.g. after a move)
  const print = document.getElementById("batch-print");
  const applied = (data.results || []).filter((line) => line.outcome === "applied").map((line) => line.code);
  if (print && applied.length) {
    print.href = `${print.dataset.href}?codes=${encodeURIComponent(applied.join(","))}`;
    print.hidden = false;
  }
  say("", "info");
  forgetList();
  [form, setup, document.querySelector(".batch-list"), document.querySelector(".batch-confirm"),
    document.querySelector(".camera")].forEach((el) => { if (el) el.hidden = true; });
  summary.hidden = false;
  summary.focus();
}

function reset() {
  state = { action: null, entries: [], sequence: [], key: null, nextId: 1 };
  inFlight.clear();
  forgetList();
  done = false;
  summary.hidden = true;
  [form, setup, document.querySelector(".batch-list"), document.querySelector(".batch-confirm"),
    document.querySelector(".camera")].forEach((el) => { if (el) el.hidden = false; });
  showSetupError("");
  say("", "info");
  render();
  scanner.focus();
}

// --- the offline queue ---------------------------------------------------------------------------

/** What a kept list sends: every checked scan (doubles included) and every scan not yet checked. */
function queueCodes() {
  const unchecked = state.entries.filter((e) => WAITING.has(e.outcome)).map((e) => e.payload);
  return [...state.sequence, ...unchecked];
}

/** No network: keep the list (with its details and a key of its own) to send when it is back. */
async function keepForLater() {
  const wanted = details();
  if (wanted === null) {
    showSetupError(detailProblem);
    return;
  }
  const codes = queueCodes();
  if (!codes.length) return;
  const versions = {};
  state.entries.forEach((e) => { if (e.code && Number.isInteger(e.version)) versions[e.code] = e.version; });
  const item = {
    user: userId, action: state.action || actionSelect.value, actionLabel: actionLabel(), details: wanted,
    codes, expected_versions: versions, queued_at: outbox.deviceTime(),
    // a Confirm whose answer was lost keeps its key: the server then answers that batch, once
    key: state.key || randomKey(),
  };
  try {
    await outbox.add(item);
  } catch (error) {
    feedback.refuse();
    say(error instanceof outbox.StorageFull ? b.tStorageFull : b.tCannotKeep, "refused");
    return; // the list stays on screen: nothing is dropped
  }
  feedback.accept();
  reset();
  say(plural(b, "tQueued", codes.length), "ok");
  await showOutbox();
}

function outboxLine(item) {
  const li = document.createElement("li");
  li.dataset.status = item.status;
  const head = document.createElement("strong");
  head.textContent = `${item.actionLabel} · ${plural(b, "tGarments", item.codes.length)}`;
  const word = document.createElement("span");
  word.className = "verdict";
  word.textContent = { waiting: b.tStatusWaiting, done: b.tStatusDone, invalid: b.tStatusInvalid }[item.status];
  const when = document.createElement("span");
  when.className = "line-text";
  when.textContent = fmt(b.tQueuedAt, { time: localMoment(item.queued_at) });
  li.append(head, " ", word, " ", when);
  if (item.status === "done" && item.result) {
    const c = item.result.counts || {};
    const sum = document.createElement("p");
    sum.textContent = [plural(b, "tSumApplied", c.applied || 0), plural(b, "tSumRefused", c.refused || 0),
      plural(b, "tSumDuplicate", c.duplicate || 0), plural(b, "tSumUnknown", c.unknown || 0)].join(", ") + ".";
    li.append(sum);
    const refused = (item.result.results || []).filter((line) => line.outcome === "refused" || line.outcome === "unknown");
    if (refused.length) {
      const list = document.createElement("ul");
      refused.forEach((line) => {
        const row = document.createElement("li");
        row.dataset.outcome = line.outcome;
        row.textContent = `${line.code}: ${line.message || ""}`;
        list.append(row);
      });
      li.append(list);
    }
  } else if (item.message) {
    const why = document.createElement("p");
    why.textContent = item.message;
    li.append(why);
  }
  if (item.status !== "waiting") {
    const dismiss = document.createElement("button");
    dismiss.type = "button";
    dismiss.className = "link";
    dismiss.textContent = b.tDismiss;
    dismiss.addEventListener("click", async () => { await outbox.remove(item.id); showOutbox(); });
    li.append(" ", dismiss);
  }
  return li;
}

async function showOutbox() {
  let items = [];
  try {
    items = await outbox.all(userId);
  } catch (error) {
    items = [];
  }
  const waitingItems = items.filter((item) => item.status === "waiting");
  const count = waitingItems.length;
  const scans = waitingItems.reduce((sum, item) => sum + item.codes.length, 0);
  outboxSection.hidden = items.length === 0;
  outboxSend.hidden = count === 0;
  // the scans are what a clerk counts; the batches follow in brackets
  outboxBanner.textContent = count === 0 ? ""
    : `${plural(b, (networkFailed || !navigator.onLine) ? "tOfflineScans" : "tScansToSend", scans)}`
      + ` (${plural(b, "tBatches", count)})`;
  outboxBanner.dataset.scans = String(scans);
  outboxBanner.dataset.batches = String(count);
  outboxList.replaceChildren(...items.map(outboxLine));
  render();
}

/** Send what waits, in order; each batch gets its outcome, refusals stay listed until dismissed. */
async function sendWaiting() {
  if (sending) return;
  sending = true;
  try {
    if ((await outbox.waiting(userId)) === 0) return;
    outboxBanner.textContent = b.tSending;
    const outcome = await outbox.flush({ userId, url: t.apiBatch, csrf: t.csrf, onChange: showOutbox });
    networkFailed = outcome === "offline";
    if (outcome === "signed_out") say(b.tSignInToSend, "warn");
  } catch (error) {
    // IndexedDB unavailable: nothing was queued on this browser
  } finally {
    sending = false;
    await showOutbox();
  }
}

// --- wiring -------------------------------------------------------------------------------------

/** The scans the scan page left for this list when it found no network. */
function handedOver() {
  try {
    const handed = JSON.parse(localStorage.getItem(handoverKey(userId)) || "[]");
    return Array.isArray(handed) ? handed.filter((code) => typeof code === "string") : [];
  } catch (error) {
    return []; // storage unusable: the scan page kept nothing there either
  }
}

function forgetHandedOver() {
  try { localStorage.removeItem(handoverKey(userId)); } catch (error) { /* storage unusable */ }
}

let cam = null;
let scanner = null;

async function start() {
  await restore();
  showFields();
  // scans the scan page kept for this list when it found no network come first, then those typed early
  const handed = handedOver();
  form.earlyScans = [...handed, ...(form.earlyScans || [])];
  scanner = wedgeInput(form, input, scanned); // after restore: scans typed early join the kept list
  if (handed.length) forgetHandedOver(); // only now: the list above holds (and has stored) them
  actionSelect.addEventListener("change", () => {
    // the select is locked once a scan was checked; before that (offline, say) the scans waiting
    // for their check are for the action now chosen: kept, sent and shown under that one
    if (!state.entries.some((e) => e.code)) state.action = actionSelect.value;
    showFields();
    retry();
  });
  setup.addEventListener("change", (event) => { if (event.target !== actionSelect) retry(); });
  retryButton.addEventListener("click", retry);
  window.addEventListener("online", () => { networkFailed = false; retry(); sendWaiting(); });
  window.addEventListener("offline", () => { networkFailed = true; render(); showOutbox(); });
  queueButton.addEventListener("click", keepForLater);
  outboxSend.addEventListener("click", sendWaiting);
  setup.addEventListener("submit", (event) => event.preventDefault());
  applyButton.addEventListener("click", apply);
  clearButton.addEventListener("click", () => {
    // the list is a box's worth of work: forgetting it is asked, never one stray tap
    if (window.confirm(plural(b, "tForget", state.entries.length))) reset();
  });
  document.getElementById("batch-new").addEventListener("click", reset);
  render();
  retry(); // scans kept from before a reload are checked now
  showOutbox().then(sendWaiting); // and batches kept offline are sent
  outbox.keepShellOffline(decoderFiles(t));
  cam = camera({
    toggle: document.getElementById("camera-toggle"),
    view: document.getElementById("camera-view"),
    video: document.getElementById("camera-video"),
    onDecoded: scanned,
    onStatus: say,
  });
}

if (setup) start();
