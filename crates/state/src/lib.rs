//! # logscan-state
//!
//! A **state file** is one logscan run's analysis saved instead of a report, so that the
//! runs of a fleet of web servers, or of a year of archives cut into slices on many
//! machines, reduce to one report: `logscan --save-state FILE [PATH]...` on each, then
//! `logscan merge STATE...` once.
//!
//! A state holds the analyzer (counts, timelines, bounded samples and top-k summaries: a few
//! MB however many lines were read), the settings that must agree for two states to merge
//! (zone, window, since, until), the logscan version that wrote it and a format version.
//! [`decode`] trusts nothing it reads: it checks the magic bytes, the format version, the
//! lengths against the file, a CRC-32 over everything, and limits every allocation before
//! making it. [`merge`] puts the states in an order of their own (so the command-line order
//! does not matter), refuses those whose settings disagree with the rest, and appends the
//! others, renumbering their inputs.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use logscan_analyze::{Analyzer, Config, InputInfo, Origin};
//! use logscan_parse::{Format, Parser};
//!
//! // One machine's run: its error log, labelled with the host name.
//! fn run(host: &str, line: &str) -> Analyzer {
//!     let mut analyzer = Analyzer::new(Config::default());
//!     analyzer.add_input(0, InputInfo::new("/var/log/nginx/error.log", Format::NginxError, "/var/log/nginx"));
//!     let origin = Origin { input: 0, chunk: 0, line: 1, lines: 1, text: line.as_bytes() };
//!     if let Ok(record) = Parser::nginx_error().parse(line.as_bytes()) {
//!         analyzer.observe(&record, &origin);
//!     }
//!     analyzer.label_inputs(host);
//!     analyzer
//! }
//! let refused = "2026/11/25 01:27:19 [error] 812#812: *31 connect() failed (111: Connection refused) while connecting to upstream, client: 127.0.0.1, server: localhost, request: \"GET /api/items HTTP/1.1\", upstream: \"http://127.0.0.1:19020/api/items\", host: \"localhost\"";
//!
//! // Saved on each machine (`save` writes such bytes atomically to a file)...
//! let web1 = logscan_state::encode(&run("web1", refused))?;
//! let web2 = logscan_state::encode(&run("web2", refused))?;
//! let broken = &web2[..web2.len() / 2];
//!
//! // ... and merged in any order: the truncated copy is named and left out.
//! let merged = logscan_state::merge(vec![
//!     ("web2.state".to_owned(), logscan_state::decode(&web2)),
//!     ("broken.state".to_owned(), logscan_state::decode(broken)),
//!     ("web1.state".to_owned(), logscan_state::decode(&web1)),
//! ]);
//! assert_eq!(merged.refused[0].name, "broken.state");
//! assert!(merged.refused[0].reason.starts_with("truncated"));
//! let report = merged.analyzer.expect("two good states").finish();
//! assert_eq!(report.findings[0].count, 2);
//! let paths: Vec<&str> = report.inputs.iter().map(|i| i.path.as_str()).collect();
//! assert_eq!(paths, ["web1:/var/log/nginx/error.log", "web2:/var/log/nginx/error.log"]);
//! # Ok(()) }
//! ```
//!
//! ## The file
//!
//! All integers little-endian.
//!
//! | bytes | what |
//! | --- | --- |
//! | 8 | magic `\x89LSTATE\n` (the high byte and the newline catch text-mode transfers) |
//! | 4 | format version ([`FORMAT_VERSION`]) |
//! | 4 + n | header length, header: the logscan version and the settings (postcard) |
//! | 8 + 8 | compressed and uncompressed length of the body |
//! | m | body: the analyzer, postcard, in one zstd frame |
//! | 4 | CRC-32 of every byte before it |
//!
//! The format version changes whenever the shape of what is serialised changes (a field
//! added to the analyzer, a type changed): a state of another format version is refused,
//! never misread. The test `tests/shape.rs` fails when the shape changes without a new
//! version.
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod error;
mod merge;
mod settings;

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::Path;

