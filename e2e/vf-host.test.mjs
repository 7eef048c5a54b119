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
import { ROOT, assertRuntimeBuilt, launchBrowser, waitFor } from "./harness.mjs";

const DEFAULT = path.join(ROOT, "lwc-wrapper/force-app/main/default");
const PAGE = path.join(DEFAULT, "pages/OmniSyncHost.page");
const STATIC = path.join(DEFAULT, "staticresources");
const HELPER = path.join(DEFAULT, "aura/OmniSyncBridge/OmniSyncBridgeHelper.js");
const FIXTURES = path.join(ROOT, "e2e/fixtures");
// Where Salesforce serves static resources: /resource/<version>/<name>[/<path in zip>].
const RESOURCES = "/resource/1717171717000";
const CHANNEL = "OmniSync__c.token-from-$MessageChannel";
const USER = { id: "005Hs00000AgEntAAA", profileId: "00eHs000000PrOfAAA" };
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
function renderPage({ rulesResource }) {
  const source = fs.readFileSync(PAGE, "utf8").trim();
  const open = source.match(/^<apex:page\b[^>]*>/);
  assert.ok(open && source.endsWith("</apex:page>"), "OmniSyncHost.page is one <apex:page> element");
  const fields = {
    "{!$Resource.omnisyncRules}": `${RESOURCES}/${rulesResource}`,
    "{!$MessageChannel.OmniSync__c}": CHANNEL,
    "{!$User.Id}": USER.id,
    "{!$User.ProfileId}": USER.profileId,
  };
  let body = source.slice(open[0].length, -"</apex:page>".length)
    .replace(/\{!URLFOR\(\$Resource\.omnisync, '([^']+)'\)\}/g, `${RESOURCES}/omnisync/$1`);
  for (const [field, value] of Object.entries(fields)) body = body.split(field).join(value);
  const unknown = body.match(/\{![^}]*\}|<\/?apex:[\w-]+/g);
  assert.equal(unknown, null, "the page uses only the merge fields and tags this test renders");
  const title = open[0].match(/title="([^"]*)"/)?.[1] ?? "";
  return `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>${title}</title>
<script src="/fixture/config.js"></script>
<script src="/fixture/bridge-helper.js"></script>
<script src="/fixture/fake-salesforce.js"></script>
</head><body class="slds-vf-scope">${body}</body></html>`;
}

const MIME = { ".js": "text/javascript; charset=utf-8", ".json": "application/json; charset=utf-8" };

function serve(zip) {
  const config = `window.fakeSalesforceConfig = ${JSON.stringify({
    channel: CHANNEL, statuses: rules.statuses, telephonyStates: rules.telephony.states,
  })};`;
  const routes = {
    "/fixture/config.js": () => [MIME[".js"], config],
    // The Aura helper is an object literal, as Aura source is.
    "/fixture/bridge-helper.js": () => [MIME[".js"], `window.OmniSyncBridgeHelper = ${fs.readFileSync(HELPER, "utf8").trim()};\n`],
    "/fixture/fake-salesforce.js": () => [MIME[".js"], fs.readFileSync(path.join(FIXTURES, "fake-salesforce.js"))],
    [`${RESOURCES}/omnisyncRules`]: () => [MIME[".json"], fs.readFileSync(path.join(STATIC, "omnisyncRules.json"))],
    [`${RESOURCES}/invalidRules`]: () => [MIME[".json"], fs.readFileSync(path.join(FIXTURES, "invalid-rules.json"))],
  };
  return new Promise((resolve) => {
    const srv = http.createServer((request, response) => {
      const url = new URL(request.url, "http://127.0.0.1");
      const send = (status, type, body, headers = {}) => {
        response.writeHead(status, { "Content-Type": type, "Cache-Control": "no-store", ...headers });
        response.end(body);
      };
      if (url.pathname === "/apex/OmniSyncHost") {
        const rulesResource = url.searchParams.get("rules") ?? "omnisyncRules";
        return send(200, "text/html; charset=utf-8", renderPage({ rulesResource }),
          { "Content-Security-Policy": CSP[url.searchParams.get("csp") ?? "salesforce"] });
      }
      if (url.pathname === "/favicon.ico") return send(204, "image/x-icon", "");
      if (routes[url.pathname]) return send(200, ...routes[url.pathname]());
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

/** A test with its own browser; no console error and no uncaught exception allowed. */
function hostTest(name, body) {
  test(name, { timeout: 60000 }, async () => {
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
const statusId = (developerName) => rules.statuses.find((s) => s.developerName === developerName).id;

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
  assert.deepEqual(Object.keys(message).sort(), ["error", "kind"]);
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
