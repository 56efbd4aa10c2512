//! Splitting a decompressed stream into chunks for parallel reading: the stream
//! counterpart of [`plan_chunks`](crate::plan_chunks), for archives (which cannot seek).

use std::collections::VecDeque;
use std::io::{self, Read};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread;

use crate::chunk::MAX_BOUNDARY_LINE;
use crate::open::{fill, serve};

/// Whether a line (without its `\n`) starts an entry, moved to the splitting thread.
pub type StartsEntry = Box<dyn Fn(&[u8]) -> bool + Send>;

/// Decompressed bytes per block handed from the splitting thread to a chunk's reader.
const BLOCK: usize = 256 * 1024;

/// One chunk of a stream split by [`split_stream`]: its bytes arrive while it is read.
#[derive(Debug)]
pub struct StreamChunk {
    /// Position of the chunk in the stream, from 0.
    pub index: usize,
    /// Offset of the chunk's first byte in the decompressed stream.
    pub start: u64,
    /// The chunk's bytes; a read error of the stream comes out of the chunk it falls in,
    /// after the bytes before it.
    pub reader: StreamChunkReader,
}

/// The bytes of one [`StreamChunk`].
#[derive(Debug)]
pub struct StreamChunkReader {
    blocks: Receiver<io::Result<Block>>,
    pool: Arc<Pool>,
    current: Option<Block>,
    pos: usize,
    done: bool,
}

/// Decompressed bytes `bytes[..len]`, starting at offset `at` of the stream.
#[derive(Debug)]
struct Block {
    bytes: Vec<u8>,
    len: usize,
    at: u64,
}

impl Read for StreamChunkReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let block = self.current.as_ref().map_or(&[][..], |b| &b.bytes[..b.len]);
            let n = serve(block, &mut self.pos, buf);
            if n > 0 || self.done || buf.is_empty() {
                return Ok(n);
            }
            if let Some(used) = self.current.take() {
                self.pool.give(used.bytes);
            }
            match self.blocks.recv() {
                Ok(Ok(block)) => {
                    self.current = Some(block);
                    self.pos = 0;
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

impl Drop for StreamChunkReader {
    /// Gives the blocks not read back, so that the splitting thread never waits for them.
    fn drop(&mut self) {
        if let Some(block) = self.current.take() {
            self.pool.give(block.bytes);
        }
        while let Ok(Ok(block)) = self.blocks.try_recv() {
            self.pool.give(block.bytes);
        }
    }
}

/// The blocks in flight between the splitting thread and the readers: at most `limit`,
/// so the decompressor runs ahead of the readers by a bounded number of bytes, and the
/// blocks are reused rather than allocated anew.
#[derive(Debug)]
struct Pool {
    state: Mutex<PoolState>,
    freed: Condvar,
}

#[derive(Debug)]
struct PoolState {
    free: Vec<Vec<u8>>,
    /// Blocks in existence (free or in flight).
    made: usize,
    limit: usize,
    /// The limit once widened (see [`StreamAhead`]): the same as `limit` unless the
    /// stream was started narrow.
    wide: usize,
}

impl Pool {
    fn take(&self) -> Vec<u8> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            if let Some(block) = state.free.pop() {
                return block;
            }
            if state.made < state.limit {
                state.made += 1;
                return spare().pop().unwrap_or_else(|| vec![0; BLOCK]);
            }
            state = self
                .freed
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    fn give(&self, block: Vec<u8>) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if state.made > state.limit {
            // Over a lowered limit: not kept here.
            state.made -= 1;
            keep_spare(block);
        } else {
            state.free.push(block);
        }
        self.freed.notify_one();
    }

    /// Lowers the limit (blocks in flight over it are freed as they come back).
    fn lower(&self, limit: usize) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.limit = state.limit.min(limit);
        state.wide = state.wide.min(limit);
        while state.made > state.limit {
            let Some(block) = state.free.pop() else { break };
            state.made -= 1;
            keep_spare(block);
        }
    }
}

impl Pool {
    /// Raises the limit to what it is for a stream not started narrow.
    fn widen(&self) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.limit = state.limit.max(state.wide);
        self.freed.notify_all();
    }
}

