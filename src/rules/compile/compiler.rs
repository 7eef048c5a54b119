//! The checks and the compiling, one method per part of the rules file.

use super::{CompiledRules, Cond, Rhs, Rule, Status, Target, Val, OFFLINE};
use crate::error::Finding;
use crate::event::EventKind;
use crate::rules::budget::Budget;
use crate::rules::file::{
    ActionDef, Comparator, Condition, Operand, OperandType, Right, RulesFile, Side,
    BUILTIN_SYSTEM_STATES, NO_STATE,
};
use crate::rules::parse::Origin;
use crate::rules::salesforce_id;
use crate::sort::later_of_equal;

/// Checks and compiles what could be read of a file; `origin` gives each element's
/// position in the original lists, for the error paths. With `require_ids` false a
/// status without Id gets an empty one, for the catalog to fill
/// ([`super::catalog::resolve`]) or for checks that only need names.
pub(crate) fn compile_from(
    file: &RulesFile,
    origin: &Origin,
    require_ids: bool,
) -> Result<CompiledRules, Vec<Finding>> {
    compile_within(file, origin, require_ids, Budget::new(0))
}

/// [`compile_from`] against `budget` (tests use a small one).
fn compile_within(
    file: &RulesFile,
    origin: &Origin,
    require_ids: bool,
    budget: Budget,
) -> Result<CompiledRules, Vec<Finding>> {
    let mut c = Compiler {
        require_ids,
        budget,
        origin: origin.clone(),
        names: Vec::new(),
        errors: Vec::new(),
        out: CompiledRules {
            statuses: Vec::new(),
            org_statuses: Vec::new(),
            telephony_states: file.telephony.states.clone(),
            system_states: file.telephony.system_states.clone().unwrap_or_else(|| {
                BUILTIN_SYSTEM_STATES
                    .iter()
                    .map(|s| s.to_string())
                    .collect()
            }),
            channel_prefixes: file
                .channels
                .iter()
                .flat_map(|c| {
                    c.work_item_prefixes
                        .iter()
                        .map(|p| (p.clone(), c.developer_name.clone()))
                })
                .collect(),
            rules: Vec::new(),
            evaluation: file.options.evaluation,
            sync: file.options.sync.clone(),
            warnings: Vec::new(),
            triggered: Vec::new(),
            by_name: Vec::new(),
            by_id: Vec::new(),
        },
    };
    if file.version != 1 {
        c.error(
            "rules.unsupportedVersion",
            "$.version",
            format!(
                "version {} is not supported; this engine reads version 1",
                file.version
            ),
        );
    }
    c.statuses(file);
    c.mappings(file);
    c.rules(file);
    if c.budget.exceeded() {
        let rules = &c.out.rules;
        let finding = c.budget.finding("compiling the rules", |i| {
            (rules[i].name.as_str(), rules[i].path.as_str())
        });
        c.errors.push(finding);
    }
    if c.errors.is_empty() {
        let mut out = c.out;
        out.reindex();
        for (i, rule) in out.rules.iter().enumerate() {
            let kind = rule.on as usize;
            if out.triggered.len() <= kind {
                out.triggered.resize(kind + 1, Vec::new());
            }
            out.triggered[kind].push(i);
        }
        Ok(out)
    } else {
        Err(crate::rules::parse::capped(c.errors))
    }
}

struct Compiler {
    require_ids: bool,
    /// The work of compiling, per rule: the bound `omnisync check` shares.
    budget: Budget,
    origin: Origin,
    names: Vec<String>,
    errors: Vec<Finding>,
    out: CompiledRules,
}

impl Compiler {
    fn error(&mut self, code: &'static str, path: impl Into<String>, message: impl Into<String>) {
        self.errors.push(Finding::new(code, path, message));
    }

