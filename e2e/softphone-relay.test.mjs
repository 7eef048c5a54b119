// The phone in its own frame, in headless Chromium: a top page (the console) holds two
// iframes on two origins, two ports of 127.0.0.1: the OmniSyncHost page (rendered from
// lwc-wrapper/.../pages/OmniSyncHost.page, with e2e/fixtures/fake-salesforce.js for the
// Aura bridge and the toolkit and no telephony client of its own) and the optional
// Open CTI softphone page (pages/OmniSyncSoftphone.page: its ccp.js and the real relay
// from the omnisync.zip static resource) running the real Amazon Connect Streams build
// the package ships (the amazonConnectStreams static resource, unmodified). Only what
// lives in Amazon's cloud is stood in for: the CCP iframe and its worker, on a third
// origin, at the postMessage boundary (e2e/fixtures/ccp-standin.js). Open CTI is
// e2e/fixtures/fake-opencti.js; the top page plays Lightning Message Service between
// the frames by postMessage (e2e/fixtures/lms-top.js). Protocol: docs/message-channel.md,
// "Telephony".
//
//   node e2e/run.mjs e2e/softphone-relay.test.mjs

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { unzipSync } from "fflate";
import { loadStreams } from "../www/test/streams-build.mjs";
import { ROOT, assertRuntimeBuilt, fixtureScript, launchBrowser, sleep, waitFor } from "./harness.mjs";

const DEFAULT = path.join(ROOT, "lwc-wrapper/force-app/main/default");
const PAGE = path.join(DEFAULT, "pages/OmniSyncHost.page");
const SOFTPHONE = path.join(DEFAULT, "pages/OmniSyncSoftphone.page");
const OPENCTI = "/support/api/62.0/lightning/opencti_min.js";
let INSTANCE; // the CCP stand-in's origin, a third port
const STATIC = path.join(DEFAULT, "staticresources");
const HELPER = path.join(DEFAULT, "aura/OmniSyncBridge/OmniSyncBridgeHelper.js");
const FIXTURES = path.join(ROOT, "e2e/fixtures");
const RESOURCES = "/resource/1717171717000";
const CHANNEL = "OmniSync__c.token-from-$MessageChannel";
// Short on purpose: the relay beats every 300 ms and waits 1 s for the phone, so the
// host counts it gone after 900 ms of silence and a lost reply after 3 s.
const HEARTBEAT_MS = 300;
const PHONE_TIMEOUT_MS = 1000;
const CSP = "script-src 'self' 'wasm-unsafe-eval'";
const MIME = { ".js": "text/javascript; charset=utf-8", ".json": "application/json; charset=utf-8" };

let servers = [];
let hostOrigin;
let phoneOrigin;
let rules;

before(async () => {
  assertRuntimeBuilt();
  const built = spawnSync(process.execPath, ["scripts/package-sf.mjs", "--resources-only"], { cwd: ROOT, encoding: "utf8" });
  assert.equal(built.status, 0, `package-sf.mjs --resources-only failed:\n${built.stdout}${built.stderr}`);
  // The rules name statuses only; this org gives each an Id. The rules served carry the
  // same Ids, so the host starts whether or not its page also hands it the catalog.
  const shipped = JSON.parse(fs.readFileSync(path.join(STATIC, "omnisyncRules.json"), "utf8"));
  rules = { ...shipped, statuses: shipped.statuses.map((status, i) => ({
    ...status, id: status.id ?? `0N5Hs00000${String(i + 1).padStart(2, "0")}RlyAAA`,
  })) };
  const zip = unzipSync(new Uint8Array(fs.readFileSync(path.join(STATIC, "omnisync.zip"))));
  assert.ok(zip["relay.js"], "the omnisync static resource ships relay.js");
  assert.ok(fs.existsSync(path.join(STATIC, "amazonConnectStreams.js")), "the Streams build the package ships");
  servers = [await listen(zip), await listen(zip), await listen(zip)];
  [hostOrigin, phoneOrigin, INSTANCE] = servers.map((s) => `http://127.0.0.1:${s.address().port}`);
  assert.notEqual(hostOrigin, phoneOrigin);
});
after(() => Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve)))));

// ------------------------------------------------------------------ the pages

