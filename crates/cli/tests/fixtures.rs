//! Every real-server fixture scenario through the CLI contract: the top finding is the
//! induced cause, healthy controls have nothing above `low`, every line is accounted for,
//! and the mixed outage-then-timeouts capture gives its two incidents.

mod common;

use std::path::{Path, PathBuf};

use serde_json::Value;

use common::{fixtures, logscan, wc_lines};

/// The logs of a scenario to give logscan: the error log, the PHP-FPM log, and the access
/// log with timings (the `combined` one duplicates its requests).
fn scenario_inputs(dir: &Path) -> Vec<PathBuf> {
    let mut files = vec![dir.join("error.log")];
    for name in ["php-fpm.log", "access_upstream.log", "access_timing.log"] {
        if dir.join(name).is_file() {
            files.push(dir.join(name));
        }
    }
    files
}

fn scenarios() -> Vec<(PathBuf, Value)> {
    let mut out = Vec::new();
    for server in ["nginx", "apache"] {
        let Ok(entries) = std::fs::read_dir(fixtures().join(server)) else {
            continue;
        };
        for entry in entries.flatten() {
            let label = entry.path().join("labels.json");
            if let Ok(text) = std::fs::read_to_string(&label) {
                out.push((
                    entry.path(),
                    serde_json::from_str(&text).expect("labels.json"),
                ));
            }
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(
        out.len() >= 30,
        "fixture corpus missing: {}",
        fixtures().display()
    );
    out
}

fn report_for(dir: &Path, label: &Value) -> Value {
    report_of(dir, label, &scenario_inputs(dir))
}

fn report_of(dir: &Path, label: &Value, files: &[PathBuf]) -> Value {
    let mut args: Vec<String> = vec!["--output".into(), "json".into()];
    if let Some(format) = label["error_log_format"].as_str() {
        args.push("--error-log-format".into());
        args.push(format.into());
    }
    for f in files {
        args.push(f.to_string_lossy().into_owned());
    }
    let output = logscan().args(&args).output().expect("run logscan");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}: {}",
        dir.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("report JSON")
}

#[test]
fn every_scenario_reports_its_induced_cause_first() {
    let mut problems = Vec::new();
    for (dir, label) in scenarios() {
        let report = report_for(&dir, &label);
        let findings = report["findings"].as_array().cloned().unwrap_or_default();
        let name = dir
            .strip_prefix(fixtures())
            .unwrap_or(&dir)
            .display()
            .to_string();
        match label["cause"].as_str() {
            None => {
                for f in &findings {
                    let severity = f["severity"].as_str().unwrap_or("");
                    if !matches!(severity, "info" | "low") {
                        problems.push(format!(
                            "{name}: healthy control has a {severity} finding {}",
                            f["cause"]
                        ));
                    }
                }
            }
            Some(_) if name.ends_with("mixed") => {
                // Checked by its own test below: two causes, two incidents.
                let causes: Vec<&str> = findings
                    .iter()
                    .filter_map(|f| f["cause"].as_str())
                    .collect();
                if !causes.contains(&"upstream_refused")
                    || !causes.contains(&"upstream_timeout_read")
                {
                    problems.push(format!("{name}: findings {causes:?}"));
                }
            }
            Some(cause) => {
                let top = findings
                    .first()
                    .and_then(|f| f["cause"].as_str())
                    .unwrap_or("none");
                if top != cause {
                    problems.push(format!("{name}: top finding {top}, induced {cause}"));
                }
            }
        }
        // Every line is parsed or counted, and no real server line is unrecognized.
        for input in report["inputs"].as_array().cloned().unwrap_or_default() {
            let path = input["path"].as_str().unwrap_or_default();
            let (lines, parsed, unrecognized) = (
                input["lines"].as_u64().unwrap_or(0),
                input["parsed"].as_u64().unwrap_or(0),
                input["unrecognized"].as_u64().unwrap_or(0),
            );
            if lines != parsed + unrecognized {
                problems.push(format!(
                    "{path}: lines {lines} != parsed {parsed} + unrecognized {unrecognized}"
                ));
            }
            if unrecognized != 0 {
                problems.push(format!(
                    "{path}: {unrecognized} real-server lines unrecognized"
                ));
            }
            if lines != wc_lines(Path::new(path)) {
                problems.push(format!(
                    "{path}: {lines} lines, wc -l says {}",
                    wc_lines(Path::new(path))
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_mixed_capture_gives_an_outage_then_a_timeout_incident_at_the_labelled_times() {
    let dir = fixtures().join("nginx/mixed");
    let label: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("labels.json")).unwrap()).unwrap();
    let report = report_for(&dir, &label);
    let incidents = report["incidents"].as_array().cloned().unwrap_or_default();
    let expected = label["incidents"].as_array().cloned().unwrap_or_default();
    assert_eq!(incidents.len(), 2, "{incidents:#?}");
    assert_eq!(expected.len(), 2);
    let seconds = |t: &str| -> i64 {
        let t = t.get(..19).unwrap_or(t);
        chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S")
            .expect(t)
            .and_utc()
            .timestamp()
    };
    for (got, want) in incidents.iter().zip(&expected) {
        assert_eq!(got["causes"][0], want["cause"], "{got:#?}");
        for key in ["start", "end"] {
            let delta = seconds(got[key].as_str().unwrap()) - seconds(want[key].as_str().unwrap());
            assert!(delta.abs() <= 3, "{key}: {got:#?} vs {want:#?}");
        }
    }
    // The summary tells the story in order, in plain words, with the statuses visitors got.
    let summary = report["summary"].as_str().unwrap();
    assert!(summary.starts_with("Visitors got "), "{summary}");
    let outage = summary.find("502 Bad Gateway").expect(summary);
    let slow = summary.find("504 Gateway Timeout").expect(summary);
    assert!(outage < slow, "{summary}");
    assert!(
        summary.contains("was not running") && summary.contains("proxy_read_timeout (3.0 s)"),
        "{summary}"
    );
    // Every 5xx of the access log is explained by an error-log line.
    assert_eq!(
        report["access"]["attributed_share"], 1.0,
        "{:#}",
        report["access"]
    );
}

#[test]
fn fpm_pool_exhaustion_is_proved_by_the_php_fpm_log() {
    let dir = fixtures().join("nginx/fpm_pool_exhausted");
    let label: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("labels.json")).unwrap()).unwrap();
    let report = report_for(&dir, &label);
    let top = &report["findings"][0];
    assert_eq!(top["cause"], "fpm_pool_exhausted");
    let fix = top["fix"].to_string();
    assert!(fix.contains("pm.max_children"), "{fix}");
    assert!(
        fix.contains("server reached pm.max_children setting"),
        "the php-fpm.log line is cited: {fix}"
    );
    // Without the FPM log the same nginx lines are read timeouts to the FastCGI socket.
    let output = logscan()
        .args(["--output", "json"])
        .arg(dir.join("error.log"))
        .output()
        .unwrap();
    let alone: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(alone["findings"][0]["cause"], "upstream_timeout_read");
    assert!(
        alone["findings"][0]["fix"]["summary"]
            .as_str()
            .unwrap()
            .contains("fastcgi_read_timeout")
    );
}
