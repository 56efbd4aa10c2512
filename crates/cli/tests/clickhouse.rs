//! The log-store recipe: `logscan --events` loaded as JSONEachRow into a real ClickHouse
//! engine (chdb, ClickHouse embedded in a Python package) with the schema of
//! docs/clickhouse.sql, and its two queries run. What must agree with the report:
//!
//! - every event is a row;
//! - rows per `logscan.cause` of the roles `event` and `cause` are the report's findings'
//!   counts: one row per entry (a PHP stack trace's continuation lines are in their entry's
//!   row), and `--since`/`--until` leave out the same lines in both;
//! - `context` rows (nginx's "upstream server temporarily disabled") are evidence, not
//!   failures; Apache logs one proxy failure in two lines (AH00957 with the errno, the
//!   `cause`; AH01114 with the client, the `effect`): two rows, one failure;
//! - with PHP-FPM's log, the report re-files nginx's timeouts that PHP-FPM explains (its
//!   pool was full) as `fpm_pool_exhausted`: the rows keep nginx's cause;
//! - the 5xx per minute add up to the report's `server_errors`.
//!
//! Needs Python with chdb: `$LOGSCAN_PYTHON` (scripts/test installs chdb in a virtualenv and
//! sets it), else `python3`; the test says SKIPPED when neither has chdb.

// A test that cannot run says SKIPPED on stderr.
#![allow(clippy::disallowed_macros)]

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{fixtures, run};
use serde_json::Value;

fn python() -> Option<PathBuf> {
    let python = std::env::var_os("LOGSCAN_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("python3"));
    let ok = Command::new(&python)
        .args(["-c", "import chdb"])
        .output()
        .is_ok_and(|o| o.status.success());
    ok.then_some(python)
}

/// A run of logscan over some logs: its events loaded into ClickHouse, its report.
struct Case {
    name: String,
    args: Vec<String>,
}

fn case(name: &str, settings: &[&str], files: &[PathBuf]) -> Case {
    let mut args: Vec<String> = ["--tz", "UTC"]
        .iter()
        .chain(settings)
        .map(|s| s.to_string())
        .collect();
    args.extend(files.iter().map(|f| f.display().to_string()));
    Case {
        name: name.to_owned(),
        args,
    }
}

/// The error and access logs of a scenario (not PHP-FPM's).
fn web_logs(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            name.ends_with(".log") && !name.contains("php-fpm")
        })
        .collect();
    files.sort();
    files
}

fn findings_per_cause(report: &Value) -> BTreeMap<String, u64> {
    let mut counts = BTreeMap::new();
    for f in report["findings"].as_array().unwrap() {
        *counts
            .entry(f["cause"].as_str().unwrap().to_owned())
            .or_insert(0) += f["count"].as_u64().unwrap();
    }
    counts
}

fn per_cause(result: &Value, key: &str) -> BTreeMap<String, u64> {
    result[key]
        .as_object()
        .unwrap()
        .iter()
        .map(|(c, n)| (c.clone(), n.as_u64().unwrap()))
        .collect()
}

