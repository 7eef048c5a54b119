// The Lightning console as an org serves it, for the browser tests of the Salesforce
// package: two origins (two ports of 127.0.0.1), the Lightning page on one and the
// Visualforce domain on the other, as in an org.
//
// - Lightning origin, /lightning/console: the OmniSyncBridge utility item, i.e. its
//   real helper (lwc-wrapper/core/.../OmniSyncBridgeHelper.js) driven by
//   e2e/fixtures/fake-lightning.js (Aura, the toolkit, the panel, Lightning Web
//   Security's same-origin iframe sandbox). The bridge frames the host at the src its
//   Apex gives: absolute on the Visualforce origin (as shipped) or, with ?src=relative,
//   a relative /apex/ path, which this origin also serves. Optional frames: the
//   softphone and attacker frames (?attackers=1: one on each origin).
// - The softphone (?softphone=1): OmniSyncSoftphone.page on the Visualforce origin, its
//   real ccp.js and relay.js over e2e/fixtures/fake-opencti.js and the real Amazon
//   Connect Streams build the package ships (the amazonConnectStreams static resource
//   as scripts/package-sf.mjs writes it, unmodified), the bridge's telephony link
//   between them; the message service delivers to and from that Open CTI page only
//   when the telephony channel's metadata exposes it. ?softphone=late-ccp frames
//   instead an integrator's page that starts the CCP itself on window load (Streams'
//   documented example). &softphoneLater=1: no softphone frame until the test calls
//   window.fakeLightning.addSoftphone(). &relay={...}: the relay's options
//   (window.omnisyncRelayOptions: heartbeatMs, commandTimeoutMs, pollMs, ...; default
//   none, the relay's own defaults).
// - Amazon Connect instance origin (a third port), /ccp-v2/: what lives in Amazon's
//   cloud, the CCP iframe and its worker, stood in for at the postMessage boundary by
//   e2e/fixtures/ccp-standin.js; Streams frames it from the softphone page.
// - Visualforce origin, /apex/OmniSyncHost: lwc-wrapper/core/.../OmniSyncHost.page with
//   its merge fields substituted and e2e/fixtures/fake-visualforce.js first; its scripts
//   served out of the omnisync.zip static resource scripts/package-sf.mjs builds, the
//   wasm as the omnisyncWasm resource with the contentType its metadata declares, as
//   Salesforce serves a resource.
//
// The host page's query (org, rules, teams, catalogError, notGranted, csp, telephony)
// passes through the console's ?host= parameter; ?channels={workId: DeveloperName} is
// what the bridge's service channel look-up (Apex) answers.

import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { unzipSync } from "fflate";
import { ROOT, fixtureScript } from "./harness.mjs";

