//! Cloudflare Logpush, dataset `http_requests`, in its default NDJSON output.
//!
//! One JSON object per line with the fields the Logpush job selected
//! (cloudflare-docs, `logs/logpush/logpush-job/datasets/zone/http_requests`):
//!
//! ```json
//! {"EdgeStartTimestamp":1506702504433000200,"EdgeEndTimestamp":1506702504523000200,"EdgeResponseStatus":522,"OriginResponseStatus":0,"OriginIP":"203.0.113.7","ClientIP":"198.51.100.4","ClientRequestHost":"shop.example","ClientRequestMethod":"GET","ClientRequestURI":"/api/items","RayID":"3a6050bcbe121a87"}
//! ```
//!
//! Times may be in any `timestamp_format` (`unixnano`, `unix`, `unixmilli`, `rfc3339`;
//! numbers or strings). A job may leave any field out; the line must be a JSON object with
//! at least one `http_requests` field, and the fields logscan types (times, statuses, the
//! host and the URI) must have the documented JSON types, else the line is not recognized
//! (the other fields are ignored when mistyped).
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::edge::classify;
use crate::edge::json::{Wrong, integer, string, time};
use crate::edge::text::{between_us, split_url};
use crate::edge::{Edge, EdgeRecord};
use crate::error::ParseError;

/// The fields read; every other field is skipped.
#[derive(Deserialize)]
#[allow(non_snake_case)] // Cloudflare's own field names
struct Line<'a> {
    #[serde(borrow)]
    EdgeStartTimestamp: Option<&'a RawValue>,
    #[serde(borrow)]
    EdgeEndTimestamp: Option<&'a RawValue>,
    #[serde(borrow)]
    EdgeResponseStatus: Option<&'a RawValue>,
    #[serde(borrow)]
    OriginResponseStatus: Option<&'a RawValue>,
    #[serde(borrow)]
    OriginIP: Option<&'a RawValue>,
    #[serde(borrow)]
    ClientIP: Option<&'a RawValue>,
    #[serde(borrow)]
    ClientSrcPort: Option<&'a RawValue>,
    #[serde(borrow)]
    ClientRequestHost: Option<&'a RawValue>,
    #[serde(borrow)]
    ClientRequestMethod: Option<&'a RawValue>,
    #[serde(borrow)]
    ClientRequestURI: Option<&'a RawValue>,
    #[serde(borrow)]
    ClientRequestPath: Option<&'a RawValue>,
    #[serde(borrow)]
    ClientRequestProtocol: Option<&'a RawValue>,
    #[serde(borrow)]
    ClientRequestScheme: Option<&'a RawValue>,
    #[serde(borrow)]
    ClientRequestUserAgent: Option<&'a RawValue>,
    #[serde(borrow)]
    ClientRequestReferer: Option<&'a RawValue>,
    #[serde(borrow)]
    EdgeRequestHost: Option<&'a RawValue>,
    #[serde(borrow)]
    EdgeResponseBytes: Option<&'a RawValue>,
    #[serde(borrow)]
    RayID: Option<&'a RawValue>,
    #[serde(borrow)]
    CacheCacheStatus: Option<&'a RawValue>,
    #[serde(borrow)]
    WorkerStatus: Option<&'a RawValue>,
    #[serde(borrow)]
    ZoneName: Option<&'a RawValue>,
    #[serde(borrow)]
    OriginResponseDurationMs: Option<&'a RawValue>,
    /// Deprecated for `OriginResponseDurationMs`, in nanoseconds.
    #[serde(borrow)]
    OriginResponseTime: Option<&'a RawValue>,
    #[serde(borrow)]
    OriginTCPHandshakeDurationMs: Option<&'a RawValue>,
}

impl Line<'_> {
    /// Whether any field of the dataset is there (a JSON line of another program has none).
    fn has_any_field(&self) -> bool {
        [
            self.EdgeStartTimestamp,
            self.EdgeEndTimestamp,
            self.EdgeResponseStatus,
            self.OriginResponseStatus,
            self.OriginIP,
            self.ClientIP,
            self.ClientRequestHost,
            self.ClientRequestMethod,
            self.ClientRequestURI,
            self.ClientRequestPath,
            self.RayID,
            self.CacheCacheStatus,
            self.EdgeRequestHost,
        ]
        .iter()
        .any(Option::is_some)
    }
}

fn typed<T>(value: Result<T, Wrong>, field: &'static str) -> Result<T, ParseError> {
    value.map_err(|Wrong| ParseError::new(field, 0))
}

