//! # logscan-input
//!
//! Turns what the user names — files, directories, glob patterns, `-` for stdin — into
//! framed log entries, knowing nothing about log formats:
//!
//! 1. [`discover`] lists the inputs: directories searched for log files (rotated and
//!    compressed ones included, in time order), patterns expanded, problems collected.
//! 2. [`open`] opens one, decompressing gzip, zstd, bzip2 or xz by magic bytes.
//! 3. [`EntryReader`] (from `logscan-parse`, re-exported) splits it into physical lines
//!    over one reused buffer and joins continuation lines into entries, with a callback that
//!    says which lines start an entry (`Parser::starts_entry`). Over-long lines are counted
//!    and skipped, never buffered whole.
//! 4. For a large plain file, [`plan_chunks`] and [`read_chunk`] split it at entry starts so
//!    chunks can be read in parallel.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use std::io::Write;
//! use logscan_input::{discover, open, EntryReader, ReaderConfig};
//!
//! let dir = tempfile::tempdir()?;
//! std::fs::write(
//!     dir.path().join("error.log"),
//!     "2024/05/01 14:02:11 [error] 7#7: *1 upstream timed out\n\
//!      2024/05/01 14:02:12 [error] 7#7: *2 FastCGI sent in stderr: \"PHP message: boom\n\
//!      #0 /var/www/index.php(3): f()\n\
//!      #1 {main}\" while reading response header from upstream\n",
//! )?;
//! let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
//! gz.write_all(b"2024/04/30 23:59:59 [error] 7#7: *0 connect() failed\n")?;
//! std::fs::write(dir.path().join("error.log.1.gz"), gz.finish()?)?;
//! std::fs::write(dir.path().join("nginx.conf"), "events {}\n")?;
//!
//! // nginx error entries start with a date; other lines continue the entry before them.
//! let starts_entry = |line: &[u8]| line.len() >= 4 && line[..4].iter().all(u8::is_ascii_digit);
//!
//! let found = discover(&[dir.path().to_path_buf()]);
//! assert!(found.problems.is_empty());
//! let mut seen = Vec::new();
//! for input in &found.inputs {
//!     let opened = open(input, None)?;
//!     let mut reader = EntryReader::new(opened.reader, ReaderConfig::default());
//!     while let Some(entry) = reader.next_entry(&starts_entry)? {
//!         let name = input.display.rsplit('/').next().unwrap_or_default();
//!         seen.push((name.to_string(), entry.first_line, entry.lines));
//!     }
//! }
//! assert_eq!(seen, [
//!     ("error.log.1.gz".to_string(), 1, 1), // the older file first
//!     ("error.log".to_string(), 1, 1),
//!     ("error.log".to_string(), 2, 3),      // a PHP stack trace joined to its line
//! ]);
//! # Ok(()) }
//! ```
//!
//! Everything here only reads: inputs are opened read-only and nothing is written anywhere.
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod chunk;
mod discover;
mod error;
mod open;
mod split;

pub use chunk::{Chunk, plan_chunks, read_chunk};
pub use discover::{
    Discovery, Input, Source, default_locations, discover, discovery_order, is_rotated_name,
};
pub use error::InputError;
/// The entry framing, from `logscan-parse` (where embedders that read a byte stream of
/// their own find it too), re-exported so that everything a file needs is here.
pub use logscan_parse::frame::{Entry, EntryReader, ReaderConfig};
pub use open::{
    Compression, Opened, Progress, decompressed_at_least, open, open_inline, sniff_compression,
};
pub use split::{
    StartsEntry, StreamAhead, StreamChunk, StreamChunkReader, release_stream_blocks, split_stream,
    split_stream_narrow,
};
