// Runs the browser end-to-end tests with node's own test runner and ends with the one
// line CI reads: "N passed, M failed". Exit code 1 when anything failed or nothing ran.
//
//   node e2e/run.mjs [FILE...]      (default: every e2e/*.test.mjs)

import { run } from "node:test";
import { spec } from "node:test/reporters";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const files = process.argv.slice(2).length
  ? process.argv.slice(2).map((f) => path.resolve(f))
  : fs.readdirSync(here).filter((f) => f.endsWith(".test.mjs")).sort().map((f) => path.join(here, f));

let passed = 0;
let failed = 0;
// Browsers and one server per file: files run one after the other, not in parallel.
const stream = run({ files, concurrency: 1 });
stream.on("test:pass", (data) => {
  if (data.details?.type !== "suite" && !data.skip && !data.todo) passed += 1;
});
stream.on("test:fail", (data) => {
  if (data.details?.type !== "suite") failed += 1;
});
const reporter = stream.compose(new spec());
reporter.pipe(process.stdout, { end: false });
// After the reporter's last word (its failure summary), so this is the final line.
reporter.on("end", () => {
  process.stdout.write(`${passed} passed, ${failed} failed\n`);
  process.exitCode = failed || !passed ? 1 : 0;
});
