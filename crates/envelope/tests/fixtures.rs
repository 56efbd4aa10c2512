//! Every envelope fixture decodes with every physical line accounted for, and the inner
//! lines are the lines of the plain logs of the same run, byte for byte.
//!
//! - `nginx/syslog/syslog/*`: nginx's datagrams as received and rsyslog's three files;
//! - `nginx/journald/journald/*`: a real journald, as journalctl prints it;
//! - `envelope/*`: Docker, CRI and `kubectl --timestamps` written around real lines by
//!   `fixtures/lib/envelopes.py` (listed in `envelope/manifest.json`).

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::{Decoded, assert_same_lines, decode_file, fixtures, is_error_line, plain_lines};
use logscan_envelope::{Config, Envelope, Kind, Problem, Stream, YearHint, wrap};

/// A capture's directory. A fresh capture (`LOGSCAN_FIXTURES`) may lack one whose programs
/// could not run there (capture.sh says SKIPPED): then the test says so and passes; the
/// committed corpus must have it.
fn capture(rel: &str) -> Option<std::path::PathBuf> {
    let dir = fixtures().join(rel);
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("LOGSCAN_FIXTURES").is_some(),
        "fixture {} missing",
        dir.display()
    );
    eprintln!("SKIPPED: {} was not captured", dir.display());
    None
}

/// A config whose RFC 3164 year is the year of the plain error log's last line.
fn config_for(dir: &Path) -> Config {
    let errors = plain_lines(&dir.join("error.log"));
    let last = errors.last().expect("an error line");
    let year: i32 = std::str::from_utf8(&last[..4]).unwrap().parse().unwrap();
    let month: u32 = std::str::from_utf8(&last[5..7]).unwrap().parse().unwrap();
    Config {
        year: YearHint { year, month },
        ..Config::default()
    }
}

/// The server lines of `decoded`, split into error and access lines, must be the plain
/// `error.log` and `access.log` of `dir`, in order.
fn assert_inner_lines_are_the_plain_ones(what: &str, decoded: &Decoded, dir: &Path) {
    let (errors, access): (Vec<Vec<u8>>, Vec<Vec<u8>>) = decoded
        .server()
        .map(|l| l.bytes.clone())
        .partition(|b| is_error_line(b));
    assert_same_lines(
        &format!("{what} error lines"),
        &errors,
        &plain_lines(&dir.join("error.log")),
    );
    assert_same_lines(
        &format!("{what} access lines"),
        &access,
        &plain_lines(&dir.join("access.log")),
    );
}

fn apps(decoded: &Decoded) -> BTreeSet<String> {
    decoded
        .other()
        .filter_map(|l| l.app.as_ref())
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect()
}

/// Envelope times and the nginx error line's own time (local time of the capture) differ by
/// a whole number of quarter hours (the zone) and at most a second or two.
fn assert_times_agree_with_error_lines(what: &str, decoded: &Decoded) {
    for line in decoded
        .server()
        .filter(|l| l.bytes.first().is_some_and(u8::is_ascii_digit) && is_error_line(&l.bytes))
    {
        let envelope = line
            .time
            .unwrap_or_else(|| panic!("{what}: line {} has no time", line.first_line));
        let text = std::str::from_utf8(&line.bytes[..19]).unwrap();
        let inner = chrono::NaiveDateTime::parse_from_str(text, "%Y/%m/%d %H:%M:%S").unwrap();
        let inner = inner.and_utc().timestamp();
        let outer = envelope.wall_seconds() - i64::from(envelope.offset_seconds().unwrap_or(0));
        let diff = inner - outer;
        let zone = (diff as f64 / 900.0).round() as i64 * 900;
        assert!(
            (diff - zone).abs() <= 2,
            "{what}: line {}: envelope {outer}, line {inner}",
            line.first_line
        );
    }
}

