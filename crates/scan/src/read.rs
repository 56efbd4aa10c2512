//! The read loop: open → sample → choose a parser → every entry → parse → the sink.

use std::io::Read;

use logscan_envelope::{Config, Decoder, Envelope, YearHint, unwrap_sample};
use logscan_input::{EntryReader, Input, InputError, Source, open};
use logscan_parse::{ErrorRecord, Record};

use crate::choose::Choice;
use crate::sink::{Entry, Sink, Start, Unrecognized};
use crate::unwrap::Unwrapper;
use crate::{Envelopes, ScanError, Scanner};

/// Lines sampled for format detection.
pub(crate) const SAMPLE_LINES: usize = 64;
/// Bytes sampled for format detection, at most.
pub(crate) const SAMPLE_BYTES: usize = 256 << 10;

/// Where the entries of one reader belong.
#[derive(Clone, Copy)]
pub(crate) struct Place<'a> {
    pub id: u32,
    pub chunk: u32,
    pub display: &'a str,
    /// The byte offset of a chunk in its file: a read error in a chunk is placed at a byte
    /// offset of the file (its line numbers count from the chunk's start), elsewhere at a
    /// line.
    pub chunk_start: Option<u64>,
}

impl Scanner {
    /// Reads one input: opens it (decompressing by magic bytes), chooses its parser from
    /// its first lines, then hands the sink a [`Start`] and every entry in order.
    ///
    /// A problem reading the input (it cannot be opened, an I/O error or a corrupt
    /// archive mid-way) is [`ScanError::Input`], named by path and line; the sink has then
    /// had every entry before it. An error from the sink stops reading and is
    /// [`ScanError::Sink`].
    pub fn scan<S: Sink>(
        &self,
        id: u32,
        input: &Input,
        sink: &mut S,
    ) -> Result<(), ScanError<S::Error>> {
        let opened = open(input, self.progress.as_ref()).map_err(ScanError::Input)?;
        self.scan_reader(id, input, opened.reader, sink)
    }

    /// [`Scanner::scan`] over bytes that are already open: `reader` is read as the
    /// content of `input` (which is not opened; it names the bytes in messages and
    /// reports). For logs in memory, sockets, or a decompressor of your own.
    pub fn scan_reader<R: Read, S: Sink>(
        &self,
        id: u32,
        input: &Input,
        reader: R,
        sink: &mut S,
    ) -> Result<(), ScanError<S::Error>> {
        let mut reader = EntryReader::new(reader, self.reader);
        let (envelope, choice) = match reader.sample(SAMPLE_LINES, SAMPLE_BYTES) {
            Ok(lines) => self.choose(&lines, input),
            Err(e) => return Err(ScanError::Input(InputError::io(&input.display, &e))),
        };
        let start = Start {
            id,
            chunk: 0,
            input,
            parser: &choice.parser,
            detected: choice.detected,
            envelope,
        };
        sink.start(&start).map_err(ScanError::Sink)?;
        let place = Place {
            id,
            chunk: 0,
            display: &input.display,
            chunk_start: None,
        };
        match envelope {
            None => read_entries(&mut reader, &choice, place, sink),
            Some(envelope) => Unwrapper::new(self.decoder(envelope, input)).read(
                &mut reader,
                &choice,
                place,
                sink,
                true,
            ),
        }
    }

    /// The envelope of an input (per [`Scanner::envelopes`]) from its first physical
    /// lines.
    pub(crate) fn envelope_of(&self, sample: &[&[u8]]) -> Option<Envelope> {
        match self.formats.envelopes {
            Envelopes::Auto => logscan_envelope::detect(sample),
            Envelopes::None => None,
            Envelopes::Always(envelope) => Some(envelope),
        }
    }

    /// The envelope and the parsers of an input from its first physical lines: the
    /// parsers are chosen from the inner lines.
    pub(crate) fn choose(&self, sample: &[&[u8]], input: &Input) -> (Option<Envelope>, Choice) {
        match self.envelope_of(sample) {
            None => (None, self.formats.choose_parser(sample, &input.display)),
            Some(envelope) => {
                let inner = unwrap_sample(envelope, sample, self.decoder_config(input));
                let inner: Vec<&[u8]> = inner.iter().map(Vec::as_slice).collect();
                (
                    Some(envelope),
                    self.formats.choose_parser(&inner, &input.display),
                )
            }
        }
    }

