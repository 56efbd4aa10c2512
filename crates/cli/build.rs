//! `logscan --version` says which commit the binary was built from when it is built from a
//! git checkout (`logscan 0.1.0 (commit 3df312b1a2c4)`), and only the version otherwise
//! (a crates.io download, a source tarball, no git installed).

#[path = "build/git.rs"]
mod git;

use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=build/git.rs");
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    let dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    match git::checkout(&dir) {
        Some(checkout) => {
            for path in &checkout.watch {
                println!("cargo:rerun-if-changed={}", path.display());
            }
            println!(
                "cargo:rustc-env=LOGSCAN_VERSION={version} (commit {})",
                checkout.commit
            );
        }
        None => println!("cargo:rustc-env=LOGSCAN_VERSION={version}"),
    }
}
