// The panel is fed only through the message channel, so every test mounts it, takes the
// listener it handed to subscribe() and plays messages into it. The fixture is what
// the engine (pkg/node, www/demo/default-rules.json) produced for: login Available,
// telephony Lunch at 5 s, workload 0 -> 1 of 4 at 9 s, metrics at 20 s.
import { createElement } from "lwc";
import OmniSyncPanel from "c/omniSyncPanel";
import { APPLICATION_SCOPE, subscribe, unsubscribe } from "lightning/messageService";
import { IsConsoleNavigation } from "lightning/platformWorkspaceApi";
import { EnclosingUtilityId, updateUtility } from "lightning/platformUtilityBarApi";
import publishPresence from "@salesforce/apex/OmniSyncPresencePublisher.publish";

// sfdx-lwc-jest's transformer turns a default Apex import into
// `require("@salesforce/apex/Class.method").default`, falling back to a shared stub that
// resolves with nothing; a virtual mock replaces it with a jest.fn the test controls.
jest.mock("@salesforce/apex/OmniSyncPresencePublisher.publish", () => ({ default: jest.fn() }), {
  virtual: true,
});

const SUBSCRIPTION = { id: "omnisync-subscription" };

function stateMessage(overrides = {}) {
  return {
    kind: "state",
    leader: true,
    state: {
      omni: {
        loggedIn: true,
        statusId: "0N5Hs0000001AvlKAE",
        developerName: "Available",
        label: "Available",
        channels: [],
        since: 1000,
      },
      workload: { configuredCapacity: 4, currentWorkload: 1, previousWorkload: 0, workloadPct: 25 },
      works: {},
      telephony: { state: "Lunch", previous: "Available", isSystemState: false },
    },
    metrics: {
      records: [
        {
          Name: null,
          UserId: "005Hs00000A1b2CAAA",
          OwnerId: "005Hs00000A1b2CAAA",
          ServicePresenceStatusId: "0N5Hs0000001AvlKAE",
          ServicePresenceStatus: { DeveloperName: "Available" },
          StatusStartDate: "2026-11-30T09:00:01Z",
          StatusEndDate: null,
          IdleDuration: 8,
          AtCapacityDuration: 0,
          AverageCapacity: 0.5789473684210527,
          ConfiguredCapacity: 4,
          ConfiguredInterruptCapacity: null,
          IsAway: false,
          IsCurrentState: true,
        },
      ],
    },
    trace: [
      {
        seq: 1,
        at: 1000,
        kind: "decision",
        message: "omni.statusChanged: set telephony state Available by omniToTelephony[0]: Available -> Available",
        mirrored: false,
        decision: {
          actions: [{ type: "setTelephonyState", state: "Available", rule: "omniToTelephony[0]: Available -> Available" }],
          trace: {
            event: "omni.statusChanged",
            at: 1000,
            rules: [
              {
                rule: "omniToTelephony[0]: Available -> Available",
                matched: true,
                outcome: "emitted",
                checks: [{ left: "omni.newStatus", value: "Available", op: "eq", right: "Available", result: true }],
              },
            ],
            notes: [],
          },
        },
      },
      { seq: 2, at: 1200, kind: "echo", message: "telephony Available is our own change", mirrored: false },
      {
        seq: 3,
        at: 5000,
        kind: "decision",
        message: "telephony.stateChanged: set Omni status Lunch by Connect agent switches to Lunch",
        mirrored: false,
        decision: {
          actions: [{ type: "setOmniStatus", statusId: "0N5Hs0000004LunKAE", developerName: "Lunch", rule: "Connect agent switches to Lunch" }],
          trace: {
            event: "telephony.stateChanged",
            at: 5000,
            rules: [
              {
                rule: "telephonyToOmni[0]: Available -> Available",
                matched: false,
                outcome: "notMatched",
                checks: [{ left: "telephony.newState", value: "Lunch", op: "eq", right: "Available", result: false }],
              },
              {
                rule: "telephonyToOmni[1]: Break -> Break",
                matched: false,
                outcome: "notMatched",
                checks: [{ left: "telephony.newState", value: "Lunch", op: "eq", right: "Break", result: false }],
              },
              {
                rule: "Connect agent switches to Lunch",
                matched: true,
                outcome: "emitted",
                checks: [{ left: "telephony.newState", value: "Lunch", op: "eq", right: "Lunch", result: true }],
              },
            ],
            notes: [],
          },
        },
      },
      {
        seq: 4,
        at: 9000,
        kind: "decision",
        message: "omni.workloadChanged: no action",
        mirrored: true,
        decision: {
          actions: [],
          trace: {
            event: "omni.workloadChanged",
            at: 9000,
            rules: [
              {
                rule: "At capacity: phone busy",
                matched: false,
                outcome: "notMatched",
                checks: [
                  { left: "omni.newWorkloadPct", value: 25, op: "ge", right: 100, result: false },
                  { left: "omni.newWorkload", value: 1, op: "ge", rightOperand: "omni.configuredCapacity", right: 4, result: false },
                ],
              },
            ],
            notes: ["phone is on a contact: no telephony change"],
          },
        },
      },
    ],
    stats: { events: 4, actions: 2, echoes: 1, failed: 0 },
    ...overrides,
  };
}

