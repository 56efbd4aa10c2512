//! Which cause an edge 5xx (or client abort) is, product by product.
//!
//! The edge logs what it saw of the origin; a failure is one of four kinds:
//! it could not reach the origin (refused, unreachable, DNS, TLS, no healthy origin), it gave
//! up waiting (connect, read or queue timeout), it failed itself (its own error, a function
//! or WAF it runs), or the origin answered 5xx and the edge passed it on
//! ([`Cause::OriginErrorResponse`]: the explanation is in the origin's logs). Statuses
//! below 500 are not failures, except the client aborts each product logs (ALB 460 and
//! `000`, CloudFront `000` and its `Client*` result types, Cloudflare 499, HAProxy's `C`/`c`
//! termination states, Google's `client_*` details).
//!
//! Evidence for every row (sources as read; "inferred" marks a split the log does not make
//! itself, stated as an inference in the finding):
//!
//! | product | signal | cause | source and what it says |
//! |---|---|---|---|
//! | HAProxy | `SC` + server | `upstream_refused` | configuration.txt §8.5: "explicitly refused the TCP connection (the proxy received a TCP RST or an ICMP message)" |
//! | HAProxy | `SC` + `<NOSRV>` | `no_live_upstreams` | §8.2.3: `<NOSRV>` "if the request was aborted before reaching a server"; a 503 with no server means none was available |
//! | HAProxy | `sC` | `upstream_timeout_connect` | §8.5: "The \"timeout connect\" stroke before a connection to the server could complete" |
//! | HAProxy | `SH` | `upstream_closed_early` | §8.5: "The server aborted before sending its full HTTP response headers, or it crashed" |
//! | HAProxy | `sH` | `upstream_timeout_read` | §8.5: "The \"timeout server\" stroke before the server could return its response headers" |
//! | HAProxy | `SD` / `sD` | `upstream_reset` / `upstream_timeout_read` (body: truncated) | §8.5: RST "during the data transfer" / "timeout server" in the data phase |
//! | HAProxy | `sQ` | `upstream_queue_timeout` | §8.5: "The session spent too much time in queue and has been expired" (`timeout queue`) |
//! | HAProxy | `PH`, `PD` | `bad_upstream_response` | §8.5: "blocked the server's response, because it was invalid"; "incorrectly formatted chunked encoded message" |
//! | HAProxy | `PC` / `RC` | `fd_exhaustion` / `ephemeral_ports` | §8.5: "the process's socket limit has been reached"; "A local resource has been exhausted (memory, sockets, source ports)" |
//! | HAProxy | `PR` + 500 / `PT` | `proxy_config_error` / `rate_limited` | §8.5: "HTTP header rewrite failure ... an HTTP 500"; tarpitted "before returning it a 500" |
//! | HAProxy | `I`, `K`, `U`, `L` + 5xx / `D` | `edge_internal_error` / `upstream_reset` | §8.5: internal error, killed by admin, locally processed; `D`: "killed ... because the server was detected as down" |
//! | HAProxy | `C`/`c` before the response | `client_abort` | §8.5 `CR`, `cR`, `CQ`, `CC`, `CH`, `cH`, `CT` |
//! | HAProxy | `--` + 5xx from a server | `origin_error_response` | §8.2.3: "status_code ... is generally set by the server" |
//! | ALB | `target_status_code` numeric, 5xx | `origin_error_response` | load-balancer-access-logs: recorded "only if a connection was established to the target and the target sent a response"; troubleshooting: the LB "forwards valid HTTP responses from targets ... including HTTP errors" |
//! | ALB | 502, target, no target status | `upstream_refused` (inferred) | troubleshooting 502: "The load balancer received a TCP RST from the target when attempting to establish a connection", also "target closed the connection with a TCP RST or a TCP FIN while the load balancer had an outstanding request" (no reason field tells them apart) |
//! | ALB | 503 | `no_live_upstreams` | troubleshooting 503: "The target groups for the load balancer have no registered targets" |
//! | ALB | 504, ~10 s | `upstream_timeout_connect` (inferred) | troubleshooting 504: "failed to establish a connection to the target before the connection timeout expired (10 seconds)" |
//! | ALB | 504, other times | `upstream_timeout_read` (inferred) | troubleshooting 504: "established a connection to the target but the target did not respond before the idle timeout period elapsed" |
//! | ALB | `Lambda*` error_reason | `edge_function_error` | load-balancer-access-logs, error reason codes for Lambda targets |
//! | ALB | `WAF*`, `Auth*` error_reason; 500, 501, 561 | `edge_internal_error` | error reason codes (WAF, authenticate actions); troubleshooting 500/501/561 |
//! | ALB | 460, `000` | `client_abort` | troubleshooting: 460 "the client closed the connection"; 000 for HTTP/2 GOAWAY |
//! | CloudFront | `OriginDnsError` | `dns_resolution` | AccessLogs, `x-edge-detailed-result-type`; http-502-dns-error |
//! | CloudFront | `OriginConnectError` | `upstream_refused` (502) / `upstream_timeout_connect` (504) | http-502-bad-gateway: "couldn't connect to the origin"; http-504-gateway-timeout |
//! | CloudFront | `OriginCommError` | `upstream_timeout_read`, or `upstream_timeout_connect` when it took 10 or 20 s: one or two whole connection timeouts (inferred) | AccessLogs: "timed out while connecting to the origin, or reading data"; connection timeout default 10 s × 3 attempts, response timeout 30 s |
//! | CloudFront | `OriginReadError`, `OriginWriteError` / `AbortedOrigin` | `upstream_reset` / `upstream_closed_early` | AccessLogs detailed result types |
//! | CloudFront | `OriginHeaderTooBigError` | `header_too_big` | AccessLogs |
//! | CloudFront | `OriginError`, `OriginInvalidResponseError`, `OriginZeroSizeObjectError`, `OriginContentRangeLengthError` | `bad_upstream_response` | AccessLogs ("incorrect response") |
//! | CloudFront | `CapacityExceeded` / `LimitExceeded` / `Lambda*`, `Function*` | `edge_internal_error` / `rate_limited` / `edge_function_error` | AccessLogs result types; http-503-service-unavailable (edge capacity) |
//! | CloudFront | 5xx with `Error`, `Miss`, `Hit`, `RefreshHit` | `origin_error_response` (inferred) | AccessLogs: `Error` "typically" a 4xx/5xx answered by the origin; no origin failure type was logged |
//! | CloudFront | `000`, `ClientCommError`, `ClientHungUpRequest`, `SlowReaderOriginError` | `client_abort` | AccessLogs: `000` "the viewer closed the connection" |
//! | Cloudflare | 520 / 521 / 522 / 523 / 524 | `bad_upstream_response` / `upstream_refused` / `upstream_timeout_connect` / `upstream_unreachable` / `upstream_timeout_read` | cloudflare-docs error-520 … error-524 |
//! | Cloudflare | 525, 526 / 530 / 527 | `tls_to_upstream` / `dns_resolution` / `edge_internal_error` | error-525, error-526; error-530 with 1016 "Origin DNS error"; 527 (Railgun) no longer documented |
//! | Cloudflare | 5xx, `OriginResponseStatus` 5xx | `origin_error_response` | http_requests dataset: `OriginResponseStatus` "0 means that there was no response received from the origin server" |
//! | Cloudflare | 5xx, `OriginResponseStatus` 0, Worker failed | `edge_function_error` | `WorkerStatus` of the dataset |
//! | Cloudflare | 5xx, `OriginResponseStatus` 0 | `edge_internal_error` | error-502-503-504: an unbranded 502/504 "is served by Cloudflare" |
//! | Cloudflare | 499 | `client_abort` | http_requests dataset `EdgeResponseStatus` |
//! | Google | `statusDetails` of the load balancer (table in `gcp_reason`) | as listed there | https-logging-monitoring, "Failure messages" |
//! | Google | 5xx with `response_sent_by_backend` | `origin_error_response` | "the response code is set by the software running on the backend" |
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use crate::bytes::head;
use crate::cause::{Cause, Phase};
use crate::edge::EdgeRecord;
use crate::record::{Failure, Role};

