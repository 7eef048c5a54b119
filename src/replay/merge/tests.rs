//! The fixture org replayed whole against its agents replayed one by one (from bytes,
//! as a partition arrives) and merged; and the first differences over many agents.

use super::*;
use crate::replay::report::{AgentResult, Totals};
use crate::replay::{replay, Input, InputKind, Options, Source};
use crate::rules::{Catalog, CompiledRules};
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/replay")
        .join(name)
}

fn text(name: &str) -> String {
    std::fs::read_to_string(fixture(name)).expect("a fixture file")
}

fn options(inputs: Vec<Input>) -> Options {
    let catalog = Catalog::from_json_str(&text("catalog.json")).expect("the catalog");
    let rules = |name: &str| {
        CompiledRules::from_json_str_with_catalog(&text(name), &catalog).expect("valid rules")
    };
    let mut o = Options::new(
        rules("current.json"),
        rules("proposed-lunch-is-break.json"),
        inputs,
    );
    o.catalog = Some(catalog);
    o.users = Some(Source::Bytes {
        name: "users.csv".into(),
        bytes: text("users.csv").into_bytes().into(),
    });
    o
}

/// A row the readers cannot use (a bad date), in Alice's rows: counted in both.
const BAD_ROW: &str = "\"0Hn00000000BAD1AAA\",\"005Hs00000ALICEAAA\",\"0N5Hs0000001AvlKAE\",\"2026-03-02 noon\",\"\",\"false\",\"2\"";

/// The three exports: (kind, file name, text), the bad row added to the presence export.
fn exports() -> Vec<(InputKind, &'static str, String)> {
    vec![
        (
            InputKind::Usp,
            "usp.csv",
            format!("{}{BAD_ROW}\n", text("usp.csv")),
        ),
        (
            InputKind::AgentWork,
            "agent_work.csv",
            text("agent_work.csv"),
        ),
        (InputKind::Connect, "connect.jsonl", text("connect.jsonl")),
    ]
}

/// The lines of an export that belong to a user of the user map: the CSV rows naming
/// its UserId (and the header), the Connect records of its ARN or username.
fn lines_of(kind: InputKind, text: &str, user: &[&str]) -> String {
    let (id, arn, username) = (user[0], user[1], user[2]);
    let mut kept = String::new();
    for (n, line) in text.lines().enumerate() {
        let ours = match kind {
            InputKind::Connect => {
                (!arn.is_empty() && line.contains(arn))
                    || line.contains(&format!("\"Username\":\"{username}\""))
            }
            _ => n == 0 || line.contains(id),
        };
        if ours {
            kept.push_str(line);
            kept.push('\n');
        }
    }
    kept
}

/// What a report says, without where its rows came from, how long it took, or the
/// places of the rows not used (lines differ between the whole and the parts).
fn said(report: &Report) -> serde_json::Value {
    let mut value = serde_json::to_value(report).expect("json");
    let object = value.as_object_mut().expect("an object");
    for key in ["inputs", "timing", "problems"] {
        object.remove(key);
    }
    value
}

#[test]
fn the_fixture_replayed_whole_is_the_merge_of_its_agents_replayed_apart() {
    let whole_inputs = exports()
        .into_iter()
        .map(|(kind, name, text)| Input::bytes(kind, name, text.into_bytes()))
        .collect();
    let whole = replay(&options(whole_inputs)).expect("a report");
    let users = text("users.csv");
    let mut parts = Vec::new();
    let mut lines = 0;
    for user in users.lines().skip(1) {
        let user: Vec<&str> = user.split(',').collect();
        let inputs: Vec<Input> = exports()
            .into_iter()
            .map(|(kind, name, text)| {
                let mine = lines_of(kind, &text, &user);
                lines += mine.lines().count();
                Input::bytes(kind, name, mine.into_bytes())
            })
            .collect();
        let part = replay(&options(inputs)).expect("a partition's report");
        assert_eq!(part.agents, 1, "{user:?}");
        // As a partition's report travels: JSON.
        let json = serde_json::to_string(&part).expect("json");
        parts.push(serde_json::from_str::<Report>(&json).expect("a report read back"));
    }
    // Every line in exactly one partition (the CSV headers in each).
    let all: usize = exports().iter().map(|(_, _, t)| t.lines().count()).sum();
    assert_eq!(lines, all + 2 * 2);
    let merged = Report::merge(parts).expect("merged");
    assert_eq!(said(&merged), said(&whole));
    assert_eq!(merged.agents, 3);
    assert_eq!(merged.differences.total, 1);
    assert!(merged.attribution.sync_changes > 0);
    let counts = |r: &Report| -> Vec<(String, u64)> {
        let reasons = r.problems.reasons.iter();
        reasons.map(|(k, p)| (k.clone(), p.count)).collect()
    };
    assert_eq!(counts(&merged), [("bad date".to_string(), 1)]);
    assert_eq!(counts(&merged), counts(&whole));
    assert_eq!(merged.timing.rows, whole.timing.rows);
    let files = |r: &Report| -> Vec<(String, InputKind, bool)> {
        r.inputs
            .iter()
            .map(|i| (i.file.clone(), i.kind, i.complete))
            .collect()
    };
    assert_eq!(files(&merged), files(&whole));
}

fn agent(name: &str, times: impl Iterator<Item = u64>) -> AgentResult {
    AgentResult {
        agent_changes: 2,
        ..crate::replay::report::tests::agent(name, times)
    }
}

#[test]
fn the_first_differences_over_partitions_are_the_first_over_all_agents() {
    // Agent i's differences at i, i + 4, i + 8...: interleaved in time, with ties of
    // two agents at the same millisecond (b and d).
    let agents = [("c", 0), ("a", 1), ("b", 2), ("d", 2)];
    let result = |(name, first): (&str, u64)| agent(name, (0..40).map(move |k| first + 4 * k));
    let mut all = Totals::default();
    for a in agents {
        all.add(result(a));
    }
    let whole = all.finish(&[]);
    let parts = agents.iter().map(|&a| {
        let mut one = Totals::default();
        one.add(result(a));
        let json = serde_json::to_string(&one.finish(&[])).expect("json");
        serde_json::from_str::<Report>(&json).expect("read back")
    });
    let merged = Report::merge(parts).expect("merged");
    assert_eq!(merged.differences.total, 160);
    let listed = |r: &Report| -> Vec<(String, String)> {
        let first = r.differences.first.iter();
        first.map(|d| (d.at.clone(), d.agent.clone())).collect()
    };
    assert_eq!(listed(&merged).len(), DIFFERENCES_LISTED);
    assert_eq!(listed(&merged), listed(&whole));
    assert_eq!(merged.attribution.agent_changes, 8);
}

#[test]
fn overlapping_or_foreign_reports_are_refused() {
    let one = |name: &str| {
        let mut t = Totals::default();
        t.add(agent(name, 0..1));
        t.finish(&[])
    };
    let err = Report::merge([one("a"), one("a")]).expect_err("the same agent twice");
    assert!(err.contains("agent a is in more than one report"), "{err}");
    let mut other = one("b");
    other.window_ms = 9_000;
    let err = Report::merge([one("a"), other]).expect_err("another window");
    assert!(err.contains("different replays"), "{err}");
    assert!(Report::merge(Vec::new()).is_err());
}
