//! Rules that travel between orgs: statuses named by DeveloperName get each org's Id
//! from its catalog; scope Ids match in either length; teams are group names.

#![cfg(not(target_arch = "wasm32"))]

use omnisync::engine::AgentContext;
use omnisync::rules::Catalog;
use omnisync::{Action, CompiledRules, Engine, Error, Event};
use serde_json::{json, Value};

/// One phone-to-Omni rule on a status named only.
fn rules() -> Value {
    json!({
        "version": 1,
        "statuses": [
            {"developerName": "Available"},
            {"developerName": "Lunch", "label": "Out to lunch", "online": false}
        ],
        "telephony": {"system": "amazon-connect", "states": ["Available", "Lunch"]},
        "mappings": {"telephonyToOmni": [{"telephony": "Lunch", "omni": "Lunch"}]}
    })
}

fn org(records: &[(&str, &str)]) -> Catalog {
    let records: Vec<Value> = records
        .iter()
        .map(|(id, name)| json!({"attributes": {"type": "ServicePresenceStatus"}, "Id": id, "DeveloperName": name, "MasterLabel": name.replace('_', " ")}))
        .collect();
    Catalog::from_value(&json!({"status": 0, "result": {"records": records, "totalSize": records.len(), "done": true}}))
        .expect("a valid catalog")
}

fn phone(state: &str) -> Event {
    Event::from_value(&json!({"type": "telephony.stateChanged", "newState": state})).expect("event")
}

/// The Omni status Ids the engine sends for the agent going to Lunch on the phone.
fn omni_ids(mut engine: Engine) -> Vec<String> {
    engine
        .handle(&phone("Lunch"), 1_000)
        .actions
        .into_iter()
        .filter_map(|a| match a {
            Action::SetOmniStatus { status_id, .. } => Some(status_id),
            Action::SetTelephonyState { .. } | Action::LogoutOmni { .. } => None,
        })
        .collect()
}

#[test]
fn the_same_rules_act_with_each_orgs_own_id() {
    let sandbox = org(&[
        ("0N5Hs0000001Avl", "Available"),
        ("0N5Hs0000004Lun", "Lunch"),
    ]);
    let production = org(&[
        ("0N53t000000CaLuAAC", "Lunch"),
        ("0N53t000000CaVaAAC", "Available"),
    ]);
    let in_sandbox = CompiledRules::from_value_with_catalog(&rules(), &sandbox).expect("sandbox");
    let in_production =
        CompiledRules::from_value_with_catalog(&rules(), &production).expect("production");
    // The sandbox exported 15-character Ids: the engine sends the 18-character form.
    assert_eq!(
        omni_ids(Engine::new(in_sandbox.clone())),
        ["0N5Hs0000004LunKAE"]
    );
    assert_eq!(omni_ids(Engine::new(in_production)), ["0N53t000000CaLuAAC"]);
    // The rules' own label stays; a status without one takes the org's MasterLabel.
    let lunch = in_sandbox.status_by_name("Lunch").expect("Lunch");
    assert_eq!(lunch.label.as_deref(), Some("Out to lunch"));
    let available = in_sandbox.status_by_name("Available").expect("Available");
    assert_eq!(available.label.as_deref(), Some("Available"));
    assert!(in_sandbox.warnings.is_empty());
}

#[test]
fn a_status_the_org_lacks_stops_the_start_naming_it_and_the_orgs_names() {
    let mut records: Vec<(String, String)> = vec![("0N5Hs0000001Avl".into(), "Available".into())];
    records.extend((1..=14).map(|i| (format!("0N5Hs00000{i:02}Xyz"), format!("Status_{i:02}"))));
    let records: Vec<(&str, &str)> = records
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let err = CompiledRules::from_value_with_catalog(&rules(), &org(&records)).unwrap_err();
    assert!(matches!(err, Error::UnknownStatus { .. }), "{err:?}");
    assert_eq!(err.code(), "rules.unknownStatus");
    let [finding] = err.details() else {
        panic!("one finding: {err:?}")
    };
    assert_eq!(finding.code, "rules.unknownStatus");
    assert_eq!(finding.path, "$.statuses[1].developerName");
    assert!(finding.message.contains("\"Lunch\""), "{}", finding.message);
    // Ten of the org's fifteen names, then the count of the rest.
    assert!(
        finding
            .message
            .ends_with("Available, Status_01, Status_02, Status_03, Status_04, Status_05, Status_06, Status_07, Status_08, Status_09 and 5 more"),
        "{}",
        finding.message
    );
    // The error's own text names the status too (it is what a status line shows).
    assert!(err.to_string().contains("\"Lunch\""), "{err}");
}

