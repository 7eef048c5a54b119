//! The wasm subject: drives the exported `OmniSync` class exactly as JavaScript does,
//! with plain JS objects in and out.

use crate::common::Subject;
use js_sys::{Reflect, JSON};
use omnisync_wasm::OmniSync;
use serde_json::Value;
use wasm_bindgen::JsValue;

pub struct Wasm(OmniSync);

/// A JSON value as the JS object it stands for.
pub fn js(value: &Value) -> JsValue {
    JSON::parse(&value.to_string()).expect("serde_json output is valid JSON")
}

/// A JS value back as JSON.
pub fn json(value: &JsValue) -> Value {
    let text = JSON::stringify(value)
        .expect("stringify")
        .as_string()
        .unwrap_or_default();
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

pub fn field(err: &JsValue, key: &str) -> Value {
    json(&Reflect::get(err, &key.into()).unwrap_or(JsValue::NULL))
}

impl Subject for Wasm {
    fn load(rules: &Value) -> Result<Self, Vec<(String, String)>> {
        OmniSync::new(js(rules)).map(Wasm).map_err(|err| {
            field(&err, "details")
                .as_array()
                .map(|all| {
                    all.iter()
                        .map(|d| {
                            let s = |k: &str| d[k].as_str().unwrap_or_default().to_string();
                            (s("code"), s("path"))
                        })
                        .collect()
                })
                .unwrap_or_default()
        })
    }

    fn handle(&mut self, event: &Value) -> Result<Value, String> {
        handled(&self.0, event)
    }

    fn state(&self) -> Value {
        self.0.state().map(|s| json(&s)).unwrap_or(Value::Null)
    }

    fn metrics(&self, now: u64) -> Value {
        self.0
            .metrics(JsValue::from_f64(now as f64))
            .map(|m| json(&m))
            .unwrap_or(Value::Null)
    }
}

/// The same class given each event as plain values, as the shim's `feed` gives them
/// (www/events.js): `handleFields(kind, at, ...fields)` with the fields docs/runtime.md
/// lists per kind ("Events as plain values"), the decision read back with `recent(1)`.
pub struct WasmFields(Wasm);

/// The fields each kind's entry takes after `at`, by the kind's place in
/// `OmniSync.eventNames()`: the contract docs/runtime.md states, restated here.
const FIELDS: [&[&str]; 10] = [
    &["statusId"],
    &[
        "statusId",
        "statusApiName",
        "statusName",
        "channels",
        "reason",
    ],
    &["reason"],
    &["workItemId", "workId", "serviceChannel"],
    &["workItemId", "workId", "serviceChannel"],
    &["workItemId", "workId", "serviceChannel"],
    &["workItemId", "workId", "serviceChannel"],
    &["configuredCapacity", "previousWorkload", "newWorkload"],
    &["newState", "oldState"],
    &["idleMs"],
];

impl Subject for WasmFields {
    fn load(rules: &Value) -> Result<Self, Vec<(String, String)>> {
        Wasm::load(rules).map(WasmFields)
    }

    fn handle(&mut self, event: &Value) -> Result<Value, String> {
        let Wasm(omni) = &self.0;
        let names: Vec<String> = OmniSync::event_names()
            .iter()
            .filter_map(|n| n.as_string())
            .collect();
        let kind = event["type"]
            .as_str()
            .and_then(omnisync::event::EventKind::from_name);
        let Some(kind) = kind.and_then(|k| names.iter().position(|n| n == k.name())) else {
            // What feed hands to handle: a name it has no entry for.
            return handled(omni, event);
        };
        // A Classic payload names the workload fields in PascalCase.
        let field = |name: &str| {
            let pascal = format!("{}{}", name[..1].to_uppercase(), &name[1..]);
            let value = event.get(name).or_else(|| event.get(&pascal));
            value.map_or(JsValue::UNDEFINED, js)
        };
        let mut args: Vec<JsValue> = FIELDS[kind].iter().map(|name| field(name)).collect();
        args.resize(5, JsValue::UNDEFINED);
        let at = event.get("at").map_or(JsValue::UNDEFINED, js);
        let [a, b, c, d, e]: [JsValue; 5] = args.try_into().map_err(|_| "five arguments")?;
        let actions = omni
            .handle_fields(kind as u32, at, a, b, c, d, e)
            .map_err(|err| field_of(&err, "code"))?;
        let recent = omni
            .recent(JsValue::from_f64(1.0))
            .map_err(|err| field_of(&err, "code"))?;
        let actions = if actions.is_undefined() {
            Value::Array(Vec::new())
        } else {
            json(&actions)
        };
        Ok(serde_json::json!({ "actions": actions, "trace": json(&recent)[0]["trace"] }))
    }

    fn state(&self) -> Value {
        self.0.state()
    }

    fn metrics(&self, now: u64) -> Value {
        self.0.metrics(now)
    }
}

/// An event through `handle`, its decision as JSON.
fn handled(omni: &OmniSync, event: &Value) -> Result<Value, String> {
    omni.handle(js(event))
        .map(|d| json(&d))
        .map_err(|err| field_of(&err, "code"))
}

fn field_of(err: &JsValue, key: &str) -> String {
    field(err, key).as_str().unwrap_or_default().to_string()
}

/// The wasm `SyncLoop` class, driven exactly as JavaScript drives it.
pub struct WasmSync(omnisync_wasm::SyncLoopHandle);

fn output(result: Result<JsValue, JsValue>) -> Value {
    result.map(|v| json(&v)).unwrap_or(Value::Null)
}

impl crate::common::sync::SyncSubject for WasmSync {
    fn load(rules: &Value, options: &Value) -> Result<Self, String> {
        omnisync_wasm::SyncLoopHandle::new(js(rules), Some(js(options)))
            .map(WasmSync)
            .map_err(|err| format!("rules refused: {}", field(&err, "code")))
    }
    fn start(&mut self, now: u64) -> Value {
        output(self.0.start(JsValue::from_f64(now as f64)))
    }
    fn read(&mut self, reply: &Value, now: u64) -> Value {
        output(self.0.read(js(reply), JsValue::from_f64(now as f64)))
    }
    fn push(&mut self, event: &Value, now: u64) -> Result<Value, String> {
        self.0
            .push(js(event), JsValue::from_f64(now as f64))
            .map(|v| json(&v))
            .map_err(|err| field(&err, "code").as_str().unwrap_or_default().to_string())
    }
    fn reply(&mut self, id: u64, error: Option<&str>, now: u64) -> Value {
        output(self.0.reply(
            JsValue::from_f64(id as f64),
            error.map(str::to_string),
            JsValue::from_f64(now as f64),
        ))
    }
    fn tick(&mut self, now: u64) -> Value {
        output(self.0.tick(JsValue::from_f64(now as f64)))
    }
    fn state(&self) -> Value {
        output(self.0.state())
    }
    fn stats(&self) -> Value {
        output(self.0.stats())
    }
    fn metrics(&self, now: u64) -> Value {
        output(self.0.metrics(JsValue::from_f64(now as f64)))
    }
}

/// The wasm `Tab` class, driven exactly as JavaScript drives it (exported by test
/// builds only: the `tab-class` feature).
#[cfg(feature = "tab-class")]
pub struct WasmTab(omnisync_wasm::TabHandle);

#[cfg(feature = "tab-class")]
impl crate::common::tabs::TabSubject for WasmTab {
    fn load(rules: &Value, options: &Value) -> Result<Self, String> {
        omnisync_wasm::TabHandle::new(js(rules), Some(js(options)))
            .map(WasmTab)
            .map_err(|err| format!("rules refused: {}", field(&err, "code")))
    }
    fn call(&mut self, call: &Value, at: u64) -> Result<Value, String> {
        self.0
            .call(js(call), JsValue::from_f64(at as f64))
            .map(|v| json(&v))
            .map_err(|err| {
                let message = Reflect::get(&err, &"message".into()).unwrap_or(JsValue::NULL);
                message.as_string().unwrap_or_default()
            })
    }
    fn leads(&self) -> bool {
        self.0.is_leader().unwrap_or(false)
    }
    fn state(&self) -> Value {
        output(self.0.state())
    }
}
