//! Google Cloud external Application Load Balancer request logs, as Cloud Logging writes
//! them (one `LogEntry` per line: a log sink to Cloud Storage, `gcloud logging read
//! --format=json | jq -c '.[]'`).
//!
//! ```json
//! {"httpRequest":{"requestMethod":"GET","requestUrl":"https://shop.example/api/items","status":502,"remoteIp":"198.51.100.4","serverIp":"10.128.0.7","latency":"0.002135s","userAgent":"curl/8.5.0"},"jsonPayload":{"@type":"type.googleapis.com/google.cloud.loadbalancing.type.LoadBalancerLogEntry","statusDetails":"failed_to_connect_to_backend"},"resource":{"type":"http_load_balancer","labels":{"backend_service_name":"web-backend","forwarding_rule_name":"web-rule"}},"timestamp":"2026-11-25T01:27:19.123456Z","trace":"projects/p/traces/abc"}
//! ```
//!
//! (https-logging-monitoring, "What is logged"; `google.logging.type.HttpRequest`.) The
//! entry must have an `httpRequest` object and say it is a load balancer's: a
//! `LoadBalancerLogEntry` payload, a `statusDetails`, or a `*load_balancer*` resource.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::bytes::find;
use crate::edge::classify;
use crate::edge::json::{Wrong, duration_us, integer, string, time};
use crate::edge::text::{split_last_port, split_url};
use crate::edge::{Edge, EdgeRecord};
use crate::error::ParseError;

/// The entry, read in one pass: the nested objects are typed here rather than kept as raw
/// values (serde_json allocates to skip a raw value that nests containers).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Entry<'a> {
    #[serde(borrow)]
    http_request: Option<HttpRequest<'a>>,
    #[serde(borrow)]
    json_payload: Option<Payload<'a>>,
    #[serde(borrow)]
    resource: Option<Resource<'a>>,
    #[serde(borrow)]
    timestamp: Option<&'a RawValue>,
    #[serde(borrow)]
    trace: Option<&'a RawValue>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct HttpRequest<'a> {
    #[serde(borrow)]
    request_method: Option<&'a RawValue>,
    #[serde(borrow)]
    request_url: Option<&'a RawValue>,
    #[serde(borrow)]
    status: Option<&'a RawValue>,
    #[serde(borrow)]
    response_size: Option<&'a RawValue>,
    #[serde(borrow)]
    user_agent: Option<&'a RawValue>,
    #[serde(borrow)]
    remote_ip: Option<&'a RawValue>,
    #[serde(borrow)]
    server_ip: Option<&'a RawValue>,
    #[serde(borrow)]
    referer: Option<&'a RawValue>,
    #[serde(borrow)]
    latency: Option<&'a RawValue>,
    #[serde(borrow)]
    protocol: Option<&'a RawValue>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Payload<'a> {
    #[serde(borrow, rename = "@type")]
    kind: Option<&'a RawValue>,
    #[serde(borrow)]
    status_details: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct Resource<'a> {
    #[serde(borrow, rename = "type")]
    kind: Option<&'a RawValue>,
    #[serde(borrow)]
    labels: Option<Labels<'a>>,
}

#[derive(Deserialize)]
struct Labels<'a> {
    #[serde(borrow)]
    backend_service_name: Option<&'a RawValue>,
    #[serde(borrow)]
    forwarding_rule_name: Option<&'a RawValue>,
}

fn typed<T>(value: Result<T, Wrong>, field: &'static str) -> Result<T, ParseError> {
    value.map_err(|Wrong| ParseError::new(field, 0))
}

/// Parses one Cloud Logging entry of the load balancer.
pub(crate) fn parse(line: &[u8]) -> Result<EdgeRecord<'_>, ParseError> {
    let trimmed = line.trim_ascii();
    if trimmed.first() != Some(&b'{') {
        return Err(ParseError::new("a JSON object (Cloud Logging entry)", 0));
    }
    let entry: Entry<'_> = serde_json::from_slice(trimmed).map_err(|e| {
        ParseError::new(
            "a Cloud Logging entry (a JSON object; httpRequest, jsonPayload, resource objects)",
            e.column().saturating_sub(1),
        )
    })?;
    let http = entry
        .http_request
        .ok_or(ParseError::new("an httpRequest object", 0))?;
    let payload = entry.json_payload;
    let resource = entry.resource;
    let labels = resource.as_ref().and_then(|r| r.labels.as_ref());
    let resource_kind = resource
        .as_ref()
        .and_then(|r| string(r.kind).ok().flatten());
    let payload_kind = payload.as_ref().and_then(|p| string(p.kind).ok().flatten());
    let details = payload
        .as_ref()
        .map(|p| typed(string(p.status_details), "statusDetails as a string"))
        .transpose()?
        .flatten();
    let a_load_balancer = details.is_some()
        || payload_kind.is_some_and(|k| find(k, b"LoadBalancerLogEntry").is_some())
        || resource_kind.is_some_and(|k| find(k, b"load_balancer").is_some());
    if !a_load_balancer {
        return Err(ParseError::new(
            "a load balancer's entry (LoadBalancerLogEntry, statusDetails, resource http_load_balancer)",
            0,
        ));
    }
    let mut rec = EdgeRecord::new(Edge::GcpLb);
    rec.time = typed(time(entry.timestamp), "timestamp as an RFC 3339 time")?;
    rec.status = typed(integer(http.status), "httpRequest.status as a number")?
        .map(|s| {
            u16::try_from(s).map_err(|_| ParseError::new("httpRequest.status as an HTTP status", 0))
        })
        .transpose()?;
    let url = typed(
        string(http.request_url),
        "httpRequest.requestUrl as a string",
    )?;
    if let Some(url) = url {
        rec.request = Some(url);
        let url = split_url(url);
        rec.scheme = url.scheme;
        rec.host = url.host;
        rec.target = url.target;
    }
    rec.duration_us = typed(
        duration_us(http.latency),
        "httpRequest.latency as a duration (\"0.123s\")",
    )?;
    let text = |raw| string(raw).ok().flatten();
    rec.method = text(http.request_method);
    rec.protocol = text(http.protocol);
    rec.user_agent = text(http.user_agent);
    rec.referer = text(http.referer);
    rec.client = text(http.remote_ip).map(|ip| split_last_port(ip).0);
    rec.origin = text(http.server_ip);
    rec.bytes_sent = integer(http.response_size).ok().flatten();
    rec.trace_id = text(entry.trace);
    if let Some(labels) = labels {
        rec.origin_group = text(labels.backend_service_name);
        rec.listener = text(labels.forwarding_rule_name);
    }
    rec.reason = details;
    if details == Some(&b"response_sent_by_backend"[..]) {
        rec.origin_status = rec.status;
    }
    rec.failure = classify::gcp(&rec);
    Ok(rec)
}
