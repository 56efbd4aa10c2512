//! nginx `error_log` lines (`ngx_log_error_core`, `src/core/ngx_log.c`).
//!
//! Layout: `YYYY/MM/DD HH:MM:SS [level] PID#TID: [*CID ]message[ (errno: text)][ while
//! action][, client: ..][, server: ..][, request: ".."][, subrequest: ".."][, upstream:
//! ".."][, host: ".."][, referrer: ".."]` (HTTP, `ngx_http_log_error_handler`), or
//! `..., [udp ]client: <addr>, server: <listen addr>[, upstream: "<addr>"], bytes from/to
//! client:N/N, bytes from/to upstream:N/N` (the stream module, `ngx_stream_log_error` and
//! `ngx_stream_proxy_log_error`). Everything after the prefix can hold raw bytes (request
//! lines, headers, FastCGI stderr), the whole entry is cut at 2047 bytes, and FastCGI
//! stderr makes entries span several physical lines.
//!
//! The context fields are found from the structure around them, not from their values:
//! `, client: ` right after a known `while <action>` or an errno suffix, or followed by
//! `, server: `. A client written as `unix:` (a `listen unix:` server), left empty, or
//! redacted in a pasted line (`xxx`, `X.X.X.X`, `[IP]`) is kept as written and does not
//! change how the message, errno and action are read.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use crate::bytes::{at, find, head, leading_u64, parse_hex, parse_signed, rfind, sub, tail};
use crate::cause::Phase;
use crate::classify;
use crate::errno::{CodeSpace, Errno, SysError};
use crate::error::ParseError;
use crate::record::{ErrorRecord, Format, Level};
use crate::time::{Timestamp, key_word, layout, same_second_words};
use crate::word_search;

/// nginx writes at most 2047 bytes plus LF per entry (`NGX_MAX_ERROR_STR` = 2048).
pub(crate) const MAX_LINE: usize = 2047;

/// How far into a line a syslog/journald/container prefix may reach.
const MAX_PREFIX: usize = 160;

/// The context's first key, and the stream module's for UDP sessions.
const CLIENT: &[u8] = b", client: ";
const UDP_CLIENT: &[u8] = b", udp client: ";

/// Every `while <action>` text nginx and its common modules write (`grep 'action = "'` over
/// `src/http`, `src/stream`, `src/event`, `src/core`), the stream module's, and those of
/// lua-nginx-module (OpenResty, Kong, APISIX, ingress-nginx) and Tengine, each with its
/// phase (as `classify::phase_of` reads the text, which a test checks): the parser finds
/// the action here, and the phase comes with it instead of from a second reading.
pub(crate) const ACTIONS: &[(&[u8], Option<Phase>)] = &[
    (b"connecting to upstream", Some(Phase::Connect)),
    (b"SSL handshaking to upstream", Some(Phase::TlsHandshake)),
    (b"sending request to upstream", Some(Phase::SendRequest)),
    (
        b"reading response header from upstream",
        Some(Phase::ReadHeader),
    ),
    (b"reading upstream", Some(Phase::ReadBody)),
    (b"sending to client", Some(Phase::SendToClient)),
    (b"proxying upgraded connection", Some(Phase::Upgraded)),
    (b"sending early hints to client", Some(Phase::SendToClient)),
    (b"waiting for request", Some(Phase::ReadClient)),
    (b"SSL handshaking", Some(Phase::ReadClient)),
    (b"reading PROXY protocol", Some(Phase::ReadClient)),
    (b"reading client request line", Some(Phase::ReadClient)),
    (b"reading client request headers", Some(Phase::ReadClient)),
    (
        b"reading client pipelined request line",
        Some(Phase::ReadClient),
    ),
    (b"reading client request body", None),
    (b"keepalive", Some(Phase::ReadClient)),
    (b"closing request", Some(Phase::ReadClient)),
    (b"logging request", None),
    (b"processing HTTP/2 connection", Some(Phase::ReadClient)),
    (b"reading client request", Some(Phase::ReadClient)),
    (b"sending response to client", Some(Phase::SendToClient)),
    (b"sending flv to client", Some(Phase::SendToClient)),
    (b"sending mp4 to client", Some(Phase::SendToClient)),
    (b"resolving", Some(Phase::Resolve)),
    (b"logging to syslog", None),
    (b"requesting certificate status", None),
    (b"proxying connection", Some(Phase::Upgraded)),
    (b"prereading client data", None),
    (b"initializing session", None),
    // src/stream/ngx_stream_proxy_module.c (nginx 1.13.11 and later), and the CONNECT
    // tunnel of ngx_http_proxy_connect_module.
    (b"proxying and reading from upstream", Some(Phase::Upgraded)),
    (b"proxying and sending to upstream", Some(Phase::Upgraded)),
    (b"proxying and reading from client", Some(Phase::ReadClient)),
    (b"proxying and sending to client", Some(Phase::SendToClient)),
    // lua-nginx-module src/ngx_http_lua_proxy_ssl_{cert,verify}by.c: the TLS handshake to
    // the upstream; src/ngx_http_lua_ssl_*by.c: the client's handshake.
    (b"proxy pass SSL handshaking", Some(Phase::TlsHandshake)),
    (
        b"loading proxy ssl certificate by lua",
        Some(Phase::TlsHandshake),
    ),
    (
        b"loading proxy ssl verify by lua",
        Some(Phase::TlsHandshake),
    ),
    (b"loading SSL certificate by lua", Some(Phase::ReadClient)),
    (b"loading SSL client hello by lua", Some(Phase::ReadClient)),
    (b"fetching SSL session by lua", Some(Phase::ReadClient)),
    (b"storing SSL session by lua", Some(Phase::ReadClient)),
    // Tengine modules/ngx_http_slice_module.
    (b"sending slice to client", Some(Phase::SendToClient)),
];

/// The known action an action text names: the text itself, or the text without a
/// module's `(name)` / ` (name)` suffix (ngx_http_proxy_connect_module wrote
/// `connecting to upstream(proxy_connect)` until 2019, then `connecting to upstream
/// (proxy_connect)`), as its [`ACTIONS`] entry.
pub(crate) fn known_action(action: &[u8]) -> Option<&'static (&'static [u8], Option<Phase>)> {
    let entry = |text: &[u8]| ACTIONS.iter().find(|(known, _)| *known == text);
    if let Some(found) = entry(action) {
        return Some(found);
    }
    let inner = action.strip_suffix(b")")?;
    let open = memchr::memrchr(b'(', inner)?;
    let name = tail(inner, open + 1);
    if name.is_empty() || !name.iter().all(|&b| b.is_ascii_alphanumeric() || b == b'_') {
        return None;
    }
    let base = head(action, open);
    let base = base.strip_suffix(b" ").unwrap_or(base);
    entry(base)
}

/// Where an entry's own text starts.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Start {
    /// `YYYY/MM/DD HH:MM:SS [` at this offset.
    Timestamp(usize),
    /// `nginx: [level] ` (console/journald output of `nginx -t` and startup) at this offset.
    Console(usize),
}

/// Whether `s` begins with `YYYY/MM/DD HH:MM:SS [`. Read as three overlapping 8-byte words
/// (bytes 0-7, 8-15, 13-20), each checked at once: its separators by value, its digits by
/// their high nibble (`3`) and by adding 6 without leaving it (`0`-`9`, not `:`-`?`). This
/// is called twice a line (framing and parsing), and the byte-by-byte checks cost ~70
/// instructions a call.
#[inline]
fn is_timestamp(s: &[u8]) -> bool {
    let Some(s) = s.get(..21) else { return false };
    // (digit bytes, separator bytes, the separators' values) of each word, little-endian.
    const WORDS: [(usize, u64, u64, u64); 3] = [
        // `YYYY/MM/`
        (
            0,
            0x00FF_FF00_FFFF_FFFF,
            0xFF00_00FF_0000_0000,
            0x2F00_002F_0000_0000,
        ),
        // `DD HH:MM`
        (
            8,
            0xFFFF_00FF_FF00_FFFF,
            0x0000_FF00_00FF_0000,
            0x0000_3A00_0020_0000,
        ),
        // `:MM:SS [`
        (
            13,
            0x0000_FFFF_00FF_FF00,
            0xFFFF_0000_FF00_00FF,
            0x5B20_0000_3A00_003A,
        ),
    ];
    const NIBBLE: u64 = 0xF0F0_F0F0_F0F0_F0F0;
    const THREES: u64 = 0x3030_3030_3030_3030;
    const SIXES: u64 = 0x0606_0606_0606_0606;
    WORDS.iter().all(|&(from, digits, seps, values)| {
        let Some(word) = s
            .get(from..from + 8)
            .and_then(|b| <[u8; 8]>::try_from(b).ok())
        else {
            return false;
        };
        let w = u64::from_le_bytes(word);
        let d = w & digits;
        (w & seps) == values
            && (d & NIBBLE) == (THREES & digits)
            && (d.wrapping_add(SIXES & digits) & NIBBLE) == (THREES & digits)
    })
}

