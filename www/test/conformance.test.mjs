// The JSON conformance suite through the JavaScript API of the wasm package (node),
// the same scenarios the native and wasm-bindgen tests run: the engine's
// (tests/conformance/*.json, class OmniSync), the sync loop's
// (tests/conformance/sync/*.json, class SyncLoop; format in tests/common/sync.rs) and
// the tab's (tests/conformance/tabs/*.json, class Tab; format in tests/common/tabs.rs).
// `Tab` is exported by the test build only (pkg/test-node: `scripts/build-wasm.sh
// --test`), the same code as the shipped pkg/node plus that class.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";

import { EVENT_FIELDS, feed } from "../events.js";

const require = createRequire(import.meta.url);
const { OmniSync, SyncLoop } = require("../../pkg/node/omnisync.js");
const { Tab } = require("../../pkg/test-node/omnisync.js");
const dir = new URL("../../tests/conformance/", import.meta.url);
const syncDir = new URL("sync/", dir);
const tabsDir = new URL("tabs/", dir);

/** `want` is contained in `got`: listed keys, same-length arrays, numbers within 1e-9. */
function subset(want, got, path) {
  if (Array.isArray(want)) {
    assert.ok(Array.isArray(got) && got.length === want.length, `${path}: length`);
    want.forEach((w, i) => subset(w, got[i], `${path}[${i}]`));
  } else if (want !== null && typeof want === "object") {
    assert.ok(got !== null && typeof got === "object", `${path}: not an object`);
    for (const [k, v] of Object.entries(want)) subset(v, got[k] ?? null, `${path}.${k}`);
  } else if (typeof want === "number") {
    assert.ok(typeof got === "number" && Math.abs(want - got) <= 1e-9, `${path}: want ${want}, got ${got}`);
  } else {
    assert.deepEqual(got, want, path);
  }
}

const key = (d) => `${d.code} ${d.path}`;

/** What crossed from wasm while the scenarios ran, checked against the d.ts at the end. */
const crossed = { actions: [], commands: [], steps: [] };

const engineFiles = readdirSync(dir).filter((f) => f.endsWith(".json")).sort();
const syncFiles = readdirSync(syncDir).filter((f) => f.endsWith(".json")).sort();
const tabsFiles = readdirSync(tabsDir).filter((f) => f.endsWith(".json")).sort();
console.log(`conformance: ${engineFiles.length} engine scenarios, ${syncFiles.length} sync scenarios, ${tabsFiles.length} tab scenarios`);

for (const file of engineFiles) {
  test(file, () => {
    const scenario = JSON.parse(readFileSync(new URL(file, dir), "utf8"));
    if (scenario.rulesErrors) {
      assert.throws(() => new OmniSync(scenario.rules), (err) => {
        assert.equal(err.code, "rules.invalid");
        assert.deepEqual(err.details.map(key).sort(), scenario.rulesErrors.map(key).sort());
        return true;
      });
      return;
    }
    const sync = new OmniSync(scenario.rules);
    scenario.steps.forEach((step, i) => {
      if (step.event !== undefined) {
        const before = sync.state();
        if (step.error) {
          assert.throws(() => sync.handle(step.event), (err) => err.code === step.error, `step ${i}`);
          assert.deepEqual(sync.state(), before, `step ${i}: a refused event changed the state`);
        } else {
          const decision = sync.handle(step.event);
          crossed.actions.push(...decision.actions);
          assert.deepEqual(decision.actions, step.actions ?? [], `step ${i}: actions`);
          if (step.matched) {
            assert.deepEqual(decision.trace().rules.filter((r) => r.matched).map((r) => r.rule), step.matched, `step ${i}: matched`);
          }
        }
      }
      if (step.state) subset(step.state, sync.state(), `step ${i} state`);
      if (step.metrics) subset(step.metrics, sync.metrics(step.metricsAt), `step ${i} metrics`);
    });
  });
}

test("feed numbers the event kinds as OmniSync.eventNames() orders them", () => {
  assert.deepEqual(EVENT_FIELDS.map(([name]) => name), OmniSync.eventNames());
});

