//! # logscan-parse
//!
//! Turns one line of an nginx, Apache httpd or PHP-FPM log, or of the CDN or load balancer
//! in front of them, into a typed [`Record`], and tells *why* an upstream request failed:
//! every error entry about an upstream, and every 5xx an edge logged, carries a [`Failure`]
//! with one of 31 stable [`Cause`] ids (`upstream_refused`, `upstream_timeout_read`,
//! `fpm_pool_exhausted`, `origin_error_response`, ...), the [`Phase`] it happened in, the
//! [`Errno`] and the upstream peer.
//!
//! Formats:
//! - nginx `error_log` (context fields split and typed, `*CID`, the `while <action>`
//!   phase, lines cut at 2047 bytes, multi-line FastCGI stderr entries), including the
//!   stream module's TCP/UDP lines and those of OpenResty, Kong, APISIX, Tengine and
//!   ingress-nginx builds; the cause comes from the message, errno and phase, whatever the
//!   context fields hold (`client: unix:`, an empty or redacted client);
//! - Apache httpd 2.4 error log (default layout, prefork and threaded, `[:error]`, AH codes,
//!   APR statuses before or after `[client ...]`, the `ErrorLogFormat` examples of httpd's
//!   documentation with their log ids), custom `ErrorLogFormat`s, 2.2, and mod_fcgid;
//! - error numbers and texts of Linux (glibc, musl), FreeBSD, macOS and Windows builds;
//! - the PHP-FPM master log;
//! - access logs from any nginx `log_format` (built in: `combined`, the ingress-nginx
//!   default) or Apache `LogFormat` (built in: `common`, `combined`), with nginx's
//!   multi-value `$upstream_*` fields typed, and trailing `key=value` timing pairs;
//! - edge logs ([`edge`]): HAProxy's HTTP log (plain or through syslog), AWS Application
//!   Load Balancer and CloudFront access logs, Cloudflare Logpush `http_requests` and Google
//!   Cloud load balancer request logs, each request an [`EdgeRecord`].
//!
//! [`Parser::parse`] takes one entry: a line, or an nginx error line with its
//! continuation lines. [`EntryReader`] ([`frame`]) splits a byte stream into entries with
//! the continuation rules of [`Parser::starts_entry`] and a size limit on every line and
//! entry; for files, rotated series, archives and parallel chunks, reach for the
//! `logscan-input` crate, which uses the same framing.
//!
//! Records borrow from the input (no allocation per line), input need not be UTF-8, and
//! parsing never panics: a line that does not fit is a [`ParseError`] saying what was
//! expected where. [`detect::detect`] picks the format of an input from its first lines.
//! [`Companions`] gives the client-side line of a failure logged on two lines (Apache's
//! `AH01114` after `AH00957`, ...) the cause of the line before it.
//!
//! ```
//! use logscan_parse::{Cause, Parser, Phase, Record, Zone};
//!
//! let parser = Parser::nginx_error();
//! let line = br#"2026/11/25 01:28:02 [error] 812#812: *97 upstream timed out (110: Connection timed out) while reading response header from upstream, client: 10.1.2.3, server: shop.example, request: "GET /checkout HTTP/1.1", upstream: "http://10.0.0.5:8080/checkout", host: "shop.example""#;
//!
//! match parser.parse(line) {
//!     Ok(Record::Error(entry)) => {
//!         let failure = entry.failure.expect("an upstream failure");
//!         assert_eq!(failure.cause, Cause::UpstreamTimeoutRead);
//!         assert_eq!(failure.cause.id(), "upstream_timeout_read");
//!         assert_eq!(failure.phase, Some(Phase::ReadHeader));
//!         assert_eq!(entry.connection, Some(97));
//!         assert_eq!(entry.client, Some(&b"10.1.2.3"[..]));
//!         // nginx writes local time without a zone: the caller picks one.
//!         let when = entry.time.expect("a timestamp").to_instant(&"Europe/Berlin".parse::<Zone>()?);
//!         assert_eq!(when.to_rfc3339(), "2026-11-25T01:28:02+01:00");
//!     }
//!     other => panic!("unexpected {other:?}"),
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod access;
mod apache_error;
mod bytes;
pub mod cause;
mod classify;
mod companion;
pub mod detect;
pub mod edge;
pub mod errno;
mod error;
mod fpm;
pub mod frame;
mod nginx_error;
mod parser;
mod record;
#[cfg(feature = "test-support")]
pub mod records;
#[cfg(test)]
mod test_support;
pub mod time;
pub mod word_search;

pub use cause::{Category, Cause, Phase, Severity};
pub use companion::Companions;
pub use edge::{Edge, EdgeRecord, EdgeTimings};
pub use errno::{CodeSpace, Errno, SysError};
pub use error::{FormatError, ParseError};
pub use frame::{Entry, EntryReader, ReaderConfig};
pub use parser::Parser;
pub use record::{
    AccessRecord, ErrorRecord, Failure, Format, Level, Record, Role, Server, UpstreamFields,
    UpstreamSummary, UpstreamValue, UpstreamValues,
};
pub use time::{Timestamp, Zone};

/// The `chrono` crate this crate's time types come from ([`Timestamp::to_instant`] gives a
/// `chrono::DateTime`), re-exported so that an embedder uses the very same version.
pub use chrono;

/// What an embedder cannot do, checked by `compile_fail` doc tests: the number helpers and
/// the calendar arithmetic are internals, errors are made only here, and the enums and
/// errors that grow (a cause, a format, a record kind, a severity) cannot be matched or
/// built as if they never would.
///
/// ```compile_fail
/// let _ = logscan_parse::parse_u16(b"502");
/// ```
/// ```compile_fail
/// let _ = logscan_parse::parse_seconds_us(b"0.004");
/// ```
/// ```compile_fail
/// let _ = logscan_parse::time::civil_from_days(0);
/// ```
/// ```compile_fail
/// let _ = logscan_parse::ParseError::new("a timestamp", 0);
/// ```
/// ```compile_fail
/// let _ = logscan_parse::ParseError { expected: "a timestamp", offset: 0 };
/// ```
/// ```compile_fail
/// use logscan_parse::Severity;
/// fn label(s: Severity) -> &'static str {
///     match s {
///         Severity::Info => "i",
///         Severity::Low => "l",
///         Severity::Medium => "m",
///         Severity::High => "h",
///         Severity::Critical => "c",
///     }
/// }
/// ```
/// ```compile_fail
/// use logscan_parse::Record;
/// fn kind(r: &Record<'_>) -> &'static str {
///     match r {
///         Record::Error(_) => "error",
///         Record::Access(_) => "access",
///         Record::Edge(_) => "edge",
///     }
/// }
/// ```
/// The same match with a wildcard arm compiles:
/// ```
/// use logscan_parse::Severity;
/// fn label(s: Severity) -> &'static str {
///     match s {
///         Severity::Critical => "c",
///         _ => "other",
///     }
/// }
/// assert_eq!(label(Severity::Critical), "c");
/// ```
#[cfg(doctest)]
struct NotPublicApi;
