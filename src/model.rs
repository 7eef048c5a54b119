//! What the engine knows about the agent: Omni presence, workload, work items and the
//! telephony state. Every change goes through the methods here so the invariants hold
//! (workload never negative, one current status, bounded work item history).

use crate::event::{Channel, WorkEvent, WorkRef};
use serde::{Deserialize, Serialize};
pub use works::{WorkItem, WorkStatus, Works};

mod works;

/// Finished work items kept for inspection; older ones are dropped so memory stays flat
/// over a whole shift.
pub const FINISHED_WORK_KEPT: usize = 32;

/// Open (assigned or accepted) work items an agent may hold: a work event for a new item
/// past it is refused (docs/runtime.md, "Limits"). Omni-Channel's capacity keeps real
/// agents to a few; the cap keeps the model, `state()` and the saved session small
/// whatever a host reports.
pub const MAX_OPEN_WORK: usize = 1_000;

/// The agent's Omni-Channel presence.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OmniPresence {
    pub logged_in: bool,
    pub status_id: Option<String>,
    /// The status DeveloperName (`statusApiName`).
    pub developer_name: Option<String>,
    pub label: Option<String>,
    pub channels: Vec<Channel>,
    /// When the current status (or logout) began, in ms.
    pub since: Option<u64>,
}

/// Workload as Omni-Channel reports it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Workload {
    pub configured_capacity: f64,
    pub current_workload: f64,
    pub previous_workload: f64,
    /// `current_workload` as a percentage of capacity (see `workload_pct()`).
    pub workload_pct: f64,
}

/// Workload as a percentage of capacity. With zero capacity there is no room at all:
/// 0 % while nothing is assigned, 100 % as soon as anything is.
pub(crate) fn workload_pct(workload: f64, capacity: f64) -> f64 {
    if capacity > 0.0 {
        workload / capacity * 100.0
    } else if workload > 0.0 {
        100.0
    } else {
        0.0
    }
}

impl Workload {
    pub(crate) fn at_capacity(&self) -> bool {
        self.configured_capacity > 0.0 && self.current_workload >= self.configured_capacity
    }
}

/// The telephony agent state.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TelephonyState {
    pub state: Option<String>,
    pub previous: Option<String>,
    /// A system state (on a call, after-call work...) that can be read but never set.
    pub is_system_state: bool,
}

/// Everything the engine tracks, as `state()` shows it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentState {
    pub omni: OmniPresence,
    pub workload: Workload,
    pub works: Works,
    pub telephony: TelephonyState,
}

impl AgentState {
    pub(crate) fn log_in(
        &mut self,
        status_id: &str,
        developer_name: Option<String>,
        label: Option<String>,
        now: u64,
    ) {
        self.set_status(status_id, developer_name, label, Vec::new(), now);
    }

    pub(crate) fn set_status(
        &mut self,
        status_id: &str,
        developer_name: Option<String>,
        label: Option<String>,
        channels: Vec<Channel>,
        now: u64,
    ) {
        let unchanged = self.omni.logged_in && self.omni.status_id.as_deref() == Some(status_id);
        self.omni.logged_in = true;
        self.omni.status_id = Some(status_id.to_string());
        self.omni.developer_name = developer_name;
        self.omni.label = label;
        if !channels.is_empty() || !unchanged {
            self.omni.channels = channels;
        }
        if !unchanged || self.omni.since.is_none() {
            self.omni.since = Some(now);
        }
    }

    /// Logging out ends the status and the workload (Omni-Channel routes nothing more);
    /// work still Assigned or Opened becomes Unavailable ("the agent went offline").
    pub(crate) fn log_out(&mut self, now: u64) {
        for item in self.works.values_mut() {
            if !item.status.is_finished() {
                item.status = WorkStatus::Unavailable;
                item.updated_at = now;
            }
        }
        self.omni = OmniPresence {
            since: Some(now),
            ..OmniPresence::default()
        };
        let configured = self.workload.configured_capacity;
        self.set_workload(configured, self.workload.current_workload, 0.0);
    }

    pub(crate) fn set_workload(&mut self, configured: f64, previous: f64, new: f64) {
        let (configured, new) = (configured.max(0.0), new.max(0.0));
        self.workload = Workload {
            configured_capacity: configured,
            previous_workload: previous.max(0.0),
            current_workload: new,
            workload_pct: workload_pct(new, configured),
        };
    }

    pub(crate) fn set_telephony(
        &mut self,
        new_state: &str,
        old_state: Option<String>,
        is_system: bool,
    ) {
        let previous = old_state.or_else(|| self.telephony.state.take());
        self.telephony = TelephonyState {
            state: Some(new_state.to_string()),
            previous,
            is_system_state: is_system,
        };
    }

    /// Whether a work event would open an item past [`MAX_OPEN_WORK`].
    pub fn work_refused(&self, kind: WorkEvent, work: &WorkRef) -> bool {
        let opens = matches!(kind, WorkEvent::Assigned | WorkEvent::Accepted);
        opens && self.works.get(&work.work_id).is_none() && self.open_work() >= MAX_OPEN_WORK
    }

