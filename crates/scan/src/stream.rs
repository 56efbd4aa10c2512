//! [`Stream`]: one input read in steps as it grows (live mode).

use std::io::Read;

use logscan_input::{EntryReader, Input, InputError};

use crate::choose::Choice;
use crate::read::{Place, SAMPLE_BYTES, SAMPLE_LINES, read_entries};
use crate::sink::{Sink, Start};
use crate::unwrap::Unwrapper;
use crate::{ScanError, Scanner};

/// An input read as it grows: each [`Stream::pump`] hands the sink the entries that
/// have arrived since the last one. The parser is chosen from the first lines once there
/// are any (an empty file waits); line numbers go on from pump to pump.
///
/// The reader returns `Ok(0)` when it has nothing more for now, and must do so only at a
/// line's end, so that no line is read in two pieces (logscan-follow's `Tail` does this).
/// An entry is handed out when the reader pauses after it, so continuation lines written
/// later than their entry's first line start an entry of their own.
#[derive(Debug)]
pub struct Stream<R: Read> {
    id: u32,
    input: Input,
    reader: EntryReader<R>,
    choice: Option<Choice>,
    /// The envelope's decoder and framing state, for an enveloped input.
    unwrapper: Option<Unwrapper>,
}

impl Scanner {
    /// A stream over `reader`, named `input` in messages and reports, as input `id`.
    pub fn stream<R: Read>(&self, id: u32, input: Input, reader: R) -> Stream<R> {
        Stream {
            id,
            input,
            reader: EntryReader::new(reader, self.reader),
            choice: None,
            unwrapper: None,
        }
    }
}

impl<R: Read> Stream<R> {
    /// Hands `sink` every entry available now (the sink's `start` first, on the first pump
    /// that finds a line). Returns how many physical lines were handed over. A read error
    /// is [`ScanError::Input`], named by path and line; pumping again later goes on.
    pub fn pump<S: Sink>(
        &mut self,
        scanner: &Scanner,
        sink: &mut S,
    ) -> Result<u64, ScanError<S::Error>> {
        self.reader.resume();
        let before = self.reader.lines_consumed();
        if self.choice.is_none() {
            let sample = self
                .reader
                .sample(SAMPLE_LINES, SAMPLE_BYTES)
                .map_err(|e| ScanError::Input(InputError::io(&self.input.display, &e)))?;
            if sample.is_empty() {
                return Ok(0);
            }
            let (envelope, choice) = scanner.choose(&sample, &self.input);
            sink.start(&Start {
                id: self.id,
                chunk: 0,
                input: &self.input,
                parser: &choice.parser,
                detected: choice.detected,
                envelope,
            })
            .map_err(ScanError::Sink)?;
            self.choice = Some(choice);
            self.unwrapper = envelope.map(|e| Unwrapper::new(scanner.decoder(e, &self.input)));
        }
        let Some(choice) = &self.choice else {
            return Ok(0);
        };
        let place = Place {
            id: self.id,
            chunk: 0,
            display: &self.input.display,
            chunk_start: None,
        };
        match &mut self.unwrapper {
            // The pieces of a split line wait for their last piece across pumps.
            Some(unwrapper) => unwrapper.read(&mut self.reader, choice, place, sink, false)?,
            None => read_entries(&mut self.reader, choice, place, sink)?,
        }
        Ok(self.reader.lines_consumed() - before)
    }

    /// The input's id.
    pub fn id(&self) -> u32 {
        self.id
    }

    /// The input.
    pub fn input(&self) -> &Input {
        &self.input
    }

    /// Whether the parser was chosen (a line arrived).
    pub fn started(&self) -> bool {
        self.choice.is_some()
    }

    /// Lines handed over so far.
    pub fn lines(&self) -> u64 {
        self.reader.lines_consumed()
    }

    /// The reader.
    pub fn reader(&self) -> &R {
        self.reader.get_ref()
    }

    /// The reader, e.g. to tell it to read to the very end.
    pub fn reader_mut(&mut self) -> &mut R {
        self.reader.get_mut()
    }
}
