//! Bounded frequent-item counting (top endpoints, clients, upstreams).
//!
//! [`TopK`] is a Misra-Gries summary: exact while it has seen at most `capacity` distinct
//! keys; beyond that it keeps at most `2 * capacity` counters, and every reported count is
//! at most `n / capacity` below the true one (n = total added). Memory therefore does not
//! grow with the number of distinct URLs or clients. Merging adds counters and prunes the
//! same way (the "mergeable summaries" construction of Agarwal et al.), so shards reduce
//! to one summary; while under capacity the result is identical in any merge order.

use hashbrown::hash_table::{Entry, HashTable};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use smallvec::SmallVec;

use crate::text::{hash_bytes, same_bytes};

/// A counted key: up to 64 bytes (an address, a peer, nearly every endpoint) kept inline,
/// so a new key costs no allocation and a pruned one no free; longer keys go to the heap.
/// (At 32 bytes, `GET /product/1074-blue-widget.php` and the like were allocated and
/// freed: 5,906 allocations on 20 MiB of nginx error, ~1.45 M instructions.)
type Key = SmallVec<[u8; 64]>;

/// The hash a key is stored under. Each add hashes its key once, for the probe and for the
/// insert of a new key (most clients' and endpoints' adds on an error log: a `HashMap`
/// hashed those twice, once for `get_mut` and once for `insert`). It is the analyzer's
/// [`hash_bytes`], which the error marks keep of a failure's client: that add takes the
/// mark's hash ([`TopK::add_hashed`]).
fn key_hash(key: &[u8]) -> u64 {
    hash_bytes(key)
}

/// A bounded frequent-items counter keyed by bytes.
#[derive(Clone, Debug)]
pub struct TopK {
    capacity: usize,
    /// The counters, each a key and its count, found by [`key_hash`] of the key.
    counts: HashTable<(Key, u64)>,
    total: u64,
    /// The bucket of the counter [`TopK::add`] last found or made: a hint, its key checked
    /// there before the add hashes and probes (a bucket a prune emptied, or one of another
    /// key, is a miss). Not part of the summary.
    last: usize,
}

impl PartialEq for TopK {
    /// The same capacity, total and counters (in whatever order the tables hold them).
    fn eq(&self, other: &TopK) -> bool {
        self.capacity == other.capacity
            && self.total == other.total
            && self.counts.len() == other.counts.len()
            && self
                .counts
                .iter()
                .all(|(key, n)| other.count_of(key) == Some(*n))
    }
}

impl Eq for TopK {}

impl TopK {
    /// A counter that is exact up to `capacity` distinct keys.
    pub fn new(capacity: usize) -> TopK {
        TopK {
            capacity: capacity.max(1),
            counts: HashTable::new(),
            total: 0,
            last: usize::MAX,
        }
    }

    /// The count kept for `key`, if it has a counter.
    fn count_of(&self, key: &[u8]) -> Option<u64> {
        self.counts
            .find(key_hash(key), |(k, _)| same_bytes(k, key))
            .map(|&(_, n)| n)
    }

    /// The counter of `key`, made with `n` if there was none (then `true`), else with `n`
    /// added (then `false`). The key is hashed once and copied only when it is new. With
    /// `REMEMBER`, the counter's bucket becomes [`TopK::add`]'s hint (its index costs a
    /// division: the clients' adds, which rarely repeat, and merges do not keep it).
    fn bump<const REMEMBER: bool>(&mut self, key: &[u8], hash: u64, n: u64) -> bool {
        match self
            .counts
            .entry(hash, |(k, _)| same_bytes(k, key), |(k, _)| key_hash(k))
        {
            Entry::Occupied(mut counter) => {
                counter.get_mut().1 += n;
                if REMEMBER {
                    self.last = counter.bucket_index();
                }
                false
            }
            Entry::Vacant(slot) => {
                let counter = slot.insert((Key::from_slice(key), n));
                if REMEMBER {
                    self.last = counter.bucket_index();
                }
                true
            }
        }
    }

    /// Counts `n` occurrences of `key`. Allocates only for a key not yet tracked and longer
    /// than 64 bytes. A key that is the one counted last (a quarter of an error log's
    /// failures repeat their group's previous endpoint) is counted in the bucket this add
    /// found or made last, without hashing the key or probing for it.
    pub fn add(&mut self, key: &[u8], n: u64) {
        if n != 0 {
            if let Some((last, count)) = self.counts.get_bucket_mut(self.last) {
                if same_bytes(last, key) {
                    *count += n;
                    self.total += n;
                    return;
                }
            }
        }
        self.add_hashed_by::<true>(key, n, key_hash);
    }

