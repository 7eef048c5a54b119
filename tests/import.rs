//! The `omnisync import` converters: CTI Adapter presence sync rules and CXone mapping
//! tables in, rules files out. Every converted file must compile once the admin has
//! filled in `statuses`, which these tests do with made-up Ids.

#![cfg(not(target_arch = "wasm32"))]

use omnisync::import::{from_cti_adapter, from_cxone, ImportError, Imported};
use omnisync::{CompiledRules, Engine, Event};
use serde_json::{json, Value};

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/import/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// What the admin does after importing: one catalog entry per status the file sets.
fn compile(imported: &Imported) -> CompiledRules {
    let mut file = serde_json::to_value(&imported.rules).expect("serialisable");
    // Statuses may be named (by DeveloperName, for `check --catalog`), never given an Id.
    let named = file["statuses"].as_array().cloned().unwrap_or_default();
    assert!(
        named.iter().all(|s| s.get("id").is_none_or(Value::is_null)),
        "the converter invents no Ids: {named:?}"
    );
    file["statuses"] = imported
        .statuses_needed()
        .iter()
        .enumerate()
        .map(|(i, name)| json!({"id": format!("0N5Hs00000{:02}AAAAAA", i + 1), "developerName": name}))
        .collect();
    CompiledRules::from_value(&file).unwrap_or_else(|e| panic!("{e}: {file:#}"))
}

fn rules_json(imported: &Imported) -> Value {
    serde_json::to_value(&imported.rules.rules).expect("serialisable")
}

fn skipped(imported: &Imported) -> Vec<(&str, &str)> {
    let s = &imported.skipped;
    s.iter()
        .map(|s| (s.record.as_str(), s.reason.as_str()))
        .collect()
}

const HEADER: &str = "Presence Sync Rule Name,Source,Operand A,Operand A Value,Comparator,Operand B,Operand B Value,Destination,Value,Active";

fn csv(rows: &[&str]) -> Imported {
    let text = format!("{HEADER}\n{}\n", rows.join("\n"));
    from_cti_adapter(&text).expect("readable CSV")
}

fn eq_static(left: &str, value: Value) -> Value {
    json!({"left": left, "op": "eq", "right": {"value": value}})
}

#[test]
fn csv_with_labels_converts_a_bidirectional_set_that_runs() {
    let imported = from_cti_adapter(&fixture("cti_bidirectional.csv")).expect("readable");
    assert_eq!(skipped(&imported), []);
    assert_eq!(
        rules_json(&imported),
        json!([
            {"name": "Connect Available to Omni", "on": "telephony.stateChanged",
             "if": eq_static("telephony.newState", json!("Available")), "then": [{"setOmniStatus": "Available"}]},
            {"name": "Omni Available to Connect", "on": "omni.statusChanged",
             "if": eq_static("omni.newStatus", json!("Available")), "then": [{"setTelephonyState": "Available"}]},
            {"name": "Connect phone work to Omni", "on": "telephony.stateChanged",
             "if": eq_static("telephony.newState", json!("Working -- Phone")), "then": [{"setOmniStatus": "Working_Phone"}]},
            {"name": "Omni media work to Connect", "on": "omni.statusChanged",
             "if": eq_static("omni.newStatus", json!("Working_Media")), "then": [{"setTelephonyState": "Working - Media"}]}
        ])
    );
    let file = &imported.rules;
    assert_eq!(
        (file.version, file.telephony.system.as_str()),
        (1, "amazon-connect")
    );
    assert_eq!(
        file.telephony.states,
        ["Available", "Working -- Phone", "Working - Media"]
    );
    assert_eq!(imported.statuses_needed(), ["Available", "Working_Phone"]);

    let mut engine = Engine::new(compile(&imported));
    let phone = json!({"type": "telephony.stateChanged", "newState": "Working -- Phone"});
    let decision = engine.handle(&Event::from_value(&phone).expect("event"), 1000);
    let actions = serde_json::to_value(&decision.actions).expect("serialisable");
    assert_eq!(actions[0]["type"], "setOmniStatus");
    assert_eq!(actions[0]["developerName"], "Working_Phone");
    assert_eq!(actions[0]["rule"], "Connect phone work to Omni");
}

