// The scan page: a scan from the handheld scanner, typing or the camera opens that garment's page,
// or an offcut lot's page (the API answers the lot's label path, which opens the lot).
import { NetworkProblem, camera, decoderFiles, feedback, fmt, handoverKey, plural, postJSON, problemText,
  statusLine, texts, wedgeInput } from "./scanning.js";
import { keepShellOffline } from "./outbox.js";

const t = texts();
const form = document.getElementById("scan-form");
const input = document.getElementById("scan-input");
const say = statusLine(document.getElementById("scan-status"));
const handover = document.getElementById("scan-handover")?.dataset;
let busy = false;
let navigating = false;
let cam = null;

/**
 * Put a scan that found no network on the batch list (the batch page takes it over when it opens and
 * keeps it until the network is back). Returns how many wait there, or 0 if it could not be kept.
 */
function keepForBatch(payload) {
  if (!handover) return 0;
  try {
    const key = handoverKey(handover.userId);
    const waiting = JSON.parse(localStorage.getItem(key) || "[]");
    waiting.push(payload);
    localStorage.setItem(key, JSON.stringify(waiting));
    return waiting.length;
  } catch (error) {
    return 0; // storage full or unusable: the scan stays in the field instead
  }
}

/** A scan that opened its garment after all needs no place on the batch list any more. */
function handled(payload, code) {
  if (!handover) return;
  try {
    const key = handoverKey(handover.userId);
    const waiting = JSON.parse(localStorage.getItem(key) || "[]");
    const left = waiting.filter((kept) => kept !== payload && kept !== code);
    if (left.length !== waiting.length) localStorage.setItem(key, JSON.stringify(left));
  } catch (error) {
    // storage unusable: nothing was kept there
  }
}

function sayKept(payload, count) {
  say(plural(handover, "tKept", count, { code: payload }), "warn");
  const link = document.createElement("a");
  link.href = handover.batchUrl;
  link.className = "button";
  link.textContent = handover.tOpenBatch;
  document.getElementById("scan-status").append(" ", link);
}

function go(url) {
  if (navigating) return; // one label, one navigation
  navigating = true;
  if (cam) cam.stop();
  window.location.assign(url);
}

async function resolve(payload, fromCamera) {
  if (busy || navigating) {
    // one garment opens at a time: a scan typed meanwhile stays in the field, not dropped
    if (!fromCamera) scanner.keepForRetry(payload);
    return;
  }
  busy = true;
  if (cam) cam.pause();
  say(t.tLooking, "info");
  let result;
  try {
    result = await postJSON(t.apiScan, { payload });
  } catch (error) {
    if (!(error instanceof NetworkProblem)) throw error;
    feedback.refuse();
    const kept = keepForBatch(payload);
    if (kept) {
      sayKept(payload, kept);
    } else {
      say(problemText(t, error), "warn");
      if (!fromCamera) scanner.keepForRetry(payload);
    }
    busy = false;
    if (cam) cam.resume();
    return;
  }
  if (result.status === 200) {
    feedback.accept();
    const data = result.data;
    handled(payload, data.code);
    if (data.mangled) {
      // say it, then go: a scanner on the wrong layout should be fixed (see the self-test)
      say(`${data.message} ${fmt(t.tOpening, { code: data.code })}`, "warn");
      const link = document.createElement("a");
      link.href = data.url;
      link.className = "button open-now";
      link.textContent = t.tOpenNow;
      link.addEventListener("click", (event) => {
        event.preventDefault();
        go(data.url);
      });
      document.getElementById("scan-status").append(" ", link);
      setTimeout(() => go(data.url), 2500);
    } else {
      say(fmt(t.tOpening, { code: data.code }), "ok");
      go(data.url);
    }
    return;
  }
  feedback.refuse();
  say(problemText(t, result), "refused");
  scanner.focus(); // the field was emptied when the scan was handed over
  busy = false;
  if (cam) cam.resume();
}

const scanner = wedgeInput(form, input, (value) => resolve(value, false));
cam = camera({
  toggle: document.getElementById("camera-toggle"),
  view: document.getElementById("camera-view"),
  video: document.getElementById("camera-video"),
  onDecoded: (value) => resolve(value, true),
  onStatus: say,
});
keepShellOffline(decoderFiles(t)); // the scan page opens with no network once visited
