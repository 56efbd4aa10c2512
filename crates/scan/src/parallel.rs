//! Reading many inputs into one report in parallel: whole inputs and chunks of large plain
//! files as tasks, each on its own analyzer, merged in task order.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::Path;
use std::sync::mpsc::Receiver;
use std::sync::{Condvar, Mutex, PoisonError, mpsc};
use std::thread;

use logscan_analyze::{Analyzer, Config, SampleBounds};
use logscan_input::{
    Chunk, Compression, EntryReader, Input, InputError, ReaderConfig, Source, StreamChunk,
    decompressed_at_least, open_inline, plan_chunks, read_chunk, release_stream_blocks,
    sniff_compression, split_stream,
};
use rayon::prelude::*;

use crate::choose::Choice;
use crate::read::{Place, SAMPLE_BYTES, SAMPLE_LINES, read_entries};
use crate::sink::{Sink, Start};
use crate::{ScanError, Scanner};

/// Plain files at least twice this large are split into chunks read in parallel. The
/// chunk size depends only on this constant, never on the thread count, so results are
/// identical whatever the thread count.
pub const CHUNK_SIZE: u64 = 16 << 20;

/// Archives at least this large (compressed) have their decompressed stream split into
/// chunks of [`CHUNK_SIZE`] at the boundaries the plain file would have, read in
/// parallel while the stream is decompressed on a thread of its own. Smaller ones are
/// decompressed on the reading thread and read whole: a thread would cost more than it
/// saves, and they are read in parallel with each other.
const SPLIT_ARCHIVES_FROM: u64 = 1 << 20;

/// What reading the inputs into one analyzer gave.
#[derive(Debug)]
pub struct Outcome {
    /// Every input analysed.
    pub analyzer: Analyzer,
    /// Inputs (or parts of them) that could not be read, by path and line.
    pub problems: Vec<InputError>,
}

/// One unit of parallel work.
enum Task<'a> {
    /// Read a whole input (its format is chosen while reading: stdin cannot be reopened).
    Whole { id: u32, input: &'a Input },
    /// Read one chunk of a large plain file whose format was chosen up front.
    Chunk {
        id: u32,
        input: &'a Input,
        path: &'a Path,
        choice: Choice,
        chunk: Chunk,
    },
    /// A large archive whose format was chosen up front: when its turn comes, it is
    /// opened and its stream split; the chunks become [`Task::Streamed`] tasks.
    Archive {
        id: u32,
        input: &'a Input,
        choice: Choice,
    },
    /// Read one chunk of an archive's decompressed stream.
    Streamed {
        id: u32,
        input: &'a Input,
        choice: Choice,
        chunk: StreamChunk,
    },
}

/// What one task gave besides its analyzer.
struct Done {
    /// The problem that stopped it (its line counted from the chunk's start for a
    /// streamed chunk).
    problem: Option<InputError>,
    /// For a chunk of an archive's stream: its input and the lines read.
    streamed: Option<(u32, u64)>,
}

/// The tasks still to start, in order; an archive's chunks are taken as they come.
struct Queue<'a> {
    planned: VecDeque<Task<'a>>,
    /// The archive being split: its input and the receiver of its chunks.
    splitting: Option<(u32, &'a Input, Choice, Receiver<StreamChunk>)>,
    next: usize,
}

