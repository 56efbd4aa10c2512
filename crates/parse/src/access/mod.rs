//! Access logs from format strings: nginx `log_format`, Apache `LogFormat`, ingress-nginx.
//!
//! A format string is compiled once into a sequence of [`Item`]s — literals and variables —
//! and every line is matched against it without allocating. A variable ends at the next
//! literal of the format (a `"` escaped as `\"` does not end it), except the items that have
//! a shape of their own: timestamps, numbers and nginx's multi-value `$upstream_*` lists
//! (`10.0.0.1:80, 10.0.0.2:80 : unix:/x`), which may contain the spaces that delimit them.
//! When a later item does not fit, the matcher backtracks (within a small budget) to let an
//! earlier text variable extend to the next occurrence of its terminator. Text after the
//! end of the format is read as `key=value` pairs (`rt=0.123 urt="0.100" ua="..."`).

mod apache;
mod clock;
mod fast;
mod nginx;
mod scan;

use crate::error::{FormatError, ParseError};
use crate::record::{AccessRecord, Format, parse_seconds_us, parse_u16, parse_u64};

use clock::{TimeItem, TimeParts};

/// A compiled access-log format.
#[derive(Clone, Debug)]
pub(crate) struct AccessFormat {
    format: Format,
    source: String,
    items: Box<[Item]>,
    time_is_start: bool,
    /// The built-in formats' head, read straight (see [`fast`]).
    head: Option<fast::Head>,
    /// Bytes every line of the format holds (see [`Needs`]).
    needs: Needs,
}

/// Up to four bytes that every line a format reads holds, because each is in one of its
/// literals (a bracket, a quote, a dash): a line without one of them cannot be of the
/// format, which a `memchr` each says faster than a failed read. Spaces and tabs are not
/// kept (every line has them). Both readers match every literal of the format where it
/// falls, so a line read holds each of its bytes.
#[derive(Clone, Copy, Debug, Default)]
struct Needs {
    bytes: [u8; 4],
    len: u8,
}

impl Needs {
    /// The bytes of `items`' literals, the rarest in ordinary text first.
    fn of(items: &[Item]) -> Needs {
        let rank = |b: u8| match b {
            b'[' | b']' | b'|' | b'{' | b'}' => 0,
            b'"' => 1,
            b'-' | b':' | b'/' | b'.' | b',' => 3,
            _ => 2,
        };
        let mut distinct: Vec<u8> = Vec::new();
        for item in items {
            if let Item::Lit(lit) = item {
                for &b in lit.iter() {
                    if b != b' ' && b != b'\t' && !distinct.contains(&b) {
                        distinct.push(b);
                    }
                }
            }
        }
        // Stable: among equal ranks, the order of the format.
        distinct.sort_by_key(|&b| rank(b));
        let mut needs = Needs::default();
        for (slot, b) in needs.bytes.iter_mut().zip(distinct) {
            *slot = b;
            needs.len += 1;
        }
        needs
    }

    /// Whether the probed line holds every byte.
    fn met_by(&self, probe: &mut Probe<'_>) -> bool {
        self.bytes
            .get(..usize::from(self.len))
            .unwrap_or_default()
            .iter()
            .all(|&b| probe.holds(b))
    }
}

/// A line asked by several formats whether it holds their [`Needs`]: each byte is looked
/// for once, so the formats of a chain that all need a `[` search for it once.
pub(crate) struct Probe<'a> {
    line: &'a [u8],
    /// Bytes looked for, one bit each, and of those the ones found.
    asked: [u64; 4],
    found: [u64; 4],
}

impl<'a> Probe<'a> {
    /// A line nothing was looked for in yet.
    pub(crate) fn new(line: &'a [u8]) -> Probe<'a> {
        Probe {
            line,
            asked: [0; 4],
            found: [0; 4],
        }
    }

    /// Whether the line holds `byte`.
    pub(crate) fn holds(&mut self, byte: u8) -> bool {
        let (word, bit) = (usize::from(byte >> 6), 1u64 << (byte & 63));
        let (Some(asked), Some(found)) = (self.asked.get_mut(word), self.found.get_mut(word))
        else {
            return true;
        };
        if *asked & bit == 0 {
            *asked |= bit;
            if memchr::memchr(byte, self.line).is_some() {
                *found |= bit;
            }
        }
        *found & bit != 0
    }
}

/// What a line parse says beyond the record, for format detection.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Quality {
    /// Words after the format that were not `key=value` pairs.
    pub(crate) junk: u32,
    /// A byte count logged as `-` was read as 0 (Apache `%b`).
    pub(crate) dash_bytes: bool,
    /// The client field held more than one word (a forwarded-for list, a virtual host in
    /// front) and the client was picked from them.
    pub(crate) loose: bool,
}

/// One compiled element of a format.
#[derive(Clone, Debug)]
enum Item {
    Lit(Box<[u8]>),
    Var(Var),
}

