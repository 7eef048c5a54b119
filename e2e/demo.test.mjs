// End-to-end tests of the Service Console demo in headless Chromium: the issue's
// "Must show" list. Each test gets a reset simulation and a fresh browser profile; the
// server's write log (`GET /api/log`, toolkit writes only) is how a test counts what
// omnisync did, independently of what the page claims.
//
//   node --test e2e/          or          node e2e/run.mjs   (prints "N passed, 0 failed")

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import {
  ROOT, assertRuntimeBuilt, launchBrowser, openDemo, sleep, startServer, waitFor, waitForEngine,
} from "./harness.mjs";

const DEFAULT_RULES = fs.readFileSync(path.join(ROOT, "www/demo/default-rules.json"), "utf8");
const FAULT_NOISE = /Failed to load resource: the server responded with a status of 503/;
let server;

before(async () => {
  assertRuntimeBuilt();
  server = await startServer();
});
after(async () => server?.stop());

/**
 * A test with a reset simulation and its own browser, failing on any console error or
 * uncaught exception in any of its pages (`allow` lists expected noise).
 */
function demoTest(name, body, { allow = [], timeout = 60000 } = {}) {
  test(name, { timeout }, async (t) => {
    await server.api("/api/reset", {});
    const browser = await launchBrowser();
    try {
      await body(browser, t);
      const errors = browser.errors.filter((e) => !allow.some((pattern) => pattern.test(e)));
      assert.deepEqual(errors, [], "no console error or uncaught exception in the page");
    } finally {
      await browser.close();
    }
  });
}

// ------------------------------------------------------------------ helpers

const state = () => server.api("/api/state");
const writes = async () => (await server.api("/api/log")).entries;
/** An agent's own change, made on the simulated system (not by omnisync). */
const agent = (route, body) => server.api(route, { ...body, by: "agent" });
const statusId = async (name) => (await state()).catalog.statuses.find((s) => s.developerName === name).id;

function serverReaches(predicate, what, timeout = 10000) {
  return waitFor(async () => predicate(await state()), { what, timeout });
}

/** Waits until no toolkit write has arrived for `ms`: late duplicates would show up. */
async function quiet(ms = 2000) {
  let count = (await writes()).length;
  let since = Date.now();
  while (Date.now() - since < ms) {
    await sleep(200);
    const now = (await writes()).length;
    if (now !== count) [count, since] = [now, Date.now()];
  }
  return writes();
}

/** The softphone, in its own frame on the server's second origin. */
const softphone = (page) => page.frameLocator("[data-testid=softphone-frame]");

/** What the page's engine believes, from the engine panel. */
async function engineSees(page, { omni, phone }, timeout = 10000) {
  await waitFor(async () =>
    (omni === undefined || (await page.getByTestId("engine-omni").getAttribute("data-status")) === omni) &&
    (phone === undefined || (await page.getByTestId("engine-phone").getAttribute("data-state")) === phone),
  { what: `the engine panel to show omni=${omni} phone=${phone}`, timeout });
}

/** Waits for a rule to appear in the trace as the one that acted. */
async function traceShowsRule(page, rule, timeout = 10000) {
  const emitted = page.locator('[data-testid=trace-rule][data-outcome=emitted]').filter({ hasText: rule });
  await waitFor(async () => (await emitted.count()) > 0, { what: `rule "${rule}" in the trace`, timeout });
}

const badge = (page) => page.getByTestId("leader-badge").innerText();
const tabIdOf = (page) => page.evaluate(() => globalThis.omnisyncDemo.bridges.tabId);

async function leaderAndFollower(pages) {
  return waitFor(async () => {
    const badges = await Promise.all(pages.map(badge));
    const leaders = pages.filter((_, i) => badges[i] === "leader");
    const followers = pages.filter((_, i) => badges[i] === "follower");
    return leaders.length === 1 && followers.length === pages.length - 1 && [leaders[0], ...followers];
  }, { what: "exactly one leader tab", timeout: 10000 });
}

