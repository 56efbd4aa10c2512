//! Inputs the fuzzers found, replayed in-process through the same function the fuzz target
//! calls, and once through the real binary.
//!
//! `tests/fuzz/pipeline-*` are inputs of the `pipeline` fuzz target
//! (`fuzz/fuzz_targets/pipeline.rs`). The mapping from bytes to settings and the checks
//! live in `fuzz/cases/pipeline.rs`, included here too, so the replay cannot drift from the
//! target. Drop a new crasher in that folder and it is replayed here.

mod common;

#[path = "../../../fuzz/cases/pipeline.rs"]
mod case;

use std::fs;
use std::path::{Path, PathBuf};

use common::*;

/// The `pipeline-*` crashers: (name, bytes).
fn crashers() -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz");
    let mut found: Vec<(String, Vec<u8>)> = fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter_map(|path: PathBuf| {
            let name = path.file_name()?.to_string_lossy().into_owned();
            name.starts_with("pipeline-")
                .then(|| (name, fs::read(&path).unwrap()))
        })
        .collect();
    found.sort();
    assert!(!found.is_empty(), "no crasher in {}", dir.display());
    found
}

#[test]
fn pipeline_crashers_replay_in_process() {
    for (name, bytes) in crashers() {
        let case = case::Case::from_bytes(&bytes).unwrap_or_else(|| panic!("{name}: too short"));
        case.run();
    }
}

#[test]
fn pipeline_crashers_replay_through_the_binary() {
    let tmp = tempfile::tempdir().unwrap();
    for (name, bytes) in crashers() {
        let case = case::Case::from_bytes(&bytes).unwrap();
        let input = tmp.path().join(format!("{name}.log"));
        fs::write(&input, case.log).unwrap();
        let r = run(case.args().iter().map(std::ffi::OsStr::new).chain([
            std::ffi::OsStr::new("--output"),
            "json".as_ref(),
            input.as_os_str(),
        ]));
        assert_eq!(r.code, 0, "{name}: {}", r.stderr);
        case::assert_clean(&format!("{name} json"), r.stdout_str());
        case::assert_clean(&format!("{name} stderr"), &r.stderr);
        let (lines, ..) = input_counts(&r.json(), &format!("{name}.log"));
        assert_eq!(lines, physical_lines(case.log), "{name}");
    }
}

/// The oracle is the Unicode table, not logscan's policy: it refuses what the policy must
/// escape, and lets ordinary text through.
#[test]
fn the_fuzz_oracle_knows_controls_and_format_characters() {
    for c in [
        '\u{1b}',
        '\u{7}',
        '\u{9b}',
        '\u{202e}',
        '\u{200b}',
        '\u{2028}',
        '\u{2029}',
        '\u{feff}',
        '\u{ad}',
        '\u{600}',
        '\u{180e}',
        '\u{206a}',
        '\u{e0041}',
    ] {
        assert!(case::is_control_or_format(c), "{c:?}");
    }
    for c in ['a', ' ', 'é', '€', '→', '█', '\u{1f600}'] {
        assert!(!case::is_control_or_format(c), "{c:?}");
    }
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
