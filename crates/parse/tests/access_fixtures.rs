//! Every access log under `fixtures/<server>/<scenario>/` (written by real nginx and Apache
//! httpd) must parse line by line with the format its `labels.json` names, and format
//! detection must pick the labelled format family for it.
//!
//! The fixtures live at the repository root; `LOGSCAN_FIXTURES` points elsewhere. Without
//! them the test says so and passes (the crate is also built outside the repository).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fs;
use std::path::{Path, PathBuf};

use logscan_parse::detect::detect;
use logscan_parse::{Format, Parser, Record};

fn fixtures_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("LOGSCAN_FIXTURES") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures"),
    };
    dir.is_dir().then_some(dir)
}

/// (scenario dir, log file name, format string, labelled format id)
fn access_logs(root: &Path) -> Vec<(PathBuf, String, String, String)> {
    let mut logs = Vec::new();
    let mut servers: Vec<_> = fs::read_dir(root).unwrap().flatten().collect();
    servers.sort_by_key(|e| e.path());
    for server in servers {
        let Ok(scenarios) = fs::read_dir(server.path()) else {
            continue;
        };
        let mut scenarios: Vec<_> = scenarios.flatten().collect();
        scenarios.sort_by_key(|e| e.path());
        for scenario in scenarios {
            let dir = scenario.path();
            let Ok(text) = fs::read_to_string(dir.join("labels.json")) else {
                continue;
            };
            let labels: serde_json::Value =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
            let Some(formats) = labels["log_formats"].as_object() else {
                continue;
            };
            for (file, format) in formats {
                let id = labels["logs"][file].as_str().unwrap_or_default().to_owned();
                logs.push((
                    dir.clone(),
                    file.clone(),
                    format.as_str().unwrap().to_owned(),
                    id,
                ));
            }
        }
    }
    logs
}

#[test]
fn every_fixture_access_line_parses_with_its_format() {
    let Some(root) = fixtures_dir() else {
        eprintln!("no fixtures directory: skipped");
        return;
    };
    let mut lines = 0;
    let mut failures = Vec::new();
    for (dir, file, format, id) in access_logs(&root) {
        let parser =
            Parser::access(&format).unwrap_or_else(|e| panic!("{}: {format}: {e}", dir.display()));
        if !id.is_empty() {
            assert_eq!(parser.format().id(), id, "{}/{file}", dir.display());
        }
        let Ok(data) = fs::read(dir.join(&file)) else {
            continue;
        };
        for (n, line) in data.split(|&b| b == b'\n').enumerate() {
            if line.is_empty() {
                continue;
            }
            lines += 1;
            match parser.parse(line) {
                Ok(Record::Access(r)) if r.status.is_some() && r.time.is_some() => {}
                other => failures.push(format!(
                    "{}/{file}:{}: {other:?}\n  {}",
                    dir.display(),
                    n + 1,
                    String::from_utf8_lossy(line)
                )),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {lines} lines failed:\n{}",
        failures.len(),
        failures
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    eprintln!("{lines} fixture access lines parsed");
}

#[test]
fn detection_picks_the_labelled_family_for_fixture_access_logs() {
    let Some(root) = fixtures_dir() else {
        eprintln!("no fixtures directory: skipped");
        return;
    };
    for (dir, file, _, id) in access_logs(&root) {
        let Some(expected) = Format::from_id(&id) else {
            continue;
        };
        let Ok(data) = fs::read(dir.join(&file)) else {
            continue;
        };
        let sample: Vec<&[u8]> = data.split(|&b| b == b'\n').take(200).collect();
        // As the CLI sees them: with the real path (fixtures/<server>/...), from the
        // fixtures directory on: a path hint from where the checkout lies (a directory
        // named `apache-...` or `nginx-...`) would otherwise decide between formats that
        // read the same lines.
        let path = dir.join(&file);
        let relative = Path::new("fixtures").join(path.strip_prefix(&root).unwrap_or(&path));
        let found = detect(&sample, relative.to_str(), &[])
            .unwrap_or_else(|| panic!("{}: nothing detected", path.display()));
        assert_eq!(found.parser.format(), expected, "{}", path.display());
        assert_eq!(found.matched, found.sampled, "{}", path.display());
    }
}
