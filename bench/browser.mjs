// The headless Chromium measurements: per-event latency of handle() and cold start.
// Chromium is Debian's, driven by playwright-core with the flags e2e/harness.mjs uses.
// The files are served from this process on 127.0.0.1 (as scripts/serve.mjs does for
// the demo) with two additions the measurements need: Cross-Origin-Opener-Policy and
// Cross-Origin-Embedder-Policy, which make the page cross-origin isolated and so give
// performance.now() its finer resolution (5 us instead of 100 us in Chromium), and
// Cache-Control: no-store so every cold start fetches and compiles afresh. The repeat
// load (repeatBench) is served the same URLs as a Salesforce static resource is: a
// validator and a max-age, so the second visit reads the HTTP cache and the code V8
// cached beside it.

import http from "node:http";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";
import { ROOT } from "./node.mjs";
import { median, round } from "./stats.mjs";

const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];
// /pkg/ is the browser build, as the demo serves it; /bench/ holds the pages and the
// rule and trace generators they import.
const MOUNTS = [["/pkg/", "pkg/web"], ["/bench/", "bench"]];
const MIME = { ".html": "text/html; charset=utf-8", ".mjs": "text/javascript; charset=utf-8",
  ".js": "text/javascript; charset=utf-8", ".wasm": "application/wasm", ".json": "application/json" };

/** A day, as a browser keeps a static resource between two of the agent's shifts. */
const MAX_AGE_S = 86_400;

/**
 * Serves MOUNTS on a free port of 127.0.0.1.
 * @param {string|null} before another build's pkg directory, served at /pkg-before/
 * @param {{cacheable?: boolean, wasmType?: string}} [how] cacheable: an ETag and
 *   Cache-Control: max-age (304 on a matching If-None-Match) instead of no-store;
 *   wasmType: the Content-Type of .wasm files (a wrong one, for the glue's fallback)
 */
export function serve(before, { cacheable = false, wasmType = MIME[".wasm"] } = {}) {
  const mounts = before ? [["/pkg-before/", path.resolve(before, "web")], ...MOUNTS] : MOUNTS;
  const server = http.createServer((req, res) => {
    const { pathname } = new URL(req.url, "http://127.0.0.1");
    const mount = mounts.find(([prefix]) => pathname.startsWith(prefix));
    const base = mount && path.resolve(ROOT, mount[1]);
    const file = mount && path.join(base, decodeURIComponent(pathname.slice(mount[0].length)));
    if (!file || !file.startsWith(base + path.sep) || !fs.statSync(file, { throwIfNoEntry: false })?.isFile()) {
      res.writeHead(404).end();
      return;
    }
    const stat = fs.statSync(file);
    const etag = `"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}"`;
    const caching = cacheable
      ? { "Cache-Control": `max-age=${MAX_AGE_S}`, ETag: etag, "Last-Modified": stat.mtime.toUTCString() }
      : { "Cache-Control": "no-store" };
    if (cacheable && req.headers["if-none-match"] === etag) {
      res.writeHead(304, caching).end();
      return;
    }
    const ext = path.extname(file);
    res.writeHead(200, {
      "Content-Type": ext === ".wasm" ? wasmType : MIME[ext] ?? "application/octet-stream",
      ...caching,
      "Cross-Origin-Opener-Policy": "same-origin",
      "Cross-Origin-Embedder-Policy": "require-corp",
      "Cross-Origin-Resource-Policy": "same-origin",
      // The policy Salesforce pages impose and the demo keeps: no eval, wasm allowed.
      "Content-Security-Policy": "script-src 'self' 'wasm-unsafe-eval'",
    });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

/** Opens `url` in a fresh context and waits for the page to publish `window.__bench`. */
async function runPage(browser, url, timeout) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (err) => errors.push(err.message));
    page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
    await page.goto(url);
    await page.waitForFunction(() => window.__bench || window.__benchError, null, { timeout, polling: 200 })
      .catch((err) => { throw new Error(`${url}: ${errors.join("; ") || err.message}`); });
    const result = await page.evaluate(() => window.__bench ?? { error: window.__benchError });
    if (result.error) throw new Error(`${url}: ${result.error}`);
    return result;
  } finally {
    await context.close();
  }
}

/**
 * Runs the latency page once and the cold-start page `coldRuns` times, each in a fresh
 * browser context (no HTTP cache, no compiled-code cache, nothing shared).
 */