/// A variable of the format.
#[derive(Clone, Debug)]
struct Var {
    field: Field,
    shape: Shape,
    /// Takes the rest of the line when it ends the format (request line, headers).
    text: bool,
    /// Index of the literal that ends this variable: the next item, or the first literal
    /// after a run of adjacent variables.
    term: Option<usize>,
    /// The next item is another variable (`$uri$is_args$args`, `%U%q`).
    adjacent: bool,
    /// The value never contains a space (addresses, numbers, names): one that does means
    /// the line does not fit here.
    token: bool,
}

/// How the end of a variable's value is found.
#[derive(Clone, Debug)]
enum Shape {
    /// Up to the terminating literal; an earlier end may be revisited by backtracking.
    Text,
    /// Digits, `.`, `-`: up to the terminating literal, never revisited.
    Number,
    /// An nginx upstream list.
    List,
    /// A time item with its own syntax.
    Time(TimeItem),
}

/// Where a variable's value goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Field {
    /// Matched and not stored.
    Skip,
    Client,
    /// `X-Forwarded-For`: the first address is the client.
    ClientList,
    /// The leading client field of the built-in nginx formats, read loosely: a single
    /// address, or a forwarded-for list and a virtual host in front (see
    /// [`scan::client_prefix`]).
    ClientPrefix,
    User,
    /// The request line; the flags say which parts it provides.
    Request {
        method: bool,
        target: bool,
        protocol: bool,
    },
    Method,
    Target,
    Protocol,
    Status,
    /// Byte counts; `clf_dash`: Apache `%b`, which writes `-` for no bytes.
    Bytes {
        clf_dash: bool,
    },
    Referer,
    UserAgent,
    Host,
    /// A duration in this unit.
    Duration(Unit),
    Connection,
    RequestId,
    /// The id a CDN or load balancer in front sent (`X-Amzn-Trace-Id`, `CF-Ray`,
    /// `X-Cloud-Trace-Context`), for joining with its log.
    TraceId,
    UpstreamName,
    Upstream(Up),
    /// A time item: the value was already read into the time parts.
    Time,
}

/// The unit of a logged duration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Unit {
    /// Seconds with an optional fraction (`0.123`).
    Seconds,
    Millis,
    Micros,
}

/// Which `$upstream_*` field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Up {
    Addr,
    Status,
    ResponseTime,
    ConnectTime,
    HeaderTime,
    ResponseLength,
}

/// A record field that several variables may provide; the one with the highest priority
/// does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Slot {
    Client,
    User,
    Method,
    Target,
    Protocol,
    Status,
    Bytes,
    Referer,
    UserAgent,
    Host,
    Duration,
    Connection,
    RequestId,
    TraceId,
    UpstreamName,
    Upstream(Up),
}

impl Field {
    /// The slots a field fills (a request line fills three).
    fn slots(self) -> &'static [Slot] {
        match self {
            Field::Skip | Field::Time => &[],
            Field::Client | Field::ClientList | Field::ClientPrefix => &[Slot::Client],
            Field::User => &[Slot::User],
            Field::Request { .. } => &[Slot::Method, Slot::Target, Slot::Protocol],
            Field::Method => &[Slot::Method],
            Field::Target => &[Slot::Target],
            Field::Protocol => &[Slot::Protocol],
            Field::Status => &[Slot::Status],
            Field::Bytes { .. } => &[Slot::Bytes],
            Field::Referer => &[Slot::Referer],
            Field::UserAgent => &[Slot::UserAgent],
            Field::Host => &[Slot::Host],
            Field::Duration(_) => &[Slot::Duration],
            Field::Connection => &[Slot::Connection],
            Field::RequestId => &[Slot::RequestId],
            Field::TraceId => &[Slot::TraceId],
            Field::UpstreamName => &[Slot::UpstreamName],
            Field::Upstream(up) => match up {
                Up::Addr => &[Slot::Upstream(Up::Addr)],
                Up::Status => &[Slot::Upstream(Up::Status)],
                Up::ResponseTime => &[Slot::Upstream(Up::ResponseTime)],
                Up::ConnectTime => &[Slot::Upstream(Up::ConnectTime)],
                Up::HeaderTime => &[Slot::Upstream(Up::HeaderTime)],
                Up::ResponseLength => &[Slot::Upstream(Up::ResponseLength)],
            },
        }
    }
}

/// What a format variable maps to, before the format is assembled.
#[derive(Clone, Debug)]
struct Spec {
    field: Field,
    shape: Shape,
    text: bool,
    /// The value has no spaces.
    token: bool,
    /// Priority among the variables that fill the same slots (higher wins).
    prio: u8,
}

impl Spec {
    /// A value of this shape that may contain spaces.
    fn new(field: Field, shape: Shape, prio: u8) -> Spec {
        Spec {
            field,
            shape,
            text: false,
            token: false,
            prio,
        }
    }
    /// Free text (request line, headers): takes the rest of the line at the end.
    fn text(field: Field, prio: u8) -> Spec {
        Spec {
            text: true,
            ..Spec::new(field, Shape::Text, prio)
        }
    }
    /// A word without spaces (addresses, names, ids).
    fn token(field: Field, prio: u8) -> Spec {
        Spec {
            token: true,
            ..Spec::new(field, Shape::Text, prio)
        }
    }
    /// A number (or `-`).
    fn number(field: Field, prio: u8) -> Spec {
        Spec {
            token: true,
            ..Spec::new(field, Shape::Number, prio)
        }
    }
    fn list(field: Field) -> Spec {
        Spec::new(field, Shape::List, 1)
    }
    fn time(item: TimeItem) -> Spec {
        Spec::new(Field::Time, Shape::Time(item), 1)
    }
    /// An unknown variable: matched, not stored, may contain spaces.
    fn skip() -> Spec {
        Spec::new(Field::Skip, Shape::Text, 0)
    }
}

