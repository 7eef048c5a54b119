//! The engine: applies one event to the model, evaluates the rules the event triggers
//! and returns the decision as a value (actions plus a trace saying why). Time is
//! passed in; nothing here performs an effect.

use crate::error::{Error, Finding};
use crate::event::{Event, EventKind};
use crate::metrics::{Metrics, MetricsReport};
use crate::model::AgentState;
use crate::rules::compile::{CompiledRules, Target, OFFLINE};
use crate::rules::eval::{eval, Facts};
use crate::rules::file::Evaluation;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::sync::Arc;

mod context;
pub use context::AgentContext;

mod trace;

// The action types live in their own module (the rules layer builds them); their
// old paths here keep compiling.
pub use crate::action::{Action, Chosen};
pub use trace::{Miss, Outcome, RuleTrace, Trace, TraceSummary};

/// The model after an event, and what rules see of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    pub kind: EventKind,
    pub at: u64,
    pub facts: Facts<'static>,
    pub notes: Vec<String>,
}

/// The result of handling one event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Decision {
    pub actions: Vec<Action>,
    pub trace: Trace,
}

/// A decision as the runtime's trace ring keeps it: the actions and the short trace.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DecisionSummary {
    pub actions: Vec<Action>,
    pub trace: TraceSummary,
}

impl Decision {
    /// What a reader with little room keeps of it (see [`TraceSummary`]).
    pub fn summary(&self) -> DecisionSummary {
        DecisionSummary {
            actions: self.actions.clone(),
            trace: self.trace.summary(),
        }
    }

    /// Names of the rules whose condition held, in evaluation order.
    pub fn matched(&self) -> Vec<&str> {
        self.trace.matched().collect()
    }
}

/// What survives a page reload: the model and the metrics, not the rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EngineSnapshot {
    pub state: AgentState,
    pub metrics: Metrics,
    pub clock: u64,
}

/// The presence-sync engine for one agent.
#[derive(Debug, Clone)]
pub struct Engine {
    rules: Arc<CompiledRules>,
    state: AgentState,
    metrics: Metrics,
    context: AgentContext,
    /// The latest time seen: time never runs backwards inside the engine.
    clock: u64,
    /// The service channel of the latest event, when it was a work event.
    channel: Option<String>,
    /// Whether presence records are kept ([`Engine::metrics`]); off for engines that
    /// only decide (the replay's, thousands at once).
    records: bool,
}

impl Engine {
    pub fn new(rules: CompiledRules) -> Engine {
        Engine {
            rules: Arc::new(rules),
            state: AgentState::default(),
            metrics: Metrics::default(),
            context: AgentContext::default(),
            clock: 0,
            channel: None,
            records: true,
        }
    }

    /// Keeps no presence records from now on: [`Engine::metrics`] reports none, and
    /// each event costs less. The decisions are the same.
    pub fn without_records(mut self) -> Engine {
        self.records = false;
        self.metrics = Metrics::default();
        self
    }

    /// Builds an engine from rules JSON text.
    pub fn from_json_str(rules: &str) -> Result<Engine, Error> {
        CompiledRules::from_json_str(rules).map(Engine::new)
    }

    /// The rules, shared (what [`Trace::from_bytes`] needs to read a trace back).
    pub fn shared_rules(&self) -> Arc<CompiledRules> {
        Arc::clone(&self.rules)
    }

    /// Replaces the rules; the agent's state and metrics carry over.
    pub fn load_rules(&mut self, rules: CompiledRules) {
        self.rules = Arc::new(rules);
    }

    pub fn snapshot(&self) -> EngineSnapshot {
        EngineSnapshot {
            state: self.state.clone(),
            metrics: self.metrics.clone(),
            clock: self.clock,
        }
    }

    pub fn restore(&mut self, snapshot: EngineSnapshot) {
        self.state = snapshot.state;
        self.metrics = snapshot.metrics;
        self.clock = snapshot.clock;
    }

    pub fn set_context(&mut self, context: AgentContext) {
        self.context = context;
    }

    /// Who the agent is, as the rules' scopes see it.
    pub fn context(&self) -> &AgentContext {
        &self.context
    }

