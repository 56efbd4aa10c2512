//! The report does not depend on `--threads`: inputs are split into the same chunks and
//! the per-chunk analyzers are merged in the same order whatever the thread count.

use std::path::Path;
use std::process::Command;

use logscan_benches::{Generator, LogKind, Options};

fn report(paths: &[&Path], threads: usize) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_logscan"))
        .arg("--threads")
        .arg(threads.to_string())
        .args(["--output", "json", "--color", "never"])
        .args(paths)
        .output()
        .expect("run logscan");
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "logscan --threads {threads} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("UTF-8 JSON");
    let json: serde_json::Value = serde_json::from_str(&text).expect("JSON report");
    assert!(json["totals"]["lines"].as_u64().unwrap_or(0) > 0, "{text}");
    text
}

fn same_for_all_thread_counts(paths: &[&Path]) -> serde_json::Value {
    let one = report(paths, 1);
    for threads in [2, 8] {
        let other = report(paths, threads);
        assert!(
            one == other,
            "--threads 1 and --threads {threads} differ for {paths:?}"
        );
    }
    serde_json::from_str(&one).expect("JSON report")
}

#[test]
fn fixtures_report_is_the_same_for_1_2_and_8_threads() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
    same_for_all_thread_counts(&[&root.join("nginx/mixed")]);
    same_for_all_thread_counts(&[&root.join("apache/refused"), &root.join("nginx/php_fatal")]);
}

#[test]
fn multi_chunk_report_is_the_same_for_1_2_and_8_threads() {
    let dir = tempfile::tempdir().expect("temp dir");
    // Plain files of 32 MiB and more are read in 16 MiB chunks: these make three chunks
    // each, with multi-line FastCGI entries and high-cardinality URLs and clients.
    let mut paths = Vec::new();
    for (kind, name) in [
        (LogKind::NginxError, "error.log"),
        (LogKind::NginxUpstream, "access.log"),
    ] {
        let path = dir.path().join(name);
        let file = std::fs::File::create(&path).expect("create log");
        Generator::new(Options {
            kind,
            size: 40 << 20,
            seed: 11,
            cardinality: 100_000,
            ..Options::default()
        })
        .write_to(std::io::BufWriter::new(file))
        .expect("write log");
        paths.push(path);
    }
    let paths: Vec<&Path> = paths.iter().map(|p| p.as_path()).collect();
    let json = same_for_all_thread_counts(&paths);
    let inputs = json["inputs"].as_array().expect("inputs");
    assert_eq!(inputs.len(), 2);
    for input in inputs {
        assert_eq!(input["unrecognized"], 0, "{input}");
    }
    assert!(json["findings"].as_array().is_some_and(|f| !f.is_empty()));
}
