//! Runs the hostile-value driver of the JS tests (www/test/hostile.mjs) against this
//! wasm build: a module of crates/wasm/tests/wasm_node.rs and crates/wasm/tests/wasm_browser.rs, so the same
//! checks run in node and in Chromium.

use omnisync_wasm::OmniSync;
use serde_json::json;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

const DRIVER: &str = include_str!(concat!(env!("OMNISYNC_ROOT"), "/www/test/hostile.mjs"));

/// The driver's async function, made from its text (the module's `export` line cut).
fn driver() -> js_sys::Function {
    let body = DRIVER.replace("export { hostileChecks };", "return hostileChecks;");
    let make = js_sys::Function::new_no_args(&body);
    make.call0(&JsValue::NULL)
        .expect("the driver compiles")
        .unchecked_into()
}

pub async fn run() {
    // The class as JavaScript sees it: the constructor of an instance.
    let instance: JsValue = OmniSync::new(super::subject::js(&json!({
        "version": 1, "statuses": [], "rules": [],
        "telephony": {"system": "amazon-connect", "states": ["Available"]}
    })))
    .expect("valid")
    .into();
    let class = js_sys::Reflect::get(&instance, &"constructor".into()).expect("constructor");
    let sleep = js_sys::Function::new_with_args(
        "ms",
        "return new Promise((resolve) => setTimeout(resolve, ms))",
    );
    let promise = driver()
        .call2(&JsValue::NULL, &class, &sleep)
        .expect("the driver starts");
    match JsFuture::from(js_sys::Promise::from(promise)).await {
        Ok(summary) => {
            let refused = js_sys::Reflect::get(&summary, &"refused".into())
                .ok()
                .and_then(|n| n.as_f64())
                .unwrap_or(0.0);
            assert!(refused > 100.0, "only {refused} hostile calls refused");
        }
        Err(err) => panic!(
            "{}",
            js_sys::Reflect::get(&err, &"message".into())
                .ok()
                .and_then(|m| m.as_string())
                .unwrap_or_else(|| format!("{err:?}"))
        ),
    }
}
