//! The JavaScript-facing class. Values cross the boundary as JSON (parsed and
//! stringified by the JS engine itself), which keeps the bundle small; errors cross as
//! real `Error` objects with a stable `code` and a `details` list. Nothing here panics
//! on input: every failure becomes an `Error`.

use crate::engine::{Action, Chosen, Engine};
use crate::error::{Error, Finding};
use crate::event::{event_time, Event};
use crate::node::Node;
use crate::rules::{Catalog, CompiledRules};
use js_sys::{Reflect, JSON};
use node::PlainData;
use serde::Serialize;
use wasm_bindgen::prelude::*;

mod bridge;
mod effects;
mod node;
mod runtime;
mod sync_loop;
mod tabs;

pub use runtime::Runtime;
pub use sync_loop::SyncLoopHandle;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** One problem in a rules file or an event. */
export interface Finding { code: string; path: string; message: string }
/** The Error thrown by every OmniSync method. */
export interface OmniSyncError extends Error { code: string; details: Finding[] }
export type Action =
  | { type: "setOmniStatus"; statusId: string; developerName: string; rule: string }
  | { type: "setTelephonyState"; state: string; rule: string };
export interface Check { left: string; value: unknown; op: string; rightOperand?: string; right: unknown; result: boolean }
export interface RuleTrace { rule: string; matched: boolean; outcome: "emitted" | "alreadyInState" | "superseded" | "notMatched" | "outOfScope"; checks: Check[] }
export interface Trace { event: string; at: number; rules: RuleTrace[]; notes: string[] }
export interface Decision { actions: Action[]; trace: Trace }
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

/// The presence-sync engine for one agent, as JavaScript sees it.
#[wasm_bindgen]
pub struct OmniSync {
    engine: Engine,
    /// Each rule target's action as a frozen one-element array, made on first use:
    /// `decide` returns the same array every time that target alone acts.
    action_lists: Vec<Vec<Option<js_sys::Array>>>,
    /// What `decide` returns when nothing is to be done: one frozen empty array.
    no_actions: js_sys::Array,
    /// The org's statuses, for `loadRules` to resolve names as the constructor did.
    catalog: Option<Catalog>,
}

#[wasm_bindgen]
impl OmniSync {
    /// Builds an engine from rules given as JSON text or as a plain object, and
    /// `{catalog}`: the org's ServicePresenceStatus records (`Id`, `DeveloperName`,
    /// `MasterLabel`), which give the statuses named in the rules this org's Ids.
    /// Throws an `Error` with `code: "rules.invalid"`, `"rules.unknownStatus"` (a
    /// status the org lacks) or `"catalog.invalid"`, and every problem in `details`.
    #[wasm_bindgen(constructor)]
    pub fn with_options(
        #[wasm_bindgen(unchecked_param_type = "string | object")] rules: JsValue,
        #[wasm_bindgen(unchecked_param_type = "{ catalog?: object[] | object }")] options: Option<
            JsValue,
        >,
    ) -> Result<OmniSync, JsValue> {
        #[cfg(feature = "console_error_panic_hook")]
        console_error_panic_hook::set_once();
        let catalog = read_catalog(&options.unwrap_or(JsValue::UNDEFINED))?;
        let rules = compile(&rules, catalog.as_ref())?;
        Ok(OmniSync {
            engine: Engine::new(rules),
            action_lists: Vec::new(),
            no_actions: frozen(js_sys::Array::new()),
            catalog,
        })
    }

    /// What the engine accepted but an admin should know: an Id in the rules the
    /// org's catalog overrode (`rules.statusIdMismatch`).
    #[wasm_bindgen(unchecked_return_type = "Finding[]")]
    pub fn warnings(&self) -> Result<JsValue, JsValue> {
        to_js(self.engine.rules().warnings.as_slice())
    }

