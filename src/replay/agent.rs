//! One agent's replay, the function a distributed engine would map over partitions:
//! its rows in time order in, its tallies out ([`replay_agent`]).
//!
//! 1. `timeline`: the rows become the events both systems sent, in one timeline.
//! 2. `attribute`: each change of status is the agent's or the old sync's (the
//!    method of docs/replay.md).
//! 3. The agent's changes, and all work, run through [`Simulator::replay`] under the
//!    current and under the proposed rules; history and both runs are tallied.

use super::input::{Agent, KnownStatus};
use super::record::{Kind, Names, Rec};
use super::report::{AgentResult, Difference, RunTally, SideHours};
use crate::action::Side;
use crate::engine::Engine;
use crate::event::{Event, WorkEvent, WorkRef};
use crate::rules::{CompiledRules, Target};
use crate::simulate::Simulator;
use crate::sync::LogKind;
use std::collections::HashMap;

/// A presence record that ends this close to the next one's start is a change of
/// status, not a logout and a login.
pub(crate) const JOIN_MS: u64 = 2_000;
/// How much later than a change the other side's change that explains it may be
/// stamped: Salesforce exports are to the second, Connect to the millisecond.
pub(crate) const SAME_SECOND_MS: u64 = 1_000;
/// How many differences one agent keeps for the report's list.
const DIFFERENCES_KEPT: usize = 50;
/// The reason an agent's own Omni change carries in the replay.
const MANUAL: &str = "OmniManualStatusChange";

/// What every agent's replay reads and nobody changes.
pub(crate) struct Shared<'a> {
    pub(crate) names: &'a Names,
    pub(crate) statuses: &'a [KnownStatus],
    pub(crate) current: &'a CompiledRules,
    pub(crate) proposed: &'a CompiledRules,
    pub(crate) window_ms: u64,
    pub(crate) with_reason: bool,
}

/// One event of the merged timeline; `change` when it changes a side's status: the
/// side and the status DeveloperName (`Offline` for a logout) or phone state.
#[derive(Debug, Clone)]
pub(crate) struct Step {
    pub(crate) at: u64,
    pub(crate) event: Event,
    pub(crate) change: Option<(Side, String)>,
}

/// Replays one agent: rows sorted by time in, tallies out.
pub(crate) fn replay_agent(agent: &Agent, rows: Vec<Rec>, shared: &Shared<'_>) -> AgentResult {
    let steps = timeline(&rows, shared);
    drop(rows); // the agent's history is held once, as its timeline

    let mut result = AgentResult {
        agent: agent.name.clone(),
        events: steps.len() as u64,
        ..AgentResult::default()
    };
    let Some(end) = steps.last().map(|s| s.at) else {
        return result;
    };
    let attributed = attribute(&steps, agent, shared, &mut result);
    let starts = side_starts(&steps);
    result.history = history_hours(&steps, starts, end);
    let inputs: Vec<(&Event, u64)> = steps
        .iter()
        .zip(&attributed)
        .filter(|(_, sync)| sync.is_none())
        .map(|(s, _)| (&s.event, s.at))
        .collect();
    result.inputs = inputs.len() as u64;
    let (current, current_actions) = run(shared.current, agent, &inputs, starts, end, shared);
    let (proposed, proposed_actions) = run(shared.proposed, agent, &inputs, starts, end, shared);
    for (i, (c, p)) in current_actions.iter().zip(&proposed_actions).enumerate() {
        if c != p {
            result.differences_total += 1;
            if result.differences.len() < DIFFERENCES_KEPT {
                result.differences.push(Difference {
                    agent: agent.name.clone(),
                    at: super::time::format_ms(inputs[i].1),
                    at_ms: inputs[i].1,
                    event: describe(inputs[i].0),
                    current: c.clone(),
                    proposed: p.clone(),
                });
            }
        }
    }
    result.current = current;
    result.proposed = proposed;
    result
}

