//! Analyzer behaviour on hand-built records (the fixture-driven tests are in fixtures.rs).

use logscan_analyze::{Analyzer, Config, InputInfo, Origin, Report};
use logscan_parse::records;
use logscan_parse::{
    Cause, ErrorRecord, Failure, Format, Level, Phase, Record, Role, Severity, Timestamp, Zone,
};
use proptest::prelude::*;

fn at(second: i64) -> Timestamp {
    // 2026-11-25 01:27:00 + second, local time without zone.
    let base = Timestamp::from_parts(2026, 11, 25, 1, 27, 0, 0, None).unwrap();
    Timestamp::from_unix(base.wall_seconds() + second, 0, 0)
        .unwrap()
        .with_offset(None)
}

fn failure(cause: Cause, phase: Phase, upstream: &'static str, role: Role) -> Failure<'static> {
    let protocol = if upstream.starts_with("unix:") {
        &b"fastcgi"[..]
    } else {
        b"http"
    };
    records::failure(cause, role, phase, upstream.as_bytes(), protocol)
}

fn nginx_error(
    second: i64,
    cause: Cause,
    phase: Phase,
    upstream: &'static str,
    request: &'static str,
) -> Record<'static> {
    let failure = failure(cause, phase, upstream, Role::Event);
    Record::Error(records::nginx_error(
        at(second),
        request.as_bytes(),
        failure,
    ))
}

fn nginx_access(
    second: i64,
    status: u16,
    request: &'static str,
    upstream_status: &'static str,
    urt: &'static str,
) -> Record<'static> {
    let addr = if upstream_status.contains(',') {
        &b"10.0.0.1:80, 10.0.0.2:80"[..]
    } else {
        b"127.0.0.1:19020"
    };
    let upstream = records::upstream(addr, upstream_status.as_bytes(), urt.as_bytes());
    let time = at(second).with_offset(Some(0));
    let mut record = records::nginx_access(time, status, request.as_bytes(), upstream);
    record.request_time_us = urt.parse::<f64>().ok().map(|s| (s * 1e6).round() as u64);
    Record::Access(record)
}

struct Line {
    input: u32,
    record: Record<'static>,
}

fn run(lines: &[Line], shards: &[usize], config: &Config) -> Report {
    run_merged(lines, shards, config, false)
}

fn run_merged(lines: &[Line], shards: &[usize], config: &Config, reverse: bool) -> Report {
    // Each input is cut into chunks at the given positions (positions index into `lines`).
    let mut analyzers: Vec<Analyzer> = Vec::new();
    let mut bounds: Vec<usize> = shards.iter().map(|s| s % (lines.len() + 1)).collect();
    bounds.push(lines.len());
    bounds.sort_unstable();
    bounds.dedup();
    let mut start = 0;
    for (chunk, &end) in bounds.iter().enumerate() {
        let mut a = Analyzer::new(config.clone());
        a.add_input(0, InputInfo::new("error.log", Format::NginxError, "site"));
        a.add_input(1, InputInfo::new("access.log", Format::NginxAccess, "site"));
        let mut line_in_chunk = [0u64; 2];
        for l in &lines[start..end] {
            line_in_chunk[l.input as usize] += 1;
            let text = format!("{:?}", l.record.time());
            let origin = Origin {
                input: l.input,
                chunk: chunk as u32,
                line: line_in_chunk[l.input as usize],
                lines: 1,
                text: text.as_bytes(),
            };
            a.observe(&l.record, &origin);
        }
        analyzers.push(a);
        start = end;
    }
    if reverse {
        analyzers.reverse();
    }
    let mut merged = analyzers.remove(0);
    for a in analyzers {
        merged.merge(a);
    }
    merged.finish()
}

