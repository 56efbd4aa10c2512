//! The layer in front: what the CDN or load balancer logged, and the join of its failures
//! with the origin's logs.
//!
//! Every edge request counts like an access-log request; every edge 5xx (or client abort)
//! is a failure in a finding of its own layer. To say whether a failed edge request reached
//! the origin, the origin's requests are remembered as [`OriginMark`]s and the edge
//! failures as [`EdgeMark`]s; at the end each edge failure looks for an origin line of the
//! same request (path, and method and host where both sides log them; the trace id when
//! both log one) that ended while the edge waited, or just after it gave up. None found while the origin's
//! access log covers that time: the request never reached the origin. Found, with a 5xx
//! the origin's own error log explains: that origin finding explains the edge failure.
//! A failure before the edge sent the request (connect, DNS, TLS, a queue timeout) has no
//! origin line of its own: a line of the same path at that time is another visitor's, so
//! only the same trace id counts for those.
//!
//! Memory stays bounded: origin lines are sampled by a hash of (path, 5-minute slot), so
//! for a kept (path, slot) *every* line is kept and absence means absence; edge failures
//! whose slots were not kept are "unknown", and the counts are scaled from the sample.

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};

use rustc_hash::{FxHashMap, FxHasher};
use serde::{Deserialize, Serialize};

use crate::sample::BottomK;

/// Edge failures remembered for the join.
pub(crate) const EDGE_MARKS: usize = 16_384;
/// Origin requests remembered for the join.
pub(crate) const ORIGIN_MARKS: usize = 65_536;
/// The time slot of the origin sample, in seconds.
const SLOT: i64 = 300;
/// Seconds an origin line may be off the edge's window: whole-second logs and clocks of
/// two machines.
pub(crate) const SLACK: i64 = 2;
/// How far past the origin access logs' span an edge failure may lie and still be told
/// "never reached" (a log that ends because the server went down ends early).
const COVERAGE: i64 = 600;

/// The hash of a request's path without its query (what both layers log alike).
pub(crate) fn path_key(target: &[u8]) -> u64 {
    hash(crate::text::path_of(target))
}

/// A stable hash; 0 is kept for "not logged".
pub(crate) fn hash(bytes: &[u8]) -> u64 {
    let mut h = FxHasher::default();
    bytes.hash(&mut h);
    h.finish().max(1)
}

/// [`hash_opt`] of a request's method, `GET` (most requests') hashed once.
#[inline]
pub(crate) fn method_hash(method: Option<&[u8]>) -> u64 {
    static GET: std::sync::LazyLock<u64> = std::sync::LazyLock::new(|| hash(b"GET"));
    match method {
        Some(b"GET") => *GET,
        other => hash_opt(other),
    }
}

/// An optional field's hash (0 when not logged).
pub(crate) fn hash_opt(bytes: Option<&[u8]>) -> u64 {
    bytes.filter(|b| !b.is_empty()).map_or(0, hash)
}

/// The hash of a trace id as both sides write it: ALB's `Root=1-...` (also inside
/// `Self=...;Root=...`), Cloudflare's ray id with or without the `-SEA` data-center suffix
/// that the `Cf-Ray` header adds.
pub(crate) fn trace_key(trace: Option<&[u8]>) -> u64 {
    let Some(trace) = trace.filter(|t| !t.is_empty() && *t != b"-") else {
        return 0;
    };
    let root = trace
        .split(|&b| b == b';')
        .find_map(|part| part.strip_prefix(b"Root="))
        .unwrap_or(trace);
    let ray = match root.iter().position(|&b| b == b'-') {
        // A ray id is 16 hex digits; `Root=1-...` keeps its dashes.
        Some(16) if root[..16].iter().all(u8::is_ascii_hexdigit) => &root[..16],
        _ => root,
    };
    hash(ray)
}

fn cell(key: u64, t: i64) -> u64 {
    let mut h = FxHasher::default();
    (key, t.div_euclid(SLOT)).hash(&mut h);
    h.finish()
}

/// An edge failure, for the join.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub(crate) struct EdgeMark {
    /// Hash of where it was logged: orders a uniform sample.
    pub(crate) sample: u64,
    /// The finding's group.
    pub(crate) group: u64,
    /// [`path_key`] of the target.
    pub(crate) key: u64,
    pub(crate) method: u64,
    pub(crate) host: u64,
    pub(crate) trace: u64,
    /// When the edge got the request and when it answered (analysis seconds).
    pub(crate) start: i64,
    pub(crate) end: i64,
    /// The same in Unix seconds, when the line carries an offset.
    pub(crate) unix: Option<(i64, i64)>,
    pub(crate) line: (u32, u32, u64),
    /// The edge failed before sending the request (connect, DNS, TLS, queue): an origin
    /// line of the same path at that time is another request, so only the same trace id
    /// can show it arrived.
    pub(crate) before_request: bool,
}

