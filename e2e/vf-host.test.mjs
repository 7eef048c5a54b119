// The Visualforce host outside Salesforce, in headless Chromium: the HTML of
// lwc-wrapper/.../pages/OmniSyncHost.page with its merge fields substituted, the
// scripts and the wasm served out of the omnisync.zip static resource that
// scripts/package-sf.mjs builds, and around it e2e/fixtures/fake-salesforce.js:
// sforce.one as an in-page message bus, the Aura bridge (its real helper over a fake
// omniToolkitAPI), a panel that keeps the state messages, a telephony client.
//
//   node --test e2e/vf-host.test.mjs          (or node e2e/run.mjs)

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { unzipSync } from "fflate";
import { ROOT, assertRuntimeBuilt, fixtureScript, launchBrowser, waitFor } from "./harness.mjs";

const DEFAULT = path.join(ROOT, "lwc-wrapper/force-app/main/default");
const PAGE = path.join(DEFAULT, "pages/OmniSyncHost.page");
const STATIC = path.join(DEFAULT, "staticresources");
const HELPER = path.join(DEFAULT, "aura/OmniSyncBridge/OmniSyncBridgeHelper.js");
const FIXTURES = path.join(ROOT, "e2e/fixtures");
// Where Salesforce serves static resources: /resource/<version>/<name>[/<path in zip>].
const RESOURCES = "/resource/1717171717000";
const CHANNEL = "OmniSync__c.token-from-$MessageChannel";
const USER = { id: "005Hs00000AgEntAAA", profileId: "00eHs000000PrOfAAA" };
// Two orgs with the same presence statuses under different Ids, as `sf data query
// --json` prints them (result.records), and one that lacks Lunch.
const record = (Id, DeveloperName, MasterLabel) => ({ attributes: { type: "ServicePresenceStatus" }, Id, DeveloperName, MasterLabel });
const ORGS = {
  a: [
    record("0N5Hs0000001AvlKAE", "Available", "Available"),
    record("0N5Hs0000002WphKAE", "Working_Phone", "On a Call"),
    record("0N5Hs0000004LunKAE", "Lunch", "Lunch"),
    record("0N5Hs0000006BrkKAE", "Break", "Break"),
  ],
  b: [
    record("0N5Wb00000A1avlQAA", "Available", "Available"),
    record("0N5Wb00000A2wphQAA", "Working_Phone", "On a Call"),
    record("0N5Wb00000A4lunQAA", "Lunch", "Lunch break"),
    record("0N5Wb00000A6brkQAA", "Break", "Break"),
  ],
};
ORGS.lacking = ORGS.b.filter((r) => r.DeveloperName !== "Lunch");
const orgId = (org, developerName) => ORGS[org].find((r) => r.DeveloperName === developerName).Id;

const CSP = {
  // What the demo proves the engine needs: no inline script, wasm compilation allowed.
  salesforce: "script-src 'self' 'wasm-unsafe-eval'",
  // Without 'wasm-unsafe-eval' the browser refuses to compile WebAssembly.
  noWasm: "script-src 'self'",
};

let server;
let base;
let rules;

before(async () => {
  assertRuntimeBuilt();
  // The zip under test is the one the packaging script makes, from the current
  // sources; the wasm itself comes from pkg/web (scripts/build-wasm.sh).
  const built = spawnSync(process.execPath, ["scripts/package-sf.mjs", "--resources-only"], { cwd: ROOT, encoding: "utf8" });
  assert.equal(built.status, 0, `package-sf.mjs --resources-only failed:\n${built.stdout}${built.stderr}`);
  assert.ok(fs.existsSync(HELPER), `the Aura bridge's helper ${path.relative(ROOT, HELPER)} is missing`);
  rules = JSON.parse(fs.readFileSync(path.join(STATIC, "omnisyncRules.json"), "utf8"));
  const zip = unzipSync(new Uint8Array(fs.readFileSync(path.join(STATIC, "omnisync.zip"))));
  server = await serve(zip);
  base = `http://127.0.0.1:${server.address().port}`;
});
after(() => new Promise((resolve) => (server ? server.close(resolve) : resolve())));

