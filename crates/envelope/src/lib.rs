//! # logscan-envelope
//!
//! Many servers do not write plain log files: the official nginx image sends its logs to
//! stdout and stderr, where Docker wraps each line in JSON and Kubernetes prefixes it with
//! a time; nginx can send them to syslog; systemd keeps them in the journal. This crate
//! finds the **envelope** an input is in from its first lines ([`detect`]) and takes each
//! line out of it ([`Decoder`]), with what the envelope says about it ([`Meta`]): time,
//! stream, host, program, process id.
//!
//! | [`Envelope`] | a physical line | from |
//! | --- | --- | --- |
//! | `docker` | `{"log":"…\n","stream":"stderr","time":"2026-11-25T01:27:19.123456789Z"}` | Docker's json-file driver |
//! | `cri` | `2026-11-25T01:27:19.123456789Z stderr F …` | containerd, CRI-O (`/var/log/containers/`) |
//! | `timestamped` | `2026-11-25T01:27:19.123456789Z …` | `kubectl logs --timestamps`, `docker logs -t` |
//! | `syslog` | `<187>Nov 25 01:27:19 web nginx: …`, RFC 5424, rsyslog's files | nginx `syslog:server=`, rsyslog, `journalctl` |
//! | `journald` | `{"__REALTIME_TIMESTAMP":"…","MESSAGE":"…",…}` | `journalctl -o json` |
//!
//! ```
//! use logscan_envelope::{detect, Config, Decoder, Envelope, Kind, Physical, Stream};
//!
//! let input: &[&[u8]] = &[
//!     br#"{"log":"2026/11/25 01:27:19 [error] 7#7: *1 connect() failed (111: Connection refused) while connecting to upstream, client: 10.0.0.9, request: \"GET / HTTP/1.1\"\n","stream":"stderr","time":"2026-11-25T01:27:19.123456789Z"}"#,
//!     br#"{"log":"10.0.0.9 - - [25/Nov/2026:01:27:19 +0000] \"GET / HTTP/1.1\" 502 157 \"-\" \"curl/8.5.0\"\n","stream":"stdout","time":"2026-11-25T01:27:19.1237Z"}"#,
//! ];
//! assert_eq!(detect(input), Some(Envelope::Docker));
//!
//! let mut decoder = Decoder::new(Envelope::Docker, Config::default());
//! let line = decoder.decode(Physical::new(input[0], 1)).expect("a whole line");
//! assert!(line.bytes.starts_with(b"2026/11/25 01:27:19 [error] 7#7: *1 connect() failed"));
//! assert!(line.bytes.ends_with(br#"request: "GET / HTTP/1.1""#)); // JSON escapes undone
//! assert_eq!(line.meta.stream, Some(Stream::Stderr));
//! assert_eq!(line.meta.time.and_then(|t| t.unix_seconds()), Some(1_795_570_039));
//! assert_eq!((line.kind, line.lines, line.problem), (Kind::Server, 1, None));
//!
//! // Syslog lines name their program: other programs' lines are `Kind::Other`.
//! let mut decoder = Decoder::new(Envelope::Syslog, Config::default());
//! let line = decoder.decode(Physical::new(b"Nov 25 01:27:20 web sshd[812]: Accepted publickey", 1));
//! assert_eq!(line.map(|l| (l.kind, l.meta.app)), Some((Kind::Other, Some(&b"sshd"[..]))));
//! ```
//!
//! ## Where it sits in the read loop
//!
//! `logscan_input::EntryReader` splits an input into physical lines over one reused
//! buffer and joins continuation lines into entries. With an envelope, joining must wait:
//! a continuation line of an nginx entry is a record of its own in a Docker log, and a
//! long line is several records. So an enveloped input is read as:
//!
//! 1. **split**: `EntryReader::next_entry` with a `starts_entry` that always answers
//!    `true`, so each entry is one physical line (over-long ones cut and flagged, never
//!    buffered whole); [`EntryReader::sample`](logscan_input::EntryReader::sample) gives
//!    the first lines for [`detect`], and [`unwrap_sample`] their inner lines, from which
//!    the parser is chosen as for a plain file;
//! 2. **unwrap**: [`Decoder::decode`] per physical line, then [`Decoder::finish`] at the
//!    end; [`read_lines`] does both;
//! 3. **frame**: entries from inner lines. Inner lines are not contiguous in the input,
//!    so an entry of several lines is copied into a reused buffer; a line joins the
//!    entry before it only if it has the same [`Line::kind`] and [`Meta::stream`] and the
//!    parser's `starts_entry` says it does not start an entry;
//! 4. **parse** each entry, or count it: [`Kind::Other`] lines as `other`,
//!    [`Line::too_long`] ones as unrecognized like an over-long plain line, each with
//!    its [`Line::lines`] physical lines, so `lines = parsed + unrecognized + other`
//!    holds in physical lines. [`Line::problem`]s are reported with the input's name and
//!    [`Line::first_line`].
//!
//! A plain input (no envelope) keeps today's path, untouched.
//!
//! ## Time
//!
//! [`Meta::time`] is a `logscan_parse::Timestamp`. Docker, CRI and `timestamped` times
//! carry their offset (`Z` for UTC, as Docker and kubectl write; containerd writes the
//! node's local offset), journald's is UTC, RFC 5424's and rsyslog's RFC 3339 ones carry
//! theirs. RFC 3164 (`Nov 25 01:27:19`) has no zone and no year: the offset is `None`
//! (local time, read like nginx's own error log times) and the year comes from
//! [`Config::year`]: the year of the newest line (the file's modification time), one
//! less for months after its month.
//!
//! ## Bad input
//!
//! Nothing is fatal and every physical line is accounted for: a broken JSON line, a line
//! in no envelope or in another one, an invalid time or `<PRI>`, a `MESSAGE` journalctl
//! left out, pieces without their last piece at the end of the input: each is returned as
//! a [`Line`] with a [`Problem`]. Pieces are joined up to [`Config::max_line`] and the
//! rest of a longer line is dropped as it is read, so a 10 MB Docker line costs 1 MiB.
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

