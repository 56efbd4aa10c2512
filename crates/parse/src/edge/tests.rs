//! Every documented code of every product, and the bad input each format meets.

use super::classify::{
    ALB_REASONS, CLOUDFLARE_CODES, CLOUDFRONT_TYPES, GCP_DETAILS, HAPROXY_STATES,
};
use super::*;
use crate::cause::{Cause, Phase};
use crate::parser::Parser;
use crate::record::Record;

fn edge<'a>(parser: &Parser, line: &'a [u8]) -> EdgeRecord<'a> {
    match parser.parse(line) {
        Ok(Record::Edge(r)) => r,
        other => panic!("{}: {other:?}", String::from_utf8_lossy(line)),
    }
}

fn owned(parser: &Parser, line: String) -> EdgeRecord<'static> {
    let line: &'static [u8] = Box::leak(line.into_bytes().into_boxed_slice());
    edge(parser, line)
}

fn cause_of(r: &EdgeRecord<'_>) -> Option<Cause> {
    r.failure.map(|f| f.cause)
}

// --- HAProxy ---------------------------------------------------------------------------

/// The documentation's example (configuration.txt §8.2.3), one line.
const HAPROXY_DOC: &str = r#"Feb  6 12:14:14 localhost haproxy[14389]: 10.0.1.2:33317 [06/Feb/2009:12:14:14.655] http-in static/srv1 10/0/30/69/109 200 2750 - - ---- 1/1/1/1/0 0/0 {1wt.eu} {} "GET /index.html HTTP/1.1""#;

fn haproxy_line(server: &str, timers: &str, status: &str, state: &str) -> String {
    format!(
        r#"<134>Nov 25 01:27:19 haproxy[812]: 127.0.0.1:40112 [25/Nov/2026:01:27:09.250] www {server} {timers} {status} 198 - - {state} 3/3/2/1/0 0/0 "GET /api/items?id=3 HTTP/1.1""#
    )
}

#[test]
fn haproxy_documented_example() {
    let r = edge(&Parser::haproxy(), HAPROXY_DOC.as_bytes());
    assert_eq!(r.edge, Edge::Haproxy);
    assert_eq!(r.client, Some(&b"10.0.1.2"[..]));
    assert_eq!(r.client_port, Some(33317));
    assert_eq!(r.time.unwrap().to_string(), "2009-02-06T12:14:14.655000");
    assert!(r.time_is_start);
    assert_eq!(r.listener, Some(&b"http-in"[..]));
    assert_eq!(r.origin_group, Some(&b"static"[..]));
    assert_eq!(r.origin, Some(&b"static/srv1"[..]));
    assert_eq!(r.duration_us, Some(109_000));
    assert_eq!(r.timings.connect_us, Some(30_000));
    assert_eq!(r.timings.origin_us, Some(69_000));
    assert_eq!(r.status, Some(200));
    assert_eq!(r.origin_status, Some(200));
    assert_eq!(r.bytes_sent, Some(2750));
    assert_eq!(r.reason, Some(&b"----"[..]));
    assert_eq!(r.method, Some(&b"GET"[..]));
    assert_eq!(r.target, Some(&b"/index.html"[..]));
    assert_eq!(r.protocol, Some(&b"HTTP/1.1"[..]));
    assert_eq!(r.failure, None);
}

#[test]
fn haproxy_behind_every_syslog_header() {
    let message = r#"10.0.1.2:33317 [06/Feb/2009:12:14:14.655] http-in static/srv1 10/0/30/69/109 503 212 - - SC-- 1/1/1/1/3 0/0 "GET / HTTP/1.1""#;
    let lines = [
        message.to_owned(),
        format!("<134>{message}"),
        format!("<134>Feb  6 12:14:14 haproxy[14389]: {message}"),
        format!("Feb 06 12:14:14 web1 haproxy[14389]: {message}"),
        format!("2009-02-06T12:14:14.655123+01:00 web1 haproxy[14389]: {message}"),
        format!("<134>1 2009-02-06T12:14:14.655+01:00 web1 haproxy 14389 - - {message}"),
        format!(
            r#"<134>1 2009-02-06T12:14:14.655+01:00 web1 haproxy 14389 - [x@1 a="b"] {message}"#
        ),
    ];
    for (i, line) in lines.into_iter().enumerate() {
        let r = owned(&Parser::haproxy(), line);
        assert_eq!(r.status, Some(503), "form {i}");
        assert_eq!(cause_of(&r), Some(Cause::UpstreamRefused), "form {i}");
        assert_eq!(r.timings.retries, Some(3));
        // The RFC 3339 headers give HAProxy's local time its offset.
        let offset = r.time.unwrap().offset_seconds();
        assert_eq!(offset, if i >= 4 { Some(3_600) } else { None }, "form {i}");
    }
}