/// The read-ahead of a stream split by [`split_stream_narrow`]: kept small until
/// [`widen`](StreamAhead::widen) is called.
#[derive(Debug, Clone)]
pub struct StreamAhead {
    pool: Arc<Pool>,
    /// The limit [`share`](StreamAhead::share) lowers it to; `None` for a stream not
    /// known to be long enough to split, whose second chunk may have to be held back.
    shared: Option<usize>,
}

impl StreamAhead {
    /// Lets the decompressor run as far ahead of the readers as [`split_stream`]'s does.
    pub fn widen(&self) {
        self.pool.widen();
    }

    /// Lowers the read-ahead for good (from half a chunk to an eighth, and the room for a
    /// boundary line): for a stream decompressed while another one is too, so that the
    /// two hold no more memory than one did. Its readers then wait for each other more
    /// (one starts the next chunk when the other is ~4 MiB from the end of its own, not
    /// ~10 MiB), which the other stream's chunks fill.
    /// Does nothing to a stream not known to be long enough to split (its second chunk
    /// may have to be held back whole).
    pub fn share(&self) {
        if let Some(limit) = self.shared {
            self.pool.lower(limit);
        }
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        let state = self.state.get_mut().unwrap_or_else(PoisonError::into_inner);
        for block in state.free.drain(..) {
            keep_spare(block);
        }
    }
}

/// Blocks kept for the next stream's pool when one ends (an archive series is split one
/// archive after the other): reused rather than freed and allocated again, which costs
/// page faults and, freed on one thread and allocated on the next splitting thread,
/// leaves the memory in another allocator arena.
static SPARE: Mutex<Vec<Vec<u8>>> = Mutex::new(Vec::new());

/// At most this many spare blocks (what one stream has in flight once split).
const SPARE_BLOCKS: usize = 32;

