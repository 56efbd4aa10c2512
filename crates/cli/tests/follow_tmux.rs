//! The live view in a real terminal: logscan runs in tmux (160 × 48), lines are appended
//! to the followed log, keys are sent, and the screen is read back with `capture-pane`.
//! `q` must leave a clean screen with the final report (the table) on it.
//!
//! Needs tmux (`scripts/test` installs it); without it the test says SKIPPED and passes.
#![allow(clippy::disallowed_macros)]

use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

/// A tmux server of our own (its own socket), killed when dropped.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn cmd(&self, args: &[&str]) -> std::process::Output {
        Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .expect("run tmux")
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(
            &self
                .cmd(&["capture-pane", "-p", "-S", "-", "-t", "live"])
                .stdout,
        )
        .into_owned()
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "live"];
        args.extend_from_slice(keys);
        assert!(self.cmd(&args).status.success());
    }

    /// Waits (at most 20 s) until the screen shows all of `what` (tmux may be read while
    /// a frame is being written).
    fn wait_for(&self, what: &[&str]) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let screen = self.screen();
            if what.iter().all(|w| screen.contains(w)) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "the screen never showed {what:?}:\n{screen}"
            );
            thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd(&["kill-server"]);
    }
}

fn refused(at: chrono::DateTime<chrono::Utc>, n: usize) -> String {
    format!(
        "{} [error] 812#812: *{n} connect() failed (111: Connection refused) while connecting to upstream, client: 127.0.0.1, server: shop.example.test, request: \"GET /api/items?page={n} HTTP/1.1\", upstream: \"http://127.0.0.1:19020/api/items?page={n}\", host: \"shop.example.test\"\n",
        at.format("%Y/%m/%d %H:%M:%S")
    )
}

fn append(path: &Path, text: &str) {
    std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
}

#[test]
fn the_live_view_in_tmux_selects_details_pauses_and_quits_to_the_report() {
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("SKIPPED: tmux not installed (apt-get install -y tmux, or run scripts/test)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("error.log");
    let now = chrono::Utc::now();
    // Two lines already there (inside the default --since 10m), one far older.
    std::fs::write(
        &log,
        format!(
            "{}{}{}",
            refused(now - chrono::Duration::hours(3), 1),
            refused(now - chrono::Duration::seconds(30), 2),
            refused(now - chrono::Duration::seconds(29), 3)
        ),
    )
    .unwrap();
    let tmux = Tmux {
        socket: format!("logscan-test-{}", std::process::id()),
    };
    let binary = assert_cmd::cargo::cargo_bin("logscan");
    let command = format!(
        "env TZ=UTC NO_COLOR=1 {} -f --refresh 300ms {}; echo LOGSCAN-EXITED $?; sleep 60",
        binary.display(),
        log.display()
    );
    let started = tmux.cmd(&[
        "new-session",
        "-d",
        "-s",
        "live",
        "-x",
        "160",
        "-y",
        "48",
        &command,
    ]);
    assert!(started.status.success(), "{started:?}");

    tmux.wait_for(&["Open incidents", "logscan · following 1 input", "q quit"]);
    // The backend goes down: a burst of refused connections.
    let mut text = String::new();
    for n in 10..30 {
        text.push_str(&refused(chrono::Utc::now(), n));
    }
    append(&log, &text);
    tmux.wait_for(&[
        "Open incidents (1)",
        "upstream_refused",
        "127.0.0.1:19020",
        "q quit",
    ]);

    // Select, open the details, close them.
    tmux.keys(&["j"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for(&["Fix and examples", "Examples", "error.log:", "q quit"]);
    tmux.keys(&["Escape"]);
    // Pause, resume.
    tmux.keys(&["p"]);
    tmux.wait_for(&["PAUSED"]);
    tmux.keys(&["p"]);
    // A resize is redrawn.
    tmux.cmd(&["resize-window", "-t", "live", "-x", "120", "-y", "40"]);
    tmux.wait_for(&["q quit"]);

    tmux.keys(&["q"]);
    let screen = tmux.wait_for(&["LOGSCAN-EXITED"]);
    assert!(screen.contains("LOGSCAN-EXITED 0"), "{screen}");
    // The normal screen: the final report as a table, nothing left of the view.
    assert!(screen.contains("SEVERITY"), "{screen}");
    assert!(screen.contains("upstream_refused"), "{screen}");
    assert!(!screen.contains("Open incidents"), "{screen}");
    assert!(!screen.contains("q quit"), "{screen}");
    // 22 lines within the last 10 minutes were counted, the old one filtered out.
    assert!(screen.contains("23 lines"), "{screen}");
}
