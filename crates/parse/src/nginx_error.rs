//! nginx `error_log` lines (CAUSES.md 1.1).
//!
//! Layout: `YYYY/MM/DD HH:MM:SS [level] PID#TID: [*CID ]message[ (errno: text)][ while
//! action][, client: ..][, server: ..][, request: ".."][, subrequest: ".."][, upstream:
//! ".."][, host: ".."][, referrer: ".."]`. Everything after the prefix can hold raw bytes
//! (request lines, headers, FastCGI stderr), the whole entry is cut at 2047 bytes, and
//! FastCGI stderr makes entries span several physical lines.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use std::sync::LazyLock;

use memchr::memmem::Finder;

use crate::bytes::{at, find, head, leading_u64, parse_hex, parse_signed, rfind, sub, tail};
use crate::classify;
use crate::errno::{CodeSpace, SysError};
use crate::error::ParseError;
use crate::record::{ErrorRecord, Format, Level};
use crate::time::Timestamp;

/// nginx writes at most 2047 bytes plus LF per entry (`NGX_MAX_ERROR_STR` = 2048).
pub(crate) const MAX_LINE: usize = 2047;

/// How far into a line a syslog/journald/container prefix may reach.
const MAX_PREFIX: usize = 160;

static CLIENT: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b", client: "));
static UDP_CLIENT: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b", udp client: "));

/// Every `while <action>` text nginx and its common modules write (CAUSES.md 1.1.2), plus
/// the stream module's.
pub(crate) const ACTIONS: &[&[u8]] = &[
    b"connecting to upstream",
    b"SSL handshaking to upstream",
    b"sending request to upstream",
    b"reading response header from upstream",
    b"reading upstream",
    b"sending to client",
    b"proxying upgraded connection",
    b"sending early hints to client",
    b"waiting for request",
    b"SSL handshaking",
    b"reading PROXY protocol",
    b"reading client request line",
    b"reading client request headers",
    b"reading client pipelined request line",
    b"reading client request body",
    b"keepalive",
    b"closing request",
    b"logging request",
    b"processing HTTP/2 connection",
    b"reading client request",
    b"sending response to client",
    b"sending flv to client",
    b"sending mp4 to client",
    b"resolving",
    b"logging to syslog",
    b"requesting certificate status",
    b"proxying connection",
    b"prereading client data",
    b"initializing session",
];

/// Where an entry's own text starts.
#[derive(Clone, Copy)]
enum Start {
    /// `YYYY/MM/DD HH:MM:SS [` at this offset.
    Timestamp(usize),
    /// `nginx: [level] ` (console/journald output of `nginx -t` and startup) at this offset.
    Console(usize),
}

/// Whether `s` begins with `YYYY/MM/DD HH:MM:SS [`.
#[inline]
fn is_timestamp(s: &[u8]) -> bool {
    let Some(s) = s.get(..21) else { return false };
    let d = |i: usize| at(s, i).is_ascii_digit();
    d(0) && d(1)
        && d(2)
        && d(3)
        && at(s, 4) == b'/'
        && d(5)
        && d(6)
        && at(s, 7) == b'/'
        && d(8)
        && d(9)
        && at(s, 10) == b' '
        && d(11)
        && d(12)
        && at(s, 13) == b':'
        && d(14)
        && d(15)
        && at(s, 16) == b':'
        && d(17)
        && d(18)
        && at(s, 19) == b' '
        && at(s, 20) == b'['
}

fn find_start(line: &[u8]) -> Option<Start> {
    if is_timestamp(line) {
        return Some(Start::Timestamp(0));
    }
    if line.starts_with(b"nginx: [") {
        return Some(Start::Console(0));
    }
    // A syslog, journald or container-runtime prefix: the timestamp follows a space
    // within the first bytes of the line.
    let window = head(line, MAX_PREFIX);
    for slash in memchr::memchr_iter(b'/', window) {
        if slash >= 5 {
            let start = slash - 4;
            if at(line, start - 1) == b' ' && is_timestamp(tail(line, start)) {
                return Some(Start::Timestamp(start));
            }
        }
    }
    if let Some(i) = find(window, b" nginx: [") {
        return Some(Start::Console(i + 1));
    }
    None
}

/// Whether a physical line begins a new nginx error entry (`YYYY/MM/DD HH:MM:SS [`,
/// possibly after a short syslog/journald/container prefix, or `nginx: [level]`).
pub(crate) fn starts_entry(line: &[u8]) -> bool {
    find_start(line).is_some()
}

