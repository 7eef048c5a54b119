//! The cost bound on a rules file (docs/rules.md, "Limits"): rules that stay inside
//! every size limit but are costly per step (thousands of identical actions, a long
//! chain closed by repeated edges) check in seconds, and a file whose checking would
//! pass the budget of elementary operations gets `rules.tooComplex` naming the rules
//! that cost most. The time ceiling is generous (a shared machine): before the bound,
//! these files took 417 s and 111 s.

#![cfg(not(target_arch = "wasm32"))]

use omnisync::check::check_str;
use omnisync::rules::budget::MAX_WORK;
use omnisync::rules::parse::{MAX_FILE_BYTES, MAX_LIST};
use omnisync::{CompiledRules, Engine, Event};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const CEILING: Duration = Duration::from_secs(30);

/// As many rules as fit in the file size limit, each with MAX_LIST identical actions,
/// all on one trigger under allMatches (the generator of bench/scaling.mjs).
fn identical_targets() -> String {
    let then: Vec<Value> = (0..MAX_LIST)
        .map(|_| json!({"setTelephonyState": "X"}))
        .collect();
    let file = |n: usize| {
        let rules: Vec<Value> = (0..n)
            .map(|i| json!({"name": format!("r{i}"), "on": "omni.workloadChanged", "then": then}))
            .collect();
        json!({"version": 1, "statuses": [], "telephony": {"system": "x", "states": ["X"]},
            "options": {"evaluation": "allMatches"}, "rules": rules})
        .to_string()
    };
    let mut n = 1;
    while file(n + 1).len() <= MAX_FILE_BYTES {
        n += 1;
    }
    file(n)
}

/// A chain of rules alternating sides, closed back to its start by ten rules with
/// MAX_LIST identical actions each.
fn closed_chain(chain: usize) -> String {
    let (mut statuses, mut states, mut rules) = (vec![], vec![], vec![]);
    for i in 0..chain {
        if i % 2 == 0 {
            states.push(format!("T{i}"));
            statuses
                .push(json!({"id": format!("0N5{i:012}"), "developerName": format!("O{}", i + 1)}));
            rules.push(json!({"name": format!("c{i}"), "on": "telephony.stateChanged",
                "if": {"left": "telephony.newState", "op": "eq", "right": {"value": format!("T{i}")}},
                "then": [{"setOmniStatus": format!("O{}", i + 1)}]}));
        } else {
            let next = if i + 1 < chain {
                format!("T{}", i + 1)
            } else {
                "T0".into()
            };
            rules.push(json!({"name": format!("c{i}"), "on": "omni.statusChanged",
                "if": {"left": "omni.newStatus", "op": "eq", "right": {"value": format!("O{i}")}},
                "then": [{"setTelephonyState": next}]}));
        }
    }
    let back: Vec<Value> = (0..MAX_LIST)
        .map(|_| json!({"setTelephonyState": "T0"}))
        .collect();
    for k in 0..10 {
        rules.push(json!({"name": format!("close{k}"), "on": "omni.statusChanged",
            "if": {"left": "omni.newStatus", "op": "eq", "right": {"value": format!("O{}", chain - 1)}},
            "then": back}));
    }
    json!({"version": 1, "statuses": statuses, "telephony": {"system": "x", "states": states},
        "options": {"evaluation": "allMatches"}, "rules": rules})
    .to_string()
}

#[test]
fn identical_actions_at_the_size_limit_check_in_seconds() {
    let text = identical_targets();
    assert!(text.len() <= MAX_FILE_BYTES && text.len() > MAX_FILE_BYTES - 300_000);
    let started = Instant::now();
    let report = check_str(&text);
    let took = started.elapsed();
    assert!(took < CEILING, "check took {took:?}");
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    // Identical actions never conflict.
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
}

#[test]
fn a_chain_closed_by_repeated_actions_checks_in_seconds() {
    let text = closed_chain(4_990);
    let started = Instant::now();
    let report = check_str(&text);
    let took = started.elapsed();
    assert!(took < CEILING, "check took {took:?}");
    // The ring is an oscillation, found once per closing rule (at most ten listed).
    let cycles = report
        .errors
        .iter()
        .filter(|f| f.code == "check.cycle")
        .count();
    assert!((1..=10).contains(&cycles), "{:?}", report.errors);
}

