//! Why a state could not be written or read.

use std::fmt;
use std::io;

use crate::{FORMAT_VERSION, MAX_FILE_BYTES};

/// Why a state could not be written or read. Its text says what is wrong with the file,
/// without the file's name (the caller names it).
#[derive(Debug)]
pub enum StateError {
    /// The file could not be read or written.
    Io(io::Error),
    /// The file is empty.
    Empty,
    /// The file does not start with the magic bytes.
    NotAState,
    /// The file is shorter than its own lengths say.
    Truncated {
        /// Its length.
        len: u64,
        /// The length it should have, when known.
        expected: Option<u64>,
    },
    /// The checksum does not match: bytes were changed after it was written.
    Checksum,
    /// Another format version.
    Version {
        /// The version in the file.
        found: u32,
    },
    /// Larger than [`MAX_FILE_BYTES`].
    TooLarge,
    /// The checksum matched but the content does not read as a state.
    Corrupt(String),
    /// The analyzer cannot be saved as it is (e.g. its zone is `local`).
    Unportable(String),
}

impl fmt::Display for StateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StateError::Io(e) => write!(f, "{}", io_reason(e)),
            StateError::Empty => f.write_str("empty file, not a logscan state"),
            StateError::NotAState => f.write_str(
                "not a logscan state (a state starts with the bytes logscan --save-state writes)",
            ),
            StateError::Truncated {
                len,
                expected: Some(expected),
            } => write!(f, "truncated: {len} of {expected} bytes"),
            StateError::Truncated {
                len,
                expected: None,
            } => write!(f, "truncated: {len} bytes, too short for a state"),
            StateError::Checksum => f.write_str(
                "corrupt: the checksum does not match (bytes changed after it was written)",
            ),
            StateError::Version { found } if *found > FORMAT_VERSION => write!(
                f,
                "state format version {found}, written by a newer logscan; this logscan ({}) reads version {FORMAT_VERSION}",
                env!("CARGO_PKG_VERSION")
            ),
            StateError::Version { found } => write!(
                f,
                "state format version {found}, written by an older logscan; this logscan ({}) reads version {FORMAT_VERSION}: save it again",
                env!("CARGO_PKG_VERSION")
            ),
            StateError::TooLarge => write!(
                f,
                "larger than {} MiB, more than any state logscan writes",
                MAX_FILE_BYTES >> 20
            ),
            StateError::Corrupt(what) => write!(f, "corrupt: {what}"),
            StateError::Unportable(why) => f.write_str(why),
        }
    }
}

impl std::error::Error for StateError {}

impl From<io::Error> for StateError {
    fn from(e: io::Error) -> Self {
        StateError::Io(e)
    }
}

/// The operating system's reason without Rust's " (os error N)".
fn io_reason(e: &io::Error) -> String {
    let text = e.to_string();
    match text.find(" (os error") {
        Some(at) => text[..at].to_owned(),
        None => text,
    }
}
