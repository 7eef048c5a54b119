//! `omnisync check`: everything an admin should know about a rules file before
//! uploading it. Errors are the engine's own refusals plus rule chains that oscillate;
//! warnings are rules that can never match and rules that fight over one side.

use crate::error::{Error, Finding};
use crate::event::EventKind;
use crate::rules::compile::{CompiledRules, Cond, Rhs, Rule, Val, OFFLINE};
use crate::rules::file::{Comparator, Evaluation, Operand, Side};
use crate::rules::Catalog;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Cycles reported at most, so a pathological file still gets a readable report.
const MAX_CYCLES: usize = 10;

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Report {
    pub errors: Vec<Finding>,
    pub warnings: Vec<Finding>,
}

/// Checks rules JSON text. Without the org's catalog only names are checked: a
/// status may leave out its Id.
pub fn check_str(text: &str) -> Report {
    report(CompiledRules::from_json_str_names_only(text))
}

/// Checks rules JSON text against the org's status catalog: a status the org lacks is
/// an error, an Id the org overrides a warning.
pub fn check_str_with_catalog(text: &str, catalog: &Catalog) -> Report {
    report(CompiledRules::from_json_str_with_catalog(text, catalog))
}

fn report(compiled: Result<CompiledRules, Error>) -> Report {
    match compiled {
        Err(Error::InvalidRules(errors)) => Report {
            errors,
            warnings: Vec::new(),
        },
        Err(other) => Report {
            errors: other.details().to_vec(),
            warnings: Vec::new(),
        },
        Ok(rules) => {
            let mut report = check(&rules);
            report.warnings.splice(0..0, rules.warnings.iter().cloned());
            report
        }
    }
}

/// Checks rules the engine accepted.
pub fn check(rules: &CompiledRules) -> Report {
    let mut report = Report::default();
    for rule in &rules.rules {
        never_matches(rules, rule, &mut report.warnings);
        same_side(rule, &mut report.warnings);
    }
    conflicts(rules, &mut report.warnings);
    report.errors.extend(cycles(rules));
    report
}

/// The values a text operand must take for `cond` to hold: `None` when the condition
/// does not pin it down.
fn pinned(cond: &Cond, operand: Operand) -> Option<BTreeSet<String>> {
    match cond {
        Cond::Compare {
            left,
            op: Comparator::Eq,
            right: Rhs::Static(Val::Text(v)),
        } if *left == operand => Some(BTreeSet::from([v.clone()])),
        Cond::All(items) => items
            .iter()
            .filter_map(|c| pinned(c, operand))
            .reduce(|a, b| a.intersection(&b).cloned().collect()),
        Cond::Any(items) => items
            .iter()
            .map(|c| pinned(c, operand))
            .collect::<Option<Vec<_>>>()
            .map(|sets| sets.into_iter().flatten().collect()),
        _ => None,
    }
}

/// The status operand a trigger reports on, with the names that side can take.
fn status_operand(rules: &CompiledRules, on: EventKind) -> Option<(Operand, BTreeSet<String>)> {
    match on {
        EventKind::TelephonyStateChanged => {
            let mut names: BTreeSet<String> = rules.telephony_states.iter().cloned().collect();
            names.extend(rules.system_states.iter().cloned());
            Some((Operand::TelephonyNewState, names))
        }
        EventKind::StatusChanged => Some((
            Operand::OmniNewStatus,
            rules
                .statuses
                .iter()
                .map(|s| s.developer_name.clone())
                .collect(),
        )),
        EventKind::Logout => Some((
            Operand::OmniNewStatus,
            BTreeSet::from([OFFLINE.to_string()]),
        )),
        _ => None,
    }
}