fn failure<'a>(
    cause: Cause,
    phase: Option<Phase>,
    variant: Option<&'static str>,
    peer: Option<&'a [u8]>,
    protocol: Option<&'a [u8]>,
) -> Failure<'a> {
    Failure {
        cause,
        phase,
        errno: None,
        peer,
        protocol,
        variant,
        role: Role::Event,
    }
}

fn is_5xx(status: Option<u16>) -> bool {
    matches!(status, Some(500..=599))
}

/// Finds `text` in a table of codes; gives the table's own `&'static str` (a record's
/// variant outlives the line).
fn lookup<T: Copy>(table: &[(&'static str, T)], text: &[u8]) -> Option<(&'static str, T)> {
    table
        .iter()
        .copied()
        .find(|(code, _)| code.as_bytes() == text)
}

// ---------------------------------------------------------------------------------------
// HAProxy

/// The two first characters of HAProxy's termination state, as a static string.
pub(super) const HAPROXY_STATES: [&str; 60] = [
    "CR", "CQ", "CC", "CH", "CD", "CL", "CT", "cR", "cQ", "cC", "cH", "cD", "cL", "cT", "SR", "SQ",
    "SC", "SH", "SD", "SL", "sR", "sQ", "sC", "sH", "sD", "sL", "PR", "PQ", "PC", "PH", "PD", "PL",
    "PT", "LR", "LQ", "LC", "LH", "LD", "RR", "RQ", "RC", "RH", "RD", "IR", "IC", "IH", "ID", "DC",
    "DH", "DD", "UC", "UH", "UD", "KR", "KQ", "KC", "KH", "KD", "LT", "--",
];

fn haproxy_phase(state: u8) -> Option<Phase> {
    Some(match state {
        b'R' | b'T' => Phase::ReadClient,
        b'Q' | b'C' => Phase::Connect,
        b'H' => Phase::ReadHeader,
        b'D' => Phase::ReadBody,
        b'L' => Phase::SendToClient,
        _ => return None,
    })
}

/// HAProxy: the termination state (`sH--`), the status and whether a server was chosen.
pub(crate) fn haproxy<'a>(rec: &EdgeRecord<'a>, server_chosen: bool) -> Option<Failure<'a>> {
    let state = rec.reason.unwrap_or_default();
    let two = head(state, 2);
    let (first, second) = match two {
        [a, b] => (*a, *b),
        _ => return None,
    };
    let variant = HAPROXY_STATES.iter().copied().find(|s| s.as_bytes() == two);
    let phase = haproxy_phase(second);
    let upstream = rec.origin.or(rec.origin_group);
    let status = rec.status;
    let server_error = is_5xx(status);
    let cause = match (first, second) {
        (b'C' | b'c', b'R' | b'Q' | b'C' | b'H' | b'T') => Cause::ClientAbort,
        // A client gone during the body of an answer it got: a truncated download, not a
        // failed request, unless the status says the request failed anyway.
        (b'C' | b'c', _) if server_error => Cause::ClientAbort,
        (b'C' | b'c', _) => return None,
        (b'S', b'C') if !server_chosen => Cause::NoLiveUpstreams,
        (b'S', b'C') => Cause::UpstreamRefused,
        (b's', b'C') => Cause::UpstreamTimeoutConnect,
        (b'S', b'H') => Cause::UpstreamClosedEarly,
        (b's', b'H' | b'D') => Cause::UpstreamTimeoutRead,
        (b'S', b'D' | b'L') => Cause::UpstreamReset,
        (b's' | b'S', b'Q') => Cause::UpstreamQueueTimeout,
        (b'S' | b's', _) => Cause::UpstreamReset,
        (b'P', b'H' | b'D') => Cause::BadUpstreamResponse,
        (b'P', b'C') => Cause::FdExhaustion,
        (b'P', b'T') => Cause::RateLimited,
        (b'P', _) if server_error => Cause::ProxyConfigError,
        (b'R', _) => Cause::EphemeralPorts,
        (b'D', _) => Cause::UpstreamReset,
        (b'I' | b'K' | b'U', _) => Cause::EdgeInternalError,
        (b'L', _) if server_error => Cause::EdgeInternalError,
        (b'-', _) if server_error && server_chosen => Cause::OriginErrorResponse,
        (b'-', _) if server_error => Cause::EdgeInternalError,
        _ => return None,
    };
    let phase = match cause {
        Cause::NoLiveUpstreams | Cause::UpstreamQueueTimeout => Some(Phase::Connect),
        Cause::OriginErrorResponse => Some(Phase::ReadHeader),
        _ => phase,
    };
    Some(failure(cause, phase, variant, upstream, rec.scheme))
}

