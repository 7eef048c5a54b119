// The telephony protocol on the message channel, end to end in node: the real relay
// (www/salesforce/relay.js, the module the shipped relay.js is bundled from, given a
// page of its own) and the host's messageChannelTelephony, joined by a stand-in for the
// Lightning Message Service that delivers every message to every subscriber, later
// and as a copy, the publisher included, as the real one does. The phone here is the
// relay's generic hook (window.omnisyncSoftphone); the relay over the real Amazon
// Connect Streams runs in e2e/softphone-relay.test.mjs.
import { test } from "node:test";
import assert from "node:assert/strict";
import vm from "node:vm";
import { buildSync } from "esbuild";
import { messageChannelTelephony, TELEPHONY_PROTOCOL } from "../omnisync.js";
import { startRelay as startRelayModule } from "../salesforce/relay.js";
import { lms, sleep, until } from "./lms.mjs";

/** The relay's classic script as `npm run build:relay` bundles it (package.json). */
const BUNDLE = buildSync({
  entryPoints: [new URL("../salesforce/relay-script.js", import.meta.url).pathname],
  bundle: true, format: "iife", write: false, logLevel: "error",
}).outputFiles[0].text;
const FAST = { heartbeatMs: 20, commandTimeoutMs: 60, queryMs: 60, pollMs: 20 };
const STATES = ["Available", "Lunch", "Break", "Offline"];
/** The generic phone hook: answers first, reports the change a moment later, as a phone does. */
function phoneHook({ answer = "success" } = {}) {
  const listeners = [];
  const phone = {
    state: "Available",
    answer,
    calls: [],
    change(name) {
      const oldState = phone.state;
      phone.state = name;
      listeners.forEach((cb) => cb({ oldState, newState: name }));
    },
    hook: {
      onStateChange: (cb) => listeners.push(cb),
      getState: () => phone.state,
      getStates: () => STATES,
      setState(name) {
        phone.calls.push(name);
        if (phone.answer === "never") return new Promise(() => {});
        if (phone.answer === "failure") return Promise.reject(JSON.stringify({ type: "InvalidStateException", message: "on a call", stack: [] }));
        if (phone.answer === "slow") return sleep(150).then(() => setTimeout(() => phone.change(name), 5));
        setTimeout(() => phone.change(name), 5);
        return Promise.resolve();
      },
    },
  };
  return phone;
}

/** A softphone page of its own (its window: `extra` first) running a relay. */
function startRelay(channel, phone, options = {}, extra = {}) {
  const warnings = [];
  const page = {
    ...extra,
    crypto: globalThis.crypto,
    console: { warn: (...args) => warnings.push(args.join(" ")), log() {} },
    sforce: { opencti: channel.opencti },
    omnisyncSoftphone: phone?.hook,
  };
  const relay = startRelayModule({ ...FAST, ...options }, page);
  return { relay, warnings };
}

function startHost(channel, options = {}) {
  const seen = [];
  const notes = [];
  const statuses = [];
  const warnings = [];
  const bridge = messageChannelTelephony(channel.port(), {
    timeoutMs: 40, queryMs: 60, lifecycle: null,
    onNote: (kind, message) => notes.push(`${kind}: ${message}`),
    onStatus: (status) => statuses.push(status.text),
    log: { warn: (text) => warnings.push(text) },
    ...options,
  });
  bridge.subscribe((event) => seen.push(event));
  return { bridge, seen, notes, statuses, warnings };
}

const connected = (host) => until(() => host.bridge.status().connected, "the relay to pair and report");

/** A host and a relay over one channel, paired; the relay stops when the test ends. */
async function connectedPair(t, { phone = phoneHook(), relayOptions, hostOptions, channel = lms() } = {}) {
  const host = startHost(channel, hostOptions);
  const { relay, warnings } = startRelay(channel, phone, relayOptions);
  t.after(() => relay.stop());
  await connected(host);
  return { channel, host, relay, warnings, phone };
}

