// End-to-end tests of what an admin brings to the demo (issue 26): the page starts
// clean (no console warning, the engine reading the phone), the Apply button readable
// on hover, the org's catalog and the agent's context, the reset, and the rules editor
// in a form. Every console message of type warning or error fails a test.
//
//   node e2e/run.mjs e2e/demo-admin.test.mjs

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  ROOT, assertRuntimeBuilt, launchBrowser, openDemo, startServer, waitFor,
} from "./harness.mjs";

let server;

before(async () => {
  assertRuntimeBuilt();
  server = await startServer();
});
after(async () => server?.stop());

/** A test on a reset simulation with its own browser; any console warning or error fails it. */
function adminTest(name, body, { timeout = 60000 } = {}) {
  test(name, { timeout }, async (t) => {
    await server.api("/api/reset", {});
    const browser = await launchBrowser();
    const warnings = [];
    const watch = (page) => page.on("console", (message) => {
      if (message.type() === "warning") warnings.push(`console warning: ${message.text()} (${page.url()})`);
    });
    browser.context.on("page", watch);
    try {
      await body(browser, t);
      assert.deepEqual([...browser.errors, ...warnings], [], "no console warning, error or uncaught exception");
    } finally {
      await browser.close();
    }
  });
}

const state = () => server.api("/api/state");
const writes = async () => (await server.api("/api/log")).entries;

