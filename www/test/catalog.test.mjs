// OmniSync.start with the org's status catalog: rules naming statuses only act with
// the org's Ids, reloads resolve against the same catalog, a missing name stops the
// start with an Error naming it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { setTimeout as sleep } from "node:timers/promises";
import { createOmni, hostBridge } from "../demo/sim/omni.js";
import { createPhone, telephonyBridge } from "../demo/sim/phone.js";

const require = createRequire(import.meta.url);
const { OmniSync } = require("../../pkg/node/omnisync.js");
const read = (path) => JSON.parse(readFileSync(new URL(`../../${path}`, import.meta.url), "utf8"));
// The default rules ship without Ids; the production fixture is an `sf data query --json` export.
const rules = read("www/demo/default-rules.json");
const production = read("tests/fixtures/catalog/production.json");
const withoutLunch = read("tests/fixtures/catalog/without-lunch.json");
const idOf = (catalog, name) => catalog.result.records.find((r) => r.DeveloperName === name).Id;

/** The fake Omni-Channel (www/demo/sim/) with the org's records; its status writes recorded. */
function systems() {
  const writes = [];
  const omni = createOmni({
    statuses: production.result.records.map((r) => ({ id: r.Id, developerName: r.DeveloperName, label: r.MasterLabel })),
    statusId: idOf(production, "Available"),
  });
  const bridge = hostBridge(omni);
  const phone = createPhone({ state: "Available" });
  return {
    writes,
    host: {
      ...bridge,
      setServicePresenceStatus: async (statusId) => {
        writes.push(statusId);
        return bridge.setServicePresenceStatus(statusId);
      },
    },
    telephony: telephonyBridge(phone),
    agentPhone: (newState) => phone.change(newState),
  };
}

async function leading(runtime) {
  for (let i = 0; i < 40 && !runtime.isLeader(); i++) await sleep(100);
  assert.ok(runtime.isLeader(), "the only tab leads");
}

test("start with the org's records sends the org's Id for a status named in the rules", async () => {
  const s = systems();
  const runtime = OmniSync.start({
    rules, catalog: production.result.records, host: s.host, telephony: s.telephony, reconcileMs: 0, channel: "cat1",
  });
  await leading(runtime);
  s.agentPhone("Lunch");
  await sleep(50);
  // production.json exports 15-character Ids: the engine sends the 18-character form.
  assert.deepEqual(s.writes.map((id) => id.slice(0, 15)), [idOf(production, "Lunch")]);
  assert.equal(s.writes[0].length, 18);
  // Reloaded rules are resolved against the same catalog.
  runtime.reloadRules(JSON.stringify(rules));
  s.agentPhone("Available");
  s.agentPhone("Break");
  await sleep(50);
  assert.equal(s.writes.at(-1).slice(0, 15), idOf(production, "Break"));
  runtime.stop();
});

test("a status the org lacks stops the start with rules.unknownStatus naming it", () => {
  const s = systems();
  assert.throws(
    () => OmniSync.start({ rules, catalog: withoutLunch, host: s.host, telephony: s.telephony, reconcileMs: 0, channel: "cat2" }),
    (err) => err instanceof Error && err.code === "rules.unknownStatus" && /"Lunch"/.test(err.message)
      && err.details.some((d) => d.path === "$.statuses[2].developerName"),
  );
});

test("the constructor takes the catalog as its second argument", () => {
  const engine = new OmniSync(rules, { catalog: production });
  const { actions } = engine.handle({ type: "telephony.stateChanged", newState: "Lunch", at: 1 });
  assert.equal(actions[0].statusId.slice(0, 15), idOf(production, "Lunch"));
  assert.throws(() => new OmniSync(rules), (err) => err.code === "rules.invalid"
    && err.details.every((d) => d.code === "rules.missingStatusId"));
});
