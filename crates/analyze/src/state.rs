//! The mergeable pieces of analyzer state.

use std::collections::BTreeMap;
use std::fmt;
use std::hash::{Hash, Hasher};

use logscan_parse::{Cause, Phase, Server};
use rustc_hash::{FxHashMap, FxHasher};
use serde::{Deserialize, Serialize};
use sketches_ddsketch::DDSketch;

use crate::series::Series;
use crate::text::{escape_bytes, same_bytes};
use crate::topk::TopK;

mod batch;
mod statuses;

pub use statuses::StatusCounts;

/// Where a line sits: `(time, input, chunk, line-in-chunk)`; orders examples.
pub type LineKey = (i64, u32, u32, u64);

/// Most groups kept per (cause, server); the rest fold into one "other upstreams" group.
pub const GROUPS_PER_CAUSE: usize = 32;
/// Capacity of the top-k summaries of a group.
pub const TOPK_CAPACITY: usize = 64;

/// An example line, with the key that decides which examples are kept.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ExampleItem {
    /// Order key.
    pub key: LineKey,
    /// The line text, escaped and cut.
    pub text: String,
}

/// The two earliest and the latest example of something (order-independent).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExampleSet {
    /// The earliest two, sorted.
    pub first: Vec<ExampleItem>,
    /// The latest one, as logged: lines come in time order, so nearly every line offered
    /// is the newest, and copying it costs less than escaping it each time. It is escaped
    /// when read ([`ExampleSet::items`]).
    last: Option<RawExample>,
}

/// A line kept as logged (cut at [`RAW_MAX`] bytes).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
struct RawExample {
    key: LineKey,
    raw: Vec<u8>,
}

/// Longest example text kept, in bytes of escaped text.
const EXAMPLE_MAX: usize = 1_000;
/// Raw bytes kept of the latest line. Escaping writes at least one byte per byte read, so
/// the text is cut before the raw bytes run out: escaping the cut gives what escaping the
/// whole line gives.
const RAW_MAX: usize = EXAMPLE_MAX + 8;

/// How many of the earliest examples an [`ExampleSet`] keeps.
const FIRST_KEPT: usize = 2;

impl ExampleSet {
    /// Whether a line with `key` would be one of the earliest kept.
    fn wants_first(&self, key: &LineKey) -> bool {
        self.first.len() < FIRST_KEPT || self.first.last().is_some_and(|l| *key < l.key)
    }

    /// Offers a line; allocates only if it is kept.
    pub fn offer(&mut self, key: LineKey, text: &[u8]) {
        let wants_first = self.wants_first(&key);
        let wants_last = self.last.as_ref().is_none_or(|l| key > l.key);
        if !wants_first && !wants_last {
            return;
        }
        if wants_last {
            self.last
                .get_or_insert_with(RawExample::default)
                .replace(key, text);
        }
        if wants_first {
            self.insert_first(ExampleItem {
                key,
                text: escape_bytes(raw_cut(text), EXAMPLE_MAX),
            });
        }
    }

    /// [`ExampleSet::offer`] inline in the caller (a failure's example in `count`): nearly
    /// every line offered comes after the latest kept one and after the two earliest, and
    /// only replaces the latest; anything else is a call of `offer`. (The whole offer as a
    /// call was ~88 instructions a failure besides the copy; `#[inline(always)]` on `offer`
    /// itself moved the access lines' code, which offers slow requests.)
    #[inline(always)]
    pub(crate) fn offer_latest(&mut self, key: LineKey, text: &[u8]) {
        if let (Some(second), Some(last)) = (self.first.get(1), self.last.as_mut()) {
            if key > last.key && key >= second.key {
                last.replace(key, text);
                return;
            }
        }
        self.offer(key, text);
    }

    fn insert_first(&mut self, item: ExampleItem) {
        if self.first.iter().any(|f| f.key == item.key) {
            return;
        }
        let pos = self.first.partition_point(|f| f.key < item.key);
        self.first.insert(pos, item);
        self.first.truncate(FIRST_KEPT);
    }

    /// Adds the other set's examples.
    pub fn merge(&mut self, other: &ExampleSet) {
        for item in &other.first {
            // Copied only if it is kept (a later shard's earliest rarely are).
            if self.wants_first(&item.key) {
                self.insert_first(item.clone());
            }
        }
        if let Some(o) = &other.last {
            match &mut self.last {
                // The kept line's allocation reused (its bytes as they are: already cut).
                Some(l) if o.key > l.key => {
                    l.key = o.key;
                    l.raw.clone_from(&o.raw);
                }
                Some(_) => {}
                None => self.last = Some(o.clone()),
            }
        }
    }

    /// Rewrites the key of every kept line (for a state file's inputs renumbered when runs
    /// are merged).
    pub(crate) fn map_keys(&mut self, mut f: impl FnMut(&mut LineKey)) {
        self.first.iter_mut().for_each(|item| f(&mut item.key));
        self.first.sort();
        if let Some(last) = &mut self.last {
            f(&mut last.key);
        }
    }

    /// Whether the set is one `offer` and `merge` could have built (for a state read from a
    /// file).
    pub(crate) fn check(&self) -> Result<(), &'static str> {
        let long = self.first.iter().any(|f| f.text.len() > EXAMPLE_MAX * 4)
            || self.last.as_ref().is_some_and(|l| l.raw.len() > RAW_MAX);
        if self.first.len() > 2 || long {
            return Err("an example set of another size");
        }
        Ok(())
    }

    /// Up to three distinct examples in line order, escaped.
    pub fn items(&self) -> Vec<ExampleItem> {
        let mut items: Vec<ExampleItem> = self.first.clone();
        if let Some(last) = &self.last {
            if !items.iter().any(|i| i.key == last.key) {
                items.push(ExampleItem {
                    key: last.key,
                    text: escape_bytes(&last.raw, EXAMPLE_MAX),
                });
            }
        }
        items
    }
}