    /// The open work items.
    pub fn open_work(&self) -> usize {
        self.works
            .values()
            .filter(|w| !w.status.is_finished())
            .count()
    }

    /// Moves a work item through its lifecycle. Events can be lost in the browser, so a
    /// work item first seen on accept or close is recorded rather than refused. False
    /// (and nothing changed) for a new item past [`MAX_OPEN_WORK`].
    pub fn work_event(
        &mut self,
        kind: WorkEvent,
        work: &WorkRef,
        channel: Option<String>,
        now: u64,
    ) -> bool {
        if self.work_refused(kind, work) {
            return false;
        }
        let status = match kind {
            WorkEvent::Assigned => WorkStatus::Assigned,
            WorkEvent::Accepted => WorkStatus::Opened,
            WorkEvent::Declined => WorkStatus::Declined,
            WorkEvent::Closed => WorkStatus::Closed,
        };
        let item = self.works.get_or_insert_with(&work.work_id, || WorkItem {
            work_id: work.work_id.clone(),
            work_item_id: work.work_item_id.clone(),
            status,
            engaged: false,
            service_channel: None,
            updated_at: now,
        });
        item.status = status;
        item.engaged =
            status == WorkStatus::Opened || (item.engaged && status == WorkStatus::Closed);
        if channel.is_some() {
            item.service_channel = channel;
        }
        item.updated_at = now;
        if status.is_finished() {
            self.prune_finished();
        }
        true
    }

    /// On a push timeout Omni-Channel declines every offer still waiting.
    pub(crate) fn push_timeout(&mut self, now: u64) {
        for item in self.works.values_mut() {
            if item.status == WorkStatus::Assigned {
                item.status = WorkStatus::DeclinedOnPushTimeout;
                item.updated_at = now;
            }
        }
        self.prune_finished();
    }

    /// Drops the oldest finished work items beyond [`FINISHED_WORK_KEPT`] in one sort and
    /// one pass whatever their number (a restored session may bring thousands), not by
    /// searching for the oldest once per item dropped.
    fn prune_finished(&mut self) {
        // During a shift each closed item makes one too many: the oldest goes, found
        // in one pass (this runs on every close; a sort here was most of the replay's
        // time on AgentWork exports). More than one too many only comes restored.
        let mut count: usize = 0;
        let mut oldest: Option<(u64, &str)> = None;
        for w in self.works.values().filter(|w| w.status.is_finished()) {
            count += 1;
            let key = (w.updated_at, w.work_id.as_str());
            if oldest.is_none_or(|o| key < o) {
                oldest = Some(key);
            }
        }
        let excess = count.saturating_sub(FINISHED_WORK_KEPT);
        if excess == 0 {
            return;
        }
        if let (1, Some(cut)) = (excess, oldest) {
            let cut = (cut.0, cut.1.to_string());
            self.works.retain(|w| {
                !w.status.is_finished()
                    || (w.updated_at, w.work_id.as_str()) > (cut.0, cut.1.as_str())
            });
            return;
        }
        let finished: Vec<(u64, &str)> = self
            .works
            .values()
            .filter(|w| w.status.is_finished())
            .map(|w| (w.updated_at, w.work_id.as_str()))
            .collect();
        // The newest finished item that is dropped: everything older goes too.
        let order = crate::sort::sorted(finished.len(), &|a, b| finished[a].cmp(&finished[b]));
        let cut = finished[order[excess - 1]];
        let cut = (cut.0, cut.1.to_string());
        self.works.retain(|w| {
            !w.status.is_finished() || (w.updated_at, w.work_id.as_str()) > (cut.0, cut.1.as_str())
        });
    }

