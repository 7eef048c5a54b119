// The one way the demo builds DOM. Labels, state names, rule names and messages come
// from the org or from the rules file: they only ever reach the page as text nodes or
// attribute values, never through innerHTML, so a status named "<img onerror=...>" is
// shown, not run; and every such text goes through visible() (www/safe-text.js), so a
// bidi override or a NUL in a name is shown as its code point, not obeyed.

import { visible } from "../safe-text.js";

export { visible };

/**
 * Creates an element.
 * @param {string} tag
 * @param {Record<string, unknown>} [props] `testid`, `class`, `text`, `value`,
 *   `dataset`, `on<event>` handlers; anything else becomes an attribute.
 * @param {...(Node|string|number|null|false|Array)} children strings become text nodes
 * @returns {HTMLElement}
 */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value == null || value === false) continue;
    if (key === "testid") node.dataset.testid = String(value);
    else if (key === "class") node.className = String(value);
    else if (key === "text") node.textContent = visible(value);
    else if (key === "value") node.value = String(value);
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : visible(value));
  }
  node.append(...texts(children));
  return node;
}

/**
 * A name from the org, the phone or the rules, isolated from the text around it.
 * @param {unknown} text
 * @returns {HTMLElement} a `<bdi>` holding `visible(text)`
 */
export function name(text) {
  return el("bdi", {}, visible(text));
}

/** Children as nodes, strings made visible. */
function texts(children) {
  return children.flat(Infinity).filter((c) => c != null && c !== false)
    .map((c) => (c instanceof Node ? c : visible(c)));
}

/**
 * Replaces an element's children.
 * @param {Element} node
 * @param {...(Node|string|null|false|Array)} children
 */
export function fill(node, ...children) {
  node.replaceChildren(...texts(children));
}

/**
 * Formats a time (ms) as the local wall clock, seconds included.
 * @param {number} ms
 * @returns {string}
 */
export function clock(ms) {
  return new Date(ms).toLocaleTimeString([], { hour12: false });
}

/**
 * Formats a duration (ms) for a table cell.
 * @param {number} ms
 * @returns {string}
 */
export function seconds(ms) {
  return `${(ms / 1000).toFixed(ms < 10000 ? 1 : 0)} s`;
}