/// An origin request (access-log line) or logged failure (error-log line), for the join.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub(crate) struct OriginMark {
    /// Hash of (path, slot of `end`): orders the sample so a kept cell is kept whole.
    pub(crate) cell: u64,
    pub(crate) start: i64,
    pub(crate) end: i64,
    pub(crate) unix: Option<(i64, i64)>,
    pub(crate) key: u64,
    pub(crate) method: u64,
    pub(crate) host: u64,
    pub(crate) trace: u64,
    /// The status the origin answered; 0 for an error-log line.
    pub(crate) status: u16,
    /// The error-log finding's group, for an error-log line.
    pub(crate) group: u64,
    pub(crate) line: (u32, u32, u64),
}

impl OriginMark {
    /// A mark for an origin line (`cell` is filled in from `key` and `start`).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        key: u64,
        method: u64,
        host: u64,
        trace: u64,
        (start, end): (i64, i64),
        unix: Option<(i64, i64)>,
        status: u16,
        group: u64,
        line: (u32, u32, u64),
    ) -> OriginMark {
        OriginMark {
            cell: cell(key, end),
            start,
            end,
            unix,
            key,
            method,
            host,
            trace,
            status,
            group,
            line,
        }
    }
}

/// What the edge logs showed, besides their failures.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct EdgeState {
    /// Statuses the edge sent, over all its requests.
    pub(crate) statuses: BTreeMap<u16, u64>,
    /// Requests per product id.
    pub(crate) products: BTreeMap<String, u64>,
    /// Edge failures (uniform sample).
    #[serde(with = "crate::columns")]
    pub(crate) marks: BottomK<EdgeMark>,
    /// Origin requests and logged failures (sampled by path and slot).
    #[serde(with = "crate::columns")]
    pub(crate) origin: BottomK<OriginMark>,
    /// The first and last origin access-log request, in analysis seconds.
    pub(crate) origin_span: Option<(i64, i64)>,
    /// The same in Unix seconds, over the lines that carry an offset.
    pub(crate) origin_span_unix: Option<(i64, i64)>,
}

impl Default for EdgeState {
    fn default() -> Self {
        EdgeState {
            statuses: BTreeMap::new(),
            products: BTreeMap::new(),
            marks: BottomK::new(EDGE_MARKS),
            origin: BottomK::new(ORIGIN_MARKS),
            origin_span: None,
            origin_span_unix: None,
        }
    }
}

#[inline(always)]
fn widen(span: &mut Option<(i64, i64)>, t: i64) {
    // Compared in place, written only when it widens (once a second at most on a log).
    match span {
        Some((first, last)) => {
            if t < *first {
                *first = t;
            } else if t > *last {
                *last = t;
            }
        }
        None => *span = Some((t, t)),
    }
}

fn union(a: Option<(i64, i64)>, b: Option<(i64, i64)>) -> Option<(i64, i64)> {
    match (a, b) {
        (Some((a0, a1)), Some((b0, b1))) => Some((a0.min(b0), a1.max(b1))),
        (x, None) | (None, x) => x,
    }
}

impl EdgeState {
    /// A state with samples of capacity 1 and nothing in them, to put in the place of one
    /// taken away.
    pub(crate) fn empty() -> EdgeState {
        EdgeState {
            statuses: BTreeMap::new(),
            products: BTreeMap::new(),
            marks: BottomK::new(1),
            origin: BottomK::new(1),
            origin_span: None,
            origin_span_unix: None,
        }
    }

    /// Adds another shard's state, taking its samples over when this one has none yet.
    pub(crate) fn absorb(&mut self, other: EdgeState) {
        crate::state::add_maps(&mut self.statuses, &other.statuses);
        crate::state::add_maps(&mut self.products, &other.products);
        self.marks.absorb(other.marks);
        self.origin.absorb(other.origin);
        self.origin_span = union(self.origin_span, other.origin_span);
        self.origin_span_unix = union(self.origin_span_unix, other.origin_span_unix);
    }

    /// Edge requests.
    pub(crate) fn total(&self) -> u64 {
        self.statuses.values().sum()
    }

