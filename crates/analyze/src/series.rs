//! Event counts over time with a bounded number of buckets.
//!
//! A [`Series`] starts at its finest resolution and coarsens (1 s, 5 s, 10 s, 30 s, 1 min,
//! ... 1 week, then doubling) whenever its span would need more than [`MAX_BUCKETS`]
//! buckets. Every resolution divides the next one and buckets are aligned to the epoch, so
//! coarsening is exact and two series always merge to the same result in any order.

use serde::{Deserialize, Serialize};

/// Most buckets a series keeps.
pub const MAX_BUCKETS: usize = 2048;

/// The default resolution ladder, in seconds; each step divides the next.
const LADDER: [i64; 14] = [
    1, 5, 10, 30, 60, 300, 600, 1_800, 3_600, 7_200, 21_600, 43_200, 86_400, 604_800,
];

/// The next coarser resolution after `res` seconds.
pub fn coarser(res: i64) -> i64 {
    match LADDER.iter().position(|&step| step == res) {
        Some(i) => LADDER.get(i + 1).copied().unwrap_or(res.saturating_mul(2)),
        None => res.saturating_mul(2),
    }
}

/// The smallest resolution reachable from `base` (by [`coarser`] steps) that is at least `at_least`.
pub fn resolution_at_least(base: i64, at_least: i64) -> i64 {
    let mut res = base.max(1);
    while res < at_least {
        res = coarser(res);
    }
    res
}

/// Counts per time bucket.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Series {
    /// Bucket width in seconds.
    res: i64,
    /// Bucket index (time / res) of `counts[0]`.
    start: i64,
    counts: Vec<u64>,
    /// The bucket [`Series::add`] counted into last: events come in time order, so the
    /// next one nearly always falls in it, found by two compares instead of a division.
    /// A hint only (not state): emptied by whatever moves the buckets.
    #[serde(skip)]
    held: Held,
}

/// The seconds `[from, to)` of a held bucket and its place in `counts`; the default,
/// `[0, 0)`, holds no second.
#[derive(Clone, Copy, Debug, Default)]
struct Held {
    from: i64,
    to: i64,
    slot: usize,
}

impl PartialEq for Series {
    /// The same buckets (whatever bucket `add` counted into last).
    fn eq(&self, other: &Series) -> bool {
        self.res == other.res && self.start == other.start && self.counts == other.counts
    }
}

impl Eq for Series {}

impl Series {
    /// An empty series whose finest resolution is `base` seconds.
    pub fn new(base: i64) -> Series {
        Series {
            res: base.max(1),
            start: 0,
            counts: Vec::new(),
            held: Held::default(),
        }
    }

    /// Bucket width in seconds.
    pub fn resolution(&self) -> i64 {
        self.res
    }

    /// Buckets held.
    pub fn len(&self) -> usize {
        self.counts.len()
    }

    /// Whether nothing was counted.
    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    /// Total of all buckets.
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// `[first second, last second + 1)` covered by non-empty buckets' range.
    pub fn span(&self) -> Option<(i64, i64)> {
        if self.counts.is_empty() {
            return None;
        }
        let end = self.start + self.counts.len() as i64;
        Some((self.start * self.res, end * self.res))
    }

    /// Counts `n` events at time `t` (seconds).
    #[inline]
    pub fn add(&mut self, t: i64, n: u64) {
        // Almost every event falls in the bucket counted into last, or another one already
        // held (lines come in time order): no growth or coarsening to check. This part is
        // inlined into the callers (three series an error-log failure, one or two an access
        // line); the rest is a call.
        let held = self.held;
        if t >= held.from && t < held.to {
            if let Some(c) = self.counts.get_mut(held.slot) {
                *c += n;
                return;
            }
        }
        self.add_unheld(t, n);
    }

    /// [`Series::add`] for a time outside the bucket counted into last: finds its bucket
    /// by division (and holds it), or grows or coarsens the series.
    #[inline(never)]
    fn add_unheld(&mut self, t: i64, n: u64) {
        let idx = t.div_euclid(self.res);
        let slot = idx
            .checked_sub(self.start)
            .and_then(|slot| usize::try_from(slot).ok());
        if let Some((slot, c)) = slot.and_then(|slot| Some((slot, self.counts.get_mut(slot)?))) {
            *c += n;
            // A bucket's seconds; one that does not fit an `i64` is not held.
            if let Some(from) = idx.checked_mul(self.res) {
                self.held = Held {
                    from,
                    to: from.saturating_add(self.res),
                    slot,
                };
            }
            return;
        }
        self.add_outside(t, n);
    }

