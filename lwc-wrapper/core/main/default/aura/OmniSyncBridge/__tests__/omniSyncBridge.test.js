// Tests for the Aura bridge's helper and controller. Aura has no module system, so
// each file is read as text and evaluated into its object literal, then driven with
// fake components, events and toolkit; $A.getCallback is an identity shim.
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

beforeEach(() => {
  global.$A = { getCallback: (callback) => callback };
  jest.spyOn(Date, "now").mockReturnValue(NOW);
});

afterEach(() => {
  jest.restoreAllMocks();
  delete global.$A;
});

describe("events", () => {
  it.each(EVENTS)("%s is handled by %s and forwarded as %s with its full payload", (lightningName, action, type, params) => {
    const component = fakeComponent(fakeToolkit());
    const fakeHelper = { forwardEvent: jest.fn() };
    const event = fakeEvent(params);

    // The controller picks the type, the helper builds the message.
    controller[action](component, event, fakeHelper);
    expect(fakeHelper.forwardEvent).toHaveBeenCalledWith(component, type, event);
    helper.forwardEvent(component, type, event);

    expect(published(component)).toEqual([{ kind: "event", event: { ...params, type, at: NOW } }]);
  });

  it("keeps workload values as sent (the engine parses numeric strings)", () => {
    const component = fakeComponent(fakeToolkit());
    helper.forwardEvent(component, "omni.workloadChanged", fakeEvent({ configuredCapacity: "10", previousWorkload: 2, newWorkload: "3" }));
    expect(published(component)[0].event).toMatchObject({ configuredCapacity: "10", previousWorkload: 2, newWorkload: "3" });
  });

  it("leaves reason out when the release sends none, and keeps unknown newer fields", () => {
    const component = fakeComponent(fakeToolkit());
    const status = { statusId: "0N5xx0000000002AAA", statusName: "Busy", statusApiName: "Busy", channels: "[]", futureField: "x" };
    helper.forwardEvent(component, "omni.logout", fakeEvent({ reason: undefined }));
    helper.forwardEvent(component, "omni.statusChanged", fakeEvent(status));
    expect(published(component)).toEqual([
      { kind: "event", event: { type: "omni.logout", at: NOW } },
      { kind: "event", event: { ...status, type: "omni.statusChanged", at: NOW } },
    ]);
    expect("reason" in published(component)[0].event).toBe(false);
  });

  it("sets type and at itself even when the payload has fields of those names", () => {
    const component = fakeComponent(fakeToolkit());
    helper.forwardEvent(component, "omni.loginSuccess", fakeEvent({ statusId: "0N5xx0000000001AAA", type: "spoofed", at: 1 }));
    expect(published(component)[0].event).toEqual({ statusId: "0N5xx0000000001AAA", type: "omni.loginSuccess", at: NOW });
  });

  it("copies shallowly a payload JSON cannot hold, still leaving out absent fields", () => {
    const component = fakeComponent(fakeToolkit());
    const params = { statusId: "0N5xx0000000001AAA", reason: undefined, big: 10n };
    helper.forwardEvent(component, "omni.loginSuccess", fakeEvent(params));
    expect(published(component)[0].event).toEqual({ statusId: "0N5xx0000000001AAA", big: 10n, type: "omni.loginSuccess", at: NOW });
    expect("reason" in published(component)[0].event).toBe(false);
  });

  it("publishes a copy, leaving the event's payload untouched", () => {
    const component = fakeComponent(fakeToolkit());
    const params = { statusId: "0N5xx0000000001AAA" };
    helper.forwardEvent(component, "omni.loginSuccess", fakeEvent(params));
    expect(published(component)[0].event).not.toBe(params);
    expect(params).toEqual({ statusId: "0N5xx0000000001AAA" });
  });
});

