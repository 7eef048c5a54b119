//! The fuzz targets' bodies. tests/fuzz_regressions.rs includes this file with
//! `#[path]`, so a saved crasher replays through exactly the code the fuzzer ran.

use omnisync::rules::Catalog;
use omnisync::{Action, CompiledRules, Decision, Engine, Event};
use serde_json::{json, Value};
use std::sync::OnceLock;

/// Compiled once: recompiling per input would spend the fuzzer's time on the parser,
/// which `rules_parser` already covers.
const EXAMPLE_RULES: &str = include_str!("../../examples/reference-rules.json");

/// The example names its statuses only: an org's catalog gives their Ids.
const EXAMPLE_ORG: &str = r#"[{"Id": "0N5xx00000000010AA", "DeveloperName": "Available"},
  {"Id": "0N5xx00000000020AA", "DeveloperName": "Lunch", "MasterLabel": "Lunch"}]"#;

fn example_org() -> &'static Catalog {
    static ORG: OnceLock<Catalog> = OnceLock::new();
    ORG.get_or_init(|| Catalog::from_json_str(EXAMPLE_ORG).expect("example catalog"))
}

fn example_engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        CompiledRules::from_json_str_with_catalog(EXAMPLE_RULES, example_org())
            .map(Engine::new)
            .expect("example rules compile")
    })
}

/// Rules text must give rules or findings, never a panic. Bytes are decoded lossily so
/// every input reaches the parser (the browser only ever hands over text).
pub fn rules_parser(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    // Rules with Ids stand alone; rules naming statuses only go through the catalog.
    let compiled = CompiledRules::from_json_str(&text)
        .or_else(|_| CompiledRules::from_json_str_with_catalog(&text, example_org()));
    if let Ok(rules) = compiled {
        // Whatever compiles is later evaluated: drive it with events that name its own
        // statuses and states, so odd conditions and targets reach the engine too.
        replay_against(rules);
    }
}

/// One JSON event per line with an optional `at`; lines that are not events are
/// skipped, as the browser binding refuses them without touching the state.
pub fn event_handler(data: &[u8]) {
    let mut engine = example_engine().clone();
    let mut at = 0;
    for line in data.split(|&b| b == b'\n') {
        let text = String::from_utf8_lossy(line);
        let Ok(event) = Event::from_json_str(&text) else {
            continue;
        };
        // A bad `at` makes the whole event unreadable, as in the conformance runner.
        let value: Value = serde_json::from_str(&text).expect("parsed once already");
        let Ok(time) = omnisync::event::event_time(&std::borrow::Cow::Borrowed(&value)) else {
            continue;
        };
        at = time.unwrap_or(at);
        step(&mut engine, &event, at);
    }
}

fn replay_against(rules: CompiledRules) {
    // Bounded so one huge catalogue cannot make a single run slow.
    let statuses: Vec<(String, String)> = (rules.statuses.iter().take(8))
        .map(|s| (s.id.clone(), s.developer_name.clone()))
        .collect();
    let states: Vec<String> = rules.telephony_states.iter().take(8).cloned().collect();
    let mut script = vec![json!({"type": "omni.loginSuccess", "statusId": "0N5xx00000000010AA"})];
    for (id, name) in &statuses {
        script.push(json!({"type": "omni.loginSuccess", "statusId": id}));
        script.push(json!({"type": "omni.statusChanged", "statusId": id,
            "statusName": name, "statusApiName": name, "reason": "OmniPushTimeout"}));
    }
    for state in &states {
        script.push(json!({"type": "telephony.stateChanged", "newState": state}));
    }
    for (cap, new) in [(0, 1), (2, 2), (4, 0)] {
        script.push(
            json!({"type": "omni.workloadChanged", "configuredCapacity": cap,
            "previousWorkload": 1, "newWorkload": new}),
        );
    }
    for kind in ["Assigned", "Accepted", "Declined", "Closed"] {
        script.push(json!({"type": format!("omni.work{kind}"),
            "workItemId": "500Hs00000Cs001IAB", "workId": "0BzHs00000Wk001KAB"}));
    }
    script.push(json!({"type": "omni.logout"}));
    let mut engine = Engine::new(rules);
    for (at, value) in (0u64..).step_by(1000).zip(&script) {
        if let Ok(event) = Event::from_value(value) {
            step(&mut engine, &event, at);
        }
    }
}

/// Handles one event and checks what must hold after any event whatsoever.
fn step(engine: &mut Engine, event: &Event, at: u64) {
    let decision = engine.handle(event, at);
    check_decision(&decision);
    let state = engine.state();
    let w = &state.workload;
    // `>=` is false for NaN too, which would be as wrong as a negative number.
    for (name, n) in [
        ("configured_capacity", w.configured_capacity),
        ("current_workload", w.current_workload),
        ("previous_workload", w.previous_workload),
        ("workload_pct", w.workload_pct),
    ] {
        assert!(n >= 0.0, "workload.{name} is {n}");
    }
    assert_eq!(
        state.omni.logged_in,
        state.omni.status_id.is_some(),
        "logged_in disagrees with status_id: {:?}",
        state.omni
    );
    let report = engine.metrics(at);
    let current = report.records.iter().filter(|r| r.is_current_state).count();
    assert!(current <= 1, "{current} current presence records");
}

/// Each side is set at most once per decision: two would leave the host to guess.
fn check_decision(decision: &Decision) {
    let omni = (decision.actions.iter())
        .filter(|a| matches!(a, Action::SetOmniStatus { .. }))
        .count();
    let telephony = (decision.actions.iter())
        .filter(|a| matches!(a, Action::SetTelephonyState { .. }))
        .count();
    assert!(omni <= 1, "{omni} Omni actions: {:?}", decision.actions);
    assert!(
        telephony <= 1,
        "{telephony} telephony actions: {:?}",
        decision.actions
    );
}
