// The CXone phone adapter against the real NICE CXone agent SDK (unmodified), whose
// cloud is the stand-in of cxone-cloud.mjs.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { cxonePhone, detectCxone, cxoneStateName, CXONE_SYSTEM_STATES } from "../phones/cxone.js";
import { choosePhone } from "../phones/choose.js";
import { createCloud, createStorage, signIn, openPage, startAgentPage, closePage } from "./cxone-cloud.mjs";

const clouds = [];
// Every session ends with the file (the pages' timers and channels are unref'd).
after(() => {
  for (const cloud of clouds) cloud.close();
});

/** Waits until `check()` is truthy (the SDK delivers events through its worker). */
async function until(check, what) {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.fail(`timed out waiting for ${what}`);
}

/** A signed-in softphone page on `cloud`, its SDK's client and a started adapter. */
async function softphone(cloud, storage) {
  const page = await openPage(cloud, storage);
  const client = await startAgentPage(page.sdk);
  // The session's first event reaches the SDK before the adapter starts: the subject
  // will not replay it, so the adapter's snapshot must come from getAgentState().
  await until(() => client.agentStateService.getAgentState(), "the SDK's first state");
  const phone = cxonePhone(client);
  const seen = { ready: 0, changes: [], lost: [] };
  phone.onReady(() => seen.ready++);
  phone.onChange((from, to) => seen.changes.push([from, to]));
  phone.onLost((why) => seen.lost.push(why));
  phone.start();
  await until(async () => seen.ready === 1 && phone.states() !== null, "the adapter's snapshot");
  return { page, client, phone, seen };
}

function newCloud(initial) {
  const cloud = createCloud(initial);
  clouds.push(cloud);
  const storage = createStorage();
  signIn(storage);
  return { cloud, storage };
}

test("the detector finds the SDK's client on a page that exposes it, nothing elsewhere", async () => {
  const { cloud, storage } = newCloud();
  const page = await openPage(cloud, storage);
  assert.equal(detectCxone({ CXoneAcdClient: page.sdk.CXoneAcdClient }), page.sdk.CXoneAcdClient.instance);
  assert.equal(detectCxone({}), null);
  assert.equal(detectCxone({ CXoneAcdClient: { instance: {} } }), null);
  assert.equal(detectCxone(null), null);
});

test("the phone choice: Amazon Connect, then CXone, then the hook; client picks one", async () => {
  const { cloud, storage } = newCloud();
  const page = await openPage(cloud, storage);
  const connect = { agent() {} };
  const hook = { onStateChange() {}, getState() {}, setState() {} };
  const CXoneAcdClient = page.sdk.CXoneAcdClient;
  assert.equal(choosePhone({ CXoneAcdClient }).name, "cxone");
  assert.equal(choosePhone({ connect, CXoneAcdClient, omnisyncSoftphone: hook }).name, "connect");
  assert.equal(choosePhone({ CXoneAcdClient, omnisyncSoftphone: hook }).name, "cxone");
  assert.equal(choosePhone({ connect, CXoneAcdClient, omnisyncSoftphone: hook }, { client: "cxone" }).name, "cxone");
  assert.equal(choosePhone({ CXoneAcdClient, omnisyncSoftphone: hook }, { client: "hook" }).name, "hook");
  const phone = choosePhone({ CXoneAcdClient });
  for (const method of ["start", "onReady", "onLost", "onChange", "states", "systemStates", "read", "set"]) {
    assert.equal(typeof phone[method], "function", method);
  }
  assert.equal(await phone.read(), null, "null before the first snapshot");
  assert.equal(phone.states(), null);
});

test("Unavailable with the code Lunch reaches as \"Lunch\"; the first report is a snapshot", async () => {
  const { cloud, storage } = newCloud({ state: "Available" });
  const { phone, seen } = await softphone(cloud, storage);
  assert.equal(await phone.read(), "Available");
  assert.deepEqual(seen.changes, [], "the snapshot is not a change");
  assert.deepEqual(phone.states(), ["Available", "Unavailable", "Lunch", "Break"]);
  cloud.change({ state: "Unavailable", reason: "Lunch" });
  await until(() => seen.changes.length === 1, "the change");
  assert.deepEqual(seen.changes, [["Available", "Lunch"]]);
  assert.equal(await phone.read(), "Lunch");
  // The same state again (a new start time) is no change.
  cloud.change({ state: "Unavailable", reason: "Lunch" });
  cloud.change({ state: "Available" });
  await until(() => seen.changes.length === 2, "the next change");
  assert.deepEqual(seen.changes[1], ["Lunch", "Available"]);
});

