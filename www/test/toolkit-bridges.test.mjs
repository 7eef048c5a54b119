// The bridges the shim builds against the engine's table of the methods it calls
// (src/toolkit.rs, written out to schema/toolkit.json and kept equal to it by the
// native tests): every host bridge has every Omni-Channel method of the table, every
// telephony bridge every telephony one, each taking the table's argument; and the host
// bridges pass the call on under the same name (the message channel's `method` is the
// one the Aura bridge's allow-list checks).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as shim from "../omnisync.js";

const TOOLKIT = JSON.parse(readFileSync(new URL("../../schema/toolkit.json", import.meta.url), "utf8"));
const of = (bridge) => TOOLKIT.commands.filter((c) => c.bridge === bridge);

/** A client answering any method: records the name and resolves. */
function recorder(calls, answer = () => Promise.resolve({})) {
  return new Proxy({}, {
    get: (_, name) => (name === "then" ? undefined : (...args) => {
      calls.push(name);
      return answer(args);
    }),
  });
}

/** Every bridge the shim builds, by its factory's name, with the calls it passed on. */
function bridges() {
  const built = {};
  const lightning = [];
  built.lightningHost = { bridge: shim.lightningHost(recorder(lightning)), calls: lightning };
  const classic = [];
  const sforce = {
    console: {
      presence: recorder(classic, (args) => args.at(-1)({ success: true, statusId: "0N5" })),
      ConsoleEvent: { PRESENCE: {} },
      addEventListener: () => {},
    },
  };
  built.classicHost = { bridge: shim.classicHost(sforce), calls: classic };
  const channel = [];
  const port = { subscribe: () => {}, postMessage: (message) => channel.push(message.method) };
  built.messageChannelHost = { bridge: shim.messageChannelHost(port, { timeoutMs: 5 }), calls: channel };
  built.connectTelephony = { bridge: shim.connectTelephony({ agent: () => {} }, { pollMs: 60000 }) };
  built.softphoneTelephony = { bridge: shim.softphoneTelephony({ onStateChange: () => {} }) };
  // Any phone adapter of www/phones/ (the contract's shape, doing nothing).
  const phone = { onChange: () => {}, start: () => {}, read: async () => null, set: async (name) => ({ state: name }) };
  built.phoneTelephony = { bridge: shim.phoneTelephony(phone) };
  const relay = { subscribe: () => {}, postMessage: () => {} };
  built.messageChannelTelephony = { bridge: shim.messageChannelTelephony(relay, { lifecycle: null }) };
  return built;
}

test("the table names the methods of both bridges", () => {
  assert.ok(of("omni").length >= 6, JSON.stringify(TOOLKIT));
  assert.ok(of("telephony").length >= 2, JSON.stringify(TOOLKIT));
});

test("every bridge the shim builds has each method of its side, taking the table's argument", () => {
  const built = bridges();
  // A new bridge factory in the shim must be added here to be checked.
  const factories = Object.keys(shim).filter((name) => /(Host|Telephony)$/.test(name) && typeof shim[name] === "function");
  assert.deepEqual(factories.sort(), Object.keys(built).sort());
  try {
    for (const [name, { bridge }] of Object.entries(built)) {
      for (const command of of(name.endsWith("Host") ? "omni" : "telephony")) {
        const method = bridge[command.method];
        assert.equal(typeof method, "function", `${name} has no ${command.method}`);
        assert.equal(method.length, command.arg === null ? 0 : 1, `${name}.${command.method} takes ${command.arg ?? "nothing"}`);
      }
    }
  } finally {
    built.messageChannelTelephony.bridge.close?.();
  }
});

test("the host bridges pass each method on under its own name", async () => {
  const built = bridges();
  built.messageChannelTelephony.bridge.close?.();
  for (const name of ["lightningHost", "classicHost", "messageChannelHost"]) {
    const { bridge, calls } = built[name];
    for (const command of of("omni")) {
      const args = command.arg === null ? [] : ["0N5xx0000000002AAA"];
      await bridge[command.method](...args).catch(() => {});
    }
    assert.deepEqual(calls, of("omni").map((c) => c.method), name);
  }
});
