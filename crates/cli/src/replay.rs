//! `omnisync replay`: the arguments, the progress bar, and writing the report.

use crate::input::{catalog, compile_rules, Usage};
use clap::{Args, ValueEnum};
use omnisync::replay::{self, Input, InputKind, Options, Progress, Source};
use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Replays the org's exported history under a proposed rules file and reports what
/// would have differed from what the current rules did.
#[derive(Args)]
#[command(after_help = "Example (docs/replay.md walks through it):

  sf data export bulk --query \"SELECT UserId, ServicePresenceStatusId, StatusStartDate, StatusEndDate, IsCurrentState FROM UserServicePresence WHERE StatusStartDate = LAST_N_DAYS:30\" --output-file usp.csv --result-format csv
  sf data export bulk --query \"SELECT UserId, WorkItemId, ServiceChannel.DeveloperName, Status, AssignedDateTime, AcceptDateTime, DeclineDateTime, CloseDateTime, CapacityWeight FROM AgentWork WHERE AssignedDateTime = LAST_N_DAYS:30\" --output-file work.csv --result-format csv
  omnisync replay --current current.json --proposed proposed.json \\
      --catalog org-statuses.json --users users.csv \\
      --usp usp.csv --agent-work work.csv --connect 'agent-events/*.gz' \\
      --html report.html")]
pub(crate) struct ReplayArgs {
    /// The rules in force when the history was made: their writes are told apart from
    /// the agents' own changes.
    #[arg(long, value_name = "RULES.json")]
    current: String,
    /// The rules to try: the agents' changes are replayed under them.
    #[arg(long, value_name = "RULES.json")]
    proposed: String,
    /// The org's statuses (`sf data query --json` output): resolves status Ids in the
    /// exports and the rules' status names.
    #[arg(long, value_name = "SF-QUERY.json")]
    catalog: Option<String>,
    /// Which telephony agent each Salesforce user is: CSV with UserId and AgentARN,
    /// AgentId or Username (optional ProfileId, Teams for scoped rules).
    #[arg(long, value_name = "USERS.csv")]
    users: Option<String>,
    /// UserServicePresence export (CSV, gzip read as is); may be repeated.
    #[arg(long, value_name = "FILE")]
    usp: Vec<String>,
    /// AgentWork export (CSV, gzip read as is); may be repeated.
    #[arg(long, value_name = "FILE")]
    agent_work: Vec<String>,
    /// Amazon Connect agent event stream records (JSON lines or concatenated, as
    /// Kinesis or Firehose deliver them; gzip read as is); may be repeated.
    #[arg(long, value_name = "FILE")]
    connect: Vec<String>,
    /// A trace in the shape `simulate` reads (`agent` names the agent); may be repeated.
    #[arg(long, value_name = "TRACE.jsonl")]
    trace: Vec<String>,
    /// How far apart a change and the other side's change that caused it may be, in
    /// milliseconds, for the change to count as the old sync's.
    #[arg(long, value_name = "MS", default_value_t = replay::DEFAULT_WINDOW_MS)]
    window_ms: u64,
    /// Where to write the report as a self-contained HTML page with charts.
    #[arg(long, value_name = "REPORT.html")]
    html: Option<String>,
    /// How to print the report on standard output.
    #[arg(long, value_enum, default_value_t = ReplayFormat::Table)]
    format: ReplayFormat,
    /// Rows sorted in memory before spilling a sorted run to disk (40 bytes each).
    #[arg(long, value_name = "ROWS", default_value_t = replay::DEFAULT_SORT_ROWS)]
    sort_rows: usize,
    /// Agents replayed at once (default: one per core).
    #[arg(long, value_name = "N", default_value_t = 0)]
    threads: usize,
    /// The simulated Omni-Channel confirms status changes without a `reason`.
    #[arg(long)]
    no_reason: bool,
    /// Whether to draw a progress bar on standard error (auto: when it is a terminal).
    #[arg(long, value_enum, default_value_t = ProgressMode::Auto)]
    progress: ProgressMode,
}

#[derive(Clone, Copy, PartialEq, ValueEnum)]
enum ReplayFormat {
    /// Aligned text for a person.
    Table,
    /// Machine-readable JSON.
    Json,
}