fn never_matches(rules: &CompiledRules, rule: &Rule, warnings: &mut Vec<Finding>) {
    let Some((operand, known)) = status_operand(rules, rule.on) else {
        return;
    };
    let Some(wanted) = pinned(&rule.condition, operand) else {
        return;
    };
    // An empty state list means "any name": nothing can be said about telephony then.
    if rule.on == EventKind::TelephonyStateChanged && rules.telephony_states.is_empty() {
        return;
    }
    if wanted.iter().any(|w| known.contains(w)) {
        return;
    }
    let why = if wanted.is_empty() {
        "its conditions contradict each other".to_string()
    } else if rule.on == EventKind::Logout {
        format!(
            "on {} the new status is always exactly \"Offline\"",
            rule.on.name()
        )
    } else {
        let listed: Vec<&str> = wanted.iter().map(String::as_str).collect();
        format!(
            "{} never reports {} (known: {})",
            rule.on.name(),
            listed.join(" or "),
            known
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    warnings.push(Finding::new(
        "check.neverMatches",
        rule.path.clone(),
        format!("the rule \"{}\" can never match: {why}", rule.name),
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
                "the rule \"{}\" sets the {} side on {}: an agent's change is never overridden on its own side, so this action is never sent",
                rule.name,
                side.name(),
                rule.on.name()
            ),
        ));
    }
}

/// Under allMatches, two rules that can match the same event and set the same side to
/// different states: the later one always wins, which is rarely what was meant.
fn conflicts(rules: &CompiledRules, warnings: &mut Vec<Finding>) {
    if rules.evaluation == Evaluation::FirstMatch {
        return;
    }
    for (i, a) in rules.rules.iter().enumerate() {
        for b in rules.rules.iter().skip(i + 1).filter(|b| b.on == a.on) {
            let overlap = match status_operand(rules, a.on) {
                Some((operand, _)) => {
                    match (pinned(&a.condition, operand), pinned(&b.condition, operand)) {
                        (Some(x), Some(y)) => !x.is_disjoint(&y),
                        _ => true,
                    }
                }
                None => true,
            };
            let overlap = overlap && numbers_overlap(&a.condition, &b.condition);
            let clash = a.targets.iter().find(|ta| {
                b.targets
                    .iter()
                    .any(|tb| tb.side() == ta.side() && tb.name() != ta.name())
            });
            if let (true, Some(target)) = (overlap, clash) {
                warnings.push(Finding::new(
                    "check.conflict",
                    b.path.clone(),
                    format!(
                        "\"{}\" and \"{}\" can match the same {} event and set the {} side differently; under allMatches \"{}\" wins",
                        a.name, b.name, a.on.name(), target.side().name(), b.name
                    ),
                ));
            }
        }
    }
}

/// The numeric operands rules compare.
const NUMERIC: [Operand; 5] = [
    Operand::PreviousWorkload,
    Operand::PreviousWorkloadPct,
    Operand::NewWorkload,
    Operand::NewWorkloadPct,
    Operand::ConfiguredCapacity,
];

/// Bounds `(low, low inclusive, high, high inclusive)` a condition puts on a numeric
/// operand; only comparisons with a static number in `all` groups narrow it.
type Bounds = (f64, bool, f64, bool);

fn bounds(cond: &Cond, operand: Operand) -> Bounds {
    let open = (f64::NEG_INFINITY, false, f64::INFINITY, false);
    match cond {
        Cond::Compare {
            left,
            op,
            right: Rhs::Static(Val::Num(n)),
        } if *left == operand => match op {
            Comparator::Eq => (*n, true, *n, true),
            Comparator::Gt => (*n, false, f64::INFINITY, false),
            Comparator::Ge => (*n, true, f64::INFINITY, false),
            Comparator::Lt => (f64::NEG_INFINITY, false, *n, false),
            Comparator::Le => (f64::NEG_INFINITY, false, *n, true),
            Comparator::Ne => open,
        },
        Cond::All(items) => items
            .iter()
            .map(|c| bounds(c, operand))
            .fold(open, intersect),
        _ => open,
    }
}

