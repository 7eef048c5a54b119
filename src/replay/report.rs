//! What a replay found: each agent's tallies ([`AgentResult`]) summed into the
//! [`Report`], printed as a table for a person (`Report::table`), as JSON for a
//! machine (serde) and as a page with charts (`html`).

use super::fast_map::FastMap;
use super::read::{InputKind, Problems};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;

/// How many differences the report lists.
pub const DIFFERENCES_LISTED: usize = 50;

/// Milliseconds per state, on each side.
#[derive(Debug, Clone, Default)]
pub(crate) struct SideHours {
    pub(crate) omni: HashMap<String, u64>,
    pub(crate) telephony: HashMap<String, u64>,
}

/// One rules file's run for one agent.
#[derive(Debug, Clone, Default)]
pub(crate) struct RunTally {
    /// Actions per rule, by hour of the day (UTC).
    pub(crate) firings: FastMap<String, [u64; 24]>,
    pub(crate) hours: SideHours,
    pub(crate) chain_limits: u64,
    pub(crate) deferred: u64,
    pub(crate) actions: u64,
}

/// A change whose outcome differs between the two rules files.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Difference {
    pub agent: String,
    pub at: String,
    #[serde(skip)]
    pub(crate) at_ms: u64,
    /// The agent's change: `telephony Lunch`, `omni Break`, `omni logout`...
    pub event: String,
    /// The actions it set off under each file: `omni=Lunch`, `telephony=Break`.
    pub current: Vec<String>,
    pub proposed: Vec<String>,
}

