//! Reads an error log from stdin and prints one parsed record per line.
//!
//! ```text
//! cargo run -p logscan-parse --example parse_stdin -- nginx-error < error.log
//! ```
//!
//! The first argument is the format: `nginx-error` (default), `apache-error`, `php-fpm`,
//! or an edge log: `haproxy`, `aws-alb`, `cloudfront`, `cloudflare`, `gcp-lb`; for Apache
//! a second argument may give a custom `ErrorLogFormat` string.
//! Entries are framed with [`Parser::starts_entry`], so nginx continuation lines (FastCGI
//! stderr with a PHP stack trace) join the entry before them. A count of parsed and
//! unrecognized physical lines goes to stderr.

use std::io::{self, BufRead, BufWriter, Write};
use std::process::ExitCode;

use logscan_parse::{Format, Parser, Record};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let format = args.next().unwrap_or_else(|| "nginx-error".to_owned());
    let parser = match (format.as_str(), args.next()) {
        ("nginx-error", _) => Parser::nginx_error(),
        ("apache-error", None) => Parser::apache_error(),
        ("apache-error", Some(custom)) => match Parser::apache_error_format(&custom) {
            Ok(p) => p,
            Err(e) => {
                eprintln!("bad ErrorLogFormat: {e}");
                return ExitCode::from(2);
            }
        },
        ("php-fpm", _) => Parser::php_fpm(),
        (edge, _) if Format::from_id(edge).is_some_and(Format::is_edge) => {
            Parser::for_format(Format::from_id(edge).unwrap_or_default())
        }
        (other, _) => {
            eprintln!(
                "unknown format {other:?}: use nginx-error, apache-error, php-fpm, haproxy, aws-alb, cloudfront, cloudflare or gcp-lb"
            );
            return ExitCode::from(2);
        }
    };
    let stdin = io::stdin();
    let mut input = stdin.lock();
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut entry: Vec<u8> = Vec::new();
    let mut entry_lines = 0usize;
    let mut line: Vec<u8> = Vec::new();
    let (mut parsed, mut unrecognized) = (0usize, 0usize);

    let mut flush = |entry: &mut Vec<u8>, lines: &mut usize, out: &mut dyn Write| {
        if *lines == 0 {
            return;
        }
        match parser.parse(entry) {
            Ok(Record::Error(record)) => {
                parsed += *lines;
                let _ = writeln!(out, "{record:?}");
            }
            Ok(Record::Access(record)) => {
                parsed += *lines;
                let _ = writeln!(out, "{record:?}");
            }
            Ok(Record::Edge(record)) => {
                parsed += *lines;
                let _ = writeln!(out, "{record:?}");
            }
            Err(err) => {
                unrecognized += *lines;
                let _ = writeln!(
                    out,
                    "unrecognized ({err}): {}",
                    String::from_utf8_lossy(entry)
                );
            }
        }
        entry.clear();
        *lines = 0;
    };

    loop {
        line.clear();
        match input.read_until(b'\n', &mut line) {
            Ok(0) => break,
            Ok(_) => {}
            Err(err) => {
                eprintln!("read error: {err}");
                return ExitCode::from(2);
            }
        }
        let text = line.strip_suffix(b"\n").unwrap_or(&line);
        let text = text.strip_suffix(b"\r").unwrap_or(text);
        if entry_lines > 0 && !parser.starts_entry(text) {
            entry.push(b'\n');
            entry.extend_from_slice(text);
            entry_lines += 1;
            continue;
        }
        flush(&mut entry, &mut entry_lines, &mut out);
        entry.extend_from_slice(text);
        entry_lines = 1;
    }
    flush(&mut entry, &mut entry_lines, &mut out);
    let _ = out.flush();
    drop(out);
    eprintln!("parsed {parsed} lines, unrecognized {unrecognized} lines");
    ExitCode::SUCCESS
}