fn intersect(a: Bounds, b: Bounds) -> Bounds {
    let low = if a.0 > b.0 || (a.0 == b.0 && !a.1) {
        (a.0, a.1)
    } else {
        (b.0, b.1)
    };
    let high = if a.2 < b.2 || (a.2 == b.2 && !a.3) {
        (a.2, a.3)
    } else {
        (b.2, b.3)
    };
    (low.0, low.1, high.0, high.1)
}

fn is_empty(b: Bounds) -> bool {
    b.0 > b.2 || (b.0 == b.2 && !(b.1 && b.3))
}

/// False when some numeric operand cannot satisfy both conditions at once.
fn numbers_overlap(a: &Cond, b: &Cond) -> bool {
    NUMERIC
        .iter()
        .all(|op| !is_empty(intersect(bounds(a, *op), bounds(b, *op))))
}

type Node = (Side, String);

/// Rule chains that oscillate: following "this state makes that rule set the other
/// side to that state" comes back to a side in a different state. A two-step loop
/// (A:x -> B:y -> A:x) is a consistent mapping, not an oscillation.
fn cycles(rules: &CompiledRules) -> Vec<Finding> {
    let mut edges: BTreeMap<Node, Vec<(Node, &Rule)>> = BTreeMap::new();
    for rule in &rules.rules {
        let Some((operand, known)) = status_operand(rules, rule.on) else {
            continue;
        };
        let side = if operand == Operand::TelephonyNewState {
            Side::Telephony
        } else {
            Side::Omni
        };
        let sources = pinned(&rule.condition, operand).unwrap_or(known);
        for source in sources {
            for target in rule.targets.iter().filter(|t| t.side() != side) {
                let to = (target.side(), target.name().to_string());
                edges
                    .entry((side, source.clone()))
                    .or_default()
                    .push((to, rule));
            }
        }
    }
    let mut found: BTreeSet<Vec<String>> = BTreeSet::new();
    let mut findings = Vec::new();
    for start in edges.keys() {
        let mut path: Vec<(Node, Option<&Rule>)> = vec![(start.clone(), None)];
        walk(&edges, start, &mut path, &mut found, &mut findings);
        if findings.len() >= MAX_CYCLES {
            break;
        }
    }
    findings
}

fn walk<'r>(
    edges: &BTreeMap<Node, Vec<(Node, &'r Rule)>>,
    start: &Node,
    path: &mut Vec<(Node, Option<&'r Rule>)>,
    found: &mut BTreeSet<Vec<String>>,
    findings: &mut Vec<Finding>,
) {
    let Some(here) = path.last().map(|p| p.0.clone()) else {
        return;
    };
    for (next, rule) in edges.get(&here).into_iter().flatten() {
        if findings.len() >= MAX_CYCLES {
            return;
        }
        if next == start {
            let mut names: Vec<String> = path
                .iter()
                .skip(1)
                .filter_map(|p| p.1.map(|r| r.name.clone()))
                .collect();
            names.push(rule.name.clone());
            if names.len() > 2 {
                let mut key = names.clone();
                key.sort();
                if found.insert(key) {
                    findings.push(cycle_finding(path, rule, &names));
                }
            }
        } else if next > start && !path.iter().any(|p| &p.0 == next) {
            // Only walk to nodes after the start, so each cycle is found from its
            // smallest node once.
            path.push((next.clone(), Some(rule)));
            walk(edges, start, path, found, findings);
            path.pop();
        }
    }
}

fn cycle_finding(path: &[(Node, Option<&Rule>)], last: &Rule, names: &[String]) -> Finding {
    let states: Vec<String> = path
        .iter()
        .map(|((side, state), _)| format!("{} {state}", side.name()))
        .chain(
            path.first()
                .map(|((side, state), _)| format!("{} {state}", side.name())),
        )
        .collect();
    let first = path.get(1).and_then(|p| p.1).unwrap_or(last);
    Finding::new(
        "check.cycle",
        first.path.clone(),
        format!(
            "these rules chain into an oscillation ({}): {}; at run time the engine stops such a chain after one action per side",
            states.join(" -> "),
            names.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(", ")
        ),
    )
}