/// ~2 minutes of traffic: healthy, backend down 20 s (refused), slow 30 s (504 after 3 s), healthy.
fn outage_then_timeouts() -> Vec<Line> {
    let mut lines = Vec::new();
    for s in 0..120i64 {
        for k in 0..4 {
            let request = ["GET /api/items HTTP/1.1", "GET /api/users?id=3 HTTP/1.1"][k % 2];
            match s {
                30..50 => {
                    lines.push(Line {
                        input: 0,
                        record: nginx_error(
                            s,
                            Cause::UpstreamRefused,
                            Phase::Connect,
                            "127.0.0.1:19020",
                            request,
                        ),
                    });
                    lines.push(Line {
                        input: 1,
                        record: nginx_access(s, 502, request, "502", "0.000"),
                    });
                }
                53..83 => {
                    lines.push(Line {
                        input: 0,
                        record: nginx_error(
                            s,
                            Cause::UpstreamTimeoutRead,
                            Phase::ReadHeader,
                            "127.0.0.1:19020",
                            request,
                        ),
                    });
                    lines.push(Line {
                        input: 1,
                        record: nginx_access(s, 504, request, "504", "3.001"),
                    });
                }
                _ => lines.push(Line {
                    input: 1,
                    record: nginx_access(s, 200, request, "200", "0.004"),
                }),
            }
        }
    }
    lines
}

#[test]
fn outage_then_timeouts_gives_two_incidents_and_ranked_findings() {
    let report = run(&outage_then_timeouts(), &[], &Config::default());
    assert_eq!(report.findings.len(), 2, "{:#?}", report.findings);
    let causes: Vec<Cause> = report.findings.iter().map(|f| f.cause).collect();
    assert!(
        causes.contains(&Cause::UpstreamRefused) && causes.contains(&Cause::UpstreamTimeoutRead)
    );
    let refused = report
        .findings
        .iter()
        .find(|f| f.cause == Cause::UpstreamRefused)
        .unwrap();
    assert_eq!(refused.count, 80);
    assert_eq!(refused.affected_requests, Some(80));
    assert_eq!(refused.statuses.get("502"), Some(&80));
    assert_eq!(refused.upstream, "127.0.0.1:19020");
    assert_eq!(refused.first_seen, "2026-11-25T01:27:30+00:00");
    assert_eq!(refused.requests[0].value, "GET /api/items");
    assert_eq!(report.incidents.len(), 2, "{:#?}", report.incidents);
    assert_eq!(report.incidents[0].causes, vec![Cause::UpstreamRefused]);
    assert_eq!(report.incidents[0].start, "2026-11-25T01:27:30+00:00");
    assert_eq!(report.incidents[0].end, "2026-11-25T01:27:49+00:00");
    assert_eq!(report.incidents[1].causes, vec![Cause::UpstreamTimeoutRead]);
    assert_eq!(report.incidents[1].start, "2026-11-25T01:27:53+00:00");
    let access = report.access.as_ref().unwrap();
    assert_eq!(access.server_errors, 200);
    assert_eq!(access.attributed, 200);
    assert_eq!(report.zone.source, "access_log");
    assert!(report.summary.starts_with("Visitors got 80 × 502 Bad Gateway between 01:27:30 and 01:27:49 because the backend at 127.0.0.1:19020 was not running"), "{}", report.summary);
    assert!(
        report.summary.contains("120 × 504 Gateway Timeout"),
        "{}",
        report.summary
    );
    assert!(
        report.summary.contains("proxy_read_timeout (3.0 s)"),
        "{}",
        report.summary
    );
    assert_eq!(
        report.totals.lines,
        report.totals.parsed + report.totals.unrecognized
    );
    let timeout = report
        .findings
        .iter()
        .find(|f| f.cause == Cause::UpstreamTimeoutRead)
        .unwrap();
    assert!(
        timeout.fix.summary.contains("3.0 s"),
        "{}",
        timeout.fix.summary
    );
}

#[test]
fn error_lines_of_a_client_without_requests_explain_no_request() {
    // The same outage, and another client's refused connects to a second backend at the
    // same seconds, which no access line of that client matches: every 5xx stays with the
    // finding of its own client, whichever order the sampled marks are kept in.
    let mut lines = outage_then_timeouts();
    for s in 30..50i64 {
        for request in ["GET /api/items HTTP/1.1", "GET /api/users?id=3 HTTP/1.1"] {
            let mut record = nginx_error(
                s,
                Cause::UpstreamRefused,
                Phase::Connect,
                "127.0.0.1:19021",
                request,
            );
            if let Record::Error(e) = &mut record {
                e.client = Some(b"10.9.9.9");
            }
            lines.push(Line { input: 0, record });
        }
    }
    for shards in [&[][..], &[150, 700]] {
        let report = run(&lines, shards, &Config::default());
        let access = report.access.as_ref().unwrap();
        assert_eq!(access.server_errors, 200);
        assert_eq!(access.attributed, 200);
        let refused = |upstream: &str| {
            report
                .findings
                .iter()
                .find(|f| f.cause == Cause::UpstreamRefused && f.upstream == upstream)
                .unwrap_or_else(|| panic!("{upstream}: {:#?}", report.findings))
        };
        assert_eq!(refused("127.0.0.1:19020").affected_requests, Some(80));
        assert_eq!(refused("127.0.0.1:19021").count, 40);
        assert_eq!(refused("127.0.0.1:19021").affected_requests.unwrap_or(0), 0);
    }
}

