//! The org's ServicePresenceStatus catalog, and resolving a rules file's statuses
//! against it. Rules name statuses by DeveloperName, which is the same in every org and
//! sandbox; the Ids are not, so the host hands the engine the org's records when it
//! starts and each name gets this org's Id.
//!
//! The catalog is read in the shape `sf data query --json` prints and the host page's
//! Apex controller renders: records with `Id`, `DeveloperName`, `MasterLabel` and
//! perhaps an `attributes` key. The whole `sf` output (`{"result": {"records": [...]}}`)
//! is accepted too, so an admin can pass the exported file as it is.

use super::compile::{CompiledRules, Status, Target};
use super::salesforce_id;
use crate::error::{Error, Finding};
use serde_json::Value;

/// How many of the org's names an unknown-status message lists.
const NAMES_LISTED: usize = 10;

/// One ServicePresenceStatus record of the org.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgStatus {
    /// The 18-character Id.
    pub id: String,
    pub developer_name: String,
    pub label: Option<String>,
}

/// The org's statuses, in the order the org listed them. A few dozen at most: looked
/// up by a linear search, which costs the wasm bundle less than a map.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Catalog {
    pub statuses: Vec<OrgStatus>,
}

impl Catalog {
    /// Reads the catalog from JSON text (see [`Catalog::from_value`]).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn from_json_str(text: &str) -> Result<Catalog, Error> {
        let value: Value = serde_json::from_str(text)
            .map_err(|e| invalid("$", format!("the status catalog is not valid JSON: {e}")))?;
        Catalog::from_value(&value)
    }

    /// Reads the records list, or the whole `sf data query --json` output (or any
    /// object with `records`). A record that cannot be used is an error with its path:
    /// a catalog half read would make names fail for the wrong reason.
    pub fn from_value(value: &Value) -> Result<Catalog, Error> {
        let (records, path) = match (value.pointer("/result/records"), value.get("records")) {
            (Some(records), _) => (records, "$.result.records"),
            (None, Some(records)) => (records, "$.records"),
            (None, None) => (value, "$"),
        };
        let Some(records) = records.as_array() else {
            return Err(invalid(path, "the status catalog must be the list of the org's ServicePresenceStatus records, or the output of sf data query --json".into()));
        };
        let mut catalog = Catalog::default();
        let mut errors = Vec::new();
        for (i, record) in records.iter().enumerate() {
            let field = |key: &str| record.get(key).and_then(Value::as_str);
            let id = field("Id").and_then(salesforce_id::to_18);
            let (Some(id), Some(name)) = (id, field("DeveloperName")) else {
                errors.push(Finding::new(
                    "catalog.invalid",
                    format!("{path}[{i}]"),
                    "a ServicePresenceStatus record needs an \"Id\" (15 or 18 letters and digits) and a \"DeveloperName\"",
                ));
                continue;
            };
            // DeveloperNames are unique in an org; should a list repeat one, the first
            // record stands.
            if catalog.by_name(name).is_none() {
                catalog.statuses.push(OrgStatus {
                    id,
                    developer_name: name.to_string(),
                    label: field("MasterLabel").map(str::to_string),
                });
            }
        }
        if errors.is_empty() {
            Ok(catalog)
        } else {
            Err(Error::InvalidCatalog(errors))
        }
    }

    pub fn by_name(&self, developer_name: &str) -> Option<&OrgStatus> {
        self.statuses
            .iter()
            .find(|s| s.developer_name == developer_name)
    }

    /// "A, B, C and 4 more": the org's names, at most [`NAMES_LISTED`] of them.
    fn names(&self) -> String {
        let shown: Vec<&str> = self
            .statuses
            .iter()
            .take(NAMES_LISTED)
            .map(|s| s.developer_name.as_str())
            .collect();
        let more = self.statuses.len().saturating_sub(NAMES_LISTED);
        if more > 0 {
            format!("{} and {more} more", shown.join(", "))
        } else {
            shown.join(", ")
        }
    }
}

