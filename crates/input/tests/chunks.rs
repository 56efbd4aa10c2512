//! Chunk planning: entry-aligned boundaries, equivalence with reading the whole file,
//! files that shrink or grow after planning.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

use std::io::{Read, Write};
use std::path::Path;

use logscan_input::{Chunk, EntryReader, Progress, ReaderConfig, plan_chunks, read_chunk};

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

fn entries<R: Read>(reader: &mut EntryReader<R>, line_offset: u64) -> Vec<Owned> {
    let mut out = Vec::new();
    while let Some(e) = reader.next_entry(&starts).unwrap() {
        out.push(Owned {
            bytes: e.bytes.to_vec(),
            first_line: e.first_line + line_offset,
            lines: e.lines,
            too_long: e.too_long,
        });
    }
    out
}

/// An nginx-like error log: entries with continuation runs of all lengths, CRLF, empty lines,
/// orphan continuation lines at the very start.
fn log_with_continuations(entries: usize) -> Vec<u8> {
    let mut out = b" orphan at the start\n\n".to_vec();
    let mut x: u64 = 7;
    for i in 0..entries {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        write!(
            out,
            "2024/05/01 00:00:{:02} [error] {i}: message {x:x}",
            i % 60
        )
        .unwrap();
        out.extend(if x % 5 == 0 { &b"\r\n"[..] } else { b"\n" });
        let run = match x % 100 {
            0 => 40, // longer than the limit below
            1..=30 => x % 6,
            _ => 0,
        };
        for k in 0..run {
            if k % 4 == 3 {
                out.push(b'\n');
            } else {
                writeln!(out, "  #{k} /var/www/app.php({i}): frame()").unwrap();
            }
        }
    }
    out
}

fn check_chunks(chunks: &[Chunk], data: &[u8], size: u64) {
    assert!(!chunks.is_empty());
    assert_eq!(chunks[0].start, 0);
    assert_eq!(chunks.last().unwrap().end, size);
    for (i, c) in chunks.iter().enumerate() {
        assert_eq!(c.index, i);
        assert!(c.start < c.end || size == 0);
        if i > 0 {
            assert_eq!(c.start, chunks[i - 1].end);
            let at = c.start as usize;
            assert_eq!(data[at - 1], b'\n', "chunk {i} starts mid-line");
            let line_end = data[at..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(data.len(), |p| at + p);
            assert!(
                starts(&data[at..line_end]),
                "chunk {i} starts at a continuation line"
            );
        }
    }
}

/// Reads all chunks in order, numbering lines across them; returns entries and bytes read.
fn read_chunks(path: &Path, chunks: &[Chunk], config: ReaderConfig) -> Vec<Owned> {
    let mut all = Vec::new();
    let mut lines_before = 0;
    for chunk in chunks {
        let mut reader = EntryReader::new(read_chunk(path, chunk, None).unwrap(), config);
        all.extend(entries(&mut reader, lines_before));
        assert_eq!(reader.bytes_consumed(), chunk.len());
        lines_before += reader.lines_consumed();
    }
    all
}

#[test]
fn chunks_read_in_order_give_the_whole_files_entries() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("error.log");
    let data = log_with_continuations(3000);
    std::fs::write(&path, &data).unwrap();
    let size = data.len() as u64;
    let configs = [
        ReaderConfig::default(),
        ReaderConfig {
            max_line: 64,
            max_entry: 300,
            max_continuation_lines: 3,
        },
    ];
    for config in configs {
        let whole = entries(&mut EntryReader::new(&data[..], config), 0);
        for chunk_size in [1, 7, 100, 999, 4096, 65_536, size - 1, size, size * 2] {
            let chunks = plan_chunks(&path, size, chunk_size, &starts).unwrap();
            check_chunks(&chunks, &data, size);
            if chunk_size >= size {
                assert_eq!(chunks.len(), 1);
            }
            if chunk_size == 4096 {
                assert!(chunks.len() > 20, "{} chunks", chunks.len());
            }
            assert_eq!(
                plan_chunks(&path, size, chunk_size, &starts).unwrap(),
                chunks,
                "deterministic"
            );
            let got = read_chunks(&path, &chunks, config);
            assert_eq!(got.len(), whole.len(), "chunk size {chunk_size}");
            assert!(got == whole, "chunk size {chunk_size}: entries differ");
        }
    }
}

