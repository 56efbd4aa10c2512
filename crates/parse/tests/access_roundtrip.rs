//! Property tests: access lines rendered the way nginx and Apache write them (escaping
//! included) parse back into the values they were rendered from; and no input, line or
//! format string, makes a parser or a format compiler panic.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use logscan_parse::detect::{builtin_parsers, detect};
use logscan_parse::{AccessRecord, Parser, Record, Timestamp};
use proptest::prelude::*;

// ------------------------------------------------------------------ generated values

#[derive(Clone, Debug)]
struct When {
    year: i32,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    /// Minutes east of UTC.
    offset_minutes: i32,
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

impl When {
    fn clf(&self) -> String {
        let sign = if self.offset_minutes < 0 { '-' } else { '+' };
        let abs = self.offset_minutes.unsigned_abs();
        format!(
            "{:02}/{}/{:04}:{:02}:{:02}:{:02} {sign}{:02}{:02}",
            self.day,
            MONTHS[self.month as usize - 1],
            self.year,
            self.hour,
            self.minute,
            self.second,
            abs / 60,
            abs % 60
        )
    }
    fn timestamp(&self) -> Timestamp {
        Timestamp::from_parts(
            self.year,
            self.month,
            self.day,
            self.hour,
            self.minute,
            self.second,
            0,
            Some(self.offset_minutes * 60),
        )
        .unwrap()
    }
}

fn when() -> impl Strategy<Value = When> {
    (
        1990i32..2100,
        1u32..=12,
        1u32..=28,
        0u32..24,
        0u32..60,
        0u32..60,
        (-12 * 4..=14 * 4).prop_map(|q: i32| q * 15),
    )
        .prop_map(
            |(year, month, day, hour, minute, second, offset_minutes)| When {
                year,
                month,
                day,
                hour,
                minute,
                second,
                offset_minutes,
            },
        )
}

fn ipv4() -> impl Strategy<Value = String> {
    any::<[u8; 4]>().prop_map(|[a, b, c, d]| format!("{a}.{b}.{c}.{d}"))
}

fn address() -> impl Strategy<Value = String> {
    prop_oneof![
        ipv4(),
        any::<[u16; 3]>().prop_map(|[a, b, c]| format!("2001:db8:{a:x}::{b:x}:{c:x}")),
        Just("::1".to_owned()),
    ]
}

fn token() -> impl Strategy<Value = String> {
    "[A-Za-z0-9_.@-]{1,12}".prop_filter("not the absent marker", |s| s != "-")
}

/// Raw header / URI bytes, escaped by the renderer.
fn raw_text() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        "[ -~]{1,40}".prop_map(String::into_bytes),
        proptest::collection::vec(any::<u8>(), 1..40),
        Just(b"say \"hi\" \\ back".to_vec()),
    ]
    .prop_filter("not the absent marker", |v| v != b"-")
}

fn target() -> impl Strategy<Value = Vec<u8>> {
    raw_text().prop_map(|mut t| {
        t.insert(0, b'/');
        t
    })
}

fn method() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "PROPFIND",
    ])
}

fn protocol() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec!["HTTP/1.0", "HTTP/1.1", "HTTP/2.0", "HTTP/3.0"])
}

/// Upstream lists: groups (after ` : `) of tried values (after `, `), `None` for `-`.
type Groups<T> = Vec<Vec<Option<T>>>;

fn groups<T: Clone + std::fmt::Debug>(
    value: impl Strategy<Value = T> + Clone,
) -> impl Strategy<Value = Groups<T>> {
    proptest::collection::vec(
        proptest::collection::vec(proptest::option::weighted(0.8, value), 1..4),
        1..3,
    )
}

