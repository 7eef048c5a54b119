// The host bridges' reads: the status read tells "not logged in" (null) from "the read
// failed" (a rejection with a code) in Lightning, Classic and over a message channel;
// works and status channels are read in both shapes the Omni-Channel guide documents;
// and a Classic status read that fails, run through the runtime, leaves the agent
// logged in, is traced and is asked again.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { setTimeout as sleep } from "node:timers/promises";
import { classicHost, lightningHost, messageChannelHost } from "../omnisync.js";

const require = createRequire(import.meta.url);
const { OmniSync } = require("../../pkg/node/omnisync.js");
const rules = readFileSync(new URL("../../examples/cti-four-row.json", import.meta.url), "utf8");
// The example names its statuses only; the example org's catalog gives their Ids.
const catalog = JSON.parse(readFileSync(new URL("../../examples/org-statuses.json", import.meta.url), "utf8"));
const AVAILABLE = "0N5Hs0000001AvlKAE";

test("Lightning: a 'not logged in' rejection is null, any other rejection fails with a code", async () => {
  let answer = () => Promise.reject(new Error("The agent is not logged in"));
  const host = lightningHost({
    getServicePresenceStatusId: () => answer(),
    getServicePresenceStatusChannels: async () => ({ channels: "[]" }),
    getAgentWorks: async () => [{ workItemId: "500a", workId: "0Bza", isEngaged: true }],
  });
  assert.equal(await host.getServicePresenceStatusId(), null);
  answer = () => Promise.reject(new Error("Omni-Channel is not ready"));
  await assert.rejects(host.getServicePresenceStatusId(), (err) => err.code === "readFailed");
  assert.deepEqual(await host.getServicePresenceStatusChannels(), { channels: "[]" });
  assert.equal((await host.getAgentWorks())[0].workId, "0Bza");
});

/** A Classic `sforce` whose presence methods answer with `answers[method]`. */
function classic(answers) {
  return {
    console: {
      ConsoleEvent: { PRESENCE: {} },
      addEventListener: () => {},
      presence: Object.fromEntries(Object.entries(answers).map(([method, answer]) =>
        [method, (cb) => cb(typeof answer === "function" ? answer() : answer)])),
    },
  };
}

test("Classic: success without a status is null; success false is a failed read, never a logout", async () => {
  const loggedOut = classicHost(classic({ getServicePresenceStatusId: { success: true } }));
  assert.equal(await loggedOut.getServicePresenceStatusId(), null);
  const said = classicHost(classic({ getServicePresenceStatusId: { success: false, errorMessage: "User is not logged in to Omni-Channel" } }));
  assert.equal(await said.getServicePresenceStatusId(), null);
  const failed = classicHost(classic({
    getServicePresenceStatusId: { success: false },
    getAgentWorks: { success: true, works: "[{\"workItemId\":\"500a\",\"workId\":\"0Bza\",\"isEngaged\":false}]" },
    getServicePresenceStatusChannels: { success: true, channels: "[]" },
  }));
  await assert.rejects(failed.getServicePresenceStatusId(), (err) => err.code === "rejected");
  assert.equal(JSON.parse((await failed.getAgentWorks()).works)[0].workId, "0Bza");
  assert.equal((await failed.getServicePresenceStatusChannels()).channels, "[]");
});

test("message channel: works and channels are commands; a 'not logged in' reply is null", async () => {
  const sent = [];
  const handlers = [];
  const host = messageChannelHost({ subscribe: (h) => handlers.push(h), postMessage: (m) => sent.push(m) });
  const works = host.getAgentWorks();
  const channels = host.getServicePresenceStatusChannels();
  const status = host.getServicePresenceStatusId();
  assert.deepEqual(sent.map((m) => m.method), ["getAgentWorks", "getServicePresenceStatusChannels", "getServicePresenceStatusId"]);
  const reply = (i, rest) => handlers.forEach((h) => h({ kind: "reply", id: sent[i].id, ...rest }));
  reply(0, { ok: true, result: { works: "[]" } });
  reply(1, { ok: true, result: { channels: "[]" } });
  reply(2, { ok: false, error: { code: "rejected", message: "The agent is not logged in" } });
  assert.deepEqual(await works, { works: "[]" });
  assert.deepEqual(await channels, { channels: "[]" });
  assert.equal(await status, null);
});

