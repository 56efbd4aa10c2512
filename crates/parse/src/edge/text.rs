//! Small readers shared by the edge formats: ISO 8601 times, URLs, numbers, and the
//! space-separated fields with `"quoted"` values of the AWS formats.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use crate::bytes::{all_digits, at, head, sub, tail};
use crate::record::parse_u64;
use crate::time::{Timestamp, parse_offset};

/// `2018-11-30T22:23:00.186641Z`, `2026-11-25T01:27:19+01:00`, also with a space instead
/// of `T`, up to nine fraction digits (kept to microseconds), `Z`, `+hh:mm` or `+hhmm`.
/// Returns the timestamp and the bytes read.
pub(crate) fn iso8601(s: &[u8]) -> Option<(Timestamp, usize)> {
    let date = head(s, 19);
    if date.len() < 19
        || at(date, 4) != b'-'
        || at(date, 7) != b'-'
        || !matches!(at(date, 10), b'T' | b't' | b' ')
        || at(date, 13) != b':'
        || at(date, 16) != b':'
    {
        return None;
    }
    let num = |from: usize, to: usize| -> Option<u32> {
        let digits = sub(date, from, to);
        all_digits(digits)
            .then(|| parse_u64(digits))
            .flatten()
            .and_then(|n| u32::try_from(n).ok())
    };
    let year = i32::try_from(num(0, 4)?).ok()?;
    let (month, day) = (num(5, 7)?, num(8, 10)?);
    let (hour, minute, second) = (num(11, 13)?, num(14, 16)?, num(17, 19)?);
    let mut pos = 19;
    let mut micros = 0u32;
    if at(s, pos) == b'.' {
        let digits = tail(s, pos + 1);
        let n = digits
            .iter()
            .take(9)
            .take_while(|b| b.is_ascii_digit())
            .count();
        if n == 0 {
            return None;
        }
        let mut scale = 100_000u32;
        for &d in head(digits, n.min(6)) {
            micros += u32::from(d - b'0') * scale;
            scale /= 10;
        }
        pos += 1 + n;
    }
    let offset = match at(s, pos) {
        b'Z' | b'z' => {
            pos += 1;
            Some(0)
        }
        b'+' | b'-' => {
            let len = if at(s, pos + 3) == b':' { 6 } else { 5 };
            let offset = parse_offset(sub(s, pos, pos + len))?;
            pos += len;
            Some(offset)
        }
        _ => None,
    };
    let ts = Timestamp::from_parts(year, month, day, hour, minute, second, micros, offset)?;
    Some((ts, pos))
}

/// The parts of an absolute URL: scheme, host (without port), port, path and query.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Url<'a> {
    pub(crate) scheme: Option<&'a [u8]>,
    pub(crate) host: Option<&'a [u8]>,
    pub(crate) port: Option<u16>,
    pub(crate) target: Option<&'a [u8]>,
}

/// Splits `http://www.example.com:80/a?b` (or a bare `/a?b`) into its parts. IPv6 hosts
/// keep their brackets.
pub(crate) fn split_url(url: &[u8]) -> Url<'_> {
    let Some(sep) = crate::bytes::find(url, b"://") else {
        return Url {
            target: (!url.is_empty()).then_some(url),
            ..Url::default()
        };
    };
    let scheme = head(url, sep);
    let rest = tail(url, sep + 3);
    let end = rest
        .iter()
        .position(|&b| matches!(b, b'/' | b'?' | b'#'))
        .unwrap_or(rest.len());
    let authority = head(rest, end);
    // Userinfo is not part of the host.
    let authority = match memchr::memrchr(b'@', authority) {
        Some(at_sign) => tail(authority, at_sign + 1),
        None => authority,
    };
    let (host, port) = split_port(authority);
    let target = tail(rest, end);
    Url {
        scheme: (!scheme.is_empty()).then_some(scheme),
        host: (!host.is_empty()).then_some(host),
        port,
        target: Some(if target.is_empty() { b"/" } else { target }),
    }
}

