// The measurements made in this node process: equivalence, throughput, per-event
// latency, wasm memory and bundle sizes. Each returns plain numbers for run.mjs.

import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { events } from "./trace.mjs";
import { feed } from "../www/events.js";
import { jsonLogicPeer, jsonRulesEnginePeer } from "./peers.mjs";
import { percentiles } from "./stats.mjs";
import { gzipBytes, shippedSizes } from "./size.mjs";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);

/**
 * The node build (CommonJS glue); fails with the fix when it is not built.
 * @param {string} [dir] another build's pkg directory (its node/ is loaded), for --before
 */
export function loadOmniSync(dir) {
  const glue = dir ? path.resolve(dir, "node/omnisync.js") : path.join(ROOT, "pkg/node/omnisync.js");
  if (!fs.existsSync(glue)) throw new Error(`${glue} is missing: run bash scripts/build-wasm.sh first`);
  return require(glue).OmniSync;
}

/**
 * The engines behind one interface: `make()` gives a fresh one for a pass, whose
 * function takes an event and returns the actions. omnisync runs `handle`, the one
 * path the product has, twice: with the decision's trace left unread (the peers give no
 * trace) and with it read (materialised) for every event.
 * @param {object} file the rules
 * @param {string} [before] an older build's pkg directory, measured in the same passes
 */
export function engines(file, before) {
  const OmniSync = loadOmniSync();
  const list = [
    { key: "handle", label: "omnisync handle(), trace not read", async: false,
      make: () => { const s = new OmniSync(file); return (e) => s.handle(e).actions; } },
    { key: "handleTraceRead", label: "omnisync handle(), trace read", async: false, traceRead: true,
      make: () => { const s = new OmniSync(file); return (e) => { const d = s.handle(e); if (!d.trace().rules) throw new Error("no trace"); return d.actions; }; } },
    { key: "events", label: "omnisync feed(): entry point per kind, trace not read", async: false,
      make: () => { const s = new OmniSync(file); return (e) => feed(s, e) ?? []; } },
    { key: "eventsTraceRead", label: "omnisync feed(), recent(1) read", async: false, traceRead: true,
      make: () => { const s = new OmniSync(file); return (e) => { const a = feed(s, e) ?? []; if (s.recent(1).length !== 1) throw new Error("no trace"); return a; }; } },
    { key: "jsonRulesEngine", label: "json-rules-engine", async: true,
      make: () => { const p = jsonRulesEnginePeer(file); return (e) => p.handle(e); } },
    { key: "jsonLogic", label: "json-logic-js (plain JS)", async: false,
      make: () => { const p = jsonLogicPeer(file); return (e) => p.handle(e); } },
  ];
  if (before) {
    const Old = loadOmniSync(before);
    list.push({ key: "beforeHandle", label: "before: handle()", async: false, before: true,
      make: () => { const s = new Old(file); return (e) => s.handle(e).actions; } });
    if (typeof Old.prototype.decide === "function") {
      list.push({ key: "beforeDecide", label: "before: decide()", async: false, before: true,
        make: () => { const s = new Old(file); return (e) => s.decide(e); } });
    }
  }
  return list;
}

// Actions compare on every field omnisync emits, whatever the key order.
const actionKey = (a) => JSON.stringify([a.type, a.statusId ?? null, a.developerName ?? null, a.state ?? null, a.rule]);

/**
 * Runs every engine over the trace and compares the action lists event by event (type,
 * target and the rule that decided each). omnisync's own trace must agree too: every
 * action's rule is one whose condition its trace says held.
 * @returns {{equivalent: boolean, actions: number, firstDifference: object | null}}
 */
