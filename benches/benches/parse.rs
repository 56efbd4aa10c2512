//! Parser throughput per format (bytes per second on one core) and error-line
//! classification (entries per second).

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use logscan_benches::LogKind;
use logscan_parse::Record;

mod common;

/// Input per format: large enough for an incident and a baseline, small enough to stay in
/// the CPU caches' neighbourhood.
const SIZE: u64 = 4 << 20;

fn parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse");
    for kind in LogKind::ALL {
        let (entries, bytes) = common::entries(kind, SIZE);
        let parser = kind.parser();
        group.throughput(Throughput::Bytes(bytes));
        group.bench_function(kind.name(), |b| {
            b.iter(|| {
                let mut ok = 0usize;
                for entry in &entries {
                    ok += usize::from(parser.parse(black_box(entry)).is_ok());
                }
                ok
            })
        });
    }
    group.finish();
}

/// Parsing error entries that carry an upstream failure: the classifier's share of the
/// work is largest there.
fn classify(c: &mut Criterion) {
    let mut group = c.benchmark_group("classify");
    for kind in [LogKind::NginxError, LogKind::ApacheError, LogKind::PhpFpm] {
        let parser = kind.parser();
        let (entries, _) = common::entries(kind, SIZE);
        let failures: Vec<Vec<u8>> = entries
            .into_iter()
            .filter(|e| matches!(parser.parse(e), Ok(Record::Error(r)) if r.failure.is_some()))
            .collect();
        group.throughput(Throughput::Elements(failures.len() as u64));
        group.bench_function(kind.name(), |b| {
            b.iter(|| {
                let mut causes = 0usize;
                for entry in &failures {
                    if let Ok(Record::Error(r)) = parser.parse(black_box(entry)) {
                        causes += r.failure.map_or(0, |f| f.cause as usize);
                    }
                }
                causes
            })
        });
    }
    group.finish();
}

criterion_group!(benches, parse, classify);
criterion_main!(benches);
