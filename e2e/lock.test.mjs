// Leadership against a hostile page on the same origin, in headless Chromium: a page
// that holds the engine's Web Lock and does nothing, a page that steals it, and a saved
// session of another user left in the same sessionStorage. The engine runs on a plain
// same-origin document over the fake Omni-Channel and phone the demo server serves
// (www/demo/sim/), its bridges recording what they are asked to do.
//
//   node e2e/run.mjs e2e/lock.test.mjs

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { ROOT, assertRuntimeBuilt, launchBrowser, sleep, startServer, waitFor } from "./harness.mjs";

const RULES = fs.readFileSync(path.join(ROOT, "examples/cti-four-row.json"), "utf8");
// The example names its statuses only; the example org's catalog gives their Ids.
const CATALOG = JSON.parse(fs.readFileSync(path.join(ROOT, "examples/org-statuses.json"), "utf8"));
const LUNCH = "0N5Hs0000004LunKAE";
// What the engine's lock and channel are called for this agent (docs/runtime.md).
const ORG = "00DHs000000TEST";
const LOCK = `omnisync:${ORG}:005Hs000000ALICE`;
// A follower waits this long for the leader's confirmation (the heartbeat window).
const WINDOW_MS = 2500;
let server;

before(async () => {
  assertRuntimeBuilt();
  server = await startServer();
});
after(async () => server?.stop());

/** Console errors and uncaught exceptions, less the browser's request for a favicon. */
const problems = (browser) => browser.errors.filter((e) => !/Failed to load resource: .* 404 \(Not Found\)/.test(e));

/** A same-origin document without an engine of its own. */
async function blankPage(context) {
  const page = await context.newPage();
  await page.goto(`${server.base}/api/state`);
  return page;
}

/**
 * Starts an engine in `page` with recording bridges; `window.sync` is the runtime and
 * `window.writes` what the bridges were asked to set.
 */
async function startEngine(page, { user = "005Hs000000ALICE", storage = true } = {}) {
  await page.evaluate(async ({ base, rules, catalog, org, user, storage }) => {
    const glue = await import(`${base}/pkg/omnisync.js`);
    await glue.default();
    // The one fake of Omni-Channel and the phone, as the demo server serves it.
    const fake = { ...(await import(`${base}/demo/sim/omni.js`)), ...(await import(`${base}/demo/sim/phone.js`)) };
    const omni = fake.createOmni({
      statuses: catalog.result.records.map((r) => ({ id: r.Id, developerName: r.DeveloperName, label: r.MasterLabel })),
      statusId: "0N5Hs0000001AvlKAE", capacity: 4,
    });
    const phone = fake.createPhone({ state: "Available" });
    window.writes = [];
    window.agentOmni = (statusId) => omni.setStatus(statusId, fake.REASON.manual);
    const omniBridge = fake.hostBridge(omni);
    const host = {
      ...omniBridge,
      setServicePresenceStatus: async (id) => { window.writes.push(["omni", id]); return omniBridge.setServicePresenceStatus(id); },
    };
    const phoneBridge = fake.telephonyBridge(phone);
    const telephony = {
      ...phoneBridge,
      setState: async (state) => { window.writes.push(["phone", state]); return phoneBridge.setState(state); },
    };
    window.sync = glue.OmniSync.start({
      rules, catalog, host, telephony, orgId: org, userId: user, reconcileMs: 0,
      ...(storage ? {} : { storage: null }),
    });
  }, { base: server.base, rules: RULES, catalog: CATALOG, org: ORG, user, storage });
}

/** Holds the lock in `page` until `window.releaseLock()`; `steal` takes it away. */
async function holdLock(page, { steal = false } = {}) {
  await page.evaluate(({ name, steal }) => new Promise((granted) => {
    navigator.locks.request(name, steal ? { steal: true } : {}, () => {
      granted();
      return new Promise((release) => { window.releaseLock = release; });
    });
  }), { name: LOCK, steal });
}