const CORE = path.join(ROOT, "lwc-wrapper/core/main/default");
const PAGE = path.join(CORE, "pages/OmniSyncHost.page");
const STATIC = path.join(CORE, "staticresources");
const HELPER = path.join(CORE, "aura/OmniSyncBridge/OmniSyncBridgeHelper.js");
const SOFTPHONE = path.join(ROOT, "lwc-wrapper/softphone/main/default/pages/OmniSyncSoftphone.page");
const STREAMS = path.join(ROOT, "lwc-wrapper/softphone/main/default/staticresources/amazonConnectStreams.js");
const OPENCTI = "/support/api/62.0/lightning/opencti_min.js";
const TELEPHONY_CHANNEL = path.join(ROOT, "lwc-wrapper/softphone/main/default/messageChannels/OmniSyncTelephony.messageChannel-meta.xml");
const FIXTURES = path.join(ROOT, "e2e/fixtures");
// Where Salesforce serves static resources: /resource/<version>/<name>[/<path in zip>].
export const RESOURCES = "/resource/1717171717000";
export const NONCE = "5ee0c0ffee5ee0c0ffee5ee0c0ffee00";
export const USER = { id: "005Hs00000AgEntAAA", profileId: "00eHs000000PrOfAAA" };
const record = (Id, DeveloperName, MasterLabel) => ({ attributes: { type: "ServicePresenceStatus" }, Id, DeveloperName, MasterLabel });
// Two orgs with the same presence statuses under different Ids, as `sf data query
// --json` prints them (result.records), and one that lacks Lunch.
export const ORGS = {
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
export const orgId = (org, developerName) => ORGS[org].find((r) => r.DeveloperName === developerName).Id;

const CSP = {
  // What the demo proves the engine needs: no inline script, wasm compilation allowed.
  salesforce: "script-src 'self' 'wasm-unsafe-eval'",
  // Without 'wasm-unsafe-eval' the browser refuses to compile WebAssembly.
  noWasm: "script-src 'self'",
};
const MIME = { ".js": "text/javascript; charset=utf-8", ".json": "application/json; charset=utf-8", ".html": "text/html; charset=utf-8" };

/** Visualforce HTML-encodes a merge field placed in an attribute. */
const attr = (text) => text.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/'/g, "&#39;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/**
 * The HTML Salesforce would render from OmniSyncHost.page. Anything the translation
 * does not know fails the test rather than reaching the browser.
 */
function renderHost(url, lightningOrigin) {
  const source = fs.readFileSync(PAGE, "utf8").trim();
  const open = source.match(/^<apex:page\b[^>]*>/);
  assert.ok(open && source.endsWith("</apex:page>"), "OmniSyncHost.page is one <apex:page> element");
  assert.match(open[0], /\bcontroller="OmniSyncHostController"/);
  const q = url.searchParams;
  const org = q.get("org") ?? "a";
  const catalogError = q.get("catalogError") ?? "";
  const notGranted = JSON.parse(q.get("notGranted") ?? "[]");
  const catalog = catalogError ? [] : ORGS[org].filter((r) => !notGranted.includes(r.DeveloperName));
  const nonce = /^[0-9a-f]{32}$/.test(q.get("nonce") ?? "") ? q.get("nonce") : "";
  const fields = {
    "{!$Resource.omnisyncRules}": `${RESOURCES}/${q.get("rules") ?? "omnisyncRules"}`,
    "{!$Resource.omnisyncWasm}": `${RESOURCES}/omnisyncWasm`,
    "{!nonce}": nonce,
    "{!lightningOrigin}": lightningOrigin,
    "{!userId}": USER.id,
    "{!orgId}": "00DHs000000OrGaAAA",
    "{!profileId}": USER.profileId,
    "{!teamsJson}": attr(q.get("teams") ?? "[]"),
    "{!catalogJson}": attr(JSON.stringify(catalog)),
    "{!notGrantedJson}": attr(JSON.stringify(notGranted)),
    "{!catalogError}": attr(catalogError),
    "{!$RemoteAction.OmniSyncHostController.publishPresence}": "OmniSyncHostController.publishPresence",
  };
  let body = source.slice(open[0].length, -"</apex:page>".length)
    .replace(/\{!URLFOR\(\$Resource\.omnisync, '([^']+)'\)\}/g, `${RESOURCES}/omnisync/$1`);
  for (const [field, value] of Object.entries(fields)) body = body.split(field).join(value);
  assert.equal(body.match(/\{![^}]*\}|<\/?apex:[\w-]+/g), null, "the page uses only the merge fields and tags this test renders");
  return `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>omnisync engine</title>
<script src="/fixture/vf-config.js"></script>
<script src="/fixture/fake-visualforce.js"></script>
</head><body class="slds-vf-scope">${body}</body></html>`;
}

/**
 * OmniSyncSoftphone.page as Salesforce renders it, its controller's fields filled in
 * (the instance: the CCP stand-in's origin). Open CTI (e2e/fixtures/fake-opencti.js)
 * and the shipped Streams build are served where the page loads them; ccp.js and
 * relay.js come from the zip. The test's relay options come first, as an integrator's
 * earlier script would set them.
 */
function renderSoftphone(url, origins) {
  const source = fs.readFileSync(SOFTPHONE, "utf8").trim();
  const open = source.match(/^<apex:page\b[^>]*>/);
  assert.ok(open && source.endsWith("</apex:page>"), "OmniSyncSoftphone.page is one <apex:page> element");
  const fields = {
    "{!instanceUrl}": origins.instance,
    "{!region}": "eu-west-2",
    "{!$Resource.amazonConnectStreams}": `${RESOURCES}/amazonConnectStreams`,
  };
  let body = source.slice(open[0].length, -"</apex:page>".length)
    .replace(/\{!URLFOR\(\$Resource\.omnisync, '([^']+)'\)\}/g, `${RESOURCES}/omnisync/$1`);
  for (const [field, value] of Object.entries(fields)) body = body.split(field).join(value);
  assert.equal(body.match(/\{![^}]*\}|<\/?apex:[\w-]+/g), null, "the page uses only the merge fields this test renders");
  assert.ok(body.includes(`src="${OPENCTI}"`), "the page loads Open CTI for Lightning");
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>softphone</title>
<script src="/fixture/softphone-config.js${url.search}"></script>
</head><body>${body}</body></html>`;
}

/** An integrator's own softphone page that starts the CCP on window load (Streams' documented example). */
const renderLateCcp = (url) => `<!DOCTYPE html><html><head><meta charset="utf-8"><title>late softphone</title>
<script src="/fixture/softphone-config.js${url.search}"></script>
</head><body>
<div id="omnisync-ccp" style="width: 100%; height: 400px;"></div>
<script src="${OPENCTI}"></script>
<script src="${RESOURCES}/amazonConnectStreams"></script>
<script src="${RESOURCES}/omnisync/relay.js" data-channel="OmniSyncTelephony__c"></script>
<script src="/fixture/late-ccp.js"></script>
</body></html>`;

/** The CCP at the instance: the stand-in for Amazon's iframe and worker. */
const renderCcp = () => '<!DOCTYPE html><html><head><meta charset="utf-8"><title>CCP</title>' +
  '<script src="/ccp-v2/config.js"></script><script src="/ccp-v2/standin.js"></script></head><body>CCP</body></html>';

/**
 * Whether a message channel's metadata exposes it: the console's message service
 * delivers to Visualforce and Open CTI subscribers only on exposed channels, as
 * Salesforce does.
 */
function exposed(file) {
  return /<isExposed>\s*true\s*<\/isExposed>/.test(fs.readFileSync(file, "utf8"));
}

function renderConsole(url, origins, options) {
  const q = url.searchParams;
  const hostQuery = q.get("host") ?? "";
  const path_ = `/apex/OmniSyncHost?nonce=${NONCE}${hostQuery ? `&${hostQuery.replace(/^\?/, "")}` : ""}`;
  const frame = q.get("src") === "relative"
    ? { src: path_, origin: origins.visualforce, nonce: NONCE }
    : { src: `${origins.visualforce}${path_}`, origin: origins.visualforce, nonce: NONCE };
  const org = new URLSearchParams(hostQuery).get("org") ?? "a";
  const softphonePage = { 1: "OmniSyncSoftphone", "late-ccp": "LateCcpSoftphone" }[q.get("softphone") ?? ""];
  assert.ok(softphonePage || !q.get("softphone"), `?softphone=${q.get("softphone")}: 1 or late-ccp`);
  const relay = q.get("relay") ? `?${new URLSearchParams({ relay: q.get("relay") })}` : "";
  const softphoneSrc = softphonePage ? `${origins.visualforce}/apex/${softphonePage}${relay}` : null;
  const config = {
    frame,
    serviceChannels: JSON.parse(q.get("channels") ?? "{}"),
    softphone: Boolean(softphonePage),
    softphoneSrc,
    telephonyExposed: exposed(options.telephonyChannel),
    statuses: ORGS[org].map((r) => ({ id: r.Id, developerName: r.DeveloperName, label: r.MasterLabel })),
  };
  const extra = [
    softphoneSrc && q.get("softphoneLater") !== "1" ? `<iframe id="softphone" title="softphone" src="${softphoneSrc}"></iframe>` : "",
    q.get("attackers") === "1" ? `<iframe id="attacker-vf" title="attacker" src="${origins.visualforce}/fixture/blank.html"></iframe>
<iframe id="attacker-lightning" title="attacker" src="${origins.lightning}/fixture/blank.html"></iframe>` : "",
  ].join("\n");
  return `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>console</title></head><body>
<div id="bridge"></div>
${extra}
<script>window.fakeLightningConfig = ${JSON.stringify(config)};</script>
<script src="/fixture/bridge-helper.js"></script>
<script src="/fixture/fake-lightning.js"></script>
</body></html>`;
}

function handler({ zip, wasm }, rules, origins, which, options) {
  const routes = {
    // The Aura helper is an object literal, as Aura source is.
    "/fixture/bridge-helper.js": () => [MIME[".js"], `window.OmniSyncBridgeHelper = ${fs.readFileSync(HELPER, "utf8").trim()};\n`],
    "/fixture/fake-lightning.js": () => [MIME[".js"], fixtureScript("fake-lightning.js")],
    "/fixture/fake-visualforce.js": () => [MIME[".js"], fixtureScript("fake-visualforce.js")],
    "/fixture/vf-config.js": () => [MIME[".js"], `window.fakeVisualforceConfig = ${JSON.stringify({ telephonyStates: rules.telephony.states })};`],
    "/fixture/blank.html": () => [MIME[".html"], "<!DOCTYPE html><title>frame</title><p>another frame</p>"],
    // The softphone's configuration (the relay's options from its page's ?relay=), Open
    // CTI's stand-in and the shipped Streams build, unmodified.
    "/fixture/softphone-config.js": (url) => [MIME[".js"], `window.fakeSalesforceConfig = ${JSON.stringify({
      telephonyStates: rules.telephony.states, relayOptions: url.searchParams.get("relay") ? JSON.parse(url.searchParams.get("relay")) : undefined,
    })};`],
    "/fixture/late-ccp.js": () => [MIME[".js"], `window.addEventListener("load", function () {
  connect.core.initCCP(document.getElementById("omnisync-ccp"), { ccpUrl: ${JSON.stringify(`${origins.instance}/ccp-v2/`)}, loginPopup: false });
});`],
    [OPENCTI]: () => [MIME[".js"], fs.readFileSync(path.join(FIXTURES, "fake-opencti.js"))],
    [`${RESOURCES}/amazonConnectStreams`]: () => [MIME[".js"], fs.readFileSync(STREAMS)],
    // The CCP stand-in, on the instance's origin.
    "/ccp-v2/standin.js": () => [MIME[".js"], fs.readFileSync(path.join(FIXTURES, "ccp-standin.js"))],
    "/ccp-v2/config.js": () => [MIME[".js"], `window.ccpStandinConfig = ${JSON.stringify({ states: rules.telephony.states, initialState: "Available" })};`],
    [`${RESOURCES}/omnisyncRules`]: () => [MIME[".json"], fs.readFileSync(path.join(STATIC, "omnisyncRules.json"))],
    [`${RESOURCES}/invalidRules`]: () => [MIME[".json"], fs.readFileSync(path.join(FIXTURES, "invalid-rules.json"))],
    [`${RESOURCES}/rulesWithoutIds`]: () => [MIME[".json"], JSON.stringify(withoutIds(rules))],
    // The shipped rules with the Lunch rule limited to a team, or to a 15-character profile Id.
    [`${RESOURCES}/teamRules`]: () => [MIME[".json"], JSON.stringify(scoped(rules, { teams: ["Voice_Team"] }))],
    [`${RESOURCES}/profileRules`]: () => [MIME[".json"], JSON.stringify(scoped(withoutIds(rules), { profileIds: [USER.profileId.slice(0, 15)] }))],
    [`${RESOURCES}/channelRules`]: () => [MIME[".json"], JSON.stringify(withVoiceRule(rules))],
  };
  return (request, response) => {
    const url = new URL(request.url, "http://127.0.0.1");
    const send = (status, type, body, headers = {}) => {
      response.writeHead(status, { "Content-Type": type, "Cache-Control": "no-store", ...headers });
      response.end(body);
    };
    if (url.pathname === "/lightning/console" && which === "lightning") return send(200, MIME[".html"], renderConsole(url, origins, options));
    if (url.pathname === "/apex/OmniSyncHost") {
      return send(200, MIME[".html"], renderHost(url, origins.lightning),
        { "Content-Security-Policy": CSP[url.searchParams.get("csp") ?? "salesforce"] });
    }
    if (url.pathname === "/apex/OmniSyncSoftphone" && which === "visualforce") {
      return send(200, MIME[".html"], renderSoftphone(url, origins), { "Content-Security-Policy": CSP.salesforce });
    }
    if (url.pathname === "/apex/LateCcpSoftphone" && which === "visualforce") {
      return send(200, MIME[".html"], renderLateCcp(url), { "Content-Security-Policy": CSP.salesforce });
    }
    if (url.pathname === "/ccp-v2/" && which === "instance") return send(200, MIME[".html"], renderCcp(), { "Content-Security-Policy": CSP.salesforce });
    if (url.pathname === "/favicon.ico") return send(204, "image/x-icon", "");
    if (routes[url.pathname]) return send(200, ...routes[url.pathname](url));
    if (url.pathname === `${RESOURCES}/omnisyncWasm`) return send(200, wasm.contentType, wasm.bytes);
    const inZip = url.pathname.startsWith(`${RESOURCES}/omnisync/`) && zip[url.pathname.slice(`${RESOURCES}/omnisync/`.length)];
    if (inZip) return send(200, url.pathname.endsWith(".js") ? MIME[".js"] : "application/octet-stream", Buffer.from(inZip));
    return send(404, "text/plain", "not found");
  };
}

/** The wasm resource as package-sf.mjs writes it, with the type its metadata declares. */
function wasmResource() {
  const meta = fs.readFileSync(path.join(STATIC, "omnisyncWasm.resource-meta.xml"), "utf8");
  return {
    bytes: fs.readFileSync(path.join(STATIC, "omnisyncWasm.wasm")),
    contentType: meta.match(/<contentType>([^<]+)<\/contentType>/)[1],
  };
}

/** The shipped rules with every status Id taken out: names only, as rules travel. */
export function withoutIds(file) {
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

/**
 * Starts the three origins (Lightning, Visualforce, the Amazon Connect instance) over
 * the built omnisync.zip and the amazonConnectStreams.js scripts/package-sf.mjs writes.
 * @param {{telephonyChannel?: string}} [options] the telephony channel's metadata file
 *   (default: the package's), read when a console page is served.
 * @returns {Promise<{lightning: string, visualforce: string, instance: string, rules: object, close: () => Promise<void>}>}
 */
export async function startConsole({ telephonyChannel = TELEPHONY_CHANNEL } = {}) {
  const rules = JSON.parse(fs.readFileSync(path.join(STATIC, "omnisyncRules.json"), "utf8"));
  const resources = {
    zip: unzipSync(new Uint8Array(fs.readFileSync(path.join(STATIC, "omnisync.zip")))),
    wasm: wasmResource(),
  };
  assert.ok(fs.existsSync(STREAMS), "the Streams build the package ships (npm run package:sf writes it)");
  const origins = {};
  const servers = [];
  for (const which of ["lightning", "visualforce", "instance"]) {
    const server = http.createServer(handler(resources, rules, origins, which, { telephonyChannel }));
    await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
    origins[which] = `http://127.0.0.1:${server.address().port}`;
    servers.push(server);
  }
  return {
    ...origins,
    rules,
    close: () => Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve)))),
  };
}

/**
 * Opens the console and returns it with the host's frame once the host's status line
 * has left "starting" (or `timeout` passed).
 * @param {import("playwright-core").BrowserContext} context
 * @param {string} lightning the Lightning origin
 * @param {string} [query] e.g. "?host=org%3Db"
 */
export async function openConsole(context, lightning, query = "") {
  const page = await context.newPage();
  await page.goto(`${lightning}/lightning/console${query}`);
  const frame = await hostFrame(page);
  await frame.waitForSelector("#omnisync-status[data-state=running], #omnisync-status[data-state=failed]", { timeout: 30000 });
  return { page, frame };
}

/** The OmniSyncHost frame of a console page. */
export async function hostFrame(page) {
  for (let i = 0; i < 100; i++) {
    const frame = page.frames().find((f) => f.url().includes("/apex/OmniSyncHost"));
    if (frame) return frame;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("the console has no OmniSyncHost frame");
}