function mount() {
  const element = createElement("c-omni-sync-panel", { is: OmniSyncPanel });
  document.body.appendChild(element);
  return element;
}

/** Plays a message into the listener the panel subscribed with, then lets it render. */
async function deliver(message) {
  const listener = subscribe.mock.calls[subscribe.mock.calls.length - 1][2];
  listener(message);
  await Promise.resolve();
}

/** Lets the panel's Apex call settle and the panel render its outcome (a macrotask). */
async function settle() {
  // eslint-disable-next-line @lwc/lwc/no-async-operation
  await new Promise((resolve) => setTimeout(resolve, 0));
}

/** The fixture with the telephony state replaced and `entries` appended to the trace. */
function nextMessage(telephonyState, ...entries) {
  const message = stateMessage();
  message.state.telephony = { state: telephonyState, previous: "Lunch", isSystemState: false };
  message.trace = [...message.trace, ...entries];
  return message;
}

const echoOf = (rule, seq = 5) => ({
  seq,
  at: 12000,
  kind: "echo",
  rule,
  message: `echo of set telephony state Available (rule "${rule}"): not an agent change`,
  mirrored: false,
});

const byId = (element, id) => element.shadowRoot.querySelector(`[data-id="${id}"]`);
const allById = (element, id) => [...element.shadowRoot.querySelectorAll(`[data-id="${id}"]`)];
const text = (node) => node?.textContent.replace(/\s+/g, " ").trim();

