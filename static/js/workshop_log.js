// Logging a workshop on a tablet: a scan field that keeps its focus and lists each lot with what it
// holds, +/- buttons for the counts, and grams pre-filled (as placeholders) from the typical use.
const form = document.querySelector("form.workshop-log");

if (form) {
  const scan = form.querySelector(".scan-field");
  const list = form.querySelector(".scanned-lots");
  const status = form.querySelector(".scan-status");
  const text = (name, value) => form.dataset[name].replace(/GRAMS/, value);

  const codeOf = (raw) => {
    // a label holds a URL ending in /r/CODE; a person types the code, perhaps in small letters
    const last = raw.trim().split("/").filter(Boolean).pop() || "";
    const match = last.toUpperCase().match(/^CKSR-?(\d{1,12})$/);
    if (!match) return last.toUpperCase();
    return "CKSR-" + match[1].padStart(Math.max(5, match[1].length), "0");
  };

  const suggest = () => {
    // the same share-out as the server: the typical use, less grams typed, evenly over the empty lots
    let need = 0;
    form.querySelectorAll(".count-input").forEach((input) => {
      need += (parseInt(input.value, 10) || 0) * parseInt(input.dataset.typical, 10);
    });
    const lots = [...list.querySelectorAll(".scanned-lot")];
    const open = lots.filter((li) => !li.querySelector(".grams-input").value);
    lots.forEach((li) => { need -= parseInt(li.querySelector(".grams-input").value, 10) || 0; });
    need = Math.max(need, 0);
    open.forEach((li, index) => {
      const fair = Math.ceil(need / (open.length - index));
      const share = Math.min(fair, parseInt(li.dataset.remaining, 10));
      li.querySelector(".grams-input").placeholder = String(share);
      need -= share;
    });
  };

  const addLot = (lot) => {
    const li = document.createElement("li");
    li.className = "scanned-lot";
    li.dataset.code = lot.code;
    li.dataset.remaining = lot.remaining_g;
    const hidden = Object.assign(document.createElement("input"), { type: "hidden", name: "lot", value: lot.code });
    const code = Object.assign(document.createElement("span"), { className: "code", textContent: lot.code });
    const left = Object.assign(document.createElement("span"), {
      className: "lot-left", textContent: text("left", lot.remaining_g) });
    const field = (label, name, cls) => {
      const wrap = document.createElement("label");
      wrap.append(label + " ");
      const input = Object.assign(document.createElement("input"), {
        type: "number", inputMode: "numeric", min: "1", name: `${name}-${lot.code}`, className: cls });
      input.addEventListener("input", suggest);
      wrap.append(input);
      return wrap;
    };
    const remove = Object.assign(document.createElement("button"), {
      type: "button", className: "remove-lot", textContent: form.dataset.remove });
    remove.addEventListener("click", () => { li.remove(); suggest(); scan.focus(); });
    li.append(hidden, code, " ", left, field(form.dataset.gramsLabel, "grams", "grams-input"),
      field(form.dataset.leftoverLabel, "leftover", "leftover-input"), remove);
    list.append(li);
    suggest();
  };

  list.querySelectorAll(".scanned-lot").forEach((li) => {
    li.querySelector('input[name^="grams-"]').classList.add("grams-input");
  });

  const queue = [];
  let busy = false;
  const next = async () => {
    if (busy || !queue.length) return;
    busy = true;
    const code = queue.shift();
    try {
      if (list.querySelector(`[data-code="${CSS.escape(code)}"]`)) {
        status.textContent = `${code}: ${form.dataset.twice}`;
      } else {
        const answer = await fetch(form.dataset.lotUrl.replace("CODE", encodeURIComponent(code)),
          { headers: { Accept: "application/json" }, credentials: "same-origin" });
        if (answer.ok) {
          const lot = await answer.json();
          if (!list.querySelector(`[data-code="${CSS.escape(lot.code)}"]`)) addLot(lot);
          status.textContent = `${lot.code}: ${text("left", lot.remaining_g)}`;
        } else {
          status.textContent = `${code}: ${form.dataset.unknown}`;
        }
      }
    } finally {
      busy = false;
      next();
    }
  };

  scan.addEventListener("keydown", (event) => {
    if (event.key !== "Enter") return;
    event.preventDefault(); // a scanner ends with Enter: list the lot, do not send the form
    const code = codeOf(scan.value);
    scan.value = "";
    scan.focus();
    if (code) { queue.push(code); next(); }
  });

  form.querySelectorAll("button.step").forEach((button) => {
    button.addEventListener("click", () => {
      const input = form.querySelector(`#${button.dataset.target}`);
      const value = Math.max(0, (parseInt(input.value, 10) || 0) + parseInt(button.dataset.step, 10));
      input.value = String(value);
      suggest();
    });
  });
  form.querySelectorAll(".count-input").forEach((input) => input.addEventListener("input", suggest));
  suggest();
}