/// The rows as the events both systems sent. Presence records become logins, status
/// changes and logouts; repeated phone states are dropped; AgentWork with a weight
/// changes the workload from assignment to decline or close, as Omni-Channel counts it.
pub(crate) fn timeline(rows: &[Rec], shared: &Shared<'_>) -> Vec<Step> {
    let mut out: Vec<Step> = Vec::with_capacity(rows.len());
    let status = |i: u32| shared.statuses.get(i as usize);
    let mut logged_in = false;
    let mut omni: Option<u32> = None;
    let mut ended: Option<u64> = None;
    let mut phone: Option<u32> = None;
    let mut capacity = 0.0f64;
    let mut workload = 0.0f64;
    let mut weights: HashMap<u64, f64> = HashMap::new();
    let logout = |out: &mut Vec<Step>, at: u64| {
        out.push(Step {
            at,
            event: Event::Logout { reason: None },
            change: Some((Side::Omni, "Offline".into())),
        })
    };
    for r in rows {
        if let Some(end) = ended.filter(|end| r.at > end + JOIN_MS) {
            logout(&mut out, end);
            ended = None;
            logged_in = false;
        }
        match r.kind {
            Kind::OmniEnd => ended = Some(r.at),
            Kind::OmniStart | Kind::Login | Kind::Status => {
                let Some(s) = status(r.a) else { continue };
                // As the replay feeds an agent's change: made by hand (the old sync's own
                // reason would make the loop take it for its write; the attribution
                // does not read reasons).
                let given = shared.names.name(r.b);
                let reason =
                    if r.kind == Kind::Status && r.b != 0 && given != crate::sync::TOOLKIT_REASON {
                        given.to_string()
                    } else {
                        MANUAL.to_string()
                    };
                ended = None;
                if logged_in && omni == Some(r.a) && r.kind == Kind::OmniStart {
                    continue; // one status in two records
                }
                let event = if !logged_in && r.kind != Kind::Status {
                    Event::LoginSuccess {
                        status_id: s.id.clone(),
                    }
                } else {
                    Event::StatusChanged {
                        status_id: s.id.clone(),
                        status_name: None,
                        status_api_name: s.name.clone(),
                        channels: Vec::new(),
                        reason: Some(reason),
                    }
                };
                logged_in = true;
                omni = Some(r.a);
                out.push(Step {
                    at: r.at,
                    event,
                    change: Some((Side::Omni, s.name.clone())),
                });
            }
            Kind::Logout => {
                ended = None;
                if logged_in {
                    logout(&mut out, r.at);
                }
                logged_in = false;
            }
            Kind::Phone => {
                if phone == Some(r.a) {
                    continue;
                }
                let new_state = shared.names.name(r.a).to_string();
                out.push(Step {
                    at: r.at,
                    event: Event::TelephonyStateChanged {
                        old_state: phone.map(|p| shared.names.name(p).to_string()),
                        new_state: new_state.clone(),
                    },
                    change: Some((Side::Telephony, new_state)),
                });
                phone = Some(r.a);
            }
            Kind::WorkAssigned | Kind::WorkAccepted | Kind::WorkDeclined | Kind::WorkClosed => {
                let kind = match r.kind {
                    Kind::WorkAssigned => WorkEvent::Assigned,
                    Kind::WorkAccepted => WorkEvent::Accepted,
                    Kind::WorkDeclined => WorkEvent::Declined,
                    _ => WorkEvent::Closed,
                };
                let id = format!("{:016x}", r.x);
                out.push(Step {
                    at: r.at,
                    event: Event::Work {
                        kind,
                        work: WorkRef {
                            work_item_id: id.clone(),
                            work_id: id,
                            service_channel: (r.a != 0).then(|| shared.names.name(r.a).to_string()),
                        },
                    },
                    change: None,
                });
                let weight = f64::from(f32::from_bits(r.b));
                let previous = workload;
                match kind {
                    WorkEvent::Assigned if weight.is_finite() => {
                        weights.insert(r.x, weight);
                        workload += weight;
                    }
                    WorkEvent::Declined | WorkEvent::Closed => {
                        if let Some(w) = weights.remove(&r.x) {
                            workload = (workload - w).max(0.0);
                        }
                    }
                    _ => {}
                }
                if workload != previous {
                    out.push(Step {
                        at: r.at,
                        event: Event::WorkloadChanged {
                            configured_capacity: capacity,
                            previous_workload: previous,
                            new_workload: workload,
                        },
                        change: None,
                    });
                }
            }
            Kind::Workload => {
                let (cap, previous) = (f32::from_bits(r.a), f32::from_bits(r.b));
                workload = f64::from_bits(r.x);
                out.push(Step {
                    at: r.at,
                    event: Event::WorkloadChanged {
                        configured_capacity: f64::from(cap),
                        previous_workload: f64::from(previous),
                        new_workload: workload,
                    },
                    change: None,
                });
            }
            Kind::Capacity => capacity = f64::from(f32::from_bits(r.a)),
        }
    }
    if let Some(end) = ended {
        logout(&mut out, end);
    }
    // A logout is known only once nothing follows the record's end within JOIN_MS: it
    // may have been found after rows of that moment.
    out.sort_by_key(|s| s.at);
    out
}

