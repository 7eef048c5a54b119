// The benchmark's rule set, once in omnisync's format and translated mechanically into
// the two JavaScript engines a team would otherwise use. Translating (rather than
// writing three rule sets by hand) is what makes "the same decisions" checkable: every
// rule keeps its name and its place, and the equivalence check in run.mjs proves it.
// No imports: the browser pages import this file too.

// ------------------------------------------------------------------ the org

/** A Salesforce Id's 18-character form, as the engine normalises it (salesforce_id.rs). */
function to18(id) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
  let suffix = "";
  for (let c = 0; c < 15; c += 5) {
    let bits = 0;
    for (let i = 0; i < 5; i++) if (/[A-Z]/.test(id[c + i])) bits |= 1 << i;
    suffix += alphabet[bits];
  }
  return id + suffix;
}

// [DeveloperName, online]: the away statuses are the ones without channels.
const STATUS_NAMES = [["Available", true], ["Working_Phone", false], ["Working_Media", true],
  ["Lunch", false], ["Break", false], ["Training", false], ["Meeting", false], ["Backlog", true]];
export const STATUSES = STATUS_NAMES.map(([developerName, online], i) => ({
  id: to18(`0N5Hs00000${String(i + 1).padStart(2, "0")}Axy`),
  developerName, label: developerName.replace("_", " - "), online,
}));
export const TELEPHONY_STATES = ["Available", "Working -- Phone", "Working - Media", "Lunch", "Break",
  "Training", "Meeting", "Busy on Omni", "Busy on Chat", "Outbound", "Offline"];
export const CHANNELS = [
  { developerName: "sfdc_case", workItemPrefixes: ["500"] },
  { developerName: "sfdc_livechat", workItemPrefixes: ["570"] },
  { developerName: "sfdc_messaging", workItemPrefixes: ["0Mw"] },
  { developerName: "sfdc_email", workItemPrefixes: ["02s"] },
  // Only known from the event's serviceChannel: no prefix.
  { developerName: "sfdc_voice_callback", workItemPrefixes: [] },
];

// ------------------------------------------------------------------ omnisync's format

const cmp = (left, op, value) => ({ left, op, right: { value } });
const cmpOp = (left, op, operand) => ({ left, op, right: { operand } });
const all = (...items) => ({ all: items });
const any = (...items) => ({ any: items });
const omni = (s) => ({ setOmniStatus: s });
const tel = (s) => ({ setTelephonyState: s });
const rule = (name, on, cond, ...then) => ({ name, on, ...(cond ? { if: cond } : {}), then });
const TN = "telephony.newState", TO = "telephony.oldState", ON = "omni.newStatus", OO = "omni.oldStatus";
const CH = "omni.channel", PW = "omni.previousWorkload", NW = "omni.newWorkload";
const CC = "omni.configuredCapacity", PP = "omni.previousWorkloadPct", NP = "omni.newWorkloadPct";
const [TEL, SC, LI, LO, WL] = ["telephony.stateChanged", "omni.statusChanged", "omni.loginSuccess",
  "omni.logout", "omni.workloadChanged"];
const [WAS, WAC, WDE, WCL] = ["omni.workAssigned", "omni.workAccepted", "omni.workDeclined", "omni.workClosed"];

// The CTI Adapter style tables, both ways. "lunch" never occurs: Connect names are
// case-sensitive, a classic mistake worth keeping in a realistic file.
const MAPPINGS = {
  telephonyToOmni: [["Available", "Available"], ["Working -- Phone", "Working_Phone"], ["Lunch", "Lunch"],
    ["Break", "Break"], ["Training", "Training"], ["Meeting", "Meeting"], ["Outbound", "Working_Phone"],
    ["lunch", "Lunch"]].map(([telephony, omni]) => ({ telephony, omni })),
  omniToTelephony: [["Available", "Available"], ["Working_Media", "Working - Media"], ["Lunch", "Lunch"],
    ["Break", "Break"], ["Training", "Training"], ["Meeting", "Meeting"], ["Backlog", "Busy on Omni"],
    ["Offline", "Offline"]].map(([omni, telephony]) => ({ omni, telephony })),
};