// ------------------------------------------------------------------ the page

/**
 * The HTML Salesforce would render from OmniSyncHost.page: its markup with the merge
 * fields it uses substituted, and the fake Salesforce loaded first. Anything the
 * translation does not know fails the test rather than reaching the browser.
 */
function renderPage({ rulesResource, org, teams, catalogError, configQuery }) {
  const source = fs.readFileSync(PAGE, "utf8").trim();
  const open = source.match(/^<apex:page\b[^>]*>/);
  assert.ok(open && source.endsWith("</apex:page>"), "OmniSyncHost.page is one <apex:page> element");
  assert.match(open[0], /\bcontroller="OmniSyncHostController"/, "the page renders its configuration with its controller");
  // Visualforce HTML-encodes a merge field placed in an attribute.
  const attr = (text) => text.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/'/g, "&#39;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  const fields = {
    "{!$Resource.omnisyncRules}": `${RESOURCES}/${rulesResource}`,
    "{!$MessageChannel.OmniSync__c}": CHANNEL,
    "{!userId}": USER.id,
    "{!orgId}": "00DHs000000OrGaAAA",
    "{!profileId}": USER.profileId,
    "{!teamsJson}": attr(JSON.stringify(teams)),
    "{!catalogJson}": attr(JSON.stringify(catalogError ? [] : ORGS[org])),
    "{!catalogError}": attr(catalogError),
    "{!$RemoteAction.OmniSyncHostController.publishPresence}": "OmniSyncHostController.publishPresence",
  };
  let body = source.slice(open[0].length, -"</apex:page>".length)
    .replace(/\{!URLFOR\(\$Resource\.omnisync, '([^']+)'\)\}/g, `${RESOURCES}/omnisync/$1`);
  for (const [field, value] of Object.entries(fields)) body = body.split(field).join(value);
  const unknown = body.match(/\{![^}]*\}|<\/?apex:[\w-]+/g);
  assert.equal(unknown, null, "the page uses only the merge fields and tags this test renders");
  const title = open[0].match(/title="([^"]*)"/)?.[1] ?? "";
  return `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>${title}</title>
<script src="/fixture/config.js?${configQuery}"></script>
<script src="/fixture/bridge-helper.js"></script>
<script src="/fixture/fake-salesforce.js"></script>
</head><body class="slds-vf-scope">${body}</body></html>`;
}

const MIME = { ".js": "text/javascript; charset=utf-8", ".json": "application/json; charset=utf-8" };

