//! An Apache `LogFormat` string, and a line read with it (and with Apache `combined`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use logscan_parse::{Format, Parser};

fuzz_target!(|input: (&str, &[u8])| {
    let (format, line) = input;
    for parser in Parser::apache_access(format)
        .into_iter()
        .chain([Parser::for_format(Format::ApacheAccess)])
    {
        // A line read must be one the cheap test says may be read.
        if parser.parse(line).is_ok() {
            assert!(parser.may_read(line), "read, yet may_read said no");
        }
    }
});