#[test]
fn haproxy_every_termination_state() {
    use Cause as C;
    // (server, timers, status, state, cause, phase)
    type Case<'a> = (
        &'a str,
        &'a str,
        &'a str,
        &'a str,
        Option<Cause>,
        Option<Phase>,
    );
    let cases: &[Case<'_>] = &[
        (
            "app/web1",
            "0/0/-1/-1/0",
            "503",
            "SC--",
            Some(C::UpstreamRefused),
            Some(Phase::Connect),
        ),
        (
            "app/<NOSRV>",
            "0/-1/-1/-1/0",
            "503",
            "SC--",
            Some(C::NoLiveUpstreams),
            Some(Phase::Connect),
        ),
        (
            "app/web1",
            "0/0/-1/-1/5001",
            "503",
            "sC--",
            Some(C::UpstreamTimeoutConnect),
            Some(Phase::Connect),
        ),
        (
            "app/web1",
            "0/0/0/-1/3",
            "502",
            "SH--",
            Some(C::UpstreamClosedEarly),
            Some(Phase::ReadHeader),
        ),
        (
            "app/web1",
            "0/0/0/-1/10001",
            "504",
            "sH--",
            Some(C::UpstreamTimeoutRead),
            Some(Phase::ReadHeader),
        ),
        (
            "app/web1",
            "0/0/0/12/3000",
            "200",
            "SD--",
            Some(C::UpstreamReset),
            Some(Phase::ReadBody),
        ),
        (
            "app/web1",
            "0/0/0/12/30012",
            "200",
            "sD--",
            Some(C::UpstreamTimeoutRead),
            Some(Phase::ReadBody),
        ),
        (
            "app/web1",
            "0/5000/-1/-1/5000",
            "503",
            "sQ--",
            Some(C::UpstreamQueueTimeout),
            Some(Phase::Connect),
        ),
        (
            "app/<NOSRV>",
            "0/5000/-1/-1/5000",
            "503",
            "sQ--",
            Some(C::UpstreamQueueTimeout),
            Some(Phase::Connect),
        ),
        (
            "app/web1",
            "0/0/0/2/2",
            "502",
            "PH--",
            Some(C::BadUpstreamResponse),
            Some(Phase::ReadHeader),
        ),
        (
            "app/web1",
            "0/0/0/2/9",
            "200",
            "PD--",
            Some(C::BadUpstreamResponse),
            Some(Phase::ReadBody),
        ),
        (
            "app/web1",
            "0/0/-1/-1/0",
            "503",
            "PC--",
            Some(C::FdExhaustion),
            Some(Phase::Connect),
        ),
        (
            "app/web1",
            "0/0/-1/-1/0",
            "503",
            "RC--",
            Some(C::EphemeralPorts),
            Some(Phase::Connect),
        ),
        (
            "www/<NOSRV>",
            "0/-1/-1/-1/0",
            "500",
            "PR--",
            Some(C::ProxyConfigError),
            Some(Phase::ReadClient),
        ),
        ("www/<NOSRV>", "0/-1/-1/-1/0", "403", "PR--", None, None),
        (
            "www/<NOSRV>",
            "0/5000/-1/-1/5000",
            "500",
            "PT--",
            Some(C::RateLimited),
            Some(Phase::ReadClient),
        ),
        (
            "app/web1",
            "0/0/0/-1/3",
            "500",
            "IH--",
            Some(C::EdgeInternalError),
            Some(Phase::ReadHeader),
        ),
        (
            "app/web1",
            "0/0/0/-1/3",
            "-1",
            "KH--",
            Some(C::EdgeInternalError),
            Some(Phase::ReadHeader),
        ),
        (
            "app/web1",
            "0/0/0/5/900",
            "200",
            "DD--",
            Some(C::UpstreamReset),
            Some(Phase::ReadBody),
        ),
        (
            "www/<NOSRV>",
            "0/-1/-1/-1/0",
            "503",
            "LR--",
            Some(C::EdgeInternalError),
            Some(Phase::ReadClient),
        ),
        ("www/<STATS>", "0/-1/-1/-1/0", "200", "LR--", None, None),
        (
            "www/<NOSRV>",
            "-1/-1/-1/-1/0",
            "400",
            "CR--",
            Some(C::ClientAbort),
            Some(Phase::ReadClient),
        ),
        (
            "www/<NOSRV>",
            "-1/-1/-1/-1/10000",
            "408",
            "cR--",
            Some(C::ClientAbort),
            Some(Phase::ReadClient),
        ),
        (
            "app/web1",
            "0/900/-1/-1/900",
            "503",
            "CQ--",
            Some(C::ClientAbort),
            Some(Phase::Connect),
        ),
        (
            "app/web1",
            "0/0/0/-1/900",
            "-1",
            "CH--",
            Some(C::ClientAbort),
            Some(Phase::ReadHeader),
        ),
        ("app/web1", "0/0/0/5/900", "200", "CD--", None, None),
        ("app/web1", "0/0/0/5/900", "200", "cD--", None, None),
        (
            "app/web1",
            "0/0/0/5/5",
            "500",
            "----",
            Some(C::OriginErrorResponse),
            Some(Phase::ReadHeader),
        ),
        (
            "app/web1",
            "0/0/0/5/5",
            "503",
            "----",
            Some(C::OriginErrorResponse),
            Some(Phase::ReadHeader),
        ),
        ("app/web1", "0/0/0/5/5", "200", "----", None, None),
        ("app/web1", "0/0/0/5/5", "404", "----", None, None),
    ];
    for &(server, timers, status, state, cause, phase) in cases {
        let r = owned(
            &Parser::haproxy(),
            haproxy_line(server, timers, status, state),
        );
        let what = format!("{server} {status} {state}");
        assert_eq!(cause_of(&r), cause, "{what}");
        assert_eq!(r.failure.and_then(|f| f.phase), phase, "{what}");
        if let Some(f) = r.failure {
            assert_eq!(f.variant, Some(&state[..2]), "{what}");
            assert!(HAPROXY_STATES.contains(&&state[..2]), "{what}");
        }
    }
    // The origin's own 5xx is the origin status; a refusal has none.
    let r = owned(
        &Parser::haproxy(),
        haproxy_line("app/web1", "0/0/0/5/5", "500", "----"),
    );
    assert_eq!(r.origin_status, Some(500));
    let r = owned(
        &Parser::haproxy(),
        haproxy_line("app/web1", "0/0/-1/-1/0", "503", "SC--"),
    );
    assert_eq!(r.origin_status, None);
    assert_eq!(r.failure.unwrap().peer, Some(&b"app/web1"[..]));
    let r = owned(
        &Parser::haproxy(),
        haproxy_line("app/<NOSRV>", "0/-1/-1/-1/0", "503", "SC--"),
    );
    assert_eq!(r.origin, None);
    assert_eq!(r.failure.unwrap().peer, Some(&b"app"[..]));
}

