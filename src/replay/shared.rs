//! The inputs every agent's replay shares: read by the attribution, the timeline and both
//! runs, owned by the replay's driver (`mod.rs`).

use super::read::KnownStatus;
use super::record::Names;
use crate::engine::Engine;
use std::collections::BinaryHeap;
use std::sync::{Arc, Mutex};

/// How many differences one agent keeps for the report's list.
pub(crate) const DIFFERENCES_KEPT: usize = 50;

/// What every agent's replay reads and nobody changes.
#[derive(Clone)]
pub(crate) struct Shared<'a> {
    pub(crate) names: &'a Names,
    pub(crate) statuses: &'a [KnownStatus],
    /// Engines under the current and the proposed rules, cloned for each agent (the
    /// clones share the compiled rules).
    pub(crate) engines: &'a [Engine; 2],
    pub(crate) window_ms: u64,
    pub(crate) with_reason: bool,
    pub(crate) listed: &'a Arc<Listed>,
}

/// The first differences by time over all agents so far: an agent keeps a difference
/// only while it may still be among the report's first 50, so the lists kept do not
/// grow with the history when every agent replays at once.
#[derive(Default)]
pub(crate) struct Listed(Mutex<BinaryHeap<(u64, String)>>);

impl Listed {
    /// Whether a difference of `agent` at `at` may be listed (it is then counted in).
    pub(crate) fn admit(&self, at: u64, agent: &str) -> bool {
        let Ok(mut first) = self.0.lock() else {
            return true;
        };
        match first.peek() {
            Some((t, a)) if first.len() >= DIFFERENCES_KEPT => {
                let key = (at, agent);
                if key > (*t, a.as_str()) {
                    return false;
                }
                if key < (*t, a.as_str()) {
                    first.pop();
                    first.push((at, agent.to_string()));
                }
                true
            }
            _ => {
                first.push((at, agent.to_string()));
                true
            }
        }
    }
}

/// A thread's own copy of the two engines, rules and all. Every decision's trace holds
/// the rules it was made under (a reference count): with one copy for all threads,
/// every core's decisions counted on the same memory, which moved from core to core
/// at each event.
pub(crate) fn own_engines(engines: &[crate::engine::Engine; 2]) -> [crate::engine::Engine; 2] {
    engines
        .each_ref()
        .map(|e| crate::engine::Engine::new(e.rules().clone()).without_records())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_differences_that_may_be_among_the_first_listed_are_kept() {
        let listed = Listed::default();
        // Fifty at 100..150 fill the list; later ones are refused, earlier ones and
        // ties with the last listed are kept.
        assert!((0..50).all(|i| listed.admit(100 + i, "b")));
        assert!(!listed.admit(150, "a"));
        assert!(!listed.admit(149, "c"));
        assert!(listed.admit(149, "b"));
        assert!(listed.admit(149, "a"));
        // (149, "a") took the place of (149, "b"): that one is now past the fiftieth.
        assert!(!listed.admit(149, "b"));
        assert!(listed.admit(5, "z"));
    }
}