    pub fn rules(&self) -> &CompiledRules {
        &self.rules
    }

    pub fn state(&self) -> &AgentState {
        &self.state
    }

    pub fn metrics(&self, now: u64) -> MetricsReport {
        let mut report = self.metrics.report(&self.state, now.max(self.clock));
        report.user_id.clone_from(&self.context.user_id);
        report
    }

    /// Whether the model takes `event`: a work event that would open an item past
    /// [`crate::model::MAX_OPEN_WORK`] is refused (`event.tooManyWorkItems`). Callers
    /// that can throw ask first; the model refuses it anyway (with a trace note).
    pub fn admit(&self, event: &Event) -> Result<(), Error> {
        match event {
            Event::Work { kind, work } if self.state.work_refused(*kind, work) => {
                Err(Error::InvalidEvent(work_refusal(work)))
            }
            _ => Ok(()),
        }
    }

    /// Applies `event` at `now` (ms) and decides what to do about it.
    pub fn handle(&mut self, event: &Event, now: u64) -> Decision {
        self.handle_chosen(event, now).0
    }

    /// [`Engine::handle`], also saying which target of which rule each action is (in
    /// the order of the actions), for callers that keep something per rule target.
    pub fn handle_chosen(&mut self, event: &Event, now: u64) -> (Decision, Vec<Chosen>) {
        let seen = self.observe(event, now);
        self.decision(seen)
    }

    /// Applies `event` to the model and decides nothing on it, ever: no [`Observation`]
    /// is made (an echo of the loop's own write, a reconcile's read, a change the
    /// replay only follows).
    pub fn take(&mut self, event: &Event, now: u64) {
        self.step(event, now, None);
    }

    /// Applies `event` to the model without deciding anything yet.
    pub fn observe(&mut self, event: &Event, now: u64) -> Observation {
        let omni_event = matches!(
            event,
            Event::LoginSuccess { .. } | Event::StatusChanged { .. } | Event::Logout { .. }
        );
        // The Omni status before an Omni event (the only events that change it).
        let omni_before = omni_event.then(|| self.omni_name().map(Cow::into_owned));
        let mut notes = Vec::new();
        self.step(event, now, Some(&mut notes));
        Observation {
            kind: event.kind(),
            at: self.clock,
            facts: self.facts(event, omni_before).into_owned(),
            notes,
        }
    }

    /// Moves the clock, the model and the metrics to after `event`; what the model
    /// notes of it goes to `notes`, when there is a reader for them.
    fn step(&mut self, event: &Event, now: u64, notes: Option<&mut Vec<String>>) {
        self.clock = now.max(self.clock);
        if self.records {
            self.metrics.advance(&self.state, self.clock);
        }
        self.channel = self.apply(event, self.clock, notes);
        if self.records {
            // Asked only when a new presence period opens.
            let (rules, state) = (&self.rules, &self.state);
            self.metrics
                .observe(state, self.clock, || is_away(rules, state));
        }
    }

    /// What the rules see after `event`, borrowed from the model and the event. Other
    /// events leave the Omni status and the phone state as they were, so their "old"
    /// values are the current ones.
    fn facts<'a>(&'a self, event: &'a Event, omni_before: Option<Option<String>>) -> Facts<'a> {
        let telephony = &self.state.telephony;
        Facts {
            telephony_new: telephony.state.as_deref().map(Cow::Borrowed),
            telephony_old: match event {
                Event::TelephonyStateChanged { .. } => telephony.previous.as_deref(),
                _ => telephony.state.as_deref(),
            }
            .map(Cow::Borrowed),
            omni_new: match event {
                Event::Logout { .. } => Some(Cow::Borrowed(OFFLINE)),
                Event::StatusChanged {
                    status_api_name, ..
                } => Some(Cow::Borrowed(status_api_name.as_str())),
                _ => self.omni_name(),
            },
            omni_old: match omni_before {
                Some(before) => before.map(Cow::Owned),
                None => self.omni_name(),
            },
            channel: self.channel.as_deref().map(Cow::Borrowed),
            previous_workload: self.state.workload.previous_workload,
            new_workload: self.state.workload.current_workload,
            configured_capacity: self.state.workload.configured_capacity,
        }
    }

