//! The running instance in the agent's browser: feeds bridge events to the pure sync
//! loop and carries out its commands through the bridges (awaiting their promises),
//! owns the timers, acts only when this tab leads, persists the model for reloads and
//! keeps a bounded trace. See docs/runtime.md.
//!
//! Re-entrancy: a bridge may emit events synchronously while we call it. Inputs go
//! through an inbox and the state is only borrowed while one input is handled, never
//! while JavaScript runs.

use super::bridge::text;
use super::effects::{read_presence, run_commands};
use super::tabs::{Leadership, SILENCE_MS};
use super::{compile, json_value, read_catalog, read_event, time, to_js, typed};
use crate::engine::{Action, AgentContext, DecisionSummary, Engine};
use crate::event::Event;
use crate::read::PresenceRead;
use crate::rules::file::Side;
use crate::rules::Catalog;
use crate::sync::{Command, LogEntry, Output, SavedSession, SyncLoop};
use gloo_timers::callback::{Interval, Timeout};
use js_sys::{Function, Reflect};
use serde::Serialize;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

/// One line of the decision trace.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct TraceEntry {
    seq: u64,
    at: u64,
    kind: String,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    decision: Option<DecisionSummary>,
    /// Recorded by a tab that does not lead: seen and decided, not acted on.
    mirrored: bool,
}

/// What the trace ring holds at most, in bytes of its JSON: the host publishes it, and
/// a rules file with many rules matching at once must not make it grow without end.
const TRACE_BYTES: usize = 256 * 1024;

/// How long a change waits before the saved session is written (see
/// [`Inner::schedule_save`]). A reload within it loses nothing: `pagehide` writes at
/// once, and the start-up read corrects the presence anyway.
const SAVE_DELAY_MS: u32 = 250;

