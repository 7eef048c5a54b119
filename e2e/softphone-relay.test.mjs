// The phone in its own frame, in headless Chromium: a top page (the console) holds two
// iframes on two origins, two ports of 127.0.0.1: the OmniSyncHost page (rendered from
// lwc-wrapper/.../pages/OmniSyncHost.page, with e2e/fixtures/fake-salesforce.js for the
// Aura bridge and the toolkit and no telephony client of its own) and the optional
// Open CTI softphone page (pages/OmniSyncSoftphone.page: its ccp.js and the real relay
// from the omnisync.zip static resource) over an agent with Amazon Connect Streams'
// shape (e2e/fixtures/fake-streams.js, served where the page loads Streams; Open CTI is
// e2e/fixtures/fake-opencti.js). The top page plays Lightning Message Service between
// them by postMessage (e2e/fixtures/lms-top.js). Protocol: docs/message-channel.md,
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
import { ROOT, assertRuntimeBuilt, fixtureScript, launchBrowser, sleep, waitFor } from "./harness.mjs";

const DEFAULT = path.join(ROOT, "lwc-wrapper/force-app/main/default");
const PAGE = path.join(DEFAULT, "pages/OmniSyncHost.page");
const SOFTPHONE = path.join(DEFAULT, "pages/OmniSyncSoftphone.page");
const OPENCTI = "/support/api/62.0/lightning/opencti_min.js";
const INSTANCE = "https://example.my.connect.aws";
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
  servers = [await listen(zip), await listen(zip)];
  [hostOrigin, phoneOrigin] = servers.map((s) => `http://127.0.0.1:${s.address().port}`);
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
  const fields = {
    "{!$CustomMetadata.OmniSync_Softphone__mdt.Default.Instance_URL__c}": INSTANCE,
    "{!$CustomMetadata.OmniSync_Softphone__mdt.Default.Region__c}": "eu-west-2",
    "{!$Resource.amazonConnectStreams}": `${RESOURCES}/amazonConnectStreams`,
  };
  let body = source.slice(open[0].length, -"</apex:page>".length)
    .replace(/\{!URLFOR\(\$Resource\.omnisync, '([^']+)'\)\}/g, `${RESOURCES}/omnisync/$1`);
  for (const [field, value] of Object.entries(fields)) body = body.split(field).join(value);
  assert.equal(body.match(/\{![^}]*\}|<\/?apex:[\w-]+/g), null, "the page uses only the merge fields this test renders");
  assert.ok(body.includes(`src="${OPENCTI}"`), "the page loads Open CTI for Lightning");
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>softphone</title></head><body>${body}</body></html>`;
}

const topPage = (softphoneNow) => `<!DOCTYPE html><html><head><meta charset="utf-8"><title>console</title>
<script src="/fixture/lms-top.js"></script>
</head><body data-host="${hostOrigin}/apex/OmniSyncHost?telephony=none" data-softphone="${phoneOrigin}/apex/OmniSyncSoftphone"
 data-softphone-now="${softphoneNow}"></body></html>`;

function listen(zip) {
  const config = () => `window.fakeSalesforceConfig = ${JSON.stringify({
    channel: CHANNEL, statuses: rules.statuses, telephonyStates: rules.telephony.states,
    relayOptions: { heartbeatMs: HEARTBEAT_MS, commandTimeoutMs: PHONE_TIMEOUT_MS },
  })};`;
  const fixture = (name) => () => [MIME[".js"], fs.readFileSync(path.join(FIXTURES, name))];
  const routes = {
    "/fixture/config.js": () => [MIME[".js"], config()],
    "/fixture/bridge-helper.js": () => [MIME[".js"], `window.OmniSyncBridgeHelper = ${fs.readFileSync(HELPER, "utf8").trim()};\n`],
    "/fixture/fake-salesforce.js": () => [MIME[".js"], fixtureScript("fake-salesforce.js")],
    "/fixture/lms-frame.js": fixture("lms-frame.js"),
    "/fixture/lms-top.js": fixture("lms-top.js"),
    [OPENCTI]: () => [MIME[".js"], `${config()}\n${fs.readFileSync(path.join(FIXTURES, "fake-opencti.js"))}`],
    [`${RESOURCES}/amazonConnectStreams`]: () => [MIME[".js"], fixtureScript("fake-streams.js")],
    [`${RESOURCES}/omnisyncRules`]: () => [MIME[".json"], JSON.stringify(rules)],
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
      if (url.pathname === "/top") return send(200, html, topPage(url.searchParams.get("softphone") === "now"));
      if (url.pathname === "/apex/OmniSyncHost") return send(200, html, hostPage());
      if (url.pathname === "/apex/OmniSyncSoftphone") return send(200, html, softphonePage());
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

function relayTest(name, body) {
  test(name, { timeout: 90000 }, async () => {
    const browser = await launchBrowser();
    try {
      await body(browser);
      assert.deepEqual(browser.errors, [], "no console error or uncaught exception in any frame");
    } finally {
      await browser.close();
    }
  });
}

const frame = (page, name) => page.frames().find((f) => f.url().includes(name === "host" ? "/apex/OmniSyncHost" : "/apex/OmniSyncSoftphone"));
const host = (page) => frame(page, "host");
const softphone = (page) => frame(page, "softphone");
const statusLine = async (page) => host(page).locator("#omnisync-status").innerText();
const fake = async (page) => host(page).evaluate(() => JSON.parse(JSON.stringify(window.fakeSalesforce)));
const trace = async (page) => host(page).evaluate(() => window.omnisyncHost.runtime.trace().map((e) => e.message));
const phoneCalls = async (page) => softphone(page).evaluate(() => window.fakePhone.calls());
const statusId = (name) => rules.statuses.find((s) => s.developerName === name).id;
const setStatusCalls = async (page) => (await fake(page)).toolkitCalls.filter((c) => c.method === "setServicePresenceStatus");

async function openConsole(browser, softphoneNow) {
  const page = await browser.context.newPage();
  await page.goto(`${hostOrigin}/top${softphoneNow ? "?softphone=now" : ""}`);
  await waitFor(() => host(page), { what: "the host frame" });
  await host(page).waitForSelector("#omnisync-status[data-state=running]", { timeout: 15000 });
  return page;
}

/** As the agent: a status picked in the Omni-Channel widget (a manual change). */
async function agentPicksOmni(page, developerName) {
  await host(page).evaluate((id) => window.fakeSalesforce.agentPicks(id), statusId(developerName));
}

async function relayConnected(page) {
  await waitFor(async () => (await statusLine(page)) === "omnisync: running (softphone relay: Amazon Connect)",
    { what: "the status line to name the relay", timeout: 10000 });
  // The engine reads the phone at its reconcile; a state message shows it has started.
  await waitFor(async () => (await fake(page)).panel.some((m) => m.state?.omni?.developerName === "Available"),
    { what: "the engine's first state message" });
}

// ------------------------------------------------------------------ the tests

relayTest("the phone in another frame: Lunch to Omni, Omni to the phone, reload quiet, relay killed", async (browser) => {
  const page = await openConsole(browser, false);
  assert.equal(await statusLine(page), "omnisync: running (waiting for the softphone)", "no relay has spoken yet");
  await page.evaluate(() => window.lms.addSoftphone());
  await relayConnected(page);
  assert.ok((await trace(page)).includes("softphone relay appeared (Amazon Connect)"));
  assert.notEqual(new URL(host(page).url()).origin, new URL(softphone(page).url()).origin, "two origins");
  // The page started one CCP, at the instance its custom metadata names; the relay none.
  const ccps = await softphone(page).evaluate(() => window.fakePhone.ccps());
  assert.equal(ccps.length, 1);
  assert.equal(ccps[0].container, "omnisync-ccp");
  assert.equal(ccps[0].options.ccpUrl, `${INSTANCE}/ccp-v2/`);
  assert.equal(ccps[0].options.region, "eu-west-2");
  assert.equal(ccps[0].options.softphone.allowFramedSoftphone, true);

  // Phone Lunch -> one setServicePresenceStatus with Lunch's Id.
  await softphone(page).evaluate(() => window.fakePhone.change("Lunch"));
  await waitFor(async () => (await setStatusCalls(page)).length, { what: "a setServicePresenceStatus" });
  await sleep(500);
  assert.deepEqual(await setStatusCalls(page), [{ method: "setServicePresenceStatus", arg: { statusId: statusId("Lunch") } }]);
  assert.deepEqual(await phoneCalls(page), [], "the phone is not moved off Lunch");

  // Omni Break (the agent's own change) -> one agent.setState with the Break object.
  await agentPicksOmni(page, "Break");
  await waitFor(async () => (await phoneCalls(page)).length, { what: "an agent.setState" });
  await sleep(500);
  const calls = await phoneCalls(page);
  assert.equal(calls.length, 1, JSON.stringify(calls));
  assert.equal(calls[0].state.name, "Break");
  assert.equal(calls[0].sameObject, true, "the state object getAgentStates gave");
  assert.match(calls[0].state.agentStateARN, /agent-state\/Break$/);
  assert.deepEqual(calls[0].options, { enqueueNextState: false });

  // Reloading the softphone frame: a snapshot, no action on either side.
  const before = { sets: (await setStatusCalls(page)).length, phone: (await phoneCalls(page)).length };
  await softphone(page).evaluate(() => location.reload());
  await waitFor(async () => (await softphone(page)?.evaluate(() => window.fakePhone && window.fakePhone.loads())) === 2,
    { what: "the softphone to load again" });
  await waitFor(async () => (await trace(page)).some((m) => /relay returned after a reload of the softphone/.test(m)),
    { what: "the trace to note the reload" });
  await sleep(1500);
  assert.equal((await setStatusCalls(page)).length, before.sets, "no Omni-Channel action after the reload");
  assert.equal((await phoneCalls(page)).length, before.phone, "no phone action after the reload");
  assert.equal(await statusLine(page), "omnisync: running (softphone relay: Amazon Connect)");

  // Killing the relay: "waiting for the softphone" within the heartbeat window.
  const killed = Date.now();
  await softphone(page).evaluate(() => window.omnisyncRelay.stop());
  await waitFor(async () => (await statusLine(page)) === "omnisync: running (waiting for the softphone)",
    { what: "the status line to wait for the softphone", timeout: 3 * HEARTBEAT_MS + 3000, interval: 50 });
  const silentFor = Date.now() - killed;
  assert.ok(silentFor <= 3 * HEARTBEAT_MS + 3000, `noticed after ${silentFor} ms`);
  const lines = await trace(page);
  assert.ok(lines.some((m) => /softphone relay silent: heartbeat lost/.test(m)), lines.join("\n"));
});

relayTest("a reply that never comes times out and is retried like any write", async (browser) => {
  const page = await openConsole(browser, true);
  await relayConnected(page);
  // The command is lost on its way to the softphone: nothing acts, nothing answers.
  await page.evaluate(() => { window.lms.drop.command = 1; });
  await agentPicksOmni(page, "Break");
  await waitFor(async () => (await phoneCalls(page)).length, { what: "the retried agent.setState", timeout: 20000 });
  const dropped = await page.evaluate(() => window.lms.dropped);
  assert.deepEqual(dropped.map((m) => [m.type, m.method, m.name]), [["command", "setState", "Break"]]);
  const lines = await trace(page);
  assert.ok(lines.some((m) => /failed \(timeout\); attempt 2/.test(m)), lines.join("\n"));
  await sleep(500);
  const calls = await phoneCalls(page);
  assert.deepEqual(calls.map((c) => c.state.name), ["Break"], "carried out once, by the retry");
  const commands = (await page.evaluate(() => window.lms.log))
    .filter((e) => e.message.type === "command" && e.message.method === "setState");
  assert.equal(commands.length, 2, "sent, lost, sent again");
  assert.notEqual(commands[0].message.id, commands[1].message.id, "each attempt has its own correlation id");
  const stats = await host(page).evaluate(() => window.omnisyncHost.runtime.stats());
  assert.equal(stats.retries, 1);
  assert.equal(stats.failed, 0);
});
