//! Replays an event trace against the sync loop and a faithful model of both systems:
//! an action that sets the Omni status makes Omni-Channel send the StatusChanged event
//! it would send (with `reason: OmniToolkitStatusChange`, or none as in Classic and
//! older releases), an action that sets the phone makes the telephony system report
//! the state change. Used by `omnisync simulate`, by each agent of `omnisync replay`
//! and by the tests: [`Simulator::replay`] is the one loop all of them run.

use crate::engine::{Action, AgentContext, Miss};
use crate::event::Event;
use crate::rules::CompiledRules;
use crate::sync::{Command, LogEntry, LogKind, Output, Stats, SyncLoop, TOOLKIT_REASON};
use crate::Engine;
use serde::Serialize;
use std::borrow::Borrow;
use std::collections::VecDeque;

/// Commands one input may set off before the simulation calls it a runaway.
const MAX_COMMANDS_PER_INPUT: usize = 1_000;

/// What one input event led to.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct StepReport {
    pub actions: Vec<Action>,
    pub matched: Vec<String>,
    pub echoes: u64,
    pub log: Vec<LogEntry>,
    /// Why each rule the step triggered did not act (only when
    /// [`Simulator::explain`] is on: it evaluates the conditions again).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub why: Vec<Miss>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub events: u64,
    pub actions: u64,
    pub echoes: u64,
    pub deferred: u64,
    pub retries: u64,
    pub final_omni: Option<String>,
    pub final_telephony: Option<String>,
}

/// One step of [`Simulator::replay`]: the event, what it set off, and both systems
/// after it.
#[derive(Debug)]
pub struct Stepped<'a> {
    pub at: u64,
    pub event: &'a Event,
    pub report: &'a StepReport,
    /// The Omni-Channel status after the step; `None` while logged out.
    pub omni: Option<&'a str>,
    pub telephony: Option<&'a str>,
}

/// Both systems as the simulation sees them.
#[derive(Debug, Clone, Default)]
struct World {
    /// (status Id, DeveloperName) while logged in.
    omni: Option<(String, String)>,
    telephony: Option<String>,
}

pub struct Simulator {
    sync: SyncLoop,
    world: World,
    with_reason: bool,
    inputs: u64,
    last_at: u64,
    context: AgentContext,
    explain: bool,
    /// Whether steps say which rules matched and what the loop logged.
    detail: bool,
}

impl Simulator {
    /// `with_reason: false` models Classic and older releases, which send no reason.
    pub fn new(rules: CompiledRules, with_reason: bool) -> Simulator {
        Simulator::with_context(rules, with_reason, AgentContext::default())
    }

    /// A simulator for one agent: rules with a `scope` see who the agent is.
    pub fn with_context(
        rules: CompiledRules,
        with_reason: bool,
        context: AgentContext,
    ) -> Simulator {
        let mut engine = Engine::new(rules);
        engine.set_context(context);
        Simulator::from_engine(engine, with_reason)
    }

    /// A simulator around an engine made already (a clone of one shares its rules:
    /// many agents, one copy of the rules); the agent is the engine's context.
    pub fn from_engine(engine: Engine, with_reason: bool) -> Simulator {
        let context = engine.context().clone();
        let mut sim = Simulator {
            sync: SyncLoop::new(engine),
            world: World::default(),
            with_reason,
            inputs: 0,
            last_at: 0,
            context,
            explain: false,
            detail: true,
        };
        let start = sim.sync.start(0);
        let mut report = StepReport::default();
        sim.run(start, 0, &mut report);
        sim
    }

    /// With `on`, every step says why each rule it triggered did not act
    /// ([`StepReport::why`]). Off by default: the replay of a whole org does not pay
    /// for evaluating conditions twice.
    pub fn explain(&mut self, on: bool) {
        self.explain = on;
    }

    /// With `on` false, steps report only actions and echoes: no rule names
    /// ([`StepReport::matched`]), no log ([`StepReport::log`]; the loop's [`Stats`]
    /// still count what it would say) and nothing to explain from: the loop runs lean
    /// ([`SyncLoop::lean`]). On by default; the replay of a whole org reads none of it.
    pub fn detail(&mut self, on: bool) {
        self.detail = on;
        self.sync.lean(!on);
    }

