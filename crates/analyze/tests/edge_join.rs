//! The join of edge failures with origin lines, on hand-made lines where the fixtures have
//! no case: clocks in different zones, trace ids, and no origin logs at all.

use logscan_analyze::report::Layer;
use logscan_analyze::{Analyzer, Config, InputInfo, Origin, Report};
use logscan_parse::{Format, Parser};

fn analyse(inputs: &[(&str, Format, Parser, &[&str])], config: Config) -> Report {
    let mut a = Analyzer::new(config);
    for (id, (path, format, parser, lines)) in inputs.iter().enumerate() {
        a.add_input(id as u32, InputInfo::new(*path, *format, "site"));
        for (i, line) in lines.iter().enumerate() {
            let origin = Origin {
                input: id as u32,
                chunk: 0,
                line: i as u64 + 1,
                lines: 1,
                text: line.as_bytes(),
            };
            match parser.parse(line.as_bytes()) {
                Ok(record) => a.observe(&record, &origin),
                Err(e) => a.observe_unrecognized(&origin, &e.to_string()),
            }
        }
    }
    a.finish()
}

fn alb(
    time: &str,
    created: &str,
    path: &str,
    status: &str,
    target_status: &str,
    trace: &str,
) -> String {
    format!(
        r#"https {time} app/shop-alb/50dc6c495c0c9188 203.0.113.9:50412 10.0.1.15:80 0.000 0.002 0.000 {status} {target_status} 215 300 "GET https://shop.example.test:443{path} HTTP/1.1" "curl/8.5.0" - - arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/shop-web/73e2d6bc24d8a067 "{trace}" "shop.example.test" "-" 0 {created} "forward" "-" "-" "10.0.1.15:80" "{target_status}" "-" "-""#
    )
}

/// An ALB logs UTC; the origin's nginx logs +01:00. Without a zone the report shows each
/// log's wall clock, and the join still compares the instants both lines carry.
#[test]
fn edge_in_utc_and_origin_in_another_zone_join_by_instant() {
    let edge = [
        alb(
            "2026-11-25T09:00:00.600000Z",
            "2026-11-25T09:00:00.500000Z",
            "/api/items",
            "502",
            "502",
            "Root=1-1",
        ),
        alb(
            "2026-11-25T09:00:05.600000Z",
            "2026-11-25T09:00:05.500000Z",
            "/api/users",
            "502",
            "502",
            "Root=1-2",
        ),
    ];
    let origin = [
        r#"10.0.1.1 - - [25/Nov/2026:10:00:00 +0100] "GET /api/items HTTP/1.1" 502 157 "-" "curl/8.5.0""#,
        r#"10.0.1.1 - - [25/Nov/2026:10:00:05 +0100] "GET /api/users HTTP/1.1" 502 157 "-" "curl/8.5.0""#,
    ];
    let edge: Vec<&str> = edge.iter().map(String::as_str).collect();
    let r = analyse(
        &[
            ("alb.log", Format::AwsAlb, Parser::aws_alb(), &edge),
            (
                "access.log",
                Format::NginxAccess,
                Parser::nginx_combined(),
                &origin,
            ),
        ],
        Config::default(),
    );
    let f = r
        .findings
        .iter()
        .find(|f| f.layer == Layer::Edge)
        .expect("an edge finding");
    let o = f.origin.as_ref().expect("joined");
    assert_eq!((o.reached, o.never_reached), (2, 0), "{o:?}");
    assert_eq!(o.statuses.get("502"), Some(&2));
}

/// Two origin lines of the same path in the same second: the trace id says which one the
/// edge failure was; a connect failure with no trace match never reached the origin.
#[test]
fn trace_ids_pick_the_origin_line() {
    let format = r#"$remote_addr [$time_local] "$request" $status "$http_x_amzn_trace_id""#;
    let origin = [
        r#"10.0.1.1 [25/Nov/2026:09:00:00 +0000] "GET /api/items HTTP/1.1" 200 "Root=1-aaaa""#,
        r#"10.0.1.1 [25/Nov/2026:09:00:00 +0000] "GET /api/items HTTP/1.1" 500 "Self=1-x;Root=1-bbbb""#,
    ];
    let edge = [
        // The origin answered 500 to this one (its trace is on the 500 line).
        alb(
            "2026-11-25T09:00:00.600000Z",
            "2026-11-25T09:00:00.500000Z",
            "/api/items",
            "500",
            "500",
            "Root=1-bbbb",
        ),
        // A refused connection at the same time and path: no line of its own.
        alb(
            "2026-11-25T09:00:00.700000Z",
            "2026-11-25T09:00:00.690000Z",
            "/api/items",
            "502",
            "-",
            "Root=1-cccc",
        ),
    ];
    let edge: Vec<&str> = edge.iter().map(String::as_str).collect();
    let r = analyse(
        &[
            ("alb.log", Format::AwsAlb, Parser::aws_alb(), &edge),
            (
                "access.log",
                Format::NginxAccess,
                Parser::nginx_access(format).expect("format"),
                &origin,
            ),
        ],
        Config::default(),
    );
    let by_cause = |id: &str| {
        r.findings
            .iter()
            .find(|f| f.layer == Layer::Edge && f.cause.id() == id)
            .and_then(|f| f.origin.clone())
            .unwrap_or_else(|| panic!("{id}: {:?}", r.findings))
    };
    let passed_on = by_cause("origin_error_response");
    assert_eq!(passed_on.statuses.get("500"), Some(&1), "{passed_on:?}");
    assert_eq!(passed_on.statuses.get("200"), None);
    let refused = by_cause("upstream_refused");
    assert_eq!(
        (refused.reached, refused.never_reached),
        (0, 1),
        "{refused:?}"
    );
}

/// Without origin logs there is no join to report; with only an error log (no access
/// log), absence proves nothing: "unknown", never "never reached".
#[test]
fn no_origin_access_log_no_claim() {
    let edge = [alb(
        "2026-11-25T09:00:10.500000Z",
        "2026-11-25T09:00:00.500000Z",
        "/api/items",
        "504",
        "-",
        "Root=1-1",
    )];
    let edge: Vec<&str> = edge.iter().map(String::as_str).collect();
    let alone = analyse(
        &[("alb.log", Format::AwsAlb, Parser::aws_alb(), &edge)],
        Config::default(),
    );
    assert_eq!(alone.findings[0].origin, None);
    assert_eq!(alone.findings[0].cause.id(), "upstream_timeout_connect");
    let errors = [
        "2026/11/25 09:00:30 [error] 7#7: *1 connect() failed (111: Connection refused) while connecting to upstream, client: 10.0.1.1, server: s, request: \"GET /other HTTP/1.1\", upstream: \"http://127.0.0.1:1/other\", host: \"s\"",
    ];
    let with_errors = analyse(
        &[
            ("alb.log", Format::AwsAlb, Parser::aws_alb(), &edge),
            (
                "error.log",
                Format::NginxError,
                Parser::nginx_error(),
                &errors,
            ),
        ],
        Config::default(),
    );
    let f = with_errors
        .findings
        .iter()
        .find(|f| f.layer == Layer::Edge)
        .expect("edge finding");
    let o = f.origin.as_ref().expect("origin logs were read");
    assert_eq!((o.never_reached, o.unknown), (0, 1), "{o:?}");
}
