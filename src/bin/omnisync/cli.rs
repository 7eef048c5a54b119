//! The commands; `main.rs` says what each does.

use omnisync::check::{check_str, check_str_with_catalog, Report};
use omnisync::rules::Catalog;
use omnisync::simulate::{Simulator, StepReport};
use omnisync::{CompiledRules, Event, Finding};
use serde_json::{json, Value};
use std::process::ExitCode;

const USAGE: &str = "usage:
  omnisync check [--catalog SF-QUERY.json] RULES.json [--format json|table]
  omnisync simulate --rules RULES.json --events TRACE.jsonl [--catalog SF-QUERY.json] [--no-reason] [--format json|table]
  omnisync schema
  omnisync import --from cti-adapter|cxone FILE";

/// A failure that ends the command with exit code 2.
struct Usage(String);

pub fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("check") => check(&args[1..]),
        Some("simulate") => simulate(&args[1..]),
        Some("schema") => schema(),
        Some("import") => import(&args[1..]),
        Some("--help" | "-h" | "help") => {
            println!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        _ => Err(Usage(String::new())),
    };
    result.unwrap_or_else(|Usage(why)| {
        if !why.is_empty() {
            eprintln!("omnisync: {why}");
        }
        eprintln!("{USAGE}");
        ExitCode::from(2)
    })
}

/// Reads `--name value` options and positional arguments.
struct Args {
    options: Vec<(String, Option<String>)>,
    positional: Vec<String>,
}

impl Args {
    fn parse(args: &[String], flags: &[&str], valued: &[&str]) -> Result<Args, Usage> {
        let mut parsed = Args {
            options: Vec::new(),
            positional: Vec::new(),
        };
        let mut it = args.iter();
        while let Some(arg) = it.next() {
            if flags.contains(&arg.as_str()) {
                parsed.options.push((arg.clone(), None));
            } else if valued.contains(&arg.as_str()) {
                let value = it
                    .next()
                    .ok_or_else(|| Usage(format!("{arg} needs a value")))?;
                parsed.options.push((arg.clone(), Some(value.clone())));
            } else if arg.starts_with("--") {
                return Err(Usage(format!("unknown option {arg}")));
            } else {
                parsed.positional.push(arg.clone());
            }
        }
        Ok(parsed)
    }

    fn value(&self, name: &str) -> Option<&str> {
        self.options
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, v)| v.as_deref())
    }

    fn flag(&self, name: &str) -> bool {
        self.options.iter().any(|(n, _)| n == name)
    }

    fn table(&self) -> Result<bool, Usage> {
        match self.value("--format") {
            None | Some("json") => Ok(false),
            Some("table") => Ok(true),
            Some(other) => Err(Usage(format!("unknown format {other}"))),
        }
    }
}

fn read(path: &str) -> Result<String, Usage> {
    std::fs::read_to_string(path).map_err(|e| Usage(format!("cannot read {path}: {e}")))
}

/// The org's status catalog named by `--catalog`, if any: the output of
/// `sf data query --json` (or its `result.records`). An unreadable one is a usage error.
fn catalog(args: &Args) -> Result<Option<Catalog>, Usage> {
    let Some(path) = args.value("--catalog") else {
        return Ok(None);
    };
    let text = read(path)?;
    Catalog::from_json_str(&text).map(Some).map_err(|e| {
        let mut lines: Vec<String> = e.details().iter().map(|f| format!("  {f}")).collect();
        // A failed query: sf prints its own error as JSON, with a message worth showing.
        let said = serde_json::from_str::<Value>(&text).ok().and_then(|v| {
            v.get("message")
                .and_then(Value::as_str)
                .map(|m| format!("  sf said: {m}"))
        });
        lines.extend(said);
        Usage(format!(
            "{path} is not a status catalog:\n{}",
            lines.join("\n")
        ))
    })
}

