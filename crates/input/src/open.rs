//! Opening one input: compression by magic bytes, progress counting.

use std::fmt;
use std::fs::File;
use std::io::{self, BufReader, Cursor, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::thread;

use crate::discover::{Input, Source};
use crate::error::InputError;

/// Buffer size between a compressed file and its decoder.
const DECODER_INPUT_BUFFER: usize = 128 * 1024;
/// The smallest that buffer is made for a small archive.
const MIN_DECODER_INPUT_BUFFER: usize = 8 * 1024;
/// Archives smaller than this (compressed) are decoded on the reading thread: a thread of
/// their own would cost more than it saves (a rotated day of a small site is a few
/// milliseconds of work, and many such files are read in parallel with each other).
const DECODE_INLINE_BELOW: u64 = 1 << 20;

/// The compression of an input, told by its first bytes (never by its name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Compression {
    /// Plain bytes.
    #[default]
    None,
    /// gzip (`1f 8b`); several concatenated members are read as one stream.
    Gzip,
    /// Zstandard (`28 b5 2f fd`); several frames are read as one stream.
    Zstd,
    /// bzip2 (`BZh`); several streams are read as one.
    Bzip2,
    /// xz (`fd 37 7a 58 5a 00`); several streams are read as one.
    Xz,
}

impl Compression {
    /// The longest magic number this looks at.
    pub const MAGIC_LEN: usize = 6;

    /// The compression whose magic number `head` starts with ([`Compression::None`] if none).
    ///
    /// ```
    /// use logscan_input::Compression;
    /// assert_eq!(Compression::detect(&[0x1f, 0x8b, 8, 0]), Compression::Gzip);
    /// assert_eq!(Compression::detect(b"BZh91AY&SY"), Compression::Bzip2);
    /// assert_eq!(Compression::detect(b"2024/05/01 14:02:11 [error]"), Compression::None);
    /// ```
    pub fn detect(head: &[u8]) -> Compression {
        if head.starts_with(&[0x1f, 0x8b]) {
            Compression::Gzip
        } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Compression::Zstd
        } else if head.starts_with(b"BZh") {
            Compression::Bzip2
        } else if head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0x00]) {
            Compression::Xz
        } else {
            Compression::None
        }
    }

    /// A short lower-case name: `none`, `gzip`, `zstd`, `bzip2`, `xz`.
    pub fn name(self) -> &'static str {
        match self {
            Compression::None => "none",
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
            Compression::Bzip2 => "bzip2",
            Compression::Xz => "xz",
        }
    }
}

impl fmt::Display for Compression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The compression of the file at `path`, from its first bytes. Reads at most
/// [`Compression::MAGIC_LEN`] bytes; use it to decide whether a file can be split with
/// [`plan_chunks`](crate::plan_chunks) (only plain files can).
pub fn sniff_compression(path: &Path) -> io::Result<Compression> {
    let mut file = File::open(path)?;
    let (head, len) = read_head(&mut file)?;
    Ok(Compression::detect(&head[..len]))
}

/// A lower bound on the decompressed size of the archive at `path`, from what its format
/// records, without decompressing: a zstd frame's content size (the first frame's, if its
/// header has one) or a gzip trailer's size (the last member's, modulo 4 GiB). `None`
/// for other formats, plain files, or when nothing is recorded. Neither can exceed the
/// stream's length in a whole archive; in a truncated gzip file the last four bytes are
/// not a trailer, so the bound is only as good as the archive.
///
/// ```
/// # fn main() -> std::io::Result<()> {
/// use logscan_input::decompressed_at_least;
///
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("error.log.zst");
/// std::fs::write(&path, zstd::encode_all(&b"line one\nline two\n"[..], 3)?)?;
/// assert_eq!(decompressed_at_least(&path), Some(18));
/// # Ok(()) }
/// ```
pub fn decompressed_at_least(path: &Path) -> Option<u64> {
    let mut file = File::open(path).ok()?;
    let mut head = [0u8; 18];
    let (len, None) = fill(&mut file, &mut head) else {
        return None;
    };
    match Compression::detect(&head[..len]) {
        Compression::Zstd => zstd::zstd_safe::get_frame_content_size(&head[..len])
            .ok()
            .flatten(),
        Compression::Gzip => {
            let mut trailer = [0u8; 4];
            file.seek(SeekFrom::End(-4)).ok()?;
            file.read_exact(&mut trailer).ok()?;
            Some(u64::from(u32::from_le_bytes(trailer)))
        }
        _ => None,
    }
}