#[test]
fn events_in_clickhouse_count_what_the_report_counts() {
    let Some(python) = python() else {
        eprintln!(
            "SKIPPED: no Python with chdb (pip install chdb, or run scripts/test, which installs it and sets LOGSCAN_PYTHON)"
        );
        return;
    };
    let mut nginx: Vec<Case> = std::fs::read_dir(fixtures().join("nginx"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("labels.json").is_file())
        .map(|dir| {
            let name = format!("nginx/{}", dir.file_name().unwrap().to_string_lossy());
            case(&name, &[], &web_logs(&dir))
        })
        .collect();
    nginx.sort_by(|a, b| a.name.cmp(&b.name));
    assert!(nginx.len() >= 25, "fixture corpus missing");
    let mixed = fixtures().join("nginx/mixed");
    let limited = case(
        "nginx/mixed --since --until",
        &[
            "--since",
            "2026-11-25 09:58:20",
            "--until",
            "2026-11-25T09:58:50Z",
        ],
        &web_logs(&mixed),
    );
    let apache: Vec<Case> = ["refused", "prefork_refused"]
        .iter()
        .map(|s| {
            let dir = fixtures().join("apache").join(s);
            case(
                &format!("apache/{s}"),
                &[],
                &[dir.join("error.log"), dir.join("access.log")],
            )
        })
        .collect();
    let fpm_dir = fixtures().join("nginx/fpm_pool_exhausted");
    let mut fpm_files = web_logs(&fpm_dir);
    fpm_files.push(fpm_dir.join("php-fpm.log"));
    let fpm = case("nginx/fpm_pool_exhausted with php-fpm.log", &[], &fpm_files);

    let tmp = tempfile::tempdir().unwrap();
    let all: Vec<&Case> = nginx
        .iter()
        .chain([&limited])
        .chain(&apache)
        .chain([&fpm])
        .collect();
    let mut reports = BTreeMap::new();
    let mut lines = BTreeMap::new();
    let mut load = Vec::new();
    for (i, c) in all.iter().enumerate() {
        let events = run(["--events"]
            .iter()
            .map(|s| s.to_string())
            .chain(c.args.clone()));
        assert_eq!(events.code, 0, "{}: {}", c.name, events.stderr);
        let path = tmp.path().join(format!("{i}.ndjson"));
        std::fs::write(&path, &events.stdout).unwrap();
        lines.insert(
            c.name.clone(),
            events.stdout.iter().filter(|&&b| b == b'\n').count() as u64,
        );
        load.push(format!("{}={}", c.name, path.display()));
        let report = run(["--output", "json"]
            .iter()
            .map(|s| s.to_string())
            .chain(c.args.clone()));
        reports.insert(c.name.clone(), report.json());
    }
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/clickhouse.sql");
    let out = Command::new(&python)
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clickhouse/load.py"))
        .arg(&schema)
        .arg("2026-11-25 10:30:00")
        .args(&load)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "load.py: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let results: Value = serde_json::from_slice(&out.stdout).unwrap();

    for c in &all {
        let result = &results[&c.name];
        let report = &reports[&c.name];
        // Every event is a row.
        assert_eq!(result["rows"].as_u64(), Some(lines[&c.name]), "{}", c.name);
        // The 5xx per minute per upstream add up to the report's 5xx.
        let per_minute: u64 = result["per_minute"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r[2].as_u64().unwrap())
            .sum();
        assert_eq!(
            per_minute,
            report["totals"]["server_errors"].as_u64().unwrap(),
            "{}",
            c.name
        );
    }
    for c in nginx.iter().chain([&limited]).chain(&apache) {
        assert_eq!(
            per_cause(&results[&c.name], "failures_per_cause"),
            findings_per_cause(&reports[&c.name]),
            "{}: failure rows per logscan.cause and the report's findings",
            c.name
        );
    }
    // The limits cut inside the outage: fewer rows than the whole log, as in the report.
    let whole = per_cause(&results["nginx/mixed"], "rows_per_cause");
    let cut = per_cause(&results[&limited.name], "rows_per_cause");
    assert!(
        cut.values().sum::<u64>() < whole.values().sum::<u64>() && !cut.is_empty(),
        "{cut:?}"
    );
    // Context lines: rows with the cause that are no failure.
    let live = per_cause(&results["nginx/no_live_upstreams"], "rows_per_cause");
    let failures = per_cause(&results["nginx/no_live_upstreams"], "failures_per_cause");
    assert!(
        live["no_live_upstreams"] > failures["no_live_upstreams"],
        "{live:?} {failures:?}"
    );
    // The top causes of the last hour (all of the fixture's, an hour before NOW).
    let top: Vec<(String, u64)> = results["nginx/mixed"]["top_causes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r[0].as_str().unwrap().to_owned(), r[1].as_u64().unwrap()))
        .collect();
    assert_eq!(
        top,
        [
            ("upstream_timeout_read".to_owned(), 147),
            ("upstream_refused".to_owned(), 98)
        ]
    );
    // Apache: two rows per proxy failure.
    for c in &apache {
        let doubled: BTreeMap<String, u64> = findings_per_cause(&reports[&c.name])
            .into_iter()
            .map(|(cause, n)| (cause, 2 * n))
            .collect();
        assert_eq!(
            per_cause(&results[&c.name], "rows_per_cause"),
            doubled,
            "{}",
            c.name
        );
    }
    // PHP-FPM: nginx's timeouts are the pool's.
    let rows = per_cause(&results[&fpm.name], "failures_per_cause");
    let findings = findings_per_cause(&reports[&fpm.name]);
    assert_eq!(
        rows.get("upstream_timeout_read"),
        findings.get("fpm_pool_exhausted"),
        "{rows:?} {findings:?}"
    );
}
