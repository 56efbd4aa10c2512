//! A state with something in every part: error, access and PHP-FPM logs of real servers,
//! Apache's paired lines with one half still waiting at the end, a zone, a window and
//! time limits.
#![allow(dead_code)]

pub mod shape;

use std::path::{Path, PathBuf};

use logscan_analyze::{Analyzer, Bound, Config, InputInfo, Origin};
use logscan_parse::{Parser, Zone};

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

/// The settings of the canonical state.
pub fn config() -> Config {
    Config::default()
        .with_zone(Zone::Utc)
        .with_window(60)
        .with_since(Bound::instant(1_700_000_000, 1_700_000_000))
        .with_until(Bound::wall(1_900_000_000))
}

/// Reads `file` of a fixture into `analyzer` as input `id`, every line an entry.
pub fn read(analyzer: &mut Analyzer, id: u32, dir: &str, file: &str, parser: &Parser) {
    let path = fixtures().join(dir).join(file);
    let bytes = std::fs::read(&path).unwrap();
    analyzer.add_input(
        id,
        InputInfo::new(format!("{dir}/{file}"), parser.format(), dir),
    );
    for (i, line) in bytes
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .enumerate()
    {
        let origin = Origin {
            input: id,
            chunk: 0,
            line: i as u64 + 1,
            lines: 1,
            text: line,
        };
        match parser.parse(line) {
            Ok(record) => analyzer.observe(&record, &origin),
            Err(e) => analyzer.observe_unrecognized(&origin, &e.to_string()),
        }
    }
}

/// The canonical analyzer.
pub fn canonical() -> Analyzer {
    let mut analyzer = Analyzer::new(config());
    let timing =
        Parser::apache_access("%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\" %D")
            .unwrap();
    read(
        &mut analyzer,
        0,
        "apache/fcgi_read_timeout",
        "error.log",
        &Parser::apache_error(),
    );
    read(
        &mut analyzer,
        1,
        "apache/fcgi_read_timeout",
        "access_timing.log",
        &timing,
    );
    read(
        &mut analyzer,
        2,
        "apache/fcgi_read_timeout",
        "php-fpm.log",
        &Parser::php_fpm(),
    );
    read(
        &mut analyzer,
        3,
        "nginx/mixed",
        "error.log",
        &Parser::nginx_error(),
    );
    read(
        &mut analyzer,
        4,
        "nginx/mixed",
        "access_upstream.log",
        &upstream_parser(),
    );
    read(
        &mut analyzer,
        5,
        "nginx/client_abort",
        "access.log",
        &Parser::nginx_combined(),
    );
    // An Apache AH00957 (the cause half of a pair) as the last failure line: still held.
    let held = b"[Wed Nov 25 09:59:39.306005 2026] [proxy:error] [pid 15936:tid 15945] (111)Connection refused: AH00957: http: attempt to connect to 127.0.0.1:19151 (127.0.0.1:19151) failed";
    let origin = Origin {
        input: 0,
        chunk: 1,
        line: 1,
        lines: 1,
        text: held,
    };
    let record = Parser::apache_error().parse(held).unwrap();
    analyzer.observe(&record, &origin);
    analyzer.label_inputs("web1");
    analyzer
}

fn upstream_parser() -> Parser {
    let labels: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(fixtures().join("nginx/mixed/labels.json")).unwrap(),
    )
    .unwrap();
    match labels["log_formats"]["access_upstream.log"].as_str() {
        Some(format) => Parser::nginx_access(format).unwrap(),
        None => Parser::nginx_combined(),
    }
}
