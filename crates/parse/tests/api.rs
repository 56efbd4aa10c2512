//! The embedding API as a newcomer meets it: one test per point of issue 18's list.

mod upstream_fields {
    use logscan_parse::{Parser, Record, UpstreamFields};

    fn upstream<'a>(addr: &'a str, status: &'a str, time: &'a str) -> UpstreamFields<'a> {
        {
            let mut lit = UpstreamFields::default();
            lit.addr = Some(addr.as_bytes());
            lit.status = Some(status.as_bytes());
            lit.response_time = Some(time.as_bytes());
            lit
        }
    }

    /// nginx writes `-` in every `$upstream_*` variable of a request it answered itself
    /// (a static file, a `return`): no upstream was tried.
    #[test]
    fn a_dash_is_no_try() {
        let none = upstream("-", "-", "-");
        assert_eq!(none.tries(), 0);
        assert!(none.is_empty());
        assert_eq!(none.last_status(), None);
        assert_eq!(none.last_response_time_us(), None);
        assert!(UpstreamFields::default().is_empty());

        let one = upstream("10.0.0.5:8080", "502", "0.004");
        assert_eq!(one.tries(), 1);
        assert!(!one.is_empty());
        // A value in any one field is enough.
        let length_only = {
            let mut lit = UpstreamFields::default();
            lit.response_length = Some(b"0");
            lit
        };
        assert!(!length_only.is_empty());
    }

    /// Separators as nginx's documentation of `$upstream_addr` writes them: `, ` between
    /// the servers tried in one group, ` : ` between groups after an internal redirect
    /// (`X-Accel-Redirect`, `error_page`).
    #[test]
    fn internal_redirect_groups_are_kept() {
        let u = upstream(
            "192.168.1.1:80, 192.168.1.2:80, unix:/tmp/sock : 192.168.10.1:80, 192.168.10.2:80",
            "502, 504, 502 : 502, 200",
            "0.001, 3.002, 0.000 : 0.010, 0.250",
        );
        assert_eq!(u.tries(), 5);
        assert_eq!(
            u.statuses().collect::<Vec<_>>(),
            [Some(502), Some(504), Some(502), Some(502), Some(200)]
        );
        assert_eq!(
            u.response_times_us().collect::<Vec<_>>(),
            [
                Some(1_000),
                Some(3_002_000),
                Some(0),
                Some(10_000),
                Some(250_000)
            ]
        );
        assert_eq!(u.last_status(), Some(200));
        assert_eq!(u.last_response_time_us(), Some(250_000));
        assert_eq!(u.total_response_time_us(), Some(3_263_000));
        let groups: Vec<bool> = u.addrs().map(|v| v.new_group).collect();
        assert_eq!(groups, [false, false, false, true, false]);
        assert_eq!(
            u.addrs().nth(2).and_then(|v| v.value),
            Some(&b"unix:/tmp/sock"[..])
        );
    }

    /// A group whose server was never reached writes `-`, and the last value may be one.
    #[test]
    fn dashes_inside_groups() {
        let u = upstream("10.0.0.1:80 : -", "504 : -", "60.001 : -");
        assert_eq!(u.tries(), 1);
        assert!(!u.is_empty());
        assert_eq!(u.statuses().collect::<Vec<_>>(), [Some(504), None]);
        assert_eq!(u.last_status(), None);
        assert_eq!(u.last_response_time_us(), None);
        assert_eq!(u.total_response_time_us(), Some(60_001_000));
    }

    /// The same, read by the access parser from a line with nginx's own separators.
    #[test]
    fn parsed_from_a_log_line() {
        let parser = Parser::nginx_access(
            r#"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent ua="$upstream_addr" us="$upstream_status" urt="$upstream_response_time""#,
        )
        .unwrap();
        let line = br#"10.1.2.3 - - [25/Nov/2026:01:29:10 +0100] "GET /api HTTP/1.1" 200 5 ua="10.0.0.1:80, 10.0.0.2:80 : 10.0.0.9:80" us="502, 504 : 200" urt="0.001, 3.002 : 0.120""#;
        let Ok(Record::Access(r)) = parser.parse(line) else {
            panic!("not an access record")
        };
        assert_eq!(r.upstream.tries(), 3);
        assert_eq!(
            r.upstream.statuses().collect::<Vec<_>>(),
            [Some(502), Some(504), Some(200)]
        );
        assert_eq!(r.upstream.last_status(), Some(200));
        assert_eq!(r.upstream.last_response_time_us(), Some(120_000));

        let line = br#"10.1.2.3 - - [25/Nov/2026:01:29:10 +0100] "GET /logo.png HTTP/1.1" 200 5 ua="-" us="-" urt="-""#;
        let Ok(Record::Access(r)) = parser.parse(line) else {
            panic!("not an access record")
        };
        assert_eq!(r.upstream.tries(), 0);
        assert!(r.upstream.is_empty());
    }
}

