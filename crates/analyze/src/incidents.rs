//! Incidents: intervals where failures rose well above their baseline.
//!
//! Each cause is looked at on its own series (at the finest resolution the state kept):
//! a bucket is active when it is well above that cause's median bucket; active buckets
//! closer than a small gap join into one interval; intervals with only a handful of events
//! are dropped. Intervals of different causes that mostly overlap are one incident (a
//! backend going down shows refused connections and "no live upstreams" together), while
//! one cause following another gives two incidents (an outage, then slowness).

use std::collections::BTreeMap;

use logscan_parse::Cause;

use crate::series::Series;

/// An incident before formatting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawIncident {
    /// First second.
    pub start: i64,
    /// Last second + 1.
    pub end: i64,
    /// Events per cause inside.
    pub causes: BTreeMap<Cause, u64>,
}

impl RawIncident {
    /// All events.
    pub fn count(&self) -> u64 {
        self.causes.values().sum()
    }

    /// Causes by events, most first (ties by id).
    pub fn ranked_causes(&self) -> Vec<Cause> {
        let mut causes: Vec<(Cause, u64)> = self.causes.iter().map(|(c, n)| (*c, *n)).collect();
        causes.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        causes.into_iter().map(|(c, _)| c).collect()
    }
}

/// Fewest events an interval needs to be an incident.
pub(crate) const MIN_EVENTS: u64 = 3;

/// Finds incidents in per-cause series. `ignore` causes are context only (their spikes are
/// not incidents by themselves).
/// `span` is `[first, last + 1)` of everything analysed: the baseline of a cause is its
/// median over the whole span, not only over the time it occurred.
pub fn detect(
    causes: &BTreeMap<Cause, Series>,
    span: (i64, i64),
    ignore: &[Cause],
) -> Vec<RawIncident> {
    let resolution = causes.values().map(Series::resolution).max().unwrap_or(1);
    let mut intervals: Vec<(i64, i64, Cause, u64)> = Vec::new();
    for (cause, series) in causes {
        if ignore.contains(cause) || series.is_empty() {
            continue;
        }
        let mut series = series.clone();
        series.coarsen_to(resolution);
        intervals.extend(
            active_intervals(&series, span)
                .into_iter()
                .map(|(start, end, n)| (start, end, *cause, n)),
        );
    }
    intervals.sort();
    let mut incidents: Vec<RawIncident> = Vec::new();
    for (start, end, cause, n) in intervals {
        let joined = incidents
            .iter_mut()
            .find(|inc| mostly_overlaps(inc.start, inc.end, start, end));
        match joined {
            Some(inc) => {
                inc.start = inc.start.min(start);
                inc.end = inc.end.max(end);
                *inc.causes.entry(cause).or_insert(0) += n;
            }
            None => incidents.push(RawIncident {
                start,
                end,
                causes: BTreeMap::from([(cause, n)]),
            }),
        }
    }
    incidents.sort_by_key(|inc| (inc.start, inc.end));
    incidents
}

/// Whether two intervals overlap by at least half of the shorter one.
fn mostly_overlaps(a0: i64, a1: i64, b0: i64, b1: i64) -> bool {
    let overlap = a1.min(b1) - a0.max(b0);
    let shorter = (a1 - a0).min(b1 - b0).max(1);
    overlap * 2 >= shorter
}

