//! The decoder per envelope, and per kind of broken input: every physical line accounted
//! for, nothing fatal, memory bounded.

mod common;

use common::{Decoded, decode_bytes};
use logscan_envelope::{
    Config, Decoder, Envelope, Kind, Physical, Problem, Programs, Stream, YearHint, detect,
    detect_line, wrap,
};

const ERROR: &[u8] = b"2026/11/25 01:27:19 [error] 7#7: *1 connect() failed (111: Connection refused) while connecting to upstream, client: 10.0.0.9, server: shop, request: \"GET / HTTP/1.1\", upstream: \"http://10.0.0.5:8080/\", host: \"shop\"";
const ACCESS: &[u8] =
    b"10.0.0.9 - - [25/Nov/2026:01:27:19 +0000] \"GET / HTTP/1.1\" 502 157 \"-\" \"curl/8.5.0\"";
const T: &str = "2026-11-25T01:27:19.123456789Z";

fn config() -> Config {
    Config {
        year: YearHint {
            year: 2026,
            month: 11,
        },
        ..Config::default()
    }
}

fn decode(input: &[u8], envelope: Envelope) -> Decoded {
    let decoded = decode_bytes(input, Some(envelope), config());
    assert_eq!(
        decoded.accounted(),
        decoded.physical,
        "every physical line accounted for"
    );
    decoded
}

#[test]
fn docker_lines_escapes_and_streams() {
    let mut input = Vec::new();
    wrap::docker(&mut input, ERROR, Stream::Stderr, T);
    wrap::docker(&mut input, ACCESS, Stream::Stdout, "2026-11-25T01:27:19Z");
    wrap::docker(&mut input, b"", Stream::Stdout, T);
    let d = decode(&input, Envelope::Docker);
    assert_eq!(d.detected, Some(Envelope::Docker));
    let got: Vec<_> = d
        .lines
        .iter()
        .map(|l| (l.bytes.as_slice(), l.stream, l.lines))
        .collect();
    assert_eq!(
        got,
        [
            (ERROR, Some(Stream::Stderr), 1),
            (ACCESS, Some(Stream::Stdout), 1),
            (&b""[..], Some(Stream::Stdout), 1)
        ]
    );
    let t = d.lines[0].time.unwrap();
    assert_eq!((t.micros(), t.offset_seconds()), (123_456, Some(0)));
    assert_eq!(d.problems(), []);
}

#[test]
fn docker_pieces_are_joined_per_stream() {
    let long: Vec<u8> = (0..40_000u32).map(|i| b'a' + (i % 26) as u8).collect();
    let mut input = Vec::new();
    let mut pieces = Vec::new();
    wrap::docker(&mut pieces, &long, Stream::Stdout, T);
    let pieces: Vec<&[u8]> = pieces.split_inclusive(|&b| b == b'\n').collect();
    assert_eq!(pieces.len(), 3);
    // a stderr line between the pieces of a stdout line, as the runtime may store them
    input.extend_from_slice(pieces[0]);
    wrap::docker(&mut input, ERROR, Stream::Stderr, T);
    input.extend_from_slice(pieces[1]);
    input.extend_from_slice(pieces[2]);
    let d = decode(&input, Envelope::Docker);
    assert_eq!(d.lines.len(), 2);
    assert_eq!(
        (d.lines[0].bytes.as_slice(), d.lines[0].first_line),
        (ERROR, 2)
    );
    assert_eq!(d.lines[1].bytes, long);
    assert_eq!((d.lines[1].first_line, d.lines[1].lines), (1, 3));
    assert_eq!(d.lines[1].stream, Some(Stream::Stdout));
}

#[test]
fn a_10_mb_docker_line_is_one_over_long_line_and_is_not_buffered() {
    let long = vec![b'x'; 10 << 20];
    let mut input = Vec::new();
    wrap::docker(&mut input, &long, Stream::Stdout, T);
    wrap::docker(&mut input, ACCESS, Stream::Stdout, T);
    let mut decoder = Decoder::new(Envelope::Docker, config());
    let mut seen = Vec::new();
    for (i, physical) in input
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .enumerate()
    {
        if let Some(line) = decoder.decode(Physical::new(physical, i as u64 + 1)) {
            seen.push((line.bytes.len(), line.lines, line.too_long));
        }
        assert!(
            decoder.buffer_size() < 3 << 20,
            "{} bytes buffered",
            decoder.buffer_size()
        );
    }
    assert!(decoder.finish().is_none());
    assert_eq!(seen, [(1 << 20, 641, true), (ACCESS.len(), 1, false)]);
}