    /// [`Series::add`] for a time outside the buckets held: grows or coarsens the series.
    fn add_outside(&mut self, t: i64, n: u64) {
        if n == 0 {
            return;
        }
        self.held = Held::default();
        if self.counts.is_empty() {
            self.start = t.div_euclid(self.res);
            self.counts.push(n);
            return;
        }
        loop {
            let idx = t.div_euclid(self.res);
            let end = self.start + self.counts.len() as i64;
            let new_start = self.start.min(idx);
            let new_end = end.max(idx + 1);
            if new_end - new_start > MAX_BUCKETS as i64 {
                self.coarsen_to(coarser(self.res));
                continue;
            }
            if idx < self.start {
                let grow = (self.start - idx) as usize;
                self.counts.splice(0..0, std::iter::repeat_n(0, grow));
                self.start = idx;
            } else if idx >= end {
                self.counts.resize((idx - self.start + 1) as usize, 0);
            }
            let slot = (idx - self.start) as usize;
            if let Some(c) = self.counts.get_mut(slot) {
                *c += n;
            }
            return;
        }
    }

    /// Counts `n` events at every second of `first..=last`: the same series as
    /// [`Series::add`] called once per second, with one resolution check for the run and
    /// one addition per bucket.
    pub fn add_each_second(&mut self, first: i64, last: i64, n: u64) {
        if n == 0 || first > last {
            return;
        }
        self.held = Held::default();
        if self.counts.is_empty() {
            self.start = first.div_euclid(self.res);
            self.counts.push(0);
        }
        // Coarsen as the one-by-one adds would: until the union of what is held and the
        // run fits (coarsening is exact, so the order of the adds never mattered).
        loop {
            let lo = first.div_euclid(self.res);
            let hi = last.div_euclid(self.res);
            let end = self.start + self.counts.len() as i64;
            let new_start = self.start.min(lo);
            let new_end = end.max(hi + 1);
            if new_end - new_start > MAX_BUCKETS as i64 {
                self.coarsen_to(coarser(self.res));
                continue;
            }
            if lo < self.start {
                let grow = (self.start - lo) as usize;
                self.counts.splice(0..0, std::iter::repeat_n(0, grow));
                self.start = lo;
            }
            if hi >= end {
                self.counts.resize((hi - self.start + 1) as usize, 0);
            }
            let res = self.res;
            if res == 1 {
                // One second a bucket: a plain run of slots.
                let from = (lo - self.start) as usize;
                let to = (hi - self.start) as usize;
                if let Some(run) = self.counts.get_mut(from..=to) {
                    run.iter_mut().for_each(|c| *c += n);
                }
                return;
            }
            for idx in lo..=hi {
                let from = first.max(idx * res);
                let to = last.min(idx * res + res - 1);
                let seconds = u64::try_from(to - from + 1).unwrap_or(0);
                if let Some(c) = self.counts.get_mut((idx - self.start) as usize) {
                    *c += n * seconds;
                }
            }
            return;
        }
    }

    /// Re-buckets to the coarser resolution `res` (must be reachable by [`coarser`] steps).
    pub fn coarsen_to(&mut self, res: i64) {
        if res <= self.res {
            return;
        }
        self.held = Held::default();
        let factor = res / self.res;
        if self.counts.is_empty() {
            self.res = res;
            return;
        }
        let new_start = self.start.div_euclid(factor);
        let last = (self.start + self.counts.len() as i64 - 1).div_euclid(factor);
        let mut folded = vec![0u64; (last - new_start + 1) as usize];
        fold_into(
            &mut folded,
            0,
            &self.counts,
            self.start.rem_euclid(factor),
            factor,
        );
        self.res = res;
        self.start = new_start;
        self.counts = folded;
    }

