// The engine's view, as the Visualforce host sends it (docs/message-channel.md, kind
// "state"): a child of the OmniSyncBridge Aura component, which sets `message` to the
// host's last state message and `hostSilent` when the host has said nothing for longer
// than a hidden console's timers allow. The panel only shows; it never decides, calls
// the toolkit or sends anything, and it uses no message channel. The host publishes the
// OmniSync_Presence__e platform event itself (docs/salesforce-flow.md); the panel shows
// what the host reports about it.
// Labels, state names, rule names and messages come from the org or the rules file, so
// they reach the page through template bindings (text), never as markup.
import { LightningElement, api, wire } from "lwc";
import { IsConsoleNavigation } from "lightning/platformWorkspaceApi";
import {
  EnclosingUtilityId,
  updateUtility,
} from "lightning/platformUtilityBarApi";
import { visibleDeep } from "./safeText";

const OPS = { eq: "=", ne: "≠", gt: ">", ge: "≥", lt: "<", le: "≤" };

export default class OmniSyncPanel extends LightningElement {
  /** true when the bridge has heard nothing from the host past its silence limit. */
  @api hostSilent = false;

  _message = null;
  /** true / false once the platform answers; undefined before. */
  isConsole;
  utilityId;
  /** What we last asked the utility bar to show, so it is told only on a change. */
  highlighted = false;

  /** The host's last state message (null until it sends one); set by the bridge. */
  @api
  get message() {
    return this._message;
  }
  set message(value) {
    // The bridge hands only state messages; anything else leaves the view as it is.
    if (value === null || value === undefined || value.kind === "state") {
      // Every name in it is shown, never obeyed (bidi overrides, NUL): ./safeText.js.
      this._message = value ? visibleDeep(value) : null;
    }
    this.syncUtility();
  }

  @wire(IsConsoleNavigation)
  wiredConsoleNavigation(value) {
    this.isConsole = value;
    this.syncUtility();
  }

  @wire(EnclosingUtilityId)
  wiredUtilityId(value) {
    this.utilityId = value;
    this.syncUtility();
  }

  /**
   * Highlights the utility while the engine reports an error, so a minimised panel
   * still draws the agent's eye. Console APIs only in a console app, inside a utility.
   */
  syncUtility() {
    const failing = Boolean(this.message?.error);
    if (this.isConsole !== true || !this.utilityId || failing === this.highlighted) {
      return;
    }
    this.highlighted = failing;
    updateUtility(this.utilityId, { highlighted: failing }).catch(() => {
      // The panel itself shows the error; the highlight is only a hint. Try again on
      // the next message.
      this.highlighted = !failing;
    });
  }

  get waiting() {
    return !this.message;
  }

  get silentText() {
    return this.hostSilent
      ? "The engine has said nothing for over two minutes: its page may have stopped. Reload the console tab if this stays."
      : null;
  }

  get error() {
    const error = this.message?.error;
    return error ? String(error) : null;
  }

  get hasState() {
    return Boolean(this.message?.state);
  }

  get presenceEvent() {
    const published = this.message?.presence?.published;
    if (!published) {
      return null;
    }
    return {
      text: `Presence event published: ${published.omniStatus} / ${published.telephonyState ?? "no phone state"} at ${clock(published.at)}`,
      reason: published.reason ? `reason: ${published.reason}` : null,
    };
  }

  get presenceEventError() {
    const error = this.message?.presence?.error;
    return error ? `Presence event not published: ${error}` : null;
  }

  /** Messages other frames posted to the engine's page, which it ignored. */
  get droppedText() {
    const n = Number(this.message?.dropped?.frames ?? 0);
    return n ? `${n} message${n === 1 ? "" : "s"} from other frames ignored` : null;
  }

  get role() {
    const leader = Boolean(this.message?.leader);
    return {
      label: leader ? "Leader tab" : "Mirroring",
      title: leader
        ? "This tab acts for the agent: it carries out the rules' actions."
        : "Another tab of the agent acts; this one mirrors its state and decisions.",
      className: `slds-badge ${leader ? "role-leader" : "role-mirror"}`,
    };
  }

  get navigation() {
    if (this.isConsole === true) {
      return "Console app";
    }
    return this.isConsole === false ? "Not a console app" : "Checking the app";
  }

  get omni() {
    const omni = this.message?.state?.omni ?? {};
    const loggedIn = Boolean(omni.loggedIn);
    const status = omni.label ?? omni.developerName ?? omni.statusId ?? "unknown status";
    return {
      status: loggedIn ? status : "Offline",
      apiName: loggedIn && omni.developerName && omni.developerName !== status ? omni.developerName : null,
      login: loggedIn ? "Logged in" : "Not logged in",
      since: loggedIn && omni.since ? `since ${clock(omni.since)}` : null,
    };
  }

  get workload() {
    const state = this.message?.state ?? {};
    const workload = state.workload ?? {};
    const current = Number(workload.currentWorkload ?? 0);
    const capacity = Number(workload.configuredCapacity ?? 0);
    const pct = Number.isFinite(workload.workloadPct)
      ? workload.workloadPct
      : capacity ? Math.round((current / capacity) * 100) : 0;
    const open = Object.values(state.works ?? {}).filter((w) => w?.status === "Opened").length;
    return {
      text: `${current} / ${capacity} (${pct}%)`,
      open: `${open} open work item${open === 1 ? "" : "s"}`,
    };
  }

