// The engine knows every agent state the shipped Amazon Connect Streams build defines:
// the build `npm run package:sf` puts in the amazonConnectStreams static resource
// (node_modules/amazon-connect-streams/release/connect-streams-min.js) is evaluated, as
// it is, in a context with just enough of a browser for it to load, and its
// connect.AgentAvailStates and connect.AgentErrorStates are read from it. Each is a
// system state of the engine (readable, never settable), except "Init", Streams' "no
// state yet", which the engine does not know at all (docs/rules.md, "telephony").
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { createRequire } from "node:module";
import vm from "node:vm";

const { OmniSync } = createRequire(import.meta.url)("../../pkg/node/omnisync.js");
const SHIPPED = new URL("../../node_modules/amazon-connect-streams/release/connect-streams-min.js", import.meta.url);
const PACKAGER = new URL("../../scripts/package-sf.mjs", import.meta.url);

/** Streams, evaluated unmodified; the browser it sees is only what it touches while loading. */
function loadStreams() {
  const noop = () => {};
  const element = () => ({ style: {}, dataset: {}, setAttribute: noop, appendChild: noop, addEventListener: noop });
  const storage = () => {
    const values = new Map();
    return { getItem: (k) => values.get(k) ?? null, setItem: (k, v) => values.set(k, String(v)), removeItem: (k) => values.delete(k) };
  };
  const window = {
    document: {
      createElement: element, getElementById: () => null, querySelector: () => null, querySelectorAll: () => [],
      addEventListener: noop, body: element(), head: element(), cookie: "", readyState: "complete",
    },
    navigator: { userAgent: "node", mediaDevices: {} },
    location: { href: "https://example.test/", origin: "https://example.test", protocol: "https:", hostname: "example.test" },
    localStorage: storage(), sessionStorage: storage(), addEventListener: noop, removeEventListener: noop,
    setTimeout, clearTimeout, setInterval, clearInterval, performance, crypto: globalThis.crypto, URL, TextEncoder, TextDecoder,
    console: { log: noop, info: noop, warn: noop, error: noop, debug: noop },
  };
  Object.assign(window, { window, self: window, top: window, parent: window, globalThis: window });
  vm.runInContext(fs.readFileSync(SHIPPED, "utf8"), vm.createContext(window));
  return window.connect;
}

test("the build read here is the one the package ships", () => {
  assert.match(fs.readFileSync(PACKAGER, "utf8"), /amazon-connect-streams\/release\/connect-streams-min\.js/);
});

test("every agent state of the shipped Streams build but Init is a system state of the engine", () => {
  const connect = loadStreams();
  const names = [...Object.values(connect.AgentAvailStates), ...Object.values(connect.AgentErrorStates)];
  assert.ok(names.length >= 20, names.join());
  assert.ok(names.includes("Init"));
  const engine = OmniSync.systemStates();
  const unknown = names.filter((name) => name !== "Init" && !engine.includes(name));
  assert.deepEqual(unknown, [], `states Streams defines that the engine does not know: ${unknown.join(", ")}`);
  assert.ok(!engine.includes("Init"), "Init is no state: not a system state either");
});
