//! nginx error entries: one line, or a line and its continuation lines; each line also
//! through the companion tracker (Lua balancer lines and the placeholder connects), and
//! read as a framed line of one (`parse_entry_into`, which skips the search for line
//! breaks) must give the record `parse` gives.
#![no_main]

use libfuzzer_sys::fuzz_target;
use logscan_parse::{Companions, ErrorRecord, Parser, Record};

fuzz_target!(|entry: &[u8]| {
    let parser = Parser::nginx_error();
    let _ = parser.parse(entry);
    let mut companions = Companions::new();
    for line in entry.split(|&b| b == b'\n') {
        let _ = parser.starts_entry(line);
        let mut framed = Record::Error(ErrorRecord::default());
        let framed_read = parser.parse_entry_into(line, 1, &mut framed).is_ok();
        let plain = parser.parse(line);
        match &plain {
            Ok(record) => assert!(framed_read && framed == *record, "one-line read differs"),
            Err(_) => assert!(!framed_read, "one-line read differs"),
        }
        if let Ok(Record::Error(mut record)) = plain {
            companions.apply(&mut record);
        }
    }
});