/** OmniSyncHost.page as Salesforce renders it (merge fields substituted). */
function hostPage() {
  const source = fs.readFileSync(PAGE, "utf8").trim();
  const open = source.match(/^<apex:page\b[^>]*>/);
  assert.ok(open && source.endsWith("</apex:page>"), "OmniSyncHost.page is one <apex:page> element");
  const attr = (text) => text.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
  const catalog = rules.statuses.map((s) => ({ Id: s.id, DeveloperName: s.developerName, MasterLabel: s.label }));
  const fields = {
    "{!$Resource.omnisyncRules}": `${RESOURCES}/omnisyncRules`,
    "{!$MessageChannel.OmniSync__c}": CHANNEL,
    "{!$User.Id}": "005Hs00000AgEntAAA",
    "{!$User.ProfileId}": "00eHs000000PrOfAAA",
    // The page's controller fields, where the page has them.
    "{!userId}": "005Hs00000AgEntAAA",
    "{!orgId}": "00DHs000000OrGaAAA",
    "{!profileId}": "00eHs000000PrOfAAA",
    "{!teamsJson}": attr("[]"),
    "{!catalogJson}": attr(JSON.stringify(catalog)),
    "{!catalogError}": "",
    "{!$RemoteAction.OmniSyncHostController.publishPresence}": "OmniSyncHostController.publishPresence",
  };
  let body = source.slice(open[0].length, -"</apex:page>".length)
    .replace(/\{!URLFOR\(\$Resource\.omnisync, '([^']+)'\)\}/g, `${RESOURCES}/omnisync/$1`);
  for (const [field, value] of Object.entries(fields)) body = body.split(field).join(value);
  assert.equal(body.match(/\{![^}]*\}|<\/?apex:[\w-]+/g), null, "the page uses only the merge fields this test renders");
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>host</title>
<script src="/fixture/config.js"></script>
<script src="/fixture/bridge-helper.js"></script>
<script src="/fixture/fake-salesforce.js"></script>
<script src="/fixture/lms-frame.js"></script>
</head><body>${body}</body></html>`;
}

/**
 * OmniSyncSoftphone.page as Salesforce renders it, the custom metadata record Default
 * filled in. Its scripts come from the static resources (ccp.js, relay.js) and from the
 * fakes standing where Salesforce serves opencti_min.js and the Streams resource.
 */
function softphonePage() {
  const source = fs.readFileSync(SOFTPHONE, "utf8").trim();
  const open = source.match(/^<apex:page\b[^>]*>/);
  assert.ok(open && source.endsWith("</apex:page>"), "OmniSyncSoftphone.page is one <apex:page> element");
  // The custom metadata record Default, whichever way the page reads it.
  const fields = [
    [/\{![^}]*Instance_?URL[^}]*\}/gi, INSTANCE],
    [/\{![^}]*Region[^}]*\}/gi, "eu-west-2"],
    [/\{!\$Resource\.amazonConnectStreams\}/g, `${RESOURCES}/amazonConnectStreams`],
  ];
  let body = source.slice(open[0].length, -"</apex:page>".length)
    .replace(/\{!URLFOR\(\$Resource\.omnisync, '([^']+)'\)\}/g, `${RESOURCES}/omnisync/$1`);
  for (const [field, value] of fields) body = body.replace(field, value);
  body = body.replace(/<apex:form[^>]*>|<\/apex:form>/g, "");
  assert.equal(body.match(/\{![^}]*\}|<\/?apex:[\w-]+/g), null, "the page uses only the merge fields this test renders");
  assert.ok(body.includes(`src="${OPENCTI}"`), "the page loads Open CTI for Lightning");
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>softphone</title></head><body>${body}</body></html>`;
}

/** An integrator's own softphone page that starts the CCP on window load (Streams' documented example). */
const lateCcpPage = () => `<!DOCTYPE html><html><head><meta charset="utf-8"><title>late softphone</title></head><body>
<div id="omnisync-ccp" style="width: 100%; height: 400px;"></div>
<script src="${OPENCTI}"></script>
<script src="${RESOURCES}/amazonConnectStreams"></script>
<script src="${RESOURCES}/omnisync/relay.js"></script>
<script src="/fixture/late-ccp.js"></script>
</body></html>`;

const topPage = (softphoneNow, softphone) => `<!DOCTYPE html><html><head><meta charset="utf-8"><title>console</title>
<script src="/fixture/lms-top.js"></script>
</head><body data-host="${hostOrigin}/apex/OmniSyncHost?telephony=none" data-softphone="${phoneOrigin}/apex/${softphone}"
 data-softphone-now="${softphoneNow}"></body></html>`;

