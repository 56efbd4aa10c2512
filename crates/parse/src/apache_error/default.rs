//! The default layouts: httpd 2.4's `do_errorlog_default` (`server/log.c`), threaded and
//! prefork, and 2.2's `log_error_core`; the leading time in any of the forms the `%t` item
//! writes.
//!
//! The same reader takes the `ErrorLogFormat` examples of httpd's own documentation
//! (`docs/manual/mod/core.xml`) without being told the format: `[%t] [%l] [pid %P] %F: %E:
//! [client %a] %M` (a `[client ` left dangling when there is no client), the 2.2-like
//! `[%t] [%l] %7F: %E: [client\ %a] %M% ,\ referer\ %{Referer}i`, and the log-id example
//! `[%{uc}t] [%-m:%-l] [R:%L] [C:%{C}L] %7F: %E: %M` with its once-per-request and
//! once-per-connection lines (`[R:<id>] Request 0 on C:<id> pid:1 tid:2`, `[C:<id>] remote
//! ... local ...`). Log ids (`[R:<id>]`, `[C:<id>]`, `[<id>]`, `[-]`) are passed over.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use super::head::read_plain;
use super::{
    MAX_LINE, ah_code_len, is_ah_code, plain_status, plain_status_error, set_message, split_client,
    split_code, status_item,
};
use crate::bytes::{all_digits, at, find, find_near, fixed_u32, head, leading_u64, sub, tail};
use crate::classify;
use crate::errno::SysError;
use crate::error::ParseError;
use crate::record::{ErrorRecord, Format, Level};
use crate::time::{Timestamp, month_from_abbrev, parse_offset};
use crate::word_search;

/// Parses one line of the default 2.4 or 2.2 layout.
#[cfg(test)]
pub(crate) fn parse_default(line: &[u8]) -> Result<ErrorRecord<'_>, ParseError> {
    let mut rec = ErrorRecord::default();
    parse_default_into(line, &mut rec)?;
    Ok(rec)
}

/// Parses one line of the default 2.4 or 2.2 layout into `rec`, a record as
/// `ErrorRecord::default()` leaves it (on an error it holds no meaningful record). The
/// record is built where the caller keeps it: copying its ~300 bytes out of every layer
/// it passes cost more than any field of the line.
pub(crate) fn parse_default_into<'a>(
    line: &'a [u8],
    rec: &mut ErrorRecord<'a>,
) -> Result<(), ParseError> {
    read_into(line, rec, true)
}