/// Collects literals and variables while a format string is compiled.
#[derive(Default)]
struct Builder {
    items: Vec<Item>,
    prios: Vec<u8>,
    lit: Vec<u8>,
}

impl Builder {
    fn lit(&mut self, bytes: &[u8]) {
        self.lit.extend_from_slice(bytes);
    }

    fn var(&mut self, spec: Spec) {
        self.flush();
        self.prios.push(spec.prio);
        self.items.push(Item::Var(Var {
            field: spec.field,
            shape: spec.shape,
            text: spec.text,
            term: None,
            adjacent: false,
            token: spec.token,
        }));
    }

    fn flush(&mut self) {
        if !self.lit.is_empty() {
            self.prios.push(0);
            self.items
                .push(Item::Lit(std::mem::take(&mut self.lit).into_boxed_slice()));
        }
    }

    /// Resolves slot priorities and terminators.
    fn finish(mut self) -> Result<Box<[Item]>, FormatError> {
        self.flush();
        let mut items = self.items;
        if items.is_empty() {
            return Err(FormatError::new("empty format", 0));
        }
        if !items.iter().any(|item| matches!(item, Item::Var(_))) {
            return Err(FormatError::new("format has no variables", 0));
        }
        // Each slot is filled by its highest-priority variable (the first on a tie).
        let mut owner: Vec<(Slot, usize, u8)> = Vec::new();
        for (index, item) in items.iter().enumerate() {
            let Item::Var(var) = item else { continue };
            let prio = self.prios.get(index).copied().unwrap_or(0);
            for &slot in var.field.slots() {
                match owner.iter_mut().find(|(s, _, _)| *s == slot) {
                    Some(entry) if entry.2 < prio => *entry = (slot, index, prio),
                    Some(_) => {}
                    None => owner.push((slot, index, prio)),
                }
            }
        }
        let owns =
            |slot: Slot, index: usize| owner.iter().any(|&(s, i, _)| s == slot && i == index);
        for index in 0..items.len() {
            let Some(Item::Var(var)) = items.get(index) else {
                continue;
            };
            let field = match var.field {
                Field::Request { .. } => {
                    let method = owns(Slot::Method, index);
                    let target = owns(Slot::Target, index);
                    let protocol = owns(Slot::Protocol, index);
                    // The raw request line is kept even when other variables give its parts.
                    Field::Request {
                        method,
                        target,
                        protocol,
                    }
                }
                field => {
                    let slots = field.slots();
                    if slots.iter().all(|&slot| owns(slot, index)) {
                        field
                    } else {
                        Field::Skip
                    }
                }
            };
            if let Some(Item::Var(var)) = items.get_mut(index) {
                var.field = field;
            }
        }
        // Terminators.
        let len = items.len();
        for index in 0..len {
            let adjacent = matches!(items.get(index + 1), Some(Item::Var(_)));
            let term = (index + 1..len).find(|&i| matches!(items.get(i), Some(Item::Lit(_))));
            if let Some(Item::Var(var)) = items.get_mut(index) {
                var.adjacent = adjacent;
                var.term = term;
            }
        }
        Ok(items.into_boxed_slice())
    }
}

/// Most choice points remembered for backtracking.
const MAX_CHOICES: usize = 16;
/// Most alternative variable ends tried per line.
const BACKTRACK_BUDGET: u32 = 64;

#[derive(Clone, Copy, Default)]
struct Choice {
    item: usize,
    start: usize,
    end: usize,
}

/// A time written with an strftime pattern, as Apache's `%{pattern}t` writes it: the
/// reader of the access formats, for the error-log formats too.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct StrftimeTime(TimeItem);

impl StrftimeTime {
    /// Compiles `pattern`; it must name a date and an hour (or `%s`).
    pub(crate) fn compile(pattern: &[u8]) -> Result<StrftimeTime, FormatError> {
        let convs = clock::compile_strftime(pattern)?;
        if !clock::names_a_time(&convs) {
            return Err(FormatError::new(
                "it does not give a full time: it needs a year, month, day and hour (or %s)",
                0,
            ));
        }
        Ok(StrftimeTime(TimeItem::Strftime(convs)))
    }

    /// The time at the start of `s`, and how many bytes it takes.
    pub(crate) fn parse(&self, s: &[u8]) -> Option<(crate::time::Timestamp, usize)> {
        let mut parts = TimeParts::default();
        let len = self.0.parse(s, &mut parts)?;
        parts.build().ok().flatten().map(|t| (t, len))
    }
}

/// Apache's `vhost_combined` string, for tests elsewhere in the crate.
#[cfg(test)]
pub(crate) const VHOST_COMBINED_SOURCE: &str = apache::VHOST_COMBINED;

