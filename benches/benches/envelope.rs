//! What unwrapping costs: the envelope decoders (logscan-envelope) on the fixture lines,
//! against the same inner lines as a plain file.
//!
//! - `envelope_unwrap/*`: split into physical lines (`EntryReader`) and decode, per
//!   envelope fixture; throughput in bytes of the enveloped input. `plain_split` is the
//!   splitter alone on the plain lines of `nginx/mixed`, the floor.
//! - `envelope_parse/<fixture>/wrapped`: split, unwrap and parse every inner line (nginx
//!   error or `combined`, chosen by its first bytes); `…/plain`: the same inner lines in
//!   the same order as a plain file, split and parsed. Both in bytes of the *inner* lines
//!   per second, so the two figures of a fixture compare directly (the read loop's goal:
//!   Docker, CRI and syslog inputs at no less than 70% of the plain-file throughput).
//!
//! Inputs are the committed fixtures repeated to about 4 MB (the fixture files are
//! 40-230 KB), so a run measures steady decoding rather than start-up.

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use logscan_envelope::{Config, Decoder, Envelope, Kind, YearHint, detect, read_lines};
use logscan_input::{EntryReader, ReaderConfig};
use logscan_parse::Parser;

const SIZE: usize = 4 << 20;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

/// `path`'s bytes repeated to about `SIZE` bytes (whole copies; each ends in `\n`).
fn repeated(path: &Path) -> Vec<u8> {
    let mut once = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    if !once.ends_with(b"\n") {
        once.push(b'\n');
    }
    let copies = SIZE.div_ceil(once.len()).max(1);
    once.repeat(copies)
}

/// The plain error and access logs of a scenario, one after the other, repeated like
/// `repeated`.
fn plain(dir: &str) -> Vec<u8> {
    let mut bytes = std::fs::read(fixtures().join(dir).join("error.log")).unwrap();
    bytes.extend_from_slice(&std::fs::read(fixtures().join(dir).join("access.log")).unwrap());
    let copies = SIZE.div_ceil(bytes.len()).max(1);
    bytes.repeat(copies)
}

fn config() -> Config {
    Config {
        year: YearHint {
            year: 2026,
            month: 12,
        },
        ..Config::default()
    }
}

/// (name, fixture) of every envelope benchmarked.
fn cases() -> Vec<(&'static str, PathBuf)> {
    let f = fixtures();
    vec![
        ("docker", f.join("envelope/docker/nginx-mixed.log")),
        ("cri", f.join("envelope/cri/nginx-mixed.log")),
        (
            "timestamped",
            f.join("envelope/timestamped/nginx-mixed.log"),
        ),
        ("syslog_nginx_udp", f.join("nginx/syslog/syslog/udp.log")),
        (
            "syslog_rsyslog_traditional",
            f.join("nginx/syslog/syslog/rsyslog_traditional.log"),
        ),
        (
            "syslog_rsyslog_rfc5424",
            f.join("nginx/syslog/syslog/rsyslog_rfc5424.log"),
        ),
        (
            "journald_json",
            f.join("nginx/journald/journald/json-all.json"),
        ),
        (
            "journald_short",
            f.join("nginx/journald/journald/short.log"),
        ),
    ]
}

fn envelope_of(input: &[u8]) -> Envelope {
    let sample: Vec<&[u8]> = input.split(|&b| b == b'\n').take(50).collect();
    detect(&sample).expect("an envelope fixture")
}

/// Splits and unwraps `input`; the number of inner bytes (so nothing is optimised away).
fn unwrap(input: &[u8], envelope: Envelope) -> usize {
    let mut entries = EntryReader::new(input, ReaderConfig::default());
    let mut decoder = Decoder::new(envelope, config());
    let mut bytes = 0;
    read_lines(&mut entries, &mut decoder, |line| bytes += line.bytes.len()).unwrap();
    bytes
}

/// The parser for an inner line of nginx: error lines start with the year.
fn parse_inner(error: &Parser, access: &Parser, line: &[u8]) -> bool {
    let parser = if line.first().is_some_and(u8::is_ascii_digit) && line.get(4) == Some(&b'/') {
        error
    } else {
        access
    };
    parser.parse(line).is_ok()
}

fn envelope_unwrap(c: &mut Criterion) {
    let mut group = c.benchmark_group("envelope_unwrap");
    for (name, path) in cases() {
        let input = repeated(&path);
        let envelope = envelope_of(&input);
        group.throughput(Throughput::Bytes(input.len() as u64));
        group.bench_function(name, |b| b.iter(|| unwrap(black_box(&input), envelope)));
    }
    let input = plain("nginx/mixed");
    group.throughput(Throughput::Bytes(input.len() as u64));
    group.bench_function("plain_split", |b| {
        b.iter(|| {
            let mut entries = EntryReader::new(black_box(&input[..]), ReaderConfig::default());
            let mut n = 0usize;
            while let Some(entry) = entries.next_entry(&|_| true).unwrap() {
                n += entry.bytes.len();
            }
            n
        })
    });
    group.finish();
}

fn envelope_parse(c: &mut Criterion) {
    let error = Parser::nginx_error();
    let access = Parser::nginx_combined();
    let mut group = c.benchmark_group("envelope_parse");
    for (name, path) in cases() {
        let input = repeated(&path);
        let envelope = envelope_of(&input);
        // The same inner lines, in the same order, as a plain file.
        let mut plain = Vec::new();
        let mut entries = EntryReader::new(&input[..], ReaderConfig::default());
        let mut decoder = Decoder::new(envelope, config());
        read_lines(&mut entries, &mut decoder, |line| {
            if line.kind == Kind::Server {
                plain.extend_from_slice(line.bytes);
                plain.push(b'\n');
            }
        })
        .unwrap();
        group.throughput(Throughput::Bytes(plain.len() as u64));
        group.bench_function(format!("{name}/plain"), |b| {
            b.iter(|| {
                let mut entries = EntryReader::new(black_box(&plain[..]), ReaderConfig::default());
                let mut parsed = 0usize;
                while let Some(entry) = entries.next_entry(&|_| true).unwrap() {
                    parsed += usize::from(parse_inner(&error, &access, entry.bytes));
                }
                parsed
            })
        });
        group.bench_function(format!("{name}/wrapped"), |b| {
            b.iter(|| {
                let mut entries = EntryReader::new(black_box(&input[..]), ReaderConfig::default());
                let mut decoder = Decoder::new(envelope, config());
                let mut parsed = 0usize;
                read_lines(&mut entries, &mut decoder, |line| {
                    if line.kind == Kind::Server {
                        parsed += usize::from(parse_inner(&error, &access, line.bytes));
                    }
                })
                .unwrap();
                parsed
            })
        });
    }
    group.finish();
}

criterion_group!(benches, envelope_unwrap, envelope_parse);
criterion_main!(benches);
