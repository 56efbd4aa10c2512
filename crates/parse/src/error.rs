//! Errors: a line that does not fit its format, a format string that cannot be compiled.

use std::fmt;

/// A line (or entry) that does not match the parser's format.
///
/// Parsing never panics; anything that does not fit is one of these, saying what was
/// expected and at which byte offset of the entry. Only this crate makes them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ParseError {
    /// What the parser expected, e.g. `"timestamp"` or `"'\"' closing the request"`.
    pub expected: &'static str,
    /// Byte offset in the entry where the mismatch was found.
    pub offset: usize,
}

impl ParseError {
    /// A new error.
    pub(crate) const fn new(expected: &'static str, offset: usize) -> ParseError {
        ParseError { expected, offset }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "expected {} at byte {}", self.expected, self.offset)
    }
}

impl std::error::Error for ParseError {}

/// A `log_format`, `LogFormat` or `ErrorLogFormat` string that cannot be used.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct FormatError {
    /// What is wrong.
    pub message: String,
    /// Byte offset in the format string.
    pub offset: usize,
}

impl FormatError {
    /// A new error.
    pub fn new(message: impl Into<String>, offset: usize) -> FormatError {
        FormatError {
            message: message.into(),
            offset,
        }
    }
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (at byte {} of the format)",
            self.message, self.offset
        )
    }
}

impl std::error::Error for FormatError {}
