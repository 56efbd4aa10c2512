//! One or more tests per cause id (the stable ids of [`Cause`]), asserting cause, phase, errno,
//! upstream and role. Lines marked "real" were written by nginx 1.22.1, Apache 2.4.71 and
//! PHP-FPM 8.2.36 (fixtures/<server>/<scenario>/); the others are built from the format
//! strings in the servers' sources.

use crate::{Cause, Errno, ErrorRecord, Failure, Parser, Phase, Record, Role};

#[track_caller]
fn parse_with<'a>(parser: &Parser, line: &'a str) -> ErrorRecord<'a> {
    match parser.parse(line.as_bytes()) {
        Ok(Record::Error(rec)) => rec,
        other => panic!("not an error record: {other:?}\n{line}"),
    }
}

#[track_caller]
fn nginx(line: &str) -> ErrorRecord<'_> {
    parse_with(&Parser::nginx_error(), line)
}

#[track_caller]
fn apache(line: &str) -> ErrorRecord<'_> {
    parse_with(&Parser::apache_error(), line)
}

#[track_caller]
fn fpm(line: &str) -> ErrorRecord<'_> {
    parse_with(&Parser::php_fpm(), line)
}

/// Asserts the failure of a record and returns it.
#[track_caller]
fn expect<'a>(
    rec: &ErrorRecord<'a>,
    cause: Cause,
    phase: Option<Phase>,
    errno: Option<Errno>,
    upstream: Option<&str>,
    role: Role,
) -> Failure<'a> {
    let Some(f) = rec.failure else {
        panic!("no failure in {rec:?}")
    };
    assert_eq!(f.cause, cause, "cause of {rec:?}");
    assert_eq!(f.phase, phase, "phase of {rec:?}");
    assert_eq!(f.errno, errno, "errno of {rec:?}");
    assert_eq!(
        f.peer.map(|u| String::from_utf8_lossy(u).into_owned()),
        upstream.map(str::to_owned),
        "upstream of {rec:?}"
    );
    assert_eq!(f.role, role, "role of {rec:?}");
    f
}

#[track_caller]
fn no_failure(rec: &ErrorRecord<'_>) {
    assert_eq!(rec.failure, None, "unexpected failure in {rec:?}");
}

use Role::{Cause as RCause, Context, Effect, Event};

// --- upstream_refused -----------------------------------------------------------------

#[test]
fn upstream_refused_nginx_real() {
    // real: fixtures/nginx/refused
    let rec = nginx(
        r#"2026/11/25 09:48:02 [error] 29504#29504: *2 connect() failed (111: Connection refused) while connecting to upstream, client: 127.0.0.1, server: shop.example.test, request: "GET /api/users?id=8 HTTP/1.1", upstream: "http://127.0.0.1:19101/api/users?id=8", host: "shop.example.test", referrer: "https://shop.example.test/cart""#,
    );
    let f = expect(
        &rec,
        Cause::UpstreamRefused,
        Some(Phase::Connect),
        Some(Errno::ConnRefused),
        Some("127.0.0.1:19101"),
        Event,
    );
    assert_eq!(f.protocol, Some(&b"http"[..]));
    assert_eq!(rec.referer, Some(&b"https://shop.example.test/cart"[..]));
}

#[test]
fn upstream_refused_stale_unix_socket_bsd_and_windows() {
    let rec = nginx(
        r#"2025/11/25 10:00:01 [error] 1234#0: *91 connect() to unix:/run/app.sock failed (111: Connection refused) while connecting to upstream, client: 198.51.100.4, server: _, request: "GET / HTTP/2.0", upstream: "http://unix:/run/app.sock:/", host: "shop.example""#,
    );
    expect(
        &rec,
        Cause::UpstreamRefused,
        Some(Phase::Connect),
        Some(Errno::ConnRefused),
        Some("unix:/run/app.sock"),
        Event,
    );
    // FreeBSD: kevent() + errno 61.
    let rec = nginx(
        r#"2025/11/25 10:00:01 [error] 77#0: *3 kevent() reported that connect() failed (61: Connection refused) while connecting to upstream, client: 10.0.0.9, server: a, request: "GET / HTTP/1.1", upstream: "http://10.0.0.5:8080/", host: "a""#,
    );
    expect(
        &rec,
        Cause::UpstreamRefused,
        Some(Phase::Connect),
        Some(Errno::ConnRefused),
        Some("10.0.0.5:8080"),
        Event,
    );
    // Windows: WSA code.
    let rec = nginx(
        r#"2025/11/25 10:00:01 [error] 4242#4250: *1 connect() failed (10061: No connection could be made because the target machine actively refused it) while connecting to upstream, client: 127.0.0.1, server: localhost, request: "GET / HTTP/1.1", upstream: "http://[::1]:8080/", host: "localhost""#,
    );
    expect(
        &rec,
        Cause::UpstreamRefused,
        Some(Phase::Connect),
        Some(Errno::ConnRefused),
        Some("[::1]:8080"),
        Event,
    );
}

#[test]
fn upstream_refused_apache_real_pair() {
    // real: fixtures/apache/refused
    let cause = apache(
        "[Wed Nov 25 09:51:08.083232 2026] [proxy:error] [pid 12671:tid 12673] (111)Connection refused: AH00957: http: attempt to connect to 127.0.0.1:19151 (127.0.0.1:19151) failed",
    );
    let f = expect(
        &cause,
        Cause::UpstreamRefused,
        Some(Phase::Connect),
        Some(Errno::ConnRefused),
        Some("127.0.0.1:19151"),
        RCause,
    );
    assert_eq!(f.protocol, Some(&b"http"[..]));
    assert_eq!(cause.code, Some(&b"AH00957"[..]));
    let effect = apache(
        "[Wed Nov 25 09:51:08.083309 2026] [proxy_http:error] [pid 12671:tid 12673] [client 127.0.0.1:41264] AH01114: HTTP: failed to make connection to backend: 127.0.0.1",
    );
    expect(
        &effect,
        Cause::UpstreamRefused,
        Some(Phase::Connect),
        None,
        Some("127.0.0.1"),
        Effect,
    );
    assert_eq!(effect.client, Some(&b"127.0.0.1"[..]));
    assert_eq!(effect.client_port, Some(41264));
    assert_eq!((effect.pid, effect.tid), (Some(12671), Some(12673)));
}

#[test]
fn upstream_refused_apache_22() {
    let rec = apache(
        "[Tue Nov 25 10:00:00 2025] [error] (111)Connection refused: proxy: HTTP: attempt to connect to 127.0.0.1:8080 (localhost) failed",
    );
    let f = expect(
        &rec,
        Cause::UpstreamRefused,
        Some(Phase::Connect),
        Some(Errno::ConnRefused),
        Some("127.0.0.1:8080"),
        RCause,
    );
    assert_eq!(f.protocol, Some(&b"http"[..]));
    assert_eq!(rec.module, None);
    assert_eq!(rec.code, None);
    let rec = apache(
        "[Tue Nov 25 10:00:00 2025] [error] [client 203.0.113.9] proxy: HTTP: failed to make connection to backend: localhost",
    );
    expect(
        &rec,
        Cause::UpstreamRefused,
        Some(Phase::Connect),
        None,
        Some("localhost"),
        Effect,
    );
    assert_eq!(rec.client, Some(&b"203.0.113.9"[..]));
    assert_eq!(rec.client_port, None);
}

// --- upstream_unreachable ---------------------------------------------------------------

#[test]
fn upstream_unreachable_glibc_musl_and_apache() {
    let rec = nginx(
        r#"2025/11/25 10:00:00 [error] 9#9: *1 connect() failed (113: No route to host) while connecting to upstream, client: 10.1.2.3, server: s, request: "GET / HTTP/1.1", upstream: "http://10.0.0.7:80/", host: "s""#,
    );
    expect(
        &rec,
        Cause::UpstreamUnreachable,
        Some(Phase::Connect),
        Some(Errno::HostUnreach),
        Some("10.0.0.7:80"),
        Event,
    );
    // Alpine (musl) spelling.
    let rec = nginx(
        r#"2025/11/25 10:00:00 [error] 9#9: *1 connect() failed (113: Host is unreachable) while connecting to upstream, client: 10.1.2.3, server: s, request: "GET / HTTP/1.1", upstream: "http://10.0.0.7:80/", host: "s""#,
    );
    expect(
        &rec,
        Cause::UpstreamUnreachable,
        Some(Phase::Connect),
        Some(Errno::HostUnreach),
        Some("10.0.0.7:80"),
        Event,
    );
    let rec = nginx(
        r#"2025/11/25 10:00:00 [error] 9#9: *1 connect() to [2001:db8::5]:8080 failed (101: Network unreachable) while connecting to upstream, client: 10.1.2.3, server: s, request: "GET / HTTP/1.1", upstream: "http://[2001:db8::5]:8080/", host: "s""#,
    );
    expect(
        &rec,
        Cause::UpstreamUnreachable,
        Some(Phase::Connect),
        Some(Errno::NetUnreach),
        Some("[2001:db8::5]:8080"),
        Event,
    );
    let rec = apache(
        "[Tue Nov 25 10:00:00.000001 2025] [proxy:error] [pid 4321:tid 140234567890432] (113)No route to host: AH00957: HTTP: attempt to connect to 10.0.0.7:80 (backend) failed",
    );
    expect(
        &rec,
        Cause::UpstreamUnreachable,
        Some(Phase::Connect),
        Some(Errno::HostUnreach),
        Some("10.0.0.7:80"),
        RCause,
    );
    assert_eq!(rec.tid, Some(140_234_567_890_432));
}

