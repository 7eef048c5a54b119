//! What the sync loop records besides rule decisions: a plain account of every echo,
//! deferral, retry and conflict, so an admin can always say why a status changed.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum LogKind {
    Reconciling,
    Reconciled,
    Buffered,
    Echo,
    Queued,
    Coalesced,
    Deferred,
    Resumed,
    Conflict,
    ChainLimit,
    Retry,
    GaveUp,
    Relogin,
    Expired,
    /// A presence read failed: nothing is concluded from it.
    ReadFailed,
    /// A read found the model out of step and corrected it.
    Drift,
    /// An event stamped too far ahead of the clock.
    Clock,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LogEntry {
    pub at: u64,
    pub kind: LogKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    pub message: String,
}

/// Running totals, for the CLI summary and the demo.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Stats {
    pub events: u64,
    pub agent_changes: u64,
    pub actions: u64,
    pub echoes: u64,
    pub deferred: u64,
    pub retries: u64,
    pub failed: u64,
    pub coalesced: u64,
    pub conflicts: u64,
    pub chain_limited: u64,
}
