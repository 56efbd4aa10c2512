//! Adversarial inputs against the real binary: whatever the bytes, logscan does not panic,
//! hang or grow without bound, counts every line, keeps raw control bytes from logs off
//! the terminal, writes valid JSON, and keeps going past a bad input (exit 2 at the end).
//!
//! Every input is generated at test time into a temporary directory. The heaviest cases
//! run at full size here (a 100 MB line, a 1 GiB gzip bomb, 3 M lines, a 40 MB file read
//! in chunks; the whole file takes about 20 s in the test profile on 2 cores). Only the
//! 2-million-distinct-clients case is `#[ignore]`d, for the ~400 MB it writes; the
//! 200 000 version runs. Peak RSS is measured with `/usr/bin/time` where it exists and
//! asserted under 256 MB.
// These tests report to the test harness on stderr; logscan's own messages are what
// src/messages.rs guards.
#![allow(clippy::disallowed_macros)]

mod common;

use std::fs;
use std::io::Write;
use std::path::Path;

use common::*;
use serde_json::Value;

const NGINX_REFUSED: &str = "2026/11/25 01:27:19 [error] 812#812: *31 connect() failed (111: Connection refused) while connecting to upstream, client: 127.0.0.1, server: localhost, request: \"GET /api/items HTTP/1.1\", upstream: \"http://127.0.0.1:19020/api/items\", host: \"localhost\"";

fn nginx_refused_at(time: &str, n: u32) -> String {
    format!(
        "{time} [error] 812#812: *{n} connect() failed (111: Connection refused) while connecting to upstream, client: 127.0.0.1, server: localhost, request: \"GET /api/items HTTP/1.1\", upstream: \"http://127.0.0.1:19020/api/items\", host: \"localhost\""
    )
}

/// Runs every report form and `--events` over `paths` with `extra` arguments, checks each
/// (valid JSON, no raw controls, counts add up) and returns the JSON report and its run.
fn every_form(paths: &[&Path], extra: &[&str]) -> (Run, Value) {
    let with = |args: &[&str]| -> Run {
        let mut all: Vec<std::ffi::OsString> = args.iter().map(Into::into).collect();
        all.extend(extra.iter().map(Into::into));
        all.extend(paths.iter().map(|p| p.as_os_str().to_owned()));
        run(all)
    };
    let json_run = with(&["--output", "json"]);
    let report = json_run.json();
    check_counts(&report);
    for (args, name) in [
        (&["--output", "table", "--color", "always"][..], "table"),
        (
            &["--output", "table", "--color", "never"][..],
            "plain table",
        ),
        (&["--output", "markdown"][..], "markdown"),
        (&["--output", "html"][..], "html"),
    ] {
        let r = with(args);
        assert_eq!(r.code, json_run.code, "{name}: same exit code as json");
        assert_no_raw_controls(name, &strip_sgr(r.stdout_str()));
        assert_no_raw_controls(&format!("{name} stderr"), &r.stderr);
    }
    let events = with(&["--events"]);
    assert_eq!(events.code, json_run.code, "events: same exit code as json");
    for line in events.stdout_str().lines() {
        let v: Value = serde_json::from_str(line).expect("each event is JSON");
        assert!(v.is_object());
    }
    assert_no_raw_controls("events", events.stdout_str());
    assert_no_raw_controls("json", json_run.stdout_str());
    assert_no_raw_controls("stderr", &json_run.stderr);
    (json_run, report)
}

// ---------------------------------------------------------------------------------------
// Random bytes, NULs, CRLF, invalid UTF-8
// ---------------------------------------------------------------------------------------

#[test]
fn random_bytes_in_every_format_are_counted_and_never_break_output() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("random.log");
    let mut bytes = vec![0u8; 1 << 20];
    Rng::new(0x5eed).fill(&mut bytes);
    fs::write(&path, &bytes).unwrap();
    for format in [
        "auto",
        "nginx-error",
        "nginx-access",
        "apache-error",
        "apache-access",
        "php-fpm",
    ] {
        let (r, report) = every_form(&[&path], &["--format", format]);
        assert_eq!(r.code, 0, "{format}: {}", r.stderr);
        let (lines, _, _) = input_counts(&report, "random.log");
        assert_eq!(lines, physical_lines(&bytes), "{format}");
    }
}

