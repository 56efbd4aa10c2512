//! Durations added to a [`Sketch`](super::Sketch) a line at a time, counted by their bin
//! first and handed to the sketch in one go.
//!
//! `DDSketch::add` finds a value's bin by a logarithm (~60 of its ~116 instructions a
//! value; two a line on an nginx access log). Access-log durations are whole
//! milliseconds, so a bin is found once per millisecond value ([`key_of_micros`]) and the
//! value counted in an array by bin. Handing the counts over leaves the sketch exactly as
//! adding the values one by one would: its bins' layout changes only when a value's bin
//! lies outside every bin seen so far, so those values are added first, one at a time and
//! in their order ([`Batch::widening`]), then every other bin's count at once; the sum (a
//! float, whose order of additions matters), the minimum and the maximum are kept here as
//! the sketch would keep them and written into it.

use std::sync::LazyLock;
use std::sync::atomic::{AtomicI32, Ordering};

use sketches_ddsketch::Config as SketchConfig;

/// The lowest bin a batch counts: below the bin of the sketch's smallest value (1 µs).
const KEY_LOW: i32 = -768;
/// How many bins a batch counts (up to ~10^11 s; a value beyond goes to the sketch itself).
const KEYS: usize = 2048;
/// Milliseconds whose bins are remembered.
const KNOWN_MS: usize = 1 << 16;
/// A bin not yet computed.
const UNKNOWN: i32 = i32::MIN;

/// The sketch's configuration (the same as `Sketch::default`'s).
pub(super) static CONFIG: LazyLock<SketchConfig> =
    LazyLock::new(|| SketchConfig::new(0.01, 2048, 1.0e-6));

/// The bin of each whole number of milliseconds, computed once (by the sketch's own
/// function) and shared by every sketch and thread.
static MS_KEYS: [AtomicI32; KNOWN_MS] = [const { AtomicI32::new(UNKNOWN) }; KNOWN_MS];

/// The sketch's bin of `us` microseconds as seconds (`us as f64 / 1e6`, above the sketch's
/// smallest value), when `us` is a whole number of milliseconds it remembers.
#[inline]
fn known_key(us: u64, seconds: f64) -> Option<i32> {
    let ms = us / 1000;
    if us % 1000 != 0 || ms >= KNOWN_MS as u64 {
        return None;
    }
    let known = &MS_KEYS[ms as usize];
    match known.load(Ordering::Relaxed) {
        UNKNOWN => {
            let key = CONFIG.key(seconds);
            known.store(key, Ordering::Relaxed);
            Some(key)
        }
        key => Some(key),
    }
}

/// What [`Batch::add`] did with a value.
pub(super) enum Added {
    /// Counted.
    Counted,
    /// Not counted: beyond the bins a batch counts.
    Beyond,
    /// Counted, but most values so far needed their bin computed.
    NotWorthIt,
}

/// Values counted by bin, not yet in the sketch.
#[derive(Clone, Debug)]
pub(super) struct Batch {
    /// Values per bin (`key - KEY_LOW`), those in `widening` not included.
    counts: Vec<u64>,
    /// A value of each counted bin (any value of a bin adds to that bin).
    values: Vec<f64>,
    /// Values whose bin lay outside the bins of every value before them, in order.
    widening: Vec<f64>,
    /// The lowest and highest bin of the values so far.
    low: i32,
    high: i32,
    /// Values at or below the sketch's smallest (its zero count), and one of them.
    zeros: u64,
    zero: f64,
    /// How many values, and how many of them were not whole milliseconds.
    pub(super) count: u64,
    unknown: u64,
    /// As the sketch keeps them: its sum before the batch plus each value in turn, and the
    /// smallest and largest value of the batch.
    pub(super) sum: f64,
    pub(super) min: f64,
    pub(super) max: f64,
}

impl Batch {
    /// An empty batch for a sketch whose sum is `sum`.
    pub(super) fn new(sum: f64) -> Batch {
        Batch {
            counts: vec![0; KEYS],
            values: vec![0.0; KEYS],
            widening: Vec::new(),
            low: i32::MAX,
            high: i32::MIN,
            zeros: 0,
            zero: 0.0,
            count: 0,
            unknown: 0,
            sum,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
        }
    }

    /// Counts `us` microseconds (`seconds` is `us as f64 / 1e6`), unless it is beyond the
    /// bins a batch counts (the caller adds it to the sketch).
    #[inline(always)]
    pub(super) fn add(&mut self, us: u64, seconds: f64) -> Added {
        // The common case first: a whole number of milliseconds from 1 ms (above the
        // sketch's smallest value, see the test `known_milliseconds_are_above_the_smallest`)
        // whose bin is known, without the configuration's checks.
        let ms = us / 1000;
        if us % 1000 == 0 && ms.wrapping_sub(1) < KNOWN_MS as u64 - 1 {
            let key = MS_KEYS[ms as usize].load(Ordering::Relaxed);
            if key != UNKNOWN {
                if let Some(slot) = usize::try_from(key - KEY_LOW).ok().filter(|&s| s < KEYS) {
                    self.count_in(key, slot, seconds);
                    self.count_moments(seconds);
                    return Added::Counted;
                }
            }
        }
        self.add_any(us, seconds)
    }

