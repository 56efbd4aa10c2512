//! Lines from the wild, one test per class: context fields with unexpected values, the
//! stream module, module and build variants (proxy_connect, lua-nginx-module, Kong,
//! APISIX, Tengine, ingress-nginx, older nginx), platforms (Windows, FreeBSD, macOS,
//! musl), Apache (mod_fcgid, 2.2, the companion lines) and temp files nginx cannot write.
//!
//! Every line is built from the format string of the program that writes it (the source
//! file is named next to it) or was captured from a real server (marked "real", with the
//! fixture it comes from).

use proptest::prelude::*;

use crate::{Cause, Companions, Errno, ErrorRecord, Failure, Parser, Phase, Record, Role};

#[track_caller]
fn parse<'a>(parser: &Parser, line: &'a str) -> ErrorRecord<'a> {
    match parser.parse(line.as_bytes()) {
        Ok(Record::Error(rec)) => rec,
        other => panic!("not an error record: {other:?}\n{line}"),
    }
}

#[track_caller]
fn nginx(line: &str) -> ErrorRecord<'_> {
    parse(&Parser::nginx_error(), line)
}

#[track_caller]
fn apache(line: &str) -> ErrorRecord<'_> {
    parse(&Parser::apache_error(), line)
}

#[track_caller]
fn failure<'a>(rec: &ErrorRecord<'a>) -> Failure<'a> {
    match rec.failure {
        Some(f) => f,
        None => panic!("no failure in {rec:?}"),
    }
}

/// Cause, phase and errno of a line.
#[track_caller]
fn cpe(rec: &ErrorRecord<'_>) -> (Cause, Option<Phase>, Option<Errno>) {
    let f = failure(rec);
    (f.cause, f.phase, f.errno)
}

fn text(bytes: Option<&[u8]>) -> Option<String> {
    bytes.map(|b| String::from_utf8_lossy(b).into_owned())
}

// --- context fields with unexpected values ------------------------------------------------

/// The tail nginx's HTTP log handler appends, with the client written as `client`.
fn http_context(client: &str) -> String {
    format!(
        r#", client: {client}, server: shop.example, request: "GET /api/items HTTP/1.1", upstream: "http://10.0.0.5:8080/api/items", host: "shop.example""#
    )
}

#[test]
fn unexpected_client_values_keep_message_errno_and_phase() {
    // `unix:` (a `listen unix:` server, `ngx_sock_ntop` of an unnamed AF_UNIX peer), empty,
    // and what tickets paste instead of an address.
    let clients = [
        "unix:",
        "",
        "xxx",
        "X.X.X.X",
        "[IP]",
        "<redacted>",
        "1.2.3.x",
        "***",
        "REDACTED, internal",
    ];
    let messages: [(&str, Cause, Option<Phase>, Option<Errno>); 5] = [
        (
            "connect() failed (111: Connection refused) while connecting to upstream",
            Cause::UpstreamRefused,
            Some(Phase::Connect),
            Some(Errno::ConnRefused),
        ),
        (
            "recv() failed (104: Connection reset by peer) while reading response header from upstream",
            Cause::UpstreamReset,
            Some(Phase::ReadHeader),
            Some(Errno::ConnReset),
        ),
        (
            "SSL_do_handshake() failed (SSL: error:0A00010B:SSL routines::wrong version number) while SSL handshaking to upstream",
            Cause::TlsToUpstream,
            Some(Phase::TlsHandshake),
            None,
        ),
        (
            "upstream timed out (110: Connection timed out) while reading response header from upstream",
            Cause::UpstreamTimeoutRead,
            Some(Phase::ReadHeader),
            Some(Errno::TimedOut),
        ),
        (
            "no live upstreams while connecting to upstream",
            Cause::NoLiveUpstreams,
            Some(Phase::Connect),
            None,
        ),
    ];
    for client in clients {
        for (message, cause, phase, errno) in messages {
            let line = format!(
                "2026/11/25 10:00:00 [error] 7#7: *1 {message}{}",
                http_context(client)
            );
            let rec = nginx(&line);
            assert_eq!(cpe(&rec), (cause, phase, errno), "{line}");
            // The field is kept as written (nothing for an empty one), the others typed.
            let expected = (!client.is_empty()).then(|| client.to_owned());
            assert_eq!(text(rec.client), expected, "{line}");
            assert_eq!(text(rec.server_name).as_deref(), Some("shop.example"));
            assert_eq!(text(failure(&rec).peer).as_deref(), Some("10.0.0.5:8080"));
        }
    }
}

#[test]
fn redacted_client_without_server_field_in_a_cut_line() {
    // A line cut right after the client: the errno and action still say what happened.
    let rec = nginx(
        "2026/11/25 10:00:00 [error] 7#7: *1 connect() failed (111: Connection refused) while connecting to upstream, client: xxx",
    );
    assert_eq!(
        cpe(&rec),
        (
            Cause::UpstreamRefused,
            Some(Phase::Connect),
            Some(Errno::ConnRefused)
        )
    );
    assert_eq!(text(rec.client).as_deref(), Some("xxx"));
}

#[test]
fn unix_client_real() {
    // real: fixtures/nginx/unix_client
    let rec = nginx(
        r#"2026/12/05 21:09:04 [error] 24834#24834: *5 recv() failed (104: Connection reset by peer) while reading response header from upstream, client: unix:, server: shop.example.test, request: "GET /api/users?id=8 HTTP/1.1", upstream: "http://127.0.0.1:19108/api/users?id=8", host: "shop.example.test", referrer: "https://shop.example.test/cart""#,
    );
    assert_eq!(
        cpe(&rec),
        (
            Cause::UpstreamReset,
            Some(Phase::ReadHeader),
            Some(Errno::ConnReset)
        )
    );
    assert_eq!(text(rec.client).as_deref(), Some("unix:"));
    assert_eq!(
        text(rec.referer).as_deref(),
        Some("https://shop.example.test/cart")
    );
}

// --- the stream module ------------------------------------------------------------------------

