//! # omnisync
//!
//! Keeps an agent's presence in step between Salesforce Omni-Channel and the telephony
//! system beside it. The core is pure and deterministic: time is passed in and effects
//! come back as values; the browser binding carries them out.
//!
//! # Layout
//!
//! - [`error`]: [`Finding`] (code, JSON path, sentence) and [`Error`].
//! - [`event`]: the normalised [`Event`] parsed from Lightning, Classic and telephony
//!   payloads.
//! - [`model`]: [`AgentState`]: Omni presence, workload, work items, telephony state.
//! - [`node`]: [`node::Node`], a JSON document as readers see it: serde_json's values
//!   natively, JavaScript values in the browser, so one event reader serves both.
//! - [`read`]: [`read::PresenceRead`], what the host read back for a reconcile
//!   (status, channels, workload, open works, phone state) and the events it stands for.
//! - [`rules`]: the rules file: shape ([`rules::file`]), reading with every error
//!   ([`rules::parse`]), checking and compiling ([`rules::compile`]), condition
//!   evaluation ([`rules::eval`]), Salesforce Id handling ([`rules::salesforce_id`]).
//! - [`engine`]: [`Engine::handle`]`(event, now) -> `[`Decision`]` { actions, trace }`.
//! - [`metrics`]: the local UserServicePresence records.
//! - [`sync`]: the loop around the engine: echoes, chains, queueing, coalescing,
//!   retries, ownership, deferral during contacts, start-up buffering, and the saved
//!   session bound to its org and user.
//! - `check` (native): `omnisync check`'s findings: errors, cycles, never-matching
//!   and conflicting rules. `import` (native): CTI Adapter and CXone converters.
//! - [`simulate`]: replays a trace against the sync loop and a model of both systems.
//! - `wasm` (wasm32 only): the `OmniSync` class exported to JavaScript.

// What is not API is `pub(crate)`, so the compiler finds what nothing uses. The
// modules marked `allow` below are not yet held to it.
#![deny(unreachable_pub)]

pub mod action;
#[allow(unreachable_pub)]
#[cfg(not(target_arch = "wasm32"))]
pub mod check;
pub mod engine;
pub(crate) mod error;
pub mod event;
#[cfg(not(target_arch = "wasm32"))]
pub mod import;
pub(crate) mod metrics;
#[allow(unreachable_pub)]
pub mod model;
#[allow(unreachable_pub)]
pub mod node;
pub mod read;
pub mod rules;
#[allow(unreachable_pub)]
pub mod simulate;
#[allow(unreachable_pub)]
pub mod sync;

#[allow(unreachable_pub)]
#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use action::{Action, Chosen};
pub use engine::{Decision, Engine, Outcome, Trace, TraceSummary};
pub use error::{Error, Finding};
pub use event::{Event, EventKind};
pub use metrics::MetricsReport;
pub use model::AgentState;
pub use rules::CompiledRules;