/// One agent's replay.
#[derive(Debug, Clone, Default)]
pub(crate) struct AgentResult {
    pub(crate) agent: String,
    pub(crate) events: u64,
    pub(crate) inputs: u64,
    pub(crate) agent_changes: u64,
    pub(crate) sync_changes: u64,
    pub(crate) ambiguous: u64,
    pub(crate) sync_by_rule: HashMap<String, u64>,
    pub(crate) history: SideHours,
    pub(crate) current: RunTally,
    pub(crate) proposed: RunTally,
    pub(crate) differences_total: u64,
    pub(crate) differences: Vec<Difference>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InputSummary {
    pub file: String,
    pub kind: InputKind,
    /// Bytes as stored (compressed for gzip) and of the text read from them.
    pub stored_bytes: u64,
    pub text_bytes: u64,
    /// False when the file could not be read to its end (what was read is used).
    pub complete: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attribution {
    /// Changes of status the agent (or work routing) made.
    pub agent_changes: u64,
    /// Changes the old sync made, by the current rules.
    pub sync_changes: u64,
    /// The sync's share of all changes.
    pub sync_share: f64,
    /// Sync changes stamped in the same second as, or before, the change that
    /// explains them: which came first is a guess (docs/replay.md).
    pub ambiguous: u64,
    /// Sync changes per rule of the current file.
    pub by_rule: BTreeMap<String, u64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleRow {
    pub rule: String,
    /// Changes in history attributed to its writes (current rules only).
    pub history: u64,
    /// Actions it caused in the replay under each file (0: not in that file, or never).
    pub current: u64,
    pub proposed: u64,
    pub current_by_hour: [u64; 24],
    pub proposed_by_hour: [u64; 24],
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusRow {
    pub status: String,
    /// Seconds in it, as it happened and in the replays.
    pub history_seconds: u64,
    pub current_seconds: u64,
    pub proposed_seconds: u64,
    /// The same to the millisecond: what reports of different agents add up by
    /// (seconds rounded down do not add up).
    pub history_ms: u64,
    pub current_ms: u64,
    pub proposed_ms: u64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Statuses {
    pub omni: Vec<StatusRow>,
    pub telephony: Vec<StatusRow>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Pair {
    pub current: u64,
    pub proposed: u64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Differences {
    pub total: u64,
    /// The first ones by time (at most [`DIFFERENCES_LISTED`]).
    pub first: Vec<Difference>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentRow {
    pub agent: String,
    pub agent_changes: u64,
    pub sync_changes: u64,
    /// Actions per rule: [current, proposed].
    pub firings: BTreeMap<String, [u64; 2]>,
}

/// Where the time went (not compared between runs).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Timing {
    pub read_ms: u64,
    pub replay_ms: u64,
    /// Sorted runs spilled to disk (0: the rows fitted in the sort buffer).
    pub sort_runs: u64,
    pub rows: u64,
    /// One file sorted by time per agent, replayed as read (no sort).
    pub streamed: bool,
}

/// The whole replay.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub current_rules: String,
    pub proposed_rules: String,
    pub inputs: Vec<InputSummary>,
    pub problems: Problems,
    pub agents: u64,
    /// Events in the merged timelines, and those replayed (the agents' own).
    pub events: u64,
    pub replayed_events: u64,
    pub window_ms: u64,
    pub attribution: Attribution,
    pub rules: Vec<RuleRow>,
    pub statuses: Statuses,
    pub differences: Differences,
    /// Chains of changes the sync loop stopped (loops), under each file.
    pub chain_limits: Pair,
    /// Phone writes held until a contact ended, under each file.
    pub deferred: Pair,
    pub per_agent: Vec<AgentRow>,
    pub timing: Timing,
}

/// Sums agents' results in any order.
#[derive(Default)]
pub(crate) struct Totals {
    report: Report,
    sync_by_rule: HashMap<String, u64>,
    firings: [HashMap<String, [u64; 24]>; 2],
    hours: [HashMap<String, [u64; 3]>; 2],
}

impl Totals {
    pub(crate) fn add(&mut self, r: AgentResult) {
        let report = &mut self.report;
        report.agents += 1;
        report.events += r.events;
        report.replayed_events += r.inputs;
        report.attribution.agent_changes += r.agent_changes;
        report.attribution.sync_changes += r.sync_changes;
        report.attribution.ambiguous += r.ambiguous;
        for (rule, n) in r.sync_by_rule {
            *self.sync_by_rule.entry(rule).or_default() += n;
        }
        report.chain_limits.current += r.current.chain_limits;
        report.chain_limits.proposed += r.proposed.chain_limits;
        report.deferred.current += r.current.deferred;
        report.deferred.proposed += r.proposed.deferred;
        report.differences.total += r.differences_total;
        report.differences.first.extend(r.differences);
        // Only the first ones by time are listed: the rest go as they come, so the
        // list does not grow with the number of agents.
        if report.differences.first.len() > 2 * DIFFERENCES_LISTED {
            sort_differences(&mut report.differences.first);
            report.differences.first.truncate(DIFFERENCES_LISTED);
        }
        let mut per_rule: BTreeMap<String, [u64; 2]> = BTreeMap::new();
        for (i, run) in [&r.current, &r.proposed].into_iter().enumerate() {
            for (rule, hours) in &run.firings {
                per_rule.entry(rule.clone()).or_default()[i] += hours.iter().sum::<u64>();
                let total = self.firings[i].entry(rule.clone()).or_insert([0; 24]);
                for (t, h) in total.iter_mut().zip(hours) {
                    *t += h;
                }
            }
        }
        let sides = |h: &SideHours| [h.omni.clone(), h.telephony.clone()];
        for (column, hours) in [
            sides(&r.history),
            sides(&r.current.hours),
            sides(&r.proposed.hours),
        ]
        .into_iter()
        .enumerate()
        {
            for (side, map) in hours.into_iter().enumerate() {
                for (state, ms) in map {
                    self.hours[side].entry(state).or_default()[column] += ms;
                }
            }
        }
        report.per_agent.push(AgentRow {
            agent: r.agent,
            agent_changes: r.agent_changes,
            sync_changes: r.sync_changes,
            firings: per_rule,
        });
    }

    /// The report; `rule_order`: every rule name of both files, in file order.
    pub(crate) fn finish(mut self, rule_order: &[String]) -> Report {
        let mut report = self.report;
        let a = &mut report.attribution;
        a.sync_share = sync_share(a.sync_changes, a.agent_changes + a.sync_changes);
        a.by_rule = self.sync_by_rule.into_iter().collect();
        sort_differences(&mut report.differences.first);
        report.differences.first.truncate(DIFFERENCES_LISTED);
        report.per_agent.sort_by(|x, y| x.agent.cmp(&y.agent));
        let mut names: Vec<String> = rule_order.to_vec();
        for map in &self.firings {
            let mut extra: Vec<&String> = map.keys().filter(|k| !names.contains(k)).collect();
            extra.sort();
            names.extend(extra.into_iter().cloned());
        }
        report.rules = names
            .into_iter()
            .map(|rule| {
                let current_by_hour = self.firings[0].remove(&rule).unwrap_or([0; 24]);
                let proposed_by_hour = self.firings[1].remove(&rule).unwrap_or([0; 24]);
                RuleRow {
                    history: report.attribution.by_rule.get(&rule).copied().unwrap_or(0),
                    current: current_by_hour.iter().sum(),
                    proposed: proposed_by_hour.iter().sum(),
                    rule,
                    current_by_hour,
                    proposed_by_hour,
                }
            })
            .collect();
        let rows = |map: HashMap<String, [u64; 3]>| -> Vec<StatusRow> {
            let mut rows: Vec<StatusRow> = map
                .into_iter()
                .map(|(status, ms)| StatusRow::new(status, ms))
                .collect();
            sort_status_rows(&mut rows);
            rows
        };
        let [omni, telephony] = self.hours;
        report.statuses = Statuses {
            omni: rows(omni),
            telephony: rows(telephony),
        };
        report
    }
}

impl StatusRow {
    /// A status's milliseconds: as it happened, under the current, under the proposed.
    pub(crate) fn new(status: String, ms: [u64; 3]) -> StatusRow {
        StatusRow {
            status,
            history_seconds: ms[0] / 1000,
            current_seconds: ms[1] / 1000,
            proposed_seconds: ms[2] / 1000,
            history_ms: ms[0],
            current_ms: ms[1],
            proposed_ms: ms[2],
        }
    }
}

/// The most hours as it happened first, then by name.
pub(crate) fn sort_status_rows(rows: &mut [StatusRow]) {
    rows.sort_by(|x, y| {
        y.history_seconds
            .cmp(&x.history_seconds)
            .then(x.status.cmp(&y.status))
    });
}

/// The sync's share of all changes, to four places.
pub(crate) fn sync_share(sync: u64, all: u64) -> f64 {
    if all == 0 {
        0.0
    } else {
        (sync as f64 / all as f64 * 10_000.0).round() / 10_000.0
    }
}

pub(crate) fn sort_differences(list: &mut [Difference]) {
    list.sort_by(|x, y| (x.at_ms, &x.agent).cmp(&(y.at_ms, &y.agent)));
}

fn hours(seconds: u64) -> String {
    format!("{:.2}", seconds as f64 / 3600.0)
}

impl Report {
    /// The report for a person: aligned plain text.
    pub fn table(&self) -> String {
        let mut t = String::new();
        let a = &self.attribution;
        let _ = writeln!(
            t,
            "omnisync replay: {} agents, {} events ({} replayed); current {}, proposed {}",
            self.agents, self.events, self.replayed_events, self.current_rules, self.proposed_rules
        );
        let _ = writeln!(
            t,
            "\nchanges: {} by agents, {} by the old sync ({:.1} %), {} of them ambiguous (same second); window {} ms",
            a.agent_changes,
            a.sync_changes,
            a.sync_share * 100.0,
            a.ambiguous,
            self.window_ms
        );
        for (rule, n) in &a.by_rule {
            let _ = writeln!(t, "  {n:>8}  {rule}");
        }
        let _ = writeln!(
            t,
            "\n{:<48} {:>10} {:>10} {:>10}",
            "rule fired (history: changes; replays: actions)", "history", "current", "proposed"
        );
        for r in &self.rules {
            let _ = writeln!(
                t,
                "{:<48} {:>10} {:>10} {:>10}",
                r.rule, r.history, r.current, r.proposed
            );
        }
        for (side, rows) in [
            ("Omni-Channel", &self.statuses.omni),
            ("telephony", &self.statuses.telephony),
        ] {
            let _ = writeln!(
                t,
                "\n{:<32} {:>10} {:>10} {:>10}",
                format!("{side} hours"),
                "history",
                "current",
                "proposed"
            );
            for r in rows {
                let _ = writeln!(
                    t,
                    "{:<32} {:>10} {:>10} {:>10}",
                    r.status,
                    hours(r.history_seconds),
                    hours(r.current_seconds),
                    hours(r.proposed_seconds)
                );
            }
        }
        let _ = writeln!(
            t,
            "\nchain limits hit: current {}, proposed {}; phone writes deferred during contacts: current {}, proposed {}",
            self.chain_limits.current, self.chain_limits.proposed, self.deferred.current, self.deferred.proposed
        );
        let _ = writeln!(
            t,
            "\n{} changes differ{}",
            self.differences.total,
            if self.differences.total > self.differences.first.len() as u64 {
                format!(" (first {} listed)", self.differences.first.len())
            } else {
                String::new()
            }
        );
        for d in &self.differences.first {
            let show = |v: &[String]| {
                if v.is_empty() {
                    "-".to_string()
                } else {
                    v.join(", ")
                }
            };
            let _ = writeln!(
                t,
                "  {}  {:<20} {:<24} current: {:<24} proposed: {}",
                d.at,
                d.agent,
                d.event,
                show(&d.current),
                show(&d.proposed)
            );
        }
        if self.problems.total() > 0 {
            let _ = writeln!(t, "\nrows not used: {}", self.problems.total());
            for (reason, p) in &self.problems.reasons {
                let _ = writeln!(t, "  {:>8}  {reason}", p.count);
                for e in &p.examples {
                    let _ = writeln!(t, "            {e}");
                }
            }
        }
        t
    }
}

#[cfg(test)]
pub(crate) mod tests;
