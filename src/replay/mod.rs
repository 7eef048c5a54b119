//! `omnisync replay`: an org's real history run again under a proposed rules file
//! (docs/replay.md). Native only: it reads files.
//!
//! - `input`: the readers, one per export (UserServicePresence and AgentWork CSV,
//!   Connect agent event records, the generic trace) and the user map; gzip is read
//!   as is; rows that cannot be used are counted by reason and line.
//! - `record`: each row as a fixed-size record, sorted by agent and time in a bounded
//!   buffer spilled to disk when full (an external merge sort).
//! - `shared`: what every agent's replay reads and nobody changes, and each thread's own
//!   copy of the engines.
//! - `stream`: one file sorted by time per agent, replayed as it is read (no sort).
//! - `timeline`: one agent's rows merged into one timeline of both sides.
//! - `agent`: one agent's replay (timeline, attribution, the two runs through
//!   [`crate::simulate::Simulator::replay`]): the function to map over partitions.
//! - `report`: the tallies summed, as a table and as JSON; `html`: the page.
//! - `merge`: reports of disjoint sets of agents summed into the report of all.
//! - `time`: the exports' date-times.
//!
//! Memory is, streamed, each agent's replay state; merged, the sort buffer and the
//! agents in flight (one per thread); and the per-agent tallies: never the history.

mod agent;
mod fast_map;
mod html;
pub mod input;
mod merge;
mod read;
mod record;
pub mod report;
mod shared;
mod stream;
mod time;
mod timeline;

pub use input::trace::{BadLine, Lines, TraceLine};
pub use input::trace_time::TraceReading;
pub use input::{InputKind, Problems, Progress};
pub use read::Source;
pub use report::Report;

use crate::rules::{Catalog, CompiledRules};
use agent::replay_agent;
use input::Reading;
use record::Rec;
use report::{InputSummary, Totals};
use shared::{own_engines, Shared};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Instant;
use stream::Streamer;

/// Rows the sort buffer holds by default: 40 bytes each, so 2.5 MiB. Small on
/// purpose: memory stays the same for a day or a year of history, and sorting runs
/// on disk costs little beside the replay (docs/performance.md, "Replay").
pub const DEFAULT_SORT_ROWS: usize = 1 << 16;
/// The default attribution window (docs/replay.md).
pub const DEFAULT_WINDOW_MS: u64 = 5_000;

/// One export to read, and what it is.
#[derive(Debug, Clone)]
pub struct Input {
    pub kind: InputKind,
    pub source: Source,
}

impl Input {
    pub fn file(kind: InputKind, path: impl Into<PathBuf>) -> Input {
        Input {
            kind,
            source: Source::File(path.into()),
        }
    }

    pub fn bytes(kind: InputKind, name: impl Into<String>, bytes: impl Into<Arc<[u8]>>) -> Input {
        Input {
            kind,
            source: Source::Bytes {
                name: name.into(),
                bytes: bytes.into(),
            },
        }
    }
}

/// What to replay, and how.
pub struct Options {
    pub current: CompiledRules,
    pub proposed: CompiledRules,
    /// How the report names the two files.
    pub current_name: String,
    pub proposed_name: String,
    pub catalog: Option<Catalog>,
    /// The user map (docs/replay.md).
    pub users: Option<Source>,
    pub inputs: Vec<Input>,
    pub window_ms: u64,
    pub sort_rows: usize,
    /// Agents replayed at once (0: one per core).
    pub threads: usize,
    /// Whether the simulated Omni-Channel gives a `reason` (newer releases do).
    pub with_reason: bool,
    pub progress: Arc<Progress>,
}

impl Options {
    /// Defaults for everything but the rules and the inputs.
    pub fn new(current: CompiledRules, proposed: CompiledRules, inputs: Vec<Input>) -> Options {
        Options {
            current,
            proposed,
            current_name: "current".into(),
            proposed_name: "proposed".into(),
            catalog: None,
            users: None,
            inputs,
            window_ms: DEFAULT_WINDOW_MS,
            sort_rows: DEFAULT_SORT_ROWS,
            threads: 0,
            with_reason: true,
            progress: Arc::default(),
        }
    }
}

