//! PHP-FPM master log lines (CAUSES.md 1.4, 2.8).

use crate::error::ParseError;
use crate::record::ErrorRecord;

/// Parses one PHP-FPM log line.
pub(crate) fn parse(line: &[u8]) -> Result<ErrorRecord<'_>, ParseError> {
    let _ = line;
    Err(ParseError::new("PHP-FPM line (parser not written yet)", 0))
}
