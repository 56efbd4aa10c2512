//! Unwraps a log file and says what was in it: its envelope, the lines of the server and
//! of other programs, the problems, and (with `--times N`) how fast it unwraps.
//!
//! ```text
//! cargo run --release -p logscan-envelope --example unwrap -- FILE [--envelope NAME|none] [--print] [--parse] [--times N]
//! ```
//!
//! `--print` writes the inner lines of the server to stdout, one per line (compare them
//! with the plain log: `diff <(… --print) error.log`). `--times N` unwraps the file N times
//! more and prints the best time; under `valgrind --tool=callgrind` it gives instructions
//! per byte without a noisy clock. `--parse` also parses each inner line (nginx error or
//! `combined`, by its first bytes), and `--envelope none` reads FILE as a plain log: the
//! two together give the cost of the same lines plain and wrapped.

use std::error::Error;
use std::io::Write;
use std::time::Instant;

use logscan_envelope::{Config, Decoder, Envelope, Kind, detect, read_lines};
use logscan_input::{EntryReader, ReaderConfig};
use logscan_parse::Parser;

/// Parses an nginx line with the parser its first bytes call for; whether it parsed.
fn parse(error: &Parser, access: &Parser, line: &[u8]) -> bool {
    let is_error = line.first().is_some_and(u8::is_ascii_digit) && line.get(4) == Some(&b'/');
    if is_error { error } else { access }.parse(line).is_ok()
}

fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let (mut file, mut forced, mut print, mut times) = (None, None, false, 0u32);
    let (mut plain, mut parse_too) = (false, false);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--envelope" => match args.next().ok_or("--envelope NAME")?.as_str() {
                "none" => plain = true,
                name => forced = Some(name.parse::<Envelope>()?),
            },
            "--parse" => parse_too = true,
            "--print" => print = true,
            "--times" => times = args.next().ok_or("--times N")?.parse()?,
            _ => file = Some(arg),
        }
    }
    let file =
        file.ok_or("usage: unwrap FILE [--envelope NAME|none] [--print] [--parse] [--times N]")?;
    let bytes = std::fs::read(&file)?;
    let (error, access) = (Parser::nginx_error(), Parser::nginx_combined());
    let mb = bytes.len() as f64 / (1 << 20) as f64;
    if plain {
        let mut best = None;
        for _ in 0..times.max(1) {
            let start = Instant::now();
            let mut entries = EntryReader::new(&bytes[..], ReaderConfig::default());
            let (mut lines, mut parsed) = (0u64, 0u64);
            while let Some(entry) = entries.next_entry(&|_| true)? {
                lines += 1;
                parsed += u64::from(parse_too && parse(&error, &access, entry.bytes));
            }
            let took = start.elapsed();
            best = Some(best.map_or(took, |b: std::time::Duration| b.min(took)));
            std::hint::black_box((lines, parsed));
        }
        if let Some(best) = best {
            eprintln!(
                "{file}: plain, read in {best:?} at best: {:.0} MiB/s",
                mb / best.as_secs_f64()
            );
        }
        return Ok(());
    }

    let mut entries = EntryReader::new(&bytes[..], ReaderConfig::default());
    let sample = entries.sample(64, 256 << 10)?;
    let envelope: Envelope = match forced.or_else(|| detect(&sample)) {
        Some(e) => e,
        None => return Err(format!("{file}: no envelope found in its first lines").into()),
    };
    let mut decoder = Decoder::new(envelope, Config::default());
    let (mut server, mut other, mut physical, mut problems) = (0u64, 0u64, 0u64, 0u64);
    let mut first_problem = None;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut write_error = None;
    read_lines(&mut entries, &mut decoder, |line| {
        physical += u64::from(line.lines);
        match line.kind {
            Kind::Server => server += 1,
            Kind::Other => other += 1,
        }
        if let Some(problem) = line.problem {
            problems += 1;
            first_problem.get_or_insert((line.first_line, problem));
        }
        if print && line.kind == Kind::Server && write_error.is_none() {
            if let Err(e) = out
                .write_all(line.bytes)
                .and_then(|()| out.write_all(b"\n"))
            {
                write_error = Some(e);
            }
        }
    })?;
    if let Some(e) = write_error {
        return Err(e.into());
    }
    eprintln!(
        "{file}: {envelope}, {physical} physical lines: {server} of the server, {other} of other programs, {problems} with a problem"
    );
    if let Some((line, problem)) = first_problem {
        eprintln!("  first problem, line {line}: {problem}");
    }

    let mut best = None;
    for _ in 0..times {
        let start = Instant::now();
        let mut entries = EntryReader::new(&bytes[..], ReaderConfig::default());
        let mut decoder = Decoder::new(envelope, Config::default());
        let (mut inner, mut parsed) = (0usize, 0usize);
        read_lines(&mut entries, &mut decoder, |line| {
            inner += line.bytes.len();
            if parse_too && line.kind == Kind::Server {
                parsed += usize::from(parse(&error, &access, line.bytes));
            }
        })?;
        std::hint::black_box((inner, parsed));
        let took = start.elapsed();
        best = Some(best.map_or(took, |b: std::time::Duration| b.min(took)));
    }
    if let Some(best) = best {
        eprintln!(
            "  unwrapped in {best:?} at best: {:.0} MiB/s",
            mb / best.as_secs_f64()
        );
    }
    Ok(())
}
