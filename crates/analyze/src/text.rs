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
/// spaces stand before and between them; `None` without a second word. Inline in its two
/// callers (a call was ~140 instructions a failure, the inlined split about half).
#[inline(always)]
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
#[inline]
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

/// The longest method an endpoint keeps, in bytes (a longer one is cut).
const ENDPOINT_METHOD_MAX: usize = 16;
/// The longest path an endpoint keeps, in bytes (a longer one is cut).
const ENDPOINT_PATH_MAX: usize = 200;

/// `METHOD /path` from the method and a target already without its query string.
pub(crate) fn endpoint_from_path(method: &[u8], path: &[u8], buf: &mut Vec<u8>) {
    buf.clear();
    buf.extend_from_slice(&method[..method.len().min(ENDPOINT_METHOD_MAX)]);
    buf.push(b' ');
    buf.extend_from_slice(&path[..path.len().min(ENDPOINT_PATH_MAX)]);
}

/// [`endpoint_from_path`] for a method and path that [`request_parts`] and [`path_of`] took
/// from `request`: when they stand one space apart and neither is cut (nearly every request
/// line), the endpoint is that stretch of the request itself and nothing is copied (the
/// copy was ~85 instructions a failure, two `memcpy` calls); otherwise it is built in
/// `buf`. `method` and `path` must be slices of `request`.
#[inline]
pub(crate) fn endpoint_in<'a>(
    request: &'a [u8],
    method: &[u8],
    path: &[u8],
    buf: &'a mut Vec<u8>,
) -> &'a [u8] {
    // Where the two words start in the request (they are slices of it).
    let base = request.as_ptr() as usize;
    let method_at = (method.as_ptr() as usize).wrapping_sub(base);
    let path_at = (path.as_ptr() as usize).wrapping_sub(base);
    let whole = method.len() <= ENDPOINT_METHOD_MAX
        && path.len() <= ENDPOINT_PATH_MAX
        && method_at.checked_add(method.len() + 1) == Some(path_at);
    let stretch = path_at
        .checked_add(path.len())
        .and_then(|end| request.get(method_at..end));
    match stretch {
        // `whole` makes `path_at` at least 1.
        Some(endpoint) if whole && request.get(path_at - 1) == Some(&b' ') => endpoint,
        _ => endpoint_built(method, path, buf),
    }
}

/// [`endpoint_in`]'s rare case, a call: the endpoint built in `buf`.
#[inline(never)]
fn endpoint_built<'a>(method: &[u8], path: &[u8], buf: &'a mut Vec<u8>) -> &'a [u8] {
    endpoint_from_path(method, path, buf);
    buf
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

    proptest::proptest! {
        /// The endpoint taken from the request itself is the one built by copying, whatever
        /// the spaces, the method's and the path's lengths and the query.
        #[test]
        fn endpoint_in_is_the_built_endpoint(
            lead in 0usize..3,
            method in proptest::collection::vec(proptest::sample::select(&b"GETPOSa\x16"[..]), 0..20),
            gap in 1usize..3,
            path in proptest::collection::vec(proptest::sample::select(&b"/a?b= "[..]), 0..210),
            tail in proptest::option::of(proptest::collection::vec(proptest::sample::select(&b" HTP/1."[..]), 0..12)),
        ) {
            let mut request = vec![b' '; lead];
            request.extend_from_slice(&method);
            request.extend(std::iter::repeat_n(b' ', gap));
            request.extend_from_slice(&path);
            request.extend(tail.unwrap_or_default());
            if let Some((method, target)) = request_parts(&request) {
                let path = path_of(target);
                let mut built = Vec::new();
                endpoint_from_path(method, path, &mut built);
                let mut buf = Vec::new();
                proptest::prop_assert_eq!(endpoint_in(&request, method, path, &mut buf), &built[..]);
            }
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
