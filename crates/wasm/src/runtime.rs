//! The running instance in the agent's browser: `OmniSync.start` builds it, the
//! bridges' events and the timers feed its inbox (`inbox.rs`), each input is handled
//! by the pure tab (`omnisync::tabs`) through the state (`state.rs`), and the commands
//! that leaves are carried out through the bridges (`effects.rs`); only a leading tab
//! acts (`omnisync::tabs`, with the lock of `leadership.rs`). It persists the model for
//! reloads and keeps a bounded trace. See docs/runtime.md.

use crate::bridge::text;
use crate::effects::{read_presence, run_commands};
use crate::errors::Thrown;
use crate::inbox::{push, Input, Machine};
use crate::interop::{
    catalog_from, compile, compile_value, context_from, count_arg, headroom, parse_json,
    read_event, read_rules, text_json, time_arg, timer_ms,
};
use crate::leadership::Leadership;
use crate::options::StartOptions;
use crate::state::{now, Bridges, Inner, Shared};
use crate::trace::{Kind, TraceRing};
use gloo_timers::callback::Interval;
use js_sys::{Function, Reflect};
use omnisync::engine::Engine;
use omnisync::sync::SyncLoop;
use omnisync::tabs::{Settings, Tab};
use std::cell::{Ref, RefMut};
use std::rc::Rc;
use wasm_bindgen::prelude::*;

impl Machine for Inner {
    fn handle(shared: &Rc<Shared>, mut inner: RefMut<'_, Inner>, input: Input) {
        if inner.tab.stopped() {
            return;
        }
        let work = inner.step(input, now(), shared);
        drop(inner);
        run_commands(shared, work.commands);
        if work.reads {
            read_presence(shared);
        }
        if work.notify {
            notify(shared);
        }
    }

    fn leads(&self) -> bool {
        self.tab.leads()
    }

    fn stopped(&self) -> bool {
        self.tab.stopped()
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
        let options = StartOptions::read(options)?;
        let numbers = options.numbers()?;
        let catalog = catalog_from(&options.catalog)?;
        let rules = compile(&options.rules, catalog.as_ref())?;
        let warnings = rules.warnings.clone();
        let StartOptions {
            host, telephony, ..
        } = &options;
        for (bridge, name) in [(host, "host"), (telephony, "telephony")] {
            if !bridge.is_object() {
                let message = format!("OmniSync.start needs a {name} bridge");
                return Err(Thrown::new("bridge.invalid", message).into());
            }
        }
        let mut engine = Engine::new(rules);
        let context = context_from(&options.context)?;
        let context_user = context.as_ref().and_then(|c| c.user_id.clone());
        if let Some(context) = context {
            engine.set_context(context);
        }
        let channel = options.channel.as_deref().unwrap_or("omnisync");
        // The lock, the channel and the saved session belong to one agent of one org:
        // another user's page on the same origin neither leads for us nor restores
        // into us.
        let org = options.org_id.clone().unwrap_or_default();
        let user = options.user_id.clone().or(context_user).unwrap_or_default();
        let channel = scoped(channel, &org, &user);
        let storage = match &options.storage {
            v if v.is_null() => None,
            v if v.is_undefined() => {
                web_sys::window().and_then(|w| w.session_storage().ok().flatten())
            }
            // Checked by typeof, not instanceof (a Proxy's trap could throw there);
            // the Storage methods are catching calls.
            v => Some(v.clone().unchecked_into::<web_sys::Storage>()),
        };
        let key = format!("omnisync:{channel}");
        let settings = Settings {
            org,
            user,
            timeout_ms: u64::from(numbers.bridge_timeout_ms),
            stores: storage.is_some(),
        };
        let mut tab = Tab::new(SyncLoop::new(engine), settings);
        // A reload picks up where the page left off: same model, same metrics, if the
        // saved session is this agent's.
        let restored = storage
            .as_ref()
            .and_then(|s| s.get_item(&key).ok().flatten())
            .map(|saved| tab.restore(&saved, text_json, now()));
        let on_update = Some(options.on_update.clone())
            .filter(JsValue::is_function)
            .map(JsValue::unchecked_into::<Function>);
        let shared = Shared::new(Inner::new(
            tab,
            Bridges {
                host: host.clone(),
                telephony: telephony.clone(),
                timeout_ms: numbers.bridge_timeout_ms,
            },
            TraceRing::new(numbers.trace_size),
            storage,
            key,
            on_update,
            catalog,
        ));
        subscribe(&shared, host)?;
        subscribe(&shared, telephony)?;
        if numbers.reconcile_ms > 0 {
            let weak = Rc::downgrade(&shared);
            let interval = Interval::new(timer_ms(f64::from(numbers.reconcile_ms)), move || {
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
            if let Some(restored) = restored {
                inner.apply(restored, &shared);
            }
            for warning in warnings {
                inner.record("warning", warning.to_string(), None, None);
            }
            let start = inner.tab.start(now());
            let work = inner.apply(start, &shared);
            drop(inner);
            run_commands(&shared, work.commands);
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
                inner.save_now(&shared);
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
        push_event(&shared, event);
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

fn push_event(shared: &Rc<Shared>, event: JsValue) {
    // Not a presence change: the connection error has its own path in the loop.
    if is_connection_error(&event) {
        push(shared, Input::ConnectionLost);
        return;
    }
    // A work item past the open-item cap is refused here with its code; the model
    // refuses it too if the state is busy now (the event is then queued).
    let read = read_event(event).and_then(|(event, at)| {
        if let Ok(inner) = shared.inner.try_borrow() {
            inner.tab.sync.engine().admit(&event)?;
        }
        Ok((event, at))
    });
    match read {
        Ok((event, at)) => push(shared, Input::Event(Box::new(event), Some(at))),
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
        let text = serde_json::to_string(self.inner()?.tab.sync.engine().state());
        parse_json(text)
    }

    /// The UserServicePresence records, the current one running to `now` (default: now).
    #[wasm_bindgen(unchecked_return_type = "Metrics")]
    pub fn metrics(
        &self,
        #[wasm_bindgen(unchecked_param_type = "number | undefined")] now_ms: JsValue,
    ) -> Result<JsValue, JsValue> {
        let now = time_arg(&now_ms, "now")?;
        let text = serde_json::to_string(&self.inner()?.tab.sync.engine().metrics(now));
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
        let text = serde_json::to_string(self.inner()?.tab.sync.stats());
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
        inner.tab.sync.engine_mut().load_rules(rules);
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
        push_event(&self.shared, event);
    }

    /// Stops acting, releases leadership and the timers: the instance no longer
    /// leads (`isLeader()` is false) and handles nothing more.
    pub fn stop(&self) {
        if let Ok(mut inner) = self.shared.inner.try_borrow_mut() {
            inner.stop(&self.shared);
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