test("runtime: a failed Classic status read leaves the agent logged in, is traced and retried", async () => {
  let statusAnswer = () => ({ success: true, statusId: AVAILABLE, statusName: "Available", statusApiName: "Available" });
  let statusReads = 0;
  const sforce = classic({
    getServicePresenceStatusId: () => { statusReads += 1; return statusAnswer(); },
    getServicePresenceStatusChannels: { success: true, channels: "[{\"channelId\":\"0N9a\",\"developerName\":\"Cases\"}]" },
    getAgentWorkload: { success: true, configuredCapacity: 4, currentWorkload: 1 },
    getAgentWorks: { success: true, works: "[{\"workItemId\":\"500a\",\"workId\":\"0Bza\",\"isEngaged\":true}]" },
  });
  const telephony = { subscribe: () => {}, setState: async () => {}, getState: async () => "Available" };
  const runtime = OmniSync.start({ rules, catalog, host: classicHost(sforce), telephony, reconcileMs: 300, channel: "reads1", storage: null });
  try {
    for (let i = 0; i < 40 && !runtime.state().omni.loggedIn; i++) await sleep(50);
    const state = runtime.state();
    assert.equal(state.omni.loggedIn, true);
    assert.deepEqual(state.omni.channels, [{ channelId: "0N9a", developerName: "Cases" }], "channels read at start-up");
    assert.equal(state.works["0Bza"].status, "Opened", "works read at start-up");
    statusAnswer = () => ({ success: false });
    const before = statusReads;
    for (let i = 0; i < 60 && !runtime.trace().some((t) => t.kind === "readFailed"); i++) await sleep(50);
    const failure = runtime.trace().find((t) => t.kind === "readFailed");
    assert.ok(failure, "the failed read is traced");
    assert.match(failure.message, /getServicePresenceStatusId failed \(rejected\)/);
    assert.equal(runtime.state().omni.loggedIn, true, "a failed read is not a logout");
    assert.ok(!runtime.trace().some((t) => t.kind === "decision" && /omni\.logout/.test(t.message)));
    for (let i = 0; i < 60 && statusReads < before + 3; i++) await sleep(50);
    assert.ok(statusReads >= before + 2, "the read is asked again");
  } finally {
    runtime.stop();
  }
});

test("runtime: reconcile() reads both sides at once, between periodic reconciles", async () => {
  let statusReads = 0;
  let phoneReads = 0;
  const sforce = classic({
    getServicePresenceStatusId: () => { statusReads += 1; return { success: true, statusId: AVAILABLE, statusName: "Available", statusApiName: "Available" }; },
    getServicePresenceStatusChannels: { success: true, channels: "[]" },
    getAgentWorkload: { success: true, configuredCapacity: 4, currentWorkload: 0 },
    getAgentWorks: { success: true, works: "[]" },
  });
  const telephony = { subscribe: () => {}, setState: async () => {}, getState: async () => { phoneReads += 1; return "Available"; } };
  // No periodic reconcile: only the start-up read and the ones asked for.
  const runtime = OmniSync.start({ rules, catalog, host: classicHost(sforce), telephony, channel: "reads2", storage: null });
  try {
    for (let i = 0; i < 40 && !runtime.state().omni.loggedIn; i++) await sleep(50);
    await sleep(100);
    const [status, phone] = [statusReads, phoneReads];
    runtime.reconcile();
    for (let i = 0; i < 40 && (statusReads === status || phoneReads === phone); i++) await sleep(25);
    assert.equal(statusReads, status + 1, "Omni-Channel read once more");
    assert.equal(phoneReads, phone + 1, "the phone read once more");
  } finally {
    runtime.stop();
  }
});