// Phone, status, login/logout, workload and work-item rules; "(never)" ones cannot match
// the trace (typos, contradictions, impossible values), as real files have some.
const RULES = [
  rule("On a call: Omni Working_Phone", TEL, cmp(TN, "eq", "Busy"), omni("Working_Phone")),
  rule("Call offered while on media", TEL, all(cmp(TN, "eq", "Pending"), cmp(ON, "eq", "Working_Media")), omni("Working_Phone")),
  rule("After-call work: stay Working_Phone", TEL, cmp(TN, "eq", "AfterCallWork"), omni("Working_Phone")),
  rule("Call over: Omni Available", TEL, all(cmp(TO, "eq", "AfterCallWork"), cmp(TN, "eq", "Available")), omni("Available")),
  rule("Missed call: Omni Break, phone Available", TEL, cmp(TN, "eq", "MissedCallAgent"), omni("Break"), tel("Available")),
  rule("Phone offline while logged in: Omni Break", TEL, all(cmp(TN, "eq", "Offline"), cmp(ON, "ne", "Offline")), omni("Break")),
  rule("Phone busy on Omni: Omni Backlog", TEL, cmp(TN, "eq", "Busy on Omni"), omni("Backlog")),
  rule("Phone really changed to Training", TEL, all(cmpOp(TN, "ne", TO), cmp(TN, "eq", "Training")), omni("Training")),
  rule("Busy on chat while Available", TEL, all(cmp(TN, "eq", "Busy on Chat"), cmp(ON, "eq", "Available")), omni("Working_Media")),
  rule("Typo state (never)", TEL, cmp(TN, "eq", "Avaliable"), omni("Available")),
  rule("Failed connect: phone Available", TEL, any(cmp(TN, "eq", "FailedConnectAgent"), cmp(TN, "eq", "FailedConnectCustomer")), tel("Available")),
  rule("Back from lunch: phone Available", SC, all(cmp(OO, "eq", "Lunch"), cmp(ON, "eq", "Available")), tel("Available")),
  rule("Media work while phone Available", SC, all(cmp(ON, "eq", "Working_Media"), cmp(TN, "eq", "Available")), tel("Working - Media")),
  rule("Away with open work: phone busy on Omni", SC, all(any(cmp(ON, "eq", "Lunch"), cmp(ON, "eq", "Break")), cmp(NW, "gt", 0)), tel("Busy on Omni")),
  rule("Wrong-case status (never)", SC, cmp(ON, "eq", "available"), tel("Available")),
  rule("Status outside the catalog: phone Available", SC, cmp(ON, "eq", "Tier2_Only"), tel("Available")),
  rule("Leaving Working_Phone: phone Available", SC, all(cmp(OO, "eq", "Working_Phone"), cmp(ON, "ne", "Working_Phone"), cmp(TN, "ne", "Busy")), tel("Available")),
  rule("Same status again with phone Offline", SC, all(cmpOp(ON, "eq", OO), cmp(TN, "eq", "Offline")), tel("Available")),
  rule("Logged in Available: phone Available", LI, cmp(ON, "eq", "Available"), tel("Available")),
  rule("Logged in during a call", LI, cmp(TN, "eq", "Busy"), omni("Working_Phone")),
  rule("Logged in with phone Offline", LI, cmp(TN, "eq", "Offline"), omni("Available"), tel("Available")),
  rule("Logged out with work: phone Break", LO, cmp(PW, "gt", 0), tel("Break")),
  rule("Logged out during a call: phone Offline", LO, cmp(TN, "eq", "Busy"), tel("Offline")),
  rule("At capacity: phone busy on Omni", WL, cmp(NP, "ge", 100), tel("Busy on Omni")),
  rule("Below capacity again: phone Available", WL, all(cmp(PP, "ge", "100"), cmp(NP, "lt", 100)), tel("Available")),
  rule("Nearly full on media: phone busy on Omni", WL, all(cmp(NP, "ge", 75), cmp(NP, "lt", 100), cmp(ON, "eq", "Working_Media")), tel("Busy on Omni")),
  rule("Idle again after media: Omni Available", WL, all(cmp(PW, "gt", 0), cmp(NW, "eq", 0), cmp(ON, "eq", "Working_Media")), omni("Available")),
  rule("Half full while Available: Omni Working_Media", WL, all(cmp(NP, "ge", 50), cmp(ON, "eq", "Available")), omni("Working_Media")),
  rule("Workload rose during lunch", WL, all(cmpOp(NW, "gt", PW), cmp(ON, "eq", "Lunch")), tel("Busy on Omni")),
  rule("Capacity zero (never)", WL, cmp(CC, "eq", 0), tel("Available")),
  rule("Over 500% (never)", WL, cmp(NP, "gt", 500), tel("Busy on Omni")),
  rule("Contradiction (never)", WL, all(cmp(NP, "ge", 80), cmp(NP, "lt", 50)), tel("Available")),
  rule("Idle with large capacity: phone Available", WL, all(cmp(CC, "ge", 5), cmp(NW, "eq", 0), cmp(TN, "eq", "Busy on Omni")), tel("Available")),
  rule("Chat accepted: phone busy on chat", WAC, cmp(CH, "eq", "sfdc_livechat"), tel("Busy on Chat")),
  rule("Messaging accepted: phone busy on chat", WAC, cmp(CH, "eq", "sfdc_messaging"), tel("Busy on Chat")),
  rule("Case accepted at capacity", WAC, all(cmp(CH, "eq", "sfdc_case"), cmp(NP, "ge", 100)), tel("Busy on Omni")),
  rule("Callback accepted: Working_Phone and Outbound", WAC, cmp(CH, "eq", "sfdc_voice_callback"), omni("Working_Phone"), tel("Outbound")),
  rule("Email accepted while Available", WAC, all(cmp(CH, "eq", "sfdc_email"), cmp(ON, "eq", "Available")), omni("Working_Media")),
  rule("Wrong-case chat channel (never)", WAC, cmp(CH, "eq", "SFDC_LIVECHAT"), tel("Busy on Chat")),
  rule("Unknown channel offered (never)", WAS, cmp(CH, "eq", "sfdc_unknown"), tel("Available")),
  rule("Chat offered during lunch", WAS, all(cmp(CH, "eq", "sfdc_livechat"), cmp(ON, "eq", "Lunch")), omni("Available")),
  rule("Work offered while phone Offline", WAS, cmp(TN, "eq", "Offline"), tel("Available")),
  rule("Declined chat or messaging: stay Available", WDE, any(cmp(CH, "eq", "sfdc_livechat"), cmp(CH, "eq", "sfdc_messaging")), omni("Available")),
  rule("Last chat closed: phone Available", WCL, all(cmp(CH, "eq", "sfdc_livechat"), cmp(NW, "le", 1), cmp(TN, "eq", "Busy on Chat")), tel("Available")),
  rule("Non-case work closed below capacity", WCL, all(cmp(CH, "ne", "sfdc_case"), cmp(TN, "eq", "Busy on Omni"), cmp(NP, "lt", 100)), tel("Available")),
];

