//! The plain-language summary at the top of a report.

use logscan_parse::{Cause, Server, Severity};

use crate::Analyzer;
use crate::finish::{Built, observed_time};
use crate::incidents::RawIncident;
use crate::report::{Finding, Incident, Totals};
use crate::text::thousands;

/// Reason phrase of an HTTP status.
pub(crate) fn reason(status: u16) -> &'static str {
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
pub(crate) fn plain_cause(f: &Finding, observed: Option<f64>) -> String {
    let u = if f.upstream.is_empty() {
        "the backend".to_owned()
    } else {
        format!("the backend at {}", f.upstream)
    };
    let fastcgi = f.upstream.starts_with("unix:") || f.fix.summary.contains("fastcgi");
    let variant = |name: &str| f.variants.keys().any(|v| v.starts_with(name));
    match f.cause {
        Cause::UpstreamRefused => format!("{u} was not running (connection refused)"),
        Cause::UpstreamUnreachable => format!("{u} could not be reached over the network"),
        Cause::UpstreamTimeoutConnect => {
            format!("{u} did not accept connections in time (overloaded or blocked)")
        }
        Cause::UpstreamTimeoutRead => {
            let directive = if f.server == Server::Apache && variant("fcgid_busy") {
                "FcgidBusyTimeout"
            } else if f.server == Server::Apache && variant("fcgid_") {
                "FcgidIOTimeout"
            } else if f.fix.summary.contains("stream module") {
                "proxy_timeout"
            } else if f.server == Server::Apache {
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
        Cause::NoLiveUpstreams if variant("no_endpoints") => format!(
            "the Lua balancer (ingress-nginx, Kong, APISIX) had no ready endpoint for {}",
            if f.upstream.is_empty() {
                "the service"
            } else {
                &f.upstream
            }
        ),
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
        Cause::BufferedToDisk if variant("temp_path_error") => format!(
            "nginx could not write its temporary files{}",
            if f.upstream.is_empty() {
                String::new()
            } else {
                format!(" in {}", f.upstream)
            }
        ),
        Cause::BufferedToDisk => "responses were spooled to disk".to_owned(),
        Cause::ProxyConfigError => "the proxy configuration is wrong".to_owned(),
    }
}

pub(crate) fn summary(
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
        if f.server == Server::Apache {
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