    /// Applies every bound the model keeps during a shift; for a restored session,
    /// which may come from anywhere.
    pub(crate) fn keep_bounds(&mut self) {
        self.prune_finished();
        // A restored session may hold more open items than a shift could: the most
        // recently updated are kept.
        let open: Vec<(u64, &str)> = self
            .works
            .values()
            .filter(|w| !w.status.is_finished())
            .map(|w| (w.updated_at, w.work_id.as_str()))
            .collect();
        let excess = open.len().saturating_sub(MAX_OPEN_WORK);
        if excess == 0 {
            return;
        }
        let order = crate::sort::sorted(open.len(), &|a, b| open[a].cmp(&open[b]));
        let cut = open[order[excess - 1]];
        let cut = (cut.0, cut.1.to_string());
        self.works.retain(|w| {
            w.status.is_finished() || (w.updated_at, w.work_id.as_str()) > (cut.0, cut.1.as_str())
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn work(id: &str) -> WorkRef {
        WorkRef {
            work_item_id: format!("500{id}"),
            work_id: format!("0Bz{id}"),
            service_channel: None,
        }
    }

    #[test]
    fn zero_capacity_is_defined() {
        assert_eq!(workload_pct(0.0, 0.0), 0.0);
        assert_eq!(workload_pct(1.0, 0.0), 100.0);
        assert_eq!(workload_pct(5.0, 4.0), 125.0);
    }

    #[test]
    fn lifecycle_and_push_timeout() {
        let mut s = AgentState::default();
        s.work_event(WorkEvent::Assigned, &work("1"), None, 1);
        s.work_event(WorkEvent::Assigned, &work("2"), None, 1);
        s.work_event(WorkEvent::Accepted, &work("1"), Some("Cases".into()), 2);
        s.push_timeout(3);
        assert_eq!(s.works["0Bz1"].status, WorkStatus::Opened);
        assert!(s.works["0Bz1"].engaged);
        assert_eq!(s.works["0Bz2"].status, WorkStatus::DeclinedOnPushTimeout);
        s.work_event(WorkEvent::Closed, &work("1"), None, 4);
        assert_eq!(s.works["0Bz1"].status, WorkStatus::Closed);
        assert_eq!(s.works["0Bz1"].service_channel.as_deref(), Some("Cases"));
    }

    #[test]
    fn finished_work_history_is_bounded() {
        let mut s = AgentState::default();
        for i in 0..200 {
            let w = work(&i.to_string());
            s.work_event(WorkEvent::Assigned, &w, None, i);
            s.work_event(WorkEvent::Closed, &w, None, i);
        }
        assert_eq!(s.works.len(), FINISHED_WORK_KEPT);
        assert!(s.works.get("0Bz199").is_some());
        // The newest ones are kept: the oldest goes at each close.
        let kept = (200 - FINISHED_WORK_KEPT as u64..200).map(|i| format!("0Bz{i}"));
        assert!(kept.into_iter().all(|id| s.works.get(&id).is_some()));
        assert!(s
            .works
            .get(&format!("0Bz{}", 199 - FINISHED_WORK_KEPT))
            .is_none());
    }

    #[test]
    fn pruning_many_restored_items_keeps_the_newest_in_one_pass() {
        let mut s = AgentState::default();
        for i in 0..30_000u64 {
            // As a restored session may bring them: past the open-item cap.
            let w = work(&format!("{i:05}"));
            s.works.get_or_insert_with(&w.work_id, || WorkItem {
                work_id: w.work_id.clone(),
                work_item_id: w.work_item_id.clone(),
                status: WorkStatus::Assigned,
                engaged: false,
                service_channel: None,
                updated_at: i,
            });
        }
        for i in 0..30_000u64 {
            if let Some(item) = s.works.values_mut().nth(i as usize) {
                item.status = WorkStatus::Closed;
            }
        }
        s.work_event(WorkEvent::Assigned, &work("open"), None, 1);
        s.keep_bounds();
        // The open item stays; of the finished, the 32 most recently updated.
        assert_eq!(s.works.len(), FINISHED_WORK_KEPT + 1);
        assert!(s.works.get("0Bzopen").is_some());
        assert!(s.works.get("0Bz29999").is_some());
        assert!(s.works.get("0Bz29968").is_some());
        assert!(s.works.get("0Bz29967").is_none());
    }

    #[test]
    fn open_work_items_are_capped_at_the_limit() {
        let mut s = AgentState::default();
        for i in 0..MAX_OPEN_WORK {
            assert!(s.work_event(WorkEvent::Assigned, &work(&format!("{i:05}")), None, 1));
        }
        assert_eq!(s.open_work(), MAX_OPEN_WORK);
        // One past: refused, nothing changed.
        assert!(!s.work_event(WorkEvent::Assigned, &work("over"), None, 2));
        assert!(!s.work_event(WorkEvent::Accepted, &work("over"), None, 2));
        assert!(s.works.get("0Bzover").is_none());
        // Known items still move, a close first seen is recorded, and a closed item
        // makes room.
        assert!(s.work_event(WorkEvent::Accepted, &work("00001"), None, 3));
        assert!(s.work_event(WorkEvent::Closed, &work("never-seen"), None, 3));
        assert!(s.work_event(WorkEvent::Closed, &work("00002"), None, 3));
        assert!(s.work_event(WorkEvent::Assigned, &work("over"), None, 4));
        assert_eq!(s.open_work(), MAX_OPEN_WORK);
    }

    #[test]
    fn logout_clears_status_and_workload() {
        let mut s = AgentState::default();
        s.log_in("0N5", Some("Available".into()), None, 1);
        s.set_workload(4.0, 0.0, 2.0);
        s.log_out(5);
        assert!(!s.omni.logged_in);
        assert_eq!(s.omni.status_id, None);
        assert_eq!(s.workload.current_workload, 0.0);
        assert_eq!(s.omni.since, Some(5));
    }

    #[test]
    fn telephony_remembers_previous() {
        let mut s = AgentState::default();
        s.set_telephony("Available", None, false);
        s.set_telephony("Busy", None, true);
        assert_eq!(s.telephony.previous.as_deref(), Some("Available"));
        assert!(s.telephony.is_system_state);
    }
}