#[test]
fn haproxy_captures_escapes_ipv6_and_cut_lines() {
    let p = Parser::haproxy();
    // Captured headers with spaces, `#22` in the request, an IPv6 client.
    let r = edge(
        &p,
        br#"::1:51234 [25/Nov/2026:01:27:09.250] www~ app/web1 0/0/1/2/3 200 10 - - ---- 1/1/1/1/0 0/0 {shop.example|Mozilla/5.0 (X11; Linux)} {} "GET /q?x=#22a#22 HTTP/1.1""#,
    );
    assert_eq!(r.client, Some(&b"::1"[..]));
    assert_eq!(r.listener, Some(&b"www"[..]));
    assert_eq!(r.target, Some(&b"/q?x=#22a#22"[..]));
    // syslog-ng's backslash before quotes.
    let r = edge(
        &p,
        br#"127.0.0.1:1 [25/Nov/2026:01:27:09.250] www app/web1 0/0/1/2/3 200 10 - - ---- 1/1/1/1/0 0/0 \"GET / HTTP/1.1\""#,
    );
    assert_eq!(r.status, Some(200));
    // Cut by the syslog buffer inside the request: still read.
    let r = edge(
        &p,
        br#"127.0.0.1:1 [25/Nov/2026:01:27:09.250] www app/web1 0/0/-1/-1/0 503 10 - - SC-- 1/1/1/1/0 0/0 "GET /very/long/pa"#,
    );
    assert_eq!(cause_of(&r), Some(Cause::UpstreamRefused));
    assert_eq!(r.target, Some(&b"/very/long/pa"[..]));
    // A bad request.
    let r = edge(
        &p,
        br#"127.0.0.1:1 [25/Nov/2026:01:27:09.250] www www/<NOSRV> -1/-1/-1/-1/0 400 187 - - CR-- 1/1/0/0/0 0/0 "<BADREQ>""#,
    );
    assert_eq!(r.request, None);
    assert_eq!(cause_of(&r), Some(Cause::ClientAbort));
    // logasap: `+` before Ta and bytes.
    let r = edge(
        &p,
        br#"127.0.0.1:1 [25/Nov/2026:01:27:09.250] www app/web1 0/0/1/2/+3 200 +10 - - ---- 1/1/1/1/0 0/0 "GET / HTTP/1.1""#,
    );
    assert_eq!(r.duration_us, Some(3_000));
    assert_eq!(r.bytes_sent, Some(10));
}

#[test]
fn haproxy_own_messages_are_context_or_about_itself() {
    let p = Parser::haproxy();
    let r = edge(
        &p,
        br#"<129>Nov 25 01:27:19 haproxy[812]: Server app/web1 is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue."#,
    );
    assert!(r.header);
    let f = r.failure.unwrap();
    assert_eq!(
        (f.cause, f.role),
        (Cause::UpstreamRefused, crate::record::Role::Context)
    );
    assert_eq!(f.peer, Some(&b"app/web1"[..]));
    let r = edge(
        &p,
        b"<128>Nov 25 01:27:19 haproxy[812]: backend app has no server available!",
    );
    assert_eq!(r.failure.unwrap().cause, Cause::NoLiveUpstreams);
    let r = edge(&p, b"Nov 25 01:27:19 web1 haproxy[812]: Proxy www started.");
    assert!(r.header && r.failure.is_none());
    // Without a header (`log stdout format raw`, or the syslog header taken off by the
    // envelope reader), HAProxy's own wordings still say whose line it is.
    let r = edge(
        &p,
        br#"Server app/web1 is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms. 0 active and 0 backup servers left."#,
    );
    assert_eq!(r.failure.unwrap().cause, Cause::UpstreamRefused);
    let r = edge(&p, b"backend app has no server available!");
    assert_eq!(r.failure.unwrap().cause, Cause::NoLiveUpstreams);
    let r = edge(&p, b"Proxy www started.");
    assert!(r.header && r.failure.is_none());
    // Another program's line, or garbage, is not HAProxy's.
    for bad in [
        &b"Nov 25 01:27:19 web1 sshd[1]: Accepted publickey for root"[..],
        b"Server says hello",
        b"backend of the house",
        b"Proxy",
        b"",
        b"\xff\xfe<<<",
        b"127.0.0.1:1 [25/Nov/2026:01:27:09.250] www",
        b"127.0.0.1:1 [31/Feb/2026:01:27:09.250] www app/web1 0/0/1/2/3 200 10 - - ---- 1/1/1/1/0 0/0 \"GET / HTTP/1.1\"",
    ] {
        assert!(p.parse(bad).is_err(), "{}", String::from_utf8_lossy(bad));
    }
}

// --- AWS ALB -----------------------------------------------------------------------------

/// The AWS documentation's Lambda 502 example, one line (29 fields).
const ALB_DOC: &str = r#"http 2018-11-30T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 - 0.000 0.001 0.000 502 - 34 366 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.46.0" - - arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337364-23a8c76965a2ef7629b185e3" "-" "-" 0 2018-11-30T22:22:48.364000Z "forward" "-" "LambdaInvalidResponse" "-" "-" "-" "-""#;

/// An ALB line with the given fields, in the documented layout.
fn alb_line(status: &str, target: &str, target_status: &str, took: f64, reason: &str) -> String {
    let end = 1_764_000_000.0 + took;
    let end_s = end.floor() as i64;
    let end_us = ((end - end.floor()) * 1e6).round() as u32;
    let ts = crate::time::Timestamp::from_unix(end_s, end_us, 0).unwrap();
    let time = format!("{}Z", ts.to_string().trim_end_matches("+00:00"));
    format!(
        r#"https {time} app/shop-alb/50dc6c495c0c9188 203.0.113.9:50412 {target} 0.000 -1 -1 {status} {target_status} 215 0 "GET https://shop.example.test:443/api/items?id=3 HTTP/1.1" "curl/8.5.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/shop-web/73e2d6bc24d8a067 "Root=1-6744d2a0-0123456789abcdef01234567" "shop.example.test" "arn:aws:acm:us-east-2:123456789012:certificate/12345678-1234-1234-1234-123456789012" 0 2025-11-24T16:00:00.000000Z "forward" "-" "{reason}" "{target}" "{target_status}" "-" "-" TID_1234abcd"#
    )
}

