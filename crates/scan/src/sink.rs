//! [`Sink`]: what the read loop hands each entry to.

use std::convert::Infallible;
use std::fmt;

use logscan_analyze::{Analyzer, InputInfo, Origin};
use logscan_envelope::{Envelope, Meta, Problem};
use logscan_input::{Input, Source};
use logscan_parse::{ParseError, Parser, Record};

/// Receives what the read loop finds, input by input: a [`Start`] when it begins reading
/// an input (or one chunk of it), then every entry, parsed into a [`Record`] or
/// [`Unrecognized`], or (in a syslog file or a journal) another program's line
/// ([`Sink::other`]). Every physical line of the input is in exactly one entry, so a sink
/// that counts `entry.lines` in these three methods counts every line once.
///
/// Entries come in input order, except in an enveloped input, where an nginx error entry
/// is handed out when the line after it shows it is complete, after the other programs'
/// lines read meanwhile.
///
/// An error from the sink stops the loop and is handed back to the caller (an events
/// writer whose reader went away stops reading).
///
/// [`Analyzer`] is a sink (the report); [`EventWriter`](crate::EventWriter) is another
/// (NDJSON events).
pub trait Sink {
    /// What stops the loop.
    type Error;

    /// An input (or, for a large file read in parallel, one chunk of it) starts, with the
    /// parser chosen for it. Called before any of its entries.
    fn start(&mut self, start: &Start<'_>) -> Result<(), Self::Error>;

    /// An entry the parser read.
    fn record(&mut self, entry: &Entry<'_>, record: &Record<'_>) -> Result<(), Self::Error>;

    /// An entry the parser could not read, and why.
    fn unrecognized(&mut self, entry: &Entry<'_>, why: Unrecognized) -> Result<(), Self::Error>;

    /// A line of another program in a syslog file or a journal (or a `journalctl`
    /// marker): neither parsed nor unrecognized. The default does nothing.
    fn other(&mut self, entry: &Entry<'_>) -> Result<(), Self::Error> {
        let _ = entry;
        Ok(())
    }

    /// The envelope of a line was broken (`entry` is that line as far as it could be
    /// recovered). The line itself is also handed over as an entry (parsed, unrecognized
    /// or other), so this is only for reporting the problem. The default does nothing.
    fn envelope_problem(&mut self, entry: &Entry<'_>, problem: Problem) -> Result<(), Self::Error> {
        let _ = (entry, problem);
        Ok(())
    }
}

/// An input (or a chunk of one) about to be read.
#[derive(Clone, Copy, Debug)]
pub struct Start<'a> {
    /// The input's id: its position in the list read.
    pub id: u32,
    /// The chunk (0 when the input is read whole; chunks are numbered in file order).
    pub chunk: u32,
    /// The input.
    pub input: &'a Input,
    /// The parser every entry is read with.
    pub parser: &'a Parser,
    /// Whether the format was recognised (`false`: nothing read the first lines, and every
    /// line will be unrecognized).
    pub detected: bool,
    /// The envelope the input's lines are in, or `None` for a plain log.
    pub envelope: Option<Envelope>,
}

/// One entry (a line and the continuation lines joined to it) and where it is.
#[derive(Clone, Copy, Debug)]
pub struct Entry<'a> {
    /// The input's id, as in [`Start::id`].
    pub input: u32,
    /// The chunk, as in [`Start::chunk`].
    pub chunk: u32,
    /// The input's name for messages ([`Input::display`]).
    pub path: &'a str,
    /// 1-based line number of the entry's first line (within the chunk).
    pub line: u64,
    /// Physical lines in the entry.
    pub lines: u32,
    /// The entry's bytes, without the final line terminator (a `\r` before it stays).
    /// For a line over the reader's limit, its start only. In an enveloped input, the
    /// inner line(s), without the envelope.
    pub bytes: &'a [u8],
    /// What the envelope says about the entry's first line (time, stream, host, program,
    /// process id), or `None` for a plain log.
    pub envelope: Option<Meta<'a>>,
}

/// Why an entry was not read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unrecognized {
    /// The line was longer than the reader's limit (bytes); only its start was kept.
    TooLong {
        /// The limit.
        max_line: usize,
    },
    /// The parser refused it.
    Parse(ParseError),
}

