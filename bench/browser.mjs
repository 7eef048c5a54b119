// The headless Chromium measurements: per-event latency of handle() and cold start.
// Chromium is Debian's, driven by playwright-core with the flags e2e/harness.mjs uses.
// The files are served from this process on 127.0.0.1 (as scripts/serve.mjs does for
// the demo) with two additions the measurements need: Cross-Origin-Opener-Policy and
// Cross-Origin-Embedder-Policy, which make the page cross-origin isolated and so give
// performance.now() its finer resolution (5 us instead of 100 us in Chromium), and
// Cache-Control: no-store so every cold start fetches and compiles afresh.

import http from "node:http";
import fs from "node:fs";
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

/** Serves MOUNTS on a free port of 127.0.0.1. */
function serve(before) {
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
    res.writeHead(200, {
      "Content-Type": MIME[path.extname(file)] ?? "application/octet-stream",
      "Cache-Control": "no-store",
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