// ---------------------------------------------------------------------------------------
// AWS Application Load Balancer

/// `error_reason` values (load-balancer-access-logs, "Error reason codes").
pub(super) const ALB_REASONS: &[(&str, Cause)] = &[
    ("AuthInvalidCookie", Cause::EdgeInternalError),
    ("AuthInvalidGrantError", Cause::EdgeInternalError),
    ("AuthInvalidIdToken", Cause::EdgeInternalError),
    ("AuthInvalidStateParam", Cause::EdgeInternalError),
    ("AuthInvalidTokenResponse", Cause::EdgeInternalError),
    ("AuthInvalidUserinfoResponse", Cause::EdgeInternalError),
    ("AuthMissingCodeParam", Cause::EdgeInternalError),
    ("AuthMissingHostHeader", Cause::EdgeInternalError),
    ("AuthMissingStateParam", Cause::EdgeInternalError),
    ("AuthTokenEpRequestFailed", Cause::EdgeInternalError),
    ("AuthTokenEpRequestTimeout", Cause::EdgeInternalError),
    ("AuthUnhandledException", Cause::EdgeInternalError),
    ("AuthUserinfoEpRequestFailed", Cause::EdgeInternalError),
    ("AuthUserinfoEpRequestTimeout", Cause::EdgeInternalError),
    ("AuthUserinfoResponseSizeExceeded", Cause::EdgeInternalError),
    ("AWSALBTGCookieInvalid", Cause::EdgeInternalError),
    (
        "WeightedTargetGroupsUnhandledException",
        Cause::EdgeInternalError,
    ),
    ("LambdaAccessDenied", Cause::EdgeFunctionError),
    ("LambdaBadRequest", Cause::EdgeFunctionError),
    ("LambdaConnectionError", Cause::EdgeFunctionError),
    ("LambdaConnectionTimeout", Cause::EdgeFunctionError),
    ("LambdaEC2AccessDeniedException", Cause::EdgeFunctionError),
    ("LambdaEC2ThrottledException", Cause::EdgeFunctionError),
    ("LambdaEC2UnexpectedException", Cause::EdgeFunctionError),
    ("LambdaENILimitReachedException", Cause::EdgeFunctionError),
    ("LambdaInvalidResponse", Cause::EdgeFunctionError),
    ("LambdaInvalidRuntimeException", Cause::EdgeFunctionError),
    (
        "LambdaInvalidSecurityGroupIDException",
        Cause::EdgeFunctionError,
    ),
    ("LambdaInvalidSubnetIDException", Cause::EdgeFunctionError),
    ("LambdaInvalidZipFileException", Cause::EdgeFunctionError),
    ("LambdaKMSAccessDeniedException", Cause::EdgeFunctionError),
    ("LambdaKMSDisabledException", Cause::EdgeFunctionError),
    ("LambdaKMSInvalidStateException", Cause::EdgeFunctionError),
    ("LambdaKMSNotFoundException", Cause::EdgeFunctionError),
    ("LambdaRequestTooLarge", Cause::EdgeFunctionError),
    ("LambdaResourceNotFound", Cause::EdgeFunctionError),
    ("LambdaResponseTooLarge", Cause::EdgeFunctionError),
    ("LambdaServiceException", Cause::EdgeFunctionError),
    (
        "LambdaSubnetIPAddressLimitReachedException",
        Cause::EdgeFunctionError,
    ),
    ("LambdaThrottling", Cause::EdgeFunctionError),
    ("LambdaUnhandled", Cause::EdgeFunctionError),
    ("LambdaUnhandledException", Cause::EdgeFunctionError),
    ("LambdaWebsocketNotSupported", Cause::EdgeFunctionError),
    ("WAFConnectionError", Cause::EdgeInternalError),
    ("WAFConnectionTimeout", Cause::EdgeInternalError),
    ("WAFResponseReadTimeout", Cause::EdgeInternalError),
    ("WAFServiceError", Cause::EdgeInternalError),
    ("WAFUnhandledException", Cause::EdgeInternalError),
];

