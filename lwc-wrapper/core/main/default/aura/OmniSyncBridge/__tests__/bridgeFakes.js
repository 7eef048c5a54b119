// What the Aura bridge's tests share (omniSyncBridge.test.js, the messages it relays;
// omniSyncBridge.host.test.js, the host's frame, the work channel and the markup).
// Aura has no module system, so each file is read as text and evaluated into its object
// literal, then driven with fake components, events and toolkit; $A.getCallback is an
// identity shim, installed around each test of a file that calls useAura().
const fs = require("fs");
const path = require("path");

const BUNDLE = path.join(__dirname, "..");
const NOW = 1700000000000;

const load = (file) => new Function(`return (${fs.readFileSync(path.join(BUNDLE, file), "utf8")}\n);`)();
const helper = load("OmniSyncBridgeHelper.js");
const controller = load("OmniSyncBridgeController.js");

// The eight Lightning events, the controller action handling each, the normalised
// type and a payload as the Omni-Channel console sends it: rows of
// [Lightning event, controller action, type, payload].
const EVENTS = require("./data/lightningEvents.json");

// The six toolkit methods the engine issues, the args each command carries and what
// the toolkit resolves with (shapes from the Omni-Channel Developer Guide): rows of
// [method, args, result].
const COMMANDS = require("./data/toolkitCommands.json");

// Toolkit methods the engine never issues (logout only for a rule that asks for it,
// which these tests' bridges have not read): the bridge must not run them for anyone.
const NOT_ISSUED = ["logout", "acceptAgentWork", "declineAgentWork", "closeAgentWork"];

const resolving = (value) => jest.fn(() => Promise.resolve(value));

// A toolkit whose ten methods resolve with the results above, plus functions that no
// command may reach.
function fakeToolkit() {
  const toolkit = { destroy: jest.fn(), get: jest.fn(), toString: jest.fn() };
  for (const [method, , result] of COMMANDS) toolkit[method] = resolving(result);
  for (const method of NOT_ISSUED) toolkit[method] = resolving(true);
  return toolkit;
}

// A bridge whose host frame has loaded: its port records what is sent.
function fakeComponent(toolkit) {
  const attributes = { "v.handledIds": [] };
  const port = { postMessage: jest.fn(), close: jest.fn() };
  const component = {
    port,
    valid: true,
    find: (auraId) => ({ omniToolkit: toolkit })[auraId],
    get: (key) => attributes[key],
    set: (key, value) => {
      attributes[key] = value;
    },
    isValid() {
      return this.valid;
    },
  };
  helper.relay(component).port = port;
  return component;
}

const fakeEvent = (params) => ({ getParams: () => params });

// What the host sends arrives on the bridge's port.
const receive = (component, payload) => helper.fromHost(component, payload);
const published = (component) => component.port.postMessage.mock.calls.map(([message]) => message);
const flush = () => new Promise((resolve) => setTimeout(resolve, 0));
const toolkitCalls = (toolkit) => Object.values(toolkit).reduce((count, fn) => count + fn.mock.calls.length, 0);

/** Around each test of the calling file: Aura's $A and a fixed clock. */
function useAura() {
  beforeEach(() => {
    global.$A = { getCallback: (callback) => callback };
    jest.spyOn(Date, "now").mockReturnValue(NOW);
  });
  afterEach(() => {
    jest.restoreAllMocks();
    delete global.$A;
  });
}

module.exports = {
  BUNDLE, NOW, helper, controller, EVENTS, COMMANDS, NOT_ISSUED, resolving, fakeToolkit, fakeComponent, fakeEvent,
  receive, published, flush, toolkitCalls, useAura,
};
