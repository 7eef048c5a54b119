//! Tab leadership as a state: whether this tab acts for the agent, and every way that
//! changes, in [`Role::on`]. The browser driver (`crates/wasm/src/tabs.rs`) turns the Web Lock,
//! the heartbeat and the other tabs' messages into inputs, the tab (`mod.rs`) turns
//! those into [`Signal`]s and does what the [`Change`] each returns asks
//! (docs/runtime.md, "Runtime: leadership").

use crate::sync::Command;

/// Who acts for the agent, as this tab sees it.
pub(crate) enum Role {
    /// Not known yet whether this tab leads: decided actions wait here, so that a tab
    /// neither acts twice nor counts an action as done by a leader that does not exist.
    Unknown { waiting: Vec<Command> },
    /// This tab acts for the agent. `alone`: it took over because the tab holding the
    /// lock did not act on this agent's changes, and it keeps acting whatever the lock
    /// says until another tab is heard acting.
    Leader { alone: bool },
    /// Another tab acts and this one mirrors. `leader_heard`: when the leading tab last
    /// said it is there (its `alive` message).
    Follower { leader_heard: Option<u64> },
    /// `stop()` was called: the instance handles nothing more.
    Stopped,
}

/// What moves the role.
pub(crate) enum Signal {
    /// The lock (or, without Web Locks, the heartbeat election) says whether this tab
    /// leads.
    Lock(bool),
    /// Another tab was heard acting: it said it is there (`Some(at)`), or announced a
    /// write (`None`).
    Heard(Option<u64>),
    /// A write this follower decided was confirmed by nobody and no leader was heard.
    NobodyActs,
    Stop,
}

/// What a change of role asks of the runtime.
pub(crate) enum Change {
    /// Nothing to do.
    Same,
    /// This tab now leads, by the lock; `took_over` from another tab (it then sends
    /// again what that tab may have left undone and reads the presence).
    Leads {
        took_over: bool,
        waiting: Vec<Command>,
    },
    /// Another tab leads, by the lock: this one mirrors.
    Follows { waiting: Vec<Command> },
    /// Nobody acts on this agent's changes: this tab acts, alone.
    ActsAlone,
    /// A tab that acted alone hears another tab acting: it mirrors again.
    GivesWay,
}

impl Role {
    /// Whether this tab acts for the agent now.
    pub(crate) fn leads(&self) -> bool {
        matches!(self, Role::Leader { .. })
    }

    /// The one place the role changes.
    pub(crate) fn on(&mut self, signal: Signal) -> Change {
        use Role::*;
        let (next, change) = match (std::mem::replace(self, Stopped), signal) {
            (_, Signal::Stop) | (Stopped, _) => (Stopped, Change::Same),
            (Unknown { waiting }, Signal::Lock(true)) => (
                Leader { alone: false },
                Change::Leads {
                    took_over: false,
                    waiting,
                },
            ),
            (Unknown { waiting }, Signal::Lock(false)) => {
                (Follower { leader_heard: None }, Change::Follows { waiting })
            }
            (Follower { .. }, Signal::Lock(true)) => (
                Leader { alone: false },
                Change::Leads {
                    took_over: true,
                    waiting: Vec::new(),
                },
            ),
            (Leader { alone: false }, Signal::Lock(false)) => (
                Follower { leader_heard: None },
                Change::Follows {
                    waiting: Vec::new(),
                },
            ),
            (Follower { .. }, Signal::NobodyActs) => (Leader { alone: true }, Change::ActsAlone),
            (Leader { alone: true }, Signal::Heard(at)) => {
                (Follower { leader_heard: at }, Change::GivesWay)
            }
            (Follower { leader_heard }, Signal::Heard(at)) => (
                Follower {
                    leader_heard: at.or(leader_heard),
                },
                Change::Same,
            ),
            // The lock repeating what it said, a lock lost by a tab acting alone (it
            // did not hold it), another tab heard while this one leads by the lock or
            // before the role is known.
            (role, _) => (role, Change::Same),
        };
        *self = next;
        change
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unknown_with_one_waiting() -> Role {
        Role::Unknown {
            waiting: vec![Command::Reconcile],
        }
    }

    #[test]
    fn the_first_word_of_the_lock_decides_and_hands_over_the_waiting_actions() {
        let mut role = unknown_with_one_waiting();
        assert!(!role.leads());
        let change = role.on(Signal::Lock(true));
        assert!(
            matches!(change, Change::Leads { took_over: false, ref waiting } if waiting.len() == 1)
        );
        assert!(role.leads());
        let mut role = unknown_with_one_waiting();
        let change = role.on(Signal::Lock(false));
        assert!(matches!(change, Change::Follows { ref waiting } if waiting.len() == 1));
        assert!(matches!(role, Role::Follower { leader_heard: None }));
        // Heard before the role is known: nothing changes.
        let mut role = unknown_with_one_waiting();
        assert!(matches!(role.on(Signal::Heard(Some(5))), Change::Same));
        assert!(matches!(role, Role::Unknown { ref waiting } if waiting.len() == 1));
    }

    #[test]
    fn a_follower_granted_the_lock_takes_over_and_a_leader_losing_it_follows() {
        let mut role = Role::Follower {
            leader_heard: Some(1),
        };
        assert!(matches!(role.on(Signal::Lock(false)), Change::Same));
        assert!(matches!(
            role.on(Signal::Lock(true)),
            Change::Leads {
                took_over: true,
                ..
            }
        ));
        assert!(matches!(role.on(Signal::Lock(true)), Change::Same));
        assert!(matches!(role.on(Signal::Heard(Some(9))), Change::Same));
        assert!(
            role.leads(),
            "a leader by the lock does not give way to a message"
        );
        assert!(matches!(
            role.on(Signal::Lock(false)),
            Change::Follows { .. }
        ));
        assert!(!role.leads());
    }

    #[test]
    fn a_tab_acting_alone_ignores_the_lock_until_another_tab_is_heard() {
        let mut role = Role::Follower {
            leader_heard: Some(1),
        };
        assert!(matches!(role.on(Signal::Heard(Some(7))), Change::Same));
        assert!(matches!(
            role,
            Role::Follower {
                leader_heard: Some(7)
            }
        ));
        assert!(matches!(role.on(Signal::Heard(None)), Change::Same));
        assert!(matches!(
            role,
            Role::Follower {
                leader_heard: Some(7)
            }
        ));
        assert!(matches!(role.on(Signal::NobodyActs), Change::ActsAlone));
        assert!(matches!(role, Role::Leader { alone: true }));
        assert!(matches!(role.on(Signal::Lock(false)), Change::Same));
        assert!(matches!(role.on(Signal::Lock(true)), Change::Same));
        assert!(role.leads());
        assert!(matches!(role.on(Signal::Heard(Some(8))), Change::GivesWay));
        assert!(matches!(
            role,
            Role::Follower {
                leader_heard: Some(8)
            }
        ));
    }

    #[test]
    fn stop_is_final() {
        let mut role = Role::Leader { alone: false };
        assert!(matches!(role.on(Signal::Stop), Change::Same));
        for signal in [Signal::Lock(true), Signal::NobodyActs, Signal::Heard(None)] {
            assert!(matches!(role.on(signal), Change::Same));
            assert!(matches!(role, Role::Stopped));
        }
    }
}