    pub fn stats(&self) -> &Stats {
        self.sync.stats()
    }

    /// The engine the loop decides with (its model as the simulated events left it).
    pub fn engine(&self) -> &Engine {
        self.sync.engine()
    }

    /// The simulated Omni-Channel status (DeveloperName); `None` while logged out.
    pub fn omni(&self) -> Option<&str> {
        self.world.omni.as_ref().map(|o| o.1.as_str())
    }

    /// The simulated phone state, once one is known.
    pub fn telephony(&self) -> Option<&str> {
        self.world.telephony.as_deref()
    }

    /// Replays one agent's events in time order, calling `each` after every step with
    /// the input and what it set off and both systems as they are after it, then lets the timers
    /// run out (what that set off is returned). Events are taken one at a time, so
    /// memory does not grow with the trace; the first `Err` stops the replay and is
    /// returned. `omnisync simulate` and every agent of `omnisync replay` run this.
    pub fn replay<B, E>(
        &mut self,
        events: impl IntoIterator<Item = Result<(B, u64), E>>,
        mut each: impl FnMut(&B, &Stepped<'_>),
    ) -> Result<StepReport, E>
    where
        B: Borrow<Event>,
    {
        for item in events {
            let (input, at) = item?;
            let event = input.borrow();
            let report = self.step(event, at);
            each(
                &input,
                &Stepped {
                    at,
                    event,
                    report: &report,
                    omni: self.omni(),
                    telephony: self.telephony(),
                },
            );
        }
        Ok(self.finish())
    }

    /// Replays one agent (or system) event at `at` and everything it sets off.
    pub fn step(&mut self, event: &Event, at: u64) -> StepReport {
        self.inputs += 1;
        self.last_at = self.last_at.max(at);
        let mut report = StepReport::default();
        let echoes = self.sync.stats().echoes;
        let due = self.sync.tick(at);
        self.run(due, at, &mut report);
        self.world_sees(event);
        let out = self.sync.event(event, at);
        self.run(out, at, &mut report);
        report.echoes = self.sync.stats().echoes - echoes;
        report
    }

    /// Lets every timer run out (coalescing windows, echo windows).
    pub fn finish(&mut self) -> StepReport {
        let mut report = StepReport::default();
        let echoes = self.sync.stats().echoes;
        let at = self.last_at + 3_600_000;
        let out = self.sync.tick(at);
        self.run(out, at, &mut report);
        report.echoes = self.sync.stats().echoes - echoes;
        report
    }

    pub fn summary(&self) -> Summary {
        let stats = self.sync.stats();
        Summary {
            events: self.inputs,
            actions: stats.actions,
            echoes: stats.echoes,
            deferred: stats.deferred,
            retries: stats.retries,
            final_omni: Some(
                self.world
                    .omni
                    .as_ref()
                    .map_or("Offline".to_string(), |o| o.1.clone()),
            ),
            final_telephony: self.world.telephony.clone(),
        }
    }

    fn world_sees(&mut self, event: &Event) {
        match event {
            Event::StatusChanged {
                status_id,
                status_api_name,
                ..
            } => set_omni(&mut self.world.omni, status_id, status_api_name),
            Event::LoginSuccess { status_id } => {
                let name = self
                    .sync
                    .engine()
                    .rules()
                    .status_by_id(status_id)
                    .map(|s| s.developer_name.clone());
                self.world.omni = Some((status_id.clone(), name.unwrap_or_default()));
            }
            Event::Logout { .. } => self.world.omni = None,
            Event::TelephonyStateChanged { new_state, .. } => match &mut self.world.telephony {
                Some(state) => state.clone_from(new_state),
                none => *none = Some(new_state.clone()),
            },
            _ => {}
        }
    }

    /// Carries out commands the way the two systems would, feeding back results and
    /// the events they cause, until everything has settled.
    fn run(&mut self, first: Output, at: u64, report: &mut StepReport) {
        if first.commands.is_empty() && first.decisions.is_empty() && first.log.is_empty() {
            // A tick with nothing due, a lean loop's quiet event: the usual case.
            return;
        }
        // Most inputs set off nothing: the queue is made only when a command answers.
        let mut outputs = VecDeque::new();
        let mut next = Some(first);
        let mut commands = 0;
        while let Some(out) = next.take().or_else(|| outputs.pop_front()) {
            for decision in &out.decisions {
                if self.detail {
                    report
                        .matched
                        .extend(decision.trace.matched().map(str::to_string));
                }
                if self.explain {
                    report.why.extend(decision.trace.misses(&self.context));
                }
            }

            if self.explain {
                report.why.extend(out.log.iter().filter_map(loop_miss));
            }
            report.log.extend(out.log);
            for command in out.commands {
                commands += 1;
                if commands > MAX_COMMANDS_PER_INPUT {
                    return;
                }
                match command {
                    Command::Execute { id, action, .. } => {
                        let echo = self.apply(&action);
                        report.actions.push(action);
                        outputs.push_back(self.sync.event(&echo, at));
                        outputs.push_back(self.sync.result(id, None, at));
                    }
                    Command::Login { status_id } => {
                        let echo = Event::LoginSuccess { status_id };
                        self.world_sees(&echo);
                        outputs.push_back(self.sync.event(&echo, at));
                    }
                    Command::Reconcile => {
                        let snapshot = self.snapshot();
                        outputs.push_back(self.sync.reconciled(&snapshot, at));
                    }
                }
            }
        }
    }

    /// The system applies an action and reports it like any change.
    fn apply(&mut self, action: &Action) -> Event {
        match action {
            Action::SetOmniStatus {
                status_id,
                developer_name,
                ..
            } => {
                self.world.omni = Some((status_id.clone(), developer_name.clone()));
                Event::StatusChanged {
                    status_id: status_id.clone(),
                    status_name: Some(developer_name.clone()),
                    status_api_name: developer_name.clone(),
                    channels: Vec::new(),
                    reason: self.with_reason.then(|| TOOLKIT_REASON.to_string()),
                }
            }
            Action::SetTelephonyState { state, .. } => {
                let old = self.world.telephony.replace(state.clone());
                Event::TelephonyStateChanged {
                    old_state: old,
                    new_state: state.clone(),
                }
            }
            Action::LogoutOmni { .. } => {
                self.world.omni = None;
                Event::Logout { reason: None }
            }
        }
    }

    fn snapshot(&self) -> Vec<Event> {
        let mut events = Vec::new();
        if let Some((id, name)) = &self.world.omni {
            events.push(Event::StatusChanged {
                status_id: id.clone(),
                status_name: None,
                status_api_name: name.clone(),
                channels: Vec::new(),
                reason: None,
            });
        }
        if let Some(state) = &self.world.telephony {
            events.push(Event::TelephonyStateChanged {
                old_state: None,
                new_state: state.clone(),
            });
        }
        events
    }
}

/// The world's Omni status, its strings' room used again (every input sets it).
fn set_omni(omni: &mut Option<(String, String)>, id: &str, name: &str) {
    match omni {
        Some((old_id, old_name)) => {
            old_id.clear();
            old_id.push_str(id);
            old_name.clear();
            old_name.push_str(name);
        }
        none => *none = Some((id.to_string(), name.to_string())),
    }
}

/// A rule whose action the sync loop held back or recognised, as a [`Miss`]: deferred
/// during a contact, stopped by the chain limit, or the echo of its own write (which
/// no rule decides on).
fn loop_miss(entry: &LogEntry) -> Option<Miss> {
    let outcome = match entry.kind {
        LogKind::Deferred => "deferred",
        LogKind::ChainLimit => "chainLimit",
        LogKind::Echo => "echo",
        _ => return None,
    };
    Some(Miss {
        rule: entry.rule.clone()?,
        outcome,
        why: entry.message.clone(),
    })
}