#[test]
fn repeated_actions_collapse_to_the_last_per_side_and_act_the_same() {
    let statuses = json!([{"id": "0N5000000000001", "developerName": "A"},
        {"id": "0N5000000000002", "developerName": "B"}]);
    let rules = json!({"version": 1, "statuses": statuses, "telephony": {"system": "x", "states": ["X", "Y"]},
        "rules": [{"name": "r", "on": "omni.workloadChanged",
            "then": [{"setTelephonyState": "X"}, {"setOmniStatus": "A"}, {"setTelephonyState": "Y"},
                {"setTelephonyState": "Y"}, {"setOmniStatus": "B"}, {"setTelephonyState": "Y"}]}]});
    let compiled = CompiledRules::from_value(&rules).unwrap();
    assert_eq!(compiled.rules[0].targets.len(), 2);
    let mut engine = Engine::new(compiled);
    let event = Event::from_value(&json!({"type": "omni.workloadChanged",
        "configuredCapacity": 4, "previousWorkload": 0, "newWorkload": 1}))
    .unwrap();
    let names: Vec<String> = engine
        .handle(&event, 1)
        .actions
        .iter()
        .map(|a| format!("{a:?}"))
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names[0].contains("\"B\""), "{names:?}");
    assert!(names[1].contains("\"Y\""), "{names:?}");
}

#[test]
fn a_file_past_the_budget_is_named_by_its_costliest_rules() {
    // 2,500 unconditioned workload rules setting the phone to different states: about
    // 3 million pairs that may conflict, each costing a few operations.
    let states: Vec<String> = (0..2_500).map(|i| format!("S{i}")).collect();
    let rules: Vec<Value> = (0..2_500)
        .map(|i| {
            json!({"name": format!("r{i}"), "on": "omni.workloadChanged",
            "then": [{"setTelephonyState": format!("S{i}")}]})
        })
        .collect();
    let text = json!({"version": 1, "statuses": [], "telephony": {"system": "x", "states": states},
        "options": {"evaluation": "allMatches"}, "rules": rules})
    .to_string();
    let started = Instant::now();
    let report = check_str(&text);
    assert!(started.elapsed() < CEILING);
    let complex: Vec<_> = report
        .warnings
        .iter()
        .filter(|f| f.code == "rules.tooComplex")
        .collect();
    assert_eq!(complex.len(), 1, "{:?}", report.warnings);
    let message = &complex[0].message;
    assert!(
        message.contains(&format!("{MAX_WORK} elementary operations")),
        "{message}"
    );
    // The later rules are compared with every earlier one: they cost most.
    assert!(
        message.contains("\"r2499\"") || message.contains("\"r1"),
        "{message}"
    );
    assert!(
        complex[0].path.starts_with("$.rules["),
        "{}",
        complex[0].path
    );
}

#[test]
fn a_file_inside_the_budget_has_no_too_complex_finding() {
    let states: Vec<String> = (0..1_000).map(|i| format!("S{i}")).collect();
    let rules: Vec<Value> = (0..1_000)
        .map(|i| {
            json!({"name": format!("r{i}"), "on": "omni.workloadChanged",
            "then": [{"setTelephonyState": format!("S{i}")}]})
        })
        .collect();
    let text = json!({"version": 1, "statuses": [], "telephony": {"system": "x", "states": states},
        "options": {"evaluation": "allMatches"}, "rules": rules})
    .to_string();
    let report = check_str(&text);
    assert!(report.warnings.iter().all(|f| f.code != "rules.tooComplex"));
    assert!(report.warnings.iter().any(|f| f.code == "check.conflict"));
}

#[test]
fn control_characters_and_bidi_overrides_in_rule_names_are_refused() {
    for name in [
        "a\u{0}b",
        "Lunch\u{202E}hcnuL",
        "two\nlines",
        "iso\u{2066}late",
    ] {
        let rules = json!({"version": 1, "statuses": [], "telephony": {"system": "x", "states": ["X"]},
            "rules": [{"name": name, "on": "omni.workloadChanged", "then": [{"setTelephonyState": "X"}]}]});
        let err = CompiledRules::from_value(&rules).unwrap_err();
        let codes: Vec<_> = err
            .details()
            .iter()
            .map(|f| (f.code, f.path.as_str()))
            .collect();
        assert_eq!(
            codes,
            [("rules.controlCharacter", "$.rules[0].name")],
            "{name:?}"
        );
    }
    let fine = json!({"version": 1, "statuses": [], "telephony": {"system": "x", "states": ["X"]},
        "rules": [{"name": "Pause déjeuner – ランチ", "on": "omni.workloadChanged", "then": [{"setTelephonyState": "X"}]}]});
    assert!(CompiledRules::from_value(&fine).is_ok());
}