#[test]
fn a_name_differing_only_in_case_is_pointed_out() {
    let catalog = org(&[
        ("0N5Hs0000001Avl", "Available"),
        ("0N5Hs0000004Lun", "lunch"),
    ]);
    let err = CompiledRules::from_value_with_catalog(&rules(), &catalog).unwrap_err();
    let message = &err.details()[0].message;
    assert!(message.contains("the org has \"lunch\""), "{message}");
}

#[test]
fn the_orgs_id_wins_over_the_rules_and_the_disagreement_is_a_warning() {
    let mut with_ids = rules();
    with_ids["statuses"][0]["id"] = "0N5Hs0000001Avl".into(); // agrees, in 15 characters
    with_ids["statuses"][1]["id"] = "0N5Hs0000004LunKAE".into(); // the sandbox's
    let production = org(&[
        ("0N53t000000CaVaAAC", "Available"),
        ("0N53t000000CaLuAAC", "Lunch"),
    ]);
    let sandbox_ids = org(&[
        ("0N5Hs0000001AvlKAE", "Available"),
        ("0N5Hs0000004LunKAE", "Lunch"),
    ]);
    let rules = CompiledRules::from_value_with_catalog(&with_ids, &production).expect("valid");
    assert_eq!(rules.warnings.len(), 2, "{:?}", rules.warnings);
    assert!(rules
        .warnings
        .iter()
        .all(|w| w.code == "rules.statusIdMismatch"));
    assert_eq!(rules.warnings[1].path, "$.statuses[1].id");
    assert_eq!(omni_ids(Engine::new(rules)), ["0N53t000000CaLuAAC"]);
    // Ids that agree, in whichever length, are no news.
    let agreeing = CompiledRules::from_value_with_catalog(&with_ids, &sandbox_ids).expect("valid");
    assert!(agreeing.warnings.is_empty(), "{:?}", agreeing.warnings);
}

#[test]
fn without_a_catalog_each_status_needs_its_id_and_only_that_is_reported() {
    let err = CompiledRules::from_value(&rules()).unwrap_err();
    assert_eq!(err.code(), "rules.invalid");
    let codes: Vec<(&str, &str)> = err
        .details()
        .iter()
        .map(|f| (f.code, f.path.as_str()))
        .collect();
    assert_eq!(
        codes,
        [
            ("rules.missingStatusId", "$.statuses[0].id"),
            ("rules.missingStatusId", "$.statuses[1].id")
        ]
    );
    // A file whose own names are wrong is refused as invalid before any org is asked.
    let mut bad = rules();
    bad["mappings"]["telephonyToOmni"][0]["omni"] = "Lunhc".into();
    let catalog = org(&[
        ("0N5Hs0000001Avl", "Available"),
        ("0N5Hs0000004Lun", "Lunch"),
    ]);
    let err = CompiledRules::from_value_with_catalog(&bad, &catalog).unwrap_err();
    assert_eq!(err.code(), "rules.invalid");
}

#[test]
fn a_catalog_record_that_cannot_be_used_is_reported_with_its_path() {
    let err = Catalog::from_value(&json!([
        {"Id": "0N5Hs0000001Avl", "DeveloperName": "Available"},
        {"Id": "0N5-not-an-id", "DeveloperName": "Lunch"},
        {"DeveloperName": "Break"}
    ]))
    .unwrap_err();
    assert_eq!(err.code(), "catalog.invalid");
    let paths: Vec<&str> = err.details().iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, ["$[1]", "$[2]"]);
    assert_eq!(
        Catalog::from_json_str("{\"records\": 3}")
            .unwrap_err()
            .code(),
        "catalog.invalid"
    );
}

