//! `logscan --save-state` and `logscan merge` through the real binary: every fixture cut
//! into shards, the shards saved in random groups, the states merged in shuffled orders,
//! gives byte for byte the JSON of one run over the same files; every report form works on
//! a merged report; bad states are named and the good ones still merged.

mod common;

use std::path::{Path, PathBuf};

use common::{Rng, Run, fixtures, from_output, logscan, run};
use serde_json::Value;

/// The fixture scenarios (directories with labels.json), sorted; HAProxy in front of nginx
/// too, so the edge join survives states.
fn scenarios() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = ["nginx", "apache", "haproxy"]
        .iter()
        .filter_map(|s| std::fs::read_dir(fixtures().join(s)).ok())
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("labels.json").is_file())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 30, "fixture corpus missing");
    dirs
}

fn labels(dir: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("labels.json")).unwrap()).unwrap()
}

/// The options a scenario needs (its custom Apache ErrorLogFormat).
fn scenario_args(label: &Value) -> Vec<String> {
    match label["error_log_format"].as_str() {
        Some(format) => vec!["--error-log-format".into(), format.into()],
        None => Vec::new(),
    }
}

/// The logs of a scenario one run reads: an access log that repeats another one's requests
/// (the same server logging in two formats) is read once, and only a run that holds both
/// can tell, so the shards are cut from the one it keeps.
fn logs_read(dir: &Path, label: &Value) -> Vec<String> {
    let files: Vec<String> = label["logs"].as_object().unwrap().keys().cloned().collect();
    let whole = from_output(
        logscan()
            .args(scenario_args(label))
            .args(["--output", "json"])
            .args(files.iter().map(|f| dir.join(f)))
            .output()
            .unwrap(),
    );
    files
        .into_iter()
        .filter(|f| {
            let skipped = format!("logscan: {}: same requests as", dir.join(f).display());
            !whole.stderr.contains(&skipped)
        })
        .collect()
}

/// Cuts every log of a scenario at 1 to 5 random line boundaries into `out`, as
/// `<shard>.<log name>`; returns the shard files, sorted.
fn split(dir: &Path, label: &Value, out: &Path, rng: &mut Rng) -> Vec<PathBuf> {
    let mut shards = Vec::new();
    for file in logs_read(dir, label) {
        let bytes = std::fs::read(dir.join(&file)).unwrap();
        let ends: Vec<usize> = bytes
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\n')
            .map(|(i, _)| i + 1)
            .collect();
        let parts = 2 + (rng.next() % 5) as usize;
        let mut cuts: Vec<usize> = if ends.is_empty() {
            Vec::new()
        } else {
            (1..parts)
                .map(|_| ends[(rng.next() % ends.len() as u64) as usize])
                .collect()
        };
        cuts.push(0);
        cuts.push(bytes.len());
        cuts.sort_unstable();
        cuts.dedup();
        for (i, w) in cuts.windows(2).enumerate() {
            let path = out.join(format!("{i}.{file}"));
            std::fs::write(&path, &bytes[w[0]..w[1]]).unwrap();
            shards.push(path);
        }
    }
    shards.sort();
    shards
}

fn shuffle<T>(items: &mut [T], rng: &mut Rng) {
    for i in (1..items.len()).rev() {
        let j = (rng.next() % (i as u64 + 1)) as usize;
        items.swap(i, j);
    }
}

/// Saves each group of files as a state; returns the states and the order of the files
/// one run must be given to list its inputs as the merge does (states sorted by their
/// paths, each keeping its own order).
fn save_groups(
    groups: &[Vec<PathBuf>],
    out: &Path,
    args: &[String],
) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let mut states = Vec::new();
    for (i, group) in groups.iter().enumerate() {
        let state = out.join(format!("s{i}.state"));
        let saved = from_output(
            logscan()
                .args(args)
                .arg("--save-state")
                .arg(&state)
                .args(group)
                .output()
                .unwrap(),
        );
        assert_eq!(saved.code, 0, "{}", saved.stderr);
        assert!(saved.stdout.is_empty(), "a state run writes no report");
        states.push(state);
    }
    let mut order: Vec<&Vec<PathBuf>> = groups.iter().collect();
    order.sort();
    (states, order.into_iter().flatten().cloned().collect())
}

fn merge(states: &[PathBuf], args: &[&str]) -> Run {
    from_output(
        logscan()
            .arg("merge")
            .args(args)
            .args(states)
            .output()
            .unwrap(),
    )
}