fn spare() -> std::sync::MutexGuard<'static, Vec<Vec<u8>>> {
    SPARE.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Frees the blocks kept for the next stream ([`split_stream`] keeps up to 8 MiB of
/// them between streams): for a reader done with its archives, before it builds its
/// report.
pub fn release_stream_blocks() {
    *spare() = Vec::new();
}

fn keep_spare(block: Vec<u8>) {
    let mut spare = spare();
    if spare.len() < SPARE_BLOCKS {
        spare.push(block);
    }
}

/// Blocks for the decompressor to run `ahead` bytes ahead of the readers, with room for
/// a candidate boundary line (up to 1 MiB and a block on each side), the block being
/// filled and one being read.
fn blocks_for(ahead: u64) -> usize {
    let ahead = usize::try_from(ahead).unwrap_or(usize::MAX);
    ahead.saturating_add(MAX_BOUNDARY_LINE).div_ceil(BLOCK) + 6
}

/// Splits the stream `reader` (typically a decompressor) into chunks on a thread of its
/// own, with the same boundaries as [`plan_chunks`](crate::plan_chunks) would give for a
/// plain file holding the same bytes: a stream shorter than twice `chunk_size` is one
/// chunk; otherwise each boundary is the first line start at least `chunk_size` bytes
/// after the previous one whose line (without its `\n`, at most 1 MiB) `starts_entry`
/// accepts. So a compressed log gives the same chunks, and the same report, as the plain
/// file.
///
/// Chunks come out of the returned receiver in order, each as soon as its first bytes are
/// decompressed, and their bytes follow while they are read: chunks can be read on
/// several threads at once. The decompressor runs ahead of the readers by at most about
/// half of `chunk_size` plus 2.5 MiB (so that one reader can start the next chunk while
/// another is still in the middle of its own: two readers need not wait for each other),
/// whatever the stream's size; only over the first twice
/// `chunk_size` bytes by up to `chunk_size` plus 2.5 MiB, as the first boundary counts
/// only once the stream is known to be that long, unless `at_least` (a lower bound on
/// the stream's length, such as [`decompressed_at_least`](crate::decompressed_at_least)
/// gives; 0 if none is known) says so up front. A read error of `reader` ends the chunk
/// it falls in.
///
/// Fails only if no thread can be started.
///
/// ```
/// # fn main() -> std::io::Result<()> {
/// use std::io::Read;
/// use logscan_input::split_stream;
///
/// let log = b"A one\n more\nA two\nA three\n more\n";
/// let starts = |line: &[u8]| line.starts_with(b"A");
/// let chunks = split_stream(Box::new(&log[..]), 4, 0, Box::new(starts))?;
/// let mut pieces = Vec::new();
/// for mut chunk in chunks {
///     let mut text = String::new();
///     chunk.reader.read_to_string(&mut text)?;
///     pieces.push((chunk.start, text));
/// }
/// assert_eq!(pieces, [
///     (0, "A one\n more\n".to_string()),
///     (12, "A two\n".to_string()),
///     (18, "A three\n more\n".to_string()),
/// ]);
/// # Ok(()) }
/// ```
pub fn split_stream(
    reader: Box<dyn Read + Send>,
    chunk_size: u64,
    at_least: u64,
    starts_entry: StartsEntry,
) -> io::Result<Receiver<StreamChunk>> {
    split(reader, chunk_size, at_least, starts_entry, false).map(|(chunks, _)| chunks)
}

/// [`split_stream`] for a stream whose chunks are read after those of another stream
/// still being read (the next archive of a rotated series): if `at_least` says it is long
/// enough to split, its decompressor runs ahead of the readers by no more than a
/// boundary line and a few blocks (about 2.5 MiB) until the returned handle's
/// [`widen`](StreamAhead::widen) is called, so that two streams decompressed at once
/// hold little more memory than one. Its first chunk can be read meanwhile: the narrow
/// read-ahead slows the decompressor to the pace of its reader, never stops it. A stream
/// not known to be that long is split as [`split_stream`] splits it (its second chunk may
/// have to be held back whole, which a narrow read-ahead could not hold).
///
/// Fails only if no thread can be started.
pub fn split_stream_narrow(
    reader: Box<dyn Read + Send>,
    chunk_size: u64,
    at_least: u64,
    starts_entry: StartsEntry,
) -> io::Result<(Receiver<StreamChunk>, StreamAhead)> {
    split(reader, chunk_size, at_least, starts_entry, true)
}

fn split(
    reader: Box<dyn Read + Send>,
    chunk_size: u64,
    at_least: u64,
    starts_entry: StartsEntry,
    narrow: bool,
) -> io::Result<(Receiver<StreamChunk>, StreamAhead)> {
    let chunk_size = chunk_size.max(1);
    let known_long = at_least >= 2 * chunk_size;
    // Until the stream is known to be twice `chunk_size` long, the second chunk (up to
    // `chunk_size`) is held back; after that, half a chunk ahead (and the room for a
    // boundary line) lets one reader start the next chunk while the other is still
    // reading the middle of its own: with two readers, neither waits for the other.
    let wide = blocks_for(if known_long {
        chunk_size / 2
    } else {
        chunk_size
    });
    let pool = Arc::new(Pool {
        state: Mutex::new(PoolState {
            free: Vec::new(),
            made: 0,
            limit: if narrow && known_long {
                blocks_for(0)
            } else {
                wide
            },
            wide,
        }),
        freed: Condvar::new(),
    });
    let (chunks, announced) = mpsc::channel();
    let mut splitter = Splitter::new(chunks, Arc::clone(&pool), chunk_size, starts_entry);
    splitter.known_long = known_long;
    thread::Builder::new()
        .name("logscan-split".into())
        .spawn(move || splitter.run(reader))?;
    let shared = known_long.then(|| blocks_for(chunk_size / 8));
    Ok((announced, StreamAhead { pool, shared }))
}

/// Where the splitting thread is in the current chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Before the byte at `target - 1`.
    Filling,
    /// Past `target - 1`, looking for the end of its line.
    Skipping,
    /// Reading the line that starts at this offset: a possible boundary.
    Line(u64),
}

/// A chunk being filled: where its bytes go.
struct Open {
    index: usize,
    start: u64,
    sender: Sender<io::Result<Block>>,
}

