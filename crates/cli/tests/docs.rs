//! The documentation keeps up with the code: every key the binary writes in the report JSON
//! and in the events stream is described in docs/report.md and docs/events.md, and every
//! relative link in the README, docs/ and the crates' READMEs points at a file that exists.
//! (docs/causes.md is made from the code; its own test is in logscan-analyze.)

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(path: &str) -> String {
    std::fs::read_to_string(repository().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Keys that are missing from `doc` as `` `key` ``.
fn undocumented(keys: &BTreeSet<String>, doc: &str) -> Vec<String> {
    keys.iter()
        .filter(|key| !doc.contains(&format!("`{key}`")))
        .cloned()
        .collect()
}

/// The report's keys as docs/report.md names them: the top level, the keys of the objects
/// `zone`, `totals`, `timeline`, `access`, and of the elements of `inputs`, `findings`,
/// `incidents` and `configs` (`findings[].cause`). Deeper values are described in their row.
fn report_keys(report: &Value, keys: &mut BTreeSet<String>) {
    let Some(top) = report.as_object() else {
        panic!("the report is not an object");
    };
    for (key, value) in top {
        keys.insert(key.clone());
        match (key.as_str(), value) {
            ("zone" | "totals" | "timeline" | "access", Value::Object(inner)) => {
                keys.extend(inner.keys().map(|k| format!("{key}.{k}")));
            }
            ("inputs" | "findings" | "incidents" | "configs", Value::Array(items)) => {
                for item in items.iter().filter_map(Value::as_object) {
                    keys.extend(item.keys().map(|k| format!("{key}[].{k}")));
                }
            }
            _ => {}
        }
    }
}

/// An event's keys as dotted paths to its leaves (`log.file.path`).
fn event_keys(prefix: &str, value: &Value, keys: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                event_keys(&path, inner, keys);
            }
        }
        _ => {
            keys.insert(prefix.to_owned());
        }
    }
}

#[test]
fn every_report_key_is_in_docs_report_md() {
    let fixtures = common::fixtures();
    let mut keys = BTreeSet::new();
    for inputs in [
        &["nginx/mixed/error.log", "nginx/mixed/access_upstream.log"][..],
        &[
            "nginx/no_live_upstreams/error.log",
            "nginx/no_live_upstreams/access_upstream.log",
        ],
        &[
            "nginx/fpm_pool_exhausted/error.log",
            "nginx/fpm_pool_exhausted/php-fpm.log",
        ],
        &[
            "apache/refused/error.log",
            "apache/refused/access_timing.log",
        ],
        // A CDN's log with the origin's: the edge keys filled in.
        &[
            "edge/cloudfront/origin_read_timeout",
            "nginx/read_timeout/error.log",
            "nginx/read_timeout/access_upstream.log",
        ],
    ] {
        let run = common::run(
            ["--output", "json"].into_iter().map(String::from).chain(
                inputs
                    .iter()
                    .map(|i| fixtures.join(i).display().to_string()),
            ),
        );
        assert_eq!(run.code, 0, "{inputs:?}: {}", run.stderr);
        report_keys(&run.json(), &mut keys);
    }
    // With configuration: what was read, the directives in force, a mismatch.
    let socket = fixtures.join("nginx/config_socket_mismatch");
    let run = common::run([
        "--output".into(),
        "json".into(),
        "--config".into(),
        socket.display().to_string(),
        "--config-rebase".into(),
        format!(
            "/tmp/logscan-capture/nginx/config_socket_mismatch={}",
            socket.display()
        ),
        socket.join("error.log").display().to_string(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    report_keys(&run.json(), &mut keys);
    // The fixtures give a full report: access summary, incidents, a no_live trigger, the
    // configuration.
    for key in [
        "access.attributed",
        "incidents[].summary",
        "findings[].trigger",
        "findings[].config",
        "findings[].mismatches",
        "configs[].warnings",
    ] {
        assert!(keys.contains(key), "{key} not seen: {keys:?}");
    }
    let missing = undocumented(&keys, &read("docs/report.md"));
    assert!(
        missing.is_empty(),
        "docs/report.md does not describe {missing:?}"
    );
}

#[test]
fn every_events_key_is_in_docs_events_md() {
    let fixtures = common::fixtures();
    let mut keys = BTreeSet::new();
    for input in [
        "nginx/mixed/error.log",
        "nginx/mixed/access_upstream.log",
        "nginx/fpm_pool_exhausted/php-fpm.log",
        "apache/refused/error.log",
        "apache/refused/access_timing.log",
        "haproxy/edge_read_timeout/haproxy.log",
        "edge/aws-alb/target_connect_timeout",
        "edge/cloudfront/origin_read_timeout",
        "edge/cloudflare/allowlist_522",
        "edge/gcp-lb/backend_refused",
    ] {
        let run = common::run([
            "--events".to_owned(),
            fixtures.join(input).display().to_string(),
        ]);
        assert_eq!(run.code, 0, "{input}: {}", run.stderr);
        for line in run.stdout_str().lines() {
            let event: Value = serde_json::from_str(line).unwrap();
            event_keys("", &event, &mut keys);
        }
    }
    for key in ["logscan.cause", "http.response.status_code", "php_fpm.pool"] {
        assert!(keys.contains(key), "{key} not seen: {keys:?}");
    }
    let missing = undocumented(&keys, &read("docs/events.md"));
    assert!(
        missing.is_empty(),
        "docs/events.md does not describe {missing:?}"
    );
}

#[test]
fn relative_links_in_the_docs_point_at_files() {
    let root = repository();
    let mut pages: Vec<PathBuf> = vec![root.join("README.md"), root.join("CHANGELOG.md")];
    for dir in ["docs", "crates"] {
        for entry in walk(&root.join(dir)) {
            if entry.extension().is_some_and(|e| e == "md")
                && !entry.components().any(|c| c.as_os_str() == "target")
            {
                pages.push(entry);
            }
        }
    }
    let mut broken = Vec::new();
    for page in &pages {
        let text = std::fs::read_to_string(page).unwrap();
        for target in text
            .split("](")
            .skip(1)
            .filter_map(|rest| rest.split(')').next())
        {
            let file = target.split('#').next().unwrap_or_default();
            if file.is_empty() || file.contains("://") || file.starts_with("mailto:") {
                continue;
            }
            let dir = page.parent().unwrap();
            if !dir.join(file).exists() {
                broken.push(format!("{}: {target}", page.display()));
            }
        }
    }
    assert!(pages.len() > 8, "{pages:?}");
    assert!(broken.is_empty(), "links to nothing: {broken:#?}");
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}
