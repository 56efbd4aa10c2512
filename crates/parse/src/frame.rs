//! Entry framing: a byte stream to entries, with a size limit on each.
//!
//! [`Parser::parse`](crate::Parser::parse) takes one entry. Most formats write one entry a
//! line, but an nginx error entry may go on over several lines (FastCGI stderr with a PHP
//! stack trace, some Lua messages), and a stream may hold anything: a line of 100 MB, binary
//! junk without a newline. [`EntryReader`] splits any [`Read`] (a socket, a pipe, stdin, a
//! `&[u8]`) into physical lines and joins continuation lines to the entry before them, as
//! [`Parser::starts_entry`](crate::Parser::starts_entry) (or a rule of yours) says, keeping
//! each entry and each line within the limits of its [`ReaderConfig`]. It is the framing
//! logscan itself uses.
//!
//! ```
//! # fn main() -> std::io::Result<()> {
//! use logscan_parse::{EntryReader, Parser, ReaderConfig, Record};
//!
//! let log = b"2026/11/25 01:28:02 [error] 812#812: *97 FastCGI sent in stderr: \"PHP message: PHP Fatal error:  Uncaught Exception: boom in /var/www/index.php:3\n\
//! Stack trace:\n\
//! #0 /var/www/index.php(3): f()\n\
//! #1 {main}\" while reading response header from upstream, client: 10.1.2.3, server: shop.example, request: \"GET / HTTP/1.1\", upstream: \"fastcgi://unix:/run/php/php8.2-fpm.sock:\", host: \"shop.example\"\n\
//! 2026/11/25 01:28:03 [error] 812#812: *98 connect() failed (111: Connection refused) while connecting to upstream, client: 10.1.2.3, server: shop.example, request: \"GET / HTTP/1.1\", upstream: \"http://10.0.0.5:8080/\", host: \"shop.example\"\n";
//! let parser = Parser::nginx_error();
//! let mut reader = EntryReader::new(&log[..], ReaderConfig::default());
//! let mut seen = Vec::new();
//! while let Some(entry) = reader.next_entry_for(&parser)? {
//!     let Ok(Record::Error(record)) = parser.parse(entry.bytes) else { continue };
//!     let cause = record.failure.map(|f| f.cause.id());
//!     seen.push((entry.first_line, entry.lines, cause));
//! }
//! assert_eq!(seen, [
//!     (1, 4, Some("php_fatal")), // the stack trace joined to its line
//!     (5, 1, Some("upstream_refused")),
//! ]);
//! # Ok(()) }
//! ```
//!
//! For files, reach for [`logscan-input`](https://crates.io/crates/logscan-input) instead:
//! it finds the logs in a directory, reads rotated series in time order, decompresses gzip,
//! zstd, bzip2 and xz, and splits a large file into chunks at entry starts for parallel
//! reading (all with this same framing). [`logscan-scan`](https://crates.io/crates/logscan-scan)
//! runs the whole loop: open, detect the format, frame, parse, into a sink of yours.

use std::cell::RefCell;
use std::fmt;
use std::io::{self, Read};
use std::ops::{Deref, DerefMut};

use crate::Parser;

/// Buffer size to start with (grows only for lines or entries longer than what fits).
const INITIAL_BUFFER: usize = 256 * 1024;
/// Room a read should at least have; the buffer is compacted or grown to keep it.
const MIN_READ: usize = 64 * 1024;

/// Buffers of [`INITIAL_BUFFER`] bytes a thread keeps for its next readers, at most.
const SPARES: usize = 2;

thread_local! {
    /// Buffers of readers dropped on this thread, for the next ones: a rotated series is
    /// hundreds of small files, each read by a reader of its own (two, with the duplicate
    /// check), and allocating and zeroing 256 KiB for each cost more than reading it.
    static SPARE_BUFFERS: RefCell<Vec<Vec<u8>>> = const { RefCell::new(Vec::new()) };
}

/// A reader's buffer: taken from the thread's spares when one is there, given back when
/// the reader is dropped (only at its first size: a buffer grown for a long line is freed,
/// so what a thread keeps stays at [`SPARES`] x 256 KiB). Its bytes past what the reader
/// has read are never looked at, so a reused buffer needs no zeroing.
struct Buffer(Vec<u8>);

