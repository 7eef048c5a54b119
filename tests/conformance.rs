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

/// The native sync loop, driven as the host drives it.
struct NativeSync(omnisync::sync::SyncLoop);

fn out(o: omnisync::sync::Output) -> Value {
    serde_json::to_value(o).unwrap_or(Value::Null)
}

impl common::sync::SyncSubject for NativeSync {
    fn load(rules: &Value, options: &Value) -> Result<Self, String> {
        let rules = CompiledRules::from_value(rules).map_err(|e| format!("rules refused: {e}"))?;
        let mut engine = Engine::new(rules);
        if let Some(context) = options.get("context") {
            let context = serde_json::from_value(context.clone()).map_err(|e| e.to_string())?;
            engine.set_context(context);
        }
        let mut sync = omnisync::sync::SyncLoop::new(engine);
        if let Some(seed) = options.get("seed").and_then(Value::as_u64) {
            sync.seed(seed);
        }
        Ok(NativeSync(sync))
    }
    fn start(&mut self, now: u64) -> Value {
        out(self.0.start(now))
    }
    fn read(&mut self, reply: &Value, now: u64) -> Value {
        let read = omnisync::read::PresenceRead::read(&std::borrow::Cow::Borrowed(reply));
        out(self.0.read(&read, now))
    }
    fn push(&mut self, event: &Value, now: u64) -> Result<Value, String> {
        let parsed = Event::from_value(event).map_err(|e| e.code().to_string())?;
        Ok(out(self.0.event(&parsed, now)))
    }
    fn reply(&mut self, id: u64, error: Option<&str>, now: u64) -> Value {
        out(self.0.result(id, error, now))
    }
    fn tick(&mut self, now: u64) -> Value {
        out(self.0.tick(now))
    }
    fn state(&self) -> Value {
        serde_json::to_value(self.0.engine().state()).unwrap_or(Value::Null)
    }
    fn stats(&self) -> Value {
        serde_json::to_value(self.0.stats()).unwrap_or(Value::Null)
    }
    fn metrics(&self, now: u64) -> Value {
        serde_json::to_value(self.0.engine().metrics(now)).unwrap_or(Value::Null)
    }
}

macro_rules! native_sync_tests {
    ($($name:ident),* $(,)?) => {
        mod sync_scenarios {
            use super::*;
            $(
                #[test]
                fn $name() {
                    common::sync::run::<NativeSync>(stringify!($name), sync_scenario!($name));
                }
            )*
        }

        /// Every file in tests/conformance/sync/ is run, and there are at least 20.
        #[test]
        fn every_sync_scenario_file_is_listed() {
            let mut listed: Vec<&str> = vec![$(stringify!($name)),*];
            let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/conformance/sync");
            let mut files: Vec<String> = std::fs::read_dir(dir)
                .expect("tests/conformance/sync exists")
                .filter_map(|e| e.ok())
                .filter_map(|e| e.file_name().to_str()?.strip_suffix(".json").map(String::from))
                .collect();
            listed.sort();
            files.sort();
            assert_eq!(listed, files, "update for_each_sync_scenario! in tests/common/mod.rs");
            assert!(listed.len() >= 20, "only {} sync scenarios", listed.len());
            println!("{} sync scenarios listed", listed.len());
        }
    };
}

for_each_sync_scenario!(native_sync_tests);

/// The native tab, driven as the browser driver drives it.
struct NativeTab(omnisync::tabs::Tab);

impl common::tabs::TabSubject for NativeTab {
    fn load(rules: &Value, options: &Value) -> Result<Self, String> {
        use omnisync::tabs::{Settings, Tab};
        let rules = CompiledRules::from_value(rules).map_err(|e| format!("rules refused: {e}"))?;
        let mut sync = omnisync::sync::SyncLoop::new(Engine::new(rules));
        if let Some(seed) = options.get("seed").and_then(Value::as_u64) {
            sync.seed(seed);
        }
        let text = |key: &str| options[key].as_str().unwrap_or_default().to_string();
        let settings = Settings {
            org: text("orgId"),
            user: text("userId"),
            timeout_ms: options["bridgeTimeoutMs"].as_u64().unwrap_or(10_000),
            stores: options["storage"].as_bool().unwrap_or(false),
        };
        Ok(NativeTab(Tab::new(sync, settings)))
    }
    fn call(&mut self, call: &Value, at: u64) -> Result<Value, String> {
        let step = self.0.call(call, at)?;
        serde_json::to_value(step).map_err(|e| e.to_string())
    }
    fn leads(&self) -> bool {
        self.0.leads()
    }
    fn state(&self) -> Value {
        serde_json::to_value(self.0.sync.engine().state()).unwrap_or(Value::Null)
    }
}

macro_rules! native_tabs_tests {
    ($($name:ident),* $(,)?) => {
        mod tabs_scenarios {
            use super::*;
            $(
                #[test]
                fn $name() {
                    common::tabs::run::<NativeTab>(stringify!($name), tabs_scenario!($name));
                }
            )*
        }

        /// Every file in tests/conformance/tabs/ is run.
        #[test]
        fn every_tabs_scenario_file_is_listed() {
            let mut listed: Vec<&str> = vec![$(stringify!($name)),*];
            let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/conformance/tabs");
            let mut files: Vec<String> = std::fs::read_dir(dir)
                .expect("tests/conformance/tabs exists")
                .filter_map(|e| e.ok())
                .filter_map(|e| e.file_name().to_str()?.strip_suffix(".json").map(String::from))
                .collect();
            listed.sort();
            files.sort();
            assert_eq!(listed, files, "update for_each_tabs_scenario! in tests/common/mod.rs");
        }
    };
}

for_each_tabs_scenario!(native_tabs_tests);
