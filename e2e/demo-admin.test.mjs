// End-to-end tests of what an admin brings to the demo (issue 26): the page starts
// clean (no console warning, the engine reading the phone), the Apply button readable
// on hover, the org's catalog and the agent's context, the reset, and the rules editor
// in a form. Every console message of type warning or error fails a test.
//
//   node e2e/run.mjs e2e/demo-admin.test.mjs

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import {
  assertRuntimeBuilt, launchBrowser, openDemo, startServer, waitFor,
} from "./harness.mjs";

let server;

before(async () => {
  assertRuntimeBuilt();
  server = await startServer();
});
after(async () => server?.stop());

/** A test on a reset simulation with its own browser; any console warning or error fails it. */
function adminTest(name, body, { timeout = 60000 } = {}) {
  test(name, { timeout }, async (t) => {
    await server.api("/api/reset", {});
    const browser = await launchBrowser();
    const warnings = [];
    const watch = (page) => page.on("console", (message) => {
      if (message.type() === "warning") warnings.push(`console warning: ${message.text()} (${page.url()})`);
    });
    browser.context.on("page", watch);
    try {
      await body(browser, t);
      assert.deepEqual([...browser.errors, ...warnings], [], "no console warning, error or uncaught exception");
    } finally {
      await browser.close();
    }
  });
}

const state = () => server.api("/api/state");
const writes = async () => (await server.api("/api/log")).entries;

/** WCAG contrast ratio of two CSS rgb() colours. */
function contrast(a, b) {
  const lum = (css) => {
    const [r, g, bl] = css.match(/[\d.]+/g).slice(0, 3).map(Number).map((c) => {
      const s = c / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

// ------------------------------------------------------------------ small defects

adminTest("at start the engine shows the softphone's state, with no console warning", async ({ context }) => {
  const page = await openDemo(context, server.demo);
  const phone = (await state()).telephony.state;
  assert.ok(phone, "the simulated phone has a state");
  await waitFor(async () => (await page.getByTestId("engine-phone").getAttribute("data-state")) === phone,
    { what: `the engine panel to show the phone as ${phone}`, timeout: 3000 });
  assert.deepEqual(await writes(), [], "reading the phone at start acts on nothing");
});

adminTest("the Apply button's text stays readable on hover", async ({ context }) => {
  const page = await openDemo(context, server.demo);
  const button = page.getByTestId("rules-apply");
  await button.hover();
  const [color, background] = await button.evaluate((node) => {
    const style = getComputedStyle(node);
    return [style.color, style.backgroundColor];
  });
  const ratio = contrast(color, background);
  assert.ok(ratio >= 4.5, `text ${color} on ${background}: contrast ${ratio.toFixed(2)} (at least 4.5)`);
});
