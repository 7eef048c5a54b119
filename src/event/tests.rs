use super::*;
use serde_json::json;

fn parse(v: Value) -> Result<Event, Error> {
    Event::from_value(&v)
}

#[test]
fn every_alias_maps_to_the_same_kind() {
    let mut aliased = 0;
    for (i, kind) in EventKind::ALL.iter().enumerate() {
        assert_eq!(kind.name(), EventKind::names()[i]);
        assert_eq!(EventKind::from_name(kind.name()), Some(*kind));
        // The serde name is the canonical name.
        assert_eq!(serde_json::to_value(kind).unwrap(), json!(kind.name()));
        let back: EventKind = serde_json::from_value(json!(kind.name())).unwrap();
        assert_eq!(back, *kind);
        if let Some((lightning, classic)) = kind.aliases() {
            aliased += 1;
            assert_eq!(EventKind::from_name(lightning), Some(*kind));
            let namespaced = format!("lightning:{lightning}");
            assert_eq!(EventKind::from_name(&namespaced), Some(*kind));
            assert_eq!(EventKind::from_name(classic), Some(*kind));
            let console = format!("sforce.console.ConsoleEvent.{classic}");
            assert_eq!(EventKind::from_name(&console), Some(*kind));
            // Aliases name events; they are not the rules' trigger names.
            assert!(serde_json::from_value::<EventKind>(json!(lightning)).is_err());
        }
    }
    assert_eq!(aliased, 8);
    assert_eq!(EventKind::names().len(), 10);
    assert_eq!(EventKind::from_name("omni.nope"), None);
}

#[test]
fn workload_numbers_may_be_strings() {
    let e = parse(
        json!({"type": "omni.workloadChanged", "configuredCapacity": "5",
        "previousWorkload": 1, "newWorkload": " 2.5 "}),
    )
    .unwrap();
    assert_eq!(
        e,
        Event::WorkloadChanged {
            configured_capacity: 5.0,
            previous_workload: 1.0,
            new_workload: 2.5
        }
    );
}

#[test]
fn bad_numbers_are_refused_with_their_path() {
    for bad in [
        json!("abc"),
        json!(-1),
        json!("-2"),
        json!("NaN"),
        json!("inf"),
    ] {
        let err = parse(
            json!({"type": "omni.workloadChanged", "configuredCapacity": 5,
            "previousWorkload": 1, "newWorkload": bad}),
        )
        .unwrap_err();
        assert_eq!(err.code(), "event.invalidNumber");
        assert_eq!(err.details()[0].path, "$.newWorkload");
    }
}

#[test]
fn numbers_of_the_wrong_json_type_are_invalid_fields() {
    let err = parse(
        json!({"type": "omni.workloadChanged", "configuredCapacity": [5],
        "previousWorkload": 1, "newWorkload": 1}),
    )
    .unwrap_err();
    assert_eq!(err.code(), "event.invalidField");
    assert_eq!(err.details()[0].path, "$.configuredCapacity");
}

#[test]
fn channels_arrive_as_a_json_string() {
    let e = parse(
        json!({"type": "lightning:omniChannelStatusChanged", "statusId": "x",
        "statusApiName": "Available",
        "channels": "[{\"channelId\":\"0N9a\",\"developerName\":\"Cases\"}]"}),
    )
    .unwrap();
    let Event::StatusChanged { channels, .. } = e else {
        panic!("wrong kind")
    };
    assert_eq!(channels[0].developer_name, "Cases");
}

#[test]
fn malformed_events_say_what_is_wrong() {
    assert_eq!(parse(json!(3)).unwrap_err().code(), "event.notAnObject");
    assert_eq!(parse(json!({})).unwrap_err().code(), "event.missingField");
    assert_eq!(
        parse(json!({"type": "PRESENCE.NOPE"})).unwrap_err().code(),
        "event.unknownType"
    );
    assert_eq!(
        parse(json!({"type": "telephony.stateChanged", "newState": 4}))
            .unwrap_err()
            .code(),
        "event.invalidField"
    );
    assert_eq!(
        Event::from_json_str("{nope").unwrap_err().code(),
        "event.notAnObject"
    );
}

#[test]
fn classic_workload_fields_are_pascal_case() {
    let e = parse(
        json!({"type": "sfconsole.ConsoleEvent.PRESENCE.WORKLOAD_CHANGED",
        "ConfiguredCapacity": "4", "PreviousWorkload": 1, "NewWorkload": 2}),
    )
    .unwrap();
    assert_eq!(
        e,
        Event::WorkloadChanged {
            configured_capacity: 4.0,
            previous_workload: 1.0,
            new_workload: 2.0
        }
    );
    let err = parse(
        json!({"type": "PRESENCE.WORKLOAD_CHANGED", "ConfiguredCapacity": 4,
        "PreviousWorkload": 1}),
    )
    .unwrap_err();
    assert_eq!(err.details()[0].path, "$.newWorkload");
}

#[test]
fn classic_logout_with_reason() {
    let e = parse(json!({"type": "PRESENCE.LOGOUT", "reason": "DuplicateLogin"})).unwrap();
    assert_eq!(
        e,
        Event::Logout {
            reason: Some("DuplicateLogin".into())
        }
    );
}