function serve(zip) {
  // The toolkit's statuses are the org's: Omni-Channel knows only its own Ids.
  const config = (org) => `window.fakeSalesforceConfig = ${JSON.stringify({
    channel: CHANNEL,
    statuses: ORGS[org].map((r) => ({ id: r.Id, developerName: r.DeveloperName, label: r.MasterLabel })),
    telephonyStates: rules.telephony.states,
  })};`;
  const routes = {
    "/fixture/config.js": (url) => [MIME[".js"], config(url.searchParams.get("org") ?? "a")],
    // The Aura helper is an object literal, as Aura source is.
    "/fixture/bridge-helper.js": () => [MIME[".js"], `window.OmniSyncBridgeHelper = ${fs.readFileSync(HELPER, "utf8").trim()};\n`],
    "/fixture/fake-salesforce.js": () => [MIME[".js"], fixtureScript("fake-salesforce.js")],
    [`${RESOURCES}/omnisyncRules`]: () => [MIME[".json"], fs.readFileSync(path.join(STATIC, "omnisyncRules.json"))],
    [`${RESOURCES}/invalidRules`]: () => [MIME[".json"], fs.readFileSync(path.join(FIXTURES, "invalid-rules.json"))],
    // The shipped rules with every status Id taken out: names only, as rules travel.
    [`${RESOURCES}/rulesWithoutIds`]: () => [MIME[".json"], JSON.stringify(withoutIds(rules))],
    // The shipped rules with the Lunch rule limited to a team, or to a 15-character profile Id.
    [`${RESOURCES}/teamRules`]: () => [MIME[".json"], JSON.stringify(scoped(rules, { teams: ["Voice_Team"] }))],
    [`${RESOURCES}/channelRules`]: () => [MIME[".json"], JSON.stringify(withVoiceRule(rules))],
    [`${RESOURCES}/profileRules`]: () => [MIME[".json"], JSON.stringify(scoped(withoutIds(rules), { profileIds: [USER.profileId.slice(0, 15)] }))],
  };
  return new Promise((resolve) => {
    const srv = http.createServer((request, response) => {
      const url = new URL(request.url, "http://127.0.0.1");
      const send = (status, type, body, headers = {}) => {
        response.writeHead(status, { "Content-Type": type, "Cache-Control": "no-store", ...headers });
        response.end(body);
      };
      if (url.pathname === "/apex/OmniSyncHost") {
        const org = url.searchParams.get("org") ?? "a";
        const page = renderPage({
          rulesResource: url.searchParams.get("rules") ?? "omnisyncRules",
          org,
          teams: JSON.parse(url.searchParams.get("teams") ?? "[]"),
          catalogError: url.searchParams.get("catalogError") ?? "",
          configQuery: url.search.slice(1),
        });
        return send(200, "text/html; charset=utf-8", page,
          { "Content-Security-Policy": CSP[url.searchParams.get("csp") ?? "salesforce"] });
      }
      if (url.pathname === "/favicon.ico") return send(204, "image/x-icon", "");
      if (routes[url.pathname]) return send(200, ...routes[url.pathname](url));
      const inZip = url.pathname.startsWith(`${RESOURCES}/omnisync/`) && zip[url.pathname.slice(`${RESOURCES}/omnisync/`.length)];
      if (inZip) {
        // Salesforce may not know .wasm inside a zip: serve it as bytes, so the glue's
        // fallback from instantiateStreaming is what runs here.
        const type = url.pathname.endsWith(".js") ? MIME[".js"] : "application/octet-stream";
        return send(200, type, Buffer.from(inZip));
      }
      return send(404, "text/plain", "not found");
    });
    srv.listen(0, "127.0.0.1", () => resolve(srv));
  });
}

// ------------------------------------------------------------------ helpers

function withoutIds(file) {
  const copy = structuredClone(file);
  copy.statuses = copy.statuses.map(({ id, ...rest }) => rest);
  return copy;
}

/** The rules plus one on the "Salesforce Service Channel" operand (omni.channel). */
function withVoiceRule(file) {
  const copy = structuredClone(file);
  copy.rules.push({
    name: "Voice work accepted: On a Call",
    on: "omni.workAccepted",
    if: { all: [{ left: "omni.channel", op: "eq", right: { value: "Voice_Calls" } }] },
    then: [{ setOmniStatus: "Working_Phone" }],
  });
  return copy;
}

/** The rules with `scope` on the rule "Connect agent switches to Lunch". */
function scoped(file, scope) {
  const copy = structuredClone(file);
  const rule = copy.rules.find((r) => r.name === "Connect agent switches to Lunch");
  assert.ok(rule, "the shipped rules have the Lunch rule");
  rule.scope = scope;
  return copy;
}

/** A test with its own browser; no console error and no uncaught exception allowed. */
function hostTest(name, body, options = {}) {
  test(name, { timeout: 60000, ...options }, async () => {
    const browser = await launchBrowser();
    try {
      await body(browser);
      assert.deepEqual(browser.errors, [], "no console error or uncaught exception in the page");
    } finally {
      await browser.close();
    }
  });
}

async function openHost(browser, query = "") {
  const page = await browser.context.newPage();
  await page.goto(`${base}/apex/OmniSyncHost${query}`);
  await page.waitForSelector("#omnisync-status:not([data-state=starting])", { timeout: 15000 });
  return page;
}

const fake = (page) => page.evaluate(() => JSON.parse(JSON.stringify(window.fakeSalesforce)));
const statusLine = (page) => page.locator("#omnisync-status");
const statusId = (developerName) => orgId("a", developerName);

