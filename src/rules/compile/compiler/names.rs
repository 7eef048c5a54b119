//! The names a rule may use, each checked where it is used: Omni statuses, telephony
//! states (system states are read, never set) and the targets built from them.

use super::{listed, Compiler};
use crate::rules::compile::Target;
use crate::rules::file::NO_STATE;

impl Compiler {
    pub(super) fn status_name(&mut self, name: &str, path: &str) -> bool {
        if self.out.status_by_name(name).is_some() {
            return true;
        }
        let known = match self.out.statuses.is_empty() {
            true => "\"statuses\" is empty: add each status the rules name by DeveloperName (omnisync import --catalog fills them from the org's catalog)".to_string(),
            false => format!("the known statuses are: {}", listed(self.out.statuses.iter().map(|s| s.developer_name.as_str()))),
        };
        self.error(
            "rules.unknownStatus",
            path,
            format!("no status has the DeveloperName \"{name}\"; {known}"),
        );
        false
    }

    pub(super) fn omni_target(&mut self, name: &str, path: &str) -> Option<Target> {
        if !self.status_name(name, path) {
            return None;
        }
        self.out.status_by_name(name).map(|s| Target::Omni {
            status_id: s.id.clone(),
            developer_name: s.developer_name.clone(),
        })
    }

    /// Any name the telephony system can report: a listed state or a system state.
    pub(super) fn telephony_name(&mut self, name: &str, path: &str) -> bool {
        if name == NO_STATE {
            self.error(
                "rules.unknownTelephonyState",
                path,
                format!("\"{NO_STATE}\" is Amazon Connect's \"no state yet\", not a state: a rule cannot read or set it"),
            );
            return false;
        }
        let states = &self.out.telephony_states;
        if states.is_empty()
            || states.iter().any(|s| s == name)
            || self.out.system_states.iter().any(|s| s == name)
        {
            return true;
        }
        let known = listed(states.iter().map(String::as_str));
        self.error(
            "rules.unknownTelephonyState",
            path,
            format!("the telephony system has no state \"{name}\"; the known states are: {known}"),
        );
        false
    }

    pub(super) fn logout_target(&mut self, yes: bool, path: &str) -> Option<Target> {
        if !yes {
            self.error(
                "rules.invalid",
                path,
                "\"logoutOmni\" takes true (log the agent out); to not log out, remove the action",
            );
        }
        yes.then_some(Target::OmniLogout)
    }

    pub(super) fn telephony_target(&mut self, name: &str, path: &str) -> Option<Target> {
        if name != NO_STATE && self.out.system_states.iter().any(|s| s == name) {
            // The fix in the message: what a rule may set, and where the list is.
            let system = &self.out.system_states;
            let settable: Vec<&str> = (self.out.telephony_states.iter())
                .filter(|s| !system.contains(s))
                .map(String::as_str)
                .collect();
            let may = match settable.is_empty() {
                true => "any state not in telephony.systemStates".to_string(),
                false => listed(settable.into_iter()),
            };
            self.error("rules.restrictedDestination", path, format!("\"{name}\" is a system state: the telephony system sets it during a contact and no rule can choose it; a rule may set {may} (telephony.systemStates lists the states rules can only read)"));
            return None;
        }
        self.telephony_name(name, path)
            .then(|| Target::Telephony(name.to_string()))
    }
}
