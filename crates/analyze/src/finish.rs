//! Building the [`Report`] from the accumulated state: severity and ranking, findings,
//! incidents and the access summary (correlation, attribution and the summary text have
//! their own modules).

use std::collections::{BTreeMap, BTreeSet};

use logscan_parse::{Cause, Format, Server, Severity};

use crate::Analyzer;
use crate::attribute::{Attribution, attribute};
use crate::correlate::{context_retry, correlate_fpm, find_trigger, is_fastcgi};
use crate::edge::{GroupJoin, JoinInputs, join};
use crate::fix::{EdgeContext, FixContext, fix};
use crate::incidents::{self, RawIncident};
use crate::report::{
    AccessSummary, Counted, EdgeSummary, Example, Finding, Incident, InputFormat, InputReport,
    Interval, Layer, OriginReach, Peak, Quantiles, Report, ReportTime, Timeline, Totals, Trigger,
    ZoneSource, ZoneUsed,
};
use crate::series::{Series, resolution_at_least};
use crate::state::{ExampleSet, Group, InputState, OffsetSeen, Sketch, group_hash};
use crate::summary::summary;
use crate::text::{escape_bytes, hash_bytes, human_duration, thousands};

/// How many values the top lists of a finding show.
const TOP: usize = 5;

pub(crate) struct Built {
    pub(crate) group: Group,
    pub(crate) affected: Option<u64>,
    pub(crate) statuses: BTreeMap<u16, u64>,
    pub(crate) trigger: Option<Trigger>,
    pub(crate) evidence: Option<String>,
    pub(crate) severity: Severity,
    pub(crate) score: f64,
    /// For an edge finding: where its requests went, from the origin's logs.
    pub(crate) join: Option<GroupJoin>,
}

