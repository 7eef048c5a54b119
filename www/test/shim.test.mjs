// The shim's adapters against fakes with the real API shapes: each must turn its
// client's calls and events into the bridge contract of docs/runtime.md.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import {
  classicHost, connectTelephony, lightningHost, messageChannelHost, normaliseOmniEvent, softphoneTelephony,
} from "../omnisync.js";

const { OmniSync } = createRequire(import.meta.url)("../../pkg/node/omnisync.js");
const RULES = {
  version: 1,
  statuses: [{ id: "0N5Hs0000001AAAAA1", developerName: "Available", online: true }],
  telephony: { system: "amazon-connect", states: ["Available"] },
  rules: [],
};
/** The event type the engine reads an event as (its trace names it canonically). */
const engineType = (event) => new OmniSync(RULES).handle(event).trace().event;

const collect = (bridge) => {
  const seen = [];
  bridge.subscribe((event) => seen.push(event));
  return seen;
};

test("Lightning event names pass through as the type, payload kept; the engine reads them", () => {
  const e = normaliseOmniEvent("lightning:omniChannelWorkloadChanged", { configuredCapacity: "4", previousWorkload: "0", newWorkload: "2" });
  assert.equal(e.type, "lightning:omniChannelWorkloadChanged");
  assert.equal(e.configuredCapacity, "4");
  assert.equal(engineType(e), "omni.workloadChanged");
  const logout = normaliseOmniEvent("omniChannelLogout", {});
  assert.equal(logout.type, "omniChannelLogout");
  assert.equal(engineType(logout), "omni.logout");
});

test("the Lightning host calls the toolkit with its argument objects", async () => {
  const calls = [];
  const api = {
    setServicePresenceStatus: async (arg) => calls.push(["set", arg]),
    login: async (arg) => calls.push(["login", arg]),
    getServicePresenceStatusId: async () => { throw new Error("Agent is logged out"); },
    getAgentWorkload: async () => ({ configuredCapacity: 5, currentWorkload: 1 }),
  };
  const host = lightningHost(api);
  const seen = collect(host);
  await host.setServicePresenceStatus("0N5x");
  await host.login("0N5y");
  assert.deepEqual(calls, [["set", { statusId: "0N5x" }], ["login", { statusId: "0N5y" }]]);
  assert.equal(await host.getServicePresenceStatusId(), null, "logged out reads as null");
  host.dispatch("lightning:omniChannelStatusChanged", { statusId: "0N5x", statusApiName: "Lunch" });
  assert.equal(engineType(seen[0]), "omni.statusChanged");
  assert.equal(seen[0].statusApiName, "Lunch");
});

test("the Classic host turns callbacks with result.success into promises", async () => {
  const listeners = {};
  const sforce = {
    console: {
      ConsoleEvent: { PRESENCE: Object.fromEntries(["LOGIN_SUCCESS", "STATUS_CHANGED", "LOGOUT", "WORK_ASSIGNED", "WORK_ACCEPTED", "WORK_DECLINED", "WORK_CLOSED", "WORKLOAD_CHANGED"].map((n) => [n, `presence:${n}`])) },
      addEventListener: (name, cb) => { listeners[name] = cb; },
      presence: {
        setServicePresenceStatus: (id, cb) => cb({ success: id === "ok" }),
        login: (id, cb) => cb({ success: true }),
        getServicePresenceStatusId: (cb) => cb({ success: true, statusId: "0N5z", statusApiName: "Available" }),
        getAgentWorkload: (cb) => cb({ success: true, configuredCapacity: 3, currentWorkload: 0 }),
      },
    },
  };
  const host = classicHost(sforce);
  const seen = collect(host);
  await host.setServicePresenceStatus("ok");
  await assert.rejects(host.setServicePresenceStatus("no"), (err) => err.code === "rejected");
  assert.equal((await host.getServicePresenceStatusId()).statusId, "0N5z");
  assert.equal(Object.keys(listeners).length, 8, "every PRESENCE event is listened to");
  listeners["presence:WORKLOAD_CHANGED"]({ configuredCapacity: "3", previousWorkload: "0", newWorkload: "1" });
  assert.equal(seen[0].type, "PRESENCE.WORKLOAD_CHANGED");
  assert.equal(seen[0].newWorkload, "1");
});