// --- upstream_timeout_connect -----------------------------------------------------------

#[test]
fn upstream_timeout_connect_real_and_tls_and_apache() {
    // real: fixtures/nginx/connect_timeout
    let rec = nginx(
        r#"2026/11/25 09:48:08 [error] 29956#29956: *1 upstream timed out (110: Connection timed out) while connecting to upstream, client: 127.0.0.1, server: shop.example.test, request: "POST /api/orders HTTP/1.1", upstream: "http://127.0.0.1:19105/api/orders", host: "shop.example.test""#,
    );
    expect(
        &rec,
        Cause::UpstreamTimeoutConnect,
        Some(Phase::Connect),
        Some(Errno::TimedOut),
        Some("127.0.0.1:19105"),
        Event,
    );
    // T5: the TLS handshake runs on proxy_connect_timeout.
    let rec = nginx(
        r#"2025/11/25 10:00:00 [error] 9#9: *1 upstream timed out (110: Connection timed out) while SSL handshaking to upstream, client: 10.1.2.3, server: s, request: "GET / HTTP/1.1", upstream: "https://10.0.0.7:443/", host: "s""#,
    );
    expect(
        &rec,
        Cause::UpstreamTimeoutConnect,
        Some(Phase::TlsHandshake),
        Some(Errno::TimedOut),
        Some("10.0.0.7:443"),
        Event,
    );
    let rec = apache(
        "[Tue Nov 25 10:00:00.000001 2025] [proxy:error] [pid 1:tid 2] (70007)The timeout specified has expired: AH00957: http: attempt to connect to 10.0.0.7:8080 (app:8080) failed",
    );
    expect(
        &rec,
        Cause::UpstreamTimeoutConnect,
        Some(Phase::Connect),
        Some(Errno::AprTimeup),
        Some("10.0.0.7:8080"),
        RCause,
    );
}

// --- upstream_timeout_read --------------------------------------------------------------

#[test]
fn upstream_timeout_read_real() {
    // real: fixtures/nginx/read_timeout
    let rec = nginx(
        r#"2026/11/25 09:48:05 [error] 29693#29693: *2 upstream timed out (110: Connection timed out) while reading response header from upstream, client: 127.0.0.1, server: shop.example.test, request: "POST /api/orders HTTP/1.1", upstream: "http://127.0.0.1:19103/api/orders", host: "shop.example.test""#,
    );
    expect(
        &rec,
        Cause::UpstreamTimeoutRead,
        Some(Phase::ReadHeader),
        Some(Errno::TimedOut),
        Some("127.0.0.1:19103"),
        Event,
    );
    // real: fixtures/apache/read_timeout
    let rec = apache(
        "[Wed Nov 25 09:47:30.734919 2026] [proxy_http:error] [pid 25842:tid 25846] (70007)The timeout specified has expired: [client 127.0.0.1:39940] AH01102: error reading status line from remote server 127.0.0.1:19153",
    );
    expect(
        &rec,
        Cause::UpstreamTimeoutRead,
        Some(Phase::ReadHeader),
        Some(Errno::AprTimeup),
        Some("127.0.0.1:19153"),
        Event,
    );
    // real: the AH00898 that follows is the client-visible half.
    let rec = apache(
        "[Wed Nov 25 09:47:30.735035 2026] [proxy:error] [pid 25842:tid 25846] [client 127.0.0.1:39940] AH00898: Error reading from remote server returned by /index.php",
    );
    expect(
        &rec,
        Cause::UpstreamClosedEarly,
        Some(Phase::ReadHeader),
        None,
        None,
        Effect,
    );
    // real: fixtures/apache/php_timeout (mod_proxy_fcgi polling timeout)
    let rec = apache(
        "[Wed Nov 25 09:47:42.086943 2026] [proxy_fcgi:error] [pid 27282:tid 27286] (70007)The timeout specified has expired: [client 127.0.0.1:55004] AH01075: Error dispatching request to :19165: (polling)",
    );
    let f = expect(
        &rec,
        Cause::UpstreamTimeoutRead,
        Some(Phase::ReadHeader),
        Some(Errno::AprTimeup),
        None,
        Event,
    );
    assert_eq!(f.protocol, Some(&b"fcgi"[..]));
}

#[test]
fn upstream_timeout_read_body_websocket_musl_bsd() {
    let line = |errno: &str, action: &str| {
        format!(
            r#"2025/11/25 10:00:00 [error] 9#9: *1 upstream timed out ({errno}) while {action}, client: 10.1.2.3, server: s, request: "GET /ws HTTP/1.1", upstream: "http://10.0.0.7:80/ws", host: "s""#
        )
    };
    for (errno, action, phase) in [
        (
            "110: Connection timed out",
            "reading upstream",
            Phase::ReadBody,
        ),
        (
            "110: Operation timed out",
            "proxying upgraded connection",
            Phase::Upgraded,
        ),
        (
            "60: Operation timed out",
            "reading response header from upstream",
            Phase::ReadHeader,
        ),
    ] {
        let text = line(errno, action);
        let rec = nginx(&text);
        let f = expect(
            &rec,
            Cause::UpstreamTimeoutRead,
            Some(phase),
            Some(Errno::TimedOut),
            Some("10.0.0.7:80"),
            Event,
        );
        assert_eq!(f.truncated_response(), phase == Phase::ReadBody);
    }
    let rec = apache(
        "[Tue Nov 25 10:00:00.000001 2025] [cgid:error] [pid 1:tid 2] [client 203.0.113.9:50312] Script timed out before returning headers: slow.cgi",
    );
    expect(
        &rec,
        Cause::UpstreamTimeoutRead,
        Some(Phase::ReadHeader),
        None,
        None,
        Event,
    );
    let rec = apache(
        "[Tue Nov 25 10:00:00.000001 2025] [proxy:error] [pid 1:tid 2] (70007)The timeout specified has expired: [client 203.0.113.9:50312] AH00898: Timeout on 100-Continue returned by /upload",
    );
    expect(
        &rec,
        Cause::UpstreamTimeoutRead,
        Some(Phase::ReadHeader),
        Some(Errno::AprTimeup),
        None,
        Effect,
    );
}

// --- upstream_timeout_send --------------------------------------------------------------

#[test]
fn upstream_timeout_send_real_and_apache() {
    // real: fixtures/nginx/upstream_timeout_send
    let rec = nginx(
        r#"2026/11/25 09:49:00 [error] 1801#1801: *1 upstream timed out (110: Connection timed out) while sending request to upstream, client: 127.0.0.1, server: shop.example.test, request: "PUT /api/backups/db-87.tar.gz HTTP/1.1", upstream: "http://127.0.0.1:19144/api/backups/db-87.tar.gz", host: "shop.example.test", referrer: "https://shop.example.test/cart""#,
    );
    expect(
        &rec,
        Cause::UpstreamTimeoutSend,
        Some(Phase::SendRequest),
        Some(Errno::TimedOut),
        Some("127.0.0.1:19144"),
        Event,
    );
    let rec = apache(
        "[Tue Nov 25 10:00:00.000001 2025] [proxy:error] [pid 1:tid 2] (70007)The timeout specified has expired: [client ::1:58619] AH01084: pass request body failed to [::1]:8080 (localhost)",
    );
    expect(
        &rec,
        Cause::UpstreamTimeoutSend,
        Some(Phase::SendRequest),
        Some(Errno::AprTimeup),
        Some("[::1]:8080"),
        Event,
    );
    assert_eq!(rec.client, Some(&b"::1"[..]));
    assert_eq!(rec.client_port, Some(58619));
}

// --- upstream_reset ---------------------------------------------------------------------

#[test]
fn upstream_reset_real() {
    // real: fixtures/nginx/reset
    let rec = nginx(
        r#"2026/11/25 09:48:11 [error] 30262#30262: *3 recv() failed (104: Connection reset by peer) while reading response header from upstream, client: 127.0.0.1, server: shop.example.test, request: "GET /api/users?id=48 HTTP/1.1", upstream: "http://127.0.0.1:19109/api/users?id=48", host: "shop.example.test""#,
    );
    expect(
        &rec,
        Cause::UpstreamReset,
        Some(Phase::ReadHeader),
        Some(Errno::ConnReset),
        Some("127.0.0.1:19109"),
        Event,
    );
    // real: fixtures/apache/reset
    let rec = apache(
        "[Wed Nov 25 09:47:33.742494 2026] [proxy_http:error] [pid 26117:tid 26126] (104)Connection reset by peer: [client 127.0.0.1:55978] AH01102: error reading status line from remote server 127.0.0.1:19155, referer: https://shop.example.test/cart",
    );
    expect(
        &rec,
        Cause::UpstreamReset,
        Some(Phase::ReadHeader),
        Some(Errno::ConnReset),
        Some("127.0.0.1:19155"),
        Event,
    );
    assert_eq!(rec.referer, Some(&b"https://shop.example.test/cart"[..]));
}