/// Active intervals `(start, end, events)` of one series.
fn active_intervals(series: &Series, span: (i64, i64)) -> Vec<(i64, i64, u64)> {
    let res = series.resolution();
    let Some((own_start, own_end)) = series.span() else {
        return Vec::new();
    };
    let (span_start, span_end) = (span.0.min(own_start), span.1.max(own_end));
    let buckets: Vec<(i64, u64)> = series.buckets().collect();
    // Baseline: the median bucket over the whole span, zeros included. The span may be
    // far longer than the series (one line with a wrong year stretches it over centuries,
    // billions of buckets at this resolution), so the empty buckets are counted, never
    // materialised: sorted, they all come before the series' own counts.
    let mut counts: Vec<u64> = buckets.iter().map(|&(_, c)| c).collect();
    counts.sort_unstable();
    let span_buckets = (span_end.saturating_sub(span_start) / res).max(1) as u64;
    let total = span_buckets.max(counts.len() as u64);
    let zeros = total - counts.len() as u64;
    let middle = total / 2;
    let median = if middle < zeros {
        0
    } else {
        usize::try_from(middle - zeros)
            .ok()
            .and_then(|i| counts.get(i).copied())
            .unwrap_or(0)
    };
    let threshold = if median == 0 { 1 } else { median * 3 + 1 };
    // Gaps shorter than this join intervals: a few seconds, or two buckets.
    let gap = (5i64).max(2 * res);
    let mut out: Vec<(i64, i64, u64)> = Vec::new();
    for (t, c) in buckets.into_iter().filter(|&(_, c)| c >= threshold) {
        match out.last_mut() {
            Some((_, end, n)) if t - *end <= gap => {
                *end = t + res;
                *n += c;
            }
            _ => out.push((t, t + res, c)),
        }
    }
    out.retain(|&(_, _, n)| n >= MIN_EVENTS);
    // A chronic rate at the median is not an incident; with a zero median every burst is.
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fuzz crash (pipeline target): a PHP-FPM log with failures in 2026 and one line
    /// dated 2620 made the baseline a vector of 1.9e10 buckets (150 GB) at 1 s resolution.
    #[test]
    fn a_span_of_centuries_does_not_allocate_per_bucket() {
        let s = series(&[(100, 5), (101, 7), (102, 6), (400, 1)]);
        let centuries = (0, 600 * 365 * 86_400);
        let found = active_intervals(&s, centuries);
        assert_eq!(found, [(100, 103, 18)]);
        // The median is taken as if the empty buckets were there: the same as over a
        // short span with few of them.
        let short = active_intervals(&s, (100, 110));
        assert_eq!(short, [(100, 103, 18)]);
        // More events than empty buckets: the median is a real count.
        let busy = series(&[(0, 2), (1, 2), (2, 9), (3, 2)]);
        assert_eq!(active_intervals(&busy, (0, 4)), [(2, 3, 9)]);
    }

    fn series(events: &[(i64, u64)]) -> Series {
        let mut s = Series::new(1);
        for &(t, n) in events {
            s.add(t, n);
        }
        s
    }

    #[test]
    fn outage_then_timeouts_are_two_incidents() {
        let refused: Vec<(i64, u64)> = (35..55).map(|t| (t, 4)).collect();
        let timeouts: Vec<(i64, u64)> = (58..88).map(|t| (t, 4)).collect();
        let mut causes = BTreeMap::new();
        causes.insert(Cause::UpstreamRefused, series(&refused));
        causes.insert(Cause::UpstreamTimeoutRead, series(&timeouts));
        let found = detect(&causes, (0, 120), &[]);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].ranked_causes(), vec![Cause::UpstreamRefused]);
        assert_eq!((found[0].start, found[0].end), (35, 55));
        assert_eq!(found[1].ranked_causes(), vec![Cause::UpstreamTimeoutRead]);
        assert_eq!(found[1].count(), 120);
    }

    #[test]
    fn overlapping_causes_join_and_noise_is_ignored() {
        let mut causes = BTreeMap::new();
        causes.insert(
            Cause::UpstreamRefused,
            series(&(100..130).map(|t| (t, 2)).collect::<Vec<_>>()),
        );
        causes.insert(
            Cause::NoLiveUpstreams,
            series(&(102..131).map(|t| (t, 5)).collect::<Vec<_>>()),
        );
        causes.insert(Cause::UpstreamReset, series(&[(500, 1)]));
        let found = detect(&causes, (0, 600), &[]);
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].ranked_causes(),
            vec![Cause::NoLiveUpstreams, Cause::UpstreamRefused]
        );
    }

    #[test]
    fn a_steady_rate_is_not_an_incident() {
        let steady: Vec<(i64, u64)> = (0..600).map(|t| (t, 2)).collect();
        let mut causes = BTreeMap::new();
        causes.insert(Cause::UpstreamReset, series(&steady));
        assert!(detect(&causes, (0, 600), &[]).is_empty());
    }
}
