//! One agent's replay, the function a distributed engine would map over partitions:
//! its rows in time order in, its tallies out ([`replay_agent`]).
//!
//! 1. [`Timeline`]: the rows become the events both systems sent, in one timeline.
//! 2. [`Attribution`]: each change of status is the agent's or the old sync's (the
//!    method of docs/replay.md).
//! 3. The agent's changes, and all work, run through [`Simulator::step`] under the
//!    current and under the proposed rules side by side; history and both runs are
//!    tallied, and the actions of each input compared as it is replayed.
//!
//! Every stage takes one event at a time and keeps only the few seconds the method
//! looks back and ahead: an agent's memory is its engines and tallies, the same for
//! a day or a year of history.

use super::read::Agent;
use super::record::Rec;
use super::report::{AgentResult, Difference, RunTally, SideHours};
use super::shared::{Listed, Shared, DIFFERENCES_KEPT};
use super::timeline::{Step, Timeline};
use crate::action::{Action, Side};
use crate::engine::Engine;
use crate::event::Event;
use crate::simulate::{Simulator, StepReport};
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

/// How much later than a change the other side's change that explains it may be
/// stamped: Salesforce exports are to the second, Connect to the millisecond.
pub(crate) const SAME_SECOND_MS: u64 = 1_000;

#[cfg(test)]
mod tests;

/// Replays one agent: rows sorted by time in, tallies out.
pub(crate) fn replay_agent(agent: &Agent, rows: &[Rec], shared: &Shared<'_>) -> AgentResult {
    let mut replay = AgentReplay::new(agent, shared);
    for r in rows {
        replay.push(r, shared);
    }
    replay.finish()
}

/// One agent's replay fed a row at a time (rows in the sorter's order), for inputs
/// streamed without sorting: everything it keeps is the agent's state, never its rows.
pub(crate) struct AgentReplay {
    result: AgentResult,
    timeline: Timeline,
    attribution: Attribution,
    runs: Runs,
    history: [Clock; 2],
    end: Option<u64>,
}

impl AgentReplay {
    pub(crate) fn new(agent: &Agent, shared: &Shared<'_>) -> AgentReplay {
        AgentReplay {
            result: AgentResult {
                agent: agent.name.clone(),
                ..AgentResult::default()
            },
            timeline: Timeline::new(),
            attribution: Attribution::new(agent, shared),
            runs: Runs::new(agent, shared),
            history: [Clock::new(), Clock::new()],
            end: None,
        }
    }

    /// Takes the agent's next row.
    pub(crate) fn push(&mut self, r: &Rec, shared: &Shared<'_>) {
        self.drive(false, |timeline, timed| {
            timeline.push(r, shared, &mut &mut *timed)
        });
    }

    /// Runs the timeline's steps through the attribution, and the agent's changes
    /// through both runs; `last`: the attribution's held steps too.
    fn drive(&mut self, last: bool, feed: impl FnOnce(&mut Timeline, &mut dyn FnMut(Step))) {
        let AgentReplay {
            result,
            timeline,
            attribution,
            runs,
            history,
            end,
        } = self;
        let mut attributed = |step: Step, sync: bool, starts, result: &mut AgentResult| {
            if let Some((side, state)) = &step.change {
                history[*side as usize].set(step.at, Some(state), Some(0));
            }
            if !sync {
                runs.step(&step, starts, result);
            }
        };
        let mut timed = |step: Step| {
            result.events += 1;
            *end = Some(step.at);
            attribution.push(step, result, &mut attributed);
        };
        feed(timeline, &mut timed);
        if last {
            attribution.finish(result, &mut attributed);
        }
    }

    /// No more rows: the steps still held, then the tallies.
    pub(crate) fn finish(mut self) -> AgentResult {
        self.drive(true, |timeline, timed| timeline.finish(&mut &mut *timed));
        let AgentReplay {
            mut result,
            attribution,
            runs,
            history,
            end,
            ..
        } = self;
        let Some(end) = end else {
            return result;
        };
        let [omni, phone] = history;
        result.history = SideHours {
            omni: omni.close(end, Some(0)),
            telephony: phone.close(end, Some(0)),
        };
        let starts = attribution.starts;
        let (current, proposed) = runs.finish(end, starts);
        result.current = current;
        result.proposed = proposed;
        result
    }
}

/// What the current rules asked for after a change: (side, target, rule).
type Wanted = Vec<(Side, String, String)>;

/// A step waiting to be attributed, or kept to explain the ones after it.
struct Slot {
    step: Step,
    wanted: Wanted,
    /// The rule whose write it was (once attributed).
    sync: Option<String>,
}

/// For each step, the rule of the current rules whose write it was, or none for the
/// agent's own (and work routing's) changes and for events that change no status. A
/// change on one side is the sync's when the latest change on the other side (at
/// most the window before it, or stamped within the same second after it) that was
/// not itself the sync's made the current rules ask for exactly it.
struct Attribution {
    engine: Engine,
    window_ms: u64,
    /// Steps from the window before the next one to attribute to the same second
    /// after the newest; `next` is the first not yet attributed.
    slots: VecDeque<Slot>,
    next: usize,
    /// When each side's history starts: its first change, once seen.
    starts: [Option<u64>; 2],
}

