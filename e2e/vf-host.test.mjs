// The Visualforce host inside the console as an org serves it (e2e/console.mjs): the
// OmniSyncBridge's real helper on the Lightning origin frames OmniSyncHost.page on the
// Visualforce origin and hands it one MessagePort; Omni events, toolkit commands, the
// panel's state all cross that port, and nothing else reaches either side.
//
//   node e2e/run.mjs e2e/vf-host.test.mjs

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ROOT, assertRuntimeBuilt, launchBrowser, waitFor } from "./harness.mjs";
import { NONCE, openConsole, orgId, startConsole } from "./console.mjs";

let origins;

before(async () => {
  assertRuntimeBuilt();
  // The zip under test is the one the packaging script makes, from the current sources.
  const built = spawnSync(process.execPath, ["scripts/package-sf.mjs", "--resources-only"], { cwd: ROOT, encoding: "utf8" });
  assert.equal(built.status, 0, `package-sf.mjs --resources-only failed:\n${built.stdout}${built.stderr}`);
  origins = await startConsole();
  assert.notEqual(new URL(origins.lightning).origin, new URL(origins.visualforce).origin);
});
after(() => origins?.close());

/** A test with its own browser; no console error and no uncaught exception allowed. */
function consoleTest(name, body, options = {}) {
  test(name, { timeout: 90000, ...options }, async () => {
    const browser = await launchBrowser();
    try {
      await body(browser);
      assert.deepEqual(browser.errors, [], "no console error or uncaught exception in the page");
    } finally {
      await browser.close();
    }
  });
}

const lightning = (page) => page.evaluate(() => JSON.parse(JSON.stringify(window.fakeLightning)));
const statusLine = (frame) => frame.locator("#omnisync-status");
/** Waits for a state the bridge handed its panel that satisfies `predicate`. */
const panelSees = (page, predicate, what, timeout = 15000) =>
  waitFor(async () => (await lightning(page)).panel.filter((m) => !m.error).find(predicate), { what, timeout });

for (const telephony of ["connect", "softphone"]) {
  consoleTest(`${telephony}: the host runs in the bridge's frame on the Visualforce origin; Lunch on the phone becomes Omni-Channel Lunch`, async (browser) => {
    const warnings = [];
    browser.context.on("console", (message) => message.type() === "warning" && warnings.push(message.text()));
    const { page, frame } = await openConsole(browser.context, origins.lightning, `?host=${encodeURIComponent(`telephony=${telephony}`)}`);
    // The wasm resource is served as application/wasm: the glue compiles it streaming,
    // its fallback (which warns) is not taken.
    assert.deepEqual(warnings.filter((w) => w.includes("instantiateStreaming")), [], "no fallback from instantiateStreaming");
    assert.equal(new URL(frame.url()).origin, origins.visualforce, "the host runs on the Visualforce origin");
    assert.notEqual(new URL(page.url()).origin, origins.visualforce);
    assert.equal(await statusLine(frame).getAttribute("data-state"), "running", await statusLine(frame).innerText());
    assert.equal(await frame.evaluate(() => typeof window.sforce), "undefined", "no message service on the host page");

    await panelSees(page, (m) => m.leader && m.state.omni.developerName === "Available" && m.state.telephony.state === "Available",
      "the panel's state: leader, Omni Available, phone Available");
    await frame.evaluate(() => window.fakeVisualforce.agentChangesPhoneTo("Lunch"));
    const call = await waitFor(async () => (await lightning(page)).toolkitCalls.find((c) => c.method === "setServicePresenceStatus"),
      { what: "the toolkit's setServicePresenceStatus" });
    assert.deepEqual(call.arg, { statusId: orgId("a", "Lunch") });
    const state = await panelSees(page, (m) => m.state.omni.developerName === "Lunch" &&
      m.trace.some((e) => e.rule === "Connect agent switches to Lunch"), "the panel showing Lunch and the rule");
    assert.equal(state.stats.failed, 0);

    // An Omni event from the agent reaches the engine over the port.
    await page.evaluate(() => window.fakeLightning.agentPicks("Break"));
    await panelSees(page, (m) => m.state.omni.developerName === "Break", "the engine to see Break");
    const fake = await lightning(page);
    assert.ok(fake.toHost.some((m) => m.kind === "event" && m.event.type === "omni.statusChanged"), "the event crossed the port");
    assert.deepEqual([...new Set(fake.fromHost.map((m) => m.kind))].sort(), ["command", "hello", "state"], "the host sends its hello, commands and states only");
    assert.equal(fake.fromHost[0].kind, "hello", "the hello comes first");
  });
}

