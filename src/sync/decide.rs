//! Deciding on an observation and sending what it decided: the chain limit, deferral
//! of telephony writes during a contact, stale writes dropped, and each write sent
//! becoming a [`Pending`] write.

use super::{Command, Deferred, LogKind, Output, Pending, SyncLoop, Touched};
use crate::engine::{Action, Decision, Observation, Outcome};
use crate::event::Event;
use crate::rules::compile::Target;
use crate::rules::file::Side;

impl SyncLoop {
    /// Decides on one observation and sends what the rules want, each side at most once
    /// per chain (`touched`); a telephony write during a contact is deferred.
    pub(super) fn evaluate(
        &mut self,
        seen: Observation,
        touched: Touched,
        now: u64,
        out: &mut Output,
    ) {
        let at = now.max(seen.at);
        let mut decision = self.engine.decide_owned(seen);
        decision.trace.at = at;
        self.drop_unwanted(&decision, now, out);
        let mut touched = touched;
        let mut kept = Vec::new();
        for action in std::mem::take(&mut decision.actions) {
            let side = action.side();
            if touched.get(side) {
                self.stats.chain_limited += 1;
                let message = format!(
                    "{} not sent: this change already touched the {} side once",
                    action.describe(),
                    side.name()
                );
                decision.trace.notes.push(message.clone());
                self.note(out, now, LogKind::ChainLimit, Some(action.rule()), message);
                continue;
            }
            touched = touched.with(Some(side));
            if side == Side::Telephony && self.engine.state().telephony.is_system_state {
                self.stats.deferred += 1;
                let message = format!("{} deferred until the contact ends", action.describe());
                decision.trace.notes.push(message.clone());
                self.note(out, now, LogKind::Deferred, Some(action.rule()), message);
                let omni_status = self.engine.state().omni.status_id.clone();
                self.deferred = Some(Deferred {
                    action,
                    touched,
                    omni_status,
                });
                continue;
            }
            if self.lean {
                // Nobody reads a lean loop's decisions: the command is what counts.
                self.emit(action, touched, now, out);
            } else {
                self.emit(action.clone(), touched, now, out);
                kept.push(action);
            }
        }
        if !self.lean {
            decision.actions = kept;
            out.decisions.push(decision);
        }
        self.wake(out);
    }

    /// A rule that matched but whose side already shows its target says what that side
    /// should be now: a write still waiting there for another state (a retry, or a call
    /// that has not answered) is stale and is dropped, never sent or sent again.
    fn drop_unwanted(&mut self, decision: &Decision, now: u64, out: &mut Output) {
        if self.pending.is_empty() {
            return;
        }
        let wanted: Vec<&Target> = decision.trace.targets_of(Outcome::AlreadyInState).collect();
        let stale = |p: &Pending| {
            wanted
                .iter()
                .any(|t| p.action.side() == t.side() && !aims_at(&p.action, t))
        };
        let (dropped, kept): (Vec<Pending>, Vec<Pending>) = std::mem::take(&mut self.pending)
            .into_iter()
            .partition(|p| stale(p));
        self.pending = kept;
        for p in dropped {
            let message = format!("{} dropped: no longer wanted", p.action.describe());
            self.note(out, now, LogKind::Expired, Some(p.action.rule()), message);
        }
    }

    pub(super) fn emit(&mut self, action: Action, touched: Touched, now: u64, out: &mut Output) {
        // A newer write to a side replaces an older one still waiting there.
        self.pending.retain(|p| p.action.side() != action.side());
        let id = self.next_id;
        self.next_id += 1;
        let master = self
            .engine
            .rules()
            .rule(action.rule())
            .and_then(|r| r.master);
        self.stats.actions += 1;
        self.changes += 1;
        out.commands.push(Command::Execute {
            id,
            action: action.clone(),
            attempt: 1,
        });
        self.pending
            .push(Pending::sent(id, action, master, touched, now));
    }

    /// A pending write on `side` whose target is the state `event` reports (asked of
    /// every status event: nothing is copied to compare).
    pub(super) fn matching_pending(&self, side: Side, event: &Event) -> Option<usize> {
        self.pending
            .iter()
            .position(|p| p.action.side() == side && reported_by(&p.action, event))
    }
}

/// Whether `event` reports the state `action` asked for (status Ids compared as
/// Salesforce compares them). Matched on every kind of action, so a new one must say
/// what its echo is.
fn reported_by(action: &Action, event: &Event) -> bool {
    use crate::rules::salesforce_id::same_id;
    match action {
        Action::SetOmniStatus { status_id, .. } => matches!(
            event,
            Event::StatusChanged { status_id: id, .. } | Event::LoginSuccess { status_id: id }
                if same_id(status_id, id)
        ),
        Action::SetTelephonyState { state, .. } => matches!(
            event,
            Event::TelephonyStateChanged { new_state, .. } if new_state == state
        ),
        Action::LogoutOmni { .. } => matches!(event, Event::Logout { .. }),
    }
}

/// Whether an action asks for the state `target` stands for (status Ids compared as
/// Salesforce compares them). Matched on every kind of action, so a new one must say
/// what its echo is.
fn aims_at(action: &Action, target: &Target) -> bool {
    match action {
        Action::SetOmniStatus { status_id, .. } => matches!(
            target,
            Target::Omni { status_id: id, .. } if crate::rules::salesforce_id::same_id(status_id, id)
        ),
        Action::SetTelephonyState { state, .. } => {
            matches!(target, Target::Telephony(name) if name == state)
        }
        Action::LogoutOmni { .. } => matches!(target, Target::OmniLogout),
    }
}