/** Waits for a state message on the panel's side that satisfies `predicate`. */
function panelSees(page, predicate, what) {
  return waitFor(async () => (await fake(page)).panel.filter((m) => !m.error).find(predicate), { what, timeout: 10000 });
}

// ------------------------------------------------------------------ the tests

for (const telephony of ["connect", "softphone"]) {
  hostTest(`${telephony}: Lunch on the phone becomes Omni-Channel Lunch through the Aura bridge`, async (browser) => {
    const page = await openHost(browser, `?telephony=${telephony}`);
    const name = telephony === "connect" ? "Amazon Connect" : "softphone";
    assert.equal(await statusLine(page).getAttribute("data-state"), "running", await statusLine(page).innerText());
    assert.match(await statusLine(page).innerText(), new RegExp(`running \\(${name}\\)`));

    const subscriptions = (await fake(page)).subscriptions;
    assert.deepEqual(subscriptions, [{ channel: CHANNEL, options: { scope: "APPLICATION" } }],
      "the host subscribes once, to the page's channel, application-wide");
    // Started: the engine leads (one tab) and has read both sides through the bridge.
    await panelSees(page, (m) => m.leader && m.state.omni.developerName === "Available" && m.state.telephony.state === "Available",
      "a state message: leader, Omni Available, phone Available");

    await page.evaluate(() => window.fakeSalesforce.agentChangesPhoneTo("Lunch"));
    const command = await waitFor(async () => (await fake(page)).log.find((e) =>
      e.message.kind === "command" && e.message.method === "setServicePresenceStatus"), { what: "a setServicePresenceStatus command" });
    assert.equal(command.from, "visualforce");
    assert.deepEqual(command.message.args, [{ statusId: statusId("Lunch") }]);

    const log = (await fake(page)).log;
    const reply = log.find((e) => e.message.kind === "reply" && e.message.id === command.message.id);
    assert.ok(reply, "the bridge answered the command");
    assert.equal(reply.from, "aura");
    assert.equal(reply.message.ok, true, JSON.stringify(reply.message));
    assert.equal(reply.message.result.statusApiName, "Lunch");

    const state = await panelSees(page, (m) => m.state.omni.developerName === "Lunch" &&
      m.trace.some((entry) => entry.rule === "Connect agent switches to Lunch"), "a state message with Omni Lunch and the rule in the trace");
    assert.equal(state.state.telephony.state, "Lunch");
    assert.equal(state.stats.failed, 0, "no action failed");
    assert.equal(state.stats.retries, 0, "the reply was accepted at once");
    assert.ok(state.trace.length <= 20, "at most 20 trace entries");
    assert.ok(Array.isArray(state.metrics.records), "metrics travel with the state");

    const after = await fake(page);
    const sets = after.toolkitCalls.filter((c) => c.method === "setServicePresenceStatus");
    assert.deepEqual(sets, [{ method: "setServicePresenceStatus", arg: { statusId: statusId("Lunch") } }], "one status change");
    assert.deepEqual(after.phoneSetStates.filter((s) => s !== "Lunch"), [], "the phone is not moved off Lunch");
    // The host publishes only commands and states; the bridge only events and replies.
    for (const entry of after.log) {
      const expected = entry.from === "visualforce" ? ["command", "state"] : ["event", "reply"];
      assert.ok(expected.includes(entry.message.kind), `${entry.from} published a ${entry.message.kind}`);
    }
  });
}

hostTest("no telephony client: the engine runs, waits for the softphone's relay, and the phone reads as unknown", async (browser) => {
  const page = await openHost(browser, "?telephony=none");
  assert.equal(await statusLine(page).innerText(), "omnisync: running (waiting for the softphone)");
  const state = await panelSees(page, (m) => m.leader && m.state.omni.developerName === "Available", "a state message");
  assert.equal(state.state.telephony.state, null);
});

