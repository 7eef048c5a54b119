// The JSON conformance suite through the JavaScript API of the wasm package (node),
// the same scenarios the native and wasm-bindgen tests run.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { OmniSync } = require("../../pkg/node/omnisync.js");
const dir = new URL("../../tests/conformance/", import.meta.url);

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

for (const file of readdirSync(dir).filter((f) => f.endsWith(".json")).sort()) {
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
            assert.deepEqual(decision.trace().rules.filter((r) => r.matched).map((r) => r.rule), step.matched, `step ${i}: matched`);
          }
        }
      }
      if (step.state) subset(step.state, sync.state(), `step ${i} state`);
      if (step.metrics) subset(step.metrics, sync.metrics(step.metricsAt), `step ${i} metrics`);
    });
  });
}
