//! `ErrorLogFormat` strings (httpd's `do_errorlog_format`, `server/log.c`, and the item
//! table of `docs/manual/mod/core.xml`) compiled into a matcher for the lines they write.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use super::default::{parse_compact, parse_ctime};
use super::{MAX_LINE, set_message, status_item};
use crate::access::StrftimeTime;
use crate::bytes::{all_digits, at, head, leading_u64, parse_dec, split_port, sub, tail};
use crate::classify;
use crate::error::{FormatError, ParseError};
use crate::record::{ErrorRecord, Format, Level};
use crate::time::Timestamp;

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
        rec.referer = cap(Slot::Referer).and_then(dash);
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
    use super::super::testing::{DOCUMENTED, assert_refused_connect, custom};
    use super::*;
    use crate::{Cause, Errno, Role};
    use proptest::prelude::*;

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
        assert_eq!(r.referer, Some(&b"https://example.com/"[..]));
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
            (f.cause, f.errno, f.peer),
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

    const SEEDS: &[&str] = &[
        "[Wed Nov 25 09:47:33.742494 2026] [proxy_http:error] [pid 26117:tid 26126] (104)Connection reset by peer: [client 127.0.0.1:55978] AH01102: error reading status line from remote server 127.0.0.1:19155, referer: https://shop.example.test/cart",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

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
}
