//! Records built in one call, for the tests of crates that consume them (the analyzer,
//! the renderers): the record structs are `#[non_exhaustive]`, so outside this crate they
//! are otherwise built from `Default` one field at a time. Behind the `test-support`
//! feature; not part of the stable API.
//!
//! ```
//! use logscan_parse::records::{failure, nginx_error};
//! use logscan_parse::{Cause, Phase, Role, Timestamp};
//!
//! let time = Timestamp::from_parts(2026, 11, 25, 1, 27, 19, 0, None).unwrap();
//! let refused = failure(Cause::UpstreamRefused, Role::Event, Phase::Connect, b"127.0.0.1:9000", b"http");
//! let record = nginx_error(time, b"GET / HTTP/1.1", refused);
//! assert_eq!(record.failure.unwrap().peer, Some(&b"127.0.0.1:9000"[..]));
//! ```

use crate::{
    AccessRecord, Cause, ErrorRecord, Failure, Format, Level, Phase, Role, Timestamp,
    UpstreamFields,
};

/// A failure in `phase` against `peer` (an `upstream:` address) spoken in `protocol`
/// (`http`, `fastcgi`, ...), without an errno or a variant.
pub fn failure<'a>(
    cause: Cause,
    role: Role,
    phase: Phase,
    peer: &'a [u8],
    protocol: &'a [u8],
) -> Failure<'a> {
    Failure {
        phase: Some(phase),
        peer: Some(peer),
        protocol: Some(protocol),
        ..Failure::new(cause, role)
    }
}

/// An nginx error-log line at level `error` from client 127.0.0.1 to server `localhost`,
/// for `request`, carrying `failure`.
pub fn nginx_error<'a>(
    time: Timestamp,
    request: &'a [u8],
    failure: Failure<'a>,
) -> ErrorRecord<'a> {
    ErrorRecord {
        format: Format::NginxError,
        time: Some(time),
        level: Some(Level::Error),
        client: Some(b"127.0.0.1"),
        server_name: Some(b"localhost"),
        request: Some(request),
        failure: Some(failure),
        ..ErrorRecord::default()
    }
}

/// An nginx access-log line from client 127.0.0.1 answering `status` to `request`, with
/// the upstream fields `upstream`.
pub fn nginx_access<'a>(
    time: Timestamp,
    status: u16,
    request: &'a [u8],
    upstream: UpstreamFields<'a>,
) -> AccessRecord<'a> {
    AccessRecord {
        format: Format::NginxAccess,
        time: Some(time),
        client: Some(b"127.0.0.1"),
        request: Some(request),
        status: Some(status),
        upstream,
        ..AccessRecord::default()
    }
}

/// `$upstream_addr`, `$upstream_status` and `$upstream_response_time` as logged.
pub fn upstream<'a>(
    addr: &'a [u8],
    status: &'a [u8],
    response_time: &'a [u8],
) -> UpstreamFields<'a> {
    UpstreamFields {
        addr: Some(addr),
        status: Some(status),
        response_time: Some(response_time),
        ..UpstreamFields::default()
    }
}
