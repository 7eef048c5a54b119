//! The conformance suite and the binding's own contract, in wasm under node.

#![cfg(target_arch = "wasm32")]

#[macro_use]
mod common;

use common::wasm::{field, js, json, Wasm};
use omnisync::wasm::OmniSync;
use serde_json::{json, Value};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

macro_rules! wasm_tests {
    ($($name:ident),* $(,)?) => {
        $(
            #[wasm_bindgen_test]
            fn $name() {
                common::run::<Wasm>(stringify!($name), scenario!($name));
            }
        )*
    };
}

for_each_scenario!(wasm_tests);

macro_rules! wasm_sync_tests {
    ($($name:ident),* $(,)?) => {
        mod sync_scenarios {
            use super::common;
            use wasm_bindgen_test::wasm_bindgen_test;
            $(
                #[wasm_bindgen_test]
                fn $name() {
                    common::sync::run::<common::wasm::WasmSync>(stringify!($name), sync_scenario!($name));
                }
            )*
        }
    };
}

for_each_sync_scenario!(wasm_sync_tests);

fn rules() -> Value {
    json!({
        "version": 1,
        "statuses": [
            {"id": "0N5Hs0000001AAAAA1", "developerName": "Available", "online": true},
            {"id": "0N5Hs0000002AAAAA2", "developerName": "Lunch", "online": false}
        ],
        "telephony": {"system": "amazon-connect", "states": ["Available", "Lunch"]},
        "mappings": {"telephonyToOmni": [{"telephony": "Lunch", "omni": "Lunch"}]},
        "rules": []
    })
}

#[wasm_bindgen_test]
fn accepts_rules_as_text_or_object() {
    assert!(OmniSync::new(js(&rules())).is_ok());
    assert!(OmniSync::new(JsValue::from_str(&rules().to_string())).is_ok());
}

#[wasm_bindgen_test]
fn refused_rules_throw_an_error_with_code_and_details() {
    let mut bad = rules();
    bad["mappings"]["telephonyToOmni"][0]["omni"] = json!("Lnch");
    bad["surprise"] = json!(1);
    let err = OmniSync::new(js(&bad)).err().expect("refused");
    assert!(err.is_instance_of::<js_sys::Error>());
    assert_eq!(field(&err, "code"), json!("rules.invalid"));
    let details = field(&err, "details");
    assert_eq!(details.as_array().map(Vec::len), Some(2));
    assert_eq!(details[0]["path"], json!("$.surprise"));
    let err = OmniSync::new(JsValue::from_str("{\"version\": "))
        .err()
        .expect("refused");
    assert_eq!(field(&err, "details")[0]["code"], json!("rules.syntax"));
}

#[wasm_bindgen_test]
fn rules_are_read_as_their_json_means() {
    // Whole numbers are integers (the version is a u32), fractions stay fractions.
    let mut text = rules().to_string();
    text = text.replacen("\"version\":1", "\"version\":1.0", 1);
    assert!(text.contains("1.0"), "{text}");
    assert!(OmniSync::new(JsValue::from_str(&text)).is_ok());
    let mut fractional = rules();
    fractional["version"] = json!(1.5);
    let err = OmniSync::new(js(&fractional)).err().expect("refused");
    assert_eq!(field(&err, "details")[0]["path"], json!("$.version"));
    // Nesting deeper than the native parser allows is refused, not followed.
    let deep = format!("{}{}", "[".repeat(500), "]".repeat(500));
    let err = OmniSync::new(JsValue::from_str(&deep))
        .err()
        .expect("refused");
    assert_eq!(field(&err, "details")[0]["code"], json!("rules.syntax"));
    // A cycle in an object is refused as its JSON text would be.
    let cyclic = js_sys::Object::new();
    js_sys::Reflect::set(&cyclic, &"self".into(), &cyclic).expect("set");
    let err = OmniSync::new(cyclic.into()).err().expect("refused");
    assert_eq!(field(&err, "details")[0]["code"], json!("rules.syntax"));
}

#[wasm_bindgen_test]
fn load_rules_keeps_the_previous_rules_when_refused() {
    let mut sync = OmniSync::new(js(&rules())).expect("valid");
    let mut bad = rules();
    bad["version"] = json!(2);
    let err = sync.load_rules(js(&bad)).expect_err("refused");
    assert_eq!(
        field(&err, "details")[0]["code"],
        json!("rules.unsupportedVersion")
    );
    let decision = sync
        .handle(js(
            &json!({"at": 5, "type": "telephony.stateChanged", "newState": "Lunch"}),
        ))
        .expect("handled");
    assert_eq!(
        json(&decision)["actions"][0]["developerName"],
        json!("Lunch")
    );
}

#[wasm_bindgen_test]
fn a_malformed_event_throws_and_changes_nothing() {
    let mut sync = OmniSync::new(js(&rules())).expect("valid");
    let before = json(&sync.state().expect("state"));
    for bad in [
        json!(7),
        json!({"type": "omni.workloadChanged", "configuredCapacity": "x",
        "previousWorkload": 0, "newWorkload": 1}),
        json!({"type": "telephony.stateChanged",
        "newState": "Lunch", "at": -4}),
    ] {
        let err = sync.handle(js(&bad)).expect_err("refused");
        assert!(field(&err, "code")
            .as_str()
            .is_some_and(|c| c.starts_with("event.")));
    }
    assert!(sync.handle(JsValue::UNDEFINED).is_err());
    assert_eq!(json(&sync.state().expect("state")), before);
}

