//! A refused file still gets every finding in one run: its errors name the rule they
//! are in, and the rules without errors are checked (loops, conflicts, rules that
//! never match) as if the others were not there; when that cannot be done, a warning
//! says the search was skipped and why.

use super::known::{listed, Report};
use crate::error::{Error, Finding};
use crate::rules::compile::CompiledRules;
use serde_json::Value;

/// The lists whose entries become rules, as paths name them.
const LISTS: [&str; 3] = [
    "$.rules",
    "$.mappings.telephonyToOmni",
    "$.mappings.omniToTelephony",
];

/// `($.rules, 3)` for a path inside the fourth rule.
fn entry_of(path: &str) -> Option<(&'static str, usize)> {
    LISTS.iter().find_map(|&list| {
        let rest = path.strip_prefix(list)?.strip_prefix('[')?;
        let (index, _) = rest.split_once(']')?;
        Some((list, index.parse().ok()?))
    })
}

/// The JSON value a list path names inside the file.
fn list_mut<'v>(file: &'v mut Value, list: &str) -> Option<&'v mut Vec<Value>> {
    let mut at = file;
    for key in list.trim_start_matches("$.").split('.') {
        at = at.get_mut(key)?;
    }
    at.as_array_mut()
}

/// The rule's name as the trace shows it: its `name`, or a mapping row's
/// `telephonyToOmni[0]: A -> B`.
fn rule_name(file: &Value, list: &str, index: usize) -> Option<String> {
    let mut at = file;
    for key in list.trim_start_matches("$.").split('.') {
        at = at.get(key)?;
    }
    let entry = at.get(index)?;
    let text = |k: &str| entry.get(k).and_then(Value::as_str).map(str::to_string);
    match list {
        "$.rules" => text("name"),
        _ => {
            let short = list.rsplit('.').next().unwrap_or(list);
            let (from, to) = match short {
                "telephonyToOmni" => (text("telephony")?, text("omni")?),
                _ => (text("omni")?, text("telephony")?),
            };
            Some(format!("{short}[{index}]: {from} -> {to}"))
        }
    }
}

/// Each error inside a rule or mapping row names it, by name and path.
fn name_rules(file: &Value, errors: &mut [Finding]) {
    for error in errors {
        let Some((list, index)) = entry_of(&error.path) else {
            continue;
        };
        let Some(name) = rule_name(file, list, index) else {
            continue;
        };
        if !error.message.contains(&format!("\"{name}\"")) {
            error.message = format!("the rule \"{name}\" ({list}[{index}]): {}", error.message);
        }
    }
}

/// The report on a file the engine refused: its errors, each naming its rule, then
/// what the check finds among the rules that had none.
pub(super) fn refused(
    text: &str,
    mut errors: Vec<Finding>,
    compile: &dyn Fn(&str) -> Result<CompiledRules, Error>,
    check: &dyn Fn(&CompiledRules) -> Report,
) -> Report {
    let skipped = |why: String| {
        Finding::new(
            "check.incomplete",
            "$",
            format!(
                "the search for loops, conflicts and rules that never match was skipped: {why}"
            ),
        )
    };
    // Not JSON: its one error says so, and there is nothing else to search.
    let Ok(mut file) = serde_json::from_str::<Value>(text) else {
        return Report {
            errors,
            warnings: Vec::new(),
        };
    };
    name_rules(&file, &mut errors);
    let mut report = Report {
        errors,
        warnings: Vec::new(),
    };
    // The entries with errors, per list, in order.
    let mut dropped: Vec<(&str, usize)> = Vec::new();
    for error in &report.errors {
        match entry_of(&error.path) {
            Some(entry) if !dropped.contains(&entry) => dropped.push(entry),
            Some(_) => {}
            None => {
                let why = format!(
                    "fix the errors outside the rules first ({}: {})",
                    error.path, error.code
                );
                report.warnings.push(skipped(why));
                return report;
            }
        }
    }
    // Each list without its dropped entries; `kept[list][new] = old`.
    let mut kept: Vec<(&str, Vec<usize>)> = Vec::new();
    for list in LISTS {
        let Some(items) = list_mut(&mut file, list) else {
            continue;
        };
        let old: Vec<usize> = (0..items.len())
            .filter(|i| !dropped.contains(&(list, *i)))
            .collect();
        let mut i = 0;
        items.retain(|_| {
            i += 1;
            !dropped.contains(&(list, i - 1))
        });
        kept.push((list, old));
    }
    let rest = match compile(&file.to_string()) {
        Ok(rest) => rest,
        Err(e) => {
            let first = e
                .details()
                .first()
                .map(|f| format!("{} at {}", f.code, f.path));
            let why = format!(
                "the rules without errors do not load on their own either ({})",
                first.unwrap_or_default()
            );
            report.warnings.push(skipped(why));
            return report;
        }
    };
    let mut rest = rest;
    // Back to the file's own numbering: paths, and the names mapping rows get from it.
    let old_of = |list: &str, new: usize| {
        kept.iter()
            .find(|(l, _)| *l == list)
            .and_then(|(_, old)| old.get(new).copied())
    };
    let renumber = |path: &mut String| -> Option<(&'static str, usize, usize)> {
        let (list, new) = entry_of(path)?;
        let old = old_of(list, new)?;
        let tail = path[list.len() + format!("[{new}]").len()..].to_string();
        *path = format!("{list}[{old}]{tail}");
        Some((list, new, old))
    };
    for rule in &mut rest.rules {
        if let Some((list, new, old)) = renumber(&mut rule.path) {
            let short = list.rsplit('.').next().unwrap_or(list);
            if list != "$.rules" {
                if let Some(tail) = rule.name.strip_prefix(&format!("{short}[{new}]")) {
                    rule.name = format!("{short}[{old}]{tail}");
                }
            }
        }
    }
    let mut found = check(&rest);
    for warning in rest.warnings.iter_mut() {
        renumber(&mut warning.path);
    }
    let left_out: Vec<String> = dropped.iter().map(|(l, i)| format!("{l}[{i}]")).collect();
    report.warnings.push(Finding::new(
        "check.incomplete",
        "$",
        format!(
            "the rules with errors ({}) were left out of the search for loops, conflicts and rules that never match; the rest was searched",
            listed(left_out.iter())
        ),
    ));
    report.errors.append(&mut found.errors);
    report.warnings.extend(rest.warnings);
    report.warnings.append(&mut found.warnings);
    report
}
