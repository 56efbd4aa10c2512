//! Parsing an access line allocates nothing: formats are compiled once, records borrow
//! from the line. Checked with the counting allocator of `counting/mod.rs`, which counts
//! the test's own thread only.

#![allow(unsafe_code, clippy::unwrap_used)]

mod counting;

use counting::allocations_during;
use logscan_parse::{Parser, Record};

#[test]
fn parsing_access_lines_does_not_allocate() {
    let cases: Vec<(Parser, &[u8])> = vec![
        (
            Parser::nginx_combined(),
            br#"127.0.0.1 - - [25/Nov/2026:09:44:46 +0000] "GET /api/items?category=books&sort=price HTTP/1.1" 502 157 "-" "python-requests/2.31.0" rt=0.000 uct="-, -" uht="-, -" urt="0.000, 0.000" ua="127.0.0.1:19115, 127.0.0.1:19116" us="502, 502""#,
        ),
        (
            Parser::nginx_access(r#"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_time $upstream_addr $upstream_status $upstream_response_time $host"#).unwrap(),
            br#"127.0.0.1 - - [25/Nov/2026:09:44:46 +0000] "GET /api/items HTTP/1.1" 502 157 "-" "python-requests/2.31.0" 0.000 127.0.0.1:19115, 127.0.0.1:19116 : unix:/x 502, 502 : 200 0.000, 0.000 : 0.1 127.0.0.1"#,
        ),
        (
            Parser::ingress_nginx(),
            br#"192.168.49.1 - - [25/Nov/2026:10:00:00 +0000] "GET /api HTTP/2.0" 503 190 "-" "curl/8.5.0" 38 0.002 [default-web-80] [] 10.244.0.7:8080, 10.244.0.8:8080 0, 0 0.001, 0.001 503, 503 6f1a9c0e"#,
        ),
        (
            Parser::apache_access(r#"[%{%d/%b/%Y:%H:%M:%S}t.%{msec_frac}t %{%z}t] %h "%r" %>s %b "%{User-Agent}i" %D"#).unwrap(),
            br#"[25/Nov/2026:09:47:28.042 +0000] 127.0.0.1 "GET /a\"b HTTP/1.1" 500 - "x \"y\"" 2005193"#,
        ),
        // Backtracking (a raw quote in the request line) and a line that fails.
        (
            Parser::nginx_combined(),
            br#"1.2.3.4 - - [25/Nov/2026:01:29:10 +0100] "GET /a" b HTTP/1.1" 200 5 "-" "-" junk"#,
        ),
        (Parser::nginx_combined(), b"1.2.3.4 - - [garbage"),
    ];
    for (parser, line) in &cases {
        // Warm up (lazy statics, if any).
        let _ = parser.parse(line);
        let mut ok = 0;
        let allocated = allocations_during(|| {
            for _ in 0..100 {
                if let Ok(Record::Access(r)) = parser.parse(line) {
                    ok += usize::from(r.status.is_some());
                }
            }
        });
        assert_eq!(allocated, 0, "{} allocated", String::from_utf8_lossy(line));
        assert!(ok == 100 || ok == 0);
    }
}
