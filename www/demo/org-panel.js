// The admin's org and agent for the demo: the status catalog (?catalog=URL or a file),
// the phone's states (?phoneStates=), the agent's context (?user=&profile=&teams=) and
// a reset. The runtime takes its catalog and context when it starts, so a change here
// reloads the page with the new options; nothing is kept between loads but what the
// URL says and what this tab saved (the applied rules, a catalog file, the engine's
// session), which Reset clears.

import { el, fill } from "./dom.js";

const CATALOG_KEY = "omnisync-demo:catalog";

/**
 * Reads the org and agent the page's URL (or this tab's saved catalog file) asks for.
 * @param {URLSearchParams} params
 * @returns {Promise<{records: object[] | null, source: string, telephonyStates: string[] | null,
 *   context: {userId?: string, profileId?: string, teams: string[]}}>} `records` null:
 *   the simulated default org.
 */
export async function readOrg(params) {
  let records = null;
  let source = "the demo's default org";
  const url = params.get("catalog");
  if (url) {
    const response = await fetch(new URL(url, location.href), { cache: "no-store" });
    if (!response.ok) throw new Error(`the catalog ${url} could not be read (HTTP ${response.status})`);
    records = catalogRecords(await response.json(), url);
    source = url;
  } else {
    const saved = sessionStorage.getItem(CATALOG_KEY);
    if (saved) ({ records, source } = JSON.parse(saved));
  }
  const list = (name) => (params.get(name) ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  const telephonyStates = params.has("phoneStates") ? list("phoneStates") : null;
  const context = { userId: params.get("user") ?? "005Hs00000DemoAgAAA", teams: list("teams") };
  if (params.get("profile")) context.profileId = params.get("profile");
  if (!context.userId) delete context.userId;
  return { records, source, telephonyStates, context };
}

/**
 * The ServicePresenceStatus records of a catalog file: a list of records, `{records}`
 * or `sf data query --json` output (`{result: {records}}`), as the engine reads them.
 * @param {unknown} value
 * @param {string} where named in the error
 * @returns {object[]}
 */
export function catalogRecords(value, where) {
  const records = value?.result?.records ?? value?.records ?? value;
  if (!Array.isArray(records)) {
    throw new Error(`${where} is not a status catalog: expected the ServicePresenceStatus records or sf data query --json output`);
  }
  return records.map(({ Id, DeveloperName, MasterLabel }) => ({ Id, DeveloperName, MasterLabel }));
}

/**
 * Builds the panel.
 * @param {HTMLElement} root
 * @param {{source: string, statuses: string[], context: {userId?: string, profileId?: string, teams: string[]}}} org
 *   what the engine runs with
 * @param {{reset: () => Promise<void>}} actions `reset` stops the engine and resets the
 *   simulated systems.
 */
export function createOrgPanel(root, org, { reset }) {
  const error = el("p", { class: "error", role: "alert", testid: "org-error" });
  const file = el("input", {
    type: "file", accept: ".json,application/json", testid: "catalog-file", "aria-label": "Status catalog file",
    onchange: () => loadFile(file.files?.[0]),
  });
  const field = (name, label, value) => {
    const input = el("input", { type: "text", testid: `context-${name}`, value: value ?? "", size: 22 });
    return [input, el("label", {}, label, input)];
  };
  const [user, userLabel] = field("user", "user Id", org.context.userId);
  const [profile, profileLabel] = field("profile", "profile Id", org.context.profileId);
  const [teams, teamsLabel] = field("teams", "teams (comma-separated)", org.context.teams.join(", "));
  const apply = el("button", { testid: "context-apply", text: "Apply context", onclick: applyContext });
  const resetButton = el("button", { testid: "demo-reset", text: "Reset the demo", onclick: onReset });
  fill(root,
    el("p", { testid: "catalog-source" }, "Catalog: ", el("code", { text: org.source }),
      ` (${org.statuses.length} statuses: ${org.statuses.join(", ")})`),
    el("div", { class: "row" }, el("label", {}, "load a catalog file", file)),
    el("div", { class: "row" }, userLabel, profileLabel, teamsLabel, apply),
    el("p", { class: "stats", testid: "context-shown", text: `context given to the engine: ${JSON.stringify(org.context)}` }),
    el("div", { class: "row" }, resetButton,
      el("span", { class: "stats", text: "clears this tab's saved rules, catalog and engine session, and resets the simulated systems" })),
    error);

  async function loadFile(chosen) {
    if (!chosen) return;
    try {
      const records = catalogRecords(JSON.parse(await chosen.text()), chosen.name);
      sessionStorage.setItem(CATALOG_KEY, JSON.stringify({ records, source: chosen.name }));
      const url = new URL(location.href);
      url.searchParams.delete("catalog"); // the file now stands for the org
      location.assign(url.href);
    } catch (err) {
      error.textContent = err.message;
    }
  }

  function applyContext() {
    const url = new URL(location.href);
    const set = (name, value) => (value ? url.searchParams.set(name, value) : url.searchParams.delete(name));
    // An emptied user Id is kept as empty: the engine then runs with no user.
    url.searchParams.set("user", user.value.trim());
    set("profile", profile.value.trim());
    set("teams", teams.value.split(",").map((s) => s.trim()).filter(Boolean).join(","));
    location.assign(url.href);
  }

  async function onReset() {
    resetButton.disabled = true;
    try {
      await reset(); // stops this tab's engine first: a stopped engine saves nothing more
      sessionStorage.clear();
      location.assign(location.pathname);
    } catch (err) {
      error.textContent = `reset failed: ${err.message}`;
      resetButton.disabled = false;
    }
  }
}