/// Reads the inputs, replays every agent on all cores and sums the report. Fails only
/// when nothing could be read (the problems say why) or the sort's disk fails.
///
/// One file is first replayed as it is read ([`stream`]); if it turns out not to be
/// sorted by time per agent, or there are several files, the rows go through the
/// external merge ([`record::Sorter`]) and then to the agents.
pub fn replay(options: &Options) -> Result<Report, String> {
    let started = Instant::now();
    let threads = match options.threads {
        0 => std::thread::available_parallelism().map_or(1, usize::from),
        n => n,
    };
    if options.inputs.len() == 1 {
        let mut reading = new_reading(options);
        reading.stream = Some(Streamer::start(
            threads,
            stream::Fixed {
                statuses: reading.statuses.clone(),
                engines: engines(options),
                window_ms: options.window_ms,
                with_reason: options.with_reason,
                progress: Arc::clone(&options.progress),
                stop: AtomicBool::new(false),
                listed: Arc::default(),
            },
        ));
        let inputs = read_all(options, &mut reading);
        let read_ms = started.elapsed().as_millis() as u64;
        let totals = match reading.stream.take() {
            Some(stream) => stream.finish(&reading.names, &reading.agents),
            None => None,
        };
        if let Some(totals) = totals {
            nothing_read(&reading)?;
            let timing = report::Timing {
                read_ms,
                replay_ms: started.elapsed().as_millis() as u64 - read_ms,
                sort_runs: 0,
                rows: reading.rows,
                streamed: true,
            };
            return Ok(finish(options, totals, inputs, reading.problems, timing));
        }
        // Not in order: read again from the start, through the sort.
        let progress = &options.progress;
        for counter in [&progress.stored, &progress.text, &progress.agents_done] {
            counter.store(0, Ordering::Relaxed);
        }
    }
    let mut reading = new_reading(options);
    let inputs = read_all(options, &mut reading);
    nothing_read(&reading)?;
    let Reading {
        names,
        statuses,
        agents,
        sorter,
        problems,
        rows,
        ..
    } = reading;
    let sort_runs = sorter.spilled_runs() as u64;
    let sorted = sorter
        .finish()
        .map_err(|e| format!("sorting the rows: {e}"))?;
    let read_ms = started.elapsed().as_millis() as u64;
    let engines = engines(options);
    let listed = Arc::default();
    let shared = Shared {
        listed: &listed,
        names: &names,
        statuses: &statuses,
        engines: &engines,
        window_ms: options.window_ms,
        with_reason: options.with_reason,
    };
    let progress = &options.progress;
    let replay_started = Instant::now();
    let totals = std::thread::scope(|scope| -> Result<Totals, String> {
        // Handed over, not queued: one agent's history per thread is in memory, and
        // the one being gathered.
        let (work_tx, work_rx) = mpsc::sync_channel::<(u32, Vec<Rec>)>(0);
        let work_rx = Arc::new(Mutex::new(work_rx));
        let (done_tx, done_rx) = mpsc::channel();
        for _ in 0..threads {
            let work_rx = Arc::clone(&work_rx);
            let done_tx = done_tx.clone();
            let (shared, agents) = (&shared, &agents);
            scope.spawn(move || {
                let engines = own_engines(shared.engines);
                let shared = Shared {
                    engines: &engines,
                    ..shared.clone()
                };
                loop {
                    let next = work_rx.lock().map(|rx| rx.recv());
                    let Ok(Ok((agent, rows))) = next else { break };
                    let result = replay_agent(&agents[agent as usize], &rows, &shared);
                    progress.agents_done.fetch_add(1, Ordering::Relaxed);
                    if done_tx.send(result).is_err() {
                        break;
                    }
                }
            });
        }
        drop(done_tx);
        let collector = scope.spawn(move || {
            let mut totals = Totals::default();
            for result in done_rx {
                totals.add(result);
            }
            totals
        });
        let mut group: Vec<Rec> = Vec::new();
        for rec in sorted {
            let rec = rec.map_err(|e| format!("reading the sorted rows back: {e}"))?;
            if group.first().is_some_and(|g| g.agent != rec.agent) {
                let agent = group[0].agent;
                let _ = work_tx.send((agent, std::mem::take(&mut group)));
            }
            group.push(rec);
        }
        if let Some(first) = group.first() {
            let _ = work_tx.send((first.agent, group));
        }
        drop(work_tx);
        collector
            .join()
            .map_err(|_| "a replay thread failed".to_string())
    })?;
    let timing = report::Timing {
        read_ms,
        replay_ms: replay_started.elapsed().as_millis() as u64,
        sort_runs,
        rows,
        streamed: false,
    };
    Ok(finish(options, totals, inputs, problems, timing))
}