    fn statuses(&mut self, file: &RulesFile) {
        // The 18-character Id; empty when the file gives none (the org's catalog gives
        // it at start); `None` when the given one is not an Id.
        let ids: Vec<Option<String>> = file
            .statuses
            .iter()
            .map(|s| match &s.id {
                None => Some(String::new()),
                Some(given) => salesforce_id::to_18(given),
            })
            .collect();
        // Duplicates found by sorting, not by comparing every pair: the first of each
        // name is kept, and then the first of each Id among the names kept.
        let valid = || (0..ids.len()).filter(|&i| ids[i].is_some());
        let name_dup = later_of_equal(
            ids.len(),
            valid(),
            |i| file.statuses[i].developer_name.as_str(),
            |i| i,
        );
        let id_dup = later_of_equal(
            ids.len(),
            valid().filter(|&i| !name_dup[i] && ids[i].as_deref() != Some("")),
            |i| ids[i].as_deref().and_then(|id| id.get(..15)).unwrap_or(""),
            |i| i,
        );
        for (n, s) in file.statuses.iter().enumerate() {
            let i = at(&self.origin.statuses, n);
            let path = format!("$.statuses[{i}]");
            // No Id: the org's catalog gives it at start (an empty Id until then).
            // Without a catalog a missing Id is an error, but the name still counts so
            // that the rules naming it are not reported too.
            let id = match (&s.id, ids[n].clone()) {
                (None, _) => {
                    if self.require_ids {
                        self.error(
                            "rules.missingStatusId",
                            format!("{path}.id"),
                            format!(
                                "the status \"{}\" has no id: give the org's status catalog (on the command line --catalog with the org's statuses; the host page gives it at start) or write its ServicePresenceStatus Id here",
                                s.developer_name
                            ),
                        );
                    }
                    String::new()
                }
                (Some(_), Some(id)) => id,
                (Some(given), None) => {
                    self.error(
                        "rules.invalidStatusId",
                        format!("{path}.id"),
                        format!("\"{given}\" is not a Salesforce Id (15 or 18 letters and digits)"),
                    );
                    continue;
                }
            };
            if name_dup[n] {
                self.error(
                    "rules.duplicateStatus",
                    format!("{path}.developerName"),
                    format!("the status \"{}\" is listed twice", s.developer_name),
                );
            } else if id_dup[n] {
                self.error(
                    "rules.duplicateStatus",
                    format!("{path}.id"),
                    format!("the status Id \"{id}\" is listed twice"),
                );
            } else {
                self.out.statuses.push(Status {
                    id,
                    developer_name: s.developer_name.clone(),
                    label: s.label.clone(),
                    online: s.online,
                });
            }
        }
        self.out.reindex();
    }

    fn mappings(&mut self, file: &RulesFile) {
        for (i, m) in file.mappings.telephony_to_omni.iter().enumerate() {
            let i = at(&self.origin.telephony_to_omni, i);
            let path = format!("$.mappings.telephonyToOmni[{i}]");
            let name = format!("telephonyToOmni[{i}]: {} -> {}", m.telephony, m.omni);
            if let Some(target) = self.omni_target(&m.omni, &format!("{path}.omni")) {
                if self.claim_name(&name, &path) {
                    self.out.rules.push(Rule {
                        name,
                        on: EventKind::TelephonyStateChanged,
                        condition: equals(Operand::TelephonyNewState, &m.telephony),
                        targets: vec![target],
                        scope: m.scope.clone(),
                        master: m.master,
                        path: path.clone(),
                    });
                }
            }
        }
        for (i, m) in file.mappings.omni_to_telephony.iter().enumerate() {
            let i = at(&self.origin.omni_to_telephony, i);
            let path = format!("$.mappings.omniToTelephony[{i}]");
            let Some(target) = self.telephony_target(&m.telephony, &format!("{path}.telephony"))
            else {
                continue;
            };
            let name = format!("omniToTelephony[{i}]: {} -> {}", m.omni, m.telephony);
            let mut triggers = Vec::new();
            if m.omni == OFFLINE {
                triggers.push(EventKind::Logout);
            }
            if m.omni != OFFLINE || self.out.status_by_name(&m.omni).is_some() {
                triggers.push(EventKind::StatusChanged);
            }
            // The same mapping may stand for two triggers; its name is checked once.
            for (n, on) in triggers.into_iter().enumerate() {
                let rule = Rule {
                    name: name.clone(),
                    on,
                    condition: equals(Operand::OmniNewStatus, &m.omni),
                    targets: vec![target.clone()],
                    scope: m.scope.clone(),
                    master: m.master,
                    path: path.clone(),
                };
                if n > 0 || self.claim_name(&rule.name, &path) {
                    self.out.rules.push(rule);
                }
            }
        }
    }