#[test]
fn broken_docker_lines_are_reported_and_kept() {
    let mut input = Vec::new();
    wrap::docker(&mut input, ERROR, Stream::Stderr, T);
    input.extend_from_slice(b"{\"log\":\"cut in the mid\n");
    input.extend_from_slice(b"{\"log\":\"x\\n\",\"stream\":\"stdout\",\"time\":\"yesterday\"}\n");
    input.extend_from_slice(b"\n");
    let d = decode(&input, Envelope::Docker);
    assert_eq!(
        d.problems(),
        [
            (2, Problem::BadJson(Envelope::Docker)),
            (3, Problem::BadTime),
            (4, Problem::NotInEnvelope(Envelope::Docker))
        ]
    );
    assert_eq!(d.lines[1].bytes, b"{\"log\":\"cut in the mid");
    assert_eq!(
        (d.lines[2].bytes.as_slice(), d.lines[2].time),
        (&b"x"[..], None)
    );
    assert!(d.lines.iter().all(|l| l.kind == Kind::Server));
}

#[test]
fn a_docker_line_without_its_last_piece_is_returned_at_the_end() {
    let mut input = Vec::new();
    wrap::docker(&mut input, ACCESS, Stream::Stdout, T);
    input.extend_from_slice(b"{\"log\":\"the container exited mid-line\",\"stream\":\"stderr\",\"time\":\"2026-11-25T01:27:20Z\"}\n");
    let d = decode(&input, Envelope::Docker);
    assert_eq!(d.problems(), [(2, Problem::Unfinished)]);
    assert_eq!(d.lines[1].bytes, b"the container exited mid-line");
}

#[test]
fn cri_full_and_partial_lines() {
    let long = vec![b'y'; 40_000];
    let mut input = Vec::new();
    wrap::cri(&mut input, ERROR, Stream::Stderr, T);
    wrap::cri(&mut input, &long, Stream::Stdout, T);
    wrap::cri(&mut input, b"", Stream::Stdout, T);
    input.extend_from_slice(b"2026-11-25T03:27:19.5+02:00 stderr F tail\n");
    let d = decode(&input, Envelope::Cri);
    assert_eq!(d.detected, Some(Envelope::Cri));
    assert_eq!(d.problems(), []);
    let got: Vec<_> = d
        .lines
        .iter()
        .map(|l| (l.bytes.len(), l.lines, l.stream))
        .collect();
    assert_eq!(
        got,
        [
            (ERROR.len(), 1, Some(Stream::Stderr)),
            (40_000, 3, Some(Stream::Stdout)),
            (0, 1, Some(Stream::Stdout)),
            (4, 1, Some(Stream::Stderr))
        ]
    );
    assert_eq!(d.lines[1].bytes, long);
    assert_eq!(d.lines[3].time.unwrap().offset_seconds(), Some(7200));
}

#[test]
fn a_cri_p_piece_with_no_f_is_unfinished() {
    let input =
        format!("{T} stdout P first half\n{T} stderr F other stream\n{T} stdout P , second half\n");
    let d = decode(input.as_bytes(), Envelope::Cri);
    assert_eq!(d.lines.len(), 2);
    assert_eq!(d.lines[0].bytes, b"other stream");
    assert_eq!(
        (d.lines[1].bytes.as_slice(), d.lines[1].lines),
        (&b"first half, second half"[..], 2)
    );
    assert_eq!(d.problems(), [(1, Problem::Unfinished)]);
}

#[test]
fn timestamped_lines() {
    let input = format!(
        "{T} {}\n2026-11-25T01:27:20Z {}\n2026-11-25T01:27:21.5Z \n",
        String::from_utf8_lossy(ERROR),
        String::from_utf8_lossy(ACCESS)
    );
    let d = decode(input.as_bytes(), Envelope::Timestamped);
    assert_eq!(d.detected, Some(Envelope::Timestamped));
    let got: Vec<_> = d.lines.iter().map(|l| l.bytes.as_slice()).collect();
    assert_eq!(got, [ERROR, ACCESS, b""]);
    assert!(
        d.lines
            .iter()
            .all(|l| l.time.is_some() && l.stream.is_none())
    );
}