fn access_with_offset(second: i64, offset: i32, status: u16) -> Record<'static> {
    let Record::Access(mut r) = nginx_access(second, status, "GET / HTTP/1.1", "200", "0.001")
    else {
        unreachable!()
    };
    r.time = Some(at(second).with_offset(Some(offset)));
    Record::Access(r)
}

#[test]
fn times_keep_the_offset_the_access_lines_carry_across_a_dst_change() {
    // 01:27 +01:00, then 03:27 +02:00 an hour later (the clocks went forward).
    let lines = vec![
        Line {
            input: 1,
            record: access_with_offset(0, 3_600, 200),
        },
        Line {
            input: 1,
            record: access_with_offset(7_200, 7_200, 502),
        },
    ];
    let report = run(&lines, &[], &Config::default());
    assert_eq!(report.zone.source, "access_log");
    assert_eq!(
        report.span.as_ref().unwrap().start,
        "2026-11-25T01:27:00+01:00"
    );
    assert_eq!(
        report.span.as_ref().unwrap().end,
        "2026-11-25T03:27:00+02:00"
    );
}

#[test]
fn since_and_until_compare_instants_with_lines_that_carry_an_offset() {
    use logscan_analyze::Bound;
    // The access line is 01:27 +02:00 = 23:27 UTC the day before; the error line 01:27 as
    // logged.
    let lines = vec![
        Line {
            input: 1,
            record: access_with_offset(0, 7_200, 200),
        },
        Line {
            input: 0,
            record: nginx_error(
                0,
                Cause::UpstreamRefused,
                Phase::Connect,
                "127.0.0.1:1",
                "GET / HTTP/1.1",
            ),
        },
    ];
    let access_instant = at(0).wall_seconds() - 7_200;
    // An instant limit just after the access line's instant, whose wall-clock reading is
    // 01:26: the access line is in, the error line (01:27 on the wall clock) out.
    let instant = Config::default().with_until(Bound::instant(
        access_instant + 1,
        at(0).wall_seconds() - 60,
    ));
    let report = run(&lines, &[], &instant);
    assert_eq!(report.totals.filtered, 1);
    assert_eq!(report.totals.requests, 1);
    assert_eq!(report.totals.failures, 0);
    // The same decisions from Config::admits, for callers that filter themselves.
    assert!(instant.admits(lines[0].record.time().as_ref()));
    assert!(!instant.admits(lines[1].record.time().as_ref()));
    assert!(instant.admits(None));
    // A wall-clock limit compares both lines as logged.
    let wall = Config::default().with_until(Bound::wall(at(0).wall_seconds()));
    assert_eq!(run(&lines, &[], &wall).totals.filtered, 2);
}

#[test]
fn a_zone_puts_local_times_on_the_time_line() {
    let config = Config::default().with_zone("Europe/Berlin".parse().unwrap());
    let lines = vec![Line {
        input: 0,
        record: nginx_error(
            0,
            Cause::UpstreamRefused,
            Phase::Connect,
            "127.0.0.1:1",
            "GET / HTTP/1.1",
        ),
    }];
    let report = run(&lines, &[], &config);
    assert_eq!(report.findings[0].first_seen, "2026-11-25T01:27:00+01:00");
    assert_eq!(report.zone.source, "caller");
    let report = run(&lines, &[], &Config::default());
    assert_eq!(report.findings[0].first_seen, "2026-11-25T01:27:00");
    assert_eq!(report.zone.source, "as_logged");
}

