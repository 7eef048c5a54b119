// The right column: what the engine in THIS tab believes (state(), isLeader()), its
// decision trace and the UserServicePresence records it computes. Everything is read
// from the runtime instance; nothing here decides anything.

import { clock, el, fill, name } from "./dom.js";

const OPS = { eq: "=", ne: "≠", gt: ">", ge: "≥", lt: "<", le: "≤" };

/**
 * Builds the engine panel inside the page's placeholders.
 * @param {{badge: HTMLElement, state: HTMLElement, stats: HTMLElement, trace: HTMLElement, metrics: HTMLElement}} parts
 * @returns {{render: (instance: object) => void}} `render` is cheap to call often: the
 *   trace is rebuilt only when it has new entries.
 */
export function createEnginePanel(parts) {
  let traceKey = null;
  return {
    render(instance) {
      renderBadge(parts.badge, instance.isLeader());
      renderState(parts.state, instance.state());
      renderStats(parts.stats, instance.stats());
      const trace = instance.trace();
      const last = trace[trace.length - 1];
      const key = `${trace.length}/${last?.seq ?? last?.at ?? ""}/${last?.message ?? ""}`;
      if (key !== traceKey) {
        traceKey = key;
        renderTrace(parts.trace, trace);
      }
      renderMetrics(parts.metrics, instance.metrics(Date.now()));
    },
  };
}

function renderBadge(badge, leader) {
  badge.textContent = leader ? "leader" : "follower";
  badge.className = `badge ${leader ? "leader" : "follower"}`;
  badge.title = leader
    ? "This tab acts for the agent: it carries out the rules' actions."
    : "Another tab of the agent acts; this one mirrors its state and trace.";
}

function renderState(root, state) {
  const { omni, workload, telephony } = state;
  const pct = workload.configuredCapacity
    ? Math.round((workload.currentWorkload / workload.configuredCapacity) * 100) : 0;
  const open = Object.values(state.works ?? {}).filter((w) => w.status === "Opened").length;
  fill(root,
    el("div", { class: "side" },
      el("h3", { text: "Omni-Channel" }),
      el("p", { class: "status", testid: "engine-omni", dataset: { status: omni.loggedIn ? omni.developerName ?? "" : "Offline" } },
        omni.loggedIn ? name(omni.label ?? omni.developerName ?? omni.statusId) : "logged out"),
      el("p", { testid: "engine-workload", dataset: { workload: String(workload.currentWorkload) } },
        `workload ${workload.currentWorkload} / ${workload.configuredCapacity} (${pct}%), ${open} open item(s)`)),
    el("div", { class: "side" },
      el("h3", { text: "Telephony" }),
      el("p", { class: "status", testid: "engine-phone", dataset: { state: telephony.state ?? "" } },
        telephony.state ? name(telephony.state) : "unknown"),
      el("p", { text: telephony.isSystemState ? "on a contact (system state)" : `previous: ${telephony.previous ?? "—"}` })));
}

function renderStats(root, stats) {
  fill(root, Object.entries(stats ?? {}).map(([name, value]) =>
    el("span", { class: "stat", dataset: { stat: name } }, el("b", { text: String(value) }), ` ${name}`)));
}

/** Newest first: the entry the agent is asking about is usually the latest. */
function renderTrace(root, entries) {
  fill(root, entries.slice().reverse().map((entry) => {
    const kind = String(entry.kind ?? "note").replace(/[^A-Za-z]/g, "");
    // Decisions that did nothing are kept (they answer "why didn't it change?") but dimmed.
    const idle = entry.decision && !entry.decision.actions?.length;
    return el("li", { class: `entry kind-${kind}${idle ? " idle" : ""}`, testid: "trace-entry", dataset: { kind, mirrored: String(Boolean(entry.mirrored)) } },
      el("div", { class: "line" },
        el("time", { text: clock(entry.at) }),
        el("span", { class: "kind", text: kind }),
        entry.mirrored ? el("span", { class: "tag", text: "mirrored", title: "decided by the leader tab" }) : null,
        el("span", { class: "message", text: entry.message ?? "" }),
        entry.rule ? el("span", { class: "rule", text: `rule: ${entry.rule}` }) : null),
      entry.decision ? renderDecision(entry.decision) : null);
  }));
}

