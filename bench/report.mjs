// Turns the measurements into the table (terminal and markdown), bench/results.json and
// docs/performance.md. Kept apart from the measuring so the numbers are computed once
// and shown the same way everywhere.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { ROOT } from "./node.mjs";
import { repeatMissed } from "./report-repeat.mjs";

const int = (x) => Math.round(x).toLocaleString("en-US");
const fixed = (x, d = 1) => x.toFixed(d);

/** The keys issues 14 and 24 list, so that runs can be compared. */
export function resultsJson(m) {
  const c = m.chromium?.cold;
  const r = m.chromium?.repeat?.repeat;
  return {
    throughput: { handle: Math.round(m.throughput.handle), handleTraceRead: Math.round(m.throughput.handleTraceRead),
      events: Math.round(m.throughput.events), eventsTraceRead: Math.round(m.throughput.eventsTraceRead),
      jsonLogic: Math.round(m.throughput.jsonLogic), jsonRulesEngine: Math.round(m.throughput.jsonRulesEngine),
      traceLast20: Math.round(m.last20.readsPerSecond) },
    ratios: { handleVsJsonLogic: +fixed(m.ratios.handleVsJsonLogic, 2),
      handleVsJsonRulesEngine: +fixed(m.ratios.handleVsJsonRulesEngine, 2),
      eventsVsJsonLogic: +fixed(m.ratios.eventsVsJsonLogic, 2), eventsVsJsonRulesEngine: +fixed(m.ratios.eventsVsJsonRulesEngine, 2),
      eventsTraceReadVsJsonLogic: +fixed(m.ratios.eventsTraceReadVsJsonLogic, 2),
      handleTraceReadVsJsonLogic: +fixed(m.ratios.handleTraceReadVsJsonLogic, 2),
      traceLast20VsHandle20: +fixed(m.ratios.traceLast20VsHandle20, 2) },
    runtime: { latencyUs: m.runtime.latencyUs, eventsPerSecond: m.runtime.eventsPerSecond },
    coldStartMs: { median: c ? c.medianMs : null, load: c ? c.medianLoadMs : null, construct: c ? c.medianConstructMs : null },
    coldStartMsRepeat: { median: r ? r.median : null, load: r ? r.load : null, construct: r ? r.construct : null },
    size: { totalGzipBytes: m.size.totalGzipBytes, agentGzipBytes: m.size.agent ? m.size.agent.gzipBytes : null },
    memory: { growthBytes: m.memory.growthBytes },
    equivalent: m.equivalence.equivalent,
  };
}

/**
 * The code profile before the workspace split and the one way in (main at a4f28e2: one
 * crate, so the binding's functions were counted with the core's), for the size
 * profile's "before" column.
 */
const CODE_BEFORE = {
  build: "one crate, a4f28e2",
  total: 635158,
  groups: {
    serde: 173283, "core (omnisync)": 163102, "wasm-bindgen": 140365, alloc: 73664,
    other: 53787, "float formatting": 17994, "core::fmt": 12963,
  },
};