#[test]
fn upstream_reset_writev_ssl_fcgi_and_fpm() {
    let rec = nginx(
        r#"2025/11/25 10:00:00 [error] 9#9: *1 writev() failed (32: Broken pipe) while sending request to upstream, client: 10.1.2.3, server: s, request: "POST /upload HTTP/1.1", upstream: "http://10.0.0.7:80/upload", host: "s""#,
    );
    expect(
        &rec,
        Cause::UpstreamReset,
        Some(Phase::SendRequest),
        Some(Errno::Pipe),
        Some("10.0.0.7:80"),
        Event,
    );
    let rec = nginx(
        r#"2025/11/25 10:00:00 [crit] 9#9: *1 SSL_read() failed (SSL: error:0A000126:SSL routines::unexpected eof while reading) while reading upstream, client: 10.1.2.3, server: s, request: "GET /big HTTP/1.1", upstream: "https://10.0.0.7:443/big", host: "s""#,
    );
    expect(
        &rec,
        Cause::UpstreamReset,
        Some(Phase::ReadBody),
        None,
        Some("10.0.0.7:443"),
        Event,
    );
    let rec = nginx(
        r#"2025/11/25 10:00:00 [error] 9#9: *1 readv() failed (104: Connection reset by peer) while reading upstream, client: 10.1.2.3, server: s, request: "GET /big HTTP/1.1", upstream: "http://10.0.0.7:80/big", host: "s""#,
    );
    expect(
        &rec,
        Cause::UpstreamReset,
        Some(Phase::ReadBody),
        Some(Errno::ConnReset),
        Some("10.0.0.7:80"),
        Event,
    );
    let rec = apache(
        "[Tue Nov 25 10:00:00.000001 2025] [proxy_fcgi:error] [pid 1:tid 2] (32)Broken pipe: [client 203.0.113.9:50312] AH01073: Failed Writing Request to :",
    );
    expect(
        &rec,
        Cause::UpstreamReset,
        Some(Phase::SendRequest),
        Some(Errno::Pipe),
        None,
        Event,
    );
    let rec = fpm(
        r#"[25-Nov-2026 01:29:10] WARNING: [pool www] child 3462 said into stderr: "ERROR: Connection disallowed: IP address '127.0.0.1' has been dropped.""#,
    );
    expect(&rec, Cause::UpstreamReset, None, None, None, Event);
    assert_eq!(rec.pid, Some(3462));
    assert_eq!(rec.pool, Some(&b"www"[..]));
}

// --- upstream_closed_early ----------------------------------------------------------------

#[test]
fn upstream_closed_early_real_and_variants() {
    // real: fixtures/nginx/closed_early
    let rec = nginx(
        r#"2026/11/25 09:48:10 [error] 30098#30098: *1 upstream prematurely closed connection while reading response header from upstream, client: 127.0.0.1, server: shop.example.test, request: "POST /api/orders HTTP/1.1", upstream: "http://127.0.0.1:19107/api/orders", host: "shop.example.test", referrer: "https://shop.example.test/cart""#,
    );
    expect(
        &rec,
        Cause::UpstreamClosedEarly,
        Some(Phase::ReadHeader),
        None,
        Some("127.0.0.1:19107"),
        Event,
    );
    // real: fixtures/nginx/bad_response (body phase)
    let rec = nginx(
        r#"2026/11/25 09:48:13 [error] 30597#30597: *1 upstream prematurely closed connection while reading upstream, client: 127.0.0.1, server: shop.example.test, request: "GET /index.php?page=51 HTTP/1.1", upstream: "http://127.0.0.1:19113/index.php?page=51", host: "shop.example.test""#,
    );
    let f = expect(
        &rec,
        Cause::UpstreamClosedEarly,
        Some(Phase::ReadBody),
        None,
        Some("127.0.0.1:19113"),
        Event,
    );
    assert!(f.truncated_response());
    let rec = nginx(
        r#"2025/11/25 10:00:00 [error] 9#9: *1 upstream prematurely closed FastCGI stdout while reading response header from upstream, client: 10.1.2.3, server: s, request: "GET /x.php HTTP/1.1", upstream: "fastcgi://127.0.0.1:9000", host: "s""#,
    );
    expect(
        &rec,
        Cause::UpstreamClosedEarly,
        Some(Phase::ReadHeader),
        None,
        Some("127.0.0.1:9000"),
        Event,
    );
    let rec = nginx(
        r#"2025/11/25 10:00:00 [error] 9#0: *1 kevent() reported that upstream closed connection while reading upstream, client: 10.1.2.3, server: s, request: "GET /x HTTP/1.1", upstream: "http://10.0.0.7:80/x", host: "s""#,
    );
    expect(
        &rec,
        Cause::UpstreamClosedEarly,
        Some(Phase::ReadBody),
        None,
        Some("10.0.0.7:80"),
        Event,
    );
    let rec = apache(
        "[Tue Nov 25 10:00:00.000001 2025] [proxy_http:error] [pid 1:tid 2] (70014)End of file found: [client 203.0.113.9:50312] AH01110: error reading response",
    );
    expect(
        &rec,
        Cause::UpstreamClosedEarly,
        Some(Phase::ReadBody),
        Some(Errno::AprEof),
        None,
        Event,
    );
    let rec = apache(
        "[Tue Nov 25 10:00:00.000001 2025] [proxy_fcgi:error] [pid 1:tid 2] [client 203.0.113.9:50312] AH01067: Failed to read FastCGI header",
    );
    expect(
        &rec,
        Cause::UpstreamClosedEarly,
        Some(Phase::ReadHeader),
        None,
        None,
        Context,
    );
    let rec = apache(
        "[Tue Nov 25 10:00:00.000001 2025] [cgid:error] [pid 1:tid 2] [client 203.0.113.9:50312] End of script output before headers: index.cgi",
    );
    expect(
        &rec,
        Cause::UpstreamClosedEarly,
        Some(Phase::ReadHeader),
        None,
        None,
        Effect,
    );
}

// --- backend_crash ------------------------------------------------------------------------

#[test]
fn backend_crash_fpm_real_and_apache() {
    // real: fixtures/nginx/backend_crash/php-fpm.log
    let rec = fpm(
        "[25-Nov-2026 09:48:32] WARNING: [pool www] child 32301 exited on signal 11 (SIGSEGV) after 1.028226 seconds from start",
    );
    expect(&rec, Cause::BackendCrash, None, None, None, Event);
    assert_eq!(rec.pid, Some(32301));
    let rec = fpm(
        "[25-Nov-2026 09:48:32] WARNING: [pool www] child 32300 exited on signal 9 (SIGKILL) after 1.02 seconds from start",
    );
    expect(&rec, Cause::BackendCrash, None, None, None, Event);
    let rec = fpm(
        "[25-Nov-2026 09:48:32] WARNING: [pool www] child 32300 exited with code 255 after 3.5 seconds from start",
    );
    expect(&rec, Cause::BackendCrash, None, None, None, Event);
    let rec = fpm(
        "[25-Nov-2026 09:48:32] NOTICE: [pool www] child 32300 exited with code 0 after 3.5 seconds from start",
    );
    no_failure(&rec);
    let rec = fpm(
        "[25-Nov-2026 09:48:32] WARNING: failed processes threshold (10 in 60 sec) is reached, initiating reload",
    );
    expect(&rec, Cause::BackendCrash, None, None, None, Event);
    let rec = apache(
        "[Tue Nov 25 10:00:00.000001 2025] [core:notice] [pid 1000:tid 1000] AH00052: child pid 2345 exit signal Segmentation fault (11)",
    );
    expect(&rec, Cause::BackendCrash, None, None, None, Event);
}

// --- no_live_upstreams --------------------------------------------------------------------

#[test]
fn no_live_upstreams_nginx_real() {
    // real: fixtures/nginx/no_live_upstreams
    let rec = nginx(
        r#"2026/11/25 09:48:15 [error] 30844#30844: *4 no live upstreams while connecting to upstream, client: 127.0.0.1, server: shop.example.test, request: "GET /api/items HTTP/1.1", upstream: "http://backend/api/items", host: "shop.example.test""#,
    );
    expect(
        &rec,
        Cause::NoLiveUpstreams,
        Some(Phase::Connect),
        None,
        Some("backend"),
        Event,
    );
    let rec = nginx(
        r#"2026/11/25 09:48:15 [warn] 30844#30844: *1 upstream server temporarily disabled while connecting to upstream, client: 127.0.0.1, server: shop.example.test, request: "GET /api/items?category=books&sort=price HTTP/1.1", upstream: "http://127.0.0.1:19115/api/items?category=books&sort=price", host: "127.0.0.1:19114""#,
    );
    expect(
        &rec,
        Cause::NoLiveUpstreams,
        Some(Phase::Connect),
        None,
        Some("127.0.0.1:19115"),
        Context,
    );
}

#[test]
fn no_live_upstreams_apache_real() {
    // real: fixtures/apache/no_live_upstreams
    let rec = apache(
        "[Wed Nov 25 09:47:34.667039 2026] [proxy_balancer:error] [pid 26303:tid 26307] [client 127.0.0.1:42872] AH01170: balancer://api: All workers are in error state",
    );
    expect(
        &rec,
        Cause::NoLiveUpstreams,
        Some(Phase::Connect),
        None,
        Some("balancer://api"),
        Event,
    );
    let rec = apache(
        "[Wed Nov 25 09:47:34.603318 2026] [proxy:error] [pid 26303:tid 26305] AH00959: ap_proxy_connect_backend disabling worker for (127.0.0.1:19157) for 60s",
    );
    expect(
        &rec,
        Cause::NoLiveUpstreams,
        Some(Phase::Connect),
        None,
        Some("127.0.0.1:19157"),
        Context,
    );
    let rec = apache(
        "[Tue Nov 25 10:00:05.000001 2025] [proxy:error] [pid 1:tid 2] AH00940: http: disabled connection for (localhost:8080)",
    );
    expect(
        &rec,
        Cause::NoLiveUpstreams,
        Some(Phase::Connect),
        None,
        Some("localhost:8080"),
        RCause,
    );
    let rec = apache(
        "[Tue Nov 25 10:00:05.000001 2025] [proxy:error] [pid 1:tid 2] (70007)The timeout specified has expired: AH00941: HTTP: failed to acquire connection for (app)",
    );
    expect(
        &rec,
        Cause::NoLiveUpstreams,
        Some(Phase::Connect),
        Some(Errno::AprTimeup),
        Some("app"),
        RCause,
    );
    let rec = apache(
        "[Tue Nov 25 10:00:00 2025] [error] [client 203.0.113.9] proxy: BALANCER: (balancer://mycluster). All workers are in error state",
    );
    expect(
        &rec,
        Cause::NoLiveUpstreams,
        Some(Phase::Connect),
        None,
        Some("balancer://mycluster"),
        Event,
    );
}