/// Shared byte counters for a progress display: bytes read from disk so far (compressed
/// bytes for archives) and the total planned. Cheap to clone; clones share the counters, so
/// readers on many threads can feed one bar.
#[derive(Debug, Clone, Default)]
pub struct Progress {
    read: Arc<AtomicU64>,
    total: Arc<AtomicU64>,
}

impl Progress {
    /// Counters at zero.
    pub fn new() -> Self {
        Progress::default()
    }

    /// Adds `bytes` to the total planned (e.g. each input's [`Input::size`]).
    pub fn add_total(&self, bytes: u64) {
        self.total.fetch_add(bytes, Ordering::Relaxed);
    }

    /// Adds `bytes` to the bytes read (readers made by [`open`] and
    /// [`read_chunk`](crate::read_chunk) do this themselves).
    pub fn add_read(&self, bytes: u64) {
        self.read.fetch_add(bytes, Ordering::Relaxed);
    }

    /// Bytes read from disk so far.
    pub fn bytes_read(&self) -> u64 {
        self.read.load(Ordering::Relaxed)
    }

    /// Total bytes planned.
    pub fn total(&self) -> u64 {
        self.total.load(Ordering::Relaxed)
    }
}

/// A reader that adds what it reads to a [`Progress`].
#[derive(Debug)]
pub(crate) struct Counting<R> {
    inner: R,
    progress: Option<Progress>,
}

impl<R> Counting<R> {
    pub(crate) fn new(inner: R, progress: Option<&Progress>) -> Self {
        Counting {
            inner,
            progress: progress.cloned(),
        }
    }
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(p) = &self.progress {
            p.add_read(n as u64);
        }
        Ok(n)
    }
}

/// An opened input: a reader of its decompressed bytes.
pub struct Opened {
    /// The decompressed bytes. Errors (a truncated or corrupt archive, a failing disk) come
    /// out of `read` after all the data before them.
    pub reader: Box<dyn Read + Send>,
    /// The compression found by magic bytes.
    pub compression: Compression,
}

impl fmt::Debug for Opened {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Opened")
            .field("compression", &self.compression)
            .finish_non_exhaustive()
    }
}

/// Opens an input read-only and decompresses it by its magic bytes (gzip, zstd, bzip2, xz;
/// concatenated members, frames and streams included). With `progress`, every byte read from
/// the file or stdin (compressed bytes for archives) is added to it.
///
/// Works on regular files, FIFOs and stdin (it never seeks). Opening a FIFO waits for a
/// writer, as any reader of a FIFO does. A directory is refused.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use std::io::Read;
/// use logscan_input::{discover, open, Compression};
///
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("error.log");
/// std::fs::write(&path, "line one\n")?;
/// let found = discover(&[path]);
/// let mut opened = open(&found.inputs[0], None)?;
/// assert_eq!(opened.compression, Compression::None);
/// let mut text = String::new();
/// opened.reader.read_to_string(&mut text)?;
/// assert_eq!(text, "line one\n");
/// # Ok(()) }
/// ```
pub fn open(input: &Input, progress: Option<&Progress>) -> Result<Opened, InputError> {
    open_with(input, progress, true)
}

/// [`open`], decompressing on the thread that reads (never on a thread of its own): for
/// a caller that reads the decompressed bytes on a thread of its own already, such as
/// [`split_stream`](crate::split_stream)'s.
pub fn open_inline(input: &Input, progress: Option<&Progress>) -> Result<Opened, InputError> {
    open_with(input, progress, false)
}

