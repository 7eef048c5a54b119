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

#[test]
fn import_with_the_catalog_makes_a_report_export_with_a_footer_pass_check_with_no_hand_edit() {
    let out = omnisync(&[
        "import",
        "--from",
        "cti-adapter",
        "--catalog",
        CATALOG,
        "tests/fixtures/import/cti_report_footer.csv",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("skipped line 8: not a record"), "{err}");
    assert!(err.contains("skipped line 9: not a record"), "{err}");
    assert!(
        err.contains("added from the catalog by DeveloperName: Available, Lunch, Break"),
        "{err}"
    );
    let path = std::env::temp_dir().join(format!("omnisync-imported-{}.json", std::process::id()));
    std::fs::write(&path, stdout(&out)).expect("write the imported file");
    let check = omnisync(&[
        "check",
        "--catalog",
        CATALOG,
        path.to_str().unwrap_or_default(),
    ]);
    let _ = std::fs::remove_file(&path);
    assert_eq!(check.status.code(), Some(0), "{}", stdout(&check));
    let report: Value = serde_json::from_str(&stdout(&check)).expect("json report");
    assert_eq!(report, serde_json::json!({"errors": [], "warnings": []}));
}

#[test]
fn check_with_the_catalog_counts_the_orgs_statuses_as_ones_omni_reports() {
    // One status listed by hand; the rule compares with Break, which the org has.
    let rules = serde_json::json!({
        "version": 1,
        "statuses": [{"developerName": "Lunch", "online": false}],
        "telephony": {"system": "amazon-connect", "states": ["Lunch", "Break"]},
        "rules": [{"name": "Omni Break to phone", "on": "omni.statusChanged",
                   "if": {"left": "omni.newStatus", "op": "eq", "right": {"value": "Break"}},
                   "then": [{"setTelephonyState": "Break"}]}]
    });
    let path = std::env::temp_dir().join(format!("omnisync-break-{}.json", std::process::id()));
    std::fs::write(&path, rules.to_string()).expect("write rules");
    let file = path.to_str().unwrap_or_default();
    let with = omnisync(&["check", "--catalog", CATALOG, file]);
    let without = omnisync(&["check", file]);
    let _ = std::fs::remove_file(&path);
    let with: Value = serde_json::from_str(&stdout(&with)).expect("json report");
    assert_eq!(with["warnings"], serde_json::json!([]), "{with}");
    let without: Value = serde_json::from_str(&stdout(&without)).expect("json report");
    assert_eq!(
        without["warnings"][0]["code"], "check.neverMatches",
        "{without}"
    );
}

#[test]
fn an_empty_statuses_list_is_named_never_listed_as_nothing() {
    let out = omnisync(&[
        "import",
        "--from",
        "cti-adapter",
        "tests/fixtures/import/cti_bidirectional.csv",
    ]);
    let path = std::env::temp_dir().join(format!("omnisync-empty-{}.json", std::process::id()));
    std::fs::write(&path, stdout(&out)).expect("write the imported file");
    let check = omnisync(&[
        "check",
        path.to_str().unwrap_or_default(),
        "--format",
        "table",
    ]);
    let _ = std::fs::remove_file(&path);
    let text = stdout(&check);
    assert!(
        !text.contains("are: \n") && !text.contains("are:\n"),
        "{text}"
    );
    assert!(text.contains("\"statuses\" is empty"), "{text}");
    // A CSV with no header row at all says so instead of listing no columns.
    let dir = std::env::temp_dir().join(format!("omnisync-noheader-{}.csv", std::process::id()));
    std::fs::write(&dir, "Presence sync rules\n").expect("write");
    let out = omnisync(&[
        "import",
        "--from",
        "cti-adapter",
        dir.to_str().unwrap_or_default(),
    ]);
    let _ = std::fs::remove_file(&dir);
    assert!(
        stderr(&out).contains("no header row was found"),
        "{}",
        stderr(&out)
    );
}

const CLOCK_TRACE: &str = "tests/fixtures/simulate/clock-names.jsonl";
const IDS_RULES: &str = "tests/fixtures/simulate/lunch-with-ids.json";

#[test]
fn a_trace_with_clock_times_and_status_names_only_runs_with_the_catalog() {
    let args = |extra: &[&'static str]| {
        let mut args = vec![
            "simulate",
            "--rules",
            IDS_RULES,
            "--events",
            CLOCK_TRACE,
            "--day",
            "2026-12-07",
        ];
        args.extend_from_slice(extra);
        args
    };
    let without = omnisync(&args(&["--format", "table"]));
    assert_eq!(without.status.code(), Some(2));
    let err = stderr(&without);
    assert!(
        err.contains("clock-names.jsonl:2: the event names its status by statusApiName only: give the org's catalog with --catalog"),
        "{err}"
    );
    let table = omnisync(&args(&[
        "--catalog",
        CATALOG,
        "--tz",
        "+01:00",
        "--format",
        "table",
    ]));
    assert_eq!(table.status.code(), Some(0), "{}", stderr(&table));
    let text = stdout(&table);
    let rows: Vec<&str> = text.lines().collect();
    assert_eq!(rows[0], "2026-12-07", "{text}");
    assert!(
        rows[1].starts_with("08:00:00.000  omni.loginSuccess"),
        "{text}"
    );
    assert!(
        rows[3].starts_with("12:00:00.000  telephony.stateChanged   omni=Lunch"),
        "{text}"
    );
    assert!(rows[4].starts_with("13:30:00.000"), "{text}");
    // The JSON keeps milliseconds since 1970: 08:00 at +01:00 is 07:00 UTC.
    let json = omnisync(&args(&["--catalog", CATALOG, "--tz", "+01:00"]));
    let first: Value = serde_json::from_str(stdout(&json).lines().next().unwrap_or_default())
        .expect("a json line");
    assert_eq!(first["at"], 1_796_626_800_000u64, "{first}");
    assert_eq!(first["event"]["statusId"], "0N5Hs0000001AvlKAE", "{first}");
}

#[test]
fn a_time_that_is_not_one_and_a_bad_zone_are_named() {
    let path = std::env::temp_dir().join(format!("omnisync-noon-{}.jsonl", std::process::id()));
    std::fs::write(&path, "{\"at\": \"noon\", \"type\": \"omni.logout\"}\n").expect("write");
    let file = path.to_str().unwrap_or_default();
    let out = omnisync(&["simulate", "--rules", IDS_RULES, "--events", file]);
    let _ = std::fs::remove_file(&path);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("\"noon\" is not a time: write milliseconds, an ISO 8601 date-time"),
        "{}",
        stderr(&out)
    );
    let out = omnisync(&[
        "simulate",
        "--rules",
        IDS_RULES,
        "--events",
        CLOCK_TRACE,
        "--tz",
        "Europe/Paris",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--tz Europe/Paris: write UTC or an offset"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_catalog_that_is_not_json_gets_the_hint_to_add_json_and_no_wrong_command_is_offered() {
    let path = std::env::temp_dir().join(format!("omnisync-sf-table-{}.txt", std::process::id()));
    std::fs::write(
        &path,
        " ID                 DEVELOPERNAME MASTERLABEL\n 0N5Hs0000001AvlKAE Available     Available\n",
    )
    .expect("write");
    let out = omnisync(&[
        "check",
        "--catalog",
        path.to_str().unwrap_or_default(),
        IDS_RULES,
    ]);
    let _ = std::fs::remove_file(&path);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("run the query again with --json"),
        "{}",
        stderr(&out)
    );
    // A rules file without Ids, simulated without the catalog: the fix is --catalog on
    // this command, not another command.
    let out = omnisync(&[
        "simulate",
        "--rules",
        "examples/bidirectional-1to1.json",
        "--events",
        CLOCK_TRACE,
    ]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        err.contains("--catalog") && !err.contains("omnisync check --catalog"),
        "{err}"
    );
}
