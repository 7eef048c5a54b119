// Case 4 of the second hostile round: no call leaves an instance or the runtime
// unusable. A call made with the stack nearly exhausted, a getter of an argument that
// calls the same instance, and an onUpdate listener that pushes an event.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { setTimeout as sleep } from "node:timers/promises";
import { createOmni, hostBridge } from "../demo/sim/omni.js";
import { createPhone, telephonyBridge } from "../demo/sim/phone.js";

const { OmniSync } = createRequire(import.meta.url)("../../pkg/node/omnisync.js");
const AVAILABLE = "0N5Hs0000001AvlKAE";
const LUNCH = "0N5Hs0000004LunKAE";
const RULES = {
  version: 1,
  statuses: [{ id: AVAILABLE, developerName: "Available", online: true }, { id: LUNCH, developerName: "Lunch" }],
  telephony: { system: "amazon-connect", states: ["Available", "Lunch"] },
  rules: [{ name: "phone Lunch", on: "telephony.stateChanged",
    if: { left: "telephony.newState", op: "eq", right: { value: "Lunch" } }, then: [{ setOmniStatus: "Lunch" }] }],
};
const lunch = { type: "telephony.stateChanged", newState: "Lunch" };

/**
 * Recurses until the stack overflows, then on the way back calls `call` once at each of
 * the deepest `frames` depths: some of those calls find almost no stack left.
 * @returns {{ok: number, failed: Error[]}}
 */
function atTheEdgeOfTheStack(call, frames = 3000) {
  const seen = { ok: 0, failed: [] };
  let calls = 0;
  const down = () => {
    try {
      down();
    } catch (err) {
      if (!(err instanceof RangeError)) throw err;
    }
    if (calls++ < frames) {
      try {
        call();
        seen.ok += 1;
      } catch (err) {
        seen.failed.push(err);
      }
    }
  };
  down();
  return seen;
}

test("a call made with the stack nearly exhausted leaves the instance answering", () => {
  for (const method of ["handle", "handleFields", "recent", "state", "metrics", "loadRules"]) {
    const sync = new OmniSync(RULES);
    const telephony = OmniSync.eventNames().indexOf("telephony.stateChanged");
    const args = { handle: [lunch], handleFields: [telephony, undefined, "Lunch"], recent: [], state: [], metrics: [],
      loadRules: [RULES] }[method];
    const seen = atTheEdgeOfTheStack(() => sync[method](...args));
    assert.ok(seen.failed.length > 0, `${method}: some calls found no stack`);
    assert.ok(seen.ok > 0, `${method}: calls with room succeed`);
    // Every failure is the stack's own error or a coded one: never wasm-bindgen's
    // "recursive use of an object detected".
    for (const err of seen.failed) {
      assert.ok(err instanceof RangeError || err.code === "engine.busy", `${method}: ${err}`);
      assert.doesNotMatch(String(err.message), /recursive use/);
    }
    // And the instance answers the next call, with a consistent state.
    const decision = sync.handle({ type: "telephony.stateChanged", newState: "Available" });
    assert.ok(Array.isArray(decision.actions), method);
    assert.equal(sync.state().telephony.state, "Available", method);
    // Not freed: a call cut off at the very edge, after wasm-bindgen's own borrow of
    // the instance and before the stack check, leaves that borrow counted, and free()
    // refuses a borrowed instance (docs/runtime.md, "Re-entrancy and the stack").
  }
});

test("a getter that calls the instance it is read by is answered: arguments are read before the state is borrowed", () => {
  const sync = new OmniSync(RULES);
  const inner = [];
  const event = {
    type: "telephony.stateChanged",
    get newState() {
      for (const call of [() => sync.handle(lunch), () => sync.state(), () => sync.loadRules(RULES)]) {
        try {
          call();
          inner.push("ok");
        } catch (err) {
          inner.push(err.code);
        }
      }
      return "Lunch";
    },
  };
  const decision = sync.handle(event);
  // Before: wasm-bindgen's uncoded "recursive use of an object detected".
  assert.deepEqual(inner, ["ok", "ok", "ok"]);
  // The inner handle(lunch) already set Omni to Lunch... then the rules were reloaded
  // and the outer event is decided on the state as it now is.
  assert.ok(Array.isArray(decision.actions));
  assert.equal(sync.state().telephony.state, "Lunch");
  sync.free();
});

test("an onUpdate that pushes an event is queued, not re-entered: no trap, no runtime.busy", async () => {
  const omni = createOmni({ statuses: RULES.statuses.map((s) => ({ ...s, label: s.developerName })), statusId: AVAILABLE });
  const phone = createPhone({ state: "Available" });
  let runtime;
  let pushes = 0;
  const errors = [];
  const onUpdate = () => {
    // Every update pushes, 5,000 times: before, the nested pumps exhausted the stack and trapped with
    // "memory access out of bounds" and the runtime answered runtime.busy for ever.
    if (pushes >= 5000) return;
    pushes += 1;
    try {
      runtime.push({ type: "telephony.stateChanged", newState: pushes % 2 ? "Lunch" : "Available" });
      runtime.state();
    } catch (err) {
      errors.push(err.code ?? String(err));
    }
  };
  runtime = OmniSync.start({ rules: RULES, host: hostBridge(omni), telephony: telephonyBridge(phone),
    reconcileMs: 0, storage: null, channel: "reentrancy-onupdate", onUpdate });
  // After the start-up read (until then events are buffered, 1,000 at most).
  await sleep(100);
  runtime.push(lunch);
  await sleep(200);
  assert.equal(pushes, 5000);
  // state() inside onUpdate may find an input being handled (runtime.busy, coded);
  // nothing else.
  assert.ok(errors.every((c) => c === "runtime.busy"), errors.join());
  assert.ok(runtime.stats().events >= 5000, JSON.stringify(runtime.stats()));
  assert.doesNotThrow(() => runtime.state());
  runtime.push({ type: "telephony.stateChanged", newState: "Available" });
  assert.equal(runtime.state().telephony.state, "Available");
  runtime.stop();
});

test("a runtime called with the stack nearly exhausted keeps running", async () => {
  const omni = createOmni({ statuses: RULES.statuses.map((s) => ({ ...s, label: s.developerName })), statusId: AVAILABLE });
  const runtime = OmniSync.start({ rules: RULES, host: hostBridge(omni), telephony: telephonyBridge(createPhone({ state: "Available" })),
    reconcileMs: 0, storage: null, channel: "reentrancy-edge" });
  let flip = false;
  const seen = atTheEdgeOfTheStack(() => {
    flip = !flip;
    runtime.push({ type: "telephony.stateChanged", newState: flip ? "Lunch" : "Available" });
    runtime.trace(5);
  });
  assert.ok(seen.ok > 0);
  for (const err of seen.failed) assert.ok(err instanceof RangeError || /^runtime\./.test(err.code), String(err));
  await sleep(50);
  runtime.push({ type: "telephony.stateChanged", newState: "Lunch" });
  assert.equal(runtime.state().telephony.state, "Lunch");
  assert.ok(runtime.trace(3).length > 0);
  runtime.stop();
});