fn check(args: &[String]) -> Result<ExitCode, Usage> {
    let args = Args::parse(args, &[], &["--format", "--catalog"])?;
    let [path] = args.positional.as_slice() else {
        return Err(Usage("check takes one rules file".into()));
    };
    let text = read(path)?;
    let report = match catalog(&args)? {
        Some(catalog) => check_str_with_catalog(&text, &catalog),
        None => check_str(&text),
    };
    if args.table()? {
        print_findings(&report);
    } else {
        println!(
            "{}",
            serde_json::to_string_pretty(&report_json(&report)).unwrap_or_default()
        );
    }
    Ok(if report.errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn report_json(report: &Report) -> Value {
    let list = |all: &[Finding]| -> Value {
        all.iter()
            .map(|f| json!({"code": f.code, "path": f.path, "message": f.message}))
            .collect()
    };
    json!({"errors": list(&report.errors), "warnings": list(&report.warnings)})
}

fn print_findings(report: &Report) {
    let all = report
        .errors
        .iter()
        .map(|f| ("error", f))
        .chain(report.warnings.iter().map(|f| ("warning", f)));
    for (severity, f) in all {
        println!(
            "{severity:<8} {:<28} {}\n         {}",
            f.code, f.path, f.message
        );
    }
    println!(
        "{} error(s), {} warning(s)",
        report.errors.len(),
        report.warnings.len()
    );
}

fn simulate(args: &[String]) -> Result<ExitCode, Usage> {
    let args = Args::parse(
        args,
        &["--no-reason"],
        &["--rules", "--events", "--format", "--catalog"],
    )?;
    let table = args.table()?;
    let rules_path = args
        .value("--rules")
        .ok_or(Usage("--rules is required".into()))?;
    let events_path = args
        .value("--events")
        .ok_or(Usage("--events is required".into()))?;
    let text = read(rules_path)?;
    let rules = match catalog(&args)? {
        Some(catalog) => CompiledRules::from_json_str_with_catalog(&text, &catalog),
        None => CompiledRules::from_json_str(&text),
    };
    let rules = rules.map_err(|e| {
        let lines: Vec<String> = e.details().iter().map(|f| format!("  {f}")).collect();
        Usage(format!("{rules_path} is not valid:\n{}", lines.join("\n")))
    })?;
    let trace = read(events_path)?;
    let mut events = Vec::new();
    for (n, line) in trace.lines().enumerate() {
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let bad = |why: String| Usage(format!("{events_path}:{}: {why}", n + 1));
        let value: Value = serde_json::from_str(line).map_err(|e| bad(e.to_string()))?;
        let event = Event::from_value(&value).map_err(|e| bad(e.to_string()))?;
        let at = omnisync::event::event_time(&std::borrow::Cow::Borrowed(&value))
            .map_err(|e| bad(e.to_string()))?
            .ok_or_else(|| bad("the line has no \"at\"".into()))?;
        events.push((value, event, at));
    }
    let mut sim = Simulator::new(rules, !args.flag("--no-reason"));
    for (value, event, at) in &events {
        let step = sim.step(event, *at);
        print_step(table, *at, value, &step);
    }
    let rest = sim.finish();
    if !rest.actions.is_empty() || !rest.matched.is_empty() {
        print_step(table, 0, &json!({"type": "timers"}), &rest);
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

fn print_step(table: bool, at: u64, event: &Value, step: &StepReport) {
    let kind = event["type"].as_str().unwrap_or("?");
    if table {
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
        for entry in step
            .log
            .iter()
            .filter(|l| l.kind != omnisync::sync::LogKind::Echo)
        {
            println!("{:>10}  {:<24} {}", "", "", entry.message);
        }
    } else {
        println!(
            "{}",
            json!({"at": at, "event": event, "actions": step.actions, "matched": step.matched, "echoes": step.echoes})
        );
    }
}

fn schema() -> Result<ExitCode, Usage> {
    let schema = schemars::schema_for!(omnisync::rules::RulesFile);
    println!(
        "{}",
        serde_json::to_string_pretty(&schema).unwrap_or_default()
    );
    Ok(ExitCode::SUCCESS)
}

fn import(args: &[String]) -> Result<ExitCode, Usage> {
    let args = Args::parse(args, &[], &["--from"])?;
    let [path] = args.positional.as_slice() else {
        return Err(Usage("import takes one file".into()));
    };
    let text = read(path)?;
    let imported = match args.value("--from") {
        Some("cti-adapter") => omnisync::import::from_cti_adapter(&text),
        Some("cxone") => omnisync::import::from_cxone(&text),
        _ => return Err(Usage("--from must be cti-adapter or cxone".into())),
    }
    .map_err(|e| Usage(format!("{path}: {e}")))?;
    println!(
        "{}",
        serde_json::to_string_pretty(&imported.rules).unwrap_or_default()
    );
    for skipped in &imported.skipped {
        eprintln!("skipped {}: {}", skipped.record, skipped.reason);
    }
    for note in &imported.notes {
        let kind = if note.warning { "warning" } else { "converted" };
        eprintln!("{kind} {}: {}", note.record, note.message);
    }
    let needed = imported.statuses_needed();
    if imported.rules.statuses.is_empty() && !needed.is_empty() {
        eprintln!(
            "note: add these statuses by DeveloperName to \"statuses\", then check the file against your org with omnisync check --catalog: {}",
            needed.join(", ")
        );
    }
    Ok(ExitCode::SUCCESS)
}
