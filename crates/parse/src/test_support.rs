//! Helpers shared by the parsers' property tests.

use proptest::sample::Index;

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
