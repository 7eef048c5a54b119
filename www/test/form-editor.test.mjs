// The form editor's parts that need no page: the lists it offers come from the rules
// schema, the morning it simulates is made of events the engine reads, and the demo
// reads a catalog in the shapes the engine does.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { schemaLists } from "../editor/form-editor.js";
import { morningOf } from "../editor/morning.js";
import { catalogRecords } from "../demo/org-panel.js";

const read = (file) => JSON.parse(readFileSync(new URL(`../../${file}`, import.meta.url), "utf8"));
const schema = read("schema/rules.schema.json");
const { OmniSync } = createRequire(import.meta.url)("../../pkg/node/omnisync.js");
const catalog = catalogRecords(read("examples/org-statuses.json"), "org-statuses.json");

test("the picklists are the schema's triggers, operands, comparators and actions", () => {
  const lists = schemaLists(schema);
  assert.deepEqual(lists.triggers, schema.$defs.EventKind.enum);
  assert.deepEqual(lists.operands, schema.$defs.Operand.enum);
  assert.deepEqual(lists.comparators, schema.$defs.Comparator.enum);
  assert.ok(lists.actions.includes("setOmniStatus") && lists.actions.includes("setTelephonyState"), String(lists.actions));
  assert.equal(lists.actionValue("setOmniStatus"), "");
  // A kind the schema types otherwise gets a value of that type, not a string.
  const widened = structuredClone(schema);
  widened.$defs.ActionDef.oneOf.push({ type: "object", properties: { stop: { type: "boolean" } }, required: ["stop"] });
  assert.equal(schemaLists(widened).actionValue("stop"), true);
});

test("the morning made from the CTI four-row rules runs through the engine and acts", () => {
  const rules = read("examples/cti-four-row.json");
  const engine = new OmniSync(rules, { catalog });
  const events = morningOf(rules, catalog);
  assert.ok(events.length >= 5, `${events.length} events`);
  const start = new Date(events[0].at);
  assert.deepEqual([start.getHours(), start.getMinutes()], [8, 0]);
  const actions = events.flatMap((event) => engine.handle(event).actions);
  assert.ok(actions.some((a) => a.type === "setOmniStatus" && a.developerName === "Working_Phone"), JSON.stringify(actions));
  assert.ok(actions.some((a) => a.type === "setTelephonyState" && a.state === "Working - Media"), JSON.stringify(actions));
});

test("a catalog is read as a list, {records} or sf data query --json output", () => {
  const records = [{ Id: "0N5Hs0000001AvlKAE", DeveloperName: "Available", MasterLabel: "Available", attributes: {} }];
  const want = [{ Id: "0N5Hs0000001AvlKAE", DeveloperName: "Available", MasterLabel: "Available" }];
  assert.deepEqual(catalogRecords(records, "a"), want);
  assert.deepEqual(catalogRecords({ records }, "b"), want);
  assert.deepEqual(catalogRecords({ status: 0, result: { records } }, "c"), want);
  assert.throws(() => catalogRecords({ statuses: [] }, "d.json"), /d\.json is not a status catalog/);
});

test("new OmniSync(rules, {catalog, context}): a team-scoped rule acts for the team only", () => {
  const rules = {
    version: 1,
    statuses: [{ developerName: "Available" }, { developerName: "Lunch", online: false }],
    telephony: { system: "softphone", states: ["Available", "Lunch"] },
    rules: [{
      name: "Tier 2 lunch", on: "telephony.stateChanged", scope: { teams: ["Tier 2"] },
      if: { left: "telephony.newState", op: "eq", right: { value: "Lunch" } },
      then: [{ setOmniStatus: "Lunch" }],
    }],
  };
  const event = { type: "telephony.stateChanged", oldState: "Available", newState: "Lunch", at: 1 };
  const outcome = (options) => {
    const decision = new OmniSync(rules, { catalog, ...options }).handle(event);
    const trace = typeof decision.trace === "function" ? decision.trace() : decision.trace;
    return [decision.actions.length, trace.rules[0].outcome];
  };
  assert.deepEqual(outcome({}), [0, "outOfScope"]);
  assert.deepEqual(outcome({ context: { teams: ["Tier 1"] } }), [0, "outOfScope"]);
  assert.deepEqual(outcome({ context: { teams: ["Tier 2"] } }), [1, "emitted"]);
  assert.throws(() => new OmniSync(rules, { catalog, context: { teams: "Tier 2" } }),
    (err) => err.code === "context.invalid" && err.details[0].path === "$.teams");
});
