//! The sync loop: echoes, chains, start-up, queueing, coalescing, retries, ownership,
//! contacts and scope, each shown on the smallest rule set that exhibits it.

#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::sync::executes;
use omnisync::sync::{Command, LogKind, Output, SyncLoop};
use omnisync::{CompiledRules, Engine, Event};
use serde_json::{json, Value};

const AVAILABLE: &str = "0N5Hs0000001AvlKAE";
const LUNCH: &str = "0N5Hs0000004LunKAE";

fn rules(extra: Value) -> CompiledRules {
    let mut file = json!({
        "version": 1,
        "statuses": [
            {"id": AVAILABLE, "developerName": "Available"},
            {"id": LUNCH, "developerName": "Lunch", "online": false}
        ],
        "telephony": {"system": "amazon-connect", "states": ["Available", "Lunch"]},
        "mappings": {
            "telephonyToOmni": [{"telephony": "Lunch", "omni": "Lunch"}, {"telephony": "Available", "omni": "Available"}],
            "omniToTelephony": [{"omni": "Lunch", "telephony": "Lunch"}, {"omni": "Available", "telephony": "Available"}]
        }
    });
    if let Value::Object(extra) = extra {
        for (k, v) in extra {
            file[k] = v;
        }
    }
    CompiledRules::from_value(&file).expect("valid rules")
}

/// A loop that has done its first reconcile.
fn ready(rules: CompiledRules) -> SyncLoop {
    let mut sync = SyncLoop::new(Engine::new(rules));
    sync.start(0);
    sync.reconciled(&[], 0);
    sync
}

fn status(id: &str, name: &str, reason: Option<&str>) -> Event {
    Event::StatusChanged {
        status_id: id.into(),
        status_name: None,
        status_api_name: name.into(),
        channels: vec![],
        reason: reason.map(str::to_string),
    }
}

fn phone(state: &str) -> Event {
    Event::TelephonyStateChanged {
        old_state: None,
        new_state: state.into(),
    }
}

fn kinds(out: &Output) -> Vec<LogKind> {
    out.log.iter().map(|l| l.kind).collect()
}

#[test]
fn an_echo_is_not_an_agent_change_with_or_without_reason() {
    for reason in [Some("OmniToolkitStatusChange"), None] {
        let mut sync = ready(rules(json!({})));
        let out = sync.event(&phone("Lunch"), 10);
        let sent = executes(&out);
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].1.target(), LUNCH);
        let out = sync.event(&status(LUNCH, "Lunch", reason), 20);
        assert_eq!(kinds(&out), [LogKind::Echo]);
        assert!(
            out.decisions.is_empty(),
            "rules are not evaluated on an echo"
        );
        sync.result(sent[0].0, None, 30);
        assert_eq!(sync.stats().echoes, 1);
        assert_eq!(sync.stats().actions, 1);
    }
}

#[test]
fn a_manual_change_to_the_pending_target_is_still_an_agent_change() {
    let mut sync = ready(rules(json!({})));
    sync.event(&phone("Lunch"), 10);
    let out = sync.event(&status(LUNCH, "Lunch", Some("OmniManualStatusChange")), 20);
    assert!(!kinds(&out).contains(&LogKind::Echo));
    assert_eq!(out.decisions.len(), 1, "the agent's change is decided on");
    assert!(executes(&out).is_empty(), "the phone is already at Lunch");
}

#[test]
fn events_before_start_up_are_buffered_then_replayed_after_reconcile() {
    let mut sync = SyncLoop::new(Engine::new(rules(json!({}))));
    let start = sync.start(0);
    assert_eq!(start.commands, [Command::Reconcile]);
    let out = sync.event(&phone("Lunch"), 5);
    assert_eq!(kinds(&out), [LogKind::Buffered]);
    assert!(executes(&out).is_empty());
    let out = sync.reconciled(&[status(AVAILABLE, "Available", None)], 50);
    let sent = executes(&out);
    assert_eq!(sent.len(), 1, "the buffered change is acted on: {out:?}");
    assert_eq!(sent[0].1.target(), LUNCH);
}

#[test]
fn the_first_reconcile_is_not_acted_on() {
    let mut sync = SyncLoop::new(Engine::new(rules(json!({}))));
    sync.start(0);
    let out = sync.reconciled(&[status(LUNCH, "Lunch", None), phone("Available")], 10);
    assert!(executes(&out).is_empty());
    assert_eq!(
        sync.engine().state().telephony.state.as_deref(),
        Some("Available")
    );
}

