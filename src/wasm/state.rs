//! The running instance's state and what it does with each input ([`Inner::step`]):
//! the pure sync loop, the tab's [`Role`], the writes a follower waits to see confirmed,
//! the timers, the saved session and the trace. Nothing here calls a bridge: a step
//! returns the commands to carry out, and `runtime.rs` has them carried out once the
//! state is released.

use super::inbox::{self, push, Input};
use super::role::{Change, Role, Signal};
use super::tabs::{Leadership, SILENCE_MS};
use super::trace::{Kind, TraceRing};
use crate::engine::{Action, DecisionSummary};
use crate::rules::file::Side;
use crate::rules::Catalog;
use crate::sync::{within_cap, Command, LogEntry, Output, SavedSession, SyncLoop};
use gloo_timers::callback::{Interval, Timeout};
use js_sys::Function;
use std::collections::VecDeque;
use std::rc::Rc;
use wasm_bindgen::JsValue;

/// The state and its inbox, as the runtime's timers and callbacks hold it.
pub(crate) type Shared = inbox::Shared<Inner>;

/// How long a change waits before the saved session is written (see
/// [`Inner::schedule_save`]). A reload within it loses nothing: `pagehide` writes at
/// once, and the start-up read corrects the presence anyway.
const SAVE_DELAY_MS: u32 = 250;

pub(crate) fn now() -> u64 {
    js_sys::Date::now() as u64
}

/// A write this following tab decided and waits to see the leader carry out.
struct Awaited {
    id: u64,
    side: Side,
    target: String,
    deadline: u64,
}

/// What a follower's overdue wait for the leader's confirmation means.
enum Overdue {
    No,
    /// The leader is heard: it is asked nothing, the presence is read.
    LeaderLive,
    /// Nobody confirms and no leader is heard: this tab acts itself.
    NobodyActs,
}

/// What handling one input leaves to do once the state is released.
#[derive(Default)]
pub(crate) struct Step {
    /// Commands for the bridges.
    pub(crate) commands: Vec<Command>,
    /// Read both sides' presence.
    pub(crate) read: bool,
    /// Something visible changed: call `onUpdate`.
    pub(crate) notify: bool,
}

impl Step {
    fn acts(commands: Vec<Command>) -> Step {
        Step {
            commands,
            read: false,
            notify: true,
        }
    }
}

/// The two bridges, and how long a call may take before it counts as failed
/// (`timeout`).
#[derive(Clone)]
pub(crate) struct Bridges {
    pub(crate) host: JsValue,
    pub(crate) telephony: JsValue,
    pub(crate) timeout_ms: u32,
}

pub(crate) struct Inner {
    pub(crate) sync: SyncLoop,
    pub(crate) bridges: Bridges,
    pub(crate) role: Role,
    pub(crate) trace: TraceRing,
    pub(crate) storage: Option<web_sys::Storage>,
    /// The saved session's key, and whose session it is (it must be theirs).
    pub(crate) key: String,
    pub(crate) org: String,
    pub(crate) user: String,
    /// A session write waiting for [`SAVE_DELAY_MS`] to pass: a burst of events costs
    /// one write, not one per event (the session holds the metrics records).
    pub(crate) save: Option<Timeout>,
    pub(crate) wake: Option<(u64, Timeout)>,
    pub(crate) reconcile: Option<Interval>,
    pub(crate) on_update: Option<Function>,
    pub(crate) tabs: Option<Leadership>,
    /// Writes a follower waits to see confirmed; the leader's recent confirmations.
    awaited: Vec<Awaited>,
    confirmed: VecDeque<(Side, String, u64)>,
    confirm_timer: Option<(u64, Timeout)>,
    /// The org's statuses given at start: reloaded rules resolve against them too.
    pub(crate) catalog: Option<Catalog>,
}

