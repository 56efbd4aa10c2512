//! Inputs the fuzzers found, replayed through the real binary in every output form.
//!
//! `tests/fuzz/pipeline-*` are inputs of the `pipeline` fuzz target
//! (`fuzz/fuzz_targets/pipeline.rs`): the first byte picks the format, the
//! second the zone, the rest is the log. Drop a new crasher in that folder and it is
//! replayed here.

mod common;

use std::fs;
use std::path::Path;

use common::*;

/// The CLI arguments that match the fuzz target's format and zone bytes.
fn arguments(choice: u8, zone: u8) -> Vec<&'static str> {
    let mut args = match choice % 10 {
        0..=3 => vec!["--format", "auto"],
        4 => vec!["--format", "nginx-error"],
        5 => vec!["--format", "apache-error"],
        6 => vec!["--format", "php-fpm"],
        7 | 9 => vec!["--format", "nginx-access"],
        _ => vec!["--format", "apache-access"],
    };
    match zone % 4 {
        0 => {}
        1 => args.extend(["--tz", "UTC"]),
        2 => args.extend(["--tz", "Europe/Berlin"]),
        _ => args.push("--tz=-03:30"),
    }
    args
}

#[test]
fn pipeline_crashers_replay_cleanly() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz");
    let tmp = tempfile::tempdir().unwrap();
    let mut replayed = 0;
    for entry in fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.starts_with("pipeline-") {
            continue;
        }
        let bytes = fs::read(&path).unwrap();
        let [choice, zone, log @ ..] = &bytes[..] else {
            continue;
        };
        let input = tmp.path().join(format!("{name}.log"));
        fs::write(&input, log).unwrap();
        let args = arguments(*choice, *zone);
        for form in [
            &["--output", "json"][..],
            &["--output", "table", "--color", "always"][..],
            &["--output", "markdown"][..],
            &["--output", "html"][..],
            &["--events"][..],
        ] {
            let r = run(args
                .iter()
                .chain(form)
                .map(std::ffi::OsStr::new)
                .chain([input.as_os_str()]));
            assert_eq!(r.code, 0, "{name} {form:?}: {}", r.stderr);
            assert_no_raw_controls(&format!("{name} {form:?}"), &strip_sgr(r.stdout_str()));
            if form == ["--output", "json"] {
                let report = r.json();
                let (lines, ..) = input_counts(&report, &format!("{name}.log"));
                assert_eq!(lines, physical_lines(log), "{name}");
            }
        }
        replayed += 1;
    }
    assert!(replayed > 0, "no crasher in {}", dir.display());
}

/// The first pipeline crash, as a readable log: PHP-FPM failures in 2026 and one line
/// dated 2620. The incident baseline was a vector with one slot per second of the
/// 594-year span (150 GB); the process was killed for running out of memory.
#[test]
fn one_line_with_a_wrong_year_does_not_exhaust_memory() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("php-fpm.log");
    let mut log = String::new();
    for s in 0..20 {
        log.push_str(&format!(
            "[25-Nov-2026 10:06:{s:02}] WARNING: [pool www] server reached pm.max_children setting (5), consider raising it\n"
        ));
    }
    log.push_str("[25-Nov-2620 10:06:43] NOTICE: fpm is running, pid 3203\n");
    fs::write(&path, &log).unwrap();
    for extra in [&[][..], &["--tz", "Europe/Berlin"][..]] {
        let args = [&["--output", "json"][..], extra].concat();
        let r = run(args
            .iter()
            .map(std::ffi::OsStr::new)
            .chain([path.as_os_str()]));
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert_eq!(input_counts(&r.json(), "php-fpm.log"), (21, 21, 0));
    }
}

/// An epoch field beyond the calendar (`%{sec}t` of i64::MAX) overflowed the analyzer's
/// bucket arithmetic (a panic in debug builds, a date shown as 1970 in release). Such a
/// line is now unrecognized; epochs up to 9999-12-31 still parse.
#[test]
fn epoch_times_beyond_the_calendar() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("access.log");
    let mut log = String::new();
    for epoch in [
        "9223372036854775807",
        "-9223372036854775808",
        "253402300800",
        "253402300799",
        "99999999999",
        "1764000000",
        "1764000001",
        "0",
    ] {
        log.push_str(&format!("127.0.0.1 [{epoch}] \"GET / HTTP/1.1\" 502 10\n"));
    }
    fs::write(&path, &log).unwrap();
    for form in [
        &["--output", "json"][..],
        &["--output", "table"][..],
        &["--output", "html"][..],
        &["--output", "markdown"][..],
        &["--events"][..],
    ] {
        let args = [&["--log-format", "%h [%{sec}t] \"%r\" %>s %b"][..], form].concat();
        let r = run(args
            .iter()
            .map(std::ffi::OsStr::new)
            .chain([path.as_os_str()]));
        assert_eq!(r.code, 0, "{form:?}: {}", r.stderr);
        if form == ["--output", "json"] {
            let report = r.json();
            assert_eq!(input_counts(&report, "access.log"), (8, 5, 3));
            assert_eq!(report["span"]["end"], "9999-12-31T23:59:59+00:00");
        }
        if form == ["--events"] {
            for line in r.stdout_str().lines() {
                let v: serde_json::Value = serde_json::from_str(line).unwrap();
                let ts = v["@timestamp"].as_str().unwrap();
                chrono::DateTime::parse_from_rfc3339(ts).unwrap_or_else(|e| panic!("{ts}: {e}"));
            }
        }
    }
}
