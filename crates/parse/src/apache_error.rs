//! Apache httpd error log lines: 2.4 default, 2.2, and custom `ErrorLogFormat` (CAUSES.md 1.2, 1.3).
//!
//! 2.4 default: `[Www Mmm dd hh:mm:ss.uuuuuu yyyy] [module:level] [pid P:tid T]
//! [file(line): ][(status)text: ][client ip:port ]AHnnnnn: message[, referer: ...]`.
//! The default parser also reads the leading time as `ErrorLogFormat` writes it with
//! `%{cu}t` (`yyyy-mm-dd hh:mm:ss.uuuuuu`), `%{c}t`, and with the `z` option's ` +hhmm`.
//! 2.2: `[Www Mmm dd hh:mm:ss yyyy] [level] [client ip] [(status)text: ]message`.
//! Apache escapes non-printable bytes (`\xhh`, `\n`); the bytes are kept as written.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use crate::access::StrftimeTime;
use crate::bytes::{
    all_digits, at, find, fixed_u32, head, leading_u64, parse_dec, parse_hex, parse_signed,
    split_port, sub, tail,
};
use crate::classify;
use crate::errno::{CodeSpace, SysError};
use crate::error::{FormatError, ParseError};
use crate::record::{ErrorRecord, Format, Level};
use crate::time::{Timestamp, month_from_abbrev, parse_offset};

/// Apache writes at most 8190 bytes plus LF per line.
const MAX_LINE: usize = 8190;

/// Parses one line of the default 2.4 or 2.2 layout.
pub(crate) fn parse_default(line: &[u8]) -> Result<ErrorRecord<'_>, ParseError> {
    let mut rec = ErrorRecord {
        format: Format::ApacheError,
        truncated: line.len() >= MAX_LINE,
        ..ErrorRecord::default()
    };
    let mut p = 0;
    let mut v22 = false;
    if at(line, 0) == b'[' {
        let close = memchr::memchr(b']', head(line, 80))
            .ok_or(ParseError::new("']' closing the timestamp", 0))?;
        let first = sub(line, 1, close);
        let whole = |(_, n): &(Timestamp, usize)| *n == first.len();
        if let Some(t) = parse_ctime(first)
            .filter(whole)
            .or_else(|| parse_compact(first).filter(whole))
        {
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
        // `[module:level]` (2.4) or `[level]` (2.2).
        let close = memchr::memchr(b']', sub(line, p, p + 64))
            .ok_or(ParseError::new("']' closing the level", p))?;
        let inner = sub(line, p + 1, p + close);
        match memchr::memrchr(b':', inner) {
            Some(colon) => {
                rec.module = Some(head(inner, colon));
                rec.level = Level::from_bytes(tail(inner, colon + 1));
            }
            None => {
                rec.level = Level::from_bytes(inner);
                v22 = true;
            }
        }
        if rec.level.is_none() {
            return Err(ParseError::new("a log level", p + 1));
        }
        p = skip_space(line, p + close + 1);
        // `[pid P:tid T]` or `[pid P]`.
        if tail(line, p).starts_with(b"[pid ") {
            let q = p + 5;
            let (pid, n) = leading_u64(tail(line, q));
            rec.pid = u32::try_from(pid).ok().filter(|_| n > 0);
            let mut r = q + n;
            if tail(line, r).starts_with(b":tid ") {
                let (tid, n) = leading_u64(tail(line, r + 5));
                rec.tid = (n > 0).then_some(tid);
                r += 5 + n;
            }
            let close = memchr::memchr(b']', sub(line, r, r + 64))
                .ok_or(ParseError::new("']' closing [pid ...]", r))?;
            p = skip_space(line, r + close + 1);
        }
    } else if !is_ah_code(line) {
        return Err(ParseError::new(
            "'[' (Apache timestamp) or an AHnnnnn: startup message",
            0,
        ));
    }
    let mut remote = None;
    // Optional parts in any order: `file(line): `, `(status)text: `, `[client ip:port] `.
    for _ in 0..6 {
        let rest = tail(line, p);
        if rest.starts_with(b"[client ") || rest.starts_with(b"[remote ") {
            let Some(close) = memchr::memchr(b']', rest) else {
                break;
            };
            let inner = sub(rest, 8, close);
            let (addr, port) = if v22 {
                (inner, None)
            } else {
                split_port(inner)
            };
            rec.client = Some(addr);
            rec.client_port = port;
            if rest.starts_with(b"[remote ") {
                remote = Some(inner);
            }
            p = skip_space(line, p + close + 1);
        } else if let Some((err, n)) = status_prefix(rest) {
            rec.sys_error = Some(err);
            p += n;
        } else if let Some(n) = file_line(rest) {
            p += n;
        } else {
            break;
        }
    }
    let message = tail(line, p);
    let message = match find(message, b", referer: ") {
        Some(i) => {
            rec.referrer = Some(tail(message, i + 11));
            head(message, i)
        }
        None => message,
    };
    set_message(&mut rec, message);
    classify::apache(&mut rec, remote);
    Ok(rec)
}

fn skip_space(line: &[u8], p: usize) -> usize {
    if at(line, p) == b' ' { p + 1 } else { p }
}

/// `AHnnnnn: ` (4-6 digits) at the start of `s`.
fn is_ah_code(s: &[u8]) -> bool {
    ah_code_len(s).is_some()
}

fn ah_code_len(s: &[u8]) -> Option<usize> {
    if !s.starts_with(b"AH") {
        return None;
    }
    let (_, n) = leading_u64(tail(s, 2));
    ((4..=6).contains(&n) && tail(s, 2 + n).starts_with(b": ")).then_some(2 + n)
}

