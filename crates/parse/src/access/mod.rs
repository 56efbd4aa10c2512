//! Access logs from format strings: nginx `log_format`, Apache `LogFormat`, ingress-nginx.

use crate::error::{FormatError, ParseError};
use crate::record::{AccessRecord, Format};

/// A compiled access-log format.
#[derive(Clone, Debug)]
pub(crate) struct AccessFormat {
    format: Format,
    source: String,
}

impl AccessFormat {
    pub(crate) fn nginx(log_format: &str) -> Result<AccessFormat, FormatError> {
        Err(FormatError::new(
            format!("not supported yet: {log_format}"),
            0,
        ))
    }
    pub(crate) fn apache(log_format: &str) -> Result<AccessFormat, FormatError> {
        Err(FormatError::new(
            format!("not supported yet: {log_format}"),
            0,
        ))
    }
    pub(crate) fn detect_syntax(log_format: &str) -> Result<AccessFormat, FormatError> {
        AccessFormat::nginx(log_format)
    }
    pub(crate) fn nginx_combined() -> AccessFormat {
        AccessFormat {
            format: Format::NginxAccess,
            source: "combined".into(),
        }
    }
    pub(crate) fn ingress_nginx() -> AccessFormat {
        AccessFormat {
            format: Format::NginxAccess,
            source: "upstreaminfo".into(),
        }
    }
    pub(crate) fn apache_combined() -> AccessFormat {
        AccessFormat {
            format: Format::ApacheAccess,
            source: "combined".into(),
        }
    }
    pub(crate) fn format(&self) -> Format {
        self.format
    }
    pub(crate) fn source(&self) -> &str {
        &self.source
    }
    pub(crate) fn parse<'a>(&self, line: &'a [u8]) -> Result<AccessRecord<'a>, ParseError> {
        let _ = line;
        Err(ParseError::new("access line (parser not written yet)", 0))
    }
}
