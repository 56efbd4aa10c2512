//! Fixes for edge findings: what the CDN or load balancer in front logged, with its own
//! settings named (HAProxy `timeout server`/`timeout connect`/`timeout queue`/`maxconn`,
//! the ALB idle timeout and the targets' keep-alive, CloudFront's origin connection and
//! response timeouts, Cloudflare's origin allow-list and SSL/TLS mode, the Google backend
//! service timeout), and what the join with the origin's logs found.
//!
//! Timing-based splits are stated as inferences: an ALB 504 that took 10 s is read as its
//! fixed connect timeout because the log gives no reason, and the text says so.

use logscan_parse::{Cause, Edge};

use crate::fix::{EdgeContext, FixContext};
use crate::report::Fix;
use crate::text::{human_seconds, thousands};

/// The product as the subject of a sentence.
fn subject(edge: Edge) -> &'static str {
    match edge {
        Edge::Haproxy => "HAProxy",
        Edge::AwsAlb => "The AWS load balancer",
        Edge::CloudFront => "CloudFront",
        Edge::Cloudflare => "Cloudflare",
        Edge::GcpLb => "The Google Cloud load balancer",
        _ => "The CDN or load balancer",
    }
}

/// "1 request" / "1,204 requests".
fn times(n: u64, singular: &str, plural: &str) -> String {
    if n == 1 {
        format!("1 {singular}")
    } else {
        format!("{} {plural}", thousands(n))
    }
}

/// "All 12 took 10.0 s" / "They took 1.0 s to 3.0 s (median 2.0 s)".
fn took_sentence(n: u64, took: Option<(f64, f64, f64)>) -> Option<String> {
    let (lo, mid, hi) = took?;
    // The sketch is accurate to 1 %: equal within that is the same time.
    Some(if hi - lo <= hi * 0.02 + 0.001 {
        if n == 1 {
            format!("It took {}", human_seconds(mid))
        } else {
            format!("All {} took {}", thousands(n), human_seconds(mid))
        }
    } else {
        format!(
            "They took {} to {} (median {})",
            human_seconds(lo),
            human_seconds(hi),
            human_seconds(mid)
        )
    })
}

/// What the join with the origin's logs says, as a sentence, or nothing.
fn reach_sentence(e: &EdgeContext) -> String {
    let Some((reached, never, unknown)) = e.reach else {
        return String::new();
    };
    let origin = e.origin_server.as_deref().unwrap_or("the origin");
    let decided = reached + never;
    if decided == 0 {
        return String::new();
    }
    let tail = if unknown > 0 {
        format!(" ({} could not be told)", thousands(unknown))
    } else {
        String::new()
    };
    if never == decided {
        format!(
            " None of them reached the origin: {origin}'s access log shows none of them arriving{tail}."
        )
    } else if reached == decided {
        format!(" All of them reached the origin ({origin}'s access log has each of them){tail}.")
    } else {
        format!(
            " {} of them never reached the origin ({origin}'s access log has no line for them); {} did{tail}.",
            thousands(never),
            thousands(reached)
        )
    }
}

/// The timeout an observed median shows, for texts ("observed 30.0 s").
fn observed(e: &EdgeContext) -> Option<String> {
    e.took.map(|(_, mid, _)| human_seconds(mid))
}

