// Every error the exported API can be made to throw is an Error with a string `code`
// (and a `details` array): the constructor, handle, loadRules, OmniSync.start with bad
// options, bridges or context, the Runtime's methods while it is busy, reloadRules, and
// the SyncLoop class. The codes are listed in docs/runtime.md ("Errors").
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { OmniSync, SyncLoop } = require("../../pkg/node/omnisync.js");

const RULES = {
  version: 1,
  statuses: [
    { developerName: "Available", online: true },
    { developerName: "Lunch", online: false },
  ],
  telephony: { system: "amazon-connect", states: ["Available", "Lunch"] },
  mappings: { telephonyToOmni: [{ telephony: "Lunch", omni: "Lunch" }] },
  rules: [],
};
const CATALOG = [
  { Id: "0N5Hs0000001AAAAA1", DeveloperName: "Available", MasterLabel: "Available" },
  { Id: "0N5Hs0000002AAAAA2", DeveloperName: "Lunch", MasterLabel: "Lunch" },
];

/** Runs `call`, which must throw an OmniSyncError with `code`; returns the error. */
function throwsCode(call, code) {
  let thrown;
  assert.throws(call, (err) => {
    thrown = err;
    return true;
  });
  assert.ok(thrown instanceof Error, `an Error, not ${thrown}`);
  assert.equal(typeof thrown.code, "string", `a string code: ${thrown.message}`);
  assert.ok(Array.isArray(thrown.details), "a details array");
  assert.equal(thrown.name, "OmniSyncError");
  if (code instanceof RegExp) assert.match(thrown.code, code, thrown.message);
  else assert.equal(thrown.code, code, thrown.message);
  return thrown;
}

const host = () => ({
  subscribe() {},
  setServicePresenceStatus: async () => {},
  login: async () => {},
  getServicePresenceStatusId: async () => null,
  getAgentWorkload: async () => null,
});
const telephony = () => ({ subscribe() {}, setState: async () => {}, getState: async () => null });
let channel = 0;
const options = (more) => ({
  rules: RULES, catalog: CATALOG, host: host(), telephony: telephony(), storage: null, reconcileMs: 0,
  channel: `errors-${channel++}`, ...more,
});

test("the constructor: refused rules, unreadable rules, a bad catalog, a status the org lacks", () => {
  throwsCode(() => new OmniSync({ version: 1 }), "rules.invalid");
  const syntax = throwsCode(() => new OmniSync("{\"version\": "), "rules.invalid");
  assert.equal(syntax.details[0].code, "rules.syntax");
  throwsCode(() => new OmniSync(RULES, { catalog: 5 }), "catalog.invalid");
  throwsCode(() => new OmniSync(RULES, { catalog: CATALOG.slice(0, 1) }), "rules.unknownStatus");
  throwsCode(() => new OmniSync(RULES), "rules.invalid", "no catalog: the statuses need their Ids");
});

test("handle and loadRules: a malformed event, refused rules", () => {
  const engine = new OmniSync(RULES, { catalog: CATALOG });
  throwsCode(() => engine.handle("{"), "event.notAnObject");
  throwsCode(() => engine.handle({ type: "omni.nope" }), /^event\./);
  throwsCode(() => engine.handle({ type: "omni.statusChanged" }), /^event\./);
  throwsCode(() => engine.handle(42), /^event\./);
  throwsCode(() => engine.loadRules({ version: 1, rules: "none" }), "rules.invalid");
  // Nothing changed: the engine still decides.
  const decision = engine.handle({ type: "telephony.stateChanged", newState: "Lunch", at: 10 });
  assert.equal(decision.actions[0].developerName, "Lunch");
});