#[test]
fn stream_upstream_failures_real() {
    // real: fixtures/nginx/stream_refused, stream_timeout, stream_reset
    let cases = [
        (
            r#"2026/12/05 21:08:54 [error] 24464#24464: *1 connect() failed (111: Connection refused) while connecting to upstream, client: 127.0.0.1, server: 127.0.0.1:19100, upstream: "127.0.0.1:19102", bytes from/to client:0/0, bytes from/to upstream:0/0"#,
            Cause::UpstreamRefused,
            Phase::Connect,
            "tcp",
        ),
        (
            r#"2026/12/05 21:08:54 [error] 24464#24464: *25 recv() failed (111: Connection refused) while proxying and reading from upstream, udp client: 127.0.0.1, server: 127.0.0.1:19101, upstream: "127.0.0.1:19102", bytes from/to client:8/0, bytes from/to upstream:0/8"#,
            Cause::UpstreamRefused,
            Phase::Upgraded,
            "udp",
        ),
        (
            r#"2026/12/05 21:08:56 [error] 24538#24538: *1 upstream timed out (110: Connection timed out) while connecting to upstream, client: 127.0.0.1, server: 127.0.0.1:19103, upstream: "127.0.0.1:19104", bytes from/to client:0/0, bytes from/to upstream:0/0"#,
            Cause::UpstreamTimeoutConnect,
            Phase::Connect,
            "tcp",
        ),
        (
            r#"2026/12/05 21:09:04 [error] 24732#24732: *1 recv() failed (104: Connection reset by peer) while proxying and reading from upstream, client: 127.0.0.1, server: 127.0.0.1:19105, upstream: "127.0.0.1:19106", bytes from/to client:92/0, bytes from/to upstream:0/92"#,
            Cause::UpstreamReset,
            Phase::Upgraded,
            "tcp",
        ),
    ];
    for (line, cause, phase, protocol) in cases {
        let rec = nginx(line);
        let f = failure(&rec);
        assert_eq!((f.cause, f.phase), (cause, Some(phase)), "{line}");
        assert_eq!(text(f.protocol).as_deref(), Some(protocol), "{line}");
        assert_eq!(text(f.peer).as_deref(), text(rec.upstream_url).as_deref());
        assert_eq!(rec.request, None);
    }
}

#[test]
fn stream_directions_and_older_proxying_connection() {
    // src/stream/ngx_stream_proxy_module.c: the send side and the client side.
    let ctx = r#", client: 10.0.0.1, server: 0.0.0.0:5432, upstream: "10.0.0.9:5432", bytes from/to client:1200/300, bytes from/to upstream:300/1200"#;
    let cases = [
        (
            "[error] 7#7: *4 writev() failed (32: Broken pipe) while proxying and sending to upstream",
            Cause::UpstreamReset,
            Some(Phase::Upgraded),
        ),
        (
            "[info] 7#7: *4 recv() failed (104: Connection reset by peer) while proxying and reading from client",
            Cause::ClientAbort,
            Some(Phase::ReadClient),
        ),
        (
            "[info] 7#7: *4 writev() failed (32: Broken pipe) while proxying and sending to client",
            Cause::ClientAbort,
            Some(Phase::SendToClient),
        ),
        // Before nginx 1.13.11 (f39d5e8b3) every proxying error said `proxying connection`;
        // the client connection's errors are logged at info, the upstream's at error.
        (
            "[error] 7#7: *4 recv() failed (104: Connection reset by peer) while proxying connection",
            Cause::UpstreamReset,
            Some(Phase::Upgraded),
        ),
        (
            "[info] 7#7: *4 recv() failed (104: Connection reset by peer) while proxying connection",
            Cause::ClientAbort,
            Some(Phase::Upgraded),
        ),
        (
            "[error] 7#7: *4 recv() failed (111: Connection refused) while proxying connection",
            Cause::UpstreamRefused,
            Some(Phase::Upgraded),
        ),
        // UDP: no answer within proxy_timeout (ngx_stream_proxy_process_connection).
        (
            "[error] 7#7: *4 upstream timed out (110: Connection timed out) while proxying connection",
            Cause::UpstreamTimeoutRead,
            Some(Phase::Upgraded),
        ),
    ];
    for (middle, cause, phase) in cases {
        let line = format!("2026/11/25 10:00:00 {middle}{ctx}");
        let rec = nginx(&line);
        let f = failure(&rec);
        assert_eq!((f.cause, f.phase), (cause, phase), "{line}");
    }
}

// --- module and build variants -----------------------------------------------------------------

#[test]
fn proxy_connect_module_action_suffixes() {
    // chobits/ngx_http_proxy_connect_module: `connecting to upstream(proxy_connect)` until
    // cf182e3 (2019), `connecting to upstream (proxy_connect)` after it, then plain.
    let ctx = r#", client: 10.0.0.1, server: , request: "CONNECT example.com:443 HTTP/1.1", host: "example.com:443""#;
    for action in [
        "connecting to upstream(proxy_connect)",
        "connecting to upstream (proxy_connect)",
        "connecting to upstream",
    ] {
        let line = format!(
            "2026/11/25 10:00:00 [error] 7#7: *1 connect() failed (111: Connection refused) while {action}{ctx}"
        );
        let rec = nginx(&line);
        assert_eq!(
            cpe(&rec),
            (
                Cause::UpstreamRefused,
                Some(Phase::Connect),
                Some(Errno::ConnRefused)
            ),
            "{line}"
        );
        assert_eq!(text(rec.action).as_deref(), Some(action));
        assert_eq!(text(rec.client).as_deref(), Some("10.0.0.1"));
    }
    let rec_line = format!(
        "2026/11/25 10:00:00 [error] 7#7: *1 upstream timed out (proxy_connect) (110: Connection timed out) while connecting to upstream (proxy_connect){ctx}"
    );
    let rec = nginx(&rec_line);
    assert_eq!(
        cpe(&rec),
        (
            Cause::UpstreamTimeoutConnect,
            Some(Phase::Connect),
            Some(Errno::TimedOut)
        )
    );
    let rec_line = format!(
        "2026/11/25 10:00:00 [error] 7#7: *1 proxy_connect: upstream read timed out (peer:93.184.216.34:443){ctx}"
    );
    let rec = nginx(&rec_line);
    let f = failure(&rec);
    assert_eq!(f.cause, Cause::UpstreamTimeoutRead);
    assert_eq!(text(f.peer).as_deref(), Some("93.184.216.34:443"));
    let rec_line =
        format!("2026/11/25 10:00:00 [error] 7#7: *1 proxy_connect: no live connection{ctx}");
    let rec = nginx(&rec_line);
    assert_eq!(failure(&rec).cause, Cause::NoLiveUpstreams);
}