#[test]
fn retried_errors_that_clients_never_saw_rank_below_visible_ones() {
    let mut lines = Vec::new();
    for s in 0..60 {
        // A reset on the first try, then 200 from the second server: invisible to clients.
        lines.push(Line {
            input: 0,
            record: nginx_error(
                s,
                Cause::UpstreamReset,
                Phase::ReadHeader,
                "10.0.0.1:80",
                "GET /a HTTP/1.1",
            ),
        });
        lines.push(Line {
            input: 1,
            record: nginx_access(s, 200, "GET /a HTTP/1.1", "502, 200", "0.001, 0.010"),
        });
    }
    for s in 0..10 {
        lines.push(Line {
            input: 0,
            record: nginx_error(
                s,
                Cause::UpstreamRefused,
                Phase::Connect,
                "10.0.0.2:80",
                "GET /b HTTP/1.1",
            ),
        });
        lines.push(Line {
            input: 1,
            record: nginx_access(s, 502, "GET /b HTTP/1.1", "502", "0.000"),
        });
    }
    let report = run(&lines, &[], &Config::default());
    assert_eq!(report.findings[0].cause, Cause::UpstreamRefused);
    assert_eq!(report.findings[0].affected_requests, Some(10));
    let reset = &report.findings[1];
    assert_eq!(reset.affected_requests, Some(0));
    assert!(reset.severity < Cause::UpstreamReset.severity());
    assert_eq!(report.access.as_ref().unwrap().retried, 60);
}

#[test]
fn unattributed_5xx_are_described() {
    let lines = vec![
        Line {
            input: 1,
            record: nginx_access(0, 503, "GET /x HTTP/1.1", "503", "0.010"),
        },
        Line {
            input: 1,
            record: nginx_access(1, 502, "GET /y HTTP/1.1", "502", "0.001"),
        },
    ];
    let report = run(&lines, &[], &Config::default());
    let access = report.access.unwrap();
    assert_eq!(access.attributed, 0);
    assert_eq!(access.unattributed.len(), 2);
    assert!(
        access
            .unattributed
            .iter()
            .any(|c| c.value.starts_with("503 returned by the upstream itself"))
    );
    assert!(report.findings.is_empty());
    assert!(
        report
            .summary
            .starts_with("No upstream failures that need attention"),
        "{}",
        report.summary
    );
}

#[test]
fn apache_cause_and_effect_lines_count_once_with_the_client() {
    let mut a = Analyzer::new(Config::default());
    a.add_input(0, InputInfo::new("error_log", Format::ApacheError, "site"));
    let cause_line = Record::Error({
        let mut lit = ErrorRecord::default();
        lit.format = Format::ApacheError;
        lit.time = Some(at(0));
        lit.pid = Some(10);
        lit.tid = Some(77);
        lit.code = Some(b"AH00957");
        lit.failure = Some(failure(
            Cause::UpstreamRefused,
            Phase::Connect,
            "127.0.0.1:8080",
            Role::Cause,
        ));
        lit
    });
    let context_line = Record::Error({
        let mut lit = ErrorRecord::default();
        lit.format = Format::ApacheError;
        lit.time = Some(at(0));
        lit.pid = Some(10);
        lit.tid = Some(77);
        lit.code = Some(b"AH00959");
        lit.failure = Some(failure(
            Cause::NoLiveUpstreams,
            Phase::Connect,
            "127.0.0.1:8080",
            Role::Context,
        ));
        lit
    });
    let effect_line = |second, pid| {
        Record::Error({
            let mut lit = ErrorRecord::default();
            lit.format = Format::ApacheError;
            lit.time = Some(at(second));
            lit.pid = Some(pid);
            lit.tid = Some(77);
            lit.client = Some(b"203.0.113.9");
            lit.code = Some(b"AH01114");
            lit.failure = Some(failure(
                Cause::UpstreamRefused,
                Phase::Connect,
                "127.0.0.1",
                Role::Effect,
            ));
            lit
        })
    };
    let origin = |line| Origin {
        input: 0,
        chunk: 0,
        line,
        lines: 1,
        text: b"line",
    };
    a.observe(&cause_line, &origin(1));
    a.observe(&context_line, &origin(2));
    a.observe(&effect_line(0, 10), &origin(3));
    // An effect line of another process has no cause line before it: counted on its own.
    a.observe(&effect_line(1, 11), &origin(4));
    // A cause line nobody claims is counted when the shard ends.
    a.observe(&cause_line, &origin(5));
    let report = a.finish();
    let refused: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.cause == Cause::UpstreamRefused)
        .collect();
    let total: u64 = refused.iter().map(|f| f.count).sum();
    assert_eq!(total, 3, "{refused:#?}");
    let paired = refused
        .iter()
        .find(|f| f.upstream == "127.0.0.1:8080")
        .unwrap();
    assert_eq!(paired.count, 2);
    assert_eq!(paired.clients[0].value, "203.0.113.9");
    assert_eq!(
        paired.statuses.get("503"),
        Some(&2),
        "Apache answers 503 to a refused connect"
    );
    assert!(
        report
            .findings
            .iter()
            .all(|f| f.cause != Cause::NoLiveUpstreams),
        "context lines are not findings"
    );
}