function listen(zip) {
  const config = () => `window.fakeSalesforceConfig = ${JSON.stringify({
    channel: CHANNEL, statuses: rules.statuses, telephonyStates: rules.telephony.states,
    relayOptions: { heartbeatMs: HEARTBEAT_MS, commandTimeoutMs: PHONE_TIMEOUT_MS, pollMs: 100 },
  })};`;
  const fixture = (name) => () => [MIME[".js"], fs.readFileSync(path.join(FIXTURES, name))];
  const routes = {
    "/fixture/config.js": () => [MIME[".js"], config()],
    "/fixture/bridge-helper.js": () => [MIME[".js"], `window.OmniSyncBridgeHelper = ${fs.readFileSync(HELPER, "utf8").trim()};\n`],
    "/fixture/fake-salesforce.js": () => [MIME[".js"], fixtureScript("fake-salesforce.js")],
    "/fixture/lms-frame.js": fixture("lms-frame.js"),
    "/fixture/lms-top.js": fixture("lms-top.js"),
    "/fixture/late-ccp.js": () => [MIME[".js"], `window.addEventListener("load", function () {
  connect.core.initCCP(document.getElementById("omnisync-ccp"), { ccpUrl: ${JSON.stringify(`${INSTANCE}/ccp-v2/`)}, loginPopup: false });
});`],
    [OPENCTI]: () => [MIME[".js"], `${config()}\n${fs.readFileSync(path.join(FIXTURES, "fake-opencti.js"))}`],
    // The shipped build, unmodified.
    [`${RESOURCES}/amazonConnectStreams`]: () => [MIME[".js"], fs.readFileSync(path.join(STATIC, "amazonConnectStreams.js"))],
    [`${RESOURCES}/omnisyncRules`]: () => [MIME[".json"], JSON.stringify(rules)],
    // The CCP stand-in, on its own origin.
    "/ccp-v2/standin.js": fixture("ccp-standin.js"),
    "/ccp-v2/config.js": () => [MIME[".js"], `window.ccpStandinConfig = ${JSON.stringify({ states: rules.telephony.states, initialState: "Available" })};`],
  };
  return new Promise((resolve) => {
    const server = http.createServer((request, response) => {
      const url = new URL(request.url, "http://127.0.0.1");
      const send = (status, type, body) => {
        const headers = { "Content-Type": type, "Cache-Control": "no-store" };
        if (type.startsWith("text/html")) headers["Content-Security-Policy"] = CSP;
        response.writeHead(status, headers);
        response.end(body);
      };
      const html = "text/html; charset=utf-8";
      if (url.pathname === "/top") return send(200, html, topPage(url.searchParams.get("softphone") === "now", url.searchParams.get("page") ?? "OmniSyncSoftphone"));
      if (url.pathname === "/apex/OmniSyncHost") return send(200, html, hostPage());
      if (url.pathname === "/apex/OmniSyncSoftphone") return send(200, html, softphonePage());
      if (url.pathname === "/apex/LateCcpSoftphone") return send(200, html, lateCcpPage());
      if (url.pathname === "/ccp-v2/") {
        return send(200, html, '<!DOCTYPE html><html><head><meta charset="utf-8"><title>CCP</title><script src="/ccp-v2/config.js"></script><script src="/ccp-v2/standin.js"></script></head><body>CCP</body></html>');
      }
      if (url.pathname === "/favicon.ico") return send(204, "image/x-icon", "");
      if (routes[url.pathname]) return send(200, ...routes[url.pathname]());
      const entry = url.pathname.startsWith(`${RESOURCES}/omnisync/`) && zip[url.pathname.slice(`${RESOURCES}/omnisync/`.length)];
      if (entry) return send(200, url.pathname.endsWith(".js") ? MIME[".js"] : "application/octet-stream", Buffer.from(entry));
      return send(404, "text/plain", "not found");
    });
    server.listen(0, "127.0.0.1", () => resolve(server));
  });
}

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
const fake = async (page) => host(page).evaluate(() => JSON.parse(JSON.stringify(window.fakeSalesforce)));
const trace = async (page) => host(page).evaluate(() => window.omnisyncHost.runtime.trace().map((e) => e.message));
const puts = async (page) => ccp(page).evaluate(() => window.ccpStandin.puts());
const statusId = (name) => rules.statuses.find((s) => s.developerName === name).id;
const setStatusCalls = async (page) => (await fake(page)).toolkitCalls.filter((c) => c.method === "setServicePresenceStatus");
const telephonyOf = async (page, type) => (await page.evaluate(() => window.lms.log))
  .filter((e) => e.message.kind === "telephony" && e.message.type === type).map((e) => e.message);

async function openConsole(browser, softphoneNow, softphonePage = "OmniSyncSoftphone") {
  const page = await browser.context.newPage();
  await page.goto(`${hostOrigin}/top?page=${softphonePage}${softphoneNow ? "&softphone=now" : ""}`);
  await waitFor(() => host(page), { what: "the host frame" });
  await host(page).waitForSelector("#omnisync-status[data-state=running]", { timeout: 15000 });
  return page;
}

