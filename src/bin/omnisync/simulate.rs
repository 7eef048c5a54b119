//! `omnisync simulate`: the arguments, the agent context, and printing each step.

use crate::cli::{catalog, compile_rules, read, Format, Usage};
use clap::Args;
use omnisync::engine::AgentContext;
use omnisync::replay::{BadLine, Lines, TraceLine};
use omnisync::simulate::{Simulator, StepReport};
use omnisync::sync::LogKind;
use serde_json::{json, Value};
use std::process::ExitCode;

/// Replays a trace of events against the rules and a model of both systems.
#[derive(Args)]
pub(crate) struct SimulateArgs {
    /// The rules file to replay against.
    #[arg(long, value_name = "RULES.json")]
    rules: String,
    /// The trace: one JSON event per line, each with its time `at` in ms.
    #[arg(long, value_name = "TRACE.jsonl")]
    events: String,
    /// The org's statuses, for a rules file that names statuses without Ids.
    #[arg(long, value_name = "SF-QUERY.json")]
    catalog: Option<String>,
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

pub(crate) fn run(args: SimulateArgs) -> Result<ExitCode, Usage> {
    let table = args.format == Format::Table;
    let rules = compile_rules(&args.rules, catalog(args.catalog.as_deref())?.as_ref())?;
    let context = context(&args)?;
    let events_path = args.events.as_str();
    // The trace is streamed, so memory does not grow with its length; read twice, so
    // a bad line is reported before anything is printed.
    let open = || {
        std::fs::File::open(events_path)
            .map(|f| Lines::new(std::io::BufReader::new(f), false))
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
    Ok(ExitCode::SUCCESS)
}

/// How steps are printed.
struct Print {
    table: bool,
    /// The table lists rules whose condition was false too.
    why: bool,
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
    println!(
        "{at:>10}  {kind:<24} {:<32} {}{}",
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
        println!("{:>10}  {:<24} {}", "", "", entry.message);
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
            "{:>10}  {:<24} {said}: \"{}\": {}{hint}",
            "", "", miss.rule, miss.why
        );
    }
}
