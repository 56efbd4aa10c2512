//! The plain-language summary at the top of a report.

use logscan_parse::{Cause, Server, Severity};

use crate::Analyzer;
use crate::finish::{Built, observed_time};
use crate::incidents::RawIncident;
use crate::report::{Finding, Incident, Layer, Totals};
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
        // Cloudflare's own codes (cloudflare-docs, cloudflare-5xx-errors).
        520 => "Web Server Returned an Unknown Error",
        521 => "Web Server Is Down",
        522 => "Connection Timed Out",
        523 => "Origin Is Unreachable",
        524 => "A Timeout Occurred",
        525 => "SSL Handshake Failed",
        526 => "Invalid SSL Certificate",
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
        Cause::OriginErrorResponse => format!("{u} answered them with errors"),
        Cause::EdgeInternalError => "the CDN or load balancer failed itself".to_owned(),
        Cause::EdgeFunctionError => "an edge function failed".to_owned(),
        Cause::UpstreamQueueTimeout => {
            format!("requests waited too long in the proxy's queue for {u}")
        }
        other => other.title().to_lowercase(),
    }
}

/// Why, in plain words, for an edge finding: what the CDN or load balancer could not do,
/// and what the origin's logs add.
pub(crate) fn plain_edge_cause(f: &Finding) -> String {
    let origin = if f.upstream.is_empty() {
        "the origin".to_owned()
    } else {
        format!("the origin {}", f.upstream)
    };
    let observed = f
        .took
        .as_ref()
        .map(|q| format!(" ({})", crate::text::human_seconds(q.p50)))
        .unwrap_or_default();
    let why = match f.cause {
        Cause::UpstreamRefused => format!("{origin} refused its connections"),
        Cause::UpstreamTimeoutConnect => {
            format!("it could not connect to {origin} in time{observed}")
        }
        Cause::UpstreamTimeoutRead => {
            format!("{origin} did not answer within its timeout{observed}")
        }
        Cause::UpstreamQueueTimeout => {
            format!("requests waited too long in its queue for {origin}{observed}")
        }
        Cause::NoLiveUpstreams => format!(
            "no healthy server was left{}",
            if f.upstream.is_empty() {
                String::new()
            } else {
                format!(" in {}", f.upstream)
            }
        ),
        Cause::DnsResolution => "it could not resolve the origin's name".to_owned(),
        Cause::TlsToUpstream => format!("the TLS handshake with {origin} failed"),
        Cause::UpstreamUnreachable => format!("{origin} was unreachable"),
        Cause::UpstreamClosedEarly | Cause::UpstreamReset => {
            format!("{origin} closed or reset its connections")
        }
        Cause::BadUpstreamResponse | Cause::HeaderTooBig => {
            format!("{origin} sent responses it rejected")
        }
        Cause::EdgeInternalError => "it failed itself".to_owned(),
        Cause::EdgeFunctionError => "its function failed".to_owned(),
        Cause::OriginErrorResponse => format!("{origin} answered them with errors"),
        Cause::ClientAbort => "visitors gave up waiting".to_owned(),
        Cause::RateLimited => "its limits rejected them".to_owned(),
        other => other.title().to_ascii_lowercase(),
    };
    let joined = match &f.origin {
        Some(o) if o.never_reached > 0 && o.reached == 0 => format!(
            "; {}'s access log shows none of them arriving",
            o.server.as_deref().unwrap_or("the origin")
        ),
        Some(o) if o.reached > 0 && o.statuses.get("499").is_some_and(|n| *n * 2 >= o.reached) => {
            format!(
                "; {} logged them as 499: it was still working when the edge gave up",
                o.server.as_deref().unwrap_or("the origin")
            )
        }
        _ => String::new(),
    };
    let explained = match f.explained_by {
        Some(rank) => format!(" (the origin's logs explain it: finding #{rank})"),
        None => String::new(),
    };
    format!("{why}{joined}{explained}")
}

