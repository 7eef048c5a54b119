// The JSON conformance suite through the JavaScript API of the wasm package (node),
// the same scenarios the native and wasm-bindgen tests run: the engine's
// (tests/conformance/*.json, class OmniSync) and the sync loop's
// (tests/conformance/sync/*.json, class SyncLoop; format in tests/common/sync.rs).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { OmniSync, SyncLoop } = require("../../pkg/node/omnisync.js");
const dir = new URL("../../tests/conformance/", import.meta.url);
const syncDir = new URL("sync/", dir);

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

const engineFiles = readdirSync(dir).filter((f) => f.endsWith(".json")).sort();
const syncFiles = readdirSync(syncDir).filter((f) => f.endsWith(".json")).sort();
console.log(`conformance: ${engineFiles.length} engine scenarios, ${syncFiles.length} sync scenarios`);

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
          assert.deepEqual(decision.actions, step.actions ?? [], `step ${i}: actions`);
          if (step.matched) {
            assert.deepEqual(decision.trace.rules.filter((r) => r.matched).map((r) => r.rule), step.matched, `step ${i}: matched`);
          }
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
        if (out) checkOutput(out, step, at);
        if (step.state) subset(step.state, sync.state(), `${at} state`);
        if (step.stats) subset(step.stats, sync.stats(), `${at} stats`);
        if (step.metrics) subset(step.metrics, sync.metrics(step.metricsAt ?? step.at), `${at} metrics`);
      });
    });
  }
});