use logscan_analyze::Analyzer;
use logscan_parse::Zone;
use serde::{Deserialize, Serialize};

pub use error::StateError;
pub use merge::{Merged, Refused, merge, merge_files};
pub use settings::Settings;

/// The first bytes of every state file.
pub const MAGIC: [u8; 8] = *b"\x89LSTATE\n";

/// The version of the file's layout and of the serialised analyzer. Bump it whenever what
/// is serialised changes shape (`tests/shape.rs` says when), and update the fingerprint
/// there.
pub const FORMAT_VERSION: u32 = 6;

/// The largest state file read, in bytes. A state of a gigabyte of log is a few MB; the
/// limit only stops a wrong file from being read into memory whole.
pub const MAX_FILE_BYTES: u64 = 64 << 20;

/// The largest body decompressed, in bytes (limits memory on a hostile file).
pub const MAX_BODY_BYTES: u64 = 256 << 20;

/// The largest header, in bytes.
const MAX_HEADER_BYTES: u32 = 16 << 20;

/// zstd level of the body. The samples of marks, written column by column, compress about
/// as well at 5 as at 9 (1.3 % larger for a gigabyte of error log), and level 5's tables
/// take about 10 MB less memory while the state is written.
const ZSTD_LEVEL: i32 = 5;

/// The largest zstd window accepted when decompressing (2^24 = 16 MiB): the level above
/// never uses more, and a hostile frame cannot ask for a bigger buffer.
const ZSTD_WINDOW_LOG_MAX: u32 = 24;

/// What [`encode`] writes after the format version.
#[derive(Debug, Serialize, Deserialize)]
struct Header {
    /// The version of logscan that wrote the state.
    logscan: String,
    /// The settings of the run.
    settings: Settings,
    /// The paths of its inputs, in input order: a merge orders states by them before it
    /// reads any body.
    inputs: Vec<String>,
}

/// A state read back: the analyzer and what was recorded with it.
#[derive(Debug)]
pub struct State {
    /// The version of logscan that wrote it.
    pub logscan_version: String,
    /// The settings it was analysed with (those of [`State::analyzer`]).
    pub settings: Settings,
    /// The analysis.
    pub analyzer: Analyzer,
    /// The file's CRC-32 (orders states that read the same paths; equal for a state given
    /// twice).
    pub checksum: u32,
}

