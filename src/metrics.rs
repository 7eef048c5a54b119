//! The local equivalent of UserServicePresence: one record per Omni status period while
//! logged in, with the same measures a supervisor sees server-side. Durations are in
//! milliseconds (Salesforce reports seconds) so nothing is rounded away.

use crate::model::AgentState;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// Closed periods kept; older ones are dropped so a long shift stays flat in memory.
pub const RECORDS_KEPT: usize = 64;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PresenceRecord {
    pub status_id: String,
    pub developer_name: Option<String>,
    pub status_start_date: u64,
    pub status_end_date: Option<u64>,
    pub status_duration: u64,
    /// Logged in with zero workload.
    pub idle_duration: u64,
    /// Capacity above zero and workload at or above it.
    pub at_capacity_duration: u64,
    /// Time-weighted average workload over the period.
    pub average_capacity: f64,
    pub configured_capacity: f64,
    pub is_away: bool,
    pub is_current_state: bool,
    /// Workload integrated over time (workload x ms), behind `average_capacity`.
    #[serde(default)]
    workload_ms: f64,
}

impl PresenceRecord {
    /// Adds the time from the record's current end to `now`, spent in `state`.
    fn extend(&mut self, state: &AgentState, now: u64) {
        let end = self.status_start_date + self.status_duration;
        let span = now.saturating_sub(end);
        let load = state.workload.current_workload;
        if load == 0.0 {
            self.idle_duration += span;
        }
        if state.workload.at_capacity() {
            self.at_capacity_duration += span;
        }
        self.workload_ms += load * span as f64;
        self.status_duration += span;
        self.configured_capacity = state.workload.configured_capacity;
        self.average_capacity = if self.status_duration == 0 {
            0.0
        } else {
            self.workload_ms / self.status_duration as f64
        };
    }
}

/// What `metrics(now)` returns.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MetricsReport {
    pub records: Vec<PresenceRecord>,
}

/// Accumulates presence records as events arrive.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    closed: VecDeque<PresenceRecord>,
    current: Option<PresenceRecord>,
}

impl Metrics {
    /// Call before applying an event at `now`: accounts the time since the last event
    /// to the state as it was.
    pub fn advance(&mut self, state: &AgentState, now: u64) {
        if let Some(current) = &mut self.current {
            current.extend(state, now);
        }
    }

    /// Call after applying an event: closes the period when the status changed or the
    /// agent logged out, and opens the next one. `is_away` says whether the new status
    /// is an away status.
    pub fn observe(&mut self, state: &AgentState, now: u64, is_away: impl FnOnce() -> bool) {
        let omni = &state.omni;
        let same = match (&self.current, &omni.status_id) {
            (Some(cur), Some(id)) => omni.logged_in && &cur.status_id == id,
            (None, None) => true,
            _ => !omni.logged_in && self.current.is_none(),
        };
        if same {
            if let Some(cur) = &mut self.current {
                cur.configured_capacity = state.workload.configured_capacity;
                if cur.developer_name.is_none() {
                    cur.developer_name.clone_from(&omni.developer_name);
                }
            }
            return;
        }
        if let Some(mut done) = self.current.take() {
            done.status_end_date = Some(now);
            done.is_current_state = false;
            self.closed.push_back(done);
            if self.closed.len() > RECORDS_KEPT {
                self.closed.pop_front();
            }
        }
        if let (true, Some(id)) = (omni.logged_in, &omni.status_id) {
            self.current = Some(PresenceRecord {
                status_id: id.clone(),
                developer_name: omni.developer_name.clone(),
                status_start_date: now,
                status_end_date: None,
                status_duration: 0,
                idle_duration: 0,
                at_capacity_duration: 0,
                average_capacity: 0.0,
                configured_capacity: state.workload.configured_capacity,
                is_away: is_away(),
                is_current_state: true,
                workload_ms: 0.0,
            });
        }
    }

    /// Keeps at most [`RECORDS_KEPT`] closed records, the newest: for a restored
    /// session, which may come from anywhere.
    pub fn keep_bounds(&mut self) {
        let excess = self.closed.len().saturating_sub(RECORDS_KEPT);
        self.closed.drain(..excess);
    }

    /// The records with the current period running to `now`.
    pub fn report(&self, state: &AgentState, now: u64) -> MetricsReport {
        let mut records: Vec<PresenceRecord> = self.closed.iter().cloned().collect();
        if let Some(cur) = &self.current {
            let mut cur = cur.clone();
            cur.extend(state, now);
            records.push(cur);
        }
        MetricsReport { records }
    }
}
