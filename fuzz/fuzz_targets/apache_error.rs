//! Apache httpd error lines in the default 2.4 / 2.2 layouts.
#![no_main]

use libfuzzer_sys::fuzz_target;
use logscan_parse::Parser;

fuzz_target!(|line: &[u8]| {
    let _ = Parser::apache_error().parse(line);
});