impl Attribution {
    fn new(agent: &Agent, shared: &Shared<'_>) -> Attribution {
        let mut engine = shared.engines[0].clone();
        engine.set_context(agent.context.clone());
        Attribution {
            engine,
            window_ms: shared.window_ms,
            slots: VecDeque::new(),
            next: 0,
            starts: [None; 2],
        }
    }

    /// Takes the next step of the timeline; `out` gets each step once it is
    /// attributed (true: the sync's), in time order.
    fn push(
        &mut self,
        step: Step,
        result: &mut AgentResult,
        out: &mut impl FnMut(Step, bool, [Option<u64>; 2], &mut AgentResult),
    ) {
        // Only a change's decision is read. A work event changes nothing the rules read
        // (the facts are the statuses, the workload and the event's own channel), only
        // the item list the engine keeps for a page: it is not fed. Other events that
        // change no status update the model without being decided on.
        let wanted = match &step.change {
            None => {
                if !matches!(*step.event, Event::Work { .. }) {
                    self.engine.take(&step.event, step.at);
                }
                Vec::new()
            }
            Some((side, _)) => {
                self.starts[*side as usize].get_or_insert(step.at);
                self.engine
                    .handle(&step.event, step.at)
                    .trace
                    .wanted()
                    .map(|(rule, target)| {
                        (target.side(), target.name().to_string(), rule.to_string())
                    })
                    .collect()
            }
        };
        let newest = step.at;
        self.slots.push_back(Slot {
            step,
            wanted,
            sync: None,
        });
        // A step is attributed once every step stamped within the same second after
        // it is known.
        while self.next < self.slots.len()
            && self.slots[self.next].step.at + SAME_SECOND_MS <= newest
        {
            self.attribute_next(result, out);
        }
    }

    fn finish(
        &mut self,
        result: &mut AgentResult,
        out: &mut impl FnMut(Step, bool, [Option<u64>; 2], &mut AgentResult),
    ) {
        while self.next < self.slots.len() {
            self.attribute_next(result, out);
        }
    }

    fn attribute_next(
        &mut self,
        result: &mut AgentResult,
        out: &mut impl FnMut(Step, bool, [Option<u64>; 2], &mut AgentResult),
    ) {
        let j = self.next;
        self.next += 1;
        let slots = &self.slots;
        let step = &slots[j].step;
        let found = match &step.change {
            None => None,
            Some((side, state)) => {
                let found = self.explained(j, *side, state, result);
                match &found {
                    Some(rule) => {
                        *result.sync_by_rule.entry(rule.clone()).or_default() += 1;
                        result.sync_changes += 1;
                    }
                    None => result.agent_changes += 1,
                }
                found
            }
        };
        let sync = found.is_some();
        self.slots[j].sync = found;
        out(self.slots[j].step.clone(), sync, self.starts, result);
        // Steps older than the window before the next one explain nothing more.
        if let Some(next_at) = self.slots.get(self.next).map(|s| s.step.at) {
            while self.next > 0 && self.slots[0].step.at + self.window_ms < next_at {
                self.slots.pop_front();
                self.next -= 1;
            }
        }
    }

    /// The rule that explains the change of slot `j`, if one does.
    fn explained(
        &self,
        j: usize,
        side: Side,
        state: &str,
        result: &mut AgentResult,
    ) -> Option<String> {
        let slots = &self.slots;
        let at = slots[j].step.at;
        let explains = |i: usize| -> Option<&String> {
            let other = slots[i].step.change.as_ref()?;
            if other.0 == side || slots[i].sync.is_some() {
                return None;
            }
            slots[i]
                .wanted
                .iter()
                .find(|(s, name, _)| *s == side && name == state)
                .map(|(_, _, rule)| rule)
        };
        let earlier = (0..j)
            .rev()
            .take_while(|&i| at.saturating_sub(slots[i].step.at) <= self.window_ms)
            .find(|&i| {
                slots[i]
                    .step
                    .change
                    .as_ref()
                    .is_some_and(|c| c.0 != side && slots[i].sync.is_none())
            });
        // A change of the other side stamped later within the same second may be the
        // cause of this one too (exports round to the second), unless each would
        // explain the other: then the one stamped first is taken as the agent's.
        let later = (j + 1..slots.len())
            .take_while(|&i| slots[i].step.at < at + SAME_SECOND_MS)
            .filter(|&i| slots[i].step.change.as_ref().is_some_and(|c| c.0 != side))
            .last();
        let mut found = earlier.and_then(|i| explains(i).cloned());
        if let (None, Some(i)) = (&found, later) {
            if let Some(rule) = explains(i) {
                let other = slots[i].step.change.as_ref();
                let mutual = slots[j].wanted.iter().any(|(s, name, _)| {
                    other.is_some_and(|(os, on)| s == os && name.as_str() == &**on)
                });
                if mutual {
                    result.ambiguous += 1;
                } else {
                    found = Some(rule.clone());
                }
            }
        }
        found
    }
}

