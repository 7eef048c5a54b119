//! Failures and take-overs: results fed back, retries with back-off and jitter, the
//! relogin after a lost Omni connection, and re-sending unconfirmed writes when this tab
//! takes over from a leader that went away.

use super::{Command, LogKind, Output, SyncLoop};
use crate::action::Action;

impl SyncLoop {
    /// Feeds back the result of an [`Command::Execute`]. `error` is `None` on success;
    /// the code `connection` marks a lost Omni connection.
    pub fn result(&mut self, id: u64, error: Option<&str>, now: u64) -> Output {
        let mut out = self.tick(now);
        let Some(i) = self.pending.iter().position(|p| p.id == id) else {
            return out;
        };
        if let Some(code) = error {
            let p = self.pending[i].clone();
            // A logout that lost the connection has nothing to log back in to.
            let relogin = match &p.action {
                Action::SetOmniStatus { status_id, .. } => Some(status_id),
                Action::SetTelephonyState { .. } | Action::LogoutOmni { .. } => None,
            };
            if code == "connection" && relogin.is_some() && self.options.relogin {
                let status_id = self.engine.state().omni.status_id.clone();
                if let Some(status_id) = status_id.or_else(|| relogin.cloned()) {
                    self.note(
                        &mut out,
                        now,
                        LogKind::Relogin,
                        Some(p.action.rule()),
                        "Omni-Channel connection lost: logging the agent back in".into(),
                    );
                    out.commands.push(Command::Login { status_id });
                }
            }
            if p.attempt < self.options.max_attempts {
                let delay = self.backoff(p.attempt);
                self.pending[i].failed(now + delay);
                self.stats.retries += 1;
                let message = format!(
                    "{} failed ({code}); attempt {} in {delay} ms",
                    p.action.describe(),
                    p.attempt + 1
                );
                self.note(
                    &mut out,
                    now,
                    LogKind::Retry,
                    Some(p.action.rule()),
                    message,
                );
            } else {
                self.pending.remove(i);
                self.stats.failed += 1;
                let message = format!(
                    "{} failed ({code}) after {} attempts: given up",
                    p.action.describe(),
                    p.attempt
                );
                self.note(
                    &mut out,
                    now,
                    LogKind::GaveUp,
                    Some(p.action.rule()),
                    message,
                );
            }
        } else if self.engine.already_done(&self.pending[i].action) {
            // The echo came first and matched nothing else: nothing left to wait for.
            self.pending.remove(i);
        } else {
            self.pending[i].succeeded();
        }
        self.drain(now, &mut out);
        self.wake(&mut out);
        out
    }

    /// Omni-Channel reported its connection lost (`lightning:omniChannelConnectionError`,
    /// forwarded by the host as `omni.connectionError`): the same relogin as a write
    /// refused with code `connection`, without waiting for a write to fail. An agent the
    /// model believes logged out is left alone.
    pub fn connection_lost(&mut self, now: u64) -> Output {
        let mut out = Output::default();
        let omni = &self.engine.state().omni;
        let status_id = (omni.logged_in && self.options.relogin)
            .then(|| omni.status_id.clone())
            .flatten();
        let message = if status_id.is_some() {
            "Omni-Channel connection error: logging the agent back in"
        } else {
            "Omni-Channel connection error: no relogin (logged out, or options.sync.relogin off)"
        };
        self.note(&mut out, now, LogKind::Relogin, None, message.into());
        out.commands
            .extend(status_id.map(|status_id| Command::Login { status_id }));
        out
    }

    /// This tab takes over from a leader that went away: writes it was believed to
    /// carry out but whose echo never came are sent again (setting a state twice is
    /// harmless; losing it is not).
    pub fn take_over(&mut self, now: u64) -> Output {
        let mut out = Output::default();
        let mut resent = Vec::new();
        for p in &mut self.pending {
            if !p.take_over(now) {
                continue;
            }
            self.changes += 1;
            resent.push(p.action.describe());
            out.commands.push(Command::Execute {
                id: p.id,
                action: p.action.clone(),
                attempt: p.attempt,
            });
        }
        for action in resent {
            let message = format!("taking over: {action} not confirmed yet, sent again");
            self.note(&mut out, now, LogKind::Retry, None, message);
        }
        self.wake(&mut out);
        out
    }

    /// Exponential back-off with "equal jitter": half fixed, half random.
    pub(super) fn backoff(&mut self, attempt: u32) -> u64 {
        let exp = self
            .options
            .retry_base_ms
            .saturating_mul(1u64 << attempt.saturating_sub(1).min(20));
        let delay = exp.min(self.options.retry_max_ms).max(1);
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        delay / 2 + self.rng % (delay / 2 + 1)
    }
}