impl Scanner {
    /// Reads every input into one [`Analyzer`] made with `config`, in parallel over inputs
    /// and over 16 MiB chunks of large plain files, on the scanner's threads.
    ///
    /// Each task (an input, or a chunk) fills an analyzer of its own; they are merged in
    /// task order as they complete, so the report is the same for any thread count (the
    /// top-k summaries are exact only up to their capacity, so their result depends on
    /// how shards are grouped and in which order they merge). Workers start a task only
    /// while fewer than one per thread are done but not yet merged, so memory stays at a
    /// few analyzers per thread however many tasks there are.
    ///
    /// The problems are sorted by path and line.
    pub fn analyze(&self, inputs: &[Input], config: &Config) -> Outcome {
        if let Some(progress) = &self.progress {
            progress.add_total(inputs.iter().filter_map(|i| i.size).sum());
        }
        // Plan: large plain files become chunks; everything else one task.
        let planned: Vec<(Vec<Task<'_>>, Option<InputError>)> = self.install(|| {
            inputs
                .par_iter()
                .enumerate()
                .map(|(id, input)| self.plan(id as u32, input))
                .collect()
        });
        let mut problems = Vec::new();
        let mut tasks = Vec::new();
        for (t, p) in planned {
            tasks.extend(t);
            problems.extend(p);
        }
        // Read, parse and observe in parallel; merge the per-task analyzers in order.
        let (analyzer, read_problems) = self.run_tasks(tasks, config);
        problems.extend(read_problems);
        problems.sort_by(|a, b| a.path.cmp(&b.path).then(a.line.cmp(&b.line)));
        Outcome { analyzer, problems }
    }

    fn run_tasks(&self, tasks: Vec<Task<'_>>, config: &Config) -> (Analyzer, Vec<InputError>) {
        const WINDOW_PER_THREAD: usize = 1;
        let threads = self.thread_count();
        let window = threads * WINDOW_PER_THREAD;
        // An archive may become any number of tasks.
        let workers = if tasks.iter().any(|t| matches!(t, Task::Archive { .. })) {
            threads
        } else {
            threads.min(tasks.len())
        };
        let queue = Mutex::new(Queue {
            planned: tasks.into(),
            splitting: None,
            next: 0,
        });
        // How many results the merger has taken in; workers wait while they are `window`
        // ahead.
        let merged = (Mutex::new(0usize), Condvar::new());
        let (tx, rx) = mpsc::channel::<(usize, Analyzer, Done)>();
        let mut analyzer = Analyzer::new(config.clone());
        // Where the merged analyzer's full samples end: a shard started now keeps only the
        // marks below them (the others could never enter), so shards after the first few
        // hold little. The report is the same; only memory is saved.
        let bounds = Mutex::new(SampleBounds::default());
        let mut problems = Vec::new();
        thread::scope(|scope| {
            for _ in 0..workers {
                let tx = tx.clone();
                let (queue, merged, bounds) = (&queue, &merged, &bounds);
                scope.spawn(move || {
                    loop {
                        // Tasks are numbered as they are taken, so in order.
                        let next = self
                            .next_task(&mut queue.lock().unwrap_or_else(PoisonError::into_inner));
                        let Some((i, task)) = next else { break };
                        {
                            let mut done = merged.0.lock().unwrap_or_else(PoisonError::into_inner);
                            while i >= *done + window {
                                done = merged.1.wait(done).unwrap_or_else(PoisonError::into_inner);
                            }
                        }
                        let mut shard = Analyzer::new(config.clone());
                        shard.bound_samples(&bounds.lock().unwrap_or_else(PoisonError::into_inner));
                        let done = self.run(task, &mut shard);
                        if tx.send((i, shard, done)).is_err() {
                            break;
                        }
                    }
                });
            }
            drop(tx);
            let mut waiting = BTreeMap::new();
            let mut want = 0;
            // Lines read so far in each archive read in chunks: a problem's line in a
            // chunk counts from the chunk's start.
            let mut lines_before: HashMap<u32, u64> = HashMap::new();
            for (i, shard, done) in rx {
                waiting.insert(i, (shard, done));
                while let Some((shard, done)) = waiting.remove(&want) {
                    analyzer.merge(shard);
                    *bounds.lock().unwrap_or_else(PoisonError::into_inner) =
                        analyzer.sample_bounds();
                    let mut problem = done.problem;
                    if let Some((id, lines)) = done.streamed {
                        let before = lines_before.entry(id).or_default();
                        if let Some(line) = problem.as_mut().and_then(|p| p.line.as_mut()) {
                            *line += *before;
                        }
                        *before += lines;
                    }
                    problems.extend(problem);
                    want += 1;
                    *merged.0.lock().unwrap_or_else(PoisonError::into_inner) = want;
                    merged.1.notify_all();
                }
            }
        });
        // The archives' hand-over blocks are not needed for the report.
        release_stream_blocks();
        (analyzer, problems)
    }

    /// The next task and its number. An archive's turn opens it and starts splitting its
    /// stream; its chunks are then handed out, one per call, as they come (waiting for
    /// the next one holds the queue, which is right: the tasks after it come later).
    fn next_task<'a>(&self, queue: &mut Queue<'a>) -> Option<(usize, Task<'a>)> {
        loop {
            if let Some((id, input, choice, chunks)) = &queue.splitting {
                if let Ok(chunk) = chunks.recv() {
                    let task = Task::Streamed {
                        id: *id,
                        input,
                        choice: choice.clone(),
                        chunk,
                    };
                    queue.next += 1;
                    return Some((queue.next - 1, task));
                }
                queue.splitting = None;
            }
            let task = match queue.planned.pop_front()? {
                Task::Archive { id, input, choice } => {
                    let starts = choice.clone();
                    // Known to be long enough to split, the stream need not be held
                    // back until it proves so (see `split_stream`).
                    let at_least = path_of(input).and_then(decompressed_at_least);
                    let split =
                        open_inline(input, self.progress.as_ref())
                            .ok()
                            .and_then(|opened| {
                                split_stream(
                                    opened.reader,
                                    CHUNK_SIZE,
                                    at_least.unwrap_or(0),
                                    Box::new(move |line: &[u8]| starts.starts_entry(line)),
                                )
                                .ok()
                            });
                    match split {
                        Some(chunks) => {
                            queue.splitting = Some((id, input, choice, chunks));
                            continue;
                        }
                        // Read whole, which names the problem in opening it.
                        None => Task::Whole { id, input },
                    }
                }
                task => task,
            };
            queue.next += 1;
            return Some((queue.next - 1, task));
        }
    }

    /// The tasks of one input: chunks for a large plain file, else the whole input.
    fn plan<'a>(&self, id: u32, input: &'a Input) -> (Vec<Task<'a>>, Option<InputError>) {
        let whole = (vec![Task::Whole { id, input }], None);
        let (Source::Path(path), Some(size)) = (&input.source, input.size) else {
            return whole;
        };
        if !path.is_file() {
            return whole;
        }
        let archive = match sniff_compression(path) {
            Ok(Compression::None) if size >= 2 * CHUNK_SIZE => false,
            Ok(Compression::None) | Err(_) => return whole,
            Ok(_) if size >= SPLIT_ARCHIVES_FROM => true,
            Ok(_) => return whole,
        };
        let choice = match open_inline(input, None).and_then(|opened| {
            // An archive's format is chosen as reading it whole would choose it.
            let config = if archive {
                self.reader
            } else {
                ReaderConfig::default()
            };
            let mut reader = EntryReader::new(opened.reader, config);
            reader
                .sample(SAMPLE_LINES, SAMPLE_BYTES)
                .map(|lines| self.choose(&lines, input))
                .map_err(|e| InputError::io(&input.display, &e))
        }) {
            // An enveloped input is read whole: its entries are framed from inner lines,
            // and the pieces of a split line may lie on both sides of a chunk boundary.
            Ok((Some(_), _)) => return whole,
            Ok((None, choice)) => choice,
            // An archive is read whole, which names the problem where it is.
            Err(_) if archive => return whole,
            Err(problem) => return (Vec::new(), Some(problem)),
        };
        if archive {
            return (vec![Task::Archive { id, input, choice }], None);
        }
        let starts_entry = |line: &[u8]| choice.starts_entry(line);
        match plan_chunks(path, size, CHUNK_SIZE, &starts_entry) {
            Ok(chunks) => (
                chunks
                    .into_iter()
                    .map(|chunk| Task::Chunk {
                        id,
                        input,
                        path,
                        choice: choice.clone(),
                        chunk,
                    })
                    .collect(),
                None,
            ),
            Err(e) => (Vec::new(), Some(InputError::io(&input.display, &e))),
        }
    }

    /// Reads one task into `analyzer`; returns the problem that stopped it, if any.
    fn run(&self, task: Task<'_>, analyzer: &mut Analyzer) -> Done {
        let mut streamed = None;
        let read = match task {
            Task::Whole { id, input } => self.scan(id, input, analyzer),
            Task::Chunk {
                id,
                input,
                path,
                choice,
                chunk,
            } => {
                let index = chunk.index as u32;
                start_chunk(analyzer, id, index, input, &choice);
                match read_chunk(path, &chunk, self.progress.as_ref()) {
                    Ok(read) => {
                        let mut reader = EntryReader::new(read, self.reader);
                        let place = Place {
                            id,
                            chunk: index,
                            display: &input.display,
                            chunk_start: Some(chunk.start),
                        };
                        read_entries(&mut reader, &choice, place, analyzer)
                    }
                    Err(e) => Err(ScanError::Input(
                        InputError::io(&input.display, &e).at_offset(chunk.start),
                    )),
                }
            }
            Task::Streamed {
                id,
                input,
                choice,
                chunk,
            } => {
                let index = chunk.index as u32;
                start_chunk(analyzer, id, index, input, &choice);
                let mut reader = EntryReader::new(chunk.reader, self.reader);
                // A problem is placed at a line, as when the archive is read whole; the
                // merger adds the lines of the chunks before.
                let place = Place {
                    id,
                    chunk: index,
                    display: &input.display,
                    chunk_start: None,
                };
                let read = read_entries(&mut reader, &choice, place, analyzer);
                streamed = Some((id, reader.lines_consumed()));
                read
            }
            // Planned tasks only: `next_task` turns an archive into streamed chunks (or
            // a whole input).
            Task::Archive { id, input, .. } => self.scan(id, input, analyzer),
        };
        let problem = match read {
            Ok(()) => None,
            Err(ScanError::Input(problem)) => Some(problem),
            Err(ScanError::Sink(never)) => match never {},
        };
        Done { problem, streamed }
    }
}

/// Tells `analyzer` that chunk `index` of input `id` starts, in the format chosen for the
/// whole input up front (a chunk's lines are never detected on their own, and a log in an
/// envelope is read whole, never in chunks).
fn start_chunk(analyzer: &mut Analyzer, id: u32, index: u32, input: &Input, choice: &Choice) {
    let start = Start {
        id,
        chunk: index,
        input,
        parser: &choice.parser,
        detected: choice.detected,
        envelope: None,
    };
    let Ok(()) = analyzer.start(&start);
}

/// The path of an input read from a file.
fn path_of(input: &Input) -> Option<&Path> {
    match &input.source {
        Source::Path(path) => Some(path),
        Source::Stdin => None,
    }
}
