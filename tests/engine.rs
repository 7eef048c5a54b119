//! Engine behaviour beyond the conformance scenarios: the trace, the clock, the model.

#![cfg(not(target_arch = "wasm32"))]

use omnisync::engine::Outcome;
use omnisync::model::WorkStatus;
use omnisync::{Action, CompiledRules, Engine, Event};
use serde_json::{json, Value};

const AVAILABLE: &str = "0N5Hs0000001AAAAA1";
const LUNCH: &str = "0N5Hs0000002AAAAA2";

fn engine(rules: Value) -> Engine {
    let mut file = json!({
        "version": 1,
        "statuses": [
            {"id": AVAILABLE, "developerName": "Available", "label": "Available"},
            {"id": LUNCH, "developerName": "Lunch", "label": "Lunch", "online": false}
        ],
        "telephony": {"system": "amazon-connect", "states": ["Available", "Lunch", "Offline"]},
        "channels": [{"developerName": "Cases", "workItemPrefixes": ["500"]}],
        "rules": rules
    });
    if file["rules"].is_object() {
        let mappings = file["rules"].take();
        file["mappings"] = mappings;
        file["rules"] = json!([]);
    }
    Engine::new(CompiledRules::from_value(&file).expect("valid rules"))
}

fn ev(v: Value) -> Event {
    Event::from_value(&v).expect("valid event")
}

fn status(id: &str, name: &str) -> Event {
    ev(
        json!({"type": "omni.statusChanged", "statusId": id, "statusApiName": name, "statusName": name}),
    )
}

fn phone(new: &str) -> Event {
    ev(json!({"type": "telephony.stateChanged", "newState": new}))
}

#[test]
fn trace_says_which_rule_matched_and_why() {
    let mut e = engine(
        json!([{"name": "phone lunch", "on": "telephony.stateChanged",
        "if": {"all": [{"left": "telephony.newState", "op": "eq", "right": {"value": "Lunch"}},
                        {"left": "telephony.newState", "op": "ne", "right": {"operand": "telephony.oldState"}}]},
        "then": [{"setOmniStatus": "Lunch"}]}]),
    );
    e.handle(&phone("Available"), 1);
    let d = e.handle(&phone("Lunch"), 2);
    assert_eq!(d.matched(), ["phone lunch"]);
    let rules = d.trace.rules();
    let checks = &rules[0].checks;
    assert_eq!(checks.len(), 2);
    assert_eq!(checks[1].value, json!("Lunch"));
    assert_eq!(checks[1].right, json!("Available"));
    assert_eq!(checks[1].right_operand, Some("telephony.oldState"));
    assert_eq!(d.trace.event, "telephony.stateChanged");
    assert_eq!(d.trace.at, 2);
}

#[test]
fn no_action_when_the_target_side_is_already_there() {
    let mut e = engine(json!({"telephonyToOmni": [{"telephony": "Lunch", "omni": "Lunch"}]}));
    e.handle(&status(LUNCH, "Lunch"), 1);
    let d = e.handle(&phone("Lunch"), 2);
    assert!(d.actions.is_empty());
    assert_eq!(d.trace.rules()[0].outcome, Outcome::AlreadyInState);
}

#[test]
fn a_logged_out_agent_is_not_already_in_a_status() {
    let mut e = engine(json!({"telephonyToOmni": [{"telephony": "Lunch", "omni": "Lunch"}]}));
    e.handle(&status(LUNCH, "Lunch"), 1);
    e.handle(&ev(json!({"type": "omni.logout"})), 2);
    let d = e.handle(&phone("Lunch"), 3);
    assert_eq!(
        d.actions,
        [Action::SetOmniStatus {
            status_id: LUNCH.into(),
            developer_name: "Lunch".into(),
            rule: "telephonyToOmni[0]: Lunch -> Lunch".into()
        }]
    );
}

#[test]
fn time_never_runs_backwards() {
    let mut e = engine(json!([]));
    e.handle(&status(AVAILABLE, "Available"), 1000);
    let d = e.handle(&phone("Lunch"), 10);
    assert_eq!(d.trace.at, 1000);
    let m = e.metrics(500);
    assert_eq!(m.records[0].status_duration, 0);
}

#[test]
fn login_success_resolves_the_status_from_the_catalog() {
    let mut e = engine(json!([]));
    let d = e.handle(
        &ev(json!({"type": "omni.loginSuccess", "statusId": &AVAILABLE[..15]})),
        5,
    );
    assert!(d.trace.notes.is_empty());
    assert_eq!(e.state().omni.developer_name.as_deref(), Some("Available"));
    assert_eq!(e.state().omni.label.as_deref(), Some("Available"));
    let d = e.handle(
        &ev(json!({"type": "omni.loginSuccess", "statusId": "0N5Hs0000009ZZZZZZ"})),
        6,
    );
    assert_eq!(d.trace.notes.len(), 1, "an unknown status Id is noted");
}

#[test]
fn work_channel_comes_from_the_event_or_the_id_prefix() {
    let mut e = engine(json!([{"name": "case accepted", "on": "omni.workAccepted",
        "if": {"left": "omni.channel", "op": "eq", "right": {"value": "Cases"}},
        "then": [{"setTelephonyState": "Lunch"}]}]));
    let accept = |item: &str, channel: Option<&str>| {
        ev(
            json!({"type": "omni.workAccepted", "workItemId": item, "workId": format!("0Bz{item}"),
                  "serviceChannel": channel}),
        )
    };
    assert_eq!(e.handle(&accept("570xx", None), 1).actions.len(), 0);
    assert_eq!(
        e.handle(&accept("570yy", Some("Cases")), 2).actions.len(),
        1
    );
    assert_eq!(e.handle(&accept("500zz", None), 3).actions.len(), 1);
    let works = &e.state().works;
    assert_eq!(works["0Bz500zz"].service_channel.as_deref(), Some("Cases"));
    assert_eq!(works["0Bz570xx"].service_channel, None);
    assert_eq!(works["0Bz570xx"].status, WorkStatus::Opened);
}

