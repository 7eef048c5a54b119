// The Amazon Connect adapter of a host page that runs its own CCP (connectTelephony in
// www/omnisync.js over www/phones/connect.js), on the three things the real Streams does that a simple fake does
// not: no event bus before initCCP (connect.agent throws then), "Init" as the oldState
// of the first agent data, and refusals passed to `failure` as a JSON string.
import { test } from "node:test";
import assert from "node:assert/strict";
import { connectTelephony, refusalMessage } from "../omnisync.js";

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Streams' shape where it matters here: a bus made by initCCP, agent callbacks on it. */
function streams() {
  let bus = null;
  const connect = {
    core: {
      getEventBus: () => bus,
      // As Streams: initCCP makes the agent data provider, terminate drops it.
      initCCP: () => { bus = { init: [], change: [] }; connect.core.agentDataProvider = {}; },
      terminate: () => { bus.init = []; bus.change = []; connect.core.agentDataProvider = null; },
    },
    agent(cb) {
      if (!bus) throw new Error("Cannot read properties of undefined (reading 'subscribe')");
      bus.init.push(cb);
    },
  };
  let state = "Available";
  const agent = {
    onStateChange: (cb) => bus.change.push(cb),
    getState: () => ({ name: state }),
    getAgentStates: () => [{ name: "Available" }, { name: "Lunch" }],
    setState: (s, callbacks) => callbacks.failure(JSON.stringify({ type: "InvalidStateException", message: "on a contact", stack: [] })),
  };
  const login = () => {
    bus.init.forEach((cb) => cb(agent));
    bus.change.forEach((cb) => cb({ oldState: "Init", newState: state }));
  };
  const change = (name) => {
    const oldState = state;
    state = name;
    bus.change.forEach((cb) => cb({ oldState, newState: name }));
  };
  return { connect, login, change };
}

test("a CCP started after the adapter: it waits for the bus; Init is no change; a refusal shows its message", async () => {
  const phone = streams();
  const bridge = connectTelephony(phone.connect, { pollMs: 10 });
  const seen = [];
  bridge.subscribe((event) => seen.push(event));
  phone.connect.core.initCCP();
  await sleep(30);
  phone.login();
  assert.equal(await bridge.getState(), "Available");
  assert.deepEqual(seen, [], "the first agent data is a snapshot, not a change");
  phone.change("Lunch");
  assert.deepEqual(seen.map((e) => [e.oldState, e.newState]), [["Available", "Lunch"]]);
  // "refused", the code of the phone adapter contract (docs/telephony.md) on every path.
  await assert.rejects(bridge.setState("Available"), (error) => error.code === "refused" && error.message === "on a contact");
});

test("refusalMessage: the message inside Streams' JSON string, else the text, at most 300 characters", () => {
  assert.equal(refusalMessage(JSON.stringify({ type: "X", message: "no", stack: [] })), "no");
  assert.equal(refusalMessage("plain words"), "plain words");
  assert.equal(refusalMessage(new Error("thrown")), "thrown");
  assert.equal(refusalMessage(undefined), "the softphone refused");
  assert.equal(refusalMessage("x".repeat(1000)).length, 300);
});
