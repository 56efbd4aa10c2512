//! Every library crate of the workspace (each directory next to this one with a
//! `src/lib.rs`) shows in its README the example its crate docs run.

use std::fs;
use std::path::Path;

use logscan_readme_check::check_crate;

#[test]
fn every_crate_readme_shows_the_example_its_crate_docs_run() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("crates/");
    let mut checked = Vec::new();
    let mut problems = Vec::new();
    let mut dirs: Vec<_> = fs::read_dir(crates)
        .expect("crates/ is readable")
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|dir| dir.join("src/lib.rs").is_file())
        .collect();
    dirs.sort();
    for dir in dirs {
        let name = dir
            .file_name()
            .expect("a name")
            .to_string_lossy()
            .into_owned();
        if let Err(problem) = check_crate(&dir) {
            problems.push(format!("crates/{name}: {problem}"));
        }
        checked.push(name);
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n\n"));
    // The libraries logscan publishes, and this crate: a directory walk that found fewer
    // would check nothing and pass.
    for expected in ["parse", "analyze", "render", "text", "live", "readme-check"] {
        assert!(
            checked.iter().any(|name| name == expected),
            "crates/{expected} was not checked (checked: {checked:?})"
        );
    }
}
