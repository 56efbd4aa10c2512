//! Bounded, order-independent samples.

use std::collections::BinaryHeap;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// How much of a full sample's capacity its pending items may take (see `BottomK::pending`).
const PENDING_SHARE: usize = 4;

/// Keeps the `capacity` smallest items ever offered.
///
/// The kept set depends only on the multiset of items offered, never on their order, so
/// shards merge to the same sample in any order. Items that order by a hash first form a
/// uniform sample; items that order by time first keep the earliest.
#[derive(Clone, Debug)]
pub struct BottomK<T: Ord> {
    capacity: usize,
    /// The kept items once the sample has been full, or as read back from a state or left
    /// by a merge. A full sample's are in no order but the largest first: that largest is
    /// all an offer or a merge needs (the bound of what can enter; what enters pends, see
    /// `pending`). Below the capacity they are a max-heap laid out as `BinaryHeap` lays it
    /// out, which an offered item is sifted into. Merging many small shards selected ~20
    /// times into a sample of 65,536 marks and built its heap each time, about a third of
    /// those merges' instructions; offering one by one replaced the largest of a heap of
    /// 120-byte origin marks, ~1,150 instructions an item the sample took.
    heap: Vec<T>,
    /// The kept items while the sample fills, in arrival order, while `heap` is empty:
    /// nothing needs their order until the sample is full, and pushing each onto the heap
    /// cost ~250 instructions an error-log failure (the error marks' heap on a 20 MiB log
    /// that never fills it). They become the heap when the sample is full.
    filling: Vec<T>,
    /// Items an offer or a merge let into the full sample and not yet into `heap`, each
    /// below the heap's largest when it came: the sample is the `capacity` smallest of the
    /// heap and these. They go in together, by one selection, once they would be a
    /// [`PENDING_SHARE`]th of the capacity (a quarter). Merging many small shards (a year of
    /// rotated daily files) used to sift each entering item into a heap of 65,536 marks,
    /// several MB that miss the cache at its lower levels: most of those files' merge time.
    pending: Vec<T>,
    offered: u64,
    /// Items at or above this are counted, never kept: the largest item of the full sample
    /// this one will be merged into, which such items could never enter.
    bound: Option<T>,
}

impl<T: Ord + Clone> BottomK<T> {
    /// An empty sample of at most `capacity` items.
    pub fn new(capacity: usize) -> BottomK<T> {
        BottomK {
            capacity: capacity.max(1),
            heap: Vec::new(),
            filling: Vec::new(),
            pending: Vec::new(),
            offered: 0,
            bound: None,
        }
    }

    /// The largest kept item, once the sample is full (with items pending, the heap's
    /// largest, which is at least that): a sample that will be merged into this one may
    /// drop items at or above it ([`BottomK::set_bound`]).
    pub(crate) fn bound(&self) -> Option<T> {
        if self.heap.len() >= self.capacity {
            self.heap.first().cloned()
        } else {
            None
        }
    }

    /// Counts items at or above `bound` from now on without keeping them. Only for a
    /// sample that will be merged into one whose largest kept item is `bound` (or smaller):
    /// the merge keeps exactly the same items as without it, because the smallest
    /// `capacity` items of the union are all below `bound`.
    pub(crate) fn set_bound(&mut self, bound: Option<T>) {
        self.bound = bound;
    }

    /// Offers one item.
    pub fn offer(&mut self, item: T) {
        self.offered += 1;
        self.offer_kept(item);
    }

    /// Offers the item `make` builds, without building it when `beyond` says it orders
    /// after an item that already keeps it out (the bound, or the largest kept item of a
    /// full sample). `beyond(limit)` must be true only for items greater than `limit`; the
    /// sample then keeps exactly what [`BottomK::offer`] would keep, and counts the item
    /// as offered either way.
    #[inline]
    pub(crate) fn offer_with(&mut self, beyond: impl Fn(&T) -> bool, make: impl FnOnce() -> T) {
        if self.counts_beyond(beyond) {
            return;
        }
        self.offer_kept(make());
    }

