//! `check.cycle`: rule chains that oscillate, found in the graph of states the rules
//! link, with a bound on the search.

use super::known::{joined, listed, pinned, Known};
use crate::error::Finding;
use crate::rules::budget::Budget;
use crate::rules::compile::Rule;
use crate::rules::file::{Operand, Side};
use std::collections::{BTreeMap, BTreeSet};

/// Cycles reported at most, so a pathological file still gets a readable report.
const MAX_CYCLES: usize = 10;
/// Steps the cycle search may take over the whole file.
const CYCLE_WORK: usize = 1_000_000;

/// A state of one side; `None` stands for "any state" of that side, where the rules
/// pinned to no state start (so they add one edge each, not one per known state).
type Node = (Side, Option<String>);

/// The rule behind an edge, with its index (for the budget); `None` for a state's edge
/// to its side's "any".
type Via<'r> = Option<(usize, &'r Rule)>;

/// The state graph: "in this state, that rule sets the other side to that state".
struct Graph<'r> {
    nodes: Vec<Node>,
    /// Per node: (next node, the rule behind the edge).
    edges: Vec<Vec<(usize, Via<'r>)>>,
}

impl<'r> Graph<'r> {
    fn new(known: &Known<'r>, budget: &mut Budget) -> Graph<'r> {
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
        for (r, rule) in known.rules.rules.iter().enumerate() {
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
                // Each target visited once per state the rule starts from.
                if !budget.charge(r, rule.targets.len() as u64 + 1) {
                    break;
                }
                let from = id(&mut ids, &mut graph, (side, source));
                for target in rule.targets.iter().filter(|t| t.side() != side) {
                    let to = id(
                        &mut ids,
                        &mut graph,
                        (target.side(), Some(target.name().to_string())),
                    );
                    graph.edges[from].push((to, Some((r, rule))));
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
pub(super) fn cycles(known: &Known, budget: &mut Budget) -> (Vec<Finding>, Vec<Finding>) {
    let graph = Graph::new(known, budget);
    let comp = graph.components();
    let mut size = vec![0usize; graph.nodes.len()];
    for &c in &comp {
        size[c] += 1;
    }
    let mut search = CycleSearch {
        graph: &graph,
        budget,
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
                .find_map(|(w, rule)| (comp[*w] == c).then_some(rule.map(|(_, r)| r))?)
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
    budget: &'g mut Budget,
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
        let mut path: Vec<(usize, Via<'r>, usize)> = vec![(start, None, 0)];
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
            if !self.budget.charge(rule.map_or(0, |(i, _)| i), 1) {
                return false;
            }
            if w == start {
                self.closed(&path, rule);
            } else if w > start && self.comp[w] == c && !on_path.contains(&w) {
                on_path.insert(w);
                path.push((w, rule, 0));
            }
        }
        true
    }

    fn closed(&mut self, path: &[(usize, Via<'r>, usize)], last: Via<'r>) {
        // Reading the cycle back visits its whole path.
        if !self
            .budget
            .charge(last.map_or(0, |(i, _)| i), path.len() as u64)
        {
            return;
        }
        let rules: Vec<&Rule> = path
            .iter()
            .filter_map(|p| p.1)
            .chain(last)
            .map(|(_, r)| r)
            .collect();
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
        // The rule that brings the chain back to where it started: changing it breaks
        // the loop (any rule of the loop would; this one is named so the advice is one).
        let last = rules[rules.len() - 1];
        let back = path.first().map(|p| node_name(&self.graph.nodes[p.0]));
        let (states, names) = (joined(states.iter(), " -> "), listed(names.iter()));
        self.findings.push(Finding::new(
            "check.cycle",
            rules[0].path.clone(),
            format!(
                "these rules chain into an oscillation ({}): {}. Harmful: one agent change sets off changes that come back to its own side in another state; at run time the engine stops the chain after one action per side, so the agent's change stands but the two sides are left out of step with what the rules say. To break it, change the rule \"{}\" ({}) so it no longer sets {} (or remove it), or map each state back to the one it came from (a two-way mapping such as Lunch <-> Lunch is not a loop)",
                states,
                names,
                last.name,
                last.path,
                back.unwrap_or_default()
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