#[test]
fn salesforce_json_with_api_names_and_older_wording() {
    let imported = from_cti_adapter(&fixture("cti_api_names.json")).expect("readable");
    assert_eq!(
        rules_json(&imported),
        json!([
            {"name": "At capacity: phone busy", "on": "omni.workloadChanged",
             "if": {"left": "omni.newWorkloadPct", "op": "ge", "right": {"value": 100}},
             "then": [{"setTelephonyState": "Busy on Omni"}]},
            {"name": "Omni logout: phone offline", "on": "omni.logout",
             "if": eq_static("omni.newStatus", json!("Offline")), "then": [{"setTelephonyState": "Offline"}]},
            {"name": "Case accepted: phone busy", "on": "omni.workAccepted",
             "if": eq_static("omni.channel", json!("Cases")), "then": [{"setTelephonyState": "Busy on Omni"}]}
        ])
    );
    assert_eq!(
        skipped(&imported),
        [("record 4 \"Old lunch rule\"", "inactive")]
    );
    assert_eq!(imported.rules.telephony.states, ["Busy on Omni", "Offline"]);
    compile(&imported);
}

#[test]
fn api_names_without_namespace_and_a_bare_list() {
    let text = json!([{"Name": "Lunch", "Source__c": "Connect_Agent_State_Change",
        "Operand_A__c": "Connect Agent New State", "Comparator__c": "=", "Operand_B__c": "Static Value",
        "Operand_B_Value__c": "Lunch", "Destination__c": "Salesforce Agent State", "Value__c": "Lunch",
        "Active__c": "TRUE"}]);
    let imported = from_cti_adapter(&text.to_string()).expect("readable");
    assert_eq!(skipped(&imported), []);
    assert_eq!(
        rules_json(&imported)[0]["if"],
        eq_static("telephony.newState", json!("Lunch"))
    );
    compile(&imported);
}

#[test]
fn workload_percent_rule_gets_a_numeric_static_value() {
    let imported = csv(&[
        "Busy at 100,Salesforce Workload Changed,Salesforce New Workload Pct,,>=,Static Value,100,Connect Agent State,Busy on Omni,1",
        "Free under half,Omni-Channel Workload Changed,Previous Workload %,,Greater than,Static Value,50%,Connect Agent State,Available,1",
        "Capacity of 2.5,Salesforce Workload Changed,Configured Capacity,,Not equal to,Static Value,2.5,Connect Agent State,Available,1",
    ]);
    assert_eq!(skipped(&imported), []);
    let rules = rules_json(&imported);
    assert_eq!(
        rules[0]["if"],
        json!({"left": "omni.newWorkloadPct", "op": "ge", "right": {"value": 100}})
    );
    assert_eq!(
        rules[1]["if"],
        json!({"left": "omni.previousWorkloadPct", "op": "gt", "right": {"value": 50}})
    );
    assert_eq!(
        rules[2]["if"],
        json!({"left": "omni.configuredCapacity", "op": "ne", "right": {"value": 2.5}})
    );
    compile(&imported);
}

#[test]
fn static_value_as_operand_a_is_swapped_and_the_comparator_mirrored() {
    let imported = csv(&[
        "Under 80,Salesforce Workload Changed,Static Value,80,Less than,Salesforce New Workload Pct,,Connect Agent State,Available,true",
        "Lunch,Connect Agent State Change,Static Value,Lunch,Equal to,Connect Agent New State,,Salesforce Agent State,Lunch,true",
    ]);
    let rules = rules_json(&imported);
    assert_eq!(
        rules[0]["if"],
        json!({"left": "omni.newWorkloadPct", "op": "gt", "right": {"value": 80}})
    );
    assert_eq!(
        rules[1]["if"],
        eq_static("telephony.newState", json!("Lunch"))
    );
    compile(&imported);
}

