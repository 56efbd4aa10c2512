//! Unit tests of the access-log formats: every built-in, every nginx variable and Apache
//! item that is typed, escapes, lists, trailing pairs and backtracking.

use super::*;
use crate::record::UpstreamFields;

fn nginx(format: &str) -> AccessFormat {
    AccessFormat::nginx(format).unwrap_or_else(|e| panic!("{format}: {e}"))
}

fn apache(format: &str) -> AccessFormat {
    AccessFormat::apache(format).unwrap_or_else(|e| panic!("{format}: {e}"))
}

fn ok<'a>(format: &AccessFormat, line: &'a str) -> AccessRecord<'a> {
    format
        .parse(line.as_bytes())
        .unwrap_or_else(|e| panic!("{line}\n{e}"))
}

fn s(v: Option<&[u8]>) -> Option<&str> {
    v.map(|v| std::str::from_utf8(v).unwrap())
}

const COMBINED_LINE: &str = r#"203.0.113.9 - alice [25/Nov/2026:01:29:10 +0100] "GET /api/items?page=2 HTTP/1.1" 502 157 "https://shop.example/" "Mozilla/5.0 (X11; Linux x86_64)""#;

#[test]
fn nginx_combined() {
    let f = AccessFormat::nginx_combined();
    assert_eq!(f.format(), Format::NginxAccess);
    assert_eq!(f.source(), nginx::COMBINED);
    let r = ok(&f, COMBINED_LINE);
    assert_eq!(r.format, Format::NginxAccess);
    assert_eq!(r.time.unwrap().to_string(), "2026-11-25T01:29:10+01:00");
    assert!(!r.time_is_start);
    assert_eq!(s(r.client), Some("203.0.113.9"));
    assert_eq!(s(r.user), Some("alice"));
    assert_eq!(s(r.request), Some("GET /api/items?page=2 HTTP/1.1"));
    assert_eq!(s(r.method), Some("GET"));
    assert_eq!(s(r.target), Some("/api/items?page=2"));
    assert_eq!(s(r.protocol), Some("HTTP/1.1"));
    assert_eq!(r.status, Some(502));
    assert_eq!(r.bytes_sent, Some(157));
    assert_eq!(s(r.referer), Some("https://shop.example/"));
    assert_eq!(s(r.user_agent), Some("Mozilla/5.0 (X11; Linux x86_64)"));
    assert!(r.upstream.is_empty());
    // Names and nginx.conf spellings give the same parser.
    for spelling in [
        "combined",
        "log_format combined '$remote_addr - $remote_user [$time_local] ' '\"$request\" $status $body_bytes_sent ' '\"$http_referer\" \"$http_user_agent\"';",
        "'$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent \"$http_referer\" \"$http_user_agent\"'",
    ] {
        assert_eq!(ok(&nginx(spelling), COMBINED_LINE), r, "{spelling}");
    }
}

