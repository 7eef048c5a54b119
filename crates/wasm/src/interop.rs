//! Converting values between JavaScript and Rust, for every class of the binding:
//! reading arguments and options (times, counts, rules, the catalog, the context, an
//! event, under a catch: `node.rs`), writing
//! outputs ([`to_js`]: JSON text written by serde_json and parsed by the JS engine),
//! the stack check every call makes first ([`headroom`]) and a delay as a timer takes
//! it ([`timer_ms`]). What fails becomes a [`Thrown`] (`errors.rs`).

use crate::errors::Thrown;
use crate::fields::Fields;
use crate::node::{self, key, Js};
use js_sys::{Array, Object, Reflect};
use omnisync::engine::{AgentContext, Engine};
use omnisync::error::{Error, Finding};
use omnisync::event::{event_time, Event};
use omnisync::node::{typed, Node};
use omnisync::rules::{Catalog, CompiledRules};
use omnisync::sync::SyncLoop;
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `object[key] = value` on an object this module has just made. No try/catch
    /// wrapper (which `Reflect.set` is called through, at a fifth of `handle`'s time):
    /// an assignment to a fresh object or function does not throw, as long as nobody
    /// has put a throwing setter on `Object.prototype`.
    #[wasm_bindgen(extends = Object)]
    type Fresh;
    #[wasm_bindgen(method, structural, indexing_setter)]
    fn put(this: &Fresh, key: &JsValue, value: &JsValue);
}

