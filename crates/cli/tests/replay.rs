//! `omnisync replay` on the hand-checkable fixture org of tests/fixtures/replay (three
//! agents, one day; docs/replay.md works its report out by hand), on damaged inputs,
//! and its command line.

#![cfg(not(target_arch = "wasm32"))]

mod command;
use command::omnisync;

use omnisync::replay::{self, Input, InputKind, Options, Report};
use omnisync::rules::Catalog;
use omnisync::CompiledRules;
use std::io::Write;
use std::path::{Path, PathBuf};

const DIR: &str = concat!(env!("OMNISYNC_ROOT"), "/tests/fixtures/replay");

fn fixture(name: &str) -> PathBuf {
    Path::new(DIR).join(name)
}

fn catalog() -> Catalog {
    let text = std::fs::read_to_string(fixture("catalog.json")).expect("catalog");
    Catalog::from_json_str(&text).expect("a catalog")
}

fn rules(name: &str) -> CompiledRules {
    let text = std::fs::read_to_string(fixture(name)).expect("rules");
    CompiledRules::from_json_str_with_catalog(&text, &catalog()).expect("valid rules")
}

fn options(inputs: Vec<Input>) -> Options {
    let mut o = Options::new(
        rules("current.json"),
        rules("proposed-lunch-is-break.json"),
        inputs,
    );
    o.current_name = "current.json".into();
    o.proposed_name = "proposed-lunch-is-break.json".into();
    o.catalog = Some(catalog());
    o.users = Some(fixture("users.csv").into());
    o
}

fn input(kind: InputKind, path: PathBuf) -> Input {
    Input::file(kind, path)
}

fn the_org() -> Vec<Input> {
    vec![
        input(InputKind::Usp, fixture("usp.csv")),
        input(InputKind::AgentWork, fixture("agent_work.csv")),
        input(InputKind::Connect, fixture("connect.jsonl")),
    ]
}

fn run(o: &Options) -> Report {
    replay::replay(o).expect("a report")
}

fn temp_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("omnisync-replay-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(bytes).expect("gzip");
    gz.finish().expect("gzip")
}

/// The report as docs/replay.md works it out, line by line.
const EXPECTED_TABLE: &str = "
changes: 18 by agents, 11 by the old sync (37.9 %), 3 of them ambiguous (same second); window 5000 ms
         3  Omni login: phone Available
         1  omniToTelephony[0]: Available -> Available
         1  omniToTelephony[1]: Lunch -> Lunch
         3  omniToTelephony[2]: Offline -> Offline
         2  telephonyToOmni[0]: Available -> Available
         1  telephonyToOmni[1]: Lunch -> Lunch

rule fired (history: changes; replays: actions)     history    current   proposed
telephonyToOmni[0]: Available -> Available                2          2          2
telephonyToOmni[1]: Lunch -> Lunch                        1          1          0
omniToTelephony[0]: Available -> Available                1          1          1
omniToTelephony[1]: Lunch -> Lunch                        1          1          0
omniToTelephony[2]: Offline -> Offline                    3          3          0
Omni login: phone Available                               3          3          3
telephonyToOmni[1]: Lunch -> Break                        0          0          1
omniToTelephony[1]: Break -> Lunch                        0          0          0
omniToTelephony[2]: Lunch -> Lunch                        0          0          1
omniToTelephony[3]: Offline -> Offline                    0          0          3

Omni-Channel hours                  history    current   proposed
Available                             22.51      22.51      22.51
Lunch                                  2.00       2.00       1.00
Offline                                1.00       1.00       1.00
Break                                  0.00       0.00       1.00

telephony hours                     history    current   proposed
Available                             22.13      22.13      22.13
Lunch                                  2.00       2.00       2.00
Offline                                1.01       1.01       1.01
Break                                  0.25       0.25       0.25
Busy                                   0.08       0.08       0.08
AfterCallWork                          0.03       0.03       0.03

chain limits hit: current 0, proposed 0; phone writes deferred during contacts: current 0, proposed 0

1 changes differ
  2026-03-02T12:00:00.000Z  005Hs00000ALICEAAA   telephony Lunch          current: omni=Lunch               proposed: omni=Break
";