test("pairing: hello, pair, then only signed messages; a snapshot first, heartbeats after", async (t) => {
  const channel = lms();
  const host = startHost(channel);
  assert.equal(host.bridge.status().text, "waiting for the softphone");
  assert.equal(await host.bridge.getState(), null, "no relay: the phone reads as unknown");
  await assert.rejects(host.bridge.setState("Lunch"), { code: "noRelay" });

  const { relay } = startRelay(channel, phoneHook());
  t.after(() => relay.stop());
  await connected(host);
  await until(() => channel.sent("heartbeat").length >= 2, "two heartbeats");
  const [hello] = channel.sent("hello").filter((m) => m.from === "relay");
  assert.match(hello.relay, /^relay-[0-9a-f]{32}$/);
  assert.equal(typeof hello.key, "string");
  const [pair] = channel.sent("pair");
  assert.equal(pair.relay, hello.relay);
  assert.match(pair.host, /^[0-9a-f]{32}$/);
  const [snapshot] = channel.sent("snapshot");
  assert.deepEqual([snapshot.state, snapshot.states, snapshot.source], ["Available", STATES, "softphone"]);
  for (const type of ["paired", "snapshot", "heartbeat"]) {
    for (const message of channel.sent(type)) {
      assert.equal(typeof message.mac, "string", `${type} is signed`);
      assert.equal(message.host, pair.host);
    }
  }
  assert.equal(host.bridge.status().text, "softphone relay: softphone");
  assert.deepEqual(host.notes, ["telephony: softphone relay appeared (softphone)"]);
  assert.deepEqual(host.seen, [], "a snapshot is not a state change");
});

test("a phone change becomes one telephony.stateChanged; getState asks the relay", async (t) => {
  const { channel, host, phone } = await connectedPair(t);
  phone.change("Lunch");
  await until(() => host.seen.length, "a state change");
  assert.equal(channel.sent("changed").length, 1);
  assert.deepEqual({ ...host.seen[0], at: 0 }, { type: "telephony.stateChanged", oldState: "Available", newState: "Lunch", at: 0 });
  assert.equal(await host.bridge.getState(), "Lunch");
  const command = channel.sent("command").at(-1);
  assert.equal(command.method, "getState");
  assert.match(command.id, /^[0-9a-f]{32}$/, "a command id is 128 random bits");
});

test("a host started after the relay says hello, pairs and gets a snapshot", async (t) => {
  const channel = lms();
  const { relay } = startRelay(channel, phoneHook(), { heartbeatMs: 500 });
  t.after(() => relay.stop());
  await sleep(30);
  assert.deepEqual(channel.sent("snapshot"), [], "nothing to report to before a host pairs");
  const host = startHost(channel);
  await connected(host);
  assert.deepEqual(channel.sent("snapshot").map((m) => m.reason), ["paired"]);
});

test("setState: the phone's answer first, the change after; the reply and one change", async (t) => {
  const { channel, host, phone } = await connectedPair(t);
  assert.deepEqual(await host.bridge.setState("Break"), { state: "Break" });
  assert.deepEqual(phone.calls, ["Break"]);
  assert.deepEqual(host.seen, [], "the change comes after the reply");
  await until(() => host.seen.length, "the change");
  assert.deepEqual(host.seen.map((e) => [e.oldState, e.newState]), [["Available", "Break"]]);
  const types = channel.log.filter((m) => ["reply", "changed"].includes(m.type)).map((m) => m.type);
  assert.deepEqual(types, ["reply", "changed"]);
});

test("refusals: a name the phone does not offer, the phone's failure (its message, not the JSON), no answer", async (t) => {
  const { host, phone } = await connectedPair(t);
  await assert.rejects(host.bridge.setState("Gardening"), { code: "unknownState" });
  phone.answer = "failure";
  await assert.rejects(host.bridge.setState("Lunch"), (error) => {
    assert.equal(error.code, "refused");
    assert.equal(error.message, "on a call", "the message inside Streams' error string");
    return true;
  });
  phone.answer = "never";
  await assert.rejects(host.bridge.setState("Lunch"), { code: "timeout" });
  assert.deepEqual(phone.calls, ["Lunch", "Lunch"]);
});

test("a reply that never comes times out on the host's side", async (t) => {
  const channel = lms({ drop: (m) => m.type === "reply" });
  const { host, phone } = await connectedPair(t, { channel });
  await assert.rejects(host.bridge.setState("Lunch"), (error) => {
    assert.equal(error.code, "timeout");
    assert.equal(error.message, "setState: no reply from the softphone relay");
    return true;
  });
  assert.deepEqual(phone.calls, ["Lunch"]);
});

test("a command delivered twice is acted on once: the copy is a replay", async (t) => {
  const { channel, host, phone } = await connectedPair(t);
  await host.bridge.setState("Lunch");
  const command = channel.sent("command").at(-1);
  channel.deliver(command);
  await sleep(60);
  assert.deepEqual(phone.calls, ["Lunch"]);
  assert.equal(channel.sent("reply").filter((r) => r.id === command.id).length, 1);
});

