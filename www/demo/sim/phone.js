// The demo's simulated softphone: one model of the agent's phone (createPhone) and the
// faces the phones omnisync adapts show of it: the runtime's telephony bridge, Amazon
// Connect Streams' agent and `connect` global, the generic softphone hook
// (window.omnisyncSoftphone). Used by the demo server (scripts/serve.mjs), the tests
// (www/test/*.test.mjs) and the end-to-end fixtures (e2e/fixtures/*.js). No DOM; timers
// only where a face answers later, as the real phone does.

import { Refused, emitter } from "./omni.js";

/**
 * The agent's softphone: one agent state, the states the agent may pick, and the system
 * states a contact puts it in (read, never set).
 * @param {object} [options]
 * @param {string[]} [options.states] the agent states offered (empty: any name is taken)
 * @param {string[]} [options.systemStates] e.g. Busy, AfterCallWork
 * @param {string} [options.state] the state at start (default Available, or the first offered)
 */
export function createPhone({ states = [], systemStates = [], state } = {}) {
  const events = emitter();
  let current = state ?? (states.length && !states.includes("Available") ? states[0] : "Available");
  const phone = {
    /** @param {(event: {type: string, oldState: string, newState: string}) => void} listener */
    on: (listener) => events.on(listener),
    /** @returns {string} */
    state: () => current,
    /** @returns {string[]} */
    states: () => [...states],
    /** @returns {boolean} the phone is on a contact (a system state) */
    onContact: () => systemStates.includes(current),
    /**
     * The phone is now in `name`, whoever did it (the agent, a contact, a write that landed).
     * @param {string} name
     * @param {{announce?: boolean}} [options] announce: false changes it without an event (a lost one)
     */
    change(name, { announce = true } = {}) {
      const oldState = current;
      current = name;
      if (announce) events.emit({ type: "telephony.stateChanged", oldState, newState: name });
      return { state: name };
    },
    /**
     * The agent or a client sets an agent state: system states and states not offered
     * are refused, and so is any change during a contact.
     * @param {string} name
     */
    setState(name) {
      if (typeof name !== "string" || !name) throw new Refused("badState", "state must be a state name");
      if (systemStates.includes(name)) throw new Refused("systemState", `${name} is a system state: it can be read but never set`);
      if (states.length && !states.includes(name)) {
        throw new Refused("unknownState", `the softphone has no agent state ${JSON.stringify(name)}`);
      }
      if (systemStates.includes(current)) throw new Refused("onContact", "the agent is on a contact");
      return phone.change(name);
    },
    /**
     * A contact: start (Busy), wrap (AfterCallWork), end (Available).
     * @param {"start"|"wrap"|"end"} action
     */
    call(action) {
      if (action === "start" && !systemStates.includes(current)) return phone.change("Busy");
      if (action === "wrap" && current === "Busy") return phone.change("AfterCallWork");
      if (action === "end" && (current === "Busy" || current === "AfterCallWork")) return phone.change("Available");
      throw new Refused("callState", `cannot ${action} a call while the phone is ${current}`);
    },
  };
  return phone;
}

/**
 * The runtime's telephony bridge (www/omnisync.d.ts TelephonyBridge) over the model;
 * changes reach `subscribe` at once.
 * @param {ReturnType<typeof createPhone>} phone
 */
export function telephonyBridge(phone) {
  return {
    subscribe: (callback) => phone.on(callback),
    setState: async (name) => phone.change(name),
    getState: async () => phone.state(),
  };
}

/**
 * An agent with Amazon Connect Streams' shape over the model: states are objects
 * (name, type, agentStateARN), set by object with callbacks. `agent.answer` is
 * "success", "failure" (the failure callback) or "never"; every setState is in `calls`.
 * @param {ReturnType<typeof createPhone>} phone
 * @param {{later?: (fn: () => void) => void, onSetState?: (call: object) => void}} [options]
 *   `later` defers the answer (default setTimeout 0); `onSetState` sees each call
 */
