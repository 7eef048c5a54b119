//! The running instance's state as the browser holds it: the pure tab
//! (`omnisync::tabs::Tab`: the sync loop, the role, the follower's waits, the saved
//! session's decisions) and what carries its steps out here: the timers it asks for,
//! the storage, the trace, the channel to the other tabs. [`Inner::apply`] does what a
//! step asks that needs no bridge; `runtime.rs` has the commands carried out once the
//! state is released.

use crate::inbox::{self, push, Input};
use crate::interop::timer_ms;
use crate::leadership::Leadership;
use crate::trace::{Kind, TraceRing};
use gloo_timers::callback::{Interval, Timeout};
use js_sys::Function;
use omnisync::engine::{Action, DecisionSummary};
use omnisync::rules::Catalog;
use omnisync::sync::Command;
use omnisync::tabs::{Save, Step, Tab, Timer};
use std::ops::Deref;
use std::rc::Rc;
use wasm_bindgen::JsValue;

/// The state and its inbox, as the runtime's timers and callbacks hold it.
pub(crate) type Shared = inbox::Shared<Inner>;

pub(crate) fn now() -> u64 {
    js_sys::Date::now() as u64
}

/// The two bridges, and how long a call may take before it counts as failed
/// (`timeout`).
#[derive(Clone)]
pub(crate) struct Bridges {
    pub(crate) host: JsValue,
    pub(crate) telephony: JsValue,
    pub(crate) timeout_ms: u32,
}

/// What a step leaves to do once the state is released.
pub(crate) struct Work {
    pub(crate) commands: Vec<Command>,
    pub(crate) reads: bool,
    pub(crate) notify: bool,
}

pub(crate) struct Inner {
    pub(crate) tab: Tab,
    pub(crate) bridges: Bridges,
    pub(crate) trace: TraceRing,
    pub(crate) storage: Option<web_sys::Storage>,
    /// The saved session's key.
    pub(crate) key: String,
    /// The timers the tab asked for: the session write, the loop's wake-up, the
    /// follower's wait for a confirmation.
    save: Option<Timeout>,
    wake: Option<Timeout>,
    confirm: Option<Timeout>,
    pub(crate) reconcile: Option<Interval>,
    pub(crate) on_update: Option<Function>,
    pub(crate) tabs: Option<Leadership>,
    /// The org's statuses given at start: reloaded rules resolve against them too.
    pub(crate) catalog: Option<Catalog>,
}

/// The tab's reads (`inner.sync`, `inner.leads()`) through the state.
impl Deref for Inner {
    type Target = Tab;

    fn deref(&self) -> &Tab {
        &self.tab
    }
}

impl Inner {
    /// A state with no timer armed.
    pub(crate) fn new(
        tab: Tab,
        bridges: Bridges,
        trace: TraceRing,
        storage: Option<web_sys::Storage>,
        key: String,
        on_update: Option<Function>,
        catalog: Option<Catalog>,
    ) -> Inner {
        Inner {
            tab,
            bridges,
            trace,
            storage,
            key,
            save: None,
            wake: None,
            confirm: None,
            reconcile: None,
            on_update,
            tabs: None,
            catalog,
        }
    }

    /// Handles one input at `at` and does what the step asks of the state.
    pub(crate) fn step(&mut self, input: Input, at: u64, shared: &Rc<Shared>) -> Work {
        let step = self.tab.step(input, at);
        self.apply(step, shared)
    }

    /// Records the step's trace lines, queues the writes it counts as done, arms or
    /// cancels the timers it asks for and writes the session; returns the rest.
    pub(crate) fn apply(&mut self, step: Step, shared: &Rc<Shared>) -> Work {
        let Step {
            commands,
            reads,
            notify,
            timers,
            save,
            results,
            trace,
        } = step;
        for line in trace {
            let (kind, mirrored) = (Kind::from(line.kind), line.mirrored);
            self.trace
                .record(kind, line.message, line.rule, line.decision, mirrored);
        }
        for id in results {
            shared.queue(Input::Result(id, None));
        }
        for timer in timers {
            match timer {
                Timer::Wake { at } => self.wake = Some(after(at, shared, Input::Tick)),
                Timer::Confirm { at } => {
                    self.confirm = at.map(|at| after(at, shared, Input::Unconfirmed));
                }
            }
        }
        match save {
            Some(Save::After(at)) => self.save = Some(save_at(at, shared)),
            Some(Save::Write(text)) => self.write(&text),
            None => {}
        }
        Work {
            commands,
            reads,
            notify,
        }
    }

    /// Writes the session text; a full or blocked storage only costs the
    /// reload-proofing, and the trace says so.
    fn write(&mut self, text: &str) {
        let Some(storage) = &self.storage else { return };
        if storage.set_item(&self.key, text).is_ok() {
            return;
        }
        let why = format!(
            "session.notSaved: the storage refused the saved session ({} bytes; full or blocked)",
            text.len()
        );
        self.record(
            "refused",
            format!("the session was not saved: {why}"),
            None,
            None,
        );
    }

    /// Tells the other tabs what this leading tab does with an action.
    pub(crate) fn announce(&self, what: &str, action: &Action) {
        if let (true, Some(tabs)) = (self.tab.leads(), &self.tabs) {
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
        let mirrored = !self.tab.leads();
        self.trace
            .record(kind.into(), message, rule, decision, mirrored);
    }

    /// Stops acting: the role, the timers and the waits go; a waiting session write is
    /// made now.
    pub(crate) fn stop(&mut self, shared: &Rc<Shared>) {
        let step = self.tab.stop();
        self.apply(step, shared);
        self.save = None;
        self.wake = None;
        self.confirm = None;
        self.reconcile = None;
        if let Some(tabs) = self.tabs.take() {
            tabs.release();
        }
    }

    /// Makes the session write that is due, if one is (its timer came, or the page
    /// goes away).
    pub(crate) fn save_now(&mut self, shared: &Rc<Shared>) {
        self.save = None;
        let step = self.tab.save_now();
        self.apply(step, shared);
    }
}

/// A timer that feeds `input` at `at`.
fn after(at: u64, shared: &Rc<Shared>, input: Input) -> Timeout {
    let weak = Rc::downgrade(shared);
    let mut input = Some(input);
    Timeout::new(timer_ms(at.saturating_sub(now()) as f64), move || {
        if let (Some(shared), Some(input)) = (weak.upgrade(), input.take()) {
            push(&shared, input);
        }
    })
}

/// The session write's timer: it writes at once, outside the inbox, unless the state
/// is busy (the write then waits for `pagehide` or `stop`).
fn save_at(at: u64, shared: &Rc<Shared>) -> Timeout {
    let weak = Rc::downgrade(shared);
    Timeout::new(timer_ms(at.saturating_sub(now()) as f64), move || {
        if let Some(shared) = weak.upgrade() {
            if let Ok(mut inner) = shared.inner.try_borrow_mut() {
                inner.save_now(&shared);
            }
        }
    })
}
