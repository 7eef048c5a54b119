// Per-event latency of handle() in Chromium, the full JS -> wasm -> JS path (the
// decision's actions read, its trace not).
//
// performance.now() is coarse in browsers: Chromium clamps it to 100 us, or to 5 us in a
// cross-origin isolated page (this one is: the server sends COOP and COEP), with random
// jitter at each step so that differences average out. So two measurements:
// - per event: one reading before and one after each call, at the clamped resolution
//   (measured below and reported): p50/p99/max are multiples of it;
// - per batch of 100 events: the mean per event of each batch, fine-grained, which
//   bounds where the per-event values lie but smooths single slow calls.
import init, { OmniSync } from "/pkg/omnisync.js";
import { omnisyncRules } from "/bench/rules.mjs";
import { makeTrace } from "/bench/trace.mjs";
import { percentiles } from "/bench/stats.mjs";

const BATCH = 100;

/** The smallest step performance.now() takes here, in us. */
function timerResolutionUs() {
  let smallest = Infinity;
  let previous = performance.now();
  for (let i = 0; i < 200_000; i++) {
    const now = performance.now();
    if (now !== previous) {
      smallest = Math.min(smallest, now - previous);
      previous = now;
    }
  }
  return Math.round(smallest * 1e6) / 1e3;
}

async function main() {
  const count = Number(new URLSearchParams(location.search).get("events") ?? 100_000);
  await init();
  const file = omnisyncRules();
  const trace = makeTrace(count);
  // Warm-up: one whole pass, so the JIT has compiled the glue and the wasm tier is up.
  const warm = new OmniSync(file);
  for (const event of trace) warm.handle(event).actions;
  warm.free();

  const sync = new OmniSync(file);
  const perEvent = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    sync.handle(trace[i]).actions;
    perEvent[i] = (performance.now() - start) * 1000;
  }
  sync.free();

  const batched = new OmniSync(file);
  const perBatch = [];
  const start = performance.now();
  for (let i = 0; i + BATCH <= count; i += BATCH) {
    const t0 = performance.now();
    for (let j = i; j < i + BATCH; j++) batched.handle(trace[j]).actions;
    perBatch.push((performance.now() - t0) * 1000 / BATCH);
  }
  const seconds = (performance.now() - start) / 1000;

  window.__bench = {
    crossOriginIsolated: self.crossOriginIsolated,
    resolutionUs: timerResolutionUs(),
    events: count,
    perEvent: percentiles(perEvent),
    meanUs: Math.round(perEvent.reduce((a, b) => a + b, 0) / count * 100) / 100,
    batch: { size: BATCH, ...percentiles(perBatch) },
    eventsPerSecond: Math.round(perBatch.length * BATCH / seconds),
  };
}

main().catch((err) => { window.__benchError = String(err?.stack ?? err); });
