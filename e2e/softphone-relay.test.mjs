// The phone in its own frame, in headless Chromium, inside the console as an org
// serves it (e2e/console.mjs): the Lightning page with the OmniSyncBridge's real helper,
// the OmniSyncHost page (no telephony client of its own: ?host=telephony=none) on the
// Visualforce origin, and the Open CTI softphone page (pages/OmniSyncSoftphone.page: its
// ccp.js and the real relay from the omnisync.zip static resource) on the Visualforce
// origin too, running the real Amazon Connect Streams build the package ships (the
// amazonConnectStreams static resource, unmodified). Only what lives in Amazon's cloud
// is stood in for: the CCP iframe and its worker, on a third origin, at the postMessage
// boundary (e2e/fixtures/ccp-standin.js). Open CTI is e2e/fixtures/fake-opencti.js; the
// bridge's telephony link carries the channel between the softphone and the host's
// port (e2e/fixtures/fake-lightning.js). Protocol: docs/message-channel.md, "Telephony".
//
//   node e2e/run.mjs e2e/softphone-relay.test.mjs

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { loadStreams } from "../www/test/streams-build.mjs";
import { ROOT, assertRuntimeBuilt, launchBrowser, sleep, waitFor } from "./harness.mjs";
import { openConsole as consoleOf, orgId, startConsole } from "./console.mjs";

// Short on purpose: the relay beats every 300 ms and waits 1 s for the phone, so the
// host queries it after 900 ms of silence and counts a reply lost after 3 s.
const HEARTBEAT_MS = 300;
const PHONE_TIMEOUT_MS = 1000;
const RELAY = JSON.stringify({ heartbeatMs: HEARTBEAT_MS, commandTimeoutMs: PHONE_TIMEOUT_MS, pollMs: 100 });

let origins;
let rules;

before(async () => {
  assertRuntimeBuilt();
  const built = spawnSync(process.execPath, ["scripts/package-sf.mjs", "--resources-only"], { cwd: ROOT, encoding: "utf8" });
  assert.equal(built.status, 0, `package-sf.mjs --resources-only failed:\n${built.stdout}${built.stderr}`);
  origins = await startConsole();
  rules = origins.rules;
  assert.notEqual(origins.lightning, origins.visualforce);
  assert.notEqual(origins.visualforce, origins.instance);
});
after(() => origins?.close());

// ------------------------------------------------------------------ helpers

function relayTest(name, body, { tolerated = [], timeout = 90000 } = {}) {
  test(name, { timeout }, async () => {
    const browser = await launchBrowser();
    try {
      await body(browser);
      const errors = browser.errors.filter((e) => !tolerated.some((pattern) => pattern.test(e)));
      assert.deepEqual(errors, [], "no console error or uncaught exception in any frame");
    } finally {
      await browser.close();
    }
  });
}

const frameOf = (page, part) => page.frames().find((f) => f.url().includes(part));
const host = (page) => frameOf(page, "/apex/OmniSyncHost");
const softphone = (page) => page.frames().find((f) => f.url().includes("/apex/") && f.url().includes("Softphone"));
const ccp = (page) => frameOf(page, "/ccp-v2/");
const statusLine = async (page) => host(page).locator("#omnisync-status").innerText();
const fake = async (page) => page.evaluate(() => JSON.parse(JSON.stringify(window.fakeLightning)));
const trace = async (page) => host(page).evaluate(() => window.omnisyncHost.runtime.trace().map((e) => e.message));
const puts = async (page) => ccp(page).evaluate(() => window.ccpStandin.puts());
const statusId = (name) => orgId("a", name);
const setStatusCalls = async (page) => (await fake(page)).toolkitCalls.filter((c) => c.method === "setServicePresenceStatus");
/** What crossed the bridge's telephony link: from "softphone" (the relay) or "bridge" (the host). */
const telephonyLog = async (page) => (await fake(page)).telephony.filter((e) => e.message?.kind === "telephony");
const telephonyOf = async (page, type) => (await telephonyLog(page)).filter((e) => e.message.type === type).map((e) => e.message);

/**
 * The console with the softphone frame (`later`: framed only by addSoftphone(); `page`
 * "late-ccp": an integrator's page that starts the CCP on window load).
 */
async function openConsole(browser, { later = false, page: softphonePage = "1" } = {}) {
  const query = `?softphone=${softphonePage}${later ? "&softphoneLater=1" : ""}&relay=${encodeURIComponent(RELAY)}` +
    `&host=${encodeURIComponent("telephony=none")}`;
  const { page, frame } = await consoleOf(browser.context, origins.lightning, query);
  assert.equal(await frame.locator("#omnisync-status").getAttribute("data-state"), "running", await frame.locator("#omnisync-status").innerText());
  return page;
}

