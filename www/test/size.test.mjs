// The size check: what the agent's browser downloads (wasm + glue + shim, gzip -9) must
// stay within bench/size-budget.json. Bytes, not time: the same build gives the same
// answer on any machine. A ceiling only: a bundle that shrinks passes (lower the
// budget in the same commit to keep the gain).
import { test } from "node:test";
import assert from "node:assert/strict";
import { BUDGET, shippedSizes } from "../../bench/size.mjs";

test("wasm + glue + shim stay within the size budget (gzip -9)", () => {
  const { rows, totalGzipBytes } = shippedSizes();
  const table = rows.map((r) => `${r.file} ${r.gzipBytes}`).join(", ");
  assert.ok(
    totalGzipBytes <= BUDGET.budgetGzipBytes,
    `${totalGzipBytes} gzip bytes (${table}) is over the budget of ${BUDGET.budgetGzipBytes}`,
  );
  const target = totalGzipBytes <= BUDGET.targetGzipBytes ? "met" : "not met";
  console.log(`size: ${totalGzipBytes} gzip -9 bytes; budget ${BUDGET.budgetGzipBytes}; target ${BUDGET.targetGzipBytes} ${target}`);
});
