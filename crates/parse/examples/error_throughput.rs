//! Ad-hoc throughput check for the error-log parsers (the criterion benches live in
//! `benches/`). Reads a log file, repeats it in memory to about 64 MiB, and parses every
//! line in a loop on one core.
//!
//! ```text
//! cargo run --release -p logscan-parse --example error_throughput -- nginx-error error.log
//! ```

use std::time::Instant;

use logscan_parse::{Parser, Record};

fn main() {
    let mut args = std::env::args().skip(1);
    let format = args.next().unwrap_or_else(|| "nginx-error".to_owned());
    let paths: Vec<String> = args.collect();
    let parser = match format.as_str() {
        "apache-error" => Parser::apache_error(),
        "php-fpm" => Parser::php_fpm(),
        _ => Parser::nginx_error(),
    };
    let mut sample = Vec::new();
    for path in &paths {
        match std::fs::read(path) {
            Ok(bytes) => sample.extend_from_slice(&bytes),
            Err(err) => eprintln!("{path}: {err}"),
        }
    }
    if sample.is_empty() {
        eprintln!("usage: error_throughput FORMAT FILE...");
        return;
    }
    let mut data = Vec::with_capacity(64 << 20);
    while data.len() < 64 << 20 {
        data.extend_from_slice(&sample);
    }
    let (mut lines, mut failures, mut errors) = (0u64, 0u64, 0u64);
    let start = Instant::now();
    for _ in 0..3 {
        let mut start = 0;
        for end in memchr::memchr_iter(b'\n', &data) {
            let line = &data[start..end];
            start = end + 1;
            if line.is_empty() {
                continue;
            }
            lines += 1;
            match parser.parse(line) {
                Ok(Record::Error(r)) => failures += u64::from(r.failure.is_some()),
                Ok(_) => {}
                Err(_) => errors += 1,
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let mb = (data.len() * 3) as f64 / 1e6;
    println!(
        "{format}: {:.0} MB/s, {:.2} M lines/s ({lines} lines, {failures} failures, {errors} unparsed, {:.0} B/line)",
        mb / secs,
        lines as f64 / secs / 1e6,
        (data.len() * 3) as f64 / lines as f64
    );
}
