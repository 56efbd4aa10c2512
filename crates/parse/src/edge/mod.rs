//! Logs of the layer in front of nginx or Apache: HAProxy, the AWS Application Load
//! Balancer, CloudFront, Cloudflare and the Google Cloud external Application Load
//! Balancer.
//!
//! Each line becomes an [`EdgeRecord`]: one request as the edge saw it, with what the edge
//! logs about the origin (its address, its status, how long it took) and, for a 5xx or a
//! client abort, a [`Failure`] whose cause says whether the edge could not reach the
//! origin, gave up waiting for it, failed itself, or passed on the origin's own 5xx
//! ([`Cause::OriginErrorResponse`](crate::Cause::OriginErrorResponse)). The mapping from
//! each product's codes to causes, with the documentation behind each row, is in the
//! `classify` module.
//!
//! ```
//! use logscan_parse::{Cause, Edge, Parser, Record};
//!
//! // The AWS documentation's example of a 502 from a Lambda target.
//! let line = br#"http 2018-11-30T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 - 0.000 0.001 0.000 502 - 34 366 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.46.0" - - arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337364-23a8c76965a2ef7629b185e3" "-" "-" 0 2018-11-30T22:22:48.364000Z "forward" "-" "LambdaInvalidResponse" "-" "-" "-" "-""#;
//! let Ok(Record::Edge(r)) = Parser::aws_alb().parse(line) else { panic!("not an ALB line") };
//! assert_eq!(r.edge, Edge::AwsAlb);
//! assert_eq!(r.status, Some(502));
//! assert_eq!(r.origin_status, None); // no response from a target
//! assert_eq!(r.host, Some(&b"www.example.com"[..]));
//! let failure = r.failure.expect("a 502 is a failure");
//! assert_eq!(failure.cause, Cause::EdgeFunctionError);
//! assert_eq!(failure.variant, Some("LambdaInvalidResponse"));
//! ```
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use std::fmt;

use crate::record::{Failure, Format, bytes_opt, opt};
use crate::time::Timestamp;

pub(crate) mod alb;
pub(crate) mod classify;
pub(crate) mod cloudflare;
pub(crate) mod cloudfront;
pub(crate) mod gcp;
pub(crate) mod haproxy;
mod json;
mod text;

#[cfg(test)]
mod tests;

/// The product in front of the origin.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Edge {
    /// HAProxy (`option httplog`).
    #[default]
    Haproxy,
    /// AWS Application Load Balancer access logs.
    AwsAlb,
    /// Amazon CloudFront standard logs.
    CloudFront,
    /// Cloudflare Logpush `http_requests`.
    Cloudflare,
    /// Google Cloud external Application Load Balancer request logs.
    GcpLb,
}

impl Edge {
    /// Every product.
    pub const ALL: [Edge; 5] = [
        Edge::Haproxy,
        Edge::AwsAlb,
        Edge::CloudFront,
        Edge::Cloudflare,
        Edge::GcpLb,
    ];

    /// The stable id (also the `--format` value): `haproxy`, `aws-alb`, `cloudfront`,
    /// `cloudflare`, `gcp-lb`.
    pub const fn id(self) -> &'static str {
        match self {
            Edge::Haproxy => "haproxy",
            Edge::AwsAlb => "aws-alb",
            Edge::CloudFront => "cloudfront",
            Edge::Cloudflare => "cloudflare",
            Edge::GcpLb => "gcp-lb",
        }
    }

    /// The product's name as people write it: `HAProxy`, `the AWS load balancer`, ...
    pub const fn name(self) -> &'static str {
        match self {
            Edge::Haproxy => "HAProxy",
            Edge::AwsAlb => "the AWS load balancer",
            Edge::CloudFront => "CloudFront",
            Edge::Cloudflare => "Cloudflare",
            Edge::GcpLb => "the Google Cloud load balancer",
        }
    }

    /// A short label for titles and tables: `HAProxy`, `AWS ALB`, `CloudFront`,
    /// `Cloudflare`, `Google Cloud LB`.
    pub const fn label(self) -> &'static str {
        match self {
            Edge::Haproxy => "HAProxy",
            Edge::AwsAlb => "AWS ALB",
            Edge::CloudFront => "CloudFront",
            Edge::Cloudflare => "Cloudflare",
            Edge::GcpLb => "Google Cloud LB",
        }
    }

    /// The log format of this product.
    pub const fn format(self) -> Format {
        match self {
            Edge::Haproxy => Format::Haproxy,
            Edge::AwsAlb => Format::AwsAlb,
            Edge::CloudFront => Format::CloudFront,
            Edge::Cloudflare => Format::Cloudflare,
            Edge::GcpLb => Format::GcpLb,
        }
    }

    /// Looks a product up by its id.
    pub fn from_id(id: &str) -> Option<Edge> {
        Edge::ALL.into_iter().find(|e| e.id() == id)
    }
}

