// Entry point of the demo page: wires the simulated console (left) to the real wasm
// runtime (right). Loaded as an external module because the page runs under
// `script-src 'self' 'wasm-unsafe-eval'`, like a Salesforce page: no inline script, no
// eval.
//
// URL parameters pass runtime options through, so tests and curious admins can shorten
// timers: ?reconcileMs=1000&channel=omnisync&traceSize=200; and the admin's org and
// agent (org-panel.js): ?catalog=URL&phoneStates=A,B&user=&profile=&teams=A,B
// (docs/demo.md).

import { createBridges } from "./bridges.js";
import { createSimClient } from "./sim.js";
import { createFaultsPanel, createOmniWidget } from "./widgets.js";
import { createEnginePanel } from "./engine-panel.js";
import { createRulesEditor } from "./rules-editor.js";
import { createOrgPanel, readOrg } from "./org-panel.js";
import { createFormHost } from "./form-host.js";
import { el, fill, visible } from "./dom.js";

const RULES_KEY = "omnisync-demo:rules";
const $ = (id) => document.getElementById(id);

/**
 * Reads the runtime options the URL may carry; anything malformed is ignored.
 * @param {URLSearchParams} params
 * @returns {{reconcileMs?: number, traceSize?: number, channel?: string}}
 */
function runtimeOptions(params) {
  const options = {};
  for (const name of ["reconcileMs", "traceSize"]) {
    const value = Number(params.get(name));
    if (params.has(name) && Number.isFinite(value) && value >= 0) options[name] = value;
  }
  if (params.get("channel")) options.channel = params.get("channel");
  return options;
}

