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

/// `logscan --output json NAME...` run in `dir`, with its exit code and stderr.
fn run_in(dir: &Path, names: &[&str], threads: usize, stdin: Option<Vec<u8>>) -> (String, String) {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_logscan"))
        .current_dir(dir)
        .arg("--threads")
        .arg(threads.to_string())
        .args(["--output", "json", "--color", "never"])
        .args(names)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run logscan");
    if let Some(bytes) = stdin {
        let mut pipe = child.stdin.take().expect("stdin");
        // logscan may stop reading at a corrupt archive's end.
        let _ = pipe.write_all(&bytes);
    }
    let out = child.wait_with_output().expect("logscan output");
    assert!(
        out.status.code().is_some_and(|c| c <= 2),
        "logscan failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        String::from_utf8(out.stdout).expect("UTF-8 JSON"),
        String::from_utf8(out.stderr).expect("UTF-8 stderr"),
    )
}

#[test]
fn archives_are_read_in_the_plain_files_chunks() {
    // A 40 MiB error log, plain, zstd and gzip, each named `error.log` in a directory of
    // its own (the compression is told by magic bytes): the archives' streams are split
    // where the plain file is, so the three reports are the same, for any thread count.
    let root = tempfile::tempdir().expect("temp dir");
    let mut plain = Vec::new();
    Generator::new(Options {
        kind: LogKind::NginxError,
        size: 40 << 20,
        seed: 12,
        cardinality: 100_000,
        ..Options::default()
    })
    .write_to(&mut plain)
    .expect("write log");
    let zst = zstd::encode_all(&plain[..], 1).expect("zstd");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, &plain).expect("gzip");
    let gz = gz.finish().expect("gzip");
    let mut reports = Vec::new();
    for (name, bytes) in [("plain", &plain), ("zst", &zst), ("gz", &gz)] {
        let dir = root.path().join(name);
        std::fs::create_dir(&dir).expect("dir");
        std::fs::write(dir.join("error.log"), bytes).expect("write");
        for threads in [1, 2, 8] {
            reports.push((name, threads, run_in(&dir, &["error.log"], threads, None).0));
        }
    }
    let json: serde_json::Value = serde_json::from_str(&reports[0].2).expect("JSON report");
    assert_eq!(
        json["inputs"][0]["unrecognized"], 0,
        "{}",
        json["inputs"][0]
    );
    assert!(
        json["totals"]["lines"]
            .as_u64()
            .is_some_and(|l| l > 100_000)
    );
    for (name, threads, report) in &reports[1..] {
        assert!(
            *report == reports[0].2,
            "{name} with --threads {threads} differs from the plain file's report"
        );
    }

    // Cut short (in the third chunk), the archive's problem names the line
    // where it stops, as reading the same bytes whole from stdin does.
    let cut = &zst[..zst.len() * 15 / 16];
    let dir = root.path().join("cut");
    std::fs::create_dir(&dir).expect("dir");
    std::fs::write(dir.join("error.log"), cut).expect("write");
    // Problems read `PATH:LINE: reason`.
    let line_of = |stderr: &str| -> String {
        stderr
            .lines()
            .flat_map(|l| l.split(':'))
            .find(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
            .unwrap_or_else(|| panic!("no line in the warnings: {stderr}"))
            .to_owned()
    };
    let (whole_report, whole) = run_in(&dir, &["-"], 2, Some(cut.to_vec()));
    let whole_line = line_of(&whole);
    for threads in [1, 2] {
        let (report, chunked) = run_in(&dir, &["error.log"], threads, None);
        assert_eq!(line_of(&chunked), whole_line, "{chunked}\n{whole}");
        let lines = |r: &str| {
            serde_json::from_str::<serde_json::Value>(r).expect("JSON")["inputs"][0]["lines"]
                .as_u64()
        };
        assert_eq!(lines(&report), lines(&whole_report));
    }
}

#[test]
fn a_rotated_series_decoded_two_archives_at_once_reads_as_its_plain_files() {
    // Three rotated gzip archives of an access log (36, 16 and 34 MiB decompressed: two
    // chunks, one, two), each at least 1 MiB compressed so that its stream is split. With
    // two or more threads the next archive's decoder starts while the one before is still
    // being parsed, and its chunks are parsed meanwhile; they still merge after all of the
    // previous archive's, so the report is the plain files' (read in the same chunks,
    // never decoded) for any thread count.
    let root = tempfile::tempdir().expect("temp dir");
    let (plain_dir, gz_dir) = (root.path().join("plain"), root.path().join("gz"));
    std::fs::create_dir(&plain_dir).expect("dir");
    std::fs::create_dir(&gz_dir).expect("dir");
    let mut names = Vec::new();
    for (n, mib) in [(3, 36), (2, 16), (1, 34)] {
        let mut plain = Vec::new();
        Generator::new(Options {
            kind: LogKind::NginxUpstream,
            size: mib << 20,
            seed: 20 + n,
            cardinality: 100_000,
            ..Options::default()
        })
        .write_to(&mut plain)
        .expect("write log");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, &plain).expect("gzip");
        let gz = gz.finish().expect("gzip");
        assert!(gz.len() >= 1 << 20, "{} bytes: read whole", gz.len());
        // The same name in both directories (compression is told by magic bytes), so
        // the reports can be compared byte for byte.
        let name = format!("access.log.{n}.gz");
        std::fs::write(plain_dir.join(&name), &plain).expect("write");
        std::fs::write(gz_dir.join(&name), &gz).expect("write");
        names.push(name);
    }
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let (expected, _) = run_in(&plain_dir, &names, 2, None);
    let json: serde_json::Value = serde_json::from_str(&expected).expect("JSON report");
    let inputs = json["inputs"].as_array().expect("inputs");
    assert_eq!(inputs.len(), 3);
    for input in inputs {
        assert_eq!(input["unrecognized"], 0, "{input}");
    }
    assert!(json["findings"].as_array().is_some_and(|f| !f.is_empty()));
    for threads in [1, 2, 8] {
        let (report, warnings) = run_in(&gz_dir, &names, threads, None);
        assert!(
            report == expected,
            "the .gz series with --threads {threads} differs from its plain files' report: {warnings}"
        );
    }
}
