//! Byte-level matching helpers: literal search that respects `\"`, multi-value upstream
//! lists, request lines.

use memchr::{memchr, memchr2, memchr3, memrchr};

use crate::word_search;

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
    if first == b' ' {
        if let Some((&second, rest)) = tail.split_first() {
            return find_after_space(hay, from, second, rest);
        }
    }
    let mut i = from;
    loop {
        let j = i + find_byte(first, hay.get(i..)?)?;
        let after = hay.get(j + 1..)?;
        if has_prefix(after, tail) && !(first == b'"' && escaped(hay, j)) {
            return Some(j);
        }
        i = j + 1;
    }
}

/// [`find_lit`] for a literal of a space, `second` and `rest` (` - `, ` [`, ` "`): spaces
/// are the commonest byte of a line, so each occurrence of the rarer `second` is looked
/// for and the space before it checked. A line that is not of the format (a stack trace
/// line after an nginx error entry, tried as an interleaved access line) has dozens of
/// spaces and seldom the byte after them; the literal's first occurrence is the same.
#[inline]
fn find_after_space(hay: &[u8], from: usize, second: u8, rest: &[u8]) -> Option<usize> {
    let mut i = from.checked_add(1)?;
    loop {
        let at = i + find_byte(second, hay.get(i..)?)?;
        if hay.get(at - 1) == Some(&b' ') && has_prefix(hay.get(at + 1..)?, rest) {
            return Some(at - 1);
        }
        i = at + 1;
    }
}

/// [`find_lit`] from the start of `hay` for a literal that begins with `"` (the end of a
/// quoted value such as a user agent): the first quote, looked for without a call, is
/// nearly always the one; from any other, [`find_lit`] goes on.
#[inline]
pub(super) fn find_quote_lit(hay: &[u8], lit: &[u8]) -> Option<usize> {
    let Some((b'"', tail)) = lit.split_first() else {
        return find_lit(hay, 0, lit);
    };
    let at = find_byte(b'"', hay)?;
    if has_prefix(hay.get(at + 1..)?, tail) && !escaped(hay, at) {
        return Some(at);
    }
    find_lit(hay, at + 1, lit)
}

/// How many bytes [`find_byte`] reads a word at a time before it calls `memchr`.
const SHORT: usize = 16;

/// Position of the first `byte` in `hay`. Most values between the fields of an access line
/// are a few bytes (a status, a time, an address, `-`): testing the first [`SHORT`] bytes
/// eight at a time in a `u64` finds those in fewer instructions than a `memchr` call and
/// its setup, which takes over for the long values (request lines, user agents).
#[inline]
pub(super) fn find_byte(byte: u8, hay: &[u8]) -> Option<usize> {
    let Some(long) = hay.get(SHORT..) else {
        return word_search::find(byte, hay);
    };
    if let Some(at) = word_search::find(byte, &hay[..SHORT]) {
        return Some(at);
    }
    memchr(byte, long).map(|i| SHORT + i)
}

/// Whether the byte at `at` is preceded by an odd number of backslashes.
fn escaped(hay: &[u8], at: usize) -> bool {
    // Nearly always no backslash at all right before it.
    if at == 0 || hay.get(at - 1) != Some(&b'\\') {
        return false;
    }
    let before = hay.get(..at).unwrap_or_default();
    before.iter().rev().take_while(|&&b| b == b'\\').count() % 2 == 1
}

/// Position of the closing `"` of a quoted value whose text starts at `hay[0]`.
pub(super) fn closing_quote(hay: &[u8]) -> Option<usize> {
    find_lit(hay, 0, b"\"")
}

/// [`closing_quote`] for a value that is usually a few bytes (the upstream pairs'
/// `uct="0.001"`): the first quote, looked for inline (without a `memchr` call even past
/// sixteen bytes: an address or a socket path is a few words), unless it is escaped.
#[inline(always)]
pub(super) fn closing_quote_near(hay: &[u8]) -> Option<usize> {
    let end = word_search::find(b'"', hay)?;
    if escaped(hay, end) {
        return closing_quote(hay);
    }
    Some(end)
}

