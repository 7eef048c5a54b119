// Tests for the Aura bridge's helper and controller. Aura has no module system, so
// each file is read as text and evaluated into its object literal, then driven with
// fake components, events and toolkit; $A.getCallback is an identity shim.
const fs = require("fs");
const path = require("path");

const BUNDLE = path.join(__dirname, "..");
const NOW = 1700000000000;
const HOST = "0123456789abcdef";

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

// Toolkit methods the engine never issues: the bridge must not run them for anyone.
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

function fakeComponent(toolkit) {
  const attributes = { "v.handledIds": [] };
  const channel = { publish: jest.fn() };
  return {
    channel,
    valid: true,
    find: (auraId) => ({ omniToolkit: toolkit, channel })[auraId],
    get: (key) => attributes[key],
    set: (key, value) => {
      attributes[key] = value;
    },
    isValid() {
      return this.valid;
    },
  };
}

const fakeEvent = (params) => ({ getParams: () => params });

// LMS hands an Aura subscriber the message as an event whose params are the payload.
// Commands come from the paired host (session HOST) unless a test says otherwise.
const receive = (component, payload) =>
  helper.handleMessage(component, fakeEvent(payload?.kind === "command" && !("session" in payload) ? { session: HOST, ...payload } : payload));
const published = (component) => component.channel.publish.mock.calls.map(([message]) => message);
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

    expect(published(component)).toEqual([{ kind: "event", session: null, event: { ...params, type, at: NOW } }]);
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
      { kind: "event", session: null, event: { type: "omni.logout", at: NOW } },
      { kind: "event", session: null, event: { ...status, type: "omni.statusChanged", at: NOW } },
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
    expect(published(component)).toEqual([{ kind: "reply", id: "omnisync-1-0", session: HOST, ok: true, result }]);
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
    expect(published(component)).toEqual([{ kind: "reply", id: "c1", session: HOST, ok: true, result: null }]);
  });

  it("also takes a plain payload (no getParams)", async () => {
    const component = fakeComponent(fakeToolkit());
    helper.handleMessage(component, { kind: "command", session: HOST, id: "c1", method: "getAgentWorkload", args: [] });
    await flush();
    expect(published(component)).toEqual([{ kind: "reply", id: "c1", session: HOST, ok: true, result: { configuredCapacity: 10, currentWorkload: 3 } }]);
  });

  it("goes through the controller's message action", () => {
    const fakeHelper = { handleMessage: jest.fn() };
    const component = fakeComponent(fakeToolkit());
    const message = fakeEvent({ kind: "command", id: "c1", method: "logout", args: [] });
    controller.onMessage(component, message, fakeHelper);
    expect(fakeHelper.handleMessage).toHaveBeenCalledWith(component, message);
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
      { kind: "reply", id: "c9", session: HOST, ok: false, error: { code: "rejected", message: "Invalid status Id" } },
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
    expect(await rejectWith(new Error(message))).toEqual([{ kind: "reply", id: "c9", session: HOST, ok: false, error: { code: "connection", message } }]);
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
    expect(await rejectWith(error)).toEqual([{ kind: "reply", id: "c9", session: HOST, ok: false, error: { code: "rejected", message } }]);
  });

  it("answers a toolkit method that throws", async () => {
    const toolkit = fakeToolkit();
    const component = fakeComponent(toolkit);
    toolkit.login = jest.fn(() => {
      throw new Error("Connection lost");
    });
    receive(component, { kind: "command", id: "c1", method: "login", args: [{ statusId: "0N5xx0000000002AAA" }] });
    await flush();
    expect(published(component)).toEqual([{ kind: "reply", id: "c1", session: HOST, ok: false, error: { code: "connection", message: "Connection lost" } }]);
  });

  it("answers rejected when the toolkit is not on the page", async () => {
    const component = fakeComponent(undefined);
    receive(component, { kind: "command", id: "c1", method: "getAgentWorkload", args: [] });
    await flush();
    expect(published(component)).toEqual([
      { kind: "reply", id: "c1", session: HOST, ok: false, error: { code: "rejected", message: "getAgentWorkload: lightning:omniToolkitAPI is not available" } },
    ]);
  });

  it("refuses args that are not an array without calling the toolkit", async () => {
    const toolkit = fakeToolkit();
    const component = fakeComponent(toolkit);
    receive(component, { kind: "command", id: "c1", method: "login", args: { statusId: "0N5xx0000000002AAA" } });
    await flush();
    expect(toolkitCalls(toolkit)).toBe(0);
    expect(published(component)).toEqual([
      { kind: "reply", id: "c1", session: HOST, ok: false, error: { code: "rejected", message: "login: args must be an array" } },
    ]);
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
          session: HOST,
          ok: false,
          error: { code: "commandNotAllowed", message: `the bridge does not run ${JSON.stringify(method)}: it runs only ${allowed}` },
        },
      ]);
    },
  );
});