/** As the agent: a status picked in the Omni-Channel widget (a manual change). */
async function agentPicksOmni(page, developerName) {
  await page.evaluate((name) => window.fakeLightning.agentPicks(name), developerName);
}

/** As the agent: a state picked in the CCP (the stand-in's next snapshot carries it). */
async function agentPicksPhone(page, name) {
  await ccp(page).evaluate((n) => window.ccpStandin.agentPicks(n), name);
}

async function relayConnected(page) {
  await waitFor(async () => (await statusLine(page)) === "omnisync: running (softphone relay: Amazon Connect)",
    { what: "the status line to name the relay", timeout: 15000 });
}

// ------------------------------------------------------------------ the tests

relayTest("real Streams: a first start and a reload are snapshots, never changes; the phone's Lunch reaches Omni", async (browser) => {
  const page = await openConsole(browser, { later: true });
  assert.equal(await statusLine(page), "omnisync: running (waiting for the softphone)", "no relay has spoken yet");
  // Omni on a status no mapping sends to the phone; the phone will start on Available,
  // and the rule "phone Available -> Omni Available" must not fire for that.
  await agentPicksOmni(page, "Working_Phone");
  await waitFor(async () => (await fake(page)).panel.some((m) => m.state?.omni?.developerName === "Working_Phone"),
    { what: "the engine to see Working_Phone" });
  const before = (await setStatusCalls(page)).length;
  await page.evaluate(() => window.fakeLightning.addSoftphone());
  await relayConnected(page);
  assert.ok((await trace(page)).includes("softphone relay appeared (Amazon Connect)"));
  // The console's layout: the host and the softphone in two frames of the Visualforce
  // origin, the console page between them on the Lightning origin.
  assert.notEqual(host(page), softphone(page), "two frames");
  assert.equal(new URL(softphone(page).url()).origin, origins.visualforce);
  assert.notEqual(new URL(page.url()).origin, new URL(softphone(page).url()).origin, "the console on another origin");
  assert.equal(new URL(ccp(page).url()).origin, origins.instance, "the CCP frame Streams made, at the instance");
  await sleep(1500);
  assert.equal((await setStatusCalls(page)).length, before, "no Omni-Channel action at the first start");
  assert.deepEqual(await telephonyOf(page, "changed"), [], "the relay's first report is a snapshot");
  const [snapshot] = await telephonyOf(page, "snapshot");
  assert.equal(snapshot.state, "Available");
  assert.deepEqual(snapshot.states, rules.telephony.states);
  // The stand-in's agent data has what the CTI service model inside Streams requires.
  const model = loadStreams().AWS.apiLoader("connect", "2017-02-15");
  const snapshotShape = model.operations.GetAgentSnapshot.output.members.snapshot;
  const data = await ccp(page).evaluate(() => JSON.parse(JSON.stringify(window.ccpStandin.agentData())));
  const missing = (object, shape) => [...shape.required].filter((name) => !(name in object));
  assert.deepEqual(missing(data.snapshot, snapshotShape), []);
  assert.deepEqual(missing(data.snapshot.state, model.shapes.S2e), []);
  assert.deepEqual(missing(data.configuration, model.shapes.S1v), []);
  data.configuration.agentStates.forEach((state) => assert.deepEqual(missing(state, model.shapes.S2e), []));
  const modelled = [...Object.keys(snapshotShape.members), "status"]; // status: the worker's alias
  assert.deepEqual(Object.keys(data.snapshot).filter((name) => !modelled.includes(name)), []);
  const seen = await ccp(page).evaluate(() => window.ccpStandin.requests());
  assert.ok(seen.includes("outer_context_info") && seen.includes("synchronize"), seen.join(", "));

  // The agent picks Lunch in the CCP -> one setServicePresenceStatus with Lunch's Id.
  await agentPicksPhone(page, "Lunch");
  await waitFor(async () => (await setStatusCalls(page)).length > before, { what: "a setServicePresenceStatus" });
  await sleep(500);
  assert.deepEqual((await setStatusCalls(page)).slice(before), [{ method: "setServicePresenceStatus", arg: { statusId: statusId("Lunch") } }]);
  assert.deepEqual(await puts(page), [], "the phone is not moved off Lunch");

  // Reloading the softphone frame: bye, a new relay, a snapshot; no action on either side.
  const after = { sets: (await setStatusCalls(page)).length, puts: (await puts(page)).length };
  await softphone(page).evaluate(() => location.reload());
  await waitFor(async () => (await trace(page)).some((m) => /relay returned after a reload of the softphone/.test(m)),
    { what: "the trace to note the reload", timeout: 15000 });
  await sleep(1500);
  assert.equal((await setStatusCalls(page)).length, after.sets, "no Omni-Channel action after the reload");
  assert.equal((await puts(page)).length, after.puts, "no phone action after the reload");
  assert.deepEqual((await telephonyOf(page, "changed")).map((m) => m.newState), ["Lunch"], "still only the agent's change");
  assert.equal(await statusLine(page), "omnisync: running (softphone relay: Amazon Connect)");
  const lines = await trace(page);
  assert.ok(lines.includes("softphone relay left (the softphone page reloaded)"), lines.join("\n"));
});

