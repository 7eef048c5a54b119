// omnisync's browser shim: loads the wasm engine and adapts a Salesforce host and a
// telephony client to the two small bridges the runtime expects (docs/runtime.md).
// No rule logic lives here: every decision is the engine's.

import init, { OmniSync } from "./pkg/omnisync.js";

let loading;

/**
 * Loads the wasm module once (later calls reuse it) and starts the runtime.
 * @param {object} options `{rules, catalog?, host, telephony, context?, storage?, channel?,
 *   reconcileMs?, traceSize?, onUpdate?, wasmUrl?}`, see docs/runtime.md.
 * @returns {Promise<import("./pkg/omnisync.js").Runtime>} the running instance.
 */
export async function startOmniSync({ wasmUrl, ...options }) {
  loading ??= init(wasmUrl ? { module_or_path: wasmUrl } : undefined);
  await loading;
  return OmniSync.start(options);
}

/**
 * Normalises a Lightning or Classic Omni-Channel event: its name becomes `type` as it
 * is (the engine reads the Lightning and Classic names as well as its own, listed by
 * `OmniSync.eventNames()`), its parameters stay as they are (the engine parses numbers
 * sent as strings).
 * @param {string} name e.g. `lightning:omniChannelStatusChanged` or `omniChannelLogout`.
 * @param {object} params the event's parameters.
 * @returns {object} the normalised event.
 */
export function normaliseOmniEvent(name, params) {
  return { ...params, type: String(name), at: Date.now() };
}

function emitter() {
  const listeners = [];
  return {
    subscribe: (callback) => listeners.push(callback),
    emit: (event) => listeners.forEach((callback) => callback(event)),
  };
}

/**
 * Host bridge over the Lightning `lightning:omniToolkitAPI` (promises). The Aura
 * component forwards each `lightning:omniChannel*` event with `host.dispatch(name,
 * event.getParams())`.
 * @param {object} omniApi the component found with `cmp.find("omniToolkit")`.
 * @returns {object} a host bridge with `dispatch(name, params)`.
 */
export function lightningHost(omniApi) {
  const events = emitter();
  return {
    subscribe: events.subscribe,
    dispatch: (name, params) => events.emit(normaliseOmniEvent(name, params)),
    setServicePresenceStatus: (statusId) => omniApi.setServicePresenceStatus({ statusId }),
    login: (statusId) => omniApi.login({ statusId }),
    getServicePresenceStatusId: () => omniApi.getServicePresenceStatusId().catch(loggedOut),
    getServicePresenceStatusChannels: () => omniApi.getServicePresenceStatusChannels(),
    getAgentWorkload: () => omniApi.getAgentWorkload(),
    getAgentWorks: () => omniApi.getAgentWorks(),
  };
}

const NOT_LOGGED_IN = /logged out|not logged in/i;

/**
 * The status read's two outcomes that are not a status: Omni-Channel rejects the read
 * of a logged-out agent with a message saying so, which is the definite answer "not
 * logged in" (`null`). Any other rejection is a failed read and stays one (with a
 * `code`): the runtime then keeps the agent as it was, traces it and asks again.
 */
function loggedOut(error) {
  if (NOT_LOGGED_IN.test(String(error?.message ?? error))) return null;
  throw Object.assign(error instanceof Error ? error : new Error(String(error)), {
    code: error?.code ?? "readFailed",
  });
}

/**
 * Host bridge over the Classic console (`sforce.console.presence`, callbacks with
 * `result.success`) and its `PRESENCE.*` events: every one the console lists is
 * forwarded by its name, and the engine reads those it knows.
 * @param {object} sforce the page's `sforce` global.
 * @returns {object} a host bridge.
 */
export function classicHost(sforce) {
  const presence = sforce.console.presence;
  const events = emitter();
  for (const name of Object.keys(sforce.console.ConsoleEvent.PRESENCE)) {
    sforce.console.addEventListener(sforce.console.ConsoleEvent.PRESENCE[name], (result) =>
      events.emit({ ...result, type: `PRESENCE.${name}`, at: Date.now() }));
  }
  const promised = (method, ...args) => new Promise((resolve, reject) => {
    const fail = (result) => reject(Object.assign(new Error(`${method} failed`), { code: "rejected", result }));
    try {
      presence[method](...args, (result) => (result?.success ? resolve(result) : fail(result)));
    } catch (error) {
      fail({ success: false, message: String(error?.message ?? error) });
    }
  });
  // The status read: a successful answer without a status, or a failure whose message
  // says the agent is not logged in, is "not logged in" (null); any other failure
  // (success false, an exception) rejects, so it is never taken for a logout.
  const status = () => promised("getServicePresenceStatusId").then(
    (result) => (result.statusId ? result : null),
    (error) => {
      const said = error.result?.errorMessage ?? error.result?.message ?? "";
      if (NOT_LOGGED_IN.test(String(said))) return null;
      throw error;
    });
  return {
    subscribe: events.subscribe,
    setServicePresenceStatus: (statusId) => promised("setServicePresenceStatus", statusId),
    login: (statusId) => promised("login", statusId),
    getServicePresenceStatusId: status,
    getServicePresenceStatusChannels: () => promised("getServicePresenceStatusChannels"),
    getAgentWorkload: () => promised("getAgentWorkload"),
    getAgentWorks: () => promised("getAgentWorks"),
  };
}

/**
 * Host bridge over a message port (the Visualforce page, docs/message-channel.md).
 * Replies not to a waiting command of this `session`, and events a bridge sent for
 * another host, are dropped and counted (`dropped()`).
 * @param {{postMessage: Function, subscribe: Function}} port the transport.
 * @param {{timeoutMs?: number, session?: string}} [options] reply timeout; pairing id.
 * @returns {object} a host bridge, plus `session` and `dropped()`.
 */