/// The built-in access formats that format detection tries, in order.
pub(crate) fn builtin_access_formats() -> Vec<AccessFormat> {
    vec![
        nginx::builtin_format(nginx::COMBINED),
        nginx::builtin_format(nginx::UPSTREAM),
        nginx::builtin_format(nginx::MAIN),
        nginx::builtin_format(nginx::INGRESS),
        apache::builtin_format(apache::COMBINED),
        apache::builtin_format(apache::COMMON),
        apache::builtin_format(apache::VHOST_COMBINED),
        apache::builtin_format(apache::COMBINEDIO),
        apache::builtin_format(apache::COMBINED_D),
        apache::builtin_format(apache::SSL_REQUEST),
    ]
}

impl AccessFormat {
    /// Compiles an nginx `log_format` string (see [`crate::Parser::nginx_access`]).
    pub(crate) fn nginx(log_format: &str) -> Result<AccessFormat, FormatError> {
        nginx::compile(log_format)
    }

    /// Compiles an Apache `LogFormat` string (see [`crate::Parser::apache_access`]).
    pub(crate) fn apache(log_format: &str) -> Result<AccessFormat, FormatError> {
        apache::compile(log_format)
    }

    /// Compiles a format in whichever syntax it is written in.
    pub(crate) fn detect_syntax(log_format: &str) -> Result<AccessFormat, FormatError> {
        let trimmed = log_format.trim_start();
        if trimmed.starts_with("log_format") || trimmed.starts_with("escape=") {
            return AccessFormat::nginx(log_format);
        }
        if trimmed.starts_with("LogFormat") || trimmed.starts_with("CustomLog") {
            return AccessFormat::apache(log_format);
        }
        let name = trimmed.trim_end().trim_end_matches(';');
        if nginx::builtin(name).is_some() {
            return AccessFormat::nginx(log_format);
        }
        if apache::nickname(name).is_some() {
            return AccessFormat::apache(log_format);
        }
        let bytes = log_format.as_bytes();
        let dollars = bytes
            .windows(2)
            .filter(|w| {
                w[0] == b'$' && (w[1] == b'{' || w[1] == b'_' || w[1].is_ascii_alphabetic())
            })
            .count();
        let percents = bytes
            .windows(2)
            .filter(|w| w[0] == b'%' && w[1] != b'%' && w[1] != b' ')
            .count();
        if dollars >= percents && dollars > 0 {
            AccessFormat::nginx(log_format)
        } else if percents > 0 {
            AccessFormat::apache(log_format)
        } else {
            Err(FormatError::new(
                "no nginx $variables or Apache %items in the format",
                0,
            ))
        }
    }

    /// nginx's predefined `combined`.
    pub(crate) fn nginx_combined() -> AccessFormat {
        nginx::builtin_format(nginx::COMBINED)
    }

    /// The ingress-nginx default (`log-format-upstream`).
    pub(crate) fn ingress_nginx() -> AccessFormat {
        nginx::builtin_format(nginx::INGRESS)
    }

    /// Apache's `combined`.
    pub(crate) fn apache_combined() -> AccessFormat {
        apache::builtin_format(apache::COMBINED)
    }

    /// Whether [`parse_into`](AccessFormat::parse_into) may read `line`: `false` only when
    /// the line lacks a byte of the format's literals, so it cannot. A few `memchr` calls,
    /// for asking about lines that are seldom of the format (see
    /// [`Parser::may_read`](crate::Parser::may_read)).
    pub(crate) fn may_read(&self, probe: &mut Probe<'_>) -> bool {
        self.needs.met_by(probe)
    }

    /// The bytes [`may_read`](AccessFormat::may_read) asks for, the rarest first.
    pub(crate) fn needed_bytes(&self) -> &[u8] {
        self.needs
            .bytes
            .get(..usize::from(self.needs.len))
            .unwrap_or_default()
    }

    /// `NginxAccess` or `ApacheAccess`.
    pub(crate) fn format(&self) -> Format {
        self.format
    }

    /// The format string as given.
    pub(crate) fn source(&self) -> &str {
        &self.source
    }

