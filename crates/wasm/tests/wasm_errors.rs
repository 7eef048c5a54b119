//! What `OmniSync.start` and `new SyncLoop` throw, in wasm under node: a real `Error`
//! with a `code` (and the findings in `details`), never an option silently dropped.

#![cfg(target_arch = "wasm32")]

use js_sys::{Function, Reflect, JSON};
use omnisync_wasm::{OmniSync, SyncLoopHandle};
use serde_json::{json, Value};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

fn js(value: &Value) -> JsValue {
    JSON::parse(&value.to_string()).expect("serde_json output is valid JSON")
}

fn field(err: &JsValue, key: &str) -> Value {
    let value = Reflect::get(err, &key.into()).unwrap_or(JsValue::NULL);
    let text = JSON::stringify(&value)
        .ok()
        .and_then(|t| t.as_string())
        .unwrap_or_default();
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

fn rules() -> Value {
    json!({
        "version": 1,
        "statuses": [{"id": "0N5Hs0000001AAAAA1", "developerName": "Available", "online": true}],
        "telephony": {"system": "amazon-connect", "states": ["Available"]},
        "rules": []
    })
}

/// A bridge made by JavaScript code: `{subscribe() {}, ...}`.
fn bridge(body: &str) -> JsValue {
    Function::new_no_args(&format!("return {body};"))
        .call0(&JsValue::NULL)
        .expect("the bridge is made")
}

fn host() -> JsValue {
    bridge(
        "{ subscribe() {}, setServicePresenceStatus: async () => {}, login: async () => {},
           getServicePresenceStatusId: async () => null, getAgentWorkload: async () => null }",
    )
}

fn telephony() -> JsValue {
    bridge("{ subscribe() {}, setState: async () => {}, getState: async () => null }")
}

/// The options of a start that succeeds, with `key` set to `value`.
fn options(key: &str, value: &JsValue) -> JsValue {
    let options = js(&json!({"rules": rules(), "storage": null, "reconcileMs": 0,
        "channel": format!("errors-{key}")}));
    Reflect::set(&options, &"host".into(), &host()).expect("set");
    Reflect::set(&options, &"telephony".into(), &telephony()).expect("set");
    Reflect::set(&options, &key.into(), value).expect("set");
    options
}

/// The `Error` `OmniSync.start` threw, checked to be one with a string `code`.
fn refused(options: JsValue) -> JsValue {
    let Err(err) = OmniSync::start(options) else {
        panic!("started");
    };
    assert!(err.is_instance_of::<js_sys::Error>(), "an Error: {err:?}");
    assert!(field(&err, "code").is_string(), "with a code: {err:?}");
    assert!(field(&err, "details").is_array(), "and details: {err:?}");
    err
}

#[wasm_bindgen_test]
fn a_valid_context_starts() {
    let context = js(&json!({"userId": "005Hs00000A1b2CAAA", "teams": ["Tier 1"]}));
    let runtime = OmniSync::start(options("context", &context)).expect("started");
    runtime.stop();
    // Absent (undefined or null) is no context.
    OmniSync::start(options("context", &JsValue::NULL))
        .expect("started")
        .stop();
}

#[wasm_bindgen_test]
fn start_refuses_an_invalid_context_with_its_findings() {
    for (context, path) in [
        (json!({"teams": "Tier 1"}), "$.teams"),
        (json!({"teams": ["Tier 1", 2]}), "$.teams[1]"),
        (json!({"userId": 5}), "$.userId"),
        (json!({"profileId": {"id": "00e"}}), "$.profileId"),
        (json!("005Hs00000A1b2CAAA"), "$"),
        (json!(7), "$"),
    ] {
        let err = refused(options("context", &js(&context)));
        assert_eq!(field(&err, "code"), json!("context.invalid"), "{context}");
        let details = field(&err, "details");
        assert_eq!(details[0]["code"], json!("context.invalid"), "{context}");
        assert_eq!(details[0]["path"], json!(path), "{context}: {details}");
        let message = field(&err, "message");
        assert!(
            message.as_str().is_some_and(|m| m.contains("context")),
            "{message}"
        );
    }
}

#[wasm_bindgen_test]
fn sync_loop_refuses_an_invalid_context_too() {
    let options = js(&json!({"context": {"teams": [1]}}));
    let Err(err) = SyncLoopHandle::new(js(&rules()), Some(options)) else {
        panic!("built");
    };
    assert!(err.is_instance_of::<js_sys::Error>());
    assert_eq!(field(&err, "code"), json!("context.invalid"));
    assert_eq!(field(&err, "details")[0]["path"], json!("$.teams[0]"));
}

#[wasm_bindgen_test]
fn start_refuses_missing_or_broken_bridges_with_a_code() {
    let code = |options| field(&refused(options), "code");
    assert_eq!(code(options("host", &JsValue::UNDEFINED)), "bridge.invalid");
    assert_eq!(code(options("telephony", &js(&json!(3)))), "bridge.invalid");
    let no_subscribe = bridge("{ setState: async () => {}, getState: async () => null }");
    assert_eq!(code(options("telephony", &no_subscribe)), "bridge.invalid");
    let throws = bridge("{ subscribe() { throw new Error('no'); } }");
    assert_eq!(code(options("host", &throws)), "bridge.failed");
    assert_eq!(code(JsValue::UNDEFINED), "options.invalid");
    assert_eq!(code(options("rules", &js(&json!({})))), "rules.invalid");
    let catalog = js(&json!({"result": 5}));
    assert_eq!(code(options("catalog", &catalog)), "catalog.invalid");
}