impl Inner {
    /// A state with the role unknown, nothing awaited and no timer armed.
    pub(crate) fn new(
        sync: SyncLoop,
        bridges: Bridges,
        trace: TraceRing,
        storage: Option<web_sys::Storage>,
        (key, org, user): (String, String, String),
        on_update: Option<Function>,
        catalog: Option<Catalog>,
    ) -> Inner {
        Inner {
            sync,
            bridges,
            role: Role::Unknown {
                waiting: Vec::new(),
            },
            trace,
            storage,
            key,
            org,
            user,
            save: None,
            wake: None,
            reconcile: None,
            on_update,
            tabs: None,
            awaited: Vec::new(),
            confirmed: VecDeque::new(),
            confirm_timer: None,
            catalog,
        }
    }

    /// Handles one input at `at`.
    pub(crate) fn step(&mut self, input: Input, at: u64, shared: &Rc<Shared>) -> Step {
        let out = match input {
            Input::Event(event, stamped) => self.sync.event_at(&event, stamped, at),
            Input::Result(id, error) => self.sync.result(id, error.as_deref(), at),
            Input::Tick => self.sync.tick(at),
            Input::ConnectionLost => self.sync.connection_lost(at),
            Input::Read(read, mark) => self.sync.read_as_of(&read, mark, at),
            Input::Acting(side, target) => {
                self.signal(Signal::Heard(None), at, shared);
                self.acting(side, &target, at, shared);
                return Step::default();
            }
            Input::Done(side, target) => {
                self.signal(Signal::Heard(None), at, shared);
                self.done(side, target, at, shared);
                return Step::default();
            }
            Input::Alive => return self.signal(Signal::Heard(Some(at)), at, shared),
            Input::Lock(leads) => return self.signal(Signal::Lock(leads), at, shared),
            Input::Unconfirmed => {
                self.confirm_timer = None;
                return match self.unconfirmed(at, shared) {
                    Overdue::No => Step::default(),
                    // The system itself says whether the write happened: a read
                    // showing the target is its echo (see `crate::sync::read`).
                    Overdue::LeaderLive => Step {
                        read: true,
                        ..Step::default()
                    },
                    Overdue::NobodyActs => self.signal(Signal::NobodyActs, at, shared),
                };
            }
        };
        Step::acts(self.absorb(out, shared))
    }

    /// Moves the role ([`Role::on`]) and does what the change asks.
    fn signal(&mut self, signal: Signal, at: u64, shared: &Rc<Shared>) -> Step {
        let (message, took_over, waiting) = match self.role.on(signal) {
            Change::Same => return Step::default(),
            Change::GivesWay => {
                let message = "another tab acts for the agent again: this one mirrors";
                self.record("leadership", message.into(), None, None);
                return Step::default();
            }
            Change::ActsAlone => {
                let message = "the tab holding the lock did not act on this agent's changes: this tab acts for the agent";
                self.record("leadership", message.into(), None, None);
                let out = self.sync.take_over(at);
                return Step::acts(self.absorb(out, shared));
            }
            Change::Leads { took_over, waiting } => {
                // Leading: nothing left to see confirmed by another tab.
                self.awaited.clear();
                self.confirm_timer = None;
                (
                    "this tab now leads: it acts for the agent",
                    took_over,
                    waiting,
                )
            }
            Change::Follows { waiting } => ("another tab leads: this one mirrors", false, waiting),
        };
        self.record("leadership", message.into(), None, None);
        let mut commands = self.mirror(waiting, shared);
        if took_over {
            let out = self.sync.take_over(now());
            commands.extend(self.absorb(out, shared));
        }
        Step {
            commands,
            read: took_over,
            notify: true,
        }
    }

    /// Records what the loop did, persists the model, arms the wake-up timer, and
    /// returns the commands this tab must carry out.
    fn absorb(&mut self, out: Output, shared: &Rc<Shared>) -> Vec<Command> {
        for entry in out.log {
            let LogEntry {
                kind,
                rule,
                message,
                ..
            } = entry;
            self.record(kind, message, rule, None);
        }
        for decision in out.decisions {
            let matched = decision.matched().join(", ");
            let message = if decision.actions.is_empty() {
                format!(
                    "{}: no action{}",
                    decision.trace.event,
                    if matched.is_empty() {
                        String::new()
                    } else {
                        format!(" (matched {matched})")
                    }
                )
            } else {
                let did: Vec<String> = decision.actions.iter().map(|a| a.describe()).collect();
                format!("{}: {} by {matched}", decision.trace.event, did.join(", "))
            };
            self.record("decision", message, None, Some(decision.summary()));
        }
        self.schedule_save(shared);
        self.arm(out.wake_at, shared);
        if let Role::Unknown { waiting } = &mut self.role {
            let (reads, acts): (Vec<Command>, Vec<Command>) = out
                .commands
                .into_iter()
                .partition(|c| matches!(c, Command::Reconcile));
            waiting.extend(acts);
            return reads;
        }
        self.mirror(out.commands, shared)
    }

