// The phone adapters' promises (docs/telephony.md, "The adapter contract"), each held
// on both paths a phone's changes take to the engine: the shim's telephony bridge in
// the page of the phone (phoneTelephony), and the softphone's relay
// (www/salesforce/relay.js) to the host's channel adapter. The phones are the demo's
// simulated phone (www/demo/sim/phone.js) behind Amazon Connect Streams' `connect`
// global and the generic hook.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createPhone, softphoneHook, streamsGlobal } from "../demo/sim/phone.js";
import { choosePhone } from "../phones/choose.js";
import { connectPhone } from "../phones/connect.js";
import { hookPhone } from "../phones/hook.js";
import { messageChannelTelephony, phoneTelephony } from "../phones/telephony.js";
import { startRelay } from "../salesforce/relay.js";
import { lms, sleep, until } from "./lms.mjs";

const STATES = ["Available", "Lunch", "Break"];
const FAST = { heartbeatMs: 50, commandTimeoutMs: 100, queryMs: 60, pollMs: 10, ccpWaitMs: 5000 };

/** A page with the phone `kind` ("connect" or "hook") over a fresh simulated phone. */
function page(kind) {
  const phone = createPhone({ states: STATES, systemStates: ["Busy", "AfterCallWork"], state: "Available" });
  if (kind === "hook") return { phone, window: { omnisyncSoftphone: softphoneHook(phone) }, ccp: null };
  const ccp = streamsGlobal(phone);
  return { phone, window: { connect: ccp.connect }, ccp };
}

/** The two paths: each gives the `[oldState, newState]` pairs the engine was handed. */
const PATHS = {
  async shim(t, window) {
    const adapter = choosePhone(window, FAST);
    const bridge = phoneTelephony(adapter);
    t.after(() => adapter.stop?.());
    const seen = [];
    bridge.subscribe((event) => seen.push([event.oldState, event.newState]));
    return { seen, bridge, ready: () => adapter.read().then((state) => state !== null) };
  },
  async relay(t, window) {
    const channel = lms();
    const bridge = messageChannelTelephony(channel.port(), { timeoutMs: 40, queryMs: 60, lifecycle: null, log: { warn() {} } });
    const relay = startRelay(FAST, { ...window, crypto: globalThis.crypto, console: { warn() {} }, sforce: { opencti: channel.opencti } });
    t.after(() => relay.stop());
    const seen = [];
    bridge.subscribe((event) => seen.push([event.oldState, event.newState]));
    return { seen, bridge, channel, ready: () => bridge.status().connected };
  },
};

/** The CCP starts and its agent logs in (for the hook: nothing to start). */
async function login(setup) {
  setup.ccp?.connect.core.initCCP();
  await sleep(30); // the adapter finds the new bus
  setup.ccp?.login();
}

for (const [path, open] of Object.entries(PATHS)) {
  for (const kind of ["connect", "hook"]) {
    test(`${path}, ${kind}: a same-state change is dropped, a real one passes once`, async (t) => {
      const setup = page(kind);
      const side = await open(t, setup.window);
      await login(setup);
      await until(side.ready, "the phone to be ready");
      setup.phone.change("Lunch");
      setup.phone.change("Lunch"); // the phone re-announces its state
      await until(() => side.seen.length, "the change");
      await sleep(40);
      assert.deepEqual(side.seen, [["Available", "Lunch"]]);
      if (side.channel) assert.equal(side.channel.sent("changed").length, 1, "the relay sent one change");
    });
  }

  test(`${path}, connect: the first snapshot (Init -> state) is not a change`, async (t) => {
    const setup = page("connect");
    const side = await open(t, setup.window);
    await login(setup);
    await until(side.ready, "the phone to be ready");
    await sleep(40);
    assert.deepEqual(side.seen, []);
    assert.equal(await side.bridge.getState(), "Available");
  });

  test(`${path}, connect: after the page terminates and restarts the CCP, the new bus is followed; its snapshot is no change`, async (t) => {
    const setup = page("connect");
    const side = await open(t, setup.window);
    await login(setup);
    await until(side.ready, "the phone to be ready");
    setup.phone.change("Lunch");
    await until(() => side.seen.length === 1, "the first change");
    setup.ccp.connect.core.terminate();
    await sleep(40);
    setup.phone.change("Break", { announce: false }); // changed while no CCP ran
    await login(setup);
    await sleep(40);
    assert.deepEqual(side.seen, [["Available", "Lunch"]], "the new CCP's first agent data is a snapshot");
    setup.phone.change("Available");
    await until(() => side.seen.length === 2, "a change on the new bus");
    await sleep(40);
    assert.deepEqual(side.seen, [["Available", "Lunch"], ["Break", "Available"]], "heard once: the old bus is dropped");
    assert.equal(await side.bridge.getState(), "Available");
  });
}

