// Cold start in a fresh browser context: fetch the glue and the wasm, compile and
// instantiate (streaming), then construct the engine with 100 rules given as JSON text,
// as the host page hands over the rules static resource it fetched (www/salesforce/host.js).
// The text is made before the clock starts: fetching the resource is not the engine's cost. The query string makes every URL new, so nothing compiled by an
// earlier run can be reused (the server also sends Cache-Control: no-store).
// With prime=N (the repeat load's first visit, bench/browser.mjs repeatBench) the engine
// then handles N events of the benchmark's trace, so that V8 tiers the hot functions up
// and caches the compiled module, before the page reports.
import { omnisyncRules } from "/bench/rules.mjs";
import { makeTrace } from "/bench/trace.mjs";

async function main() {
  const params = new URLSearchParams(location.search);
  const rules = JSON.stringify(omnisyncRules(Number(params.get("rules") ?? 100)));
  const run = encodeURIComponent(params.get("run") ?? "0");
  // Another build to compare (bench/run.mjs --before), served at /pkg-before/.
  const pkg = params.get("pkg") === "pkg-before" ? "pkg-before" : "pkg";

  const t0 = performance.now();
  const glue = await import(`/${pkg}/omnisync.js?run=${run}`);
  const tGlue = performance.now();
  await glue.default({ module_or_path: `/${pkg}/omnisync_bg.wasm?run=${run}` });
  const t1 = performance.now();
  const engine = new glue.OmniSync(rules);
  const t2 = performance.now();
  const prime = Number(params.get("prime") ?? 0);
  for (const event of prime > 0 ? makeTrace(prime) : []) engine.handle(event).actions;
  engine.free();

  window.__bench = {
    crossOriginIsolated: self.crossOriginIsolated,
    loadMs: t1 - t0, // fetch + compile + instantiate
    glueMs: tGlue - t0, // of which the glue's import (the rest is the wasm's)
    constructMs: t2 - t1, // parse, check and compile the rules
    totalMs: t2 - t0,
    sinceNavigationMs: t2, // performance.now() counts from navigation start
  };
}

main().catch((err) => { window.__benchError = String(err?.stack ?? err); });
