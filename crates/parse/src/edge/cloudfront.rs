//! Amazon CloudFront standard (access) logs.
//!
//! Tab-separated fields, UTC, one file per delivery that starts with two header lines
//! (CloudFront Developer Guide, "Standard logging", log file format):
//!
//! ```text
//! #Version: 1.0
//! #Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status ...
//! ```
//!
//! The columns are read from the `#Fields:` line the parser is built with
//! ([`Columns::from_fields_line`]); newer logs add fields (`distribution-tenant-id`,
//! `connection-id`) while the documentation still lists 33. A file without a `#Fields:`
//! line is read in the documented default order ([`DEFAULT_FIELDS`]). Field values keep
//! CloudFront's URL encoding (`%20`).
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use crate::bytes::{find, tail};
use crate::edge::classify;
use crate::edge::text::{present, seconds_us};
use crate::edge::{Edge, EdgeRecord};
use crate::error::ParseError;
use crate::record::parse_u64;
use crate::time::Timestamp;

/// The documented field order of the standard log (33 fields).
pub(crate) const DEFAULT_FIELDS: &str = "date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end";

/// The fields logscan reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Field {
    Date,
    Time,
    EdgeLocation,
    ScBytes,
    ClientIp,
    Method,
    CsHost,
    UriStem,
    Status,
    Referer,
    UserAgent,
    ResultType,
    RequestId,
    HostHeader,
    Protocol,
    TimeTaken,
    ResponseResultType,
    ProtocolVersion,
    ClientPort,
    TimeToFirstByte,
    DetailedResultType,
}

const NAMES: [(&str, Field); 21] = [
    ("date", Field::Date),
    ("time", Field::Time),
    ("x-edge-location", Field::EdgeLocation),
    ("sc-bytes", Field::ScBytes),
    ("c-ip", Field::ClientIp),
    ("cs-method", Field::Method),
    ("cs(Host)", Field::CsHost),
    ("cs-uri-stem", Field::UriStem),
    ("sc-status", Field::Status),
    ("cs(Referer)", Field::Referer),
    ("cs(User-Agent)", Field::UserAgent),
    ("x-edge-result-type", Field::ResultType),
    ("x-edge-request-id", Field::RequestId),
    ("x-host-header", Field::HostHeader),
    ("cs-protocol", Field::Protocol),
    ("time-taken", Field::TimeTaken),
    ("x-edge-response-result-type", Field::ResponseResultType),
    ("cs-protocol-version", Field::ProtocolVersion),
    ("c-port", Field::ClientPort),
    ("time-to-first-byte", Field::TimeToFirstByte),
    ("x-edge-detailed-result-type", Field::DetailedResultType),
];

/// Most columns a `#Fields:` line may name (CloudFront has 35 today).
const MAX_COLUMNS: usize = 128;

/// Which column holds which field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Columns {
    /// The field of each column (`None`: a column logscan does not read).
    by_column: Vec<Option<Field>>,
    /// How many columns a line has at least (through `sc-status`).
    required: usize,
}

impl Default for Columns {
    fn default() -> Self {
        Columns::from_names(DEFAULT_FIELDS)
    }
}

impl Columns {
    fn from_names(names: &str) -> Columns {
        let by_column: Vec<Option<Field>> = names
            .split_ascii_whitespace()
            .take(MAX_COLUMNS)
            .map(|name| NAMES.iter().find(|(n, _)| *n == name).map(|(_, f)| *f))
            .collect();
        let required = by_column
            .iter()
            .rposition(|f| matches!(f, Some(Field::Status)))
            .map_or(0, |i| i + 1);
        Columns {
            by_column,
            required,
        }
    }

    /// The columns a `#Fields: ...` line names; `None` if the line is not one, or does not
    /// name `date`, `time` and `sc-status`.
    pub(crate) fn from_fields_line(line: &[u8]) -> Option<Columns> {
        let names = line.strip_prefix(b"#Fields:")?;
        let names = std::str::from_utf8(names).ok()?;
        let columns = Columns::from_names(names);
        [Field::Date, Field::Time, Field::Status]
            .iter()
            .all(|f| columns.by_column.contains(&Some(*f)))
            .then_some(columns)
    }
}

