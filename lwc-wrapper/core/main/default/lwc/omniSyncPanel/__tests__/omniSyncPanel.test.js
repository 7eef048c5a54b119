// The panel is fed only by its bridge, which sets its `message` property, so every test
// mounts it and plays messages into it. The fixture (data/stateMessage.json, a state
// message from the host) is what
// the engine (pkg/node, www/demo/default-rules.json) produced for: login Available,
// telephony Lunch at 5 s, workload 0 -> 1 of 4 at 9 s, metrics at 20 s.
import { createElement } from "lwc";
import OmniSyncPanel from "c/omniSyncPanel";
import { IsConsoleNavigation } from "lightning/platformWorkspaceApi";
import { EnclosingUtilityId, updateUtility } from "lightning/platformUtilityBarApi";
import fs from "fs";
import path from "path";

const STATE_MESSAGE = require("./data/stateMessage.json");

/** The fixture message, a fresh copy each time, with `overrides` on top. */
function stateMessage(overrides = {}) {
  return { ...JSON.parse(JSON.stringify(STATE_MESSAGE)), ...overrides };
}

let mounted = null;
function mount() {
  mounted = createElement("c-omni-sync-panel", { is: OmniSyncPanel });
  document.body.appendChild(mounted);
  return mounted;
}

/** Hands the panel a message as its bridge does, then lets it render. */
async function deliver(message) {
  mounted.message = message;
  await Promise.resolve();
}

const byId = (element, id) => element.shadowRoot.querySelector(`[data-id="${id}"]`);
const allById = (element, id) => [...element.shadowRoot.querySelectorAll(`[data-id="${id}"]`)];
const text = (node) => node?.textContent.replace(/\s+/g, " ").trim();

describe("c-omni-sync-panel", () => {
  afterEach(() => {
    while (document.body.firstChild) {
      document.body.removeChild(document.body.firstChild);
    }
    jest.clearAllMocks();
    jest.restoreAllMocks();
  });

  it("waits for the engine until its bridge hands it a state", () => {
    const element = mount();

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

  it("shows bidi overrides and NUL in names as code points, never obeyed", async () => {
    const element = mount();
    const message = stateMessage();
    message.state.omni.label = "\u202EhcnuL";
    message.state.telephony.state = "Lunch\u0000";
    await deliver(message);

    expect(text(byId(element, "omni-status"))).toBe("[U+202E]hcnuL (Available)");
    expect(text(byId(element, "telephony-state"))).toBe("Lunch[U+0000]");
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

  it("names a logout action in words", async () => {
    const element = mount();
    const message = stateMessage();
    const [entry] = message.trace.filter((t) => t.kind === "decision").slice(-1);
    entry.decision.actions = [{ type: "logoutOmni", rule: "phone offline logs out of Omni" }];
    await deliver(message);
    const texts = allById(element, "entry").map((e) => text(e.querySelector('[data-id="entry-actions"]')));
    expect(texts).toContain("actions: log out of Omni-Channel");
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
    it("shows what the host published, and never calls Apex itself", async () => {
      const element = mount();
      await deliver(
        stateMessage({
          presence: {
            published: { omniStatus: "Lunch", telephonyState: "Lunch", reason: "Connect agent switches to Lunch", at: 5000 },
            error: null,
          },
        }),
      );
      expect(text(byId(element, "presence-event"))).toContain("Presence event published: Lunch / Lunch");
      expect(text(byId(element, "presence-event"))).toContain("reason: Connect agent switches to Lunch");
      const source = fs.readFileSync(path.join(__dirname, "..", "omniSyncPanel.js"), "utf8");
      expect(source).not.toMatch(/@salesforce\/apex/);
    });

    it("shows the host's publication error", async () => {
      const element = mount();
      await deliver(stateMessage({ presence: { published: null, error: "apex.rateLimited: more than 20" } }));
      expect(text(byId(element, "presence-event-error"))).toBe("Presence event not published: apex.rateLimited: more than 20");
    });
  });

  describe("life and other frames", () => {
    it("says when the bridge finds the host silent, and stops saying it when it speaks", async () => {
      const element = mount();
      await deliver(stateMessage());
      element.hostSilent = true;
      await Promise.resolve();
      expect(text(byId(element, "silent"))).toMatch(/^The engine has said nothing for over two minutes/);
      element.hostSilent = false;
      await Promise.resolve();
      expect(byId(element, "silent")).toBeNull();
    });

    it("shows how many messages from other frames the host ignored", async () => {
      const element = mount();
      await deliver(stateMessage({ dropped: { replies: 0, frames: 3 } }));
      expect(text(byId(element, "dropped"))).toBe("3 messages from other frames ignored");
    });
  });
});
