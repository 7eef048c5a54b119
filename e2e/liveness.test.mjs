// Liveness through a frozen console: the console tab (e2e/console.mjs), with the host
// frame and the softphone frame it holds, is frozen for 90 s through the Chrome
// DevTools Protocol (Page.setWebLifecycleState), as Chrome may freeze a background tab.
// A phone change queued before the freeze is delivered on resume; the engine acts on it
// once, the bridge never calls the host silent and hears from it right after the
// resume, and no "relay silent" is noted. The tab is driven by CDP alone
// (e2e/cdp-tab.mjs): a page Playwright is attached to does not freeze.
//
//   node e2e/run.mjs e2e/liveness.test.mjs

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { ROOT, assertRuntimeBuilt, sleep, waitFor } from "./harness.mjs";
import { cdpTab } from "./cdp-tab.mjs";
import { orgId, startConsole } from "./console.mjs";

const FROZEN_MS = 90000;
const HOST = "/apex/OmniSyncHost";
const SOFTPHONE = "/apex/OmniSyncSoftphone";
// The CCP Streams frames in the softphone: e2e/fixtures/ccp-standin.js on the instance's origin.
const CCP = "/ccp-v2/";
let origins;

before(async () => {
  assertRuntimeBuilt();
  const built = spawnSync(process.execPath, ["scripts/package-sf.mjs", "--resources-only"], { cwd: ROOT, encoding: "utf8" });
  assert.equal(built.status, 0, `package-sf.mjs --resources-only failed:\n${built.stdout}${built.stderr}`);
  origins = await startConsole();
});
after(() => origins?.close());

const lightning = (tab) => tab.evaluate("", () => JSON.parse(JSON.stringify(window.fakeLightning)));
/** A 500 ms ticker in a frame: its longest gap shows how long the frame's timers stood still. */
const tick = (tab, frame) => tab.evaluate(frame, () => {
  window.ticks = [Date.now()];
  setInterval(() => window.ticks.push(Date.now()), 500);
});
const longestGap = (tab, frame) => tab.evaluate(frame, () => Math.max(...window.ticks.slice(1).map((t, i) => t - window.ticks[i])));

/**
 * Opens the console, queues `change` in `frame` to run 1 s later, freezes the tab for
 * 90 s, resumes it and returns the tab once the engine acted (or 20 s passed).
 */
async function freezeWithQueuedChange(query, frame, change) {
  const tab = await cdpTab(`${origins.lightning}/lightning/console${query}`);
  try {
    return await frozenWith(tab, query, frame, change);
  } catch (error) {
    await tab.close();
    throw error;
  }
}

async function frozenWith(tab, query, frame, change) {
  await waitFor(async () => (await lightning(tab).catch(() => null))?.panel.some((m) => m.leader && m.state?.telephony.state === "Available"),
    // The relay's snapshot reaches the engine at its next reconcile (every 30 s) when the
    // host's first read went out before the CCP's agent was there.
    { what: "a running engine that knows the phone", timeout: 45000 }).catch(async (error) => {
    const fake = await lightning(tab).catch((e) => e.message);
    const last = fake.panel?.at(-1);
    throw new Error(`${error.message}; last panel state: ${JSON.stringify([last?.leader, last?.state?.telephony, last?.error])}; ` +
      `telephony: ${fake.telephony?.map((t) => `${t.from}:${t.message?.type}`).join(",")}; errors: ${tab.errors.join(" | ")}`);
  });
  for (const f of ["", HOST, ...(query.includes("softphone=1") ? [SOFTPHONE] : [])]) await tick(tab, f);
  await tab.evaluate(frame, change);
  await tab.lifecycle("frozen");
  await sleep(FROZEN_MS);
  await tab.lifecycle("active");
  const resumedAt = Date.now();
  await waitFor(async () => (await lightning(tab)).toolkitCalls.some((x) => x.method === "setServicePresenceStatus"),
    { what: "the engine to act on the queued change", timeout: 20000 });
  // Long enough for a late duplicate, and for a silence clock that kept running to fire.
  await sleep(8000);
  return { tab, resumedAt };
}