fn render_groups<T>(groups: &Groups<T>, show: impl Fn(&T) -> String) -> String {
    groups
        .iter()
        .map(|group| {
            group
                .iter()
                .map(|v| v.as_ref().map_or("-".to_owned(), &show))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .collect::<Vec<_>>()
        .join(" : ")
}

fn upstream_addr() -> impl Strategy<Value = String> + Clone {
    prop_oneof![
        (ipv4(), 1u16..).prop_map(|(ip, port)| format!("{ip}:{port}")),
        "[a-z0-9/._-]{1,20}".prop_map(|p| format!("unix:/{p}")),
        "[a-z][a-z0-9_-]{0,10}",
    ]
}

fn seconds() -> impl Strategy<Value = u64> + Clone {
    0u64..10_000_000_000
}

fn show_seconds(us: &u64) -> String {
    format!("{}.{:03}", us / 1_000_000, us % 1_000_000 / 1_000)
}

#[derive(Clone, Debug)]
struct Upstream {
    addr: Groups<String>,
    status: Groups<u16>,
    response_time: Groups<u64>,
    connect_time: Groups<u64>,
    header_time: Groups<u64>,
    length: Groups<u64>,
}

fn upstream() -> impl Strategy<Value = Upstream> {
    (
        groups(upstream_addr()),
        groups(100u16..600),
        groups(seconds()),
        groups(seconds()),
        groups(seconds()),
        groups(0u64..1 << 40),
    )
        .prop_map(
            |(addr, status, response_time, connect_time, header_time, length)| Upstream {
                addr,
                status,
                response_time,
                connect_time,
                header_time,
                length,
            },
        )
}

#[derive(Clone, Debug)]
struct Request {
    client: String,
    user: Option<String>,
    when: When,
    method: &'static str,
    target: Vec<u8>,
    protocol: &'static str,
    status: u16,
    bytes: u64,
    referer: Option<Vec<u8>>,
    user_agent: Option<Vec<u8>>,
    request_time_us: u64,
    upstream: Upstream,
    request_length: u64,
    upstream_name: Option<String>,
    request_id: String,
}

fn request() -> impl Strategy<Value = Request> {
    (
        (
            address(),
            proptest::option::of(token()),
            when(),
            method(),
            target(),
            protocol(),
        ),
        (
            100u16..600,
            prop_oneof![Just(0u64), 0u64..1 << 40],
            proptest::option::of(raw_text()),
            proptest::option::of(raw_text()),
            0u64..1_000_000_000,
        ),
        (
            upstream(),
            0u64..1 << 20,
            proptest::option::of("[a-z0-9-]{1,30}".prop_filter("absent marker", |s| s != "-")),
            "[0-9a-f]{32}",
        ),
    )
        .prop_map(
            |(
                (client, user, when, method, target, protocol),
                (status, bytes, referer, user_agent, request_time_us),
                (upstream, request_length, upstream_name, request_id),
            )| Request {
                client,
                user,
                when,
                method,
                target,
                protocol,
                status,
                bytes,
                referer,
                user_agent,
                // nginx logs milliseconds.
                request_time_us: request_time_us / 1_000 * 1_000,
                upstream,
                request_length,
                upstream_name,
                request_id,
            },
        )
}

// ------------------------------------------------------------------ rendering

/// nginx's default `escape`: `"`, `\`, control and non-ASCII bytes as `\xHH`.
fn nginx_escape(raw: &[u8]) -> String {
    let mut out = String::new();
    for &b in raw {
        if b == b'"' || b == b'\\' || !(0x20..0x7f).contains(&b) {
            out.push_str(&format!("\\x{b:02X}"));
        } else {
            out.push(char::from(b));
        }
    }
    out
}

/// Apache's `ap_escape_logitem`: `\"`, `\\`, `\n`/`\t`..., other bytes as `\xhh`.
fn apache_escape(raw: &[u8]) -> String {
    let mut out = String::new();
    for &b in raw {
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\t' => out.push_str("\\t"),
            b'\r' => out.push_str("\\r"),
            0..0x20 | 0x7f.. => out.push_str(&format!("\\x{b:02x}")),
            _ => out.push(char::from(b)),
        }
    }
    out
}

struct Rendered {
    line: String,
    target: String,
    referer: Option<String>,
    user_agent: Option<String>,
    /// The byte count as it reads back: Apache writes `-` for 0, which is left out.
    bytes: Option<u64>,
}

fn render_combined(r: &Request, escape: fn(&[u8]) -> String, apache: bool) -> Rendered {
    let target = escape(&r.target);
    let referer = r.referer.as_deref().map(escape);
    let user_agent = r.user_agent.as_deref().map(escape);
    let dash = apache && r.bytes == 0;
    let bytes = if dash {
        "-".to_owned()
    } else {
        r.bytes.to_string()
    };
    let line = format!(
        r#"{} - {} [{}] "{} {} {}" {} {} "{}" "{}""#,
        r.client,
        r.user.as_deref().unwrap_or("-"),
        r.when.clf(),
        r.method,
        target,
        r.protocol,
        r.status,
        bytes,
        referer.as_deref().unwrap_or("-"),
        user_agent.as_deref().unwrap_or("-"),
    );
    Rendered {
        bytes: (!dash).then_some(r.bytes),
        line,
        target,
        referer,
        user_agent,
    }
}

fn upstream_texts(u: &Upstream) -> [String; 6] {
    [
        render_groups(&u.addr, String::clone),
        render_groups(&u.status, u16::to_string),
        render_groups(&u.response_time, show_seconds),
        render_groups(&u.connect_time, show_seconds),
        render_groups(&u.header_time, show_seconds),
        render_groups(&u.length, u64::to_string),
    ]
}

fn access(parser: &Parser, line: &str) -> Result<AccessRecord<'static>, TestCaseError> {
    // Leak so that the record may outlive the line inside the property.
    let line: &'static [u8] = Box::leak(line.as_bytes().to_vec().into_boxed_slice());
    match parser.parse(line) {
        Ok(Record::Access(record)) => Ok(record),
        other => Err(TestCaseError::fail(format!(
            "{}\n{other:?}",
            String::from_utf8_lossy(line)
        ))),
    }
}