struct Splitter {
    chunks: Sender<StreamChunk>,
    pool: Arc<Pool>,
    chunk_size: u64,
    starts_entry: StartsEntry,
    current: Open,
    /// The first chunk, while the second one is held back: until the stream is known to
    /// be at least twice `chunk_size` long, the second chunk may still belong to it.
    first: Option<Open>,
    /// The second chunk's announcement, held back with it.
    held: Option<StreamChunk>,
    mode: Mode,
    /// The line being read in [`Mode::Line`] (while it fits).
    line: Vec<u8>,
    /// Blocks that may hold the next boundary (the current line's), not yet sent.
    undecided: VecDeque<Block>,
    /// Bytes decompressed so far.
    total: u64,
    /// The stream is known to be at least twice `chunk_size` long: nothing is held back.
    known_long: bool,
}

impl Splitter {
    fn new(
        chunks: Sender<StreamChunk>,
        pool: Arc<Pool>,
        chunk_size: u64,
        starts_entry: StartsEntry,
    ) -> Splitter {
        let (sender, blocks) = mpsc::channel();
        let first = StreamChunk {
            index: 0,
            start: 0,
            reader: StreamChunkReader {
                blocks,
                pool: Arc::clone(&pool),
                current: None,
                pos: 0,
                done: false,
            },
        };
        // The reader may be gone already; the thread then stops at its first send.
        let _ = chunks.send(first);
        Splitter {
            chunks,
            pool,
            chunk_size,
            starts_entry,
            current: Open {
                index: 0,
                start: 0,
                sender,
            },
            first: None,
            held: None,
            mode: Mode::Filling,
            line: Vec::new(),
            undecided: VecDeque::new(),
            total: 0,
            known_long: false,
        }
    }

    /// Decompresses, splits and sends until the end of the stream, its first error, or
    /// until nobody reads any more.
    fn run(&mut self, mut reader: Box<dyn Read + Send>) {
        loop {
            let mut bytes = self.pool.take();
            let (len, failure) = fill(&mut *reader, &mut bytes);
            let end = len < bytes.len() || failure.is_some();
            let at = self.total;
            self.total += len as u64;
            if at < 2 * self.chunk_size && self.total >= 2 * self.chunk_size {
                self.pool.lower(blocks_for(self.chunk_size / 2));
            }
            if self.held.is_some() && self.total >= 2 * self.chunk_size {
                // Long enough: the first boundary counts.
                if let Some(held) = self.held.take() {
                    // Announced before the first chunk ends, so that a reader at the end
                    // of a chunk always finds the next one (or the stream's end).
                    if self.chunks.send(held).is_err() {
                        return;
                    }
                    self.first = None;
                }
            }
            let going = if len > 0 {
                self.block(Block { bytes, len, at })
            } else {
                self.pool.give(bytes);
                true
            };
            if !going {
                return;
            }
            if end {
                self.finish(failure);
                return;
            }
        }
    }

    /// Splits one block (and what a boundary in it leaves over); false once nobody reads.
    fn block(&mut self, block: Block) -> bool {
        let mut todo = VecDeque::from([block]);
        while let Some(block) = todo.pop_front() {
            match self.scan(&block) {
                None => {
                    if let Mode::Line(start) = self.mode {
                        // Only the blocks holding the candidate line wait.
                        self.undecided.push_back(block);
                        while self
                            .undecided
                            .front()
                            .is_some_and(|b| b.at + b.len as u64 <= start)
                        {
                            if let Some(sent) = self.undecided.pop_front() {
                                if !self.send(sent) {
                                    return false;
                                }
                            }
                        }
                    } else {
                        // No boundary can lie in what came before: send it all.
                        if !self.send_undecided() || !self.send(block) {
                            return false;
                        }
                    }
                }
                Some(boundary) => {
                    self.undecided.push_back(block);
                    let Some(rest) = self.cut(boundary) else {
                        return false;
                    };
                    // What follows the boundary is read again, in the new chunk.
                    for block in rest.into_iter().rev() {
                        todo.push_front(block);
                    }
                }
            }
        }
        true
    }

