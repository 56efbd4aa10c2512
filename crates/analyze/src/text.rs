//! Turning log bytes into report strings.

use std::hash::{Hash, Hasher};

use rustc_hash::FxHasher;

/// Bytes as a `String`: valid UTF-8 is kept, every byte of an invalid sequence becomes
/// `\xHH`; the result is cut at `max` bytes (on a character boundary, with `...`).
pub fn escape_bytes(bytes: &[u8], max: usize) -> String {
    let mut out = String::new();
    escape_into(&mut out, bytes, max);
    out
}

/// [`escape_bytes`] into `out` (cleared first), reusing its allocation.
pub(crate) fn escape_into(out: &mut String, bytes: &[u8], max: usize) {
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

/// A stable 64-bit hash of bytes (the same in every run and on every machine).
pub fn hash_bytes(bytes: &[u8]) -> u64 {
    let mut h = FxHasher::default();
    bytes.hash(&mut h);
    h.finish()
}

/// The endpoint of a request line: `METHOD /path` without the query string, cut at 200
/// bytes, written into `buf` (reused to avoid allocation). Returns `false` when the request
/// line has no target.
pub fn endpoint_into(request: &[u8], buf: &mut Vec<u8>) -> bool {
    buf.clear();
    let mut parts = request.split(|&b| b == b' ').filter(|p| !p.is_empty());
    let (Some(method), Some(target)) = (parts.next(), parts.next()) else {
        return false;
    };
    endpoint_from_parts(method, target, buf);
    true
}

/// `METHOD /path` from separate method and target.
pub fn endpoint_from_parts(method: &[u8], target: &[u8], buf: &mut Vec<u8>) {
    buf.clear();
    let path = match memchr_q(target) {
        Some(q) => &target[..q],
        None => target,
    };
    buf.extend_from_slice(&method[..method.len().min(16)]);
    buf.push(b' ');
    buf.extend_from_slice(&path[..path.len().min(200)]);
}

fn memchr_q(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == b'?')
}

/// `1234567` → `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// Seconds as a short human duration: `45 s`, `3 min 20 s`, `2 h 5 min`, `3 days`.
pub fn human_duration(seconds: i64) -> String {
    let s = seconds.max(0);
    match s {
        0..=119 => format!("{s} s"),
        120..=3_599 => {
            let (m, r) = (s / 60, s % 60);
            if r == 0 {
                format!("{m} min")
            } else {
                format!("{m} min {r} s")
            }
        }
        3_600..=172_799 => {
            let (h, m) = (s / 3_600, s % 3_600 / 60);
            if m == 0 {
                format!("{h} h")
            } else {
                format!("{h} h {m} min")
            }
        }
        _ => format!("{} days", s / 86_400),
    }
}

/// Seconds (fractional) as `3.0 s`, `250 ms`.
pub fn human_seconds(seconds: f64) -> String {
    if seconds < 1.0 {
        format!("{:.0} ms", seconds * 1_000.0)
    } else if seconds < 100.0 {
        format!("{seconds:.1} s")
    } else {
        format!("{seconds:.0} s")
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
            escape_into(&mut reused, &bytes, max);
            proptest::prop_assert_eq!(&reused, &reference(&bytes, max));
            proptest::prop_assert_eq!(escape_bytes(&bytes, max), reference(&bytes, max));
        }
    }

    #[test]
    fn endpoints_drop_the_query() {
        let mut buf = Vec::new();
        assert!(endpoint_into(b"GET /api/users?id=5 HTTP/1.1", &mut buf));
        assert_eq!(buf, b"GET /api/users");
        assert!(!endpoint_into(b"-", &mut buf));
    }

    #[test]
    fn numbers_and_durations() {
        assert_eq!(thousands(1_204), "1,204");
        assert_eq!(thousands(12), "12");
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(human_duration(20), "20 s");
        assert_eq!(human_duration(200), "3 min 20 s");
        assert_eq!(human_duration(7_200), "2 h");
        assert_eq!(human_seconds(3.004), "3.0 s");
        assert_eq!(human_seconds(0.25), "250 ms");
    }
}
