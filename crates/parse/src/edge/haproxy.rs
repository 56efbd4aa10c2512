//! HAProxy's HTTP log (`option httplog`), bare or inside a syslog line.
//!
//! The message is HAProxy's default HTTP format (configuration.txt §8.2.3,
//! `"%ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS %tsc %ac/%fc/%bc/%sc/%rc
//! %sq/%bq %hr %hs %{+Q}r"`):
//!
//! ```text
//! 10.0.1.2:33317 [06/Feb/2009:12:14:14.655] http-in static/srv1 10/0/30/69/109 200 2750 - - ---- 1/1/1/1/0 0/0 {1wt.eu} {} "GET /index.html HTTP/1.1"
//! ```
//!
//! In front of it, any of the headers HAProxy's log targets and syslog daemons write:
//! `<PRI>` (HAProxy's own UDP/unix datagrams), an RFC 3164 header
//! (`Feb  6 12:14:14 [host] haproxy[14389]: `, HAProxy's default and journald's short
//! output), an RFC 3339 one (`2026-11-25T01:27:19.123456+00:00 host haproxy[14389]: `,
//! Debian's rsyslog), or RFC 5424 (`1 2026-11-25T01:27:19.123+00:00 host haproxy 14389 - -
//! `). HAProxy's own messages about servers going down (`Server app/web1 is DOWN, reason:
//! Layer4 connection problem, info: "Connection refused" ...`) and backends without a
//! server are read as context for the requests' failures; its other messages are read as
//! lines about itself.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use nom::branch::alt;
use nom::bytes::complete::{tag, take_till, take_till1, take_while_m_n, take_while1};
use nom::character::complete::{char, digit1};
use nom::combinator::{opt, recognize};
use nom::sequence::{delimited, preceded, terminated};
use nom::{IResult, Parser};

use crate::bytes::find;
use crate::cause::{Cause, Phase};
use crate::edge::classify;
use crate::edge::text::{iso8601, millis_us, split_last_port, split_request, split_url};
use crate::edge::{Edge, EdgeRecord};
use crate::error::ParseError;
use crate::record::{Failure, Role, parse_u64};
use crate::time::{Timestamp, month_from_abbrev};

type Res<'a, T> = IResult<&'a [u8], T>;

/// What the syslog header (if any) said.
#[derive(Default)]
struct Header<'a> {
    /// The UTC offset of an RFC 3339 / RFC 5424 time, which HAProxy's own local time
    /// lacks.
    offset: Option<i32>,
    /// The program name (`haproxy`), when there was a header.
    program: Option<&'a [u8]>,
}

fn space(i: &[u8]) -> Res<'_, &[u8]> {
    take_while1(|b| b == b' ').parse(i)
}

fn token(i: &[u8]) -> Res<'_, &[u8]> {
    take_till1(|b| b == b' ').parse(i)
}

/// `<134>`
fn pri(i: &[u8]) -> Res<'_, &[u8]> {
    delimited(
        char('<'),
        take_while_m_n(1, 3, |b: u8| b.is_ascii_digit()),
        char('>'),
    )
    .parse(i)
}

/// `Feb  6 12:14:14` (the time is not used: HAProxy's request date is more precise).
fn rfc3164_time(i: &[u8]) -> Res<'_, &[u8]> {
    recognize((
        take_while_m_n(3, 3, |b: u8| b.is_ascii_alphabetic()),
        space,
        take_while_m_n(1, 2, |b: u8| b.is_ascii_digit()),
        char(' '),
        take_while_m_n(8, 8, |b: u8| b.is_ascii_digit() || b == b':'),
    ))
    .parse(i)
}

/// `2026-11-25T01:27:19.123456+00:00`, read for its offset.
fn rfc3339_time(i: &[u8]) -> Res<'_, Timestamp> {
    match iso8601(i) {
        Some((ts, n)) if ts.offset_seconds().is_some() => Ok((crate::bytes::tail(i, n), ts)),
        _ => Err(nom::Err::Error(nom::error::Error::new(
            i,
            nom::error::ErrorKind::Verify,
        ))),
    }
}

/// `haproxy[14389]:` or `haproxy:` → the program name.
fn syslog_tag(i: &[u8]) -> Res<'_, &[u8]> {
    terminated(
        take_till1(|b| b == b'[' || b == b':' || b == b' '),
        (
            opt(delimited(char('['), digit1, char(']'))),
            char(':'),
            space,
        ),
    )
    .parse(i)
}

