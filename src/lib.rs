//! # omnisync
//!
//! Keeps an agent's presence in step between Salesforce Omni-Channel and the telephony
//! system beside it. The core is pure and deterministic: time is passed in and effects
//! come back as values; the browser binding carries them out.
//!
//! # Layout
//!
//! Public modules are the API; `pub(crate)` ones are internals (`unreachable_pub` is
//! denied, so what nothing uses shows up as dead code). `node scripts/module-imports.mjs`
//! lists each module's imports and fails on an import circle.
//!
//! Listed lowest first: each module imports only modules above it.
//!
//! - [`action`]: [`Action`] (an effect the host carries out), [`Chosen`] (which target
//!   of which rule it comes from) and [`rules::file::Side`]: what the rules build and
//!   the engine returns, so neither imports the other for it.
//! - [`toolkit`]: the toolkit commands in one table (method, side, argument, whether
//!   the bridge allow-list permits it), from which the effects, the reader, the
//!   allow-list and the TypeScript types are derived.
//! - `error`: [`Finding`] (code, JSON path, sentence) and [`Error`].
//! - `node`: [`Node`] and its [`Shape`], a JSON document as readers see it: serde_json's
//!   values natively, JavaScript values in the browser, so one event reader serves both.
//! - `sort`: the one sort of the core, shared by the model and the rules.
//! - [`event`]: the normalised [`Event`] parsed from Lightning, Classic and telephony
//!   payloads; [`EventKind::names`] is the event vocabulary, defined once.
//! - [`model`]: [`AgentState`]: Omni presence, workload, work items, telephony state.
//! - `metrics`: the local UserServicePresence records ([`MetricsReport`]).
//! - [`rules`]: the rules file: shape ([`rules::file`], with the telephony system
//!   states, [`rules::file::builtin_system_states`]), reading with every error
//!   ([`rules::parse`]), checking and compiling (`rules::compile`: the compiled form in
//!   `mod.rs`, the checks in `compiler.rs`), condition evaluation (`rules::eval`),
//!   the org's catalog (`rules::catalog`), Salesforce Id handling
//!   (`rules::salesforce_id`).
//! - [`read`]: [`read::PresenceRead`], what the host read back for a reconcile
//!   (status, channels, workload, open works, phone state) and the events it stands for.
//! - [`engine`]: [`Engine::handle`]`(event, now) -> `[`Decision`]` { actions, trace }`;
//!   `engine/trace.rs`: the compact [`Trace`], its summary and its bytes.
//! - [`sync`]: the loop around the engine: echoes, chains, queueing, coalescing,
//!   retries, ownership, deferral during contacts, start-up buffering, and the saved
//!   session bound to its org and user.
//! - [`tabs`]: one browser tab around the loop, as a state machine: which tab leads,
//!   what a follower waits to see the leader confirm, takeover, the saved session
//!   ([`tabs::Tab::step`]`(input, at) -> `[`tabs::Step`]); no timer, lock or clock.
//! - `check` (native): `omnisync check`'s findings: errors, cycles, never-matching
//!   and conflicting rules. `import` (native): CTI Adapter and CXone converters.
//! - [`simulate`]: replays a trace against the sync loop and a model of both systems;
//!   [`simulate::Simulator::replay`] is the per-agent loop `simulate` and `replay` share.
//! - [`replay`] (native): `omnisync replay`, an org's exported history (Omni-Channel
//!   CSV, Connect agent events, traces; gzip) run again under proposed rules: readers
//!   (`replay/input`), an external sort by agent and time (`replay/record.rs`), the
//!   per-agent attribution and runs (`replay/agent.rs`), the report as table, JSON and
//!   HTML (`replay/report.rs`, `replay/html.rs`).
//!
//! The browser binding (the driver that runs a tab in a page and the classes exported
//! to JavaScript) is the crate `omnisync-wasm` (crates/wasm), and the admin's CLI the
//! crate `omnisync-cli` (crates/cli): both use this crate's public API only.

// What is not API is `pub(crate)`, so the compiler finds what nothing uses. The
// module marked `allow` below is not yet held to it.
#![deny(unreachable_pub)]

pub mod action;
#[cfg(not(target_arch = "wasm32"))]
pub mod check;
pub mod engine;
pub mod error;
pub mod event;
#[cfg(not(target_arch = "wasm32"))]
pub mod import;
pub(crate) mod metrics;
pub mod model;
pub mod node;
pub mod read;
#[cfg(not(target_arch = "wasm32"))]
pub mod replay;
pub mod rules;
pub mod simulate;
mod sort;
pub mod sync;
pub mod tabs;
pub mod toolkit;

pub use action::{Action, Chosen};
pub use engine::{Decision, Engine, Outcome, Trace, TraceSummary};
pub use error::{Error, Finding};
pub use event::{Event, EventKind};
pub use metrics::MetricsReport;
pub use model::AgentState;
pub use node::{Node, Shape};
pub use rules::CompiledRules;
