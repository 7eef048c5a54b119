//! The running instance in the agent's browser: `OmniSync.start` builds it, the
//! bridges' events and the timers feed its inbox (`inbox.rs`), each input is handled
//! by the state (`state.rs`) and the commands that leaves are carried out through the
//! bridges (`effects.rs`); only a leading tab acts (`role.rs`, `tabs.rs`). It persists
//! the model for reloads and keeps a bounded trace. See docs/runtime.md.

use super::bridge::text;
use super::effects::{read_presence, run_commands};
use super::errors::Thrown;
use super::inbox::{push, Input, Machine};
use super::role::Role;
use super::state::{now, Bridges, Inner, Shared};
use super::tabs::Leadership;
use super::trace::{Kind, TraceRing};
use super::{
    compile, compile_value, count_arg, headroom, json_value, number_option, option, parse_json,
    read_catalog, read_context, read_event, read_rules, time_arg, timer_ms,
};
use crate::engine::Engine;
use crate::sync::{within_cap, SavedSession, SyncLoop};
use gloo_timers::callback::Interval;
use js_sys::{Function, Reflect};
use std::cell::{Ref, RefMut};
use std::rc::Rc;
use wasm_bindgen::prelude::*;

/// Bridge calls time out after this by default (option `bridgeTimeoutMs`).
const BRIDGE_TIMEOUT_MS: u32 = 10_000;

impl Machine for Inner {
    fn handle(shared: &Rc<Shared>, mut inner: RefMut<'_, Inner>, input: Input) {
        if inner.stopped() {
            return;
        }
        let step = inner.step(input, now(), shared);
        drop(inner);
        run_commands(shared, step.commands);
        if step.read {
            read_presence(shared);
        }
        if step.notify {
            notify(shared);
        }
    }

    fn leads(&self) -> bool {
        self.role.leads()
    }

    fn stopped(&self) -> bool {
        matches!(self.role, Role::Stopped)
    }
}

/// A running omnisync instance.
#[wasm_bindgen]
pub struct Runtime {
    shared: Rc<Shared>,
}

/// Thrown by a `Runtime` method called while the runtime handles an input (from a
/// bridge's callback or a storage's method, say).
fn busy() -> JsValue {
    let message = "omnisync is handling an event; call again from outside the bridge callback";
    Thrown::new("runtime.busy", message).into()
}