test("a page holding the lock and doing nothing: the engine acts itself within the heartbeat window", { timeout: 60000 }, async () => {
  const browser = await launchBrowser();
  try {
    const squatter = await blankPage(browser.context);
    await holdLock(squatter);
    const page = await blankPage(browser.context);
    await startEngine(page);
    await waitFor(() => page.evaluate(() => window.sync.trace().some((t) => t.kind === "leadership")), { what: "leadership known" });
    assert.equal(await page.evaluate(() => window.sync.isLeader()), false, "the lock is taken: this tab follows");

    const changed = Date.now();
    await page.evaluate((id) => window.agentOmni(id), LUNCH);
    // Nobody acts yet: the follower has not counted the write as done.
    await sleep(300);
    assert.deepEqual(await page.evaluate(() => window.writes), [], "no write before the window ends");
    assert.equal(await page.evaluate(() => window.sync.stats().echoes), 0);

    await waitFor(() => page.evaluate(() => window.writes.length > 0), { timeout: 10000, what: "the engine acts" });
    const took = Date.now() - changed;
    assert.deepEqual(await page.evaluate(() => window.writes), [["phone", "Lunch"]]);
    assert.ok(took < WINDOW_MS + 1500, `acted after ${took} ms`);
    assert.equal(await page.evaluate(() => window.sync.isLeader()), true, "it says it acts");
    const said = await page.evaluate(() => window.sync.trace().filter((t) => t.kind === "leadership").map((t) => t.message));
    assert.ok(said.some((m) => /did not act/.test(m)), said.join(" | "));
    assert.deepEqual(problems(browser), []);
  } finally {
    await browser.close();
  }
});

test("a stolen lock is noticed and asked for again, with no uncaught AbortError", { timeout: 60000 }, async () => {
  const browser = await launchBrowser();
  try {
    const page = await blankPage(browser.context);
    await startEngine(page);
    await waitFor(() => page.evaluate(() => window.sync.isLeader()), { what: "the engine leads" });

    const thief = await blankPage(browser.context);
    await holdLock(thief, { steal: true });
    await waitFor(() => page.evaluate(() => !window.sync.isLeader()), { timeout: 5000, what: "the loss noticed" });

    await thief.evaluate(() => window.releaseLock());
    await waitFor(() => page.evaluate(() => window.sync.isLeader()), { timeout: 5000, what: "the lock granted again" });
    const messages = await page.evaluate(() => window.sync.trace().filter((t) => t.kind === "leadership").map((t) => t.message));
    assert.ok(messages.length >= 3, messages.join(" | "));
    assert.deepEqual(problems(browser), [], "no uncaught AbortError");
  } finally {
    await browser.close();
  }
});

test("another user's saved session is not restored; the user's own is", { timeout: 60000 }, async () => {
  const browser = await launchBrowser();
  try {
    const page = await blankPage(browser.context);
    await startEngine(page);
    await waitFor(() => page.evaluate(() => window.sync.isLeader()), { what: "the engine leads" });
    await page.evaluate((id) => window.agentOmni(id), LUNCH);
    await waitFor(() => page.evaluate(() => window.sync.state().omni.developerName === "Lunch"), { what: "Lunch" });
    await page.evaluate(() => window.sync.stop());
    assert.equal(await page.evaluate(() => window.sync.isLeader()), false, "stopped: not a leader");

    // Alice's session copied under Bob's key, as a page of the same origin could.
    const keys = await page.evaluate(() => Object.keys(sessionStorage));
    const alice = keys.find((k) => k.endsWith("005Hs000000ALICE"));
    assert.ok(alice, keys.join(", "));
    await page.evaluate((from) => {
      sessionStorage.setItem(from.replace("ALICE", "BOB"), sessionStorage.getItem(from));
    }, alice);
    await startEngine(page, { user: "005Hs000000BOB" });
    const hadLunch = () => window.sync.metrics().records.some((r) => (r.DeveloperName ?? r.developerName) === "Lunch");
    const bob = await page.evaluate((hadLunch) => ({
      lunch: eval(hadLunch)(),
      refused: window.sync.trace().filter((t) => t.kind === "refused").map((t) => t.message),
    }), hadLunch.toString());
    assert.equal(bob.lunch, false, "Alice's presence records are not Bob's");
    assert.ok(bob.refused.some((m) => /not restored: saved for another org or user/.test(m)), bob.refused.join(" | "));
    await page.evaluate(() => window.sync.stop());

    await startEngine(page);
    const aliceRefused = await page.evaluate(() => window.sync.trace().filter((t) => t.kind === "refused").map((t) => t.message));
    assert.deepEqual(aliceRefused, [], "Alice's own session is accepted");
    assert.deepEqual(problems(browser), []);
  } finally {
    await browser.close();
  }
});
