//! The read loop of an input in an envelope (Docker, CRI, `kubectl logs --timestamps`,
//! syslog, journald): split physical lines, unwrap each, frame entries from the inner
//! lines, parse, hand to the sink.

use std::io::Read;

use logscan_envelope::{Decoder, Kind, Line, Meta, Stream};
use logscan_input::{EntryReader, InputError};
use logscan_parse::{ErrorRecord, Record, Timestamp};

use crate::ScanError;
use crate::choose::Choice;
use crate::read::Place;
use crate::sink::{Entry, Sink, Unrecognized};

/// An nginx error entry being framed: its first inner line and the continuation lines
/// joined to it so far, copied (the decoder reuses its buffer, and the physical lines are
/// gone by the time the entry is complete), with what the envelope said about its first
/// line, also copied.
#[derive(Debug, Default)]
pub(crate) struct Pending {
    active: bool,
    bytes: Vec<u8>,
    first_line: u64,
    lines: u32,
    meta: OwnedMeta,
    /// The stream of the last line when it was the ingress controller's own (klog, its
    /// banner): the lines after it that start no entry are its too.
    controller: Option<Option<Stream>>,
}

/// A [`Meta`] that owns its bytes, in buffers reused from entry to entry.
#[derive(Debug, Default)]
struct OwnedMeta {
    time: Option<Timestamp>,
    stream: Option<Stream>,
    facility: Option<u8>,
    severity: Option<u8>,
    host: Option<Vec<u8>>,
    app: Option<Vec<u8>>,
    proc_id: Option<Vec<u8>>,
    msg_id: Option<Vec<u8>>,
    transport: Option<Vec<u8>>,
}

fn keep(slot: &mut Option<Vec<u8>>, value: Option<&[u8]>) {
    match (slot.as_mut(), value) {
        (Some(buf), Some(v)) => {
            buf.clear();
            buf.extend_from_slice(v);
        }
        (None, Some(v)) => *slot = Some(v.to_vec()),
        (_, None) => *slot = None,
    }
}

impl OwnedMeta {
    fn set(&mut self, meta: &Meta<'_>) {
        self.time = meta.time;
        self.stream = meta.stream;
        self.facility = meta.facility;
        self.severity = meta.severity;
        keep(&mut self.host, meta.host);
        keep(&mut self.app, meta.app);
        keep(&mut self.proc_id, meta.proc_id);
        keep(&mut self.msg_id, meta.msg_id);
        keep(&mut self.transport, meta.transport);
    }

    fn meta(&self) -> Meta<'_> {
        Meta {
            time: self.time,
            stream: self.stream,
            host: self.host.as_deref(),
            app: self.app.as_deref(),
            proc_id: self.proc_id.as_deref(),
            msg_id: self.msg_id.as_deref(),
            facility: self.facility,
            severity: self.severity,
            transport: self.transport.as_deref(),
        }
    }
}

/// The unwrapping state of one input, kept between calls in live mode.
#[derive(Debug)]
pub(crate) struct Unwrapper {
    pub decoder: Decoder,
    pending: Pending,
}

impl Unwrapper {
    pub fn new(decoder: Decoder) -> Unwrapper {
        Unwrapper {
            decoder,
            pending: Pending::default(),
        }
    }

    /// Hands every entry of `reader` to `sink`. With `at_end`, the pieces of a split line
    /// whose last piece never came are handed out too (live mode waits for them).
    pub fn read<R: Read, S: Sink>(
        &mut self,
        reader: &mut EntryReader<R>,
        choice: &Choice,
        place: Place<'_>,
        sink: &mut S,
        at_end: bool,
    ) -> Result<(), ScanError<S::Error>> {
        let max_line = self.decoder.config().max_line;
        let framer = Framer {
            choice,
            place,
            max_line,
            may_continue: choice.may_continue(),
        };
        let pending = &mut self.pending;
        loop {
            let entry = match reader.next_entry(&|_| true) {
                Ok(Some(entry)) => entry,
                Ok(None) => break,
                Err(e) => {
                    // What was framed so far is complete as far as anyone will know.
                    framer.flush(pending, sink).map_err(ScanError::Sink)?;
                    return Err(ScanError::Input(
                        InputError::io(place.display, &e).at_line(reader.lines_consumed() + 1),
                    ));
                }
            };
            let physical = logscan_envelope::Physical {
                bytes: entry.bytes,
                number: entry.first_line,
                too_long: entry.too_long,
            };
            if let Some(line) = self.decoder.decode(physical) {
                framer.line(pending, &line, sink).map_err(ScanError::Sink)?;
            }
        }
        if at_end {
            while let Some(line) = self.decoder.finish() {
                framer.line(pending, &line, sink).map_err(ScanError::Sink)?;
            }
        }
        framer.flush(pending, sink).map_err(ScanError::Sink)
    }
}

