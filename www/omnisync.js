// omnisync's browser shim: loads the wasm engine and adapts a Salesforce host and a
// telephony client to the two small bridges the runtime expects (docs/runtime.md).
// No rule logic lives here: every decision is the engine's.

import init, { OmniSync } from "./pkg/omnisync.js";
import { connectPhone } from "./phones/connect.js";
import { hookPhone } from "./phones/hook.js";
import { phoneTelephony } from "./phones/telephony.js";
import { portTransport } from "./port.js";

// Names from the org or the phone shown as text (the Visualforce status line uses them).
export { visible, isolated } from "./safe-text.js";
// Events to an `OmniSync` as plain values, by their kind's entry point.
export { feed, EVENT_FIELDS } from "./events.js";

let loading;
let instances = 0;

/**
 * Loads the wasm module once (later calls reuse it) and starts the runtime, supervised
 * (`supervise`): a failure inside wasm restarts it on a fresh instance of the module.
 * @param {object} options `{rules, catalog?, host, telephony, context?, storage?, channel?,
 *   reconcileMs?, traceSize?, onUpdate?, wasmUrl?}`, see docs/runtime.md.
 * @returns {Promise<object>} the running instance: the runtime's methods, plus
 *   `restarts()` and `ready()`.
 */
export async function startOmniSync({ wasmUrl, ...options }) {
  const source = wasmUrl ? { module_or_path: wasmUrl } : undefined;
  loading ??= init(source);
  await loading;
  return supervise(OmniSync, options, async () => {
    // Another copy of the glue is another module instance, with a memory of its own.
    const glue = await import(`./pkg/omnisync.js?instance=${++instances}`);
    await glue.default(source);
    return glue.OmniSync;
  });
}

/** Codes of the errors the supervisor throws itself (docs/runtime.md, "Errors"). */
const failure = (code, message, cause) =>
  Object.assign(new Error(message, { cause }), { name: "OmniSyncError", code, details: [] });

/** Events kept while the runtime restarts; older ones go first past it. */
const MAX_PENDING = 1000;

/**
 * Runs `OmniSync.start(options)` and keeps it running. A trap in wasm (a
 * `WebAssembly.RuntimeError`) or a call cut off by an exhausted stack leaves the
 * module's memory untrusted (the build aborts on panic and every object shares that
 * memory), so the call that saw it throws `runtime.trapped`, and the module is
 * instantiated afresh by `reload` and the runtime started again, restored from the saved
 * session: a copy of every session write is kept here, outside wasm, whatever the
 * `storage` option. Meanwhile calls throw `runtime.restarting` and bridge events wait.
 * @param {{start: Function}} Engine the exported `OmniSync` class of a loaded module.
 * @param {object} options as `OmniSync.start` takes them.
 * @param {() => Promise<{start: Function}>} reload a fresh module's `OmniSync` class.
 * @returns {object} the runtime's methods, `restarts()` (how many so far) and `ready()`
 *   (resolves once no restart is under way).
 */
