// The package passes the rules of metadata.mjs, and each rule fails on a copy of the
// package broken the way a review found it, or the next mistake of its kind would (the
// copy lives in a temporary directory; the package itself is never touched). Each
// folder also converts to Metadata API format alone or on top of the core.
//
//   node --test lwc-wrapper/test/metadata.test.mjs

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { checkProject } from "./metadata.mjs";

const WRAPPER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const D = "main/default";

/** A copy of the project (folders and sfdx-project.json) with `mutate(root)` applied; removed after. */
function broken(mutate) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "omnisync-metadata-"));
  try {
    fs.copyFileSync(path.join(WRAPPER, "sfdx-project.json"), path.join(root, "sfdx-project.json"));
    for (const folder of ["core", "softphone", "event-monitoring"]) {
      fs.cpSync(path.join(WRAPPER, folder), path.join(root, folder), { recursive: true });
    }
    mutate(root);
    return checkProject(root);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

function edit(file, from, to) {
  const text = fs.readFileSync(file, "utf8");
  assert.ok(text.includes(from), `${path.basename(file)} contains ${from}`);
  fs.writeFileSync(file, text.replace(from, to));
}

/** Moves `files` (paths under main/default) from one folder to another. */
function move(root, from, to, files) {
  for (const file of files) {
    const target = path.join(root, to, D, file);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.renameSync(path.join(root, from, D, file), target);
  }
}

test("the package as it is has no problem", () => {
  assert.deepEqual(checkProject(WRAPPER), []);
});

test("the core has no message channel, exposed or not", () => {
  assert.equal(fs.existsSync(path.join(WRAPPER, "core", D, "messageChannels")), false);
});

// [what, mutation, the problem expected]
const BREAKS = [
  // Must show: each of the three deploy blockers of the review.
  ["the host page using an unexposed channel", (root) => {
    edit(path.join(root, "softphone", D, "messageChannels/OmniSyncTelephony.messageChannel-meta.xml"), "<isExposed>true</isExposed>", "<isExposed>false</isExposed>");
  }, /page OmniSyncSoftphone uses message channel OmniSyncTelephony__c, which is not exposed/],
  ["a core page using a channel of its own, not exposed", (root) => {
    fs.mkdirSync(path.join(root, "core", D, "messageChannels"));
    fs.writeFileSync(path.join(root, "core", D, "messageChannels/OmniSync.messageChannel-meta.xml"),
      '<?xml version="1.0" encoding="UTF-8"?>\n<LightningMessageChannel xmlns="http://soap.sforce.com/2006/04/metadata">\n    <masterLabel>OmniSync</masterLabel>\n    <isExposed>false</isExposed>\n</LightningMessageChannel>\n');
    edit(path.join(root, "core", D, "pages/OmniSyncHost.page"), 'data-nonce="{!nonce}"', 'data-nonce="{!nonce}" data-channel="{!$MessageChannel.OmniSync__c}"');
  }, /page OmniSyncHost uses message channel OmniSync__c, which is not exposed/],
  ["$CustomMetadata in a page", (root) => {
    edit(path.join(root, "softphone", D, "pages/OmniSyncSoftphone.page"), 'data-region="{!region}"', 'data-region="{!$CustomMetadata.OmniSync_Softphone__mdt.Default.Region__c}"');
  }, /page OmniSyncSoftphone uses \$CustomMetadata, which is not among Visualforce's global variables/],
  ["the logout trigger in the core folder", (root) => {
    move(root, "event-monitoring", "core", ["triggers/OmniSyncLogout.trigger", "triggers/OmniSyncLogout.trigger-meta.xml",
      "classes/OmniSyncLogoutHandler.cls", "classes/OmniSyncLogoutHandler.cls-meta.xml",
      "classes/OmniSyncLogoutHandlerTest.cls", "classes/OmniSyncLogoutHandlerTest.cls-meta.xml"]);
  }, /trigger OmniSyncLogout on LogoutEventStream is in core, a folder for production: no test can fire it/],
  ["the logout trigger in the softphone folder (production too)", (root) => {
    move(root, "event-monitoring", "softphone", ["triggers/OmniSyncLogout.trigger", "triggers/OmniSyncLogout.trigger-meta.xml",
      "classes/OmniSyncLogoutHandler.cls", "classes/OmniSyncLogoutHandler.cls-meta.xml",
      "classes/OmniSyncLogoutHandlerTest.cls", "classes/OmniSyncLogoutHandlerTest.cls-meta.xml"]);
  }, /trigger OmniSyncLogout on LogoutEventStream is in softphone, a folder for production/],
  // The other rules.
  ["an Apex test reading AsyncApexJob unfiltered", (root) => {
    edit(path.join(root, "core", D, "classes/OmniSyncSessionWatcherTest.cls"), "WHERE Id IN :created", "WHERE Status = 'Queued'");
  }, /Apex test OmniSyncSessionWatcherTest queries AsyncApexJob without a filter to the jobs it enqueued/],
  ["an Apex test reading org data unfiltered", (root) => {
    edit(path.join(root, "core", D, "classes/OmniSyncTestAgents.cls"), "[SELECT Id FROM PermissionSet WHERE Name = 'OmniSync_Agent' LIMIT 1]", "[SELECT Id FROM PermissionSet LIMIT 1]");
  }, /Apex test OmniSyncTestAgents queries PermissionSet without a filter to what it created/],
  ["an Apex test with SeeAllData", (root) => {
    edit(path.join(root, "core", D, "classes/OmniSyncWorkChannelTest.cls"), "@IsTest\nprivate class", "@IsTest(SeeAllData=true)\nprivate class");
  }, /Apex test OmniSyncWorkChannelTest uses SeeAllData=true/],
  ["the call center in the core", (root) => {
    move(root, "softphone", "core", ["callCenters/OmniSyncSoftphone.callCenter-meta.xml"]);
  }, /core holds the optional call center OmniSyncSoftphone/],
  ["the Open CTI page in the core", (root) => {
    move(root, "softphone", "core", ["pages/OmniSyncSoftphone.page", "pages/OmniSyncSoftphone.page-meta.xml"]);
  }, /core holds the optional Open CTI page OmniSyncSoftphone/],
  ["the core referring to a class of the softphone folder", (root) => {
    edit(path.join(root, "core", D, "classes/OmniSyncHostController.cls"), "userId = String.valueOf(UserInfo.getUserId());",
      "userId = String.valueOf(UserInfo.getUserId()); Object phone = new OmniSyncSoftphoneController();");
  }, /core: Apex OmniSyncHostController refers to class OmniSyncSoftphoneController of softphone, which core may not depend on/],
  ["the bridge subscribing to the softphone's channel in its markup", (root) => {
    edit(path.join(root, "core", D, "aura/OmniSyncBridge/OmniSyncBridge.cmp"), '<lightning:omniToolkitAPI aura:id="omniToolkit"/>',
      '<lightning:omniToolkitAPI aura:id="omniToolkit"/><lightning:messageChannel type="OmniSyncTelephony__c" aura:id="t"/>');
  }, /core: Aura OmniSyncBridge refers to channel OmniSyncTelephony__c of softphone/],
  ["a page naming a resource no folder has", (root) => {
    edit(path.join(root, "core", D, "pages/OmniSyncHost.page"), "{!$Resource.omnisyncRules}", "{!$Resource.omnisyncRulez}");
  }, /core: page OmniSyncHost refers to resource omnisyncRulez, which no folder has/],
  ["a call center whose adapter page is missing", (root) => {
    edit(path.join(root, "softphone", D, "callCenters/OmniSyncSoftphone.callCenter-meta.xml"), "<adapterUrl>/apex/OmniSyncSoftphone</adapterUrl>", "<adapterUrl>/apex/OmniSyncPhone</adapterUrl>");
  }, /softphone: call center OmniSyncSoftphone refers to page OmniSyncPhone, which no folder has/],
  ["a permission set granting another folder's page", (root) => {
    edit(path.join(root, "core", D, "permissionsets/OmniSync_Agent.permissionset-meta.xml"), "<apexPage>OmniSyncHost</apexPage>",
      "<apexPage>OmniSyncHost</apexPage>\n        <enabled>true</enabled>\n    </pageAccesses>\n    <pageAccesses>\n        <apexPage>OmniSyncSoftphone</apexPage>");
  }, /core: permission set OmniSync_Agent refers to page OmniSyncSoftphone of softphone/],
  ["a permission set that misses a class of its folder", (root) => {
    edit(path.join(root, "core", D, "permissionsets/OmniSync_Agent.permissionset-meta.xml"), "<apexClass>OmniSyncWorkChannel</apexClass>", "<apexClass>OmniSyncPresencePublisher</apexClass>");
  }, /OmniSync_Agent misses apexClass OmniSyncWorkChannel/],
  ["an Aura bridge that is not a utility item", (root) => {
    edit(path.join(root, "core", D, "aura/OmniSyncBridge/OmniSyncBridge.cmp"), 'implements="lightning:utilityItem,', 'implements="');
  }, /Aura component OmniSyncBridge does not implement lightning:utilityItem/],
  ["API versions that disagree", (root) => {
    edit(path.join(root, "core", D, "classes/OmniSyncWorkChannel.cls-meta.xml"), "<apiVersion>62.0</apiVersion>", "<apiVersion>58.0</apiVersion>");
  }, /API versions disagree: .*OmniSyncWorkChannel\.cls-meta\.xml 58\.0/],
  ["an Apex class without a test class", (root) => {
    fs.rmSync(path.join(root, "core", D, "classes/OmniSyncSessionWatcherTest.cls"));
    fs.rmSync(path.join(root, "core", D, "classes/OmniSyncSessionWatcherTest.cls-meta.xml"));
  }, /Apex class OmniSyncSessionWatcher has no test class OmniSyncSessionWatcherTest in core/],
  ["an inline script in the page", (root) => {
    edit(path.join(root, "core", D, "pages/OmniSyncHost.page"), "</apex:page>", "<script>window.x = 1;</script></apex:page>");
  }, /page OmniSyncHost has an inline script/],
  ["a trigger with its logic inline", (root) => {
    edit(path.join(root, "event-monitoring", D, "triggers/OmniSyncLogout.trigger"), "OmniSyncLogoutHandler.handle(Trigger.new);", "System.debug(Trigger.new);");
  }, /trigger OmniSyncLogout does not delegate/],
];

for (const [what, mutate, expected] of BREAKS) {
  test(`fails on a copy with ${what}`, () => {
    const problems = broken(mutate);
    assert.ok(problems.some((p) => expected.test(p)), problems.join("\n") || "no problem found");
  });
}
