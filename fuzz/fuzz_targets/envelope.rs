//! The envelope decoders (logscan-envelope) on top of the line splitter, as the read loop
//! will run them on one input: bytes -> `EntryReader` (one physical line per entry, small
//! limits) -> detection or a forced envelope -> `Decoder::decode` per line -> `finish`.
//!
//! Checks, besides "no panic": every physical line is accounted for exactly once (the
//! `lines` of all decoded lines add up to the newline count, plus one for a last line
//! without `\n`); no inner line is longer than the limit; the decoder's buffers stay
//! within their bound after every line. With the top bit of the first byte set, the rest
//! is taken as lines to wrap in the chosen envelope with `logscan_envelope::wrap`, and
//! decoding must give them back (Docker: invalid UTF-8 as U+FFFD; CRI: no final `\r`).
//!
//! Bytes: [choice] [limit] log... — (choice & 0x7f) % 6: 0 detection, 1-5 docker, cri,
//! timestamped, syslog, journald; limit: the line limit, 1-256 bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use logscan_envelope::{
    Config, Decoder, Envelope, Kind, Stream, YearHint, detect, detect_line, read_lines, wrap,
};
use logscan_input::{EntryReader, ReaderConfig};

fuzz_target!(|data: &[u8]| {
    let (choice, limit, log) = match data {
        [a, b, rest @ ..] => (*a, *b, rest),
        _ => return,
    };
    let max_line = usize::from(limit) + 1;
    let config = Config {
        max_line,
        year: YearHint {
            year: 2026,
            month: 11,
        },
        ..Config::default()
    };
    let forced = match (choice & 0x7f) % 6 {
        0 => None,
        n => Some(Envelope::ALL[usize::from(n) - 1]),
    };
    if choice & 0x80 != 0 {
        round_trip(forced.unwrap_or(Envelope::Docker), log, config);
        return;
    }

    let reader_config = ReaderConfig {
        max_line: 512,
        max_entry: 512,
        max_continuation_lines: 0,
    };
    let mut entries = EntryReader::new(log, reader_config);
    let sample: Vec<Vec<u8>> = entries
        .sample(64, 64 << 10)
        .unwrap()
        .into_iter()
        .map(<[u8]>::to_vec)
        .collect();
    let sample_refs: Vec<&[u8]> = sample.iter().map(Vec::as_slice).collect();
    for line in &sample_refs {
        let _ = detect_line(line);
    }
    let Some(envelope) = forced.or_else(|| detect(&sample_refs)) else {
        return;
    };
    let mut decoder = Decoder::new(envelope, config);
    let bound = 7 * (max_line + 1) + 64;
    let mut accounted = 0u64;
    while let Some(entry) = entries.next_entry(&|_| true).unwrap() {
        let physical = logscan_envelope::Physical {
            bytes: entry.bytes,
            number: entry.first_line,
            too_long: entry.too_long,
        };
        if let Some(line) = decoder.decode(physical) {
            accounted += u64::from(line.lines);
            assert!(line.bytes.len() <= max_line);
            assert!(line.kind == Kind::Server || line.kind == Kind::Other);
            if let Some(problem) = line.problem {
                let _ = problem.to_string();
            }
        }
        assert!(
            decoder.buffer_size() <= bound,
            "{} > {bound}",
            decoder.buffer_size()
        );
    }
    while let Some(line) = decoder.finish() {
        accounted += u64::from(line.lines);
    }
    let newlines = log.iter().filter(|&&b| b == b'\n').count() as u64;
    let physical = newlines + u64::from(log.last().is_some_and(|&b| b != b'\n'));
    assert_eq!(accounted, physical, "every physical line accounted for");
});

/// Wraps the lines of `text` (split on `\n`) in `envelope` and decodes them back.
fn round_trip(envelope: Envelope, text: &[u8], config: Config) {
    let config = Config {
        max_line: 1 << 20,
        ..config
    };
    let lines: Vec<&[u8]> = text.split(|&b| b == b'\n').collect();
    let mut input = Vec::new();
    let mut want: Vec<Vec<u8>> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let stream = if i % 3 == 0 {
            Stream::Stderr
        } else {
            Stream::Stdout
        };
        let time = "2026-11-25T01:27:19.5Z";
        match envelope {
            Envelope::Docker => {
                wrap::docker(&mut input, line, stream, time);
                want.push(wrap::docker_decoded(line));
            }
            Envelope::Cri => {
                wrap::cri(&mut input, line, stream, time);
                want.push(line.strip_suffix(b"\r").unwrap_or(line).to_vec());
            }
            Envelope::Timestamped => {
                wrap::timestamped(&mut input, line, time);
                want.push(line.to_vec());
            }
            Envelope::Syslog => {
                match i % 3 {
                    0 => wrap::nginx_syslog(
                        &mut input,
                        line,
                        187,
                        "Nov  5 01:27:19",
                        Some("web-1"),
                        "nginx",
                    ),
                    1 => wrap::rsyslog_file(
                        &mut input,
                        line,
                        "2026-11-25T01:27:19+00:00",
                        "web-1",
                        "nginx",
                    ),
                    _ => wrap::rsyslog_rfc5424(&mut input, line, 190, time, "web-1", "nginx"),
                }
                want.push(line.to_vec());
            }
            Envelope::Journald => {
                wrap::journald(&mut input, line, 1_795_570_039_000_000, "web-1", "nginx", 1);
                want.push(line.to_vec());
            }
        }
    }
    let mut entries = EntryReader::new(&input[..], ReaderConfig::default());
    let mut decoder = Decoder::new(envelope, config);
    let mut got = Vec::new();
    read_lines(&mut entries, &mut decoder, |l| {
        assert!(l.problem.is_none(), "{:?}", l.problem);
        assert_eq!(l.kind, Kind::Server);
        got.push(l.bytes.to_vec());
    })
    .unwrap();
    assert!(
        got == want,
        "{} lines back, {} wrapped",
        got.len(),
        want.len()
    );
}
