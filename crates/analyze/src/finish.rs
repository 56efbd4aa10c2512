//! Building the [`Report`] from the accumulated state: correlation across logs,
//! attribution of access-log 5xx, severity and ranking, incidents and the summary.

use std::collections::{BTreeMap, BTreeSet};

use logscan_parse::{Cause, Server, Severity};
use rustc_hash::FxHashMap;

use crate::Analyzer;
use crate::fix::{FixContext, fix};
use crate::incidents::{self, RawIncident};
use crate::report::{
    AccessSummary, Counted, Example, Finding, Incident, InputReport, Interval, Peak, Quantiles,
    Report, Timeline, Totals, Trigger, ZoneUsed,
};
use crate::series::{Series, resolution_at_least};
use crate::state::{ExampleSet, Group, InputState, Sketch, group_hash};
use crate::text::{escape_bytes, hash_bytes, human_duration, thousands};

/// How many values the top lists of a finding show.
const TOP: usize = 5;

/// Seconds an access-log request may be off its error-log line.
const ATTRIBUTION_SLACK: i64 = 1;

struct Built {
    group: Group,
    affected: Option<u64>,
    statuses: BTreeMap<u16, u64>,
    trigger: Option<Trigger>,
    evidence: Option<String>,
    severity: Severity,
    score: f64,
}

pub(crate) fn build(mut a: Analyzer) -> Report {
    // Zone: the caller's, else the offset the access logs carry, else as logged.
    let display_offset = if a.clock.zone().is_none() {
        a.access
            .offsets
            .iter()
            .max_by_key(|(offset, n)| (**n, std::cmp::Reverse(**offset)))
            .map(|(o, _)| *o)
    } else {
        None
    };
    let zone = match (a.clock.zone(), display_offset) {
        (Some(z), _) => ZoneUsed {
            name: z.to_string(),
            source: "caller".into(),
        },
        (None, Some(offset)) => ZoneUsed {
            name: format_offset(offset),
            source: "access_log".into(),
        },
        (None, None) => ZoneUsed {
            name: String::new(),
            source: "as_logged".into(),
        },
    };
    let clock = a.clock.clone();
    let fmt = move |t: i64| clock.format(t, display_offset);

    // Span and window.
    let first = a.inputs.values().filter_map(|i| i.first).min();
    let last = a.inputs.values().filter_map(|i| i.last).max();
    let span_seconds = match (first, last) {
        (Some(f), Some(l)) => l - f + 1,
        _ => 0,
    };
    let stored = [
        a.failures.resolution(),
        a.access.requests.resolution(),
        a.access.server_errors.resolution(),
    ]
    .into_iter()
    .chain(a.groups.iter().map(|g| g.series.resolution()))
    .max()
    .unwrap_or(1);
    let window = match a.window {
        Some(w) => resolution_at_least(w.max(1), stored),
        None => resolution_at_least(a.base_resolution, choose_window(span_seconds).max(stored)),
    };
    let (grid_start, grid_len) = match (first, last) {
        (Some(f), Some(l)) => {
            let start = f.div_euclid(window) * window;
            (start, ((l - start) / window + 1).clamp(1, 4_096) as usize)
        }
        _ => (0, 0),
    };

    // Cross-log correlation, then attribution.
    let mut groups = a.groups.take();
    // Arrival order depends on how the input was sharded: sort so nothing below does.
    groups.sort_by(|x, y| x.key.cmp(&y.key));
    let fpm_notes = correlate_fpm(&mut groups, &mut a);
    let sites_with_errors: BTreeSet<u64> = a
        .inputs
        .values()
        .filter(|i| !i.info.format.is_access())
        .map(|i| hash_bytes(i.info.site.as_bytes()))
        .collect();
    let attribution = attribute(&a, &groups, &sites_with_errors);
    let access_servers: BTreeSet<Server> = a
        .inputs
        .values()
        .filter(|i| i.info.format.is_access())
        .map(|i| i.info.format.server())
        .collect();

    // 499s become a client_abort finding when no error log reported client aborts.
    let has_abort_errors = groups.iter().any(|g| g.key.cause == Cause::ClientAbort);
    if !has_abort_errors && a.access.aborts.count > 0 {
        let mut aborts = a.access.aborts.clone();
        aborts.hash = group_hash(Cause::ClientAbort, aborts.key.server, b"", b"", false);
        aborts.notes.push(
            "From access-log 499 responses (the error log shows client aborts only at level info)."
                .into(),
        );
        groups.push(aborts);
    }

    let total_failures: u64 = groups.iter().map(|g| g.count).sum();
    let total_requests = a.access.total();
    let time_504 = observed_time(&a.access.time_by_status, &[504]);
    let time_502 = observed_time(&a.access.time_by_status, &[502]);
    let max_children = fpm_notes.max_children;
    let retry_seconds = context_retry(&a);

    let triggers: Vec<Option<Trigger>> = groups
        .iter()
        .map(|g| {
            (g.key.cause == Cause::NoLiveUpstreams)
                .then(|| find_trigger(g, &groups, &a))
                .flatten()
        })
        .collect();
    let mut built: Vec<Built> = groups
        .into_iter()
        .zip(triggers)
        .map(|(group, trigger)| {
            let (affected, statuses) = match attribution.per_group.get(&group.hash) {
                Some((n, statuses)) => (Some(*n), statuses.clone()),
                None if access_servers.contains(&group.key.server) => (Some(0), BTreeMap::new()),
                None => (None, BTreeMap::new()),
            };
            let (affected, statuses) = if group.key.cause == Cause::ClientAbort && !has_abort_errors
            {
                (Some(group.count), BTreeMap::from([(499, group.count)]))
            } else {
                (affected, statuses)
            };
            let evidence = group.evidence.items().first().map(|e| e.text.clone());
            let severity = severity_of(&group, affected, total_failures, total_requests);
            // Body-phase failures reached the client as a truncated 200, not a 5xx.
            let events = (group.count - group.truncated) as f64 + group.truncated as f64 * 0.5;
            // Requests clients saw fail where the access log tells; errors no client saw
            // (retried successfully) still weigh a quarter, so a finding whose access-log
            // lines could not all be matched is not buried.
            let impact = match affected {
                Some(n) => (n as f64).max(events * 0.25),
                None => events,
            };
            let score = impact * weight(severity);
            Built {
                group,
                affected,
                statuses,
                trigger,
                evidence,
                severity,
                score,
            }
        })
        .collect();
    built.sort_by(|x, y| {
        let informational = |b: &Built| b.severity <= Severity::Low;
        informational(x)
            .cmp(&informational(y))
            .then(y.score.total_cmp(&x.score))
            .then(y.group.last.cmp(&x.group.last))
            .then(x.group.key.cmp(&y.group.key))
    });

    let findings: Vec<Finding> = built
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let observed = match (b.group.key.cause, b.group.key.server) {
                (Cause::UpstreamTimeoutRead | Cause::FpmPoolExhausted, Server::Apache) => {
                    time_502.or(time_504)
                }
                (
                    Cause::UpstreamTimeoutRead
                    | Cause::UpstreamTimeoutConnect
                    | Cause::FpmPoolExhausted
                    | Cause::UpstreamTimeoutSend,
                    _,
                ) => time_504,
                _ => None,
            };
            finding(
                i + 1,
                b,
                &a,
                &fmt,
                total_failures,
                (grid_start, window, grid_len),
                observed,
                max_children,
                retry_seconds,
            )
        })
        .collect();

    // Incidents from the per-cause series.
    let span = (first.unwrap_or(0), last.map_or(0, |l| l + 1));
    let raw = incidents::detect(&a.causes, span, &[Cause::BufferedToDisk]);
    let incidents: Vec<Incident> = raw
        .iter()
        .map(|inc| incident(inc, &findings, &built, &a, &fmt))
        .collect();

    // Timeline.
    let regrid = |s: &Series| s.regrid(grid_start, window, grid_len);
    let timeline = Timeline {
        start: (grid_len > 0).then(|| fmt(grid_start)),
        window_seconds: window,
        requests: regrid(&a.access.requests),
        server_errors: regrid(&a.access.server_errors),
        failures: regrid(&a.failures),
        by_cause: a
            .causes
            .iter()
            .map(|(c, s)| (c.id().to_owned(), regrid(s)))
            .collect(),
    };

    let access = (!a.access.statuses.is_empty()).then(|| access_summary(&a, &attribution));
    let inputs: Vec<InputReport> = a.inputs.values().map(|i| input_report(i, &fmt)).collect();
    let mut totals = Totals::default();
    for i in &inputs {
        totals.lines += i.lines;
        totals.parsed += i.parsed;
        totals.unrecognized += i.unrecognized;
        totals.filtered += i.filtered;
    }
    totals.failures = total_failures;
    totals.requests = total_requests;
    totals.server_errors = a.access.statuses.range(500..600).map(|(_, n)| n).sum();

    let summary = summary(&findings, &incidents, &raw, &built, &totals, &a);
    Report {
        summary,
        zone,
        inputs,
        totals,
        span: match (first, last) {
            (Some(f), Some(l)) => Some(Interval {
                start: fmt(f),
                end: fmt(l),
            }),
            _ => None,
        },
        window_seconds: window,
        findings,
        incidents,
        timeline,
        access,
    }
}