/** The issue's targets, each with what was measured. */
function targets(m) {
  const c = m.chromium;
  const r = m.ratios;
  const agent = m.size.agent?.gzipBytes;
  return [
    ["agent module (wasm + IIFE glue and shim + host.js), gzip -9, <= 150,000 B", agent ? `${int(agent)} B` : "not built", agent <= 150_000],
    ["first load to ready, 100 rules, Chromium median, <= 60 ms", c ? `${fixed(c.cold.medianMs, 2)} ms` : "not run", Boolean(c) && c.cold.medianMs <= 60],
    ["repeat load to ready (HTTP cache warm), median, <= 15 ms", c?.repeat ? `${fixed(c.repeat.repeat.median, 2)} ms` : "not run",
      Boolean(c?.repeat) && c.repeat.repeat.median <= 15],
    ["events as plain values (feed), trace not read, >= 2x json-logic-js", `${fixed(r.eventsVsJsonLogic, 2)}x (handle(): ${fixed(r.handleVsJsonLogic, 2)}x)`,
      r.eventsVsJsonLogic >= 2],
    ["events as plain values (feed), >= 25x json-rules-engine", `${fixed(r.eventsVsJsonRulesEngine, 2)}x (handle(): ${fixed(r.handleVsJsonRulesEngine, 2)}x)`,
      r.eventsVsJsonRulesEngine >= 25],
    ["last 20 decisions read <= handling 20 events", `${fixed(m.last20.readUs, 2)} against ${fixed(m.last20.handleUs, 2)} us (${fixed(r.traceLast20VsHandle20, 2)}x)`,
      r.traceLast20VsHandle20 <= 1],
    ["every decision's trace read, >= 0.5x json-logic-js", `${fixed(r.eventsTraceReadVsJsonLogic, 2)}x with recent(1) (handle() + trace(): ${fixed(r.handleTraceReadVsJsonLogic, 2)}x)`,
      r.eventsTraceReadVsJsonLogic >= 0.5],
    ["runtime path, event to command, node, p99 < 50 us (kept)", `${m.runtime.latencyUs.p99} us`, m.runtime.latencyUs.p99 < 50],
    ["wasm memory growth 100k -> 1M events = 0 (kept)", `${int(m.memory.growthBytes)} B`, m.memory.growthBytes === 0],
    ["equivalence (actions and deciding rule) in the same run", String(m.equivalence.equivalent), m.equivalence.equivalent],
  ];
}

