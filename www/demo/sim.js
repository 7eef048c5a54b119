// The simulated systems as their own screens see them: the Omni-Channel widget and
// the softphone act as the agent (`by: "agent"`) and show the server's truth. They
// poll instead of holding a second event stream, so a tab costs one long-lived
// connection, and fault injection (which drops the bridges' events) never makes the
// widgets lie.

/**
 * @typedef {object} SimState what `GET /api/state` answers
 * @property {{loggedIn: boolean, statusId: string|null, developerName: string|null, label: string|null}} omni
 * @property {{configuredCapacity: number, currentWorkload: number}} workload
 * @property {Array<{workId: string, workItemId: string, serviceChannel: string|null, units: number, status: string}>} works
 * @property {{state: string|null, onCall: boolean}} telephony
 * @property {{statuses: Array<{id: string, developerName: string, label?: string, online: boolean}>,
 *   telephonyStates: string[], systemStates: string[], channels: Array<{developerName: string}>}} catalog
 * @property {{rejectRate: number, dropRate: number, seed: number}} faults
 * @property {number} seq
 */

/**
 * Starts polling the simulated systems.
 * @param {{onState: (state: SimState) => void, intervalMs?: number}} options
 *   `onState` runs whenever something changed (and once at start).
 * @returns {{act: (path: string, body?: object) => Promise<object>, refresh: () => Promise<void>}}
 *   `act` posts an agent action and rejects with the server's message when refused.
 */
export function createSimClient({ onState, intervalMs = 500 }) {
  let seen = null;

  async function refresh() {
    let state;
    try {
      const response = await fetch("/api/state", { cache: "no-store" });
      if (!response.ok) return;
      state = await response.json();
    } catch {
      return; // server gone (shutting down, restarting): the next poll tells
    }
    // `seq` moves with every event; faults change without one.
    const key = `${state.seq}/${JSON.stringify(state.faults)}`;
    if (key === seen) return;
    seen = key;
    onState(state);
  }

  async function act(path, body = {}) {
    const response = await fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ ...body, by: "agent" }),
    });
    const payload = await response.json().catch(() => ({}));
    await refresh();
    if (!response.ok) throw new Error(payload.error ?? response.statusText);
    return payload;
  }

  setInterval(refresh, intervalMs);
  refresh();
  return { act, refresh };
}
