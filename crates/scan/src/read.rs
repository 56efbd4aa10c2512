//! The read loop: open → sample → choose a parser → every entry → parse → the sink.

use std::io::Read;

use logscan_input::{EntryReader, Input, InputError, open};
use logscan_parse::Parser;

use crate::sink::{Entry, Sink, Start, Unrecognized};
use crate::{ScanError, Scanner};

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
        let choice = match reader.sample(SAMPLE_LINES, SAMPLE_BYTES) {
            Ok(lines) => self.formats.choose_parser(&lines, &input.display),
            Err(e) => return Err(ScanError::Input(InputError::io(&input.display, &e))),
        };
        let start = Start {
            id,
            chunk: 0,
            input,
            parser: &choice.parser,
            detected: choice.detected,
        };
        sink.start(&start).map_err(ScanError::Sink)?;
        let place = Place {
            id,
            chunk: 0,
            display: &input.display,
            chunk_start: None,
        };
        read_entries(&mut reader, &choice.parser, place, sink)
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

/// Hands every entry of `reader` to `sink`, parsed with `parser`.
pub(crate) fn read_entries<R: Read, S: Sink>(
    reader: &mut EntryReader<R>,
    parser: &Parser,
    place: Place<'_>,
    sink: &mut S,
) -> Result<(), ScanError<S::Error>> {
    let starts_entry = |line: &[u8]| parser.starts_entry(line);
    let max_line = reader.config().max_line;
    loop {
        let entry = match reader.next_entry(&starts_entry) {
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
        };
        let handed = if entry.too_long {
            sink.unrecognized(&at, Unrecognized::TooLong { max_line })
        } else {
            match parser.parse(entry.bytes) {
                Ok(record) => sink.record(&at, &record),
                Err(e) => sink.unrecognized(&at, Unrecognized::Parse(e)),
            }
        };
        handed.map_err(ScanError::Sink)?;
    }
}
