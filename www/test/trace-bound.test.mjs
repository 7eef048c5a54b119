// The runtime's trace is bounded in bytes, not only in entries: a decision keeps the
// rules whose condition held (with their checks) and counts the rest, the ring holds at
// most 256 KiB of JSON, and trace(limit) returns the last entries.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { setTimeout as sleep } from "node:timers/promises";
import { createOmni, hostBridge } from "../demo/sim/omni.js";
import { createPhone, telephonyBridge } from "../demo/sim/phone.js";

const require = createRequire(import.meta.url);
const { OmniSync } = require("../../pkg/node/omnisync.js");
const LUNCH = "0N5Hs0000002AAAAA2";
const AVAILABLE = "0N5Hs0000001AAAAA1";
const RING_BYTES = 256 * 1024;

/** `matching` rules that all match a phone change, `missing` that never do. */
function rules(matching, missing) {
  const rule = (i, state) => ({
    name: `rule ${String(i).padStart(4, "0")} ${"x".repeat(40)}`,
    on: "telephony.stateChanged",
    if: { left: "telephony.newState", op: "eq", right: { value: state } },
    then: [{ setOmniStatus: "Lunch" }],
  });
  return {
    version: 1,
    statuses: [
      { id: AVAILABLE, developerName: "Available", online: true },
      { id: LUNCH, developerName: "Lunch", online: false },
    ],
    telephony: { system: "amazon-connect", states: ["Available", "Lunch"] },
    rules: [
      ...Array.from({ length: matching }, (_, i) => rule(i, "Lunch")),
      ...Array.from({ length: missing }, (_, i) => rule(matching + i, "Nope")),
    ],
  };
}

function start(file, traceSize) {
  // Logged out, the phone's state unknown to the engine until it changes.
  const omni = createOmni({ statuses: file.statuses, loggedIn: false });
  const phone = createPhone();
  const runtime = OmniSync.start({
    rules: file, storage: null, reconcileMs: 0, traceSize, channel: `bound-${Math.random()}`,
    host: hostBridge(omni), telephony: { ...telephonyBridge(phone), getState: async () => null },
  });
  return { runtime, phone: (newState) => phone.change(newState) };
}

test("a decision in the ring keeps the matching rules and counts the rest", async () => {
  const { runtime, phone } = start(rules(3, 50), 200);
  phone("Lunch");
  await sleep(10);
  const entry = runtime.trace().filter((e) => e.kind === "decision").pop();
  const trace = entry.decision.trace;
  assert.equal(trace.rules.length, 3, "only the rules whose condition held");
  assert.ok(trace.rules.every((r) => r.matched && r.checks.length === 1));
  assert.deepEqual(trace.rules.map((r) => r.outcome), ["superseded", "superseded", "emitted"]);
  assert.equal(trace.notMatched, 50);
  assert.equal(trace.outOfScope, 0);
  runtime.stop();
});

test("the ring stays within its byte bound whatever the rules, and trace(limit) gives the last entries", async () => {
  // 500 matching rules: each decision is about 60 kB of JSON; 10,000 entries allowed.
  const { runtime, phone } = start(rules(500, 0), 10_000);
  for (let i = 0; i < 40; i++) {
    phone(i % 2 ? "Available" : "Lunch");
    await sleep(0);
  }
  const all = runtime.trace();
  const bytes = JSON.stringify(all).length;
  assert.ok(bytes <= RING_BYTES + 4096, `${bytes} bytes of trace`);
  const decisions = all.filter((e) => e.kind === "decision");
  assert.ok(decisions.length >= 1, "the newest decision is kept");
  assert.ok(decisions.length < 20, `old entries went out first (${decisions.length} decisions kept)`);
  assert.equal(all.at(-1).seq, Math.max(...all.map((e) => e.seq)), "the newest entry is last");
  const last = runtime.trace(2);
  assert.equal(last.length, 2);
  assert.deepEqual(last.map((e) => e.seq), all.slice(-2).map((e) => e.seq));
  assert.equal(runtime.trace(0).length, 0);
  assert.equal(runtime.trace(1_000_000).length, all.length);
  runtime.stop();
});

test("small entries are bounded by traceSize", async () => {
  const { runtime, phone } = start(rules(1, 0), 10);
  for (let i = 0; i < 30; i++) {
    phone(i % 2 ? "Available" : "Lunch");
    await sleep(0);
  }
  assert.equal(runtime.trace().length, 10);
  runtime.stop();
});