#[test]
fn events_wait_while_an_action_is_in_flight_and_run_in_order() {
    let mut file = json!({});
    file["rules"] = json!([{"name": "workload full", "on": "omni.workloadChanged",
        "if": {"left": "omni.newWorkloadPct", "op": "ge", "right": {"value": 100}},
        "then": [{"setTelephonyState": "Lunch"}]}]);
    let mut sync = ready(rules(file));
    let sent = executes(&sync.event(&phone("Lunch"), 10));
    let full = Event::WorkloadChanged {
        configured_capacity: 1.0,
        previous_workload: 0.0,
        new_workload: 1.0,
    };
    let out = sync.event(&full, 11);
    assert_eq!(kinds(&out), [LogKind::Queued]);
    let out = sync.result(sent[0].0, None, 12);
    assert_eq!(
        out.decisions.len(),
        1,
        "the queued event is decided once the action is done"
    );
    assert!(executes(&out).is_empty(), "the phone is already at Lunch");
}

#[test]
fn rapid_changes_coalesce_to_the_latest_state() {
    let mut sync = ready(rules(json!({"options": {"sync": {"coalesceMs": 300}}})));
    let mut out = sync.event(&phone("Lunch"), 1000);
    assert_eq!(out.wake_at, Some(1300));
    out = sync.event(&phone("Available"), 1050);
    assert_eq!(kinds(&out), [LogKind::Coalesced]);
    sync.event(&phone("Lunch"), 1100);
    assert!(executes(&sync.tick(1399)).is_empty());
    let sent = executes(&sync.tick(1400));
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].1.target(), LUNCH, "the final state wins");
    assert_eq!(sync.stats().coalesced, 2);
}

#[test]
fn failures_are_retried_with_growing_back_off_then_reported() {
    let mut sync = ready(rules(
        json!({"options": {"sync": {"maxAttempts": 3, "retryBaseMs": 1000}}}),
    ));
    let (id, _) = executes(&sync.event(&phone("Lunch"), 0))[0].clone();
    let out = sync.result(id, Some("timeout"), 10);
    assert_eq!(kinds(&out), [LogKind::Retry]);
    let first = out.wake_at.expect("a retry is scheduled");
    assert!((10 + 500..=10 + 1000).contains(&first), "{first}");
    assert!(executes(&sync.tick(first - 1)).is_empty());
    let again = sync.tick(first);
    assert_eq!(executes(&again).len(), 1);
    let out = sync.result(id, Some("timeout"), first + 5);
    let second = out.wake_at.expect("a second retry");
    assert!(
        second - (first + 5) >= 1000,
        "back-off doubles: {}",
        second - first - 5
    );
    sync.tick(second);
    let out = sync.result(id, Some("timeout"), second + 5);
    assert_eq!(kinds(&out), [LogKind::GaveUp]);
    assert_eq!((sync.stats().retries, sync.stats().failed), (2, 1));
}

#[test]
fn a_lost_omni_connection_logs_the_agent_back_in() {
    let mut sync = ready(rules(json!({})));
    sync.event(&status(AVAILABLE, "Available", None), 0);
    let (id, _) = executes(&sync.event(&phone("Lunch"), 10))[0].clone();
    let out = sync.result(id, Some("connection"), 20);
    assert!(out.commands.contains(&Command::Login {
        status_id: AVAILABLE.into()
    }));
    assert!(kinds(&out).contains(&LogKind::Relogin));
}

#[test]
fn a_connection_error_event_logs_the_agent_back_in_with_the_current_status() {
    let mut sync = ready(rules(json!({})));
    sync.event(&status(LUNCH, "Lunch", None), 0);
    let out = sync.connection_lost(30);
    assert_eq!(
        out.commands,
        vec![Command::Login {
            status_id: LUNCH.into()
        }]
    );
    assert!(kinds(&out).contains(&LogKind::Relogin));
}

#[test]
fn a_connection_error_while_logged_out_logs_nobody_in() {
    let mut sync = ready(rules(json!({})));
    sync.event(&status(AVAILABLE, "Available", None), 0);
    sync.event(&Event::Logout { reason: None }, 5);
    let out = sync.connection_lost(30);
    assert!(out.commands.is_empty(), "{:?}", out.commands);
    assert!(
        kinds(&out).contains(&LogKind::Relogin),
        "the trace says why not"
    );
}