#[test]
fn no_live_upstreams_ingress_lua() {
    let rec = nginx(
        r#"2025/11/25 10:00:00 [warn] 31#31: *8 [lua] balancer.lua:345: balance(): no peer was returned, balancer: default-web-80 while connecting to upstream, client: 10.244.0.1, server: web.example, request: "GET / HTTP/1.1", host: "web.example""#,
    );
    expect(
        &rec,
        Cause::NoLiveUpstreams,
        Some(Phase::Connect),
        None,
        Some("default-web-80"),
        RCause,
    );
}

#[test]
fn no_live_upstreams_ingress_invalid_peer() {
    let rec = nginx(
        r#"2025/11/25 10:00:00 [error] 31#31: *8 [lua] balancer.lua:358: balance(): error while setting current upstream peer 10.244.1.7:8080: no host allowed while connecting to upstream, client: 10.244.0.1, server: web.example, request: "GET / HTTP/1.1", host: "web.example""#,
    );
    expect(
        &rec,
        Cause::NoLiveUpstreams,
        Some(Phase::Connect),
        None,
        Some("10.244.1.7:8080"),
        RCause,
    );
}

// --- header_too_big -----------------------------------------------------------------------

#[test]
fn header_too_big_real() {
    // real: fixtures/nginx/header_too_big
    let rec = nginx(
        r#"2026/11/25 09:48:12 [error] 30439#30439: *2 upstream sent too big header while reading response header from upstream, client: 127.0.0.1, server: shop.example.test, request: "GET /api/items HTTP/1.1", upstream: "http://127.0.0.1:19111/api/items", host: "shop.example.test""#,
    );
    expect(
        &rec,
        Cause::HeaderTooBig,
        Some(Phase::ReadHeader),
        None,
        Some("127.0.0.1:19111"),
        Event,
    );
    // real: fixtures/apache/header_too_big (logged with APR_ENOSPC)
    let rec = apache(
        "[Wed Nov 25 09:47:37.154606 2026] [proxy_http:warn] [pid 26728:tid 26732] (28)No space left on device: [client 127.0.0.1:33960] AH10124: header size is over the limit allowed by ResponseFieldSize (8192 bytes). Bad response header: 'Set-Cookie: jwt=eyJhbGciOiJIUzI1NiJ9eyJhbGciOiJIUzI1NiJ9eyJhbGci[...]IUzI1NiJ9eyJhbGciOiJIUzI1NiJ9eyJhbGciOiJIUzI1NiJ9eyJhbGciOiJIUzI'",
    );
    expect(
        &rec,
        Cause::HeaderTooBig,
        Some(Phase::ReadHeader),
        Some(Errno::NoSpace),
        None,
        Event,
    );
}

// --- bad_upstream_response ----------------------------------------------------------------

#[test]
fn bad_upstream_response_real() {
    // real: fixtures/nginx/bad_response
    let rec = nginx(
        r#"2026/11/25 09:48:13 [error] 30597#30597: *9 upstream sent invalid header: "X-Debug\x01..." while reading response header from upstream, client: 127.0.0.1, server: shop.example.test, request: "GET /api/users?id=37 HTTP/1.1", upstream: "http://127.0.0.1:19113/api/users?id=37", host: "shop.example.test""#,
    );
    expect(
        &rec,
        Cause::BadUpstreamResponse,
        Some(Phase::ReadHeader),
        None,
        Some("127.0.0.1:19113"),
        Event,
    );
    assert_eq!(
        rec.message,
        &br#"upstream sent invalid header: "X-Debug\x01...""#[..]
    );
    let rec = nginx(
        r#"2026/11/25 09:48:13 [error] 30597#30597: *3 upstream sent no valid HTTP/1.0 header while reading response header from upstream, client: 127.0.0.1, server: shop.example.test, request: "GET /api/items HTTP/1.1", upstream: "http://127.0.0.1:19113/api/items", host: "shop.example.test""#,
    );
    expect(
        &rec,
        Cause::BadUpstreamResponse,
        Some(Phase::ReadHeader),
        None,
        Some("127.0.0.1:19113"),
        Event,
    );
    // real: fixtures/apache/header_too_big (the AH01106 that follows AH10124)
    let rec = apache(
        "[Wed Nov 25 09:47:37.189627 2026] [proxy_http:warn] [pid 26728:tid 26734] [client 127.0.0.1:33968] AH01106: bad HTTP/1.1 header returned by /index.php (GET), referer: https://shop.example.test/cart",
    );
    expect(
        &rec,
        Cause::BadUpstreamResponse,
        Some(Phase::ReadHeader),
        None,
        None,
        Event,
    );
}

#[test]
fn bad_upstream_response_informational_and_fastcgi() {
    let rec = nginx(
        r#"2025/11/25 10:00:00 [warn] 9#9: *1 upstream sent duplicate header line: "Content-Type: a", previous value: "Content-Type: b", ignored while reading response header from upstream, client: 10.1.2.3, server: s, request: "GET / HTTP/1.1", upstream: "http://10.0.0.7:80/", host: "s""#,
    );
    expect(
        &rec,
        Cause::BadUpstreamResponse,
        Some(Phase::ReadHeader),
        None,
        Some("10.0.0.7:80"),
        Context,
    );
    let rec = nginx(
        r#"2025/11/25 10:00:00 [error] 9#9: *1 upstream sent unsupported FastCGI protocol version: 1 while reading response header from upstream, client: 10.1.2.3, server: s, request: "GET / HTTP/1.1", upstream: "fastcgi://10.0.0.7:9000", host: "s""#,
    );
    expect(
        &rec,
        Cause::BadUpstreamResponse,
        Some(Phase::ReadHeader),
        None,
        Some("10.0.0.7:9000"),
        Event,
    );
    let rec = apache(
        "[Tue Nov 25 10:00:00.000001 2025] [proxy:error] [pid 1:tid 2] [client 203.0.113.9:50312] AH00898: Corrupt status line returned by remote server: HTTP/1.1 2oo OK returned by /x",
    );
    expect(
        &rec,
        Cause::BadUpstreamResponse,
        Some(Phase::ReadHeader),
        None,
        None,
        Effect,
    );
}

// --- tls_to_upstream ----------------------------------------------------------------------

#[test]
fn tls_to_upstream_real_and_certificates() {
    // real: fixtures/nginx/tls_to_upstream
    let rec = nginx(
        r#"2026/11/25 09:48:38 [error] 32691#32691: *1 SSL_do_handshake() failed (SSL: error:0A00010B:SSL routines::wrong version number) while SSL handshaking to upstream, client: 127.0.0.1, server: shop.example.test, request: "POST /api/orders HTTP/1.1", upstream: "https://127.0.0.1:19128/api/orders", host: "shop.example.test""#,
    );
    let f = expect(
        &rec,
        Cause::TlsToUpstream,
        Some(Phase::TlsHandshake),
        None,
        Some("127.0.0.1:19128"),
        Event,
    );
    assert_eq!(f.variant, Some("wrong_version_number"));
    assert_eq!(f.protocol, Some(&b"https"[..]));
    let rec = nginx(
        r#"2025/11/25 10:00:00 [error] 9#9: *1 upstream SSL certificate verify error: (20:unable to get local issuer certificate) while SSL handshaking to upstream, client: 10.1.2.3, server: s, request: "GET / HTTP/1.1", upstream: "https://10.0.0.7:443/", host: "s""#,
    );
    let f = expect(
        &rec,
        Cause::TlsToUpstream,
        Some(Phase::TlsHandshake),
        None,
        Some("10.0.0.7:443"),
        Event,
    );
    assert_eq!(f.variant, Some("certificate_verify"));
    let rec = nginx(
        r#"2025/11/25 10:00:00 [error] 9#9: *1 upstream SSL certificate does not match "api.internal" while SSL handshaking to upstream, client: 10.1.2.3, server: s, request: "GET / HTTP/1.1", upstream: "https://10.0.0.7:443/", host: "s""#,
    );
    expect(
        &rec,
        Cause::TlsToUpstream,
        Some(Phase::TlsHandshake),
        None,
        Some("10.0.0.7:443"),
        Event,
    );
    let rec = nginx(
        r#"2025/11/25 10:00:00 [error] 9#9: *1 peer closed connection in SSL handshake (104: Connection reset by peer) while SSL handshaking to upstream, client: 10.1.2.3, server: s, request: "GET / HTTP/1.1", upstream: "https://10.0.0.7:443/", host: "s""#,
    );
    let f = expect(
        &rec,
        Cause::TlsToUpstream,
        Some(Phase::TlsHandshake),
        Some(Errno::ConnReset),
        Some("10.0.0.7:443"),
        Event,
    );
    assert_eq!(f.variant, Some("handshake"));
    // Client-side TLS errors are not upstream failures.
    let rec = nginx(
        "2025/11/25 10:00:00 [info] 9#9: *1 SSL_do_handshake() failed (SSL: error:0A000102:SSL routines::unsupported protocol) while SSL handshaking, client: 10.1.2.3, server: 0.0.0.0:443",
    );
    no_failure(&rec);
    assert_eq!(rec.server_name, Some(&b"0.0.0.0:443"[..]));
}