    /// Parses one line into `rec`, which is overwritten (on an error it holds no
    /// meaningful record), and says how well the line fitted. The record is built where
    /// the caller keeps it: it is some 400 bytes, and the read loop would otherwise copy
    /// it out of every layer it passes.
    pub(crate) fn parse_into<'a>(
        &self,
        line: &'a [u8],
        rec: &mut AccessRecord<'a>,
    ) -> Result<Quality, ParseError> {
        if let Some(head) = &self.head {
            if let Some(quality) = self.parse_straight(head, line, rec) {
                return Ok(quality);
            }
        }
        self.parse_generic(line, rec)
    }

    /// Parses one line (the tests' way in).
    #[cfg(test)]
    pub(crate) fn parse<'a>(&self, line: &'a [u8]) -> Result<AccessRecord<'a>, ParseError> {
        self.parse_quality(line).map(|(record, _)| record)
    }

    /// Parses one line, also saying how well it fitted.
    pub(crate) fn parse_quality<'a>(
        &self,
        line: &'a [u8],
    ) -> Result<(AccessRecord<'a>, Quality), ParseError> {
        let mut rec = self.blank_record();
        let quality = self.parse_into(line, &mut rec)?;
        Ok((rec, quality))
    }

    /// A record of this format with no field read yet: where both readers start.
    fn blank_record<'a>(&self) -> AccessRecord<'a> {
        AccessRecord {
            format: self.format,
            time_is_start: self.time_is_start,
            ..AccessRecord::default()
        }
    }

    /// The generic matcher's first pass over a line of a format with a built-in head,
    /// without choice points: `None` wherever that pass meets an error (the generic
    /// matcher then reads the line again, backtracking as it does).
    fn parse_straight<'a>(
        &self,
        head: &fast::Head,
        line: &'a [u8],
        rec: &mut AccessRecord<'a>,
    ) -> Option<Quality> {
        *rec = self.blank_record();
        let mut quality = Quality::default();
        let mut parts = TimeParts::default();
        let (mut pos, timed) = match head.read_plain(line, rec, &mut parts, &mut quality) {
            Some(pos) => (pos, head.reads_own_time()),
            None => {
                *rec = self.blank_record();
                quality = Quality::default();
                parts = TimeParts::default();
                (head.read(line, rec, &mut parts, &mut quality)?, false)
            }
        };
        let tail = match head.tail() {
            Some(fast::Tail::Ingress) => {
                pos = fast::ingress_tail(line, pos, rec, &mut quality)?;
                &[][..]
            }
            None => {
                let items = self.items.get(head.items()..)?;
                match items {
                    // The user agent, as `var` reads it, without its dispatch.
                    [_, Item::Lit(lit), after @ ..] if head.agent_first() => {
                        let rest = line.get(pos..)?;
                        let end = scan::find_quote_lit(rest, lit)?;
                        rec.user_agent = present(rest.get(..end)?);
                        pos += end + lit.len();
                        after
                    }
                    _ => items,
                }
            }
        };
        for item in tail {
            match item {
                Item::Lit(lit) => {
                    if !scan::has_prefix(line.get(pos..)?, lit) {
                        return None;
                    }
                    pos += lit.len();
                }
                // A number that ends the format (Apache's `%D`): its digits, points and
                // dashes, as `var` reads a number without a terminator, without its
                // dispatch.
                Item::Var(
                    var @ Var {
                        shape: Shape::Number,
                        term: None,
                        adjacent: false,
                        ..
                    },
                ) => {
                    let rest = line.get(pos..)?;
                    let len = rest
                        .iter()
                        .take_while(|&&b| b.is_ascii_digit() || b == b'.' || b == b'-')
                        .count();
                    assign(var.field, rest.get(..len)?, rec, &mut quality).ok()?;
                    pos += len;
                }
                Item::Var(var) => {
                    let (end, _) = self
                        .var(var, line, pos, None, rec, &mut parts, &mut quality)
                        .ok()?;
                    pos = end;
                }
            }
        }
        let rest = line.get(pos..).unwrap_or_default();
        if !matches!(rest.first(), None | Some(b' ' | b'\t')) {
            return None;
        }
        if !timed {
            rec.time = parts.build().ok()?;
        }
        if !rest.is_empty() {
            fast::pairs(rest, rec, &mut quality);
        }
        Some(quality)
    }

    /// The generic matcher.
    fn parse_generic<'a>(
        &self,
        line: &'a [u8],
        rec: &mut AccessRecord<'a>,
    ) -> Result<Quality, ParseError> {
        *rec = self.blank_record();
        let mut quality = Quality::default();
        let mut parts = TimeParts::default();
        let mut choices = [Choice::default(); MAX_CHOICES];
        let mut depth = 0usize;
        let mut budget = BACKTRACK_BUDGET;
        let mut first_error: Option<ParseError> = None;
        let mut forced: Option<usize> = None;
        let mut index = 0usize;
        let mut pos = 0usize;
        loop {
            let error = match self.items.get(index) {
                None => {
                    let rest = line.get(pos..).unwrap_or_default();
                    match rest.first() {
                        None | Some(b' ' | b'\t') => break,
                        Some(_) => ParseError::new("end of line or key=value pairs", pos),
                    }
                }
                Some(Item::Lit(lit)) => {
                    if line
                        .get(pos..)
                        .is_some_and(|rest| scan::has_prefix(rest, lit))
                    {
                        pos += lit.len();
                        index += 1;
                        continue;
                    }
                    ParseError::new(literal_name(lit), pos)
                }
                Some(Item::Var(var)) => {
                    match self.var(var, line, pos, forced.take(), rec, &mut parts, &mut quality) {
                        Ok((end, choice)) => {
                            if choice {
                                if let Some(slot) = choices.get_mut(depth) {
                                    *slot = Choice {
                                        item: index,
                                        start: pos,
                                        end,
                                    };
                                    depth += 1;
                                }
                            }
                            pos = end;
                            index += 1;
                            continue;
                        }
                        Err(error) => error,
                    }
                }
            };
            let first = *first_error.get_or_insert(error);
            // Backtrack: let the latest text variable run to the next occurrence of its
            // terminator.
            loop {
                if depth == 0 || budget == 0 {
                    return Err(first);
                }
                budget -= 1;
                depth -= 1;
                let Some(choice) = choices.get(depth).copied() else {
                    return Err(first);
                };
                let Some(Item::Var(var)) = self.items.get(choice.item) else {
                    return Err(first);
                };
                let Some(Item::Lit(term)) = var.term.and_then(|t| self.items.get(t)) else {
                    continue;
                };
                let value = line.get(choice.start..).unwrap_or_default();
                if let Some(next) = scan::find_lit(value, choice.end - choice.start + 1, term) {
                    index = choice.item;
                    pos = choice.start;
                    forced = Some(choice.start + next);
                    break;
                }
            }
        }
        match parts.build() {
            Ok(time) => rec.time = time,
            Err(()) => return Err(ParseError::new("a valid date and time", 0)),
        }
        let rest = line.get(pos..).unwrap_or_default();
        if !rest.is_empty() {
            trailing_pairs(rest, rec, &mut quality);
        }
        Ok(quality)
    }

    /// Matches one variable at `pos`: the end of its value and whether it is a choice point.
    #[allow(clippy::too_many_arguments)]
    fn var<'a>(
        &self,
        var: &Var,
        line: &'a [u8],
        pos: usize,
        forced: Option<usize>,
        rec: &mut AccessRecord<'a>,
        parts: &mut TimeParts,
        quality: &mut Quality,
    ) -> Result<(usize, bool), ParseError> {
        let rest = line.get(pos..).unwrap_or_default();
        let term = match var.term.and_then(|t| self.items.get(t)) {
            Some(Item::Lit(lit)) => Some(&**lit),
            _ => None,
        };
        let (len, choice) = match (&var.shape, forced) {
            (Shape::Time(item), _) => {
                let len = item
                    .parse(rest, parts)
                    .ok_or(ParseError::new("a timestamp", pos))?;
                (len, false)
            }
            (_, Some(end)) => (end.saturating_sub(pos), true),
            (Shape::List, _) if term.is_none_or(|t| t.first() != Some(&b'"')) => {
                let stop = term
                    .and_then(|t| t.first().copied())
                    .filter(|b| b"]});|\t".contains(b));
                (scan::list_len(rest, stop), false)
            }
            (shape, _) => {
                let numeric = matches!(shape, Shape::Number);
                match term {
                    Some(lit) if !var.adjacent => {
                        let end = scan::find_lit(rest, 0, lit)
                            .ok_or(ParseError::new(literal_name(lit), line.len()))?;
                        let revisit = matches!(shape, Shape::Text)
                            && !var.token
                            && var.field != Field::ClientPrefix;
                        (end, revisit)
                    }
                    _ if numeric => (
                        rest.iter()
                            .take_while(|&&b| b.is_ascii_digit() || b == b'.' || b == b'-')
                            .count(),
                        false,
                    ),
                    Some(lit) => {
                        // Adjacent variables: up to a space or the literal after them.
                        let space = scan::find_byte(b' ', rest).unwrap_or(rest.len());
                        let lit_at = scan::find_lit(rest, 0, lit).unwrap_or(rest.len());
                        (space.min(lit_at), false)
                    }
                    None if var.text && !var.adjacent => (rest.len(), false),
                    None => (scan::find_byte(b' ', rest).unwrap_or(rest.len()), false),
                }
            }
        };
        let value = rest.get(..len).unwrap_or_default();
        if var.token && scan::find_byte(b' ', value).is_some() {
            return Err(ParseError::new("a value without spaces", pos));
        }
        assign(var.field, value, rec, quality).map_err(|what| ParseError::new(what, pos))?;
        Ok((pos + len, choice))
    }
}