test("OmniSync.start: bad options, rules, catalog, bridges and context", () => {
  throwsCode(() => OmniSync.start(), "options.invalid");
  throwsCode(() => OmniSync.start("rules"), "options.invalid");
  throwsCode(() => OmniSync.start(options({ rules: { version: 1 } })), "rules.invalid");
  throwsCode(() => OmniSync.start(options({ catalog: "none" })), "catalog.invalid");
  throwsCode(() => OmniSync.start(options({ host: undefined })), "bridge.invalid");
  throwsCode(() => OmniSync.start(options({ telephony: "softphone" })), "bridge.invalid");
  throwsCode(() => OmniSync.start(options({ telephony: { setState: async () => {} } })), "bridge.invalid");
  const throwing = { ...host(), subscribe() { throw new TypeError("not now"); } };
  throwsCode(() => OmniSync.start(options({ host: throwing })), "bridge.failed");
  const hostile = { ...host(), get subscribe() { throw new Error("trap"); } };
  throwsCode(() => OmniSync.start(options({ host: hostile })), "bridge.invalid");
  for (const [context, path] of [
    [{ teams: "Tier 1" }, "$.teams"],
    [{ teams: ["Tier 1", 2] }, "$.teams[1]"],
    [{ userId: 5 }, "$.userId"],
    ["005Hs00000A1b2CAAA", "$"],
    [{ get teams() { throw new Error("trap"); } }, "$"],
  ]) {
    const err = throwsCode(() => OmniSync.start(options({ context })), "context.invalid");
    assert.equal(err.details[0].path, path, err.message);
    assert.equal(err.details[0].code, "context.invalid");
  }
  // A valid one starts.
  OmniSync.start(options({ context: { userId: "005Hs00000A1b2CAAA", teams: ["Tier 1"] } })).stop();
});

test("a Runtime called while it handles an input throws runtime.busy; reloadRules refuses bad rules", () => {
  const seen = [];
  let runtime;
  // The storage's setItem runs while the runtime writes the saved session (here at
  // stop()), inside its state: every method called from there finds it busy.
  const storage = {
    getItem: () => null,
    setItem() {
      for (const call of [() => runtime.state(), () => runtime.metrics(), () => runtime.trace(),
        () => runtime.stats(), () => runtime.reloadRules(RULES)]) {
        try {
          call();
          seen.push("returned");
        } catch (err) {
          seen.push(err);
        }
      }
    },
    removeItem() {},
  };
  runtime = OmniSync.start(options({ storage }));
  throwsCode(() => runtime.reloadRules({ version: 1 }), "rules.invalid");
  runtime.push({ type: "telephony.stateChanged", newState: "Lunch", at: Date.now() });
  runtime.stop();
  assert.equal(seen.length, 5, "setItem ran once, at stop()");
  for (const err of seen) {
    throwsCode(() => { throw err; }, "runtime.busy");
  }
  assert.equal(runtime.isLeader(), false);
});

test("SyncLoop: refused rules, a bad context, a malformed event", () => {
  throwsCode(() => new SyncLoop({ version: 1 }), "rules.invalid");
  throwsCode(() => new SyncLoop(RULES, { catalog: CATALOG, context: { teams: [1] } }), "context.invalid");
  const sync = new SyncLoop(RULES, { catalog: CATALOG });
  throwsCode(() => sync.push({ type: "omni.nope" }, 10), /^event\./);
});

test("the vocabulary comes from the engine", () => {
  const names = OmniSync.eventNames();
  assert.ok(names.includes("omni.statusChanged") && names.includes("telephony.stateChanged"), names.join());
  assert.equal(new Set(names).size, names.length);
  const states = OmniSync.systemStates();
  assert.ok(states.includes("AfterCallWork") && states.includes("Busy"), states.join());
  // Each name is one the engine reads.
  const engine = new OmniSync(RULES, { catalog: CATALOG });
  for (const type of names.filter((n) => n.startsWith("omni.status") || n === "omni.logout")) {
    assert.equal(engine.handle({ type, statusId: CATALOG[0].Id, statusApiName: "Available", at: 1 }).trace().event, type);
  }
});