#[test]
fn random_bytes_spliced_into_real_lines() {
    // Real lines with random bytes overwritten at random places: parsers meet almost-valid
    // input, which reaches deeper than pure noise.
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng::new(42);
    let templates = [
        NGINX_REFUSED,
        "[Wed Nov 25 01:27:19.123456 2026] [proxy:error] [pid 1234:tid 5678] (111)Connection refused: AH00957: HTTP: attempt to connect to 127.0.0.1:8080 (127.0.0.1) failed",
        "[25-Nov-2026 01:29:10] WARNING: [pool www] server reached pm.max_children setting (5), consider raising it",
        "127.0.0.1 - - [25/Nov/2026:01:27:19 +0100] \"GET /api/items HTTP/1.1\" 502 157 \"-\" \"curl/8.0\"",
    ];
    for (i, template) in templates.iter().enumerate() {
        let mut log = Vec::new();
        for _ in 0..400 {
            let mut line = template.as_bytes().to_vec();
            for _ in 0..(rng.next() % 4) {
                let at = (rng.next() as usize) % line.len();
                line[at] = rng.next() as u8;
            }
            log.extend_from_slice(&line);
            log.push(b'\n');
        }
        let path = dir.path().join(format!("spliced{i}.log"));
        fs::write(&path, &log).unwrap();
        let (r, report) = every_form(&[&path], &[]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert_eq!(input_counts(&report, "log").0, physical_lines(&log));
    }
}

#[test]
fn nul_bytes_and_crlf_line_ends() {
    let dir = tempfile::tempdir().unwrap();
    let crlf = dir.path().join("crlf.log");
    let mut log = String::new();
    for i in 0..50 {
        log.push_str(&nginx_refused_at("2026/11/25 01:27:19", i));
        log.push_str("\r\n");
    }
    fs::write(&crlf, &log).unwrap();
    let (r, report) = every_form(&[&crlf], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(input_counts(&report, "crlf.log"), (50, 50, 0));
    assert_eq!(report["findings"][0]["cause"], "upstream_refused");
    assert_eq!(report["findings"][0]["count"], 50);

    let nuls = dir.path().join("nuls.log");
    let mut log = Vec::new();
    log.extend_from_slice(NGINX_REFUSED.as_bytes());
    log.extend_from_slice(b"\n\0\0\0\0\n");
    log.extend_from_slice(&NGINX_REFUSED.as_bytes()[..40]);
    log.extend_from_slice(b"\0\0\0");
    log.extend_from_slice(&NGINX_REFUSED.as_bytes()[40..]);
    log.extend_from_slice(b"\n");
    log.extend_from_slice(&vec![0u8; 100_000]);
    log.extend_from_slice(b"\n");
    log.extend_from_slice(NGINX_REFUSED.as_bytes());
    fs::write(&nuls, &log).unwrap();
    let (r, report) = every_form(&[&nuls], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let (lines, parsed, _) = input_counts(&report, "nuls.log");
    assert_eq!(lines, 5);
    assert!(parsed >= 2, "the clean lines are read: {parsed}");
}

/// A bad sequence: invalid UTF-8, ESC, a CSI, a bidi override, C1 CSI, an OSC 8 link.
const BAD: &[u8] =
    b"\xff\xfe\xc3(\x1b[31m\xe2\x80\xae\xc2\x9b2J\x1b]8;;http://evil/\x07x\x1b]8;;\x07\x1b]0;pwned\x07";

/// Lines of every format with `§` marking the fields; each variant puts [`BAD`] into one.
const FIELD_TEMPLATES: &[(&str, &str)] = &[
    (
        "nginx-error",
        "2026/11/25 01:27:19 [error] 812#812: *31 connect()§ failed (111: Connection refused§) while connecting to upstream, client: 127.0.§0.1, server: local§host, request: \"GET /api/§items HTTP/1.1§\", upstream: \"http://127.0.0.1:19020/§api/items\", host: \"local§host\", referrer: \"http://§x/\"",
    ),
    (
        "nginx-error",
        "2026/11/25 01:27:19 [error] 812#812: *32 upstream timed out (110: Connection timed out§) while reading response header from upstream, client: §127.0.0.1, server: §x, request: \"POST §/pay§ HTTP/1.1\", upstream: \"fastcgi://unix:/run/php/§php-fpm.sock:\", host: \"§x\"",
    ),
    (
        "nginx-error",
        "2026/11/25 01:27:19 [error] 812#812: *33 FastCGI sent in stderr: \"PHP message: PHP Fatal error:  §Allowed memory size§ exhausted\" while reading response header from upstream, client: 127.0.0.1, server: x, request: \"GET /§ HTTP/1.1\", upstream: \"fastcgi://127.0.0.1:9000\", host: \"x\"",
    ),
    (
        "apache-error",
        "[Wed Nov 25 01:27:19.123456 2026] [proxy§:error] [pid 1234:tid 5678] (111)Connection refused§: AH00957: HTTP: attempt to connect to §127.0.0.1:8080 (§127.0.0.1) failed",
    ),
    (
        "apache-error",
        "[Wed Nov 25 01:27:19.123456 2026] [proxy_http:error] [pid 1234:tid 5678] [client §10.0.0.1:5555] AH01114: HTTP: failed to make connection to backend: §127.0.0.1§, referer: http://§x/",
    ),
    (
        "apache-error",
        "[Wed Nov 25 01:27:19.123456 2026] [proxy_fcgi:error] [pid 1234:tid 5678] (70007)The timeout specified has expired§: [client 10.0.0.1:5555] AH01075: Error dispatching request to §127.0.0.1:9000:§",
    ),
    (
        "php-fpm",
        "[25-Nov-2026 01:29:10] WARNING: [pool §www] server reached pm.max_children setting (§5), consider raising it§",
    ),
    (
        "php-fpm",
        "[25-Nov-2026 01:29:10] WARNING: [pool www] child §123, script '/var/www/§x.php' (request: \"GET §/x.php§\") execution timed out (30.1 sec), terminating",
    ),
    (
        "nginx-access",
        "§127.0.0.1 - §user [25/Nov/2026:01:27:19 +0100] \"§GET /api/§items?x=§1 HTTP/1.1§\" 502 157 \"http://§ref/\" \"curl/§8.0\"",
    ),
    (
        "apache-access",
        "§127.0.0.1 - §user [25/Nov/2026:01:27:19 +0100] \"§GET /api/§items?x=§1 HTTP/1.1§\" 503 157 \"http://§ref/\" \"curl/§8.0\" 1234§",
    ),
];

#[test]
fn invalid_utf8_and_escapes_in_every_field_of_every_format() {
    let dir = tempfile::tempdir().unwrap();
    for (t, (format, template)) in FIELD_TEMPLATES.iter().enumerate() {
        let fields = template.matches('§').count();
        let mut log = Vec::new();
        // The clean line first, so detection has something to go on.
        log.extend_from_slice(template.replace('§', "").as_bytes());
        log.push(b'\n');
        for k in 0..fields {
            for (i, part) in template.split('§').enumerate() {
                if i == k + 1 {
                    log.extend_from_slice(BAD);
                }
                log.extend_from_slice(part.as_bytes());
            }
            log.push(b'\n');
        }
        let path = dir.path().join(format!("fields{t}.log"));
        fs::write(&path, &log).unwrap();
        for forced in ["auto", format] {
            let (r, report) = every_form(&[&path], &["--format", forced]);
            assert_eq!(r.code, 0, "{format}: {}", r.stderr);
            let (lines, parsed, _) = input_counts(&report, &format!("fields{t}.log"));
            assert_eq!(lines, fields as u64 + 1, "{format}");
            assert!(parsed >= 1, "{format} {forced}: the clean line parses");
            // Invalid UTF-8 that is kept appears as \xHH text in the JSON.
            let json = r.stdout_str();
            assert!(
                !json.contains('\u{fffd}'),
                "no lossy replacement in {format}"
            );
        }
        // --events shows the bad bytes as \xHH text and escapes controls.
        let events = run([
            "--events".as_ref(),
            "--format".as_ref(),
            std::ffi::OsStr::new(format),
            path.as_os_str(),
        ]);
        assert_eq!(events.code, 0);
        let text = events.stdout_str();
        assert!(
            text.contains("\\\\xff"),
            "{format}: \\xff text in events:\n{text}"
        );
        assert_no_raw_controls("events", text);
    }
}

// ---------------------------------------------------------------------------------------
// Long lines, many lines
// ---------------------------------------------------------------------------------------

/// nginx writes at most 2048 bytes per error line (NGX_MAX_ERROR_STR): 2047 bytes and the
/// newline, cut wherever that falls, mid-field and without a closing quote.
#[test]
fn nginx_error_lines_cut_at_2047_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("error.log");
    let mut log = String::new();
    for i in 0..100usize {
        let long_uri: String = "/q?".chars().chain("a".repeat(3000 + i).chars()).collect();
        let line = format!(
            "2026/11/25 01:27:19 [error] 812#812: *{i} connect() failed (111: Connection refused) while connecting to upstream, client: 127.0.0.1, server: localhost, request: \"GET {long_uri} HTTP/1.1\", upstream: \"http://127.0.0.1:19020{long_uri}\", host: \"localhost\""
        );
        // Cut at every kind of place: the request, the upstream, mid-UTF-8.
        let cut = 2047 - (i % 7) * 300;
        let mut cut_line = line.into_bytes();
        cut_line.truncate(cut.min(2047));
        if i % 10 == 0 {
            // a multi-byte character cut in half at the end
            cut_line.truncate(cut_line.len() - 2);
            cut_line.extend_from_slice("é".as_bytes());
            cut_line.pop();
        }
        log.push_str(&String::from_utf8_lossy(&cut_line).replace('\u{fffd}', "x"));
        log.push('\n');
    }
    fs::write(&path, &log).unwrap();
    let (r, report) = every_form(&[&path], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(input_counts(&report, "error.log"), (100, 100, 0));
    let top = &report["findings"][0];
    assert_eq!(top["cause"], "upstream_refused");
    assert_eq!(top["count"], 100);
}

/// A 100 MB line without a newline, after a good line: streamed (never buffered whole),
/// counted as one unrecognized line, the good line still read.
#[test]
fn hundred_megabyte_line_without_newline() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("long.log");
    {
        let mut f = std::io::BufWriter::new(fs::File::create(&path).unwrap());
        writeln!(f, "{NGINX_REFUSED}").unwrap();
        let block = vec![b'A'; 1 << 20];
        for _ in 0..100 {
            f.write_all(&block).unwrap();
        }
        f.flush().unwrap();
    }
    let args = ["--output".as_ref(), "json".as_ref(), path.as_os_str()];
    let (r, kib) = match peak_rss_kib(&args, dir.path()) {
        Some(measured) => measured,
        None => (run(args), 0),
    };
    assert_eq!(r.code, 0, "{}", r.stderr);
    let report = r.json();
    assert_eq!(input_counts(&report, "long.log"), (2, 1, 1));
    assert!(r.stderr.contains("line longer than 1 MiB"), "{}", r.stderr);
    eprintln!("100 MB line: peak RSS {kib} KiB");
    assert!(kib < 256 * 1024, "peak RSS {kib} KiB");
}

/// 3 million tiny lines (a mix of recognised and not) are all counted.
#[test]
fn three_million_tiny_lines() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tiny.log");
    {
        let mut f = std::io::BufWriter::new(fs::File::create(&path).unwrap());
        for i in 0..3_000_000u32 {
            match i % 1000 {
                0 => writeln!(f, "{}", nginx_refused_at("2026/11/25 01:27:19", i)).unwrap(),
                1 => f.write_all(b"\n").unwrap(),
                _ => f.write_all(b"x\n").unwrap(),
            }
        }
    }
    let r = run(["--output".as_ref(), "json".as_ref(), path.as_os_str()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let report = r.json();
    let (lines, parsed, _) = input_counts(&report, "tiny.log");
    assert_eq!(lines, 3_000_000);
    // nginx joins lines that do not start an entry to the entry before (stack traces):
    // they count as parsed, so only the lines before the first entry stay unrecognized.
    assert!(parsed >= 3_000, "{parsed}");
    assert_eq!(report["findings"][0]["count"], 3_000);
}

// ---------------------------------------------------------------------------------------
// Timestamps
// ---------------------------------------------------------------------------------------

#[test]
fn timestamps_out_of_order_across_years_dst_and_extremes() {
    let dir = tempfile::tempdir().unwrap();
    let error = dir.path().join("error.log");
    let times = [
        "2026/12/31 23:59:59",
        "2027/01/01 00:00:01",
        "2026/12/31 23:59:58",
        "2026/03/29 01:59:59", // Berlin: just before the spring gap
        "2026/03/29 02:30:00", // inside the gap (does not exist)
        "2026/03/29 03:00:01",
        "2026/10/25 02:30:00", // the repeated hour
        "2026/10/25 02:30:00",
        "2026/10/25 01:59:59",
        "0001/01/01 00:00:00",
        "1970/01/01 00:00:00",
        "9999/12/31 23:59:59",
        "2026/02/29 12:00:00", // not a date
        "2024/02/29 12:00:00",
        "2026/11/25 25:61:61",
    ];
    let mut log = String::new();
    for (i, t) in times.iter().enumerate() {
        log.push_str(&nginx_refused_at(t, i as u32));
        log.push('\n');
    }
    fs::write(&error, &log).unwrap();
    let access = dir.path().join("access.log");
    let mut log = String::new();
    for t in [
        "31/Dec/2026:23:59:59 +0100",
        "01/Jan/2027:00:00:01 +0100",
        "29/Mar/2026:01:59:59 +0100",
        "29/Mar/2026:03:00:00 +0200",
        "25/Oct/2026:02:30:00 +0200",
        "25/Oct/2026:02:30:00 +0100",
        "01/Jan/0001:00:00:00 +0000",
        "01/Jan/1970:00:00:00 -1200",
        "31/Dec/9999:23:59:59 +1400",
        "31/Dec/9999:23:59:59 -2359",
        "01/Jan/0001:00:00:00 +2359",
    ] {
        log.push_str(&format!(
            "127.0.0.1 - - [{t}] \"GET /api/items HTTP/1.1\" 502 157 \"-\" \"curl/8.0\"\n"
        ));
    }
    fs::write(&access, &log).unwrap();
    for tz in [
        &[][..],
        &["--tz", "Europe/Berlin"][..],
        &["--tz=-09:30"][..],
    ] {
        let (r, report) = every_form(&[&error, &access], tz);
        assert_eq!(r.code, 0, "{tz:?}: {}", r.stderr);
        assert_eq!(input_counts(&report, "error.log").0, times.len() as u64);
        assert_eq!(input_counts(&report, "access.log").0, 11);
        // Windows that span the whole range still render a bounded timeline.
        for f in report["findings"].as_array().unwrap() {
            assert!(f["timeline"].as_array().unwrap().len() <= 10_000);
        }
    }
    // --since/--until and a window far outside the data.
    for args in [
        &["--since", "9999-12-31 00:00", "--tz", "Europe/Berlin"][..],
        &["--until", "1970-01-02 00:00"][..],
        &["--window", "1s"][..],
    ] {
        let (r, _) = every_form(&[&error, &access], args);
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
    }
    // Events carry valid RFC 3339 timestamps.
    let events = run(["--events", "--tz", "Europe/Berlin"]
        .iter()
        .map(std::ffi::OsStr::new)
        .chain([error.as_os_str(), access.as_os_str()]));
    for line in events.stdout_str().lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        if let Some(ts) = v["@timestamp"].as_str() {
            chrono::DateTime::parse_from_rfc3339(ts).unwrap_or_else(|e| panic!("{ts}: {e}"));
        }
    }
}

// ---------------------------------------------------------------------------------------
// Hostile text in every output form
// ---------------------------------------------------------------------------------------

#[test]
fn terminal_escapes_osc8_and_bidi_never_reach_the_output_raw() {
    let dir = tempfile::tempdir().unwrap();
    let hostile = [
        "\x1b]8;;http://evil.example/\x07click me\x1b]8;;\x07",
        "\x1b]0;owned title\x07",
        "\x1b]2;title\x1b\\",
        "\x1b[2J\x1b[H\x1b[31;1mred",
        "\x1bP+q\x1b\\",
        "\u{9b}31m\u{9d}8;;x\u{9c}",
        "\u{202e}txt.exe\u{202c}",
        "\u{2066}\u{2067}\u{2068}\u{2069}\u{200e}\u{200f}\u{61c}",
        "\u{200b}\u{feff}\u{2028}\u{2029}",
        "\x08\x08\x08\x7f\r\t\x0b\x0c",
        "<script>alert(1)</script>&amp;`|*_[x](y)",
    ];
    let mut error = String::new();
    let mut access = String::new();
    for (i, h) in hostile.iter().enumerate() {
        error.push_str(&format!(
            "2026/11/25 01:27:{:02} [error] 812#812: *{i} connect() failed (111: Connection refused) while connecting to upstream, client: 127.0.0.1{h}, server: local{h}host, request: \"GET /api/{h} HTTP/1.1\", upstream: \"http://127.0.0.1:19020/{h}\", host: \"{h}\"\n",
            i
        ));
        access.push_str(&format!(
            "127.0.0.1 - {h} [25/Nov/2026:01:27:{i:02} +0000] \"GET /api/{h}?x=1 HTTP/1.1\" 502 157 \"{h}\" \"{h}\"\n"
        ));
    }
    // One line with only the request hostile, so it is the finding's top endpoint.
    error.push_str(&format!(
        "2026/11/25 01:28:00 [error] 812#812: *99 connect() failed (111: Connection refused) while connecting to upstream, client: 127.0.0.1, server: localhost, request: \"GET /api/{} HTTP/1.1\", upstream: \"http://127.0.0.1:19020/api\", host: \"localhost\"\n",
        hostile[0]
    ));
    let e = dir.path().join("error.log");
    let a = dir.path().join("access.log");
    fs::write(&e, &error).unwrap();
    fs::write(&a, &access).unwrap();
    let (r, report) = every_form(&[&e, &a], &["--top", "50"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(input_counts(&report, "error.log"), (12, 12, 0));
    let html = run([
        "--output".as_ref(),
        "html".as_ref(),
        e.as_os_str(),
        a.as_os_str(),
    ]);
    let page = html.stdout_str();
    assert!(!page.contains("<script>alert"), "HTML escapes markup");
    assert!(
        page.contains("&lt;script&gt;"),
        "the text is still shown, escaped"
    );
    // The hostile request shows, escaped, in the table.
    let table = run([
        "--output".as_ref(),
        "table".as_ref(),
        "--color".as_ref(),
        "always".as_ref(),
        "--top".as_ref(),
        "50".as_ref(),
        e.as_os_str(),
    ]);
    assert!(
        table
            .stdout_str()
            .contains("\\x1b]8;;http://evil.example/\\x07"),
        "{}",
        table.stdout_str()
    );
    // The events JSON escapes C1 and bidi controls as \u escapes (same value when parsed).
    let events = run(["--events".as_ref(), e.as_os_str()]);
    assert!(
        events.stdout_str().contains("\\u202e"),
        "{}",
        events.stdout_str()
    );
    let urls: Vec<String> = events
        .stdout_str()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["url"]["original"].to_string())
        .collect();
    // (Lines whose client is not an address keep their context in the message: nginx
    // never writes such a client, and a fake `, client: ` in a message must not split.)
    assert!(
        urls.iter()
            .any(|u| u.contains("\\u001b]8;;http://evil.example/\\u0007")),
        "{urls:?}"
    );
}

/// A file whose name carries escape sequences is named escaped in messages and reports.
#[test]
fn hostile_file_names_are_escaped_too() {
    let dir = tempfile::tempdir().unwrap();
    let name = "x\x1b]0;title\x07\u{202e}.log";
    let path = dir.path().join(name);
    fs::write(&path, "not a log line\n").unwrap();
    let missing = dir.path().join("gone\x1b[2J.log");
    let (r, _) = every_form(&[&path, &missing], &[]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("gone\\x1b[2J.log"), "{}", r.stderr);
}

/// Invisible characters a terminal would hide or use to disguise text: the soft hyphen,
/// the Mongolian vowel separator, the deprecated format characters, tag characters (which
/// spell ASCII invisibly: "ADMIN" here), and other format characters from several scripts.
/// Several lie outside the Basic Multilingual Plane, where JSON needs surrogate pairs.
const INVISIBLE: [&str; 9] = [
    "soft\u{ad}hyphen",
    "mongolian\u{180e}vowel",
    "\u{206a}\u{206b}\u{206c}\u{206d}\u{206e}\u{206f}deprecated",
    "tag\u{e0001}\u{e0041}\u{e0044}\u{e004d}\u{e0049}\u{e004e}\u{e007f}",
    "\u{e0000}\u{e0020}\u{e007e}tags",
    "arabic\u{600}\u{605}\u{6dd}\u{70f}\u{890}\u{8e2}",
    "kaithi\u{110bd}\u{110cd}",
    "format\u{13430}\u{1343f}\u{1bca0}\u{1d173}\u{1d17a}",
    "zw\u{200b}\u{200d}\u{2060}\u{2064}\u{feff}\u{fffb}",
];

/// Invisible characters in request lines and user agents: every output form shows them as
/// visible escapes (checked by [`every_form`] against Unicode's Cc/Cf/Zl/Zp, not against
/// logscan's own list), and the JSON report and events parse back to the very text logged.
#[test]
fn invisible_format_characters_in_requests_and_user_agents() {
    let dir = tempfile::tempdir().unwrap();
    let mut error = String::new();
    let mut access = String::new();
    let mut error_lines = Vec::new();
    for (i, h) in INVISIBLE.iter().enumerate() {
        // One upstream per line: one finding each, whose example is that line.
        let line = format!(
            "2026/11/25 01:27:{i:02} [error] 812#812: *{i} connect() failed (111: Connection refused) while connecting to upstream, client: 127.0.0.1, server: localhost, request: \"GET /api/{h} HTTP/1.1\", upstream: \"http://127.0.0.1:190{i:02}/api\", host: \"localhost\""
        );
        error.push_str(&line);
        error.push('\n');
        error_lines.push(line);
        access.push_str(&format!(
            "127.0.0.1 - - [25/Nov/2026:01:27:{i:02} +0000] \"GET /api/{h} HTTP/1.1\" 502 157 \"-\" \"{h}\"\n"
        ));
    }
    let e = dir.path().join("error.log");
    let a = dir.path().join("access.log");
    fs::write(&e, &error).unwrap();
    fs::write(&a, &access).unwrap();
    let (r, report) = every_form(&[&e, &a], &["--top", "50"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(input_counts(&report, "error.log"), (9, 9, 0));
    assert_eq!(input_counts(&report, "access.log"), (9, 9, 0));

    // JSON: each finding's example is its line, character for character.
    let examples: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["examples"].as_array().unwrap())
        .map(|x| x["text"].as_str().unwrap())
        .collect();
    for line in &error_lines {
        assert!(
            examples.contains(&line.as_str()),
            "{line:?} not in {examples:?}"
        );
    }
    // Outside the BMP, the raw JSON carries surrogate pairs (U+E0041 = \udb40\udc41).
    assert!(
        r.stdout_str().contains("\\udb40\\udc41"),
        "{}",
        r.stdout_str()
    );

    // Events: request targets and user agents parse back to the text logged.
    let events = run(["--events".as_ref(), a.as_os_str()]);
    let parsed: Vec<Value> = events
        .stdout_str()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(parsed.len(), INVISIBLE.len());
    for (event, h) in parsed.iter().zip(INVISIBLE) {
        assert_eq!(event["user_agent"]["original"], h, "{event}");
        assert_eq!(event["url"]["original"], format!("/api/{h}"), "{event}");
    }

    // Table, Markdown and HTML show the escapes as text.
    for form in ["table", "markdown", "html"] {
        let out = run([
            "--output".as_ref(),
            form.as_ref(),
            "--top".as_ref(),
            "50".as_ref(),
            e.as_os_str(),
            a.as_os_str(),
        ]);
        let text = out.stdout_str();
        for shown in [
            "\\u{e0041}",
            "\\u{180e}",
            "\\u{206f}",
            "\\u{110bd}",
            "\\u{600}",
        ] {
            assert!(text.contains(shown), "{form} lacks {shown}:\n{text}");
        }
        assert!(text.contains("soft\\xadhyphen"), "{form}:\n{text}");
    }
}

/// Invisible characters in file names: messages and every report form name the file with
/// visible escapes; the JSON report and events keep its exact name.
#[test]
fn invisible_format_characters_in_file_names() {
    let dir = tempfile::tempdir().unwrap();
    let name = "error\u{ad}\u{180e}\u{206e}\u{e0041}\u{e007f}\u{600}.log";
    let path = dir.path().join(name);
    fs::write(&path, format!("{NGINX_REFUSED}\n")).unwrap();
    let junk = dir.path().join("junk\u{e0001}\u{e0078}\u{6dd}.log");
    fs::write(&junk, "not a log line\n").unwrap();
    let missing = dir.path().join("gone\u{e0067}\u{e006f}\u{1d173}.log");
    let (r, report) = every_form(&[&path, &junk, &missing], &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("gone\\u{e0067}\\u{e006f}\\u{1d173}.log"),
        "{}",
        r.stderr
    );
    // The unrecognized-lines warning names the file escaped.
    assert!(
        r.stderr.contains("junk\\u{e0001}\\u{e0078}\\u{6dd}.log"),
        "{}",
        r.stderr
    );
    assert_eq!(report["inputs"][1]["path"], junk.to_str().unwrap());
    let input = &report["inputs"][0];
    assert_eq!(input["path"], path.to_str().unwrap());
    assert_eq!(input_counts(&report, "\u{600}.log"), (1, 1, 0));
    assert_eq!(
        report["findings"][0]["examples"][0]["path"],
        path.to_str().unwrap()
    );
    let events = run(["--events".as_ref(), path.as_os_str()]);
    let event: Value = serde_json::from_str(events.stdout_str().lines().next().unwrap()).unwrap();
    assert_eq!(event["log"]["file"]["path"], path.to_str().unwrap());
    for form in ["table", "markdown", "html"] {
        let out = run(["--output".as_ref(), form.as_ref(), path.as_os_str()]);
        assert!(
            out.stdout_str()
                .contains("\\u{e0041}\\u{e007f}\\u{600}.log"),
            "{form}:\n{}",
            out.stdout_str()
        );
    }
}

// ---------------------------------------------------------------------------------------
// Compressed inputs
// ---------------------------------------------------------------------------------------

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(data).unwrap();
    gz.finish().unwrap()
}

#[test]
fn truncated_gzip_reports_the_error_and_keeps_what_came_before() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = String::new();
    let mut rng = Rng::new(7);
    for i in 0..20_000u32 {
        // Random client ports keep the compression ratio low, so the cut is mid-stream.
        log.push_str(&NGINX_REFUSED.replace("*31", &format!("*{i}")).replace(
            "client: 127.0.0.1",
            &format!("client: 10.0.{}.{}", rng.next() % 256, rng.next() % 256),
        ));
        log.push('\n');
    }
    let full = gzip(log.as_bytes());
    let cut = dir.path().join("error.log.1.gz");
    fs::write(&cut, &full[..full.len() / 2]).unwrap();
    let good = dir.path().join("error.log");
    fs::write(&good, format!("{NGINX_REFUSED}\n")).unwrap();
    let (r, report) = every_form(&[&cut, &good], &[]);
    assert_eq!(r.code, 2, "a truncated archive is an unreadable input");
    assert!(r.stderr.contains("error.log.1.gz"), "{}", r.stderr);
    assert!(r.stderr.contains(":"), "{}", r.stderr);
    let (lines, parsed, _) = input_counts(&report, "error.log.1.gz");
    assert!(lines > 1_000 && lines < 20_000, "{lines}");
    assert_eq!(lines, parsed);
    assert_eq!(input_counts(&report, "/error.log"), (1, 1, 0));
}

/// Corrupt archives of every kind: an error naming the file, exit 2, the rest analysed.
#[test]
fn corrupt_archives_of_every_kind() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("error.log");
    fs::write(&good, format!("{NGINX_REFUSED}\n")).unwrap();
    let mut garbage = vec![0u8; 4096];
    Rng::new(3).fill(&mut garbage);
    for (name, magic) in [
        ("a.log.gz", &[0x1f, 0x8b, 8, 0][..]),
        ("b.log.zst", &[0x28, 0xb5, 0x2f, 0xfd][..]),
        ("c.log.bz2", &b"BZh9"[..]),
        ("d.log.xz", &[0xfd, b'7', b'z', b'X', b'Z', 0][..]),
        ("e.log.gz", &[0x1f][..]),
    ] {
        let path = dir.path().join(name);
        let mut bytes = magic.to_vec();
        bytes.extend_from_slice(&garbage);
        fs::write(&path, &bytes).unwrap();
        let (r, report) = every_form(&[&path, &good], &[]);
        assert!(
            r.code == 2 || name == "e.log.gz",
            "{name}: exit {} {}",
            r.code,
            r.stderr
        );
        if r.code == 2 {
            assert!(r.stderr.contains(name), "{name}: {}", r.stderr);
        }
        assert_eq!(input_counts(&report, "/error.log"), (1, 1, 0), "{name}");
    }
}

/// A gzip bomb: 1 GiB of NUL-filled lines compressed about 1000:1 streams through in
/// bounded memory (about 10 s in the test profile, most of it inflating).
#[test]
fn gzip_bomb_streams_in_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bomb.log.gz");
    {
        // One gzip member of 64 MiB, written 16 times: a multi-member stream of 1 GiB
        // (generated in a fraction of the time one 1 GiB member takes).
        let mut block = vec![0u8; 1 << 20];
        for i in (0..block.len()).step_by(64 << 10) {
            block[i + (64 << 10) - 1] = b'\n';
        }
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        for _ in 0..64 {
            gz.write_all(&block).unwrap();
        }
        let member = gz.finish().unwrap();
        let mut f = fs::File::create(&path).unwrap();
        for _ in 0..16 {
            f.write_all(&member).unwrap();
        }
    }
    let size = fs::metadata(&path).unwrap().len();
    assert!(size < 2 << 20, "about 1000:1: {size}");
    let args = ["--output".as_ref(), "json".as_ref(), path.as_os_str()];
    let (r, kib) = match peak_rss_kib(&args, dir.path()) {
        Some(measured) => measured,
        None => (run(args), 0),
    };
    assert_eq!(r.code, 0, "{}", r.stderr);
    let report = r.json();
    assert_eq!(input_counts(&report, "bomb.log.gz").0, 16 * 1024);
    eprintln!("gzip bomb (1 GiB from {size} bytes): peak RSS {kib} KiB");
    assert!(kib < 256 * 1024, "peak RSS {kib} KiB");
}