impl Runtime {
    pub(crate) fn start(options: &JsValue) -> Result<Runtime, JsValue> {
        if !options.is_object() {
            let message = "OmniSync.start needs an options object: {rules, host, telephony, ...}";
            return Err(Thrown::new("options.invalid", message).into());
        }
        let catalog = read_catalog(options)?;
        let rules = compile(&option(options, "rules"), catalog.as_ref())?;
        let warnings = rules.warnings.clone();
        let host = option(options, "host");
        let telephony = option(options, "telephony");
        for (bridge, name) in [(&host, "host"), (&telephony, "telephony")] {
            if !bridge.is_object() {
                let message = format!("OmniSync.start needs a {name} bridge");
                return Err(Thrown::new("bridge.invalid", message).into());
            }
        }
        let mut engine = Engine::new(rules);
        let context = read_context(options)?;
        let context_user = context.as_ref().and_then(|c| c.user_id.clone());
        if let Some(context) = context {
            engine.set_context(context);
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
            .or(context_user)
            .unwrap_or_default();
        let channel = scoped(&channel, &org, &user);
        let timeout_ms = number_option(options, "bridgeTimeoutMs", 1.0, 600_000.0)?
            .map_or(BRIDGE_TIMEOUT_MS, |n| n as u32);
        let trace_size =
            number_option(options, "traceSize", 10.0, 10_000.0)?.map_or(200, |n| n as usize);
        // 0 (or less) turns the periodic read off; a timer takes at most MAX_TIMER_MS.
        let reconcile_ms =
            number_option(options, "reconcileMs", 0.0, f64::from(super::MAX_TIMER_MS))?
                .map_or(30_000.0, |n| n);
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
            let session = within_cap(&saved).and_then(|()| {
                json_value(&JsValue::from_str(&saved), "session.invalid", "the session")
                    .map_err(|_| "it could not be read".to_string())
                    .and_then(|value| {
                        SavedSession::from_value(value)
                            .ok_or_else(|| "it is not a saved session of this version".to_string())
                    })
                    .and_then(|session| session.accept(&org, &user, now()))
            });
            match session {
                Ok(snapshot) => engine.restore(snapshot),
                Err(why) => refused = Some(why),
            }
        }
        let on_update = Some(option(options, "onUpdate"))
            .filter(JsValue::is_function)
            .map(JsValue::unchecked_into::<Function>);
        let shared = Shared::new(Inner::new(
            SyncLoop::new(engine),
            Bridges {
                host: host.clone(),
                telephony: telephony.clone(),
                timeout_ms,
            },
            TraceRing::new(trace_size),
            storage,
            (key, org, user),
            on_update,
            catalog,
        ));
        subscribe(&shared, &host)?;
        subscribe(&shared, &telephony)?;
        if reconcile_ms > 0.0 {
            let weak = Rc::downgrade(&shared);
            let interval = Interval::new(timer_ms(reconcile_ms.max(250.0)), move || {
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
fn subscribe(shared: &Rc<Shared>, bridge: &JsValue) -> Result<(), Thrown> {
    let weak = Rc::downgrade(shared);
    let callback = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
        let Some(shared) = weak.upgrade() else { return };
        push_event(&shared, &event);
    });
    let function: &Function = callback.as_ref().unchecked_ref();
    let subscribe = Reflect::get(bridge, &"subscribe".into())
        .ok()
        .filter(JsValue::is_function)
        .map(JsValue::unchecked_into::<Function>)
        .ok_or_else(|| {
            Thrown::new(
                "bridge.invalid",
                "a bridge needs a subscribe(callback) method",
            )
        })?;
    subscribe
        .call1(bridge, function)
        .map_err(|_| Thrown::new("bridge.failed", "a bridge's subscribe(callback) threw"))?;
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
    // A work item past the open-item cap is refused here with its code; the model
    // refuses it too if the state is busy now (the event is then queued).
    let read = read_event(event).and_then(|(event, at)| {
        if let Ok(inner) = shared.inner.try_borrow() {
            inner.sync.engine().admit(&event)?;
        }
        Ok((event, at))
    });
    match read {
        Ok((event, at)) => push(shared, Input::Event(Box::new(event), at)),
        Err(err) => {
            if let Ok(mut inner) = shared.inner.try_borrow_mut() {
                inner.record("refused", format!("event refused: {err}"), None, None);
            }
            notify(shared);
        }
    }
}

/// `lightning:omniChannelConnectionError`, which the bridge forwards under this name.
fn is_connection_error(event: &JsValue) -> bool {
    text(event, "type").as_deref() == Some("omni.connectionError")
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

impl Runtime {
    /// The state, unless an input is being handled (after making sure the stack has
    /// room for the call: see [`headroom`]).
    fn inner(&self) -> Result<Ref<'_, Inner>, JsValue> {
        headroom();
        self.shared.inner.try_borrow().map_err(|_| busy())
    }
}

#[wasm_bindgen]
impl Runtime {
    /// What the engine knows about the agent.
    #[wasm_bindgen(unchecked_return_type = "AgentState")]
    pub fn state(&self) -> Result<JsValue, JsValue> {
        let text = serde_json::to_string(self.inner()?.sync.engine().state());
        parse_json(text)
    }

    /// The UserServicePresence records, the current one running to `now` (default: now).
    #[wasm_bindgen(unchecked_return_type = "Metrics")]
    pub fn metrics(
        &self,
        #[wasm_bindgen(unchecked_param_type = "number | undefined")] now_ms: JsValue,
    ) -> Result<JsValue, JsValue> {
        let now = time_arg(&now_ms, "now")?;
        let text = serde_json::to_string(&self.inner()?.sync.engine().metrics(now));
        parse_json(text)
    }

    /// The decision trace, oldest first: the last `limit` entries (default all) of a
    /// ring bounded by `traceSize` entries and 256 KiB of JSON. `limit` is a whole
    /// number of at least 0 (else `options.invalid`).
    #[wasm_bindgen(unchecked_return_type = "TraceEntry[]")]
    pub fn trace(
        &self,
        #[wasm_bindgen(unchecked_param_type = "number | undefined")] limit: JsValue,
    ) -> Result<JsValue, JsValue> {
        let limit = count_arg(&limit, "limit")?.map(|n| usize::try_from(n).unwrap_or(usize::MAX));
        let text = serde_json::to_string(&self.inner()?.trace.last(limit));
        parse_json(text)
    }

    /// Running totals: events, actions, echoes, deferred, retries...
    pub fn stats(&self) -> Result<JsValue, JsValue> {
        let text = serde_json::to_string(self.inner()?.sync.stats());
        parse_json(text)
    }

    /// Whether this tab acts for the agent.
    #[wasm_bindgen(js_name = isLeader)]
    pub fn is_leader(&self) -> bool {
        self.shared.is_leading()
    }

    /// Replaces the rules; throws and keeps the previous ones when refused.
    #[wasm_bindgen(js_name = reloadRules)]
    pub fn reload_rules(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | object")] rules: JsValue,
    ) -> Result<(), JsValue> {
        headroom();
        let value = read_rules(&rules)?;
        let mut inner = self.shared.inner.try_borrow_mut().map_err(|_| busy())?;
        let rules = compile_value(&value, inner.catalog.as_ref())?;
        let warnings = rules.warnings.clone();
        inner.sync.engine_mut().load_rules(rules);
        inner.record("rules", "new rules loaded".into(), None, None);
        for warning in warnings {
            inner.record("warning", warning.to_string(), None, None);
        }
        Ok(())
    }

    /// Reads both sides now, as the periodic reconcile does. The page calls it when it
    /// becomes visible again or resumes from a freeze: a hidden page's timers run about
    /// once a minute and a frozen one's not at all, so the engine acts on what is true
    /// now rather than on what its timers missed.
    pub fn reconcile(&self) {
        headroom();
        read_presence(&self.shared);
    }

    /// Adds a line to the trace for something a bridge saw that is not an event (a
    /// telephony relay appearing or going silent): the trace is where an admin looks.
    pub fn note(&self, kind: &str, message: &str) {
        if let Ok(mut inner) = self.shared.inner.try_borrow_mut() {
            inner.record(
                Kind::Note(kind.to_string()),
                message.to_string(),
                None,
                None,
            );
        }
        notify(&self.shared);
    }

    /// Feeds one normalised event, as the bridges' callbacks do.
    pub fn push(&self, #[wasm_bindgen(unchecked_param_type = "OmniSyncEvent")] event: JsValue) {
        headroom();
        push_event(&self.shared, &event);
    }

    /// Stops acting, releases leadership and the timers: the instance no longer
    /// leads (`isLeader()` is false) and handles nothing more.
    pub fn stop(&self) {
        if let Ok(mut inner) = self.shared.inner.try_borrow_mut() {
            inner.stop();
        }
        self.shared.clear();
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
