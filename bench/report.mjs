// Turns the measurements into the table (terminal and markdown), bench/results.json and
// docs/performance.md. Kept apart from the measuring so the numbers are computed once
// and shown the same way everywhere.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { ROOT } from "./node.mjs";

const KIB64 = 64 * 1024;
const int = (x) => Math.round(x).toLocaleString("en-US");
const fixed = (x, d = 1) => x.toFixed(d);

/** Exactly the keys issue 6 lists, so that runs can be compared. */
export function resultsJson(m) {
  return {
    throughput: { omnisync: Math.round(m.throughput.omnisync), jsonRulesEngine: Math.round(m.throughput.jsonRulesEngine),
      jsonLogic: Math.round(m.throughput.jsonLogic) },
    ratios: { vsJsonRulesEngine: +fixed(m.ratios.vsJsonRulesEngine, 2), vsJsonLogic: +fixed(m.ratios.vsJsonLogic, 2) },
    equivalent: m.equivalence.equivalent,
    latencyUs: { node: m.latency.node, chromium: m.chromium ? m.chromium.latency.perEvent : null },
    coldStartMs: { median: m.chromium ? m.chromium.cold.medianMs : null },
    size: { wasmGzipBytes: m.size.wasmGzipBytes, totalGzipBytes: m.size.totalGzipBytes },
    memory: { after100kBytes: m.memory.after100kBytes, after1mBytes: m.memory.after1mBytes, growthBytes: m.memory.growthBytes },
  };
}

/** The issue's "Must show" list, each with what was measured. */
function targets(m) {
  const c = m.chromium;
  return [
    ["throughput >= 20x json-rules-engine", `${fixed(m.ratios.vsJsonRulesEngine, 2)}x`, m.ratios.vsJsonRulesEngine >= 20],
    ["throughput >= 3x json-logic-js", `${fixed(m.ratios.vsJsonLogic, 2)}x`, m.ratios.vsJsonLogic >= 3],
    ["equivalence check passes in the same run", String(m.equivalence.equivalent), m.equivalence.equivalent],
    ["p99 per event < 20 us in node", `${m.latency.node.p99} us`, m.latency.node.p99 < 20],
    ["wasm + glue + shim < 64 KiB gzip -9", `${int(m.size.totalGzipBytes)} B (${fixed(m.size.totalGzipBytes / 1024)} KiB)`,
      m.size.totalGzipBytes < KIB64],
    ["no wasm memory growth 100k -> 1M events", `${int(m.memory.growthBytes)} B`, m.memory.growthBytes === 0],
    ...(c ? [] : [["Chromium measurements", "skipped (--no-browser)", false]]),
  ];
}

