//! `Analyzer::observe` per record kind, `merge` and `finish`.

use std::hint::black_box;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use logscan_analyze::{Analyzer, Config, InputInfo, Origin};
use logscan_benches::LogKind;
use logscan_parse::{Parser, Record};

mod common;

const SIZE: u64 = 4 << 20;

/// Which records of a generated log a case observes.
type Keep = fn(&Record<'_>) -> bool;

fn format(kind: LogKind) -> logscan_parse::Format {
    kind.parser().format()
}

fn new_analyzer(kind: LogKind) -> Analyzer {
    let mut analyzer = Analyzer::new(Config::default());
    analyzer.add_input(
        0,
        InputInfo::new("bench.log", format(kind), "/var/log/site"),
    );
    analyzer
}

fn origin(entry: &[u8], line: u64) -> Origin<'_> {
    Origin {
        input: 0,
        chunk: 0,
        line,
        lines: 1,
        text: entry,
    }
}

/// Feeds entries to an analyzer.
fn feed(analyzer: &mut Analyzer, parser: &Parser, entries: &[Vec<u8>]) {
    for (i, entry) in entries.iter().enumerate() {
        if let Ok(record) = parser.parse(entry) {
            analyzer.observe(&record, &origin(entry, i as u64 + 1));
        }
    }
}

/// Entries of `kind` whose record satisfies `keep`.
fn select(kind: LogKind, keep: impl Fn(&Record<'_>) -> bool) -> Vec<Vec<u8>> {
    let parser = kind.parser();
    common::entries(kind, SIZE)
        .0
        .into_iter()
        .filter(|e| parser.parse(e).is_ok_and(|r| keep(&r)))
        .collect()
}

fn observe(c: &mut Criterion) {
    let mut group = c.benchmark_group("observe");
    let cases: [(&str, LogKind, Keep); 5] = [
        (
            "access_ok",
            LogKind::NginxUpstream,
            |r| matches!(r, Record::Access(a) if a.status.is_some_and(|s| s < 500)),
        ),
        (
            "access_5xx",
            LogKind::NginxUpstream,
            |r| matches!(r, Record::Access(a) if a.status.is_some_and(|s| s >= 500)),
        ),
        (
            "nginx_error_failure",
            LogKind::NginxError,
            |r| matches!(r, Record::Error(e) if e.failure.is_some()),
        ),
        (
            "nginx_error_other",
            LogKind::NginxError,
            |r| matches!(r, Record::Error(e) if e.failure.is_none()),
        ),
        (
            "apache_error_failure",
            LogKind::ApacheError,
            |r| matches!(r, Record::Error(e) if e.failure.is_some()),
        ),
    ];
    for (name, kind, keep) in cases {
        let entries = select(kind, keep);
        let parser = kind.parser();
        let records: Vec<Record<'_>> = entries
            .iter()
            .filter_map(|e| parser.parse(e).ok())
            .collect();
        let mut analyzer = new_analyzer(kind);
        group.throughput(Throughput::Elements(records.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| {
                for (i, (record, entry)) in records.iter().zip(&entries).enumerate() {
                    analyzer.observe(black_box(record), &origin(entry, i as u64 + 1));
                }
            })
        });
    }
    group.finish();
}

/// Parse and observe together, bytes per second on one core: the access path end to end
/// without reading and framing, on the built-in mix and on a mostly-healthy log (99% of
/// the requests answered 2xx/3xx), where lines that cannot matter should cost little.
fn parse_and_observe(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse_observe");
    for (name, healthy) in [
        ("nginx-upstream", None),
        ("nginx-upstream-healthy99", Some(99)),
    ] {
        let kind = LogKind::NginxUpstream;
        let (entries, bytes) = common::entries_with(kind, SIZE, healthy);
        let parser = kind.parser();
        group.throughput(Throughput::Bytes(bytes));
        group.bench_function(name, |b| {
            b.iter_batched_ref(
                || new_analyzer(kind),
                |analyzer| feed(analyzer, &parser, black_box(&entries)),
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

fn merge_and_finish(c: &mut Criterion) {
    let mut group = c.benchmark_group("state");
    for kind in [LogKind::NginxError, LogKind::NginxUpstream] {
        let parser = kind.parser();
        let (entries, _) = common::entries(kind, SIZE);
        let (first, second) = entries.split_at(entries.len() / 2);
        let mut a = new_analyzer(kind);
        feed(&mut a, &parser, first);
        let mut b = new_analyzer(kind);
        feed(&mut b, &parser, second);
        group.bench_function(format!("merge/{}", kind.name()), |bench| {
            bench.iter_batched(
                || (a.clone(), b.clone()),
                |(mut a, b)| {
                    a.merge(b);
                    a
                },
                BatchSize::LargeInput,
            )
        });
        let mut whole = a.clone();
        whole.merge(b.clone());
        group.bench_function(format!("finish/{}", kind.name()), |bench| {
            bench.iter_batched(
                || whole.clone(),
                |analyzer| black_box(analyzer.finish()),
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, observe, parse_and_observe, merge_and_finish);
criterion_main!(benches);
