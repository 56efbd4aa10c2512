//! A long run in simulated time: hours of generated lines fed through the incremental
//! (live) analyzer at a steady rate, the way `logscan --follow` feeds it, with an outage
//! burst every few hours. The test (benches/tests/long_run.rs) checks the analyzer's own
//! sizes stay bounded and flat; the `longrun` binary prints the process's RSS per hour.

use logscan_analyze::{Analyzer, Config, InputInfo, Origin};
use logscan_parse::{Format, Record, Timestamp};

use crate::{Generator, LogKind, Options};

/// Where the simulated day starts (2026-11-25 00:00:00 UTC).
const START: i64 = 1_795_564_800;
/// An outage (extra failure lines) every this many seconds.
const OUTAGE_EVERY: i64 = 6 * 3_600;
/// For this many seconds.
const OUTAGE_SECONDS: i64 = 120;
/// Outside outages, one failure every this many seconds (the baseline).
const STEADY_EVERY: i64 = 30;

/// What a run did.
#[derive(Debug, Default, Clone, Copy)]
pub struct Totals {
    /// Lines observed.
    pub lines: u64,
    /// Incidents opened.
    pub opened: u64,
    /// Incidents closed.
    pub closed: u64,
}

/// Feeds `hours` of lines at `per_second` lines a second (one in twenty an error-log line
/// that is no failure, one failure every 30 s, twenty a second for two minutes every six
/// hours from 3 h on, the rest access-log lines with `cardinality` distinct URLs and
/// clients) through a
/// watching analyzer, calling `each_hour` after every simulated hour with the hour and the
/// analyzer. Incident changes are taken every simulated second.
pub fn run(
    hours: u32,
    per_second: u32,
    cardinality: u64,
    mut each_hour: impl FnMut(u32, &Analyzer, &Totals),
) -> (Analyzer, Totals) {
    let sample = |kind: LogKind, size: u64| {
        let mut bytes = Vec::new();
        let options = Options {
            kind,
            size,
            seed: 11,
            cardinality,
            healthy: None,
        };
        // Writing to memory cannot fail.
        let _ = Generator::new(options).write_to(&mut bytes);
        bytes
    };
    let access_bytes = sample(LogKind::NginxUpstream, 8 << 20);
    let error_bytes = sample(LogKind::NginxError, 2 << 20);
    fn parse(kind: LogKind, bytes: &[u8]) -> Vec<(Record<'_>, usize)> {
        let parser = kind.parser();
        let mut out = Vec::new();
        let mut at = 0;
        for line in bytes.split(|&b| b == b'\n') {
            if let Ok(record) = parser.parse(line) {
                out.push((record, at));
            }
            at += line.len() + 1;
        }
        out
    }
    let access = parse(LogKind::NginxUpstream, &access_bytes);
    let errors = parse(LogKind::NginxError, &error_bytes);
    let is_failure = |r: &Record<'_>| matches!(r, Record::Error(e) if e.failure.is_some());
    let failures: Vec<&(Record<'_>, usize)> =
        errors.iter().filter(|(r, _)| is_failure(r)).collect();
    let quiet: Vec<&(Record<'_>, usize)> = errors.iter().filter(|(r, _)| !is_failure(r)).collect();

    let mut analyzer = Analyzer::new(Config::default());
    analyzer.watch();
    analyzer.add_input(0, InputInfo::new("access.log", Format::NginxAccess, "web1"));
    analyzer.add_input(1, InputInfo::new("error.log", Format::NginxError, "web1"));
    let mut totals = Totals::default();
    let (mut a, mut e, mut f) = (0usize, 0usize, 0usize);
    let mut line = [0u64; 2];
    for second in 0..i64::from(hours) * 3_600 {
        let t = START + second;
        let outage = (second + OUTAGE_EVERY / 2) % OUTAGE_EVERY < OUTAGE_SECONDS;
        for i in 0..per_second {
            let (input, template) = if i % 20 == 0 && !quiet.is_empty() {
                // Error-log lines that are no failure (notices, warnings).
                e += 1;
                (1u32, quiet[e % quiet.len()])
            } else if !failures.is_empty()
                && ((outage && i % 50 == 1) || (i == 1 && second % STEADY_EVERY == 0))
            {
                // A failure every half minute; twenty a second during an outage.
                f += 1;
                (1, failures[f % failures.len()])
            } else {
                a += 1;
                (0, &access[a % access.len()])
            };
            let mut record = template.0.clone();
            match &mut record {
                Record::Access(r) => r.time = Timestamp::from_unix(t, 0, 0),
                Record::Error(r) => {
                    r.time = Timestamp::from_unix(t, 0, 0).map(|ts| ts.with_offset(None))
                }
                // The templates are nginx lines; an edge request keeps UTC as it logs it.
                Record::Edge(r) => r.time = Timestamp::from_unix(t, 0, 0),
                _ => {}
            }
            let slot = &mut line[input as usize];
            *slot += 1;
            let origin = Origin {
                input,
                chunk: 0,
                line: *slot,
                lines: 1,
                text: b"",
            };
            analyzer.observe(&record, &origin);
            totals.lines += 1;
        }
        analyzer.settle();
        for change in analyzer.incident_changes(0) {
            match change {
                logscan_analyze::IncidentChange::Opened(_) => totals.opened += 1,
                logscan_analyze::IncidentChange::Closed(_) => totals.closed += 1,
                logscan_analyze::IncidentChange::Updated(_) => {}
            }
        }
        if (second + 1) % 3_600 == 0 {
            each_hour(((second + 1) / 3_600) as u32, &analyzer, &totals);
        }
    }
    (analyzer, totals)
}
