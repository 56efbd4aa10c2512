//! Where a directive is, and what went wrong where.

use std::fmt;
use std::path::{Path, PathBuf};

/// A line of a configuration file: `path:line`, 1-based.
///
/// The path is the one the server knows the file by (as written in `include` lines, or in the
/// `# configuration file` headers of `nginx -T` output), even when the tree was read from
/// another place (see [`Options::rebase`](crate::Options::rebase)).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Place {
    /// The file.
    pub path: PathBuf,
    /// The line, 1-based.
    pub line: u32,
}

impl Place {
    /// A place in `path` at `line`.
    pub fn new(path: impl Into<PathBuf>, line: u32) -> Place {
        Place {
            path: path.into(),
            line,
        }
    }
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.path.display(), self.line)
    }
}

/// Something met while reading a configuration: what was expected and where. Reading goes
/// on after a warning; whatever could be read is still returned.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Warning {
    /// The file.
    pub path: PathBuf,
    /// The line, when the problem is at one (not for a file that cannot be opened at all).
    pub line: Option<u32>,
    /// What went wrong, in plain words. Text quoted from the file has its control
    /// characters escaped, so the message is safe to print.
    pub message: String,
    /// Whether the server itself would refuse this, or accepts it silently.
    pub severity: Severity,
}

/// How much a [`Warning`] matters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Severity {
    /// Accepted by the server, worth knowing (an `include` glob that matches no file).
    Note,
    /// The server would refuse it or it could not be read (syntax errors, unreadable or
    /// missing files, include cycles): part of the configuration may be missing.
    Problem,
}

impl Warning {
    pub(crate) fn at(path: &Path, line: u32, message: impl Into<String>) -> Warning {
        Warning {
            path: path.to_path_buf(),
            line: Some(line),
            message: message.into(),
            severity: Severity::Problem,
        }
    }

    pub(crate) fn note(path: &Path, line: u32, message: impl Into<String>) -> Warning {
        Warning {
            severity: Severity::Note,
            ..Warning::at(path, line, message)
        }
    }

    pub(crate) fn file(path: &Path, message: impl Into<String>) -> Warning {
        Warning {
            path: path.to_path_buf(),
            line: None,
            message: message.into(),
            severity: Severity::Problem,
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.path.display(), line, self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

impl std::error::Error for Warning {}

/// Text from a configuration file, shortened and with control characters escaped, for
/// messages (a file may hold anything, and messages end up on terminals).
pub(crate) fn quote_text(text: &str) -> String {
    const MAX: usize = 60;
    let mut out = String::new();
    for (n, c) in text.chars().enumerate() {
        if n == MAX {
            out.push_str("...");
            break;
        }
        if c.is_control() || is_invisible(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// Format and bidirectional characters that change how a terminal shows the text around
/// them.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00ad}' | '\u{061c}' | '\u{180e}' | '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}'
        | '\u{2060}'..='\u{206f}' | '\u{feff}' | '\u{fff9}'..='\u{fffb}' | '\u{e0000}'..='\u{e007f}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_and_warnings_print_like_a_compiler() {
        assert_eq!(
            Place::new("/etc/nginx/nginx.conf", 14).to_string(),
            "/etc/nginx/nginx.conf:14"
        );
        let w = Warning::at(Path::new("a.conf"), 3, "unexpected \"}\"");
        assert_eq!(w.to_string(), "a.conf:3: unexpected \"}\"");
        let w = Warning::file(Path::new("b.conf"), "permission denied");
        assert_eq!(w.to_string(), "b.conf: permission denied");
    }

    #[test]
    fn quoted_text_cannot_act_on_a_terminal() {
        let q = quote_text("a\u{1b}[2Jb\u{202e}c\u{9b}");
        assert!(
            !q.chars().any(|c| c.is_control() || c == '\u{202e}'),
            "{q:?}"
        );
        assert!(q.contains("\\u{1b}[2J"), "{q}");
        assert_eq!(quote_text(&"x".repeat(100)).len(), 63);
    }
}
