//! Parsing an edge log line allocates nothing: records borrow from the line, the JSON
//! formats read `RawValue`s borrowed from it. (serde_json allocates a small stack to skip an
//! unknown value that nests containers two deep; the documented Logpush and Cloud Logging
//! fields nest at most one deep where logscan skips them.) Checked with the counting
//! allocator of `counting/mod.rs`, which counts the test's own thread only.

#![allow(unsafe_code, clippy::unwrap_used)]

mod counting;

use counting::allocations_during;
use logscan_parse::{Parser, Record};

#[test]
fn parsing_edge_lines_does_not_allocate() {
    let cf_header = "#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end";
    let cases: Vec<(Parser, &[u8])> = vec![
        (
            Parser::haproxy(),
            br#"2026-12-05T21:09:45+00:00 localhost haproxy[27355]: 127.0.0.1:53090 [05/Dec/2026:21:09:43.239] www app/nginx1 0/0/-1/-1/2006 503 217 - - SC-- 3/3/2/0/2 0/0 "POST /api/orders HTTP/1.1""#,
        ),
        (
            Parser::haproxy(),
            br#"<134>Dec  5 21:10:45 haproxy[30366]: 127.0.0.1:60562 [05/Dec/2026:21:10:45.203] www app/<NOSRV> 0/-1/-1/-1/0 503 217 - - SC-- 1/1/0/0/0 0/0 "GET /api/users?id=53 HTTP/1.1""#,
        ),
        (
            Parser::aws_alb(),
            br#"http 2018-11-30T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 - 0.000 0.001 0.000 502 - 34 366 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.46.0" - - arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337364-23a8c76965a2ef7629b185e3" "-" "-" 0 2018-11-30T22:22:48.364000Z "forward" "-" "LambdaInvalidResponse" "-" "-" "-" "-""#,
        ),
        (
            Parser::cloudfront_fields(cf_header.as_bytes()).unwrap(),
            b"2019-12-13\t22:36:27\tSEA19-C1\t900\t192.0.2.200\tGET\td111111abcdef8.cloudfront.net\t/\t502\t-\tcurl/7.55.1\t-\t-\tError\tkBkDzGnceVtWHqSCqBUqtA_cEs2T3tFUBbnBNkB9El_uVRhHgcZfcw==\twww.example.com\thttp\t387\t0.103\t-\t-\t-\tError\tHTTP/1.1\t-\t-\t12644\t0.103\tOriginDnsError\ttext/html\t507\t-\t-",
        ),
        (
            Parser::cloudflare(),
            br#"{"ClientIP":"198.51.100.4","ClientRequestHost":"shop.example","ClientRequestURI":"/a\"b?x=1","EdgeStartTimestamp":1764000000000000000,"EdgeEndTimestamp":"2025-11-24T16:00:19Z","EdgeResponseStatus":522,"OriginResponseStatus":0,"OriginIP":"203.0.113.7","RayID":"8e1f5a3c9b2d4e6f","RequestHeaders":{"x-a":"\u00e9"},"SecurityRuleIDs":["a","b"]}"#,
        ),
        (
            Parser::gcp_lb(),
            br#"{"httpRequest":{"requestMethod":"GET","requestUrl":"https://shop.example/api/items?id=3","status":502,"remoteIp":"198.51.100.4","serverIp":"10.128.0.7","latency":"0.002135s"},"jsonPayload":{"@type":"type.googleapis.com/google.cloud.loadbalancing.type.LoadBalancerLogEntry","statusDetails":"failed_to_connect_to_backend"},"resource":{"type":"http_load_balancer","labels":{"backend_service_name":"web-backend"}},"timestamp":"2026-11-25T01:27:19.123456Z"}"#,
        ),
        // Lines that fail.
        (Parser::cloudflare(), br#"{"EdgeResponseStatus":"five"}"#),
        (Parser::aws_alb(), b"http 2018-11-30T22:23:00Z \"unclosed"),
    ];
    for (parser, line) in &cases {
        let _ = parser.parse(line);
        let mut ok = 0;
        let allocated = allocations_during(|| {
            for _ in 0..100 {
                if let Ok(Record::Edge(r)) = parser.parse(line) {
                    ok += usize::from(r.status.is_some());
                }
            }
        });
        assert_eq!(allocated, 0, "{} allocated", String::from_utf8_lossy(line));
        assert!(ok == 100 || ok == 0);
    }
}
