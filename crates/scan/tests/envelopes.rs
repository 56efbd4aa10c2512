//! Enveloped inputs against the plain logs of the same run (the fixture corpus at the
//! repository root: this test is left out of the package).
//!
//! For each envelope fixture, the report of the one enveloped input must equal the report
//! of its sources read as plain files. Compared: the summary, the findings (everything
//! but `examples`, whose paths and line numbers name the input read), the incidents, the
//! timeline, the access summary, the zone, and the totals but `lines`/`parsed`/`other`
//! (checked per input instead: other programs' lines are `other`; the plain
//! files count their lines, the enveloped input its physical lines: equal except where
//! Docker split a line into pieces). Per input: 0 unrecognized, and
//! `lines = parsed + unrecognized + other`. One difference is Docker's own: it writes each
//! byte that is not valid UTF-8 as U+FFFD, so for Docker the plain report's `\xe9` (how
//! reports show such a byte) is compared as `\u{fffd}`.

use std::path::{Path, PathBuf};

use logscan_analyze::{Analyzer, Config, Report};
use logscan_input::Input;
use logscan_scan::{Envelope, Envelopes, Formats, Scanner};
use serde_json::Value;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

fn input(path: &Path) -> Input {
    Input::file(path, std::fs::metadata(path).ok().map(|m| m.len()))
}

fn report(scanner: &Scanner, paths: &[PathBuf]) -> Report {
    let mut analyzer = Analyzer::new(Config::default());
    let inputs: Vec<Input> = paths.iter().map(|p| input(p)).collect();
    let problems = scanner.scan_all(&inputs, &mut analyzer);
    assert!(
        matches!(problems, Ok(ref p) if p.is_empty()),
        "{problems:?}"
    );
    analyzer.finish()
}

/// The parts of a report that do not depend on how the lines were stored.
fn findings_part(report: &Report) -> Value {
    let mut json = serde_json::to_value(report).expect("JSON");
    let object = json.as_object_mut().expect("an object");
    object.remove("inputs");
    if let Some(findings) = object.get_mut("findings").and_then(Value::as_array_mut) {
        for finding in findings {
            finding.as_object_mut().expect("object").remove("examples");
        }
    }
    let totals = object
        .get_mut("totals")
        .and_then(Value::as_object_mut)
        .expect("totals");
    totals.remove("lines");
    totals.remove("parsed");
    totals.remove("other");
    json
}

fn replace_strings(value: &mut Value, from: &str, to: &str) {
    match value {
        Value::String(s) => *s = s.replace(from, to),
        Value::Array(items) => items.iter_mut().for_each(|v| replace_strings(v, from, to)),
        Value::Object(map) => map.values_mut().for_each(|v| replace_strings(v, from, to)),
        _ => {}
    }
}

fn manifest() -> Vec<(String, Envelope, Vec<PathBuf>)> {
    let text =
        std::fs::read_to_string(fixtures().join("envelope/manifest.json")).expect("manifest");
    let manifest: Value = serde_json::from_str(&text).expect("manifest JSON");
    let mut files = Vec::new();
    for (name, entry) in manifest.as_object().expect("object") {
        let envelope: Envelope = entry["envelope"]
            .as_str()
            .expect("name")
            .parse()
            .expect("envelope");
        let sources = ["stderr", "stdout"]
            .iter()
            .map(|s| fixtures().join(entry["sources"][s].as_str().expect("source")))
            .collect();
        files.push((name.clone(), envelope, sources));
    }
    files
}

