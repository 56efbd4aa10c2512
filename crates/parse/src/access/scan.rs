//! Byte-level matching helpers: literal search that respects `\"`, multi-value upstream
//! lists, request lines.

use memchr::{memchr, memchr2, memchr3, memrchr};

/// Whether `hay` starts with `lit`: an inline loop, faster than a `memcmp` call for the
/// few-byte literals of access formats.
#[inline]
pub(super) fn has_prefix(hay: &[u8], lit: &[u8]) -> bool {
    hay.len() >= lit.len() && hay.iter().zip(lit).all(|(a, b)| a == b)
}

/// Position of the first occurrence of `lit` in `hay` at or after `from`.
///
/// A `"` that is escaped (`\"`, preceded by an odd number of backslashes, as Apache and
/// nginx `escape=json` write it) does not count as the start of a literal that begins with
/// `"`. nginx's default escaping writes `\x22` and `\x5C`, so the rule is safe there too.
pub(super) fn find_lit(hay: &[u8], from: usize, lit: &[u8]) -> Option<usize> {
    let (&first, tail) = lit.split_first()?;
    let mut i = from;
    loop {
        let j = i + memchr(first, hay.get(i..)?)?;
        let after = hay.get(j + 1..)?;
        if has_prefix(after, tail) && !(first == b'"' && escaped(hay, j)) {
            return Some(j);
        }
        i = j + 1;
    }
}

/// Whether the byte at `at` is preceded by an odd number of backslashes.
fn escaped(hay: &[u8], at: usize) -> bool {
    let before = hay.get(..at).unwrap_or_default();
    before.iter().rev().take_while(|&&b| b == b'\\').count() % 2 == 1
}

/// Position of the closing `"` of a quoted value whose text starts at `hay[0]`.
pub(super) fn closing_quote(hay: &[u8]) -> Option<usize> {
    find_lit(hay, 0, b"\"")
}

/// Length of a multi-value `$upstream_*` list at the start of `s`: values separated by
/// `, ` (retries) and ` : ` (internal redirects). A value ends at a space, a comma or
/// `stop` (the first byte of what follows the list in the format, when it is a delimiter).
pub(super) fn list_len(s: &[u8], stop: Option<u8>) -> usize {
    let token = |from: usize| -> usize {
        let rest = s.get(from..).unwrap_or_default();
        let end = match stop {
            Some(stop) => memchr3(b' ', b',', stop, rest),
            None => memchr2(b' ', b',', rest),
        };
        from + end.unwrap_or(rest.len())
    };
    let mut pos = token(0);
    loop {
        let rest = s.get(pos..).unwrap_or_default();
        if rest.starts_with(b", ") {
            pos = token(pos + 2);
        } else if rest.starts_with(b" : ") {
            pos = token(pos + 3);
        } else {
            return pos;
        }
    }
}

/// A request line split into method, target and protocol.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct RequestLine<'a> {
    pub(super) method: Option<&'a [u8]>,
    pub(super) target: Option<&'a [u8]>,
    pub(super) protocol: Option<&'a [u8]>,
}

/// Splits `GET /path?q HTTP/1.1`. A line without protocol (`GET /`, HTTP/0.9 style) has no
/// protocol; a line whose first word is not an HTTP token (TLS bytes sent to a plain port,
/// `-`, garbage) yields nothing. A target containing spaces is kept whole: the protocol is
/// the last word, and only if it looks like one (`HTTP/1.1`, `HTTP/2.0`, `RTSP/1.0`).
pub(super) fn split_request(line: &[u8]) -> RequestLine<'_> {
    let Some(sp) = memchr(b' ', line) else {
        return RequestLine::default();
    };
    let (method, rest) = (&line[..sp], &line[sp + 1..]);
    if method.is_empty() || !method.iter().all(|&b| is_tchar(b)) {
        return RequestLine::default();
    }
    let (target, protocol) = match memrchr(b' ', rest) {
        Some(last) if is_protocol(&rest[last + 1..]) => (&rest[..last], Some(&rest[last + 1..])),
        _ => (rest, None),
    };
    RequestLine {
        method: Some(method),
        target: (!target.is_empty()).then_some(target),
        protocol,
    }
}

/// `NAME/digits[.digits]` with an upper-case ASCII name.
fn is_protocol(word: &[u8]) -> bool {
    let Some(slash) = memchr(b'/', word) else {
        return false;
    };
    let (name, version) = (&word[..slash], &word[slash + 1..]);
    !name.is_empty()
        && name.iter().all(u8::is_ascii_uppercase)
        && !version.is_empty()
        && version.iter().all(|&b| b.is_ascii_digit() || b == b'.')
}

/// RFC 9110 token character.
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// The first value of a comma-separated list (`X-Forwarded-For: a, b`), trimmed.
pub(super) fn first_of_list(value: &[u8]) -> &[u8] {
    let first = match memchr(b',', value) {
        Some(comma) => &value[..comma],
        None => value,
    };
    first.trim_ascii()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_search_skips_escaped_quotes() {
        assert_eq!(find_lit(br#"a \" b" c"#, 0, b"\" "), Some(6));
        assert_eq!(find_lit(br#"a \\" b"#, 0, b"\" "), Some(4));
        assert_eq!(find_lit(b"abc", 0, b"\" "), None);
        assert_eq!(find_lit(b"a b c", 2, b" "), Some(3));
        assert_eq!(find_lit(b"a b", 9, b" "), None);
        assert_eq!(find_lit(b"a b", 0, b""), None);
        assert_eq!(closing_quote(br#"x\x22y" z"#), Some(6));
    }

    #[test]
    fn lists() {
        let s = b"10.0.0.1:80, 10.0.0.2:80 : unix:/x 200";
        assert_eq!(list_len(s, None), 34);
        assert_eq!(list_len(b"- 1", None), 1);
        assert_eq!(list_len(b"502, 504\" us", Some(b'"')), 8);
        assert_eq!(list_len(b"", None), 0);
        assert_eq!(list_len(b", ", None), 2);
        assert_eq!(list_len(b"a, ", None), 3);
    }

    #[test]
    fn request_lines() {
        let r = split_request(b"GET /a?b=1 HTTP/1.1");
        assert_eq!(r.method, Some(&b"GET"[..]));
        assert_eq!(r.target, Some(&b"/a?b=1"[..]));
        assert_eq!(r.protocol, Some(&b"HTTP/1.1"[..]));
        let r = split_request(b"GET /a b HTTP/2.0");
        assert_eq!(r.target, Some(&b"/a b"[..]));
        assert_eq!(r.protocol, Some(&b"HTTP/2.0"[..]));
        let r = split_request(b"GET /");
        assert_eq!(r.target, Some(&b"/"[..]));
        assert_eq!(r.protocol, None);
        assert_eq!(
            split_request(b"\\x16\\x03\\x01\\x00 x"),
            RequestLine::default()
        );
        assert_eq!(split_request(b"-"), RequestLine::default());
        let r = split_request(b"GET  HTTP/1.1");
        assert_eq!(r.target, None);
        assert_eq!(r.protocol, Some(&b"HTTP/1.1"[..]));
    }

    #[test]
    fn first_values() {
        assert_eq!(first_of_list(b"1.2.3.4, 10.0.0.1"), b"1.2.3.4");
        assert_eq!(first_of_list(b" 1.2.3.4 "), b"1.2.3.4");
        assert_eq!(first_of_list(b""), b"");
    }
}