describe("other messages", () => {
  it.each([
    ["its own event", { kind: "event", session: null, event: { type: "omni.logout", at: NOW } }],
    ["its own reply", { kind: "reply", id: "c1", session: HOST, ok: true, result: null }],
    ["the panel's state", { kind: "state", leader: true, state: {}, metrics: {}, trace: [], stats: {} }],
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
    helper.handleMessage(component, null);
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
    expect(published(component)).toEqual([{ kind: "reply", id: "c1", session: HOST, ok: true, result: COMMANDS[5][2] }]);
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
    expect(published(component)).toEqual([{ kind: "reply", id: "c1", session: HOST, ok: true, result: "first" }]);
  });

  it("does not answer with an error when publishing the result fails", async () => {
    const component = fakeComponent(fakeToolkit());
    component.channel.publish.mockImplementationOnce(() => {
      throw new Error("not serialisable");
    });
    // In Aura the exception goes to $A.getCallback's error reporting; here it
    // surfaces as the rejection of the returned promise.
    await expect(receive(component, { kind: "command", id: "c1", method: "getAgentWorkload", args: [] })).rejects.toThrow("not serialisable");
    await flush();
    expect(component.channel.publish).toHaveBeenCalledTimes(1);
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

describe("pairing with one host", () => {
  it("runs commands only for the host it paired with, dropping and counting others", async () => {
    const toolkit = fakeToolkit();
    const component = fakeComponent(toolkit);
    receive(component, { kind: "command", session: HOST, id: "a1", method: "getAgentWorkload", args: [] });
    receive(component, { kind: "command", session: "another-host-000", id: "b1", method: "setServicePresenceStatus", args: [{ statusId: "0N5xx0000000009AAA" }] });
    receive(component, { kind: "command", session: undefined, id: "c1", method: "getAgentWorkload", args: [] });
    await flush();
    expect(toolkit.setServicePresenceStatus).not.toHaveBeenCalled();
    expect(toolkit.getAgentWorkload).toHaveBeenCalledTimes(1);
    expect(published(component).map((m) => [m.id, m.session])).toEqual([["a1", HOST]]);
    expect(component.get("v.relay").dropped).toBe(2);
  });

  it("pairs with a new host once the paired one has been silent for 15 s, and keeps a live one", async () => {
    const toolkit = fakeToolkit();
    const component = fakeComponent(toolkit);
    receive(component, { kind: "command", id: "a1", method: "getAgentWorkload", args: [] });
    // The host's state messages keep it alive.
    Date.now.mockReturnValue(NOW + 10000);
    receive(component, { kind: "state", session: HOST, leader: true });
    Date.now.mockReturnValue(NOW + 20000);
    receive(component, { kind: "command", session: "reloaded-host-00", id: "b1", method: "getAgentWorkload", args: [] });
    expect(component.get("v.relay").session).toBe(HOST);
    Date.now.mockReturnValue(NOW + 25001);
    receive(component, { kind: "command", session: "reloaded-host-00", id: "b2", method: "getAgentWorkload", args: [] });
    await flush();
    expect(component.get("v.relay").session).toBe("reloaded-host-00");
    expect(published(component).map((m) => [m.id, m.session])).toEqual([
      ["a1", HOST],
      ["b2", "reloaded-host-00"],
    ]);
  });

  it("tags its events with the paired host, null before any host commanded", () => {
    const component = fakeComponent(fakeToolkit());
    helper.forwardEvent(component, "omni.logout", fakeEvent({}));
    receive(component, { kind: "command", id: "a1", method: "nope", args: [] });
    helper.forwardEvent(component, "omni.logout", fakeEvent({}));
    expect(published(component).filter((m) => m.kind === "event").map((m) => m.session)).toEqual([null, HOST]);
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
  const channelXml = fs.readFileSync(path.join(BUNDLE, "..", "..", "messageChannels", "OmniSync.messageChannel-meta.xml"), "utf8");

  it.each(EVENTS)("handles %s with controller action %s", (lightningName, action) => {
    expect(markup).toMatch(new RegExp(`<aura:handler\\s+event="${lightningName}"\\s+action="\\{!c\\.${action}\\}"\\s*/>`));
    expect(typeof controller[action]).toBe("function");
  });

  it("has exactly nine event handlers, the toolkit and the channel the helper looks up", () => {
    expect(markup.match(/<aura:handler /g)).toHaveLength(9);
    expect(markup).toMatch(/<lightning:omniToolkitAPI aura:id="omniToolkit"\/>/);
    expect(markup).toMatch(/<lightning:messageChannel type="OmniSync__c" aura:id="channel" onMessage="\{!c\.onMessage\}" scope="APPLICATION"\/>/);
    expect(markup).toMatch(/implements="lightning:utilityItem,flexipage:availableForAllPageTypes"/);
  });

  it("declares every message field on the channel", () => {
    for (const field of ["kind", "session", "id", "method", "args", "ok", "result", "error", "event", "leader", "state", "metrics", "trace", "stats"]) {
      expect(channelXml).toContain(`<fieldName>${field}</fieldName>`);
    }
  });
});
