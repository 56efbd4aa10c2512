//! Entry framing: line counting, CRLF, continuation joining and its limits, over-long lines,
//! sampling, read errors, growing files.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

use std::io::{self, Read, Write};

use logscan_parse::{EntryReader, ReaderConfig};

/// nginx-like: an entry starts with a digit.
fn starts(line: &[u8]) -> bool {
    line.first().is_some_and(u8::is_ascii_digit)
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Owned {
    bytes: Vec<u8>,
    first_line: u64,
    lines: u32,
    too_long: bool,
}

fn collect<R: Read>(
    mut reader: EntryReader<R>,
    starts_entry: &dyn Fn(&[u8]) -> bool,
) -> Vec<Owned> {
    let mut out = Vec::new();
    while let Some(e) = reader.next_entry(starts_entry).unwrap() {
        out.push(Owned {
            bytes: e.bytes.to_vec(),
            first_line: e.first_line,
            lines: e.lines,
            too_long: e.too_long,
        });
    }
    out
}

fn frame(input: &[u8], config: ReaderConfig) -> Vec<Owned> {
    collect(EntryReader::new(input, config), &starts)
}

/// What `wc -l` counts, plus one for a last line without `\n`.
fn physical_lines(input: &[u8]) -> u64 {
    let newlines = input.iter().filter(|&&b| b == b'\n').count() as u64;
    newlines + u64::from(input.last().is_some_and(|&b| b != b'\n'))
}

/// The rules, written plainly over a list of lines.
fn model(input: &[u8], config: ReaderConfig, starts_entry: &dyn Fn(&[u8]) -> bool) -> Vec<Owned> {
    let mut lines: Vec<(&[u8], bool)> = Vec::new();
    let mut rest = input;
    while !rest.is_empty() {
        match rest.iter().position(|&b| b == b'\n') {
            Some(i) => {
                lines.push((&rest[..i], true));
                rest = &rest[i + 1..];
            }
            None => {
                lines.push((rest, false));
                rest = &[];
            }
        }
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let (first, mut terminated) = lines[i];
        let first_line = i as u64 + 1;
        i += 1;
        if first.len() > config.max_line {
            out.push(Owned {
                bytes: first[..config.max_line].to_vec(),
                first_line,
                lines: 1,
                too_long: true,
            });
            continue;
        }
        let mut bytes = first.to_vec();
        let mut count = 1u32;
        while terminated && count <= config.max_continuation_lines && i < lines.len() {
            let (line, line_terminated) = lines[i];
            let start = bytes.len() + 1;
            if start > config.max_entry
                || line.len() > config.max_line.min(config.max_entry - start)
                || starts_entry(line)
            {
                break;
            }
            bytes.push(b'\n');
            bytes.extend_from_slice(line);
            count += 1;
            terminated = line_terminated;
            i += 1;
        }
        out.push(Owned {
            bytes,
            first_line,
            lines: count,
            too_long: false,
        });
    }
    out
}

/// Hands out data in pieces of the given sizes (cycled), to hit every buffer boundary.
struct Pieces<'a> {
    data: &'a [u8],
    sizes: Vec<usize>,
    next: usize,
}

impl Read for Pieces<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let want = self.sizes[self.next % self.sizes.len()].max(1);
        self.next += 1;
        let n = want.min(buf.len()).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn random_log(rng: &mut Rng, lines: usize, long: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for _ in 0..lines {
        match rng.below(10) {
            0..=3 => {
                let n = rng.below(60) as usize;
                out.extend(b"2024/05/01 00:00:00 [error] ");
                out.extend((0..n).map(|k| b'a' + (k % 26) as u8));
            }
            4..=6 => {
                out.extend(b" continuation");
                out.extend(std::iter::repeat_n(b'c', rng.below(30) as usize));
            }
            7 => {} // empty line (a continuation)
            8 => out.extend(std::iter::repeat_n(b'L', rng.below(long as u64) as usize)),
            _ => out.extend(b"1\0\0binary\xff\xfe\0"),
        }
        match rng.below(6) {
            0 => out.extend(b"\r\n"),
            _ => out.push(b'\n'),
        }
    }
    if rng.below(2) == 0 {
        // Drop the final newline sometimes.
        out.pop();
    }
    out
}

