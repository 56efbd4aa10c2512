//! Choosing the format of an input from its first lines.

use crate::parser::Parser;

/// The outcome of format detection.
#[derive(Clone, Debug)]
pub struct Detection {
    /// The parser that read the sample best.
    pub parser: Parser,
    /// How many sample lines it parsed.
    pub matched: usize,
    /// How many non-empty sample lines there were.
    pub sampled: usize,
}

/// Picks the parser that reads the most of `sample` (the first lines of an input, without
/// line terminators). `path` (the file name, if any) breaks ties such as nginx vs Apache
/// `combined` access logs. `candidates` are extra parsers to try first (user-given
/// `--log-format` strings). `None` if no parser reads any sample line.
pub fn detect(sample: &[&[u8]], path: Option<&str>, candidates: &[Parser]) -> Option<Detection> {
    let _ = (sample, path, candidates);
    None
}