    /// Evaluates the rules an observation triggers against the current model.
    pub fn decide(&self, seen: &Observation) -> Decision {
        self.decision(seen.clone()).0
    }

    /// [`Engine::decide`] on an observation the caller no longer needs: its facts move
    /// into the trace.
    pub fn decide_owned(&self, seen: Observation) -> Decision {
        self.decision(seen).0
    }

    fn decision(&self, seen: Observation) -> (Decision, Vec<Chosen>) {
        let (chosen, outcomes) = self.evaluate(seen.kind, &seen.facts);
        let decision = Decision {
            actions: chosen.iter().map(|&c| self.rules.action(c)).collect(),
            trace: Trace {
                event: seen.kind.name(),
                at: seen.at,
                notes: seen.notes,
                kind: seen.kind,
                facts: seen.facts,
                outcomes,
                rules: Arc::clone(&self.rules),
            },
        };
        (decision, chosen)
    }

    /// Whether `side` already shows the state an action asks for.
    pub fn already_done(&self, action: &Action) -> bool {
        match action {
            Action::SetOmniStatus { status_id, .. } => self.already_in(&Target::Omni {
                status_id: status_id.clone(),
                developer_name: String::new(),
            }),
            Action::SetTelephonyState { state, .. } => {
                self.already_in(&Target::Telephony(state.clone()))
            }
            Action::LogoutOmni { .. } => self.already_in(&Target::OmniLogout),
        }
    }

