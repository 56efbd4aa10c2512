//! Opening inputs: compression by magic bytes, multi-member archives, truncation, progress.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

use std::io::{Read, Write};
use std::path::Path;

use logscan_input::{
    Compression, EntryReader, Input, Progress, ReaderConfig, discover, open, sniff_compression,
};

/// Distinct lines, so compressed data is not trivially small.
fn sample_text(lines: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for i in 0..lines {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        writeln!(
            out,
            "2024/05/01 14:{:02}:{:02} [error] {}#0: *{} connect() failed (111: Connection refused) while connecting to upstream, upstream: \"http://10.0.{}.{}:8080/\" r={x:016x}",
            (i / 60) % 60,
            i % 60,
            i % 7,
            i,
            (x >> 8) % 256,
            x % 256
        )
        .unwrap();
    }
    out
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn zstd(data: &[u8]) -> Vec<u8> {
    zstd::stream::encode_all(data, 3).unwrap()
}

fn bzip2(data: &[u8]) -> Vec<u8> {
    let mut e = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn xz(data: &[u8]) -> Vec<u8> {
    let mut e = liblzma::write::XzEncoder::new(Vec::new(), 1);
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

type Encoder = fn(&[u8]) -> Vec<u8>;

const ALL: [(Compression, Encoder); 5] = [
    (Compression::None, |d| d.to_vec()),
    (Compression::Gzip, gzip),
    (Compression::Zstd, zstd),
    (Compression::Bzip2, bzip2),
    (Compression::Xz, xz),
];

fn input_for(path: &Path) -> Input {
    let found = discover(&[path.to_path_buf()]);
    assert!(found.problems.is_empty(), "{:?}", found.problems);
    assert_eq!(found.inputs.len(), 1);
    found.inputs.into_iter().next().unwrap()
}

fn read_all(input: &Input) -> (Compression, std::io::Result<Vec<u8>>) {
    let mut opened = open(input, None).unwrap();
    let mut out = Vec::new();
    let res = opened.reader.read_to_end(&mut out).map(|_| out);
    (opened.compression, res)
}

#[test]
fn every_compression_is_told_by_magic_not_name() {
    let dir = tempfile::tempdir().unwrap();
    let text = sample_text(2000);
    for (kind, encode) in ALL {
        // A misleading name: the bytes decide.
        let path = dir.path().join(format!("{}.log.1.gz", kind.name()));
        std::fs::write(&path, encode(&text)).unwrap();
        assert_eq!(sniff_compression(&path).unwrap(), kind);
        let (found, data) = read_all(&input_for(&path));
        assert_eq!(found, kind);
        assert!(data.unwrap() == text, "{kind} content differs");
    }
}

#[test]
fn concatenated_members_frames_and_streams_read_as_one() {
    let dir = tempfile::tempdir().unwrap();
    let a = sample_text(300);
    let b = b"second member line 1\nsecond member line 2\n".to_vec();
    let c = sample_text(7);
    let mut whole = a.clone();
    whole.extend_from_slice(&b);
    whole.extend_from_slice(&c);
    for (kind, encode) in ALL.into_iter().skip(1) {
        let mut bytes = encode(&a);
        bytes.extend(encode(&b));
        bytes.extend(encode(&c));
        let path = dir.path().join(format!("multi.{}", kind.name()));
        std::fs::write(&path, bytes).unwrap();
        let (found, data) = read_all(&input_for(&path));
        assert_eq!(found, kind);
        let data = data.unwrap_or_else(|e| panic!("{kind}: {e}"));
        assert!(
            data == whole,
            "{kind}: got {} bytes, want {}",
            data.len(),
            whole.len()
        );
    }
}

#[test]
fn truncated_archives_yield_complete_lines_then_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let text = sample_text(20_000);
    let lines: Vec<&[u8]> = text.split(|&b| b == b'\n').collect();
    for (kind, encode) in ALL.into_iter().skip(1) {
        let full = encode(&text);
        for cut in [full.len() / 2, full.len() - 1] {
            let path = dir.path().join(format!("cut{cut}.{}", kind.name()));
            std::fs::write(&path, &full[..cut]).unwrap();
            let opened = open(&input_for(&path), None).unwrap();
            assert_eq!(opened.compression, kind);
            let mut reader = EntryReader::new(opened.reader, ReaderConfig::default());
            let mut n = 0;
            let err = loop {
                match reader.next_entry(&|_| true) {
                    Ok(Some(e)) => {
                        assert_eq!(e.bytes, lines[n], "{kind} cut at {cut}: line {}", n + 1);
                        assert_eq!(e.first_line, n as u64 + 1);
                        n += 1;
                    }
                    Ok(None) => panic!("{kind} cut at {cut}: silent end after {n} lines"),
                    Err(e) => break e,
                }
            };
            if cut == full.len() / 2 {
                assert!(
                    n > 2_000,
                    "{kind} cut at half: only {n} lines before the error"
                );
            } else {
                // Cut in the trailer or the last block: (nearly) every line, then the error.
                let want = if kind == Compression::Zstd {
                    19_000
                } else {
                    20_000
                };
                assert!(n >= want, "{kind} cut at the end: only {n} lines");
            }
            eprintln!("{kind} cut at {cut}/{}: {n} lines, then: {err}", full.len());
        }
    }
}

#[test]
fn a_gzip_magic_alone_is_an_error_not_an_empty_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.log");
    std::fs::write(&path, [0x1f, 0x8b]).unwrap();
    let (kind, data) = read_all(&input_for(&path));
    assert_eq!(kind, Compression::Gzip);
    assert!(data.is_err());
}

#[test]
fn short_and_empty_plain_files() {
    let dir = tempfile::tempdir().unwrap();
    for content in [&b""[..], b"x", b"BZ", b"\x1f", b"\n"] {
        let path = dir.path().join("short.log");
        std::fs::write(&path, content).unwrap();
        let (kind, data) = read_all(&input_for(&path));
        assert_eq!(kind, Compression::None);
        assert_eq!(data.unwrap(), content);
    }
}

#[test]
fn progress_counts_compressed_bytes_read_from_disk() {
    let dir = tempfile::tempdir().unwrap();
    let text = sample_text(5000);
    let packed = gzip(&text);
    let path = dir.path().join("p.log.gz");
    std::fs::write(&path, &packed).unwrap();
    let plain = dir.path().join("p.log");
    std::fs::write(&plain, &text).unwrap();

    let progress = Progress::new();
    let found = discover(&[path, plain]);
    for input in &found.inputs {
        progress.add_total(input.size.unwrap());
    }
    assert_eq!(progress.total(), (packed.len() + text.len()) as u64);
    for input in &found.inputs {
        let mut opened = open(input, Some(&progress)).unwrap();
        let mut sink = Vec::new();
        opened.reader.read_to_end(&mut sink).unwrap();
        assert_eq!(sink, text);
    }
    assert_eq!(progress.bytes_read(), progress.total());
}

#[test]
fn opening_a_directory_or_a_missing_file_is_a_fatal_error() {
    let dir = tempfile::tempdir().unwrap();
    let err = open(&Input::file(dir.path(), None), None).unwrap_err();
    assert!(err.fatal);
    assert!(err.reason.contains("is a directory"), "{err}");

    let missing = dir.path().join("gone.log");
    let err = open(&Input::file(&missing, Some(3)), None).unwrap_err();
    assert!(err.fatal);
    assert_eq!(err.reason, "No such file or directory");
    assert_eq!(
        err.to_string(),
        format!("{}: No such file or directory", missing.display())
    );
}

/// Standard input, compressed, through a child process of this test binary.
#[test]
fn stdin_is_read_and_decompressed() {
    const CHILD: &str = "LOGSCAN_INPUT_TEST_STDIN_CHILD";
    if std::env::var_os(CHILD).is_some() {
        let progress = Progress::new();
        let opened = open(&Input::stdin(), Some(&progress)).unwrap();
        let mut reader = EntryReader::new(opened.reader, ReaderConfig::default());
        let mut lines = 0;
        while let Some(e) = reader.next_entry(&|_| true).unwrap() {
            lines += e.lines;
        }
        println!(
            "child: compression={} lines={lines} read={}",
            opened.compression,
            progress.bytes_read()
        );
        return;
    }
    let text = sample_text(3000);
    let packed = zstd(&text);
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "stdin_is_read_and_decompressed",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(&packed).map(|()| packed.len()));
    let out = child.wait_with_output().unwrap();
    let sent = writer.join().unwrap().unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(&format!("child: compression=zstd lines=3000 read={sent}")),
        "{stdout}"
    );
}