impl RawExample {
    /// Keeps `text` (its line end trimmed, cut at [`RAW_MAX`]) as the line at `key`,
    /// reusing the kept line's allocation.
    #[inline]
    fn replace(&mut self, key: LineKey, text: &[u8]) {
        self.key = key;
        self.raw.clear();
        self.raw.extend_from_slice(raw_cut(text));
    }
}

/// The part of a line an example keeps as logged: without its line end, cut at
/// [`RAW_MAX`] bytes.
fn raw_cut(text: &[u8]) -> &[u8] {
    let text = trim_line_end(text);
    text.get(..RAW_MAX).unwrap_or(text)
}

fn trim_line_end(text: &[u8]) -> &[u8] {
    let mut t = text;
    while let [rest @ .., b'\n' | b'\r'] = t {
        t = rest;
    }
    t
}

/// What identifies a finding.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct GroupKey {
    /// The cause.
    pub cause: Cause,
    /// The server that logged it.
    pub server: Server,
    /// The upstream (escaped); empty when unknown.
    pub upstream: String,
    /// The virtual host (escaped); empty when unknown.
    pub vhost: String,
    /// Whether this is the "other upstreams" group collecting the overflow.
    pub other: bool,
}

/// The stable hash of a group key's parts.
pub fn group_hash(cause: Cause, server: Server, upstream: &[u8], vhost: &[u8], other: bool) -> u64 {
    let mut h = FxHasher::default();
    cause.hash(&mut h);
    server.hash(&mut h);
    upstream.hash(&mut h);
    vhost.hash(&mut h);
    other.hash(&mut h);
    h.finish()
}

/// Accumulated events of one finding.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Group {
    /// Identity.
    pub key: GroupKey,
    /// `group_hash` of the key (raw bytes, before escaping).
    pub hash: u64,
    /// The upstream as logged (the key holds it escaped).
    pub raw_upstream: Vec<u8>,
    /// The virtual host as logged.
    pub raw_vhost: Vec<u8>,
    /// Events.
    pub count: u64,
    /// Body-phase events (truncated responses).
    pub truncated: u64,
    /// First event (analysis seconds).
    pub first: i64,
    /// Last event.
    pub last: i64,
    /// Events over time.
    pub series: Series,
    /// Endpoints.
    pub endpoints: TopK,
    /// Clients.
    pub clients: TopK,
    /// Upstream peers as logged.
    pub peers: TopK,
    /// Phases.
    pub phases: BTreeMap<Phase, u64>,
    /// Variants.
    pub variants: BTreeMap<String, u64>,
    /// Errno names.
    pub errnos: BTreeMap<String, u64>,
    /// Protocols.
    pub protocols: BTreeMap<String, u64>,
    /// Example lines.
    pub examples: ExampleSet,
    /// Evidence lines from other logs (e.g. the php-fpm.log line that proves pool exhaustion).
    pub evidence: ExampleSet,
    /// Notes from correlation.
    pub notes: Vec<String>,
    /// Edge failures: the statuses the edge sent for them.
    #[serde(default)]
    pub statuses: BTreeMap<u16, u64>,
    /// Edge failures: the statuses the origin answered, where the edge logged one.
    #[serde(default)]
    pub origin_statuses: BTreeMap<u16, u64>,
    /// Edge failures: how long each took at the edge (seconds); `None` until one logged a
    /// duration (an empty sketch does not survive JSON). Always written: state files are
    /// postcard, which has no field names, so a field left out misreads every one after it.
    #[serde(default)]
    pub durations: Option<Sketch>,
    /// Edge failures: the shortest and longest of those durations, exactly (microseconds):
    /// "all 412 took 10.0 s" must not be the sketch's 1 % rounding.
    #[serde(default)]
    pub duration_range: Option<(u64, u64)>,
}

impl Group {
    /// A new, empty group.
    pub fn new(key: GroupKey, hash: u64, base_resolution: i64) -> Group {
        Group {
            key,
            hash,
            raw_upstream: Vec::new(),
            raw_vhost: Vec::new(),
            count: 0,
            truncated: 0,
            first: i64::MAX,
            last: i64::MIN,
            series: Series::new(base_resolution),
            endpoints: TopK::new(TOPK_CAPACITY),
            clients: TopK::new(TOPK_CAPACITY),
            peers: TopK::new(TOPK_CAPACITY / 4),
            phases: BTreeMap::new(),
            variants: BTreeMap::new(),
            errnos: BTreeMap::new(),
            protocols: BTreeMap::new(),
            examples: ExampleSet::default(),
            evidence: ExampleSet::default(),
            notes: Vec::new(),
            statuses: BTreeMap::new(),
            origin_statuses: BTreeMap::new(),
            durations: None,
            duration_range: None,
        }
    }

    /// Counts one edge duration (microseconds) in the exact range.
    pub fn widen_durations(&mut self, us: u64) {
        self.duration_range = Some(match self.duration_range {
            Some((lo, hi)) => (lo.min(us), hi.max(us)),
            None => (us, us),
        });
    }