impl TraceEntry {
    /// The length of this entry's JSON, counted without writing it anywhere.
    fn json_bytes(&self) -> usize {
        struct Count(usize);
        impl std::io::Write for Count {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                self.0 += buf.len();
                Ok(buf.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let mut count = Count(0);
        let _ = serde_json::to_writer(&mut count, self);
        count.0
    }
}

pub(super) enum Input {
    Event(Box<Event>, u64),
    Result(u64, Option<String>),
    /// What the bridges read back (see `crate::read`).
    /// With the loop's mark when the read was asked ([`SyncLoop::read_mark`]).
    Read(Box<PresenceRead>, u64),
    Tick,
    Leader(bool),
    /// Omni-Channel's connection error event: drives the relogin.
    ConnectionLost,
    /// The leading tab started or finished a write (its announcement on the channel).
    Acting(Side, String),
    Done(Side, String),
    /// A follower's wait for the leader's confirmation ran out.
    Unconfirmed,
    /// The leading tab said it is there.
    Alive,
}

/// What a follower's overdue wait for the leader's confirmation means.
enum Overdue {
    No,
    /// The leader is heard: it is asked nothing, the presence is read.
    LeaderLive,
    /// Nobody confirms and no leader is heard: this tab acts itself.
    NobodyActs,
}

/// Bridge calls time out after this by default (option `bridgeTimeoutMs`).
const BRIDGE_TIMEOUT_MS: u32 = 10_000;

/// A write this following tab decided and waits to see the leader carry out.
struct Awaited {
    id: u64,
    side: Side,
    target: String,
    deadline: u64,
}

pub(super) struct Inner {
    pub(super) sync: SyncLoop,
    pub(super) host: JsValue,
    pub(super) telephony: JsValue,
    storage: Option<web_sys::Storage>,
    key: String,
    /// A session write waiting for [`SAVE_DELAY_MS`] to pass: a burst of events costs
    /// one write, not one per event (the session holds the metrics records).
    save: Option<Timeout>,
    /// Each entry with the length of its JSON.
    trace: VecDeque<(TraceEntry, usize)>,
    trace_bytes: usize,
    trace_size: usize,
    seq: u64,
    leader: bool,
    /// Until leadership is known, actions wait: a tab must neither act twice nor count
    /// an action as done by a leader that does not exist.
    decided: bool,
    undecided: Vec<Command>,
    stopped: bool,
    wake: Option<(u64, Timeout)>,
    reconcile: Option<Interval>,
    on_update: Option<Function>,
    tabs: Option<Leadership>,
    /// How long a bridge call may take before it counts as failed (`timeout`).
    pub(super) timeout_ms: u32,
    /// Whose session this is: the saved session must be theirs.
    org: String,
    user: String,
    /// Writes a follower waits to see confirmed; the leader's recent confirmations.
    awaited: Vec<Awaited>,
    confirmed: VecDeque<(Side, String, u64)>,
    confirm_timer: Option<(u64, Timeout)>,
    /// Acting because the tab holding the lock did not: until another tab is heard
    /// acting, this one keeps acting whatever the lock says.
    alone: bool,
    /// When the leading tab last said it is there.
    leader_heard: Option<u64>,
    /// The org's statuses given at start: reloaded rules resolve against them too.
    catalog: Option<Catalog>,
}

pub(super) struct Shared {
    pub(super) inner: RefCell<Inner>,
    inbox: RefCell<VecDeque<Input>>,
}

impl Shared {
    /// Whether `stop()` was called (a busy state counts as running).
    pub(super) fn is_stopped(&self) -> bool {
        self.inner.try_borrow().is_ok_and(|i| i.stopped)
    }

    /// Whether this tab acts for the agent now.
    pub(super) fn is_leading(&self) -> bool {
        self.inner
            .try_borrow()
            .is_ok_and(|i| i.leader && !i.stopped)
    }
}

/// A running omnisync instance.
#[wasm_bindgen]
pub struct Runtime {
    shared: Rc<Shared>,
}

fn now() -> u64 {
    js_sys::Date::now() as u64
}

fn option(options: &JsValue, key: &str) -> JsValue {
    Reflect::get(options, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

impl Runtime {
    pub(super) fn start(options: &JsValue) -> Result<Runtime, JsValue> {
        let catalog = read_catalog(options)?;
        let rules = compile(&option(options, "rules"), catalog.as_ref())?;
        let warnings = rules.warnings.clone();
        let host = option(options, "host");
        let telephony = option(options, "telephony");
        for (bridge, name) in [(&host, "host"), (&telephony, "telephony")] {
            if !bridge.is_object() {
                return Err(
                    js_sys::Error::new(&format!("OmniSync.start needs a {name} bridge")).into(),
                );
            }
        }
        let mut engine = Engine::new(rules);
        let context = option(options, "context");
        if context.is_object() {
            engine.set_context(typed::<AgentContext>(
                &context,
                "context.invalid",
                "the context",
            )?);
        }
        let channel = option(options, "channel")
            .as_string()
            .unwrap_or_else(|| "omnisync".into());
        // The lock, the channel and the saved session belong to one agent of one org:
        // another user's page on the same origin neither leads for us nor restores
        // into us.
        let org = option(options, "orgId").as_string().unwrap_or_default();
        let user = option(options, "userId")
            .as_string()
            .or_else(|| option(&context, "userId").as_string())
            .unwrap_or_default();
        let channel = scoped(&channel, &org, &user);
        let timeout_ms = option(options, "bridgeTimeoutMs")
            .as_f64()
            .filter(|n| n.is_finite())
            .map_or(BRIDGE_TIMEOUT_MS, |n| n.clamp(1.0, 600_000.0) as u32);
        let storage = match option(options, "storage") {
            v if v.is_null() => None,
            v if v.is_undefined() => {
                web_sys::window().and_then(|w| w.session_storage().ok().flatten())
            }
            // Checked by typeof, not instanceof (a Proxy's trap could throw there);
            // the Storage methods are catching calls.
            v if v.is_object() => Some(v.unchecked_into::<web_sys::Storage>()),
            _ => None,
        };
        let key = format!("omnisync:{channel}");
        // A reload picks up where the page left off: same model, same metrics, if the
        // saved session is this agent's.
        let mut refused = None;
        if let Some(saved) = storage
            .as_ref()
            .and_then(|s| s.get_item(&key).ok().flatten())
        {
            let session = json_value(&JsValue::from_str(&saved), "session.invalid", "the session")
                .map_err(|_| "it could not be read".to_string())
                .and_then(|value| {
                    SavedSession::from_value(value)
                        .ok_or_else(|| "it is not a saved session of this version".to_string())
                })
                .and_then(|session| session.accept(&org, &user, now()));
            match session {
                Ok(snapshot) => engine.restore(snapshot),
                Err(why) => refused = Some(why),
            }
        }
        let shared = Rc::new(Shared {
            inner: RefCell::new(Inner {
                sync: SyncLoop::new(engine),
                host: host.clone(),
                telephony: telephony.clone(),
                storage,
                key,
                save: None,
                trace: VecDeque::new(),
                trace_bytes: 0,
                trace_size: option(options, "traceSize")
                    .as_f64()
                    .map_or(200, |n| n.clamp(10.0, 10_000.0) as usize),
                seq: 0,
                leader: false,
                decided: false,
                undecided: Vec::new(),
                stopped: false,
                wake: None,
                reconcile: None,
                on_update: Some(option(options, "onUpdate"))
                    .filter(JsValue::is_function)
                    .map(JsValue::unchecked_into::<Function>),
                tabs: None,
                timeout_ms,
                org,
                user,
                awaited: Vec::new(),
                confirmed: VecDeque::new(),
                confirm_timer: None,
                alone: false,
                leader_heard: None,
                catalog,
            }),
            inbox: RefCell::new(VecDeque::new()),
        });
        subscribe(&shared, &host)?;
        subscribe(&shared, &telephony)?;
        let reconcile_ms = option(options, "reconcileMs").as_f64().unwrap_or(30_000.0);
        if reconcile_ms > 0.0 {
            let weak = Rc::downgrade(&shared);
            let interval = Interval::new(reconcile_ms.max(250.0) as u32, move || {
                if let Some(shared) = weak.upgrade() {
                    read_presence(&shared);
                }
            });
            if let Ok(mut inner) = shared.inner.try_borrow_mut() {
                inner.reconcile = Some(interval);
            }
        }
        save_on_pagehide(&shared);
        let tabs = Leadership::start(&shared, &channel);
        if let Ok(mut inner) = shared.inner.try_borrow_mut() {
            inner.tabs = tabs;
            if let Some(why) = refused {
                let message = format!("the saved session was not restored: {why}");
                inner.record("refused", message, None, None);
            }
            for warning in warnings {
                inner.record("warning", warning.to_string(), None, None);
            }
            let out = inner.sync.start(now());
            drop(inner);
            run_commands(&shared, out.commands);
        }
        Ok(Runtime { shared })
    }
}

/// A waiting session write is made when the page goes away (reload, navigation,
/// closed tab), so a reload right after a change restores that change.
fn save_on_pagehide(shared: &Rc<Shared>) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let weak = Rc::downgrade(shared);
    let callback = Closure::<dyn FnMut()>::new(move || {
        if let Some(shared) = weak.upgrade() {
            if let Ok(mut inner) = shared.inner.try_borrow_mut() {
                inner.save_now();
            }
        }
    });
    let added = window
        .add_event_listener_with_callback("pagehide", callback.as_ref().unchecked_ref())
        .is_ok();
    if added {
        // The window keeps the listener for the page's life.
        callback.forget();
    }
}

/// Hands the bridge a callback that queues each event it reports.
fn subscribe(shared: &Rc<Shared>, bridge: &JsValue) -> Result<(), JsValue> {
    let weak = Rc::downgrade(shared);
    let callback = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
        let Some(shared) = weak.upgrade() else { return };
        push_event(&shared, &event);
    });
    let function: &Function = callback.as_ref().unchecked_ref();
    let subscribe = Some(Reflect::get(bridge, &"subscribe".into())?)
        .filter(JsValue::is_function)
        .map(JsValue::unchecked_into::<Function>)
        .ok_or_else(|| js_sys::Error::new("a bridge needs a subscribe(callback) method"))?;
    subscribe.call1(bridge, function)?;
    // The bridge keeps the callback for the page's life.
    callback.forget();
    Ok(())
}

fn push_event(shared: &Rc<Shared>, event: &JsValue) {
    // Not a presence change: the connection error has its own path in the loop.
    if is_connection_error(event) {
        push(shared, Input::ConnectionLost);
        return;
    }
    match read_event(event) {
        Ok((event, at)) => {
            shared
                .inbox
                .borrow_mut()
                .push_back(Input::Event(Box::new(event), at));
            pump(shared);
        }
        Err(err) => {
            let message = text(&err, "message").unwrap_or_else(|| "malformed event".into());
            if let Ok(mut inner) = shared.inner.try_borrow_mut() {
                inner.record("refused", format!("event refused: {message}"), None, None);
            }
            notify(shared);
        }
    }
}

/// `lightning:omniChannelConnectionError`, which the bridge forwards under this name.
fn is_connection_error(event: &JsValue) -> bool {
    text(event, "type").as_deref() == Some("omni.connectionError")
}

pub(super) fn push(shared: &Rc<Shared>, input: Input) {
    shared.inbox.borrow_mut().push_back(input);
    pump(shared);
}

/// Handles queued inputs one at a time; commands run once the state is released.
fn pump(shared: &Rc<Shared>) {
    loop {
        let Some(input) = shared.inbox.borrow_mut().pop_front() else {
            break;
        };
        let Ok(mut inner) = shared.inner.try_borrow_mut() else {
            // Called from inside a bridge call: the outer pump handles it next.
            shared.inbox.borrow_mut().push_front(input);
            return;
        };
        if inner.stopped {
            continue;
        }
        let at = now();
        let out = match input {
            Input::Event(event, stamped) => inner.sync.event_at(&event, stamped, at),
            Input::Acting(side, target) => {
                inner.acting(side, &target, at, shared);
                continue;
            }
            Input::Done(side, target) => {
                inner.done(side, target, at, shared);
                continue;
            }
            Input::Alive => {
                inner.leader_heard = Some(at);
                inner.heard_leader();
                continue;
            }
            Input::Unconfirmed => {
                inner.confirm_timer = None;
                match inner.unconfirmed(at, shared) {
                    Overdue::No => continue,
                    Overdue::LeaderLive => {
                        // The system itself says whether the write happened: a read
                        // showing the target is its echo (see `crate::sync::read`).
                        drop(inner);
                        read_presence(shared);
                        continue;
                    }
                    Overdue::NobodyActs => {}
                }
                // Nobody acted on what this tab decided: it acts itself.
                inner.leader = true;
                inner.alone = true;
                let message = "the tab holding the lock did not act on this agent's changes: this tab acts for the agent";
                inner.record("leadership", message.into(), None, None);
                let out = inner.sync.take_over(at);
                let commands = inner.absorb(out, shared);
                drop(inner);
                run_commands(shared, commands);
                notify(shared);
                continue;
            }
            Input::Result(id, error) => inner.sync.result(id, error.as_deref(), at),
            Input::Tick => inner.sync.tick(at),
            Input::ConnectionLost => inner.sync.connection_lost(at),
            Input::Read(read, mark) => inner.sync.read_as_of(&read, mark, at),
            Input::Leader(leader) if inner.decided && leader == inner.leader => continue,
            Input::Leader(false) if inner.alone => continue,
            Input::Leader(leader) => {
                let took_over = leader && inner.decided && !inner.leader;
                inner.leader = leader;
                inner.decided = true;
                if leader {
                    inner.alone = false;
                    // Leading: nothing left to see confirmed by another tab.
                    inner.awaited.clear();
                    inner.confirm_timer = None;
                }
                let message = if leader {
                    "this tab now leads: it acts for the agent"
                } else {
                    "another tab leads: this one mirrors"
                };
                inner.record("leadership", message.into(), None, None);
                let waiting = std::mem::take(&mut inner.undecided);
                let mut commands = inner.mirror(waiting, shared);
                if took_over {
                    let out = inner.sync.take_over(now());
                    commands.extend(inner.absorb(out, shared));
                }
                drop(inner);
                run_commands(shared, commands);
                if took_over {
                    read_presence(shared);
                }
                notify(shared);
                continue;
            }
        };
        let commands = inner.absorb(out, shared);
        drop(inner);
        run_commands(shared, commands);
        notify(shared);
    }
}

impl Inner {
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
            let kind = serde_json::to_value(kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            self.record(&kind, message, rule, None);
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
        if !self.decided {
            let (reads, acts): (Vec<Command>, Vec<Command>) = out
                .commands
                .into_iter()
                .partition(|c| matches!(c, Command::Reconcile));
            self.undecided.extend(acts);
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
        if self.leader {
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
                        shared.inbox.borrow_mut().push_back(Input::Result(id, None));
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
        self.heard_leader();
        let wait = self.timeout_ms as u64 + SILENCE_MS as u64;
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
        self.heard_leader();
        if let Some(i) = self
            .awaited
            .iter()
            .position(|a| a.side == side && a.target == target)
        {
            let a = self.awaited.remove(i);
            shared
                .inbox
                .borrow_mut()
                .push_back(Input::Result(a.id, None));
        } else if !self.leader {
            self.confirmed.push_back((side, target, at));
            while self.confirmed.len() > 8 {
                self.confirmed.pop_front();
            }
        }
    }

    /// Another tab acts: a tab that acted alone gives way to it again.
    fn heard_leader(&mut self) {
        if self.alone {
            self.alone = false;
            self.leader = false;
            let message = "another tab acts for the agent again: this one mirrors";
            self.record("leadership", message.into(), None, None);
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
        if self.leader || self.stopped {
            self.awaited.clear();
            return Overdue::No;
        }
        if !self.awaited.iter().any(|a| a.deadline <= at) {
            self.arm_confirm(shared);
            return Overdue::No;
        }
        let live = self
            .leader_heard
            .is_some_and(|heard| at.saturating_sub(heard) < SILENCE_MS as u64);
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
        let delay = at.saturating_sub(now()).min(u32::MAX as u64) as u32;
        let timeout = Timeout::new(delay, move || {
            if let Some(shared) = weak.upgrade() {
                push(&shared, Input::Unconfirmed);
            }
        });
        self.confirm_timer = Some((at, timeout));
    }

    /// Tells the other tabs what this leading tab does with an action.
    pub(super) fn announce(&self, what: &str, action: &Action) {
        if let (true, Some(tabs)) = (self.leader, &self.tabs) {
            tabs.announce(what, action.side(), action.target());
        }
    }

    fn record(
        &mut self,
        kind: &str,
        message: String,
        rule: Option<String>,
        decision: Option<DecisionSummary>,
    ) {
        self.seq += 1;
        let at = decision.as_ref().map_or_else(now, |d| d.trace.at);
        let entry = TraceEntry {
            seq: self.seq,
            at,
            kind: kind.to_string(),
            message,
            rule,
            decision,
            mirrored: !self.leader,
        };
        let bytes = entry.json_bytes();
        self.trace.push_back((entry, bytes));
        self.trace_bytes += bytes;
        // Oldest out first, by count and by bytes; the newest entry always stays.
        while self.trace.len() > 1
            && (self.trace.len() > self.trace_size || self.trace_bytes > TRACE_BYTES)
        {
            if let Some((_, gone)) = self.trace.pop_front() {
                self.trace_bytes -= gone;
            }
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
    fn save_now(&mut self) {
        if self.save.take().is_none() {
            return;
        }
        let session = SavedSession::new(self.sync.engine().snapshot(), &self.org, &self.user);
        if let (Some(storage), Ok(text)) = (&self.storage, session.to_json()) {
            // A full or blocked storage only costs the reload-proofing.
            let _ = storage.set_item(&self.key, &text);
        }
    }

    fn arm(&mut self, wake_at: Option<u64>, shared: &Rc<Shared>) {
        let Some(at) = wake_at else { return };
        if self.wake.as_ref().is_some_and(|(armed, _)| *armed <= at) {
            return;
        }
        let weak = Rc::downgrade(shared);
        let delay = at.saturating_sub(now()).min(u32::MAX as u64) as u32;
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

fn notify(shared: &Rc<Shared>) {
    let callback = shared
        .inner
        .try_borrow()
        .ok()
        .and_then(|i| i.on_update.clone());
    if let Some(callback) = callback {
        // A throwing listener must not stop the sync.
        let _ = callback.call0(&JsValue::NULL);
    }
}

#[wasm_bindgen]
impl Runtime {
    /// What the engine knows about the agent.
    #[wasm_bindgen(unchecked_return_type = "AgentState")]
    pub fn state(&self) -> Result<JsValue, JsValue> {
        let inner = self.shared.inner.try_borrow().map_err(|_| busy())?;
        to_js(inner.sync.engine().state())
    }

    /// The UserServicePresence records, the current one running to `now` (default: now).
    #[wasm_bindgen(unchecked_return_type = "Metrics")]
    pub fn metrics(&self, now_ms: Option<f64>) -> Result<JsValue, JsValue> {
        let inner = self.shared.inner.try_borrow().map_err(|_| busy())?;
        to_js(&inner.sync.engine().metrics(time(now_ms)))
    }

    /// The decision trace, oldest first: the last `limit` entries (default all) of a
    /// ring bounded by `traceSize` entries and 256 KiB of JSON.
    #[wasm_bindgen(unchecked_return_type = "TraceEntry[]")]
    pub fn trace(&self, limit: Option<u32>) -> Result<JsValue, JsValue> {
        let inner = self.shared.inner.try_borrow().map_err(|_| busy())?;
        let skip = limit.map_or(0, |n| inner.trace.len().saturating_sub(n as usize));
        let entries: Vec<&TraceEntry> = inner.trace.iter().skip(skip).map(|(e, _)| e).collect();
        super::json_to_js(&entries)
    }

    /// Running totals: events, actions, echoes, deferred, retries...
    pub fn stats(&self) -> Result<JsValue, JsValue> {
        let inner = self.shared.inner.try_borrow().map_err(|_| busy())?;
        to_js(inner.sync.stats())
    }

    /// Whether this tab acts for the agent.
    #[wasm_bindgen(js_name = isLeader)]
    pub fn is_leader(&self) -> bool {
        self.shared.inner.try_borrow().is_ok_and(|i| i.leader)
    }

    /// Replaces the rules; throws and keeps the previous ones when refused.
    #[wasm_bindgen(js_name = reloadRules)]
    pub fn reload_rules(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | object")] rules: JsValue,
    ) -> Result<(), JsValue> {
        let mut inner = self.shared.inner.try_borrow_mut().map_err(|_| busy())?;
        let rules = compile(&rules, inner.catalog.as_ref())?;
        let warnings = rules.warnings.clone();
        inner.sync.engine_mut().load_rules(rules);
        inner.record("rules", "new rules loaded".into(), None, None);
        for warning in warnings {
            inner.record("warning", warning.to_string(), None, None);
        }
        Ok(())
    }

    /// Adds a line to the trace for something a bridge saw that is not an event (a
    /// telephony relay appearing or going silent): the trace is where an admin looks.
    pub fn note(&self, kind: &str, message: &str) {
        if let Ok(mut inner) = self.shared.inner.try_borrow_mut() {
            inner.record(kind, message.to_string(), None, None);
        }
        notify(&self.shared);
    }

    /// Feeds one normalised event, as the bridges' callbacks do.
    pub fn push(&self, #[wasm_bindgen(unchecked_param_type = "OmniSyncEvent")] event: JsValue) {
        push_event(&self.shared, &event);
    }

    /// Stops acting, releases leadership and the timers: the instance no longer
    /// leads (`isLeader()` is false) and handles nothing more.
    pub fn stop(&self) {
        if let Ok(mut inner) = self.shared.inner.try_borrow_mut() {
            inner.save_now();
            inner.stopped = true;
            inner.leader = false;
            inner.wake = None;
            inner.reconcile = None;
            inner.confirm_timer = None;
            inner.awaited.clear();
            if let Some(tabs) = inner.tabs.take() {
                tabs.release();
            }
        }
        self.shared.inbox.borrow_mut().clear();
    }
}

/// The name of the lock, the channel and the saved session: one per org, user and
/// channel.
fn scoped(channel: &str, org: &str, user: &str) -> String {
    if org.is_empty() && user.is_empty() {
        channel.to_string()
    } else {
        format!("{channel}:{org}:{user}")
    }
}

fn busy() -> JsValue {
    js_sys::Error::new("omnisync is handling an event; call again from outside the bridge callback")
        .into()
}
