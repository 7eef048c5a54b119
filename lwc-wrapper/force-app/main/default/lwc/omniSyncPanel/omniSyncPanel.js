// The utility-bar panel: what the omnisync engine in the Visualforce host believes, as
// it publishes it on OmniSync__c (docs/message-channel.md, kind "state"). The panel
// only shows; it never decides nor calls the toolkit. Its one side effect: in the
// leading tab it reports each new (Omni status, telephony state) pair to Apex, which
// publishes the OmniSync_Presence__e platform event for Flows (docs/salesforce-flow.md).
// Labels, state names, rule names and messages come from the org or the rules file, so
// they reach the page through template bindings (text), never as markup.
import { LightningElement, wire } from "lwc";
import {
  APPLICATION_SCOPE,
  MessageContext,
  subscribe,
  unsubscribe,
} from "lightning/messageService";
import OMNISYNC_CHANNEL from "@salesforce/messageChannel/OmniSync__c";
import publishPresence from "@salesforce/apex/OmniSyncPresencePublisher.publish";
import { IsConsoleNavigation } from "lightning/platformWorkspaceApi";
import {
  EnclosingUtilityId,
  updateUtility,
} from "lightning/platformUtilityBarApi";

const OPS = { eq: "=", ne: "≠", gt: ">", ge: "≥", lt: "<", le: "≤" };

/** A pair whose publication failed is tried again no sooner than this (state messages come every 5 s). */
const PRESENCE_RETRY_MS = 60000;
/** The length of OmniSync_Presence__e.Reason__c. */
const MAX_REASON = 255;

export default class OmniSyncPanel extends LightningElement {
  @wire(MessageContext) messageContext;

  /** The last `state` message; null until the host publishes one. */
  message = null;
  /** true / false once the platform answers; undefined before. */
  isConsole;
  utilityId;
  subscription = null;
  /** What we last asked the utility bar to show, so it is told only on a change. */
  highlighted = false;

  /** Key of the (Omni status, telephony state) pair last sent to Apex, in flight or done. */
  lastPresenceKey;
  /** After a failure: `{key, notBefore}`, so a failing pair is not sent every 5 s. */
  presenceRetry = null;
  /** Counts the calls, so that a late answer does not overwrite a newer one's. */
  presenceCalls = 0;
  presenceShown = 0;
  /** The last presence event published: `{omniStatus, telephonyState, reason, at}`. */
  publishedPresence = null;
  /** The message of the last failed publication; null once one succeeds. */
  presenceError = null;

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

  connectedCallback() {
    if (!this.subscription) {
      // Application scope: the host page is not in the utility's active area.
      this.subscription = subscribe(
        this.messageContext,
        OMNISYNC_CHANNEL,
        (message) => this.handleMessage(message),
        { scope: APPLICATION_SCOPE }
      );
    }
  }

  disconnectedCallback() {
    unsubscribe(this.subscription);
    this.subscription = null;
  }

  handleMessage(message) {
    // The channel also carries the bridge's events, commands and replies.
    if (message?.kind !== "state") {
      return;
    }
    this.message = message;
    this.syncUtility();
    this.publishPresenceIfChanged(message);
  }

  /**
   * Publishes the agent's presence as OmniSync_Presence__e: only from the leading tab
   * (the others mirror it), only once the engine has read the current presence, and
   * only when the (Omni status, telephony state) pair differs from the last one sent.
   * Never throws: a failure is shown in the panel and the pair is tried again on a
   * later state message, at most once a minute.
   */
  async publishPresenceIfChanged(message) {
    const presence = presenceOf(message);
    if (!presence) {
      return;
    }
    const { omniStatus, telephonyState } = presence;
    const key = `${omniStatus}\u0000${telephonyState ?? ""}`;
    if (key === this.lastPresenceKey) {
      return;
    }
    const now = Date.now();
    if (this.presenceRetry?.key === key && now < this.presenceRetry.notBefore) {
      return;
    }
    this.lastPresenceKey = key;
    const reason = reasonOf(message.trace).slice(0, MAX_REASON);
    const call = ++this.presenceCalls;
    try {
      await publishPresence({ omniStatus, telephonyState, reason });
      this.presenceRetry = null;
      if (call > this.presenceShown) {
        this.presenceShown = call;
        this.presenceError = null;
        this.publishedPresence = { omniStatus, telephonyState, reason, at: now };
      }
    } catch (error) {
      // Try this pair again later, unless the presence has moved on meanwhile.
      if (this.lastPresenceKey === key) {
        this.lastPresenceKey = undefined;
        this.presenceRetry = { key, notBefore: now + PRESENCE_RETRY_MS };
      }
      if (call > this.presenceShown) {
        this.presenceShown = call;
        this.presenceError = errorText(error);
      }
    }
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

  get error() {
    const error = this.message?.error;
    return error ? String(error) : null;
  }

  get hasState() {
    return Boolean(this.message?.state);
  }

  get presenceEvent() {
    const published = this.publishedPresence;
    if (!published) {
      return null;
    }
    return {
      text: `Presence event published: ${published.omniStatus} / ${published.telephonyState ?? "no phone state"} at ${clock(published.at)}`,
      reason: published.reason ? `reason: ${published.reason}` : null,
    };
  }

  get presenceEventError() {
    return this.presenceError ? `Presence event not published: ${this.presenceError}` : null;
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

/**
 * The pair to publish for a `state` message, or null when there is nothing to say:
 * not the leading tab, no state, the engine still reading the presence at start-up
 * (its model is then a default or a stored one), or logged in to a status the
 * catalog does not know.
 */
function presenceOf(message) {
  const state = message?.state;
  if (!message?.leader || !state || !presenceRead(message.trace)) {
    return null;
  }
  const omni = state.omni ?? {};
  const omniStatus = omni.loggedIn ? omni.developerName : "Offline";
  if (!omniStatus) {
    return null;
  }
  // null until the phone reports a state; Apex stores a blank one as empty.
  return { omniStatus, telephonyState: state.telephony?.state ?? null };
}

/** false while the latest start-up entry of the trace is "reconciling" (docs/runtime.md, Reload). */
function presenceRead(trace) {
  const entries = Array.isArray(trace) ? trace : [];
  for (let i = entries.length - 1; i >= 0; i--) {
    const kind = entries[i]?.kind;
    if (kind === "reconciled") {
      return true;
    }
    if (kind === "reconciling") {
      return false;
    }
  }
  // Both long out of the trace's window: the engine has been running for a while.
  return true;
}

/**
 * Why the pair changed, from the latest trace entry: the rule whose action just took
 * effect (its echo names it), else the event of an agent's change (a decision:
 * `omni.statusChanged`, `telephony.stateChanged`, `omni.logout`...), else the entry's
 * kind (`reconciled` at start-up, `leadership` when this tab takes over...).
 */
function reasonOf(trace) {
  const last = Array.isArray(trace) ? trace[trace.length - 1] : null;
  if (!last) {
    return "";
  }
  return String(last.rule || last.decision?.trace?.event || last.kind || "");
}

/** Imperative Apex rejects with `{body: {message}}`; anything else is shown as it is. */
function errorText(error) {
  const body = error?.body;
  const message = Array.isArray(body) ? body[0]?.message : body?.message;
  return String(message ?? error?.message ?? error);
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