/** The sections of the table: [title, header, rows]. */
function sections(m) {
  const t = m.throughput;
  const out = [
    [`Throughput in one node process (best of ${m.passes} interleaved passes)`, ["engine", "events/s", "omnisync / this"], [
      ["omnisync (wasm, decide() from JS)", int(t.omnisync), ""],
      ["json-rules-engine", int(t.jsonRulesEngine), `${fixed(m.ratios.vsJsonRulesEngine, 2)}x`],
      ["json-logic-js (plain JS)", int(t.jsonLogic), `${fixed(m.ratios.vsJsonLogic, 2)}x`],
    ]],
  ];
  const lat = [["node: hrtime per call", m.latency.node]];
  if (m.chromium) {
    const l = m.chromium.latency;
    lat.push([`chromium: performance.now per call (resolution ${l.resolutionUs} us)`, l.perEvent]);
    lat.push([`chromium: mean per event of batches of ${l.batch.size}`, l.batch]);
  }
  out.push(["Per-event latency of decide(), JS -> wasm -> JS (us)", ["where, how", "p50", "p99", "max"],
    lat.map(([name, p]) => [name, fixed(p.p50, 2), fixed(p.p99, 2), fixed(p.max, 2)])]);
  if (m.chromium) {
    const c = m.chromium.cold;
    out.push([`Cold start in headless Chromium, ${c.rules} rules (median of ${c.runs} fresh contexts, ms)`,
      ["phase", "median"], [
        ["fetch + compile + instantiate + construct", fixed(c.medianMs, 2)],
        ["  of which fetch + compile + instantiate", fixed(c.medianLoadMs, 2)],
        ["  of which new OmniSync(100 rules)", fixed(c.medianConstructMs, 2)],
        ["page navigation start to engine ready", fixed(c.medianSinceNavigationMs, 2)],
        [`range of the ${c.runs} totals`, `${fixed(c.minMs, 2)} - ${fixed(c.maxMs, 2)}`],
      ]]);
  }
  const s = m.size;
  out.push(["Size as shipped (bytes)", ["file", "raw", "gzip -9"], [
    ...s.rows.map((r) => [r.file, int(r.bytes), int(r.gzipBytes)]),
    ["total: wasm + glue + shim", int(s.totalBytes), int(s.totalGzipBytes)],
    ...(s.iife ? [[s.iife.file, int(s.iife.bytes), int(s.iife.gzipBytes)]] : []),
  ]]);
  const mem = m.memory;
  out.push(["Wasm linear memory (memory.buffer.byteLength, bytes)", ["after", "bytes"], [
    ["new OmniSync(rules)", int(mem.initialBytes)],
    ["100,000 events", int(mem.after100kBytes)],
    ["1,000,000 events", int(mem.after1mBytes)],
    ["growth 100k -> 1M", int(mem.growthBytes)],
  ]]);
  if (m.native) out.push(["Native core (cargo bench --bench engine, best of 3)", ["what", "events/s"], m.native]);
  out.push(["Issue 6 targets", ["target", "measured", "met"], targets(m).map(([a, b, ok]) => [a, b, ok ? "yes" : "NO"])]);
  return out;
}

/** The table for the terminal. */
export function textTable(m) {
  const lines = [];
  for (const [title, header, rows] of sections(m)) {
    const widths = header.map((_, i) => Math.max(...[header, ...rows].map((r) => String(r[i]).length)));
    const line = (r) => r.map((cell, i) => (i === 0 ? String(cell).padEnd(widths[i]) : String(cell).padStart(widths[i]))).join("  ");
    lines.push("", title, line(header), ...rows.map(line));
  }
  return lines.join("\n");
}

function markdown(m) {
  return sections(m).map(([title, header, rows]) => [`### ${title}`, "",
    `| ${header.join(" | ")} |`, `|${header.map((_, i) => (i ? "---:" : "---")).join("|")}|`,
    ...rows.map((r) => `| ${r.join(" | ")} |`), ""].join("\n")).join("\n");
}

const sh = (cmd, args) => { try { return execFileSync(cmd, args, { encoding: "utf8" }).trim(); } catch { return "unknown"; } };

