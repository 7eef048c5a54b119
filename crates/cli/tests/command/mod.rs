//! The `omnisync` binary as the CLI tests run it: from the repository root, its output
//! as text, and scratch files in a folder of the test crate's own.

// Each test crate uses its own part of what is shared here.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};

/// Runs `omnisync ARGS` in the repository root (where the fixtures' paths start).
pub fn omnisync(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_omnisync"))
        .args(args)
        .current_dir(env!("OMNISYNC_ROOT"))
        .output()
        .expect("the binary runs")
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Writes `text` to `NAME` in a temporary folder of this test crate and process.
pub fn temp(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "omnisync-{}-{}",
        env!("CARGO_CRATE_NAME"),
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write temp file");
    path
}
