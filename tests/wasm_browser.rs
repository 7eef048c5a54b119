//! The conformance suite in wasm inside headless Chromium.

#![cfg(target_arch = "wasm32")]

#[macro_use]
mod common;

use common::wasm::Wasm;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

macro_rules! browser_tests {
    ($($name:ident),* $(,)?) => {
        $(
            #[wasm_bindgen_test]
            fn $name() {
                common::run::<Wasm>(stringify!($name), scenario!($name));
            }
        )*
    };
}

for_each_scenario!(browser_tests);

macro_rules! browser_sync_tests {
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

for_each_sync_scenario!(browser_sync_tests);