test("relay: a terminated CCP is reported not ready (onLost), and ready again with the new one", async (t) => {
  const setup = page("connect");
  const side = await PATHS.relay(t, setup.window);
  await login(setup);
  await until(side.ready, "the phone to be ready");
  setup.ccp.connect.core.terminate();
  await until(() => side.channel.sent("notReady").length, "notReady");
  await until(() => !side.bridge.status().connected, "the host to see it");
  await login(setup);
  await until(side.ready, "ready again");
});

test("the adapters' set: unknown names, system states and the phone's refusal, coded", async () => {
  const phone = createPhone({ states: STATES, systemStates: ["Busy"], state: "Available" });
  const ccp = streamsGlobal(phone);
  const connect = connectPhone(ccp.connect, { pollMs: 10 });
  connect.start();
  ccp.connect.core.initCCP();
  await sleep(30);
  ccp.login();
  await assert.rejects(connect.set("Gardening"), { code: "unknownState" });
  await assert.rejects(connect.set("AfterCallWork"), { code: "restricted" });
  ccp.agent.answer = "failure";
  await assert.rejects(connect.set("Lunch"), { code: "refused" });
  ccp.agent.answer = "success";
  assert.deepEqual(await connect.set("Lunch"), { state: "Lunch" });
  assert.deepEqual(connect.states(), STATES);
  assert.ok(connect.systemStates().includes("AfterCallWork") && !connect.systemStates().includes("Init"));
  connect.stop();

  const hook = hookPhone({ ...softphoneHook(phone), getStates: () => STATES, getSystemStates: () => ["Busy"] });
  hook.start();
  await assert.rejects(hook.set("Gardening"), { code: "unknownState" });
  await assert.rejects(hook.set("Busy"), { code: "restricted" });
  assert.deepEqual(await hook.set("Break"), { state: "Break" });
  const refusing = hookPhone({ ...softphoneHook(phone), setState: () => Promise.reject(new Error("on a call")) });
  await assert.rejects(refusing.set("Lunch"), { code: "refused", message: "on a call" });
});

test("the phone choice: Amazon Connect first, then the hook; client picks one; a partial hook is named", () => {
  const phone = createPhone({ states: STATES });
  const both = { connect: streamsGlobal(phone).connect, omnisyncSoftphone: softphoneHook(phone) };
  assert.equal(choosePhone(both).name, "connect");
  assert.equal(choosePhone(both, { client: "hook" }).name, "hook");
  assert.equal(choosePhone(both, { client: "softphone" }).name, "hook", "the relay's older name");
  assert.equal(choosePhone({ omnisyncSoftphone: softphoneHook(phone) }).name, "hook");
  const warnings = [];
  assert.equal(choosePhone({ omnisyncSoftphone: { getState() {} } }, { warn: (text) => warnings.push(text) }), null);
  assert.match(warnings[0], /lacks onStateChange, setState/);
  assert.equal(choosePhone({}), null);
});

test("every adapter has the contract's shape", () => {
  const phone = createPhone({ states: STATES });
  const adapters = [
    connectPhone(streamsGlobal(phone).connect),
    hookPhone(softphoneHook(phone)),
    messageChannelTelephony(lms().port(), { lifecycle: null }).phone,
  ];
  for (const adapter of adapters) {
    assert.equal(typeof adapter.name, "string");
    for (const method of ["start", "onReady", "onLost", "onChange", "states", "systemStates", "read", "set"]) {
      assert.equal(typeof adapter[method], "function", `${adapter.name}.${method}`);
    }
    assert.ok(Array.isArray(adapter.systemStates()), adapter.name);
  }
});
