// What the scan pages share: the scanner input, the camera decoder, sounds, and calls to the API.
// Texts come translated from the page (#scan-texts data attributes); nothing here is user-facing.

export const texts = (id = "scan-texts") => {
  const el = document.getElementById(id);
  return el ? el.dataset : {};
};

/** Fill "%(name)s" placeholders the way the server's gettext does. */
export function fmt(template, params = {}) {
  return String(template || "").replace(/%\((\w+)\)s/g, (_, name) =>
    name in params ? String(params[name]) : "");
}

/**
 * A count in the user's language: the page gives each message's forms as "<name>One" and
 * "<name>Other" (rendered by the server's ngettext) and, in pluralOne, the counts that take the
 * singular there ("1" in Dutch and English, "0,1" in French).
 */
export function plural(t, name, count, params = {}) {
  const one = String(t.pluralOne || "1").split(",").includes(String(count));
  return fmt(t[`${name}${one ? "One" : "Other"}`], { count, ...params });
}

/**
 * A moment as the page's reader writes it: in the locale the server writes the page's dates in
 * (its cksloop-locale meta: nl-BE, fr-BE, en-IE — day first, 24-hour clock), in Brussels time;
 * never the browser's own locale, which may be American on a Dutch page.
 */
export function localMoment(value) {
  const meta = document.querySelector('meta[name="cksloop-locale"]');
  const locale = (meta && meta.content) || `${document.documentElement.lang || "nl"}-BE`;
  return new Date(value).toLocaleString(locale,
    { dateStyle: "short", timeStyle: "short", timeZone: "Europe/Brussels" });
}

// --- talking to cksloop ------------------------------------------------------------------------

/** Where the scan page leaves scans that found no network, for the batch list to take over. */
export function handoverKey(userId) {
  return `cksloop.scan.handover.${userId}`;
}

export class NetworkProblem extends Error {
  constructor(kind) {
    super(kind);
    this.kind = kind; // "offline" or "timeout"
  }
}

/**
 * POST JSON and return {status, data}. Rejects with NetworkProblem when the request never got an
 * answer (bad shop Wi-Fi) or took longer than timeoutMs: the page then says so, never hangs.
 */
export async function postJSON(url, body, { timeoutMs = 10000, headers = {} } = {}) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  let response;
  try {
    response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-CSRFToken": texts().csrf || "",
        ...headers,
      },
      body: JSON.stringify(body),
      signal: controller.signal,
    });
  } catch (error) {
    throw new NetworkProblem(controller.signal.aborted ? "timeout" : "offline");
  } finally {
    clearTimeout(timer);
  }
  let data = {};
  try {
    data = await response.json();
  } catch (error) {
    data = {}; // a proxy's HTML error page: the status still tells what happened
  }
  return { status: response.status, data };
}

/** The message for an answer that is not a 2xx (or a NetworkProblem), in the user's language. */
export function problemText(t, result) {
  if (result instanceof NetworkProblem) {
    return result.kind === "timeout" ? t.tSlow : t.tOffline;
  }
  if (result.status === 401) return t.tSignedOut;
  if (result.status >= 500 || !result.data || !result.data.message) return t.tServer;
  return result.data.message;
}

// --- sound and vibration -------------------------------------------------------------------------
// Staff often cannot look at the screen: accepted, refused and double scans sound (and buzz)
// differently. Browsers only allow sound after a key press or a tap, which every scan is.

let audioContext = null;

function audio() {
  const Context = window.AudioContext || window.webkitAudioContext;
  if (!Context) return null;
  if (!audioContext) {
    try {
      audioContext = new Context();
    } catch (error) {
      return null;
    }
  }
  if (audioContext.state === "suspended") audioContext.resume().catch(() => {});
  return audioContext;
}

["keydown", "pointerdown"].forEach((type) =>
  window.addEventListener(type, () => audio(), { once: true, capture: true }));

function tone(frequency, startAt, duration, type = "sine", volume = 0.25) {
  const ctx = audio();
  if (!ctx) return;
  const start = ctx.currentTime + startAt;
  const oscillator = ctx.createOscillator();
  const gain = ctx.createGain();
  oscillator.type = type;
  oscillator.frequency.value = frequency;
  gain.gain.setValueAtTime(volume, start);
  gain.gain.exponentialRampToValueAtTime(0.001, start + duration);
  oscillator.connect(gain).connect(ctx.destination);
  oscillator.start(start);
  oscillator.stop(start + duration + 0.02);
}

function vibrate(pattern) {
  if (navigator.vibrate) {
    try {
      navigator.vibrate(pattern);
    } catch (error) {
      // some browsers refuse without a fresh gesture: the sound still plays
    }
  }
}

export const feedback = {
  accept() {
    tone(1320, 0, 0.09);
    vibrate(60);
    document.body.dataset.lastFeedback = "accept";
  },
  refuse() {
    tone(220, 0, 0.18, "square", 0.2);
    tone(165, 0.24, 0.26, "square", 0.2);
    vibrate([200, 100, 200]);
    document.body.dataset.lastFeedback = "refuse";
  },
  duplicate() {
    tone(660, 0, 0.06);
    tone(660, 0.12, 0.06);
    vibrate([40, 60, 40]);
    document.body.dataset.lastFeedback = "duplicate";
  },
};

// --- the handheld scanner (and typing) ----------------------------------------------------------

/**
 * A keyboard-wedge scanner types the payload and Enter (some send Tab). The input keeps focus, and
 * keys typed while nothing else has focus are sent to it, so a scan is never lost.
 */
