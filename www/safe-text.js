// Names that come from the org or the phone (status labels, DeveloperNames, agent
// states, reasons, rule names in a trace) shown as text. Text nodes already stop markup;
// what they do not stop is a bidirectional override (U+202E makes "Lunch" after it read
// backwards, so one status can be made to read as another) or a NUL and other control
// characters that some renderers drop or show as nothing. Those become visible code
// points, and a name is isolated from the text around it so a right-to-left name cannot
// reorder its neighbours. Used by the demo (www/demo/dom.js); the Visualforce status
// line and the panel call the same two functions.

/** Control characters (C0 but tab and line feed, DEL, C1) and the bidi controls: embeddings,
 * overrides, isolates and the invisible direction marks. */
const UNSAFE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/gu;

/**
 * The text with every control character and bidi control replaced by its code point
 * written out, `[U+202E]`: shown, never obeyed.
 * @param {unknown} text any value; `null` and `undefined` give "".
 * @returns {string}
 */
export function visible(text) {
  if (text === null || text === undefined) return "";
  return String(text).replace(UNSAFE, (c) => `[U+${c.codePointAt(0).toString(16).toUpperCase().padStart(4, "0")}]`);
}

/**
 * `visible(text)` isolated from the text around it (FIRST STRONG ISOLATE ... POP
 * DIRECTIONAL ISOLATE), for places that take text only (a `textContent`, a title).
 * Where an element can be made, `<bdi>` with `visible(text)` inside does the same.
 * @param {unknown} text
 * @returns {string}
 */
export function isolated(text) {
  return `\u2068${visible(text)}\u2069`;
}
