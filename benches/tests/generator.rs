//! The generator writes lines the matching parser reads, deterministically.

use logscan_benches::{Generator, LogKind, Options};
use std::collections::BTreeSet;

use logscan_parse::{Cause, Edge, Record};

fn generate(kind: LogKind, size: u64, seed: u64) -> Vec<u8> {
    let mut out = Vec::new();
    Generator::new(Options {
        kind,
        size,
        seed,
        cardinality: 5_000,
        healthy: None,
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
    /// Edge kinds: the products of the records and the causes of their failures.
    edges: BTreeSet<Edge>,
    edge_causes: BTreeSet<Cause>,
}

fn check(kind: LogKind, bytes: &[u8]) -> Seen {
    let mut seen = Seen::default();
    check_into(kind, bytes, &mut seen);
    seen
}

fn check_into(kind: LogKind, bytes: &[u8], seen: &mut Seen) {
    let parser = kind.parser();
    for entry in entries(kind, bytes) {
        seen.entries += 1;
        seen.multi_line += usize::from(entry.contains(&b'\n'));
        let text = String::from_utf8_lossy(&entry);
        seen.escapes += usize::from(
            text.contains("\\x")
                || text.contains("\\\"")
                || text.contains("%C3%A9")
                || text.contains("#C3#A9"),
        );
        match parser.parse(&entry) {
            Ok(Record::Error(e)) => seen.failures += usize::from(e.failure.is_some()),
            Ok(Record::Access(a)) => {
                seen.server_errors += usize::from(a.status.is_some_and(|s| s >= 500));
                seen.retries += usize::from(a.upstream.tries() > 1);
                seen.redirects += usize::from(text.contains(" : "));
            }
            Ok(Record::Edge(e)) => {
                assert!(kind.is_edge(), "{kind}: an edge record:\n{text}");
                seen.edges.insert(e.edge);
                seen.server_errors += usize::from(e.status.is_some_and(|s| s >= 500));
                if let Some(f) = e.failure {
                    seen.failures += 1;
                    seen.edge_causes.insert(f.cause);
                }
            }
            Ok(other) => {
                panic!("{kind}: a record of a kind the generator does not write: {other:?}")
            }
            Err(e) => panic!("{kind}: unrecognized entry ({e}):\n{text}"),
        }
    }
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
        let mut seen = check(kind, &bytes);
        if kind.is_edge() {
            // One seed's first incident is one cause: a few more seeds show the others.
            // Its first incident starts 15 simulated seconds in (400 requests a second).
            for seed in 2..=24 {
                let mut generator = Generator::new(Options {
                    kind,
                    size: 0,
                    seed,
                    cardinality: 5_000,
                    healthy: None,
                });
                let mut bytes = Vec::new();
                for _ in 0..8_000 {
                    generator.entry(&mut bytes);
                }
                check_into(kind, &bytes, &mut seen);
            }
        }
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
        if kind.is_edge() {
            // One product per kind, and the incidents as that product's own codes: refused,
            // timeouts, resets, passed-on origin 5xx, client aborts.
            assert_eq!(seen.edges.len(), 1, "{kind}: {seen:?}");
            assert_eq!(
                seen.edges.first().map(|e| e.id()),
                Some(kind.name()),
                "{kind}"
            );
            assert!(seen.edge_causes.len() >= 5, "{kind}: {seen:?}");
            assert!(
                seen.edge_causes.contains(&Cause::OriginErrorResponse),
                "{kind}: {seen:?}"
            );
            assert!(
                seen.edge_causes.contains(&Cause::ClientAbort),
                "{kind}: {seen:?}"
            );
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
        healthy: None,
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

/// Statuses of the access records of a generated log: (2xx/3xx, 5xx, all).
fn status_shares(kind: LogKind, healthy: Option<u8>, seed: u64) -> (usize, usize, usize) {
    let mut bytes = Vec::new();
    Generator::new(Options {
        kind,
        size: 4 << 20,
        seed,
        cardinality: 5_000,
        healthy,
    })
    .write_to(&mut bytes)
    .unwrap();
    check(kind, &bytes);
    let parser = kind.parser();
    let (mut ok, mut server_errors, mut all) = (0, 0, 0);
    for entry in entries(kind, &bytes) {
        let Ok(Record::Access(a)) = parser.parse(&entry) else {
            panic!(
                "{kind}: not an access record: {}",
                String::from_utf8_lossy(&entry)
            );
        };
        let status = a.status.unwrap_or(0);
        all += 1;
        ok += usize::from((200..400).contains(&status));
        server_errors += usize::from(status >= 500);
    }
    (ok, server_errors, all)
}

#[test]
fn healthy_sets_the_share_of_2xx_and_3xx() {
    for kind in [
        LogKind::NginxUpstream,
        LogKind::Ingress,
        LogKind::ApacheAccess,
    ] {
        let (ok, server_errors, all) = status_shares(kind, Some(99), 1);
        let share = ok as f64 / all as f64;
        // ~15,000 requests: the binomial spread of a 1% share is about 0.1%.
        assert!((0.985..=0.995).contains(&share), "{kind}: {ok} of {all}");
        assert!(server_errors > 0, "{kind}: incidents still show");
        let (ok, _, all) = status_shares(kind, Some(0), 1);
        assert_eq!(ok, 0, "{kind}: {all} requests, none healthy");
        let (ok, server_errors, all) = status_shares(kind, Some(100), 1);
        assert_eq!((ok, server_errors), (all, 0), "{kind}");
    }
    // The built-in mix is less healthy than 99%, so the option changes the input.
    let (ok, _, all) = status_shares(LogKind::NginxUpstream, None, 1);
    assert!((ok as f64 / all as f64) < 0.985, "{ok} of {all}");
}