#[test]
fn inactive_rows_are_skipped_not_dropped() {
    let imported = csv(&[
        "Off 1,Connect Agent State Change,Connect Agent New State,,Equal to,Static Value,Lunch,Salesforce Agent State,Lunch,false",
        "Off 2,Connect Agent State Change,Connect Agent New State,,Equal to,Static Value,Lunch,Salesforce Agent State,Lunch,0",
        "On,Connect Agent State Change,Connect Agent New State,,Equal to,Static Value,Lunch,Salesforce Agent State,Lunch,",
        "Off 3,Connect Agent State Change,Connect Agent New State,,Equal to,Static Value,Lunch,Salesforce Agent State,Lunch,FALSE",
    ]);
    assert_eq!(
        skipped(&imported),
        [
            ("row 2 \"Off 1\"", "inactive"),
            ("row 3 \"Off 2\"", "inactive"),
            ("row 5 \"Off 3\"", "inactive")
        ]
    );
    assert_eq!(imported.rules.rules.len(), 1);
    compile(&imported);
}

#[test]
fn unconvertible_rows_are_listed_with_a_reason() {
    let imported = csv(&[
        "Timer,Salesforce Agent Idle Timeout,Connect Agent New State,,Equal to,Static Value,Lunch,Salesforce Agent State,Lunch,true",
        "Order,Connect Agent State Change,Connect Agent New State,,Greater than,Static Value,Lunch,Salesforce Agent State,Lunch,true",
        "Channel,Connect Agent State Change,Salesforce Service Channel,,Equal to,Static Value,Cases,Salesforce Agent State,Lunch,true",
        "ACW,Salesforce Agent State Change,Salesforce Agent New State,,Equal to,Static Value,Lunch,Connect Agent State,AfterCallWork,true",
        "Words,Salesforce Workload Changed,Salesforce New Workload,,Equal to,Static Value,many,Connect Agent State,Available,true",
        ",Connect Agent State Change,Connect Agent New State,,Equal to,Static Value,Lunch,Salesforce Agent State,Lunch,true",
        "Nowhere,Connect Agent State Change,Connect Agent New State,,Equal to,Static Value,Lunch,Genesys,Lunch,true",
    ]);
    let reasons = skipped(&imported);
    assert_eq!(reasons.len(), 7, "{reasons:#?}");
    assert_eq!(reasons[0].0, "row 2 \"Timer\"");
    assert!(reasons[0]
        .1
        .starts_with("unknown source \"Salesforce Agent Idle Timeout\""));
    assert!(reasons[1]
        .1
        .contains("orders numbers, but telephony.newState is text"));
    assert!(reasons[2]
        .1
        .contains("omni.channel only has a value on work item events"));
    assert!(reasons[3]
        .1
        .contains("\"AfterCallWork\" is an Amazon Connect system state"));
    assert!(reasons[4].1.contains("\"many\" is not a number"));
    assert_eq!(reasons[5], ("row 7", "the rule has no name"));
    assert!(reasons[6].1.starts_with("unknown destination \"Genesys\""));
    assert!(imported.rules.rules.is_empty());
}

#[test]
fn duplicate_names_are_kept_apart() {
    let imported = csv(&[
        "Lunch,Connect Agent State Change,Connect Agent New State,,Equal to,Static Value,Lunch,Salesforce Agent State,Lunch,true",
        "Lunch,Salesforce Agent State Change,Salesforce Agent New State,,Equal to,Static Value,Lunch,Connect Agent State,Lunch,true",
    ]);
    let names: Vec<&str> = imported
        .rules
        .rules
        .iter()
        .map(|r| r.name.as_str())
        .collect();
    assert_eq!(names, ["Lunch", "Lunch (row 3)"]);
    compile(&imported);
}

#[test]
fn unreadable_input_is_an_error_with_its_position() {
    let short_row = format!("{HEADER}\nA,Connect Agent State Change,Connect Agent New State\n");
    match from_cti_adapter(&short_row) {
        Err(ImportError::Csv { line: 2, message }) => {
            assert!(message.contains("3 fields"), "{message}")
        }
        other => panic!("{other:?}"),
    }
    let no_destination = "Name,Source,Operand A,Comparator,Operand B,Value\n";
    match from_cti_adapter(no_destination) {
        Err(ImportError::MissingColumns { missing, .. }) => assert_eq!(missing, ["Destination"]),
        other => panic!("{other:?}"),
    }
    match from_cti_adapter("[{\"Name\": \"x\",\n  \"Source\" \"y\"}]") {
        Err(ImportError::Json { line: 2, .. }) => {}
        other => panic!("{other:?}"),
    }
    assert!(matches!(from_cti_adapter("  \n"), Err(ImportError::Empty)));
    assert!(matches!(
        from_cti_adapter("{\"rows\": []}"),
        Err(ImportError::Shape(_))
    ));
}

