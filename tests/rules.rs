//! Reading and checking rules files: every error listed, with code, path and sentence.

#![cfg(not(target_arch = "wasm32"))]

use omnisync::{CompiledRules, Error};
use serde_json::{json, Value};

fn base() -> Value {
    json!({
        "version": 1,
        "statuses": [
            {"id": "0N5Hs0000001AAAAA1", "developerName": "Available"},
            {"id": "0N5Hs0000002AAAAA2", "developerName": "Lunch", "online": false}
        ],
        "telephony": {"system": "amazon-connect", "states": ["Available", "Lunch", "Busy  on  Omni"]},
        "rules": []
    })
}

fn with_rule(rule: Value) -> Value {
    let mut file = base();
    file["rules"] = json!([rule]);
    file
}

fn errors(file: &Value) -> Vec<(String, String)> {
    match CompiledRules::from_value(file) {
        Ok(_) => vec![],
        Err(e) => {
            assert_eq!(e.code(), "rules.invalid");
            e.details()
                .iter()
                .map(|f| (f.code.to_string(), f.path.clone()))
                .collect()
        }
    }
}

fn one(code: &str, path: &str) -> Vec<(String, String)> {
    vec![(code.to_string(), path.to_string())]
}

#[test]
fn the_design_example_is_valid() {
    let text = include_str!("../examples/reference-rules.json");
    let org =
        omnisync::rules::Catalog::from_json_str(include_str!("../examples/org-statuses.json"))
            .expect("valid catalog");
    let rules = CompiledRules::from_json_str_with_catalog(text, &org).expect("valid");
    // Two mapping rules, then the file's two rules, in that order.
    let names: Vec<&str> = rules.rules.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "telephonyToOmni[0]: Lunch -> Lunch",
            "omniToTelephony[0]: Lunch -> Lunch",
            "Connect agent switches to Lunch",
            "At capacity: phone busy"
        ]
    );
}

#[test]
fn syntax_errors_give_line_and_column() {
    let err = CompiledRules::from_json_str("{\n  \"version\": 1,\n  oops\n}").unwrap_err();
    let Error::InvalidRules(found) = err else {
        panic!("wrong error")
    };
    assert_eq!(found[0].code, "rules.syntax");
    assert!(found[0].message.contains("line 3"), "{}", found[0].message);
}

#[test]
fn every_error_is_listed_not_just_the_first() {
    let mut file = base();
    file["extra"] = json!(true);
    file["statuses"][1]["colour"] = json!("red");
    file["rules"] = json!([
        {"name": "a", "on": "telephony.stateChanged", "then": [{"setOmniStatus": "Lnch"}]},
        {"name": "b", "on": "omni.nothing", "then": []},
        {"name": "c", "on": "telephony.stateChanged", "then": [{"setTelephonyState": "AfterCallWork"}]}
    ]);
    // Shape and meaning errors come together, each at its original position.
    assert_eq!(
        errors(&file),
        vec![
            ("rules.shape".into(), "$.extra".into()),
            ("rules.shape".into(), "$.statuses[1].colour".into()),
            ("rules.shape".into(), "$.rules[1].on".into()),
            (
                "rules.unknownStatus".into(),
                "$.rules[0].then[0].setOmniStatus".into()
            ),
            (
                "rules.restrictedDestination".into(),
                "$.rules[2].then[0].setTelephonyState".into()
            ),
        ]
    );
    file["rules"][1]["on"] = json!("omni.logout");
    file["rules"][1]["name"] = json!("a");
    let found = errors(&file);
    assert!(found.contains(&("rules.noActions".into(), "$.rules[1].then".into())));
    assert!(found.contains(&("rules.duplicateRuleName".into(), "$.rules[1].name".into())));
}

#[test]
fn an_unknown_status_lists_the_known_ones() {
    let file = with_rule(json!({"name": "x", "on": "telephony.stateChanged",
        "then": [{"setOmniStatus": "Lnch"}]}));
    let err = CompiledRules::from_value(&file).unwrap_err();
    let message = &err.details()[0].message;
    assert!(message.contains("Available, Lunch"), "{message}");
}

#[test]
fn unknown_fields_are_refused_with_their_path() {
    let file = with_rule(
        json!({"name": "x", "on": "telephony.stateChanged", "when": 1,
        "then": [{"setOmniStatus": "Lunch"}]}),
    );
    let found = errors(&file);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].0, "rules.shape");
    assert!(found[0].1.starts_with("$.rules[0]"), "{found:?}");
}