/** WCAG contrast ratio of two CSS rgb() colours. */
function contrast(a, b) {
  const lum = (css) => {
    const [r, g, bl] = css.match(/[\d.]+/g).slice(0, 3).map(Number).map((c) => {
      const s = c / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

// ------------------------------------------------------------------ small defects

adminTest("at start the engine shows the softphone's state, with no console warning", async ({ context }) => {
  const page = await openDemo(context, server.demo);
  const phone = (await state()).telephony.state;
  assert.ok(phone, "the simulated phone has a state");
  await waitFor(async () => (await page.getByTestId("engine-phone").getAttribute("data-state")) === phone,
    { what: `the engine panel to show the phone as ${phone}`, timeout: 3000 });
  assert.deepEqual(await writes(), [], "reading the phone at start acts on nothing");
});

adminTest("the Apply button's text stays readable on hover", async ({ context }) => {
  const page = await openDemo(context, server.demo);
  const button = page.getByTestId("rules-apply");
  await button.hover();
  const [color, background] = await button.evaluate((node) => {
    const style = getComputedStyle(node);
    return [style.color, style.backgroundColor];
  });
  const ratio = contrast(color, background);
  assert.ok(ratio >= 4.5, `text ${color} on ${background}: contrast ${ratio.toFixed(2)} (at least 4.5)`);
});

// ------------------------------------------------------------------ the admin's org and agent

/** An org whose catalog has Busy_Voice, which the demo's default org lacks. */
const ORG = [
  ["0N5Hs0000009AvlKAE", "Available", "Available"],
  ["0N5Hs0000009LunKAE", "Lunch", "Lunch"],
  ["0N5Hs0000009BrkKAE", "Break", "Break"],
  ["0N5Hs0000009BsvKAE", "Busy_Voice", "Busy - Voice"],
].map(([Id, DeveloperName, MasterLabel]) => ({ attributes: { type: "ServicePresenceStatus" }, Id, DeveloperName, MasterLabel }));

const TEAM_RULES = JSON.stringify({
  version: 1,
  statuses: ["Available", "Lunch", "Break", "Busy_Voice"].map((developerName) => ({ developerName, online: developerName === "Available" })),
  telephony: { system: "softphone", states: ["Available", "Lunch", "Break", "Busy on Omni", "Offline"] },
  rules: [
    {
      name: "Tier 2 lunch", on: "telephony.stateChanged", scope: { teams: ["Tier 2"] },
      if: { left: "telephony.newState", op: "eq", right: { value: "Lunch" } },
      then: [{ setOmniStatus: "Lunch" }],
    },
    {
      name: "On a call: Busy_Voice", on: "telephony.stateChanged",
      if: { left: "telephony.newState", op: "eq", right: { value: "Busy" } },
      then: [{ setOmniStatus: "Busy_Voice" }],
    },
  ],
}, null, 2);

async function applyRules(page, text) {
  await page.getByTestId("rules-editor").fill(text);
  await page.getByTestId("rules-apply").click();
  await page.waitForSelector("[data-testid=rules-status][data-state=active], [data-testid=rules-status][data-state=refused]");
  return page.getByTestId("rules-status").getAttribute("data-state");
}

const ruleOutcome = (page, rule, outcome) => page.locator(`[data-testid=trace-rule][data-outcome=${outcome}]`).filter({ hasText: rule });

/** Runs an action that reloads the page, and waits for the new page's engine. */
async function reloaded(page, action) {
  await Promise.all([page.waitForEvent("framenavigated", { predicate: (frame) => frame === page.mainFrame() }), action()]);
  await page.waitForLoadState("load");
  await page.waitForSelector("body[data-engine=running]", { timeout: 15000 });
}


adminTest("the admin's catalog and team: a team-scoped rule acts with the team, is out of scope without it; Reset clears it all", async ({ context }) => {
  const page = await openDemo(context, server.demo);
  assert.equal(await applyRules(page, TEAM_RULES), "refused", "Busy_Voice is not in the demo's default org");
  assert.match((await page.getByTestId("rules-errors").innerText()), /Busy_Voice/);

  // The org's catalog from a file: the page reloads with it, and the rules are accepted.
  await reloaded(page, () => page.getByTestId("catalog-file").setInputFiles({
    name: "my-org.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify({ status: 0, result: { records: ORG } })),
  }));
  assert.match(await page.getByTestId("catalog-source").innerText(), /my-org\.json.*Busy_Voice/);
  assert.equal((await state()).catalog.statuses.find((s) => s.developerName === "Busy_Voice")?.id, "0N5Hs0000009BsvKAE");
  assert.equal(await applyRules(page, TEAM_RULES), "active");

  // No team: the rule is out of scope, and the trace says so.
  await server.api("/api/phone/state", { state: "Lunch", by: "agent" });
  await waitFor(async () => (await page.locator("[data-testid=trace-out-of-scope][data-outcome=outOfScope]").count()) > 0,
    { what: "the trace to show the team rule out of scope" });
  assert.equal((await state()).omni.developerName, "Available");
  assert.deepEqual(await writes(), []);

  // With the team: the same change acts.
  await server.api("/api/phone/state", { state: "Available", by: "agent" });
  await page.getByTestId("context-teams").fill("Tier 2");
  await reloaded(page, () => page.getByTestId("context-apply").click());
  assert.match(page.url(), /teams=Tier\+2|teams=Tier%202/);
  assert.match(await page.getByTestId("context-shown").innerText(), /"teams":\["Tier 2"\]/);
  await server.api("/api/phone/state", { state: "Lunch", by: "agent" });
  await waitFor(async () => (await state()).omni.developerName === "Lunch", { what: "Omni-Channel on Lunch" });
  await waitFor(async () => (await ruleOutcome(page, "Tier 2 lunch", "emitted").count()) > 0,
    { what: "the trace to show the team rule acting" });

  // Reset: back to the default org, rules and context; nothing saved is left.
  await reloaded(page, () => page.getByTestId("demo-reset").click());
  assert.equal(new URL(page.url()).search, "");
  assert.match(await page.getByTestId("catalog-source").innerText(), /default org/);
  assert.equal(await page.getByTestId("rules-editor").inputValue(), await (await fetch(`${server.base}/demo/default-rules.json`)).text());
  assert.equal((await state()).omni.developerName, "Available", "the simulated systems started afresh");
  const saved = await page.evaluate(() => Object.keys(sessionStorage).filter((key) => key.startsWith("omnisync-demo:")));
  assert.deepEqual(saved, []);
});

adminTest("?catalog=URL gives the engine and the simulated org the admin's statuses", async ({ context }) => {
  const page = await openDemo(context, server.demo, "?catalog=/examples/org-statuses.json");
  assert.match(await page.getByTestId("catalog-source").innerText(), /org-statuses\.json.*Working_Media/);
  const ids = (await state()).catalog.statuses.map((s) => s.id);
  assert.ok(ids.includes("0N5Hs0000003WmdKAE"), `the org's own Ids: ${ids}`);
});

// ------------------------------------------------------------------ the form editor

const EXAMPLE = JSON.parse(fs.readFileSync(path.join(ROOT, "examples/cti-four-row.json"), "utf8"));
const PHONE = EXAMPLE.telephony.states;

/** `omnisync check` on a file: the built binary when there is one, else through cargo. */
function omnisyncCheck(file) {
  const built = path.join(ROOT, "target/release/omnisync");
  const [command, args] = fs.existsSync(built) ? [built, []] : ["cargo", ["run", "--release", "--quiet", "--bin", "omnisync", "--"]];
  return spawnSync(command, [...args, "check", file, "--catalog", "examples/org-statuses.json"], { cwd: ROOT, encoding: "utf8" });
}

adminTest("the form editor: the CTI four-row file by clicks, a finding beside an invalid choice, simulate, export passes check", async ({ context }) => {
  const query = `?catalog=/examples/org-statuses.json&phoneStates=${encodeURIComponent(PHONE.join(","))}`;
  const page = await openDemo(context, server.demo, query);
  const form = page.getByTestId("form-editor");
  await page.getByTestId("form-open").click();
  await page.getByTestId("form-new").click();

  for (const { developerName, online } of EXAMPLE.statuses) {
    await page.getByTestId(`form-status-${developerName}`).click();
    if (online === false) await page.getByTestId(`form-online-${developerName}`).click();
  }
  for (const state of PHONE) await page.getByTestId(`form-state-${state}`).click();
  for (const direction of ["telephonyToOmni", "omniToTelephony"]) {
    for (const [i, row] of EXAMPLE.mappings[direction].entries()) {
      await page.getByTestId(`form-add-${direction}`).click();
      const line = form.locator(`[data-testid=form-mapping][data-direction=${direction}]`).nth(i);
      await line.getByTestId("form-mapping-telephony").selectOption(row.telephony);
      await line.getByTestId("form-mapping-omni").selectOption(row.omni);
    }
  }
  const built = JSON.parse(await page.getByTestId("rules-editor").inputValue());
  const shape = (file) => ({
    statuses: file.statuses.map(({ developerName, online }) => ({ developerName, online: online !== false })),
    states: file.telephony.states,
    mappings: file.mappings,
  });
  assert.deepEqual(shape(built), shape(EXAMPLE), "the JSON editor holds what the form built");
  assert.equal(await page.getByTestId("form-status").getAttribute("data-findings"), "0");

  // A rule whose action sets a system state: the engine's finding appears beside it.
  await page.getByTestId("form-add-rule").click();
  await page.getByTestId("form-rule-on").selectOption("omni.statusChanged");
  await page.getByTestId("form-add-condition").click();
  await page.getByTestId("form-condition-left").selectOption("omni.newStatus");
  await page.getByTestId("form-condition-value").selectOption("Lunch");
  await page.getByTestId("form-add-action").click();
  await page.getByTestId("form-action-kind").selectOption("setTelephonyState");
  const beside = page.locator("[data-testid=form-action-target] + [data-testid=form-finding]");
  await page.getByTestId("form-action-target").selectOption("Lunch");
  assert.equal(await beside.count(), 0, "a valid choice has no finding");
  await page.getByTestId("form-action-target").selectOption("Busy");
  await waitFor(async () => (await beside.count()) === 1, { what: "a finding beside the action's target" });
  assert.match(await beside.getAttribute("data-for"), /^\$\.rules\[0\]\.then\[0\]/);
  await page.getByTestId("form-action-target").selectOption("Lunch");
  await waitFor(async () => (await beside.count()) === 0, { what: "the finding to go once the choice is valid" });

  // The JSON editor leads too: an edit there shows in the form.
  const text = JSON.parse(await page.getByTestId("rules-editor").inputValue());
  text.mappings.omniToTelephony.pop();
  await page.getByTestId("rules-editor").fill(JSON.stringify(text, null, 2));
  await waitFor(async () => (await form.locator("[data-testid=form-mapping][data-direction=omniToTelephony]").count()) === 3,
    { what: "the form to follow the JSON" });
  await page.getByTestId("form-add-omniToTelephony").click();
  const last = form.locator("[data-testid=form-mapping][data-direction=omniToTelephony]").nth(3);
  await last.getByTestId("form-mapping-omni").selectOption("Offline");
  await last.getByTestId("form-mapping-telephony").selectOption("Offline");

  // Simulate this morning: the phone's change sets Omni-Channel.
  await page.getByTestId("morning-simulate").click();
  await waitFor(async () => (await page.getByTestId("morning-row").count()) > 2, { what: "the morning's rows" });
  const rows = await page.getByTestId("morning-row").allInnerTexts();
  assert.ok(rows.some((row) => /Working -- Phone/.test(row) && /setOmniStatus Working_Phone/.test(row)), rows.join("\n"));
  assert.ok(rows.some((row) => /omni.statusChanged Lunch/.test(row) && /Rule 1: (emitted|alreadyInState)/.test(row)), rows.join("\n"));
  // Limited to a team this agent is not in (the page's context has none): out of scope.
  await page.getByTestId("form-rule-teams").fill("Tier 2");
  await page.getByTestId("form-rule-teams").press("Enter");
  assert.deepEqual(JSON.parse(await page.getByTestId("rules-editor").inputValue()).rules[0].scope, { teams: ["Tier 2"] });
  await page.getByTestId("morning-simulate").click();
  await waitFor(async () => (await page.getByTestId("morning-result").innerText()).includes("Rule 1: outOfScope"),
    { what: "the morning to show the rule out of scope" });

  // Export, and the CLI accepts the file.
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("form-export").click()]);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "omnisync-form-")), download.suggestedFilename());
  await download.saveAs(file);
  const exported = JSON.parse(fs.readFileSync(file, "utf8"));
  assert.deepEqual(shape(exported), shape(EXAMPLE));
  const check = omnisyncCheck(file);
  assert.equal(check.status, 0, `omnisync check: ${check.stdout}${check.stderr}`);
}, { timeout: 120000 });
