// NICE CXone end to end in node: the real agent SDK (unmodified, its cloud the stand-in
// of cxone-cloud.mjs), the CXone adapter picked by the one phone choice, and the engine
// (the built wasm package, pkg/: `bash scripts/build-wasm.sh`) running the rules file
// `omnisync import --from cxone` wrote from the fixture tables, as it is, with the org's
// catalog (tests/fixtures/cxone/: crates/cli/tests/import_cxone.rs keeps rules.json the import's
// output). The shim path (the SDK in the engine's page) and the relay path (the SDK in
// the softphone's page, reloaded) both run.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { startOmniSync } from "../omnisync.js";
import { REASON, createOmni, hostBridge } from "../demo/sim/omni.js";
import { choosePhone } from "../phones/choose.js";
import { messageChannelTelephony, phoneTelephony } from "../phones/telephony.js";
import { startRelay } from "../salesforce/relay.js";
import { closePage, createCloud, createStorage, openPage, signIn, startAgentPage } from "./cxone-cloud.mjs";
import { lms, sleep, until } from "./lms.mjs";

const fixture = (name) => JSON.parse(readFileSync(new URL(`../../tests/fixtures/cxone/${name}`, import.meta.url), "utf8"));
const RULES = fixture("rules.json");
const CATALOG = fixture("catalog.json").result.records;
const idOf = (name) => CATALOG.find((r) => r.DeveloperName === name).Id;
const AVAILABLE = idOf("Available");
const LUNCH = idOf("Lunch");
const wasmUrl = readFileSync(new URL("../../pkg/web/omnisync_bg.wasm", import.meta.url));
const WAIT = 8000; // the SDK's events go through its worker and a long poll

const running = [];
after(() => {
  for (const stop of running) stop();
});

/** A signed-in CXone agent, Available, on a fresh cloud; Omni Available. */
function systems() {
  const cloud = createCloud({ state: "Available" });
  const storage = createStorage();
  signIn(storage);
  const omni = createOmni({
    statuses: CATALOG.map((r) => ({ id: r.Id, developerName: r.DeveloperName, label: r.MasterLabel, online: r.DeveloperName === "Available" })),
    statusId: AVAILABLE,
  });
  running.push(() => cloud.close());
  return { cloud, storage, omni };
}

/**
 * The customer's CXone page: the SDK loaded, `loaded(page)` run (omnisync starts with
 * the page, before the agent's session is joined), then the session joined.
 */
async function cxonePage(cloud, storage, loaded = async () => {}) {
  const page = await openPage(cloud, storage);
  await loaded(page);
  const client = await startAgentPage(page.sdk);
  await until(() => client.agentStateService.getAgentState(), "the SDK's first state", WAIT);
  return page;
}

/** The engine over `telephony`; every telephony event it was handed, as [old, new]. */
async function engine(s, telephony) {
  const seen = [];
  const counted = { ...telephony, subscribe: (cb) => telephony.subscribe((e) => {
    seen.push([e.oldState, e.newState]);
    cb(e);
  }) };
  const runtime = await startOmniSync({ wasmUrl, rules: RULES, catalog: CATALOG, host: hostBridge(s.omni), telephony: counted,
    reconcileMs: 0, storage: null, channel: `cxone-${Math.random()}` });
  running.push(() => runtime.stop());
  await until(() => runtime.isLeader(), "the only tab to lead", WAIT);
  return { runtime, seen };
}