#[test]
fn every_container_fixture_gives_the_report_of_its_plain_logs() {
    let scanner = Scanner::new(Formats::default());
    let files = manifest();
    assert_eq!(files.len(), 9);
    for (name, envelope, sources) in files {
        let wrapped = report(&scanner, &[fixtures().join("envelope").join(&name)]);
        let plain = report(&scanner, &sources);
        let input = &wrapped.inputs[0];
        assert_eq!(input.envelope.as_deref(), Some(envelope.name()), "{name}");
        assert_eq!(
            input.unrecognized, 0,
            "{name}: {:?}",
            input.unrecognized_examples
        );
        assert_eq!(input.other, 0, "{name}");
        assert_eq!(
            input.lines,
            input.parsed + input.unrecognized + input.other,
            "{name}"
        );
        assert_eq!(input.format.to_string(), "mixed", "{name}");
        // Each format's lines are its plain file's lines; Docker and CRI count the pieces
        // of a line they split as the physical lines they are.
        let mut plain_formats = std::collections::BTreeMap::new();
        for i in &plain.inputs {
            *plain_formats.entry(i.format.to_string()).or_insert(0) += i.parsed;
        }
        let formats: std::collections::BTreeMap<String, u64> = input.formats.clone();
        assert_eq!(
            formats.keys().collect::<Vec<_>>(),
            plain_formats.keys().collect::<Vec<_>>(),
            "{name}"
        );
        for (format, n) in &formats {
            let plain_n = plain_formats[format];
            if envelope == Envelope::Timestamped {
                assert_eq!(*n, plain_n, "{name} {format}");
            } else {
                assert!(*n >= plain_n, "{name} {format}: {n} < {plain_n}");
            }
        }
        let mut expected = findings_part(&plain);
        if envelope == Envelope::Docker {
            replace_strings(&mut expected, r"\xe9", "\u{fffd}");
        }
        assert_eq!(
            findings_part(&wrapped),
            expected,
            "{name}: the report differs from the plain logs'"
        );
        // Read with the envelope named, the same.
        let forced = Scanner::new(Formats::default()).envelopes(Envelopes::Always(envelope));
        assert_eq!(
            findings_part(&report(&forced, &[fixtures().join("envelope").join(&name)])),
            expected,
            "{name} with --envelope {envelope}"
        );
    }
}

/// rsyslog's files, nginx's own datagrams and journalctl's outputs, captured from the real
/// programs, against the plain logs nginx wrote at the same time: the same report, and the
/// other programs' lines (`sshd`, `CRON`, `systemd`, journalctl's markers) counted as other.
#[test]
fn syslog_and_journald_captures_give_the_report_of_the_plain_logs() {
    let scanner = Scanner::new(Formats::default());
    let cases: [(&str, &str, &str, u64); 8] = [
        ("nginx/syslog", "syslog/rsyslog_rfc3339.log", "syslog", 5),
        ("nginx/syslog", "syslog/rsyslog_rfc5424.log", "syslog", 5),
        (
            "nginx/syslog",
            "syslog/rsyslog_traditional.log",
            "syslog",
            5,
        ),
        ("nginx/syslog", "syslog/udp.log", "syslog", 0),
        ("nginx/syslog", "syslog/udp_nohostname.log", "syslog", 0),
        ("nginx/journald", "journald/json-all.json", "journald", 7),
        ("nginx/journald", "journald/short.log", "syslog", 7),
        (
            "nginx/journald",
            "journald/short-iso-precise.log",
            "syslog",
            7,
        ),
    ];
    for (dir, file, envelope, other) in cases {
        let dir = fixtures().join(dir);
        let plain = report(&scanner, &[dir.join("error.log"), dir.join("access.log")]);
        let wrapped = report(&scanner, &[dir.join(file)]);
        let input = &wrapped.inputs[0];
        assert_eq!(input.envelope.as_deref(), Some(envelope), "{file}");
        assert_eq!((input.unrecognized, input.other), (0, other), "{file}");
        assert_eq!(input.lines, input.parsed + input.other, "{file}");
        assert_eq!(input.envelope_problems, 0, "{file}");
        assert_eq!(findings_part(&wrapped), findings_part(&plain), "{file}");
    }
}

/// `journalctl -o json` without `--all` writes `MESSAGE: null` for the 20 KB access line:
/// that line is an envelope problem and unrecognized (its text is gone), never joined to
/// the error entry before it; everything else is read.
#[test]
fn a_journald_message_left_out_is_counted_and_named() {
    let scanner = Scanner::new(Formats::default());
    let dir = fixtures().join("nginx/journald");
    let wrapped = report(&scanner, &[dir.join("journald/json.json")]);
    let input = &wrapped.inputs[0];
    assert_eq!(input.envelope_problems, 1);
    let example = &input.envelope_problem_examples[0];
    assert!(
        example.text.starts_with("journald MESSAGE is null"),
        "{}",
        example.text
    );
    assert_eq!((input.unrecognized, input.other), (1, 7));
    assert_eq!(input.formats["nginx-error"], 34);
    assert_eq!(input.formats["nginx-access"], 45);
    assert_eq!(input.lines, input.parsed + input.unrecognized + input.other);
}