#[test]
fn nginx_syslog_datagrams_and_rsyslog_files() {
    let Some(dir) = capture("nginx/syslog") else {
        return;
    };
    let config = config_for(&dir);
    let plain_count =
        plain_lines(&dir.join("error.log")).len() + plain_lines(&dir.join("access.log")).len();
    for (name, others, hostname, offset) in [
        ("udp.log", 0, true, None),
        ("udp_nohostname.log", 0, false, None),
        ("rsyslog_traditional.log", 5, true, None),
        ("rsyslog_rfc3339.log", 5, true, Some(0)),
        ("rsyslog_rfc5424.log", 5, true, Some(0)),
    ] {
        let what = format!("nginx/syslog/syslog/{name}");
        let decoded = decode_file(&dir.join("syslog").join(name), config.clone());
        assert_eq!(decoded.detected, Some(Envelope::Syslog), "{what}");
        assert_eq!(
            decoded.accounted(),
            decoded.physical,
            "{what}: lines accounted for"
        );
        assert_eq!(decoded.problems(), [], "{what}");
        assert_eq!(decoded.server().count(), plain_count, "{what}");
        assert_eq!(decoded.other().count(), others, "{what}");
        if others > 0 {
            assert_eq!(
                apps(&decoded),
                ["CRON", "sshd", "systemd"].map(String::from).into(),
                "{what}"
            );
        }
        assert_inner_lines_are_the_plain_ones(&what, &decoded, &dir);
        for line in decoded.server() {
            assert_eq!(line.app.as_deref(), Some(&b"nginx"[..]), "{what}");
            assert_eq!(line.host.is_some(), hostname, "{what}");
            let time = line.time.unwrap_or_else(|| panic!("{what}: no time"));
            assert_eq!(time.offset_seconds(), offset, "{what}");
            if name.starts_with("udp") || name.ends_with("5424.log") {
                // nginx: error lines at their level (error 3, warn 4), access lines info (6)
                let expected = if is_error_line(&line.bytes) {
                    [3, 4]
                } else {
                    [6, 6]
                };
                assert!(
                    expected.contains(&line.severity.unwrap()),
                    "{what}: {:?}",
                    line.severity
                );
            }
        }
        assert_times_agree_with_error_lines(&what, &decoded);
    }
}

#[test]
fn nginx_under_a_real_journald() {
    let Some(dir) = capture("nginx/journald") else {
        return;
    };
    let config = config_for(&dir);
    let others = ["CRON", "sshd", "systemd", "systemd-journald"]
        .map(String::from)
        .into();
    for name in ["json-all.json", "short.log", "short-iso-precise.log"] {
        let what = format!("nginx/journald/journald/{name}");
        let decoded = decode_file(&dir.join("journald").join(name), config.clone());
        let expected = if name.ends_with(".json") {
            Envelope::Journald
        } else {
            Envelope::Syslog
        };
        assert_eq!(decoded.detected, Some(expected), "{what}");
        assert_eq!(
            decoded.accounted(),
            decoded.physical,
            "{what}: lines accounted for"
        );
        assert_eq!(decoded.problems(), [], "{what}");
        assert_eq!(apps(&decoded), others, "{what}");
        assert_inner_lines_are_the_plain_ones(&what, &decoded, &dir);
        assert!(
            decoded.server().all(|l| l.app.as_deref() == Some(b"nginx")),
            "{what}"
        );
        assert_times_agree_with_error_lines(&what, &decoded);
    }

    // Without --all journalctl writes null for the ~20 KB access line: reported, and the
    // other lines still come through.
    let what = "nginx/journald/journald/json.json";
    let decoded = decode_file(&dir.join("journald/json.json"), config);
    assert_eq!(decoded.accounted(), decoded.physical, "{what}");
    let problems = decoded.problems();
    assert_eq!(problems.len(), 1, "{what}: {problems:?}");
    assert_eq!(problems[0].1, Problem::MessageOmitted);
    let long = plain_lines(&dir.join("access.log"))
        .into_iter()
        .filter(|l| l.len() > 4096)
        .count();
    assert_eq!(long, 1, "the capture has one access line over 4096 bytes");
    let server_lines = decoded.server().filter(|l| l.problem.is_none()).count();
    let plain =
        plain_lines(&dir.join("error.log")).len() + plain_lines(&dir.join("access.log")).len();
    assert_eq!(server_lines, plain - 1, "{what}");
}