/// [`parse_default_into`], with the one-pass reader of the default 2.4 head tried first
/// when `plain_head` is set (the tests compare the two readings).
#[inline(always)]
pub(super) fn read_into<'a>(
    line: &'a [u8],
    rec: &mut ErrorRecord<'a>,
    plain_head: bool,
) -> Result<(), ParseError> {
    rec.format = Format::ApacheError;
    rec.truncated = line.len() >= MAX_LINE;
    let mut p = 0;
    let mut v22 = false;
    if let Some(h) = plain_head.then(|| read_plain(line)).flatten() {
        rec.time = Some(h.time);
        rec.module = h.module;
        rec.level = Some(h.level);
        rec.pid = Some(h.pid);
        rec.tid = h.tid;
        p = h.end;
    } else if at(line, 0) == b'[' {
        // httpd 2.4's default time closes at byte 32; read in place, it holds no `]` (the
        // day name's letters are the only bytes its reader does not check otherwise).
        let fixed = (at(line, 32) == b']'
            && at(line, 2).is_ascii_alphabetic()
            && at(line, 3).is_ascii_alphabetic())
        .then(|| parse_ctime_fixed(sub(line, 1, 32)))
        .flatten();
        let close = match fixed {
            Some(_) => 32,
            None => memchr::memchr(b']', head(line, 80))
                .ok_or(ParseError::new("']' closing the timestamp", 0))?,
        };
        let first = sub(line, 1, close);
        let whole = |(_, n): &(Timestamp, usize)| *n == first.len();
        if let Some(t) = fixed.or_else(|| {
            parse_ctime(first)
                .filter(whole)
                .or_else(|| parse_compact(first).filter(whole))
        }) {
            rec.time = Some(t.0);
            p = skip_space(line, close + 1);
            if at(line, p) != b'[' {
                return Err(ParseError::new("'[level]' or '[module:level]'", p));
            }
        } else if looks_compact(first) {
            // `%{cu}t` shape with an impossible date or time (month 13, Feb 30, 25:61).
            return Err(ParseError::new(
                "a valid date and time (yyyy-mm-dd hh:mm:ss[.uuuuuu][ +hhmm])",
                1,
            ));
        } else if memchr::memchr(b':', first).is_none() {
            return Err(ParseError::new(
                "Apache timestamp (Www Mmm dd hh:mm:ss yyyy or yyyy-mm-dd hh:mm:ss)",
                1,
            ));
        }
        // `[module:level]` (2.4) or `[level]` (2.2); a log id instead on the extra lines of
        // `ErrorLogFormat request|connection` (no level).
        let close = memchr::memchr(b']', sub(line, p, p + 64))
            .ok_or(ParseError::new("']' closing the level", p))?;
        let inner = sub(line, p + 1, p + close);
        match memchr::memrchr(b':', inner) {
            Some(colon) => {
                // `%-m` writes `-` for a message without a module.
                rec.module = Some(head(inner, colon)).filter(|m| *m != b"-");
                rec.level = Level::from_bytes(tail(inner, colon + 1));
            }
            None => {
                rec.level = Level::from_bytes(inner);
                v22 = true;
            }
        }
        if rec.level.is_none() {
            if !(log_id(inner) && rec.time.is_some()) {
                return Err(ParseError::new("a log level", p + 1));
            }
            rec.module = None;
            v22 = false;
        }
        p = skip_space(line, p + close + 1);
        // `[pid ...]` (most lines) is no log id: the call is skipped for it.
        let pid_field = tail(line, p).starts_with(b"[pid ");
        if at(line, p) == b'[' && !pid_field {
            p = skip_log_ids(line, p);
        }
        // `[pid P:tid T]` or `[pid P]`.
        if pid_field || tail(line, p).starts_with(b"[pid ") {
            let q = p + 5;
            let (pid, n) = leading_u64(tail(line, q));
            rec.pid = u32::try_from(pid).ok().filter(|_| n > 0);
            let mut r = q + n;
            if tail(line, r).starts_with(b":tid ") {
                let (tid, n) = leading_u64(tail(line, r + 5));
                rec.tid = (n > 0).then_some(tid);
                r += 5 + n;
            }
            // Right after the ids in every layout httpd writes: no search needed.
            let close = if at(line, r) == b']' {
                0
            } else {
                memchr::memchr(b']', sub(line, r, r + 64))
                    .ok_or(ParseError::new("']' closing [pid ...]", r))?
            };
            p = skip_space(line, r + close + 1);
        }
    } else if !is_ah_code(line) {
        return Err(ParseError::new(
            "'[' (Apache timestamp) or an AHnnnnn: startup message",
            0,
        ));
    }
    let mut remote = None;
    let mut client = None;
    // Optional parts in any order: `file(line): `, `(status)text: `, `[client ip:port] `,
    // log ids.
    // The length of the AH code that opens the message, once found.
    let mut code_len = None;
    for _ in 0..8 {
        let rest = tail(line, p);
        // The AH code opens the message: none of the parts below starts like it (a file
        // name holds no `:`), so the searches they begin with are not needed.
        if at(rest, 0) == b'A' {
            code_len = ah_code_len(rest);
            if code_len.is_some() {
                break;
            }
        }
        if rest.starts_with(b"[client ") || rest.starts_with(b"[remote ") {
            // An address holds no space: the field is whole when a `]` comes before any
            // space (one search for both, eight bytes at a time: an address is short).
            let inner = word_search::find_any([b']', b' '], sub(rest, 8, 128))
                .filter(|&i| at(rest, 8 + i) == b']')
                .map(|i| (sub(rest, 8, 8 + i), 8 + i));
            match inner {
                Some((inner, close)) => {
                    client = Some(inner).filter(|c| *c != b"-");
                    if rest.starts_with(b"[remote ") {
                        remote = Some(inner);
                    }
                    p = skip_space(line, p + close + 1);
                }
                // `[client ` with its `%a]` field left out (a line without a client, in
                // the documented `[client %a]` format): the text goes on.
                _ => p += b"[client ".len(),
            }
        } else if let Some((err, n)) = status_prefix(rest) {
            rec.sys_error = Some(err);
            p += n;
        } else if let Some(n) = file_line(rest) {
            p += n;
        } else {
            let next = if at(rest, 0) == b'[' {
                skip_log_ids(line, p)
            } else {
                p
            };
            if next == p {
                break;
            }
            p = next;
        }
    }
    let message = tail(line, p);
    // `, referer: <referer>` (the default layout) or `, referer <referer>` (the documented
    // formats' `%M% ,\ referer\ %{Referer}i`), at the end.
    let message = match find(message, b", referer") {
        Some(i) if tail(message, i + 9).starts_with(b": ") => {
            rec.referer = Some(tail(message, i + 11));
            head(message, i)
        }
        Some(i) if at(message, i + 9) == b' ' && !tail(message, i + 10).contains(&b' ') => {
            rec.referer = Some(tail(message, i + 10)).filter(|r| !r.is_empty());
            head(message, i)
        }
        _ => message,
    };
    match code_len {
        // The referer is cut after the code (a code holds no `,`): the code is still there.
        Some(n) => split_code(rec, message, n),
        None => set_message(rec, message),
    }
    if let Some(inner) = client {
        // 2.2 writes `[client ip]`; a 2.4 server with a 2.2-like `ErrorLogFormat` writes
        // `ip:port` and AH codes, which 2.2 never did.
        let (addr, port) = if v22 && rec.code.is_none() {
            (inner, None)
        } else {
            split_client(inner)
        };
        rec.client = Some(addr);
        rec.client_port = port;
    }
    classify::apache(rec, remote);
    Ok(())
}