#[test]
fn lua_prefix_and_subrequest_fields() {
    // lua-nginx-module src/ngx_http_lua_log.c: `[lua] <file>:<line>: <function>(): `, then
    // the request's action and context; an `auth_request` subrequest adds `subrequest:`.
    let rec = nginx(
        r#"2026/11/25 10:00:00 [error] 7#7: *3 connect() failed (111: Connection refused) while connecting to upstream, client: 10.0.0.1, server: api.example, request: "GET /orders HTTP/1.1", subrequest: "/_auth", upstream: "http://127.0.0.1:9001/_auth", host: "api.example""#,
    );
    let f = failure(&rec);
    assert_eq!(
        (f.cause, text(f.peer).as_deref()),
        (Cause::UpstreamRefused, Some("127.0.0.1:9001"))
    );
    assert_eq!(text(rec.subrequest).as_deref(), Some("/_auth"));
    // APISIX and Kong append the request id after the standard fields.
    let rec = nginx(
        r#"2026/11/25 10:00:00 [error] 7#7: *3 upstream timed out (110: Connection timed out) while reading response header from upstream, client: 10.0.0.1, server: _, request: "GET /orders HTTP/1.1", upstream: "http://10.0.0.9:8080/orders", host: "api.example", referrer: "https://api.example/", request_id: "5b8c2f0e1a7d4c3b""#,
    );
    assert_eq!(failure(&rec).cause, Cause::UpstreamTimeoutRead);
    assert_eq!(text(rec.host).as_deref(), Some("api.example"));
    assert_eq!(text(rec.referer).as_deref(), Some("https://api.example/"));
    // Lua code talking to its own backends (cosockets): src/ngx_http_lua_socket_tcp.c.
    for (message, cause, phase) in [
        (
            "lua tcp socket connect timed out, when connecting to 10.0.0.7:6379",
            Cause::UpstreamTimeoutConnect,
            Phase::Connect,
        ),
        (
            "lua tcp socket read timed out",
            Cause::UpstreamTimeoutRead,
            Phase::ReadHeader,
        ),
        (
            "lua tcp socket write timed out",
            Cause::UpstreamTimeoutSend,
            Phase::SendRequest,
        ),
        (
            "lua udp socket read timed out",
            Cause::UpstreamTimeoutRead,
            Phase::ReadHeader,
        ),
    ] {
        let line = format!(
            "2026/11/25 10:00:00 [error] 7#7: *3 {message}, client: 10.0.0.1, server: api.example, request: \"GET / HTTP/1.1\", host: \"api.example\""
        );
        let rec = nginx(&line);
        assert_eq!(
            (failure(&rec).cause, failure(&rec).phase),
            (cause, Some(phase)),
            "{line}"
        );
    }
    // A Lua message without a `while` keeps its text whole; a `, client: ` inside it is
    // not the context when a real one follows.
    let rec = nginx(
        r#"2026/11/25 10:00:00 [error] 7#7: *3 [lua] access.lua:12: handler(): upstream timed out for key, client: fake, retrying, client: 10.0.0.1, server: api.example, request: "GET / HTTP/1.1", host: "api.example""#,
    );
    assert_eq!(text(rec.client).as_deref(), Some("10.0.0.1"));
}

#[test]
fn lua_balancers_and_the_placeholder() {
    // real: fixtures/nginx/lua_no_endpoints (lua-nginx-module's `[lua]` framing of the
    // ingress-nginx balancer.lua format string, then nginx dialing the placeholder).
    let lua = nginx(
        r#"2026/12/05 21:09:05 [warn] 24976#24976: *1 [lua] balancer_by_lua(nginx.conf:30):2: no peer was returned, balancer: shop-web-80 while connecting to upstream, client: 127.0.0.1, server: shop.example.test, request: "GET /api/items HTTP/1.1", host: "shop.example.test""#,
    );
    let f = failure(&lua);
    assert_eq!(
        (f.cause, f.variant, f.role, text(f.peer).as_deref()),
        (
            Cause::NoLiveUpstreams,
            Some("no_endpoints"),
            Role::Cause,
            Some("shop-web-80")
        )
    );
    let placeholder = nginx(
        r#"2026/12/05 21:09:05 [error] 24976#24976: *1 connect() to 0.0.0.1:80 failed (101: Network is unreachable) while connecting to upstream, client: 127.0.0.1, server: shop.example.test, request: "GET /api/items HTTP/1.1", upstream: "http://0.0.0.1:80/api/items", host: "shop.example.test""#,
    );
    let f = failure(&placeholder);
    assert_eq!(
        (f.cause, f.variant, f.role, f.errno),
        (
            Cause::NoLiveUpstreams,
            Some("no_endpoints"),
            Role::Effect,
            Some(Errno::NetUnreach)
        )
    );
    // Whatever the OS says about 0.0.0.1, and on the stream placeholders of Kong
    // (`0.0.0.1:1`) and ingress-nginx (`0.0.0.1:1234`).
    for (errno, upstream) in [
        ("111: Connection refused", "http://0.0.0.1:80/"),
        ("22: Invalid argument", "http://0.0.0.1/"),
        ("113: No route to host", "0.0.0.1:1234"),
        ("111: Connection refused", "0.0.0.1:1"),
    ] {
        let line = format!(
            r#"2026/11/25 10:00:00 [error] 7#7: *1 connect() failed ({errno}) while connecting to upstream, client: 10.0.0.1, server: s, upstream: "{upstream}""#
        );
        assert_eq!(
            failure(&nginx(&line)).cause,
            Cause::NoLiveUpstreams,
            "{line}"
        );
    }
    let timeout = nginx(
        r#"2026/11/25 10:00:00 [error] 7#7: *1 upstream timed out (110: Connection timed out) while connecting to upstream, client: 10.0.0.1, server: s, request: "GET / HTTP/1.1", upstream: "http://0.0.0.1:80/", host: "s""#,
    );
    assert_eq!(failure(&timeout).cause, Cause::NoLiveUpstreams);
    // Third-party balancers' own wordings.
    let ctx = r#", client: 10.0.0.1, server: s, request: "GET / HTTP/1.1", host: "s""#;
    for (message, variant, role) in [
        // lua-nginx-module src/ngx_http_lua_balancer.c (2024+).
        (
            "lua balancer: no peer set",
            Some("no_endpoints"),
            Role::Event,
        ),
        // APISIX apisix/balancer.lua, apisix/init.lua.
        (
            "[lua] balancer.lua:456: run(): failed to pick server: no valid upstream node",
            Some("no_endpoints"),
            Role::Event,
        ),
        (
            "[lua] init.lua:646: http_access_phase(): failed to set upstream: no valid upstream node: nil",
            Some("no_endpoints"),
            Role::Event,
        ),
        (
            "[lua] balancer.lua:482: run(): failed to set server peer [10.0.0.9:80] err: invalid port",
            None,
            Role::Cause,
        ),
        (
            "[lua] balancer.lua:100: fetch_health_nodes(): all upstream nodes is unhealthy, use default",
            None,
            Role::Context,
        ),
        // Kong kong/init.lua.
        (
            "[lua] init.lua:1419: balancer(): failed to set the current peer (address: 10.0.0.9 port: 8000): no host allowed",
            None,
            Role::Cause,
        ),
        // Tengine modules/ngx_http_upstream_consistent_hash_module, vnswrr.
        ("all servers are down!", None, Role::Event),
        ("get rr peer is null in upstream \"app\"", None, Role::Event),
    ] {
        let line = format!(
            "2026/11/25 10:00:00 [error] 7#7: *1 {message} while connecting to upstream{ctx}"
        );
        let f = failure(&nginx(&line));
        assert_eq!(
            (f.cause, f.variant, f.role),
            (Cause::NoLiveUpstreams, variant, role),
            "{line}"
        );
    }
    let kong_peer_line = format!(
        "2026/11/25 10:00:00 [error] 7#7: *1 [lua] init.lua:1419: balancer(): failed to set the current peer (address: 10.0.0.9 port: 8000): no host allowed while connecting to upstream{ctx}"
    );
    let kong_peer = nginx(&kong_peer_line);
    assert_eq!(text(failure(&kong_peer).peer).as_deref(), Some("10.0.0.9"));
    // Kong kong/runloop/balancer/init.lua; lua-nginx-module `balancer_by_lua*` errors.
    let dns_line = format!(
        "2026/11/25 10:00:00 [error] 7#7: *1 [lua] init.lua:382: execute(): DNS resolution failed: dns server error: 3 name error. Tried: [\"(short)orders.svc:(na) - cache-miss\"]{ctx}"
    );
    let dns = nginx(&dns_line);
    assert_eq!(failure(&dns).cause, Cause::DnsResolution);
    let lua_error_line = format!(
        "2026/11/25 10:00:00 [error] 7#7: *1 failed to run balancer_by_lua*: balancer_by_lua:2: attempt to call a nil value while connecting to upstream{ctx}"
    );
    let lua_error = nginx(&lua_error_line);
    assert_eq!(failure(&lua_error).cause, Cause::ProxyConfigError);
}