/// `[host ]haproxy[pid]: ` after an RFC 3164 or RFC 3339 time.
fn host_and_tag(i: &[u8]) -> Res<'_, &[u8]> {
    alt((syslog_tag, preceded((token, space), syslog_tag))).parse(i)
}

/// `1 2026-11-25T01:27:19.123+00:00 host haproxy 14389 - - ` (RFC 5424; structured data
/// `-` or one `[...]` element).
fn rfc5424(i: &[u8]) -> Res<'_, (Timestamp, &[u8])> {
    let (i, _) = (tag(&b"1 "[..])).parse(i)?;
    let (i, ts) = rfc3339_time(i)?;
    let (i, (_, _host, _, app, _, _pid, _, _msgid, _)) = (
        space, token, space, token, space, token, space, token, space,
    )
        .parse(i)?;
    let (i, _) = alt((
        tag(&b"-"[..]),
        recognize((char('['), take_till(|b| b == b']'), char(']'))),
    ))
    .parse(i)?;
    let (i, _) = opt(char(' ')).parse(i)?;
    Ok((i, (ts, app)))
}

fn header(i: &[u8]) -> Res<'_, Header<'_>> {
    let (i, _) = opt(pri).parse(i)?;
    if let Ok((rest, (ts, app))) = rfc5424(i) {
        return Ok((
            rest,
            Header {
                offset: ts.offset_seconds(),
                program: Some(app),
            },
        ));
    }
    if let Ok((rest, (ts, _, program))) = (rfc3339_time, space, host_and_tag).parse(i) {
        return Ok((
            rest,
            Header {
                offset: ts.offset_seconds(),
                program: Some(program),
            },
        ));
    }
    if let Ok((rest, (_, _, program))) = (rfc3164_time, space, host_and_tag).parse(i) {
        return Ok((
            rest,
            Header {
                offset: None,
                program: Some(program),
            },
        ));
    }
    // No header (`log stdout format raw`), or only a `<PRI>` (`format short`).
    Ok((i, Header::default()))
}

/// `06/Feb/2009:12:14:14.655`
fn request_date(i: &[u8], offset: Option<i32>) -> Option<Timestamp> {
    let b: &[u8; 24] = i.get(..24)?.try_into().ok()?;
    let [
        d0,
        d1,
        b'/',
        m0,
        m1,
        m2,
        b'/',
        y0,
        y1,
        y2,
        y3,
        b':',
        h0,
        h1,
        b':',
        n0,
        n1,
        b':',
        s0,
        s1,
        b'.',
        f0,
        f1,
        f2,
    ] = *b
    else {
        return None;
    };
    let num = |digits: &[u8]| -> Option<u32> {
        digits.iter().try_fold(0u32, |n, &d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    Timestamp::from_parts(
        i32::try_from(num(&[y0, y1, y2, y3])?).ok()?,
        month_from_abbrev(&[m0, m1, m2])?,
        num(&[d0, d1])?,
        num(&[h0, h1])?,
        num(&[n0, n1])?,
        num(&[s0, s1])?,
        num(&[f0, f1, f2])? * 1_000,
        offset,
    )
}

/// A signed decimal as HAProxy writes timers and counters: `-1`, `+3`, `109`.
fn signed(i: &[u8]) -> Res<'_, &[u8]> {
    recognize((opt(alt((char('-'), char('+')))), digit1)).parse(i)
}

/// `10/0/30/69/109`: TR, Tw, Tc, Tr, Ta.
fn timers(i: &[u8]) -> Res<'_, [&[u8]; 5]> {
    let (i, (tr, _, tw, _, tc, _, tr2, _, ta)) = (
        signed,
        char('/'),
        signed,
        char('/'),
        signed,
        char('/'),
        signed,
        char('/'),
        signed,
    )
        .parse(i)?;
    Ok((i, [tr, tw, tc, tr2, ta]))
}

/// `1/1/1/1/0` (actconn/feconn/beconn/srv_conn/retries) then ` 0/0` (queues).
fn counters(i: &[u8]) -> Res<'_, &[u8]> {
    let (i, (_, _, _, _, _, _, _, _, retries)) = (
        digit1,
        char('/'),
        digit1,
        char('/'),
        digit1,
        char('/'),
        digit1,
        char('/'),
        signed,
    )
        .parse(i)?;
    let (i, _) = (space, digit1, char('/'), digit1).parse(i)?;
    Ok((i, retries))
}