#[test]
fn tls_to_upstream_apache() {
    let rec = apache(
        "[Tue Nov 25 10:00:00.000001 2025] [proxy:error] [pid 1:tid 2] [client 203.0.113.9:50312] AH00898: Error during SSL Handshake with remote server returned by /api",
    );
    expect(
        &rec,
        Cause::TlsToUpstream,
        Some(Phase::TlsHandshake),
        None,
        None,
        Effect,
    );
    let rec = apache(
        "[Tue Nov 25 10:00:00.000001 2025] [ssl:error] [pid 1:tid 2] [remote 10.0.0.7:443] AH02039: Certificate Verification: Error (20): unable to get local issuer certificate",
    );
    let f = expect(
        &rec,
        Cause::TlsToUpstream,
        Some(Phase::TlsHandshake),
        None,
        Some("10.0.0.7:443"),
        Event,
    );
    assert_eq!(f.variant, Some("certificate_verify"));
    // The same message about a client certificate is not an upstream failure.
    let rec = apache(
        "[Tue Nov 25 10:00:00.000001 2025] [ssl:error] [pid 1:tid 2] [client 203.0.113.9:50312] AH02039: Certificate Verification: Error (20): unable to get local issuer certificate",
    );
    no_failure(&rec);
}

// --- dns_resolution -----------------------------------------------------------------------

#[test]
fn dns_resolution_real() {
    // real: fixtures/nginx/dns_resolution
    let rec = nginx(
        r#"2026/11/25 09:48:33 [error] 32433#32433: *2 api.internal.example could not be resolved (3: Host not found), client: 127.0.0.1, server: shop.example.test, request: "POST /api/orders HTTP/1.1", host: "shop.example.test""#,
    );
    let f = expect(
        &rec,
        Cause::DnsResolution,
        Some(Phase::Resolve),
        Some(Errno::NameNotFound),
        Some("api.internal.example"),
        Event,
    );
    assert_eq!(f.variant, Some("nxdomain"));
    assert_eq!(
        rec.message,
        &b"api.internal.example could not be resolved"[..]
    );
    assert_eq!(rec.upstream_url, None);
    let rec = nginx(
        "2026/11/25 09:48:33 [error] 32433#32433: send() failed (111: Connection refused) while resolving, resolver: 127.0.0.1:19054",
    );
    expect(
        &rec,
        Cause::DnsResolution,
        Some(Phase::Resolve),
        Some(Errno::ConnRefused),
        Some("127.0.0.1:19054"),
        Event,
    );
    assert_eq!(rec.connection, None);
    assert_eq!(rec.action, Some(&b"resolving"[..]));
    assert_eq!(rec.message, &b"send() failed"[..]);
    for (code, text, variant) in [
        ("2", "Server failure", "servfail"),
        ("110", "Operation timed out", "timeout"),
        ("5", "Operation refused", "refused"),
    ] {
        let line = format!(
            r#"2026/11/25 09:48:33 [error] 1#1: *2 users-api.dc2.internal could not be resolved ({code}: {text}), client: 127.0.0.1, server: s, request: "GET / HTTP/1.1", host: "s""#
        );
        let rec = nginx(&line);
        assert_eq!(rec.failure.and_then(|f| f.variant), Some(variant), "{line}");
    }
}

#[test]
fn dns_resolution_no_resolver_startup_lua_and_apache() {
    let rec = nginx(
        r#"2025/11/25 10:00:00 [error] 9#9: *1 no resolver defined to resolve api.example, client: 10.1.2.3, server: s, request: "GET / HTTP/1.1", host: "s""#,
    );
    let f = expect(
        &rec,
        Cause::DnsResolution,
        Some(Phase::Resolve),
        None,
        Some("api.example"),
        Event,
    );
    assert_eq!(f.variant, Some("no_resolver"));
    let rec = nginx(
        r#"2025/11/25 10:00:00 [emerg] 1#1: host not found in upstream "backend:8080" in /etc/nginx/conf.d/default.conf:12"#,
    );
    let f = expect(
        &rec,
        Cause::DnsResolution,
        Some(Phase::Resolve),
        None,
        Some("backend:8080"),
        Event,
    );
    assert_eq!(f.variant, Some("startup"));
    // `nginx -t` / journald console form.
    let rec = nginx(
        r#"nginx: [emerg] host not found in upstream "backend:8080" in /etc/nginx/conf.d/default.conf:12"#,
    );
    assert_eq!(rec.time, None);
    assert_eq!(rec.failure.map(|f| f.cause), Some(Cause::DnsResolution));
    // ingress-nginx multi-line Lua message.
    let rec = nginx(
        "2025/11/25 10:00:00 [error] 31#31: *8 [lua] dns.lua:152: dns_lookup(): failed to query the DNS server for api.ns.svc.cluster.local:\nserver returned error code: 3: name error\nserver returned error code: 3: name error, context: ngx.timer",
    );
    expect(
        &rec,
        Cause::DnsResolution,
        Some(Phase::Resolve),
        None,
        Some("api.ns.svc.cluster.local"),
        Event,
    );
    let rec = apache(
        "[Tue Nov 25 10:00:00.000001 2025] [proxy:error] [pid 1:tid 2] (EAI 2)Name or service not known: [client 203.0.113.9:50312] AH00898: DNS lookup failure for: backend.internal returned by /api",
    );
    let f = expect(
        &rec,
        Cause::DnsResolution,
        Some(Phase::Resolve),
        Some(Errno::NameNotFound),
        Some("backend.internal"),
        Effect,
    );
    assert_eq!(f.variant, Some("nxdomain"));
}

// --- socket_missing -----------------------------------------------------------------------

#[test]
fn socket_missing_real_and_fpm() {
    // real: fixtures/nginx/socket_missing
    let rec = nginx(
        r#"2026/11/25 09:48:16 [crit] 31058#31058: *1 connect() to unix:/nonexistent/php-fpm.sock failed (2: No such file or directory) while connecting to upstream, client: 127.0.0.1, server: shop.example.test, request: "GET /index.php HTTP/1.1", upstream: "fastcgi://unix:/nonexistent/php-fpm.sock:", host: "shop.example.test""#,
    );
    let f = expect(
        &rec,
        Cause::SocketMissing,
        Some(Phase::Connect),
        Some(Errno::NoEnt),
        Some("unix:/nonexistent/php-fpm.sock"),
        Event,
    );
    assert_eq!(f.protocol, Some(&b"fastcgi"[..]));
    // real: fixtures/apache/socket_missing. Apache's line has no `unix:` text: the
    // upstream is the socket path itself.
    let rec = apache(
        "[Wed Nov 25 09:47:36.036331 2026] [proxy:error] [pid 26515:tid 26519] (2)No such file or directory: AH02454: FCGI: attempt to connect to Unix domain socket /nonexistent/php-fpm.sock (localhost:8000) failed",
    );
    let f = expect(
        &rec,
        Cause::SocketMissing,
        Some(Phase::Connect),
        Some(Errno::NoEnt),
        Some("/nonexistent/php-fpm.sock"),
        RCause,
    );
    assert_eq!(f.protocol, Some(&b"fcgi"[..]));
    assert_eq!(
        f.unix_socket_path(),
        Some(&b"/nonexistent/php-fpm.sock"[..])
    );
    let rec = apache(
        "[Wed Nov 25 09:47:36.036391 2026] [proxy_fcgi:error] [pid 26515:tid 26519] [client 127.0.0.1:59652] AH01079: failed to make connection to backend: localhost, referer: https://shop.example.test/cart",
    );
    expect(
        &rec,
        Cause::UpstreamRefused,
        Some(Phase::Connect),
        None,
        Some("localhost"),
        Effect,
    );
    let rec = fpm(
        "[25-Nov-2026 01:29:10] ERROR: unable to bind listening socket for address '/run/php/php8.2-fpm.sock': No such file or directory (2)",
    );
    expect(
        &rec,
        Cause::SocketMissing,
        None,
        Some(Errno::NoEnt),
        Some("/run/php/php8.2-fpm.sock"),
        Event,
    );
}

// --- socket_permission --------------------------------------------------------------------

#[test]
fn socket_permission_real_and_selinux() {
    // real: fixtures/nginx/socket_permission
    let rec = nginx(
        r#"2026/11/25 09:48:17 [crit] 31223#31223: *2 connect() to unix:/tmp/logscan-capture/nginx/socket_permission/run/php-fpm.sock failed (13: Permission denied) while connecting to upstream, client: 127.0.0.1, server: shop.example.test, request: "POST /index.php?action=login HTTP/1.1", upstream: "fastcgi://unix:/tmp/logscan-capture/nginx/socket_permission/run/php-fpm.sock:", host: "shop.example.test""#,
    );
    expect(
        &rec,
        Cause::SocketPermission,
        Some(Phase::Connect),
        Some(Errno::Access),
        Some("unix:/tmp/logscan-capture/nginx/socket_permission/run/php-fpm.sock"),
        Event,
    );
    let rec = apache(
        "[Tue Nov 25 10:00:00.000001 2025] [proxy:error] [pid 1:tid 2] (13)Permission denied: AH00957: HTTP: attempt to connect to 127.0.0.1:8080 (localhost) failed",
    );
    expect(
        &rec,
        Cause::SocketPermission,
        Some(Phase::Connect),
        Some(Errno::Access),
        Some("127.0.0.1:8080"),
        RCause,
    );
}

// --- backlog_full -------------------------------------------------------------------------

