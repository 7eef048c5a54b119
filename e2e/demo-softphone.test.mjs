// The console demo's topology, in headless Chromium: the softphone is a frame on the
// demo server's second origin running the real relay, and the engine in the console
// page hears the phone only over the simulated message channel (postMessage).
//
//   node e2e/run.mjs e2e/demo-softphone.test.mjs

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { assertRuntimeBuilt, launchBrowser, openDemo, startServer, waitFor } from "./harness.mjs";

let server;
before(async () => {
  assertRuntimeBuilt();
  server = await startServer();
});
after(async () => server?.stop());

const state = () => server.api("/api/state");

test("the demo's softphone lives on another origin and reaches the engine only through the relay", { timeout: 60000 }, async () => {
  await server.api("/api/reset", {});
  const browser = await launchBrowser();
  try {
    const page = await openDemo(browser.context, server.demo, "?heartbeatMs=300");
    const { origin } = await server.api("/api/softphone");
    assert.notEqual(origin, new URL(server.demo).origin, "two origins");
    const frame = page.frames().find((f) => f.url().startsWith(`${origin}/demo/softphone.html`));
    assert.ok(frame, "the softphone frame is served from the second origin");
    assert.equal(await page.getByTestId("telephony-source").innerText(), "softphone relay: softphone");

    // Every telephony message the console page received came by postMessage from the frame.
    await page.evaluate(() => {
      window.lmsSeen = [];
      addEventListener("message", (e) => e.data?.omnisyncLms && window.lmsSeen.push({ origin: e.origin, message: e.data.message }));
    });
    await page.frameLocator("[data-testid=softphone-frame]").getByTestId("phone-state-select").selectOption("Lunch");
    await waitFor(async () => (await state()).omni.developerName === "Lunch", { what: "Omni-Channel on Lunch" });
    const seen = await waitFor(async () => {
      const all = await page.evaluate(() => window.lmsSeen);
      return all.some(({ message: m }) => m.kind === "telephony" && m.type === "changed" && m.newState === "Lunch") && all;
    }, { what: "the phone change to arrive by postMessage" });
    assert.deepEqual([...new Set(seen.map((e) => e.origin))], [origin], "only from the softphone's origin");
    const trace = await page.evaluate(() => globalThis.omnisyncDemo.instance.trace().map((e) => e.message));
    assert.ok(trace.includes("softphone relay appeared (softphone)"), trace.join("\n"));

    // The relay stops: the console says it waits for the softphone, and the trace says why.
    await frame.evaluate(() => globalThis.omnisyncRelay.stop());
    await waitFor(async () => (await page.getByTestId("telephony-source").innerText()) === "waiting for the softphone",
      { what: "the console to wait for the softphone", timeout: 5000 });
    assert.deepEqual(browser.errors, []);
  } finally {
    await browser.close();
  }
});
