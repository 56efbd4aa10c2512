//! Top-k lists past their capacity: a finding's endpoints, clients and upstreams are
//! Misra-Gries summaries of 64 counters (16 for upstreams). Past that many distinct values
//! every count shown is at most n/64 below the true one (n: the finding's events), never
//! above it, in one run and merged from any number of states alike. Checked here on states
//! with thousands of distinct request paths and two hot ones.

use logscan_analyze::{Analyzer, Config, InputInfo, Origin};
use logscan_parse::{Format, Parser};
use logscan_state::{decode, encode, merge};

const STATES: usize = 6;
const LINES: usize = 1_000;
const CAPACITY: u64 = 64;

fn line(second: usize, path: &str) -> String {
    format!(
        "2026/11/25 01:{:02}:{:02} [error] 812#812: *31 connect() failed (111: Connection refused) while connecting to upstream, client: 10.0.{}.{}, server: shop, request: \"GET {path} HTTP/1.1\", upstream: \"http://127.0.0.1:8080{path}\", host: \"shop\"",
        (second / 60) % 60,
        second % 60,
        second % 250,
        second % 199
    )
}

/// The path of line `i` of state `s`: 10 % /hot/a, 5 % /hot/b, the rest all distinct.
fn path(s: usize, i: usize) -> String {
    match i % 20 {
        0 | 1 => "/hot/a".to_owned(),
        2 => "/hot/b".to_owned(),
        _ => format!("/cold/{s}/{i}"),
    }
}

fn state(s: usize) -> Analyzer {
    let parser = Parser::nginx_error();
    let mut analyzer = Analyzer::new(Config::default());
    let name = format!("web{s}/error.log");
    analyzer.add_input(
        0,
        InputInfo::new(name, Format::NginxError, format!("web{s}")),
    );
    for i in 0..LINES {
        let text = line(i, &path(s, i));
        let origin = Origin {
            input: 0,
            chunk: 0,
            line: i as u64 + 1,
            lines: 1,
            text: text.as_bytes(),
        };
        analyzer.observe(&parser.parse(text.as_bytes()).unwrap(), &origin);
    }
    analyzer
}

#[test]
fn merged_top_lists_stay_within_the_bound() {
    let n = (STATES * LINES) as u64;
    let bound = n / CAPACITY;
    let truth = |p: &str| match p {
        "GET /hot/a" => n / 10,
        "GET /hot/b" => n / 20,
        _ => 1,
    };
    let states: Vec<Vec<u8>> = (0..STATES).map(|s| encode(&state(s)).unwrap()).collect();
    for order in [[0, 1, 2, 3, 4, 5], [5, 3, 1, 0, 2, 4]] {
        let given = order
            .iter()
            .map(|&i| (format!("{i}.state"), decode(&states[i])))
            .collect();
        let report = merge(given).analyzer.unwrap().finish();
        let finding = &report.findings[0];
        assert_eq!(finding.count, n);
        let shown: Vec<(&str, u64)> = finding
            .requests
            .iter()
            .map(|r| (r.value.as_str(), r.count))
            .collect();
        assert!(shown.len() >= 2, "{shown:?}");
        assert_eq!(
            (shown[0].0, shown[1].0),
            ("GET /hot/a", "GET /hot/b"),
            "{shown:?}"
        );
        for (value, count) in &shown {
            let true_count = truth(value);
            assert!(
                *count <= true_count && count + bound >= true_count,
                "{value}: shown {count}, true {true_count}, bound n/{CAPACITY} = {bound}"
            );
        }
    }
    // One analyzer over all lines is within the same bound.
    let mut one = state(0);
    for s in 1..STATES {
        let mut other = state(s);
        other.renumber_inputs(&[(0, s as u32)].into_iter().collect());
        one.merge(other);
    }
    let report = one.finish();
    let a = &report.findings[0].requests[0];
    assert_eq!(a.value, "GET /hot/a");
    assert!(
        a.count <= n / 10 && a.count + bound >= n / 10,
        "{}",
        a.count
    );
}