fn str_of(v: Option<&[u8]>) -> Option<String> {
    v.map(|v| String::from_utf8(v.to_vec()).unwrap())
}

fn check_common(rec: &AccessRecord<'_>, r: &Request, rendered: &Rendered) {
    assert_eq!(str_of(rec.client).as_deref(), Some(&*r.client));
    assert_eq!(str_of(rec.user), r.user);
    assert_eq!(rec.time, Some(r.when.timestamp()));
    assert_eq!(str_of(rec.method).as_deref(), Some(r.method));
    assert_eq!(str_of(rec.target).as_deref(), Some(&*rendered.target));
    assert_eq!(str_of(rec.protocol).as_deref(), Some(r.protocol));
    assert_eq!(rec.status, Some(r.status));
    assert_eq!(rec.bytes_sent, rendered.bytes);
    assert_eq!(str_of(rec.referer), rendered.referer);
    assert_eq!(str_of(rec.user_agent), rendered.user_agent);
}

fn check_upstream(rec: &AccessRecord<'_>, u: &Upstream, with_times: bool) {
    let [addr, status, response_time, connect_time, header_time, _] = upstream_texts(u);
    assert_eq!(str_of(rec.upstream.addr), Some(addr));
    assert_eq!(str_of(rec.upstream.status), Some(status));
    assert_eq!(str_of(rec.upstream.response_time), Some(response_time));
    if with_times {
        assert_eq!(str_of(rec.upstream.connect_time), Some(connect_time));
        assert_eq!(str_of(rec.upstream.header_time), Some(header_time));
    }
    // The list readers see the generated values.
    let flat_status: Vec<Option<u16>> = u.status.iter().flatten().copied().collect();
    assert_eq!(rec.upstream.statuses().collect::<Vec<_>>(), flat_status);
    let flat_addr: Vec<Option<String>> = u.addr.iter().flatten().cloned().collect();
    let addrs: Vec<Option<String>> = rec.upstream.addrs().map(|v| str_of(v.value)).collect();
    assert_eq!(addrs, flat_addr);
    let groups: usize = rec.upstream.addrs().filter(|v| v.new_group).count();
    assert_eq!(groups + 1, u.addr.len());
    let times: Vec<Option<u64>> = u
        .response_time
        .iter()
        .flatten()
        .map(|t| t.map(|us| us / 1_000 * 1_000))
        .collect();
    assert_eq!(rec.upstream.response_times_us().collect::<Vec<_>>(), times);
}