/// Serialises an analyzer into a state file's bytes.
///
/// Refused: an analyzer whose zone is `local` (it means another zone on every machine:
/// give the zone by name).
pub fn encode(analyzer: &Analyzer) -> Result<Vec<u8>, StateError> {
    let config = analyzer.config();
    if config.zone == Some(Zone::Local) {
        return Err(StateError::Unportable(
            "the zone 'local' is another zone on each machine: give it by name (--tz Europe/Berlin, --tz UTC)"
                .to_owned(),
        ));
    }
    let header = Header {
        logscan: env!("CARGO_PKG_VERSION").to_owned(),
        settings: Settings::of(&config),
        inputs: analyzer.input_paths().map(str::to_owned).collect(),
    };
    let header = postcard::to_stdvec(&header).map_err(|e| StateError::Corrupt(e.to_string()))?;
    let corrupt = |e: postcard::Error| StateError::Corrupt(e.to_string());
    // The file gives the body's length before the body: it is counted first, then
    // serialised straight into the compressor, so the serialised analyzer is never held
    // whole in memory (only the compressed body is).
    let raw_len = postcard::experimental::serialized_size(analyzer).map_err(corrupt)?;
    let mut out = Vec::with_capacity(header.len() + 48 + raw_len / 4);
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(
        &u32::try_from(header.len())
            .unwrap_or(u32::MAX)
            .to_le_bytes(),
    );
    out.extend_from_slice(&header);
    let lengths_at = out.len();
    // The compressed and uncompressed lengths, filled in once known.
    out.extend_from_slice(&[0; 16]);
    let body_at = out.len();
    let mut encoder = zstd::stream::Encoder::new(out, ZSTD_LEVEL)?;
    encoder.set_pledged_src_size(Some(raw_len as u64))?;
    encoder.include_contentsize(true)?;
    let encoder = postcard::to_io(analyzer, encoder).map_err(corrupt)?;
    let mut out = encoder.finish()?;
    let body_len = (out.len() - body_at) as u64;
    if let Some(lengths) = out.get_mut(lengths_at..body_at) {
        lengths[..8].copy_from_slice(&body_len.to_le_bytes());
        lengths[8..].copy_from_slice(&(raw_len as u64).to_le_bytes());
    }
    let crc = crc32fast::hash(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    Ok(out)
}

/// Reads a state file's bytes. Never panics; allocates at most [`MAX_BODY_BYTES`] more
/// than the bytes given, whatever they are.
pub fn decode(bytes: &[u8]) -> Result<State, StateError> {
    if bytes.is_empty() {
        return Err(StateError::Empty);
    }
    let mut cursor = Cursor { bytes, at: 0 };
    match cursor.take(MAGIC.len()) {
        Some(magic) if magic == MAGIC => {}
        Some(_) => return Err(StateError::NotAState),
        None if MAGIC.starts_with(bytes) => {
            return Err(StateError::Truncated {
                len: bytes.len() as u64,
                expected: None,
            });
        }
        None => return Err(StateError::NotAState),
    }
    let truncated = || StateError::Truncated {
        len: bytes.len() as u64,
        expected: None,
    };
    let version = cursor.u32().ok_or_else(truncated)?;
    if version != FORMAT_VERSION {
        return Err(StateError::Version { found: version });
    }
    let header_len = cursor.u32().ok_or_else(truncated)?;
    if header_len > MAX_HEADER_BYTES {
        return Err(StateError::Corrupt(format!(
            "header of {header_len} bytes (at most {MAX_HEADER_BYTES})"
        )));
    }
    let header_at = cursor.at;
    // The lengths say how long the file must be: a shorter one was cut.
    let lengths_at = header_at + header_len as usize;
    let expected = bytes
        .get(lengths_at..lengths_at + 16)
        .map(|l| {
            let body = u64::from_le_bytes(l[..8].try_into().unwrap_or_default());
            (lengths_at as u64 + 16)
                .saturating_add(body)
                .saturating_add(4)
        })
        .filter(|&expected| expected <= MAX_FILE_BYTES);
    match expected {
        Some(expected) if (bytes.len() as u64) < expected => {
            return Err(StateError::Truncated {
                len: bytes.len() as u64,
                expected: Some(expected),
            });
        }
        None if bytes.len() < lengths_at + 16 + 4 => return Err(truncated()),
        _ => {}
    }
    // Everything else is read only once the checksum says the bytes are as written.
    let (content, crc) = bytes.split_at(bytes.len() - 4);
    let checksum = crc32fast::hash(content);
    if crc != checksum.to_le_bytes() {
        return Err(StateError::Checksum);
    }
    let header_bytes = cursor.take(header_len as usize).ok_or_else(truncated)?;
    let header: Header = postcard::from_bytes(header_bytes)
        .map_err(|e| StateError::Corrupt(format!("header: {e}")))?;
    let body_len = cursor.u64().ok_or_else(truncated)?;
    let raw_len = cursor.u64().ok_or_else(truncated)?;
    if raw_len > MAX_BODY_BYTES {
        return Err(StateError::Corrupt(format!(
            "a body of {raw_len} bytes (at most {MAX_BODY_BYTES})"
        )));
    }
    let body = usize::try_from(body_len)
        .ok()
        .and_then(|n| cursor.take(n))
        .ok_or_else(truncated)?;
    if cursor.at != content.len() {
        return Err(StateError::Corrupt(format!(
            "{} bytes after the body",
            content.len() - cursor.at
        )));
    }
    let raw = decompress(body, raw_len)?;
    let analyzer = decode_body(&raw)?;
    let settings = Settings::of(&analyzer.config());
    if settings != header.settings || !analyzer.input_paths().eq(header.inputs.iter()) {
        return Err(StateError::Corrupt(
            "the header does not describe the body".to_owned(),
        ));
    }
    Ok(State {
        logscan_version: header.logscan,
        settings,
        analyzer,
        checksum,
    })
}

/// Reads the analyzer from a state's body as it is once decompressed (what [`decode`]
/// does after checking the file). Never panics; what it returns is safe to merge and
/// finish, whatever the bytes (they may have been crafted to match their checksum).
pub fn decode_body(raw: &[u8]) -> Result<Analyzer, StateError> {
    let (analyzer, rest) = postcard::take_from_bytes::<Analyzer>(raw)
        .map_err(|e| StateError::Corrupt(format!("body: {e}")))?;
    if !rest.is_empty() {
        return Err(StateError::Corrupt(format!(
            "{} bytes after the analyzer",
            rest.len()
        )));
    }
    analyzer
        .check()
        .map_err(|why| StateError::Corrupt(why.to_owned()))?;
    Ok(analyzer)
}

/// Decompresses the body, which must be `raw_len` bytes (at most [`MAX_BODY_BYTES`]).
fn decompress(body: &[u8], raw_len: u64) -> Result<Vec<u8>, StateError> {
    let corrupt = |e: io::Error| StateError::Corrupt(format!("compressed body: {e}"));
    let other_size = |found: String| {
        StateError::Corrupt(format!(
            "the body decompresses to {found} bytes, the header says {raw_len}"
        ))
    };
    // The frame records its size (encode's do): it must be the header's.
    if let Ok(Some(size)) = zstd::zstd_safe::get_frame_content_size(body) {
        if size != raw_len {
            return Err(other_size(size.to_string()));
        }
    }
    let capacity = usize::try_from(raw_len).map_err(|_| other_size("more".to_owned()))?;
    // In one pass into a buffer of the header's size: no window buffer, no copy.
    let mut decoder = zstd::bulk::Decompressor::new().map_err(corrupt)?;
    decoder
        .window_log_max(ZSTD_WINDOW_LOG_MAX)
        .map_err(corrupt)?;
    let raw = decoder.decompress(body, capacity).map_err(corrupt)?;
    if raw.len() != capacity {
        return Err(other_size(raw.len().to_string()));
    }
    Ok(raw)
}

/// Writes an analyzer's state to `path` atomically: into a new file next to it, flushed to
/// disk, then renamed over `path`, so a reader never sees half a state and a failed run
/// leaves the old file as it was. The file is readable by its owner only (a state holds
/// example lines of the logs).
pub fn save(path: &Path, analyzer: &Analyzer) -> Result<(), StateError> {
    let bytes = encode(analyzer)?;
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut file = tempfile::Builder::new()
        .prefix(".logscan-state-")
        .tempfile_in(dir)?;
    file.write_all(&bytes)?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|e| StateError::Io(e.error))?;
    Ok(())
}

