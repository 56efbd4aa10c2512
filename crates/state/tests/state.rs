//! State files: what goes in comes out; bad files are named for what is wrong with them and
//! never read as a state; merging does not depend on the order given.

mod common;

use logscan_analyze::{Analyzer, Bound, Config, InputInfo, Origin};
use logscan_parse::{Format, Parser, Zone};
use logscan_state::{FORMAT_VERSION, MAGIC, StateError, decode, encode, merge};

fn json(analyzer: Analyzer) -> String {
    serde_json::to_string_pretty(&analyzer.finish()).unwrap()
}

#[test]
fn a_state_reads_back_to_the_same_report() {
    let bytes = encode(&common::canonical()).unwrap();
    assert_eq!(&bytes[..8], &MAGIC);
    assert_eq!(bytes[8..12], FORMAT_VERSION.to_le_bytes());
    let state = decode(&bytes).unwrap();
    assert_eq!(state.logscan_version, env!("CARGO_PKG_VERSION"));
    assert_eq!(state.settings.zone.as_deref(), Some("UTC"));
    assert_eq!(state.settings.window, Some(60));
    assert_eq!(json(state.analyzer), json(common::canonical()));
    // The same analyzer always gives the same bytes.
    assert_eq!(encode(&common::canonical()).unwrap(), bytes);
}

#[test]
fn an_analyzer_read_back_compares_equal() {
    // The analyzer's own comparison, not only its report: what a clock caches while lines
    // are read (the offset of the last hour) is not written, and must not make an
    // analyzer read back unequal to the one that was saved.
    let canonical = common::canonical();
    let state = decode(&encode(&canonical).unwrap()).unwrap();
    assert!(state.analyzer == canonical);
    // A real difference still shows.
    let mut other = common::canonical();
    other.label_inputs("web1");
    assert!(state.analyzer != other);
}

#[test]
fn a_line_waiting_for_its_other_half_travels_whole() {
    // The canonical state ends with an Apache AH00957 (111)Connection refused still waiting
    // for its AH01114: it is counted at finish, after the trip through a file.
    let bytes = encode(&common::canonical()).unwrap();
    let state = decode(&bytes).unwrap();
    // Everything serialised reads back (the errno of held lines included: see the shape).
    assert_eq!(encode(&state.analyzer).unwrap(), bytes);
    let held = |report: &logscan_analyze::Report| {
        let finding = report
            .findings
            .iter()
            .find(|f| f.cause.id() == "upstream_refused" && f.upstream == "127.0.0.1:19151")
            .expect("the held line counted");
        assert_eq!(finding.count, 1);
        serde_json::to_string(finding).unwrap()
    };
    assert_eq!(
        held(&state.analyzer.finish()),
        held(&common::canonical().finish())
    );
}