#[test]
fn a_cause_line_after_a_counted_event_of_its_thread_still_pairs_whole() {
    // An `Event` line is held without its fields (it is counted already); the `Cause` line
    // the same thread writes next is held whole, and its effect line completes it.
    let mut a = Analyzer::new(Config::default());
    a.add_input(0, InputInfo::new("error_log", Format::ApacheError, "site"));
    let line = |second, cause, peer, role, client: Option<&'static [u8]>| {
        Record::Error({
            let mut lit = ErrorRecord::default();
            lit.format = Format::ApacheError;
            lit.time = Some(at(second));
            lit.pid = Some(10);
            lit.tid = Some(77);
            lit.client = client;
            lit.failure = Some(failure(cause, Phase::Connect, peer, role));
            lit
        })
    };
    let origin = |line, text: &'static [u8]| Origin {
        input: 0,
        chunk: 0,
        line,
        lines: 1,
        text,
    };
    let event = line(0, Cause::UpstreamReset, "10.0.0.5:80", Role::Event, None);
    let follow_up = line(0, Cause::UpstreamClosedEarly, "", Role::Effect, None);
    let cause = line(1, Cause::UpstreamRefused, "10.0.0.6:80", Role::Cause, None);
    let effect = line(
        1,
        Cause::UpstreamRefused,
        "10.0.0.6",
        Role::Effect,
        Some(b"203.0.113.9"),
    );
    a.observe(&event, &origin(1, b"the event line"));
    a.observe(&follow_up, &origin(2, b"its follow-up"));
    a.observe(&cause, &origin(3, b"the cause line"));
    a.observe(&effect, &origin(4, b"its effect"));
    let report = a.finish();
    let counts: Vec<_> = report
        .findings
        .iter()
        .map(|f| (f.cause, f.upstream.as_str(), f.count))
        .collect();
    assert_eq!(
        counts.len(),
        2,
        "the follow-up adds nothing, the pair counts once: {counts:?}"
    );
    assert!(counts.contains(&(Cause::UpstreamReset, "10.0.0.5:80", 1)));
    let paired = report
        .findings
        .iter()
        .find(|f| f.cause == Cause::UpstreamRefused)
        .unwrap();
    assert_eq!((paired.upstream.as_str(), paired.count), ("10.0.0.6:80", 1));
    assert_eq!(paired.clients[0].value, "203.0.113.9");
    assert_eq!(paired.examples[0].text, "the cause line");
}