consoleTest("other frames posting to either side, the Visualforce origin and the softphone included, are ignored and counted", async (browser) => {
  const { page, frame } = await openConsole(browser.context, origins.lightning, `?attackers=1&softphone=1&host=${encodeURIComponent("telephony=none")}`);
  await panelSees(page, (m) => m.leader && m.state.omni.loggedIn, "a running engine");
  const before = (await lightning(page)).toolkitCalls.length;
  // Each attacker, one on each origin, posts a forged handshake (the right nonce, a
  // port) and a forged command to every frame of the console, and forged messages to
  // the console page itself.
  const attackers = page.frames().filter((f) => f.url().endsWith("/fixture/blank.html") || f.url().includes("/apex/OmniSyncSoftphone"));
  assert.deepEqual(attackers.map((f) => new URL(f.url()).origin).sort(), [origins.lightning, origins.visualforce, origins.visualforce].sort());
  for (const attacker of attackers) {
    await attacker.evaluate((nonce) => {
      for (let i = 0; i < parent.frames.length; i++) {
        if (parent.frames[i] === window) continue;
        const { port2 } = new MessageChannel();
        parent.frames[i].postMessage({ omnisync: "connect", nonce }, "*", [port2]);
        parent.frames[i].postMessage({ kind: "command", id: "x1", method: "logout", args: [] }, "*");
      }
      parent.postMessage({ kind: "command", id: "x2", method: "logout", args: [] }, "*");
      parent.postMessage({ kind: "event", event: { type: "omni.logout" } }, "*");
    }, NONCE);
  }
  const state = await panelSees(page, (m) => m.dropped?.frames >= 6, "the host to count the six messages posted to it");
  assert.equal(state.state.omni.loggedIn, true, "no forged logout reached the engine");
  const after = await lightning(page);
  assert.equal(after.toolkitCalls.length >= before, true);
  assert.deepEqual(after.toolkitCalls.filter((c) => c.method === "logout"), [], "the toolkit's logout was never called");
  assert.equal(await frame.evaluate(() => window.omnisyncHost.runtime.isLeader()), true);
});

consoleTest("a relative src is sandboxed as Lightning Web Security does: the handshake fails with a clear status on both sides", async (browser) => {
  const page = await browser.context.newPage();
  await page.goto(`${origins.lightning}/lightning/console?src=relative`);
  const fake = await waitFor(async () => {
    const f = await lightning(page);
    return f.panel.some((m) => m.error) && f;
  }, { what: "the bridge to report the silent host", timeout: 40000 });
  assert.deepEqual(fake.sandboxed.length, 1, "the same-origin src was sandboxed");
  assert.match(fake.panel.find((m) => m.error).error, /did not answer on its port within 20 s.*absolute Visualforce-domain URL/);
  const frame = page.frames().find((f) => f.url().includes("/apex/OmniSyncHost"));
  await frame.waitForSelector("#omnisync-status[data-state=failed]", { timeout: 30000 });
  assert.match(await statusLine(frame).innerText(), /^omnisync: noBridge: no port from the OmniSyncBridge within 20 s/);
}, { timeout: 120000 });

consoleTest("the shipped absolute src is not sandboxed and the handshake completes", async (browser) => {
  const { page, frame } = await openConsole(browser.context, origins.lightning);
  assert.deepEqual((await lightning(page)).sandboxed, []);
  assert.equal(await statusLine(frame).getAttribute("data-state"), "running");
});

consoleTest("a status the agent may not use stops the engine, naming it", async (browser) => {
  const { page, frame } = await openConsole(browser.context, origins.lightning,
    `?host=${encodeURIComponent(`rules=rulesWithoutIds&notGranted=${JSON.stringify(["Lunch"])}`)}`);
  assert.equal(await statusLine(frame).getAttribute("data-state"), "failed");
  assert.match(await statusLine(frame).innerText(), /rules\.statusNotGranted: the rules use Lunch, which this agent may not use/);
  const failure = await waitFor(async () => (await lightning(page)).panel.find((m) => m.error), { what: "the panel's error" });
  assert.match(failure.error, /Lunch/);
  assert.deepEqual((await lightning(page)).fromHost.filter((m) => m.kind === "command"), [], "no command from a host that did not start");
});

