// The left column: an Omni-Channel widget, a softphone and the fault switches. Each is
// built once and then updated in place, so a poll never wipes what the agent is typing
// or the option they are choosing.

import { el, fill, visible } from "./dom.js";

/**
 * Runs an agent action and shows a refusal in the widget's error line.
 * @param {HTMLElement} line
 * @param {() => Promise<unknown>} action
 */
async function attempt(line, action) {
  line.textContent = "";
  try {
    await action();
  } catch (err) {
    line.textContent = visible(err.message);
  }
}

/**
 * The Omni-Channel utility: status picker, login/logout, workload, capacity, work.
 * @param {HTMLElement} root
 * @param {{act: (path: string, body?: object) => Promise<object>}} sim
 * @returns {(state: import("./sim.js").SimState) => void} update
 */
export function createOmniWidget(root, sim) {
  const error = el("p", { class: "error", testid: "omni-error", role: "alert" });
  const status = el("span", { class: "status", testid: "omni-status" });
  const select = el("select", {
    testid: "omni-status-select", "aria-label": "Omni-Channel status",
    // Picking a status while logged out logs in, as setServicePresenceStatus does.
    onchange: () => attempt(error, () => sim.act("/api/omni/status", { statusId: select.value })),
  });
  const login = el("button", {
    testid: "omni-login", text: "Log in",
    onclick: () => attempt(error, () => sim.act("/api/omni/login", { statusId: firstOnline })),
  });
  const logout = el("button", {
    testid: "omni-logout", text: "Log out",
    onclick: () => attempt(error, () => sim.act("/api/omni/logout")),
  });
  const workload = el("span", { testid: "omni-workload" });
  const meter = el("meter", { min: 0, max: 1, value: 0, testid: "omni-workload-meter" });
  const capacity = el("input", { type: "number", min: 1, step: 1, testid: "omni-capacity", "aria-label": "Configured capacity" });
  const setCapacity = el("button", {
    testid: "omni-set-capacity", text: "Set capacity",
    onclick: () => attempt(error, () => sim.act("/api/omni/capacity", { configuredCapacity: Number(capacity.value) })),
  });
  const assign = el("span", { class: "buttons" });
  const works = el("ul", { class: "works", testid: "work-list" });
  let firstOnline = null;
  let catalogKey = null;

  root.append(
    el("div", { class: "row" }, status),
    el("div", { class: "row" }, select, login, logout),
    el("div", { class: "row" }, el("span", { class: "label", text: "Workload" }), workload, meter),
    el("div", { class: "row" }, capacity, setCapacity),
    el("div", { class: "row" }, el("span", { class: "label", text: "Route work" }), assign),
    works,
    error,
  );

  const workAction = (verb, work) => el("button", {
    testid: `work-${verb}`, text: verb[0].toUpperCase() + verb.slice(1),
    onclick: () => attempt(error, () => sim.act(`/api/omni/work/${verb}`, { workId: work.workId })),
  });

  return function update(state) {
    const { omni, catalog } = state;
    const key = JSON.stringify([catalog.statuses, catalog.channels]);
    if (key !== catalogKey) {
      catalogKey = key;
      firstOnline = (catalog.statuses.find((s) => s.online) ?? catalog.statuses[0])?.id;
      fill(select, el("option", { value: "", text: "Offline", disabled: true }),
        catalog.statuses.map((s) => el("option", { value: s.id, text: s.label ?? s.developerName })));
      fill(assign, catalog.channels.map((c) => el("button", {
        testid: `work-assign-${c.developerName}`, text: c.developerName,
        onclick: () => attempt(error, () => sim.act("/api/omni/work/assign", { channel: c.developerName })),
      })));
    }
    status.textContent = omni.loggedIn ? visible(omni.label) : "Offline (logged out)";
    status.dataset.status = omni.loggedIn ? omni.developerName : "Offline";
    status.dataset.online = String(Boolean(omni.loggedIn && catalog.statuses.find((s) => s.id === omni.statusId)?.online));
    select.value = omni.loggedIn ? omni.statusId : "";
    login.disabled = omni.loggedIn;
    logout.disabled = !omni.loggedIn;
    const { configuredCapacity: cap, currentWorkload: load } = state.workload;
    workload.textContent = `${load} / ${cap} (${cap ? Math.round((load / cap) * 100) : 0}%)`;
    workload.dataset.workload = String(load);
    meter.value = cap ? Math.min(1, load / cap) : 0;
    if (document.activeElement !== capacity) capacity.value = String(cap);
    fill(works, state.works.filter((w) => w.status === "Assigned" || w.status === "Opened").map((w) =>
      el("li", { testid: "work-item", dataset: { workId: w.workId, status: w.status } },
        el("span", { class: "channel", text: w.serviceChannel ?? "work" }),
        el("code", { text: w.workItemId }),
        el("span", { class: `work-status ${w.status}`, text: w.status }),
        w.status === "Assigned" ? [workAction("accept", w), workAction("decline", w)] : workAction("close", w))));
  };
}

