//! A panic in the shipped build prints its message: console_error_panic_hook is
//! installed by the constructor. The panic comes from `panicForTest`, which exists only
//! with the test-only `panic-test` feature (scripts/test.sh; never scripts/build-wasm.sh).
//! A file of its own: after a panic this wasm instance is not used again.

#![cfg(all(target_arch = "wasm32", feature = "panic-test"))]

use omnisync_wasm::OmniSync;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test]
fn a_panic_prints_its_message_and_location_in_the_console() {
    let rules = js_sys::JSON::parse(
        r#"{"version": 1, "statuses": [], "rules": [],
        "telephony": {"system": "amazon-connect", "states": ["Available"]}}"#,
    )
    .expect("JSON");
    let instance: JsValue = OmniSync::new(rules).expect("valid").into();
    // Listen to console.error as the page's console would show it.
    let console = js_sys::Reflect::get(&js_sys::global(), &"console".into()).expect("console");
    let original = js_sys::Reflect::get(&console, &"error".into()).expect("console.error");
    let seen = js_sys::Array::new();
    let record = js_sys::Function::new_with_args(
        "seen",
        "return (...args) => { seen.push(args.map(String).join(' ')); }",
    )
    .call1(&JsValue::NULL, &seen)
    .expect("recorder");
    js_sys::Reflect::set(&console, &"error".into(), &record).expect("set");
    // Called from JavaScript: the trap ends the call there, not this test.
    let panic = js_sys::Reflect::get(&instance, &"panicForTest".into())
        .expect("panicForTest")
        .unchecked_into::<js_sys::Function>();
    let thrown = panic.call0(&instance);
    js_sys::Reflect::set(&console, &"error".into(), &original).expect("restore");
    assert!(thrown.is_err(), "the panic ends the call");
    let printed: Vec<String> = seen.iter().filter_map(|s| s.as_string()).collect();
    let text = printed.join("\n");
    assert!(
        text.contains("omnisync panic-test: deliberate panic"),
        "the console shows the panic's message: {text:?}"
    );
    assert!(
        text.contains("crates/wasm/src/class.rs"),
        "and where it happened: {text:?}"
    );
}
