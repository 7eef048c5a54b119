//! The sync loop around the [`Engine`]: everything between "an event arrived" and "the
//! host must run this action" that makes presence sync safe in the real world.
//!
//! - Echoes: every emitted action is a pending write; the event that confirms it is an
//!   echo, applied to the model but never treated as an agent's change. The
//!   StatusChanged `reason` (`OmniToolkitStatusChange`) is used when present and not
//!   needed when absent.
//! - Chains: one agent change may touch each side at most once, whatever the rules say.
//! - Nothing is lost: events before start-up are buffered and replayed after the first
//!   reconcile; evaluations wait while an action is in flight and then run in order;
//!   rapid changes on one side coalesce to the latest state.
//! - Failures: results come back through [`SyncLoop::result`]; failed actions are retried
//!   with exponential back-off and jitter, then reported; an Omni connection error can
//!   log the agent back in.
//! - Ownership: a rule's `master` side wins when both sides change at nearly the same
//!   time; otherwise the latest change wins.
//! - Contacts: telephony writes wait while the phone is in a system state.
//!
//! Pure like the engine: time is passed in, commands come back as values, and the
//! caller wakes the loop with [`SyncLoop::tick`] at [`Output::wake_at`].
//!
//! Files: this one holds the loop and its entry points; `log`, `read_retry`,
//! `session` and `write` are leaves it builds on (they import nothing from here);
//! `read`, `decide`, `contention` and `failures` add methods to the loop (they import
//! it, and nothing here imports them).

mod contention;
mod decide;
mod failures;
mod log;
mod read;
mod read_retry;
mod session;
mod write;

pub use log::{LogEntry, LogKind, Stats};
pub use session::{within_cap, SavedSession, MAX_CLOCK_SKEW_MS, MAX_SESSION_BYTES};

use read_retry::ReadRetry;
use write::{Due, Pending, Touched};

use crate::engine::{Action, Decision, Engine, Observation};
use crate::event::{Event, EventKind};
use crate::rules::file::{Side, SyncOptions};
use serde::Serialize;
use std::collections::VecDeque;

/// The reason Omni-Channel gives to a status change made through the toolkit API.
pub(crate) const TOOLKIT_REASON: &str = "OmniToolkitStatusChange";

/// The one clock rule, for the runtime and for `OmniSync.handle` alike: an event
/// stamped `at` by its source is taken at the earlier of `at` and `now` (the caller's
/// clock), so a stamp in the future cannot move the engine's clock; a stamp more than
/// [`MAX_CLOCK_SKEW_MS`] ahead also gives the line the trace shows.
pub fn taken_at(event: &Event, at: u64, now: u64) -> (u64, Option<String>) {
    if at <= now {
        return (at, None);
    }
    let late = (at - now > MAX_CLOCK_SKEW_MS).then(|| {
        format!(
            "{} was stamped {} s ahead of this clock: taken as happening now",
            event.kind().name(),
            (at - now) / 1000
        )
    });
    (now, late)
}

/// Events kept while waiting for the first reconcile; older ones are dropped past it,
/// so a start-up read that never finishes cannot grow memory without end.
const MAX_BUFFERED: usize = 1_000;

/// What the host must do.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Command {
    /// Run an action and report with [`SyncLoop::result`] under the same `id`.
    Execute {
        id: u64,
        action: Action,
        attempt: u32,
    },
    /// Log the agent back in to Omni-Channel with this status (after a connection
    /// error); no result is expected: the LoginSuccess event confirms it.
    Login { status_id: String },
    /// Read the current Omni status, workload and phone state and pass them to
    /// [`SyncLoop::reconciled`].
    Reconcile,
}

/// Everything one call produced.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Output {
    pub commands: Vec<Command>,
    pub decisions: Vec<Decision>,
    pub log: Vec<LogEntry>,
    /// Call [`SyncLoop::tick`] at this time (ms) at the latest.
    pub wake_at: Option<u64>,
}

impl Output {
    /// Appends what a later call produced; the earlier wake-up time wins.
    pub fn merge(&mut self, more: Output) {
        self.commands.extend(more.commands);
        self.decisions.extend(more.decisions);
        self.log.extend(more.log);
        self.wake_at = match (self.wake_at, more.wake_at) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }
}

/// Start-up: nothing is decided before the first read of both sides' presence.
#[derive(Debug, Clone, PartialEq)]
enum Startup {
    /// Before the first reconcile: events are kept with their times (at most
    /// [`MAX_BUFFERED`], oldest out first) to be replayed after it.
    Buffering(VecDeque<(Event, u64)>),
    /// The first reconcile is done: events are decided on as they come.
    Running,
}

