//! From inputs to an analyzer: format detection per input, entry framing, parsing, and
//! parallel analysis over files and over chunks of large plain files.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, PoisonError, mpsc};
use std::thread;

use logscan_analyze::{Analyzer, Config, InputInfo, Origin};
use logscan_input::{
    Chunk, Compression, EntryReader, Input, InputError, Progress, ReaderConfig, Source, open,
    plan_chunks, read_chunk, sniff_compression,
};
use logscan_parse::detect::detect;
use logscan_parse::{Format, Parser, Record, Zone};
use rayon::prelude::*;

use crate::args::FormatArg;

/// Plain files at least this large are split into chunks read in parallel. The chunk size
/// depends only on this constant, never on the thread count, so results are identical
/// whatever `--threads` says.
pub const CHUNK_SIZE: u64 = 16 << 20;
/// Lines sampled for format detection.
const SAMPLE_LINES: usize = 64;
const SAMPLE_BYTES: usize = 256 << 10;

/// How to read the inputs.
#[derive(Debug)]
pub struct Settings {
    /// `--format`.
    pub format: FormatArg,
    /// Access formats from `--log-format` and `--nginx-conf`.
    pub candidates: Vec<Parser>,
    /// A custom Apache `ErrorLogFormat`.
    pub error_format: Option<Parser>,
    /// Analyzer settings.
    pub config: Config,
    /// Byte counters for the progress bar.
    pub progress: Option<Progress>,
}

/// What reading the inputs produced.
#[derive(Debug)]
pub struct Outcome {
    /// All inputs analysed.
    pub analyzer: Analyzer,
    /// Inputs (or parts) that could not be read.
    pub problems: Vec<InputError>,
}

/// One unit of parallel work.
enum Task<'a> {
    /// Read a whole input (detection happens while reading: stdin cannot be reopened).
    Whole { id: u32, input: &'a Input },
    /// Read one chunk of a large plain file whose format was detected up front.
    Chunk {
        id: u32,
        input: &'a Input,
        path: &'a Path,
        parser: Parser,
        detected: bool,
        chunk: Chunk,
    },
}

