//! Helpers shared by the CLI integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The fixture corpus: `$LOGSCAN_FIXTURES` (a fresh capture, see scripts/test) or the one
/// committed at the repository root.
pub fn fixtures() -> PathBuf {
    std::env::var_os("LOGSCAN_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures"))
}

/// The `logscan` binary, with a fixed environment (no colour decisions from the outside).
pub fn logscan() -> Command {
    let mut cmd = Command::cargo_bin("logscan").expect("logscan binary");
    cmd.env_remove("NO_COLOR")
        .env_remove("LOGSCAN_NOW")
        .env("TZ", "UTC");
    cmd
}

/// What `wc -l` counts, plus one for a last line without newline.
pub fn wc_lines(path: &Path) -> u64 {
    let bytes = std::fs::read(path).unwrap_or_default();
    let newlines = bytes.iter().filter(|&&b| b == b'\n').count() as u64;
    newlines + u64::from(!bytes.is_empty() && !bytes.ends_with(b"\n"))
}