relayTest("real Streams: Omni's Break is one putAgentState with Break's ARN; its echo makes no second action", async (browser) => {
  const page = await openConsole(browser);
  await relayConnected(page);
  const sets = (await setStatusCalls(page)).length;
  await agentPicksOmni(page, "Break");
  await waitFor(async () => (await puts(page)).length, { what: "a putAgentState" });
  // The reply first, the change with the stand-in's next snapshot (150 ms later).
  await waitFor(async () => (await telephonyOf(page, "changed")).some((m) => m.newState === "Break"), { what: "the echo" });
  await sleep(1500);
  const calls = await puts(page);
  assert.equal(calls.length, 1, JSON.stringify(calls));
  assert.equal(calls[0].state.name, "Break");
  assert.match(calls[0].state.agentStateARN, /agent-state\/Break$/);
  assert.equal(calls[0].enqueueNextState, false);
  assert.equal((await setStatusCalls(page)).length, sets, "the echo set nothing on Omni-Channel");
  const order = (await telephonyLog(page)).map((e) => e.message)
    .filter((m) => m.type === "reply" || m.type === "changed").map((m) => m.type);
  assert.deepEqual(order.slice(-2), ["reply", "changed"], "as Streams has it: the reply, then the change");

  // A refusal: Streams' failure carries a JSON string; the relay's reply carries its message.
  await ccp(page).evaluate(() => { window.ccpStandin.answer = "failure"; });
  await agentPicksOmni(page, "Lunch");
  const refusal = await waitFor(async () => {
    const lunch = (await telephonyOf(page, "command")).filter((m) => m.name === "Lunch").map((m) => m.id);
    return (await telephonyOf(page, "reply")).find((m) => lunch.includes(m.id));
  }, { what: "the refusal", timeout: 15000 });
  assert.deepEqual(refusal.error, { code: "refused", message: "The agent cannot change state during a contact" });
  await waitFor(async () => (await trace(page)).some((m) => /failed \(refused\); attempt 2/.test(m)), { what: "the retry" });
});

relayTest("a page that starts the CCP on load still gets a working relay", async (browser) => {
  const page = await openConsole(browser, { page: "late-ccp" });
  await relayConnected(page);
  await agentPicksPhone(page, "Lunch");
  await waitFor(async () => (await setStatusCalls(page)).some((c) => c.arg.statusId === statusId("Lunch")),
    { what: "Omni on Lunch" });
});

