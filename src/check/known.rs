//! What every check reads and writes: the report, the names each side can report
//! ([`Known`]), a condition's pinned values, and lists of names kept short in messages.

use crate::error::Finding;
use crate::event::EventKind;
use crate::rules::compile::{CompiledRules, Cond, Rhs, Val, OFFLINE};
use crate::rules::file::{Comparator, Operand};
use crate::rules::Catalog;
use serde::Serialize;
use std::collections::BTreeSet;

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Report {
    pub errors: Vec<Finding>,
    pub warnings: Vec<Finding>,
}

/// Names listed in one message; the rest are counted.
pub(super) const MAX_LISTED: usize = 10;

/// The names each side can report, gathered once for the whole check.
pub(super) struct Known<'r> {
    pub(super) rules: &'r CompiledRules,
    pub(super) telephony: BTreeSet<String>,
    pub(super) omni: BTreeSet<String>,
    pub(super) offline: BTreeSet<String>,
}

impl<'r> Known<'r> {
    /// Omni-Channel reports every status of the org: the catalog's names count too.
    pub(super) fn new(rules: &'r CompiledRules, catalog: Option<&Catalog>) -> Known<'r> {
        let mut telephony: BTreeSet<String> = rules.telephony_states.iter().cloned().collect();
        telephony.extend(rules.system_states.iter().cloned());
        let mut omni: BTreeSet<String> = (rules.statuses.iter())
            .map(|s| s.developer_name.clone())
            .collect();
        let org = catalog.map(|c| &c.statuses[..]).unwrap_or_default();
        omni.extend(org.iter().map(|s| s.developer_name.clone()));
        Known {
            rules,
            telephony,
            omni,
            offline: BTreeSet::from([OFFLINE.to_string()]),
        }
    }

    /// The status operand a trigger reports on, with the names that side can take.
    pub(super) fn status_operand(&self, on: EventKind) -> Option<(Operand, &BTreeSet<String>)> {
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
pub(super) fn listed<'a>(names: impl ExactSizeIterator<Item = &'a String>) -> String {
    joined(names, ", ")
}

pub(super) fn joined<'a>(
    names: impl ExactSizeIterator<Item = &'a String>,
    separator: &str,
) -> String {
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
pub(super) fn pinned(cond: &Cond, operand: Operand) -> Option<BTreeSet<String>> {
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
