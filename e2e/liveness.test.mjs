// Liveness through a frozen console: the console page (with the host frame it holds) is
// frozen for 90 s through the Chrome DevTools Protocol (Page.setWebLifecycleState), as
// Chrome may freeze a background tab. A phone change queued before the freeze is
// delivered on resume; the engine acts on it once, the bridge never calls the host
// silent, and the host answers at once when the page is active again.
//
//   node e2e/run.mjs e2e/liveness.test.mjs

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { ROOT, assertRuntimeBuilt, launchBrowser, sleep, waitFor } from "./harness.mjs";
import { openConsole, orgId, startConsole } from "./console.mjs";

const FROZEN_MS = 90000;
let origins;

before(async () => {
  assertRuntimeBuilt();
  const built = spawnSync(process.execPath, ["scripts/package-sf.mjs", "--resources-only"], { cwd: ROOT, encoding: "utf8" });
  assert.equal(built.status, 0, `package-sf.mjs --resources-only failed:\n${built.stdout}${built.stderr}`);
  origins = await startConsole();
});
after(() => origins?.close());

const lightning = (page) => page.evaluate(() => JSON.parse(JSON.stringify(window.fakeLightning)));

test("a console frozen for 90 s: the change queued meanwhile is acted on once, and nothing is called silent", { timeout: 240000 }, async () => {
  const browser = await launchBrowser();
  try {
    const { page, frame } = await openConsole(browser.context, origins.lightning);
    await waitFor(async () => (await lightning(page)).panel.some((m) => m.leader && m.state?.omni.developerName === "Available"),
      { what: "a running engine" });
    // The phone changes while the page is frozen: its timer fires on resume.
    await frame.evaluate(() => setTimeout(() => window.fakeVisualforce.agentChangesPhoneTo("Lunch"), 1000));
    const cdp = await browser.context.newCDPSession(page);
    await cdp.send("Page.setWebLifecycleState", { state: "frozen" });
    const frozenAt = Date.now();
    await sleep(FROZEN_MS);
    await cdp.send("Page.setWebLifecycleState", { state: "active" });
    const resumedAt = Date.now();
    assert.ok(resumedAt - frozenAt >= FROZEN_MS);

    const calls = await waitFor(async () => {
      const c = (await lightning(page)).toolkitCalls.filter((x) => x.method === "setServicePresenceStatus");
      return c.length ? c : null;
    }, { what: "the engine to act on the queued change", timeout: 20000 });
    await sleep(3000);
    const fake = await lightning(page);
    const sets = fake.toolkitCalls.filter((x) => x.method === "setServicePresenceStatus");
    assert.deepEqual(sets, [{ method: "setServicePresenceStatus", arg: { statusId: orgId("a", "Lunch") } }], "acted once");
    assert.equal(calls.length, 1);
    assert.notEqual(fake.hostSilent, true, "the bridge never called the host silent");
    const heardAt = await page.evaluate(() => window.fakeLightning.relay().heardAt);
    assert.ok(heardAt >= resumedAt - 1000, "the host was heard after the resume");
    const trace = await frame.evaluate(() => window.omnisyncHost.runtime.trace());
    assert.equal(trace.some((e) => /silent/.test(e.message ?? "")), false, "no silence noted in the trace");
    assert.deepEqual(browser.errors, []);
  } finally {
    await browser.close();
  }
});