mod timestamp_order {
    use logscan_parse::chrono::{DateTime, Utc};
    use logscan_parse::{Parser, Record, Timestamp, Zone};

    fn at(hour: u32, minute: u32, offset: Option<i32>) -> Timestamp {
        Timestamp::from_parts(2026, 11, 25, hour, minute, 0, 0, offset).unwrap()
    }

    #[test]
    fn orders_by_instant_not_by_wall_clock() {
        let berlin = at(10, 0, Some(3_600)); // 09:00 UTC
        let london = at(9, 30, Some(0)); // 09:30 UTC
        assert!(berlin < london);
        let mut seen = [london, berlin, at(8, 45, Some(-3_600))]; // 09:45 UTC
        seen.sort();
        assert_eq!(seen, [berlin, london, at(8, 45, Some(-3_600))]);
        assert_eq!(seen.iter().min(), Some(&berlin));
        assert_eq!(seen.iter().max(), Some(&at(8, 45, Some(-3_600))));
    }

    /// The same instant written at two offsets: not equal, ordered, and the order agrees
    /// with `Eq` (`cmp` is `Equal` only for equal values).
    #[test]
    fn same_instant_other_offset_is_ordered_consistently_with_eq() {
        let a = at(10, 0, Some(3_600));
        let b = at(9, 0, Some(0));
        assert_ne!(a, b);
        assert_eq!(a.to_utc(), b.to_utc());
        assert_ne!(a.cmp(&b), std::cmp::Ordering::Equal);
        assert_eq!(a.cmp(&b), b.cmp(&a).reverse());
        let local = at(9, 0, None);
        assert_ne!(local.cmp(&b), std::cmp::Ordering::Equal);
        assert!(
            local < b,
            "no offset sorts before an offset at the same wall clock"
        );
        assert_eq!(a.cmp(&a), std::cmp::Ordering::Equal);
    }

    #[test]
    fn local_times_order_by_wall_clock() {
        let early = at(9, 30, None);
        let late = at(10, 0, None);
        assert!(early < late);
        let micro = Timestamp::from_parts(2026, 11, 25, 9, 30, 0, 1, None).unwrap();
        assert!(early < micro && micro < late);
    }

    #[test]
    fn first_and_last_of_access_lines_written_at_two_offsets() {
        let parser = Parser::nginx_access("combined").unwrap();
        let lines = [
            r#"10.0.0.1 - - [25/Nov/2026:10:00:00 +0100] "GET / HTTP/1.1" 502 0 "-" "curl/8""#,
            r#"10.0.0.1 - - [25/Nov/2026:09:30:00 +0000] "GET / HTTP/1.1" 502 0 "-" "curl/8""#,
        ];
        let times: Vec<Timestamp> = lines
            .iter()
            .map(|line| match parser.parse(line.as_bytes()) {
                Ok(Record::Access(r)) => r.time.unwrap(),
                other => panic!("{other:?}"),
            })
            .collect();
        let first = times.iter().min().unwrap();
        let last = times.iter().max().unwrap();
        assert_eq!(first.to_string(), "2026-11-25T10:00:00+01:00");
        assert_eq!(last.to_string(), "2026-11-25T09:30:00+00:00");
    }

