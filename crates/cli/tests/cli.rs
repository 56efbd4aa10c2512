//! The CLI contract: every option, every output form, inputs of every kind, exit codes.

mod common;

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use predicates::prelude::*;
use serde_json::Value;

use common::{fixtures, logscan};

fn scenario(name: &str) -> PathBuf {
    fixtures().join(name)
}

fn json_of(args: &[&str], paths: &[PathBuf]) -> Value {
    let output = logscan()
        .args(["--output", "json"])
        .args(args)
        .args(paths)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

fn refused() -> Vec<PathBuf> {
    let dir = scenario("nginx/refused");
    vec![dir.join("error.log"), dir.join("access_upstream.log")]
}

#[test]
fn help_explains_every_option_with_examples_and_version_works() {
    let help = logscan().arg("--help").output().unwrap();
    assert!(help.status.success());
    let text = String::from_utf8(help.stdout).unwrap();
    for option in [
        "--output",
        "--out",
        "--events",
        "--format",
        "--log-format",
        "--nginx-conf",
        "--config",
        "--no-config",
        "--config-rebase",
        "--error-log-format",
        "--since",
        "--until",
        "--window",
        "--tz",
        "--top",
        "--fail-on",
        "--color",
        "--progress",
        "--threads",
    ] {
        assert!(text.contains(option), "--help lacks {option}");
    }
    assert!(text.contains("Examples:") && text.contains("Exit codes:"));
    logscan()
        .arg("--version")
        .assert()
        .success()
        .stdout(predicate::str::starts_with("logscan "));
}

#[test]
fn completions_and_man_page_are_generated() {
    logscan()
        .args(["--completions", "bash"])
        .assert()
        .success()
        .stdout(predicate::str::contains("_logscan"));
    logscan()
        .args(["--completions", "zsh"])
        .assert()
        .success()
        .stdout(predicate::str::contains("#compdef logscan"));
    logscan()
        .arg("--man")
        .assert()
        .success()
        .stdout(predicate::str::contains(".TH logscan"));
}

#[test]
fn default_output_off_a_terminal_is_json_and_every_form_renders() {
    let output = logscan().args(refused()).output().unwrap();
    let report: Value =
        serde_json::from_slice(&output.stdout).expect("JSON when stdout is not a terminal");
    assert_eq!(report["findings"][0]["cause"], "upstream_refused");
    for key in [
        "summary",
        "inputs",
        "totals",
        "findings",
        "incidents",
        "zone",
        "timeline",
    ] {
        assert!(report.get(key).is_some(), "report JSON lacks {key}");
    }
    let finding = &report["findings"][0];
    for key in [
        "rank",
        "cause",
        "category",
        "severity",
        "title",
        "count",
        "share",
        "first_seen",
        "last_seen",
        "upstreams",
        "requests",
        "statuses",
        "peak",
        "timeline",
        "fix",
        "examples",
    ] {
        assert!(finding.get(key).is_some(), "finding lacks {key}");
    }
    assert_eq!(finding["category"], "backend_down");

    let table = logscan()
        .args(["--output", "table", "--color", "never"])
        .args(refused())
        .output()
        .unwrap();
    let table = String::from_utf8(table.stdout).unwrap();
    assert!(
        table.contains("upstream_refused") && table.contains("Fix:") && !table.contains('\u{1b}')
    );

    let markdown = logscan()
        .args(["--output", "markdown"])
        .args(refused())
        .output()
        .unwrap();
    let markdown = String::from_utf8(markdown.stdout).unwrap();
    assert!(
        markdown.starts_with("## logscan report")
            && markdown.contains("| 1 | CRITICAL | `upstream_refused`")
    );

    let html = logscan()
        .args(["--output", "html"])
        .args(refused())
        .output()
        .unwrap();
    let html = String::from_utf8(html.stdout).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("id=\"finding-1\""));
}

