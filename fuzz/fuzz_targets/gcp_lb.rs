//! Google Cloud load balancer request log entries (Cloud Logging JSON, nested objects).
#![no_main]

use libfuzzer_sys::fuzz_target;
use logscan_parse::{Parser, Record};

fuzz_target!(|line: &[u8]| {
    if let Ok(Record::Edge(r)) = Parser::gcp_lb().parse(line) {
        let _ = r.span_unix_us();
        let _ = format!("{r:?}");
    }
});