/// The ALB's connection timeout to targets (troubleshooting 504: "10 seconds"): a 504 that
/// took this long is a connect timeout, by time only.
const ALB_CONNECT_TIMEOUT_US: std::ops::RangeInclusive<u64> = 9_500_000..=11_000_000;

/// ALB: `elb_status_code`, `target_status_code`, `error_reason` and the time between
/// `request_creation_time` and `time` (in `rec.duration_us`).
pub(crate) fn alb<'a>(rec: &EdgeRecord<'a>) -> Option<Failure<'a>> {
    let status = rec.status?;
    let upstream = rec.origin.or(rec.origin_group);
    let protocol = rec.scheme;
    if status == 460 || status == 0 {
        let variant = if status == 0 { "000" } else { "460" };
        return Some(failure(
            Cause::ClientAbort,
            None,
            Some(variant),
            upstream,
            protocol,
        ));
    }
    if !is_5xx(Some(status)) {
        return None;
    }
    if let Some((code, cause)) = rec.reason.and_then(|r| lookup(ALB_REASONS, r)) {
        return Some(failure(cause, None, Some(code), upstream, protocol));
    }
    if let Some(target_status) = rec.origin_status {
        let cause = if target_status >= 500 {
            Cause::OriginErrorResponse
        } else {
            Cause::BadUpstreamResponse
        };
        return Some(failure(
            cause,
            Some(Phase::ReadHeader),
            None,
            upstream,
            protocol,
        ));
    }
    let to_target = rec.origin.is_some();
    let (cause, phase, variant) = match status {
        502 if to_target => (Cause::UpstreamRefused, Phase::Connect, "no_target_response"),
        503 => (Cause::NoLiveUpstreams, Phase::Connect, "no_healthy_target"),
        504 if rec
            .duration_us
            .is_some_and(|d| ALB_CONNECT_TIMEOUT_US.contains(&d)) =>
        {
            (
                Cause::UpstreamTimeoutConnect,
                Phase::Connect,
                "connect_timeout_by_time",
            )
        }
        504 => (
            Cause::UpstreamTimeoutRead,
            Phase::ReadHeader,
            "idle_timeout_by_time",
        ),
        _ => {
            let variant = match status {
                500 => "500",
                501 => "501",
                502 => "502",
                561 => "561",
                _ => "5xx",
            };
            return Some(failure(
                Cause::EdgeInternalError,
                None,
                Some(variant),
                upstream,
                protocol,
            ));
        }
    };
    Some(failure(
        cause,
        Some(phase),
        Some(variant),
        upstream,
        protocol,
    ))
}