use std::fmt;
use std::str::FromStr;

mod container;
mod controller;
mod decoder;
mod journald;
mod json;
mod line;
mod programs;
mod reader;
mod syslog;
mod time;
pub mod wrap;

pub use controller::{is_banner, is_controller_line, is_klog};
pub use decoder::{Config, Decoder, detect, detect_line, unwrap_sample};
pub use line::{Kind, Line, Meta, Physical, Problem, Stream};
pub use programs::Programs;
pub use reader::read_lines;
pub use time::YearHint;

/// The envelopes lines can be in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Envelope {
    /// Docker's json-file driver: one JSON record per line or 16 KiB piece.
    Docker = 0,
    /// The CRI log format (containerd, CRI-O): time, stream, `P`/`F`, line.
    Cri = 1,
    /// An RFC 3339 time and a space before each line (`kubectl logs --timestamps`).
    Timestamped = 2,
    /// Syslog: RFC 3164 and RFC 5424, with or without `<PRI>`, as nginx sends it and as
    /// rsyslog and journalctl write it.
    Syslog = 3,
    /// `journalctl -o json`.
    Journald = 4,
}

impl Envelope {
    /// Every envelope, in the order of [`Envelope::name`]s in the CLI.
    pub const ALL: [Envelope; 5] = [
        Envelope::Docker,
        Envelope::Cri,
        Envelope::Timestamped,
        Envelope::Syslog,
        Envelope::Journald,
    ];

    /// The envelope's name: `docker`, `cri`, `timestamped`, `syslog`, `journald` (as in
    /// `--envelope` and the report's `inputs[].envelope`).
    pub const fn name(self) -> &'static str {
        match self {
            Envelope::Docker => "docker",
            Envelope::Cri => "cri",
            Envelope::Timestamped => "timestamped",
            Envelope::Syslog => "syslog",
            Envelope::Journald => "journald",
        }
    }
}

impl fmt::Display for Envelope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An envelope name that is not one of [`Envelope::name`]'s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownEnvelope(pub String);

impl fmt::Display for UnknownEnvelope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown envelope {:?} (expected docker, cri, timestamped, syslog or journald)",
            self.0
        )
    }
}

impl std::error::Error for UnknownEnvelope {}

impl FromStr for Envelope {
    type Err = UnknownEnvelope;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Envelope::ALL
            .into_iter()
            .find(|e| e.name() == s)
            .ok_or_else(|| UnknownEnvelope(s.to_owned()))
    }
}
