//! Every message logscan writes to stderr goes through one path (src/messages.rs): each line
//! starts with `logscan: ` and holds no control byte, whatever the file names and log lines
//! say. Only clap's own usage errors (exit 2, starting `error: `) are written otherwise.
//! Clippy enforces the path in the source (crates/cli/clippy.toml disallows `eprintln!`
//! and `std::io::stderr` outside messages.rs); this checks the binary's behaviour.

mod common;

use std::fs;
use std::io::Write;

use common::*;

/// Checks every stderr line of a run; returns the stderr.
fn check_lines(what: &str, out: std::process::Output) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        !out.stderr
            .iter()
            .any(|&b| (b < 0x20 && b != b'\n') || b == 0x7f),
        "{what}: a raw control byte on stderr: {stderr:?}"
    );
    assert_no_raw_controls(what, &stderr);
    let clap_usage = stderr.starts_with("error: ");
    if !clap_usage {
        for line in stderr.lines() {
            assert!(
                line.starts_with("logscan: "),
                "{what}: a stderr line that did not go through messages.rs: {line:?}\n{stderr}"
            );
        }
    }
    stderr
}

#[test]
fn every_stderr_line_is_a_prefixed_escaped_message() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let hostile = d.join("x\x1b]0;t\x07\n\u{202e}.log");
    fs::write(&hostile, "not a log line\n\x1b[2Jstill not\n").unwrap();
    let combined =
        "10.0.0.1 - - [25/Nov/2026:01:27:19 +0000] \"GET / HTTP/1.1\" 502 1 \"-\" \"c\"\n";
    fs::write(d.join("access\x1b[31m.log"), combined.repeat(20)).unwrap();
    fs::write(d.join("access.log"), combined.repeat(20)).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(combined.repeat(200).as_bytes()).unwrap();
    let gz = gz.finish().unwrap();
    let cut = d.join("cut\x1b[2J.log.gz");
    fs::write(&cut, &gz[..gz.len() / 2]).unwrap();
    let conf = d.join("nginx\x1b[2J.conf");
    fs::write(
        &conf,
        "http { log_format bad 'no variables here'; log_format good '$remote_addr [$time_local] \"$request\" $status'; }\n",
    )
    .unwrap();
    let empty = tempfile::tempdir().unwrap();
    let missing = d.join("gone\x1b]8;;http://x/\x07.log");

    let runs: Vec<(&str, Vec<std::ffi::OsString>)> = vec![
        ("a directory of hostile names", vec![d.into()]),
        (
            "a missing file",
            vec![missing.clone().into(), hostile.clone().into()],
        ),
        ("a truncated archive", vec![cut.clone().into()]),
        ("events", vec!["--events".into(), d.into()]),
        (
            "a directory, as a table",
            vec!["--output".into(), "table".into(), d.into()],
        ),
        (
            "--nginx-conf with a bad log_format",
            vec!["--nginx-conf".into(), conf.into(), hostile.clone().into()],
        ),
        (
            "--nginx-conf missing",
            vec![
                "--nginx-conf".into(),
                missing.clone().into(),
                hostile.clone().into(),
            ],
        ),
        (
            "-o an input",
            vec!["-o".into(), hostile.clone().into(), hostile.clone().into()],
        ),
        ("nothing to read", vec![empty.path().into()]),
        (
            "a bad --tz",
            vec![
                "--tz".into(),
                "Mars/\x1b[2J\u{9b}1m\u{202e}".into(),
                hostile.clone().into(),
            ],
        ),
        (
            "an unknown option",
            vec!["--bogus\x07\u{9b}".into(), hostile.clone().into()],
        ),
    ];
    let mut seen = String::new();
    for (what, args) in runs {
        let out = logscan().args(&args).output().unwrap();
        seen.push_str(&check_lines(what, out));
    }
    // The runs did say things: each kind of message was checked.
    for expected in [
        "same requests as",
        "not recognized as",
        "gone\\x1b]8;;http://x/\\x07.log",
        "cut\\x1b[2J.log.gz",
        "log_format bad",
        "that is an input",
        "no log files to read",
        "error: invalid value",
        "\\x9b1m\\u{202e}' for '--tz",
        "--bogus\\x9b",
        "error: unexpected argument",
    ] {
        assert!(seen.contains(expected), "no {expected:?} in:\n{seen}");
    }
}
