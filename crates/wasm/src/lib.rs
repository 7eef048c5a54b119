//! # omnisync-wasm
//!
//! The browser binding: the classes exported to JavaScript (`OmniSync`, `Runtime`,
//! `SyncLoop`; `Tab` in test builds) and the driver that runs the core's pure tab
//! (`omnisync::tabs`) in a page: it arms timers, takes the lock, calls the bridges and converts values,
//! nothing else. Outputs cross as JSON text parsed by the JS engine (`interop.rs`);
//! errors cross as real `Error` objects with a stable `code` and a `details` list
//! (`errors.rs`). Nothing here panics on input, and no JavaScript exception crosses
//! Rust frames: every failure becomes an `Error` of the one call.
//!
//! Layout, lowest first (each imports only those above it; no circle, the parent
//! counted):
//! - `errors`: what every method throws (`Error` with `code` and `details`);
//! - `node`: reading JavaScript values under a catch;
//! - `fields`: the node events are read through, given as plain values or as objects;
//! - `interop`: conversions, the stack check, timer delays;
//! - `bridge`: calling a bridge method, its answer as a future;
//! - `deadline`: a bridge call's time limit as a future;
//! - `inbox`: the runtime's inputs and its queue (`Shared`, `push`, the pump);
//! - `trace`: the runtime's bounded decision trace;
//! - `leadership`: the Web Lock and the BroadcastChannel behind the tab's role;
//! - `state`: the runtime's state (`Inner`): the tab and the timers, storage and
//!   trace that carry out its steps;
//! - `effects`: carrying out the loop's commands through the bridges;
//! - `options`: `OmniSync.start`'s options as one typed struct;
//! - `runtime`: `OmniSync.start` and the exported `Runtime`;
//! - `class`: the exported `OmniSync` and the TypeScript types;
//! - `events`: `OmniSync`'s entry points per event kind, events as plain values;
//! - `sync_loop`: the exported `SyncLoop`, the loop without the browser;
//! - `tab` (test builds, feature `tab-class`): the exported `Tab`, the tab without
//!   the browser.

// Built for wasm32 only: on any other target the crate is empty (its dependencies are
// wasm32-only), so `cargo build` and `cargo test` of the workspace pass natively.
#![cfg(target_arch = "wasm32")]
#![deny(unreachable_pub)]

mod bridge;
mod class;
mod deadline;
mod effects;
mod errors;
mod events;
mod fields;
mod inbox;
mod interop;
mod leadership;
mod node;
mod options;
mod runtime;
mod state;
mod sync_loop;
#[cfg(feature = "tab-class")]
mod tab;
mod trace;

pub use class::OmniSync;
pub use runtime::Runtime;
pub use sync_loop::SyncLoopHandle;
#[cfg(feature = "tab-class")]
pub use tab::TabHandle;
