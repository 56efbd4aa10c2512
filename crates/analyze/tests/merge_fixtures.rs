//! Splitting any real-server fixture (HAProxy's in front of nginx included) at random points
//! into chunks, analysing the chunks in separate analyzers and merging them in random order
//! gives exactly the report of one pass.

use std::path::{Path, PathBuf};

use logscan_analyze::{Analyzer, Config, InputInfo, Origin, Report};
use logscan_parse::Parser;

/// One input: its parser and its entries `(first line, lines, bytes)`.
struct Input {
    info: InputInfo,
    parser: Parser,
    entries: Vec<(u64, u32, Vec<u8>)>,
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

/// Frames a file into entries the way the input layer does.
fn entries(parser: &Parser, bytes: &[u8]) -> Vec<(u64, u32, Vec<u8>)> {
    let mut out: Vec<(u64, u32, Vec<u8>)> = Vec::new();
    let body = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    if body.is_empty() {
        return out;
    }
    for (i, line) in body.split(|&b| b == b'\n').enumerate() {
        match out.last_mut() {
            Some(last) if !parser.starts_entry(line) => {
                last.1 += 1;
                last.2.push(b'\n');
                last.2.extend_from_slice(line);
            }
            _ => out.push((i as u64 + 1, 1, line.to_vec())),
        }
    }
    out
}

fn scenario(dir: &Path) -> Vec<Input> {
    let label: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("labels.json")).unwrap()).unwrap();
    let mut inputs = Vec::new();
    for (file, kind) in label["logs"].as_object().unwrap() {
        let parser = match (kind.as_str().unwrap(), label["log_formats"][file].as_str()) {
            ("nginx-error", _) => Parser::nginx_error(),
            ("apache-error", _) => match label["error_log_format"].as_str() {
                Some(custom) => Parser::apache_error_format(custom).unwrap(),
                None => Parser::apache_error(),
            },
            ("php-fpm", _) => Parser::php_fpm(),
            // HAProxy in front of nginx: the join of edge and origin lines must not depend
            // on how they were split either.
            ("haproxy", _) => Parser::haproxy(),
            ("nginx-access", Some(format)) => Parser::nginx_access(format).unwrap(),
            ("nginx-access", None) => Parser::nginx_combined(),
            ("apache-access", Some(format)) => Parser::apache_access(format).unwrap(),
            ("apache-access", None) => Parser::apache_access("combined").unwrap(),
            (other, _) => panic!("unknown log kind {other}"),
        };
        let bytes = std::fs::read(dir.join(file)).unwrap();
        inputs.push(Input {
            info: InputInfo::new(file.clone(), parser.format(), dir.to_string_lossy()),
            entries: entries(&parser, &bytes),
            parser,
        });
    }
    inputs
}

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 33) as usize % n.max(1)
    }
}

/// Analyses the inputs cut into chunks at `cuts[input]` (entry indices), each chunk in its own
/// analyzer, then merges the analyzers in `order`.
fn analyse(inputs: &[Input], cuts: &[Vec<usize>], rng: Option<&mut Rng>) -> Report {
    let mut shards: Vec<Analyzer> = Vec::new();
    for (id, input) in inputs.iter().enumerate() {
        let mut bounds = cuts[id].clone();
        bounds.push(input.entries.len());
        bounds.sort_unstable();
        bounds.dedup();
        let mut start = 0;
        for (chunk, &end) in bounds.iter().enumerate() {
            let mut analyzer = Analyzer::new(Config::default());
            analyzer.add_input(id as u32, input.info.clone());
            let first_line = input.entries.get(start).map_or(1, |e| e.0);
            for (line, lines, bytes) in &input.entries[start..end] {
                let origin = Origin {
                    input: id as u32,
                    chunk: chunk as u32,
                    line: line - first_line + 1,
                    lines: *lines,
                    text: bytes,
                };
                match input.parser.parse(bytes) {
                    Ok(record) => analyzer.observe(&record, &origin),
                    Err(e) => analyzer.observe_unrecognized(&origin, &e.to_string()),
                }
            }
            shards.push(analyzer);
            start = end;
        }
    }
    if let Some(rng) = rng {
        for i in (1..shards.len()).rev() {
            let j = rng.below(i + 1);
            shards.swap(i, j);
        }
    }
    let mut merged = shards.remove(0);
    for shard in shards {
        merged.merge(shard);
    }
    merged.finish()
}

#[test]
fn random_splits_merged_in_random_order_give_the_one_pass_report() {
    let mut dirs: Vec<PathBuf> = ["nginx", "apache", "haproxy"]
        .iter()
        .filter_map(|s| std::fs::read_dir(fixtures().join(s)).ok())
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("labels.json").is_file())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 30, "fixture corpus missing");
    for (n, dir) in dirs.iter().enumerate() {
        let inputs = scenario(dir);
        let whole = analyse(&inputs, &vec![Vec::new(); inputs.len()], None);
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ (n as u64 + 1));
        for round in 0..6 {
            let cuts: Vec<Vec<usize>> = inputs
                .iter()
                .map(|input| {
                    let len = input.entries.len();
                    // Round 0 cuts between every entry: every pair of lines is split.
                    if round == 0 {
                        return (1..len).collect();
                    }
                    (0..rng.below(6)).map(|_| rng.below(len + 1)).collect()
                })
                .collect();
            let split = analyse(&inputs, &cuts, Some(&mut rng));
            assert_eq!(
                whole,
                split,
                "{} round {round} cuts {cuts:?}",
                dir.display()
            );
        }
    }
}
