//! The `omnisync` command as an admin runs it: exit codes, findings, simulation.

#![cfg(not(target_arch = "wasm32"))]

mod command;
use command::{omnisync, stdout, temp};

use serde_json::Value;

#[test]
fn every_example_passes_check_except_the_oscillating_one() {
    for example in [
        "reference-rules",
        "cti-four-row",
        "workload-capacity",
        "bidirectional-1to1",
    ] {
        let out = omnisync(&["check", &format!("examples/{example}.json")]);
        assert_eq!(out.status.code(), Some(0), "{example}: {}", stdout(&out));
        // The examples name statuses only; the example org has every one of them.
        let path = format!("examples/{example}.json");
        let out = omnisync(&["check", "--catalog", "examples/org-statuses.json", &path]);
        assert_eq!(out.status.code(), Some(0), "{example}: {}", stdout(&out));
    }
}

/// `omnisync check --catalog` on the default rules, which carry no Id.
fn check_defaults_against(catalog: &str) -> (Option<i32>, Value) {
    let out = omnisync(&[
        "check",
        "--catalog",
        catalog,
        "www/demo/default-rules.json",
        "--format",
        "json",
    ]);
    let report = serde_json::from_str(&stdout(&out)).expect("json report");
    (out.status.code(), report)
}

#[test]
fn check_with_a_catalog_accepts_an_org_that_has_every_status() {
    let (code, report) = check_defaults_against("tests/fixtures/catalog/production.json");
    assert_eq!(code, Some(0), "{report}");
    assert_eq!(report["errors"], serde_json::json!([]));
}

