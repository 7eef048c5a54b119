//! `omnisync`: the admin's tool for rules files.
//!
//! - `omnisync check [--catalog SF-QUERY.json] RULES.json [--format json|table]`: exit
//!   0 when valid (warnings allowed), 1 on errors, 2 on usage or I/O errors. With
//!   `--catalog` (the org's statuses, as `sf data query --json` prints them) every
//!   status must exist in that org.
//! - `omnisync simulate --rules RULES.json --events TRACE.jsonl [--catalog FILE]
//!   [--no-reason] [--format json|table]`: replays a trace against the engine and a model of both
//!   systems.
//! - `omnisync schema`: the JSON Schema of the rules file.
//! - `omnisync import --from cti-adapter|cxone FILE`: converts another product's
//!   presence sync configuration into a rules file.
//! - `omnisync replay --current RULES.json --proposed RULES.json [--usp ...]
//!   [--agent-work ...] [--connect ...] [--trace ...]`: the org's exported history run
//!   again under proposed rules (`replay.rs`, docs/replay.md).
//!
//! `omnisync --help` and `omnisync <command> --help` describe every option (the
//! arguments are read with clap, `cli.rs`).
//!
//! Modules, lowest first (each imports only those above it):
//! - `input`: reading files, the catalog and a rules file, the output format, the
//!   usage error (exit 2), the findings table;
//! - `simulate`: `omnisync simulate`;
//! - `replay`: `omnisync replay`;
//! - `cli`: the arguments, the dispatch and the small commands (check, schema, import).

// The replay allocates for every event it runs through the engine: with the system
// allocator the 30-day AgentWork replay took about 10 % longer (0.64-0.67 s against
// 0.58-0.61 s; docs/performance.md, "Replay").
#[cfg(not(target_arch = "wasm32"))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[cfg(not(target_arch = "wasm32"))]
mod cli;
#[cfg(not(target_arch = "wasm32"))]
mod input;
#[cfg(not(target_arch = "wasm32"))]
mod replay;
#[cfg(not(target_arch = "wasm32"))]
mod simulate;

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    cli::main()
}

/// The CLI is a native tool; a wasm build of the package has nothing to run here.
#[cfg(target_arch = "wasm32")]
fn main() {}