#[test]
fn boundaries_skip_long_continuation_runs() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("trace.log");
    let mut data = b"1 start\n".to_vec();
    for _ in 0..10_000 {
        data.extend(b" a continuation line of a huge stack trace\n");
    }
    data.extend(b"2 next\n3 last\n");
    std::fs::write(&path, &data).unwrap();
    let size = data.len() as u64;
    let chunks = plan_chunks(&path, size, 1000, &starts).unwrap();
    check_chunks(&chunks, &data, size);
    let starts_at: Vec<u64> = chunks.iter().map(|c| c.start).collect();
    // The first entry start after the run; the next target lies past the end.
    assert_eq!(starts_at, [0, size - 14]);
}

#[test]
fn a_file_without_entry_starts_is_one_chunk() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("odd.log");
    let data = " no\n timestamps\n here\n".repeat(1000);
    std::fs::write(&path, &data).unwrap();
    let chunks = plan_chunks(&path, data.len() as u64, 10, &starts).unwrap();
    assert_eq!(
        chunks,
        [Chunk {
            index: 0,
            start: 0,
            end: data.len() as u64
        }]
    );
}

#[test]
fn an_empty_file_is_one_empty_chunk() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.log");
    std::fs::write(&path, b"").unwrap();
    let chunks = plan_chunks(&path, 0, 1 << 20, &starts).unwrap();
    assert_eq!(chunks.len(), 1);
    assert!(chunks[0].is_empty());
    let mut buf = Vec::new();
    read_chunk(&path, &chunks[0], None)
        .unwrap()
        .read_to_end(&mut buf)
        .unwrap();
    assert!(buf.is_empty());
}

#[test]
fn progress_counts_every_chunk_byte() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("error.log");
    let data = log_with_continuations(2000);
    std::fs::write(&path, &data).unwrap();
    let progress = Progress::new();
    progress.add_total(data.len() as u64);
    let chunks = plan_chunks(&path, data.len() as u64, 10_000, &starts).unwrap();
    let mut joined = Vec::new();
    for chunk in &chunks {
        read_chunk(&path, chunk, Some(&progress))
            .unwrap()
            .read_to_end(&mut joined)
            .unwrap();
    }
    assert!(joined == data);
    assert_eq!(progress.bytes_read(), progress.total());
}

#[test]
fn a_file_that_shrank_since_planning_ends_with_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("error.log");
    let data = log_with_continuations(2000);
    std::fs::write(&path, &data).unwrap();
    let size = data.len() as u64;
    let chunks = plan_chunks(&path, size, size / 3, &starts).unwrap();
    assert!(chunks.len() >= 3);
    let last = *chunks.last().unwrap();
    let cut = last.start + last.len() / 2;
    std::fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(cut)
        .unwrap();

    let mut reader = read_chunk(&path, &last, None).unwrap();
    let mut got = Vec::new();
    let err = reader.read_to_end(&mut got).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::UnexpectedEof);
    assert!(err.to_string().contains("shrank"), "{err}");
    assert_eq!(
        got.len() as u64,
        cut - last.start,
        "the bytes still there are read"
    );

    // Through an EntryReader: the complete entries, then the error.
    let mut entries = EntryReader::new(
        read_chunk(&path, &last, None).unwrap(),
        ReaderConfig::default(),
    );
    let mut n = 0;
    let err = loop {
        match entries.next_entry(&starts) {
            Ok(Some(_)) => n += 1,
            Ok(None) => panic!("silent end"),
            Err(e) => break e,
        }
    };
    assert!(n > 0);
    assert!(err.to_string().contains("shrank"));
}

#[test]
fn a_file_that_grew_since_planning_is_read_up_to_the_planned_size() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("error.log");
    let data = log_with_continuations(1000);
    std::fs::write(&path, &data).unwrap();
    let size = data.len() as u64;
    let chunks = plan_chunks(&path, size, 5000, &starts).unwrap();
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap();
    f.write_all(b"2024/05/02 00:00:00 [error] appended later\n")
        .unwrap();
    let whole = entries(&mut EntryReader::new(&data[..], ReaderConfig::default()), 0);
    assert!(read_chunks(&path, &chunks, ReaderConfig::default()) == whole);
}