#[test]
fn older_and_third_party_resolver_wordings() {
    // src/core/ngx_resolver.c before 1.19.4 (279efaab6) and after.
    for (line, name) in [
        (
            "2026/11/25 10:00:00 [error] 7#7: unexpected response for api.example",
            Some("api.example"),
        ),
        (
            "2026/11/25 10:00:00 [error] 7#7: unexpected DNS response for api.example",
            Some("api.example"),
        ),
        (
            "2026/11/25 10:00:00 [error] 7#7: wrong ident 4242 response for api.example, expect 17",
            Some("api.example"),
        ),
        (
            "2026/11/25 10:00:00 [error] 7#7: unexpected RR type 99",
            None,
        ),
        (
            "2026/11/25 10:00:00 [error] 7#7: unexpected RR class 3 in DNS response",
            None,
        ),
        (
            "2026/11/25 10:00:00 [error] 7#7: name is out of response",
            None,
        ),
        (
            "2026/11/25 10:00:00 [error] 7#7: compression pointers loop in DNS response",
            None,
        ),
        (
            "2026/11/25 10:00:00 [error] 7#7: invalid A DNS response 1234 fl:8180",
            None,
        ),
    ] {
        let rec = nginx(line);
        let f = failure(&rec);
        assert_eq!(f.cause, Cause::DnsResolution, "{line}");
        assert_eq!(text(f.peer).as_deref(), name, "{line}");
    }
    // The same words in a request's own line are not the resolver's.
    let rec = nginx(
        r#"2026/11/25 10:00:00 [error] 7#7: *1 [lua] client.lua:40: fetch(): unexpected response for /v1/orders, client: 10.0.0.1, server: s, request: "GET / HTTP/1.1", host: "s""#,
    );
    assert_eq!(rec.failure, None);
    // Tengine modules/ngx_http_upstream_dynamic_module.
    let rec = nginx("2026/11/25 10:00:00 [error] 7#7: *1 resolver has not been configured!");
    assert_eq!(
        (failure(&rec).cause, failure(&rec).variant),
        (Cause::DnsResolution, Some("no_resolver"))
    );
}

// --- platforms --------------------------------------------------------------------------------

#[test]
fn windows_builds_of_nginx() {
    // src/os/win32/ngx_errno.c: FormatMessage texts without the final ".\r\n"; numbers from
    // the Windows SDK winerror.h.
    let ctx = r#" while connecting to upstream, client: 127.0.0.1, server: localhost, request: "GET / HTTP/1.1", upstream: "http://127.0.0.1:8080/", host: "localhost""#;
    let cases = [
        (
            "10061: No connection could be made because the target machine actively refused it",
            Cause::UpstreamRefused,
            Errno::ConnRefused,
        ),
        (
            "10060: A connection attempt failed because the connected party did not properly respond after a period of time, or established connection failed because connected host has failed to respond",
            Cause::UpstreamTimeoutConnect,
            Errno::TimedOut,
        ),
        (
            "10065: A socket operation was attempted to an unreachable host",
            Cause::UpstreamUnreachable,
            Errno::HostUnreach,
        ),
        (
            "10051: A socket operation was attempted to an unreachable network",
            Cause::UpstreamUnreachable,
            Errno::NetUnreach,
        ),
        (
            "10048: Only one usage of each socket address (protocol/network address/port) is normally permitted",
            Cause::EphemeralPorts,
            Errno::AddrInUse,
        ),
        (
            "10049: The requested address is not valid in its context",
            Cause::EphemeralPorts,
            Errno::AddrNotAvail,
        ),
        (
            "10055: An operation on a socket could not be performed because the system lacked sufficient buffer space or because a queue was full",
            Cause::EphemeralPorts,
            Errno::NoBufs,
        ),
        (
            "10024: Too many open sockets",
            Cause::FdExhaustion,
            Errno::MFile,
        ),
        (
            "10013: An attempt was made to access a socket in a way forbidden by its access permissions",
            Cause::SocketPermission,
            Errno::Access,
        ),
    ];
    for (errno, cause, name) in cases {
        let line =
            format!("2026/11/25 10:00:00 [error] 4242#4250: *1 connect() failed ({errno}){ctx}");
        let rec = nginx(&line);
        let f = failure(&rec);
        assert_eq!((f.cause, f.errno), (cause, Some(name)), "{line}");
        assert_eq!(text(f.peer).as_deref(), Some("127.0.0.1:8080"));
    }
    let read = r#" while reading response header from upstream, client: 127.0.0.1, server: localhost, request: "GET / HTTP/1.1", upstream: "http://127.0.0.1:8080/", host: "localhost""#;
    for (message, cause) in [
        (
            "WSARecv() failed (10054: An existing connection was forcibly closed by the remote host)",
            Cause::UpstreamReset,
        ),
        (
            "WSARecv() failed (10053: An established connection was aborted by the software in your host machine)",
            Cause::UpstreamReset,
        ),
        (
            "upstream timed out (10060: A connection attempt failed because the connected party did not properly respond after a period of time, or established connection failed because connected host has failed to respond)",
            Cause::UpstreamTimeoutRead,
        ),
    ] {
        let line = format!("2026/11/25 10:00:00 [error] 4242#4250: *1 {message}{read}");
        assert_eq!(failure(&nginx(&line)).cause, cause, "{line}");
    }
    // Non-socket Windows errors keep Windows numbers that mean other things on Linux
    // (112 is EHOSTDOWN there, ERROR_DISK_FULL here): the text decides.
    let rec = nginx(
        r#"2026/11/25 10:00:00 [crit] 4242#4250: *1 CreateFile() "C:\nginx/temp/client_body_temp/0000000001" failed (5: Access is denied), client: 127.0.0.1, server: localhost, request: "POST /upload HTTP/1.1", host: "localhost""#,
    );
    let f = failure(&rec);
    assert_eq!(
        (f.cause, f.errno, f.variant),
        (
            Cause::BufferedToDisk,
            Some(Errno::Access),
            Some("temp_path_error")
        )
    );
    assert_eq!(
        text(f.peer).as_deref(),
        Some("C:\\nginx/temp/client_body_temp")
    );
    let rec = nginx(
        r#"2026/11/25 10:00:00 [crit] 4242#4250: *1 WriteFile() "C:\nginx/temp/proxy_temp/0000000002" failed (112: There is not enough space on the disk) while reading upstream, client: 127.0.0.1, server: localhost, request: "GET /big HTTP/1.1", upstream: "http://127.0.0.1:8080/big", host: "localhost""#,
    );
    assert_eq!(failure(&rec).errno, Some(Errno::NoSpace));
}