function fakePort() {
  const handlers = [];
  const sent = [];
  return {
    sent,
    subscribe: (h) => handlers.push(h),
    postMessage: (m) => sent.push(m),
    deliver: (m) => handlers.forEach((h) => h(m)),
  };
}

test("the message-channel host correlates replies and forwards events", async () => {
  const port = fakePort();
  const host = messageChannelHost(port);
  const seen = collect(host);
  const a = host.setServicePresenceStatus("0N5a");
  const b = host.getAgentWorkload();
  assert.equal(port.sent.length, 2);
  assert.notEqual(port.sent[0].id, port.sent[1].id);
  assert.deepEqual(port.sent[0].args, [{ statusId: "0N5a" }]);
  // Replies may come back in any order.
  port.deliver({ kind: "reply", id: port.sent[1].id, ok: true, result: { configuredCapacity: 2, currentWorkload: 1 } });
  port.deliver({ kind: "reply", id: port.sent[0].id, ok: false, error: { code: "connection", message: "lost" } });
  assert.equal((await b).configuredCapacity, 2);
  await assert.rejects(a, (err) => err.code === "connection");
  port.deliver({ kind: "event", event: { type: "omni.logout" } });
  assert.deepEqual(seen, [{ type: "omni.logout" }]);
});

test("the message-channel host drops replies to no waiting command, and counts them", async () => {
  const port = fakePort();
  const host = messageChannelHost(port);
  let settled = false;
  const pending = host.getAgentWorkload().then((value) => { settled = true; return value; });
  const { id } = port.sent[0];
  port.deliver({ kind: "reply", id: "c999", ok: true, result: "unknown id" });
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.equal(settled, false, "a reply to another id settles nothing");
  port.deliver({ kind: "reply", id, ok: true, result: "genuine" });
  assert.equal(await pending, "genuine");
  port.deliver({ kind: "reply", id, ok: true, result: "twice" });
  assert.deepEqual(host.dropped(), { replies: 2 });
});

test("the message-channel host runs over a real MessagePort", async () => {
  const { port1, port2 } = new MessageChannel();
  const host = messageChannelHost(port1);
  const seen = collect(host);
  port2.onmessage = ({ data }) => port2.postMessage({ kind: "reply", id: data.id, ok: true, result: { statusId: "0N5a" } });
  assert.deepEqual(await host.setServicePresenceStatus("0N5a"), { statusId: "0N5a" });
  port2.postMessage({ kind: "event", event: { type: "omni.logout" } });
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.deepEqual(seen, [{ type: "omni.logout" }]);
  port1.close();
  port2.close();
});

test("the message-channel host times out an unanswered command", async () => {
  const host = messageChannelHost(fakePort(), { timeoutMs: 20 });
  await assert.rejects(host.login("0N5b"), (err) => err.code === "timeout");
});

test("the Amazon Connect adapter waits for the agent and sets states by name", async () => {
  let stateListener;
  let current = { name: "Available" };
  const states = [{ name: "Available", type: "routable" }, { name: "Lunch", type: "not_routable" }];
  const agent = {
    onStateChange: (cb) => { stateListener = cb; },
    getAgentStates: () => states,
    getState: () => current,
    setState: (state, { success, failure }) => (state.name === "Lunch" ? (current = state, success()) : failure("AccessDenied")),
  };
  let deliverAgent;
  const connect = { agent: (cb) => { deliverAgent = () => cb(agent); } };
  const phone = connectTelephony(connect);
  const seen = collect(phone);
  const pending = phone.setState("Lunch");
  deliverAgent();
  await pending;
  assert.equal(await phone.getState(), "Lunch");
  await assert.rejects(phone.setState("Available"), (err) => err.code === "refused");
  await assert.rejects(phone.setState("Nope"), (err) => err.code === "unknownState");
  stateListener({ oldState: "Available", newState: "Lunch" });
  assert.equal(seen[0].type, "telephony.stateChanged");
  assert.equal(seen[0].newState, "Lunch");
});

test("the generic softphone adapter", async () => {
  let listener;
  const softphone = { onStateChange: (cb) => { listener = cb; }, setState: (n) => n, getState: () => undefined };
  const phone = softphoneTelephony(softphone);
  const seen = collect(phone);
  assert.deepEqual(await phone.setState("Break"), { state: "Break" }, "the contract's answer, whatever the hook resolved");
  assert.equal(await phone.getState(), null);
  listener({ oldState: "Available", newState: "Break" });
  assert.equal(seen[0].oldState, "Available");
});
