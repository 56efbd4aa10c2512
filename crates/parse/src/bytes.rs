//! Small byte-slice helpers for the error-log parsers: bounds-checked slicing (never
//! panics), searching, and number reading. Nothing here allocates.

use memchr::memmem;

/// `s[from..]`, or empty when `from` is past the end.
#[inline]
pub(crate) fn tail(s: &[u8], from: usize) -> &[u8] {
    s.get(from..).unwrap_or_default()
}

/// `s[..to]`, or all of `s` when `to` is past the end.
#[inline]
pub(crate) fn head(s: &[u8], to: usize) -> &[u8] {
    s.get(..to).unwrap_or(s)
}

/// `s[from..to]` with `to` clamped to the end; empty when `from` is past `to` or the end.
#[inline]
pub(crate) fn sub(s: &[u8], from: usize, to: usize) -> &[u8] {
    s.get(from..to.min(s.len())).unwrap_or_default()
}

/// The byte at `i`, or 0.
#[inline]
pub(crate) fn at(s: &[u8], i: usize) -> u8 {
    s.get(i).copied().unwrap_or(0)
}

/// Haystacks up to this length are searched by first byte plus comparison, which beats
/// building a `memmem` searcher for every call.
const SHORT: usize = 256;

/// First occurrence of `needle`.
#[inline]
pub(crate) fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    let Some(&first) = needle.first() else {
        return Some(0);
    };
    if haystack.len() > SHORT {
        return memmem::find(haystack, needle);
    }
    memchr::memchr_iter(first, haystack).find(|&i| tail(haystack, i).starts_with(needle))
}

/// [`find`] for a short text in which few bytes equal the needle's first (an upstream's
/// `://`, a PHP-FPM message's `child `): that byte is looked for eight at a time
/// ([`word_search::find`](crate::word_search::find)) and each hit compared, with no
/// `memchr` set-up, which costs more than such a search.
#[inline]
pub(crate) fn find_near(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    let Some(&first) = needle.first() else {
        return Some(0);
    };
    let mut from = 0;
    while let Some(i) = crate::word_search::find(first, tail(haystack, from)) {
        let at = from + i;
        if tail(haystack, at).starts_with(needle) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// Last occurrence of `needle`.
#[inline]
pub(crate) fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    let Some(&first) = needle.first() else {
        return Some(haystack.len());
    };
    if haystack.len() > SHORT {
        return memmem::rfind(haystack, needle);
    }
    memchr::memrchr_iter(first, haystack).find(|&i| tail(haystack, i).starts_with(needle))
}

/// Splits at the first occurrence of `needle` (the needle is dropped).
#[inline]
pub(crate) fn split_once<'a>(s: &'a [u8], needle: &[u8]) -> Option<(&'a [u8], &'a [u8])> {
    let i = find(s, needle)?;
    Some((head(s, i), tail(s, i + needle.len())))
}

/// The value of the leading ASCII digits of `s` and how many there were (at most 19
/// digits are read, so the value never overflows).
#[inline]
pub(crate) fn leading_u64(s: &[u8]) -> (u64, usize) {
    let mut n: u64 = 0;
    let mut len = 0;
    for &b in s.iter().take(19) {
        if !b.is_ascii_digit() {
            break;
        }
        n = n * 10 + u64::from(b - b'0');
        len += 1;
    }
    (n, len)
}

/// Parses exactly `s` as a decimal number (1-19 digits). Read inline, without
/// [`leading_u64`]'s call: the AH code and the status of every Apache error line go through
/// here, and the call cost ~55 instructions on their few digits.
#[inline]
pub(crate) fn parse_dec(s: &[u8]) -> Option<u64> {
    if s.is_empty() || s.len() > 19 {
        return None;
    }
    s.iter().try_fold(0u64, |n, &b| {
        let digit = b.wrapping_sub(b'0');
        (digit < 10)
            .then_some(n)?
            .checked_mul(10)?
            .checked_add(u64::from(digit))
    })
}

/// Parses exactly `s` as a fixed-width decimal field.
#[inline]
pub(crate) fn fixed_u32(s: &[u8]) -> Option<u32> {
    if s.is_empty() || s.len() > 9 {
        return None;
    }
    parse_dec(s).and_then(|n| u32::try_from(n).ok())
}

/// Parses a signed decimal (`-102`, `111`).
pub(crate) fn parse_signed(s: &[u8]) -> Option<i64> {
    match s.split_first() {
        Some((b'-', rest)) => parse_dec(rest)
            .and_then(|n| i64::try_from(n).ok())
            .map(|n| -n),
        _ => parse_dec(s).and_then(|n| i64::try_from(n).ok()),
    }
}

/// Parses hexadecimal digits (at most 16).
pub(crate) fn parse_hex(s: &[u8]) -> Option<i64> {
    if s.is_empty() || s.len() > 16 {
        return None;
    }
    let mut n: u64 = 0;
    for &b in s {
        let d = match b {
            b'0'..=b'9' => b - b'0',
            b'a'..=b'f' => b - b'a' + 10,
            b'A'..=b'F' => b - b'A' + 10,
            _ => return None,
        };
        n = (n << 4) | u64::from(d);
    }
    i64::try_from(n).ok()
}

/// Whether every byte of `s` is an ASCII digit (and there is at least one).
#[inline]
pub(crate) fn all_digits(s: &[u8]) -> bool {
    !s.is_empty() && s.iter().all(u8::is_ascii_digit)
}