/// Length of a multi-value `$upstream_*` list at the start of `s`: values separated by
/// `, ` (retries) and ` : ` (internal redirects). A value ends at a space, a comma or
/// `stop` (the first byte of what follows the list in the format, when it is a delimiter).
pub(super) fn list_len(s: &[u8], stop: Option<u8>) -> usize {
    let token = |from: usize| -> usize {
        let rest = s.get(from..).unwrap_or_default();
        // A value is a few bytes (`200`, `0.012`, `10.0.0.1:8080`): the first bytes one by
        // one, as in `find_byte`.
        let (head, tail) = rest.split_at(rest.len().min(SHORT));
        let is_end = |b: u8| b == b' ' || b == b',' || Some(b) == stop;
        let end = match head.iter().position(|&b| is_end(b)) {
            Some(i) => Some(i),
            None => match stop {
                Some(stop) => memchr3(b' ', b',', stop, tail),
                None => memchr2(b' ', b',', tail),
            }
            .map(|i| i + SHORT),
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
    let Some(sp) = find_byte(b' ', line) else {
        return RequestLine::default();
    };
    let (method, rest) = (&line[..sp], &line[sp + 1..]);
    if method.is_empty() || !method.iter().all(|&b| is_tchar(b)) {
        return RequestLine::default();
    }
    // Nearly every line ends in ` HTTP/1.1` or ` HTTP/2.0`: look there before searching
    // the whole target backwards for its last space.
    let last_space = match rest.len().checked_sub(9) {
        Some(at) if rest.get(at) == Some(&b' ') && !rest[at + 1..].contains(&b' ') => Some(at),
        _ => memrchr(b' ', rest),
    };
    let (target, protocol) = match last_space {
        Some(last) if is_protocol(&rest[last + 1..]) => (&rest[..last], Some(&rest[last + 1..])),
        _ => (rest, None),
    };
    RequestLine {
        method: Some(method),
        target: (!target.is_empty()).then_some(target),
        protocol,
    }
}

/// The protocols nearly every request line ends in, each as the little-endian `u64` of
/// its eight bytes.
const PLAIN_PROTOCOLS: [u64; 3] = [
    u64::from_le_bytes(*b"HTTP/1.1"),
    u64::from_le_bytes(*b"HTTP/2.0"),
    u64::from_le_bytes(*b"HTTP/1.0"),
];

/// Reads the quoted request line whose text starts at `rest[0]`, when it has the shape
/// nearly every one has: a method of token characters and a space, then text up to the
/// first `"`, which a space follows and no backslash precedes. The request's length (the
/// closing quote's position) and its parts as [`split_request`] gives them, read in the
/// same pass: the method as the search for the quote starts, the protocol from the fixed
/// ending ` HTTP/1.1` (`/1.0`, `/2.0`) when the request has it. `None` for any other shape.
#[inline]
pub(super) fn plain_request(rest: &[u8]) -> Option<(usize, RequestLine<'_>)> {
    // Most requests are `GET `: one compare instead of the walk over the method.
    let method_len = if rest.starts_with(b"GET ") {
        3
    } else {
        rest.iter().take_while(|&&b| is_tchar(b)).count()
    };
    if method_len == 0 || rest.get(method_len) != Some(&b' ') {
        return None;
    }
    let after = rest.get(method_len + 1..)?;
    let end = word_search::find(b'"', after)?;
    // The byte before the quote: the method's space when the target is empty.
    if after.get(end + 1) != Some(&b' ') || rest.get(method_len + end) == Some(&b'\\') {
        return None;
    }
    let request = rest.get(..method_len + 1 + end)?;
    let words = after.get(..end)?;
    let ending = words
        .len()
        .checked_sub(9)
        .and_then(|at| Some((at, words.get(at..)?)));
    let parts = match ending {
        Some((at, [b' ', protocol @ ..]))
            if <[u8; 8]>::try_from(protocol)
                .is_ok_and(|p| PLAIN_PROTOCOLS.contains(&u64::from_le_bytes(p))) =>
        {
            RequestLine {
                method: rest.get(..method_len),
                target: words.get(..at).filter(|target| !target.is_empty()),
                protocol: Some(protocol),
            }
        }
        _ => split_request(request),
    };
    Some((request.len(), parts))
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
#[inline]
fn is_tchar(b: u8) -> bool {
    TCHARS[usize::from(b)]
}

/// The RFC 9110 token characters, one lookup a byte instead of a comparison chain.
const TCHARS: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric()
            || matches!(
                c,
                b'!' | b'#'
                    | b'$'
                    | b'%'
                    | b'&'
                    | b'\''
                    | b'*'
                    | b'+'
                    | b'-'
                    | b'.'
                    | b'^'
                    | b'_'
                    | b'`'
                    | b'|'
                    | b'~'
            );
        b += 1;
    }
    table
};

/// The first value of a comma-separated list (`X-Forwarded-For: a, b`), trimmed.
pub(super) fn first_of_list(value: &[u8]) -> &[u8] {
    let first = match memchr(b',', value) {
        Some(comma) => &value[..comma],
        None => value,
    };
    first.trim_ascii()
}

/// What a loosely written client field holds: the client address, and a virtual host
/// logged in front of it.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct ClientPrefix<'a> {
    pub(super) client: &'a [u8],
    pub(super) host: Option<&'a [u8]>,
}