#[test]
fn crlf_no_final_newline_empty_lines_and_nuls() {
    let input = b"1 first\r\n\r\n\n2 nul\0in\0line\r\n\0starts with nul\n3 last without newline";
    let entries = frame(input, ReaderConfig::default());
    let got: Vec<(&[u8], u64, u32)> = entries
        .iter()
        .map(|e| (&e.bytes[..], e.first_line, e.lines))
        .collect();
    assert_eq!(
        got,
        [
            (&b"1 first\r\n\r\n"[..], 1, 3), // "\r" kept; empty lines continue it
            (b"2 nul\0in\0line\r\n\0starts with nul", 4, 2),
            (b"3 last without newline", 6, 1),
        ]
    );
    assert_eq!(
        entries.iter().map(|e| u64::from(e.lines)).sum::<u64>(),
        physical_lines(input)
    );
}

#[test]
fn every_line_its_own_entry_when_every_line_starts_one() {
    let input = b"a\r\n\n\nb\0\nc";
    let entries = collect(
        EntryReader::new(&input[..], ReaderConfig::default()),
        &|_| true,
    );
    let got: Vec<(&[u8], u64)> = entries
        .iter()
        .map(|e| (&e.bytes[..], e.first_line))
        .collect();
    assert_eq!(
        got,
        [(&b"a\r"[..], 1), (b"", 2), (b"", 3), (b"b\0", 4), (b"c", 5)]
    );
}

#[test]
fn empty_input_and_lone_newlines() {
    assert!(frame(b"", ReaderConfig::default()).is_empty());
    let entries = collect(
        EntryReader::new(&b"\n\n"[..], ReaderConfig::default()),
        &|_| true,
    );
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[1].first_line, 2);
}

#[test]
fn a_continuation_line_at_the_start_is_an_entry_of_its_own() {
    let entries = frame(
        b" orphan\n more orphan\n1 real\n tail\n",
        ReaderConfig::default(),
    );
    let got: Vec<(&[u8], u64, u32)> = entries
        .iter()
        .map(|e| (&e.bytes[..], e.first_line, e.lines))
        .collect();
    assert_eq!(
        got,
        [
            (&b" orphan\n more orphan"[..], 1, 2),
            (b"1 real\n tail", 3, 2)
        ]
    );
}

#[test]
fn continuation_limits_make_new_entries_and_keep_every_line() {
    // Count limit: 1 + 2 continuation lines, then the rest begins a new entry.
    let config = ReaderConfig {
        max_continuation_lines: 2,
        ..ReaderConfig::default()
    };
    let entries = frame(b"1 a\n b\n c\n d\n e\n f\n g\n2 h\n", config);
    let got: Vec<(u64, u32)> = entries.iter().map(|e| (e.first_line, e.lines)).collect();
    assert_eq!(got, [(1, 3), (4, 3), (7, 1), (8, 1)]);
    assert_eq!(entries[1].bytes, b" d\n e\n f");

    // Byte limit: joining stops before the entry passes max_entry.
    let config = ReaderConfig {
        max_entry: 10,
        ..ReaderConfig::default()
    };
    let entries = frame(b"1 abc\n de\n fgh\n i\n", config);
    let got: Vec<(&[u8], u64, u32)> = entries
        .iter()
        .map(|e| (&e.bytes[..], e.first_line, e.lines))
        .collect();
    assert_eq!(got, [(&b"1 abc\n de"[..], 1, 2), (b" fgh\n i", 3, 2)]);
    assert!(entries.iter().all(|e| e.bytes.len() <= 10));

    // Exactly at the limit still joins.
    let config = ReaderConfig {
        max_entry: 9,
        ..ReaderConfig::default()
    };
    assert_eq!(frame(b"1 abc\n de\n", config)[0].lines, 2);
    let config = ReaderConfig {
        max_entry: 8,
        ..ReaderConfig::default()
    };
    assert_eq!(frame(b"1 abc\n de\n", config)[0].lines, 1);
}

#[test]
fn long_lines_are_cut_and_skipped() {
    let config = ReaderConfig {
        max_line: 8,
        ..ReaderConfig::default()
    };
    let entries = frame(
        b"1 short\n1 0123456789abcdef\n continuation\n 12345678\n2 end",
        config,
    );
    let got: Vec<(&[u8], u64, u32, bool)> = entries
        .iter()
        .map(|e| (&e.bytes[..], e.first_line, e.lines, e.too_long))
        .collect();
    assert_eq!(
        got,
        [
            (&b"1 short"[..], 1, 1, false),
            (b"1 012345", 2, 1, true),
            (b" continu", 3, 1, true), // a long continuation line never joins
            (b" 1234567", 4, 1, true),
            (b"2 end", 5, 1, false),
        ]
    );
}