    /// Scans `block` in the current mode; returns the boundary if one is found in it.
    fn scan(&mut self, block: &Block) -> Option<u64> {
        let data = &block.bytes[..block.len];
        let end = block.at + block.len as u64;
        let mut i = 0usize;
        loop {
            match self.mode {
                Mode::Filling => {
                    let skip_from = self.current.start + self.chunk_size - 1;
                    if end <= skip_from {
                        return None;
                    }
                    i = i.max(usize::try_from(skip_from.saturating_sub(block.at)).unwrap_or(0));
                    self.mode = Mode::Skipping;
                }
                Mode::Skipping => match memchr::memchr(b'\n', &data[i..]) {
                    Some(j) => {
                        i += j + 1;
                        self.mode = Mode::Line(block.at + i as u64);
                        self.line.clear();
                    }
                    None => return None,
                },
                Mode::Line(start) => {
                    let (part, terminated) = match memchr::memchr(b'\n', &data[i..]) {
                        Some(j) => (&data[i..i + j], true),
                        None => (&data[i..], false),
                    };
                    if self.line.len() + part.len() > MAX_BOUNDARY_LINE {
                        // Too long to be a boundary: skip the rest of it.
                        self.line.clear();
                        self.mode = Mode::Skipping;
                        continue;
                    }
                    self.line.extend_from_slice(part);
                    if !terminated {
                        return None;
                    }
                    if (self.starts_entry)(&self.line) {
                        return Some(start);
                    }
                    i += part.len() + 1;
                    self.line.clear();
                    self.mode = Mode::Line(block.at + i as u64);
                }
            }
        }
    }

    /// Ends the current chunk at `boundary` (in one of the undecided blocks) and opens the
    /// next one; returns the blocks from the boundary on, to be scanned again. `None` once
    /// nobody reads.
    fn cut(&mut self, boundary: u64) -> Option<Vec<Block>> {
        let mut rest = Vec::new();
        while let Some(mut block) = self.undecided.pop_front() {
            let end = block.at + block.len as u64;
            if end <= boundary {
                if !self.send(block) {
                    return None;
                }
            } else if block.at >= boundary {
                rest.push(block);
            } else {
                let keep = usize::try_from(boundary - block.at).unwrap_or(block.len);
                let mut tail = self.pool.take();
                let tail_len = block.len - keep;
                tail[..tail_len].copy_from_slice(&block.bytes[keep..block.len]);
                block.len = keep;
                if !self.send(block) {
                    self.pool.give(tail);
                    return None;
                }
                rest.push(Block {
                    bytes: tail,
                    len: tail_len,
                    at: boundary,
                });
            }
        }
        self.line.clear();
        self.mode = Mode::Filling;
        let (sender, blocks) = mpsc::channel();
        let next = Open {
            index: self.current.index + 1,
            start: boundary,
            sender,
        };
        let chunk = StreamChunk {
            index: next.index,
            start: boundary,
            reader: StreamChunkReader {
                blocks,
                pool: Arc::clone(&self.pool),
                current: None,
                pos: 0,
                done: false,
            },
        };
        let previous = std::mem::replace(&mut self.current, next);
        if chunk.index == 1 && !self.known_long && self.total < 2 * self.chunk_size {
            self.first = Some(previous);
            self.held = Some(chunk);
        } else if self.chunks.send(chunk).is_err() {
            return None;
        }
        Some(rest)
    }

    /// Sends a block to the current chunk; false once its reader is gone.
    fn send(&mut self, block: Block) -> bool {
        match self.current.sender.send(Ok(block)) {
            Ok(()) => true,
            Err(mpsc::SendError(Ok(block))) => {
                self.pool.give(block.bytes);
                false
            }
            Err(_) => false,
        }
    }

    fn send_undecided(&mut self) -> bool {
        while let Some(block) = self.undecided.pop_front() {
            if !self.send(block) {
                return false;
            }
        }
        true
    }

