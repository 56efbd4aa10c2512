//! [`Tail`]: one generation of a followed file (or standard input) as a [`Read`] that hands
//! out complete lines only.

use std::fs::File;
use std::io::{self, Read};
use std::os::unix::fs::FileExt;
use std::sync::mpsc::{Receiver, TryRecvError};

/// Bytes of the file's start remembered to notice a truncation that the file has already
/// grown back over (copytruncate, then more lines than were read before).
const HEAD: usize = 64;
/// Bytes read at a time when looking ahead for the end of a long line.
const LOOK: usize = 64 << 10;
/// Standard input is pulled from its reading thread up to this much at a time.
const STDIN_BUFFER: usize = 4 << 20;

/// Where a tail is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TailState {
    /// Reading as the file grows.
    Following,
    /// The file shrank or was rewritten from its start (copytruncate): the lines before
    /// were all handed out (a last line cut short by the truncation too); read the file
    /// again from its start with [`Tail::restart`].
    Truncated,
    /// Reading everything to the end, the last line even without its `\n` (the file was
    /// rotated away or deleted); `Ok(0)` from `read` is then the end.
    Finishing,
    /// Standard input ended, and everything was handed out.
    Ended,
}

/// A generation of a followed file, or standard input, read as it grows.
///
/// `read` hands out only whole lines, up to the last `\n` written so far, and returns
/// `Ok(0)` when no complete line is waiting: a line still being written is read once its
/// `\n` arrives, so an entry reader never splits it (see `EntryReader::resume` in
/// logscan-input). The file is read with positioned reads on its own descriptor, so a
/// rename or an unlink does not stop it.
///
/// Memory stays bounded however long a line is: the end of a long line is looked for
/// without keeping it, and at most `keep` bytes of the line being written are remembered
/// (so that a truncation that removes them does not lose the line).
#[derive(Debug)]
pub struct Tail {
    inner: Inner,
}

#[derive(Debug)]
enum Inner {
    File(FileTail),
    Stdin(StdinTail),
}

#[derive(Debug)]
struct FileTail {
    file: File,
    /// Bytes handed out so far.
    delivered: u64,
    /// End of a complete line known to lie beyond `delivered` (a long line whose `\n` was
    /// found ahead); bytes up to here are handed out without looking.
    complete_to: u64,
    /// Bytes after `delivered` up to here hold no `\n` (so a growing long line is not
    /// searched again from its start).
    searched_to: u64,
    /// The file's first bytes as read.
    head: Vec<u8>,
    /// The furthest byte read (the file never shrinks below it but by a truncation).
    seen_to: u64,
    /// The start of the line being written (after the last `\n` handed out), at most
    /// `keep` bytes.
    partial: Vec<u8>,
    /// How much of a line being written is remembered.
    keep: usize,
    /// Left to hand out after a truncation: the remembered line cut short.
    cut_line: Vec<u8>,
    state: TailState,
    scratch: Vec<u8>,
}

#[derive(Debug)]
struct StdinTail {
    chunks: Receiver<Vec<u8>>,
    /// Bytes received and not handed out yet.
    buffer: Vec<u8>,
    /// `buffer[..sent]` was handed out.
    sent: usize,
    /// The line being received is longer than `keep`: its further bytes are dropped until
    /// its `\n` (the entry reader counts it as one over-long line from the start it keeps).
    dropping: bool,
    keep: usize,
    ended: bool,
    state: TailState,
}

impl Tail {
    /// Follows `file` from byte `start` (0: the whole file). `keep` bounds what is
    /// remembered of a line being written; give the entry reader's longest line plus one.
    pub fn file(file: File, start: u64, keep: usize) -> Tail {
        Tail {
            inner: Inner::File(FileTail {
                file,
                delivered: start,
                complete_to: start,
                searched_to: start,
                head: Vec::new(),
                seen_to: start,
                partial: Vec::new(),
                keep: keep.max(1),
                cut_line: Vec::new(),
                state: TailState::Following,
                scratch: Vec::new(),
            }),
        }
    }

    /// Follows bytes arriving on a channel (standard input read by a thread, see
    /// [`stdin`](crate::stdin)) until the channel closes. Lines longer than `keep` bytes
    /// are handed out cut to `keep` bytes, so memory stays bounded.
    pub fn channel(chunks: Receiver<Vec<u8>>, keep: usize) -> Tail {
        Tail {
            inner: Inner::Stdin(StdinTail {
                chunks,
                buffer: Vec::new(),
                sent: 0,
                dropping: false,
                keep: keep.max(1),
                ended: false,
                state: TailState::Following,
            }),
        }
    }