/// `host:port` → (`host`, port); `[::1]:443` → (`[::1]`, 443); a bare IPv6 address has no
/// port.
pub(crate) fn split_port(authority: &[u8]) -> (&[u8], Option<u16>) {
    if at(authority, 0) == b'[' {
        return match memchr::memchr(b']', authority) {
            Some(close) => {
                let port = tail(authority, close + 1);
                let port = port.strip_prefix(b":").and_then(port_number);
                (head(authority, close + 1), port)
            }
            None => (authority, None),
        };
    }
    match memchr::memrchr(b':', authority) {
        // More than one colon without brackets: an IPv6 address without a port.
        Some(colon) if memchr::memchr(b':', authority) == Some(colon) => {
            match port_number(tail(authority, colon + 1)) {
                Some(port) => (head(authority, colon), Some(port)),
                None => (authority, None),
            }
        }
        _ => (authority, None),
    }
}

/// `ip:port` as the load balancers log clients and targets, IPv6 included
/// (`2001:db8::1:443` has its port after the last colon in ALB logs).
pub(crate) fn split_last_port(address: &[u8]) -> (&[u8], Option<u16>) {
    if at(address, 0) == b'[' {
        return split_port(address);
    }
    match memchr::memrchr(b':', address) {
        Some(colon) => match port_number(tail(address, colon + 1)) {
            Some(port) => (head(address, colon), Some(port)),
            None => (address, None),
        },
        None => (address, None),
    }
}

fn port_number(s: &[u8]) -> Option<u16> {
    if s.is_empty() || s.len() > 5 || !all_digits(s) {
        return None;
    }
    u16::try_from(parse_u64(s)?).ok()
}

/// Method, target and protocol of a request line; `None` for a part it lacks.
pub(crate) type RequestParts<'a> = (Option<&'a [u8]>, Option<&'a [u8]>, Option<&'a [u8]>);

/// A request line `METHOD target PROTOCOL` split at its spaces; a line with fewer parts
/// keeps what it has.
pub(crate) fn split_request(line: &[u8]) -> RequestParts<'_> {
    let mut parts = line.splitn(2, |&b| b == b' ');
    let method = parts.next().filter(|m| !m.is_empty() && *m != b"-");
    let rest = parts.next().unwrap_or_default();
    let (target, protocol) = match memchr::memrchr(b' ', rest) {
        Some(space) if tail(rest, space + 1).starts_with(b"HTTP/") => {
            (head(rest, space), Some(tail(rest, space + 1)))
        }
        _ => (rest, None),
    };
    let target = (!target.is_empty() && target != b"-").then_some(target);
    (method, target, protocol)
}

/// Seconds with a fraction (`0.103`, `12`) into microseconds; `-1` and `-` are `None`.
pub(crate) fn seconds_us(s: &[u8]) -> Option<u64> {
    if s.first() == Some(&b'-') {
        return None;
    }
    crate::record::parse_seconds_us(s)
}

/// Milliseconds as HAProxy and Cloudflare log them (`30`, `-1`, `+109`) into
/// microseconds; negative values are `None`.
pub(crate) fn millis_us(s: &[u8]) -> Option<u64> {
    let s = s.strip_prefix(b"+").unwrap_or(s);
    if s.first() == Some(&b'-') {
        return None;
    }
    parse_u64(s)?.checked_mul(1_000)
}

/// The fields of a line separated by single spaces, where a field that starts with `"`
/// runs to the next unescaped `"` (a backslash escapes the next byte) and is given without
/// its quotes. A quoted field that never closes is an error: the line was cut.
#[derive(Clone, Debug)]
pub(crate) struct Fields<'a> {
    line: &'a [u8],
    pos: usize,
}

impl<'a> Fields<'a> {
    pub(crate) fn new(line: &'a [u8]) -> Fields<'a> {
        Fields { line, pos: 0 }
    }

    /// The byte offset of the next field.
    pub(crate) fn offset(&self) -> usize {
        self.pos
    }

    /// The next field: `Some(Ok(field))`, `Some(Err(offset))` for an unclosed quote,
    /// `None` at the end of the line.
    pub(crate) fn next_field(&mut self) -> Option<Result<&'a [u8], usize>> {
        let rest = tail(self.line, self.pos);
        if rest.is_empty() {
            return None;
        }
        if at(rest, 0) == b'"' {
            let start = self.pos + 1;
            let mut i = start;
            loop {
                match self.line.get(i) {
                    None => return Some(Err(self.pos)),
                    Some(b'\\') => i += 2,
                    Some(b'"') => break,
                    Some(_) => i += 1,
                }
            }
            let field = sub(self.line, start, i);
            self.pos = i + 1;
            // The separator after the closing quote.
            if at(self.line, self.pos) == b' ' {
                self.pos += 1;
            }
            return Some(Ok(field));
        }
        let end = memchr::memchr(b' ', rest).unwrap_or(rest.len());
        let field = head(rest, end);
        self.pos += end + 1;
        Some(Ok(field))
    }
}