#[test]
fn check_with_a_catalog_names_each_status_the_org_lacks() {
    let (code, report) = check_defaults_against("tests/fixtures/catalog/without-lunch.json");
    assert_eq!(code, Some(1), "{report}");
    let errors = report["errors"].as_array().cloned().unwrap_or_default();
    let missing: Vec<&str> = errors
        .iter()
        .filter(|e| e["code"] == "rules.unknownStatus")
        .filter_map(|e| e["message"].as_str())
        .collect();
    assert_eq!(missing.len(), 3, "{report}");
    let lunch = missing
        .iter()
        .find(|m| m.contains("\"Lunch\""))
        .expect("Lunch is named");
    // The org's names, ten of its thirteen, then how many more.
    assert!(
        lunch.contains("Available, Queue_01") && lunch.contains("Queue_09 and 3 more"),
        "{lunch}"
    );
    assert!(!lunch.contains("Queue_10"), "{lunch}");
    // The table says the same to a person.
    let out = omnisync(&[
        "check",
        "--catalog",
        "tests/fixtures/catalog/without-lunch.json",
        "www/demo/default-rules.json",
        "--format",
        "table",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("\"Lunch\""), "{}", stdout(&out));
}

/// docs/salesforce.md: an agent's own export (the statuses their profile and permission
/// sets grant) as the catalog; a status the rules name and the agent may not use is
/// named, and the message says that a per-agent export is one reason.
#[test]
fn check_with_an_agents_own_export_names_a_status_the_agent_may_not_use() {
    let (code, report) = check_defaults_against("tests/fixtures/catalog/agent-without-lunch.json");
    assert_eq!(code, Some(1), "{report}");
    let errors = report["errors"].as_array().cloned().unwrap_or_default();
    let lunch = errors
        .iter()
        .filter(|e| e["code"] == "rules.unknownStatus")
        .filter_map(|e| e["message"].as_str())
        .find(|m| m.contains("\"Lunch\""))
        .unwrap_or_default()
        .to_string();
    assert!(lunch.contains("the agent may not use it"), "{report}");
}

#[test]
fn check_with_a_catalog_warns_when_the_rules_give_another_id() {
    let mut rules: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("OMNISYNC_ROOT"),
            "/www/demo/default-rules.json"
        ))
        .expect("default rules"),
    )
    .expect("json");
    // The sandbox's Id, written into the file: production has another.
    rules["statuses"][2]["id"] = "0N5Hs0000004LunKAE".into();
    let path = temp("with-id.json", &rules.to_string());
    let out = omnisync(&[
        "check",
        "--catalog",
        "tests/fixtures/catalog/production.json",
        path.to_str().unwrap_or_default(),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let report: Value = serde_json::from_str(&stdout(&out)).expect("json report");
    let warning = &report["warnings"][0];
    assert_eq!(warning["code"], "rules.statusIdMismatch", "{report}");
    assert_eq!(warning["path"], "$.statuses[2].id");
    let message = warning["message"].as_str().unwrap_or_default();
    assert!(message.contains("0N53t000000CaLu"), "{message}");
}

#[test]
fn check_with_a_catalog_takes_the_bare_records_list_and_refuses_other_files() {
    let whole: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("OMNISYNC_ROOT"),
            "/tests/fixtures/catalog/production.json"
        ))
        .expect("fixture"),
    )
    .expect("json");
    let records = temp("records.json", &whole["result"]["records"].to_string());
    let (code, report) = check_defaults_against(records.to_str().unwrap_or_default());
    assert_eq!(code, Some(0), "{report}");
    // What sf prints when the query fails is not a catalog: a usage error, with why.
    let failed = temp(
        "failed.json",
        r#"{"status": 1, "name": "INVALID_TYPE", "message": "sObject type 'ServicePresenceStatus' is not supported."}"#,
    );
    let out = omnisync(&[
        "check",
        "--catalog",
        failed.to_str().unwrap_or_default(),
        "www/demo/default-rules.json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("is not supported"), "{err}");
}

#[test]
fn check_finds_the_cycle_and_names_its_rules() {
    let out = omnisync(&["check", "examples/oscillating.json", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_str(&stdout(&out)).expect("json report");
    let cycle = &report["errors"][0];
    assert_eq!(cycle["code"], "check.cycle");
    let message = cycle["message"].as_str().unwrap_or_default();
    for rule in [
        "phone Lunch -> Omni Lunch",
        "Omni Lunch -> phone Break",
        "phone Break -> Omni Busy",
        "Omni Busy -> phone Lunch",
    ] {
        assert!(message.contains(rule), "{message}");
    }
    assert!(report["warnings"].is_array());
}

#[test]
fn check_reports_syntax_errors_with_line_and_column() {
    let path = temp(
        "broken.json",
        "{\n  \"version\": 1,\n  \"statuses\": [,]\n}",
    );
    let out = omnisync(&["check", path.to_str().unwrap_or_default()]);
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_str(&stdout(&out)).expect("json report");
    let message = report["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("line 3, column"), "{message}");
}

#[test]
fn check_warns_about_a_logout_rule_written_as_a_status_change() {
    let path = temp(
        "never.json",
        r#"{"version": 1,
        "statuses": [{"id": "0N5Hs0000001AvlKAE", "developerName": "Available"}],
        "telephony": {"system": "amazon-connect", "states": ["Offline", "Available"]},
        "rules": [{"name": "offline", "on": "omni.statusChanged",
                   "if": {"left": "omni.newStatus", "op": "eq", "right": {"value": "Offline"}},
                   "then": [{"setTelephonyState": "Offline"}]}]}"#,
    );
    let out = omnisync(&["check", path.to_str().unwrap_or_default()]);
    assert_eq!(out.status.code(), Some(0), "warnings do not fail the check");
    let report: Value = serde_json::from_str(&stdout(&out)).expect("json report");
    assert_eq!(report["warnings"][0]["code"], "check.neverMatches");
    assert_eq!(report["warnings"][0]["path"], "$.rules[0]");
}

#[test]
fn usage_and_io_errors_exit_2() {
    assert_eq!(omnisync(&["check"]).status.code(), Some(2));
    assert_eq!(
        omnisync(&["check", "no/such/file.json"]).status.code(),
        Some(2)
    );
    assert_eq!(omnisync(&["frobnicate"]).status.code(), Some(2));
    assert_eq!(
        omnisync(&["check", "examples/cti-four-row.json", "--format", "xml"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn help_lists_every_command_on_standard_output() {
    for args in [&["--help"][..], &["-h"], &["help"]] {
        let out = omnisync(args);
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        let text = stdout(&out);
        assert!(text.contains("Usage: omnisync"), "{text}");
        for command in ["check", "simulate", "schema", "import", "help"] {
            assert!(
                text.lines()
                    .any(|l| l.trim_start().starts_with(&format!("{command} "))),
                "{args:?} lists {command}: {text}"
            );
        }
    }
    // No command at all: the help on standard error, exit 2.
    let out = omnisync(&[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stdout(&out).is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("simulate"));
}

#[test]
fn each_command_has_help_that_describes_each_option() {
    let options: [(&str, &[&str]); 4] = [
        ("check", &["--catalog", "--format", "--help"]),
        (
            "simulate",
            &[
                "--rules",
                "--events",
                "--catalog",
                "--no-reason",
                "--format",
            ],
        ),
        ("schema", &["--help"]),
        ("import", &["--from", "--help"]),
    ];
    for (command, flags) in options {
        for args in [[command, "--help"], ["help", command], [command, "-h"]] {
            let out = omnisync(&args);
            assert_eq!(out.status.code(), Some(0), "{args:?}");
            let text = stdout(&out);
            assert!(
                text.contains(&format!("Usage: omnisync {command}")),
                "{args:?}: {text}"
            );
            for flag in flags {
                // The option's line, or the line after it (the long help), describes it.
                let lines: Vec<&str> = text.lines().collect();
                let at = lines
                    .iter()
                    .position(|l| {
                        l.trim_start().starts_with(flag) || l.contains(&format!(", {flag}"))
                    })
                    .unwrap_or(lines.len());
                let shown = lines[at.min(lines.len())..(at + 2).min(lines.len())].join(" ");
                let words = shown
                    .split_whitespace()
                    .filter(|w| !w.starts_with(['-', '<']));
                assert!(words.count() >= 2, "{args:?}: {flag} is described: {text}");
            }
        }
    }
    // The values an option takes are named.
    let check = stdout(&omnisync(&["check", "--help"]));
    assert!(check.contains("json") && check.contains("table"), "{check}");
    assert!(check.contains("RULES.json"), "{check}");
    let import = stdout(&omnisync(&["import", "--help"]));
    assert!(
        import.contains("cti-adapter") && import.contains("cxone"),
        "{import}"
    );
}

#[test]
fn a_usage_error_names_the_problem_then_the_commands_usage() {
    let out = omnisync(&["check", "no/such/file.json"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("omnisync: cannot read no/such/file.json"),
        "{err}"
    );
    assert!(err.contains("Usage: omnisync check"), "{err}");
    let out = omnisync(&["simulate", "--rules", "examples/cti-four-row.json"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--events"), "{err}");
    let out = omnisync(&["import", "--from", "genesys", "x.csv"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cti-adapter") && err.contains("cxone"),
        "{err}"
    );
}

#[test]
fn simulate_reports_a_malformed_trace_line_by_number() {
    let path = temp("bad.jsonl", "{\"at\": 1, \"type\": \"telephony.stateChanged\", \"newState\": \"Lunch\"}\n{\"at\": 2, \"type\": \"omni.workloadChanged\", \"newWorkload\": \"x\"}\n");
    let out = omnisync(&[
        "simulate",
        "--rules",
        "examples/bidirectional-1to1.json",
        "--catalog",
        "examples/org-statuses.json",
        "--events",
        path.to_str().unwrap_or_default(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.jsonl:2:"), "{err}");
}

#[test]
fn the_schema_command_matches_the_shipped_schema() {
    let out = omnisync(&["schema"]);
    assert_eq!(out.status.code(), Some(0));
    let shipped =
        std::fs::read_to_string(concat!(env!("OMNISYNC_ROOT"), "/schema/rules.schema.json"))
            .expect("schema file");
    assert_eq!(
        stdout(&out).trim(),
        shipped.trim(),
        "run `omnisync schema > schema/rules.schema.json`"
    );
}

/// A deterministic stream of agent changes on both sides.
fn random_trace(changes: usize, seed: u64) -> String {
    let omni = [
        ("0N5Hs0000001AvlKAE", "Available"),
        ("0N5Hs0000004LunKAE", "Lunch"),
        ("0N5Hs0000006BrkKAE", "Break"),
        ("0N5Hs0000007TrnKAE", "Training"),
    ];
    let mut x = seed;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut at = 0;
    let mut lines = Vec::new();
    for _ in 0..changes {
        let r = next();
        at += r % 400; // often closer than the 100 ms other products drop
        let (id, name) = omni[(r >> 8) as usize % 4];
        lines.push(if r >> 20 & 1 == 0 {
            format!(r#"{{"at": {at}, "type": "telephony.stateChanged", "newState": "{name}"}}"#)
        } else {
            format!(r#"{{"at": {at}, "type": "omni.statusChanged", "statusId": "{id}", "statusApiName": "{name}", "reason": "OmniManualStatusChange"}}"#)
        });
    }
    lines.join("\n")
}

#[test]
fn ten_thousand_random_changes_never_loop_and_end_consistent() {
    let trace = temp("random.jsonl", &random_trace(10_000, 0x5eed));
    for reason in [true, false] {
        let mut args = vec![
            "simulate",
            "--rules",
            "examples/bidirectional-1to1.json",
            "--catalog",
            "examples/org-statuses.json",
            "--events",
            trace.to_str().unwrap_or_default(),
        ];
        if !reason {
            args.push("--no-reason");
        }
        let out = omnisync(&args);
        assert_eq!(out.status.code(), Some(0));
        let text = stdout(&out);
        let lines: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).expect("json line"))
            .collect();
        assert_eq!(lines.len(), 10_001);
        for line in &lines[..10_000] {
            assert!(
                line["actions"].as_array().map_or(0, Vec::len) <= 1,
                "{line}"
            );
        }
        let summary = &lines[10_000]["summary"];
        assert_eq!(summary["events"], 10_000);
        assert!(summary["actions"].as_u64().unwrap_or(u64::MAX) <= 10_000);
        assert_eq!(
            summary["actions"], summary["echoes"],
            "every action's echo was recognised"
        );
        assert_eq!(
            summary["finalOmni"], summary["finalTelephony"],
            "1:1 mapping: both sides agree"
        );
    }
}

#[test]
fn check_warns_about_a_rule_that_sets_its_own_side() {
    let path = temp(
        "same-side.json",
        r#"{"version": 1,
        "statuses": [{"id": "0N5Hs0000001AvlKAE", "developerName": "Available"}],
        "telephony": {"system": "amazon-connect", "states": ["Busy on Omni", "Available"]},
        "rules": [{"name": "phone to phone", "on": "telephony.stateChanged",
                   "then": [{"setTelephonyState": "Busy on Omni"}]}]}"#,
    );
    let out = omnisync(&["check", path.to_str().unwrap_or_default()]);
    assert_eq!(out.status.code(), Some(0));
    let report: Value = serde_json::from_str(&stdout(&out)).expect("json report");
    assert_eq!(report["warnings"][0]["code"], "check.sameSide");
}