    /// Where the tail is.
    pub fn state(&self) -> TailState {
        match &self.inner {
            Inner::File(f) => f.state,
            Inner::Stdin(s) => s.state,
        }
    }

    /// Bytes of the file handed out (for standard input: received and handed out).
    pub fn position(&self) -> u64 {
        match &self.inner {
            Inner::File(f) => f.delivered,
            Inner::Stdin(s) => s.sent as u64,
        }
    }

    /// Reads to the very end from now on: the last line is handed out even without its
    /// `\n`. For a file that was rotated away or deleted, once it stopped growing.
    pub fn finish(&mut self) {
        if let Inner::File(f) = &mut self.inner {
            if f.state == TailState::Following {
                f.state = TailState::Finishing;
            }
        }
    }

    /// After [`TailState::Truncated`]: a tail over the same file from its start.
    pub fn restart(&self) -> io::Result<Tail> {
        match &self.inner {
            Inner::File(f) => Ok(Tail::file(f.file.try_clone()?, 0, f.keep)),
            Inner::Stdin(_) => Err(io::Error::other("standard input cannot be read again")),
        }
    }

    /// Whether the file is still the same size as what was handed out, or the stream
    /// ended: nothing is waiting.
    pub fn idle(&self) -> io::Result<bool> {
        match &self.inner {
            Inner::File(f) => Ok(f.file.metadata()?.len() <= f.delivered),
            Inner::Stdin(s) => Ok(s.ended && s.sent == s.buffer.len()),
        }
    }
}

impl Read for Tail {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        match &mut self.inner {
            Inner::File(f) => f.read(buf),
            Inner::Stdin(s) => Ok(s.read(buf)),
        }
    }
}