impl Buffer {
    fn new(size: usize) -> Buffer {
        if size == INITIAL_BUFFER {
            let spare = SPARE_BUFFERS
                .try_with(|spares| spares.try_borrow_mut().ok().and_then(|mut s| s.pop()))
                .ok()
                .flatten();
            if let Some(buf) = spare {
                return Buffer(buf);
            }
        }
        Buffer(vec![0; size])
    }
}

impl Drop for Buffer {
    fn drop(&mut self) {
        if self.0.len() != INITIAL_BUFFER {
            return;
        }
        let buf = std::mem::take(&mut self.0);
        // A thread being torn down has no spares to keep: the buffer is freed.
        let _ = SPARE_BUFFERS.try_with(|spares| {
            if let Ok(mut spares) = spares.try_borrow_mut() {
                if spares.len() < SPARES {
                    spares.push(buf);
                }
            }
        });
    }
}

impl Deref for Buffer {
    type Target = Vec<u8>;
    fn deref(&self) -> &Vec<u8> {
        &self.0
    }
}

impl DerefMut for Buffer {
    fn deref_mut(&mut self) -> &mut Vec<u8> {
        &mut self.0
    }
}

/// Limits of an [`EntryReader`]. Memory stays under about `max(max_line, max_entry)` plus
/// 64 KiB, whatever the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReaderConfig {
    /// The longest physical line (without its `\n`) kept whole; a longer one becomes an
    /// entry with [`Entry::too_long`] set and its first `max_line` bytes. Default 1 MiB.
    pub max_line: usize,
    /// The largest entry continuation lines may grow (bytes, as in [`Entry::bytes`]);
    /// a continuation line that would pass it starts an entry of its own. Default 1 MiB.
    pub max_entry: usize,
    /// The most continuation lines joined to one entry; further ones start an entry of
    /// their own. Default 10 000.
    pub max_continuation_lines: u32,
}

impl Default for ReaderConfig {
    fn default() -> Self {
        ReaderConfig {
            max_line: 1 << 20,
            max_entry: 1 << 20,
            max_continuation_lines: 10_000,
        }
    }
}

/// One entry: a physical line and the continuation lines joined to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry<'a> {
    /// The entry's bytes as they are in the input, without the final line's `\n`: a `\r`
    /// before it stays (the parser strips it), and joined lines keep the `\n` or `\r\n`
    /// between them. For a `too_long` line, its first `max_line` bytes.
    pub bytes: &'a [u8],
    /// 1-based number of the entry's first physical line.
    pub first_line: u64,
    /// Physical lines in the entry (1 plus the continuation lines joined).
    pub lines: u32,
    /// The line was longer than [`ReaderConfig::max_line`]; `bytes` holds only its start and
    /// the rest was skipped without being buffered.
    pub too_long: bool,
}

impl Entry<'_> {
    /// The entry's first physical line, without its `\n` (a `\r` before it stays).
    pub fn first_line_bytes(&self) -> &[u8] {
        match memchr::memchr(b'\n', self.bytes) {
            Some(i) => &self.bytes[..i],
            None => self.bytes,
        }
    }
}

/// What a line search found, offsets relative to the line's start.
enum Line {
    /// A line of `len` bytes, followed by `\n` unless `terminated` is false (end of input).
    Found { len: usize, terminated: bool },
    /// More than the limit without a `\n`.
    TooLong,
    /// Nothing left.
    Eof,
}

