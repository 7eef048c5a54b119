//! `statuses` filled from the org's catalog: the importer cannot know the org's
//! statuses, the catalog can. Every DeveloperName the imported rules use (set by an
//! action or a mapping, or compared in a condition) gets an entry; a name the catalog
//! lacks is reported instead of invented.

use super::{push_unique, Imported};
use crate::rules::file::{ActionDef, Condition, Operand, Right, StatusDef};
use crate::rules::Catalog;
use serde_json::Value;

/// What filling from the catalog did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filled {
    /// The names added to `statuses`, in the order the rules use them.
    pub added: Vec<String>,
    /// The names the rules use that the catalog does not have.
    pub missing: Vec<String>,
}

impl Imported {
    /// Every Omni status DeveloperName the file uses: the ones it sets (see
    /// [`Imported::statuses_needed`]) and the ones its conditions compare with.
    pub fn statuses_used(&self) -> Vec<String> {
        let mut names = self.statuses_needed();
        for m in &self.rules.mappings.omni_to_telephony {
            push_unique(&mut names, &m.omni);
        }
        for r in &self.rules.rules {
            if let Some(condition) = &r.condition {
                compared(condition, &mut names);
            }
            for a in &r.then {
                if let ActionDef::SetOmniStatus(name) = a {
                    push_unique(&mut names, name);
                }
            }
        }
        names
    }

    /// Adds to `statuses` each name the file uses that the catalog has, with the
    /// org's label and without its Id: the Id differs between orgs and sandboxes, and
    /// the catalog given to `check --catalog` and the host supplies it.
    pub fn fill_statuses(&mut self, catalog: &Catalog) -> Filled {
        let mut filled = Filled::default();
        for name in self.statuses_used() {
            if self.rules.statuses.iter().any(|s| s.developer_name == name) {
                continue;
            }
            match catalog.by_name(&name) {
                Some(org) => {
                    self.rules.statuses.push(StatusDef {
                        id: None,
                        developer_name: org.developer_name.clone(),
                        label: org.label.clone(),
                        online: true,
                    });
                    filled.added.push(name);
                }
                None => filled.missing.push(name),
            }
        }
        filled
    }
}

/// The status names a condition compares `omni.newStatus` or `omni.oldStatus` with.
fn compared(condition: &Condition, names: &mut Vec<String>) {
    match condition {
        Condition::All { all: items } | Condition::Any { any: items } => {
            items.iter().for_each(|c| compared(c, names))
        }
        Condition::Compare(c) => {
            if let (
                Operand::OmniNewStatus | Operand::OmniOldStatus,
                Right::Value(Value::String(v)),
            ) = (c.left, &c.right)
            {
                push_unique(names, v);
            }
        }
    }
}