#[test]
fn the_fixture_org_reports_line_by_line_what_docs_replay_works_out() {
    let report = run(&options(the_org()));
    let table = report.table();
    let mut lines = table.lines();
    assert_eq!(
        lines.next(),
        Some("omnisync replay: 3 agents, 34 events (23 replayed); current current.json, proposed proposed-lunch-is-break.json")
    );
    let got: Vec<&str> = lines.collect();
    let want: Vec<&str> = EXPECTED_TABLE.lines().collect();
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        assert_eq!(g, w, "line {} of the table:\n{table}", i + 2);
    }
    assert_eq!(got.len(), want.len(), "{table}");
    assert_eq!(report.problems.total(), 0, "{:?}", report.problems);
}

#[test]
fn each_change_is_attributed_per_agent_as_the_docs_say() {
    let report = run(&options(the_org()));
    let per: Vec<(&str, u64, u64)> = report
        .per_agent
        .iter()
        .map(|a| (a.agent.as_str(), a.agent_changes, a.sync_changes))
        .collect();
    // Alice: login, call (Busy, AfterCallWork, Available), phone Lunch, phone
    // Available, logout by hand; the sync: her phone at login, Omni Lunch, Omni
    // Available, phone Offline. Bob changes Omni only (two logins), the sync his phone
    // six times. Carol changes the phone only; the sync logged her in to Omni once.
    assert_eq!(
        per,
        [
            ("005Hs00000ALICEAAA", 7, 4),
            ("005Hs00000BOBBBAAA", 6, 6),
            ("005Hs00000CAROLAAA", 5, 1)
        ]
    );
    let a = &report.attribution;
    assert_eq!((a.agent_changes, a.sync_changes, a.ambiguous), (18, 11, 3));
    assert_eq!(a.sync_share, 0.3793);
}

#[test]
fn hours_per_status_are_exact_to_the_second() {
    let report = run(&options(the_org()));
    let seconds = |rows: &[omnisync::replay::report::StatusRow], name: &str| {
        let r = rows.iter().find(|r| r.status == name).expect(name);
        (r.history_seconds, r.current_seconds, r.proposed_seconds)
    };
    let omni = &report.statuses.omni;
    assert_eq!(seconds(omni, "Available"), (81_029, 81_029, 81_029));
    assert_eq!(seconds(omni, "Lunch"), (7_200, 7_200, 3_600));
    assert_eq!(seconds(omni, "Break"), (0, 0, 3_600));
    assert_eq!(seconds(omni, "Offline"), (3_602, 3_602, 3_602));
    let phone = &report.statuses.telephony;
    assert_eq!(seconds(phone, "Available"), (79_680, 79_678, 79_678));
    assert_eq!(seconds(phone, "Lunch"), (7_199, 7_200, 7_200));
    assert_eq!(seconds(phone, "Offline"), (3_629, 3_632, 3_632));
    assert_eq!(seconds(phone, "Busy"), (300, 300, 300));
    assert_eq!(seconds(phone, "AfterCallWork"), (120, 120, 120));
}

#[test]
fn the_same_rules_on_both_sides_differ_nowhere() {
    let mut o = options(the_org());
    o.proposed = rules("current.json");
    let report = run(&o);
    assert_eq!(report.differences.total, 0);
    assert!(
        report.rules.iter().all(|r| r.current == r.proposed),
        "{:?}",
        report.rules
    );
}

#[test]
fn gzip_exports_and_a_tiny_sort_buffer_give_the_same_report() {
    let dir = temp_dir();
    let mut inputs = Vec::new();
    for i in the_org() {
        let fixture = i.source.path().expect("a fixture file");
        let bytes = std::fs::read(fixture).expect("fixture");
        let path = dir.join(format!(
            "{}.gz",
            fixture.file_name().and_then(|n| n.to_str()).unwrap_or("x")
        ));
        std::fs::write(&path, gzip(&bytes)).expect("write");
        inputs.push(input(i.kind, path));
    }
    let mut o = options(inputs);
    o.sort_rows = 4; // every four rows a run on disk, merged back
    let report = run(&o);
    assert!(report.timing.sort_runs > 5, "{:?}", report.timing);
    assert_eq!(report.table(), run(&options(the_org())).table());
    assert!(report
        .inputs
        .iter()
        .all(|i| i.complete && i.text_bytes > i.stored_bytes));
}