#[test]
fn a_bad_comparator_is_named() {
    let file = with_rule(json!({"name": "x", "on": "telephony.stateChanged",
        "if": {"left": "telephony.newState", "op": "gtt", "right": {"value": "Lunch"}},
        "then": [{"setOmniStatus": "Lunch"}]}));
    let err = CompiledRules::from_value(&file).unwrap_err();
    assert!(
        err.details()[0].message.contains("gtt"),
        "{:?}",
        err.details()
    );
    assert_eq!(err.details()[0].path, "$.rules[0].if");
}

#[test]
fn system_states_are_readable_but_not_settable() {
    let read = with_rule(json!({"name": "on a call", "on": "telephony.stateChanged",
        "if": {"left": "telephony.newState", "op": "eq", "right": {"value": "Busy"}},
        "then": [{"setOmniStatus": "Lunch"}]}));
    assert_eq!(errors(&read), vec![]);
    let mut file = base();
    file["mappings"] = json!({"omniToTelephony": [{"omni": "Lunch", "telephony": "PendingBusy"}]});
    assert_eq!(
        errors(&file),
        one(
            "rules.restrictedDestination",
            "$.mappings.omniToTelephony[0].telephony"
        )
    );
}

#[test]
fn every_streams_state_but_init_is_a_builtin_system_state() {
    // Streams' connect.AgentAvailStates and connect.AgentErrorStates (the shipped build
    // is read by www/test/streams-states.test.mjs), and Open CTI's "Pending".
    for name in [
        "Busy",
        "Pending",
        "PendingBusy",
        "PendingAvailable",
        "CallingCustomer",
        "Dialing",
        "Joining",
        "AfterCallWork",
        "AgentHungUp",
        "BadAddressAgent",
        "BadAddressCustomer",
        "Default",
        "Error",
        "FailedConnectAgent",
        "FailedConnectCustomer",
        "InvalidLocale",
        "LineEngagedAgent",
        "LineEngagedCustomer",
        "MissedCallAgent",
        "MissedCallCustomer",
        "MultipleCcpWindows",
        "RealtimeCommunicationError",
    ] {
        let read = with_rule(json!({"name": "read", "on": "telephony.stateChanged",
            "if": {"left": "telephony.newState", "op": "eq", "right": {"value": name}},
            "then": [{"setOmniStatus": "Lunch"}]}));
        assert_eq!(errors(&read), vec![], "{name} can be read");
        let set = with_rule(json!({"name": "set", "on": "omni.statusChanged",
            "then": [{"setTelephonyState": name}]}));
        assert_eq!(
            errors(&set),
            one(
                "rules.restrictedDestination",
                "$.rules[0].then[0].setTelephonyState"
            ),
            "{name} cannot be set"
        );
    }
    assert!(!omnisync::rules::file::BUILTIN_SYSTEM_STATES.contains(&"Init"));
}

#[test]
fn init_is_no_state_and_is_neither_read_nor_set() {
    for left in ["telephony.newState", "telephony.oldState"] {
        let read = with_rule(json!({"name": "read", "on": "telephony.stateChanged",
            "if": {"left": left, "op": "eq", "right": {"value": "Init"}},
            "then": [{"setOmniStatus": "Lunch"}]}));
        assert_eq!(
            errors(&read),
            one("rules.unknownTelephonyState", "$.rules[0].if.right.value")
        );
    }
    let set = with_rule(json!({"name": "set", "on": "omni.statusChanged",
        "then": [{"setTelephonyState": "Init"}]}));
    assert_eq!(
        errors(&set),
        one(
            "rules.unknownTelephonyState",
            "$.rules[0].then[0].setTelephonyState"
        )
    );
    // "Init" is not a status name: an Omni condition may compare with it.
    let omni = with_rule(json!({"name": "omni", "on": "omni.statusChanged",
        "if": {"left": "omni.newStatus", "op": "eq", "right": {"value": "Init"}},
        "then": [{"setTelephonyState": "Lunch"}]}));
    assert_eq!(errors(&omni), vec![]);
}

#[test]
fn custom_system_states_replace_the_builtin_list() {
    let mut file = with_rule(json!({"name": "x", "on": "omni.statusChanged",
        "then": [{"setTelephonyState": "Wrap"}]}));
    file["telephony"] =
        json!({"system": "genesys", "states": ["Wrap", "Busy"], "systemStates": ["Wrap"]});
    assert_eq!(
        errors(&file),
        one(
            "rules.restrictedDestination",
            "$.rules[0].then[0].setTelephonyState"
        )
    );
    file["rules"][0]["then"][0]["setTelephonyState"] = json!("Busy");
    assert_eq!(errors(&file), vec![]);
}

