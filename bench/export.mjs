// Prints the benchmark's rule set and trace for `cargo bench --bench engine`
// (benches/engine.rs), so the native core runs exactly what the JavaScript benchmark
// runs: line 1 is the rules file, then one event per line as "AT<TAB>JSON".
//
//   node bench/export.mjs [EVENTS]      (default 100000)

import { omnisyncRules } from "./rules.mjs";
import { events } from "./trace.mjs";

const count = Number(process.argv[2] ?? 100_000);
if (!Number.isInteger(count) || count < 1) {
  console.error("usage: node bench/export.mjs [EVENTS]");
  process.exit(2);
}
const lines = [JSON.stringify(omnisyncRules())];
for (const event of events(count)) lines.push(`${event.at}\t${JSON.stringify(event)}`);
process.stdout.write(`${lines.join("\n")}\n`);