    /// Remembers an origin access-log request for the join (the tests' way in; the
    /// analyzer builds its marks only when the sample may keep them).
    #[cfg(test)]
    pub(crate) fn origin_request(&mut self, mark: OriginMark) {
        widen(&mut self.origin_span, mark.end);
        if let Some((_, end)) = mark.unix {
            widen(&mut self.origin_span_unix, end);
        }
        self.origin.offer(mark);
    }

    /// Remembers an origin access-log request for the join: the mark `make` builds, built
    /// only when the sample could keep it. The cell (the hash of `key`, the path, and the
    /// slot of `end`) orders a mark first, so a cell above the sample's limit rules the
    /// line out before its other keys are hashed; the sample is the same either way.
    #[inline]
    pub(crate) fn origin_request_with(
        &mut self,
        key: u64,
        end: i64,
        unix_end: Option<i64>,
        make: impl FnOnce() -> OriginMark,
    ) {
        widen(&mut self.origin_span, end);
        if let Some(end) = unix_end {
            widen(&mut self.origin_span_unix, end);
        }
        let cell = cell(key, end);
        self.origin
            .offer_with_filling_inline(|limit| cell > limit.cell, make);
    }
}

/// Where the edge failures of one finding went, scaled to the finding's count.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct GroupJoin {
    /// Failures with a line of the same request in the origin's logs.
    pub(crate) reached: u64,
    /// Failures the origin's access log shows no trace of.
    pub(crate) never_reached: u64,
    /// Failures that could not be told (no origin access log for that time, or sampled out).
    pub(crate) unknown: u64,
    /// What the origin answered to the ones that reached it (0: only its error log saw it).
    pub(crate) origin_statuses: BTreeMap<u16, u64>,
    /// Origin findings (group hashes) that explain the failures, by how many.
    pub(crate) explained: BTreeMap<u64, u64>,
}

impl GroupJoin {
    /// The origin finding that explains most of these failures, if any does.
    pub(crate) fn explained_by(&self) -> Option<u64> {
        self.explained
            .iter()
            .max_by_key(|(g, n)| (**n, std::cmp::Reverse(**g)))
            .map(|(g, _)| *g)
    }
}

/// The inputs of the join that come from the rest of the analysis.
pub(crate) struct JoinInputs<'a> {
    /// Origin access-log lines attributed to an origin error-log finding: line → group.
    pub(crate) attributed: &'a FxHashMap<(u32, u32, u64), u64>,
    /// Each edge group's failure count, to scale the sample.
    pub(crate) counts: &'a FxHashMap<u64, u64>,
}

/// How analysis seconds of origin marks relate to Unix seconds: one window per distinct
/// offset (`None`: marks without an offset, compared in analysis seconds). Without a zone,
/// analysis seconds are each server's wall clock, so an edge that logs UTC and an origin
/// that logs local time are compared as instants, by the offsets their lines carry.
fn offsets(origin: &[OriginMark]) -> Vec<Option<i64>> {
    let mut seen: Vec<Option<i64>> = Vec::new();
    for m in origin {
        let delta = m.unix.map(|(start, _)| m.start - start);
        if !seen.contains(&delta) && seen.len() < 16 {
            seen.push(delta);
        }
    }
    seen
}

/// The window an origin line of `e` must end in, in the analysis seconds of origin marks
/// with this offset, and whether to compare Unix seconds. An origin line of the request
/// ends after the edge got the request (origin logs write whole seconds: the second it
/// started counts), and at most [`SLACK`] seconds after the edge answered (the origin
/// notices a closed connection a moment later).
fn window(e: &EdgeMark, delta: Option<i64>) -> (i64, i64, bool) {
    match (delta, e.unix) {
        (Some(d), Some((us, ue))) => (us + d, ue + SLACK + d, true),
        _ => (e.start, e.end + SLACK, false),
    }
}

