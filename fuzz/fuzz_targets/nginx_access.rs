//! An nginx `log_format` string, and a line read with it (and with the built-in nginx
//! access formats). A line any of them reads is one `Parser::may_read` lets through.
#![no_main]

use libfuzzer_sys::fuzz_target;
use logscan_parse::Parser;

/// Reads `line`; a line read must be one the cheap test says may be read.
fn read(parser: &Parser, line: &[u8]) {
    if parser.parse(line).is_ok() {
        assert!(parser.may_read(line), "read, yet may_read said no");
    }
}

fuzz_target!(|input: (&str, &[u8])| {
    let (format, line) = input;
    if let Ok(parser) = Parser::nginx_access(format) {
        read(&parser, line);
    }
    if let Ok(parser) = Parser::access(format) {
        read(&parser, line);
    }
    read(&Parser::nginx_combined(), line);
    read(&Parser::ingress_nginx(), line);
});