#[test]
fn nginx_dashes_and_escapes() {
    let f = AccessFormat::nginx_combined();
    let r = ok(
        &f,
        r#"10.0.0.1 - - [25/Nov/2026:01:29:10 +0000] "GET /q?x=\x22a\x22 HTTP/1.1" 200 0 "-" "-""#,
    );
    assert_eq!(r.user, None);
    assert_eq!(r.referer, None);
    assert_eq!(r.user_agent, None);
    assert_eq!(r.bytes_sent, Some(0));
    assert_eq!(s(r.target), Some(r"/q?x=\x22a\x22"));
    // A request line that is garbage (TLS to a plain port), or `-`.
    let r = ok(
        &f,
        r#"10.0.0.1 - - [25/Nov/2026:01:29:10 +0000] "\x16\x03\x01\x00\xF4\x01" 400 157 "-" "-""#,
    );
    assert_eq!(r.status, Some(400));
    assert_eq!(s(r.request), Some(r"\x16\x03\x01\x00\xF4\x01"));
    assert_eq!((r.method, r.target, r.protocol), (None, None, None));
    let r = ok(
        &f,
        r#"10.0.0.1 - - [25/Nov/2026:01:29:10 +0000] "-" 400 0 "-" "-""#,
    );
    assert_eq!(r.request, None);
    // HTTP/0.9 style: no protocol.
    let r = ok(
        &f,
        r#"10.0.0.1 - - [25/Nov/2026:01:29:10 +0000] "GET /" 200 5 "-" "-""#,
    );
    assert_eq!(
        (s(r.method), s(r.target), r.protocol),
        (Some("GET"), Some("/"), None)
    );
    // Status 499 (client closed) and a `\"` written by escape=json.
    let r = ok(
        &f,
        r#"::1 - - [25/Nov/2026:01:29:10 -0800] "POST /a HTTP/2.0" 499 0 "-" "say \"hi\"""#,
    );
    assert_eq!(r.status, Some(499));
    assert_eq!(s(r.user_agent), Some(r#"say \"hi\""#));
    assert_eq!(r.time.unwrap().offset_seconds(), Some(-8 * 3600));
}

#[test]
fn nginx_rejects_lines_of_other_formats() {
    let f = AccessFormat::nginx_combined();
    for line in [
        "",
        "garbage",
        "2026/11/25 01:28:02 [error] 812#812: *97 upstream timed out",
        r#"10.0.0.1 - - [25/Nov/2026:01:29:10 +0000] "GET / HTTP/1.1" abc 0 "-" "-""#,
        r#"10.0.0.1 - - [32/Nov/2026:01:29:10 +0000] "GET / HTTP/1.1" 200 0 "-" "-""#,
        r#"10.0.0.1 - - [25/Nov/2026:01:29:10 +0000] "GET / HTTP/1.1" 200 0 "-" "-"junk"#,
        r#"10.0.0.1 - - [25/Nov/2026:01:29:10 +0000] "GET / HTTP/1.1" 200 0 "-" "-"#,
    ] {
        assert!(f.parse(line.as_bytes()).is_err(), "{line}");
    }
    let err = f.parse(b"10.0.0.1 - - [25/Nov/2026").unwrap_err();
    assert_eq!(err.expected, "a timestamp");
    assert_eq!(err.offset, 14);
}

const UPSTREAM_LINE: &str = r#"127.0.0.1 - - [25/Nov/2026:01:29:10 +0100] "GET /api/items HTTP/1.1" 502 157 "-" "curl/8.5.0" rt=3.012 uct="0.001, 0.002 : -" uht="-, 3.001 : -" urt="0.001, 3.002 : 0.000" ua="10.0.0.1:80, 10.0.0.2:80 : unix:/run/php/php8.2-fpm.sock" us="502, 504 : 502""#;

fn check_upstream_line(r: &AccessRecord<'_>) {
    assert_eq!(r.status, Some(502));
    assert_eq!(r.request_time_us, Some(3_012_000));
    assert_eq!(s(r.upstream.connect_time), Some("0.001, 0.002 : -"));
    assert_eq!(s(r.upstream.header_time), Some("-, 3.001 : -"));
    assert_eq!(s(r.upstream.response_time), Some("0.001, 3.002 : 0.000"));
    assert_eq!(
        s(r.upstream.addr),
        Some("10.0.0.1:80, 10.0.0.2:80 : unix:/run/php/php8.2-fpm.sock")
    );
    assert_eq!(s(r.upstream.status), Some("502, 504 : 502"));
    assert_eq!(r.upstream.tries(), 3);
    assert_eq!(r.upstream.last_status(), Some(502));
    assert_eq!(r.upstream.total_response_time_us(), Some(3_003_000));
}

#[test]
fn nginx_upstream_format_explicit_and_as_trailing_pairs() {
    let explicit = nginx(nginx::UPSTREAM);
    let r = ok(&explicit, UPSTREAM_LINE);
    check_upstream_line(&r);
    let combined = AccessFormat::nginx_combined();
    let (r2, quality) = combined.parse_quality(UPSTREAM_LINE.as_bytes()).unwrap();
    check_upstream_line(&r2);
    assert_eq!(quality.junk, 0);
    assert_eq!(r, r2);
    // The nginx.conf spelling of the same format (as in the fixtures' labels).
    let conf = r#"log_format upstream '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" rt=$request_time uct="$upstream_connect_time" uht="$upstream_header_time" urt="$upstream_response_time" ua="$upstream_addr" us="$upstream_status"';"#;
    assert_eq!(ok(&nginx(conf), UPSTREAM_LINE), r);
}

#[test]
fn trailing_pairs() {
    let f = AccessFormat::nginx_combined();
    let base = r#"1.2.3.4 - - [25/Nov/2026:01:29:10 +0100] "GET / HTTP/1.1" 200 5 "-" "-""#;
    let line = format!(
        "{base} request_time=0.5 upstream_response_time=0.4 ua=10.0.0.1:80, 10.0.0.2:80 us=502, 200 vhost=shop.example cs=MISS request_id=abc123 unknown=1 upstream_connect_time=\"0.010\""
    );
    let (r, q) = f.parse_quality(line.as_bytes()).unwrap();
    assert_eq!(q.junk, 0);
    assert_eq!(r.request_time_us, Some(500_000));
    assert_eq!(s(r.upstream.response_time), Some("0.4"));
    assert_eq!(s(r.upstream.addr), Some("10.0.0.1:80, 10.0.0.2:80"));
    assert_eq!(s(r.upstream.status), Some("502, 200"));
    assert_eq!(s(r.upstream.connect_time), Some("0.010"));
    assert_eq!(s(r.host), Some("shop.example"));
    assert_eq!(s(r.request_id), Some("abc123"));
    // Words that are not pairs are tolerated, but counted.
    let line = format!("{base} \"10.9.8.7\" rt=0.1 junk");
    let (r, q) = f.parse_quality(line.as_bytes()).unwrap();
    assert_eq!(q.junk, 2);
    assert_eq!(r.request_time_us, Some(100_000));
    // An unparsable typed value is junk, not an error.
    let line = format!("{base} rt=abc");
    let (r, q) = f.parse_quality(line.as_bytes()).unwrap();
    assert_eq!((r.request_time_us, q.junk), (None, 1));
    // An unterminated quote.
    let (_, q) = f
        .parse_quality(format!("{base} ua=\"x").as_bytes())
        .unwrap();
    assert_eq!(q.junk, 1);
    // Values from the format win over pairs.
    let g = nginx(r#"$remote_addr [$time_local] "$request" $status $request_time"#);
    let r = ok(
        &g,
        r#"1.2.3.4 [25/Nov/2026:01:29:10 +0100] "GET / HTTP/1.1" 200 0.250 rt=9.0"#,
    );
    assert_eq!(r.request_time_us, Some(250_000));
}

#[test]
fn nginx_main_with_forwarded_for() {
    let main = nginx("main");
    let line = format!("{COMBINED_LINE} \"198.51.100.7, 10.0.0.1\"");
    let r = ok(&main, &line);
    // $remote_addr is the client; X-Forwarded-For only when nothing better is logged.
    assert_eq!(s(r.client), Some("203.0.113.9"));
    let xff_only = nginx(r#""$http_x_forwarded_for" [$time_local] $status"#);
    let r = ok(
        &xff_only,
        r#""198.51.100.7, 10.0.0.1" [25/Nov/2026:01:29:10 +0100] 200"#,
    );
    assert_eq!(s(r.client), Some("198.51.100.7"));
    let r = ok(&xff_only, r#""-" [25/Nov/2026:01:29:10 +0100] 200"#);
    assert_eq!(r.client, None);
    // Unquoted X-Forwarded-For is read as a list.
    let unquoted = nginx("$http_x_forwarded_for $status");
    let r = ok(&unquoted, "198.51.100.7, 10.0.0.1 200");
    assert_eq!((s(r.client), r.status), (Some("198.51.100.7"), Some(200)));
    // The combined parser reads main lines, with the extra field as junk.
    let (_, q) = AccessFormat::nginx_combined()
        .parse_quality(line.as_bytes())
        .unwrap();
    assert_eq!(q.junk, 1);
}

#[test]
fn main_ext_unquoted_lists() {
    // FMT_MAIN_EXT of the fixtures: upstream lists unquoted between spaces.
    let f = nginx(
        r#"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_time $upstream_addr $upstream_status $upstream_response_time $host"#,
    );
    let r = ok(
        &f,
        r#"127.0.0.1 - - [25/Nov/2026:01:29:10 +0100] "GET /x HTTP/1.1" 504 167 "-" "curl/8.5.0" 6.004 127.0.0.1:19021, 127.0.0.1:19022 : unix:/x 504, 504 : 200 3.001, 3.002 : 0.001 shop.example"#,
    );
    assert_eq!(r.request_time_us, Some(6_004_000));
    assert_eq!(
        s(r.upstream.addr),
        Some("127.0.0.1:19021, 127.0.0.1:19022 : unix:/x")
    );
    assert_eq!(s(r.upstream.status), Some("504, 504 : 200"));
    assert_eq!(s(r.upstream.response_time), Some("3.001, 3.002 : 0.001"));
    assert_eq!(s(r.host), Some("shop.example"));
    let r = ok(
        &f,
        r#"127.0.0.1 - - [25/Nov/2026:01:29:10 +0100] "GET / HTTP/1.1" 200 615 "-" "curl/8.5.0" 0.000 - - - localhost"#,
    );
    assert_eq!(s(r.upstream.addr), Some("-"));
    assert_eq!(r.upstream.tries(), 0);
    assert!(r.upstream.is_empty());
    assert_eq!(r.upstream.last_status(), None);
    assert_eq!(s(r.host), Some("localhost"));
    // The last variable ends at a space: pairs may follow.
    let r = ok(
        &f,
        r#"127.0.0.1 - - [25/Nov/2026:01:29:10 +0100] "GET / HTTP/1.1" 200 615 "-" "curl/8.5.0" 0.000 - - - localhost rid=42"#,
    );
    assert_eq!(s(r.request_id), Some("42"));
}

#[test]
fn ingress_nginx_default() {
    let f = AccessFormat::ingress_nginx();
    assert_eq!(f.source(), nginx::INGRESS);
    let line = r#"192.168.49.1 - - [25/Nov/2026:10:00:00 +0000] "GET /api HTTP/2.0" 503 190 "-" "curl/8.5.0" 38 0.002 [default-web-80] [] 10.244.0.7:8080, 10.244.0.8:8080 0, 0 0.001, 0.001 503, 503 6f1a9c0e4e0b2b1d5c1a0e5f3a2b1c0d"#;
    let r = ok(&f, line);
    assert_eq!(s(r.client), Some("192.168.49.1"));
    assert_eq!(r.status, Some(503));
    assert_eq!(r.request_time_us, Some(2_000));
    assert_eq!(s(r.upstream_name), Some("default-web-80"));
    assert_eq!(s(r.upstream.addr), Some("10.244.0.7:8080, 10.244.0.8:8080"));
    assert_eq!(s(r.upstream.response_length), Some("0, 0"));
    assert_eq!(s(r.upstream.response_time), Some("0.001, 0.001"));
    assert_eq!(s(r.upstream.status), Some("503, 503"));
    assert_eq!(s(r.request_id), Some("6f1a9c0e4e0b2b1d5c1a0e5f3a2b1c0d"));
    // No endpoints: upstream `-` or a 503 from the default backend, alternative name set.
    let line = r#"192.168.49.1 - - [25/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 503 190 "-" "curl/8.5.0" 73 0.000 [default-web-80] [canary-web-80] - - - - 0d6e3b0c"#;
    let r = ok(&f, line);
    assert_eq!(s(r.upstream.addr), Some("-"));
    assert_eq!(r.upstream.last_status(), None);
    assert_eq!(ok(&nginx("upstreaminfo"), line), r);
}

#[test]
fn nginx_every_typed_variable() {
    let f = nginx(concat!(
        "$realip_remote_addr|$remote_addr|$remote_user|$time_iso8601|$request_method|",
        "$request_uri|$server_protocol|$status|$bytes_sent|$body_bytes_sent|$http_referer|",
        "$http_user_agent|$http_host|$host|$server_name|$request_time|$request_length|",
        "$connection|$request_id|$upstream_addr|$upstream_status|$upstream_response_time|",
        "$upstream_connect_time|$upstream_header_time|$upstream_response_length|",
        "$proxy_upstream_name|$proxy_alternative_upstream_name|$req_id|$msec|$pipe|",
        "${upstream_cache_status}|$sent_http_content_type|$args"
    ));
    let r = ok(
        &f,
        concat!(
            "10.0.0.1|203.0.113.9|bob|2026-11-25T01:29:10+01:00|POST|/a?b=1|HTTP/1.1|504|",
            "900|700|-|curl|shop.example:8080|shop.example|_|60.001|512|",
            "4711|9f2c|10.0.0.5:8080|504|60.000|0.001|-|0|",
            "ns-svc-80||rq1|1795566550.123|.|MISS|text/html; charset=utf-8|b=1"
        ),
    );
    assert_eq!(s(r.client), Some("203.0.113.9"));
    assert_eq!(s(r.user), Some("bob"));
    assert_eq!(s(r.method), Some("POST"));
    assert_eq!(s(r.target), Some("/a?b=1"));
    assert_eq!(s(r.protocol), Some("HTTP/1.1"));
    assert_eq!(r.status, Some(504));
    assert_eq!(
        r.bytes_sent,
        Some(700),
        "$body_bytes_sent wins over $bytes_sent"
    );
    assert_eq!(r.referer, None);
    assert_eq!(s(r.user_agent), Some("curl"));
    assert_eq!(s(r.host), Some("shop.example"), "$host wins");
    assert_eq!(r.request_time_us, Some(60_001_000));
    assert_eq!(r.connection, Some(4711));
    assert_eq!(
        s(r.request_id),
        Some("9f2c"),
        "$request_id wins over $req_id"
    );
    assert_eq!(
        r.upstream,
        UpstreamFields {
            addr: Some(b"10.0.0.5:8080"),
            status: Some(b"504"),
            response_time: Some(b"60.000"),
            connect_time: Some(b"0.001"),
            header_time: Some(b"-"),
            response_length: Some(b"0"),
        }
    );
    assert_eq!(s(r.upstream_name), Some("ns-svc-80"));
    // $msec is more precise than $time_iso8601; the offset of the latter is kept.
    let time = r.time.unwrap();
    assert_eq!(time.unix_seconds(), Some(1_795_566_550));
    assert_eq!(time.micros(), 123_000);
    assert_eq!(time.offset_seconds(), Some(3600));
}

#[test]
fn nginx_low_priority_sources() {
    let f = nginx("$realip_remote_addr $server_name $http_host $req_id $uri $msec");
    let r = ok(&f, "10.0.0.1 _ shop.example:80 abc /a%20b 1795566550.5");
    assert_eq!(s(r.client), Some("10.0.0.1"));
    assert_eq!(s(r.host), Some("shop.example:80"));
    assert_eq!(s(r.request_id), Some("abc"));
    assert_eq!(s(r.target), Some("/a%20b"));
    assert_eq!(
        r.time.unwrap().to_string(),
        "2026-11-25T00:29:10.500000+00:00"
    );
    let f = nginx("$server_name $request_uri $uri");
    let r = ok(&f, "_ /raw?x /decoded");
    assert_eq!(s(r.host), Some("_"));
    assert_eq!(s(r.target), Some("/raw?x"));
    // `$uri?$args` and `$uri$is_args$args` are one target.
    let f = nginx(r#""$request_method $uri?$args" $status"#);
    let r = ok(&f, r#""GET /a?b=1&c=2" 200"#);
    assert_eq!(
        (s(r.method), s(r.target)),
        (Some("GET"), Some("/a?b=1&c=2"))
    );
    let f = nginx(r#""$uri?$query_string" $query_string $status"#);
    let r = ok(&f, r#""/a?b=1" b=1 200"#);
    assert_eq!((s(r.target), r.status), (Some("/a?b=1"), Some(200)));
    let f = nginx(r#""$uri$is_args$args" $status"#);
    let r = ok(&f, r#""/a?b=1" 200"#);
    assert_eq!(s(r.target), Some("/a?b=1"));
    // A request line and separate parts: the parts win.
    let f = nginx(r#""$request" $request_method $server_protocol"#);
    let r = ok(&f, r#""GET /x HTTP/1.0" HEAD HTTP/1.1"#);
    assert_eq!(s(r.method), Some("HEAD"));
    assert_eq!(s(r.target), Some("/x"));
    assert_eq!(s(r.protocol), Some("HTTP/1.1"));
    assert_eq!(s(r.request), Some("GET /x HTTP/1.0"));
}

#[test]
fn json_escaped_format() {
    let f = nginx(
        r#"escape=json '{"time":"$time_iso8601","client":"$remote_addr","request":"$request","status":$status,"rt":$request_time,"ua":"$upstream_addr","us":"$upstream_status","agent":"$http_user_agent"}'"#,
    );
    let r = ok(
        &f,
        r#"{"time":"2026-11-25T01:29:10+01:00","client":"10.0.0.1","request":"GET /\"q\" HTTP/1.1","status":502,"rt":0.004,"ua":"10.0.0.5:80, 10.0.0.6:80","us":"502, 502","agent":""}"#,
    );
    assert_eq!(s(r.request), Some(r#"GET /\"q\" HTTP/1.1"#));
    assert_eq!(r.status, Some(502));
    assert_eq!(r.request_time_us, Some(4_000));
    assert_eq!(s(r.upstream.addr), Some("10.0.0.5:80, 10.0.0.6:80"));
    assert_eq!(r.user_agent, None, "json logs absent values as empty");
}

#[test]
fn backtracking_over_raw_quotes() {
    // escape=none: a raw `"` inside the user agent and the request line.
    let f = AccessFormat::nginx_combined();
    let r = ok(
        &f,
        r#"1.2.3.4 - - [25/Nov/2026:01:29:10 +0100] "GET /a" b HTTP/1.1" 200 5 "-" "-""#,
    );
    assert_eq!(s(r.request), Some(r#"GET /a" b HTTP/1.1"#));
    // Text left after the format is not a reason to backtrack (else `combined` would
    // swallow `main`'s `"$http_x_forwarded_for"` into the user agent): the user agent
    // stops at the first quote that leaves a space-separated tail, counted as junk.
    let (r, q) = f
        .parse_quality(
            br#"1.2.3.4 - - [25/Nov/2026:01:29:10 +0100] "GET / HTTP/1.1" 200 5 "-" "x "quoted" y""#,
        )
        .unwrap();
    assert_eq!(s(r.user_agent), Some(r#"x "quoted"#));
    assert_eq!(q.junk, 1);
    let main_line = format!(r#"{COMBINED_LINE} "198.51.100.7""#);
    let (r, q) = f.parse_quality(main_line.as_bytes()).unwrap();
    assert_eq!(s(r.user_agent), Some("Mozilla/5.0 (X11; Linux x86_64)"));
    assert_eq!(q.junk, 1);
    // Unquoted text with spaces followed by a typed field.
    let f = nginx("$http_user_agent $status $request_time");
    let r = ok(&f, "Mozilla 5.0 (X11) 200 0.001");
    assert_eq!(s(r.user_agent), Some("Mozilla 5.0 (X11)"));
    assert_eq!(r.status, Some(200));
}

#[test]
fn adjacent_and_final_variables() {
    let f = nginx("$status$body_bytes_sent");
    assert!(f.parse(b"200").is_ok());
    let f = nginx("[$time_local]$remote_addr");
    let r = ok(&f, "[25/Nov/2026:01:29:10 +0100]1.2.3.4");
    assert_eq!(s(r.client), Some("1.2.3.4"));
    // A final text variable takes the rest of the line.
    let f = nginx("$status $http_user_agent");
    let r = ok(&f, "200 Mozilla 5.0 rt=1");
    assert_eq!(s(r.user_agent), Some("Mozilla 5.0 rt=1"));
}

// ---------------------------------------------------------------- Apache

const APACHE_LINE: &str = r#"203.0.113.9 - alice [25/Nov/2026:01:29:10 +0100] "GET /api/items?page=2 HTTP/1.1" 502 157 "https://shop.example/" "Mozilla/5.0 (X11; Linux x86_64)""#;

#[test]
fn apache_combined() {
    let f = AccessFormat::apache_combined();
    assert_eq!(f.format(), Format::ApacheAccess);
    let r = ok(&f, APACHE_LINE);
    assert_eq!(r.format, Format::ApacheAccess);
    assert!(r.time_is_start, "Apache %t is the request start");
    assert_eq!(r.time.unwrap().to_string(), "2026-11-25T01:29:10+01:00");
    assert_eq!(s(r.client), Some("203.0.113.9"));
    assert_eq!(s(r.user), Some("alice"));
    assert_eq!(s(r.target), Some("/api/items?page=2"));
    assert_eq!(r.status, Some(502));
    assert_eq!(r.bytes_sent, Some(157));
    assert_eq!(s(r.user_agent), Some("Mozilla/5.0 (X11; Linux x86_64)"));
    for spelling in [
        "combined",
        r#""%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\"""#,
        r#"LogFormat "%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\"" combined"#,
        r#"%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\""#,
    ] {
        let g = apache(spelling);
        let r2 = ok(&g, APACHE_LINE);
        assert_eq!(r2, r, "{spelling}");
    }
}

#[test]
fn apache_escapes_and_zero_bytes() {
    let f = AccessFormat::apache_combined();
    let line =
        r#"::1 - - [25/Nov/2026:01:29:10 +0100] "GET /a\"b\\ HTTP/1.1" 304 - "-" "ua \"x\" \x7f""#;
    let (r, q) = f.parse_quality(line.as_bytes()).unwrap();
    assert_eq!(s(r.target), Some(r#"/a\"b\\"#));
    assert_eq!(
        r.bytes_sent, None,
        "%b logs - for zero bytes: left out like any -"
    );
    assert!(q.dash_bytes);
    assert_eq!(s(r.user_agent), Some(r#"ua \"x\" \x7f"#));
    // %B writes 0, and `-` is absent there.
    let g = apache("%B %O");
    assert_eq!(ok(&g, "- 0").bytes_sent, None);
    assert_eq!(ok(&g, "12 300").bytes_sent, Some(12));
}

#[test]
fn apache_builtins() {
    let common = apache("common");
    let r = ok(
        &common,
        r#"10.0.0.1 - - [25/Nov/2026:01:29:10 +0100] "GET / HTTP/1.1" 200 45"#,
    );
    assert_eq!((r.status, r.bytes_sent), (Some(200), Some(45)));
    let combinedio = apache("combinedio");
    let line = format!("{APACHE_LINE} 412 1290");
    let r = ok(&combinedio, &line);
    assert_eq!(r.bytes_sent, Some(157), "%b wins over %O");
    let vhost = apache("vhost_combined");
    let r = ok(
        &vhost,
        r#"shop.example:443 203.0.113.9 - - [25/Nov/2026:01:29:10 +0100] "GET / HTTP/1.1" 503 299 "-" "curl/8.5.0""#,
    );
    assert_eq!(s(r.host), Some("shop.example"));
    assert_eq!(s(r.client), Some("203.0.113.9"));
    assert_eq!(r.bytes_sent, Some(299));
    let timing = apache(apache::COMBINED_D);
    let line = format!("{APACHE_LINE} 60012345");
    let r = ok(&timing, &line);
    assert_eq!(r.request_time_us, Some(60_012_345));
    assert!(apache("referer").parse(b"https://a.example/ -> /x").is_ok());
    assert_eq!(
        s(ok(&apache("agent"), "curl/8.5.0 (x)").user_agent),
        Some("curl/8.5.0 (x)")
    );
}

#[test]
fn apache_every_item() {
    let f = apache(concat!(
        "%a|%{c}a|%h|%A|%l|%u|%t|%r|%>s|%<s|%s|%b|%B|%O|%I|%S|%D|%T|%{ms}T|%{us}T|%{s}T|",
        "%v|%V|%p|%{remote}p|%P|%{tid}P|%m|%U%q|%H|%X|%k|%L|%f|%R|%{Referer}i|%{User-Agent}i|",
        "%{Content-Type}o|%{HOME}e|%{note}n|%{sid}C|%{X}^ti|%{X}^to|%^FB|%{SSL_PROTOCOL}x|%%"
    ));
    let r = ok(
        &f,
        concat!(
            "203.0.113.9|10.0.0.1|host.example|10.0.0.2|-|bob|[25/Nov/2026:01:29:10 +0100]|",
            "GET /x HTTP/1.1|503|200|200|-|0|512|300|812|1500|0|1|1500|0|",
            "vhost|shop.example|443|51234|4321|140234567890432|POST|/p?q=1|HTTP/2.0|+|3|",
            "YFx1AAAB|/var/www/index.php|proxy-server|https://r.example/|Go-http-client/1.1|",
            "text/html; charset=UTF-8|/root|n|abc|-|-|1200|TLSv1.3|%"
        ),
    );
    assert_eq!(s(r.client), Some("203.0.113.9"), "%a wins");
    assert_eq!(s(r.user), Some("bob"));
    assert!(r.time_is_start);
    assert_eq!(s(r.request), Some("GET /x HTTP/1.1"));
    assert_eq!(r.status, Some(503), "%>s wins");
    assert_eq!(
        r.bytes_sent, None,
        "%b wins over %B and %O, and its - is left out"
    );
    assert_eq!(r.request_time_us, Some(1500), "%D wins");
    assert_eq!(s(r.host), Some("shop.example"), "%V wins");
    assert_eq!(s(r.method), Some("POST"), "%m wins over %r");
    assert_eq!(s(r.target), Some("/x"), "%r wins over %U");
    assert_eq!(s(r.protocol), Some("HTTP/2.0"), "%H wins over %r");
    assert_eq!(s(r.request_id), Some("YFx1AAAB"));
    assert_eq!(s(r.referer), Some("https://r.example/"));
    assert_eq!(s(r.user_agent), Some("Go-http-client/1.1"));
}

#[test]
fn apache_durations_and_parts() {
    assert_eq!(ok(&apache("%T"), "3").request_time_us, Some(3_000_000));
    assert_eq!(ok(&apache("%{s}T"), "3").request_time_us, Some(3_000_000));
    assert_eq!(ok(&apache("%{ms}T"), "3").request_time_us, Some(3_000));
    assert_eq!(ok(&apache("%{us}T"), "3").request_time_us, Some(3));
    assert_eq!(
        ok(&apache("%D %T"), "3500000 3").request_time_us,
        Some(3_500_000)
    );
    // %U%q without %r is the target; %h then; %{Host}i beats %v.
    let r = ok(
        &apache("%h %m %U%q %H %{Host}i %v"),
        "1.2.3.4 GET /a?b HTTP/1.1 shop vh",
    );
    assert_eq!(s(r.client), Some("1.2.3.4"));
    assert_eq!(s(r.target), Some("/a?b"));
    assert_eq!(s(r.host), Some("shop"));
    // X-Forwarded-For as client when nothing else; X-Request-ID; UNIQUE_ID.
    let r = ok(
        &apache(r#""%{X-Forwarded-For}i" %{X-Request-ID}i %>s"#),
        r#""198.51.100.1, 10.0.0.1" rid-1 200"#,
    );
    assert_eq!(
        (s(r.client), s(r.request_id)),
        (Some("198.51.100.1"), Some("rid-1"))
    );
    let r = ok(&apache("%{UNIQUE_ID}e %{X-Request-ID}i"), "uid rid");
    assert_eq!(s(r.request_id), Some("uid"));
}

#[test]
fn apache_conditions_and_escapes_in_the_format() {
    let f = apache(r#"%h %!200,304{Referer}i %400,501{User-Agent}i %>s\t%{c}h%%"#);
    let r = ok(&f, "1.2.3.4 - curl 501\t1.2.3.4%");
    assert_eq!(r.referer, None);
    assert_eq!(s(r.user_agent), Some("curl"));
    assert_eq!(r.status, Some(501));
    let f = apache(r#"%h\n%>s \q"#);
    assert!(f.parse(b"1.2.3.4\n200 \\q").is_ok());
}

#[test]
fn apache_time_formats() {
    let f = apache("[%{%d/%b/%Y:%H:%M:%S %z}t] %>s");
    let r = ok(&f, "[25/Nov/2026:01:29:10 +0100] 200");
    assert_eq!(r.time.unwrap().to_string(), "2026-11-25T01:29:10+01:00");
    assert!(r.time_is_start);
    let f = apache("[%{end:%d/%b/%Y:%H:%M:%S}t.%{end:msec_frac}t %{end:%z}t] %>s");
    let r = ok(&f, "[25/Nov/2026:01:29:10.042 +0100] 200");
    assert_eq!(
        r.time.unwrap().to_string(),
        "2026-11-25T01:29:10.042000+01:00"
    );
    assert!(!r.time_is_start, "end: is the end of the request");
    let f = apache("%{begin:%Y-%m-%d %H:%M:%S}t.%{usec_frac}t %>s");
    let r = ok(&f, "2026-11-25 01:29:10.000042 200");
    assert_eq!(r.time.unwrap().to_string(), "2026-11-25T01:29:10.000042");
    assert!(r.time_is_start);
    for (item, line) in [
        ("%{sec}t", "1795566550"),
        ("%{msec}t", "1795566550000"),
        ("%{usec}t", "1795566550000000"),
    ] {
        let line = format!("{line} 200");
        let r = ok(&apache(&format!("{item} %>s")), &line);
        assert_eq!(
            r.time.unwrap().unix_seconds(),
            Some(1_795_566_550),
            "{item}"
        );
    }
    assert!(AccessFormat::apache("%{%Q}t").is_err());
}

#[test]
fn syntax_detection() {
    let n = AccessFormat::detect_syntax("$remote_addr [$time_local] $status").unwrap();
    assert_eq!(n.format(), Format::NginxAccess);
    let a = AccessFormat::detect_syntax("%h %t %>s").unwrap();
    assert_eq!(a.format(), Format::ApacheAccess);
    for (text, format) in [
        ("combined", Format::NginxAccess),
        ("upstreaminfo", Format::NginxAccess),
        ("common", Format::ApacheAccess),
        ("vhost_combined", Format::ApacheAccess),
        ("combinedio", Format::ApacheAccess),
        ("log_format x '$status';", Format::NginxAccess),
        ("escape=json '$status'", Format::NginxAccess),
        (r#"LogFormat "%h %>s" x"#, Format::ApacheAccess),
        ("%{Referer}i $x %>s", Format::ApacheAccess),
    ] {
        assert_eq!(
            AccessFormat::detect_syntax(text).unwrap().format(),
            format,
            "{text}"
        );
    }
    assert!(AccessFormat::detect_syntax("no items").is_err());
    // Built-in sources round-trip through detect_syntax.
    for f in [
        AccessFormat::nginx_combined(),
        AccessFormat::ingress_nginx(),
        AccessFormat::apache_combined(),
    ] {
        let again = AccessFormat::detect_syntax(f.source()).unwrap();
        assert_eq!(again.format(), f.format(), "{}", f.source());
    }
}

#[test]
fn builtins_all_compile_to_real_formats() {
    for f in builtin_access_formats() {
        assert!(
            !matches!(&*f.items, [Item::Lit(l)] if &**l == b"\0"),
            "{}",
            f.source()
        );
    }
}

#[test]
fn no_panic_on_odd_inputs() {
    let formats = builtin_access_formats();
    let lines: [&[u8]; 8] = [
        b"",
        b" ",
        b"\"",
        b"\\",
        b"- - [",
        b"1.2.3.4 - - [25/Nov/2026:01:29:10 +0100] \"",
        b"1.2.3.4 - - [25/Nov/2026:01:29:10 +0100] \"\\\" \\\" \\\"",
        &[0xff, 0xfe, b'"', b' ', b'"'],
    ];
    for f in &formats {
        for line in lines {
            let _ = f.parse(line);
        }
    }
}

#[test]
fn token_fields_reject_spaces() {
    // vhost_combined read as Apache combined would put `host:port ip` in the client field.
    let line = br#"shop.example:443 203.0.113.9 - - [25/Nov/2026:01:29:10 +0100] "GET / HTTP/1.1" 200 5 "-" "-""#;
    assert!(AccessFormat::apache_combined().parse(line).is_err());
    assert!(apache(apache::VHOST_COMBINED).parse(line).is_ok());
    // A user's `$remote_addr` is one address.
    assert!(nginx(nginx::COMBINED).parse(line).is_err());
    // The built-in nginx `combined` reads the leading field loosely, and says so.
    let (r, q) = AccessFormat::nginx_combined().parse_quality(line).unwrap();
    assert!(q.loose);
    assert_eq!(s(r.client), Some("203.0.113.9"));
    assert_eq!(s(r.host), Some("shop.example:443"));
    // Opaque variables may contain spaces.
    let r = ok(
        &nginx("$sent_http_content_type $status"),
        "text/html; charset=utf-8 200",
    );
    assert_eq!(r.status, Some(200));
}

#[test]
fn trailing_keys_are_case_insensitive_long_or_short() {
    let f = AccessFormat::nginx_combined();
    let line = format!(
        "{COMBINED_LINE} RT=1.5 UPSTREAM_STATUS=\"502\" Upstream_Addr=\"10.0.0.5:80\" upstream_response_length=0 X_Request_ID=abc CS=HIT"
    );
    let (r, q) = f.parse_quality(line.as_bytes()).unwrap();
    assert_eq!(q.junk, 0);
    assert_eq!(r.request_time_us, Some(1_500_000));
    assert_eq!(r.upstream.last_status(), Some(502));
    assert_eq!(s(r.upstream.addr), Some("10.0.0.5:80"));
    assert_eq!(s(r.upstream.response_length), Some("0"));
    assert_eq!(s(r.request_id), Some("abc"));
    assert_eq!(
        pair_key(b"a_key_longer_than_32_bytes_is_unknown_here"),
        None
    );
    assert_eq!(pair_key(b"upstreamx"), None);
}

mod straight_reading {
    //! The straight reading of the built-in formats' head gives what the generic matcher
    //! gives, on real lines and on lines mutated around their separators.
    use super::*;
    use proptest::prelude::*;

    const LINES: [&[u8]; 18] = [
        br#"10.0.4.127 - - [25/Nov/2026:00:00:00 +0000] "GET /product/2-blue-widget.php HTTP/1.1" 200 21464 "-" "python-requests/2.31.0" 2047918"#,
        br#"10.0.0.7 ident frank [25/Nov/2026:00:00:00 -0700] "POST /api HTTP/1.1" 503 - "https://shop.example.test/" "curl/7.88.1" 4102967"#,
        br#"::1 - - [25/Nov/2026:00:00:00 +0000] "GET / HTTP/1.1" 200 45 "-" "Mozilla/5.0 \"x\"" 312 5120"#,
        br#"10.0.4.127 - - [25/Nov/2026:00:00:00 +0000] "GET /product/2-blue-widget.php HTTP/1.1" 200 21464 "-" "python-requests/2.31.0" rt=2.047 uct="0.000" uht="2.047" urt="2.047" ua="unix:/run/php/php8.2-fpm.sock" us="200""#,
        br#"10.0.0.7 - bob [25/Nov/2026:00:00:01 +0100] "POST /api/orders/1055/status HTTP/1.1" 504 167 "https://shop.example.test/" "curl/7.88.1" rt=60.001 uct="0.001, 0.000" uht="-, -" urt="30.000, 30.001" ua="10.0.1.14:8080, 10.0.1.15:8080" us="504, 504""#,
        br#"10.0.4.127 - - [25/Nov/2026:00:00:00 +0000] "GET /product/2-blue-widget.php HTTP/1.1" 200 21464 "-" "python-requests/2.31.0" 851 2.047 [shop-php-80] [] 10.244.1.3:9000 21464 2.047 200 ce084b9341631fb3b984715f41493824"#,
        br#"203.0.113.9, 10.0.0.2 - - [25/Nov/2026:00:00:02 +0000] "GET /a\"b HTTP/2.0" 502 0 "-" "Mozilla/5.0 (X11; \"quoted\")" "198.51.100.4, 10.0.0.1""#,
        br#"example.com 10.0.0.2 - - [25/Nov/2026:00:00:03 +0000] "\x16\x03\x01" 400 157 "-" "-""#,
        br#"::1 - - [25/Nov/2026:00:00:04 -0500] "GET / HTTP/1.0" 499 0 "-" "-" rt=0.500 ua="-" us="-" extra junk"#,
        br#"10.0.0.3 - - [25/Nov/2026:00:00:05 +0000] "GET /x?y=1 HTTP/1.1" 200 12 "-" "ua" rt="1.5" uct="0" urt="1.2 : 0.3" ua="a:1 : b:2" us="200 : 502""#,
        br#"10.0.0.4 - - [25/Nov/2026:00:00:06 +0000] "GET /x HTTP/1.1" 503 - "-" "ua" 10 0.003 [ns-svc-80] [alt] 10.0.0.9:80, 10.0.0.8:80 0, 0 0.001, 0.002 502, 503 abc"#,
        // ingress-nginx's default format, as the controller writes it: an upstream that
        // refused, two tries that timed out, a client gone before any upstream, an
        // internal redirect (` : `), a quoted user agent with an escaped quote in it.
        br#"192.168.49.1 - - [25/Nov/2026:10:00:00 +0000] "GET /api HTTP/2.0" 503 190 "-" "curl/8.5.0" 38 0.002 [default-web-80] [] 10.244.0.7:8080 0 0.001 503 6f1a9c0e4e0b2b1d"#,
        br#"10.244.0.1 - - [25/Nov/2026:10:00:01 +0000] "POST /api/orders HTTP/1.1" 504 160 "https://shop.example.test/cart" "Mozilla/5.0 (X11; Linux x86_64) \"q\"" 912 60.002 [shop-api-8080] [] 10.244.1.5:8080, 10.244.1.6:8080 0, 0 30.001, 30.001 504, 504 8c3f9a1b2d4e5f60718293a4b5c6d7e8"#,
        br#"10.244.0.1 - alice [25/Nov/2026:10:00:02 +0000] "GET /slow HTTP/1.1" 499 0 "-" "-" 431 0.000 [default-web-80] [default-web-canary-80] - - - - 1f2e3d4c5b6a79880716253443526170"#,
        br#"10.244.0.1 - - [25/Nov/2026:10:00:03 +0000] "GET /old HTTP/1.1" 200 5120 "-" "ua" 431 0.004 [default-web-80] [] 10.244.1.7:80 : 10.244.1.8:80 0 : 5120 0.001 : 0.003 302 : 200 9a8b7c6d5e4f30211203948576a6b5c4"#,
        // The upstream-timing pairs read straight after `combined`: an escaped quote and an
        // empty value in them, two out of their usual order, a value without its closing
        // quote.
        br#"10.0.0.8 - - [25/Nov/2026:00:00:07 +0000] "GET /p HTTP/1.1" 502 0 "-" "ua" rt=0.010 uct="" uht="-" urt="0.010" ua="x\"y:80" us="502""#,
        br#"10.0.0.9 - - [25/Nov/2026:00:00:08 +0000] "GET /p HTTP/1.1" 200 5 "-" "ua" rt=0.002 uct="0.000" urt="0.002" uht="0.001" us="200" ua="10.0.1.2:80""#,
        br#"10.0.0.9 - - [25/Nov/2026:00:00:09 +0000] "GET /p HTTP/1.1" 504 5 "-" "ua" rt=x uct="0.000" uht="0.001" urt="0.002" ua="10.0.1.2:80 us="504"#,
    ];

    /// Bytes that matter to the matcher, and some that do not.
    const ALPHABET: &[u8] = b"  \"\"\\[]-=,:.0123456789aZ/\t\x00\xff";

    /// Formats as users write them, with literals of their own.
    const USER_FORMATS: [&str; 3] = [
        "$remote_addr | $time_iso8601 | $status | \"$request\" | $upstream_response_time",
        "%h %l %u %t \"%r\" %>s %b {%{Host}i} %D",
        "$remote_addr - [$time_local] $status $request_time",
    ];

    /// `line` with `edits` made: (where, insert / remove / replace, which byte of
    /// [`ALPHABET`]).
    fn mutated(line: &[u8], edits: &[(usize, u8, usize)]) -> Vec<u8> {
        let mut line = line.to_vec();
        for &(at, kind, byte) in edits {
            let at = at % (line.len() + 1);
            let byte = ALPHABET[byte];
            match kind {
                0 => line.insert(at, byte),
                1 if at < line.len() => {
                    line.remove(at);
                }
                _ if at < line.len() => line[at] = byte,
                _ => line.push(byte),
            }
        }
        line
    }

    fn formats_with_head() -> Vec<AccessFormat> {
        builtin_access_formats()
            .into_iter()
            .filter(|f| f.head.is_some())
            .collect()
    }

    fn same(formats: &[AccessFormat], line: &[u8]) -> Result<(), TestCaseError> {
        for format in formats {
            let straight = format.parse_quality(line).ok();
            let mut rec = format.blank_record();
            let generic = format
                .parse_generic(line, &mut rec)
                .ok()
                .map(|quality| (rec, quality));
            // A line read holds every byte the format's literals need.
            prop_assert!(
                straight.is_none() || format.may_read(&mut Probe::new(line)),
                "{}",
                String::from_utf8_lossy(line)
            );
            prop_assert_eq!(straight, generic, "{}", String::from_utf8_lossy(line));
        }
        Ok(())
    }

    #[test]
    fn the_head_is_recognised_in_the_builtin_formats_that_have_it() {
        let with_head: Vec<String> = builtin_access_formats()
            .iter()
            .filter(|f| f.head.is_some())
            .map(|f| f.source().to_owned())
            .collect();
        assert_eq!(
            with_head,
            [
                nginx::COMBINED,
                nginx::UPSTREAM,
                nginx::MAIN,
                nginx::INGRESS,
                apache::COMBINED,
                apache::COMBINEDIO,
                apache::COMBINED_D
            ]
            .map(str::to_owned)
        );
        let custom =
            AccessFormat::nginx("$remote_addr - $remote_user [$time_local] \"$request\" $status")
                .unwrap();
        assert!(custom.head.is_none());
        // Only ingress-nginx's tail is read straight too.
        let with_tail: Vec<String> = builtin_access_formats()
            .iter()
            .filter(|f| f.head.as_ref().is_some_and(|h| h.tail().is_some()))
            .map(|f| f.source().to_owned())
            .collect();
        assert_eq!(with_tail, [nginx::INGRESS]);
    }

    /// The choices of each head field the one-pass reading ([`fast::Head::read_plain`])
    /// takes or hands back: everyday values, and beside them every shape it must refuse
    /// or read exactly as the searches do (escaped quotes, empty fields, `-`, odd spacing,
    /// numbers too long, invalid UTF-8).
    const CLIENTS: [&[u8]; 7] = [
        b"10.0.0.1",
        b"::1",
        b"",
        b"10.0.0.2, 81.2.69.143",
        b"\"10.0.0.2\" 10.0.0.1",
        b"example.com 10.0.0.2",
        b"10.0.0.1 -",
    ];
    const USERS: [&[u8]; 6] = [b"-", b"bob", b"", b"a b", b"-[", b"x\xff"];
    const TIMES: [&[u8]; 6] = [
        b"25/Nov/2026:00:00:00 +0000",
        b"25/Nov/2026:00:00:01 +0000",
        b"25/Nov/2026:00:00:01 -0130",
        b"31/Feb/2026:00:00:00 +0000",
        b"25/Nov/2026:00:00:0x +0000",
        b"25/Nov/2026:00:00:00",
    ];
    const REQUESTS: [&[u8]; 16] = [
        b"GET /product/2-blue-widget.php HTTP/1.1",
        b"POST /api/orders/1055/status HTTP/2.0",
        b"HEAD / HTTP/1.0",
        b"GET /x HTTP/2",
        b"GET /a b HTTP/1.1",
        b"GET  HTTP/1.1",
        b"GET HTTP/1.1",
        b"GET /x HTTP/1.1 x",
        b"get /x http/1.1",
        b"-",
        b"",
        b"\\x16\\x03\\x01",
        b"GET /a\\\"b HTTP/1.1",
        b"GET /a\\",
        b"GET /a\" b HTTP/1.1",
        b"GET /\xc3\x28 HTTP/1.1",
    ];
    const STATUSES: [&[u8]; 6] = [b"200", b"502", b"-", b"2000", b"20x", b""];
    const BYTES: [&[u8]; 8] = [
        b"21464",
        b"0",
        b"-",
        b"",
        b"18446744073709551615",
        b"18446744073709551616",
        b"1234567890123456789",
        b"12 3",
    ];
    const REFERERS: [&[u8]; 7] = [
        b"-",
        b"",
        b"https://shop.example.test/",
        b"a\\\"b",
        b"a\\",
        b"x\" \"y",
        b"\xff\xfe",
    ];
    const AGENTS: [&[u8]; 6] = [
        b"curl/7.88.1",
        b"",
        b"-",
        b"Mozilla/5.0 (X11; \\\"q\\\")",
        b"ua\\",
        b"\xc3\x28 bad utf-8",
    ];
    const ENDS: [&[u8]; 5] = [
        b"",
        b" rt=0.004 uct=\"0.000\" uht=\"0.004\" urt=\"0.004\" ua=\"10.0.1.12:8080\" us=\"200\"",
        b" 4102967",
        b" \"10.0.0.1\"",
        b"x",
    ];

    /// A line from one choice of each field, with the given separator between the words
    /// (a single space, or odd spacing).
    fn built_line(choice: [usize; 9], space: &[u8]) -> Vec<u8> {
        let pick = |list: &[&[u8]], i: usize| list[i % list.len()].to_vec();
        [
            pick(&CLIENTS, choice[0]),
            space.to_vec(),
            b"-".to_vec(),
            space.to_vec(),
            pick(&USERS, choice[1]),
            space.to_vec(),
            b"[".to_vec(),
            pick(&TIMES, choice[2]),
            b"]".to_vec(),
            space.to_vec(),
            b"\"".to_vec(),
            pick(&REQUESTS, choice[3]),
            b"\"".to_vec(),
            space.to_vec(),
            pick(&STATUSES, choice[4]),
            space.to_vec(),
            pick(&BYTES, choice[5]),
            space.to_vec(),
            b"\"".to_vec(),
            pick(&REFERERS, choice[6]),
            b"\"".to_vec(),
            space.to_vec(),
            b"\"".to_vec(),
            pick(&AGENTS, choice[7]),
            b"\"".to_vec(),
            pick(&ENDS, choice[8]),
        ]
        .concat()
    }

    #[test]
    fn every_field_choice_reads_the_same_both_ways() {
        let formats = formats_with_head();
        // Each choice of one field, the others at their everyday value.
        let sizes = [
            CLIENTS.len(),
            USERS.len(),
            TIMES.len(),
            REQUESTS.len(),
            STATUSES.len(),
            BYTES.len(),
            REFERERS.len(),
            AGENTS.len(),
            ENDS.len(),
        ];
        let mut plain = 0;
        for (field, &size) in sizes.iter().enumerate() {
            for value in 0..size {
                let mut choice = [0; 9];
                choice[field] = value;
                for space in [&b" "[..], b"  ", b"\t"] {
                    let line = built_line(choice, space);
                    same(&formats, &line).unwrap();
                    // The cut lines too.
                    for cut in [1, 10, 30, 60, line.len() / 2, line.len() - 1] {
                        same(&formats, &line[..cut.min(line.len())]).unwrap();
                    }
                    plain += formats
                        .iter()
                        .filter(|f| {
                            let head = f.head.as_ref().unwrap();
                            let mut rec = f.blank_record();
                            let mut parts = TimeParts::default();
                            let mut quality = Quality::default();
                            head.read_plain(&line, &mut rec, &mut parts, &mut quality)
                                .is_some()
                        })
                        .count();
                }
            }
        }
        // The everyday values are read in one pass (and not all lines are refused).
        assert!(plain >= 250, "{plain}");
    }

    #[test]
    fn real_lines_read_the_same_both_ways() {
        let formats = formats_with_head();
        let mut read_straight = 0;
        for line in LINES {
            same(&formats, line).unwrap();
            read_straight += formats
                .iter()
                .filter(|f| {
                    f.head
                        .as_ref()
                        .is_some_and(|h| f.parse_straight(h, line, &mut f.blank_record()).is_some())
                })
                .count();
        }
        // Most of them are taken by the straight reading, not handed back.
        assert!(read_straight >= 11, "{read_straight}");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]
        #[test]
        fn mutated_lines_read_the_same_both_ways(
            which in 0..LINES.len(),
            edits in prop::collection::vec((0usize..400, 0u8..3, 0..ALPHABET.len()), 1..6),
        ) {
            same(&formats_with_head(), &mutated(LINES[which], &edits))?;
        }

        /// Every format, users' ones too, reads only lines that hold the bytes its
        /// literals need (what `Parser::may_read` relies on).
        #[test]
        fn a_line_read_holds_the_bytes_its_format_needs(
            which in 0..LINES.len(),
            edits in prop::collection::vec((0usize..400, 0u8..3, 0..ALPHABET.len()), 0..6),
        ) {
            let line = mutated(LINES[which], &edits);
            let mut formats = builtin_access_formats();
            formats.extend(USER_FORMATS.iter().map(|f| {
                AccessFormat::detect_syntax(f).unwrap_or_else(|e| panic!("{f}: {e}"))
            }));
            for format in &formats {
                if format.parse_quality(&line).is_ok() {
                    prop_assert!(format.may_read(&mut Probe::new(&line)), "{}: {}", format.source(), String::from_utf8_lossy(&line));
                }
            }
        }

        #[test]
        fn lines_of_random_field_choices_read_the_same_both_ways(
            choice in prop::array::uniform9(0usize..16),
            spacing in 0usize..3,
        ) {
            let space = [&b" "[..], b"  ", b"\t"][spacing];
            same(&formats_with_head(), &built_line(choice, space))?;
        }

        #[test]
        fn random_lines_read_the_same_both_ways(
            line in prop::collection::vec(prop::sample::select(ALPHABET), 0..120),
        ) {
            same(&formats_with_head(), &line)?;
        }
    }
}
