// The measurements made in this node process: equivalence, throughput, per-event
// latency, wasm memory and bundle sizes. Each returns plain numbers for run.mjs.

import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { events } from "./trace.mjs";
import { jsonLogicPeer, jsonRulesEnginePeer } from "./peers.mjs";
import { percentiles } from "./stats.mjs";
import { gzipBytes, shippedSizes } from "./size.mjs";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);

/** The node build (CommonJS glue); fails with the fix when it is not built. */
export function loadOmniSync() {
  const glue = path.join(ROOT, "pkg/node/omnisync.js");
  if (!fs.existsSync(glue)) throw new Error("pkg/node is missing: run bash scripts/build-wasm.sh first");
  return require(glue).OmniSync;
}

/** The three engines behind one interface: `make()` gives a fresh one for a pass. */
export function engines(file) {
  const OmniSync = loadOmniSync();
  return [
    { key: "omnisync", label: "omnisync (wasm)", async: false,
      make: () => { const s = new OmniSync(file); return (e) => s.decide(e); } },
    { key: "jsonRulesEngine", label: "json-rules-engine", async: true,
      make: () => { const p = jsonRulesEnginePeer(file); return (e) => p.handle(e); } },
    { key: "jsonLogic", label: "json-logic-js (plain JS)", async: false,
      make: () => { const p = jsonLogicPeer(file); return (e) => p.handle(e); } },
  ];
}

// Actions compare on every field omnisync emits, whatever the key order.
const actionKey = (a) => JSON.stringify([a.type, a.statusId ?? null, a.developerName ?? null, a.state ?? null, a.rule]);

/**
 * Runs every engine over the trace and compares the action lists event by event.
 * @returns {{equivalent: boolean, actions: number, firstDifference: object | null}}
 */
export async function checkEquivalence(list, trace) {
  const handlers = list.map((e) => ({ ...e, handle: e.make() }));
  let actions = 0;
  for (let i = 0; i < trace.length; i++) {
    const out = [];
    for (const h of handlers) out.push(h.async ? await h.handle(trace[i]) : h.handle(trace[i]));
    const keys = out.map((acts) => acts.map(actionKey).join("\n"));
    if (keys.some((k) => k !== keys[0])) {
      const firstDifference = { index: i, event: trace[i] };
      handlers.forEach((h, j) => { firstDifference[h.key] = out[j]; });
      return { equivalent: false, actions, firstDifference };
    }
    actions += out[0].length;
  }
  return { equivalent: true, actions, firstDifference: null };
}

/** Seconds for one pass of `engine` over the trace, with a fresh engine. */
async function pass(engine, trace) {
  const handle = engine.make();
  let actions = 0;
  const start = process.hrtime.bigint();
  if (engine.async) for (const e of trace) actions += (await handle(e)).length;
  else for (const e of trace) actions += handle(e).length;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (actions === 0) throw new Error(`${engine.label} decided nothing: the pass measured nothing`);
  return seconds;
}

/**
 * Events per second of every engine, best of `passes` passes. The passes are
 * interleaved (one of each engine, then the next round), so a slow spell of a shared
 * machine falls on all of them rather than on one engine's figure.
 * @param {{key: string, label: string}[]} list engines from `engines()`
 * @param {object[]} trace the events
 * @param {number} passes passes per engine
 * @param {(message: string) => void} step progress
 * @returns {Promise<Record<string, number>>} events/s by engine key
 */
export async function throughput(list, trace, passes, step) {
  const best = Object.fromEntries(list.map((e) => [e.key, Infinity]));
  for (let p = 1; p <= passes; p++) {
    for (const engine of list) {
      step(`throughput pass ${p}/${passes}: ${engine.label}`);
      best[engine.key] = Math.min(best[engine.key], await pass(engine, trace));
    }
  }
  return Object.fromEntries(list.map((e) => [e.key, trace.length / best[e.key]]));
}

/**
 * Per-event latency of `decide()` (the actions-only fast path) through the whole JS -> wasm -> JS path (event object
 * in, decision object out), timed with process.hrtime.bigint around each call, after a
 * warm-up pass over the same trace with another engine.
 */
export function nodeLatency(file, trace) {
  const OmniSync = loadOmniSync();
  const warm = new OmniSync(file);
  for (const e of trace) warm.decide(e);
  warm.free();
  const sync = new OmniSync(file);
  const us = new Float64Array(trace.length);
  for (let i = 0; i < trace.length; i++) {
    const start = process.hrtime.bigint();
    sync.decide(trace[i]);
    us[i] = Number(process.hrtime.bigint() - start) / 1000;
  }
  return percentiles(us);
}

/**
 * The wasm linear memory of a fresh instance (the web glue's initSync, so the memory is
 * reachable and no other pass has grown it) after 100k and after 1M events through
 * handle(). Linear memory never shrinks, so equal sizes mean no growth at all.
 */
export async function wasmMemory(file, total = 1_000_000, first = 100_000) {
  const glue = await import(path.join(ROOT, "pkg/web/omnisync.js"));
  const { memory } = glue.initSync({ module: fs.readFileSync(path.join(ROOT, "pkg/web/omnisync_bg.wasm")) });
  const sync = new glue.OmniSync(file);
  const initialBytes = memory.buffer.byteLength;
  let n = 0;
  let after100kBytes = 0;
  for (const e of events(total)) {
    sync.handle(e);
    if (++n === first) after100kBytes = memory.buffer.byteLength;
  }
  const after1mBytes = memory.buffer.byteLength;
  return { initialBytes, after100kBytes, after1mBytes, growthBytes: after1mBytes - after100kBytes };
}

/**
 * What the agent's browser downloads: the wasm, the wasm-bindgen glue and the shim as
 * separate files (the budget's "wasm plus glue plus shim"), and the classic-script
 * bundle of glue plus shim that the Salesforce static resource carries
 * (package.json's build:iife, built into a temporary directory).
 */
export function sizes() {
  const shipped = shippedSizes();
  let iife = null;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "omnisync-bench-"));
  try {
    const out = path.join(dir, "omnisync.iife.js");
    execFileSync(path.join(ROOT, "node_modules/.bin/esbuild"), ["www/omnisync.js", "--bundle", "--format=iife",
      "--global-name=OmniSyncShim", "--log-level=error", `--outfile=${out}`], { cwd: ROOT });
    iife = { file: "omnisync.iife.js (glue + shim, static resource)", bytes: fs.statSync(out).size, gzipBytes: gzipBytes(out) };
  } catch (err) {
    console.warn(`(the IIFE bundle could not be built: ${err.message})`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return { ...shipped, iife };
}
