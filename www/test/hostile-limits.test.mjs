// Hostile inputs, round two (docs/runtime.md, "Limits"): inputs that stay inside every
// type check but grow without bound, numbers at the boundary, a clock in 2100, and
// rules loaded 100,000 times. Through the web glue, so the wasm memory can be read.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { createOmni, hostBridge } from "../demo/sim/omni.js";
import { createPhone, telephonyBridge } from "../demo/sim/phone.js";

const glue = await import("../../pkg/web/omnisync.js");
const { memory } = glue.initSync({ module: readFileSync(new URL("../../pkg/web/omnisync_bg.wasm", import.meta.url)) });
const { OmniSync } = glue;
const MiB = 1024 * 1024;
const AVAILABLE = "0N5Hs0000001AvlKAE";
const RULES = {
  version: 1,
  statuses: [{ id: AVAILABLE, developerName: "Available", online: true }, { id: "0N5Hs0000004LunKAE", developerName: "Lunch" }],
  telephony: { system: "amazon-connect", states: ["Available", "Lunch"] },
  rules: [{ name: "phone Lunch", on: "telephony.stateChanged",
    if: { left: "telephony.newState", op: "eq", right: { value: "Lunch" } }, then: [{ setOmniStatus: "Lunch" }] }],
};

const code = (c) => (err) => err?.code === c;
const assigned = (workId) => ({ type: "omni.workAssigned", workItemId: "500Hs000000001", workId });

test("case 3: a 10 MB string in an event is refused by its length, before it is copied into wasm", () => {
  const sync = new OmniSync(RULES);
  sync.handle({ type: "omni.statusChanged", statusId: AVAILABLE, statusApiName: "Available" });
  const before = memory.buffer.byteLength;
  const huge = "x".repeat(10 * 1000 * 1000);
  for (const event of [
    { type: "omni.statusChanged", statusId: AVAILABLE, statusApiName: huge },
    assigned(huge),
    { type: "telephony.stateChanged", newState: huge },
    { type: "omni.logout", reason: huge },
  ]) {
    assert.throws(() => sync.handle(event), (err) => err.code === "event.tooLarge" && /1000 characters/.test(err.message));
  }
  assert.ok(memory.buffer.byteLength - before < 4 * MiB, `wasm memory grew by ${(memory.buffer.byteLength - before) / MiB} MiB`);
  // At the limit: accepted; one past: refused, naming the field.
  assert.doesNotThrow(() => sync.handle(assigned("w".repeat(1000))));
  assert.throws(() => sync.handle(assigned("w".repeat(1001))), (err) => err.code === "event.tooLarge" && err.details[0].path === "$.workId");
  assert.ok(JSON.stringify(sync.state()).length < 10_000);
  sync.free();
});

test("case 2: open work items stop at 1,000 per agent, with a coded refusal; state() stays small", () => {
  const sync = new OmniSync(RULES);
  // Scattered order, as the probe sent them.
  for (let k = 0; k < 1000; k++) sync.handle(assigned(`0Bz${String((k * 7919) % 1000).padStart(15, "0")}`));
  assert.equal(Object.keys(sync.state().works).length, 1000);
  assert.throws(() => sync.handle(assigned("0Bz999999999999999")), (err) => err.code === "event.tooManyWorkItems"
    && err.details[0].path === "$.workId" && /1000 open work items/.test(err.message));
  // A close makes room again.
  sync.handle({ type: "omni.workClosed", workItemId: "500Hs000000001", workId: `0Bz${"0".repeat(15)}` });
  assert.doesNotThrow(() => sync.handle(assigned("0Bz999999999999999")));
  assert.ok(JSON.stringify(sync.state()).length < 1 * MiB);
  sync.free();
  // SyncLoop.push refuses the same way.
  const loop = new glue.SyncLoop(RULES);
  loop.start(999);
  loop.read({ getServicePresenceStatusId: { statusId: AVAILABLE, statusApiName: "Available" },
    getAgentWorkload: { configuredCapacity: 5, currentWorkload: 0 }, getState: "Available" }, 999);
  for (let k = 0; k < 1000; k++) loop.push(assigned(`0Bz${String(k).padStart(15, "0")}`), 1000 + k);
  assert.throws(() => loop.push(assigned("0Bz999999999999999"), 5000), code("event.tooManyWorkItems"));
  loop.free();
});