/**
 * The softphone: agent states from the rules' telephony.states and a simulated call.
 * @param {HTMLElement} root
 * @param {{act: (path: string, body?: object) => Promise<object>}} sim
 * @returns {(state: import("./sim.js").SimState) => void} update
 */
export function createSoftphone(root, sim) {
  const error = el("p", { class: "error", testid: "phone-error", role: "alert" });
  const current = el("span", { class: "status", testid: "phone-state" });
  const select = el("select", {
    testid: "phone-state-select", "aria-label": "Agent state",
    onchange: () => attempt(error, () => sim.act("/api/phone/state", { state: select.value })),
  });
  const call = (action, text) => el("button", {
    testid: `call-${action}`, text,
    onclick: () => attempt(error, () => sim.act("/api/phone/call", { action })),
  });
  const start = call("start", "Start call");
  const wrap = call("wrap", "Wrap up");
  const end = call("end", "End call");
  let statesKey = null;
  root.append(
    el("div", { class: "row" }, current),
    el("div", { class: "row" }, select),
    el("div", { class: "row" }, start, wrap, end),
    error,
  );

  return function update(state) {
    const { telephony, catalog } = state;
    const key = JSON.stringify(catalog.telephonyStates);
    if (key !== statesKey) {
      statesKey = key;
      fill(select, el("option", { value: "", text: "(on a contact)", disabled: true }),
        catalog.telephonyStates.map((name) => el("option", { value: name, text: name })));
    }
    current.textContent = visible(telephony.state ?? "unknown");
    current.dataset.state = telephony.state ?? "";
    current.dataset.system = String(telephony.onCall);
    select.value = telephony.onCall ? "" : telephony.state ?? "";
    select.disabled = telephony.onCall;
    start.disabled = telephony.onCall;
    wrap.disabled = telephony.state !== "Busy";
    end.disabled = !telephony.onCall;
  };
}

/**
 * Fault injection: a share of toolkit writes rejected, a share of events dropped.
 * @param {HTMLElement} root
 * @param {{act: (path: string, body?: object) => Promise<object>}} sim
 * @returns {(state: import("./sim.js").SimState) => void} update
 */
export function createFaultsPanel(root, sim) {
  const error = el("p", { class: "error", role: "alert" });
  const field = (name, label, attrs) => {
    const input = el("input", { type: "number", testid: `faults-${name}`, ...attrs });
    return [input, el("label", {}, label, input)];
  };
  const [reject, rejectLabel] = field("reject", "reject writes", { min: 0, max: 1, step: 0.1, value: 0 });
  const [drop, dropLabel] = field("drop", "drop events", { min: 0, max: 1, step: 0.1, value: 0 });
  const [seed, seedLabel] = field("seed", "seed", { min: 0, step: 1, value: 1 });
  const shown = el("span", { testid: "faults-current" });
  const apply = el("button", {
    testid: "faults-apply", text: "Apply faults",
    onclick: () => attempt(error, () => sim.act("/api/faults", {
      rejectRate: Number(reject.value), dropRate: Number(drop.value), seed: Number(seed.value),
    })),
  });
  root.append(el("div", { class: "row" }, rejectLabel, dropLabel, seedLabel, apply), el("div", { class: "row" }, shown), error);

  return function update({ faults }) {
    const on = faults.rejectRate > 0 || faults.dropRate > 0;
    shown.textContent = on
      ? `active: ${Math.round(faults.rejectRate * 100)}% of toolkit writes rejected, ${Math.round(faults.dropRate * 100)}% of events dropped (seed ${faults.seed})`
      : "off";
    shown.className = on ? "warn" : "";
  };
}
