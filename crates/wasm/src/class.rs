//! `OmniSync`, the engine for one agent as JavaScript sees it (`new OmniSync(rules)`,
//! `handle`, `state`, `metrics`, `loadRules`, and `OmniSync.start`, which builds the
//! browser runtime of `runtime.rs`), and the TypeScript types of every exported class.
//! Inputs are read through `interop.rs`; outputs cross as JSON text parsed by the JS
//! engine (`interop::to_js`), the decision's actions as objects copied from a cache.

use crate::errors::Thrown;
use crate::interop::{
    compile, compile_value, count_arg, headroom, names, parse_json, put, read_catalog,
    read_context, read_rules, read_stamped, time_arg, to_js,
};
use crate::runtime::Runtime;
use js_sys::{Array, Function, Object, Uint8Array};
use omnisync::engine::{Action, Chosen, Decision, Engine, Trace};
use omnisync::event::{event_time, Event, EventKind};
use omnisync::node::Node;
use omnisync::rules::file::builtin_system_states;
use omnisync::rules::{Catalog, CompiledRules};
use std::cell::{Ref, RefCell, RefMut};
use std::collections::VecDeque;
use std::sync::Arc;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** One problem in a rules file or an event. */
export interface Finding { code: string; path: string; message: string }
/**
 * The Error thrown by every OmniSync method. `code`: "rules.invalid", "rules.unknownStatus",
 * "catalog.invalid", "options.invalid", "context.invalid", "bridge.invalid", "bridge.failed",
 * "runtime.busy", "trace.unreadable", "output.failed", "call.invalid" or an "event.*" code (docs/runtime.md,
 * "Errors"); `details`: the findings, empty when the error is about the call.
 */
export interface OmniSyncError extends Error { code: string; details: Finding[] }
export type Action =
  | { type: "setOmniStatus"; statusId: string; developerName: string; rule: string }
  | { type: "setTelephonyState"; state: string; rule: string }
  | { type: "logoutOmni"; rule: string };
export interface Check { left: string; value: unknown; op: string; rightOperand?: string; right: unknown; result: boolean }
export interface RuleTrace { rule: string; matched: boolean; outcome: "emitted" | "alreadyInState" | "superseded" | "notMatched" | "outOfScope"; checks: Check[] }
export interface Trace { event: string; at: number; rules: RuleTrace[]; notes: string[] }
/**
 * What `handle` returns. The trace is kept compactly and built when asked for:
 * `decision.trace()` returns it (afresh at each call), and `JSON.stringify(decision)`
 * writes it in full.
 */
export interface Decision { actions: Action[]; trace: (() => Trace) & { toJSON(): Trace } }
/** A decision as the runtime's trace keeps it: the rules that matched, counts of the rest. */
export interface TraceSummary { event: string; at: number; rules: RuleTrace[]; notMatched: number; outOfScope: number; notes: string[] }
export interface DecisionSummary { actions: Action[]; trace: TraceSummary }
/** One entry of the runtime's trace (`Runtime.trace(limit?)`). */
export interface TraceEntry {
  seq: number; at: number; kind: string; message: string; rule?: string;
  decision?: DecisionSummary;
  /** Recorded by a tab that does not lead: decided, not acted on. */
  mirrored: boolean;
}
/** A normalised event: `type` plus the Lightning payload field names; `at` in ms. */
export interface OmniSyncEvent { type: string; at?: number; [field: string]: unknown }
export interface AgentState {
  omni: { loggedIn: boolean; statusId: string | null; developerName: string | null; label: string | null;
          channels: { channelId: string; developerName: string }[]; since: number | null };
  workload: { configuredCapacity: number; currentWorkload: number; previousWorkload: number };
  works: Record<string, { workId: string; workItemId: string; status: string; engaged: boolean;
                          serviceChannel: string | null; updatedAt: number }>;
  telephony: { state: string | null; previous: string | null; isSystemState: boolean };
}
/** A UserServicePresence record: ISO 8601 date-times, durations in whole seconds. */
export interface PresenceRecord {
  Name: string | null; UserId: string | null; OwnerId: string | null; ServicePresenceStatusId: string;
  ServicePresenceStatus: { DeveloperName: string | null }; StatusStartDate: string; StatusEndDate: string | null;
  /** Only once the status ended: StatusEndDate - StatusStartDate in seconds. */
  StatusDuration?: number; IdleDuration: number; AtCapacityDuration: number; AverageCapacity: number;
  ConfiguredCapacity: number; ConfiguredInterruptCapacity: number | null; IsAway: boolean; IsCurrentState: boolean;
}
export interface Metrics { records: PresenceRecord[] }
export type SyncCommand =
  | { type: "execute"; id: number; action: Action; attempt: number }
  | { type: "login"; statusId: string }
  | { type: "reconcile" };