/** The sections of the table: [title, header, rows]. */
function sections(m) {
  const t = m.throughput;
  const vs = (key) => (t[key] ? `${fixed(t.handle / t[key], 2)}x` : "");
  const rows = [
    ["omnisync handle(), actions read, trace not read", int(t.handle), ""],
    ["omnisync handle(), trace read too", int(t.handleTraceRead), vs("handleTraceRead")],
    ["omnisync feed() -> handleFields(), actions read, trace not read", int(t.events), vs("events")],
    ["omnisync feed(), then recent(1): each decision as the panel shows it", int(t.eventsTraceRead), vs("eventsTraceRead")],
    ["json-rules-engine", int(t.jsonRulesEngine), vs("jsonRulesEngine")],
    ["json-logic-js (plain JS)", int(t.jsonLogic), vs("jsonLogic")],
  ];
  if (t.beforeHandle) rows.push(["before this change: handle(), full trace as JSON", int(t.beforeHandle), vs("beforeHandle")]);
  if (t.beforeDecide) rows.push(["before this change: decide(), no trace (removed)", int(t.beforeDecide), vs("beforeDecide")]);
  const out = [[`Throughput in one node process (best of ${m.passes} interleaved passes)`, ["engine", "events/s", "handle / this"], rows]];
  const rt = m.runtime;
  out.push(["The runtime path in node: OmniSync.start, event pushed to command at the bridge (us)",
    ["what", "p50", "p99", "max", "events/s"], [
      [`${int(rt.commands)} events that led to a command, of ${int(rt.events)}`, fixed(rt.latencyUs.p50, 2),
        fixed(rt.latencyUs.p99, 2), fixed(rt.latencyUs.max, 2), int(rt.eventsPerSecond)],
    ]]);
  if (m.chromium) {
    const l = m.chromium.latency;
    out.push(["Per-event latency of handle() in Chromium, JS -> wasm -> JS, trace not read (us)", ["how", "p50", "p99", "max"], [
      [`performance.now per call (resolution ${l.resolutionUs} us)`, fixed(l.perEvent.p50, 2), fixed(l.perEvent.p99, 2), fixed(l.perEvent.max, 2)],
      [`mean per event of batches of ${l.batch.size}`, fixed(l.batch.p50, 2), fixed(l.batch.p99, 2), fixed(l.batch.max, 2)],
    ]]);
    const c = m.chromium.cold;
    const b = m.chromium.coldBefore;
    const cell = (x) => fixed(x, 2);
    out.push([`Cold start in headless Chromium, ${c.rules} rules (median of ${c.runs} fresh contexts, ms)`,
      b ? ["phase", "median", "before this change"] : ["phase", "median"], [
        ["fetch + compile + instantiate + construct", cell(c.medianMs), ...(b ? [cell(b.medianMs)] : [])],
        ["  of which fetch + compile + instantiate (load)", cell(c.medianLoadMs), ...(b ? [cell(b.medianLoadMs)] : [])],
        ["  of which new OmniSync(100 rules) (construct)", cell(c.medianConstructMs), ...(b ? [cell(b.medianConstructMs)] : [])],
        ["page navigation start to engine ready", cell(c.medianSinceNavigationMs), ...(b ? [cell(b.medianSinceNavigationMs)] : [])],
        [`range of the ${c.runs} totals`, `${cell(c.minMs)} - ${cell(c.maxMs)}`, ...(b ? [`${cell(b.minMs)} - ${cell(b.maxMs)}`] : [])],
      ]]);
    const r = m.chromium.repeat;
    if (r) {
      out.push([`Repeat load in headless Chromium, ${r.rules} rules: the same URLs again in a primed profile, HTTP cache warm (median of ${r.runs} profiles, ms)`,
        ["phase", "first load (priming)", "repeat load"], [
          ["fetch + compile + instantiate + construct", cell(r.first.median), cell(r.repeat.median)],
          ["  of which load", cell(r.first.load), cell(r.repeat.load)],
          ["    of which the glue's import (the rest: the wasm's fetch, compile, instantiate)", cell(r.first.glue), cell(r.repeat.glue)],
          ["  of which construct", cell(r.first.construct), cell(r.repeat.construct)],
          [`range of the ${r.runs} totals`, `${cell(r.first.min)} - ${cell(r.first.max)}`, `${cell(r.repeat.min)} - ${cell(r.repeat.max)}`],
        ]]);
    }
  }
  const s = m.size;
  const before = m.before?.size;
  out.push(["Size as shipped (bytes)", before ? ["file", "raw", "gzip -9", "gzip -9 before"] : ["file", "raw", "gzip -9"], [
    ...s.rows.map((r, i) => [r.file, int(r.bytes), int(r.gzipBytes), ...(before ? [int(before.rows[i].gzipBytes)] : [])]),
    ["total: wasm + glue + shim", int(s.totalBytes), int(s.totalGzipBytes), ...(before ? [int(before.totalGzipBytes)] : [])],
    ...(s.iife ? [[s.iife.file, int(s.iife.bytes), int(s.iife.gzipBytes), ...(before ? [""] : [])]] : []),
    ...(s.agent ? [[`the console's agent path: ${s.agent.parts.join(" + ")}`, "", int(s.agent.gzipBytes), ...(before ? [""] : [])]] : []),
  ]]);
  if (m.codeProfile) {
    const p = m.codeProfile;
    const was = CODE_BEFORE.groups;
    out.push([`Code bytes by group (release wasm before wasm-bindgen and wasm-opt, ${int(p.functions)} functions; node bench/wasm-profile.mjs)`,
      ["group", "bytes", "share", `before (${CODE_BEFORE.build})`], [
        ...Object.entries(p.groups).sort((a, b) => b[1] - a[1]).map(([g, bytes]) =>
          [g, int(bytes), `${((100 * bytes) / p.total).toFixed(1)} %`, g in was ? int(was[g]) : "counted with the core"]),
        ["total", int(p.total), "100 %", int(CODE_BEFORE.total)],
      ]]);
  }
  const mem = m.memory;
  out.push(["Wasm linear memory through handle() (memory.buffer.byteLength, bytes)", ["after", "bytes"], [
    ["new OmniSync(rules)", int(mem.initialBytes)],
    ["100,000 events", int(mem.after100kBytes)],
    ["1,000,000 events", int(mem.after1mBytes)],
    ["growth 100k -> 1M", int(mem.growthBytes)],
  ]]);
  if (m.native) out.push(["Native core (cargo bench --bench engine, best of 3)", ["what", "events/s"], m.native]);
  out.push(["Targets (issue 24)", ["target", "measured", "met"], targets(m).map(([a, b, ok]) => [a, b, ok ? "yes" : "NO"])]);
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

/** What crosses the wasm boundary and why, with this run's figures where it has them. */
function boundary(m) {
  const b = m.before;
  const t = m.throughput;
  const sizeLine = b
    ? `In this run: ${int(m.size.totalGzipBytes)} B gzip -9 (wasm + glue + shim) against ${int(b.size.totalGzipBytes)} B before.`
    : "Run with \`--before DIR\` for the before/after figures.";
  return `## The boundary: what crosses it, and its cost

- **Two ways in, one path.** \`handle(event)\` reads an event object; \`handleFields(kind,
  at, ...fields)\` takes the fields as plain values (the shim's \`feed\` reads the object
  in JavaScript and calls it). Both go through the one event reader (one node type,
  crates/wasm/src/fields.rs, so the module carries one copy of it) and the same
  \`Engine\` call the runtime's sync loop makes. The engine keeps a compact trace (one
  outcome per rule and the facts the rules saw)${t.beforeHandle ? ` (old \`handle()\` ${int(t.beforeHandle)} events/s, new ${int(t.handle)} unread, ${int(t.handleTraceRead)} read, same run)` : ""}.
- **Inputs.** \`handle\` reads an event where it is, over catching \`Reflect.get\`
  calls (crates/wasm/src/node.rs): only the fields the event type has, and no
  JavaScript exception ever crosses Rust frames. \`handleFields\` reads no property at
  all: each argument is looked at as the value it is. Rules, catalog, context and saved
  session arrive once: copied to plain data under a catch (\`JSON.parse\` for text,
  \`structuredClone\` for objects), walked into a serde_json value and read by serde
  through the core's one typed read (\`omnisync::node::typed\`), with serde_path_to_error
  keeping the JSON path in errors.
- **Outputs.** \`handleFields\` answers \`undefined\` (no action) or the actions, frozen
  objects made once per rule target and shared; the decision stays in wasm, among the
  last 50 that \`recent(limit)\` summarises when read (the form the panel shows: the
  rules that matched with their checks, counts of the rest). \`handle\` answers
  \`{actions, trace}\`, the compact trace copied out as bytes for \`trace()\`. Trace,
  state, metrics, stats and the runtime's trace are JSON text written by serde_json
  (which the saved session needs anyway) and parsed by \`JSON.parse\`.
- **console_error_panic_hook** is installed by the constructor and by \`start\`: a
  panic (a bug: no input panics) prints its message and location in the console.
- ${sizeLine} The target is 150,000 B for the console's agent path (wasm, the IIFE
  of glue and shim, host.js); www/test/size.test.mjs holds the ceiling
  \`budgetGzipBytes\` of bench/size-budget.json for wasm + glue + shim, so a smaller
  bundle passes.

### Alternatives measured, and what was kept

Each measured in one node process against the other on this machine (2026-12-01),
shipped build settings (wasm-opt -Oz), 61 rules, the benchmark's trace:

| change | size, gzip -9 | speed | kept |
|---|---:|---|---|
| outputs through serde-wasm-bindgen instead of JSON text | +3,738 B (198,709 against 194,971) | full trace read 23,960 against 19,429 events/s; \`state()\` + \`metrics()\` 335 against 275 us | no: over the size ceiling |
| events as \`JSON.stringify\` + serde_json instead of catching \`Reflect.get\` | | \`handle()\` 0.73x against 1.04x json-logic-js | no |
| rules text parsed by serde_json instead of \`JSON.parse\` + serde-wasm-bindgen | +7,400 B (serde_json's parser is otherwise not in the bundle) | construct about the same | no |
| opt-level "z" instead of "s" | -11,546 B (183,607 against 195,153) | \`handle()\` 0.66 to 0.89x against 0.98 to 1.12x json-logic-js; first \`new OmniSync\` of 100 rules 39 against 77 ms | no: the throughput |
| dependencies at "z", the crate at "s" | +824 B | the same as "s" | no |
| the runtime's saved session written per event (before) against after 250 ms quiet and on \`pagehide\` | +300 B | runtime path p50 146 -> 15 us, p99 374 -> 64 us (the session, with its presence records, was serialised for every event, with or without a storage) | yes |
| one shared timer for the bridge calls' deadlines (crates/wasm/src/deadline.rs) against a promise, two closures and a \`setTimeout\` per command | +768 B (ceiling raised to 195,400 for it) | runtime path p99 64 -> 45 us (fewer garbage collector pauses), events/s 37,000 -> 39,000 | yes |
| tab leadership decided in the core (src/tabs) and the exported \`Tab\` class the wasm and JS runners drive, with start options read into one typed struct | +7,937 B (219,306 against 211,369: wasm +7,416, glue +521; ceiling raised by 8,000 for it, to 225,500 with the other changes of the same merge). A saved session parsed by the JS engine and tab calls read with the runtime's own JavaScript-value readers (with serde_json's parser and a second copy of the readers it was 238,783); the refused option found by reading each alone instead of tracking serde's path (-1.4 kB) | runtime path in node, same process, three passes: p50 8.5-8.9 -> 9.1-9.3 us, p99 16.8-25.4 -> 18.3-21.6 us | yes: the tab scenarios run natively, under wasm and from JavaScript |
| one way in for JavaScript values: rules objects, the catalog, the context and the start options walked into a serde_json value and read by serde through the core's one typed read (\`omnisync::node::typed\`); serde-wasm-bindgen dropped | -3,956 B (225,749 against 229,705) | the inputs read once per start; events are read as before | yes |
| the \`Tab\` class in test builds only (feature \`tab-class\`; the shipped \`Runtime\` runs the same tab) | -4,547 B (221,202 against 225,749) | none | yes: the conformance runners load the test build (pkg/test-node) |
| opt-level "z" measured again with the tab module | -9,714 B (211,488 against 221,202) | runtime path in node, same process, three passes: p50 8.9 -> 15.5 us, p99 16.9-19.2 -> 30.2-30.4 us; \`handle()\` 0.93x the "s" build | no: the runtime path |
| events as plain values: \`handleFields(kind, at, ...fields)\` with a small result and the decision kept in wasm, read with \`recent\` (first as nine methods, one per kind: +8.3 kB gzip for nine exports and a second copy of the event reader; then one method and one node type for both ways in) | +5,060 B with feed and \`recent\` (ceiling 221,300 -> 226,400) | 1.36 to 1.50x json-logic-js against 0.77 to 0.86x for \`handle()\` in the same runs; every decision read as the panel shows it 0.53x | yes |
| the stack check in 32 frames each holding 12 values across its call, against 128 small frames (calls at each of the stack's last 3,000 depths: 6 such frames too few, 12 enough) | | the check was 12.5 % of a \`handleFields\` call in a profile and stayed about that; throughput within noise | yes: the same cover in fewer calls |
| \`wasm-opt --converge\` | -764 B | none | yes |
| the saved session's snapshot read by the one typed read (serde_path_to_error over a borrowed value) instead of serde_json's owned-value reader | +12,795 B raw: the path-tracking readers of the snapshot's types are larger than the owned ones, and no other input shared them | none | no |
| the Cargo workspace (core, binding, CLI) | +2,158 B as first split (223,360): each type's typed read carried its own copy of the error-path code, which the one-crate build had inlined away; one non-generic function for it: 221,194 | none measured beyond noise (see the closing figures of the run above) | yes |

### Targets missed, and why

- **Events against json-logic-js (2x) and json-rules-engine (25x).** A profile of
  \`feed\` -> \`handleFields\` (names kept, trace not read) puts about 13 % of a call in the
  stack check every entry point makes first (docs/runtime.md, "Re-entrancy and the
  stack"), about 15 % in the allocator (the event's strings copied into wasm memory, the
  facts and outcomes of the kept decision, the actions' strings), about 10 % in wasm-bindgen's
  argument handling (each argument is a JavaScript value handed to wasm, read with
  one call for its text) and \`Date.now\`, the rest in the engine's model update and
  decision. json-logic-js reads the same event with plain property reads and allocates
  nothing to decide.
- **Every decision's trace read.** Through \`recent(1)\` each read is a summary
  written as JSON text and parsed; \`handle()\` + \`trace()\` rebuilds and writes the
  trace of every rule (about 2.5 kB of JSON per event here).
- **Cold start under 60 ms.** The wasm is about 195 kB gzip; V8 compiles functions on
  their first call, so constructing the engine (rules read, checked and compiled)
  pays for compiling that code too: warm, the same construction takes 6 to 10 ms in
  node. At opt-level "z" the first construction halves, at the throughput cost above.
- **Size.** About 65 kB over the target. Rust's own float formatting (about 18 kB of
  code, kept by serde's error messages: every derived reader reports an unexpected
  number with it) and the rules reader (about 30 kB raw) are the largest single
  pieces; serde's derives are read by two back ends (the path-tracking typed read and
  serde_json's owned values for the saved session), each with its own copy.
${repeatMissed(m)}`;
}


/** Sections of docs/performance.md that other work writes: kept as they are. */
function keptSections() {
  const file = path.join(ROOT, "docs/performance.md");
  const text = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
  const kept = [];
  for (const title of ["Scaling", "Replay"]) {
    const start = text.indexOf(`\n## ${title}`);
    if (start < 0) continue;
    const next = text.indexOf("\n## ", start + 4);
    kept.push(text.slice(start + 1, next < 0 ? undefined : next + 1).trimEnd());
  }
  return kept.length ? `${kept.join("\n\n")}\n\n` : "";
}

export function writeOutputs(m) {
  // The replay's figures come from bench/replay.mjs: kept as they are.
  const resultsFile = path.join(ROOT, "bench/results.json");
  const previous = fs.existsSync(resultsFile) ? JSON.parse(fs.readFileSync(resultsFile, "utf8")) : {};
  const results = { ...resultsJson(m), ...(previous.replay ? { replay: previous.replay } : {}) };
  fs.writeFileSync(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
  const mc = machine(m.chromium?.version);
  const kept = keptSections();
  const doc = `# Performance

Written by \`npm run bench\` (bench/run.mjs); do not edit by hand (the "Scaling" and "Replay"
sections, written by their own benchmarks, are kept as they are). The benchmark replays one trace
through omnisync's wasm build, through \`handle()\` and \`feed()\` -> \`handleFields()\` (one
path: the runtime's sync loop makes the same decisions with the same engine call), and through the two JavaScript
rules engines a team would otherwise use, after checking that all three make the same
decisions; then the runtime itself, started as the product starts it.

## Latest run

${m.events.toLocaleString("en-US")} events (seed ${m.seed}), ${m.ruleCount} rules, \`allMatches\`. Equivalence:
**${m.equivalence.equivalent}** (${m.equivalence.actions.toLocaleString("en-US")} actions, identical in the three engines, each with the
rule that decided it, which omnisync's trace names as matched).
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
  DeveloperName, state, and the rule that decided each) must be identical event by
  event, and every action's rule must be one omnisync's trace reports as matched, else
  the first difference is printed and the run exits 1.
- **Throughput**: events/s over the whole trace, best of ${m.passes} passes, a fresh engine
  per pass, all in one node process. The passes are interleaved (one pass of each
  engine per round), so a slow spell of the machine does not fall on one engine only.
  json-rules-engine is awaited per event (it is async). omnisync is measured through
  \`handle()\`: once with the decision's \`actions\` read and its \`trace\` not (the
  peers give no trace), once with \`trace\` read as well for every event. The decision
  carries a compact trace (the facts the rules saw and one outcome per rule, as bytes
  in a \`Uint8Array\`); reading \`trace\` evaluates the same rules on the same facts
  again, with the comparisons recorded, and builds the full trace (about 2.5 kB of JSON
  per event here). And through \`feed()\` (www/events.js: the event read in
  JavaScript, \`handleFields\` called with its fields), once with the actions only and
  once with \`recent(1)\` read after every event (the decision as the panel shows it).
  Rows marked "before" are another build given with \`--before\`, measured in the
  same passes.
- **The last 20 decisions** (bench/node.mjs \`traceLast20\`): one engine, every 20
  events of the trace fed (timed with \`process.hrtime.bigint()\`), then \`recent(20)\`
  read (timed); the sums over the trace, best of the passes. \`throughput.traceLast20\`
  is reads of 20 per second, \`ratios.traceLast20VsHandle20\` the read time over the
  time to handle the same 20 events.
- **The runtime path**: \`OmniSync.start\` with a host and a telephony bridge in the
  same process that answer at once (a resolved promise, the echo a microtask later),
  no storage, no reconcile timer, after this tab leads. Each event is pushed through
  the bridge's \`subscribe\` callback, as the shim's adapters push them; an event's
  latency is from that push until the command reaches the bridge's method
  (\`process.hrtime.bigint()\`), for the events that lead to a command; each event is let
  settle (command carried out, result fed back) before the next, and events/s counts
  all of them. A warm-up run of 20,000 events first.
- **Latency in Chromium**: the page is cross-origin isolated (COOP + COEP), which gives
  \`performance.now()\` its finest resolution, 5 us with jitter; per-call values are
  multiples of it. The batch row (mean per event of each batch of 100) is fine-grained
  but smooths single slow calls. Warm-up pass first, as in node.
- **Cold start**: a fresh browser context per run, every URL unique and served with
  \`Cache-Control: no-store\` from 127.0.0.1: dynamic import of the glue, streaming
  fetch + compile + instantiate of the wasm, then \`new OmniSync(rules)\` with 100 rules
  given as JSON text, as the host page hands over the rules resource it fetched.
- **Repeat load** (bench/browser.mjs \`repeatBench\`, alone: \`node bench/repeat.mjs\`):
  the same files served as a static resource is (an ETag and \`Cache-Control:
  max-age=86400\`, \`application/wasm\`). Per run a fresh persistent profile
  (a user-data-dir): a first load that then handles ${m.chromium?.repeat ? int(m.chromium.repeat.primeEvents) : "20,000"} events of the trace
  (V8 tiers the hot functions up to TurboFan) and stays open ${m.chromium?.repeat ? fixed(m.chromium.repeat.cacheWaitMs / 1000, 0) : "4"} s (V8 caches
  compiled wasm after \`--wasm-caching-timeout-ms\`, 2,000 ms, without new top-tier
  code once \`--wasm-caching-threshold\`, 1,000 bytes, of it exists: the defaults
  \`chromium --js-flags=--help\` prints); the browser is closed, a new one opens the
  same URLs in the same profile and the cold-start clock runs as above.
- **Size**: the files the agent's browser downloads, gzip -9 as \`gzip -9 -c\` counts
  it; the IIFE row is \`npm run build:iife\`'s bundle of glue and shim, the form the
  Salesforce static resource carries next to the wasm.
- **Memory**: a fresh instance's \`memory.buffer.byteLength\` after 100,000 and after
  1,000,000 events of the same generator through \`handle()\` (actions read). The
  compact traces live in JavaScript (a \`Uint8Array\` per decision), so the garbage
  collector frees them with the decision and nothing accumulates in wasm memory.

${boundary(m)}
${kept}## Reproduce

\`\`\`sh
bash scripts/setup.sh            # toolchains, Chromium, npm packages (fresh machine)
bash scripts/build-wasm.sh       # pkg/web and pkg/node
npm run bench                    # this table, bench/results.json, this file
npm run bench -- --native        # the same plus the native rows (runs cargo bench)
node bench/repeat.mjs            # the repeat load alone (--runs, --js-flags, --before DIR)
cargo bench --bench engine       # native throughput of Engine::handle alone
\`\`\`

Options of bench/run.mjs: \`--events N\` (default 100000), \`--cold-runs N\` (default 20),
\`--repeat-runs N\` (default 10, primed profiles for the repeat load),
\`--no-browser\` (skip Chromium), \`--native\`, \`--before DIR\` (another build's pkg
directory, node/ and web/, measured in the same run: the before/after rows).
`;
  fs.writeFileSync(path.join(ROOT, "docs/performance.md"), doc);
}
