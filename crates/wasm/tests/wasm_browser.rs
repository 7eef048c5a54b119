//! The conformance suite in wasm inside headless Chromium.

#![cfg(target_arch = "wasm32")]

#[macro_use]
#[path = "../../../tests/common/mod.rs"]
mod common;
mod hostile;
mod subject;

use subject::Wasm;
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

for_each_scenario!(browser_tests);

#[wasm_bindgen_test]
async fn no_hostile_value_poisons_anything() {
    hostile::run().await;
}

macro_rules! browser_sync_tests {
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

for_each_sync_scenario!(browser_sync_tests);

macro_rules! browser_tabs_tests {
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

for_each_tabs_scenario!(browser_tabs_tests);
