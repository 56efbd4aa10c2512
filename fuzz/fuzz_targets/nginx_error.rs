//! nginx error entries: one line, or a line and its continuation lines; each line also
//! through the companion tracker (Lua balancer lines and the placeholder connects).
#![no_main]

use libfuzzer_sys::fuzz_target;
use logscan_parse::{Companions, Parser, Record};

fuzz_target!(|entry: &[u8]| {
    let parser = Parser::nginx_error();
    let _ = parser.parse(entry);
    let mut companions = Companions::new();
    for line in entry.split(|&b| b == b'\n') {
        let _ = parser.starts_entry(line);
        if let Ok(Record::Error(mut record)) = parser.parse(line) {
            companions.apply(&mut record);
        }
    }
});