/// The byte-by-byte reading of [`is_timestamp`], which the tests compare it with.
#[cfg(test)]
fn is_timestamp_bytewise(s: &[u8]) -> bool {
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

/// Where the entry starting at `line` has its own text, if `line` starts one.
///
/// Both forms after a prefix end in a `[` (the timestamp's `YYYY/MM/DD HH:MM:SS [`, the
/// console's ` nginx: [`), so only the `[`s among the first bytes are looked at: most
/// continuation lines (a PHP stack trace's `#0 /var/www/...`, `Stack trace:`) hold none
/// there, and are turned down by one search. Searching for each `/` instead, then for
/// ` nginx: [`, cost ~470 instructions on each of those lines.
fn find_start(line: &[u8]) -> Option<Start> {
    if is_timestamp(line) {
        return Some(Start::Timestamp(0));
    }
    find_later_start(line)
}

/// [`find_start`] for a line that does not begin with the timestamp: the console's form
/// or a prefix before either. Out of line, so that `find_start` stays small (nearly always
/// the timestamp's three words) where the framing's rule and the parse call it: 1.5 M
/// fewer instructions on the 20 MiB nginx error slice than with this inside it.
#[inline(never)]
fn find_later_start(line: &[u8]) -> Option<Start> {
    if line.starts_with(b"nginx: [") {
        return Some(Start::Console(0));
    }
    // A syslog, journald or container-runtime prefix: the timestamp follows a space, its
    // first `/` within the first MAX_PREFIX bytes (so its `[`, 16 bytes on, within the
    // first MAX_PREFIX + 16); or ` nginx: [` ends within them.
    let mut console = None;
    for open in memchr::memchr_iter(b'[', head(line, MAX_PREFIX + 16)) {
        if let Some(start) = open.checked_sub(20).filter(|&s| s >= 1) {
            if at(line, start - 1) == b' ' && is_timestamp(tail(line, start)) {
                return Some(Start::Timestamp(start));
            }
        }
        if console.is_none()
            && (8..MAX_PREFIX).contains(&open)
            && sub(line, open - 8, open) == b" nginx: "
        {
            console = Some(Start::Console(open - 7));
        }
    }
    console
}

/// [`find_start`] as the seventh pass wrote it (a search for each `/` in the first bytes,
/// then for ` nginx: [`), which the tests compare it with.
#[cfg(test)]
fn find_start_by_slashes(line: &[u8]) -> Option<Start> {
    if is_timestamp(line) {
        return Some(Start::Timestamp(0));
    }
    if line.starts_with(b"nginx: [") {
        return Some(Start::Console(0));
    }
    let window = head(line, MAX_PREFIX);
    for slash in memchr::memchr_iter(b'/', window) {
        if slash >= 5 {
            let start = slash - 4;
            if at(line, start - 1) == b' ' && is_timestamp(tail(line, start)) {
                return Some(Start::Timestamp(start));
            }
        }
    }
    memchr::memmem::find(window, b" nginx: [").map(|i| Start::Console(i + 1))
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
    /// The stream (TCP/UDP) module wrote the line: `udp` for `udp client:`, `tcp` for a
    /// context with `bytes from/to client:`.
    pub(crate) stream: Option<&'static [u8]>,
    /// The phase of the record's action, when the parser read it as a known action (so
    /// the classifier need not read its text again).
    pub(crate) known_phase: Option<Option<Phase>>,
    /// The meaning of the record's `sys_error` ([`SysError::errno`]), when the parser knew
    /// it with the text (one of the common errnos).
    pub(crate) known_errno: Option<Option<Errno>>,
}

/// Parses one nginx error entry (a line, or a line plus its continuation lines).
#[cfg(test)]
pub(crate) fn parse(entry: &[u8]) -> Result<ErrorRecord<'_>, ParseError> {
    let mut rec = ErrorRecord::default();
    parse_into(entry, false, &mut rec)?;
    Ok(rec)
}

/// Parses one nginx error entry into `rec`, a record as `ErrorRecord::default()` leaves it
/// (on an error it holds no meaningful record). The record is built where the caller keeps
/// it: copying its ~300 bytes out of each layer cost ~130 instructions a line. `one_line`
/// says the entry holds no `\n` (its reader framed it as one physical line): then the
/// context's search for the last line's start (a `memchr` over the context, ~90
/// instructions a line) is skipped; `false` is always right.
pub(crate) fn parse_into<'a>(
    entry: &'a [u8],
    one_line: bool,
    rec: &mut ErrorRecord<'a>,
) -> Result<(), ParseError> {
    rec.format = Format::NginxError;
    rec.truncated = entry.len() >= MAX_LINE;
    // Most entries start with the timestamp of the entry before, whose second is cached by
    // its bytes: the same bytes there are a timestamp (what `find_start` checks), and the
    // entry's time.
    let body_start = if let Some(time) = remembered_time_at_start(entry) {
        rec.time = Some(time);
        parse_after_time(entry, 0, rec)?
    } else {
        parse_start(entry, rec)?
    };
    parse_body(entry, body_start, one_line, rec)
}

/// Reads the prefix of an entry that does not start with the remembered second (found by
/// [`find_start`]); returns where the message starts.
fn parse_start<'a>(entry: &'a [u8], rec: &mut ErrorRecord<'a>) -> Result<usize, ParseError> {
    let start = find_start(entry).ok_or(ParseError::new(
        "nginx error timestamp (YYYY/MM/DD HH:MM:SS [level])",
        0,
    ))?;
    Ok(match start {
        Start::Timestamp(p) => parse_prefix(entry, p, rec)?,
        Start::Console(p) => {
            let p = p + b"nginx: [".len();
            let close = level_close(sub(entry, p, p + 12))
                .ok_or(ParseError::new("']' closing the level", p))?;
            rec.level = Level::from_bytes(sub(entry, p, p + close));
            let p = p + close + 1;
            if at(entry, p) == b' ' { p + 1 } else { p }
        }
    })
}

/// Reads and classifies the entry's text from `body_start` on.
#[inline(always)]
fn parse_body<'a>(
    entry: &'a [u8],
    body_start: usize,
    one_line: bool,
    rec: &mut ErrorRecord<'a>,
) -> Result<(), ParseError> {
    let body = tail(entry, body_start);
    let extra = split_body(body, one_line, rec);
    classify::nginx(rec, &extra);
    Ok(())
}

/// The cache key of the `YYYY/MM/DD HH:MM:SS` at `ts`'s start: three words (the last
/// overlapping the second), read where they stand.
#[inline(always)]
fn time_key(ts: &[u8]) -> [u64; 4] {
    [
        key_word(ts, 0),
        key_word(ts, 8),
        key_word(ts, ts.len().saturating_sub(8)),
        0,
    ]
}

/// The time of an entry that starts with the timestamp last read (`YYYY/MM/DD HH:MM:SS [`,
/// the 19 bytes as cached): no `find_start` (~70 instructions) and no second key.
#[inline(always)]
fn remembered_time_at_start(entry: &[u8]) -> Option<Timestamp> {
    if sub(entry, 19, 21) != b" [" {
        return None;
    }
    same_second_words(layout::NGINX_ERROR, time_key(head(entry, 19)), || None)
}

/// The `]` closing a level name in the 12 bytes after its `[`: a plain loop, as a `memchr`
/// call costs more to set up than these few bytes take to read.
#[inline]
fn level_close(window: &[u8]) -> Option<usize> {
    window.iter().position(|&b| b == b']')
}

/// Reads `YYYY/MM/DD HH:MM:SS [level] PID#TID: [*CID ]` starting at `p`; returns where
/// the message starts.
fn parse_prefix<'a>(
    entry: &'a [u8],
    p: usize,
    rec: &mut ErrorRecord<'a>,
) -> Result<usize, ParseError> {
    let ts = sub(entry, p, p + 19);
    // `find_start` saw all 19 bytes.
    rec.time = same_second_words(layout::NGINX_ERROR, time_key(ts), || {
        let num = |from: usize, to: usize| crate::bytes::fixed_u32(sub(ts, from, to)).unwrap_or(0);
        let year = i32::try_from(num(0, 4)).unwrap_or(0);
        Timestamp::from_parts(
            year,
            num(5, 7),
            num(8, 10),
            num(11, 13),
            num(14, 16),
            num(17, 19),
            0,
            None,
        )
    });
    if rec.time.is_none() {
        return Err(ParseError::new("a valid date and time", p));
    }
    parse_after_time(entry, p, rec)
}

