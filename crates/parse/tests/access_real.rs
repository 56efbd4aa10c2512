//! Lines written by real servers (nginx 1.22.1, Apache httpd 2.4.71; copied from
//! `fixtures/<server>/<scenario>/`), parsed with the formats the servers were configured
//! with, and format detection on samples of them.

#![allow(clippy::unwrap_used)]

use logscan_parse::detect::{builtin_parsers, detect};
use logscan_parse::{AccessRecord, Format, Parser, Record};

/// `log_format upstream` of fixtures/capture.sh (nginx.conf spelling).
const NGINX_UPSTREAM: &str = r#"log_format upstream '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" rt=$request_time uct="$upstream_connect_time" uht="$upstream_header_time" urt="$upstream_response_time" ua="$upstream_addr" us="$upstream_status"';"#;
/// `log_format main_ext` of fixtures/capture.sh.
const NGINX_MAIN_EXT: &str = r#"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_time $upstream_addr $upstream_status $upstream_response_time $host"#;
/// `LogFormat ... timing` of fixtures/capture.sh.
const APACHE_TIMING: &str = r#"%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\" %D"#;

fn access<'a>(parser: &Parser, line: &'a str) -> AccessRecord<'a> {
    match parser.parse(line.as_bytes()) {
        Ok(Record::Access(record)) => record,
        other => panic!("{line}\n{other:?}"),
    }
}

fn s(v: Option<&[u8]>) -> Option<&str> {
    v.map(|v| std::str::from_utf8(v).unwrap())
}

// nginx/client_abort/access.log
const NGINX_499: &str = r#"127.0.0.1 - - [25/Nov/2026:09:45:06 +0000] "POST /api/orders HTTP/1.1" 499 0 "-" "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36""#;
// nginx/no_live_upstreams/access_upstream.log: both servers tried.
const NGINX_RETRIES: &str = r#"127.0.0.1 - - [25/Nov/2026:09:44:46 +0000] "GET /api/items?category=books&sort=price HTTP/1.1" 502 157 "-" "python-requests/2.31.0" rt=0.000 uct="-, -" uht="-, -" urt="0.000, 0.000" ua="127.0.0.1:19115, 127.0.0.1:19116" us="502, 502""#;
// nginx/healthy/access_upstream.log: PHP-FPM over a unix socket.
const NGINX_FPM: &str = r#"127.0.0.1 - - [25/Nov/2026:09:45:25 +0000] "GET /index.php?page=32 HTTP/1.1" 200 70 "-" "python-requests/2.31.0" rt=0.001 uct="0.000" uht="0.001" urt="0.001" ua="unix:/tmp/logscan-capture/nginx/healthy/run/php-fpm.sock" us="200""#;
// nginx/proxy_config_error/access_upstream.log: FastCGI bytes sent to an HTTP port.
const NGINX_GARBAGE: &str = r#"127.0.0.1 - - [25/Nov/2026:09:45:09 +0000] "\x01\x01\x00\x01\x00\x08\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x01\x04\x00\x01\x03\x22\x06\x00\x0C\x0CQUERY_STRINGaction=login\x0E\x04REQUEST_METHODPOST\x0C\x10CONTENT_TYPEapplication/json\x0E\x02CONTENT_LENGTH20\x0B" 400 157 "-" "-" rt=0.000 uct="-" uht="-" urt="-" ua="-" us="-""#;
// nginx/client_abort/access_upstream.log
const NGINX_ABORT: &str = r#"127.0.0.1 - - [25/Nov/2026:09:45:06 +0000] "POST /api/orders HTTP/1.1" 499 0 "-" "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36" rt=0.987 uct="0.000" uht="-" urt="0.987" ua="127.0.0.1:19132" us="-""#;
// nginx/connect_timeout/access_upstream.log
const NGINX_504: &str = r#"127.0.0.1 - - [25/Nov/2026:09:44:42 +0000] "GET /api/items?category=books&sort=price HTTP/1.1" 504 569 "-" "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36" rt=1.001 uct="-" uht="-" urt="1.001" ua="127.0.0.1:19105" us="504""#;
// nginx/no_live_upstreams/access_main_ext.log: unquoted lists; then the group name.
const NGINX_EXT_RETRIES: &str = r#"127.0.0.1 - - [25/Nov/2026:09:44:46 +0000] "GET /api/items?category=books&sort=price HTTP/1.1" 502 157 "-" "python-requests/2.31.0" 0.000 127.0.0.1:19115, 127.0.0.1:19116 502, 502 0.000, 0.000 127.0.0.1"#;
const NGINX_EXT_NO_LIVE: &str = r#"127.0.0.1 - - [25/Nov/2026:09:44:46 +0000] "GET /api/items HTTP/1.1" 502 559 "-" "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36" 0.000 backend 502 0.000 shop.example.test"#;
// apache/php_fatal/access.log: `%b` is `-` for an empty body.
const APACHE_DASH: &str = r#"127.0.0.1 - - [25/Nov/2026:09:47:38 +0000] "POST /warn_fatal.php HTTP/1.1" 500 - "-" "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1""#;
// apache/refused/access.log
const APACHE_503: &str = r#"127.0.0.1 - - [25/Nov/2026:09:47:27 +0000] "GET /api/items?category=books&sort=price HTTP/1.1" 503 339 "https://shop.example.test/cart" "curl/7.88.1""#;
// apache/read_timeout/access_timing.log
const APACHE_TIMING_LINE: &str = r#"127.0.0.1 - - [25/Nov/2026:09:47:28 +0000] "GET /api/users?id=14 HTTP/1.1" 502 381 "https://shop.example.test/cart" "curl/7.88.1" 2005193"#;