/// A readable name of a literal for error messages.
fn literal_name(lit: &[u8]) -> &'static str {
    match lit {
        b" " => "' '",
        b"\"" => "'\"'",
        b"\" " => "'\" '",
        b"\" \"" => "'\" \"'",
        b" \"" => "' \"'",
        b" [" => "' ['",
        b"] \"" => "'] \"'",
        b" - " => "' - '",
        b"]" => "']'",
        b"[" => "'['",
        _ => "the text between fields of the format",
    }
}

/// `None` for the absent markers `-` and empty.
fn present(value: &[u8]) -> Option<&[u8]> {
    (!value.is_empty() && value != b"-").then_some(value)
}

/// An `$upstream_*` value as the record keeps it: as logged, `-` included, so that
/// positions in the lists line up; `None` when empty.
fn upstream_value(value: &[u8]) -> Option<&[u8]> {
    (!value.is_empty()).then_some(value)
}

/// Stores a value in the record.
fn assign<'a>(
    field: Field,
    value: &'a [u8],
    rec: &mut AccessRecord<'a>,
    quality: &mut Quality,
) -> Result<(), &'static str> {
    match field {
        Field::Skip | Field::Time => {}
        Field::Client => rec.client = present(value),
        Field::ClientList => rec.client = present(value).map(scan::first_of_list).and_then(present),
        Field::ClientPrefix => {
            // A plain loop: the value is a dozen bytes, too short for memchr to pay off.
            if !value.iter().any(|&b| matches!(b, b' ' | b',' | b'"')) {
                rec.client = present(value);
            } else {
                let prefix = scan::client_prefix(value).ok_or("a client address")?;
                quality.loose = true;
                rec.client = present(prefix.client);
                if let Some(host) = prefix.host {
                    rec.host = Some(host);
                }
            }
        }
        Field::User => rec.user = present(value),
        Field::Request {
            method,
            target,
            protocol,
        } => {
            rec.request = present(value);
            let parts = scan::split_request(rec.request.unwrap_or_default());
            if method {
                rec.method = parts.method;
            }
            if target {
                rec.target = parts.target;
            }
            if protocol {
                rec.protocol = parts.protocol;
            }
        }
        Field::Method => rec.method = present(value),
        Field::Target => rec.target = present(value),
        Field::Protocol => rec.protocol = present(value),
        Field::Status => {
            rec.status = match present(value) {
                None => None,
                Some(v) => Some(parse_u16(v).ok_or("an HTTP status")?),
            }
        }
        Field::Bytes { clf_dash } => {
            rec.bytes_sent = match value {
                b"-" if clf_dash => {
                    // Apache's CLF `-` for an empty body: a sign of Apache, but logged as
                    // `-`, so left unset like every other `-`.
                    quality.dash_bytes = true;
                    None
                }
                b"-" | b"" => None,
                v => Some(parse_u64(v).ok_or("a byte count")?),
            }
        }
        Field::Referer => rec.referer = present(value),
        Field::UserAgent => rec.user_agent = present(value),
        Field::Host => rec.host = present(value),
        Field::Duration(unit) => {
            rec.request_time_us = match present(value) {
                None => None,
                Some(v) => Some(duration_us(v, unit).ok_or("a duration")?),
            }
        }
        Field::Connection => {
            rec.connection = match present(value) {
                None => None,
                Some(v) => Some(parse_u64(v).ok_or("a connection number")?),
            }
        }
        Field::RequestId => rec.request_id = present(value),
        Field::TraceId => rec.trace_id = present(value),
        Field::UpstreamName => rec.upstream_name = present(value),
        Field::Upstream(up) => {
            let value = upstream_value(value);
            let up_fields = &mut rec.upstream;
            match up {
                Up::Addr => up_fields.addr = value,
                Up::Status => up_fields.status = value,
                Up::ResponseTime => up_fields.response_time = value,
                Up::ConnectTime => up_fields.connect_time = value,
                Up::HeaderTime => up_fields.header_time = value,
                Up::ResponseLength => up_fields.response_length = value,
            }
        }
    }
    Ok(())
}

