//! `--config`: on every config fixture (logs and configuration trees captured together
//! from real nginx, Apache httpd and PHP-FPM by fixtures/capture.d/config.sh), the top
//! finding carries the directive its `labels.json` names, at the labelled file and line
//! with the labelled value, and its fix cites `path:line`; a run without configuration is
//! what it was; configurations that cannot be read never stop the analysis.

mod common;

use std::path::{Path, PathBuf};

use serde_json::Value;

use common::{assert_no_raw_controls, fixtures, logscan, run};

/// Where the capture script wrote the trees; their paths inside still say so.
const CAPTURED: &str = "/tmp/logscan-capture";

struct Fixture {
    dir: PathBuf,
    name: String,
    label: Value,
}

impl Fixture {
    /// Where the server read this tree from (the paths a report cites).
    fn original(&self) -> PathBuf {
        Path::new(CAPTURED).join(&self.name)
    }

    fn logs(&self) -> Vec<PathBuf> {
        let mut logs: Vec<PathBuf> = self.label["logs"]
            .as_object()
            .unwrap()
            .keys()
            .map(|name| self.dir.join(name))
            .collect();
        logs.sort();
        logs
    }

    fn rebase(&self) -> String {
        format!("{}={}", self.original().display(), self.dir.display())
    }

    /// `--config` of the fixture's tree (read where it now is), and the logs.
    fn args(&self, config: &[PathBuf]) -> Vec<std::ffi::OsString> {
        let mut args: Vec<std::ffi::OsString> = Vec::new();
        for c in config {
            args.push("--config".into());
            args.push(c.into());
        }
        args.push("--config-rebase".into());
        args.push(self.rebase().into());
        args.extend(self.logs().into_iter().map(Into::into));
        args
    }
}

