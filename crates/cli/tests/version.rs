//! `logscan --version` prints the version, and the commit when the binary was built from a
//! git checkout (the build script, `build.rs` with `build/git.rs`); a packaged copy of the
//! crate or a directory outside any repository gives the version alone.
// A test saying it skipped (git missing) is the test's own output, not one of logscan's
// messages.
#![allow(clippy::disallowed_macros)]

#[path = "../build/git.rs"]
mod git;

use std::fs;
use std::path::Path;
use std::process::Command;

/// `git -C dir args...` for setting up test repositories; `None` when git is missing.
fn run_git(dir: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "-c",
            "user.name=logscan tests",
            "-c",
            "user.email=tests@example.invalid",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .output()
        .ok()?;
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Some(String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

/// A repository with one commit holding a `Cargo.toml`, or `None` without git.
fn repository() -> Option<tempfile::TempDir> {
    let dir = tempfile::tempdir().unwrap();
    run_git(dir.path(), &["init", "-q", "-b", "main"])?;
    fs::write(dir.path().join("Cargo.toml"), "[package]\nname = \"x\"\n").unwrap();
    fs::write(dir.path().join(".gitignore"), "/target\n").unwrap();
    run_git(dir.path(), &["add", "Cargo.toml", ".gitignore"])?;
    run_git(dir.path(), &["commit", "-q", "-m", "first"])?;
    Some(dir)
}

#[test]
fn version_names_the_commit_of_the_checkout_it_was_built_from() {
    let output = assert_cmd::Command::cargo_bin("logscan")
        .unwrap()
        .arg("--version")
        .output()
        .unwrap();
    assert!(output.status.success());
    let shown = String::from_utf8(output.stdout).unwrap();
    let version = env!("CARGO_PKG_VERSION");
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let head = Command::new("git")
        .arg("-C")
        .arg(crate_dir)
        .args(["rev-parse", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
    match head {
        Some(head) => assert_eq!(
            shown,
            format!("logscan {version} (commit {})\n", &head[..12]),
            "built from this checkout"
        ),
        None => assert_eq!(shown, format!("logscan {version}\n"), "no git here"),
    }
}

#[test]
fn outside_a_repository_there_is_no_commit() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("Cargo.toml"), "[package]\n").unwrap();
    assert!(git::checkout(dir.path()).is_none());
}

#[test]
fn a_checkout_gives_its_commit_and_the_files_that_change_when_head_moves() {
    let Some(repo) = repository() else {
        eprintln!("git is not installed: skipped");
        return;
    };
    let dir = repo.path();
    let first = git::checkout(dir).expect("a checkout");
    assert_eq!(
        first.commit,
        run_git(dir, &["rev-parse", "--short=12", "HEAD"]).unwrap()
    );
    let branch = dir.join(".git/refs/heads/main");
    assert!(first.watch.iter().any(|p| p.ends_with(".git/HEAD")));
    assert!(
        first.watch.iter().any(|p| p == &branch),
        "{:?}",
        first.watch
    );
    assert!(first.watch.iter().all(|p| p.is_file()));

    // A new commit moves the branch file the build script watches, and the commit shown.
    let before = fs::read_to_string(&branch).unwrap();
    fs::write(dir.join("Cargo.toml"), "[package]\nname = \"y\"\n").unwrap();
    run_git(dir, &["commit", "-q", "-am", "second"]).unwrap();
    assert_ne!(fs::read_to_string(&branch).unwrap(), before);
    let second = git::checkout(dir).expect("a checkout");
    assert_ne!(second.commit, first.commit);
    assert!(before.starts_with(&first.commit));
}

#[test]
fn a_packaged_copy_inside_a_checkout_has_no_commit() {
    let Some(repo) = repository() else {
        eprintln!("git is not installed: skipped");
        return;
    };
    // What `cargo package` leaves under target/package/: a crate the repository ignores.
    let packaged = repo.path().join("target/package/x-0.1.0");
    fs::create_dir_all(&packaged).unwrap();
    fs::write(packaged.join("Cargo.toml"), "[package]\nname = \"x\"\n").unwrap();
    assert!(git::checkout(repo.path()).is_some());
    assert!(git::checkout(&packaged).is_none());
}