#[test]
fn metrics_follow_status_periods_and_workload() {
    let mut e = engine(json!([]));
    e.handle(&status(AVAILABLE, "Available"), 0);
    e.handle(
        &ev(
            json!({"type": "omni.workloadChanged", "configuredCapacity": 2,
        "previousWorkload": 0, "newWorkload": 2}),
        ),
        1000,
    );
    e.handle(
        &ev(
            json!({"type": "omni.workloadChanged", "configuredCapacity": 2,
        "previousWorkload": 2, "newWorkload": 1}),
        ),
        3000,
    );
    e.handle(&status(LUNCH, "Lunch"), 4000);
    let m = e.metrics(10_000);
    assert_eq!(m.records.len(), 2);
    let first = &m.records[0];
    assert_eq!(
        (
            first.status_duration,
            first.idle_duration,
            first.at_capacity_duration
        ),
        (4000, 1000, 2000)
    );
    assert!((first.average_capacity - 5000.0 / 4000.0).abs() < 1e-12);
    assert_eq!(first.status_end_date, Some(4000));
    assert!(!first.is_away && !first.is_current_state);
    let second = &m.records[1];
    assert!(second.is_away && second.is_current_state);
    assert_eq!(second.status_duration, 6000);
    assert_eq!(second.idle_duration, 0, "workload 1 is not idle");
    e.handle(&ev(json!({"type": "omni.logout"})), 12_000);
    let m = e.metrics(50_000);
    assert_eq!(m.records[1].status_end_date, Some(12_000));
    assert!(m.records.iter().all(|r| !r.is_current_state));
}

#[test]
fn an_engine_without_records_decides_the_same_and_keeps_none() {
    let rules = json!({"telephonyToOmni": [{"telephony": "Lunch", "omni": "Lunch"}]});
    let mut kept = engine(rules.clone());
    let mut bare = engine(rules).without_records();
    for (event, at) in [
        (status(AVAILABLE, "Available"), 0),
        (phone("Available"), 10),
        (phone("Lunch"), 2000),
        (status(LUNCH, "Lunch"), 3000),
    ] {
        let (a, b) = (kept.handle(&event, at), bare.handle(&event, at));
        assert_eq!(a.actions, b.actions);
        assert_eq!(a.matched(), b.matched());
    }
    assert_eq!(kept.metrics(5000).records.len(), 2);
    assert!(bare.metrics(5000).records.is_empty());
    assert_eq!(kept.state(), bare.state());
}

#[test]
fn same_status_again_does_not_open_a_new_period() {
    let mut e = engine(json!([]));
    e.handle(&status(AVAILABLE, "Available"), 0);
    e.handle(&status(AVAILABLE, "Available"), 100);
    assert_eq!(e.metrics(200).records.len(), 1);
    assert_eq!(e.state().omni.since, Some(0));
}

#[test]
fn loading_new_rules_keeps_the_agent_state() {
    let mut e = engine(json!([]));
    e.handle(&status(AVAILABLE, "Available"), 0);
    let next = engine(json!({"telephonyToOmni": [{"telephony": "Lunch", "omni": "Lunch"}]}));
    e.load_rules(next.rules().clone());
    assert_eq!(e.state().omni.developer_name.as_deref(), Some("Available"));
    assert_eq!(e.handle(&phone("Lunch"), 5).actions.len(), 1);
}

#[test]
fn system_states_are_flagged_in_the_model() {
    let mut e = engine(json!([]));
    e.handle(&phone("AfterCallWork"), 1);
    assert!(e.state().telephony.is_system_state);
    e.handle(&phone("Available"), 2);
    assert!(!e.state().telephony.is_system_state);
    assert_eq!(
        e.state().telephony.previous.as_deref(),
        Some("AfterCallWork")
    );
}

#[test]
fn a_trace_read_back_from_bytes_says_the_same() {
    let mut e = engine(
        json!([{"name": "phone lunch", "on": "telephony.stateChanged",
        "if": {"left": "telephony.newState", "op": "eq", "right": {"value": "Lunch"}},
        "then": [{"setOmniStatus": "Lunch"}]},
        {"name": "never", "on": "telephony.stateChanged",
        "if": {"left": "telephony.newState", "op": "eq", "right": {"value": "Nope"}},
        "then": [{"setOmniStatus": "Lunch"}]}]),
    );
    let d = e.handle(&phone("Lunch"), 2);
    let bytes = d.trace.to_bytes();
    let back = omnisync::Trace::from_bytes(&bytes, e.shared_rules()).expect("readable");
    assert_eq!(back, d.trace);
    assert_eq!(
        serde_json::to_value(&back).expect("serialisable"),
        serde_json::to_value(&d.trace).expect("serialisable")
    );
    // The short form keeps the rule that matched, with its checks, and counts the rest.
    let summary = d.trace.summary();
    assert_eq!(summary.rules.len(), 1);
    assert_eq!(summary.rules[0].rule, "phone lunch");
    assert_eq!(summary.rules[0].checks.len(), 1);
    assert_eq!(summary.not_matched, 1);
    // Anything cut short or made up is refused, not misread.
    for cut in [0, 5, bytes.len() / 2, bytes.len() - 1] {
        assert!(omnisync::Trace::from_bytes(&bytes[..cut], e.shared_rules()).is_none());
    }
}