// ---------------------------------------------------------------------------------------
// CloudFront

/// `x-edge-detailed-result-type` and `x-edge-result-type` values that name a cause.
pub(super) const CLOUDFRONT_TYPES: &[(&str, Cause)] = &[
    ("OriginDnsError", Cause::DnsResolution),
    ("NonS3OriginDnsError", Cause::DnsResolution),
    ("OriginConnectError", Cause::UpstreamRefused),
    ("OriginCommError", Cause::UpstreamTimeoutRead),
    ("OriginReadError", Cause::UpstreamReset),
    ("OriginWriteError", Cause::UpstreamReset),
    ("AbortedOrigin", Cause::UpstreamClosedEarly),
    ("OriginHeaderTooBigError", Cause::HeaderTooBig),
    ("OriginError", Cause::BadUpstreamResponse),
    ("OriginInvalidResponseError", Cause::BadUpstreamResponse),
    ("OriginZeroSizeObjectError", Cause::BadUpstreamResponse),
    ("OriginContentRangeLengthError", Cause::BadUpstreamResponse),
    ("CapacityExceeded", Cause::EdgeInternalError),
    ("LimitExceeded", Cause::RateLimited),
    ("LambdaExecutionError", Cause::EdgeFunctionError),
    ("LambdaValidationError", Cause::EdgeFunctionError),
    ("LambdaLimitExceeded", Cause::EdgeFunctionError),
    ("FunctionExecutionError", Cause::EdgeFunctionError),
    ("FunctionThrottledError", Cause::EdgeFunctionError),
    ("ClientCommError", Cause::ClientAbort),
    ("ClientHungUpRequest", Cause::ClientAbort),
    ("SlowReaderOriginError", Cause::ClientAbort),
];

