//! Caps on everything that grows with input (docs/runtime.md, "Limits"): each tested at
//! the limit and one past it, refused with a code naming the field and the limit.

#![cfg(not(target_arch = "wasm32"))]

use omnisync::event::{MAX_EVENT_CHANNELS, MAX_EVENT_STRING};
use omnisync::model::MAX_OPEN_WORK;
use omnisync::sync::{taken_at, within_cap, MAX_SESSION_BYTES};
use omnisync::{Engine, Error, Event};
use serde_json::{json, Value};

fn refused(event: Value) -> (String, String, String) {
    match Event::from_value(&event) {
        Err(Error::InvalidEvent(f)) => (f.code.to_string(), f.path, f.message),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn status_changed(name: &str) -> Value {
    json!({"type": "omni.statusChanged", "statusId": "0N5000000000001", "statusApiName": name})
}

#[test]
fn event_strings_are_capped_at_the_limit() {
    let at = "a".repeat(MAX_EVENT_STRING);
    assert!(Event::from_value(&status_changed(&at)).is_ok());
    // Characters, not bytes: 1,000 two-byte characters are fine.
    assert!(Event::from_value(&status_changed(&"é".repeat(MAX_EVENT_STRING))).is_ok());
    let past = "a".repeat(MAX_EVENT_STRING + 1);
    let (code, path, message) = refused(status_changed(&past));
    assert_eq!(
        (code.as_str(), path.as_str()),
        ("event.tooLarge", "$.statusApiName")
    );
    assert!(message.contains("1000 characters"), "{message}");
    let cases = [
        json!({"type": "omni.workAssigned", "workItemId": "500", "workId": past}),
        json!({"type": "omni.logout", "reason": past}),
        json!({"type": "telephony.stateChanged", "newState": past}),
        json!({"type": past}),
    ];
    let paths = ["$.workId", "$.reason", "$.newState", "$.type"];
    for (event, want) in cases.into_iter().zip(paths) {
        let (code, path, _) = refused(event);
        assert_eq!((code.as_str(), path.as_str()), ("event.tooLarge", want));
    }
}

#[test]
fn channels_per_event_are_capped_at_the_limit() {
    let channels = |n: usize| -> Vec<Value> {
        (0..n)
            .map(|i| json!({"channelId": format!("0N9{i}"), "developerName": format!("C{i}")}))
            .collect()
    };
    let mut event = status_changed("Available");
    event["channels"] = json!(channels(MAX_EVENT_CHANNELS));
    assert!(Event::from_value(&event).is_ok());
    // As the Lightning payload sends it, a JSON string.
    event["channels"] = json!(json!(channels(MAX_EVENT_CHANNELS)).to_string());
    assert!(Event::from_value(&event).is_ok());
    event["channels"] = json!(channels(MAX_EVENT_CHANNELS + 1));
    let (code, path, message) = refused(event.clone());
    assert_eq!(
        (code.as_str(), path.as_str()),
        ("event.tooLarge", "$.channels")
    );
    assert!(message.contains("the limit is 100"), "{message}");
    event["channels"] =
        json!([{"channelId": "0N9", "developerName": "x".repeat(MAX_EVENT_STRING + 1)}]);
    let (code, path, _) = refused(event);
    assert_eq!(
        (code.as_str(), path.as_str()),
        ("event.tooLarge", "$.channels[0].developerName")
    );
}

fn engine() -> Engine {
    Engine::from_json_str(r#"{"version": 1, "statuses": [], "telephony": {"system": "x", "states": []}, "rules": []}"#).unwrap()
}

fn assigned(i: usize) -> Event {
    Event::from_value(
        &json!({"type": "omni.workAssigned", "workItemId": format!("500{i:012}"),
        "workId": format!("0Bz{i:012}")}),
    )
    .unwrap()
}

#[test]
fn open_work_items_are_capped_at_the_limit() {
    let mut engine = engine();
    let events: Vec<Event> = (0..MAX_OPEN_WORK)
        .map(|k| assigned((k * 7919) % MAX_OPEN_WORK))
        .collect();
    // Scattered order: insertion stays cheap at the cap (a binary search and a move of
    // at most the items the caps allow).
    let started = std::time::Instant::now();
    for event in &events {
        assert!(engine.admit(event).is_ok());
        engine.handle(event, 1);
    }
    let took = started.elapsed();
    println!("{MAX_OPEN_WORK} open work items in scattered order: {took:?}");
    assert!(took < std::time::Duration::from_secs(2), "{took:?}");
    assert_eq!(engine.state().open_work(), MAX_OPEN_WORK);
    let past = assigned(MAX_OPEN_WORK);
    let err = engine.admit(&past).unwrap_err();
    assert_eq!(err.code(), "event.tooManyWorkItems");
    assert_eq!(err.details()[0].path, "$.workId");
    assert!(err.details()[0]
        .message
        .contains("1000 open work items, the limit"));
    // Handled anyway (a caller that did not ask first): the model refuses it and the
    // trace says so.
    let decision = engine.handle(&past, 2);
    assert!(decision.trace.notes.iter().any(|n| n.contains("refused")));
    assert_eq!(engine.state().open_work(), MAX_OPEN_WORK);
    assert_eq!(engine.state().works.len(), MAX_OPEN_WORK);
    // An event about a known item still goes through.
    assert!(engine.admit(&assigned(5)).is_ok());
}

#[test]
fn a_saved_session_is_capped_at_the_limit() {
    assert!(within_cap(&"x".repeat(MAX_SESSION_BYTES)).is_ok());
    let why = within_cap(&"x".repeat(MAX_SESSION_BYTES + 1)).unwrap_err();
    assert!(why.starts_with("session.tooLarge"), "{why}");
    assert!(
        why.contains(&format!("the limit is {MAX_SESSION_BYTES} bytes")),
        "{why}"
    );
}

#[test]
fn the_caps_keep_the_largest_possible_session_small() {
    // Every open item at the cap, with Ids at the string limit: what state() and the
    // saved session can reach at most from work items.
    let mut engine = engine();
    for i in 0..MAX_OPEN_WORK {
        let event = Event::from_value(&json!({"type": "omni.workAssigned",
            "workItemId": format!("{i:0>1000}"), "workId": format!("{i:0>1000}")}))
        .unwrap();
        engine.handle(&event, 1);
    }
    let state = serde_json::to_string(engine.state()).unwrap();
    // About 3 MB: past the saved-session cap (which is refused and traced, never
    // written), far below the 163 MiB of an uncapped million.
    assert!(state.len() < 4 * 1024 * 1024, "{}", state.len());
}

#[test]
fn a_time_in_2100_is_taken_as_now_with_a_line_saying_so() {
    let event = assigned(1);
    let y2100 = 4_102_444_800_000;
    let now = 1_765_000_000_000;
    let (at, line) = taken_at(&event, y2100, now);
    assert_eq!(at, now);
    assert!(line.unwrap().contains("stamped"));
    assert_eq!(taken_at(&event, now - 5, now), (now - 5, None));
    // A few seconds ahead: taken as now, without a line.
    assert_eq!(taken_at(&event, now + 1_000, now), (now, None));
}

#[test]
fn rule_strings_are_capped_at_the_limit() {
    use omnisync::rules::parse::MAX_STRING;
    use omnisync::CompiledRules;
    let file = |name: &str, status: &str| {
        json!({"version": 1, "statuses": [{"id": "0N5000000000001", "developerName": status}],
            "telephony": {"system": "x", "states": ["X"]},
            "rules": [{"name": name, "on": "omni.workloadChanged", "then": [{"setOmniStatus": status}]}]})
    };
    let at = "n".repeat(MAX_STRING);
    assert!(CompiledRules::from_value(&file(&at, &at)).is_ok());
    let past = "n".repeat(MAX_STRING + 1);
    for (value, path) in [
        (file(&past, "S"), "$.rules[0].name"),
        (file("r", &past), "$.statuses[0].developerName"),
    ] {
        let err = CompiledRules::from_value(&value).unwrap_err();
        let first = &err.details()[0];
        assert_eq!((first.code, first.path.as_str()), ("rules.tooLarge", path));
        assert!(
            first.message.contains("the limit is 1000 characters"),
            "{}",
            first.message
        );
    }
}
