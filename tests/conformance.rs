//! The conformance suite against the native engine.

#![cfg(not(target_arch = "wasm32"))]

#[macro_use]
mod common;

use common::Subject;
use omnisync::{CompiledRules, Engine, Event};
use serde_json::Value;

struct Native(Engine);

impl Subject for Native {
    fn load(rules: &Value) -> Result<Self, Vec<(String, String)>> {
        CompiledRules::from_value(rules)
            .map(|r| Native(Engine::new(r)))
            .map_err(|e| {
                e.details()
                    .iter()
                    .map(|f| (f.code.to_string(), f.path.clone()))
                    .collect()
            })
    }

    fn handle(&mut self, event: &Value) -> Result<Value, String> {
        let parsed = Event::from_value(event).map_err(|e| e.code().to_string())?;
        let at = omnisync::event::event_time(&std::borrow::Cow::Borrowed(event))
            .map_err(|e| e.code().to_string())?;
        let decision = self.0.handle(&parsed, at.unwrap_or(0));
        serde_json::to_value(decision).map_err(|e| e.to_string())
    }

    fn state(&self) -> Value {
        serde_json::to_value(self.0.state()).unwrap_or(Value::Null)
    }

    fn metrics(&self, now: u64) -> Value {
        serde_json::to_value(self.0.metrics(now)).unwrap_or(Value::Null)
    }
}

macro_rules! native_tests {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                common::run::<Native>(stringify!($name), scenario!($name));
            }
        )*

        /// Every file in tests/conformance/ is run, and there are at least 20.
        #[test]
        fn every_scenario_file_is_listed() {
            let mut listed: Vec<&str> = vec![$(stringify!($name)),*];
            let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/conformance");
            let mut files: Vec<String> = std::fs::read_dir(dir)
                .expect("tests/conformance exists")
                .filter_map(|e| e.ok())
                .filter_map(|e| e.file_name().to_str()?.strip_suffix(".json").map(String::from))
                .collect();
            listed.sort();
            files.sort();
            assert_eq!(listed, files, "update for_each_scenario! in tests/common/mod.rs");
            assert!(listed.len() >= 20, "only {} scenarios", listed.len());
        }
    };
}

for_each_scenario!(native_tests);