    fn rules(&mut self, file: &RulesFile) {
        // A rule's name is taken when a mapping, an earlier rule or an earlier rule
        // that could not be read has it: found by sorting every claim once.
        let names = std::mem::take(&mut self.names);
        let claims: Vec<(&str, (usize, usize, bool))> = names
            .iter()
            .map(|n| (n.as_str(), (0, 0, false)))
            .chain(
                self.origin
                    .unreadable_rule_names
                    .iter()
                    .map(|(j, n)| (n.as_str(), (1, *j, false))),
            )
            .chain(
                file.rules
                    .iter()
                    .enumerate()
                    .map(|(n, r)| (r.name.as_str(), (1, at(&self.origin.rules, n), true))),
            )
            .collect();
        let taken = later_of_equal(
            claims.len(),
            0..claims.len(),
            |c| claims[c].0,
            |c| claims[c].1,
        );
        let taken = &taken[claims.len() - file.rules.len()..];
        for (n, r) in file.rules.iter().enumerate() {
            let i = at(&self.origin.rules, n);
            let path = format!("$.rules[{i}]");
            let named = !taken[n];
            if !named {
                self.error(
                    "rules.duplicateRuleName",
                    format!("{path}.name"),
                    format!("another rule is already named \"{}\"; names must be unique so the trace is unambiguous", r.name),
                );
            }
            let condition = match &r.condition {
                None => Some(Cond::Always),
                Some(c) => self.condition(c, r.on, &format!("{path}.if")),
            };
            if r.then.is_empty() {
                self.error(
                    "rules.noActions",
                    format!("{path}.then"),
                    format!("the rule \"{}\" does nothing: \"then\" is empty", r.name),
                );
            }
            let targets: Vec<Option<Target>> =
                r.then
                    .iter()
                    .enumerate()
                    .map(|(j, a)| match a {
                        ActionDef::SetOmniStatus(name) => {
                            self.omni_target(name, &format!("{path}.then[{j}].setOmniStatus"))
                        }
                        ActionDef::SetTelephonyState(name) => self
                            .telephony_target(name, &format!("{path}.then[{j}].setTelephonyState")),
                        ActionDef::LogoutOmni(yes) => {
                            self.logout_target(*yes, &format!("{path}.then[{j}].logoutOmni"))
                        }
                    })
                    .collect();
            if r.name.chars().any(unsafe_in_name) {
                self.error(
                    "rules.controlCharacter",
                    format!("{path}.name"),
                    "a rule's name may not contain control characters (NUL, line breaks...) or bidirectional overrides: the trace and the console would show it as other text",
                );
            }
            let scope = r.scope.as_ref().map_or(0, |s| {
                s.user_ids.len() + s.profile_ids.len() + s.teams.len()
            });
            let work = 1 + r.then.len() + scope + condition.as_ref().map_or(0, nodes);
            if let (Some(condition), Some(targets), true) = (
                condition,
                targets.into_iter().collect::<Option<Vec<_>>>(),
                named,
            ) {
                self.out.rules.push(Rule {
                    name: r.name.clone(),
                    on: r.on,
                    condition,
                    targets: last_per_side(targets),
                    scope: r.scope.clone(),
                    master: r.master,
                    path: path.clone(),
                });
                self.budget.charge(self.out.rules.len() - 1, work as u64);
            }
        }
    }

    /// Rule names must be unique so that the trace is unambiguous. A mapping's name
    /// holds its position, so mappings never clash with each other; their names are
    /// kept for [`Compiler::rules`], which checks every rule's name against them.
    fn claim_name(&mut self, name: &str, _path: &str) -> bool {
        self.names.push(name.to_string());
        true
    }

    fn condition(&mut self, c: &Condition, on: EventKind, path: &str) -> Option<Cond> {
        let group = |this: &mut Self, items: &[Condition], key: &str| -> Option<Vec<Cond>> {
            if items.is_empty() {
                this.error(
                    "rules.emptyGroup",
                    format!("{path}.{key}"),
                    format!("an \"{key}\" group needs at least one condition"),
                );
            }
            let parts: Vec<Option<Cond>> = items
                .iter()
                .enumerate()
                .map(|(i, item)| this.condition(item, on, &format!("{path}.{key}[{i}]")))
                .collect();
            parts.into_iter().collect()
        };
        match c {
            Condition::All { all } => group(self, all, "all").map(Cond::All),
            Condition::Any { any } => group(self, any, "any").map(Cond::Any),
            Condition::Compare(cmp) => {
                let mut ok = self.operand(cmp.left, on, &format!("{path}.left"));
                let right = match &cmp.right {
                    Right::Operand(o) => {
                        ok &= self.operand(*o, on, &format!("{path}.right.operand"));
                        if o.value_type() != cmp.left.value_type() {
                            ok = false;
                            self.error("rules.typeMismatch", format!("{path}.right.operand"), format!("{} and {} hold different kinds of value and cannot be compared", cmp.left.name(), o.name()));
                        }
                        Some(Rhs::Operand(*o))
                    }
                    Right::Value(v) => {
                        let at = format!("{path}.right.value");
                        let telephony = cmp.left.is_telephony_state();
                        // "Init" never reaches the engine: the hosts report it as no state.
                        if telephony && v.as_str() == Some(NO_STATE) {
                            ok &= self.telephony_name(NO_STATE, &at);
                        }
                        self.static_value(cmp.left, v, &at).map(Rhs::Static)
                    }
                };
                if cmp.op.is_ordering() && cmp.left.value_type() == OperandType::Text {
                    ok = false;
                    self.error(
                        "rules.typeMismatch",
                        format!("{path}.op"),
                        format!(
                            "\"{}\" orders numbers; {} is text and only takes eq or ne",
                            cmp.op.name(),
                            cmp.left.name()
                        ),
                    );
                }
                match (ok, right) {
                    (true, Some(right)) => Some(Cond::Compare {
                        left: cmp.left,
                        op: cmp.op,
                        right,
                    }),
                    _ => None,
                }
            }
        }
    }

