//! A custom `ErrorLogFormat` string, and a line read with it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use logscan_parse::Parser;

fuzz_target!(|input: (&str, &[u8])| {
    let (format, line) = input;
    if let Ok(parser) = Parser::apache_error_format(format) {
        let _ = parser.parse(line);
        let _ = parser.format_string();
    }
});