/// `s` without trailing spaces, tabs, CR and LF.
pub(crate) fn trim_end(mut s: &[u8]) -> &[u8] {
    while let [rest @ .., b' ' | b'\t' | b'\r' | b'\n'] = s {
        s = rest;
    }
    s
}

/// `s` without leading spaces.
pub(crate) fn trim_start(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = s {
        s = rest;
    }
    s
}

/// Splits `ip:port` at the last colon when what follows is a port number; IPv6 addresses
/// may be bracketed or not (`::1:58619`). Returns the address and the port.
pub(crate) fn split_port(addr: &[u8]) -> (&[u8], Option<u16>) {
    // A port is at most five digits, so only a colon among the last six bytes can start
    // one: looking there alone (a few compares) gives what the last colon of the whole
    // address would, without a `memrchr` set-up for every client.
    let from = addr.len().saturating_sub(6);
    if let Some(colon) = tail(addr, from)
        .iter()
        .rposition(|&b| b == b':')
        .map(|i| from + i)
    {
        let port = tail(addr, colon + 1);
        if all_digits(port) && port.len() <= 5 {
            if let Some(p) = parse_dec(port).and_then(|p| u16::try_from(p).ok()) {
                return (unbracketed(head(addr, colon)), Some(p));
            }
        }
    }
    (addr, None)
}

/// A host without the brackets of a bracketed IPv6 address (`[::1]`).
#[inline]
pub(crate) fn unbracketed(host: &[u8]) -> &[u8] {
    match host {
        [b'[', inner @ .., b']'] => inner,
        _ => host,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slicing_never_panics() {
        assert_eq!(tail(b"abc", 5), b"");
        assert_eq!(head(b"abc", 5), b"abc");
        assert_eq!(sub(b"abc", 2, 1), b"");
        assert_eq!(sub(b"abc", 1, 9), b"bc");
        assert_eq!(at(b"abc", 3), 0);
    }

    #[test]
    fn searching() {
        let long = [&b"x"[..]; 300].concat();
        for hay in [&b"a, b, c"[..], &long] {
            assert_eq!(find(hay, b", "), memmem::find(hay, b", "));
            assert_eq!(rfind(hay, b", "), memmem::rfind(hay, b", "));
            assert_eq!(find(hay, b"x"), memmem::find(hay, b"x"));
            assert_eq!(rfind(hay, b"x"), memmem::rfind(hay, b"x"));
        }
        assert_eq!(find(b"abc", b""), Some(0));
        assert_eq!(rfind(b"abc", b""), Some(3));
        assert_eq!(find(b"ab", b"abc"), None);
    }

    #[test]
    fn numbers() {
        assert_eq!(leading_u64(b"123abc"), (123, 3));
        assert_eq!(parse_dec(b"12a"), None);
        assert_eq!(parse_signed(b"-102"), Some(-102));
        assert_eq!(parse_hex(b"C0000005"), Some(0xC000_0005));
        assert_eq!(parse_dec(b"99999999999999999999999"), None);
    }

    proptest::proptest! {
        /// `parse_dec` reads what the whole of `s` read by `leading_u64` gives, and
        /// `parse_signed` what it gives after an optional `-`.
        #[test]
        fn parse_dec_reads_like_leading_u64(text in "[0-9]{0,22}|[0-9a :-]{0,6}") {
            let s = text.as_bytes();
            let (n, len) = leading_u64(s);
            let reference = (len > 0 && len == s.len()).then_some(n);
            proptest::prop_assert_eq!(parse_dec(s), reference);
            let signed = match s.split_first() {
                Some((b'-', rest)) => {
                    let (n, len) = leading_u64(rest);
                    (len > 0 && len == rest.len()).then_some(n)
                        .and_then(|n| i64::try_from(n).ok()).map(|n| -n)
                }
                _ => reference.and_then(|n| i64::try_from(n).ok()),
            };
            proptest::prop_assert_eq!(parse_signed(s), signed);
        }
    }

    #[test]
    fn ports() {
        assert_eq!(split_port(b"1.2.3.4:80"), (&b"1.2.3.4"[..], Some(80)));
        assert_eq!(split_port(b"::1:58619"), (&b"::1"[..], Some(58619)));
        assert_eq!(split_port(b"[::1]:8080"), (&b"::1"[..], Some(8080)));
        assert_eq!(split_port(b"1.2.3.4"), (&b"1.2.3.4"[..], None));
        assert_eq!(split_port(b"host:123456"), (&b"host:123456"[..], None));
    }

    proptest::proptest! {
        /// Looking for the port's colon among the last six bytes splits as the last colon
        /// of the whole address does.
        #[test]
        fn split_port_reads_like_the_last_colon(text in "[0-9a-f:.\\[\\]]{0,24}") {
            let addr = text.as_bytes();
            let reference = memchr::memrchr(b':', addr).and_then(|colon| {
                let port = tail(addr, colon + 1);
                (all_digits(port) && port.len() <= 5).then_some(())?;
                let p = parse_dec(port).and_then(|p| u16::try_from(p).ok())?;
                let host = match head(addr, colon) {
                    [b'[', inner @ .., b']'] => inner,
                    host => host,
                };
                Some((host, Some(p)))
            });
            proptest::prop_assert_eq!(split_port(addr), reference.unwrap_or((addr, None)));
        }
    }
}