export interface SyncLogEntry { at: number; kind: string; rule?: string; message: string }
export interface SyncOutput { commands: SyncCommand[]; decisions: Decision[]; log: SyncLogEntry[]; wakeAt: number | null }
export type TabTimer = { timer: "wake"; at: number } | { timer: "confirm"; at: number | null };
export interface TabTraceLine { kind: string; message: string; rule?: string; decision?: DecisionSummary; mirrored: boolean }
/** The saved session: a write due at `after` (call `{save}` then), or the text to write. */
export type TabSave = { after: number } | { write: string };
/** What a `Tab` call leaves to carry out (docs/runtime.md, "Runtime: leadership"). */
export interface TabStep {
  commands: SyncCommand[]; reads: boolean; notify: boolean; timers: TabTimer[];
  save?: TabSave; results: number[]; trace: TabTraceLine[];
}
"#;

/// The presence-sync engine for one agent, as JavaScript sees it. Every method takes
/// `&self` and borrows the state itself: a call that finds it borrowed (a getter of
/// its own argument calling back in) gets `engine.busy` instead of wasm-bindgen's
/// uncoded "recursive use", and each call first makes sure the stack has room for the
/// whole call ([`headroom`]), so none is cut off half-way with the state borrowed.
#[wasm_bindgen]
pub struct OmniSync {
    inner: RefCell<Class>,
}

struct Class {
    engine: Engine,
    /// The function behind each decision's `trace`, for the rules in force: it reads
    /// the compact trace the decision carries. Made on the first decision after the
    /// rules change (not per `loadRules`: a closure lives until the garbage collector
    /// runs, and with it the rules it holds); older decisions keep the one they were
    /// made with.
    explain: Option<Function>,
    /// Each rule target's action as a JavaScript object (`Action` as serde writes
    /// it), made on first use and copied for each decision, so deciding does not
    /// decode the same text into JavaScript for every event.
    actions: Vec<Vec<Option<Object>>>,
    /// The org's statuses, for `loadRules` to resolve names as the constructor did.
    catalog: Option<Catalog>,
    /// The last [`RECENT`] decisions, oldest first, for `recent(limit)`: kept as the
    /// engine made them (the compact trace), summarised only when read.
    recent: VecDeque<Decision>,
}

/// How many decisions `recent(limit)` can return.
const RECENT: usize = 50;

/// Thrown by an `OmniSync` method called while another call on the same instance is
/// under way.
fn engine_busy() -> JsValue {
    let message = "this OmniSync is in the middle of another call (made from inside it, by a getter or a callback): call again once that call returns";
    Thrown::new("engine.busy", message).into()
}