/// Reads a state file (at most [`MAX_FILE_BYTES`] of it) and decodes it.
pub fn load(path: &Path) -> Result<State, StateError> {
    let file = File::open(path)?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(StateError::TooLarge);
    }
    decode(&bytes)
}

/// What a merge needs to know of a state before it reads the body: what the header says,
/// and the checksum the file ends with (not verified: [`load`] does that).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    /// The version of logscan that wrote it.
    pub logscan_version: String,
    /// Its settings.
    pub settings: Settings,
    /// The paths of its inputs, in input order.
    pub inputs: Vec<String>,
    /// The CRC-32 the file ends with.
    pub checksum: u32,
}

impl State {
    /// The summary of a state read whole.
    pub fn summary(&self) -> Summary {
        Summary {
            logscan_version: self.logscan_version.clone(),
            settings: self.settings.clone(),
            inputs: self.analyzer.input_paths().map(str::to_owned).collect(),
            checksum: self.checksum,
        }
    }
}

/// Reads a state file's header and checks the file (lengths, CRC-32) without keeping its
/// body: what a merge plans with before it reads the bodies one at a time. A file that
/// passes may still be refused by [`load`] (a body that does not read as an analyzer).
pub fn read_summary(path: &Path) -> Result<Summary, StateError> {
    let mut file = File::open(path)?;
    let len = file.metadata()?.len();
    if len > MAX_FILE_BYTES {
        return Err(StateError::TooLarge);
    }
    let mut front = Vec::new();
    (&mut file).take(16).read_to_end(&mut front)?;
    let header_len = front
        .get(12..16)
        .and_then(|b| b.try_into().ok())
        .map(u32::from_le_bytes)
        .unwrap_or(0)
        .min(MAX_HEADER_BYTES + 1);
    (&mut file)
        .take(u64::from(header_len) + 16)
        .read_to_end(&mut front)?;
    let header = read_front(&front)?;
    let body_len = front
        .get(front.len().saturating_sub(16)..front.len().saturating_sub(8))
        .and_then(|b| b.try_into().ok())
        .map(u64::from_le_bytes)
        .ok_or(StateError::Truncated {
            len,
            expected: None,
        })?;
    let expected = (front.len() as u64)
        .saturating_add(body_len)
        .saturating_add(4);
    if len < expected && expected <= MAX_FILE_BYTES {
        return Err(StateError::Truncated {
            len,
            expected: Some(expected),
        });
    }
    // The checksum of the whole file (its body read and dropped).
    let mut crc = crc32fast::Hasher::new();
    crc.update(&front);
    let mut rest = Vec::new();
    file.read_to_end(&mut rest)?;
    let Some(stored) = rest.len().checked_sub(4) else {
        return Err(StateError::Truncated {
            len,
            expected: None,
        });
    };
    let (body, tail) = rest.split_at(stored);
    crc.update(body);
    let checksum = crc.finalize();
    if tail != checksum.to_le_bytes() {
        return Err(StateError::Checksum);
    }
    Ok(Summary {
        logscan_version: header.logscan,
        settings: header.settings,
        inputs: header.inputs,
        checksum,
    })
}