/// Round `round` of a random test: a random log (every tenth with lines of up to 300,000
/// bytes), the limits it is read with (the defaults, tight ones, none at all, in turn) and
/// the sizes of the pieces it arrives in (every third in pieces of 1 to 5 bytes).
fn random_case(rng: &mut Rng, round: usize) -> (Vec<u8>, ReaderConfig, Vec<usize>) {
    let configs = [
        ReaderConfig::default(),
        ReaderConfig {
            max_line: 50,
            max_entry: 120,
            max_continuation_lines: 3,
        },
        ReaderConfig {
            max_line: 200,
            max_entry: 40,
            max_continuation_lines: 1000,
        },
        ReaderConfig {
            max_line: 1,
            max_entry: 1,
            max_continuation_lines: 0,
        },
        ReaderConfig {
            max_line: 0,
            max_entry: 0,
            max_continuation_lines: 5,
        },
    ];
    let long = if round % 10 == 0 { 300_000 } else { 200 };
    let count = 1 + rng.below(400) as usize;
    let input = random_log(rng, count, long);
    let config = configs[round % configs.len()];
    let sizes: Vec<usize> = (0..7)
        .map(|_| 1 + rng.below(if round % 3 == 0 { 5 } else { 70_000 }) as usize)
        .collect();
    (input, config, sizes)
}

#[test]
fn matches_the_model_on_random_logs_in_random_pieces() {
    let mut rng = Rng(0x1234_5678_9abc_def1);
    for round in 0..300 {
        let (input, config, sizes) = random_case(&mut rng, round);
        let want = model(&input, config, &starts);
        let mut reader = EntryReader::new(
            Pieces {
                data: &input,
                sizes,
                next: 0,
            },
            config,
        );
        let mut got = Vec::new();
        while let Some(e) = reader.next_entry(&starts).unwrap() {
            got.push(Owned {
                bytes: e.bytes.to_vec(),
                first_line: e.first_line,
                lines: e.lines,
                too_long: e.too_long,
            });
        }
        assert_eq!(got.len(), want.len(), "round {round}: entry count");
        for (k, (g, w)) in got.iter().zip(&want).enumerate() {
            assert_eq!(g, w, "round {round}, entry {k}");
        }
        let total: u64 = got.iter().map(|e| u64::from(e.lines)).sum();
        assert_eq!(
            total,
            physical_lines(&input),
            "round {round}: every line counted once"
        );
        assert_eq!(reader.bytes_consumed(), input.len() as u64, "round {round}");
        assert_eq!(reader.lines_consumed(), total);
        assert!(reader.buffer_size() <= config.max_line.max(config.max_entry) + 1 + 64 * 1024);
    }
}

/// `next_line` (no look at the next line) gives what `next_entry` gives when every line
/// starts an entry: the same entries, line numbers, over-long lines and consumed counts,
/// over random logs read in random pieces, with every limit.
#[test]
fn next_line_is_next_entry_when_every_line_starts_one() {
    let mut rng = Rng(0x0dd_ba11_5eed_1234);
    let every = |_: &[u8]| true;
    for round in 0..200 {
        let (input, config, sizes) = random_case(&mut rng, round);
        let reader = |sizes: &Vec<usize>| {
            EntryReader::new(
                Pieces {
                    data: &input,
                    sizes: sizes.clone(),
                    next: 0,
                },
                config,
            )
        };
        let want = collect(reader(&sizes), &every);
        let mut lines = reader(&sizes);
        let mut got = Vec::new();
        while let Some(e) = lines.next_line().unwrap() {
            got.push(Owned {
                bytes: e.bytes.to_vec(),
                first_line: e.first_line,
                lines: e.lines,
                too_long: e.too_long,
            });
        }
        assert_eq!(got, want, "round {round}");
        assert_eq!(lines.bytes_consumed(), input.len() as u64, "round {round}");
        assert_eq!(
            lines.lines_consumed(),
            physical_lines(&input),
            "round {round}"
        );
    }
    // A read error after complete lines: the lines first, then the error, as with
    // `next_entry`.
    let mut reader = EntryReader::new(
        FailsAfter {
            data: b"1 a\n b\n2 c\n3 partial",
        },
        ReaderConfig::default(),
    );
    for want in [&b"1 a"[..], b" b", b"2 c"] {
        assert_eq!(reader.next_line().unwrap().unwrap().bytes, want);
    }
    assert_eq!(reader.next_line().unwrap_err().to_string(), "disk on fire");
}

