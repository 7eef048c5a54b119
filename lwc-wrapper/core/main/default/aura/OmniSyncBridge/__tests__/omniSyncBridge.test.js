// Tests for the Aura bridge's helper and controller: the messages it relays (Omni-Channel
// events out, toolkit commands in and their one reply each). The host's frame, the work
// channel and the markup are in omniSyncBridge.host.test.js; the fakes in bridgeFakes.js.
const fs = require("fs");
const path = require("path");
const {
  NOW, helper, controller, EVENTS, COMMANDS, NOT_ISSUED, resolving, fakeToolkit, fakeComponent, fakeEvent, receive, published, flush, toolkitCalls, useAura,
} = require("./bridgeFakes");

useAura();

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
