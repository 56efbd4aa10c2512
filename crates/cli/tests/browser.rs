//! The HTML report in a real browser: headless Chromium loads the report of the mixed
//! outage-then-timeouts fixture, renders it to PNG without console errors, and its DOM has
//! the charts and every finding.
//!
//! Needs Debian's `chromium` (`scripts/test` installs it). Without it the test prints why and
//! passes.
// These tests report to the test harness on stderr; logscan's own messages are what
// src/messages.rs guards.
#![allow(clippy::disallowed_macros)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

use common::{fixtures, logscan};

fn chromium() -> Option<PathBuf> {
    [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.is_file())
}

/// Runs headless Chromium with the flags that keep it off the network, bounded in time.
fn run_chromium(binary: &Path, profile: &Path, args: &[String]) -> Output {
    Command::new("timeout")
        .arg("120")
        .arg(binary)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .output()
        .expect("run chromium")
}

#[test]
fn the_html_report_renders_in_chromium_with_its_charts_and_findings() {
    let Some(browser) = chromium() else {
        eprintln!("SKIPPED: no Chromium found (apt-get install -y chromium, or run scripts/test)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mixed = fixtures().join("nginx/mixed");
    let html = dir.path().join("report.html");
    let status = logscan()
        .arg("-o")
        .arg(&html)
        .arg(mixed.join("error.log"))
        .arg(mixed.join("access_upstream.log"))
        .output()
        .unwrap();
    assert!(status.status.success());
    let json = logscan()
        .args(["--output", "json"])
        .arg(mixed.join("error.log"))
        .arg(mixed.join("access_upstream.log"))
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&json.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap().len();
    assert!(findings >= 2);

    let url = format!("file://{}", html.display());
    let dom = run_chromium(
        &browser,
        &dir.path().join("profile-dom"),
        &["--dump-dom".into(), url.clone()],
    );
    assert!(
        dom.status.success(),
        "{}",
        String::from_utf8_lossy(&dom.stderr)
    );
    let dom_text = String::from_utf8_lossy(&dom.stdout);
    assert!(
        dom_text.contains("id=\"timeline\""),
        "overall timeline chart missing"
    );
    assert!(dom_text.contains("id=\"summary\"") && dom_text.contains("id=\"incidents\""));
    assert_eq!(
        dom_text.matches("<section class=\"finding ").count(),
        findings,
        "one section per finding"
    );
    for f in report["findings"].as_array().unwrap() {
        assert!(dom_text.contains(f["cause"].as_str().unwrap()));
    }
    // Both incidents are drawn on the timeline.
    assert_eq!(
        dom_text.matches("class=\"band\"").count(),
        2,
        "both incidents drawn as bands"
    );

    let png = dir.path().join("report.png");
    let shot = run_chromium(
        &browser,
        &dir.path().join("profile-shot"),
        &[
            format!("--screenshot={}", png.display()),
            "--window-size=1280,2400".into(),
            url,
        ],
    );
    let log = String::from_utf8_lossy(&shot.stderr);
    let console: Vec<&str> = log.lines().filter(|l| l.contains("CONSOLE")).collect();
    assert!(console.is_empty(), "console messages: {console:#?}");
    let bytes = std::fs::read(&png).expect("screenshot written");
    assert!(
        bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.len() > 10_000,
        "a real PNG"
    );
    if let Ok(keep) = std::env::var("LOGSCAN_SCREENSHOT") {
        std::fs::copy(&png, keep).unwrap();
    }
}
