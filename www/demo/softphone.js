// The softphone frame of the demo (softphone.html): the simulated phone's widget, a
// softphone client over the demo server (window.omnisyncSoftphone's shape), and the
// real relay started over a simulated sforce.opencti whose messages travel to the
// console page by postMessage, as Lightning Message Service carries them between
// frames on different origins. URL: ?console=<origin of the console page>&tab=<its tab
// id, so the server's write log names the tab that acted>&heartbeatMs=N.

import { startRelay } from "../salesforce/relay.js";
import { createSimClient } from "./sim.js";
import { createSoftphone } from "./widgets.js";

const params = new URLSearchParams(location.search);
const consoleOrigin = params.get("console");
const tabId = params.get("tab") ?? "";

/** sforce.opencti's three message methods over postMessage to the console page. */
function simulatedOpenCti() {
  let listeners = [];
  const deliver = (message) => listeners.forEach((listener) => setTimeout(() => listeners.includes(listener) && listener(structuredClone(message)), 0));
  addEventListener("message", (event) => {
    if (event.source !== parent || event.origin !== consoleOrigin || event.data?.omnisyncLms !== true) return;
    deliver(event.data.message);
  });
  return {
    subscribe({ listener, callback }) {
      listeners.push(listener);
      callback?.({ success: true, returnValue: listener, errors: null });
    },
    unsubscribe({ subscription, callback }) {
      listeners = listeners.filter((l) => l !== subscription);
      callback?.({ success: true, returnValue: null, errors: null });
    },
    publish({ message, callback }) {
      parent.postMessage({ omnisyncLms: true, message }, consoleOrigin);
      deliver(message); // the publisher hears its own messages, as with LMS
      callback?.({ success: true, returnValue: null, errors: null });
    },
  };
}

/** The simulated phone as a softphone client: server-sent events in, writes out. */
async function simulatedSoftphone() {
  const read = async () => (await fetch("/api/state", { cache: "no-store" })).json();
  const { catalog } = await read();
  const listeners = [];
  const events = new EventSource("/api/events");
  events.onmessage = (message) => {
    let event;
    try {
      event = JSON.parse(message.data);
    } catch {
      return;
    }
    if (event.type === "telephony.stateChanged") listeners.forEach((cb) => cb({ oldState: event.oldState, newState: event.newState }));
  };
  return {
    onStateChange: (cb) => listeners.push(cb),
    getState: async () => (await read()).telephony.state ?? null,
    // The states an agent may pick; system states (on a contact) are read, never set.
    getStates: () => catalog.telephonyStates.filter((name) => !catalog.systemStates.includes(name)),
    async setState(name) {
      const response = await fetch("/api/phone/state", {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Omnisync-Tab": tabId },
        body: JSON.stringify({ state: name, by: "toolkit" }),
      });
      const payload = await response.json().catch(() => ({}));
      if (!response.ok) throw new Error(payload.error ?? `HTTP ${response.status}`);
      return payload;
    },
  };
}

async function main() {
  const sim = createSimClient({ onState: (state) => update(state) });
  const update = createSoftphone(document.getElementById("phone-body"), sim);
  sim.refresh();
  if (!consoleOrigin) throw new Error("softphone.html needs ?console=<origin of the console page>");
  const heartbeatMs = Number(params.get("heartbeatMs")) || undefined;
  globalThis.omnisyncRelay = startRelay({
    client: "hook", softphone: await simulatedSoftphone(), opencti: simulatedOpenCti(), heartbeatMs,
  });
}

main().catch((err) => console.warn("omnisync demo softphone:", err));