/// Joins the edge failures with the origin lines: per edge group hash.
pub(crate) fn join(state: &EdgeState, inputs: &JoinInputs<'_>) -> FxHashMap<u64, GroupJoin> {
    if state.marks.len() == 0 {
        // No edge failure to join (no edge log was read): the origin's sample is not
        // needed, and sorting it (a copy of 7.3 MB) is most of the cost of a report from
        // an error log.
        return FxHashMap::default();
    }
    let origin = state.origin.sorted();
    let full = origin.len() >= ORIGIN_MARKS;
    // A cell below the largest kept one is complete: all its lines are here.
    let threshold = if full {
        origin.last().map_or(u64::MAX, |m| m.cell)
    } else {
        u64::MAX
    };
    let complete = |c: u64| !full || c < threshold;
    let deltas = offsets(&origin);
    let mut by_key: FxHashMap<u64, Vec<(OriginMark, bool)>> = FxHashMap::default();
    for m in origin {
        by_key.entry(m.key).or_default().push((m, false));
    }
    for marks in by_key.values_mut() {
        marks.sort_unstable_by_key(|(m, _)| (m.end, m.start, m.line));
    }
    let mut edges = state.marks.sorted();
    edges.sort_unstable_by_key(|e| (e.start, e.end, e.line));
    let mut raw: FxHashMap<u64, (GroupJoin, u64)> = FxHashMap::default();
    for e in &edges {
        let (join, sampled) = raw.entry(e.group).or_default();
        *sampled += 1;
        let candidates = by_key.get_mut(&e.key);
        match best_match(e, candidates.map(Vec::as_mut_slice), &deltas) {
            Some(m) => {
                join.reached += 1;
                *join.origin_statuses.entry(m.status).or_insert(0) += 1;
                let group = if m.status == 0 {
                    Some(m.group)
                } else if m.status >= 500 {
                    inputs.attributed.get(&m.line).copied()
                } else {
                    None
                };
                if let Some(group) = group.filter(|g| *g != 0) {
                    *join.explained.entry(group).or_insert(0) += 1;
                }
            }
            None => {
                let covered = match (e.unix, state.origin_span_unix) {
                    (Some((s, t)), Some((first, last))) => {
                        s >= first - COVERAGE && t <= last + COVERAGE
                    }
                    _ => state.origin_span.is_some_and(|(first, last)| {
                        e.start >= first - COVERAGE && e.end <= last + COVERAGE
                    }),
                };
                let cells_kept = deltas.iter().all(|&d| {
                    let (lo, hi, _) = window(e, d);
                    (lo..=hi)
                        .step_by(usize::try_from(SLOT).unwrap_or(300))
                        .chain([hi])
                        .all(|t| complete(cell(e.key, t)))
                });
                if covered && cells_kept {
                    join.never_reached += 1;
                } else {
                    join.unknown += 1;
                }
            }
        }
    }
    raw.into_iter()
        .map(|(group, (join, sampled))| {
            let count = inputs.counts.get(&group).copied().unwrap_or(sampled);
            (group, scale(join, sampled, count))
        })
        .collect()
}

/// The origin line of the same request: same path (the candidates), compatible method,
/// host and trace id, started while the edge waited; the same trace id wins, then lines not
/// yet claimed by another edge failure, access lines before error-log lines, the nearest
/// end.
fn best_match(
    e: &EdgeMark,
    candidates: Option<&mut [(OriginMark, bool)]>,
    deltas: &[Option<i64>],
) -> Option<OriginMark> {
    let candidates = candidates?;
    let compatible = |a: u64, b: u64| a == 0 || b == 0 || a == b;
    let mut best: Option<(usize, (bool, bool, bool, i64))> = None;
    for &delta in deltas {
        let (lo, hi, by_unix) = window(e, delta);
        let first = candidates.partition_point(|(m, _)| m.end < lo);
        for (i, (m, claimed)) in candidates.iter().enumerate().skip(first) {
            if m.end > hi {
                break;
            }
            let this_offset = m.unix.map(|(start, _)| m.start - start);
            if this_offset != delta {
                continue;
            }
            let end = match (by_unix, m.unix) {
                (true, Some((_, end))) => end + delta.unwrap_or(0),
                _ => m.end,
            };
            if end < lo || end > hi {
                continue;
            }
            if !(compatible(e.method, m.method)
                && compatible(e.host, m.host)
                && compatible(e.trace, m.trace))
            {
                continue;
            }
            let same_trace = e.trace != 0 && e.trace == m.trace;
            if e.before_request && !same_trace {
                continue;
            }
            let end = if by_unix {
                m.unix.map_or(m.end, |(_, end)| end) - e.unix.map_or(e.end, |(_, end)| end)
            } else {
                m.end - e.end
            };
            let rank = (!same_trace, *claimed, m.status == 0, end.abs());
            if best.is_none_or(|(_, r)| rank < r) {
                best = Some((i, rank));
            }
        }
    }
    let slot = candidates.get_mut(best?.0)?;
    slot.1 = true;
    Some(slot.0)
}