describe("commands", () => {
  it.each(COMMANDS)("%s is called with args[0] and answered with its result", async (method, args, result) => {
    const toolkit = fakeToolkit();
    const component = fakeComponent(toolkit);
    receive(component, { kind: "command", id: "omnisync-1-0", method, args });
    await flush();
    expect(toolkit[method].mock.calls).toEqual([args.slice(0, 1)]);
    expect(toolkitCalls(toolkit)).toBe(1);
    expect(published(component)).toEqual([{ kind: "reply", id: "omnisync-1-0", ok: true, result }]);
  });

  it("passes only the first argument to the toolkit", async () => {
    const toolkit = fakeToolkit();
    const component = fakeComponent(toolkit);
    receive(component, { kind: "command", id: "c1", method: "setServicePresenceStatus", args: [{ statusId: "0N5xx0000000002AAA" }, "extra"] });
    await flush();
    expect(toolkit.setServicePresenceStatus.mock.calls).toEqual([[{ statusId: "0N5xx0000000002AAA" }]]);
  });

  it("accepts a command without args", async () => {
    const toolkit = fakeToolkit();
    const component = fakeComponent(toolkit);
    receive(component, { kind: "command", id: "c1", method: "getAgentWorkload" });
    await flush();
    expect(toolkit.getAgentWorkload.mock.calls).toEqual([[]]);
    expect(published(component)[0]).toMatchObject({ id: "c1", ok: true });
  });

  it("answers a toolkit that resolves with nothing with a null result", async () => {
    const toolkit = fakeToolkit();
    const component = fakeComponent(toolkit);
    toolkit.login = resolving(undefined);
    receive(component, { kind: "command", id: "c1", method: "login", args: [{ statusId: "0N5xx0000000002AAA" }] });
    await flush();
    expect(published(component)).toEqual([{ kind: "reply", id: "c1", ok: true, result: null }]);
  });


});

describe("failures", () => {
  async function rejectWith(error) {
    const toolkit = fakeToolkit();
    const component = fakeComponent(toolkit);
    toolkit.setServicePresenceStatus = jest.fn(() => Promise.reject(error));
    receive(component, { kind: "command", id: "c9", method: "setServicePresenceStatus", args: [{ statusId: "0N5xx0000000002AAA" }] });
    await flush();
    expect(toolkit.setServicePresenceStatus).toHaveBeenCalledTimes(1);
    return published(component);
  }

  it("answers a rejected toolkit call with code rejected and the toolkit's message", async () => {
    expect(await rejectWith(new Error("Invalid status Id"))).toEqual([
      { kind: "reply", id: "c9", ok: false, error: { code: "rejected", message: "Invalid status Id" } },
    ]);
  });

  it.each([
    "Connection lost",
    "The connection to Omni-Channel was lost.",
    "Omni-Channel connection interrupted, retrying",
    "Lost connection to the server",
    "connection closed",
    "The connection timed out",
  ])("answers %j with code connection", async (message) => {
    expect(await rejectWith(new Error(message))).toEqual([{ kind: "reply", id: "c9", ok: false, error: { code: "connection", message } }]);
  });

  it.each([
    "You were disconnected because you logged in from another location",
    "Agent is logged out",
    "You are not logged in to Omni-Channel",
    "Connection details are invalid. The status was lost",
    "Invalid connection Id",
  ])("answers %j with code rejected", async (message) => {
    expect((await rejectWith(new Error(message)))[0].error).toEqual({ code: "rejected", message });
  });

  it("keeps an error that already says code connection", async () => {
    expect((await rejectWith({ code: "connection", message: "socket gone" }))[0].error).toEqual({ code: "connection", message: "socket gone" });
  });

  it.each([
    ["a string", "Status not found", "Status not found"],
    ["an object with a message", { message: "Nope" }, "Nope"],
    ["an Aura error array", [{ message: "Insufficient access" }], "Insufficient access"],
    ["an object without message", { status: 500 }, '{"status":500}'],
    ["nothing", undefined, "the Omni-Channel toolkit call failed"],
  ])("reads the message of %s", async (label, error, message) => {
    expect(await rejectWith(error)).toEqual([{ kind: "reply", id: "c9", ok: false, error: { code: "rejected", message } }]);
  });

  it("answers a toolkit method that throws", async () => {
    const toolkit = fakeToolkit();
    const component = fakeComponent(toolkit);
    toolkit.login = jest.fn(() => {
      throw new Error("Connection lost");
    });
    receive(component, { kind: "command", id: "c1", method: "login", args: [{ statusId: "0N5xx0000000002AAA" }] });
    await flush();
    expect(published(component)).toEqual([{ kind: "reply", id: "c1", ok: false, error: { code: "connection", message: "Connection lost" } }]);
  });

  it("answers rejected when the toolkit is not on the page", async () => {
    const component = fakeComponent(undefined);
    receive(component, { kind: "command", id: "c1", method: "getAgentWorkload", args: [] });
    await flush();
    expect(published(component)).toEqual([
      { kind: "reply", id: "c1", ok: false, error: { code: "rejected", message: "getAgentWorkload: lightning:omniToolkitAPI is not available" } },
    ]);
  });

  it("refuses args that are not an array without calling the toolkit", async () => {
    const toolkit = fakeToolkit();
    const component = fakeComponent(toolkit);
    receive(component, { kind: "command", id: "c1", method: "login", args: { statusId: "0N5xx0000000002AAA" } });
    await flush();
    expect(toolkitCalls(toolkit)).toBe(0);
    expect(published(component)).toEqual([
      { kind: "reply", id: "c1", ok: false, error: { code: "rejected", message: "login: args must be an array" } },
    ]);
  });
});

