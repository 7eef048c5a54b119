//! An admin's first hour, the org's catalog and hand-written traces: an imported
//! report export that passes its check with no hand edit, the catalog's statuses in
//! check's warnings, traces by status name and clock time, hints that name the fix.

#![cfg(not(target_arch = "wasm32"))]

mod command;
use command::{omnisync, stderr, stdout};

use serde_json::Value;

const CATALOG: &str = "examples/org-statuses.json";

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
