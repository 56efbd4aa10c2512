//! [`EventWriter`]: the `--events` sink, one ECS JSON object per record (NDJSON).

use std::io::{self, Write};

use logscan_analyze::Config;
use logscan_parse::{Record, Zone};
use logscan_render::events::{Source, event};
use logscan_render::json_safe::write_compact;

use crate::sink::{Entry, Sink, Start, Unrecognized};

/// Writes one JSON object per parsed record, named after the Elastic Common Schema
/// ([`logscan_render::events`]), one per line. Local-time lines are placed in a zone;
/// records outside the `since`/`until` of a [`Config`] are left out, as the analyzer leaves
/// them out of a report. Unrecognized entries write nothing. Text is JSON-escaped so that
/// no control character reaches a terminal.
///
/// An error writing (the reader of a pipe went away) stops the loop. Call
/// [`EventWriter::finish`] to flush.
#[derive(Debug)]
pub struct EventWriter<W: Write> {
    out: W,
    zone: Zone,
    limits: Config,
}

impl<W: Write> EventWriter<W> {
    /// A writer to `out` (buffer it: each event is several small writes), placing
    /// local-time lines in `zone` and keeping what `limits` admits
    /// ([`Config::admits`]; only its `since`/`until` and zone matter).
    pub fn new(out: W, zone: Zone, limits: Config) -> Self {
        EventWriter { out, zone, limits }
    }

    /// Flushes what was written so far (a live stream flushes after each batch).
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    /// Keeps what `limits` admits from now on (live mode admits every new line once the
    /// lines already there were read).
    pub fn set_limits(&mut self, limits: Config) {
        self.limits = limits;
    }

    /// Flushes and gives back the writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}

impl<W: Write> Sink for EventWriter<W> {
    type Error = io::Error;

    fn start(&mut self, _: &Start<'_>) -> io::Result<()> {
        Ok(())
    }

    fn record(&mut self, entry: &Entry<'_>, record: &Record<'_>) -> io::Result<()> {
        if !self.limits.admits(record.time().as_ref()) {
            return Ok(());
        }
        let source = Source {
            path: entry.path,
            line: entry.line,
            text: entry.bytes,
        };
        write_compact(&mut self.out, &event(record, &source, &self.zone))?;
        self.out.write_all(b"\n")
    }

    fn unrecognized(&mut self, _: &Entry<'_>, _: Unrecognized) -> io::Result<()> {
        Ok(())
    }
}
