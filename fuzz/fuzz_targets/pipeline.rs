//! The whole line-to-report path, as the CLI runs it on one input: bytes -> entry framing
//! (logscan-input) -> format detection -> parse every entry -> Analyzer -> finish -> every
//! renderer, plus the `--events` form of every record.
//!
//! Checks, besides "no panic": every physical line is counted once (`lines = parsed +
//! unrecognized` and equal to the newline count, plus one for a last line without `\n`);
//! the table (with and without colour), Markdown and HTML carry no raw control or bidi
//! character (the table's own SGR colour codes aside); the report JSON and each event are
//! valid JSON.
//!
//! The first byte picks the format: 0-3 auto-detection, then nginx error, Apache error,
//! PHP-FPM, nginx `combined`, Apache `combined`, ingress-nginx; the second a `--tz`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use logscan_analyze::{Analyzer, Config, InputInfo, Origin};
use logscan_input::{EntryReader, ReaderConfig};
use logscan_parse::detect::detect;
use logscan_parse::{Format, Parser, Zone};
use logscan_render::escape::is_unsafe_char;

fuzz_target!(|data: &[u8]| {
    let (choice, zone_pick, log) = match data {
        [a, b, rest @ ..] => (*a, *b, rest),
        _ => return,
    };
    let zone = match zone_pick % 4 {
        0 => None,
        1 => Some(Zone::Utc),
        2 => Some("Europe/Berlin".parse::<Zone>().unwrap()),
        _ => Some("-03:30".parse::<Zone>().unwrap()),
    };
    // Small limits so long-line and long-entry handling is reached with small inputs.
    let config = ReaderConfig {
        max_line: 512,
        max_entry: 1024,
        max_continuation_lines: 8,
    };
    let mut reader = EntryReader::new(log, config);
    let sample: Vec<Vec<u8>> = reader
        .sample(64, 256 << 10)
        .unwrap()
        .into_iter()
        .map(<[u8]>::to_vec)
        .collect();
    let sample_refs: Vec<&[u8]> = sample.iter().map(Vec::as_slice).collect();
    let (parser, detected) = match choice % 10 {
        0..=3 => match detect(&sample_refs, Some("fuzz.log"), &[]) {
            Some(found) if found.matched > 0 => (found.parser, true),
            _ => (Parser::nginx_error(), false),
        },
        4 => (Parser::nginx_error(), true),
        5 => (Parser::apache_error(), true),
        6 => (Parser::php_fpm(), true),
        7 => (Parser::nginx_combined(), true),
        8 => (Parser::for_format(Format::ApacheAccess), true),
        _ => (Parser::ingress_nginx(), true),
    };

    let mut analyzer = Analyzer::new(Config {
        zone: zone.clone(),
        ..Config::default()
    });
    let mut info = InputInfo::new("fuzz/\u{1b}[31mx.log", parser.format(), "fuzz");
    info.detected = detected;
    analyzer.add_input(0, info);
    let starts_entry = |line: &[u8]| parser.starts_entry(line);
    let event_zone = zone.clone().unwrap_or(Zone::Utc);
    let mut events = Vec::new();
    while let Some(entry) = reader.next_entry(&starts_entry).unwrap() {
        let origin = Origin {
            input: 0,
            chunk: 0,
            line: entry.first_line,
            lines: entry.lines,
            text: entry.bytes,
        };
        if entry.too_long {
            analyzer.observe_unrecognized(&origin, "line too long");
            continue;
        }
        match parser.parse(entry.bytes) {
            Ok(record) => {
                analyzer.observe(&record, &origin);
                let source = logscan_render::events::Source {
                    path: "fuzz.log",
                    line: entry.first_line,
                    text: entry.bytes,
                };
                events.push(logscan_render::events::event(&record, &source, &event_zone));
            }
            Err(e) => analyzer.observe_unrecognized(&origin, &e.to_string()),
        }
    }
    let report = analyzer.finish();

    // Every physical line counted once.
    let newlines = log.iter().filter(|&&b| b == b'\n').count() as u64;
    let physical = newlines + u64::from(!log.is_empty() && !log.ends_with(b"\n"));
    let input = &report.inputs[0];
    assert_eq!(input.lines, input.parsed + input.unrecognized);
    assert_eq!(input.lines, physical);
    assert_eq!(report.totals.lines, physical);

    // Renderers: nothing raw from the log.
    for color in [false, true] {
        let options = logscan_render::Options {
            width: 100,
            color,
            top: 10,
        };
        let table = logscan_render::text::render(&report, &options);
        assert_clean("table", &strip_sgr(&table));
    }
    assert_clean("markdown", &logscan_render::markdown::render(&report, 10));
    assert_clean("html", &logscan_render::html::render(&report, 10));
    let json = logscan_render::json(&report);
    serde_json::from_str::<serde_json::Value>(&json).expect("report JSON is valid");
    for event in &events {
        let text = serde_json::to_string(event).unwrap();
        serde_json::from_str::<serde_json::Value>(&text).expect("event JSON is valid");
    }
});

/// Removes the SGR colour sequences the table writes itself (`ESC [ digits ; m`).
fn strip_sgr(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('\u{1b}') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let body_len = after.strip_prefix('[').map(|b| {
            b.bytes()
                .take_while(|c| c.is_ascii_digit() || *c == b';')
                .count()
        });
        match body_len {
            Some(n) if after.as_bytes().get(1 + n) == Some(&b'm') => rest = &after[n + 2..],
            _ => {
                out.push('\u{1b}');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn assert_clean(form: &str, text: &str) {
    if let Some(c) = text.chars().find(|&c| c != '\n' && is_unsafe_char(c)) {
        panic!("{form} output carries raw {:?}:\n{text}", c);
    }
}
