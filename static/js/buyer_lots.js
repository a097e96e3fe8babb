// Buyer lots: the batch scan of a lot's garments, and verifying a packed box against the lot.
// Texts come translated from the page (#buyer-texts); nothing here is user-facing.
import { feedback, fmt, statusLine, texts, wedgeInput } from "./scanning.js";

const t = texts("buyer-texts");

// A label names its garment code in every form we print (code, /g/ URL, Digital Link serial).
const CODE = /CKS-[0-9A-Z]{4,12}/;
const codeOf = (raw) => {
  const found = String(raw).toUpperCase().match(CODE);
  return found ? found[0] : String(raw).trim().toUpperCase();
};

function scanIntoLot(form) {
  const target = document.getElementById(form.dataset.target);
  const input = document.getElementById("lot-scan-input");
  const list = document.getElementById("lot-scan-lines");
  const count = document.getElementById("lot-scan-count");
  const say = statusLine(document.getElementById("lot-scan-status"));
  // every scan lives in the form's textarea (what is posted); the list shows it, checked
  const lines = target.value.split("\n").map((l) => l.trim()).filter(Boolean);
  const refused = new Set();
  target.closest(".scans-field").hidden = true;
  form.hidden = false;

  const save = () => {
    target.value = lines.join("\n");
    count.hidden = lines.length === 0;
    count.textContent = fmt(t.tCount, { count: lines.length, refused: refused.size });
  };

  async function check(raw, item) {
    const params = new URLSearchParams({ payload: raw });
    if (form.dataset.lot) params.set("lot", form.dataset.lot);
    const code = codeOf(raw);
    let data = null;
    try {
      const response = await fetch(`${t.checkUrl}?${params}`, { credentials: "same-origin",
        headers: { Accept: "application/json" } });
      data = await response.json();
    } catch (error) {
      data = null;
    }
    const text = item.querySelector(".verdict-text");
    if (!data || (data.ok === false && !data.message)) {
      item.className = "batch-line line-unchecked";
      text.textContent = fmt(t.tUnchecked, { code });
      return null;
    }
    if (data.ok) {
      refused.delete(raw);
      item.className = "batch-line line-allowed";
      text.textContent = fmt(t.tCanJoin, { code: data.code });
    } else {
      refused.add(raw);
      item.className = "batch-line line-refused";
      text.textContent = fmt(t.tCannotJoin, { code: data.code || raw, state: data.state || "—", reason: data.message });
    }
    save();
    return data.ok;
  }

  function show(raw) {
    const item = document.createElement("li");
    item.className = "batch-line line-pending";
    item.dataset.raw = raw;
    const text = document.createElement("span");
    text.className = "verdict-text";
    text.textContent = `${codeOf(raw)}: ${t.tChecking}`;
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "remove link";
    remove.textContent = t.tRemove;
    remove.addEventListener("click", () => {
      const at = lines.indexOf(raw);
      if (at >= 0) lines.splice(at, 1);
      refused.delete(raw);
      item.remove();
      save();
      input.focus({ preventScroll: true });
    });
    item.append(remove, text);
    list.prepend(item);
    return item;
  }

  lines.forEach((raw) => check(raw, show(raw)));
  save();
  wedgeInput(form, input, async (raw) => {
    const value = raw.trim();
    if (lines.some((l) => codeOf(l) === codeOf(value))) {
      feedback.duplicate();
      say(fmt(t.tDouble, { code: codeOf(value) }), "warn");
      return;
    }
    lines.push(value);
    save();
    const item = show(value);
    const ok = await check(value, item);
    if (ok === true) {
      feedback.accept();
      say(item.textContent.replace(t.tRemove, ""), "ok");
    } else if (ok === false) {
      feedback.refuse();
      say(item.querySelector(".verdict-text").textContent, "refused");
    }
  });
}

function verifyBox(form) {
  const rows = new Map([...document.querySelectorAll("[data-lot-code]")].map((row) => [row.dataset.lotCode, row]));
  const input = document.getElementById("verify-input");
  const alarm = document.getElementById("verify-alarm");
  const count = document.getElementById("verify-count");
  const say = statusLine(document.getElementById("verify-status"));
  const packed = new Set();
  form.hidden = false;
  wedgeInput(form, input, (raw) => {
    const code = codeOf(raw);
    const row = rows.get(code);
    if (!row) {
      // loud: a red banner read out at once, the refusal sound, and the status line
      feedback.refuse();
      setTimeout(() => feedback.refuse(), 600);
      const message = fmt(t.tNotInLot, { code });
      alarm.textContent = message;
      alarm.hidden = false;
      alarm.classList.remove("flash-again");
      void alarm.offsetWidth; // restart the flash for a second stranger
      alarm.classList.add("flash-again");
      say(message, "refused");
      return;
    }
    alarm.hidden = true;
    if (packed.has(code)) {
      feedback.duplicate();
      say(fmt(t.tAgain, { code }), "warn");
      return;
    }
    packed.add(code);
    row.classList.add("packed");
    row.querySelector(".packed-mark").hidden = false;
    feedback.accept();
    say(fmt(t.tInLot, { code, packed: packed.size, total: rows.size }), "ok");
    count.hidden = false;
    count.textContent = `${packed.size} / ${rows.size} ${t.tPacked}`;
  });
}

const scanForm = document.getElementById("lot-scan-form");
if (scanForm) scanIntoLot(scanForm);
const verifyForm = document.getElementById("verify-form");
if (verifyForm && !scanForm) verifyBox(verifyForm);