/// Frames a byte stream into entries: physical lines split on `\n` (with `memchr`, over one
/// reused buffer, without allocating per line), joined into multi-line entries by a
/// format-specific callback.
///
/// `starts_entry` gets each physical line after an entry's first (without its `\n`, a `\r`
/// kept) and answers whether it begins a new entry; `false` makes it a continuation of the
/// current entry (nginx writes parts of some messages on lines of their own). It is called
/// at most once per line. Continuation lines join while the entry stays within
/// [`ReaderConfig::max_entry`] bytes and [`ReaderConfig::max_continuation_lines`]; past that,
/// and at the very start of the stream, a continuation line begins an entry of its own
/// (which following continuation lines may join). So every physical line is in exactly one
/// entry, and the `lines` of all entries add up to what `wc -l` counts, plus one if the last
/// line has no `\n`.
///
/// ```
/// # fn main() -> std::io::Result<()> {
/// use logscan_parse::{EntryReader, ReaderConfig};
///
/// let log = b"2024/05/01 14:02:11 [error] 1#1: boom\nstack line\r\n2024/05/01 14:02:12 [warn] x";
/// let mut reader = EntryReader::new(&log[..], ReaderConfig::default());
/// let starts = |line: &[u8]| line.first().is_some_and(u8::is_ascii_digit);
///
/// let e = reader.next_entry(&starts)?.unwrap();
/// assert_eq!(e.bytes, b"2024/05/01 14:02:11 [error] 1#1: boom\nstack line\r");
/// assert_eq!((e.first_line, e.lines), (1, 2));
/// let e = reader.next_entry(&starts)?.unwrap();
/// assert_eq!((e.first_line, e.lines, e.bytes.len()), (3, 1, 28));
/// assert!(reader.next_entry(&starts)?.is_none());
/// assert_eq!(reader.bytes_consumed(), log.len() as u64);
/// # Ok(()) }
/// ```
pub struct EntryReader<R: Read> {
    reader: R,
    config: ReaderConfig,
    /// `buf[pos..end]` is read but not yet consumed. `buf.len()` is the allocated size.
    buf: Buffer,
    pos: usize,
    end: usize,
    /// The largest the buffer may grow.
    limit: usize,
    eof: bool,
    /// The line at `pos`, when the last entry ended because it starts an entry.
    peeked: Option<(usize, bool)>,
    /// An error met while looking past a complete entry, returned by the next call.
    pending_error: Option<io::Error>,
    /// Number of the line at `pos`.
    line: u64,
    consumed: u64,
}

impl<R: Read> fmt::Debug for EntryReader<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EntryReader")
            .field("config", &self.config)
            .field("buffered", &(self.end - self.pos))
            .field("buffer_size", &self.buf.len())
            .field("eof", &self.eof)
            .field("next_line", &self.line)
            .field("bytes_consumed", &self.consumed)
            .finish_non_exhaustive()
    }
}

impl<R: Read> EntryReader<R> {
    /// A reader over `reader` with the given limits. It does its own buffering in large
    /// reads; there is no need for a `BufReader` in front.
    pub fn new(reader: R, config: ReaderConfig) -> Self {
        let limit = config
            .max_line
            .max(config.max_entry)
            .saturating_add(1 + MIN_READ);
        EntryReader {
            reader,
            config,
            buf: Buffer::new(INITIAL_BUFFER.min(limit)),
            pos: 0,
            end: 0,
            limit,
            eof: false,
            peeked: None,
            pending_error: None,
            line: 1,
            consumed: 0,
        }
    }

    /// The limits in use.
    pub fn config(&self) -> &ReaderConfig {
        &self.config
    }

    /// Bytes of input consumed by the entries returned so far (line terminators and the
    /// skipped rest of over-long lines included).
    pub fn bytes_consumed(&self) -> u64 {
        self.consumed
    }

    /// Physical lines in the entries returned so far; the next entry starts at line
    /// `lines_consumed() + 1`.
    pub fn lines_consumed(&self) -> u64 {
        self.line - 1
    }

    /// The size of the internal buffer now (it never passes about
    /// `max(max_line, max_entry) + 64 KiB`).
    pub fn buffer_size(&self) -> usize {
        self.buf.len()
    }

    /// Gives back the underlying reader (buffered, unconsumed bytes are lost).
    pub fn into_inner(self) -> R {
        self.reader
    }

    /// The underlying reader.
    pub fn get_ref(&self) -> &R {
        &self.reader
    }

    /// The underlying reader, e.g. to tell a growing file's reader to read to its very end.
    /// Reading from it directly loses the entry framing's place.
    pub fn get_mut(&mut self) -> &mut R {
        &mut self.reader
    }

    /// Reads on after the end of input: the next call asks the reader for more bytes again,
    /// for a file that grows or a live stream. The reader should return `Ok(0)` only at the
    /// end of a line (after a `\n`), or a line that is still being written is read as two.
    /// Line numbers go on from where they were.
    pub fn resume(&mut self) {
        self.eof = false;
    }

