//! A pending write: an emitted action not yet confirmed by its echo, and the states it
//! goes through (drawn in docs/runtime.md). Every change of state is one of the methods
//! below, so the life of a write reads in one place:
//!
//! - sent: `InFlight`;
//! - `InFlight`, result ok: `AwaitingEcho`; result failed: `WaitingToRetry`;
//! - `WaitingToRetry`, retry due: `InFlight` again, one attempt more;
//! - `InFlight` or `AwaitingEcho`, this tab takes over: `InFlight` again (sent again);
//! - `AwaitingEcho`, no echo within the echo window: expired, no longer awaited.
//!
//! A write leaves the loop altogether when its echo arrives, when it is given up, when a
//! newer write to its side replaces it, or when its side already shows what is wanted.

use crate::engine::Action;
use crate::rules::file::Side;

/// Where a pending write stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum WriteState {
    /// Handed to the host at `sent_at`; its result has not come back.
    InFlight { sent_at: u64 },
    /// The host reported it done; its echo is awaited until the echo window after
    /// `sent_at` is over.
    AwaitingEcho { sent_at: u64 },
    /// It failed; it is sent again at `at`.
    WaitingToRetry { at: u64 },
}

/// What [`Pending::tick`] found due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Due {
    /// Nothing yet.
    Nothing,
    /// Its retry was due: it is in flight again, with the next attempt number.
    Resent,
    /// Its echo never came within the window: it is no longer awaited.
    Expired,
}

/// An emitted action not yet confirmed by its echo.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Pending {
    pub(super) id: u64,
    pub(super) action: Action,
    pub(super) master: Option<Side>,
    pub(super) touched: Touched,
    pub(super) attempt: u32,
    state: WriteState,
}

impl Pending {
    /// A write handed to the host at `now`, first attempt.
    pub(super) fn sent(
        id: u64,
        action: Action,
        master: Option<Side>,
        touched: Touched,
        now: u64,
    ) -> Pending {
        Pending {
            id,
            action,
            master,
            touched,
            attempt: 1,
            state: WriteState::InFlight { sent_at: now },
        }
    }

    /// Whether its result is still awaited.
    pub(super) fn awaits_result(&self) -> bool {
        matches!(self.state, WriteState::InFlight { .. })
    }

    /// The host reported it done: its echo is awaited from when it was sent. A result
    /// for a write that is not in flight changes nothing.
    pub(super) fn succeeded(&mut self) {
        if let WriteState::InFlight { sent_at } = self.state {
            self.state = WriteState::AwaitingEcho { sent_at };
        }
    }

    /// The host reported it failed: it is sent again at `at`.
    pub(super) fn failed(&mut self, at: u64) {
        self.state = WriteState::WaitingToRetry { at };
    }

    /// What is due at `now` with an echo window of `window` ms: a due retry is taken
    /// here (sent again, one attempt more); an expired one is for the caller to drop.
    pub(super) fn tick(&mut self, now: u64, window: u64) -> Due {
        match self.state {
            WriteState::WaitingToRetry { at } if at <= now => {
                self.attempt += 1;
                self.state = WriteState::InFlight { sent_at: now };
                Due::Resent
            }
            WriteState::AwaitingEcho { sent_at } if sent_at + window <= now => Due::Expired,
            _ => Due::Nothing,
        }
    }

    /// On a take-over: a write believed carried out, or in flight with the tab that went
    /// away, is sent again at `now` (same attempt). A write waiting to retry keeps its
    /// time. Returns whether it is sent again.
    pub(super) fn take_over(&mut self, now: u64) -> bool {
        match self.state {
            WriteState::InFlight { .. } | WriteState::AwaitingEcho { .. } => {
                self.state = WriteState::InFlight { sent_at: now };
                true
            }
            WriteState::WaitingToRetry { .. } => false,
        }
    }

    /// When the loop must look at it again: its retry, or the end of its echo window.
    pub(super) fn wake_at(&self, window: u64) -> u64 {
        match self.state {
            WriteState::InFlight { sent_at } | WriteState::AwaitingEcho { sent_at } => {
                sent_at + window
            }
            WriteState::WaitingToRetry { at } => at,
        }
    }
}

/// Which sides an agent change and its consequences have touched.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Touched {
    pub(super) omni: bool,
    pub(super) telephony: bool,
}

impl Touched {
    pub(super) fn get(self, side: Side) -> bool {
        match side {
            Side::Omni => self.omni,
            Side::Telephony => self.telephony,
        }
    }

    pub(super) fn with(mut self, side: Option<Side>) -> Touched {
        match side {
            Some(Side::Omni) => self.omni = true,
            Some(Side::Telephony) => self.telephony = true,
            None => {}
        }
        self
    }
}