#[test]
fn syslog_forms_and_other_programs() {
    let mut input = Vec::new();
    wrap::nginx_syslog(
        &mut input,
        ERROR,
        187,
        "Nov 25 01:27:19",
        Some("web-1"),
        "nginx",
    );
    wrap::nginx_syslog(&mut input, ACCESS, 190, "Nov 25 01:27:19", None, "nginx");
    wrap::rsyslog_file(&mut input, ACCESS, "Nov  5 01:27:19", "web-1", "nginx");
    wrap::rsyslog_file(
        &mut input,
        ERROR,
        "2026-11-25T01:27:19.25+01:00",
        "web-1",
        "nginx",
    );
    wrap::rsyslog_rfc5424(&mut input, ACCESS, 190, T, "web-1", "nginx");
    input.extend_from_slice(b"Nov 25 01:27:20 web-1 sshd[812]: Accepted publickey for deploy\n");
    input.extend_from_slice(
        b"<13>1 2026-11-25T01:27:20Z web-1 CRON 4712 - [meta x=\"1\"] (root) CMD (true)\n",
    );
    input.extend_from_slice(b"-- Boot 9f2c0d1e2f3a4b5c6d7e8f9a0b1c2d3e --\n");
    input.extend_from_slice(b"Nov 25 01:27:21 web-1 php-fpm8.2[77]: [25-Nov-2026 01:27:21] WARNING: [pool www] server reached pm.max_children setting (5)\n");
    let d = decode(&input, Envelope::Syslog);
    assert_eq!(d.detected, Some(Envelope::Syslog));
    assert_eq!(d.problems(), []);
    let kinds: Vec<_> = d.lines.iter().map(|l| l.kind).collect();
    use Kind::{Other, Server};
    assert_eq!(
        kinds,
        [
            Server, Server, Server, Server, Server, Other, Other, Other, Server
        ]
    );
    let inner: Vec<_> = d.lines.iter().take(5).map(|l| l.bytes.as_slice()).collect();
    assert_eq!(inner, [ERROR, ACCESS, ACCESS, ERROR, ACCESS]);
    assert_eq!(d.lines[0].host.as_deref(), Some(&b"web-1"[..]));
    assert_eq!(
        (d.lines[0].severity, d.lines[1].host.as_deref()),
        (Some(3), None)
    );
    // RFC 3164: local time, the year from the hint
    let t = d.lines[2].time.unwrap();
    assert_eq!(
        (t.to_naive().to_string().as_str(), t.offset_seconds()),
        ("2026-11-05 01:27:19", None)
    );
    assert_eq!(d.lines[3].time.unwrap().offset_seconds(), Some(3600));
    assert_eq!(d.lines[5].proc_id.as_deref(), Some(&b"812"[..]));
    assert_eq!(d.lines[6].app.as_deref(), Some(&b"CRON"[..]));
    assert_eq!(d.lines[8].app.as_deref(), Some(&b"php-fpm8.2"[..]));
}

#[test]
fn user_given_program_names() {
    let line = b"<190>Nov 25 01:27:19 web-1 web_frontend: x";
    let mut decoder = Decoder::new(Envelope::Syslog, config());
    assert_eq!(
        decoder.decode(Physical::new(line, 1)).unwrap().kind,
        Kind::Other
    );
    let config = Config {
        programs: Programs::with(["web_frontend"]),
        ..config()
    };
    let mut decoder = Decoder::new(Envelope::Syslog, config);
    assert_eq!(
        decoder.decode(Physical::new(line, 1)).unwrap().kind,
        Kind::Server
    );
}

#[test]
fn bad_syslog_priorities_are_reported() {
    let input = b"<999>Nov 25 01:27:19 web-1 nginx: a\n<x>Nov 25 01:27:19 web-1 nginx: b\n<190>Nov 25 01:27:19 web-1 nginx: c\n";
    let d = decode(input, Envelope::Syslog);
    assert_eq!(
        d.problems(),
        [(1, Problem::BadPriority), (2, Problem::BadPriority)]
    );
    let inner: Vec<_> = d.lines.iter().map(|l| l.bytes.as_slice()).collect();
    assert_eq!(inner, [b"a", b"b", b"c"]);
    assert_eq!(d.lines[0].severity, None);
}

#[test]
fn journalctl_continuation_lines_follow_their_message() {
    let input = b"Nov 25 01:27:19 web-1 nginx[812]: 2026/11/25 01:27:19 [error] 812#812: *1 FastCGI sent in stderr: \"PHP message: boom\n                                  #0 /var/www/index.php(3): f()\nNov 25 01:27:20 web-1 sshd[9]: x\n";
    let d = decode(input, Envelope::Syslog);
    assert_eq!(d.problems(), []);
    assert_eq!(d.lines[1].bytes, b"#0 /var/www/index.php(3): f()");
    assert_eq!(d.lines[1].kind, Kind::Server);
    assert_eq!(d.lines[2].kind, Kind::Other);
}