/// The optional idle timer (`timer.idle`): it fires once per quiet spell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum IdleTimer {
    /// The spell started with the last event, at `since`.
    Armed { since: u64 },
    /// It fired (or found the agent busy) since the last event: used up until the next.
    Spent,
}

/// A status change held back for coalescing.
#[derive(Debug, Clone, PartialEq)]
struct Held {
    side: Side,
    seen: Observation,
    due: u64,
}

/// A telephony write waiting for the contact to end.
#[derive(Debug, Clone, PartialEq)]
struct Deferred {
    action: Action,
    touched: Touched,
    /// The Omni status when it was deferred: it is still wanted only if that holds.
    omni_status: Option<String>,
}

/// The sync loop for one agent.
#[derive(Debug, Clone)]
pub struct SyncLoop {
    engine: Engine,
    options: SyncOptions,
    startup: Startup,
    pending: Vec<Pending>,
    queue: VecDeque<(Observation, Touched)>,
    held: Vec<Held>,
    deferred: Option<Deferred>,
    next_id: u64,
    rng: u64,
    stats: Stats,
    idle: IdleTimer,
    read_retry: ReadRetry,
    /// Counts events taken and writes sent: a presence read asked at one count and
    /// answered at another may predate them (see [`SyncLoop::read_as_of`]).
    changes: u64,
    /// [`SyncLoop::lean`].
    lean: bool,
}

impl SyncLoop {
    /// A loop that buffers events until its first reconcile.
    pub fn new(engine: Engine) -> SyncLoop {
        let options = engine.rules().sync.clone();
        SyncLoop {
            engine,
            options,
            startup: Startup::Buffering(VecDeque::new()),
            pending: Vec::new(),
            queue: VecDeque::new(),
            held: Vec::new(),
            deferred: None,
            next_id: 1,
            rng: 0x9E37_79B9_7F4A_7C15,
            stats: Stats::default(),
            idle: IdleTimer::Armed { since: 0 },
            read_retry: ReadRetry::Settled,
            changes: 0,
            lean: false,
        }
    }