/// Whether a bracketed field holds a log id of `ErrorLogFormat`'s `%L`/`%{c}L`/`%{C}L`:
/// `-` (the `-` modifier with no id), `R:<id>`/`C:<id>` (the documentation's example), or a
/// bare id. httpd's own ids are 11 base64 characters (`core_generate_log_id`,
/// `server/log.c`); mod_unique_id's are longer and add `@` and `-`.
fn log_id(inner: &[u8]) -> bool {
    let id = inner
        .strip_prefix(b"R:")
        .or_else(|| inner.strip_prefix(b"C:"))
        .unwrap_or(inner);
    inner == b"-"
        || ((inner.len() != id.len() || (8..=40).contains(&id.len()))
            && !id.is_empty()
            && id.len() <= 40
            && id.iter().all(|&b| {
                b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'@' | b'-' | b'_')
            }))
}

/// Skips `[<log id>] ` fields at `p`.
fn skip_log_ids(line: &[u8], mut p: usize) -> usize {
    while at(line, p) == b'[' && !tail(line, p).starts_with(b"[pid ") {
        let Some(close) = memchr::memchr(b']', sub(line, p, p + 48)) else {
            break;
        };
        if !log_id(sub(line, p + 1, p + close)) {
            break;
        }
        p = skip_space(line, p + close + 1);
    }
    p
}

fn skip_space(line: &[u8], p: usize) -> usize {
    if at(line, p) == b' ' { p + 1 } else { p }
}

/// `(status)text: ` at the start of `s`: the error and the length including `: `.
fn status_prefix(s: &[u8]) -> Option<(SysError<'_>, usize)> {
    if at(s, 0) != b'(' {
        return None;
    }
    if let Some((number, close)) = plain_status(s) {
        // `(digits)` holds no `:`, so the first `: ` is the text's: looked for from there,
        // eight bytes at a time (a status text is a few words), and the status not read
        // again from the text's slice.
        let colon = close + 1 + find_near(sub(s, close + 1, 512), b": ")?;
        return Some((plain_status_error(s, number, close, colon), colon + 2));
    }
    let colon = find(head(s, 512), b": ")?;
    let err = status_item(head(s, colon))?;
    Some((err, colon + 2))
}

/// `file.c(123): ` (debug and trace levels) at the start of `s`.
fn file_line(s: &[u8]) -> Option<usize> {
    let open = memchr::memchr(b'(', head(s, 128))?;
    let name = head(s, open);
    if name.is_empty()
        || !name
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-' | b'/'))
    {
        return None;
    }
    let (_, n) = leading_u64(tail(s, open + 1));
    let end = open + 1 + n;
    (n > 0 && tail(s, end).starts_with(b"): ")).then_some(end + 3)
}

/// `Www Mmm dd hh:mm:ss[.uuuuuu] yyyy[ +zzzz]` (day zero- or space-padded; the offset is
/// what the `z` option of `%{...}t` adds); returns the timestamp and the bytes used.
pub(super) fn parse_ctime(s: &[u8]) -> Option<(Timestamp, usize)> {
    if let Some(t) = parse_ctime_fixed(s) {
        return Some(t);
    }
    if at(s, 3) != b' ' || at(s, 7) != b' ' || !at(s, 0).is_ascii_alphabetic() {
        return None;
    }
    let month = month_from_abbrev(sub(s, 4, 7))?;
    let day_text = sub(s, 8, 10);
    let day = match day_text {
        [b' ', d] => fixed_u32(&[*d])?,
        _ => fixed_u32(day_text)?,
    };
    let (h, m, sec) = hms(sub(s, 11, 19))?;
    let (micros, p) = fraction(s, 19)?;
    if at(s, p) != b' ' {
        return None;
    }
    let year = fixed_u32(sub(s, p + 1, p + 5))?;
    let (offset, end) = zone_suffix(s, p + 5);
    let t = Timestamp::from_parts(
        i32::try_from(year).ok()?,
        month,
        day,
        h,
        m,
        sec,
        micros,
        offset,
    )?;
    Some((t, end))
}

