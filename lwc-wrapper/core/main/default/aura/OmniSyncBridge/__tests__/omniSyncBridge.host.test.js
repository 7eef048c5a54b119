// Tests for the Aura bridge's helper and controller: the host's frame and its port, the
// service channel of work events, and the bundle's markup. The messages it relays are
// in omniSyncBridge.test.js; the fakes in bridgeFakes.js.
const fs = require("fs");
const path = require("path");
const {
  BUNDLE, NOW, helper, controller, EVENTS, fakeToolkit, fakeComponent, fakeEvent, receive, published, useAura,
} = require("./bridgeFakes");

useAura();

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