    /// With `on`, the loop keeps only what changes its commands, for loops nobody
    /// reads the log or the traces of (the replay's, thousands of agents): no
    /// [`Output::log`] ([`SyncLoop::stats`] still counts what it would say), no
    /// [`Output::decisions`], and an event that no rule is triggered by and reports no
    /// side's status is taken into the model with no decision made on it (nor queued
    /// behind a write). The commands are the same either way.
    pub fn lean(&mut self, on: bool) {
        self.lean = on;
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// For the tab (`crate::tabs`: a restored session) and the browser binding (new
    /// rules loaded into a running loop).
    pub fn engine_mut(&mut self) -> &mut Engine {
        &mut self.engine
    }

    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// Whether the first reconcile is done (before it, events are buffered).
    pub fn is_running(&self) -> bool {
        matches!(self.startup, Startup::Running)
    }

    /// Whether the write `id` still waits for its result (a following tab stops
    /// awaiting the confirmation of a write that no longer does).
    pub(crate) fn awaits_result(&self, id: u64) -> bool {
        self.pending.iter().any(|p| p.id == id && p.awaits_result())
    }

    /// Whether any write still waits for its result (later decisions then wait).
    fn writing(&self) -> bool {
        self.pending.iter().any(Pending::awaits_result)
    }

    /// Seeds the retry jitter, so runs are reproducible.
    pub fn seed(&mut self, seed: u64) {
        self.rng = seed | 1;
    }

    /// Starts the loop: asks the host for a first reconcile.
    pub fn start(&mut self, now: u64) -> Output {
        let mut out = Output::default();
        out.commands.push(Command::Reconcile);
        self.note(
            &mut out,
            now,
            LogKind::Reconciling,
            None,
            "reading the current presence before acting".into(),
        );
        out
    }

    /// Applies what the host read (Omni status, workload, phone state, as events)
    /// without deciding anything on it, then replays what arrived meanwhile.
    pub fn reconciled(&mut self, snapshot: &[Event], now: u64) -> Output {
        let mut out = Output::default();
        for event in snapshot {
            self.engine.take(event, now);
        }
        // Only the first reconcile replays: a later one finds nothing buffered.
        let replay = match std::mem::replace(&mut self.startup, Startup::Running) {
            Startup::Buffering(buffered) => buffered,
            Startup::Running => VecDeque::new(),
        };
        let message = format!("presence read; {} buffered event(s) replayed", replay.len());
        self.note(&mut out, now, LogKind::Reconciled, None, message);
        for (event, at) in replay {
            let more = self.event(&event, at.max(now));
            out.merge(more);
        }
        out
    }

    /// Handles one event stamped `at` by its source, at `now` by the caller's clock:
    /// the event is taken at the earlier of the two, so a stamp in the future cannot
    /// move the engine's clock (a stamp more than [`MAX_CLOCK_SKEW_MS`] ahead is noted).
    pub fn event_at(&mut self, event: &Event, at: u64, now: u64) -> Output {
        let (at, late) = taken_at(event, at, now);
        let mut out = self.event(event, at);
        if let Some(message) = late {
            self.note(&mut out, now, LogKind::Clock, None, message);
        }
        out
    }

    /// Handles one event from either system.
    pub fn event(&mut self, event: &Event, now: u64) -> Output {
        let mut out = self.tick(now);
        self.event_into(event, now, &mut out);
        self.wake(&mut out);
        out
    }

    fn event_into(&mut self, event: &Event, now: u64, out: &mut Output) {
        let out = &mut *out;
        self.idle = IdleTimer::Armed { since: now };
        if let Startup::Buffering(buffered) = &mut self.startup {
            if buffered.len() >= MAX_BUFFERED {
                buffered.pop_front();
            }
            buffered.push_back((event.clone(), now));
            self.note(
                out,
                now,
                LogKind::Buffered,
                None,
                format!("{} arrived before start-up: buffered", event.kind().name()),
            );
            return;
        }
        // Counted once, when decided on (a buffered event is counted at its replay).
        self.stats.events += 1;
        self.changes += 1;
        let side = side_of(event);
        let reason = match event {
            Event::StatusChanged { reason, .. } => reason.as_deref(),
            _ => None,
        };
        let mut touched = Touched::default().with(side);
        if let Some(side) = side {
            if let Some(i) = self.matching_pending(side, event) {
                let pending = self.pending.remove(i);
                if reason.is_none() || reason == Some(TOOLKIT_REASON) {
                    self.engine.take(event, now);
                    self.stats.echoes += 1;
                    let action = &pending.action;
                    self.note_with(out, now, LogKind::Echo, Some(action.rule()), || {
                        format!(
                            "echo of {} (rule \"{}\"): not an agent change",
                            action.describe(),
                            action.rule()
                        )
                    });
                    self.drain(now, out);
                    return;
                }
            } else if reason == Some(TOOLKIT_REASON) {
                // Our own write came back as a different status: it belongs to the
                // chain that caused it, so the chain limit applies.
                if let Some(i) = self.pending.iter().position(|p| p.action.side() == side) {
                    touched = self.pending.remove(i).touched.with(Some(side));
                }
            }
        }
        let kind = event.kind();
        if self.lean && side.is_none() && self.engine.rules().triggered(kind).is_empty() {
            // Nothing can come of deciding on it.
            self.engine.take(event, now);
            return;
        }
        let leaving_contact = self.leaving_contact(event);
        let seen = self.engine.observe(event, now);
        if side.is_some() {
            self.stats.agent_changes += 1;
        }
        if leaving_contact && self.resume_deferred(now, out) {
            return;
        }
        if let Some(side) = side {
            // A logout is never undone: it may come from a supervisor or a second login.
            let logout = matches!(event, Event::Logout { .. });
            if self.conflict(side, !logout, now, out) {
                return;
            }
            if self.options.coalesce_ms > 0 {
                self.hold(side, seen, now, out);
                return;
            }
        }
        if self.writing() {
            let message = if self.enqueue(seen, touched) {
                " (replacing an older one of its kind)"
            } else {
                ""
            };
            self.note_with(out, now, LogKind::Queued, None, || {
                format!("{} waits for the action in flight{message}", kind.name())
            });
            return;
        }
        self.evaluate(seen, touched, now, out);
    }

    /// Runs what is due at `now`: retries, coalesced decisions, expired writes.
    pub fn tick(&mut self, now: u64) -> Output {
        let mut out = Output::default();
        let window = self.options.echo_window_ms;
        let mut expired = Vec::new();
        // In place: a tick is asked for at every event, and usually finds nothing due.
        let mut i = 0;
        while i < self.pending.len() {
            let p = &mut self.pending[i];
            match p.tick(now, window) {
                Due::Resent => {
                    self.changes += 1;
                    out.commands.push(Command::Execute {
                        id: p.id,
                        action: p.action.clone(),
                        attempt: p.attempt,
                    });
                }
                Due::Expired => {
                    expired.push(self.pending.remove(i));
                    continue;
                }
                Due::Nothing => {}
            }
            i += 1;
        }
        for p in expired {
            let message = format!("no echo of {} within {window} ms", p.action.describe());
            self.note(
                &mut out,
                now,
                LogKind::Expired,
                Some(p.action.rule()),
                message,
            );
        }
        let due: Vec<Held> = match self.held.iter().any(|h| h.due <= now) {
            true => {
                let (due, later) = self.held.drain(..).partition(|h| h.due <= now);
                self.held = later;
                due
            }
            false => Vec::new(),
        };
        for held in due {
            let touched = Touched::default().with(Some(held.side));
            self.enqueue(held.seen, touched);
        }
        self.idle(now);
        self.read_due(now, &mut out);
        self.drain(now, &mut out);
        self.wake(&mut out);
        out
    }

    /// The optional idle timer: once per quiet spell of a logged-in agent with nothing
    /// assigned, the rules on `timer.idle` are evaluated like any event.
    fn idle(&mut self, now: u64) {
        let Some(due) = self.idle_due() else { return };
        if now < due {
            return;
        }
        let IdleTimer::Armed { since } = self.idle else {
            return;
        };
        // The spell is used up either way, so the timer is not re-armed in a loop.
        self.idle = IdleTimer::Spent;
        let state = self.engine.state();
        if !state.omni.logged_in || state.workload.current_workload > 0.0 {
            return;
        }
        let event = Event::Idle {
            idle_ms: now - since,
        };
        let seen = self.engine.observe(&event, now);
        self.enqueue(seen, Touched::default());
    }

    /// Queues an observation to decide on once no write is in flight. The model has
    /// already taken it in, so of one kind only the latest is still worth deciding on:
    /// it replaces an older one (keeping the state that one started from, as
    /// coalescing does). The queue thus holds at most one observation per event kind,
    /// however long a side stalls, and a recovering side is sent the latest wanted
    /// state, never the backlog. Returns true when an older one was replaced.
    fn enqueue(&mut self, seen: Observation, touched: Touched) -> bool {
        let Some(i) = self.queue.iter().position(|(q, _)| q.kind == seen.kind) else {
            self.queue.push_back((seen, touched));
            return false;
        };
        let mut seen = seen;
        if let Some((older, older_touched)) = self.queue.remove(i) {
            match seen.kind {
                EventKind::TelephonyStateChanged => {
                    seen.facts.telephony_old = older.facts.telephony_old
                }
                EventKind::StatusChanged | EventKind::Logout | EventKind::LoginSuccess => {
                    seen.facts.omni_old = older.facts.omni_old
                }
                EventKind::WorkloadChanged => {
                    seen.facts.previous_workload = older.facts.previous_workload
                }
                _ => {}
            }
            self.queue.push_back((
                seen,
                Touched {
                    omni: touched.omni || older_touched.omni,
                    telephony: touched.telephony || older_touched.telephony,
                },
            ));
        }
        self.stats.coalesced += 1;
        true
    }

    fn drain(&mut self, now: u64, out: &mut Output) {
        while !self.writing() {
            let Some((seen, touched)) = self.queue.pop_front() else {
                break;
            };
            self.evaluate(seen, touched, now, out);
        }
    }

    fn wake(&self, out: &mut Output) {
        let window = self.options.echo_window_ms;
        let times = self
            .pending
            .iter()
            .map(|p| p.wake_at(window))
            .chain(self.held.iter().map(|h| h.due))
            .chain(self.idle_due())
            .chain(self.read_retry.due());
        out.wake_at = times.min();
    }

    fn idle_due(&self) -> Option<u64> {
        let after = self.options.idle_after_ms;
        match self.idle {
            IdleTimer::Armed { since } if after > 0 && self.is_running() => Some(since + after),
            _ => None,
        }
    }

    fn note(
        &mut self,
        out: &mut Output,
        at: u64,
        kind: LogKind,
        rule: Option<&str>,
        message: String,
    ) {
        self.note_with(out, at, kind, rule, || message);
    }

    /// [`SyncLoop::note`] with the message written only when the log is kept (the
    /// frequent entries: an echo, an event queued behind a write).
    fn note_with(
        &self,
        out: &mut Output,
        at: u64,
        kind: LogKind,
        rule: Option<&str>,
        message: impl FnOnce() -> String,
    ) {
        if self.lean {
            return;
        }
        out.log.push(LogEntry {
            at,
            kind,
            rule: rule.map(str::to_string),
            message: message(),
        });
    }
}

/// The side whose *status* an event reports; workload and work events have none.
fn side_of(event: &Event) -> Option<Side> {
    match event {
        Event::LoginSuccess { .. } | Event::StatusChanged { .. } | Event::Logout { .. } => {
            Some(Side::Omni)
        }
        Event::TelephonyStateChanged { .. } => Some(Side::Telephony),
        _ => None,
    }
}