    /// The commands this tab carries out. A follower mirrors: the leader carries out
    /// the actions and their echoes arrive in this tab like in the leader's. An action
    /// counts as done here only when the leader says it did it (or its echo comes);
    /// until then it waits like a write in flight, and if no confirmation comes within
    /// the heartbeat window this tab acts itself (see [`Input::Unconfirmed`]).
    fn mirror(&mut self, commands: Vec<Command>, shared: &Rc<Shared>) -> Vec<Command> {
        if self.role.leads() {
            return commands;
        }
        let mut keep = Vec::new();
        let at = now();
        for command in commands {
            match command {
                Command::Execute { id, action, .. } => {
                    let (side, target) = (action.side(), action.target().to_string());
                    let seen = self.confirmed.iter().position(|(s, t, when)| {
                        *s == side && *t == target && at.saturating_sub(*when) <= SILENCE_MS as u64
                    });
                    if let Some(i) = seen {
                        // The leader was quicker than this tab's own decision.
                        self.confirmed.remove(i);
                        shared.queue(Input::Result(id, None));
                        continue;
                    }
                    self.awaited.retain(|a| a.side != side);
                    self.awaited.push(Awaited {
                        id,
                        side,
                        target,
                        deadline: at + SILENCE_MS as u64,
                    });
                }
                Command::Reconcile => keep.push(command),
                Command::Login { .. } => {}
            }
        }
        self.arm_confirm(shared);
        keep
    }

    /// The leader started a write: it is alive, so this tab waits as long as the
    /// leader's call may take.
    fn acting(&mut self, side: Side, target: &str, at: u64, shared: &Rc<Shared>) {
        let wait = self.bridges.timeout_ms as u64 + SILENCE_MS as u64;
        for a in self
            .awaited
            .iter_mut()
            .filter(|a| a.side == side && a.target == target)
        {
            a.deadline = a.deadline.max(at + wait);
        }
        self.arm_confirm(shared);
    }

    /// The leader carried out a write: a matching write of this tab counts as done.
    fn done(&mut self, side: Side, target: String, at: u64, shared: &Rc<Shared>) {
        if let Some(i) = self
            .awaited
            .iter()
            .position(|a| a.side == side && a.target == target)
        {
            let a = self.awaited.remove(i);
            shared.queue(Input::Result(a.id, None));
        } else if !self.role.leads() {
            self.confirmed.push_back((side, target, at));
            while self.confirmed.len() > 8 {
                self.confirmed.pop_front();
            }
        }
    }

    /// Whether a write this tab waits for is overdue: still in flight here (no echo
    /// came either) past its deadline. Re-arms the timer for the others.
    ///
    /// A leader heard within the window is never taken over from: it may be slow (a
    /// busy machine delays its messages), or it may rightly not write at all (its own
    /// model, from its own events and reads, already shows the target, so it has
    /// nothing to announce). Taking over then makes two tabs write. Such a wait is
    /// settled by reading the presence instead: a read showing the target counts as the
    /// echo. Only a silent lock holder (a page that holds the lock but never speaks)
    /// makes this tab act.
    fn unconfirmed(&mut self, at: u64, shared: &Rc<Shared>) -> Overdue {
        let sync = &self.sync;
        self.awaited.retain(|a| sync.awaits_result(a.id));
        let Role::Follower { leader_heard } = self.role else {
            self.awaited.clear();
            return Overdue::No;
        };
        if !self.awaited.iter().any(|a| a.deadline <= at) {
            self.arm_confirm(shared);
            return Overdue::No;
        }
        let live = leader_heard.is_some_and(|heard| at.saturating_sub(heard) < SILENCE_MS as u64);
        if live {
            for a in &mut self.awaited {
                a.deadline = a.deadline.max(at + SILENCE_MS as u64);
            }
            self.arm_confirm(shared);
            return Overdue::LeaderLive;
        }
        self.awaited.clear();
        Overdue::NobodyActs
    }