/// For each step, the rule of the current rules whose write it was, or `None` for
/// the agent's own (and work routing's) changes and for events that change no
/// status. A change on one side is the sync's when the latest change on the other
/// side (at most the window before it, or stamped within the same second after it)
/// that was not itself the sync's made the current rules ask for exactly it.
pub(crate) fn attribute(
    steps: &[Step],
    agent: &Agent,
    shared: &Shared<'_>,
    result: &mut AgentResult,
) -> Vec<Option<String>> {
    let mut engine = Engine::new(shared.current.clone());
    engine.set_context(agent.context.clone());
    // What the current rules asked for after each change: (side, target, rule).
    let wanted: Vec<Vec<(Side, String, String)>> = steps
        .iter()
        .map(|step| {
            let decision = engine.handle(&step.event, step.at);
            if step.change.is_none() {
                return Vec::new();
            }
            decision
                .trace
                .wanted()
                .map(|(rule, target)| {
                    let name = match target {
                        Target::Omni { developer_name, .. } => developer_name.clone(),
                        Target::Telephony(state) => state.clone(),
                        Target::OmniLogout => target.name().to_string(),
                    };
                    (target.side(), name, rule.to_string())
                })
                .collect()
        })
        .collect();
    let mut sync: Vec<Option<String>> = vec![None; steps.len()];
    for (j, step) in steps.iter().enumerate() {
        let Some((side, state)) = &step.change else {
            continue;
        };
        let explains = |i: usize| -> Option<&String> {
            let other = steps[i].change.as_ref()?;
            if other.0 == *side || sync[i].is_some() {
                return None;
            }
            wanted[i]
                .iter()
                .find(|(s, name, _)| s == side && name == state)
                .map(|(_, _, rule)| rule)
        };
        let earlier = (0..j)
            .rev()
            .take_while(|&i| step.at.saturating_sub(steps[i].at) <= shared.window_ms)
            .find(|&i| {
                steps[i]
                    .change
                    .as_ref()
                    .is_some_and(|c| c.0 != *side && sync[i].is_none())
            });
        // A change of the other side stamped later within the same second may be the
        // cause of this one too (exports round to the second), unless each would
        // explain the other: then the one stamped first is taken as the agent's.
        let later = (j + 1..steps.len())
            .take_while(|&i| steps[i].at < step.at + SAME_SECOND_MS)
            .filter(|&i| steps[i].change.as_ref().is_some_and(|c| c.0 != *side))
            .last();
        let mut found = earlier.and_then(|i| explains(i).cloned());
        if let (None, Some(i)) = (&found, later) {
            if let Some(rule) = explains(i) {
                let other = steps[i].change.as_ref();
                let mutual = wanted[j]
                    .iter()
                    .any(|(s, name, _)| other.is_some_and(|(os, on)| s == os && name == on));
                if mutual {
                    result.ambiguous += 1;
                } else {
                    found = Some(rule.clone());
                }
            }
        }
        match found {
            Some(rule) => {
                *result.sync_by_rule.entry(rule.clone()).or_default() += 1;
                result.sync_changes += 1;
                sync[j] = Some(rule);
            }
            None => result.agent_changes += 1,
        }
    }
    sync
}

/// When each side's history starts: its first change (never: `u64::MAX`).
fn side_starts(steps: &[Step]) -> [u64; 2] {
    let first = |side: Side| {
        steps
            .iter()
            .find(|s| s.change.as_ref().is_some_and(|c| c.0 == side))
            .map_or(u64::MAX, |s| s.at)
    };
    [first(Side::Omni), first(Side::Telephony)]
}