fn config_fixtures() -> Vec<Fixture> {
    let mut out = Vec::new();
    for server in ["nginx", "apache"] {
        for entry in std::fs::read_dir(fixtures().join(server))
            .unwrap()
            .flatten()
        {
            let Ok(text) = std::fs::read_to_string(entry.path().join("labels.json")) else {
                continue;
            };
            let label: Value = serde_json::from_str(&text).unwrap();
            if label.get("config_expect").is_none() {
                continue;
            }
            out.push(Fixture {
                name: format!("{server}/{}", entry.file_name().to_string_lossy()),
                dir: entry.path(),
                label,
            });
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    assert!(out.len() >= 9, "config fixtures missing");
    out
}

fn json_run(args: &[std::ffi::OsString]) -> (Value, String) {
    let r = run(std::iter::once("--output".into())
        .chain(std::iter::once("json".into()))
        .chain(args.iter().cloned())
        .collect::<Vec<std::ffi::OsString>>());
    assert_eq!(r.code, 0, "{}", r.stderr);
    (r.json(), r.stderr)
}

/// The labelled directives are in the top finding's `config`, each once, with the
/// labelled path, line, value and default flag; a fix step cites each `path:line`; the
/// labelled mismatch is evidence in the same finding.
fn check_top_finding(f: &Fixture, report: &Value, how: &str) {
    let top = &report["findings"][0];
    assert_eq!(
        top["cause"], f.label["cause"],
        "{} ({how}): top finding {}",
        f.name, top["title"]
    );
    let config = top["config"]
        .as_array()
        .unwrap_or_else(|| panic!("{} ({how}): no config in the top finding: {top:#}", f.name));
    let steps: Vec<&str> = top["fix"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    for want in f.label["config_expect"].as_array().unwrap() {
        let path = f.original().join(want["path"].as_str().unwrap());
        let path = path.to_str().unwrap();
        let matching: Vec<&Value> = config
            .iter()
            .filter(|c| {
                c["directive"] == want["directive"]
                    && c["path"] == path
                    && c["line"] == want["line"]
            })
            .collect();
        assert_eq!(
            matching.len(),
            1,
            "{} ({how}): {} at {path}:{} in {config:#?}",
            f.name,
            want["directive"],
            want["line"]
        );
        let c = matching[0];
        assert_eq!(c["value"], want["value"], "{} ({how}): {c}", f.name);
        assert_eq!(c["default"], want["default"], "{} ({how}): {c}", f.name);
        let place = format!("{path}:{}", want["line"]);
        assert!(
            steps.iter().any(|s| s.contains(&place)
                && s.contains(want["directive"].as_str().unwrap())
                && s.contains(want["value"].as_str().unwrap())),
            "{} ({how}): no fix step cites {place}: {steps:#?}",
            f.name
        );
    }
    for want in ["config_mismatch", "config_observed"]
        .iter()
        .filter_map(|key| f.label.get(*key))
    {
        let mismatches = top["mismatches"]
            .as_array()
            .unwrap_or_else(|| panic!("{} ({how}): no mismatches in the top finding", f.name));
        let m = mismatches
            .iter()
            .find(|m| m["kind"] == want["kind"])
            .unwrap_or_else(|| {
                panic!("{} ({how}): no {} in {mismatches:#?}", f.name, want["kind"])
            });
        for place in want["places"].as_array().unwrap() {
            let cited = format!(
                "{}:{}",
                f.original().join(place["path"].as_str().unwrap()).display(),
                place["line"]
            );
            assert!(
                m["places"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|p| p == &cited[..]),
                "{} ({how}): {cited} not in {m}",
                f.name
            );
        }
        assert!(
            steps
                .iter()
                .any(|s| s.contains(m["message"].as_str().unwrap().trim_end_matches('.'))),
            "{} ({how}): the mismatch is not in the fix: {steps:#?}",
            f.name
        );
    }
    // What was read is listed, and read without problems.
    let configs = report["configs"].as_array().unwrap();
    assert!(!configs.is_empty(), "{} ({how})", f.name);
    for c in configs {
        assert_eq!(c["ok"], true, "{} ({how}): {c}", f.name);
        assert!(c["files"].as_u64().unwrap() >= 1, "{} ({how}): {c}", f.name);
        assert!(
            c["warnings"]
                .as_array()
                .unwrap()
                .iter()
                .all(|w| w["severity"] == "note"),
            "{} ({how}): {c}",
            f.name
        );
    }
}

#[test]
fn the_top_finding_of_every_config_fixture_cites_its_labelled_directive() {
    for f in config_fixtures() {
        let (report, _) = json_run(&f.args(std::slice::from_ref(&f.dir)));
        check_top_finding(&f, &report, "tree");
    }
}

/// Saved `nginx -T` output (with the PHP-FPM tree beside it) gives the same answers as
/// the files.
#[test]
fn nginx_t_output_gives_the_same_citations() {
    let mut dumps = 0;
    for f in config_fixtures() {
        let dump = f.dir.join("nginx-T.txt");
        if !dump.is_file() {
            continue;
        }
        let mut config = vec![dump];
        config.extend(
            glob::glob(&f.dir.join("etc/php/*/fpm/php-fpm.conf").to_string_lossy())
                .unwrap()
                .flatten(),
        );
        let (report, _) = json_run(&f.args(&config));
        check_top_finding(&f, &report, "nginx -T");
        assert_eq!(report["configs"][0]["kind"], "nginx-dump");
        dumps += 1;
    }
    assert!(dumps >= 7, "only {dumps} dumps");
}

/// The table, Markdown and HTML reports show the citation too.
#[test]
fn every_report_form_shows_the_citation() {
    for f in config_fixtures() {
        let want = &f.label["config_expect"][0];
        let place = format!(
            "{}:{}",
            f.original().join(want["path"].as_str().unwrap()).display(),
            want["line"]
        );
        for form in ["table", "markdown", "html"] {
            let mut args: Vec<std::ffi::OsString> = vec!["--output".into(), form.into()];
            args.extend(f.args(std::slice::from_ref(&f.dir)));
            let out = logscan()
                .env("COLUMNS", "400")
                .args(&args)
                .output()
                .unwrap();
            assert!(out.status.success());
            let text = String::from_utf8(out.stdout).unwrap();
            assert!(
                text.contains(&place),
                "{} ({form}): {place} not shown",
                f.name
            );
        }
    }
}

/// Configuration only adds: with it, the report is the one without it plus `configs`,
/// each finding's `config` and `mismatches`, and fix texts that cite them. Without it
/// (no `--config`, logs not in this machine's usual places), or with `--no-config`, the
/// output has none of those keys and is byte for byte the same.
#[test]
fn configuration_only_adds_to_the_report() {
    for f in config_fixtures() {
        let logs = f.logs();
        let plain = logscan()
            .args(["--output", "json"])
            .args(&logs)
            .output()
            .unwrap();
        let off = logscan()
            .args(["--output", "json", "--no-config"])
            .args(&logs)
            .output()
            .unwrap();
        assert_eq!(plain.stdout, off.stdout, "{}", f.name);
        assert_eq!(plain.stderr, off.stderr, "{}", f.name);
        let text = String::from_utf8(plain.stdout).unwrap();
        assert!(!text.contains("\"configs\""), "{}", f.name);
        assert!(!text.contains("\"config\""), "{}", f.name);
        assert!(!text.contains("\"mismatches\""), "{}", f.name);

        let mut without: Value = serde_json::from_str(&text).unwrap();
        let (mut with, _) = json_run(&f.args(std::slice::from_ref(&f.dir)));
        assert!(with.as_object_mut().unwrap().remove("configs").is_some());
        for (a, b) in with["findings"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .zip(without["findings"].as_array_mut().unwrap().iter_mut())
        {
            let a = a.as_object_mut().unwrap();
            a.remove("config");
            a.remove("mismatches");
            // The fix keeps its text and steps; the citations come first.
            let (fa, fb) = (
                a.remove("fix").unwrap(),
                b.as_object_mut().unwrap().remove("fix").unwrap(),
            );
            assert!(
                fa["summary"]
                    .as_str()
                    .unwrap()
                    .starts_with(fb["summary"].as_str().unwrap()),
                "{}",
                f.name
            );
            let (sa, sb) = (
                fa["steps"].as_array().unwrap(),
                fb["steps"].as_array().unwrap(),
            );
            assert!(
                sa.len() >= sb.len() && sa.ends_with(sb),
                "{}: {sa:#?}",
                f.name
            );
        }
        assert_eq!(with, without, "{}", f.name);
    }
}

/// Include cycles, unreadable files, garbage with terminal escapes, a missing path: each
/// is named in `configs[]` with its file (and line, where there is one), the logs are
/// analysed exactly as without configuration, stderr carries no raw control character.
#[test]
fn bad_configurations_never_stop_the_log_analysis() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // An include cycle.
    std::fs::create_dir_all(d.join("cycle")).unwrap();
    std::fs::write(
        d.join("cycle/nginx.conf"),
        "events {}\nhttp {\n    include loop.conf;\n}\n",
    )
    .unwrap();
    std::fs::write(d.join("cycle/loop.conf"), "include loop.conf;\n").unwrap();
    // Garbage: binary bytes, terminal escapes, an unterminated block and quote.
    std::fs::create_dir_all(d.join("garbage")).unwrap();
    std::fs::write(
        d.join("garbage/nginx.conf"),
        b"http {\n  \x1b]8;;http://evil/\x07 \xff\xfe\x00 \"unterminated\n  server { listen 80;\n",
    )
    .unwrap();
    // A directory where a main file should be (unreadable as a file), and a path that
    // does not exist.
    std::fs::create_dir_all(d.join("unreadable/nginx.conf")).unwrap();
    let missing = d.join("missing\x1b[2J/nginx.conf");

    let logs = {
        let dir = fixtures().join("nginx/refused");
        vec![dir.join("error.log"), dir.join("access_upstream.log")]
    };
    let plain = run(["--output", "json"]
        .iter()
        .map(std::ffi::OsString::from)
        .chain(logs.iter().map(Into::into))
        .collect::<Vec<_>>());
    let plain = plain.json();

    let configs = [
        d.join("cycle/nginx.conf"),
        d.join("garbage/nginx.conf"),
        d.join("unreadable/nginx.conf"),
        missing.clone(),
    ];
    let mut args: Vec<std::ffi::OsString> = vec!["--output".into(), "json".into()];
    for c in &configs {
        args.push("--config".into());
        args.push(c.into());
    }
    args.extend(logs.iter().map(Into::into));
    let r = run(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_no_raw_controls("stderr", &r.stderr);
    let mut report = r.json();
    let read = report["configs"].as_array().unwrap().clone();
    assert_eq!(read.len(), configs.len(), "{read:#?}");
    let named = |c: &Value, path: &Path, line: bool| {
        c["warnings"].as_array().unwrap().iter().any(|w| {
            w["path"]
                .as_str()
                .unwrap()
                .starts_with(path.parent().unwrap().to_str().unwrap())
                && (!line || w["line"].as_u64().is_some())
                && w["severity"] == "problem"
        })
    };
    // The cycle and the garbage are read in part, their problems at a line.
    assert_eq!(read[0]["ok"], true);
    assert!(named(&read[0], &configs[0], true), "{:#}", read[0]);
    assert!(
        read[0]["warnings"].to_string().contains("loop.conf"),
        "{:#}",
        read[0]
    );
    assert!(named(&read[1], &configs[1], true), "{:#}", read[1]);
    // The unreadable and the missing ones are named, with why.
    for c in &read[2..] {
        assert_eq!(c["ok"], false, "{c:#}");
        assert!(c["error"].as_str().is_some_and(|e| !e.is_empty()), "{c:#}");
    }
    assert!(named(&read[2], &configs[2], false));
    assert!(named(&read[3], &configs[3], false));
    // Stderr says so, once per configuration at least.
    assert!(r.stderr.contains("configuration"), "{}", r.stderr);
    // And the analysis is the one without configuration.
    report.as_object_mut().unwrap().remove("configs");
    for f in report["findings"].as_array_mut().unwrap() {
        f.as_object_mut().unwrap().remove("config");
        f.as_object_mut().unwrap().remove("mismatches");
    }
    assert_eq!(report, plain);
}

#[test]
fn config_flags_are_checked() {
    let r = run(["--config", "x", "--no-config", "-"]);
    assert_eq!(r.code, 2);
    let r = run(["--config-rebase", "/a=/b", "-"]);
    assert_eq!(r.code, 2, "--config-rebase needs --config");
    let r = run(["--config", "x", "--config-rebase", "nothing", "-"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("ORIGINAL=NOW"), "{}", r.stderr);
}

/// The mismatches that need what the logs saw: `pm.max_children` 2 against the requests
/// the access log shows in flight at once to the pool's socket (a lower bound, so between
/// 3 and the 20 sent at once), and `proxy_buffer_size` 1k against headers nginx said did
/// not fit (it logs no size). Each is in its finding, its fix, every report form, and a
/// report merged from a state.
#[test]
fn mismatches_with_what_the_logs_saw_are_evidence_in_their_findings() {
    let fixtures: Vec<Fixture> = config_fixtures()
        .into_iter()
        .filter(|f| f.label.get("config_observed").is_some())
        .collect();
    assert_eq!(fixtures.len(), 2);
    for f in &fixtures {
        let (report, _) = json_run(&f.args(std::slice::from_ref(&f.dir)));
        let top = &report["findings"][0];
        let kind = &f.label["config_observed"]["kind"];
        let m = top["mismatches"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| &m["kind"] == kind)
            .unwrap_or_else(|| panic!("{}: no {kind} in {top:#}", f.name));
        let message = m["message"].as_str().unwrap();
        if f.name == "nginx/config_max_children" {
            let in_flight = &report["access"]["in_flight"][top["upstream"].as_str().unwrap()];
            let peak = in_flight
                .as_u64()
                .unwrap_or_else(|| panic!("{:#}", report["access"]));
            assert!((3..=20).contains(&peak), "{peak}");
            assert!(
                message.contains("`pm.max_children` is 2 at")
                    && message
                        .contains(&format!("at least {peak} requests to it in flight at once")),
                "{message}"
            );
        } else {
            assert!(
                message.contains("`proxy_buffer_size` is 1k at")
                    && message.contains("did not fit in those 1024 bytes"),
                "{message}"
            );
        }
        // Shown in the table, Markdown and HTML too (words free of what Markdown or HTML
        // escape; the table may wrap them).
        let words = if f.name == "nginx/config_max_children" {
            "requests to it in flight at once"
        } else {
            "did not fit in those 1024 bytes"
        };
        for form in ["table", "markdown", "html"] {
            let mut args: Vec<std::ffi::OsString> = vec!["--output".into(), form.into()];
            args.extend(f.args(std::slice::from_ref(&f.dir)));
            let out = logscan()
                .env("COLUMNS", "1000")
                .args(&args)
                .output()
                .unwrap();
            let text = String::from_utf8(out.stdout).unwrap();
            let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(
                flat.contains(words),
                "{} ({form}): {words:?} not shown",
                f.name
            );
        }
        // Through a state: what the logs saw is kept, the configuration comes at merge.
        let out = tempfile::tempdir().unwrap();
        let state = out.path().join("web1.state");
        let mut args: Vec<std::ffi::OsString> = vec!["--save-state".into(), state.clone().into()];
        args.extend(f.logs().into_iter().map(Into::into));
        let r = run(&args);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let r = run([
            "merge".as_ref(),
            "--output".as_ref(),
            "json".as_ref(),
            "--config".as_ref(),
            f.dir.as_os_str(),
            "--config-rebase".as_ref(),
            std::ffi::OsStr::new(&f.rebase()),
            state.as_os_str(),
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let merged = r.json();
        assert_eq!(
            merged["findings"][0]["mismatches"], top["mismatches"],
            "{}",
            f.name
        );
        assert_eq!(merged["access"]["in_flight"], report["access"]["in_flight"]);
    }
}

/// `--events --config`: each failure event carries the directives that decide its cause
/// (`logscan.config`, as a finding's `config`) and the mismatches the configuration alone
/// shows (`logscan.config_mismatches`); without `--config`, neither key.
#[test]
fn events_carry_the_configuration_of_their_cause() {
    let f = config_fixtures()
        .into_iter()
        .find(|f| f.name == "nginx/config_socket_mismatch")
        .unwrap();
    let log = f.dir.join("error.log");
    let mut args = vec![
        std::ffi::OsString::from("--events"),
        "--config".into(),
        f.dir.clone().into(),
        "--config-rebase".into(),
        f.rebase().into(),
    ];
    args.push(log.clone().into());
    let r = run(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let want = &f.label["config_expect"][0];
    let path = f.original().join(want["path"].as_str().unwrap());
    let mut failures = 0;
    for line in r.stdout_str().lines() {
        let event: Value = serde_json::from_str(line).unwrap();
        if event["logscan"]["cause"] != f.label["cause"] {
            continue;
        }
        failures += 1;
        let config = &event["logscan"]["config"][0];
        assert_eq!(config["directive"], want["directive"], "{event:#}");
        assert_eq!(config["path"], path.to_str().unwrap());
        assert_eq!(config["line"], want["line"]);
        assert_eq!(config["value"], want["value"]);
        assert_eq!(
            event["logscan"]["config_mismatches"],
            serde_json::json!(["socket_without_pool"])
        );
    }
    assert!(failures >= 1, "{}", r.stdout_str());
    let r = run([std::ffi::OsStr::new("--events"), log.as_os_str()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stdout.is_empty());
    assert!(!r.stdout_str().contains("\"config"), "{}", r.stdout_str());
}

/// `--follow` (stdin, followed to its end): the final report written with `-o` cites the
/// configuration too, and so does the NDJSON stream's last object.
#[test]
fn the_final_report_of_follow_mode_cites_the_configuration() {
    let f = config_fixtures()
        .into_iter()
        .find(|f| f.name == "nginx/config_location_timeout")
        .unwrap();
    let out = tempfile::tempdir().unwrap();
    let report = out.path().join("report.json");
    let r = common::from_output(
        logscan()
            .args(["-f", "--since", "2020-01-01T00:00:00Z", "--config"])
            .arg(&f.dir)
            .arg("--config-rebase")
            .arg(f.rebase())
            .arg("-o")
            .arg(&report)
            .arg("-")
            .pipe_stdin(f.dir.join("error.log"))
            .unwrap()
            .output()
            .unwrap(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let report: Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    let want = &f.label["config_expect"][0];
    let top = &report["findings"][0];
    assert_eq!(top["config"][0]["directive"], want["directive"]);
    assert_eq!(top["config"][0]["line"], want["line"]);
    assert_eq!(report["configs"].as_array().unwrap().len(), 1);
    // The stream: its final `report` object is the same report, configuration included.
    let r = common::from_output(
        logscan()
            .args(["-f", "--since", "2020-01-01T00:00:00Z", "--config"])
            .arg(&f.dir)
            .arg("--config-rebase")
            .arg(f.rebase())
            .arg("-")
            .pipe_stdin(f.dir.join("error.log"))
            .unwrap()
            .output()
            .unwrap(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let last: Value = serde_json::from_str(r.stdout_str().lines().last().unwrap()).unwrap();
    assert_eq!(last["type"], "report", "{}", r.stdout_str());
    let streamed = &last["report"];
    assert_eq!(streamed["configs"], report["configs"]);
    assert_eq!(streamed["findings"][0]["config"], top["config"]);
    assert_eq!(streamed["findings"][0]["fix"], top["fix"]);
    // Cited once, not twice, in the report written with -o.
    let place = format!(
        "{}:{}",
        top["config"][0]["path"].as_str().unwrap(),
        want["line"]
    );
    let cited = top["fix"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s.as_str().unwrap().contains(&place))
        .count();
    assert_eq!(cited, 1, "{:#}", top["fix"]);
}

/// This machine's logs read: its configuration is read too, and the first stderr line
/// says so; `--no-config` turns that off. (Runs where nginx is installed, as scripts/test
/// makes sure; elsewhere it says why it checked nothing.)
#[test]
fn this_machines_configuration_comes_with_its_logs() {
    let (logs, conf) = (
        Path::new("/var/log/nginx"),
        Path::new("/etc/nginx/nginx.conf"),
    );
    if !logs.is_dir() || !conf.is_file() {
        #[allow(clippy::disallowed_macros)] // a test's own note, not logscan's stderr
        {
            eprintln!(
                "SKIPPED: no /var/log/nginx or /etc/nginx/nginx.conf (apt-get install -y nginx, or run scripts/test)"
            );
        }
        return;
    }
    let r = run(["--output", "json", "/var/log/nginx"]);
    let first = r.stderr.lines().next().unwrap_or_default();
    assert!(
        first.contains("configuration /etc/nginx/nginx.conf") && first.contains("--no-config"),
        "{}",
        r.stderr
    );
    let report = r.json();
    assert!(
        report["configs"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["path"] == "/etc/nginx/nginx.conf" && c["kind"] == "nginx"),
        "{:#}",
        report["configs"]
    );
    let r = run(["--output", "json", "--no-config", "/var/log/nginx"]);
    assert!(!r.stderr.contains("configuration"), "{}", r.stderr);
    assert!(r.json().get("configs").is_none());
    // Logs elsewhere: no configuration unless asked.
    let r = run([
        "--output",
        "json",
        fixtures().join("nginx/refused/error.log").to_str().unwrap(),
    ]);
    assert!(r.json().get("configs").is_none());
}

/// `--nginx-conf` reads its `log_format`s through the same reader as `--config`, from a
/// tree or from saved `nginx -T` output.
#[test]
fn nginx_conf_takes_log_formats_from_nginx_t_output() {
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("nginx-T.txt");
    std::fs::write(
        &dump,
        "# configuration file /etc/nginx/nginx.conf:\nevents {}\nhttp {\n    log_format odd '$status|$remote_addr|[$time_local]|\"$request\"|$upstream_response_time';\n}\n",
    )
    .unwrap();
    let log = dir.path().join("access.log");
    std::fs::write(
        &log,
        "502|10.0.0.1|[25/Nov/2026:01:27:19 +0000]|\"GET /x HTTP/1.1\"|1.5\n",
    )
    .unwrap();
    let counts = |args: &[&std::ffi::OsStr]| {
        let r = run(args);
        let report = r.json();
        (
            report["inputs"][0]["parsed"].as_u64().unwrap(),
            report["inputs"][0]["unrecognized"].as_u64().unwrap(),
        )
    };
    let json = std::ffi::OsStr::new("json");
    let output = std::ffi::OsStr::new("--output");
    assert_eq!(counts(&[output, json, log.as_os_str()]), (0, 1));
    assert_eq!(
        counts(&[
            output,
            json,
            std::ffi::OsStr::new("--nginx-conf"),
            dump.as_os_str(),
            log.as_os_str()
        ]),
        (1, 0)
    );
    // The tree form, with the format in an included file.
    let etc = dir.path().join("etc");
    std::fs::create_dir_all(etc.join("conf.d")).unwrap();
    std::fs::write(
        etc.join("nginx.conf"),
        "events {}\nhttp {\n    include conf.d/*.conf;\n}\n",
    )
    .unwrap();
    std::fs::write(
        etc.join("conf.d/log.conf"),
        "log_format odd '$status|$remote_addr|[$time_local]|\"$request\"|$upstream_response_time';\n",
    )
    .unwrap();
    let conf = etc.join("nginx.conf");
    assert_eq!(
        counts(&[
            output,
            json,
            std::ffi::OsStr::new("--nginx-conf"),
            conf.as_os_str(),
            log.as_os_str()
        ]),
        (1, 0)
    );
}

/// `logscan merge --config`: the merged report cites the configuration like a single run;
/// `--config` with `--save-state` is refused with why (a state keeps what the logs showed;
/// the configuration is given to `logscan merge`).
#[test]
fn merged_reports_cite_the_configuration_too() {
    let f = config_fixtures()
        .into_iter()
        .find(|f| f.name == "nginx/config_location_timeout")
        .unwrap();
    let out = tempfile::tempdir().unwrap();
    let state = out.path().join("web1.state");
    let r = run([
        "--save-state".as_ref(),
        state.as_os_str(),
        f.dir.join("error.log").as_os_str(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run([
        "merge".as_ref(),
        "--output".as_ref(),
        "json".as_ref(),
        "--config".as_ref(),
        f.dir.as_os_str(),
        "--config-rebase".as_ref(),
        std::ffi::OsStr::new(&f.rebase()),
        state.as_os_str(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    check_top_finding(&f, &r.json(), "merge");
    let log = f.dir.join("error.log");
    let refused = out.path().join("x.state");
    let r = run([
        "--config".as_ref(),
        f.dir.as_os_str(),
        "--save-state".as_ref(),
        refused.as_os_str(),
        log.as_os_str(),
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("--config with --save-state") && r.stderr.contains("`logscan merge`"),
        "{}",
        r.stderr
    );
    assert!(!refused.exists());
}