/// CloudFront's origin connection timeout (distribution-web-values-specify: 10 s by
/// default, 1 to 10): `OriginCommError` answers that took a whole number of these (one per
/// connection attempt, 3 by default) were connect timeouts.
const CLOUDFRONT_CONNECT_TIMEOUT_US: u64 = 10_000_000;

/// CloudFront: `sc-status`, `x-edge-detailed-result-type` (`reason`), `x-edge-result-type`
/// (`result`) and `time-taken`.
pub(crate) fn cloudfront<'a>(rec: &EdgeRecord<'a>) -> Option<Failure<'a>> {
    let status = rec.status?;
    let protocol = rec.scheme;
    let named = rec
        .reason
        .and_then(|r| lookup(CLOUDFRONT_TYPES, r))
        .or_else(|| rec.result.and_then(|r| lookup(CLOUDFRONT_TYPES, r)));
    if status == 0 {
        let variant = named.map_or("000", |(code, _)| code);
        return Some(failure(
            Cause::ClientAbort,
            None,
            Some(variant),
            None,
            protocol,
        ));
    }
    match named {
        Some((code, Cause::ClientAbort)) => {
            return Some(failure(
                Cause::ClientAbort,
                None,
                Some(code),
                None,
                protocol,
            ));
        }
        Some((code, cause)) if is_5xx(Some(status)) => {
            let (cause, phase) = match (cause, status) {
                (Cause::UpstreamRefused, 504) => (Cause::UpstreamTimeoutConnect, Phase::Connect),
                (Cause::UpstreamRefused, _) => (Cause::UpstreamRefused, Phase::Connect),
                (Cause::UpstreamTimeoutRead, _)
                    if rec.duration_us.is_some_and(whole_connect_timeouts) =>
                {
                    (Cause::UpstreamTimeoutConnect, Phase::Connect)
                }
                (Cause::UpstreamTimeoutRead, _) => (Cause::UpstreamTimeoutRead, Phase::ReadHeader),
                (Cause::DnsResolution, _) => (cause, Phase::Resolve),
                (Cause::UpstreamReset, _) if code == "OriginWriteError" => {
                    (cause, Phase::SendRequest)
                }
                (
                    Cause::UpstreamReset
                    | Cause::UpstreamClosedEarly
                    | Cause::HeaderTooBig
                    | Cause::BadUpstreamResponse,
                    _,
                ) => (cause, Phase::ReadHeader),
                _ => {
                    return Some(failure(cause, None, Some(code), None, protocol));
                }
            };
            return Some(failure(cause, Some(phase), Some(code), None, protocol));
        }
        _ => {}
    }
    if !is_5xx(Some(status)) {
        return None;
    }
    // A 5xx without an origin failure type: the origin's own answer (cached or not).
    Some(failure(
        Cause::OriginErrorResponse,
        Some(Phase::ReadHeader),
        Some("no_origin_error_type"),
        None,
        protocol,
    ))
}

/// Whether a time is within a second of 10 or 20 s: one or two whole connection timeouts.
/// 30 s is left to the read timeout: it is both three connection attempts and the default
/// origin response timeout, and the log cannot tell them apart.
fn whole_connect_timeouts(us: u64) -> bool {
    (1..=2).any(|n| us.abs_diff(n * CLOUDFRONT_CONNECT_TIMEOUT_US) <= 1_000_000)
}

// ---------------------------------------------------------------------------------------
// Cloudflare

