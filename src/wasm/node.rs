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

fn key_string(key: &'static str) -> JsValue {
    KEYS.with_borrow_mut(|keys| {
        if let Some((_, js)) = keys.iter().find(|(k, _)| std::ptr::eq(*k, key)) {
            return js.clone();
        }
        let js = JsValue::from_str(key);
        keys.push((key, js.clone()));
        js
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
        if !self.is_object() {
            return None;
        }
        Reflect::get(self, &key_string(key))
            .ok()
            .filter(|v| !v.is_undefined())
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
