//! The read loop with the sinks it serves: counts, problems, limits, early stops.

use std::io;

use logscan_analyze::{Analyzer, Bound, Config};
use logscan_input::{Input, ReaderConfig};
use logscan_parse::{Format, Record, Zone};
use logscan_scan::{Entry, EventWriter, Formats, ScanError, Scanner, Sink, Start, Unrecognized};

const REFUSED: &str = "2026/11/25 01:27:19 [error] 812#812: *31 connect() failed (111: Connection refused) while connecting to upstream, client: 127.0.0.1, server: localhost, request: \"GET /api/items HTTP/1.1\", upstream: \"http://127.0.0.1:19020/api/items\", host: \"localhost\"";

/// Everything the loop hands over, as text.
#[derive(Default)]
struct Recorder {
    seen: Vec<String>,
    stop_after: Option<usize>,
}

impl Sink for Recorder {
    type Error = &'static str;

    fn start(&mut self, start: &Start<'_>) -> Result<(), &'static str> {
        self.seen.push(format!(
            "start {} {} {} {}",
            start.id,
            start.input.display,
            start.parser.format(),
            start.detected
        ));
        Ok(())
    }

    fn record(&mut self, entry: &Entry<'_>, record: &Record<'_>) -> Result<(), &'static str> {
        self.seen.push(format!(
            "record {}:{} x{} {}",
            entry.path,
            entry.line,
            entry.lines,
            record.format()
        ));
        match self.stop_after {
            Some(n) if self.seen.len() > n => Err("enough"),
            _ => Ok(()),
        }
    }

    fn unrecognized(&mut self, entry: &Entry<'_>, why: Unrecognized) -> Result<(), &'static str> {
        self.seen
            .push(format!("unrecognized {}:{} {why}", entry.path, entry.line));
        Ok(())
    }
}

#[test]
fn every_line_reaches_the_sink_once_with_its_place() {
    let log = format!(
        "{REFUSED}\n2026/11/25 01:27:20 [error] 812#812: *32 FastCGI sent in stderr: \"PHP message: boom\n#0 /var/www/index.php(3): f()\n#1 {{main}}\" while reading response header from upstream\n{}\n{REFUSED}",
        "x".repeat(600)
    );
    let scanner = Scanner::new(Formats::default()).reader_config(ReaderConfig {
        max_line: 512,
        ..ReaderConfig::default()
    });
    let mut sink = Recorder::default();
    scanner
        .scan_reader(
            3,
            &Input::file("logs/error.log", None),
            log.as_bytes(),
            &mut sink,
        )
        .unwrap();
    assert_eq!(
        sink.seen,
        [
            "start 3 logs/error.log nginx-error true",
            "record logs/error.log:1 x1 nginx-error",
            "record logs/error.log:2 x3 nginx-error",
            "unrecognized logs/error.log:5 line longer than 512 bytes, skipped",
            "record logs/error.log:6 x1 nginx-error",
        ]
    );
}

#[test]
fn a_sink_error_stops_the_loop() {
    let log = format!("{REFUSED}\n").repeat(10);
    let mut sink = Recorder {
        stop_after: Some(3),
        ..Recorder::default()
    };
    let stopped = Scanner::new(Formats::default()).scan_reader(
        0,
        &Input::file("error.log", None),
        log.as_bytes(),
        &mut sink,
    );
    assert!(matches!(stopped, Err(ScanError::Sink("enough"))));
    assert_eq!(sink.seen.len(), 4, "{:?}", sink.seen);
}

#[test]
fn a_forced_format_reads_every_line_with_it() {
    let formats = Formats {
        format: Some(Format::PhpFpm),
        ..Formats::default()
    };
    let mut analyzer = Analyzer::new(Config::default());
    let log = format!(
        "{REFUSED}\n[25-Nov-2026 10:06:01] WARNING: [pool www] server reached pm.max_children setting (5), consider raising it\n"
    );
    Scanner::new(formats)
        .scan_reader(
            0,
            &Input::file("fpm.log", None),
            log.as_bytes(),
            &mut analyzer,
        )
        .unwrap();
    let report = analyzer.finish();
    let input = &report.inputs[0];
    assert_eq!(input.format.to_string(), "php-fpm");
    assert_eq!((input.lines, input.parsed, input.unrecognized), (2, 1, 1));
}

#[test]
fn scan_all_reads_the_others_past_a_missing_input_and_writes_events() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("error.log");
    std::fs::write(&good, format!("{REFUSED}\nnot a line\n{REFUSED}\n")).unwrap();
    let inputs = [
        Input::file(dir.path().join("missing.log"), None),
        Input::file(&good, Some(1)),
    ];
    let mut events = EventWriter::new(Vec::new(), Zone::Utc, Config::default());
    let problems = Scanner::new(Formats::default())
        .scan_all(&inputs, &mut events)
        .unwrap();
    assert_eq!(problems.len(), 1);
    assert!(problems[0].path.ends_with("missing.log"), "{}", problems[0]);
    let out = String::from_utf8(events.finish().unwrap()).unwrap();
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert_eq!(lines[1]["log"]["file"]["line"], 3);
    assert_eq!(lines[0]["logscan"]["cause"], "upstream_refused");
    assert_eq!(lines[0]["@timestamp"], "2026-11-25T01:27:19+00:00");
}

