//! `check.conflict`: under allMatches, rules that can match one event and set one side
//! to different states.

use super::known::{pinned, Known};
use crate::error::Finding;
use crate::rules::budget::Budget;
use crate::rules::compile::{CompiledRules, Cond, Rhs, Val};
use crate::rules::file::{Comparator, Evaluation, Operand, OperandType, Side};
use std::collections::{BTreeMap, BTreeSet};

/// Conflicting pairs listed; the rest are counted.
const MAX_CONFLICTS: usize = 20;
/// Rule comparisons the conflict search may make over the whole file.
const CONFLICT_WORK: usize = 2_000_000;

/// Under allMatches, two rules that can match the same event and set the same side to
/// different states: the later one always wins, which is rarely what was meant.
///
/// Only rules that share a trigger, a side they set and a status they are pinned to
/// can clash (a rule pinned to nothing shares every status of its trigger), so rules
/// are put in those groups and compared inside them only, at most `CONFLICT_WORK`
/// comparisons in all. The first `MAX_CONFLICTS` pairs are reported, then a count.
pub(super) fn conflicts(known: &Known, budget: &mut Budget, warnings: &mut Vec<Finding>) {
    let rules = known.rules;
    if rules.evaluation == Evaluation::FirstMatch {
        return;
    }
    // (trigger, side set) -> pinned status (None: any) -> rule indices in file order.
    type Groups<'a> = BTreeMap<(usize, Side), BTreeMap<Option<&'a str>, Vec<usize>>>;
    let pins: Vec<Option<BTreeSet<String>>> = rules
        .rules
        .iter()
        .map(|r| {
            known
                .status_operand(r.on)
                .and_then(|(operand, _)| pinned(&r.condition, operand))
        })
        .collect();
    let mut groups: Groups = BTreeMap::new();
    for (i, rule) in rules.rules.iter().enumerate() {
        let sides: BTreeSet<Side> = rule.targets.iter().map(|t| t.side()).collect();
        for side in sides {
            let by_pin = groups.entry((rule.on as usize, side)).or_default();
            match &pins[i] {
                Some(values) => {
                    for v in values {
                        by_pin.entry(Some(v.as_str())).or_default().push(i);
                    }
                }
                None => by_pin.entry(None).or_default().push(i),
            }
        }
    }
    let numbers: Vec<Vec<Bounds>> = rules
        .rules
        .iter()
        .map(|r| numeric().map(|op| bounds(&r.condition, op)).collect())
        .collect();
    let mut scan = ConflictScan {
        rules,
        budget,
        numbers: &numbers,
        work: 0,
        found: Vec::new(),
        more: 0,
    };
    'groups: for ((_, side), by_pin) in &groups {
        let any = by_pin.get(&None).map_or(&[][..], Vec::as_slice);
        for (pin, members) in by_pin {
            for (n, &b) in members.iter().enumerate() {
                // Each pair once: two pinned rules meet in the group of the first
                // status they share; a pinned rule meets the rules pinned to nothing
                // in the group of its own first status.
                let home = pin.is_some() && first_of(&pins[b]) == *pin;
                for &a in &members[..n] {
                    let here = pin.is_none() || first_shared(&pins[a], &pins[b]) == *pin;
                    if here && !scan.compare(a, b, *side) || !scan.step() {
                        break 'groups;
                    }
                }
                for &a in any.iter().filter(|_| home) {
                    let (first, second) = if a < b { (a, b) } else { (b, a) };
                    if !scan.compare(first, second, *side) {
                        break 'groups;
                    }
                }
            }
        }
    }
    let ConflictScan {
        mut found,
        more,
        work,
        ..
    } = scan;
    found.sort_by_key(|(a, b, _)| (*b, *a));
    for (a, b, side) in found {
        let (a, b) = (&rules.rules[a], &rules.rules[b]);
        warnings.push(Finding::new(
            "check.conflict",
            b.path.clone(),
            format!(
                "\"{}\" ({}) and \"{}\" ({}) can match the same {} event and set the {} side differently; under allMatches \"{}\" wins; give one of them a condition the other excludes, or remove one",
                a.name, a.path, b.name, b.path, a.on.name(), side.name(), b.name
            ),
        ));
    }
    if more > 0 || work >= CONFLICT_WORK {
        let stopped = if work >= CONFLICT_WORK {
            format!("; the check stopped after {CONFLICT_WORK} comparisons, so there may be more")
        } else {
            String::new()
        };
        warnings.push(Finding::new(
            "check.conflict",
            "$.rules",
            format!("and {more} more pairs of conflicting rules (the first {MAX_CONFLICTS} are listed){stopped}"),
        ));
    }
}

/// The smallest status both rules are pinned to.
fn first_shared<'a>(
    a: &'a Option<BTreeSet<String>>,
    b: &Option<BTreeSet<String>>,
) -> Option<&'a str> {
    match (a, b) {
        (Some(a), Some(b)) => a.iter().find(|v| b.contains(*v)).map(String::as_str),
        _ => None,
    }
}

fn first_of(pins: &Option<BTreeSet<String>>) -> Option<&str> {
    pins.as_ref()?.iter().next().map(String::as_str)
}

/// Pairs of rules compared so far, with the work done.
struct ConflictScan<'r> {
    rules: &'r CompiledRules,
    budget: &'r mut Budget,
    numbers: &'r [Vec<Bounds>],
    work: usize,
    found: Vec<(usize, usize, Side)>,
    more: usize,
}

impl ConflictScan<'_> {
    /// Counts one step of work; false once `CONFLICT_WORK` is used up.
    fn step(&mut self) -> bool {
        self.work += 1;
        if self.work > CONFLICT_WORK {
            self.work = CONFLICT_WORK;
            return false;
        }
        true
    }

    /// Compares rule `a` (earlier in the file) with `b` on `side`; false once the work
    /// is used up.
    fn compare(&mut self, a: usize, b: usize, side: Side) -> bool {
        if !self.step() {
            return false;
        }
        let (ra, rb) = (&self.rules.rules[a], &self.rules.rules[b]);
        // Each pair of targets visited, plus the numeric bounds compared.
        let cost = (ra.targets.len() * rb.targets.len() + self.numbers[a].len()) as u64;
        if !self.budget.charge(b, cost) {
            return false;
        }
        let clash = ra.targets.iter().any(|ta| {
            ta.side() == side
                && rb
                    .targets
                    .iter()
                    .any(|tb| tb.side() == side && tb.name() != ta.name())
        });
        let numbers = self.numbers[a]
            .iter()
            .zip(&self.numbers[b])
            .all(|(x, y)| !is_empty(intersect(*x, *y)));
        if clash && numbers {
            if self.found.len() < MAX_CONFLICTS {
                self.found.push((a, b, side));
            } else {
                self.more += 1;
            }
        }
        true
    }
}

/// The numeric operands rules compare, from the operands' table.
fn numeric() -> impl Iterator<Item = Operand> {
    Operand::ALL
        .iter()
        .copied()
        .filter(|o| o.value_type() == OperandType::Number)
}

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