// ---------------------------------------------------------------------------------------
// Files that are not ordinary
// ---------------------------------------------------------------------------------------

#[test]
fn zero_byte_file() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.log");
    fs::write(&empty, "").unwrap();
    let (r, report) = every_form(&[&empty], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(input_counts(&report, "empty.log"), (0, 0, 0));
    // In a directory too, next to a real log.
    fs::write(dir.path().join("error.log"), format!("{NGINX_REFUSED}\n")).unwrap();
    let (r, report) = every_form(&[dir.path()], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(report["totals"]["lines"], 1);
}

#[test]
fn stdin_with_garbage_and_with_nothing() {
    let mut bytes = vec![0u8; 100_000];
    Rng::new(9).fill(&mut bytes);
    let out = logscan()
        .args(["--output", "json", "-"])
        .write_stdin(bytes.clone())
        .output()
        .unwrap();
    let r = from_output(out);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(input_counts(&r.json(), "<stdin>").0, physical_lines(&bytes));
    let out = logscan()
        .args(["--output", "json", "-"])
        .write_stdin(Vec::new())
        .output()
        .unwrap();
    let r = from_output(out);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(input_counts(&r.json(), "<stdin>"), (0, 0, 0));
}

#[cfg(unix)]
#[test]
fn fifo_written_by_a_thread() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.log");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(status.success());
    let writer_path = fifo.clone();
    let writer = std::thread::spawn(move || {
        let mut f = fs::OpenOptions::new()
            .write(true)
            .open(&writer_path)
            .unwrap();
        for i in 0..5_000 {
            writeln!(f, "{}", nginx_refused_at("2026/11/25 01:27:19", i)).unwrap();
            if i % 1000 == 0 {
                f.flush().unwrap();
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
        }
        f.write_all(b"a last line without newline").unwrap();
    });
    let r = run(["--output".as_ref(), "json".as_ref(), fifo.as_os_str()]);
    writer.join().unwrap();
    assert_eq!(r.code, 0, "{}", r.stderr);
    let report = r.json();
    assert_eq!(input_counts(&report, "pipe.log"), (5_001, 5_001, 0));
    assert_eq!(report["findings"][0]["count"], 5_000);
}

fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

#[cfg(unix)]
#[test]
fn directory_with_symlink_loop_dangling_link_and_unreadable_files() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("logs");
    fs::create_dir_all(root.join("sub")).unwrap();
    fs::write(root.join("error.log"), format!("{NGINX_REFUSED}\n")).unwrap();
    fs::write(root.join("sub/error.log.1"), format!("{NGINX_REFUSED}\n")).unwrap();
    symlink(&root, root.join("sub/loop")).unwrap();
    symlink("..", root.join("sub/up")).unwrap();
    symlink(root.join("nowhere.log"), root.join("dangling.log")).unwrap();
    let (r, report) = every_form(&[&root], &[]);
    assert_eq!(
        r.code, 2,
        "a dangling log symlink cannot be read: {}",
        r.stderr
    );
    assert!(r.stderr.contains("dangling.log"), "{}", r.stderr);
    assert!(r.stderr.contains("symlink loop"), "{}", r.stderr);
    assert_eq!(
        report["totals"]["lines"], 2,
        "both real logs read once each"
    );

    // A file that cannot be read though it opens: reading /proc/self/mem at offset 0 fails
    // with EIO. The error names it; the other inputs are analysed.
    let mem = Path::new("/proc/self/mem");
    if mem.exists() {
        let good = root.join("error.log");
        let (r, report) = every_form(&[mem, &good], &[]);
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(r.stderr.contains("/proc/self/mem"), "{}", r.stderr);
        assert_eq!(input_counts(&report, "/error.log"), (1, 1, 0));
    }

    // Permission denied: root reads everything, so only as another user.
    if is_root() {
        eprintln!("skipping the permission-denied part: running as root");
    } else {
        use std::os::unix::fs::PermissionsExt;
        let locked = root.join("locked.log");
        fs::write(&locked, format!("{NGINX_REFUSED}\n")).unwrap();
        fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();
        let (r, report) = every_form(&[&root], &[]);
        assert_eq!(r.code, 2);
        assert!(r.stderr.contains("locked.log"), "{}", r.stderr);
        assert_eq!(report["totals"]["lines"], 2);
        fs::set_permissions(&locked, fs::Permissions::from_mode(0o644)).unwrap();
    }
}

