//! Parsing and classifying an error line allocates nothing, and neither does pairing it
//! with its companion line: the automaton is built once, records borrow from the line, the
//! companion tracker has a fixed size. Checked with the counting allocator of
//! `counting/mod.rs`, which counts the test's own thread only.

#![allow(unsafe_code, clippy::unwrap_used)]

mod counting;

use counting::allocations_during;
use logscan_parse::{Companions, Parser, Record};

#[test]
fn parsing_error_lines_does_not_allocate() {
    let nginx = Parser::nginx_error();
    let apache = Parser::apache_error();
    let documented =
        Parser::apache_error_format(r"[%{uc}t] [%-m:%-l] [R:%L] [C:%{C}L] %7F: %E: %M").unwrap();
    let cases: Vec<(&Parser, &[u8])> = vec![
        (
            &nginx,
            br#"2026/11/25 10:00:00 [error] 7#7: *1 connect() failed (111: Connection refused) while connecting to upstream, client: unix:, server: shop.example, request: "GET / HTTP/1.1", upstream: "http://127.0.0.1:8080/", host: "shop.example""#,
        ),
        (
            &nginx,
            br#"2026/11/25 10:00:00 [error] 7#7: *1 recv() failed (104: Connection reset by peer) while reading response header from upstream, client: X.X.X.X, server: s, request: "GET / HTTP/1.1", upstream: "http://10.0.0.5:80/", host: "s""#,
        ),
        (
            &nginx,
            br#"2026/12/05 21:08:54 [error] 24464#24464: *25 recv() failed (111: Connection refused) while proxying and reading from upstream, udp client: 127.0.0.1, server: 127.0.0.1:19101, upstream: "127.0.0.1:19102", bytes from/to client:8/0, bytes from/to upstream:0/8"#,
        ),
        (
            &nginx,
            br#"2026/11/25 10:00:00 [error] 4242#4250: *1 connect() failed (10048: Only one usage of each socket address (protocol/network address/port) is normally permitted) while connecting to upstream(proxy_connect), client: 127.0.0.1, server: , request: "CONNECT a:443 HTTP/1.1", host: "a:443""#,
        ),
        (
            &nginx,
            br#"2026/12/05 21:09:05 [error] 24976#24976: *1 connect() to 0.0.0.1:80 failed (101: Network is unreachable) while connecting to upstream, client: 127.0.0.1, server: s, request: "GET / HTTP/1.1", upstream: "http://0.0.0.1:80/", host: "s""#,
        ),
        (
            &nginx,
            br#"2026/12/05 21:10:52 [crit] 31424#31424: *1 open() "/var/lib/nginx/body/0000000001" failed (13: Permission denied), client: 127.0.0.1, server: s, request: "POST / HTTP/1.1", host: "s""#,
        ),
        (
            &apache,
            b"[Sat Dec 05 21:09:08.630986 2026] [fcgid:warn] [pid 25214:tid 25216] [client 127.0.0.1:33024] mod_fcgid: read data timeout in 2 seconds",
        ),
        (
            &apache,
            b"[Sat Dec 05 21:09:08.631022 2026] [core:error] [pid 25214:tid 25216] [client 127.0.0.1:33024] End of script output before headers: sleep.php",
        ),
        (
            &apache,
            b"[2026-12-05 21:09:25.044945] [proxy_http:error] [R:PNQoaAFQJDY] (70007)The timeout specified has expired: AH01102: error reading status line from remote server 127.0.0.1:19116",
        ),
        (
            &documented,
            b"[2026-12-05 21:09:25.044945] [proxy_http:error] [R:PNQoaAFQJDY] (70007)The timeout specified has expired: AH01102: error reading status line from remote server 127.0.0.1:19116",
        ),
    ];
    let mut companions = Companions::new();
    for (parser, line) in &cases {
        // Warm up (the automaton, the per-thread memo).
        let _ = parser.parse(line);
        let mut failures = 0;
        let allocated = allocations_during(|| {
            for _ in 0..100 {
                if let Ok(Record::Error(mut r)) = parser.parse(line) {
                    companions.apply(&mut r);
                    failures += usize::from(r.failure.is_some());
                }
            }
        });
        assert_eq!(allocated, 0, "{} allocated", String::from_utf8_lossy(line));
        assert_eq!(failures, 100, "{}", String::from_utf8_lossy(line));
    }
}