/// Time in each status as it happened.
fn history_hours(steps: &[Step], starts: [u64; 2], end: u64) -> SideHours {
    let mut omni = Clock::new(starts[0]);
    let mut phone = Clock::new(starts[1]);
    for step in steps {
        match &step.change {
            Some((Side::Omni, state)) => omni.set(step.at, Some(state)),
            Some((Side::Telephony, state)) => phone.set(step.at, Some(state)),
            None => {}
        }
    }
    SideHours {
        omni: omni.close(end),
        telephony: phone.close(end),
    }
}

/// The agent's changes and all work, through the simulated systems under `rules`:
/// the tallies, and the actions each input set off (for the differences).
fn run(
    rules: &CompiledRules,
    agent: &Agent,
    inputs: &[(&Event, u64)],
    starts: [u64; 2],
    end: u64,
    shared: &Shared<'_>,
) -> (RunTally, Vec<Vec<String>>) {
    let mut sim = Simulator::with_context(rules.clone(), shared.with_reason, agent.context.clone());
    let mut tally = RunTally::default();
    let mut omni = Clock::new(starts[0]);
    let mut phone = Clock::new(starts[1]);
    let mut actions = Vec::with_capacity(inputs.len());
    let count = |tally: &mut RunTally, at: u64, report: &crate::simulate::StepReport| {
        for action in &report.actions {
            let hour = (at / 3_600_000 % 24) as usize;
            match tally.firings.get_mut(action.rule()) {
                Some(hours) => hours[hour] += 1,
                None => {
                    let mut hours = [0; 24];
                    hours[hour] = 1;
                    tally.firings.insert(action.rule().to_string(), hours);
                }
            }
        }
        tally.chain_limits += report
            .log
            .iter()
            .filter(|l| l.kind == LogKind::ChainLimit)
            .count() as u64;
    };
    let done = sim.replay(
        inputs.iter().map(|(e, at)| Ok::<_, ()>((*e, *at))),
        |_, step| {
            count(&mut tally, step.at, step.report);
            omni.set(step.at, Some(step.omni.unwrap_or("Offline")));
            if let Some(state) = step.telephony {
                phone.set(step.at, Some(state));
            }
            actions.push(step.report.actions.iter().map(|a| a.describe()).collect());
        },
    );
    if let Ok(rest) = done {
        count(&mut tally, end, &rest);
    }
    let stats = sim.stats();
    tally.deferred = stats.deferred;
    tally.actions = stats.actions;
    tally.hours = SideHours {
        omni: omni.close(end),
        telephony: phone.close(end),
    };
    (tally, actions)
}

/// `telephony Lunch`, `omni Available`, `omni logout`, `work accepted`...
pub(crate) fn describe(event: &Event) -> String {
    match event {
        Event::LoginSuccess { status_id } => format!("omni login {status_id}"),
        Event::StatusChanged {
            status_api_name, ..
        } => format!("omni {status_api_name}"),
        Event::Logout { .. } => "omni logout".into(),
        Event::TelephonyStateChanged { new_state, .. } => format!("telephony {new_state}"),
        Event::Work { kind, .. } => format!("work {kind:?}").to_lowercase(),
        Event::WorkloadChanged {
            previous_workload,
            new_workload,
            ..
        } => format!("workload {previous_workload} -> {new_workload}"),
        Event::Idle { .. } => "idle".into(),
    }
}

/// Milliseconds spent in each state of one side, from `start` on.
struct Clock {
    start: u64,
    state: Option<String>,
    since: u64,
    ms: HashMap<String, u64>,
}

impl Clock {
    fn new(start: u64) -> Clock {
        Clock {
            start,
            state: None,
            since: 0,
            ms: HashMap::new(),
        }
    }

    fn set(&mut self, at: u64, state: Option<&str>) {
        if self.state.as_deref() == state {
            return;
        }
        self.close_until(at);
        // Called after every step: no allocation unless a state is seen the first time.
        match (state, &mut self.state) {
            (Some(new), Some(old)) => {
                old.clear();
                old.push_str(new);
            }
            (new, old) => *old = new.map(str::to_string),
        }
        self.since = at;
    }

    fn close_until(&mut self, at: u64) {
        let from = self.since.max(self.start);
        if let Some(state) = &self.state {
            if at > from {
                match self.ms.get_mut(state.as_str()) {
                    Some(ms) => *ms += at - from,
                    None => {
                        self.ms.insert(state.clone(), at - from);
                    }
                }
            }
        }
    }

    fn close(mut self, end: u64) -> HashMap<String, u64> {
        self.close_until(end);
        self.ms
    }
}