    /// [`TopK::add`] for a summary that nearly always holds `key` alone (a group's peers: a
    /// group is keyed on its upstream), that case inline in the caller (a call was ~65
    /// instructions a failure).
    #[inline]
    pub(crate) fn add_to_the_only(&mut self, key: &[u8], n: u64) {
        if n != 0 && self.counts.len() == 1 {
            if let Some((only, count)) = self.counts.iter_mut().next() {
                if same_bytes(only, key) {
                    *count += n;
                    self.total += n;
                    return;
                }
            }
        }
        self.add(key, n);
    }

    /// [`TopK::add`] for a key whose [`hash_bytes`] the caller has already (a failure's
    /// client, hashed for its error mark): the key is not hashed again.
    pub(crate) fn add_hashed(&mut self, key: &[u8], hash: u64, n: u64) {
        self.add_hashed_by::<false>(key, n, |_| hash);
    }

    /// [`TopK::add`] with the key's hash from `hash`, called only when it is needed.
    #[inline]
    fn add_hashed_by<const REMEMBER: bool>(
        &mut self,
        key: &[u8],
        n: u64,
        hash: impl FnOnce(&[u8]) -> u64,
    ) {
        if n == 0 {
            return;
        }
        self.total += n;
        // A summary of one key (a group's upstream: the group is keyed on it) is counted
        // without hashing: its one counter is found by a scan of a one-group table.
        if self.counts.len() == 1 {
            if let Some((only, count)) = self.counts.iter_mut().next() {
                if same_bytes(only, key) {
                    *count += n;
                    return;
                }
            }
        }
        if self.bump::<REMEMBER>(key, hash(key), n) && self.counts.len() > 2 * self.capacity {
            self.prune();
        }
    }

    /// Adds another summary into this one. A key is looked up as the other summary holds
    /// it and copied only when this one has no counter for it.
    pub fn merge(&mut self, other: &TopK) {
        self.total += other.total;
        for (key, n) in &other.counts {
            self.bump::<false>(key, key_hash(key), *n);
        }
        if self.counts.len() > 2 * self.capacity {
            self.prune();
        }
    }

    /// Subtracts the `capacity`-th largest count from every counter and drops the ones that
    /// reach zero: at least half of the counters go, so the amortised cost per key is O(1).
    fn prune(&mut self) {
        let cut = self.cut();
        self.counts.retain(|(_, count)| {
            *count = count.saturating_sub(cut);
            *count > 0
        });
    }

    /// What [`TopK::prune`] subtracts: the `capacity`-th largest count. A summary of mostly
    /// distinct keys (the endpoints and clients of an error log) prunes when most of its
    /// counters hold 1: when fewer than `capacity` hold more than 1 and at least
    /// `capacity` hold 1 or more, that count is 1, found by one pass without collecting
    /// and selecting the counts.
    fn cut(&self) -> u64 {
        let rank = self.capacity.min(self.counts.len());
        let (mut above_one, mut nonzero) = (0, 0);
        for &(_, n) in &self.counts {
            above_one += usize::from(n > 1);
            nonzero += usize::from(n > 0);
        }
        if above_one < rank && rank <= nonzero {
            return 1;
        }
        let mut values: Vec<u64> = self.counts.iter().map(|&(_, n)| n).collect();
        let (_, kth, _) = values.select_nth_unstable_by(rank.saturating_sub(1), |a, b| b.cmp(a));
        *kth
    }