// The engine's table of the bridge methods it calls (src/toolkit.rs, written out to
// schema/toolkit.json and kept equal to it by the native tests).
const TOOLKIT = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "..", "..", "..", "..", "..", "schema", "toolkit.json"), "utf8"));

describe("the allow-list", () => {
  const allowed = TOOLKIT.commands.filter((c) => c.bridgeAllows === "always").map((c) => c.method).sort();
  const byRule = TOOLKIT.commands.filter((c) => c.bridgeAllows === "ifARuleUsesIt").map((c) => c.method).sort();

  it("is the engine's table of the toolkit commands it issues", () => {
    expect(allowed.length).toBeGreaterThan(0);
    expect([...helper.allowedCommands()].sort()).toEqual(allowed);
    expect(Object.keys(helper.ruleCommands()).sort()).toEqual(byRule);
    // Every row says one of the three.
    const known = TOOLKIT.commands.filter((c) => ["always", "never", "ifARuleUsesIt"].includes(c.bridgeAllows));
    expect(known).toHaveLength(TOOLKIT.commands.length);
  });

  it("has a command of each in this test's data", () => {
    expect(COMMANDS.map(([method]) => method).sort()).toEqual(allowed);
  });
});

// The bridge's own copy of the rules (the omnisyncRules static resource, fetched at
// start) decides whether it runs logout; nothing the host sends can.
describe("logout, only for a rules file that asks for it", () => {
  const RESOURCE = "/resource/1700000000000/omnisyncRules";
  const rulesWith = (then) => JSON.stringify({
    version: 1,
    statuses: [],
    rules: [{ name: "phone offline", on: "telephony.stateChanged", then }],
  });
  const LOGOUT_RULES = rulesWith([{ logoutOmni: true }]);
  const OTHER_RULES = rulesWith([{ setOmniStatus: "Available" }]);

  // A bridge whose markup gives the resource's URL, and the org serving `text` there.
  function serving(text, ok = true) {
    global.fetch = jest.fn(() => Promise.resolve({ ok, text: () => Promise.resolve(text) }));
    const toolkit = fakeToolkit();
    const component = fakeComponent(toolkit);
    component.set("v.rulesUrl", RESOURCE);
    return { toolkit, component };
  }
  afterEach(() => {
    delete global.fetch;
  });

  async function logout(component) {
    receive(component, { kind: "command", id: "c-logout", method: "logout", args: [] });
    await flush();
    return published(component).find((m) => m.id === "c-logout");
  }

  it("runs logout when its own copy of the rules has a logoutOmni action", async () => {
    const { toolkit, component } = serving(LOGOUT_RULES);
    expect(await helper.readOwnRules(component)).toEqual(["logout"]);
    expect(global.fetch).toHaveBeenCalledWith(RESOURCE, { credentials: "same-origin" });
    expect(await logout(component)).toEqual({ kind: "reply", id: "c-logout", ok: true, result: true });
    expect(toolkit.logout).toHaveBeenCalledTimes(1);
  });

  it.each([
    ["has no logout rule", OTHER_RULES, true],
    ["says logoutOmni false", rulesWith([{ logoutOmni: false }]), true],
    ["is not JSON", "{", true],
    ["cannot be read", LOGOUT_RULES, false],
  ])("refuses logout when the rules resource %s", async (_, text, ok) => {
    const { toolkit, component } = serving(text, ok);
    expect(await helper.readOwnRules(component)).toEqual([]);
    const reply = await logout(component);
    expect(reply.error.code).toBe("commandNotAllowed");
    expect(toolkit.logout).not.toHaveBeenCalled();
  });

  it("refuses logout before it has read the rules, and whatever the host sends", async () => {
    const { toolkit, component } = serving(OTHER_RULES);
    // The host's own rules, state or a forged grant change nothing.
    receive(component, { kind: "state", rules: LOGOUT_RULES, granted: ["logout"] });
    receive(component, { kind: "rules", text: LOGOUT_RULES });
    expect((await logout(component)).error.code).toBe("commandNotAllowed");
    await helper.readOwnRules(component);
    receive(component, { kind: "command", id: "c2", method: "logout", args: [{ rules: LOGOUT_RULES }] });
    await flush();
    expect(published(component).find((m) => m.id === "c2").error.code).toBe("commandNotAllowed");
    expect(toolkit.logout).not.toHaveBeenCalled();
  });
});

