//! What the engine decides a host must do ([`Action`]), which target of which rule an
//! action comes from ([`Chosen`]) and the two [`Side`]s an action writes to. A module
//! of its own so that the rules layer builds actions (`CompiledRules::action`) without
//! knowing the engine, and the engine reads rules without the rules reading it.

use serde::{Deserialize, Serialize};

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

/// An effect the host must carry out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Action {
    #[serde(rename_all = "camelCase")]
    SetOmniStatus {
        status_id: String,
        developer_name: String,
        rule: String,
    },
    #[serde(rename_all = "camelCase")]
    SetTelephonyState { state: String, rule: String },
}

/// Which target of which rule acts: indices into [`CompiledRules::rules`] and that
/// rule's targets ([`CompiledRules::action`] makes the [`Action`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chosen {
    pub rule: usize,
    pub target: usize,
}

impl Action {
    /// The side the action writes to.
    pub fn side(&self) -> Side {
        match self {
            Action::SetOmniStatus { .. } => Side::Omni,
            Action::SetTelephonyState { .. } => Side::Telephony,
        }
    }

    /// The state the action asks for: a status Id or a telephony state name.
    pub fn target(&self) -> &str {
        match self {
            Action::SetOmniStatus { status_id, .. } => status_id,
            Action::SetTelephonyState { state, .. } => state,
        }
    }

    pub fn rule(&self) -> &str {
        match self {
            Action::SetOmniStatus { rule, .. } | Action::SetTelephonyState { rule, .. } => rule,
        }
    }

    /// A short description for traces and tables: `omni=Lunch`, `telephony=Lunch`.
    pub fn describe(&self) -> String {
        match self {
            Action::SetOmniStatus { developer_name, .. } => format!("omni={developer_name}"),
            Action::SetTelephonyState { state, .. } => format!("telephony={state}"),
        }
    }
}
