// The browser runtime driven from JavaScript over the fake Omni-Channel and phone of
// www/demo/sim/ (in node: no Web Locks, so leadership comes from the
// BroadcastChannel heartbeat).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { setTimeout as sleep } from "node:timers/promises";
import { REASON, createOmni, hostBridge } from "../demo/sim/omni.js";
import { createPhone, telephonyBridge } from "../demo/sim/phone.js";

const require = createRequire(import.meta.url);
const { OmniSync } = require("../../pkg/node/omnisync.js");
const rules = readFileSync(new URL("../../examples/cti-four-row.json", import.meta.url), "utf8");
// The example names its statuses only; the example org's catalog gives their Ids.
const catalog = JSON.parse(readFileSync(new URL("../../examples/org-statuses.json", import.meta.url), "utf8"));
const LUNCH = "0N5Hs0000004LunKAE";
const AVAILABLE = "0N5Hs0000001AvlKAE";

/** Both systems (www/demo/sim/), every write recorded, a share of them rejected. */
function systems({ reject = () => false } = {}) {
  const omni = createOmni({ statuses: catalog.result.records.map((r) => ({ id: r.Id, developerName: r.DeveloperName, label: r.MasterLabel })),
    statusId: AVAILABLE, capacity: 4 });
  const phone = createPhone({ state: "Available" });
  const writes = [];
  const bridge = hostBridge(omni);
  const host = {
    ...bridge,
    setServicePresenceStatus: async (statusId) => {
      writes.push(["omni", statusId]);
      if (reject()) throw Object.assign(new Error("busy"), { code: "unavailable" });
      return bridge.setServicePresenceStatus(statusId);
    },
  };
  const phoneBridge = telephonyBridge(phone);
  const telephony = {
    ...phoneBridge,
    setState: async (state) => {
      writes.push(["phone", state]);
      return phoneBridge.setState(state);
    },
  };
  return { host, telephony, omni, phone, writes, agentPhone: (newState) => phone.change(newState) };
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
  assert.deepEqual(s.writes, [["omni", LUNCH]]);
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
  assert.equal(s.omni.status().statusId, LUNCH);
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
  assert.deepEqual(s.writes, [["omni", LUNCH]]);
  runtime.stop();
});

test("a periodic reconcile corrects a change whose event was lost", async () => {
  const s = systems();
  const runtime = OmniSync.start({ rules, catalog, host: s.host, telephony: s.telephony, reconcileMs: 300, channel: "t4" });
  await leading(runtime);
  s.phone.change("Lunch", { announce: false }); // the event never arrives
  await sleep(800);
  assert.deepEqual(s.writes, [["omni", LUNCH]]);
  runtime.stop();
});

test("start refuses missing bridges with a clear error", () => {
  assert.throws(() => OmniSync.start({ rules, catalog, telephony: {} }), /host bridge/);
});

test("stop() leaves a non-leader that acts on nothing more", async () => {
  const s = systems();
  const runtime = OmniSync.start({ rules, catalog, host: s.host, telephony: s.telephony, reconcileMs: 0, channel: "t5" });
  await leading(runtime);
  runtime.stop();
  assert.equal(runtime.isLeader(), false);
  s.agentPhone("Lunch");
  await sleep(50);
  assert.deepEqual(s.writes, []);
});

test("an event stamped in the year 2100 does not move the clock", async () => {
  const s = systems();
  const runtime = OmniSync.start({ rules, catalog, host: s.host, telephony: s.telephony, reconcileMs: 0, channel: "t6" });
  await leading(runtime);
  const before = Date.now();
  runtime.push({ type: "omni.statusChanged", statusId: LUNCH, statusApiName: "Lunch", at: Date.parse("2100-01-01T00:00:00Z") });
  await sleep(20);
  const since = runtime.state().omni.since;
  assert.ok(since >= before && since <= Date.now(), `since ${since}`);
  assert.ok(runtime.trace().some((t) => t.kind === "clock" && /ahead of this clock/.test(t.message)));
  const current = runtime.metrics().records.at(-1);
  // UserServicePresence's shape: an open period has no duration yet, a closed one is short.
  assert.ok((current.StatusDuration ?? 0) < 60_000, `${current.StatusDuration}`);
  runtime.stop();
});

test("a phone that never answers: timeout, retry, bounded memory, no stale write after it recovers", async () => {
  // The web glue, so the wasm memory can be read (as bench/node.mjs does).
  const glue = await import("../../pkg/web/omnisync.js");
  const { memory } = glue.initSync({ module: readFileSync(new URL("../../pkg/web/omnisync_bg.wasm", import.meta.url)) });
  const phoneWrites = [];
  let stalled = true;
  const { omni } = systems();
  // The agent's clicks reach the runtime at once: 100,000 of them before anything settles.
  const host = hostBridge(omni, { defer: (fn) => fn() });
  const phone = telephonyBridge(createPhone({ state: "Available" }));
  const telephony = {
    ...phone,
    setState: (state) => {
      phoneWrites.push({ state, stalled });
      if (stalled) return new Promise(() => {}); // never settles
      return phone.setState(state);
    },
  };
  const agent = (statusId) => omni.setStatus(statusId, REASON.manual);
  const fast = JSON.parse(rules);
  fast.options = { sync: { retryBaseMs: 40, retryMaxMs: 80, maxAttempts: 100 } };
  const runtime = glue.OmniSync.start({ rules: fast, catalog, host, telephony, reconcileMs: 0, channel: "t7", bridgeTimeoutMs: 100, traceSize: 50 });
  await leading(runtime);

  agent(LUNCH);
  await sleep(400);
  const retries = runtime.trace().filter((t) => t.kind === "retry" && /timeout/.test(t.message));
  assert.ok(retries.length >= 1, "the call timed out and was retried");
  assert.ok(phoneWrites.length >= 2, `${phoneWrites.length} calls`);

  const start = memory.buffer.byteLength;
  for (let i = 0; i < 100_000; i++) {
    if (i % 2) agent(LUNCH);
    else agent(AVAILABLE);
  }
  agent(LUNCH); // the latest wanted state (the phone still shows Available)
  const growth = memory.buffer.byteLength - start;
  assert.ok(growth < 1024 * 1024, `wasm memory grew ${growth} bytes`);
  console.log(`runtime: wasm memory growth over 100,000 events behind a stalled phone: ${growth} B`);

  const calls = phoneWrites.length;
  stalled = false;
  await sleep(600);
  const after = phoneWrites.slice(calls).filter((w) => !w.stalled);
  assert.ok(after.length >= 1, "the recovered phone is written to");
  assert.deepEqual([...new Set(after.map((w) => w.state))], ["Lunch"], "only the latest wanted state");
  await sleep(300);
  assert.equal(phoneWrites.slice(calls).filter((w) => !w.stalled).length, after.length, "nothing more follows");
  runtime.stop();
});