describe("commands the engine does not issue", () => {
  const allowed = "setServicePresenceStatus, login, getServicePresenceStatusId, getAgentWorkload, getAgentWorks, getServicePresenceStatusChannels";
  it.each([...NOT_ISSUED, "destroy", "get", "toString", "constructor", "__proto__", "hasOwnProperty", "eval", "openAgentWork", "", null, 42])(
    "answers %j with commandNotAllowed without calling the toolkit",
    async (method) => {
      const toolkit = fakeToolkit();
      const component = fakeComponent(toolkit);
      receive(component, { kind: "command", id: "c1", method, args: [{ workId: "0Bzxx0000000001AAA" }] });
      await flush();
      expect(toolkitCalls(toolkit)).toBe(0);
      expect(published(component)).toEqual([
        {
          kind: "reply",
          id: "c1",
          ok: false,
          error: { code: "commandNotAllowed", message: `the bridge does not run ${JSON.stringify(method)}: it runs only ${allowed}` },
        },
      ]);
    },
  );
});

describe("other messages", () => {
  it.each([
    ["its own event", { kind: "event", event: { type: "omni.logout", at: NOW } }],
    ["its own reply", { kind: "reply", id: "c1", ok: true, result: null }],
    ["a message without kind", { id: "c1", method: "logout", args: [] }],
    ["an unknown kind", { kind: "Command", id: "c1", method: "logout", args: [] }],
    ["an empty payload", null],
  ])("ignores %s", async (label, payload) => {
    const toolkit = fakeToolkit();
    const component = fakeComponent(toolkit);
    receive(component, payload);
    await flush();
    expect(toolkitCalls(toolkit)).toBe(0);
    expect(published(component)).toEqual([]);
  });

  it("ignores a null message", () => {
    const component = fakeComponent(fakeToolkit());
    helper.fromHost(component, null);
    expect(published(component)).toEqual([]);
  });

  it("ignores a command without id (nobody to answer)", async () => {
    const toolkit = fakeToolkit();
    const component = fakeComponent(toolkit);
    receive(component, { kind: "command", method: "logout", args: [] });
    await flush();
    expect(toolkitCalls(toolkit)).toBe(0);
    expect(published(component)).toEqual([]);
  });
});

