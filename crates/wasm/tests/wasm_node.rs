//! The conformance suite and the binding's own contract, in wasm under node.

#![cfg(target_arch = "wasm32")]

#[macro_use]
#[path = "../../../tests/common/mod.rs"]
mod common;
mod hostile;
mod subject;

use omnisync_wasm::OmniSync;
use serde_json::{json, Value};
use subject::{field, js, json, Wasm};
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
        /// The same scenarios with every event given as plain values (`handleFields`).
        mod as_fields {
            use super::{common, subject};
            use wasm_bindgen_test::wasm_bindgen_test;
            $(
                #[wasm_bindgen_test]
                fn $name() {
                    common::run::<subject::WasmFields>(stringify!($name), scenario!($name));
                }
            )*
        }
    };
}

for_each_scenario!(wasm_tests);

macro_rules! wasm_sync_tests {
    ($($name:ident),* $(,)?) => {
        mod sync_scenarios {
            use super::{common, subject};
            use wasm_bindgen_test::wasm_bindgen_test;
            $(
                #[wasm_bindgen_test]
                fn $name() {
                    common::sync::run::<subject::WasmSync>(stringify!($name), sync_scenario!($name));
                }
            )*
        }
    };
}

for_each_sync_scenario!(wasm_sync_tests);

macro_rules! wasm_tabs_tests {
    ($($name:ident),* $(,)?) => {
        // The `Tab` class is exported only by test builds (scripts/test.sh).
        #[cfg(feature = "tab-class")]
        mod tabs_scenarios {
            use super::{common, subject};
            use wasm_bindgen_test::wasm_bindgen_test;
            $(
                #[wasm_bindgen_test]
                fn $name() {
                    common::tabs::run::<subject::WasmTab>(stringify!($name), tabs_scenario!($name));
                }
            )*
        }
    };
}

for_each_tabs_scenario!(wasm_tabs_tests);

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
    let sync = OmniSync::new(js(&rules())).expect("valid");
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
    let sync = OmniSync::new(js(&rules())).expect("valid");
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
    let sync = OmniSync::new(js(&rules())).expect("valid");
    sync.handle(js(
        &json!({"at": 1000, "type": "omni.loginSuccess", "statusId": "0N5Hs0000001AAAAA1"}),
    ))
    .expect("handled");
    let m = json(&sync.metrics(JsValue::UNDEFINED).expect("metrics"));
    // The current record runs to now: idle since the login, no StatusDuration yet.
    assert!(m["records"][0]["IdleDuration"].as_f64().unwrap_or(0.0) > 0.0);
    assert!(m["records"][0].get("StatusDuration").is_none());
}

#[wasm_bindgen_test]
fn the_trace_is_built_when_read_and_says_the_same_each_time() {
    let sync = OmniSync::new(js(&rules())).expect("valid");
    let lunch = json!({"at": 1, "type": "telephony.stateChanged", "newState": "Lunch"});
    let decision = sync.handle(js(&lunch)).expect("handled");
    // The trace is a function of the compact trace: nothing is built until it is called.
    let trace = js_sys::Reflect::get(&decision, &"trace".into()).expect("trace");
    assert!(trace.is_function());
    // Later events and new rules do not change what an earlier decision says.
    sync.handle(js(
        &json!({"at": 2, "type": "telephony.stateChanged", "newState": "Available"}),
    ))
    .expect("handled");
    sync.load_rules(js(&json!({"version": 1, "statuses": [], "rules": [],
        "telephony": {"system": "amazon-connect", "states": ["Available"]}})))
        .expect("valid");
    let read = json(&decision);
    assert_eq!(read["actions"][0]["developerName"], json!("Lunch"));
    assert_eq!(read["trace"]["event"], json!("telephony.stateChanged"));
    assert_eq!(read["trace"]["at"], json!(1));
    let rule = &read["trace"]["rules"][0];
    assert_eq!(rule["rule"], read["actions"][0]["rule"]);
    assert_eq!(rule["outcome"], json!("emitted"));
    assert_eq!(rule["checks"][0]["value"], json!("Lunch"));
    assert_eq!(json(&decision), read, "a second read says the same");
    let called = trace
        .unchecked_ref::<js_sys::Function>()
        .call0(&JsValue::NULL)
        .expect("trace()");
    assert_eq!(json(&called), read["trace"], "trace() is what JSON writes");
}

#[wasm_bindgen_test]
fn numbers_are_finite_and_exponents_do_not_wrap() {
    let sync = OmniSync::new(js(&rules())).expect("valid");
    let workload = |n: JsValue| {
        let event = js(&json!({"at": 3, "type": "omni.workloadChanged",
            "configuredCapacity": 4, "previousWorkload": 0}));
        js_sys::Reflect::set(&event, &"newWorkload".into(), &n).expect("set");
        event
    };
    let before = json(&sync.state().expect("state"));
    for bad in [
        JsValue::from_f64(f64::INFINITY),
        JsValue::from_f64(f64::NAN),
        JsValue::from_str("Infinity"),
        JsValue::from_str("11111111111111111111e2147483647"),
        JsValue::from_str("1e99999"),
    ] {
        let err = sync.handle(workload(bad)).expect_err("refused");
        assert_eq!(field(&err, "code"), json!("event.invalidNumber"));
    }
    assert_eq!(json(&sync.state().expect("state")), before);
    sync.handle(workload(JsValue::from_str("25e-1")))
        .expect("a finite number in a string");
    let state = json(&sync.state().expect("state"));
    assert_eq!(state["workload"]["currentWorkload"], json!(2.5));
    // A rules object with a number that is not finite is refused, with its code.
    let file = js(&rules());
    js_sys::Reflect::set(&file, &"version".into(), &JsValue::from_f64(f64::INFINITY)).expect("set");
    let err = OmniSync::new(file).err().expect("refused");
    assert_eq!(field(&err, "code"), json!("rules.invalid"));
    assert_eq!(field(&err, "details")[0]["code"], json!("rules.syntax"));
}

#[wasm_bindgen_test]
async fn no_hostile_value_poisons_anything() {
    hostile::run().await;
}

#[wasm_bindgen_test]
fn events_are_read_from_objects_as_they_are() {
    let sync = OmniSync::new(js(&rules())).expect("valid");
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
    let sync = OmniSync::new(js(&rules())).expect("valid");
    let make = js_sys::Function::new_no_args(
        "return {type: 'telephony.stateChanged', at: 1, get newState() { throw new Error('no'); }}",
    );
    let hostile = make.call0(&JsValue::NULL).expect("made");
    let err = sync.handle(hostile).expect_err("refused");
    // The field is there but cannot be read: invalid, and said so.
    assert_eq!(field(&err, "code"), json!("event.invalidField"));
    assert!(field(&err, "message")
        .as_str()
        .is_some_and(|m| m.contains("could not be read")));
    // The instance still works.
    let lunch = json!({"at": 2, "type": "telephony.stateChanged", "newState": "Lunch"});
    let decision = json(&sync.handle(js(&lunch)).expect("handled"));
    assert_eq!(decision["actions"][0]["developerName"], json!("Lunch"));
}
