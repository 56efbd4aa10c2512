//! Property tests: lines wrapped in each envelope the way its program writes them decode
//! back to the same bytes; any input at all is decoded without panic, with every physical
//! line accounted for and the buffers bounded.

mod common;

use common::decode_bytes;
use logscan_envelope::{Config, Decoder, Envelope, Kind, Physical, Stream, YearHint, wrap};
use proptest::prelude::*;

const T: &str = "2026-11-25T01:27:19.123456789Z";

fn config() -> Config {
    Config {
        year: YearHint {
            year: 2026,
            month: 11,
        },
        ..Config::default()
    }
}

/// A line without `\n`: mostly short and printable, sometimes any bytes, sometimes longer
/// than Docker's and containerd's 16 KiB pieces.
fn line() -> impl Strategy<Value = Vec<u8>> {
    let no_newline = any::<u8>().prop_filter("no \\n", |b| *b != b'\n');
    prop_oneof![
        6 => proptest::collection::vec(no_newline.clone(), 0..200),
        2 => "[ -~]{0,120}".prop_map(String::into_bytes),
        1 => (proptest::collection::vec(no_newline, 1..8), 16_000usize..40_000)
            .prop_map(|(unit, len)| unit.iter().copied().cycle().take(len).collect()),
    ]
}

fn lines() -> impl Strategy<Value = Vec<(Vec<u8>, bool)>> {
    proptest::collection::vec((line(), any::<bool>()), 1..12)
}

fn stream(stderr: bool) -> Stream {
    if stderr {
        Stream::Stderr
    } else {
        Stream::Stdout
    }
}

/// The first difference between two lists of lines, briefly (lines can be 40 KB long).
fn difference(got: &[Vec<u8>], want: &[Vec<u8>]) -> Option<String> {
    if let Some(i) = (0..got.len().min(want.len())).find(|&i| got[i] != want[i]) {
        let at = got[i]
            .iter()
            .zip(&want[i])
            .position(|(a, b)| a != b)
            .unwrap_or(got[i].len().min(want[i].len()));
        let show = |l: &[u8]| format!("{:?}", &l[at.saturating_sub(8)..(at + 8).min(l.len())]);
        return Some(format!(
            "line {i}: lengths {} / {}, first difference at byte {at}: {} / {}",
            got[i].len(),
            want[i].len(),
            show(&got[i]),
            show(&want[i])
        ));
    }
    (got.len() != want.len()).then(|| format!("{} lines / {}", got.len(), want.len()))
}

/// Decodes and checks the accounting; the server lines' bytes.
fn inner(input: &[u8], envelope: Envelope) -> Vec<Vec<u8>> {
    let decoded = decode_bytes(input, Some(envelope), config());
    assert_eq!(decoded.accounted(), decoded.physical);
    assert_eq!(decoded.problems(), []);
    decoded.server().map(|l| l.bytes.clone()).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn docker_gives_lines_back(lines in lines()) {
        let mut input = Vec::new();
        for (line, stderr) in &lines {
            wrap::docker(&mut input, line, stream(*stderr), T);
        }
        // Docker replaces each byte that is not UTF-8 with U+FFFD; the rest is exact.
        let want: Vec<Vec<u8>> = lines.iter().map(|(l, _)| wrap::docker_decoded(l)).collect();
        let got = inner(&input, Envelope::Docker);
        prop_assert!(got == want, "{:?}", difference(&got, &want));
    }

    #[test]
    fn cri_gives_lines_back(lines in lines()) {
        let mut input = Vec::new();
        for (line, stderr) in &lines {
            wrap::cri(&mut input, line, stream(*stderr), T);
        }
        // containerd drops the `\r` of a `\r\n`.
        let want: Vec<Vec<u8>> = lines
            .iter()
            .map(|(l, _)| l.strip_suffix(b"\r").unwrap_or(l).to_vec())
            .collect();
        let got = inner(&input, Envelope::Cri);
        prop_assert!(got == want, "{:?}", difference(&got, &want));
    }

    #[test]
    fn timestamped_gives_lines_back(lines in lines()) {
        let mut input = Vec::new();
        for (line, _) in &lines {
            wrap::timestamped(&mut input, line, T);
        }
        let want: Vec<Vec<u8>> = lines.into_iter().map(|(l, _)| l).collect();
        let got = inner(&input, Envelope::Timestamped);
        prop_assert!(got == want, "{:?}", difference(&got, &want));
    }

    #[test]
    fn syslog_gives_lines_back(lines in lines(), form in 0..5u8) {
        let mut input = Vec::new();
        for (line, _) in &lines {
            match form {
                0 => wrap::nginx_syslog(&mut input, line, 187, "Nov  5 01:27:19", Some("web-1"), "nginx"),
                1 => wrap::nginx_syslog(&mut input, line, 190, "Nov 25 01:27:19", None, "nginx"),
                2 => wrap::rsyslog_file(&mut input, line, "Nov 25 01:27:19", "web-1", "nginx"),
                3 => wrap::rsyslog_file(&mut input, line, "2026-11-25T01:27:19.5+00:00", "10.0.0.7", "nginx[12]"),
                _ => wrap::rsyslog_rfc5424(&mut input, line, 190, T, "web-1", "nginx"),
            }
        }
        let want: Vec<Vec<u8>> = lines.into_iter().map(|(l, _)| l).collect();
        let got = inner(&input, Envelope::Syslog);
        prop_assert!(got == want, "{:?}", difference(&got, &want));
    }

    #[test]
    fn journald_gives_any_bytes_back(messages in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..300), 1..12)) {
        let mut input = Vec::new();
        for (i, m) in messages.iter().enumerate() {
            wrap::journald(&mut input, m, 1_795_570_039_000_000 + i as i64, "web-1", "nginx", 812);
        }
        let got = inner(&input, Envelope::Journald);
        prop_assert!(got == messages, "{:?}", difference(&got, &messages));
    }

    #[test]
    fn any_input_is_accounted_for(
        input in proptest::collection::vec(any::<u8>(), 0..4000),
        envelope in proptest::sample::select(Envelope::ALL.to_vec()),
        max_line in 1usize..64,
    ) {
        let config = Config { max_line, ..config() };
        let mut decoder = Decoder::new(envelope, config);
        let mut physical = 0u64;
        let mut accounted = 0u64;
        let body = input.strip_suffix(b"\n").unwrap_or(&input);
        for (i, line) in body.split(|&b| b == b'\n').enumerate().filter(|_| !input.is_empty()) {
            physical += 1;
            if let Some(l) = decoder.decode(Physical::new(line, i as u64 + 1)) {
                accounted += u64::from(l.lines);
                prop_assert!(l.bytes.len() <= max_line);
                prop_assert!(l.kind == Kind::Server || l.kind == Kind::Other);
            }
            prop_assert!(decoder.buffer_size() <= 7 * (max_line + 1) + 64);
        }
        while let Some(l) = decoder.finish() {
            accounted += u64::from(l.lines);
        }
        prop_assert_eq!(accounted, physical);
    }
}
