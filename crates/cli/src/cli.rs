//! The commands; `main.rs` says what each does.

use crate::input::{catalog, findings_text, read, Format, Usage};
use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use omnisync::check::{check_str, check_str_with_catalog, Report};
use omnisync::Finding;
use serde_json::{json, Value};
use std::process::ExitCode;

/// The admin's tool for omnisync rules files: check a file, replay a trace of events
/// against it, print the JSON Schema, or convert another product's configuration.
///
/// Exit codes: 0 done, 1 `check` found errors, 2 usage or input problem.
// Without a command the help goes to standard error (exit 2); an option given twice
// takes its last value instead of being refused.
#[derive(Parser)]
#[command(
    name = "omnisync",
    arg_required_else_help = true,
    args_override_self = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Reports every error and warning for a rules file (exit 1 when there are errors).
    Check {
        /// The rules file to check.
        #[arg(value_name = "RULES.json")]
        rules: String,
        /// The target org's statuses, as `sf data query --json` prints them (or their
        /// `result.records`): each status of the file must exist there.
        #[arg(long, value_name = "SF-QUERY.json")]
        catalog: Option<String>,
        /// How to print the findings.
        #[arg(long, value_enum, default_value_t = Format::Json)]
        format: Format,
    },
    /// Replays a trace of events against the rules and a model of both systems.
    Simulate(crate::simulate::SimulateArgs),
    /// Prints the JSON Schema of the rules file.
    Schema {
        /// Further arguments are ignored.
        #[arg(hide = true, num_args = 0.., allow_hyphen_values = true)]
        ignored: Vec<String>,
    },
    /// Converts another product's presence sync configuration into a rules file.
    Import {
        /// The product the file comes from.
        #[arg(long, value_enum, value_name = "PRODUCT")]
        from: Product,
        /// The exported configuration (CSV or JSON).
        #[arg(value_name = "FILE")]
        file: String,
        /// With --from cxone: CXone user names to Salesforce User Ids, for rows scoped to
        /// users (CSV: CXone user name, Salesforce User Id).
        #[arg(long, value_name = "FILE")]
        users: Option<String>,
        /// The target org's statuses, as `sf data query --json` prints them: every
        /// status the imported rules use is added to `statuses` from it.
        #[arg(long, value_name = "SF-QUERY.json")]
        catalog: Option<String>,
    },
    /// Replays the org's exported history under proposed rules and reports the difference.
    Replay(crate::replay::ReplayArgs),
}

/// The products `import` reads.
#[derive(Clone, Copy, ValueEnum)]
enum Product {
    /// Amazon Connect CTI Adapter "Presence Sync Rules" records (CSV or JSON).
    CtiAdapter,
    /// NICE CXone bi-directional presence sync tables (JSON).
    Cxone,
}

pub(crate) fn main() -> ExitCode {
    // Usage errors exit 2 and `--help` exits 0, with clap's own messages.
    let cli = Cli::parse();
    let (name, result) = match cli.command {
        Command::Check {
            rules,
            catalog,
            format,
        } => ("check", check(&rules, catalog.as_deref(), format)),
        Command::Simulate(args) => ("simulate", crate::simulate::run(args)),
        Command::Schema { .. } => ("schema", schema()),
        Command::Import {
            from,
            file,
            users,
            catalog,
        } => (
            "import",
            import(from, &file, users.as_deref(), catalog.as_deref()),
        ),
        Command::Replay(args) => ("replay", crate::replay::run(args)),
    };
    result.unwrap_or_else(|Usage(why)| {
        eprintln!("omnisync: {why}");
        let mut command = Cli::command();
        command.build(); // names each command's usage `omnisync <command>`
        if let Some(sub) = command.find_subcommand_mut(name) {
            eprintln!("{}", sub.render_usage());
        }
        ExitCode::from(2)
    })
}

fn check(path: &str, catalog_path: Option<&str>, format: Format) -> Result<ExitCode, Usage> {
    let text = read(path)?;
    let report = match catalog(catalog_path)? {
        Some(catalog) => check_str_with_catalog(&text, &catalog),
        None => check_str(&text),
    };
    if format == Format::Table {
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
    print!("{}", findings_text(report));
}

fn schema() -> Result<ExitCode, Usage> {
    let schema = schemars::schema_for!(omnisync::rules::RulesFile);
    println!(
        "{}",
        serde_json::to_string_pretty(&schema).unwrap_or_default()
    );
    Ok(ExitCode::SUCCESS)
}

fn import(
    from: Product,
    path: &str,
    user_map: Option<&str>,
    catalog_path: Option<&str>,
) -> Result<ExitCode, Usage> {
    let text = read(path)?;
    let catalog = catalog(catalog_path)?;
    let users = match (from, user_map) {
        (_, None) => None,
        (Product::Cxone, Some(map)) => Some(
            omnisync::import::CxoneUserMap::from_csv(&read(map)?)
                .map_err(|e| Usage(format!("{map}: {e}")))?,
        ),
        (Product::CtiAdapter, Some(_)) => {
            return Err(Usage("--users goes with --from cxone only".to_string()))
        }
    };
    let mut imported = match from {
        Product::CtiAdapter => omnisync::import::from_cti_adapter(&text),
        Product::Cxone => omnisync::import::from_cxone_with_users(&text, users.as_ref()),
    }
    .map_err(|e| Usage(format!("{path}: {e}")))?;
    let filled = catalog.as_ref().map(|c| imported.fill_statuses(c));
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
    match filled {
        Some(filled) => {
            for (from, to) in &filled.renamed {
                eprintln!("converted statuses: \"{from}\" is the org's \"{to}\" (by its label or in another case): the rules use \"{to}\"");
            }
            if !filled.added.is_empty() {
                eprintln!(
                    "converted statuses: added from the catalog by DeveloperName: {}; each is online (give an away status, one with no channels, \"online\": false)",
                    filled.added.join(", ")
                );
            }
            if !filled.missing.is_empty() {
                eprintln!(
                    "warning statuses: the catalog has no status with the DeveloperName {}: create it in the org or change the rules that name it",
                    filled.missing.join(", ")
                );
            }
        }
        None => {
            let needed = imported.statuses_needed();
            if !needed.is_empty() {
                eprintln!(
                    "note: add these statuses by DeveloperName to \"statuses\" (or import again with --catalog and the org's catalog), then check the file against your org with omnisync check --catalog: {}",
                    needed.join(", ")
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