pub(crate) fn build(mut a: Analyzer) -> Report {
    // Zone: the caller's, else the offsets the access logs carry, else those the envelopes
    // gave error lines (container, journald and RFC 5424 times), else as logged. Without a
    // zone each time is shown with the offset the lines around it carry (a log that
    // crosses a daylight-saving change has two).
    let seen = |map: &BTreeMap<i32, OffsetSeen>| -> Vec<(i32, OffsetSeen)> {
        map.iter().map(|(o, seen)| (*o, *seen)).collect()
    };
    let (offsets, source) = match a.clock.zone() {
        Some(_) => (Vec::new(), ZoneSource::Caller),
        None if !a.access.offsets.is_empty() => (seen(&a.access.offsets), ZoneSource::AccessLog),
        None if !a.envelope_offsets.is_empty() => (seen(&a.envelope_offsets), ZoneSource::Envelope),
        None => (Vec::new(), ZoneSource::AsLogged),
    };
    let zone = match (a.clock.zone(), source) {
        (Some(z), _) => ZoneUsed {
            name: z.to_string(),
            source,
        },
        (None, _) => {
            let mut by_count = offsets.clone();
            by_count.sort_by_key(|(o, seen)| (std::cmp::Reverse(seen.count), *o));
            let names: Vec<String> = by_count.iter().map(|(o, _)| format_offset(*o)).collect();
            ZoneUsed {
                name: names.join("/"),
                source,
            }
        }
    };
    let clock = a.clock.clone();
    let fmt = move |t: i64| clock.format(t, offset_at(&offsets, t));

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
        .filter(|i| i.read_formats().any(|f| !f.is_access() && !f.is_edge()))
        .map(|i| hash_bytes(i.info.site.as_bytes()))
        .collect();
    let attribution = attribute(&a, &groups, &sites_with_errors);
    // Edge failures joined with the origin's lines (when origin logs were read).
    let edge_counts: rustc_hash::FxHashMap<u64, u64> = groups
        .iter()
        .filter(|g| g.key.server.edge().is_some())
        .map(|g| (g.hash, g.count))
        .collect();
    let origin_logs = a
        .inputs
        .values()
        .any(|i| !i.info.format.is_edge() && i.info.format.server() != Server::PhpFpm);
    let mut joins = join(
        &a.edge,
        &JoinInputs {
            attributed: &attribution.by_line,
            counts: &edge_counts,
        },
    );
    let access_servers: BTreeSet<Server> = a
        .inputs
        .values()
        .flat_map(|i| i.read_formats())
        .filter(|f| f.is_access())
        .map(|f| f.server())
        .collect();

    // 499s become a client_abort finding when no error log reported client aborts.
    let has_abort_errors = groups
        .iter()
        .any(|g| g.key.cause == Cause::ClientAbort && g.key.server.edge().is_none());
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
    let total_requests = a.access.total() + a.edge.total();
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
            let edge = group.key.server.edge().is_some();
            let (affected, statuses) = if edge {
                // Every edge failure is a visitor's request, with the status it got.
                (Some(group.count), group.statuses.clone())
            } else if group.key.cause == Cause::ClientAbort && !has_abort_errors {
                (Some(group.count), BTreeMap::from([(499, group.count)]))
            } else {
                (affected, statuses)
            };
            let group_join = if edge && origin_logs {
                Some(joins.remove(&group.hash).unwrap_or_default())
            } else {
                None
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
                join: group_join,
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
    root_causes_first(&mut built);
    // Ranks by group, for edge findings that point at the origin finding explaining them.
    let ranks: rustc_hash::FxHashMap<u64, usize> = built
        .iter()
        .enumerate()
        .map(|(i, b)| (b.group.hash, i + 1))
        .collect();
    let origin_server = {
        let servers: BTreeSet<&str> = a
            .inputs
            .values()
            .flat_map(|i| i.read_formats())
            .filter(|f| f.is_access())
            .map(|f| f.server().as_str())
            .collect();
        (!servers.is_empty()).then(|| servers.into_iter().collect::<Vec<_>>().join(" and "))
    };

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
            let mut f = finding(
                i + 1,
                b,
                &a,
                &fmt,
                total_failures,
                (grid_start, window, grid_len),
                observed,
                max_children,
                retry_seconds,
                &EdgeLinks {
                    built: &built,
                    ranks: &ranks,
                    origin_server: origin_server.as_deref(),
                },
            );
            f.rank = i + 1;
            f
        })
        .collect();

    // The origin's 499s that are an edge giving up first say so.
    let gave_up: Vec<(usize, u64, String)> = findings
        .iter()
        .filter(|f| f.layer == Layer::Edge)
        .filter_map(|f| {
            let n = *f.origin.as_ref()?.statuses.get("499")?;
            let edge = f.edge.as_deref().and_then(logscan_parse::Edge::from_id)?;
            (n > 0).then(|| (f.rank, n, edge.name().to_owned()))
        })
        .collect();
    let mut findings = findings;
    for f in findings
        .iter_mut()
        .filter(|f| f.layer == Layer::Origin && f.cause == Cause::ClientAbort)
    {
        for (rank, n, edge) in &gave_up {
            f.notes.push(format!(
                "{} of the requests of finding #{rank} reached the origin and were logged as 499 here: {edge} gave up on them first (its timeout is shorter than the origin's).",
                thousands(*n)
            ));
        }
    }

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
        totals.other += i.other;
        totals.filtered += i.filtered;
    }
    totals.failures = total_failures;
    totals.requests = total_requests;
    // Edge requests and their 5xx count like access-log ones.
    totals.server_errors = a
        .access
        .statuses
        .to_map()
        .range(500..600)
        .map(|(_, n)| n)
        .sum::<u64>()
        + a.edge.statuses.range(500..600).map(|(_, n)| n).sum::<u64>();
    let edge_summary = (!a.edge.statuses.is_empty()).then(|| EdgeSummary {
        requests: a.edge.total(),
        products: a.edge.products.clone(),
        statuses: a
            .edge
            .statuses
            .iter()
            .map(|(k, v)| (k.to_string(), *v))
            .collect(),
        server_errors: a.edge.statuses.range(500..600).map(|(_, n)| n).sum(),
    });

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
        configs: Vec::new(),
        edge: edge_summary,
    }
}

/// The origin finding that explains an edge finding ranks just above it: the root cause
/// first (stable otherwise).
fn root_causes_first(built: &mut Vec<Built>) {
    let mut i = 0;
    while i < built.len() {
        let explained = built
            .get(i)
            .and_then(|b| b.join.as_ref())
            .and_then(GroupJoin::explained_by);
        if let Some(hash) = explained {
            if let Some(j) = built.iter().position(|b| b.group.hash == hash) {
                if j > i {
                    let origin = built.remove(j);
                    built.insert(i, origin);
                    // The edge finding moved one down; look at it again after its cause.
                    i += 1;
                    continue;
                }
            }
        }
        i += 1;
    }
}

/// What a finding needs to point at the findings around it.
pub(crate) struct EdgeLinks<'a> {
    pub(crate) built: &'a [Built],
    pub(crate) ranks: &'a rustc_hash::FxHashMap<u64, usize>,
    pub(crate) origin_server: Option<&'a str>,
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