for (const org of ["a", "b"]) {
  consoleTest(`rules without Ids in org ${org}: Lunch is sent with org ${org}'s Id`, async (browser) => {
    const { page, frame } = await openConsole(browser.context, origins.lightning, `?host=${encodeURIComponent(`org=${org}&rules=rulesWithoutIds`)}`);
    await panelSees(page, (m) => m.leader && m.state.omni.developerName === "Available", "Omni Available");
    await frame.evaluate(() => window.fakeVisualforce.agentChangesPhoneTo("Lunch"));
    const call = await waitFor(async () => (await lightning(page)).toolkitCalls.find((c) => c.method === "setServicePresenceStatus"), { what: "the status change" });
    assert.deepEqual(call.arg, { statusId: orgId(org, "Lunch") });
  });
}

consoleTest("invalid rules: the panel shows the error with every finding", async (browser) => {
  const { page, frame } = await openConsole(browser.context, origins.lightning, `?host=${encodeURIComponent("rules=invalidRules")}`);
  assert.equal(await statusLine(frame).getAttribute("data-state"), "failed");
  const message = await waitFor(async () => (await lightning(page)).panel.find((m) => m.error), { what: "the panel's error" });
  assert.match(message.error, /^rules\.invalid: the rules file is not valid/);
  assert.match(message.error, /\$\.rules\[1\]\.if: unknown variant `resembles`/);
});

consoleTest("WebAssembly blocked: the panel shows the error", async (browser) => {
  const { page, frame } = await openConsole(browser.context, origins.lightning, `?host=${encodeURIComponent("csp=noWasm")}`);
  assert.equal(await statusLine(frame).getAttribute("data-state"), "failed");
  const message = await waitFor(async () => (await lightning(page)).panel.find((m) => m.error), { what: "the panel's error" });
  assert.match(message.error, /^wasm: WebAssembly could not start on this page: .*Content Security Policy/);
});

consoleTest("a connection error event from the bridge logs the agent back in", async (browser) => {
  const { page } = await openConsole(browser.context, origins.lightning);
  await panelSees(page, (m) => m.leader && m.state.omni.developerName === "Available", "Omni Available");
  await page.evaluate(() => window.fakeLightning.connectionError());
  const login = await waitFor(async () => (await lightning(page)).toolkitCalls.find((c) => c.method === "login"), { what: "a login call" });
  assert.deepEqual(login.arg, { statusId: orgId("a", "Available") });
});

consoleTest("the leading tab publishes each presence once, without the panel being opened; a second tab publishes none", async (browser) => {
  const { frame } = await openConsole(browser.context, origins.lightning);
  await waitFor(async () => (await frame.evaluate(() => window.fakeVisualforce.presencePublishes.length)) > 0, { what: "the first presence event" });
  const second = await openConsole(browser.context, origins.lightning);
  await waitFor(async () => (await second.frame.evaluate(() => window.omnisyncHost.runtime.trace())).some((e) => e.kind === "leadership"),
    { what: "the second tab to know it follows" });
  assert.equal(await second.frame.evaluate(() => window.omnisyncHost.runtime.isLeader()), false);
  await frame.evaluate(() => window.fakeVisualforce.agentChangesPhoneTo("Lunch"));
  await waitFor(async () => (await frame.evaluate(() => window.fakeVisualforce.presencePublishes)).some((p) => p.omniStatus === "Lunch"), { what: "the Lunch event" });
  // Heartbeats resend the state every 5 s: still one event per presence.
  await second.page.waitForTimeout(5500);
  const published = await frame.evaluate(() => window.fakeVisualforce.presencePublishes);
  assert.deepEqual(published.map((p) => [p.omniStatus, p.telephonyState]), [["Available", "Available"], ["Lunch", "Lunch"]]);
  assert.equal(published[1].reason, "Connect agent switches to Lunch");
  assert.equal(published[1].action, "OmniSyncHostController.publishPresence");
  assert.deepEqual(await second.frame.evaluate(() => window.fakeVisualforce.presencePublishes), [], "the follower publishes nothing");
});

