//! Helpers shared by the parsers' property tests.

use crate::error::ParseError;
use crate::record::ErrorRecord;
use proptest::sample::Index;

/// A line's record (or its error, as text) as an error-log reader with a fast path reads
/// it: with the fast path (`true`) and without it.
pub(crate) type Readings<'a> = (
    Result<ErrorRecord<'a>, String>,
    Result<ErrorRecord<'a>, String>,
);

/// Reads `line` with `read` (a reader whose last argument turns its fast path on) both
/// ways, each into a fresh record: an equivalence test wants the two the same.
pub(crate) fn both_readings<'a>(
    line: &'a [u8],
    read: impl Fn(&'a [u8], &mut ErrorRecord<'a>, bool) -> Result<(), ParseError>,
) -> Readings<'a> {
    let one = |fast| {
        let mut rec = ErrorRecord::default();
        read(line, &mut rec, fast)
            .map(|()| rec)
            .map_err(|e| e.to_string())
    };
    (one(true), one(false))
}

/// Applies random edits to a real line: `op` 0 overwrites a byte, 1 removes one, 2 inserts
/// `byte`, 3 inserts one of `specials` (the separators the format cares about).
pub(crate) fn mutate(line: &[u8], edits: &[(Index, u8, u8)], specials: &[u8]) -> Vec<u8> {
    let mut line = line.to_vec();
    for (index, byte, op) in edits {
        if line.is_empty() {
            break;
        }
        let i = index.index(line.len());
        match op {
            0 => line[i] = *byte,
            1 => {
                line.remove(i);
            }
            3 if !specials.is_empty() => {
                line.insert(i, specials[usize::from(*byte) % specials.len()])
            }
            _ => line.insert(i, *byte),
        }
    }
    line
}
