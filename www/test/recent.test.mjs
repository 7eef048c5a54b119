// `recent(limit)`: the decisions an engine keeps for a panel to read, whichever entry
// point made them (`handle`, `handleFields` through `feed`).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { feed } from "../events.js";

const require = createRequire(import.meta.url);
const { OmniSync } = require("../../pkg/node/omnisync.js");

const LUNCH = "0N5Hs0000002AAAAA2";
const AVAILABLE = "0N5Hs0000001AAAAA1";
const rules = {
  version: 1,
  statuses: [{ id: AVAILABLE, developerName: "Available", online: true }, { id: LUNCH, developerName: "Lunch", online: false }],
  telephony: { system: "amazon-connect", states: ["Available", "Lunch"] },
  mappings: { telephonyToOmni: [{ telephony: "Lunch", omni: "Lunch" }, { telephony: "Available", omni: "Available" }] },
  rules: [],
};
const phone = (state, at) => ({ type: "telephony.stateChanged", newState: state, at });

test("recent keeps the last 50 decisions, oldest first, each as the runtime's trace shows it", () => {
  const omni = new OmniSync(rules);
  assert.deepEqual(omni.recent(), []);
  for (let at = 1; at <= 60; at++) {
    const state = at % 2 ? "Lunch" : "Available";
    if (at % 3) feed(omni, phone(state, at));
    else omni.handle(phone(state, at));
  }
  const all = omni.recent();
  assert.equal(all.length, 50);
  assert.deepEqual(all.map((d) => d.trace.at), Array.from({ length: 50 }, (_, i) => i + 11));
  const last = omni.recent(2);
  assert.deepEqual(last, all.slice(-2));
  assert.equal(last[1].trace.event, "telephony.stateChanged");
  assert.equal(last[1].actions[0].developerName, "Available");
  assert.equal(last[1].trace.rules[0].rule, last[1].actions[0].rule);
  assert.equal(last[1].trace.rules[0].matched, true);
  assert.equal(omni.recent(0).length, 0);
});

test("a refused event leaves no decision; new rules start a new list; a bad limit throws", () => {
  const omni = new OmniSync(rules);
  feed(omni, phone("Lunch", 1));
  assert.throws(() => feed(omni, { type: "telephony.stateChanged", newState: 5 }), { code: "event.invalidField" });
  assert.equal(omni.recent().length, 1);
  omni.loadRules(rules);
  assert.deepEqual(omni.recent(), []);
  for (const bad of [-1, 1.5, "2", {}]) assert.throws(() => omni.recent(bad), { code: "options.invalid" });
});