#[test]
fn out_file_picks_the_form_from_its_extension() {
    let dir = tempfile::tempdir().unwrap();
    for (name, start) in [
        ("r.html", "<!DOCTYPE html>"),
        ("r.json", "{"),
        ("r.md", "## logscan report"),
        ("r.txt", "logscan: "),
    ] {
        let path = dir.path().join(name);
        logscan()
            .arg("-o")
            .arg(&path)
            .args(refused())
            .assert()
            .success()
            .stdout("");
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.starts_with(start),
            "{name}: {}",
            &text[..text.len().min(80)]
        );
    }
}

#[test]
fn color_is_off_unless_asked_and_no_color_is_respected() {
    let colored = logscan()
        .args(["--output", "table", "--color", "always"])
        .args(refused())
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&colored.stdout).contains("\u{1b}[1;31mCRITICAL"));
    let auto = logscan()
        .args(["--output", "table"])
        .env("NO_COLOR", "1")
        .args(refused())
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&auto.stdout).contains('\u{1b}'));
}

#[test]
fn events_are_ecs_ndjson() {
    let output = logscan()
        .arg("--events")
        .args(["--tz", "UTC"])
        .args(refused())
        .output()
        .unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    let events: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(events.len(), 30 + 30, "30 error lines and 30 access lines");
    let error = events
        .iter()
        .find(|e| e["event"]["dataset"] == "nginx.error")
        .unwrap();
    assert_eq!(error["logscan"]["cause"], "upstream_refused");
    assert_eq!(error["logscan"]["phase"], "connect");
    assert_eq!(error["log"]["level"], "error");
    assert_eq!(error["http"]["version"], "1.1");
    assert!(error["@timestamp"].as_str().unwrap().ends_with("+00:00"));
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .starts_with("connect() failed")
    );
    assert!(
        error["destination"]["address"]
            .as_str()
            .unwrap()
            .starts_with("127.0.0.1:")
    );
    let access = events
        .iter()
        .find(|e| e["event"]["dataset"] == "nginx.access")
        .unwrap();
    assert_eq!(access["http"]["response"]["status_code"], 502);
    assert!(access["log"]["file"]["line"].as_u64().unwrap() >= 1);
}

#[test]
fn formats_can_be_forced_and_custom_formats_given() {
    let dir = scenario("nginx/healthy");
    // A positional format that no built-in knows: with --log-format every line is typed.
    let label: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("labels.json")).unwrap()).unwrap();
    let format = label["log_formats"]["access_main_ext.log"]
        .as_str()
        .unwrap();
    let report = json_of(
        &["--log-format", format],
        &[dir.join("access_main_ext.log")],
    );
    assert_eq!(report["inputs"][0]["unrecognized"], 0);
    assert!(
        report["access"]["upstream_time"]["count"].as_u64().unwrap() > 0,
        "upstream times typed"
    );
    // The same format taken from an nginx.conf.
    let conf = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(
        conf.path(),
        format!("http {{\n  log_format main_ext '{format}';\n}}\n"),
    )
    .unwrap();
    let report = json_of(
        &["--nginx-conf", conf.path().to_str().unwrap()],
        &[dir.join("access_main_ext.log")],
    );
    assert!(report["access"]["upstream_time"]["count"].as_u64().unwrap() > 0);
    // Forcing the wrong family: every line is unrecognized, and counted.
    let report = json_of(
        &["--format", "apache-error"],
        &[scenario("nginx/refused/error.log")],
    );
    assert_eq!(report["inputs"][0]["format"], "apache-error");
    assert_eq!(
        report["inputs"][0]["unrecognized"],
        report["inputs"][0]["lines"]
    );
    // A custom Apache ErrorLogFormat.
    let apache = scenario("apache/custom_errorlogformat");
    let label: Value =
        serde_json::from_str(&std::fs::read_to_string(apache.join("labels.json")).unwrap())
            .unwrap();
    let report = json_of(
        &[
            "--format",
            "apache-error",
            "--error-log-format",
            label["error_log_format"].as_str().unwrap(),
        ],
        &[apache.join("error.log")],
    );
    assert_eq!(report["findings"][0]["cause"], "upstream_refused");
    assert_eq!(report["inputs"][0]["unrecognized"], 0);
    // Bad format strings are usage errors.
    logscan()
        .args(["--log-format", "no variables here"])
        .args(refused())
        .assert()
        .code(2);
}

