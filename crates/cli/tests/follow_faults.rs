//! `logscan --follow` against files that misbehave: truncated, deleted, replaced by a
//! directory, made unreadable, a line completed later, a burst of 100k lines, a clock
//! that jumps backwards, stdin. No panic, no lost or doubled line, one message per
//! problem on stderr, the other files followed on.
#![allow(clippy::disallowed_macros)]

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

/// A running `logscan --follow`, its stream collected.
struct Live {
    child: Child,
    lines: Arc<Mutex<Vec<Value>>>,
    reader: thread::JoinHandle<()>,
    stderr: thread::JoinHandle<String>,
}

impl Live {
    fn start(args: &[&str], prefix: &[&str]) -> Live {
        let binary = assert_cmd::cargo::cargo_bin("logscan");
        let mut command = match prefix.split_first() {
            Some((first, rest)) => {
                let mut c = Command::new(first);
                c.args(rest).arg(binary);
                c
            }
            None => Command::new(binary),
        };
        let mut child = command
            .env("TZ", "UTC")
            .args(["--follow", "--refresh", "200ms"])
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let lines: Arc<Mutex<Vec<Value>>> = Arc::default();
        let stdout = child.stdout.take().unwrap();
        let reader = {
            let lines = Arc::clone(&lines);
            thread::spawn(move || {
                for line in BufReader::new(stdout).lines() {
                    let line = line.unwrap();
                    let value = serde_json::from_str(&line)
                        .unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
                    lines.lock().unwrap().push(value);
                }
            })
        };
        let mut err = child.stderr.take().unwrap();
        let stderr = thread::spawn(move || {
            let mut text = String::new();
            let _ = err.read_to_string(&mut text);
            text
        });
        // Started and caught up with what is there.
        thread::sleep(Duration::from_millis(700));
        Live {
            child,
            lines,
            reader,
            stderr,
        }
    }

    /// Waits (at most 10 s) until the stream has an object of this type.
    fn wait_for(&self, kind: &str) {
        let deadline = Instant::now() + Duration::from_secs(15);
        while !self.lines.lock().unwrap().iter().any(|v| v["type"] == kind) {
            assert!(Instant::now() < deadline, "no {kind} in the stream");
            thread::sleep(Duration::from_millis(50));
        }
    }

    /// SIGINT; the exit code, the stream and stderr.
    fn stop(mut self) -> (i32, Vec<Value>, String) {
        thread::sleep(Duration::from_millis(600));
        Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .unwrap();
        let code = self.child.wait().unwrap().code().unwrap_or(-1);
        self.reader.join().unwrap();
        let stderr = self.stderr.join().unwrap();
        assert!(!stderr.contains("panicked"), "{stderr}");
        let lines = std::mem::take(&mut *self.lines.lock().unwrap());
        (code, lines, stderr)
    }
}

fn report(lines: &[Value]) -> &Value {
    &lines
        .iter()
        .rfind(|v| v["type"] == "report")
        .expect("a final report")["report"]
}

fn nginx_line(at: chrono::DateTime<chrono::Utc>, n: usize) -> String {
    format!(
        "{} [error] 812#812: *{n} connect() failed (111: Connection refused) while connecting to upstream, client: 127.0.0.1, server: shop.example.test, request: \"GET /api/items?page={n} HTTP/1.1\", upstream: \"http://127.0.0.1:19020/api/items?page={n}\", host: \"shop.example.test\"\n",
        at.format("%Y/%m/%d %H:%M:%S")
    )
}

fn append(path: &Path, text: &[u8]) {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .unwrap()
        .write_all(text)
        .unwrap();
}

fn count(stderr: &str, what: &str) -> usize {
    stderr.lines().filter(|l| l.contains(what)).count()
}

