// End-to-end test of a `logoutOmni` rule in the demo (issue 26): the softphone going
// Offline logs the agent out of the simulated Omni-Channel once, through the demo's host
// bridge, and the logout event that follows is the action's echo (no second write). The
// server's write log (toolkit writes only) counts what omnisync did.
//
//   node e2e/run.mjs e2e/demo-logout.test.mjs

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import {
  ROOT, assertRuntimeBuilt, launchBrowser, openDemo, sleep, startServer, waitFor,
} from "./harness.mjs";

let server;

before(async () => {
  assertRuntimeBuilt();
  server = await startServer();
});
after(async () => server?.stop());

/** The demo's default rules plus one that logs the agent out when the phone goes Offline. */
function logoutRules() {
  const rules = JSON.parse(fs.readFileSync(path.join(ROOT, "www/demo/default-rules.json"), "utf8"));
  rules.rules.push({
    name: "Phone offline: log out of Omni",
    on: "telephony.stateChanged",
    if: { left: "telephony.newState", op: "eq", right: { value: "Offline" } },
    then: [{ logoutOmni: true }],
  });
  return JSON.stringify(rules, null, 2);
}

const writes = async () => (await server.api("/api/log")).entries;

/** Waits until no toolkit write has arrived for `ms`: a late duplicate would show up. */
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

test("the softphone going Offline logs the agent out of Omni-Channel once", { timeout: 60000 }, async () => {
  await server.api("/api/reset", {});
  const browser = await launchBrowser();
  try {
    const page = await openDemo(browser.context, server.demo);
    await page.getByTestId("rules-editor").fill(logoutRules());
    await page.getByTestId("rules-apply").click();
    await page.waitForSelector("[data-testid=rules-status][data-state=active]");
    assert.equal((await server.api("/api/state")).omni.loggedIn, true, "logged in before");

    await page.frameLocator("[data-testid=softphone-frame]").getByTestId("phone-state-select").selectOption("Offline");
    await waitFor(async () => !(await server.api("/api/state")).omni.loggedIn,
      { what: "the agent logged out of Omni-Channel" });
    const emitted = page.locator("[data-testid=trace-rule][data-outcome=emitted]")
      .filter({ hasText: "Phone offline: log out of Omni" });
    await waitFor(async () => (await emitted.count()) > 0, { what: "the logout rule in the trace" });

    const log = await quiet();
    assert.deepEqual(log.map((w) => w.path), ["/api/omni/logout"], "one logout and nothing else");
    assert.equal((await server.api("/api/state")).telephony.state, "Offline");
    assert.deepEqual(browser.errors, [], "no console error or uncaught exception in the page");
  } finally {
    await browser.close();
  }
});
