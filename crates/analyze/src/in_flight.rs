//! How many requests each upstream had in flight at once, from the access log: the
//! evidence that a pool's `pm.max_children` (or any backend's worker limit) was below what
//! the web server sent it.
//!
//! An access line gives a request's end (nginx `$time_local`, to the second) or start
//! (Apache `%t`) and how long it took. From those, each request is placed on the time axis
//! only where it was *surely* in flight: a line stamped 12:00:07 with `$request_time` 3.0
//! ended somewhere in [07.000, 08.000) and so was surely in flight during [05.000, 07.000).
//! Time is cut into 100 ms buckets; a bucket counts the requests surely in flight over all
//! of it. So the peak is a lower bound: never more requests than were really in flight at
//! once (a request seen by two shards is in one shard's chunk only; retried requests and
//! lines further back than the window are left out, which can only lower it).
//!
//! Memory: one ring of [`SLOTS`] buckets per upstream, for at most [`UPSTREAMS`]
//! upstreams; a state file keeps only the peaks, and shards merge by taking the larger.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Bucket width, in milliseconds.
const BUCKET_MS: i64 = 100;
/// Buckets kept per upstream (a minute): a request longer than that counts in its last
/// minute only, and lines more than a minute out of order are not counted.
const SLOTS: usize = 600;
/// Upstreams followed: the first in byte order; the peak of others stays unknown.
pub(crate) const UPSTREAMS: usize = 64;

/// Per upstream address (as the access log writes it), the most requests surely in flight
/// at once.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct InFlight {
    upstreams: BTreeMap<String, Upstream>,
}

impl PartialEq for InFlight {
    fn eq(&self, other: &Self) -> bool {
        self.peaks().eq(other.peaks())
    }
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct Upstream {
    peak: u32,
    /// Buckets of the last minute seen; not kept in a state (the peak says what matters).
    #[serde(skip)]
    ring: Ring,
}

#[derive(Clone, Debug, Default)]
struct Ring {
    /// The first bucket the ring holds.
    base: i64,
    counts: Vec<u16>,
}

impl InFlight {
    /// Counts one request to `upstream` surely in flight during `[from_ms, to_ms)` (Unix
    /// or analysis milliseconds: only differences matter).
    pub fn add(&mut self, upstream: &[u8], from_ms: i64, to_ms: i64) {
        let Ok(name) = std::str::from_utf8(upstream) else {
            return;
        };
        // Whole buckets inside the interval.
        let first = from_ms.div_euclid(BUCKET_MS) + i64::from(from_ms.rem_euclid(BUCKET_MS) != 0);
        let end = to_ms.div_euclid(BUCKET_MS);
        if first >= end {
            return;
        }
        if !self.upstreams.contains_key(name) {
            // Past the bound, the first names in byte order are kept, whatever the order of
            // lines and shards (a name dropped and seen again starts from 0: still a lower
            // bound).
            if self.upstreams.len() >= UPSTREAMS {
                if self
                    .upstreams
                    .last_key_value()
                    .is_none_or(|(last, _)| name > last.as_str())
                {
                    return;
                }
                self.upstreams.pop_last();
            }
            self.upstreams.insert(name.to_owned(), Upstream::default());
        }
        let Some(entry) = self.upstreams.get_mut(name) else {
            return;
        };
        let peak = entry.ring.add(first, end);
        entry.peak = entry.peak.max(peak);
    }

    /// Adds another shard's peaks (the larger of each).
    pub fn merge(&mut self, other: &InFlight) {
        for (name, theirs) in &other.upstreams {
            match self.upstreams.get_mut(name) {
                Some(mine) => mine.peak = mine.peak.max(theirs.peak),
                None => {
                    self.upstreams.insert(
                        name.clone(),
                        Upstream {
                            peak: theirs.peak,
                            ring: Ring::default(),
                        },
                    );
                }
            }
        }
        while self.upstreams.len() > UPSTREAMS {
            self.upstreams.pop_last();
        }
    }

