// Small building blocks of the form editor: elements, picklists and the placing of the
// engine's findings beside the field whose JSON path they name. No page globals: the
// Salesforce panel can host the editor as the demo does.

import { visible } from "../safe-text.js";

/**
 * Creates an element; strings become text nodes (never HTML), made visible().
 * @param {string} tag
 * @param {Record<string, unknown>} [props] `class`, `text`, `value`, `testid`, `path`
 *   (the JSON path the field edits), `on<event>` handlers; anything else an attribute.
 * @param {...unknown} children
 * @returns {HTMLElement}
 */
export function h(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value == null || value === false) continue;
    if (key === "class") node.className = String(value);
    else if (key === "text") node.textContent = visible(value);
    else if (key === "value") node.value = String(value);
    else if (key === "testid") node.dataset.testid = String(value);
    else if (key === "path") node.dataset.path = String(value);
    else if (key === "checked") node.checked = Boolean(value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : visible(value));
  }
  node.append(...children.flat(Infinity).filter((c) => c != null && c !== false)
    .map((c) => (c instanceof Node ? c : visible(c))));
  return node;
}

/**
 * A picklist. A current value missing from the options is kept as an option of its
 * own, marked, so that a file naming something the lists lack is shown as it is.
 * @param {string[]} options
 * @param {string | undefined} value
 * @param {(value: string) => void} onchange
 * @param {{path?: string, testid?: string, label?: string, blank?: string}} [props]
 * @returns {HTMLSelectElement}
 */
export function picklist(options, value, onchange, { path, testid, label, blank } = {}) {
  const all = value != null && value !== "" && !options.includes(value) ? [...options, value] : options;
  const select = h("select", { path, testid, "aria-label": label, onchange: () => onchange(select.value) },
    blank !== undefined ? h("option", { value: "", text: blank }) : null,
    all.map((name) => h("option", { value: name, text: options.includes(name) ? name : `${name} (not in the lists)` })));
  select.value = value ?? "";
  return select;
}

/**
 * Shows each finding beside the field whose `data-path` is the longest prefix of the
 * finding's path (a finding about `$.rules[0].then[0]` sits beside that action's
 * target); findings no field claims go to `rest`.
 * @param {HTMLElement} root the form
 * @param {Array<{path?: string, code?: string, message?: string, severity?: string}>} findings
 * @param {HTMLElement} rest
 */
export function placeFindings(root, findings, rest) {
  root.querySelectorAll(".finding").forEach((node) => node.remove());
  rest.replaceChildren();
  const fields = [...root.querySelectorAll("[data-path]")];
  for (const finding of findings) {
    const path = finding.path ?? "$";
    let best = null;
    for (const field of fields) {
      const own = field.dataset.path;
      const prefix = path === own || path.startsWith(`${own}.`) || path.startsWith(`${own}[`);
      if (prefix && own.length > (best?.dataset.path.length ?? 0)) best = field;
    }
    const note = h("span", {
      class: `finding ${finding.severity === "warning" ? "warning" : "error"}`, testid: "form-finding",
      "data-code": finding.code ?? "", "data-for": path, role: "note",
    }, finding.message ?? finding.code ?? "");
    if (best && best.dataset.path !== "$") best.after(note);
    else rest.append(h("li", {}, h("code", { text: path }), " ", note));
  }
}
