// The bridge's helper wired to the real engine: the wasm runtime (pkg/node, built by
// scripts/build-wasm.sh) behind the real messageChannelHost of www/omnisync.js, over
// a MessageChannel, as between the bridge and the OmniSyncHost page it frames.
const fs = require("fs");
const path = require("path");
const util = require("util");
const nodeCrypto = require("crypto");

// jsdom (the preset's environment) lacks what the node glue and the shim use.
global.TextDecoder ??= util.TextDecoder;
global.TextEncoder ??= util.TextEncoder;
if (!global.crypto?.getRandomValues) global.crypto = nodeCrypto.webcrypto;
// Leadership between tabs: without Web Locks the runtime uses a BroadcastChannel heartbeat.
global.BroadcastChannel ??= require("worker_threads").BroadcastChannel;
// jsdom has no MessageChannel: node's, whose ports are closed after each test.
const { MessageChannel } = require("worker_threads");
const open = [];

const ROOT = path.join(__dirname, "../../../../../../..");
const BUNDLE = path.join(__dirname, "..");
const load = (file) => new Function(`return (${fs.readFileSync(path.join(BUNDLE, file), "utf8")}\n);`)();
const helper = load("OmniSyncBridgeHelper.js");
const controller = load("OmniSyncBridgeController.js");

// The shim's loader imports the browser glue; only messageChannelHost is used here.
jest.mock("../../../../../../../www/pkg/omnisync.js", () => ({ __esModule: true, default: async () => {}, OmniSync: null }));
const { messageChannelHost } = require("../../../../../../../www/omnisync.js");
const { OmniSync } = require(path.join(ROOT, "pkg/node/omnisync.js"));

const AVAILABLE = "0N5Hs0000001AvlKAE";
const LUNCH = "0N5Hs0000004LunKAE";
// The smallest rules that sync both ways, and the org's catalog they are resolved against.
const RULES = JSON.stringify({
  version: 1,
  statuses: [
    { id: AVAILABLE, developerName: "Available" },
    { id: LUNCH, developerName: "Lunch", online: false },
  ],
  telephony: { system: "amazon-connect", states: ["Available", "Lunch"] },
  mappings: {
    telephonyToOmni: [{ telephony: "Lunch", omni: "Lunch" }, { telephony: "Available", omni: "Available" }],
    omniToTelephony: [{ omni: "Lunch", telephony: "Lunch" }, { omni: "Available", telephony: "Available" }],
  },
});
const CATALOG = [
  { Id: AVAILABLE, DeveloperName: "Available", MasterLabel: "Available" },
  { Id: LUNCH, DeveloperName: "Lunch", MasterLabel: "Lunch" },
];
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(predicate, what) {
  for (let i = 0; i < 200; i++) {
    if (predicate()) return;
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Both directions of the port, in order, as the test reads them. */
function bus() {
  return { log: [] };
}

function page({ channel }) {
  const lms = bus();
  const toolkit = {
    setServicePresenceStatus: jest.fn(async ({ statusId }) => ({ statusId })),
    login: jest.fn(async () => true),
    getServicePresenceStatusId: jest.fn(async () => ({ statusId: AVAILABLE, statusName: "Available", statusApiName: "Available" })),
    getAgentWorkload: jest.fn(async () => ({ configuredCapacity: 4, currentWorkload: 0 })),
    logout: jest.fn(async () => true),
  };
  const attributes = { "v.handledIds": [] };
  const component = {
    isValid: () => true,
    get: (key) => attributes[key],
    set: (key, value) => {
      attributes[key] = value;
    },
    find: (id) => ({ omniToolkit: toolkit })[id],
  };
  // The bridge keeps one end of the channel, the host gets the other; the log sees both ways.
  const { port1, port2 } = new MessageChannel();
  open.push(port1, port2);
  const relay = helper.relay(component);
  relay.port = { postMessage: (m) => { lms.log.push(m); port1.postMessage(m); }, close: () => port1.close() };
  port1.onmessage = (event) => { lms.log.push(event.data); helper.fromHost(component, event.data); };
  const host = messageChannelHost(port2);
  const telephony = { subscribe: () => {}, getState: async () => "Available", setState: async () => {} };
  const runtime = OmniSync.start({ rules: RULES, catalog: CATALOG, host, telephony, reconcileMs: 0, channel });
  return { lms, toolkit, component, host, runtime, hostPort: port2 };
}

beforeEach(() => {
  global.$A = { getCallback: (callback) => callback };
});

afterEach(() => {
  delete global.$A;
  open.splice(0).forEach((port) => port.close());
});

jest.setTimeout(30000);

describe("with the engine", () => {
  it("a connection error event reaches the engine and a relogin follows", async () => {
    const { lms, toolkit, component, runtime } = page({ channel: "jest-connection-error" });
    try {
      await until(() => runtime.isLeader() && runtime.state().omni.loggedIn, "the engine to lead and read Omni-Channel");
      expect(toolkit.login).not.toHaveBeenCalled();

      controller.onConnectionError(component, { getParams: () => ({}) }, helper);

      await until(() => toolkit.login.mock.calls.length > 0, "a login command");
      expect(lms.log.some((m) => m.kind === "event" && m.event.type === "omni.connectionError")).toBe(true);
      expect(toolkit.login.mock.calls).toEqual([[{ statusId: AVAILABLE }]]);
      const relogin = runtime.trace().find((entry) => entry.kind === "relogin");
      expect(relogin.message).toBe("Omni-Channel connection error: logging the agent back in");
      expect(runtime.trace().some((entry) => entry.kind === "refused")).toBe(false);
    } finally {
      runtime.stop();
    }
  });

  it("a command outside the allow-list gets commandNotAllowed from the bridge and the toolkit is not called", async () => {
    const { lms, toolkit, host, runtime, hostPort } = page({ channel: "jest-not-allowed" });
    try {
      await until(() => runtime.isLeader(), "the engine to lead");
      // A command the engine never issues, on the host's end of the port.
      hostPort.postMessage({ kind: "command", id: "forged", method: "logout", args: [] });
      await until(() => lms.log.some((m) => m.kind === "reply" && m.id === "forged"), "the refusal");
      const reply = lms.log.find((m) => m.kind === "reply" && m.id === "forged");
      expect(reply.ok).toBe(false);
      expect(reply.error.code).toBe("commandNotAllowed");
      expect(toolkit.logout).not.toHaveBeenCalled();
      // The host never issued that id: it drops the reply and counts it.
      await until(() => host.dropped().replies === 1, "the dropped reply to be counted");
    } finally {
      runtime.stop();
    }
  });
});