    /// Adds another group's events (any order gives the same result).
    pub fn merge(&mut self, other: &Group) {
        self.count += other.count;
        self.truncated += other.truncated;
        self.first = self.first.min(other.first);
        self.last = self.last.max(other.last);
        self.series.merge(&other.series);
        self.endpoints.merge(&other.endpoints);
        self.clients.merge(&other.clients);
        self.peers.merge(&other.peers);
        add_maps(&mut self.phases, &other.phases);
        add_maps(&mut self.variants, &other.variants);
        add_maps(&mut self.errnos, &other.errnos);
        add_maps(&mut self.protocols, &other.protocols);
        self.examples.merge(&other.examples);
        self.evidence.merge(&other.evidence);
        for note in &other.notes {
            if !self.notes.contains(note) {
                self.notes.push(note.clone());
            }
        }
        self.notes.sort();
        add_maps(&mut self.statuses, &other.statuses);
        add_maps(&mut self.origin_statuses, &other.origin_statuses);
        if let Some(theirs) = &other.durations {
            self.durations
                .get_or_insert_with(Sketch::default)
                .merge(theirs);
        }
        if let Some((lo, hi)) = other.duration_range {
            self.widen_durations(lo);
            self.widen_durations(hi);
        }
    }
}

/// Adds counts of `other` into `into`.
pub fn add_maps<K: Ord + Clone>(into: &mut BTreeMap<K, u64>, other: &BTreeMap<K, u64>) {
    for (k, v) in other {
        *into.entry(k.clone()).or_insert(0) += v;
    }
}

/// All groups, with a hash index for lookups that allocate nothing.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Groups {
    list: Vec<Group>,
    #[serde(skip)]
    index: FxHashMap<u64, Vec<usize>>,
    #[serde(skip)]
    indexed: bool,
    /// The index [`Groups::index_of`] returned last for each [`memo_slot`] of a key (or
    /// `usize::MAX`), [`MEMO_SLOTS`] of them once a group is looked up: checking one
    /// group's key costs less than hashing the key to look it up. Only hints: one is used
    /// when the group there has the key asked for (keys are unique). (Four groups looked up
    /// last, checked in turn, found 55,813 of 62,100 nginx error failures' groups, ~179
    /// instructions a failure with the lookups of the rest; the memo leaves 285 to look up.)
    #[serde(skip)]
    memo: Vec<usize>,
}

/// How many groups' indexes [`Groups::memo`] remembers; a power of two.
const MEMO_SLOTS: usize = 64;
const _: () = assert!(MEMO_SLOTS.is_power_of_two() && MEMO_SLOTS > 1);

/// Where [`Groups::memo`] remembers a key's group: a mix of its cause, the lengths of its
/// upstream and host and their last eight bytes (of a shorter one, its first and last: a
/// loop over its bytes cost more than the memo saved on PHP-FPM's pools). A cheap stand-in
/// for [`group_hash`], which hashes every byte; keys that share a slot take turns in it.
#[inline]
fn memo_slot(cause: Cause, upstream: &[u8], vhost: &[u8]) -> usize {
    // The last eight bytes as one word; of a shorter string, its first and last byte.
    let tail = |s: &[u8]| -> u64 {
        match s.len().checked_sub(8).and_then(|at| s.get(at..)) {
            Some(word) => <[u8; 8]>::try_from(word).map_or(0, u64::from_le_bytes),
            None => {
                let byte = |b: Option<&u8>| u64::from(b.copied().unwrap_or(0));
                byte(s.first()) | (byte(s.last()) << 8)
            }
        }
    };
    let wide = |n: usize| u64::try_from(n).unwrap_or(u64::MAX);
    let mix = (cause as u64)
        ^ (wide(upstream.len()) << 8)
        ^ (wide(vhost.len()) << 20)
        ^ tail(upstream)
        ^ tail(vhost).rotate_left(29);
    // The top bits of a Fibonacci hash pick the slot.
    let bits = MEMO_SLOTS.trailing_zeros();
    usize::try_from(mix.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (u64::BITS - bits)).unwrap_or(0)
}

impl PartialEq for Groups {
    fn eq(&self, other: &Self) -> bool {
        let mut a: Vec<&Group> = self.list.iter().collect();
        let mut b: Vec<&Group> = other.list.iter().collect();
        a.sort_by(|x, y| x.key.cmp(&y.key));
        b.sort_by(|x, y| x.key.cmp(&y.key));
        a == b
    }
}

impl Groups {
    fn reindex(&mut self) {
        self.index.clear();
        for (i, g) in self.list.iter().enumerate() {
            self.index.entry(g.hash).or_default().push(i);
        }
        self.indexed = true;
    }

    fn find(&mut self, hash: u64, matches: impl Fn(&Group) -> bool) -> Option<usize> {
        if !self.indexed {
            self.reindex();
        }
        self.index
            .get(&hash)?
            .iter()
            .copied()
            .find(|&i| self.list.get(i).is_some_and(&matches))
    }

    /// The index of the group for these key parts, created if new. Looking up an existing
    /// group allocates nothing. When a (cause, server) already has [`GROUPS_PER_CAUSE`]
    /// groups, the ones with the largest hashes fold into an "other" group, so the kept set
    /// does not depend on arrival order.
    #[inline]
    pub fn index_of(
        &mut self,
        cause: Cause,
        server: Server,
        upstream: &[u8],
        vhost: &[u8],
        base_resolution: i64,
    ) -> usize {
        // The group remembered for the key's slot, checked inline in the caller: the same
        // test as `look_up`'s `matches`, its bytes compared without `memcmp` calls.
        let slot = memo_slot(cause, upstream, vhost);
        if let Some(&i) = self.memo.get(slot) {
            if self.list.get(i).is_some_and(|g| {
                g.key.cause == cause
                    && g.key.server == server
                    && !g.key.other
                    && same_bytes(&g.raw_upstream, upstream)
                    && same_bytes(&g.raw_vhost, vhost)
            }) {
                return i;
            }
        }
        self.look_up(slot, cause, server, upstream, vhost, base_resolution)
    }