impl fmt::Display for Edge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// How long parts of a request took at the edge, in microseconds, where the product logs
/// them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct EdgeTimings {
    /// Time spent waiting in a queue for a connection slot (HAProxy `Tw`).
    pub queue_us: Option<u64>,
    /// Time to connect to the origin (HAProxy `Tc`, Cloudflare
    /// `OriginTCPHandshakeDurationMs`).
    pub connect_us: Option<u64>,
    /// Time waiting for the origin's response headers (HAProxy `Tr`, ALB
    /// `target_processing_time`, Cloudflare `OriginResponseDurationMs`).
    pub origin_us: Option<u64>,
    /// Connection retries to the origin (HAProxy `retries`).
    pub retries: Option<u32>,
}

/// One request as the edge (CDN or load balancer) logged it.
///
/// Byte fields borrow from the line and keep the product's own escaping (HAProxy `#22`,
/// CloudFront `%20`, JSON `\"`). Fields the line does not have are `None`.
#[derive(Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct EdgeRecord<'a> {
    /// The product that wrote the line.
    pub edge: Edge,
    /// When the request ended (ALB, CloudFront, Cloudflare, Google), or when it started
    /// (HAProxy's request date: see `time_is_start`). UTC with an offset, except HAProxy,
    /// which writes local time without a zone (the syslog header's offset is used when it
    /// has one).
    pub time: Option<Timestamp>,
    /// Whether `time` is when the request started rather than when it ended.
    pub time_is_start: bool,
    /// How long the request took at the edge, in microseconds.
    pub duration_us: Option<u64>,
    /// Client (visitor) address.
    pub client: Option<&'a [u8]>,
    /// Client port.
    pub client_port: Option<u16>,
    /// HTTP method.
    pub method: Option<&'a [u8]>,
    /// `http` or `https` where logged.
    pub scheme: Option<&'a [u8]>,
    /// The Host the visitor asked for (without a port).
    pub host: Option<&'a [u8]>,
    /// Path and query.
    pub target: Option<&'a [u8]>,
    /// Protocol, e.g. `HTTP/1.1`.
    pub protocol: Option<&'a [u8]>,
    /// The request as logged (HAProxy's request line, ALB's `"METHOD URL VERSION"`,
    /// Google's URL).
    pub request: Option<&'a [u8]>,
    /// The status the edge sent to the client; 0 when it sent none (CloudFront and ALB
    /// `000`, HAProxy `-1`).
    pub status: Option<u16>,
    /// The status the origin answered, when the edge logs one (ALB `target_status_code`,
    /// Cloudflare `OriginResponseStatus`, HAProxy's status when a server answered, Google's
    /// status with `response_sent_by_backend`). `None`: no response from the origin, or not
    /// logged.
    pub origin_status: Option<u16>,
    /// The origin the edge chose: its address (ALB `target:port`, Cloudflare `OriginIP`,
    /// Google `serverIp`) or name (HAProxy `backend/server`).
    pub origin: Option<&'a [u8]>,
    /// The group the origin belongs to: ALB target group, HAProxy backend, Google backend
    /// service.
    pub origin_group: Option<&'a [u8]>,
    /// The listener: HAProxy frontend, ALB load balancer id, CloudFront edge location,
    /// Google forwarding rule.
    pub listener: Option<&'a [u8]>,
    /// The product's reason code: HAProxy's termination state, ALB `error_reason`,
    /// CloudFront `x-edge-detailed-result-type` (else `x-edge-result-type`), Google
    /// `statusDetails`, Cloudflare `WorkerStatus`.
    pub reason: Option<&'a [u8]>,
    /// CloudFront `x-edge-result-type` / Cloudflare `CacheCacheStatus`.
    pub result: Option<&'a [u8]>,
    /// The id the edge sends to the origin too, where it logs it: ALB `trace_id`
    /// (`X-Amzn-Trace-Id`), Cloudflare `RayID` (`Cf-Ray`), CloudFront
    /// `x-edge-request-id`, Google `trace`.
    pub trace_id: Option<&'a [u8]>,
    /// Bytes sent to the client.
    pub bytes_sent: Option<u64>,
    /// `User-Agent`.
    pub user_agent: Option<&'a [u8]>,
    /// `Referer`.
    pub referer: Option<&'a [u8]>,
    /// Timings of the parts of the request.
    pub timings: EdgeTimings,
    /// A header line of the file (CloudFront `#Version:`, `#Fields:`) or a message of the
    /// product about itself (HAProxy `Proxy started`): no request.
    pub header: bool,
    /// The failure this request was, if it was one (a 5xx or a client abort).
    pub failure: Option<Failure<'a>>,
}