#[test]
fn time_window_zone_and_top_options() {
    let mixed = scenario("nginx/mixed");
    let files = [mixed.join("error.log"), mixed.join("access_upstream.log")];
    let all = json_of(&[], &files);
    let refused_first = all["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["cause"] == "upstream_refused")
        .unwrap();
    let start = refused_first["first_seen"].as_str().unwrap()[..19].replace('T', " ");
    // --since the first refused error: everything before is filtered, and counted as filtered.
    let since = json_of(&["--since", &start], &files);
    assert!(since["totals"]["filtered"].as_u64().unwrap() > 0);
    assert_eq!(since["totals"]["lines"], all["totals"]["lines"]);
    // --until it: no refused errors left.
    let until = json_of(&["--until", &start], &files);
    assert!(
        until["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["cause"] != "upstream_refused")
    );
    // Relative times are relative to now (LOGSCAN_NOW in tests): 1 day after the capture, --since 2h
    // leaves nothing.
    let output = logscan()
        .env("LOGSCAN_NOW", "2030-01-01T00:00:00Z")
        .args(["--output", "json", "--since", "2h", "--tz", "UTC"])
        .args(&files)
        .output()
        .unwrap();
    let late: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(late["findings"].as_array().unwrap().len(), 0);
    // --window sets the timeline window.
    let windowed = json_of(&["--window", "30s"], &files);
    assert_eq!(windowed["window_seconds"], 30);
    // --tz places local times in that zone.
    let berlin = json_of(&["--tz", "Europe/Berlin"], &files);
    assert_eq!(berlin["zone"]["source"], "caller");
    assert!(
        berlin["findings"][0]["first_seen"]
            .as_str()
            .unwrap()
            .ends_with("+01:00")
    );
    // --top limits the table (JSON keeps every finding).
    let top = logscan()
        .args(["--output", "table", "--top", "1"])
        .args(&files)
        .output()
        .unwrap();
    let text = String::from_utf8(top.stdout).unwrap();
    assert!(text.contains("1 more finding"), "{text}");
    // Bad values are clap's usage errors with exit 2, naming the option and the value.
    for [option, value] in [
        ["--since", "yesterday"],
        ["--until", "2026-13-01"],
        ["--tz", "Mars/Olympus"],
        ["--window", "2x"],
        ["--window", "0s"],
        ["--threads", "0"],
        ["--threads", "1025"],
        ["--log-format", "no variables here"],
        ["--error-log-format", "%{bogus}z"],
    ] {
        logscan()
            .args([option, value])
            .args(&files)
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::contains(format!(
                "error: invalid value '{value}' for '{option} <"
            )))
            .stderr(predicate::str::contains("try '--help'"));
    }
}

#[test]
fn fail_on_sets_exit_code_one() {
    logscan()
        .args(["--fail-on", "critical"])
        .args(refused())
        .assert()
        .code(1);
    let healthy = scenario("nginx/healthy");
    logscan()
        .args(["--fail-on", "high"])
        .arg(healthy.join("error.log"))
        .arg(healthy.join("access_upstream.log"))
        .assert()
        .code(0);
    logscan()
        .args(["--fail-on", "bogus"])
        .args(refused())
        .assert()
        .code(2);
}

#[test]
fn stdin_gzip_zstd_and_rotated_directories() {
    let error = std::fs::read(scenario("nginx/refused/error.log")).unwrap();
    // stdin
    let output = logscan()
        .args(["--output", "json", "-"])
        .write_stdin(error.clone())
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["findings"][0]["count"], 30);
    // A directory of rotated logs: plain, gzip (two members), zstd; read oldest first.
    let dir = tempfile::tempdir().unwrap();
    let lines: Vec<&[u8]> = error.split_inclusive(|&b| b == b'\n').collect();
    let (old, rest) = lines.split_at(10);
    let (middle, new) = rest.split_at(10);
    let mut gz = Vec::new();
    for part in [&old[..5], &old[5..]] {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(&part.concat()).unwrap();
        gz.extend(enc.finish().unwrap());
    }
    std::fs::write(dir.path().join("error.log.3.gz"), gz).unwrap();
    std::fs::write(
        dir.path().join("error.log.2.zst"),
        zstd::encode_all(&middle.concat()[..], 3).unwrap(),
    )
    .unwrap();
    std::fs::write(dir.path().join("error.log"), new.concat()).unwrap();
    std::fs::write(dir.path().join("notes.txt"), "not a log\n").unwrap();
    let report = json_of(&[], &[dir.path().to_path_buf()]);
    let inputs = report["inputs"].as_array().unwrap();
    let names: Vec<&str> = inputs
        .iter()
        .map(|i| i["path"].as_str().unwrap().rsplit('/').next().unwrap())
        .collect();
    assert_eq!(
        names,
        ["error.log.3.gz", "error.log.2.zst", "error.log"],
        "rotated series oldest first, other files ignored"
    );
    assert_eq!(report["findings"][0]["count"], 30);
    assert_eq!(report["totals"]["lines"], 30);
}