/// `PROPTEST_CASES` if set, else `default`.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

const UPSTREAM_FORMAT: &str = r#"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" rt=$request_time uct="$upstream_connect_time" uht="$upstream_header_time" urt="$upstream_response_time" ua="$upstream_addr" us="$upstream_status""#;

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(384), ..ProptestConfig::default() })]

    #[test]
    fn nginx_combined_round_trip(r in request()) {
        let rendered = render_combined(&r, nginx_escape, false);
        let rec = access(&Parser::nginx_combined(), &rendered.line)?;
        check_common(&rec, &r, &rendered);
        prop_assert!(rec.upstream.is_empty());
        prop_assert!(!rec.time_is_start);
    }

    #[test]
    fn nginx_upstream_format_round_trip(r in request()) {
        let rendered = render_combined(&r, nginx_escape, false);
        let [addr, status, response_time, connect_time, header_time, _] = upstream_texts(&r.upstream);
        let line = format!(
            r#"{} rt={} uct="{connect_time}" uht="{header_time}" urt="{response_time}" ua="{addr}" us="{status}""#,
            rendered.line,
            show_seconds(&r.request_time_us),
        );
        let explicit = access(&Parser::nginx_access(UPSTREAM_FORMAT).unwrap(), &line)?;
        check_common(&explicit, &r, &rendered);
        check_upstream(&explicit, &r.upstream, true);
        prop_assert_eq!(explicit.request_time_us, Some(r.request_time_us));
        // combined + trailing pairs reads the same.
        let pairs = access(&Parser::nginx_combined(), &line)?;
        prop_assert_eq!(&pairs, &explicit);
        // ... and so does detection's pick.
        let found = detect(&[line.as_bytes()], None, &[]).unwrap();
        let Ok(Record::Access(detected)) = found.parser.parse(line.as_bytes()) else {
            return Err(TestCaseError::fail("detected parser fails"));
        };
        prop_assert_eq!(detected.upstream, explicit.upstream);
    }

    #[test]
    fn nginx_main_ext_unquoted_lists_round_trip(r in request(), host in token()) {
        let rendered = render_combined(&r, nginx_escape, false);
        let [addr, status, response_time, ..] = upstream_texts(&r.upstream);
        let line = format!(
            "{} {} {addr} {status} {response_time} {host}",
            rendered.line,
            show_seconds(&r.request_time_us),
        );
        let parser = Parser::nginx_access(
            r#"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_time $upstream_addr $upstream_status $upstream_response_time $host"#,
        ).unwrap();
        let rec = access(&parser, &line)?;
        check_common(&rec, &r, &rendered);
        check_upstream(&rec, &r.upstream, false);
        prop_assert_eq!(str_of(rec.host), Some(host));
    }

    #[test]
    fn ingress_nginx_round_trip(r in request()) {
        let rendered = render_combined(&r, nginx_escape, false);
        let [addr, status, response_time, _, _, length] = upstream_texts(&r.upstream);
        let line = format!(
            "{} {} {} [{}] [] {addr} {length} {response_time} {status} {}",
            rendered.line,
            r.request_length,
            show_seconds(&r.request_time_us),
            r.upstream_name.as_deref().unwrap_or(""),
            r.request_id,
        );
        let rec = access(&Parser::ingress_nginx(), &line)?;
        check_common(&rec, &r, &rendered);
        check_upstream(&rec, &r.upstream, false);
        prop_assert_eq!(str_of(rec.upstream.response_length), Some(length));
        prop_assert_eq!(rec.request_time_us, Some(r.request_time_us));
        prop_assert_eq!(str_of(rec.upstream_name), r.upstream_name.clone());
        prop_assert_eq!(str_of(rec.request_id), Some(r.request_id.clone()));
    }

    #[test]
    fn apache_combined_with_duration_round_trip(r in request(), micros in 0u64..1 << 40) {
        let rendered = render_combined(&r, apache_escape, true);
        let line = format!("{} {micros}", rendered.line);
        let parser = Parser::apache_access(
            r#"%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\" %D"#,
        ).unwrap();
        let rec = access(&parser, &line)?;
        check_common(&rec, &r, &rendered);
        prop_assert!(rec.time_is_start);
        prop_assert_eq!(rec.request_time_us, Some(micros));
        // Plain combined reads the line too (with the duration as an unknown word).
        let plain = access(&Parser::apache_access("combined").unwrap(), &line)?;
        check_common(&plain, &r, &rendered);
    }
}

