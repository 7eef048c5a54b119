//! Bounded work on any rules file: size limits refused with a clear error, messages
//! that list a few names, and checks that stay fast on large and adversarial files.
//! The time ceilings are deliberately generous (30 s): they catch an exponential or
//! quadratic return, not a slow machine.

#![cfg(not(target_arch = "wasm32"))]

use omnisync::check::check;
use omnisync::rules::parse::{MAX_LISTED, MAX_RULES, MAX_STATUSES, MAX_STRING};
use omnisync::{CompiledRules, Error};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const CEILING: Duration = Duration::from_secs(30);

fn id(n: usize) -> String {
    format!("0N5{n:012}")
}

/// Layers of four states, alternating sides; each rule takes any state of one layer to
/// one state of the next. Nothing oscillates, but the number of paths grows four times
/// per layer: a check that walks every path takes minutes at 56 rules.
fn layered(rules: usize) -> Value {
    let layers = rules / 4 + 1;
    let name = |i: usize, c: char| format!("L{i:03}{c}");
    let (mut statuses, mut states, mut list) = (vec![], vec![], vec![]);
    for i in 0..layers {
        for c in "abcd".chars() {
            if i % 2 == 0 {
                statuses.push(json!({"id": id(statuses.len()), "developerName": name(i, c)}));
            } else {
                states.push(name(i, c));
            }
        }
    }
    for i in 0..layers - 1 {
        let omni = i % 2 == 0;
        let left = if omni {
            "omni.newStatus"
        } else {
            "telephony.newState"
        };
        let any: Vec<Value> = "abcd"
            .chars()
            .map(|a| json!({"left": left, "op": "eq", "right": {"value": name(i, a)}}))
            .collect();
        for b in "abcd".chars() {
            let then = if omni {
                json!([{"setTelephonyState": name(i + 1, b)}])
            } else {
                json!([{"setOmniStatus": name(i + 1, b)}])
            };
            list.push(json!({
                "name": format!("L{i} -> {}", name(i + 1, b)),
                "on": if omni { "omni.statusChanged" } else { "telephony.stateChanged" },
                "if": {"any": any},
                "then": then
            }));
        }
    }
    json!({"version": 1, "statuses": statuses, "telephony": {"system": "x", "states": states}, "rules": list})
}

/// `n` rules: most map one of 500 phone states to one of 50 statuses; every tenth is
/// a workload rule pinned to no state, so many pairs could conflict.
fn many_rules(n: usize) -> Value {
    let statuses: Vec<Value> = (0..50)
        .map(|i| json!({"id": id(i), "developerName": format!("St{i}")}))
        .collect();
    let states: Vec<String> = (0..500).map(|i| format!("S{i}")).collect();
    let rules: Vec<Value> = (0..n)
        .map(|i| {
            if i % 10 == 0 {
                json!({"name": format!("r{i}"), "on": "omni.workloadChanged",
                    "if": {"left": "omni.newWorkloadPct", "op": "ge", "right": {"value": i % 100}},
                    "then": [{"setTelephonyState": format!("S{}", i % 500)}]})
            } else {
                json!({"name": format!("r{i}"), "on": "telephony.stateChanged",
                    "if": {"left": "telephony.newState", "op": "eq", "right": {"value": format!("S{}", i % 500)}},
                    "then": [{"setOmniStatus": format!("St{}", i % 50)}]})
            }
        })
        .collect();
    json!({"version": 1, "statuses": statuses, "telephony": {"system": "x", "states": states}, "rules": rules})
}

fn compiled(file: &Value) -> CompiledRules {
    match CompiledRules::from_value(file) {
        Ok(rules) => rules,
        Err(e) => panic!("refused: {:?}", e.details()),
    }
}