/// Whether `word` is an IPv4 or IPv6 address outside the private, loopback, link-local,
/// shared (CGNAT) and unspecified ranges.
pub(super) fn is_public_ip(word: &[u8]) -> bool {
    let word = word
        .strip_prefix(b"[")
        .and_then(|w| w.strip_suffix(b"]"))
        .unwrap_or(word);
    let Some(ip) = std::str::from_utf8(word)
        .ok()
        .and_then(|w| w.parse::<std::net::IpAddr>().ok())
    else {
        return false;
    };
    match ip {
        std::net::IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || (a == 100 && (64..128).contains(&b)))
        }
        std::net::IpAddr::V6(v6) => {
            let [first, ..] = v6.segments();
            !(v6.is_loopback()
                || v6.is_unspecified()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80)
        }
    }
}

/// Reads the field before ` - ` in formats that log more than `$remote_addr` there, as
/// many sites do: an X-Forwarded-For list (`10.0.0.2, 10.0.0.1, 81.2.69.143`, quoted or
/// not, with `$remote_addr` after it) and a leading virtual host (`example.com
/// 10.0.0.2`). The client is the first public address of the list, else its first
/// entry: private and loopback addresses in front are the visitor's own network or
/// proxies. `None` when the field holds anything but addresses and names.
pub(super) fn client_prefix(value: &[u8]) -> Option<ClientPrefix<'_>> {
    const MAX_WORDS: usize = 16;
    if value.is_empty()
        || !value
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b" ,\".-_:[]%".contains(&b))
    {
        return None;
    }
    let is_sep = |b: &u8| matches!(b, b' ' | b',' | b'"');
    let mut words = value.split(is_sep).filter(|w| !w.is_empty());
    let first = words.next()?;
    // A first word followed by plain spaces (no list comma, no quote) and more words is a
    // virtual host.
    let start = value.iter().position(|b| !is_sep(b)).unwrap_or(0);
    let gap = value
        .get(start + first.len()..)
        .unwrap_or_default()
        .iter()
        .take_while(|b| is_sep(b));
    let plain_gap = gap.clone().all(|&b| b == b' ') && gap.count() > 0;
    let host_first = start == 0 && plain_gap && words.clone().next().is_some();
    let (host, mut list) = if host_first {
        (Some(first), None)
    } else {
        (None, Some(first))
    };
    let mut count = 1;
    let mut public = list.filter(|w| is_public_ip(w));
    for word in words {
        count += 1;
        if count > MAX_WORDS {
            return None;
        }
        list.get_or_insert(word);
        if public.is_none() && is_public_ip(word) {
            public = Some(word);
        }
    }
    Some(ClientPrefix {
        client: public.or(list)?,
        host,
    })
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
    fn loose_client_fields() {
        let read = |v: &str| {
            client_prefix(v.as_bytes()).map(|p| {
                (
                    String::from_utf8_lossy(p.client).into_owned(),
                    p.host.map(|h| String::from_utf8_lossy(h).into_owned()),
                )
            })
        };
        let c =
            |client: &str, host: Option<&str>| Some((client.to_owned(), host.map(str::to_owned)));
        // Forwarded-for lists: the first public address, else the first.
        assert_eq!(read("10.0.0.2, 10.0.0.1, 127.0.0.1"), c("10.0.0.2", None));
        assert_eq!(
            read("10.0.0.2, 10.0.0.1, 81.2.69.143"),
            c("81.2.69.143", None)
        );
        assert_eq!(
            read(r#""10.5.102.222, 175.16.199.1, 204.246.1.1" 10.2.1.185"#),
            c("175.16.199.1", None)
        );
        assert_eq!(
            read("2a02:cf40:10ff:f00f:0000:0000:0:8000, 10.225.192.17 10.2.2.121"),
            c("2a02:cf40:10ff:f00f:0000:0000:0:8000", None)
        );
        assert_eq!(read("localhost, localhost"), c("localhost", None));
        assert_eq!(
            read("100.64.0.1, 8.8.8.8"),
            c("8.8.8.8", None),
            "CGNAT is not public"
        );
        assert_eq!(read("fd00::1, [2001:db8::1]"), c("[2001:db8::1]", None));
        // A virtual host in front.
        assert_eq!(
            read("example.com 172.17.0.1"),
            c("172.17.0.1", Some("example.com"))
        );
        assert_eq!(
            read("example.com 10.0.0.2, 10.0.0.1, 81.2.69.143"),
            c("81.2.69.143", Some("example.com"))
        );
        assert_eq!(read("shop:443 ::1"), c("::1", Some("shop:443")));
        // Anything else is not a client field.
        assert_eq!(read("GET /x"), None);
        assert_eq!(read("a=b c"), None);
        assert_eq!(read(""), None);
        assert_eq!(read(&"a ".repeat(17)), None, "too many words");
        assert!(is_public_ip(b"81.2.69.143"));
        assert!(!is_public_ip(b"192.168.1.1"));
        assert!(!is_public_ip(b"fe80::1"));
        assert!(!is_public_ip(b"example.com"));
    }

    #[test]
    fn bytes_found_before_and_after_the_short_head() {
        for len in [0usize, 1, 15, 16, 17, 40] {
            for at in 0..len {
                let mut hay = vec![b'a'; len];
                hay[at] = b'"';
                if at + 1 < len {
                    hay[len - 1] = b'"';
                }
                assert_eq!(find_byte(b'"', &hay), Some(at), "{len} {at}");
            }
            assert_eq!(find_byte(b'"', &vec![b'a'; len]), None);
        }
        let long = [&[b'x'; 20][..], br#"\" y" z"#].concat();
        assert_eq!(find_lit(&long, 0, b"\" "), Some(24));
        assert_eq!(
            list_len(b"10.0.0.1:8080, 10.0.0.2:8080 : unix:/run/php.sock x", None),
            49
        );
        assert_eq!(list_len(&[b'1'; 30], None), 30);
        assert_eq!(list_len(b"0.0012345678901234567]x", Some(b']')), 21);
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
        // The ending looked at first, and the search it falls back to.
        let r = split_request(b"GET /a HTTP/1.1");
        assert_eq!(r.target, Some(&b"/a"[..]));
        assert_eq!(r.protocol, Some(&b"HTTP/1.1"[..]));
        let r = split_request(b"GET /a HTTP/1.1 x");
        assert_eq!(r.target, Some(&b"/a HTTP/1.1 x"[..]));
        assert_eq!(r.protocol, None);
        let r = split_request(b"GET /a b c HTTP/2");
        assert_eq!(r.target, Some(&b"/a b c"[..]));
        assert_eq!(r.protocol, Some(&b"HTTP/2"[..]));
        let r = split_request(b"GET /xyz RTSP/1.10");
        assert_eq!(r.target, Some(&b"/xyz"[..]));
        assert_eq!(r.protocol, Some(&b"RTSP/1.10"[..]));
        let r = split_request(b"GET  HTTP/1.1");
        assert_eq!(r.target, None);
        assert_eq!(r.protocol, Some(&b"HTTP/1.1"[..]));
    }

    /// What [`plain_request`] must give when it reads a request: the closing quote
    /// `find_lit` finds and the parts `split_request` gives.
    fn check_plain_request(rest: &[u8]) -> Option<usize> {
        let (len, parts) = plain_request(rest)?;
        assert_eq!(find_lit(rest, 0, b"\" "), Some(len), "{rest:?}");
        assert_eq!(split_request(&rest[..len]), parts, "{rest:?}");
        Some(len)
    }

    #[test]
    fn plain_requests() {
        let taken: [&[u8]; 8] = [
            b"GET /a?b=1 HTTP/1.1\" 200",
            b"POST /x HTTP/2.0\" ",
            b"HEAD / HTTP/1.0\" ",
            b"GET /a b HTTP/1.1\" ",
            b"GET  HTTP/1.1\" ",
            b"GET HTTP/1.1\" ",
            b"GET /x HTTP/2\" ",
            b"GET /x HTTP/1.1 x\" ",
        ];
        for rest in taken {
            assert!(check_plain_request(rest).is_some(), "{rest:?}");
        }
        let refused: [&[u8]; 8] = [
            b"-\" ",
            b"\" ",
            b" GET / HTTP/1.1\" ",
            b"GET\" ",
            b"GET /a\\\" b HTTP/1.1\" ",
            b"GET /a\"b HTTP/1.1\" ",
            b"GET /a HTTP/1.1",
            b"G\xffT /a HTTP/1.1\" ",
        ];
        for rest in refused {
            assert_eq!(plain_request(rest), None, "{rest:?}");
        }
    }

    /// Endings of the random requests: the fixed protocols, one with a space before the
    /// quote, none.
    const REQUEST_ENDINGS: [&[u8]; 5] = [
        b"",
        b" HTTP/1.1\" ",
        b" HTTP/2.0\" 200",
        b" HTTP/1.0\"",
        b" HTTP/1.1 \" ",
    ];

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2_000))]
        /// On any bytes, a request [`plain_request`] takes is the one the searches find.
        #[test]
        fn plain_requests_read_as_the_searches_do(
            text in proptest::collection::vec(
                proptest::sample::select(&b"GET /aHTP12.0 \"\\\t-"[..]), 0..40),
            ending in proptest::sample::select(&REQUEST_ENDINGS[..]),
        ) {
            let rest = [&text[..], ending].concat();
            check_plain_request(&rest);
        }
    }

    /// The literals of the built-in formats and of users' ones: led by a space (searched
    /// by the byte after it), by a quote (escapes apply), by anything else.
    const LITERALS: [&[u8]; 10] = [
        b" - ", b" [", b" \"", b"\" ", b"\" \"", b"] \"", b" ", b"\"", b"  ", b"- ",
    ];

    /// The first occurrence of `lit` at or after `from`, a quote that `\` escapes not
    /// starting one: [`find_lit`]'s contract, written as plainly as it reads.
    fn first_occurrence(hay: &[u8], from: usize, lit: &[u8]) -> Option<usize> {
        if lit.is_empty() {
            return None;
        }
        (from..hay.len())
            .find(|&at| hay[at..].starts_with(lit) && !(lit[0] == b'"' && escaped(hay, at)))
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4_000))]
        /// Searching from the byte after a space finds what a search from every position
        /// does, on lines made of the bytes around the literals.
        #[test]
        fn literal_search_finds_the_first_occurrence(
            hay in proptest::collection::vec(
                proptest::sample::select(&b"  -[]\"\\xa"[..]), 0..70),
            from in 0usize..80,
            lit in proptest::sample::select(&LITERALS[..]),
        ) {
            proptest::prop_assert_eq!(find_lit(&hay, from, lit), first_occurrence(&hay, from, lit));
        }
    }

    #[test]
    fn first_values() {
        assert_eq!(first_of_list(b"1.2.3.4, 10.0.0.1"), b"1.2.3.4");
        assert_eq!(first_of_list(b" 1.2.3.4 "), b"1.2.3.4");
        assert_eq!(first_of_list(b""), b"");
    }
}
