//! `omnisync import --from cxone` as a CXone admin runs it: the imported file names the
//! states the CXone phone adapter (www/phones/cxone.js) reports, carries CXone's system
//! states, maps user-scoped rows through the user map, and passes `check` and
//! `simulate` of a CXone trace against the org's catalog with no hand edit.

#![cfg(not(target_arch = "wasm32"))]

mod command;
use command::{omnisync, temp};

use omnisync::import::{from_cxone, from_cxone_with_users, CxoneUserMap, CXONE_SYSTEM_STATES};
use serde_json::{json, Value};
use std::path::PathBuf;

const TABLES: &str = "tests/fixtures/cxone/tables.json";
const USERS: &str = "tests/fixtures/cxone/users.csv";
const CATALOG: &str = "tests/fixtures/cxone/catalog.json";
const TRACE: &str = "tests/fixtures/cxone/trace.jsonl";

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn read(path: &str) -> String {
    let path = format!("{}/{path}", env!("OMNISYNC_ROOT"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The imported rules file, written as the command prints it.
fn import_fixture() -> (PathBuf, String) {
    let out = omnisync(&["import", "--from", "cxone", TABLES, "--users", USERS]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    (temp("rules.json", &text(&out.stdout)), text(&out.stderr))
}

#[test]
fn imported_tables_check_and_simulate_a_cxone_trace_with_no_hand_edit() {
    let (rules, said) = import_fixture();
    let rules = rules.to_str().expect("utf-8 path");
    let out = omnisync(&["check", "--catalog", CATALOG, rules]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));

    let out = omnisync(&[
        "simulate",
        "--rules",
        rules,
        "--events",
        TRACE,
        "--catalog",
        CATALOG,
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let lines: Vec<Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON lines"))
        .collect();
    let at = |t: u64| {
        lines
            .iter()
            .find(|l| l["at"] == json!(t))
            .unwrap_or_else(|| panic!("no step at {t}: {lines:#?}"))
    };
    // CXone Unavailable with code Lunch, as the adapter names it: Omni goes to Lunch.
    assert_eq!(at(1000)["actions"][0]["type"], "setOmniStatus");
    assert_eq!(at(1000)["actions"][0]["developerName"], "Lunch");
    // Omni Lunch on a CXone contact: nothing is set (InboundContact is a system state)...
    assert_eq!(at(80000)["actions"], json!([]));
    assert_eq!(
        at(90000)["actions"],
        json!([]),
        "not during after-call work"
    );
    // ...until the contact and its after-call work are over.
    assert_eq!(
        at(100000)["actions"],
        json!([{"rule": "omniToTelephony[1]: Lunch -> Lunch", "state": "Lunch", "type": "setTelephonyState"}])
    );
    let summary = &lines.last().expect("a summary")["summary"];
    assert_eq!(summary["deferred"], 1);
    assert_eq!(summary["finalTelephony"], "Lunch");
    // The user map's user is mapped; the one it lacks is reported with the reason.
    assert!(
        said.contains("scoped to users 005Hs00000A1b2CAAA"),
        "{said}"
    );
    assert!(
        said.contains("skipped publisherStateMapping record 4 \"Coaching -> Break\": the row is scoped to the CXone user \"nobody@example.com\", whom the user map does not name"),
        "{said}"
    );
}

/// The imported file as committed: the JS engine test (www/test/cxone-engine.test.mjs)
/// runs it against the CXone adapter and the real SDK as it is.
#[test]
fn the_import_is_the_file_the_js_engine_test_runs() {
    let out = omnisync(&["import", "--from", "cxone", TABLES, "--users", USERS]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        text(&out.stdout),
        read("tests/fixtures/cxone/rules.json"),
        "regenerate tests/fixtures/cxone/rules.json with the import command"
    );
}

#[test]
fn the_file_names_what_the_adapter_reports() {
    let imported = from_cxone_with_users(
        &read(TABLES),
        Some(&CxoneUserMap::from_csv(&read(USERS)).expect("a user map")),
    )
    .expect("readable");
    let telephony = &imported.rules.telephony;
    assert_eq!(telephony.system, "nice-cxone");
    // The code alone for Unavailable with a code; CXone's spelling of its states.
    assert_eq!(telephony.states, ["Available", "Lunch", "Break"]);
    assert_eq!(
        telephony.system_states.as_deref(),
        Some(CXONE_SYSTEM_STATES.map(str::to_string).as_slice())
    );
    // The adapter's own list, in its source: the two must not drift apart.
    let adapter = read("www/phones/cxone.js");
    let list_of = |name: &str| -> Vec<String> {
        let start = adapter
            .find(name)
            .unwrap_or_else(|| panic!("{name} in cxone.js"));
        let rest = &adapter[start..];
        let body = &rest[rest.find('[').expect("[")..rest.find(']').expect("]")];
        body.split('"')
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect()
    };
    let mut reported = list_of("CXONE_CONTACT_STATES = Object.freeze(");
    reported.push("AfterCallWork".to_string());
    assert!(adapter.contains("CXONE_AFTER_CALL_WORK = \"AfterCallWork\""));
    assert_eq!(reported, CXONE_SYSTEM_STATES);
}

#[test]
fn after_call_work_rows_and_spellings_become_the_adapters_names() {
    let tables = json!({"publisherStateMapping": [
        {"acdState": "Unavailable", "unavailableCode": "Wrap", "isAcw": true, "omniStatus": "Wrap_Up"},
        {"acdState": "after call work", "omniStatus": "Wrap_Up"},
        {"acdState": "available", "omniStatus": "Available"},
        {"acdState": "Inbound Contact", "omniStatus": "On_Call"}
    ]});
    let imported = from_cxone(&tables.to_string()).expect("readable");
    let pairs: Vec<(&str, &str)> = (imported.rules.mappings.telephony_to_omni.iter())
        .map(|m| (m.telephony.as_str(), m.omni.as_str()))
        .collect();
    assert_eq!(
        pairs,
        [
            ("AfterCallWork", "Wrap_Up"),
            ("AfterCallWork", "Wrap_Up"),
            ("Available", "Available"),
            ("InboundContact", "On_Call")
        ]
    );
    // System states are read, so they are not in the states the agent may set.
    assert_eq!(imported.rules.telephony.states, ["Available"]);
}

#[test]
fn user_scoped_rows_without_a_map_are_reported_with_the_reason() {
    let out = omnisync(&["import", "--from", "cxone", TABLES]);
    assert_eq!(out.status.code(), Some(0));
    let said = text(&out.stderr);
    assert!(
        said.contains("the row is scoped to the user \"agent.smith@example.com\", which is not a Salesforce User Id (005...): pass a user map (--users FILE"),
        "{said}"
    );
}

#[test]
fn a_bad_user_map_is_a_usage_error() {
    let map = temp(
        "bad-users.csv",
        "name,id\nagent.smith@example.com,not-an-id\n",
    );
    let map = map.to_str().expect("utf-8 path");
    let out = omnisync(&["import", "--from", "cxone", TABLES, "--users", map]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("\"not-an-id\" is not a Salesforce User Id"));
    let out = omnisync(&["import", "--from", "cti-adapter", TABLES, "--users", USERS]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("--users goes with --from cxone only"));
    let twice = "a@x.com,005Hs00000A1b2CAAA\nA@X.com,005Hs00000A1b2DAAA\n";
    assert!(CxoneUserMap::from_csv(twice).is_err(), "one user, two Ids");
    let map = CxoneUserMap::from_csv(
        "CXone user name,Salesforce User Id\n\nA@x.com,005Hs00000A1b2CAAA\n",
    )
    .expect("header and blank line skipped");
    assert_eq!(map.len(), 1);
    assert_eq!(map.user_id("a@X.com"), Some("005Hs00000A1b2CAAA"));
}