#[test]
fn nginx_combined_real() {
    let parser = Parser::nginx_combined();
    let r = access(&parser, NGINX_499);
    assert_eq!(r.format, Format::NginxAccess);
    assert_eq!(r.status, Some(499));
    assert_eq!(r.bytes_sent, Some(0));
    assert_eq!(s(r.client), Some("127.0.0.1"));
    assert_eq!(r.user, None);
    assert_eq!(s(r.method), Some("POST"));
    assert_eq!(s(r.target), Some("/api/orders"));
    assert_eq!(r.time.unwrap().to_string(), "2026-11-25T09:45:06+00:00");
    assert!(!r.time_is_start);
}

#[test]
fn nginx_upstream_real_explicit_and_trailing() {
    let explicit = Parser::nginx_access(NGINX_UPSTREAM).unwrap();
    let combined = Parser::nginx_combined();
    for line in [
        NGINX_RETRIES,
        NGINX_FPM,
        NGINX_GARBAGE,
        NGINX_ABORT,
        NGINX_504,
    ] {
        assert_eq!(access(&explicit, line), access(&combined, line), "{line}");
    }
    let r = access(&explicit, NGINX_RETRIES);
    assert_eq!(r.status, Some(502));
    assert_eq!(r.request_time_us, Some(0));
    assert_eq!(r.upstream.tries(), 2);
    assert_eq!(
        r.upstream
            .addrs()
            .map(|v| s(v.value).unwrap())
            .collect::<Vec<_>>(),
        ["127.0.0.1:19115", "127.0.0.1:19116"]
    );
    assert_eq!(
        r.upstream.statuses().collect::<Vec<_>>(),
        [Some(502), Some(502)]
    );
    assert_eq!(s(r.upstream.connect_time), Some("-, -"));
    let r = access(&explicit, NGINX_FPM);
    assert_eq!(
        s(r.upstream.addr),
        Some("unix:/tmp/logscan-capture/nginx/healthy/run/php-fpm.sock")
    );
    assert_eq!(r.upstream.last_status(), Some(200));
    assert_eq!(r.upstream.total_response_time_us(), Some(1_000));
    let r = access(&explicit, NGINX_GARBAGE);
    assert_eq!(r.status, Some(400));
    assert_eq!(r.method, None);
    assert!(s(r.request).unwrap().starts_with(r"\x01\x01"));
    assert_eq!(s(r.upstream.addr), Some("-"));
    assert_eq!(r.upstream.tries(), 0); // nginx answered the garbage itself
    assert_eq!(r.upstream.addrs().next().unwrap().value, None);
    let r = access(&explicit, NGINX_ABORT);
    assert_eq!(r.status, Some(499));
    assert_eq!(r.request_time_us, Some(987_000));
    assert_eq!(r.upstream.last_status(), None);
    assert_eq!(r.upstream.total_response_time_us(), Some(987_000));
    let r = access(&explicit, NGINX_504);
    assert_eq!(r.request_time_us, Some(1_001_000));
    assert_eq!(r.upstream.last_status(), Some(504));
}