#[test]
fn alb_documented_example() {
    let r = edge(&Parser::aws_alb(), ALB_DOC.as_bytes());
    assert_eq!(
        r.time.unwrap().to_string(),
        "2018-11-30T22:23:00.186641+00:00"
    );
    assert_eq!(
        r.listener,
        Some(&b"app/my-loadbalancer/50dc6c495c0c9188"[..])
    );
    assert_eq!(r.client, Some(&b"192.168.131.39"[..]));
    assert_eq!(r.client_port, Some(2817));
    assert_eq!(r.origin, None);
    assert_eq!(r.origin_group, Some(&b"my-targets/73e2d6bc24d8a067"[..]));
    assert_eq!(r.method, Some(&b"GET"[..]));
    assert_eq!(r.scheme, Some(&b"http"[..]));
    assert_eq!(r.host, Some(&b"www.example.com"[..]));
    assert_eq!(r.target, Some(&b"/"[..]));
    assert_eq!(
        r.trace_id,
        Some(&b"Root=1-58337364-23a8c76965a2ef7629b185e3"[..])
    );
    assert_eq!(r.reason, Some(&b"LambdaInvalidResponse"[..]));
    // `time` - `request_creation_time`.
    assert_eq!(r.duration_us, Some(11_822_641));
    let f = r.failure.unwrap();
    assert_eq!(f.cause, Cause::EdgeFunctionError);
    assert_eq!(f.peer, Some(&b"my-targets/73e2d6bc24d8a067"[..]));
}

#[test]
fn alb_every_error_reason() {
    for &(reason, cause) in ALB_REASONS {
        let status = if reason.starts_with("Auth") || reason.starts_with("WAF") {
            "500"
        } else {
            "502"
        };
        let r = owned(&Parser::aws_alb(), alb_line(status, "-", "-", 0.01, reason));
        let f = r.failure.unwrap_or_else(|| panic!("{reason}"));
        assert_eq!((f.cause, f.variant), (cause, Some(reason)), "{reason}");
        let expected = if reason.starts_with("Lambda") {
            Cause::EdgeFunctionError
        } else {
            Cause::EdgeInternalError
        };
        assert_eq!(cause, expected, "{reason}");
    }
}

#[test]
fn alb_statuses_without_a_reason() {
    use Cause as C;
    let target = "10.0.1.15:8080";
    // (status, target, target status, seconds, cause, variant)
    type Case<'a> = (
        &'a str,
        &'a str,
        &'a str,
        f64,
        Option<Cause>,
        Option<&'a str>,
    );
    let cases: &[Case<'_>] = &[
        (
            "502",
            target,
            "-",
            0.002,
            Some(C::UpstreamRefused),
            Some("no_target_response"),
        ),
        (
            "502",
            target,
            "502",
            0.003,
            Some(C::OriginErrorResponse),
            None,
        ),
        (
            "500",
            target,
            "500",
            0.1,
            Some(C::OriginErrorResponse),
            None,
        ),
        (
            "502",
            target,
            "200",
            0.1,
            Some(C::BadUpstreamResponse),
            None,
        ),
        (
            "503",
            "-",
            "-",
            0.0,
            Some(C::NoLiveUpstreams),
            Some("no_healthy_target"),
        ),
        (
            "503",
            target,
            "503",
            0.01,
            Some(C::OriginErrorResponse),
            None,
        ),
        (
            "504",
            target,
            "-",
            10.001,
            Some(C::UpstreamTimeoutConnect),
            Some("connect_timeout_by_time"),
        ),
        (
            "504",
            target,
            "-",
            60.002,
            Some(C::UpstreamTimeoutRead),
            Some("idle_timeout_by_time"),
        ),
        (
            "504",
            target,
            "504",
            30.0,
            Some(C::OriginErrorResponse),
            None,
        ),
        (
            "500",
            "-",
            "-",
            0.0,
            Some(C::EdgeInternalError),
            Some("500"),
        ),
        (
            "501",
            "-",
            "-",
            0.0,
            Some(C::EdgeInternalError),
            Some("501"),
        ),
        (
            "561",
            "-",
            "-",
            0.0,
            Some(C::EdgeInternalError),
            Some("561"),
        ),
        (
            "502",
            "-",
            "-",
            0.0,
            Some(C::EdgeInternalError),
            Some("502"),
        ),
        ("460", target, "-", 3.5, Some(C::ClientAbort), Some("460")),
        ("000", target, "-", 0.5, Some(C::ClientAbort), Some("000")),
        ("200", target, "200", 0.1, None, None),
        ("463", "-", "-", 0.0, None, None),
    ];
    for &(status, target, target_status, took, cause, variant) in cases {
        let r = owned(
            &Parser::aws_alb(),
            alb_line(status, target, target_status, took, "-"),
        );
        let what = format!("{status} {target} {target_status} {took}");
        assert_eq!(cause_of(&r), cause, "{what}");
        assert_eq!(r.failure.and_then(|f| f.variant), variant, "{what}");
        if target != "-" {
            assert_eq!(
                r.failure.map_or(Some(&b"10.0.1.15:8080"[..]), |f| f.peer),
                Some(&b"10.0.1.15:8080"[..]),
                "{what}"
            );
        }
    }
    let r = owned(
        &Parser::aws_alb(),
        alb_line("504", target, "-", 10.001, "-"),
    );
    assert_eq!(r.duration_us, Some(10_001_000));
    assert_eq!(r.host, Some(&b"shop.example.test"[..]));
    assert_eq!(r.target, Some(&b"/api/items?id=3"[..]));
}