    /// [`BottomK::offer_with`], keeping the item of a filling sample here, without a call
    /// (a fresh shard's origin sample takes most of its lines' marks: ~40 of the ~85
    /// instructions each cost). Only where a caller's lines fill it often: inlined into
    /// the error analyzer's `count`, the same code cost it ~0.6 % more.
    #[inline]
    pub(crate) fn offer_with_filling_inline(
        &mut self,
        beyond: impl Fn(&T) -> bool,
        make: impl FnOnce() -> T,
    ) {
        if self.counts_beyond(beyond) {
            return;
        }
        let item = make();
        if !self.heap.is_empty() {
            self.offer_kept(item);
        } else if self.bound.as_ref().is_none_or(|bound| item < *bound) {
            self.filling.push(item);
            if self.filling.len() >= self.capacity {
                self.filled();
            }
        }
    }

    /// Counts an item as offered; whether `beyond` rules it out already (it orders after
    /// the bound, or after the largest kept item of a full sample).
    #[inline(always)]
    fn counts_beyond(&mut self, beyond: impl Fn(&T) -> bool) -> bool {
        self.offered += 1;
        let full = self.heap.len() >= self.capacity;
        self.bound.as_ref().is_some_and(&beyond) || (full && self.heap.first().is_some_and(&beyond))
    }

    fn offer_kept(&mut self, item: T) {
        if self.bound.as_ref().is_some_and(|bound| item >= *bound) {
            return;
        }
        if self.heap.is_empty() {
            self.filling.push(item);
            if self.filling.len() >= self.capacity {
                self.filled();
            }
        } else if self.heap.len() < self.capacity {
            let at = self.heap.len();
            self.heap.push(item.clone());
            sift_up(&mut self.heap, at, item);
        } else if self.heap.first().is_some_and(|max| item < *max) {
            // Set aside with a merge's pending items, to go in with them by one selection
            // (~5 comparisons and moves an item, where sifting into the heap took two
            // comparisons and a move a level).
            self.pending.push(item);
            if self.pending.len() >= (self.capacity / PENDING_SHARE).max(1) {
                let items = self.take_items(0);
                self.keep_smallest(items);
            }
        }
    }

    /// The filling items, now `capacity` of them, become the kept ones.
    #[cold]
    fn filled(&mut self) {
        let items = std::mem::take(&mut self.filling);
        self.keep_smallest(items);
    }

    /// How many items may be kept.
    pub(crate) fn capacity(&self) -> usize {
        self.capacity
    }

    /// A sample of `items` (read back from a state: sorted smallest first, as written; any
    /// order is taken, only more slowly).
    pub(crate) fn from_sorted(capacity: usize, offered: u64, mut items: Vec<T>) -> BottomK<T> {
        // Reversed, sorted items already form a max-heap: building it only compares them.
        items.reverse();
        BottomK {
            capacity: capacity.max(1),
            offered,
            heap: heapify(items),
            filling: Vec::new(),
            pending: Vec::new(),
            bound: None,
        }
    }

    /// How many items were offered in total.
    pub fn offered(&self) -> u64 {
        self.offered
    }

    /// Adds the other sample's items.
    pub fn merge(&mut self, other: &BottomK<T>) {
        self.offered += other.offered;
        if other.len() == 0 {
            return;
        }
        // Once this sample is full, only items below its largest can enter: merging many
        // shards, most of each new shard's items are not, and cost one comparison each.
        // (The other's items may include its pending ones beyond its `capacity` smallest:
        // those are larger than all of these, so they never change what this keeps.)
        let bound = self.bound();
        let enters = |item: &&T| bound.as_ref().is_none_or(|max| *item < max);
        let entering = other.candidates().filter(enters).count();
        if entering == 0 {
            return;
        }
        if bound.is_none() {
            // Into a sample not yet full: each is pushed, in arrival order, until it is
            // full; then each replaces the largest kept in place (log k).
            for item in other.candidates().filter(enters) {
                self.offer_kept(item.clone());
            }
            return;
        }
        if self.pending.len() + entering < (self.capacity / PENDING_SHARE).max(1) {
            // A few: set aside, to go in with the next ones.
            self.pending
                .extend(other.candidates().filter(enters).cloned());
            return;
        }
        // Many: the `capacity` smallest of the union, in linear time (a selection),
        // in a buffer grown only by what enters and shrunk back to `capacity`, so that
        // merging leaves no sample larger than it may be.
        let mut items = self.take_items(entering);
        items.extend(other.candidates().filter(enters).cloned());
        self.keep_smallest(items);
    }

