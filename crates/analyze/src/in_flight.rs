//! How many requests each upstream had in flight at once, from the access log: the
//! evidence that a pool's `pm.max_children` (or any backend's worker limit) was below what
//! the web server sent it.
//!
//! An access line gives a request's end (nginx `$time_local`, to the second) or start
//! (Apache `%t`) and how long it took. From those, each request is placed on the time axis
//! only where it was *surely* in flight: a line stamped 12:00:07 with `$request_time` 3.0
//! ended somewhere in [07.000, 08.000) and so was surely in flight during [05.000, 07.000).
//! Each second-long bucket adds up the milliseconds requests were surely in flight in it;
//! divided by the bucket's length that is the average number in flight over the bucket,
//! and the largest average is a lower bound of the most in flight at once (never more than
//! were really in flight). Millisecond sums add up, so shards and state files merge to
//! exactly what one pass gives.
//!
//! Memory: one [`Series`] per upstream (at most [`MAX_BUCKETS`] buckets: it coarsens over
//! long spans, which averages over longer buckets and lowers the bound), for the first
//! [`UPSTREAMS`] upstream names in byte order; a request counts in its last
//! [`LONGEST`] seconds at most.
//!
//! [`MAX_BUCKETS`]: crate::series::MAX_BUCKETS

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::series::Series;

/// Upstreams followed: the first in byte order; the peak of others stays unknown.
pub(crate) const UPSTREAMS: usize = 64;
/// Seconds of one request counted (its last ones): long-lived connections (WebSockets)
/// cost no more than this per line.
const LONGEST: i64 = 600;

/// Per upstream address (as the access log writes it), the milliseconds requests were
/// surely in flight, per second.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct InFlight {
    upstreams: BTreeMap<String, Series>,
}

impl InFlight {
    /// Counts one request to `upstream` surely in flight during `[from_ms, to_ms)` (Unix
    /// or analysis milliseconds: only differences matter).
    pub fn add(&mut self, upstream: &[u8], from_ms: i64, to_ms: i64) {
        // Most requests (under a second, when the line's time is to the second) are surely
        // in flight nowhere.
        if from_ms >= to_ms {
            return;
        }
        let Ok(name) = std::str::from_utf8(upstream) else {
            return;
        };
        // A known upstream is found by one lookup; a new one is added by `insert`.
        let series = match self.upstreams.get_mut(name) {
            Some(series) => series,
            None => match self.insert(name) {
                Some(series) => series,
                None => return,
            },
        };
        let last = (to_ms - 1).div_euclid(1_000);
        let first = from_ms.div_euclid(1_000).max(last - (LONGEST - 1));
        // Only the two ends can be partial seconds; the run between them is full seconds,
        // added in one step (a 60 s timeout is 60 buckets).
        let overlap = |second: i64| {
            let start = second.saturating_mul(1_000);
            u64::try_from(to_ms.min(start.saturating_add(1_000)) - from_ms.max(start)).ok()
        };
        if let Some(ms) = overlap(first) {
            series.add(first, ms);
        }
        if last > first {
            series.add_each_second(first + 1, last - 1, 1_000);
            if let Some(ms) = overlap(last) {
                series.add(last, ms);
            }
        }
    }

    /// Adds the timeline of a new upstream, unless the bound keeps it out: past
    /// [`UPSTREAMS`], the first names in byte order are kept, whatever the order of lines
    /// and shards.
    #[cold]
    fn insert(&mut self, name: &str) -> Option<&mut Series> {
        if self.upstreams.len() >= UPSTREAMS {
            if self
                .upstreams
                .last_key_value()
                .is_none_or(|(last, _)| name > last.as_str())
            {
                return None;
            }
            self.upstreams.pop_last();
        }
        Some(
            self.upstreams
                .entry(name.to_owned())
                .or_insert_with(|| Series::new(1)),
        )
    }

