//! The tab itself: the sync loop, the role, the follower's waits, the timers asked for
//! and the session write due, and [`Tab::step`], the one place they change.

use super::follow::{Follow, Overdue};
use super::role::{Change, Role, Signal};
use super::step::{Input, Kind, Line, Save, Step, Timer, SAVE_DELAY_MS, SILENCE_MS};
use crate::sync::{within_cap, Command, LogEntry, Output, SavedSession, SyncLoop};
use serde_json::Value;

/// Whose tab this is and how it runs.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// The saved session belongs to this org and user.
    pub org: String,
    pub user: String,
    /// How long a bridge call may take before it counts as failed.
    pub timeout_ms: u64,
    /// Whether there is a storage to save the session in.
    pub stores: bool,
}

/// One tab's state: the sync loop, the role, the follower's waits, the timers it asked
/// for and whether a session write is due.
pub struct Tab {
    /// The loop itself, for what the host reads from it (state, metrics, stats) and
    /// for rules loaded into a running tab.
    pub sync: SyncLoop,
    role: Role,
    follow: Follow,
    settings: Settings,
    /// The wake-up asked for and not yet fed back.
    wake: Option<u64>,
    /// A session write asked for and not yet made.
    save_due: bool,
}

impl Tab {
    /// A tab with the role unknown, nothing awaited and no timer asked for.
    pub fn new(sync: SyncLoop, settings: Settings) -> Tab {
        Tab {
            sync,
            role: Role::Unknown {
                waiting: Vec::new(),
            },
            follow: Follow::default(),
            settings,
            wake: None,
            save_due: false,
        }
    }

    /// Whether this tab acts for the agent now.
    pub fn leads(&self) -> bool {
        self.role.leads()
    }

    /// Whether [`Tab::stop`] was called.
    pub fn stopped(&self) -> bool {
        matches!(self.role, Role::Stopped)
    }

    /// Picks up where a reloaded page left off: the saved session's model and metrics,
    /// if it is this agent's, of this format and within the caps; otherwise the step
    /// says why it was refused.
    /// `read` turns the text into JSON (in the browser, the JS engine's parser: the
    /// bundle carries none of its own).
    pub fn restore(
        &mut self,
        saved: &str,
        read: impl FnOnce(&str) -> Option<Value>,
        at: u64,
    ) -> Step {
        let session = within_cap(saved).and_then(|()| {
            read(saved)
                .ok_or_else(|| "it could not be read".to_string())
                .and_then(|value| {
                    SavedSession::from_value(value)
                        .ok_or_else(|| "it is not a saved session of this version".to_string())
                })
                .and_then(|s| s.accept(&self.settings.org, &self.settings.user, at))
        });
        let mut step = Step::default();
        match session {
            Ok(snapshot) => self.sync.engine_mut().restore(snapshot),
            Err(why) => {
                let message = format!("the saved session was not restored: {why}");
                step.trace.push(self.line("refused", message));
            }
        }
        step
    }

    /// Starts the loop: its first command asks for a read.
    pub fn start(&mut self, at: u64) -> Step {
        Step {
            commands: self.sync.start(at).commands,
            ..Step::default()
        }
    }

    /// Handles one input at `at`.
    pub fn step(&mut self, input: Input, at: u64) -> Step {
        let mut step = Step::default();
        if self.stopped() {
            return step;
        }
        let out = match input {
            Input::Event(event, stamped) => self.sync.event_at(&event, stamped.unwrap_or(at), at),
            Input::Result(id, error) => self.sync.result(id, error.as_deref(), at),
            Input::Tick => {
                self.wake = None;
                self.sync.tick(at)
            }
            Input::ConnectionLost => self.sync.connection_lost(at),
            Input::Read(read, mark) => self.sync.read_as_of(&read, mark, at),
            Input::Acting(side, target) => {
                self.signal(Signal::Heard(None), at, &mut step);
                let wait = self.settings.timeout_ms + SILENCE_MS;
                self.follow.acting(side, &target, at, wait);
                self.arm_confirm(&mut step);
                return step;
            }
            Input::Done(side, target) => {
                self.signal(Signal::Heard(None), at, &mut step);
                let leads = self.leads();
                step.results
                    .extend(self.follow.done(side, target, at, leads));
                return step;
            }
            Input::Alive => {
                self.signal(Signal::Heard(Some(at)), at, &mut step);
                return step;
            }
            Input::Lock(leads) => {
                self.signal(Signal::Lock(leads), at, &mut step);
                return step;
            }
            Input::Unconfirmed => {
                self.follow.fired();
                let heard = match self.role {
                    Role::Follower { leader_heard } => Some(leader_heard),
                    _ => None,
                };
                match self.follow.overdue(&self.sync, heard, at) {
                    Overdue::No => {}
                    // The system itself says whether the write happened: a read
                    // showing the target is its echo (see `crate::sync::read`).
                    Overdue::LeaderLive => step.reads = true,
                    Overdue::NobodyActs => self.signal(Signal::NobodyActs, at, &mut step),
                }
                self.arm_confirm(&mut step);
                return step;
            }
        };
        step.notify = true;
        self.absorb(out, at, &mut step);
        step
    }