#[test]
fn backlog_full_real_and_apache() {
    // real: fixtures/nginx/backlog_full
    let rec = nginx(
        r#"2026/11/25 09:48:18 [error] 31439#31439: *5 connect() to unix:/tmp/logscan-capture/nginx/backlog_full/run/app.sock failed (11: Resource temporarily unavailable) while connecting to upstream, client: 127.0.0.1, server: shop.example.test, request: "POST /index.php?action=login HTTP/1.1", upstream: "fastcgi://unix:/tmp/logscan-capture/nginx/backlog_full/run/app.sock:", host: "shop.example.test", referrer: "https://shop.example.test/cart""#,
    );
    expect(
        &rec,
        Cause::BacklogFull,
        Some(Phase::Connect),
        Some(Errno::Again),
        Some("unix:/tmp/logscan-capture/nginx/backlog_full/run/app.sock"),
        Event,
    );
    let rec = apache(
        "[Tue Nov 25 10:00:00.000001 2025] [proxy:error] [pid 1:tid 2] (11)Resource temporarily unavailable: AH02454: FCGI: attempt to connect to Unix domain socket /run/php/php8.2-fpm.sock (localhost:8000) failed",
    );
    expect(
        &rec,
        Cause::BacklogFull,
        Some(Phase::Connect),
        Some(Errno::Again),
        Some("/run/php/php8.2-fpm.sock"),
        RCause,
    );
}

// --- fd_exhaustion ------------------------------------------------------------------------

#[test]
fn fd_exhaustion_real_musl_and_apache() {
    // real: fixtures/nginx/fd_exhaustion
    let rec = nginx(
        r#"2026/11/25 09:48:49 [alert] 1308#1308: *11 socket() failed (24: Too many open files) while connecting to upstream, client: 127.0.0.1, server: shop.example.test, request: "POST /api/orders HTTP/1.1", upstream: "http://127.0.0.1:19140/api/orders", host: "shop.example.test", referrer: "https://shop.example.test/cart""#,
    );
    expect(
        &rec,
        Cause::FdExhaustion,
        Some(Phase::Connect),
        Some(Errno::MFile),
        Some("127.0.0.1:19140"),
        Event,
    );
    let rec =
        nginx("2026/11/25 09:48:49 [crit] 1308#1308: accept4() failed (24: Too many open files)");
    expect(
        &rec,
        Cause::FdExhaustion,
        None,
        Some(Errno::MFile),
        None,
        Event,
    );
    assert_eq!(rec.connection, None);
    let rec = nginx(
        "2025/11/25 10:00:00 [crit] 7#7: accept4() failed (24: No file descriptors available)",
    );
    expect(
        &rec,
        Cause::FdExhaustion,
        None,
        Some(Errno::MFile),
        None,
        Event,
    );
    let rec = apache(
        "[Tue Nov 25 10:00:00.000001 2025] [proxy:error] [pid 1:tid 2] (24)Too many open files: AH00957: HTTP: attempt to connect to 127.0.0.1:8080 (localhost) failed",
    );
    expect(
        &rec,
        Cause::FdExhaustion,
        Some(Phase::Connect),
        Some(Errno::MFile),
        Some("127.0.0.1:8080"),
        RCause,
    );
}

// --- worker_connections -------------------------------------------------------------------

#[test]
fn worker_connections_real_and_apache() {
    // real: fixtures/nginx/worker_connections
    let rec = nginx("2026/11/25 09:48:46 [alert] 1114#1114: 16 worker_connections are not enough");
    expect(&rec, Cause::WorkerConnections, None, None, None, Event);
    let rec = nginx(
        "2026/11/25 09:48:46 [warn] 1114#1114: 16 worker_connections are not enough, reusing connections",
    );
    expect(&rec, Cause::WorkerConnections, None, None, None, Event);
    let rec = apache(
        "[Tue Nov 25 10:00:00.000001 2025] [mpm_event:error] [pid 1:tid 1] AH00484: server reached MaxRequestWorkers setting, consider raising the MaxRequestWorkers setting",
    );
    expect(&rec, Cause::WorkerConnections, None, None, None, Event);
    let rec = apache(
        "[Tue Nov 25 10:00:00 2025] [error] server reached MaxClients setting, consider raising the MaxClients setting",
    );
    expect(&rec, Cause::WorkerConnections, None, None, None, Event);
}

// --- ephemeral_ports ----------------------------------------------------------------------

#[test]
fn ephemeral_ports_real_and_musl() {
    // real: fixtures/nginx/ephemeral_ports
    let rec = nginx(
        r#"2026/11/25 09:48:55 [crit] 1648#1648: *2 connect() to 127.0.0.1:19142 failed (99: Cannot assign requested address) while connecting to upstream, client: 127.0.0.1, server: shop.example.test, request: "GET /api/items HTTP/1.1", upstream: "http://127.0.0.1:19142/api/items", host: "shop.example.test""#,
    );
    expect(
        &rec,
        Cause::EphemeralPorts,
        Some(Phase::Connect),
        Some(Errno::AddrNotAvail),
        Some("127.0.0.1:19142"),
        Event,
    );
    let rec = nginx(
        r#"2025/11/25 10:00:00 [crit] 7#7: *3 connect() to 10.0.0.5:8080 failed (99: Address not available) while connecting to upstream, client: 10.1.2.3, server: s, request: "GET / HTTP/1.1", upstream: "http://10.0.0.5:8080/", host: "s""#,
    );
    expect(
        &rec,
        Cause::EphemeralPorts,
        Some(Phase::Connect),
        Some(Errno::AddrNotAvail),
        Some("10.0.0.5:8080"),
        Event,
    );
}

// --- fpm_pool_exhausted -------------------------------------------------------------------

#[test]
fn fpm_pool_exhausted_real_and_variants() {
    // real: fixtures/nginx/fpm_pool_exhausted/php-fpm.log
    let rec = fpm(
        "[25-Nov-2026 09:48:27] WARNING: [pool www] server reached pm.max_children setting (2), consider raising it",
    );
    expect(&rec, Cause::FpmPoolExhausted, None, None, None, Event);
    assert_eq!(rec.pool, Some(&b"www"[..]));
    let rec = fpm(
        "[25-Nov-2026 09:48:27] WARNING: [pool api] server reached max_children setting (10), consider raising it",
    );
    expect(&rec, Cause::FpmPoolExhausted, None, None, None, Event);
    let rec = fpm(
        "[25-Nov-2026 09:48:27] WARNING: [pool www] seems busy (you may need to increase pm.start_servers, or pm.min/max_spare_servers), spawning 8 children, there are 0 idle, and 13 total children",
    );
    expect(&rec, Cause::FpmPoolExhausted, None, None, None, Context);
    let rec = fpm(
        "[25-Nov-2026 09:48:27] WARNING: The maximum number of processes has been reached. Please review your configuration and consider raising 'process.max'",
    );
    expect(&rec, Cause::FpmPoolExhausted, None, None, None, Event);
}

// --- php_fatal ----------------------------------------------------------------------------

#[test]
fn php_fatal_real_multiline_nginx() {
    // real: fixtures/nginx/php_fatal (one entry over six physical lines)
    let entry = "2026/11/25 09:48:19 [error] 31596#31596: *4 FastCGI sent in stderr: \"PHP message: PHP Fatal error:  Uncaught RuntimeException: gateway returned HTTP 500 for charge of 4200 cents in /tmp/logscan-capture/nginx/php_fatal/www/fatal_exception.php:4\nStack trace:\n#0 /tmp/logscan-capture/nginx/php_fatal/www/fatal_exception.php(8): PaymentGateway->charge(4200)\n#1 /tmp/logscan-capture/nginx/php_fatal/www/fatal_exception.php(10): checkout(Object(PaymentGateway), Array)\n#2 {main}\n  thrown in /tmp/logscan-capture/nginx/php_fatal/www/fatal_exception.php on line 4\" while reading response header from upstream, client: 127.0.0.1, server: shop.example.test, request: \"GET /fatal_exception.php HTTP/1.1\", upstream: \"fastcgi://unix:/tmp/logscan-capture/nginx/php_fatal/run/php-fpm.sock:\", host: \"shop.example.test\", referrer: \"https://shop.example.test/cart\"";
    let rec = nginx(entry);
    let f = expect(
        &rec,
        Cause::PhpFatal,
        Some(Phase::ReadHeader),
        None,
        Some("unix:/tmp/logscan-capture/nginx/php_fatal/run/php-fpm.sock"),
        Event,
    );
    assert_eq!(f.variant, Some("uncaught_exception"));
    assert_eq!(rec.request, Some(&b"GET /fatal_exception.php HTTP/1.1"[..]));
    assert!(rec.message.ends_with(b"on line 4\""));
    // real: warnings before the fatal error (PHP 8.2 separates messages with "; ").
    let rec = nginx(
        "2026/11/25 09:48:19 [error] 31596#31596: *7 FastCGI sent in stderr: \"PHP message: PHP Warning:  Undefined array key \"timeout\" in /tmp/logscan-capture/nginx/php_fatal/www/warn_fatal.php on line 3; PHP message: PHP Warning:  foreach() argument must be of type array|object, null given in /tmp/logscan-capture/nginx/php_fatal/www/warn_fatal.php on line 5; PHP message: PHP Fatal error:  Uncaught Error: Call to undefined method ArrayObject::sortByPrice() in /tmp/logscan-capture/nginx/php_fatal/www/warn_fatal.php:7\nStack trace:\n#0 {main}\n  thrown in /tmp/logscan-capture/nginx/php_fatal/www/warn_fatal.php on line 7\" while reading response header from upstream, client: 127.0.0.1, server: shop.example.test, request: \"GET /warn_fatal.php HTTP/1.1\", upstream: \"fastcgi://unix:/tmp/logscan-capture/nginx/php_fatal/run/php-fpm.sock:\", host: \"shop.example.test\"",
    );
    expect(
        &rec,
        Cause::PhpFatal,
        Some(Phase::ReadHeader),
        None,
        Some("unix:/tmp/logscan-capture/nginx/php_fatal/run/php-fpm.sock"),
        Event,
    );
}

