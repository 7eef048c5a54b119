//! `omnisync simulate`: the arguments, the agent context, and printing each step.

use crate::input::{catalog, findings_text, read, Format, Usage};
use clap::Args;
use omnisync::check::{check_str, check_str_with_catalog};
use omnisync::engine::AgentContext;
use omnisync::replay::{BadLine, Lines, TraceLine, TraceReading};
use omnisync::rules::Catalog;
use omnisync::simulate::{Simulator, StepReport};
use omnisync::sync::LogKind;
use omnisync::CompiledRules;
use serde_json::{json, Value};
use std::process::ExitCode;

/// Replays a trace of events against the rules and a model of both systems.
#[derive(Args)]
pub(crate) struct SimulateArgs {
    /// The rules file to replay against.
    #[arg(long, value_name = "RULES.json")]
    rules: String,
    /// The trace: one JSON event per line, each with its time `at` in ms, as an ISO
    /// 8601 date-time, or as a clock time (`08:00`, `08:00:30.250`) on the --day.
    #[arg(long, value_name = "TRACE.jsonl")]
    events: String,
    /// The org's statuses, for a rules file or a trace that names statuses without Ids.
    #[arg(long, value_name = "SF-QUERY.json")]
    catalog: Option<String>,
    /// The day the trace's clock times are on (default: none, times count from 00:00).
    #[arg(long, value_name = "YYYY-MM-DD")]
    day: Option<String>,
    /// The time zone of clock times, of date-times without a zone and of the times the
    /// table prints, as an offset from UTC (`+01:00`, `-0500`).
    #[arg(long, value_name = "UTC|+HH:MM", default_value = "UTC")]
    tz: String,
    /// Who the agent is, for rules with a `scope`: a JSON object with `userId`,
    /// `profileId` and `teams` (the fields the host page supplies).
    #[arg(long, value_name = "CONTEXT.json")]
    context: Option<String>,
    /// The agent's Salesforce User Id (overrides the context file's).
    #[arg(long, value_name = "005...")]
    user: Option<String>,
    /// The agent's Profile Id (overrides the context file's).
    #[arg(long, value_name = "00e...")]
    profile: Option<String>,
    /// A team (public-group DeveloperName) the agent is in; may be repeated (added to
    /// the context file's).
    #[arg(long, value_name = "TEAM")]
    team: Vec<String>,
    /// The simulated Omni-Channel confirms status changes without a `reason`, as
    /// Classic and older releases do.
    #[arg(long)]
    no_reason: bool,
    /// The table also lists each rule whose condition was false, with the comparison
    /// that failed (the JSON output always has them, under `notActed`).
    #[arg(long)]
    why: bool,
    /// How to print each step and the summary.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    format: Format,
}

/// The agent context: the file's, then the single fields over it.
fn context(args: &SimulateArgs) -> Result<AgentContext, Usage> {
    let mut context = match &args.context {
        Some(path) => serde_json::from_str::<AgentContext>(&read(path)?).map_err(|e| {
            Usage(format!(
                "{path} is not an agent context ({{\"userId\": \"005...\", \"profileId\": \"00e...\", \"teams\": [\"...\"]}}): {e}"
            ))
        })?,
        None => AgentContext::default(),
    };
    if let Some(user) = &args.user {
        context.user_id = Some(user.clone());
    }
    if let Some(profile) = &args.profile {
        context.profile_id = Some(profile.clone());
    }
    context.teams.extend(args.team.iter().cloned());
    Ok(context)
}

/// How the trace's times and status names are read.
fn trace_reading(args: &SimulateArgs, catalog: Option<Catalog>) -> Result<TraceReading, Usage> {
    let day = match &args.day {
        Some(day) => TraceReading::parse_day(day)
            .ok_or_else(|| Usage(format!("--day {day}: write the day as YYYY-MM-DD")))?,
        None => 0,
    };
    let offset_minutes = TraceReading::parse_offset(&args.tz).ok_or_else(|| {
        Usage(format!(
            "--tz {}: write UTC or an offset from UTC such as +01:00 or -05:00 (the offset on the trace's day)",
            args.tz
        ))
    })?;
    Ok(TraceReading {
        day,
        offset_minutes,
        catalog,
    })
}