/// Cloudflare's own 5xx codes (cloudflare-docs, `cloudflare-5xx-errors/error-NNN`).
pub(super) const CLOUDFLARE_CODES: &[(&str, u16, Cause, Phase)] = &[
    ("520", 520, Cause::BadUpstreamResponse, Phase::ReadHeader),
    ("521", 521, Cause::UpstreamRefused, Phase::Connect),
    ("522", 522, Cause::UpstreamTimeoutConnect, Phase::Connect),
    ("523", 523, Cause::UpstreamUnreachable, Phase::Connect),
    ("524", 524, Cause::UpstreamTimeoutRead, Phase::ReadHeader),
    ("525", 525, Cause::TlsToUpstream, Phase::TlsHandshake),
    ("526", 526, Cause::TlsToUpstream, Phase::TlsHandshake),
    ("527", 527, Cause::EdgeInternalError, Phase::Connect),
    ("530", 530, Cause::DnsResolution, Phase::Resolve),
];

/// `WorkerStatus` values that say a Worker failed (anything but `ok` / `unknown`).
fn worker_failed(status: &[u8]) -> Option<&'static str> {
    const FAILED: [&str; 5] = [
        "exception",
        "exceededCpu",
        "exceededMemory",
        "scriptThrewException",
        "canceled",
    ];
    FAILED.iter().copied().find(|f| f.as_bytes() == status)
}

/// Cloudflare: `EdgeResponseStatus`, `OriginResponseStatus` (in `origin_status`, `None`
/// for 0) and `WorkerStatus` (in `reason`).
pub(crate) fn cloudflare<'a>(rec: &EdgeRecord<'a>) -> Option<Failure<'a>> {
    let status = rec.status?;
    let upstream = rec.origin;
    let protocol = rec.scheme;
    if status == 499 {
        return Some(failure(
            Cause::ClientAbort,
            None,
            Some("499"),
            upstream,
            protocol,
        ));
    }
    if !is_5xx(Some(status)) {
        return None;
    }
    if let Some(&(code, _, cause, phase)) = CLOUDFLARE_CODES.iter().find(|c| c.1 == status) {
        return Some(failure(cause, Some(phase), Some(code), upstream, protocol));
    }
    if rec.origin_status.is_some_and(|s| s >= 500) {
        return Some(failure(
            Cause::OriginErrorResponse,
            Some(Phase::ReadHeader),
            None,
            upstream,
            protocol,
        ));
    }
    if let Some(worker) = rec.reason.and_then(worker_failed) {
        return Some(failure(
            Cause::EdgeFunctionError,
            None,
            Some(worker),
            upstream,
            protocol,
        ));
    }
    let variant = if rec.origin_status.is_none() {
        "no_origin_response"
    } else {
        "origin_answered_below_500"
    };
    Some(failure(
        Cause::EdgeInternalError,
        None,
        Some(variant),
        upstream,
        protocol,
    ))
}

// ---------------------------------------------------------------------------------------
// Google Cloud external Application Load Balancer

