//! Requests counted by HTTP status, a line at a time.
//!
//! Every access line adds to two of these (its status and its upstream's last status). In
//! a `BTreeMap<u16, u64>` that was a `get_mut` call of ~33 instructions each (the map's
//! search is not inlined); here a three-digit status is one indexed add. Written, read,
//! compared and merged as the map of counts it stands for.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Statuses below this are counted in the array (HTTP's are three digits).
const COMMON: usize = 1000;

/// Counts by status: the map `BTreeMap<u16, u64>` it replaces, with its keys below
/// [`COMMON`] kept in an array.
#[derive(Clone)]
pub struct StatusCounts {
    /// The count of each status below [`COMMON`] (0: none, or none counted yet).
    common: Box<[u64; COMMON]>,
    /// Any other status; and a status below [`COMMON`] read from a state with a count of
    /// 0 (kept as a key, as the map kept it).
    other: BTreeMap<u16, u64>,
}

impl Default for StatusCounts {
    fn default() -> Self {
        StatusCounts {
            common: Box::new([0; COMMON]),
            other: BTreeMap::new(),
        }
    }
}

impl StatusCounts {
    /// Counts `n` more of `status`.
    #[inline]
    pub fn add(&mut self, status: u16, n: u64) {
        match self.common.get_mut(usize::from(status)) {
            Some(count) => *count += n,
            None => *self.other.entry(status).or_insert(0) += n,
        }
    }

    /// The counts as the map they stand for (every status counted, or read from a state).
    pub fn to_map(&self) -> BTreeMap<u16, u64> {
        let mut map = self.other.clone();
        for (status, &n) in (0u16..).zip(self.common.iter()) {
            if n > 0 {
                *map.entry(status).or_insert(0) += n;
            }
        }
        map
    }

    /// Whether no status was counted.
    pub fn is_empty(&self) -> bool {
        self.other.is_empty() && self.common.iter().all(|&n| n == 0)
    }

    /// The sum of all counts.
    pub fn total(&self) -> u64 {
        self.common.iter().chain(self.other.values()).sum()
    }

    /// Adds another shard's counts.
    pub fn merge(&mut self, other: &StatusCounts) {
        for (mine, &n) in self.common.iter_mut().zip(other.common.iter()) {
            *mine += n;
        }
        crate::state::add_maps(&mut self.other, &other.other);
    }
}

impl PartialEq for StatusCounts {
    fn eq(&self, other: &Self) -> bool {
        self.to_map() == other.to_map()
    }
}

impl fmt::Debug for StatusCounts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.to_map().fmt(f)
    }
}

impl Serialize for StatusCounts {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_map().serialize(s)
    }
}

impl<'de> Deserialize<'de> for StatusCounts {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let map = BTreeMap::<u16, u64>::deserialize(d)?;
        let mut counts = StatusCounts::default();
        for (status, n) in map {
            match counts.common.get_mut(usize::from(status)) {
                Some(count) if n > 0 => *count = n,
                _ => {
                    counts.other.insert(status, n);
                }
            }
        }
        Ok(counts)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// Counted, merged, written and read back: the map's counts, its reads and bytes.
        #[test]
        fn counts_as_the_map_does(
            first in prop::collection::vec((0u16..1200, 0u64..3), 0..60),
            second in prop::collection::vec((prop_oneof![0u16..1200, Just(u16::MAX)], 0u64..3), 0..60),
        ) {
            let mut counts = StatusCounts::default();
            let mut map = BTreeMap::new();
            for &(status, n) in &first {
                counts.add(status, n);
                *map.entry(status).or_insert(0) += n;
            }
            let mut other = StatusCounts::default();
            let mut other_map = BTreeMap::new();
            for &(status, n) in &second {
                other.add(status, n);
                *other_map.entry(status).or_insert(0) += n;
            }
            counts.merge(&other);
            crate::state::add_maps(&mut map, &other_map);
            // Zero counts: the map holds the key, the array nothing, unless read from a state.
            let counted: BTreeMap<u16, u64> = map.iter().filter(|(_, n)| **n > 0).map(|(s, n)| (*s, *n)).collect();
            let above: BTreeMap<u16, u64> = map.iter().filter(|(s, _)| usize::from(**s) >= COMMON).map(|(s, n)| (*s, *n)).collect();
            let mut expected = counted.clone();
            expected.extend(above);
            prop_assert_eq!(counts.to_map(), expected.clone());
            prop_assert_eq!(counts.total(), map.values().sum::<u64>());
            prop_assert_eq!(counts.is_empty(), expected.is_empty());
            // A state's map, zero counts included, reads back to the same map and bytes.
            let bytes = postcard::to_stdvec(&map).expect("a map serialises");
            let read: StatusCounts = postcard::from_bytes(&bytes).expect("a map reads back");
            prop_assert_eq!(read.to_map(), map.clone());
            prop_assert_eq!(postcard::to_stdvec(&read).expect("counts serialise"), bytes);
        }
    }
}