// ------------------------------------------------------------------ tests

test("the server sends the Salesforce CSP on HTML and serves wasm as application/wasm", async () => {
  const page = await fetch(`${server.base}/demo/`);
  assert.equal(page.headers.get("content-security-policy"), "script-src 'self' 'wasm-unsafe-eval'");
  const wasm = await fetch(`${server.base}/pkg/omnisync_bg.wasm`);
  assert.equal(wasm.headers.get("content-type"), "application/wasm");
  const escape = await fetch(`${server.base}/demo/%2e%2e/%2e%2e/Cargo.toml`);
  assert.notEqual(escape.status, 200, "no file outside the served folders");
});

demoTest("softphone to Lunch sets Omni-Channel to Lunch, with the rule in the trace", async ({ context }) => {
  const page = await openDemo(context, server.demo);
  await softphone(page).getByTestId("phone-state-select").selectOption("Lunch");
  await serverReaches((s) => s.omni.developerName === "Lunch", "Omni-Channel on Lunch");
  await traceShowsRule(page, "Connect agent switches to Lunch");
  await engineSees(page, { omni: "Lunch", phone: "Lunch" });
  await waitFor(async () => (await page.getByTestId("omni-status").getAttribute("data-status")) === "Lunch",
    { what: "the Omni widget to show Lunch" });
  const log = await quiet();
  assert.equal(log.length, 1, "one action for one change");
  assert.deepEqual([log[0].path, log[0].body.statusId], ["/api/omni/status", await statusId("Lunch")]);
});

demoTest("an Omni-Channel status change sets the softphone", async ({ context }) => {
  const page = await openDemo(context, server.demo);
  await page.getByTestId("omni-status-select").selectOption({ label: "Break" });
  await serverReaches((s) => s.telephony.state === "Break", "the softphone on Break");
  await traceShowsRule(page, "omniToTelephony[2]: Break -> Break");
  await engineSees(page, { omni: "Break", phone: "Break" });
  const log = await quiet();
  assert.deepEqual(log.map((w) => [w.path, w.body.state]), [["/api/phone/state", "Break"]]);
});

demoTest("accepting work up to 100% workload sets the configured telephony state", async ({ context }) => {
  const page = await openDemo(context, server.demo);
  for (let i = 0; i < 2; i++) await page.getByTestId("work-assign-sfdc_case").click();
  await waitFor(async () => (await page.getByTestId("work-accept").count()) === 2, { what: "two offered work items" });
  await page.getByTestId("work-accept").first().click();
  await waitFor(async () => (await page.getByTestId("work-accept").count()) === 1, { what: "the first item accepted" });
  await page.getByTestId("work-accept").click();
  await serverReaches((s) => s.telephony.state === "Busy on Omni", "the phone on Busy on Omni (2/2 = 100%)");
  await traceShowsRule(page, "At capacity: phone busy");
  await engineSees(page, { phone: "Busy on Omni" });
  // And back: closing one item drops below capacity.
  await page.getByTestId("work-close").first().click();
  await serverReaches((s) => s.telephony.state === "Available", "the phone Available again");
  await traceShowsRule(page, "Below capacity again: phone available");
  const log = await quiet();
  assert.deepEqual(log.map((w) => w.body.state), ["Busy on Omni", "Available"]);
});

