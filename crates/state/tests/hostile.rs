//! Bodies that pass the checksum but were not written by logscan (a crafted file, or a bug):
//! whatever postcard reads from them must merge, finish and render without a panic. The
//! `state` fuzz target does this at length; this is a quick seeded pass in every test run.

mod common;

// The `state` fuzz target's case: what is read is used the same way here and there.
#[path = "../../../fuzz/cases/state.rs"]
mod case;

use logscan_state::decode_body;

/// xorshift64*.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

#[test]
fn changed_bodies_never_panic() {
    let body = postcard::to_stdvec(&common::canonical()).unwrap();
    case::use_body(&body);
    // LOGSCAN_HOSTILE_ROUNDS=N runs longer (and LOGSCAN_HOSTILE_SEED=S elsewhere).
    let env = |name: &str, default: u64| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let mut rng = Rng(env("LOGSCAN_HOSTILE_SEED", 0x0dd_b0d1e5).max(1));
    let mut read = 0;
    for round in 0..env("LOGSCAN_HOSTILE_ROUNDS", 3_000) {
        let mut bad = body.clone();
        for _ in 0..1 + rng.next() % 4 {
            let at = (rng.next() % bad.len() as u64) as usize;
            bad[at] = match rng.next() % 4 {
                0 => rng.next() as u8,
                1 => 0xff,
                2 => 0x00,
                _ => bad[at] ^ (1 << (rng.next() % 8)),
            };
        }
        if round % 7 == 0 {
            bad.truncate((rng.next() % bad.len() as u64) as usize);
        }
        if decode_body(&bad).is_ok() {
            read += 1;
        }
        case::use_body(&bad);
    }
    assert!(
        read > 100,
        "only {read} changed bodies read: the test reaches too little"
    );
}

/// The body as written reads back as the same analyzer: a serde attribute that postcard
/// cannot honour (`skip_serializing_if`, `flatten`) breaks this first.
#[test]
fn the_canonical_body_reads_back_whole() {
    let analyzer = common::canonical();
    let body = postcard::to_stdvec(&analyzer).unwrap();
    match decode_body(&body) {
        Ok(read) => assert!(
            postcard::to_stdvec(&read).unwrap() == body,
            "the body read back is written differently"
        ),
        Err(e) => panic!("the body logscan wrote does not read back: {e}"),
    }
}

/// Inputs the `state` fuzz target found (2026-12-06), replayed as it runs them (the body
/// read, two copies merged, the report finished and written):
/// - a finding group holding more in its time series than its count: the PHP-FPM
///   correlation subtracted the series' total from the count (overflow);
/// - a timeline of requests in flight with a negative resolution, merged before any check
///   looked at it (division by zero); `Analyzer::check` now checks those timelines;
/// - an edge join mark whose times overflow the offset the join computes: `Analyzer::check`
///   now checks the edge join's marks (times, durations, offsets).
#[test]
fn fuzz_crashers_replay_without_a_panic() {
    for (name, data) in [
        (
            "state-correlate-overflow",
            &include_bytes!("fuzz/state-correlate-overflow")[..],
        ),
        (
            "state-in-flight-resolution",
            &include_bytes!("fuzz/state-in-flight-resolution")[..],
        ),
        (
            "state-edge-join-offsets",
            &include_bytes!("fuzz/state-edge-join-offsets")[..],
        ),
    ] {
        assert_eq!(data[0] % 2, 1, "{name} is a decompressed body");
        case::run(data);
    }
}
