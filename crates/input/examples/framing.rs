//! Ad-hoc framing throughput: how fast `EntryReader` frames a page-cached plain file.
//!
//! ```text
//! cargo run --release -p logscan-input --example framing -- [FILE] [--mb N]
//! ```
//!
//! Without FILE it writes an nginx-like error log of N MiB (default 512) to a temporary file.
//! It reads the file once to warm the page cache, then frames it three times on one core and
//! prints the best time. Real benches (criterion) live in `benches/`.

use std::error::Error;
use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::PathBuf;
use std::time::Instant;

use logscan_input::{EntryReader, ReaderConfig};

/// nginx error-log framing: a line starts an entry if it begins `YYYY/`.
fn nginx_starts(line: &[u8]) -> bool {
    line.len() >= 5 && line[..4].iter().all(u8::is_ascii_digit) && line[4] == b'/'
}

fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let mut file = None;
    let mut mb: u64 = 512;
    while let Some(arg) = args.next() {
        if arg == "--mb" {
            mb = args.next().ok_or("--mb needs a number")?.parse()?;
        } else {
            file = Some(PathBuf::from(arg));
        }
    }
    let _keep;
    let path = match file {
        Some(p) => p,
        None => {
            let dir = tempfile::tempdir()?;
            let p = dir.path().join("error.log");
            generate(&p, mb << 20)?;
            _keep = dir;
            p
        }
    };
    let size = std::fs::metadata(&path)?.len();
    // Warm the page cache.
    let mut sink = vec![0u8; 1 << 20];
    let mut f = File::open(&path)?;
    while f.read(&mut sink)? > 0 {}

    for (name, starts) in [
        (
            "every line starts an entry",
            &(|_: &[u8]| true) as &dyn Fn(&[u8]) -> bool,
        ),
        ("nginx error-log framing", &nginx_starts),
    ] {
        let mut best = f64::MAX;
        let mut counts = (0u64, 0u64);
        for _ in 0..3 {
            let start = Instant::now();
            let mut reader = EntryReader::new(File::open(&path)?, ReaderConfig::default());
            let (mut entries, mut lines) = (0u64, 0u64);
            while let Some(e) = reader.next_entry(starts)? {
                entries += 1;
                lines += u64::from(e.lines);
            }
            best = best.min(start.elapsed().as_secs_f64());
            counts = (entries, lines);
        }
        println!(
            "{name}: {:.0} MiB, {} lines, {} entries, best of 3: {:.3} s = {:.2} GB/s ({:.1} M lines/s)",
            size as f64 / (1 << 20) as f64,
            counts.1,
            counts.0,
            best,
            size as f64 / best / 1e9,
            counts.1 as f64 / best / 1e6
        );
    }
    Ok(())
}

/// An nginx-like error log: mostly one-line entries of ~200 bytes, some continuation runs.
fn generate(path: &std::path::Path, bytes: u64) -> std::io::Result<()> {
    let mut w = BufWriter::with_capacity(1 << 20, File::create(path)?);
    let mut written = 0u64;
    let mut i: u64 = 0;
    while written < bytes {
        let line = format!(
            "2024/05/01 14:{:02}:{:02} [error] 1234#1234: *{} connect() failed (111: Connection refused) while connecting to upstream, client: 10.1.{}.{}, server: example.com, request: \"GET /api/items/{} HTTP/1.1\", upstream: \"http://10.0.0.5:8080/api/items\", host: \"example.com\"\n",
            (i / 60) % 60,
            i % 60,
            i,
            (i >> 8) % 256,
            i % 256,
            i % 9973
        );
        w.write_all(line.as_bytes())?;
        written += line.len() as u64;
        if i % 50 == 0 {
            let trace = "PHP message: PHP Fatal error:  Uncaught Exception in /var/www/app.php:42\nStack trace:\n#0 /var/www/index.php(7): run()\n#1 {main}\n";
            w.write_all(trace.as_bytes())?;
            written += trace.len() as u64;
        }
        i += 1;
    }
    w.flush()
}
