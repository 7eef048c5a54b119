//! When the two sides contend: both changing at nearly the same time (ownership), rapid
//! changes on one side (coalescing), and telephony writes that must wait for a contact
//! to end (deferral).

use super::{Held, LogKind, Output, SyncLoop};
use crate::engine::Observation;
use crate::event::Event;
use crate::rules::file::Side;

impl SyncLoop {
    /// An agent change on `side` while our write to it waits for its echo: both sides
    /// changed at nearly the same time. Returns true when the other side is master and
    /// its state is written again instead of propagating the agent's change.
    pub(super) fn conflict(
        &mut self,
        side: Side,
        may_resend: bool,
        now: u64,
        out: &mut Output,
    ) -> bool {
        let Some(i) = self.pending.iter().position(|p| p.action.side() == side) else {
            return false;
        };
        let p = self.pending.remove(i);
        self.stats.conflicts += 1;
        if may_resend && p.master == Some(side.other()) {
            let message = format!(
                "both sides changed at once; rule \"{}\" makes {} the master: {} again",
                p.action.rule(),
                side.other().name(),
                p.action.describe()
            );
            self.note(out, now, LogKind::Conflict, Some(p.action.rule()), message);
            self.emit(p.action, p.touched, now, out);
            return true;
        }
        let message = format!(
            "both sides changed at once; the latest change wins over {}",
            p.action.describe()
        );
        self.note(out, now, LogKind::Conflict, Some(p.action.rule()), message);
        false
    }

    pub(super) fn hold(&mut self, side: Side, seen: Observation, now: u64, out: &mut Output) {
        let due = now + self.options.coalesce_ms;
        if let Some(held) = self.held.iter_mut().find(|h| h.side == side) {
            // Keep the state the burst started from, so rules on the old state still see it.
            let mut seen = seen;
            match side {
                Side::Telephony => seen.facts.telephony_old = held.seen.facts.telephony_old.clone(),
                Side::Omni => seen.facts.omni_old = held.seen.facts.omni_old.clone(),
            }
            held.seen = seen;
            held.due = due;
            self.stats.coalesced += 1;
            self.note(
                out,
                now,
                LogKind::Coalesced,
                None,
                format!("rapid {} changes: deciding on the latest", side.name()),
            );
        } else {
            self.held.push(Held { side, seen, due });
        }
        self.wake(out);
    }

    pub(super) fn leaving_contact(&self, event: &Event) -> bool {
        match event {
            Event::TelephonyStateChanged { new_state, .. } => {
                self.engine.state().telephony.is_system_state
                    && !self.engine.rules().is_system_state(new_state)
            }
            _ => false,
        }
    }

    /// The contact ended: apply the deferred telephony write if it is still wanted.
    /// Returns true when it was applied (the contact's end is then not an agent change).
    pub(super) fn resume_deferred(&mut self, now: u64, out: &mut Output) -> bool {
        let Some(d) = self.deferred.take() else {
            return false;
        };
        let still = self.engine.state().omni.status_id == d.omni_status
            && !self.engine.already_done(&d.action);
        if !still {
            let message = format!("deferred {} dropped: no longer wanted", d.action.describe());
            self.note(out, now, LogKind::Resumed, Some(d.action.rule()), message);
            return false;
        }
        let message = format!("contact ended: applying deferred {}", d.action.describe());
        self.note(out, now, LogKind::Resumed, Some(d.action.rule()), message);
        self.emit(d.action, d.touched, now, out);
        true
    }
}