impl FileTail {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.state {
            TailState::Truncated | TailState::Ended => return Ok(self.hand_out_cut_line(buf)),
            TailState::Finishing => {
                let n = read_at_most(&self.file, buf, self.delivered)?;
                self.delivered += n as u64;
                return Ok(n);
            }
            TailState::Following => {}
        }
        if self.delivered < self.complete_to {
            let want = usize::try_from(self.complete_to - self.delivered).unwrap_or(usize::MAX);
            let len = want.min(buf.len());
            let n = read_at_most(&self.file, &mut buf[..len], self.delivered)?;
            if n == 0 {
                // The file lost bytes it had: a truncation.
                return self.truncated(buf);
            }
            self.delivered += n as u64;
            return Ok(n);
        }
        let size = self.file.metadata()?.len();
        if size < self.seen_to.max(self.delivered) || self.rewritten()? {
            return self.truncated(buf);
        }
        if size == self.delivered {
            return Ok(0);
        }
        let n = read_at_most(&self.file, buf, self.delivered)?;
        self.seen_to = self.seen_to.max(self.delivered + n as u64);
        let got = &buf[..n];
        if self.head.len() < HEAD && self.head.len() as u64 == self.delivered {
            let room = HEAD - self.head.len();
            self.head.extend_from_slice(&got[..n.min(room)]);
        }
        let to_end = self.delivered + n as u64 >= size;
        match memchr::memrchr(b'\n', got) {
            Some(i) => {
                let whole = i + 1;
                // What follows the last `\n` is the line being written only if the read
                // reached the end of the file; else it is the start of a complete line
                // that did not fit in `buf`.
                self.partial.clear();
                if to_end {
                    self.remember_partial(&buf[whole..n], true);
                }
                self.delivered += whole as u64;
                self.searched_to = self.delivered;
                Ok(whole)
            }
            None if n < buf.len() => {
                // A line still being written, shorter than the buffer.
                self.remember_partial(&buf[..n], true);
                Ok(0)
            }
            None => {
                // A line longer than the buffer: hand it out once its end is known.
                self.remember_partial(&buf[..n], true);
                let read_to = self.delivered + n as u64;
                // Bytes up to `searched_to` were searched before and hold no `\n`; they
                // are not searched again, but the remembered start of the line must still
                // hold them (a small `buf` this time would otherwise lose them).
                self.remember_searched(read_to)?;
                let from = read_to.max(self.searched_to);
                match self.look_for_line_end(from, size)? {
                    Some(end) => {
                        // The line is complete: nothing is being written after it yet.
                        self.partial.clear();
                        self.complete_to = end;
                        self.delivered += n as u64;
                        Ok(n)
                    }
                    None => Ok(0),
                }
            }
        }
    }

    /// Whether the file's first bytes are no longer what they were: it was truncated and
    /// written again past where reading had got (copytruncate and a busy server). A
    /// writer that does not append leaves a hole of NUL bytes instead; its lines go on
    /// where they were, so that is not a restart.
    fn rewritten(&mut self) -> io::Result<bool> {
        if self.head.is_empty() || self.seen_to == 0 {
            return Ok(false);
        }
        let mut now = [0u8; HEAD];
        let n = read_at_most(&self.file, &mut now[..self.head.len()], 0)?;
        let now = &now[..n];
        if now == &self.head[..n] {
            return Ok(false);
        }
        if now.iter().all(|&b| b == 0) {
            self.head = now.to_vec();
            return Ok(false);
        }
        Ok(true)
    }

    /// Finds the `\n` ending the line that goes on at `from` (bytes before it hold none),
    /// reading up to `size`; returns the offset just after it.
    fn look_for_line_end(&mut self, from: u64, size: u64) -> io::Result<Option<u64>> {
        if self.scratch.len() < LOOK {
            self.scratch.resize(LOOK, 0);
        }
        let mut at = from;
        while at < size {
            let n = read_at_most(&self.file, &mut self.scratch, at)?;
            if n == 0 {
                break;
            }
            if let Some(i) = memchr::memchr(b'\n', &self.scratch[..n]) {
                return Ok(Some(at + i as u64 + 1));
            }
            if self.partial.len() < self.keep {
                let room = self.keep - self.partial.len();
                self.partial.extend_from_slice(&self.scratch[..n.min(room)]);
            }
            at += n as u64;
        }
        self.searched_to = at;
        Ok(None)
    }

    /// Adds to the remembered line the bytes from `at` up to `searched_to` (up to `keep`
    /// bytes in all).
    fn remember_searched(&mut self, mut at: u64) -> io::Result<()> {
        if self.scratch.len() < LOOK {
            self.scratch.resize(LOOK, 0);
        }
        while at < self.searched_to && self.partial.len() < self.keep {
            let want = usize::try_from(self.searched_to - at).unwrap_or(usize::MAX);
            let len = want.min(self.keep - self.partial.len()).min(LOOK);
            let n = read_at_most(&self.file, &mut self.scratch[..len], at)?;
            if n == 0 {
                break;
            }
            self.partial.extend_from_slice(&self.scratch[..n]);
            at += n as u64;
        }
        Ok(())
    }

    /// Remembers the start of the line being written (`bytes` from its first byte when
    /// `from_start`), up to `keep` bytes.
    fn remember_partial(&mut self, bytes: &[u8], from_start: bool) {
        if from_start {
            self.partial.clear();
        }
        let room = self.keep.saturating_sub(self.partial.len());
        self.partial
            .extend_from_slice(&bytes[..bytes.len().min(room)]);
    }

    /// The file shrank: hand out the line that was being written (it is gone from the
    /// file now), then stop.
    fn truncated(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.state = TailState::Truncated;
        self.cut_line = std::mem::take(&mut self.partial);
        Ok(self.hand_out_cut_line(buf))
    }

    fn hand_out_cut_line(&mut self, buf: &mut [u8]) -> usize {
        let n = self.cut_line.len().min(buf.len());
        buf[..n].copy_from_slice(&self.cut_line[..n]);
        self.cut_line.drain(..n);
        n
    }
}

impl StdinTail {
    fn read(&mut self, buf: &mut [u8]) -> usize {
        if self.sent == self.buffer.len() {
            self.buffer.clear();
            self.sent = 0;
        }
        while !self.ended && self.buffer.len() < STDIN_BUFFER {
            match self.chunks.try_recv() {
                Ok(chunk) => self.receive(&chunk),
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => self.ended = true,
            }
        }
        let waiting = &self.buffer[self.sent..];
        let ready = if self.ended {
            waiting.len()
        } else {
            memchr::memrchr(b'\n', waiting).map_or(0, |i| i + 1)
        };
        let n = ready.min(buf.len());
        buf[..n].copy_from_slice(&waiting[..n]);
        self.sent += n;
        if self.ended && self.sent == self.buffer.len() {
            self.state = TailState::Ended;
        }
        n
    }