test("case 2: a saved session past 1 MiB is not written, and a storage that refuses it is traced", async () => {
  const writes = [];
  const storage = { getItem: () => null, setItem: (key, value) => writes.push(value.length), removeItem() {} };
  const big = started(`limits-session-${Math.random()}`, { storage });
  await sleep(100);
  // 1,000 open items with Ids at the 1,000-character limit: about 2 MB of session.
  for (let k = 0; k < 1000; k++) big.push({ ...assigned(`${k}`.padStart(1000, "w")), workItemId: `${k}`.padStart(1000, "5") });
  await sleep(400);
  assert.ok(big.trace().some((t) => /session\.tooLarge: the saved session is \d+ bytes; the limit is 1048576 bytes/.test(t.message)),
    big.trace().map((t) => t.message).join("\n"));
  assert.ok(writes.every((n) => n <= MiB), `writes ${writes}`);
  big.stop();
  const full = { getItem: () => null, setItem: () => { throw new DOMException("quota", "QuotaExceededError"); }, removeItem() {} };
  const refused = started(`limits-quota-${Math.random()}`, { storage: full });
  await sleep(100);
  refused.push(assigned("0Bz000000000000001"));
  await sleep(400);
  assert.ok(refused.trace().some((t) => /session\.notSaved/.test(t.message)), refused.trace().map((t) => t.message).join("\n"));
  refused.stop();
});

test("case 5: trace(limit) and numeric arguments are whole numbers in range, else options.invalid; no wrap", async () => {
  const runtime = started("limits-trace");
  runtime.note("test", "one");
  runtime.note("test", "two");
  assert.equal(runtime.trace(1).length, 1);
  assert.equal(runtime.trace(0).length, 0);
  assert.ok(runtime.trace(2 ** 32 + 1).length >= 2, "2^32+1 is more than there are: all of them");
  assert.equal(runtime.trace().length, runtime.trace(null).length);
  for (const bad of [-1, Infinity, -Infinity, NaN, 1.5, 2 ** 53, 1n, "3", {}]) {
    assert.throws(() => runtime.trace(bad), code("options.invalid"), `trace(${typeof bad === "bigint" ? "1n" : String(bad)})`);
  }
  assert.throws(() => runtime.metrics(5n), code("options.invalid"));
  assert.throws(() => runtime.metrics(-1), code("options.invalid"));
  runtime.stop();
  const sync = new OmniSync(RULES);
  assert.throws(() => sync.metrics(10n), code("options.invalid"));
  assert.throws(() => sync.metrics(Infinity), code("options.invalid"));
  assert.doesNotThrow(() => sync.metrics(0));
  sync.free();
  // The loop without the browser: the same rules for its times and ids.
  const loop = new glue.SyncLoop(RULES);
  for (const bad of [5n, -1, NaN, Infinity, "10"]) {
    assert.throws(() => loop.tick(bad), code("options.invalid"));
  }
  assert.doesNotThrow(() => loop.tick(performance.timeOrigin + 0.5), "a fraction of a ms is dropped");
  assert.throws(() => loop.reply(1.5, null, 10), code("options.invalid"));
  assert.throws(() => loop.reply(1n, null, 10), code("options.invalid"));
  assert.throws(() => new glue.SyncLoop(RULES, { seed: 7n }), code("options.invalid"));
  assert.equal(typeof loop.tick(Date.UTC(2100, 0, 1)).wakeAt, "object", "a time past 2^32 is not cut short");
  loop.free();
  for (const [key, bad] of [["traceSize", 50n], ["reconcileMs", "1000"], ["bridgeTimeoutMs", Infinity], ["traceSize", NaN]]) {
    assert.throws(() => started(`limits-${key}`, { [key]: bad }), (err) => err.code === "options.invalid" && err.message.includes(key));
  }
  // Out of range: refused, naming the option (it was clamped; a typo like 3e9 for 3e3
  // now says so instead of running with another period); no option is wrapped: the
  // longest period a timer takes (2^31-2 ms) does not fire at once.
  for (const [key, bad] of [["reconcileMs", 3e9], ["reconcileMs", 100], ["reconcileMs", -1], ["traceSize", 5], ["bridgeTimeoutMs", 0]]) {
    assert.throws(() => started(`limits-${key}-range`, { [key]: bad }), (err) => err.code === "options.invalid" && err.message.includes(key), `${key}: ${bad}`);
  }
  let reads = 0;
  const late = started("limits-reconcile", { reconcileMs: 2 ** 31 - 2, onRead: () => reads++ });
  await sleep(300);
  const first = reads;
  await sleep(300);
  assert.equal(reads, first, "no periodic read fires");
  late.stop();
});