#[test]
fn without_over_long_lines_entries_give_back_the_input() {
    let mut rng = Rng(42);
    let input = random_log(&mut rng, 5000, 100);
    let entries = frame(&input, ReaderConfig::default());
    assert!(entries.iter().all(|e| !e.too_long));
    let mut rebuilt = entries
        .iter()
        .map(|e| e.bytes.clone())
        .collect::<Vec<_>>()
        .join(&b'\n');
    if input.last() == Some(&b'\n') {
        rebuilt.push(b'\n');
    }
    assert!(rebuilt == input);
}

/// `lead`, then `len` bytes of `x` without a newline, then `tail`; generated as it is read.
struct HugeLine {
    lead: &'static [u8],
    len: u64,
    tail: &'static [u8],
    pos: u64,
}

impl Read for HugeLine {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let lead = self.lead.len() as u64;
        let n = if self.pos < lead {
            let part = &self.lead[self.pos as usize..];
            let n = part.len().min(buf.len());
            buf[..n].copy_from_slice(&part[..n]);
            n
        } else if self.pos < lead + self.len {
            let n = ((lead + self.len - self.pos) as usize).min(buf.len());
            buf[..n].fill(b'x');
            n
        } else {
            let at = (self.pos - lead - self.len) as usize;
            let part = &self.tail[at.min(self.tail.len())..];
            let n = part.len().min(buf.len());
            buf[..n].copy_from_slice(&part[..n]);
            n
        };
        self.pos += n as u64;
        Ok(n)
    }
}

#[test]
fn a_100_mb_line_is_streamed_past_in_bounded_memory() {
    const LEN: u64 = 100 * 1024 * 1024;
    let config = ReaderConfig::default();
    let source = HugeLine {
        lead: b"1 before\n",
        len: LEN,
        tail: b"\n2 after\n continued\n",
        pos: 0,
    };
    let mut reader = EntryReader::new(source, config);
    let e = reader.next_entry(&starts).unwrap().unwrap();
    assert_eq!(
        (e.bytes, e.first_line, e.lines, e.too_long),
        (&b"1 before"[..], 1, 1, false)
    );
    let e = reader.next_entry(&starts).unwrap().unwrap();
    assert!(e.too_long);
    assert_eq!(
        (e.first_line, e.lines, e.bytes.len()),
        (2, 1, config.max_line)
    );
    assert!(e.bytes.iter().all(|&b| b == b'x'));
    let e = reader.next_entry(&starts).unwrap().unwrap();
    assert_eq!(
        (e.bytes, e.first_line, e.lines, e.too_long),
        (&b"2 after\n continued"[..], 3, 2, false)
    );
    assert!(reader.next_entry(&starts).unwrap().is_none());
    assert_eq!(reader.bytes_consumed(), 9 + LEN + 20);
    assert!(
        reader.buffer_size() < 2 * 1024 * 1024,
        "buffer grew to {}",
        reader.buffer_size()
    );

    // The same line last in the input, without a newline.
    let source = HugeLine {
        lead: b"1 before\n",
        len: LEN,
        tail: b"",
        pos: 0,
    };
    let entries = collect(EntryReader::new(source, config), &starts);
    assert_eq!(entries.len(), 2);
    assert!(entries[1].too_long && entries[1].first_line == 2);
}

#[test]
fn sample_does_not_consume() {
    let input = b"1 one\n two\r\n3 three\n4 four";
    let mut reader = EntryReader::new(&input[..], ReaderConfig::default());
    let lines = reader.sample(2, 1 << 20).unwrap();
    assert_eq!(lines, [&b"1 one"[..], b" two\r"]);
    let lines = reader.sample(100, 1 << 20).unwrap();
    assert_eq!(lines, [&b"1 one"[..], b" two\r", b"3 three", b"4 four"]);
    // Only whole lines within max_bytes.
    let lines = reader.sample(100, 14).unwrap();
    assert_eq!(lines, [&b"1 one"[..], b" two\r"]);
    assert_eq!(reader.sample(100, 3).unwrap(), Vec::<&[u8]>::new());
    assert_eq!(reader.bytes_consumed(), 0);
    let e = reader.next_entry(&starts).unwrap().unwrap();
    assert_eq!(
        (e.bytes, e.first_line, e.lines),
        (&b"1 one\n two\r"[..], 1, 2)
    );
    // Sampling mid-stream looks from the current position.
    assert_eq!(reader.sample(1, 100).unwrap(), [&b"3 three"[..]]);
    let rest = collect(reader, &starts);
    assert_eq!(rest.len(), 2);
    assert_eq!(rest[1].first_line, 4);
}