    /// [`Groups::index_of`] for a key its memo slot does not hold: looked up by its hash,
    /// or a new group.
    #[inline(never)]
    fn look_up(
        &mut self,
        slot: usize,
        cause: Cause,
        server: Server,
        upstream: &[u8],
        vhost: &[u8],
        base_resolution: i64,
    ) -> usize {
        let matches = |g: &Group| {
            g.key.cause == cause
                && g.key.server == server
                && !g.key.other
                && *g.raw_upstream == *upstream
                && *g.raw_vhost == *vhost
        };
        let hash = group_hash(cause, server, upstream, vhost, false);
        if let Some(i) = self.find(hash, matches) {
            self.remember(slot, i);
            return i;
        }
        let key = GroupKey {
            cause,
            server,
            upstream: escape_bytes(upstream, 300),
            vhost: escape_bytes(vhost, 300),
            other: false,
        };
        let mut group = Group::new(key, hash, base_resolution);
        group.raw_upstream = upstream.to_vec();
        group.raw_vhost = vhost.to_vec();
        self.insert(group)
    }

    /// Remembers that the key of memo slot `slot` is the group at `index`.
    fn remember(&mut self, slot: usize, index: usize) {
        if self.memo.len() != MEMO_SLOTS {
            self.memo = vec![usize::MAX; MEMO_SLOTS];
        }
        if let Some(remembered) = self.memo.get_mut(slot) {
            *remembered = index;
        }
    }

    /// The group at `index`.
    pub fn get_mut(&mut self, index: usize) -> Option<&mut Group> {
        self.list.get_mut(index)
    }

    /// Where the group with `group`'s key is. (The key is compared where it lies: a copy
    /// cost two allocations a merged group.)
    fn position_of(&mut self, group: &Group) -> Option<usize> {
        self.find(group.hash, |g| {
            g.key == group.key
                && g.raw_upstream == group.raw_upstream
                && g.raw_vhost == group.raw_vhost
        })
    }

    /// Inserts (or merges) a whole group, applying the per-cause cap. Returns the index of
    /// the group that now holds its events.
    pub fn insert(&mut self, group: Group) -> usize {
        if !self.indexed {
            self.reindex();
        }
        if let Some(i) = self.position_of(&group) {
            if let Some(existing) = self.list.get_mut(i) {
                existing.merge(&group);
            }
            return i;
        }
        let key = &group.key;
        if !key.other {
            let worst = self
                .list
                .iter()
                .enumerate()
                .filter(|(_, g)| {
                    g.key.cause == key.cause && g.key.server == key.server && !g.key.other
                })
                .fold((0usize, None::<(usize, u64)>), |(n, worst), (i, g)| {
                    let worst = match worst {
                        Some((_, h)) if h >= g.hash => worst,
                        _ => Some((i, g.hash)),
                    };
                    (n + 1, worst)
                });
            if let (siblings, Some((worst_index, worst_hash))) = worst {
                if siblings >= GROUPS_PER_CAUSE {
                    if group.hash < worst_hash {
                        let evicted = self.list.swap_remove(worst_index);
                        self.list.push(group);
                        self.reindex();
                        let kept = self.list.len() - 1;
                        self.fold_into_other(evicted);
                        return kept;
                    }
                    return self.fold_into_other(group);
                }
            }
        }
        self.list.push(group);
        self.reindex();
        self.list.len() - 1
    }

    fn fold_into_other(&mut self, group: Group) -> usize {
        let key = GroupKey {
            cause: group.key.cause,
            server: group.key.server,
            upstream: String::new(),
            vhost: String::new(),
            other: true,
        };
        let hash = group_hash(key.cause, key.server, b"", b"", true);
        let base = group.series.resolution();
        let mut other = Group::new(key, hash, base);
        other.merge(&group);
        let mut peer = group.key.upstream.clone();
        if peer.is_empty() {
            peer.push('-');
        }
        other.peers.add(peer.as_bytes(), group.count);
        self.insert(other)
    }

    /// Adds another shard's groups: the ones this lacks are taken over (not copied); the
    /// ones merged into groups this has are left in `other`, for the caller to drop (a
    /// reader drops its shard's rest on its own thread: dropping them here was ~1.5 M
    /// instructions of the merging thread on 200 MB of nginx error).
    pub fn absorb(&mut self, other: &mut Groups) {
        let mut merged = Vec::new();
        for group in other.take() {
            match self.position_of(&group) {
                Some(i) => {
                    if let Some(existing) = self.list.get_mut(i) {
                        existing.merge(&group);
                    }
                    merged.push(group);
                }
                None => {
                    self.insert(group);
                }
            }
        }
        other.list = merged;
    }

    /// The groups.
    pub fn iter(&self) -> impl Iterator<Item = &Group> {
        self.list.iter()
    }

    /// The groups, to rewrite what is not part of their key (examples' line keys).
    pub(crate) fn iter_mut(&mut self) -> impl Iterator<Item = &mut Group> {
        self.list.iter_mut()
    }

    /// Takes all groups out.
    pub fn take(&mut self) -> Vec<Group> {
        self.indexed = false;
        self.memo.clear();
        std::mem::take(&mut self.list)
    }
}