export function wedgeInput(form, input, onScan) {
  const submit = () => {
    const value = input.value;
    if (value.trim() === "") return;
    // the field is emptied the moment a scan is handed over, so the next scan (a scanner types
    // back to back, whatever the server is doing) starts in an empty field and is never cut
    input.value = "";
    onScan(value);
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit();
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Tab" && input.value.trim() !== "") {
      event.preventDefault();
      submit();
    }
  });
  const refocus = () => {
    const active = document.activeElement;
    if (!active || active === document.body || active === document.documentElement) {
      input.focus({ preventScroll: true });
    }
  };
  input.addEventListener("blur", () => setTimeout(refocus, 0));
  document.addEventListener("keydown", (event) => {
    const active = document.activeElement;
    if (active === input || event.ctrlKey || event.metaKey || event.altKey) return;
    if (active && active !== document.body && active !== document.documentElement) return;
    if (event.key.length === 1 || event.key === "Enter") input.focus({ preventScroll: true });
  }, { capture: true });
  input.focus({ preventScroll: true });
  // scans typed before this module started (js/early-scans.js kept them) follow, in order
  form.dataset.live = "1";
  (form.earlyScans || []).splice(0).forEach((value) => onScan(value));
  return {
    clear() {
      input.value = "";
      input.focus({ preventScroll: true });
    },
    focus() {
      input.focus({ preventScroll: true });
    },
    keepForRetry(value) {
      // put an unanswered scan back unless another is being typed: Enter sends it again, and
      // the next scan replaces the selected text
      if (input.value === "") input.value = value;
      input.focus({ preventScroll: true });
      input.select();
    },
  };
}

// --- the camera ---------------------------------------------------------------------------------

async function createDetector(t) {
  if ("BarcodeDetector" in window) {
    try {
      const formats = await window.BarcodeDetector.getSupportedFormats();
      if (formats.includes("qr_code")) return new window.BarcodeDetector({ formats: ["qr_code"] });
    } catch (error) {
      // fall through to the vendored decoder
    }
  }
  const vendored = await import(t.ponyfill);
  const wasmUrl = new URL(t.wasm, window.location.href).href;
  // load the WebAssembly from our own static files, never from the package's default CDN
  vendored.setZXingModuleOverrides({
    locateFile: (path, prefix) => (path.endsWith(".wasm") ? wasmUrl : prefix + path),
  });
  return new vendored.BarcodeDetector({ formats: ["qr_code"] });
}

/**
 * The label reader's files, for the offline copy: its WebAssembly, the module and the module that
 * one imports (without a content hash in its URL, so it would be missing offline otherwise).
 */
export function decoderFiles(t) {
  if (!t.ponyfill) return [];
  const base = new URL(t.ponyfill, window.location.href);
  return [t.wasm, t.ponyfill, new URL("zxing-exported.js", base).pathname];
}

export function cameraAvailable() {
  return Boolean(navigator.mediaDevices && navigator.mediaDevices.getUserMedia);
}

/**
 * Start/stop the camera from a toggle button and hand each decoded payload to onDecoded. The same
 * payload seen again within repeatMs (the label is still in front of the lens) is not repeated.
 */
export function camera({ toggle, view, video, onDecoded, onStatus, repeatMs = 2500 }) {
  const t = texts();
  let stream = null;
  let detector = null;
  let running = false;
  let paused = false;
  let last = { value: null, at: 0 };

  const setButton = () => {
    toggle.textContent = running ? t.tCameraStop : t.tCameraStart;
    toggle.setAttribute("aria-pressed", running ? "true" : "false");
  };

  async function start() {
    onStatus(t.tCameraStarting, "info");
    try {
      detector = detector || await createDetector(t);
    } catch (error) {
      onStatus(t.tDecoderFailed, "refused");
      return;
    }
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        audio: false,
        video: { facingMode: { ideal: "environment" }, width: { ideal: 1280 }, height: { ideal: 720 } },
      });
    } catch (error) {
      const name = error && error.name;
      onStatus(name === "NotAllowedError" || name === "SecurityError" ? t.tCameraDenied
        : name === "NotFoundError" || name === "OverconstrainedError" ? t.tCameraNone
          : t.tCameraFailed, "refused");
      return;
    }
    video.srcObject = stream;
    view.hidden = false;
    running = true;
    setButton();
    try {
      await video.play();
    } catch (error) {
      // autoplay of a muted inline video is allowed; a failure shows as no frames, not a crash
    }
    onStatus(t.tCameraOn, "info");
    loop();
  }

  function stop() {
    running = false;
    if (stream) stream.getTracks().forEach((track) => track.stop());
    stream = null;
    video.srcObject = null;
    view.hidden = true;
    setButton();
  }

  async function loop() {
    if (!running) return;
    if (!paused && video.readyState >= 2 && video.videoWidth > 0) {
      try {
        const found = await detector.detect(video);
        const value = found.length ? found[0].rawValue : null;
        const nowMs = Date.now();
        if (value && running && !paused && !(value === last.value && nowMs - last.at < repeatMs)) {
          last = { value, at: nowMs };
          onDecoded(value);
        } else if (value) {
          last.at = nowMs;
        }
      } catch (error) {
        // a frame that cannot be read: try the next one
      }
    }
    setTimeout(loop, 120);
  }

  toggle.hidden = !cameraAvailable();
  setButton();
  toggle.addEventListener("click", () => (running ? stop() : start()));
  window.addEventListener("pagehide", stop);
  return {
    stop,
    pause() { paused = true; },
    resume() { paused = false; },
    get running() { return running; },
  };
}

/** Show a message in the page's live status line; kind: info | ok | refused | warn. */
export function statusLine(element) {
  return (message, kind = "info") => {
    element.textContent = message || "";
    element.className = `scan-status scan-${kind}`;
    element.dataset.kind = kind;
  };
}
