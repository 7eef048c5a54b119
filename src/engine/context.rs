//! Who the agent is, for rules with a `scope`: a leaf of the engine, so the trace (which
//! says why a rule was out of scope) can use it without importing the engine.

use crate::rules::file::Scope;
use serde::{Deserialize, Serialize};

/// Who the agent is, as the host knows it; rules with a `scope` use it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AgentContext {
    pub user_id: Option<String>,
    pub profile_id: Option<String>,
    pub teams: Vec<String>,
}

impl AgentContext {
    /// Every non-empty list of the scope must name this agent. User and profile Ids
    /// match in their 15- or 18-character forms (a page's `{!$User.Id}` is 18, an Id
    /// copied from a Setup URL 15); teams are group DeveloperNames, compared exactly.
    pub fn in_scope(&self, scope: &Scope) -> bool {
        let one = |list: &[String], value: &Option<String>| {
            list.is_empty()
                || value.as_ref().is_some_and(|v| {
                    list.iter()
                        .any(|id| crate::rules::salesforce_id::same_record(id, v))
                })
        };
        one(&scope.user_ids, &self.user_id)
            && one(&scope.profile_ids, &self.profile_id)
            && (scope.teams.is_empty() || scope.teams.iter().any(|t| self.teams.contains(t)))
    }
}