/// The timeline window for a span: about a minute per point for an hour, an hour for a month.
fn choose_window(span: i64) -> i64 {
    const STEPS: [(i64, i64); 8] = [
        (180, 1),
        (900, 5),
        (1_800, 30),
        (10_800, 60),
        (43_200, 300),
        (172_800, 1_800),
        (4_000_000, 3_600),
        (40_000_000, 86_400),
    ];
    STEPS
        .iter()
        .find(|(limit, _)| span <= *limit)
        .map_or(604_800, |(_, window)| *window)
}

fn format_offset(offset: i32) -> String {
    let sign = if offset < 0 { '-' } else { '+' };
    let abs = offset.unsigned_abs();
    format!("{sign}{:02}:{:02}", abs / 3_600, abs / 60 % 60)
}

fn weight(severity: Severity) -> f64 {
    match severity {
        Severity::Critical => 8.0,
        Severity::High => 4.0,
        Severity::Medium => 2.0,
        Severity::Low => 1.0,
        Severity::Info => 0.25,
    }
}

/// Base severity scaled by volume and share.
fn severity_of(
    group: &Group,
    affected: Option<u64>,
    total_failures: u64,
    total_requests: u64,
) -> Severity {
    let cause = group.key.cause;
    let mut severity = cause.severity();
    if cause == Cause::BufferedToDisk && group.variants.contains_key("temp_path_error") {
        severity = Severity::High;
    }
    if cause == Cause::ClientAbort {
        let share_of_requests = if total_requests > 0 {
            group.count as f64 / total_requests as f64
        } else {
            0.0
        };
        return match (group.count, share_of_requests) {
            (0..=9, _) => Severity::Info,
            (_, s) if s >= 0.10 => Severity::Medium,
            (_, s) if s < 0.01 && total_requests > 0 => Severity::Info,
            _ => Severity::Low,
        };
    }
    let events = affected.filter(|n| *n > 0).unwrap_or(group.count);
    let share = if total_failures > 0 {
        group.count as f64 / total_failures as f64
    } else {
        0.0
    };
    // Errors that no client saw (retried successfully) weigh less.
    if affected == Some(0) && group.count > 0 {
        severity = severity.lowered();
    }
    if events <= 2 {
        severity = severity.lowered();
    } else if affected != Some(0) && (events >= 1_000 || (events >= 50 && share >= 0.5)) {
        severity = severity.raised();
    }
    severity
}