    /// Adds another series into this one (same result in any order).
    pub fn merge(&mut self, other: &Series) {
        if other.counts.is_empty() {
            if other.res > self.res {
                self.coarsen_to(other.res);
            }
            return;
        }
        self.coarsen_to(self.res.max(other.res));
        // Only the other's non-empty buckets count (an add of nothing changes nothing).
        let Some(first) = other.counts.iter().position(|&c| c != 0) else {
            return;
        };
        let last = other.counts.iter().rposition(|&c| c != 0).unwrap_or(first);
        let from = (other.start + first as i64) * other.res;
        let to = (other.start + last as i64) * other.res;
        // Adding the other's buckets one by one coarsens this series one ladder step
        // whenever what it holds and the bucket added span more than MAX_BUCKETS: it ends
        // at the finest resolution from here whose buckets hold the union, found at once.
        let (mut lo, mut hi) = (from, to);
        if !self.counts.is_empty() {
            lo = lo.min(self.start * self.res);
            hi = hi.max((self.start + self.counts.len() as i64 - 1) * self.res);
        }
        let mut res = self.res;
        while hi.div_euclid(res) - lo.div_euclid(res) >= MAX_BUCKETS as i64 {
            res = coarser(res);
        }
        self.coarsen_to(res);
        self.held = Held::default();
        let (lo, hi) = (lo.div_euclid(res), hi.div_euclid(res));
        if self.counts.is_empty() {
            self.start = lo;
        }
        if lo < self.start {
            let grow = (self.start - lo) as usize;
            self.counts.splice(0..0, std::iter::repeat_n(0, grow));
            self.start = lo;
        }
        self.counts.resize((hi - self.start + 1) as usize, 0);
        let per = res / other.res;
        let at = other.start + first as i64;
        fold_into(
            &mut self.counts,
            (at.div_euclid(per) - self.start) as usize,
            other.counts.get(first..=last).unwrap_or_default(),
            at.rem_euclid(per),
            per,
        );
    }

    /// Counts on the grid `[start + i * window, start + (i + 1) * window)` for `i < n`,
    /// where `window` is a multiple of this series' resolution and `start` aligned to it.
    pub fn regrid(&self, start: i64, window: i64, n: usize) -> Vec<u64> {
        let mut out = vec![0u64; n];
        if window <= 0 {
            return out;
        }
        for (i, &c) in self.counts.iter().enumerate() {
            let t = (self.start + i as i64) * self.res;
            let idx = (t - start).div_euclid(window);
            if idx >= 0 {
                if let Some(slot) = out.get_mut(idx as usize) {
                    *slot += c;
                }
            }
        }
        out
    }

    /// Non-empty buckets as `(bucket start second, count)`.
    pub fn buckets(&self) -> impl Iterator<Item = (i64, u64)> + '_ {
        self.counts
            .iter()
            .enumerate()
            .filter(|(_, c)| **c > 0)
            .map(|(i, &c)| ((self.start + i as i64) * self.res, c))
    }

    /// Moves the counts of buckets whose start lies in `[from, to)` out of this series and
    /// returns them as a new series of the same resolution.
    pub fn take_range(&mut self, from: i64, to: i64) -> Series {
        let mut taken = Series::new(self.res);
        for (i, c) in self.counts.iter_mut().enumerate() {
            let t = (self.start + i as i64) * self.res;
            if t >= from && t < to && *c > 0 {
                taken.add(t, *c);
                *c = 0;
            }
        }
        self.trim();
        taken
    }

    /// Removes another series' counts from this one (saturating at zero per bucket).
    pub fn subtract(&mut self, other: &Series) {
        let mut other = other.clone();
        let res = self.res.max(other.res);
        self.coarsen_to(res);
        other.coarsen_to(res);
        for (t, n) in other.buckets() {
            let idx = t.div_euclid(self.res) - self.start;
            if let Some(slot) = usize::try_from(idx)
                .ok()
                .and_then(|i| self.counts.get_mut(i))
            {
                *slot = slot.saturating_sub(n);
            }
        }
        self.trim();
    }

    /// Sum of buckets whose start lies in `[from, to)`.
    pub fn count_in(&self, from: i64, to: i64) -> u64 {
        self.buckets()
            .filter(|(t, _)| *t >= from && *t < to)
            .map(|(_, c)| c)
            .sum()
    }

    fn trim(&mut self) {
        self.held = Held::default();
        let lead = self.counts.iter().take_while(|c| **c == 0).count();
        if lead == self.counts.len() {
            self.counts.clear();
            self.start = 0;
            return;
        }
        self.counts.drain(..lead);
        self.start += lead as i64;
        while self.counts.last() == Some(&0) {
            self.counts.pop();
        }
    }
}

/// Adds `fine` buckets, `per` of them to a bucket of `into` (a resolution divides every
/// coarser one), into `into` from its slot `slot`, the first of them the `within`-th of its
/// bucket: no division a bucket, and one addition a bucket at the same resolution.
fn fold_into(into: &mut [u64], slot: usize, fine: &[u64], within: i64, per: i64) {
    if per == 1 {
        let to = into.get_mut(slot..).unwrap_or_default();
        for (mine, &c) in to.iter_mut().zip(fine) {
            *mine += c;
        }
        return;
    }
    // The first bucket's share (the rest of its bucket), then `per` at a time.
    let head = usize::try_from(per - within).unwrap_or(0).min(fine.len());
    let (first, rest) = fine.split_at(head);
    let per = usize::try_from(per).unwrap_or(1);
    let sums = std::iter::once(first).chain(rest.chunks(per));
    for (mine, part) in into
        .get_mut(slot..)
        .unwrap_or_default()
        .iter_mut()
        .zip(sums)
    {
        *mine += part.iter().sum::<u64>();
    }
}

