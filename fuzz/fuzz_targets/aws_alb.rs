//! AWS Application Load Balancer access log lines (quoted fields, any number of fields
//! after the known ones).
#![no_main]

use libfuzzer_sys::fuzz_target;
use logscan_parse::{Parser, Record};

fuzz_target!(|line: &[u8]| {
    if let Ok(Record::Edge(r)) = Parser::aws_alb().parse(line) {
        let _ = r.span_unix_us();
        let _ = format!("{r:?}");
    }
});
