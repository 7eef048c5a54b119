// The console demo's topology, in headless Chromium: the softphone is a frame on the
// demo server's second origin running the real relay, and the engine in the console
// page hears the phone only over the simulated message channel (postMessage). Every
// softphone of the demo: the generic hook (the default), Amazon Connect Streams
// (?phone=connect) and NICE CXone's real agent SDK against the server's stand-in for
// CXone's cloud (?phone=cxone).
//
//   node e2e/run.mjs e2e/demo-softphone.test.mjs

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { assertRuntimeBuilt, launchBrowser, openDemo, sleep, startServer, waitFor } from "./harness.mjs";

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

// The CDN copy of rxjs the CXone SDK's event worker imports, served from the installed one.
const RXJS_CDN = "https://cdnjs.cloudflare.com/ajax/libs/rxjs/6.6.7/rxjs.umd.min.js";
const RXJS_LOCAL = new URL("../node_modules/rxjs/dist/bundles/rxjs.umd.min.js", import.meta.url).pathname;

// The softphone's other phones (URL option ?phone=): what the console's status line
// names, and what the phone was asked to set (Streams' setState reaches the demo
// server as a toolkit write; the CXone SDK's setAgentState as a request to CXone).
const PHONES = {
  connect: {
    label: "softphone relay: Amazon Connect",
    writes: async () => (await server.api("/api/log")).entries.filter((e) => e.path === "/api/phone/state").map((e) => e.body.state),
    breakWrite: "Break",
  },
  cxone: {
    label: "softphone relay: NICE CXone",
    writes: async () => (await server.api("/api/cxone")).setStateCalls,
    breakWrite: { state: "Unavailable", reason: "Break" },
  },
};

for (const [phone, expect] of Object.entries(PHONES)) {
  test(`?phone=${phone}: a state reaches the engine through the relay and back; a reload of the softphone is no change`, { timeout: 90000 }, async () => {
    await server.api("/api/reset", {});
    const browser = await launchBrowser();
    try {
      await browser.context.route(RXJS_CDN, (route) => route.fulfill({ path: RXJS_LOCAL, contentType: "text/javascript" }));
      const page = await openDemo(browser.context, server.demo, `?heartbeatMs=300&phone=${phone}`);
      const { origin } = await server.api("/api/softphone");
      const frame = page.frames().find((f) => f.url().startsWith(`${origin}/demo/softphone.html`));
      assert.ok(frame && new URL(frame.url()).searchParams.get("phone") === phone, "the softphone, on the second origin");
      const relaySpeaks = () => waitFor(async () => (await page.getByTestId("telephony-source").innerText()) === expect.label,
        { what: `the relay to speak for ${phone}`, timeout: 20000 });
      await relaySpeaks();
      await page.evaluate(() => {
        window.lmsSeen = [];
        addEventListener("message", (e) => e.data?.omnisyncLms && window.lmsSeen.push(e.data.message));
      });
      const changes = () => page.evaluate(() => window.lmsSeen.filter((m) => m.kind === "telephony" && m.type === "changed").map((m) => m.newState));

      // The agent picks Lunch on the phone (in CXone: Unavailable with the code Lunch).
      await page.frameLocator("[data-testid=softphone-frame]").getByTestId("phone-state-select").selectOption("Lunch");
      await waitFor(async () => (await state()).omni.developerName === "Lunch", { what: "Omni-Channel on Lunch", timeout: 15000 });
      assert.deepEqual(await changes(), ["Lunch"]);

      // The agent picks Break in Omni-Channel: the phone is asked once.
      const breakId = (await state()).catalog.statuses.find((s) => s.developerName === "Break").id;
      await server.api("/api/omni/status", { statusId: breakId, by: "agent" });
      await waitFor(async () => (await expect.writes()).length, { what: "the phone to be set", timeout: 15000 });
      await sleep(1500);
      assert.deepEqual(await expect.writes(), [expect.breakWrite]);
      assert.equal((await state()).telephony.state, "Break");

      // A reload of the softphone page: a new phone client and relay, whose first state is no change.
      const before = (await changes()).length;
      const snapshots = () => page.evaluate(() => window.lmsSeen.filter((m) => m.kind === "telephony" && m.type === "snapshot").length);
      const snapshotsBefore = await snapshots();
      await frame.evaluate(() => location.reload());
      await waitFor(async () => (await snapshots()) > snapshotsBefore, { what: "the reloaded relay's snapshot", timeout: 20000 });
      await relaySpeaks();
      await sleep(1500);
      assert.equal((await changes()).length, before, "the reload is no change");
      assert.equal((await state()).omni.developerName, "Break");
      assert.equal((await expect.writes()).length, 1);
      assert.deepEqual(browser.errors, []);
    } finally {
      await browser.close();
    }
  });
}
