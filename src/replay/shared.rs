//! The inputs every agent's replay shares: read by the attribution, the timeline and both
//! runs, owned by the replay's driver (`mod.rs`).

use super::input::KnownStatus;
use super::record::Names;
use crate::rules::CompiledRules;

/// What every agent's replay reads and nobody changes.
pub(crate) struct Shared<'a> {
    pub(crate) names: &'a Names,
    pub(crate) statuses: &'a [KnownStatus],
    pub(crate) current: &'a CompiledRules,
    pub(crate) proposed: &'a CompiledRules,
    pub(crate) window_ms: u64,
    pub(crate) with_reason: bool,
}
