// NICE CXone, through the agent SDK the CXone page already runs (@nice-devone/acd-sdk):
// `CXoneAcdClient.instance.agentStateService` holds the agent's state. omnisync ships no
// SDK code; this adapter only calls the SDK's client it is handed (docs/telephony-cxone.md).
//
// State names, as `omnisync import --from cxone` writes them:
// - Unavailable with an unavailable code: the code alone ("Lunch"); without one, "Unavailable".
// - After-call work (`isACW`, whatever its code): "AfterCallWork", a system state.
// - Otherwise the raw `cxoneState` ("Available", "InboundContact", ...): the SDK's `state`
//   is lowercased and reads "Working" for every contact state, so it is not used.
// Contact states and after-call work are system states: read, never set.

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

function failure(code, message) {
  return Object.assign(new Error(message), { code });
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
  const ready = [];
  const lost = [];
  const changes = [];
  let current = null;
  let started = false;
  let codes = [...(options.codes ?? [])];
  const acwCodes = [];
  let known = false;

  const report = (event) => {
    const name = cxoneStateName(event?.currentState);
    if (name === null) return;
    if (name.toLowerCase() === LOGGED_OUT) {
      current = null;
      for (const cb of lost) cb("logged out of CXone");
      return;
    }
    const old = current;
    current = name;
    // The first state after start (or after the agent was lost) is a snapshot.
    if (old === null) {
      for (const cb of ready) cb();
    } else if (old !== name) {
      for (const cb of changes) cb(old, name);
    }
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

  return {
    name: "cxone",
    start() {
      if (started) return;
      started = true;
      // A plain subject: subscribe first, then read the snapshot it will not replay.
      service.agentStateSubject.subscribe((event) => report(event));
      Promise.resolve()
        .then(() => service.getAgentState())
        .then((event) => report(event), () => {});
      loadCodes();
    },
    onReady(cb) {
      ready.push(cb);
    },
    onLost(cb) {
      lost.push(cb);
    },
    onChange(cb) {
      changes.push(cb);
    },
    states() {
      if (current === null || !known) return null;
      return ["Available", "Unavailable", ...codes.filter((c) => !acwCodes.includes(c))];
    },
    systemStates() {
      return [...CXONE_SYSTEM_STATES];
    },
    async read() {
      return current;
    },
    async set(name) {
      if (CXONE_SYSTEM_STATES.includes(name) || acwCodes.includes(name)) {
        throw failure("restricted", `"${name}" is a CXone system state: it can be read but never set`);
      }
      const settable = this.states() ?? ["Available", "Unavailable", ...codes];
      if (!settable.includes(name)) throw failure("unknownState", `CXone has no state "${name}" for this agent`);
      const request = name === "Available" || name === "Unavailable"
        ? { state: name, reason: "" }
        : { state: "Unavailable", reason: name };
      try {
        await service.setAgentState(request);
      } catch (e) {
        throw failure("refused", `CXone refused "${name}": ${e?.message ?? e}`);
      }
      return { state: name };
    },
  };
}