/// Splits the `AHnnnnn: ` tag off the message.
fn set_message<'a>(rec: &mut ErrorRecord<'a>, message: &'a [u8]) {
    match ah_code_len(message) {
        Some(n) => {
            rec.code = Some(head(message, n));
            rec.message = tail(message, n + 2);
        }
        None => rec.message = message,
    }
}

/// `(status)text: ` at the start of `s`: the error and the length including `: `.
fn status_prefix(s: &[u8]) -> Option<(SysError<'_>, usize)> {
    if at(s, 0) != b'(' {
        return None;
    }
    let colon = find(head(s, 512), b": ")?;
    let err = status_item(head(s, colon))?;
    Some((err, colon + 2))
}

/// An APR status as `%E` writes it: `(111)Connection refused`, `(70007)...`,
/// `(EAI 2)...`, `(OS 10061)...`, `(os 0x80000005)...`, `(-102)...`.
pub(crate) fn status_item(s: &[u8]) -> Option<SysError<'_>> {
    let rest = s.strip_prefix(b"(")?;
    let close = memchr::memchr(b')', head(rest, 24))?;
    let code = head(rest, close);
    let text = tail(rest, close + 1);
    let (space, number) = if let Some(n) = code.strip_prefix(b"EAI ") {
        (CodeSpace::Eai, parse_signed(n)?)
    } else if let Some(n) = code.strip_prefix(b"OS ") {
        (CodeSpace::Windows, parse_signed(n)?)
    } else if let Some(n) = code.strip_prefix(b"os 0x") {
        (CodeSpace::Windows, parse_hex(n)?)
    } else {
        let n = parse_signed(code)?;
        let space = if (0..20_000).contains(&n) {
            CodeSpace::Os
        } else {
            CodeSpace::Apr
        };
        (space, n)
    };
    Some(SysError {
        space,
        number,
        text,
    })
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
fn parse_ctime(s: &[u8]) -> Option<(Timestamp, usize)> {
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
fn parse_ctime_fixed(line: &[u8]) -> Option<(Timestamp, usize)> {
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
    let year = two(27)? * 100 + two(29)?;
    let t = Timestamp::from_parts(
        i32::try_from(year).ok()?,
        month_from_abbrev(&s[4..7])?,
        two(8)?,
        two(11)?,
        two(14)?,
        two(17)?,
        micros,
        None,
    )?;
    Some((t, 31))
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
fn parse_compact(s: &[u8]) -> Option<(Timestamp, usize)> {
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

// ---------------------------------------------------------------------------------------
// ErrorLogFormat
// ---------------------------------------------------------------------------------------

/// What an `ErrorLogFormat` item logs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// `%t`, `%{u}t`, `%{c}t`, `%{cu}t`, `%{cuz}t`, `%{<strftime>}t` (see [`TimeSpec`]).
    Time,
    /// `%a`, `%{c}a`.
    Client,
    /// `%A`.
    Local,
    /// `%E`.
    Status,
    /// `%F`.
    File,
    /// `%{Referer}i`.
    Referer,
    /// `%{Host}i`.
    Host,
    /// Other `%{name}i`, `%{name}e`, `%{name}n`.
    Table,
    /// `%k`.
    Keepalives,
    /// `%l`.
    Level,
    /// `%L`, `%{c}L`, `%{C}L`.
    LogId,
    /// `%m`.
    Module,
    /// `%M`.
    Message,
    /// `%P`.
    Pid,
    /// `%T`, `%{g}T`.
    Tid,
    /// `%v`, `%V`.
    Server,
}

impl Kind {
    /// Whether the item can log nothing (which removes its whole field).
    fn can_be_empty(self) -> bool {
        !matches!(self, Kind::Time | Kind::Level | Kind::Pid | Kind::Message)
    }

    /// Whether the value never contains a space.
    fn no_space(self) -> bool {
        matches!(
            self,
            Kind::Client | Kind::Local | Kind::File | Kind::LogId | Kind::Server
        )
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Tok {
    Lit(Vec<u8>),
    Item {
        kind: Kind,
        hyphen: bool,
        optional: bool,
        /// How a `Kind::Time` item writes the time (`None` for the other kinds).
        time: Option<TimeSpec>,
    },
}

/// How a `%{arg}t` item writes the time (`log_ctime`, `server/log.c`; checked against
/// httpd 2.4.71). An `arg` with a `%` is a strftime format (2.4.58 and later). Otherwise
/// its letters are options: `c` compact ISO 8601 (`2026-12-02 05:48:02`), `u`
/// microseconds, `z` ` +hhmm` offset (2.4.58 and later); no letters is `%t`
/// (`Wed Dec 02 05:48:00 2026`). httpd ignores other letters; they are rejected here as
/// typos.
#[derive(Clone, Debug, PartialEq, Eq)]
enum TimeSpec {
    /// `%t`, `%{u}t`, `%{c}t`, `%{cu}t`, `%{cuz}t`, `%{uz}t`, ... Read leniently: either
    /// layout, with or without microseconds and offset.
    Options,
    /// `%{<strftime>}t`, read like the access formats' `%{...}t`.
    Strftime(StrftimeTime),
}

impl TimeSpec {
    /// The time at the start of `s` and the bytes it takes.
    fn parse(&self, s: &[u8]) -> Option<(Timestamp, usize)> {
        match self {
            TimeSpec::Options => parse_ctime(s).or_else(|| parse_compact(s)),
            TimeSpec::Strftime(time) => time.parse(s),
        }
    }
}

/// The [`TimeSpec`] of `%{arg}t`, or why it cannot be read.
fn time_spec(arg: &[u8]) -> Result<TimeSpec, String> {
    if memchr::memchr(b'%', arg).is_some() {
        return StrftimeTime::compile(arg)
            .map(TimeSpec::Strftime)
            .map_err(|e| e.message);
    }
    match arg.iter().find(|b| !matches!(b, b'c' | b'u' | b'z')) {
        None => Ok(TimeSpec::Options),
        Some(&b) => Err(format!(
            "unknown option '{}': Apache knows c (compact ISO 8601), u (microseconds) and z \
             (UTC offset), or a strftime format with '%'",
            char::from(b).escape_default()
        )),
    }
}

/// A whitespace-delimited field of the format: present as a whole or left out.
#[derive(Clone, Debug)]
struct Field {
    start: usize,
    end: usize,
    optional: bool,
    /// The `%M` token, which is logged even when its field is left out.
    message: Option<usize>,
}

/// The bytes that can follow a token.
#[derive(Clone, Debug, Default)]
struct Follow {
    any: bool,
    bytes: Vec<u8>,
    end: bool,
}

/// A compiled `ErrorLogFormat` string.
#[derive(Clone, Debug)]
pub(crate) struct ErrorLogFormat {
    source: String,
    toks: Vec<Tok>,
    fields: Vec<Field>,
    follow: Vec<Follow>,
}

/// Capture slots.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Slot {
    Time,
    Level,
    Module,
    Pid,
    Tid,
    Client,
    Status,
    Message,
    Referer,
    Host,
    Server,
}

const SLOTS: usize = 11;

fn slot(kind: Kind) -> Option<Slot> {
    Some(match kind {
        Kind::Time => Slot::Time,
        Kind::Level => Slot::Level,
        Kind::Module => Slot::Module,
        Kind::Pid => Slot::Pid,
        Kind::Tid => Slot::Tid,
        Kind::Client => Slot::Client,
        Kind::Status => Slot::Status,
        Kind::Message => Slot::Message,
        Kind::Referer => Slot::Referer,
        Kind::Host => Slot::Host,
        Kind::Server => Slot::Server,
        _ => return None,
    })
}

/// The most steps one line may take in the backtracking matcher.
const BUDGET: u32 = 20_000;

struct Matcher<'f, 'a> {
    fmt: &'f ErrorLogFormat,
    line: &'a [u8],
    caps: [Option<(usize, usize)>; SLOTS],
    budget: u32,
}

impl ErrorLogFormat {
    /// Compiles an `ErrorLogFormat` string (surrounding quotes are taken off).
    pub(crate) fn compile(source: &str) -> Result<ErrorLogFormat, FormatError> {
        let trimmed = source.trim();
        let body = trimmed
            .strip_prefix('"')
            .and_then(|s| s.strip_suffix('"'))
            .unwrap_or(trimmed);
        let base =
            source.len() - source.trim_start().len() + usize::from(body.len() != trimmed.len());
        let s = body.as_bytes();
        if s.is_empty() {
            return Err(FormatError::new("empty ErrorLogFormat", 0));
        }
        let mut toks: Vec<Tok> = Vec::new();
        let mut seps: Vec<bool> = Vec::new();
        let mut i = 0;
        while i < s.len() {
            let mut sep = false;
            if at(s, i) == b'%' && at(s, i + 1) == b' ' {
                // `% `: a field separator that logs nothing.
                sep = true;
                i += 2;
                if i >= s.len() {
                    break;
                }
            }
            if at(s, i) != b'%' {
                if at(s, i) == b' ' {
                    sep = true;
                }
                let mut lit = Vec::new();
                let mut at_start = true;
                while i < s.len() && at(s, i) != b'%' && (at(s, i) != b' ' || at_start) {
                    if at(s, i) != b'\\' {
                        if at(s, i) != b' ' {
                            at_start = false;
                        }
                        lit.push(at(s, i));
                        i += 1;
                    } else {
                        i += 1;
                        match s.get(i) {
                            Some(b'r') => lit.push(b'\r'),
                            Some(b'n') => lit.push(b'\n'),
                            Some(b't') => lit.push(b'\t'),
                            Some(&c) => lit.push(c),
                            None => {
                                lit.push(b'\\');
                                break;
                            }
                        }
                        i += 1;
                    }
                }
                toks.push(Tok::Lit(lit));
                seps.push(sep);
                continue;
            }
            // An item: `%[modifiers]x`.
            let item_start = i;
            i += 1;
            if at(s, i) == b'%' {
                toks.push(Tok::Lit(b"%".to_vec()));
                seps.push(sep);
                i += 1;
                continue;
            }
            let mut arg: &[u8] = b"";
            let mut hyphen = false;
            let mut required = false;
            let mut min_level = false;
            let letter = loop {
                match s.get(i) {
                    Some(b'{') => {
                        let rest = tail(s, i + 1);
                        let close = memchr::memchr(b'}', rest).ok_or_else(|| {
                            FormatError::new("'}' closing the item argument", base + i)
                        })?;
                        arg = head(rest, close);
                        i += close + 2;
                    }
                    Some(b'+') => {
                        required = true;
                        i += 1;
                    }
                    Some(b'-') => {
                        hyphen = true;
                        i += 1;
                    }
                    Some(c) if c.is_ascii_digit() => {
                        min_level = true;
                        i += 1;
                    }
                    Some(&c) => {
                        i += 1;
                        break c;
                    }
                    None => {
                        return Err(FormatError::new("an item letter after '%'", base + i));
                    }
                }
            };
            let time = if letter == b't' {
                Some(time_spec(arg).map_err(|why| {
                    FormatError::new(
                        format!(
                            "unsupported ErrorLogFormat time item '%{{{}}}t': {why}",
                            String::from_utf8_lossy(arg)
                        ),
                        base + item_start,
                    )
                })?)
            } else {
                None
            };
            let kind = match letter {
                b't' => Kind::Time,
                b'a' => Kind::Client,
                b'A' => Kind::Local,
                b'E' => Kind::Status,
                b'F' => Kind::File,
                b'i' if arg.eq_ignore_ascii_case(b"Referer") => Kind::Referer,
                b'i' if arg.eq_ignore_ascii_case(b"Host") => Kind::Host,
                b'i' | b'e' | b'n' => Kind::Table,
                b'k' => Kind::Keepalives,
                b'l' => Kind::Level,
                b'L' => Kind::LogId,
                b'm' => Kind::Module,
                b'M' => Kind::Message,
                b'P' => Kind::Pid,
                b'T' => Kind::Tid,
                b'v' | b'V' => Kind::Server,
                _ => {
                    return Err(FormatError::new(
                        format!(
                            "unknown ErrorLogFormat item '%{}'",
                            char::from(letter).escape_default()
                        ),
                        base + item_start,
                    ));
                }
            };
            let _ = required;
            toks.push(Tok::Item {
                kind,
                hyphen,
                // A level-limited item is left out below its level, hyphen or not.
                optional: min_level || (!hyphen && kind.can_be_empty()),
                time,
            });
            seps.push(sep);
        }
        if toks.is_empty() {
            return Err(FormatError::new("ErrorLogFormat without items", 0));
        }
        // Fields start at separator tokens.
        let mut fields = Vec::new();
        let mut start = 0;
        for (idx, &sep) in seps.iter().enumerate() {
            if sep && idx > start {
                fields.push(Field {
                    start,
                    end: idx,
                    optional: false,
                    message: None,
                });
                start = idx;
            }
        }
        fields.push(Field {
            start,
            end: toks.len(),
            optional: false,
            message: None,
        });
        for f in &mut fields {
            for (idx, t) in toks.iter().enumerate().take(f.end).skip(f.start) {
                if let Tok::Item { kind, optional, .. } = t {
                    if *kind == Kind::Message {
                        f.message = Some(idx);
                    } else if *optional {
                        f.optional = true;
                    }
                }
            }
        }
        let mut fmt = ErrorLogFormat {
            source: source.to_owned(),
            toks,
            fields,
            follow: Vec::new(),
        };
        fmt.follow = (0..fmt.toks.len()).map(|t| fmt.compute_follow(t)).collect();
        Ok(fmt)
    }

    /// The captured time, read with the first `%{...}t` item of the format that reads
    /// all of it.
    fn read_time(&self, t: &[u8]) -> Option<Timestamp> {
        self.toks.iter().find_map(|tok| match tok {
            Tok::Item {
                time: Some(spec), ..
            } => spec.parse(t).filter(|(_, n)| *n == t.len()).map(|(t, _)| t),
            _ => None,
        })
    }

    /// The format string as given.
    pub(crate) fn source(&self) -> &str {
        &self.source
    }

    fn field_of(&self, tok: usize) -> usize {
        self.fields
            .iter()
            .position(|f| f.start <= tok && tok < f.end)
            .unwrap_or(0)
    }

    /// What can follow token `t` (first bytes of the rest of the line).
    fn compute_follow(&self, t: usize) -> Follow {
        let mut follow = Follow::default();
        let fi = self.field_of(t);
        let Some(field) = self.fields.get(fi) else {
            follow.any = true;
            return follow;
        };
        if t + 1 < field.end {
            add_first(&mut follow, self.toks.get(t + 1));
            return follow;
        }
        for f in self.fields.iter().skip(fi + 1) {
            add_first(&mut follow, self.toks.get(f.start));
            if f.optional {
                if f.message.is_some() {
                    follow.any = true;
                }
                continue;
            }
            return follow;
        }
        follow.end = true;
        follow
    }

    /// Parses one line written with this format.
    pub(crate) fn parse<'a>(&self, line: &'a [u8]) -> Result<ErrorRecord<'a>, ParseError> {
        let mut m = Matcher {
            fmt: self,
            line,
            caps: [None; SLOTS],
            budget: BUDGET,
        };
        if !m.field(0, 0) {
            return Err(ParseError::new(
                "a line in the configured ErrorLogFormat",
                0,
            ));
        }
        let cap = |s: Slot| {
            m.caps
                .get(s as usize)
                .copied()
                .flatten()
                .map(|(a, b)| sub(line, a, b))
        };
        let mut rec = ErrorRecord {
            format: Format::ApacheError,
            truncated: line.len() >= MAX_LINE,
            ..ErrorRecord::default()
        };
        let dash = |v: &'a [u8]| (v != b"-").then_some(v);
        if let Some(t) = cap(Slot::Time) {
            rec.time = self.read_time(t);
        }
        rec.level = cap(Slot::Level).and_then(Level::from_bytes);
        rec.module = cap(Slot::Module).and_then(dash);
        rec.pid = cap(Slot::Pid)
            .and_then(parse_dec)
            .and_then(|p| u32::try_from(p).ok());
        rec.tid = cap(Slot::Tid).and_then(parse_dec);
        if let Some(client) = cap(Slot::Client).and_then(dash) {
            let (addr, port) = split_port(client);
            rec.client = Some(addr);
            rec.client_port = port;
        }
        rec.sys_error = cap(Slot::Status).and_then(status_item);
        rec.referrer = cap(Slot::Referer).and_then(dash);
        rec.host = cap(Slot::Host).and_then(dash);
        rec.server_name = cap(Slot::Server).and_then(dash);
        set_message(&mut rec, cap(Slot::Message).unwrap_or_default());
        classify::apache(&mut rec, None);
        Ok(rec)
    }
}

fn add_first(follow: &mut Follow, tok: Option<&Tok>) {
    match tok {
        Some(Tok::Lit(l)) => match l.first() {
            Some(&b) => {
                if !follow.bytes.contains(&b) {
                    follow.bytes.push(b);
                }
            }
            None => follow.any = true,
        },
        _ => follow.any = true,
    }
}

impl<'a> Matcher<'_, 'a> {
    /// Matches fields `fi..` from `pos` to the end of the line.
    fn field(&mut self, fi: usize, pos: usize) -> bool {
        let Some(f) = self.fmt.fields.get(fi) else {
            return pos == self.line.len();
        };
        if self.budget == 0 {
            return false;
        }
        self.budget -= 1;
        let (start, optional, message) = (f.start, f.optional, f.message);
        if self.tok(fi, start, pos, false) {
            return true;
        }
        if optional {
            return match message {
                // A left-out field still logs the message.
                Some(mt) => self.tok(fi, mt, pos, true),
                None => self.field(fi + 1, pos),
            };
        }
        false
    }

    /// Matches token `ti` of field `fi` (and the rest). `only` matches just this token
    /// and then moves on to the next field.
    fn tok(&mut self, fi: usize, ti: usize, pos: usize, only: bool) -> bool {
        let Some(field) = self.fmt.fields.get(fi) else {
            return false;
        };
        if ti >= field.end {
            return self.field(fi + 1, pos);
        }
        if self.budget == 0 {
            return false;
        }
        self.budget -= 1;
        let next = |m: &mut Self, p: usize| {
            if only {
                m.field(fi + 1, p)
            } else {
                m.tok(fi, ti + 1, p, false)
            }
        };
        let line = self.line;
        match self.fmt.toks.get(ti) {
            None => false,
            Some(Tok::Lit(lit)) => tail(line, pos).starts_with(lit) && next(self, pos + lit.len()),
            Some(&Tok::Item { kind, hyphen, .. }) => {
                let rest = tail(line, pos);
                if hyphen
                    && rest.starts_with(b"-")
                    && self.try_cap(kind, pos, pos + 1, fi, ti, only)
                {
                    return true;
                }
                // Fixed-shape items.
                let fixed = match kind {
                    Kind::Time => match self.fmt.toks.get(ti) {
                        Some(Tok::Item {
                            time: Some(spec), ..
                        }) => spec.parse(rest).map(|(_, n)| n),
                        _ => None,
                    },
                    Kind::Level => {
                        let n = rest
                            .iter()
                            .take_while(|b| b.is_ascii_alphanumeric())
                            .count();
                        Level::from_bytes(head(rest, n)).map(|_| n)
                    }
                    Kind::Pid | Kind::Keepalives | Kind::Tid => {
                        let (_, n) = leading_u64(rest);
                        (n > 0).then_some(n)
                    }
                    Kind::Module => {
                        let n = rest
                            .iter()
                            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
                            .count();
                        (n > 0).then_some(n)
                    }
                    _ => None,
                };
                if let Some(n) = fixed {
                    return self.try_cap(kind, pos, pos + n, fi, ti, only);
                }
                if matches!(
                    kind,
                    Kind::Time
                        | Kind::Level
                        | Kind::Pid
                        | Kind::Keepalives
                        | Kind::Tid
                        | Kind::Module
                ) {
                    return false;
                }
                if kind == Kind::Status && status_item(rest).is_none() {
                    return false;
                }
                let limit = if kind.no_space() {
                    memchr::memchr(b' ', rest).unwrap_or(rest.len())
                } else {
                    rest.len()
                };
                let min = usize::from(kind != Kind::Message);
                // Borrowed from the format (not from `self`), so matching does not allocate.
                let fmt = self.fmt;
                let none = Follow::default();
                let follow = fmt.follow.get(ti).unwrap_or(&none);
                self.variable(kind, pos, min, limit, follow, fi, ti, only)
            }
        }
    }

    /// Tries the ends of a free-text item in increasing order.
    #[allow(clippy::too_many_arguments)]
    fn variable(
        &mut self,
        kind: Kind,
        pos: usize,
        min: usize,
        limit: usize,
        follow: &Follow,
        fi: usize,
        ti: usize,
        only: bool,
    ) -> bool {
        let line = self.line;
        let rest = tail(line, pos);
        let try_end = |m: &mut Self, n: usize| -> bool {
            n >= min
                && n <= limit
                && valid(kind, head(rest, n))
                && m.try_cap(kind, pos, pos + n, fi, ti, only)
        };
        if follow.any {
            for n in min..=limit {
                if self.budget == 0 {
                    return false;
                }
                if try_end(self, n) {
                    return true;
                }
            }
            return false;
        }
        let window = head(rest, limit);
        for (i, &b) in window.iter().enumerate() {
            if follow.bytes.contains(&b) {
                if self.budget == 0 {
                    return false;
                }
                if try_end(self, i) {
                    return true;
                }
            }
        }
        follow.end && limit == rest.len() && try_end(self, rest.len())
    }

    fn try_cap(
        &mut self,
        kind: Kind,
        from: usize,
        to: usize,
        fi: usize,
        ti: usize,
        only: bool,
    ) -> bool {
        let idx = slot(kind).map(|s| s as usize);
        let saved = idx.and_then(|i| self.caps.get(i).copied().flatten());
        if let Some(c) = idx.and_then(|i| self.caps.get_mut(i)) {
            *c = Some((from, to));
        }
        let ok = if only {
            self.field(fi + 1, to)
        } else {
            self.tok(fi, ti + 1, to, false)
        };
        if !ok {
            if let Some(c) = idx.and_then(|i| self.caps.get_mut(i)) {
                *c = saved;
            }
        }
        ok
    }
}

