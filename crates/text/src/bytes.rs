//! Log bytes as report strings.

/// Bytes as a `String`: valid UTF-8 is kept as it is (control characters included: make
/// the result safe for where it goes with [`terminal`](crate::terminal) or an escaper built
/// on [`write_visible`](crate::write_visible)), every byte of an invalid sequence becomes
/// `\xHH`; the result is cut at `max` bytes (on a character boundary, with `...` added).
///
/// ```
/// use logscan_text::escape_bytes;
///
/// assert_eq!(escape_bytes(b"GET /caf\xc3\xa9", 100), "GET /café");
/// assert_eq!(escape_bytes(b"bad \xff\xfe end", 100), "bad \\xff\\xfe end");
/// assert_eq!(escape_bytes(b"abcdefgh", 4), "abcd...");
/// ```
pub fn escape_bytes(bytes: &[u8], max: usize) -> String {
    let mut out = String::new();
    escape_bytes_into(&mut out, bytes, max);
    out
}

/// [`escape_bytes`] into `out` (cleared first), reusing its allocation: for loops that
/// escape one line after another.
pub fn escape_bytes_into(out: &mut String, bytes: &[u8], max: usize) {
    out.clear();
    // Fast path: the whole text fits and is valid UTF-8 (validated a word at a time).
    if bytes.len() <= max {
        if let Ok(text) = std::str::from_utf8(bytes) {
            out.push_str(text);
            return;
        }
    }
    out.reserve(bytes.len().min(max) + 4);
    for chunk in bytes.utf8_chunks() {
        if out.len() + chunk.valid().len() <= max {
            out.push_str(chunk.valid());
        } else {
            for ch in chunk.valid().chars() {
                if out.len() + ch.len_utf8() > max {
                    out.push_str("...");
                    return;
                }
                out.push(ch);
            }
        }
        for &b in chunk.invalid() {
            if out.len() + 4 > max {
                out.push_str("...");
                return;
            }
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.push_str("\\x");
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_invalid_utf8_and_cuts() {
        assert_eq!(escape_bytes(b"GET /caf\xc3\xa9", 100), "GET /café");
        assert_eq!(escape_bytes(b"bad \xff\xfe end", 100), "bad \\xff\\xfe end");
        assert_eq!(escape_bytes(b"abcdefgh", 4), "abcd...");
        // A truncated UTF-8 sequence at the end, and an overlong encoding of '/'.
        assert_eq!(escape_bytes(b"caf\xc3", 100), "caf\\xc3");
        assert_eq!(escape_bytes(b"\xc0\xaf", 100), "\\xc0\\xaf");
        // A cut never splits a character or an escape.
        assert_eq!(escape_bytes("é".as_bytes(), 1), "...");
        assert_eq!(escape_bytes(b"a\xff", 4), "a...");
        assert_eq!(escape_bytes(b"", 0), "");
    }

    /// The straightforward char-by-char escape the fast paths must agree with.
    fn reference(bytes: &[u8], max: usize) -> String {
        let mut out = String::new();
        for chunk in bytes.utf8_chunks() {
            for ch in chunk.valid().chars() {
                if out.len() + ch.len_utf8() > max {
                    out.push_str("...");
                    return out;
                }
                out.push(ch);
            }
            for b in chunk.invalid() {
                if out.len() + 4 > max {
                    out.push_str("...");
                    return out;
                }
                out.push_str(&format!("\\x{b:02x}"));
            }
        }
        out
    }

    proptest::proptest! {
        #[test]
        fn fast_escape_matches_reference(
            bytes in proptest::collection::vec(proptest::prop_oneof![
                proptest::prelude::any::<u8>(),
                proptest::prelude::Just(b'a'),
                proptest::prelude::Just(0xc3u8),
                proptest::prelude::Just(0xa9u8),
            ], 0..40),
            max in 0usize..48,
        ) {
            let mut reused = String::from("old text");
            escape_bytes_into(&mut reused, &bytes, max);
            proptest::prop_assert_eq!(&reused, &reference(&bytes, max));
            proptest::prop_assert_eq!(escape_bytes(&bytes, max), reference(&bytes, max));
        }
    }
}