consoleTest("no telephony client: the engine runs, waits for the softphone's relay, and the phone reads as unknown", async (browser) => {
  const { page, frame } = await openConsole(browser.context, origins.lightning, `?host=${encodeURIComponent("telephony=none")}`);
  assert.equal(await statusLine(frame).innerText(), "omnisync: running (waiting for the softphone)");
  const state = await panelSees(page, (m) => m.leader && m.state.omni.developerName === "Available", "a state");
  assert.equal(state.state.telephony.state, null);
});

consoleTest("a catalog that lacks a status of the rules: the status line names it", async (browser) => {
  const { page, frame } = await openConsole(browser.context, origins.lightning, `?host=${encodeURIComponent("org=lacking&rules=rulesWithoutIds")}`);
  assert.equal(await statusLine(frame).getAttribute("data-state"), "failed");
  const line = await statusLine(frame).innerText();
  assert.match(line, /rules\.unknownStatus/);
  assert.match(line, /Lunch/);
  assert.deepEqual((await lightning(page)).fromHost.filter((m) => m.kind === "command"), [], "a host that did not start sends no command");
});

consoleTest("a user who cannot read the catalog: the status line and the panel show the controller's coded message", async (browser) => {
  const message = "apex.noDeveloperName: You cannot read the API names (DeveloperName) of the Omni-Channel presence statuses";
  const { page, frame } = await openConsole(browser.context, origins.lightning, `?host=${encodeURIComponent(`catalogError=${message}`)}`);
  assert.equal(await statusLine(frame).innerText(), `omnisync: ${message}`);
  const failure = await waitFor(async () => (await lightning(page)).panel.find((m) => m.error), { what: "the panel's error" });
  assert.equal(failure.error, message);
});

for (const [teams, outcome] of [[["Chat_Team", "Voice_Team"], "emitted"], [["Chat_Team"], "outOfScope"]]) {
  consoleTest(`a rule scoped to the team Voice_Team, page listing ${teams.join(", ")}: ${outcome}`, async (browser) => {
    const { page, frame } = await openConsole(browser.context, origins.lightning,
      `?host=${encodeURIComponent(`rules=teamRules&teams=${JSON.stringify(teams)}`)}`);
    await panelSees(page, (m) => m.leader && m.state.omni.developerName === "Available", "a state");
    await frame.evaluate(() => window.fakeVisualforce.agentChangesPhoneTo("Lunch"));
    const decided = await panelSees(page, (m) => m.trace.some((e) => e.decision?.trace.event === "telephony.stateChanged"), "the decision on Lunch");
    const entry = decided.trace.find((e) => e.decision?.trace.event === "telephony.stateChanged");
    const rule = entry.decision.trace.rules.find((r) => r.rule === "Connect agent switches to Lunch");
    if (outcome === "emitted") assert.equal(rule?.outcome, "emitted");
    else {
      assert.equal(rule, undefined, "a rule out of scope is counted, not listed");
      assert.equal(entry.decision.trace.outOfScope, 1);
    }
  });
}

consoleTest("a rule scoped by a 15-character profile Id matches the page's 18-character profile Id", async (browser) => {
  const { page, frame } = await openConsole(browser.context, origins.lightning, `?host=${encodeURIComponent("rules=profileRules")}`);
  await panelSees(page, (m) => m.leader && m.state.omni.developerName === "Available", "a state");
  await frame.evaluate(() => window.fakeVisualforce.agentChangesPhoneTo("Lunch"));
  const decided = await panelSees(page, (m) => m.trace.some((e) => e.decision?.trace.event === "telephony.stateChanged"), "the decision on Lunch");
  const entry = decided.trace.find((e) => e.decision?.trace.event === "telephony.stateChanged");
  assert.equal(entry.decision.trace.rules.find((r) => r.rule === "Connect agent switches to Lunch").outcome, "emitted");
});