fn refusal(file: &Value) -> Vec<(String, String, String)> {
    match CompiledRules::from_value(file) {
        Err(Error::InvalidRules(errors)) => errors
            .into_iter()
            .map(|f| (f.code.to_string(), f.path, f.message))
            .collect(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn the_layered_56_rule_file_checks_in_time_and_does_not_oscillate() {
    let file = layered(56);
    let started = Instant::now();
    let report = check(&compiled(&file));
    let took = started.elapsed();
    assert!(took < CEILING, "check took {took:?}");
    assert!(
        report.errors.iter().all(|f| f.code != "check.cycle"),
        "{:?}",
        report.errors
    );
}

#[test]
fn eight_thousand_rules_check_in_time_with_a_bounded_report() {
    let text = many_rules(8_000).to_string();
    let started = Instant::now();
    let report = omnisync::check::check_str(&text);
    let took = started.elapsed();
    assert!(took < CEILING, "check took {took:?}");
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let conflicts: Vec<_> = report
        .warnings
        .iter()
        .filter(|f| f.code == "check.conflict")
        .collect();
    // 800 workload rules pinned to no state, setting the phone to different states:
    // hundreds of thousands of pairs, of which a fixed number is listed.
    assert_eq!(conflicts.len(), 21, "{conflicts:?}");
    let last = &conflicts[20].message;
    assert!(
        last.starts_with("and ") && last.contains("more pairs"),
        "{last}"
    );
    let bytes: usize = report.warnings.iter().map(|f| f.message.len()).sum();
    assert!(bytes < 2_000_000, "{bytes} bytes of warnings");
}

#[test]
fn forty_thousand_statuses_compile_and_check_in_time() {
    let mut file = many_rules(100);
    let statuses: Vec<Value> = (0..40_000)
        .map(|i| json!({"id": id(i), "developerName": format!("St{i}")}))
        .collect();
    file["statuses"] = json!(statuses);
    let started = Instant::now();
    let rules = compiled(&file);
    let report = check(&rules);
    assert!(started.elapsed() < CEILING, "took {:?}", started.elapsed());
    assert!(report.errors.is_empty());
    assert_eq!(
        rules.status_by_name("St39999").map(|s| s.id.len()),
        Some(18)
    );
    assert!(rules.status_by_id(&id(12_345)).is_some());
    assert!(rules.status_by_name("St40000").is_none());
}

#[test]
fn duplicates_among_many_statuses_are_each_found_once() {
    let mut file = many_rules(10);
    let mut statuses: Vec<Value> = (0..20_000)
        .map(|i| json!({"id": id(i), "developerName": format!("St{i}")}))
        .collect();
    statuses.push(json!({"id": id(20_000), "developerName": "St7"}));
    statuses.push(json!({"id": id(3), "developerName": "Fresh"}));
    file["statuses"] = json!(statuses);
    let errors = refusal(&file);
    let codes: Vec<(&str, &str)> = errors
        .iter()
        .map(|(c, p, _)| (c.as_str(), p.as_str()))
        .collect();
    assert_eq!(
        codes,
        [
            ("rules.duplicateStatus", "$.statuses[20000].developerName"),
            ("rules.duplicateStatus", "$.statuses[20001].id"),
        ]
    );
}

#[test]
fn an_unknown_status_lists_a_few_names_only() {
    let mut file = many_rules(10);
    let statuses: Vec<Value> = (0..5_000)
        .map(|i| json!({"id": id(i), "developerName": format!("St{i}")}))
        .collect();
    file["statuses"] = json!(statuses);
    file["rules"][1]["then"] = json!([{"setOmniStatus": "Nowhere"}]);
    let errors = refusal(&file);
    assert_eq!(errors.len(), 1);
    let message = &errors[0].2;
    assert!(message.contains("\"Nowhere\""), "{message}");
    assert!(
        message.ends_with(&format!("and {} more", 5_000 - MAX_LISTED)),
        "{message}"
    );
    assert!(message.len() < 400, "{message}");
}

#[test]
fn errors_are_capped_with_a_count() {
    let mut file = many_rules(500);
    for rule in file["rules"].as_array_mut().into_iter().flatten() {
        rule["then"] = json!([{"setOmniStatus": "Nowhere"}]);
    }
    let errors = refusal(&file);
    assert_eq!(errors.len(), 101);
    assert_eq!(errors[100].0, "rules.tooManyErrors");
    assert!(
        errors[100].2.starts_with("and 400 more errors"),
        "{}",
        errors[100].2
    );
}

#[test]
fn sizes_past_a_limit_are_refused_naming_it() {
    let file = many_rules(MAX_RULES + 1);
    let errors = refusal(&file);
    assert_eq!(errors[0].0, "rules.tooLarge");
    assert_eq!(errors[0].1, "$.rules");
    assert!(
        errors[0]
            .2
            .contains(&format!("the limit is {MAX_RULES} rules")),
        "{}",
        errors[0].2
    );

    let mut file = many_rules(1);
    let statuses: Vec<Value> = (0..=MAX_STATUSES)
        .map(|i| json!({"id": id(i), "developerName": format!("St{i}")}))
        .collect();
    file["statuses"] = json!(statuses);
    let errors = refusal(&file);
    assert_eq!(
        (errors[0].0.as_str(), errors[0].1.as_str()),
        ("rules.tooLarge", "$.statuses")
    );
    assert!(errors[0]
        .2
        .contains(&format!("the limit is {MAX_STATUSES} statuses")));

    let mut file = many_rules(1);
    file["rules"][0]["name"] = json!("x".repeat(MAX_STRING + 1));
    let errors = refusal(&file);
    assert_eq!(
        (errors[0].0.as_str(), errors[0].1.as_str()),
        ("rules.tooLarge", "$.rules[0].name")
    );
    assert!(
        errors[0].2.contains("characters per string"),
        "{}",
        errors[0].2
    );

    // Text past the byte limit is refused before it is parsed.
    let text = format!(
        "{{\"version\": 1, \"pad\": \"{}\"}}",
        " ".repeat(9 * 1024 * 1024)
    );
    let errors = match CompiledRules::from_json_str(&text) {
        Err(Error::InvalidRules(errors)) => errors,
        other => panic!("{other:?}"),
    };
    assert_eq!(errors[0].code, "rules.tooLarge");
    assert!(errors[0].message.contains("bytes"), "{}", errors[0].message);
}

#[test]
fn a_long_oscillating_ring_is_found_without_deep_recursion() {
    // 2,000 statuses and 2,000 phone states in one ring: a cycle of 4,000 rules.
    let n = 2_000;
    let statuses: Vec<Value> = (0..n)
        .map(|i| json!({"id": id(i), "developerName": format!("O{i:05}")}))
        .collect();
    let states: Vec<String> = (0..n).map(|i| format!("T{i:05}")).collect();
    let mut rules = Vec::new();
    for i in 0..n {
        rules.push(json!({"name": format!("o{i}"), "on": "omni.statusChanged",
            "if": {"left": "omni.newStatus", "op": "eq", "right": {"value": format!("O{i:05}")}},
            "then": [{"setTelephonyState": format!("T{i:05}")}]}));
        rules.push(json!({"name": format!("t{i}"), "on": "telephony.stateChanged",
            "if": {"left": "telephony.newState", "op": "eq", "right": {"value": format!("T{i:05}")}},
            "then": [{"setOmniStatus": format!("O{:05}", (i + 1) % n)}]}));
    }
    let file = json!({"version": 1, "statuses": statuses, "telephony": {"system": "x", "states": states}, "rules": rules});
    let report = check(&compiled(&file));
    let cycles: Vec<_> = report
        .errors
        .iter()
        .filter(|f| f.code == "check.cycle")
        .collect();
    assert_eq!(cycles.len(), 1, "{:?}", report.errors);
    assert!(
        cycles[0].message.contains("and 3990 more"),
        "{}",
        cycles[0].message
    );
    assert!(cycles[0].message.len() < 2_000);
}

#[test]
fn a_dense_group_of_states_lists_ten_cycles_in_time() {
    // 60 statuses and 60 phone states, each state of one side leading to every state
    // of the other: oscillations beyond counting; ten are listed.
    let n = 60;
    let statuses: Vec<Value> = (0..n)
        .map(|i| json!({"id": id(i), "developerName": format!("O{i:02}")}))
        .collect();
    let states: Vec<String> = (0..n).map(|i| format!("T{i:02}")).collect();
    let mut rules = Vec::new();
    for i in 0..n {
        for j in 0..n {
            rules.push(json!({"name": format!("o{i}-{j}"), "on": "omni.statusChanged",
                "if": {"left": "omni.newStatus", "op": "eq", "right": {"value": format!("O{i:02}")}},
                "then": [{"setTelephonyState": format!("T{j:02}")}]}));
            rules.push(json!({"name": format!("t{i}-{j}"), "on": "telephony.stateChanged",
                "if": {"left": "telephony.newState", "op": "eq", "right": {"value": format!("T{i:02}")}},
                "then": [{"setOmniStatus": format!("O{j:02}")}]}));
        }
    }
    let file = json!({"version": 1, "statuses": statuses, "telephony": {"system": "x", "states": states}, "rules": rules});
    let started = Instant::now();
    let report = check(&compiled(&file));
    assert!(started.elapsed() < CEILING);
    let cycles = report
        .errors
        .iter()
        .filter(|f| f.code == "check.cycle")
        .count();
    assert_eq!(cycles, 10, "{:?}", report.errors);
    assert!(report.warnings.len() < 100, "{}", report.warnings.len());
}