pub(crate) fn run(args: SimulateArgs) -> Result<ExitCode, Usage> {
    let table = args.format == Format::Table;
    let catalog = catalog(args.catalog.as_deref())?;
    let (rules, refused) = checked_rules(&args.rules, catalog.as_ref())?;
    let context = context(&args)?;
    let reading = trace_reading(&args, catalog)?;
    let events_path = args.events.as_str();
    // The trace is streamed, so memory does not grow with its length; read twice, so
    // a bad line is reported before anything is printed.
    let open = || {
        std::fs::File::open(events_path)
            .map(|f| Lines::new(std::io::BufReader::new(f), false).with_reading(reading.clone()))
            .map_err(|e| Usage(format!("cannot read {events_path}: {e}")))
    };
    let bad = |b: BadLine| Usage(format!("{events_path}:{}: {}", b.line, b.detail));
    for line in open()? {
        line.map_err(bad)?;
    }
    let lines = open()?.map(|line| {
        line.map(|l| {
            let at = l.at;
            (l, at)
        })
        .map_err(bad)
    });
    let print = Print {
        table,
        why: args.why,
        reading: &reading,
        date: std::cell::Cell::new(None),
    };
    let mut sim = Simulator::with_context(rules, !args.no_reason, context);
    sim.explain(true);
    let rest = sim.replay(lines, |line: &TraceLine, step| {
        print_step(&print, step.at, &line.value, step.report);
    })?;
    if !rest.actions.is_empty() || !rest.matched.is_empty() {
        print_step(&print, 0, &json!({"type": "timers"}), &rest);
    }
    let summary = sim.summary();
    if table {
        println!(
            "{} events, {} actions, {} echoes, {} deferred, {} retries; final: omni {}, telephony {}",
            summary.events,
            summary.actions,
            summary.echoes,
            summary.deferred,
            summary.retries,
            summary.final_omni.as_deref().unwrap_or("-"),
            summary.final_telephony.as_deref().unwrap_or("-")
        );
    } else {
        println!("{}", json!({ "summary": summary }));
    }
    Ok(if refused {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The rules, after what `omnisync check` says of them is printed on standard error:
/// a file the engine refuses stops here (exit 2); a file it loads but `check`
/// refuses (a loop) is simulated, and `true` says to exit 1.
fn checked_rules(path: &str, catalog: Option<&Catalog>) -> Result<(CompiledRules, bool), Usage> {
    let text = read(path)?;
    let report = match catalog {
        Some(catalog) => check_str_with_catalog(&text, catalog),
        None => check_str(&text),
    };
    let compiled = match catalog {
        Some(catalog) => CompiledRules::from_json_str_with_catalog(&text, catalog),
        None => CompiledRules::from_json_str(&text),
    };
    let shown = !report.errors.is_empty() || !report.warnings.is_empty();
    match compiled {
        Ok(rules) => {
            if shown {
                eprint!("omnisync check {path}:\n{}", findings_text(&report));
            }
            Ok((rules, !report.errors.is_empty()))
        }
        Err(e) => {
            // The check's findings name each rule; the engine's own refusal adds what
            // the check does not ask for (an Id, without a catalog).
            let mut lines: Vec<String> = e
                .details()
                .iter()
                .filter(|f| {
                    !report
                        .errors
                        .iter()
                        .any(|r| r.code == f.code && r.path == f.path)
                })
                .map(|f| format!("  {f}"))
                .collect();
            if shown {
                lines.insert(0, findings_text(&report).trim_end().to_string());
            }
            Err(Usage(format!("{path} is not valid:\n{}", lines.join("\n"))))
        }
    }
}

/// How steps are printed.
struct Print<'r> {
    table: bool,
    /// The table lists rules whose condition was false too.
    why: bool,
    /// The time zone the table's clock times are in.
    reading: &'r TraceReading,
    /// The date last printed: a date line comes before the first row of each day.
    date: std::cell::Cell<Option<String>>,
}

fn print_step(print: &Print, at: u64, event: &Value, step: &StepReport) {
    let kind = event["type"].as_str().unwrap_or("?");
    if !print.table {
        println!(
            "{}",
            json!({"at": at, "event": event, "actions": step.actions, "matched": step.matched,
                   "echoes": step.echoes, "notActed": step.why})
        );
        return;
    }
    let actions: Vec<String> = step.actions.iter().map(|a| a.describe()).collect();
    let (date, clock) = print.reading.clock(at);
    if date.is_some() && date != print.date.take() {
        println!("{}", date.as_deref().unwrap_or_default());
    }
    print.date.set(date);
    println!(
        "{clock:>12}  {kind:<24} {:<32} {}{}",
        if actions.is_empty() {
            "-".to_string()
        } else {
            actions.join(", ")
        },
        step.matched.join("; "),
        if step.echoes > 0 {
            format!("  ({} echo)", step.echoes)
        } else {
            String::new()
        }
    );
    // Deferrals and chain limits are said once, as the rule's reason below.
    let said_by_rule =
        |k: LogKind| matches!(k, LogKind::Echo | LogKind::Deferred | LogKind::ChainLimit);
    for entry in step.log.iter().filter(|l| !said_by_rule(l.kind)) {
        println!("{:>12}  {:<24} {}", "", "", entry.message);
    }
    let shown = |outcome: &str| match outcome {
        "echo" => false,
        "notMatched" => print.why,
        _ => true,
    };
    for miss in step.why.iter().filter(|m| shown(m.outcome)) {
        let hint = if miss.outcome == "outOfScope" {
            " (give the agent with --context, --team, --user, --profile)"
        } else {
            ""
        };
        let said = if miss.outcome == "deferred" {
            "held"
        } else {
            "not acted"
        };
        println!(
            "{:>12}  {:<24} {said}: \"{}\": {}{hint}",
            "", "", miss.rule, miss.why
        );
    }
}