    fn operand(&mut self, o: Operand, on: EventKind, path: &str) -> bool {
        if o.available_on(on) {
            return true;
        }
        self.error(
            "rules.operandUnavailable",
            path,
            format!(
                "{} only has a value on work item events, not on {}",
                o.name(),
                on.name()
            ),
        );
        false
    }

    fn static_value(&mut self, left: Operand, v: &serde_json::Value, path: &str) -> Option<Val> {
        match (left.value_type(), v) {
            (OperandType::Number, serde_json::Value::Number(n)) => n.as_f64().map(Val::Num),
            (OperandType::Number, serde_json::Value::String(s))
                if crate::node::parse_decimal(s.trim()).is_some() =>
            {
                crate::node::parse_decimal(s.trim()).map(Val::Num)
            }
            // Names in conditions are not checked against the catalogs: a condition on
            // a name that never occurs simply never matches (`check` warns about it).
            (OperandType::Text, serde_json::Value::String(s)) => Some(Val::Text(s.clone())),
            (expected, other) => {
                let want = if expected == OperandType::Number {
                    "a number"
                } else {
                    "a string"
                };
                self.error(
                    "rules.typeMismatch",
                    path,
                    format!(
                        "{} is compared with {}, but it needs {want}",
                        left.name(),
                        // The writer the outputs already use: `Value`'s Display would
                        // be a second copy of it in the bundle (1.9 kB gzip).
                        serde_json::to_string(other).unwrap_or_default()
                    ),
                );
                None
            }
        }
    }
}

/// Only the last action per side of a rule ever acts (docs/rules.md, "Actions"): the
/// others, and repeats of one action, are dropped here, so no later pass (evaluating,
/// checking for conflicts and cycles) visits them. Order kept.
fn last_per_side(targets: Vec<Target>) -> Vec<Target> {
    let last = |side| targets.iter().rposition(|t| t.side() == side);
    let (omni, telephony) = (last(Side::Omni), last(Side::Telephony));
    targets
        .into_iter()
        .enumerate()
        .filter(|(i, _)| Some(*i) == omni || Some(*i) == telephony)
        .map(|(_, t)| t)
        .collect()
}

/// The nodes of a condition, for the budget.
fn nodes(c: &Cond) -> usize {
    match c {
        Cond::All(items) | Cond::Any(items) => 1 + items.iter().map(nodes).sum::<usize>(),
        _ => 1,
    }
}

/// Control characters (NUL, line breaks, escapes) and the bidirectional embeddings,
/// overrides and isolates, which make a name display as other text.
pub(crate) fn unsafe_in_name(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// At most [`crate::rules::parse::MAX_LISTED`] names, then how many more: an error message
/// stays short whatever the size of the file.
fn listed<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let mut shown = Vec::new();
    let mut more = 0usize;
    for name in names {
        if shown.len() < crate::rules::parse::MAX_LISTED {
            shown.push(name);
        } else {
            more += 1;
        }
    }
    match more {
        0 => shown.join(", "),
        n => format!("{} and {n} more", shown.join(", ")),
    }
}

/// The original position of the `i`th element that could be read.
fn at(positions: &[usize], i: usize) -> usize {
    positions.get(i).copied().unwrap_or(i)
}

fn equals(left: Operand, text: &str) -> Cond {
    Cond::Compare {
        left,
        op: Comparator::Eq,
        right: Rhs::Static(Val::Text(text.to_string())),
    }
}

mod names;
#[cfg(test)]
mod tests;