#[test]
fn missing_inputs_do_not_stop_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("error.log");
    fs::write(&good, format!("{NGINX_REFUSED}\n")).unwrap();
    let missing = dir.path().join("missing.log");
    let pattern = dir.path().join("nothing*.log");
    let (r, report) = every_form(&[&missing, &good, &pattern, dir.path()], &[]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("missing.log"), "{}", r.stderr);
    assert!(r.stderr.contains("nothing*.log"), "{}", r.stderr);
    assert_eq!(report["totals"]["lines"], 1);
    assert_eq!(report["findings"][0]["cause"], "upstream_refused");
}

// ---------------------------------------------------------------------------------------
// Files changing while read
// ---------------------------------------------------------------------------------------

/// A file appended to while logscan reads it: no panic, every line it read counted.
#[test]
fn file_growing_while_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("error.log");
    let line = format!("{NGINX_REFUSED}\n");
    fs::write(&path, line.repeat(200_000)).unwrap();
    let writer_path = path.clone();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stopped = stop.clone();
    let writer = std::thread::spawn(move || {
        let mut f = fs::OpenOptions::new()
            .append(true)
            .open(&writer_path)
            .unwrap();
        let mut written = 0u64;
        while !stopped.load(std::sync::atomic::Ordering::Relaxed) && written < 400_000 {
            f.write_all(line.repeat(100).as_bytes()).unwrap();
            written += 100;
        }
    });
    let r = run(["--output".as_ref(), "json".as_ref(), path.as_os_str()]);
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    writer.join().unwrap();
    assert_eq!(r.code, 0, "{}", r.stderr);
    let (lines, parsed, unrec) = input_counts(&r.json(), "error.log");
    assert!(lines >= 200_000, "{lines}");
    assert_eq!(parsed + unrec, lines);
    // The writer can be in the middle of a line when logscan reaches the end of the file:
    // that one line, cut short, is counted as unrecognized (seen once in a workspace run);
    // no other line may be.
    assert!(unrec <= 1, "{unrec} unrecognized lines");
}

