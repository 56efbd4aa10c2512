//! The state reader of `logscan merge`. The first byte chooses what the rest is:
//! - even: a whole state file, to `logscan_state::decode` (magic, version, lengths,
//!   checksum, zstd, postcard);
//! - odd: the body of a state as it is once decompressed, to `logscan_state::decode_body`,
//!   so that postcard's reading of the analyzer is reached without a matching checksum
//!   (a crafted file can have one).
//!
//! Whatever reads is then used as `logscan merge` uses it: two copies merged (their
//! inputs renumbered), the report built and written as JSON. Nothing may panic, hang or
//! allocate without bound.
#![no_main]

use libfuzzer_sys::fuzz_target;
use logscan_state::{State, decode, decode_body, merge};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let analyzer = if mode % 2 == 0 {
        match decode(rest) {
            Ok(state) => state.analyzer,
            Err(_) => return,
        }
    } else {
        match decode_body(rest) {
            Ok(analyzer) => analyzer,
            Err(_) => return,
        }
    };
    let settings = logscan_state::Settings::of(&analyzer.config());
    let copy = |checksum| State {
        logscan_version: String::new(),
        settings: settings.clone(),
        analyzer: analyzer.clone(),
        checksum,
    };
    let merged = merge(vec![("a".to_owned(), Ok(copy(1))), ("b".to_owned(), Ok(copy(2)))]);
    if let Some(merged) = merged.analyzer {
        let report = merged.finish();
        let _ = logscan_render::json(&report);
    }
});