#[test]
fn shards_saved_and_merged_in_any_order_give_the_single_run() {
    let mut rng = Rng::new(0x5eed_57a7e);
    for dir in scenarios() {
        let name = dir.strip_prefix(fixtures()).unwrap().display().to_string();
        let label = labels(&dir);
        let args = scenario_args(&label);
        let tmp = tempfile::tempdir().unwrap();
        let mut shards = split(&dir, &label, tmp.path(), &mut rng);
        // Shards in random groups, one state per group (a group's files in path order).
        shuffle(&mut shards, &mut rng);
        let mut groups: Vec<Vec<PathBuf>> = Vec::new();
        for shard in shards {
            match groups.last_mut() {
                Some(group) if rng.next() % 3 == 0 => group.push(shard),
                _ => groups.push(vec![shard]),
            }
        }
        groups.iter_mut().for_each(|g| g.sort());
        let (mut states, order) = save_groups(&groups, tmp.path(), &args);

        let single = from_output(
            logscan()
                .args(&args)
                .args(["--output", "json"])
                .args(&order)
                .output()
                .unwrap(),
        );
        assert_eq!(single.code, 0, "{name}: {}", single.stderr);
        for round in 0..2 {
            shuffle(&mut states, &mut rng);
            let merged = merge(&states, &["--output", "json"]);
            assert_eq!(merged.code, 0, "{name}: {}", merged.stderr);
            assert!(
                merged.stdout == single.stdout,
                "{name} round {round}: merged JSON differs from the single run over {order:?}\n\
                 merged:\n{}\nsingle:\n{}",
                merged.stdout_str(),
                single.stdout_str()
            );
        }
    }
}

#[test]
fn settings_travel_with_the_state() {
    // A zone, a window and limits cutting into the failures: same as one run.
    let dir = fixtures().join("nginx/mixed");
    let tmp = tempfile::tempdir().unwrap();
    let files = [dir.join("error.log"), dir.join("access_upstream.log")];
    let settings: Vec<String> = [
        "--tz",
        "UTC",
        "--window",
        "30s",
        "--since",
        "2026-11-25T10:58:20+01:00",
        "--until",
        "2026-11-25 09:59:00",
    ]
    .map(String::from)
    .to_vec();
    let groups = vec![vec![files[0].clone()], vec![files[1].clone()]];
    let (states, order) = save_groups(&groups, tmp.path(), &settings);
    let single = run(settings
        .iter()
        .map(String::as_str)
        .chain(["--output", "json"])
        .chain(order.iter().map(|p| p.to_str().unwrap())));
    let merged = merge(&states, &["--output", "json"]);
    assert_eq!(merged.code, 0, "{}", merged.stderr);
    assert_eq!(merged.stdout_str(), single.stdout_str());
    let report = merged.json();
    assert_eq!(report["zone"]["name"], "UTC", "{report}");
    // The limits cut: fewer failures than the whole log's 245.
    let failures = report["totals"]["failures"].as_u64().unwrap();
    assert!(failures > 0 && failures < 245, "{failures}");
}

#[test]
fn every_report_form_works_on_a_merged_report() {
    let dir = fixtures().join("nginx/mixed");
    let tmp = tempfile::tempdir().unwrap();
    let groups = vec![
        vec![dir.join("access_upstream.log")],
        vec![dir.join("error.log")],
    ];
    let (states, order) = save_groups(&groups, tmp.path(), &[]);
    let order: Vec<&str> = order.iter().map(|p| p.to_str().unwrap()).collect();
    for form in ["table", "markdown", "html", "json"] {
        let single = run(["--output", form, "--color", "never"]
            .iter()
            .copied()
            .chain(order.iter().copied()));
        let merged = merge(&states, &["--output", form, "--color", "never"]);
        assert_eq!(merged.code, 0, "{form}: {}", merged.stderr);
        assert!(!merged.stdout.is_empty());
        assert_eq!(merged.stdout_str(), single.stdout_str(), "{form}");
    }
    // -o picks the form from the name.
    let page = tmp.path().join("fleet.html");
    let merged = merge(&states, &["-o", page.to_str().unwrap()]);
    assert_eq!(merged.code, 0, "{}", merged.stderr);
    assert!(
        std::fs::read_to_string(&page)
            .unwrap()
            .starts_with("<!DOCTYPE html>")
    );
    // --fail-on: the critical findings of the merged report.
    assert_eq!(
        merge(&states, &["--fail-on", "critical", "--output", "json"]).code,
        1
    );
    assert_eq!(
        merge(&states[..1], &["--fail-on", "critical", "--output", "json"]).code,
        0
    );
    // -o naming a state is refused.
    let over = merge(&states, &["-o", states[0].to_str().unwrap()]);
    assert_eq!(over.code, 2);
    assert!(
        over.stderr.contains("that is one of the states"),
        "{}",
        over.stderr
    );
}