/// Reads and analyses every input.
pub fn analyze(inputs: &[Input], settings: &Settings) -> Outcome {
    if let Some(progress) = &settings.progress {
        progress.add_total(inputs.iter().filter_map(|i| i.size).sum());
    }
    // Phase 1: plan. Large plain files become chunks; everything else one task.
    let planned: Vec<(Vec<Task<'_>>, Vec<InputError>)> = inputs
        .par_iter()
        .enumerate()
        .map(|(id, input)| plan(id as u32, input, settings))
        .collect();
    let mut problems = Vec::new();
    let mut tasks = Vec::new();
    for (t, p) in planned {
        tasks.extend(t);
        problems.extend(p);
    }
    // Phase 2: read, parse and observe in parallel; merge the per-task analyzers.
    let (analyzer, read_problems) = run_tasks(tasks, settings);
    problems.extend(read_problems);
    problems.sort_by(|a, b| a.path.cmp(&b.path).then(a.line.cmp(&b.line)));
    Outcome { analyzer, problems }
}

/// Runs every task on its own analyzer, on `rayon::current_num_threads()` worker threads,
/// and merges the analyzers on the calling thread in task order as they complete.
///
/// Merging in task order makes the report independent of the thread count (the top-k
/// summaries are exact only up to their capacity, so their result depends on how shards
/// are grouped and in which order they merge). Workers start a task only while fewer than
/// `WINDOW_PER_THREAD` per thread are done but not yet merged, so memory stays at a few
/// analyzers per thread however many tasks there are.
fn run_tasks(tasks: Vec<Task<'_>>, settings: &Settings) -> (Analyzer, Vec<InputError>) {
    const WINDOW_PER_THREAD: usize = 1;
    let threads = rayon::current_num_threads().max(1);
    let window = threads * WINDOW_PER_THREAD;
    let count = tasks.len();
    let tasks: Vec<Mutex<Option<Task<'_>>>> =
        tasks.into_iter().map(|t| Mutex::new(Some(t))).collect();
    let next = AtomicUsize::new(0);
    // How many results the merger has taken in; workers wait while they are `window` ahead.
    let merged = (Mutex::new(0usize), Condvar::new());
    let (tx, rx) = mpsc::channel::<(usize, Analyzer, Vec<InputError>)>();
    let mut analyzer = Analyzer::new(settings.config.clone());
    let mut problems = Vec::new();
    thread::scope(|scope| {
        for _ in 0..threads.min(count) {
            let tx = tx.clone();
            let (tasks, next, merged) = (&tasks, &next, &merged);
            scope.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(slot) = tasks.get(i) else { break };
                    {
                        let mut done = merged.0.lock().unwrap_or_else(PoisonError::into_inner);
                        while i >= *done + window {
                            done = merged.1.wait(done).unwrap_or_else(PoisonError::into_inner);
                        }
                    }
                    let task = slot.lock().unwrap_or_else(PoisonError::into_inner).take();
                    let Some(task) = task else { continue };
                    let mut shard = Analyzer::new(settings.config.clone());
                    let mut shard_problems = Vec::new();
                    run(task, settings, &mut shard, &mut shard_problems);
                    if tx.send((i, shard, shard_problems)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        let mut waiting = BTreeMap::new();
        let mut want = 0;
        for (i, shard, shard_problems) in rx {
            waiting.insert(i, (shard, shard_problems));
            while let Some((shard, shard_problems)) = waiting.remove(&want) {
                analyzer.merge(shard);
                problems.extend(shard_problems);
                want += 1;
                *merged.0.lock().unwrap_or_else(PoisonError::into_inner) = want;
                merged.1.notify_all();
            }
        }
    });
    (analyzer, problems)
}

fn plan<'a>(id: u32, input: &'a Input, settings: &Settings) -> (Vec<Task<'a>>, Vec<InputError>) {
    let whole = (vec![Task::Whole { id, input }], Vec::new());
    let (Source::Path(path), Some(size)) = (&input.source, input.size) else {
        return whole;
    };
    if size < 2 * CHUNK_SIZE
        || !path.is_file()
        || !matches!(sniff_compression(path), Ok(Compression::None))
    {
        return whole;
    }
    let (parser, detected) = match open(input, None).and_then(|opened| {
        let mut reader = EntryReader::new(opened.reader, ReaderConfig::default());
        reader
            .sample(SAMPLE_LINES, SAMPLE_BYTES)
            .map(|lines| choose_parser(&lines, &input.display, settings))
            .map_err(|e| InputError::io(&input.display, &e))
    }) {
        Ok(choice) => choice,
        Err(problem) => return (Vec::new(), vec![problem]),
    };
    match plan_chunks(path, size, CHUNK_SIZE, &|line| parser.starts_entry(line)) {
        Ok(chunks) => (
            chunks
                .into_iter()
                .map(|chunk| Task::Chunk {
                    id,
                    input,
                    path,
                    parser: parser.clone(),
                    detected,
                    chunk,
                })
                .collect(),
            Vec::new(),
        ),
        Err(e) => (Vec::new(), vec![InputError::io(&input.display, &e)]),
    }
}

fn run(
    task: Task<'_>,
    settings: &Settings,
    analyzer: &mut Analyzer,
    problems: &mut Vec<InputError>,
) {
    match task {
        Task::Whole { id, input } => {
            let opened = match open(input, settings.progress.as_ref()) {
                Ok(opened) => opened,
                Err(problem) => {
                    problems.push(problem);
                    return;
                }
            };
            let mut reader = EntryReader::new(opened.reader, ReaderConfig::default());
            let (parser, detected) = match reader.sample(SAMPLE_LINES, SAMPLE_BYTES) {
                Ok(lines) => choose_parser(&lines, &input.display, settings),
                Err(e) => {
                    problems.push(InputError::io(&input.display, &e));
                    return;
                }
            };
            analyzer.add_input(id, info(input, &parser, detected));
            consume(
                &mut reader,
                &parser,
                (id, 0),
                None,
                &input.display,
                analyzer,
                problems,
            );
        }
        Task::Chunk {
            id,
            input,
            path,
            parser,
            detected,
            chunk,
        } => {
            analyzer.add_input(id, info(input, &parser, detected));
            match read_chunk(path, &chunk, settings.progress.as_ref()) {
                Ok(read) => {
                    let mut reader = EntryReader::new(read, ReaderConfig::default());
                    consume(
                        &mut reader,
                        &parser,
                        (id, chunk.index as u32),
                        Some(chunk.start),
                        &input.display,
                        analyzer,
                        problems,
                    );
                }
                Err(e) => problems.push(InputError::io(&input.display, &e).at_offset(chunk.start)),
            }
        }
    }
}

fn info(input: &Input, parser: &Parser, detected: bool) -> InputInfo {
    let site = match &input.source {
        Source::Stdin => "<stdin>".to_owned(),
        Source::Path(p) => p
            .parent()
            .map(|d| d.to_string_lossy().into_owned())
            .unwrap_or_default(),
    };
    let mut info = InputInfo::new(input.display.clone(), parser.format(), site);
    info.detected = detected;
    info
}

/// Reads every entry of `reader` into `analyzer`. `chunk_start` is the byte offset of a
/// chunk in its file: a read error in a chunk is placed at a byte offset of the file
/// (line numbers there count from the chunk's start), elsewhere at a line.
fn consume<R: io::Read>(
    reader: &mut EntryReader<R>,
    parser: &Parser,
    (id, chunk): (u32, u32),
    chunk_start: Option<u64>,
    display: &str,
    analyzer: &mut Analyzer,
    problems: &mut Vec<InputError>,
) {
    let starts_entry = |line: &[u8]| parser.starts_entry(line);
    loop {
        let entry = match reader.next_entry(&starts_entry) {
            Ok(Some(entry)) => entry,
            Ok(None) => return,
            Err(e) => {
                let problem = InputError::io(display, &e);
                problems.push(match chunk_start {
                    Some(start) => problem.at_offset(start + reader.bytes_consumed()),
                    None => problem.at_line(reader.lines_consumed() + 1),
                });
                return;
            }
        };
        let origin = Origin {
            input: id,
            chunk,
            line: entry.first_line,
            lines: entry.lines,
            text: entry.bytes,
        };
        if entry.too_long {
            analyzer.observe_unrecognized(&origin, "line longer than 1 MiB, skipped");
            continue;
        }
        match parser.parse(entry.bytes) {
            Ok(record) => analyzer.observe(&record, &origin),
            Err(e) => analyzer.observe_unrecognized(&origin, &e.to_string()),
        }
    }
}

/// Picks the parser for an input from its first lines. Returns `false` when nothing fits
/// (the input is read with the nginx error parser and its lines count as unrecognized).
pub fn choose_parser(sample: &[&[u8]], display: &str, settings: &Settings) -> (Parser, bool) {
    let family = match settings.format {
        FormatArg::Auto => None,
        FormatArg::NginxError => Some(Format::NginxError),
        FormatArg::NginxAccess => Some(Format::NginxAccess),
        FormatArg::ApacheError => Some(Format::ApacheError),
        FormatArg::ApacheAccess => Some(Format::ApacheAccess),
        FormatArg::PhpFpm => Some(Format::PhpFpm),
        FormatArg::Haproxy => Some(Format::Haproxy),
        FormatArg::AwsAlb => Some(Format::AwsAlb),
        FormatArg::Cloudfront => Some(Format::CloudFront),
        FormatArg::Cloudflare => Some(Format::Cloudflare),
        FormatArg::GcpLb => Some(Format::GcpLb),
    };
    let mut candidates = settings.candidates.clone();
    if let Some(custom) = &settings.error_format {
        candidates.insert(0, custom.clone());
    }
    match family {
        None if sample.iter().all(|l| l.trim_ascii().is_empty()) => match format_from_name(display)
        {
            // Nothing to read: name the format the file name suggests.
            Some(format) => (Parser::for_format(format), true),
            None => (Parser::nginx_error(), false),
        },
        None => match detect(sample, Some(display), &candidates) {
            Some(found) if found.matched > 0 => (found.parser, true),
            _ => (Parser::nginx_error(), false),
        },
        Some(Format::ApacheError) => (
            settings
                .error_format
                .clone()
                .unwrap_or_else(Parser::apache_error),
            true,
        ),
        // CloudFront's columns come from the `#Fields:` line among the first lines.
        Some(Format::CloudFront) => (Parser::cloudfront_for(sample), true),
        Some(format) if !format.is_access() => (Parser::for_format(format), true),
        Some(format) => {
            let of_family: Vec<Parser> = candidates
                .into_iter()
                .filter(|p| p.format() == format)
                .collect();
            match detect(sample, Some(display), &of_family) {
                Some(found) if found.parser.format() == format && found.matched > 0 => {
                    (found.parser, true)
                }
                _ => (
                    of_family
                        .into_iter()
                        .next()
                        .unwrap_or_else(|| Parser::for_format(format)),
                    true,
                ),
            }
        }
    }
}

/// Access logs that hold the same requests as another access log of the same directory
/// (sites often log every request twice: `combined` for people, a richer format with upstream
/// timings for tools). Counting both would double every request, so only the one that logs
/// more fields is read. Returns the indices of the inputs to skip, each with the input it
/// duplicates.
pub fn duplicate_access_logs(inputs: &[Input], settings: &Settings) -> Vec<(usize, usize)> {
    const HEAD: usize = 20;
    // (directory, fingerprint of the first records) -> (index, fields typed)
    let heads: Vec<Option<(String, u64, usize)>> = inputs
        .par_iter()
        .map(|input| {
            // Only regular files: reading the head of a FIFO would consume it.
            let (Source::Path(path), Some(_)) = (&input.source, input.size) else {
                return None;
            };
            if !path.is_file() {
                return None;
            }
            let opened = open(input, None).ok()?;
            let mut reader = EntryReader::new(opened.reader, ReaderConfig::default());
            let lines = reader.sample(HEAD, SAMPLE_BYTES).ok()?;
            let (parser, detected) = choose_parser(&lines, &input.display, settings);
            if !detected || !parser.format().is_access() || lines.len() < HEAD.min(5) {
                return None;
            }
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            let mut typed = 0;
            for line in &lines {
                let Ok(Record::Access(r)) = parser.parse(line) else {
                    return None;
                };
                std::hash::Hash::hash(
                    &(
                        r.time.map(|t| t.wall_seconds()),
                        r.client,
                        r.request,
                        r.status,
                    ),
                    &mut hasher,
                );
                typed += [
                    r.request_time_us.is_some(),
                    !r.upstream.is_empty(),
                    r.host.is_some(),
                    r.user_agent.is_some(),
                ]
                .iter()
                .filter(|b| **b)
                .count();
            }
            let dir = path
                .parent()
                .map(|d| d.to_string_lossy().into_owned())
                .unwrap_or_default();
            Some((dir, std::hash::Hasher::finish(&hasher), typed))
        })
        .collect();
    let mut skip = Vec::new();
    for (i, head) in heads.iter().enumerate() {
        let Some((dir, print, _)) = head else {
            continue;
        };
        // The richest log of the group (ties: the first listed) is read.
        let keeper = heads
            .iter()
            .enumerate()
            .filter(|(_, h)| h.as_ref().is_some_and(|(d, p, _)| d == dir && p == print))
            .max_by_key(|(j, h)| (h.as_ref().map_or(0, |x| x.2), std::cmp::Reverse(*j)))
            .map(|(j, _)| j);
        if let Some(keeper) = keeper.filter(|&k| k != i) {
            skip.push((i, keeper));
        }
    }
    skip
}

/// The format a file name suggests (`/var/log/nginx/error.log`, `access_log`, `php8.2-fpm.log`).
fn format_from_name(display: &str) -> Option<Format> {
    let lower = display.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    let apache = lower.contains("apache") || lower.contains("httpd");
    if name.contains("fpm") {
        Some(Format::PhpFpm)
    } else if name.contains("error") {
        Some(if apache {
            Format::ApacheError
        } else {
            Format::NginxError
        })
    } else if name.contains("access") {
        Some(if apache {
            Format::ApacheAccess
        } else {
            Format::NginxAccess
        })
    } else {
        None
    }
}

/// `--events`: one ECS JSON object per parsed record, inputs in order. Returns the inputs
/// that could not be read; stops early (Ok) if the output is closed.
pub fn events(
    inputs: &[Input],
    settings: &Settings,
    zone: &Zone,
    out: &mut dyn Write,
) -> io::Result<Vec<InputError>> {
    let mut problems = Vec::new();
    for input in inputs {
        let opened = match open(input, settings.progress.as_ref()) {
            Ok(opened) => opened,
            Err(problem) => {
                problems.push(problem);
                continue;
            }
        };
        let mut reader = EntryReader::new(opened.reader, ReaderConfig::default());
        let parser = match reader.sample(SAMPLE_LINES, SAMPLE_BYTES) {
            Ok(lines) => choose_parser(&lines, &input.display, settings).0,
            Err(e) => {
                problems.push(InputError::io(&input.display, &e));
                continue;
            }
        };
        let starts_entry = |line: &[u8]| parser.starts_entry(line);
        loop {
            let entry = match reader.next_entry(&starts_entry) {
                Ok(Some(entry)) => entry,
                Ok(None) => break,
                Err(e) => {
                    let line = reader.lines_consumed() + 1;
                    problems.push(InputError::io(&input.display, &e).at_line(line));
                    break;
                }
            };
            if entry.too_long {
                continue;
            }
            let Ok(record): Result<Record<'_>, _> = parser.parse(entry.bytes) else {
                continue;
            };
            if !settings.config.admits(record.time().as_ref()) {
                continue;
            }
            let source = logscan_render::events::Source {
                path: &input.display,
                line: entry.first_line,
                text: entry.bytes,
            };
            let event = logscan_render::events::event(&record, &source, zone);
            logscan_render::json_safe::write_compact(&mut *out, &event)?;
            out.write_all(b"\n")?;
        }
    }
    out.flush()?;
    Ok(problems)
}