#[wasm_bindgen]
impl OmniSync {
    /// Builds an engine from rules (JSON text or a plain object) and `{catalog,
    /// context}` as `start` takes them. Throws an `Error` (`rules.invalid`,
    /// `rules.unknownStatus`, `catalog.invalid`, `context.invalid`), every problem
    /// in `details`.
    #[wasm_bindgen(constructor)]
    pub fn with_options(
        #[wasm_bindgen(unchecked_param_type = "string | object")] rules: JsValue,
        #[wasm_bindgen(
            unchecked_param_type = "{ catalog?: object[] | object; context?: object | null }"
        )]
        options: Option<JsValue>,
    ) -> Result<OmniSync, JsValue> {
        console_error_panic_hook::set_once();
        headroom();
        let options = options.unwrap_or(JsValue::UNDEFINED);
        let catalog = read_catalog(&options)?;
        let context = read_context(&options)?;
        let mut engine = Engine::new(compile(&rules, catalog.as_ref())?);
        if let Some(context) = context {
            engine.set_context(context);
        }
        Ok(OmniSync {
            inner: RefCell::new(Class {
                explain: None,
                engine,
                actions: Vec::new(),
                catalog,
                recent: VecDeque::with_capacity(RECENT),
            }),
        })
    }

    /// What the engine accepted but an admin should know: an Id in the rules the
    /// org's catalog overrode (`rules.statusIdMismatch`).
    #[wasm_bindgen(unchecked_return_type = "Finding[]")]
    pub fn warnings(&self) -> Result<JsValue, JsValue> {
        let text = serde_json::to_string(self.enter()?.engine.rules().warnings.as_slice());
        parse_json(text)
    }

    /// Applies one event (`at` in ms, or now) and returns `{actions, trace}`; the trace
    /// is built when `trace()` is called. A malformed event throws and changes nothing.
    /// An event stamped in the future is taken as happening now, as the runtime takes
    /// it (docs/runtime.md, "Time"): its trace says so.
    #[wasm_bindgen(unchecked_return_type = "Decision")]
    pub fn handle(
        &self,
        #[wasm_bindgen(unchecked_param_type = "OmniSyncEvent | string")] event: JsValue,
    ) -> Result<JsValue, JsValue> {
        let (event, stamped) = read_stamped(event)?;
        let made = self.decide(&event, stamped, true)?;
        self.decision_to_js(made)
    }

    /// The last decisions (at most `limit`, default and at most 50), oldest first, as
    /// the runtime's trace shows them: the actions, the rules that matched with their
    /// checks, counts of the rest.
    #[wasm_bindgen(unchecked_return_type = "DecisionSummary[]")]
    pub fn recent(
        &self,
        #[wasm_bindgen(unchecked_param_type = "number | undefined")] limit: JsValue,
    ) -> Result<JsValue, JsValue> {
        let limit = match count_arg(&limit, "limit")? {
            Some(limit) => usize::try_from(limit).unwrap_or(usize::MAX),
            None => RECENT,
        };
        let text = {
            let class = self.enter()?;
            let skip = class.recent.len().saturating_sub(limit);
            let summaries: Vec<_> = class
                .recent
                .iter()
                .skip(skip)
                .map(Decision::summary)
                .collect();
            serde_json::to_string(&summaries)
        };
        parse_json(text)
    }

    /// What the engine knows about the agent.
    #[wasm_bindgen(unchecked_return_type = "AgentState")]
    pub fn state(&self) -> Result<JsValue, JsValue> {
        let text = serde_json::to_string(self.enter()?.engine.state());
        parse_json(text)
    }

    /// The UserServicePresence records, the current one running to `now` (ms; default
    /// the current time). `now` must be a finite number of at least 0.
    #[wasm_bindgen(unchecked_return_type = "Metrics")]
    pub fn metrics(
        &self,
        #[wasm_bindgen(unchecked_param_type = "number | undefined")] now: JsValue,
    ) -> Result<JsValue, JsValue> {
        let now = time_arg(&now, "now")?;
        let text = serde_json::to_string(&self.enter()?.engine.metrics(now));
        parse_json(text)
    }

    /// Starts the browser runtime (see docs/runtime.md): `{rules, catalog?, host,
    /// telephony, context?, storage?, channel?, reconcileMs?, traceSize?, onUpdate?}`.
    pub fn start(options: JsValue) -> Result<Runtime, JsValue> {
        console_error_panic_hook::set_once();
        headroom();
        Runtime::start(&options)
    }

    /// Replaces the rules. When the new rules are refused it throws and the previous
    /// rules stay in force.
    #[wasm_bindgen(js_name = loadRules)]
    pub fn load_rules(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | object")] rules: JsValue,
    ) -> Result<(), JsValue> {
        let value = read_rules(&rules)?;
        let mut class = self.enter_mut()?;
        let rules = compile_value(&value, class.catalog.as_ref())?;
        class.engine.load_rules(rules);
        class.explain = None;
        class.actions.clear();
        class.recent.clear();
        Ok(())
    }

    /// The event types the engine reads (it also reads Lightning and Classic names).
    #[wasm_bindgen(js_name = eventNames, unchecked_return_type = "string[]")]
    pub fn event_names() -> Array {
        names(EventKind::names())
    }

    /// The telephony system states: reported by a softphone, set by no rule.
    #[wasm_bindgen(js_name = systemStates, unchecked_return_type = "string[]")]
    pub fn system_states() -> Array {
        names(builtin_system_states())
    }

    /// Panics on purpose: only in builds with the `panic-test` feature (the tests'),
    /// never in the shipped bundle. Shows that a panic reaches the console.
    #[cfg(feature = "panic-test")]
    #[wasm_bindgen(js_name = panicForTest)]
    pub fn panic_for_test(&self) {
        panic!("omnisync panic-test: deliberate panic");
    }
}