/// The offset the access lines closest in time to `t` carry: the one whose lines cover `t`
/// (the most frequent if several do), else the nearest.
fn offset_at(offsets: &[(i32, OffsetSeen)], t: i64) -> Option<i32> {
    offsets
        .iter()
        .min_by_key(|(o, seen)| (seen.distance(t), std::cmp::Reverse(seen.count), *o))
        .map(|(o, _)| *o)
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
        _ => 1.0,
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

pub(crate) fn observed_time(by_status: &BTreeMap<u16, Sketch>, statuses: &[u16]) -> Option<f64> {
    statuses
        .iter()
        .filter_map(|s| by_status.get(s))
        .find(|s| s.count() > 0)
        .map(|s| s.quantile(0.5))
}

#[allow(clippy::too_many_arguments)]
fn finding(
    rank: usize,
    b: &Built,
    a: &Analyzer,
    fmt: &dyn Fn(i64) -> ReportTime,
    total_failures: u64,
    grid: (i64, i64, usize),
    observed: Option<f64>,
    max_children: Option<u64>,
    retry_seconds: Option<u64>,
    links: &EdgeLinks<'_>,
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
        edge: None,
    };
    let edge = g.key.server.edge();
    let explained_by = b
        .join
        .as_ref()
        .and_then(GroupJoin::explained_by)
        .and_then(|h| links.ranks.get(&h).copied());
    let took = g
        .durations
        .as_ref()
        .and_then(quantiles)
        .filter(|_| edge.is_some())
        .map(|mut q| {
            // The exact shortest and longest; one time for all when they agree.
            if let Some((lo, hi)) = g.duration_range {
                let (lo, hi) = (lo as f64 / 1e6, hi as f64 / 1e6);
                q.max = round3(hi);
                if hi - lo <= hi * 0.01 + 0.001 {
                    let mid = round3((lo + hi) / 2.0);
                    (q.p50, q.p90, q.p99) = (mid, mid, mid);
                }
            }
            q
        });
    let mut notes = g.notes.clone();
    let mut ctx = ctx;
    if let Some(edge) = edge {
        let explained = explained_by.and_then(|rank| {
            let origin = links.built.get(rank - 1)?;
            Some(format!(
                "{}'s {} at {} (finding #{rank})",
                origin.group.key.server.as_str(),
                origin.group.key.cause.id(),
                if origin.group.key.upstream.is_empty() {
                    "the backend"
                } else {
                    &origin.group.key.upstream
                }
            ))
        });
        let most = |m: &BTreeMap<u16, u64>| {
            m.iter()
                .max_by_key(|(s, n)| (**n, std::cmp::Reverse(**s)))
                .map(|(s, _)| *s)
        };
        if let Some(q) = &took {
            let meaning = match ctx.variant.as_deref() {
                Some("connect_timeout_by_time") => {
                    Some("the load balancer's connect timeout to targets (10 s)")
                }
                Some("idle_timeout_by_time") => Some("the load balancer's idle timeout"),
                _ => None,
            };
            if let Some(meaning) = meaning {
                let how_long = if q.p50 == q.max {
                    format!(
                        "all {} took {}",
                        thousands(g.count),
                        crate::text::human_seconds(q.max)
                    )
                } else {
                    format!(
                        "they took up to {} (median {})",
                        crate::text::human_seconds(q.max),
                        crate::text::human_seconds(q.p50)
                    )
                };
                notes.push(format!(
                    "Inferred from timing, as the log gives no reason: {how_long}: {meaning}."
                ));
            }
        }
        ctx.edge = Some(EdgeContext {
            edge,
            status: most(&g.statuses),
            origin_status: most(&g.origin_statuses),
            took: took.as_ref().map(|q| {
                let shortest = g.duration_range.map_or(q.p50, |(lo, _)| lo as f64 / 1e6);
                (shortest, q.p50, q.max)
            }),
            reach: b
                .join
                .as_ref()
                .map(|j| (j.reached, j.never_reached, j.unknown)),
            explained,
            origin_server: links.origin_server.map(str::to_owned),
        });
    }
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
    // An edge finding says which edge in its title: "HAProxy: Backend refused ...".
    let title = match g.key.server.edge() {
        Some(edge) => format!("{}: {title}", edge.label()),
        None => title,
    };
    let examples = examples_of(&g.examples, a);
    Finding {
        rank,
        cause: g.key.cause,
        category: g.key.cause.category(),
        category_text: g.key.cause.category().plain().to_owned(),
        severity: b.severity,
        title,
        server: g.key.server,
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
        notes,
        fix: fix(&ctx),
        examples,
        config: Vec::new(),
        mismatches: Vec::new(),
        layer: if edge.is_some() {
            Layer::Edge
        } else {
            Layer::Origin
        },
        edge: edge.map(|e| e.id().to_owned()),
        explained_by,
        origin: b.join.as_ref().map(|j| OriginReach {
            reached: j.reached,
            never_reached: j.never_reached,
            unknown: j.unknown,
            statuses: j
                .origin_statuses
                .iter()
                .map(|(s, n)| (s.to_string(), *n))
                .collect(),
            server: links.origin_server.map(str::to_owned),
        }),
        took,
    }
}