test("a message of another version is refused with one log line on each side, never half-read", async (t) => {
  const { channel, host, phone, warnings } = await connectedPair(t);
  channel.deliver({ kind: "telephony", version: 1, type: "command", id: "c-3", method: "setState", name: "Lunch" });
  channel.deliver({ kind: "telephony", version: 1, type: "changed", relay: "relay-x", oldState: "Available", newState: "Lunch" });
  channel.deliver({ kind: "telephony", version: 1, type: "changed", relay: "relay-x", oldState: "Lunch", newState: "Break" });
  await sleep(40);
  assert.deepEqual(phone.calls, []);
  assert.deepEqual(host.seen, []);
  assert.deepEqual(warnings, [`omnisync relay: telephony message of version 1 refused: this relay speaks version ${TELEPHONY_PROTOCOL}; update the relay and the host together`]);
  assert.deepEqual(host.warnings, [`omnisync: telephony message of version 1 refused: this page speaks version ${TELEPHONY_PROTOCOL}; update the relay and the host together`]);
});

test("a softphone reload: bye on the way out, the new relay pairs at once, nothing moves", async (t) => {
  const channel = lms();
  const host = startHost(channel);
  const phone = phoneHook();
  const first = startRelay(channel, phone).relay;
  await connected(host);
  first.stop(); // as pagehide: the bye signed at pairing
  await until(() => !host.bridge.status().connected, "the bye");
  assert.ok(host.notes.includes("telephony: softphone relay left (the softphone page closed or reloaded)"), host.notes.join("\n"));
  phone.state = "Lunch"; // changed while no relay ran
  const second = startRelay(channel, phone).relay;
  t.after(() => second.stop());
  await connected(host);
  await sleep(40);
  assert.deepEqual(host.seen, [], "a reload moves nothing");
  assert.equal(channel.sent("snapshot").at(-1).state, "Lunch");
  assert.ok(host.notes.some((n) => /returned after a reload of the softphone/.test(n)), host.notes.join("\n"));
  assert.deepEqual(host.statuses, ["softphone relay: softphone", "waiting for the softphone", "softphone relay: softphone"]);
});

test("a reload whose bye is lost: the new relay shows the token its predecessor's hash promised and replaces it at once", async (t) => {
  const channel = lms({ drop: (m) => m.type === "bye" });
  const host = startHost(channel, { queryMs: 5000 });
  const phone = phoneHook();
  const saved = new Map();
  const sessionStorage = { getItem: (k) => saved.get(k) ?? null, setItem: (k, v) => saved.set(k, String(v)) };
  const first = startRelay(channel, phone, {}, { sessionStorage }).relay;
  await connected(host);
  first.stop();
  const second = startRelay(channel, phone, {}, { sessionStorage }).relay;
  t.after(() => second.stop());
  const started = Date.now();
  await until(() => channel.sent("pair").some((m) => m.relay === second.id), "the new relay's pairing", 1000);
  await connected(host);
  assert.ok(Date.now() - started < 1000, "well before a query's 5 s");
  assert.ok(host.notes.includes("telephony: softphone relay left (the softphone page reloaded)"), host.notes.join("\n"));
  // Someone else replaying the token (it is on the channel now) does not displace the new relay.
  const [hello] = channel.sent("hello").filter((m) => m.relay === second.id && m.token);
  const other = startRelay(channel, phoneHook(), {}, { sessionStorage: { getItem: () => JSON.stringify({ relay: first.id, token: hello.token }), setItem() {} } }).relay;
  t.after(() => other.stop());
  await sleep(200);
  assert.equal(channel.sent("pair").filter((m) => m.relay === other.id).length, 0);
});