// The same scenarios with each event given as plain values (`feed` -> `handleFields`):
// the same actions, the same refusals, the same state, the matched rules from `recent`.
for (const file of engineFiles) {
  const scenario = JSON.parse(readFileSync(new URL(file, dir), "utf8"));
  if (scenario.rulesErrors) continue;
  test(`${file}, events as plain values`, () => {
    const sync = new OmniSync(scenario.rules);
    scenario.steps.forEach((step, i) => {
      if (step.event !== undefined) {
        const before = sync.state();
        if (step.error) {
          assert.throws(() => feed(sync, step.event), (err) => err.code === step.error, `step ${i}`);
          assert.deepEqual(sync.state(), before, `step ${i}: a refused event changed the state`);
        } else {
          const actions = feed(sync, step.event);
          assert.deepEqual(actions ?? [], step.actions ?? [], `step ${i}: actions`);
          assert.ok(actions === undefined || actions.every(Object.isFrozen), `step ${i}: shared actions are frozen`);
          const [last] = sync.recent(1);
          assert.deepEqual(last.actions, step.actions ?? [], `step ${i}: recent actions`);
          if (step.matched) assert.deepEqual(last.trace.rules.map((r) => r.rule), step.matched, `step ${i}: matched`);
        }
      }
      if (step.state) subset(step.state, sync.state(), `step ${i} state`);
      if (step.metrics) subset(step.metrics, sync.metrics(step.metricsAt), `step ${i} metrics`);
    });
  });
}

/** Checks one step's output `{commands, decisions, log, wakeAt}` against the step. */
function checkOutput(out, step, at) {
  assert.deepEqual(out.commands, step.commands ?? [], `${at}: commands (log ${JSON.stringify(out.log)})`);
  if (step.log) assert.deepEqual(out.log.map((l) => l.kind), step.log, `${at}: log kinds`);
  for (const text of step.logIncludes ?? []) {
    assert.ok(out.log.some((l) => l.message.includes(text)), `${at}: no log message contains ${text}`);
  }
  if (step.matched) {
    const matched = out.decisions.flatMap((d) => d.trace.rules.filter((r) => r.matched).map((r) => r.rule));
    assert.deepEqual(matched, step.matched, `${at}: matched`);
  }
  if ("wakeAt" in step) assert.equal(out.wakeAt, step.wakeAt, `${at}: wakeAt`);
}

describe(`sync scenarios (${syncFiles.length})`, () => {
  test("at least 20 sync scenarios", () => assert.ok(syncFiles.length >= 20));
  for (const file of syncFiles) {
    test(file, () => {
      const scenario = JSON.parse(readFileSync(new URL(file, syncDir), "utf8"));
      assert.equal(scenario.kind, "sync");
      const sync = new SyncLoop(scenario.rules, scenario.options ?? {});
      scenario.steps.forEach((step, i) => {
        const at = `step ${i}`;
        let out = null;
        if (step.start) out = sync.start(step.at);
        else if (step.read) out = sync.read(step.read, step.at);
        else if (step.reply) out = sync.reply(step.reply.id, step.reply.error ?? null, step.at);
        else if (step.tick) out = sync.tick(step.at);
        else if (step.error) {
          const before = sync.state();
          assert.throws(() => sync.push(step.event, step.at), (err) => err.code === step.error, at);
          assert.deepEqual(sync.state(), before, `${at}: a refused event changed the state`);
        } else out = sync.push(step.event, step.at);
        if (out) crossed.commands.push(...out.commands);
        if (out) checkOutput(out, step, at);
        if (step.state) subset(step.state, sync.state(), `${at} state`);
        if (step.stats) subset(step.stats, sync.stats(), `${at} stats`);
        if (step.metrics) subset(step.metrics, sync.metrics(step.metricsAt ?? step.at), `${at} metrics`);
      });
    });
  }
});