describe("exactly one reply", () => {
  it("runs and answers a command delivered twice only once", async () => {
    const toolkit = fakeToolkit();
    const component = fakeComponent(toolkit);
    const command = { kind: "command", id: "c1", method: "getAgentWorks", args: [] };
    receive(component, command);
    receive(component, command);
    await flush();
    receive(component, command);
    await flush();
    expect(toolkit.getAgentWorks).toHaveBeenCalledTimes(1);
    expect(published(component)).toEqual([{ kind: "reply", id: "c1", ok: true, result: COMMANDS[5][2] }]);
  });

  it("answers an unknown command delivered twice only once", () => {
    const component = fakeComponent(fakeToolkit());
    receive(component, { kind: "command", id: "c1", method: "nope", args: [] });
    receive(component, { kind: "command", id: "c1", method: "nope", args: [] });
    expect(published(component)).toHaveLength(1);
  });

  it("answers each distinct id", async () => {
    const component = fakeComponent(fakeToolkit());
    receive(component, { kind: "command", id: "c1", method: "getAgentWorkload", args: [] });
    receive(component, { kind: "command", id: "c2", method: "getAgentWorkload", args: [] });
    await flush();
    expect(published(component).map((reply) => reply.id)).toEqual(["c1", "c2"]);
  });

  it("forgets old ids, keeping the 200 most recent", () => {
    const component = fakeComponent(fakeToolkit());
    for (let i = 0; i < 250; i += 1) receive(component, { kind: "command", id: `c${i}`, method: "nope", args: [] });
    expect(component.get("v.handledIds")).toHaveLength(200);
    expect(component.get("v.handledIds")[0]).toBe("c50");
  });

  it("answers once when a toolkit promise settles twice", async () => {
    const toolkit = fakeToolkit();
    const component = fakeComponent(toolkit);
    toolkit.getAgentWorks = jest.fn(() => ({
      then(onResolved, onRejected) {
        onResolved("first");
        onRejected(new Error("Connection lost"));
        onResolved("again");
      },
    }));
    receive(component, { kind: "command", id: "c1", method: "getAgentWorks", args: [] });
    await flush();
    expect(published(component)).toEqual([{ kind: "reply", id: "c1", ok: true, result: "first" }]);
  });

  it("does not answer with an error when publishing the result fails", async () => {
    const component = fakeComponent(fakeToolkit());
    component.port.postMessage.mockImplementationOnce(() => {
      throw new Error("not serialisable");
    });
    // In Aura the exception goes to $A.getCallback's error reporting; here it
    // surfaces as the rejection of the returned promise.
    await expect(receive(component, { kind: "command", id: "c1", method: "getAgentWorkload", args: [] })).rejects.toThrow("not serialisable");
    await flush();
    expect(component.port.postMessage).toHaveBeenCalledTimes(1);
  });

  it("drops the reply of a component destroyed while the toolkit worked", async () => {
    const toolkit = fakeToolkit();
    const component = fakeComponent(toolkit);
    receive(component, { kind: "command", id: "c1", method: "getAgentWorkload", args: [] });
    component.valid = false;
    await flush();
    expect(toolkit.getAgentWorkload).toHaveBeenCalledTimes(1);
    expect(published(component)).toEqual([]);
  });
});

