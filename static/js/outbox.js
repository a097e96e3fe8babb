// The offline queue: batches confirmed with no network wait here (IndexedDB) until they can be
// sent. It survives a reload, a closed tab and a restarted browser. Each batch keeps its own
// Idempotency-Key, so sending it again after a lost answer never writes twice; it carries the
// versions the phone last saw (a garment changed since is refused by the server, not overwritten)
// and the phone's time. Items belong to the user who queued them and are sent in order.
import { NetworkProblem, postJSON } from "./scanning.js";

const DB_NAME = "cksloop";
const STORE = "outbox";
// the batch list being scanned, one per user, kept beside localStorage's copy: it survives a
// closed tab and a full localStorage (IndexedDB has the origin's whole quota)
const DRAFTS = "drafts";
const LOCK = "cksloop-outbox";

export class StorageFull extends Error {}

function openDb() {
  return new Promise((resolve, reject) => {
    if (!("indexedDB" in window) || !window.indexedDB) {
      reject(new Error("no IndexedDB"));
      return;
    }
    const request = indexedDB.open(DB_NAME, 2);
    request.onupgradeneeded = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains(STORE)) db.createObjectStore(STORE, { keyPath: "id", autoIncrement: true });
      if (!db.objectStoreNames.contains(DRAFTS)) db.createObjectStore(DRAFTS, { keyPath: "user" });
    };
    request.onsuccess = () => {
      // another tab's newer page may upgrade the database: let it
      request.result.onversionchange = () => request.result.close();
      resolve(request.result);
    };
    request.onerror = () => reject(request.error);
  });
}

async function run(mode, work, storeName = STORE) {
  const db = await openDb();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(storeName, mode);
    let result;
    Promise.resolve(work(tx.objectStore(storeName))).then((value) => { result = value; });
    tx.oncomplete = () => { db.close(); resolve(result); };
    tx.onabort = tx.onerror = () => {
      db.close();
      const error = tx.error;
      reject(error && error.name === "QuotaExceededError" ? new StorageFull(error.message) : error);
    };
  });
}

const asPromise = (request) => new Promise((resolve, reject) => {
  request.onsuccess = () => resolve(request.result);
  request.onerror = () => reject(request.error);
});

/** Queue a batch; resolves with its id once it is on disk (rejects with StorageFull). */
export function add(item) {
  return run("readwrite", (store) => asPromise(store.add({ ...item, status: "waiting" })));
}

export function all(userId) {
  return run("readonly", (store) => asPromise(store.getAll()))
    .then((items) => items.filter((item) => String(item.user) === String(userId)));
}

export function put(item) {
  return run("readwrite", (store) => asPromise(store.put(item)));
}

export function remove(id) {
  return run("readwrite", (store) => asPromise(store.delete(id)));
}

/** The waiting count of a user (0 when the browser has no IndexedDB). */
export async function waiting(userId) {
  return (await waitingCounts(userId)).batches;
}

/** What waits to be sent for a user: {batches, scans} (both 0 when the browser has no IndexedDB). */
export async function waitingCounts(userId) {
  try {
    const items = (await all(userId)).filter((item) => item.status === "waiting");
    return { batches: items.length, scans: items.reduce((sum, item) => sum + (item.codes || []).length, 0) };
  } catch (error) {
    return { batches: 0, scans: 0 };
  }
}

// --- the list being scanned ----------------------------------------------------------------------

/** Keep the user's list (its JSON and when it was saved); rejects when it could not be kept. */
export function saveDraft(userId, json, savedAt) {
  return run("readwrite", (store) => asPromise(store.put({ user: String(userId), json, savedAt })), DRAFTS);
}

/** The user's kept list, {json, savedAt}, or null. */
export function loadDraft(userId) {
  return run("readonly", (store) => asPromise(store.get(String(userId))), DRAFTS).then((row) => row || null);
}

export function clearDraft(userId) {
  return run("readwrite", (store) => asPromise(store.delete(String(userId))), DRAFTS);
}