/// The status a client gets for a cause, by server: nginx answers 502 to failed
/// connections and bad responses and 504 to timeouts; Apache's mod_proxy answers 503 to
/// failed connections and 502 to read timeouts (504 only for FastCGI timeouts).
fn expected_status(g: &Group) -> Option<u16> {
    use Cause::*;
    let apache = g.key.server == Server::Apache;
    let fastcgi = is_fastcgi(g);
    // nginx's stream module proxies TCP/UDP: its clients get no HTTP status.
    if g.protocols.keys().any(|p| p == "tcp" || p == "udp") {
        return None;
    }
    let variant = |prefix: &str| g.variants.keys().any(|v| v.starts_with(prefix));
    Some(match g.key.cause {
        // mod_fcgid: a timeout ends the script without headers (500); no process slot, 503.
        UpstreamTimeoutRead | UpstreamClosedEarly if apache && variant("fcgid_") => 500,
        FpmPoolExhausted if apache && variant("fcgid_") => 503,
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
        // Only edge logs report these, and edge findings count the statuses they saw.
        OriginErrorResponse | EdgeInternalError | EdgeFunctionError | UpstreamQueueTimeout => {
            return None;
        }
        // A cause this version does not know: no status to assume.
        _ => return None,
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
    fmt: &dyn Fn(i64) -> ReportTime,
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
    let mut layers: Vec<Layer> = built
        .iter()
        .zip(findings)
        .filter(|(_, f)| ranks.contains(&f.rank))
        .map(|(b, _)| {
            if b.group.key.server.edge().is_some() {
                Layer::Edge
            } else {
                Layer::Origin
            }
        })
        .collect();
    layers.sort();
    layers.dedup();
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
        layers,
    }
}

pub(crate) fn incident_phrase(cause: Cause, upstream: &str, n: u64) -> String {
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
        Cause::OriginErrorResponse => {
            format!("{upstream} answered 5xx to {n} requests the edge passed on")
        }
        Cause::UpstreamQueueTimeout => format!("{n} requests expired in the queue for {upstream}"),
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
    let statuses = s.statuses.to_map();
    let server_errors: u64 = statuses.range(500..600).map(|(_, n)| n).sum();
    AccessSummary {
        requests: s.total(),
        statuses: statuses.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
        server_errors,
        client_closed: statuses.get(&499).copied().unwrap_or(0),
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
            .to_map()
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
        in_flight: s
            .in_flight
            .peaks()
            .map(|(upstream, peak)| (escape_bytes(upstream.as_bytes(), 300), peak))
            .collect(),
    }
}

fn input_report(i: &InputState, fmt: &dyn Fn(i64) -> ReportTime) -> InputReport {
    let totals = i.totals();
    let formats: BTreeMap<String, u64> = Format::ALL
        .iter()
        .zip(totals.by_format)
        .filter(|(_, n)| *n > 0)
        .map(|(f, n)| (f.id().to_owned(), n))
        .collect();
    let examples = |set: &ExampleSet| -> Vec<Example> {
        set.items()
            .into_iter()
            .map(|e| Example {
                path: i.info.path.clone(),
                line: i.absolute_line(e.key.2, e.key.3),
                text: e.text.clone(),
            })
            .collect()
    };
    InputReport {
        path: i.info.path.clone(),
        envelope: i.info.envelope.clone(),
        format: if !i.info.detected {
            InputFormat::Unknown
        } else if formats.len() > 1 {
            InputFormat::Mixed
        } else {
            InputFormat::Known(i.read_formats().next().unwrap_or(i.info.format))
        },
        formats,
        lines: totals.lines,
        parsed: totals.parsed,
        unrecognized: totals.unrecognized,
        other: totals.other,
        filtered: totals.filtered,
        first: i.first.map(fmt),
        last: i.last.map(fmt),
        unrecognized_examples: examples(&i.unrecognized),
        envelope_problems: totals.envelope_problems,
        envelope_problem_examples: examples(&i.envelope_problems),
    }
}