#[test]
fn journald_entries() {
    let input = concat!(
        r#"{"__REALTIME_TIMESTAMP":"1795570039123456","_HOSTNAME":"web-1","SYSLOG_IDENTIFIER":"nginx","_PID":"812","_TRANSPORT":"stdout","PRIORITY":"6","MESSAGE":"2026/11/25 01:27:19 [error] 812#812: *1 x, request: \"GET / HTTP/1.1\""}"#,
        "\n",
        r#"{"__REALTIME_TIMESTAMP":"1795570039223456","_HOSTNAME":"web-1","SYSLOG_IDENTIFIER":"nginx","MESSAGE":[99,97,102,233,0,27,91,50,74]}"#,
        "\n",
        r#"{"__REALTIME_TIMESTAMP":"1795570039323456","_HOSTNAME":"web-1","_COMM":"nginx","_TRANSPORT":"syslog","MESSAGE":"web-1 nginx: 10.0.0.9 - - x"}"#,
        "\n",
        r#"{"__REALTIME_TIMESTAMP":"1795570039423456","_HOSTNAME":"web-1","SYSLOG_IDENTIFIER":"systemd","_PID":"1","MESSAGE":"Started nginx.service."}"#,
        "\n",
        r#"{"__REALTIME_TIMESTAMP":"1795570039523456","SYSLOG_IDENTIFIER":"nginx","MESSAGE":null}"#,
        "\n",
        r#"{"__REALTIME_TIMESTAMP":"1795570039623456","SYSLOG_IDENTIFIER":"nginx","MESSAGE":[300]}"#,
        "\n",
        r#"{"__REALTIME_TIMESTAMP":"1795570039723456","SYSLOG_IDENTIFIER":"nginx","MESSAGE":["a","b"]}"#,
        "\n",
        r#"{"__REALTIME_TIMESTAMP":"1795570039823456","SYSLOG_IDENTIFIER":"nginx"}"#,
        "\n",
        "\u{1e}",
        r#"{"__REALTIME_TIMESTAMP":"1795570039923456","SYSLOG_IDENTIFIER":"nginx","MESSAGE":"seq"}"#,
        "\n",
    );
    let d = decode(input.as_bytes(), Envelope::Journald);
    assert_eq!(d.detected, Some(Envelope::Journald));
    assert_eq!(
        d.problems(),
        [
            (5, Problem::MessageOmitted),
            (6, Problem::BadMessage),
            (7, Problem::BadMessage),
            (8, Problem::BadMessage)
        ]
    );
    assert_eq!(
        d.lines[0].bytes,
        br#"2026/11/25 01:27:19 [error] 812#812: *1 x, request: "GET / HTTP/1.1""#
    );
    let t = d.lines[0].time.unwrap();
    assert_eq!(
        (t.unix_seconds(), t.micros(), t.offset_seconds()),
        (Some(1_795_570_039), 123_456, Some(0))
    );
    assert_eq!(
        (d.lines[0].proc_id.as_deref(), d.lines[0].severity),
        (Some(&b"812"[..]), Some(6))
    );
    // a byte array: any bytes, exactly (not UTF-8, a NUL, an ESC)
    assert_eq!(d.lines[1].bytes, b"caf\xe9\0\x1b[2J");
    // nginx's host name in a message journald took from its syslog socket
    assert_eq!(
        (d.lines[2].bytes.as_slice(), d.lines[2].app.as_deref()),
        (&b"10.0.0.9 - - x"[..], Some(&b"nginx"[..]))
    );
    assert_eq!(d.lines[3].kind, Kind::Other);
    assert_eq!(d.lines[8].bytes, b"seq");
}

#[test]
fn an_envelope_that_changes_halfway() {
    let mut input = Vec::new();
    wrap::docker(&mut input, ERROR, Stream::Stderr, T);
    wrap::cri(&mut input, ACCESS, Stream::Stdout, T);
    wrap::cri(&mut input, ERROR, Stream::Stderr, T);
    input.extend_from_slice(ACCESS);
    input.push(b'\n');
    let d = decode(&input, Envelope::Docker);
    assert_eq!(
        d.problems(),
        [
            (
                2,
                Problem::EnvelopeChanged {
                    from: Envelope::Docker,
                    to: Envelope::Cri
                }
            ),
            (4, Problem::NotInEnvelope(Envelope::Cri))
        ]
    );
    let inner: Vec<_> = d.lines.iter().map(|l| l.bytes.as_slice()).collect();
    assert_eq!(inner, [ERROR, ACCESS, ERROR, ACCESS]);
}