#[derive(Clone, Copy, PartialEq, ValueEnum)]
enum ProgressMode {
    /// Only when standard error is a terminal.
    Auto,
    Always,
    Never,
}

pub(crate) fn run(args: ReplayArgs) -> Result<ExitCode, Usage> {
    let catalog = catalog(args.catalog.as_deref())?;
    let current = compile_rules(&args.current, catalog.as_ref())?;
    let proposed = compile_rules(&args.proposed, catalog.as_ref())?;
    let kinds = [
        (InputKind::Usp, &args.usp),
        (InputKind::AgentWork, &args.agent_work),
        (InputKind::Connect, &args.connect),
        (InputKind::Trace, &args.trace),
    ];
    let inputs: Vec<Input> = kinds
        .iter()
        .flat_map(|(kind, paths)| paths.iter().map(|p| Input::file(*kind, p)))
        .collect();
    if inputs.is_empty() {
        return Err(Usage(
            "nothing to replay: give at least one of --usp, --agent-work, --connect, --trace"
                .into(),
        ));
    }
    let stored_total: u64 = inputs
        .iter()
        .filter_map(|i| i.source.path().and_then(|p| std::fs::metadata(p).ok()))
        .map(|m| m.len())
        .sum();
    let mut options = Options::new(current, proposed, inputs);
    options.current_name = args.current.clone();
    options.proposed_name = args.proposed.clone();
    options.catalog = catalog;
    options.users = args.users.as_ref().map(|p| Source::File(p.into()));
    options.window_ms = args.window_ms;
    options.sort_rows = args.sort_rows;
    options.threads = args.threads;
    options.with_reason = !args.no_reason;
    let show = match args.progress {
        ProgressMode::Auto => std::io::stderr().is_terminal(),
        ProgressMode::Always => true,
        ProgressMode::Never => false,
    };
    let done = Arc::new(AtomicBool::new(false));
    let bar = show.then(|| {
        let (progress, done) = (Arc::clone(&options.progress), Arc::clone(&done));
        std::thread::spawn(move || draw(&progress, &done, stored_total))
    });
    let result = replay::replay(&options);
    done.store(true, Ordering::Relaxed);
    if let Some(bar) = bar {
        // Woken at once: the report is not kept waiting for the bar's next redraw.
        bar.thread().unpark();
        let _ = bar.join();
    }
    let report = result.map_err(Usage)?;
    let started = Instant::now();
    if let Some(path) = &args.html {
        std::fs::write(path, replay::html(&report))
            .map_err(|e| Usage(format!("cannot write {path}: {e}")))?;
    }
    match args.format {
        ReplayFormat::Table => print!("{}", report.table()),
        ReplayFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        ),
    }
    if show {
        eprintln!("report written in {} ms", started.elapsed().as_millis());
    }
    Ok(ExitCode::SUCCESS)
}

/// Redraws one line on standard error every 200 ms: the share of the inputs read,
/// the rate of text read and the time left, then the agents replayed.
fn draw(progress: &Progress, done: &AtomicBool, total: u64) {
    let started = Instant::now();
    let mut err = std::io::stderr();
    loop {
        std::thread::park_timeout(Duration::from_millis(200));
        if done.load(Ordering::Relaxed) {
            break;
        }
        let stored = progress.stored.load(Ordering::Relaxed);
        let text = progress.text.load(Ordering::Relaxed);
        let secs = started.elapsed().as_secs_f64().max(0.001);
        let agents = progress.agents_done.load(Ordering::Relaxed);
        let line = if agents == 0 {
            let share = if total == 0 {
                0.0
            } else {
                stored as f64 / total as f64
            };
            let eta = if share > 0.0 {
                secs / share - secs
            } else {
                0.0
            };
            let width = 30;
            let filled = ((share.min(1.0)) * width as f64) as usize;
            format!(
                "reading [{}{}] {:>3.0} %  {:.0} MB/s  ETA {:.0} s",
                "#".repeat(filled),
                " ".repeat(width - filled),
                share * 100.0,
                text as f64 / 1e6 / secs,
                eta
            )
        } else {
            format!("replaying: {agents} agents done")
        };
        let _ = write!(err, "\r{line:<72}");
        let _ = err.flush();
    }
    let _ = write!(err, "\r{:<72}\r", "");
}
