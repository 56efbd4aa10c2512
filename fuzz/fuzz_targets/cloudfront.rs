//! A CloudFront `#Fields:` header line (or none: the documented default order) and a log
//! line read with its columns.
#![no_main]

use libfuzzer_sys::fuzz_target;
use logscan_parse::{Parser, Record};

fuzz_target!(|input: (&str, &[u8])| {
    let (header, line) = input;
    let parser = Parser::cloudfront_fields(header.as_bytes()).unwrap_or_else(Parser::cloudfront);
    for p in [&parser, &Parser::cloudfront_for(&[header.as_bytes(), line])] {
        if let Ok(Record::Edge(r)) = p.parse(line) {
            let _ = r.span_unix_us();
            let _ = format!("{r:?}");
        }
    }
});