fn open_with(
    input: &Input,
    progress: Option<&Progress>,
    threaded: bool,
) -> Result<Opened, InputError> {
    let fail = |err: &io::Error| InputError::io(input.display.clone(), err);
    match &input.source {
        Source::Stdin => {
            let mut raw = Counting::new(io::stdin(), progress);
            let (head, len) = read_head(&mut raw).map_err(|e| fail(&e))?;
            decode(head, len, raw, None, threaded).map_err(|e| fail(&e))
        }
        Source::Path(path) => {
            let meta = std::fs::metadata(path).map_err(|e| fail(&e))?;
            if meta.is_dir() {
                return Err(InputError::fatal(
                    input.display.clone(),
                    "is a directory, not a log file",
                ));
            }
            let file = File::open(path).map_err(|e| fail(&e))?;
            let mut raw = Counting::new(file, progress);
            let (head, len) = read_head(&mut raw).map_err(|e| fail(&e))?;
            // A regular file's size says whether a decoding thread pays; a FIFO's does not.
            let size = meta.is_file().then_some(meta.len());
            decode(head, len, raw, size, threaded).map_err(|e| fail(&e))
        }
    }
}

/// Reads up to [`Compression::MAGIC_LEN`] bytes (fewer only at end of input).
fn read_head<R: Read>(r: &mut R) -> io::Result<([u8; Compression::MAGIC_LEN], usize)> {
    let mut head = [0u8; Compression::MAGIC_LEN];
    let mut len = 0;
    while len < head.len() {
        match r.read(&mut head[len..]) {
            Ok(0) => break,
            Ok(n) => len += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok((head, len))
}

/// Puts the sniffed head back in front of `raw` and wraps the decoder it calls for, on a
/// thread of its own unless the archive is known to be small (`size`, compressed).
fn decode<R: Read + Send + 'static>(
    head: [u8; Compression::MAGIC_LEN],
    len: usize,
    raw: R,
    size: Option<u64>,
    threaded: bool,
) -> io::Result<Opened> {
    let compression = Compression::detect(&head[..len]);
    let whole = Cursor::new(head).take(len as u64).chain(raw);
    // The decoder's input buffer is zeroed at its first fill (`Chain` has no `read_buf` of
    // its own): for a small archive, no more than its size (a rotated day of a small site
    // is a few KiB, and zeroing 128 KiB for it cost more than decoding it).
    let buffer = size.map_or(DECODER_INPUT_BUFFER, |size| {
        usize::try_from(size).map_or(DECODER_INPUT_BUFFER, |size| {
            size.clamp(MIN_DECODER_INPUT_BUFFER, DECODER_INPUT_BUFFER)
        })
    });
    let reader: Box<dyn Read + Send> = match compression {
        Compression::None => Box::new(whole),
        Compression::Gzip => Box::new(flate2::bufread::MultiGzDecoder::new(
            BufReader::with_capacity(buffer, whole),
        )),
        Compression::Zstd => Box::new(zstd::stream::read::Decoder::with_buffer(
            BufReader::with_capacity(buffer, whole),
        )?),
        Compression::Bzip2 => Box::new(bzip2::bufread::MultiBzDecoder::new(
            BufReader::with_capacity(buffer, whole),
        )),
        Compression::Xz => Box::new(liblzma::bufread::XzDecoder::new_multi_decoder(
            BufReader::with_capacity(buffer, whole),
        )),
    };
    let small = !threaded || size.is_some_and(|size| size < DECODE_INLINE_BELOW);
    let reader = match compression {
        Compression::None => reader,
        _ if small => reader,
        _ => read_ahead(reader),
    };
    Ok(Opened {
        reader,
        compression,
    })
}

/// Reads from `reader` until `block` is full, the stream ends or a read fails
/// (`Interrupted` is retried): the bytes read, and the error that stopped it.
pub(crate) fn fill(reader: &mut dyn Read, block: &mut [u8]) -> (usize, Option<io::Error>) {
    let mut filled = 0;
    while filled < block.len() {
        match reader.read(&mut block[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return (filled, Some(e)),
        }
    }
    (filled, None)
}

/// Copies what is left of `block` from `*pos` on into `buf` (as much as fits) and moves
/// `*pos` past it: the bytes a block-fed reader serves before it needs the next block
/// (0 once `block` is used up, or for an empty `buf`).
pub(crate) fn serve(block: &[u8], pos: &mut usize, buf: &mut [u8]) -> usize {
    let rest = block.get(*pos..).unwrap_or_default();
    let n = buf.len().min(rest.len());
    buf[..n].copy_from_slice(&rest[..n]);
    *pos += n;
    n
}

/// Decompressed bytes handed over per block.
const READ_AHEAD_BLOCK: usize = 256 * 1024;
/// Blocks decompressed ahead of the reader.
const READ_AHEAD_BLOCKS: usize = 4;

/// Runs `reader` (a decoder) on a thread of its own, [`READ_AHEAD_BLOCKS`] blocks ahead,
/// so that decompressing and parsing one archive use two cores (a 2-stage pipeline: the
/// slower stage sets the pace, instead of the sum of both). Falls back to reading
/// directly if no thread can be started.
fn read_ahead(reader: Box<dyn Read + Send>) -> Box<dyn Read + Send> {
    let (tx, rx) = mpsc::sync_channel::<io::Result<(Vec<u8>, usize)>>(READ_AHEAD_BLOCKS);
    let (back_tx, back_rx) = mpsc::channel::<Vec<u8>>();
    let (start_tx, start_rx) = mpsc::channel::<Box<dyn Read + Send>>();
    let spawned = thread::Builder::new()
        .name("logscan-decompress".into())
        .spawn(move || {
            let Ok(mut reader) = start_rx.recv() else {
                return;
            };
            loop {
                let mut block = back_rx
                    .try_recv()
                    .unwrap_or_else(|_| vec![0; READ_AHEAD_BLOCK]);
                let (filled, failure) = fill(&mut *reader, &mut block);
                let end = filled < block.len() || failure.is_some();
                if filled > 0 && tx.send(Ok((block, filled))).is_err() {
                    return; // The reader is gone.
                }
                if let Some(e) = failure {
                    let _ = tx.send(Err(e));
                }
                if end {
                    return;
                }
            }
        });
    match spawned {
        Ok(_) => match start_tx.send(reader) {
            Ok(()) => Box::new(ReadAhead {
                blocks: rx,
                back: back_tx,
                current: Vec::new(),
                pos: 0,
                len: 0,
                done: false,
            }),
            Err(mpsc::SendError(r)) => r,
        },
        // The reader was not moved into the thread: read it here.
        Err(_) => reader,
    }
}

/// The reading end of [`read_ahead`].
struct ReadAhead {
    blocks: mpsc::Receiver<io::Result<(Vec<u8>, usize)>>,
    back: mpsc::Sender<Vec<u8>>,
    current: Vec<u8>,
    pos: usize,
    len: usize,
    done: bool,
}

impl Read for ReadAhead {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let block = self.current.get(..self.len).unwrap_or_default();
            let n = serve(block, &mut self.pos, buf);
            if n > 0 || self.done || buf.is_empty() {
                return Ok(n);
            }
            let used = std::mem::take(&mut self.current);
            (self.pos, self.len) = (0, 0);
            if !used.is_empty() {
                let _ = self.back.send(used);
            }
            match self.blocks.recv() {
                Ok(Ok((block, len))) => {
                    self.current = block;
                    self.pos = 0;
                    self.len = len;
                }
                Ok(Err(e)) => {
                    self.done = true;
                    return Err(e);
                }
                Err(_) => {
                    self.done = true;
                    return Ok(0);
                }
            }
        }
    }
}
