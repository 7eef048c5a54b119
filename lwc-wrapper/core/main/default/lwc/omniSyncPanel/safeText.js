// The panel's copy of www/safe-text.js `visible()` (an LWC bundle cannot import files
// outside the package; www/test/safe-text-panel.test.mjs holds the two to the same
// answers). Names from the org, the phone and the rules file reach the panel inside the
// host's state message: bidi overrides and control characters in them are shown as
// code points, never obeyed, so one status cannot be made to read as another.

// Matching control characters is this expression's purpose.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/gu;

/**
 * The text with each control character and bidi control written out as `[U+XXXX]`.
 * @param {unknown} text
 * @returns {string}
 */
export function visible(text) {
  if (text === null || text === undefined) return "";
  return String(text).replace(UNSAFE, (c) => `[U+${c.codePointAt(0).toString(16).toUpperCase().padStart(4, "0")}]`);
}

/**
 * A copy of a JSON-shaped value with every string passed through `visible()`; object
 * keys are the host's own field names and kept as they are.
 * @param {unknown} value
 * @returns {unknown}
 */
export function visibleDeep(value) {
  if (typeof value === "string") return visible(value);
  if (Array.isArray(value)) return value.map(visibleDeep);
  if (value && typeof value === "object") {
    const copy = {};
    for (const [key, inner] of Object.entries(value)) copy[key] = visibleDeep(inner);
    return copy;
  }
  return value;
}
