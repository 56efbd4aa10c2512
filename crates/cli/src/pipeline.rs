//! From inputs to an analyzer: format detection per input, entry framing, parsing, and
//! parallel analysis over files and over chunks of large plain files.

use std::io::{self, Write};
use std::path::Path;

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
    // Phase 2: read, parse and observe in parallel; merge the per-thread analyzers.
    let (analyzer, read_problems) = tasks
        .into_par_iter()
        .fold(
            || (Analyzer::new(settings.config.clone()), Vec::new()),
            |(mut analyzer, mut problems), task| {
                run(task, settings, &mut analyzer, &mut problems);
                (analyzer, problems)
            },
        )
        .reduce(
            || (Analyzer::new(settings.config.clone()), Vec::new()),
            |(mut a, mut pa), (b, pb)| {
                a.merge(b);
                pa.extend(pb);
                (a, pa)
            },
        );
    problems.extend(read_problems);
    problems.sort_by(|a, b| a.path.cmp(&b.path).then(a.line.cmp(&b.line)));
    Outcome { analyzer, problems }
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
    };
    let mut candidates = settings.candidates.clone();
    if let Some(custom) = &settings.error_format {
        candidates.insert(0, custom.clone());
    }
    match family {
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