    /// Applies one event (`at` in ms, or now) and returns `{actions, trace}`. A
    /// malformed event throws and changes nothing.
    #[wasm_bindgen(unchecked_return_type = "Decision")]
    pub fn handle(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "OmniSyncEvent | string")] event: JsValue,
    ) -> Result<JsValue, JsValue> {
        let (event, now) = read_event(&event)?;
        to_js(&self.engine.handle(&event, now))
    }

    /// The fast path of `handle`: the same actions, without building the trace. The
    /// event is read as plain data (its properties are not expected to throw). The
    /// result is frozen and shared between calls (the same array each time the same
    /// rule target acts alone), so deciding allocates nothing in JavaScript.
    #[wasm_bindgen(unchecked_return_type = "readonly Action[]")]
    pub fn decide(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "OmniSyncEvent | string")] event: JsValue,
    ) -> Result<JsValue, JsValue> {
        let (event, now) = read_event_as::<PlainData>(event)?;
        let chosen = self.engine.handle_quiet(&event, now);
        Ok(match chosen[..] {
            [] => self.no_actions.clone().into(),
            [one] => self.action_list(one).into(),
            _ => {
                let all: js_sys::Array = chosen
                    .into_iter()
                    .map(|c| self.action_list(c).get(0))
                    .collect();
                frozen(all).into()
            }
        })
    }

    /// What the engine knows about the agent.
    #[wasm_bindgen(unchecked_return_type = "AgentState")]
    pub fn state(&self) -> Result<JsValue, JsValue> {
        to_js(self.engine.state())
    }

    /// The UserServicePresence records, the current one running to `now` (ms; default
    /// the current time).
    #[wasm_bindgen(unchecked_return_type = "Metrics")]
    pub fn metrics(&self, now: Option<f64>) -> Result<JsValue, JsValue> {
        let now = now.unwrap_or_else(js_sys::Date::now).max(0.0) as u64;
        to_js(&self.engine.metrics(now))
    }

    /// Starts the browser runtime (see docs/runtime.md): `{rules, catalog?, host,
    /// telephony, context?, storage?, channel?, reconcileMs?, traceSize?, onUpdate?}`.
    pub fn start(options: JsValue) -> Result<Runtime, JsValue> {
        #[cfg(feature = "console_error_panic_hook")]
        console_error_panic_hook::set_once();
        Runtime::start(&options)
    }

    /// Replaces the rules. When the new rules are refused it throws and the previous
    /// rules stay in force.
    #[wasm_bindgen(js_name = loadRules)]
    pub fn load_rules(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string | object")] rules: JsValue,
    ) -> Result<(), JsValue> {
        let rules = compile(&rules, self.catalog.as_ref())?;
        self.engine.load_rules(rules);
        self.action_lists.clear();
        Ok(())
    }
}

impl OmniSync {
    /// `new OmniSync(rules)` from Rust: no catalog, so every status needs its Id.
    pub fn new(rules: JsValue) -> Result<OmniSync, JsValue> {
        OmniSync::with_options(rules, None)
    }

    /// The frozen `[action]` of one rule target.
    fn action_list(&mut self, chosen: Chosen) -> js_sys::Array {
        let Chosen { rule, target } = chosen;
        if self.action_lists.len() <= rule {
            self.action_lists.resize(rule + 1, Vec::new());
        }
        let row = &mut self.action_lists[rule];
        if row.len() <= target {
            row.resize(target + 1, None);
        }
        let engine = &self.engine;
        row[target]
            .get_or_insert_with(|| {
                let object = action_to_js(&engine.rules().action(chosen));
                js_sys::Object::freeze(object.unchecked_ref::<js_sys::Object>());
                frozen(js_sys::Array::of1(&object))
            })
            .clone()
    }
}

fn frozen(list: js_sys::Array) -> js_sys::Array {
    js_sys::Object::freeze(list.unchecked_ref::<js_sys::Object>());
    list
}

/// Reads an event (JSON text or an object) and its time: `at`, or now.
pub(crate) fn read_event(event: &JsValue) -> Result<(Event, u64), JsValue> {
    read_event_as::<JsValue>(event.clone())
}

