//! What one browser tab does for the agent, as a state machine beside the sync loop:
//! whether it leads (`role`), what a following tab waits to see the leader confirm
//! (`follow`), taking over from a leader that went away or never acts, and the saved
//! session (restored only when it is this agent's, written a little after a change).
//! [`Tab::step`]`(input, at) -> `[`Step`]: time is passed in, and the step says what
//! to carry out; the browser driver (`crates/wasm/src/`) holds the timers, the lock, the
//! channel and the bridges and does only that (docs/runtime.md, "Runtime: leadership").
//!
//! Layout, lowest first (each imports only those above it; this file only declares
//! and re-exports):
//! - `role`: who leads, and every way that changes;
//! - `step`: the inputs and what a step gives back;
//! - `election`: who leads without Web Locks (the oldest tab heard on the channel);
//! - `follow`: the writes a follower waits for;
//! - `tab`: the tab and its `step`;
//! - `json`: calls written as JSON, for hosts and the conformance suite.

mod election;
mod follow;
mod json;
mod role;
mod step;
mod tab;

pub use election::{Candidate, Election};
pub use step::{Input, Kind, Line, Save, Step, Timer, SAVE_DELAY_MS, SILENCE_MS};
pub use tab::{Settings, Tab};
