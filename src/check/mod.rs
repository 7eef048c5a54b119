//! `omnisync check`: everything an admin should know about a rules file before
//! uploading it. Errors are the engine's own refusals plus rule chains that oscillate;
//! warnings are rules that can never match and rules that fight over one side.
//!
//! Here: running the checks, never-matching and same-side rules. `known` (imported by
//! the others, importing none of them): the report, the names each side can report, a
//! condition's pinned values, short lists of names. `conflicts`: rules that can match
//! one event and set one side differently. `cycles`: rule chains that oscillate between
//! the two sides. `partial`: a refused file's rules without errors, checked alone.

use crate::error::{Error, Finding};
use crate::event::EventKind;
use crate::rules::budget::Budget;
use crate::rules::compile::{CompiledRules, Cond, Rhs, Rule, Val};
use crate::rules::file::{Comparator, Operand, Side};
use crate::rules::Catalog;
use conflicts::conflicts;
use cycles::cycles;
pub use known::Report;
use known::{joined, listed, pinned, Known, MAX_LISTED};

mod conflicts;
mod cycles;
mod known;
mod partial;

/// Checks rules JSON text. Without the org's catalog only names are checked: a
/// status may leave out its Id.
pub fn check_str(text: &str) -> Report {
    report(text, &CompiledRules::from_json_str_names_only, None)
}

/// Checks rules JSON text against the org's status catalog: a status the org lacks is
/// an error, an Id the org overrides a warning. Omni-Channel reports every status of
/// the org, so the catalog's names count as ones `omni.statusChanged` can report.
pub fn check_str_with_catalog(text: &str, catalog: &Catalog) -> Report {
    report(
        text,
        &|t| CompiledRules::from_json_str_with_catalog(t, catalog),
        Some(catalog),
    )
}

/// Every finding in one run: a refused file's errors, and the check of the rules that
/// had none ([`partial::refused`]).
fn report(
    text: &str,
    compile: &dyn Fn(&str) -> Result<CompiledRules, Error>,
    catalog: Option<&Catalog>,
) -> Report {
    match compile(text) {
        Err(Error::InvalidRules(errors)) => {
            partial::refused(text, errors, compile, &|rest| check_known(rest, catalog))
        }
        Err(other) => Report {
            errors: other.details().to_vec(),
            warnings: Vec::new(),
        },
        Ok(rules) => {
            let mut report = check_known(&rules, catalog);
            report.warnings.splice(0..0, rules.warnings.iter().cloned());
            report
        }
    }
}

/// Checks rules the engine accepted. Every part is bounded: the known names are
/// gathered once, conflicts are looked for only among rules that share a trigger, a
/// side and a status, and cycles only inside strongly connected groups of states,
/// with a cap on the steps taken.
pub fn check(rules: &CompiledRules) -> Report {
    check_known(rules, None)
}

/// [`check`], with the org's catalog naming more statuses Omni-Channel can report.
fn check_known(rules: &CompiledRules, catalog: Option<&Catalog>) -> Report {
    let known = Known::new(rules, catalog);
    let mut report = Report::default();
    for rule in &rules.rules {
        never_matches(&known, rule, &mut report.warnings);
        same_side(rule, &mut report.warnings);
        drops_deferred(rules, rule, &mut report.warnings);
    }
    // One budget for the pairwise work and the cycle search: past it, the rules that
    // cost most are named instead of the check running for minutes.
    let mut budget = Budget::new(rules.rules.len());
    conflicts(&known, &mut budget, &mut report.warnings);
    let (errors, warnings) = cycles(&known, &mut budget);
    report.errors.extend(errors);
    report.warnings.extend(warnings);
    if budget.exceeded() {
        let rule = |i: usize| (rules.rules[i].name.as_str(), rules.rules[i].path.as_str());
        report
            .warnings
            .push(budget.finding("the search for conflicts and cycles", rule));
    }
    report
}