#[test]
fn events_outside_since_and_until_are_left_out() {
    let log = format!("{REFUSED}\n{}\n", REFUSED.replace("01:27:19", "03:00:00"));
    // 2026-11-25T01:27:19Z is 1_795_570_039; 03:00:00 is 1_795_575_600.
    let limits = Config::default()
        .with_zone(Zone::Utc)
        .with_since(Bound::instant(1_795_573_000, 1_795_573_000));
    let mut events = EventWriter::new(Vec::new(), Zone::Utc, limits);
    Scanner::new(Formats::default())
        .scan_reader(
            0,
            &Input::file("error.log", None),
            log.as_bytes(),
            &mut events,
        )
        .unwrap();
    let out = String::from_utf8(events.finish().unwrap()).unwrap();
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.contains("03:00:00"), "{out}");
}

#[test]
fn a_broken_pipe_stops_events_with_the_error() {
    struct Closed;
    impl io::Write for Closed {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::ErrorKind::BrokenPipe.into())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let mut events = EventWriter::new(Closed, Zone::Utc, Config::default());
    let log = format!("{REFUSED}\n").repeat(3);
    let stopped = Scanner::new(Formats::default()).scan_reader(
        0,
        &Input::file("error.log", None),
        log.as_bytes(),
        &mut events,
    );
    assert!(matches!(stopped, Err(ScanError::Sink(e)) if e.kind() == io::ErrorKind::BrokenPipe));
}

#[test]
fn analyze_gives_one_report_whatever_the_threads_and_names_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let access = "10.0.0.1 - - [25/Nov/2026:01:27:19 +0000] \"GET /api/items HTTP/1.1\" 502 157 \"-\" \"curl/8.5.0\"\n";
    std::fs::write(
        dir.path().join("error.log"),
        format!("{REFUSED}\n").repeat(30),
    )
    .unwrap();
    std::fs::write(dir.path().join("access.log"), access.repeat(20)).unwrap();
    std::fs::write(dir.path().join("access_copy.log"), access.repeat(20)).unwrap();
    let found = logscan_input::discover(&[dir.path().to_path_buf()]);
    let report = |threads: usize| {
        let scanner =
            Scanner::new(Formats::default()).threads(std::num::NonZeroUsize::new(threads).unwrap());
        let duplicates = scanner.duplicate_access_logs(&found.inputs);
        let outcome = scanner.analyze(&found.inputs, &Config::default());
        assert!(outcome.problems.is_empty(), "{:?}", outcome.problems);
        (
            duplicates,
            serde_json::to_string(&outcome.analyzer.finish()).unwrap(),
        )
    };
    let (duplicates, one) = report(1);
    // access.log and access_copy.log hold the same requests: the second is named, the first kept.
    let names: Vec<&str> = found
        .inputs
        .iter()
        .map(|i| i.display.rsplit('/').next().unwrap())
        .collect();
    assert_eq!(duplicates.len(), 1, "{names:?}");
    assert_eq!(names[duplicates[0].0], "access_copy.log");
    assert_eq!(names[duplicates[0].1], "access.log");
    for threads in [2, 3] {
        assert_eq!(
            report(threads),
            (duplicates.clone(), one.clone()),
            "{threads} threads"
        );
    }
    let report: serde_json::Value = serde_json::from_str(&one).unwrap();
    assert_eq!(report["totals"]["lines"], 70);
}