export function messageChannelHost(port, { timeoutMs = 10000, session = pairingId() } = {}) {
  const events = emitter();
  const waiting = new Map();
  const dropped = { replies: 0, events: 0 };
  let next = 0;
  port.subscribe((message) => {
    if (message?.kind === "event") {
      // null: a bridge not paired yet.
      if (message.session != null && message.session !== session) dropped.events += 1;
      else events.emit(message.event);
      return;
    }
    if (message?.kind !== "reply") return;
    if (message.session !== session || !waiting.has(message.id)) {
      dropped.replies += 1;
      return;
    }
    const { resolve, reject, timer } = waiting.get(message.id);
    waiting.delete(message.id);
    clearTimeout(timer);
    if (message.ok) resolve(message.result);
    else reject(Object.assign(new Error(message.error?.message ?? "command failed"), { code: message.error?.code ?? "rejected" }));
  });
  const command = (method, ...args) => new Promise((resolve, reject) => {
    const id = `${session}-${next++}`;
    const timer = setTimeout(() => {
      waiting.delete(id);
      reject(Object.assign(new Error(`${method} timed out`), { code: "timeout" }));
    }, timeoutMs);
    waiting.set(id, { resolve, reject, timer });
    port.postMessage({ kind: "command", session, id, method, args });
  });
  return {
    session,
    dropped: () => ({ ...dropped }),
    subscribe: events.subscribe,
    setServicePresenceStatus: (statusId) => command("setServicePresenceStatus", { statusId }),
    login: (statusId) => command("login", { statusId }),
    getServicePresenceStatusId: () => command("getServicePresenceStatusId").catch(loggedOut),
    getServicePresenceStatusChannels: () => command("getServicePresenceStatusChannels"),
    getAgentWorkload: () => command("getAgentWorkload"),
    getAgentWorks: () => command("getAgentWorks"),
  };
}

/** 16 random hex digits. */
function pairingId() {
  return Array.from(crypto.getRandomValues(new Uint8Array(8)), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Streams' "no state yet": the oldState of the first agent data in a page, never a change. */
const NO_STATE = "Init";

/**
 * The words of a phone's refusal: Streams hands `failure` a JSON string of `{type,
 * message, stack}`; the agent is shown its `message`.
 * @param {unknown} error what the phone's failure callback received.
 * @returns {string} at most 300 characters.
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

/**
 * Telephony bridge over Amazon Connect Streams (`connect.agent(cb)`,
 * `agent.onStateChange`, `getAgentStates`, `getState`, `setState(state, {success,
 * failure})`) in the page that starts the CCP, before or after this bridge. Calls made
 * before the agent object arrives wait for it; the first agent data ("Init" to a state)
 * is not a change.
 * @param {object} connect the `connect` global of amazon-connect-streams.
 * @param {{pollMs?: number}} [options] how often to look for the CCP's event bus.
 * @returns {object} a telephony bridge.
 */
export function connectTelephony(connect, { pollMs = 500 } = {}) {
  const events = emitter();
  const waiting = [];
  let agent = null;
  let bus = null;
  // The event bus exists once the page's initCCP ran, and terminate() empties it (a new
  // initCCP builds another): subscribe to each new one, whenever the CCP starts.
  const watch = () => {
    let now = null;
    try {
      // A client without Streams' bus accessor: one subscription, once connect.agent takes it.
      now = typeof connect.core?.getEventBus === "function" ? connect.core.getEventBus() : connect;
    } catch {
      now = null;
    }
    if (!now || now === bus) return;
    bus = now;
    try {
      subscribe(now);
    } catch {
      bus = null; // not started yet: look again
    }
  };
  const subscribe = (now) => connect.agent((a) => {
    if (bus !== now) return;
    agent = a;
    a.onStateChange(({ oldState, newState }) => {
      if (agent !== a || oldState === NO_STATE || newState === NO_STATE || oldState === newState) return;
      events.emit({ type: "telephony.stateChanged", oldState, newState, at: Date.now() });
    });
    waiting.splice(0).forEach((resolve) => resolve(a));
  });
  watch();
  setInterval(watch, pollMs).unref?.();
  const ready = () => (agent ? Promise.resolve(agent) : new Promise((resolve) => waiting.push(resolve)));
  return {
    subscribe: events.subscribe,
    getState: async () => {
      const name = (await ready()).getState()?.name ?? null;
      return name === NO_STATE ? null : name;
    },
    setState: async (name) => {
      const a = await ready();
      const state = a.getAgentStates().find((s) => s.name === name);
      if (!state) throw Object.assign(new Error(`no agent state named ${name}`), { code: "unknownState" });
      return new Promise((resolve, reject) => a.setState(state, {
        success: resolve,
        failure: (error) => reject(Object.assign(new Error(refusalMessage(error)), { code: "rejected" })),
      }));
    },
  };
}

/**
 * Telephony bridge over a generic softphone: `onStateChange(cb)` with
 * `{oldState, newState}`, `setState(name)` returning a promise, `getState()`.
 * @param {object} softphone the softphone client.
 * @returns {object} a telephony bridge.
 */
export function softphoneTelephony(softphone) {
  const events = emitter();
  softphone.onStateChange(({ oldState, newState }) =>
    events.emit({ type: "telephony.stateChanged", oldState, newState, at: Date.now() }));
  return {
    subscribe: events.subscribe,
    getState: async () => (await softphone.getState()) ?? null,
    setState: (name) => Promise.resolve(softphone.setState(name)),
  };
}

export { messageChannelTelephony, TELEPHONY_PROTOCOL } from "./telephony-channel.js";