/// Extra facts the classifier needs that have no field in [`ErrorRecord`].
#[derive(Clone, Copy, Default)]
pub(crate) struct Extra<'a> {
    /// `, resolver: <addr>` of resolver transport errors.
    pub(crate) resolver: Option<&'a [u8]>,
}

/// Parses one nginx error entry (a line, or a line plus its continuation lines).
pub(crate) fn parse(entry: &[u8]) -> Result<ErrorRecord<'_>, ParseError> {
    let start = find_start(entry).ok_or(ParseError::new(
        "nginx error timestamp (YYYY/MM/DD HH:MM:SS [level])",
        0,
    ))?;
    let mut rec = ErrorRecord {
        format: Format::NginxError,
        truncated: entry.len() >= MAX_LINE,
        ..ErrorRecord::default()
    };
    let body_start = match start {
        Start::Timestamp(p) => parse_prefix(entry, p, &mut rec)?,
        Start::Console(p) => {
            let p = p + b"nginx: [".len();
            let close = memchr::memchr(b']', sub(entry, p, p + 12))
                .ok_or(ParseError::new("']' closing the level", p))?;
            rec.level = Level::from_bytes(sub(entry, p, p + close));
            let p = p + close + 1;
            if at(entry, p) == b' ' { p + 1 } else { p }
        }
    };
    let body = tail(entry, body_start);
    let extra = split_body(body, &mut rec);
    classify::nginx(&mut rec, &extra);
    Ok(rec)
}

/// Reads `YYYY/MM/DD HH:MM:SS [level] PID#TID: [*CID ]` starting at `p`; returns where
/// the message starts.
fn parse_prefix<'a>(
    entry: &'a [u8],
    p: usize,
    rec: &mut ErrorRecord<'a>,
) -> Result<usize, ParseError> {
    let ts = sub(entry, p, p + 19);
    let num = |from: usize, to: usize| crate::bytes::fixed_u32(sub(ts, from, to)).unwrap_or(0);
    let year = i32::try_from(num(0, 4)).unwrap_or(0);
    rec.time = Timestamp::from_parts(
        year,
        num(5, 7),
        num(8, 10),
        num(11, 13),
        num(14, 16),
        num(17, 19),
        0,
        None,
    );
    if rec.time.is_none() {
        return Err(ParseError::new("a valid date and time", p));
    }
    // Level: `[error] `.
    let lvl = p + 21;
    let close = memchr::memchr(b']', sub(entry, lvl, lvl + 12))
        .ok_or(ParseError::new("']' closing the level", lvl))?;
    rec.level = Level::from_bytes(sub(entry, lvl, lvl + close));
    let mut q = lvl + close + 1;
    if at(entry, q) != b' ' {
        return Err(ParseError::new("' ' after the level", q));
    }
    q += 1;
    // `PID#TID: `
    let (pid, n) = leading_u64(tail(entry, q));
    if n == 0 {
        return Err(ParseError::new("PID#TID", q));
    }
    rec.pid = u32::try_from(pid).ok();
    q += n;
    if at(entry, q) == b'#' {
        let (tid, n) = leading_u64(tail(entry, q + 1));
        if n == 0 {
            return Err(ParseError::new("thread id after '#'", q + 1));
        }
        rec.tid = Some(tid);
        q += 1 + n;
    }
    if at(entry, q) != b':' {
        return Err(ParseError::new("': ' after PID#TID", q));
    }
    q += 1;
    if at(entry, q) == b' ' {
        q += 1;
    }
    // `*CID `
    if at(entry, q) == b'*' {
        let (cid, n) = leading_u64(tail(entry, q + 1));
        if n > 0 && matches!(at(entry, q + 1 + n), b' ' | 0) {
            rec.connection = Some(cid);
            q += 1 + n;
            if at(entry, q) == b' ' {
                q += 1;
            }
        }
    }
    Ok(q.min(entry.len()))
}

