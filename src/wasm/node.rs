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
//! - rules given as objects, the context and the saved session, once: copied to plain
//!   data first by a catching `structuredClone` (or `JSON.parse` for text), which runs
//!   any getter and Proxy trap under a catch, then converted by serde-wasm-bindgen,
//!   which reads without catching and so only ever sees plain data.

use crate::node::{Node, Shape};
use js_sys::{Array, Reflect, JSON};
use serde::de::{self, DeserializeOwned, DeserializeSeed, Deserializer, Visitor};
use serde_json::Value;
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

impl Node for JsValue {
    fn shape(&self) -> Shape<Self> {
        if let Some(text) = self.as_string() {
            Shape::Text(text)
        } else if let Some(n) = self.as_f64() {
            Shape::Number(n)
        } else if let Some(b) = self.as_bool() {
            Shape::Bool(b)
        } else if self.is_symbol() {
            Shape::Unreadable
        } else if !self.is_object() {
            // undefined and functions: what JSON.stringify would leave out.
            Shape::Null
        } else {
            match is_array(self) {
                Ok(false) => Shape::Object,
                Ok(true) => match array_from(self) {
                    // Elements of a fresh array are data properties: reading them
                    // cannot throw.
                    Ok(items) => Shape::List(items.iter().collect()),
                    Err(_) => Shape::Unreadable,
                },
                Err(_) => Shape::Unreadable,
            }
        }
    }

    fn get(&self, key: &'static str) -> Option<Self> {
        if !JsValue::is_object(self) {
            return None;
        }
        match Reflect::get(self, &self::key(key)) {
            Ok(value) => (!value.is_undefined()).then_some(value),
            Err(_) => Some(unreadable()),
        }
    }

    fn keys(&self) -> Vec<String> {
        if !Node::is_object(self) {
            return Vec::new();
        }
        object_keys(self)
            .map(|keys| keys.iter().filter_map(|k| k.as_string()).collect())
            .unwrap_or_default()
    }

    fn parse(text: &str) -> Result<Self, String> {
        JSON::parse(text).map_err(|e| message(&e).unwrap_or_else(|| "not valid JSON".into()))
    }

    fn number(&self) -> Option<f64> {
        self.as_f64().filter(|n| n.is_finite())
    }

    fn text(&self) -> Option<String> {
        self.as_string()
    }

    fn text_units(&self) -> Option<usize> {
        self.dyn_ref::<js_sys::JsString>()
            .map(|s| s.length() as usize)
    }

    fn is_object(&self) -> bool {
        JsValue::is_object(self) && is_array(self) == Ok(false)
    }
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

/// Plain data (from [`plain`]) as a JSON value, by serde-wasm-bindgen. Whole numbers
/// become integers, as the JSON text `5` would parse in serde_json (so a field typed
/// `u32` accepts it); a number that is not finite is refused.
pub(crate) fn to_json(value: JsValue) -> Result<Value, String> {
    Depth(0)
        .deserialize(serde_wasm_bindgen::Deserializer::from(value))
        .map_err(|e| e.to_string())
}

/// Plain data (from [`plain`]) as `T`, by serde-wasm-bindgen; the error names the path
/// of the field (`teams[1]`), as serde_path_to_error reports it.
pub(crate) fn from_plain<T: DeserializeOwned>(value: JsValue) -> Result<T, (String, String)> {
    serde_path_to_error::deserialize(serde_wasm_bindgen::Deserializer::from(value))
        .map_err(|e| (e.path().to_string(), e.inner().to_string()))
}

/// A JSON value at a depth: refuses nesting deeper than [`MAX_DEPTH`].
struct Depth(usize);

impl<'de> DeserializeSeed<'de> for Depth {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        if self.0 > MAX_DEPTH {
            return Err(de::Error::custom(format!(
                "nested more than {MAX_DEPTH} deep"
            )));
        }
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Depth {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("JSON data")
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Value, E> {
        Ok(n.into())
    }

    fn visit_u64<E>(self, n: u64) -> Result<Value, E> {
        Ok(n.into())
    }

    fn visit_f64<E: de::Error>(self, n: f64) -> Result<Value, E> {
        serde_json::Number::from_f64(n)
            .map(Value::Number)
            .ok_or_else(|| E::custom(format!("{n} is not a finite number")))
    }

    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.to_string()))
    }

    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(s))
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(Depth(self.0 + 1))? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value_seed(Depth(self.0 + 1))?;
            out.insert(key, value);
        }
        Ok(Value::Object(out))
    }
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