/// The header of a file's front (magic, version, header length, header).
fn read_front(bytes: &[u8]) -> Result<Header, StateError> {
    if bytes.is_empty() {
        return Err(StateError::Empty);
    }
    let mut cursor = Cursor { bytes, at: 0 };
    let truncated = || StateError::Truncated {
        len: bytes.len() as u64,
        expected: None,
    };
    match cursor.take(MAGIC.len()) {
        Some(magic) if magic == MAGIC => {}
        None if MAGIC.starts_with(bytes) => return Err(truncated()),
        _ => return Err(StateError::NotAState),
    }
    let version = cursor.u32().ok_or_else(truncated)?;
    if version != FORMAT_VERSION {
        return Err(StateError::Version { found: version });
    }
    let header_len = cursor.u32().ok_or_else(truncated)?;
    if header_len > MAX_HEADER_BYTES {
        return Err(StateError::Corrupt(format!(
            "header of {header_len} bytes (at most {MAX_HEADER_BYTES})"
        )));
    }
    let header = cursor.take(header_len as usize).ok_or_else(truncated)?;
    postcard::from_bytes(header).map_err(|e| StateError::Corrupt(format!("header: {e}")))
}

/// Reads fixed-size fields off the front of a byte slice.
struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let slice = self.bytes.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(slice)
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }

    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
}