/// The agent's changes and all work, through the simulated systems under both
/// rules files side by side.
struct Runs {
    sims: [Simulator; 2],
    tallies: [RunTally; 2],
    clocks: [[Clock; 2]; 2],
    name: String,
    listed: Arc<Listed>,
}

impl Runs {
    fn new(agent: &Agent, shared: &Shared<'_>) -> Runs {
        let sim = |engine: &Engine| {
            let mut engine = engine.clone();
            engine.set_context(agent.context.clone());
            let mut sim = Simulator::from_engine(engine, shared.with_reason);
            // Read here: actions and the loop's counts, never rule names or the log.
            sim.detail(false);
            sim
        };
        let [current, proposed] = shared.engines;
        Runs {
            sims: [sim(current), sim(proposed)],
            tallies: Default::default(),
            clocks: Default::default(),
            name: agent.name.clone(),
            listed: Arc::clone(shared.listed),
        }
    }

    fn step(&mut self, step: &Step, starts: [Option<u64>; 2], result: &mut AgentResult) {
        result.inputs += 1;
        let mut reports: [StepReport; 2] = Default::default();
        for (i, sim) in self.sims.iter_mut().enumerate() {
            let report = sim.step(&step.event, step.at);
            count(&mut self.tallies[i], step.at, &report);
            let [omni, phone] = &mut self.clocks[i];
            omni.set(step.at, Some(sim.omni().unwrap_or("Offline")), starts[0]);
            if let Some(state) = sim.telephony() {
                phone.set(step.at, Some(state), starts[1]);
            }
            reports[i] = report;
        }
        let [c, p] = &reports;
        if !same(&c.actions, &p.actions) {
            result.differences_total += 1;
            if result.differences.len() < DIFFERENCES_KEPT && self.listed.admit(step.at, &self.name)
            {
                let described = |r: &StepReport| r.actions.iter().map(Action::describe).collect();
                result.differences.push(Difference {
                    agent: self.name.clone(),
                    at: super::time::format_ms(step.at),
                    at_ms: step.at,
                    event: describe(&step.event),
                    current: described(c),
                    proposed: described(p),
                });
            }
        }
    }

    fn finish(mut self, end: u64, starts: [Option<u64>; 2]) -> (RunTally, RunTally) {
        let [mut current, mut proposed] = std::mem::take(&mut self.tallies);
        let [[co, cp], [po, pp]] = self.clocks;
        let [sim_c, sim_p] = &mut self.sims;
        for (sim, tally, omni, phone) in [
            (sim_c, &mut current, co, cp),
            (sim_p, &mut proposed, po, pp),
        ] {
            let rest = sim.finish();
            count(tally, end, &rest);
            let stats = sim.stats();
            tally.deferred = stats.deferred;
            tally.chain_limits = stats.chain_limited;
            tally.actions = stats.actions;
            tally.hours = SideHours {
                omni: omni.close(end, starts[0]),
                telephony: phone.close(end, starts[1]),
            };
        }
        (current, proposed)
    }
}

/// Whether two inputs set off the same actions, as the report describes them
/// (`omni=Lunch`): compared without writing them out.
fn same(a: &[Action], b: &[Action]) -> bool {
    fn key(x: &Action) -> (Side, &str) {
        match x {
            Action::SetOmniStatus { developer_name, .. } => (Side::Omni, developer_name.as_str()),
            Action::SetTelephonyState { state, .. } => (Side::Telephony, state.as_str()),
            Action::LogoutOmni { .. } => (Side::Omni, x.target()),
        }
    }
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| key(x) == key(y))
}

fn count(tally: &mut RunTally, at: u64, report: &StepReport) {
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

/// Milliseconds spent in each state of one side, from the side's start on (its first
/// change; `None` while not seen yet, which is after any time asked so far). A side
/// knows a handful of states: they are found by looking along a short list (set after
/// every step of both runs, this was a tenth of an agent's time as a hash map).
#[derive(Default)]
struct Clock {
    /// Each state seen, and its time so far.
    states: Vec<(String, u64)>,
    /// The state now, by its place in `states`.
    state: Option<usize>,
    since: u64,
}

impl Clock {
    fn new() -> Clock {
        Clock::default()
    }

    fn set(&mut self, at: u64, state: Option<&str>, start: Option<u64>) {
        let now = self.state.map(|i| self.states[i].0.as_str());
        if now == state {
            return;
        }
        self.close_until(at, start);
        self.state = state.map(
            |name| match self.states.iter().position(|(s, _)| s == name) {
                Some(i) => i,
                None => {
                    self.states.push((name.to_string(), 0));
                    self.states.len() - 1
                }
            },
        );
        self.since = at;
    }

    fn close_until(&mut self, at: u64, start: Option<u64>) {
        let Some(start) = start else { return };
        let from = self.since.max(start);
        if let Some(i) = self.state {
            self.states[i].1 += at.saturating_sub(from);
        }
    }

    /// The time per state, of the states the side spent time in.
    fn close(mut self, end: u64, start: Option<u64>) -> HashMap<String, u64> {
        self.close_until(end, start);
        self.states.into_iter().filter(|(_, ms)| *ms > 0).collect()
    }
}