#[test]
fn php_fatal_apache_fpm_and_variants() {
    // real: fixtures/apache/php_fatal
    let rec = apache(
        "[Wed Nov 25 09:47:38.575184 2026] [proxy_fcgi:error] [pid 26945:tid 26949] [client 127.0.0.1:39120] AH01071: Got error 'PHP message: PHP Fatal error:  Uncaught Error: Call to undefined function render_cart_widget() in /tmp/logscan-capture/apache/php_fatal/www/fatal_undefined.php:4\\nStack trace:\\n#0 {main}\\n  thrown in /tmp/logscan-capture/apache/php_fatal/www/fatal_undefined.php on line 4'",
    );
    let f = expect(&rec, Cause::PhpFatal, None, None, None, Event);
    assert_eq!(f.protocol, Some(&b"fcgi"[..]));
    // real: fixtures/nginx/php_fatal/php-fpm.log
    let rec = fpm(
        r#"[25-Nov-2026 09:48:19] WARNING: [pool www] child 31600 said into stderr: "NOTICE: PHP message: PHP Fatal error:  Uncaught Error: Call to undefined function render_cart_widget() in /tmp/logscan-capture/nginx/php_fatal/www/fatal_undefined.php:4""#,
    );
    expect(&rec, Cause::PhpFatal, None, None, None, Event);
    assert_eq!(rec.pid, Some(31600));
    // Stack-trace lines and warnings alone are not failures.
    no_failure(&fpm(
        r##"[25-Nov-2026 09:48:19] WARNING: [pool www] child 31600 said into stderr: "#0 {main}""##,
    ));
    no_failure(&fpm(
        r#"[25-Nov-2026 09:48:19] WARNING: [pool www] child 31600 said into stderr: "NOTICE: PHP message: PHP Warning:  Undefined array key "timeout" in /x.php on line 3""#,
    ));
    let stderr = |text: &str| {
        format!(
            r#"2025/11/25 10:00:00 [error] 9#9: *1 FastCGI sent in stderr: "PHP message: {text}" while reading response header from upstream, client: 10.1.2.3, server: s, request: "GET /x.php HTTP/1.1", upstream: "fastcgi://127.0.0.1:9000", host: "s""#
        )
    };
    let line = stderr(
        "PHP Fatal error:  Allowed memory size of 134217728 bytes exhausted (tried to allocate 20480 bytes) in /var/www/x.php on line 7",
    );
    assert_eq!(
        nginx(&line).failure.and_then(|f| f.variant),
        Some("memory_limit")
    );
    let line = stderr(
        "PHP Parse error:  syntax error, unexpected token \"}\" in /var/www/x.php on line 9",
    );
    assert_eq!(
        nginx(&line).failure.and_then(|f| f.variant),
        Some("parse_error")
    );
    let line = stderr("PHP Warning:  Undefined variable $x in /var/www/x.php on line 2");
    no_failure(&nginx(&line));
    // mod_php writes PHP errors straight into Apache's log.
    let rec = apache(
        "[Tue Nov 25 10:00:00.000001 2025] [php:error] [pid 1:tid 2] [client 203.0.113.9:50312] PHP Fatal error:  Uncaught Error: Class \"Foo\" not found in /var/www/index.php:3",
    );
    expect(&rec, Cause::PhpFatal, None, None, None, Event);
}

// --- php_timeout --------------------------------------------------------------------------

#[test]
fn php_timeout_fpm_real_pair() {
    // real: fixtures/nginx/php_timeout/php-fpm.log
    let rec = fpm(
        r#"[25-Nov-2026 09:48:22] WARNING: [pool www] child 31742, script '/tmp/logscan-capture/nginx/php_timeout/www/busy.php' (request: "GET /busy.php?report=daily") execution timed out (2.219999 sec), terminating"#,
    );
    let f = expect(&rec, Cause::PhpTimeout, None, None, None, Event);
    assert_eq!(f.variant, Some("request_terminate_timeout"));
    assert_eq!(rec.pid, Some(31742));
    let rec = fpm(
        "[25-Nov-2026 09:48:22] WARNING: [pool www] child 31742 exited on signal 15 (SIGTERM) after 2.234567 seconds from start",
    );
    expect(&rec, Cause::PhpTimeout, None, None, None, Effect);
    assert_eq!(rec.pid, Some(31742));
    let rec = fpm(
        r#"[25-Nov-2026 09:48:22] WARNING: [pool www] child 31742, script '/var/www/slow.php' (request: "GET /slow.php") executing too slow (5.001234 sec), logging"#,
    );
    expect(&rec, Cause::PhpTimeout, None, None, None, Context);
    // Graceful reloads (SIGQUIT) are not failures.
    no_failure(&fpm(
        "[25-Nov-2026 09:48:22] NOTICE: [pool www] child 31742 exited on signal 3 (SIGQUIT) after 20.1 seconds from start",
    ));
}

#[test]
fn php_timeout_apache_real_and_nginx() {
    // real: fixtures/apache/php_timeout
    let rec = apache(
        "[Wed Nov 25 09:47:41.864548 2026] [proxy_fcgi:error] [pid 27282:tid 27288] [client 127.0.0.1:55024] AH01071: Got error 'PHP message: PHP Fatal error:  Maximum execution time of 1 second exceeded in /tmp/logscan-capture/apache/php_timeout/www/busy.php on line 4'",
    );
    let f = expect(&rec, Cause::PhpTimeout, None, None, None, Event);
    assert_eq!(f.variant, Some("max_execution_time"));
    let rec = nginx(
        r#"2025/11/25 10:00:00 [error] 9#9: *1 FastCGI sent in stderr: "PHP message: PHP Fatal error:  Maximum execution time of 30 seconds exceeded in /var/www/report.php on line 88" while reading response header from upstream, client: 10.1.2.3, server: s, request: "GET /report.php HTTP/1.1", upstream: "fastcgi://unix:/run/php/php8.2-fpm.sock:", host: "s""#,
    );
    let f = expect(
        &rec,
        Cause::PhpTimeout,
        Some(Phase::ReadHeader),
        None,
        Some("unix:/run/php/php8.2-fpm.sock"),
        Event,
    );
    assert_eq!(f.variant, Some("max_execution_time"));
}

// --- php_script_not_found -----------------------------------------------------------------

#[test]
fn php_script_not_found_real() {
    // real: fixtures/nginx/php_script_not_found
    let rec = nginx(
        r#"2026/11/25 09:48:30 [error] 32123#32123: *1 FastCGI sent in stderr: "Primary script unknown" while reading response header from upstream, client: 127.0.0.1, server: shop.example.test, request: "GET /old/checkout.php?step=1 HTTP/1.1", upstream: "fastcgi://unix:/tmp/logscan-capture/nginx/php_script_not_found/run/php-fpm.sock:", host: "shop.example.test""#,
    );
    expect(
        &rec,
        Cause::PhpScriptNotFound,
        Some(Phase::ReadHeader),
        None,
        Some("unix:/tmp/logscan-capture/nginx/php_script_not_found/run/php-fpm.sock"),
        Event,
    );
    // real: fixtures/nginx/php_script_not_found/php-fpm.log
    let rec = fpm(
        r#"[25-Nov-2026 09:48:30] WARNING: [pool www] child 32107 said into stderr: "NOTICE: Access to the script '/tmp/logscan-capture/nginx/php_script_not_found/www/uploads/avatar.gif' has been denied (see security.limit_extensions)""#,
    );
    expect(&rec, Cause::PhpScriptNotFound, None, None, None, Event);
    let rec = apache(
        "[Tue Nov 25 10:00:00.000001 2025] [proxy_fcgi:error] [pid 1:tid 2] [client 203.0.113.9:50312] AH01071: Got error 'Primary script unknown'",
    );
    expect(&rec, Cause::PhpScriptNotFound, None, None, None, Event);
}

// --- client_abort -------------------------------------------------------------------------

#[test]
fn client_abort_real_and_variants() {
    // real: fixtures/nginx/client_abort
    let rec = nginx(
        r#"2026/11/25 09:48:41 [info] 585#585: *1 epoll_wait() reported that client prematurely closed connection, so upstream connection is closed too while sending request to upstream, client: 127.0.0.1, server: shop.example.test, request: "GET /index.php?page=79 HTTP/1.1", upstream: "http://127.0.0.1:19132/index.php?page=79", host: "shop.example.test", referrer: "https://shop.example.test/cart""#,
    );
    expect(
        &rec,
        Cause::ClientAbort,
        Some(Phase::SendRequest),
        None,
        Some("127.0.0.1:19132"),
        Event,
    );
    let rec = nginx(
        r#"2025/11/25 10:00:00 [info] 9#9: *1 client timed out (110: Connection timed out) while sending to client, client: 10.1.2.3, server: s, request: "GET /big HTTP/1.1", upstream: "http://10.0.0.7:80/big", host: "s""#,
    );
    expect(
        &rec,
        Cause::ClientAbort,
        Some(Phase::SendToClient),
        Some(Errno::TimedOut),
        Some("10.0.0.7:80"),
        Event,
    );
    let rec = nginx(
        r#"2025/11/25 10:00:00 [info] 9#9: *1 writev() failed (104: Connection reset by peer) while sending to client, client: 10.1.2.3, server: s, request: "GET /big HTTP/1.1", upstream: "http://10.0.0.7:80/big", host: "s""#,
    );
    expect(
        &rec,
        Cause::ClientAbort,
        Some(Phase::SendToClient),
        Some(Errno::ConnReset),
        Some("10.0.0.7:80"),
        Event,
    );
    let rec = apache(
        "[Tue Nov 25 10:00:00.000001 2025] [proxy:error] [pid 1:tid 2] (-102)Unknown error -102: [client 203.0.113.9:50312] AH01095: prefetch request body failed to 10.0.0.7:80 (app) from 203.0.113.9 ()",
    );
    expect(
        &rec,
        Cause::ClientAbort,
        Some(Phase::ReadClient),
        None,
        None,
        Event,
    );
    assert_eq!(rec.sys_error.map(|e| e.number), Some(-102));
}