/// `docker logs NAME 2>&1` without `-t`: the inner lines of the timestamped fixtures, error
/// and access lines interleaved in a plain stream. Each line is read in its own format
/// (none swallowed as a continuation of an error entry), and the report is the plain
/// files'.
#[test]
fn interleaved_error_and_access_lines_in_a_plain_stream_are_each_read_in_their_format() {
    let scanner = Scanner::new(Formats::default());
    for (name, envelope, sources) in manifest() {
        if envelope != Envelope::Timestamped {
            continue;
        }
        let text = std::fs::read(fixtures().join("envelope").join(&name)).expect("fixture");
        let inner: Vec<u8> = text
            .split_inclusive(|b| *b == b'\n')
            .flat_map(|line| {
                let space = line.iter().position(|b| *b == b' ').expect("a time");
                line[space + 1..].iter().copied()
            })
            .collect();
        let mut analyzer = Analyzer::new(Config::default());
        scanner
            .scan_reader(0, &Input::stdin(), inner.as_slice(), &mut analyzer)
            .expect("read");
        let mixed = analyzer.finish();
        let plain = report(&scanner, &sources);
        let input = &mixed.inputs[0];
        assert_eq!(input.envelope, None, "{name}");
        assert_eq!(input.format.to_string(), "mixed", "{name}");
        assert_eq!((input.unrecognized, input.other), (0, 0), "{name}");
        for i in &plain.inputs {
            assert_eq!(input.formats[&i.format.to_string()], i.parsed, "{name}");
        }
        assert_eq!(findings_part(&mixed), findings_part(&plain), "{name}");
    }
}

/// Events carry what the envelope says: the stream of container lines (error lines on
/// stderr, access lines on stdout in the official nginx image), the host and program of
/// syslog lines.
#[test]
fn events_carry_the_envelope_fields() {
    use logscan_parse::Zone;
    use logscan_scan::EventWriter;
    let scanner = Scanner::new(Formats::default());
    let events = |path: PathBuf| -> Vec<Value> {
        let mut writer = EventWriter::new(Vec::new(), Zone::Utc, Config::default());
        scanner.scan(0, &input(&path), &mut writer).expect("read");
        let out = writer.finish().expect("flushed");
        out.split(|b| *b == b'\n')
            .filter(|l| !l.is_empty())
            .map(|l| serde_json::from_slice(l).expect("JSON"))
            .collect()
    };
    let docker = events(fixtures().join("envelope/docker/nginx-mixed.log"));
    assert!(!docker.is_empty());
    for event in &docker {
        let want = match event["event"]["dataset"].as_str() {
            Some("nginx.error") => "stderr",
            Some("nginx.access") => "stdout",
            other => panic!("dataset {other:?}"),
        };
        assert_eq!(event["stream"], want, "{event}");
    }
    let syslog = events(fixtures().join("nginx/syslog/syslog/rsyslog_traditional.log"));
    assert_eq!(syslog.len(), 80);
    for event in &syslog {
        assert_eq!(event["log"]["syslog"]["appname"], "nginx", "{event}");
        assert!(event["host"]["name"].is_string(), "{event}");
        assert!(event["log"]["file"]["line"].is_u64(), "{event}");
    }
}

/// HAProxy logs through syslog (rsyslog's file): found to be in a syslog envelope, its
/// lines are the load balancer's (not other programs'), and the report is the one of the
/// same files read without unwrapping (the HAProxy parser reads the syslog header itself).
#[test]
fn haproxy_logs_through_syslog_are_not_other_programs_lines() {
    let auto = Scanner::new(Formats::default());
    let plain = Scanner::new(Formats::default()).envelopes(Envelopes::None);
    let dir = fixtures().join("haproxy/nginx_refused");
    let files = [dir.join("haproxy.log"), dir.join("access_upstream.log")];
    let wrapped = report(&auto, &files);
    let haproxy = &wrapped.inputs[0];
    assert_eq!(haproxy.envelope.as_deref(), Some("syslog"));
    assert_eq!((haproxy.other, haproxy.unrecognized), (0, 0));
    assert_eq!(haproxy.parsed, haproxy.lines);
    assert_eq!(
        findings_part(&wrapped),
        findings_part(&report(&plain, &files))
    );
}