export async function chromiumBench({ events = 100_000, coldRuns = 20, coldRules = 100, before = null } = {}) {
  const server = await serve(before);
  const origin = `http://127.0.0.1:${server.address().port}`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
  try {
    const latency = await runPage(browser, `${origin}/bench/www/latency.html?events=${events}`, 300_000);
    // With a build to compare, its runs alternate with this one's.
    const cold = [];
    const coldBefore = [];
    for (let run = 0; run < coldRuns; run++) {
      cold.push(await runPage(browser, `${origin}/bench/www/cold.html?rules=${coldRules}&run=${run}`, 60_000));
      if (before) {
        coldBefore.push(await runPage(browser, `${origin}/bench/www/cold.html?rules=${coldRules}&run=b${run}&pkg=pkg-before`, 60_000));
      }
    }
    const summary = (runs) => ({
      runs: runs.length,
      rules: coldRules,
      crossOriginIsolated: runs.every((c) => c.crossOriginIsolated),
      medianMs: median(runs.map((c) => c.totalMs)),
      medianLoadMs: median(runs.map((c) => c.loadMs)),
      medianConstructMs: median(runs.map((c) => c.constructMs)),
      medianSinceNavigationMs: median(runs.map((c) => c.sinceNavigationMs)),
      minMs: round(Math.min(...runs.map((c) => c.totalMs))),
      maxMs: round(Math.max(...runs.map((c) => c.totalMs))),
    });
    return {
      version: browser.version(),
      latency,
      cold: summary(cold),
      coldBefore: before ? summary(coldBefore) : null,
    };
  } finally {
    await browser.close();
    await new Promise((resolve) => server.close(resolve));
  }
}

/**
 * V8's wasm code caching, as `chromium --js-flags=--help` gives the defaults of
 * Chromium 156: a module is cached once `--wasm-caching-threshold` (1,000) bytes of
 * top-tier (TurboFan) code exist and no new code was compiled for
 * `--wasm-caching-timeout-ms` (2,000 ms); functions tier up after about
 * `--wasm-tiering-budget` (13,000,000) bytes executed. The primed page therefore handles
 * PRIME_EVENTS events (the hot functions tier up) and stays open CACHE_WAIT_MS after.
 */
const PRIME_EVENTS = 20_000;
const CACHE_WAIT_MS = 4_000;

/** One persistent profile: cold.html at `url`, then the browser closed. */
async function inProfile(profile, url, jsFlags, holdMs) {
  const args = jsFlags ? [...FLAGS, `--js-flags=${jsFlags}`] : FLAGS;
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args });
  try {
    const page = context.pages()[0] ?? await context.newPage();
    const errors = [];
    page.on("pageerror", (err) => errors.push(err.message));
    // Warnings too: the glue warns when it falls back from streaming compilation. The
    // browser's own request for /favicon.ico is no part of the page.
    page.on("console", (m) => {
      if ((m.type() === "error" || m.type() === "warning") && !m.location().url.endsWith("/favicon.ico")) errors.push(m.text());
    });
    await page.goto(url);
    await page.waitForFunction(() => window.__bench || window.__benchError, null, { timeout: 120_000, polling: 100 })
      .catch((err) => { throw new Error(`${url}: ${errors.join("; ") || err.message}`); });
    const result = await page.evaluate(() => window.__bench ?? { error: window.__benchError });
    if (result.error || errors.length) throw new Error(`${url}: ${result.error ?? errors.join("; ")}`);
    if (holdMs) await page.waitForTimeout(holdMs);
    await page.close();
    return result;
  } finally {
    await context.close();
  }
}

/**
 * The repeat load: per run a fresh profile, primed once (first load, PRIME_EVENTS
 * events, CACHE_WAIT_MS open, browser closed), then the same URLs in the same profile
 * from a new browser (HTTP cache warm, the agent's console the next day), timed from
 * the glue's import to the engine constructed.
 * @param {{runs?: number, rules?: number, jsFlags?: string, before?: string|null}} [options]
 *   jsFlags: V8 flags for both launches; before: another build's pkg directory, loaded
 *   instead of this one (both for experiments; the shipped figure uses neither)
 */
export async function repeatBench({ runs = 10, rules = 100, jsFlags = "", before = null } = {}) {
  const server = await serve(before, { cacheable: true });
  const origin = `http://127.0.0.1:${server.address().port}`;
  const firsts = [];
  const repeats = [];
  try {
    for (let run = 0; run < runs; run++) {
      const profile = fs.mkdtempSync(path.join(os.tmpdir(), "omnisync-repeat-"));
      try {
        const url = `${origin}/bench/www/cold.html?rules=${rules}&run=r${run}${before ? "&pkg=pkg-before" : ""}`;
        firsts.push(await inProfile(profile, `${url}&prime=${PRIME_EVENTS}`, jsFlags, CACHE_WAIT_MS));
        repeats.push(await inProfile(profile, url, jsFlags, 0));
      } finally {
        fs.rmSync(profile, { recursive: true, force: true });
      }
    }
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
  const summary = (list) => ({
    median: median(list.map((c) => c.totalMs)),
    load: median(list.map((c) => c.loadMs)),
    glue: median(list.map((c) => c.glueMs)),
    construct: median(list.map((c) => c.constructMs)),
    min: round(Math.min(...list.map((c) => c.totalMs))),
    max: round(Math.max(...list.map((c) => c.totalMs))),
  });
  return { runs, rules, primeEvents: PRIME_EVENTS, cacheWaitMs: CACHE_WAIT_MS, jsFlags, first: summary(firsts), repeat: summary(repeats) };
}