fn duration_us(value: &[u8], unit: Unit) -> Option<u64> {
    match unit {
        Unit::Seconds => parse_seconds_us(value),
        Unit::Millis => parse_u64(value)?.checked_mul(1_000),
        Unit::Micros => parse_u64(value),
    }
}

/// Reads ` key=value key="value" ...` after the end of the format into fields the format
/// did not fill. Unknown keys are ignored; words that are not pairs count as junk.
fn trailing_pairs<'a>(mut rest: &'a [u8], rec: &mut AccessRecord<'a>, quality: &mut Quality) {
    loop {
        rest = rest.trim_ascii_start();
        if rest.is_empty() {
            return;
        }
        let key_len = rest
            .iter()
            .take_while(|&&b| KEY_BYTES[usize::from(b)])
            .count();
        let (key, after) = rest.split_at(key_len);
        let Some(after_eq) = after.strip_prefix(b"=").filter(|_| key_len > 0) else {
            // Not a pair: skip a quoted string or a word.
            quality.junk = quality.junk.saturating_add(1);
            rest = match rest.strip_prefix(b"\"") {
                Some(quoted) => match scan::closing_quote(quoted) {
                    Some(end) => quoted.get(end + 1..).unwrap_or_default(),
                    None => &[],
                },
                None => {
                    let end = scan::find_byte(b' ', rest).unwrap_or(rest.len());
                    rest.get(end..).unwrap_or_default()
                }
            };
            continue;
        };
        let target = pair_key(key);
        let (value, next) = match after_eq.strip_prefix(b"\"") {
            Some(quoted) => match scan::closing_quote(quoted) {
                Some(end) => (
                    quoted.get(..end).unwrap_or_default(),
                    quoted.get(end + 1..).unwrap_or_default(),
                ),
                None => {
                    quality.junk = quality.junk.saturating_add(1);
                    (quoted, &[][..])
                }
            },
            None => {
                let end = match target {
                    Some(Field::Upstream(_)) => scan::list_len(after_eq, None),
                    _ => scan::find_byte(b' ', after_eq).unwrap_or(after_eq.len()),
                };
                after_eq.split_at(end)
            }
        };
        rest = next;
        if let Some(field) = target {
            // `assign` writes nothing when the value does not parse.
            if !filled(field, rec) && assign(field, value, rec, quality).is_err() {
                quality.junk = quality.junk.saturating_add(1);
            }
        }
    }
}