    #[test]
    fn to_utc_with_the_reexported_chrono() {
        let t = Timestamp::from_parts(2026, 11, 25, 1, 29, 10, 250_000, Some(3_600)).unwrap();
        let utc: DateTime<Utc> = t.to_utc().unwrap();
        assert_eq!(utc.to_rfc3339(), "2026-11-25T00:29:10.250+00:00");
        assert_eq!(utc.timestamp(), t.unix_seconds().unwrap());
        // A local time has no instant of its own: the caller's zone places it.
        let local = t.with_offset(None);
        assert_eq!(local.to_utc(), None);
        let placed = local
            .to_instant(&"+01:00".parse::<Zone>().unwrap())
            .to_utc();
        assert_eq!(placed, utc);
    }
}

mod zones {
    use logscan_parse::Zone;
    use logscan_parse::chrono::DateTime;

    /// IANA names need the `tz` feature (on by default); offsets and UTC never do.
    #[test]
    fn names_exactly_with_the_tz_feature() {
        assert_eq!(
            "Europe/Berlin".parse::<Zone>().is_ok(),
            cfg!(feature = "tz")
        );
        let err = "Europe/Berlin".parse::<Zone>().err().map(|e| e.to_string());
        if !cfg!(feature = "tz") {
            assert!(err.unwrap().contains("`tz` feature"));
        }
        assert_eq!("UTC".parse::<Zone>(), Ok(Zone::Utc));
        let utc = DateTime::from_timestamp(1_795_566_550, 0).unwrap();
        let fixed: Zone = "+01:00".parse().unwrap();
        assert_eq!(
            fixed.from_utc(utc).to_rfc3339(),
            "2026-11-25T01:29:10+01:00"
        );
    }

    #[cfg(feature = "tz")]
    #[test]
    fn named_zones_follow_daylight_saving() {
        let berlin: Zone = "Europe/Berlin".parse().unwrap();
        let summer = DateTime::from_timestamp(1_782_900_000, 0).unwrap(); // 2026-07-01
        assert_eq!(berlin.from_utc(summer).offset().local_minus_utc(), 7_200);
        let winter = DateTime::from_timestamp(1_795_566_550, 0).unwrap();
        assert_eq!(berlin.from_utc(winter).offset().local_minus_utc(), 3_600);
    }
}

mod entry_splitter {
    use logscan_parse::{EntryReader, Parser, ReaderConfig};