/// Line counts of one chunk of one input.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChunkStats {
    /// Physical lines.
    pub lines: u64,
    /// Lines in parsed records.
    pub parsed: u64,
    /// Unrecognised lines.
    pub unrecognized: u64,
    /// Parsed lines outside the time range.
    pub filtered: u64,
    /// Lines of other programs (a syslog file or a journal): neither parsed nor
    /// unrecognized, so `lines = parsed + unrecognized + other`.
    #[serde(default)]
    pub other: u64,
    /// Parsed lines by the format that read them, indexed like [`Format::ALL`]
    /// (an input may hold error and access lines together).
    ///
    /// [`Format::ALL`]: logscan_parse::Format::ALL
    #[serde(default)]
    pub by_format: [u64; logscan_parse::Format::ALL.len()],
    /// Lines whose envelope was broken (they are also counted as parsed or unrecognized).
    #[serde(default)]
    pub envelope_problems: u64,
}

impl ChunkStats {
    /// Adds another chunk's (or shard's) counts.
    pub fn add(&mut self, other: &ChunkStats) {
        self.lines += other.lines;
        self.parsed += other.parsed;
        self.unrecognized += other.unrecognized;
        self.filtered += other.filtered;
        self.other += other.other;
        for (mine, theirs) in self.by_format.iter_mut().zip(other.by_format) {
            *mine += theirs;
        }
        self.envelope_problems += other.envelope_problems;
    }
}

/// What the analyzer knows about one input.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InputState {
    /// Path, format, site.
    pub info: crate::InputInfo,
    /// Per chunk counts.
    pub chunks: BTreeMap<u32, ChunkStats>,
    /// First time seen.
    pub first: Option<i64>,
    /// Last time seen.
    pub last: Option<i64>,
    /// The first unrecognised lines.
    pub unrecognized: ExampleSet,
    /// The first lines with a broken envelope, with what was wrong.
    #[serde(default)]
    pub envelope_problems: ExampleSet,
}

impl InputState {
    /// A new input.
    pub fn new(info: crate::InputInfo) -> InputState {
        InputState {
            info,
            chunks: BTreeMap::new(),
            first: None,
            last: None,
            unrecognized: ExampleSet::default(),
            envelope_problems: ExampleSet::default(),
        }
    }

    /// Adds another shard's view of the same input.
    pub fn merge(&mut self, other: &InputState) {
        for (chunk, stats) in &other.chunks {
            self.chunks.entry(*chunk).or_default().add(stats);
        }
        self.first = min_opt(self.first, other.first);
        self.last = max_opt(self.last, other.last);
        self.unrecognized.merge(&other.unrecognized);
        self.envelope_problems.merge(&other.envelope_problems);
    }

    /// Sum over chunks.
    pub fn totals(&self) -> ChunkStats {
        self.chunks
            .values()
            .fold(ChunkStats::default(), |mut acc, c| {
                acc.add(c);
                acc
            })
    }

    /// The formats of the lines read: those that parsed a line, or when none did, the
    /// format chosen for the input (a mixed input has several).
    pub fn read_formats(&self) -> impl Iterator<Item = logscan_parse::Format> + '_ {
        let by_format = self.totals().by_format;
        let any = by_format.iter().any(|n| *n > 0);
        logscan_parse::Format::ALL
            .into_iter()
            .zip(by_format)
            .filter(move |(f, n)| if any { *n > 0 } else { *f == self.info.format })
            .map(|(f, _)| f)
    }

    /// The absolute line number of a line given as (chunk, line in chunk).
    pub fn absolute_line(&self, chunk: u32, line: u64) -> u64 {
        self.chunks
            .range(..chunk)
            .map(|(_, c)| c.lines)
            .sum::<u64>()
            + line
    }
}

/// The smaller of two optional values.
pub fn min_opt(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, None) => x,
        (None, y) => y,
    }
}

/// The larger of two optional values.
pub fn max_opt(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, None) => x,
        (None, y) => y,
    }
}

/// A quantile sketch of durations in seconds.
///
/// Serialised as the sketch itself; read back only when its bins are consistent with its
/// counts, keys and configuration (the sketch indexes its bins by them), see
/// [`sketch_check`]. Durations added in microseconds ([`Sketch::add_micros`]) wait in a
/// batch, which every other use of the sketch hands over first (`batch.rs`); the third
/// field says the batch was given up (durations that are not whole milliseconds).
#[derive(Clone)]
pub struct Sketch(DDSketch, Option<Box<batch::Batch>>, bool);

impl Serialize for Sketch {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // As the derived `Serialize` of `Sketch(DDSketch)` wrote it: a state's shape is pinned.
        s.serialize_newtype_struct("Sketch", &*self.settled())
    }
}

impl<'de> Deserialize<'de> for Sketch {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mirror = sketch_check::Mirror::deserialize(d)?;
        mirror.check().map_err(serde::de::Error::custom)?;
        mirror.into_sketch().map_err(serde::de::Error::custom)
    }
}

/// The layout of `sketches_ddsketch::DDSketch`'s serialisation, to check it before the
/// sketch, which trusts its own fields, is made from it.
mod sketch_check {
    use serde::{Deserialize, Serialize};
    use sketches_ddsketch::DDSketch;

    use super::Sketch;

    #[derive(Serialize, Deserialize, PartialEq)]
    struct Config {
        max_num_bins: u32,
        gamma: f64,
        gamma_ln: f64,
        min_value: f64,
        offset: i32,
    }

    #[derive(Serialize, Deserialize)]
    struct Store {
        bins: Vec<u64>,
        count: u64,
        min_key: i32,
        max_key: i32,
        offset: i32,
        bin_limit: usize,
        is_collapsed: bool,
    }

    #[derive(Serialize, Deserialize)]
    pub(super) struct Mirror {
        config: Config,
        store: Store,
        negative_store: Store,
        min: f64,
        max: f64,
        sum: f64,
        zero_count: u64,
    }