#[test]
fn freebsd_macos_and_musl_errnos() {
    let ctx = r#", client: 10.0.0.1, server: a, request: "GET / HTTP/1.1", upstream: "http://10.0.0.5:8080/", host: "a""#;
    // FreeBSD/macOS numbers (sys/sys/errno.h, xnu bsd/sys/errno.h) with their texts
    // (lib/libc/gen/errlst.c), then with texts in another language (the number decides).
    let cases = [
        (
            "kevent() reported that connect() failed (61: Connection refused) while connecting to upstream",
            Cause::UpstreamRefused,
            Errno::ConnRefused,
        ),
        (
            "connect() failed (65: No route to host) while connecting to upstream",
            Cause::UpstreamUnreachable,
            Errno::HostUnreach,
        ),
        (
            "connect() failed (51: Network is unreachable) while connecting to upstream",
            Cause::UpstreamUnreachable,
            Errno::NetUnreach,
        ),
        (
            "connect() failed (49: Can't assign requested address) while connecting to upstream",
            Cause::EphemeralPorts,
            Errno::AddrNotAvail,
        ),
        (
            "recv() failed (54: Connection reset by peer) while reading response header from upstream",
            Cause::UpstreamReset,
            Errno::ConnReset,
        ),
        (
            "upstream timed out (60: Operation timed out) while reading response header from upstream",
            Cause::UpstreamTimeoutRead,
            Errno::TimedOut,
        ),
        (
            "connect() to unix:/var/run/php-fpm.sock failed (35: Resource temporarily unavailable) while connecting to upstream",
            Cause::BacklogFull,
            Errno::Again,
        ),
        (
            "connect() failed (61: Verbindung abgelehnt) while connecting to upstream",
            Cause::UpstreamRefused,
            Errno::ConnRefused,
        ),
        (
            "recv() failed (54: Connexion ré-initialisée par le correspondant) while reading response header from upstream",
            Cause::UpstreamReset,
            Errno::ConnReset,
        ),
        // musl texts (src/errno/__strerror.h): Alpine-based images.
        (
            "connect() failed (113: Host is unreachable) while connecting to upstream",
            Cause::UpstreamUnreachable,
            Errno::HostUnreach,
        ),
        (
            "connect() failed (99: Address not available) while connecting to upstream",
            Cause::EphemeralPorts,
            Errno::AddrNotAvail,
        ),
        (
            "socket() failed (24: No file descriptors available) while connecting to upstream",
            Cause::FdExhaustion,
            Errno::MFile,
        ),
        (
            "recv() failed (102: Connection reset by network) while reading response header from upstream",
            Cause::UpstreamReset,
            Errno::NetReset,
        ),
    ];
    for (message, cause, errno) in cases {
        let line = format!("2026/11/25 10:00:00 [error] 77#0: *3 {message}{ctx}");
        let f = failure(&nginx(&line));
        assert_eq!((f.cause, f.errno), (cause, Some(errno)), "{line}");
    }
}

#[test]
fn windows_builds_of_apache() {
    // APR prints Windows errors as `(OS <n>)` with FormatMessage's text (and its final
    // period); numbers from winerror.h.
    let cases = [
        (
            "(OS 10061)No connection could be made because the target machine actively refused it.  : AH00957: HTTP: attempt to connect to 127.0.0.1:8080 (localhost) failed",
            Cause::UpstreamRefused,
            Errno::ConnRefused,
        ),
        (
            "(OS 10060)A connection attempt failed because the connected party did not properly respond after a period of time, or established connection failed because connected host has failed to respond.  : AH00957: HTTP: attempt to connect to 127.0.0.1:8080 (localhost) failed",
            Cause::UpstreamTimeoutConnect,
            Errno::TimedOut,
        ),
        (
            "(OS 10048)Only one usage of each socket address (protocol/network address/port) is normally permitted.  : AH00957: HTTP: attempt to connect to 127.0.0.1:8080 (localhost) failed",
            Cause::EphemeralPorts,
            Errno::AddrInUse,
        ),
        (
            "(OS 10065)A socket operation was attempted to an unreachable host.  : AH00957: HTTP: attempt to connect to 10.0.0.5:8080 (app) failed",
            Cause::UpstreamUnreachable,
            Errno::HostUnreach,
        ),
        (
            "(OS 64)The specified network name is no longer available.  : [client 10.0.0.1:5000] AH01102: error reading status line from remote server localhost:8080",
            Cause::UpstreamReset,
            Errno::ConnReset,
        ),
        (
            "(OS 121)The semaphore timeout period has expired.  : [client 10.0.0.1:5000] AH01102: error reading status line from remote server localhost:8080",
            Cause::UpstreamTimeoutRead,
            Errno::TimedOut,
        ),
        (
            "(OS 1225)The remote computer refused the network connection.  : AH00957: HTTP: attempt to connect to 127.0.0.1:8080 (localhost) failed",
            Cause::UpstreamRefused,
            Errno::ConnRefused,
        ),
    ];
    for (rest, cause, errno) in cases {
        let line = format!("[Tue Nov 25 10:00:00.000001 2025] [proxy:error] [pid 1:tid 2] {rest}");
        let f = failure(&apache(&line));
        assert_eq!((f.cause, f.errno), (cause, Some(errno)), "{line}");
    }
}

// --- Apache: mod_fcgid, 2.2, companion lines ------------------------------------------------