impl Series {
    /// Whether the series is one `add` and `merge` could have built (for a state read from
    /// a file): a resolution of 1 s to `max_res`, at most [`MAX_BUCKETS`] buckets, times
    /// within `limit` seconds of the epoch, counts that cannot overflow when added up.
    pub(crate) fn check(&self, max_res: i64, limit: i64) -> Result<(), &'static str> {
        if !(1..=max_res).contains(&self.res) {
            return Err("a timeline resolution out of range");
        }
        if self.counts.len() > MAX_BUCKETS {
            return Err("a timeline longer than its limit");
        }
        let first = self.start.checked_mul(self.res);
        let end = (self.start.checked_add(self.counts.len() as i64))
            .and_then(|e| e.checked_mul(self.res));
        match (first, end) {
            (Some(f), Some(e)) if f >= -limit && e <= limit => {}
            _ if self.counts.is_empty() => {}
            _ => return Err("a timeline out of the time range"),
        }
        crate::limits::sum(self.counts.iter().copied()).map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn coarsens_when_the_span_grows() {
        let mut s = Series::new(1);
        s.add(0, 1);
        s.add(100, 2);
        assert_eq!(s.resolution(), 1);
        s.add(10_000, 3);
        assert!(s.resolution() >= 5);
        assert_eq!(s.total(), 6);
        assert!(s.counts.len() <= MAX_BUCKETS);
    }

    #[test]
    fn regrid_and_ranges() {
        let mut s = Series::new(1);
        for t in 0..120 {
            s.add(t, 1);
        }
        assert_eq!(s.regrid(0, 60, 2), vec![60, 60]);
        assert_eq!(s.count_in(30, 90), 60);
        let taken = s.take_range(0, 30);
        assert_eq!(taken.total(), 30);
        assert_eq!(s.total(), 90);
        assert_eq!(s.span(), Some((30, 120)));
    }

    #[test]
    fn ladder_steps_divide() {
        let mut res = 1;
        for _ in 0..30 {
            let next = coarser(res);
            assert_eq!(next % res, 0);
            res = next;
        }
        assert_eq!(resolution_at_least(1, 45), 60);
        assert_eq!(resolution_at_least(45, 45), 45);
        assert_eq!(coarser(45), 90);
    }

    /// A series at 1, 5 or 60 s (maybe coarsened further by its span), counted by `add` or
    /// written as a state could hold it, with buckets of nothing at its ends.
    fn series_strategy() -> impl Strategy<Value = Series> {
        (
            prop::sample::select(vec![1i64, 5, 60]),
            prop::collection::vec((-20_000i64..20_000, 0u64..3), 0..40),
            prop::option::of((0usize..3, 0usize..3)),
            0i64..4_000,
        )
            .prop_map(|(base, adds, padded, spread)| {
                let mut s = Series::new(base);
                for (t, n) in adds {
                    s.add(t * (1 + spread / 100), n);
                }
                if let Some((before, after)) = padded {
                    if !s.counts.is_empty() && s.counts.len() + before + after <= MAX_BUCKETS {
                        s.counts.splice(0..0, std::iter::repeat_n(0, before));
                        s.start -= before as i64;
                        s.counts.resize(s.counts.len() + after, 0);
                        s.held = Held::default();
                    }
                }
                s
            })
    }

