//! Properties over random event sequences: the engine never panics, emits at most one
//! action per side per event, and its model and metrics stay consistent.

#![cfg(not(target_arch = "wasm32"))]

use omnisync::{Action, Engine, Event};
use proptest::prelude::*;
use serde_json::{json, Value};

const RULES: &str = include_str!("../examples/design-section-3.json");
const STATUSES: [(&str, &str); 3] = [
    ("0N5xx00000000010AA", "Available"),
    ("0N5xx00000000020AA", "Lunch"),
    ("0N5xx00000000099AA", "Unknown"),
];
const WORK: [&str; 4] = [
    "omni.workAssigned",
    "omni.workAccepted",
    "omni.workDeclined",
    "omni.workClosed",
];
const PHONE: [&str; 5] = [
    "Available",
    "Lunch",
    "Busy",
    "AfterCallWork",
    "Busy on Omni",
];

fn event() -> impl Strategy<Value = Value> {
    prop_oneof![
        (0..3usize).prop_map(
            |i| json!({"type": "omni.statusChanged", "statusId": STATUSES[i].0,
            "statusApiName": STATUSES[i].1})
        ),
        (0..3usize).prop_map(|i| json!({"type": "omni.loginSuccess", "statusId": STATUSES[i].0})),
        Just(json!({"type": "PRESENCE.LOGOUT"})),
        (0..5usize, 0..5usize).prop_map(|(o, n)| json!({"type": "telephony.stateChanged",
            "oldState": PHONE[o], "newState": PHONE[n]})),
        (0..6u32, 0..8u32, 0..8u32).prop_map(|(c, p, n)| json!({"type": "omni.workloadChanged",
            "configuredCapacity": c, "previousWorkload": p.to_string(), "newWorkload": n})),
        (0..4usize, 0..6u32).prop_map(|(k, id)| json!({"type": WORK[k],
            "workItemId": format!("500{id}"), "workId": format!("0Bz{id}")})),
        // Malformed input must be refused, never crash.
        any::<String>().prop_map(|s| json!({"type": s})),
        any::<i64>().prop_map(
            |n| json!({"type": "omni.workloadChanged", "configuredCapacity": n,
            "previousWorkload": "x", "newWorkload": n})
        ),
    ]
}

proptest! {
    #[test]
    fn random_shifts_keep_the_engine_consistent(
        events in prop::collection::vec((event(), 0..120_000u64), 1..80)
    ) {
        let mut engine = Engine::from_json_str(RULES).expect("valid rules");
        let mut now = 0;
        for (value, gap) in &events {
            now += gap;
            let Ok(event) = Event::from_value(value) else { continue };
            let decision = engine.handle(&event, now);
            let omni = decision.actions.iter().filter(|a| matches!(a, Action::SetOmniStatus { .. })).count();
            prop_assert!(omni <= 1 && decision.actions.len() - omni <= 1);
            for action in &decision.actions {
                if let Action::SetTelephonyState { state, .. } = action {
                    prop_assert!(!engine.rules().is_system_state(state));
                }
            }
            let state = engine.state();
            prop_assert!(state.workload.current_workload >= 0.0);
            prop_assert_eq!(state.omni.logged_in, state.omni.status_id.is_some());
        }
        let report = engine.metrics(now);
        prop_assert!(report.records.iter().filter(|r| r.is_current_state).count() <= 1);
        let mut total = 0;
        for r in &report.records {
            prop_assert!(r.idle_duration <= r.status_duration);
            prop_assert!(r.at_capacity_duration <= r.status_duration);
            prop_assert!(r.average_capacity >= 0.0);
            total += r.status_duration;
        }
        prop_assert!(total <= now);
    }

    #[test]
    fn arbitrary_json_text_never_panics(text in ".{0,200}") {
        let _ = Event::from_json_str(&text);
        let _ = omnisync::CompiledRules::from_json_str(&text);
    }
}