/** The machine, as docs/performance.md records it. */
export function machine(chromiumVersion) {
  const release = fs.existsSync("/etc/os-release") ? fs.readFileSync("/etc/os-release", "utf8") : "";
  return {
    nproc: sh("nproc", []),
    cpu: os.cpus()[0]?.model ?? "unknown",
    memory: `${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    os: release.match(/^PRETTY_NAME="?([^"\n]*)/m)?.[1] ?? os.type(),
    node: process.version,
    chromium: chromiumVersion ?? "not run",
    rustc: sh("rustc", ["--version"]),
    // The machine may be shared: a busy one shows in the tails first.
    load: os.loadavg().map((x) => x.toFixed(2)).join(", "),
  };
}

export function writeOutputs(m) {
  fs.writeFileSync(path.join(ROOT, "bench/results.json"), `${JSON.stringify(resultsJson(m), null, 2)}\n`);
  const mc = machine(m.chromium?.version);
  const doc = `# Performance

Written by \`npm run bench\` (bench/run.mjs); do not edit by hand. The benchmark replays
one trace through omnisync's wasm build and through the two JavaScript rules engines a
team would otherwise use, after checking that all three make the same decisions.

## Latest run

${m.events.toLocaleString("en-US")} events (seed ${m.seed}), ${m.ruleCount} rules, \`allMatches\`. Equivalence:
**${m.equivalence.equivalent}** (${m.equivalence.actions.toLocaleString("en-US")} actions, identical in the three engines).
Event mix: ${Object.entries(m.mix).map(([k, v]) => `${k} ${v.toLocaleString("en-US")}`).join(", ")}.

${markdown(m)}
## Machine

| | |
|---|---|
| \`nproc\` | ${mc.nproc} |
| CPU | ${mc.cpu} |
| memory | ${mc.memory} |
| OS | ${mc.os} |
| \`node --version\` | ${mc.node} |
| Chromium | ${mc.chromium} (Debian's, headless, through playwright-core) |
| rustc | ${mc.rustc} |
| load average (1, 5, 15 min) when written | ${mc.load} |

## How it is measured

- **Rules** (bench/rules.mjs): a CTI Adapter style mapping table both ways (8 + 8 rows,
  an \`Offline\` logout row, a wrong-case row), rules on workload % thresholds, on the
  channel of accepted and offered work, on phone and status changes, and rules that never match
  (typos, contradictions, impossible values). The same rules are translated mechanically
  into json-rules-engine rules and json-logic-js conditions, one engine per trigger.
- **Peers** (bench/peers.mjs): json-rules-engine and json-logic-js only evaluate
  conditions, so a wrapper tracks both sides' state from the events, computes the
  operands as omnisync does, keeps the last matching rule per side and drops actions
  whose target is the side's current state. That work is timed with them.
- **Trace** (bench/trace.mjs): one agent's shift from a seeded PRNG (mulberry32):
  logins, status changes (some outside the catalog, some 15-character Ids, push
  timeouts), work offered/accepted/declined/closed with workload changes, capacity
  changes, calls and agent states. Every work item is finished, so the model is bounded.
- **Equivalence**: every engine handles every event; the action lists (type, status Id,
  DeveloperName, state, rule) must be identical event by event, else the first
  difference is printed and the run exits 1.
- **Throughput**: events/s over the whole trace, best of ${m.passes} passes, a fresh engine
  per pass, all in one node process. The passes are interleaved (one pass of each
  engine per round), so a slow spell of the machine does not fall on one engine only.
  json-rules-engine is awaited per event (it is async). omnisync is measured through
  \`decide()\`, the actions without the decision trace (as the peers give); the event
  is read from the object as it is and the result is a frozen array shared by every
  event that ends with the same rule target.
- **Latency in node**: \`process.hrtime.bigint()\` around each \`decide()\` call (event
  object in, decision object out) for every event of the trace, after a warm-up pass.
- **Latency in Chromium**: the page is cross-origin isolated (COOP + COEP), which gives
  \`performance.now()\` its finest resolution, 5 us with jitter; per-call values are
  multiples of it. The batch row (mean per event of each batch of 100) is fine-grained
  but smooths single slow calls. Warm-up pass first, as in node.
- **Cold start**: a fresh browser context per run, every URL unique and served with
  \`Cache-Control: no-store\` from 127.0.0.1: dynamic import of the glue, streaming
  fetch + compile + instantiate of the wasm, then \`new OmniSync(rules)\` with 100 rules.
- **Size**: the files the agent's browser downloads, gzip -9 as \`gzip -9 -c\` counts
  it; the IIFE row is \`npm run build:iife\`'s bundle of glue and shim, the form the
  Salesforce static resource carries next to the wasm.
- **Memory**: a fresh instance's \`memory.buffer.byteLength\` after 100,000 and after
  1,000,000 events of the same generator through \`handle()\`.

## Size budget

The target for wasm + glue + shim is 64 KiB gzip -9 (\`targetGzipBytes\` in
bench/size-budget.json); it is not met. The test suite holds the bundle under
\`budgetGzipBytes\`, today's size plus a little (www/test/size.test.mjs, which also fails
if the budget drifts more than 5 % above the bundle), so it cannot grow unseen while
the target is worked towards. What was measured on 2026-11-21 (wasm after wasm-bindgen
and wasm-opt -Oz, gzip -9; the glue is about 6.4 kB and the shim 2.7 kB of the total):

| wasm build | raw | gzip -9 |
|---|---:|---:|
| shipped before the trims below (opt-level 2) | 447,778 | 179,292 |
| shipped now (opt-level 2) | 389,493 | 156,025 |
| dbe458b at opt-level 2, and at "z" | 388,262 / 317,914 | 155,576 / 132,502 |
| no serde I/O at all, opt-level 2 (\*) | 216,061 | 97,620 |
| no serde I/O, "z", panics abort without formatting (\*\*) | 163,747 | 78,698 |
| the same, and no standard float parser | 146,901 | 64,192 |

(\*) An experiment, not a product: rules file not read (an empty rule set compiled),
outputs, error details and the session snapshot not serialised. (\*\*) Needs the
standard library rebuilt (\`-Zbuild-std\`, \`-Cpanic=immediate-abort\`), which stable
Rust only allows behind RUSTC_BOOTSTRAP.

- **The trims** (179,292 -> 156,025): work items kept in a sorted vector instead of a
  tree map (src/model/works.rs), numbers in bridge replies read by the crate's own
  decimal reader instead of the standard float parser and its 10 kB table, no slice
  sort on a presence read, one JSON writer for the type-mismatch message, and no JSON
  text parser: rules files, the context and the saved session are parsed by
  \`JSON.parse\` and converted by \`wasm::node::to_json\` (8,003 B of the 23,267). That
  one costs time when rules load: \`new OmniSync(100 rules)\` warm in node took 2.0 ms
  (text) and 2.9 ms (object) against 0.9 and 1.5 ms with serde_json's parser (median of
  30), once per page load.
- **The floor of this architecture.** Even with no rules file read and nothing
  written, at the smallest settings, the wasm is 64,192 B and the bundle about 73,300 B:
  over the target before any I/O. About three quarters of what is left is the engine,
  the sync loop and the browser runtime (timers, tab leadership, persistence, bridge
  calls) with the allocator and collection code made for their types. Meeting 64 KiB
  needs a design decision, not trimming: the runtime's effects in the shim instead of
  wasm, or the rules compiler out of the shipped bundle (a compiled rules form from
  \`omnisync check\`), and a rules reader and output writer without serde.
- **Optimisation level.** The shipped build uses opt-level 2 (Cargo.toml, profile
  \`wasm\`): at dbe458b 155,576 B gzip against 132,502 at "z" (+17 %), for 1.4x to 1.7x the
  decisions per second (two runs, best of 6 interleaved passes in one node process,
  this trace: 593,000 against 425,000 and 606,000 against 355,000 events/s). At "z" the
  throughput would be about 2 to 2.4x json-logic-js's, under the 3x target.

## Reproduce

\`\`\`sh
bash scripts/setup.sh            # toolchains, Chromium, npm packages (fresh machine)
bash scripts/build-wasm.sh       # pkg/web and pkg/node
npm run bench                    # this table, bench/results.json, this file
npm run bench -- --native        # the same plus the native rows (runs cargo bench)
cargo bench --bench engine       # native throughput of Engine::handle alone
\`\`\`

Options of bench/run.mjs: \`--events N\` (default 100000), \`--cold-runs N\` (default 20),
\`--no-browser\` (skip Chromium), \`--native\`.
`;
  fs.writeFileSync(path.join(ROOT, "docs/performance.md"), doc);
}
