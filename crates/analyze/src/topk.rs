//! Bounded frequent-item counting (top endpoints, clients, upstreams).
//!
//! [`TopK`] is a Misra-Gries summary: exact while it has seen at most `capacity` distinct
//! keys; beyond that it keeps at most `2 * capacity` counters, and every reported count is
//! at most `n / capacity` below the true one (n = total added). Memory therefore does not
//! grow with the number of distinct URLs or clients. Merging adds counters and prunes the
//! same way (the "mergeable summaries" construction of Agarwal et al.), so shards reduce
//! to one summary; while under capacity the result is identical in any merge order.
//!
//! A failure group's peers come in runs (a failing peer repeats in most consecutive
//! failures), so a summary made with [`TopK::with_runs`] tallies a repeat of the latest key
//! that found its counter beside the map until another key, a merge or a read comes: every
//! counter, prune and reported count is the one counting each key through the map gives.

use rustc_hash::FxHashMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use smallvec::SmallVec;

/// A counted key: up to 32 bytes (an address, a peer, most endpoints) kept inline, so a new
/// key costs no allocation and a pruned one no free; longer keys go to the heap. It hashes
/// and compares as the bytes it holds, so the map is looked up with a plain `&[u8]`.
type Key = SmallVec<[u8; 32]>;

/// A bounded frequent-items counter keyed by bytes.
#[derive(Clone, Debug)]
pub struct TopK {
    capacity: usize,
    counts: FxHashMap<Key, u64>,
    total: u64,
    /// Whether repeats of the latest key are tallied beside the map (keys that come in
    /// runs; for keys that rarely repeat, keeping the latest one costs more than it saves).
    runs: bool,
    /// While `run_live`: the latest key whose `add` found its counter, and how many
    /// occurrences of it added since then are not yet in that counter. The key stays in
    /// `counts` while the run lasts: only an add of another key (which settles the run
    /// first) or a merge (likewise) can insert or prune.
    run_key: Key,
    run_pending: u64,
    run_live: bool,
}

impl TopK {
    /// A counter that is exact up to `capacity` distinct keys.
    pub fn new(capacity: usize) -> TopK {
        TopK {
            capacity: capacity.max(1),
            counts: FxHashMap::default(),
            total: 0,
            runs: false,
            run_key: Key::new(),
            run_pending: 0,
            run_live: false,
        }
    }

    /// A counter like [`TopK::new`] for keys that come in runs: repeats of the latest key
    /// are tallied beside the map (the same counts, fewer map lookups).
    pub fn with_runs(capacity: usize) -> TopK {
        TopK {
            runs: true,
            ..TopK::new(capacity)
        }
    }

    /// Counts `n` occurrences of `key`. Allocates only for a key not yet tracked and longer
    /// than 32 bytes.
    pub fn add(&mut self, key: &[u8], n: u64) {
        if n == 0 {
            return;
        }
        self.total += n;
        if self.run_live {
            if *self.run_key == *key {
                self.run_pending += n;
                return;
            }
            self.settle();
        }
        if let Some(count) = self.counts.get_mut(key) {
            *count += n;
            if self.runs {
                self.run_key.clear();
                self.run_key.extend_from_slice(key);
                self.run_live = true;
            }
            return;
        }
        self.counts.insert(Key::from_slice(key), n);
        if self.counts.len() > 2 * self.capacity {
            self.prune();
        }
    }

    /// Puts the run's pending occurrences into its key's counter and ends the run.
    fn settle(&mut self) {
        self.run_live = false;
        let pending = std::mem::take(&mut self.run_pending);
        if pending > 0 {
            if let Some(count) = self.counts.get_mut(&*self.run_key) {
                *count += pending;
            }
        }
    }

    /// The occurrences of `key` not yet in its counter (those of the current run).
    fn pending(&self, key: &[u8]) -> u64 {
        if self.run_live && *self.run_key == *key {
            self.run_pending
        } else {
            0
        }
    }

