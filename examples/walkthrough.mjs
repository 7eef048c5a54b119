// A short shift through the wasm engine with the default rules: prints what the engine
// decides at each event and why, then the presence metrics. Run by scripts/demo.sh.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { OmniSync } = require("../pkg/node/omnisync.js");

const rulesPath = new URL(process.argv[2] ?? "./reference-rules.json", import.meta.url);
// The rules name statuses only: the org's catalog (`sf data query --json` output) gives the Ids.
const catalog = JSON.parse(readFileSync(new URL("./org-statuses.json", import.meta.url), "utf8"));
const sync = new OmniSync(readFileSync(rulesPath, "utf8"), { catalog });

const shift = [
  { at: 0, type: "omni.loginSuccess", statusId: "0N5Hs0000001AvlKAE" },
  { at: 10, type: "omni.statusChanged", statusId: "0N5Hs0000001AvlKAE", statusName: "Available",
    statusApiName: "Available", channels: "[]", reason: "OmniLoginStatusChange" },
  { at: 20, type: "telephony.stateChanged", oldState: "Offline", newState: "Available" },
  { at: 60_000, type: "omni.workloadChanged", configuredCapacity: "4", previousWorkload: "0", newWorkload: "4" },
  { at: 600_000, type: "omni.workloadChanged", configuredCapacity: 4, previousWorkload: 4, newWorkload: 0 },
  { at: 1_800_000, type: "telephony.stateChanged", oldState: "Available", newState: "Lunch" },
  { at: 1_800_400, type: "omni.statusChanged", statusId: "0N5Hs0000004LunKAE", statusName: "Lunch",
    statusApiName: "Lunch", reason: "OmniToolkitStatusChange" },
  { at: 1_800_500, type: "omni.workloadChanged", configuredCapacity: 4, previousWorkload: 0, newWorkload: "lots" },
];

for (const event of shift) {
  let line;
  try {
    const decision = sync.handle(event);
    const { actions } = decision;
    // The decision trace is built only when asked for: the agent's path does not pay for it.
    const matched = decision.trace().rules.filter((r) => r.matched).map((r) => `${r.rule} (${r.outcome})`);
    const did = actions.map((a) => (a.type === "setOmniStatus" ? `Omni -> ${a.developerName}` : `phone -> ${a.state}`));
    line = `${did.join(", ") || "no action"}${matched.length ? `  [${matched.join("; ")}]` : ""}`;
  } catch (err) {
    line = `refused: ${err.code}: ${err.details.map((d) => `${d.path} ${d.message}`).join("; ")}`;
  }
  console.log(`${String(event.at).padStart(8)} ms  ${event.type.padEnd(24)} ${line}`);
}

console.log("\nPresence records (UserServicePresence: ISO 8601 dates, durations in seconds):");
console.table(
  sync.metrics(2_400_000).records.map((r) => ({
    status: r.ServicePresenceStatus.DeveloperName,
    start: r.StatusStartDate,
    end: r.StatusEndDate,
    duration: r.StatusDuration ?? "(running)",
    idle: r.IdleDuration,
    atCapacity: r.AtCapacityDuration,
    averageCapacity: Number(r.AverageCapacity.toFixed(3)),
    away: r.IsAway,
  })),
);