#[test]
fn sample_reads_through_small_pieces() {
    let mut input = Vec::new();
    for i in 0..1000 {
        writeln!(input, "{i} line").unwrap();
    }
    let mut reader = EntryReader::new(
        Pieces {
            data: &input,
            sizes: vec![3, 1, 7],
            next: 0,
        },
        ReaderConfig::default(),
    );
    let lines = reader.sample(50, 64 * 1024).unwrap();
    assert_eq!(lines.len(), 50);
    assert_eq!(lines[49], b"49 line");
    assert_eq!(collect(reader, &starts).len(), 1000);
}

/// Gives its data, then fails.
struct FailsAfter<'a> {
    data: &'a [u8],
}

impl Read for FailsAfter<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.data.is_empty() {
            return Err(io::Error::other("disk on fire"));
        }
        let n = self.data.len().min(buf.len()).min(5);
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

#[test]
fn read_errors_come_after_every_complete_entry() {
    let mut reader = EntryReader::new(
        FailsAfter {
            data: b"1 a\n b\n2 c\n3 partial",
        },
        ReaderConfig::default(),
    );
    let e = reader.next_entry(&starts).unwrap().unwrap();
    assert_eq!(e.bytes, b"1 a\n b");
    let e = reader.next_entry(&starts).unwrap().unwrap();
    assert_eq!(e.bytes, b"2 c");
    let err = reader.next_entry(&starts).unwrap_err();
    assert_eq!(err.to_string(), "disk on fire");

    // An error right after a complete line: the entry first, then the error.
    let mut reader = EntryReader::new(FailsAfter { data: b"1 a\n" }, ReaderConfig::default());
    assert_eq!(reader.next_entry(&starts).unwrap().unwrap().bytes, b"1 a");
    assert!(reader.next_entry(&starts).is_err());
}

/// Reads all entries of a file that is being appended to as it is read.
#[test]
fn a_file_growing_while_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("growing.log");
    let mut writer = std::fs::File::create(&path).unwrap();
    let mut written = 0u64;
    for i in 0..20_000 {
        writeln!(writer, "{i} first part").unwrap();
        written += 1;
    }
    writer.flush().unwrap();
    let file = std::fs::File::open(&path).unwrap();
    let mut reader = EntryReader::new(file, ReaderConfig::default());
    let mut lines = 0u64;
    let mut last = Vec::new();
    let mut appended = false;
    while let Some(e) = reader.next_entry(&starts).unwrap() {
        assert_eq!(e.first_line, lines + 1);
        lines += u64::from(e.lines);
        last = e.bytes.to_vec();
        if !appended && lines == 100 {
            // Appended before the reader reached the end: read too.
            for i in 0..20_000 {
                writeln!(writer, "{i} second part\n continued").unwrap();
                written += 2;
            }
            write!(writer, "9 partial").unwrap();
            written += 1;
            writer.flush().unwrap();
            appended = true;
        }
    }
    assert_eq!(lines, written);
    assert_eq!(last, b"9 partial");
}

/// A reader takes over the buffer of one dropped before it on the same thread, bytes and
/// all: what the earlier reader left in it must never show through (in a sample, in an
/// unterminated last line, in a line cut at the limit).
#[test]
fn a_reused_buffer_shows_nothing_of_the_reader_before() {
    let earlier: Vec<u8> = b"9999999999 earlier line with a tail\n".repeat(8000);
    for _ in 0..3 {
        let mut reader = EntryReader::new(&earlier[..], ReaderConfig::default());
        let mut n = 0;
        while reader.next_entry(&starts).unwrap().is_some() {
            n += 1;
        }
        assert_eq!(n, 8000);
    }
    let mut reader = EntryReader::new(&b"1 a\n2 b"[..], ReaderConfig::default());
    assert_eq!(reader.sample(64, 1 << 20).unwrap(), [&b"1 a"[..], b"2 b"]);
    assert_eq!(
        collect(reader, &starts)
            .iter()
            .map(|e| e.bytes.as_slice())
            .collect::<Vec<_>>(),
        [&b"1 a"[..], b"2 b"]
    );
    // Empty input: no entry at all from a buffer full of the earlier lines.
    let reader = EntryReader::new(&b""[..], ReaderConfig::default());
    assert!(collect(reader, &starts).is_empty());
}