#[test]
fn the_error_lines_keep_a_byte_that_is_not_utf8() {
    // The capture asks for /caf\xE9/menu: nginx's error log keeps the byte, and so must
    // every envelope but Docker's (journald makes MESSAGE an array of bytes).
    let Some(dir) = capture("nginx/journald") else {
        return;
    };
    let errors = plain_lines(&dir.join("error.log"));
    assert!(errors.iter().any(|l| std::str::from_utf8(l).is_err()));
    let json = std::fs::read_to_string(dir.join("journald/json-all.json")).unwrap();
    // an error line ("20…/…") as an array of bytes
    assert!(json.contains("\"MESSAGE\":[50,48,"), "a MESSAGE byte array");
}

#[test]
fn container_envelopes_written_around_real_lines() {
    let Some(root) = capture("envelope") else {
        return;
    };
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(root.join("manifest.json")).unwrap()).unwrap();
    let files = manifest.as_object().unwrap();
    assert!(files.len() >= 9, "manifest lists {} files", files.len());
    let mut long_lines_seen = 0;
    for (rel, entry) in files {
        let what = format!("envelope/{rel}");
        let envelope: Envelope = entry["envelope"].as_str().unwrap().parse().unwrap();
        let decoded = decode_file(&root.join(rel), Config::default());
        assert_eq!(decoded.detected, Some(envelope), "{what}");
        assert_eq!(
            decoded.accounted(),
            decoded.physical,
            "{what}: lines accounted for"
        );
        assert_eq!(decoded.problems(), [], "{what}");
        assert_eq!(
            decoded.lines.len() as u64,
            entry["lines"].as_u64().unwrap(),
            "{what}"
        );
        assert!(
            decoded
                .lines
                .iter()
                .all(|l| l.kind == Kind::Server && !l.too_long && l.time.is_some()),
            "{what}"
        );
        let errors_source = fixtures().join(entry["sources"]["stderr"].as_str().unwrap());
        let access_source = fixtures().join(entry["sources"]["stdout"].as_str().unwrap());
        let (mut want_errors, mut want_access) =
            (plain_lines(&errors_source), plain_lines(&access_source));
        if envelope == Envelope::Docker {
            // Docker writes each byte that is not UTF-8 as U+FFFD (moby's jsonlogbytes.go).
            want_errors = want_errors
                .iter()
                .map(|l| wrap::docker_decoded(l))
                .collect();
            want_access = want_access
                .iter()
                .map(|l| wrap::docker_decoded(l))
                .collect();
        }
        let (errors, access): (Vec<_>, Vec<_>) = if envelope == Envelope::Timestamped {
            decoded
                .lines
                .iter()
                .map(|l| l.bytes.clone())
                .partition(|b| is_error_line(b))
        } else {
            let by_stream = |s| {
                decoded
                    .lines
                    .iter()
                    .filter(move |l| l.stream == Some(s))
                    .map(|l| l.bytes.clone())
                    .collect::<Vec<_>>()
            };
            (by_stream(Stream::Stderr), by_stream(Stream::Stdout))
        };
        assert_same_lines(&format!("{what} stderr"), &errors, &want_errors);
        assert_same_lines(&format!("{what} stdout"), &access, &want_access);
        let joined = decoded.lines.iter().filter(|l| l.lines > 1).count() as u64;
        let long = entry["longer_than_16k"].as_u64().unwrap();
        if envelope == Envelope::Timestamped {
            assert_eq!(joined, 0, "{what}");
        } else {
            assert_eq!(joined, long, "{what}: lines joined from pieces");
            long_lines_seen += long;
        }
    }
    assert!(
        long_lines_seen >= 2,
        "a line over 16 KiB in Docker and CRI pieces"
    );
}

#[test]
fn joined_pieces_stop_at_the_line_limit() {
    let Some(root) = capture("envelope") else {
        return;
    };
    for rel in ["docker/nginx-syslog.log", "cri/nginx-syslog.log"] {
        let config = Config {
            max_line: 8192,
            ..Config::default()
        };
        let decoded = decode_file(&root.join(rel), config);
        assert_eq!(decoded.accounted(), decoded.physical, "{rel}");
        let long: Vec<_> = decoded.lines.iter().filter(|l| l.too_long).collect();
        assert_eq!(long.len(), 1, "{rel}");
        assert_eq!((long[0].bytes.len(), long[0].lines), (8192, 2), "{rel}");
        assert!(long[0].bytes.starts_with(b"127.0.0.1 - - ["), "{rel}");
    }
}