/// A file truncated (copytruncate rotation) while logscan reads it: no panic, and either
/// it finished first, or it says the file shrank, naming it, and exits 2.
#[test]
fn file_truncated_while_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("error.log");
    let line = format!("{NGINX_REFUSED}\n");
    // Large enough (> 32 MiB) to be read in parallel chunks planned from its size.
    let copies = (48 << 20) / line.len();
    fs::write(&path, line.repeat(copies)).unwrap();
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("logscan"))
        .args(["--output", "json"])
        .arg(&path)
        .env("TZ", "UTC")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(150));
    fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(1000)
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let r = from_output(out);
    let report = r.json();
    let (lines, parsed, _) = input_counts(&report, "error.log");
    assert_eq!(lines, parsed);
    if r.code == 2 {
        // Named once, at the byte offset in the file where reading stopped.
        assert!(r.stderr.contains("error.log: byte "), "{}", r.stderr);
        assert!(r.stderr.contains("shrank"), "{}", r.stderr);
        for line in r.stderr.lines() {
            assert_eq!(line.matches("error.log").count(), 1, "{line}");
        }
    } else {
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    eprintln!(
        "truncated while read: exit {}, {lines} of {copies} lines read; {}",
        r.code,
        r.stderr.trim()
    );
}

// ---------------------------------------------------------------------------------------
// Read-only, exit codes, events
// ---------------------------------------------------------------------------------------