/// The report of `bytes` read as one input (from memory: the path says nothing).
fn report_of(scanner: &Scanner, bytes: &[u8]) -> Report {
    let mut analyzer = Analyzer::new(Config::default());
    scanner
        .scan_reader(0, &Input::stdin(), bytes, &mut analyzer)
        .expect("read");
    analyzer.finish()
}

/// An nginx error log carries no zone. Wrapped by a runtime whose times are instants
/// (Docker, CRI, `kubectl --timestamps`, journald, RFC 5424), the report's zone is the
/// envelope's: the offset between the lines' wall clock and the envelope's instants.
/// RFC 3164 times carry no offset, so they are no zone source, and neither is the plain
/// log; an access log's offsets still come first.
#[test]
fn an_error_log_in_an_envelope_takes_its_zone_from_the_envelope() {
    use logscan_analyze::report::ZoneSource;
    use logscan_envelope::{Stream, wrap};

    let scanner = Scanner::new(Formats::default());
    let dir = fixtures().join("nginx/refused");
    let plain_text = std::fs::read(dir.join("error.log")).expect("fixture");
    let plain = report_of(&scanner, &plain_text);
    assert_eq!(plain.zone.source, ZoneSource::AsLogged);
    assert_eq!(plain.zone.name, "");

    // (envelope, the offset the runtime's times are written in, what it gives)
    let forms: [(&str, &str, Option<&str>); 7] = [
        ("docker", "Z", Some("+00:00")),
        ("cri", "Z", Some("+00:00")),
        ("cri", "+01:00", Some("+01:00")),
        ("timestamped", "-05:30", Some("-05:30")),
        ("journald", "Z", Some("+00:00")),
        ("rfc5424", "+02:00", Some("+02:00")),
        ("rfc3164", "", None),
    ];
    for (form, offset, zone) in forms {
        let mut wrapped = Vec::new();
        for line in plain_text.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
            // `2026/12/05 21:09:05 [error] …`: the envelope's time is the line's wall clock
            // written in `offset`, as a runtime in that zone's clock would write it.
            let wall = String::from_utf8_lossy(&line[..19]).replace('/', "-");
            let rfc3339 = format!("{}T{}.250{offset}", &wall[..10], &wall[11..]);
            match form {
                "docker" => wrap::docker(&mut wrapped, line, Stream::Stderr, &rfc3339),
                "cri" => wrap::cri(&mut wrapped, line, Stream::Stderr, &rfc3339),
                "timestamped" => wrap::timestamped(&mut wrapped, line, &rfc3339),
                "rfc5424" => {
                    wrap::rsyslog_rfc5424(&mut wrapped, line, 187, &rfc3339, "web", "nginx")
                }
                "journald" => {
                    let t = chrono_free_unix(&wall) * 1_000_000 + 250_000;
                    wrap::journald(&mut wrapped, line, t, "web", "nginx", 7);
                }
                _ => {
                    let month = [
                        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
                        "Nov", "Dec",
                    ][wall[5..7].parse::<usize>().expect("month") - 1];
                    let time = format!(
                        "{month} {:>2} {}",
                        wall[8..10].trim_start_matches('0'),
                        &wall[11..]
                    );
                    wrap::rsyslog_file(&mut wrapped, line, &time, "web", "nginx[7]");
                }
            }
        }
        let report = report_of(&scanner, &wrapped);
        let input = &report.inputs[0];
        assert!(input.envelope.is_some(), "{form}");
        assert_eq!(
            input.unrecognized, 0,
            "{form}: {:?}",
            input.unrecognized_examples
        );
        match zone {
            Some(name) => {
                assert_eq!(report.zone.source, ZoneSource::Envelope, "{form}");
                assert_eq!(report.zone.name, name, "{form}");
                let first = serde_json::to_value(report.findings[0].first_seen).expect("json");
                let shown = first.as_str().expect("a time");
                assert!(shown.ends_with(name), "{form}: {shown}");
            }
            None => assert_eq!(report.zone.source, ZoneSource::AsLogged, "{form}"),
        }
        // Same findings as the plain log but for the zone the times are shown in.
        let strip_zone = |r: &Report| {
            let mut v = findings_part(r);
            v.as_object_mut().expect("object").remove("zone");
            v.to_string()
                .replace(&format!("{}\"", zone.unwrap_or("")), "\"")
        };
        assert_eq!(strip_zone(&report), strip_zone(&plain), "{form}");
    }

    // With the access log's offsets, those name the zone (the mixed fixtures).
    let docker = report(
        &scanner,
        &[fixtures().join("envelope/docker/nginx-mixed.log")],
    );
    assert_eq!(docker.zone.source, ZoneSource::AccessLog);
}

