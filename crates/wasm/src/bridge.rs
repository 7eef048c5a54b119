//! Calling the JavaScript bridges: every method may return a value or a promise, may
//! throw or reject; all of it becomes a `Result` here so nothing panics across the
//! boundary.

use crate::errors::Thrown;
use js_sys::{Array, Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Calls `object[method](...args)` now (so the command reaches the bridge before
/// anything else is set up) and returns its answer, value or promise, as a future.
pub(crate) fn start(object: &JsValue, method: &str, args: &[JsValue]) -> Result<JsFuture, JsValue> {
    // typeof, not instanceof: a Proxy's getPrototypeOf trap could throw there.
    let function = Some(Reflect::get(object, &JsValue::from_str(method))?)
        .filter(JsValue::is_function)
        .map(JsValue::unchecked_into::<Function>)
        .ok_or_else(|| Thrown::new("bridge.noMethod", "the bridge lacks the method"))?;
    let list: Array = args.iter().collect();
    let returned = function.apply(object, &list)?;
    Ok(JsFuture::from(Promise::resolve(&returned)))
}

/// The `code` of a rejection (`connection` makes the runtime log the agent back in),
/// or a generic one.
pub(crate) fn error_code(error: &JsValue) -> String {
    Reflect::get(error, &JsValue::from_str("code"))
        .ok()
        .and_then(|c| c.as_string())
        .unwrap_or_else(|| "rejected".to_string())
}

/// A string property of a plain object, if present.
pub(crate) fn text(object: &JsValue, key: &str) -> Option<String> {
    Reflect::get(object, &JsValue::from_str(key))
        .ok()
        .and_then(|v| v.as_string())
}
