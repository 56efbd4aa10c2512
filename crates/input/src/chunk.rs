//! Splitting one large plain file into chunks for parallel reading.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use crate::open::Progress;

/// Lines longer than this are never chosen as chunk boundaries (they are read, not kept).
pub(crate) const MAX_BOUNDARY_LINE: usize = 1 << 20;
/// Read size while planning.
const PLAN_BUFFER: usize = 64 * 1024;

/// A byte range `[start, end)` of a file that begins at an entry start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Chunk {
    /// Position of the chunk in the file, from 0.
    pub index: usize,
    /// Offset of the chunk's first byte: 0 or the start of a line that starts an entry.
    pub start: u64,
    /// Offset just past the chunk's last byte: the next chunk's `start`, or the size planned.
    pub end: u64,
}

impl Chunk {
    /// Length in bytes.
    pub fn len(&self) -> u64 {
        self.end.saturating_sub(self.start)
    }

    /// True if the chunk holds no bytes (only for an empty file).
    pub fn is_empty(&self) -> bool {
        self.end <= self.start
    }
}

/// Splits the first `size` bytes of a plain (uncompressed) regular file into chunks of
/// about `chunk_size` bytes for reading in parallel.
///
/// Each boundary is the first line start at least `chunk_size` bytes after the previous one
/// whose line (without its `\n`, at most 1 MiB) `starts_entry` accepts, so no entry is ever
/// split: the entries of all chunks, read in order with [`EntryReader`](crate::EntryReader),
/// are exactly the entries of the whole file. Boundaries depend only on the file's contents
/// and `chunk_size`, never on how many threads read them. Planning reads a little around each
/// boundary, not the whole file. The chunks cover `[0, size)`; an empty file gives one empty
/// chunk.
///
/// Line numbers from a reader over a chunk count from that chunk's start; add the lines of
/// the chunks before it ([`EntryReader::lines_consumed`](crate::EntryReader::lines_consumed)
/// once they are read) for the file's line numbers.
///
/// ```
/// # fn main() -> std::io::Result<()> {
/// use std::io::Read;
/// use logscan_input::{plan_chunks, read_chunk};
///
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("error.log");
/// std::fs::write(&path, "A one\n more\nA two\nA three\n more\n")?;
/// let starts = |line: &[u8]| line.starts_with(b"A");
/// let chunks = plan_chunks(&path, 32, 4, &starts)?;
/// let starts_at: Vec<u64> = chunks.iter().map(|c| c.start).collect();
/// assert_eq!(starts_at, [0, 12, 18]);
/// let mut text = String::new();
/// read_chunk(&path, &chunks[2], None)?.read_to_string(&mut text)?;
/// assert_eq!(text, "A three\n more\n");
/// # Ok(()) }
/// ```
pub fn plan_chunks(
    path: &Path,
    size: u64,
    chunk_size: u64,
    starts_entry: &dyn Fn(&[u8]) -> bool,
) -> io::Result<Vec<Chunk>> {
    let chunk_size = chunk_size.max(1);
    let mut file = File::open(path)?;
    let mut chunks = Vec::new();
    let mut start = 0u64;
    let mut line = Vec::new();
    while let Some(target) = start.checked_add(chunk_size).filter(|&t| t < size) {
        let Some(boundary) = find_boundary(&mut file, target, size, starts_entry, &mut line)?
        else {
            break;
        };
        chunks.push(Chunk {
            index: chunks.len(),
            start,
            end: boundary,
        });
        start = boundary;
    }
    chunks.push(Chunk {
        index: chunks.len(),
        start,
        end: size,
    });
    Ok(chunks)
}

/// The first line start at or after `from` (and before `size`) whose line starts an entry.
fn find_boundary(
    file: &mut File,
    from: u64,
    size: u64,
    starts_entry: &dyn Fn(&[u8]) -> bool,
    line: &mut Vec<u8>,
) -> io::Result<Option<u64>> {
    // Start one byte early: `from` is a line start if the byte before it is '\n'.
    let mut at = from - 1;
    file.seek(SeekFrom::Start(at))?;
    let mut reader = BufReader::with_capacity(PLAN_BUFFER, Read::by_ref(file).take(size - at));
    // Skip the rest of the line that `at` is in.
    if !skip_line(&mut reader, &mut at)? {
        return Ok(None);
    }
    loop {
        let candidate = at;
        if candidate >= size {
            return Ok(None);
        }
        line.clear();
        let (fits, terminated) = read_line(&mut reader, &mut at, line)?;
        if fits && starts_entry(line) {
            return Ok(Some(candidate));
        }
        if !terminated {
            return Ok(None);
        }
    }
}

/// Reads past the next `\n`; false if the input ended first.
fn skip_line<R: BufRead>(reader: &mut R, at: &mut u64) -> io::Result<bool> {
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok(false);
        }
        if let Some(i) = memchr::memchr(b'\n', buf) {
            reader.consume(i + 1);
            *at += i as u64 + 1;
            return Ok(true);
        }
        let n = buf.len();
        reader.consume(n);
        *at += n as u64;
    }
}

/// Reads one line into `line` (without `\n`, kept up to [`MAX_BOUNDARY_LINE`] bytes).
/// Returns whether it fit and whether it ended with `\n`.
fn read_line<R: BufRead>(
    reader: &mut R,
    at: &mut u64,
    line: &mut Vec<u8>,
) -> io::Result<(bool, bool)> {
    let mut fits = true;
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok((fits, false));
        }
        let (part, used, done) = match memchr::memchr(b'\n', buf) {
            Some(i) => (&buf[..i], i + 1, true),
            None => (buf, buf.len(), false),
        };
        if fits {
            if line.len() + part.len() <= MAX_BOUNDARY_LINE {
                line.extend_from_slice(part);
            } else {
                fits = false;
                line.clear();
            }
        }
        reader.consume(used);
        *at += used as u64;
        if done {
            return Ok((fits, true));
        }
    }
}

/// A reader of exactly one chunk of a file.
#[derive(Debug)]
struct ChunkReader {
    file: File,
    pos: u64,
    end: u64,
    progress: Option<Progress>,
}

impl Read for ChunkReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.end - self.pos;
        if left == 0 || buf.is_empty() {
            return Ok(0);
        }
        let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        let n = self.file.read(&mut buf[..want])?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!(
                    "the file shrank (truncated or rotated?) while it was read: it ended at byte {}, {} bytes short of what was planned",
                    self.pos,
                    self.end - self.pos
                ),
            ));
        }
        self.pos += n as u64;
        if let Some(p) = &self.progress {
            p.add_read(n as u64);
        }
        Ok(n)
    }
}

/// Reads exactly the bytes `[chunk.start, chunk.end)` of the file at `path` (opened
/// read-only; no memory map, so a file truncated meanwhile gives an error, not a crash).
/// Reads go straight to the file in the caller's buffer size ([`EntryReader`] reads 256 KiB
/// at a time). With `progress`, bytes read are added to it.
///
/// If the file ends before `chunk.end` (it shrank since planning), reading returns an
/// [`UnexpectedEof`](io::ErrorKind::UnexpectedEof) error saying so after the bytes that
/// are there.
///
/// [`EntryReader`]: crate::EntryReader
pub fn read_chunk(
    path: &Path,
    chunk: &Chunk,
    progress: Option<&Progress>,
) -> io::Result<impl Read + Send + use<>> {
    let mut file = File::open(path)?;
    file.seek(SeekFrom::Start(chunk.start))?;
    Ok(ChunkReader {
        file,
        pos: chunk.start,
        end: chunk.end.max(chunk.start),
        progress: progress.cloned(),
    })
}