/// Frames inner lines into entries and hands them over.
struct Framer<'c> {
    choice: &'c Choice,
    place: Place<'c>,
    max_line: usize,
    /// Whether any entry may have continuation lines (nginx error lines are read).
    may_continue: bool,
}

impl Framer<'_> {
    fn entry<'a>(&'a self, line: u64, lines: u32, bytes: &'a [u8], meta: Meta<'a>) -> Entry<'a> {
        Entry {
            input: self.place.id,
            chunk: self.place.chunk,
            path: self.place.display,
            line,
            lines,
            bytes,
            envelope: Some(meta),
        }
    }

    /// One inner line.
    fn line<S: Sink>(
        &self,
        pending: &mut Pending,
        line: &Line<'_>,
        sink: &mut S,
    ) -> Result<(), S::Error> {
        let at = self.entry(line.first_line, line.lines, line.bytes, line.meta);
        if let Some(problem) = line.problem {
            sink.envelope_problem(&at, problem)?;
        }
        if line.kind == Kind::Other {
            return sink.other(&at);
        }
        if line.too_long {
            // An over-long line ends the entry before it, like in a plain file.
            self.flush(pending, sink)?;
            return sink.unrecognized(
                &at,
                Unrecognized::TooLong {
                    max_line: self.max_line,
                },
            );
        }
        // A line that starts no entry after a line of the ingress controller (of the same
        // stream) continues it, as in a plain stream: a klog message of several lines, the
        // empty lines of the controller's banner.
        if pending.controller.is_some() {
            if !pending.active
                && pending.controller == Some(line.meta.stream)
                && line.problem.is_none()
                && (line.bytes.trim_ascii().is_empty() || !self.choice.starts_entry(line.bytes))
            {
                return sink.other(&at);
            }
            pending.controller = None;
        }
        if !self.may_continue {
            if self.parse(&at, sink)? == Handed::Other {
                pending.controller = Some(line.meta.stream);
            }
            return Ok(());
        }
        // A line continues the entry before it only if that is an nginx error entry of
        // the same stream and the line starts no entry of its own.
        // A line whose envelope was broken (a journald MESSAGE left out) starts afresh.
        if pending.active
            && line.problem.is_none()
            && pending.meta.stream == line.meta.stream
            && !self.choice.starts_entry(line.bytes)
            && pending.bytes.len() + 1 + line.bytes.len() <= self.max_line
        {
            pending.bytes.push(b'\n');
            pending.bytes.extend_from_slice(line.bytes);
            pending.lines += line.lines;
            return Ok(());
        }
        self.flush(pending, sink)?;
        if logscan_parse::Parser::nginx_error().starts_entry(line.bytes) {
            pending.active = true;
            pending.bytes.clear();
            pending.bytes.extend_from_slice(line.bytes);
            pending.first_line = line.first_line;
            pending.lines = line.lines;
            pending.meta.set(&line.meta);
            Ok(())
        } else {
            if self.parse(&at, sink)? == Handed::Other {
                pending.controller = Some(line.meta.stream);
            }
            Ok(())
        }
    }

    /// Hands over the entry being framed, if any.
    fn flush<S: Sink>(&self, pending: &mut Pending, sink: &mut S) -> Result<(), S::Error> {
        if !pending.active {
            return Ok(());
        }
        pending.active = false;
        let at = self.entry(
            pending.first_line,
            pending.lines,
            &pending.bytes,
            pending.meta.meta(),
        );
        self.parse(&at, sink).map(|_| ())
    }

    fn parse<S: Sink>(&self, at: &Entry<'_>, sink: &mut S) -> Result<Handed, S::Error> {
        let mut record = Record::Error(ErrorRecord::default());
        match self.choice.parse_into(at.bytes, &mut record) {
            Ok(()) => sink.record(at, &record).map(|()| Handed::Record),
            Err(_) if self.choice.is_other(at.bytes) => sink.other(at).map(|()| Handed::Other),
            Err(e) => sink
                .unrecognized(at, Unrecognized::Parse(e))
                .map(|()| Handed::Unrecognized),
        }
    }
}

/// What an entry was handed to the sink as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Handed {
    Record,
    Unrecognized,
    /// A line of the ingress controller.
    Other,
}