#[wasm_bindgen_test]
fn metrics_default_to_now() {
    let mut sync = OmniSync::new(js(&rules())).expect("valid");
    sync.handle(js(
        &json!({"at": 1000, "type": "omni.loginSuccess", "statusId": "0N5Hs0000001AAAAA1"}),
    ))
    .expect("handled");
    let m = json(&sync.metrics(None).expect("metrics"));
    // The current record runs to now: idle since the login, no StatusDuration yet.
    assert!(m["records"][0]["IdleDuration"].as_f64().unwrap_or(0.0) > 0.0);
    assert!(m["records"][0].get("StatusDuration").is_none());
}

#[wasm_bindgen_test]
fn decide_returns_the_same_actions_as_handle_without_the_trace() {
    let mut slow = OmniSync::new(js(&rules())).expect("valid");
    let mut fast = OmniSync::new(js(&rules())).expect("valid");
    for event in [
        json!({"at": 1, "type": "telephony.stateChanged", "newState": "Lunch"}),
        json!({"at": 2, "type": "omni.statusChanged", "statusId": "0N5Hs0000002AAAAA2", "statusApiName": "Lunch"}),
        json!({"at": 3, "type": "telephony.stateChanged", "newState": "Lunch"}),
    ] {
        let full = json(&slow.handle(js(&event)).expect("handled"));
        let actions = json(&fast.decide(js(&event)).expect("decided"));
        assert_eq!(actions, full["actions"]);
    }
    assert!(fast.decide(js(&json!({"type": "nope"}))).is_err());
}

#[wasm_bindgen_test]
fn decide_shares_one_frozen_result_per_rule_target_until_the_rules_change() {
    let mut sync = OmniSync::new(js(&rules())).expect("valid");
    let lunch = js(&json!({"at": 1, "type": "telephony.stateChanged", "newState": "Lunch"}));
    let away = js(&json!({"at": 2, "type": "telephony.stateChanged", "newState": "Available"}));
    let first = js_sys::Array::from(&sync.decide(lunch.clone()).expect("decided")).get(0);
    assert!(js_sys::Object::is_frozen(
        first.unchecked_ref::<js_sys::Object>()
    ));
    assert_eq!(field(&first, "developerName"), json!("Lunch"));
    sync.decide(away.clone()).expect("decided");
    let again = js_sys::Array::from(&sync.decide(lunch.clone()).expect("decided")).get(0);
    assert!(js_sys::Object::is_frozen(
        again.unchecked_ref::<js_sys::Object>()
    ));
    assert!(first == again, "the same object for the same target");
    sync.load_rules(js(&rules())).expect("valid");
    sync.decide(away).expect("decided");
    let reloaded = js_sys::Array::from(&sync.decide(lunch).expect("decided")).get(0);
    assert!(first != reloaded, "new rules, new objects");
    assert_eq!(json(&reloaded), json(&first));
}

#[wasm_bindgen_test]
fn events_are_read_from_objects_as_they_are() {
    let mut sync = OmniSync::new(js(&rules())).expect("valid");
    // A field JSON would leave out (a function) and a numeric string are read as the
    // JSON reader reads them.
    let event = js(
        &json!({"at": 5, "type": "omni.workloadChanged", "configuredCapacity": " 4 ",
        "previousWorkload": 0, "newWorkload": "2.5"}),
    );
    let noise = js_sys::Function::new_no_args("return 1");
    js_sys::Reflect::set(&event, &"extra".into(), &noise).expect("set");
    sync.handle(event).expect("handled");
    let state = json(&sync.state().expect("state"));
    assert_eq!(state["workload"]["currentWorkload"], json!(2.5));
    assert_eq!(state["workload"]["configuredCapacity"].as_f64(), Some(4.0));
    let bad = js(
        &json!({"at": 6, "type": "omni.workloadChanged", "configuredCapacity": true,
        "previousWorkload": 0, "newWorkload": 1}),
    );
    let err = sync.handle(bad).expect_err("refused");
    assert_eq!(field(&err, "code"), json!("event.invalidField"));
}

#[wasm_bindgen_test]
fn an_accessor_that_throws_does_not_break_handle() {
    let mut sync = OmniSync::new(js(&rules())).expect("valid");
    let make = js_sys::Function::new_no_args(
        "return {type: 'telephony.stateChanged', at: 1, get newState() { throw new Error('no'); }}",
    );
    let hostile = make.call0(&JsValue::NULL).expect("made");
    let err = sync.handle(hostile).expect_err("refused");
    assert_eq!(field(&err, "code"), json!("event.missingField"));
    // The instance still works.
    let lunch = json!({"at": 2, "type": "telephony.stateChanged", "newState": "Lunch"});
    let decision = json(&sync.handle(js(&lunch)).expect("handled"));
    assert_eq!(decision["actions"][0]["developerName"], json!("Lunch"));
}
