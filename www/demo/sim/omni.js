// The demo's simulated Salesforce Omni-Channel (its softphone: phone.js), the one model
// of it for everything that stands in for it: the demo server (scripts/serve.mjs, which
// serves this file too), the runtime tests (www/test/*.test.mjs) and the end-to-end
// fixtures (e2e/fixtures/*.js, bundled for the page by e2e/harness.mjs).
//
// State and events only. Events are handed to listeners at once, in the payload shapes
// the toolkit and the softphones give (docs/runtime.md, docs/message-channel.md); when
// they reach the page (a microtask, a timer, server-sent events) is each user's choice,
// as is which API shape wraps the model (toolkit promises, the runtime's bridges,
// Amazon Connect Streams). No sync rule lives here: the engine decides, this only
// answers as Omni-Channel and a phone would. No dependency, no DOM, no timers.

/** Omni-Channel's reasons for a status change (StatusChanged `reason`). */
export const REASON = {
  toolkit: "OmniToolkitStatusChange",
  manual: "OmniManualStatusChange",
  login: "OmniLoginStatusChange",
};

/** A call the model refuses, with a `code` its users map to their own errors. */
export class Refused extends Error {
  /**
   * @param {string} code e.g. "unknownStatus", "notLoggedIn", "noWork", "workState"
   * @param {string} message
   */
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

/** A tiny listener list: `on` returns the function that removes the listener. */
export function emitter() {
  const listeners = new Set();
  return {
    on(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    emit(event) {
      for (const listener of [...listeners]) listener(event);
    },
  };
}

/**
 * Omni-Channel for one agent: login, status, channels, work items and workload.
 * @param {object} options
 * @param {{id: string, developerName: string, label?: string, online?: boolean}[]} options.statuses
 *   the org's ServicePresenceStatus records; an away status (`online: false`) has no channels
 * @param {{channelId: string, developerName: string, prefix?: string}[]} [options.channels]
 *   the service channels of an online status; `prefix` starts the Ids of its work items
 * @param {string} [options.statusId] the status at start (default: the first online one)
 * @param {boolean} [options.loggedIn] default true
 * @param {number} [options.capacity] configured capacity, default 2
 * @param {number} [options.workload] current workload, default 0
 * @param {number} [options.keepWorks] how many work items are kept, the latest ones (default 20)
 */
export function createOmni({ statuses, channels = [], statusId, loggedIn = true, capacity = 2, workload = 0, keepWorks = 20 }) {
  const events = emitter();
  // Salesforce Ids: the 15-character form and the 18-character one name the same record.
  const byId = (id) => statuses.find((s) => typeof id === "string" && (id.length === 15 || id.length === 18)
    && s.id.slice(0, 15) === id.slice(0, 15));
  const first = statuses.find((s) => s.online !== false) ?? statuses[0];
  const agent = { loggedIn, status: (statusId && byId(statusId)) || first, capacity, workload, works: [], nextWork: 1 };

  const channelsOf = (status) =>
    status.online === false ? [] : channels.map(({ channelId, developerName }) => ({ channelId, developerName }));
  const fields = (status) => ({
    statusId: status.id, statusName: status.label ?? status.developerName, statusApiName: status.developerName,
  });
  const known = (id) => {
    const status = byId(id);
    if (!status) throw new Refused("unknownStatus", `no ServicePresenceStatus with Id ${JSON.stringify(id)}`);
    return status;
  };
  const ref = (w) => ({ workId: w.workId, workItemId: w.workItemId, serviceChannel: w.serviceChannel });
  const changeWorkload = (delta) => {
    const previousWorkload = agent.workload;
    agent.workload = Math.max(0, previousWorkload + delta);
    events.emit({ type: "omni.workloadChanged", configuredCapacity: agent.capacity, previousWorkload, newWorkload: agent.workload });
  };
  const findWork = ({ workId, workItemId }, wanted) => {
    const work = agent.works.find((w) => (workId && w.workId === workId) || (workItemId && w.workItemId === workItemId));
    if (!work) throw new Refused("noWork", "no such work item");
    if (work.status !== wanted) throw new Refused("workState", `the work is ${work.status}, not ${wanted}`);
    return work;
  };

  const omni = {
    /** @param {(event: object) => void} listener every event, as Omni-Channel announces it */
    on: (listener) => events.on(listener),
    /** @param {string} id an Id, 15 or 18 characters @returns {object | undefined} the status record */
    statusById: byId,
    /** @returns {boolean} */
    isLoggedIn: () => agent.loggedIn,
    /**
     * getServicePresenceStatusId's answer: null when logged out.
     * @returns {{statusId: string, statusName: string, statusApiName: string} | null}
     */
    status: () => (agent.loggedIn ? fields(agent.status) : null),
    /** @returns {{channelId: string, developerName: string}[]} the current status's channels */
    channels: () => (agent.loggedIn ? channelsOf(agent.status) : []),
    /** @returns {{configuredCapacity: number, currentWorkload: number}} */
    workload: () => ({ configuredCapacity: agent.capacity, currentWorkload: agent.workload }),
    /** @returns {object[]} copies of the work items, oldest first */
    works: () => agent.works.map((w) => ({ ...w })),
    /**
     * A status change, by the toolkit or by the agent (`reason`). setServicePresenceStatus
     * logs a logged-out agent in first, as the real API does.
     * @param {string} statusId
     * @param {string} [reason] default REASON.toolkit
     * @returns {{statusId: string, statusName: string, statusApiName: string, channels: object[]}}
     */
    setStatus(statusId, reason = REASON.toolkit) {
      const status = known(statusId);
      if (!agent.loggedIn) {
        agent.loggedIn = true;
        events.emit({ type: "omni.loginSuccess", statusId: status.id });
      }
      agent.status = status;
      events.emit({ type: "omni.statusChanged", ...fields(status), channels: channelsOf(status), reason });
      return { ...fields(status), channels: channelsOf(status) };
    },
    /**
     * An explicit login: LoginSuccess, then the status change it makes.
     * @param {string} statusId
     * @param {string} [reason] default REASON.login
     */
    login(statusId, reason = REASON.login) {
      const status = known(statusId);
      agent.loggedIn = true;
      agent.status = status;
      events.emit({ type: "omni.loginSuccess", statusId: status.id });
      events.emit({ type: "omni.statusChanged", ...fields(status), channels: channelsOf(status), reason });
      return { statusId: status.id };
    },
    /** Offers not yet accepted go back to the queue; nothing is routed to a logged-out agent. */
    logout() {
      if (!agent.loggedIn) throw new Refused("notLoggedIn", "the agent is not logged in to Omni-Channel");
      agent.loggedIn = false;
      for (const w of agent.works) if (w.status === "Assigned") w.status = "Canceled";
      events.emit({ type: "omni.logout" });
    },
    /**
     * Omni-Channel routes a work item to the agent (status Assigned).
     * @param {{channel?: string, units?: number|string, workId?: string, workItemId?: string}} [work]
     */
    assignWork({ channel, units = 1, workId, workItemId } = {}) {
      if (!agent.loggedIn) throw new Refused("notLoggedIn", "Omni-Channel routes no work to a logged-out agent");
      if (agent.status.online === false) throw new Refused("away", "Omni-Channel routes no work to an away status");
      const size = Number(units);
      if (!(size > 0)) throw new Refused("badUnits", "units must be a number above 0");
      const ch = channels.find((c) => c.developerName === channel) ?? channels[0];
      const n = String(agent.nextWork++).padStart(6, "0");
      const work = {
        workId: workId ?? `0BzHs00000${n}AA`, workItemId: workItemId ?? `${ch?.prefix ?? "500"}Hs00000${n}AA`,
        serviceChannel: ch?.developerName ?? null, units: size, status: "Assigned",
      };
      agent.works.push(work);
      agent.works = agent.works.slice(-keepWorks);
      events.emit({ type: "omni.workAssigned", ...ref(work) });
      return { ...work };
    },
    /** @param {{workId?: string, workItemId?: string}} which */
    acceptWork(which) {
      const work = findWork(which, "Assigned");
      work.status = "Opened";
      events.emit({ type: "omni.workAccepted", ...ref(work) });
      changeWorkload(work.units);
      return { ...work };
    },
    /** @param {{workId?: string, workItemId?: string}} which */
    declineWork(which) {
      const work = findWork(which, "Assigned");
      work.status = "Declined";
      events.emit({ type: "omni.workDeclined", ...ref(work) });
      return { ...work };
    },
    /** @param {{workId?: string, workItemId?: string}} which */
    closeWork(which) {
      const work = findWork(which, "Opened");
      work.status = "Closed";
      events.emit({ type: "omni.workClosed", ...ref(work) });
      changeWorkload(-work.units);
      return { ...work };
    },
    /** @param {number|string} configuredCapacity in (0, 1000] */
    setCapacity(configuredCapacity) {
      const value = Number(configuredCapacity);
      if (!(value > 0 && value <= 1000)) throw new Refused("badCapacity", "configuredCapacity must be a number in (0, 1000]");
      agent.capacity = value;
      changeWorkload(0);
      return omni.workload();
    },
    /**
     * An event Omni-Channel sends about a work item the model does not track (a test's
     * own Ids), with the toolkit's payload.
     * @param {string} type e.g. "omni.workAccepted"
     * @param {string} workId
     * @param {string} workItemId
     */
    announceWork(type, workId, workItemId) {
      events.emit({ type, workId, workItemId });
    },
  };
  return omni;
}

/**
 * The runtime's host bridge (www/omnisync.d.ts HostBridge) over the model: the toolkit's
 * echo of a write reaches `subscribe` after `defer`, as Omni-Channel announces a change
 * after the call resolved.
 * @param {ReturnType<typeof createOmni>} omni
 * @param {{defer?: (fn: () => void) => void}} [options] default queueMicrotask
 */
export function hostBridge(omni, { defer = queueMicrotask } = {}) {
  return {
    subscribe: (callback) => omni.on((event) => defer(() => callback(event))),
    setServicePresenceStatus: async (statusId) => omni.setStatus(statusId, REASON.toolkit),
    login: async (statusId) => omni.setStatus(statusId, REASON.toolkit),
    // The toolkit's logout resolves for a logged-out agent too, as omniToolkitApi's does.
    logout: async () => {
      if (omni.isLoggedIn()) omni.logout();
      return true;
    },
    getServicePresenceStatusId: async () => omni.status(),
    getAgentWorkload: async () => omni.workload(),
    getServicePresenceStatusChannels: async () => omni.channels(),
    getAgentWorks: async () => omni.works().filter((w) => w.status === "Assigned" || w.status === "Opened")
      .map((w) => ({ workItemId: w.workItemId, workId: w.workId, isEngaged: w.status === "Opened" })),
  };
}

/**
 * Lightning's omniToolkitAPI (lightning:omniToolkitAPI) over the model: promise methods
 * taking the toolkit's argument objects and resolving its answers (lists as JSON
 * strings). Every call is handed to `onCall` first.
 * @param {ReturnType<typeof createOmni>} omni
 * @param {{onCall?: (method: string, arg: object | null) => void}} [options]
 */
export function omniToolkitApi(omni, { onCall = () => {} } = {}) {
  const call = (method, arg, answer) => {
    onCall(method, arg === undefined ? null : arg);
    try {
      return Promise.resolve(answer());
    } catch (err) {
      return Promise.reject(err instanceof Refused ? new Error(err.message) : err);
    }
  };
  const setStatus = (method) => (arg) => call(method, arg, () => omni.setStatus(arg && arg.statusId, REASON.toolkit));
  const work = (method, act) => (arg) => call(method, arg, () => {
    // Work the model never routed (a test's own Ids) is answered as accepted.
    if (omni.works().some((w) => w.workId === arg?.workId)) act(arg);
    return true;
  });
  return {
    setServicePresenceStatus: setStatus("setServicePresenceStatus"),
    login: setStatus("login"),
    logout: () => call("logout", undefined, () => {
      if (omni.isLoggedIn()) omni.logout();
      return true;
    }),
    getServicePresenceStatusId: () => call("getServicePresenceStatusId", undefined, () => {
      const status = omni.status();
      if (!status) throw new Error("The agent is not logged in");
      return status;
    }),
    getServicePresenceStatusChannels: () => call("getServicePresenceStatusChannels", undefined,
      () => ({ channels: JSON.stringify(omni.channels()) })),
    getAgentWorkload: () => call("getAgentWorkload", undefined, () => omni.workload()),
    getAgentWorks: () => call("getAgentWorks", undefined, () => ({
      works: JSON.stringify(omni.works().filter((w) => w.status === "Assigned" || w.status === "Opened")
        .map((w) => ({ workItemId: w.workItemId, workId: w.workId, isEngaged: w.status === "Opened" }))),
    })),
    acceptAgentWork: work("acceptAgentWork", (arg) => omni.acceptWork(arg)),
    declineAgentWork: work("declineAgentWork", (arg) => omni.declineWork(arg)),
    closeAgentWork: work("closeAgentWork", (arg) => omni.closeWork(arg)),
  };
}