  get telephony() {
    const telephony = this.message?.state?.telephony ?? {};
    return {
      state: telephony.state ?? "unknown",
      detail: telephony.isSystemState
        ? "on a contact (system state)"
        : `previous: ${telephony.previous ?? "—"}`,
    };
  }

  get stats() {
    return Object.entries(this.message?.stats ?? {}).map(([name, value]) => ({
      name,
      text: `${value} ${name}`,
    }));
  }

  /** Newest first: the entry the agent asks about is usually the latest. */
  get entries() {
    const trace = Array.isArray(this.message?.trace) ? this.message.trace : [];
    return trace.map(entryView).reverse();
  }

  get hasEntries() {
    return this.entries.length > 0;
  }

  get presence() {
    const records = this.message?.metrics?.records ?? [];
    const current = records.find((r) => r?.IsCurrentState) ?? records[records.length - 1];
    if (!current) {
      return null;
    }
    // UserServicePresence's own shape: ISO 8601 dates, durations in seconds, and
    // StatusDuration only once the status ended (so a running one is counted here).
    const start = Date.parse(current.StatusStartDate);
    const elapsed = current.StatusDuration ?? (Date.now() - start) / 1000;
    return {
      caption: `Current presence record (${records.length} record${records.length === 1 ? "" : "s"})`,
      rows: [
        ["Status", current.ServicePresenceStatus?.DeveloperName ?? current.ServicePresenceStatusId ?? "—"],
        ["Since", clock(start)],
        ["Duration", duration(elapsed)],
        ["Idle", duration(current.IdleDuration)],
        ["At capacity", duration(current.AtCapacityDuration)],
        ["Average capacity", `${fixed(current.AverageCapacity)} / ${current.ConfiguredCapacity ?? "—"}`],
        ["Away", current.IsAway ? "yes" : "no"],
      ].map(([label, value]) => ({ label, value: String(value) })),
    };
  }
}

function entryView(entry, index) {
  const decision = entry?.decision;
  const rules = decision?.trace?.rules ?? [];
  const actions = (decision?.actions ?? []).map(describeAction);
  const unmatched = rules.filter((r) => !r.matched);
  // Decisions that did nothing are kept (they answer "why didn't it change?") but dimmed.
  const idle = Boolean(decision) && actions.length === 0;
  return {
    key: `${index}-${entry?.seq ?? ""}`,
    className: `entry${idle ? " entry-idle" : ""}`,
    time: entry?.at ? clock(entry.at) : "",
    kind: String(entry?.kind ?? "note"),
    mirrored: Boolean(entry?.mirrored),
    isDecision: Boolean(decision),
    event: decision?.trace?.event ?? "",
    message: entry?.message ?? "",
    rule: entry?.rule ? `rule: ${entry.rule}` : null,
    actions: actions.length ? `actions: ${actions.join("; ")}` : "no action",
    matched: rules.filter((r) => r.matched).map(ruleView),
    unmatched: unmatched.length
      ? {
          summary: `${unmatched.length} rule${unmatched.length === 1 ? "" : "s"} did not match`,
          rules: unmatched.map(ruleView),
        }
      : null,
    notes: (decision?.trace?.notes ?? []).map((note, i) => ({ key: `n${i}`, text: `note: ${note}` })),
  };
}

function ruleView(rule, index) {
  return {
    key: `r${index}`,
    name: rule.rule ?? "",
    outcome: rule.outcome ?? "",
    checks: (rule.checks ?? []).map((check, i) => ({
      key: `c${i}`,
      className: check.result ? "check check-true" : "check check-false",
      text: describeCheck(check),
    })),
  };
}

function describeCheck(check) {
  const right = check.rightOperand
    ? `${check.rightOperand} (${show(check.right)})`
    : show(check.right);
  return `${check.left} (${show(check.value)}) ${OPS[check.op] ?? check.op} ${right} → ${check.result}`;
}

function describeAction(action) {
  if (action?.type === "setOmniStatus") {
    return `set Omni status ${action.developerName ?? action.statusId}`;
  }
  if (action?.type === "setTelephonyState") {
    return `set telephony state ${action.state}`;
  }
  if (action?.type === "logoutOmni") {
    return "log out of Omni-Channel";
  }
  return JSON.stringify(action);
}

function show(value) {
  return value === undefined || value === null ? "none" : JSON.stringify(value);
}

function clock(ms) {
  return Number.isFinite(ms) ? new Date(ms).toLocaleTimeString([], { hour12: false }) : "—";
}

function fixed(value) {
  return Number.isFinite(value) ? value.toFixed(2) : "—";
}

/** Short enough for a narrow utility panel: "8.0 s", "4 min 05 s", "2 h 10 min". */
function duration(s) {
  if (!Number.isFinite(s)) {
    return "—";
  }
  if (s < 60) {
    return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  }
  const total = Math.floor(s);
  const pad = (n) => String(n).padStart(2, "0");
  if (total < 3600) {
    return `${Math.floor(total / 60)} min ${pad(total % 60)} s`;
  }
  return `${Math.floor(total / 3600)} h ${pad(Math.floor((total % 3600) / 60))} min`;
}
