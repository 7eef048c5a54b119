//! Reads of both sides' presence: the first one (start-up, page reload) is applied
//! without deciding anything and replays what was buffered; later ones (the periodic
//! drift check, a take-over) are compared with the model, and what differs is taken as
//! a change that was missed. A failed read changes nothing: it is traced and asked
//! again with back-off. Only a definite "not logged in" answer counts as a logout.

use super::read_retry::ReadRetry;
use super::{Command, LogKind, Output, SyncLoop};
use crate::event::Event;
use crate::read::{PresenceRead, StatusRead};

impl SyncLoop {
    /// Applies what the host read in answer to a [`Command::Reconcile`].
    pub fn read(&mut self, read: &PresenceRead, now: u64) -> Output {
        self.read_as_of(read, self.changes, now)
    }

    /// Where the loop is, for a read about to be asked: give it to
    /// [`SyncLoop::read_as_of`] with the answer.
    pub fn read_mark(&self) -> u64 {
        self.changes
    }

    /// [`SyncLoop::read`] of a read asked at `mark` ([`SyncLoop::read_mark`]). The
    /// bridges answer a read over several calls, and an event taken or a write sent
    /// meanwhile is newer than what the read saw: such a read is not compared with the
    /// model (it would undo the newer change as "drift"); the next read is.
    pub fn read_as_of(&mut self, read: &PresenceRead, mark: u64, now: u64) -> Output {
        let mut out = self.tick(now);
        let first = !self.is_running();
        for (method, code) in &read.failures {
            let message = format!(
                "{method} failed ({code}): the presence it reports is unknown, nothing is changed"
            );
            self.note(&mut out, now, LogKind::ReadFailed, None, message);
        }
        if matches!(read.status, StatusRead::Failed(_)) {
            let failures = self.read_retry.failures() + 1;
            let delay = self.backoff(failures.min(8));
            self.read_retry = ReadRetry::Scheduled {
                failures,
                at: now + delay,
            };
            let message = format!("the status read is asked again in {delay} ms");
            self.note(&mut out, now, LogKind::Retry, None, message);
        } else {
            self.read_retry = ReadRetry::Settled;
        }
        let events = read.events(self.engine.state(), self.engine.rules(), first);
        if first {
            out.merge(self.reconciled(&events, now));
        } else if mark != self.changes {
            let message =
                "the presence changed while it was read: this read is not compared with the model"
                    .into();
            self.note(&mut out, now, LogKind::Drift, None, message);
        } else {
            let mut corrected = false;
            for event in &events {
                if self.agrees(event) {
                    continue;
                }
                corrected = true;
                let more = self.event(event, now);
                out.merge(more);
            }
            if corrected {
                self.note(
                    &mut out,
                    now,
                    LogKind::Drift,
                    None,
                    "the read presence differed from the model: corrected".into(),
                );
            }
        }
        self.wake(&mut out);
        out
    }

    /// A read retry that is due: the host is asked again.
    pub(super) fn read_due(&mut self, now: u64, out: &mut Output) {
        if let ReadRetry::Scheduled { failures, at } = self.read_retry {
            if at <= now {
                self.read_retry = ReadRetry::Asked { failures };
                out.commands.push(Command::Reconcile);
            }
        }
    }

    fn agrees(&self, event: &Event) -> bool {
        let state = self.engine.state();
        match event {
            Event::StatusChanged { status_id, .. } => {
                state.omni.logged_in
                    && state
                        .omni
                        .status_id
                        .as_deref()
                        .is_some_and(|id| crate::rules::salesforce_id::same_id(id, status_id))
            }
            Event::Logout { .. } => !state.omni.logged_in,
            Event::TelephonyStateChanged { new_state, .. } => {
                state.telephony.state.as_deref() == Some(new_state)
            }
            Event::WorkloadChanged {
                configured_capacity,
                new_workload,
                ..
            } => {
                state.workload.configured_capacity == *configured_capacity
                    && state.workload.current_workload == *new_workload
            }
            _ => true,
        }
    }
}
