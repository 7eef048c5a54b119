//! An admin's first hour with the `omnisync` command: a scoped rule tested with the
//! agent's context, traps warned about, errors that say how to fix them, an imported
//! file that passes its check, traces by name and clock time.

#![cfg(not(target_arch = "wasm32"))]

use serde_json::Value;
use std::process::{Command, Output};

fn omnisync(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_omnisync"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

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
