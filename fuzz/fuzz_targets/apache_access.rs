//! An Apache `LogFormat` string, and a line read with it (and with Apache `combined`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use logscan_parse::{Format, Parser};

fuzz_target!(|input: (&str, &[u8])| {
    let (format, line) = input;
    if let Ok(parser) = Parser::apache_access(format) {
        let _ = parser.parse(line);
    }
    let _ = Parser::for_format(Format::ApacheAccess).parse(line);
});
