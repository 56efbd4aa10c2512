//! Turning log bytes into report strings: the shared text helpers (escaping, human
//! numbers and durations, from `logscan-text`), stable hashes and request endpoints.

use std::hash::{Hash, Hasher};

pub(crate) use logscan_text::{escape_bytes, human_duration, human_seconds, thousands};

use logscan_parse::word_search;
use rustc_hash::FxHasher;

/// A stable 64-bit hash of bytes (the same in every run and on every machine).
pub fn hash_bytes(bytes: &[u8]) -> u64 {
    let mut h = FxHasher::default();
    bytes.hash(&mut h);
    h.finish()
}

/// Whether two byte strings are equal, compared inline a word at a time up to 32 bytes.
/// The analyzer compares short keys for every failure (a group's upstream and host, a
/// client, most endpoints), and a `memcmp` call cost more than the compare itself.
#[inline]
pub(crate) fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if n > 32 {
        return a == b;
    }
    if n < 8 {
        return a.iter().zip(b).all(|(x, y)| x == y);
    }
    let word = |s: &[u8], at: usize| -> u64 {
        s.get(at..at + 8)
            .and_then(|w| <[u8; 8]>::try_from(w).ok())
            .map_or(0, u64::from_ne_bytes)
    };
    // Whole words from the front, then the last eight bytes (overlapping the words before).
    let mut at = 0;
    while at + 8 < n {
        if word(a, at) != word(b, at) {
            return false;
        }
        at += 8;
    }
    word(a, n - 8) == word(b, n - 8)
}

/// The endpoint of a request line: `METHOD /path` without the query string, cut at 200
/// bytes, written into `buf` (reused to avoid allocation). Returns `false` when the request
/// line has no target.
pub fn endpoint_into(request: &[u8], buf: &mut Vec<u8>) -> bool {
    buf.clear();
    let Some((method, target)) = request_parts(request) else {
        return false;
    };
    endpoint_from_path(method, path_of(target), buf);
    true
}

/// The method and the target of a request line: its first two words, whatever runs of
/// spaces stand before and between them; `None` without a second word.
pub(crate) fn request_parts(request: &[u8]) -> Option<(&[u8], &[u8])> {
    let word = |s: &[u8]| -> Option<(usize, usize)> {
        let start = s.iter().position(|&b| b != b' ')?;
        let len = word_search::find(b' ', s.get(start..)?).unwrap_or(s.len() - start);
        Some((start, start + len))
    };
    let (m_start, m_end) = word(request)?;
    let rest = request.get(m_end..)?;
    let (t_start, t_end) = word(rest)?;
    Some((request.get(m_start..m_end)?, rest.get(t_start..t_end)?))
}

/// A request target without its query string. The `?` is looked for eight bytes at a
/// time: every access line's target is searched (for the edge join's path key), and a byte
/// loop cost ~50 instructions a line.
pub(crate) fn path_of(target: &[u8]) -> &[u8] {
    match word_search::find(b'?', target) {
        Some(q) => &target[..q],
        None => target,
    }
}

/// `METHOD /path` from separate method and target.
pub fn endpoint_from_parts(method: &[u8], target: &[u8], buf: &mut Vec<u8>) {
    endpoint_from_path(method, path_of(target), buf);
}

/// `METHOD /path` from the method and a target already without its query string.
pub(crate) fn endpoint_from_path(method: &[u8], path: &[u8], buf: &mut Vec<u8>) {
    buf.clear();
    buf.extend_from_slice(&method[..method.len().min(16)]);
    buf.push(b' ');
    buf.extend_from_slice(&path[..path.len().min(200)]);
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The inline compare says what `==` says, for every length around the word sizes
        /// and a difference at any place.
        #[test]
        fn same_bytes_is_equality(
            a in proptest::collection::vec(0u8..3, 0..41),
            flip in proptest::option::of(0usize..41),
            longer in proptest::bool::ANY,
        ) {
            let mut b = a.clone();
            if let Some(i) = flip.filter(|&i| i < b.len()) {
                b[i] ^= 1;
            }
            if longer {
                b.push(0);
            }
            proptest::prop_assert_eq!(same_bytes(&a, &b), a == b);
            proptest::prop_assert!(same_bytes(&a, &a));
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
    fn request_parts_are_the_first_two_words() {
        // The words a split on spaces that skips empty pieces gives.
        for request in [
            &b"GET /a?b HTTP/1.1"[..],
            b"  GET   /a  HTTP/1.1",
            b"GET /a",
            b"GET  ",
            b"GET",
            b"",
            b"   ",
            b" GET /x?y=1 ",
            b"\x16\x03 binary",
        ] {
            let mut words = request.split(|&b| b == b' ').filter(|p| !p.is_empty());
            let split = match (words.next(), words.next()) {
                (Some(m), Some(t)) => Some((m, t)),
                _ => None,
            };
            assert_eq!(request_parts(request), split, "{request:?}");
        }
    }
}