test("shim: the SDK in the engine's page, found by the phone choice", async (t) => {
  const s = systems();
  let phone;
  let runtime;
  let seen;
  await cxonePage(s.cloud, s.storage, async (page) => {
    phone = choosePhone({ CXoneAcdClient: page.sdk.CXoneAcdClient });
    assert.equal(phone?.name, "cxone");
    ({ runtime, seen } = await engine(s, phoneTelephony(phone)));
  });
  t.after(() => phone.stop());
  await until(async () => (await phone.read()) === "Available", "the agent's first state", WAIT);
  await sleep(300);
  assert.deepEqual(seen, [], "the first state the session brings is a snapshot, not a change");
  s.cloud.change({ state: "Available" }); // CXone says it again (a new start time)
  await sleep(600);
  assert.deepEqual(seen, [], "a same-state change is dropped");

  // CXone: Unavailable with the code Lunch reaches the engine as "Lunch"; Omni follows.
  s.cloud.change({ state: "Unavailable", reason: "Lunch" });
  await until(() => s.omni.status().statusId === LUNCH, "Omni to go to Lunch", WAIT);
  assert.deepEqual(seen, [["Available", "Lunch"]]);
  assert.deepEqual(s.cloud.setStateCalls, [], "CXone is not written back");

  // Omni: the agent picks Available, then Lunch; each sets CXone once, Lunch with its code.
  s.omni.setStatus(AVAILABLE, REASON.manual);
  await until(() => s.cloud.setStateCalls.length === 1, "CXone to be set Available", WAIT);
  s.omni.setStatus(LUNCH, REASON.manual);
  await until(() => s.cloud.setStateCalls.length === 2, "CXone to be set Lunch", WAIT);
  await sleep(600); // CXone's confirmations come back as echoes: nothing more is set
  assert.deepEqual(s.cloud.setStateCalls, [{ state: "Available", reason: "" }, { state: "Unavailable", reason: "Lunch" }]);
  assert.equal(s.omni.status().statusId, LUNCH);

  // A contact, then after-call work: an Omni change waits, and is applied after.
  s.omni.setStatus(AVAILABLE, REASON.manual);
  await until(() => s.cloud.setStateCalls.length === 3, "CXone to be set Available", WAIT);
  s.cloud.change({ state: "InboundContact" });
  await until(() => runtime.state().telephony.state === "InboundContact", "the contact", WAIT);
  s.omni.setStatus(LUNCH, REASON.manual);
  await sleep(600);
  s.cloud.change({ state: "Unavailable", reason: "Wrap up", acw: true });
  await until(() => runtime.state().telephony.state === "AfterCallWork", "after-call work", WAIT);
  await sleep(600);
  assert.equal(s.cloud.setStateCalls.length, 3, "nothing set during the contact and its after-call work");
  s.cloud.change({ state: "Available" });
  await until(() => s.cloud.setStateCalls.length === 4, "the deferred change", WAIT);
  await sleep(600);
  assert.deepEqual(s.cloud.setStateCalls.slice(3), [{ state: "Unavailable", reason: "Lunch" }], "applied once, after");
  assert.equal(s.omni.status().statusId, LUNCH);
  assert.equal(runtime.state().telephony.state, "Lunch");
});

test("relay: the SDK in the softphone's page; a reload of that page is a snapshot", async () => {
  const s = systems();
  const channel = lms();
  const bridge = messageChannelTelephony(channel.port(), { timeoutMs: 200, queryMs: 100, lifecycle: null, log: { warn() {} } });
  running.push(() => bridge.close());
  const relayOn = (page) => {
    const relay = startRelay({ heartbeatMs: 100, commandTimeoutMs: 2000, pollMs: 20 },
      { CXoneAcdClient: page.sdk.CXoneAcdClient, crypto: globalThis.crypto, console: { warn() {} }, sforce: { opencti: channel.opencti } });
    running.push(() => relay.stop());
    return relay;
  };
  const { seen } = await engine(s, bridge);
  let relay;
  const first = await cxonePage(s.cloud, s.storage, (page) => {
    relay = relayOn(page);
    return until(() => channel.sent("paired").length, "the relay to pair", WAIT);
  });
  await until(async () => (await bridge.getState()) === "Available", "the host to read CXone", WAIT);

  // The softphone page reloads: its SDK and relay go, new ones come on the same session store.
  relay.stop();
  await closePage(first);
  await cxonePage(s.cloud, s.storage, (page) => {
    relayOn(page);
    return until(() => channel.sent("paired").length >= 2, "the new relay to pair", WAIT);
  });
  await until(() => channel.sent("snapshot").length >= 2, "the new relay's snapshot", WAIT);
  await sleep(600);
  assert.deepEqual(seen, [], "the reload is no change");
  assert.deepEqual(s.cloud.setStateCalls, []);
  assert.equal(s.omni.status().statusId, AVAILABLE);

  s.cloud.change({ state: "Unavailable", reason: "Lunch" });
  await until(() => s.omni.status().statusId === LUNCH, "Omni to go to Lunch", WAIT);
  assert.deepEqual(seen, [["Available", "Lunch"]]);
});