/// Reads `[level] PID#TID: [*CID ]` after the timestamp at `p`; returns where the message
/// starts.
#[inline(always)]
fn parse_after_time<'a>(
    entry: &'a [u8],
    p: usize,
    rec: &mut ErrorRecord<'a>,
) -> Result<usize, ParseError> {
    // Level: `[error] `.
    let lvl = p + 21;
    let mut q = match common_level(tail(entry, lvl)) {
        Some((level, len)) => {
            rec.level = Some(level);
            lvl + len
        }
        None => level_after(entry, lvl, rec)?,
    };
    // `PID#TID: `
    let (pid, n) = leading_number(tail(entry, q));
    if n == 0 {
        return Err(ParseError::new("PID#TID", q));
    }
    rec.pid = u32::try_from(pid).ok();
    let pid_at = q;
    q += n;
    if at(entry, q) == b'#' {
        // An nginx worker runs one thread, so the TID is almost always the PID's digits
        // again: compared as a word, they need not be read (a `leading_u64` call, ~55).
        let (tid, n) = if repeats_digits(entry, pid_at, q + 1, n) {
            (pid, n)
        } else {
            leading_u64(tail(entry, q + 1))
        };
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
        let (cid, n) = leading_number(tail(entry, q + 1));
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

/// What [`leading_u64`] reads at the start of `s`, from one word when fewer than eight
/// digits lead it (PIDs and connection numbers: two a line, where the digit loop's call
/// cost ~55 instructions): the digits found by a mask, their value by three multiplies.
#[inline(always)]
fn leading_number(s: &[u8]) -> (u64, usize) {
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    // 0x80 - 10 in each lane: a lane's high bit is set by the add when it holds 10 or more.
    const TENS: u64 = 0x7676_7676_7676_7676;
    let Some(&word) = s.first_chunk::<8>() else {
        return leading_u64(s);
    };
    // Each byte less `0` (by xor: `0`-`9` become 0-9, and any other byte something else).
    let x = u64::from_le_bytes(word) ^ 0x3030_3030_3030_3030;
    let not_digit = (((x & LOW7) + TENS) | x) & HIGHS;
    let len = (not_digit.trailing_zeros() / 8) as usize;
    if len == 0 || len >= 8 {
        return if len == 0 { (0, 0) } else { leading_u64(s) };
    }
    // The digits moved to the word's top bytes (zeros before them), then pairs, fours and
    // eights of them combined (the first digit is the lowest byte, the most significant).
    let v = x << (8 * (8 - len));
    let v = (v & 0x0F0F_0F0F_0F0F_0F0F).wrapping_mul(2561) >> 8;
    let v = (v & 0x00FF_00FF_00FF_00FF).wrapping_mul(6_553_601) >> 16;
    let v = (v & 0x0000_FFFF_0000_FFFF).wrapping_mul(42_949_672_960_001) >> 32;
    (v, len)
}

/// The level nginx writes at `s`'s start (`error] `, `warn] `, `notice] `, `info] `) and the
/// length of its text, `]` and space, from one word: what [`level_after`] reads there (a
/// search for the `]` and a `Level::from_bytes` call, ~40 instructions a line).
#[inline(always)]
fn common_level(s: &[u8]) -> Option<(Level, usize)> {
    /// The text's bytes as a little-endian word (1 to 8 of them), and the mask of their lanes.
    const fn word(text: &[u8]) -> (u64, u64) {
        let mut w = 0u64;
        let mut shift = 0;
        let mut rest = text;
        while let [b, tail @ ..] = rest {
            w |= (*b as u64) << shift;
            shift += 8;
            rest = tail;
        }
        (w, u64::MAX >> (64 - shift))
    }
    const LEVELS: [((u64, u64), Level, usize); 4] = [
        (word(b"error] "), Level::Error, 7),
        (word(b"warn] "), Level::Warn, 6),
        (word(b"notice] "), Level::Notice, 8),
        (word(b"info] "), Level::Info, 6),
    ];
    let w = u64::from_le_bytes(*s.first_chunk::<8>()?);
    LEVELS
        .iter()
        .find(|&&((text, mask), _, _)| w & mask == text)
        .map(|&(_, level, len)| (level, len))
}

/// Reads `level] ` at `lvl` (after its `[`); returns where what follows starts.
fn level_after(entry: &[u8], lvl: usize, rec: &mut ErrorRecord<'_>) -> Result<usize, ParseError> {
    let close = level_close(sub(entry, lvl, lvl + 12))
        .ok_or(ParseError::new("']' closing the level", lvl))?;
    rec.level = Level::from_bytes(sub(entry, lvl, lvl + close));
    let q = lvl + close + 1;
    if at(entry, q) != b' ' {
        return Err(ParseError::new("' ' after the level", q));
    }
    Ok(q + 1)
}

/// Whether the `len` digits at `first` (1 to 7 of them) stand again at `second`, not
/// followed by another digit: then [`leading_u64`] reads the same number at both.
#[inline(always)]
fn repeats_digits(entry: &[u8], first: usize, second: usize, len: usize) -> bool {
    let word = |from: usize| {
        entry
            .get(from..)
            .and_then(<[u8]>::first_chunk::<8>)
            .map(|b| u64::from_le_bytes(*b))
    };
    if len == 0 || len >= 8 {
        return false;
    }
    let (Some(a), Some(b)) = (word(first), word(second)) else {
        return false;
    };
    let mask = (1u64 << (8 * len)) - 1;
    (a ^ b) & mask == 0 && !at(entry, second + len).is_ascii_digit()
}

/// The last ` while ` in `text`. Found from its `w`, which is rare in nginx messages: a
/// two-way reverse search costs more than the few candidates checked this way.
fn rfind_while(text: &[u8]) -> Option<usize> {
    memchr::memrchr_iter(b'w', text).find_map(|i| {
        let start = i.checked_sub(1)?;
        tail(text, start).starts_with(b" while ").then_some(start)
    })
}

/// Splits the text after the prefix into message, errno, action and context fields.
/// `one_line`: `body` holds no `\n` (see [`parse_into`]). Inlined into its one caller:
/// as a call, its set-up and the [`Extra`] it returned through memory cost ~40 instructions
/// a line.
#[inline(always)]
fn split_body<'a>(body: &'a [u8], one_line: bool, rec: &mut ErrorRecord<'a>) -> Extra<'a> {
    let mut extra = Extra::default();
    let found = find_context(body, one_line);
    let (mut text, context, key_len) = match found {
        Some(c) => (
            head(body, c.at),
            Some(tail(body, c.at + c.key_len)),
            c.key_len,
        ),
        None => (body, None, 0),
    };
    if let Some(context) = context {
        if parse_context(context, rec) || key_len == UDP_CLIENT.len() {
            extra.stream = Some(if key_len == UDP_CLIENT.len() {
                b"udp"
            } else {
                b"tcp"
            });
        }
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
    // ` while <action>` at the end of the text (found already when it marked the context).
    if let Some((w, phase)) = found.and_then(|c| c.while_at) {
        rec.action = Some(tail(text, w + b" while ".len()));
        extra.known_phase = Some(phase);
        text = head(text, w);
    } else if let Some(w) = rfind_while(text) {
        let action = tail(text, w + b" while ".len());
        let known = known_action(action);
        extra.known_phase = known.map(|&(_, phase)| phase);
        // `resolving service <svc> of <name>` (upstream zone re-resolution, D3) is the one
        // action with variable text.
        if known.is_some() || action.starts_with(b"resolving service ") {
            rec.action = Some(action);
            text = head(text, w);
        } else if rec.truncated && context.is_none() && is_action_prefix(action) {
            // The line was cut inside the action (`... while reading respo`).
            rec.action = Some(action);
            text = head(text, w);
        }
    }
    // ` (errno: text)` at the end of the message (read already when it marked the context,
    // if the text is still what came before it).
    let errno = match found.and_then(|c| c.errno) {
        Some(split) if found.is_some_and(|c| c.at == text.len()) => Some(split),
        // A common suffix, with its meaning (what `split_errno` reads of it first).
        _ if text.last() == Some(&b')') => match common_errno(text) {
            Some((split, meaning)) => {
                extra.known_errno = meaning.map(Some);
                Some(split)
            }
            None => split_errno_searched(text),
        },
        _ => None,
    };
    if let Some((msg, err)) = errno {
        rec.sys_error = Some(err);
        text = msg;
    } else if rec.truncated {
        // The errno survives truncation after a `...` marker (`ngx_log_errno`); what
        // follows it is what was left of the action and context.
        if let Some(dots) = rfind(text, b"... (") {
            let open = dots + 4;
            if let Some(close) = memchr::memchr(b')', tail(text, open)).map(|c| open + c) {
                if let Some(err) = errno_inner(sub(text, open + 1, close), CodeSpace::Os, false) {
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
            if let Some(err) = errno_inner(sub(inner, 1, close), CodeSpace::Resolver, false) {
                rec.sys_error = Some(err);
            }
        }
    }
    rec.message = text;
    extra
}

/// Whether `action` is a non-empty beginning of a known action (for cut lines).
fn is_action_prefix(action: &[u8]) -> bool {
    action.len() >= 3 && ACTIONS.iter().any(|(known, _)| known.starts_with(action))
}

/// The errno suffixes real servers write most (glibc's texts; the real lines in fixtures/
/// carry these eleven, `111` and `110` far ahead), with their numbers. Each holds no
/// parenthesis but its own two, and no two end in the same eight bytes.
///
/// Each with its meaning as an OS errno (what [`SysError::errno`] reads from its text, a
/// test checks), so that the classifier need not read the text again (~40 instructions a
/// line).
const COMMON_ERRNOS: [(&[u8], i64, Errno); 11] = [
    (b" (110: Connection timed out)", 110, Errno::TimedOut),
    (b" (111: Connection refused)", 111, Errno::ConnRefused),
    (b" (11: Resource temporarily unavailable)", 11, Errno::Again),
    (b" (104: Connection reset by peer)", 104, Errno::ConnReset),
    (b" (2: No such file or directory)", 2, Errno::NoEnt),
    (b" (101: Network is unreachable)", 101, Errno::NetUnreach),
    (b" (13: Permission denied)", 13, Errno::Access),
    (b" (24: Too many open files)", 24, Errno::MFile),
    (b" (113: No route to host)", 113, Errno::HostUnreach),
    (
        b" (99: Cannot assign requested address)",
        99,
        Errno::AddrNotAvail,
    ),
    (b" (32: Broken pipe)", 32, Errno::Pipe),
];

/// The last eight bytes of `suffix` as a little-endian word (every [`COMMON_ERRNOS`]
/// suffix has more).
const fn last_word(suffix: &[u8]) -> u64 {
    match suffix {
        [.., a, b, c, d, e, f, g, h] => u64::from_le_bytes([*a, *b, *c, *d, *e, *f, *g, *h]),
        _ => 0,
    }
}

/// Where the errno's text starts in `suffix` (after its `: `).
const fn text_start(suffix: &[u8]) -> usize {
    let mut i = 0;
    let mut rest = suffix;
    while let [b, tail @ ..] = rest {
        if *b == b':' {
            break;
        }
        i += 1;
        rest = tail;
    }
    i + 2
}

/// [`COMMON_ERRNOS`]' last words, compared with a text's before the whole suffix is, and
/// where each suffix's errno text starts.
// Indexes below the arrays' common length, checked when the constant is built.
#[allow(clippy::indexing_slicing)]
const COMMON_ERRNO_WORDS: [(u64, usize); 11] = {
    let mut words = [(0, 0); 11];
    let mut i = 0;
    while i < words.len() {
        words[i] = (
            last_word(COMMON_ERRNOS[i].0),
            text_start(COMMON_ERRNOS[i].0),
        );
        i += 1;
    }
    words
};

/// A text split at its errno suffix: the text before it and the error.
type ErrnoSplit<'a> = (&'a [u8], SysError<'a>);

/// What [`split_errno`] reads when `text` ends with one of [`COMMON_ERRNOS`]: a word compare
/// and a suffix compare instead of the parentheses' search (a `memrchr2` call) and the
/// number's reading (~230 instructions on nearly every line of a 502/504 burst). With it,
/// the error's meaning ([`SysError::errno`]) when it is an OS errno (not the resolver's).
/// Inlined always: as a call, its ~60-byte answer was written to memory and copied twice
/// into the record (~40 instructions a line).
#[inline(always)]
fn common_errno(text: &[u8]) -> Option<(ErrnoSplit<'_>, Option<Errno>)> {
    let last = u64::from_le_bytes(*text.last_chunk::<8>()?);
    let found = COMMON_ERRNO_WORDS.iter().position(|&(w, _)| w == last)?;
    let (&(suffix, number, meaning), &(_, start)) = COMMON_ERRNOS
        .get(found)
        .zip(COMMON_ERRNO_WORDS.get(found))?;
    if !text.ends_with(suffix) {
        return None;
    }
    let msg = head(text, text.len() - suffix.len());
    let err_text = sub(text, msg.len() + start, text.len() - 1);
    let space = errno_space(msg);
    let err = SysError {
        space,
        number,
        text: err_text,
    };
    Some(((msg, err), (space == CodeSpace::Os).then_some(meaning)))
}

/// The code space of an errno after `msg`: nginx's resolver writes its own codes.
#[inline]
fn errno_space(msg: &[u8]) -> CodeSpace {
    if msg.ends_with(b"could not be resolved") {
        CodeSpace::Resolver
    } else {
        CodeSpace::Os
    }
}

/// Parses a ` (N: text)` suffix; returns the text before it and the error. The text may
/// hold balanced parentheses (Windows: `(10048: Only one usage of each socket address
/// (protocol/network address/port) is normally permitted)`).
fn split_errno(text: &[u8]) -> Option<(&[u8], SysError<'_>)> {
    // Most texts without an errno end otherwise: turned down before the common suffixes'
    // eleven compares.
    if text.last() != Some(&b')') {
        return None;
    }
    common_errno(text)
        .map(|(split, _)| split)
        .or_else(|| split_errno_searched(text))
}

/// [`split_errno`] by searching for the parentheses and reading the number, for any suffix.
fn split_errno_searched(text: &[u8]) -> Option<(&[u8], SysError<'_>)> {
    let inner_end = text.len().checked_sub(1)?;
    if at(text, inner_end) != b')' {
        return None;
    }
    let (open, plain) = matching_open(text, inner_end)?;
    if open == 0 || at(text, open - 1) != b' ' {
        return None;
    }
    let msg = head(text, open - 1);
    let err = errno_inner(sub(text, open + 1, inner_end), errno_space(msg), plain)?;
    Some((msg, err))
}

/// The `(` that the `)` at `close` closes, within the 300 bytes before it, and whether no
/// parenthesis stands between the two.
fn matching_open(text: &[u8], close: usize) -> Option<(usize, bool)> {
    // Almost always the last `(`, with no `)` between it and `close`: the last of the two
    // bytes, by one search (a `memrchr` for the `(` and a `memchr` for a `)` after it were
    // two calls). When that is a `)`, the parentheses are counted below; when there is
    // neither, there is no `(`.
    let last = memchr::memrchr2(b'(', b')', head(text, close))?;
    if at(text, last) == b'(' {
        return Some((last, true));
    }
    open_by_depth(text, close)
}

/// The `(` that the `)` at `close` closes, counting the parentheses back from it over at
/// most 300 bytes (not `plain`: a parenthesis stands between).
fn open_by_depth(text: &[u8], close: usize) -> Option<(usize, bool)> {
    let from = close.saturating_sub(300);
    let mut depth = 0usize;
    for i in (from..close).rev() {
        match at(text, i) {
            b')' => depth += 1,
            b'(' if depth == 0 => return Some((i, false)),
            b'(' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// [`matching_open`] as the tenth pass wrote it (a `memrchr` for the `(`, a `memchr` for a
/// `)` after it), which the tests compare it with.
#[cfg(test)]
fn matching_open_by_two_searches(text: &[u8], close: usize) -> Option<(usize, bool)> {
    let last = memchr::memrchr(b'(', head(text, close))?;
    if memchr::memchr(b')', sub(text, last + 1, close)).is_none() {
        return Some((last, true));
    }
    open_by_depth(text, close)
}

/// Reads `N: text` (decimal, negative, or Windows hex). `plain`: the caller saw that
/// `inner` holds no parenthesis, so the text's need not be counted.
fn errno_inner(inner: &[u8], space: CodeSpace, plain: bool) -> Option<SysError<'_>> {
    // Almost always decimal digits and `: `: read once, without searching for the colon
    // (digits hold no `:`, so this is the first `: ` the search would find).
    let (digits, len) = leading_u64(inner);
    let (colon, parsed) = if len > 0 && sub(inner, len, len + 2) == b": " {
        (len, i64::try_from(digits).ok())
    } else {
        let colon = find(inner, b": ")?;
        (colon, parse_signed(head(inner, colon)))
    };
    let num = head(inner, colon);
    let text = tail(inner, colon + 2);
    if num.is_empty() || num.len() > 16 {
        return None;
    }
    let (number, space) = if let Some(n) = parsed {
        // Windows builds print WSA codes (10061 ...).
        let space = if space == CodeSpace::Os && (10_000..12_000).contains(&n) {
            CodeSpace::Windows
        } else {
            space
        };
        (n, space)
    } else if num.len() == 8 && num.iter().all(u8::is_ascii_hexdigit) {
        // `(%Xd: ` for Windows codes of 0x80000000 and above.
        (parse_hex(num)?, CodeSpace::Windows)
    } else {
        return None;
    };
    if !plain && memchr::memchr2(b'(', b')', text).is_some() {
        let opens = text.iter().filter(|&&b| b == b'(').count();
        let closes = text.iter().filter(|&&b| b == b')').count();
        if opens != closes {
            return None;
        }
    }
    Some(SysError {
        space,
        number,
        text,
    })
}

/// Finds the start of the context fields, by the structure around `, client: ` (or the
/// stream module's `, udp client: `) rather than by its value. Candidates, best first:
/// right after a known ` while <action>`; right after an errno suffix ` (N: text)`;
/// followed by a value and `, server: `; or (a line cut short) an address up to the end.
/// Within a rank the last physical line wins (FastCGI stderr entries carry their context
/// at the end), then the first candidate. Returns the offset and the key length.
fn find_context(body: &[u8], one_line: bool) -> Option<Context<'_>> {
    // Nearly every entry is one line whose first `, client: ` follows a known action: the
    // surest rank on the last line, which the search below returns at once too. Read
    // first on its own, without the search's candidates and keys (~50 instructions a
    // line); any other entry is searched from its start. The messages before the comma
    // are ~100 bytes: two words a step cost less there than `memchr`'s call and set-up.
    if one_line {
        let mut from = 0;
        while let Some(comma) = word_search::find_wide(b',', tail(body, from)) {
            let i = from + comma;
            if starts_with_long_key(tail(body, i), CLIENT) {
                if let Some((0, mark)) = context_rank(head(body, i), tail(body, i + CLIENT.len())) {
                    return Some(Context::marked(i, CLIENT.len(), mark));
                }
                break;
            }
            from = i + 1;
        }
    }
    find_context_searched(body, one_line)
}

/// [`find_context`] by trying every candidate, as the ranks require.
fn find_context_searched(body: &[u8], one_line: bool) -> Option<Context<'_>> {
    let mut last_line = if one_line {
        LastLine::single(body)
    } else {
        LastLine::new(body)
    };
    let mut best: Option<(u8, bool, usize, usize, Mark<'_>)> = None;
    for key in [CLIENT, UDP_CLIENT] {
        let key_len = key.len();
        for i in key_offsets(body, key) {
            let Some((rank, mark)) = context_rank(head(body, i), tail(body, i + key_len)) else {
                continue;
            };
            // Lower rank, then the last line, then the earliest.
            let before_last_line = last_line.is_after(i);
            if rank == 0 && !before_last_line {
                // The surest rank on the last line: nothing found before or after it can
                // win (a candidate as sure before it would have ended the search there).
                return Some(Context::marked(i, key_len, mark));
            }
            let candidate = (rank, before_last_line, i, key_len, mark);
            if best.is_none_or(|b| (candidate.0, candidate.1) < (b.0, b.1)) {
                best = Some(candidate);
            }
        }
        // A `, client: ` after the action or errno is surely the context: no need to look
        // for the stream module's `, udp client: `.
        if best.is_some_and(|b| b.0 <= 1) {
            break;
        }
    }
    best.map(|(_, _, at, key_len, mark)| Context::marked(at, key_len, mark))
}

impl<'a> Context<'a> {
    /// The context starting at `at` with a key of `key_len` bytes, marked by `mark`.
    #[inline]
    fn marked(at: usize, key_len: usize, mark: Mark<'a>) -> Self {
        Context {
            at,
            key_len,
            while_at: match mark {
                Mark::Action(w, phase) => Some((w, phase)),
                _ => None,
            },
            errno: match mark {
                Mark::Errno(split) => Some(split),
                _ => None,
            },
        }
    }
}

/// Where an entry's last physical line starts, looked for only when a context candidate
/// needs it, and first only after the candidate: a single-line entry (nearly all) has no
/// `\n` there, and a `memchr` over the context is shorter than a `memrchr` over the body.
struct LastLine<'a> {
    body: &'a [u8],
    /// The last line's start, once searched for.
    start: Option<usize>,
    /// No `\n` at or after this offset.
    clear_from: usize,
}

impl<'a> LastLine<'a> {
    fn new(body: &'a [u8]) -> Self {
        LastLine {
            body,
            start: None,
            clear_from: body.len(),
        }
    }

    /// The last line of a `body` known to hold no `\n`: the whole of it, without a search.
    fn single(body: &'a [u8]) -> Self {
        LastLine {
            body,
            start: None,
            clear_from: 0,
        }
    }

    /// Whether the last line starts after offset `i` (`i` is on an earlier line).
    #[inline]
    fn is_after(&mut self, i: usize) -> bool {
        if let Some(start) = self.start {
            return i < start;
        }
        if i >= self.clear_from {
            return false;
        }
        if memchr::memchr(b'\n', tail(self.body, i)).is_none() {
            self.clear_from = i;
            return false;
        }
        let start = memchr::memrchr(b'\n', self.body).map_or(0, |nl| nl + 1);
        self.start = Some(start);
        i < start
    }
}

/// Where `key` (a context key, which starts with `,`) occurs in `body`, first to last. The
/// keys cannot overlap themselves, so these are the matches a substring search finds; the
/// commas before the context are few in nginx messages, and walking them costs less than
/// the substring search's set-up.
fn key_offsets<'a>(body: &'a [u8], key: &'static [u8]) -> impl Iterator<Item = usize> + 'a {
    memchr::memchr_iter(b',', body).filter(move |&i| starts_with_long_key(tail(body, i), key))
}

/// Whether `s` starts with `key` (8 to 16 bytes): its first and last eight bytes compared
/// as two words, where `starts_with` called `bcmp` at every comma (~25 instructions).
#[inline(always)]
fn starts_with_long_key(s: &[u8], key: &[u8]) -> bool {
    let word = |b: &[u8], from: usize| b.get(from..).and_then(<[u8]>::first_chunk::<8>).copied();
    let last = key.len().saturating_sub(8);
    match (word(s, 0), word(key, 0)) {
        (Some(a), Some(b)) if key.len() <= 16 => {
            a == b && s.len() >= key.len() && word(s, last) == word(key, last)
        }
        _ => s.starts_with(key),
    }
}

/// Where the context fields start, as [`find_context`] found them.
#[derive(Clone, Copy)]
struct Context<'a> {
    /// Offset of `, client: ` (or `, udp client: `).
    at: usize,
    /// Length of that key.
    key_len: usize,
    /// Offset of the ` while ` of a known action just before, when there is one, and that
    /// action's phase.
    while_at: Option<(usize, Option<Phase>)>,
    /// The errno suffix just before (the message and the error), when that marked it.
    errno: Option<(&'a [u8], SysError<'a>)>,
}

/// What marked a `, client: ` as the context's start, as [`context_rank`] read it.
#[derive(Clone, Copy)]
enum Mark<'a> {
    /// A known action: the offset of its ` while ` and its phase.
    Action(usize, Option<Phase>),
    /// An errno suffix: the message before it and the error.
    Errno((&'a [u8], SysError<'a>)),
    /// Its value and what follows.
    Other,
}

/// The upstream actions of most 502s and 504s, with their ` while ` and phase (the real
/// servers' lines in fixtures/ carry these five most, `connecting to upstream` and `reading
/// response header from upstream` far ahead). Each is an [`ACTIONS`] text (a test checks
/// it and its phase), none holds a `w` after its ` while `'s, so the last ` while ` of a
/// text that ends with one of them is its own.
const COMMON_ACTIONS: [(&[u8], Phase); 5] = [
    (b" while connecting to upstream", Phase::Connect),
    (
        b" while reading response header from upstream",
        Phase::ReadHeader,
    ),
    (b" while reading upstream", Phase::ReadBody),
    (b" while SSL handshaking to upstream", Phase::TlsHandshake),
    (b" while sending request to upstream", Phase::SendRequest),
];

/// Where ` while <action>` starts when `before` ends with one of [`COMMON_ACTIONS`], and its
/// phase: what [`rfind_while`] and [`known_action`] find there (a `memrchr` call and a
/// table walk with a `bcmp`, ~130 instructions on nearly every line of a 502/504 burst),
/// by a few word compares. All five end in ` upstream`, so one compare turns most others
/// down.
#[inline]
fn common_action(before: &[u8]) -> Option<(usize, Option<Phase>)> {
    if !before.ends_with(b" upstream") {
        return None;
    }
    COMMON_ACTIONS
        .iter()
        .find(|(text, _)| before.ends_with(text))
        .map(|&(text, phase)| (before.len() - text.len(), Some(phase)))
}

/// Where the ` while <known action>` that ends `before` starts, and the action's phase.
/// Found from its rare `w`: a search from the first byte would stop at every space.
fn searched_action(before: &[u8]) -> Option<(usize, Option<Phase>)> {
    let from = before.len().saturating_sub(96);
    let w = rfind_while(tail(before, from))?;
    let &(_, phase) = known_action(tail(before, from + w + b" while ".len()))?;
    Some((from + w, phase))
}

/// How surely `, client: ` between `before` and `rest` starts the context (0 = surest),
/// with what marked it; `None` when it cannot start the context.
#[inline(always)]
fn context_rank<'a>(before: &'a [u8], rest: &[u8]) -> Option<(u8, Mark<'a>)> {
    // A known action just before: ` while connecting to upstream, client: `. The commonest
    // are compared at the end first (what the search finds for them).
    if let Some((w, phase)) = common_action(before).or_else(|| searched_action(before)) {
        return Some((0, Mark::Action(w, phase)));
    }
    // An errno suffix just before: `... (104: Connection reset by peer), client: `.
    if before.ends_with(b")") {
        if let Some(split) = split_errno(before) {
            return Some((1, Mark::Errno(split)));
        }
    }
    let end = find(head(rest, 512), b", ").unwrap_or(rest.len());
    let value = head(rest, end);
    if memchr::memchr(b'\n', value).is_some() {
        return None;
    }
    if tail(rest, end).starts_with(b", server: ") {
        return Some((2, Mark::Other));
    }
    // A line cut inside the context: an address up to the end of the entry.
    let address = value.starts_with(b"unix:")
        || value
            .iter()
            .all(|&b| b.is_ascii_hexdigit() || matches!(b, b'.' | b':' | b'%' | b'[' | b']'));
    (end == rest.len() && address && value.len() <= 64).then_some((3, Mark::Other))
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
    /// `request_id: "..."`, appended by APISIX's apisix-nginx-module and Kong's
    /// lua-kong-nginx-module (`lua_kong_error_log_request_id`) after the standard fields.
    RequestId,
    Bytes,
}

const SERVER: &[u8; 8] = b"server: ";
const REQUEST: &[u8; 10] = b"request: \"";
const SUBREQUEST: &[u8; 13] = b"subrequest: \"";
const UPSTREAM: &[u8; 11] = b"upstream: \"";
const HOST: &[u8; 7] = b"host: \"";
const REFERRER: &[u8; 11] = b"referrer: \"";
const REQUEST_ID: &[u8; 13] = b"request_id: \"";
const BYTES: &[u8; 21] = b"bytes from/to client:";

/// Each key's text, which [`Key`] it is (its index here) and whether its value is quoted.
const KEYS: [(&[u8], Key, bool); 8] = [
    (SERVER, Key::Server, false),
    (REQUEST, Key::Request, true),
    (SUBREQUEST, Key::Subrequest, true),
    (UPSTREAM, Key::Upstream, true),
    (HOST, Key::Host, true),
    (REFERRER, Key::Referrer, true),
    (REQUEST_ID, Key::RequestId, true),
    (BYTES, Key::Bytes, false),
];

/// `, ` and the first six bytes of a key's text, as the word [`key_at`] reads first.
const fn opening(key: &[u8]) -> u64 {
    match key {
        [a, b, c, d, e, f, ..] => u64::from_le_bytes([b',', b' ', *a, *b, *c, *d, *e, *f]),
        _ => 0,
    }
}

const SERVER_OPENING: u64 = opening(SERVER);
/// `request: "` and `request_id: "` open alike.
const REQUEST_OPENING: u64 = opening(REQUEST);
const SUBREQUEST_OPENING: u64 = opening(SUBREQUEST);
const UPSTREAM_OPENING: u64 = opening(UPSTREAM);
const HOST_OPENING: u64 = opening(HOST);
const REFERRER_OPENING: u64 = opening(REFERRER);
const BYTES_OPENING: u64 = opening(BYTES);

/// The key (with order index ≥ `min`) that starts right after `, ` at `s`, and the length
/// of `, ` and the key. The first eight bytes (`, ` and six of the key's) are read as one
/// word and matched against each key's: one load and a few compares, where the comma, the
/// space and the first byte were read one by one (~38 instructions a call, four calls a
/// line). Each key's whole text is then compared as a constant. No key's text begins
/// another's; every key with its `, ` is longer than eight bytes.
#[inline(always)]
fn key_at(s: &[u8], min: usize) -> Option<(usize, usize)> {
    let word = u64::from_le_bytes(*s.first_chunk::<8>()?);
    let rest = tail(s, 2);
    let (key, len) = match word {
        SERVER_OPENING if rest.starts_with(SERVER) => (Key::Server, SERVER.len()),
        REQUEST_OPENING if rest.starts_with(REQUEST) => (Key::Request, REQUEST.len()),
        REQUEST_OPENING if rest.starts_with(REQUEST_ID) => (Key::RequestId, REQUEST_ID.len()),
        SUBREQUEST_OPENING if rest.starts_with(SUBREQUEST) => (Key::Subrequest, SUBREQUEST.len()),
        UPSTREAM_OPENING if rest.starts_with(UPSTREAM) => (Key::Upstream, UPSTREAM.len()),
        HOST_OPENING if rest.starts_with(HOST) => (Key::Host, HOST.len()),
        REFERRER_OPENING if rest.starts_with(REFERRER) => (Key::Referrer, REFERRER.len()),
        BYTES_OPENING if rest.starts_with(BYTES) => (Key::Bytes, BYTES.len()),
        _ => return None,
    };
    let index = key as usize;
    (index >= min).then_some((index, 2 + len))
}

/// [`key_at`] as the seventh pass wrote it (the comma, the space and the key's first byte
/// read one by one), which the tests compare it with.
#[cfg(test)]
fn key_at_bytewise(s: &[u8], min: usize) -> Option<(usize, usize)> {
    let rest = s.strip_prefix(b", ")?;
    let key = match *rest.first()? {
        b's' if rest.starts_with(SERVER) => Key::Server,
        b's' if rest.starts_with(SUBREQUEST) => Key::Subrequest,
        b'r' if rest.starts_with(REQUEST) => Key::Request,
        b'r' if rest.starts_with(REFERRER) => Key::Referrer,
        b'r' if rest.starts_with(REQUEST_ID) => Key::RequestId,
        b'u' if rest.starts_with(UPSTREAM) => Key::Upstream,
        b'h' if rest.starts_with(HOST) => Key::Host,
        b'b' if rest.starts_with(BYTES) => Key::Bytes,
        _ => return None,
    };
    let index = key as usize;
    let (name, _, _) = KEYS.get(index)?;
    (index >= min).then_some((index, 2 + name.len()))
}

/// Parses `<client>[, server: ..][, request: ".."]...` (after `client: `); returns whether
/// the stream module's `bytes from/to client:` counters follow.
fn parse_context<'a>(ctx: &'a [u8], rec: &mut ErrorRecord<'a>) -> bool {
    // Client: up to `, server: ` (whatever it holds: `unix:`, nothing, a redaction), or
    // to the first `,` when no `, server: ` follows (a line cut short).
    let first = word_search::find_any([b',', b'\n'], ctx).unwrap_or(ctx.len());
    let server_follows = tail(ctx, first).starts_with(b", server: ");
    let end = if server_follows || first == ctx.len() {
        first
    } else {
        find(head(ctx, 512), b", server: ").unwrap_or(first)
    };
    let client = head(ctx, end);
    rec.client = Some(client).filter(|c| !c.is_empty());
    let mut pos = end;
    // The `, server: ` just read (nearly always there) is what `key_at` would read.
    let mut next_key = if server_follows {
        Some((Key::Server as usize, 2 + SERVER.len()))
    } else {
        key_at(tail(ctx, pos), 0)
    };
    while let Some((index, key_len)) = next_key {
        let Some(&(_, key, quoted)) = KEYS.get(index) else {
            break;
        };
        if key == Key::Bytes {
            return true;
        }
        let vstart = pos + key_len;
        let (vend, next, following) = if quoted {
            quoted_end(ctx, vstart, index + 1)
        } else {
            unquoted_end(ctx, vstart, index + 1)
        };
        let value = sub(ctx, vstart, vend);
        match key {
            Key::Server => rec.server_name = Some(value).filter(|v| !v.is_empty()),
            Key::Request => rec.request = Some(value),
            Key::Subrequest => rec.subrequest = Some(value),
            Key::Upstream => rec.upstream_url = Some(value),
            Key::Host => rec.host = Some(value),
            Key::Referrer => rec.referer = Some(value),
            Key::RequestId | Key::Bytes => {}
        }
        pos = next;
        next_key = following;
    }
    false
}

/// Where a value ends: its end, where the next key starts, and that key (as [`key_at`]
/// read it there, so it is not read twice).
type ValueEnd = (usize, usize, Option<(usize, usize)>);

/// End of a quoted value starting at `from`: the first `"` followed by `, <later key>`,
/// or a `"` that ends the entry, or the end (a value cut by truncation).
///
/// The values are short (a request line, an address, a host name), so each `"` is looked
/// for two words at a time (`word_search::find_wide`): `memchr`'s set-up cost more than
/// these few dozen bytes take.
fn quoted_end(ctx: &[u8], from: usize, min: usize) -> ValueEnd {
    let mut search = from;
    while let Some(q) = word_search::find_wide(b'"', tail(ctx, search)) {
        let abs = search + q;
        if abs + 1 == ctx.len() {
            return (abs, ctx.len(), None);
        }
        if let Some(key) = key_at(tail(ctx, abs + 1), min) {
            return (abs, abs + 1, Some(key));
        }
        search = abs + 1;
    }
    (ctx.len(), ctx.len(), None)
}

/// End of an unquoted value: the first `, <later key>` or the end.
/// (Searched a word at a time, as in [`quoted_end`].)
fn unquoted_end(ctx: &[u8], from: usize, min: usize) -> ValueEnd {
    let mut search = from;
    while let Some(c) = word_search::find(b',', tail(ctx, search)) {
        let abs = search + c;
        if let Some(key) = key_at(tail(ctx, abs), min) {
            return (abs, abs, Some(key));
        }
        search = abs + 1;
    }
    (ctx.len(), ctx.len(), None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Cause, Errno, Phase};
    use proptest::prelude::*;

    fn rec(line: &[u8]) -> ErrorRecord<'_> {
        match parse(line) {
            Ok(r) => r,
            Err(e) => panic!("{e}: {}", String::from_utf8_lossy(line)),
        }
    }

    const REAL: &str = r#"2026/11/25 09:48:02 [error] 29504#29504: *2 connect() failed (111: Connection refused) while connecting to upstream, client: 127.0.0.1, server: shop.example.test, request: "GET /api/users?id=8 HTTP/1.1", upstream: "http://127.0.0.1:19101/api/users?id=8", host: "shop.example.test", referrer: "https://shop.example.test/cart""#;

    #[test]
    fn every_field_of_a_real_line() {
        let r = rec(REAL.as_bytes());
        assert_eq!(
            r.time.map(|t| t.to_string()),
            Some("2026-11-25T09:48:02".to_owned())
        );
        assert_eq!(r.level, Some(Level::Error));
        assert_eq!(
            (r.pid, r.tid, r.connection),
            (Some(29504), Some(29504), Some(2))
        );
        assert_eq!(r.message, b"connect() failed");
        let e = r.sys_error.unwrap();
        assert_eq!(
            (e.space, e.number, e.text),
            (CodeSpace::Os, 111, &b"Connection refused"[..])
        );
        assert_eq!(r.action, Some(&b"connecting to upstream"[..]));
        assert_eq!(r.client, Some(&b"127.0.0.1"[..]));
        assert_eq!(r.server_name, Some(&b"shop.example.test"[..]));
        assert_eq!(r.request, Some(&b"GET /api/users?id=8 HTTP/1.1"[..]));
        assert_eq!(
            r.upstream_url,
            Some(&b"http://127.0.0.1:19101/api/users?id=8"[..])
        );
        assert_eq!(r.host, Some(&b"shop.example.test"[..]));
        assert_eq!(r.referer, Some(&b"https://shop.example.test/cart"[..]));
        assert!(!r.truncated);
    }

    #[test]
    fn common_actions_are_known_actions_read_alike() {
        for &(text, phase) in &COMMON_ACTIONS {
            let action = text.strip_prefix(b" while ").unwrap();
            assert_eq!(known_action(action).map(|a| a.1), Some(Some(phase)));
            assert!(!action.contains(&b'w'), "{action:?}");
            assert!(text.len() <= 96 && text.ends_with(b" upstream"));
            for before in [
                &b"upstream timed out (110: Connection timed out)"[..],
                b"",
                b"x while y",
            ] {
                let line = [before, text].concat();
                assert_eq!(common_action(&line), searched_action(&line));
                assert_eq!(common_action(&line).map(|a| a.1), Some(Some(phase)));
                assert_eq!(common_action(&line[..line.len() - 1]), None);
            }
        }
    }

    #[test]
    fn long_keys_compared_as_by_starts_with() {
        for key in [CLIENT, UDP_CLIENT] {
            for s in [
                &b", client: 1"[..],
                b", client: ",
                b", client:",
                b", client:x",
                b", udp client: 1",
                b", udp client:",
                b", udp client: ",
                b", udp cxient: ",
                b", client",
                b"",
                b", ",
            ] {
                assert_eq!(starts_with_long_key(s, key), s.starts_with(key), "{s:?}");
            }
        }
    }

    #[test]
    fn common_errnos_are_read_as_by_the_search() {
        let mut words: Vec<u64> = COMMON_ERRNO_WORDS.iter().map(|&(w, _)| w).collect();
        words.sort_unstable();
        words.dedup();
        assert_eq!(words.len(), COMMON_ERRNOS.len());
        for &(suffix, number, meaning) in &COMMON_ERRNOS {
            assert_eq!(
                suffix.iter().filter(|&&b| b == b'(' || b == b')').count(),
                2
            );
            for msg in [&b"connect() failed"[..], b"", b"host could not be resolved"] {
                let text = [msg, suffix].concat();
                let found = common_errno(&text);
                let split = found.map(|(split, _)| split);
                assert_eq!(split, split_errno_searched(&text));
                assert_eq!(split.map(|(m, e)| (m, e.number)), Some((msg, number)));
                // The meaning given with an OS errno is the one its text reads as.
                let error = split.map(|(_, e)| e);
                let known = found.and_then(|(_, known)| known);
                match error.map(|e| e.space) {
                    Some(CodeSpace::Os) => {
                        assert_eq!(known, Some(meaning));
                        assert_eq!(error.and_then(|e| e.errno()), Some(meaning));
                    }
                    _ => assert_eq!(known, None),
                }
                assert!(common_errno(&text[..text.len() - 1]).is_none());
            }
        }
    }

    #[test]
    fn the_last_line_is_found_as_by_its_last_newline() {
        for body in [
            &b""[..],
            b"a",
            b"\n",
            b"ab\ncd",
            b"\n\nx\n",
            b"abc\n",
            b"x\nyy\nzzz",
        ] {
            let start = memchr::memrchr(b'\n', body).map_or(0, |nl| nl + 1);
            for order in [false, true] {
                let mut last_line = LastLine::new(body);
                let mut offsets: Vec<usize> = (0..=body.len()).collect();
                if order {
                    offsets.reverse();
                }
                for i in offsets {
                    assert_eq!(last_line.is_after(i), i < start, "{body:?} {i}");
                }
            }
        }
    }

    #[test]
    fn every_key_is_read_at_its_index() {
        for (index, &(name, key, _)) in KEYS.iter().enumerate() {
            assert_eq!(key as usize, index);
            let at = [&b", "[..], name, b"x"].concat();
            assert_eq!(key_at(&at, 0), Some((index, 2 + name.len())));
            assert_eq!(key_at(&at, index), Some((index, 2 + name.len())));
            assert_eq!(key_at(&at, index + 1), None);
            assert_eq!(key_at(&at[..at.len() - 2], 0), None);
        }
    }

    #[test]
    fn prefix_variants() {
        // Without thread support the TID is 0; lines without a connection have no *CID.
        let r = rec(b"2025/11/25 10:00:00 [warn] 1234#0: 16 worker_connections are not enough, reusing connections");
        assert_eq!((r.pid, r.tid, r.connection), (Some(1234), Some(0), None));
        assert_eq!(r.level, Some(Level::Warn));
        // syslog, journald and CRI (Kubernetes) prefixes.
        for line in [
            &b"<11>Nov 25 10:00:00 web1 nginx: 2025/11/25 10:00:00 [error] 7#7: *1 no live upstreams while connecting to upstream, client: 1.2.3.4, server: a, request: \"GET / HTTP/1.1\", upstream: \"http://app/\", host: \"a\""[..],
            b"Nov 25 10:00:00 web1 nginx[7]: 2025/11/25 10:00:00 [error] 7#7: *1 no live upstreams while connecting to upstream, client: 1.2.3.4, server: a, request: \"GET / HTTP/1.1\", upstream: \"http://app/\", host: \"a\"",
            b"2025-11-25T10:00:00.123456789Z stderr F 2025/11/25 10:00:00 [error] 7#7: *1 no live upstreams while connecting to upstream, client: 1.2.3.4, server: a, request: \"GET / HTTP/1.1\", upstream: \"http://app/\", host: \"a\"",
        ] {
            assert!(starts_entry(line));
            let r = rec(line);
            assert_eq!(r.connection, Some(1));
            assert_eq!(r.failure.map(|f| f.cause), Some(Cause::NoLiveUpstreams));
            assert_eq!(r.failure.and_then(|f| f.peer), Some(&b"app"[..]));
        }
        assert!(parse(b"Nov 25 10:00:00 web1 kernel: something else").is_err());
        assert!(parse(b"2025/13/25 10:00:00 [error] 1#1: bad month").is_err());
        assert!(parse(b"").is_err());
    }

    #[test]
    fn entry_starts() {
        assert!(starts_entry(REAL.as_bytes()));
        assert!(starts_entry(
            b"nginx: [emerg] bind() to 0.0.0.0:80 failed (98: Address already in use)"
        ));
        assert!(!starts_entry(b"Stack trace:"));
        assert!(!starts_entry(b"#0 /var/www/html/index.php(12): PDO->__construct('mysql:host=db', 'app', Object(SensitiveParameterValue))"));
        assert!(!starts_entry(b"  thrown in /var/www/html/index.php on line 12\" while reading response header from upstream, client: 1.2.3.4"));
        assert!(!starts_entry(b"2025/11/25 10:00:00"));
        assert!(!starts_entry(b""));
    }

    #[test]
    fn hostile_bytes_in_request_host_and_referrer() {
        // Raw request line with quotes, a fake `", host: "`, invalid UTF-8 and ESC.
        let line = b"2025/11/25 10:00:00 [error] 7#7: *9 upstream timed out (110: Connection timed out) while reading response header from upstream, client: 203.0.113.7, server: example.com, request: \"GET /a\"b\xff\xfe\x1b[31m HTTP/1.1\", upstream: \"http://10.0.0.5:8080/a\"b\xff\", host: \"ex\"ample\", referrer: \"http://x/\"\"";
        let r = rec(line);
        assert_eq!(r.request, Some(&b"GET /a\"b\xff\xfe\x1b[31m HTTP/1.1"[..]));
        assert_eq!(r.upstream_url, Some(&b"http://10.0.0.5:8080/a\"b\xff"[..]));
        assert_eq!(r.host, Some(&b"ex\"ample"[..]));
        assert_eq!(r.referer, Some(&b"http://x/\""[..]));
        assert_eq!(r.failure.map(|f| f.cause), Some(Cause::UpstreamTimeoutRead));
        assert_eq!(r.failure.and_then(|f| f.peer), Some(&b"10.0.0.5:8080"[..]));
        // A fake `, client: ` inside the message is skipped: no plausible address follows.
        let line = b"2025/11/25 10:00:00 [error] 7#7: *9 FastCGI sent in stderr: \"PHP message: bad input, client: <script>, server: x\" while reading response header from upstream, client: 10.0.0.1, server: s, request: \"GET / HTTP/1.1\", upstream: \"fastcgi://127.0.0.1:9000\", host: \"s\"";
        let r = rec(line);
        assert_eq!(r.client, Some(&b"10.0.0.1"[..]));
        assert_eq!(
            r.action,
            Some(&b"reading response header from upstream"[..])
        );
        assert!(r.message.ends_with(b"server: x\""));
        // A spoofed `", host: "` in the request line ends the request there (first match).
        let line = b"2025/11/25 10:00:00 [error] 7#7: *9 no live upstreams while connecting to upstream, client: 10.0.0.1, server: s, request: \"GET /x\", host: \"evil HTTP/1.1\", upstream: \"http://app/x\", host: \"s\"";
        let r = rec(line);
        assert_eq!(r.request, Some(&b"GET /x"[..]));
        assert_eq!(r.client, Some(&b"10.0.0.1"[..]));
    }

    #[test]
    fn empty_server_subrequest_and_stream_context() {
        let r = rec(b"2025/11/25 10:00:00 [error] 7#7: *9 connect() failed (111: Connection refused) while connecting to upstream, client: 10.0.0.1, server: , request: \"GET /private HTTP/1.1\", subrequest: \"/auth\", upstream: \"http://127.0.0.1:9191/auth\", host: \"s\"");
        assert_eq!(r.server_name, None);
        assert_eq!(r.subrequest, Some(&b"/auth"[..]));
        assert_eq!(r.failure.and_then(|f| f.peer), Some(&b"127.0.0.1:9191"[..]));
        // Stream (TCP) proxy: the upstream is a bare address, byte counters follow.
        let r = rec(b"2025/11/25 10:00:00 [error] 7#7: *9 connect() failed (111: Connection refused) while connecting to upstream, client: 10.0.0.1, server: 0.0.0.0:3306, upstream: \"10.0.0.9:3306\", bytes from/to client:0/0, bytes from/to upstream:0/0");
        assert_eq!(r.server_name, Some(&b"0.0.0.0:3306"[..]));
        assert_eq!(r.upstream_url, Some(&b"10.0.0.9:3306"[..]));
        let f = r.failure.unwrap();
        assert_eq!(
            (f.cause, f.peer, f.protocol),
            (
                Cause::UpstreamRefused,
                Some(&b"10.0.0.9:3306"[..]),
                Some(&b"tcp"[..])
            )
        );
        // UDP stream sessions say `udp client:`.
        let r = rec(b"2025/11/25 10:00:00 [error] 7#7: *9 recv() failed (111: Connection refused) while proxying connection, udp client: 10.0.0.1, server: 0.0.0.0:53, upstream: \"10.0.0.2:53\", bytes from/to client:40/0, bytes from/to upstream:0/40");
        assert_eq!(r.client, Some(&b"10.0.0.1"[..]));
        assert_eq!(r.action, Some(&b"proxying connection"[..]));
    }

    #[test]
    fn unknown_action_stays_in_the_message() {
        let r = rec(b"2025/11/25 10:00:00 [error] 7#7: *9 [lua] app.lua:12: retrying while waiting for lock, client: 10.0.0.1, server: s, request: \"GET / HTTP/1.1\", host: \"s\"");
        assert_eq!(r.action, None);
        assert_eq!(
            r.message,
            b"[lua] app.lua:12: retrying while waiting for lock"
        );
    }

    #[test]
    fn zone_re_resolution_action() {
        let r = rec(b"2025/11/25 10:00:00 [error] 7#7: backend.local could not be resolved (2: Server failure) while resolving service http of backend.local");
        assert_eq!(
            r.action,
            Some(&b"resolving service http of backend.local"[..])
        );
        assert_eq!(
            r.sys_error.map(|e| (e.space, e.number)),
            Some((CodeSpace::Resolver, 2))
        );
        let f = r.failure.unwrap();
        assert_eq!(
            (f.cause, f.phase, f.variant),
            (Cause::DnsResolution, Some(Phase::Resolve), Some("servfail"))
        );
        assert_eq!(f.peer, Some(&b"backend.local"[..]));
    }

    #[test]
    fn errno_forms() {
        let r = rec(b"2025/11/25 10:00:00 [alert] 7#7: *9 connect() failed (C0000005: Access violation) while connecting to upstream, client: 10.0.0.1, server: s");
        let e = r.sys_error.unwrap();
        assert_eq!((e.space, e.number), (CodeSpace::Windows, 0xC000_0005));
        let r = rec(b"2025/11/25 10:00:00 [error] 7#7: DNS error (3: Host not found), query id:4242, name:\"api.example\"");
        let e = r.sys_error.unwrap();
        assert_eq!((e.space, e.number), (CodeSpace::Resolver, 3));
        let f = r.failure.unwrap();
        assert_eq!(
            (f.cause, f.peer, f.variant),
            (
                Cause::DnsResolution,
                Some(&b"api.example"[..]),
                Some("nxdomain")
            )
        );
        // T3's `(20:text)` has no space after the colon: not an errno.
        let r = rec(b"2025/11/25 10:00:00 [error] 7#7: *1 upstream SSL certificate verify error: (20:unable to get local issuer certificate) while SSL handshaking to upstream, client: 10.0.0.1, server: s");
        assert_eq!(r.sys_error, None);
        assert!(
            r.message
                .ends_with(b"(20:unable to get local issuer certificate)")
        );
    }

    /// A line of exactly `MAX_LINE` bytes, as nginx writes it when the buffer is full.
    fn cut(line: &[u8]) -> Vec<u8> {
        let mut v = line.to_vec();
        v.truncate(MAX_LINE);
        v
    }

    #[test]
    fn truncated_line_with_cut_quoted_value() {
        let long_uri = "a".repeat(2200);
        let line = format!(
            "2025/11/25 10:00:00 [error] 7#7: *9 upstream timed out (110: Connection timed out) while reading response header from upstream, client: 10.0.0.1, server: s, request: \"GET /{long_uri} HTTP/1.1\", upstream: \"http://10.0.0.5:80/\", host: \"s\""
        );
        let line = cut(line.as_bytes());
        let r = rec(&line);
        assert!(r.truncated);
        let request = r.request.unwrap();
        assert!(request.starts_with(b"GET /aaaa"));
        assert!(!request.ends_with(b"\""));
        assert_eq!((r.upstream_url, r.host), (None, None));
        let f = r.failure.unwrap();
        assert_eq!(
            (f.cause, f.phase, f.errno),
            (
                Cause::UpstreamTimeoutRead,
                Some(Phase::ReadHeader),
                Some(Errno::TimedOut)
            )
        );
    }

    #[test]
    fn truncated_message_keeps_errno_after_marker() {
        // nginx cuts the message at last-50, writes `...`, then the errno; the action
        // and context get what is left.
        let mut line = b"2025/11/25 10:00:00 [error] 7#7: *9 FastCGI sent in stderr: \"PHP message: PHP Fatal error:  ".to_vec();
        line.extend(std::iter::repeat_n(b'x', MAX_LINE - 51 - line.len()));
        line.extend_from_slice(b"... (104: Connection reset by peer) while reading response header from upstream, client: 10.0.0.1, server: s");
        let line = cut(&line);
        assert_eq!(line.len(), MAX_LINE);
        let r = rec(&line);
        assert!(r.truncated);
        assert!(r.message.ends_with(b"xxx..."));
        let e = r.sys_error.unwrap();
        assert_eq!((e.number, e.text), (104, &b"Connection reset by peer"[..]));
        assert_eq!(r.action, Some(&b"reading r"[..]));
        assert_eq!(r.client, None);
        // The cut action still tells the phase.
        let f = r.failure.unwrap();
        assert_eq!(
            (f.cause, f.phase),
            (Cause::PhpFatal, Some(Phase::ReadHeader))
        );
    }

    #[test]
    fn truncated_context_cut_inside_client() {
        let mut line = b"2025/11/25 10:00:00 [error] 7#7: *9 upstream prematurely closed connection while reading upstream, client: 10.0".to_vec();
        let pad = MAX_LINE - line.len();
        // Put the padding into the message so the cut lands in the client address.
        let at = line.iter().position(|&b| b == b'u').unwrap();
        line.splice(at..at, std::iter::repeat_n(b'z', pad));
        let line = cut(&line);
        let r = rec(&line);
        assert!(r.truncated);
        assert_eq!(r.client, Some(&b"10.0"[..]));
        assert_eq!(r.action, Some(&b"reading upstream"[..]));
    }

    #[test]
    fn multi_line_entry_takes_context_from_the_last_line() {
        let entry = b"2025/11/25 10:00:00 [error] 7#7: *9 FastCGI sent in stderr: \"PHP message: PHP Fatal error:  Uncaught PDOException: SQLSTATE[HY000] [2002] Connection refused, client: 1.2.3.4, server: fake in /var/www/db.php:12\nStack trace:\n#0 /var/www/db.php(12): PDO->__construct()\n#1 {main}\n  thrown in /var/www/db.php on line 12\" while reading response header from upstream, client: 10.0.0.1, server: s, request: \"GET /db.php HTTP/1.1\", upstream: \"fastcgi://unix:/run/php/php8.2-fpm.sock:\", host: \"s\"";
        let r = rec(entry);
        assert_eq!(r.client, Some(&b"10.0.0.1"[..]));
        assert_eq!(r.server_name, Some(&b"s"[..]));
        assert!(r.message.ends_with(b"on line 12\""));
        assert_eq!(r.failure.map(|f| f.cause), Some(Cause::PhpFatal));
        // Joined with CRLF.
        let crlf = String::from_utf8_lossy(entry).replace('\n', "\r\n");
        let r = rec(crlf.as_bytes());
        assert_eq!(r.client, Some(&b"10.0.0.1"[..]));
        assert_eq!(
            r.upstream_url,
            Some(&b"fastcgi://unix:/run/php/php8.2-fpm.sock:"[..])
        );
    }

    /// Real lines from the fixtures, used as seeds for mutation.
    /// `pad` bytes `x`, then each piece: the text of `table` it names, or its byte when it
    /// names none (the proptests' lines, built from the pieces a format is made of).
    fn from_pieces(pad: usize, pieces: &[(usize, u8)], table: &[&[u8]]) -> Vec<u8> {
        let mut line = vec![b'x'; pad];
        for &(piece, byte) in pieces {
            match table.get(piece) {
                Some(text) => line.extend_from_slice(text),
                None => line.push(byte),
            }
        }
        line
    }

    const SEEDS: &[&str] = &[
        REAL,
        "2026/11/25 09:48:33 [error] 32433#32433: send() failed (111: Connection refused) while resolving, resolver: 127.0.0.1:19054",
        "2026/11/25 09:48:49 [crit] 1308#1308: accept4() failed (24: Too many open files)",
        "2026/11/25 09:48:19 [error] 31596#31596: *4 FastCGI sent in stderr: \"PHP message: PHP Fatal error:  Uncaught RuntimeException: x in /x.php:4\nStack trace:\n#0 {main}\n  thrown in /x.php on line 4\" while reading response header from upstream, client: 127.0.0.1, server: shop.example.test, request: \"GET /fatal_exception.php HTTP/1.1\", upstream: \"fastcgi://unix:/tmp/php-fpm.sock:\", host: \"shop.example.test\"",
        "2026/11/25 09:48:38 [error] 32691#32691: *1 SSL_do_handshake() failed (SSL: error:0A00010B:SSL routines::wrong version number) while SSL handshaking to upstream, client: 127.0.0.1, server: shop.example.test, request: \"POST /api/orders HTTP/1.1\", upstream: \"https://127.0.0.1:19128/api/orders\", host: \"shop.example.test\"",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            let _ = starts_entry(&bytes);
            let _ = parse(&bytes);
            let mut prefixed = b"2025/11/25 10:00:00 [error] 1#1: *1 ".to_vec();
            prefixed.extend_from_slice(&bytes);
            let _ = parse(&prefixed);
        }

        #[test]
        fn timestamp_words_read_as_the_bytes_do(
            edits in proptest::collection::vec((0..24usize, any::<u8>(), 0..3u8), 0..4),
            len in 0..26usize,
        ) {
            // A valid prefix with a few bytes replaced by neighbours of the digits and
            // separators (`/` and `:` border `0`-`9`), by anything, or cut.
            const NEAR: &[u8] = b"/:;?0 9[Z.-\x7f\xb0";
            let mut s = b"2025/11/25 10:00:00 [error]".to_vec();
            for (i, byte, kind) in edits {
                if let Some(b) = s.get_mut(i) {
                    *b = match kind {
                        0 => NEAR[usize::from(byte) % NEAR.len()],
                        1 => byte,
                        _ => b'0' + byte % 16,
                    };
                }
            }
            s.truncate(len);
            prop_assert_eq!(is_timestamp(&s), is_timestamp_bytewise(&s), "{:?}", s);
        }

        #[test]
        fn entry_starts_found_as_by_the_slashes(
            pieces in proptest::collection::vec((0..12usize, any::<u8>()), 0..40),
            pad in 0..170usize,
        ) {
            // Lines of the pieces a prefix, a timestamp or a continuation line is made of,
            // often shifted so that a timestamp or ` nginx: [` falls at the edge of the
            // window the prefix may fill.
            const PIECES: [&[u8]; 11] = [
                b"2025/11/25 10:00:00 [",
                b"2025/11/25 10:00:00 [error] 7#7: *1 x",
                b" nginx: [",
                b"nginx: [",
                b" ",
                b"/",
                b"[",
                b"#0 /var/www/shop/src/Checkout.php(88): ",
                b"Stack trace:",
                b"2025/11/25 10:00",
                b"web1 nginx[7]: ",
            ];
            let line = from_pieces(pad, &pieces, &PIECES);
            for cut in [line.len(), line.len().saturating_sub(1), 150, 160, 175, 176, 180] {
                let line = &line[..cut.min(line.len())];
                prop_assert_eq!(find_start(line), find_start_by_slashes(line), "{:?}", String::from_utf8_lossy(line));
            }
        }

        #[test]
        fn keys_read_as_byte_by_byte(
            pieces in proptest::collection::vec((0..12usize, any::<u8>()), 0..6),
            min in 0..9usize,
        ) {
            // Keys, their neighbours (`request` and `request_id` open alike), and cuts.
            const PIECES: [&[u8]; 11] = [
                b", server: ",
                b", request: \"",
                b", request_id: \"",
                b", subrequest: \"",
                b", upstream: \"",
                b", host: \"",
                b", referrer: \"",
                b", bytes from/to client:",
                b", reques",
                b", ",
                b"server",
            ];
            let text = from_pieces(0, &pieces, &PIECES);
            for cut in 0..=text.len() {
                let s = &text[..cut];
                prop_assert_eq!(key_at(s, min), key_at_bytewise(s, min), "{:?}", String::from_utf8_lossy(s));
            }
        }

        #[test]
        fn common_actions_found_as_by_the_search(
            pieces in proptest::collection::vec((0..10usize, any::<u8>()), 0..8),
            pad in 0..120usize,
        ) {
            // Texts before a `, client: `, often ending in an action, a piece of one or a
            // second ` while `, at and around the search window's 96 bytes.
            const PIECES: [&[u8]; 9] = [
                b" while connecting to upstream",
                b" while reading response header from upstream",
                b" while reading upstream",
                b" while SSL handshaking to upstream",
                b" while sending request to upstream",
                b" while ",
                b" upstream",
                b"reading upstream",
                b"w",
            ];
            let before = from_pieces(pad, &pieces, &PIECES);
            if let Some(found) = common_action(&before) {
                prop_assert_eq!(Some(found), searched_action(&before), "{:?}", String::from_utf8_lossy(&before));
            }
        }

        #[test]
        fn parentheses_matched_as_by_two_searches(
            pieces in proptest::collection::vec((0..8usize, any::<u8>()), 0..60),
            pad in 0..320usize,
        ) {
            // Errno suffixes, nested and unbalanced parentheses, far and near the `)`.
            const PIECES: [&[u8]; 7] = [
                b" (110: Connection timed out)",
                b" (10048: Only one usage (protocol/network address/port) is permitted)",
                b"(",
                b")",
                b"connect() failed",
                b" ",
                b"x",
            ];
            let text = from_pieces(pad, &pieces, &PIECES);
            for close in memchr::memchr_iter(b')', &text) {
                prop_assert_eq!(
                    matching_open(&text, close),
                    matching_open_by_two_searches(&text, close),
                    "{:?} {}", String::from_utf8_lossy(&text), close
                );
            }
        }

        #[test]
        fn common_errnos_read_as_by_the_search(
            pieces in proptest::collection::vec((0..16usize, any::<u8>()), 0..8),
            pad in 0..40usize,
        ) {
            // Messages ending in a common suffix, in one cut or changed at its edges, after
            // parentheses and the resolver's message.
            const PIECES: [&[u8]; 15] = [
                b" (110: Connection timed out)",
                b" (111: Connection refused)",
                b" (11: Resource temporarily unavailable)",
                b" (32: Broken pipe)",
                b"(2: No such file or directory)",
                b" (2: No such file or directory)",
                b"1: Connection refused)",
                b"could not be resolved",
                b"connect() failed",
                b"(",
                b")",
                b" ",
                b"1",
                b"x",
                b" (13: Permission denied))",
            ];
            let text = from_pieces(pad, &pieces, &PIECES);
            if let Some((found, known)) = common_errno(&text) {
                prop_assert_eq!(Some(found), split_errno_searched(&text), "{:?}", String::from_utf8_lossy(&text));
                if let Some(known) = known {
                    prop_assert_eq!(Some(known), found.1.errno());
                }
            }
            prop_assert_eq!(split_errno(&text), split_errno_searched(&text));
        }

        #[test]
        fn remembered_times_read_as_found_starts(
            time in "2025/11/25 10:00:0[0-2]|2025/11/25 10:00:0|x025/11/25 10:00:00",
            after in "( \\[| x|\\[ | \\[\\[)",
            rest in "(error|crit|)\\] ?([0-9]{1,9}(#[0-9]{0,9})?)?:? ?(\\*[0-9]{1,3} ?)?x?",
            warm in "2025/11/25 10:00:0[0-2]",
        ) {
            // A line parsed after one whose second is the same as its bytes (or not), with
            // what follows those bytes right, wrong or cut, against the same line read
            // after a second it cannot share.
            let line = format!("{time}{after}{rest}");
            let read_after = |first: &str| {
                let _ = parse(format!("{first} [error] 1#1: warm").as_bytes());
                parse(line.as_bytes()).ok()
            };
            let cold = read_after("1999/01/01 00:00:00");
            let warm = read_after(&warm);
            prop_assert!(cold == warm, "{:?}", line);
            prop_assert!(cold == read_after(&time), "{:?}", line);
        }

        #[test]
        fn common_levels_read_as_by_the_search(
            level in "(error|warn|notice|info|crit|err|Error|)",
            after in "(\\] |\\]|\\]x| \\] |)[0-9 x]{0,3}",
        ) {
            let s = format!("{level}{after}");
            let entry = s.as_bytes();
            if let Some((found, len)) = common_level(entry) {
                let mut rec = ErrorRecord::default();
                prop_assert_eq!(level_after(entry, 0, &mut rec).ok(), Some(len), "{:?}", s);
                prop_assert_eq!(rec.level, Some(found), "{:?}", s);
            }
        }

        #[test]
        fn leading_numbers_read_as_leading_u64_does(
            digits in "[0-9]{0,21}",
            after in proptest::collection::vec(any::<u8>(), 0..10),
        ) {
            let mut s = digits.into_bytes();
            s.extend_from_slice(&after);
            for cut in 0..=s.len() {
                prop_assert_eq!(leading_number(&s[..cut]), leading_u64(&s[..cut]), "{:?}", &s[..cut]);
            }
        }

        #[test]
        fn thread_ids_read_as_leading_u64_does(
            pid in "[0-9]{0,9}",
            tid in "[0-9]{0,9}",
            after in "[:0-9 a#]{0,9}",
        ) {
            // A PID and a TID that are often the same digits, followed by anything.
            let tid = if tid.len() % 2 == 0 { pid.clone() } else { tid };
            let line = format!("{pid}#{tid}{after}");
            let bytes = line.as_bytes();
            let (_, n) = leading_u64(bytes);
            if repeats_digits(bytes, 0, n + 1, n) {
                prop_assert_eq!(leading_u64(tail(bytes, n + 1)), leading_u64(bytes));
            }
            let full = format!("2025/11/25 10:00:00 [error] {line}: *1 x");
            if let Ok(r) = parse(full.as_bytes()) {
                let tid_digits = tail(bytes, n + 1);
                prop_assert_eq!(r.tid, Some(leading_u64(tid_digits).0));
            }
        }

        #[test]
        fn mutated_real_lines_never_panic(
            seed in 0..SEEDS.len(),
            edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0..4u8), 0..12),
            cut_at in any::<prop::sample::Index>(),
        ) {
            let line = crate::test_support::mutate(SEEDS[seed].as_bytes(), &edits, b"\",\n ():");
            let _ = parse(&line);
            let keep = cut_at.index(line.len() + 1);
            let _ = parse(&line[..keep]);
        }

        /// An entry framed as one line (no `\n`, `parse_entry_into` skips the search for the
        /// last line) reads as `parse` reads it, and so does one of several lines: over logs
        /// of mutated real lines (some with continuation lines, `\n`s added by the edits).
        #[test]
        fn framed_entries_read_as_parsed(
            lines in proptest::collection::vec(
                (0..SEEDS.len(), proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0..4u8), 0..8)),
                1..8,
            ),
        ) {
            let mut log = Vec::new();
            for (seed, edits) in &lines {
                let seed = SEEDS.get(*seed).copied().unwrap_or(REAL);
                log.extend_from_slice(&crate::test_support::mutate(seed.as_bytes(), edits, b"\",\n ():"));
                log.push(b'\n');
            }
            let parser = crate::Parser::nginx_error();
            let mut reader = crate::EntryReader::new(&log[..], crate::ReaderConfig::default());
            while let Some(entry) = reader.next_entry_for(&parser).map_err(|e| TestCaseError::fail(e.to_string()))? {
                prop_assert_eq!(entry.lines == 1, !entry.bytes.contains(&b'\n'));
                let mut framed = crate::Record::Error(ErrorRecord::default());
                let framed_read = parser.parse_entry_into(entry.bytes, entry.lines, &mut framed);
                match parser.parse(entry.bytes) {
                    Ok(plain) => {
                        prop_assert!(framed_read.is_ok());
                        prop_assert_eq!(framed, plain);
                    }
                    Err(_) => prop_assert!(framed_read.is_err()),
                }
            }
        }
    }
}
