// The replay's HTML report (omnisync replay --html) opened from disk in headless
// Chromium: the charts are drawn, the console stays clean and the page asks the
// network for nothing (docs/replay.md: it must open on a laptop with no access).
//
//   node e2e/run.mjs e2e/replay-report.test.mjs

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { ROOT, launchBrowser } from "./harness.mjs";

const FIXTURE = "tests/fixtures/replay";
let dir;
let report;

before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "omnisync-replay-e2e-"));
  report = path.join(dir, "report.html");
  // The fixture org of crates/cli/tests/replay.rs, through the command an admin runs.
  const run = spawnSync("cargo", ["run", "--release", "--quiet", "--bin", "omnisync", "--",
    "replay", "--current", `${FIXTURE}/current.json`, "--proposed", `${FIXTURE}/proposed-lunch-is-break.json`,
    "--catalog", `${FIXTURE}/catalog.json`, "--users", `${FIXTURE}/users.csv`,
    "--usp", `${FIXTURE}/usp.csv`, "--agent-work", `${FIXTURE}/agent_work.csv`,
    "--connect", `${FIXTURE}/connect.jsonl`, "--html", report, "--progress", "never"],
  { cwd: ROOT, encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

test("the report opens from disk with its charts, no console error and no request", async () => {
  const browser = await launchBrowser();
  try {
    const page = await browser.context.newPage();
    const requests = [];
    page.on("request", (request) => requests.push(request.url()));
    const url = pathToFileURL(report).href;
    await page.goto(url);
    // Two charts of hours per status (Omni-Channel and phone), one per rule that acted.
    assert.equal(await page.locator("svg.chart:not(.firing)").count(), 2);
    assert.ok(await page.locator("svg.chart.firing").count() >= 5);
    // The charts have drawn bars of a size, not just empty boxes.
    const box = await page.locator("svg.chart rect").first().boundingBox();
    assert.ok(box && box.width > 10, JSON.stringify(box));
    const bars = await page.locator("svg.chart:not(.firing) rect").count();
    assert.equal(bars, 3 * (4 + 6), "history, current and proposed for 4 statuses and 6 phone states");
    // The one difference of the fixture, as a row.
    const row = page.locator("tr", { hasText: "telephony Lunch" });
    assert.match(await row.innerText(), /omni=Lunch\s+omni=Break/);
    assert.deepEqual(requests, [url], `requests: ${requests.join(", ")}`);
    assert.deepEqual(browser.errors, []);
  } finally {
    await browser.close();
  }
});