/// Parses one Logpush `http_requests` line.
pub(crate) fn parse(line: &[u8]) -> Result<EdgeRecord<'_>, ParseError> {
    let trimmed = line.trim_ascii();
    if trimmed.first() != Some(&b'{') {
        return Err(ParseError::new("a JSON object (Cloudflare Logpush)", 0));
    }
    let fields: Line<'_> = serde_json::from_slice(trimmed).map_err(|e| {
        ParseError::new(
            "a JSON object (Cloudflare Logpush)",
            e.column().saturating_sub(1),
        )
    })?;
    if !fields.has_any_field() {
        return Err(ParseError::new(
            "a Cloudflare http_requests field (EdgeStartTimestamp, EdgeResponseStatus, ...)",
            0,
        ));
    }
    let mut rec = EdgeRecord::new(Edge::Cloudflare);
    let start = typed(
        time(fields.EdgeStartTimestamp),
        "EdgeStartTimestamp as a time (unixnano, unix or RFC 3339)",
    )?;
    let end = typed(
        time(fields.EdgeEndTimestamp),
        "EdgeEndTimestamp as a time (unixnano, unix or RFC 3339)",
    )?;
    match (start, end) {
        (_, Some(end)) => rec.time = Some(end),
        (Some(start), None) => {
            rec.time = Some(start);
            rec.time_is_start = true;
        }
        (None, None) => {}
    }
    if let (Some(start), Some(end)) = (start, end) {
        rec.duration_us = between_us(start, end);
    }
    let status = typed(
        integer(fields.EdgeResponseStatus),
        "EdgeResponseStatus as a number",
    )?;
    rec.status = status
        .map(|s| {
            u16::try_from(s).map_err(|_| ParseError::new("EdgeResponseStatus as an HTTP status", 0))
        })
        .transpose()?;
    let origin = typed(
        integer(fields.OriginResponseStatus),
        "OriginResponseStatus as a number",
    )?;
    // 0: "no response received from the origin server".
    rec.origin_status = origin
        .filter(|&s| s > 0)
        .and_then(|s| u16::try_from(s).ok());
    rec.host = typed(
        string(fields.ClientRequestHost),
        "ClientRequestHost as a string",
    )?;
    let uri = typed(
        string(fields.ClientRequestURI),
        "ClientRequestURI as a string",
    )?;
    let path = typed(
        string(fields.ClientRequestPath),
        "ClientRequestPath as a string",
    )?;
    rec.target = uri.or(path);
    if let Some(target) = rec.target {
        // Some jobs log an absolute URI.
        let url = split_url(target);
        if url.scheme.is_some() {
            rec.target = url.target;
            rec.host = rec.host.or(url.host);
        }
    }
    // The rest is context: a mistyped value is left out rather than failing the line.
    let text = |raw| string(raw).ok().flatten();
    rec.host = rec.host.or_else(|| text(fields.EdgeRequestHost));
    rec.method = text(fields.ClientRequestMethod);
    rec.origin = text(fields.OriginIP);
    rec.client = text(fields.ClientIP);
    rec.client_port = integer(fields.ClientSrcPort)
        .ok()
        .flatten()
        .and_then(|p| u16::try_from(p).ok());
    rec.protocol = text(fields.ClientRequestProtocol);
    rec.scheme = text(fields.ClientRequestScheme);
    rec.user_agent = text(fields.ClientRequestUserAgent);
    rec.referer = text(fields.ClientRequestReferer);
    rec.bytes_sent = integer(fields.EdgeResponseBytes).ok().flatten();
    rec.trace_id = text(fields.RayID);
    rec.result = text(fields.CacheCacheStatus);
    rec.reason = text(fields.WorkerStatus).filter(|w| *w != b"unknown");
    rec.listener = text(fields.ZoneName);
    rec.timings.origin_us = integer(fields.OriginResponseDurationMs)
        .ok()
        .flatten()
        .and_then(|ms| ms.checked_mul(1_000))
        .or_else(|| {
            integer(fields.OriginResponseTime)
                .ok()
                .flatten()
                .map(|ns| ns / 1_000)
        });
    rec.timings.connect_us = integer(fields.OriginTCPHandshakeDurationMs)
        .ok()
        .flatten()
        .and_then(|ms| ms.checked_mul(1_000));
    rec.failure = classify::cloudflare(&rec);
    Ok(rec)
}