    /// The first complete physical lines from the current position (the start, before any
    /// entry was read), without consuming them: at most `max_lines` lines within the first
    /// `max_bytes` bytes (capped at the buffer limit), each without its `\n`. A last line
    /// without `\n` counts at end of input. For format detection; [`next_entry`] returns the
    /// same lines again.
    ///
    /// [`next_entry`]: EntryReader::next_entry
    pub fn sample(&mut self, max_lines: usize, max_bytes: usize) -> io::Result<Vec<&[u8]>> {
        let max_bytes = max_bytes.min(self.limit - MIN_READ);
        // Read until the window holds enough lines, is full, or the input ends.
        let mut scanned = 0;
        let mut found = 0;
        loop {
            let window = (self.end - self.pos).min(max_bytes);
            found += memchr::memchr_iter(b'\n', &self.buf[self.pos + scanned..self.pos + window])
                .count();
            scanned = window;
            if found >= max_lines || window >= max_bytes || self.eof {
                break;
            }
            self.fill(max_bytes)?;
        }
        let window = &self.buf[self.pos..self.pos + (self.end - self.pos).min(max_bytes)];
        let mut lines = Vec::with_capacity(max_lines.min(found + 1));
        let mut rest = window;
        while lines.len() < max_lines {
            match memchr::memchr(b'\n', rest) {
                Some(i) => {
                    lines.push(&rest[..i]);
                    rest = &rest[i + 1..];
                }
                None => {
                    // A last line without '\n' at end of input, if it is wholly in the window.
                    let whole = self.pos + window.len() == self.end;
                    if self.eof && whole && !rest.is_empty() {
                        lines.push(rest);
                    }
                    break;
                }
            }
        }
        Ok(lines)
    }

