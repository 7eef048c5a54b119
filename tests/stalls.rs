//! A hostile environment around the sync loop: a side that never answers, events
//! stamped in the future, a saved session that is not this agent's or is oversized.

#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::sync::executes;
use omnisync::engine::EngineSnapshot;
use omnisync::event::{WorkEvent, WorkRef};
use omnisync::sync::{LogKind, SavedSession, SyncLoop, MAX_CLOCK_SKEW_MS};
use omnisync::{CompiledRules, Engine, Event};
use serde_json::json;

const AVAILABLE: &str = "0N5Hs0000001AvlKAE";
const LUNCH: &str = "0N5Hs0000004LunKAE";

fn rules() -> CompiledRules {
    CompiledRules::from_value(&json!({
        "version": 1,
        "statuses": [
            {"id": AVAILABLE, "developerName": "Available"},
            {"id": LUNCH, "developerName": "Lunch", "online": false}
        ],
        "telephony": {"system": "amazon-connect", "states": ["Available", "Lunch"]},
        "mappings": {
            "omniToTelephony": [{"omni": "Lunch", "telephony": "Lunch"}, {"omni": "Available", "telephony": "Available"}]
        }
    }))
    .expect("valid rules")
}

fn ready() -> SyncLoop {
    let mut sync = SyncLoop::new(Engine::new(rules()));
    sync.start(0);
    sync.reconciled(&[], 0);
    sync
}

fn status(id: &str, name: &str) -> Event {
    Event::StatusChanged {
        status_id: id.into(),
        status_name: None,
        status_api_name: name.into(),
        channels: vec![],
        reason: Some("OmniManualStatusChange".into()),
    }
}

#[test]
fn a_stalled_side_is_sent_only_the_latest_wanted_state() {
    let mut sync = ready();
    let first = executes(&sync.event(&status(LUNCH, "Lunch"), 10));
    assert_eq!(first.len(), 1);
    let (stalled, _) = &first[0];
    // 100,000 changes while the phone does not answer: none is sent meanwhile.
    for i in 0..100_000u64 {
        let (id, name) = if i % 2 == 0 {
            (AVAILABLE, "Available")
        } else {
            (LUNCH, "Lunch")
        };
        let out = sync.event(&status(id, name), 20 + i);
        assert!(
            executes(&out).is_empty(),
            "event {i} sent {:?}",
            executes(&out)
        );
    }
    // The last change was to Lunch... then one more to Available.
    sync.event(&status(AVAILABLE, "Available"), 200_000);
    // The stalled call times out: the loop decides on the latest state only.
    let out = sync.result(*stalled, Some("timeout"), 210_000);
    let sent = executes(&out);
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0].1.target(), "Available");
    assert!(
        out.decisions.len() <= 2,
        "{} decisions replayed",
        out.decisions.len()
    );
    // The phone recovers: nothing stale follows, however long we wait.
    let mut later = sync.result(sent[0].0, None, 210_100);
    later.merge(sync.tick(10_000_000));
    assert!(executes(&later).is_empty(), "{:?}", executes(&later));
    assert!(sync.stats().coalesced >= 99_999);
}

#[test]
fn a_stalled_write_the_rules_no_longer_want_is_never_sent_again() {
    let mut sync = SyncLoop::new(Engine::new(rules()));
    sync.start(0);
    let phone_available = Event::TelephonyStateChanged {
        old_state: None,
        new_state: "Available".into(),
    };
    sync.reconciled(&[phone_available], 0);
    let first = executes(&sync.event(&status(LUNCH, "Lunch"), 10));
    assert_eq!(first[0].1.target(), "Lunch");
    for i in 0..1_000u64 {
        let (id, name) = if i % 2 == 0 {
            (AVAILABLE, "Available")
        } else {
            (LUNCH, "Lunch")
        };
        sync.event(&status(id, name), 20 + i);
    }
    sync.event(&status(AVAILABLE, "Available"), 5_000);
    // The phone is already Available, which is what the rules now want: the stalled
    // write to Lunch must not be retried.
    let mut out = sync.result(first[0].0, Some("timeout"), 10_000);
    out.merge(sync.tick(1_000_000));
    assert!(executes(&out).is_empty(), "{:?}", executes(&out));
}

#[test]
fn an_event_stamped_in_the_future_never_moves_the_clock() {
    let mut sync = ready();
    let year_2100 = 4_102_444_800_000u64;
    let now = 1_000_000u64;
    let out = sync.event_at(&status(LUNCH, "Lunch"), year_2100, now);
    assert!(
        out.log.iter().any(|l| l.kind == LogKind::Clock),
        "{:?}",
        out.log
    );
    assert_eq!(sync.engine().state().omni.since, Some(now));
    assert!(sync.engine().snapshot().clock <= now);
    sync.event_at(&status(AVAILABLE, "Available"), now + 60_000, now + 60_000);
    let records = sync.engine().metrics(now + 60_000).records;
    assert_eq!(records[0].status_duration, 60_000);
    // Within the skew the event's own time is still never after the caller's clock.
    let out = sync.event_at(&status(LUNCH, "Lunch"), now + 61_000, now + 60_500);
    assert!(out.log.iter().all(|l| l.kind != LogKind::Clock));
    assert_eq!(sync.engine().state().omni.since, Some(now + 60_500));
    const { assert!(MAX_CLOCK_SKEW_MS <= 60_000) };
}