struct FpmNotes {
    max_children: Option<u64>,
}

/// Reinterprets web-server errors with what PHP-FPM logged at the same time (CAUSES.md
/// section 4 rule 5): fastcgi timeouts while the pool was exhausted are pool exhaustion; a
/// premature close or reset right after FPM killed a child is a PHP timeout or a crash.
fn correlate_fpm(groups: &mut Vec<Group>, a: &mut Analyzer) -> FpmNotes {
    let marks = a.fpm_marks.sorted();
    let max_children = max_children_from(groups);
    let rules: [(Cause, &[Cause], i64, i64); 3] = [
        (
            Cause::FpmPoolExhausted,
            &[
                Cause::UpstreamTimeoutRead,
                Cause::UpstreamTimeoutConnect,
                Cause::UpstreamTimeoutSend,
                Cause::BacklogFull,
            ],
            5,
            60,
        ),
        (
            Cause::PhpTimeout,
            &[Cause::UpstreamClosedEarly, Cause::UpstreamReset],
            2,
            4,
        ),
        (
            Cause::BackendCrash,
            &[Cause::UpstreamClosedEarly, Cause::UpstreamReset],
            2,
            4,
        ),
    ];
    for (target, sources, before, after) in rules {
        let windows: Vec<(i64, i64)> = marks
            .iter()
            .filter(|m| m.cause == target)
            .map(|m| (m.t - before, m.t + after + 1))
            .collect();
        if windows.is_empty() {
            continue;
        }
        let mut moved_any = false;
        let mut new_groups: Vec<Group> = Vec::new();
        for g in groups.iter_mut() {
            if !sources.contains(&g.key.cause) || g.key.server == Server::PhpFpm || !is_fastcgi(g) {
                continue;
            }
            let windows = extend_windows(&windows, &g.series, target == Cause::FpmPoolExhausted);
            let mut moved = Series::new(g.series.resolution());
            for &(from, to) in &windows {
                moved.merge(&g.series.take_range(from, to));
            }
            let n = moved.total();
            if n == 0 {
                continue;
            }
            moved_any = true;
            let note = format!(
                "{} {} event{} reclassified as {} from the PHP-FPM log at the same time.",
                thousands(n),
                g.key.cause.id(),
                if n == 1 { "" } else { "s" },
                target.id()
            );
            let mut new = if n == g.count {
                // The whole group: relabel it, keeping its details.
                let mut whole = g.clone();
                g.count = 0;
                whole.series = moved;
                whole
            } else {
                let mut part = Group::new(g.key.clone(), 0, g.series.resolution());
                part.count = n;
                part.series = moved;
                part.endpoints = g.endpoints.clone();
                part.clients = g.clients.clone();
                part.peers = g.peers.clone();
                part.examples = g.examples.clone();
                part.protocols = g.protocols.clone();
                part.raw_upstream = g.raw_upstream.clone();
                part.raw_vhost = g.raw_vhost.clone();
                g.count -= n;
                if let Some((f, l)) = g.series.span() {
                    g.first = f;
                    g.last = l - 1;
                }
                part
            };
            let old_hash = g.hash;
            new.key.cause = target;
            new.hash = group_hash(
                target,
                new.key.server,
                &new.raw_upstream,
                &new.raw_vhost,
                new.key.other,
            );
            if let Some((f, l)) = new.series.span() {
                new.first = new.first.max(f).min(l - 1);
                new.last = new.last.min(l - 1).max(new.first);
            }
            new.notes.push(note);
            let new_hash = new.hash;
            a.error_marks.rewrite(|m| {
                if m.group == old_hash && windows.iter().any(|&(f, t)| m.t >= f && m.t < t) {
                    m.group = new_hash;
                }
            });
            // Keep per-cause series consistent with the move.
            if let Some(src) = a.causes.get_mut(&g.key.cause) {
                for &(from, to) in &windows {
                    let _ = src.take_range(from, to);
                }
            }
            a.causes
                .entry(target)
                .or_insert_with(|| Series::new(new.series.resolution()))
                .merge(&new.series);
            new_groups.push(new);
        }
        groups.retain(|g| g.count > 0);
        if !moved_any {
            continue;
        }
        // The FPM lines themselves become evidence on the web server's finding instead of
        // a finding of their own (one request, one count).
        let fpm_evidence: Vec<Group> = groups
            .iter()
            .filter(|g| g.key.server == Server::PhpFpm && g.key.cause == target)
            .cloned()
            .collect();
        groups.retain(|g| !(g.key.server == Server::PhpFpm && g.key.cause == target));
        for fpm in &fpm_evidence {
            if let Some(series) = a.causes.get_mut(&target) {
                series.subtract(&fpm.series);
            }
            a.failures.subtract(&fpm.series);
        }
        for mut new in new_groups {
            for fpm in &fpm_evidence {
                new.evidence.merge(&fpm.examples);
            }
            match groups
                .iter_mut()
                .find(|g| g.hash == new.hash && g.key == new.key)
            {
                Some(existing) => existing.merge(&new),
                None => groups.push(new),
            }
        }
    }
    absorb_fpm_echoes(groups, a);
    FpmNotes { max_children }
}