/// Splits the text after the prefix into message, errno, action and context fields.
fn split_body<'a>(body: &'a [u8], rec: &mut ErrorRecord<'a>) -> Extra<'a> {
    let mut extra = Extra::default();
    let (mut text, context) = match find_context(body) {
        Some((at_ctx, key_len)) => (head(body, at_ctx), Some(tail(body, at_ctx + key_len))),
        None => (body, None),
    };
    if let Some(context) = context {
        parse_context(context, rec);
    } else if let Some(r) = rfind(text, b", resolver: ") {
        // Resolver transport errors: `... while resolving, resolver: 127.0.0.11:53`.
        let value = tail(text, r + b", resolver: ".len());
        if value
            .iter()
            .all(|&b| b.is_ascii_hexdigit() || matches!(b, b'.' | b':' | b'[' | b']'))
        {
            extra.resolver = Some(value).filter(|v| !v.is_empty());
            text = head(text, r);
        }
    }
    // ` while <action>` at the end of the text.
    if let Some(w) = rfind(text, b" while ") {
        let action = tail(text, w + b" while ".len());
        if ACTIONS.contains(&action) {
            rec.action = Some(action);
            text = head(text, w);
        } else if rec.truncated && context.is_none() && is_action_prefix(action) {
            // The line was cut inside the action (`... while reading respo`).
            rec.action = Some(action);
            text = head(text, w);
        }
    }
    // ` (errno: text)` at the end of the message.
    if let Some((msg, err)) = split_errno(text) {
        rec.sys_error = Some(err);
        text = msg;
    } else if rec.truncated {
        // The errno survives truncation after a `...` marker (CAUSES.md 1.1.5); what
        // follows it is what was left of the action and context.
        if let Some(dots) = rfind(text, b"... (") {
            let open = dots + 4;
            if let Some(close) = memchr::memchr(b')', tail(text, open)).map(|c| open + c) {
                if let Some(err) = errno_inner(sub(text, open + 1, close), CodeSpace::Os) {
                    rec.sys_error = Some(err);
                    let rest_after = tail(text, close + 1);
                    if rec.action.is_none() {
                        if let Some(action) = rest_after.strip_prefix(b" while ") {
                            if is_action_prefix(action) {
                                rec.action = Some(action);
                            }
                        }
                    }
                    text = head(text, dots + 3);
                }
            }
        }
    }
    // D6: `DNS error (3: Host not found), query id:...` carries the resolver code inside.
    if rec.sys_error.is_none() && text.starts_with(b"DNS error (") {
        let inner = tail(text, b"DNS error ".len());
        if let Some(close) = memchr::memchr(b')', inner) {
            if let Some(err) = errno_inner(sub(inner, 1, close), CodeSpace::Resolver) {
                rec.sys_error = Some(err);
            }
        }
    }
    rec.message = text;
    extra
}

/// Whether `action` is a non-empty beginning of a known action (for cut lines).
fn is_action_prefix(action: &[u8]) -> bool {
    action.len() >= 3 && ACTIONS.iter().any(|a| a.starts_with(action))
}

/// Parses a ` (N: text)` suffix; returns the text before it and the error.
fn split_errno(text: &[u8]) -> Option<(&[u8], SysError<'_>)> {
    let inner_end = text.len().checked_sub(1)?;
    if at(text, inner_end) != b')' {
        return None;
    }
    let open = memchr::memrchr(b'(', text)?;
    if open == 0 || at(text, open - 1) != b' ' {
        return None;
    }
    let msg = head(text, open - 1);
    let space = if msg.ends_with(b"could not be resolved") {
        CodeSpace::Resolver
    } else {
        CodeSpace::Os
    };
    let err = errno_inner(sub(text, open + 1, inner_end), space)?;
    Some((msg, err))
}

/// Reads `N: text` (decimal, negative, or Windows hex).
fn errno_inner(inner: &[u8], space: CodeSpace) -> Option<SysError<'_>> {
    let colon = find(inner, b": ")?;
    let num = head(inner, colon);
    let text = tail(inner, colon + 2);
    if num.is_empty() || num.len() > 16 {
        return None;
    }
    let (number, space) = if let Some(n) = parse_signed(num) {
        // Windows builds print WSA codes (10061 ...).
        let space = if space == CodeSpace::Os && (10_000..12_000).contains(&n) {
            CodeSpace::Windows
        } else {
            space
        };
        (n, space)
    } else if num.iter().all(u8::is_ascii_hexdigit) {
        (parse_hex(num)?, CodeSpace::Windows)
    } else {
        return None;
    };
    if text.contains(&b'(') {
        return None;
    }
    Some(SysError {
        space,
        number,
        text,
    })
}

/// Finds the start of the context fields: the `, client: ` followed by a plausible
/// address and `, server: ` (or the end of the entry). The last physical line is searched
/// first, since FastCGI stderr entries carry their context at the end. Returns the offset
/// and the key length.
fn find_context(body: &[u8]) -> Option<(usize, usize)> {
    let search = |from: usize, finder: &Finder<'static>| -> Option<usize> {
        let hay = tail(body, from);
        finder
            .find_iter(hay)
            .map(|i| from + i)
            .find(|&i| plausible_client(tail(body, i + finder.needle().len())))
    };
    if let Some(nl) = memchr::memrchr(b'\n', body) {
        if let Some(i) = search(nl + 1, &CLIENT) {
            return Some((i, CLIENT.needle().len()));
        }
    }
    if let Some(i) = search(0, &CLIENT) {
        return Some((i, CLIENT.needle().len()));
    }
    search(0, &UDP_CLIENT).map(|i| (i, UDP_CLIENT.needle().len()))
}