#[test]
fn mod_fcgid_messages() {
    let at = "[Wed Nov 25 09:48:31.000001 2026] [fcgid:warn] [pid 11:tid 12]";
    let client = "[client 203.0.113.9:5000]";
    // modules/fcgid/fcgid_proc_unix.c, fcgid_proc_win.c, fcgid_bridge.c, fcgid_bucket.c,
    // with the wordings before 2.3.2 (cd10db5).
    let cases: [(String, Cause, Role, Option<&str>); 14] = [
        (
            format!("{at} {client} mod_fcgid: read data timeout in 40 seconds"),
            Cause::UpstreamTimeoutRead,
            Role::Cause,
            Some("fcgid_io_timeout"),
        ),
        (
            format!("{at} {client} mod_fcgid: read timeout from pipe"),
            Cause::UpstreamTimeoutRead,
            Role::Cause,
            Some("fcgid_io_timeout"),
        ),
        (
            format!(
                "{at} {client} mod_fcgid: error reading data, FastCGI server closed connection"
            ),
            Cause::UpstreamClosedEarly,
            Role::Cause,
            None,
        ),
        (
            format!(
                "{at} {client} mod_fcgid: Read data error, fastcgi server has close connection"
            ),
            Cause::UpstreamClosedEarly,
            Role::Cause,
            None,
        ),
        (
            format!(
                "{at} (104)Connection reset by peer: {client} mod_fcgid: error reading data from FastCGI server"
            ),
            Cause::UpstreamReset,
            Role::Cause,
            None,
        ),
        (
            format!(
                "{at} (OS 109)The pipe has been ended.  : {client} mod_fcgid: get overlap result error"
            ),
            Cause::UpstreamReset,
            Role::Cause,
            None,
        ),
        (
            format!(
                "{at} (32)Broken pipe: {client} mod_fcgid: error writing data to FastCGI server"
            ),
            Cause::UpstreamReset,
            Role::Cause,
            None,
        ),
        (
            format!("{at} {client} mod_fcgid: write timeout to pipe"),
            Cause::UpstreamTimeoutSend,
            Role::Cause,
            None,
        ),
        (
            format!(
                "{at} (70007)The timeout specified has expired: {client} mod_fcgid: ap_pass_brigade failed in handle_request_ipc function"
            ),
            Cause::UpstreamTimeoutRead,
            Role::Effect,
            Some("fcgid_io_timeout"),
        ),
        (
            format!(
                "{at} {client} mod_fcgid: can't apply process slot for /var/www/cgi-bin/php-wrapper"
            ),
            Cause::FpmPoolExhausted,
            Role::Event,
            Some("fcgid_process_slot"),
        ),
        (
            format!(
                "[Wed Nov 25 09:48:31.000001 2026] [fcgid:info] [pid 11:tid 12] {client} mod_fcgid: /index.php took longer than busy timeout (300 secs)"
            ),
            Cause::UpstreamTimeoutRead,
            Role::Cause,
            Some("fcgid_busy_timeout"),
        ),
        (
            "[Wed Nov 25 09:48:31.000001 2026] [fcgid:error] [pid 11:tid 13] mod_fcgid: process /var/www/php.fcgi(1234) exit(communication error), get unexpected signal 11".to_owned(),
            Cause::BackendCrash,
            Role::Event,
            None,
        ),
        (
            format!(
                "{at} {client} mod_fcgid: stderr: PHP Fatal error:  Allowed memory size of 134217728 bytes exhausted (tried to allocate 20480 bytes) in /var/www/index.php on line 12"
            ),
            Cause::PhpFatal,
            Role::Event,
            Some("memory_limit"),
        ),
        (
            format!(
                "{at} (2)No such file or directory: {client} mod_fcgid: can't connect unix domain socket: /var/lib/apache2/fcgid/sock/1234.0"
            ),
            Cause::SocketMissing,
            Role::Event,
            None,
        ),
    ];
    for (line, cause, role, variant) in &cases {
        let f = failure(&apache(line));
        assert_eq!(
            (f.cause, f.role, f.variant),
            (*cause, *role, *variant),
            "{line}"
        );
    }
    // Recycling is not a failure.
    let rec = apache(
        "[Wed Nov 25 09:48:31.000001 2026] [fcgid:info] [pid 11:tid 12] mod_fcgid: process /var/www/php.fcgi(1234) exit(idle timeout), get stop signal 15",
    );
    assert_eq!(rec.failure, None);
}

#[test]
fn apache_22_proxy_and_ssl_proxy_messages() {
    // httpd 2.2.x modules/proxy (no AH codes; `[client ip]` before the status).
    let cases = [
        (
            "[Tue Nov 25 10:00:00 2025] [error] (111)Connection refused: proxy: HTTP: attempt to connect to 127.0.0.1:8080 (localhost) failed",
            Cause::UpstreamRefused,
            Role::Cause,
        ),
        (
            "[Tue Nov 25 10:00:00 2025] [error] ap_proxy_connect_backend disabling worker for (localhost)",
            Cause::NoLiveUpstreams,
            Role::Context,
        ),
        (
            "[Tue Nov 25 10:00:01 2025] [error] proxy: HTTP: disabled connection for (localhost)",
            Cause::NoLiveUpstreams,
            Role::Cause,
        ),
        (
            "[Tue Nov 25 10:00:31 2025] [error] [client 203.0.113.9] (70007)The timeout specified has expired: proxy: error reading status line from remote server localhost:8080",
            Cause::UpstreamTimeoutRead,
            Role::Event,
        ),
        (
            "[Tue Nov 25 10:00:31 2025] [error] (104)Connection reset by peer: proxy: read response failed from 127.0.0.1:8009 (localhost)",
            Cause::UpstreamReset,
            Role::Event,
        ),
        (
            "[Tue Nov 25 10:00:31 2025] [error] (32)Broken pipe: proxy: send failed to 127.0.0.1:8009 (localhost)",
            Cause::UpstreamReset,
            Role::Event,
        ),
        (
            "[Tue Nov 25 10:00:31 2025] [error] (70007)The timeout specified has expired: proxy: dialog to 127.0.0.1:8009 (localhost) failed",
            Cause::UpstreamTimeoutRead,
            Role::Event,
        ),
        (
            "[Tue Nov 25 10:00:31 2025] [error] (111)Connection refused: proxy: AJP: cping/cpong failed to 127.0.0.1:8009 (localhost)",
            Cause::UpstreamRefused,
            Role::Event,
        ),
        (
            "[Tue Nov 25 10:00:31 2025] [error] [client 203.0.113.9] proxy: connect to remote machine evil.example blocked: name evil.example matched",
            Cause::ProxyConfigError,
            Role::Event,
        ),
        (
            "[Tue Nov 25 10:00:31 2025] [error] proxy: BALANCER: (balancer://app). All workers are in error state",
            Cause::NoLiveUpstreams,
            Role::Event,
        ),
        // 2.2 modules/ssl/ssl_engine_io.c (proxy side).
        (
            "[Tue Nov 25 10:00:31 2025] [error] SSL Proxy connect failed",
            Cause::TlsToUpstream,
            Role::Event,
        ),
        (
            "[Tue Nov 25 10:00:31 2025] [error] SSL Proxy: Peer certificate CN mismatch: Certificate CN: backend.local Requested hostname: 10.0.0.5",
            Cause::TlsToUpstream,
            Role::Event,
        ),
        (
            "[Tue Nov 25 10:00:31 2025] [error] Failed to set SNI extension for SSL Proxy request to 'backend.local'",
            Cause::TlsToUpstream,
            Role::Event,
        ),
        (
            "[Tue Nov 25 10:00:31 2025] [error] proxy: HTTP: failed to enable ssl support for 10.0.0.5:443 (backend.local)",
            Cause::TlsToUpstream,
            Role::Event,
        ),
    ];
    for (line, cause, role) in cases {
        let f = failure(&apache(line));
        assert_eq!((f.cause, f.role), (cause, role), "{line}");
    }
}