/// The layout httpd 2.4 writes by default, `Www Mmm dd hh:mm:ss.uuuuuu yyyy` with a
/// two-digit day, read at fixed positions: every line of a 2.4 error log starts with it, and
/// [`parse_ctime`]'s general reading costs several times more. `None` sends other layouts (2.2
/// without microseconds, a space-padded day, an offset) to the general reader.
pub(super) fn parse_ctime_fixed(line: &[u8]) -> Option<(Timestamp, usize)> {
    if matches!(line.get(31..33), Some([b' ', b'+' | b'-'])) {
        return None; // `%{uz}t`: the offset is the general reader's
    }
    let s: &[u8; 31] = line.get(..31)?.try_into().ok()?;
    let digit = |i: usize| -> Option<u32> {
        let b = *s.get(i)?;
        b.is_ascii_digit().then(|| u32::from(b - b'0'))
    };
    let two = |i: usize| Some(digit(i)? * 10 + digit(i + 1)?);
    if s[3] != b' '
        || s[7] != b' '
        || s[10] != b' '
        || s[13] != b':'
        || s[16] != b':'
        || s[19] != b'.'
        || s[26] != b' '
        || !s[0].is_ascii_alphabetic()
    {
        return None;
    }
    let mut micros = 0;
    for i in 20..26 {
        micros = micros * 10 + digit(i)?;
    }
    // The date and second (`Www Mmm dd hh:mm:ss` and ` yyyy`) repeat from line to line:
    // read them once per second.
    let mut key = [0u8; 24];
    key[..19].copy_from_slice(&s[..19]);
    key[19..].copy_from_slice(&s[26..31]);
    let second = crate::time::same_second(crate::time::layout::APACHE_GENERAL, &key, || {
        let year = two(27)? * 100 + two(29)?;
        Timestamp::from_parts(
            i32::try_from(year).ok()?,
            month_from_abbrev(&s[4..7])?,
            two(8)?,
            two(11)?,
            two(14)?,
            two(17)?,
            0,
            None,
        )
    })?;
    Some((second.with_micros(micros), 31))
}

/// An optional ` +hhmm` / ` -hhmm` at `p` (exactly four digits): the offset in seconds
/// and where it ends; `(None, p)` when there is none.
fn zone_suffix(s: &[u8], p: usize) -> (Option<i32>, usize) {
    let zone = sub(s, p + 1, p + 6);
    if at(s, p) == b' '
        && zone.len() == 5
        && matches!(at(zone, 0), b'+' | b'-')
        && all_digits(tail(zone, 1))
    {
        if let Some(offset) = parse_offset(zone) {
            return (Some(offset), p + 6);
        }
    }
    (None, p)
}

/// Whether `s` starts like `yyyy-mm-dd hh:mm:ss` (digits where digits go), valid or not.
fn looks_compact(s: &[u8]) -> bool {
    let digits = |from: usize, to: usize| all_digits(sub(s, from, to)) && to <= s.len();
    digits(0, 4)
        && at(s, 4) == b'-'
        && digits(5, 7)
        && at(s, 7) == b'-'
        && digits(8, 10)
        && matches!(at(s, 10), b' ' | b'T')
        && digits(11, 13)
        && at(s, 13) == b':'
}

/// An optional `.uuuuuu` (1 to 6 digits) at `p`: the microseconds and where it ends.
fn fraction(s: &[u8], p: usize) -> Option<(u32, usize)> {
    if at(s, p) != b'.' {
        return Some((0, p));
    }
    let (frac, n) = leading_u64(tail(s, p + 1));
    if n == 0 || n > 6 {
        return None;
    }
    let micros = u32::try_from(frac).ok()? * 10u32.pow(6 - u32::try_from(n).ok()?);
    Some((micros, p + 1 + n))
}

/// `YYYY-MM-DD hh:mm:ss[.uuuuuu][ +zzzz]` (`%{cu}t`, `%{cuz}t`); returns the timestamp
/// and the bytes used.
pub(super) fn parse_compact(s: &[u8]) -> Option<(Timestamp, usize)> {
    if at(s, 4) != b'-' || at(s, 7) != b'-' || !matches!(at(s, 10), b' ' | b'T') {
        return None;
    }
    let year = fixed_u32(sub(s, 0, 4))?;
    let month = fixed_u32(sub(s, 5, 7))?;
    let day = fixed_u32(sub(s, 8, 10))?;
    let (h, m, sec) = hms(sub(s, 11, 19))?;
    let (micros, p) = fraction(s, 19)?;
    let (offset, p) = zone_suffix(s, p);
    let t = Timestamp::from_parts(
        i32::try_from(year).ok()?,
        month,
        day,
        h,
        m,
        sec,
        micros,
        offset,
    )?;
    Some((t, p))
}

fn hms(s: &[u8]) -> Option<(u32, u32, u32)> {
    if s.len() != 8 || at(s, 2) != b':' || at(s, 5) != b':' {
        return None;
    }
    Some((
        fixed_u32(sub(s, 0, 2))?,
        fixed_u32(sub(s, 3, 5))?,
        fixed_u32(sub(s, 6, 8))?,
    ))
}

