//! Every error-log entry of the real-server fixture corpus (`fixtures/<server>/<scenario>/`,
//! written by nginx, Apache httpd and PHP-FPM) parses, and each scenario's labelled cause
//! is among the causes found in its error logs. The corpus is found at `$LOGSCAN_FIXTURES`
//! or in the repository this crate is part of; without it (e.g. in a packaged copy of the
//! crate) the test says so and passes.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::{Cause, Parser, Record};

/// `(scenario, labelled cause)` pairs that no single line carries (none at the moment:
/// `apache/fcgi_read_timeout`, PHP slower than `ProxyTimeout`, is labelled
/// `upstream_timeout_read`: AH01075 with status 70007 is a read timeout).
const LABEL_NEEDS_CORRELATION: &[(&str, &str)] = &[];

fn corpus() -> Option<PathBuf> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    // A packaged copy (crates.io, `cargo package`) has no repository around it: cargo
    // writes `Cargo.toml.orig` only into packages, so never look outside one.
    let packaged = manifest.join("Cargo.toml.orig").exists();
    let dir = match std::env::var_os("LOGSCAN_FIXTURES") {
        Some(dir) => PathBuf::from(dir),
        None if packaged => return None,
        None => manifest.join("../../fixtures"),
    };
    dir.is_dir().then_some(dir)
}

/// Frames entries like the input layer does and parses them; returns the causes found
/// and the entries that did not parse.
fn read_log(parser: &Parser, path: &Path) -> (BTreeSet<Cause>, Vec<String>, usize) {
    let bytes = std::fs::read(path).unwrap_or_default();
    let mut causes = BTreeSet::new();
    let mut bad = Vec::new();
    let mut entries = 0;
    let mut entry: Vec<u8> = Vec::new();
    let mut flush = |entry: &mut Vec<u8>| {
        if entry.is_empty() {
            return;
        }
        entries += 1;
        match parser.parse(entry) {
            Ok(Record::Error(rec)) => {
                if let Some(f) = rec.failure {
                    causes.insert(f.cause);
                }
            }
            Ok(_) => bad.push(format!(
                "not an error record: {}",
                String::from_utf8_lossy(entry)
            )),
            Err(e) => bad.push(format!("{e}: {}", String::from_utf8_lossy(entry))),
        }
        entry.clear();
    };
    for line in bytes.split(|&b| b == b'\n') {
        if line.is_empty() {
            continue;
        }
        if !entry.is_empty() && !parser.starts_entry(line) {
            entry.push(b'\n');
            entry.extend_from_slice(line);
            continue;
        }
        flush(&mut entry);
        entry.extend_from_slice(line);
    }
    flush(&mut entry);
    (causes, bad, entries)
}

/// The file `name` of every nginx and Apache scenario that has one, in order.
fn scenario_files(root: &Path, name: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = ["nginx", "apache"]
        .iter()
        .filter_map(|server| std::fs::read_dir(root.join(server)).ok())
        .flatten()
        .filter_map(Result::ok)
        .map(|e| e.path().join(name))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

#[test]
fn every_fixture_entry_parses_and_the_labelled_cause_is_found() {
    let Some(root) = corpus() else {
        eprintln!("fixture corpus not found: skipped (set LOGSCAN_FIXTURES)");
        return;
    };
    let mut scenarios = 0;
    let mut problems = Vec::new();
    let mut covered: BTreeSet<Cause> = BTreeSet::new();
    let labels = scenario_files(&root, "labels.json");
    for label_path in labels {
        let dir = label_path.parent().unwrap_or(Path::new("."));
        let text = std::fs::read_to_string(&label_path).unwrap_or_default();
        let Ok(label) = serde_json::from_str::<serde_json::Value>(&text) else {
            problems.push(format!("{}: unreadable labels.json", dir.display()));
            continue;
        };
        scenarios += 1;
        let mut causes = BTreeSet::new();
        let logs = label["logs"].as_object().cloned().unwrap_or_default();
        for (file, kind) in logs {
            let parser = match (kind.as_str(), label["error_log_format"].as_str()) {
                (Some("nginx-error"), _) => Parser::nginx_error(),
                (Some("apache-error"), Some(custom)) => match Parser::apache_error_format(custom) {
                    Ok(p) => p,
                    Err(e) => {
                        problems.push(format!("{}: {e}", dir.display()));
                        continue;
                    }
                },
                (Some("apache-error"), None) => Parser::apache_error(),
                (Some("php-fpm"), _) => Parser::php_fpm(),
                _ => continue,
            };
            let (found, bad, entries) = read_log(&parser, &dir.join(&file));
            for b in bad.iter().take(3) {
                problems.push(format!("{}/{file}: {b}", dir.display()));
            }
            eprintln!(
                "{}/{file}: {entries} entries, causes {found:?}",
                dir.display()
            );
            causes.extend(found);
        }
        covered.extend(causes.iter().copied());
        let scenario = dir
            .strip_prefix(&root)
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default();
        match label["cause"].as_str() {
            // Scenario labels that only cross-log correlation can reach, not one line.
            Some(id) if LABEL_NEEDS_CORRELATION.contains(&(scenario.as_str(), id)) => {}
            Some(id) => match Cause::from_id(id) {
                Some(cause) if causes.contains(&cause) => {}
                _ => problems.push(format!(
                    "{}: labelled cause {id} not found (found {causes:?})",
                    dir.display()
                )),
            },
            None if !causes.is_empty() => problems.push(format!(
                "{}: healthy scenario with failures {causes:?}",
                dir.display()
            )),
            None => {}
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // Every cause id is assigned to at least one line a real server wrote.
    let missing: Vec<&str> = Cause::ALL
        .iter()
        .filter(|c| !c.edge_only() && !covered.contains(c))
        .map(|c| c.id())
        .collect();
    assert!(
        missing.is_empty(),
        "causes without a real-server line: {missing:?}"
    );
    eprintln!("{scenarios} fixture scenarios checked");
}

/// `scan_fpm`'s shortcuts (the shapes php-fpm writes) give the whole scan's answer on
/// every message of the corpus's PHP-FPM logs.
#[test]
fn fpm_shapes_scan_every_fixture_message_as_the_whole_scan() {
    let Some(root) = corpus() else {
        eprintln!("fixture corpus not found: skipped (set LOGSCAN_FIXTURES)");
        return;
    };
    let logs = scenario_files(&root, "php-fpm.log");
    let mut messages = 0;
    for log in &logs {
        let bytes = std::fs::read(log).unwrap_or_default();
        for line in bytes.split(|&b| b == b'\n') {
            let Ok(rec) = crate::fpm::parse(line) else {
                continue;
            };
            messages += 1;
            assert_eq!(
                super::tests::scan_fpm_alone(rec.message),
                super::scan_text(rec.message),
                "{}: {}",
                log.display(),
                String::from_utf8_lossy(line)
            );
        }
    }
    assert!(messages > 0, "no PHP-FPM message in {}", root.display());
    eprintln!("{messages} PHP-FPM messages in {} logs", logs.len());
}
