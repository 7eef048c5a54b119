//! An admin's first hour with the `omnisync` command: a scoped rule tested with the
//! agent's context, traps warned about, errors that say how to fix them. The catalog,
//! imports and hand-written traces: `crates/cli/tests/admin_catalog.rs`.

#![cfg(not(target_arch = "wasm32"))]

mod command;
use command::{omnisync, stderr, stdout};

use serde_json::Value;

const TEAM_RULES: &str = "tests/fixtures/simulate/team-lunch.json";
const TEAM_TRACE: &str = "tests/fixtures/simulate/team-lunch.jsonl";
const CATALOG: &str = "examples/org-statuses.json";

fn simulate_team(extra: &[&str]) -> String {
    let mut args = vec![
        "simulate",
        "--rules",
        TEAM_RULES,
        "--catalog",
        CATALOG,
        "--events",
        TEAM_TRACE,
        "--format",
        "table",
    ];
    args.extend(extra);
    let out = omnisync(&args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    stdout(&out)
}

#[test]
fn a_team_scoped_rule_acts_with_the_team_and_says_out_of_scope_without() {
    let without = simulate_team(&[]);
    assert!(!without.contains("omni=Lunch"), "{without}");
    assert!(
        without.contains("not acted: \"Team A lunch\": out of scope: the rule is for teams Team_A; this agent: no teams"),
        "{without}"
    );
    for with in [
        simulate_team(&["--team", "Team_A"]),
        simulate_team(&["--context", "tests/fixtures/simulate/team-a.json"]),
    ] {
        let lunch = with
            .lines()
            .find(|l| l.contains("omni=Lunch"))
            .unwrap_or_default();
        assert!(lunch.contains("Team A lunch"), "{with}");
        assert!(!with.contains("out of scope"), "{with}");
    }
    let other = simulate_team(&["--team", "Team_B", "--user", "005Hs00000A1b2CAAA"]);
    assert!(other.contains("this agent: teams Team_B"), "{other}");
}

#[test]
fn every_rule_that_did_not_act_says_why() {
    let out = omnisync(&[
        "simulate",
        "--rules",
        TEAM_RULES,
        "--catalog",
        CATALOG,
        "--events",
        TEAM_TRACE,
        "--team",
        "Team_A",
    ]);
    let lines: Vec<Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    // The phone goes Available: Omni is already there; the Lunch rule's comparison fails.
    let available = &lines[1]["notActed"];
    assert_eq!(available[0]["rule"], "Team A lunch");
    assert_eq!(available[0]["outcome"], "notMatched");
    assert_eq!(
        available[0]["why"],
        "condition false: telephony.newState eq \"Lunch\" (it is \"Available\")"
    );
    assert_eq!(available[1]["outcome"], "alreadyInState");
    // The Lunch write's confirmation is recognised as its echo.
    let lunch = lines[2]["notActed"].as_array().cloned().unwrap_or_default();
    assert!(
        lunch
            .iter()
            .any(|m| m["outcome"] == "echo" && m["rule"] == "Team A lunch"),
        "{lunch:?}"
    );
}

#[test]
fn a_bad_context_file_is_a_usage_error() {
    let out = omnisync(&[
        "simulate",
        "--rules",
        TEAM_RULES,
        "--catalog",
        CATALOG,
        "--events",
        TEAM_TRACE,
        "--context",
        TEAM_TRACE,
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("is not an agent context"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_file_with_a_restricted_state_and_a_loop_gets_both_findings_in_one_run() {
    let out = omnisync(&["check", "tests/fixtures/check/restricted-and-loop.json"]);
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_str(&stdout(&out)).expect("json report");
    let codes: Vec<&str> = report["errors"]
        .as_array()
        .map(|e| e.iter().filter_map(|f| f["code"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        codes,
        ["rules.restrictedDestination", "check.cycle"],
        "{report}"
    );
    // The loop's paths are the file's own, though a rule before them was left out.
    assert_eq!(report["errors"][1]["path"], "$.rules[4]", "{report}");
    assert_eq!(
        report["warnings"][0]["code"], "check.incomplete",
        "{report}"
    );
}

#[test]
fn an_error_outside_the_rules_says_the_loop_search_was_skipped() {
    let out = omnisync(&["check", "tests/fixtures/docs/every-mistake.json"]);
    let report: Value = serde_json::from_str(&stdout(&out)).expect("json report");
    let skipped = &report["warnings"][0];
    assert_eq!(skipped["code"], "check.incomplete", "{report}");
    assert!(
        skipped["message"]
            .as_str()
            .unwrap_or_default()
            .contains("skipped: fix the errors outside the rules first"),
        "{report}"
    );
}

#[test]
fn simulate_prints_the_checks_findings_first_and_fails_on_a_file_check_refuses() {
    let out = omnisync(&[
        "simulate",
        "--rules",
        "examples/oscillating.json",
        "--catalog",
        CATALOG,
        "--events",
        "examples/traces/oscillating.jsonl",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.starts_with("omnisync check examples/oscillating.json:\nerror    check.cycle"),
        "{err}"
    );
    // The trace is still replayed, so the admin sees the chain limit at work.
    assert!(stdout(&out).contains("\"summary\""));
    // A file the engine refuses is not replayed: exit 2 with every finding.
    let out = omnisync(&[
        "simulate",
        "--rules",
        "tests/fixtures/check/restricted-and-loop.json",
        "--catalog",
        CATALOG,
        "--events",
        "examples/traces/oscillating.jsonl",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("rules.restrictedDestination") && err.contains("check.cycle"),
        "{err}"
    );
    assert!(stdout(&out).is_empty());
}

#[test]
fn every_warning_names_its_rule_by_name_and_path_and_says_what_would_fix_it() {
    let rules = serde_json::json!({
        "version": 1,
        "statuses": [{"developerName": "Available"}, {"developerName": "Lunch", "online": false}],
        "telephony": {"system": "amazon-connect", "states": ["Available", "Lunch", "Offline"]},
        "rules": [
            {"name": "typo", "on": "telephony.stateChanged",
             "if": {"left": "telephony.newState", "op": "eq", "right": {"value": "lunch"}},
             "then": [{"setOmniStatus": "Lunch"}]},
            {"name": "own side", "on": "omni.statusChanged",
             "then": [{"setOmniStatus": "Lunch"}]},
            {"name": "full", "on": "omni.workloadChanged",
             "if": {"left": "omni.newWorkloadPct", "op": "ge", "right": {"value": 80}},
             "then": [{"setTelephonyState": "Lunch"}]},
            {"name": "very full", "on": "omni.workloadChanged",
             "if": {"left": "omni.newWorkloadPct", "op": "ge", "right": {"value": 100}},
             "then": [{"setTelephonyState": "Offline"}]}
        ]
    });
    let path = std::env::temp_dir().join(format!("omnisync-warnings-{}.json", std::process::id()));
    std::fs::write(&path, rules.to_string()).expect("write rules");
    let out = omnisync(&["check", path.to_str().unwrap_or_default()]);
    let _ = std::fs::remove_file(&path);
    let report: Value = serde_json::from_str(&stdout(&out)).expect("json report");
    let warnings = report["warnings"].as_array().cloned().unwrap_or_default();
    let codes: Vec<&str> = warnings.iter().filter_map(|w| w["code"].as_str()).collect();
    assert_eq!(
        codes,
        ["check.neverMatches", "check.sameSide", "check.conflict"],
        "{report}"
    );
    let fixes = [
        "correct the name",
        "remove the action, or set the other side",
        "give one of them a condition the other excludes",
    ];
    for (warning, fix) in warnings.iter().zip(fixes) {
        let message = warning["message"].as_str().unwrap_or_default();
        let path = warning["path"].as_str().unwrap_or_default();
        assert!(message.contains(&format!("({path})")), "{warning}");
        assert!(message.contains(fix), "{warning}");
    }
}
