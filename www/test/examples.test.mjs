// Every example the README offers runs: the walkthrough replays its shift through the
// built engine (pkg/node) and prints the decisions an admin reads in docs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const walkthrough = fileURLToPath(new URL("../../examples/walkthrough.mjs", import.meta.url));

test("examples/walkthrough.mjs runs and prints the shift's decisions", () => {
  const out = execFileSync(process.execPath, [walkthrough], { encoding: "utf8" });
  assert.match(out, /omni\.workloadChanged\s+phone -> Busy on Omni\s+\[At capacity: phone busy \(emitted\)\]/);
  assert.match(out, /telephony\.stateChanged\s+Omni -> Lunch/);
  assert.match(out, /refused: event\.invalidNumber: \$\.newWorkload/);
  assert.match(out, /Presence records/);
});