    fn arm_confirm(&mut self, shared: &Rc<Shared>) {
        let Some(at) = self.awaited.iter().map(|a| a.deadline).min() else {
            self.confirm_timer = None;
            return;
        };
        if self
            .confirm_timer
            .as_ref()
            .is_some_and(|(armed, _)| *armed == at)
        {
            return;
        }
        let weak = Rc::downgrade(shared);
        let delay = super::timer_ms(at.saturating_sub(now()) as f64);
        let timeout = Timeout::new(delay, move || {
            if let Some(shared) = weak.upgrade() {
                push(&shared, Input::Unconfirmed);
            }
        });
        self.confirm_timer = Some((at, timeout));
    }

    /// Tells the other tabs what this leading tab does with an action.
    pub(crate) fn announce(&self, what: &str, action: &Action) {
        if let (true, Some(tabs)) = (self.role.leads(), &self.tabs) {
            tabs.announce(what, action.side(), action.target());
        }
    }

    /// Adds a line to the trace, marked mirrored unless this tab leads.
    pub(crate) fn record(
        &mut self,
        kind: impl Into<Kind>,
        message: String,
        rule: Option<String>,
        decision: Option<DecisionSummary>,
    ) {
        let mirrored = !self.role.leads();
        self.trace
            .record(kind.into(), message, rule, decision, mirrored);
    }

    /// Stops acting: the role, the timers and the waits go; a waiting session write is
    /// made now.
    pub(crate) fn stop(&mut self) {
        self.save_now();
        self.role.on(Signal::Stop);
        self.wake = None;
        self.reconcile = None;
        self.confirm_timer = None;
        self.awaited.clear();
        if let Some(tabs) = self.tabs.take() {
            tabs.release();
        }
    }

    /// Writes the saved session within [`SAVE_DELAY_MS`], or at once when the page
    /// goes away (`pagehide`) or the runtime stops. Without a storage nothing is built.
    fn schedule_save(&mut self, shared: &Rc<Shared>) {
        if self.storage.is_none() || self.save.is_some() {
            return;
        }
        let weak = Rc::downgrade(shared);
        self.save = Some(Timeout::new(SAVE_DELAY_MS, move || {
            if let Some(shared) = weak.upgrade() {
                if let Ok(mut inner) = shared.inner.try_borrow_mut() {
                    inner.save_now();
                }
            }
        }));
    }

    /// Writes the saved session if a write is waiting.
    pub(crate) fn save_now(&mut self) {
        if self.save.take().is_none() {
            return;
        }
        let session = SavedSession::new(self.sync.engine().snapshot(), &self.org, &self.user);
        let (Some(storage), Ok(text)) = (&self.storage, session.to_json()) else {
            return;
        };
        // A session past the cap, or a full or blocked storage, only costs the
        // reload-proofing; the trace says so.
        let why = if let Err(why) = within_cap(&text) {
            why
        } else if storage.set_item(&self.key, &text).is_err() {
            format!(
                "session.notSaved: the storage refused the saved session ({} bytes; full or blocked)",
                text.len()
            )
        } else {
            return;
        };
        self.record(
            "refused",
            format!("the session was not saved: {why}"),
            None,
            None,
        );
    }

    fn arm(&mut self, wake_at: Option<u64>, shared: &Rc<Shared>) {
        let Some(at) = wake_at else { return };
        if self.wake.as_ref().is_some_and(|(armed, _)| *armed <= at) {
            return;
        }
        let weak = Rc::downgrade(shared);
        let delay = super::timer_ms(at.saturating_sub(now()) as f64);
        let timeout = Timeout::new(delay, move || {
            if let Some(shared) = weak.upgrade() {
                if let Ok(mut inner) = shared.inner.try_borrow_mut() {
                    inner.wake = None;
                }
                push(&shared, Input::Tick);
            }
        });
        self.wake = Some((at, timeout));
    }
}
