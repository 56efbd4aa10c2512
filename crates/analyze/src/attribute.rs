//! Attribution: which error-log failure explains each 5xx (and 499) of the access logs.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

use logscan_parse::Cause;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::Analyzer;
use crate::report::Counted;
use crate::state::{Group, RequestMark};

/// Seconds an access-log request may be off its error-log line.
pub(crate) const ATTRIBUTION_SLACK: i64 = 1;

/// An error-log line a request may be attributed to: (time, request hash, site, group,
/// already claimed by a request, its group is a client abort's). Whether the group is an
/// abort's is looked up once a line, not once for each request that reads the line: in
/// the window of a request there are hundreds of lines of its client.
pub(crate) type Candidate = (i64, u64, u64, u64, bool, bool);

pub(crate) struct Attribution {
    /// group hash → (attributed requests, statuses)
    pub(crate) per_group: FxHashMap<u64, (u64, BTreeMap<u16, u64>)>,
    pub(crate) attributed: u64,
    pub(crate) unattributed: Vec<Counted>,
    /// Each attributed access-log line (input, chunk, line) and its group, for the join
    /// with edge logs.
    pub(crate) by_line: FxHashMap<(u32, u32, u64), u64>,
}

/// Matches access-log 5xx (and 499) to error-log failures of the same site: same client,
/// error time within the request's duration (± a second), same request line where both
/// logged one; the nearest in time wins.
pub(crate) fn attribute(
    a: &Analyzer,
    groups: &[Group],
    sites_with_errors: &BTreeSet<u64>,
) -> Attribution {
    let abort_groups: BTreeSet<u64> = groups
        .iter()
        .filter(|g| g.key.cause == Cause::ClientAbort)
        .map(|g| g.hash)
        .collect();
    let live_groups: BTreeSet<u64> = groups.iter().map(|g| g.hash).collect();
    // Sorted once, by time: (end, start, line) is unique (one mark a line), so the
    // sample's own order (`sorted`, a second sort of 65,536 marks) would change nothing.
    // By reference: moving 64-byte marks was most of the sort.
    let requests = by_time(a.request_marks.items().collect());
    // Candidates only for the clients of those requests (none for an error log read
    // alone), in the sample's own order, each client's list sorted on its own: sorting
    // all 65,536 marks first (`sorted`) cost ~29 M instructions on a 20 MiB error log and
    // bought nothing, as a candidate holds exactly its sort key (and `false` and what its
    // group decides), so candidates equal in it are interchangeable in any order.
    let clients: FxHashSet<u64> = requests.iter().map(|r| r.client).collect();
    let mut by_client: FxHashMap<u64, Vec<Candidate>> = FxHashMap::default();
    if !clients.is_empty() {
        for m in a.error_marks.items() {
            if clients.contains(&m.client) && live_groups.contains(&m.group) {
                by_client.entry(m.client).or_default().push((
                    m.t,
                    m.request,
                    m.site,
                    m.group,
                    false,
                    abort_groups.contains(&m.group),
                ));
            }
        }
    }
    for marks in by_client.values_mut() {
        marks.sort_unstable();
    }
    let scale = if requests.is_empty() {
        1.0
    } else {
        a.request_marks.offered() as f64 / requests.len() as f64
    };
    let mut per_group: FxHashMap<u64, (u64, BTreeMap<u16, u64>)> = FxHashMap::default();
    let mut unattributed: FxHashMap<(Unexplained, u16), u64> = FxHashMap::default();
    let mut attributed = 0.0f64;
    let mut by_line: FxHashMap<(u32, u32, u64), u64> = FxHashMap::default();
    for &r in &requests {
        let is_abort = r.status == 499;
        let Some(candidates) = by_client.get_mut(&r.client) else {
            note_unattributed(&mut unattributed, r, sites_with_errors);
            continue;
        };
        let lo = candidates.partition_point(|c| c.0 < r.start - ATTRIBUTION_SLACK);
        let any_site = !sites_with_errors.contains(&r.site);
        let anchor = if r.open_end { r.start } else { r.end };
        // Each error line explains one request where it can (a request tried once logs one
        // line); a line already claimed is used again only when nothing else fits.
        let best = candidates[lo..]
            .iter()
            .enumerate()
            .take_while(|(_, c)| c.0 <= r.end + ATTRIBUTION_SLACK)
            .filter(|(_, c)| any_site || c.2 == r.site)
            .filter(|(_, c)| c.5 == is_abort)
            .filter(|(_, c)| c.1 == 0 || r.request == 0 || c.1 == r.request)
            .min_by_key(|(_, c)| (c.4, c.1 != r.request, (c.0 - anchor).abs()))
            .map(|(i, c)| (lo + i, c.3));
        match best {
            Some((index, group)) => {
                if let Some(c) = candidates.get_mut(index) {
                    c.4 = true;
                }
                by_line.insert(r.line, group);
                let entry = per_group.entry(group).or_default();
                entry.0 += 1;
                *entry.1.entry(r.status).or_insert(0) += 1;
                if !is_abort {
                    attributed += 1.0;
                }
            }
            None if !is_abort => note_unattributed(&mut unattributed, r, sites_with_errors),
            None => {}
        }
    }
    if scale > 1.0 {
        for (n, _) in per_group.values_mut() {
            *n = (*n as f64 * scale).round() as u64;
        }
    }
    // Described once a kind and status, not once a request (a `format!` each was ~970
    // instructions a 5xx).
    let mut unattributed: Vec<Counted> = unattributed
        .into_iter()
        .map(|((kind, status), n)| Counted {
            value: kind.describe(status),
            count: (n as f64 * scale).round() as u64,
        })
        .collect();
    unattributed.sort_by(|x, y| y.count.cmp(&x.count).then(x.value.cmp(&y.value)));
    Attribution {
        per_group,
        attributed: (attributed * scale).round() as u64,
        unattributed,
        by_line,
    }
}