/** Checks one tab step `{commands, reads, notify, timers, save?, results, trace}` against the step. */
function checkStep(out, step, at) {
  assert.deepEqual(out.commands, step.commands ?? [], `${at}: commands (trace ${JSON.stringify(out.trace)})`);
  for (const field of ["reads", "notify", "timers", "results"]) {
    if (field in step) assert.deepEqual(out[field], step[field], `${at}: ${field}`);
  }
  if (step.save === "write") assert.equal(typeof out.save?.write, "string", `${at}: save`);
  else if ("save" in step) assert.deepEqual(out.save, step.save, `${at}: save`);
  if (step.trace) assert.deepEqual(out.trace.map((l) => l.kind), step.trace, `${at}: trace kinds`);
  for (const text of step.traceIncludes ?? []) {
    assert.ok(out.trace.some((l) => l.message.includes(text)), `${at}: no trace message contains ${text}`);
  }
}

describe(`tab scenarios (${tabsFiles.length})`, () => {
  for (const file of tabsFiles) {
    test(file, () => {
      const scenario = JSON.parse(readFileSync(new URL(file, tabsDir), "utf8"));
      assert.equal(scenario.kind, "tabs");
      const names = scenario.tabs ?? ["a"];
      const tabs = new Map(names.map((name) => [name, new Tab(scenario.rules, scenario.options ?? {})]));
      scenario.steps.forEach((step, i) => {
        const name = step.tab ?? names[0];
        const at = `step ${i}: tab ${name}`;
        const tab = tabs.get(name);
        if (step.error) {
          assert.throws(() => tab.call(step.call, step.at), (err) => err.message.includes(step.error), at);
        } else {
          const out = tab.call(step.call, step.at);
          crossed.steps.push(out);
          checkStep(out, step, at);
        }
        if ("leads" in step) assert.equal(tab.isLeader(), step.leads, `${at}: leads`);
        if (step.state) subset(step.state, tab.state(), `${at} state`);
      });
      for (const tab of tabs.values()) tab.free();
    });
  }
});

/** The members of the union type `name` in the d.ts the binding generates: tag -> fields. */
function unionMembers(dts, name) {
  const body = dts.match(new RegExp(`export type ${name} =([\\s\\S]*?);\\n`))?.[1];
  assert.ok(body, `no type ${name} in the d.ts`);
  return new Map([...body.matchAll(/\{([^}]*)\}/g)].map(([, fields]) => [
    fields.match(/type: "(\w+)"/)[1],
    [...fields.matchAll(/(\w+)\??:/g)].map(([, k]) => k).sort(),
  ]));
}

/** The fields of the interface `name` in the d.ts: name -> optional. */
function interfaceFields(dts, name) {
  const body = dts.match(new RegExp(`export interface ${name} \\{([\\s\\S]*?)\\n\\}`))?.[1];
  assert.ok(body, `no interface ${name} in the d.ts`);
  return new Map([...body.matchAll(/(\w+)(\?)?: /g)].map(([, k, optional]) => [k, !!optional]));
}

test("the TypeScript types (TS_TYPES) list exactly the fields that cross", () => {
  const dts = readFileSync(new URL("../../pkg/node/omnisync.d.ts", import.meta.url), "utf8");
  for (const [name, seen] of [["Action", crossed.actions], ["SyncCommand", crossed.commands]]) {
    const members = unionMembers(dts, name);
    const tags = new Set(seen.map((value) => value.type));
    assert.deepEqual([...tags].sort(), [...members.keys()].sort(), `${name}: every member crossed`);
    for (const value of seen) {
      assert.deepEqual(Object.keys(value).sort(), members.get(value.type), `${name} ${JSON.stringify(value)}`);
    }
  }
  const fields = interfaceFields(dts, "TabStep");
  assert.ok(crossed.steps.length > 0);
  for (const step of crossed.steps) {
    for (const k of Object.keys(step)) assert.ok(fields.has(k), `TabStep lacks ${k}`);
    for (const [k, optional] of fields) assert.ok(optional || k in step, `a step lacks ${k}`);
  }
});