/// The fix for an edge finding.
pub(crate) fn fix(ctx: &FixContext, e: &EdgeContext) -> Fix {
    let edge = e.edge;
    let who = subject(edge);
    let cause = ctx.cause.unwrap_or(Cause::EdgeInternalError);
    let n = ctx.count;
    let when = &ctx.when;
    let u = if ctx.upstream.is_empty() {
        "the origin".to_owned()
    } else {
        ctx.upstream.clone()
    };
    // The origin as the subject of a sentence ("the origin app/nginx1"), never a
    // capitalised address.
    let the_origin = if ctx.upstream.is_empty() {
        "the origin".to_owned()
    } else {
        format!("the origin {}", ctx.upstream)
    };
    let code = ctx.variant.as_deref().unwrap_or("");
    let status = e.status.map(|s| format!(" ({s})")).unwrap_or_default();
    let took = took_sentence(n, e.took)
        .map(|t| format!(" {t}."))
        .unwrap_or_default();
    let reach = reach_sentence(e);
    let (summary, steps): (String, Vec<String>) = match (cause, edge) {
        (Cause::OriginErrorResponse, _) => {
            let origin_status = e
                .origin_status
                .or(e.status)
                .map(|s| format!(" {s}"))
                .unwrap_or_else(|| " 5xx".to_owned());
            let why = match &e.explained {
                Some(text) => format!(" The origin's own logs say why: {text}."),
                None => String::new(),
            };
            let mut steps = Vec::new();
            match &e.explained {
                Some(text) => steps.push(format!(
                    "Fix the origin first: {text} (its fix is in that finding). {who} only passed the answers on."
                )),
                None => steps.push(format!(
                    "Read the origin's error log for the same times ({when}): the answer came from the origin, not from {}. Give logscan the origin's logs too (e.g. `logscan <edge log> /var/log/nginx/`) to get the cause.",
                    edge_name(edge)
                )),
            }
            if edge == Edge::CloudFront {
                steps.push("If these are cached error pages (result type Hit), lower the error caching minimum TTL for 5xx in the distribution's custom error responses so a recovered origin is seen at once.".to_owned());
            }
            (
                format!(
                    "{the_origin} answered{origin_status} to {} {when} and {} passed {} on to visitors.{why}{took}",
                    times(n, "request", "requests"),
                    edge_name(edge),
                    if n == 1 { "it" } else { "them" }
                ),
                steps,
            )
        }
        (Cause::UpstreamRefused, Edge::Haproxy) => (
            format!(
                "HAProxy's connections to {u} were refused {when}: {} (termination state SC){status}. Nothing accepted connections there: the origin server was down, restarting, or listening on another address.{reach}{took}",
                times(n, "request failed", "requests failed")
            ),
            vec![
                format!("Check the origin behind {u}: is it running and listening on the address of its `server` line in haproxy.cfg (`ss -ltnp`)?"),
                "Give the servers health checks (`server ... check inter 2s fall 3 rise 2`) so HAProxy stops sending to a dead one, add a second server or a `backup`, and keep `retries` with `option redispatch` so a refused connection is retried elsewhere.".to_owned(),
            ],
        ),
        (Cause::UpstreamRefused, Edge::AwsAlb) => (
            format!(
                "The AWS load balancer got no response from target {u} for {} {when} (502, no target status). The log gives no reason for target failures: a fast 502 like these is a connection the target refused (nothing listening on the target port) or one the target closed while a request was outstanding (its keep-alive timeout shorter than the load balancer's idle timeout).{reach}{took}",
                times(n, "request", "requests")
            ),
            vec![
                "Check the targets: `aws elbv2 describe-target-health --target-group-arn <arn>` and, on the target, that the application listens on the target port (`ss -ltnp`).".to_owned(),
                "Make the target's keep-alive timeout longer than the load balancer's idle timeout (default 60 s): nginx `keepalive_timeout 75s;`, Apache `KeepAliveTimeout 75`, Node `server.keepAliveTimeout = 75000`.".to_owned(),
                "During deploys, register new targets before deregistering old ones and keep the deregistration delay longer than the slowest request.".to_owned(),
            ],
        ),
        (Cause::UpstreamRefused, Edge::CloudFront) => (
            format!(
                "CloudFront could not connect to the origin {} {when} (OriginConnectError{status}).{reach}{took}",
                times(n, "time", "times")
            ),
            vec![
                "Check that the origin answers from the internet on the origin protocol's port (HTTP 80 / HTTPS 443 in the origin settings) and that its firewall or security group lets CloudFront in (AWS managed prefix list `com.amazonaws.global.cloudfront.origin-facing`).".to_owned(),
                "For HTTPS origins: the origin's certificate must be valid and match the origin domain name CloudFront connects to, with a protocol and cipher CloudFront supports.".to_owned(),
            ],
        ),
        (Cause::UpstreamRefused, Edge::Cloudflare) => (
            format!(
                "Cloudflare's connections to your origin {u} were refused {} {when} (521 Web Server Is Down).{reach}{took}",
                times(n, "time", "times")
            ),
            vec![
                format!("Check that the web server at {u} runs and listens on 80/443 (`ss -ltnp`)."),
                "Allow Cloudflare's IP ranges (https://www.cloudflare.com/ips/) in the origin's firewall, security plugins and rate limiters: a refused connection from them is a 521.".to_owned(),
            ],
        ),
        (Cause::UpstreamRefused, Edge::GcpLb) => (
            format!(
                "The Google Cloud load balancer could not connect to backend {u} {} {when} (failed_to_connect_to_backend).{reach}{took}",
                times(n, "time", "times")
            ),
            vec![
                "Check the backends' health: `gcloud compute backend-services get-health <backend service> --global`.".to_owned(),
                "Check that a firewall rule allows 130.211.0.0/22 and 35.191.0.0/16 (the load balancer and its health checks) to the backends' serving port, and that the named port matches it.".to_owned(),
            ],
        ),
        (Cause::UpstreamTimeoutConnect, edge) => {
            let (what, setting) = match edge {
                Edge::Haproxy => ("`timeout connect` expired (termination state sC)", "Keep `timeout connect` short (a few seconds) with `retries` and `option redispatch`, and health checks so a server that stops accepting is taken out."),
                Edge::AwsAlb => ("the target did not accept the connection within the load balancer's connection timeout, which is fixed at 10 s", "Check that the targets' security group allows the load balancer's security group on the target port, and that the subnet's network ACLs allow the return traffic on ephemeral ports (1024-65535)."),
                Edge::CloudFront => ("the origin did not accept the connection within the origin connection timeout (10 s by default, 1-10) and its attempts (3 by default)", "Lower the connection timeout and attempts in the origin settings only together with an origin group that fails over to a second origin."),
                Edge::Cloudflare => ("Cloudflare got no answer to its connection attempts within 19 s (522 Connection Timed Out)", "Allow Cloudflare's IP ranges (https://www.cloudflare.com/ips/) through every firewall in front of the origin: a dropped SYN is a 522; check that the DNS record points at the right origin IP."),
                Edge::GcpLb => ("connecting to the backend timed out (failed_to_connect_to_backend, slow)", "Check the firewall rules for 130.211.0.0/22 and 35.191.0.0/16 and the backends' load."),
                _ => ("connecting to the origin timed out", "Check the firewalls between the edge and the origin, and the origin's load."),
            };
            let by_time = if code.contains("by_time") || edge == Edge::GcpLb {
                " (read from how long they took: the log gives no reason)"
            } else {
                ""
            };
            (
                format!(
                    "Connecting to {u} timed out {} {when}: {what}{by_time}.{took}{reach} Usually the origin's accept queue is full (overloaded) or a firewall drops the packets.",
                    times(n, "time", "times")
                ),
                {
                    let check = format!("Check whether {u} accepts connections at all and how loaded it is (`ss -ltn`: a Recv-Q at the backlog means a full accept queue).");
                    // In front of a cloud origin the usual culprit is a firewall: first.
                    if edge == Edge::Haproxy {
                        vec![check, setting.to_owned()]
                    } else {
                        vec![setting.to_owned(), check]
                    }
                },
            )
        }
        (Cause::UpstreamTimeoutRead, edge) => {
            let observed = observed(e).unwrap_or_else(|| "the timeout".to_owned());
            let (what, raise) = match edge {
                Edge::Haproxy => (
                    format!("`timeout server` ({observed} here) expired before the server sent its response headers (termination state sH)"),
                    "Raise `timeout server` only in the backend (or for the paths) that legitimately need longer, and keep the origin's own timeouts (nginx `proxy_read_timeout`, PHP `max_execution_time`) below it so the origin, not HAProxy, cuts off.".to_owned(),
                ),
                Edge::AwsAlb => (
                    format!("the target did not answer within the load balancer's idle timeout ({observed}; 60 s by default). The log gives no reason: this is read from how long they took"),
                    "Only if the endpoint is legitimately slow: raise the idle timeout (`aws elbv2 modify-load-balancer-attributes --load-balancer-arn <arn> --attributes Key=idle_timeout.timeout_seconds,Value=<s>`) and keep the targets' keep-alive timeout above it.".to_owned(),
                ),
                Edge::CloudFront => (
                    format!("the origin did not answer within the origin response timeout ({observed}; 30 s by default, 1-60)"),
                    "Only if the endpoint is legitimately slow: raise the origin response timeout in the origin settings (up to 60 s; more needs a quota increase).".to_owned(),
                ),
                Edge::Cloudflare => (
                    format!("the origin accepted the connection but sent no response before Cloudflare's Proxy Read Timeout ({observed} here; 100 s by default) (524 A Timeout Occurred)"),
                    "Move long work out of the request (a background job the page polls), or on Enterprise plans raise the Proxy Read Timeout; check `OriginResponseDurationMs` of the slow requests.".to_owned(),
                ),
                Edge::GcpLb => (
                    format!("the backend did not answer within the backend service timeout ({observed}; 30 s by default) (backend_timeout)"),
                    "Only if the endpoint is legitimately slow: `gcloud compute backend-services update <backend service> --global --timeout=<s>`.".to_owned(),
                ),
                _ => (
                    format!("the origin did not answer within the edge's timeout ({observed})"),
                    "Only if the endpoint is legitimately slow: raise the edge's origin timeout, and keep the origin's own timeouts below it.".to_owned(),
                ),
            };
            let endpoint = ctx
                .endpoint
                .as_ref()
                .map(|e| format!(" Slowest hit: {e}."))
                .unwrap_or_default();
            (
                format!(
                    "{the_origin} answered too slowly {} {when}: {what}.{took}{reach}",
                    times(n, "time", "times")
                ),
                vec![
                    format!("Find out why {u} is slow for these requests: the origin's own logs for the same times (a 499 in nginx's access log means {} gave up first).{endpoint}", edge_name(edge)),
                    raise,
                ],
            )
        }
        (Cause::UpstreamQueueTimeout, _) => (
            format!(
                "{} waited in HAProxy's queue for {u} longer than `timeout queue` and were answered 503 {when} (termination state sQ): every server had reached its `maxconn`.{took}{reach}",
                times(n, "request", "requests")
            ),
            vec![
                format!("Check how busy {u} is: HAProxy's `srv_conn` and queue counters in the log lines, and the origin's response times; a slow origin holds its `maxconn` slots longer."),
                "If the origin can take more concurrent requests, raise the server's `maxconn`; else add servers or speed up the origin. `timeout queue` only decides how long a visitor waits before the 503.".to_owned(),
            ],
        ),
        (Cause::NoLiveUpstreams, edge) => {
            let (what, steps) = match edge {
                Edge::Haproxy => (
                    format!("no server of backend {u} was up (server <NOSRV>): health checks had marked them all DOWN"),
                    vec![
                        "Read HAProxy's \"Server ... is DOWN\" lines for why (the reason and the check's info), and check the servers themselves.".to_owned(),
                        "Add a `backup` server or a maintenance page (`errorfile 503`), and make the health check test what matters (`option httpchk GET /health`).".to_owned(),
                    ],
                ),
                Edge::AwsAlb => (
                    format!("the target group {u} had no registered or healthy targets (503)"),
                    vec![
                        "Check `aws elbv2 describe-target-health --target-group-arn <arn>` and the Auto Scaling group or ECS service that registers targets.".to_owned(),
                        "Check the health check path, port and thresholds of the target group, and that the targets' security group allows the health checks.".to_owned(),
                    ],
                ),
                _ => (
                    format!("no healthy backend was left in {u}"),
                    vec![
                        "Check the backends' health (`gcloud compute backend-services get-health <backend service> --global`) and the health check's firewall rule (130.211.0.0/22, 35.191.0.0/16).".to_owned(),
                        "Check the backends' capacity settings (max rate, max utilization) and the instance groups' size.".to_owned(),
                    ],
                ),
            };
            (
                format!(
                    "{who} had nowhere to send {} {when}: {what}.{reach}",
                    times(n, "request", "requests")
                ),
                steps,
            )
        }
        (Cause::DnsResolution, edge) => (
            format!(
                "{who} could not resolve the origin's name {} {when} ({}).",
                times(n, "time", "times"),
                if code.is_empty() { "DNS" } else { code }
            ),
            vec![match edge {
                Edge::Cloudflare => "Check the DNS record of the hostname in Cloudflare: a CNAME to a name that does not resolve gives 530 with error 1016 (Origin DNS error).".to_owned(),
                _ => "Check the origin domain name in the distribution's origin settings: `dig <origin domain>` must return an address from the public internet.".to_owned(),
            }],
        ),
        (Cause::UpstreamUnreachable, _) => (
            format!(
                "{who} could not reach the origin {u} {} {when} (523 Origin Is Unreachable): no route to it.{reach}",
                times(n, "time", "times")
            ),
            vec!["Check the DNS record's address (an old or private IP) and the routing to it; on AWS, that the route tables do not send 172.64.0.0/13 elsewhere.".to_owned()],
        ),
        (Cause::TlsToUpstream, edge) => (
            format!(
                "The TLS handshake between {} and the origin {u} failed {} {when} ({}).{reach}",
                edge_name(edge),
                times(n, "time", "times"),
                if code.is_empty() { "TLS" } else { code }
            ),
            match edge {
                Edge::Cloudflare => vec![
                    "525: the origin does not complete a handshake on 443 (no TLS there, no SNI support, no common cipher); 526: its certificate is invalid for Full (strict) mode (expired, self-signed, another name).".to_owned(),
                    "Install a valid certificate for the hostname on the origin (a Cloudflare Origin CA certificate works with Full (strict)); the SSL/TLS encryption mode decides what Cloudflare accepts.".to_owned(),
                ],
                _ => vec![
                    "Check the backend's certificate against the name the load balancer connects to: `openssl s_client -connect <backend>:443 -servername <name>`.".to_owned(),
                    "Renew or replace expired or mismatched certificates; check the backend's TLS protocols and ALPN.".to_owned(),
                ],
            },
        ),
        (Cause::UpstreamClosedEarly | Cause::UpstreamReset, edge) => {
            let what = if cause == Cause::UpstreamClosedEarly {
                "closed the connection before sending a complete response"
            } else {
                "reset the connection or broke off the response"
            };
            let keepalive = match edge {
                Edge::Haproxy => "If it happens on reused connections, keep the origin's keep-alive timeout longer than HAProxy's idle use of them (`timeout http-keep-alive`, `http-reuse`).",
                Edge::AwsAlb => "Keep the target's keep-alive timeout longer than the load balancer's idle timeout (default 60 s).",
                Edge::GcpLb => "Keep the backend's keep-alive timeout longer than 600 s: the load balancer reuses connections for up to 10 minutes.",
                _ => "Keep the origin's keep-alive timeout longer than the edge's (CloudFront's origin keep-alive timeout is 5 s by default).",
            };
            (
                format!(
                    "{the_origin} {what} {} {when}{}.{reach}{took}",
                    times(n, "time", "times"),
                    if code.is_empty() { String::new() } else { format!(" ({code})") }
                ),
                vec![
                    format!("Look at the origin's own logs at the same seconds ({when}) for a crash, a kill or a timeout."),
                    keepalive.to_owned(),
                ],
            )
        }
        (Cause::BadUpstreamResponse | Cause::HeaderTooBig, edge) => (
            format!(
                "{who} rejected the origin's response {} {when}{}: it was invalid, incomplete or too large.{reach}",
                times(n, "time", "times"),
                if code.is_empty() { String::new() } else { format!(" ({code})") }
            ),
            vec![
                format!("Fetch the same URL from the origin directly (`curl -sv http://<origin>/<path> -o /dev/null`) and look at the status line and headers."),
                match edge {
                    Edge::Cloudflare => "520: an empty or invalid response, headers over 128 KB (often cookies), or the origin crashing mid-response.".to_owned(),
                    Edge::Haproxy => "PH/PD: an invalid header name or broken chunking from the origin; `option accept-invalid-http-response` only hides it.".to_owned(),
                    _ => "Reduce the response headers (cookies) and fix the application's HTTP framing (Content-Length, Transfer-Encoding).".to_owned(),
                },
            ],
        ),
        (Cause::EdgeFunctionError, edge) => (
            format!(
                "{}'s function failed {} {when}{}.",
                edge_name(edge),
                times(n, "time", "times"),
                if code.is_empty() { String::new() } else { format!(" ({code})") }
            ),
            vec![
                match edge {
                    Edge::Cloudflare => "Read the Worker's errors: `wrangler tail`, the Workers metrics (exceptions, CPU time exceeded).".to_owned(),
                    Edge::CloudFront => "Read the Lambda@Edge function's logs in CloudWatch Logs of the region nearest the edge location, and its errors and throttles metrics.".to_owned(),
                    _ => "Read the Lambda function's CloudWatch Logs and its errors, duration and throttles metrics.".to_owned(),
                },
                "Throttling: raise the function's reserved concurrency; a response over the limit (1 MB for a load balancer's Lambda target): return less; a timeout: speed the function up or raise its timeout.".to_owned(),
            ],
        ),
        (Cause::EdgeInternalError, edge) => (
            format!(
                "{who} answered 5xx itself {} {when}{}: the failure is in {}, not in the origin.{reach}",
                times(n, "time", "times"),
                if code.is_empty() { String::new() } else { format!(" ({code})") },
                edge_name(edge)
            ),
            vec![match edge {
                Edge::Haproxy => "Check HAProxy's configuration for rules that answer 5xx themselves (`http-request return`, `errorfile`) and its own messages; an internal error (state I) is a bug: upgrade.".to_owned(),
                Edge::AwsAlb => "Check the load balancer's AWS WAF web ACL and authenticate actions (the identity provider must be reachable), and the AWS Health Dashboard.".to_owned(),
                Edge::CloudFront => "Check the AWS Health Dashboard; CapacityExceeded is the edge's own capacity and passes, if it persists, contact AWS Support.".to_owned(),
                Edge::Cloudflare => "Check https://www.cloudflarestatus.com/ for the time and the zone's rules and Workers; an unbranded 502/504 with no origin response is Cloudflare's side.".to_owned(),
                Edge::GcpLb => "Transient load balancer errors (retriable_error, internal_error) pass; config_not_found right after a URL map change waits for the change to propagate.".to_owned(),
                _ => "Check the provider's status page for the time, and the edge's own rules.".to_owned(),
            }],
        ),
        (Cause::ClientAbort, edge) => (
            format!(
                "Visitors closed {} before {} answered {when}{}.{took}",
                times(n, "connection", "connections"),
                edge_name(edge),
                if code.is_empty() { String::new() } else { format!(" ({code})") }
            ),
            vec![
                "Usually a symptom of slow responses: compare with how long the same endpoints take.".to_owned(),
                "If the clients are another proxy or an app with a short timeout, align its timeout with the edge's.".to_owned(),
            ],
        ),
        (Cause::RateLimited, edge) => (
            format!(
                "{who} rejected {} by a limit {when}{}.",
                times(n, "request", "requests"),
                if code.is_empty() { String::new() } else { format!(" ({code})") }
            ),
            vec![match edge {
                Edge::GcpLb => "Check the Cloud Armor security policy's rate-limiting rules.".to_owned(),
                Edge::CloudFront => "LimitExceeded: a CloudFront quota was reached; request a quota increase.".to_owned(),
                _ => "Check the tarpit/deny rules (`http-request tarpit`) and whether these clients should be limited.".to_owned(),
            }],
        ),
        (Cause::FdExhaustion, _) => (
            format!(
                "HAProxy reached its socket limit {} {when} (termination state PC).",
                times(n, "time", "times")
            ),
            vec!["Raise the global `maxconn` (HAProxy sizes its file descriptor limit from it) and check `ulimit-n` or systemd `LimitNOFILE=` if set by hand.".to_owned()],
        ),
        (Cause::EphemeralPorts, _) => (
            format!(
                "HAProxy ran out of a local resource connecting to {u} {} {when} (termination state RC): usually source ports.",
                times(n, "time", "times")
            ),
            vec![
                "Check the system log for HAProxy's precise error (`no free ports`, memory).".to_owned(),
                "Widen `net.ipv4.ip_local_port_range`, reuse server connections (`http-reuse safe`, the default), or give servers several `source` addresses.".to_owned(),
            ],
        ),
        (cause, edge) => (
            format!(
                "{} {} {when}: {}.",
                edge_name(edge),
                times(n, "failure", "failures"),
                cause.title()
            ),
            vec!["Read the example lines below.".to_owned()],
        ),
    };
    Fix {
        summary: capitalized(summary),
        steps,
    }
}