/** Extra rules for larger sets (cold start loads 100): bands over the common triggers. */
function filler(k) {
  const s = STATUSES[k % STATUSES.length].developerName;
  const t = TELEPHONY_STATES[k % TELEPHONY_STATES.length];
  switch (k % 4) {
    case 0: return rule(`Band ${k}: workload ${k % 10 * 10}-${k % 10 * 10 + 10}% on ${t}`, WL,
      all(cmp(NP, "ge", k % 10 * 10), cmp(NP, "lt", k % 10 * 10 + 10), cmp(TN, "eq", t)), omni(s));
    case 1: return rule(`Band ${k}: ${CHANNELS[k % 5].developerName} accepted, capacity ${k % 6}+`, WAC,
      all(cmp(CH, "eq", CHANNELS[k % 5].developerName), cmp(CC, "ge", k % 6)), tel(TELEPHONY_STATES[(k + 3) % 10]));
    case 2: return rule(`Band ${k}: phone ${t} while ${s}`, TEL, all(cmp(TN, "eq", t), cmp(ON, "eq", s)), omni(s));
    default: return rule(`Band ${k}: ${s} while phone ${t}`, SC, all(cmp(ON, "eq", s), cmp(TN, "eq", t)),
      tel(TELEPHONY_STATES[(k + 1) % 10]));
  }
}

const MAPPING_RULES = MAPPINGS.telephonyToOmni.length + MAPPINGS.omniToTelephony.length;
/** How many rules the default set has (each mapping row compiles to one rule here). */
export const BASE_RULE_COUNT = MAPPING_RULES + RULES.length;

/**
 * The rules file. `total` rules in all (mapping rows included), at least the base set.
 * allMatches, the default, is spelled out: the peers implement exactly that.
 */
export function omnisyncRules(total = BASE_RULE_COUNT) {
  const extra = Array.from({ length: Math.max(0, total - BASE_RULE_COUNT) }, (_, k) => filler(k));
  return {
    version: 1, statuses: STATUSES,
    telephony: { system: "amazon-connect", states: TELEPHONY_STATES },
    channels: CHANNELS, mappings: MAPPINGS, rules: [...RULES, ...extra],
    options: { evaluation: "allMatches" },
  };
}

// ------------------------------------------------------------------ translation

/**
 * The rules in evaluation order, as docs/rules.md compiles mappings: telephonyToOmni
 * rows, then omniToTelephony rows (an "Offline" row runs on omni.logout; this catalog
 * has no status named Offline, so not on omni.statusChanged too), then `rules`. Each
 * action resolved to what omnisync emits: the status's 18-character Id.
 */