/// Whether `rest` (what follows `client: `) starts with an address followed by
/// `, server: ` or the end of the entry.
fn plausible_client(rest: &[u8]) -> bool {
    let end = memchr::memchr2(b',', b'\n', rest).unwrap_or(rest.len());
    let value = head(rest, end);
    let address = value.starts_with(b"unix:")
        || value
            .iter()
            .all(|&b| b.is_ascii_hexdigit() || matches!(b, b'.' | b':' | b'%' | b'[' | b']'));
    if !address || value.len() > 64 {
        return false;
    }
    end == rest.len() || tail(rest, end).starts_with(b", server: ")
}

/// Context keys after `client:`, in the order nginx writes them.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Key {
    Server,
    Request,
    Subrequest,
    Upstream,
    Host,
    Referrer,
    Bytes,
}

const KEYS: [(&[u8], Key, bool); 7] = [
    (b"server: ", Key::Server, false),
    (b"request: \"", Key::Request, true),
    (b"subrequest: \"", Key::Subrequest, true),
    (b"upstream: \"", Key::Upstream, true),
    (b"host: \"", Key::Host, true),
    (b"referrer: \"", Key::Referrer, true),
    (b"bytes from/to client:", Key::Bytes, false),
];

/// The key (with order index ≥ `min`) that starts right after `, ` at `s`.
fn key_at(s: &[u8], min: usize) -> Option<(usize, usize)> {
    let rest = s.strip_prefix(b", ")?;
    KEYS.iter()
        .enumerate()
        .skip(min)
        .find(|(_, (name, _, _))| rest.starts_with(name))
        .map(|(i, (name, _, _))| (i, 2 + name.len()))
}

/// Parses `<client>[, server: ..][, request: ".."]...` (after `client: `).
fn parse_context<'a>(ctx: &'a [u8], rec: &mut ErrorRecord<'a>) {
    // Client: up to `, server: ` or the end.
    let end = memchr::memchr2(b',', b'\n', ctx).unwrap_or(ctx.len());
    let client = head(ctx, end);
    rec.client = Some(client).filter(|c| !c.is_empty());
    let mut pos = end;
    let mut min = 0;
    while let Some((index, key_len)) = key_at(tail(ctx, pos), min) {
        let Some(&(_, key, quoted)) = KEYS.get(index) else {
            break;
        };
        if key == Key::Bytes {
            break;
        }
        let vstart = pos + key_len;
        let (vend, next) = if quoted {
            quoted_end(ctx, vstart, index + 1)
        } else {
            unquoted_end(ctx, vstart, index + 1)
        };
        let value = sub(ctx, vstart, vend);
        match key {
            Key::Server => rec.server_name = Some(value).filter(|v| !v.is_empty()),
            Key::Request => rec.request = Some(value),
            Key::Subrequest => rec.subrequest = Some(value),
            Key::Upstream => rec.upstream = Some(value),
            Key::Host => rec.host = Some(value),
            Key::Referrer => rec.referrer = Some(value),
            Key::Bytes => {}
        }
        pos = next;
        min = index + 1;
    }
}

/// End of a quoted value starting at `from`: the first `"` followed by `, <later key>`,
/// or a `"` that ends the entry, or the end (a value cut by truncation). Returns the value
/// end and where the next key starts.
fn quoted_end(ctx: &[u8], from: usize, min: usize) -> (usize, usize) {
    let hay = tail(ctx, from);
    for q in memchr::memchr_iter(b'"', hay) {
        let abs = from + q;
        if abs + 1 == ctx.len() {
            return (abs, ctx.len());
        }
        if key_at(tail(ctx, abs + 1), min).is_some() {
            return (abs, abs + 1);
        }
    }
    (ctx.len(), ctx.len())
}

/// End of an unquoted value: the first `, <later key>` or the end.
fn unquoted_end(ctx: &[u8], from: usize, min: usize) -> (usize, usize) {
    let hay = tail(ctx, from);
    for c in memchr::memchr_iter(b',', hay) {
        let abs = from + c;
        if key_at(tail(ctx, abs), min).is_some() {
            return (abs, abs);
        }
    }
    (ctx.len(), ctx.len())
}