/// PHP-FPM logs the same failure the web server logged (a PHP fatal error relayed by
/// nginx's "FastCGI sent in stderr" or Apache's AH01071 also lands in php-fpm.log through
/// `catch_workers_output`): when the web server has a finding of the same cause at the same
/// time, the FPM lines become its evidence instead of a second finding of the same requests.
fn absorb_fpm_echoes(groups: &mut Vec<Group>, a: &mut Analyzer) {
    const NEAR: i64 = 5;
    let mut absorbed = vec![false; groups.len()];
    for i in 0..groups.len() {
        if groups[i].key.server != Server::PhpFpm || groups[i].count == 0 {
            continue;
        }
        let (cause, first, last) = (groups[i].key.cause, groups[i].first, groups[i].last);
        let target = (0..groups.len()).find(|&j| {
            let g = &groups[j];
            g.key.server != Server::PhpFpm
                && g.key.cause == cause
                && g.first <= last + NEAR
                && first <= g.last + NEAR
        });
        let Some(j) = target else { continue };
        let fpm = groups[i].clone();
        groups[j].evidence.merge(&fpm.examples);
        if let Some(series) = a.causes.get_mut(&cause) {
            series.subtract(&fpm.series);
        }
        a.failures.subtract(&fpm.series);
        absorbed[i] = true;
    }
    let mut index = 0;
    groups.retain(|_| {
        let keep = !absorbed[index];
        index += 1;
        keep
    });
}

/// For pool exhaustion FPM logs one line per episode: extend each window while the web
/// server's timeouts continue without a long gap.
fn extend_windows(windows: &[(i64, i64)], series: &Series, extend: bool) -> Vec<(i64, i64)> {
    if !extend {
        return windows.to_vec();
    }
    let buckets: Vec<(i64, u64)> = series.buckets().collect();
    windows
        .iter()
        .map(|&(from, mut to)| {
            let start = to;
            for &(t, _) in buckets.iter().filter(|(t, _)| *t >= start) {
                if t - to <= 30 {
                    to = t + series.resolution();
                } else {
                    break;
                }
            }
            (from, to)
        })
        .collect()
}

fn is_fastcgi(g: &Group) -> bool {
    g.protocols.keys().any(|p| p == "fastcgi" || p == "fcgi")
        || (g.protocols.is_empty() && g.key.upstream.starts_with("unix:"))
}

fn max_children_from(groups: &[Group]) -> Option<u64> {
    groups
        .iter()
        .filter(|g| g.key.cause == Cause::FpmPoolExhausted)
        .flat_map(|g| {
            g.examples
                .items()
                .into_iter()
                .map(|e| e.text.clone())
                .collect::<Vec<_>>()
        })
        .find_map(|text| {
            let after = text.split("max_children setting (").nth(1)?;
            after.split(')').next()?.parse().ok()
        })
}

fn context_retry(a: &Analyzer) -> Option<u64> {
    let (_, examples) = a.context.get(&Cause::NoLiveUpstreams)?;
    examples.items().iter().find_map(|e| {
        let after = e.text.rsplit(" for ").next()?;
        after.trim_end_matches('s').trim().parse().ok()
    })
}

fn observed_time(by_status: &BTreeMap<u16, Sketch>, statuses: &[u16]) -> Option<f64> {
    statuses
        .iter()
        .filter_map(|s| by_status.get(s))
        .find(|s| s.count() > 0)
        .map(|s| s.quantile(0.5))
}

fn find_trigger(group: &Group, groups: &[Group], a: &Analyzer) -> Option<Trigger> {
    let first = group.first;
    let (from, to) = (first - 60, first + 1);
    a.causes
        .iter()
        .filter(|(c, _)| **c != Cause::NoLiveUpstreams && c.severity() > Severity::Low)
        .map(|(c, s)| (*c, s.count_in(from, to)))
        .filter(|(_, n)| *n > 0)
        .max_by_key(|(c, n)| (*n, std::cmp::Reverse(*c)))
        .map(|(cause, count)| {
            let upstream = groups
                .iter()
                .filter(|g| g.key.cause == cause)
                .max_by_key(|g| {
                    (
                        g.series.count_in(from, to),
                        std::cmp::Reverse(g.key.clone()),
                    )
                })
                .map(|g| g.key.upstream.clone())
                .unwrap_or_default();
            Trigger {
                cause,
                upstream,
                count,
            }
        })
}

/// An error-log line a request may be attributed to: (time, request hash, site, group,
/// already claimed by a request).
type Candidate = (i64, u64, u64, u64, bool);

struct Attribution {
    /// group hash → (attributed requests, statuses)
    per_group: FxHashMap<u64, (u64, BTreeMap<u16, u64>)>,
    attributed: u64,
    unattributed: Vec<Counted>,
}