/// The edge product as the subject of the summary.
fn edge_subject(f: &Finding) -> &'static str {
    match f.edge.as_deref().and_then(logscan_parse::Edge::from_id) {
        Some(logscan_parse::Edge::Haproxy) => "HAProxy",
        Some(logscan_parse::Edge::AwsAlb) => "the AWS load balancer",
        Some(logscan_parse::Edge::CloudFront) => "CloudFront",
        Some(logscan_parse::Edge::Cloudflare) => "Cloudflare",
        Some(logscan_parse::Edge::GcpLb) => "the Google Cloud load balancer",
        Some(_) | None => "the CDN or load balancer",
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
        if f.layer == Layer::Edge {
            let span = if from == to {
                format!("at {from}")
            } else if first {
                format!("between {from} and {to}")
            } else {
                format!("until {to}")
            };
            let what = match status {
                Some(s) => format!("{} × {s} {}", thousands(count), reason(s))
                    .trim_end()
                    .to_owned(),
                None => format!("{} failures", thousands(count)),
            };
            return format!(
                "{} answered {what} {span} because {}",
                edge_subject(f),
                plain_edge_cause(f)
            );
        }
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
            // The incident's leading cause, skipping edge findings an origin finding
            // explains (they are told as passed on, below).
            let Some(f) = inc.causes.iter().find_map(|cause| {
                findings.iter().find(|f| {
                    f.cause == *cause
                        && inc.findings.contains(&f.rank)
                        && f.explained_by.is_none()
                        && !edge_gave_up_first(f, findings)
                })
            }) else {
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
        for f in real
            .iter()
            .filter(|f| f.explained_by.is_none() && !edge_gave_up_first(f, findings))
            .take(2)
        {
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
    let origin_first = parts_led_by_origin(findings, incidents);
    let lead = if totals.requests > 0
        && origin_first
        && findings
            .iter()
            .any(|f| f.affected_requests.unwrap_or(0) > 0)
    {
        "Visitors got "
    } else {
        ""
    };
    let mut text = format!("{lead}{}", parts.join("; then "));
    // The edge findings an origin finding of the summary explains: the edge passed them on.
    let passed_on: Vec<String> = findings
        .iter()
        .filter(|f| f.layer == Layer::Edge && f.explained_by.is_some_and(|r| r <= 3))
        .take(2)
        .map(|f| {
            let status = f
                .statuses
                .iter()
                .max_by_key(|(_, n)| **n)
                .map(|(s, _)| format!(" {s}"))
                .unwrap_or_default();
            format!(
                "{} passed {} of these on to visitors as{status}",
                edge_subject(f),
                thousands(f.count)
            )
        })
        .collect();
    if let Some(first) = text.get(..1) {
        let upper = first.to_uppercase();
        text.replace_range(..1, &upper);
    }
    text.push('.');
    for sentence in passed_on {
        let mut sentence = sentence;
        if let Some(first) = sentence.get(..1) {
            let upper = first.to_uppercase();
            sentence.replace_range(..1, &upper);
        }
        text.push_str(&format!(" {sentence}."));
    }
    if let Some(top) = real.first() {
        text.push_str(&format!(
            " First thing to do: {}",
            top.fix.steps.first().cloned().unwrap_or_default()
        ));
    }
    text
}

/// Whether the summary starts with an origin finding (it then reads "Visitors got ...";
/// an edge finding names the edge instead).
fn parts_led_by_origin(findings: &[Finding], incidents: &[Incident]) -> bool {
    let lead = incidents
        .first()
        .and_then(|inc| {
            inc.causes.iter().find_map(|cause| {
                findings.iter().find(|f| {
                    f.cause == *cause && inc.findings.contains(&f.rank) && f.explained_by.is_none()
                })
            })
        })
        .or_else(|| {
            findings
                .iter()
                .find(|f| f.severity > Severity::Low && f.explained_by.is_none())
        });
    lead.is_none_or(|f| f.layer == Layer::Origin)
}

/// An origin `client_abort` finding whose 499s are requests an edge finding gave up on
/// first: the edge's timeout is the story, not the clients.
pub(crate) fn edge_gave_up_first(f: &Finding, findings: &[Finding]) -> bool {
    f.layer == Layer::Origin
        && f.cause == Cause::ClientAbort
        && findings.iter().any(|e| {
            e.layer == Layer::Edge
                && e.origin
                    .as_ref()
                    .is_some_and(|o| o.statuses.get("499").is_some_and(|n| *n > 0))
        })
}
