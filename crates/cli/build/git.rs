//! Which git commit a build comes from, for `logscan --version`. Shared by the build script
//! and the tests (`tests/version.rs`).

use std::path::{Path, PathBuf};
use std::process::Command;

/// The commit a crate directory is checked out at.
#[derive(Debug)]
pub struct Checkout {
    /// `git rev-parse --short=12 HEAD`.
    pub commit: String,
    /// The files that change when HEAD moves (HEAD itself, the branch's ref, packed-refs),
    /// for `cargo:rerun-if-changed`; only ones that exist, since a missing one would make
    /// cargo rerun the build script, and rebuild the binary, every time.
    pub watch: Vec<PathBuf>,
}

/// The checkout `dir` belongs to, or `None` when `dir` is not a tracked part of a git
/// repository: no git, no repository, or a packaged copy of the crate (from crates.io, or
/// under `target/package/` inside a checkout, where the repository does not track it).
pub fn checkout(dir: &Path) -> Option<Checkout> {
    git(dir, &["ls-files", "--error-unmatch", "Cargo.toml"])?;
    let commit = git(dir, &["rev-parse", "--short=12", "HEAD"])?;
    let mut watch = vec![git_path(dir, "HEAD")?, git_path(dir, "packed-refs")?];
    if let Some(branch) = git(dir, &["symbolic-ref", "-q", "HEAD"]) {
        watch.extend(git_path(dir, &branch));
    }
    watch.retain(|path| path.is_file());
    Some(Checkout { commit, watch })
}

/// A file in the repository's git directory (worktrees keep HEAD in their own directory
/// and branches in the common one: `git rev-parse --git-path` knows which).
fn git_path(dir: &Path, name: &str) -> Option<PathBuf> {
    git(dir, &["rev-parse", "--git-path", name]).map(|path| dir.join(path))
}

/// What `git -C dir args...` prints, trimmed, if it ran and succeeded.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    let text = text.trim();
    (output.status.success() && !text.is_empty()).then(|| text.to_owned())
}