impl OmniSync {
    /// `new OmniSync(rules)` from Rust: no catalog, so every status needs its Id.
    pub fn new(rules: JsValue) -> Result<OmniSync, JsValue> {
        OmniSync::with_options(rules, None)
    }

    /// Admits and decides one event (`stamped`: its own time, else now), keeps the
    /// decision among the recent ones and returns what its JavaScript result needs;
    /// `explained`: with the compact trace and the function that reads it. The state is
    /// borrowed for Rust work only: the JavaScript result is built after, with nothing
    /// borrowed, so a call cut off by an exhausted stack in JavaScript leaves nothing held.
    fn decide(
        &self,
        event: &Event,
        stamped: Option<u64>,
        explained: bool,
    ) -> Result<Made, JsValue> {
        let now = js_sys::Date::now() as u64;
        let mut class = self.enter_mut()?;
        class.engine.admit(event).map_err(Thrown::from)?;
        let (at, late) = omnisync::sync::taken_at(event, stamped.unwrap_or(now), now);
        let (mut decision, chosen) = class.engine.handle_chosen(event, at);
        decision.trace.notes.extend(late);
        let made = class.made(&decision, &chosen, explained);
        if class.recent.len() == RECENT {
            class.recent.pop_front();
        }
        class.recent.push_back(decision);
        Ok(made)
    }

    /// An event read from its fields by the entry point of its kind (`events.rs`):
    /// decided as `handle` decides, answered with `undefined` when there is no action,
    /// else the actions (shared frozen objects).
    pub(crate) fn take_event(&self, fields: &impl Node) -> Result<JsValue, JsValue> {
        let event = Event::read(fields).map_err(Thrown::from)?;
        let stamped = event_time(fields).map_err(Thrown::from)?;
        let made = self.decide(&event, stamped, false)?;
        if made.actions.is_empty() {
            return Ok(JsValue::UNDEFINED);
        }
        let actions = Array::new();
        for (chosen, action) in made.actions {
            let action = self.action_object(chosen, action)?;
            actions.push(&action);
        }
        Ok(actions.into())
    }

    /// The state to read, after making sure the stack has room for the call.
    fn enter(&self) -> Result<Ref<'_, Class>, JsValue> {
        headroom();
        self.inner.try_borrow().map_err(|_| engine_busy())
    }

    /// The state to change, after making sure the stack has room for the call.
    fn enter_mut(&self) -> Result<RefMut<'_, Class>, JsValue> {
        headroom();
        self.inner.try_borrow_mut().map_err(|_| engine_busy())
    }
}

/// What a decision leaves for its JavaScript result, taken while the state is
/// borrowed: the actions' cached objects (or what to make them from) and, for
/// `handle`, the compact trace's bytes and the function that explains it (or the rules
/// to make one for).
struct Made {
    actions: Vec<(Chosen, Result<Object, Action>)>,
    explained: Option<Explained>,
}

