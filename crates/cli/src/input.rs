//! What the commands share: reading files, the org's catalog and a rules file, the
//! output format, the usage error (exit 2) and the findings as a table.

use clap::ValueEnum;
use omnisync::check::Report;
use omnisync::rules::Catalog;
use omnisync::CompiledRules;
use serde_json::Value;

/// How `check` and `simulate` print their results.
#[derive(Clone, Copy, PartialEq, ValueEnum)]
pub(crate) enum Format {
    /// Machine-readable JSON.
    Json,
    /// Aligned text for a person.
    Table,
}

/// A failure that ends the command with exit code 2.
pub(crate) struct Usage(pub(crate) String);

pub(crate) fn read(path: &str) -> Result<String, Usage> {
    std::fs::read_to_string(path).map_err(|e| Usage(format!("cannot read {path}: {e}")))
}

/// The org's status catalog named by `--catalog`, if any: the output of
/// `sf data query --json` (or its `result.records`). An unreadable one is a usage error.
pub(crate) fn catalog(path: Option<&str>) -> Result<Option<Catalog>, Usage> {
    let Some(path) = path else {
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
        // Without --json, sf prints a table for people, which is not JSON.
        if serde_json::from_str::<Value>(&text).is_err() {
            lines.push("  hint: sf prints JSON only when asked: run the query again with --json (sf data query --query \"SELECT Id, DeveloperName, MasterLabel FROM ServicePresenceStatus\" --json > FILE)".to_string());
        }
        Usage(format!(
            "{path} is not a status catalog:\n{}",
            lines.join("\n")
        ))
    })
}

/// Reads and compiles a rules file (statuses resolved against the catalog when one
/// is given); an invalid one is a usage error listing every finding.
pub(crate) fn compile_rules(path: &str, catalog: Option<&Catalog>) -> Result<CompiledRules, Usage> {
    let text = read(path)?;
    let rules = match catalog {
        Some(catalog) => CompiledRules::from_json_str_with_catalog(&text, catalog),
        None => CompiledRules::from_json_str(&text),
    };
    rules.map_err(|e| {
        let lines: Vec<String> = e.details().iter().map(|f| format!("  {f}")).collect();
        Usage(format!("{path} is not valid:\n{}", lines.join("\n")))
    })
}

/// The findings as the table shows them: two lines each, errors first, then a count.
pub(crate) fn findings_text(report: &Report) -> String {
    let all = report
        .errors
        .iter()
        .map(|f| ("error", f))
        .chain(report.warnings.iter().map(|f| ("warning", f)));
    let mut text = String::new();
    for (severity, f) in all {
        text.push_str(&format!(
            "{severity:<8} {:<28} {}\n         {}\n",
            f.code, f.path, f.message
        ));
    }
    text.push_str(&format!(
        "{} error(s), {} warning(s)\n",
        report.errors.len(),
        report.warnings.len()
    ));
    text
}
