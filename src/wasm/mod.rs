//! The JavaScript-facing class. Values cross the boundary through serde-wasm-bindgen
//! (outputs, and inputs once they are plain data) or through the catching event reader
//! of `node.rs`; errors cross as real `Error` objects with a stable `code` and a
//! `details` list. Nothing here panics on input, and no JavaScript exception crosses
//! Rust frames: every failure becomes an `Error` of the one call.

use crate::engine::{Action, AgentContext, Chosen, Decision, Engine, Trace};
use crate::error::{Error, Finding};
use crate::event::{event_time, Event, EventKind};
use crate::node::Node;
use crate::rules::file::builtin_system_states;
use crate::rules::{Catalog, CompiledRules};
use errors::Thrown;
use js_sys::{Array, Function, Object, Reflect, Uint8Array};
use serde::Serialize;
use std::cell::{Ref, RefCell, RefMut};
use std::sync::Arc;
use wasm_bindgen::prelude::*;

// Layout, lowest first (each imports only those above it; no circle):
// - `bridge`: calling a bridge method, its answer as a future;
// - `errors`: what every method throws (`Error` with `code` and `details`);
// - `node`: reading JavaScript values under a catch;
// - `inbox`: the runtime's inputs and its queue (`Shared`, `push`, the pump);
// - `role`: tab leadership as a state (`Role`) and its transitions;
// - `trace`: the runtime's bounded decision trace;
// - `tabs`: the Web Lock and the BroadcastChannel behind the role;
// - `state`: the runtime's state (`Inner`) and what it does with an input;
// - `effects`: carrying out the loop's commands through the bridges;
// - `runtime`: `OmniSync.start` and the exported `Runtime`;
// - `sync_loop`: the exported `SyncLoop`, the loop without the browser.
mod bridge;
mod deadline;
mod effects;
mod errors;
mod inbox;
mod node;
mod role;
mod runtime;
mod state;
mod sync_loop;
mod tabs;
mod trace;

pub use runtime::Runtime;
pub use sync_loop::SyncLoopHandle;

#[wasm_bindgen]
extern "C" {
    /// `object[key] = value` on an object this module has just made. No try/catch
    /// wrapper (which `Reflect.set` is called through, at a fifth of `handle`'s time):
    /// an assignment to a fresh object or function does not throw, as long as nobody
    /// has put a throwing setter on `Object.prototype` (serde-wasm-bindgen's objects
    /// assume the same).
    #[wasm_bindgen(extends = Object)]
    type Fresh;
    #[wasm_bindgen(method, structural, indexing_setter)]
    fn put(this: &Fresh, key: &JsValue, value: &JsValue);
}