#[test]
fn php_fpm_pool_exhaustion_turns_fastcgi_timeouts_into_fpm_pool_exhausted() {
    let mut a = Analyzer::new(Config::default());
    a.add_input(0, InputInfo::new("error.log", Format::NginxError, "site"));
    a.add_input(1, InputInfo::new("php-fpm.log", Format::PhpFpm, "site"));
    let fpm = Record::Error({
        let mut lit = ErrorRecord::default();
        lit.format = Format::PhpFpm;
        lit.time = Some(at(10));
        lit.level = Some(Level::Warn);
        lit.pool = Some(b"www");
        lit.failure = Some(Failure::new(Cause::FpmPoolExhausted, Role::Event));
        lit
    });
    let fpm_text = b"[25-Nov-2026 01:27:10] WARNING: [pool www] server reached pm.max_children setting (1), consider raising it";
    a.observe(
        &fpm,
        &Origin {
            input: 1,
            chunk: 0,
            line: 1,
            lines: 1,
            text: fpm_text,
        },
    );
    for s in 12..20 {
        let r = nginx_error(
            s,
            Cause::UpstreamTimeoutRead,
            Phase::ReadHeader,
            "unix:/run/php/php8.2-fpm.sock",
            "GET /slow.php HTTP/1.1",
        );
        a.observe(
            &r,
            &Origin {
                input: 0,
                chunk: 0,
                line: (s - 11) as u64,
                lines: 1,
                text: b"timeout",
            },
        );
    }
    let report = a.finish();
    assert_eq!(report.findings.len(), 1, "{:#?}", report.findings);
    let f = &report.findings[0];
    assert_eq!(f.cause, Cause::FpmPoolExhausted);
    assert_eq!(f.count, 8);
    assert_eq!(f.upstream, "unix:/run/php/php8.2-fpm.sock");
    assert!(f.notes[0].contains("reclassified"));
    assert!(
        f.fix.summary.contains("pm.max_children = 1"),
        "{}",
        f.fix.summary
    );
    assert!(
        f.fix.summary.contains("server reached pm.max_children"),
        "{:?}",
        f.fix.steps
    );
}

#[test]
fn healthy_traffic_has_nothing_above_low() {
    let lines: Vec<Line> = (0..300)
        .map(|s| Line {
            input: 1,
            record: nginx_access(s, 200, "GET / HTTP/1.1", "200", "0.002"),
        })
        .collect();
    let report = run(&lines, &[], &Config::default());
    assert!(report.findings.iter().all(|f| f.severity <= Severity::Low));
    assert!(report.incidents.is_empty());
    assert_eq!(report.totals.requests, 300);
    assert_eq!(report.timeline.requests.iter().sum::<u64>(), 300);
}

#[test]
fn state_round_trips_through_json() {
    let lines = outage_then_timeouts();
    let mut a = Analyzer::new(Config::default());
    a.add_input(0, InputInfo::new("error.log", Format::NginxError, "site"));
    a.add_input(1, InputInfo::new("access.log", Format::NginxAccess, "site"));
    for (i, l) in lines.iter().enumerate() {
        a.observe(
            &l.record,
            &Origin {
                input: l.input,
                chunk: 0,
                line: i as u64 + 1,
                lines: 1,
                text: b"x",
            },
        );
    }
    let json = serde_json::to_string(&a).unwrap();
    let back: Analyzer = serde_json::from_str(&json).unwrap();
    assert_eq!(back.finish(), a.finish());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]
    /// Splitting the input at any points and merging the shards in any order gives the same
    /// report as one pass.
    #[test]
    fn any_split_and_merge_order_gives_the_same_report(cuts in prop::collection::vec(0usize..760, 0..6)) {
        let lines = outage_then_timeouts();
        let whole = run(&lines, &[], &Config::default());
        let split = run(&lines, &cuts, &Config::default());
        prop_assert_eq!(&whole, &split);
        let reversed = run_merged(&lines, &cuts, &Config::default(), true);
        prop_assert_eq!(&whole, &reversed);
    }
}

/// A window of i64::MAX seconds (a library caller's or a deserialised config) overflowed
/// bucket arithmetic in incident detection; windows are held to 1 s ..= 100 years.
#[test]
fn out_of_range_windows_are_clamped_not_overflowed() {
    use logscan_parse::Parser;
    let line = b"2026/11/25 01:27:19 [error] 812#812: *31 connect() failed (111: Connection refused) while connecting to upstream, client: 127.0.0.1, server: localhost, request: \"GET /api/items HTTP/1.1\", upstream: \"http://127.0.0.1:19020/api/items\", host: \"localhost\"";
    for window in [i64::MAX, i64::MIN, 0, -5] {
        let mut analyzer = Analyzer::new(Config::default().with_window(window));
        analyzer.add_input(0, InputInfo::new("error.log", Format::NginxError, "web"));
        let record = Parser::nginx_error().parse(line).unwrap();
        for i in 0..5 {
            let origin = Origin {
                input: 0,
                chunk: 0,
                line: i + 1,
                lines: 1,
                text: line,
            };
            analyzer.observe(&record, &origin);
        }
        let report = analyzer.finish();
        assert_eq!(report.findings[0].count, 5, "window {window}");
        assert!(report.window_seconds >= 1);
    }
}