/// Parses one line of a CloudFront standard log with the given columns.
pub(crate) fn parse<'a>(line: &'a [u8], columns: &Columns) -> Result<EdgeRecord<'a>, ParseError> {
    if line.first() == Some(&b'#') {
        if line.starts_with(b"#Version:") || line.starts_with(b"#Fields:") {
            let mut rec = EdgeRecord::new(Edge::CloudFront);
            rec.header = true;
            return Ok(rec);
        }
        return Err(ParseError::new("#Version: or #Fields:", 0));
    }
    let mut rec = EdgeRecord::new(Edge::CloudFront);
    let mut date: Option<&[u8]> = None;
    let mut time: Option<&[u8]> = None;
    let mut status: Option<&[u8]> = None;
    let mut result_type: Option<&[u8]> = None;
    let mut response_result: Option<&[u8]> = None;
    let mut detailed: Option<&[u8]> = None;
    let mut cs_host: Option<&[u8]> = None;
    let mut columns_seen = 0;
    for (i, value) in line.split(|&b| b == b'\t').enumerate() {
        columns_seen = i + 1;
        let Some(Some(field)) = columns.by_column.get(i) else {
            continue;
        };
        let value = present(value);
        match field {
            Field::Date => date = value,
            Field::Time => time = value,
            Field::EdgeLocation => rec.listener = value,
            Field::ScBytes => rec.bytes_sent = value.and_then(parse_u64),
            Field::ClientIp => rec.client = value,
            Field::Method => rec.method = value,
            Field::CsHost => cs_host = value,
            Field::UriStem => rec.target = value,
            Field::Status => status = value,
            Field::Referer => rec.referer = value,
            Field::UserAgent => rec.user_agent = value,
            Field::ResultType => result_type = value,
            Field::RequestId => rec.trace_id = value,
            Field::HostHeader => rec.host = value,
            Field::Protocol => rec.scheme = value,
            Field::TimeTaken => rec.duration_us = value.and_then(seconds_us),
            Field::ResponseResultType => response_result = value,
            Field::ProtocolVersion => rec.protocol = value,
            Field::ClientPort => {
                rec.client_port = value
                    .and_then(parse_u64)
                    .and_then(|n| u16::try_from(n).ok());
            }
            Field::TimeToFirstByte => rec.timings.origin_us = value.and_then(seconds_us),
            Field::DetailedResultType => detailed = value,
        }
    }
    if columns_seen < columns.required {
        return Err(ParseError::new(
            "the tab-separated fields of the #Fields: line (through sc-status)",
            line.len(),
        ));
    }
    let (Some(date), Some(time)) = (date, time) else {
        return Err(ParseError::new("date and time (2019-12-13\t22:36:27)", 0));
    };
    rec.time = Some(
        date_time(date, time).ok_or(ParseError::new("date and time (2019-12-13\t22:36:27)", 0))?,
    );
    rec.status = match status {
        Some(s) if s.len() == 3 => parse_u64(s).and_then(|n| u16::try_from(n).ok()),
        _ => None,
    };
    if rec.status.is_none() {
        return Err(ParseError::new(
            "sc-status (a three-digit number)",
            find(line, b"\t").unwrap_or(0),
        ));
    }
    if rec.host.is_none() {
        rec.host = cs_host;
    }
    // `Error` with a response result type other than `Error`: the viewer left during the
    // download (not a failure of the origin); the detailed type is the most precise.
    rec.result = result_type;
    rec.reason = detailed.or(response_result).or(result_type);
    rec.failure = classify::cloudfront(&rec);
    Ok(rec)
}

/// `2019-12-13` and `22:36:27`, UTC.
fn date_time(date: &[u8], time: &[u8]) -> Option<Timestamp> {
    let num = |s: &[u8]| -> Option<u32> {
        if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
            return None;
        }
        u32::try_from(parse_u64(s)?).ok()
    };
    let mut d = date.split(|&b| b == b'-');
    let (year, month, day) = (d.next()?, d.next()?, d.next()?);
    if d.next().is_some() || year.len() != 4 {
        return None;
    }
    let mut t = time.split(|&b| b == b':');
    let (hour, minute, second) = (t.next()?, t.next()?, t.next()?);
    if t.next().is_some() {
        return None;
    }
    // Seconds may carry a fraction in real-time-style exports.
    let (second, micros) = match memchr::memchr(b'.', second) {
        Some(dot) => (
            crate::bytes::head(second, dot),
            seconds_us(tail(second, dot))
                .and_then(|us| u32::try_from(us).ok())
                .unwrap_or(0),
        ),
        None => (second, 0),
    };
    Timestamp::from_parts(
        i32::try_from(num(year)?).ok()?,
        num(month)?,
        num(day)?,
        num(hour)?,
        num(minute)?,
        num(second)?,
        micros,
        Some(0),
    )
}
