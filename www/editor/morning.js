// "Simulate this morning": a small trace of events, editable as JSON lines, run through
// the engine by the host's `simulate`, and the export of the rules file to upload.

import { h } from "./fields.js";

/**
 * A morning made from the rules file: the agent logs in, then each phone state the
 * mappings name and each Omni status they name, a quarter of an hour apart from 08:00
 * today (local time).
 * @param {object} file the rules file
 * @param {Array<{Id: string, DeveloperName: string, MasterLabel?: string}>} catalog
 * @returns {object[]} events
 */
export function morningOf(file, catalog) {
  const start = new Date();
  start.setHours(8, 0, 0, 0);
  let at = start.getTime();
  const next = () => (at += 15 * 60000);
  const status = (name) => catalog.find((s) => s.DeveloperName === name);
  const first = status("Available") ?? catalog[0];
  const events = first ? [{ type: "omni.loginSuccess", statusId: first.Id, at }] : [];
  let phone = "Offline";
  for (const row of file?.mappings?.telephonyToOmni ?? []) {
    if (!row.telephony || row.telephony === phone) continue;
    events.push({ type: "telephony.stateChanged", oldState: phone, newState: row.telephony, at: next() });
    phone = row.telephony;
  }
  for (const row of file?.mappings?.omniToTelephony ?? []) {
    const s = status(row.omni);
    if (s) events.push({ type: "omni.statusChanged", statusId: s.Id, statusApiName: s.DeveloperName, statusName: s.MasterLabel ?? s.DeveloperName, at: next() });
  }
  return events;
}

/**
 * Builds the simulate-and-export panel.
 * @param {HTMLElement} root
 * @param {object} options
 * @param {() => string} options.text the rules file now
 * @param {(text: string) => object[]} options.morning the default trace for a file
 * @param {(text: string, events: object[]) => Array<{at: number, event: object,
 *   actions?: object[], rules?: Array<{rule: string, outcome: string}>, error?: string}>} options.simulate
 * @param {string} [options.fileName] the exported file's name
 */
export function createMorningPanel(root, { text, morning, simulate, fileName = "omnisync-rules.json" }) {
  const trace = h("textarea", { testid: "morning-trace", rows: 6, spellcheck: "false", "aria-label": "This morning's events (JSON lines)" });
  const table = h("table", { testid: "morning-result" });
  const error = h("p", { class: "error", role: "alert", testid: "morning-error" });
  const run = h("button", {
    testid: "morning-simulate", text: "Simulate this morning",
    onclick: () => {
      error.textContent = "";
      if (!trace.value.trim()) trace.value = morning(text()).map((e) => JSON.stringify(e)).join("\n");
      let events;
      try {
        events = trace.value.split("\n").filter((line) => line.trim()).map((line) => JSON.parse(line));
      } catch (err) {
        error.textContent = `each line must be one JSON event: ${err.message}`;
        return;
      }
      show(simulate(text(), events));
    },
  });
  const fresh = h("button", { testid: "morning-fresh", text: "A new morning from the rules", onclick: () => { trace.value = ""; run.click(); } });
  const exporter = h("button", { testid: "form-export", text: "Export the rules file", onclick: download });
  root.append(h("div", { class: "row" }, run, fresh, exporter), trace, error, h("div", { class: "table-wrap" }, table));

  function show(rows) {
    const time = (at) => new Date(at).toLocaleTimeString([], { hour12: false });
    table.replaceChildren(
      h("thead", {}, h("tr", {}, ["time", "event", "actions", "rules"].map((name) => h("th", { text: name })))),
      h("tbody", {}, rows.map((row) => h("tr", { testid: "morning-row" },
        h("td", { text: time(row.at) }),
        h("td", { text: describe(row.event) }),
        h("td", { text: row.error ?? ((row.actions ?? []).map((a) => `${a.type} ${a.developerName ?? a.state ?? a.statusId ?? ""}`).join("; ") || "none") }),
        h("td", { text: (row.rules ?? []).map((r) => `${r.rule}: ${r.outcome}`).join("; ") })))));
  }

  function download() {
    const url = URL.createObjectURL(new Blob([text()], { type: "application/json" }));
    const link = h("a", { href: url, download: fileName });
    root.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }
}

function describe(event) {
  if (event?.type === "telephony.stateChanged") return `phone ${event.oldState} → ${event.newState}`;
  if (event?.statusApiName) return `${event.type} ${event.statusApiName}`;
  return String(event?.type ?? "?");
}