/// The report's JSON reads back into the same typed report (times, zone source, formats).
#[test]
fn report_json_reads_back_into_the_same_report() {
    let lines = outage_then_timeouts();
    for zone in [
        None,
        Some(Zone::Utc),
        Some("Europe/Berlin".parse().unwrap()),
    ] {
        let mut config = Config::default();
        config.zone = zone;
        let report = run(&lines, &[], &config);
        assert!(report.span.is_some() && !report.findings.is_empty());
        let json = serde_json::to_string(&report).unwrap();
        let back: Report = serde_json::from_str(&json).unwrap();
        assert_eq!(back, report);
        assert_eq!(serde_json::to_string(&back).unwrap(), json);
    }
}

#[test]
fn a_mixed_input_counts_each_format_and_other_lines() {
    let mut a = Analyzer::new(Config::default());
    let mut info = InputInfo::new("docker.log", Format::NginxError, "web");
    info.envelope = Some("docker".to_owned());
    a.add_input(0, info);
    let origin = |line: u64, lines: u32| Origin {
        input: 0,
        chunk: 0,
        line,
        lines,
        text: b"x",
    };
    let refused = nginx_error(
        0,
        Cause::UpstreamRefused,
        Phase::Connect,
        "127.0.0.1:19020",
        "GET / HTTP/1.1",
    );
    a.observe(&refused, &origin(1, 2));
    a.observe(
        &nginx_access(1, 502, "GET / HTTP/1.1", "502", "0.001"),
        &origin(3, 1),
    );
    a.observe(
        &nginx_access(2, 200, "GET / HTTP/1.1", "200", "0.001"),
        &origin(4, 1),
    );
    a.observe_other(&origin(5, 3));
    a.observe_unrecognized(&origin(8, 1), "no");
    a.observe_envelope_problem(&origin(8, 1), "broken docker JSON line");
    let report = a.finish();
    let input = &report.inputs[0];
    assert_eq!(input.envelope.as_deref(), Some("docker"));
    assert_eq!(input.format.to_string(), "mixed");
    let formats: Vec<(&str, u64)> = input
        .formats
        .iter()
        .map(|(k, v)| (k.as_str(), *v))
        .collect();
    assert_eq!(formats, [("nginx-access", 2), ("nginx-error", 2)]);
    assert_eq!(
        (input.lines, input.parsed, input.unrecognized, input.other),
        (8, 4, 1, 3)
    );
    assert_eq!(input.lines, input.parsed + input.unrecognized + input.other);
    assert_eq!((report.totals.lines, report.totals.other), (8, 3));
    assert_eq!(input.envelope_problems, 1);
    assert_eq!(input.envelope_problem_examples[0].line, 8);
    // The access 502 and the error line are one server's: the 5xx is attributed.
    assert_eq!(report.totals.requests, 2);
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["inputs"][0]["format"], "mixed");
    assert_eq!(json["inputs"][0]["formats"]["nginx-access"], 2);
    assert_eq!(json["inputs"][0]["other"], 3);
}

#[test]
fn a_single_format_input_is_named_by_its_format_and_has_no_envelope() {
    let mut a = Analyzer::new(Config::default());
    a.add_input(0, InputInfo::new("access.log", Format::NginxAccess, "web"));
    let origin = Origin {
        input: 0,
        chunk: 0,
        line: 1,
        lines: 1,
        text: b"x",
    };
    a.observe(
        &nginx_access(1, 200, "GET / HTTP/1.1", "200", "0.001"),
        &origin,
    );
    let report = a.finish();
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["inputs"][0]["format"], "nginx-access");
    assert_eq!(json["inputs"][0]["envelope"], serde_json::Value::Null);
    assert_eq!(json["inputs"][0]["other"], 0);
    assert_eq!(json["totals"]["other"], 0);
}

#[test]
fn format_indices_follow_format_all() {
    for (i, f) in Format::ALL.into_iter().enumerate() {
        assert_eq!(f as usize, i);
    }
}
