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
/// Steps the cycle search may take over the whole file.
const CYCLE_WORK: usize = 1_000_000;
/// Conflicting pairs listed; the rest are counted.
const MAX_CONFLICTS: usize = 20;
/// Rule comparisons the conflict search may make over the whole file.
const CONFLICT_WORK: usize = 2_000_000;
/// Names listed in one message; the rest are counted.
const MAX_LISTED: usize = 10;

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

/// Checks rules the engine accepted. Every part is bounded: the known names are
/// gathered once, conflicts are looked for only among rules that share a trigger, a
/// side and a status, and cycles only inside strongly connected groups of states,
/// with a cap on the steps taken.
pub fn check(rules: &CompiledRules) -> Report {
    let known = Known::new(rules);
    let mut report = Report::default();
    for rule in &rules.rules {
        never_matches(&known, rule, &mut report.warnings);
        same_side(rule, &mut report.warnings);
    }
    conflicts(&known, &mut report.warnings);
    let (errors, warnings) = cycles(&known);
    report.errors.extend(errors);
    report.warnings.extend(warnings);
    report
}

/// The names each side can report, gathered once for the whole check.
struct Known<'r> {
    rules: &'r CompiledRules,
    telephony: BTreeSet<String>,
    omni: BTreeSet<String>,
    offline: BTreeSet<String>,
}

impl<'r> Known<'r> {
    fn new(rules: &'r CompiledRules) -> Known<'r> {
        let mut telephony: BTreeSet<String> = rules.telephony_states.iter().cloned().collect();
        telephony.extend(rules.system_states.iter().cloned());
        Known {
            rules,
            telephony,
            omni: rules
                .statuses
                .iter()
                .map(|s| s.developer_name.clone())
                .collect(),
            offline: BTreeSet::from([OFFLINE.to_string()]),
        }
    }

    /// The status operand a trigger reports on, with the names that side can take.
    fn status_operand(&self, on: EventKind) -> Option<(Operand, &BTreeSet<String>)> {
        match on {
            EventKind::TelephonyStateChanged => Some((Operand::TelephonyNewState, &self.telephony)),
            EventKind::StatusChanged => Some((Operand::OmniNewStatus, &self.omni)),
            EventKind::Logout => Some((Operand::OmniNewStatus, &self.offline)),
            _ => None,
        }
    }
}

/// At most `MAX_LISTED` names, then how many more there are: a message stays short
/// whatever the size of the file.
fn listed<'a>(names: impl ExactSizeIterator<Item = &'a String>) -> String {
    joined(names, ", ")
}