#[test]
fn over_long_physical_lines_stay_flagged() {
    let mut decoder = Decoder::new(Envelope::Cri, config());
    let cut = format!("{T} stdout F {}", "z".repeat(100));
    let line = decoder
        .decode(Physical {
            bytes: cut.as_bytes(),
            number: 1,
            too_long: true,
        })
        .unwrap();
    assert!(line.too_long && line.problem.is_none());
    let mut decoder = Decoder::new(Envelope::Docker, config());
    let line = decoder
        .decode(Physical {
            bytes: b"{\"log\":\"zzzz",
            number: 1,
            too_long: true,
        })
        .unwrap();
    assert!(line.too_long && line.problem.is_none());
}

#[test]
fn detection() {
    let mut docker = Vec::new();
    wrap::docker(&mut docker, ERROR, Stream::Stderr, T);
    let mut cri = Vec::new();
    wrap::cri(&mut cri, ERROR, Stream::Stderr, T);
    let mut ts = Vec::new();
    wrap::timestamped(&mut ts, ERROR, T);
    let mut journal = Vec::new();
    wrap::journald(&mut journal, ERROR, 1, "h", "nginx", 1);
    let mut rsyslog = Vec::new();
    wrap::rsyslog_file(
        &mut rsyslog,
        ERROR,
        "2026-11-25T01:27:19+00:00",
        "web-1",
        "nginx",
    );
    for (bytes, envelope) in [
        (&docker, Envelope::Docker),
        (&cri, Envelope::Cri),
        (&ts, Envelope::Timestamped),
        (&journal, Envelope::Journald),
        (&rsyslog, Envelope::Syslog),
    ] {
        let line = bytes.strip_suffix(b"\n").unwrap();
        assert_eq!(detect_line(line), Some(envelope));
        assert_eq!(detect(&[line, b"", line, b"garbage"]), Some(envelope));
        assert_eq!(detect(&[line, b"garbage", b"more garbage"]), None);
    }
    for plain in [
        ERROR,
        ACCESS,
        b"[Wed Nov 25 01:27:19.123456 2026] [proxy:error] [pid 1:tid 2] x",
        b"[25-Nov-2026 01:27:19] WARNING: [pool www] x",
    ] {
        assert_eq!(
            detect_line(plain),
            None,
            "{}",
            String::from_utf8_lossy(plain)
        );
    }
    assert_eq!(detect(&[]), None);
    assert_eq!(detect(&[b"-- No entries --"]), None);
}

#[test]
fn plain_fixture_logs_are_in_no_envelope() {
    let root = common::fixtures();
    for server in ["nginx", "apache"] {
        for dir in std::fs::read_dir(root.join(server)).unwrap().flatten() {
            for name in [
                "error.log",
                "access.log",
                "access_upstream.log",
                "php-fpm.log",
            ] {
                let Ok(bytes) = std::fs::read(dir.path().join(name)) else {
                    continue;
                };
                let sample: Vec<&[u8]> = bytes.split(|&b| b == b'\n').take(50).collect();
                assert_eq!(detect(&sample), None, "{}/{name}", dir.path().display());
                assert!(
                    sample.iter().all(|l| detect_line(l).is_none()),
                    "{}/{name}",
                    dir.path().display()
                );
            }
        }
    }
}

#[test]
fn samples_are_unwrapped_for_format_detection() {
    let mut input = Vec::new();
    wrap::nginx_syslog(
        &mut input,
        ERROR,
        187,
        "Nov 25 01:27:19",
        Some("web-1"),
        "nginx",
    );
    input.extend_from_slice(b"Nov 25 01:27:20 web-1 sshd[812]: Accepted publickey\n");
    wrap::nginx_syslog(
        &mut input,
        ACCESS,
        190,
        "Nov 25 01:27:19",
        Some("web-1"),
        "nginx",
    );
    let sample: Vec<&[u8]> = input
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    let inner = logscan_envelope::unwrap_sample(Envelope::Syslog, &sample, config());
    assert_eq!(inner, [ERROR.to_vec(), ACCESS.to_vec()]);
}

#[test]
fn envelope_names() {
    for e in Envelope::ALL {
        assert_eq!(e.name().parse::<Envelope>(), Ok(e));
    }
    assert!("json".parse::<Envelope>().is_err());
}