    /// [`Batch::add`] of any value.
    #[inline]
    fn add_any(&mut self, us: u64, seconds: f64) -> Added {
        let mut added = Added::Counted;
        if seconds > CONFIG.min_possible() {
            let key = known_key(us, seconds).unwrap_or_else(|| {
                // Half of the first 256 values not whole milliseconds: not worth batching.
                self.unknown += 1;
                if self.unknown == 128 && self.count < 256 {
                    added = Added::NotWorthIt;
                }
                CONFIG.key(seconds)
            });
            let Some(slot) = usize::try_from(key - KEY_LOW).ok().filter(|&s| s < KEYS) else {
                return Added::Beyond;
            };
            self.count_in(key, slot, seconds);
        } else {
            self.zeros += 1;
            self.zero = seconds;
        }
        self.count_moments(seconds);
        added
    }

    /// Counts `seconds` in its bin `key` (at `slot`), or as a value that widens the bins.
    #[inline(always)]
    fn count_in(&mut self, key: i32, slot: usize, seconds: f64) {
        if key < self.low || key > self.high {
            self.low = self.low.min(key);
            self.high = self.high.max(key);
            self.widening.push(seconds);
        } else {
            if self.counts[slot] == 0 {
                self.values[slot] = seconds;
            }
            self.counts[slot] += 1;
        }
    }

    /// Counts a value in the count, sum, minimum and maximum.
    #[inline(always)]
    fn count_moments(&mut self, seconds: f64) {
        self.count += 1;
        self.sum += seconds;
        if seconds < self.min {
            self.min = seconds;
        }
        if self.max < seconds {
            self.max = seconds;
        }
    }

    /// The batch's values as `(value, count)` additions in an order that leaves the sketch
    /// as adding them one by one did (its sum, minimum and maximum aside).
    pub(super) fn additions(&self) -> impl Iterator<Item = (f64, u64)> + '_ {
        let widening = self.widening.iter().map(|&v| (v, 1));
        let counted = (self.counts.iter().zip(&self.values))
            .filter(|&(&n, _)| n > 0)
            .map(|(&n, &v)| (v, n));
        let zeros = (self.zeros > 0).then_some((self.zero, self.zeros));
        widening.chain(counted).chain(zeros)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::super::Sketch;

    /// The sketch as written to a state (every field, the bins' layout included).
    fn bytes(sketch: &Sketch) -> Vec<u8> {
        postcard::to_stdvec(sketch).expect("a sketch serialises")
    }

    fn micros() -> impl Strategy<Value = u64> {
        prop_oneof![
            // Whole milliseconds (nginx's `$request_time`), mostly short.
            (0u64..5_000).prop_map(|ms| ms * 1000),
            (0u64..70_000_000).prop_map(|ms| ms * 1000),
            // Any microseconds (Apache's `%D`), at and around the sketch's smallest value.
            0u64..3,
            0u64..100_000_000,
            // Beyond the bins a batch counts.
            (1u64 << 50)..u64::MAX,
        ]
    }

    /// What lets [`Batch::add`] count a known millisecond without comparing it with the
    /// sketch's smallest value.
    #[test]
    fn known_milliseconds_are_above_the_smallest() {
        assert!(super::CONFIG.min_possible() < 0.001);
    }

    proptest! {
        #[test]
        fn batched_durations_leave_the_sketch_as_added_ones(
            first in prop::collection::vec(micros(), 0..300),
            second in prop::collection::vec(micros(), 0..300),
            merged_at in 0usize..300,
        ) {
            // Added one by one, or counted by bin and handed over: the same sketch, byte
            // for byte, also when values go straight to the sketch between batches and
            // when another sketch is merged in (batched or not) halfway.
            let mut other = Sketch::default();
            let mut other_batched = Sketch::default();
            for &us in &second {
                other.add(us as f64 / 1e6);
                other_batched.add_micros(us);
            }
            let mut plain = Sketch::default();
            let mut batched = Sketch::default();
            for (i, &us) in first.iter().enumerate() {
                if i == merged_at {
                    plain.merge(&other);
                    batched.merge(&other_batched);
                }
                plain.add(us as f64 / 1e6);
                batched.add_micros(us);
            }
            prop_assert_eq!(batched.count(), plain.count());
            prop_assert_eq!(bytes(&batched), bytes(&plain));
            prop_assert_eq!(batched.quantile(0.5), plain.quantile(0.5));
            prop_assert_eq!(batched.max(), plain.max());
            batched.settle();
            prop_assert_eq!(bytes(&batched), bytes(&plain));
            prop_assert_eq!(bytes(&other_batched), bytes(&other));
        }
    }
}
