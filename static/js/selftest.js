// Scanner self-test: show exactly what the scanner typed (each character, its code point and the
// key it came from) and whether its keyboard layout matches the computer's.
import { NetworkProblem, fmt, postJSON, problemText, statusLine, texts } from "./scanning.js";

const t = texts();
const s = texts("selftest-texts");
const form = document.getElementById("selftest-form");
const input = document.getElementById("selftest-input");
const say = statusLine(document.getElementById("selftest-verdict"));
const typedBox = document.getElementById("selftest-typed");
const rows = document.getElementById("selftest-rows");
const raw = document.getElementById("selftest-raw");

let keys = []; // the physical key (KeyboardEvent.code) of each character, in order
let idleTimer = null;

function codePoint(ch) {
  return "U+" + ch.codePointAt(0).toString(16).toUpperCase().padStart(4, "0");
}

function visible(ch) {
  if (ch === " ") return `␠ (${s.tSpace})`;
  if (ch === "\t") return `⇥ (${s.tTab})`;
  if (ch === "\n" || ch === "\r") return `⏎ (${s.tEnter})`;
  const cp = ch.codePointAt(0);
  if (cp < 32 || (cp >= 127 && cp < 160)) return `␀ ${codePoint(ch)}`;
  return ch;
}

function swapCase(text) {
  return Array.from(text, (ch) => (ch === ch.toUpperCase() ? ch.toLowerCase() : ch.toUpperCase())).join("");
}

function show(text, endedWithEnter, typedKeys) {
  const chars = Array.from(text);
  const expected = Array.from(s.expected || "");
  raw.textContent = text;
  rows.replaceChildren(...chars.map((ch, i) => {
    const row = document.createElement("tr");
    const cells = [String(i + 1), visible(ch), codePoint(ch), typedKeys[i] || "", expected[i] || ""];
    cells.forEach((value, column) => {
      const cell = document.createElement("td");
      cell.textContent = value;
      if (column === 1) cell.className = "char";
      row.append(cell);
    });
    if (expected.length && expected[i] !== ch) row.className = "differs";
    return row;
  }));
  if (endedWithEnter) {
    const row = document.createElement("tr");
    ["", visible("\n"), "U+000D", "Enter", ""].forEach((value) => {
      const cell = document.createElement("td");
      cell.textContent = value;
      row.append(cell);
    });
    rows.append(row);
  }
  typedBox.hidden = false;
}

async function judge(text, endedWithEnter, typedKeys) {
  show(text, endedWithEnter, typedKeys);
  const noEnter = endedWithEnter ? "" : ` ${s.tNoEnter}`;
  if (text === s.expected) {
    say(s.tOk + noEnter, endedWithEnter ? "ok" : "warn");
    return;
  }
  if (text === s.expectedMangled) {
    say(s.tUs + noEnter, "warn");
    return;
  }
  if (swapCase(text) === s.expected) {
    say(s.tCaps + noEnter, "warn");
    return;
  }
  // not the test code: perhaps a garment label, read as the scan page would
  try {
    const result = await postJSON(t.apiScan, { payload: text });
    if (result.status === 200) {
      const template = result.data.mangled ? s.tLabelMangled : s.tLabel;
      say(fmt(template, { code: result.data.code }) + noEnter, result.data.mangled ? "warn" : "ok");
    } else if (result.status === 404 && result.data.details && result.data.details.code) {
      say(fmt(result.data.details.mangled ? s.tLabelMangled : s.tLabel,
        { code: result.data.details.code }) + noEnter, "warn");
    } else {
      say(`${s.tOther} ${problemText(t, result)}${noEnter}`, "refused");
    }
  } catch (error) {
    if (!(error instanceof NetworkProblem)) throw error;
    say(`${s.tOther} ${problemText(t, error)}`, "refused");
  }
}

function finish(endedWithEnter) {
  clearTimeout(idleTimer);
  const text = input.value;
  const typedKeys = keys;
  input.value = "";
  keys = [];
  if (text !== "") judge(text, endedWithEnter, typedKeys);
}

input.addEventListener("keydown", (event) => {
  if (event.key === "Enter") {
    event.preventDefault();
    finish(true);
    return;
  }
  if (input.value === "") keys = [];
  if (event.key.length === 1 || event.key === "Dead") keys.push(event.code);
  clearTimeout(idleTimer);
  // a scanner types a whole code in well under a second; silence after it means no Enter came
  idleTimer = setTimeout(() => finish(false), 1500);
});
form.addEventListener("submit", (event) => event.preventDefault());
input.addEventListener("blur", () => setTimeout(() => {
  if (document.activeElement === document.body) input.focus({ preventScroll: true });
}, 0));
input.focus();