/** As the agent: a status picked in the Omni-Channel widget (a manual change). */
async function agentPicksOmni(page, developerName) {
  await host(page).evaluate((id) => window.fakeSalesforce.agentPicks(id), statusId(developerName));
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
  const page = await openConsole(browser, false);
  assert.equal(await statusLine(page), "omnisync: running (waiting for the softphone)", "no relay has spoken yet");
  // Omni on a status no mapping sends to the phone; the phone will start on Available,
  // and the rule "phone Available -> Omni Available" must not fire for that.
  await agentPicksOmni(page, "Working_Phone");
  await waitFor(async () => (await fake(page)).panel.some((m) => m.state?.omni?.developerName === "Working_Phone"),
    { what: "the engine to see Working_Phone" });
  const before = (await setStatusCalls(page)).length;
  await page.evaluate(() => window.lms.addSoftphone());
  await relayConnected(page);
  assert.ok((await trace(page)).includes("softphone relay appeared (Amazon Connect)"));
  assert.notEqual(new URL(host(page).url()).origin, new URL(softphone(page).url()).origin, "two origins");
  assert.equal(new URL(ccp(page).url()).origin, INSTANCE, "the CCP frame Streams made, at the instance");
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
  const page = await openConsole(browser, true);
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
  const order = (await page.evaluate(() => window.lms.log)).map((e) => e.message)
    .filter((m) => m.kind === "telephony" && (m.type === "reply" || m.type === "changed")).map((m) => m.type);
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
  const page = await openConsole(browser, true, "LateCcpSoftphone");
  await relayConnected(page);
  await agentPicksPhone(page, "Lunch");
  await waitFor(async () => (await setStatusCalls(page)).some((c) => c.arg.statusId === statusId("Lunch")),
    { what: "Omni on Lunch" });
});

relayTest("terminate, remove the CCP iframe, initCCP again: a state change is still reported", async (browser) => {
  const page = await openConsole(browser, true);
  await relayConnected(page);
  await softphone(page).evaluate(() => {
    window.connect.core.terminate();
    // initCCP returns early while an iframe of its name exists, and terminate() leaves it.
    document.querySelectorAll("#omnisync-ccp iframe").forEach((f) => f.remove());
  });
  await sleep(500);
  await softphone(page).evaluate((url) => {
    window.connect.core.initCCP(document.getElementById("omnisync-ccp"), { ccpUrl: url, loginPopup: false });
  }, `${INSTANCE}/ccp-v2/`);
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
  const page = await openConsole(browser, true);
  await relayConnected(page);
  // The command is lost on its way to the softphone: nothing acts, nothing answers.
  await page.evaluate(() => { window.lms.drop.command = 1; });
  await agentPicksOmni(page, "Break");
  await waitFor(async () => (await puts(page)).length, { what: "the retried putAgentState", timeout: 20000 });
  const dropped = await page.evaluate(() => window.lms.dropped);
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
  const page = await openConsole(browser, true);
  await relayConnected(page);
  const before = (await page.evaluate(() => window.lms.log)).length;
  await host(page).evaluate(() => document.dispatchEvent(new Event("resume")));
  await agentPicksOmni(page, "Break");
  await waitFor(async () => (await puts(page)).length, { what: "the putAgentState" });
  const sent = (await page.evaluate(() => window.lms.log)).slice(before).filter((e) => e.from === "host").map((e) => e.message.type);
  assert.deepEqual(sent.slice(0, 2), ["ping", "command"], sent.join(", "));
  const lines = await trace(page);
  assert.ok(!lines.some((m) => /relay silent/.test(m)), lines.join("\n"));
});

relayTest("heartbeats that stop coming (a softphone in a background tab): queries are answered, no noRelay", async (browser) => {
  const page = await openConsole(browser, true);
  await relayConnected(page);
  await page.evaluate(() => { window.lms.drop.heartbeat = 1e9; });
  await sleep(5 * HEARTBEAT_MS * 3); // several silence limits
  await agentPicksOmni(page, "Break");
  await waitFor(async () => (await puts(page)).some((p) => p.state.name === "Break"), { what: "the putAgentState" });
  const lines = await trace(page);
  assert.ok(!lines.some((m) => /noRelay|relay silent/.test(m)), lines.join("\n"));
  assert.ok((await telephonyOf(page, "pong")).length >= 2, "the relay answered the host's queries");
  assert.equal(await statusLine(page), "omnisync: running (softphone relay: Amazon Connect)");
});

relayTest("enqueueNextState as the page configures it reaches putAgentState", async (browser) => {
  const page = await openConsole(browser, true);
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
