// The telephony protocol on the message channel, end to end in node: the real relay
// (www/salesforce/relay.js, a classic script, run in its own context as a softphone
// page would) and the shim's messageChannelTelephony, joined by a fake Lightning
// Message Service that delivers every message to every subscriber, later and as a
// copy, the publisher included. The phone is the fake of www/test/fake-omni.mjs in
// Amazon Connect Streams' shape.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import vm from "node:vm";
import { messageChannelTelephony, TELEPHONY_PROTOCOL } from "../omnisync.js";
import { createPhone, streamsAgent as fakeStreamsAgent } from "./fake-omni.mjs";

const RELAY = fs.readFileSync(new URL("../salesforce/relay.js", import.meta.url), "utf8");
const FAST = { heartbeatMs: 20, commandTimeoutMs: 60 };
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(probe, what, timeout = 2000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** The channel: `opencti` for the relay, `port()` for the host, `log` of all traffic. */
function lms({ drop = () => false } = {}) {
  const subscribers = new Set();
  const log = [];
  const deliver = (message) => {
    const copy = JSON.stringify(message);
    log.push(JSON.parse(copy));
    if (drop(message)) return;
    for (const listener of [...subscribers]) setTimeout(() => subscribers.has(listener) && listener(JSON.parse(copy)), 0);
  };
  return {
    log,
    deliver,
    opencti: {
      subscribe({ listener, callback }) {
        subscribers.add(listener);
        callback?.({ success: true, returnValue: listener });
      },
      unsubscribe({ subscription, callback }) {
        subscribers.delete(subscription);
        callback?.({ success: true });
      },
      publish({ message, callback }) {
        deliver(message);
        callback?.({ success: true });
      },
    },
    port: () => ({ postMessage: deliver, subscribe: (handler) => subscribers.add(handler) }),
    sent: (type) => log.filter((m) => m.kind === "telephony" && m.type === type),
  };
}

/** An agent with Streams' shape over the fake phone (www/test/fake-omni.mjs). */
function streamsAgent({ names = ["Available", "Lunch", "Break", "Offline"], answer = "success" } = {}) {
  const model = createPhone({ states: names, state: names[0] });
  const agent = fakeStreamsAgent(model, { later: (fn) => setTimeout(fn, 1) });
  agent.answer = answer;
  const phone = { setCalls: agent.calls, change: (name) => model.change(name), model };
  const connect = { agent: (cb) => setTimeout(() => cb(agent), 0) };
  return { agent, phone, states: agent.getAgentStates(), connect };
}

function startRelay(channel, globals, options = {}) {
  const warnings = [];
  const context = vm.createContext({
    setTimeout, clearTimeout, setInterval, clearInterval, Promise, JSON, Math, Date, Object,
    console: { warn: (...args) => warnings.push(args.join(" ")), log() {} },
    sforce: { opencti: channel.opencti },
    ...globals,
  });
  vm.runInContext(RELAY, context);
  const relay = context.OmniSyncRelay.start({ ...FAST, ...options });
  return { relay, warnings };
}

/**
 * A host and a relay over one message channel, the relay driving a Streams agent
 * (`streamsAgent(agentOptions)`), connected; the relay stops when the test ends.
 */
async function connectedPair(t, agentOptions) {
  const channel = lms();
  const host = startHost(channel);
  const agent = streamsAgent(agentOptions);
  const { relay, warnings } = startRelay(channel, { connect: agent.connect });
  t.after(() => relay.stop());
  await connected(host);
  return { channel, host, relay, warnings, ...agent };
}

function startHost(channel, options = {}) {
  const seen = [];
  const notes = [];
  const statuses = [];
  const warnings = [];
  const bridge = messageChannelTelephony(channel.port(), {
    timeoutMs: 40,
    onNote: (kind, message) => notes.push(`${kind}: ${message}`),
    onStatus: (status) => statuses.push(status.text),
    log: { warn: (text) => warnings.push(text) },
    ...options,
  });
  bridge.subscribe((event) => seen.push(event));
  return { bridge, seen, notes, statuses, warnings };
}

const connected = (host) => until(() => host.bridge.status().connected, "the relay to speak");

test("relay start: a snapshot with the state and the states offered, then heartbeats; the host says which source", async (t) => {
  const channel = lms();
  const host = startHost(channel);
  assert.equal(host.bridge.status().text, "waiting for the softphone");
  assert.equal(await host.bridge.getState(), null, "no relay: the phone reads as unknown");
  await assert.rejects(host.bridge.setState("Lunch"), { code: "noRelay" });

  const { connect, agent } = streamsAgent();
  const { relay } = startRelay(channel, { connect });
  t.after(() => relay.stop());
  await connected(host);
  const [snapshot] = channel.sent("snapshot");
  assert.deepEqual({ ...snapshot, relay: undefined }, {
    kind: "telephony", version: TELEPHONY_PROTOCOL, type: "snapshot", relay: undefined, source: "Amazon Connect",
    reason: "start", state: "Available", states: ["Available", "Lunch", "Break", "Offline"],
  });
  assert.match(snapshot.relay, /^relay-/);
  await until(() => channel.sent("heartbeat").length >= 2, "two heartbeats");
  assert.equal(channel.sent("heartbeat")[0].everyMs, FAST.heartbeatMs);
  assert.equal(channel.sent("heartbeat")[0].replyWithinMs, FAST.commandTimeoutMs);
  assert.equal(host.bridge.status().text, "softphone relay: Amazon Connect");
  assert.deepEqual(host.statuses, ["softphone relay: Amazon Connect"]);
  assert.deepEqual(host.notes, ["telephony: softphone relay appeared (Amazon Connect)"]);
  assert.deepEqual(host.seen, [], "a snapshot is not a state change");
  // The host's first words were a snapshot request; nobody listened yet.
  assert.equal(channel.sent("snapshotRequest").length, 1);
  assert.ok(agent);
});

test("a phone change becomes one telephony.stateChanged with old and new state; getState asks the relay", async (t) => {
  const { channel, host, phone } = await connectedPair(t);
  phone.change("Lunch");
  await until(() => host.seen.length, "a state change");
  const changed = channel.sent("changed");
  assert.equal(changed.length, 1);
  assert.deepEqual([changed[0].oldState, changed[0].newState, changed[0].states],
    ["Available", "Lunch", ["Available", "Lunch", "Break", "Offline"]]);
  assert.equal(host.seen.length, 1);
  assert.deepEqual({ ...host.seen[0], at: 0 }, { type: "telephony.stateChanged", oldState: "Available", newState: "Lunch", at: 0 });

  assert.equal(await host.bridge.getState(), "Lunch");
  const command = channel.sent("command").at(-1);
  assert.equal(command.method, "getState");
  const reply = channel.sent("reply").find((m) => m.id === command.id);
  assert.deepEqual(reply.result, { state: "Lunch", states: ["Available", "Lunch", "Break", "Offline"] });
});

test("a host started after the relay asks for a snapshot and gets one", async (t) => {
  const channel = lms();
  const { connect } = streamsAgent();
  const { relay } = startRelay(channel, { connect }, { heartbeatMs: 500 });
  t.after(() => relay.stop());
  await until(() => channel.sent("snapshot").length, "the start snapshot");
  const host = startHost(channel);
  await connected(host);
  const reasons = channel.sent("snapshot").map((m) => m.reason);
  assert.deepEqual(reasons, ["start", "request"]);
});

test("setState runs agent.setState once with the state object of that name", async (t) => {
  const { channel, host, phone, states } = await connectedPair(t);
  const result = await host.bridge.setState("Break");
  assert.deepEqual(result, { state: "Break" });
  assert.equal(phone.setCalls.length, 1);
  assert.equal(phone.setCalls[0].state, states.find((s) => s.name === "Break"), "the agent's own state object");
  assert.deepEqual({ ...phone.setCalls[0].options }, { enqueueNextState: false });
  const reply = channel.sent("reply").at(-1);
  assert.equal(reply.ok, true);
});

test("setState to a name the phone does not offer is answered unknownState; nothing is called", async (t) => {
  const { channel, host, phone } = await connectedPair(t);
  await assert.rejects(host.bridge.setState("Gardening"), (error) => {
    assert.equal(error.code, "unknownState");
    assert.match(error.message, /no agent state named "Gardening" \(it offers Available, Lunch, Break, Offline\)/);
    return true;
  });
  assert.deepEqual(phone.setCalls, []);
  // A system state is not offered either: it can be read, never set.
  await assert.rejects(host.bridge.setState("AfterCallWork"), { code: "unknownState" });
});

test("the phone's failure callback is answered refused; a phone that never calls back, timeout", async (t) => {
  for (const [answer, code] of [["failure", "refused"], ["never", "timeout"]]) {
    const { channel, host, phone } = await connectedPair(t, { answer });
    await assert.rejects(host.bridge.setState("Lunch"), { code });
    const reply = channel.sent("reply").at(-1);
    assert.equal(reply.ok, false);
    assert.equal(reply.error.code, code, "the relay itself answered");
    assert.equal(phone.setCalls.length, 1);
  }
});

test("a reply that never comes times out on the host's side", async (t) => {
  const channel = lms({ drop: (m) => m.type === "reply" });
  const host = startHost(channel);
  const { connect, phone } = streamsAgent();
  const { relay } = startRelay(channel, { connect });
  t.after(() => relay.stop());
  await connected(host);
  await assert.rejects(host.bridge.setState("Lunch"), (error) => {
    assert.equal(error.code, "timeout");
    assert.equal(error.message, "setState: no reply from the softphone relay", "the host's own timeout");
    return true;
  });
  assert.equal(phone.setCalls.length, 1);
});

test("a command delivered twice is acted on once and answered twice alike", async (t) => {
  const channel = lms();
  const { connect, phone } = streamsAgent();
  const { relay } = startRelay(channel, { connect });
  t.after(() => relay.stop());
  await until(() => channel.sent("snapshot").length, "the start snapshot");
  const command = { kind: "telephony", version: TELEPHONY_PROTOCOL, type: "command", id: "c-1", method: "setState", name: "Lunch" };
  channel.deliver(command);
  channel.deliver(command); // while the first still runs
  await until(() => channel.sent("reply").length === 1, "the reply");
  channel.deliver(command); // after it finished
  await until(() => channel.sent("reply").length === 2, "the repeated reply");
  await sleep(30);
  assert.equal(phone.setCalls.length, 1, "agent.setState called once");
  const [first, second] = channel.sent("reply");
  assert.deepEqual(first, second);
  assert.equal(first.ok, true);
});

test("an unknown method is answered unknownMethod; a command without id is ignored", async (t) => {
  const channel = lms();
  const { connect, phone } = streamsAgent();
  const { relay } = startRelay(channel, { connect });
  t.after(() => relay.stop());
  await until(() => channel.sent("snapshot").length, "the start snapshot");
  channel.deliver({ kind: "telephony", version: 1, type: "command", id: "c-2", method: "initCCP" });
  channel.deliver({ kind: "telephony", version: 1, type: "command", method: "setState", name: "Lunch" });
  await until(() => channel.sent("reply").length, "a reply");
  await sleep(30);
  assert.deepEqual(channel.sent("reply").map((r) => [r.id, r.error?.code]), [["c-2", "unknownMethod"]]);
  assert.deepEqual(phone.setCalls, []);
});

test("a message of an unknown version is refused with a clear log line on both sides, never half-read", async (t) => {
  const { channel, host, phone, warnings } = await connectedPair(t);
  channel.deliver({ kind: "telephony", version: 2, type: "command", id: "c-3", method: "setState", name: "Lunch" });
  channel.deliver({ kind: "telephony", version: 2, type: "changed", relay: "relay-x", oldState: "Available", newState: "Lunch" });
  channel.deliver({ kind: "telephony", version: 2, type: "changed", relay: "relay-x", oldState: "Lunch", newState: "Break" });
  await sleep(40);
  assert.deepEqual(phone.setCalls, [], "the relay acted on nothing");
  assert.deepEqual(host.seen, [], "the host emitted nothing");
  assert.deepEqual(channel.sent("reply"), []);
  assert.deepEqual(warnings, ["omnisync relay: telephony message of version 2 refused: this relay speaks version 1; update the relay and the host together"]);
  assert.deepEqual(host.warnings, ["omnisync: telephony message of version 2 refused: this page speaks version 1; update the relay and the host together"],
    "one line per unknown version");
  assert.ok(host.notes.includes("refused: telephony message of version 2 refused (this page speaks version 1)"));
});

test("heartbeat lost: the host says it waits for the softphone and notes it; beats back: it returned", async () => {
  const channel = lms();
  const host = startHost(channel, { missedBeats: 3 });
  const { connect, phone } = streamsAgent();
  const first = startRelay(channel, { connect }).relay;
  await connected(host);
  first.stop();
  await until(() => !host.bridge.status().connected, "the heartbeat to be missed", 1000);
  assert.equal(host.bridge.status().text, "waiting for the softphone");
  assert.ok(host.notes.some((n) => /heartbeat lost \(nothing for 60 ms\)/.test(n)), host.notes.join("\n"));
  await assert.rejects(host.bridge.setState("Lunch"), { code: "noRelay" });
  assert.equal(await host.bridge.getState(), null);

  // The softphone reloads: a new relay over the same phone. A snapshot, no change.
  phone.model.change("Lunch", { announce: false });
  const second = startRelay(channel, { connect }).relay;
  await connected(host);
  await sleep(30);
  second.stop();
  assert.deepEqual(host.seen, [], "a reload moves nothing");
  assert.equal(channel.sent("snapshot").at(-1).state, "Lunch");
  assert.deepEqual(host.statuses, ["softphone relay: Amazon Connect", "waiting for the softphone", "softphone relay: Amazon Connect"]);
  assert.ok(host.notes.some((n) => /relay returned after a reload of the softphone/.test(n)), host.notes.join("\n"));
});

test("notes made before the runtime exists reach its trace when it is attached", async (t) => {
  const { channel, host } = await connectedPair(t);
  const trace = [];
  host.bridge.attach({ note: (kind, message) => trace.push([kind, message]) });
  assert.deepEqual(trace, [["telephony", "softphone relay appeared (Amazon Connect)"]]);
});

test("the generic softphone hook: changes, reads and writes by name; a name it does not offer is unknownState", async (t) => {
  const channel = lms();
  const host = startHost(channel);
  const listeners = [];
  const calls = [];
  let state = "Ready";
  const softphone = {
    onStateChange: (cb) => listeners.push(cb),
    getState: async () => state,
    getStates: () => ["Ready", "Lunch", "Offline"],
    setState: (name) => {
      calls.push(name);
      if (name === "Offline") return Promise.reject(new Error("on a call"));
      const oldState = state;
      state = name;
      listeners.forEach((cb) => cb({ oldState, newState: name }));
      return Promise.resolve();
    },
  };
  const { relay } = startRelay(channel, { omnisyncSoftphone: softphone });
  t.after(() => relay.stop());
  await connected(host);
  assert.equal(host.bridge.status().text, "softphone relay: softphone");
  assert.equal(await host.bridge.getState(), "Ready");
  await host.bridge.setState("Lunch");
  await until(() => host.seen.length, "the echo");
  assert.deepEqual([host.seen[0].oldState, host.seen[0].newState], ["Ready", "Lunch"]);
  await assert.rejects(host.bridge.setState("Offline"), (e) => e.code === "refused" && /on a call/.test(e.message));
  await assert.rejects(host.bridge.setState("Gardening"), { code: "unknownState" });
  assert.deepEqual(calls, ["Lunch", "Offline"]);
});

test("the relay never starts a CCP and needs sforce.opencti", () => {
  assert.doesNotMatch(RELAY.replace(/\/\/.*$/gm, ""), /initCCP/);
  const context = vm.createContext({ console: { warn() {} }, setTimeout, clearTimeout, setInterval, clearInterval, Promise, JSON, Math, Date, Object });
  vm.runInContext(RELAY, context);
  assert.throws(() => context.OmniSyncRelay.start({}), /sforce\.opencti is missing/);
});