#[test]
fn missing_and_unreadable_inputs_are_reported_and_the_rest_analysed() {
    let dir = tempfile::tempdir().unwrap();
    let truncated = dir.path().join("cut.log.gz");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(&std::fs::read(scenario("nginx/refused/error.log")).unwrap())
        .unwrap();
    let gz = enc.finish().unwrap();
    std::fs::write(&truncated, &gz[..gz.len() / 2]).unwrap();
    let missing = dir.path().join("nope.log");
    let output = logscan()
        .args(["--output", "json"])
        .arg(&missing)
        .arg(&truncated)
        .args(refused())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains(&*missing.to_string_lossy()), "{stderr}");
    assert!(stderr.contains(&*truncated.to_string_lossy()), "{stderr}");
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        report["findings"][0]["cause"], "upstream_refused",
        "the readable inputs are analysed"
    );
    // Nothing readable at all is still exit 2.
    logscan().arg(&missing).assert().code(2);
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let bin = assert_cmd::cargo::cargo_bin("logscan");
    let mut child = Command::new(bin)
        .args(["--events"])
        .args(refused())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read one line, then close the pipe.
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 64];
    let _ = std::io::Read::read(&mut stdout, &mut first).unwrap();
    drop(stdout);
    let output = child.wait_with_output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn progress_is_never_shown_in_pipes_unless_forced() {
    let quiet = logscan().args(refused()).output().unwrap();
    assert!(
        quiet.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&quiet.stderr)
    );
    logscan()
        .args(["--progress", "never"])
        .args(refused())
        .assert()
        .success()
        .stderr("");
}

#[test]
fn threads_do_not_change_the_report() {
    let mixed = scenario("nginx/mixed");
    let files = [
        mixed.join("error.log"),
        mixed.join("access_upstream.log"),
        mixed.join("access.log"),
    ];
    let one = json_of(&["--threads", "1"], &files);
    for n in ["2", "8"] {
        assert_eq!(json_of(&["--threads", n], &files), one, "--threads {n}");
    }
}