fn listing(dir: &Path) -> Vec<(String, u64, std::time::SystemTime, u32)> {
    let mut out = Vec::new();
    for entry in walk(dir) {
        let meta = fs::symlink_metadata(&entry).unwrap();
        #[cfg(unix)]
        let mode = {
            use std::os::unix::fs::PermissionsExt;
            meta.permissions().mode()
        };
        #[cfg(not(unix))]
        let mode = 0;
        out.push((
            entry.to_string_lossy().into_owned(),
            meta.len(),
            meta.modified().unwrap(),
            mode,
        ));
    }
    out.sort();
    out
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = vec![dir.to_path_buf()];
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// logscan opens inputs read-only and writes nothing next to them: a read-only copy of
/// the fixtures (plus compressed and rotated files) looks exactly the same afterwards,
/// names, sizes, modes and modification times.
#[test]
fn inputs_are_read_only_and_nothing_is_written_next_to_them() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("logs");
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/nginx");
    copy_dir(&fixtures.join("refused"), &root.join("a"));
    copy_dir(&fixtures.join("backend_crash"), &root.join("b"));
    let log = fs::read(root.join("a/error.log")).unwrap();
    fs::write(root.join("a/error.log.2.gz"), gzip(&log)).unwrap();
    fs::write(
        root.join("a/error.log.1.zst"),
        zstd::encode_all(&log[..], 3).unwrap(),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for path in walk(&root) {
            let mode = if path.is_dir() { 0o555 } else { 0o444 };
            fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
        }
    }
    let before = listing(&root);
    for args in [
        &["--output", "json"][..],
        &["--output", "table", "--color", "always"][..],
        &["--output", "markdown"][..],
        &["--output", "html"][..],
        &["--events"][..],
        &["--progress", "always", "--output", "json"][..],
    ] {
        let r = run(args
            .iter()
            .map(std::ffi::OsStr::new)
            .chain([root.as_os_str()]));
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
    }
    let stdin = logscan()
        .args(["--output", "json", "-"])
        .write_stdin(log)
        .output()
        .unwrap();
    assert_eq!(from_output(stdin).code, 0);
    assert_eq!(listing(&root), before, "nothing changed in the input tree");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for path in walk(&root) {
            fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
        }
    }
}

#[test]
fn exit_codes_follow_the_design() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("error.log");
    fs::write(&good, format!("{NGINX_REFUSED}\n")).unwrap();
    let healthy = dir.path().join("healthy.log");
    fs::write(
        &healthy,
        "2026/11/25 01:27:19 [notice] 1#1: signal process started\n",
    )
    .unwrap();
    let code = |args: &[&std::ffi::OsStr]| run(args.iter().copied()).code;
    let os = |s: &'static str| std::ffi::OsStr::new(s);
    // 0: analysed.
    assert_eq!(code(&[os("--output"), os("json"), good.as_os_str()]), 0);
    // 1: --fail-on met; 0 when not met.
    assert_eq!(
        code(&[
            os("--fail-on"),
            os("high"),
            os("--output"),
            os("json"),
            good.as_os_str()
        ]),
        1
    );
    assert_eq!(
        code(&[
            os("--fail-on"),
            os("low"),
            os("--output"),
            os("json"),
            healthy.as_os_str()
        ]),
        0
    );
    // 2: bad arguments.
    for bad in [
        &[os("--no-such-option")][..],
        &[os("--tz"), os("Mars/Olympus"), good.as_os_str()][..],
        &[os("--since"), os("yesterday-ish"), good.as_os_str()][..],
        &[os("--window"), os("0s"), good.as_os_str()][..],
        &[os("--top"), os("many"), good.as_os_str()][..],
        // Out-of-range numbers are refused, not overflowed (these panicked or hung).
        &[os("--window"), os("9223372036854775807s"), good.as_os_str()][..],
        &[os("--window"), os("101y"), good.as_os_str()][..],
        &[os("--since"), os("99999999999h"), good.as_os_str()][..],
        &[os("--since"), os("9223372036854775807s"), good.as_os_str()][..],
        &[os("--until"), os("5000000000d"), good.as_os_str()][..],
        &[os("--threads"), os("100000"), good.as_os_str()][..],
        &[os("--output"), os("pdf"), good.as_os_str()][..],
    ] {
        let r = run(bad.iter().copied());
        assert_eq!(r.code, 2, "{bad:?}: {}", r.stderr);
        assert!(!r.stderr.is_empty());
    }
    // 2: -o naming one of the inputs is refused before anything is read or written.
    let before = fs::read(&good).unwrap();
    let r = run([os("-o"), good.as_os_str(), dir.path().as_os_str()]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("is an input"), "{}", r.stderr);
    assert_eq!(fs::read(&good).unwrap(), before, "the input is untouched");
    // 2 beats 1: an unreadable input with --fail-on met still says 2, after the report.
    let r = run([
        os("--fail-on"),
        os("high"),
        os("--output"),
        os("json"),
        good.as_os_str(),
        dir.path().join("missing.log").as_os_str(),
    ]);
    assert_eq!(r.code, 2);
    assert_eq!(r.json()["findings"][0]["cause"], "upstream_refused");
}

#[test]
fn events_stop_quietly_when_the_reader_goes_away() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("error.log");
    fs::write(&path, format!("{NGINX_REFUSED}\n").repeat(100_000)).unwrap();
    // A reader that takes one line and closes the pipe.
    let bin = assert_cmd::cargo::cargo_bin("logscan");
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "'{}' --events '{}' | head -n 1",
            bin.display(),
            path.display()
        ))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stderr.contains("Broken pipe"), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 1);
    for form in ["json", "table", "markdown", "html"] {
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!(
                "'{}' --output {form} '{}' | head -c 10 >/dev/null",
                bin.display(),
                path.display()
            ))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{form}: {stderr}");
        assert!(!stderr.contains("Broken pipe"), "{form}: {stderr}");
    }
}

// ---------------------------------------------------------------------------------------
// Many distinct clients and URLs: memory stays bounded
// ---------------------------------------------------------------------------------------

