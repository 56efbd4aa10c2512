//! nginx error entries: one line, or a line and its continuation lines.
#![no_main]

use libfuzzer_sys::fuzz_target;
use logscan_parse::Parser;

fuzz_target!(|entry: &[u8]| {
    let parser = Parser::nginx_error();
    let _ = parser.parse(entry);
    for line in entry.split(|&b| b == b'\n') {
        let _ = parser.starts_entry(line);
        let _ = parser.parse(line);
    }
});