/// Matches access-log 5xx (and 499) to error-log failures of the same site: same client,
/// error time within the request's duration (± a second), same request line where both
/// logged one; the nearest in time wins.
fn attribute(a: &Analyzer, groups: &[Group], sites_with_errors: &BTreeSet<u64>) -> Attribution {
    let abort_groups: BTreeSet<u64> = groups
        .iter()
        .filter(|g| g.key.cause == Cause::ClientAbort)
        .map(|g| g.hash)
        .collect();
    let live_groups: BTreeSet<u64> = groups.iter().map(|g| g.hash).collect();
    let mut by_client: FxHashMap<u64, Vec<Candidate>> = FxHashMap::default();
    for m in a.error_marks.sorted() {
        if live_groups.contains(&m.group) {
            by_client
                .entry(m.client)
                .or_default()
                .push((m.t, m.request, m.site, m.group, false));
        }
    }
    for marks in by_client.values_mut() {
        marks.sort_unstable_by_key(|m| (m.0, m.1, m.2, m.3));
    }
    let mut requests = a.request_marks.sorted();
    requests.sort_unstable_by_key(|r| (r.end, r.start, r.line));
    let scale = if requests.is_empty() {
        1.0
    } else {
        a.request_marks.offered() as f64 / requests.len() as f64
    };
    let mut per_group: FxHashMap<u64, (u64, BTreeMap<u16, u64>)> = FxHashMap::default();
    let mut unattributed: BTreeMap<String, f64> = BTreeMap::new();
    let mut attributed = 0.0f64;
    for r in &requests {
        let is_abort = r.status == 499;
        let Some(candidates) = by_client.get_mut(&r.client) else {
            note_unattributed(&mut unattributed, r, sites_with_errors);
            continue;
        };
        let lo = candidates.partition_point(|c| c.0 < r.start - ATTRIBUTION_SLACK);
        // Each error line explains one request where it can (a request tried once logs one
        // line); a line already claimed is used again only when nothing else fits.
        let best = candidates[lo..]
            .iter()
            .enumerate()
            .take_while(|(_, c)| c.0 <= r.end + ATTRIBUTION_SLACK)
            .filter(|(_, c)| !sites_with_errors.contains(&r.site) || c.2 == r.site)
            .filter(|(_, c)| abort_groups.contains(&c.3) == is_abort)
            .filter(|(_, c)| c.1 == 0 || r.request == 0 || c.1 == r.request)
            .min_by_key(|(_, c)| {
                let anchor = if r.open_end { r.start } else { r.end };
                (c.4, c.1 != r.request, (c.0 - anchor).abs())
            })
            .map(|(i, c)| (lo + i, c.3));
        match best {
            Some((index, group)) => {
                if let Some(c) = candidates.get_mut(index) {
                    c.4 = true;
                }
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
    let mut unattributed: Vec<Counted> = unattributed
        .into_iter()
        .map(|(value, n)| Counted {
            value,
            count: (n * scale).round() as u64,
        })
        .collect();
    unattributed.sort_by(|x, y| y.count.cmp(&x.count).then(x.value.cmp(&y.value)));
    Attribution {
        per_group,
        attributed: (attributed * scale).round() as u64,
        unattributed,
    }
}

/// Describes a 5xx that no error-log line explains.
fn note_unattributed(
    unattributed: &mut BTreeMap<String, f64>,
    r: &crate::state::RequestMark,
    sites_with_errors: &BTreeSet<u64>,
) {
    if r.status == 499 {
        return;
    }
    let kind = if !r.has_upstream {
        format!(
            "{} answered by the server itself (no upstream was tried: limit_req/limit_conn, `return`, or an error before proxying)",
            r.status
        )
    } else if r.upstream_status == r.status {
        format!(
            "{} returned by the upstream itself (the application answered {}; no proxy error)",
            r.status, r.status
        )
    } else if sites_with_errors.is_empty() {
        format!(
            "{} with no error log to explain it (give logscan the error log too)",
            r.status
        )
    } else {
        format!(
            "{} with no matching error-log line (error log level above error, or another server's log)",
            r.status
        )
    };
    *unattributed.entry(kind).or_insert(0.0) += 1.0;
}

#[allow(clippy::too_many_arguments)]
fn finding(
    rank: usize,
    b: &Built,
    a: &Analyzer,
    fmt: &dyn Fn(i64) -> String,
    total_failures: u64,
    grid: (i64, i64, usize),
    observed: Option<f64>,
    max_children: Option<u64>,
    retry_seconds: Option<u64>,
) -> Finding {
    let g = &b.group;
    let (grid_start, window, grid_len) = grid;
    let timeline = g.series.regrid(grid_start, window, grid_len);
    let peak = timeline
        .iter()
        .enumerate()
        .max_by_key(|(i, c)| (**c, std::cmp::Reverse(*i)))
        .filter(|(_, c)| **c > 0)
        .map(|(i, c)| {
            let start = grid_start + i as i64 * window;
            Peak {
                start: fmt(start),
                end: fmt(start + window),
                count: *c,
            }
        });
    let top = |t: &crate::topk::TopK| -> Vec<Counted> {
        t.top(TOP)
            .into_iter()
            .map(|(v, count)| Counted {
                value: escape_bytes(v, 300),
                count,
            })
            .collect()
    };
    let mut upstreams = top(&g.peers);
    if upstreams.is_empty() && !g.key.upstream.is_empty() {
        upstreams.push(Counted {
            value: g.key.upstream.clone(),
            count: g.count,
        });
    }
    let most = |m: &BTreeMap<String, u64>| {
        m.iter()
            .max_by_key(|(k, n)| (**n, std::cmp::Reverse((*k).clone())))
            .map(|(k, _)| k.clone())
    };
    let clock = &a.clock;
    let short = |t: i64| clock.format_short(t, g.last - g.first >= 86_400);
    let when = if g.first == g.last || g.count <= 1 {
        format!("at {}", short(g.first))
    } else {
        format!("between {} and {}", short(g.first), short(g.last))
    };
    let ctx = FixContext {
        cause: Some(g.key.cause),
        server: Some(g.key.server),
        upstream: g.key.upstream.clone(),
        protocol: most(&g.protocols),
        count: g.count,
        when,
        variant: most(&g.variants),
        errno: most(&g.errnos),
        observed_timeout: observed,
        trigger: b
            .trigger
            .as_ref()
            .map(|t| (t.cause, t.upstream.clone(), t.count)),
        evidence: b.evidence.clone(),
        endpoint: g
            .endpoints
            .top(1)
            .first()
            .map(|(v, _)| escape_bytes(v, 200)),
        retry_seconds,
        max_children,
    };
    let statuses_inferred = b.affected.is_none() || b.statuses.is_empty();
    let statuses: BTreeMap<String, u64> = if !b.statuses.is_empty() {
        b.statuses
            .iter()
            .map(|(s, n)| (s.to_string(), *n))
            .collect()
    } else {
        expected_status(g)
            .map(|s| BTreeMap::from([(s.to_string(), g.count.saturating_sub(g.truncated))]))
            .unwrap_or_default()
    };
    let title = match (g.key.other, g.key.upstream.is_empty()) {
        (true, _) => format!("{} (other upstreams)", g.key.cause.title()),
        (false, true) => g.key.cause.title().to_owned(),
        (false, false) if g.key.vhost.is_empty() => {
            format!("{}: {}", g.key.cause.title(), g.key.upstream)
        }
        (false, false) => format!(
            "{}: {} (server {})",
            g.key.cause.title(),
            g.key.upstream,
            g.key.vhost
        ),
    };
    let examples = examples_of(&g.examples, a);
    Finding {
        rank,
        cause: g.key.cause,
        category: g.key.cause.category(),
        category_text: g.key.cause.category().plain().to_owned(),
        severity: b.severity,
        title,
        server: g.key.server.as_str().to_owned(),
        upstream: g.key.upstream.clone(),
        vhost: (!g.key.vhost.is_empty()).then(|| g.key.vhost.clone()),
        count: g.count,
        affected_requests: b.affected,
        share: if total_failures > 0 {
            g.count as f64 / total_failures as f64
        } else {
            0.0
        },
        first_seen: fmt(g.first),
        last_seen: fmt(g.last),
        upstreams,
        requests: top(&g.endpoints),
        clients: top(&g.clients),
        statuses,
        statuses_inferred: statuses_inferred && b.statuses.is_empty(),
        peak,
        timeline,
        phases: g
            .phases
            .iter()
            .map(|(p, n)| (p.id().to_owned(), *n))
            .collect(),
        variants: g.variants.clone(),
        truncated_responses: g.truncated,
        trigger: b.trigger.clone(),
        notes: g.notes.clone(),
        fix: fix(&ctx),
        examples,
    }
}

/// The status a client gets for a cause, by server (CAUSES.md 2.10).
fn expected_status(g: &Group) -> Option<u16> {
    use Cause::*;
    let apache = g.key.server == Server::Apache;
    let fastcgi = is_fastcgi(g);
    Some(match g.key.cause {
        UpstreamRefused | UpstreamUnreachable | SocketMissing | SocketPermission | BacklogFull
        | EphemeralPorts
            if apache =>
        {
            503
        }
        NoLiveUpstreams if apache => 503,
        UpstreamTimeoutRead if apache && !fastcgi => 502,
        UpstreamTimeoutRead | UpstreamTimeoutConnect | UpstreamTimeoutSend | FpmPoolExhausted => {
            504
        }
        UpstreamRefused | UpstreamUnreachable | UpstreamReset | UpstreamClosedEarly
        | NoLiveUpstreams | HeaderTooBig | BadUpstreamResponse | TlsToUpstream | DnsResolution
        | SocketMissing | SocketPermission | BacklogFull | EphemeralPorts | PhpTimeout => 502,
        FdExhaustion | WorkerConnections | PhpFatal | ProxyConfigError => 500,
        RateLimited => 503,
        ClientAbort => 499,
        PhpScriptNotFound => 404,
        BackendCrash | BufferedToDisk => return None,
    })
}

fn examples_of(set: &ExampleSet, a: &Analyzer) -> Vec<Example> {
    set.items()
        .into_iter()
        .map(|item| {
            let (_, input, chunk, line) = item.key;
            let state = a.inputs.get(&input);
            Example {
                path: state.map(|s| s.info.path.clone()).unwrap_or_default(),
                line: state.map_or(line, |s| s.absolute_line(chunk, line)),
                text: item.text.clone(),
            }
        })
        .collect()
}

fn incident(
    inc: &RawIncident,
    findings: &[Finding],
    built: &[Built],
    a: &Analyzer,
    fmt: &dyn Fn(i64) -> String,
) -> Incident {
    let causes = inc.ranked_causes();
    let mut upstream_counts: BTreeMap<String, u64> = BTreeMap::new();
    let mut ranks = Vec::new();
    for (i, b) in built.iter().enumerate() {
        if !causes.contains(&b.group.key.cause) {
            continue;
        }
        let n = b.group.series.count_in(inc.start, inc.end);
        if n == 0 {
            continue;
        }
        ranks.push(findings.get(i).map_or(i + 1, |f| f.rank));
        if !b.group.key.upstream.is_empty() {
            *upstream_counts
                .entry(b.group.key.upstream.clone())
                .or_insert(0) += n;
        }
    }
    let mut upstreams: Vec<(String, u64)> = upstream_counts.into_iter().collect();
    upstreams.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
    let upstreams: Vec<String> = upstreams.into_iter().take(3).map(|(u, _)| u).collect();
    let end = inc.end - 1;
    let short = |t: i64| a.clock.format_short(t, inc.end - inc.start >= 86_400);
    let lead = causes.first().copied().unwrap_or(Cause::UpstreamRefused);
    let target = upstreams
        .first()
        .cloned()
        .unwrap_or_else(|| "the backend".to_owned());
    let n = inc.causes.get(&lead).copied().unwrap_or(0);
    let what = incident_phrase(lead, &target, n);
    let others = causes
        .iter()
        .skip(1)
        .map(|c| {
            format!(
                "{} {}",
                thousands(inc.causes.get(c).copied().unwrap_or(0)),
                c.id()
            )
        })
        .collect::<Vec<_>>();
    let summary = format!(
        "{}-{} ({}): {what}{}",
        short(inc.start),
        short(end),
        human_duration(inc.end - inc.start),
        if others.is_empty() {
            String::new()
        } else {
            format!(", with {}", others.join(", "))
        }
    );
    Incident {
        start: fmt(inc.start),
        end: fmt(end),
        count: inc.count(),
        causes,
        upstreams,
        findings: ranks,
        summary,
    }
}

fn incident_phrase(cause: Cause, upstream: &str, n: u64) -> String {
    let n = thousands(n);
    match cause {
        Cause::UpstreamRefused => format!("backend {upstream} refused {n} connections"),
        Cause::UpstreamTimeoutRead => format!("backend {upstream} timed out {n} times"),
        Cause::UpstreamTimeoutConnect => format!("connecting to {upstream} timed out {n} times"),
        Cause::NoLiveUpstreams => format!("no live upstream in {upstream} for {n} requests"),
        Cause::FpmPoolExhausted => {
            format!("PHP-FPM pool behind {upstream} exhausted ({n} requests)")
        }
        Cause::DnsResolution => format!("{upstream} did not resolve {n} times"),
        other => format!("{n} × {} at {upstream}", other.id()),
    }
}

fn quantiles(s: &Sketch) -> Option<Quantiles> {
    (s.count() > 0).then(|| Quantiles {
        count: s.count(),
        p50: round3(s.quantile(0.5)),
        p90: round3(s.quantile(0.9)),
        p99: round3(s.quantile(0.99)),
        max: round3(s.max()),
    })
}

fn round3(x: f64) -> f64 {
    (x * 1_000.0).round() / 1_000.0
}

fn access_summary(a: &Analyzer, attribution: &Attribution) -> AccessSummary {
    let s = &a.access;
    let server_errors: u64 = s.statuses.range(500..600).map(|(_, n)| n).sum();
    AccessSummary {
        requests: s.total(),
        statuses: s
            .statuses
            .iter()
            .map(|(k, v)| (k.to_string(), *v))
            .collect(),
        server_errors,
        client_closed: s.statuses.get(&499).copied().unwrap_or(0),
        attributed: attribution.attributed.min(server_errors),
        attributed_share: if server_errors > 0 {
            (attribution.attributed.min(server_errors) as f64 / server_errors as f64 * 1_000.0)
                .round()
                / 1_000.0
        } else {
            0.0
        },
        unattributed: attribution.unattributed.clone(),
        upstream_statuses: s
            .upstream_statuses
            .iter()
            .map(|(k, v)| (k.to_string(), *v))
            .collect(),
        retried: s.retried,
        request_time: quantiles(&s.request_time),
        upstream_time: quantiles(&s.upstream_time),
        time_by_status: s
            .time_by_status
            .iter()
            .filter_map(|(k, v)| quantiles(v).map(|q| (k.to_string(), q)))
            .collect(),
        top_5xx_requests: s
            .endpoints_5xx
            .top(TOP)
            .into_iter()
            .map(|(v, count)| Counted {
                value: escape_bytes(v, 300),
                count,
            })
            .collect(),
    }
}

fn input_report(i: &InputState, fmt: &dyn Fn(i64) -> String) -> InputReport {
    let totals = i.totals();
    InputReport {
        path: i.info.path.clone(),
        format: if i.info.detected {
            i.info.format.id().to_owned()
        } else {
            "unknown".to_owned()
        },
        lines: totals.lines,
        parsed: totals.parsed,
        unrecognized: totals.unrecognized,
        filtered: totals.filtered,
        first: i.first.map(fmt),
        last: i.last.map(fmt),
        unrecognized_examples: i
            .unrecognized
            .items()
            .into_iter()
            .map(|e| Example {
                path: i.info.path.clone(),
                line: i.absolute_line(e.key.2, e.key.3),
                text: e.text.clone(),
            })
            .collect(),
    }
}

/// Reason phrase of an HTTP status.
fn reason(status: u16) -> &'static str {
    match status {
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        499 => "Client Closed Request",
        404 => "Not Found",
        _ => "",
    }
}

/// Why, in plain words, for the summary.
fn plain_cause(f: &Finding, observed: Option<f64>) -> String {
    let u = if f.upstream.is_empty() {
        "the backend".to_owned()
    } else {
        format!("the backend at {}", f.upstream)
    };
    let fastcgi = f.upstream.starts_with("unix:") || f.fix.summary.contains("fastcgi");
    match f.cause {
        Cause::UpstreamRefused => format!("{u} was not running (connection refused)"),
        Cause::UpstreamUnreachable => format!("{u} could not be reached over the network"),
        Cause::UpstreamTimeoutConnect => {
            format!("{u} did not accept connections in time (overloaded or blocked)")
        }
        Cause::UpstreamTimeoutRead => {
            let directive = if f.server == "apache" {
                "ProxyTimeout"
            } else if fastcgi {
                "fastcgi_read_timeout"
            } else {
                "proxy_read_timeout"
            };
            match observed {
                Some(t) => format!(
                    "{u} answered slower than {directive} ({})",
                    crate::text::human_seconds(t)
                ),
                None => format!("{u} answered slower than {directive}"),
            }
        }
        Cause::UpstreamTimeoutSend => format!("{u} stopped reading the requests"),
        Cause::UpstreamReset => {
            format!("{u} dropped connections mid-request (crash, kill or keep-alive race)")
        }
        Cause::UpstreamClosedEarly => format!("{u} closed connections without a complete answer"),
        Cause::BackendCrash => "the backend process crashed or was killed".to_owned(),
        Cause::NoLiveUpstreams => format!(
            "every server of the upstream group {} was marked as failed",
            if f.upstream.is_empty() {
                ""
            } else {
                &f.upstream
            }
        ),
        Cause::HeaderTooBig => format!("{u} sent headers too big for the proxy buffer"),
        Cause::BadUpstreamResponse => format!("{u} sent an invalid response"),
        Cause::TlsToUpstream => format!("the TLS connection to {u} failed"),
        Cause::DnsResolution => format!("the backend name {} could not be resolved", f.upstream),
        Cause::SocketMissing => format!(
            "the socket {} did not exist (PHP-FPM or the backend was not running)",
            f.upstream
        ),
        Cause::SocketPermission => format!(
            "the web server was not allowed to connect to {}",
            f.upstream
        ),
        Cause::BacklogFull => format!("the queue of {u} was full (all workers busy)"),
        Cause::FdExhaustion => "the server ran out of file descriptors".to_owned(),
        Cause::WorkerConnections => "the proxy ran out of connection slots".to_owned(),
        Cause::EphemeralPorts => format!("no local port was free to connect to {u}"),
        Cause::FpmPoolExhausted => {
            "every PHP-FPM worker was busy (pm.max_children reached)".to_owned()
        }
        Cause::PhpFatal => "the PHP code crashed with a fatal error".to_owned(),
        Cause::PhpTimeout => "PHP scripts ran out of time".to_owned(),
        Cause::PhpScriptNotFound => "PHP-FPM could not find the script".to_owned(),
        Cause::ClientAbort => "clients gave up waiting".to_owned(),
        Cause::RateLimited => "the server's rate limit rejected them".to_owned(),
        Cause::BufferedToDisk => "responses were spooled to disk".to_owned(),
        Cause::ProxyConfigError => "the proxy configuration is wrong".to_owned(),
    }
}

fn summary(
    findings: &[Finding],
    incidents: &[Incident],
    raw: &[RawIncident],
    built: &[Built],
    totals: &Totals,
    a: &Analyzer,
) -> String {
    let real: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.severity > Severity::Low)
        .collect();
    if real.is_empty() {
        let mut text = format!(
            "No upstream failures that need attention in {} lines",
            thousands(totals.lines)
        );
        if totals.requests > 0 {
            text.push_str(&format!(
                " ({} requests, {} × 5xx)",
                thousands(totals.requests),
                thousands(totals.server_errors)
            ));
        }
        text.push('.');
        if let Some(f) = findings.first() {
            text.push_str(&format!(
                " Minor: {} × {}.",
                thousands(f.count),
                f.cause.id()
            ));
        }
        return text;
    }
    let time_504 = observed_time(&a.access.time_by_status, &[504]);
    let time_502 = observed_time(&a.access.time_by_status, &[502]);
    let observed_for = |f: &Finding| {
        if f.server == "apache" {
            time_502.or(time_504)
        } else {
            time_504
        }
    };
    let clock = &a.clock;
    let multi_day = raw
        .first()
        .zip(raw.last())
        .is_some_and(|(f, l)| l.end - f.start >= 86_400);
    let short = |t: i64| clock.format_short(t, multi_day);
    let phrase = |f: &Finding,
                  count: u64,
                  status: Option<u16>,
                  from: &str,
                  to: &str,
                  first: bool|
     -> String {
        let what = match status {
            Some(s) if f.affected_requests.is_some() && !f.statuses_inferred => {
                format!("{} × {s} {}", thousands(count), reason(s))
            }
            Some(s) => format!(
                "{} failed requests (clients get {s} {})",
                thousands(count),
                reason(s)
            ),
            None => format!("{} failures", thousands(count)),
        };
        let span = if from == to {
            format!("at {from}")
        } else if first {
            format!("between {from} and {to}")
        } else {
            format!("until {to}")
        };
        format!("{what} {span} because {}", plain_cause(f, observed_for(f)))
    };
    let mut parts: Vec<String> = Vec::new();
    if !incidents.is_empty() {
        let mut previous_end = i64::MIN / 2;
        // The three largest incidents, told in time order.
        let mut chosen: Vec<usize> = (0..incidents.len().min(raw.len())).collect();
        chosen.sort_by(|&x, &y| raw[y].count().cmp(&raw[x].count()).then(x.cmp(&y)));
        chosen.truncate(3);
        chosen.sort_unstable();
        for (i, (inc, r)) in chosen.iter().map(|&k| (&incidents[k], &raw[k])).enumerate() {
            let Some(lead) = inc.causes.first() else {
                continue;
            };
            let Some(f) = findings
                .iter()
                .find(|f| f.cause == *lead && inc.findings.contains(&f.rank))
            else {
                continue;
            };
            let b = built
                .iter()
                .find(|b| b.group.key.cause == f.cause && b.group.key.upstream == f.upstream);
            let count = b.map_or(inc.count, |b| b.group.series.count_in(r.start, r.end));
            let status = f
                .statuses
                .iter()
                .max_by_key(|(_, n)| **n)
                .and_then(|(s, _)| s.parse::<u16>().ok());
            let count = match (f.affected_requests, f.statuses_inferred) {
                (Some(n), false) if f.count > 0 => {
                    ((n as f64) * count as f64 / f.count as f64).round() as u64
                }
                _ => count,
            };
            parts.push(phrase(
                f,
                count,
                status,
                &short(r.start),
                &short(r.end - 1),
                i == 0 || r.start - previous_end > 30,
            ));
            previous_end = r.end;
        }
    }
    if parts.is_empty() {
        for f in real.iter().take(2) {
            let status = f
                .statuses
                .iter()
                .max_by_key(|(_, n)| **n)
                .and_then(|(s, _)| s.parse::<u16>().ok());
            let count = f
                .affected_requests
                .filter(|n| *n > 0 && !f.statuses_inferred)
                .unwrap_or(f.count);
            let b = built
                .iter()
                .find(|b| b.group.key.cause == f.cause && b.group.key.upstream == f.upstream);
            let (from, to) = b.map_or((String::new(), String::new()), |b| {
                (short(b.group.first), short(b.group.last))
            });
            parts.push(phrase(f, count, status, &from, &to, true));
        }
    }
    let lead = if totals.requests > 0
        && findings
            .iter()
            .any(|f| f.affected_requests.unwrap_or(0) > 0)
    {
        "Visitors got "
    } else {
        ""
    };
    let mut text = format!("{lead}{}", parts.join("; then "));
    if let Some(first) = text.get(..1) {
        let upper = first.to_uppercase();
        text.replace_range(..1, &upper);
    }
    text.push('.');
    if let Some(top) = real.first() {
        text.push_str(&format!(
            " First thing to do: {}",
            top.fix.steps.first().cloned().unwrap_or_default()
        ));
    }
    text
}