#[test]
fn nginx_main_ext_real() {
    let parser = Parser::nginx_access(NGINX_MAIN_EXT).unwrap();
    let r = access(&parser, NGINX_EXT_RETRIES);
    assert_eq!(s(r.upstream.addr), Some("127.0.0.1:19115, 127.0.0.1:19116"));
    assert_eq!(s(r.upstream.status), Some("502, 502"));
    assert_eq!(s(r.upstream.response_time), Some("0.000, 0.000"));
    assert_eq!(s(r.host), Some("127.0.0.1"));
    // `no live upstreams`: nginx logs the upstream group's name as the address.
    let r = access(&parser, NGINX_EXT_NO_LIVE);
    assert_eq!(s(r.upstream.addr), Some("backend"));
    assert_eq!(r.upstream.last_status(), Some(502));
    assert_eq!(s(r.host), Some("shop.example.test"));
}

#[test]
fn apache_real() {
    let combined = Parser::apache_access("combined").unwrap();
    let r = access(&combined, APACHE_DASH);
    assert_eq!(r.format, Format::ApacheAccess);
    assert!(r.time_is_start);
    assert_eq!(r.status, Some(500));
    assert_eq!(r.bytes_sent, None, "%b logs - for an empty body");
    let r = access(&combined, APACHE_503);
    assert_eq!(r.status, Some(503));
    assert_eq!(s(r.referer), Some("https://shop.example.test/cart"));
    let timing = Parser::apache_access(APACHE_TIMING).unwrap();
    let r = access(&timing, APACHE_TIMING_LINE);
    assert_eq!(r.status, Some(502));
    assert_eq!(r.request_time_us, Some(2_005_193));
    assert_eq!(r.time.unwrap().to_string(), "2026-11-25T09:47:28+00:00");
}

fn sample<'a>(lines: &[&'a str]) -> Vec<&'a [u8]> {
    lines.iter().map(|l| l.as_bytes()).collect()
}

#[test]
fn detects_nginx_formats() {
    let found = detect(&sample(&[NGINX_RETRIES, NGINX_FPM, NGINX_ABORT]), None, &[]).unwrap();
    assert_eq!(found.parser.format(), Format::NginxAccess);
    assert_eq!((found.matched, found.sampled), (3, 3));
    let lines = sample(&[NGINX_RETRIES]);
    let record = found.parser.parse(lines[0]).unwrap();
    let Record::Access(record) = record else {
        panic!()
    };
    assert_eq!(record.upstream.tries(), 2, "upstream fields are typed");
    // Plain combined with a 499: nginx even without a path.
    let found = detect(&sample(&[NGINX_499, APACHE_503]), None, &[]).unwrap();
    assert_eq!(found.parser.format(), Format::NginxAccess);
    // The unquoted lists of main_ext: a user-given format wins over combined + junk.
    let main_ext = Parser::nginx_access(NGINX_MAIN_EXT).unwrap();
    let ext = sample(&[NGINX_EXT_RETRIES, NGINX_EXT_NO_LIVE]);
    let found = detect(&ext, None, std::slice::from_ref(&main_ext)).unwrap();
    assert_eq!(found.parser.format_string(), Some(NGINX_MAIN_EXT));
    // Without it, combined still reads every line.
    let found = detect(&ext, None, &[]).unwrap();
    assert_eq!(found.parser.format(), Format::NginxAccess);
    assert_eq!(found.matched, 2);
}

#[test]
fn detects_distro_main_and_ingress() {
    let main = format!("{NGINX_499} \"198.51.100.7\"");
    let found = detect(&sample(&[&main, &main]), None, &[]).unwrap();
    assert!(
        found
            .parser
            .format_string()
            .unwrap()
            .ends_with("\"$http_x_forwarded_for\""),
        "{:?}",
        found.parser
    );
    let ingress = r#"192.168.49.1 - - [25/Nov/2026:10:00:00 +0000] "GET /api HTTP/2.0" 503 190 "-" "curl/8.5.0" 38 0.002 [default-web-80] [] 10.244.0.7:8080 0 0.001 503 6f1a9c0e4e0b2b1d"#;
    let found = detect(&sample(&[ingress]), None, &[]).unwrap();
    assert_eq!(
        found.parser.format_string(),
        Parser::ingress_nginx().format_string()
    );
}

