//! Properties over random event sequences: the engine never panics, emits at most one
//! action per side per event, and its model and metrics stay consistent.

#![cfg(not(target_arch = "wasm32"))]

use omnisync::rules::Catalog;
use omnisync::{Action, CompiledRules, Engine, Event};
use proptest::prelude::*;
use serde_json::{json, Value};

const RULES: &str = include_str!("../examples/reference-rules.json");
/// The example org's catalog gives the statuses' Ids (the example names them only).
const ORG: &str = include_str!("../examples/org-statuses.json");
const STATUSES: [(&str, &str); 3] = [
    ("0N5Hs0000001AvlKAE", "Available"),
    ("0N5Hs0000004LunKAE", "Lunch"),
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
        let org = Catalog::from_json_str(ORG).expect("valid catalog");
        let rules = CompiledRules::from_json_str_with_catalog(RULES, &org).expect("valid rules");
        let mut engine = Engine::new(rules);
        let mut again = engine.clone();
        let mut now = 0;
        for (value, gap) in &events {
            now += gap;
            let Ok(event) = Event::from_value(value) else { continue };
            let decision = engine.handle(&event, now);
            // Observing, then deciding (the sync loop's way) decides exactly the same,
            // and the trace read back names the rules that acted.
            let seen = again.observe(&event, now);
            let other = again.decide(&seen);
            prop_assert_eq!(&other.actions, &decision.actions);
            let rules = decision.trace.rules();
            for action in &decision.actions {
                prop_assert!(rules.iter().any(|r| r.rule == action.rule() && r.matched));
            }
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

    /// The records as UserServicePresence has them (whole seconds): a part of a
    /// period never outlasts the period, whatever the milliseconds.
    #[test]
    fn presence_records_in_seconds_never_have_a_part_longer_than_the_whole(
        events in prop::collection::vec((event(), 0..5_000u64), 1..60),
        start in 0..1000u64,
    ) {
        let org = Catalog::from_json_str(ORG).expect("valid catalog");
        let rules = CompiledRules::from_json_str_with_catalog(RULES, &org).expect("valid rules");
        let mut engine = Engine::new(rules);
        let mut now = start;
        for (value, gap) in &events {
            now += gap;
            let Ok(event) = Event::from_value(value) else { continue };
            engine.handle(&event, now);
        }
        for r in engine.metrics(now + 1).user_service_presence() {
            if let Some(whole) = r.status_duration {
                prop_assert!(r.idle_duration <= whole, "{r:?}");
                prop_assert!(r.at_capacity_duration <= whole, "{r:?}");
            }
        }
    }

    #[test]
    fn arbitrary_json_text_never_panics(text in ".{0,200}") {
        let _ = Event::from_json_str(&text);
        let _ = omnisync::CompiledRules::from_json_str(&text);
    }
}

const OMNI_NAMES: [&str; 3] = ["Available", "Lunch", "Busy"];
const PHONE_NAMES: [&str; 3] = ["Available", "Lunch", "Break"];

/// One random rule over a small vocabulary, so that rule sets chain and cycle often.
fn random_rule() -> impl Strategy<Value = Value> {
    (
        any::<bool>(),
        0..3usize,
        0..3usize,
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(from_phone, when, to, negate, unconditional)| {
            let (on, left, then) = if from_phone {
                (
                    "telephony.stateChanged",
                    "telephony.newState",
                    json!({"setOmniStatus": OMNI_NAMES[to]}),
                )
            } else {
                (
                    "omni.statusChanged",
                    "omni.newStatus",
                    json!({"setTelephonyState": PHONE_NAMES[to]}),
                )
            };
            let value = if from_phone {
                PHONE_NAMES[when]
            } else {
                OMNI_NAMES[when]
            };
            let op = if negate { "ne" } else { "eq" };
            let mut rule = json!({"name": "", "on": on, "then": [then]});
            if !unconditional {
                rule["if"] = json!({"left": left, "op": op, "right": {"value": value}});
            }
            rule
        })
}

fn agent_change() -> impl Strategy<Value = Event> {
    (any::<bool>(), 0..3usize).prop_map(|(phone, i)| {
        if phone {
            Event::TelephonyStateChanged {
                old_state: None,
                new_state: PHONE_NAMES[i].into(),
            }
        } else {
            Event::StatusChanged {
                status_id: format!("0N5Hs000000{i}AAAAAA"),
                status_name: None,
                status_api_name: OMNI_NAMES[i].into(),
                channels: vec![],
                reason: Some("OmniManualStatusChange".into()),
            }
        }
    })
}

/// A random rule set over the small vocabulary, compiled.
fn compiled(rules: Vec<Value>) -> CompiledRules {
    let mut rules = rules;
    for (i, rule) in rules.iter_mut().enumerate() {
        rule["name"] = json!(format!("rule {i}"));
    }
    let file = json!({
        "version": 1,
        "statuses": (0..3).map(|i| json!({"id": format!("0N5Hs000000{i}AAAAAA"), "developerName": OMNI_NAMES[i]})).collect::<Vec<_>>(),
        "telephony": {"system": "softphone", "states": PHONE_NAMES},
        "rules": rules
    });
    CompiledRules::from_value(&file).expect("generated rules are valid")
}

/// An agent change, or (one time in four) a workload change, which no random rule is
/// triggered by.
fn change_or_workload() -> impl Strategy<Value = Event> {
    prop_oneof![
        3 => agent_change(),
        1 => (0..3u8).prop_map(|w| Event::WorkloadChanged {
            configured_capacity: 2.0,
            previous_workload: 0.0,
            new_workload: f64::from(w),
        }),
    ]
}

proptest! {
    /// The replay's lean simulators (no log, no rule names, no decision on an event no
    /// rule is triggered by) carry out the same actions as detailed ones.
    #[test]
    fn lean_simulation_acts_as_the_detailed_one(
        rules in prop::collection::vec(random_rule(), 1..12),
        changes in prop::collection::vec((change_or_workload(), 0..3_000u64), 1..60),
        with_reason in any::<bool>(),
    ) {
        let rules = compiled(rules);
        let mut detailed = omnisync::simulate::Simulator::new(rules.clone(), with_reason);
        let mut lean = omnisync::simulate::Simulator::new(rules, with_reason);
        lean.detail(false);
        let mut at = 0;
        for (change, gap) in &changes {
            at += gap;
            let (d, l) = (detailed.step(change, at), lean.step(change, at));
            prop_assert_eq!(&d.actions, &l.actions);
            prop_assert_eq!(d.echoes, l.echoes);
            prop_assert!(l.log.is_empty() && l.matched.is_empty());
            prop_assert_eq!((detailed.omni(), detailed.telephony()), (lean.omni(), lean.telephony()));
        }
        prop_assert_eq!(detailed.finish().actions, lean.finish().actions);
        let (d, l) = (detailed.stats(), lean.stats());
        prop_assert_eq!(
            (d.actions, d.echoes, d.deferred, d.chain_limited, d.retries),
            (l.actions, l.echoes, l.deferred, l.chain_limited, l.retries)
        );
    }

    #[test]
    fn random_rule_sets_never_run_away(
        rules in prop::collection::vec(random_rule(), 1..12),
        changes in prop::collection::vec((agent_change(), 0..500u64), 1..60),
        with_reason in any::<bool>(),
    ) {
        let mut sim = omnisync::simulate::Simulator::new(compiled(rules), with_reason);
        let mut at = 0;
        for (change, gap) in &changes {
            at += gap;
            let step = sim.step(change, at);
            // One agent change may touch each side at most once.
            prop_assert!(step.actions.len() <= 2, "{:?}", step.actions);
            let omni = step.actions.iter().filter(|a| matches!(a, Action::SetOmniStatus { .. })).count();
            prop_assert!(omni <= 1 && step.actions.len() - omni <= 1);
        }
        sim.finish();
        prop_assert!(sim.stats().actions <= 2 * changes.len() as u64);
    }
}