    /// Adds the other sample's items, taking them over when this one is empty (no copy).
    pub fn absorb(&mut self, mut other: BottomK<T>) {
        if self.len() == 0 && self.capacity == other.capacity && self.bound.is_none() {
            self.offered += other.offered;
            other.heap.shrink_to(self.capacity);
            other.filling.shrink_to(self.capacity);
            self.heap = other.heap;
            self.filling = other.filling;
            self.pending = other.pending;
        } else if self.heap.is_empty() && self.bound.is_none() {
            self.fill_from(&other);
        } else {
            self.merge(&other);
        }
    }

    /// [`BottomK::merge`] into a sample that is filling and unbounded: the other's items
    /// go onto `filling` a slice at a time, in the order `merge` offers them, while they
    /// fit. When they fill the sample and at least a [`PENDING_SHARE`]th of its capacity
    /// is left over, the sample is the `capacity` smallest of the filling items and those,
    /// found by one selection (as a merge into a full sample takes many items); fewer left
    /// over are offered one by one, as `merge` does. The kept set is `merge`'s (a proptest
    /// compares every view); only the order of the items inside differs after a
    /// selection. On the merging thread of a 200 MiB nginx error log, the second shard's
    /// error and origin marks filled the merged samples by an `offer_kept` call each and
    /// then replaced the largest of a 65,536-item heap ~33,000 times each.
    fn fill_from(&mut self, other: &BottomK<T>) {
        self.offered += other.offered;
        let room = self.capacity - self.filling.len();
        let incoming = other.heap.len() + other.filling.len() + other.pending.len();
        if incoming >= room + (self.capacity / PENDING_SHARE).max(1) {
            let mut items = std::mem::take(&mut self.filling);
            items.reserve_exact(incoming);
            for part in [&other.heap, &other.filling, &other.pending] {
                items.extend_from_slice(part);
            }
            self.keep_smallest(items);
            return;
        }
        for part in [&other.heap, &other.filling, &other.pending] {
            let mut part: &[T] = part;
            if self.heap.is_empty() {
                let room = self.capacity - self.filling.len();
                let (now, later) = part.split_at(room.min(part.len()));
                self.filling.extend_from_slice(now);
                if self.filling.len() >= self.capacity {
                    self.filled();
                }
                part = later;
            }
            // Full (or the part all taken): the rest one by one, as `merge` offers it.
            for item in part {
                self.offer_kept(item.clone());
            }
        }
    }

    /// Keeps the `capacity` smallest of `items`: when they fill the sample, in no order
    /// but the largest first; as a heap otherwise.
    fn keep_smallest(&mut self, mut items: Vec<T>) {
        if items.len() > self.capacity {
            // The item selected at the cut is the largest of those before it.
            items.select_nth_unstable(self.capacity - 1);
            items.truncate(self.capacity);
            items.swap(0, self.capacity - 1);
        } else if items.len() == self.capacity {
            let largest = (0..items.len()).max_by(|&a, &b| items[a].cmp(&items[b]));
            items.swap(0, largest.unwrap_or(0));
        }
        items.shrink_to(self.capacity);
        if items.len() == self.capacity {
            self.heap = items;
        } else {
            self.heap = heapify(items);
        }
    }

    /// The kept items, smallest first.
    pub fn sorted(&self) -> Vec<T> {
        let mut items: Vec<T> = self.items().cloned().collect();
        items.sort_unstable();
        items
    }

    /// Changes kept items in place (the order key must not change).
    pub fn rewrite(&mut self, mut f: impl FnMut(&mut T)) {
        self.filling.iter_mut().for_each(&mut f);
        self.pending.iter_mut().for_each(&mut f);
        let mut items = std::mem::take(&mut self.heap);
        items.iter_mut().for_each(&mut f);
        self.heap = heapify(items);
    }

    /// Takes the kept and pending items out, in no order, in a vector with `room` for more.
    fn take_items(&mut self, room: usize) -> Vec<T> {
        let mut items = std::mem::take(&mut self.heap);
        items.reserve_exact(self.filling.len() + self.pending.len() + room);
        items.append(&mut self.filling);
        items.append(&mut self.pending);
        items
    }
}

/// `items` as a max-heap (`BinaryHeap`'s layout, its first item the largest).
fn heapify<T: Ord>(items: Vec<T>) -> Vec<T> {
    BinaryHeap::from(items).into_vec()
}