struct Explained {
    bytes: Vec<u8>,
    explain: Result<Function, Arc<CompiledRules>>,
}

impl Class {
    fn made(&self, decision: &Decision, chosen: &[Chosen], explained: bool) -> Made {
        let cached = |c: Chosen| {
            self.actions
                .get(c.rule)
                .and_then(|row| row.get(c.target))
                .and_then(Option::clone)
        };
        Made {
            actions: chosen
                .iter()
                .map(|&c| (c, cached(c).ok_or_else(|| self.engine.rules().action(c))))
                .collect(),
            explained: explained.then(|| Explained {
                bytes: decision.trace.to_bytes(),
                explain: self
                    .explain
                    .clone()
                    .ok_or_else(|| self.engine.shared_rules()),
            }),
        }
    }

    /// Keeps what a call made for later calls.
    fn keep(&mut self, chosen: Chosen, action: &Object) {
        let Chosen { rule, target } = chosen;
        if self.actions.len() <= rule {
            self.actions.resize(rule + 1, Vec::new());
        }
        let row = &mut self.actions[rule];
        if row.len() <= target {
            row.resize(target + 1, None);
        }
        row[target] = Some(action.clone());
    }
}

impl OmniSync {
    /// A decision's action as a frozen object (`Action` as serde writes it), made once
    /// per rule target and kept when the state is free to take it.
    fn action_object(
        &self,
        chosen: Chosen,
        action: Result<Object, Action>,
    ) -> Result<Object, JsValue> {
        match action {
            Ok(action) => Ok(action),
            Err(action) => {
                let made: Object = to_js(&action)?.unchecked_into();
                let made = Object::freeze(&made);
                if let Ok(mut class) = self.inner.try_borrow_mut() {
                    class.keep(chosen, &made);
                }
                Ok(made)
            }
        }
    }

    /// `{actions, trace}`: the actions as fresh objects, `trace` the `explain` function
    /// bound to the compact trace's bytes (a `Uint8Array` the garbage collector frees
    /// with the decision), which is also its own `toJSON`. The function made here is
    /// kept for later calls when the state is free to take it.
    fn decision_to_js(&self, made: Made) -> Result<JsValue, JsValue> {
        let object = Object::new();
        let actions = js_sys::Array::new();
        for (chosen, action) in made.actions {
            let action = self.action_object(chosen, action)?;
            // A fresh object each time: a caller changing one decision's action does
            // not change the next one's.
            actions.push(&Object::assign(&Object::new(), &action));
        }
        put(&object, "actions", &actions);
        let Some(Explained { bytes, explain }) = made.explained else {
            return Ok(object.into());
        };
        let bytes = Uint8Array::from(&bytes[..]);
        let explain = explain.unwrap_or_else(|rules| {
            let explain = explainer(rules);
            if let Ok(mut class) = self.inner.try_borrow_mut() {
                class.explain = Some(explain.clone());
            }
            explain
        });
        let trace = explain.bind1(&JsValue::NULL, &bytes);
        put(&trace, "toJSON", &trace);
        put(&object, "trace", &trace);
        Ok(object.into())
    }
}

/// The function behind `trace` for the engine's current rules: reads the bytes back
/// and builds the full trace (as JSON text parsed by the JS engine: for a trace of
/// every rule with its checks that was measured faster than serde-wasm-bindgen, see
/// docs/performance.md).
fn explainer(rules: Arc<CompiledRules>) -> Function {
    let explain =
        Closure::<dyn Fn(Uint8Array) -> Result<JsValue, JsValue>>::new(move |bytes: Uint8Array| {
            match Trace::from_bytes(&bytes.to_vec(), Arc::clone(&rules)) {
                Some(trace) => to_js(&trace),
                None => Err(Thrown::new("trace.unreadable", "this trace cannot be read").into()),
            }
        });
    // Freed by the garbage collector once no decision refers to it.
    explain.into_js_value().unchecked_into()
}