export async function checkEquivalence(list, trace, file) {
  const handlers = list.filter((e) => !e.before).map((e) => ({ ...e, handle: e.make() }));
  const traced = new (loadOmniSync())(file);
  let actions = 0;
  for (let i = 0; i < trace.length; i++) {
    const out = [];
    for (const h of handlers) out.push(h.async ? await h.handle(trace[i]) : h.handle(trace[i]));
    const keys = out.map((acts) => acts.map(actionKey).join("\n"));
    const decision = traced.handle(trace[i]);
    // A rule with a target on each side can be superseded on one and act on the other.
    const rules = decision.trace().rules;
    // One outcome per rule: a rule with a target on each side can act on one side and
    // be superseded or already in state on the other. Its condition held either way.
    const matched = new Set(rules.filter((r) => r.matched).map((r) => r.rule));
    const traceAgrees = decision.actions.every((a) => matched.has(a.rule));
    if (keys.some((k) => k !== keys[0]) || !traceAgrees) {
      const firstDifference = { index: i, event: trace[i], traceAgrees };
      handlers.forEach((h, j) => { firstDifference[h.key] = out[j]; });
      return { equivalent: false, actions, firstDifference };
    }
    actions += out[0].length;
  }
  traced.free();
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
 * The panel's read of the last 20 decisions against handling them, as a panel showing
 * the recent decisions reads them: every 20 events of the trace are fed
 * (`feed` -> `handleFields`, timed), then `recent(20)` is read (timed), on one engine.
 * Best of `passes` passes.
 * @returns {{reads: number, readsPerSecond: number, handleUs: number, readUs: number, ratio: number}}
 *   `handleUs` and `readUs` per 20 decisions; `ratio` = read time / handle time.
 */
export function traceLast20(file, trace, passes) {
  const OmniSync = loadOmniSync();
  let best = null;
  for (let p = 0; p < passes; p++) {
    const s = new OmniSync(file);
    let handleNs = 0n;
    let readNs = 0n;
    let reads = 0;
    let shown = 0;
    for (let i = 0; i + 20 <= trace.length; i += 20) {
      const t0 = process.hrtime.bigint();
      for (let j = i; j < i + 20; j++) feed(s, trace[j]);
      const t1 = process.hrtime.bigint();
      shown += s.recent(20).length;
      readNs += process.hrtime.bigint() - t1;
      handleNs += t1 - t0;
      reads++;
    }
    s.free();
    if (shown !== reads * 20) throw new Error(`recent(20) returned ${shown} decisions for ${reads} reads`);
    const run = { reads, readsPerSecond: reads / (Number(readNs) / 1e9), handleUs: Number(handleNs) / 1e3 / reads,
      readUs: Number(readNs) / 1e3 / reads, ratio: Number(readNs) / Number(handleNs) };
    if (!best || run.readUs < best.readUs) best = run;
  }
  return best;
}

/**
 * The runtime path as the product runs it: `OmniSync.start` with a host and a telephony
 * bridge in this process that answer at once (a resolved promise, and the toolkit's or
 * the phone's echo a microtask later). Each event of the trace is pushed through the
 * bridge's subscribe callback, as the shim's adapters push them; the latency of an event
 * that leads to a command is the time from the push until the command reaches the
 * bridge (process.hrtime.bigint). Events/s counts every event, each one let settle
 * (its command carried out and the result fed back) before the next.
 * @returns {Promise<{latencyUs: {p50: number, p99: number, max: number}, eventsPerSecond: number, commands: number, events: number}>}
 */
export async function runtimeLatency(file, trace, dir) {
  const OmniSync = loadOmniSync(dir);
  const settle = async () => { for (let i = 0; i < 6; i++) await null; };
  const run = async (events) => {
    const listeners = { host: [], phone: [] };
    let pushedAt = 0n;
    let commandAt = 0n;
    const names = new Map(file.statuses.map((s) => [s.id, s.developerName]));
    const host = {
      subscribe: (cb) => listeners.host.push(cb),
      setServicePresenceStatus: (statusId) => {
        commandAt ||= process.hrtime.bigint();
        queueMicrotask(() => listeners.host.forEach((cb) => cb({ type: "omni.statusChanged", statusId,
          statusApiName: names.get(statusId) ?? "", reason: "OmniToolkitStatusChange" })));
        return Promise.resolve();
      },
      login: () => Promise.resolve(),
      getServicePresenceStatusId: () => Promise.resolve(null),
      getAgentWorkload: () => Promise.resolve(null),
    };
    const telephony = {
      subscribe: (cb) => listeners.phone.push(cb),
      setState: (newState) => {
        commandAt ||= process.hrtime.bigint();
        queueMicrotask(() => listeners.phone.forEach((cb) => cb({ type: "telephony.stateChanged", newState })));
        return Promise.resolve();
      },
      getState: () => Promise.resolve(null),
    };
    const runtime = OmniSync.start({ rules: file, host, telephony, storage: null, reconcileMs: 0,
      channel: `bench-${process.pid}-${Math.random()}` });
    for (let i = 0; i < 100 && !runtime.isLeader(); i++) await new Promise((r) => setTimeout(r, 50));
    if (!runtime.isLeader()) throw new Error("the runtime never led: nothing would reach the bridges");
    const us = [];
    const start = process.hrtime.bigint();
    for (const event of events) {
      commandAt = 0n;
      const listener = event.type.startsWith("telephony.") ? listeners.phone[0] : listeners.host[0];
      pushedAt = process.hrtime.bigint();
      listener(event);
      await settle();
      if (commandAt) us.push(Number(commandAt - pushedAt) / 1000);
    }
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const stats = runtime.stats();
    runtime.stop();
    runtime.free();
    return { us, seconds, stats };
  };
  await run(trace.slice(0, 20_000)); // warm-up
  const { us, seconds, stats } = await run(trace);
  if (us.length === 0) throw new Error("no event led to a command: the latency measured nothing");
  return { latencyUs: percentiles(us), eventsPerSecond: Math.round(trace.length / seconds), commands: us.length,
    events: trace.length, actions: stats.actions };
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
    sync.handle(e).actions;
    if (++n === first) after100kBytes = memory.buffer.byteLength;
  }
  const after1mBytes = memory.buffer.byteLength;
  return { initialBytes, after100kBytes, after1mBytes, growthBytes: after1mBytes - after100kBytes };
}

/**
 * What the agent's browser downloads: the wasm, the wasm-bindgen glue and the shim as
 * separate files (the budget's "wasm plus glue plus shim"), and the classic-script
 * bundle of glue plus shim that the Salesforce static resource carries
 * (package.json's build:iife, built into a temporary directory), and the sum of what
 * the console loads for the agent (that bundle, the host script and the wasm).
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
  // What the console's host page (OmniSyncHost.page) loads for the agent: the static
  // resource's omnisync.iife.js and host.js scripts and the wasm they fetch.
  const hostJs = path.join(ROOT, "www/salesforce/host.js");
  const agent = iife ? { parts: ["pkg/web/omnisync_bg.wasm", "omnisync.iife.js", "www/salesforce/host.js"],
    gzipBytes: shipped.wasmGzipBytes + iife.gzipBytes + gzipBytes(hostJs) } : null;
  return { ...shipped, iife, agent };
}