    /// Every tracked key with its count, the current run included.
    fn settled(&self) -> impl Iterator<Item = (&[u8], u64)> {
        let run = (self.run_live && self.run_pending > 0).then_some(&self.run_key);
        self.counts.iter().map(move |(key, &count)| match run {
            Some(run_key) if run_key == key => (&**key, count + self.run_pending),
            _ => (&**key, count),
        })
    }

    /// Adds another summary into this one.
    pub fn merge(&mut self, other: &TopK) {
        self.settle();
        self.total += other.total;
        for (key, n) in other.settled() {
            *self.counts.entry(Key::from_slice(key)).or_insert(0) += n;
        }
        if self.counts.len() > 2 * self.capacity {
            self.prune();
        }
    }

    /// Subtracts the `capacity`-th largest count from every counter and drops the ones that
    /// reach zero: at least half of the counters go, so the amortised cost per key is O(1).
    fn prune(&mut self) {
        let mut values: Vec<u64> = self.counts.values().copied().collect();
        let k = self.capacity.min(values.len()).saturating_sub(1);
        let (_, kth, _) = values.select_nth_unstable_by(k, |a, b| b.cmp(a));
        let cut = *kth;
        self.counts.retain(|_, count| {
            *count = count.saturating_sub(cut);
            *count > 0
        });
    }

    /// The `n` most frequent keys, highest count first, ties by key bytes.
    pub fn top(&self, n: usize) -> Vec<(&[u8], u64)> {
        let mut items: Vec<(&[u8], u64)> = self.settled().collect();
        items.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        items.truncate(n);
        items
    }
}

impl TopK {
    /// Whether the summary is one this crate builds with `capacity` (for a state read from a
    /// file).
    pub(crate) fn check(&self, capacity: usize) -> Result<(), &'static str> {
        if self.capacity != capacity || self.counts.len() > 2 * capacity {
            return Err("a top-k summary of another size");
        }
        let kept = crate::limits::sum(self.settled().map(|(_, count)| count))?;
        if kept > self.total || self.total > crate::limits::MAX_COUNT {
            return Err("a top-k summary with impossible counts");
        }
        Ok(())
    }
}

#[derive(Serialize, Deserialize)]
struct TopKRepr {
    capacity: usize,
    total: u64,
    counts: Vec<(Vec<u8>, u64)>,
}

impl Serialize for TopK {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut counts: Vec<(Vec<u8>, u64)> =
            self.settled().map(|(k, c)| (k.to_vec(), c)).collect();
        counts.sort_unstable();
        TopKRepr {
            capacity: self.capacity,
            total: self.total,
            counts,
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for TopK {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let repr = TopKRepr::deserialize(d)?;
        Ok(TopK {
            capacity: repr.capacity.max(1),
            total: repr.total,
            counts: repr
                .counts
                .into_iter()
                .map(|(k, c)| (Key::from_vec(k), c))
                .collect(),
            ..TopK::new(repr.capacity)
        })
    }
}

/// Equal when they would report and save the same: the runs settled.
impl PartialEq for TopK {
    fn eq(&self, other: &TopK) -> bool {
        self.capacity == other.capacity
            && self.total == other.total
            && self.counts.len() == other.counts.len()
            && self
                .settled()
                .all(|(key, count)| other.counts.get(key).map(|&c| c + other.pending(key)) == Some(count))
    }
}

impl Eq for TopK {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_under_capacity() {
        let mut t = TopK::new(8);
        for (key, n) in [("a", 5), ("b", 3), ("c", 9), ("a", 1)] {
            t.add(key.as_bytes(), n);
        }
        assert_eq!(t.top(2), vec![(&b"c"[..], 9), (&b"a"[..], 6)]);
        assert_eq!(t.total, 18);
    }

    #[test]
    fn heavy_hitters_survive_a_million_distinct_keys() {
        let mut t = TopK::new(64);
        for i in 0u32..1_000_000 {
            t.add(&i.to_le_bytes(), 1);
            if i % 10 == 0 {
                t.add(b"/hot", 1);
            }
        }
        assert!(t.counts.len() <= 128);
        let top = t.top(1);
        assert_eq!(top[0].0, b"/hot");
        // Error bound: at most n / capacity below the truth.
        assert!(top[0].1 + t.total / 64 >= 100_000);
    }