relayTest("terminate, remove the CCP iframe, initCCP again: a state change is still reported", async (browser) => {
  const page = await openConsole(browser);
  await relayConnected(page);
  await softphone(page).evaluate(() => {
    window.connect.core.terminate();
    // initCCP returns early while an iframe of its name exists, and terminate() leaves it.
    document.querySelectorAll("#omnisync-ccp iframe").forEach((f) => f.remove());
  });
  await sleep(500);
  await softphone(page).evaluate((url) => {
    window.connect.core.initCCP(document.getElementById("omnisync-ccp"), { ccpUrl: url, loginPopup: false });
  }, `${origins.instance}/ccp-v2/`);
  await waitFor(() => ccp(page), { what: "the new CCP frame" });
  await waitFor(async () => (await telephonyOf(page, "snapshot")).length >= 2, { what: "a snapshot from the new CCP" });
  await agentPicksPhone(page, "Lunch");
  await waitFor(async () => (await setStatusCalls(page)).some((c) => c.arg.statusId === statusId("Lunch")),
    { what: "Omni on Lunch after the new CCP" });
  assert.equal(await statusLine(page), "omnisync: running (softphone relay: Amazon Connect)");
  const lines = await trace(page);
  assert.ok(lines.some((m) => /the phone is not ready \(the page terminated the CCP/.test(m)), lines.join("\n"));
}, {
  // Streams itself logs these when a page calls initCCP a second time (its provider is
  // set up once per page); the CCP works on.
  tolerated: [/Attempted to initialize provider more than one time/, /Error when setting up AmazonConnectStreamsSite/],
});

relayTest("a reply that never comes times out and is retried like any write", async (browser) => {
  const page = await openConsole(browser);
  await relayConnected(page);
  // The command is lost on its way to the softphone: nothing acts, nothing answers.
  await page.evaluate(() => {
    let drop = 1;
    window.fakeLightning.telephonyFilter = (message, from) => !(from === "bridge" && message.type === "command" && drop-- > 0);
  });
  await agentPicksOmni(page, "Break");
  await waitFor(async () => (await puts(page)).length, { what: "the retried putAgentState", timeout: 20000 });
  const dropped = (await fake(page)).held.map((e) => e.message);
  assert.deepEqual(dropped.map((m) => [m.type, m.method, m.name]), [["command", "setState", "Break"]]);
  const lines = await trace(page);
  assert.ok(lines.some((m) => /failed \(timeout\); attempt 2/.test(m)), lines.join("\n"));
  await sleep(500);
  assert.deepEqual((await puts(page)).map((c) => c.state.name), ["Break"], "carried out once, by the retry");
  const commands = (await telephonyOf(page, "command")).filter((m) => m.method === "setState");
  assert.equal(commands.length, 2, "sent, lost, sent again");
  assert.notEqual(commands[0].id, commands[1].id, "each attempt has its own correlation id");
});

// Chrome DevTools' Page.setWebLifecycleState("frozen") does nothing in this headless
// Chromium (its timers keep running and no freeze or resume event fires), so a frozen
// console cannot be played here; the resume it ends with can: Chrome fires `resume` on
// the document of a page it unfreezes.
relayTest("back from a freeze (resume): the host asks the relay before the next command goes out", async (browser) => {
  const page = await openConsole(browser);
  await relayConnected(page);
  const before = (await telephonyLog(page)).length;
  await host(page).evaluate(() => document.dispatchEvent(new Event("resume")));
  await agentPicksOmni(page, "Break");
  await waitFor(async () => (await puts(page)).length, { what: "the putAgentState" });
  const sent = (await telephonyLog(page)).slice(before).filter((e) => e.from === "bridge").map((e) => e.message.type);
  assert.deepEqual(sent.slice(0, 2), ["ping", "command"], sent.join(", "));
  const lines = await trace(page);
  assert.ok(!lines.some((m) => /relay silent/.test(m)), lines.join("\n"));
});

relayTest("heartbeats that stop coming (a softphone in a background tab): queries are answered, no noRelay", async (browser) => {
  const page = await openConsole(browser);
  await relayConnected(page);
  await page.evaluate(() => {
    window.fakeLightning.telephonyFilter = (message, from) => !(from === "softphone" && message.type === "heartbeat");
  });
  await sleep(5 * HEARTBEAT_MS * 3); // several silence limits
  await agentPicksOmni(page, "Break");
  await waitFor(async () => (await puts(page)).some((p) => p.state.name === "Break"), { what: "the putAgentState" });
  const lines = await trace(page);
  assert.ok(!lines.some((m) => /noRelay|relay silent/.test(m)), lines.join("\n"));
  assert.ok((await telephonyOf(page, "pong")).length >= 2, "the relay answered the host's queries");
  assert.equal(await statusLine(page), "omnisync: running (softphone relay: Amazon Connect)");
});

relayTest("enqueueNextState as the page configures it reaches putAgentState", async (browser) => {
  const page = await openConsole(browser);
  await relayConnected(page);
  // The page's relay started again with data-enqueue-next-state's option.
  await softphone(page).evaluate(() => {
    window.omnisyncRelay.stop();
    window.omnisyncRelay = window.OmniSyncRelay.start(Object.assign({}, window.omnisyncRelayOptions, { enqueueNextState: true }));
  });
  await waitFor(async () => (await trace(page)).filter((m) => /relay returned after a reload/.test(m)).length, { what: "the new relay" });
  await relayConnected(page);
  await agentPicksOmni(page, "Break");
  await waitFor(async () => (await puts(page)).length, { what: "a putAgentState" });
  const [put] = await puts(page);
  assert.deepEqual([put.state.name, put.enqueueNextState], ["Break", true]);
});