    /// Keys far beyond any duration's (±2^20: 1 µs to years is about ±2 000).
    const KEY_LIMIT: i32 = 1 << 20;

    impl Store {
        fn check(&self, bin_limit: usize) -> Result<(), &'static str> {
            if self.bin_limit != bin_limit || self.bins.len() > bin_limit {
                return Err("a sketch store of another size");
            }
            if crate::limits::sum(self.bins.iter().copied())? != self.count {
                return Err("a sketch store whose bins do not add up");
            }
            if self.count == 0 {
                return Ok(());
            }
            let len = i32::try_from(self.bins.len()).map_err(|_| "a sketch store too long")?;
            let inside = |k: i32| (-KEY_LIMIT..=KEY_LIMIT).contains(&k);
            if !(inside(self.offset) && inside(self.min_key) && inside(self.max_key))
                || self.offset > self.min_key
                || self.min_key > self.max_key
                || self.max_key >= self.offset + len
            {
                return Err("a sketch store whose keys are not its bins'");
            }
            Ok(())
        }
    }

    impl Mirror {
        /// Through postcard, which writes both the same way (and, unlike JSON, writes the
        /// infinities of an empty sketch's bounds).
        fn of(sketch: &Sketch) -> Result<Mirror, String> {
            postcard::to_stdvec(&sketch.0)
                .and_then(|bytes| postcard::from_bytes(&bytes))
                .map_err(|e| e.to_string())
        }

        pub(super) fn check(&self) -> Result<(), String> {
            let fresh = Mirror::of(&Sketch::default())?;
            if self.config != fresh.config {
                return Err("a sketch of another configuration".to_owned());
            }
            let bins = fresh.store.bin_limit;
            self.store.check(bins)?;
            self.negative_store.check(bins)?;
            if [self.min, self.max, self.sum].iter().any(|v| v.is_nan()) {
                return Err("a sketch with NaN".to_owned());
            }
            Ok(())
        }

        pub(super) fn into_sketch(self) -> Result<Sketch, String> {
            postcard::to_stdvec(&self)
                .and_then(|bytes| postcard::from_bytes(&bytes))
                .map(|sketch| Sketch(sketch, None, false))
                .map_err(|e| e.to_string())
        }

        /// The sketch's sum, exactly as it keeps it (also when it is empty).
        pub(super) fn sum_of(sketch: &DDSketch) -> f64 {
            postcard::to_stdvec(sketch)
                .and_then(|bytes| postcard::from_bytes::<Mirror>(&bytes))
                .map_or(0.0, |m| m.sum)
        }

        /// Writes a batch's minimum, maximum and sum into a sketch its values were added
        /// to by bin (the sketch's own are those of one value of each bin).
        pub(super) fn set_moments(sketch: &mut Sketch, min: f64, max: f64, sum: f64) {
            let Ok(mut mirror) = Mirror::of(sketch) else {
                return;
            };
            mirror.min = mirror.min.min(min);
            mirror.max = mirror.max.max(max);
            mirror.sum = sum;
            if let Ok(set) = mirror.into_sketch() {
                *sketch = set;
            }
        }
    }
}

impl Default for Sketch {
    fn default() -> Self {
        // 1 % relative accuracy from 1 µs; 2048 bins cover 1 µs .. years without collapsing.
        Sketch(DDSketch::new(*batch::CONFIG), None, false)
    }
}

impl Sketch {
    /// Adds one duration.
    #[inline]
    pub fn add(&mut self, seconds: f64) {
        if seconds.is_finite() && seconds >= 0.0 {
            if self.1.is_some() {
                self.settle_cold();
            }
            self.0.add(seconds);
        }
    }

    /// Adds one duration of `us` microseconds (as `add(us as f64 / 1e6)` does), by bin.
    #[inline(always)]
    pub fn add_micros(&mut self, us: u64) {
        let seconds = us as f64 / 1e6;
        match &mut self.1 {
            Some(batch) => match batch.add(us, seconds) {
                batch::Added::Counted => {}
                other => self.batch_refused(other, seconds),
            },
            None if self.2 => self.0.add(seconds),
            None => self.start_batch(us, seconds),
        }
    }

    /// The first duration after the batch was handed over.
    #[cold]
    #[inline(never)]
    fn start_batch(&mut self, us: u64, seconds: f64) {
        let sum = sketch_check::Mirror::sum_of(&self.0);
        let batch = self.1.insert(Box::new(batch::Batch::new(sum)));
        match batch.add(us, seconds) {
            batch::Added::Counted => {}
            other => self.batch_refused(other, seconds),
        }
    }

    /// A duration the batch did not count, or the sign that batching is not worth it.
    #[cold]
    #[inline(never)]
    fn batch_refused(&mut self, added: batch::Added, seconds: f64) {
        self.settle();
        match added {
            // Beyond the bins a batch counts: added after what the batch holds.
            batch::Added::Beyond => self.0.add(seconds),
            // Durations of any microsecond (Apache's `%D`) find their bins by a logarithm
            // either way: added to the sketch directly from now on.
            _ => self.2 = true,
        }
    }

    /// Hands the batch's values over to the sketch.
    pub fn settle(&mut self) {
        let Some(batch) = self.1.take() else {
            return;
        };
        for (value, count) in batch.additions() {
            self.0.add_with_count(value, count);
        }
        if batch.count > 0 {
            sketch_check::Mirror::set_moments(self, batch.min, batch.max, batch.sum);
        }
    }

    /// [`Sketch::settle`], out of the way of a plain [`Sketch::add`].
    #[cold]
    #[inline(never)]
    fn settle_cold(&mut self) {
        self.settle();
    }

