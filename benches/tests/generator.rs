//! The generator writes lines the matching parser reads, deterministically.

use logscan_benches::{Generator, LogKind, Options};
use logscan_parse::Record;

fn generate(kind: LogKind, size: u64, seed: u64) -> Vec<u8> {
    let mut out = Vec::new();
    Generator::new(Options {
        kind,
        size,
        seed,
        cardinality: 5_000,
    })
    .write_to(&mut out)
    .unwrap();
    out
}

/// Entries as `EntryReader` frames them: a line plus the lines that do not start an entry.
fn entries(kind: LogKind, bytes: &[u8]) -> Vec<Vec<u8>> {
    let parser = kind.parser();
    let mut entries: Vec<Vec<u8>> = Vec::new();
    let text = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    for line in text.split(|&b| b == b'\n') {
        match entries.last_mut() {
            Some(last) if !parser.starts_entry(line) => {
                last.push(b'\n');
                last.extend_from_slice(line);
            }
            _ => entries.push(line.to_vec()),
        }
    }
    entries
}

#[derive(Default, Debug)]
struct Seen {
    entries: usize,
    multi_line: usize,
    failures: usize,
    server_errors: usize,
    retries: usize,
    redirects: usize,
    escapes: usize,
}

fn check(kind: LogKind, bytes: &[u8]) -> Seen {
    let parser = kind.parser();
    let mut seen = Seen::default();
    for entry in entries(kind, bytes) {
        seen.entries += 1;
        seen.multi_line += usize::from(entry.contains(&b'\n'));
        let text = String::from_utf8_lossy(&entry);
        seen.escapes += usize::from(text.contains("\\x") || text.contains("\\\""));
        match parser.parse(&entry) {
            Ok(Record::Error(e)) => seen.failures += usize::from(e.failure.is_some()),
            Ok(Record::Access(a)) => {
                seen.server_errors += usize::from(a.status.is_some_and(|s| s >= 500));
                seen.retries += usize::from(a.upstream.tries() > 1);
                seen.redirects += usize::from(text.contains(" : "));
            }
            Ok(Record::Edge(_)) => panic!("{kind}: the generator writes no edge logs:\n{text}"),
            Err(e) => panic!("{kind}: unrecognized entry ({e}):\n{text}"),
        }
    }
    seen
}

#[test]
fn every_kind_parses_and_has_incidents() {
    for kind in LogKind::ALL {
        let size = if kind == LogKind::PhpFpm {
            1 << 20
        } else {
            6 << 20
        };
        let bytes = generate(kind, size, 1);
        assert!(bytes.len() as u64 >= size);
        assert!(bytes.ends_with(b"\n"));
        let seen = check(kind, &bytes);
        eprintln!("{kind}: {seen:?}");
        assert!(seen.entries > 1_000, "{kind}: {seen:?}");
        match kind {
            LogKind::NginxError | LogKind::ApacheError | LogKind::PhpFpm => {
                assert!(seen.failures * 10 > seen.entries, "{kind}: {seen:?}")
            }
            _ => {
                assert!(seen.server_errors > 20, "{kind}: {seen:?}");
                assert!(seen.escapes > 0, "{kind}: {seen:?}");
            }
        }
        if kind == LogKind::NginxError {
            assert!(seen.multi_line > 0, "{seen:?}");
        }
        if matches!(kind, LogKind::NginxUpstream | LogKind::Ingress) {
            assert!(seen.retries > 10, "{kind}: {seen:?}");
            assert!(seen.redirects > 10, "{kind}: {seen:?}");
        }
    }
}

#[test]
fn same_seed_same_bytes() {
    for kind in LogKind::ALL {
        let a = generate(kind, 256 << 10, 42);
        let b = generate(kind, 256 << 10, 42);
        assert_eq!(a, b, "{kind}");
        let c = generate(kind, 256 << 10, 43);
        assert_ne!(a, c, "{kind}");
    }
}

#[test]
fn cardinality_bounds_distinct_clients() {
    let mut out = Vec::new();
    Generator::new(Options {
        kind: LogKind::NginxAccess,
        size: 2 << 20,
        seed: 3,
        cardinality: 50,
    })
    .write_to(&mut out)
    .unwrap();
    let clients: std::collections::HashSet<&[u8]> = out
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| l.split(|&b| b == b' ').next().unwrap())
        .collect();
    assert!(
        clients.len() <= 50 && clients.len() > 40,
        "{}",
        clients.len()
    );
}