test("a relay gone silent: noRelay only after a query went unanswered; back when it answers", async () => {
  let mute = false;
  const channel = lms({ drop: (m) => mute && m.from === "relay" });
  const host = startHost(channel);
  const phone = phoneHook();
  const { relay } = startRelay(channel, phone);
  await connected(host);
  mute = true;
  const pingsBefore = channel.sent("ping").length;
  await assert.rejects(host.bridge.setState("Lunch"), { code: "timeout" }, "alive until a query says otherwise: the command went out");
  await until(() => !host.bridge.status().connected, "the silence");
  assert.ok(channel.sent("ping").length > pingsBefore, "the host asked before giving up");
  assert.ok(host.notes.some((n) => /softphone relay silent: no heartbeat for 150 ms and no answer to a query within 60 ms/.test(n)), host.notes.join("\n"));
  const pings = channel.sent("ping").length;
  await assert.rejects(host.bridge.setState("Lunch"), { code: "noRelay" });
  assert.ok(channel.sent("ping").length > pings, "refused noRelay only after another query went unanswered");
  mute = false;
  await connected(host);
  assert.ok(host.notes.includes("telephony: softphone relay returned: it answers again"), host.notes.join("\n"));
  relay.stop();
});

test("heartbeats once a minute (a hidden softphone): queries are answered, no noRelay", async (t) => {
  // Every heartbeat lost stands for timers that run once a minute: the relay answers queries at once.
  const channel = lms({ drop: (m) => m.type === "heartbeat" });
  const { host, phone } = await connectedPair(t, { channel });
  for (let i = 0; i < 4; i += 1) {
    await sleep(250); // past the silence limit (3 x 50 ms, the least interval a host allows)
    assert.equal(host.bridge.status().connected, true);
    await host.bridge.setState(i % 2 ? "Available" : "Lunch");
  }
  assert.equal(phone.calls.length, 4);
  assert.ok(channel.sent("pong").length >= 2, "the host asked, the relay answered");
  assert.ok(!host.notes.some((n) => /silent/.test(n)), host.notes.join("\n"));
});

test("back from hidden or frozen: the host asks the relay before a command goes out", async (t) => {
  const lifecycle = new EventTarget();
  const { channel, host } = await connectedPair(t, { hostOptions: { lifecycle } });
  const before = channel.log.length;
  lifecycle.dispatchEvent(new Event("resume"));
  await host.bridge.setState("Lunch");
  const types = channel.log.slice(before).filter((m) => m.from === "host").map((m) => m.type);
  assert.deepEqual(types.slice(0, 2), ["ping", "command"]);
});

test("notes made before the runtime exists reach its trace when it is attached", async (t) => {
  const { host } = await connectedPair(t);
  const trace = [];
  host.bridge.attach({ note: (kind, message) => trace.push([kind, message]) });
  assert.deepEqual(trace, [["telephony", "softphone relay appeared (softphone)"]]);
});

/** The shipped script loaded in a page of its own: `window` is the context's global. */
function loadBundle(window) {
  const context = vm.createContext({
    setTimeout, clearTimeout, setInterval, clearInterval, TextEncoder, btoa, atob, console: { warn() {} }, ...window,
  });
  vm.runInContext(BUNDLE, context);
  return context;
}

