// Every field the UserServicePresence object documents is present in the records
// `SyncLoop.metrics(now)` returns, with the object's type: int (whole seconds), double,
// boolean, string, reference (a Salesforce Id), dateTime (ISO 8601). StatusDuration is
// set only when the status ended, as StatusEndDate - StatusStartDate in seconds.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { SyncLoop } = require("../../pkg/node/omnisync.js");

/** UserServicePresence's fields: type, and whether the object allows null. */
const FIELDS = {
  AtCapacityDuration: ["int", true],
  AverageCapacity: ["double", true],
  ConfiguredCapacity: ["int", true],
  ConfiguredInterruptCapacity: ["int", true],
  IdleDuration: ["int", true],
  IsAway: ["boolean", false],
  IsCurrentState: ["boolean", false],
  Name: ["string", true],
  OwnerId: ["reference", false],
  ServicePresenceStatusId: ["reference", true],
  StatusDuration: ["int", true],
  StatusEndDate: ["dateTime", true],
  StatusStartDate: ["dateTime", true],
  UserId: ["reference", false],
};

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const ID = /^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/;
const IS = {
  int: (v) => Number.isInteger(v) && v >= 0,
  double: (v) => typeof v === "number" && Number.isFinite(v),
  boolean: (v) => typeof v === "boolean",
  string: (v) => typeof v === "string",
  reference: (v) => typeof v === "string" && ID.test(v),
  dateTime: (v) => typeof v === "string" && ISO.test(v) && !Number.isNaN(Date.parse(v)),
};

const AVAILABLE = "0N5Hs0000001AvlKAE";
const LUNCH = "0N5Hs0000004LunKAE";
const rules = {
  version: 1,
  statuses: [
    { id: AVAILABLE, developerName: "Available", online: true },
    { id: LUNCH, developerName: "Lunch", online: false },
  ],
  telephony: { system: "amazon-connect", states: ["Available", "Lunch"] },
  rules: [],
};

test("sync.metrics(now) returns UserServicePresence records, every field with its type", () => {
  const t0 = Date.UTC(2026, 10, 30, 9, 0, 0, 250);
  const sync = new SyncLoop(rules, { context: { userId: "005Hs00000A1b2CAAA" } });
  sync.start(t0);
  sync.read({
    getServicePresenceStatusId: { statusId: AVAILABLE, statusApiName: "Available" },
    getAgentWorkload: { configuredCapacity: 5, currentWorkload: 0 },
    getState: "Available",
  }, t0);
  sync.push({ type: "omni.workloadChanged", configuredCapacity: 5, previousWorkload: 0, newWorkload: 5 }, t0 + 30_000);
  sync.push({ type: "omni.statusChanged", statusId: LUNCH, statusApiName: "Lunch" }, t0 + 90_700);
  const { records } = sync.metrics(t0 + 120_000);
  assert.equal(records.length, 2);
  for (const record of records) {
    for (const [field, [type, nillable]] of Object.entries(FIELDS)) {
      if (field === "StatusDuration" && record.IsCurrentState) {
        assert.ok(!(field in record), "StatusDuration is absent while the status runs");
        continue;
      }
      assert.ok(field in record, `${field} is present`);
      const value = record[field];
      assert.ok((nillable && value === null) || IS[type](value), `${field}: ${JSON.stringify(value)} is not ${type}`);
    }
  }
  const [ended, current] = records;
  assert.equal(ended.StatusStartDate, "2026-11-30T09:00:00Z");
  assert.equal(ended.StatusEndDate, "2026-11-30T09:01:30Z");
  assert.equal(ended.StatusDuration, (Date.parse(ended.StatusEndDate) - Date.parse(ended.StatusStartDate)) / 1000);
  assert.equal(ended.IdleDuration, 30);
  // 60.7 s at capacity: durations are rounded down, as the whole-second dates are, so
  // no part of a period is longer than StatusDuration.
  assert.equal(ended.AtCapacityDuration, 60);
  assert.equal(ended.ConfiguredCapacity, 5);
  assert.equal(ended.ConfiguredInterruptCapacity, null);
  assert.equal(ended.UserId, "005Hs00000A1b2CAAA");
  assert.equal(ended.OwnerId, "005Hs00000A1b2CAAA");
  // The status of each record is the one the agent was in, by its org Id.
  assert.deepEqual(records.map((r) => r.ServicePresenceStatusId), [AVAILABLE, LUNCH]);
  assert.equal(ended.StatusStartDate, records[0].StatusStartDate);
  assert.equal(current.StatusStartDate, ended.StatusEndDate, "the next record starts when the last ended");
  assert.equal(ended.IsCurrentState, false);
  assert.equal(current.StatusEndDate, null);
  assert.equal(current.IsCurrentState, true);
  assert.equal(current.IsAway, true);
});
