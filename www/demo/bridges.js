// The host (Omni-Channel) bridge of docs/runtime.md, over the demo server's simulated
// systems: writes are fetch calls marked `by: "toolkit"`, events come from one
// Server-Sent Events stream (one connection per tab: browsers allow only six per
// host). The telephony side is not here: the softphone runs in its own frame on
// another origin and its relay speaks over the simulated message channel (app.js,
// softphone.js), as in a real console.
//
// Events that arrive before the runtime subscribes are kept and handed over at
// subscription, because the runtime starts seconds after the stream in real consoles
// and losing those events is one of the bugs omnisync exists to fix.

/**
 * @typedef {{type: string, at?: number, seq?: number, [field: string]: unknown}} OmniSyncEvent
 * @typedef {(event: OmniSyncEvent) => void} Listener
 * @typedef {object} HostBridge
 * @property {(statusId: string) => Promise<object>} setServicePresenceStatus
 * @property {(statusId: string) => Promise<object>} login
 * @property {() => Promise<object>} logout
 * @property {() => Promise<{statusId: string, statusApiName: string, statusName: string} | null>} getServicePresenceStatusId
 * @property {() => Promise<{configuredCapacity: number, currentWorkload: number} | null>} getAgentWorkload
 * @property {() => Promise<Array<{channelId: string, developerName: string}>>} getServicePresenceStatusChannels
 * @property {() => Promise<Array<{workItemId: string, workId: string, isEngaged: boolean}>>} getAgentWorks
 * @property {(callback: Listener) => void} subscribe
 */

/**
 * Creates the host bridge and opens the event stream at once.
 * @param {{base?: string, tabId?: string}} [options] `base`: the server's origin
 *   (default: this page's); `tabId`: sent as `X-Omnisync-Tab` so the server's write
 *   log shows which tab acted.
 * @returns {{host: HostBridge, tabId: string, close: () => void}}
 */
export function createBridges({ base = "", tabId = newTabId() } = {}) {
  const sides = { omni: hub() };
  const source = new EventSource(`${base}/api/events`);
  source.onmessage = (message) => {
    let event;
    try {
      event = JSON.parse(message.data);
    } catch {
      return; // not ours: the stream only carries JSON events
    }
    // After a reconnect the server replays from Last-Event-ID: nothing is missed and
    // nothing comes twice, so events pass straight through.
    const side = String(event.type).split(".")[0];
    sides[side]?.emit(event);
  };

  async function request(method, path, body) {
    let response;
    try {
      response = await fetch(`${base}${path}`, {
        method,
        headers: { "Content-Type": "application/json", "X-Omnisync-Tab": tabId },
        body: body && JSON.stringify({ ...body, by: "toolkit" }),
      });
    } catch (err) {
      // Unreachable system: the code the runtime answers with a re-login.
      throw bridgeError("connection", `${path}: ${err.message}`);
    }
    const payload = await response.json().catch(() => ({}));
    if (!response.ok) {
      const code = response.status === 503 ? "unavailable" : `http.${response.status}`;
      throw bridgeError(code, `${path}: ${payload.error ?? response.statusText}`);
    }
    return payload;
  }
  const read = () => request("GET", "/api/state");

  /** @type {HostBridge} */
  const host = {
    setServicePresenceStatus: (statusId) => request("POST", "/api/omni/status", { statusId }),
    login: (statusId) => request("POST", "/api/omni/login", { statusId }),
    // A `logoutOmni` rule action; the simulated Omni-Channel then sends omni.logout,
    // which the runtime takes for the action's echo.
    logout: () => request("POST", "/api/omni/logout", {}),
    async getServicePresenceStatusId() {
      const { omni } = await read();
      if (!omni.loggedIn) return null;
      return { statusId: omni.statusId, statusApiName: omni.developerName, statusName: omni.label };
    },
    async getAgentWorkload() {
      const { omni, workload } = await read();
      // Omni-Channel answers nothing about workload for a logged-out agent.
      return omni.loggedIn ? { ...workload } : null;
    },
    // Read after a reload: the status's channels and the work open in the workspace,
    // as the Lightning toolkit resolves them (arrays).
    async getServicePresenceStatusChannels() {
      const { omni } = await read();
      return omni.loggedIn ? [...(omni.channels ?? [])] : [];
    },
    async getAgentWorks() {
      const { works = [] } = await read();
      return works
        .filter((w) => w.status === "Assigned" || w.status === "Opened")
        .map((w) => ({ workItemId: w.workItemId, workId: w.workId, isEngaged: w.status === "Opened" }));
    },
    subscribe: (callback) => sides.omni.subscribe(callback),
  };

  return { host, tabId, close: () => source.close() };
}

/** One side's listeners, with the events seen before anyone listened. */
function hub() {
  const listeners = [];
  let early = [];
  return {
    emit(event) {
      if (!listeners.length) early.push(event);
      for (const listener of listeners) listener(event);
    },
    subscribe(callback) {
      listeners.push(callback);
      const backlog = early;
      early = [];
      // Handed over after subscribe() returns: the runtime may still be starting.
      queueMicrotask(() => backlog.forEach((event) => callback(event)));
    },
  };
}

function bridgeError(code, message) {
  return Object.assign(new Error(message), { code });
}

function newTabId() {
  return globalThis.crypto?.randomUUID?.() ?? `tab-${Date.now()}-${Math.random().toString(36).slice(2)}`;
}
