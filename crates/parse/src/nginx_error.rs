//! nginx `error_log` lines (CAUSES.md 1.1).

use crate::error::ParseError;
use crate::record::ErrorRecord;

/// Parses one nginx error entry (a line, or a line plus its continuation lines).
pub(crate) fn parse(entry: &[u8]) -> Result<ErrorRecord<'_>, ParseError> {
    let _ = entry;
    Err(ParseError::new(
        "nginx error line (parser not written yet)",
        0,
    ))
}

/// Whether a physical line begins a new nginx error entry (`YYYY/MM/DD HH:MM:SS [`).
pub(crate) fn starts_entry(line: &[u8]) -> bool {
    let _ = line;
    true
}