#[test]
fn cxone_publisher_and_subscriber_tables() {
    let imported = from_cxone(&fixture("cxone_mappings.json")).expect("readable");
    let m = serde_json::to_value(&imported.rules.mappings).expect("serialisable");
    assert_eq!(
        m,
        json!({
            "telephonyToOmni": [{"telephony": "Available", "omni": "Available"},
                                {"telephony": "Lunch", "omni": "Lunch"},
                                {"telephony": "Training", "omni": "Training", "scope": {"userIds": [], "profileIds": [], "teams": ["Tier_2"]}}],
            "omniToTelephony": [{"omni": "Available", "telephony": "Available"},
                                {"omni": "Lunch", "telephony": "Lunch"},
                                {"omni": "Offline", "telephony": "LoggedOut"}]
        })
    );
    assert_eq!(imported.rules.telephony.system, "nice-cxone");
    assert_eq!(
        imported.rules.telephony.states,
        ["Available", "Lunch", "Training", "LoggedOut"]
    );
    assert_eq!(
        imported.statuses_needed(),
        ["Available", "Lunch", "Training"]
    );
    let rules = compile(&imported);
    assert!(rules
        .rules
        .iter()
        .any(|r| r.name == "omniToTelephony[2]: Offline -> LoggedOut"));
}

#[test]
fn cxone_unavailable_code_names_the_telephony_state() {
    let text = json!({"subscriberStateMapping": [
        {"omniStatus": "Break", "state": "Unavailable", "unavailableCode": "Break"},
        {"omniStatus": "Lunch", "reason": "Lunch"},
        {"omniStatus": "Odd", "state": "Available", "unavailableCode": "Lunch"}]});
    let imported = from_cxone(&text.to_string()).expect("readable");
    let pairs: Vec<(&str, &str)> = (imported.rules.mappings.omni_to_telephony.iter())
        .map(|m| (m.omni.as_str(), m.telephony.as_str()))
        .collect();
    assert_eq!(pairs, [("Break", "Break"), ("Lunch", "Lunch")]);
    assert_eq!(imported.skipped.len(), 1);
    assert!(imported.skipped[0]
        .reason
        .contains("only goes with the Unavailable state"));
    compile(&imported);
}

#[test]
fn cxone_incomplete_rows_are_skipped() {
    let imported = from_cxone(&fixture("cxone_mappings.json")).expect("readable");
    assert_eq!(skipped(&imported), []);
    let text = json!({"publisherStateMapping": [{"cxoneState": "Available"}, {"omniStatus": "Lunch"}],
        "subscriberStateMapping": [{"omniStatus": "Available", "cxoneState": "Inbound Contact"}]});
    let imported = from_cxone(&text.to_string()).expect("readable");
    let reasons: Vec<&str> = imported.skipped.iter().map(|s| s.reason.as_str()).collect();
    assert_eq!(reasons[0], "the row has no Omni-Channel status");
    assert_eq!(reasons[1], "the row has no CXone state");
    // CXone's own system states (not Amazon Connect's), in the adapter's spelling.
    assert!(reasons[2].contains("\"InboundContact\" is a system state"));
    compile(&imported);
}

#[test]
fn cxone_unreadable_input_is_an_error() {
    assert!(matches!(
        from_cxone("{\"publisherStateMapping\": [}"),
        Err(ImportError::Json { line: 1, .. })
    ));
    assert!(matches!(from_cxone("[]"), Err(ImportError::Shape(_))));
    assert!(matches!(
        from_cxone("{\"mappings\": []}"),
        Err(ImportError::Shape(_))
    ));
    assert!(matches!(
        from_cxone("{\"publisherStateMapping\": 3}"),
        Err(ImportError::Shape(_))
    ));
    assert!(matches!(
        from_cxone("{\"publisherStateMapping\": [\"Available\"]}"),
        Err(ImportError::Shape(_))
    ));
}