    /// The end of the stream (with the error that ended it, if any).
    fn finish(&mut self, failure: Option<io::Error>) {
        // An unterminated last line can be a boundary too, as in a plain file.
        if failure.is_none() {
            if let Mode::Line(start) = self.mode {
                if start < self.total && (self.starts_entry)(&self.line) {
                    match self.cut(start) {
                        Some(rest) => {
                            for block in rest {
                                if !self.send(block) {
                                    return;
                                }
                            }
                        }
                        None => return,
                    }
                }
            }
        }
        if !self.send_undecided() {
            return;
        }
        // Shorter than twice the chunk size: one chunk, as a plain file would be.
        if let (Some(first), Some(held)) = (self.first.take(), self.held.take()) {
            let blocks = held.reader;
            let current = std::mem::replace(&mut self.current, first);
            drop(current.sender);
            while let Ok(Ok(block)) = blocks.blocks.try_recv() {
                if !self.send(block) {
                    return;
                }
            }
        }
        if let Some(e) = failure {
            let _ = self.current.sender.send(Err(e));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Chunk, plan_chunks};

    /// The chunks (start, bytes) of `data` split as a stream with `chunk_size`.
    fn split(data: &[u8], chunk_size: u64, starts: fn(&[u8]) -> bool) -> Vec<(u64, Vec<u8>)> {
        split_known(data, chunk_size, 0, starts)
    }

    fn split_known(
        data: &[u8],
        chunk_size: u64,
        at_least: u64,
        starts: fn(&[u8]) -> bool,
    ) -> Vec<(u64, Vec<u8>)> {
        let owned = data.to_vec();
        let chunks = split_stream(
            Box::new(io::Cursor::new(owned)),
            chunk_size,
            at_least,
            Box::new(starts),
        )
        .unwrap();
        chunks
            .into_iter()
            .map(|mut c| {
                let mut bytes = Vec::new();
                c.reader.read_to_end(&mut bytes).unwrap();
                (c.start, bytes)
            })
            .collect()
    }

    /// The chunks of the same bytes in a plain file, planned as the scanner plans them:
    /// whole below twice the chunk size.
    fn planned(data: &[u8], chunk_size: u64, starts: fn(&[u8]) -> bool) -> Vec<(u64, Vec<u8>)> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log");
        std::fs::write(&path, data).unwrap();
        let size = data.len() as u64;
        let chunks = if size < 2 * chunk_size {
            vec![Chunk {
                index: 0,
                start: 0,
                end: size,
            }]
        } else {
            plan_chunks(&path, size, chunk_size, &starts).unwrap()
        };
        chunks
            .iter()
            .map(|c| (c.start, data[c.start as usize..c.end as usize].to_vec()))
            .collect()
    }

    fn starts_a(line: &[u8]) -> bool {
        line.starts_with(b"A")
    }

    /// A log of `lines` lines, every third a continuation, with a long line now and then.
    fn log(lines: usize, seed: u64) -> Vec<u8> {
        let mut out = Vec::new();
        let mut x = seed;
        for n in 0..lines {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let len = (x >> 33) as usize % 90;
            out.push(if n % 3 == 2 { b' ' } else { b'A' });
            out.extend(std::iter::repeat_n(b'x', len));
            if (x >> 20) % 997 == 0 {
                out.extend(std::iter::repeat_n(b'y', 200_000));
            }
            out.push(b'\n');
        }
        out
    }

    #[test]
    fn chunks_are_those_of_the_plain_file() {
        let small: &[u64] = &[1, 7, 100, 4096, 70_000];
        let large: &[u64] = &[4096, 70_000, 300_000, 1 << 20];
        for (lines, seed, sizes) in [
            (0, 1, small),
            (1, 2, small),
            (50, 3, small),
            (5_000, 4, small),
            (40_000, 5, large),
        ] {
            let data = log(lines, seed);
            for &chunk_size in sizes {
                assert_eq!(
                    split(&data, chunk_size, starts_a),
                    planned(&data, chunk_size, starts_a),
                    "{lines} lines, chunk size {chunk_size}"
                );
            }
        }
    }

    #[test]
    fn a_known_length_changes_no_boundary() {
        let data = log(40_000, 6);
        for chunk_size in [4096, 300_000, data.len() as u64 / 2] {
            let len = data.len() as u64;
            assert_eq!(
                split_known(&data, chunk_size, len, starts_a),
                planned(&data, chunk_size, starts_a),
                "chunk size {chunk_size}"
            );
        }
    }