/// `jsonPayload.statusDetails` values of the request logs (https-logging-monitoring,
/// "Failure messages") and the cause each names.
pub(super) const GCP_DETAILS: &[(&str, Cause, Option<Phase>)] = &[
    (
        "failed_to_connect_to_backend",
        Cause::UpstreamRefused,
        Some(Phase::Connect),
    ),
    (
        "failed_to_pick_backend",
        Cause::NoLiveUpstreams,
        Some(Phase::Connect),
    ),
    (
        "backend_timeout",
        Cause::UpstreamTimeoutRead,
        Some(Phase::ReadHeader),
    ),
    (
        "backend_connection_closed_before_data_sent_to_client",
        Cause::UpstreamClosedEarly,
        Some(Phase::ReadHeader),
    ),
    (
        "backend_connection_closed_after_partial_response_sent",
        Cause::UpstreamReset,
        Some(Phase::ReadBody),
    ),
    (
        "backend_response_headers_too_long",
        Cause::HeaderTooBig,
        Some(Phase::ReadHeader),
    ),
    (
        "backend_response_corrupted",
        Cause::BadUpstreamResponse,
        Some(Phase::ReadHeader),
    ),
    (
        "backend_early_response_with_non_error_status",
        Cause::BadUpstreamResponse,
        Some(Phase::SendRequest),
    ),
    (
        "backend_interim_response_not_supported",
        Cause::BadUpstreamResponse,
        Some(Phase::ReadHeader),
    ),
    (
        "aborted_request_due_to_backend_early_response",
        Cause::BadUpstreamResponse,
        Some(Phase::SendRequest),
    ),
    (
        "error_uncompressing_gzipped_body",
        Cause::BadUpstreamResponse,
        Some(Phase::ReadBody),
    ),
    (
        "failed_to_negotiate_alpn",
        Cause::TlsToUpstream,
        Some(Phase::TlsHandshake),
    ),
    (
        "ssl_certificate_san_verification_failed",
        Cause::TlsToUpstream,
        Some(Phase::TlsHandshake),
    ),
    (
        "ssl_certificate_chain_verification_failed",
        Cause::TlsToUpstream,
        Some(Phase::TlsHandshake),
    ),
    ("request_loop_detected", Cause::ProxyConfigError, None),
    (
        "invalid_external_origin_endpoint",
        Cause::ProxyConfigError,
        None,
    ),
    (
        "serverless_neg_routing_failed",
        Cause::ProxyConfigError,
        None,
    ),
    ("throttled_by_security_policy", Cause::RateLimited, None),
    ("banned_by_security_policy", Cause::RateLimited, None),
    ("config_not_found", Cause::EdgeInternalError, None),
    ("retriable_error", Cause::EdgeInternalError, None),
    ("internal_error", Cause::EdgeInternalError, None),
    (
        "client_disconnected_before_any_response",
        Cause::ClientAbort,
        None,
    ),
    (
        "client_disconnected_after_partial_response",
        Cause::ClientAbort,
        None,
    ),
    ("client_timed_out", Cause::ClientAbort, None),
];

/// Latency above which a Google `failed_to_connect_to_backend` was a connect timeout rather
/// than a refusal (the detail "includes timeouts during the connection phase"; refusals come
/// back within milliseconds): by time only.
const GCP_SLOW_CONNECT_US: u64 = 1_000_000;

/// Google: `statusDetails` (in `reason`), the status, and whether the backend set it.
pub(crate) fn gcp<'a>(rec: &EdgeRecord<'a>) -> Option<Failure<'a>> {
    let status = rec.status;
    let upstream = rec.origin.or(rec.origin_group);
    let protocol = rec.scheme;
    let reason = rec.reason.unwrap_or_default();
    let named = GCP_DETAILS
        .iter()
        .find(|(code, _, _)| code.as_bytes() == reason)
        .copied()
        .or_else(|| {
            // The thirteen `server_cert_*` details are TLS failures to the backend.
            reason.starts_with(b"server_cert_").then_some((
                "server_cert",
                Cause::TlsToUpstream,
                Some(Phase::TlsHandshake),
            ))
        });
    match named {
        Some((code, Cause::ClientAbort, phase)) => {
            return Some(failure(
                Cause::ClientAbort,
                phase,
                Some(code),
                upstream,
                protocol,
            ));
        }
        Some((code, cause, phase)) if is_5xx(status) => {
            let (cause, phase) = match cause {
                Cause::UpstreamRefused
                    if rec.duration_us.is_some_and(|d| d >= GCP_SLOW_CONNECT_US) =>
                {
                    (Cause::UpstreamTimeoutConnect, phase)
                }
                _ => (cause, phase),
            };
            return Some(failure(cause, phase, Some(code), upstream, protocol));
        }
        _ => {}
    }
    if !is_5xx(status) {
        return None;
    }
    if reason == b"response_sent_by_backend" || rec.origin_status.is_some() {
        return Some(failure(
            Cause::OriginErrorResponse,
            Some(Phase::ReadHeader),
            None,
            upstream,
            protocol,
        ));
    }
    Some(failure(
        Cause::EdgeInternalError,
        None,
        None,
        upstream,
        protocol,
    ))
}
