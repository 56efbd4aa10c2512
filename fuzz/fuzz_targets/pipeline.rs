//! The whole line-to-report path through the library loop the CLI runs
//! (`logscan_scan::Scanner`): bytes -> entry framing -> format choice -> parse -> `Analyzer`
//! and `EventWriter` -> every renderer. The mapping of bytes to settings and the checks are
//! in `fuzz/cases/pipeline.rs`, shared with the crasher replay in
//! `crates/cli/tests/fuzz_regressions.rs`.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../cases/pipeline.rs"]
#[allow(dead_code)] // `Case::args` is for the crasher replay through the binary
mod case;

fuzz_target!(|data: &[u8]| {
    if let Some(case) = case::Case::from_bytes(data) {
        case.run();
    }
});
