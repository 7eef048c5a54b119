//! The rules file as an admin writes it, one serde type per part (docs/rules.md).
//! These types only describe the shape; `compile` checks the meaning.

// The two sides are the actions' vocabulary; the file names them too (`master`).
pub use crate::action::Side;
// The operands are a table of their own (`rules::operand`); the file names them.
pub use super::operand::{Operand, OperandType};
use crate::event::EventKind;
use serde::{de, Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// States a telephony system reports but never lets an agent (or us) choose: those of
/// Amazon Connect Streams (`connect.AgentAvailStates` and `connect.AgentErrorStates`,
/// checked against the shipped build by www/test/streams-states.test.mjs) but "Init",
/// plus "Pending", which the Open CTI adapter's documentation lists.
pub const BUILTIN_SYSTEM_STATES: [&str; 22] = [
    "Busy",
    "Pending",
    "PendingBusy",
    "PendingAvailable",
    "CallingCustomer",
    "Dialing",
    "Joining",
    "AfterCallWork",
    "AgentHungUp",
    "BadAddressAgent",
    "BadAddressCustomer",
    "Default",
    "Error",
    "FailedConnectAgent",
    "FailedConnectCustomer",
    "InvalidLocale",
    "LineEngagedAgent",
    "LineEngagedCustomer",
    "MissedCallAgent",
    "MissedCallCustomer",
    "MultipleCcpWindows",
    "RealtimeCommunicationError",
];

/// Streams' name for "no state yet" (the `oldState` of the first agent data in a page):
/// not a state, so a rule neither reads nor sets it.
pub const NO_STATE: &str = "Init";

/// [`BUILTIN_SYSTEM_STATES`] as a slice: the list a host or a demo shows.
pub fn builtin_system_states() -> &'static [&'static str] {
    &BUILTIN_SYSTEM_STATES
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RulesFile {
    /// Where editors find this schema; ignored by the engine.
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    pub version: u32,
    pub statuses: Vec<StatusDef>,
    pub telephony: TelephonyDef,
    #[serde(default)]
    pub channels: Vec<ChannelDef>,
    #[serde(default)]
    pub mappings: Mappings,
    #[serde(default)]
    pub rules: Vec<RuleDef>,
    #[serde(default)]
    pub options: Options,
}

/// One ServicePresenceStatus, named by its DeveloperName: the name is the same in
/// every org, the Id is not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StatusDef {
    /// Optional 15- or 18-character ServicePresenceStatus Id. The org's catalog, when
    /// the engine is given one, wins over it; without a catalog it is required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The status's API name, as in Setup and in the org's catalog.
    pub developer_name: String,
    #[serde(default)]
    pub label: Option<String>,
    /// False for an away (busy) status: one with no channels.
    #[serde(default = "yes")]
    pub online: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TelephonyDef {
    /// `amazon-connect`, `nice-cxone`, `genesys`, `softphone`...: informative.
    pub system: String,
    /// The agent states an admin may name. Empty: any name is accepted.
    #[serde(default)]
    pub states: Vec<String>,
    /// Replaces the built-in list of states that can be read but never set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_states: Option<Vec<String>>,
}

/// A service channel, so that `omni.channel` can be known from a work item's Id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChannelDef {
    pub developer_name: String,
    #[serde(default)]
    pub work_item_prefixes: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Mappings {
    #[serde(default)]
    pub telephony_to_omni: Vec<MappingDef>,
    #[serde(default)]
    pub omni_to_telephony: Vec<MappingDef>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct MappingDef {
    pub telephony: String,
    pub omni: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<Scope>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub master: Option<Side>,
}

/// Limits a rule or mapping to some agents; the host supplies the agent's context.
/// Each non-empty list must contain the agent's value; empty lists do not limit.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Scope {
    #[serde(default)]
    pub user_ids: Vec<String>,
    #[serde(default)]
    pub profile_ids: Vec<String>,
    #[serde(default)]
    pub teams: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RuleDef {
    pub name: String,
    pub on: EventKind,
    #[serde(rename = "if", default)]
    pub condition: Option<Condition>,
    pub then: Vec<ActionDef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<Scope>,
    /// When both sides change at nearly the same time, this side's state wins (as in
    /// CXone's "Presence Master"). Unset: the latest change wins.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub master: Option<Side>,
}

/// `{"all": [...]}`, `{"any": [...]}` or one comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(untagged)]
pub enum Condition {
    All { all: Vec<Condition> },
    Any { any: Vec<Condition> },
    Compare(Comparison),
}

/// Written by hand so that a mistake inside a condition is reported precisely instead
/// of serde's "did not match any variant".
impl<'de> Deserialize<'de> for Condition {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        let Some(obj) = value.as_object() else {
            return Err(de::Error::custom(
                "a condition must be an object: {\"all\": [...]}, {\"any\": [...]} or {\"left\", \"op\", \"right\"}",
            ));
        };
        let group = |key: &str| -> Result<Vec<Condition>, D::Error> {
            if obj.len() != 1 {
                return Err(de::Error::custom(format!(
                    "a condition group has only the key \"{key}\""
                )));
            }
            // Read from the value in place: a clone per level would copy each
            // nested group once per level above it.
            Vec::<Condition>::deserialize(&obj[key]).map_err(de::Error::custom)
        };
        if obj.contains_key("all") {
            Ok(Condition::All { all: group("all")? })
        } else if obj.contains_key("any") {
            Ok(Condition::Any { any: group("any")? })
        } else {
            Comparison::deserialize(&value)
                .map(Condition::Compare)
                .map_err(de::Error::custom)
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Comparison {
    pub left: Operand,
    pub op: Comparator,
    pub right: Right,
}

/// A static value (the CTI Adapter's "Static Value") or another operand.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub enum Right {
    Value(Value),
    Operand(Operand),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum Comparator {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

impl Comparator {
    pub fn name(self) -> &'static str {
        match self {
            Comparator::Eq => "eq",
            Comparator::Ne => "ne",
            Comparator::Gt => "gt",
            Comparator::Ge => "ge",
            Comparator::Lt => "lt",
            Comparator::Le => "le",
        }
    }

    pub fn is_ordering(self) -> bool {
        !matches!(self, Comparator::Eq | Comparator::Ne)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub enum ActionDef {
    SetOmniStatus(String),
    SetTelephonyState(String),
    /// `{"logoutOmni": true}`: logs the agent out of Omni-Channel.
    LogoutOmni(bool),
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum Evaluation {
    #[default]
    AllMatches,
    FirstMatch,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Options {
    #[serde(default)]
    pub evaluation: Evaluation,
    #[serde(default)]
    pub sync: SyncOptions,
}

/// How the sync loop behaves around the rules: coalescing, echoes, retries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct SyncOptions {
    /// Rapid status changes on one side within this window are decided once, on the
    /// latest state (0: decide at once).
    pub coalesce_ms: u64,
    /// How long an action waits for the event that confirms it (its echo).
    pub echo_window_ms: u64,
    /// Attempts for one action, the first included.
    pub max_attempts: u32,
    /// First retry delay; doubled at each attempt, with jitter, up to `retryMaxMs`.
    pub retry_base_ms: u64,
    pub retry_max_ms: u64,
    /// After an Omni connection error, log the agent back in with the last status.
    pub relogin: bool,
    /// Rules on `timer.idle` run once the agent has been logged in with no workload
    /// and no event for this long (0: no idle timer).
    pub idle_after_ms: u64,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            coalesce_ms: 0,
            echo_window_ms: 10_000,
            max_attempts: 5,
            retry_base_ms: 1_000,
            retry_max_ms: 30_000,
            relogin: true,
            idle_after_ms: 0,
        }
    }
}
