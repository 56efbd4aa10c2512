//! AWS Application Load Balancer access logs.
//!
//! One request per line, fields separated by spaces, some `"quoted"` (AWS's
//! load-balancer-access-logs page, "Access log entries"):
//!
//! ```text
//! type time elb client:port target:port request_processing_time target_processing_time
//! response_processing_time elb_status_code target_status_code received_bytes sent_bytes
//! "request" "user_agent" ssl_cipher ssl_protocol target_group_arn "trace_id" "domain_name"
//! "chosen_cert_arn" matched_rule_priority request_creation_time "actions_executed"
//! "redirect_url" "error_reason" "target:port_list" "target_status_code_list"
//! "classification" "classification_reason" conn_trace_id ...
//! ```
//!
//! AWS adds fields at the end ("ignore any fields at the end of the log entry that you were
//! not expecting"), so anything after the known ones is skipped, and older lines with fewer
//! fields are read as far as they go (the request is the last one required). `time` is
//! when the load balancer sent the response; `request_creation_time` when it received the
//! request: their difference is how long the request took, which is what tells a connect
//! timeout (10 s) from an idle timeout in a 504.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use crate::bytes::find;
use crate::edge::classify;
use crate::edge::text::{
    Fields, between_us, iso8601, present, seconds_us, split_last_port, split_request, split_url,
};
use crate::edge::{Edge, EdgeRecord};
use crate::error::ParseError;
use crate::record::parse_u64;

/// The request types AWS documents for the first field.
const TYPES: [&[u8]; 6] = [b"http", b"https", b"h2", b"grpcs", b"ws", b"wss"];

/// Parses one ALB access log line.
pub(crate) fn parse(line: &[u8]) -> Result<EdgeRecord<'_>, ParseError> {
    let mut fields = Fields::new(line);
    let mut next = |what: &'static str| -> Result<&[u8], ParseError> {
        let at = fields.offset();
        match fields.next_field() {
            Some(Ok(field)) => Ok(field),
            Some(Err(at)) => Err(ParseError::new("'\"' closing a quoted field", at)),
            None => Err(ParseError::new(what, at)),
        }
    };
    let mut rec = EdgeRecord::new(Edge::AwsAlb);
    let kind = next("the request type (http, https, h2, grpcs, ws, wss)")?;
    if !TYPES.contains(&kind) {
        return Err(ParseError::new(
            "the request type (http, https, h2, grpcs, ws, wss)",
            0,
        ));
    }
    let time = next("the time (2018-11-30T22:23:00.186641Z)")?;
    let (ts, _) = iso8601(time).ok_or(ParseError::new(
        "the time (2018-11-30T22:23:00.186641Z)",
        kind.len() + 1,
    ))?;
    rec.time = Some(ts);
    rec.listener = present(next("the load balancer id")?);
    let (client, port) = split_last_port(next("client:port")?);
    rec.client = present(client);
    rec.client_port = port;
    rec.origin = present(next("target:port")?);
    let request_us = seconds_us(next("request_processing_time")?);
    let target_us = seconds_us(next("target_processing_time")?);
    let response_us = seconds_us(next("response_processing_time")?);
    rec.timings.origin_us = target_us;
    let status = next("elb_status_code")?;
    rec.status = status_code(status).ok_or(ParseError::new(
        "elb_status_code (a number)",
        fields_offset(line, status),
    ))?;
    rec.origin_status = status_code(next("target_status_code")?).flatten();
    let _received = next("received_bytes")?;
    rec.bytes_sent = parse_u64(next("sent_bytes")?);
    let request = next("the \"request\"")?;
    rec.request = present(request);
    let (method, url, protocol) = split_request(request);
    rec.method = method;
    rec.protocol = protocol.and_then(present);
    if let Some(url) = url {
        let url = split_url(url);
        rec.scheme = url.scheme;
        rec.host = url.host;
        rec.target = url.target;
    }
    if rec.scheme.is_none() {
        rec.scheme = Some(
            if kind == b"https" || kind == b"wss" || kind == b"h2" || kind == b"grpcs" {
                b"https"
            } else {
                b"http"
            },
        );
    }
    // Everything after the request is optional: older lines end earlier.
    let mut rest = std::iter::from_fn(|| fields.next_field().and_then(Result::ok));
    rec.user_agent = rest.next().and_then(present);
    let _cipher = rest.next();
    let _tls = rest.next();
    if let Some(arn) = rest.next().and_then(present) {
        // `arn:aws:elasticloadbalancing:...:targetgroup/my-targets/73e2d6bc24d8a067`: the
        // name and id are what people recognise.
        rec.origin_group = Some(match find(arn, b"targetgroup/") {
            Some(at) => crate::bytes::tail(arn, at + b"targetgroup/".len()),
            None => arn,
        });
    }
    rec.trace_id = rest.next().and_then(present);
    let domain = rest.next().and_then(present);
    if rec.host.is_none() {
        rec.host = domain;
    }
    let _cert = rest.next();
    let _priority = rest.next();
    let created = rest.next().and_then(present).and_then(iso8601);
    let _actions = rest.next();
    let _redirect = rest.next();
    rec.reason = rest.next().and_then(present);
    rec.duration_us = match created {
        Some((created, _)) => between_us(created, ts),
        None => match (request_us, target_us, response_us) {
            (Some(a), Some(b), Some(c)) => Some(a + b + c),
            _ => None,
        },
    };
    rec.failure = classify::alb(&rec);
    Ok(rec)
}

/// `502` → `Some(Some(502))`; `-` → `Some(None)`; `000` → `Some(Some(0))`; else `None`.
fn status_code(field: &[u8]) -> Option<Option<u16>> {
    if field == b"-" {
        return Some(None);
    }
    if field.len() != 3 {
        return None;
    }
    let n = parse_u64(field)?;
    Some(u16::try_from(n).ok())
}

/// Where a field (a subslice of `line`) starts.
fn fields_offset(line: &[u8], field: &[u8]) -> usize {
    (field.as_ptr() as usize).saturating_sub(line.as_ptr() as usize)
}