test("the shipped relay never starts a CCP and needs sforce.opencti and Web Crypto", () => {
  assert.doesNotMatch(BUNDLE.replace(/\/\/.*$/gm, "").replace(/\/\*[\s\S]*?\*\//g, ""), /initCCP/);
  const page = loadBundle({});
  assert.equal(page.OmniSyncRelay.version, TELEPHONY_PROTOCOL);
  assert.throws(() => page.OmniSyncRelay.start({}), /sforce\.opencti is missing/);
  const noCrypto = loadBundle({ sforce: { opencti: lms().opencti } });
  assert.throws(() => noCrypto.OmniSyncRelay.start({}), /Web Crypto is missing/);
});

test("the shipped relay starts itself from its script element's data-* and pairs", async (t) => {
  const channel = lms();
  const host = startHost(channel);
  const phone = phoneHook();
  const script = { dataset: { channel: "OmniSyncTelephony__c", heartbeatMs: "60", client: "hook" } };
  const page = loadBundle({
    crypto: globalThis.crypto,
    sforce: { opencti: channel.opencti },
    omnisyncSoftphone: phone.hook,
    omnisyncRelayOptions: { commandTimeoutMs: 60, queryMs: 60, pollMs: 20 },
    document: { currentScript: script, readyState: "complete", getElementById: () => null },
  });
  t.after(() => page.omnisyncRelay.stop());
  await connected(host);
  assert.equal(channel.sent("heartbeat").at(-1).everyMs, 60, "data-heartbeat-ms");
  assert.deepEqual(await host.bridge.setState("Lunch"), { state: "Lunch" });
  assert.deepEqual(phone.calls, ["Lunch"]);
});

// ------------------------------------------------------------------ forgery (issue 22, case 8)

/** A component with the channel's name: reads everything, publishes anything, no key of ours. */
function intruder(channel) {
  const heard = [];
  channel.port().subscribe((m) => heard.push(m));
  return { heard, publish: (m) => channel.deliver(m) };
}

test("forged changed, reply, heartbeat and bye with the sniffed ids are dropped: nothing moves", async (t) => {
  const { channel, host, phone } = await connectedPair(t);
  const spy = intruder(channel);
  const [pair] = channel.sent("pair");
  const ours = { kind: "telephony", version: TELEPHONY_PROTOCOL, from: "relay", relay: pair.relay, host: pair.host, source: "Amazon Connect" };
  const real = channel.sent("heartbeat").at(-1);
  spy.publish({ ...ours, type: "changed", seq: 1e9, oldState: "Available", newState: "Lunch", mac: real.mac });
  spy.publish({ ...ours, type: "changed", oldState: "Available", newState: "Lunch" });
  spy.publish({ ...ours, type: "heartbeat", seq: 1e9, everyMs: 3e9, replyWithinMs: 3e9, mac: real.mac });
  spy.publish({ ...ours, type: "bye", mac: real.mac });
  // A reply to the next command, raced with the sniffed id.
  const command = host.bridge.setState("Break");
  await until(() => spy.heard.some((m) => m.type === "command"), "the command");
  const { id } = spy.heard.find((m) => m.type === "command");
  spy.publish({ ...ours, type: "reply", seq: 1e9, id, ok: false, error: { code: "refused", message: "forged" }, mac: real.mac });
  assert.deepEqual(await command, { state: "Break" }, "the relay's own reply, not the forged one");
  await sleep(50);
  assert.deepEqual(host.seen.map((e) => e.newState), ["Break"], "only the phone's real change");
  assert.equal(host.bridge.status().connected, true, "the forged bye changed nothing");
  const dropped = host.bridge.dropped();
  assert.equal(dropped.badSignature, 4);
  assert.equal(dropped.unsigned, 1);
  assert.deepEqual(phone.calls, ["Break"]);
});

test("a forged command, unsigned or replayed, never reaches the phone", async (t) => {
  const { channel, phone, host } = await connectedPair(t);
  const [pair] = channel.sent("pair");
  await host.bridge.setState("Lunch");
  const real = channel.sent("command").at(-1);
  const forged = { ...real, name: "Offline", id: "f".repeat(32) };
  channel.deliver(forged); // signature no longer matches
  channel.deliver({ ...forged, mac: undefined, seq: real.seq + 1 });
  channel.deliver({ kind: "telephony", version: TELEPHONY_PROTOCOL, type: "command", from: "host", host: pair.host, relay: pair.relay, id: "x", method: "setState", name: "Offline" });
  await sleep(60);
  assert.deepEqual(phone.calls, ["Lunch"]);
});

test("a second relay claiming the pairing is reported and ignored; the paired one keeps working", async (t) => {
  const { channel, host, phone } = await connectedPair(t);
  const other = startRelay(channel, phoneHook()).relay;
  t.after(() => other.stop());
  await until(() => host.notes.some((n) => /second softphone relay claimed the pairing/.test(n)), "the report");
  assert.equal(host.warnings.filter((w) => /second softphone relay/.test(w)).length, 1);
  await host.bridge.setState("Lunch");
  assert.deepEqual(phone.calls, ["Lunch"], "commands go to the paired relay only");
  assert.equal(channel.sent("pair").length, 1);
});

test("a foreign page that pairs with the relay first: the console page says so", async (t) => {
  const channel = lms();
  const { relay } = startRelay(channel, phoneHook());
  t.after(() => relay.stop());
  const foreign = startHost(channel);
  await connected(foreign);
  const host = startHost(channel);
  await until(() => host.bridge.status().text === "waiting for the softphone (it is paired with another console page)", "the status");
  assert.ok(host.notes.includes("telephony: the softphone relay is paired with another console page"));
  await assert.rejects(host.bridge.setState("Lunch"), { code: "noRelay" });
});

test("peer durations are clamped: replyWithinMs 3e9 does not make every command time out at once", async (t) => {
  const phone = phoneHook({ answer: "slow" });
  const { host } = await connectedPair(t, { phone, relayOptions: { commandTimeoutMs: 3e9, heartbeatMs: 3e9 } });
  assert.deepEqual(await host.bridge.setState("Lunch"), { state: "Lunch" });
});