/// `object[key] = value` on an object or function this module has just made.
fn put(object: &JsValue, name: &'static str, value: &JsValue) {
    object.unchecked_ref::<Fresh>().put(&key(name), value);
}

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** One problem in a rules file or an event. */
export interface Finding { code: string; path: string; message: string }
/**
 * The Error thrown by every OmniSync method. `code`: "rules.invalid", "rules.unknownStatus",
 * "catalog.invalid", "options.invalid", "context.invalid", "bridge.invalid", "bridge.failed",
 * "runtime.busy", "trace.unreadable", "output.failed" or an "event.*" code (docs/runtime.md,
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
    /// Each rule target's action fields as JavaScript strings, made on first use, so
    /// deciding does not decode the same text into JavaScript for every event.
    actions: Vec<Vec<Option<ActionText>>>,
    /// The org's statuses, for `loadRules` to resolve names as the constructor did.
    catalog: Option<Catalog>,
}

/// An action's fields as JavaScript strings (strings are immutable: sharing is safe).
#[derive(Clone)]
struct ActionText {
    type_name: JsValue,
    fields: Vec<(&'static str, JsValue)>,
}

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
        // Read first, decide with the state borrowed (Rust only), then build the
        // JavaScript result with nothing borrowed: a call cut off by an exhausted stack
        // in JavaScript code leaves nothing held.
        let (event, stamped) = read_stamped(&event)?;
        let now = js_sys::Date::now() as u64;
        let made = {
            let mut class = self.enter_mut()?;
            class.engine.admit(&event)?;
            let (at, late) = crate::sync::taken_at(&event, stamped.unwrap_or(now), now);
            let (mut decision, chosen) = class.engine.handle_chosen(&event, at);
            decision.trace.notes.extend(late);
            class.made(&decision, &chosen)
        };
        self.decision_to_js(made)
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
/// borrowed: the actions' cached texts (or what to make them from), the compact
/// trace's bytes and the function that explains it (or the rules to make one for).
struct Made {
    actions: Vec<(Chosen, Result<ActionText, Action>)>,
    bytes: Vec<u8>,
    explain: Result<Function, Arc<CompiledRules>>,
}

impl Class {
    fn made(&self, decision: &Decision, chosen: &[Chosen]) -> Made {
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
            bytes: decision.trace.to_bytes(),
            explain: self
                .explain
                .clone()
                .ok_or_else(|| self.engine.shared_rules()),
        }
    }

    /// Keeps what a call made for later calls.
    fn keep(&mut self, chosen: Chosen, text: &ActionText) {
        let Chosen { rule, target } = chosen;
        if self.actions.len() <= rule {
            self.actions.resize(rule + 1, Vec::new());
        }
        let row = &mut self.actions[rule];
        if row.len() <= target {
            row.resize(target + 1, None);
        }
        row[target] = Some(text.clone());
    }
}

impl OmniSync {
    /// `{actions, trace}`: the actions as fresh objects, `trace` the `explain` function
    /// bound to the compact trace's bytes (a `Uint8Array` the garbage collector frees
    /// with the decision: nothing stays in wasm memory), which is also its own `toJSON`.
    /// Texts and the function made here are kept for later calls when the state is
    /// free to take them.
    fn decision_to_js(&self, made: Made) -> Result<JsValue, JsValue> {
        let object = Object::new();
        let actions = js_sys::Array::new();
        for (chosen, text) in made.actions {
            let text = text.unwrap_or_else(|action| {
                let text = ActionText::new(action);
                if let Ok(mut class) = self.inner.try_borrow_mut() {
                    class.keep(chosen, &text);
                }
                text
            });
            actions.push(&text.object());
        }
        put(&object, "actions", &actions);
        let bytes = Uint8Array::from(&made.bytes[..]);
        let explain = made.explain.unwrap_or_else(|rules| {
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

impl ActionText {
    fn new(action: Action) -> ActionText {
        ActionText {
            type_name: key(action.type_name()),
            fields: action
                .fields()
                .into_iter()
                .map(|(name, value)| (name, value.into()))
                .collect(),
        }
    }

    /// A fresh action object, as `Action` serialises (`Action::fields`).
    fn object(&self) -> Object {
        let object = Object::new();
        put(&object, "type", &self.type_name);
        for (name, value) in &self.fields {
            put(&object, name, value);
        }
        object
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
                Some(trace) => json_to_js(&trace),
                None => Err(Thrown::new("trace.unreadable", "this trace cannot be read").into()),
            }
        });
    // Freed by the garbage collector once no decision refers to it.
    explain.into_js_value().unchecked_into()
}

/// A time argument in ms: undefined or null for now, else a finite number of at least
/// 0 (anything else, a BigInt included, is `options.invalid` naming the argument).
pub(crate) fn time_arg(ms: &JsValue, name: &str) -> Result<u64, Thrown> {
    time_or(ms, name, || js_sys::Date::now() as u64)
}

/// [`time_arg`] with another default; a fraction of a ms is dropped.
pub(crate) fn time_or(ms: &JsValue, name: &str, absent: impl Fn() -> u64) -> Result<u64, Thrown> {
    if ms.is_undefined() || ms.is_null() {
        return Ok(absent());
    }
    match ms.as_f64() {
        Some(n) if n.is_finite() && n >= 0.0 => Ok(n as u64),
        _ => Err(Thrown::new(
            "options.invalid",
            format!("{name} must be a time in ms: a finite number of at least 0"),
        )),
    }
}

/// A count argument: undefined or null for none, else an integer from 0 to
/// `Number.MAX_SAFE_INTEGER` (no wrapping: -1, Infinity, 1.5, a BigInt or a string
/// are `options.invalid` naming the argument).
pub(crate) fn count_arg(value: &JsValue, name: &str) -> Result<Option<u64>, Thrown> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    const MAX_SAFE: f64 = 9_007_199_254_740_991.0;
    match value.as_f64() {
        // u64, not usize: wasm32's usize would cut a time in ms short.
        Some(n) if n.fract() == 0.0 && (0.0..=MAX_SAFE).contains(&n) => Ok(Some(n as u64)),
        _ => Err(Thrown::new(
            "options.invalid",
            format!(
                "{name} must be a whole number from 0 to {}",
                MAX_SAFE as u64
            ),
        )),
    }
}

/// A numeric option of `options` (docs/runtime.md, "Options"): absent (undefined or
/// null) gives `None`; a finite number is clamped into `min..=max` and made whole;
/// anything else, a BigInt or a numeric string included, is `options.invalid` naming
/// the option.
pub(crate) fn number_option(
    options: &JsValue,
    key: &str,
    min: f64,
    max: f64,
) -> Result<Option<f64>, Thrown> {
    let value = option(options, key);
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    match value.as_f64() {
        // Not f64::clamp: its panic message would bring float formatting into the bundle.
        Some(n) if n.is_finite() => Ok(Some(n.max(min).min(max).trunc())),
        // Integers in the message: formatting a float would add its code to the bundle.
        _ => Err(Thrown::new(
            "options.invalid",
            format!(
                "options.{key} must be a finite number (taken as a whole number from {} to {})",
                min as u64, max as u64
            ),
        )),
    }
}

/// Makes sure the stack has room for a whole call before any state is borrowed: a
/// call made with the stack nearly exhausted (deep in a host's recursion) fails here,
/// with the JavaScript engine's `RangeError`, having touched nothing, instead of half
/// way through with the state borrowed for ever. The depth covers the deepest call
/// measured (www/test/reentrancy.test.mjs) with room to spare.
pub(crate) fn headroom() {
    use std::hint::black_box;
    #[inline(never)]
    fn dig(n: u32) -> u32 {
        if n == 0 {
            return 0;
        }
        black_box(dig(black_box(n - 1))) + 1
    }
    black_box(dig(HEADROOM_FRAMES));
}

/// The frames [`headroom`] goes down: enough that a call cut off by the stack is
/// nearly always cut off here, cheap enough for every call (measured in
/// docs/runtime.md, "Re-entrancy and the stack").
const HEADROOM_FRAMES: u32 = 128;

/// Timers are clamped below 2^31-1 ms: a longer `setTimeout` fires at once.
pub(crate) const MAX_TIMER_MS: u32 = 0x7FFF_FFFE;

/// A delay in ms as a timer takes it: clamped to `0..=MAX_TIMER_MS`.
pub(crate) fn timer_ms(ms: f64) -> u32 {
    if ms.is_nan() {
        return 0;
    }
    ms.max(0.0).min(f64::from(MAX_TIMER_MS)) as u32
}

/// Reads an event (JSON text or an object) and its time: `at`, or now. Every read is
/// a catching call (`node.rs`), and the event is read whole into Rust values before
/// the caller touches any state.
pub(crate) fn read_event(event: &JsValue) -> Result<(Event, u64), Error> {
    let (event, at) = read_stamped(event)?;
    Ok((event, at.unwrap_or_else(|| js_sys::Date::now() as u64)))
}

/// [`read_event`] with the event's own `at`, if it has one.
pub(crate) fn read_stamped(event: &JsValue) -> Result<(Event, Option<u64>), Error> {
    let event = match event.as_string() {
        Some(text) => <JsValue as Node>::parse(&text).map_err(|why| {
            Error::InvalidEvent(Finding::new(
                "event.notAnObject",
                "$",
                format!("the event could not be read: {why}"),
            ))
        })?,
        None => event.clone(),
    };
    let parsed = Event::read(&event)?;
    let at = event_time(&event)?;
    Ok((parsed, at))
}

/// Compiles rules, resolving their status names against the org's catalog if given.
pub(crate) fn compile(rules: &JsValue, catalog: Option<&Catalog>) -> Result<CompiledRules, Error> {
    compile_value(&read_rules(rules)?, catalog)
}

/// Reads rules (JSON text or plain data) into a JSON value.
pub(crate) fn read_rules(rules: &JsValue) -> Result<serde_json::Value, Error> {
    json_value(rules, "rules.syntax", "the rules")
        .map_err(|finding| Error::InvalidRules(vec![finding]))
}

/// [`compile`] on rules already read: Rust only.
pub(crate) fn compile_value(
    value: &serde_json::Value,
    catalog: Option<&Catalog>,
) -> Result<CompiledRules, Error> {
    match catalog {
        Some(catalog) => CompiledRules::from_value_with_catalog(value, catalog),
        None => CompiledRules::from_value(value),
    }
}

/// The `catalog` option of `options` (undefined or null: none).
pub(crate) fn read_catalog(options: &JsValue) -> Result<Option<Catalog>, Error> {
    let catalog = option(options, "catalog");
    if catalog.is_undefined() || catalog.is_null() {
        return Ok(None);
    }
    let value = json_value(&catalog, "catalog.invalid", "the status catalog")
        .map_err(|finding| Error::InvalidCatalog(vec![finding]))?;
    Catalog::from_value(&value).map(Some)
}

/// The `context` option of `options`: `{userId?, profileId?, teams?}` (undefined or
/// null: none). Anything else is refused (`context.invalid`, the path of the field in
/// the finding): a context silently dropped would leave scoped rules never matching.
pub(crate) fn read_context(options: &JsValue) -> Result<Option<AgentContext>, Thrown> {
    let context = option(options, "context");
    if context.is_undefined() || context.is_null() {
        return Ok(None);
    }
    let plain = node::plain(&context)
        .map_err(|why| context_refused("$", &format!("it could not be read: {why}")))?;
    node::from_plain(plain).map(Some).map_err(|(path, why)| {
        let path = if path == "." {
            "$".into()
        } else {
            format!("$.{path}")
        };
        context_refused(&path, &why)
    })
}

fn context_refused(path: &str, why: &str) -> Thrown {
    let message = format!("the context is not valid: {why} at {path}");
    Thrown::with(
        "context.invalid",
        message,
        Finding::new("context.invalid", path, why.to_string()),
    )
}

/// `options[key]`, or undefined when `options` is not an object or the read throws.
pub(crate) fn option(options: &JsValue, key: &str) -> JsValue {
    if !options.is_object() {
        return JsValue::UNDEFINED;
    }
    Reflect::get(options, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// Reads a JS value that is either JSON text or plain data into a JSON value; a
/// refusal is the one finding, with `code`.
pub(crate) fn json_value(
    value: &JsValue,
    code: &'static str,
    what: &str,
) -> Result<serde_json::Value, Finding> {
    node::plain(value)
        .and_then(node::to_json)
        .map_err(|why| Finding::new(code, "$", format!("{what} could not be read: {why}")))
}

/// A JavaScript string for a name the code uses, made once and kept: decoding the
/// same text into JavaScript on every event is most of what reading costs.
pub(crate) fn key(name: &'static str) -> JsValue {
    thread_local! {
        static KEYS: std::cell::RefCell<Vec<(&'static str, JsValue)>> =
            const { std::cell::RefCell::new(Vec::new()) };
    }
    // The borrow covers no call into JavaScript, not even making the string: a call
    // cut off there (an exhausted stack) must not leave the list borrowed.
    let known = KEYS.with_borrow(|keys| {
        keys.iter()
            .find(|(k, _)| std::ptr::eq(*k, name))
            .map(|(_, value)| value.clone())
    });
    known.unwrap_or_else(|| {
        let value = JsValue::from_str(name);
        KEYS.with_borrow_mut(|keys| keys.push((name, value.clone())));
        value
    })
}

/// A Rust value as JSON text parsed by the JS engine.
pub(crate) fn json_to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    parse_json(serde_json::to_string(value))
}

/// JSON text written while the state was borrowed, parsed once it no longer is.
pub(crate) fn parse_json(text: serde_json::Result<String>) -> Result<JsValue, JsValue> {
    let text = text.map_err(|_| Thrown::new("output.failed", "a result could not be written"))?;
    js_sys::JSON::parse(&text)
}

/// A Rust value as a plain JavaScript value: JSON text written by serde_json (which
/// the bundle carries for the saved session and the trace anyway) and parsed by the JS
/// engine. serde-wasm-bindgen's serialiser was measured against it: slower for a full
/// trace and about N kB more in the bundle (docs/performance.md), so outputs stay JSON.
pub(crate) fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    json_to_js(value)
}

/// A list of names as a JavaScript array of strings.
fn names(list: &[&str]) -> Array {
    list.iter().map(|name| JsValue::from_str(name)).collect()
}