    /// The `n` most frequent keys, highest count first, ties by key bytes.
    pub fn top(&self, n: usize) -> Vec<(&[u8], u64)> {
        let mut items: Vec<(&[u8], u64)> = self.counts.iter().map(|(k, c)| (&**k, *c)).collect();
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
        let kept = crate::limits::sum(self.counts.iter().map(|&(_, n)| n))?;
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
            self.counts.iter().map(|(k, c)| (k.to_vec(), *c)).collect();
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
        let mut counts = HashTable::with_capacity(repr.counts.len());
        for (key, n) in repr.counts {
            // A key listed twice keeps its last count, as collecting into a map did.
            let hash = key_hash(&key);
            match counts.entry(
                hash,
                |(k, _): &(Key, u64)| **k == *key,
                |(k, _)| key_hash(k),
            ) {
                Entry::Occupied(mut counter) => counter.get_mut().1 = n,
                Entry::Vacant(slot) => {
                    slot.insert((Key::from_vec(key), n));
                }
            }
        }
        Ok(TopK {
            capacity: repr.capacity.max(1),
            total: repr.total,
            counts,
            last: usize::MAX,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    /// The summary counted the plain way: every add looks its key up in an ordered map,
    /// pruned by the same rule.
    struct Reference {
        capacity: usize,
        counts: BTreeMap<Vec<u8>, u64>,
        total: u64,
    }

    impl Reference {
        fn add(&mut self, key: &[u8], n: u64) {
            if n == 0 {
                return;
            }
            self.total += n;
            *self.counts.entry(key.to_vec()).or_insert(0) += n;
            self.prune_if_over();
        }

        fn merge(&mut self, other: &Reference) {
            self.total += other.total;
            for (key, n) in &other.counts {
                *self.counts.entry(key.clone()).or_insert(0) += n;
            }
            self.prune_if_over();
        }

        fn prune_if_over(&mut self) {
            if self.counts.len() <= 2 * self.capacity {
                return;
            }
            let mut values: Vec<u64> = self.counts.values().copied().collect();
            values.sort_unstable_by(|a, b| b.cmp(a));
            let cut = values[self.capacity.min(values.len()) - 1];
            self.counts.retain(|_, count| {
                *count = count.saturating_sub(cut);
                *count > 0
            });
        }

        fn sorted(&self) -> Vec<(Vec<u8>, u64)> {
            let mut items: Vec<(Vec<u8>, u64)> =
                self.counts.iter().map(|(k, &n)| (k.clone(), n)).collect();
            items.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            items
        }
    }

    fn sorted(t: &TopK) -> Vec<(Vec<u8>, u64)> {
        t.top(usize::MAX)
            .into_iter()
            .map(|(k, n)| (k.to_vec(), n))
            .collect()
    }

    /// A key from a few short ones and a few longer than the 64 bytes kept inline.
    fn key(i: u8) -> Vec<u8> {
        if i % 4 == 3 {
            vec![b'k'; 65 + usize::from(i)]
        } else {
            vec![b'a' + i]
        }
    }

    proptest::proptest! {
        /// Summaries of one key (counted without hashing), runs, alternations and new keys
        /// that prune, added with their hash, without, or as a summary's only key: the same
        /// counters as the plain reference, read by `top`, the state and `==`, also after
        /// merges either way.
        #[test]
        fn counts_as_a_plain_map(
            capacity in 1usize..5,
            adds in proptest::collection::vec(
                (0u8..12, 0u64..3, proptest::bool::ANY, proptest::bool::ANY, proptest::bool::ANY),
                0..80,
            ),
        ) {
            let (mut a, mut b) = (TopK::new(capacity), TopK::new(capacity));
            let reference = || Reference { capacity, counts: BTreeMap::new(), total: 0 };
            let (mut ra, mut rb) = (reference(), reference());
            let mut previous = 0;
            for &(k, n, into_a, hashed, again) in &adds {
                let (t, r) = if into_a { (&mut a, &mut ra) } else { (&mut b, &mut rb) };
                // Often the key added last (`add`'s remembered bucket).
                let k = if again { previous } else { k };
                previous = k;
                // Some adds with the hash the caller has (a client's), the rest hashed here.
                match (hashed, k % 3) {
                    (true, _) => t.add_hashed(&key(k), hash_bytes(&key(k)), n),
                    (false, 0) => t.add_to_the_only(&key(k), n),
                    (false, _) => t.add(&key(k), n),
                }
                r.add(&key(k), n);
                proptest::prop_assert_eq!(sorted(t), r.sorted());
                proptest::prop_assert_eq!(t.total, r.total);
            }
            let json = serde_json::to_string(&a).unwrap();
            let read: TopK = serde_json::from_str(&json).unwrap();
            proptest::prop_assert_eq!(&read, &a);
            proptest::prop_assert_eq!(sorted(&read), ra.sorted());
            proptest::prop_assert!(a.check(capacity).is_ok());
            for (x, y, rx, ry) in [(&a, &b, &ra, &rb), (&b, &a, &rb, &ra)] {
                let mut xy = x.clone();
                xy.merge(y);
                let mut rxy = reference();
                rxy.merge(rx);
                rxy.merge(ry);
                proptest::prop_assert_eq!(sorted(&xy), rxy.sorted());
                // Adding on after a merge (a key twice: a one-key summary's fast path; and
                // keys remembered before the merge moved the counters).
                for _ in 0..2 {
                    xy.add(&key(0), 1);
                    rxy.add(&key(0), 1);
                }
                for k in [1, 4, 4, 7] {
                    xy.add(&key(k), 1);
                    rxy.add(&key(k), 1);
                }
                proptest::prop_assert_eq!(sorted(&xy), rxy.sorted());
            }
        }
    }

    #[test]
    fn a_state_listing_a_key_twice_keeps_its_last_count() {
        let json = r#"{"capacity":4,"total":9,"counts":[[[97],2],[[98],1],[[97],5]]}"#;
        let read: TopK = serde_json::from_str(json).unwrap();
        assert_eq!(read.top(usize::MAX), vec![(&b"a"[..], 5), (&b"b"[..], 1)]);
    }

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
}
