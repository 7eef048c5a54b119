//! What a page saves for a reload, bound to whom it belongs: the engine's snapshot with
//! a format version, the org and the user. A saved session from another user, another
//! org, another format or the future is refused, and every bound the model keeps
//! during a shift is applied again to what is restored.

use super::MAX_CLOCK_SKEW_MS;
use crate::engine::EngineSnapshot;
use serde::{Deserialize, Serialize};

/// The format of [`SavedSession`]; a saved session of another version is refused.
pub const SESSION_VERSION: u32 = 2;

/// What the runtime writes to storage after every change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SavedSession {
    pub version: u32,
    pub org: String,
    pub user: String,
    pub snapshot: EngineSnapshot,
}

impl SavedSession {
    pub fn new(snapshot: EngineSnapshot, org: &str, user: &str) -> SavedSession {
        SavedSession {
            version: SESSION_VERSION,
            org: org.to_string(),
            user: user.to_string(),
            snapshot,
        }
    }

    /// The snapshot, when it belongs to `org` and `user`, is of this format and was not
    /// saved after `now` (allowing [`MAX_CLOCK_SKEW_MS`]); with every bound applied.
    /// Otherwise why it was refused.
    pub fn accept(self, org: &str, user: &str, now: u64) -> Result<EngineSnapshot, String> {
        if self.version != SESSION_VERSION {
            return Err(format!(
                "saved in format {}, this engine reads {SESSION_VERSION}",
                self.version
            ));
        }
        if self.org != org || self.user != user {
            return Err("saved for another org or user".into());
        }
        let mut snapshot = self.snapshot;
        let latest = now.saturating_add(MAX_CLOCK_SKEW_MS);
        let records = snapshot
            .metrics
            .report(&snapshot.state, snapshot.clock)
            .records;
        let future = records
            .iter()
            .flat_map(|r| [Some(r.status_start_date), r.status_end_date])
            .flatten()
            .chain([snapshot.clock])
            .chain(snapshot.state.omni.since)
            .chain(snapshot.state.works.values().map(|w| w.updated_at))
            .any(|t| t > latest);
        if future {
            return Err("its times are later than this clock".into());
        }
        snapshot.state.keep_bounds();
        snapshot.metrics.keep_bounds();
        Ok(snapshot)
    }
}