    /// Moves the role ([`Role::on`]) and does what the change asks.
    fn signal(&mut self, signal: Signal, at: u64, step: &mut Step) {
        let (message, took_over, waiting) = match self.role.on(signal) {
            Change::Same => return,
            Change::GivesWay => {
                let message = "another tab acts for the agent again: this one mirrors";
                step.trace.push(self.line("leadership", message.into()));
                return;
            }
            Change::ActsAlone => {
                let message = "the tab holding the lock did not act on this agent's changes: this tab acts for the agent";
                step.trace.push(self.line("leadership", message.into()));
                let out = self.sync.take_over(at);
                step.notify = true;
                self.absorb(out, at, step);
                return;
            }
            Change::Leads { took_over, waiting } => {
                // Leading: nothing left to see confirmed by another tab.
                self.follow.clear();
                self.arm_confirm(step);
                (
                    "this tab now leads: it acts for the agent",
                    took_over,
                    waiting,
                )
            }
            Change::Follows { waiting } => ("another tab leads: this one mirrors", false, waiting),
        };
        step.trace.push(self.line("leadership", message.into()));
        self.mirror(waiting, at, step);
        if took_over {
            let out = self.sync.take_over(at);
            self.absorb(out, at, step);
        }
        step.reads |= took_over;
        step.notify = true;
    }

    /// Records what the loop did, asks for a session write and the wake-up, and keeps
    /// the commands this tab must carry out.
    fn absorb(&mut self, out: Output, at: u64, step: &mut Step) {
        for entry in out.log {
            let LogEntry {
                kind,
                rule,
                message,
                ..
            } = entry;
            let mut line = self.line("", message);
            line.kind = Kind::Sync(kind);
            line.rule = rule;
            step.trace.push(line);
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
            let mut line = self.line("decision", message);
            line.decision = Some(decision.summary());
            step.trace.push(line);
        }
        if self.settings.stores && !self.save_due {
            self.save_due = true;
            step.save = Some(Save::After(at + SAVE_DELAY_MS));
        }
        if let Some(wake) = out.wake_at {
            if self.wake.is_none_or(|armed| wake < armed) {
                self.wake = Some(wake);
                step.timers.push(Timer::Wake { at: wake });
            }
        }
        if let Role::Unknown { waiting } = &mut self.role {
            let (reads, acts): (Vec<Command>, Vec<Command>) = out
                .commands
                .into_iter()
                .partition(|c| matches!(c, Command::Reconcile));
            waiting.extend(acts);
            step.commands.extend(reads);
            return;
        }
        self.mirror(out.commands, at, step);
    }

    /// The commands this tab carries out. A follower mirrors: the leader carries out
    /// the actions and their echoes arrive in this tab like in the leader's. An action
    /// counts as done here only when the leader says it did it (or its echo comes);
    /// until then it waits like a write in flight, and if no confirmation comes within
    /// the heartbeat window this tab acts itself (see [`Input::Unconfirmed`]).
    fn mirror(&mut self, commands: Vec<Command>, at: u64, step: &mut Step) {
        if self.leads() {
            step.commands.extend(commands);
            return;
        }
        for command in commands {
            match command {
                Command::Execute { id, action, .. } => {
                    let side = action.side();
                    if let Some(done) = self.follow.decided(id, side, action.target(), at) {
                        // The leader was quicker than this tab's own decision.
                        step.results.push(done);
                    }
                }
                Command::Reconcile => step.commands.push(command),
                Command::Login { .. } => {}
            }
        }
        self.arm_confirm(step);
    }

    /// Asks for the confirmation timer at the earliest deadline, or cancels it.
    fn arm_confirm(&mut self, step: &mut Step) {
        if let Some(at) = self.follow.rearm() {
            step.timers.push(Timer::Confirm { at });
        }
    }

    /// A trace line of the tab's own, marked mirrored unless this tab leads.
    pub fn line(&self, kind: &'static str, message: String) -> Line {
        Line {
            kind: Kind::Tab(kind),
            message,
            rule: None,
            decision: None,
            mirrored: !self.leads(),
        }
    }

    /// The session write that is due, if one is: the text to write, or (past the cap)
    /// a trace line saying it was not saved. Called when the write's time comes, when
    /// the page goes away and when the tab stops.
    pub fn save_now(&mut self) -> Step {
        let mut step = Step::default();
        if !std::mem::take(&mut self.save_due) {
            return step;
        }
        let Settings { org, user, .. } = &self.settings;
        let session = SavedSession::new(self.sync.engine().snapshot(), org, user);
        let Ok(text) = session.to_json() else {
            return step;
        };
        // A session past the cap only costs the reload-proofing; the trace says so.
        match within_cap(&text) {
            Ok(()) => step.save = Some(Save::Write(text)),
            Err(why) => {
                let message = format!("the session was not saved: {why}");
                step.trace.push(self.line("refused", message));
            }
        }
        step
    }

    /// Stops acting for good: the role and the waits go, every timer is cancelled; a
    /// due session write is made now.
    pub fn stop(&mut self) -> Step {
        let mut step = self.save_now();
        self.role.on(Signal::Stop);
        self.follow.clear();
        self.arm_confirm(&mut step);
        self.wake = None;
        step
    }
}
