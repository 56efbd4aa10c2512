//! JSON string values without allocating: borrowed when they hold no escape, else decoded
//! into a buffer the caller reuses. serde_json parses the objects (with `RawValue` fields,
//! which borrow); this only turns one already-validated string or byte array into bytes.

use std::fmt;

use serde::Deserializer;
use serde::de::{DeserializeSeed, SeqAccess, Visitor};
use serde_json::value::RawValue;

/// The bytes of a JSON string token (`"…"`, quotes included) without escapes, borrowed;
/// `None` when it has an escape or is not a string.
pub(crate) fn plain_str(raw: &RawValue) -> Option<&[u8]> {
    let inner = string_body(raw.get().as_bytes())?;
    find_backslash(inner).is_none().then_some(inner)
}

/// Appends the decoded content of a JSON string (the text between its quotes) to `out`,
/// stopping once `out` holds `limit` bytes. The escapes were validated by serde_json; a
/// malformed one (never from serde_json) is copied as it is, a lone surrogate becomes
/// U+FFFD.
pub(crate) fn unescape_into(s: &[u8], out: &mut Vec<u8>, limit: usize) {
    // Decoded JSON is never longer than its text: the text itself is the room, and the
    // bytes before the first escape are already in place.
    let start = out.len();
    let room = limit.saturating_sub(start).min(s.len());
    out.extend_from_slice(&s[..room]);
    let written = unescape_to(s, &mut out[start..]);
    out.truncate(start + written);
}

/// Decodes `s` into `buf`, which starts with the same bytes as `s`, until either ends;
/// the bytes written.
fn unescape_to(s: &[u8], buf: &mut [u8]) -> usize {
    let (mut read, mut written) = (0, 0);
    while written < buf.len() {
        let rest = &s[read..];
        let run = find_backslash(rest).unwrap_or(rest.len());
        let n = run.min(buf.len() - written);
        if written != read {
            buf[written..written + n].copy_from_slice(&rest[..n]);
        }
        written += n;
        read += run;
        if read >= s.len() || written >= buf.len() {
            break;
        }
        let esc = &s[read..];
        let single = match esc.get(1) {
            Some(b'"') => Some(b'"'),
            Some(b'\\') => Some(b'\\'),
            Some(b'/') => Some(b'/'),
            Some(b'b') => Some(0x08),
            Some(b'f') => Some(0x0c),
            Some(b'n') => Some(b'\n'),
            Some(b'r') => Some(b'\r'),
            Some(b't') => Some(b'\t'),
            _ => None,
        };
        if let Some(b) = single {
            buf[written] = b;
            written += 1;
            read += 2;
            continue;
        }
        let unicode = (esc.get(1) == Some(&b'u'))
            .then(|| unicode_escape(esc))
            .flatten();
        let mut bytes = [0u8; 4];
        let used = match unicode {
            Some((c, consumed)) => (c.encode_utf8(&mut bytes).len(), consumed),
            // A backslash before anything else (or at the end), or a `\u` without four hex
            // digits, is kept as it is: so the output is never longer than the input.
            None => {
                let len = esc.len().min(2);
                bytes[..len].copy_from_slice(&esc[..len]);
                (len, len)
            }
        };
        let (len, consumed) = used;
        let n = len.min(buf.len() - written);
        buf[written..written + n].copy_from_slice(&bytes[..n]);
        written += n;
        read += consumed;
    }
    written
}

/// The index of the first `\` in `s`, eight bytes at a time (a log line's escapes are a
/// few dozen bytes apart: too close for `memchr`'s setup to pay, too far for a byte loop).
#[inline]
pub(crate) fn find_backslash(s: &[u8]) -> Option<usize> {
    logscan_parse::word_search::find(b'\\', s)
}

/// The text between the quotes of a JSON string token, `None` if it is not a string.
pub(crate) fn string_body(raw: &[u8]) -> Option<&[u8]> {
    raw.strip_prefix(b"\"")?.strip_suffix(b"\"")
}