describe("the host frame and its port", () => {
  function placed() {
    const element = document.createElement("div");
    document.body.appendChild(element);
    const attributes = { "v.handledIds": [] };
    const component = {
      find: (id) => (id === "hostFrame" ? { getElement: () => element } : undefined),
      get: (key) => attributes[key],
      set: (key, value) => {
        attributes[key] = value;
      },
      isValid: () => true,
      getReference: (name) => name,
    };
    return { component, element };
  }
  const FRAME = { src: "https://acme--c.vf.force.com/apex/OmniSyncHost?nonce=00ff", origin: "https://acme--c.vf.force.com", nonce: "00ff" };

  it("frames the absolute URL Apex gave and hands one port, with the nonce, to that origin on load", () => {
    // jsdom has no MessageChannel: node's stands in.
    global.MessageChannel = require("worker_threads").MessageChannel;
    const { component, element } = placed();
    const iframe = helper.mountHost(component, FRAME);
    expect(element.querySelector("iframe")).toBe(iframe);
    expect(iframe.src).toBe(FRAME.src);
    const post = jest.spyOn(iframe.contentWindow, "postMessage").mockImplementation(() => {});
    iframe.dispatchEvent(new Event("load"));
    expect(post).toHaveBeenCalledTimes(1);
    const [message, target, transfer] = post.mock.calls[0];
    expect(message).toEqual({ omnisync: "connect", nonce: "00ff" });
    expect(target).toBe("https://acme--c.vf.force.com");
    expect(transfer).toHaveLength(1);
    expect(helper.relay(component).port).not.toBe(transfer[0]);
    helper.stop(component);
    transfer[0].close();
    delete global.MessageChannel;
  });

  it("shows the panel an error when Apex cannot say where the host is, and starts without the softphone folder", () => {
    jest.useFakeTimers();
    try {
      const { component } = placed();
      const action = {
        setCallback(scope, callback) {
          this.callback = callback;
        },
      };
      component.get = ((get) => (key) => (key === "c.hostFrame" ? action : get(key)))(component.get);
      global.$A.enqueueAction = jest.fn();
      global.$A.createComponent = jest.fn((name, attributes, callback) => callback(null, "ERROR"));
      helper.start(component);
      expect(global.$A.createComponent.mock.calls[0][0]).toBe("c:omniSyncTelephonyLink");
      expect(helper.relay(component).telephony).toBeNull();
      action.callback({ getState: () => "ERROR", getError: () => [{ message: "no access to OmniSyncBridgeController" }] });
      expect(component.get("v.hostState").error).toMatch(/^The engine page could not be placed: .*no access to OmniSyncBridgeController/);
      helper.stop(component);
    } finally {
      jest.useRealTimers();
    }
  });

  it("links the telephony channel when the softphone folder is deployed", () => {
    const { component } = placed();
    const link = { publish: jest.fn() };
    global.$A.createComponent = jest.fn((name, attributes, callback) => callback(link, "SUCCESS"));
    helper.linkTelephony(component);
    expect(global.$A.createComponent.mock.calls[0][1]).toEqual({ ontelephony: "c.onTelephony" });
    expect(helper.relay(component).telephony).toBe(link);
    expect(component.get("v.telephonyLink")).toEqual([link]);
  });

  it("sends nothing before the frame has loaded", () => {
    const { component } = placed();
    helper.forwardEvent(component, "omni.logout", fakeEvent({}));
    expect(helper.relay(component).unsent).toBe(1);
  });

  it("shows the host's state to the panel, and counts any message as life", () => {
    const component = fakeComponent(fakeToolkit());
    component.set("v.hostSilent", true);
    receive(component, { kind: "state", leader: true });
    expect(component.get("v.hostState")).toEqual({ kind: "state", leader: true });
    expect(component.get("v.hostSilent")).toBe(false);
    expect(helper.relay(component).heardAt).toBe(NOW);
  });

  it("calls the host silent only after the limit a hidden page's timers allow", () => {
    const component = fakeComponent(fakeToolkit());
    receive(component, { kind: "state" });
    Date.now.mockReturnValue(NOW + 61000);
    helper.checkLife(component);
    expect(component.get("v.hostSilent")).toBeFalsy();
    Date.now.mockReturnValue(NOW + 150001);
    helper.checkLife(component);
    expect(component.get("v.hostSilent")).toBe(true);
  });

  it("forwards telephony both ways unread, and ignores other kinds from the channel", () => {
    const component = fakeComponent(fakeToolkit());
    const link = { publish: jest.fn() };
    helper.relay(component).telephony = link;
    const fromHost = { kind: "telephony", version: 1, type: "command", id: "t1", method: "setState", name: "Lunch", extra: { x: 1 } };
    receive(component, fromHost);
    expect(link.publish).toHaveBeenCalledWith(fromHost);
    const fromRelay = { kind: "telephony", version: 2, type: "bye", relay: "r1" };
    controller.onTelephony(component, { getParam: (name) => (name === "message" ? fromRelay : undefined) }, helper);
    controller.onTelephony(component, { getParam: () => ({ kind: "command", id: "x", method: "logout" }) }, helper);
    expect(published(component)).toEqual([fromRelay]);
  });

  it("asks the host for its state when the console is visible again or resumes, even hidden", () => {
    const component = fakeComponent(fakeToolkit());
    Date.now.mockReturnValue(NOW + 500000);
    helper.wake(component, { type: "visibilitychange" });
    expect(published(component)).toEqual([{ kind: "ping" }]);
    expect(helper.relay(component).heardAt).toBe(NOW + 500000);
    const visibility = jest.spyOn(document, "visibilityState", "get").mockReturnValue("hidden");
    helper.wake(component, { type: "visibilitychange" });
    expect(published(component)).toHaveLength(1);
    helper.wake(component, { type: "resume" });
    expect(published(component)).toEqual([{ kind: "ping" }, { kind: "ping" }]);
    visibility.mockRestore();
  });
});

