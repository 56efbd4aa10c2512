//! The decoder on top of `logscan_input`'s line splitter.

use std::io::{self, Read};

use logscan_input::EntryReader;

use crate::{Decoder, Line, Physical};

/// Reads every physical line of `entries` (one line per entry: continuation lines are
/// joined later, among inner lines), decodes it, and gives each inner line to `each`,
/// including at the end the lines whose last piece never came.
///
/// On a read error the lines before it have been given to `each` and the error is
/// returned; the decoder keeps the pieces it holds, and [`Decoder::finish`] returns them.
pub fn read_lines<R: Read>(
    entries: &mut EntryReader<R>,
    decoder: &mut Decoder,
    mut each: impl FnMut(Line<'_>),
) -> io::Result<()> {
    while let Some(entry) = entries.next_entry(&|_| true)? {
        let physical = Physical {
            bytes: entry.bytes,
            number: entry.first_line,
            too_long: entry.too_long,
        };
        if let Some(line) = decoder.decode(physical) {
            each(line);
        }
    }
    while let Some(line) = decoder.finish() {
        each(line);
    }
    Ok(())
}
