//! The README shows the example that the crate documentation runs as a doc test (the first
//! code block of `src/lib.rs`), as docs.rs shows it: its hidden `# ` lines left out. Both
//! files are part of the package, so this also holds for a packaged copy.

use std::fs;
use std::path::Path;

/// The first fenced code block among `lines` whose info string is one of `kinds`.
fn first_block<'a>(lines: impl Iterator<Item = &'a str>, kinds: &[&str]) -> Option<Vec<&'a str>> {
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

/// The lines rustdoc shows: `# ` lines (and a lone `#`) hidden, `##` shown as `#`.
fn shown(lines: &[&str]) -> Vec<String> {
    lines
        .iter()
        .filter(|line| {
            let text = line.trim_start();
            text != "#" && !text.starts_with("# ")
        })
        .map(|line| match line.trim_start().strip_prefix("##") {
            Some(rest) => format!("{}#{rest}", &line[..line.len() - line.trim_start().len()]),
            None => (*line).to_owned(),
        })
        .collect()
}

#[test]
fn the_readme_shows_the_example_the_crate_docs_run() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let lib = fs::read_to_string(dir.join("src/lib.rs")).expect("src/lib.rs");
    let readme = fs::read_to_string(dir.join("README.md")).expect("README.md");
    let docs = lib.lines().filter_map(|line| {
        line.strip_prefix("//!")
            .map(|text| text.strip_prefix(' ').unwrap_or(text))
    });
    let example = first_block(docs, &["", "rust", "no_run"]).expect("an example in the crate docs");
    let in_readme = first_block(readme.lines(), &["rust"]).expect("a ```rust block in README.md");
    let expected = shown(&example);
    let differs =
        in_readme.len() != expected.len() || in_readme.iter().zip(&expected).any(|(a, b)| a != b);
    if differs {
        let line = in_readme
            .iter()
            .zip(&expected)
            .position(|(a, b)| a != b)
            .unwrap_or(in_readme.len().min(expected.len()));
        panic!(
            "README.md's example is not the one src/lib.rs runs (from its line {} on):\n  \
             README:   {:?}\n  lib.rs:   {:?}\n\
             copy the crate doc's example (without its hidden `# ` lines) into the README's \
             ```rust block",
            line + 1,
            in_readme.get(line),
            expected.get(line)
        );
    }
}