for (const apex of [true, false]) {
  consoleTest(`a work accepted ${apex ? "with its channel from Apex" : "without an Apex answer"}: the channel rule ${apex ? "acts" : "does not act"}`, async (browser) => {
    const channels = apex ? { "0BzHs000000WrkAAAA": "Voice_Calls" } : {};
    const { page } = await openConsole(browser.context, origins.lightning,
      `?host=${encodeURIComponent("rules=channelRules")}&channels=${encodeURIComponent(JSON.stringify(channels))}`);
    await panelSees(page, (m) => m.leader && m.state.omni.developerName === "Available", "a state");
    // The work item's Id prefix 500 is sfdc_case in the shipped channels table.
    await page.evaluate(() => window.fakeLightning.workEvent("omni.workAccepted", "0BzHs000000WrkAAAA", "500Hs000000CseAAAA"));
    const decided = await panelSees(page, (m) => m.trace.some((e) => e.decision?.trace.event === "omni.workAccepted"), "the decision on the work");
    const entry = decided.trace.find((e) => e.decision?.trace.event === "omni.workAccepted");
    const rule = entry.decision.trace.rules.find((r) => r.rule === "Voice work accepted: On a Call");
    const event = (await lightning(page)).toHost.find((m) => m.kind === "event" && m.event.type === "omni.workAccepted");
    if (apex) {
      assert.equal(event.event.serviceChannel, "Voice_Calls", "the bridge added the channel");
      assert.equal(rule.outcome, "emitted");
      const call = await waitFor(async () => (await lightning(page)).toolkitCalls.find((c) => c.method === "setServicePresenceStatus"), { what: "the status change" });
      assert.deepEqual(call.arg, { statusId: orgId("a", "Working_Phone") });
    } else {
      assert.equal("serviceChannel" in event.event, false, "no channel without an answer");
      assert.equal(rule, undefined, "a rule that did not match is counted, not listed");
    }
  });
}

consoleTest("the softphone's relay through the bridge: the phone's Lunch becomes Omni Lunch, and the host speaks only to its bridge", async (browser) => {
  const { page, frame } = await openConsole(browser.context, origins.lightning, `?softphone=1&host=${encodeURIComponent("telephony=none")}`);
  // At the engine's next reconcile (every 30 s) at the latest, when its first read went
  // out before the CCP's agent was there.
  await panelSees(page, (m) => m.state.telephony.state === "Available", "the relay's snapshot to reach the engine", 45000);
  assert.match(await statusLine(frame).innerText(), /^omnisync: running \(softphone relay/);
  // The agent picks Lunch in the CCP (the stand-in for Amazon's, which Streams frames in the softphone).
  const ccp = page.frames().find((f) => f.url().includes("/ccp-v2/"));
  await ccp.evaluate(() => window.ccpStandin.agentPicks("Lunch"));
  const call = await waitFor(async () => (await lightning(page)).toolkitCalls.find((c) => c.method === "setServicePresenceStatus"), { what: "the status change" });
  assert.deepEqual(call.arg, { statusId: orgId("a", "Lunch") });
  const fake = await lightning(page);
  assert.ok(fake.telephony.some((t) => t.from === "softphone" && t.message.type === "changed"), "the relay's change crossed the bridge");
  assert.ok(fake.telephony.some((t) => t.from === "bridge" && t.message.type === "pair"), "the host's pairing crossed the bridge");
  assert.ok(fake.toHost.filter((m) => m.kind === "telephony").length > 0, "telephony reached the host over the port");
});

test("a telephony channel that is not exposed: the softphone's messages never reach the host", { timeout: 90000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "omnisync-channel-"));
  const file = path.join(dir, "OmniSyncTelephony.messageChannel-meta.xml");
  const shipped = fs.readFileSync(path.join(ROOT, "lwc-wrapper/softphone/main/default/messageChannels/OmniSyncTelephony.messageChannel-meta.xml"), "utf8");
  fs.writeFileSync(file, shipped.replace("<isExposed>true</isExposed>", "<isExposed>false</isExposed>"));
  const unexposed = await startConsole({ telephonyChannel: file });
  const browser = await launchBrowser();
  try {
    const { page, frame } = await openConsole(browser.context, unexposed.lightning, `?softphone=1&host=${encodeURIComponent("telephony=none")}`);
    await waitFor(async () => (await lightning(page)).telephony.some((t) => t.undelivered), { what: "the relay to publish in vain" });
    await page.waitForTimeout(2000);
    assert.equal(await statusLine(frame).innerText(), "omnisync: running (waiting for the softphone)");
    assert.deepEqual((await lightning(page)).toHost.filter((m) => m.kind === "telephony"), [], "nothing crossed to the host");
  } finally {
    await browser.close();
    await unexposed.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