fn never_matches(known: &Known, rule: &Rule, warnings: &mut Vec<Finding>) {
    let Some((operand, names)) = known.status_operand(rule.on) else {
        return;
    };
    let Some(wanted) = pinned(&rule.condition, operand) else {
        return;
    };
    // An empty state list means "any name": nothing can be said about telephony then.
    if rule.on == EventKind::TelephonyStateChanged && known.rules.telephony_states.is_empty() {
        return;
    }
    if wanted.iter().any(|w| names.contains(w)) {
        return;
    }
    let why = if wanted.is_empty() {
        "its conditions contradict each other; keep one of the names it compares with".to_string()
    } else if rule.on == EventKind::Logout {
        format!(
            "on {} the new status is always exactly \"Offline\"; compare with \"Offline\" or remove the comparison",
            rule.on.name()
        )
    } else {
        let wanted: Vec<&str> = wanted.iter().take(MAX_LISTED).map(String::as_str).collect();
        let known = match names.is_empty() {
            true => "\"statuses\" lists none".to_string(),
            false => format!("known: {}", listed(names.iter())),
        };
        // The fix: the list the name is missing from.
        let list = match rule.on {
            EventKind::TelephonyStateChanged => "telephony.states",
            _ => "\"statuses\"",
        };
        format!(
            "{} never reports {} ({known}); correct the name, or add it to {list} if that side has it",
            rule.on.name(),
            wanted.join(" or "),
        )
    };
    warnings.push(Finding::new(
        "check.neverMatches",
        rule.path.clone(),
        format!(
            "the rule \"{}\" ({}) can never match: {why}",
            rule.name, rule.path
        ),
    ));
}
/// A status change on one side may only cause an action on the other: the sync loop
/// never lets a rule set the side whose change triggered it (that is how loops start).
fn same_side(rule: &Rule, warnings: &mut Vec<Finding>) {
    let side = match rule.on {
        EventKind::TelephonyStateChanged => Side::Telephony,
        EventKind::StatusChanged | EventKind::Logout | EventKind::LoginSuccess => Side::Omni,
        _ => return,
    };
    if rule.targets.iter().any(|t| t.side() == side) {
        warnings.push(Finding::new(
            "check.sameSide",
            rule.path.clone(),
            format!(
                "the rule \"{}\" ({}) sets the {} side on {}: an agent's change is never overridden on its own side, so this action is never sent; remove the action, or set the other side",
                rule.name,
                rule.path,
                side.name(),
                rule.on.name()
            ),
        ));
    }
}

/// The system states a rule that sets the phone excludes with `telephony.newState ne
/// STATE` (at the top of its condition or in an `all` group): while the phone is in a
/// system state the engine already holds a phone change until the contact ends, so
/// such a guard turns "later" into "never".
fn drops_deferred(rules: &CompiledRules, rule: &Rule, warnings: &mut Vec<Finding>) {
    if rule.on == EventKind::TelephonyStateChanged
        || !rule.targets.iter().any(|t| t.side() == Side::Telephony)
    {
        return;
    }
    let mut excluded = Vec::new();
    excluded_states(&rule.condition, rules, &mut excluded);
    if excluded.is_empty() {
        return;
    }
    let names = joined(excluded.iter(), " or ");
    warnings.push(Finding::new(
        "check.guardDropsDeferred",
        rule.path.clone(),
        format!(
            "the rule \"{}\" ({}) sets the phone only when telephony.newState is not {names}: while the phone is in {names} the engine already holds a phone change and sends it when the contact ends, but this guard drops the change instead, so the phone is never told; remove the comparison and let the engine hold it",
            rule.name, rule.path
        ),
    ));
}

fn excluded_states(cond: &Cond, rules: &CompiledRules, out: &mut Vec<String>) {
    match cond {
        Cond::Compare {
            left: Operand::TelephonyNewState,
            op: Comparator::Ne,
            right: Rhs::Static(Val::Text(state)),
        } if rules.is_system_state(state) && !out.contains(state) => out.push(state.clone()),
        Cond::All(items) => items.iter().for_each(|c| excluded_states(c, rules, out)),
        _ => {}
    }
}
