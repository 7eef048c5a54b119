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
import { loadStreams } from "./streams-build.mjs";

const { OmniSync } = createRequire(import.meta.url)("../../pkg/node/omnisync.js");
const PACKAGER = new URL("../../scripts/package-sf.mjs", import.meta.url);

test("the build read here is the one the package ships", () => {
  assert.match(fs.readFileSync(PACKAGER, "utf8"), /amazon-connect-streams\/release\/connect-streams-min\.js/);
});

test("every agent state of the shipped Streams build but Init is a system state of the engine", () => {
  const { connect } = loadStreams();
  const names = [...Object.values(connect.AgentAvailStates), ...Object.values(connect.AgentErrorStates)];
  assert.ok(names.length >= 20, names.join());
  assert.ok(names.includes("Init"));
  const engine = OmniSync.systemStates();
  const unknown = names.filter((name) => name !== "Init" && !engine.includes(name));
  assert.deepEqual(unknown, [], `states Streams defines that the engine does not know: ${unknown.join(", ")}`);
  assert.ok(!engine.includes("Init"), "Init is no state: not a system state either");
});