fn reason(bytes: &[u8]) -> String {
    match decode(bytes) {
        Ok(_) => panic!("read as a state"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn empty_garbage_and_other_files_are_not_states() {
    assert!(matches!(decode(b""), Err(StateError::Empty)));
    assert_eq!(reason(b""), "empty file, not a logscan state");
    assert!(
        reason(b"2026/11/25 01:27:19 [error] 812#812: *31 connect() failed\n")
            .starts_with("not a logscan state")
    );
    assert!(reason(&[0u8; 4096]).starts_with("not a logscan state"));
}

#[test]
fn every_truncation_says_truncated() {
    let bytes = encode(&common::canonical()).unwrap();
    for len in 1..bytes.len() {
        let text = reason(&bytes[..len]);
        assert!(
            text.starts_with("truncated"),
            "cut at {len} of {}: {text}",
            bytes.len()
        );
    }
    assert_eq!(
        reason(&bytes[..bytes.len() - 100]),
        format!("truncated: {} of {} bytes", bytes.len() - 100, bytes.len())
    );
}

#[test]
fn every_flipped_byte_is_caught() {
    let bytes = encode(&common::canonical()).unwrap();
    for at in 0..bytes.len() {
        for bit in [0x01u8, 0x80] {
            let mut bad = bytes.clone();
            bad[at] ^= bit;
            let text = reason(&bad);
            let expected = match at {
                0..8 => "not a logscan state",
                8..12 => "state format version",
                // A changed length is a truncation or a checksum failure.
                12..16 => "",
                _ => "",
            };
            assert!(
                text.starts_with(expected)
                    && (at < 12
                        || text.starts_with("corrupt: the checksum")
                        || text.starts_with("truncated")
                        || text.starts_with("corrupt: header of")),
                "byte {at} ^ {bit:#x}: {text}"
            );
        }
    }
}

/// The bytes of a state with another format version (and a checksum that matches).
fn with_version(bytes: &[u8], version: u32) -> Vec<u8> {
    let mut other = bytes[..bytes.len() - 4].to_vec();
    other[8..12].copy_from_slice(&version.to_le_bytes());
    let crc = crc32fast::hash(&other);
    other.extend_from_slice(&crc.to_le_bytes());
    other
}

#[test]
fn other_format_versions_are_refused_by_name() {
    let bytes = encode(&common::canonical()).unwrap();
    let future = reason(&with_version(&bytes, FORMAT_VERSION + 1));
    assert!(
        future.starts_with(&format!(
            "state format version {}, written by a newer logscan",
            FORMAT_VERSION + 1
        )),
        "{future}"
    );
    let past = reason(&with_version(&bytes, 0));
    assert!(
        past.contains("older logscan") && past.contains("save it again"),
        "{past}"
    );
}

#[test]
fn a_hostile_length_allocates_nothing_big() {
    // A valid checksum over a header that claims a huge body: refused before allocating.
    let bytes = encode(&common::canonical()).unwrap();
    let header_len = u32::from_le_bytes(bytes[12..16].try_into().unwrap()) as usize;
    let raw_at = 16 + header_len + 8;
    let mut bad = bytes[..bytes.len() - 4].to_vec();
    bad[raw_at..raw_at + 8].copy_from_slice(&u64::MAX.to_le_bytes());
    let crc = crc32fast::hash(&bad);
    bad.extend_from_slice(&crc.to_le_bytes());
    assert!(reason(&bad).starts_with("corrupt: a body of"));
    // One that says the body is smaller than it is: the decompressed size is checked.
    let mut bad = bytes[..bytes.len() - 4].to_vec();
    bad[raw_at..raw_at + 8].copy_from_slice(&10u64.to_le_bytes());
    let crc = crc32fast::hash(&bad);
    bad.extend_from_slice(&crc.to_le_bytes());
    assert!(
        reason(&bad).contains("decompresses to") && reason(&bad).contains("the header says 10"),
        "{}",
        reason(&bad)
    );
}

/// A run over one nginx error line, as `path`, with `config`.
fn run(path: &str, config: Config, line: &str) -> Analyzer {
    let mut analyzer = Analyzer::new(config);
    analyzer.add_input(
        0,
        InputInfo::new(path, Format::NginxError, "/var/log/nginx"),
    );
    let origin = Origin {
        input: 0,
        chunk: 0,
        line: 1,
        lines: 1,
        text: line.as_bytes(),
    };
    let record = Parser::nginx_error().parse(line.as_bytes()).unwrap();
    analyzer.observe(&record, &origin);
    analyzer
}

fn refused_line(second: u32, port: u32) -> String {
    format!(
        "2026/11/25 01:27:{second:02} [error] 812#812: *31 connect() failed (111: Connection refused) while connecting to upstream, client: 127.0.0.1, server: localhost, request: \"GET /api/items HTTP/1.1\", upstream: \"http://127.0.0.1:{port}/api/items\", host: \"localhost\""
    )
}

#[test]
fn states_with_other_settings_are_refused_naming_the_setting() {
    let utc = Config::default().with_zone(Zone::Utc);
    let a = encode(&run("a.log", utc.clone(), &refused_line(1, 1))).unwrap();
    let b = encode(&run("b.log", utc.clone(), &refused_line(2, 1))).unwrap();
    let windowed = utc.clone().with_window(300);
    let c = encode(&run("c.log", windowed, &refused_line(3, 1))).unwrap();
    let since = utc.with_since(Bound::instant(1_764_000_000, 1_764_000_000));
    let d = encode(&run("d.log", since, &refused_line(4, 1))).unwrap();
    let merged = merge(vec![
        ("c.state".into(), decode(&c)),
        ("a.state".into(), decode(&a)),
        ("d.state".into(), decode(&d)),
        ("b.state".into(), decode(&b)),
    ]);
    let refused: Vec<(&str, &str)> = merged
        .refused
        .iter()
        .map(|r| (r.name.as_str(), r.reason.as_str()))
        .collect();
    assert_eq!(
        refused,
        [
            (
                "c.state",
                "saved with other settings than the rest: --window 300s (the others: none)"
            ),
            (
                "d.state",
                "saved with other settings than the rest: --since 2025-11-24T16:00:00Z (the others: none)"
            ),
        ]
    );
    let report = merged.analyzer.unwrap().finish();
    let paths: Vec<&str> = report.inputs.iter().map(|i| i.path.as_str()).collect();
    assert_eq!(paths, ["a.log", "b.log"]);
    assert_eq!(report.findings[0].count, 2);
}

#[test]
fn the_order_given_changes_nothing() {
    let config = Config::default();
    let states: Vec<Vec<u8>> = (0..4)
        .map(|i| {
            let mut a = run(
                &format!("host{i}.log"),
                config.clone(),
                &refused_line(i, 9000 + i % 2),
            );
            a.label_inputs(&format!("web{}", 3 - i));
            encode(&a).unwrap()
        })
        .collect();
    let merged = |order: &[usize]| {
        let given = order
            .iter()
            .map(|&i| (format!("{i}.state"), decode(&states[i])))
            .collect();
        json(merge(given).analyzer.unwrap())
    };
    let first = merged(&[0, 1, 2, 3]);
    for order in [[3, 2, 1, 0], [1, 3, 0, 2], [2, 0, 3, 1]] {
        assert_eq!(merged(&order), first, "{order:?}");
    }
    // Inputs come sorted by path (one input per state): web0 first.
    let report: serde_json::Value = serde_json::from_str(&first).unwrap();
    assert_eq!(report["inputs"][0]["path"], "web0:host3.log");
    assert_eq!(report["inputs"][3]["path"], "web3:host0.log");
}

#[test]
fn a_state_given_twice_is_merged_once_and_one_path_in_two_states_is_noted() {
    let a = encode(&run("error.log", Config::default(), &refused_line(1, 1))).unwrap();
    let b = encode(&run("error.log", Config::default(), &refused_line(2, 1))).unwrap();
    let merged = merge(vec![
        ("a.state".into(), decode(&a)),
        ("copy.state".into(), decode(&a)),
        ("b.state".into(), decode(&b)),
    ]);
    assert!(merged.refused.is_empty());
    assert_eq!(merged.notes.len(), 2, "{:?}", merged.notes);
    assert!(merged.notes.iter().any(|n| n.ends_with("merged once")));
    assert!(
        merged
            .notes
            .iter()
            .any(|n| n.contains("both read error.log") && n.contains("--label"))
    );
    assert_eq!(merged.analyzer.unwrap().finish().findings[0].count, 2);
}

#[test]
fn nothing_good_merges_to_nothing() {
    let merged = merge(vec![("x.state".into(), decode(b"nope"))]);
    assert!(merged.analyzer.is_none());
    assert_eq!(merged.refused.len(), 1);
}

#[test]
fn the_local_zone_is_not_saved() {
    let local = Config::default().with_zone(Zone::Local);
    let e = encode(&run("a.log", local, &refused_line(1, 1))).unwrap_err();
    assert!(e.to_string().contains("give it by name"), "{e}");
}

#[test]
fn save_is_atomic_and_load_reads_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("web1.state");
    std::fs::write(&path, b"old").unwrap();
    logscan_state::save(&path, &common::canonical()).unwrap();
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["web1.state"], "no temporary file left");
    let state = logscan_state::load(&path).unwrap();
    assert_eq!(json(state.analyzer), json(common::canonical()));
    // A directory that does not exist: an error, nothing written.
    let missing = dir.path().join("no/such/dir/x.state");
    assert!(logscan_state::save(&missing, &common::canonical()).is_err());
}
