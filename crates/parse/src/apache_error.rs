//! Apache httpd error log lines: 2.4 default, 2.2, and custom `ErrorLogFormat` (CAUSES.md 1.2, 1.3).

use crate::error::{FormatError, ParseError};
use crate::record::ErrorRecord;

/// Parses one line of the default 2.4 or 2.2 layout.
pub(crate) fn parse_default(line: &[u8]) -> Result<ErrorRecord<'_>, ParseError> {
    let _ = line;
    Err(ParseError::new(
        "Apache error line (parser not written yet)",
        0,
    ))
}

/// A compiled `ErrorLogFormat` string.
#[derive(Clone, Debug)]
pub(crate) struct ErrorLogFormat {
    source: String,
}

impl ErrorLogFormat {
    /// Compiles an `ErrorLogFormat` string.
    pub(crate) fn compile(source: &str) -> Result<ErrorLogFormat, FormatError> {
        Err(FormatError::new(
            format!("ErrorLogFormat not supported yet: {source}"),
            0,
        ))
    }

    /// The format string as given.
    pub(crate) fn source(&self) -> &str {
        &self.source
    }

    /// Parses one line written with this format.
    pub(crate) fn parse<'a>(&self, line: &'a [u8]) -> Result<ErrorRecord<'a>, ParseError> {
        let _ = line;
        Err(ParseError::new("custom Apache error line", 0))
    }
}
