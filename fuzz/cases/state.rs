//! The `state` fuzz case: bytes -> the state reader of `logscan merge` -> two copies
//! merged -> the report as JSON.
//!
//! Shared, so that the fuzz target (`fuzz/fuzz_targets/state.rs`) and the quick seeded pass
//! with the crasher replay (`crates/state/tests/hostile.rs`) use what they read the same
//! way: both include this file. The first byte chooses what the rest is:
//! - even: a whole state file, to `logscan_state::decode` (magic, version, lengths,
//!   checksum, zstd, postcard);
//! - odd: the body of a state as it is once decompressed, to `logscan_state::decode_body`,
//!   so that postcard's reading of the analyzer is reached without a matching checksum
//!   (a crafted file can have one).
//!
//! Whatever reads is then used as `logscan merge` uses it: two copies merged (their inputs
//! renumbered), the report built and written as JSON. Nothing may panic, hang or allocate
//! without bound.

use logscan_analyze::Analyzer;
use logscan_state::{State, decode, decode_body, merge};

/// One fuzz input: the mode byte, then a state file or a body.
pub fn run(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode % 2 == 0 {
        if let Ok(state) = decode(rest) {
            merge_twice(state.analyzer);
        }
    } else {
        use_body(rest);
    }
}

/// A decompressed body: read, merged with itself, reported.
pub fn use_body(body: &[u8]) {
    if let Ok(analyzer) = decode_body(body) {
        merge_twice(analyzer);
    }
}

/// What `logscan merge` does with two states holding `analyzer`.
fn merge_twice(analyzer: Analyzer) {
    let settings = logscan_state::Settings::of(&analyzer.config());
    let copy = |checksum| State {
        logscan_version: String::new(),
        settings: settings.clone(),
        analyzer: analyzer.clone(),
        checksum,
    };
    let merged = merge(vec![
        ("a".to_owned(), Ok(copy(1))),
        ("b".to_owned(), Ok(copy(2))),
    ]);
    if let Some(merged) = merged.analyzer {
        let report = merged.finish();
        // A report that cannot be written as JSON is a bug like a panic.
        assert!(serde_json::to_string(&report).is_ok());
    }
}