describe("service channel of work events", () => {
  // A fake Aura server action for OmniSyncWorkChannel.getServiceChannel.
  function withApex(component, answer) {
    const actions = [];
    const get = component.get;
    component.get = (key) => {
      if (key !== "c.getServiceChannel") return get(key);
      const action = {
        params: null,
        callback: null,
        setParams(params) {
          this.params = params;
        },
        setCallback(scope, callback) {
          this.callback = callback;
        },
        answer(state, value) {
          this.callback({ getState: () => state, getReturnValue: () => value });
        },
      };
      actions.push(action);
      return action;
    };
    global.$A.enqueueAction = jest.fn((action) => {
      if (answer) answer(action);
    });
    return actions;
  }

  it("adds the DeveloperName Apex gives, asks once per work and keeps the events in order", () => {
    const component = fakeComponent(fakeToolkit());
    const actions = withApex(component, null);
    const work = { workItemId: "500xx0000000001AAA", workId: "0Bzxx0000000001AAA" };
    helper.forwardEvent(component, "omni.workAssigned", fakeEvent(work));
    helper.forwardEvent(component, "omni.workloadChanged", fakeEvent({ configuredCapacity: 4, previousWorkload: 0, newWorkload: 1 }));
    expect(published(component)).toEqual([]);
    expect(actions.map((a) => a.params)).toEqual([{ workId: "0Bzxx0000000001AAA" }]);

    actions[0].answer("SUCCESS", "Voice_Calls");
    helper.forwardEvent(component, "omni.workAccepted", fakeEvent(work));

    expect(published(component).map((m) => [m.event.type, m.event.serviceChannel])).toEqual([
      ["omni.workAssigned", "Voice_Calls"],
      ["omni.workloadChanged", undefined],
      ["omni.workAccepted", "Voice_Calls"],
    ]);
    expect(actions).toHaveLength(1);
  });

  it("forwards the event without a channel when Apex fails, and asks again next time", () => {
    const component = fakeComponent(fakeToolkit());
    const actions = withApex(component, (action) => action.answer("ERROR", null));
    const work = { workItemId: "500xx0000000002AAA", workId: "0Bzxx0000000002AAA" };
    helper.forwardEvent(component, "omni.workAccepted", fakeEvent(work));
    helper.forwardEvent(component, "omni.workClosed", fakeEvent(work));
    expect(published(component).map((m) => ("serviceChannel" in m.event ? m.event.serviceChannel : "none"))).toEqual(["none", "none"]);
    expect(actions).toHaveLength(2);
  });

  it("gives up waiting after 5 s", () => {
    jest.useFakeTimers();
    try {
      const component = fakeComponent(fakeToolkit());
      withApex(component, null);
      helper.forwardEvent(component, "omni.workAccepted", fakeEvent({ workItemId: "500xx0000000003AAA", workId: "0Bzxx0000000003AAA" }));
      expect(published(component)).toEqual([]);
      jest.advanceTimersByTime(5000);
      expect(published(component)).toHaveLength(1);
    } finally {
      jest.useRealTimers();
    }
  });
});

describe("bundle", () => {
  const markup = fs.readFileSync(path.join(BUNDLE, "OmniSyncBridge.cmp"), "utf8");

  it.each(EVENTS)("handles %s with controller action %s", (lightningName, action) => {
    expect(markup).toMatch(new RegExp(`<aura:handler\\s+event="${lightningName}"\\s+action="\\{!c\\.${action}\\}"\\s*/>`));
    expect(typeof controller[action]).toBe("function");
  });

  it("has the nine event handlers, the toolkit, the panel and the host's frame, and no message channel", () => {
    expect(markup.match(/<aura:handler event=/g)).toHaveLength(9);
    expect(markup).toMatch(/<lightning:omniToolkitAPI aura:id="omniToolkit"\/>/);
    expect(markup).toMatch(/<c:omniSyncPanel message="\{!v\.hostState\}" hostSilent="\{!v\.hostSilent\}"\/>/);
    expect(markup).toMatch(/<div aura:id="hostFrame"/);
    expect(markup).not.toMatch(/lightning:messageChannel/);
    // The rules the bridge reads itself: the org's resource, the host's rules.
    expect(markup).toMatch(/<aura:attribute name="rulesUrl" type="String" default="\{!\$Resource\.omnisyncRules\}" access="private"\/>/);
    expect(markup).toMatch(/implements="lightning:utilityItem,flexipage:availableForAllPageTypes" controller="OmniSyncBridgeController"/);
  });
});
