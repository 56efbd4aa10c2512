//! Helpers shared by the integration tests: fixture paths and whole-file decoding.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use logscan_envelope::{Config, Decoder, Envelope, Kind, Problem, Stream, detect, read_lines};
use logscan_input::{EntryReader, ReaderConfig};
use logscan_parse::Timestamp;

/// The fixture corpus (`LOGSCAN_FIXTURES` for a fresh capture).
pub fn fixtures() -> PathBuf {
    std::env::var_os("LOGSCAN_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures"))
}

/// A decoded line, owned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owned {
    pub bytes: Vec<u8>,
    pub kind: Kind,
    pub app: Option<Vec<u8>>,
    pub host: Option<Vec<u8>>,
    pub proc_id: Option<Vec<u8>>,
    pub stream: Option<Stream>,
    pub severity: Option<u8>,
    pub time: Option<Timestamp>,
    pub first_line: u64,
    pub lines: u32,
    pub too_long: bool,
    pub problem: Option<Problem>,
}

/// What a whole input decoded to.
#[derive(Debug)]
pub struct Decoded {
    pub detected: Option<Envelope>,
    pub lines: Vec<Owned>,
    /// Physical lines in the input, counted like `wc -l` plus a last line without `\n`.
    pub physical: u64,
}

impl Decoded {
    /// Physical lines the decoded lines account for.
    pub fn accounted(&self) -> u64 {
        self.lines.iter().map(|l| u64::from(l.lines)).sum()
    }

    pub fn server(&self) -> impl Iterator<Item = &Owned> {
        self.lines.iter().filter(|l| l.kind == Kind::Server)
    }

    pub fn other(&self) -> impl Iterator<Item = &Owned> {
        self.lines.iter().filter(|l| l.kind == Kind::Other)
    }

    pub fn problems(&self) -> Vec<(u64, Problem)> {
        self.lines
            .iter()
            .filter_map(|l| l.problem.map(|p| (l.first_line, p)))
            .collect()
    }
}

pub fn physical_lines(bytes: &[u8]) -> u64 {
    let newlines = bytes.iter().filter(|&&b| b == b'\n').count() as u64;
    newlines + u64::from(bytes.last().is_some_and(|&b| b != b'\n'))
}

/// Decodes `bytes` through `EntryReader` and a decoder for the detected envelope (or
/// `force`), the way the read loop will.
pub fn decode_bytes(bytes: &[u8], force: Option<Envelope>, config: Config) -> Decoded {
    let mut entries = EntryReader::new(bytes, ReaderConfig::default());
    let sample = entries.sample(50, 64 << 10).expect("sample");
    let detected = detect(&sample);
    let envelope = force.or(detected).expect("an envelope");
    let mut decoder = Decoder::new(envelope, config);
    let mut lines = Vec::new();
    read_lines(&mut entries, &mut decoder, |l| {
        lines.push(Owned {
            bytes: l.bytes.to_vec(),
            kind: l.kind,
            app: l.meta.app.map(<[u8]>::to_vec),
            host: l.meta.host.map(<[u8]>::to_vec),
            proc_id: l.meta.proc_id.map(<[u8]>::to_vec),
            stream: l.meta.stream,
            severity: l.meta.severity,
            time: l.meta.time,
            first_line: l.first_line,
            lines: l.lines,
            too_long: l.too_long,
            problem: l.problem,
        })
    })
    .expect("read");
    Decoded {
        detected,
        lines,
        physical: physical_lines(bytes),
    }
}

pub fn decode_file(path: &Path, config: Config) -> Decoded {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    decode_bytes(&bytes, None, config)
}

/// The lines of a plain log, without their `\n`.
pub fn plain_lines(path: &Path) -> Vec<Vec<u8>> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let body = bytes.strip_suffix(b"\n").unwrap_or(&bytes);
    if body.is_empty() {
        return Vec::new();
    }
    body.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect()
}

/// Whether a line is an error-log line (nginx `2026/11/25 …`, Apache `[Wed Nov 25 …`) rather
/// than an access line (which starts with the client address).
pub fn is_error_line(line: &[u8]) -> bool {
    let nginx = line.len() > 5 && line[..4].iter().all(u8::is_ascii_digit) && line[4] == b'/';
    nginx || line.first() == Some(&b'[')
}

/// Shows the first difference between two line lists.
pub fn assert_same_lines(what: &str, got: &[Vec<u8>], want: &[Vec<u8>]) {
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            g == w,
            "{what}: line {} differs:\n got  {}\n want {}",
            i + 1,
            String::from_utf8_lossy(g),
            String::from_utf8_lossy(w)
        );
    }
    assert_eq!(got.len(), want.len(), "{what}: number of lines");
}
