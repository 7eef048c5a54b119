//! Checks the meaning of a parsed [`RulesFile`] and turns it into [`CompiledRules`]:
//! names resolved to status Ids, static values typed, mappings expanded into rules.
//! Every problem is collected; the file is accepted only when there is none.
//!
//! Here: what compiling produces ([`CompiledRules`] and its parts) and its lookups;
//! `compiler`: the checks, one method per part of the file; `sort`: the one sort.

use super::file::{Comparator, Evaluation, Operand, Scope, Side, SyncOptions};
use super::salesforce_id;
use crate::action::{Action, Chosen};
use crate::error::Finding;
use crate::event::EventKind;

/// Run from `rules` (`compiler::compile_from`), not re-exported here: the compiler
/// builds this module's types, so this module imports nothing from it.
pub(super) mod compiler;

use crate::sort::sorted;

pub(crate) use crate::action::OFFLINE;

/// One presence status with its Id normalised to 18 characters (empty until the
/// org's catalog gives it, when the rules name the status only).
#[derive(Debug, Clone, PartialEq)]
pub struct Status {
    pub id: String,
    pub developer_name: String,
    pub label: Option<String>,
    pub online: bool,
}

/// A value seen or compared: text compares exactly, numbers numerically.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Text(String),
    Num(f64),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Rhs {
    Static(Val),
    Operand(Operand),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Cond {
    Always,
    All(Vec<Cond>),
    Any(Vec<Cond>),
    Compare {
        left: Operand,
        op: Comparator,
        right: Rhs,
    },
}

/// Where an action goes, already resolved.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    Omni {
        status_id: String,
        developer_name: String,
    },
    Telephony(String),
    /// Logged out of Omni-Channel: what rules then read as `Offline`.
    OmniLogout,
}

impl Target {
    pub fn side(&self) -> Side {
        match self {
            Target::Omni { .. } | Target::OmniLogout => Side::Omni,
            Target::Telephony(_) => Side::Telephony,
        }
    }

    /// The DeveloperName or telephony state name (`Offline` for a logout).
    pub fn name(&self) -> &str {
        match self {
            Target::Omni { developer_name, .. } => developer_name,
            Target::Telephony(state) => state,
            Target::OmniLogout => OFFLINE,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub name: String,
    pub on: EventKind,
    pub condition: Cond,
    pub targets: Vec<Target>,
    pub scope: Option<Scope>,
    pub master: Option<Side>,
    /// Where the rule (or the mapping it came from) is in the file.
    pub path: String,
}

/// A validated rules file, ready to evaluate many times.
#[derive(Debug, Clone, PartialEq)]
pub struct CompiledRules {
    pub statuses: Vec<Status>,
    /// The org's statuses the rules do not list, from the catalog the rules were
    /// loaded with: an event in one of them still gets its DeveloperName and label.
    /// No rule can set them (only `statuses` are targets).
    pub org_statuses: Vec<Status>,
    pub telephony_states: Vec<String>,
    pub system_states: Vec<String>,
    /// (work item Id prefix, service channel DeveloperName).
    pub channel_prefixes: Vec<(String, String)>,
    pub rules: Vec<Rule>,
    pub evaluation: Evaluation,
    pub sync: SyncOptions,
    /// What the engine accepted but an admin should know, such as an Id in the rules
    /// that the org's catalog overrode.
    pub warnings: Vec<Finding>,
    /// The indices of the rules each event kind triggers, in file order: evaluating an
    /// event visits only its own rules.
    triggered: Vec<Vec<usize>>,
    /// Status indices in DeveloperName order and in 15-character Id order, so a lookup
    /// is a binary search whatever the size of the catalog (see [`CompiledRules::reindex`]).
    by_name: Vec<usize>,
    by_id: Vec<usize>,
}

impl CompiledRules {
    /// The indices into [`CompiledRules::rules`] of the rules `kind` triggers.
    pub fn triggered(&self, kind: EventKind) -> &[usize] {
        self.triggered.get(kind as usize).map_or(&[], Vec::as_slice)
    }

    /// The action of a chosen rule target.
    pub fn action(&self, chosen: Chosen) -> Action {
        let rule = &self.rules[chosen.rule];
        let name = rule.name.clone();
        match &rule.targets[chosen.target] {
            Target::Omni {
                status_id,
                developer_name,
            } => Action::SetOmniStatus {
                status_id: status_id.clone(),
                developer_name: developer_name.clone(),
                rule: name,
            },
            Target::Telephony(state) => Action::SetTelephonyState {
                state: state.clone(),
                rule: name,
            },
            Target::OmniLogout => Action::LogoutOmni { rule: name },
        }
    }

    pub fn status_by_name(&self, developer_name: &str) -> Option<&Status> {
        if self.by_name.len() != self.statuses.len() {
            // Statuses changed since the last reindex: still right, only slower.
            return self
                .statuses
                .iter()
                .find(|s| s.developer_name == developer_name);
        }
        let i = self
            .by_name
            .partition_point(|&i| self.statuses[i].developer_name.as_str() < developer_name);
        let status = &self.statuses[*self.by_name.get(i)?];
        (status.developer_name == developer_name).then_some(status)
    }

    pub fn status_by_id(&self, id: &str) -> Option<&Status> {
        if self.by_id.len() != self.statuses.len() {
            return self
                .statuses
                .iter()
                .find(|s| salesforce_id::same_id(&s.id, id));
        }
        let key = id.get(..15)?;
        let i = self
            .by_id
            .partition_point(|&i| self.statuses[i].id.get(..15).unwrap_or("") < key);
        let status = &self.statuses[*self.by_id.get(i)?];
        salesforce_id::same_id(&status.id, id).then_some(status)
    }

    /// The status with this Id: one the rules list, or else one only the org's
    /// catalog has.
    pub fn status_named(&self, id: &str) -> Option<&Status> {
        self.status_by_id(id)
            .or_else(|| (self.org_statuses.iter()).find(|s| salesforce_id::same_id(&s.id, id)))
    }

    /// Sorts the lookup indices of the statuses; call it after changing `statuses`
    /// (until then lookups fall back to a scan when the count changed).
    pub fn reindex(&mut self) {
        let statuses = &self.statuses;
        self.by_name = sorted(statuses.len(), &|a, b| {
            statuses[a].developer_name.cmp(&statuses[b].developer_name)
        });
        let id = |i: usize| statuses[i].id.get(..15).unwrap_or("");
        self.by_id = sorted(statuses.len(), &|a, b| id(a).cmp(id(b)));
    }

    pub fn is_system_state(&self, state: &str) -> bool {
        self.system_states.iter().any(|s| s == state)
    }

    pub fn rule(&self, name: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.name == name)
    }

    /// The service channel of a work item, from its Id's key prefix.
    pub fn channel_of(&self, work_item_id: &str) -> Option<&str> {
        self.channel_prefixes
            .iter()
            .find(|(prefix, _)| work_item_id.starts_with(prefix.as_str()))
            .map(|(_, name)| name.as_str())
    }
}