/// A rule on Lunch limited by `scope`, evaluated for an agent.
fn scoped(scope: Value, context: AgentContext) -> Vec<String> {
    let mut file = rules();
    file["mappings"]["telephonyToOmni"][0]["scope"] = scope;
    let catalog = org(&[
        ("0N5Hs0000001Avl", "Available"),
        ("0N5Hs0000004Lun", "Lunch"),
    ]);
    let mut engine =
        Engine::new(CompiledRules::from_value_with_catalog(&file, &catalog).expect("valid"));
    engine.set_context(context);
    omni_ids(engine)
}

#[test]
fn scope_ids_match_in_their_15_and_18_character_forms() {
    let page = |user: &str, profile: &str| AgentContext {
        user_id: Some(user.into()),
        profile_id: Some(profile.into()),
        teams: Vec::new(),
    };
    // A profile Id copied from a Setup URL (15) against the page's {!$Profile.Id} (18).
    let by_profile = json!({"profileIds": ["00eHs000000AbCd"]});
    assert_eq!(
        scoped(
            by_profile.clone(),
            page("005Hs0000Agent1AAQ", "00eHs000000AbCdIAK")
        )
        .len(),
        1
    );
    // And the other way round, for users.
    let by_user = json!({"userIds": ["005Hs0000Agent1AAQ"]});
    assert_eq!(
        scoped(by_user, page("005Hs0000Agent1", "00eHs000000AbCd")).len(),
        1
    );
    // Another profile, differing only in case in its 15 characters, is another record.
    assert!(scoped(by_profile, page("005Hs0000Agent1AAQ", "00eHs000000abcdIAK")).is_empty());
}

#[test]
fn a_team_scoped_rule_matches_when_the_host_lists_the_group() {
    let in_teams = |teams: &[&str]| AgentContext {
        user_id: Some("005Hs0000Agent1AAQ".into()),
        profile_id: None,
        teams: teams.iter().map(|t| t.to_string()).collect(),
    };
    let by_team = json!({"teams": ["Tier_1"]});
    assert_eq!(
        scoped(by_team.clone(), in_teams(&["Sales", "Tier_1"])).len(),
        1
    );
    assert!(scoped(by_team.clone(), in_teams(&["Sales"])).is_empty());
    assert!(scoped(by_team, in_teams(&[])).is_empty());
}

#[test]
fn a_login_in_a_status_only_the_org_lists_is_named_from_the_catalog() {
    // The rules list Available and Lunch; the org also has Break.
    let mut file = rules();
    file["rules"] = json!([{"name": "Login on Break: phone Lunch", "on": "omni.loginSuccess",
        "if": {"left": "omni.newStatus", "op": "eq", "right": {"value": "Break"}},
        "then": [{"setTelephonyState": "Lunch"}]}]);
    let catalog = org(&[
        ("0N5Hs0000001AvlKAE", "Available"),
        ("0N5Hs0000004LunKAE", "Lunch"),
        ("0N5Hs0000006BrkKAE", "Break"),
    ]);
    let rules = CompiledRules::from_json_str_with_catalog(&file.to_string(), &catalog)
        .expect("valid rules");
    let mut engine = Engine::new(rules);
    let login =
        Event::from_value(&json!({"type": "omni.loginSuccess", "statusId": "0N5Hs0000006Brk"}))
            .expect("event");
    let decision = engine.handle(&login, 1_000);
    assert_eq!(engine.state().omni.developer_name.as_deref(), Some("Break"));
    assert!(
        matches!(&decision.actions[..], [Action::SetTelephonyState { state, .. }] if state == "Lunch"),
        "{:?}",
        decision.actions
    );
    // The local presence record names it too.
    let records = engine.metrics(5_000).user_service_presence();
    assert_eq!(
        records[0].service_presence_status.developer_name.as_deref(),
        Some("Break")
    );
    // A status the org does not have either stays unnamed.
    let unknown =
        Event::from_value(&json!({"type": "omni.loginSuccess", "statusId": "0N5Hs0000009ZzzKAE"}))
            .expect("event");
    let mut engine = engine.clone();
    engine.handle(
        &Event::from_value(&json!({"type": "omni.logout"})).expect("event"),
        6_000,
    );
    engine.handle(&unknown, 7_000);
    assert_eq!(engine.state().omni.developer_name, None);
}
