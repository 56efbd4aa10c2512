//! Apache httpd error lines in the default 2.4 / 2.2 layouts (and the documented
//! `ErrorLogFormat` examples it reads without being told), one by one and through the
//! companion tracker that pairs the lines of one failure.
#![no_main]

use libfuzzer_sys::fuzz_target;
use logscan_parse::{Companions, Parser, Record};

fuzz_target!(|data: &[u8]| {
    let parser = Parser::apache_error();
    let _ = parser.parse(data);
    let mut companions = Companions::new();
    for line in data.split(|&b| b == b'\n') {
        if let Ok(Record::Error(mut record)) = parser.parse(line) {
            companions.apply(&mut record);
        }
    }
});
