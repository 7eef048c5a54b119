//! What an agent's replay keeps, whatever the length of its history.

use super::*;
use crate::replay::read::KnownStatus;
use crate::replay::record::{Kind, Names};
use crate::rules::{Catalog, CompiledRules};

fn rules() -> CompiledRules {
    let text = include_str!("../../../tests/fixtures/replay/current.json");
    let catalog = include_str!("../../../tests/fixtures/replay/catalog.json");
    let catalog = Catalog::from_json_str(catalog).expect("the fixture's catalog reads");
    CompiledRules::from_json_str_with_catalog(text, &catalog).expect("the fixture's rules compile")
}

/// A month of chats (20 a day, weight 1) after a login: every engine of the agent
/// holds at most one work item, as on its first day, instead of the last 32 finished.
#[test]
fn an_agents_engines_hold_no_more_work_items_after_a_month_than_after_a_day() {
    let engine = Engine::new(rules()).without_records();
    let engines = [engine.clone(), engine];
    let mut names = Names::new();
    let chat = names.id("Chat");
    let statuses = vec![KnownStatus {
        id: "0N5Hs0000001AvlKAE".into(),
        name: "Available".into(),
    }];
    let listed = Arc::default();
    let shared = Shared {
        names: &names,
        statuses: &statuses,
        engines: &engines,
        window_ms: 5_000,
        with_reason: true,
        listed: &listed,
    };
    let agent = Agent {
        name: "005Hs00000ALICEAAA".into(),
        context: Default::default(),
    };
    let mut replay = AgentReplay::new(&agent, &shared);
    let mut seq = 0;
    let mut row = |at: u64, kind: Kind, a: u32, b: u32, x: u64| {
        seq += 1;
        let rec = Rec {
            agent: 0,
            at,
            seq,
            kind,
            a,
            b,
            x,
        };
        replay.push(&rec, &shared);
    };
    row(1_000, Kind::Login, 0, 0, 0);
    let weight = 1f32.to_bits();
    for item in 0..600u64 {
        let at = 10_000 + item * 600_000;
        row(at, Kind::WorkAssigned, chat, weight, item);
        row(at + 10_000, Kind::WorkAccepted, chat, weight, item);
        row(at + 300_000, Kind::WorkClosed, chat, weight, item);
    }
    let held = |e: &Engine| e.state().works.len();
    assert_eq!(held(&replay.attribution.engine), 0);
    for sim in &replay.runs.sims {
        assert!(held(sim.engine()) <= 1, "{} items", held(sim.engine()));
    }
    let result = replay.finish();
    // Every work event and its workload change went through both runs.
    assert_eq!(result.inputs, 1 + 600 * 5);
}