#[test]
fn the_latest_change_wins_by_default() {
    let mut sync = ready(rules(json!({})));
    sync.event(&phone("Lunch"), 10);
    // Before our write lands, the agent picks Available in Omni by hand.
    let out = sync.event(
        &status(AVAILABLE, "Available", Some("OmniManualStatusChange")),
        20,
    );
    assert!(kinds(&out).contains(&LogKind::Conflict));
    let sent = executes(&out);
    assert_eq!(sent.len(), 1);
    assert_eq!(
        sent[0].1.target(),
        "Available",
        "the Omni change goes to the phone"
    );
}

#[test]
fn a_master_side_wins_when_both_change_at_once() {
    let mut file = json!({});
    file["mappings"] = json!({
        "telephonyToOmni": [{"telephony": "Lunch", "omni": "Lunch", "master": "telephony"}],
        "omniToTelephony": [{"omni": "Available", "telephony": "Available"}]
    });
    let mut sync = ready(rules(file));
    sync.event(&phone("Lunch"), 10);
    let out = sync.event(
        &status(AVAILABLE, "Available", Some("OmniManualStatusChange")),
        20,
    );
    assert!(kinds(&out).contains(&LogKind::Conflict));
    let sent = executes(&out);
    assert_eq!(sent.len(), 1);
    assert_eq!(
        sent[0].1.target(),
        LUNCH,
        "the phone is master: Omni goes back to Lunch"
    );
}

#[test]
fn telephony_writes_wait_for_the_contact_to_end() {
    let mut sync = ready(rules(json!({})));
    sync.event(&phone("Busy"), 0);
    let out = sync.event(&status(LUNCH, "Lunch", Some("OmniManualStatusChange")), 10);
    assert!(executes(&out).is_empty());
    assert_eq!(kinds(&out), [LogKind::Deferred]);
    sync.event(&phone("AfterCallWork"), 20);
    let out = sync.event(&phone("Available"), 30);
    let sent = executes(&out);
    assert_eq!(sent.len(), 1, "{out:?}");
    assert_eq!(
        sent[0].1.target(),
        "Lunch",
        "applied once the contact is over, not lost"
    );
    assert_eq!(sync.stats().deferred, 1);
}

#[test]
fn a_deferred_write_no_longer_wanted_is_dropped() {
    let mut sync = ready(rules(json!({})));
    sync.event(&phone("Busy"), 0);
    sync.event(&status(LUNCH, "Lunch", None), 10);
    sync.event(&status(AVAILABLE, "Available", None), 15);
    let out = sync.event(&phone("Available"), 30);
    assert!(executes(&out).iter().all(|(_, a)| a.target() != "Lunch"));
}

#[test]
fn one_agent_change_touches_each_side_once() {
    let mut file = json!({});
    file["mappings"] = json!({});
    file["rules"] = json!([
        {"name": "phone Lunch", "on": "telephony.stateChanged",
         "if": {"left": "telephony.newState", "op": "eq", "right": {"value": "Lunch"}},
         "then": [{"setOmniStatus": "Lunch"}]},
        {"name": "Omni Available -> phone Available", "on": "omni.statusChanged",
         "if": {"left": "omni.newStatus", "op": "eq", "right": {"value": "Available"}},
         "then": [{"setTelephonyState": "Available"}]}
    ]);
    let mut sync = ready(rules(file));
    sync.event(&phone("Lunch"), 10);
    // Omni applied our write but reports another status: still our chain.
    let out = sync.event(
        &status(AVAILABLE, "Available", Some("OmniToolkitStatusChange")),
        20,
    );
    assert!(
        executes(&out).is_empty(),
        "the phone side was already touched by the agent"
    );
    assert_eq!(kinds(&out), [LogKind::ChainLimit]);
}

#[test]
fn out_of_scope_rules_never_match() {
    let mut file = json!({});
    file["mappings"] = json!({"telephonyToOmni": [
        {"telephony": "Lunch", "omni": "Lunch", "scope": {"teams": ["Tier 2"]}}]});
    let r = rules(file);
    let mut engine = Engine::new(r.clone());
    assert!(engine.handle(&phone("Lunch"), 1).actions.is_empty());
    let mut engine = Engine::new(r);
    engine.set_context(omnisync::engine::AgentContext {
        user_id: Some("005xx".into()),
        profile_id: None,
        teams: vec!["Tier 2".into()],
    });
    assert_eq!(engine.handle(&phone("Lunch"), 1).actions.len(), 1);
}