#[test]
fn truncation_partial_lines_a_burst_and_a_clock_going_back() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("error.log");
    let other = dir.path().join("other.log");
    let now = chrono::Utc::now();
    append(&log, nginx_line(now, 1).as_bytes());
    append(&other, nginx_line(now, 2).as_bytes());
    let live = Live::start(&[log.to_str().unwrap(), other.to_str().unwrap()], &[]);
    let mut written = 2u64;

    // A line written in two pieces is one line.
    let line = nginx_line(chrono::Utc::now(), 3);
    let (a, b) = line.as_bytes().split_at(40);
    append(&log, a);
    thread::sleep(Duration::from_millis(400));
    append(&log, b);
    written += 1;

    // A burst of 100k lines at once (a clock that goes back an hour halfway through:
    // a daylight-saving change in a log written without a zone).
    let mut burst = Vec::new();
    let start = chrono::Utc::now();
    for n in 0..100_000 {
        let at = if n < 50_000 {
            start
        } else {
            start - chrono::Duration::hours(1)
        };
        burst.extend_from_slice(nginx_line(at, 10 + n).as_bytes());
    }
    append(&other, &burst);
    written += 100_000;
    live.wait_for("incident_close");

    // After the jump the clock goes on from the earlier hour; a new burst is still an
    // incident, within 2 s.
    let before = live
        .lines
        .lock()
        .unwrap()
        .iter()
        .filter(|v| v["type"] == "incident_open")
        .count();
    for n in 0..10 {
        append(
            &log,
            nginx_line(chrono::Utc::now() - chrono::Duration::hours(1), 200_000 + n).as_bytes(),
        );
    }
    written += 10;
    let deadline = Instant::now() + Duration::from_secs(2);
    let opened_after_jump = loop {
        let now_open = live
            .lines
            .lock()
            .unwrap()
            .iter()
            .filter(|v| v["type"] == "incident_open")
            .count();
        if now_open > before || Instant::now() > deadline {
            break now_open;
        }
        thread::sleep(Duration::from_millis(50));
    };

    // Truncated (copytruncate without the copy), then written again; the line being
    // written when it was cut is one line of the old content.
    append(&log, b"2026/11/25 01:00:00 [error] 1#1: *1 cut sho");
    written += 1;
    thread::sleep(Duration::from_millis(400));
    std::fs::OpenOptions::new()
        .write(true)
        .open(&log)
        .unwrap()
        .set_len(0)
        .unwrap();
    thread::sleep(Duration::from_millis(400));
    append(&log, nginx_line(chrono::Utc::now(), 300_000).as_bytes());
    written += 1;

    let (code, lines, stderr) = live.stop();
    assert_eq!(code, 0, "{stderr}");
    let report = report(&lines);
    assert_eq!(report["totals"]["lines"], written, "{stderr}");
    assert_eq!(
        report["totals"]["lines"],
        report["totals"]["parsed"].as_u64().unwrap()
            + report["totals"]["unrecognized"].as_u64().unwrap()
    );
    assert_eq!(
        count(&stderr, "truncated; reading it again from the start"),
        1,
        "{stderr}"
    );
    assert!(
        opened_after_jump > before,
        "no incident opened within 2 s after the clock went back: {lines:#?}"
    );
}

#[test]
fn deleted_replaced_by_a_directory_and_unreadable_files_are_said_once() {
    let dir = tempfile::tempdir().unwrap();
    let gone = dir.path().join("gone.log");
    let dirred = dir.path().join("dirred.log");
    let steady = dir.path().join("steady.log");
    let now = chrono::Utc::now();
    for (i, path) in [&gone, &dirred, &steady].into_iter().enumerate() {
        append(path, nginx_line(now, i).as_bytes());
    }
    let live = Live::start(
        &[
            gone.to_str().unwrap(),
            dirred.to_str().unwrap(),
            steady.to_str().unwrap(),
        ],
        &[],
    );
    std::fs::remove_file(&gone).unwrap();
    std::fs::remove_file(&dirred).unwrap();
    std::fs::create_dir(&dirred).unwrap();
    thread::sleep(Duration::from_millis(600));
    // The others are still followed.
    append(&steady, nginx_line(chrono::Utc::now(), 10).as_bytes());
    thread::sleep(Duration::from_millis(600));
    // Created again: followed again.
    append(&gone, nginx_line(chrono::Utc::now(), 11).as_bytes());
    let (code, lines, stderr) = live.stop();
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(report(&lines)["totals"]["lines"], 5, "{stderr}");
    assert_eq!(
        count(
            &stderr,
            "gone.log: deleted; following it again once it is created"
        ),
        1,
        "{stderr}"
    );
    assert_eq!(
        count(&stderr, "dirred.log: is a directory now, not a file"),
        1,
        "{stderr}"
    );
    assert_eq!(
        count(&stderr, "gone.log: following it again"),
        1,
        "{stderr}"
    );
    // Nothing said twice (dirred.log may first be seen deleted, before the directory).
    let mut said: Vec<&str> = stderr.lines().collect();
    said.sort();
    let all = said.len();
    said.dedup();
    assert_eq!(said.len(), all, "{stderr}");
}

#[test]
fn an_unreadable_file_is_said_once_and_read_once_it_can_be() {
    let running_as_root = Command::new("id").arg("-u").output().unwrap().stdout == b"0\n";
    if !running_as_root {
        eprintln!("SKIPPED: needs root to run logscan as another user (nobody)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let locked = dir.path().join("locked.log");
    let open = dir.path().join("open.log");
    append(&locked, nginx_line(chrono::Utc::now(), 1).as_bytes());
    append(&open, nginx_line(chrono::Utc::now(), 2).as_bytes());
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o600)).unwrap();
    std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o644)).unwrap();
    // Without root's privileges, so that permissions count.
    let live = Live::start(
        &[locked.to_str().unwrap(), open.to_str().unwrap()],
        &[
            "setpriv",
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "--",
        ],
    );
    append(&open, nginx_line(chrono::Utc::now(), 3).as_bytes());
    thread::sleep(Duration::from_millis(500));
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o644)).unwrap();
    // A change in the directory makes the follower look again.
    append(&locked, nginx_line(chrono::Utc::now(), 4).as_bytes());
    let (code, lines, stderr) = live.stop();
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        count(&stderr, "locked.log: cannot be read: Permission denied"),
        1,
        "{stderr}"
    );
    assert_eq!(report(&lines)["totals"]["lines"], 4, "{stderr}");
}

