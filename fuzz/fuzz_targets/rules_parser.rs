//! Any text given as a rules file must yield rules or findings, never a panic.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| omnisync_fuzz::rules_parser(data));