#[test]
fn an_access_log_repeating_another_is_read_once() {
    // The fixtures log every request twice: `combined` and the upstream format.
    let dir = scenario("nginx/mixed");
    let output = logscan()
        .args(["--output", "json"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("access.log: same requests as") && stderr.contains("access_upstream.log"),
        "{stderr}"
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let label: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("labels.json")).unwrap()).unwrap();
    assert_eq!(
        report["totals"]["requests"], label["requests"],
        "each request counted once"
    );
    let paths: Vec<&str> = report["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["path"].as_str().unwrap())
        .collect();
    assert!(
        paths.iter().any(|p| p.ends_with("access_upstream.log")),
        "the richer log is the one read: {paths:?}"
    );
}

#[test]
fn the_table_fits_80_columns_and_uses_more_when_there_is_room() {
    for name in [
        "nginx/mixed",
        "nginx/fpm_pool_exhausted",
        "apache/no_live_upstreams",
        "nginx/php_fatal",
    ] {
        let dir = scenario(name);
        let widest = |columns: &str| -> usize {
            let output = logscan()
                .env("COLUMNS", columns)
                .args(["--output", "table", "--color", "never"])
                .arg(dir.join("error.log"))
                .output()
                .unwrap();
            String::from_utf8(output.stdout)
                .unwrap()
                .lines()
                .map(|l| l.chars().count())
                .max()
                .unwrap_or(0)
        };
        assert!(widest("80") <= 80, "{name} at 80 columns: {}", widest("80"));
        assert!(
            widest("160") > 80,
            "{name}: a wide terminal gets a wider table"
        );
    }
}

/// Snapshots of the table and Markdown reports of three fixtures, run from the fixture
/// directory so paths are relative and stable.
#[test]
fn table_and_markdown_snapshots() {
    for name in [
        "nginx/mixed",
        "nginx/fpm_pool_exhausted",
        "apache/no_live_upstreams",
    ] {
        let dir = scenario(name);
        let mut files: Vec<&str> = vec!["error.log"];
        for extra in ["php-fpm.log", "access_upstream.log", "access_timing.log"] {
            if dir.join(extra).is_file() {
                files.push(extra);
            }
        }
        let slug = name.replace('/', "_");
        for (form, ext) in [("table", "txt"), ("markdown", "md")] {
            let output = logscan()
                .current_dir(&dir)
                .env("COLUMNS", "100")
                .args(["--output", form, "--color", "never"])
                .args(&files)
                .output()
                .unwrap();
            assert!(output.status.success());
            let text = String::from_utf8(output.stdout).unwrap();
            insta::assert_snapshot!(format!("{slug}_{ext}"), text);
        }
    }
}

/// The JSON report is a contract: snapshots of it for three fixtures, byte for byte (run
/// from the fixture directory so paths are relative, without this machine's server
/// configuration). Read back into the typed report and written again, it is the same
/// bytes: the typed times, zone source and formats serialize to exactly the text they were
/// read from.
#[test]
fn json_report_snapshots_and_typed_round_trip() {
    for name in [
        "nginx/mixed",
        "nginx/fpm_pool_exhausted",
        "apache/no_live_upstreams",
    ] {
        let dir = scenario(name);
        let mut files: Vec<&str> = vec!["error.log"];
        for extra in ["php-fpm.log", "access_upstream.log", "access_timing.log"] {
            if dir.join(extra).is_file() {
                files.push(extra);
            }
        }
        let output = logscan()
            .current_dir(&dir)
            .args(["--output", "json", "--no-config"])
            .args(&files)
            .output()
            .unwrap();
        assert!(output.status.success());
        let text = String::from_utf8(output.stdout).unwrap();
        let report: logscan_analyze::Report = serde_json::from_str(&text).unwrap();
        assert_eq!(
            logscan_render::json(&report),
            text,
            "{name}: the typed report does not write the JSON it was read from"
        );
        insta::assert_snapshot!(format!("{}_json", name.replace('/', "_")), text);
    }
}

#[test]
fn offsets_in_access_logs_are_kept_and_since_compares_instants() {
    let dir = tempfile::tempdir().unwrap();
    // The clocks go forward between the two lines: 01:59 +01:00 is 00:59 UTC, 03:01 +02:00
    // is 01:01 UTC, two minutes later.
    let log = dir.path().join("access.log");
    std::fs::write(
        &log,
        concat!(
            "10.0.0.1 - - [29/Mar/2026:01:59:00 +0100] \"GET /a HTTP/1.1\" 200 5 \"-\" \"curl/8\"\n",
            "10.0.0.1 - - [29/Mar/2026:03:01:00 +0200] \"GET /b HTTP/1.1\" 502 5 \"-\" \"curl/8\"\n",
        ),
    )
    .unwrap();
    let report = json_of(&[], std::slice::from_ref(&log));
    assert_eq!(report["zone"]["source"], "access_log");
    assert_eq!(report["span"]["start"], "2026-03-29T01:59:00+01:00");
    assert_eq!(report["span"]["end"], "2026-03-29T03:01:00+02:00");
    // An RFC 3339 limit is an instant: 01:00:30 UTC lies between the two lines.
    let later = json_of(
        &["--since", "2026-03-29T01:00:30+00:00"],
        std::slice::from_ref(&log),
    );
    assert_eq!(later["totals"]["filtered"], 1);
    assert_eq!(later["totals"]["requests"], 1);
    let events = logscan()
        .args(["--events", "--until", "2026-03-29T01:00:30Z"])
        .arg(&log)
        .output()
        .unwrap();
    let text = String::from_utf8(events.stdout).unwrap();
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(text.contains("\"/a\""), "{text}");
    // A negative --tz is a value, not an option.
    let west = json_of(&["--tz", "-05:00"], &refused());
    assert_eq!(west["zone"]["name"], "-05:00");
}

#[test]
fn a_combined_log_with_a_few_common_lines_keeps_its_user_agents() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("access.log");
    let mut text = String::new();
    for i in 0..20 {
        text.push_str(&format!(
            "10.0.0.{i} - - [25/Nov/2026:09:00:{i:02} +0000] \"GET /a HTTP/1.1\" 200 5 \"https://r/\" \"curl/8\"\n"
        ));
    }
    text.push_str("10.0.0.99 - - [25/Nov/2026:09:00:59 +0000] \"GET /c HTTP/1.1\" 503 5\n");
    std::fs::write(&log, text).unwrap();
    let output = logscan().arg("--events").arg(&log).output().unwrap();
    let events: Vec<Value> = output
        .stdout
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).unwrap())
        .collect();
    assert_eq!(events.len(), 21);
    assert_eq!(
        events
            .iter()
            .filter(|e| e["user_agent"]["original"] == "curl/8")
            .count(),
        20
    );
    assert_eq!(events[20]["http"]["response"]["status_code"], 503);
    let report = json_of(&[], std::slice::from_ref(&log));
    assert_eq!(report["inputs"][0]["unrecognized"], 0);
}