    /// Takes in received bytes, cutting a line that grows past `keep` bytes.
    fn receive(&mut self, mut chunk: &[u8]) {
        while !chunk.is_empty() {
            if self.dropping {
                match memchr::memchr(b'\n', chunk) {
                    Some(i) => {
                        self.dropping = false;
                        chunk = &chunk[i..];
                    }
                    None => return,
                }
            }
            let line_start = memchr::memrchr(b'\n', &self.buffer[self.sent..])
                .map_or(self.sent, |i| self.sent + i + 1);
            let line_len = self.buffer.len() - line_start;
            let until_newline = memchr::memchr(b'\n', chunk).map_or(chunk.len(), |i| i + 1);
            let ends_line =
                until_newline <= chunk.len() && chunk.get(until_newline - 1) == Some(&b'\n');
            let piece_len = if ends_line {
                until_newline - 1
            } else {
                until_newline
            };
            if line_len + piece_len > self.keep {
                let room = self.keep - line_len.min(self.keep);
                self.buffer.extend_from_slice(&chunk[..room]);
                if ends_line {
                    self.buffer.push(b'\n');
                    chunk = &chunk[until_newline..];
                } else {
                    self.dropping = true;
                    return;
                }
            } else {
                self.buffer.extend_from_slice(&chunk[..until_newline]);
                chunk = &chunk[until_newline..];
            }
        }
    }
}

