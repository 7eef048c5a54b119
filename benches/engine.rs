//! Native throughput of the core, `cargo bench --bench engine`: the rule set and trace
//! of the JavaScript benchmark (`node bench/export.mjs`, so both measure the same
//! decisions), replayed through `Engine::handle`. No benchmark framework: each line is
//! the best of 3 timed passes (`std::time::Instant`), each pass with a fresh engine, so
//! the table reads like the one `npm run bench` prints.
//!
//! Four lines, to show where the time goes: the engine alone on parsed events (the
//! trace kept compactly, as every caller gets it); reading the full trace of every
//! decision as well; parsing each event's JSON text too; and serialising the decision
//! (actions plus the full trace) to JSON.

use omnisync::{Engine, Event};
use std::hint::black_box;
use std::process::Command;
use std::time::Instant;

const EVENTS: usize = 100_000;
const PASSES: usize = 3;

/// The rules file and `(at, event JSON)` lines, from the JavaScript generator.
fn fixture() -> (String, Vec<(u64, String)>) {
    let root = env!("CARGO_MANIFEST_DIR");
    let out = Command::new("node")
        .arg(format!("{root}/bench/export.mjs"))
        .arg(EVENTS.to_string())
        .output()
        .expect("benches/engine.rs needs node on PATH to generate the trace (bench/export.mjs)");
    assert!(
        out.status.success(),
        "node bench/export.mjs failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("export.mjs prints UTF-8");
    let mut lines = text.lines();
    let rules = lines.next().expect("line 1 is the rules file").to_string();
    let events = lines
        .map(|line| {
            let (at, json) = line.split_once('\t').expect("AT<TAB>JSON");
            (at.parse().expect("AT is a number"), json.to_string())
        })
        .collect();
    (rules, events)
}

/// Best events/s over `PASSES` passes of `run` (which handles every event once).
fn best(count: usize, mut run: impl FnMut() -> usize) -> (f64, usize) {
    let mut best = f64::INFINITY;
    let mut actions = 0;
    for _ in 0..PASSES {
        let start = Instant::now();
        actions = black_box(run());
        best = best.min(start.elapsed().as_secs_f64());
    }
    (count as f64 / best, actions)
}

fn main() {
    let (rules, lines) = fixture();
    let engine = || Engine::from_json_str(&rules).expect("the benchmark's rules are valid");
    let parsed: Vec<(u64, Event)> = lines
        .iter()
        .map(|(at, json)| (*at, Event::from_json_str(json).expect("valid event")))
        .collect();
    let n = parsed.len();

    let handle = best(n, || {
        let mut e = engine();
        parsed
            .iter()
            .map(|(at, ev)| black_box(e.handle(ev, *at)).actions.len())
            .sum()
    });
    let read = best(n, || {
        let mut e = engine();
        parsed
            .iter()
            .map(|(at, ev)| {
                let decision = e.handle(ev, *at);
                black_box(decision.trace.rules());
                decision.actions.len()
            })
            .sum()
    });
    let parse_handle = best(n, || {
        let mut e = engine();
        lines
            .iter()
            .map(|(at, json)| {
                let ev = Event::from_json_str(json).expect("valid event");
                black_box(e.handle(&ev, *at)).actions.len()
            })
            .sum()
    });
    // serde_json is the crate's own dependency: the same serialiser the wasm class uses.
    let full = best(n, || {
        let mut e = engine();
        lines
            .iter()
            .map(|(at, json)| {
                let ev = Event::from_json_str(json).expect("valid event");
                let decision = e.handle(&ev, *at);
                black_box(serde_json::to_string(&decision).expect("serialisable"));
                decision.actions.len()
            })
            .sum()
    });

    println!(
        "{:<52} {:>14} {:>10}",
        "native (cargo bench, release profile)", "events/s", "actions"
    );
    for (name, (rate, actions)) in [
        ("Engine::handle (parsed events)", handle),
        ("Engine::handle, full trace read", read),
        ("Event::from_json_str + Engine::handle", parse_handle),
        ("parse + handle + decision to JSON (the wasm work)", full),
    ] {
        println!("{name:<52} {rate:>14.0} {actions:>10}");
    }
    println!("{n} events, best of {PASSES} passes, a fresh engine per pass");
}