    /// Bytes from a fixed xorshift sequence: the same "random" input every run.
    fn random_bytes(len: usize) -> Vec<u8> {
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 24) as u8
            })
            .collect()
    }

    struct Totals {
        entries: usize,
        lines: u64,
        largest: usize,
        too_long: usize,
    }

    fn split(input: &[u8], parser: &Parser, config: ReaderConfig) -> Totals {
        let mut reader = EntryReader::new(input, config);
        let mut totals = Totals {
            entries: 0,
            lines: 0,
            largest: 0,
            too_long: 0,
        };
        while let Some(entry) = reader.next_entry_for(parser).unwrap() {
            assert_eq!(entry.first_line, totals.lines + 1);
            totals.entries += 1;
            totals.lines += u64::from(entry.lines);
            totals.largest = totals.largest.max(entry.bytes.len());
            totals.too_long += usize::from(entry.too_long);
        }
        assert_eq!(reader.bytes_consumed(), input.len() as u64);
        totals
    }

    /// What `wc -l` counts, plus a last line without `\n`.
    fn physical_lines(input: &[u8]) -> u64 {
        let newlines = input.iter().filter(|&&b| b == b'\n').count() as u64;
        newlines + u64::from(input.last().is_some_and(|&b| b != b'\n'))
    }

    /// Random bytes have a `\n` every 256 bytes or so, and almost no line of them starts an
    /// nginx error entry: all would join the first. The entry limit splits them.
    #[test]
    fn two_megabytes_of_random_bytes_are_not_one_entry() {
        let input = random_bytes(2 << 20);
        let config = ReaderConfig::default();
        let totals = split(&input, &Parser::nginx_error(), config);
        assert!(totals.entries >= 2, "{} entries", totals.entries);
        assert!(totals.largest <= config.max_entry);
        assert_eq!(totals.lines, physical_lines(&input));
    }

    /// Without any `\n`: one over-long line, flagged, its first `max_line` bytes kept.
    #[test]
    fn a_line_longer_than_the_limit_is_reported_not_buffered() {
        let mut input = random_bytes(3 << 20);
        input.retain(|&b| b != b'\n');
        input.extend_from_slice(b"\n2026/11/25 01:28:02 [error] 1#1: *1 after the junk\n");
        let config = ReaderConfig {
            max_line: 64 << 10,
            max_entry: 64 << 10,
            ..ReaderConfig::default()
        };
        let mut reader = EntryReader::new(&input[..], config);
        let parser = Parser::nginx_error();
        let junk = reader.next_entry_for(&parser).unwrap().unwrap();
        assert!(junk.too_long);
        assert_eq!(junk.bytes.len(), 64 << 10);
        assert!(reader.buffer_size() <= (64 << 10) + (64 << 10) + 1);
        let next = reader.next_entry_for(&parser).unwrap().unwrap();
        assert_eq!((next.first_line, next.lines, next.too_long), (2, 1, false));
        assert!(parser.parse(next.bytes).is_ok());
        assert!(reader.next_entry_for(&parser).unwrap().is_none());
    }

    /// Apache writes one entry a line, whatever a line starts with (a module's stray output,
    /// a continuation of its own): every line is an entry of its own.
    #[test]
    fn a_whole_apache_error_log_is_one_entry_a_line() {
        let log = "\
[Wed Nov 25 01:29:10.123456 2026] [proxy:error] [pid 4242:tid 140] (111)Connection refused: AH00957: http: attempt to connect to 127.0.0.1:8080 (127.0.0.1:8080) failed
[Wed Nov 25 01:29:10.123500 2026] [proxy_http:error] [pid 4242:tid 140] [client 10.1.2.3:51234] AH01114: HTTP: failed to make connection to backend: 127.0.0.1
PHP Warning:  something printed to stderr by a CGI script
[Wed Nov 25 01:29:11.000001 2026] [mpm_event:notice] [pid 4200:tid 1] AH00489: Apache/2.4.62 (Debian) configured -- resuming normal operations
";
        let parser = Parser::apache_error();
        let totals = split(log.as_bytes(), &parser, ReaderConfig::default());
        assert_eq!(totals.entries, 4);
        assert_eq!(totals.lines, 4);

        // Many times over, still one entry a line.
        let big = log.repeat(5_000);
        let totals = split(big.as_bytes(), &parser, ReaderConfig::default());
        assert_eq!(totals.entries, 20_000);
        assert_eq!(totals.largest, log.lines().map(str::len).max().unwrap());
    }

    /// nginx's continuation lines join their entry, up to the entry limit; past it, they
    /// start an entry of their own, and no line is lost.
    #[test]
    fn nginx_continuations_join_within_the_limit() {
        let mut log = b"2026/11/25 01:28:02 [error] 812#812: *97 FastCGI sent in stderr: \"PHP message: PHP Fatal error:  boom\n".to_vec();
        for i in 0..1_000 {
            log.extend_from_slice(
                format!("#{i} /var/www/html/vendor/lib.php(12): call()\n").as_bytes(),
            );
        }
        log.extend_from_slice(b"#1000 {main}\" while reading response header from upstream, client: 10.1.2.3\n2026/11/25 01:28:03 [error] 812#812: *98 next\n");
        let parser = Parser::nginx_error();
        let roomy = split(&log, &parser, ReaderConfig::default());
        assert_eq!((roomy.entries, roomy.lines), (2, 1_003));

        let tight = ReaderConfig {
            max_entry: 4 << 10,
            ..ReaderConfig::default()
        };
        let totals = split(&log, &parser, tight);
        assert!(totals.entries > 2);
        assert!(totals.largest <= 4 << 10);
        assert_eq!(totals.lines, 1_003);
    }
}