#[test]
fn detects_apache_formats() {
    // `-` for zero bytes is Apache's.
    let found = detect(&sample(&[APACHE_503, APACHE_DASH]), None, &[]).unwrap();
    assert_eq!(found.parser.format(), Format::ApacheAccess);
    // `\"` escapes are Apache's.
    let escaped =
        r#"10.0.0.1 - - [25/Nov/2026:09:47:27 +0000] "GET /a\"b HTTP/1.1" 404 196 "-" "x""#;
    let found = detect(&sample(&[APACHE_503, escaped]), None, &[]).unwrap();
    assert_eq!(found.parser.format(), Format::ApacheAccess);
    // Same layout, no content sign: the path decides.
    let plain = sample(&[APACHE_503]);
    for (path, format) in [
        ("/var/log/apache2/access.log", Format::ApacheAccess),
        ("/var/log/httpd/access_log", Format::ApacheAccess),
        ("/var/log/nginx/access.log", Format::NginxAccess),
    ] {
        let found = detect(&plain, Some(path), &[]).unwrap();
        assert_eq!(found.parser.format(), format, "{path}");
    }
    // ... but content beats the path.
    let found = detect(&sample(&[APACHE_DASH]), Some("/var/log/nginx/x.log"), &[]).unwrap();
    assert_eq!(found.parser.format(), Format::ApacheAccess);
    // combined + %D.
    let found = detect(&sample(&[APACHE_TIMING_LINE]), None, &[]).unwrap();
    assert_eq!(found.parser.format(), Format::ApacheAccess);
    assert!(found.parser.format_string().unwrap().ends_with(" %D"));
    let record = found.parser.parse(APACHE_TIMING_LINE.as_bytes()).unwrap();
    let Record::Access(record) = record else {
        panic!()
    };
    assert_eq!(record.request_time_us, Some(2_005_193));
    // vhost_combined.
    let vhost = r#"shop.example.test:443 127.0.0.1 - - [25/Nov/2026:09:47:27 +0000] "GET / HTTP/1.1" 503 339 "-" "curl/7.88.1""#;
    let found = detect(&sample(&[vhost]), None, &[]).unwrap();
    assert!(found.parser.format_string().unwrap().starts_with("%v:%p"));
}

#[test]
fn detection_counts_and_nothing_found() {
    assert!(detect(&[], None, &[]).is_none());
    assert!(detect(&[b"", b"  ", b"\r"], None, &[]).is_none());
    assert!(
        detect(
            &[b"hello world", b"\xff\xfe"],
            Some("/var/log/nginx/x"),
            &[]
        )
        .is_none()
    );
    // Part of the lines parse: still found, counted.
    let lines = sample(&[NGINX_499, "garbage", "", NGINX_504]);
    let found = detect(&lines, None, &[]).unwrap();
    assert_eq!((found.matched, found.sampled), (2, 3));
    // Ties go to the caller's candidates.
    let mine = Parser::apache_access("combined").unwrap();
    let found = detect(&sample(&[NGINX_499]), None, std::slice::from_ref(&mine)).unwrap();
    assert_eq!(found.parser.format(), Format::ApacheAccess);
    // More parsed lines beat being a candidate.
    let common = Parser::apache_access("common").unwrap();
    let found = detect(&sample(&[NGINX_504]), None, std::slice::from_ref(&common)).unwrap();
    assert_eq!(found.parser.format(), Format::NginxAccess);
    // CRLF line ends.
    let crlf = format!("{NGINX_499}\r");
    let found = detect(&sample(&[&crlf]), None, &[]).unwrap();
    assert_eq!(found.matched, 1);
}

#[test]
fn builtin_parser_list() {
    let formats: Vec<Format> = builtin_parsers().iter().map(Parser::format).collect();
    assert_eq!(
        &formats[..3],
        [Format::NginxError, Format::ApacheError, Format::PhpFpm]
    );
    assert_eq!(
        formats
            .iter()
            .filter(|&&f| f == Format::NginxAccess)
            .count(),
        4
    );
    assert_eq!(
        formats
            .iter()
            .filter(|&&f| f == Format::ApacheAccess)
            .count(),
        6
    );
    // Every built-in access parser's format string compiles back to the same format.
    for parser in builtin_parsers() {
        if let Some(source) = parser.format_string() {
            assert_eq!(Parser::access(source).unwrap().format(), parser.format());
        }
    }
}