    /// Whether it is what `add` and `merge` could have built (for a state read from a
    /// file): at most [`UPSTREAMS`] upstreams, each timeline as [`Series::check`] wants it.
    pub(crate) fn check(&self, max_res: i64, limit: i64) -> Result<(), &'static str> {
        if self.upstreams.len() > UPSTREAMS {
            return Err("more upstreams in flight than the analysis keeps");
        }
        self.upstreams
            .values()
            .try_for_each(|series| series.check(max_res, limit))
    }

    /// Adds another shard's milliseconds.
    pub fn merge(&mut self, other: &InFlight) {
        for (name, theirs) in &other.upstreams {
            self.upstreams
                .entry(name.clone())
                .or_insert_with(|| Series::new(1))
                .merge(theirs);
        }
        while self.upstreams.len() > UPSTREAMS {
            self.upstreams.pop_last();
        }
    }

    /// Each upstream and the most requests it surely had in flight at once (the largest
    /// average over a bucket, rounded down), by name; upstreams where that is 0 are left
    /// out.
    pub fn peaks(&self) -> impl Iterator<Item = (&str, u32)> {
        self.upstreams.iter().filter_map(|(name, series)| {
            let width = u64::try_from(series.resolution()).unwrap_or(1).max(1) * 1_000;
            let peak = series.buckets().map(|(_, ms)| ms / width).max()?;
            (peak > 0).then(|| (name.as_str(), u32::try_from(peak).unwrap_or(u32::MAX)))
        })
    }
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
        f.add(b"a", 2_000, 4_000);
        assert_eq!(peak(&f, "a"), 2);
        // Back to back: [4000, 5000) and [5000, 6000) never overlap.
        let mut g = InFlight::default();
        g.add(b"b", 4_000, 5_000);
        g.add(b"b", 5_000, 6_000);
        assert_eq!(peak(&g, "b"), 1);
        // Two halves of one second average to one.
        let mut h = InFlight::default();
        h.add(b"c", 0, 500);
        h.add(b"c", 500, 1_000);
        assert_eq!(peak(&h, "c"), 1);
    }

    #[test]
    fn an_empty_or_short_interval_counts_nothing_alone() {
        let mut f = InFlight::default();
        f.add(b"a", 1_050, 1_120);
        f.add(b"a", 2_000, 1_000);
        assert_eq!(f.peaks().count(), 0);
    }

    #[test]
    fn a_long_request_counts_in_its_last_ten_minutes() {
        let mut f = InFlight::default();
        f.add(b"a", 0, 1_200_000);
        f.add(b"a", 100_000, 101_000);
        assert_eq!(peak(&f, "a"), 1);
        f.add(b"a", 1_199_000, 1_200_000);
        assert_eq!(peak(&f, "a"), 2);
    }

    #[test]
    fn shards_merge_to_the_one_pass_result_in_any_order() {
        let requests = [
            (0, 2_500),
            (700, 3_000),
            (1_200, 1_900),
            (2_000, 9_000),
            (8_500, 9_000),
        ];
        let mut whole = InFlight::default();
        for &(a, b) in &requests {
            whole.add(b"x", a, b);
        }
        let mut shards: Vec<InFlight> = requests
            .iter()
            .map(|&(a, b)| {
                let mut s = InFlight::default();
                s.add(b"x", a, b);
                s
            })
            .collect();
        let mut forward = InFlight::default();
        for s in &shards {
            forward.merge(s);
        }
        shards.reverse();
        let mut backward = InFlight::default();
        for s in &shards {
            backward.merge(s);
        }
        assert_eq!(forward, whole);
        assert_eq!(backward, whole);
        assert_eq!(peak(&whole, "x"), 2);
    }

    #[test]
    fn upstreams_are_bounded_to_the_first_names_in_any_order() {
        let mut f = InFlight::default();
        for i in 0..(UPSTREAMS + 10) {
            f.add(format!("10.0.0.{i}:80").as_bytes(), 0, 1_000);
        }
        assert_eq!(f.peaks().count(), UPSTREAMS);
        let mut r = InFlight::default();
        for i in (0..(UPSTREAMS + 10)).rev() {
            r.add(format!("10.0.0.{i}:80").as_bytes(), 0, 1_000);
        }
        assert_eq!(f, r);
        let mut halves = InFlight::default();
        let (mut a, mut b) = (InFlight::default(), InFlight::default());
        for i in 0..(UPSTREAMS + 10) {
            let half = if i % 2 == 0 { &mut a } else { &mut b };
            half.add(format!("10.0.0.{i}:80").as_bytes(), 0, 1_000);
        }
        halves.merge(&b);
        halves.merge(&a);
        assert_eq!(halves, f);
        // Not UTF-8: not counted.
        let mut g = InFlight::default();
        g.add(b"\xff", 0, 1_000);
        assert_eq!(g.peaks().count(), 0);
    }

    proptest::proptest! {
        #[test]
        fn requests_count_as_their_seconds_added_one_by_one(
            requests in proptest::collection::vec((-90_000i64..90_000, 0i64..700_000), 1..12),
        ) {
            let mut f = InFlight::default();
            let mut reference = Series::new(1);
            for &(from, took) in &requests {
                f.add(b"a", from, from + took);
                if took == 0 {
                    continue;
                }
                let last = (from + took - 1).div_euclid(1_000);
                for second in from.div_euclid(1_000).max(last - (LONGEST - 1))..=last {
                    let start = second * 1_000;
                    let ms = (from + took).min(start + 1_000) - from.max(start);
                    reference.add(second, u64::try_from(ms).unwrap_or(0));
                }
            }
            let built = f.upstreams.get("a").cloned().unwrap_or_else(|| Series::new(1));
            proptest::prop_assert_eq!(built, reference);
        }
    }

    #[test]
    fn far_and_negative_times_do_not_overflow() {
        let mut f = InFlight::default();
        f.add(b"a", i64::MIN / 2, i64::MIN / 2 + 1_000);
        f.add(b"a", i64::MAX / 2, i64::MAX / 2 + 1_000);
        f.add(b"a", -5_000, -4_000);
        // Averaged over buckets as wide as that span: never more than were in flight.
        assert!(peak(&f, "a") <= 1);
    }
}