#[cfg(test)]
mod tests {
    use super::super::testing::{assert_refused_connect, rec};
    use super::*;
    use crate::errno::CodeSpace;
    use crate::{Cause, Errno, Phase, Role};
    use proptest::prelude::*;

    #[test]
    fn threaded_default_layout() {
        // real: fixtures/apache/reset
        let r = rec(
            "[Wed Nov 25 09:47:33.742494 2026] [proxy_http:error] [pid 26117:tid 26126] (104)Connection reset by peer: [client 127.0.0.1:55978] AH01102: error reading status line from remote server 127.0.0.1:19155, referer: https://shop.example.test/cart",
        );
        assert_eq!(
            r.time.map(|t| t.to_string()),
            Some("2026-11-25T09:47:33.742494".to_owned())
        );
        assert_eq!(r.module, Some(&b"proxy_http"[..]));
        assert_eq!(r.level, Some(Level::Error));
        assert_eq!((r.pid, r.tid), (Some(26117), Some(26126)));
        let e = r.sys_error.unwrap();
        assert_eq!(
            (e.space, e.number, e.text),
            (CodeSpace::Os, 104, &b"Connection reset by peer"[..])
        );
        assert_eq!(
            (r.client, r.client_port),
            (Some(&b"127.0.0.1"[..]), Some(55978))
        );
        assert_eq!(r.code, Some(&b"AH01102"[..]));
        assert_eq!(
            r.message,
            b"error reading status line from remote server 127.0.0.1:19155"
        );
        assert_eq!(r.referer, Some(&b"https://shop.example.test/cart"[..]));
    }

    #[test]
    fn prefork_unknown_module_and_startup_lines() {
        // real: fixtures/apache/prefork_refused (2.4.71 prefork still logs `:tid`, equal to the pid)
        let r = rec(
            "[Wed Nov 25 09:47:54.873945 2026] [proxy:error] [pid 28996:tid 28996] (111)Connection refused: AH00957: http: attempt to connect to 127.0.0.1:19169 (127.0.0.1:19169) failed",
        );
        assert_eq!((r.pid, r.tid), (Some(28996), Some(28996)));
        // Older prefork builds: no tid at all.
        let r = rec(
            "[Tue Nov 25 10:00:00.000001 2025] [proxy:error] [pid 4321] (111)Connection refused: AH00957: HTTP: attempt to connect to 127.0.0.1:8080 (localhost) failed",
        );
        assert_eq!((r.pid, r.tid), (Some(4321), None));
        assert_eq!(r.failure.map(|f| f.cause), Some(Cause::UpstreamRefused));
        let r = rec(
            "[Tue Nov 25 10:00:00.000001 2025] [:error] [pid 4321] [client 1.2.3.4:5] PHP Warning:  Undefined variable $x in /var/www/index.php on line 2",
        );
        assert_eq!(r.module, Some(&b""[..]));
        assert_eq!(r.failure, None);
        let r = rec(
            "AH00558: apache2: Could not reliably determine the server's fully qualified domain name, using 127.0.1.1. Set the 'ServerName' directive globally to suppress this message",
        );
        assert_eq!(
            (r.time, r.level, r.code),
            (None, None, Some(&b"AH00558"[..]))
        );
        assert!(r.message.starts_with(b"apache2: Could not"));
        // Syslog mode: no timestamp, the rest as usual.
        let r = rec(
            "[proxy:error] [pid 7:tid 8] (111)Connection refused: AH00957: http: attempt to connect to 10.0.0.1:80 (app:80) failed",
        );
        assert_eq!((r.time, r.module), (None, Some(&b"proxy"[..])));
        assert_eq!(r.failure.map(|f| f.role), Some(Role::Cause));
        assert!(parse_default(b"sh: 1: foo: not found").is_err());
        assert!(parse_default(b"[garbage").is_err());
        assert!(parse_default(b"").is_err());
    }