/// Writes `n` 5xx access lines, each from its own client to its own URL, and an error log
/// with `n / 4` refused connections from distinct clients to distinct URLs; returns the
/// peak RSS in KiB of the JSON report over both (0 where `/usr/bin/time` is missing).
fn distinct_clients_and_urls(n: u32) -> u64 {
    let dir = tempfile::tempdir().unwrap();
    let access = dir.path().join("access.log");
    let error = dir.path().join("error.log");
    {
        let mut f = std::io::BufWriter::new(fs::File::create(&access).unwrap());
        for i in 0..n {
            let (a, b, c) = (i >> 16, (i >> 8) & 255, i & 255);
            let second = i % 60;
            let minute = (i / 60) % 60;
            writeln!(
                f,
                "10.{a}.{b}.{c} - - [25/Nov/2026:01:{minute:02}:{second:02} +0000] \"GET /item/{i}/detail?session={i} HTTP/1.1\" {} 157 \"https://ref.example/{i}\" \"agent/{i}\"",
                if i % 2 == 0 { 502 } else { 504 }
            )
            .unwrap();
        }
        let mut f = std::io::BufWriter::new(fs::File::create(&error).unwrap());
        for i in 0..n / 4 {
            let (a, b, c) = (i >> 16, (i >> 8) & 255, i & 255);
            writeln!(
                f,
                "2026/11/25 01:{:02}:{:02} [error] 7#7: *{i} connect() failed (111: Connection refused) while connecting to upstream, client: 10.{a}.{b}.{c}, server: s{}, request: \"GET /x/{i} HTTP/1.1\", upstream: \"http://10.9.{}.{}:80/x/{i}\", host: \"h{i}\"",
                (i / 60) % 60,
                i % 60,
                i % 1000,
                (i >> 8) & 255,
                i & 255
            )
            .unwrap();
        }
    }
    let args = [
        "--output".as_ref(),
        "json".as_ref(),
        access.as_os_str(),
        error.as_os_str(),
    ];
    let (r, kib) = match peak_rss_kib(&args, dir.path()) {
        Some(measured) => measured,
        None => (run(args), 0),
    };
    assert_eq!(r.code, 0, "{}", r.stderr);
    let report = r.json();
    assert_eq!(
        input_counts(&report, "access.log"),
        (u64::from(n), u64::from(n), 0)
    );
    assert_eq!(input_counts(&report, "error.log").0, u64::from(n / 4));
    // Top-k lists stay short however many distinct values there are.
    for f in report["findings"].as_array().unwrap() {
        assert!(f["requests"].as_array().is_none_or(|r| r.len() <= 50));
        assert!(f["upstreams"].as_array().is_none_or(|u| u.len() <= 50));
        assert!(f["examples"].as_array().is_none_or(|e| e.len() <= 50));
    }
    assert!(r.stdout.len() < 4 << 20, "report size {}", r.stdout.len());
    kib
}

/// 200 000 distinct clients and URLs (CI size); see the ignored test for 2 million.
#[test]
fn many_distinct_clients_and_urls_stay_bounded() {
    let kib = distinct_clients_and_urls(200_000);
    eprintln!("200k distinct clients/URLs: peak RSS {kib} KiB");
    assert!(kib < 256 * 1024, "peak RSS {kib} KiB");
}

/// 2 million distinct clients and URLs (a 330 MB access log and an 80 MB error log):
/// ignored in CI for its disk use; run with
/// `cargo test -p logscan --test adversarial -- --ignored --nocapture`.
#[test]
#[ignore = "full size: writes ~400 MB of logs to a temporary directory (runs in ~10 s)"]
fn two_million_distinct_clients_and_urls_stay_bounded() {
    let kib = distinct_clients_and_urls(2_000_000);
    eprintln!("2M distinct clients/URLs: peak RSS {kib} KiB");
    assert!(kib < 256 * 1024, "peak RSS {kib} KiB");
}

/// A file large enough to be split into chunks read in parallel (> 32 MiB), full of
/// noise, long lines and continuation lines: every line is counted once, and the counts
/// are the same as reading the same bytes whole from stdin.
#[test]
fn large_noisy_file_read_in_chunks_counts_like_a_whole_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("error.log");
    let mut rng = Rng::new(11);
    let mut data = Vec::with_capacity(40 << 20);
    let mut noise = vec![0u8; 4096];
    let mut i = 0u32;
    while data.len() < 40 << 20 {
        match rng.next() % 8 {
            0 => {
                let n = (rng.next() % 4096) as usize;
                rng.fill(&mut noise[..n]);
                data.extend_from_slice(&noise[..n]);
            }
            1 => data.extend_from_slice(b"#0 /var/www/index.php(3): f()\n#1 {main}"),
            2 => data.extend_from_slice(&vec![b'x'; (rng.next() % (3 << 20)) as usize]),
            _ => data.extend_from_slice(nginx_refused_at("2026/11/25 01:27:19", i).as_bytes()),
        }
        data.push(b'\n');
        i += 1;
    }
    fs::write(&path, &data).unwrap();
    let chunked = run(["--output".as_ref(), "json".as_ref(), path.as_os_str()]);
    assert_eq!(chunked.code, 0, "{}", chunked.stderr);
    let chunked = chunked.json();
    let whole = logscan()
        .args(["--output", "json", "-"])
        .write_stdin(data.clone())
        .output()
        .unwrap();
    let whole = from_output(whole).json();
    let counts = input_counts(&chunked, "error.log");
    assert_eq!(counts.0, physical_lines(&data));
    assert_eq!(counts, input_counts(&whole, "<stdin>"));
    assert_eq!(
        chunked["findings"][0]["count"],
        whole["findings"][0]["count"]
    );
}

/// An access log named with an OSC title change, a bell and a screen clear, next to a
/// duplicate of it: the note that names both (one of them is read, not both) is escaped
/// like every other message, and stderr holds no raw control byte.
#[test]
fn hostile_name_of_a_duplicate_access_log_is_escaped_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = String::new();
    for i in 0..20 {
        log.push_str(&format!(
            "10.0.0.{i} - - [25/Nov/2026:01:27:{i:02} +0000] \"GET /api/items HTTP/1.1\" 502 157 \"-\" \"curl/8.5.0\"\n"
        ));
    }
    let hostile = "a\x1b]0;pwned\x07\x1b[2J.log";
    fs::write(dir.path().join(hostile), &log).unwrap();
    fs::write(dir.path().join("b.log"), &log).unwrap();
    let out = logscan()
        .args(["--output", "json"])
        .arg(dir.path())
        .output()
        .unwrap();
    let r = from_output(out.clone());
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("same requests as")
            && r.stderr.contains("a\\x1b]0;pwned\\x07\\x1b[2J.log"),
        "{}",
        r.stderr
    );
    assert!(
        !out.stderr
            .iter()
            .any(|&b| (b < 0x20 && b != b'\n') || b == 0x7f),
        "a raw control byte on stderr: {:?}",
        r.stderr
    );
    assert_no_raw_controls("stderr", &r.stderr);
    // One of the two was read.
    assert_eq!(r.json()["inputs"].as_array().unwrap().len(), 1);
}

/// A Docker json-file record of `line` (with its `\n`, or without for a piece of a split
/// line) as the json-file driver writes it.
fn docker_record(line: &str, newline: bool, stream: &str, second: u32) -> String {
    let log = if newline {
        format!("{line}\n")
    } else {
        line.to_owned()
    };
    format!(
        "{{\"log\":{},\"stream\":\"{stream}\",\"time\":\"2026-11-25T01:27:{second:02}.000000001Z\"}}\n",
        serde_json::to_string(&log).unwrap()
    )
}

