//! Enveloped inputs against the plain logs of the same run (the fixture corpus at the
//! repository root: this test is left out of the package).
//!
//! For each envelope fixture, the report of the one enveloped input must equal the report
//! of its sources read as plain files. Compared: the summary, the findings (everything
//! but `examples`, whose paths and line numbers name the input read), the incidents, the
//! timeline, the access summary, the zone, and the totals but `lines`/`parsed` (the plain
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