fn snapshot_with(records: usize, finished: usize) -> EngineSnapshot {
    let mut engine = Engine::new(rules());
    let mut t = 10_000_000u64;
    for i in 0..records {
        let (id, name) = if i % 2 == 0 {
            (AVAILABLE, "Available")
        } else {
            (LUNCH, "Lunch")
        };
        engine.handle(&status(id, name), t);
        t += 1_000;
    }
    let mut snapshot = engine.snapshot();
    for i in 0..finished {
        let work = WorkRef {
            work_item_id: format!("500{i:06}"),
            work_id: format!("0Bz{i:06}"),
            service_channel: None,
        };
        snapshot
            .state
            .work_event(WorkEvent::Assigned, &work, None, t);
        if let Some(item) = snapshot.state.works.values_mut().last() {
            item.status = omnisync::model::WorkStatus::Closed;
        }
    }
    snapshot
}

#[test]
fn another_users_session_is_refused() {
    let saved = SavedSession::new(snapshot_with(3, 0), "00Dorg", "005alice");
    let text = saved.to_json().expect("serialises");
    let back =
        SavedSession::from_value(serde_json::from_str(&text).expect("json")).expect("reads back");
    assert_eq!(back, saved);
    assert!(back
        .clone()
        .accept("00Dorg", "005alice", 20_000_000)
        .is_ok());
    assert!(back.clone().accept("00Dorg", "005bob", 20_000_000).is_err());
    assert!(back
        .clone()
        .accept("00Dother", "005alice", 20_000_000)
        .is_err());
    let mut old = back.clone();
    old.version = 1;
    assert!(old.accept("00Dorg", "005alice", 20_000_000).is_err());
    // A session saved "in the future" is not restored either.
    assert!(back.accept("00Dorg", "005alice", 2_000).is_err());
    // The format before versions (a bare engine snapshot) does not read as a session.
    let bare = serde_json::to_value(snapshot_with(1, 0)).expect("serialises");
    assert!(SavedSession::from_value(bare).is_none());
}

#[test]
fn every_bound_applies_on_restore() {
    let mut snapshot = snapshot_with(100, 0);
    // Forge an oversized session: 30,000 finished work items.
    let big = snapshot_with(1, 30_000);
    snapshot.state.works = big.state.works;
    let json = serde_json::to_value(&snapshot).expect("serialises");
    assert!(json["metrics"]["closed"].as_array().map_or(0, Vec::len) <= 64);
    let saved = SavedSession::new(snapshot, "", "");
    let restored = saved.accept("", "", 90_000_000).expect("accepted");
    assert_eq!(
        restored.state.works.len(),
        omnisync::model::FINISHED_WORK_KEPT
    );
    assert!(
        restored
            .metrics
            .report(&restored.state, 90_000_000)
            .records
            .len()
            <= 65
    );
    // A forged file with more records than kept is cut to the newest 64 (+ the current).
    let text = SavedSession::new(snapshot_with(60, 0), "", "")
        .to_json()
        .expect("json");
    let mut json: serde_json::Value = serde_json::from_str(&text).expect("json");
    let closed = json["snapshot"]["metrics"]["closed"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let forged: Vec<_> = closed.iter().cycle().take(5_000).cloned().collect();
    json["snapshot"]["metrics"]["closed"] = json!(forged);
    let saved = SavedSession::from_value(json).expect("reads");
    let restored = saved.accept("", "", 90_000_000).expect("accepted");
    assert_eq!(
        restored
            .metrics
            .report(&restored.state, 90_000_000)
            .records
            .len(),
        65
    );
}

#[test]
fn a_read_that_raced_a_change_does_not_undo_it() {
    let mut sync = ready();
    let reply = json!({
        "getServicePresenceStatusId": {"statusId": AVAILABLE, "statusApiName": "Available"},
        "getState": "Available"
    });
    let read = omnisync::read::PresenceRead::read(&std::borrow::Cow::Borrowed(&reply));
    // The read is asked, then the agent picks Lunch before it answers.
    let mark = sync.read_mark();
    let wrote = executes(&sync.event(&status(LUNCH, "Lunch"), 10));
    assert_eq!(wrote.len(), 1, "the phone is set to Lunch");
    let out = sync.read_as_of(&read, mark, 20);
    assert!(executes(&out).is_empty(), "{:?}", executes(&out));
    let omni = |sync: &SyncLoop| sync.engine().state().omni.status_id.clone();
    assert_eq!(
        omni(&sync).as_deref(),
        Some(LUNCH),
        "the older read undid Lunch"
    );
    assert!(out.log.iter().any(|l| l.kind == LogKind::Drift));
    // The same answer to a read asked now is newer than the change: it is taken.
    let mark = sync.read_mark();
    sync.read_as_of(&read, mark, 30);
    assert_eq!(omni(&sync).as_deref(), Some(AVAILABLE));
}