test("set sends setAgentState once with the unavailable code taken from the name", async () => {
  const { cloud, storage } = newCloud({ state: "Available" });
  const { phone, seen } = await softphone(cloud, storage);
  assert.deepEqual(await phone.set("Lunch"), { state: "Lunch" });
  assert.deepEqual(cloud.setStateCalls, [{ state: "Unavailable", reason: "Lunch" }]);
  await until(() => seen.changes.length === 1, "CXone's confirmation");
  assert.deepEqual(seen.changes, [["Available", "Lunch"]]);
  await phone.set("Available");
  assert.deepEqual(cloud.setStateCalls[1], { state: "Available", reason: "" });
  await assert.rejects(phone.set("Gardening"), { code: "unknownState" });
  cloud.refuseNext = true;
  await assert.rejects(phone.set("Break"), { code: "refused" });
  assert.equal(cloud.setStateCalls.length, 3, "nothing sent for an unknown state");
});

test("contact states and after-call work are system states: reported, never set", async () => {
  const { cloud, storage } = newCloud({ state: "Available" });
  const { phone, seen } = await softphone(cloud, storage);
  assert.deepEqual(phone.systemStates(), [...CXONE_SYSTEM_STATES]);
  cloud.change({ state: "InboundContact" });
  await until(() => seen.changes.length === 1, "the contact");
  // The SDK itself reads "Working" here; the adapter reports the raw CXone state.
  assert.deepEqual(seen.changes[0], ["Available", "InboundContact"]);
  cloud.change({ state: "Unavailable", reason: "Wrap up", acw: true });
  await until(() => seen.changes.length === 2, "after-call work");
  assert.deepEqual(seen.changes[1], ["InboundContact", "AfterCallWork"]);
  for (const name of ["InboundContact", "AfterCallWork", "Dialer"]) {
    assert.ok(phone.systemStates().includes(name));
    assert.ok(!phone.states().includes(name));
    await assert.rejects(phone.set(name), { code: "restricted" });
  }
  assert.deepEqual(cloud.setStateCalls, []);
});

test("a reload of the softphone page is a snapshot, not a change", async () => {
  const { cloud, storage } = newCloud({ state: "Unavailable", reason: "Break" });
  const first = await softphone(cloud, storage);
  assert.equal(await first.phone.read(), "Break");
  await closePage(first.page);
  const second = await softphone(cloud, storage);
  assert.equal(await second.phone.read(), "Break");
  assert.equal(second.seen.ready, 1);
  assert.deepEqual(second.seen.changes, []);
  cloud.change({ state: "Available" });
  await until(() => second.seen.changes.length === 1, "a change after the reload");
  assert.deepEqual(second.seen.changes, [["Break", "Available"]]);
});

test("state names: the code alone for Unavailable, the raw CXone state otherwise", () => {
  assert.equal(cxoneStateName({ state: "unavailable", cxoneState: "Unavailable", reason: "Lunch" }), "Lunch");
  assert.equal(cxoneStateName({ state: "unavailable", cxoneState: "Unavailable", reason: "" }), "Unavailable");
  assert.equal(cxoneStateName({ state: "Working", cxoneState: "OutboundContact" }), "OutboundContact");
  assert.equal(cxoneStateName({ state: "unavailable", cxoneState: "Unavailable", reason: "ACW", isACW: true }), "AfterCallWork");
  assert.equal(cxoneStateName(undefined), null);
});

test("logging out of CXone is onLost; the next state is a snapshot again (onReady)", async () => {
  const { cloud, storage } = newCloud({ state: "Available" });
  const { phone, seen } = await softphone(cloud, storage);
  cloud.change({ state: "LoggedOut" });
  await until(() => seen.lost.length === 1, "onLost");
  assert.equal(await phone.read(), null);
  cloud.change({ state: "Unavailable", reason: "Break" });
  await until(() => seen.ready === 2, "ready again");
  assert.deepEqual(seen.changes, [], "the state after a new login is no change");
  assert.equal(await phone.read(), "Break");
});

test("the shipped bundles carry no SDK code: the adapter only calls the page's SDK", async () => {
  const { build } = await import("esbuild");
  for (const entry of ["www/salesforce/relay-script.js", "www/omnisync.js"]) {
    const out = await build({ entryPoints: [new URL(`../../${entry}`, import.meta.url).pathname], bundle: true,
      write: false, metafile: true, format: "iife", logLevel: "silent", external: ["*.wasm"] });
    const inputs = Object.keys(out.metafile.inputs);
    assert.ok(inputs.some((i) => i.endsWith("phones/cxone.js")), `${entry} has the adapter`);
    assert.deepEqual(inputs.filter((i) => i.includes("node_modules")), [], `${entry} bundles no package`);
  }
});
