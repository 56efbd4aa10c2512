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
}