/// Puts `item` at the hole `hole` of the heap or above it, moving the smaller parents down.
fn sift_up<T: Ord + Clone>(heap: &mut [T], mut hole: usize, item: T) {
    while hole > 0 {
        let parent = (hole - 1) / 2;
        if item <= heap[parent] {
            break;
        }
        heap[hole] = heap[parent].clone();
        hole = parent;
    }
    if let Some(slot) = heap.get_mut(hole) {
        *slot = item;
    }
}

impl<T: Ord + Clone + PartialEq> PartialEq for BottomK<T> {
    fn eq(&self, other: &Self) -> bool {
        self.capacity == other.capacity
            && self.offered == other.offered
            && self.sorted() == other.sorted()
    }
}

impl<T: Ord> BottomK<T> {
    /// How many items are kept.
    pub fn len(&self) -> usize {
        // Items pend only beside a full heap: then the sample is full.
        (self.heap.len() + self.filling.len() + self.pending.len()).min(self.capacity)
    }

    /// Whether the sample is one this crate builds with `capacity` (for a state read from a
    /// file).
    pub(crate) fn check(&self, capacity: usize) -> Result<(), &'static str> {
        if self.capacity != capacity || self.len() > capacity {
            return Err("a sample of another size");
        }
        if self.offered < self.len() as u64 || self.offered > crate::limits::MAX_COUNT {
            return Err("a sample with impossible counts");
        }
        Ok(())
    }

    /// The kept items, in no order.
    pub(crate) fn items(&self) -> impl Iterator<Item = &T> {
        // With items pending, the `capacity` smallest of them and the heap's, selected by
        // reference (a sample is read for a report or a state, not item by item).
        let selected = (!self.pending.is_empty()).then(|| {
            let mut refs: Vec<&T> = self.candidates().collect();
            if refs.len() > self.capacity {
                refs.select_nth_unstable(self.capacity - 1);
                refs.truncate(self.capacity);
            }
            refs
        });
        let direct = selected.is_none().then(|| self.candidates());
        direct
            .into_iter()
            .flatten()
            .chain(selected.into_iter().flatten())
    }

    /// The kept items and the pending ones: a superset of the sample whose `capacity`
    /// smallest are the sample.
    fn candidates(&self) -> impl Iterator<Item = &T> {
        self.heap.iter().chain(&self.filling).chain(&self.pending)
    }
}

#[derive(Serialize, Deserialize)]
struct Repr<T> {
    capacity: usize,
    offered: u64,
    items: Vec<T>,
}

impl<T: Ord + Clone + Serialize> Serialize for BottomK<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        Repr {
            capacity: self.capacity,
            offered: self.offered,
            items: self.sorted(),
        }
        .serialize(s)
    }
}