describe("c-omni-sync-panel", () => {
  beforeEach(() => {
    subscribe.mockReturnValue(SUBSCRIPTION);
    publishPresence.mockResolvedValue(undefined);
  });

  afterEach(() => {
    while (document.body.firstChild) {
      document.body.removeChild(document.body.firstChild);
    }
    jest.clearAllMocks();
    jest.restoreAllMocks();
  });

  it("subscribes in application scope and waits for the engine", () => {
    const element = mount();

    expect(subscribe).toHaveBeenCalledTimes(1);
    expect(subscribe).toHaveBeenCalledWith(undefined, "OmniSync__c", expect.any(Function), {
      scope: APPLICATION_SCOPE,
    });
    expect(text(byId(element, "waiting"))).toMatch(/^Waiting for the engine/);
    expect(byId(element, "role")).toBeNull();
    expect(byId(element, "omni")).toBeNull();
    expect(byId(element, "error")).toBeNull();
  });

  it("renders both sides: Omni status, workload and telephony state", async () => {
    const element = mount();
    await deliver(stateMessage());

    expect(byId(element, "waiting")).toBeNull();
    expect(text(byId(element, "role"))).toBe("Leader tab");
    expect(text(byId(element, "omni-status"))).toBe("Available");
    expect(text(byId(element, "omni-login"))).toMatch(/^Logged in · since /);
    expect(text(byId(element, "workload"))).toBe("workload 1 / 4 (25%)");
    expect(text(byId(element, "telephony-state"))).toBe("Lunch");
    expect(text(byId(element, "telephony-detail"))).toBe("previous: Available");
    expect(allById(element, "stats")[0].querySelectorAll("li")).toHaveLength(4);
  });

  it("shows a mirroring tab, a logged-out agent and a phone on a contact", async () => {
    const element = mount();
    const message = stateMessage({ leader: false });
    message.state.omni = { loggedIn: false, statusId: null, developerName: null, label: null, channels: [], since: null };
    message.state.workload = { configuredCapacity: 5, currentWorkload: 2, previousWorkload: 1 };
    message.state.telephony = { state: "Busy", previous: "Available", isSystemState: true };
    await deliver(message);

    expect(text(byId(element, "role"))).toBe("Mirroring");
    expect(text(byId(element, "omni-status"))).toBe("Offline");
    expect(text(byId(element, "omni-login"))).toBe("Not logged in");
    expect(text(byId(element, "workload"))).toBe("workload 2 / 5 (40%)");
    expect(text(byId(element, "telephony-state"))).toBe("Busy");
    expect(text(byId(element, "telephony-detail"))).toBe("on a contact (system state)");
  });

  it("renders the decisions newest first with actions, matched rules and their checks", async () => {
    const element = mount();
    await deliver(stateMessage());

    const entries = allById(element, "entry");
    expect(entries.map((e) => e.dataset.kind)).toEqual(["decision", "decision", "echo", "decision"]);

    const [workload, lunch, echo, omni] = entries;
    expect(text(workload.querySelector('[data-id="entry-event"]'))).toBe("omni.workloadChanged");
    expect(text(workload.querySelector('[data-id="entry-actions"]'))).toBe("no action");
    expect(workload.className).toContain("entry-idle");
    expect(text(workload.querySelector(".tag"))).toBe("mirrored");
    expect(text(workload.querySelector(".note"))).toBe("note: phone is on a contact: no telephony change");
    expect(workload.querySelectorAll('[data-id="rule"]')).toHaveLength(0);
    const unmatchedChecks = [...workload.querySelectorAll('[data-id="unmatched-rule"] li')].map(text);
    expect(unmatchedChecks).toEqual([
      "omni.newWorkloadPct (25) ≥ 100 → false",
      "omni.newWorkload (1) ≥ omni.configuredCapacity (4) → false",
    ]);

    expect(text(lunch.querySelector('[data-id="entry-event"]'))).toBe("telephony.stateChanged");
    expect(text(lunch.querySelector('[data-id="entry-actions"]'))).toBe("actions: set Omni status Lunch");
    const rules = [...lunch.querySelectorAll('[data-id="rule"]')];
    expect(rules).toHaveLength(1);
    expect(text(rules[0].querySelector('[data-id="rule-name"]'))).toBe("Connect agent switches to Lunch");
    expect([...rules[0].querySelectorAll('[data-id="check"]')].map(text)).toEqual([
      'telephony.newState ("Lunch") = "Lunch" → true',
    ]);
    expect(rules[0].querySelector('[data-id="check"]').className).toContain("check-true");
    expect(text(lunch.querySelector('[data-id="unmatched-summary"]'))).toBe("2 rules did not match");

    expect(text(echo.querySelector('[data-id="entry-message"]'))).toBe("telephony Available is our own change");
    expect(echo.querySelector('[data-id="entry-actions"]')).toBeNull();

    expect(text(omni.querySelector('[data-id="entry-actions"]'))).toBe("actions: set telephony state Available");
    expect(text(omni.querySelector('[data-id="rule-name"]'))).toBe("omniToTelephony[0]: Available -> Available");
  });

  it("renders the current presence record", async () => {
    // The current record has no StatusDuration yet: the panel counts from its start.
    jest.spyOn(Date, "now").mockReturnValue(Date.parse("2026-11-30T09:00:20Z"));
    const element = mount();
    await deliver(stateMessage());

    const table = byId(element, "presence");
    expect(text(table.querySelector("caption"))).toBe("Current presence record (1 record)");
    const rows = Object.fromEntries(
      allById(element, "presence-row").map((row) => [text(row.querySelector("th")), text(row.querySelector("td"))])
    );
    expect(rows).toMatchObject({
      Status: "Available",
      Duration: "19 s",
      Idle: "8.0 s",
      "At capacity": "0.0 s",
      "Average capacity": "0.58 / 4",
      Away: "no",
    });
  });

  it("renders an error state when the engine could not start", async () => {
    const element = mount();
    await deliver({ kind: "state", leader: true, error: "WebAssembly.instantiate(): blocked" });

    expect(byId(element, "waiting")).toBeNull();
    expect(byId(element, "error").getAttribute("role")).toBe("alert");
    expect(text(byId(element, "error"))).toContain("WebAssembly.instantiate(): blocked");
    expect(byId(element, "omni")).toBeNull();
    expect(byId(element, "presence")).toBeNull();
    expect(text(byId(element, "no-entries"))).toBe("No decision yet.");
  });

  it("ignores messages that are not state", async () => {
    const element = mount();
    await deliver({ kind: "event", event: { type: "omni.logout", at: 1 } });
    await deliver({ kind: "command", id: "omnisync-1", method: "getAgentWorkload", args: [] });
    await deliver({ kind: "reply", id: "omnisync-1", ok: true, result: {} });
    await deliver(null);

    expect(byId(element, "waiting")).not.toBeNull();
    expect(byId(element, "role")).toBeNull();

    await deliver(stateMessage());
    await deliver({ kind: "event", event: { type: "telephony.stateChanged", newState: "Offline" } });
    expect(text(byId(element, "telephony-state"))).toBe("Lunch");
  });

  it("unsubscribes on disconnect", () => {
    const element = mount();
    expect(unsubscribe).not.toHaveBeenCalled();

    document.body.removeChild(element);

    expect(unsubscribe).toHaveBeenCalledTimes(1);
    expect(unsubscribe).toHaveBeenCalledWith(SUBSCRIPTION);
  });

  it("shows names as text, never as markup", async () => {
    const element = mount();
    const message = stateMessage();
    message.state.omni.label = '<img src="x" onerror="alert(1)">';
    await deliver(message);

    expect(text(byId(element, "omni-status"))).toContain('<img src="x" onerror="alert(1)">');
    expect(element.shadowRoot.querySelector("img")).toBeNull();
  });

  it("highlights the utility on an error only in a console app, inside a utility", async () => {
    const element = mount();
    IsConsoleNavigation.emit(false);
    EnclosingUtilityId.emit("utility-1");
    await deliver({ kind: "state", leader: true, error: "blocked" });
    expect(text(byId(element, "navigation"))).toBe("Not a console app");
    expect(updateUtility).not.toHaveBeenCalled();

    IsConsoleNavigation.emit(true);
    await Promise.resolve();
    expect(text(byId(element, "navigation"))).toBe("Console app");
    expect(updateUtility).toHaveBeenCalledWith("utility-1", { highlighted: true });

    await deliver({ kind: "state", leader: true, error: "still blocked" });
    expect(updateUtility).toHaveBeenCalledTimes(1);

    await deliver(stateMessage());
    expect(updateUtility).toHaveBeenLastCalledWith("utility-1", { highlighted: false });
  });

  it("leaves the utility bar alone outside a utility", async () => {
    mount();
    IsConsoleNavigation.emit(true);
    EnclosingUtilityId.emit(null);
    await deliver({ kind: "state", leader: true, error: "blocked" });
    expect(updateUtility).not.toHaveBeenCalled();
  });
  describe("presence event", () => {
    it("publishes once when the leader's pair changes, with the reason of the latest entry", async () => {
      const element = mount();
      expect(byId(element, "presence-event")).toBeNull();

      await deliver(stateMessage());
      await settle();
      expect(publishPresence).toHaveBeenCalledTimes(1);
      // The fixture's latest entry is a decision: its event is the reason.
      expect(publishPresence).toHaveBeenCalledWith({
        omniStatus: "Available",
        telephonyState: "Lunch",
        reason: "omni.workloadChanged",
      });
      expect(text(byId(element, "presence-event"))).toMatch(
        /^Presence event published: Available \/ Lunch at \S+ · reason: omni\.workloadChanged$/
      );

      // The rule's action lands: its echo names the rule.
      const rule = "omniToTelephony[0]: Available -> Available";
      await deliver(nextMessage("Available", echoOf(rule)));
      await settle();
      expect(publishPresence).toHaveBeenCalledTimes(2);
      expect(publishPresence).toHaveBeenLastCalledWith({
        omniStatus: "Available",
        telephonyState: "Available",
        reason: rule,
      });
      expect(text(byId(element, "presence-event"))).toContain(`Available / Available at`);
      expect(text(byId(element, "presence-event"))).toContain(`reason: ${rule}`);
      expect(byId(element, "presence-event-error")).toBeNull();
    });

    it("does not publish the same pair again", async () => {
      mount();
      await deliver(stateMessage());
      await settle();
      // Heartbeats, a workload change, a new trace entry: same Omni status and phone state.
      await deliver(stateMessage());
      const busier = stateMessage();
      busier.state.workload = { configuredCapacity: 4, currentWorkload: 3, previousWorkload: 1 };
      busier.trace = [...busier.trace, echoOf("some rule")];
      await deliver(busier);
      await settle();

      expect(publishPresence).toHaveBeenCalledTimes(1);
    });

    it("does not publish from a mirroring tab, nor without a state", async () => {
      mount();
      await deliver(stateMessage({ leader: false }));
      await deliver({ ...nextMessage("Available", echoOf("rule")), leader: false });
      await deliver({ kind: "state", leader: true, error: "blocked" });
      await settle();
      expect(publishPresence).not.toHaveBeenCalled();

      // This tab takes the lead: it speaks from now on.
      await deliver(stateMessage());
      await settle();
      expect(publishPresence).toHaveBeenCalledTimes(1);
      expect(publishPresence).toHaveBeenCalledWith(expect.objectContaining({ omniStatus: "Available" }));
    });

    it("publishes Offline for a logged-out agent, and nothing for an unknown status", async () => {
      const element = mount();
      const unknown = stateMessage();
      unknown.state.omni = { ...unknown.state.omni, developerName: null, label: null };
      await deliver(unknown);
      await settle();
      expect(publishPresence).not.toHaveBeenCalled();

      const loggedOut = stateMessage();
      loggedOut.state.omni = { loggedIn: false, statusId: null, developerName: null, label: null, channels: [], since: null };
      loggedOut.state.telephony = { state: null, previous: null, isSystemState: false };
      loggedOut.trace = [
        {
          seq: 9,
          at: 30000,
          kind: "decision",
          message: "omni.logout: no action",
          mirrored: false,
          decision: { actions: [], trace: { event: "omni.logout", at: 30000, rules: [], notes: [] } },
        },
      ];
      await deliver(loggedOut);
      await settle();

      expect(publishPresence).toHaveBeenCalledTimes(1);
      expect(publishPresence).toHaveBeenCalledWith({ omniStatus: "Offline", telephonyState: null, reason: "omni.logout" });
      expect(text(byId(element, "presence-event"))).toMatch(/^Presence event published: Offline \/ no phone state at /);
    });

    it("waits until the engine has read the current presence", async () => {
      mount();
      const starting = stateMessage();
      starting.state.omni = { loggedIn: false, statusId: null, developerName: null, label: null, channels: [], since: null };
      starting.trace = [{ seq: 1, at: 100, kind: "reconciling", message: "reading the current presence before acting", mirrored: false }];
      await deliver(starting);
      await settle();
      // The model is still the default one: no "Offline" for an agent who is logged in.
      expect(publishPresence).not.toHaveBeenCalled();

      const read = stateMessage();
      read.trace = [
        ...starting.trace,
        { seq: 2, at: 300, kind: "reconciled", message: "presence read; 0 buffered event(s) replayed", mirrored: false },
      ];
      await deliver(read);
      await settle();
      expect(publishPresence).toHaveBeenCalledTimes(1);
      expect(publishPresence).toHaveBeenCalledWith({ omniStatus: "Available", telephonyState: "Lunch", reason: "reconciled" });
    });

    it("keeps the reason within the event field's 255 characters", async () => {
      mount();
      const rule = "r".repeat(300);
      await deliver(nextMessage("Available", echoOf(rule)));
      await settle();
      expect(publishPresence.mock.calls[0][0].reason).toBe("r".repeat(255));
    });

    it("shows an error when the Apex call rejects, keeps rendering and retries later", async () => {
      const now = jest.spyOn(Date, "now").mockReturnValue(1_000_000);
      publishPresence.mockRejectedValueOnce({
        status: 500,
        body: { message: "apex.publishFailed: the OmniSync_Presence__e event was not published: LIMIT_EXCEEDED" },
      });
      const element = mount();
      await deliver(stateMessage());
      await settle();

      const error = byId(element, "presence-event-error");
      expect(error.getAttribute("role")).toBe("alert");
      expect(text(error)).toBe(
        "Presence event not published: apex.publishFailed: the OmniSync_Presence__e event was not published: LIMIT_EXCEEDED"
      );
      expect(byId(element, "presence-event")).toBeNull();
      // The rest of the panel is untouched: the engine's error stays for the engine.
      expect(byId(element, "error")).toBeNull();
      expect(text(byId(element, "omni-status"))).toBe("Available");
      expect(text(byId(element, "telephony-state"))).toBe("Lunch");
      expect(allById(element, "entry")).toHaveLength(4);

      // The state keeps rendering; the same pair is not retried on every heartbeat...
      now.mockReturnValue(1_030_000);
      const busier = stateMessage();
      busier.state.workload = { configuredCapacity: 4, currentWorkload: 2, previousWorkload: 1 };
      await deliver(busier);
      await settle();
      expect(text(byId(element, "workload"))).toBe("workload 2 / 4 (50%)");
      expect(publishPresence).toHaveBeenCalledTimes(1);
      expect(byId(element, "presence-event-error")).not.toBeNull();

      // ...but a minute later, and then the error goes away.
      now.mockReturnValue(1_060_000);
      await deliver(stateMessage());
      await settle();
      expect(publishPresence).toHaveBeenCalledTimes(2);
      expect(byId(element, "presence-event-error")).toBeNull();
      expect(text(byId(element, "presence-event"))).toMatch(/^Presence event published: Available \/ Lunch at /);
    });

    it("publishes a new pair at once after a failure, and shows a thrown Error's message", async () => {
      jest.spyOn(Date, "now").mockReturnValue(1_000_000);
      publishPresence.mockRejectedValueOnce(new Error("Failed to fetch"));
      const element = mount();
      await deliver(stateMessage());
      await settle();
      expect(text(byId(element, "presence-event-error"))).toBe("Presence event not published: Failed to fetch");

      await deliver(nextMessage("Available", echoOf("rule")));
      await settle();
      expect(publishPresence).toHaveBeenCalledTimes(2);
      expect(publishPresence).toHaveBeenLastCalledWith({ omniStatus: "Available", telephonyState: "Available", reason: "rule" });
      expect(byId(element, "presence-event-error")).toBeNull();
    });

    it("keeps showing the newest call's outcome when an older one answers last", async () => {
      let rejectFirst;
      publishPresence.mockImplementationOnce(
        () => new Promise((resolve, reject) => {
          rejectFirst = reject;
        })
      );
      const element = mount();
      await deliver(stateMessage());
      await deliver(nextMessage("Available", echoOf("rule")));
      await settle();
      expect(text(byId(element, "presence-event"))).toContain("Available / Available");

      rejectFirst({ body: { message: "apex.publishFailed: late" } });
      await settle();
      expect(byId(element, "presence-event-error")).toBeNull();
      expect(text(byId(element, "presence-event"))).toContain("Available / Available");

      // The failed pair is no longer the presence: nothing to retry.
      await deliver(nextMessage("Available", echoOf("rule")));
      await settle();
      expect(publishPresence).toHaveBeenCalledTimes(2);
    });
  });
});