/// Unix seconds of `YYYY-MM-DD HH:MM:SS` in UTC (days from civil, as in the parse crate).
fn chrono_free_unix(wall: &str) -> i64 {
    let n = |r: std::ops::Range<usize>| wall[r].parse::<i64>().expect("digits");
    let (y, m, d) = (n(0..4), n(5..7), n(8..10));
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    days * 86_400 + n(11..13) * 3_600 + n(14..16) * 60 + n(17..19)
}

/// An ingress-nginx pod's stream (`fixtures/envelope/ingress`): the controller's start
/// banner and klog lines among nginx's error and access lines, as `kubectl logs` prints
/// them and as the pod's CRI file holds them. The controller's lines are other lines,
/// nothing is unrecognized, and the report is the plain nginx logs'.
#[test]
fn an_ingress_controller_pod_log_reads_like_its_nginx_logs() {
    let scanner = Scanner::new(Formats::default());
    let dir = fixtures().join("nginx/lua_no_endpoints");
    let plain = report(&scanner, &[dir.join("error.log"), dir.join("access.log")]);
    let nginx_lines = plain.inputs.iter().map(|i| i.lines).sum::<u64>();
    for (file, envelope) in [
        ("lua_no_endpoints-kubectl.log", None),
        ("lua_no_endpoints-cri.log", Some("cri")),
    ] {
        let path = fixtures().join("envelope/ingress").join(file);
        let text = std::fs::read(&path).expect("fixture");
        let controller = text
            .split(|b| *b == b'\n')
            .filter(|l| logscan_envelope::is_controller_line(strip_cri(l)))
            .count() as u64;
        assert!(controller > 20, "{file}: {controller} controller lines");
        let wrapped = report(&scanner, &[path]);
        let input = &wrapped.inputs[0];
        assert_eq!(input.envelope.as_deref(), envelope, "{file}");
        assert_eq!(
            input.unrecognized, 0,
            "{file}: {:?}",
            input.unrecognized_examples
        );
        // the banner's two empty lines are the controller's too
        assert_eq!(input.other, controller + 2, "{file}");
        assert_eq!(input.parsed, nginx_lines, "{file}");
        assert_eq!(input.lines, input.parsed + input.other, "{file}");
        assert_eq!(input.format.to_string(), "mixed", "{file}");
        assert_eq!(findings_part(&wrapped), findings_part(&plain), "{file}");

        // Without the error lines the stream reads as an access log (every line starts
        // an entry): the controller's lines, the banner's empty lines too, are still other.
        let access_only: Vec<u8> = text
            .split_inclusive(|b| *b == b'\n')
            .filter(|l| !strip_cri(l).starts_with(b"2026/"))
            .flatten()
            .copied()
            .collect();
        let report = report_of(&scanner, &access_only);
        let input = &report.inputs[0];
        assert_eq!(input.format.to_string(), "nginx-access", "{file}");
        assert_eq!(
            input.unrecognized, 0,
            "{file}: {:?}",
            input.unrecognized_examples
        );
        assert_eq!(input.other, controller + 2, "{file}");
        assert_eq!(input.parsed, 20, "{file}");
    }
}

/// The content of a CRI line (the line itself if it is none).
fn strip_cri(line: &[u8]) -> &[u8] {
    let mut fields = line.splitn(4, |b| *b == b' ');
    match (fields.next(), fields.next(), fields.next(), fields.next()) {
        (Some(t), Some(b"stdout" | b"stderr"), Some(b"F"), Some(rest)) if t.ends_with(b"Z") => rest,
        (Some(t), Some(b"stdout" | b"stderr"), Some(b"F"), None) if t.ends_with(b"Z") => b"",
        _ => line,
    }
}
