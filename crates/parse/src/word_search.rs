//! Byte search eight bytes at a time in a `u64` (SWAR), for the short fields of a log line.
//!
//! The values between the separators of a log line are a few to a few dozen bytes: an
//! address, a status, a request target, an escape-free run of JSON text. For those,
//! `memchr`'s set-up costs more than the search, and a byte loop costs a compare and a
//! branch a byte. Reading a word at a time tests eight bytes in a handful of instructions
//! and needs no set-up, so the parsers and the analyzer use these on their per-line paths
//! (and `memchr` for values that can be long).
//!
//! ```
//! use logscan_parse::word_search;
//!
//! let target = b"/api/users/42?expand=roles";
//! assert_eq!(word_search::find(b'?', target), Some(13));
//! // The first of several bytes: where a client address ends in a forwarded-for list.
//! assert_eq!(word_search::find_any([b' ', b',', b'"'], b"10.0.0.7, 10.0.0.9"), Some(8));
//! assert_eq!(word_search::find_any([b',', b' '], b"10.0.0.7:9000"), None);
//! ```

/// A byte of ones in every lane.
const ONES: u64 = 0x0101_0101_0101_0101;
/// The high bit of every lane.
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `word` that equals `byte`, and possibly of bytes above
/// such a byte: a zero byte of `word ^ byte…` is a match, and the borrow of the
/// subtraction can only flag bytes above a real zero, so the lowest flag is always the
/// first match (which is all [`find_any`] reads).
#[inline(always)]
fn matches(byte: u8, word: u64) -> u64 {
    let x = word ^ ONES.wrapping_mul(u64::from(byte));
    x.wrapping_sub(ONES) & !x & HIGHS
}

/// The first of the `needles` in `hay`, eight bytes at a time to the end.
///
/// `needles` is an array so that the compiler unrolls the test of each word; one to three
/// needles is the intended use (each adds a few instructions a word).
#[inline(always)]
pub fn find_any<const N: usize>(needles: [u8; N], hay: &[u8]) -> Option<usize> {
    let mut words = hay.chunks_exact(8);
    let mut at = 0;
    for chunk in words.by_ref() {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(chunk);
        let word = u64::from_le_bytes(bytes);
        let flags = needles.iter().fold(0, |acc, &n| acc | matches(n, word));
        if flags != 0 {
            return Some(at + (flags.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    words
        .remainder()
        .iter()
        .position(|b| needles.contains(b))
        .map(|i| at + i)
}

/// The first `needle` in `hay`, eight bytes at a time to the end: [`find_any`] with one
/// needle.
#[inline(always)]
pub fn find(needle: u8, hay: &[u8]) -> Option<usize> {
    find_any([needle], hay)
}

/// [`find`], two words (sixteen bytes) a step: one branch and one count for both, which
/// for values of a few dozen bytes (a request line, an upstream URL) costs about a fifth
/// less than a step a word. The rest (under sixteen bytes) is read as [`find`] reads it.
#[inline(always)]
pub fn find_wide(needle: u8, hay: &[u8]) -> Option<usize> {
    let mut pairs = hay.chunks_exact(16);
    let mut at = 0;
    for pair in pairs.by_ref() {
        let word_match =
            |word: Option<&[u8; 8]>| word.map_or(0, |w| matches(needle, u64::from_le_bytes(*w)));
        let low = word_match(pair.first_chunk::<8>());
        let high = word_match(pair.last_chunk::<8>());
        // Each word's flags are its own (no borrow crosses into the other), so a word
        // with a flag holds a match.
        if low | high != 0 {
            let lane = if low != 0 {
                low.trailing_zeros() / 8
            } else {
                8 + high.trailing_zeros() / 8
            };
            return Some(at + lane as usize);
        }
        at += 16;
    }
    find(needle, pairs.remainder()).map(|i| at + i)
}

/// Whether any of the `needles` is in `hay` ([`find_any`]`(..).is_some()`), eight bytes
/// at a time to the end: the bytes after the last whole word are read as one more word,
/// which overlaps the one before, instead of one by one (an address of 14 bytes is two
/// words, not a word and six bytes).
#[inline(always)]
pub fn contains_any<const N: usize>(needles: [u8; N], hay: &[u8]) -> bool {
    let Some(last) = hay.len().checked_sub(8) else {
        return hay.iter().any(|b| needles.contains(b));
    };
    // A flag is only ever set in a word that holds a needle (see `matches`).
    let any_at = |at: usize| {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(&hay[at..at + 8]);
        let word = u64::from_le_bytes(bytes);
        needles.iter().fold(0, |acc, &n| acc | matches(n, word)) != 0
    };
    let mut at = 0;
    while at < last {
        if any_at(at) {
            return true;
        }
        at += 8;
    }
    any_at(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bytes next to the needles and bytes whose high bit or borrow could flag a lane
    /// wrongly.
    fn alphabet() -> Vec<u8> {
        vec![
            0, 1, b' ', b'!', b',', b'-', b'"', b'#', b'?', b'>', b'@', b'\\', b']', b'[', b'a',
            0x1f, 0x7f, 0x80, 0x81, 0xa0, 0xac, 0xbf, 0xdc, 0xff,
        ]
    }

    #[test]
    fn every_position_of_every_length() {
        for len in 0..40 {
            for at in 0..len {
                let mut hay = vec![b'a'; len];
                hay[at] = b'?';
                assert_eq!(find(b'?', &hay), Some(at), "{len} {at}");
                assert_eq!(find_wide(b'?', &hay), Some(at), "{len} {at}");
                assert_eq!(find_any([b' ', b'?'], &hay), Some(at), "{len} {at}");
                assert!(contains_any([b' ', b'?'], &hay), "{len} {at}");
            }
            assert!(!contains_any([b'?'], &vec![b'?' ^ 0x80; len]), "{len}");
            assert!(!contains_any([b'?', b'!'], &vec![b'?' + 1; len]), "{len}");
            assert_eq!(find(b'?', &vec![b'?' ^ 0x80; len]), None);
            assert_eq!(find(b'?', &vec![b'?' + 1; len]), None);
            assert_eq!(find(b'?', &vec![b'?' - 1; len]), None);
        }
    }

    proptest::proptest! {
        #[test]
        fn is_the_first_byte_a_loop_finds(
            hay in proptest::collection::vec(proptest::sample::select(alphabet()), 0..48),
            a in proptest::sample::select(alphabet()),
            b in proptest::sample::select(alphabet()),
            c in proptest::sample::select(alphabet()),
        ) {
            let first_of = |set: &[u8]| hay.iter().position(|x| set.contains(x));
            proptest::prop_assert_eq!(find(a, &hay), first_of(&[a]));
            proptest::prop_assert_eq!(find_wide(a, &hay), first_of(&[a]));
            proptest::prop_assert_eq!(find_any([a, b], &hay), first_of(&[a, b]));
            proptest::prop_assert_eq!(find_any([a, b, c], &hay), first_of(&[a, b, c]));
            proptest::prop_assert_eq!(contains_any([a], &hay), first_of(&[a]).is_some());
            proptest::prop_assert_eq!(contains_any([a, b], &hay), first_of(&[a, b]).is_some());
        }
    }
}