    proptest! {
        #[test]
        fn a_run_of_seconds_is_the_seconds_added_one_by_one(
            before in prop::collection::vec((-50_000i64..50_000, 1u64..5), 0..20),
            first in -50_000i64..50_000, len in 0i64..700, n in 0u64..1_500,
        ) {
            let mut one_by_one = Series::new(1);
            let mut run = Series::new(1);
            for &(t, k) in &before {
                one_by_one.add(t, k);
                run.add(t, k);
            }
            for t in first..first + len {
                one_by_one.add(t, n);
            }
            run.add_each_second(first, first + len - 1, n);
            prop_assert_eq!(run, one_by_one);
        }

        #[test]
        fn merge_is_order_independent(
            events in prop::collection::vec((-5_000_000i64..5_000_000, 1u64..5), 1..200),
            cut_a in 0usize..200, cut_b in 0usize..200,
        ) {
            let (a, b) = (cut_a.min(events.len()), cut_b.min(events.len()));
            let (lo, hi) = (a.min(b), a.max(b));
            let build = |part: &[(i64, u64)]| {
                let mut s = Series::new(1);
                for &(t, n) in part { s.add(t, n); }
                s
            };
            let whole = build(&events);
            let (p1, p2, p3) = (build(&events[..lo]), build(&events[lo..hi]), build(&events[hi..]));
            let mut left = p1.clone();
            left.merge(&p2);
            left.merge(&p3);
            let mut right = p3.clone();
            right.merge(&p1);
            right.merge(&p2);
            prop_assert_eq!(&left, &right);
            prop_assert_eq!(left.total(), whole.total());
            prop_assert!(left.counts.len() <= MAX_BUCKETS);
            // Same as the whole once brought to the same resolution.
            let mut w = whole.clone();
            let res = w.resolution().max(left.resolution());
            w.coarsen_to(res);
            left.coarsen_to(res);
            prop_assert_eq!(w, left);
        }

        /// A merge is the other's buckets added one by one (the plain way it was done), for
        /// series of any resolutions on the ladder, spans that make either coarsen, empty
        /// ones and buckets of nothing at either end (a state file may hold those).
        #[test]
        fn merge_adds_the_buckets_one_by_one(
            mine in series_strategy(),
            theirs in series_strategy(),
        ) {
            let mut plain = mine.clone();
            let mut other = theirs.clone();
            let res = plain.res.max(other.res);
            plain.coarsen_to(res);
            other.coarsen_to(res);
            for (i, &c) in other.counts.iter().enumerate() {
                plain.add((other.start + i as i64) * other.res, c);
            }
            let mut merged = mine.clone();
            merged.merge(&theirs);
            prop_assert_eq!((merged.res, merged.start), (plain.res, plain.start));
            prop_assert_eq!(&merged.counts, &plain.counts);
            // Counting on after the merge (the held bucket was let go).
            let t = (merged.start + 1) * merged.res;
            merged.add(t, 1);
            plain.add(t, 1);
            prop_assert_eq!(&merged.counts, &plain.counts);
        }

        /// Coarsening folds each bucket into the one its start second falls in, as a
        /// division of each bucket's index would.
        #[test]
        fn coarsening_folds_each_bucket_where_its_second_falls(
            series in series_strategy(),
            steps in 1usize..4,
        ) {
            let mut res = series.res;
            for _ in 0..steps {
                res = coarser(res);
            }
            let mut by_division = std::collections::BTreeMap::new();
            for (i, &c) in series.counts.iter().enumerate() {
                let second = (series.start + i as i64) * series.res;
                *by_division.entry(second.div_euclid(res)).or_insert(0) += c;
            }
            let mut coarse = series.clone();
            coarse.coarsen_to(res);
            prop_assert_eq!(coarse.res, res);
            let held: std::collections::BTreeMap<i64, u64> = coarse
                .counts
                .iter()
                .enumerate()
                .map(|(i, &c)| (coarse.start + i as i64, c))
                .collect();
            if series.counts.is_empty() {
                prop_assert!(held.is_empty());
            } else {
                prop_assert_eq!(held, by_division);
            }
        }

        /// The held bucket is only a hint: a series counted through it holds what one
        /// whose every add finds its bucket by division holds, through growth, coarsening,
        /// runs, ranges taken out, subtractions and merges.
        #[test]
        fn the_held_bucket_changes_no_count(
            steps in prop::collection::vec((0u8..8, -3_000i64..30_000, 0i64..40, 0u64..4), 1..120),
        ) {
            let mut held = Series::new(1);
            let mut plain = Series::new(1);
            // Most adds come in time order, a second or less apart, as lines do.
            let mut now = 0;
            for (op, t, len, n) in steps {
                now += len % 3;
                let mut other = Series::new(5);
                other.add(t, n + 1);
                for s in [&mut held, &mut plain] {
                    match op {
                        0 => s.add(t, n),
                        1 => s.add(now, n),
                        2 => s.add_each_second(t, t + len, n),
                        3 => {
                            s.take_range(t, t + len * 60);
                        }
                        4 => s.subtract(&other),
                        5 => s.merge(&other),
                        _ => s.add(now, n),
                    }
                }
                plain.held = Held::default();
                prop_assert_eq!(&held.counts, &plain.counts);
                prop_assert_eq!((held.res, held.start), (plain.res, plain.start));
            }
        }
    }
}
