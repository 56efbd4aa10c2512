//! # logscan-readme-check
//!
//! Every library crate of logscan shows, in its README, the example that opens its crate
//! docs in `src/lib.rs`, which `cargo test` runs as a doc test. This crate compares the two
//! as docs.rs shows the example: the doc test's hidden `# ` lines left out, `##` shown as
//! `#`. Its test (`tests/readmes.rs`) checks every crate directory next to it, so a README
//! example cannot drift from the code it claims to run, and a new crate is checked without
//! being registered anywhere.
//!
//! ```
//! use logscan_readme_check::compare;
//!
//! let lib_rs = "//! # demo\n//!\n//! ```\n//! # let hidden = 1;\n//! assert_eq!(2 + 2, 4);\n//! ```\n";
//! let readme = "# demo\n\n```rust\nassert_eq!(2 + 2, 4);\n```\n";
//! assert!(compare(readme, lib_rs).is_ok());
//!
//! let stale = "# demo\n\n```rust\nassert_eq!(2 + 2, 5);\n```\n";
//! let problem = compare(stale, lib_rs).unwrap_err();
//! assert!(problem.contains("from its line 1 on"));
//! ```
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

use std::fs;
use std::path::Path;

/// The info strings of a crate-doc code block that rustdoc runs (or compiles) as Rust.
const DOC_KINDS: &[&str] = &["", "rust", "no_run"];

/// The first fenced code block among `lines` whose info string is one of `kinds`, without
/// its fences; `None` when there is none (or it is not closed).
pub fn first_block<'a>(
    lines: impl IntoIterator<Item = &'a str>,
    kinds: &[&str],
) -> Option<Vec<&'a str>> {
    let mut block = None;
    for line in lines {
        let fence = line.trim_start().strip_prefix("```");
        match (&mut block, fence) {
            (None, Some(info)) if kinds.contains(&info.trim()) => block = Some(Vec::new()),
            (Some(_), Some(_)) => return block,
            (Some(block), None) => block.push(line),
            _ => {}
        }
    }
    None
}

/// The lines of a doc-test block as rustdoc shows them: `# ` lines (and a lone `#`)
/// hidden, `##` shown as `#`.
pub fn shown(lines: &[&str]) -> Vec<String> {
    lines
        .iter()
        .filter(|line| {
            let text = line.trim_start();
            text != "#" && !text.starts_with("# ")
        })
        .map(|line| {
            let indent = &line[..line.len() - line.trim_start().len()];
            match line.trim_start().strip_prefix("##") {
                Some(rest) => format!("{indent}#{rest}"),
                None => (*line).to_owned(),
            }
        })
        .collect()
}

/// The example a crate's docs open with: the first code block of the `//!` lines of
/// `lib_rs`, as rustdoc shows it.
pub fn crate_example(lib_rs: &str) -> Option<Vec<String>> {
    let docs = lib_rs.lines().filter_map(|line| {
        line.strip_prefix("//!")
            .map(|text| text.strip_prefix(' ').unwrap_or(text))
    });
    first_block(docs, DOC_KINDS).map(|block| shown(&block))
}

/// Whether `readme`'s first ```` ```rust ```` block is the example `lib_rs` opens its docs
/// with; otherwise what differs, from which line of the README's block on.
pub fn compare(readme: &str, lib_rs: &str) -> Result<(), String> {
    let expected = crate_example(lib_rs).ok_or("src/lib.rs: no example in the crate docs")?;
    let in_readme = first_block(readme.lines(), &["rust"]).ok_or("README.md: no ```rust block")?;
    let first_difference = in_readme
        .iter()
        .zip(&expected)
        .position(|(a, b)| a != b)
        .or((in_readme.len() != expected.len()).then(|| in_readme.len().min(expected.len())));
    match first_difference {
        None => Ok(()),
        Some(line) => Err(format!(
            "README.md's example is not the one src/lib.rs runs (from its line {} on):\n  \
             README:   {:?}\n  lib.rs:   {:?}\n\
             copy the crate doc's example (without its hidden `# ` lines) into the README's \
             ```rust block",
            line + 1,
            in_readme.get(line),
            expected.get(line)
        )),
    }
}

/// [`compare`] for the crate in directory `dir` (its `README.md` and `src/lib.rs`).
pub fn check_crate(dir: &Path) -> Result<(), String> {
    let read = |name: &str| {
        fs::read_to_string(dir.join(name)).map_err(|e| format!("{name}: cannot read it: {e}"))
    };
    compare(&read("README.md")?, &read("src/lib.rs")?)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIB: &str = "//! # demo
//!
//! Text before the example.
//!
//! ```
//! # fn main() -> Result<(), String> {
//! use demo::Thing;
//! ## not hidden: a Rust attribute-like line
//! #
//! let x = Thing::new();
//! # Ok(())
//! # }
//! ```
//!
//! ```
//! second_block_is_ignored();
//! ```
#![deny(missing_docs)]
";

    #[test]
    fn the_example_is_shown_as_rustdoc_shows_it() {
        assert_eq!(
            crate_example(LIB).unwrap(),
            [
                "use demo::Thing;",
                "# not hidden: a Rust attribute-like line",
                "let x = Thing::new();"
            ]
        );
        assert_eq!(crate_example("//! no example\nfn f() {}\n"), None);
        // An unclosed block is not an example.
        assert_eq!(crate_example("//! ```\n//! open();\n"), None);
        // Indented hidden lines are hidden too, and `##` keeps its indentation.
        assert_eq!(shown(&["    # hidden", "    ## shown"]), ["    # shown"]);
    }

    #[test]
    fn the_same_example_passes() {
        let readme = "# demo\n\nWords.\n\n```toml\n[dependencies]\n```\n\n```rust\nuse demo::Thing;\n# not hidden: a Rust attribute-like line\nlet x = Thing::new();\n```\n";
        assert_eq!(compare(readme, LIB), Ok(()));
    }

    #[test]
    fn a_changed_missing_or_extra_line_fails_and_says_where() {
        let changed = "```rust\nuse demo::Thing;\n# not hidden: a Rust attribute-like line\nlet x = Thing::old();\n```\n";
        let error = compare(changed, LIB).unwrap_err();
        assert!(error.contains("from its line 3 on"), "{error}");
        assert!(error.contains("Thing::old()") && error.contains("Thing::new()"));

        let shorter = "```rust\nuse demo::Thing;\n```\n";
        assert!(
            compare(shorter, LIB)
                .unwrap_err()
                .contains("from its line 2 on")
        );
        let longer = "```rust\nuse demo::Thing;\n# not hidden: a Rust attribute-like line\nlet x = Thing::new();\nextra();\n```\n";
        assert!(
            compare(longer, LIB)
                .unwrap_err()
                .contains("from its line 4 on")
        );
    }

    #[test]
    fn a_readme_or_crate_doc_without_an_example_fails() {
        assert!(
            compare("no code here\n", LIB)
                .unwrap_err()
                .contains("README.md")
        );
        // A ```toml or ```sh block is not the example.
        assert!(compare("```sh\ncargo add demo\n```\n", LIB).is_err());
        assert!(
            compare("```rust\nx\n```\n", "//! none\n")
                .unwrap_err()
                .contains("src/lib.rs")
        );
    }
}