impl<'de, T: Ord + Clone + Deserialize<'de>> Deserialize<'de> for BottomK<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let repr = Repr::<T>::deserialize(d)?;
        Ok(BottomK::from_sorted(
            repr.capacity,
            repr.offered,
            repr.items,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Offering one by one (items set aside and selected in batches once the sample is
        /// full; by `offer` and `offer_with_filling_inline`), with merges of bounded shards
        /// in between, keeps what the plain way keeps: the `capacity` smallest of all
        /// offered, ties included; the bound is never below the largest kept, and the
        /// counts add up.
        #[test]
        fn offers_keep_the_smallest_of_all_offered(
            capacity in 1usize..70,
            items in prop::collection::vec(0u32..400, 0..600),
            merges in prop::collection::vec((0usize..600, prop::collection::vec(0u32..400, 0..40)), 0..6),
        ) {
            let mut sample = BottomK::new(capacity);
            let mut all: Vec<u32> = Vec::new();
            for (at, &item) in items.iter().enumerate() {
                // Both ways in: the plain offer, and the one that builds only what may enter.
                if at % 2 == 0 {
                    sample.offer(item);
                } else {
                    sample.offer_with_filling_inline(|limit| item > *limit, || item);
                }
                all.push(item);
                for (_, shard_items) in merges.iter().filter(|(when, _)| *when == at) {
                    let mut shard = BottomK::new(capacity);
                    shard.set_bound(sample.bound());
                    shard_items.iter().for_each(|&i| shard.offer(i));
                    all.extend(shard_items);
                    sample.merge(&shard);
                }
                let mut expected = all.clone();
                expected.sort_unstable();
                expected.truncate(capacity);
                prop_assert_eq!(sample.sorted(), expected.clone());
                prop_assert_eq!(sample.len(), expected.len());
                prop_assert_eq!(sample.offered(), all.len() as u64);
                if let Some(bound) = sample.bound() {
                    prop_assert!(expected.len() == capacity && bound >= expected[capacity - 1]);
                }
                prop_assert!(sample.pending.len() < (capacity / PENDING_SHARE).max(1));
            }
        }

        #[test]
        fn same_sample_in_any_order(items in prop::collection::vec(0u32..1000, 0..300), cut in 0usize..300) {
            let cut = cut.min(items.len());
            let mut whole = BottomK::new(20);
            items.iter().for_each(|&i| whole.offer(i));
            let (mut a, mut b) = (BottomK::new(20), BottomK::new(20));
            items[..cut].iter().for_each(|&i| a.offer(i));
            items[cut..].iter().for_each(|&i| b.offer(i));
            let mut ab = a.clone();
            ab.merge(&b);
            b.merge(&a);
            prop_assert_eq!(&ab, &whole);
            prop_assert_eq!(&b, &whole);
            let mut expected = items.clone();
            expected.sort_unstable();
            expected.truncate(20);
            prop_assert_eq!(whole.sorted(), expected);
        }

        #[test]
        fn many_shards_merge_to_the_whole(items in prop::collection::vec(0u32..5000, 0..2000), shards in 1usize..40) {
            // Merged one after another, a full sample takes later shards' items one at a
            // time or by selection: both keep the smallest.
            let mut whole = BottomK::new(64);
            items.iter().for_each(|&i| whole.offer(i));
            let mut merged = BottomK::new(64);
            for shard in items.chunks(items.len().div_ceil(shards).max(1)) {
                let mut part = BottomK::new(64);
                shard.iter().for_each(|&i| part.offer(i));
                merged.merge(&part);
            }
            prop_assert_eq!(&merged, &whole);
        }

        #[test]
        fn bounded_shards_merge_to_the_whole(items in prop::collection::vec(0u32..5000, 0..2000), shards in 1usize..40) {
            // Each shard is bounded by the merged sample as it was when the shard began
            // (as parallel readers do): it keeps fewer items, the merge the same ones.
            let mut whole = BottomK::new(64);
            items.iter().for_each(|&i| whole.offer(i));
            let mut merged = BottomK::new(64);
            let mut kept = 0;
            for shard in items.chunks(items.len().div_ceil(shards).max(1)) {
                let mut part = BottomK::new(64);
                part.set_bound(merged.bound());
                shard.iter().for_each(|&i| part.offer(i));
                prop_assert_eq!(part.offered(), shard.len() as u64);
                prop_assert!(part.items().all(|i| merged.bound().is_none_or(|b| *i < b)));
                kept += part.len();
                merged.absorb(part);
            }
            prop_assert_eq!(&merged, &whole);
            prop_assert!(kept <= items.len());
        }
    }

    proptest! {
        /// `absorb` into a filling sample (`fill_from`) keeps what the plain merge keeps,
        /// which offers the other's items one by one: every view the same (and every item
        /// in the same place unless a selection took the overflow), whether they fill the
        /// sample or not, from a shard that is filling, full or with items pending.
        #[test]
        fn filling_by_absorb_is_the_plain_merge(
            mine in prop::collection::vec(0u32..3000, 1..200),
            shards in prop::collection::vec(prop::collection::vec(0u32..3000, 0..200), 1..4),
            capacity in 1usize..150,
        ) {
            let mut sample = BottomK::new(capacity);
            mine.iter().for_each(|&i| sample.offer(i));
            // The other: one shard offered, the next merged into it (items may pend).
            let mut other = BottomK::new(capacity);
            for shard in &shards {
                let mut part = BottomK::new(capacity);
                shard.iter().for_each(|&i| part.offer(i));
                other.merge(&part);
            }
            let mut plain = sample.clone();
            plain.merge(&other);
            let selects = other.heap.len() + other.filling.len() + other.pending.len()
                >= capacity - sample.filling.len() + (capacity / PENDING_SHARE).max(1);
            sample.absorb(other);
            if !selects || !sample.filling.is_empty() {
                // Not filled past a quarter: item for item in the same places.
                prop_assert_eq!(&sample.heap, &plain.heap);
                prop_assert_eq!(&sample.filling, &plain.filling);
                prop_assert_eq!(&sample.pending, &plain.pending);
            }
            prop_assert_eq!(sample.sorted(), plain.sorted());
            let mut unordered: Vec<u32> = sample.items().copied().collect();
            unordered.sort_unstable();
            prop_assert_eq!(unordered, plain.sorted());
            prop_assert_eq!(sample.len(), plain.len());
            // A full sample's bound is its largest kept item or, while offered items pend
            // (`plain`'s may), a larger one: never below what it keeps.
            prop_assert_eq!(sample.bound().is_some(), plain.bound().is_some());
            let largest = plain.sorted().last().copied();
            for bound in [sample.bound(), plain.bound()].into_iter().flatten() {
                prop_assert!(largest.is_some_and(|largest| bound >= largest));
            }
            prop_assert_eq!(sample.offered, plain.offered);
            // Offered into afterwards, both keep the same items.
            for i in (0..60u32).map(|i| i * 50) {
                sample.offer(i);
                plain.offer(i);
            }
            prop_assert_eq!(sample.sorted(), plain.sorted());
            let largest = plain.sorted().last().copied();
            for bound in [sample.bound(), plain.bound()].into_iter().flatten() {
                prop_assert!(largest.is_some_and(|largest| bound >= largest));
            }
        }

        #[test]
        fn merging_shards_keeps_the_smallest(
            items in prop::collection::vec(0u32..3000, 0..3000),
            cuts in prop::collection::vec(0usize..3000, 0..60),
            capacity in 1usize..100,
            bounded in any::<bool>(),
            halves in any::<bool>(),
        ) {
            // Shards cut at random points, bounded or not, merged (or absorbed) one after
            // another into one sample, or into two that are then merged: every view of the
            // sample is the `capacity` smallest items offered (the oracle a cheaper merge of
            // many small shards must keep to).
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(items.len())).collect();
            cuts.push(0);
            cuts.push(items.len());
            cuts.sort_unstable();
            let mut merged = [BottomK::new(capacity), BottomK::new(capacity)];
            for (i, pair) in cuts.windows(2).enumerate() {
                let into = usize::from(halves && i % 2 == 1);
                let mut part = BottomK::new(capacity);
                if bounded {
                    part.set_bound(merged[into].bound());
                }
                items[pair[0]..pair[1]].iter().for_each(|&i| part.offer(i));
                if i % 3 == 0 {
                    merged[into].absorb(part);
                } else {
                    merged[into].merge(&part);
                }
            }
            let [mut merged, other] = merged;
            merged.merge(&other);
            let mut expected = items.clone();
            expected.sort_unstable();
            expected.truncate(capacity);
            prop_assert_eq!(merged.sorted(), expected.clone());
            prop_assert_eq!(merged.offered(), items.len() as u64);
            prop_assert_eq!(merged.len(), expected.len());
            let mut unordered: Vec<u32> = merged.items().copied().collect();
            unordered.sort_unstable();
            prop_assert_eq!(&unordered, &expected);
            if let Some(bound) = merged.bound() {
                prop_assert!(expected.iter().all(|&i| i <= bound));
            }
            // Offered into afterwards, the sample still keeps the smallest.
            let mut whole = merged.clone();
            (0..50u32).for_each(|i| whole.offer(i * 7));
            let mut more = items.clone();
            more.extend((0..50u32).map(|i| i * 7));
            more.sort_unstable();
            more.truncate(capacity);
            prop_assert_eq!(whole.sorted(), more);
        }
    }

    #[test]
    fn a_full_sample_merged_into_stays_within_its_capacity() {
        // Many items entering at once once went through a buffer of twice the capacity,
        // and the sample kept that buffer.
        let mut merged = BottomK::new(1024);
        (0..1024u32).for_each(|i| merged.offer(i * 2 + 1));
        let mut other = BottomK::new(1024);
        (0..1024u32).for_each(|i| other.offer(i * 2));
        merged.merge(&other);
        assert_eq!(merged.len(), 1024);
        assert_eq!(merged.heap.capacity(), 1024);
        assert_eq!(merged.bound(), Some(1023));
        assert_eq!(merged.sorted(), (0..1024).collect::<Vec<u32>>());
        assert_eq!(merged.offered(), 2048);
    }

    #[test]
    fn small_shards_merged_into_a_full_sample_pend_until_there_are_enough() {
        // A full sample of the odd numbers takes a few even ones per merge: they pend
        // (its heap stays as it was) while every view already shows the smallest, and go
        // into the heap together once a quarter of the capacity would pend.
        let mut merged = BottomK::new(1024);
        (0..1024u32).for_each(|i| merged.offer(i * 2 + 1));
        let mut offered: Vec<u32> = (0..1024).map(|i| i * 2 + 1).collect();
        for shard in 0..100u32 {
            let mut part = BottomK::new(1024);
            part.set_bound(merged.bound());
            for i in 0..4 {
                part.offer(shard * 8 + i * 2);
                offered.push(shard * 8 + i * 2);
            }
            merged.merge(&part);
            assert!(merged.pending.len() < 1024 / PENDING_SHARE);
            let mut expected = offered.clone();
            expected.sort_unstable();
            expected.truncate(1024);
            assert_eq!(merged.sorted(), expected);
            assert_eq!(merged.len(), 1024);
            let mut unordered: Vec<u32> = merged.items().copied().collect();
            unordered.sort_unstable();
            assert_eq!(unordered, expected);
            assert!(merged.bound().is_some_and(|b| b >= expected[1023]));
            if shard == 0 {
                assert_eq!((merged.pending.len(), merged.heap.len()), (4, 1024));
            }
        }
        // 100 shards of 4: the pending ones went in at least once, and the heap holds the
        // sample again within its capacity.
        assert!(merged.pending.len() < 100 * 4);
        assert!(merged.heap.capacity() <= 1024 + 1024 / PENDING_SHARE);
        assert_eq!(merged.offered(), offered.len() as u64);
    }

    #[test]
    fn a_full_sample_sets_offered_items_aside_until_there_are_enough() {
        // A full sample's kept items are in no order but the largest, which is the bound;
        // an item offered below it pends beside them (the bound as it was, at least the
        // largest kept) until a quarter of the capacity pends, then one selection keeps
        // the smallest.
        let mut merged = BottomK::new(8);
        (0..8u32).for_each(|i| merged.offer(i * 10 + 5));
        let mut other = BottomK::new(8);
        (0..8u32).for_each(|i| other.offer(i * 10));
        merged.merge(&other);
        assert_eq!(merged.heap.len(), 8);
        assert_eq!(merged.bound(), Some(35));
        merged.offer(1);
        assert_eq!((merged.pending.len(), merged.bound()), (1, Some(35)));
        assert_eq!(merged.sorted(), vec![0, 1, 5, 10, 15, 20, 25, 30]);
        merged.offer(40);
        assert_eq!(merged.pending.len(), 1);
        merged.offer(2);
        assert_eq!((merged.pending.len(), merged.heap.len()), (0, 8));
        assert_eq!(merged.bound(), Some(25));
        assert_eq!(merged.sorted(), vec![0, 1, 2, 5, 10, 15, 20, 25]);
        assert_eq!(merged.offered(), 19);
        let mut taken = BottomK::new(8);
        taken.absorb(merged.clone());
        assert_eq!(taken, merged);
    }

    #[test]
    fn a_filling_sample_has_its_bound_once_full() {
        // Kept in arrival order while filling: no bound until the last place is taken,
        // then the largest, and smaller items replace it from there on.
        let mut sample = BottomK::new(4);
        for i in [7u32, 3, 9] {
            sample.offer(i);
            assert_eq!(sample.bound(), None);
        }
        sample.rewrite(|i| *i *= 2);
        assert_eq!(sample.sorted(), vec![6, 14, 18]);
        sample.offer(1);
        assert_eq!(sample.bound(), Some(18));
        sample.offer(2);
        assert_eq!(sample.bound(), Some(14));
        assert_eq!(sample.sorted(), vec![1, 2, 6, 14]);
        assert_eq!((sample.len(), sample.offered()), (4, 5));
    }

    #[test]
    fn an_empty_sample_takes_the_others_items_over() {
        let mut other = BottomK::new(8);
        (0..20u32).rev().for_each(|i| other.offer(i));
        let mut merged = BottomK::new(8);
        merged.absorb(other.clone());
        assert_eq!(merged, other);
        assert_eq!(merged.sorted(), (0..8).collect::<Vec<u32>>());
        // A bounded sample counts items at or above the bound, keeps none of them.
        let mut bounded = BottomK::new(8);
        bounded.set_bound(merged.bound());
        (0..20u32).for_each(|i| bounded.offer(i));
        assert_eq!(bounded.sorted(), (0..7).collect::<Vec<u32>>());
        assert_eq!(bounded.offered(), 20);
    }
}