impl<'a> EdgeRecord<'a> {
    /// An empty record of a product.
    pub fn new(edge: Edge) -> EdgeRecord<'a> {
        EdgeRecord {
            edge,
            ..EdgeRecord::default()
        }
    }

    /// When the request started and ended, in Unix microseconds, where the line tells
    /// (`None` when the time has no offset).
    pub fn span_unix_us(&self) -> Option<(i64, i64)> {
        let t = self.time?;
        let at = t.unix_seconds()?.checked_mul(1_000_000)? + i64::from(t.micros());
        let took = i64::try_from(self.duration_us.unwrap_or(0)).ok()?;
        Some(if self.time_is_start {
            (at, at.saturating_add(took))
        } else {
            (at.saturating_sub(took), at)
        })
    }
}

impl fmt::Debug for EdgeRecord<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("EdgeRecord");
        d.field("edge", &self.edge).field("time", &self.time);
        if self.time_is_start {
            d.field("time_is_start", &true);
        }
        opt(&mut d, "duration_us", &self.duration_us);
        bytes_opt(&mut d, "client", self.client);
        opt(&mut d, "client_port", &self.client_port);
        bytes_opt(&mut d, "method", self.method);
        bytes_opt(&mut d, "scheme", self.scheme);
        bytes_opt(&mut d, "host", self.host);
        bytes_opt(&mut d, "target", self.target);
        bytes_opt(&mut d, "protocol", self.protocol);
        bytes_opt(&mut d, "request", self.request);
        opt(&mut d, "status", &self.status);
        opt(&mut d, "origin_status", &self.origin_status);
        bytes_opt(&mut d, "origin", self.origin);
        bytes_opt(&mut d, "origin_group", self.origin_group);
        bytes_opt(&mut d, "listener", self.listener);
        bytes_opt(&mut d, "reason", self.reason);
        bytes_opt(&mut d, "result", self.result);
        bytes_opt(&mut d, "trace_id", self.trace_id);
        opt(&mut d, "bytes_sent", &self.bytes_sent);
        bytes_opt(&mut d, "user_agent", self.user_agent);
        bytes_opt(&mut d, "referer", self.referer);
        if self.timings != EdgeTimings::default() {
            d.field("timings", &self.timings);
        }
        if self.header {
            d.field("header", &true);
        }
        opt(&mut d, "failure", &self.failure);
        d.finish()
    }
}
