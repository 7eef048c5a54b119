// The NICE CXone adapter (docs/telephony.md, "NICE CXone"), through the agent SDK the
// CXone page already runs (@nice-devone/acd-sdk): `CXoneAcdClient.instance.agentStateService`
// holds the agent's state. omnisync ships no SDK code; this adapter only calls the
// SDK's client it is handed.
//
// State names, as `omnisync import --from cxone` writes them:
// - Unavailable with an unavailable code: the code alone ("Lunch"); without one, "Unavailable".
// - After-call work (`isACW`, whatever its code): "AfterCallWork", a system state.
// - Otherwise the raw `cxoneState` ("Available", "InboundContact", ...): the SDK's `state`
//   is lowercased and reads "Working" for every contact state, so it is not used.
// Contact states and after-call work are system states: read, never set.

import { NO_STATE, callbacks, changeFeed, phoneError, refusalMessage } from "./shared.js";

/** CXone's contact states (the raw `cxoneState` while the agent handles a contact). */
export const CXONE_CONTACT_STATES = Object.freeze([
  "InboundContact", "OutboundContact", "InboundConsult", "OutboundConsult", "Dialer", "DialerPending",
]);
/** The name reported during after-call work. */
export const CXONE_AFTER_CALL_WORK = "AfterCallWork";
/** Every CXone system state name, in the order the importer writes them. */
export const CXONE_SYSTEM_STATES = Object.freeze([...CXONE_CONTACT_STATES, CXONE_AFTER_CALL_WORK]);

const LOGGED_OUT = "loggedout";

/**
 * The state name omnisync uses for the SDK's `currentState`.
 * @param {{state?: string, cxoneState?: string, reason?: string, isACW?: boolean} | undefined} current
 * @returns {string | null} null when the SDK has no state.
 */
export function cxoneStateName(current) {
  if (!current) return null;
  if (current.isACW) return CXONE_AFTER_CALL_WORK;
  const raw = String(current.cxoneState || current.state || "");
  if (!raw) return null;
  if (raw.toLowerCase() === "unavailable" && current.reason) return String(current.reason);
  return raw;
}

/**
 * Finds the SDK's client on a page that runs it (the page exposes the SDK's
 * `CXoneAcdClient` class, as the CXone softphone pages of this project do).
 * @param {object} scope a window-like object.
 * @returns {object | null} `CXoneAcdClient.instance`, or null.
 */
export function detectCxone(scope) {
  try {
    const client = scope?.CXoneAcdClient?.instance;
    return typeof client?.agentStateService?.getAgentState === "function" ? client : null;
  } catch {
    return null;
  }
}

/**
 * The CXone phone adapter (the phone adapter contract of www/phones/).
 * @param {object} client the SDK's `CXoneAcdClient.instance`.
 * @param {{codes?: string[]}} [options] unavailable codes the agent may set, when the
 *   SDK cannot list the team's (they are added to the team's).
 * @returns {object} the adapter.
 */
export function cxonePhone(client, options = {}) {
  const service = client.agentStateService;
  const ready = callbacks();
  const lost = callbacks();
  const changes = changeFeed();
  let current = null;
  let started = false;
  let subscription = null;
  const codes = [...(options.codes ?? [])];
  const acwCodes = [];
  let known = false;

  const report = (event) => {
    const name = cxoneStateName(event?.currentState);
    if (name === null) return;
    if (name.toLowerCase() === LOGGED_OUT) {
      if (current !== null) lost.call("the agent logged out of CXone");
      current = null;
      return;
    }
    const old = current;
    current = name;
    // The first state after start (or after the agent was lost) is a snapshot: the
    // change feed drops a report out of "no state yet".
    changes.report(old ?? NO_STATE, name);
    if (old === null) ready.call();
  };

  const loadCodes = async () => {
    try {
      const list = await client.getTeamUnavailableCodes?.();
      for (const code of Array.isArray(list) ? list : []) {
        if (!code?.reason || code.isActive === false) continue;
        if (code.isAcw) acwCodes.push(String(code.reason));
        else if (!codes.includes(String(code.reason))) codes.push(String(code.reason));
      }
    } catch {
      // Without the team's list only the given codes are offered.
    }
    known = true;
  };

  const states = () => {
    if (current === null || !known) return null;
    return ["Available", "Unavailable", ...codes.filter((c) => !acwCodes.includes(c))];
  };

  return {
    name: "cxone",
    label: "NICE CXone",
    start() {
      if (started) return;
      started = true;
      // A plain subject: subscribe first, then read the snapshot it will not replay
      // (unless an event came through the subject meanwhile: it is newer).
      subscription = service.agentStateSubject.subscribe((event) => report(event));
      Promise.resolve()
        .then(() => service.getAgentState())
        .then((event) => {
          if (current === null) report(event);
        }, () => {});
      loadCodes();
    },
    /** Stops listening to the SDK (the relay's stop()). */
    stop() {
      subscription?.unsubscribe?.();
    },
    onReady: ready.add,
    onLost: lost.add,
    onChange: changes.on,
    states,
    systemStates() {
      return [...CXONE_SYSTEM_STATES];
    },
    async read() {
      return current;
    },
    async set(name) {
      if (CXONE_SYSTEM_STATES.includes(name) || acwCodes.includes(name)) {
        throw phoneError("restricted", `${name} is a system state of NICE CXone: it is read, never set`);
      }
      const settable = states() ?? ["Available", "Unavailable", ...codes];
      if (!settable.includes(name)) throw phoneError("unknownState", `the phone offers no agent state named ${JSON.stringify(name)} (it offers ${settable.slice(0, 10).join(", ")})`);
      const request = name === "Available" || name === "Unavailable"
        ? { state: name, reason: "" }
        : { state: "Unavailable", reason: name };
      try {
        await service.setAgentState(request);
      } catch (e) {
        throw phoneError("refused", refusalMessage(e));
      }
      return { state: name };
    },
  };
}