/// Runs lines through a parser and a [`Companions`], returning each line's cause.
fn paired(parser: &Parser, lines: &[&str]) -> Vec<Option<Cause>> {
    let mut companions = Companions::new();
    lines
        .iter()
        .map(|line| match parser.parse(line.as_bytes()) {
            Ok(Record::Error(mut rec)) => {
                companions.apply(&mut rec);
                rec.failure.map(|f| f.cause)
            }
            other => panic!("{other:?}"),
        })
        .collect()
}

#[test]
fn companion_lines_take_the_cause_of_their_thread() {
    let apache = Parser::apache_error();
    // real: fixtures/apache/fcgid_read_timeout (mod_fcgid 2.3.9)
    assert_eq!(
        paired(
            &apache,
            &[
                "[Sat Dec 05 21:09:08.630986 2026] [fcgid:warn] [pid 25214:tid 25216] [client 127.0.0.1:33024] mod_fcgid: read data timeout in 2 seconds",
                "[Sat Dec 05 21:09:08.631022 2026] [core:error] [pid 25214:tid 25216] [client 127.0.0.1:33024] End of script output before headers: sleep.php",
            ]
        ),
        [Some(Cause::UpstreamTimeoutRead); 2]
    );
    // The socket error before AH01079 (mod_proxy_fcgi), the refusal before AH01114.
    assert_eq!(
        paired(
            &apache,
            &[
                "[Wed Nov 25 09:47:36.036331 2026] [proxy:error] [pid 26515:tid 26519] (13)Permission denied: AH02454: FCGI: attempt to connect to Unix domain socket /run/php/php8.2-fpm.sock (localhost:8000) failed",
                "[Wed Nov 25 09:47:36.036401 2026] [proxy_fcgi:error] [pid 26515:tid 26519] [client 127.0.0.1:51000] AH01079: failed to make connection to backend: localhost",
            ]
        ),
        [Some(Cause::SocketPermission); 2]
    );
    // The (70007) timeout before AH00898.
    assert_eq!(
        paired(
            &apache,
            &[
                "[Wed Nov 25 09:47:33.742494 2026] [proxy_http:error] [pid 26117:tid 26126] (70007)The timeout specified has expired: [client 127.0.0.1:55978] AH01102: error reading status line from remote server 127.0.0.1:19155",
                "[Wed Nov 25 09:47:33.742590 2026] [proxy:error] [pid 26117:tid 26126] [client 127.0.0.1:55978] AH00898: Error reading from remote server returned by /api/items",
            ]
        ),
        [Some(Cause::UpstreamTimeoutRead); 2]
    );
    // 2.2: no pid or tid; the lines of one request follow each other.
    assert_eq!(
        paired(
            &apache,
            &[
                "[Tue Nov 25 10:00:00 2025] [error] [client 203.0.113.9] mod_fcgid: read data timeout in 40 seconds",
                "[Tue Nov 25 10:00:00 2025] [error] [client 203.0.113.9] Premature end of script headers: index.php",
            ]
        ),
        [Some(Cause::UpstreamTimeoutRead); 2]
    );
    // A PHP fatal error on stderr, then the script ends without headers.
    assert_eq!(
        paired(
            &apache,
            &[
                "[Wed Nov 25 09:48:31.000004 2026] [fcgid:warn] [pid 11:tid 13] [client 203.0.113.9:5000] mod_fcgid: stderr: PHP Fatal error:  Uncaught Error: Call to undefined function foo() in /var/www/index.php:3",
                "[Wed Nov 25 09:48:31.000009 2026] [core:error] [pid 11:tid 13] [client 203.0.113.9:5000] End of script output before headers: index.php",
            ]
        ),
        [Some(Cause::PhpFatal); 2]
    );
}

// --- temp files nginx cannot write --------------------------------------------------------------

#[test]
fn temp_files_nginx_cannot_write() {
    // real: fixtures/nginx/temp_path_permission
    let body = nginx(
        r#"2026/12/05 21:10:52 [crit] 31424#31424: *1 open() "/tmp/logscan-capture/nginx/temp_path_permission/tmp/client_body/0000000001" failed (13: Permission denied), client: 127.0.0.1, server: shop.example.test, request: "POST /api/uploads HTTP/1.1", host: "shop.example.test""#,
    );
    let f = failure(&body);
    assert_eq!(
        (f.cause, f.variant, f.errno, f.phase),
        (
            Cause::BufferedToDisk,
            Some("temp_path_error"),
            Some(Errno::Access),
            None
        )
    );
    assert_eq!(
        text(f.peer).as_deref(),
        Some("/tmp/logscan-capture/nginx/temp_path_permission/tmp/client_body")
    );
    let proxy = nginx(
        r#"2026/12/05 21:10:52 [crit] 31424#31424: *10 open() "/tmp/logscan-capture/nginx/temp_path_permission/tmp/proxy/0000000009" failed (13: Permission denied) while reading upstream, client: 127.0.0.1, server: shop.example.test, request: "GET /media/catalog.pdf HTTP/1.1", upstream: "http://127.0.0.1:19101/media/catalog.pdf", host: "shop.example.test""#,
    );
    let f = failure(&proxy);
    assert_eq!(
        (f.cause, f.phase, text(f.peer).as_deref()),
        (
            Cause::BufferedToDisk,
            Some(Phase::ReadBody),
            Some("/tmp/logscan-capture/nginx/temp_path_permission/tmp/proxy")
        )
    );
    // Debian's paths (no "temp" in them), level directories, mkdir() of a level.
    for (line, dir) in [
        (
            r#"2026/11/25 10:00:00 [crit] 9#9: *1 open() "/var/lib/nginx/body/0000000001" failed (13: Permission denied), client: 10.0.0.1, server: s, request: "POST /upload HTTP/1.1", host: "s""#,
            "/var/lib/nginx/body",
        ),
        (
            r#"2026/11/25 10:00:00 [crit] 9#9: *1 open() "/var/lib/nginx/fastcgi/2/01/0000000012" failed (2: No such file or directory) while reading upstream, client: 10.0.0.1, server: s, request: "GET /report.php HTTP/1.1", upstream: "fastcgi://unix:/run/php/php8.2-fpm.sock:", host: "s""#,
            "/var/lib/nginx/fastcgi",
        ),
        (
            r#"2026/11/25 10:00:00 [crit] 9#9: *1 mkdir() "/var/lib/nginx/proxy/3" failed (13: Permission denied) while reading upstream, client: 10.0.0.1, server: s, request: "GET /big HTTP/1.1", upstream: "http://10.0.0.7:80/big", host: "s""#,
            "/var/lib/nginx/proxy",
        ),
    ] {
        let f = failure(&nginx(line));
        assert_eq!(
            (f.cause, f.variant, text(f.peer).as_deref()),
            (Cause::BufferedToDisk, Some("temp_path_error"), Some(dir)),
            "{line}"
        );
    }
    // A static file that is not there is not a temp file.
    let rec = nginx(
        r#"2026/11/25 10:00:00 [error] 9#9: *1 open() "/var/www/html/proxy/favicon.ico" failed (2: No such file or directory), client: 10.0.0.1, server: s, request: "GET /proxy/favicon.ico HTTP/1.1", host: "s""#,
    );
    assert_eq!(rec.failure, None);
}

