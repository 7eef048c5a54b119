// The rules editor: a textarea and "Apply". The engine judges the text (no JSON or
// schema check here: one source of truth), and a refusal lists every finding with its
// JSON path while the engine keeps the rules it had.

import { clock, el, fill } from "./dom.js";

/**
 * Builds the editor.
 * @param {HTMLElement} root
 * @param {{text: string, defaults: string, apply: (text: string) => Promise<void> | void}} options
 *   `apply` throws (or rejects) with the engine's `Error {code, details}` when refused.
 * @returns {{accepted: (text: string) => void, refused: (err: unknown) => void,
 *   text: () => string, setText: (text: string) => void, onInput: (cb: (text: string) => void) => void}}
 *   `accepted`/`refused` report the outcome of rules applied from elsewhere (the start-up
 *   rules); `setText` and `onInput` keep the form editor in step with the text.
 */
export function createRulesEditor(root, { text, defaults, apply }) {
  const area = el("textarea", {
    testid: "rules-editor", spellcheck: "false", rows: 18, "aria-label": "Rules (JSON)", value: text,
  });
  const status = el("p", { testid: "rules-status", role: "status" });
  const errors = el("ul", { class: "findings", testid: "rules-errors" });
  const applyButton = el("button", { testid: "rules-apply", text: "Apply", class: "primary", onclick: onApply });
  const reset = el("button", {
    testid: "rules-defaults", text: "Load the default rules",
    onclick: () => {
      area.value = defaults;
      listeners.forEach((cb) => cb(area.value));
    },
  });
  const listeners = [];
  area.addEventListener("input", () => listeners.forEach((cb) => cb(area.value)));
  root.append(area, el("div", { class: "row" }, applyButton, reset), status, errors);

  async function onApply() {
    applyButton.disabled = true;
    try {
      await apply(area.value);
      accepted(area.value);
    } catch (err) {
      refused(err);
    } finally {
      applyButton.disabled = false;
    }
  }

  function accepted(applied) {
    let summary = "";
    try {
      const parsed = JSON.parse(applied);
      const mappings = (parsed.mappings?.telephonyToOmni?.length ?? 0) + (parsed.mappings?.omniToTelephony?.length ?? 0);
      summary = ` (${parsed.rules?.length ?? 0} rules, ${mappings} mappings)`;
    } catch {
      // the engine accepted it, so it parses; a summary is only a nicety
    }
    status.textContent = `Rules active since ${clock(Date.now())}${summary}.`;
    status.className = "ok";
    status.dataset.state = "active";
    fill(errors);
  }

  function refused(err) {
    const details = Array.isArray(err?.details) && err.details.length
      ? err.details
      : [{ path: "$", code: err?.code ?? "error", message: err?.message ?? String(err) }];
    status.textContent = `Refused: ${details.length} error(s). The previous rules stay active.`;
    status.className = "error";
    status.dataset.state = "refused";
    fill(errors, details.map((d) => el("li", { testid: "rules-error", dataset: { code: d.code ?? "" } },
      el("code", { class: "path", testid: "rules-error-path", text: d.path ?? "$" }),
      " ",
      el("span", { text: d.message ?? "" }),
      d.code ? el("span", { class: "code", text: ` (${d.code})` }) : null)));
  }

  return {
    accepted, refused,
    text: () => area.value,
    setText: (next) => { area.value = next; },
    onInput: (cb) => listeners.push(cb),
  };
}
