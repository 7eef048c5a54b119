// A logoutOmni rule through the browser runtime, over the demo's simulated systems:
// the phone going Offline makes the runtime call the host bridge's logout (the method
// of the engine's toolkit table, with no argument) once, and the logout event that
// follows is its echo, not an agent change.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { setTimeout as sleep } from "node:timers/promises";
import { createOmni, hostBridge } from "../demo/sim/omni.js";
import { createPhone, telephonyBridge } from "../demo/sim/phone.js";

const require = createRequire(import.meta.url);
const { OmniSync } = require("../../pkg/node/omnisync.js");
const rules = readFileSync(new URL("../../tests/fixtures/logout/rules.json", import.meta.url), "utf8");
const AVAILABLE = "0N5Hs0000001AvlKAE";

test("the phone going Offline logs the agent out of Omni-Channel once", async () => {
  const omni = createOmni({ statuses: [{ id: AVAILABLE, developerName: "Available", label: "Available" }], statusId: AVAILABLE });
  const phone = createPhone({ states: ["Available", "Offline"], state: "Available" });
  const logouts = [];
  const host = {
    ...hostBridge(omni),
    logout: async (...args) => {
      logouts.push(args);
      omni.logout();
      return true;
    },
  };
  const runtime = OmniSync.start({ rules, host, telephony: telephonyBridge(phone), reconcileMs: 0, channel: "logout-1" });
  try {
    for (let i = 0; i < 40 && !runtime.isLeader(); i++) await sleep(100);
    assert.ok(runtime.isLeader(), "the only tab leads");
    phone.change("Offline");
    await sleep(100);
    assert.deepEqual(logouts, [[]], "logout called once, with no argument");
    assert.equal(omni.isLoggedIn(), false);
    const stats = runtime.stats();
    assert.equal(stats.actions, 1);
    assert.equal(stats.echoes, 1, "the logout event is the action's echo");
    // The rule on omni.logout did not run for the echo: the phone was not written to.
    assert.equal(phone.state(), "Offline");
    const decided = runtime.trace().filter((t) => t.kind === "decision").flatMap((t) => t.decision.actions);
    assert.deepEqual(decided, [{ type: "logoutOmni", rule: "phone offline logs out of Omni" }]);
  } finally {
    runtime.stop();
  }
});