demoTest("a reload mid-session restores the state and emits no action", async ({ context }) => {
  const page = await openDemo(context, server.demo, "?reconcileMs=500");
  await softphone(page).getByTestId("phone-state-select").selectOption("Lunch");
  await serverReaches((s) => s.omni.developerName === "Lunch", "Omni-Channel on Lunch");
  await engineSees(page, { omni: "Lunch", phone: "Lunch" });
  const before = await quiet();
  const rows = await page.getByTestId("metrics-row").count();
  assert.ok(rows >= 2, `a presence record before lunch and one for lunch (${rows})`);

  await page.reload();
  await waitForEngine(page);
  await engineSees(page, { omni: "Lunch", phone: "Lunch" });
  // Restored, not merely re-read: the record before lunch is still there.
  await waitFor(async () => (await page.getByTestId("metrics-row").count()) >= rows,
    { what: `the ${rows} presence records restored` });
  await sleep(2500); // five reconcile periods
  assert.deepEqual(await writes(), before, "no action after the reload");
  const s = await state();
  assert.deepEqual([s.omni.developerName, s.telephony.state], ["Lunch", "Lunch"]);
});

demoTest("with two tabs, each change is acted on exactly once", async ({ context }) => {
  const a = await openDemo(context, server.demo, "?reconcileMs=1000");
  const b = await openDemo(context, server.demo, "?reconcileMs=1000");
  const [leader, follower] = await leaderAndFollower([a, b]);
  const leaderTab = await tabIdOf(leader);

  await agent("/api/phone/state", { state: "Lunch" });
  await serverReaches((s) => s.omni.developerName === "Lunch", "Omni-Channel on Lunch");
  let log = await quiet(2500);
  assert.equal(log.length, 1, `one Omni write for the phone change: ${JSON.stringify(log)}`);
  assert.equal(log[0].tab, leaderTab, "written by the leader");

  // A change made in the follower's widget is still carried out by the leader, once.
  await follower.getByTestId("omni-status-select").selectOption({ label: "Break" });
  await serverReaches((s) => s.telephony.state === "Break", "the softphone on Break");
  log = await quiet(2500);
  assert.deepEqual(log.map((w) => [w.path, w.tab]), [["/api/omni/status", leaderTab], ["/api/phone/state", leaderTab]]);
  for (const page of [a, b]) await engineSees(page, { omni: "Break", phone: "Break" });
  await traceShowsRule(follower, "omniToTelephony[2]: Break -> Break");
});

demoTest("closing the leader tab: the other tab takes over and acts on the next change", async ({ context }) => {
  const a = await openDemo(context, server.demo, "?reconcileMs=1000");
  const b = await openDemo(context, server.demo, "?reconcileMs=1000");
  const [leader, follower] = await leaderAndFollower([a, b]);
  const survivor = await tabIdOf(follower);
  const closedAt = Date.now();
  await leader.close();
  await waitFor(async () => (await badge(follower)) === "leader", { what: "the follower to lead", timeout: 5000 });
  const tookOver = Date.now() - closedAt;
  assert.ok(tookOver < 2000, `took over in ${tookOver} ms`);

  const before = (await quiet(1500)).length;
  await agent("/api/phone/state", { state: "Lunch" });
  await serverReaches((s) => s.omni.developerName === "Lunch", "Omni-Channel on Lunch");
  const log = (await quiet()).slice(before);
  assert.deepEqual(log.map((w) => [w.path, w.tab]), [["/api/omni/status", survivor]]);
});

demoTest("an invalid rules edit shows every error with its path; the previous rules stay", async ({ context }) => {
  const page = await openDemo(context, server.demo);
  const bad = JSON.parse(DEFAULT_RULES);
  bad.rules[0].then[0].setOmniStatus = "Coffee"; // the Lunch rule would no longer set Lunch
  bad.rules[1].then[0].setTelephonyState = "Busy"; // a system state: never settable
  await page.getByTestId("rules-editor").fill(JSON.stringify(bad, null, 2));
  await page.getByTestId("rules-apply").click();
  await page.waitForSelector("[data-testid=rules-status][data-state=refused]");
  const paths = await page.getByTestId("rules-error-path").allInnerTexts();
  assert.deepEqual(paths.sort(), ["$.rules[0].then[0].setOmniStatus", "$.rules[1].then[0].setTelephonyState"]);

  await page.getByTestId("rules-editor").fill('{"version": 1, "statuses": [');
  await page.getByTestId("rules-apply").click();
  await waitFor(async () => (await page.getByTestId("rules-error").count()) === 1, { what: "one syntax error" });

  await agent("/api/phone/state", { state: "Lunch" });
  await serverReaches((s) => s.omni.developerName === "Lunch", "Omni-Channel on Lunch (old rules)");
  await traceShowsRule(page, "Connect agent switches to Lunch");
});