    /// Each upstream and its peak, by name.
    pub fn peaks(&self) -> impl Iterator<Item = (&str, u32)> {
        self.upstreams
            .iter()
            .filter(|(_, u)| u.peak > 0)
            .map(|(name, u)| (name.as_str(), u.peak))
    }
}

impl Ring {
    /// Counts buckets `first..end`; returns the largest count among them.
    fn add(&mut self, first: i64, end: i64) -> u32 {
        const WIDTH: i64 = SLOTS as i64;
        let first = first.max(end.saturating_sub(WIDTH));
        if self.counts.is_empty() {
            self.counts = vec![0; SLOTS];
            self.base = first;
        }
        // Slide forward so that `end - 1` is the last bucket held.
        let top = self.base.saturating_add(WIDTH);
        if end > top {
            let new_base = end - WIDTH;
            if new_base.saturating_sub(self.base) >= WIDTH {
                self.counts.fill(0);
            } else {
                for b in self.base..new_base {
                    self.counts[slot(b)] = 0;
                }
            }
            self.base = new_base;
        }
        let mut peak = 0;
        for b in first.max(self.base)..end {
            let c = &mut self.counts[slot(b)];
            *c = c.saturating_add(1);
            peak = peak.max(u32::from(*c));
        }
        peak
    }
}

fn slot(bucket: i64) -> usize {
    // rem_euclid of a positive width is in 0..SLOTS.
    usize::try_from(bucket.rem_euclid(SLOTS as i64)).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peak(f: &InFlight, name: &str) -> u32 {
        f.peaks().find(|p| p.0 == name).map_or(0, |p| p.1)
    }

    #[test]
    fn overlapping_requests_count_together_and_separate_ones_do_not() {
        let mut f = InFlight::default();
        f.add(b"a", 0, 3_000);
        f.add(b"a", 1_000, 2_000);
        f.add(b"a", 2_500, 4_000);
        assert_eq!(peak(&f, "a"), 2);
        // Back to back: [4000, 5000) and [5000, 6000) never overlap.
        let mut g = InFlight::default();
        g.add(b"b", 4_000, 5_000);
        g.add(b"b", 5_000, 6_000);
        assert_eq!(peak(&g, "b"), 1);
    }

    #[test]
    fn only_whole_buckets_count_so_a_short_interval_counts_nothing() {
        let mut f = InFlight::default();
        f.add(b"a", 1_050, 1_120);
        f.add(b"a", 1_050, 1_120);
        assert_eq!(peak(&f, "a"), 0);
        assert_eq!(f.peaks().count(), 0);
    }

    #[test]
    fn the_ring_slides_and_forgets_what_is_older_than_a_minute() {
        let mut f = InFlight::default();
        f.add(b"a", 0, 1_000);
        // Two minutes later: the first request's buckets are gone, not counted again.
        f.add(b"a", 120_000, 121_000);
        f.add(b"a", 120_500, 121_000);
        assert_eq!(peak(&f, "a"), 2);
        // A line a minute out of order is not counted (the peak can only be too low).
        f.add(b"a", 0, 1_000);
        assert_eq!(peak(&f, "a"), 2);
        // A request longer than the ring counts in its last minute.
        let mut g = InFlight::default();
        g.add(b"b", 0, 600_000);
        g.add(b"b", 10_000, 11_000);
        g.add(b"b", 599_000, 600_000);
        assert_eq!(peak(&g, "b"), 2);
    }

    #[test]
    fn upstreams_are_bounded_and_merge_takes_the_larger_peak() {
        let mut f = InFlight::default();
        for i in 0..(UPSTREAMS + 10) {
            f.add(format!("10.0.0.{i}:80").as_bytes(), 0, 1_000);
        }
        assert_eq!(f.peaks().count(), UPSTREAMS);
        // The kept ones are the first names in byte order, whatever the order of lines.
        let mut r = InFlight::default();
        for i in (0..(UPSTREAMS + 10)).rev() {
            r.add(format!("10.0.0.{i}:80").as_bytes(), 0, 1_000);
        }
        assert_eq!(f, r);
        let mut a = InFlight::default();
        a.add(b"x", 0, 1_000);
        a.add(b"x", 0, 1_000);
        let mut b = InFlight::default();
        for _ in 0..3 {
            b.add(b"x", 50_000, 51_000);
        }
        b.add(b"y", 0, 1_000);
        let mut ab = a.clone();
        ab.merge(&b);
        let mut ba = b.clone();
        ba.merge(&a);
        assert_eq!(ab, ba);
        assert_eq!((peak(&ab, "x"), peak(&ab, "y")), (3, 1));
        // Not UTF-8: not counted.
        a.add(b"\xff", 0, 1_000);
        assert_eq!(a.peaks().count(), 1);
    }

    #[test]
    fn far_and_negative_times_do_not_overflow() {
        let mut f = InFlight::default();
        f.add(b"a", i64::MIN / 2, i64::MIN / 2 + 1_000);
        f.add(b"a", i64::MAX / 2, i64::MAX / 2 + 1_000);
        f.add(b"a", -5_000, -4_000);
        assert!(peak(&f, "a") >= 1);
    }
}