/// The bytes of a trailing key (`[A-Za-z0-9_.-]`), one lookup per byte instead of four
/// comparisons.
const KEY_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || c == b'_' || c == b'.' || c == b'-';
        b += 1;
    }
    table
};

/// A key of at most 8 bytes as a number, for matching without `memcmp` calls.
const fn pack(key: &[u8]) -> u64 {
    let mut value = 0u64;
    let mut i = 0;
    while i < key.len() && i < 8 {
        value |= (key[i].to_ascii_lowercase() as u64) << (8 * i);
        i += 1;
    }
    value
}

/// The field a well-known trailing key fills (case-insensitive).
fn pair_key(key: &[u8]) -> Option<Field> {
    const RT: u64 = pack(b"rt");
    const REQTIME: u64 = pack(b"reqtime");
    const URT: u64 = pack(b"urt");
    const UCT: u64 = pack(b"uct");
    const UHT: u64 = pack(b"uht");
    const UA: u64 = pack(b"ua");
    const US: u64 = pack(b"us");
    const UL: u64 = pack(b"ul");
    const URL: u64 = pack(b"url");
    const HOST: u64 = pack(b"host");
    const VHOST: u64 = pack(b"vhost");
    const RID: u64 = pack(b"rid");
    const REQID: u64 = pack(b"reqid");
    const REQ_ID: u64 = pack(b"req_id");
    const CONN: u64 = pack(b"conn");
    const CID: u64 = pack(b"cid");
    const POOL: u64 = pack(b"pool");
    const CLIENT: u64 = pack(b"client");
    const XFF: u64 = pack(b"xff");
    const STATUS: u64 = pack(b"status");
    const UPSTREAM: u64 = pack(b"upstream");
    if key.len() <= 8 {
        return Some(match pack(key) {
            RT | REQTIME => Field::Duration(Unit::Seconds),
            URT => Field::Upstream(Up::ResponseTime),
            UCT => Field::Upstream(Up::ConnectTime),
            UHT => Field::Upstream(Up::HeaderTime),
            UA | UPSTREAM => Field::Upstream(Up::Addr),
            US => Field::Upstream(Up::Status),
            UL | URL => Field::Upstream(Up::ResponseLength),
            HOST | VHOST => Field::Host,
            RID | REQID | REQ_ID => Field::RequestId,
            CONN | CID => Field::Connection,
            POOL => Field::UpstreamName,
            CLIENT => Field::Client,
            XFF => Field::ClientList,
            STATUS => Field::Status,
            // Known, but without a typed field: `cs` (cache status), `ucs`, ...
            _ => return None,
        });
    }
    let mut buf = [0u8; 32];
    let lower = buf.get_mut(..key.len())?;
    for (dst, src) in lower.iter_mut().zip(key) {
        *dst = src.to_ascii_lowercase();
    }
    Some(match &*lower {
        b"request_time" | b"request_duration" => Field::Duration(Unit::Seconds),
        b"upstream_response_time" | b"upstream_time" => Field::Upstream(Up::ResponseTime),
        b"upstream_connect_time" => Field::Upstream(Up::ConnectTime),
        b"upstream_header_time" => Field::Upstream(Up::HeaderTime),
        b"upstream_addr" => Field::Upstream(Up::Addr),
        b"upstream_status" => Field::Upstream(Up::Status),
        b"upstream_response_length" => Field::Upstream(Up::ResponseLength),
        b"server_name" | b"http_host" => Field::Host,
        b"request_id" | b"x_request_id" => Field::RequestId,
        b"http_x_amzn_trace_id" | b"http_cf_ray" | b"http_x_cloud_trace_context" => Field::TraceId,
        b"connection" => Field::Connection,
        b"proxy_upstream_name" | b"upstream_name" => Field::UpstreamName,
        b"remote_addr" | b"client_ip" => Field::Client,
        b"http_x_forwarded_for" | b"x_forwarded_for" => Field::ClientList,
        _ => return None,
    })
}

/// Whether the record already has the field (format values win over trailing pairs).
fn filled(field: Field, rec: &AccessRecord<'_>) -> bool {
    match field {
        Field::Duration(_) => rec.request_time_us.is_some(),
        Field::Upstream(Up::Addr) => rec.upstream.addr.is_some(),
        Field::Upstream(Up::Status) => rec.upstream.status.is_some(),
        Field::Upstream(Up::ResponseTime) => rec.upstream.response_time.is_some(),
        Field::Upstream(Up::ConnectTime) => rec.upstream.connect_time.is_some(),
        Field::Upstream(Up::HeaderTime) => rec.upstream.header_time.is_some(),
        Field::Upstream(Up::ResponseLength) => rec.upstream.response_length.is_some(),
        Field::Host => rec.host.is_some(),
        Field::RequestId => rec.request_id.is_some(),
        Field::TraceId => rec.trace_id.is_some(),
        Field::Connection => rec.connection.is_some(),
        Field::UpstreamName => rec.upstream_name.is_some(),
        Field::Client | Field::ClientList | Field::ClientPrefix => rec.client.is_some(),
        Field::Status => rec.status.is_some(),
        _ => true,
    }
}

#[cfg(test)]
mod tests;
