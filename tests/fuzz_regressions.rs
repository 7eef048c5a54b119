//! Replays every input in tests/fuzz-crashers/ (crashes found by scripts/fuzz.sh, plus
//! hand-made malformed inputs) through the fuzz targets' own code, so a fixed crash
//! stays fixed without cargo-fuzz or nightly flags.

#![cfg(not(target_arch = "wasm32"))]

// The targets' bodies, shared rather than copied so the two cannot drift apart.
#[path = "../fuzz/src/lib.rs"]
mod harness;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;

/// Runs `target` on each file of tests/fuzz-crashers/<dir>/ and reports every input
/// that panics at once, by name, rather than stopping at the first.
fn replay(dir: &str, target: fn(&[u8])) {
    let folder = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz-crashers")
        .join(dir);
    let Ok(entries) = std::fs::read_dir(&folder) else {
        return; // No crashers saved for this target.
    };
    let mut files: Vec<PathBuf> = entries.filter_map(|e| Some(e.ok()?.path())).collect();
    files.sort();
    let mut failed = Vec::new();
    for file in &files {
        let bytes = std::fs::read(file).expect("crasher is readable");
        if catch_unwind(AssertUnwindSafe(|| target(&bytes))).is_err() {
            failed.push(file.display().to_string());
        }
    }
    assert!(failed.is_empty(), "{dir} still panics on: {failed:#?}");
}

#[test]
fn rules_parser_crashers() {
    replay("rules_parser", harness::rules_parser);
}

#[test]
fn event_handler_crashers() {
    replay("event_handler", harness::event_handler);
}