async function assertOnceAndAlive(tab, resumedAt, frames, { relay = false } = {}) {
  for (const f of frames) {
    assert.ok(await longestGap(tab, f) > FROZEN_MS - 5000, `the ${f || "console"} frame was frozen for the 90 s`);
  }
  const fake = await lightning(tab);
  assert.deepEqual(fake.toolkitCalls.filter((x) => x.method === "setServicePresenceStatus"),
    [{ method: "setServicePresenceStatus", arg: { statusId: orgId("a", "Lunch") } }], "acted once");
  assert.notEqual(fake.hostSilent, true, "the bridge never called the host silent");
  const heardAt = await tab.evaluate("", () => window.fakeLightning.relay().heardAt);
  assert.ok(heardAt >= resumedAt - 1000, "the bridge heard the host after the resume");
  assert.ok(fake.toHost.some((m) => m.kind === "ping"), "the bridge asked the host for its state on resume");
  const notes = await tab.evaluate(HOST, () => window.omnisyncHost.runtime.trace().map((e) => e.message ?? ""));
  // The softphone relay's own clock lives in messageChannelTelephony (www/omnisync.js):
  // checked only where the test asks for it.
  assert.deepEqual(notes.filter((m) => /silent/.test(m) && (relay || !/relay/.test(m))), [], "nothing noted silent");
  assert.deepEqual(tab.errors, [], "no console error or uncaught exception");
}

test("a console frozen for 90 s: the change queued in the host frame is acted on once, nothing is called silent", { timeout: 240000 }, async () => {
  const { tab, resumedAt } = await freezeWithQueuedChange("", HOST,
    () => setTimeout(() => window.fakeVisualforce.agentChangesPhoneTo("Lunch"), 1000));
  try {
    await assertOnceAndAlive(tab, resumedAt, ["", HOST]);
  } finally {
    await tab.close();
  }
});

test("the softphone frame freezes with the console: the CCP's queued change is acted on once, through the bridge", { timeout: 240000 }, async () => {
  const { tab, resumedAt } = await freezeWithQueuedChange(`?softphone=1&host=${encodeURIComponent("telephony=none")}`, CCP,
    () => setTimeout(() => window.ccpStandin.agentPicks("Lunch"), 1000));
  try {
    await assertOnceAndAlive(tab, resumedAt, ["", HOST, SOFTPHONE]);
    const fake = await lightning(tab);
    assert.ok(fake.telephony.some((t) => t.from === "softphone" && t.message.type === "changed" && t.message.newState === "Lunch"),
      "the change came from the softphone's relay, through the bridge");
  } finally {
    await tab.close();
  }
});

// messageChannelTelephony (telephony protocol 2) asks the relay (a ping) on resume and
// before it calls it silent: its clock firing late after the freeze is answered, never
// noted as "softphone relay silent".
test("the softphone frame freezes with the console: no \"relay silent\" after the resume",
  { timeout: 240000 }, async () => {
    const { tab, resumedAt } = await freezeWithQueuedChange(`?softphone=1&host=${encodeURIComponent("telephony=none")}`, CCP,
      () => setTimeout(() => window.ccpStandin.agentPicks("Lunch"), 1000));
    try {
      await assertOnceAndAlive(tab, resumedAt, ["", HOST, SOFTPHONE], { relay: true });
    } finally {
      await tab.close();
    }
  });

// Heartbeats delivered once a minute, as Chrome runs a hidden page's timers: the relay
// still answers commands, so none may be refused with noRelay (messageChannelTelephony
// judges the relay gone by an unanswered query, not by its timer).
test("heartbeats once a minute: no noRelay refusal while the relay answers",
  { timeout: 240000 }, async () => {
    const tab = await cdpTab(`${origins.lightning}/lightning/console?softphone=1&host=${encodeURIComponent("telephony=none")}`);
    try {
      await waitFor(async () => (await lightning(tab).catch(() => null))?.panel.some((m) => m.leader && m.state?.telephony.state === "Available"),
        { what: "the relay's snapshot to reach the engine (at the engine's next reconcile, every 30 s, at the latest)", timeout: 45000 });
      await tab.evaluate("", () => {
        let last = Date.now();
        window.fakeLightning.telephonyFilter = (message) => {
          if (message.type !== "heartbeat") return true;
          if (Date.now() - last < 60000) return false;
          last = Date.now();
          return true;
        };
      });
      await sleep(70000);
      await tab.evaluate("", () => window.fakeLightning.agentPicks("Break"));
      await waitFor(async () => (await tab.evaluate(CCP, () => window.ccpStandin.puts())).length > 0,
        { what: "the phone to be set", timeout: 20000 });
      const trace = await tab.evaluate(HOST, () => window.omnisyncHost.runtime.trace());
      assert.deepEqual(trace.filter((e) => /noRelay|relay silent/.test(JSON.stringify(e))), [], "no refusal for a missing relay");
    } finally {
      await tab.close();
    }
  });
