//! The state reader of `logscan merge`: bytes read as a state file or a decompressed body,
//! merged with itself, reported. The case (what the bytes mean and the checks) lives in
//! `fuzz/cases/state.rs`, shared with the quick seeded pass and the crasher replay in
//! `crates/state/tests/hostile.rs`.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../cases/state.rs"]
mod case;

fuzz_target!(|data: &[u8]| case::run(data));
