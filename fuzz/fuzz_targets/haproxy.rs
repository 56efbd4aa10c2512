//! HAProxy log lines: the HTTP log message, bare or behind any syslog header.
#![no_main]

use libfuzzer_sys::fuzz_target;
use logscan_parse::{Parser, Record};

fuzz_target!(|line: &[u8]| {
    if let Ok(Record::Edge(r)) = Parser::haproxy().parse(line) {
        // Every field borrows from the line; the derived values must not overflow.
        let _ = r.span_unix_us();
        let _ = format!("{r:?}");
        if let Some(f) = r.failure {
            assert!(logscan_parse::Cause::from_id(f.cause.id()).is_some());
        }
    }
});