/// A CXone export as an admin builds it in Presence Sync: Salesforce States picked by
/// label, rules applied to teams and to users.
#[test]
fn cxone_labels_become_developer_names_and_scoped_rows_are_imported() {
    let imported = from_cxone(&fixture("cxone_labels_scoped.json")).expect("readable");
    let m = serde_json::to_value(&imported.rules.mappings).expect("serialisable");
    let none: [&str; 0] = [];
    assert_eq!(
        m,
        json!({
            "telephonyToOmni": [
                {"telephony": "Open", "omni": "Available_for_Chats"},
                {"telephony": "Lunch", "omni": "Lunch_Break"},
                {"telephony": "Training", "omni": "Training", "scope": {"userIds": none, "profileIds": none, "teams": ["Tier_2_Support", "Billing"]}},
                {"telephony": "Open", "omni": "Phone_Chat", "scope": {"userIds": ["005Hs00000A1b2CAAA"], "profileIds": none, "teams": none}}
            ],
            "omniToTelephony": [
                {"omni": "Available_for_Chats", "telephony": "Open"},
                {"omni": "Lunch_Break", "telephony": "Lunch"}
            ]
        })
    );
    let notes: Vec<(String, String, bool)> = imported
        .notes
        .iter()
        .map(|n| (n.record.clone(), n.message.clone(), n.warning))
        .collect();
    let note = |record: &str, text: &str, warning: bool| {
        assert!(
            notes
                .iter()
                .any(|(r, m, w)| r == record && m.contains(text) && *w == warning),
            "no note {record:?} {text:?} in {notes:#?}"
        )
    };
    note(
        "publisherStateMapping record 1 \"Open -> Available for Chats\"",
        "status label \"Available for Chats\" -> DeveloperName \"Available_for_Chats\"",
        false,
    );
    note(
        "publisherStateMapping record 2 \"Lunch -> Lunch & Break\"",
        "the label's \"&\" cannot be part of a DeveloperName",
        true,
    );
    note(
        "publisherStateMapping record 3 \"Training -> Training\"",
        "scoped to teams Tier_2_Support, Billing",
        false,
    );
    note(
        "publisherStateMapping record 4 \"Open -> Phone + Chat\"",
        "users 005Hs00000A1b2CAAA",
        false,
    );
    note(
        "subscriberStateMapping record 2 \"Lunch Break -> Lunch\"",
        "DeveloperName \"Lunch_Break\"",
        false,
    );
    note(
        "2 rows",
        "the labels \"Lunch & Break\", \"Lunch Break\" all give the DeveloperName \"Lunch_Break\"",
        true,
    );
    assert_eq!(
        skipped(&imported),
        [(
            "publisherStateMapping record 5 \"Open -> Available\"",
            "the row is scoped to the user \"agent.smith@example.com\", which is not a Salesforce User Id (005...): pass a user map (--users FILE, CSV: CXone user name, Salesforce User Id) or scope the row by team"
        )]
    );
    compile(&imported);
}

#[test]
fn a_report_exports_title_and_footer_lines_are_skipped_and_reported() {
    let footer = fixture("cti_report_footer.csv");
    let imported = from_cti_adapter(&footer).expect("a report export with a footer reads");
    assert_eq!(imported.rules.rules.len(), 5);
    let lines = skipped(&imported);
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!(lines[0].0, "line 8");
    assert!(lines[0].1.contains("Confidential Information"), "{lines:?}");
    assert_eq!(lines[1].0, "line 9");
    // A title above the header, and an unquoted copyright line (its comma makes two
    // fields) after the blank line, are not rows either.
    let (header, rest) = footer.split_once('\n').expect("a header line");
    let (rows, _) = rest
        .split_once("\n\n")
        .expect("a blank line before the footer");
    let titled =
        format!("Presence sync rules\n{header}\n{rows}\n\nCopyright (c) 2026 Example, inc.\n");
    let imported = from_cti_adapter(&titled).expect("a titled export reads");
    assert_eq!(imported.rules.rules.len(), 5);
    let lines = skipped(&imported);
    assert_eq!(
        lines.iter().map(|l| l.0).collect::<Vec<_>>(),
        ["line 1", "line 9"],
        "{lines:?}"
    );
    compile(&imported);
}