hostTest("invalid rules: a state message with the error, every finding listed", async (browser) => {
  const page = await openHost(browser, "?rules=invalidRules");
  assert.equal(await statusLine(page).getAttribute("data-state"), "failed");
  const message = await waitFor(async () => (await fake(page)).panel.find((m) => m.error), { what: "a state message with error" });
  assert.deepEqual(Object.keys(message).sort(), ["error", "kind", "session"]);
  assert.match(message.error, /^rules\.invalid: the rules file is not valid/);
  assert.match(message.error, /\$\.rules\[1\]\.if: unknown variant `resembles`/);
  assert.match(message.error, /\$\.rules\[0\]\.then\[0\]\.setOmniStatus: no status has the DeveloperName "Lunch"/);
  assert.match(await statusLine(page).innerText(), /rules\.invalid/);
  const commands = (await fake(page)).log.filter((e) => e.message.kind === "command");
  assert.deepEqual(commands, [], "a host that did not start sends no command");
});

hostTest("WebAssembly blocked: a state message with the error", async (browser) => {
  const page = await openHost(browser, "?csp=noWasm");
  assert.equal(await statusLine(page).getAttribute("data-state"), "failed");
  const message = await waitFor(async () => (await fake(page)).panel.find((m) => m.error), { what: "a state message with error" });
  assert.match(message.error, /^wasm: WebAssembly could not start on this page: .*Content Security Policy/);
  assert.match(await statusLine(page).innerText(), /^omnisync: wasm: /);
});

hostTest("outside Lightning Experience (no sforce.one): the status line says so", async (browser) => {
  const page = await openHost(browser, "?lms=off");
  assert.equal(await statusLine(page).getAttribute("data-state"), "failed");
  assert.match(await statusLine(page).innerText(), /^omnisync: noMessageService: sforce\.one is missing/);
  assert.deepEqual((await fake(page)).log, [], "nothing was published");
});

// ------------------------------------------------------------------ the org's catalog

for (const org of ["a", "b"]) {
  hostTest(`rules without Ids in org ${org}: Lunch is sent with org ${org}'s Id for Lunch`, async (browser) => {
    const page = await openHost(browser, `?org=${org}&rules=rulesWithoutIds`);
    assert.equal(await statusLine(page).getAttribute("data-state"), "running", await statusLine(page).innerText());
    await panelSees(page, (m) => m.leader && m.state.omni.developerName === "Available", "a state message: Omni Available");
    await page.evaluate(() => window.fakeSalesforce.agentChangesPhoneTo("Lunch"));
    const command = await waitFor(async () => (await fake(page)).log.find((e) =>
      e.message.kind === "command" && e.message.method === "setServicePresenceStatus"), { what: "a setServicePresenceStatus command" });
    assert.deepEqual(command.message.args, [{ statusId: orgId(org, "Lunch") }]);
  });
}

hostTest("a catalog that lacks a status of the rules: the status line names it", async (browser) => {
  const page = await openHost(browser, "?org=lacking&rules=rulesWithoutIds");
  assert.equal(await statusLine(page).getAttribute("data-state"), "failed");
  const line = await statusLine(page).innerText();
  assert.match(line, /rules\.unknownStatus/);
  assert.match(line, /"?Lunch"?/);
  assert.match(line, /Available/, "the org's names are listed");
  const commands = (await fake(page)).log.filter((e) => e.message.kind === "command");
  assert.deepEqual(commands, [], "a host that did not start sends no command");
});

hostTest("a user who cannot read the catalog: the status line shows the controller's coded message", async (browser) => {
  const message = "apex.noDeveloperName: You cannot read the API names (DeveloperName) of the Omni-Channel presence statuses";
  const page = await openHost(browser, `?catalogError=${encodeURIComponent(message)}`);
  assert.equal(await statusLine(page).getAttribute("data-state"), "failed");
  assert.equal(await statusLine(page).innerText(), `omnisync: ${message}`);
  const failure = await waitFor(async () => (await fake(page)).panel.find((m) => m.error), { what: "a state message with error" });
  assert.equal(failure.error, message);
});

// ------------------------------------------------------------------ scope