    #[test]
    fn statuses_clients_and_codes() {
        let r = rec(
            "[Tue Nov 25 10:00:00.000001 2025] [proxy:error] [pid 1:tid 2] (OS 10061)No connection could be made because the target machine actively refused it.  : AH00957: HTTP: attempt to connect to 127.0.0.1:8080 (localhost) failed",
        );
        assert_eq!(
            r.sys_error.map(|e| (e.space, e.number)),
            Some((CodeSpace::Windows, 10061))
        );
        assert_eq!(r.failure.map(|f| f.cause), Some(Cause::UpstreamRefused));
        // IPv6 client without brackets, port 0 (seen behind mod_remoteip).
        let r = rec(
            "[Tue Nov 25 10:00:00.000001 2025] [proxy_fcgi:error] [pid 1:tid 2] (70007)The timeout specified has expired: [client ::1:0] AH01075: Error dispatching request to : (polling)",
        );
        assert_eq!((r.client, r.client_port), (Some(&b"::1"[..]), Some(0)));
        // `[remote ...]` on a request-level line; 4- and 6-digit AH codes.
        let r = rec(
            "[Tue Nov 25 10:00:00.000001 2025] [proxy_http:error] [pid 1:tid 2] (20014)Internal error (specific information not available): [remote 212.0.0.1:56370] AH01102: error reading status line from remote server httpd-UDS:0",
        );
        assert_eq!(r.client, Some(&b"212.0.0.1"[..]));
        assert_eq!(
            r.sys_error.map(|e| (e.space, e.number)),
            Some((CodeSpace::Apr, 20014))
        );
        assert_eq!(
            r.failure.map(|f| (f.cause, f.peer)),
            Some((Cause::UpstreamClosedEarly, Some(&b"httpd-UDS:0"[..])))
        );
        let r = rec(
            "[Tue Nov 25 10:00:00.000001 2025] [proxy:debug] [pid 1:tid 2] proxy_util.c(2396): AH3305: http: worker for (localhost) has retry",
        );
        assert_eq!(r.code, Some(&b"AH3305"[..]));
        let r = rec("[Tue Nov 25 10:00:00.000001 2025] [proxy:error] [pid 1:tid 2] AH010117: foo");
        assert_eq!(r.code, Some(&b"AH010117"[..]));
        assert_eq!(r.message, b"foo");
        // Debug layout with the source position; escapes kept as written.
        let r = rec(
            "[Tue Nov 25 10:00:00.000001 2025] [proxy:trace2] [pid 1:tid 2] mod_proxy_http.c(1234): [client 1.2.3.4:5] AH01071: Got error 'caf\\xc3\\xa9\\n'",
        );
        assert_eq!(r.level, Some(Level::Trace(2)));
        assert_eq!(r.message, br"Got error 'caf\xc3\xa9\n'");
    }

    #[test]
    fn apache_22_layout() {
        let r = rec(
            "[Tue Nov 25 10:00:31 2025] [error] [client 203.0.113.9] (70007)The timeout specified has expired: proxy: error reading status line from remote server localhost:8080, referer: https://example.com/",
        );
        assert_eq!(
            r.time.map(|t| t.to_string()),
            Some("2025-11-25T10:00:31".to_owned())
        );
        assert_eq!((r.module, r.pid), (None, None));
        assert_eq!((r.client, r.client_port), (Some(&b"203.0.113.9"[..]), None));
        assert_eq!(r.sys_error.map(|e| e.number), Some(70007));
        assert_eq!(
            r.message,
            b"proxy: error reading status line from remote server localhost:8080"
        );
        assert_eq!(r.referer, Some(&b"https://example.com/"[..]));
        let f = r.failure.unwrap();
        assert_eq!(
            (f.cause, f.phase, f.errno, f.peer),
            (
                Cause::UpstreamTimeoutRead,
                Some(Phase::ReadHeader),
                Some(Errno::AprTimeup),
                Some(&b"localhost:8080"[..])
            )
        );
        let r = rec(
            "[Tue Nov 25 10:00:31 2025] [error] [client 203.0.113.9] proxy: Error reading from remote server returned by /slow, referer: https://example.com/",
        );
        assert_eq!(
            r.failure.map(|f| (f.cause, f.role)),
            Some((Cause::UpstreamClosedEarly, Role::Effect))
        );
        // 2.2 IPv6 clients have no port.
        let r = rec(
            "[Tue Nov 25 10:00:31 2025] [error] [client 2001:db8::1] File does not exist: /var/www/favicon.ico",
        );
        assert_eq!((r.client, r.client_port), (Some(&b"2001:db8::1"[..]), None));
    }

    #[test]
    fn ctime_and_compact_times() {
        let (t, n) = parse_ctime(b"Tue Nov 25 10:00:00.123456 2025").unwrap();
        assert_eq!(n, 31);
        assert_eq!(t.to_string(), "2025-11-25T10:00:00.123456");
        let (t, n) = parse_ctime(b"Tue Nov  5 10:00:00 2025").unwrap();
        assert_eq!(n, 24);
        assert_eq!(t.to_string(), "2025-11-05T10:00:00");
        let (t, n) = parse_compact(b"2011-05-12 08:28:57.652118 +0100").unwrap();
        assert_eq!(n, 32);
        assert_eq!(t.to_string(), "2011-05-12T08:28:57.652118+01:00");
        assert!(parse_ctime(b"Tue Nox 25 10:00:00 2025").is_none());
    }