demoTest("rule names and labels are shown as text, never run as HTML", async ({ context }) => {
  const page = await openDemo(context, server.demo);
  const rules = JSON.parse(DEFAULT_RULES);
  const name = '<img src=x data-injected=1 onerror="window.injected=1">';
  rules.rules[0].name = name;
  await page.getByTestId("rules-editor").fill(JSON.stringify(rules));
  await page.getByTestId("rules-apply").click();
  await page.waitForSelector("[data-testid=rules-status][data-state=active]");
  await agent("/api/phone/state", { state: "Lunch" });
  await traceShowsRule(page, name);
  assert.equal(await page.locator("[data-injected]").count(), 0);
  assert.equal(await page.evaluate(() => globalThis.injected), undefined);
});

demoTest("with 30% of writes rejected and 30% of events dropped, reconcile still converges", async ({ context }, t) => {
  await server.api("/api/faults", { rejectRate: 0.3, dropRate: 0.3, seed: 7 });
  const page = await openDemo(context, server.demo, "?reconcileMs=1000");
  const steps = [
    ["phone to Lunch", () => agent("/api/phone/state", { state: "Lunch" }), (s) => s.omni.developerName === "Lunch"],
    ["Omni to Break", async () => agent("/api/omni/status", { statusId: await statusId("Break") }), (s) => s.telephony.state === "Break"],
    ["phone to Available", () => agent("/api/phone/state", { state: "Available" }), (s) => s.omni.developerName === "Available"],
    ["work to 100%", async () => {
      for (let i = 0; i < 2; i++) {
        const work = await agent("/api/omni/work/assign", {});
        await agent("/api/omni/work/accept", { workId: work.workId });
      }
    }, (s) => s.telephony.state === "Busy on Omni"],
  ];
  for (const [what, act, implied] of steps) {
    await act();
    await serverReaches(implied, `the rule-implied state after "${what}"`, 40000);
  }
  await engineSees(page, { omni: "Available", phone: "Busy on Omni" }, 10000);
  const log = await writes();
  t.diagnostic(`toolkit writes: ${log.length}, rejected: ${log.filter((w) => w.outcome === "rejected").length}`);
  await server.api("/api/faults", { rejectRate: 0, dropRate: 0 });
}, { allow: [FAULT_NOISE], timeout: 180000 });

demoTest("a screenshot of the demo mid-shift (docs/demo.png)", async ({ context }) => {
  const page = await openDemo(context, server.demo);
  await softphone(page).getByTestId("phone-state-select").selectOption("Lunch");
  await serverReaches((s) => s.omni.developerName === "Lunch", "Omni-Channel on Lunch");
  await page.getByTestId("omni-status-select").selectOption({ label: "Available" });
  await serverReaches((s) => s.telephony.state === "Available", "the phone Available");
  await page.getByTestId("work-assign-sfdc_livechat").click();
  await page.getByTestId("work-assign-sfdc_case").click();
  await waitFor(async () => (await page.getByTestId("work-accept").count()) === 2, { what: "two offers" });
  await page.getByTestId("work-accept").first().click();
  await serverReaches((s) => s.workload.currentWorkload === 1, "one accepted item");
  await engineSees(page, { omni: "Available", phone: "Available" });
  await sleep(300);
  fs.mkdirSync(path.join(ROOT, "docs"), { recursive: true });
  await page.screenshot({ path: path.join(ROOT, "docs/demo.png"), fullPage: true });
});
