// What the phone adapters of www/phones/ share (docs/telephony.md): the rules "a
// snapshot is not a change" and "a same-state change is dropped" are written here once.

/** Amazon Connect Streams' "no state yet": the oldState of the first agent data in a page. */
export const NO_STATE = "Init";

/** @returns {{add: Function, call: Function}} a list of callbacks. */
export function callbacks() {
  const list = [];
  return { add: (cb) => list.push(cb), call: (...args) => list.forEach((cb) => cb(...args)) };
}

/**
 * An adapter's changes, real ones only: a report into or out of "Init" (the first
 * snapshot of a (re)loaded phone) or to the same state is dropped; an old state that is
 * no name (unknown) is null.
 * @returns {{on: Function, report: (oldState: unknown, newState: unknown) => void}}
 */
export function changeFeed() {
  const listeners = callbacks();
  return {
    on: listeners.add,
    report(oldState, newState) {
      if (typeof newState !== "string" || !newState || newState === NO_STATE) return;
      if (oldState === NO_STATE || oldState === newState) return;
      listeners.call(typeof oldState === "string" ? oldState : null, newState);
    },
  };
}

/** @returns {Error} an adapter's error, with its `code` ("unknownState", "restricted", "refused"). */
export function phoneError(code, message) {
  return Object.assign(new Error(message), { code });
}

/**
 * The words of a phone's refusal (Streams hands `failure` a JSON string of `{type,
 * message, stack}`: its `message`), at most 300 characters.
 * @param {unknown} error
 * @returns {string}
 */
export function refusalMessage(error) {
  let said = error;
  if (typeof error === "string") {
    try {
      said = JSON.parse(error);
    } catch {
      said = { message: error };
    }
  }
  const message = typeof said?.message === "string" && said.message ? said.message : "the softphone refused";
  return message.slice(0, 300);
}