/// The two engines every agent's are cloned from: the replay reads decisions, never
/// the presence records an engine keeps for its page.
fn engines(options: &Options) -> [crate::engine::Engine; 2] {
    [
        crate::engine::Engine::new(options.current.clone()).without_records(),
        crate::engine::Engine::new(options.proposed.clone()).without_records(),
    ]
}

fn new_reading(options: &Options) -> Reading {
    Reading::new(
        options.catalog.as_ref(),
        &[&options.current, &options.proposed],
        options.sort_rows,
    )
}

/// Reads the user map, then every input in turn; what each gave.
fn read_all(options: &Options, reading: &mut Reading) -> Vec<InputSummary> {
    let progress = &options.progress;
    let mut inputs = Vec::new();
    let users = options.users.iter().map(|s| (InputKind::Trace, s, true));
    let files = options.inputs.iter().map(|i| (i.kind, &i.source, false));
    for (kind, source, is_map) in users.chain(files) {
        let file = source.name();
        let (stored0, text0) = (
            progress.stored.load(Ordering::Relaxed),
            progress.text.load(Ordering::Relaxed),
        );
        let complete = match input::open(source, progress) {
            Err(e) => {
                reading
                    .problems
                    .add("unreadable file", &file, 0, &e.to_string());
                false
            }
            Ok((text, gzip)) if is_map => input::users::read(text, gzip, &file, reading),
            Ok((text, gzip)) => match kind {
                InputKind::Usp => input::usp::read(text, gzip, &file, reading),
                InputKind::AgentWork => input::agent_work::read(text, gzip, &file, reading),
                InputKind::Connect => input::connect::read(text, gzip, &file, reading),
                InputKind::Trace => input::trace::read(text, gzip, &file, reading),
            },
        };
        if !is_map {
            inputs.push(InputSummary {
                file,
                kind,
                stored_bytes: progress.stored.load(Ordering::Relaxed) - stored0,
                text_bytes: progress.text.load(Ordering::Relaxed) - text0,
                complete,
            });
        }
    }
    inputs
}

/// No row could be used: the error, with every reason.
fn nothing_read(reading: &Reading) -> Result<(), String> {
    if reading.rows > 0 {
        return Ok(());
    }
    let reasons: Vec<String> = reading
        .problems
        .reasons
        .iter()
        .map(|(reason, p)| format!("{reason}: {}", p.examples.join("; ")))
        .collect();
    Err(format!("no row could be used. {}", reasons.join(". ")))
}

fn finish(
    options: &Options,
    totals: Totals,
    inputs: Vec<InputSummary>,
    problems: Problems,
    timing: report::Timing,
) -> Report {
    let mut order: Vec<String> = Vec::new();
    for rules in [&options.current, &options.proposed] {
        for rule in &rules.rules {
            if !order.contains(&rule.name) {
                order.push(rule.name.clone());
            }
        }
    }
    let mut report = totals.finish(&order);
    report.current_rules.clone_from(&options.current_name);
    report.proposed_rules.clone_from(&options.proposed_name);
    report.inputs = inputs;
    report.problems = problems;
    report.window_ms = options.window_ms;
    report.timing = timing;
    report
}

/// The report as a self-contained HTML page (charts drawn in SVG, no script, nothing
/// fetched).
pub fn html(report: &Report) -> String {
    html::page(report)
}