mod ids {
    use logscan_parse::{Cause, Role, Severity};

    /// `Severity::id()` next to `Cause::id()`, both read back by `from_id`.
    #[test]
    fn severities_and_roles_have_stable_ids() {
        let ids: Vec<&str> = Severity::ALL.iter().map(|s| s.id()).collect();
        assert_eq!(ids, ["info", "low", "medium", "high", "critical"]);
        for severity in Severity::ALL {
            assert_eq!(Severity::from_id(severity.id()), Some(severity));
        }
        assert_eq!(Severity::from_id("fatal"), None);
        assert_eq!(Cause::UpstreamRefused.severity().id(), "critical");
        assert_eq!(Role::Effect.id(), "effect");
        assert_eq!(Role::default().id(), "event");
    }
}

mod names {
    use logscan_parse::{Cause, Parser, Record};

    /// `upstream_url` is the URL nginx logged, `peer` the server the failure is about;
    /// for a resolver that did not answer, the peer is the resolver.
    #[test]
    fn url_peer_and_referer() {
        let line = br#"2026/11/25 01:28:02 [error] 812#812: *97 connect() failed (111: Connection refused) while connecting to upstream, client: 10.1.2.3, server: shop.example, request: "GET /checkout HTTP/1.1", upstream: "http://10.0.0.5:8080/checkout", host: "shop.example", referrer: "https://shop.example/cart""#;
        let Ok(Record::Error(r)) = Parser::nginx_error().parse(line) else {
            panic!("not an error record")
        };
        assert_eq!(r.upstream_url, Some(&b"http://10.0.0.5:8080/checkout"[..]));
        assert_eq!(r.referer, Some(&b"https://shop.example/cart"[..]));
        let failure = r.failure.unwrap();
        assert_eq!(failure.cause, Cause::UpstreamRefused);
        assert_eq!(failure.peer, Some(&b"10.0.0.5:8080"[..]));

        let line = br#"2026/11/25 01:28:02 [error] 812#812: *97 shop-api.internal could not be resolved (110: Operation timed out), client: 10.1.2.3, server: shop.example, request: "GET / HTTP/1.1", host: "shop.example""#;
        let Ok(Record::Error(r)) = Parser::nginx_error().parse(line) else {
            panic!("not an error record")
        };
        let failure = r.failure.unwrap();
        assert_eq!(failure.cause, Cause::DnsResolution);
        assert_eq!(failure.peer, Some(&b"shop-api.internal"[..]));
        assert_eq!(r.upstream_url, None);

        let line = br#"2026/11/25 01:28:02 [error] 812#812: send() failed (111: Connection refused) while resolving, resolver: 127.0.0.53:53"#;
        let Ok(Record::Error(r)) = Parser::nginx_error().parse(line) else {
            panic!("not an error record")
        };
        let failure = r.failure.unwrap();
        assert_eq!(failure.cause, Cause::DnsResolution);
        assert_eq!(failure.peer, Some(&b"127.0.0.53:53"[..]));

        let apache = br#"[Wed Nov 25 01:29:10.123500 2026] [proxy_http:error] [pid 4242:tid 140] [client 10.1.2.3:51234] AH01114: HTTP: failed to make connection to backend: 127.0.0.1, referer: https://shop.example/cart"#;
        let Ok(Record::Error(r)) = Parser::apache_error().parse(apache) else {
            panic!("not an error record")
        };
        assert_eq!(r.referer, Some(&b"https://shop.example/cart"[..]));
    }
}