#[test]
fn malformed_rows_are_counted_by_reason_and_line_and_the_replay_goes_on() {
    let dir = temp_dir();
    let usp = std::fs::read_to_string(fixture("usp.csv")).expect("usp");
    let mut lines: Vec<String> = usp.lines().map(str::to_string).collect();
    lines.push(
        r#""x","005Hs00000ALICEAAA","0N5Hs0000001AvlKAE","2026-03-02T25:00:00.000Z","","true","2""#
            .into(),
    ); // line 10
    lines.push(
        r#""x","005Hs00000NOBODYAA","0N5Hs0000001AvlKAE","2026-03-02T19:00:00.000Z","","true","2""#
            .into(),
    ); // 11
    lines.push(
        r#""x","005Hs00000BOBBBAAA","0N5Hs0000009XyzKAE","2026-03-02T19:00:00.000Z","","true","2""#
            .into(),
    ); // 12
    let usp_path = dir.join("usp-damaged.csv");
    std::fs::write(&usp_path, lines.join("\n")).expect("write");
    // The Connect export gzip'd and cut in the middle of its stream.
    let connect = gzip(&std::fs::read(fixture("connect.jsonl")).expect("connect"));
    let cut = dir.join("connect-cut.jsonl.gz");
    std::fs::write(&cut, &connect[..connect.len() * 2 / 3]).expect("write");
    let report = run(&options(vec![
        input(InputKind::Usp, usp_path.clone()),
        input(InputKind::Connect, cut.clone()),
    ]));
    let problem = |reason: &str| {
        report
            .problems
            .reasons
            .get(reason)
            .unwrap_or_else(|| panic!("{reason}: {:?}", report.problems))
    };
    let usp_file = usp_path.display().to_string();
    assert_eq!(problem("bad date").count, 1);
    assert!(problem("bad date").examples[0].starts_with(&format!("{usp_file}:10: StatusStartDate")));
    assert_eq!(
        problem("unknown user").examples,
        [format!("{usp_file}:11: 005Hs00000NOBODYAA")]
    );
    assert_eq!(
        problem("unknown status").examples,
        [format!("{usp_file}:12: 0N5Hs0000009XyzKAE")]
    );
    let truncated = problem("truncated gzip");
    assert_eq!(truncated.count, 1);
    assert!(
        truncated.examples[0].starts_with(&format!("{}:", cut.display())),
        "{:?}",
        truncated
    );
    // What was read is replayed: all three agents' presence, some phone records.
    assert_eq!(report.agents, 3);
    let connect_input = report
        .inputs
        .iter()
        .find(|i| i.kind == InputKind::Connect)
        .expect("connect");
    assert!(!connect_input.complete);
    assert!(
        report.table().contains("rows not used: 4"),
        "{}",
        report.table()
    );
}

#[test]
fn nothing_readable_is_an_error_naming_the_reasons() {
    let dir = temp_dir();
    let path = dir.join("empty-usp.csv");
    std::fs::write(&path, "Id,UserId\n1,2\n").expect("write");
    let err =
        replay::replay(&options(vec![input(InputKind::Usp, path)])).expect_err("nothing to replay");
    assert!(err.contains("missing column"), "{err}");
}