test("case 6: OmniSync.handle with an event stamped in 2100 takes it as now, as the runtime does", () => {
  const sync = new OmniSync(RULES);
  sync.handle({ type: "omni.statusChanged", statusId: AVAILABLE, statusApiName: "Available", at: Date.now() - 1000 });
  const decision = sync.handle({ type: "omni.statusChanged", statusId: "0N5Hs0000004LunKAE", statusApiName: "Lunch",
    at: Date.parse("2100-01-01T00:00:00Z") });
  assert.ok(decision.trace().notes.some((n) => /stamped .* ahead of this clock: taken as happening now/.test(n)), JSON.stringify(decision.trace().notes));
  const since = sync.state().omni.since;
  assert.ok(since <= Date.now(), `since ${new Date(since).toISOString()}`);
  const durations = sync.metrics().records.map((r) => r.StatusDuration ?? 0);
  // Before: a 27,806-day record (2,402,438,400 s).
  assert.ok(durations.every((d) => d < 3600), `durations ${durations}`);
  sync.free();
});

test("case 7: 100,000 loadRules in a synchronous loop stay under 32 MiB of wasm memory growth", () => {
  const sync = new OmniSync(RULES);
  const text = JSON.stringify(RULES);
  sync.handle({ type: "telephony.stateChanged", newState: "Lunch" });
  const before = memory.buffer.byteLength;
  for (let i = 0; i < 100_000; i++) sync.loadRules(text);
  const grown = (memory.buffer.byteLength - before) / MiB;
  // Before: 339 MiB (one closure per load, each holding its rules until collected).
  assert.ok(grown < 32, `wasm memory grew by ${grown} MiB`);
  // Decisions made between loads still explain themselves with their own rules.
  const decision = sync.handle({ type: "telephony.stateChanged", newState: "Lunch" });
  sync.loadRules({ ...RULES, rules: [] });
  assert.equal(decision.trace().rules[0].rule, "phone Lunch");
  sync.free();
  // The runtime's reloadRules too.
  const runtime = started("limits-reload");
  const start = memory.buffer.byteLength;
  for (let i = 0; i < 100_000; i++) runtime.reloadRules(text);
  assert.ok((memory.buffer.byteLength - start) / MiB < 32);
  runtime.stop();
});

/** A runtime over the fake systems, alone on its channel. */
function started(channel, { onRead, ...options } = {}) {
  const omni = createOmni({ statuses: RULES.statuses.map((s) => ({ ...s, label: s.developerName })), statusId: AVAILABLE });
  const host = hostBridge(omni);
  const read = host.getServicePresenceStatusId;
  host.getServicePresenceStatusId = (...args) => {
    onRead?.();
    return read(...args);
  };
  return OmniSync.start({ rules: RULES, host, telephony: telephonyBridge(createPhone({ state: "Available" })),
    reconcileMs: 0, storage: null, channel, ...options });
}
