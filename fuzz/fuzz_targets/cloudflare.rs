//! Cloudflare Logpush `http_requests` lines (JSON; fields missing or of the wrong type).
#![no_main]

use libfuzzer_sys::fuzz_target;
use logscan_parse::{Parser, Record};

fuzz_target!(|line: &[u8]| {
    if let Ok(Record::Edge(r)) = Parser::cloudflare().parse(line) {
        let _ = r.span_unix_us();
        let _ = format!("{r:?}");
    }
});