for (const [teams, outcome] of [[["Chat_Team", "Voice_Team"], "emitted"], [["Chat_Team"], "outOfScope"]]) {
  hostTest(`a rule scoped to the team Voice_Team, page listing ${teams.join(", ")}: ${outcome}`, async (browser) => {
    const page = await openHost(browser, `?rules=teamRules&teams=${encodeURIComponent(JSON.stringify(teams))}`);
    await panelSees(page, (m) => m.leader && m.state.omni.developerName === "Available", "a state message");
    await page.evaluate(() => window.fakeSalesforce.agentChangesPhoneTo("Lunch"));
    const decided = await panelSees(page, (m) => m.trace.some((e) => e.decision?.trace.event === "telephony.stateChanged"), "the decision on Lunch");
    const entry = decided.trace.find((e) => e.decision?.trace.event === "telephony.stateChanged");
    const rule = entry.decision.trace.rules.find((r) => r.rule === "Connect agent switches to Lunch");
    // The published trace keeps the matching rules in full and counts the others.
    if (outcome === "emitted") assert.equal(rule?.outcome, "emitted");
    else {
      assert.equal(rule, undefined, "a rule out of scope is counted, not listed");
      assert.equal(entry.decision.trace.outOfScope, 1);
    }
  });
}

hostTest("a rule scoped by a 15-character profile Id matches the page's 18-character profile Id", async (browser) => {
  const page = await openHost(browser, "?rules=profileRules");
  await panelSees(page, (m) => m.leader && m.state.omni.developerName === "Available", "a state message");
  await page.evaluate(() => window.fakeSalesforce.agentChangesPhoneTo("Lunch"));
  const decided = await panelSees(page, (m) => m.trace.some((e) => e.decision?.trace.event === "telephony.stateChanged"), "the decision on Lunch");
  const entry = decided.trace.find((e) => e.decision?.trace.event === "telephony.stateChanged");
  assert.equal(entry.decision.trace.rules.find((r) => r.rule === "Connect agent switches to Lunch").outcome, "emitted");
});

// ------------------------------------------------------------------ connection, pairing

hostTest("a connection error event from the bridge logs the agent back in", async (browser) => {
  const page = await openHost(browser);
  await panelSees(page, (m) => m.leader && m.state.omni.developerName === "Available", "a state message");
  await page.evaluate(() => window.fakeSalesforce.connectionError());
  const login = await waitFor(async () => (await fake(page)).toolkitCalls.find((c) => c.method === "login"), { what: "a login call" });
  assert.deepEqual(login.arg, { statusId: statusId("Available") });
  const state = await panelSees(page, (m) => m.trace.some((e) => e.kind === "relogin"), "a relogin in the trace");
  assert.match(state.trace.find((e) => e.kind === "relogin").message, /connection error: logging the agent back in/);
});

hostTest("a forged reply is dropped and counted; commands outside the allow-list are refused", async (browser) => {
  const page = await openHost(browser);
  const first = await panelSees(page, (m) => m.leader, "a state message");
  assert.deepEqual(first.dropped, { replies: 0, events: 0 });
  const session = await page.evaluate(() => window.omnisyncHost.session);
  assert.equal(first.session, session, "state messages carry the host's pairing id");
  await page.evaluate((s) => {
    window.fakeSalesforce.publishAs("forger", { kind: "reply", session: s, id: `${s}-9999`, ok: true, result: null });
    window.fakeSalesforce.publishAs("forger", { kind: "event", session: "someone-else", event: { type: "omni.logout" } });
    window.fakeSalesforce.publishAs("forger", { kind: "command", session: s, id: `${s}-forged`, method: "logout", args: [] });
  }, session);
  const later = await panelSees(page, (m) => m.dropped.replies >= 2 && m.dropped.events === 1, "the forgeries counted");
  // The forged reply, and the bridge's refusal of the forged command (an id the host never issued).
  assert.equal(later.dropped.replies, 2);
  assert.equal(later.state.omni.loggedIn, true, "the forged logout event was not applied");
  const log = (await fake(page)).log;
  const refusal = log.find((e) => e.message.kind === "reply" && e.message.id === `${session}-forged`);
  assert.equal(refusal.message.error.code, "commandNotAllowed");
  assert.deepEqual((await fake(page)).toolkitCalls.filter((c) => c.method === "logout"), [], "the toolkit's logout was not called");
});