// --- rate_limited -------------------------------------------------------------------------

#[test]
fn rate_limited_real_and_variants() {
    // real: fixtures/nginx/rate_limited
    let rec = nginx(
        r#"2026/11/25 09:48:39 [error] 374#374: *13 limiting requests, excess: 5.874 by zone "api", client: 127.0.0.1, server: shop.example.test, request: "POST /api/orders HTTP/1.1", host: "shop.example.test", referrer: "https://shop.example.test/cart""#,
    );
    expect(&rec, Cause::RateLimited, None, None, None, Event);
    let rec = nginx(
        r#"2025/11/25 10:00:00 [error] 9#9: *1 limiting requests, dry run, excess: 1.000 by zone "api", client: 10.1.2.3, server: s, request: "GET / HTTP/1.1", host: "s""#,
    );
    let f = expect(&rec, Cause::RateLimited, None, None, None, Context);
    assert_eq!(f.variant, Some("dry_run"));
    let rec = nginx(
        r#"2025/11/25 10:00:00 [warn] 9#9: *1 delaying request, excess: 0.500, by zone "api", client: 10.1.2.3, server: s, request: "GET / HTTP/1.1", host: "s""#,
    );
    expect(&rec, Cause::RateLimited, None, None, None, Context);
    let rec = nginx(
        r#"2025/11/25 10:00:00 [error] 9#9: *1 limiting connections by zone "perip", client: 10.1.2.3, server: s, request: "GET / HTTP/1.1", host: "s""#,
    );
    expect(&rec, Cause::RateLimited, None, None, None, Event);
}

// --- buffered_to_disk ---------------------------------------------------------------------

#[test]
fn buffered_to_disk_real_and_temp_path_error() {
    // real: fixtures/nginx/buffered_to_disk
    let rec = nginx(
        r#"2026/11/25 09:48:43 [warn] 858#858: *4 an upstream response is buffered to a temporary file /tmp/logscan-capture/nginx/buffered_to_disk/tmp/proxy/0000000001 while reading upstream, client: 127.0.0.1, server: shop.example.test, request: "GET /media/catalog.pdf HTTP/1.1", upstream: "http://127.0.0.1:19134/media/catalog.pdf", host: "shop.example.test""#,
    );
    expect(
        &rec,
        Cause::BufferedToDisk,
        Some(Phase::ReadBody),
        None,
        Some("127.0.0.1:19134"),
        Event,
    );
    // real: fixtures/nginx/upstream_timeout_send
    let rec = nginx(
        r#"2026/11/25 09:48:59 [warn] 1801#1801: *2 a client request body is buffered to a temporary file /tmp/logscan-capture/nginx/upstream_timeout_send/tmp/client_body/0000000002, client: 127.0.0.1, server: shop.example.test, request: "PUT /api/uploads/photo-80.jpg HTTP/1.1", host: "127.0.0.1:19143""#,
    );
    expect(&rec, Cause::BufferedToDisk, None, None, None, Event);
    let rec = nginx(
        r#"2025/11/25 10:00:00 [crit] 9#9: *1 pwritev() "/var/cache/nginx/proxy_temp/1/00/0000000001" failed (28: No space left on device) while reading upstream, client: 10.1.2.3, server: s, request: "GET /big HTTP/1.1", upstream: "http://10.0.0.7:80/big", host: "s""#,
    );
    let f = expect(
        &rec,
        Cause::BufferedToDisk,
        Some(Phase::ReadBody),
        Some(Errno::NoSpace),
        Some("/var/cache/nginx/proxy_temp"),
        Event,
    );
    assert_eq!(f.variant, Some("temp_path_error"));
    let rec = nginx(
        r#"2025/11/25 10:00:00 [crit] 9#9: *1 open() "/var/cache/nginx/proxy_temp/2/00/0000000002" failed (13: Permission denied) while reading upstream, client: 10.1.2.3, server: s, request: "GET /big HTTP/1.1", upstream: "http://10.0.0.7:80/big", host: "s""#,
    );
    assert_eq!(rec.failure.and_then(|f| f.variant), Some("temp_path_error"));
    // A missing static file is not a proxy problem.
    no_failure(&nginx(
        r#"2025/11/25 10:00:00 [error] 9#9: *1 open() "/var/www/html/favicon.ico" failed (2: No such file or directory), client: 10.1.2.3, server: s, request: "GET /favicon.ico HTTP/1.1", host: "s""#,
    ));
}

// --- proxy_config_error -------------------------------------------------------------------

#[test]
fn proxy_config_error_real_and_variants() {
    // real: fixtures/nginx/proxy_config_error
    let rec = nginx(
        r#"2026/11/25 09:48:45 [error] 967#967: *1 upstream sent unsupported FastCGI protocol version: 72 while reading response header from upstream, client: 127.0.0.1, server: shop.example.test, request: "GET /index.php?page=25 HTTP/1.1", upstream: "fastcgi://127.0.0.1:19136", host: "shop.example.test", referrer: "https://shop.example.test/cart""#,
    );
    let f = expect(
        &rec,
        Cause::ProxyConfigError,
        Some(Phase::ReadHeader),
        None,
        Some("127.0.0.1:19136"),
        Event,
    );
    assert_eq!(f.variant, Some("fastcgi_to_http_port"));
    let rec = nginx(
        "2025/11/25 10:00:00 [error] 9#9: *1 broken header: \"\x16\x03\x01\x02\x00\x01\x00\x01\x7f\x03\x03\" while reading PROXY protocol, client: 10.1.2.3, server: 0.0.0.0:443",
    );
    let f = expect(
        &rec,
        Cause::ProxyConfigError,
        Some(Phase::ReadClient),
        None,
        None,
        Event,
    );
    assert_eq!(f.variant, Some("proxy_protocol"));
    let rec = apache(
        "[Tue Nov 25 10:00:00.000001 2025] [proxy:warn] [pid 1:tid 2] [client 203.0.113.9:50312] AH01144: No protocol handler was valid for the URL /app (scheme 'http'). If you are using a DSO version of mod_proxy, make sure the proxy submodules are included in the configuration using LoadModule.",
    );
    let f = expect(&rec, Cause::ProxyConfigError, None, None, None, Event);
    assert_eq!(f.variant, Some("missing_module"));
    let rec = nginx(
        r#"2025/11/25 10:00:00 [error] 31#31: *9 [lua] balancer.lua:350: balance(): attempted to proxy to self, balancer: default-web-80, peer: 10.244.0.5:80 while connecting to upstream, client: 10.244.0.1, server: web.example, request: "GET / HTTP/1.1", host: "web.example""#,
    );
    expect(
        &rec,
        Cause::ProxyConfigError,
        Some(Phase::Connect),
        None,
        None,
        Event,
    );
}

// --- lines that are not about an upstream ---------------------------------------------------

#[test]
fn startup_and_notice_lines_parse_without_failure() {
    for line in [
        "2026/11/25 09:48:41 [notice] 584#584: using the \"epoll\" event method",
        "2026/11/25 09:48:41 [notice] 584#584: start worker process 585",
        "2026/11/25 09:48:41 [notice] 584#584: signal process started",
        "2025/11/25 10:00:00 [info] 9#9: *1 client sent invalid request while reading client request line, client: 10.1.2.3, server: s, request: \"GET /\x01 HTTP/1.1\"",
        "2025/11/25 10:00:00 [error] 9#9: *1 client intended to send too large body: 10485761 bytes, client: 10.1.2.3, server: s, request: \"POST /upload HTTP/1.1\", host: \"s\"",
    ] {
        let rec = nginx(line);
        no_failure(&rec);
    }
    for line in [
        "AH00558: apache2: Could not reliably determine the server's fully qualified domain name, using 127.0.1.1. Set the 'ServerName' directive globally to suppress this message",
        "[Wed Nov 25 09:47:56.153989 2026] [core:notice] [pid 29145:tid 29145] AH00094: Command line: '/usr/sbin/apache2'",
    ] {
        no_failure(&apache(line));
    }
    no_failure(&fpm(
        "[25-Nov-2026 09:48:19] NOTICE: fpm is running, pid 31736",
    ));
    no_failure(&fpm(
        "[25-Nov-2026 09:48:19] NOTICE: ready to handle connections",
    ));
}

#[test]
fn every_cause_is_covered_by_this_file() {
    // Keeps the promise of this file honest: each id appears in a test above.
    let source = include_str!("catalog_tests.rs");
    // Edge-only causes are covered by the edge parsers' tests (src/edge/tests.rs).
    for cause in Cause::ALL.into_iter().filter(|c| !c.edge_only()) {
        let variant = format!("{cause:?}");
        assert!(
            source.matches(&format!("Cause::{variant},")).count() >= 2,
            "no test for {}",
            cause.id()
        );
    }
}
