//! The recipes of docs/scale.md ("Many servers, many archives"), run as written: GNU parallel
//! over the slices of an archive (`--sshlogin`, here the local machine `:`), GNU parallel
//! over hosts (with `ssh` replaced by a stand-in that runs the command here), and the
//! Kubernetes manifest in docs/kubernetes/ (checked as YAML, and the shell of its pods run
//! here over a directory standing in for the volumes). Each ends in `logscan merge`, whose
//! JSON must be the single run's.

// A test that cannot run says SKIPPED on stderr.
#![allow(clippy::disallowed_macros)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Run, fixtures, from_output, logscan};
use serde_json::Value;

/// The directory of the logscan binary, for PATH.
fn bin_dir() -> PathBuf {
    assert_cmd::cargo::cargo_bin("logscan")
        .parent()
        .unwrap()
        .to_path_buf()
}

fn path_with(dirs: &[&Path]) -> std::ffi::OsString {
    let mut paths: Vec<PathBuf> = dirs.iter().map(|d| d.to_path_buf()).collect();
    paths.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    std::env::join_paths(paths).unwrap()
}

/// Runs a shell command in `dir` with logscan (and `extra`) on the PATH.
fn sh(dir: &Path, script: &str, extra: &[&Path]) -> Run {
    let bin = bin_dir();
    let mut dirs = vec![bin.as_path()];
    dirs.extend_from_slice(extra);
    from_output(
        Command::new("sh")
            .arg("-c")
            .arg(script)
            .current_dir(dir)
            .env("PATH", path_with(&dirs))
            .env("TZ", "UTC")
            .output()
            .unwrap(),
    )
}

fn has(program: &str) -> bool {
    Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {program}"))
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Cuts a log into `n` pieces at line boundaries, written as `<dir>/<i>-<name>`.
fn slice(log: &Path, dir: &Path, n: usize) -> Vec<PathBuf> {
    let bytes = std::fs::read(log).unwrap();
    let lines: Vec<&[u8]> = bytes.split_inclusive(|&b| b == b'\n').collect();
    let per = lines.len().div_ceil(n);
    let name = log.file_name().unwrap().to_string_lossy();
    lines
        .chunks(per)
        .enumerate()
        .map(|(i, part)| {
            let path = dir.join(format!("{i}-{name}"));
            std::fs::write(&path, part.concat()).unwrap();
            path
        })
        .collect()
}

fn json_of(run: &Run, what: &str) -> Value {
    assert_eq!(run.code, 0, "{what}: {}", run.stderr);
    run.json()
}

#[test]
fn gnu_parallel_over_slices_and_over_hosts() {
    if !has("parallel") {
        eprintln!("SKIPPED: GNU parallel is not installed (scripts/test installs it with apt-get)");
        return;
    }
    let mixed = fixtures().join("nginx/mixed");
    let tmp = tempfile::tempdir().unwrap();
    let archive = tmp.path().join("archive");
    std::fs::create_dir(&archive).unwrap();
    slice(&mixed.join("error.log"), &archive, 3);
    slice(&mixed.join("access_upstream.log"), &archive, 4);

    // docs/scale.md: the slices of an archive over the machines parallel can ssh to (here `:`,
    // this one): each slice sent, analysed there, its state brought back.
    let saved = sh(
        tmp.path(),
        "parallel --will-cite --sshlogin : --trc {}.state logscan --save-state {}.state {} ::: archive/*.log",
        &[],
    );
    assert_eq!(saved.code, 0, "{}", saved.stderr);
    let merged = sh(
        tmp.path(),
        "logscan merge --output json archive/*.state",
        &[],
    );
    let single = sh(tmp.path(), "logscan --output json archive/*.log", &[]);
    assert_eq!(json_of(&merged, "merge")["totals"]["failures"], 245);
    assert_eq!(merged.stdout_str(), single.stdout_str());

    // docs/scale.md: one state per host, over ssh. The stand-in `ssh HOST COMMAND...` runs the
    // command here, in a directory named after the host that holds "its" logs.
    let hosts = tmp.path().join("hosts");
    let fake = tmp.path().join("fake-ssh");
    std::fs::create_dir_all(&fake).unwrap();
    for host in ["web1", "web2"] {
        let logs = hosts.join(host).join("var/log/nginx");
        std::fs::create_dir_all(&logs).unwrap();
        for f in ["error.log", "access_upstream.log"] {
            std::fs::copy(mixed.join(f), logs.join(f)).unwrap();
        }
    }
    let ssh = fake.join("ssh");
    std::fs::write(
        &ssh,
        format!(
            "#!/bin/sh\nhost=$1; shift\ncd '{}'/\"$host\" && exec sh -c \"$*\"\n",
            hosts.display()
        ),
    )
    .unwrap();
    let mut permissions = std::fs::metadata(&ssh).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o755);
    std::fs::set_permissions(&ssh, permissions).unwrap();
    let saved = sh(
        tmp.path(),
        "parallel --will-cite 'ssh {} logscan --label {} --save-state - var/log/nginx > {}.state' ::: web1 web2",
        &[&fake],
    );
    assert_eq!(saved.code, 0, "{}", saved.stderr);
    let merged = json_of(
        &sh(
            tmp.path(),
            "logscan merge --output json web1.state web2.state",
            &[],
        ),
        "merge",
    );
    let paths: Vec<&str> = merged["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        [
            "web1:var/log/nginx/access_upstream.log",
            "web1:var/log/nginx/error.log",
            "web2:var/log/nginx/access_upstream.log",
            "web2:var/log/nginx/error.log"
        ]
    );
    assert_eq!(merged["totals"]["failures"], 490);
}

