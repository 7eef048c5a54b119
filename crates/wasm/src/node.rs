//! Reading JavaScript values without letting a JavaScript exception into Rust.
//!
//! A JavaScript exception thrown inside a call that wasm-bindgen does not catch
//! unwinds through the wasm frames without running their destructors: a `RefCell`
//! stays borrowed, the instance answers "recursive use of an object" for ever after.
//! So every read of a value the page hands us goes through a catching call here, and
//! what a throwing getter or Proxy does becomes an error of the one call.
//!
//! Two ways in:
//! - events, per call and hot: read where they are through [`Node`] (a few catching
//!   `Reflect.get`s for the fields the event type has), no copy;
//! - rules given as objects, the context, the start options and the saved session,
//!   once: copied to plain data first by a catching `structuredClone` (or `JSON.parse`
//!   for text), which runs any getter and Proxy trap under a catch, then walked into a
//!   JSON value ([`to_json`]), which serde reads as it reads the rules file natively.

use js_sys::{Array, Reflect, JSON};
use omnisync::node::{Node, Shape};
use serde_json::{Map, Value};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// A plain-data copy: getters run and Proxies are read here, under a catch.
    #[wasm_bindgen(catch, js_name = structuredClone)]
    fn structured_clone(value: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_namespace = Array, js_name = isArray)]
    fn is_array(value: &JsValue) -> Result<bool, JsValue>;
    /// A real array of the elements: a Proxy's traps run here, under a catch.
    #[wasm_bindgen(catch, js_namespace = Array, js_name = from)]
    fn array_from(value: &JsValue) -> Result<Array, JsValue>;
    #[wasm_bindgen(catch, js_namespace = Object, js_name = keys)]
    fn object_keys(value: &JsValue) -> Result<Array, JsValue>;
}

/// What `get` returns for a property whose read threw: a symbol (no JSON value is one),
/// which [`Node::shape`] reports as [`Shape::Unreadable`].
fn unreadable() -> JsValue {
    JsValue::symbol(Some("omnisync.unreadable"))
}

/// A JavaScript value as the core's readers see a JSON document ([`Node`]).
#[derive(Clone)]
pub(crate) struct Js(pub(crate) JsValue);

impl Node for Js {
    fn shape(&self) -> Shape<Self> {
        let value = &self.0;
        if let Some(text) = value.as_string() {
            Shape::Text(text)
        } else if let Some(n) = value.as_f64() {
            Shape::Number(n)
        } else if let Some(b) = value.as_bool() {
            Shape::Bool(b)
        } else if value.is_symbol() {
            Shape::Unreadable
        } else if !value.is_object() {
            // undefined and functions: what JSON.stringify would leave out.
            Shape::Null
        } else {
            match is_array(value) {
                Ok(false) => Shape::Object,
                Ok(true) => match array_from(value) {
                    // Elements of a fresh array are data properties: reading them
                    // cannot throw.
                    Ok(items) => Shape::List(items.iter().map(Js).collect()),
                    Err(_) => Shape::Unreadable,
                },
                Err(_) => Shape::Unreadable,
            }
        }
    }

    fn get(&self, key: &'static str) -> Option<Self> {
        if !self.0.is_object() {
            return None;
        }
        match Reflect::get(&self.0, &self::key(key)) {
            Ok(value) => (!value.is_undefined()).then_some(Js(value)),
            Err(_) => Some(Js(unreadable())),
        }
    }

    fn keys(&self) -> Vec<String> {
        if !Node::is_object(self) {
            return Vec::new();
        }
        object_keys(&self.0)
            .map(|keys| keys.iter().filter_map(|k| k.as_string()).collect())
            .unwrap_or_default()
    }

    fn parse(text: &str) -> Result<Self, String> {
        JSON::parse(text)
            .map(Js)
            .map_err(|e| message(&e).unwrap_or_else(|| "not valid JSON".into()))
    }

    fn number(&self) -> Option<f64> {
        number_of(&self.0)
    }

    fn text(&self) -> Option<String> {
        self.0.as_string()
    }

    fn text_units(&self) -> Option<usize> {
        text_units_of(&self.0)
    }

    fn is_object(&self) -> bool {
        self.0.is_object() && is_array(&self.0) == Ok(false)
    }
}

/// A finite number, as [`Node::number`] reads one: for a value borrowed where it is.
pub(crate) fn number_of(value: &JsValue) -> Option<f64> {
    value.as_f64().filter(|n| n.is_finite())
}

/// A string's length in UTF-16 units, as [`Node::text_units`] reads it.
pub(crate) fn text_units_of(value: &JsValue) -> Option<usize> {
    value
        .dyn_ref::<js_sys::JsString>()
        .map(|s| s.length() as usize)
}

/// The message of a thrown `Error`, if it is one (read under a catch too).
pub(crate) fn message(error: &JsValue) -> Option<String> {
    Reflect::get(error, &JsValue::from_str("message"))
        .ok()
        .and_then(|m| m.as_string())
}

/// JSON text, or any other value, as plain data: text is parsed by `JSON.parse`,
/// anything else copied by `structuredClone` (a function, a symbol or a DOM object in
/// it is refused; a getter or Proxy that throws is an error here, not in Rust).
pub(crate) fn plain(value: &JsValue) -> Result<JsValue, String> {
    let copied = match value.as_string() {
        Some(text) => JSON::parse(&text),
        None => structured_clone(value),
    };
    copied.map_err(|e| message(&e).unwrap_or_else(|| "it is not plain data".into()))
}

/// How deep [`to_json`] follows arrays and objects: the limit serde_json's own parser
/// has, so a value too deep for the native CLI is refused here too, and a cycle (which
/// `structuredClone` keeps) ends here instead of in a stack overflow.
const MAX_DEPTH: usize = 128;

/// Plain data (from [`plain`]) as a JSON value. Whole numbers become integers, as the
/// JSON text `5` would parse in serde_json (so a field typed `u32` accepts it); a
/// number that is not finite, a BigInt and nesting deeper than [`MAX_DEPTH`] are
/// refused.
pub(crate) fn to_json(value: JsValue) -> Result<Value, String> {
    json_at(&Js(value), 0)
}

/// The largest magnitude below which every whole `f64` is exactly an integer.
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

fn json_at(value: &Js, depth: usize) -> Result<Value, String> {
    if depth > MAX_DEPTH {
        return Err(format!("nested more than {MAX_DEPTH} deep"));
    }
    if value.0.is_bigint() {
        // JSON has no BigInt; read as null it would silently drop the value.
        return Err("a BigInt is not a JSON number".into());
    }
    Ok(match value.shape() {
        Shape::Null => Value::Null,
        Shape::Bool(b) => Value::Bool(b),
        Shape::Text(text) => Value::String(text),
        Shape::Number(n) if n.fract() == 0.0 && n.abs() <= MAX_SAFE_INTEGER => match n < 0.0 {
            true => Value::from(n as i64),
            false => Value::from(n as u64),
        },
        Shape::Number(n) => serde_json::Number::from_f64(n)
            .map(Value::Number)
            .ok_or("a number is not finite")?,
        Shape::List(items) => Value::Array(
            (items.iter())
                .map(|item| json_at(item, depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        Shape::Object => {
            let mut map = Map::new();
            for key in value.keys() {
                // A plain copy's properties are data properties: reading cannot throw.
                let field = Reflect::get(&value.0, &JsValue::from_str(&key)).unwrap_or_default();
                map.insert(key, json_at(&Js(field), depth + 1)?);
            }
            Value::Object(map)
        }
        Shape::Unreadable => return Err("a value could not be read".into()),
    })
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