// ------------------------------------------------------------------ no panics

fn format_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "$remote_addr",
            "$remote_user",
            "$time_local",
            "$time_iso8601",
            "$msec",
            "$request",
            "$status",
            "$body_bytes_sent",
            "$http_referer",
            "$http_user_agent",
            "$request_time",
            "$upstream_addr",
            "$upstream_status",
            "$upstream_response_time",
            "$uri",
            "$args",
            "$is_args",
            "${host}",
            "$connection",
            "$proxy_upstream_name",
            "%h",
            "%a",
            "%t",
            "%{%d/%b/%Y:%T %z}t",
            "%{msec_frac}t",
            "%{sec}t",
            "%r",
            "%>s",
            "%b",
            "%D",
            "%{ms}T",
            "%{Referer}i",
            "%U",
            "%q",
            "%!200{X}i",
            "%%",
            "%{end:%s}t",
            " ",
            "\"",
            " - ",
            "[",
            "]",
            "=",
            ", ",
            " : ",
            "\\\"",
            "'",
            "escape=json ",
        ])
        .prop_map(str::to_owned),
        ".{0,6}",
    ]
}

fn line_piece() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::sample::select(vec![
            "1.2.3.4",
            "-",
            " ",
            "\"",
            "\\\"",
            "[25/Nov/2026:01:29:10 +0100]",
            "25/Nov/2026:01:29:10 +0100",
            "2026-11-25T01:29:10+01:00",
            "1795566550.123",
            "GET / HTTP/1.1",
            "200",
            "0.001",
            "10.0.0.1:80, 10.0.0.2:80 : unix:/x",
            ", ",
            " : ",
            "rt=",
            "ua=\"",
            "\\x22",
            "%",
        ])
        .prop_map(|s| s.as_bytes().to_vec()),
        proptest::collection::vec(any::<u8>(), 0..8),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(512), ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_lines_never_panic(
        bytes in proptest::collection::vec(any::<u8>(), 0..300),
        pieces in proptest::collection::vec(line_piece(), 0..30),
    ) {
        let joined: Vec<u8> = pieces.concat();
        let parsers = builtin_parsers();
        for parser in &parsers {
            let _ = parser.parse(&bytes);
            let _ = parser.parse(&joined);
        }
        let _ = detect(&[&bytes, &joined], Some("/var/log/x"), &[]);
    }

    #[test]
    fn arbitrary_formats_never_panic(
        raw in ".{0,80}",
        pieces in proptest::collection::vec(format_piece(), 0..16),
        line in proptest::collection::vec(line_piece(), 0..30),
    ) {
        let structured = pieces.concat();
        let line = line.concat();
        for format in [&raw, &structured] {
            for parser in [
                Parser::nginx_access(format),
                Parser::apache_access(format),
                Parser::access(format),
            ].into_iter().flatten() {
                let _ = parser.parse(&line);
                let _ = parser.parse(raw.as_bytes());
                prop_assert!(parser.format_string().is_some());
            }
        }
    }
}