fn first_envelope_problem(report: &Value) -> (u64, String) {
    let input = &report["inputs"][0];
    (
        input["envelope_problems"].as_u64().unwrap(),
        input["envelope_problem_examples"][0]["text"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    )
}

/// Docker: a broken JSON line, a line whose last piece never comes, and terminal escapes
/// inside the JSON string: counted and named, the good lines read, nothing raw reaches the
/// output.
#[test]
fn docker_broken_json_and_an_unfinished_piece_are_counted_and_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("web-json.log");
    let mut text = String::new();
    for n in 0..5 {
        text += &docker_record(
            &nginx_refused_at("2026/11/25 01:27:19", n),
            true,
            "stderr",
            19,
        );
    }
    text += "{\"log\":\"2026/11/25 01:27:20 [error] 1#1: *9 connect() failed (111: Conn\n";
    text += &docker_record(
        "10.0.0.1 - - [25/Nov/2026:01:27:20 +0000] \"GET /\u{1b}]8;;http://evil\u{7}x\u{1b}[2J HTTP/1.1\" 502 157 \"-\" \"curl/8\"",
        true,
        "stdout",
        20,
    );
    text += &docker_record(
        "2026/11/25 01:27:21 [error] 1#1: *10 a long line cut into pie",
        false,
        "stderr",
        21,
    );
    fs::write(&path, text).unwrap();
    let (r, report) = every_form(&[&path], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let input = &report["inputs"][0];
    assert_eq!(input["envelope"], "docker");
    assert_eq!(input["lines"], 8);
    // The unfinished piece is returned as it was collected: here a whole nginx line.
    assert_eq!(input["formats"]["nginx-error"], 6);
    assert_eq!(input["formats"]["nginx-access"], 1);
    assert_eq!(input["unrecognized"], 1);
    let (problems, first) = first_envelope_problem(&report);
    assert_eq!(problems, 2, "{input}");
    assert!(first.starts_with("broken docker JSON line"), "{first}");
    assert_eq!(input["envelope_problem_examples"][0]["line"], 6);
    assert!(
        r.stderr
            .contains("2 of 8 lines with a broken docker envelope"),
        "{}",
        r.stderr
    );
    assert_eq!(report["findings"][0]["cause"], "upstream_refused");
}

/// CRI: a `P` piece with no `F` before the end of the file, and a line in no envelope.
#[test]
fn cri_piece_without_its_last_piece_is_counted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("web.log");
    let mut text = String::new();
    for n in 0..3 {
        text += &format!(
            "2026-11-25T01:27:19.00000000{n}Z stderr F {}\n",
            nginx_refused_at("2026/11/25 01:27:19", n)
        );
    }
    text += "not a cri line at all\n";
    text +=
        "2026-11-25T01:27:20.000000001Z stdout P 10.0.0.1 - - [25/Nov/2026:01:27:20 +0000] \"GET /";
    fs::write(&path, text).unwrap();
    let (r, report) = every_form(&[&path], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let input = &report["inputs"][0];
    assert_eq!(input["envelope"], "cri");
    assert_eq!(
        (input["lines"].as_u64(), input["parsed"].as_u64()),
        (Some(5), Some(3))
    );
    assert_eq!(input["unrecognized"], 2);
    assert_eq!(input["envelope_problems"], 2);
    let texts: Vec<&str> = input["envelope_problem_examples"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["text"].as_str().unwrap())
        .collect();
    assert!(
        texts.iter().any(|t| t.starts_with("not a cri line")),
        "{texts:?}"
    );
    assert!(
        texts
            .iter()
            .any(|t| t.starts_with("a line split into pieces ends without its last piece")),
        "{texts:?}"
    );
}

/// A 10 MB line in Docker's 16 KiB pieces: one line over the limit (its 641 records counted
/// as its physical lines), the lines around it read, memory bounded.
#[test]
fn docker_ten_megabyte_line_in_16_kib_pieces() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big-json.log");
    {
        let mut f = std::io::BufWriter::new(fs::File::create(&path).unwrap());
        f.write_all(
            docker_record(
                &nginx_refused_at("2026/11/25 01:27:19", 1),
                true,
                "stderr",
                19,
            )
            .as_bytes(),
        )
        .unwrap();
        let piece = "A".repeat(16 << 10);
        for _ in 0..640 {
            f.write_all(docker_record(&piece, false, "stdout", 19).as_bytes())
                .unwrap();
        }
        f.write_all(docker_record("end", true, "stdout", 19).as_bytes())
            .unwrap();
        f.write_all(
            docker_record(
                &nginx_refused_at("2026/11/25 01:27:20", 2),
                true,
                "stderr",
                20,
            )
            .as_bytes(),
        )
        .unwrap();
        f.flush().unwrap();
    }
    let args = ["--output".as_ref(), "json".as_ref(), path.as_os_str()];
    let (r, kib) = match peak_rss_kib(&args, dir.path()) {
        Some(measured) => measured,
        None => (run(args), 0),
    };
    assert_eq!(r.code, 0, "{}", r.stderr);
    let report = r.json();
    check_counts(&report);
    let input = &report["inputs"][0];
    assert_eq!(input["lines"], 643);
    assert_eq!(input["parsed"], 2);
    assert_eq!(input["unrecognized"], 641);
    assert!(r.stderr.contains("line longer than 1 MiB"), "{}", r.stderr);
    eprintln!("10 MB Docker line: peak RSS {kib} KiB");
    assert!(kib < 256 * 1024, "peak RSS {kib} KiB");
}

/// journald: a `MESSAGE` byte array with invalid UTF-8 and terminal escapes is read (its
/// bytes escaped in every output); a `MESSAGE` that is neither is a named problem.
#[test]
fn journald_byte_array_message_with_invalid_utf8() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.json");
    let entry = |message: &str, usec: u64| {
        format!(
            "{{\"__REALTIME_TIMESTAMP\":\"{usec}\",\"_HOSTNAME\":\"web\",\"SYSLOG_IDENTIFIER\":\"nginx\",\"_PID\":\"812\",\"MESSAGE\":{message}}}\n"
        )
    };
    let mut line = nginx_refused_at("2026/11/25 01:27:19", 7).into_bytes();
    line.splice(60..60, [0xff, 0xfe, 0x1b, b'[', b'2', b'J', 0xe9]);
    let bytes: Vec<String> = line.iter().map(u8::to_string).collect();
    let mut text = entry(&format!("[{}]", bytes.join(",")), 1_795_570_039_000_000);
    text += &entry(
        &serde_json::to_string(&nginx_refused_at("2026/11/25 01:27:20", 8)).unwrap(),
        1_795_570_040_000_000,
    );
    text += &entry("{\"not\":\"a message\"}", 1_795_570_041_000_000);
    text += &entry("[1,2,300]", 1_795_570_042_000_000);
    fs::write(&path, text).unwrap();
    let (r, report) = every_form(&[&path], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let input = &report["inputs"][0];
    assert_eq!(input["envelope"], "journald");
    assert_eq!(input["lines"], 4);
    assert_eq!(input["parsed"], 2);
    assert_eq!(input["envelope_problems"], 2);
    // The bytes spliced into the errno text make the first line's cause another one.
    assert_eq!(report["totals"]["failures"], 2);
}

/// Syslog: a bad `<PRI>` is named and the rest of the line read; another program's line is
/// `other`.
#[test]
fn syslog_bad_priority_is_named_and_the_line_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("syslog");
    let text = format!(
        "<187>Nov 25 01:27:19 web nginx: {}\n<999>Nov 25 01:27:20 web nginx: {}\n<x>Nov 25 01:27:21 web nginx: {}\nNov 25 01:27:22 web sshd[77]: Accepted publickey for root\n",
        nginx_refused_at("2026/11/25 01:27:19", 1),
        nginx_refused_at("2026/11/25 01:27:20", 2),
        nginx_refused_at("2026/11/25 01:27:21", 3),
    );
    fs::write(&path, text).unwrap();
    let (r, report) = every_form(&[&path], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let input = &report["inputs"][0];
    assert_eq!(input["envelope"], "syslog");
    assert_eq!(
        (input["parsed"].as_u64(), input["other"].as_u64()),
        (Some(3), Some(1))
    );
    assert!(input["envelope_problems"].as_u64().unwrap() >= 1, "{input}");
    let (_, first) = first_envelope_problem(&report);
    assert!(
        first.starts_with("syslog <PRI> is not a number from 0 to 191"),
        "{first}"
    );
    assert_eq!(report["findings"][0]["count"], 3);
}

/// An envelope that changes halfway through a file (a Docker log continued as CRI): the
/// change is named once and every line is read in the envelope it is in.
#[test]
fn an_envelope_that_changes_halfway_is_named_and_followed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("changing.log");
    let mut text = String::new();
    for n in 0..5 {
        text += &docker_record(
            &nginx_refused_at("2026/11/25 01:27:19", n),
            true,
            "stderr",
            19,
        );
    }
    for n in 5..8 {
        text += &format!(
            "2026-11-25T01:27:20.00000000{n}Z stderr F {}\n",
            nginx_refused_at("2026/11/25 01:27:20", n)
        );
    }
    fs::write(&path, text).unwrap();
    let (r, report) = every_form(&[&path], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let input = &report["inputs"][0];
    assert_eq!(input["envelope"], "docker");
    assert_eq!(
        (input["lines"].as_u64(), input["parsed"].as_u64()),
        (Some(8), Some(8))
    );
    assert_eq!(input["envelope_problems"], 1);
    let (_, first) = first_envelope_problem(&report);
    assert!(
        first.starts_with("the envelope changes from docker to cri here"),
        "{first}"
    );
    assert_eq!(report["findings"][0]["count"], 8);
}