/// `{captured headers}`: HAProxy encodes `{`, `|` and `}` inside, so none can close early.
fn captures(i: &[u8]) -> Res<'_, &[u8]> {
    preceded(
        space,
        delimited(char('{'), take_till(|b| b == b'}'), char('}')),
    )
    .parse(i)
}

/// The HTTP log message, from the client address to the request.
struct Message<'a> {
    client: &'a [u8],
    date: &'a [u8],
    frontend: &'a [u8],
    backend_server: &'a [u8],
    timers: [&'a [u8]; 5],
    status: &'a [u8],
    bytes: &'a [u8],
    state: &'a [u8],
    retries: &'a [u8],
    request: &'a [u8],
}

fn message(i: &[u8]) -> Res<'_, Message<'_>> {
    let (i, client) = token(i)?;
    let (i, date) = preceded(
        space,
        delimited(char('['), take_till1(|b| b == b']'), char(']')),
    )
    .parse(i)?;
    let (i, (_, frontend, _, backend_server, _, timers, _, status, _, bytes)) = (
        space, token, space, token, space, timers, space, signed, space, signed,
    )
        .parse(i)?;
    let (i, (_, _cookie_req, _, _cookie_res, _, state, _, retries)) =
        (space, token, space, token, space, token, space, counters).parse(i)?;
    let (i, _) = opt(captures).parse(i)?;
    let (i, _) = opt(captures).parse(i)?;
    let (i, _) = space(i)?;
    // The request is the last field, quoted; a line cut by the syslog buffer (1024 bytes by
    // default) may have lost the closing quote. syslog-ng writes `\"` for the quotes.
    let (i, _) = (opt(char('\\')), char('"')).parse(i)?;
    let request = match memchr::memrchr(b'"', i) {
        Some(close) => crate::bytes::head(i, close),
        None => i,
    };
    let request = request.strip_suffix(b"\\").unwrap_or(request);
    Ok((
        &[],
        Message {
            client,
            date,
            frontend,
            backend_server,
            timers,
            status,
            bytes,
            state,
            retries,
            request,
        },
    ))
}

/// Parses one line of HAProxy's log.
pub(crate) fn parse(line: &[u8]) -> Result<EdgeRecord<'_>, ParseError> {
    let Ok((body, head)) = header(line) else {
        return Err(ParseError::new("an HAProxy log line", 0));
    };
    let body_at = line.len() - body.len();
    if let Ok((_, m)) = message(body) {
        return request_record(&m, &head).ok_or(ParseError::new(
            "HAProxy's request date ([06/Feb/2009:12:14:14.655])",
            body_at,
        ));
    }
    let tagged = head.program.is_some_and(|p| p.starts_with(b"haproxy"));
    match own_message(body) {
        // With no header at all (`log stdout format raw` in a container, or a syslog line whose
        // header the envelope reader already took off), only the wording tells it is HAProxy's.
        Some(rec) if tagged || head.program.is_none() => Ok(rec),
        None if tagged => Ok(other_own_message()),
        _ => Err(ParseError::new(
            "HAProxy's HTTP log format (client:port [date] frontend backend/server timers status ...)",
            body_at,
        )),
    }
}