#[test]
fn alb_fields_added_at_the_end_old_lines_and_bad_ones() {
    let p = Parser::aws_alb();
    // Fields AWS adds later (and the trailing `-` it may write first) are ignored.
    let longer =
        format!("{ALB_DOC} TID_abc \"shop.example\" \"/x\" \"TransformSuccess\" - extra \"more\"");
    assert_eq!(cause_of(&owned(&p, longer)), Some(Cause::EdgeFunctionError));
    // A 2016 line: fields up to ssl_protocol only.
    let old = r#"https 2016-08-10T23:39:43.065466Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.086 0.048 0.037 502 - 0 57 "GET https://www.example.com:443/ HTTP/1.1" "curl/7.46.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2"#;
    let r = edge(&p, old.as_bytes());
    assert_eq!(cause_of(&r), Some(Cause::UpstreamRefused));
    assert_eq!(r.duration_us, Some(171_000), "the processing times summed");
    // A malformed request (AWS logs what it could read) and escapes in a quoted field.
    let malformed = r#"http 2018-07-02T22:22:48.364000Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 - -1 -1 -1 400 - 0 272 "- http://www.example.com:80- -" "-" - - - "-" "-" "-" - 2018-07-02T22:22:48.364000Z "-" "-" "-" "-" "-" "-" "-""#;
    let r = edge(&p, malformed.as_bytes());
    assert_eq!((r.status, r.method, r.failure), (Some(400), None, None));
    let escaped = ALB_DOC.replace(r#""curl/7.46.0""#, r#""Mozilla \"quoted\" agent""#);
    let r = owned(&p, escaped);
    assert_eq!(r.user_agent, Some(&br#"Mozilla \"quoted\" agent"#[..]));
    // IPv6 client.
    let v6 = ALB_DOC.replace("192.168.131.39:2817", "2001:db8::1:2817");
    assert_eq!(owned(&p, v6).client, Some(&b"2001:db8::1"[..]));
    // Cut, mistyped or foreign lines are errors, with an offset.
    let cut = &ALB_DOC[..ALB_DOC.find("\"curl").unwrap() + 3];
    assert!(
        p.parse(cut.as_bytes()).is_ok(),
        "cut after the request: still a request"
    );
    let cut = &ALB_DOC[..ALB_DOC.find("HTTP/1.1").unwrap()];
    let e = p.parse(cut.as_bytes()).unwrap_err();
    assert_eq!(e.expected, "'\"' closing a quoted field");
    for bad in [
        ALB_DOC.replace(" 502 - 34", " 5O2 - 34"),
        ALB_DOC.replace("2018-11-30T22:23:00.186641Z", "2018-11-31T22:23:00Z"),
        ALB_DOC.replace("http 2018", "tcp 2018"),
        "http".to_owned(),
        String::new(),
    ] {
        assert!(p.parse(bad.as_bytes()).is_err(), "{bad}");
    }
}

// --- CloudFront --------------------------------------------------------------------------

/// The documentation's 502 example (AccessLogs), tab-separated.
fn cloudfront_doc() -> String {
    [
        "2019-12-13",
        "22:36:27",
        "SEA19-C1",
        "900",
        "192.0.2.200",
        "GET",
        "d111111abcdef8.cloudfront.net",
        "/",
        "502",
        "-",
        "curl/7.55.1",
        "-",
        "-",
        "Error",
        "kBkDzGnceVtWHqSCqBUqtA_cEs2T3tFUBbnBNkB9El_uVRhHgcZfcw==",
        "www.example.com",
        "http",
        "387",
        "0.103",
        "-",
        "-",
        "-",
        "Error",
        "HTTP/1.1",
        "-",
        "-",
        "12644",
        "0.103",
        "OriginDnsError",
        "text/html",
        "507",
        "-",
        "-",
    ]
    .join("\t")
}

#[test]
fn cloudfront_documented_example_in_the_default_order() {
    let line = cloudfront_doc();
    let r = owned(&Parser::cloudfront(), line.clone());
    assert_eq!(r.time.unwrap().to_string(), "2019-12-13T22:36:27+00:00");
    assert_eq!(r.listener, Some(&b"SEA19-C1"[..]));
    assert_eq!(r.client, Some(&b"192.0.2.200"[..]));
    assert_eq!(r.host, Some(&b"www.example.com"[..]));
    assert_eq!(r.target, Some(&b"/"[..]));
    assert_eq!(r.status, Some(502));
    assert_eq!(r.duration_us, Some(103_000));
    assert_eq!(r.client_port, Some(12644));
    assert_eq!(r.reason, Some(&b"OriginDnsError"[..]));
    let f = r.failure.unwrap();
    assert_eq!(
        (f.cause, f.phase),
        (Cause::DnsResolution, Some(Phase::Resolve))
    );
    // The same through a parser built from the sample's header lines.
    let header = format!("#Fields: {}", super::cloudfront::DEFAULT_FIELDS);
    let sample: [&[u8]; 3] = [b"#Version: 1.0", header.as_bytes(), line.as_bytes()];
    let p = Parser::cloudfront_for(&sample);
    assert!(edge(&p, b"#Version: 1.0").header);
    assert!(edge(&p, header.as_bytes()).header);
    assert_eq!(cause_of(&owned(&p, line)), Some(Cause::DnsResolution));
}

#[test]
fn cloudfront_columns_from_the_fields_line() {
    // The newer 35-field header, and a reordered one.
    let header = format!(
        "#Fields: {} distribution-tenant-id connection-id",
        super::cloudfront::DEFAULT_FIELDS
    );
    let p = Parser::cloudfront_fields(header.as_bytes()).unwrap();
    let line = format!("{}\ttenant-1\t123456", cloudfront_doc());
    assert_eq!(cause_of(&owned(&p, line)), Some(Cause::DnsResolution));
    let reordered = "#Fields: sc-status date time cs-method cs-uri-stem x-host-header x-edge-detailed-result-type time-taken";
    let p = Parser::cloudfront_fields(reordered.as_bytes()).unwrap();
    let r = owned(
        &p,
        "504\t2026-11-25\t01:27:19\tGET\t/api\tshop.example\tOriginCommError\t30.001".into(),
    );
    assert_eq!(cause_of(&r), Some(Cause::UpstreamTimeoutRead));
    assert_eq!(r.host, Some(&b"shop.example"[..]));
    // A header without the fields logscan needs is not one.
    assert!(Parser::cloudfront_fields(b"#Fields: c-ip cs-method").is_none());
    assert!(Parser::cloudfront_fields(b"#Version: 1.0").is_none());
    // A line with fewer columns than the header names through sc-status.
    assert!(p.parse(b"504\t2026-11-25").is_err());
    // Other comment lines, bad dates and statuses.
    let d = Parser::cloudfront();
    assert!(d.parse(b"# a comment").is_err());
    assert!(
        d.parse(
            cloudfront_doc()
                .replace("2019-12-13", "2019-13-13")
                .as_bytes()
        )
        .is_err()
    );
    assert!(
        d.parse(cloudfront_doc().replace("\t502\t", "\t5O2\t").as_bytes())
            .is_err()
    );
    assert!(d.parse(b"").is_err());
}

#[test]
fn cloudfront_every_result_type() {
    for &(kind, cause) in CLOUDFRONT_TYPES {
        for status in ["502", "503", "504"] {
            let line = cloudfront_doc()
                .replace("OriginDnsError", kind)
                .replace("\t502\t", &format!("\t{status}\t"));
            let r = owned(&Parser::cloudfront(), line);
            let f = r.failure.unwrap_or_else(|| panic!("{kind} {status}"));
            let expected = match (cause, status) {
                (Cause::UpstreamRefused, "504") => Cause::UpstreamTimeoutConnect,
                _ => cause,
            };
            assert_eq!(f.cause, expected, "{kind} {status}");
            assert_eq!(f.variant, Some(kind));
        }
    }
    // A 5xx with no origin failure type is the origin's own answer; 000 a client abort.
    let origin = cloudfront_doc().replace("OriginDnsError", "Error");
    assert_eq!(
        cause_of(&owned(&Parser::cloudfront(), origin)),
        Some(Cause::OriginErrorResponse)
    );
    let hit = cloudfront_doc()
        .replace("OriginDnsError", "Hit")
        .replace("\t502\t", "\t503\t");
    assert_eq!(
        cause_of(&owned(&Parser::cloudfront(), hit)),
        Some(Cause::OriginErrorResponse)
    );
    let aborted = cloudfront_doc()
        .replace("\t502\t", "\t000\t")
        .replace("OriginDnsError", "Error");
    let r = owned(&Parser::cloudfront(), aborted);
    assert_eq!(r.status, Some(0));
    assert_eq!(cause_of(&r), Some(Cause::ClientAbort));
    let ok = cloudfront_doc()
        .replace("\t502\t", "\t200\t")
        .replace("OriginDnsError", "Miss");
    assert_eq!(cause_of(&owned(&Parser::cloudfront(), ok)), None);
    // OriginCommError after 10 or 20 s: connection timeouts; after 30 s: ambiguous, read.
    for (took, cause) in [
        ("10.012", Cause::UpstreamTimeoutConnect),
        ("20.004", Cause::UpstreamTimeoutConnect),
        ("30.001", Cause::UpstreamTimeoutRead),
        ("4.2", Cause::UpstreamTimeoutRead),
    ] {
        let line = cloudfront_doc()
            .replace("OriginDnsError", "OriginCommError")
            .replace("\t502\t", "\t504\t")
            .replace("\t0.103\t-", &format!("\t{took}\t-"));
        assert_eq!(
            cause_of(&owned(&Parser::cloudfront(), line)),
            Some(cause),
            "{took}"
        );
    }
}

// --- Cloudflare --------------------------------------------------------------------------

fn cloudflare_line(status: u16, origin: u16, extra: &str) -> String {
    format!(
        r#"{{"ClientIP":"198.51.100.4","ClientRequestHost":"shop.example","ClientRequestMethod":"GET","ClientRequestURI":"/api/items?id=3","EdgeStartTimestamp":1764000000000000000,"EdgeEndTimestamp":1764000019020000000,"EdgeResponseStatus":{status},"OriginResponseStatus":{origin},"OriginIP":"203.0.113.7","RayID":"8e1f5a3c9b2d4e6f"{extra}}}"#
    )
}

#[test]
fn cloudflare_every_5xx_code() {
    for &(code, status, cause, phase) in CLOUDFLARE_CODES {
        let r = owned(&Parser::cloudflare(), cloudflare_line(status, 0, ""));
        let f = r.failure.unwrap();
        assert_eq!(
            (f.cause, f.phase, f.variant),
            (cause, Some(phase), Some(code))
        );
        assert_eq!(f.peer, Some(&b"203.0.113.7"[..]));
    }
    let r = owned(&Parser::cloudflare(), cloudflare_line(522, 0, ""));
    assert_eq!(r.duration_us, Some(19_020_000));
    assert_eq!(
        r.time.unwrap().to_string(),
        "2025-11-24T16:00:19.020000+00:00"
    );
    assert_eq!(r.origin_status, None);
    assert_eq!(r.trace_id, Some(&b"8e1f5a3c9b2d4e6f"[..]));
    assert_eq!(r.target, Some(&b"/api/items?id=3"[..]));
    use Cause as C;
    for (status, origin, extra, cause) in [
        (502, 502, "", Some(C::OriginErrorResponse)),
        (500, 500, "", Some(C::OriginErrorResponse)),
        (503, 503, "", Some(C::OriginErrorResponse)),
        (502, 0, "", Some(C::EdgeInternalError)),
        (504, 0, "", Some(C::EdgeInternalError)),
        (
            500,
            0,
            r#","WorkerStatus":"exception""#,
            Some(C::EdgeFunctionError),
        ),
        (
            500,
            0,
            r#","WorkerStatus":"exceededCpu""#,
            Some(C::EdgeFunctionError),
        ),
        (
            500,
            0,
            r#","WorkerStatus":"ok""#,
            Some(C::EdgeInternalError),
        ),
        (499, 0, "", Some(C::ClientAbort)),
        (200, 200, "", None),
        (404, 404, "", None),
    ] {
        let r = owned(
            &Parser::cloudflare(),
            cloudflare_line(status, origin, extra),
        );
        assert_eq!(cause_of(&r), cause, "{status} {origin} {extra}");
    }
}

#[test]
fn cloudflare_timestamp_forms_missing_fields_and_wrong_types() {
    let p = Parser::cloudflare();
    for (start, end) in [
        ("1764000000000000000", "1764000019020000000"),
        ("1764000000", "1764000019.02"),
        (r#""2025-11-24T16:00:00Z""#, r#""2025-11-24T16:00:19.02Z""#),
        ("1764000000000", "1764000019020"),
    ] {
        let line = format!(
            r#"{{"EdgeStartTimestamp":{start},"EdgeEndTimestamp":{end},"EdgeResponseStatus":522}}"#
        );
        match p.parse(line.as_bytes()) {
            Ok(Record::Edge(r)) => {
                assert_eq!(r.time.unwrap().wall_seconds(), 1_764_000_019, "{line}");
                assert_eq!(cause_of(&r), Some(Cause::UpstreamTimeoutConnect));
            }
            // A fraction on a unix integer is not one of the documented forms.
            Err(e) if end.contains('.') && !end.contains('"') => {
                assert_eq!(
                    e.expected,
                    "EdgeEndTimestamp as a time (unixnano, unix or RFC 3339)"
                )
            }
            other => panic!("{line}: {other:?}"),
        }
    }
    // Only the start: the request's start time.
    let r = edge(
        &p,
        br#"{"EdgeStartTimestamp":"2025-11-24T16:00:00Z","RayID":"x"}"#,
    );
    assert!(r.time_is_start);
    assert_eq!((r.status, r.failure), (None, None));
    // Fields missing: still a request of the dataset.
    let r = edge(&p, br#"{"RayID":"3a6050bcbe121a87"}"#);
    assert_eq!(r.time, None);
    // Wrong JSON types: the typed fields make the line unrecognized, the others are left out.
    for (line, expected) in [
        (
            r#"{"EdgeResponseStatus":"bad","RayID":"x"}"#,
            "EdgeResponseStatus as a number",
        ),
        (
            r#"{"EdgeResponseStatus":70000}"#,
            "EdgeResponseStatus as an HTTP status",
        ),
        (
            r#"{"EdgeStartTimestamp":true}"#,
            "EdgeStartTimestamp as a time (unixnano, unix or RFC 3339)",
        ),
        (
            r#"{"ClientRequestHost":5,"RayID":"x"}"#,
            "ClientRequestHost as a string",
        ),
        (
            r#"{"ClientRequestURI":["/"],"RayID":"x"}"#,
            "ClientRequestURI as a string",
        ),
    ] {
        assert_eq!(
            p.parse(line.as_bytes()).unwrap_err().expected,
            expected,
            "{line}"
        );
    }
    let r = edge(
        &p,
        br#"{"EdgeResponseStatus":502,"OriginResponseStatus":0,"ClientIP":5,"RayID":{"a":1}}"#,
    );
    assert_eq!((r.client, r.trace_id), (None, None));
    assert_eq!(cause_of(&r), Some(Cause::EdgeInternalError));
    // String escapes stay as written.
    let r = edge(
        &p,
        br#"{"ClientRequestURI":"/a\"b","EdgeResponseStatus":200}"#,
    );
    assert_eq!(r.target, Some(&br#"/a\"b"#[..]));
    // Not JSON, truncated JSON, another program's JSON, a JSON array.
    for bad in [
        &b"not json"[..],
        br#"{"EdgeResponseStatus":502,"Ray"#,
        br#"{"log":"GET / HTTP/1.1\n","stream":"stdout","time":"2026-11-25T01:27:19Z"}"#,
        br#"[{"EdgeResponseStatus":502}]"#,
        br#"{"EdgeResponseStatus":502,"EdgeResponseStatus":503}"#,
        b"",
        b"\xff{",
    ] {
        assert!(p.parse(bad).is_err(), "{}", String::from_utf8_lossy(bad));
    }
}

// --- Google Cloud ------------------------------------------------------------------------

fn gcp_line(status: u16, details: &str, latency: &str) -> String {
    format!(
        r#"{{"httpRequest":{{"requestMethod":"GET","requestUrl":"https://shop.example/api/items?id=3","requestSize":"72","status":{status},"responseSize":"213","userAgent":"curl/8.5.0","remoteIp":"198.51.100.4","serverIp":"10.128.0.7","latency":"{latency}"}},"insertId":"1x2y3z","jsonPayload":{{"@type":"type.googleapis.com/google.cloud.loadbalancing.type.LoadBalancerLogEntry","statusDetails":"{details}","backendTargetProjectNumber":"projects/123"}},"logName":"projects/shop/logs/requests","resource":{{"type":"http_load_balancer","labels":{{"backend_service_name":"web-backend","forwarding_rule_name":"web-rule","project_id":"shop","target_proxy_name":"web-proxy","url_map_name":"web-map","zone":"global"}}}},"severity":"WARNING","timestamp":"2026-11-25T01:27:19.123456Z","trace":"projects/shop/traces/0123456789abcdef"}}"#
    )
}

#[test]
fn gcp_every_status_detail() {
    for &(detail, cause, phase) in GCP_DETAILS {
        let status = match cause {
            Cause::ClientAbort => 0,
            Cause::RateLimited => 502,
            _ => 502,
        };
        let r = owned(&Parser::gcp_lb(), gcp_line(status, detail, "0.002s"));
        let f = r.failure.unwrap_or_else(|| panic!("{detail}"));
        assert_eq!(
            (f.cause, f.phase, f.variant),
            (cause, phase, Some(detail)),
            "{detail}"
        );
    }
    let r = owned(
        &Parser::gcp_lb(),
        gcp_line(502, "failed_to_connect_to_backend", "0.002135s"),
    );
    assert_eq!(
        r.time.unwrap().to_string(),
        "2026-11-25T01:27:19.123456+00:00"
    );
    assert_eq!(r.duration_us, Some(2_135));
    assert_eq!(r.host, Some(&b"shop.example"[..]));
    assert_eq!(r.target, Some(&b"/api/items?id=3"[..]));
    assert_eq!(r.origin, Some(&b"10.128.0.7"[..]));
    assert_eq!(r.origin_group, Some(&b"web-backend"[..]));
    assert_eq!(
        r.trace_id,
        Some(&b"projects/shop/traces/0123456789abcdef"[..])
    );
    // A slow connect failure: a connect timeout, by time.
    let r = owned(
        &Parser::gcp_lb(),
        gcp_line(503, "failed_to_connect_to_backend", "10.001s"),
    );
    assert_eq!(cause_of(&r), Some(Cause::UpstreamTimeoutConnect));
    let r = owned(
        &Parser::gcp_lb(),
        gcp_line(503, "server_cert_not_yet_valid", "0.1s"),
    );
    assert_eq!(cause_of(&r), Some(Cause::TlsToUpstream));
    // The backend's own answer, and the rest.
    let r = owned(
        &Parser::gcp_lb(),
        gcp_line(503, "response_sent_by_backend", "0.3s"),
    );
    assert_eq!(
        (cause_of(&r), r.origin_status),
        (Some(Cause::OriginErrorResponse), Some(503))
    );
    let r = owned(
        &Parser::gcp_lb(),
        gcp_line(200, "response_sent_by_backend", "0.3s"),
    );
    assert_eq!(cause_of(&r), None);
    let r = owned(&Parser::gcp_lb(), gcp_line(502, "something_new", "0.3s"));
    assert_eq!(cause_of(&r), Some(Cause::EdgeInternalError));
    // Cloud Armor's 429 is not a 5xx.
    let r = owned(
        &Parser::gcp_lb(),
        gcp_line(429, "throttled_by_security_policy", "0.3s"),
    );
    assert_eq!(cause_of(&r), None);
}

#[test]
fn gcp_other_entries_and_wrong_types() {
    let p = Parser::gcp_lb();
    for (bad, expected) in [
        (
            r#"{"httpRequest":{"status":200},"resource":{"type":"cloud_run_revision"}}"#,
            "a load balancer's entry (LoadBalancerLogEntry, statusDetails, resource http_load_balancer)",
        ),
        (
            r#"{"jsonPayload":{"statusDetails":"backend_timeout"}}"#,
            "an httpRequest object",
        ),
        (
            r#"{"httpRequest":"x","jsonPayload":{"statusDetails":"x"}}"#,
            "a Cloud Logging entry (a JSON object; httpRequest, jsonPayload, resource objects)",
        ),
        (
            r#"{"httpRequest":{"status":"five"},"jsonPayload":{"statusDetails":"x"}}"#,
            "httpRequest.status as a number",
        ),
        (
            r#"{"httpRequest":{"latency":"2"},"jsonPayload":{"statusDetails":"x"}}"#,
            "httpRequest.latency as a duration (\"0.123s\")",
        ),
        (
            r#"{"httpRequest":{},"jsonPayload":{"statusDetails":7}}"#,
            "statusDetails as a string",
        ),
        (
            r#"{"httpRequest":{},"jsonPayload":{"statusDetails":"x"},"timestamp":"noon"}"#,
            "timestamp as an RFC 3339 time",
        ),
    ] {
        assert_eq!(
            p.parse(bad.as_bytes()).unwrap_err().expected,
            expected,
            "{bad}"
        );
    }
    assert!(p.parse(b"{\"httpRequest\":").is_err());
    // The resource type alone is enough.
    let r = edge(&p, br#"{"httpRequest":{"status":504,"requestUrl":"http://h/"},"resource":{"type":"http_load_balancer"}}"#);
    assert_eq!(cause_of(&r), Some(Cause::EdgeInternalError));
}

// --- detection ---------------------------------------------------------------------------

#[test]
fn each_edge_format_is_detected_from_its_lines() {
    let alb = alb_line("502", "10.0.1.15:8080", "-", 0.002, "-");
    let cf_header = format!("#Fields: {}", super::cloudfront::DEFAULT_FIELDS);
    let cf = cloudfront_doc();
    let cflare = cloudflare_line(522, 0, "");
    let gcp = gcp_line(502, "backend_timeout", "30.0s");
    let hap = haproxy_line("app/web1", "0/0/-1/-1/0", "503", "SC--");
    let samples: [(Vec<&[u8]>, crate::record::Format); 6] = [
        (
            vec![HAPROXY_DOC.as_bytes(), hap.as_bytes()],
            crate::record::Format::Haproxy,
        ),
        (
            vec![ALB_DOC.as_bytes(), alb.as_bytes()],
            crate::record::Format::AwsAlb,
        ),
        (
            vec![b"#Version: 1.0", cf_header.as_bytes(), cf.as_bytes()],
            crate::record::Format::CloudFront,
        ),
        (vec![cf.as_bytes()], crate::record::Format::CloudFront),
        (vec![cflare.as_bytes()], crate::record::Format::Cloudflare),
        (vec![gcp.as_bytes()], crate::record::Format::GcpLb),
    ];
    for (sample, format) in samples {
        let found = crate::detect::detect(&sample, None, &[]).unwrap();
        assert_eq!(found.parser.format(), format);
        assert_eq!(found.matched, sample.len(), "{format}");
    }
}
