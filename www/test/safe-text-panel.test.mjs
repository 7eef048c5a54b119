// The Salesforce panel cannot import www/safe-text.js, so it keeps a copy of visible():
// the two must give the same answer for every character class they handle.
import { test } from "node:test";
import assert from "node:assert/strict";
import { visible } from "../safe-text.js";
import { visible as panelVisible, visibleDeep } from "../../lwc-wrapper/core/main/default/lwc/omniSyncPanel/safeText.js";

const SAMPLES = ["Lunch", "\u202EhcnuL", "Break\u0000", "a\u2066b\u2069", "\u200Fx\u061C", "tab\tok\nline", "\u007F\u0085\u009F", "", null, undefined, 42];

test("the panel's visible() answers as www/safe-text.js does", () => {
  for (const sample of SAMPLES) assert.equal(panelVisible(sample), visible(sample), JSON.stringify(sample));
  for (let code = 0; code < 0x2100; code++) {
    const ch = String.fromCodePoint(code);
    assert.equal(panelVisible(ch), visible(ch), `U+${code.toString(16)}`);
  }
});

test("visibleDeep makes every string of a state message visible, numbers and keys untouched", () => {
  const message = { kind: "state", state: { omni: { label: "\u202EhcnuL", since: 5 }, telephony: { state: "A\u0000" } }, trace: [{ rule: "r\u202E" }] };
  const shown = visibleDeep(message);
  assert.equal(shown.state.omni.label, "[U+202E]hcnuL");
  assert.equal(shown.state.omni.since, 5);
  assert.equal(shown.state.telephony.state, "A[U+0000]");
  assert.equal(shown.trace[0].rule, "r[U+202E]");
  assert.equal(shown.kind, "state");
});
