//! `new OmniSync(rules, {catalog})` in wasm: the same rules, naming statuses only, act
//! with each org's own Id; a status the org lacks throws an Error naming it.

#![cfg(target_arch = "wasm32")]

use js_sys::{Reflect, JSON};
use omnisync_wasm::OmniSync;
use serde_json::{json, Value};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

fn js(value: &Value) -> JsValue {
    JSON::parse(&value.to_string()).expect("valid JSON")
}

fn text(value: &JsValue, key: &str) -> String {
    Reflect::get(value, &key.into())
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

/// Rules with no Id at all, as the default rules ship.
fn rules() -> Value {
    json!({
        "version": 1,
        "statuses": [{"developerName": "Available"}, {"developerName": "Lunch", "online": false}],
        "telephony": {"system": "amazon-connect", "states": ["Available", "Lunch"]},
        "mappings": {"telephonyToOmni": [{"telephony": "Lunch", "omni": "Lunch"}]}
    })
}

/// `sf data query --json` output, as an admin exports it or the host page renders it.
fn sf_query(records: &[(&str, &str)]) -> Value {
    let records: Vec<Value> = records
        .iter()
        .map(|(id, name)| json!({"attributes": {"type": "ServicePresenceStatus", "url": format!("/services/data/v62.0/sobjects/ServicePresenceStatus/{id}")}, "Id": id, "DeveloperName": name, "MasterLabel": name}))
        .collect();
    json!({"status": 0, "result": {"records": records, "totalSize": records.len(), "done": true}})
}

/// The status Id the engine sends when the phone goes to Lunch.
fn lunch_id(engine: &mut OmniSync) -> String {
    let event = js(&json!({"type": "telephony.stateChanged", "newState": "Lunch", "at": 1000}));
    let decision = engine.handle(event).expect("handled");
    let actions: js_sys::Array = Reflect::get(&decision, &"actions".into())
        .expect("actions")
        .unchecked_into();
    assert_eq!(actions.length(), 1);
    text(&actions.get(0), "statusId")
}

fn with_catalog(catalog: Value) -> Result<OmniSync, JsValue> {
    OmniSync::with_options(js(&rules()), Some(js(&json!({ "catalog": catalog }))))
}

#[wasm_bindgen_test]
fn the_same_rules_send_each_orgs_id() {
    let sandbox = sf_query(&[
        ("0N5Hs0000001Avl", "Available"),
        ("0N5Hs0000004Lun", "Lunch"),
    ]);
    let production = sf_query(&[
        ("0N53t000000CaVaAAC", "Available"),
        ("0N53t000000CaLuAAC", "Lunch"),
    ]);
    let mut in_sandbox = with_catalog(sandbox).expect("sandbox");
    let mut in_production =
        with_catalog(production["result"]["records"].clone()).expect("production");
    assert_eq!(lunch_id(&mut in_sandbox), "0N5Hs0000004LunKAE");
    assert_eq!(lunch_id(&mut in_production), "0N53t000000CaLuAAC");
    // loadRules resolves against the constructor's catalog as well.
    in_production.load_rules(js(&rules())).expect("reloaded");
    assert_eq!(lunch_id(&mut in_production), "0N53t000000CaLuAAC");
}

#[wasm_bindgen_test]
fn a_status_the_org_lacks_throws_rules_unknown_status_naming_it() {
    let err = with_catalog(sf_query(&[
        ("0N5Hs0000001Avl", "Available"),
        ("0N5Hs0000006Brk", "Break"),
    ]))
    .err()
    .expect("refused");
    assert!(err.is_instance_of::<js_sys::Error>());
    assert_eq!(text(&err, "code"), "rules.unknownStatus");
    let message = text(&err, "message");
    assert!(message.contains("\"Lunch\""), "{message}");
    assert!(message.contains("Available, Break"), "{message}");
    let details: js_sys::Array = Reflect::get(&err, &"details".into())
        .expect("details")
        .unchecked_into();
    assert_eq!(text(&details.get(0), "path"), "$.statuses[1].developerName");
}

#[wasm_bindgen_test]
fn without_a_catalog_rules_without_ids_are_refused_and_an_id_mismatch_warns() {
    let err = OmniSync::new(js(&rules())).err().expect("refused");
    assert_eq!(text(&err, "code"), "rules.invalid");
    let mut with_id = rules();
    with_id["statuses"][1]["id"] = json!("0N5Hs0000004LunKAE");
    let catalog = sf_query(&[
        ("0N53t000000CaVaAAC", "Available"),
        ("0N53t000000CaLuAAC", "Lunch"),
    ]);
    let mut engine = OmniSync::with_options(js(&with_id), Some(js(&json!({ "catalog": catalog }))))
        .expect("accepted");
    assert_eq!(lunch_id(&mut engine), "0N53t000000CaLuAAC");
    let warnings: js_sys::Array = engine.warnings().expect("warnings").unchecked_into();
    assert_eq!(warnings.length(), 1);
    assert_eq!(text(&warnings.get(0), "code"), "rules.statusIdMismatch");
    // A catalog that is not one is refused with its own code.
    let err = OmniSync::with_options(js(&rules()), Some(js(&json!({"catalog": {"status": 1}}))))
        .err()
        .expect("refused");
    assert_eq!(text(&err, "code"), "catalog.invalid");
}