/** A fresh CSRF token: the page may have come from the offline cache with an expired one. */
async function freshCsrf() {
  const response = await fetch(window.location.pathname, { credentials: "same-origin", cache: "no-store" });
  const html = await response.text();
  const match = html.match(/data-csrf="([^"]+)"/);
  return response.ok && !response.redirected && match ? match[1] : null;
}

/**
 * Send the user's waiting batches, oldest first. Stops at the first that cannot be sent (no
 * network, signed out, server trouble): it and those after it stay waiting, in order.
 * Returns "sent", "offline", "signed_out" or "error".
 */
export function flush(options) {
  // one sender at a time, across this browser's tabs and scripts: a batch is never sent twice at
  // once (its Idempotency-Key would make the second a replay, but the page would show it twice)
  if (navigator.locks && navigator.locks.request) {
    return navigator.locks.request(LOCK, () => flushNow(options));
  }
  return flushNow(options);
}

async function flushNow({ userId, url, csrf, onChange = () => {} }) {
  let token = csrf;
  let retriedToken = false;
  const items = (await all(userId)).filter((item) => item.status === "waiting");
  for (const item of items) {
    const body = { action: item.action, codes: item.codes, ...item.details };
    if (item.expected_versions && Object.keys(item.expected_versions).length) {
      body.expected_versions = item.expected_versions;
    }
    if (item.queued_at) body.queued_at = item.queued_at;
    let result;
    for (;;) {
      try {
        result = await postJSON(url, body, { timeoutMs: 20000,
          headers: { "Idempotency-Key": item.key, "X-CSRFToken": token || "" } });
      } catch (error) {
        if (error instanceof NetworkProblem) return "offline";
        throw error;
      }
      if (result.status === 400 && result.data.error === "csrf_failed" && !retriedToken) {
        retriedToken = true;
        token = await freshCsrf().catch(() => null);
        if (token) continue;
      }
      break;
    }
    if (result.status === 401 || (result.status === 400 && result.data.error === "csrf_failed")) {
      return "signed_out"; // the queue waits for the next sign-in, nothing lost
    }
    if (result.status >= 500 || result.status === 409 || result.status === 429) {
      item.message = result.data.message || "";
      await put(item);
      onChange();
      return "error"; // nothing was written: tried again on the next send
    }
    item.sent_at = new Date().toISOString();
    if (result.status === 200) {
      item.status = "done";
      item.result = result.data;
    } else {
      item.status = "invalid"; // refused as a whole (details wrong, role): listed until dismissed
      item.message = result.data.message || "";
    }
    await put(item);
    onChange();
  }
  return "sent";
}

/** The phone's time with its UTC offset, e.g. 2026-12-04T10:15:00+01:00. */
export function deviceTime(date = new Date()) {
  const pad = (n) => String(Math.abs(n)).padStart(2, "0");
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? "+" : "-";
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:`
    + `${pad(date.getMinutes())}:${pad(date.getSeconds())}${sign}${pad(Math.trunc(offset / 60))}:${pad(offset % 60)}`;
}

/**
 * Keep the scan pages' shell for offline use: register the service worker and hand it the page's
 * files. When every one is kept, the page's #offline-ready line shows (and <html> gets
 * data-offline-ready), so a clerk knows before walking into the stockroom that the page will open there.
 */
export function keepShellOffline(extraUrls = []) {
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.addEventListener("message", (event) => {
    const data = event.data || {};
    if (data.type !== "cached") return;
    document.documentElement.dataset.offlineReady = data.complete ? "yes" : "no";
    const line = document.getElementById("offline-ready");
    if (line) line.hidden = !data.complete;
  });
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(() => navigator.serviceWorker.ready)
    .then((registration) => {
      const own = performance.getEntriesByType("resource").map((entry) => entry.name)
        .filter((name) => name.startsWith(`${window.location.origin}/static/`));
      const urls = [window.location.pathname, ...own, ...extraUrls.filter(Boolean)];
      if (registration.active) registration.active.postMessage({ type: "cache", urls });
    })
    .catch(() => { /* no service worker (private mode, old browser): online use is unchanged */ });
}