    /// The current Omni status as rules see it: its DeveloperName, `Offline` once
    /// logged out, nothing before any Omni event was seen.
    fn omni_name(&self) -> Option<Cow<'_, str>> {
        let omni = &self.state.omni;
        if omni.logged_in {
            omni.developer_name.as_deref().map(Cow::Borrowed)
        } else {
            omni.since.map(|_| Cow::Borrowed(OFFLINE))
        }
    }

    /// Applies the event to the model; returns the service channel of a work event.
    fn apply(
        &mut self,
        event: &Event,
        now: u64,
        mut notes: Option<&mut Vec<String>>,
    ) -> Option<String> {
        let mut note = |text: &dyn Fn() -> String| {
            if let Some(notes) = notes.as_deref_mut() {
                notes.push(text());
            }
        };
        match event {
            Event::LoginSuccess { status_id } => {
                // A status the rules do not list is still named when the org's
                // catalog has it, so omni.newStatus holds its DeveloperName.
                let status = self.rules.status_named(status_id);
                if status.is_none() {
                    note(&|| unnamed(&format!("Id {status_id}")));
                }
                let name = status.map(|s| s.developer_name.clone());
                let label = status.and_then(|s| s.label.clone());
                self.state.log_in(status_id, name, label, now);
            }
            Event::StatusChanged {
                status_id,
                status_name,
                status_api_name,
                channels,
                reason,
            } => {
                let org = &self.rules.org_statuses;
                if self.rules.status_by_name(status_api_name).is_none()
                    && !org.iter().any(|s| &s.developer_name == status_api_name)
                {
                    note(&|| unnamed(status_api_name));
                }
                self.state.set_status(
                    status_id,
                    Some(status_api_name.clone()),
                    status_name.clone(),
                    channels.clone(),
                    now,
                );
                if reason.as_deref() == Some("OmniPushTimeout") {
                    self.state.push_timeout(now);
                }
            }
            Event::Logout { .. } => self.state.log_out(now),
            Event::WorkloadChanged {
                configured_capacity,
                previous_workload,
                new_workload,
            } => self
                .state
                .set_workload(*configured_capacity, *previous_workload, *new_workload),
            Event::TelephonyStateChanged {
                old_state,
                new_state,
            } => {
                let system = self.rules.is_system_state(new_state);
                self.state
                    .set_telephony(new_state, old_state.clone(), system);
            }
            Event::Idle { idle_ms } => note(&|| format!("idle for {idle_ms} ms")),
            Event::Work { kind, work } => {
                let channel = work.service_channel.clone().or_else(|| {
                    self.rules
                        .channel_of(&work.work_item_id)
                        .map(str::to_string)
                });
                // Which source named the channel (omni.channel), for "why did this rule match?".
                note(&|| {
                    match (&work.service_channel, &channel) {
                        (Some(_), _) => "service channel from the event",
                        (None, Some(_)) => "service channel from the Id-prefix table",
                        (None, None) => "service channel unknown",
                    }
                    .into()
                });
                if !self.state.work_event(*kind, work, channel.clone(), now) {
                    note(&|| work_refusal(work).to_string());
                }
                return channel;
            }
        }
        None
    }

    /// Evaluates the triggered rules: which target of which rule acts, and the outcome
    /// of each rule evaluated (the compact trace; the checks are made again on reading).
    fn evaluate(&self, kind: EventKind, facts: &Facts) -> (Vec<Chosen>, Vec<Outcome>) {
        let mut outcomes: Vec<Outcome> = Vec::new();
        // The winning target per side, and the index of its rule's outcome.
        let mut omni: Option<(usize, Chosen)> = None;
        let mut telephony: Option<(usize, Chosen)> = None;
        let rules = &self.rules.rules;
        for &r in self.rules.triggered(kind) {
            let rule = &rules[r];
            let in_scope = rule.scope.as_ref().is_none_or(|s| self.context.in_scope(s));
            if !in_scope {
                outcomes.push(Outcome::OutOfScope);
                continue;
            }
            let matched = eval(&rule.condition, facts, None);
            let index = outcomes.len();
            outcomes.push(if matched {
                Outcome::Emitted
            } else {
                Outcome::NotMatched
            });
            if !matched {
                continue;
            }
            for (t, target) in rule.targets.iter().enumerate() {
                let slot = match target {
                    Target::Omni { .. } | Target::OmniLogout => &mut omni,
                    Target::Telephony(_) => &mut telephony,
                };
                let chosen = Chosen { rule: r, target: t };
                if let Some((earlier, _)) = slot.replace((index, chosen)) {
                    if earlier != index {
                        outcomes[earlier] = Outcome::Superseded;
                    }
                }
            }
            if self.rules.evaluation == Evaluation::FirstMatch {
                break;
            }
        }
        let mut chosen = Vec::new();
        for (index, c) in omni.into_iter().chain(telephony) {
            if self.already_in(&rules[c.rule].targets[c.target]) {
                outcomes[index] = Outcome::AlreadyInState;
                continue;
            }
            chosen.push(c);
        }
        (chosen, outcomes)
    }

    fn already_in(&self, target: &Target) -> bool {
        match target {
            Target::Omni { status_id, .. } => {
                let omni = &self.state.omni;
                omni.logged_in
                    && omni
                        .status_id
                        .as_deref()
                        .is_some_and(|id| crate::rules::salesforce_id::same_id(id, status_id))
            }
            Target::Telephony(state) => self.state.telephony.state.as_deref() == Some(state),
            // Only a definite logout: before any Omni event the agent may be logged in.
            Target::OmniLogout => !self.state.omni.logged_in && self.state.omni.since.is_some(),
        }
    }
}

/// The trace note for a status neither the rules nor the org's catalog list.
fn unnamed(status: &str) -> String {
    format!("status {status} is neither in the rules' statuses nor in the org's catalog")
}

/// Whether the agent's Omni status is an away status: by the catalog, or without one,
/// by having no channels.
fn is_away(rules: &CompiledRules, state: &AgentState) -> bool {
    let omni = &state.omni;
    match omni
        .status_id
        .as_deref()
        .and_then(|id| rules.status_by_id(id))
    {
        Some(status) => !status.online,
        None => omni.channels.is_empty(),
    }
}

fn work_refusal(work: &crate::event::WorkRef) -> Finding {
    Finding::new(
        "event.tooManyWorkItems",
        "$.workId",
        format!(
            "work item {} refused: the agent already has {} open work items, the limit",
            work.work_id,
            crate::model::MAX_OPEN_WORK
        ),
    )
}