/// `object[key] = value` on an object or function this module has just made.
pub(crate) fn put(object: &JsValue, name: &'static str, value: &JsValue) {
    object.unchecked_ref::<Fresh>().put(&key(name), value);
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

/// Makes sure the stack has room for a whole call before any state is borrowed: a
/// call made with the stack nearly exhausted (deep in a host's recursion) fails here,
/// with the JavaScript engine's `RangeError`, having touched nothing, instead of half
/// way through with the state borrowed for ever. The depth covers the deepest call
/// measured (www/test/reentrancy.test.mjs) with room to spare.
pub(crate) fn headroom() {
    use std::hint::black_box;
    #[inline(never)]
    fn dig(n: u32, x: u64) -> u64 {
        if n == 0 {
            return x;
        }
        let v = [0u64; 12].map(|_| black_box(x));
        let r = dig(black_box(n - 1), v[0]);
        v.iter().fold(r, |a, b| a ^ b)
    }
    black_box(dig(HEADROOM_FRAMES, 1));
}

/// The frames [`headroom`] goes down: enough that a call cut off by the stack is
/// nearly always cut off here, cheap enough for every call (measured in
/// docs/runtime.md, "Re-entrancy and the stack").
const HEADROOM_FRAMES: u32 = 32;

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
pub(crate) fn read_event(event: JsValue) -> Result<(Event, u64), Thrown> {
    let (event, at) = read_stamped(event)?;
    Ok((event, at.unwrap_or_else(|| js_sys::Date::now() as u64)))
}

/// [`read_event`] with the event's own `at`, if it has one. Takes the event as the
/// caller was given it: wrapping it for the reader copies no reference.
pub(crate) fn read_stamped(event: JsValue) -> Result<(Event, Option<u64>), Thrown> {
    let event = match event.as_string() {
        Some(text) => Js::parse(&text).map_err(|why| {
            Error::InvalidEvent(Finding::new(
                "event.notAnObject",
                "$",
                format!("the event could not be read: {why}"),
            ))
        })?,
        None => Js(event),
    };
    let event = Fields::Value(event);
    let parsed = Event::read(&event)?;
    let at = event_time(&event)?;
    Ok((parsed, at))
}

/// The loop `new SyncLoop(rules, options)` and `new Tab(rules, options)` build: the
/// rules compiled against `options.catalog`, `options.context` set, seeded by
/// `options.seed`.
pub(crate) fn new_loop(rules: &JsValue, options: &JsValue) -> Result<SyncLoop, JsValue> {
    let catalog = read_catalog(options)?;
    let mut engine = Engine::new(compile_value(&read_rules(rules)?, catalog.as_ref())?);
    if let Some(context) = read_context(options)? {
        engine.set_context(context);
    }
    let mut sync = SyncLoop::new(engine);
    if let Some(seed) = count_arg(&option(options, "seed"), "options.seed")? {
        sync.seed(seed);
    }
    Ok(sync)
}

/// Compiles rules, resolving their status names against the org's catalog if given.
pub(crate) fn compile(rules: &JsValue, catalog: Option<&Catalog>) -> Result<CompiledRules, Thrown> {
    compile_value(&read_rules(rules)?, catalog)
}

/// Reads rules (JSON text or plain data) into a JSON value.
pub(crate) fn read_rules(rules: &JsValue) -> Result<serde_json::Value, Thrown> {
    json_value(rules, "rules.syntax", "the rules")
        .map_err(|finding| Error::InvalidRules(vec![finding]).into())
}

/// [`compile`] on rules already read: Rust only.
pub(crate) fn compile_value(
    value: &serde_json::Value,
    catalog: Option<&Catalog>,
) -> Result<CompiledRules, Thrown> {
    let compiled = match catalog {
        Some(catalog) => CompiledRules::from_value_with_catalog(value, catalog),
        None => CompiledRules::from_value(value),
    };
    Ok(compiled?)
}

/// The `catalog` option of `options` (undefined or null: none).
pub(crate) fn read_catalog(options: &JsValue) -> Result<Option<Catalog>, Thrown> {
    catalog_from(&option(options, "catalog"))
}

/// A catalog option's value (undefined or null: none).
pub(crate) fn catalog_from(catalog: &JsValue) -> Result<Option<Catalog>, Thrown> {
    if catalog.is_undefined() || catalog.is_null() {
        return Ok(None);
    }
    let value = json_value(catalog, "catalog.invalid", "the status catalog")
        .map_err(|finding| Error::InvalidCatalog(vec![finding]))?;
    Ok(Some(Catalog::from_value(&value)?))
}

/// The `context` option of `options`: `{userId?, profileId?, teams?}` (undefined or
/// null: none). Anything else is refused (`context.invalid`, the path of the field in
/// the finding): a context silently dropped would leave scoped rules never matching.
pub(crate) fn read_context(options: &JsValue) -> Result<Option<AgentContext>, Thrown> {
    context_from(&option(options, "context"))
}

/// A context option's value (undefined or null: none).
pub(crate) fn context_from(context: &JsValue) -> Result<Option<AgentContext>, Thrown> {
    if context.is_undefined() || context.is_null() {
        return Ok(None);
    }
    let value = node::plain(context)
        .and_then(node::to_json)
        .map_err(|why| context_refused("$", &format!("it could not be read: {why}")))?;
    typed(&value)
        .map(Some)
        .map_err(|(path, why)| context_refused(&path, &why))
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

/// JSON text (a saved session) read by the JS engine's parser into a JSON value.
pub(crate) fn text_json(text: &str) -> Option<serde_json::Value> {
    json_value(&JsValue::from_str(text), "json.invalid", "the text").ok()
}

/// JSON text written while the state was borrowed, parsed once it no longer is.
pub(crate) fn parse_json(text: serde_json::Result<String>) -> Result<JsValue, JsValue> {
    let text = text.map_err(|_| Thrown::new("output.failed", "a result could not be written"))?;
    js_sys::JSON::parse(&text)
}

/// A Rust value as a plain JavaScript value: JSON text written by serde_json (which
/// the bundle carries for the saved session and the trace anyway) and parsed by the JS
/// engine. serde-wasm-bindgen's serialiser was measured against it: slower for a full
/// trace and 3.7 kB more in the bundle (docs/performance.md), so outputs stay JSON.
pub(crate) fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    parse_json(serde_json::to_string(value))
}

/// A list of names as a JavaScript array of strings.
pub(crate) fn names(list: &[&str]) -> Array {
    list.iter().map(|name| JsValue::from_str(name)).collect()
}
