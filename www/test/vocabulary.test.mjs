// One vocabulary: the event names and telephony system states are the engine's
// (`OmniSync.eventNames()`, `OmniSync.systemStates()`). Where a copy must exist (the
// Aura bridge cannot load wasm, so its controller names the events it forwards), it is
// compared with the engine's list here; the demo server takes the engine's list.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const { OmniSync } = createRequire(import.meta.url)("../../pkg/node/omnisync.js");
const AURA = new URL("../../lwc-wrapper/core/main/default/aura/OmniSyncBridge/", import.meta.url);
/** Forwarded by the bridge but not an engine event: the runtime turns it into a relogin. */
const CONNECTION_ERROR = "omni.connectionError";

test("the Aura bridge forwards exactly the engine's Omni-Channel events", () => {
  const controller = readFileSync(new URL("OmniSyncBridgeController.js", AURA), "utf8");
  const forwarded = [...controller.matchAll(/forwardEvent\(component, "([^"]+)"/g)].map((m) => m[1]);
  const engine = OmniSync.eventNames().filter((name) => name.startsWith("omni."));
  assert.ok(engine.length >= 8, engine.join());
  assert.deepEqual(forwarded.filter((name) => name !== CONNECTION_ERROR).sort(), engine.sort());
  assert.ok(forwarded.includes(CONNECTION_ERROR));
  // Each forwarded event has its Lightning handler in the component, and the engine
  // reads the Lightning name as the name forwarded.
  const component = readFileSync(new URL("OmniSyncBridge.cmp", AURA), "utf8");
  const handlers = [...component.matchAll(/event="lightning:(omniChannel\w+)" action="\{!c\.(\w+)\}"/g)];
  assert.equal(handlers.length, forwarded.length);
  const rules = {
    version: 1,
    statuses: [{ id: "0N5Hs0000001AAAAA1", developerName: "Available", online: true }],
    telephony: { system: "amazon-connect", states: ["Available"] },
    rules: [],
  };
  const payload = {
    statusId: "0N5Hs0000001AAAAA1", statusApiName: "Available", workItemId: "0MwHs0000000001AAA",
    workId: "0BzHs0000000001AAA", configuredCapacity: 2, previousWorkload: 0, newWorkload: 1, at: 1,
  };
  for (const [, lightning, action] of handlers) {
    const body = controller.slice(controller.indexOf(`${action}:`));
    const name = body.match(/forwardEvent\(component, "([^"]+)"/)[1];
    if (name === CONNECTION_ERROR) continue;
    const read = new OmniSync(rules).handle({ ...payload, type: `lightning:${lightning}` }).trace().event;
    assert.equal(read, name, `lightning:${lightning} -> ${action} forwards ${name}`);
  }
});

test("the demo server's telephony system states are the engine's", async () => {
  const server = spawn(process.execPath, ["scripts/serve.mjs", "--port", "0"], {
    cwd: new URL("../..", import.meta.url), stdio: ["ignore", "pipe", "pipe"],
  });
  try {
    const origin = await new Promise((resolve, reject) => {
      let out = "";
      server.stdout.on("data", (chunk) => {
        out += chunk;
        const match = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)\//);
        if (match) resolve(match[1]);
      });
      server.on("exit", (code) => reject(new Error(`serve.mjs exited (${code})`)));
    });
    const state = await (await fetch(`${origin}/api/state`)).json();
    assert.deepEqual(state.catalog.systemStates, OmniSync.systemStates());
  } finally {
    server.kill();
  }
});