#[test]
fn the_idle_timer_runs_idle_rules_once_per_quiet_spell() {
    let mut file = json!({"options": {"sync": {"idleAfterMs": 60000}}});
    file["rules"] = json!([{"name": "idle: phone Lunch", "on": "timer.idle",
        "if": {"left": "omni.newStatus", "op": "eq", "right": {"value": "Available"}},
        "then": [{"setTelephonyState": "Lunch"}]}]);
    let mut sync = ready(rules(file));
    sync.event(&phone("Available"), 0);
    let out = sync.event(&status(AVAILABLE, "Available", None), 1000);
    assert_eq!(out.wake_at, Some(61_000));
    assert!(executes(&sync.tick(60_999)).is_empty());
    let sent = executes(&sync.tick(61_000));
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].1.target(), "Lunch");
    assert!(
        executes(&sync.tick(200_000)).is_empty(),
        "once per quiet spell"
    );
}

#[test]
fn a_new_leader_sends_again_what_the_old_one_never_confirmed() {
    let mut sync = ready(rules(json!({})));
    let (id, _) = executes(&sync.event(&phone("Lunch"), 10))[0].clone();
    // As a follower this tab counted the write as done by the leader...
    sync.result(id, None, 11);
    // ...which closed before carrying it out: no echo came.
    let out = sync.take_over(500);
    let sent = executes(&out);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].1.target(), LUNCH);
    // Once confirmed, nothing is left to send on a later take-over.
    sync.event(
        &status(LUNCH, "Lunch", Some("OmniToolkitStatusChange")),
        600,
    );
    assert!(executes(&sync.take_over(700)).is_empty());
}

/// `metrics(now)` as JSON has every field UserServicePresence documents, with its type:
/// int (whole seconds, at least 0), double, boolean, string, reference (a Salesforce
/// Id), dateTime (ISO 8601). StatusDuration only on the ended record, End - Start.
#[test]
fn metrics_are_user_service_presence_records() {
    let mut engine = Engine::new(rules(json!({})));
    engine.set_context(
        serde_json::from_value(json!({"userId": "005Hs00000A1b2CAAA"})).expect("context"),
    );
    let mut sync = SyncLoop::new(engine);
    sync.start(0);
    sync.reconciled(&[status(AVAILABLE, "Available", None)], 1_000);
    sync.event(
        &status(LUNCH, "Lunch", Some("OmniManualStatusChange")),
        61_400,
    );
    let report = serde_json::to_value(sync.engine().metrics(100_000)).expect("json");
    let records = report["records"].as_array().expect("records");
    assert_eq!(records.len(), 2);
    let iso = |v: &Value| {
        v.as_str().is_some_and(|s| {
            s.len() == 20 && s.ends_with('Z') && s.as_bytes()[10] == b'T' && s.as_bytes()[4] == b'-'
        })
    };
    let id = |v: &Value| {
        v.as_str().is_some_and(|s| {
            matches!(s.len(), 15 | 18) && s.chars().all(|c| c.is_ascii_alphanumeric())
        })
    };
    let fields: [(&str, &str, bool); 14] = [
        ("AtCapacityDuration", "int", true),
        ("AverageCapacity", "double", true),
        ("ConfiguredCapacity", "int", true),
        ("ConfiguredInterruptCapacity", "int", true),
        ("IdleDuration", "int", true),
        ("IsAway", "boolean", false),
        ("IsCurrentState", "boolean", false),
        ("Name", "string", true),
        ("OwnerId", "reference", false),
        ("ServicePresenceStatusId", "reference", true),
        ("StatusDuration", "int", true),
        ("StatusEndDate", "dateTime", true),
        ("StatusStartDate", "dateTime", true),
        ("UserId", "string", false),
    ];
    for record in records {
        for (field, kind, nillable) in fields {
            if field == "StatusDuration" && record["IsCurrentState"] == true {
                assert!(
                    record.get(field).is_none(),
                    "no StatusDuration while it runs"
                );
                continue;
            }
            let v = record
                .get(field)
                .unwrap_or_else(|| panic!("{field} missing"));
            let ok = match kind {
                "int" => v.as_u64().is_some(),
                "double" => v.as_f64().is_some(),
                "boolean" => v.is_boolean(),
                "string" => v.is_string(),
                "reference" => id(v),
                _ => iso(v),
            };
            assert!(
                ok || (nillable && v.is_null()),
                "{field}: {v} is not {kind}"
            );
        }
    }
    assert_eq!(records[0]["StatusStartDate"], "1970-01-01T00:00:01Z");
    assert_eq!(records[0]["StatusEndDate"], "1970-01-01T00:01:01Z");
    assert_eq!(records[0]["StatusDuration"], 60);
    assert_eq!(records[1]["StatusEndDate"], Value::Null);
}
