//! The shape of what a state serialises is pinned to its format version: a field added to
//! the analyzer (or removed, renamed, reordered, retyped) changes the shape, and then this
//! test fails until `FORMAT_VERSION` is bumped, so an old state is refused, never misread.
//!
//! The shape is written down by a serde serializer (tests/common/shape.rs) from the
//! canonical state (tests/common/mod.rs) and kept, one file per version, in tests/shape/.

mod common;

use std::path::PathBuf;

use logscan_state::{FORMAT_VERSION, Settings};

fn shape_file(version: u32) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("tests/shape/v{version}.txt"))
}

/// Every place in the analyzer and the header's settings, with what is there.
fn shape() -> String {
    let analyzer = common::canonical();
    let settings = Settings::of(&analyzer.config());
    let mut shape = common::shape::of(&(analyzer, settings));
    // The samples of marks are byte strings to serde: their columns are listed here.
    for layout in logscan_analyze::Analyzer::sample_layouts() {
        shape.push_str(&format!("sample columns: {layout}\n"));
    }
    shape
}

#[test]
fn the_serialised_shape_belongs_to_the_format_version() {
    let now = shape();
    let path = shape_file(FORMAT_VERSION);
    if std::env::var_os("LOGSCAN_WRITE_SHAPE").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &now).unwrap();
    }
    let pinned = std::fs::read_to_string(&path).unwrap_or_default();
    if pinned != now {
        let changed: Vec<String> = diff(&pinned, &now);
        panic!(
            "The shape of what a state file serialises changed, but FORMAT_VERSION is still {FORMAT_VERSION}.\n\
             States written before this change would be misread. Bump FORMAT_VERSION in\n\
             crates/state/src/lib.rs, then record the new shape with\n\
             \n    LOGSCAN_WRITE_SHAPE=1 cargo test -p logscan-state --test shape\n\n\
             (it writes {}). Lines that differ (- pinned, + now):\n{}",
            shape_file(FORMAT_VERSION).display(),
            changed.join("\n")
        );
    }
}

#[test]
fn an_older_version_had_another_shape() {
    // A bump without a shape file of its own, or a shape file copied, says nothing.
    let now = shape();
    for version in (1..=FORMAT_VERSION).rev().skip(1) {
        if let Ok(old) = std::fs::read_to_string(shape_file(version)) {
            assert_ne!(
                old, now,
                "v{version}.json has the shape of v{FORMAT_VERSION}"
            );
        }
    }
}

/// Lines only in `a` (-) and only in `b` (+), in order: enough to see the field.
fn diff(a: &str, b: &str) -> Vec<String> {
    let (a_lines, b_lines): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    let mut out: Vec<String> = a_lines
        .iter()
        .filter(|l| !b_lines.contains(l))
        .map(|l| format!("- {l}"))
        .collect();
    out.extend(
        b_lines
            .iter()
            .filter(|l| !a_lines.contains(l))
            .map(|l| format!("+ {l}")),
    );
    if out.is_empty() {
        out.push("(the same lines in another order)".to_owned());
    }
    out
}
