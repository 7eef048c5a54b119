// Case 4, the shim's part: a trap inside wasm is caught by the shim's supervisor,
// reported with a code, and the runtime restarted on a fresh instance of the module,
// restored from the saved session the supervisor keeps outside wasm.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { setTimeout as sleep } from "node:timers/promises";
import { startOmniSync, supervise } from "../omnisync.js";
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

function systems() {
  const omni = createOmni({ statuses: RULES.statuses.map((s) => ({ ...s, label: s.developerName })), statusId: AVAILABLE });
  const phone = createPhone({ state: "Available" });
  return { omni, phone, host: hostBridge(omni), telephony: telephonyBridge(phone) };
}

async function leading(runtime) {
  for (let i = 0; i < 40 && !runtime.isLeader(); i++) await sleep(100);
  assert.ok(runtime.isLeader(), "the only tab leads");
}

test("a trap is reported with a code and the runtime restarts from the session kept outside wasm", async () => {
  const s = systems();
  let trip = false;
  // The first module's runtime traps on demand, as a panic (an abort) would.
  const trapping = {
    start(options) {
      const runtime = OmniSync.start(options);
      return new Proxy(runtime, {
        get(target, key) {
          const value = target[key];
          if (typeof value !== "function") return value;
          return (...args) => {
            if (trip && key === "trace") throw new WebAssembly.RuntimeError("unreachable");
            return value.apply(target, args);
          };
        },
      });
    },
  };
  let reloads = 0;
  // storage: null, so the only copy of the session is the supervisor's.
  const runtime = supervise(trapping, { rules: RULES, host: s.host, telephony: s.telephony, reconcileMs: 0,
    storage: null, channel: `restart-${Math.random()}` }, async () => {
    reloads += 1;
    return OmniSync;
  });
  await leading(runtime);
  s.phone.change("Lunch");
  await sleep(400); // the decision, the write, and the session write (250 ms later)
  assert.equal(s.omni.status().statusId, LUNCH);
  const metricsBefore = runtime.metrics().records.length;
  trip = true;
  assert.throws(() => runtime.trace(), (err) => err.code === "runtime.trapped" && err.cause instanceof WebAssembly.RuntimeError);
  assert.throws(() => runtime.state(), (err) => err.code === "runtime.restarting");
  // An event while restarting waits for the new runtime.
  s.phone.change("Available");
  await runtime.ready();
  await sleep(100); // the new runtime's start-up read, then the waiting event
  assert.equal(reloads, 1);
  assert.equal(runtime.restarts(), 1);
  // Restored: the model and the metrics of before the trap, then the waiting event.
  const state = runtime.state();
  assert.equal(state.omni.statusId, LUNCH);
  assert.equal(state.telephony.state, "Available");
  assert.ok(runtime.metrics().records.length >= metricsBefore);
  assert.ok(runtime.trace().some((t) => /failed inside wasm .* restarted on a fresh module from the saved session/.test(t.message)));
  runtime.stop();
});

test("a real restart: a call cut off by an exhausted stack, a fresh instance of the module", async () => {
  const s = systems();
  const wasmUrl = readFileSync(new URL("../../pkg/web/omnisync_bg.wasm", import.meta.url));
  const runtime = await startOmniSync({ wasmUrl, rules: RULES, host: s.host, telephony: s.telephony, reconcileMs: 0,
    storage: null, channel: `restart-real-${Math.random()}` });
  await leading(runtime);
  s.phone.change("Lunch");
  await sleep(400);
  // Call at every depth near the edge of the stack until one is cut off inside wasm
  // (the caller may then have no stack left even for the coded error).
  const seen = [];
  const down = () => {
    try {
      down();
    } catch {
      // the bottom
    }
    if (runtime.restarts() > 0) return;
    try {
      runtime.state();
    } catch (err) {
      seen.push(err);
    }
  };
  down();
  assert.equal(runtime.restarts(), 1);
  assert.ok(seen.every((err) => err instanceof RangeError || err.code === "runtime.trapped"), seen.map(String).join());
  assert.throws(() => runtime.state(), (err) => err.code === "runtime.restarting");
  await runtime.ready();
  assert.equal(runtime.restarts(), 1);
  assert.equal(runtime.state().omni.statusId, LUNCH);
  await leading(runtime);
  s.phone.change("Available");
  s.phone.change("Lunch");
  await sleep(100);
  assert.equal(runtime.state().telephony.state, "Lunch");
  runtime.stop();
});