async function main() {
  const params = new URLSearchParams(location.search);
  // The simulated org takes the admin's catalog first: the widgets, the softphone and
  // the engine then all see the same statuses.
  const org = await readOrg(params);
  const simulated = await (await fetch("/api/catalog", {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ records: org.records, telephonyStates: org.telephonyStates }),
  })).json();
  if (simulated.error) throw new Error(`the simulated org refused the catalog: ${simulated.error}`);
  const updates = [];
  const sim = createSimClient({ onState: (state) => updates.forEach((update) => update(state)) });
  updates.push(createOmniWidget($("omni-body"), sim), createFaultsPanel($("faults-body"), sim));
  sim.refresh();

  const defaults = await (await fetch(new URL("./default-rules.json", import.meta.url))).text();
  // The rules applied last in this tab survive a reload, like the state does.
  const saved = sessionStorage.getItem(RULES_KEY);
  let instance = null;
  const editor = createRulesEditor($("rules-body"), {
    text: saved ?? defaults,
    defaults,
    async apply(text) {
      if (!instance) throw new Error("the engine is not running");
      await instance.reloadRules(text);
      sessionStorage.setItem(RULES_KEY, text);
    },
  });
  createOrgPanel($("org-body"), {
    source: org.source, statuses: simulated.catalog.statuses.map((s) => s.developerName), context: org.context,
  }, {
    async reset() {
      instance?.stop();
      const response = await fetch("/api/reset", { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
    },
  });
  const panel = createEnginePanel({
    badge: $("leader-badge"), state: $("engine-state"), stats: $("engine-stats"),
    trace: $("trace"), metrics: $("metrics"),
  });

  // onUpdate may fire many times per event: render once per task.
  let pending = false;
  const render = () => {
    if (pending || !instance) return;
    pending = true;
    setTimeout(() => {
      pending = false;
      panel.render(instance);
    }, 0);
  };

  // The simulated org's ServicePresenceStatus records, in the shape a Salesforce host
  // page passes them (sf data query's result.records): the rules name statuses only.
  const orgStatuses = async () => (await (await fetch("/api/state", { cache: "no-store" })).json())
    .catalog.statuses.map((s) => ({ Id: s.id, DeveloperName: s.developerName, MasterLabel: s.label }));
  const start = async (startOmniSync, bridges, telephony, rules) =>
    startOmniSync({
      rules, catalog: await orgStatuses(), host: bridges.host, telephony, onUpdate: render,
      context: org.context,
      ...runtimeOptions(params),
    });

  setEngineStatus("starting", "loading the wasm engine…");
  let notice = "";
  try {
    // Opened before the engine loads: events from then on are kept for the runtime.
    const bridges = createBridges();
    const { startOmniSync, messageChannelTelephony } = await import(new URL("../omnisync.js", import.meta.url).href);
    // The phone is not in this page: the softphone frame's relay speaks for it.
    const softphone = await openSoftphone($("phone-body"), bridges.tabId, params);
    const telephony = messageChannelTelephony(softphone.port, {
      onStatus: (status) => showTelephony(status),
    });
    showTelephony(telephony.status());
    try {
      instance = await start(startOmniSync, bridges, telephony, saved ?? defaults);
      editor.accepted(saved ?? defaults);
    } catch (err) {
      if (!Array.isArray(err?.details)) throw err;
      // Rules saved in this tab, or the defaults, that the engine refuses with this
      // org's catalog (a status it lacks): the findings are shown in the editor and the
      // engine runs with the defaults, or else with the org's statuses and no rule.
      sessionStorage.removeItem(RULES_KEY);
      editor.refused(err);
      try {
        instance = await start(startOmniSync, bridges, telephony, defaults);
      } catch {
        instance = await start(startOmniSync, bridges, telephony, bareRules(simulated.catalog));
        notice = "The rules name statuses this org's catalog lacks: the engine runs with the org's statuses and no rule until rules are applied.";
      }
    }
    telephony.attach(instance);
    try {
      await createFormHost({ form: $("form-body"), morning: $("morning-body") }, {
        catalog: await orgStatuses(), context: org.context, telephonyStates: simulated.catalog.telephonyStates,
        systemStates: simulated.catalog.systemStates, editor,
      });
    } catch (err) {
      // The JSON editor still works without the form.
      fill($("form-body"), el("p", { class: "error", text: `The form editor did not load: ${err?.message ?? err}` }));
    }
    globalThis.omnisyncDemo = { instance, bridges, telephony };
    // Running means both sides answer: the relay speaks within a moment of loading.
    // The runtime read the phone at start, before the relay answered (null); each time
    // the phone becomes ready it reads both sides again, so the panel never shows
    // "unknown" beside a softphone showing its state.
    telephony.phone.onReady(() => instance.reconcile());
    await whenConnected(telephony, 10000);
    if (telephony.status().connected) instance.reconcile();
    setEngineStatus("running", notice);
    render();
    // Durations in the metrics table grow with the clock, not only with events.
    setInterval(render, 1000);
  } catch (err) {
    console.warn("omnisync demo: the engine did not start", err);
    setEngineStatus("failed", `The engine did not start: ${err?.message ?? err}`, err?.details);
  }
}

/**
 * A rules file with the org's statuses and the phone's states and nothing else: what
 * the engine runs when the rules at hand name statuses the org lacks.
 * @param {import("./sim.js").SimState["catalog"]} catalog
 * @returns {string}
 */
function bareRules(catalog) {
  return JSON.stringify({
    version: 1,
    statuses: catalog.statuses.map((s) => ({ developerName: s.developerName, label: s.label, online: s.online })),
    telephony: { system: "softphone", states: catalog.telephonyStates },
  });
}

/**
 * The softphone in its own frame on the demo server's second origin, and the
 * simulated message channel to it: postMessage both ways, and this page's own messages
 * delivered back to it, as Lightning Message Service does.
 * @returns {Promise<{frame: HTMLIFrameElement, port: {postMessage: Function, subscribe: Function}}>}
 */
async function openSoftphone(root, tabId, params) {
  const { origin } = await (await fetch("/api/softphone", { cache: "no-store" })).json();
  const url = new URL("/demo/softphone.html", origin);
  url.search = new URLSearchParams({ console: location.origin, tab: tabId,
    ...(params.get("heartbeatMs") ? { heartbeatMs: params.get("heartbeatMs") } : {}),
    ...(params.get("phone") ? { phone: params.get("phone") } : {}) }).toString();
  const frame = el("iframe", { src: url.href, title: "Softphone", class: "softphone", testid: "softphone-frame" });
  fill(root, frame);
  const handlers = [];
  const deliver = (message) => handlers.forEach((handler) => setTimeout(() => handler(structuredClone(message)), 0));
  addEventListener("message", (event) => {
    if (event.source !== frame.contentWindow || event.origin !== origin || event.data?.omnisyncLms !== true) return;
    deliver(event.data.message);
  });
  // Until the softphone's page has loaded, the frame holds about:blank on this page's
  // origin: posting to the softphone's origin then is refused with a console warning,
  // so messages wait for the load (the relay says hello when it starts anyway).
  let loaded = false;
  const waiting = [];
  const post = (message) => frame.contentWindow?.postMessage({ omnisyncLms: true, message }, origin);
  frame.addEventListener("load", () => {
    loaded = true;
    waiting.splice(0).forEach(post);
  });
  const port = {
    postMessage(message) {
      if (loaded) post(message);
      else waiting.push(message);
      deliver(message);
    },
    subscribe: (handler) => handlers.push(handler),
  };
  return { frame, port };
}

function showTelephony(status) {
  const line = $("telephony-source");
  line.textContent = visible(status.text);
  line.dataset.connected = String(status.connected);
}

function whenConnected(telephony, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve) => {
    const check = () => (telephony.status().connected || Date.now() > deadline ? resolve() : setTimeout(check, 50));
    check();
  });
}

function setEngineStatus(state, message, details) {
  document.body.dataset.engine = state;
  const box = $("engine-error");
  fill(box, message ? el("p", { text: message }) : null,
    Array.isArray(details) ? el("ul", {}, details.map((d) => el("li", {}, el("code", { text: d.path ?? "$" }), ` ${d.message ?? ""}`))) : null,
    state === "failed" ? el("p", { text: "Build it with: bash scripts/build-wasm.sh — the simulated console still works." }) : null);
  box.className = state === "failed" ? "error" : "note";
  box.hidden = !message;
}

main().catch((err) => {
  // Reported on the page rather than thrown: an uncaught error is a test failure.
  console.warn("omnisync demo:", err);
  setEngineStatus("failed", `The demo failed: ${err?.message ?? err}`);
});
