// The softphone frame of the demo (softphone.html): the simulated phone's widget, a
// softphone client over the demo server (window.omnisyncSoftphone's shape), and the
// real relay started over a simulated sforce.opencti whose messages travel to the
// console page by postMessage, as Lightning Message Service carries them between
// frames on different origins. URL: ?console=<origin of the console page>&tab=<its tab
// id, so the server's write log names the tab that acted>&heartbeatMs=N&phone=<the
// phone the relay finds: "hook" (default), the simulated phone as a generic softphone;
// "connect", the simulated phone behind Amazon Connect Streams' `connect` global (its
// CCP started by this page); "cxone", NICE CXone's real agent SDK, as a CXone page runs
// it, talking to the demo server's stand-in for CXone's cloud, whose agent is the same
// simulated phone>.

import { startRelay } from "../salesforce/relay.js";
import { createSimClient } from "./sim.js";
import { signIn, startAgentPage } from "./sim/cxone.js";
import { createPhone, streamsGlobal } from "./sim/phone.js";
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

/**
 * Amazon Connect Streams' `connect` global over the server's phone: a copy of the phone
 * in this page follows the server's events, and the agent's setState writes to the
 * server, answering as Streams does. The page starts its CCP; its agent logs in once
 * the relay listens (Streams' first agent data, "Init" -> state, is the snapshot).
 */
async function connectPage(softphone) {
  const { catalog, telephony } = await (await fetch("/api/state", { cache: "no-store" })).json();
  const copy = createPhone({ states: catalog.telephonyStates, systemStates: catalog.systemStates, state: telephony.state ?? undefined });
  softphone.onStateChange(({ newState }) => copy.change(newState));
  const ccp = streamsGlobal(copy);
  ccp.agent.setState = (state, callbacks) => softphone.setState(state.name).then(
    () => callbacks?.success?.(),
    (error) => callbacks?.failure?.(JSON.stringify({ type: "BadRequest", message: error.message })),
  );
  ccp.connect.core.initCCP();
  const login = setInterval(() => {
    if (!ccp.connect.core.getEventBus().agents.length) return;
    clearInterval(login);
    ccp.login();
  }, 50);
  return ccp.connect;
}

/** Loads a classic script of this origin (the page's CSP allows no other kind). */
function loadScript(src) {
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = src;
    script.onload = resolve;
    script.onerror = () => reject(new Error(`could not load ${src}`));
    document.head.append(script);
  });
}

/**
 * What a customer's CXone page does: load the agent SDK, sign in (the stored session),
 * join the agent's session; then put the SDK's client class where the phone choice
 * looks for it (www/phones/cxone.js).
 */
async function cxonePage() {
  await loadScript("/demo/cxone-sdk.js");
  const sdk = globalThis.CXoneSdk;
  signIn(localStorage, `${location.origin}/cxone-cloud`);
  await startAgentPage(sdk);
  globalThis.CXoneAcdClient = sdk.CXoneAcdClient;
  return sdk.CXoneAcdClient;
}

async function main() {
  const sim = createSimClient({ onState: (state) => update(state) });
  const update = createSoftphone(document.getElementById("phone-body"), sim);
  sim.refresh();
  if (!consoleOrigin) throw new Error("softphone.html needs ?console=<origin of the console page>");
  const heartbeatMs = Number(params.get("heartbeatMs")) || undefined;
  const which = params.get("phone");
  const phone = which === "cxone" ? { client: "cxone", CXoneAcdClient: await cxonePage() }
    : which === "connect" ? { client: "connect", connect: await connectPage(await simulatedSoftphone()) }
      : { client: "hook", softphone: await simulatedSoftphone() };
  globalThis.omnisyncRelay = startRelay({ ...phone, opencti: simulatedOpenCti(), heartbeatMs });
}

main().catch((err) => console.warn("omnisync demo softphone:", err));
