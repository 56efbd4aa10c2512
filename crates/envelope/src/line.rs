//! What goes into a [`Decoder`](crate::Decoder) and what comes out of it.

use std::fmt;

use logscan_parse::Timestamp;

use crate::Envelope;

/// One physical line of the input, as a line splitter (e.g. `logscan_input::EntryReader`
/// with a `starts_entry` that always answers `true`) gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Physical<'a> {
    /// The line without its `\n` (a `\r` before it stays). For a `too_long` line, its start.
    pub bytes: &'a [u8],
    /// 1-based line number in the input.
    pub number: u64,
    /// The line was longer than the splitter keeps; `bytes` is only its start.
    pub too_long: bool,
}

impl<'a> Physical<'a> {
    /// A whole line with its 1-based number.
    pub fn new(bytes: &'a [u8], number: u64) -> Self {
        Physical {
            bytes,
            number,
            too_long: false,
        }
    }
}

/// The output stream a container line was written to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stream {
    /// Standard output (the official nginx image sends `access_log` here).
    Stdout,
    /// Standard error (`error_log` in the official nginx image).
    Stderr,
}

impl Stream {
    /// `stdout` or `stderr`, as the envelopes and the events write it.
    pub const fn name(self) -> &'static str {
        match self {
            Stream::Stdout => "stdout",
            Stream::Stderr => "stderr",
        }
    }

    pub(crate) fn from_bytes(name: &[u8]) -> Option<Stream> {
        match name {
            b"stdout" => Some(Stream::Stdout),
            b"stderr" => Some(Stream::Stderr),
            _ => None,
        }
    }
}

impl fmt::Display for Stream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What the envelope says about a line, where it says it. Byte fields borrow from the
/// physical line; none is allocated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Meta<'a> {
    /// When the envelope says the line was written.
    ///
    /// Docker, CRI, `timestamped` and RFC 5424 / rsyslog RFC 3339 times carry their offset
    /// (`Z` is offset 0); journald's `__REALTIME_TIMESTAMP` is UTC. RFC 3164 times
    /// (`Nov 25 01:27:19`) have neither year nor zone: the offset is `None` (local wall
    /// time, like nginx's own error log) and the year comes from the decoder's
    /// [`YearHint`](crate::YearHint).
    pub time: Option<Timestamp>,
    /// `stdout` or `stderr` (Docker, CRI).
    pub stream: Option<Stream>,
    /// The host that sent the line (syslog HOSTNAME, journald `_HOSTNAME`).
    pub host: Option<&'a [u8]>,
    /// The program: syslog tag / APP-NAME, journald `SYSLOG_IDENTIFIER` (else `_COMM`).
    pub app: Option<&'a [u8]>,
    /// The process id: syslog `tag[pid]` / PROCID, journald `_PID`.
    pub proc_id: Option<&'a [u8]>,
    /// RFC 5424 MSGID.
    pub msg_id: Option<&'a [u8]>,
    /// Syslog facility (from `<PRI>`, or journald `SYSLOG_FACILITY`).
    pub facility: Option<u8>,
    /// Syslog severity 0-7 (from `<PRI>`, or journald `PRIORITY`).
    pub severity: Option<u8>,
    /// journald `_TRANSPORT` (`stdout`, `syslog`, `journal`, `kernel`, ...).
    pub transport: Option<&'a [u8]>,
}

/// Whose line it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A line for the log parsers: the envelope names one of the server programs, names no
    /// program (containers, a syslog line without tag), or the line is not in an envelope
    /// at all (then [`Line::problem`] says so).
    Server,
    /// Another program's line (a syslog tag or journald identifier that is not a server
    /// program), or a `journalctl` marker such as `-- Boot 9f2c... --`: counted as `other`,
    /// neither parsed nor unrecognized.
    Other,
}

/// What was wrong with a physical line. Never fatal: the line is still returned (its
/// bytes are what could be recovered, the raw line when nothing could) and counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Problem {
    /// The line is in no envelope: it is passed through as it is.
    NotInEnvelope(Envelope),
    /// The line is in another envelope than the lines before it: decoded with that one,
    /// which the decoder keeps from here on.
    EnvelopeChanged {
        /// The envelope until this line.
        from: Envelope,
        /// The envelope of this line.
        to: Envelope,
    },
    /// A JSON line (Docker, journald) that does not parse, or lacks the field that holds
    /// the line: passed through raw.
    BadJson(Envelope),
    /// The envelope's time is not a valid time; the line is decoded without it.
    BadTime,
    /// A syslog line whose `<PRI>` is not 0-191; the rest of the line is decoded.
    BadPriority,
    /// Pieces of a split line (Docker records without `\n`, CRI `P`) with no last piece
    /// before the end of the input: what was collected is returned.
    Unfinished,
    /// A journald entry whose `MESSAGE` is `null`: journalctl writes that for values over
    /// 4096 bytes unless run with `--all`.
    MessageOmitted,
    /// A journald `MESSAGE` that is neither a string nor an array of bytes 0-255.
    BadMessage,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::NotInEnvelope(e) => write!(f, "not a {e} line; read as it is"),
            Problem::EnvelopeChanged { from, to } => {
                write!(f, "the envelope changes from {from} to {to} here")
            }
            Problem::BadJson(e) => write!(f, "broken {e} JSON line"),
            Problem::BadTime => f.write_str("the envelope's time is not a valid time"),
            Problem::BadPriority => f.write_str("syslog <PRI> is not a number from 0 to 191"),
            Problem::Unfinished => {
                f.write_str("a line split into pieces ends without its last piece")
            }
            Problem::MessageOmitted => f.write_str(
                "journald MESSAGE is null (journalctl omits values over 4096 bytes; run it with --all)",
            ),
            Problem::BadMessage => {
                f.write_str("journald MESSAGE is neither a string nor an array of bytes")
            }
        }
    }
}

/// One inner line, unwrapped, with what the envelope says about it.
///
/// Its bytes borrow from the physical line when the envelope leaves them as they are
/// (CRI, `timestamped`, syslog, Docker and journald strings without escapes) and from a
/// buffer the decoder reuses otherwise (JSON escapes, joined pieces, journald byte arrays):
/// no allocation per line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line<'a> {
    /// The inner line, without the envelope and without a line terminator (a `\r` the
    /// program wrote before its `\n` stays, as in a plain file). A journald `MESSAGE` of
    /// several lines keeps its inner `\n`s, like a multi-line entry. For a `too_long` line,
    /// its first [`Config::max_line`](crate::Config::max_line) bytes.
    pub bytes: &'a [u8],
    /// What the envelope says about the line.
    pub meta: Meta<'a>,
    /// Whose line it is: parse it, or count it as `other`.
    pub kind: Kind,
    /// 1-based number of the first physical line of this line (its first piece).
    pub first_line: u64,
    /// Physical lines this line accounts for: 1, or the number of pieces joined. Over all
    /// lines a [`Decoder`](crate::Decoder) returns, these add up to the physical lines
    /// given to it. Pieces of one stream may be interleaved with lines of the other
    /// stream, so the lines counted here need not be consecutive.
    pub lines: u32,
    /// The line was longer than [`Config::max_line`](crate::Config::max_line) (joined
    /// pieces, or a physical line the splitter cut): `bytes` is only its start.
    pub too_long: bool,
    /// What was wrong, if anything.
    pub problem: Option<Problem>,
}
