//! The local equivalent of UserServicePresence: one record per Omni status period while
//! logged in, with the same measures a supervisor sees server-side. Inside, durations
//! are kept in milliseconds so nothing is rounded away; what `metrics(now)` returns
//! ([`MetricsReport`] as JSON) is in the object's own shape: its field names, ISO 8601
//! date-times, durations in whole seconds, StatusDuration only once the status ended.

use crate::model::AgentState;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// Closed periods kept; older ones are dropped so a long shift stays flat in memory.
pub(crate) const RECORDS_KEPT: usize = 64;

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

/// What `metrics(now)` returns: the records (milliseconds, for Rust callers) and, for
/// its JSON form `{"records": [UserServicePresence...]}`, the agent's user Id.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricsReport {
    pub records: Vec<PresenceRecord>,
    pub user_id: Option<String>,
}

impl Serialize for MetricsReport {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Report {
            records: Vec<UserServicePresence>,
        }
        Report {
            records: self.user_service_presence(),
        }
        .serialize(serializer)
    }
}

impl MetricsReport {
    /// The records as UserServicePresence has them.
    pub fn user_service_presence(&self) -> Vec<UserServicePresence> {
        self.records
            .iter()
            .map(|r| UserServicePresence::from_record(r, self.user_id.as_deref()))
            .collect()
    }
}

/// The related ServicePresenceStatus, as a SOQL query with
/// `ServicePresenceStatus.DeveloperName` returns it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatusRef {
    #[serde(rename = "DeveloperName")]
    pub developer_name: Option<String>,
}

/// One record in UserServicePresence's shape. `Name` (an auto-number the server
/// generates) is null locally; `OwnerId` is the user; `ConfiguredInterruptCapacity` is
/// null because the console APIs never report it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserServicePresence {
    pub name: Option<String>,
    pub user_id: Option<String>,
    pub owner_id: Option<String>,
    pub service_presence_status_id: String,
    pub service_presence_status: StatusRef,
    pub status_start_date: String,
    pub status_end_date: Option<String>,
    /// Set only when the status ended: StatusEndDate - StatusStartDate, in seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_duration: Option<u64>,
    pub idle_duration: u64,
    pub at_capacity_duration: u64,
    pub average_capacity: f64,
    pub configured_capacity: u64,
    pub configured_interrupt_capacity: Option<u64>,
    pub is_away: bool,
    pub is_current_state: bool,
}

impl UserServicePresence {
    fn from_record(r: &PresenceRecord, user_id: Option<&str>) -> UserServicePresence {
        // One rounding, down, for every time and duration: the dates are whole seconds
        // (StatusDuration is their difference), and a part of the period rounded down
        // is never longer than the whole: idle <= (end - start) in ms, and
        // floor((end - start) / 1000) <= floor(end / 1000) - floor(start / 1000).
        let seconds = |ms: u64| ms / 1000;
        let start = seconds(r.status_start_date);
        let end = r.status_end_date.map(seconds);
        UserServicePresence {
            name: None,
            user_id: user_id.map(str::to_string),
            owner_id: user_id.map(str::to_string),
            service_presence_status_id: r.status_id.clone(),
            service_presence_status: StatusRef {
                developer_name: r.developer_name.clone(),
            },
            status_start_date: iso8601(start),
            status_end_date: end.map(iso8601),
            status_duration: end.map(|e| e.saturating_sub(start)),
            idle_duration: seconds(r.idle_duration),
            at_capacity_duration: seconds(r.at_capacity_duration),
            average_capacity: r.average_capacity,
            configured_capacity: r.configured_capacity.max(0.0).round() as u64,
            configured_interrupt_capacity: None,
            is_away: r.is_away,
            is_current_state: r.is_current_state,
        }
    }
}

/// Seconds since 1970 as `YYYY-MM-DDThh:mm:ssZ` (UTC).
pub(crate) fn iso8601(seconds: u64) -> String {
    let (year, month, day) = civil_from_days((seconds / 86_400) as i64);
    let secs = seconds % 86_400;
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// (year, month, day) of a day count since 1970-01-01 in the proleptic Gregorian
/// calendar (Howard Hinnant's civil_from_days).
pub(crate) fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
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
        MetricsReport {
            records,
            user_id: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::iso8601;

    #[test]
    fn iso8601_dates() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso8601(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(iso8601(1_796_082_808), "2026-11-30T23:53:28Z");
    }
}
