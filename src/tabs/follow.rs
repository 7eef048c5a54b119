//! What a following tab waits for: the writes it decided itself and expects the leader
//! to carry out, and the leader's recent confirmations that came before this tab's own
//! decision. Each wait has a deadline; the earliest is the one timer the driver arms.

use super::step::SILENCE_MS;
use crate::rules::file::Side;
use crate::sync::SyncLoop;
use std::collections::VecDeque;

/// How many of the leader's confirmations are kept for decisions still to come.
const CONFIRMED_KEPT: usize = 8;

/// A write this following tab decided and waits to see the leader carry out.
#[derive(Debug)]
struct Awaited {
    id: u64,
    side: Side,
    target: String,
    deadline: u64,
}

/// What a follower's overdue wait for the leader's confirmation means.
pub(super) enum Overdue {
    No,
    /// The leader is heard: it is asked nothing, the presence is read.
    LeaderLive,
    /// Nobody confirms and no leader is heard: this tab acts itself.
    NobodyActs,
}

#[derive(Debug, Default)]
pub(super) struct Follow {
    awaited: Vec<Awaited>,
    confirmed: VecDeque<(Side, String, u64)>,
    /// The deadline the driver's timer is armed for.
    armed: Option<u64>,
}

impl Follow {
    /// This follower decided a write (`id`): the id to count as done at once if the
    /// leader already confirmed the same write, else it is awaited.
    pub(super) fn decided(&mut self, id: u64, side: Side, target: &str, at: u64) -> Option<u64> {
        let seen = self.confirmed.iter().position(|(s, t, when)| {
            *s == side && t == target && at.saturating_sub(*when) <= SILENCE_MS
        });
        if let Some(i) = seen {
            self.confirmed.remove(i);
            return Some(id);
        }
        self.awaited.retain(|a| a.side != side);
        self.awaited.push(Awaited {
            id,
            side,
            target: target.to_string(),
            deadline: at + SILENCE_MS,
        });
        None
    }

    /// The leader started a write: it is alive, so this tab waits as long as the
    /// leader's call may take (`wait`).
    pub(super) fn acting(&mut self, side: Side, target: &str, at: u64, wait: u64) {
        for a in self
            .awaited
            .iter_mut()
            .filter(|a| a.side == side && a.target == target)
        {
            a.deadline = a.deadline.max(at + wait);
        }
    }

    /// The leader carried out a write: a matching write of this tab counts as done
    /// (its id is returned); otherwise a follower keeps the confirmation for a
    /// decision of its own still to come.
    pub(super) fn done(&mut self, side: Side, target: String, at: u64, leads: bool) -> Option<u64> {
        if let Some(i) = self
            .awaited
            .iter()
            .position(|a| a.side == side && a.target == target)
        {
            return Some(self.awaited.remove(i).id);
        }
        if !leads {
            self.confirmed.push_back((side, target, at));
            while self.confirmed.len() > CONFIRMED_KEPT {
                self.confirmed.pop_front();
            }
        }
        None
    }

    /// Whether a write this tab waits for is overdue: still in flight here (no echo
    /// came either) past its deadline. `heard`: when the leader was last heard, if this
    /// tab follows (`None` when it does not: nothing is awaited then).
    ///
    /// A leader heard within the window is never taken over from: it may be slow (a
    /// busy machine delays its messages), or it may rightly not write at all (its own
    /// model, from its own events and reads, already shows the target, so it has
    /// nothing to announce). Taking over then makes two tabs write. Such a wait is
    /// settled by reading the presence instead: a read showing the target counts as the
    /// echo. Only a silent lock holder (a page that holds the lock but never speaks)
    /// makes this tab act.
    pub(super) fn overdue(
        &mut self,
        sync: &SyncLoop,
        heard: Option<Option<u64>>,
        at: u64,
    ) -> Overdue {
        self.awaited.retain(|a| sync.awaits_result(a.id));
        let Some(leader_heard) = heard else {
            self.awaited.clear();
            return Overdue::No;
        };
        if !self.awaited.iter().any(|a| a.deadline <= at) {
            return Overdue::No;
        }
        if leader_heard.is_some_and(|heard| at.saturating_sub(heard) < SILENCE_MS) {
            for a in &mut self.awaited {
                a.deadline = a.deadline.max(at + SILENCE_MS);
            }
            return Overdue::LeaderLive;
        }
        self.awaited.clear();
        Overdue::NobodyActs
    }

    /// Nothing is awaited any more (this tab leads, or stopped).
    pub(super) fn clear(&mut self) {
        self.awaited.clear();
    }

    /// The timer fired: it is no longer armed.
    pub(super) fn fired(&mut self) {
        self.armed = None;
    }

    /// The timer the waits need, when it differs from the one armed: `Some(Some(at))`
    /// to arm at the earliest deadline, `Some(None)` to cancel.
    pub(super) fn rearm(&mut self) -> Option<Option<u64>> {
        let want = self.awaited.iter().map(|a| a.deadline).min();
        if want == self.armed {
            return None;
        }
        self.armed = want;
        Some(want)
    }
}