/// A Python that can read YAML: `$LOGSCAN_PYTHON` (scripts/test's), else `python3`.
fn python_with_yaml() -> Option<PathBuf> {
    let python = std::env::var_os("LOGSCAN_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("python3"));
    Command::new(&python)
        .args(["-c", "import yaml"])
        .output()
        .is_ok_and(|o| o.status.success())
        .then_some(python)
}

#[test]
fn the_kubernetes_job_is_valid_and_its_shell_runs() {
    let manifest =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/kubernetes/logscan-job.yaml");
    let Some(python) = python_with_yaml() else {
        eprintln!(
            "SKIPPED: no Python with PyYAML to read {} (scripts/test installs it)",
            manifest.display()
        );
        return;
    };
    let out = Command::new(python)
        .args([
            "-c",
            "import json, sys, yaml; print(json.dumps(list(yaml.safe_load_all(open(sys.argv[1])))))",
        ])
        .arg(&manifest)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let docs: Value = serde_json::from_slice(&out.stdout).unwrap();
    let kinds: Vec<&str> = docs
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["Job", "Job", "ServiceAccount", "Role", "RoleBinding"]
    );
    let (shards, merge) = (&docs[0], &docs[1]);
    for job in [shards, merge] {
        assert_eq!(job["apiVersion"], "batch/v1");
        assert_eq!(job["spec"]["template"]["spec"]["restartPolicy"], "Never");
    }
    let spec = &shards["spec"];
    assert_eq!(spec["completionMode"], "Indexed");
    let container = &spec["template"]["spec"]["containers"][0];
    let env_shards = container["env"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "SHARDS")
        .unwrap()["value"]
        .as_str()
        .unwrap()
        .parse::<u64>()
        .unwrap();
    assert_eq!(
        spec["completions"].as_u64(),
        Some(env_shards),
        "completions and SHARDS agree"
    );
    let shard_script = container["args"][0].as_str().unwrap();
    let merge_spec = &merge["spec"]["template"]["spec"];
    assert_eq!(
        merge_spec["serviceAccountName"],
        docs[2]["metadata"]["name"]
    );
    assert!(
        merge_spec["initContainers"][0]["command"]
            .to_string()
            .contains("job/logscan-shards")
    );
    let merge_script = merge_spec["containers"][0]["args"][0].as_str().unwrap();
    // Every volume a container mounts is declared.
    for job in [shards, merge] {
        let pod = &job["spec"]["template"]["spec"];
        let declared: Vec<&str> = pod["volumes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["name"].as_str().unwrap())
            .collect();
        for c in pod["containers"].as_array().unwrap() {
            for m in c["volumeMounts"].as_array().unwrap() {
                assert!(declared.contains(&m["name"].as_str().unwrap()), "{m}");
            }
        }
    }

    // The pods' shell, here: /logs and /states are directories of a temp dir; each index
    // runs as its pod would, then the merge.
    let mixed = fixtures().join("nginx/mixed");
    let tmp = tempfile::tempdir().unwrap();
    let logs = tmp.path().join("logs");
    let states = tmp.path().join("states");
    std::fs::create_dir_all(logs.join("web")).unwrap();
    std::fs::create_dir_all(&states).unwrap();
    for f in ["error.log", "access_upstream.log"] {
        slice(&mixed.join(f), &logs.join("web"), 5);
    }
    let local = |script: &str| {
        script
            .replace("/logs", &logs.display().to_string())
            .replace("/states", &states.display().to_string())
    };
    for index in 0..env_shards {
        let run = sh(
            tmp.path(),
            &format!(
                "SHARDS={env_shards} JOB_COMPLETION_INDEX={index}; export SHARDS JOB_COMPLETION_INDEX\n{}",
                local(shard_script)
            ),
            &[],
        );
        assert_eq!(run.code, 0, "index {index}: {}", run.stderr);
    }
    let saved = std::fs::read_dir(&states).unwrap().count() as u64;
    assert_eq!(
        saved, env_shards,
        "one state per index (10 files over {env_shards} pods)"
    );
    let merged = sh(tmp.path(), &local(merge_script), &[]);
    assert_eq!(merged.code, 0, "{}", merged.stderr);
    assert!(
        merged.stdout_str().contains("upstream_timeout_read"),
        "{}",
        merged.stdout_str()
    );
    let page = std::fs::read_to_string(states.join("report.html")).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    // The same report as one run over the whole volume.
    let report = from_output(
        logscan()
            .args(["merge", "--output", "json"])
            .args(
                std::fs::read_dir(&states)
                    .unwrap()
                    .map(|e| e.unwrap().path())
                    .filter(|p| p.extension().is_some_and(|e| e == "state")),
            )
            .output()
            .unwrap(),
    );
    let single = from_output(
        logscan()
            .args(["--tz", "UTC", "--output", "json"])
            .arg(&logs)
            .output()
            .unwrap(),
    );
    assert_eq!(report.stdout_str(), single.stdout_str());
}