    /// The sketch with its batch handed over (a copy when there is one).
    fn settled(&self) -> std::borrow::Cow<'_, DDSketch> {
        if self.1.is_none() {
            return std::borrow::Cow::Borrowed(&self.0);
        }
        let mut copy = self.clone();
        copy.settle();
        std::borrow::Cow::Owned(copy.0)
    }

    /// Adds another sketch.
    pub fn merge(&mut self, other: &Sketch) {
        self.settle();
        // Both sketches always share the default configuration, so merge cannot fail.
        let _ = self.0.merge(&other.settled());
    }

    /// How many values.
    pub fn count(&self) -> u64 {
        self.0.count() as u64 + self.1.as_ref().map_or(0, |b| b.count)
    }

    /// The q-quantile (0 when empty).
    pub fn quantile(&self, q: f64) -> f64 {
        self.settled().quantile(q).ok().flatten().unwrap_or(0.0)
    }

    /// The largest value.
    pub fn max(&self) -> f64 {
        self.settled().max().unwrap_or(0.0)
    }
}

impl fmt::Debug for Sketch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Sketch(count={}, p50={})",
            self.count(),
            self.quantile(0.5)
        )
    }
}

impl PartialEq for Sketch {
    fn eq(&self, other: &Self) -> bool {
        self.count() == other.count()
            && [0.1, 0.5, 0.9, 0.99]
                .iter()
                .all(|&q| self.quantile(q) == other.quantile(q))
            && self.max() == other.max()
    }
}

/// An error-log failure remembered for attributing access-log 5xx to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ErrorMark {
    /// Hash of the client address (first: the sample is uniform over clients).
    pub client: u64,
    /// Analysis seconds.
    pub t: i64,
    /// Hash of the request line (0 when the line has none).
    pub request: u64,
    /// Hash of the site (server group).
    pub site: u64,
    /// Hash of the finding's group.
    pub group: u64,
    /// Where it was logged (makes items unique).
    pub line: (u32, u32, u64),
}

/// An access-log 5xx (or 499) remembered for attribution.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct RequestMark {
    /// Hash of the client address.
    pub client: u64,
    /// When the request ended (analysis seconds).
    pub end: i64,
    /// When it started.
    pub start: i64,
    /// Hash of the request line.
    pub request: u64,
    /// Hash of the site.
    pub site: u64,
    /// Status.
    pub status: u16,
    /// Last upstream status (0 when none).
    pub upstream_status: u16,
    /// Whether an upstream address was logged.
    pub has_upstream: bool,
    /// Whether the duration was unknown (`end` is then only an upper bound).
    pub open_end: bool,
    /// Where it was logged.
    pub line: (u32, u32, u64),
}

/// A PHP-FPM event used to reinterpret the web server's errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct FpmMark {
    /// Analysis seconds.
    pub t: i64,
    /// What FPM said.
    pub cause: Cause,
    /// Child pid, when the line names one.
    pub pid: u32,
    /// Where it was logged.
    pub line: (u32, u32, u64),
}

/// Access-log statistics.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AccessState {
    /// Requests over time.
    pub requests: Series,
    /// 5xx over time.
    pub server_errors: Series,
    /// Statuses.
    pub statuses: StatusCounts,
    /// Last upstream status of each request.
    pub upstream_statuses: StatusCounts,
    /// Requests with more than one upstream try.
    pub retried: u64,
    /// Request times.
    pub request_time: Sketch,
    /// Upstream times.
    pub upstream_time: Sketch,
    /// Upstream (else request) times per 5xx / 499 status.
    pub time_by_status: BTreeMap<u16, Sketch>,
    /// Endpoints of 5xx.
    pub endpoints_5xx: TopK,
    /// UTC offsets seen in access lines, and when.
    pub offsets: BTreeMap<i32, OffsetSeen>,
    /// 499s as a finding-like group (used when the error log has no client_abort lines).
    pub aborts: Group,
    /// The most requests each upstream had in flight at once.
    pub in_flight: crate::in_flight::InFlight,
}

/// How often, and between which analysis times, access lines carried one UTC offset.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OffsetSeen {
    /// Lines with it.
    pub count: u64,
    /// First and last analysis time of those lines.
    pub first: i64,
    /// See `first`.
    pub last: i64,
}

impl OffsetSeen {
    /// Counts a line at analysis time `t`.
    pub fn add(&mut self, t: i64) {
        if self.count == 0 {
            (self.first, self.last) = (t, t);
        } else {
            self.first = self.first.min(t);
            self.last = self.last.max(t);
        }
        self.count += 1;
    }

    /// Adds another shard's lines.
    pub fn merge(&mut self, other: &OffsetSeen) {
        if other.count == 0 {
            return;
        }
        if self.count == 0 {
            *self = *other;
            return;
        }
        self.first = self.first.min(other.first);
        self.last = self.last.max(other.last);
        self.count += other.count;
    }

    /// How far `t` lies outside the time these lines cover (0 inside).
    pub fn distance(&self, t: i64) -> i64 {
        if t < self.first {
            self.first - t
        } else {
            t.saturating_sub(self.last).max(0)
        }
    }
}

impl AccessState {
    /// Empty statistics.
    pub fn new(base_resolution: i64) -> AccessState {
        let abort_key = GroupKey {
            cause: Cause::ClientAbort,
            server: Server::Nginx,
            upstream: String::new(),
            vhost: String::new(),
            other: false,
        };
        AccessState {
            requests: Series::new(base_resolution),
            server_errors: Series::new(base_resolution),
            statuses: StatusCounts::default(),
            upstream_statuses: StatusCounts::default(),
            retried: 0,
            request_time: Sketch::default(),
            upstream_time: Sketch::default(),
            time_by_status: BTreeMap::new(),
            endpoints_5xx: TopK::new(TOPK_CAPACITY),
            offsets: BTreeMap::new(),
            aborts: Group::new(abort_key, 0, base_resolution),
            in_flight: crate::in_flight::InFlight::default(),
        }
    }

