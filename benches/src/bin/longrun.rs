//! `longrun`: 24 simulated hours at 1000 lines/s through the live analyzer; prints the
//! process's resident memory (VmRSS) after every hour.
//!
//! ```text
//! cargo run --release -p logscan-benches --bin longrun [HOURS] [LINES_PER_SECOND]
//! ```

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let hours = args.next().and_then(|h| h.parse().ok()).unwrap_or(24);
    let rate = args.next().and_then(|r| r.parse().ok()).unwrap_or(1_000);
    let started = std::time::Instant::now();
    println!("hour  lines        rss_mib  groups  buckets  marks  incidents  elapsed_s");
    let (analyzer, totals) = logscan_benches::longrun::run(hours, rate, 100_000, |hour, a, t| {
        let f = a.footprint();
        println!(
            "{hour:>4}  {:>11}  {:>7.1}  {:>6}  {:>7}  {:>5}  {:>9}  {:>9.1}",
            t.lines,
            rss_kib() as f64 / 1024.0,
            f.groups,
            f.buckets,
            f.marks,
            t.opened,
            started.elapsed().as_secs_f64()
        );
    });
    let report = analyzer.finish();
    println!(
        "final report: {} lines, {} findings, {} incidents; rss {:.1} MiB",
        report.totals.lines,
        report.findings.len(),
        report.incidents.len(),
        rss_kib() as f64 / 1024.0
    );
    let _ = totals;
}