    /// The decoder settings for `input`: the reader's line limit, the server programs,
    /// and the year of RFC 3164 times from the file's modification time (now for stdin).
    fn decoder_config(&self, input: &Input) -> Config {
        let modified = match &input.source {
            Source::Path(path) => std::fs::metadata(path)
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .and_then(|d| i64::try_from(d.as_secs()).ok()),
            Source::Stdin => None,
        };
        Config {
            max_line: self.reader.max_line,
            programs: self.formats.programs.clone(),
            year: modified.map_or_else(YearHint::now, YearHint::from_unix),
        }
    }

    pub(crate) fn decoder(&self, envelope: Envelope, input: &Input) -> Decoder {
        Decoder::new(envelope, self.decoder_config(input))
    }

    /// Reads every input in order into one sink ([`Scanner::scan`] with ids 0, 1, ...).
    /// Returns the problems of the inputs that could not be read in full, in input order;
    /// the others are still read. Stops at the first error of the sink.
    pub fn scan_all<S: Sink>(
        &self,
        inputs: &[Input],
        sink: &mut S,
    ) -> Result<Vec<InputError>, S::Error> {
        if let Some(progress) = &self.progress {
            progress.add_total(inputs.iter().filter_map(|i| i.size).sum());
        }
        let mut problems = Vec::new();
        for (id, input) in inputs.iter().enumerate() {
            match self.scan(id as u32, input, sink) {
                Ok(()) => {}
                Err(ScanError::Input(problem)) => problems.push(problem),
                Err(ScanError::Sink(e)) => return Err(e),
            }
        }
        Ok(problems)
    }
}

/// Hands every entry of `reader` to `sink`, parsed with `choice`.
pub(crate) fn read_entries<R: Read, S: Sink>(
    reader: &mut EntryReader<R>,
    choice: &Choice,
    place: Place<'_>,
    sink: &mut S,
) -> Result<(), ScanError<S::Error>> {
    if choice.lines_are_entries() {
        read_entries_framed::<R, S, true>(reader, choice, place, sink)
    } else {
        read_entries_framed::<R, S, false>(reader, choice, place, sink)
    }
}

/// [`read_entries`], each entry a line if `LINES` (a loop of its own for each, so that
/// the loop of the formats with continuation lines has no test for the other).
fn read_entries_framed<R: Read, S: Sink, const LINES: bool>(
    reader: &mut EntryReader<R>,
    choice: &Choice,
    place: Place<'_>,
    sink: &mut S,
) -> Result<(), ScanError<S::Error>> {
    let starts_entry = |line: &[u8]| choice.starts_entry(line);
    let max_line = reader.config().max_line;
    // The last entry was an ingress controller's line: an empty line after it is its too
    // (the controller's banner has two), even where every line starts an entry.
    let mut after_controller = false;
    loop {
        let next = if LINES {
            reader.next_line()
        } else {
            reader.next_entry(&starts_entry)
        };
        let entry = match next {
            Ok(Some(entry)) => entry,
            Ok(None) => return Ok(()),
            Err(e) => {
                let problem = InputError::io(place.display, &e);
                return Err(ScanError::Input(match place.chunk_start {
                    Some(start) => problem.at_offset(start + reader.bytes_consumed()),
                    None => problem.at_line(reader.lines_consumed() + 1),
                }));
            }
        };
        let at = Entry {
            input: place.id,
            chunk: place.chunk,
            path: place.display,
            line: entry.first_line,
            lines: entry.lines,
            bytes: entry.bytes,
            envelope: None,
        };
        let was_controller = std::mem::take(&mut after_controller);
        let handed = if entry.too_long {
            sink.unrecognized(&at, Unrecognized::TooLong { max_line })
        } else {
            // Read into a slot here, not returned: a record is 300 to 400 bytes, not worth
            // a copy.
            let mut record = Record::Error(ErrorRecord::default());
            let parsed = if LINES {
                choice.parse_into(entry.bytes, &mut record)
            } else {
                choice.parse_entry_into(entry.bytes, entry.lines, &mut record)
            };
            match parsed {
                Ok(()) => sink.record(&at, &record),
                Err(_)
                    if choice.is_other(entry.bytes)
                        || (was_controller && entry.bytes.trim_ascii().is_empty()) =>
                {
                    after_controller = true;
                    sink.other(&at)
                }
                Err(e) => sink.unrecognized(&at, Unrecognized::Parse(e)),
            }
        };
        handed.map_err(ScanError::Sink)?;
    }
}