/// The order requests are attributed in: by end, start and line, then (never needed, as
/// no two marks share a line) the rest.
fn time_order(x: &RequestMark, y: &RequestMark) -> Ordering {
    (x.end, x.start, x.line)
        .cmp(&(y.end, y.start, y.line))
        .then_with(|| x.cmp(y))
}

/// `requests` in [`time_order`]. Their ends span a few minutes of seconds for thousands of
/// requests: counted into one run per second first, each run is then sorted on its own
/// (~80 requests a second on the 20 MiB bench log, where the one sort of all compared
/// each request ~14 times); a span much wider than the count is sorted whole.
fn by_time(mut requests: Vec<&RequestMark>) -> Vec<&RequestMark> {
    let ends = requests.iter().map(|r| r.end);
    let (Some(first), Some(last)) = (ends.clone().min(), ends.max()) else {
        return requests;
    };
    let span = last
        .checked_sub(first)
        .and_then(|span| usize::try_from(span).ok())
        .filter(|&span| span <= 4 * requests.len() + 1_024);
    let Some(span) = span else {
        requests.sort_unstable_by(|x, y| time_order(x, y));
        return requests;
    };
    let second = |r: &RequestMark| usize::try_from(r.end - first).unwrap_or(0);
    // Where each second's run starts, then each request into its run.
    let mut starts = vec![0usize; span + 2];
    for r in &requests {
        starts[second(r) + 1] += 1;
    }
    for i in 1..starts.len() {
        starts[i] += starts[i - 1];
    }
    let mut next = starts.clone();
    let mut sorted: Vec<&RequestMark> = requests.clone();
    for r in requests {
        let at = &mut next[second(r)];
        sorted[*at] = r;
        *at += 1;
    }
    // One end a run: the order of the rest, inline.
    for run in starts.windows(2) {
        if let Some(run) = sorted.get_mut(run[0]..run[1]) {
            run.sort_unstable_by(|x, y| {
                (x.start, x.line)
                    .cmp(&(y.start, y.line))
                    .then_with(|| x.cmp(y))
            });
        }
    }
    sorted
}

/// Why no error-log line explains a 5xx (with its status, one line of the report).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Unexplained {
    /// No upstream was tried.
    ServerItself,
    /// The upstream answered the same status.
    UpstreamItself,
    /// No error log was read.
    NoErrorLog,
    /// The error log has no line for it.
    NoMatchingLine,
}

impl Unexplained {
    /// The report's words for a 5xx of `status` unexplained this way.
    fn describe(self, status: u16) -> String {
        match self {
            Unexplained::ServerItself => format!(
                "{status} answered by the server itself (no upstream was tried: limit_req/limit_conn, `return`, or an error before proxying)"
            ),
            Unexplained::UpstreamItself => format!(
                "{status} returned by the upstream itself (the application answered {status}; no proxy error)"
            ),
            Unexplained::NoErrorLog => {
                format!("{status} with no error log to explain it (give logscan the error log too)")
            }
            Unexplained::NoMatchingLine => format!(
                "{status} with no matching error-log line (error log level above error, or another server's log)"
            ),
        }
    }
}

/// Counts a 5xx that no error-log line explains, by why and its status.
pub(crate) fn note_unattributed(
    unattributed: &mut FxHashMap<(Unexplained, u16), u64>,
    r: &RequestMark,
    sites_with_errors: &BTreeSet<u64>,
) {
    if r.status == 499 {
        return;
    }
    let kind = if !r.has_upstream {
        Unexplained::ServerItself
    } else if r.upstream_status == r.status {
        Unexplained::UpstreamItself
    } else if sites_with_errors.is_empty() {
        Unexplained::NoErrorLog
    } else {
        Unexplained::NoMatchingLine
    };
    *unattributed.entry((kind, r.status)).or_insert(0) += 1;
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Counted by second then sorted a second at a time, or sorted whole when the
        /// seconds span too far: the order of one plain sort.
        #[test]
        fn requests_by_time_are_in_the_plain_sorts_order(
            marks in prop::collection::vec((0i64..40, 0i64..30, 0u64..50, any::<u64>()), 0..120),
            far in any::<bool>(),
        ) {
            let marks: Vec<RequestMark> = marks
                .iter()
                .enumerate()
                .map(|(i, &(end, took, line, client))| RequestMark {
                    client,
                    // Now and then an end so far off that the seconds are not counted.
                    end: if far && i == 0 { i64::MAX / 4 } else { end },
                    start: end - took,
                    request: 0,
                    site: 0,
                    status: 502,
                    upstream_status: 0,
                    has_upstream: true,
                    open_end: false,
                    line: (0, 0, line),
                })
                .collect();
            let mut plain: Vec<&RequestMark> = marks.iter().collect();
            plain.sort_unstable_by(|x, y| time_order(x, y));
            let counted = by_time(marks.iter().collect());
            prop_assert_eq!(counted, plain);
        }
    }
}