// --- the cause comes from message, errno and phase alone ----------------------------------

/// Lines with every context field, `{name}` marking each field's value.
const TEMPLATES: &[&str] = &[
    r#"2026/11/25 10:00:00 [error] 7#7: *1 connect() failed (111: Connection refused) while connecting to upstream, client: {client}, server: {server}, request: "{request}", upstream: "{upstream}", host: "{host}", referrer: "{referrer}""#,
    r#"2026/11/25 10:00:00 [error] 7#7: *1 recv() failed (104: Connection reset by peer) while reading response header from upstream, client: {client}, server: {server}, request: "{request}", upstream: "{upstream}", host: "{host}", request_id: "{request_id}""#,
    r#"2026/11/25 10:00:00 [error] 7#7: *1 upstream timed out (110: Connection timed out) while reading response header from upstream, client: {client}, server: {server}, request: "{request}", subrequest: "{subrequest}", upstream: "{upstream}", host: "{host}""#,
    r#"2026/11/25 10:00:00 [crit] 7#7: *1 SSL_do_handshake() failed (SSL: error:0A000086:SSL routines::certificate verify failed) while SSL handshaking to upstream, client: {client}, server: {server}, request: "{request}", upstream: "{upstream}", host: "{host}""#,
    r#"2026/11/25 10:00:00 [error] 7#7: *1 upstream prematurely closed connection while reading upstream, client: {client}, server: {server}, request: "{request}", upstream: "{upstream}", host: "{host}", referrer: "{referrer}""#,
    r#"2026/11/25 10:00:00 [error] 7#7: *1 no live upstreams while connecting to upstream, client: {client}, server: {server}, request: "{request}", upstream: "{upstream}", host: "{host}""#,
    r#"2026/11/25 10:00:00 [error] 7#7: *1 FastCGI sent in stderr: "PHP message: PHP Fatal error:  Uncaught Exception: boom in /var/www/index.php:3" while reading response header from upstream, client: {client}, server: {server}, request: "{request}", upstream: "{upstream}", host: "{host}""#,
    r#"2026/11/25 10:00:00 [error] 7#7: *1 limiting requests, excess: 20.550 by zone "one", client: {client}, server: {server}, request: "{request}", host: "{host}""#,
    r#"2026/11/25 10:00:00 [crit] 7#7: *1 connect() to unix:/run/php/php8.2-fpm.sock failed (13: Permission denied) while connecting to upstream, client: {client}, server: {server}, request: "{request}", upstream: "{upstream}", host: "{host}""#,
    r#"2026/11/25 10:00:00 [error] 7#7: *1 recv() failed (104: Connection reset by peer) while proxying and reading from upstream, client: {client}, server: {server}, upstream: "{upstream}", bytes from/to client:{bytes}, bytes from/to upstream:{bytes}"#,
    r#"2026/11/25 10:00:00 [error] 7#7: *1 upstream timed out (110: Connection timed out) while proxying connection, udp client: {client}, server: {server}, upstream: "{upstream}", bytes from/to client:{bytes}, bytes from/to upstream:{bytes}"#,
    r#"2026/11/25 10:00:00 [error] 7#7: *1 connect() failed (10061: No connection could be made because the target machine actively refused it) while connecting to upstream, client: {client}, server: {server}, request: "{request}", upstream: "{upstream}", host: "{host}""#,
];

const FIELDS: [&str; 9] = [
    "request_id",
    "client",
    "server",
    "request",
    "subrequest",
    "upstream",
    "host",
    "referrer",
    "bytes",
];

/// A template with every field at a normal value, except `field`, which gets `value`.
fn fill(template: &str, field: Option<&str>, value: &[u8]) -> Vec<u8> {
    let normal = |name: &str| -> &[u8] {
        match name {
            "client" => b"203.0.113.7",
            "server" => b"shop.example",
            "request" => b"GET /api/items HTTP/1.1",
            "subrequest" => b"/_auth",
            "upstream" => b"http://10.0.0.5:8080/api/items",
            "host" => b"shop.example",
            "referrer" => b"https://shop.example/",
            "request_id" => b"5b8c2f0e1a7d4c3b",
            _ => b"120/4096",
        }
    };
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        out.extend_from_slice(&rest.as_bytes()[..open]);
        let name = &rest[open + 1..open + close];
        if field == Some(name) {
            out.extend_from_slice(value);
        } else {
            out.extend_from_slice(normal(name));
        }
        rest = &rest[open + close + 1..];
    }
    out.extend_from_slice(rest.as_bytes());
    out
}

fn cause_of(line: &[u8]) -> Option<Cause> {
    match Parser::nginx_error().parse(line) {
        Ok(Record::Error(r)) => r.failure.map(|f| f.cause),
        _ => None,
    }
}

#[test]
fn templates_have_their_causes() {
    for template in TEMPLATES {
        let line = fill(template, None, b"");
        assert!(cause_of(&line).is_some(), "{template}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    /// Replacing the value of any context field by arbitrary bytes never changes the
    /// cause (the placeholder address 0.0.0.1 as the upstream is the one value that does,
    /// by design).
    #[test]
    fn context_field_values_never_change_the_cause(
        template in 0..TEMPLATES.len(),
        field in 0..FIELDS.len(),
        value in proptest::collection::vec(any::<u8>(), 0..80),
        printable in proptest::collection::vec(0x20u8..0x7f, 0..80),
        use_printable in any::<bool>(),
    ) {
        let value = if use_printable { printable } else { value };
        prop_assume!(!(FIELDS[field] == "upstream" && value.windows(7).any(|w| w == b"0.0.0.1")));
        let template = TEMPLATES[template];
        let expected = cause_of(&fill(template, None, b""));
        let line = fill(template, Some(FIELDS[field]), &value);
        prop_assert_eq!(cause_of(&line), expected, "{}", String::from_utf8_lossy(&line));
    }
}