/// An nginx error line in a Docker log written in a container whose clock is at +01:00: the
/// envelope's UTC instant gives the line its zone, so its event is placed without `--tz`
/// and keeps the wall-clock time nginx wrote.
#[test]
fn an_envelope_instant_gives_a_zoneless_error_line_its_offset() {
    let line = REFUSED.replace("01:27:19", "10:27:19");
    let docker = format!(
        "{{\"log\":{},\"stream\":\"stderr\",\"time\":\"2026-11-25T09:27:19.5Z\"}}\n",
        serde_json::to_string(&format!("{line}\n")).unwrap()
    );
    let scanner = Scanner::new(Formats::default());
    let mut events = EventWriter::new(Vec::new(), Zone::Utc, Config::default());
    scanner
        .scan_reader(
            0,
            &Input::file("web-json.log", None),
            docker.as_bytes(),
            &mut events,
        )
        .unwrap();
    let out = String::from_utf8(events.finish().unwrap()).unwrap();
    let event: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(event["@timestamp"], "2026-11-25T10:27:19+01:00");
    assert_eq!(event["stream"], "stderr");
    // Read plain, the same line is placed in the zone given.
    let mut events = EventWriter::new(Vec::new(), Zone::Utc, Config::default());
    scanner
        .scan_reader(
            0,
            &Input::file("error.log", None),
            line.as_bytes(),
            &mut events,
        )
        .unwrap();
    let out = String::from_utf8(events.finish().unwrap()).unwrap();
    let event: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(event["@timestamp"], "2026-11-25T10:27:19+00:00");
}

/// A reader that gives what was appended so far, then `Ok(0)` until more is appended: a
/// file being written, as logscan-follow's `Tail` reads it.
struct Growing {
    data: std::rc::Rc<std::cell::RefCell<Vec<u8>>>,
    at: usize,
}

impl io::Read for Growing {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let data = self.data.borrow();
        let n = buf.len().min(data.len() - self.at);
        buf[..n].copy_from_slice(&data[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// Follow mode reads an enveloped input too: a CRI log written in two steps, with a line
/// split into `P` and `F` pieces across the steps (the piece waits for its last one).
#[test]
fn a_followed_input_in_an_envelope_is_unwrapped_as_it_grows() {
    let data = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let scanner = Scanner::new(Formats::default());
    let mut stream = scanner.stream(
        0,
        Input::file("web.log", None),
        Growing {
            data: data.clone(),
            at: 0,
        },
    );
    let mut analyzer = Analyzer::new(Config::default());
    let (head, tail) = REFUSED.split_at(100);
    data.borrow_mut().extend_from_slice(
        format!(
            "2026-11-25T01:27:19.1Z stderr F {REFUSED}\n2026-11-25T01:27:19.2Z stderr P {head}\n"
        )
        .as_bytes(),
    );
    assert_eq!(stream.pump(&scanner, &mut analyzer).unwrap(), 2);
    data.borrow_mut()
        .extend_from_slice(format!("2026-11-25T01:27:20.1Z stderr F {tail}\n").as_bytes());
    assert_eq!(stream.pump(&scanner, &mut analyzer).unwrap(), 1);
    let report = analyzer.finish();
    let input = &report.inputs[0];
    assert_eq!(input.envelope.as_deref(), Some("cri"));
    assert_eq!((input.lines, input.parsed, input.unrecognized), (3, 3, 0));
    assert_eq!(report.findings[0].count, 2);
}
