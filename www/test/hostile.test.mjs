// Hostile values (throwing getters, throwing Proxies) at every entry point of the JS
// API leave nothing poisoned: the driver is www/test/hostile.mjs, shared with the wasm
// tests in node and Chromium.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { setTimeout as sleep } from "node:timers/promises";
import { hostileChecks } from "./hostile.mjs";
import { feed } from "../events.js";

const require = createRequire(import.meta.url);
const { OmniSync } = require("../../pkg/node/omnisync.js");

test("no hostile value poisons an instance, another instance or a running runtime", async () => {
  const summary = await hostileChecks(OmniSync, (ms) => sleep(ms), feed);
  assert.ok(summary.refused > 300, `refused ${summary.refused} hostile calls`);
  assert.ok(summary.hostileEvents > 40);
});
