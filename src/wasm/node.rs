//! JavaScript values read as document nodes, so events and rules given as plain
//! objects are read where they are, without a round trip through JSON text.
//!
//! Two readers. [`JsValue`] reads properties with `Reflect.get` behind a try/catch,
//! so an accessor that throws becomes an error like any malformed input. [`PlainData`]
//! is `decide`'s fast path: a bare `object[key]`, for events that are plain data (the
//! shim's host adapters always build a fresh plain object). It is about a fifth faster
//! per event; an accessor that threw there would unwind through the engine.

use crate::node::{Node, Shape};
use js_sys::{Array, Object, Reflect, JSON};
use wasm_bindgen::prelude::*;

thread_local! {
    /// The JavaScript strings of the keys read so far. Keys are the readers' literals,
    /// so this stays small, and a key is not decoded from UTF-8 on every read.
    static KEYS: std::cell::RefCell<Vec<(&'static str, JsValue)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

#[wasm_bindgen]
extern "C" {
    /// An object whose properties are read as plain data.
    #[wasm_bindgen(extends = Object)]
    type Record;

    /// `object[key]`, without the try/catch wrapper (and its argument array) that
    /// `Reflect.get` is called through.
    #[wasm_bindgen(method, structural, indexing_getter)]
    fn property(this: &Record, key: &JsValue) -> JsValue;
}

/// Runs `read` with the key's cached JavaScript string (borrowed, not cloned: a clone
/// of a `JsValue` is a call into JavaScript too).
fn with_key<T>(key: &'static str, read: impl FnOnce(&JsValue) -> T) -> T {
    KEYS.with_borrow_mut(|keys| {
        let index = match keys.iter().position(|(k, _)| std::ptr::eq(*k, key)) {
            Some(index) => index,
            None => {
                keys.push((key, JsValue::from_str(key)));
                keys.len() - 1
            }
        };
        read(&keys[index].1)
    })
}

fn present(value: JsValue) -> Option<JsValue> {
    (!value.is_undefined()).then_some(value)
}

impl Node for JsValue {
    fn shape(&self) -> Shape<Self> {
        if let Some(text) = self.as_string() {
            Shape::Text(text)
        } else if let Some(n) = self.as_f64() {
            Shape::Number(n)
        } else if let Some(b) = self.as_bool() {
            Shape::Bool(b)
        } else if Array::is_array(self) {
            Shape::List(self.unchecked_ref::<Array>().iter().collect())
        } else if self.is_object() {
            Shape::Object
        } else {
            // undefined, functions and symbols: what JSON.stringify would leave out.
            Shape::Null
        }
    }

    fn get(&self, key: &'static str) -> Option<Self> {
        if !JsValue::is_object(self) {
            return None;
        }
        with_key(key, |key| Reflect::get(self, key))
            .ok()
            .and_then(present)
    }

    fn keys(&self) -> Vec<String> {
        if !self.is_object() || Array::is_array(self) {
            return Vec::new();
        }
        Object::keys(self.unchecked_ref::<Object>())
            .iter()
            .filter_map(|k| k.as_string())
            .collect()
    }

    fn parse(text: &str) -> Result<Self, String> {
        JSON::parse(text).map_err(|e| {
            e.dyn_ref::<js_sys::Error>()
                .and_then(|e| e.message().as_string())
                .unwrap_or_else(|| "not valid JSON".into())
        })
    }

    fn number(&self) -> Option<f64> {
        self.as_f64()
    }

    fn text(&self) -> Option<String> {
        self.as_string()
    }

    fn is_object(&self) -> bool {
        JsValue::is_object(self) && !Array::is_array(self)
    }
}

/// A JavaScript value known to be plain data: read with bare property reads.
#[derive(Clone)]
pub struct PlainData(pub JsValue);

impl From<JsValue> for PlainData {
    fn from(value: JsValue) -> Self {
        PlainData(value)
    }
}

impl Node for PlainData {
    fn shape(&self) -> Shape<Self> {
        self.0.shape().map(PlainData)
    }

    fn get(&self, key: &'static str) -> Option<Self> {
        if !JsValue::is_object(&self.0) {
            return None;
        }
        let record = self.0.unchecked_ref::<Record>();
        present(with_key(key, |key| record.property(key))).map(PlainData)
    }

    fn keys(&self) -> Vec<String> {
        self.0.keys()
    }

    fn parse(text: &str) -> Result<Self, String> {
        JsValue::parse(text).map(PlainData)
    }

    fn number(&self) -> Option<f64> {
        self.0.as_f64()
    }

    fn text(&self) -> Option<String> {
        self.0.as_string()
    }

    fn is_object(&self) -> bool {
        Node::is_object(&self.0)
    }
}

/// How deep [`to_json`] follows arrays and objects: the limit serde_json's own parser
/// has, so a value too deep for the native CLI is refused here too.
const MAX_DEPTH: usize = 128;

/// A pure-data JavaScript value (what `JSON.parse` makes) as a JSON value. Rules
/// files, the agent context and the saved session are parsed by the JS engine and
/// converted here, so the bundle carries no JSON text parser of its own.
pub fn to_json(value: &JsValue) -> Result<serde_json::Value, String> {
    walk(value, 0)
}

fn walk(value: &JsValue, depth: usize) -> Result<serde_json::Value, String> {
    use serde_json::Value;
    if depth > MAX_DEPTH {
        return Err(format!("nested more than {MAX_DEPTH} deep"));
    }
    Ok(match value.shape() {
        Shape::Null => Value::Null,
        Shape::Bool(b) => Value::Bool(b),
        Shape::Number(n) => json_number(n),
        Shape::Text(text) => Value::String(text),
        Shape::List(items) => Value::Array(
            items
                .iter()
                .map(|item| walk(item, depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        Shape::Object => {
            let mut map = serde_json::Map::new();
            // Keys are the object's own, not the readers' literals: read with
            // `Reflect.get` directly rather than through `Node::get`.
            for key in value.keys() {
                let item = Reflect::get(value, &JsValue::from_str(&key))
                    .map_err(|_| "a property could not be read")?;
                map.insert(key, walk(&item, depth + 1)?);
            }
            Value::Object(map)
        }
    })
}

/// A whole number becomes an integer, as the JSON text `5` would parse in serde_json
/// (so a field typed `u32` accepts it); anything else a float.
fn json_number(n: f64) -> serde_json::Value {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53: every integer below is exact
    if n.fract() == 0.0 && n.abs() < EXACT {
        if n >= 0.0 {
            (n as u64).into()
        } else {
            (n as i64).into()
        }
    } else {
        serde_json::Number::from_f64(n).map_or(serde_json::Value::Null, Into::into)
    }
}

/// Parses JSON text with the JS engine's parser into a JSON value; the message of its
/// `SyntaxError` when the text is not JSON.
pub fn parse_json(text: &str) -> Result<serde_json::Value, String> {
    to_json(&<JsValue as Node>::parse(text)?)
}