export function expandRules(file) {
  const target = (a) => a.setOmniStatus !== undefined
    ? { side: "omni", type: "setOmniStatus", statusId: file.statuses.find((s) => s.developerName === a.setOmniStatus).id, developerName: a.setOmniStatus }
    : { side: "telephony", type: "setTelephonyState", state: a.setTelephonyState };
  const out = [];
  file.mappings.telephonyToOmni.forEach((m, i) => out.push({ name: `telephonyToOmni[${i}]: ${m.telephony} -> ${m.omni}`,
    on: TEL, if: cmp(TN, "eq", m.telephony), then: [omni(m.omni)] }));
  file.mappings.omniToTelephony.forEach((m, i) => out.push({ name: `omniToTelephony[${i}]: ${m.omni} -> ${m.telephony}`,
    on: m.omni === "Offline" ? LO : SC, if: cmp(ON, "eq", m.omni), then: [tel(m.telephony)] }));
  out.push(...file.rules);
  return out.map((r, index) => ({ index, name: r.name, on: r.on, if: r.if ?? null, targets: r.then.map(target) }));
}

// The peers read plain facts; a missing value (nothing seen yet) is null.
const FACT = { [TN]: "telephonyNewState", [TO]: "telephonyOldState", [ON]: "omniNewStatus",
  [OO]: "omniOldStatus", [CH]: "omniChannel", [PW]: "previousWorkload", [NW]: "newWorkload",
  [CC]: "configuredCapacity", [PP]: "previousWorkloadPct", [NP]: "newWorkloadPct" };
export const TEXT_FACTS = new Set([TN, TO, ON, OO, CH].map((o) => FACT[o]));
const JRE_OP = { eq: "equal", ne: "notEqual", gt: "greaterThan", ge: "greaterThanInclusive",
  lt: "lessThan", le: "lessThanInclusive" };
const LOGIC_OP = { eq: "===", ne: "!==", gt: ">", ge: ">=", lt: "<", le: "<=" };

/**
 * One comparison in either engine. omnisync compares numbers as numbers (a static "100"
 * is 100) and makes every comparison on a missing text value false, `ne` included; the
 * peers get that from a null guard wherever null could otherwise compare true.
 */
function comparison(c, make) {
  const left = FACT[c.left];
  const rightFact = c.right.operand !== undefined ? FACT[c.right.operand] : null;
  const value = rightFact === null && !TEXT_FACTS.has(left) ? Number(c.right.value) : c.right.value;
  const guards = TEXT_FACTS.has(left) && (c.op === "ne" || rightFact !== null)
    ? [left, rightFact].filter(Boolean).map((f) => make.notNull(f)) : [];
  const test = rightFact === null ? make.compare(left, c.op, value) : make.compareFacts(left, c.op, rightFact);
  return guards.length ? make.all([...guards, test]) : test;
}

function translate(cond, make) {
  if (cond === null) return make.all([]);
  if (cond.all) return make.all(cond.all.map((c) => translate(c, make)));
  if (cond.any) return make.any(cond.any.map((c) => translate(c, make)));
  return comparison(cond, make);
}

const JRE = {
  all: (items) => ({ all: items }),
  any: (items) => ({ any: items }),
  notNull: (fact) => ({ fact, operator: "notEqual", value: null }),
  compare: (fact, op, value) => ({ fact, operator: JRE_OP[op], value }),
  compareFacts: (fact, op, other) => ({ fact, operator: JRE_OP[op], value: { fact: other } }),
};
const LOGIC = {
  all: (items) => (items.length ? { and: items } : true),
  any: (items) => ({ or: items }),
  notNull: (fact) => ({ "!==": [{ var: fact }, null] }),
  compare: (fact, op, value) => ({ [LOGIC_OP[op]]: [{ var: fact }, value] }),
  compareFacts: (fact, op, other) => ({ [LOGIC_OP[op]]: [{ var: fact }, { var: other }] }),
};

/** json-rules-engine rules: one per omnisync rule; its event carries the rule's place. */
export function jsonRulesEngineRules(file) {
  // json-rules-engine wants a group at the root.
  const root = (c) => (c.all || c.any ? c : { all: [c] });
  return expandRules(file).map((r) => ({
    on: r.on, name: r.name, conditions: root(translate(r.if, JRE)),
    event: { type: "matched", params: { index: r.index } },
  }));
}

/** json-logic-js conditions with the rule's name and place. */
export function jsonLogicRules(file) {
  return expandRules(file).map((r) => ({ on: r.on, name: r.name, index: r.index, logic: translate(r.if, LOGIC) }));
}
