//! An nginx `log_format` string, and a line read with it (and with the built-in nginx
//! access formats).
#![no_main]

use libfuzzer_sys::fuzz_target;
use logscan_parse::Parser;

fuzz_target!(|input: (&str, &[u8])| {
    let (format, line) = input;
    if let Ok(parser) = Parser::nginx_access(format) {
        let _ = parser.parse(line);
    }
    if let Ok(parser) = Parser::access(format) {
        let _ = parser.parse(line);
    }
    let _ = Parser::nginx_combined().parse(line);
    let _ = Parser::ingress_nginx().parse(line);
});
