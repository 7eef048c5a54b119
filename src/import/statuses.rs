//! `statuses` filled from the org's catalog: the importer cannot know the org's
//! statuses, the catalog can. Every DeveloperName the imported rules use (set by an
//! action or a mapping, or compared in a condition) gets an entry; a name the catalog
//! lacks is reported instead of invented.

use super::common::{push_unique, Imported};
use super::cxone::developer_name;
use crate::rules::catalog::OrgStatus;
use crate::rules::file::{ActionDef, Condition, Operand, Right, StatusDef};
use crate::rules::{Catalog, RulesFile};
use serde_json::Value;

/// What filling from the catalog did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filled {
    /// The names added to `statuses`, in the order the rules use them.
    pub added: Vec<String>,
    /// The names the rules use that the catalog does not have.
    pub missing: Vec<String>,
    /// Names the org spells differently, as `(in the rules, the org's)`: a name made
    /// from a label (CXone exports labels) that is the org's status with that label,
    /// or that differs from the org's only in case. The rules now use the org's.
    pub renamed: Vec<(String, String)>,
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
            if let Some(i) = (self.rules.statuses.iter()).position(|s| s.developer_name == name) {
                self.fix_listed(i, catalog, &mut filled);
                continue;
            }
            let org = catalog.by_name(&name).or_else(|| {
                let org = spelt_differently(catalog, &name)?;
                rename(&mut self.rules, &name, &org.developer_name);
                filled
                    .renamed
                    .push((name.clone(), org.developer_name.clone()));
                Some(org)
            });
            // Two spellings of one org status: it is listed once.
            let listed = |n: &str| self.rules.statuses.iter().any(|s| s.developer_name == n);
            if org.is_some_and(|o| listed(&o.developer_name)) {
                continue;
            }
            match org {
                Some(org) => {
                    self.rules.statuses.push(StatusDef {
                        id: None,
                        developer_name: org.developer_name.clone(),
                        label: org.label.clone(),
                        online: true,
                    });
                    filled.added.push(org.developer_name.clone());
                }
                None => filled.missing.push(name),
            }
        }
        filled
    }
}

/// The org's one status whose label gives `name` as a DeveloperName (or whose
/// DeveloperName differs from it only in case); none when several do.
impl Imported {
    /// A status the converter listed by name (CXone's importer lists the ones it made
    /// from labels, without Ids): kept when the org has the name or the entry an Id;
    /// renamed when the org spells it differently; reported when the org lacks it.
    fn fix_listed(&mut self, i: usize, catalog: &Catalog, filled: &mut Filled) {
        let name = self.rules.statuses[i].developer_name.clone();
        if self.rules.statuses[i].id.is_some() || catalog.by_name(&name).is_some() {
            return;
        }
        let Some(org) = spelt_differently(catalog, &name) else {
            filled.missing.push(name);
            return;
        };
        rename(&mut self.rules, &name, &org.developer_name);
        filled.renamed.push((name, org.developer_name.clone()));
        let twice = (self.rules.statuses.iter()).any(|s| s.developer_name == org.developer_name);
        if twice {
            self.rules.statuses.remove(i);
            return;
        }
        let listed = &mut self.rules.statuses[i];
        listed.developer_name = org.developer_name.clone();
        if listed.label.is_none() {
            listed.label = org.label.clone();
        }
    }
}

fn spelt_differently<'c>(catalog: &'c Catalog, name: &str) -> Option<&'c OrgStatus> {
    let mut found = catalog.statuses.iter().filter(|o| {
        o.developer_name.eq_ignore_ascii_case(name)
            || o.label
                .as_deref()
                .is_some_and(|label| developer_name(label).0.eq_ignore_ascii_case(name))
    });
    let first = found.next()?;
    found.next().is_none().then_some(first)
}

/// Every use of the status `from` in the rules becomes `to`.
fn rename(file: &mut RulesFile, from: &str, to: &str) {
    let swap = |name: &mut String| {
        if name == from {
            *name = to.to_string();
        }
    };
    let mappings = &mut file.mappings;
    for m in (mappings.telephony_to_omni.iter_mut()).chain(mappings.omni_to_telephony.iter_mut()) {
        swap(&mut m.omni);
    }
    for rule in &mut file.rules {
        for action in &mut rule.then {
            if let ActionDef::SetOmniStatus(name) = action {
                swap(name);
            }
        }
        if let Some(condition) = &mut rule.condition {
            rename_compared(condition, from, to);
        }
    }
}

fn rename_compared(condition: &mut Condition, from: &str, to: &str) {
    match condition {
        Condition::All { all: items } | Condition::Any { any: items } => {
            items.iter_mut().for_each(|c| rename_compared(c, from, to))
        }
        Condition::Compare(c) => {
            if let (Operand::OmniNewStatus | Operand::OmniOldStatus, Right::Value(v)) =
                (c.left, &mut c.right)
            {
                if v.as_str() == Some(from) {
                    *v = Value::from(to);
                }
            }
        }
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