#[test]
fn stdin_is_followed_to_its_end_and_nothing_to_follow_is_exit_2() {
    let mut live = Live::start(&["-"], &[]);
    let mut stdin = live.child.stdin.take().unwrap();
    let now = chrono::Utc::now();
    for n in 0..5 {
        stdin.write_all(nginx_line(now, n).as_bytes()).unwrap();
    }
    stdin.write_all(b"last line without newline").unwrap();
    stdin.flush().unwrap();
    live.wait_for("incident_open");
    drop(stdin);
    let code = live.child.wait().unwrap().code();
    live.reader.join().unwrap();
    let lines = std::mem::take(&mut *live.lines.lock().unwrap());
    assert_eq!(code, Some(0));
    let report = report(&lines);
    assert_eq!(report["totals"]["lines"], 6);
    assert_eq!(report["totals"]["unrecognized"], 1);

    let out = Command::new(assert_cmd::cargo::cargo_bin("logscan"))
        .args(["-f", "/nonexistent/dir/error.log"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("its directory /nonexistent/dir does not exist"),
        "{stderr}"
    );
}

#[test]
fn fail_on_exits_1_at_the_first_finding_that_reaches_it() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("error.log");
    append(&log, b"");
    let mut live = Live::start(&["--fail-on", "high", log.to_str().unwrap()], &[]);
    let now = chrono::Utc::now();
    let mut text = String::new();
    for n in 0..5 {
        text.push_str(&nginx_line(now, n));
    }
    append(&log, text.as_bytes());
    let deadline = Instant::now() + Duration::from_secs(10);
    let code = loop {
        if let Some(status) = live.child.try_wait().unwrap() {
            break status.code();
        }
        assert!(Instant::now() < deadline, "still running");
        thread::sleep(Duration::from_millis(50));
    };
    live.reader.join().unwrap();
    let lines = live.lines.lock().unwrap();
    assert_eq!(code, Some(1));
    assert!(lines.iter().any(|v| v["type"] == "finding"
        && ["high", "critical"].contains(&v["finding"]["severity"].as_str().unwrap_or_default())));
    assert_eq!(report(&lines)["totals"]["lines"], 5);
}

#[test]
fn events_are_streamed_as_lines_arrive() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("error.log");
    append(
        &log,
        nginx_line(chrono::Utc::now() - chrono::Duration::hours(2), 1).as_bytes(),
    );
    append(&log, nginx_line(chrono::Utc::now(), 2).as_bytes());
    let live = Live::start(&["--events", log.to_str().unwrap()], &[]);
    // The old line is outside --since 10m; the recent one is there at once.
    let events = || live.lines.lock().unwrap().clone();
    assert_eq!(events().len(), 1, "{:?}", events());
    append(&log, nginx_line(chrono::Utc::now(), 3).as_bytes());
    let deadline = Instant::now() + Duration::from_secs(5);
    while events().len() < 2 {
        assert!(Instant::now() < deadline, "the new line's event never came");
        thread::sleep(Duration::from_millis(50));
    }
    let (code, lines, _) = live.stop();
    assert_eq!(code, 0);
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[1]["logscan"]["cause"], "upstream_refused");
    assert_eq!(lines[1]["log"]["file"]["line"], 3);
}

#[test]
fn a_directory_compressed_files_read_once_new_logs_followed() {
    let dir = tempfile::tempdir().unwrap();
    let now = chrono::Utc::now();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    for n in 0..3 {
        gz.write_all(nginx_line(now - chrono::Duration::seconds(60), n).as_bytes())
            .unwrap();
    }
    std::fs::write(dir.path().join("error.log.2.gz"), gz.finish().unwrap()).unwrap();
    append(
        &dir.path().join("error.log"),
        nginx_line(now, 10).as_bytes(),
    );
    let live = Live::start(&[dir.path().to_str().unwrap()], &[]);
    // A new log appears in the directory; a compressed rotation appears too (its lines
    // were read under the first name: it is left alone).
    append(
        &dir.path().join("shop.error.log"),
        nginx_line(chrono::Utc::now(), 11).as_bytes(),
    );
    let mut again = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    again.write_all(nginx_line(now, 10).as_bytes()).unwrap();
    std::fs::write(dir.path().join("error.log.1.gz"), again.finish().unwrap()).unwrap();
    thread::sleep(Duration::from_millis(500));
    let (code, lines, stderr) = live.stop();
    assert_eq!(code, 0, "{stderr}");
    let report = report(&lines);
    assert_eq!(report["totals"]["lines"], 5, "{report:#}");
    let paths: Vec<&str> = report["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["path"].as_str().unwrap().rsplit('/').next().unwrap())
        .collect();
    assert_eq!(
        paths,
        ["error.log", "error.log.2.gz", "shop.error.log"],
        "{stderr}"
    );
}