#[test]
fn bad_states_are_named_and_the_good_ones_merged() {
    let dir = fixtures().join("nginx/mixed");
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let (states, _) = save_groups(
        &[
            vec![dir.join("error.log")],
            vec![dir.join("access_upstream.log")],
        ],
        t,
        &[],
    );
    let good = std::fs::read(&states[0]).unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let path = t.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    };
    let truncated = write("truncated.state", &good[..good.len() - 10]);
    let mut flipped_bytes = good.clone();
    flipped_bytes[good.len() / 2] ^= 0x20;
    let flipped = write("flipped.state", &flipped_bytes);
    let empty = write("empty.state", b"");
    let mut future_bytes = good[..good.len() - 4].to_vec();
    future_bytes[8..12].copy_from_slice(&(logscan_state::FORMAT_VERSION + 1).to_le_bytes());
    let crc = crc32fast::hash(&future_bytes);
    future_bytes.extend_from_slice(&crc.to_le_bytes());
    let future = write("future.state", &future_bytes);
    let other = t.join("window.state");
    let saved = run([
        "--window".as_ref(),
        "5m".as_ref(),
        "--save-state".as_ref(),
        other.as_os_str(),
        dir.join("error.log").as_os_str(),
    ]);
    assert_eq!(saved.code, 0, "{}", saved.stderr);
    let missing = t.join("missing.state");

    let all = [
        truncated.clone(),
        states[0].clone(),
        flipped.clone(),
        empty.clone(),
        future.clone(),
        other.clone(),
        states[1].clone(),
        missing.clone(),
    ];
    let merged = merge(&all, &["--output", "json"]);
    assert_eq!(merged.code, 2, "{}", merged.stderr);
    let said = |path: &Path, why: &str| {
        let line = format!("logscan: {}: {why}", path.display());
        assert!(
            merged.stderr.contains(&line),
            "no {line:?} in\n{}",
            merged.stderr
        );
    };
    said(
        &truncated,
        &format!("truncated: {} of {} bytes", good.len() - 10, good.len()),
    );
    said(&flipped, "corrupt: the checksum does not match");
    said(&empty, "empty file, not a logscan state");
    said(
        &future,
        &format!(
            "state format version {}, written by a newer logscan",
            logscan_state::FORMAT_VERSION + 1
        ),
    );
    said(
        &other,
        "saved with other settings than the rest: --window 300s (the others: none)",
    );
    said(&missing, "No such file or directory");
    // The two good states are still merged: the report of both logs.
    let report = merged.json();
    let paths: Vec<&str> = report["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths.len(), 2, "{paths:?}");
    assert_eq!(report["totals"]["failures"], 245);
    // Nothing good at all: exit 2, no report.
    let none = merge(&[empty, truncated], &["--output", "json"]);
    assert_eq!(none.code, 2);
    assert!(none.stdout.is_empty());
    assert!(
        none.stderr.contains("no state could be merged"),
        "{}",
        none.stderr
    );
}

