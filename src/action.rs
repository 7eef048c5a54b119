//! What the engine decides a host must do ([`Action`]), which target of which rule an
//! action comes from ([`Chosen`]) and the two [`Side`]s an action writes to. A module
//! of its own so that the rules layer builds actions (`CompiledRules::action`) without
//! knowing the engine, and the engine reads rules without the rules reading it.

use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};

/// The status name a logout presents to rules (CTI Adapter semantics).
pub(crate) const OFFLINE: &str = "Offline";

/// One of the two systems kept in step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum Side {
    Omni,
    Telephony,
}

impl Side {
    pub fn other(self) -> Side {
        match self {
            Side::Omni => Side::Telephony,
            Side::Telephony => Side::Omni,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Side::Omni => "omni",
            Side::Telephony => "telephony",
        }
    }
}

/// An effect the host must carry out. Its outside form (`{"type": ..., field: ...}`)
/// is written once, by [`Action::type_name`] and [`Action::fields`]: serde's form
/// below and the wasm binding's action objects are built from them, and
/// `tests/vocabulary.rs` holds the TypeScript `Action` type to them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    SetOmniStatus {
        status_id: String,
        developer_name: String,
        rule: String,
    },
    SetTelephonyState {
        state: String,
        rule: String,
    },
    /// Logs the agent out of Omni-Channel.
    LogoutOmni {
        rule: String,
    },
}

impl Serialize for Action {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let fields = self.fields();
        let mut map = serializer.serialize_map(Some(fields.len() + 1))?;
        map.serialize_entry("type", self.type_name())?;
        for (name, value) in fields {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

/// Which target of which rule acts: indices into [`CompiledRules::rules`] and that
/// rule's targets ([`CompiledRules::action`] makes the [`Action`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chosen {
    pub rule: usize,
    pub target: usize,
}

impl Action {
    /// The `type` of its outside form.
    pub fn type_name(&self) -> &'static str {
        match self {
            Action::SetOmniStatus { .. } => "setOmniStatus",
            Action::SetTelephonyState { .. } => "setTelephonyState",
            Action::LogoutOmni { .. } => "logoutOmni",
        }
    }

    /// The fields of its outside form after `type`, in order, each a string.
    pub fn fields(&self) -> Vec<(&'static str, &str)> {
        match self {
            Action::SetOmniStatus {
                status_id,
                developer_name,
                rule,
            } => vec![
                ("statusId", status_id),
                ("developerName", developer_name),
                ("rule", rule),
            ],
            Action::SetTelephonyState { state, rule } => vec![("state", state), ("rule", rule)],
            Action::LogoutOmni { rule } => vec![("rule", rule)],
        }
    }

    /// The side the action writes to.
    pub fn side(&self) -> Side {
        match self {
            Action::SetOmniStatus { .. } => Side::Omni,
            Action::SetTelephonyState { .. } => Side::Telephony,
            Action::LogoutOmni { .. } => Side::Omni,
        }
    }

    /// The state the action asks for: a status Id, a telephony state name, or
    /// `Offline` for a logout (never a status Id, so no status event matches it).
    pub fn target(&self) -> &str {
        match self {
            Action::SetOmniStatus { status_id, .. } => status_id,
            Action::SetTelephonyState { state, .. } => state,
            Action::LogoutOmni { .. } => OFFLINE,
        }
    }

    pub fn rule(&self) -> &str {
        match self {
            Action::SetOmniStatus { rule, .. }
            | Action::SetTelephonyState { rule, .. }
            | Action::LogoutOmni { rule } => rule,
        }
    }

    /// A short description for traces and tables: `omni=Lunch`, `telephony=Lunch`,
    /// `omni=logout`.
    pub fn describe(&self) -> String {
        match self {
            Action::SetOmniStatus { developer_name, .. } => format!("omni={developer_name}"),
            Action::SetTelephonyState { state, .. } => format!("telephony={state}"),
            Action::LogoutOmni { .. } => "omni=logout".to_string(),
        }
    }
}