    #[test]
    fn a_narrow_read_ahead_slows_the_split_but_changes_no_boundary() {
        // Known long, never widened: the decompressor stays a few blocks ahead, and the
        // chunks (read one after the other, as one reader would) are still the plain
        // file's; widened while the first chunk is read, too.
        let data = log(60_000, 12);
        let len = data.len() as u64;
        for chunk_size in [4096, 300_000, len / 3] {
            for widen_after in [None, Some(0), Some(1)] {
                let (chunks, ahead) = split_stream_narrow(
                    Box::new(io::Cursor::new(data.clone())),
                    chunk_size,
                    len,
                    Box::new(starts_a),
                )
                .unwrap();
                let mut got = Vec::new();
                for mut chunk in chunks {
                    if widen_after == Some(chunk.index) {
                        ahead.widen();
                    }
                    let mut bytes = Vec::new();
                    chunk.reader.read_to_end(&mut bytes).unwrap();
                    got.push((chunk.start, bytes));
                }
                assert_eq!(
                    got,
                    planned(&data, chunk_size, starts_a),
                    "chunk size {chunk_size}, widened at {widen_after:?}"
                );
            }
        }
    }

    #[test]
    fn an_unterminated_last_line_can_start_a_chunk() {
        let data = b"A one\nA two\nA three".to_vec();
        let got = split(&data, 5, starts_a);
        assert_eq!(got, planned(&data, 5, starts_a));
        assert_eq!(got.last().unwrap().1, b"A three");
    }

    #[test]
    fn a_line_longer_than_the_limit_is_no_boundary() {
        let mut data = b"A head\n".to_vec();
        data.push(b'A');
        data.extend(std::iter::repeat_n(b'z', MAX_BOUNDARY_LINE + 10));
        data.extend_from_slice(b"\nA after\nA more\n");
        let got = split(&data, 3, starts_a);
        assert_eq!(got, planned(&data, 3, starts_a));
        assert_eq!(got.len(), 3);
        assert_eq!(got[1].1, b"A after\n");
    }

    /// A reader that fails after its bytes.
    struct Failing(io::Cursor<Vec<u8>>);

    impl Read for Failing {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            match self.0.read(buf)? {
                0 => Err(io::Error::new(io::ErrorKind::InvalidData, "corrupt")),
                n => Ok(n),
            }
        }
    }

    #[test]
    fn an_error_ends_the_chunk_it_falls_in_after_its_bytes() {
        let data = log(40_000, 9);
        let chunks = split_stream(
            Box::new(Failing(io::Cursor::new(data.clone()))),
            400_000,
            0,
            Box::new(starts_a),
        )
        .unwrap();
        let mut read = Vec::new();
        let mut errors = Vec::new();
        for mut chunk in chunks {
            let mut bytes = Vec::new();
            if let Err(e) = chunk.reader.read_to_end(&mut bytes) {
                errors.push((chunk.index, e.to_string()));
            }
            read.extend(bytes);
        }
        assert_eq!(read, data);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].1, "corrupt");
    }

    #[test]
    fn a_short_stream_with_an_error_is_one_chunk() {
        let data = log(100, 10);
        let chunks: Vec<StreamChunk> = split_stream(
            Box::new(Failing(io::Cursor::new(data.clone()))),
            data.len() as u64 / 2 + 1,
            0,
            Box::new(starts_a),
        )
        .unwrap()
        .into_iter()
        .collect();
        assert_eq!(chunks.len(), 1);
    }

    #[test]
    fn readers_dropped_unread_let_the_thread_end() {
        let data = log(40_000, 11);
        let chunks =
            split_stream(Box::new(io::Cursor::new(data)), 1000, 0, Box::new(starts_a)).unwrap();
        // A chunk dropped unread gives its blocks back and stops the thread, which must
        // not wait for them forever: the receiver's iteration ends.
        assert!(chunks.into_iter().count() >= 1);
    }
}