fn scale(join: GroupJoin, sampled: u64, count: u64) -> GroupJoin {
    if sampled == 0 || sampled >= count {
        return join;
    }
    let factor = count as f64 / sampled as f64;
    let s = |n: u64| (n as f64 * factor).round() as u64;
    GroupJoin {
        reached: s(join.reached),
        never_reached: s(join.never_reached),
        unknown: s(join.unknown),
        origin_statuses: join
            .origin_statuses
            .into_iter()
            .map(|(k, v)| (k, s(v)))
            .collect(),
        explained: join.explained.into_iter().map(|(k, v)| (k, s(v))).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin(key: u64, start: i64, status: u16, line: u64) -> OriginMark {
        OriginMark::new(key, 0, 0, 0, (start, start), None, status, 0, (1, 0, line))
    }

    fn edge(group: u64, key: u64, start: i64, end: i64, line: u64) -> EdgeMark {
        EdgeMark {
            sample: line,
            group,
            key,
            method: 0,
            host: 0,
            trace: 0,
            start,
            end,
            unix: None,
            line: (0, 0, line),
            before_request: false,
        }
    }

    #[test]
    fn reached_never_reached_and_unknown() {
        let mut state = EdgeState::default();
        let (a, b) = (path_key(b"/api/items"), path_key(b"/api/users?id=3"));
        assert_eq!(
            path_key(b"/api/users"),
            b,
            "the query is not part of the key"
        );
        // Origin: /api/items answered 502 at 100 (attributed to group 77).
        state.origin_request(origin(a, 100, 502, 1));
        state.origin_request(origin(a, 500, 200, 2));
        // Edge: /api/items failed at 100-101 (reached), /api/users at 110 (never reached),
        // /api/items at 5000 (after the origin log ends: unknown).
        state.marks.offer(edge(9, a, 100, 101, 1));
        state.marks.offer(edge(9, b, 110, 111, 2));
        state.marks.offer(edge(9, a, 5000, 5001, 3));
        let attributed = FxHashMap::from_iter([((1, 0, 1), 77)]);
        let counts = FxHashMap::from_iter([(9, 3)]);
        let joined = join(
            &state,
            &JoinInputs {
                attributed: &attributed,
                counts: &counts,
            },
        );
        let j = &joined[&9];
        assert_eq!((j.reached, j.never_reached, j.unknown), (1, 1, 1));
        assert_eq!(j.origin_statuses, BTreeMap::from([(502, 1)]));
        assert_eq!(j.explained_by(), Some(77));
    }

    #[test]
    fn one_origin_line_explains_one_edge_failure_first() {
        let mut state = EdgeState::default();
        let k = path_key(b"/");
        state.origin_request(origin(k, 10, 503, 1));
        state.origin_request(origin(k, 11, 503, 2));
        for i in 0..3 {
            state.marks.offer(edge(1, k, 10, 11, i));
        }
        let (none, counts) = (FxHashMap::default(), FxHashMap::default());
        let joined = join(
            &state,
            &JoinInputs {
                attributed: &none,
                counts: &counts,
            },
        );
        // Two lines for three failures: the third reuses one (still reached).
        assert_eq!(joined[&1].reached, 3);
        assert_eq!(joined[&1].origin_statuses, BTreeMap::from([(503, 3)]));
    }

    #[test]
    fn no_origin_access_log_means_unknown_and_samples_scale() {
        let mut state = EdgeState::default();
        state.marks.offer(edge(4, path_key(b"/x"), 10, 11, 1));
        state.marks.offer(edge(4, path_key(b"/y"), 10, 11, 2));
        let none = FxHashMap::default();
        let counts = FxHashMap::from_iter([(4, 10)]);
        let joined = join(
            &state,
            &JoinInputs {
                attributed: &none,
                counts: &counts,
            },
        );
        assert_eq!(joined[&4].unknown, 10);
    }

    #[test]
    fn trace_ids_as_each_side_writes_them() {
        assert_eq!(
            trace_key(Some(b"Root=1-58337364-23a8c76965a2ef7629b185e3")),
            trace_key(Some(
                b"Self=1-67891234-12456789abcdef012345678;Root=1-58337364-23a8c76965a2ef7629b185e3"
            ))
        );
        assert_eq!(
            trace_key(Some(b"3a6050bcbe121a87")),
            trace_key(Some(b"3a6050bcbe121a87-SEA"))
        );
        assert_eq!(trace_key(Some(b"-")), 0);
        assert_eq!(trace_key(None), 0);
    }
}
