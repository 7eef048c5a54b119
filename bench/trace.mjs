// A deterministic trace of one agent's shift, over both sides: Omni-Channel status
// changes, logins and logouts, work offered / accepted / declined / closed with the
// workload changes they cause, capacity changes, and the phone's agent states and calls.
// Seeded (mulberry32), so every engine and every run sees the same events; a stream, so
// the memory benchmark can run 1,000,000 events without holding them (the first N events
// of the stream are always the same N events).
// Imports only rules.mjs (no node modules): the browser pages import this file too.

import { CHANNELS, STATUSES } from "./rules.mjs";

export const SEED = 20240601;

/** mulberry32: small, fast, and the same sequence in every JavaScript engine. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Agent-chosen phone states (rules may set them) and a few the rules never name.
const AGENT_STATES = ["Available", "Available", "Available", "Working -- Phone", "Working - Media", "Lunch",
  "Break", "Training", "Meeting", "Busy on Omni", "Busy on Chat", "Outbound", "Offline", "Quality_Review"];
// A call as Amazon Connect reports it: offered, connected, after-call work, done.
const CALL = ["Pending", "Busy", "AfterCallWork", "Available"];
// Work item Id prefix -> the channel it is routed on (0Zz: a prefix no channel claims).
const PREFIXES = ["500", "570", "0Mw", "02s", "0Zz"];
const CHANNEL_OF = { 500: "sfdc_case", 570: "sfdc_livechat", "0Mw": "sfdc_messaging", "02s": "sfdc_email",
  "0Zz": "sfdc_voice_callback" };
// Statuses Omni-Channel may report: the catalog plus one the rules file does not list.
const REPORTED = [...STATUSES.map((s) => [s.id, s.developerName, s.label]),
  ["0N5Hs0000099T2oAAA", "Tier2_Only", "Tier 2 only"]];
const REASONS = ["OmniManualStatusChange", "OmniManualStatusChange", "OmniToolkitStatusChange", "OmniPushTimeout"];
const MAX_OPEN_WORK = 6;

/**
 * Yields `count` events. Fixed-width Ids keep each event the same size however long the
 * shift, and every work item offered is eventually finished (the engine keeps a bounded
 * history of finished items only), so the engine's memory can stay flat.
 */
export function* events(count, seed = SEED) {
  const rand = prng(seed);
  const pick = (list) => list[Math.floor(rand() * list.length)];
  let at = 1_700_000_000_000;
  let emitted = 0;
  let loggedIn = false;
  let phone = "Offline";
  let call = -1; // index in CALL while on a call
  let capacity = 4;
  let workload = 0;
  let nextWork = 1;
  const open = []; // {workId, workItemId, serviceChannel?, units, accepted}

  const make = (event) => {
    at += 1 + Math.floor(rand() * 20000);
    emitted++;
    return { at, ...event };
  };
  const statusEvent = ([id, apiName, label], reason) => ({
    type: "omni.statusChanged",
    // Omni-Channel reports either Id form; the engine treats both as the same status.
    statusId: rand() < 0.1 ? id.slice(0, 15) : id, statusName: label, statusApiName: apiName, reason,
  });
  const phoneEvent = (next) => {
    // Some softphones omit oldState; the engine then uses the state it knew.
    const event = rand() < 0.1 ? { type: "telephony.stateChanged", newState: next }
      : { type: "telephony.stateChanged", oldState: phone, newState: next };
    phone = next;
    return event;
  };
  const workloadEvent = (delta) => {
    const previous = workload;
    workload = Math.max(0, workload + delta);
    // Lightning sometimes delivers the numbers as strings; the engine parses them.
    const n = (x) => (rand() < 0.05 ? String(x) : x);
    return { type: "omni.workloadChanged", configuredCapacity: n(capacity), previousWorkload: n(previous), newWorkload: n(workload) };
  };
  const workRef = (w) => ({ workItemId: w.workItemId, workId: w.workId, ...(w.serviceChannel ? { serviceChannel: w.serviceChannel } : {}) });
  const finish = (w, type) => {
    open.splice(open.indexOf(w), 1);
    return [{ type, ...workRef(w) }, workloadEvent(-w.units)];
  };

  // One step of the shift: a few related events.
  const step = () => {
    if (!loggedIn) {
      if (rand() < 0.3) return [phoneEvent(pick(AGENT_STATES))];
      loggedIn = true;
      const status = rand() < 0.7 ? REPORTED[0] : pick(REPORTED);
      return [{ type: "omni.loginSuccess", statusId: status[0] }, statusEvent(status, "OmniLoginStatusChange")];
    }
    const r = rand();
    if (call >= 0 || r < 0.1) {
      call = call + 1 < CALL.length ? call + 1 : -1;
      if (call >= 0 && call < 2 && rand() < 0.05) {
        call = -1; // the agent missed the call or it failed to connect
        return [phoneEvent(pick(["MissedCallAgent", "FailedConnectAgent"]))];
      }
      return call >= 0 ? [phoneEvent(CALL[call])] : [];
    }
    if (r < 0.25) return [phoneEvent(pick(AGENT_STATES))];
    if (r < 0.37) {
      const reason = pick(REASONS);
      const out = [statusEvent(pick(REPORTED), reason)];
      // A push timeout declines every offer still waiting, in the engine too.
      if (reason === "OmniPushTimeout") {
        for (const w of open.filter((x) => !x.accepted)) out.push(...finish(w, "omni.workDeclined").slice(1));
      }
      return out;
    }
    if (r < 0.55 && open.length < MAX_OPEN_WORK) {
      const prefix = pick(PREFIXES);
      const id = String(nextWork++).padStart(12, "0");
      // The channel rides on the event half the time; otherwise the prefix tells it.
      const w = { workId: `0Bz${id}`, workItemId: `${prefix}${id}`, units: prefix === "0Zz" ? 2 : 1, accepted: false,
        serviceChannel: rand() < 0.5 || prefix === "0Zz" ? CHANNEL_OF[prefix] : undefined };
      open.push(w);
      return [{ type: "omni.workAssigned", ...workRef(w) }, workloadEvent(w.units)];
    }
    const waiting = open.filter((w) => !w.accepted);
    if (r < 0.72 && waiting.length) {
      const w = pick(waiting);
      if (rand() < 0.2) return finish(w, "omni.workDeclined");
      w.accepted = true;
      return [{ type: "omni.workAccepted", ...workRef(w) }];
    }
    const working = open.filter((w) => w.accepted);
    if (r < 0.95 && working.length) return finish(pick(working), "omni.workClosed");
    if (r < 0.996) {
      capacity = pick([2, 3, 4, 5, 6]);
      return [workloadEvent(0)];
    }
    // Logging out: what is still open is finished first, as Omni-Channel would.
    const out = [];
    for (const w of [...open]) out.push(...finish(w, w.accepted ? "omni.workClosed" : "omni.workDeclined"));
    loggedIn = false;
    out.push({ type: "omni.logout", reason: pick(["OmniLogout", "OmniSupervisorLogout"]) });
    return out;
  };

  while (emitted < count) {
    for (const event of step()) {
      if (emitted >= count) break;
      yield make(event);
    }
  }
}

/** The first `count` events as an array. */
export const makeTrace = (count, seed = SEED) => Array.from(events(count, seed));

/** How many events of each type: printed with the results so the mix is on record. */
export function mix(trace) {
  const counts = {};
  for (const e of trace) counts[e.type] = (counts[e.type] ?? 0) + 1;
  return counts;
}
