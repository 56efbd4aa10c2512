//! [`InputError`]: a problem with one input, named by its path.

use std::fmt;
use std::io;

/// A problem with one input: it could not be found, opened, listed or read.
///
/// `Display` gives `path:line: reason` when the line is known, `path: byte N: reason` when
/// only the byte offset is, and `path: reason` otherwise — the form compilers and grep use,
/// so editors and terminals can jump to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    /// The path as the user gave it (or as found under a directory they gave), lossy UTF-8;
    /// `-` for standard input.
    pub path: String,
    /// 1-based physical line number, if the problem is at a known line.
    pub line: Option<u64>,
    /// Byte offset in the (decompressed) stream, if known.
    pub offset: Option<u64>,
    /// What went wrong, in words (for I/O errors the operating system's reason).
    pub reason: String,
    /// True if an input the user asked for could not be read at all (the CLI exits 2);
    /// false for notes such as a symlink loop that was not followed.
    pub fatal: bool,
}

impl InputError {
    /// A fatal problem with `path` (no line or offset).
    pub fn fatal(path: impl Into<String>, reason: impl Into<String>) -> Self {
        InputError {
            path: path.into(),
            line: None,
            offset: None,
            reason: reason.into(),
            fatal: true,
        }
    }

    /// A non-fatal note about `path`: something was skipped, the rest goes on.
    pub fn note(path: impl Into<String>, reason: impl Into<String>) -> Self {
        InputError {
            fatal: false,
            ..InputError::fatal(path, reason)
        }
    }

    /// A fatal problem from an I/O error, with the operating system's reason.
    pub fn io(path: impl Into<String>, err: &io::Error) -> Self {
        InputError::fatal(path, io_reason(err))
    }

    /// The same problem, placed at a 1-based line.
    #[must_use]
    pub fn at_line(mut self, line: u64) -> Self {
        self.line = Some(line);
        self
    }

    /// The same problem, placed at a byte offset.
    #[must_use]
    pub fn at_offset(mut self, offset: u64) -> Self {
        self.offset = Some(offset);
        self
    }
}

/// The reason text of an I/O error: the OS message without Rust's `(os error N)` suffix.
pub(crate) fn io_reason(err: &io::Error) -> String {
    let text = err.to_string();
    match text.rfind(" (os error ") {
        Some(i) if text.ends_with(')') => text[..i].to_string(),
        _ => text,
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.offset) {
            (Some(line), _) => write!(f, "{}:{}: {}", self.path, line, self.reason),
            (None, Some(offset)) => write!(f, "{}: byte {}: {}", self.path, offset, self.reason),
            (None, None) => write!(f, "{}: {}", self.path, self.reason),
        }
    }
}

impl std::error::Error for InputError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_forms() {
        let e = InputError::fatal("a.log", "No such file or directory");
        assert_eq!(e.to_string(), "a.log: No such file or directory");
        assert_eq!(
            e.clone().at_line(7).to_string(),
            "a.log:7: No such file or directory"
        );
        assert_eq!(
            e.clone().at_offset(99).to_string(),
            "a.log: byte 99: No such file or directory"
        );
        assert_eq!(
            e.at_offset(99).at_line(3).to_string(),
            "a.log:3: No such file or directory"
        );
        assert!(!InputError::note("d", "x").fatal);
    }

    #[test]
    fn io_reason_strips_os_error_code() {
        let err = io::Error::from_raw_os_error(2);
        assert_eq!(io_reason(&err), "No such file or directory");
        let custom = io::Error::other("file shrank");
        assert_eq!(io_reason(&custom), "file shrank");
    }
}
