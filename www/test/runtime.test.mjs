// The browser runtime driven from JavaScript with fake bridges (in node: no Web Locks,
// so leadership comes from the BroadcastChannel heartbeat).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { setTimeout as sleep } from "node:timers/promises";

const require = createRequire(import.meta.url);
const { OmniSync } = require("../../pkg/node/omnisync.js");
const rules = readFileSync(new URL("../../examples/cti-four-row.json", import.meta.url), "utf8");
// The example names its statuses only; the example org's catalog gives their Ids.
const catalog = JSON.parse(readFileSync(new URL("../../examples/org-statuses.json", import.meta.url), "utf8"));
const LUNCH = "0N5Hs0000004LunKAE";
const AVAILABLE = "0N5Hs0000001AvlKAE";

/** Both systems, with the toolkit's echo and an optional share of rejected writes. */
function systems({ reject = () => false } = {}) {
  const omniListeners = [];
  const phoneListeners = [];
  const world = { omni: { statusId: AVAILABLE, statusApiName: "Available" }, phone: "Available", writes: [] };
  const names = { [LUNCH]: "Lunch", [AVAILABLE]: "Available" };
  const host = {
    subscribe: (cb) => omniListeners.push(cb),
    setServicePresenceStatus: async (statusId) => {
      world.writes.push(["omni", statusId]);
      if (reject()) throw Object.assign(new Error("busy"), { code: "unavailable" });
      world.omni = { statusId, statusApiName: names[statusId] };
      queueMicrotask(() => omniListeners.forEach((cb) => cb({ type: "omni.statusChanged", ...world.omni, reason: "OmniToolkitStatusChange" })));
    },
    login: async () => {},
    getServicePresenceStatusId: async () => world.omni,
    getAgentWorkload: async () => ({ configuredCapacity: 4, currentWorkload: 0 }),
  };
  const telephony = {
    subscribe: (cb) => phoneListeners.push(cb),
    setState: async (state) => {
      world.writes.push(["phone", state]);
      const oldState = world.phone;
      world.phone = state;
      phoneListeners.forEach((cb) => cb({ type: "telephony.stateChanged", oldState, newState: state }));
    },
    getState: async () => world.phone,
  };
  const agentPhone = (newState) => {
    const oldState = world.phone;
    world.phone = newState;
    phoneListeners.forEach((cb) => cb({ type: "telephony.stateChanged", oldState, newState }));
  };
  return { host, telephony, world, agentPhone };
}

async function leading(runtime) {
  for (let i = 0; i < 40 && !runtime.isLeader(); i++) await sleep(100);
  assert.ok(runtime.isLeader(), "the only tab leads");
}

test("an agent change is acted on once and its echo is recognised", async () => {
  const s = systems();
  const runtime = OmniSync.start({ rules, catalog, host: s.host, telephony: s.telephony, reconcileMs: 0, channel: "t1" });
  await leading(runtime);
  s.agentPhone("Lunch");
  await sleep(50);
  assert.deepEqual(s.world.writes, [["omni", LUNCH]]);
  const stats = runtime.stats();
  assert.equal(stats.actions, 1);
  assert.equal(stats.echoes, 1);
  assert.ok(runtime.trace().some((t) => t.kind === "decision" && t.decision.actions.length === 1));
  runtime.stop();
});

test("a rejected write is retried until it lands", async () => {
  let calls = 0;
  const s = systems({ reject: () => ++calls <= 2 });
  const fast = JSON.parse(rules);
  fast.options = { sync: { retryBaseMs: 20, retryMaxMs: 40 } };
  const runtime = OmniSync.start({ rules: fast, catalog, host: s.host, telephony: s.telephony, reconcileMs: 0, channel: "t2" });
  await leading(runtime);
  s.agentPhone("Lunch");
  await sleep(400);
  assert.equal(s.world.omni.statusId, LUNCH);
  assert.equal(runtime.stats().retries, 2);
  runtime.stop();
});

test("refused rules are reported and the previous rules stay in force", async () => {
  const s = systems();
  const runtime = OmniSync.start({ rules, catalog, host: s.host, telephony: s.telephony, reconcileMs: 0, channel: "t3" });
  await leading(runtime);
  assert.throws(() => runtime.reloadRules({ version: 2 }), (err) => err.code === "rules.invalid" && err.details.length > 0);
  s.agentPhone("Lunch");
  await sleep(50);
  assert.deepEqual(s.world.writes, [["omni", LUNCH]]);
  runtime.stop();
});

test("a periodic reconcile corrects a change whose event was lost", async () => {
  const s = systems();
  const runtime = OmniSync.start({ rules, catalog, host: s.host, telephony: s.telephony, reconcileMs: 300, channel: "t4" });
  await leading(runtime);
  s.world.phone = "Lunch"; // the event never arrives
  await sleep(800);
  assert.deepEqual(s.world.writes, [["omni", LUNCH]]);
  runtime.stop();
});

test("start refuses missing bridges with a clear error", () => {
  assert.throws(() => OmniSync.start({ rules, catalog, telephony: {} }), /host bridge/);
});
