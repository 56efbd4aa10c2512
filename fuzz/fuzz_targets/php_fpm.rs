//! PHP-FPM master log lines.
#![no_main]

use libfuzzer_sys::fuzz_target;
use logscan_parse::Parser;

fuzz_target!(|line: &[u8]| {
    let _ = Parser::php_fpm().parse(line);
});
