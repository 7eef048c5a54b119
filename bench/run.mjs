#!/usr/bin/env node
// npm run bench: omnisync's handle() against json-rules-engine and json-logic-js on one
// rule set and one trace, the runtime path (OmniSync.start) event to command, cold
// start, size and memory. Prints a table, writes bench/results.json and
// docs/performance.md (see docs/performance.md for the method).
//
//   node bench/run.mjs [--events N] [--cold-runs N] [--passes N] [--no-browser] [--native]
//                      [--before DIR] [--repeat-runs N]
//
// --before DIR measures another build too (DIR holds its pkg: node/ and web/), in the
// same passes and the same browser: the before/after rows of docs/performance.md.
// --repeat-runs N: primed profiles for the repeat load (default 10; bench/repeat.mjs
// runs it alone, with V8 flags for experiments).
//
// Exit code 0 when the three engines made the same decisions, 1 when they did not (the
// numbers are still measured and written, marked equivalent: false), 2 on a usage error.
// Missed performance targets are reported, not failed: this is a measurement.

import { spawnSync } from "node:child_process";
import { BASE_RULE_COUNT, omnisyncRules } from "./rules.mjs";
import { SEED, makeTrace, mix } from "./trace.mjs";
import { ROOT, checkEquivalence, engines, runtimeLatency, sizes, throughput, traceLast20, wasmMemory } from "./node.mjs";
import { shippedSizes } from "./size.mjs";
import { functions, profile } from "./wasm-profile.mjs";
import fs from "node:fs";
import path from "node:path";
import { textTable, resultsJson, writeOutputs } from "./report.mjs";

function options(argv) {
  const opts = { events: 100_000, coldRuns: 20, passes: 5, browser: true, native: false, before: null, repeatRuns: 10 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const number = () => {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n < 1) usage(`${arg} needs a positive integer`);
      return n;
    };
    if (arg === "--events") opts.events = number();
    else if (arg === "--cold-runs") opts.coldRuns = number();
    else if (arg === "--passes") opts.passes = number();
    else if (arg === "--repeat-runs") opts.repeatRuns = number();
    else if (arg === "--no-browser") opts.browser = false;
    else if (arg === "--native") opts.native = true;
    else if (arg === "--before") opts.before = argv[++i] ?? usage("--before needs a directory");
    else usage(`unknown option ${arg}`);
  }
  return opts;
}

function usage(message) {
  console.error(`${message}\nusage: node bench/run.mjs [--events N] [--cold-runs N] [--passes N] [--no-browser] [--native] [--before DIR] [--repeat-runs N]`);
  process.exit(2);
}

const step = (what) => console.error(`... ${what}`);

/** The native rows: runs cargo bench and keeps the lines of its table. */
function native() {
  step("cargo bench --bench engine");
  const run = spawnSync("cargo", ["bench", "--bench", "engine"], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  if (run.status !== 0) throw new Error(`cargo bench failed (${run.status})`);
  return run.stdout.split("\n").slice(1)
    .map((line) => line.match(/^(.+?)\s{2,}(\d+)\s+\d+$/))
    .filter(Boolean)
    .map(([, what, rate]) => [what, Number(rate).toLocaleString("en-US")]);
}

async function main() {
  const opts = options(process.argv.slice(2));
  const file = omnisyncRules();
  step(`generating ${opts.events.toLocaleString("en-US")} events (seed ${SEED}), ${BASE_RULE_COUNT} rules`);
  const trace = makeTrace(opts.events);
  const list = engines(file, opts.before);

  step("checking that the three engines make the same decisions");
  const equivalence = await checkEquivalence(list, trace, file);
  console.log(`equivalent: ${equivalence.equivalent}`);
  if (!equivalence.equivalent) {
    console.log("first difference:", JSON.stringify(equivalence.firstDifference, null, 2));
  }

  const rates = await throughput(list, trace, opts.passes, step);
  step("the last 20 decisions read against handling 20 events");
  const last20 = traceLast20(file, trace, opts.passes);
  step("the runtime path in node: OmniSync.start, event to command");
  const runtime = await runtimeLatency(file, trace);
  step("wasm memory over 1,000,000 events");
  const memory = await wasmMemory(file);
  step("sizes");
  const size = sizes();
  // Code bytes by group, from the release wasm scripts/build-wasm.sh left behind.
  const wasmFile = path.join(ROOT, "target/wasm32-unknown-unknown/wasm/omnisync_wasm.wasm");
  const codeProfile = fs.existsSync(wasmFile) ? profile(functions(fs.readFileSync(wasmFile))) : null;
  let chromium = null;
  if (opts.browser) {
    step(`headless Chromium: latency, then ${opts.coldRuns} cold starts`);
    const { chromiumBench, repeatBench } = await import("./browser.mjs");
    chromium = await chromiumBench({ events: opts.events, coldRuns: opts.coldRuns, before: opts.before });
    step(`headless Chromium: ${opts.repeatRuns} repeat loads, each in its own primed profile`);
    chromium.repeat = await repeatBench({ runs: opts.repeatRuns });
  }
  const before = opts.before ? { dir: opts.before, size: shippedSizes(opts.before) } : null;

  const measured = {
    events: opts.events, seed: SEED, ruleCount: BASE_RULE_COUNT, mix: mix(trace), equivalence, passes: opts.passes,
    throughput: rates, last20,
    ratios: { handleVsJsonRulesEngine: rates.handle / rates.jsonRulesEngine, handleVsJsonLogic: rates.handle / rates.jsonLogic,
      eventsVsJsonLogic: rates.events / rates.jsonLogic, eventsVsJsonRulesEngine: rates.events / rates.jsonRulesEngine,
      eventsTraceReadVsJsonLogic: rates.eventsTraceRead / rates.jsonLogic,
      handleTraceReadVsJsonLogic: rates.handleTraceRead / rates.jsonLogic, traceLast20VsHandle20: last20.ratio },
    runtime, memory, size, codeProfile, chromium, before,
    native: opts.native ? native() : null,
  };
  console.log(textTable(measured));
  writeOutputs(measured);
  console.log("\nbench/results.json:", JSON.stringify(resultsJson(measured)));
  console.log("written: bench/results.json, docs/performance.md");
  process.exitCode = equivalence.equivalent ? 0 : 1;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