impl fmt::Display for Unrecognized {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unrecognized::TooLong { max_line } => {
                const MIB: usize = 1 << 20;
                const KIB: usize = 1 << 10;
                match *max_line {
                    n if n >= MIB && n % MIB == 0 => {
                        write!(f, "line longer than {} MiB, skipped", n / MIB)
                    }
                    n if n >= KIB && n % KIB == 0 => {
                        write!(f, "line longer than {} KiB, skipped", n / KIB)
                    }
                    n => write!(f, "line longer than {n} bytes, skipped"),
                }
            }
            Unrecognized::Parse(e) => e.fmt(f),
        }
    }
}

/// The report sink: every entry is observed, every input registered with its format and
/// its site (the directory it is in, so error and access logs of one server are
/// correlated).
impl Sink for Analyzer {
    type Error = Infallible;

    fn start(&mut self, start: &Start<'_>) -> Result<(), Infallible> {
        let site = match &start.input.source {
            Source::Stdin => "<stdin>".to_owned(),
            Source::Path(p) => p
                .parent()
                .map(|d| d.to_string_lossy().into_owned())
                .unwrap_or_default(),
        };
        let mut info = InputInfo::new(start.input.display.clone(), start.parser.format(), site);
        info.detected = start.detected;
        info.envelope = start.envelope.map(|e| e.name().to_owned());
        self.add_input(start.id, info);
        Ok(())
    }

    #[inline]
    fn record(&mut self, entry: &Entry<'_>, record: &Record<'_>) -> Result<(), Infallible> {
        match placed_by_envelope(entry, record) {
            Some(placed) => self.observe_placed(&placed, &origin(entry)),
            None => self.observe(record, &origin(entry)),
        }
        Ok(())
    }

    fn unrecognized(&mut self, entry: &Entry<'_>, why: Unrecognized) -> Result<(), Infallible> {
        self.observe_unrecognized(&origin(entry), &why.to_string());
        Ok(())
    }

    fn other(&mut self, entry: &Entry<'_>) -> Result<(), Infallible> {
        self.observe_other(&origin(entry));
        Ok(())
    }

    fn envelope_problem(&mut self, entry: &Entry<'_>, problem: Problem) -> Result<(), Infallible> {
        self.observe_envelope_problem(&origin(entry), &problem.to_string());
        Ok(())
    }
}

/// An error record without a zone (nginx and Apache error logs write local wall time) in
/// an envelope that gives the instant (Docker, CRI, `timestamped`, journald, RFC 5424 and
/// rsyslog's RFC 3339 times): the same record with the offset between the two, rounded to
/// a quarter hour, so the line keeps its own wall-clock time and gains the zone it was
/// written in. `None` when there is nothing to place (an access record, a line with a
/// zone, an envelope without an instant, or an offset past ±14 h: the two disagree).
pub(crate) fn placed_by_envelope<'a>(entry: &Entry<'_>, record: &Record<'a>) -> Option<Record<'a>> {
    let Record::Error(error) = record else {
        return None;
    };
    let own = error.time?;
    if own.offset_seconds().is_some() {
        return None;
    }
    let instant = entry.envelope?.time?.unix_seconds()?;
    const QUARTER_HOUR: i64 = 900;
    let diff = own.wall_seconds() - instant;
    let offset = (diff + diff.signum() * QUARTER_HOUR / 2) / QUARTER_HOUR * QUARTER_HOUR;
    if offset.abs() > 14 * 3600 {
        return None;
    }
    let mut placed = error.clone();
    placed.time = Some(own.with_offset(Some(i32::try_from(offset).ok()?)));
    Some(Record::Error(placed))
}

#[inline]
fn origin<'a>(entry: &Entry<'a>) -> Origin<'a> {
    Origin {
        input: entry.input,
        chunk: entry.chunk,
        line: entry.line,
        lines: entry.lines,
        text: entry.bytes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn too_long_names_the_limit() {
        let text = |max_line| Unrecognized::TooLong { max_line }.to_string();
        assert_eq!(text(1 << 20), "line longer than 1 MiB, skipped");
        assert_eq!(text(4 << 10), "line longer than 4 KiB, skipped");
        assert_eq!(text(512), "line longer than 512 bytes, skipped");
    }
}
