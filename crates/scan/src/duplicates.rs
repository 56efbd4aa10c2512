//! Access logs that repeat another one's requests.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::io::Read;

use logscan_input::{EntryReader, Input, ReaderConfig, Source, open};
use logscan_parse::Record;
use logscan_parse::detect::builtins;
use rayon::prelude::*;

use crate::Scanner;
use crate::read::SAMPLE_BYTES;

/// Records compared at the head of each access log.
const HEAD: usize = 20;
/// The most bytes asked of an input at once while reading its head: the first lines are
/// in the first few KiB, and an archive decompresses only what is asked of it (the
/// sample's window is 256 KiB, the whole of a small rotated file).
const HEAD_READ: usize = 16 << 10;
/// The bytes asked for first: enough for the first line, which rules most logs out.
const FIRST_READ: usize = 4 << 10;

/// A reader that hands out at most [`FIRST_READ`] bytes on the first call, then at most
/// [`HEAD_READ`].
struct SmallReads<R> {
    inner: R,
    first: bool,
}

impl<R: Read> Read for SmallReads<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let cap = if std::mem::take(&mut self.first) {
            FIRST_READ
        } else {
            HEAD_READ
        };
        let n = buf.len().min(cap);
        self.inner.read(&mut buf[..n])
    }
}

impl Scanner {
    /// Access logs that hold the same requests as another access log of the same directory
    /// (sites often log every request twice: `combined` for people, a richer format with
    /// upstream timings for tools). Counting both would double every request, so only the
    /// one that logs more fields should be read. Returns the indices of the inputs to skip,
    /// each with the input it duplicates; compares the first 20 records of regular files.
    pub fn duplicate_access_logs(&self, inputs: &[Input]) -> Vec<(usize, usize)> {
        // (directory, fingerprint of the first records, fields typed) per input.
        let heads: Vec<Option<(String, u64, usize)>> =
            self.install(|| inputs.par_iter().map(|input| self.head(input)).collect());
        let mut skip = Vec::new();
        for (i, head) in heads.iter().enumerate() {
            let Some((dir, print, _)) = head else {
                continue;
            };
            // The richest log of the group (ties: the first listed) is read.
            let keeper = heads
                .iter()
                .enumerate()
                .filter(|(_, h)| h.as_ref().is_some_and(|(d, p, _)| d == dir && p == print))
                .max_by_key(|(j, h)| (h.as_ref().map_or(0, |x| x.2), std::cmp::Reverse(*j)))
                .map(|(j, _)| j);
            if let Some(keeper) = keeper.filter(|&k| k != i) {
                skip.push((i, keeper));
            }
        }
        skip
    }

    /// Whether one of the access formats a chosen parser can be made of (the user's, the
    /// built-in ones) reads `line` as an access record.
    fn access_reads(&self, line: &[u8]) -> bool {
        self.formats
            .access
            .iter()
            .chain(builtins())
            .filter(|parser| parser.format().is_access())
            .any(|parser| matches!(parser.parse(line), Ok(Record::Access(_))))
    }

    /// The directory, a fingerprint of the first records and how many fields they type,
    /// of an access log that is a regular file.
    fn head(&self, input: &Input) -> Option<(String, u64, usize)> {
        // Only regular files: reading the head of a FIFO would consume it.
        let (Source::Path(path), Some(_)) = (&input.source, input.size) else {
            return None;
        };
        if !path.is_file() {
            return None;
        }
        let opened = open(input, None).ok()?;
        let small = SmallReads {
            inner: opened.reader,
            first: true,
        };
        let mut reader = EntryReader::new(small, ReaderConfig::default());
        // Only a log whose every head line its parser reads as an access record counts,
        // and whatever parser detection chooses reads no line that none of the access
        // formats reads: a first line none of them reads (an error log's) rules the input
        // out without choosing its parser, which costs as much as reading the head 20
        // times over; and without reading (decompressing) more than that line.
        let first = reader.sample(1, SAMPLE_BYTES).ok()?;
        if !first.first().is_some_and(|line| self.access_reads(line)) {
            return None;
        }
        let lines = reader.sample(HEAD, SAMPLE_BYTES).ok()?;
        let choice = self.formats.choose_parser(&lines, &input.display);
        if !choice.detected || !choice.parser.format().is_access() || lines.len() < HEAD.min(5) {
            return None;
        }
        let mut hasher = DefaultHasher::new();
        let mut typed = 0;
        for line in &lines {
            let Ok(Record::Access(r)) = choice.parser.parse(line) else {
                return None;
            };
            (
                r.time.map(|t| t.wall_seconds()),
                r.client,
                r.request,
                r.status,
            )
                .hash(&mut hasher);
            typed += [
                r.request_time_us.is_some(),
                !r.upstream.is_empty(),
                r.host.is_some(),
                r.user_agent.is_some(),
            ]
            .iter()
            .filter(|b| **b)
            .count();
        }
        let dir = path
            .parent()
            .map(|d| d.to_string_lossy().into_owned())
            .unwrap_or_default();
        Some((dir, hasher.finish(), typed))
    }
}