    /// `%{cu}t` (compact ISO 8601 with microseconds) in the default parser: everything after
    /// the time bracket is read as for the ctime layout.
    #[test]
    fn default_parser_reads_iso_time() {
        let r = rec(
            "[2025-07-22 15:45:51.323610] [proxy_http:error] [pid 1234:tid 5678] (111)Connection refused: [client 203.0.113.9:50312] AH01114: HTTP: failed to make connection to backend: localhost, referer: https://example.com/",
        );
        let t = r.time.unwrap();
        assert_eq!(t.to_string(), "2025-07-22T15:45:51.323610");
        assert_eq!((t.micros(), t.offset_seconds()), (323_610, None));
        assert_eq!(
            (r.module, r.level),
            (Some(&b"proxy_http"[..]), Some(Level::Error))
        );
        assert_eq!((r.pid, r.tid), (Some(1234), Some(5678)));
        assert_eq!(
            r.sys_error.map(|e| (e.space, e.number)),
            Some((CodeSpace::Os, 111))
        );
        assert_eq!(
            (r.client, r.client_port),
            (Some(&b"203.0.113.9"[..]), Some(50312))
        );
        assert_eq!(r.code, Some(&b"AH01114"[..]));
        assert_eq!(
            r.message,
            b"HTTP: failed to make connection to backend: localhost"
        );
        assert_eq!(r.referer, Some(&b"https://example.com/"[..]));
        // The connect failure itself, without client.
        let r = rec(
            "[2025-07-22 15:45:51.323610] [proxy:error] [pid 1234:tid 5678] (111)Connection refused: AH00957: http: attempt to connect to 127.0.0.1:8080 (localhost:8080) failed",
        );
        assert_refused_connect(&r);
        // `%{c}t`: no microseconds (written by httpd 2.4.71); prefork `[pid P]`.
        let r = rec(
            "[2026-12-02 05:48:02] [core:info] [pid 7] [client 127.0.0.1:41600] AH00128: File does not exist: /var/www/nope",
        );
        let t = r.time.unwrap();
        assert_eq!(
            (t.to_string().as_str(), t.micros()),
            ("2026-12-02T05:48:02", 0)
        );
        assert_eq!((r.pid, r.tid), (Some(7), None));
        assert_eq!(r.code, Some(&b"AH00128"[..]));
    }

    /// `[yyyy-mm-dd hh:mm:ss.uuuuuu +hhmm]` (elastic/integrations test data style, and what
    /// `%{cuz}t` writes) and `%{uz}t`'s ctime with an offset after the year.
    #[test]
    fn default_parser_reads_iso_time_with_offset() {
        let r = rec(
            "[2020-03-11 21:06:29.143961 +0100] [proxy_fcgi:error] [pid 4321:tid 140234567890432] [client 192.0.2.44:51234] AH01071: Got error 'Primary script unknown'",
        );
        let t = r.time.unwrap();
        assert_eq!(t.to_string(), "2020-03-11T21:06:29.143961+01:00");
        assert_eq!(t.offset_seconds(), Some(3600));
        assert_eq!(t.unix_seconds(), Some(1_583_957_189));
        assert_eq!(r.module, Some(&b"proxy_fcgi"[..]));
        assert_eq!((r.pid, r.tid), (Some(4321), Some(140_234_567_890_432)));
        assert_eq!(r.client_port, Some(51234));
        assert_eq!(r.code, Some(&b"AH01071"[..]));
        // Negative and half-hour offsets (httpd 2.4.71 with TZ=America/St_Johns).
        let r = rec(
            "[2026-12-02 02:19:01.305833 -0330] [core:info] [pid 1:tid 2] AH00128: File does not exist: /x",
        );
        assert_eq!(
            r.time.and_then(|t| t.offset_seconds()),
            Some(-(3 * 3600 + 30 * 60))
        );
        // `%{uz}t` (httpd 2.4.71): the default layout plus the offset.
        let r = rec(
            "[Wed Dec 02 05:48:06.504370 2026 +0530] [core:info] [pid 1:tid 2] AH00128: File does not exist: /x",
        );
        assert_eq!(
            r.time.map(|t| t.to_string()),
            Some("2026-12-02T05:48:06.504370+05:30".to_owned())
        );
    }