#[test]
fn type_mismatches_are_refused() {
    let cases = [
        (
            json!({"left": "telephony.newState", "op": "gt", "right": {"value": "Lunch"}}),
            "$.rules[0].if.op",
        ),
        (
            json!({"left": "omni.newWorkload", "op": "ge", "right": {"value": "lots"}}),
            "$.rules[0].if.right.value",
        ),
        (
            json!({"left": "omni.newWorkload", "op": "ge", "right": {"operand": "telephony.newState"}}),
            "$.rules[0].if.right.operand",
        ),
        (
            json!({"left": "telephony.newState", "op": "eq", "right": {"value": 3}}),
            "$.rules[0].if.right.value",
        ),
    ];
    for (cond, path) in cases {
        let file = with_rule(
            json!({"name": "x", "on": "omni.workloadChanged", "if": cond,
            "then": [{"setOmniStatus": "Lunch"}]}),
        );
        assert_eq!(errors(&file), one("rules.typeMismatch", path));
    }
}

#[test]
fn numeric_strings_are_numbers_for_numeric_operands() {
    let file = with_rule(json!({"name": "x", "on": "omni.workloadChanged",
        "if": {"left": "omni.newWorkloadPct", "op": "ge", "right": {"value": "100"}},
        "then": [{"setOmniStatus": "Lunch"}]}));
    assert_eq!(errors(&file), vec![]);
}

#[test]
fn the_channel_operand_needs_a_work_event() {
    let file = with_rule(json!({"name": "x", "on": "telephony.stateChanged",
        "if": {"left": "omni.channel", "op": "eq", "right": {"value": "Cases"}},
        "then": [{"setOmniStatus": "Lunch"}]}));
    assert_eq!(
        errors(&file),
        one("rules.operandUnavailable", "$.rules[0].if.left")
    );
}

#[test]
fn empty_groups_and_duplicate_names_are_refused() {
    let mut file = base();
    file["rules"] = json!([
        {"name": "x", "on": "omni.logout", "if": {"any": []}, "then": [{"setTelephonyState": "Lunch"}]},
        {"name": "x", "on": "omni.logout", "then": [{"setTelephonyState": "Lunch"}]}
    ]);
    assert_eq!(
        errors(&file),
        vec![
            ("rules.emptyGroup".into(), "$.rules[0].if.any".into()),
            ("rules.duplicateRuleName".into(), "$.rules[1].name".into()),
        ]
    );
}

#[test]
fn telephony_names_are_exact() {
    let file = with_rule(json!({"name": "x", "on": "omni.statusChanged",
        "then": [{"setTelephonyState": "Busy on Omni"}]}));
    assert_eq!(
        errors(&file),
        one(
            "rules.unknownTelephonyState",
            "$.rules[0].then[0].setTelephonyState"
        )
    );
    let file = with_rule(json!({"name": "x", "on": "omni.statusChanged",
        "then": [{"setTelephonyState": "Busy  on  Omni"}]}));
    assert_eq!(errors(&file), vec![]);
}

#[test]
fn status_catalog_is_checked() {
    let mut file = base();
    file["statuses"] = json!([
        {"id": "0N5Hs000000ABCD", "developerName": "Available"},
        {"id": "0N5Hs000000ABCDAAA", "developerName": "Away"},
        {"id": "not an id", "developerName": "Lunch"},
        {"id": "0N5Hs0000009AAAAA9", "developerName": "Available"}
    ]);
    assert_eq!(
        errors(&file),
        vec![
            ("rules.duplicateStatus".into(), "$.statuses[1].id".into()),
            ("rules.invalidStatusId".into(), "$.statuses[2].id".into()),
            (
                "rules.duplicateStatus".into(),
                "$.statuses[3].developerName".into()
            ),
        ]
    );
}

#[test]
fn missing_sections_and_wrong_version() {
    assert_eq!(
        errors(&json!({"version": 1, "statuses": []})),
        one("rules.shape", "$")
    );
    let mut file = base();
    file["version"] = json!(3);
    assert_eq!(errors(&file), one("rules.unsupportedVersion", "$.version"));
    assert_eq!(errors(&json!([])), one("rules.shape", "$"));
}

#[test]
fn offline_mapping_is_a_logout_rule() {
    let mut file = base();
    file["mappings"] = json!({"omniToTelephony": [{"omni": "Offline", "telephony": "Lunch"}]});
    let rules = CompiledRules::from_value(&file).expect("valid");
    let triggers: Vec<&str> = rules.rules.iter().map(|r| r.on.name()).collect();
    assert_eq!(triggers, ["omni.logout"]);
    file["statuses"][1]["developerName"] = json!("Offline");
    let rules = CompiledRules::from_value(&file).expect("valid");
    let triggers: Vec<&str> = rules.rules.iter().map(|r| r.on.name()).collect();
    assert_eq!(triggers, ["omni.logout", "omni.statusChanged"]);
}
