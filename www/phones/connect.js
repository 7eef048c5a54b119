// The Amazon Connect Streams adapter (docs/telephony.md, "Amazon Connect"): the page's
// `connect` global, whose CCP the page itself starts, before or after this adapter;
// the adapter never starts one. Streams' event bus exists only once initCCP ran, and
// terminate() empties it (the next initCCP builds another): the adapter looks for the
// bus every `pollMs` and subscribes again to each new one, so a CCP reloaded by the
// page is followed, its first agent data ("Init" -> state) being a snapshot again.

import { NO_STATE, callbacks, changeFeed, phoneError, refusalMessage } from "./shared.js";

/** @returns {object|null} `scope.connect` when Streams defined `connect.agent`. */
export function detectConnect(scope) {
  const connect = scope?.connect;
  return connect && typeof connect.agent === "function" ? connect : null;
}

/**
 * The adapter over Streams' `connect` global.
 * @param {object} connect
 * @param {{pollMs?: number, ccpWaitMs?: number, enqueueNextState?: boolean, status?: Function}}
 *   [options] `pollMs` (500): how often to look for a new bus; `status(state, text)`:
 *   told while waiting for the CCP, and when no agent came within `ccpWaitMs` (60 s).
 * @returns {object} a phone adapter, plus `label` and `stop()`.
 */
export function connectPhone(connect, { pollMs = 500, ccpWaitMs = 60000, enqueueNextState = false, status = () => {} } = {}) {
  const changes = changeFeed();
  const ready = callbacks();
  const lost = callbacks();
  const waiting = [];
  let agent = null;
  let bus = null;
  let since = Date.now();
  let warned = false;
  let timer = null;

  // A client without a bus accessor (a stand-in): subscribed to once.
  const currentBus = () => {
    try {
      return typeof connect.core?.getEventBus === "function" ? connect.core.getEventBus() : connect;
    } catch {
      return null;
    }
  };
  // terminate() drops the agent data provider; a new initCCP makes another.
  const terminated = () => agent !== null && typeof connect.core?.getEventBus === "function" && !connect.core.agentDataProvider;

  function bind(now) {
    connect.agent((next) => {
      if (bus !== now) return; // an old bus
      agent = next;
      warned = false;
      next.onStateChange((change) => {
        if (agent === next) changes.report(change?.oldState, change?.newState);
      });
      waiting.splice(0).forEach((resolve) => resolve(next));
      ready.call();
    });
  }

  function watch() {
    if (terminated()) {
      agent = null;
      since = Date.now();
      lost.call("the page terminated the CCP; waiting for it to start again");
    }
    const now = currentBus();
    if (!now || now === bus) {
      if (!agent && !warned && Date.now() - since > ccpWaitMs) {
        warned = true;
        status("failed", `no agent from the Amazon Connect CCP after ${Math.round(ccpWaitMs / 1000)} s: is the CCP started on this page and the agent logged in? (still waiting)`);
      }
      return;
    }
    bus = now;
    try {
      bind(now);
    } catch {
      bus = null; // Streams without a CCP yet: look again
    }
  }

  const names = () => agent.getAgentStates().map((s) => s.name);
  // Streams' own enums: every state an agent can be in but not pick.
  const systemStates = () => [connect.AgentAvailStates, connect.AgentErrorStates]
    .flatMap((states) => (states && typeof states === "object" ? Object.values(states) : []))
    .filter((name) => typeof name === "string" && name !== NO_STATE);
  const arrived = () => (agent ? Promise.resolve(agent) : new Promise((resolve) => waiting.push(resolve)));

  return {
    name: "connect",
    label: "Amazon Connect",
    start() {
      if (timer !== null) return;
      status("waiting", "waiting for the Amazon Connect CCP and its agent");
      watch();
      timer = setInterval(watch, pollMs);
      timer.unref?.();
    },
    stop() {
      clearInterval(timer);
    },
    onReady: ready.add,
    onLost: lost.add,
    onChange: changes.on,
    states() {
      try {
        return agent ? names() : null;
      } catch {
        return null;
      }
    },
    systemStates,
    async read() {
      const name = agent?.getState()?.name;
      return typeof name === "string" && name !== NO_STATE ? name : null;
    },
    /** Waits for the agent (a call made before the CCP's agent arrived goes out then). */
    async set(name) {
      const a = await arrived();
      const state = a.getAgentStates().find((s) => s.name === name);
      if (!state) {
        if (systemStates().includes(name)) throw phoneError("restricted", `${name} is a system state of Amazon Connect: it is read, never set`);
        throw phoneError("unknownState", `the phone offers no agent state named ${JSON.stringify(name)} (it offers ${names().slice(0, 10).join(", ")})`);
      }
      return new Promise((resolve, reject) => a.setState(state, {
        success: () => resolve({ state: name }),
        failure: (error) => reject(phoneError("refused", refusalMessage(error))),
      }, { enqueueNextState }));
    },
  };
}