    #[test]
    fn merge_equals_single_pass_under_capacity() {
        let keys = ["x", "y", "z", "x", "x", "y"];
        let mut whole = TopK::new(16);
        let (mut a, mut b) = (TopK::new(16), TopK::new(16));
        for (i, k) in keys.iter().enumerate() {
            whole.add(k.as_bytes(), 1);
            if i % 2 == 0 {
                a.add(k.as_bytes(), 1)
            } else {
                b.add(k.as_bytes(), 1)
            }
        }
        let mut ab = a.clone();
        ab.merge(&b);
        let mut ba = b;
        ba.merge(&a);
        assert_eq!(ab, whole);
        assert_eq!(ba, whole);
        let json = serde_json::to_string(&ab).unwrap();
        assert_eq!(serde_json::from_str::<TopK>(&json).unwrap(), ab);
    }

    /// Counting every key through the map, as `add` did before the run cache.
    fn add_plain(t: &mut TopK, key: &[u8], n: u64) {
        t.total += n;
        if let Some(count) = t.counts.get_mut(key) {
            *count += n;
            return;
        }
        t.counts.insert(Key::from_slice(key), n);
        if t.counts.len() > 2 * t.capacity {
            t.prune();
        }
    }

    /// The plain summary's state, for comparing the maps themselves.
    fn plain_counts(t: &TopK) -> Vec<(Vec<u8>, u64)> {
        let mut v: Vec<(Vec<u8>, u64)> = t.settled().map(|(k, c)| (k.to_vec(), c)).collect();
        v.sort_unstable();
        v
    }

    #[test]
    fn runs_count_as_the_plain_path_does() {
        // Runs of repeated keys among many distinct ones, past capacity (prunes), with
        // reads, merges and a save in the middle of runs.
        for (capacity, keys) in [(4, 6u64), (8, 40), (64, 1000), (16, 17)] {
            let mut rng = 0x9e37_79b9_7f4a_7c15u64 ^ keys;
            let mut next = move || {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                rng
            };
            let (mut cached, mut plain) = (TopK::with_runs(capacity), TopK::new(capacity));
            let (mut other_cached, mut other_plain) =
                (TopK::with_runs(capacity), TopK::new(capacity));
            for step in 0..20_000u64 {
                let r = next();
                // Long keys (heap) and short ones (inline); a run of up to 8 repeats.
                let id = r % keys;
                let key = if id % 5 == 0 {
                    format!("/a/long/endpoint/path/that/spills/to/the/heap/{id}")
                } else {
                    format!("10.0.0.{id}")
                };
                let repeats = 1 + (r >> 32) % 8;
                let n = 1 + (r >> 40) % 3;
                for _ in 0..repeats {
                    if step % 3 == 0 {
                        other_cached.add(key.as_bytes(), n);
                        add_plain(&mut other_plain, key.as_bytes(), n);
                    } else {
                        cached.add(key.as_bytes(), n);
                        add_plain(&mut plain, key.as_bytes(), n);
                    }
                }
                if step % 997 == 0 {
                    assert_eq!(cached.top(10), plain.top(10));
                    assert_eq!(plain_counts(&cached), plain_counts(&plain));
                    assert_eq!(cached, plain);
                    let saved = serde_json::to_string(&cached).unwrap();
                    assert_eq!(saved, serde_json::to_string(&plain).unwrap());
                    assert!(cached.check(capacity).is_ok());
                }
                if step % 4999 == 0 {
                    cached.merge(&other_cached);
                    plain.merge(&other_plain);
                    assert_eq!(plain_counts(&cached), plain_counts(&plain));
                }
            }
            assert!(plain.counts.len() <= 2 * capacity);
            assert_eq!(cached.total, plain.total);
            assert_eq!(cached.top(usize::MAX), plain.top(usize::MAX));
            cached.settle();
            assert_eq!(cached.counts, plain.counts);
        }
    }
}