#[test]
fn a_multi_agent_trace_replays_like_the_exports() {
    // The generic trace: each line names its agent; no user map needed.
    let trace = "\
{\"at\": 1772438400000, \"agent\": \"005Hs00000DAVEAAAA\", \"type\": \"omni.loginSuccess\", \"statusId\": \"0N5Hs0000001AvlKAE\"}
{\"at\": 1772438401000, \"agent\": \"005Hs00000DAVEAAAA\", \"type\": \"telephony.stateChanged\", \"newState\": \"Available\"}
{\"at\": 1772452800000, \"agent\": \"005Hs00000DAVEAAAA\", \"type\": \"telephony.stateChanged\", \"newState\": \"Lunch\"}
{\"at\": 1772452801000, \"agent\": \"005Hs00000DAVEAAAA\", \"type\": \"omni.statusChanged\", \"statusId\": \"0N5Hs0000004LunKAE\", \"statusApiName\": \"Lunch\", \"reason\": \"OmniToolkitStatusChange\"}
{\"at\": 1772452900000, \"agent\": \"005Hs00000ERINAAAA\", \"type\": \"telephony.stateChanged\", \"newState\": \"Lunch\"}
not json
";
    let path = temp_dir().join("trace.jsonl");
    std::fs::write(&path, trace).expect("write");
    let mut o = options(vec![input(InputKind::Trace, path.clone())]);
    o.users = None;
    let report = run(&o);
    assert_eq!(report.agents, 2);
    assert_eq!(report.attribution.sync_changes, 2, "{}", report.table());
    assert_eq!(report.differences.total, 2, "{}", report.table());
    assert_eq!(
        report.problems.reasons["bad JSON"].examples,
        [format!(
            "{}:6: expected ident at line 1 column 2",
            path.display()
        )]
    );
}

#[test]
fn the_html_report_is_one_file_with_charts_and_nothing_to_fetch() {
    let html = replay::html(&run(&options(the_org())));
    assert_eq!(html.matches("<svg class=\"chart\"").count(), 2);
    assert!(html.matches("<svg class=\"chart firing\"").count() >= 5);
    assert!(!html.contains("<script"));
    assert!(!html.contains("src="));
    assert!(!html.contains("http://") && !html.contains("https://"));
    assert!(html.contains("telephony Lunch"));
}

#[test]
fn replay_help_gives_an_example_and_every_option() {
    let out = omnisync(&["replay", "--help"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    for flag in [
        "--current",
        "--proposed",
        "--catalog",
        "--users",
        "--usp",
        "--agent-work",
        "--connect",
        "--trace",
        "--window-ms",
        "--html",
        "--format",
        "--progress",
    ] {
        assert!(text.contains(flag), "{flag}: {text}");
    }
    assert!(text.contains("Example"), "{text}");
    assert!(text.contains("sf data export bulk"), "{text}");
}

#[test]
fn the_command_prints_the_table_writes_the_page_and_draws_no_bar_into_a_pipe() {
    let html = temp_dir().join("report.html");
    let out = omnisync(&[
        "replay",
        "--current",
        "tests/fixtures/replay/current.json",
        "--proposed",
        "tests/fixtures/replay/proposed-lunch-is-break.json",
        "--catalog",
        "tests/fixtures/replay/catalog.json",
        "--users",
        "tests/fixtures/replay/users.csv",
        "--usp",
        "tests/fixtures/replay/usp.csv",
        "--agent-work",
        "tests/fixtures/replay/agent_work.csv",
        "--connect",
        "tests/fixtures/replay/connect.jsonl",
        "--html",
        html.to_str().unwrap_or_default(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("18 by agents, 11 by the old sync"), "{text}");
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(std::fs::read_to_string(&html)
        .expect("page")
        .contains("<svg"));
    let json = omnisync(&[
        "replay",
        "--format",
        "json",
        "--current",
        "tests/fixtures/replay/current.json",
        "--proposed",
        "tests/fixtures/replay/current.json",
        "--catalog",
        "tests/fixtures/replay/catalog.json",
        "--usp",
        "tests/fixtures/replay/usp.csv",
    ]);
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json");
    assert_eq!(value["agents"], 3);
    assert_eq!(value["differences"]["total"], 0);
    let none = omnisync(&["replay", "--current", "x.json", "--proposed", "y.json"]);
    assert_eq!(none.status.code(), Some(2));
}

#[test]
fn a_current_presence_record_is_no_logout_and_a_gap_is_one() {
    let dir = temp_dir();
    let usp = dir.join("usp-current.csv");
    std::fs::write(
        &usp,
        "UserId,ServicePresenceStatus.DeveloperName,StatusStartDate,StatusEndDate,IsCurrentState\n\
         005Hs00000DAVEAAAA,Available,2026-03-02T08:00:00.000+0000,2026-03-02T09:00:00.000+0000,false\n\
         005Hs00000DAVEAAAA,Lunch,2026-03-02T09:00:00.000+0000,,true\n\
         005Hs00000ERINAAAA,Available,2026-03-02T08:00:00.000+0000,2026-03-02T09:00:00.000+0000,false\n\
         005Hs00000ERINAAAA,Available,2026-03-02T09:30:00.000+0000,,true\n",
    )
    .expect("write");
    let work = dir.join("work-later.csv");
    std::fs::write(
        &work,
        "UserId,WorkItemId,AssignedDateTime\n\
         005Hs00000DAVEAAAA,570Hs00000CASE1AAA,2026-03-02T10:00:00.000Z\n\
         005Hs00000ERINAAAA,570Hs00000CASE2AAA,2026-03-02T10:00:00.000Z\n",
    )
    .expect("write");
    let mut o = options(vec![
        input(InputKind::Usp, usp),
        input(InputKind::AgentWork, work),
    ]);
    o.users = None;
    let report = run(&o);
    let omni: Vec<(&str, u64)> = report
        .statuses
        .omni
        .iter()
        .map(|r| (r.status.as_str(), r.history_seconds))
        .collect();
    // Dave: Available 08:00-09:00, Lunch from 09:00 on (the current record) to his
    // last event at 10:00. Erin: Available 08:00-09:00, logged out 09:00-09:30 (the
    // gap), Available again to 10:00.
    assert_eq!(
        omni,
        [
            ("Available", 3600 + 3600 + 1800),
            ("Lunch", 3600),
            ("Offline", 1800)
        ]
    );
    let per: Vec<(&str, u64)> = report
        .per_agent
        .iter()
        .map(|a| (a.agent.as_str(), a.agent_changes))
        .collect();
    // Dave: login, Lunch; Erin: login, logout, login.
    assert_eq!(per, [("005Hs00000DAVEAAAA", 2), ("005Hs00000ERINAAAA", 3)]);
}

/// What a report says, without where its rows came from or how long it took.
fn said(report: &Report) -> serde_json::Value {
    let mut value = serde_json::to_value(report).expect("json");
    if let Some(object) = value.as_object_mut() {
        object.remove("inputs");
        object.remove("timing");
    }
    value
}

#[test]
fn one_file_in_order_is_replayed_as_read_and_says_what_the_merge_says() {
    let dir = temp_dir();
    for i in the_org() {
        let streamed = run(&options(vec![i.clone()]));
        assert!(
            streamed.timing.streamed,
            "{:?}: {:?}",
            i.source, streamed.timing
        );
        assert_eq!(streamed.timing.sort_runs, 0);
        // The same rows through the merge: a second file of the kind, with no rows.
        let path = i.source.path().expect("a fixture file");
        let text = std::fs::read_to_string(path).expect("fixture");
        let header = if i.kind == InputKind::Connect {
            ""
        } else {
            text.lines().next().unwrap_or_default()
        };
        let empty = dir.join(format!("empty-{:?}", i.kind));
        std::fs::write(&empty, header).expect("write");
        let mut o = options(vec![i.clone(), input(i.kind, empty)]);
        o.sort_rows = 2;
        let merged = run(&o);
        assert!(!merged.timing.streamed);
        assert!(merged.timing.sort_runs > 0, "{:?}", merged.timing);
        assert!(streamed.events > 0);
        assert_eq!(said(&streamed), said(&merged), "{:?}", i.source);
    }
}

#[test]
fn a_file_out_of_order_is_read_again_through_the_merge() {
    let text = std::fs::read_to_string(fixture("connect.jsonl")).expect("connect");
    let mut lines: Vec<&str> = text.lines().collect();
    lines.reverse(); // each agent's last record first
    let path = temp_dir().join("connect-last-first.jsonl");
    std::fs::write(&path, lines.join("\n")).expect("write");
    let report = run(&options(vec![input(InputKind::Connect, path)]));
    assert!(!report.timing.streamed, "{:?}", report.timing);
    let in_order = run(&options(vec![input(
        InputKind::Connect,
        fixture("connect.jsonl"),
    )]));
    assert!(in_order.timing.streamed);
    assert_eq!(said(&report), said(&in_order));
    // Read twice, counted once.
    assert_eq!(report.inputs[0].text_bytes, text.trim_end().len() as u64);
    assert!(report.inputs[0].complete);
}