fn request_record<'a>(m: &Message<'a>, head: &Header<'a>) -> Option<EdgeRecord<'a>> {
    let mut rec = EdgeRecord::new(Edge::Haproxy);
    rec.time = Some(request_date(m.date, head.offset)?);
    rec.time_is_start = true;
    let (client, port) = split_last_port(m.client);
    rec.client = Some(client);
    rec.client_port = port;
    rec.listener = Some(m.frontend.strip_suffix(b"~").unwrap_or(m.frontend));
    let (backend, server) = match memchr::memchr(b'/', m.backend_server) {
        Some(slash) => (
            crate::bytes::head(m.backend_server, slash),
            crate::bytes::tail(m.backend_server, slash + 1),
        ),
        None => (m.backend_server, &b""[..]),
    };
    let server_chosen = !server.is_empty() && !server.starts_with(b"<");
    rec.origin_group = Some(backend);
    rec.origin = server_chosen.then_some(m.backend_server);
    let [_, tw, tc, tr, ta] = m.timers;
    rec.duration_us = millis_us(ta);
    rec.timings.queue_us = millis_us(tw);
    rec.timings.connect_us = millis_us(tc);
    rec.timings.origin_us = millis_us(tr);
    rec.timings.retries = parse_u64(m.retries.strip_prefix(b"+").unwrap_or(m.retries))
        .and_then(|n| u32::try_from(n).ok());
    rec.status = match m.status {
        b"-1" => Some(0),
        s => parse_u64(s).and_then(|n| u16::try_from(n).ok()),
    };
    rec.bytes_sent = parse_u64(m.bytes.strip_prefix(b"+").unwrap_or(m.bytes));
    rec.reason = Some(m.state);
    let request = m.request;
    if !request.is_empty() && request != b"<BADREQ>" {
        rec.request = Some(request);
        let (method, target, protocol) = split_request(request);
        rec.method = method;
        rec.protocol = protocol;
        if let Some(target) = target {
            let url = split_url(target);
            rec.scheme = url.scheme;
            rec.host = url.host;
            rec.target = url.target;
        }
    }
    // A status a server answered (no termination event before the response headers).
    let answered = server_chosen
        && !matches!(m.state.get(1), Some(b'R' | b'Q' | b'C' | b'H'))
        && !matches!(m.state.first(), Some(b'P' | b'L' | b'I' | b'R'));
    if answered {
        rec.origin_status = rec.status.filter(|&s| s > 0);
    }
    rec.failure = classify::haproxy(&rec, server_chosen);
    Some(rec)
}

fn context<'a>(cause: Cause, upstream: &'a [u8], variant: &'static str) -> Failure<'a> {
    Failure {
        cause,
        phase: Some(Phase::Connect),
        errno: None,
        peer: Some(upstream),
        protocol: None,
        variant: Some(variant),
        role: Role::Context,
    }
}

/// HAProxy's messages about itself, known by their wording (its `srv_set_stopped`/
/// `srv_set_running` family, health checks, proxies starting and stopping, and a backend
/// without servers); `None` for any other text. A server going down and a backend without
/// servers are context for the requests that failed at the same time.
fn own_message(body: &[u8]) -> Option<EdgeRecord<'_>> {
    let mut rec = EdgeRecord::new(Edge::Haproxy);
    rec.header = true;
    // `Server app/web1 is DOWN, reason: Layer4 connection problem, info: "Connection
    // refused", check duration: 0ms. ...` (also `Backup Server`).
    let server = body
        .strip_prefix(b"Server ")
        .or_else(|| body.strip_prefix(b"Backup Server "));
    if let Some(rest) = server {
        if let Some(at) = find(rest, b" is DOWN") {
            let server = crate::bytes::head(rest, at);
            let cause = if find(rest, b"Connection refused").is_some() {
                Cause::UpstreamRefused
            } else if find(rest, b"timeout").is_some() {
                Cause::UpstreamTimeoutConnect
            } else {
                Cause::NoLiveUpstreams
            };
            rec.origin = Some(server);
            rec.failure = Some(context(cause, server, "server_down"));
            return Some(rec);
        }
        let known = [&b" is UP"[..], b" is going DOWN", b" enters maintenance"]
            .iter()
            .any(|w| find(rest, w).is_some());
        return known.then_some(rec);
    }
    // `backend app has no server available!`
    if let Some(rest) = body.strip_prefix(b"backend ") {
        let at = find(rest, b" has no server available")?;
        let backend = crate::bytes::head(rest, at);
        rec.origin_group = Some(backend);
        rec.failure = Some(context(
            Cause::NoLiveUpstreams,
            backend,
            "no_server_available",
        ));
        return Some(rec);
    }
    let known = body.starts_with(b"Health check for ")
        || (body.starts_with(b"Proxy ")
            && [&b" started."[..], b" stopped (", b" reached "]
                .iter()
                .any(|w| find(body, w).is_some()))
        || body.starts_with(b"Stopping proxy ")
        || body.starts_with(b"Stopping backend ")
        || body.starts_with(b"Stopping frontend ");
    known.then_some(rec)
}

/// A line HAProxy tagged as its own whose wording [`own_message`] does not know: still
/// HAProxy's, with nothing to say about a failure.
fn other_own_message<'a>() -> EdgeRecord<'a> {
    let mut rec = EdgeRecord::new(Edge::Haproxy);
    rec.header = true;
    rec
}
