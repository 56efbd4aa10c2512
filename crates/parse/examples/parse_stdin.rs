//! Reads an error log from stdin and prints one parsed record per line.
//!
//! ```text
//! cargo run -p logscan-parse --example parse_stdin -- nginx-error < error.log
//! ```
//!
//! The first argument is the format: `nginx-error` (default), `apache-error`, `php-fpm`,
//! or an edge log: `haproxy`, `aws-alb`, `cloudfront`, `cloudflare`, `gcp-lb`; for Apache
//! a second argument may give a custom `ErrorLogFormat` string.
//! Entries are framed with [`EntryReader`] and [`Parser::starts_entry`], so nginx
//! continuation lines (FastCGI stderr with a PHP stack trace) join the entry before them,
//! and a line or an entry never grows past the reader's limits. A count of parsed,
//! unrecognized and over-long physical lines goes to stderr.

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use logscan_parse::{EntryReader, Format, Parser, ReaderConfig, Record};

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
    // Entries are framed as logscan frames them: continuation lines join the entry before
    // them, and no line or entry grows past the reader's limits (1 MiB by default), so a
    // stream of junk cannot make one huge entry. No need for a BufReader in front.
    let mut reader = EntryReader::new(io::stdin().lock(), ReaderConfig::default());
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let (mut parsed, mut unrecognized, mut too_long) = (0u64, 0u64, 0u64);
    loop {
        let entry = match reader.next_entry_for(&parser) {
            Ok(Some(entry)) => entry,
            Ok(None) => break,
            Err(err) => {
                eprintln!("read error: {err}");
                return ExitCode::from(2);
            }
        };
        let lines = u64::from(entry.lines);
        if entry.too_long {
            too_long += lines;
            let _ = writeln!(
                out,
                "line {}: longer than the limit, skipped",
                entry.first_line
            );
            continue;
        }
        let _ = match parser.parse(entry.bytes) {
            Ok(Record::Error(record)) => {
                parsed += lines;
                writeln!(out, "{record:?}")
            }
            Ok(Record::Access(record)) => {
                parsed += lines;
                writeln!(out, "{record:?}")
            }
            Ok(Record::Edge(record)) => {
                parsed += lines;
                writeln!(out, "{record:?}")
            }
            Ok(other) => {
                parsed += lines;
                writeln!(out, "{other:?}")
            }
            Err(err) => {
                unrecognized += lines;
                // Debug-escaped: no control byte of the input reaches the terminal.
                writeln!(
                    out,
                    "line {}: unrecognized ({err}): {:?}",
                    entry.first_line,
                    String::from_utf8_lossy(entry.bytes)
                )
            }
        };
    }
    let _ = out.flush();
    drop(out);
    eprintln!(
        "parsed {parsed} lines, unrecognized {unrecognized} lines, too long {too_long} lines"
    );
    ExitCode::SUCCESS
}