/// Reads an event with the reader `N` (see `node.rs` for the two).
fn read_event_as<N: Node + From<JsValue>>(event: JsValue) -> Result<(Event, u64), JsValue> {
    let event = match event.is_string().then(|| event.as_string()).flatten() {
        Some(text) => N::parse(&text).map_err(|why| {
            js_error(&Error::InvalidEvent(Finding::new(
                "event.notAnObject",
                "$",
                format!("the event could not be read: {why}"),
            )))
        })?,
        None => N::from(event),
    };
    let parsed = Event::read(&event).map_err(|e| js_error(&e))?;
    let at = event_time(&event).map_err(|e| js_error(&e))?;
    Ok((parsed, at.unwrap_or_else(|| js_sys::Date::now() as u64)))
}

/// An action as a plain object, built in place: the hot path of `decide` goes through
/// no JSON text.
fn action_to_js(action: &Action) -> JsValue {
    let object = js_sys::Object::new();
    let set = |key: &str, value: &str| {
        // Setting a property on a fresh plain object cannot fail.
        let _ = Reflect::set(&object, &key.into(), &value.into());
    };
    match action {
        Action::SetOmniStatus {
            status_id,
            developer_name,
            rule,
        } => {
            set("type", "setOmniStatus");
            set("statusId", status_id);
            set("developerName", developer_name);
            set("rule", rule);
        }
        Action::SetTelephonyState { state, rule } => {
            set("type", "setTelephonyState");
            set("state", state);
            set("rule", rule);
        }
    }
    object.into()
}

/// Compiles rules, resolving their status names against the org's catalog if given.
pub(crate) fn compile(
    rules: &JsValue,
    catalog: Option<&Catalog>,
) -> Result<CompiledRules, JsValue> {
    let value = json_value(rules, "rules.syntax", "the rules")?;
    match catalog {
        Some(catalog) => CompiledRules::from_value_with_catalog(&value, catalog),
        None => CompiledRules::from_value(&value),
    }
    .map_err(|e| js_error(&e))
}

/// The `catalog` option of `options` (undefined or null: none).
pub(crate) fn read_catalog(options: &JsValue) -> Result<Option<Catalog>, JsValue> {
    let catalog = if options.is_object() {
        Reflect::get(options, &"catalog".into()).unwrap_or(JsValue::UNDEFINED)
    } else {
        JsValue::UNDEFINED
    };
    if catalog.is_undefined() || catalog.is_null() {
        return Ok(None);
    }
    let value = json_value(&catalog, "catalog.invalid", "the status catalog")?;
    Catalog::from_value(&value)
        .map(Some)
        .map_err(|e| js_error(&e))
}

/// Reads a JS value that is either JSON text or a plain object into a JSON value.
pub(crate) fn json_value(
    value: &JsValue,
    code: &'static str,
    what: &str,
) -> Result<serde_json::Value, JsValue> {
    let refuse = |why: String| {
        let finding = Finding::new(code, "$", format!("{what} could not be read: {why}"));
        js_error(&if code.starts_with("rules") {
            Error::InvalidRules(vec![finding])
        } else if code.starts_with("catalog") {
            Error::InvalidCatalog(vec![finding])
        } else {
            Error::InvalidEvent(finding)
        })
    };
    // An object goes through JSON text too, so it means what its JSON would (`toJSON`,
    // no `undefined` or functions) and a cycle is refused, not followed.
    let text = match value.as_string() {
        Some(text) => text,
        None => JSON::stringify(value)
            .ok()
            .and_then(|s| s.as_string())
            .ok_or_else(|| refuse("it is neither JSON text nor a plain object".into()))?,
    };
    node::parse_json(&text).map_err(refuse)
}

pub(crate) fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    let text = serde_json::to_string(value)
        .map_err(|e| JsValue::from(js_sys::Error::new(&e.to_string())))?;
    JSON::parse(&text)
}

/// A real `Error` with `code` and `details: [{code, path, message}]`.
pub(crate) fn js_error(err: &Error) -> JsValue {
    let js = js_sys::Error::new(&err.to_string());
    js.set_name("OmniSyncError");
    let details = serde_json::to_string(err.details())
        .ok()
        .and_then(|text| JSON::parse(&text).ok())
        .unwrap_or_else(|| js_sys::Array::new().into());
    // Setting a property on a fresh Error object cannot fail.
    let _ = Reflect::set(&js, &"code".into(), &err.code().into());
    let _ = Reflect::set(&js, &"details".into(), &details);
    js.into()
}
