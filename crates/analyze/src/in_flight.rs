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

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::series::Series;

/// Upstreams followed: the first in byte order; the peak of others stays unknown.
pub(crate) const UPSTREAMS: usize = 64;
/// Seconds of one request counted (its last ones): long-lived connections (WebSockets)
/// cost no more than this per line.
const LONGEST: i64 = 600;

/// Per upstream address (as the access log writes it), the milliseconds requests were
/// surely in flight, per second.
#[derive(Clone, Debug, Default)]
pub struct InFlight {
    /// Each upstream's timeline, sorted by name (byte order, as a map of them is).
    upstreams: Vec<(String, Series)>,
    /// Where the upstream `add` counted into last is in `upstreams` (a hint, checked):
    /// a log's slow requests mostly go to one upstream (88 % of them on the 20 MiB nginx
    /// access bench log), found by one compare of its bytes instead of a UTF-8 check and
    /// a search by name.
    last: usize,
}

impl PartialEq for InFlight {
    fn eq(&self, other: &Self) -> bool {
        self.upstreams == other.upstreams
    }
}

// Written and read as the map of names to timelines it was before the hint.
impl Serialize for InFlight {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        #[serde(rename = "InFlight")]
        struct Repr<'a> {
            upstreams: BTreeMap<&'a str, &'a Series>,
        }
        Repr {
            upstreams: self
                .upstreams
                .iter()
                .map(|(name, series)| (name.as_str(), series))
                .collect(),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for InFlight {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(rename = "InFlight")]
        struct Repr {
            upstreams: BTreeMap<String, Series>,
        }
        let repr = Repr::deserialize(d)?;
        Ok(InFlight {
            upstreams: repr.upstreams.into_iter().collect(),
            last: 0,
        })
    }
}

impl InFlight {
    /// Counts one request to `upstream` surely in flight during `[from_ms, to_ms)` (Unix
    /// or analysis milliseconds: only differences matter).
    #[inline]
    pub fn add(&mut self, upstream: &[u8], from_ms: i64, to_ms: i64) {
        // Most requests (under a second, when the line's time is to the second) are surely
        // in flight nowhere: told inline, without a call.
        if from_ms < to_ms {
            self.add_span(upstream, from_ms, to_ms);
        }
    }

    /// [`InFlight::add`] of a request surely in flight for some time (`from_ms < to_ms`).
    fn add_span(&mut self, upstream: &[u8], from_ms: i64, to_ms: i64) {
        // The last upstream by its bytes (a name kept is UTF-8, so bytes equal to it are);
        // any other by a search, a new one added by `insert` (which checks its UTF-8).
        let index = match self.upstreams.get(self.last) {
            Some((name, _)) if name.as_bytes() == upstream => self.last,
            _ => match self.position(upstream) {
                Ok(index) => index,
                Err(_) => match self.insert(upstream) {
                    Some(index) => index,
                    None => return,
                },
            },
        };
        self.last = index;
        let Some((_, series)) = self.upstreams.get_mut(index) else {
            return;
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

    /// Where the upstream `name` is in `upstreams`, or where it would go.
    fn position(&self, name: &[u8]) -> Result<usize, usize> {
        self.upstreams
            .binary_search_by(|(kept, _)| kept.as_bytes().cmp(name))
    }

    /// Adds the timeline of a new upstream (a name that is UTF-8), unless the bound keeps
    /// it out: past [`UPSTREAMS`], the first names in byte order are kept, whatever the
    /// order of lines and shards. Where it went.
    #[cold]
    fn insert(&mut self, name: &[u8]) -> Option<usize> {
        let name = std::str::from_utf8(name).ok()?;
        if self.upstreams.len() >= UPSTREAMS {
            if self
                .upstreams
                .last()
                .is_none_or(|(last, _)| name > last.as_str())
            {
                return None;
            }
            self.upstreams.pop();
        }
        let index = self.position(name.as_bytes()).unwrap_or_else(|at| at);
        self.upstreams
            .insert(index, (name.to_owned(), Series::new(1)));
        Some(index)
    }

    /// Whether it is what `add` and `merge` could have built (for a state read from a
    /// file): at most [`UPSTREAMS`] upstreams, each timeline as [`Series::check`] wants it.
    pub(crate) fn check(&self, max_res: i64, limit: i64) -> Result<(), &'static str> {
        if self.upstreams.len() > UPSTREAMS {
            return Err("more upstreams in flight than the analysis keeps");
        }
        self.upstreams
            .iter()
            .try_for_each(|(_, series)| series.check(max_res, limit))
    }

    /// Adds another shard's milliseconds.
    pub fn merge(&mut self, other: &InFlight) {
        for (name, theirs) in &other.upstreams {
            let index = match self.position(name.as_bytes()) {
                Ok(index) => index,
                Err(at) => {
                    self.upstreams.insert(at, (name.clone(), Series::new(1)));
                    at
                }
            };
            if let Some((_, mine)) = self.upstreams.get_mut(index) {
                mine.merge(theirs);
            }
        }
        self.upstreams.truncate(UPSTREAMS);
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
            let built = f
                .upstreams
                .iter()
                .find(|(name, _)| name == "a")
                .map_or_else(|| Series::new(1), |(_, series)| series.clone());
            proptest::prop_assert_eq!(built, reference);
        }
    }

    proptest::proptest! {
        /// The last upstream's hint is a shortcut only: adding requests to one analyzer
        /// (the hint hit and missed, names added and bounded out) gives what merging each
        /// request's own one gives, which finds every name by search.
        #[test]
        fn the_last_upstream_hint_changes_nothing(
            requests in proptest::collection::vec((0usize..80, 0i64..20_000, 0i64..5_000), 1..200),
        ) {
            // Mostly a few names (the hint hits), sometimes many (past the bound), one not
            // UTF-8.
            let name = |i: usize| -> Vec<u8> {
                match i {
                    0..=9 => format!("10.0.0.{}:80", i % 3).into_bytes(),
                    10..=78 => format!("10.0.1.{i}:80").into_bytes(),
                    _ => b"\xff:80".to_vec(),
                }
            };
            let mut hinted = InFlight::default();
            let mut searched = InFlight::default();
            for &(i, from, took) in &requests {
                hinted.add(&name(i), from, from + took);
                let mut one = InFlight::default();
                one.add(&name(i), from, from + took);
                searched.merge(&one);
            }
            proptest::prop_assert_eq!(&hinted, &searched);
            proptest::prop_assert!(hinted.upstreams.len() <= UPSTREAMS);
            proptest::prop_assert!(
                hinted.upstreams.windows(2).all(|pair| pair[0].0 < pair[1].0)
            );
        }
    }

    #[test]
    fn a_state_reads_back_as_the_map_it_was_written_as() {
        let mut f = InFlight::default();
        f.add(b"b", 0, 3_000);
        f.add(b"a", 1_000, 2_500);
        let written = serde_json::to_value(&f).unwrap_or_default();
        let names: Vec<&String> = written["upstreams"]
            .as_object()
            .map(|map| map.keys().collect())
            .unwrap_or_default();
        assert_eq!(names, ["a", "b"]);
        let read: InFlight = serde_json::from_value(written).unwrap_or_default();
        assert_eq!(read, f);
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