/// Whether a free-text value fits its item.
fn valid(kind: Kind, v: &[u8]) -> bool {
    match kind {
        Kind::Client | Kind::Local => v.iter().all(|&b| {
            b.is_ascii_alphanumeric() || matches!(b, b'.' | b':' | b'%' | b'[' | b']' | b'_' | b'-')
        }),
        Kind::File => {
            v.ends_with(b")")
                && memchr::memchr(b'(', v)
                    .is_some_and(|o| all_digits(sub(v, o + 1, v.len().saturating_sub(1))))
        }
        Kind::Status => status_item(v).is_some(),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Cause, Errno, Phase, Role};
    use proptest::prelude::*;

    fn rec(line: &str) -> ErrorRecord<'_> {
        match parse_default(line.as_bytes()) {
            Ok(r) => r,
            Err(e) => panic!("{e}: {line}"),
        }
    }

    fn custom<'a>(format: &str, line: &'a str) -> ErrorRecord<'a> {
        let f = ErrorLogFormat::compile(format).unwrap();
        match f.parse(line.as_bytes()) {
            Ok(r) => r,
            Err(e) => panic!("{e}: {line}"),
        }
    }

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
        assert_eq!(r.referrer, Some(&b"https://shop.example.test/cart"[..]));
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
            r.failure.map(|f| (f.cause, f.upstream)),
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
        assert_eq!(r.referrer, Some(&b"https://example.com/"[..]));
        let f = r.failure.unwrap();
        assert_eq!(
            (f.cause, f.phase, f.errno, f.upstream),
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

    const DOCUMENTED: &str =
        r"[%{u}t] [%-m:%l] [pid %P:tid %T] %7F: %E: [client\ %a] %M% ,\ referer\ %{Referer}i";

    /// An AH00957 line of a refused connect to 127.0.0.1:8080: the cause side of the pair,
    /// without client.
    fn assert_refused_connect(r: &ErrorRecord<'_>) {
        assert_eq!(r.code, Some(&b"AH00957"[..]));
        assert_eq!(r.client, None);
        let f = r.failure.as_ref().unwrap();
        assert_eq!(
            (f.cause, f.role, f.upstream),
            (
                Cause::UpstreamRefused,
                Role::Cause,
                Some(&b"127.0.0.1:8080"[..])
            )
        );
    }

    #[test]
    fn documented_default_format() {
        let r = custom(
            DOCUMENTED,
            "[Tue Nov 25 10:00:00.123456 2025] [proxy:error] [pid 4321:tid 140234567890432] (111)Connection refused: AH00957: http: attempt to connect to 127.0.0.1:8080 (localhost:8080) failed",
        );
        assert_eq!((r.pid, r.tid), (Some(4321), Some(140_234_567_890_432)));
        assert_refused_connect(&r);
        let r = custom(
            DOCUMENTED,
            "[Tue Nov 25 10:00:00.123530 2025] [proxy_http:error] [pid 4321:tid 140234567890432] [client 203.0.113.9:50312] AH01114: HTTP: failed to make connection to backend: localhost, referer https://example.com/",
        );
        assert_eq!(
            (r.client, r.client_port),
            (Some(&b"203.0.113.9"[..]), Some(50312))
        );
        assert_eq!(r.referrer, Some(&b"https://example.com/"[..]));
        assert_eq!(
            r.message,
            b"HTTP: failed to make connection to backend: localhost"
        );
        // Unknown module with the `-` modifier.
        let r = custom(
            DOCUMENTED,
            "[Tue Nov 25 10:00:00.123530 2025] [-:error] [pid 1:tid 2] [client ::1:58619] PHP Fatal error:  Uncaught Error: boom in /x.php:3",
        );
        assert_eq!(r.module, None);
        assert_eq!(r.failure.map(|f| f.cause), Some(Cause::PhpFatal));
        // Debug level logs the `%7F` field too.
        let r = custom(
            DOCUMENTED,
            "[Tue Nov 25 10:00:00.123530 2025] [proxy:debug] [pid 1:tid 2] proxy_util.c(2156): AH00942: HTTP: has acquired connection for (localhost)",
        );
        assert_eq!(r.code, Some(&b"AH00942"[..]));
    }

    #[test]
    fn compact_time_format_with_dangling_client_field() {
        // real: fixtures/apache/custom_errorlogformat. A line without a client keeps
        // `[client ` because only the field `%a]` is dropped.
        let format = "[%{cu}t] [%-m:%l] [pid %P] %F: %E: [client %a] %M";
        let r = custom(
            format,
            "[2026-11-25 09:47:56.280491] [proxy:error] [pid 29149] proxy_util.c(3949): (111)Connection refused: [client AH00957: http: attempt to connect to 127.0.0.1:19171 (127.0.0.1:19171) failed",
        );
        assert_eq!(
            r.time.map(|t| t.to_string()),
            Some("2026-11-25T09:47:56.280491".to_owned())
        );
        assert_eq!(r.client, None);
        assert_eq!(r.code, Some(&b"AH00957"[..]));
        let f = r.failure.unwrap();
        assert_eq!(
            (f.cause, f.errno, f.upstream),
            (
                Cause::UpstreamRefused,
                Some(Errno::ConnRefused),
                Some(&b"127.0.0.1:19171"[..])
            )
        );
        let r = custom(
            format,
            "[2026-11-25 09:47:56.280583] [proxy_http:error] [pid 29149] mod_proxy_http.c(2054): [client 127.0.0.1:56320] AH01114: HTTP: failed to make connection to backend: 127.0.0.1",
        );
        assert_eq!(
            (r.client, r.client_port),
            (Some(&b"127.0.0.1"[..]), Some(56320))
        );
        assert_eq!(r.sys_error, None);
        assert_eq!(r.failure.map(|f| f.role), Some(Role::Effect));
        // `%{cuz}t` carries the offset.
        let r = custom(
            "[%{cuz}t] [%l] %M",
            "[2026-11-25 09:47:56.280583 +0100] [error] AH01114: x",
        );
        assert_eq!(r.time.and_then(|t| t.offset_seconds()), Some(3600));
    }

    #[test]
    fn minimal_format() {
        let r = custom(
            "[%t] [%l] %M",
            "[Tue Nov 25 10:00:00 2025] [error] AH00898: Error reading from remote server returned by /x",
        );
        assert_eq!(r.level, Some(Level::Error));
        assert_eq!(r.failure.map(|f| f.role), Some(Role::Effect));
        // Quotes from httpd.conf are accepted.
        let r = custom(
            "\"[%t] [%l] %M\"",
            "[Tue Nov 25 10:00:00 2025] [warn] hello",
        );
        assert_eq!(r.message, b"hello");
        let f = ErrorLogFormat::compile("[%t] [%l] %M").unwrap();
        assert!(f.parse(b"[Tue Nov 25 10:00:00 2025] error hello").is_err());
        assert!(f.parse(b"").is_err());
    }

    const SEEDS: &[&str] = &[
        "[Wed Nov 25 09:47:33.742494 2026] [proxy_http:error] [pid 26117:tid 26126] (104)Connection reset by peer: [client 127.0.0.1:55978] AH01102: error reading status line from remote server 127.0.0.1:19155, referer: https://shop.example.test/cart",
        "[Wed Nov 25 09:47:36.036331 2026] [proxy:error] [pid 26515:tid 26519] (2)No such file or directory: AH02454: FCGI: attempt to connect to Unix domain socket /nonexistent/php-fpm.sock (localhost:8000) failed",
        "[Tue Nov 25 10:00:31 2025] [error] [client 203.0.113.9] (70007)The timeout specified has expired: proxy: error reading status line from remote server localhost:8080",
        "AH00558: apache2: Could not reliably determine the server's fully qualified domain name",
        "[2025-07-22 15:45:51.323610 +0200] [proxy_http:error] [pid 1234:tid 5678] (111)Connection refused: [client 203.0.113.9:50312] AH01114: HTTP: failed to make connection to backend: localhost",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = parse_default(&bytes);
            let mut prefixed = b"[Tue Nov 25 10:00:00.000001 2025] [proxy:error] [pid 1:tid 2] ".to_vec();
            prefixed.extend_from_slice(&bytes);
            let _ = parse_default(&prefixed);
        }

        #[test]
        fn mutated_real_lines_never_panic(
            seed in 0..SEEDS.len(),
            edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0..4u8), 0..12),
        ) {
            let line = crate::test_support::mutate(SEEDS[seed].as_bytes(), &edits, b"[] ():,");
            let _ = parse_default(&line);
            if let Ok(f) = ErrorLogFormat::compile(DOCUMENTED) {
                let _ = f.parse(&line);
            }
        }

        #[test]
        fn arbitrary_times_never_panic(
            time in "[0-9 :.+-]{0,40}",
            pattern in "(%[YymbhBdeHkMSaAzZsFTDRcx%nt]|[ :/.T-]){0,12}",
        ) {
            let _ = parse_default(format!("[{time}] [proxy:error] x").as_bytes());
            let _ = parse_compact(time.as_bytes());
            let _ = parse_ctime(time.as_bytes());
            if let Ok(f) = ErrorLogFormat::compile(&format!("[%{{{pattern}}}t] %M")) {
                let _ = f.parse(format!("[{time}] x").as_bytes());
            }
        }

        #[test]
        fn arbitrary_formats_compile_and_parse_without_panic(
            format in "[%{}\\\\ tuclaAEFikLmMPTvVne0-9+\\[\\]:.,-]{0,40}",
            line in "[\\[\\] :().,0-9a-zA-Z-]{0,120}",
        ) {
            if let Ok(f) = ErrorLogFormat::compile(&format) {
                let _ = f.parse(line.as_bytes());
                let _ = f.parse(SEEDS[0].as_bytes());
            }
        }
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

    #[test]
    fn statuses() {
        let e = status_item(b"(70007)The timeout specified has expired").unwrap();
        assert_eq!((e.space, e.number), (CodeSpace::Apr, 70007));
        let e = status_item(b"(EAI 2)Name or service not known").unwrap();
        assert_eq!((e.space, e.number), (CodeSpace::Eai, 2));
        let e = status_item(b"(OS 10061)No connection could be made").unwrap();
        assert_eq!((e.space, e.number), (CodeSpace::Windows, 10061));
        let e = status_item(b"(-102)Unknown error -102").unwrap();
        assert_eq!(e.number, -102);
        assert!(status_item(b"(null)").is_none());
    }

    #[test]
    fn format_fields() {
        let f = ErrorLogFormat::compile(
            "[%{u}t] [%-m:%l] [pid %P:tid %T] %7F: %E: [client\\ %a] %M% ,\\ referer\\ %{Referer}i",
        )
        .unwrap();
        let lits: Vec<_> = f
            .toks
            .iter()
            .filter_map(|t| match t {
                Tok::Lit(l) => Some(String::from_utf8_lossy(l).into_owned()),
                _ => None,
            })
            .collect();
        assert!(lits.contains(&" [client ".to_owned()));
        assert!(lits.contains(&", referer ".to_owned()));
        assert!(ErrorLogFormat::compile("%Z").is_err());
        assert!(ErrorLogFormat::compile("").is_err());
        assert!(ErrorLogFormat::compile("%{x").is_err());
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
        assert_eq!(r.referrer, Some(&b"https://example.com/"[..]));
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

    /// `%{cu}t`, `%{uc}t` and `%{c}t` in a custom format, as httpd 2.4.71 writes them.
    #[test]
    fn custom_format_compact_iso_time() {
        let format =
            r"[%{cu}t] [%-m:%l] [pid %P:tid %T] %7F: %E: [client\ %a] %M% ,\ referer\ %{Referer}i";
        let r = custom(
            format,
            "[2025-07-22 15:45:51.323610] [proxy:error] [pid 1234:tid 5678] (111)Connection refused: AH00957: http: attempt to connect to 127.0.0.1:8080 (localhost:8080) failed",
        );
        let t = r.time.unwrap();
        assert_eq!(t.to_string(), "2025-07-22T15:45:51.323610");
        assert_eq!((t.micros(), t.offset_seconds()), (323_610, None));
        assert_eq!((r.pid, r.tid), (Some(1234), Some(5678)));
        assert_eq!(r.code, Some(&b"AH00957"[..]));
        assert_eq!(r.failure.map(|f| f.cause), Some(Cause::UpstreamRefused));
        let r = custom(
            "[%{uc}t] %M",
            "[2026-12-02 05:48:04.452270] AH00128: File does not exist: /x",
        );
        assert_eq!(r.time.map(|t| t.micros()), Some(452_270));
        let r = custom(
            "[%{c}t] %M",
            "[2026-12-02 05:48:02] AH00128: File does not exist: /x",
        );
        assert_eq!(
            r.time.map(|t| t.to_string()),
            Some("2026-12-02T05:48:02".to_owned())
        );
        let r = custom(
            "[%{z}t] %M",
            "[Wed Dec 02 05:48:07 2026 +0000] AH00128: File does not exist: /x",
        );
        assert_eq!(r.time.and_then(|t| t.offset_seconds()), Some(0));
        // An impossible date does not fit the format.
        let f = ErrorLogFormat::compile("[%{cu}t] %M").unwrap();
        assert!(f.parse(b"[2025-02-30 15:45:51.323610] AH00128: x").is_err());
    }

    /// `%{<strftime>}t` (httpd 2.4.58 and later): read when every conversion is known.
    #[test]
    fn custom_format_strftime_time() {
        let r = custom(
            "[%{%d/%b/%Y:%H:%M:%S %z}t] [%l] %M",
            "[02/Dec/2026:05:48:09 +0100] [error] AH00128: File does not exist: /x",
        );
        assert_eq!(
            r.time.map(|t| t.to_string()),
            Some("2026-12-02T05:48:09+01:00".to_owned())
        );
        assert_eq!(r.level, Some(Level::Error));
        let r = custom(
            "[%{%Y-%m-%dT%H:%M:%S}t] %M",
            "[2026-12-02T05:49:05] AH00128: File does not exist: /x",
        );
        assert_eq!(
            r.time.map(|t| t.to_string()),
            Some("2026-12-02T05:49:05".to_owned())
        );
        // `%c` in the C locale: the day is space-padded.
        let r = custom("[%{%c}t] %M", "[Wed Dec  2 05:49:07 2026] AH00128: x");
        assert_eq!(
            r.time.map(|t| t.to_string()),
            Some("2026-12-02T05:49:07".to_owned())
        );
        let r = custom("[%{%s}t] %M", "[1796190546] AH00128: x");
        assert_eq!(r.time.and_then(|t| t.unix_seconds()), Some(1_796_190_546));
        let r = custom(
            "%{%A, %B %e %Y %k:%M %Z}t %M",
            "Wednesday, December  2 2026  5:49 UTC AH00128: x",
        );
        // A zone abbreviation is read over; only %z gives an offset.
        assert_eq!(
            r.time.map(|t| t.to_string()),
            Some("2026-12-02T05:49:00".to_owned())
        );
        // A line whose time does not fit the strftime format is not this format.
        let f = ErrorLogFormat::compile("[%{%d/%b/%Y:%H:%M:%S %z}t] %M").unwrap();
        assert!(f.parse(b"[2026-12-02 05:48:09] AH00128: x").is_err());
        assert!(f.parse(b"[31/Feb/2026:05:48:09 +0100] AH00128: x").is_err());
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

    #[test]
    fn unsupported_time_items_are_rejected() {
        for (format, says) in [
            ("[%{q}t] %M", "unknown option 'q'"),
            ("[%{cuq}t] %M", "unknown option 'q'"),
            ("[%{%H:%M:%S}t] %M", "does not give a full time"),
            ("[%{%Y-%m-%d}t] %M", "does not give a full time"),
            ("[%{%Y-%Q %H:%M}t] %M", "unsupported time conversion %Q"),
            ("[%{%F %T %}t] %M", "'%' at the end"),
        ] {
            let e = ErrorLogFormat::compile(format).unwrap_err();
            assert!(e.message.contains(says), "{format}: {e}");
            assert_eq!(e.offset, 1, "{format}: {e}");
            let item = &format[1..format.find("t]").unwrap() + 1];
            assert!(e.message.contains(item), "{format}: {e}");
        }
        // Every form httpd knows compiles.
        for format in [
            "[%t] %M",
            "[%{}t] %M",
            "[%{u}t] %M",
            "[%{c}t] %M",
            "[%{cu}t] %M",
            "[%{uc}t] %M",
            "[%{cuz}t] %M",
            "[%{uz}t] %M",
            "[%{z}t] %M",
            "[%{%F %T}t] %M",
            "[%{%s}t] %M",
        ] {
            assert!(ErrorLogFormat::compile(format).is_ok(), "{format}");
        }
    }
}