/// An Apache access log whose first lines are `common` and later lines `combined` (a
/// `CustomLog` changed in place): every later line keeps its user agent, whether the
/// change comes within the first lines read to choose the format or after them.
#[test]
fn common_then_combined_lines_keep_every_later_user_agent() {
    let combined = std::fs::read_to_string(scenario("apache/refused/access.log")).unwrap();
    let as_common = |line: &str| {
        // `combined` is `common` + ` "referer" "user agent"`.
        let cut = line.rfind(" \"").unwrap();
        let cut = line[..cut].rfind(" \"").unwrap();
        line[..cut].to_owned()
    };
    let dir = tempfile::tempdir().unwrap();
    for (name, common_lines) in [("one.log", 1), ("many.log", 90)] {
        let mut text = String::new();
        let lines: Vec<&str> = combined.lines().collect();
        for i in 0..common_lines {
            text += &as_common(lines[i % lines.len()]);
            text.push('\n');
        }
        for line in &lines {
            text += line;
            text.push('\n');
        }
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let output = logscan().arg("--events").arg(&path).output().unwrap();
        assert!(output.status.success());
        let events: Vec<Value> = output
            .stdout
            .split(|b| *b == b'\n')
            .filter(|l| !l.is_empty())
            .map(|l| serde_json::from_slice(l).unwrap())
            .collect();
        assert_eq!(events.len(), common_lines + lines.len(), "{name}");
        let with_agent = events
            .iter()
            .filter(|e| e["user_agent"]["original"].is_string())
            .count();
        assert_eq!(with_agent, lines.len(), "{name}");
        assert!(
            events[common_lines..]
                .iter()
                .all(|e| e["user_agent"]["original"].is_string()),
            "{name}"
        );
    }
}