/// Lines of random hex digits: about half their size compressed.
fn random_hex_text(bytes: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes + 80);
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    while out.len() < bytes {
        for _ in 0..4 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            write!(out, "{x:016x}").unwrap();
        }
        out.push(b'\n');
    }
    out
}

#[test]
fn archives_small_and_large_read_alike() {
    // Archives under 1 MiB are decoded on the reading thread, larger ones on a thread of
    // their own: both give every byte, and a cut archive every line before the cut, then
    // an error.
    let dir = tempfile::tempdir().unwrap();
    for (size, large) in [(200_000, false), (3 << 20, true)] {
        let text = random_hex_text(size);
        for (kind, encode) in [
            (Compression::Gzip, gzip as fn(&[u8]) -> Vec<u8>),
            (Compression::Zstd, zstd),
        ] {
            let full = encode(&text);
            assert_eq!(full.len() >= 1 << 20, large, "{kind}: {} bytes", full.len());
            let path = dir.path().join(format!("{size}.{}", kind.name()));
            std::fs::write(&path, &full).unwrap();
            let (found, data) = read_all(&input_for(&path));
            assert_eq!(found, kind);
            assert!(data.unwrap() == text, "{kind} of {size} bytes differs");
            let cut = dir.path().join(format!("{size}.cut.{}", kind.name()));
            std::fs::write(&cut, &full[..full.len() / 2]).unwrap();
            let (_, data) = read_all(&input_for(&cut));
            assert!(
                data.is_err(),
                "{kind} of {size} bytes cut in half read without error"
            );
        }
    }
}
