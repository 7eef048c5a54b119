//! Any sequence of event lines against the example rules keeps the engine's invariants.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| omnisync_fuzz::event_handler(data));