export function supervise(Engine, options, reload) {
  const kept = new Map();
  const real = options.storage === undefined ? (globalThis.sessionStorage ?? null) : options.storage;
  const storage = {
    getItem: (key) => (kept.has(key) ? kept.get(key) : (real?.getItem(key) ?? null)),
    setItem: (key, value) => {
      kept.set(key, value);
      real?.setItem(key, value);
    },
    removeItem: (key) => {
      kept.delete(key);
      real?.removeItem(key);
    },
  };
  const pending = [];
  let current = null;
  let restarting = null;
  let restarts = 0;
  let stopped = false;

  const broken = (error) => error instanceof WebAssembly.RuntimeError || error instanceof RangeError;
  const guarded = (run) => {
    try {
      return run();
    } catch (error) {
      if (!broken(error)) throw error;
      restart(error);
      throw failure("runtime.trapped", `omnisync failed inside wasm (${error.message}) and is restarting from the saved session`, error);
    }
  };
  // A bridge is subscribed to once; each runtime started replaces the listener.
  const steady = (bridge) => {
    if (bridge === null || typeof bridge !== "object") return bridge;
    let listener = null;
    let subscribed = false;
    const deliver = (event) => {
      if (!current) {
        if (pending.push(() => listener?.(event)) > MAX_PENDING) pending.shift();
        return;
      }
      try {
        guarded(() => listener?.(event));
      } catch {
        // Reported by the restart's trace line; the event itself is lost with the memory.
      }
    };
    return new Proxy(bridge, {
      get(target, key) {
        if (key === "subscribe") {
          return (callback) => {
            listener = callback;
            if (!subscribed) {
              subscribed = true;
              target.subscribe(deliver);
            }
          };
        }
        const value = Reflect.get(target, key);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  };
  const host = steady(options.host);
  const telephony = steady(options.telephony);
  const onUpdate = typeof options.onUpdate === "function" ? () => options.onUpdate() : undefined;
  const begin = (Started) => Started.start({ ...options, storage, host, telephony, onUpdate });

  // Plain assignments first: the failing call may have had no stack left even to make
  // a promise, in which case the next call (or ready()) schedules the restart.
  let owed = null; // {error, old}: a restart owed and not yet under way
  function restart(error) {
    if (stopped || owed) return;
    owed = { error, old: current };
    current = null;
    restarts += 1;
    schedule();
  }

  function schedule() {
    if (restarting || !owed) return;
    const { error, old } = owed;
    restarting = Promise.resolve()
      .then(() => {
        try {
          old?.stop();
        } catch {
          // The old instance is untrusted: whatever it does now is ignored.
        }
        return reload();
      })
      .then((Fresh) => {
        if (stopped) return;
        current = begin(Fresh);
        owed = null;
        current.note("runtime", `the engine failed inside wasm (${error?.name}: ${error?.message}) and was restarted on a fresh module from the saved session (restart ${restarts})`);
        pending.splice(0).forEach((deliver) => guarded(deliver));
      })
      .catch((failed) => console.error("omnisync: the restart failed; ready() tries again", failed))
      .finally(() => {
        restarting = null;
      });
  }

  const call = (name, args) => {
    if (!current) {
      schedule();
      throw failure("runtime.restarting", stopped ? `omnisync was stopped: ${name} is not available`
        : `omnisync is restarting after a failure inside wasm: call ${name} again once ready() resolves`);
    }
    return guarded(() => current[name](...args));
  };
  current = begin(Engine);
  return {
    state: (...args) => call("state", args),
    metrics: (...args) => call("metrics", args),
    trace: (...args) => call("trace", args),
    stats: (...args) => call("stats", args),
    reloadRules: (...args) => call("reloadRules", args),
    reconcile: () => (current ? call("reconcile", []) : undefined),
    note: (...args) => (current ? call("note", args) : undefined),
    push: (event) => (current ? call("push", [event]) : pending.push(() => current?.push(event))),
    isLeader: () => (current ? call("isLeader", []) : false),
    stop: () => {
      stopped = true;
      if (current) call("stop", []);
    },
    restarts: () => restarts,
    ready: () => {
      schedule();
      return restarting ?? Promise.resolve();
    },
  };
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
    logout: () => omniApi.logout(),
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
    logout: () => promised("logout"),
  };
}

/**
 * Host bridge over the MessagePort the OmniSyncBridge Aura component hands its
 * Visualforce page (docs/message-channel.md). The port is private to the two, so its
 * messages need no pairing id; a reply to no command still waiting (a duplicate, or
 * one that came after its timeout) is dropped and counted (`dropped()`).
 * @param {MessagePort|{postMessage: Function, subscribe: Function}} port the page's
 *   end of the bridge's MessageChannel, or any transport with `subscribe(handler)`.
 * @param {{timeoutMs?: number}} [options] reply timeout (code `timeout`).
 * @returns {object} a host bridge, plus `dropped()`.
 */
export function messageChannelHost(port, { timeoutMs = 10000 } = {}) {
  const events = emitter();
  const waiting = new Map();
  const dropped = { replies: 0 };
  let next = 0;
  const onMessage = (message) => {
    if (message?.kind === "event") {
      events.emit(message.event);
      return;
    }
    if (message?.kind !== "reply") return;
    if (!waiting.has(message.id)) {
      dropped.replies += 1;
      return;
    }
    const { resolve, reject, timer } = waiting.get(message.id);
    waiting.delete(message.id);
    clearTimeout(timer);
    if (message.ok) resolve(message.result);
    else reject(Object.assign(new Error(message.error?.message ?? "command failed"), { code: message.error?.code ?? "rejected" }));
  };
  (typeof port.subscribe === "function" ? port : portTransport(port)).subscribe(onMessage);
  const command = (method, ...args) => new Promise((resolve, reject) => {
    const id = `c${next++}`;
    const timer = setTimeout(() => {
      waiting.delete(id);
      reject(Object.assign(new Error(`${method} timed out`), { code: "timeout" }));
    }, timeoutMs);
    waiting.set(id, { resolve, reject, timer });
    port.postMessage({ kind: "command", id, method, args });
  });
  return {
    dropped: () => ({ ...dropped }),
    subscribe: events.subscribe,
    setServicePresenceStatus: (statusId) => command("setServicePresenceStatus", { statusId }),
    login: (statusId) => command("login", { statusId }),
    getServicePresenceStatusId: () => command("getServicePresenceStatusId").catch(loggedOut),
    getServicePresenceStatusChannels: () => command("getServicePresenceStatusChannels"),
    getAgentWorkload: () => command("getAgentWorkload"),
    getAgentWorks: () => command("getAgentWorks"),
    // The Aura bridge runs it only when its own copy of the rules has a logout rule.
    logout: () => command("logout"),
  };
}

/**
 * Telephony bridge over Amazon Connect Streams in this page (www/phones/connect.js),
 * whose CCP the page starts, before or after this bridge.
 * @param {object} connect the `connect` global of amazon-connect-streams.
 * @param {{pollMs?: number}} [options] how often to look for the CCP's event bus.
 * @returns {object} a telephony bridge.
 */
export const connectTelephony = (connect, options) => phoneTelephony(connectPhone(connect, options));

/**
 * Telephony bridge over a generic softphone in this page (www/phones/hook.js):
 * `onStateChange(cb)` with `{oldState, newState}`, `setState(name)` returning a
 * promise, `getState()`.
 * @param {object} softphone the softphone client.
 * @returns {object} a telephony bridge.
 */
export const softphoneTelephony = (softphone) => phoneTelephony(hookPhone(softphone));

export { refusalMessage } from "./phones/shared.js";
export { choosePhone } from "./phones/choose.js";
export { TELEPHONY_PROTOCOL } from "./phones/channel.js";
export { messageChannelTelephony, phoneTelephony } from "./phones/telephony.js";
export { portTransport } from "./port.js";