/// Reads at `offset` until `buf` is full or the file ends there.
fn read_at_most(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match file.read_at(&mut buf[n..], offset + n as u64) {
            Ok(0) => break,
            Ok(got) => n += got,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::sync::mpsc;

    fn drain(tail: &mut Tail) -> Vec<u8> {
        let mut out = Vec::new();
        let mut buf = [0u8; 7];
        loop {
            let n = tail.read(&mut buf).unwrap();
            if n == 0 {
                return out;
            }
            out.extend_from_slice(&buf[..n]);
        }
    }

    #[test]
    fn hands_out_whole_lines_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.log");
        let mut w = std::fs::File::create(&path).unwrap();
        let mut tail = Tail::file(File::open(&path).unwrap(), 0, 100);
        w.write_all(b"one\ntw").unwrap();
        assert_eq!(drain(&mut tail), b"one\n");
        assert_eq!(drain(&mut tail), b"");
        w.write_all(b"o\nthree is a much longer line than the buffer\nfo")
            .unwrap();
        assert_eq!(
            drain(&mut tail),
            b"two\nthree is a much longer line than the buffer\n"
        );
        tail.finish();
        assert_eq!(drain(&mut tail), b"fo");
        assert_eq!(tail.state(), TailState::Finishing);
    }

    #[test]
    fn a_truncation_hands_out_the_cut_line_then_stops() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.log");
        let mut w = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .unwrap();
        let mut tail = Tail::file(File::open(&path).unwrap(), 0, 100);
        w.write_all(b"first line\nhalf").unwrap();
        assert_eq!(drain(&mut tail), b"first line\n");
        w.set_len(0).unwrap();
        assert_eq!(drain(&mut tail), b"half");
        assert_eq!(tail.state(), TailState::Truncated);
        let mut again = tail.restart().unwrap();
        w.write_all(b"new\n").unwrap();
        assert_eq!(drain(&mut again), b"new\n");
    }

    #[test]
    fn a_line_read_again_through_a_smaller_buffer_is_still_remembered_whole() {
        // std's read_to_end may probe with a buffer smaller than the line: the bytes
        // searched on an earlier look must still be part of the line a truncation cuts.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.log");
        let mut w = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .unwrap();
        let mut tail = Tail::file(File::open(&path).unwrap(), 0, 100);
        w.write_all(b"a line being written, longer than the buffer")
            .unwrap();
        let mut small = [0u8; 8];
        assert_eq!(tail.read(&mut small).unwrap(), 0);
        assert_eq!(tail.read(&mut small).unwrap(), 0);
        w.set_len(0).unwrap();
        assert_eq!(
            drain(&mut tail),
            b"a line being written, longer than the buffer"
        );
        assert_eq!(tail.state(), TailState::Truncated);
    }

    #[test]
    fn a_truncation_grown_back_over_is_seen_by_the_first_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.log");
        let mut w = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .unwrap();
        let mut tail = Tail::file(File::open(&path).unwrap(), 0, 100);
        w.write_all(b"aaaa\n").unwrap();
        assert_eq!(drain(&mut tail), b"aaaa\n");
        w.set_len(0).unwrap();
        w.write_all(b"bbbbbbbbbb\n").unwrap();
        assert_eq!(drain(&mut tail), b"");
        assert_eq!(tail.state(), TailState::Truncated);
        assert_eq!(drain(&mut tail.restart().unwrap()), b"bbbbbbbbbb\n");
    }

    #[test]
    fn a_long_line_is_found_without_keeping_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.log");
        let mut w = std::fs::File::create(&path).unwrap();
        let mut tail = Tail::file(File::open(&path).unwrap(), 0, 10);
        let long = vec![b'x'; 300_000];
        w.write_all(&long).unwrap();
        let mut buf = vec![0u8; 4096];
        assert_eq!(tail.read(&mut buf).unwrap(), 0);
        w.write_all(b"\nnext\n").unwrap();
        let mut out = Vec::new();
        loop {
            let n = tail.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            out.extend_from_slice(&buf[..n]);
        }
        assert_eq!(out.len(), 300_006);
        assert!(out.ends_with(b"x\nnext\n"));
    }

    proptest::proptest! {
        /// Standard input in any pieces: every line handed out once, whole, in order;
        /// lines longer than `keep` cut to `keep` bytes; a last line without `\n` at the end.
        #[test]
        fn stdin_in_any_pieces_gives_every_line_once(
            lines in proptest::collection::vec(proptest::collection::vec(0u8..=255, 0..40), 0..30),
            last_newline in proptest::bool::ANY,
            cuts in proptest::collection::vec(1usize..50, 1..20),
            reads in proptest::collection::vec(1usize..64, 1..10),
        ) {
            let keep = 16;
            let lines: Vec<Vec<u8>> = lines
                .into_iter()
                .map(|l| l.into_iter().filter(|&b| b != b'\n').collect())
                .collect();
            let mut input = Vec::new();
            let mut expected = Vec::new();
            for (i, line) in lines.iter().enumerate() {
                input.extend_from_slice(line);
                expected.extend_from_slice(&line[..line.len().min(keep)]);
                if i + 1 < lines.len() || last_newline {
                    input.push(b'\n');
                    expected.push(b'\n');
                }
            }
            let (tx, rx) = mpsc::sync_channel(input.len() + 1);
            let mut tail = Tail::channel(rx, keep);
            let mut out = Vec::new();
            let mut at = 0;
            let mut step = 0;
            while at < input.len() {
                let n = cuts[step % cuts.len()].min(input.len() - at);
                tx.send(input[at..at + n].to_vec()).unwrap();
                at += n;
                let mut buf = vec![0u8; reads[step % reads.len()]];
                loop {
                    let got = tail.read(&mut buf).unwrap();
                    if got == 0 {
                        break;
                    }
                    out.extend_from_slice(&buf[..got]);
                }
                // A pause comes only after a whole line, before the end.
                proptest::prop_assert!(out.is_empty() || out.ends_with(b"\n"));
                step += 1;
            }
            drop(tx);
            let mut buf = [0u8; 7];
            loop {
                let got = tail.read(&mut buf).unwrap();
                if got == 0 {
                    break;
                }
                out.extend_from_slice(&buf[..got]);
            }
            proptest::prop_assert_eq!(out, expected);
            proptest::prop_assert_eq!(tail.state(), TailState::Ended);
        }
    }

    #[test]
    fn stdin_lines_wait_for_their_newline_and_long_ones_are_cut() {
        let (tx, rx) = mpsc::sync_channel(8);
        let mut tail = Tail::channel(rx, 5);
        tx.send(b"ab\ncd".to_vec()).unwrap();
        assert_eq!(drain(&mut tail), b"ab\n");
        tx.send(b"efghijkl".to_vec()).unwrap();
        tx.send(b"mnop\nq".to_vec()).unwrap();
        assert_eq!(drain(&mut tail), b"cdefg\n");
        drop(tx);
        assert_eq!(drain(&mut tail), b"q");
        assert_eq!(tail.state(), TailState::Ended);
    }
}