/// `\uXXXX` (a surrogate pair as two escapes) at the start of `esc`: the character and the
/// bytes used; a lone surrogate is U+FFFD. `None` without four hex digits (kept as text).
fn unicode_escape(esc: &[u8]) -> Option<(char, usize)> {
    let hex4 = |at: usize| -> Option<u32> {
        let field = esc.get(at..at + 4)?;
        let text = std::str::from_utf8(field).ok()?;
        u32::from_str_radix(text, 16).ok()
    };
    let high = hex4(2)?;
    if (0xD800..0xDC00).contains(&high) {
        if esc.get(6..8) == Some(b"\\u") {
            if let Some(low) = hex4(8).filter(|low| (0xDC00..0xE000).contains(low)) {
                let c = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
                return Some((char::from_u32(c).unwrap_or(char::REPLACEMENT_CHARACTER), 12));
            }
        }
        return Some((char::REPLACEMENT_CHARACTER, 6));
    }
    Some((
        char::from_u32(high).unwrap_or(char::REPLACEMENT_CHARACTER),
        6,
    ))
}

/// Reads a JSON array of numbers 0-255 (journald's form of a value that is not printable
/// UTF-8) into a reused buffer, up to `limit` bytes (the rest is read and dropped).
pub(crate) struct ByteArray<'b> {
    pub(crate) out: &'b mut Vec<u8>,
    pub(crate) limit: usize,
}

impl<'de> DeserializeSeed<'de> for ByteArray<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for ByteArray<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of bytes")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(byte) = seq.next_element::<u8>()? {
            if self.out.len() < self.limit {
                self.out.push(byte);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unescape(raw: &str) -> Vec<u8> {
        let mut out = Vec::new();
        unescape_into(string_body(raw.as_bytes()).unwrap(), &mut out, usize::MAX);
        out
    }

    #[test]
    fn escapes_decode_like_serde_json() {
        for raw in [
            r#""plain""#,
            r#""a \"quoted\" \\ back\/slash \b\f\n\r\t end""#,
            r#""\u003cscript\u003e \u0026 \u2028 \u00e9 \ud83d\ude00""#,
            r#""""#,
        ] {
            let expected: String = serde_json::from_str(raw).unwrap();
            assert_eq!(unescape(raw), expected.as_bytes(), "{raw}");
        }
    }

    #[test]
    fn lone_surrogates_and_junk_do_not_panic() {
        assert_eq!(unescape(r#""\ud800x""#), "\u{fffd}x".as_bytes());
        assert_eq!(unescape(r#""\udc00""#), "\u{fffd}".as_bytes());
        assert_eq!(unescape(r#""\uZZZZ""#), br"\uZZZZ");
        assert_eq!(unescape(r#""\u12""#), br"\u12");
        assert_eq!(unescape(r#""end\""#), b"end\\");
        assert!(string_body(b"[1,2]").is_none());
    }

    #[test]
    fn the_limit_cuts_the_output() {
        let mut out = b"ab".to_vec();
        unescape_into(br#"cd\"ef"#, &mut out, 5);
        assert_eq!(out, b"abcd\"");
    }

    #[test]
    fn plain_strings_borrow() {
        let raw: &RawValue = serde_json::from_str(r#""no escape""#).unwrap();
        assert_eq!(plain_str(raw), Some(&b"no escape"[..]));
        let raw: &RawValue = serde_json::from_str(r#""esc\"""#).unwrap();
        assert_eq!(plain_str(raw), None);
        let raw: &RawValue = serde_json::from_str("12").unwrap();
        assert_eq!(plain_str(raw), None);
    }

    #[test]
    fn byte_arrays() {
        let mut out = Vec::new();
        let mut de = serde_json::Deserializer::from_str("[104, 105, 233, 0]");
        ByteArray {
            out: &mut out,
            limit: 3,
        }
        .deserialize(&mut de)
        .unwrap();
        assert_eq!(out, [104, 105, 233]);
        for bad in ["[256]", "[-1]", "[\"a\"]", "{}", "1.5"] {
            let mut de = serde_json::Deserializer::from_str(bad);
            let seed = ByteArray {
                out: &mut Vec::new(),
                limit: 10,
            };
            assert!(seed.deserialize(&mut de).is_err(), "{bad}");
        }
    }
}