/// The product as an object in a sentence.
fn edge_name(edge: Edge) -> &'static str {
    edge.name()
}

fn capitalized(mut text: String) -> String {
    if let Some(first) = text.chars().next().filter(char::is_ascii_lowercase) {
        text.replace_range(..1, &first.to_ascii_uppercase().to_string());
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(cause: Cause, edge: Edge, upstream: &str) -> (FixContext, EdgeContext) {
        (
            FixContext {
                cause: Some(cause),
                upstream: upstream.to_owned(),
                count: 412,
                when: "between 14:02:11 and 14:07:40".to_owned(),
                ..FixContext::default()
            },
            EdgeContext {
                edge,
                status: Some(504),
                took: Some((10.0, 10.0, 10.02)),
                ..EdgeContext::default()
            },
        )
    }

    /// Each edge names its own settings for its timeouts.
    #[test]
    fn timeouts_name_the_edges_own_settings() {
        let cases = [
            (
                Cause::UpstreamTimeoutRead,
                Edge::Haproxy,
                "`timeout server`",
            ),
            (
                Cause::UpstreamTimeoutConnect,
                Edge::Haproxy,
                "`timeout connect`",
            ),
            (
                Cause::UpstreamQueueTimeout,
                Edge::Haproxy,
                "`timeout queue`",
            ),
            (Cause::UpstreamQueueTimeout, Edge::Haproxy, "`maxconn`"),
            (Cause::UpstreamTimeoutRead, Edge::AwsAlb, "idle timeout"),
            (Cause::UpstreamRefused, Edge::AwsAlb, "keep-alive timeout"),
            (Cause::UpstreamTimeoutConnect, Edge::AwsAlb, "fixed at 10 s"),
            (
                Cause::UpstreamTimeoutRead,
                Edge::CloudFront,
                "origin response timeout",
            ),
            (
                Cause::UpstreamTimeoutConnect,
                Edge::CloudFront,
                "origin connection timeout",
            ),
            (
                Cause::UpstreamRefused,
                Edge::Cloudflare,
                "https://www.cloudflare.com/ips/",
            ),
            (
                Cause::TlsToUpstream,
                Edge::Cloudflare,
                "SSL/TLS encryption mode",
            ),
            (
                Cause::UpstreamTimeoutRead,
                Edge::Cloudflare,
                "Proxy Read Timeout",
            ),
            (
                Cause::UpstreamTimeoutRead,
                Edge::GcpLb,
                "backend service timeout",
            ),
        ];
        for (cause, edge, needle) in cases {
            let (c, e) = ctx(cause, edge, "10.0.1.15:8080");
            let f = fix(&c, &e);
            let text = format!("{} {}", f.summary, f.steps.join(" "));
            assert!(text.contains(needle), "{cause:?}/{edge:?}: {text}");
            assert!(
                f.summary.contains("412") && f.summary.contains("14:02:11"),
                "{}",
                f.summary
            );
        }
    }

    /// A split made from timing alone says so, with the time.
    #[test]
    fn timing_inferences_are_stated() {
        let (mut c, e) = ctx(
            Cause::UpstreamTimeoutConnect,
            Edge::AwsAlb,
            "10.0.1.15:8080",
        );
        c.variant = Some("connect_timeout_by_time".into());
        let f = fix(&c, &e);
        assert!(f.summary.contains("All 412 took 10.0 s"), "{}", f.summary);
        assert!(
            f.summary.contains("the log gives no reason"),
            "{}",
            f.summary
        );
    }

    #[test]
    fn the_join_is_told() {
        let (c, mut e) = ctx(
            Cause::UpstreamTimeoutConnect,
            Edge::Cloudflare,
            "203.0.113.7",
        );
        e.reach = Some((0, 412, 0));
        e.origin_server = Some("nginx".into());
        let f = fix(&c, &e);
        assert!(
            f.summary
                .contains("nginx's access log shows none of them arriving"),
            "{}",
            f.summary
        );
        let (c, mut e) = ctx(Cause::OriginErrorResponse, Edge::Haproxy, "app/nginx1");
        e.origin_status = Some(502);
        e.explained = Some("nginx's upstream_refused at 127.0.0.1:19101 (finding #1)".into());
        let f = fix(&c, &e);
        assert!(
            f.summary
                .contains("The origin app/nginx1 answered 502 to 412 requests"),
            "{}",
            f.summary
        );
        assert!(f.steps[0].contains("finding #1"), "{:?}", f.steps);
        let (c, e) = ctx(Cause::OriginErrorResponse, Edge::CloudFront, "");
        let f = fix(&c, &e);
        assert!(
            f.steps[0].contains("Give logscan the origin's logs"),
            "{:?}",
            f.steps
        );
    }

    /// Every cause an edge reports has a fix that names the count and the time.
    #[test]
    fn every_edge_cause_has_a_fix() {
        for edge in Edge::ALL {
            for cause in Cause::ALL {
                let (c, e) = ctx(cause, edge, "origin.example:443");
                let f = fix(&c, &e);
                assert!(
                    f.summary.contains("412") && !f.steps.is_empty(),
                    "{cause:?}/{edge:?}"
                );
            }
        }
    }
}