export function streamsAgent(phone, { later = (fn) => setTimeout(fn, 0), onSetState = () => {} } = {}) {
  const states = phone.states().map((name) => ({
    name,
    type: name === "Available" ? "routable" : name === "Offline" ? "offline" : "not_routable",
    agentStateARN: `arn:aws:connect:eu-west-1:111122223333:instance/fake/agent-state/${name.replace(/\W/g, "-")}`,
  }));
  const agent = {
    answer: "success",
    calls: [],
    getState() {
      const known = states.find((s) => s.name === phone.state());
      return { name: phone.state(), type: known ? known.type : "system", startTimestamp: new Date() };
    },
    getAgentStates: () => states,
    onStateChange: (cb) => phone.on((e) => cb({ agent, oldState: e.oldState, newState: e.newState })),
    setState(state, callbacks, options) {
      const call = { state, options: options || null, sameObject: states.includes(state) };
      agent.calls.push(call);
      onSetState(call);
      if (agent.answer === "never") return;
      later(() => {
        if (agent.answer === "failure") return callbacks?.failure?.(JSON.stringify({ type: "AccessDenied" }));
        if (phone.state() !== state.name) phone.change(state.name);
        callbacks?.success?.();
      });
    },
  };
  return agent;
}


/**
 * Amazon Connect Streams' `connect` global over the model, with the life cycle of its
 * CCP: no event bus before `core.initCCP()` (`connect.agent` throws then), `login()`
 * hands the agent to `connect.agent` callbacks and then reports "Init" -> state, as
 * Streams' first agent data does; `core.terminate()` empties the bus (a new one takes
 * its place) and drops the agent data provider. The agent's state listeners live on
 * the bus, so a terminated CCP's listeners hear nothing more.
 * @param {ReturnType<typeof createPhone>} phone
 * @param {object} [options] as streamsAgent takes them.
 * @returns {{connect: object, agent: object, login: () => void}}
 */
export function streamsGlobal(phone, options = {}) {
  const agent = streamsAgent(phone, options);
  const newBus = () => ({ agents: [], changes: [] });
  let bus = null;
  agent.onStateChange = (cb) => bus.changes.push(cb);
  phone.on((e) => bus?.changes.forEach((cb) => cb({ agent, oldState: e.oldState, newState: e.newState })));
  const connect = {
    AgentAvailStates: { INIT: "Init", BUSY: "Busy", AFTER_CALL_WORK: "AfterCallWork", CALLING: "CallingCustomer" },
    AgentErrorStates: { ERROR: "Error" },
    core: {
      agentDataProvider: null,
      getEventBus: () => bus,
      initCCP() {
        bus ??= newBus();
        connect.core.agentDataProvider = {};
      },
      terminate() {
        bus = newBus();
        connect.core.agentDataProvider = null;
      },
    },
    agent(cb) {
      if (!bus) throw new TypeError("Cannot read properties of undefined (reading 'subscribe')");
      bus.agents.push(cb);
    },
  };
  return {
    connect,
    agent,
    login() {
      bus.agents.forEach((cb) => cb(agent));
      bus.changes.forEach((cb) => cb({ agent, oldState: "Init", newState: phone.state() }));
    },
  };
}

/**
 * The generic softphone hook (window.omnisyncSoftphone) over the model: a write is
 * answered later (`later`) and the phone changes then.
 * @param {ReturnType<typeof createPhone>} phone
 * @param {{later?: (fn: () => void) => void, onSetState?: (name: string) => void}} [options]
 */
export function softphoneHook(phone, { later = (fn) => setTimeout(fn, 0), onSetState = () => {} } = {}) {
  return {
    onStateChange: (cb) => phone.on((event) => cb({ oldState: event.oldState, newState: event.newState })),
    getState: () => phone.state(),
    setState(name) {
      onSetState(name);
      return new Promise((resolve) => later(() => {
        phone.change(name);
        resolve();
      }));
    },
  };
}