fn invalid(path: &str, message: String) -> Error {
    Error::InvalidCatalog(vec![Finding::new("catalog.invalid", path, message)])
}

/// Gives every status of `rules` the org's Id. A status the org lacks is an error
/// naming it; an Id in the rules that disagrees with the org's is a warning, and the
/// org's Id is used. Returns the warnings.
pub(crate) fn resolve(rules: &mut CompiledRules, catalog: &Catalog) -> Result<Vec<Finding>, Error> {
    let mut missing = Vec::new();
    let mut names = Vec::new();
    let mut warnings = Vec::new();
    for (i, status) in rules.statuses.iter_mut().enumerate() {
        let Some(org) = catalog.by_name(&status.developer_name) else {
            missing.push(unknown(catalog, &status.developer_name, i));
            names.push(format!("\"{}\"", status.developer_name));
            continue;
        };
        if !status.id.is_empty() && !salesforce_id::same_id(&status.id, &org.id) {
            warnings.push(Finding::new(
                "rules.statusIdMismatch",
                format!("$.statuses[{i}].id"),
                format!(
                    "the rules give \"{}\" the Id {} but the org's is {}; the org's Id is used",
                    status.developer_name, status.id, org.id
                ),
            ));
        }
        status.id = org.id.clone();
        if status.label.is_none() {
            status.label = org.label.clone();
        }
    }
    if !missing.is_empty() {
        // A few names, then a count: a file of thousands of unknown statuses must not
        // make a message of megabytes (each one is also in `details`).
        let more = names.len().saturating_sub(NAMES_LISTED);
        names.truncate(NAMES_LISTED);
        if more > 0 {
            names.push(format!("and {more} more"));
        }
        let message = format!(
            "the catalog has no ServicePresenceStatus with the DeveloperName {} (the org lacks it or, \
             in an agent's own export, the agent may not use it); {}",
            names.join(", "),
            listed(catalog)
        );
        return Err(Error::UnknownStatus {
            message,
            details: missing,
        });
    }
    // The Ids changed: the sorted lookup by Id must follow.
    rules.reindex();
    // The org's other statuses name the events in them (a login in a status no rule
    // lists still has a DeveloperName). Online is unknown: the catalog does not say.
    let others =
        (catalog.statuses.iter()).filter(|o| rules.status_by_name(&o.developer_name).is_none());
    rules.org_statuses = others
        .map(|o| Status {
            id: o.id.clone(),
            developer_name: o.developer_name.clone(),
            label: o.label.clone(),
            online: true,
        })
        .collect();
    for rule in &mut rules.rules {
        for target in &mut rule.targets {
            if let Target::Omni {
                status_id,
                developer_name,
            } = target
            {
                if let Some(org) = catalog.by_name(developer_name) {
                    *status_id = org.id.clone();
                }
            }
        }
    }
    Ok(warnings)
}

fn unknown(catalog: &Catalog, name: &str, i: usize) -> Finding {
    // DeveloperNames are compared exactly, as the CTI Adapter and Omni-Channel's
    // statusApiName do; a near miss in case is worth pointing out.
    let hint = catalog
        .statuses
        .iter()
        .find(|s| s.developer_name.eq_ignore_ascii_case(name))
        .map(|s| {
            format!(
                " (names are case-sensitive: the org has \"{}\")",
                s.developer_name
            )
        })
        .unwrap_or_default();
    Finding::new(
        "rules.unknownStatus",
        format!("$.statuses[{i}].developerName"),
        format!(
            "the catalog has no ServicePresenceStatus with the DeveloperName \"{name}\"{hint} (the org \
             lacks it or, in an agent's own export, the agent may not use it); {}",
            listed(catalog)
        ),
    )
}

/// "its statuses are: A, B and 3 more".
fn listed(catalog: &Catalog) -> String {
    if catalog.statuses.is_empty() {
        "the catalog lists no status at all".to_string()
    } else {
        format!("its statuses are: {}", catalog.names())
    }
}
