//! JavaScript values read as document nodes, so events and rules given as plain
//! objects are read where they are, without a round trip through JSON text.

use crate::node::{Node, Shape};
use js_sys::{Array, Object, Reflect, JSON};
use wasm_bindgen::{JsCast, JsValue};

thread_local! {
    /// The JavaScript strings of the keys read so far. Keys are the readers' literals,
    /// so this stays small, and a key is not decoded from UTF-8 on every read.
    static KEYS: std::cell::RefCell<Vec<(&'static str, JsValue)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// `Reflect.get(object, key)` with the key's cached JavaScript string (borrowed, not
/// cloned: a clone of a `JsValue` is a call into JavaScript too).
fn reflect_get(object: &JsValue, key: &'static str) -> Result<JsValue, JsValue> {
    KEYS.with_borrow_mut(|keys| {
        let index = match keys.iter().position(|(k, _)| std::ptr::eq(*k, key)) {
            Some(index) => index,
            None => {
                keys.push((key, JsValue::from_str(key)));
                keys.len() - 1
            }
        };
        Reflect::get(object, &keys[index].1)
    })
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
        // Reflect.get throws on anything but an object: that is the "not an object".
        reflect_get(self, key).ok().filter(|v| !v.is_undefined())
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
}