// ------------------------------------------------------------------ presence events

hostTest("no panel on the page: the leading tab publishes each presence once, a follower none", async (browser) => {
  const leader = await openHost(browser, "?panel=off");
  await waitFor(async () => (await fake(leader)).presencePublishes.length > 0, { what: "the leader's first presence event" });
  const follower = await openHost(browser, "?panel=off");
  await waitFor(async () => (await follower.evaluate(() => window.omnisyncHost.runtime.trace()))
    .some((e) => e.kind === "leadership"), { what: "the second tab to know it follows" });
  assert.equal(await follower.evaluate(() => window.omnisyncHost.runtime.isLeader()), false);

  await leader.evaluate(() => window.fakeSalesforce.agentChangesPhoneTo("Lunch"));
  await waitFor(async () => (await fake(leader)).presencePublishes.some((p) => p.omniStatus === "Lunch"), { what: "the Lunch presence event" });
  // Heartbeats republish the state every 5 s: still one event per presence.
  await follower.waitForTimeout(5500);
  const published = (await fake(leader)).presencePublishes;
  assert.deepEqual(published.map((p) => [p.omniStatus, p.telephonyState]), [["Available", "Available"], ["Lunch", "Lunch"]]);
  assert.equal(published[1].reason, "Connect agent switches to Lunch");
  assert.equal(published[1].action, "OmniSyncHostController.publishPresence");
  assert.deepEqual((await fake(follower)).presencePublishes, [], "the follower publishes nothing");
});

// ------------------------------------------------------------------ service channel

for (const apex of [true, false]) {
  hostTest(`a work accepted ${apex ? "with its channel from Apex" : "without an Apex answer"}: the channel rule ${apex ? "acts" : "does not act"}`, async (browser) => {
    const page = await openHost(browser, "?rules=channelRules");
    await panelSees(page, (m) => m.leader && m.state.omni.developerName === "Available", "a state message");
    await page.evaluate((answer) => {
      // The work item's Id prefix 500 is sfdc_case in the shipped channels table.
      window.fakeSalesforce.serviceChannels = answer ? { "0BzHs000000WrkAAAA": "Voice_Calls" } : {};
      window.fakeSalesforce.workEvent("omni.workAccepted", "0BzHs000000WrkAAAA", "500Hs000000CseAAAA");
    }, apex);
    const decided = await panelSees(page, (m) => m.trace.some((e) => e.decision?.trace.event === "omni.workAccepted"), "the decision on the work");
    const entry = decided.trace.find((e) => e.decision?.trace.event === "omni.workAccepted");
    const rule = entry.decision.trace.rules.find((r) => r.rule === "Voice work accepted: On a Call");
    const event = (await fake(page)).log.find((e) => e.message.kind === "event" && e.message.event.type === "omni.workAccepted");
    if (apex) {
      assert.equal(event.message.event.serviceChannel, "Voice_Calls", "the bridge added the channel");
      assert.equal(rule.outcome, "emitted");
      assert.ok(entry.decision.trace.notes.includes("service channel from the event"), JSON.stringify(entry.decision.trace.notes));
      const command = await waitFor(async () => (await fake(page)).log.find((e) =>
        e.message.kind === "command" && e.message.method === "setServicePresenceStatus"), { what: "the status change" });
      assert.deepEqual(command.message.args, [{ statusId: statusId("Working_Phone") }]);
    } else {
      assert.equal("serviceChannel" in event.message.event, false, "no channel without an answer");
      assert.equal(rule, undefined, "a rule that did not match is counted, not listed");
      assert.ok(entry.decision.trace.notMatched >= 1);
      assert.ok(entry.decision.trace.notes.includes("service channel from the Id-prefix table"), JSON.stringify(entry.decision.trace.notes));
    }
  });
}
