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

/** The Lightning event names and the normalised type each becomes. */
const LIGHTNING_EVENTS = {
  omniChannelLoginSuccess: "omni.loginSuccess",
  omniChannelStatusChanged: "omni.statusChanged",
  omniChannelLogout: "omni.logout",
  omniChannelWorkAssigned: "omni.workAssigned",
  omniChannelWorkAccepted: "omni.workAccepted",
  omniChannelWorkDeclined: "omni.workDeclined",
  omniChannelWorkClosed: "omni.workClosed",
  omniChannelWorkloadChanged: "omni.workloadChanged",
};

/**
 * Normalises a Lightning or Classic Omni-Channel event: its name becomes `type`, its
 * parameters stay as they are (the engine parses numbers sent as strings).
 * @param {string} name e.g. `lightning:omniChannelStatusChanged` or `omniChannelLogout`.
 * @param {object} params the event's parameters.
 * @returns {object} the normalised event.
 */
export function normaliseOmniEvent(name, params) {
  const bare = String(name).replace(/^lightning:/, "");
  return { ...params, type: LIGHTNING_EVENTS[bare] ?? bare, at: Date.now() };
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

const CLASSIC_EVENTS = [
  "LOGIN_SUCCESS", "STATUS_CHANGED", "LOGOUT", "WORK_ASSIGNED",
  "WORK_ACCEPTED", "WORK_DECLINED", "WORK_CLOSED", "WORKLOAD_CHANGED",
];

/**
 * Host bridge over the Classic console (`sforce.console.presence`, callbacks with
 * `result.success`) and its `PRESENCE.*` events.
 * @param {object} sforce the page's `sforce` global.
 * @returns {object} a host bridge.
 */
export function classicHost(sforce) {
  const presence = sforce.console.presence;
  const events = emitter();
  for (const name of CLASSIC_EVENTS) {
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
 * Host bridge over a message port, for the Visualforce page fed by the Aura bridge over
 * Lightning Message Service: commands `{kind: "command", id, method, args}` are
 * answered by `{kind: "reply", id, ok, result | error}`; events come as
 * `{kind: "event", event}`.
 * @param {{postMessage: Function, subscribe: Function}} port the transport.
 * @param {{timeoutMs?: number}} [options] how long a command may wait for its reply.
 * @returns {object} a host bridge.
 */
export function messageChannelHost(port, { timeoutMs = 10000 } = {}) {
  const events = emitter();
  const waiting = new Map();
  let next = 0;
  port.subscribe((message) => {
    if (message?.kind === "event") events.emit(message.event);
    if (message?.kind !== "reply" || !waiting.has(message.id)) return;
    const { resolve, reject, timer } = waiting.get(message.id);
    waiting.delete(message.id);
    clearTimeout(timer);
    if (message.ok) resolve(message.result);
    else reject(Object.assign(new Error(message.error?.message ?? "command failed"), { code: message.error?.code ?? "rejected" }));
  });
  const command = (method, ...args) => new Promise((resolve, reject) => {
    const id = `omnisync-${Date.now()}-${next++}`;
    const timer = setTimeout(() => {
      waiting.delete(id);
      reject(Object.assign(new Error(`${method} timed out`), { code: "timeout" }));
    }, timeoutMs);
    waiting.set(id, { resolve, reject, timer });
    port.postMessage({ kind: "command", id, method, args });
  });
  return {
    subscribe: events.subscribe,
    setServicePresenceStatus: (statusId) => command("setServicePresenceStatus", { statusId }),
    login: (statusId) => command("login", { statusId }),
    getServicePresenceStatusId: () => command("getServicePresenceStatusId").catch(loggedOut),
    getServicePresenceStatusChannels: () => command("getServicePresenceStatusChannels"),
    getAgentWorkload: () => command("getAgentWorkload"),
    getAgentWorks: () => command("getAgentWorks"),
  };
}

/**
 * Telephony bridge over Amazon Connect Streams (`connect.agent(cb)`,
 * `agent.onStateChange`, `getAgentStates`, `getState`, `setState(state, {success,
 * failure})`). Calls made before the agent object arrives wait for it.
 * @param {object} connect the `connect` global of amazon-connect-streams.
 * @returns {object} a telephony bridge.
 */
export function connectTelephony(connect) {
  const events = emitter();
  const agent = new Promise((resolve) => connect.agent((a) => {
    a.onStateChange(({ oldState, newState }) =>
      events.emit({ type: "telephony.stateChanged", oldState, newState, at: Date.now() }));
    resolve(a);
  }));
  return {
    subscribe: events.subscribe,
    getState: async () => (await agent).getState()?.name ?? null,
    setState: async (name) => {
      const a = await agent;
      const state = a.getAgentStates().find((s) => s.name === name);
      if (!state) throw Object.assign(new Error(`no agent state named ${name}`), { code: "unknownState" });
      return new Promise((resolve, reject) => a.setState(state, {
        success: resolve,
        failure: (error) => reject(Object.assign(new Error(String(error)), { code: "rejected" })),
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
