// The glue compiles the wasm while it downloads (WebAssembly.instantiateStreaming) when
// the server says application/wasm, as the Salesforce static resource and the bench's
// server do; with another Content-Type it warns and falls back to fetching the whole
// ArrayBuffer first, which is slower and, above all, is never cached compiled by V8.
// Both paths are observed here: spies on the two WebAssembly calls, and the console.
//
//   node e2e/run.mjs e2e/wasm-streaming.test.mjs

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { assertRuntimeBuilt, launchBrowser } from "./harness.mjs";
import { serve } from "../bench/browser.mjs";

let browser;

before(async () => {
  assertRuntimeBuilt();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

/** Counts what the page asks of WebAssembly before any of its scripts run. */
function spyOnWebAssembly() {
  const calls = { streaming: 0, streamingResolved: 0, fromBytes: 0 };
  window.__wasmCalls = calls;
  const streaming = WebAssembly.instantiateStreaming;
  WebAssembly.instantiateStreaming = function (...args) {
    calls.streaming++;
    return streaming.apply(this, args).then((result) => { calls.streamingResolved++; return result; });
  };
  const instantiate = WebAssembly.instantiate;
  WebAssembly.instantiate = function (source, ...rest) {
    if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) calls.fromBytes++;
    return instantiate.call(this, source, ...rest);
  };
}

/** Loads the shipped glue and wasm (the cold-start page) from a server sending `wasmType`. */
async function load(wasmType) {
  const server = await serve(null, { wasmType });
  const page = await browser.context.newPage();
  try {
    const warnings = [];
    page.on("console", (m) => { if (m.type() === "warning") warnings.push(m.text()); });
    await page.addInitScript(spyOnWebAssembly);
    await page.goto(`http://127.0.0.1:${server.address().port}/bench/www/cold.html?rules=10&run=${encodeURIComponent(wasmType)}`);
    await page.waitForFunction(() => window.__bench || window.__benchError, null, { timeout: 60_000 });
    const { bench, error, calls } = await page.evaluate(() => ({ bench: window.__bench, error: window.__benchError, calls: window.__wasmCalls }));
    assert.equal(error, undefined, "the engine starts either way");
    assert.ok(bench.constructMs >= 0);
    return { calls, warnings };
  } finally {
    await page.close();
    await new Promise((resolve) => server.close(resolve));
  }
}

test("served as application/wasm, the glue compiles it streaming, with no fallback", async () => {
  const { calls, warnings } = await load("application/wasm");
  assert.deepEqual(calls, { streaming: 1, streamingResolved: 1, fromBytes: 0 });
  assert.deepEqual(warnings.filter((w) => w.includes("instantiateStreaming")), []);
});

test("served with another Content-Type, the glue warns and instantiates from the bytes", async () => {
  const { calls, warnings } = await load("application/octet-stream");
  assert.equal(calls.streaming, 1, "streaming is tried first");
  assert.equal(calls.streamingResolved, 0, "and refused for the Content-Type");
  assert.equal(calls.fromBytes, 1, "the ArrayBuffer fallback");
  assert.equal(warnings.filter((w) => w.includes("instantiateStreaming") && w.includes("application/wasm")).length, 1);
});