#[test]
fn labels_say_which_machine() {
    let dir = fixtures().join("nginx/mixed");
    let tmp = tempfile::tempdir().unwrap();
    let state = |host: &str| {
        let path = tmp.path().join(format!("{host}.state"));
        let saved = run([
            "--label".as_ref(),
            host.as_ref(),
            "--save-state".as_ref(),
            path.as_os_str(),
            dir.join("error.log").as_os_str(),
            dir.join("access_upstream.log").as_os_str(),
        ]);
        assert_eq!(saved.code, 0, "{}", saved.stderr);
        path
    };
    let (web2, web1) = (state("web2"), state("web1"));
    let merged = merge(&[web2, web1], &["--output", "json"]);
    assert_eq!(merged.code, 0, "{}", merged.stderr);
    assert!(
        !merged.stderr.contains("both read"),
        "labelled paths differ: {}",
        merged.stderr
    );
    let report = merged.json();
    let paths: Vec<String> = report["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["path"].as_str().unwrap().to_owned())
        .collect();
    let log = |host: &str, file: &str| format!("{host}:{}", dir.join(file).display());
    // Each host's inputs in the order one run lists them (by name here).
    assert_eq!(
        paths,
        [
            log("web1", "access_upstream.log"),
            log("web1", "error.log"),
            log("web2", "access_upstream.log"),
            log("web2", "error.log")
        ]
    );
    // Twice the failures, examples from both machines, each host's access log attributed
    // to its own error log only.
    assert_eq!(report["totals"]["failures"], 490);
    let top = &report["findings"][0];
    let example_hosts: Vec<&str> = top["examples"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap().split(':').next().unwrap())
        .collect();
    assert!(
        example_hosts.iter().all(|h| *h == "web1" || *h == "web2"),
        "{example_hosts:?}"
    );
    let single = run(["--output", "json"].iter().map(|s| s.as_ref()).chain([
        dir.join("error.log").as_os_str(),
        dir.join("access_upstream.log").as_os_str(),
    ]));
    assert_eq!(
        report["findings"][0]["affected_requests"].as_u64().unwrap(),
        2 * single.json()["findings"][0]["affected_requests"]
            .as_u64()
            .unwrap()
    );
    // A labelled report run says the same paths.
    let labelled = run(["--label", "web1", "--output", "json"]
        .iter()
        .map(|s| s.as_ref())
        .chain([dir.join("error.log").as_os_str()]));
    assert_eq!(
        labelled.json()["inputs"][0]["path"],
        log("web1", "error.log")
    );
    // A label is printable text.
    let bad = run(["--label", "a\u{1b}[2Jb", "x.log"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("control characters"), "{}", bad.stderr);
}

#[test]
fn a_state_on_stdout_and_what_cannot_combine() {
    let log = fixtures().join("nginx/mixed/error.log");
    let tmp = tempfile::tempdir().unwrap();
    let out = run(["--save-state".as_ref(), "-".as_ref(), log.as_os_str()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let path = tmp.path().join("stdout.state");
    std::fs::write(&path, &out.stdout).unwrap();
    let from_file = tmp.path().join("file.state");
    assert_eq!(
        run([
            "--save-state".as_ref(),
            from_file.as_os_str(),
            log.as_os_str()
        ])
        .code,
        0
    );
    assert_eq!(
        std::fs::read(&from_file).unwrap(),
        out.stdout,
        "the same bytes either way"
    );
    assert_eq!(
        merge(&[path], &["--output", "json"]).json()["totals"]["failures"],
        245
    );
    // A state is not a report.
    for other in [
        ["--output", "json"],
        ["--events", "--events"],
        ["--fail-on", "high"],
        ["--follow", "--follow"],
    ] {
        let mixed = run(["--save-state", "x.state"]
            .iter()
            .chain(other.iter().take(if other[0] == other[1] { 1 } else { 2 }))
            .copied()
            .chain([log.to_str().unwrap()]));
        assert_eq!(mixed.code, 2, "{other:?}: {}", mixed.stderr);
        assert!(
            mixed.stderr.contains("cannot be used with"),
            "{}",
            mixed.stderr
        );
    }
    // A label names the inputs of a report or a state, not of a live run.
    let live = run(["--label", "web1", "--follow", log.to_str().unwrap()]);
    assert_eq!(live.code, 2, "{}", live.stderr);
    assert!(
        live.stderr.contains("cannot be used with"),
        "{}",
        live.stderr
    );
    // merge takes only states and report options.
    let wrong = run(["--tz", "UTC", "merge", "a.state"]);
    assert_eq!(wrong.code, 2, "{}", wrong.stderr);
    // --save-state never writes over an input.
    let over = run(["--save-state".as_ref(), log.as_os_str(), log.as_os_str()]);
    assert_eq!(over.code, 2);
    assert!(over.stderr.contains("that is an input"), "{}", over.stderr);
}

#[test]
fn the_local_zone_is_saved_by_name() {
    let log = fixtures().join("nginx/mixed/error.log");
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("local.state");
    let saved = from_output(
        logscan()
            .env("TZ", "Europe/Berlin")
            .args(["--tz", "local", "--save-state"])
            .arg(&state)
            .arg(&log)
            .output()
            .unwrap(),
    );
    assert_eq!(saved.code, 0, "{}", saved.stderr);
    // Merged where the clock is another zone: still Berlin, as the run that saved it.
    let merged = merge(&[state], &["--output", "json"]).json();
    assert_eq!(merged["zone"]["name"], "Europe/Berlin");
    let berlin = run([
        "--tz",
        "Europe/Berlin",
        "--output",
        "json",
        log.to_str().unwrap(),
    ])
    .json();
    assert_eq!(merged["findings"], berlin["findings"]);
    // A TZ that is no zone name is refused, not guessed.
    let posix = from_output(
        logscan()
            .env("TZ", "CET-1CEST")
            .args(["--tz", "local", "--save-state", "x.state"])
            .arg(&log)
            .output()
            .unwrap(),
    );
    assert_eq!(posix.code, 2);
    assert!(posix.stderr.contains("not a zone name"), "{}", posix.stderr);
}
