//! Cross-log correlation: what PHP-FPM logged in the same seconds turns the web server's
//! FastCGI timeouts and resets into pool exhaustion, PHP timeouts or crashes, FPM lines
//! that echo a web-server finding become its evidence, and the errors just before the
//! first `no live upstreams` are named as its trigger.

use logscan_parse::{Cause, Server, Severity};

use crate::Analyzer;
use crate::report::Trigger;
use crate::series::Series;
use crate::state::{Group, group_hash};
use crate::text::thousands;

pub(crate) struct FpmNotes {
    pub(crate) max_children: Option<u64>,
}

/// Reinterprets web-server errors with what PHP-FPM logged at the same time: fastcgi
/// timeouts while the pool was exhausted are pool exhaustion; a premature close or reset
/// right after FPM killed a child is a PHP timeout or a crash.
pub(crate) fn correlate_fpm(groups: &mut Vec<Group>, a: &mut Analyzer) -> FpmNotes {
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
            // `>=`: a group read from a crafted state file can hold more in its series
            // than its count says; that is the whole group too, never a subtraction below 0.
            let mut new = if n >= g.count {
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
pub(crate) fn absorb_fpm_echoes(groups: &mut Vec<Group>, a: &mut Analyzer) {
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
pub(crate) fn extend_windows(
    windows: &[(i64, i64)],
    series: &Series,
    extend: bool,
) -> Vec<(i64, i64)> {
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

pub(crate) fn is_fastcgi(g: &Group) -> bool {
    g.protocols.keys().any(|p| p == "fastcgi" || p == "fcgi")
        || (g.protocols.is_empty() && g.key.upstream.starts_with("unix:"))
}

pub(crate) fn max_children_from(groups: &[Group]) -> Option<u64> {
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

pub(crate) fn context_retry(a: &Analyzer) -> Option<u64> {
    let (_, examples) = a.context.get(&Cause::NoLiveUpstreams)?;
    examples.items().iter().find_map(|e| {
        let after = e.text.rsplit(" for ").next()?;
        after.trim_end_matches('s').trim().parse().ok()
    })
}

pub(crate) fn find_trigger(group: &Group, groups: &[Group], a: &Analyzer) -> Option<Trigger> {
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