#[test]
fn statuses_are_filled_from_the_catalog_for_every_name_the_rules_use() {
    let catalog = omnisync::rules::Catalog::from_json_str(
        &std::fs::read_to_string(format!(
            "{}/examples/org-statuses.json",
            env!("CARGO_MANIFEST_DIR")
        ))
        .expect("catalog"),
    )
    .expect("catalog reads");
    let mut imported = from_cti_adapter(&fixture("cti_bidirectional.csv")).expect("imports");
    // Set (Available, Working_Phone) and only compared (Working_Media) alike.
    assert_eq!(
        imported.statuses_used(),
        ["Available", "Working_Phone", "Working_Media"]
    );
    let filled = imported.fill_statuses(&catalog);
    assert_eq!(
        filled.added,
        ["Available", "Working_Phone", "Working_Media"]
    );
    assert!(filled.missing.is_empty());
    let names: Vec<&str> = (imported.rules.statuses.iter())
        .map(|s| s.developer_name.as_str())
        .collect();
    assert_eq!(names, ["Available", "Working_Phone", "Working_Media"]);
    // No Id is invented or copied: the catalog supplies it wherever the file is used.
    assert!(imported.rules.statuses.iter().all(|s| s.id.is_none()));
    let text = serde_json::to_string(&imported.rules).expect("serialisable");
    CompiledRules::from_json_str_with_catalog(&text, &catalog).expect("loads with the catalog");
    // A name the org lacks is reported, not invented.
    let mut imported = from_cti_adapter(&fixture("cti_bidirectional.csv")).expect("imports");
    let small = omnisync::rules::Catalog::from_value(&json!([
        {"Id": "0N5Hs0000001AvlKAE", "DeveloperName": "Available"}
    ]))
    .expect("catalog reads");
    let filled = imported.fill_statuses(&small);
    assert_eq!(filled.added, ["Available"]);
    assert_eq!(filled.missing, ["Working_Phone", "Working_Media"]);
}

#[test]
fn a_name_made_from_a_label_becomes_the_orgs_developer_name_given_the_catalog() {
    // The org named "Available for Chats" Chat_Available, not what its label gives.
    let catalog = omnisync::rules::Catalog::from_value(&json!([
        {"Id": "0N5Hs0000001AvlKAE", "DeveloperName": "Available", "MasterLabel": "Available"},
        {"Id": "0N5Hs0000007ChaKAE", "DeveloperName": "Chat_Available", "MasterLabel": "Available for Chats"},
        {"Id": "0N5Hs0000008LbrKAE", "DeveloperName": "Lunch_Break", "MasterLabel": "Lunch Break"},
        {"Id": "0N5Hs0000009TrnKAE", "DeveloperName": "Training", "MasterLabel": "Training"},
        {"Id": "0N5Hs0000010PhcKAE", "DeveloperName": "phone_chat", "MasterLabel": "Phone and Chat"}
    ]))
    .expect("catalog reads");
    let mut imported = from_cxone(&fixture("cxone_labels_scoped.json")).expect("imports");
    let filled = imported.fill_statuses(&catalog);
    assert_eq!(
        filled.renamed,
        [
            (
                "Available_for_Chats".to_string(),
                "Chat_Available".to_string()
            ),
            ("Phone_Chat".to_string(), "phone_chat".to_string())
        ]
    );
    assert!(filled.missing.is_empty(), "{filled:?}");
    let file = serde_json::to_value(&imported.rules).expect("serialisable");
    let text = file.to_string();
    assert!(
        !text.contains("Available_for_Chats") && !text.contains("Phone_Chat"),
        "{file:#}"
    );
    assert_eq!(
        file["mappings"]["omniToTelephony"][0]["omni"],
        "Chat_Available"
    );
    CompiledRules::from_json_str_with_catalog(&text, &catalog).expect("loads with the catalog");
}
