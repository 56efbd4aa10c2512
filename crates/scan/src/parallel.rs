//! Reading many inputs into one report in parallel: whole inputs and chunks of large plain
//! files as tasks, each on its own analyzer, merged in task order.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, PoisonError, mpsc};
use std::thread;

use logscan_analyze::{Analyzer, Config, SampleBounds};
use logscan_input::{
    Chunk, Compression, EntryReader, Input, InputError, ReaderConfig, Source, open, plan_chunks,
    read_chunk, sniff_compression,
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
        let count = tasks.len();
        let tasks: Vec<Mutex<Option<Task<'_>>>> =
            tasks.into_iter().map(|t| Mutex::new(Some(t))).collect();
        let next = AtomicUsize::new(0);
        // How many results the merger has taken in; workers wait while they are `window`
        // ahead.
        let merged = (Mutex::new(0usize), Condvar::new());
        let (tx, rx) = mpsc::channel::<(usize, Analyzer, Option<InputError>)>();
        let mut analyzer = Analyzer::new(config.clone());
        // Where the merged analyzer's full samples end: a shard started now keeps only the
        // marks below them (the others could never enter), so shards after the first few
        // hold little. The report is the same; only memory is saved.
        let bounds = Mutex::new(SampleBounds::default());
        let mut problems = Vec::new();
        thread::scope(|scope| {
            for _ in 0..threads.min(count) {
                let tx = tx.clone();
                let (tasks, next, merged, bounds) = (&tasks, &next, &merged, &bounds);
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
                        let mut shard = Analyzer::new(config.clone());
                        shard.bound_samples(&bounds.lock().unwrap_or_else(PoisonError::into_inner));
                        let problem = self.run(task, &mut shard);
                        if tx.send((i, shard, problem)).is_err() {
                            break;
                        }
                    }
                });
            }
            drop(tx);
            let mut waiting = BTreeMap::new();
            let mut want = 0;
            for (i, shard, problem) in rx {
                waiting.insert(i, (shard, problem));
                while let Some((shard, problem)) = waiting.remove(&want) {
                    analyzer.merge(shard);
                    *bounds.lock().unwrap_or_else(PoisonError::into_inner) =
                        analyzer.sample_bounds();
                    problems.extend(problem);
                    want += 1;
                    *merged.0.lock().unwrap_or_else(PoisonError::into_inner) = want;
                    merged.1.notify_all();
                }
            }
        });
        (analyzer, problems)
    }

    /// The tasks of one input: chunks for a large plain file, else the whole input.
    fn plan<'a>(&self, id: u32, input: &'a Input) -> (Vec<Task<'a>>, Option<InputError>) {
        let whole = (vec![Task::Whole { id, input }], None);
        let (Source::Path(path), Some(size)) = (&input.source, input.size) else {
            return whole;
        };
        if size < 2 * CHUNK_SIZE
            || !path.is_file()
            || !matches!(sniff_compression(path), Ok(Compression::None))
        {
            return whole;
        }
        let choice = match open(input, None).and_then(|opened| {
            let mut reader = EntryReader::new(opened.reader, ReaderConfig::default());
            reader
                .sample(SAMPLE_LINES, SAMPLE_BYTES)
                .map(|lines| self.choose(&lines, input))
                .map_err(|e| InputError::io(&input.display, &e))
        }) {
            // An enveloped input is read whole: its entries are framed from inner lines,
            // and the pieces of a split line may lie on both sides of a chunk boundary.
            Ok((Some(_), _)) => return whole,
            Ok((None, choice)) => choice,
            Err(problem) => return (Vec::new(), Some(problem)),
        };
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
    fn run(&self, task: Task<'_>, analyzer: &mut Analyzer) -> Option<InputError> {
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
                let start = Start {
                    id,
                    chunk: index,
                    input,
                    parser: &choice.parser,
                    detected: choice.detected,
                    envelope: None,
                };
                let Ok(()) = analyzer.start(&start);
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
        };
        match read {
            Ok(()) => None,
            Err(ScanError::Input(problem)) => Some(problem),
            Err(ScanError::Sink(never)) => match never {},
        }
    }
}