function renderDecision({ actions = [], trace = {} }) {
  const rules = trace.rules ?? [];
  const matched = rules.filter((r) => r.matched);
  const others = rules.filter((r) => !r.matched);
  return el("div", { class: "decision" },
    matched.map(renderRule),
    others.length ? el("details", {}, el("summary", { text: `${others.length} rule(s) did not match` }), others.map(renderRule)) : null,
    // The runtime's trace keeps only the rules that matched, and counts the rest: a rule
    // limited to other agents would otherwise leave nothing but "no action" behind.
    trace.outOfScope ? el("p", { class: "note out-of-scope", testid: "trace-out-of-scope", dataset: { outcome: "outOfScope", count: String(trace.outOfScope) } },
      `outOfScope: ${trace.outOfScope} rule(s) limited to other agents (see the context under "Org and agent")`) : null,
    !others.length && trace.notMatched ? el("p", { class: "note", text: `${trace.notMatched} rule(s) did not match` }) : null,
    actions.length ? el("p", { class: "actions" }, "actions: ", actions.map(describeAction).join("; ")) : null,
    (trace.notes ?? []).map((note) => el("p", { class: "note", text: `note: ${note}` })));
}

function renderRule(rule) {
  return el("div", { class: `rule-trace ${rule.matched ? "matched" : "unmatched"}`, testid: "trace-rule", dataset: { outcome: rule.outcome ?? "" } },
    el("span", { class: "rule-name", text: rule.rule }),
    el("span", { class: "outcome", text: rule.outcome ?? "" }),
    el("ul", { class: "checks" }, (rule.checks ?? []).map((c) =>
      el("li", { class: c.result ? "true" : "false" },
        el("code", { text: `${c.left} (${show(c.value)}) ${OPS[c.op] ?? c.op} ${c.rightOperand ? `${c.rightOperand} (${show(c.right)})` : show(c.right)}` }),
        ` → ${c.result}`))));
}

function describeAction(action) {
  if (action.type === "setOmniStatus") return `set Omni status ${action.developerName ?? action.statusId}`;
  if (action.type === "setTelephonyState") return `set telephony state ${action.state}`;
  return JSON.stringify(action);
}

const show = (value) => (value === undefined || value === null ? "none" : JSON.stringify(value));

// UserServicePresence's own fields: ISO 8601 dates, durations in whole seconds,
// StatusDuration only on ended records.
const COLUMNS = [
  ["Status", (r) => r.ServicePresenceStatus?.DeveloperName ?? r.ServicePresenceStatusId],
  ["StatusStartDate", (r) => clock(Date.parse(r.StatusStartDate))],
  ["StatusEndDate", (r) => (r.StatusEndDate == null ? "—" : clock(Date.parse(r.StatusEndDate)))],
  ["StatusDuration", (r) => (r.StatusDuration == null ? "—" : `${r.StatusDuration} s`)],
  ["IdleDuration", (r) => `${r.IdleDuration} s`],
  ["AtCapacityDuration", (r) => `${r.AtCapacityDuration} s`],
  ["AverageCapacity", (r) => `${Number(r.AverageCapacity).toFixed(2)}`],
  ["ConfiguredCapacity", (r) => String(r.ConfiguredCapacity)],
  ["IsAway", (r) => String(r.IsAway)],
  ["IsCurrentState", (r) => String(r.IsCurrentState)],
];

function renderMetrics(table, metrics) {
  const records = metrics?.records ?? [];
  fill(table,
    el("thead", {}, el("tr", {}, COLUMNS.map(([name]) => el("th", { scope: "col", text: name })))),
    el("tbody", {}, records.map((r) =>
      el("tr", { testid: "metrics-row", class: r.IsCurrentState ? "current" : "", dataset: { status: r.ServicePresenceStatus?.DeveloperName ?? "" } },
        COLUMNS.map(([, cell]) => el("td", { text: cell(r) }))))));
}
