// The saved session: written after a quiet spell and when the runtime stops, not once
// per event (the session carries the presence records, so writing it per event cost
// more than deciding), and restored by the next runtime on the same storage.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { setTimeout as sleep } from "node:timers/promises";
import { createOmni, hostBridge } from "../demo/sim/omni.js";
import { createPhone, telephonyBridge } from "../demo/sim/phone.js";

const require = createRequire(import.meta.url);
const { OmniSync } = require("../../pkg/node/omnisync.js");
const rules = readFileSync(new URL("../../examples/cti-four-row.json", import.meta.url), "utf8");
const catalog = JSON.parse(readFileSync(new URL("../../examples/org-statuses.json", import.meta.url), "utf8"));
const LUNCH = "0N5Hs0000004LunKAE";
const AVAILABLE = "0N5Hs0000001AvlKAE";

/** A Storage with the two methods the runtime calls, counting the writes. */
function memoryStorage() {
  const items = new Map();
  return {
    writes: 0,
    getItem: (key) => items.get(key) ?? null,
    setItem(key, value) {
      this.writes += 1;
      items.set(key, String(value));
    },
    keys: () => [...items.keys()],
  };
}

function start(storage, channel) {
  const omni = createOmni({ statuses: catalog.result.records.map((r) => ({ id: r.Id, developerName: r.DeveloperName, label: r.MasterLabel })),
    statusId: AVAILABLE, capacity: 4 });
  const phone = createPhone({ state: "Available" });
  const runtime = OmniSync.start({ rules, catalog, host: hostBridge(omni), telephony: telephonyBridge(phone),
    storage, reconcileMs: 0, channel, orgId: "00DHs000000ORG1", userId: "005Hs000000ALICE" });
  return { runtime, phone };
}

async function leading(runtime) {
  for (let i = 0; i < 40 && !runtime.isLeader(); i++) await sleep(100);
  assert.ok(runtime.isLeader(), "the only tab leads");
}

test("a burst of changes is saved once after a quiet spell, and stop() saves at once", async () => {
  const storage = memoryStorage();
  const channel = `save-${Math.random()}`;
  const { runtime, phone } = start(storage, channel);
  await leading(runtime);
  await sleep(400);
  const settled = storage.writes;
  for (const state of ["Lunch", "Available", "Lunch"]) {
    phone.change(state);
    await sleep(5);
  }
  assert.equal(storage.writes, settled, "nothing is written while the changes keep coming");
  await sleep(400);
  assert.equal(storage.writes, settled + 1, "one write for the burst");
  const [key] = storage.keys();
  assert.equal(JSON.parse(storage.getItem(key)).snapshot.state.omni.statusId, LUNCH);

  phone.change("Available");
  await sleep(20);
  const before = storage.writes;
  runtime.stop();
  assert.equal(storage.writes, before + 1, "stop() writes the waiting change at once");
  runtime.free();
});

test("the next runtime on the same storage restores what was saved", async () => {
  const storage = memoryStorage();
  const channel = `restore-${Math.random()}`;
  const first = start(storage, channel);
  await leading(first.runtime);
  first.phone.change("Lunch");
  await sleep(50);
  first.runtime.stop();
  first.runtime.free();
  const second = start(storage, channel);
  assert.equal(second.runtime.state().omni.statusId, LUNCH, "restored before any read");
  second.runtime.stop();
  second.runtime.free();
});