    /// Adds another shard's statistics.
    pub fn merge(&mut self, other: &AccessState) {
        self.requests.merge(&other.requests);
        self.server_errors.merge(&other.server_errors);
        self.statuses.merge(&other.statuses);
        self.upstream_statuses.merge(&other.upstream_statuses);
        self.retried += other.retried;
        self.request_time.merge(&other.request_time);
        self.upstream_time.merge(&other.upstream_time);
        for (status, sketch) in &other.time_by_status {
            self.time_by_status
                .entry(*status)
                .or_default()
                .merge(sketch);
        }
        self.endpoints_5xx.merge(&other.endpoints_5xx);
        for (offset, seen) in &other.offsets {
            self.offsets.entry(*offset).or_default().merge(seen);
        }
        self.aborts.merge(&other.aborts);
        self.in_flight.merge(&other.in_flight);
    }

    /// Total requests.
    pub fn total(&self) -> u64 {
        self.statuses.total()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_latest_example_reads_as_if_escaped_whole() {
        // Long lines, invalid UTF-8 and multi-byte characters across the cut.
        let long: Vec<u8> = "é".repeat(700).into_bytes();
        let mut invalid = vec![0xff; 300];
        invalid.extend_from_slice(&long);
        let lines: [&[u8]; 4] = [b"short line\n", &long, &invalid, b"GET /\xff\r\n"];
        for (i, line) in lines.iter().enumerate() {
            let mut set = ExampleSet::default();
            // Two earlier lines take the `first` slots, so `line` is only the latest.
            set.offer((1, 0, 0, 1), b"a");
            set.offer((2, 0, 0, 2), b"b");
            set.offer((10 + i as i64, 0, 0, 3), line);
            let items = set.items();
            assert_eq!(items.len(), 3);
            assert_eq!(
                items[2].text,
                escape_bytes(trim_line_end(line), EXAMPLE_MAX),
                "line {i}"
            );
        }
        // Merged sets keep the latest of both, in either order.
        let (mut a, mut b) = (ExampleSet::default(), ExampleSet::default());
        a.offer((5, 0, 0, 1), b"five");
        b.offer((7, 0, 0, 1), b"seven");
        let mut ab = a.clone();
        ab.merge(&b);
        b.merge(&a);
        assert_eq!(ab, b);
        assert_eq!(ab.items().last().map(|e| e.text.as_str()), Some("seven"));
    }

    proptest::proptest! {
        /// `index_of` through its memo gives each key one group, the one holding that key,
        /// as a plain search of the groups would: keys that differ in cause, server, or
        /// only inside their upstream or host (same lengths and last eight bytes, so the
        /// same memo slot), asked for in any order and again after `take`.
        #[test]
        fn index_of_finds_the_group_of_its_key(
            asks in proptest::collection::vec((0usize..3, 0usize..2, 0usize..4, 0usize..3), 1..60),
        ) {
            let causes = [Cause::UpstreamRefused, Cause::UpstreamTimeoutRead, Cause::ClientAbort];
            let servers = [Server::Nginx, Server::Apache];
            let upstreams: [&[u8]; 4] = [b"", b"www", b"10.0.1.11:8080", b"10.0.2.11:8080"];
            let vhosts: [&[u8]; 3] = [b"", b"shop.example.test", b"shoq.example.test"];
            let mut groups = Groups::default();
            for round in 0..2 {
                let mut seen = std::collections::BTreeSet::new();
                for &(c, s, u, v) in &asks {
                    let (cause, server) = (causes[c], servers[s]);
                    let i = groups.index_of(cause, server, upstreams[u], vhosts[v], 1);
                    let holding: Vec<usize> = groups
                        .iter()
                        .enumerate()
                        .filter(|(_, g)| {
                            g.key.cause == cause
                                && g.key.server == server
                                && g.raw_upstream == upstreams[u]
                                && g.raw_vhost == vhosts[v]
                        })
                        .map(|(at, _)| at)
                        .collect();
                    proptest::prop_assert_eq!(holding, vec![i], "round {}", round);
                    seen.insert((c, s, u, v));
                }
                proptest::prop_assert_eq!(groups.iter().count(), seen.len());
                groups.take();
            }
        }

        /// `offer_latest` (the newest line replacing the latest inline) keeps what `offer`
        /// keeps, for lines in time order, out of order, repeated keys, and texts with line
        /// ends or longer than the cut.
        #[test]
        fn offer_latest_keeps_what_offer_keeps(
            offers in proptest::collection::vec(
                (0i64..6, 0u64..3, 0usize..3, proptest::bool::ANY),
                0..40,
            ),
        ) {
            let (mut plain, mut fast) = (ExampleSet::default(), ExampleSet::default());
            for &(t, line, text, crlf) in &offers {
                let mut bytes = match text {
                    0 => b"a line".to_vec(),
                    1 => vec![b'x'; RAW_MAX + 5],
                    _ => format!("line {t} {line}").into_bytes(),
                };
                if crlf {
                    bytes.extend_from_slice(b"\r\n");
                }
                plain.offer((t, 0, 0, line), &bytes);
                fast.offer_latest((t, 0, 0, line), &bytes);
                proptest::prop_assert_eq!(&fast, &plain);
            }
            proptest::prop_assert_eq!(fast.items(), plain.items());
        }
    }
}
