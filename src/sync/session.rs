//! What a page saves for a reload, bound to whom it belongs: the engine's snapshot with
//! a format version, the org and the user. A saved session from another user, another
//! org, another format or the future is refused, and every bound the model keeps
//! during a shift is applied again to what is restored.

use crate::engine::EngineSnapshot;
use serde_json::Value;

/// How far ahead of the caller's clock an event's own time may be and still be
/// taken as a harmless skew between the clocks that stamped it; past it, the event
/// is noted as stamped in the future. Either way an event is taken at no later than
/// the caller's clock, so one event's time never moves the engine's clock for good.
pub const MAX_CLOCK_SKEW_MS: u64 = 5_000;

/// The most bytes of JSON a saved session may take (docs/runtime.md, "Limits"): a
/// larger one is neither written nor read back (`session.tooLarge` in the trace).
/// The caps on work items and on strings keep a real session far below it.
pub const MAX_SESSION_BYTES: usize = 1024 * 1024;

/// The format of [`SavedSession`]; a saved session of another version is refused.
const SESSION_VERSION: u32 = 2;

/// What the runtime writes to storage after every change, as JSON
/// `{"version", "org", "user", "snapshot"}`. Written and read by hand around the
/// snapshot's own serde code: a derived wrapper would add its own copy of that code to
/// the wasm bundle.
#[derive(Debug, Clone, PartialEq)]
pub struct SavedSession {
    pub version: u32,
    pub org: String,
    pub user: String,
    pub snapshot: EngineSnapshot,
}

/// Whether a saved session's JSON text is within [`MAX_SESSION_BYTES`]: else why not,
/// as the trace says it (`session.tooLarge`, with the size and the limit).
pub fn within_cap(text: &str) -> Result<(), String> {
    if text.len() <= MAX_SESSION_BYTES {
        return Ok(());
    }
    Err(format!(
        "session.tooLarge: the saved session is {} bytes; the limit is {MAX_SESSION_BYTES} bytes",
        text.len()
    ))
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

    /// The JSON text of the session.
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        Ok(format!(
            "{{\"version\":{},\"org\":{},\"user\":{},\"snapshot\":{}}}",
            self.version,
            serde_json::to_string(&self.org)?,
            serde_json::to_string(&self.user)?,
            serde_json::to_string(&self.snapshot)?
        ))
    }

    /// Reads a session from its JSON value; `None` when it is not one (for instance a
    /// bare snapshot saved by an earlier version).
    pub fn from_value(mut value: Value) -> Option<SavedSession> {
        let text = |v: &Value, key: &str| v.get(key)?.as_str().map(str::to_string);
        Some(SavedSession {
            version: u32::try_from(value.get("version")?.as_u64()?).ok()?,
            org: text(&value, "org")?,
            user: text(&value, "user")?,
            snapshot: serde_json::from_value(value.get_mut("snapshot")?.take()).ok()?,
        })
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