    #[test]
    fn default_parser_rejects_invalid_iso_times() {
        for bad in [
            "[2025-13-22 15:45:51.323610] [proxy:error] [pid 1:tid 2] AH00957: x",
            "[2025-02-30 15:45:51.323610] [proxy:error] [pid 1:tid 2] AH00957: x",
            "[2025-02-29 15:45:51] [proxy:error] [pid 1:tid 2] AH00957: x",
            "[2025-07-22 25:61:00.000001] [proxy:error] [pid 1:tid 2] AH00957: x",
            "[2025-07-22 15:45:51.1234567] [proxy:error] [pid 1:tid 2] AH00957: x",
            "[2025-07-22 15:45:51.323610 +01] [proxy:error] [pid 1:tid 2] AH00957: x",
            "[2025-07-22 15:45:51.323610 +2500] [proxy:error] [pid 1:tid 2] AH00957: x",
            "[2025-07-22 15:45:51.323610 +01:00] [proxy:error] [pid 1:tid 2] AH00957: x",
            "[2025-07-22 15:45:51.323610 junk] [proxy:error] [pid 1:tid 2] AH00957: x",
            "[2025-07-22] [proxy:error] [pid 1:tid 2] AH00957: x",
            "[2025-07-22 15:45] [proxy:error] [pid 1:tid 2] AH00957: x",
        ] {
            assert!(parse_default(bad.as_bytes()).is_err(), "{bad}");
        }
        let e = parse_default(b"[2025-02-30 15:45:51] [proxy:error] AH00957: x").unwrap_err();
        assert_eq!(e.offset, 1);
        assert!(e.expected.contains("valid date"), "{e}");
        // The leap day of a leap year is fine.
        assert!(
            rec("[2024-02-29 23:59:59.999999] [proxy:error] [pid 1:tid 2] AH00957: x")
                .time
                .is_some()
        );
    }

    /// The fixed-position reader of the default 2.4 time agrees with the general one, on
    /// valid and impossible dates alike, and leaves other layouts to it.
    #[test]
    fn fixed_position_ctime_agrees_with_the_general_reader() {
        let general = |s: &str| {
            let b = s.as_bytes();
            // What parse_ctime computes without its fast path.
            let month = month_from_abbrev(sub(b, 4, 7))?;
            let day = fixed_u32(sub(b, 8, 10))?;
            let (h, m, sec) = hms(sub(b, 11, 19))?;
            let (micros, p) = fraction(b, 19)?;
            let year = fixed_u32(sub(b, p + 1, p + 5))?;
            Timestamp::from_parts(year as i32, month, day, h, m, sec, micros, None)
                .map(|t| (t, p + 5))
        };
        for s in [
            "Wed Nov 25 09:47:36.036331 2026",
            "Thu Feb 29 23:59:59.999999 2024",
            "Fri Dec 31 00:00:00.000000 1999",
            "Mon Feb 30 10:00:00.000000 2026",
            "Mon Jan 01 24:00:00.000000 2026",
            "Mon Foo 01 10:00:00.000000 2026",
            "Mon Jan 0x 10:00:00.000000 2026",
        ] {
            assert_eq!(parse_ctime_fixed(s.as_bytes()), general(s), "{s}");
            assert_eq!(parse_ctime(s.as_bytes()), general(s), "{s}");
        }
        // Other layouts are the general reader's.
        for s in [
            "Tue Nov 25 10:00:31 2025",
            "Wed Nov  5 09:47:36.036331 2026",
            "Wed Nov 25 09:47:36.036331 2026 +0100",
            "Wed Nov 25 09:47:36.0363 2026",
        ] {
            assert_eq!(parse_ctime_fixed(s.as_bytes()), None, "{s}");
            assert!(
                parse_ctime(s.as_bytes()).is_some_and(|(_, n)| n == s.len()),
                "{s}"
            );
        }
    }

    /// [`status_prefix`] as it read every status before its `(digits)` fast path: the first
    /// `: ` in 512 bytes, the status before it.
    fn status_prefix_plain(s: &[u8]) -> Option<(SysError<'_>, usize)> {
        if at(s, 0) != b'(' {
            return None;
        }
        let colon = find(head(s, 512), b": ")?;
        let err = status_item(head(s, colon))?;
        Some((err, colon + 2))
    }

    #[test]
    fn statuses_read_as_the_plain_reading_reads_them() {
        let long = format!("(104){}: x", "a".repeat(520));
        for s in [
            &b"(104)Connection reset by peer: [client 1.2.3.4:5] AH01102: x"[..],
            b"(70007)The timeout specified has expired: AH01075: x",
            b"(104): x",
            b"(104)no colon",
            b"(104)a:b: c",
            b"(1234567890)x: y",
            b"(EAI 2)Name or service not known: x",
            b"(-102)x: y",
            long.as_bytes(),
        ] {
            assert_eq!(status_prefix(s), status_prefix_plain(s), "{s:?}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn statuses_read_as_the_plain_reading_reads_any_status(
            text in r"\((-|EAI |OS )?[0-9]{0,11}(\)|x)?[A-Za-z :]{0,40}",
            pad in 0..600usize,
        ) {
            let s = text.as_bytes();
            prop_assert_eq!(status_prefix(s), status_prefix_plain(s));
            // A text longer than the 512 bytes searched.
            let long = [s, &vec![b'a'; pad], b": x"].concat();
            prop_assert_eq!(status_prefix(&long), status_prefix_plain(&long));
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = parse_default(&bytes);
            let mut prefixed = b"[Tue Nov 25 10:00:00.000001 2025] [proxy:error] [pid 1:tid 2] ".to_vec();
            prefixed.extend_from_slice(&bytes);
            let _ = parse_default(&prefixed);
        }
    }
}