    /// The next entry, or `None` at end of input. See the type's documentation for how
    /// lines are joined. A read error is returned after every entry complete before it; the
    /// partial line at the error is not returned.
    pub fn next_entry(
        &mut self,
        starts_entry: &dyn Fn(&[u8]) -> bool,
    ) -> io::Result<Option<Entry<'_>>> {
        let (first_len, mut terminated) = match self.first_line()? {
            Line::Found { len, terminated } => (len, terminated),
            Line::TooLong => return self.too_long().map(Some),
            Line::Eof => return Ok(None),
        };
        let mut len = first_len; // bytes of the entry (without the final '\n')
        let mut lines: u32 = 1;
        while terminated && lines <= self.config.max_continuation_lines && lines < u32::MAX {
            let start = len + 1;
            if start > self.config.max_entry {
                break;
            }
            let limit = self.config.max_line.min(self.config.max_entry - start);
            let next = match self.find_line(start, limit) {
                Ok(next) => next,
                Err(err) => {
                    // The entry so far is complete: return it, and the error next time.
                    self.pending_error = Some(err);
                    break;
                }
            };
            match next {
                Line::Found {
                    len: line_len,
                    terminated: line_terminated,
                } => {
                    let from = self.pos + start;
                    if starts_entry(&self.buf[from..from + line_len]) {
                        self.peeked = Some((line_len, line_terminated));
                        break;
                    }
                    len = start + line_len;
                    lines += 1;
                    terminated = line_terminated;
                }
                Line::TooLong | Line::Eof => break,
            }
        }
        Ok(Some(self.take(len, terminated, lines)))
    }

    /// The next physical line as an entry of its own, or `None` at end of input: what
    /// [`next_entry`](EntryReader::next_entry) gives when every line starts an entry, without
    /// looking at the line after it first (for the formats with no continuation lines:
    /// one `memchr` a line and no rule to call).
    pub fn next_line(&mut self) -> io::Result<Option<Entry<'_>>> {
        match self.first_line()? {
            Line::Found { len, terminated } => Ok(Some(self.take(len, terminated, 1))),
            Line::TooLong => self.too_long().map(Some),
            Line::Eof => Ok(None),
        }
    }

    /// The line an entry starts with: the error met after the last entry first, then the
    /// line looked at already (when the last entry ended because it starts one), else the
    /// line at `pos`.
    #[inline(always)]
    fn first_line(&mut self) -> io::Result<Line> {
        if let Some(err) = self.pending_error.take() {
            return Err(err);
        }
        match self.peeked.take() {
            Some((len, terminated)) => Ok(Line::Found { len, terminated }),
            None => self.find_line(0, self.config.max_line),
        }
    }

    /// Consumes the entry of `lines` lines and `len` bytes (without its final `\n`, which
    /// follows if `terminated`) at `pos`.
    #[inline(always)]
    fn take(&mut self, len: usize, terminated: bool, lines: u32) -> Entry<'_> {
        let at = self.pos;
        let taken = len + usize::from(terminated);
        self.pos += taken;
        self.consumed += taken as u64;
        let first_line = self.line;
        self.line += u64::from(lines);
        Entry {
            bytes: &self.buf[at..at + len],
            first_line,
            lines,
            too_long: false,
        }
    }

    /// The next entry of the format `parser` reads: [`EntryReader::next_entry`] with
    /// [`Parser::starts_entry`] as the rule.
    pub fn next_entry_for(&mut self, parser: &Parser) -> io::Result<Option<Entry<'_>>> {
        self.next_entry(&|line| parser.starts_entry(line))
    }

    /// Finds the line starting `start` bytes after `pos`, reading as needed, looking at most
    /// `limit + 1` bytes for its `\n`.
    #[inline(always)]
    fn find_line(&mut self, start: usize, limit: usize) -> io::Result<Line> {
        // Fast path: the whole line is already buffered.
        let from = self.pos + start;
        if from < self.end {
            let window_end = self.end.min(from.saturating_add(limit).saturating_add(1));
            if let Some(len) = memchr::memchr(b'\n', &self.buf[from..window_end]) {
                return Ok(Line::Found {
                    len,
                    terminated: true,
                });
            }
        }
        self.find_line_slow(start, limit)
    }

    /// [`find_line`](Self::find_line) when the buffer runs out first.
    #[cold]
    #[inline(never)]
    fn find_line_slow(&mut self, start: usize, limit: usize) -> io::Result<Line> {
        let mut scanned = 0; // bytes after the line start already searched
        loop {
            let from = self.pos + start;
            let avail = self.end.saturating_sub(from);
            let window = avail.min(limit.saturating_add(1));
            if let Some(i) = memchr::memchr(b'\n', &self.buf[from + scanned..from + window]) {
                return Ok(Line::Found {
                    len: scanned + i,
                    terminated: true,
                });
            }
            if avail > limit {
                return Ok(Line::TooLong);
            }
            if self.eof {
                return Ok(if avail == 0 {
                    Line::Eof
                } else {
                    Line::Found {
                        len: avail,
                        terminated: false,
                    }
                });
            }
            scanned = window;
            self.fill(start.saturating_add(limit).saturating_add(1))?;
        }
    }

    /// Reads once more into the buffer, compacting or growing it so that there is room for a
    /// read and `want` bytes from `pos` can fit. Sets `eof` at end of input.
    fn fill(&mut self, want: usize) -> io::Result<()> {
        if self.buf.len() - self.end < MIN_READ && self.pos > 0 {
            self.buf.copy_within(self.pos..self.end, 0);
            self.end -= self.pos;
            self.pos = 0;
        }
        let need = (self.pos + want.saturating_add(MIN_READ)).min(self.limit);
        if self.buf.len() - self.end < MIN_READ && self.buf.len() < need {
            let size = need.max(self.buf.len() * 2).min(self.limit);
            self.buf.resize(size, 0);
        }
        if self.end == self.buf.len() {
            // Only if a caller asks beyond the limit: treat as no progress possible.
            return Err(io::Error::other("entry reader buffer full"));
        }
        loop {
            match self.reader.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(());
                }
                Ok(n) => {
                    self.end += n;
                    return Ok(());
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// The line at `pos` is longer than `max_line`: keep its first `max_line` bytes, stream
    /// past the rest using the buffer beyond them as scratch space.
    fn too_long(&mut self) -> io::Result<Entry<'_>> {
        let keep = self.config.max_line;
        if self.pos > 0 {
            self.buf.copy_within(self.pos..self.end, 0);
            self.end -= self.pos;
            self.pos = 0;
        }
        let room = (keep + 1 + MIN_READ).min(self.limit);
        if self.buf.len() < room {
            self.buf.resize(room, 0);
        }
        let mut skipped: u64 = 0;
        let mut terminated = false;
        loop {
            if let Some(i) = memchr::memchr(b'\n', &self.buf[keep..self.end]) {
                skipped += i as u64;
                self.pos = keep + i + 1;
                terminated = true;
                break;
            }
            skipped += (self.end - keep) as u64;
            self.end = keep;
            if self.eof {
                self.pos = keep;
                break;
            }
            match self.reader.read(&mut self.buf[keep..]) {
                Ok(0) => self.eof = true,
                Ok(n) => self.end = keep + n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    // The line is lost; the next call goes on after what was read of it.
                    self.pos = keep;
                    self.consumed += keep as u64 + skipped;
                    return Err(e);
                }
            }
        }
        self.consumed += keep as u64 + skipped + u64::from(terminated);
        let first_line = self.line;
        self.line += 1;
        Ok(Entry {
            bytes: &self.buf[..keep],
            first_line,
            lines: 1,
            too_long: true,
        })
    }
}
