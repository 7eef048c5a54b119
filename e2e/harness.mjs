// The browser end-to-end harness: the demo server as a child process on a free port,
// Debian's Chromium through playwright-core (docs/design-notes.md, "Browser tests": its own flags, a fresh
// profile per browser, 127.0.0.1 only), and every page's console errors and uncaught
// exceptions collected so that each test can insist there were none.

import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildSync } from "esbuild";
import { chromium } from "playwright-core";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
export const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];

/**
 * Fails early, with the fix in the message, when the runtime the demo needs is not
 * built or not written yet.
 */
export function assertRuntimeBuilt() {
  const missing = ["pkg/web/omnisync.js", "pkg/web/omnisync_bg.wasm", "www/omnisync.js"]
    .filter((file) => !fs.existsSync(path.join(ROOT, file)));
  if (missing.length) {
    throw new Error(`the demo needs ${missing.join(", ")}: run bash scripts/build-wasm.sh (pkg/web) and check that the shim www/omnisync.js exists`);
  }
}

const bundles = new Map();

/**
 * A fixture of e2e/fixtures (an ES module importing the one fake of Omni-Channel and the
 * softphone, www/demo/sim/) as the classic script a page loads: the fakes must
 * run before the page's own scripts, as the Salesforce scripts they stand for do, and a
 * module script would run after them.
 * @param {string} name e.g. "fake-lightning.js"
 * @returns {Uint8Array} the bundled script (esbuild, one IIFE)
 */
export function fixtureScript(name) {
  if (!bundles.has(name)) {
    const { outputFiles } = buildSync({
      entryPoints: [path.join(ROOT, "e2e/fixtures", name)], bundle: true, format: "iife", write: false,
      target: "es2020", logLevel: "error",
    });
    bundles.set(name, outputFiles[0].contents);
  }
  return bundles.get(name);
}

/**
 * Starts scripts/serve.mjs on a free port.
 * @returns {Promise<{base: string, demo: string, api: (path: string, body?: object) => Promise<any>, stop: () => Promise<void>}>}
 *   `api` GETs without a body and POSTs with one, and throws on an HTTP error.
 */
export async function startServer() {
  const child = spawn(process.execPath, [path.join(ROOT, "scripts/serve.mjs"), "--port", "0"], {
    cwd: ROOT, stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk) => { stderr += chunk; });
  const demo = await new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`serve.mjs did not start in 10 s: ${out}${stderr}`)), 10000);
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const match = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+\/demo\/)/);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.on("exit", (code) => reject(new Error(`serve.mjs exited (${code}): ${stderr}`)));
  });
  const base = new URL(demo).origin;

  async function api(route, body) {
    const response = await fetch(`${base}${route}`, body === undefined ? {} : {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    });
    const payload = await response.json();
    if (!response.ok) throw new Error(`${route}: HTTP ${response.status} ${payload.error ?? ""}`);
    return payload;
  }

  async function stop() {
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  }
  return { base, demo, api, stop };
}

/**
 * Launches Chromium with a fresh profile. Tabs of one browser share Web Locks and
 * BroadcastChannel, as an agent's console tabs do; separate browsers share nothing.
 * @returns {Promise<{context: import("playwright-core").BrowserContext, errors: string[],
 *   close: () => Promise<void>}>} `errors` collects, from every page, console messages
 *   of type error and uncaught exceptions.
 */
export async function launchBrowser() {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "omnisync-e2e-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1440, height: 1100 },
  });
  const errors = [];
  const watch = (page) => {
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(`console: ${message.text()} (${page.url()})`);
    });
    page.on("pageerror", (error) => errors.push(`uncaught: ${error.stack ?? error.message} (${page.url()})`));
  };
  context.pages().forEach(watch);
  context.on("page", watch);
  return {
    context,
    errors,
    async close() {
      await context.close().catch(() => {});
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Opens the demo in a new tab and waits until its engine runs.
 * @param {import("playwright-core").BrowserContext} context
 * @param {string} demo the demo's URL
 * @param {string} [query] e.g. "?reconcileMs=1000"
 * @returns {Promise<import("playwright-core").Page>}
 */
export async function openDemo(context, demo, query = "") {
  const page = await context.newPage();
  await page.goto(`${demo}${query}`);
  await waitForEngine(page);
  return page;
}

/**
 * Waits for the page's engine to be running; throws the page's own explanation if it
 * failed to start.
 * @param {import("playwright-core").Page} page
 */
export async function waitForEngine(page) {
  await page.waitForSelector("body[data-engine=running], body[data-engine=failed]", { timeout: 15000 });
  if (await page.locator("body[data-engine=failed]").count()) {
    throw new Error(`the engine did not start: ${await page.getByTestId("engine-error").innerText()}`);
  }
}

/**
 * Polls `probe` until it returns a truthy value.
 * @template T
 * @param {() => Promise<T> | T} probe
 * @param {{timeout?: number, interval?: number, what?: string}} [options]
 * @returns {Promise<T>} the truthy value
 */
export async function waitFor(probe, { timeout = 10000, interval = 100, what = "condition" } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await probe();
      if (last) return last;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what} (last: ${last?.message ?? JSON.stringify(last)})`);
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}

/** @param {number} ms */
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