/// `-` and the empty string are "not logged".
pub(crate) fn present(field: &[u8]) -> Option<&[u8]> {
    (!field.is_empty() && field != b"-").then_some(field)
}

/// Microseconds from `from` to `to`; `None` if negative or without offsets.
pub(crate) fn between_us(from: Timestamp, to: Timestamp) -> Option<u64> {
    let at = |t: Timestamp| -> Option<i128> {
        Some(i128::from(t.unix_seconds()?) * 1_000_000 + i128::from(t.micros()))
    };
    u64::try_from(at(to)? - at(from)?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_times() {
        let (t, n) = iso8601(b"2018-11-30T22:23:00.186641Z rest").unwrap();
        assert_eq!(n, 27);
        assert_eq!(t.to_string(), "2018-11-30T22:23:00.186641+00:00");
        let (t, _) = iso8601(b"2026-11-25T01:27:19.123456789+01:00").unwrap();
        assert_eq!(t.micros(), 123_456);
        assert_eq!(t.offset_seconds(), Some(3_600));
        assert!(iso8601(b"2026-13-25T01:27:19Z").is_none());
        assert!(iso8601(b"2026-11-25T01:27:1").is_none());
        assert!(iso8601(b"2026-11-25T01:27:19.Z").is_none());
        let (t, _) = iso8601(b"2026-11-25 01:27:19").unwrap();
        assert_eq!(t.offset_seconds(), None);
    }

    #[test]
    fn urls() {
        let u = split_url(b"http://www.example.com:80/a/b?c=1");
        assert_eq!(u.scheme, Some(&b"http"[..]));
        assert_eq!(u.host, Some(&b"www.example.com"[..]));
        assert_eq!(u.port, Some(80));
        assert_eq!(u.target, Some(&b"/a/b?c=1"[..]));
        let u = split_url(b"https://[2001:db8::1]:8443");
        assert_eq!(u.host, Some(&b"[2001:db8::1]"[..]));
        assert_eq!(u.port, Some(8443));
        assert_eq!(u.target, Some(&b"/"[..]));
        assert_eq!(split_url(b"/only?x").target, Some(&b"/only?x"[..]));
        assert_eq!(split_url(b"").target, None);
        assert_eq!(
            split_last_port(b"2001:db8::1:443"),
            (&b"2001:db8::1"[..], Some(443))
        );
        assert_eq!(
            split_last_port(b"10.0.0.1:8080"),
            (&b"10.0.0.1"[..], Some(8080))
        );
        assert_eq!(split_port(b"::1"), (&b"::1"[..], None));
    }

    #[test]
    fn quoted_fields_with_escapes() {
        let mut f = Fields::new(br#"a "b c" "d \" e" - "" z"#);
        let all: Vec<_> = std::iter::from_fn(|| f.next_field()).collect();
        assert_eq!(
            all,
            [
                Ok(&b"a"[..]),
                Ok(&b"b c"[..]),
                Ok(&br#"d \" e"#[..]),
                Ok(&b"-"[..]),
                Ok(&b""[..]),
                Ok(&b"z"[..])
            ]
        );
        let mut cut = Fields::new(br#"a "unclosed"#);
        assert_eq!(cut.next_field(), Some(Ok(&b"a"[..])));
        assert_eq!(cut.next_field(), Some(Err(2)));
        let mut slash = Fields::new(b"\"ends with \\");
        assert_eq!(slash.next_field(), Some(Err(0)));
    }

    #[test]
    fn numbers() {
        assert_eq!(seconds_us(b"0.103"), Some(103_000));
        assert_eq!(seconds_us(b"-1"), None);
        assert_eq!(millis_us(b"+109"), Some(109_000));
        assert_eq!(millis_us(b"-1"), None);
        assert_eq!(
            split_request(b"GET http://h/ HTTP/1.1"),
            (
                Some(&b"GET"[..]),
                Some(&b"http://h/"[..]),
                Some(&b"HTTP/1.1"[..])
            )
        );
        assert_eq!(split_request(b"- http://host:80- -").0, None);
    }
}
