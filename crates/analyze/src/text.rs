//! Turning log bytes into report strings: the shared text helpers (escaping, human
//! numbers and durations, from `logscan-text`), stable hashes and request endpoints.

use std::hash::{Hash, Hasher};

pub(crate) use logscan_text::{escape_bytes, human_duration, human_seconds, thousands};

use rustc_hash::FxHasher;

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
        let len = position_of(s.get(start..)?, b' ').unwrap_or(s.len() - start);
        Some((start, start + len))
    };
    let (m_start, m_end) = word(request)?;
    let rest = request.get(m_end..)?;
    let (t_start, t_end) = word(rest)?;
    Some((request.get(m_start..m_end)?, rest.get(t_start..t_end)?))
}

/// A request target without its query string.
pub(crate) fn path_of(target: &[u8]) -> &[u8] {
    match memchr_q(target) {
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

/// Where the first `?` is. Eight bytes at a time: every access line's target is searched
/// (for the edge join's path key), and a byte loop cost ~50 instructions a line.
fn memchr_q(bytes: &[u8]) -> Option<usize> {
    position_of(bytes, b'?')
}

/// The first `needle` in `bytes`, read eight bytes at a time: request targets are tens of
/// bytes, too short for `memchr`'s set-up to pay and long enough that a byte loop cost
/// ~200 instructions a failure. The lowest flagged byte of a word is exact (a borrow only
/// flags bytes above a match).
fn position_of(bytes: &[u8], needle: u8) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let pattern = ONES * u64::from(needle);
    let mut words = bytes.chunks_exact(8);
    let mut at = 0;
    for word in words.by_ref() {
        let mut w = [0u8; 8];
        w.copy_from_slice(word);
        let x = u64::from_le_bytes(w) ^ pattern;
        let found = x.wrapping_sub(ONES) & !x & HIGHS;
        if found != 0 {
            return Some(at + (found.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    words
        .remainder()
        .iter()
        .position(|&b| b == needle)
        .map(|i| at + i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_drop_the_query() {
        let mut buf = Vec::new();
        assert!(endpoint_into(b"GET /api/users?id=5 HTTP/1.1", &mut buf));
        assert_eq!(buf, b"GET /api/users");
        assert!(!endpoint_into(b"-", &mut buf));
    }

    proptest::proptest! {
        #[test]
        fn position_of_is_a_byte_search(
            bytes in proptest::collection::vec(
                // `?`'s neighbours (0x3e, 0x40) and bytes whose high bit or borrow
                // could flag a byte wrongly.
                proptest::sample::select(vec![
                    b' ', b'?', b'a', b'/', 0, 0x3e, 0x40, 0x80, 0xbf, 0xff, 0x7f, 0x1f,
                ]),
                0..40,
            ),
            needle in proptest::sample::select(vec![b' ', b'?']),
        ) {
            proptest::prop_assert_eq!(
                position_of(&bytes, needle),
                bytes.iter().position(|&b| b == needle)
            );
        }
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
