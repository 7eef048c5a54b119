// The generic softphone hook (docs/telephony.md, "Generic softphone hook"): any other
// softphone, by names, as `window.omnisyncSoftphone`:
//   { onStateChange(cb({oldState, newState})), getState() -> name or a promise of it,
//     setState(name) -> a promise (reject it when refused), getStates()? -> the names
//     the agent may pick, getSystemStates()? -> names read but never set }

import { callbacks, changeFeed, phoneError, refusalMessage } from "./shared.js";

const METHODS = ["onStateChange", "getState", "setState"];

/** @returns {object|null} `scope.omnisyncSoftphone` when it has the three methods. */
export function detectHook(scope) {
  const hook = scope?.omnisyncSoftphone;
  return hook && METHODS.every((m) => typeof hook[m] === "function") ? hook : null;
}

/** @returns {string[]|null} the methods a hook lacks, for a warning. */
export function hookLacks(hook) {
  if (!hook || typeof hook !== "object") return null;
  const missing = METHODS.filter((m) => typeof hook[m] !== "function");
  return missing.length ? missing : null;
}

/**
 * The adapter over the hook: no agent to wait for, ready once started.
 * @param {object} hook
 * @returns {object} a phone adapter, plus `label`.
 */
export function hookPhone(hook) {
  const changes = changeFeed();
  const ready = callbacks();
  let started = false;
  const list = (method) => {
    const names = typeof hook[method] === "function" ? hook[method]() : null;
    return Array.isArray(names) ? names.filter((n) => typeof n === "string") : null;
  };
  return {
    name: "hook",
    label: "softphone",
    start() {
      if (started) return;
      started = true;
      hook.onStateChange((change) => changes.report(change?.oldState, change?.newState));
      ready.call();
    },
    onReady(cb) {
      ready.add(cb);
      if (started) cb();
    },
    onLost() {},
    onChange: changes.on,
    states: () => list("getStates"),
    systemStates: () => list("getSystemStates") ?? [],
    read: () => Promise.resolve(hook.getState()).then((state) => (typeof state === "string" ? state : null)),
    async set(name) {
      const offered = list("getStates");
      if (offered && !offered.includes(name)) {
        if (list("getSystemStates")?.includes(name)) throw phoneError("restricted", `${name} is a system state of the softphone: it is read, never set`);
        throw phoneError("unknownState", `the phone offers no agent state named ${JSON.stringify(name)}`);
      }
      try {
        await hook.setState(name);
      } catch (error) {
        throw phoneError("refused", refusalMessage(error));
      }
      return { state: name };
    },
  };
}
