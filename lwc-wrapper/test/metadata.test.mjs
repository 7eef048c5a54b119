// The package's metadata passes the checks of metadata.mjs, and each check fails on a
// copy of the package broken the way a review would find it (the copy lives in a
// temporary directory; the package itself is never touched).
//
//   node --test lwc-wrapper/test/metadata.test.mjs

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { checkPackage } from "./metadata.mjs";

const WRAPPER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const FORCE_APP = path.join(WRAPPER, "force-app");
const DEFAULT = "main/default";

/** A copy of force-app and sfdx-project.json with `mutate(dir)` applied; removed after. */
function broken(mutate) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "omnisync-metadata-"));
  try {
    fs.cpSync(FORCE_APP, path.join(root, "force-app"), { recursive: true });
    fs.copyFileSync(path.join(WRAPPER, "sfdx-project.json"), path.join(root, "sfdx-project.json"));
    const dir = path.join(root, "force-app", DEFAULT);
    mutate(dir);
    return checkPackage(path.join(root, "force-app"));
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

function edit(file, from, to) {
  const text = fs.readFileSync(file, "utf8");
  assert.ok(text.includes(from), `${path.basename(file)} contains ${from}`);
  fs.writeFileSync(file, text.replace(from, to));
}

test("the package as it is has no problem", () => {
  assert.deepEqual(checkPackage(FORCE_APP), []);
});

test("the check reads every kind of file the package has", () => {
  const kinds = new Set(
    fs.readdirSync(path.join(FORCE_APP, DEFAULT)).filter((d) => fs.statSync(path.join(FORCE_APP, DEFAULT, d)).isDirectory()),
  );
  for (const kind of ["pages", "messageChannels", "aura", "lwc", "classes", "triggers", "permissionsets", "objects"]) {
    assert.ok(kinds.has(kind), `force-app has ${kind}`);
  }
});

test("fails on a copy whose host page is not availableInTouch", () => {
  const problems = broken((dir) => edit(path.join(dir, "pages/OmniSyncHost.page-meta.xml"),
    "<availableInTouch>true</availableInTouch>", "<availableInTouch>false</availableInTouch>"));
  assert.deepEqual(problems, ["page OmniSyncHost: availableInTouch is not true, so the utility bar cannot place it"]);
});

test("fails on a copy whose message channel is exposed", () => {
  const problems = broken((dir) => edit(path.join(dir, "messageChannels/OmniSync.messageChannel-meta.xml"),
    "<isExposed>false</isExposed>", "<isExposed>true</isExposed>"));
  assert.deepEqual(problems, ["message channel OmniSync: isExposed is not false, so components of other namespaces can publish on it"]);
});

const BREAKS = [
  ["an Aura bridge that is not a utility item", (dir) => edit(path.join(dir, "aura/OmniSyncBridge/OmniSyncBridge.cmp"),
    'implements="lightning:utilityItem,', 'implements="'), /Aura component OmniSyncBridge does not implement lightning:utilityItem/],
  ["an LWC panel without the utility bar target", (dir) => edit(path.join(dir, "lwc/omniSyncPanel/omniSyncPanel.js-meta.xml"),
    "<target>lightning__UtilityBar</target>", ""), /LWC omniSyncPanel has no lightning__UtilityBar target/],
  ["API versions that disagree", (dir) => edit(path.join(dir, "classes/OmniSyncWorkChannel.cls-meta.xml"),
    "<apiVersion>62.0</apiVersion>", "<apiVersion>58.0</apiVersion>"), /API versions disagree: .*OmniSyncWorkChannel\.cls-meta\.xml 58\.0/],
  ["an Apex class without a test class", (dir) => {
    fs.rmSync(path.join(dir, "classes/OmniSyncSessionWatcherTest.cls"));
    fs.rmSync(path.join(dir, "classes/OmniSyncSessionWatcherTest.cls-meta.xml"));
  }, /Apex class OmniSyncSessionWatcher has no test class OmniSyncSessionWatcherTest/],
  ["a permission set that misses the page", (dir) => edit(path.join(dir, "permissionsets/OmniSync_Agent.permissionset-meta.xml"),
    "<apexPage>OmniSyncHost</apexPage>", "<apexPage>OmniSyncHostOld</apexPage>"), /OmniSync_Agent misses apexPage OmniSyncHost/],
  ["a permission set that misses a class", (dir) => edit(path.join(dir, "permissionsets/OmniSync_Agent.permissionset-meta.xml"),
    "<apexClass>OmniSyncWorkChannel</apexClass>", "<apexClass>OmniSyncPresencePublisher</apexClass>"), /OmniSync_Agent misses apexClass OmniSyncWorkChannel/],
  ["a permission set that misses the event", (dir) => edit(path.join(dir, "permissionsets/OmniSync_Agent.permissionset-meta.xml"),
    "<object>OmniSync_Presence__e</object>", "<object>Account</object>"), /OmniSync_Agent misses object OmniSync_Presence__e/],
  ["an inline script in the page", (dir) => edit(path.join(dir, "pages/OmniSyncHost.page"),
    "</apex:page>", "<script>window.x = 1;</script></apex:page>"), /page OmniSyncHost has an inline script/],
  ["a trigger with its logic inline", (dir) => edit(path.join(dir, "triggers/OmniSyncLogout.trigger"),
    "OmniSyncLogoutHandler.handle(Trigger.new);", "System.debug(Trigger.new);"), /trigger OmniSyncLogout does not delegate/],
];

for (const [what, mutate, expected] of BREAKS) {
  test(`fails on a copy with ${what}`, () => {
    const problems = broken(mutate);
    assert.ok(problems.some((p) => expected.test(p)), problems.join("\n") || "no problem found");
  });
}