fn joined<'a>(names: impl ExactSizeIterator<Item = &'a String>, separator: &str) -> String {
    let total = names.len();
    let shown: Vec<&str> = names.take(MAX_LISTED).map(String::as_str).collect();
    if total > shown.len() {
        format!("{} and {} more", shown.join(separator), total - shown.len())
    } else {
        shown.join(separator)
    }
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
        "its conditions contradict each other".to_string()
    } else if rule.on == EventKind::Logout {
        format!(
            "on {} the new status is always exactly \"Offline\"",
            rule.on.name()
        )
    } else {
        let wanted: Vec<&str> = wanted.iter().take(MAX_LISTED).map(String::as_str).collect();
        format!(
            "{} never reports {} (known: {})",
            rule.on.name(),
            wanted.join(" or "),
            listed(names.iter())
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
///
/// Only rules that share a trigger, a side they set and a status they are pinned to
/// can clash (a rule pinned to nothing shares every status of its trigger), so rules
/// are put in those groups and compared inside them only, at most `CONFLICT_WORK`
/// comparisons in all. The first `MAX_CONFLICTS` pairs are reported, then a count.
fn conflicts(known: &Known, warnings: &mut Vec<Finding>) {
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
    let numbers: Vec<[Bounds; 5]> = rules
        .rules
        .iter()
        .map(|r| NUMERIC.map(|op| bounds(&r.condition, op)))
        .collect();
    let mut scan = ConflictScan {
        rules,
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
                "\"{}\" and \"{}\" can match the same {} event and set the {} side differently; under allMatches \"{}\" wins",
                a.name, b.name, a.on.name(), side.name(), b.name
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
    numbers: &'r [[Bounds; 5]],
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

/// A state of one side; `None` stands for "any state" of that side, where the rules
/// pinned to no state start (so they add one edge each, not one per known state).
type Node = (Side, Option<String>);

/// The state graph: "in this state, that rule sets the other side to that state".
struct Graph<'r> {
    nodes: Vec<Node>,
    /// Per node: (next node, the rule; `None` for a state's edge to its side's "any").
    edges: Vec<Vec<(usize, Option<&'r Rule>)>>,
}

impl<'r> Graph<'r> {
    fn new(known: &Known<'r>) -> Graph<'r> {
        let mut ids: BTreeMap<Node, usize> = BTreeMap::new();
        let mut graph = Graph {
            nodes: Vec::new(),
            edges: Vec::new(),
        };
        let id = |ids: &mut BTreeMap<Node, usize>, graph: &mut Graph<'r>, node: Node| {
            *ids.entry(node.clone()).or_insert_with(|| {
                graph.nodes.push(node);
                graph.edges.push(Vec::new());
                graph.nodes.len() - 1
            })
        };
        for rule in &known.rules.rules {
            let Some((operand, _)) = known.status_operand(rule.on) else {
                continue;
            };
            let side = if operand == Operand::TelephonyNewState {
                Side::Telephony
            } else {
                Side::Omni
            };
            let sources: Vec<Option<String>> = match pinned(&rule.condition, operand) {
                Some(values) => values.into_iter().map(Some).collect(),
                None => vec![None],
            };
            for source in sources {
                let from = id(&mut ids, &mut graph, (side, source));
                for target in rule.targets.iter().filter(|t| t.side() != side) {
                    let to = id(
                        &mut ids,
                        &mut graph,
                        (target.side(), Some(target.name().to_string())),
                    );
                    graph.edges[from].push((to, Some(rule)));
                }
            }
        }
        // Every known state of a side leads to that side's "any" node, when rules start
        // there.
        for side in [Side::Omni, Side::Telephony] {
            let Some(&any) = ids.get(&(side, None)) else {
                continue;
            };
            let names = match side {
                Side::Omni => &known.omni,
                Side::Telephony => &known.telephony,
            };
            for name in names {
                let from = id(&mut ids, &mut graph, (side, Some(name.clone())));
                graph.edges[from].push((any, None));
            }
            // States named by targets but absent from the catalog lead there too.
            for from in 0..graph.nodes.len() {
                let (s, name) = &graph.nodes[from];
                if *s == side && name.as_ref().is_some_and(|n| !names.contains(n)) {
                    graph.edges[from].push((any, None));
                }
            }
        }
        // Numbered in state order, so each cycle is reported from its first state.
        let mut rank = vec![0; graph.nodes.len()];
        for (r, &v) in ids.values().enumerate() {
            rank[v] = r;
        }
        let mut sorted = Graph {
            nodes: ids.into_keys().collect(),
            edges: vec![Vec::new(); rank.len()],
        };
        for (v, edges) in graph.edges.into_iter().enumerate() {
            sorted.edges[rank[v]] = edges.into_iter().map(|(w, r)| (rank[w], r)).collect();
        }
        sorted
    }

    /// Tarjan's strongly connected components, iteratively (no recursion however long
    /// the chains): each node's component number.
    fn components(&self) -> Vec<usize> {
        const UNSEEN: usize = usize::MAX;
        let n = self.nodes.len();
        let (mut index, mut low, mut comp) = (vec![UNSEEN; n], vec![0; n], vec![UNSEEN; n]);
        let (mut on_stack, mut stack) = (vec![false; n], Vec::new());
        let (mut next_index, mut next_comp) = (0, 0);
        for root in 0..n {
            if index[root] != UNSEEN {
                continue;
            }
            // (node, next edge to follow)
            let mut calls = vec![(root, 0usize)];
            index[root] = next_index;
            low[root] = next_index;
            next_index += 1;
            stack.push(root);
            on_stack[root] = true;
            while let Some(&mut (v, ref mut e)) = calls.last_mut() {
                if let Some(&(w, _)) = self.edges[v].get(*e) {
                    *e += 1;
                    if index[w] == UNSEEN {
                        index[w] = next_index;
                        low[w] = next_index;
                        next_index += 1;
                        stack.push(w);
                        on_stack[w] = true;
                        calls.push((w, 0));
                    } else if on_stack[w] {
                        low[v] = low[v].min(index[w]);
                    }
                    continue;
                }
                calls.pop();
                if let Some(&(parent, _)) = calls.last() {
                    low[parent] = low[parent].min(low[v]);
                }
                if low[v] == index[v] {
                    while let Some(w) = stack.pop() {
                        on_stack[w] = false;
                        comp[w] = next_comp;
                        if w == v {
                            break;
                        }
                    }
                    next_comp += 1;
                }
            }
        }
        comp
    }
}

/// Rule chains that oscillate: following "this state makes that rule set the other
/// side to that state" comes back to a side in a different state. A two-step loop
/// (A:x -> B:y -> A:x) is a consistent mapping, not an oscillation.
///
/// A cycle lies inside one strongly connected component, so only components of three
/// or more states are searched, each from its states in turn, never leaving the
/// component; the search takes at most `CYCLE_WORK` steps in all.
/// Returns the cycles found (errors) and, when the work ran out first, a warning.
fn cycles(known: &Known) -> (Vec<Finding>, Vec<Finding>) {
    let graph = Graph::new(known);
    let comp = graph.components();
    let mut size = vec![0usize; graph.nodes.len()];
    for &c in &comp {
        size[c] += 1;
    }
    let mut search = CycleSearch {
        graph: &graph,
        comp: &comp,
        work: 0,
        found: BTreeSet::new(),
        findings: Vec::new(),
    };
    let mut unfinished = BTreeSet::new();
    for start in 0..graph.nodes.len() {
        if size[comp[start]] < 3 || search.findings.len() >= MAX_CYCLES {
            continue;
        }
        if search.work >= CYCLE_WORK || !search.from(start) {
            unfinished.insert(comp[start]);
        }
    }
    let findings = search.findings;
    let mut unchecked = Vec::new();
    if let (Some(&c), true) = (unfinished.first(), findings.len() < MAX_CYCLES) {
        let states: Vec<String> = (0..graph.nodes.len())
            .filter(|&v| comp[v] == c)
            .map(|v| node_name(&graph.nodes[v]))
            .collect();
        let first = graph.edges.iter().enumerate().find_map(|(v, edges)| {
            (comp[v] == c).then_some(())?;
            edges
                .iter()
                .find_map(|(w, rule)| (comp[*w] == c).then_some(*rule)?)
        });
        let others = match unfinished.len() - 1 {
            0 => String::new(),
            n => format!(" ({n} other such groups were not searched either)"),
        };
        unchecked.push(Finding::new(
            "check.cycleLimit",
            first.map_or_else(|| "$.rules".to_string(), |r| r.path.clone()),
            format!(
                "{} states are linked by rules in both directions ({}) and the check stopped after {CYCLE_WORK} steps without following every chain among them: they may oscillate{others}",
                states.len(),
                listed(states.iter())
            ),
        ));
    }
    (findings, unchecked)
}

/// A bounded search for simple cycles inside one component.
struct CycleSearch<'g, 'r> {
    graph: &'g Graph<'r>,
    comp: &'g [usize],
    work: usize,
    found: BTreeSet<Vec<String>>,
    findings: Vec<Finding>,
}

impl<'r> CycleSearch<'_, 'r> {
    /// Follows every simple path from `start` through later states of its component
    /// (so each cycle is found from its first state once). False when the work ran out.
    fn from(&mut self, start: usize) -> bool {
        let c = self.comp[start];
        let mut on_path = BTreeSet::from([start]);
        // (node, the rule that led here, next edge to follow)
        let mut path: Vec<(usize, Option<&'r Rule>, usize)> = vec![(start, None, 0)];
        while let Some(&mut (v, _, ref mut e)) = path.last_mut() {
            if self.findings.len() >= MAX_CYCLES {
                return true;
            }
            self.work += 1;
            if self.work > CYCLE_WORK {
                return false;
            }
            let Some(&(w, rule)) = self.graph.edges[v].get(*e) else {
                on_path.remove(&v);
                path.pop();
                continue;
            };
            *e += 1;
            if w == start {
                self.closed(&path, rule);
            } else if w > start && self.comp[w] == c && !on_path.contains(&w) {
                on_path.insert(w);
                path.push((w, rule, 0));
            }
        }
        true
    }

    fn closed(&mut self, path: &[(usize, Option<&'r Rule>, usize)], last: Option<&'r Rule>) {
        let rules: Vec<&Rule> = path.iter().filter_map(|p| p.1).chain(last).collect();
        if rules.len() <= 2 {
            return;
        }
        let mut key: Vec<String> = rules.iter().map(|r| r.name.clone()).collect();
        key.sort();
        if !self.found.insert(key) {
            return;
        }
        let states: Vec<String> = path
            .iter()
            .chain(path.first())
            .map(|p| node_name(&self.graph.nodes[p.0]))
            .collect();
        let names: Vec<String> = rules.iter().map(|r| format!("\"{}\"", r.name)).collect();
        let (states, names) = (joined(states.iter(), " -> "), listed(names.iter()));
        self.findings.push(Finding::new(
            "check.cycle",
            rules[0].path.clone(),
            format!(
                "these rules chain into an oscillation ({}): {}; at run time the engine stops such a chain after one action per side",
                states,
                names
            ),
        ));
    }
}

fn node_name((side, state): &Node) -> String {
    match state {
        Some(state) => format!("{} {state}", side.name()),
        None => format!("{} any state", side.name()),
    }
}
