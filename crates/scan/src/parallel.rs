//! Reading many inputs into one report in parallel: whole inputs and chunks of large plain
//! files as tasks, each on its own analyzer, merged in task order.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::io::{self, Read};
use std::path::Path;
use std::sync::mpsc::{Receiver, TryRecvError};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::Duration;

use logscan_analyze::{Analyzer, Config, SampleBounds};
use logscan_input::{
    Chunk, Compression, EntryReader, Input, InputError, ReaderConfig, Source, StreamAhead,
    StreamChunk, decompressed_at_least, open_inline, plan_chunks, read_chunk,
    release_stream_blocks, sniff_compression, split_stream_narrow,
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
    /// A large archive: when its turn comes, it is opened, its format chosen from its
    /// first lines and its stream split; the chunks become [`Task::Streamed`] tasks.
    Archive {
        id: u32,
        input: &'a Input,
        /// A lower bound on its decompressed length (0 if none is recorded).
        at_least: u64,
    },
    /// Read one chunk of an archive's decompressed stream.
    Streamed {
        id: u32,
        input: &'a Input,
        choice: Choice,
        chunk: StreamChunk,
    },
}

impl<'a> Splitting<'a> {
    /// Hands out its next chunk as a task.
    fn hand_out(&mut self, chunk: StreamChunk, position: usize) -> Taken<'a> {
        self.taken += 1;
        Taken {
            key: (self.planned, self.taken - 1),
            position,
            task: Task::Streamed {
                id: self.id,
                input: self.input,
                choice: self.choice.clone(),
                chunk,
            },
        }
    }
}

/// A reader that keeps a copy of what it reads: the head of an archive sampled to
/// choose its format, to go in front of the rest of its stream.
struct Keeping<'r> {
    inner: &'r mut dyn Read,
    kept: &'r mut Vec<u8>,
}

impl Read for Keeping<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.kept.extend_from_slice(&buf[..n]);
        Ok(n)
    }
}

/// How long a worker with no chunk ready in the first archive being split waits for one
/// before looking at the second's again.
const EARLY_POLL: Duration = Duration::from_millis(1);

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
    /// The merge key's first half for the next planned task (its place in the plan).
    next_planned: usize,
    /// Shards of the tasks planned before the archives being split (the first's chunks
    /// not counted): where the first archive's chunks come in the merge.
    before: usize,
    /// The archives being split, in plan order: at most two, the second one opened while
    /// the first has no chunk ready, so that its decoder runs meanwhile (bounded by its
    /// read-ahead) and its chunks can be parsed on a core the first leaves idle.
    splitting: VecDeque<Splitting<'a>>,
}

impl<'a> Queue<'a> {
    /// Whether the next planned task is an archive known to be long enough to be split
    /// with a narrow read-ahead (see `split_stream_narrow`): only such an archive is
    /// opened early, while the one before it is still being split.
    fn next_is_long_archive(&self) -> bool {
        matches!(
            self.planned.front(),
            Some(Task::Archive { at_least, .. }) if *at_least >= 2 * CHUNK_SIZE
        )
    }

    /// Starts handing out the chunks of an archive just opened, at the next place in
    /// the plan.
    fn push_splitting(
        &mut self,
        id: u32,
        input: &'a Input,
        (choice, chunks, ahead): (Choice, Receiver<StreamChunk>, StreamAhead),
    ) {
        self.splitting.push_back(Splitting {
            planned: self.next_planned,
            id,
            input,
            choice,
            chunks,
            ahead,
            taken: 0,
        });
        self.next_planned += 1;
    }
}

/// An archive whose stream is being split.
struct Splitting<'a> {
    /// Its place in the plan (the merge key's first half).
    planned: usize,
    id: u32,
    input: &'a Input,
    choice: Choice,
    chunks: Receiver<StreamChunk>,
    /// Its read-ahead, narrow while it is the second.
    ahead: StreamAhead,
    /// Chunks handed out so far.
    taken: usize,
}

/// A task handed to a worker: where it merges, and how far it is from the merge front.
struct Taken<'a> {
    /// (place in the plan, chunk of an archive or 0): shards merge in this order.
    key: (usize, usize),
    /// Shards merged before it (a lower bound for a chunk of an archive opened while the
    /// one before it was still being split): a worker waits while it is a window ahead
    /// of the merger.
    position: usize,
    task: Task<'a>,
}

/// What [`Scanner::run_tasks`] gave.
struct Ran {
    analyzer: Analyzer,
    problems: Vec<InputError>,
    /// The most per-task analyzers alive at once (made and not yet merged): read by the
    /// tests, which check the bound.
    #[cfg_attr(not(test), allow(dead_code))]
    most_alive: usize,
}

/// The ordered merge. Workers hand their shards to it; the calling thread merges them in
/// task order and hands what a merge leaves of each (all but the groups and samples it
/// takes over) back to the worker that read it, which drops it on its own thread before
/// its next task. A merging thread that dropped the readers' shards itself put their
/// small blocks in its own glibc thread cache and reused them for the merged analyzer,
/// scattering long-lived blocks through the readers' heaps; how many depended on thread
/// timing, so the peak RSS of 8,760 hourly files moved between 54 and 77 MB from run to
/// run, with one thread or two (and stayed at 56 MB with glibc's thread cache turned
/// off, `GLIBC_TUNABLES=glibc.malloc.tcache_count=0`).
struct Merger {
    state: Mutex<Merging>,
    /// Signalled when a shard is handed over or merged, or a worker stops: for the
    /// merging thread, and for workers waiting for the merge front to come within a
    /// window of their task.
    turn: Condvar,
    /// Per worker: what the merges left of its shards, for it to drop. (Boxed as handed
    /// over: the box goes back whole, so its block too is freed by the thread that
    /// allocated it.)
    #[allow(clippy::vec_box)]
    leftovers: Vec<Mutex<Vec<Box<Analyzer>>>>,
}

/// The merge's state (see [`Merger`]). The merged analyzer is not in it: the merging
/// thread keeps it and merges without the lock (see [`Merger::merge_all`]).
struct Merging {
    /// The problems of the shards merged, their lines counted from the input's start.
    problems: Vec<InputError>,
    /// The key of the next shard to merge.
    want: (usize, usize),
    /// Shards per planned task, once known.
    parts: HashMap<usize, usize>,
    /// Shards read and not yet merged, with the worker that read each.
    done: BTreeMap<(usize, usize), (Box<Analyzer>, Done, usize)>,
    /// Lines merged so far of each archive read in chunks: a problem's line in a chunk
    /// counts from the chunk's start.
    lines_before: HashMap<u32, u64>,
    /// Shards merged so far.
    merged: usize,
    /// Where the merged analyzer's full samples end: a shard started now keeps only the
    /// marks below them (the others could never enter), so shards after the first few
    /// hold little. The report is the same; only memory is saved.
    bounds: SampleBounds,
    /// Workers that have stopped (no task left, or a panic).
    stopped: usize,
    /// Shards made and not yet merged (being read, or waiting for their turn).
    alive: usize,
    /// The most shards alive at once.
    most_alive: usize,
}

/// Tells the merger that a worker has stopped, however it stops (a panicking worker
/// must not leave the merging thread waiting for it).
struct Stopping<'m>(&'m Merger);

impl Drop for Stopping<'_> {
    fn drop(&mut self) {
        self.0.lock().stopped += 1;
        self.0.turn.notify_all();
    }
}

impl Merger {
    fn new(workers: usize) -> Merger {
        Merger {
            state: Mutex::new(Merging {
                problems: Vec::new(),
                want: (0, 0),
                parts: HashMap::new(),
                done: BTreeMap::new(),
                lines_before: HashMap::new(),
                merged: 0,
                bounds: SampleBounds::default(),
                stopped: 0,
                alive: 0,
                most_alive: 0,
            }),
            turn: Condvar::new(),
            leftovers: (0..workers).map(|_| Mutex::new(Vec::new())).collect(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Merging> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn wait<'g>(&self, state: MutexGuard<'g, Merging>) -> MutexGuard<'g, Merging> {
        self.turn
            .wait(state)
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Records how many shards the task planned at `planned` gave (an archive's chunks,
    /// known once its stream has ended; 1 for any other task).
    fn parts(&self, planned: usize, count: usize) {
        self.lock().parts.insert(planned, count);
        self.turn.notify_all();
    }

    /// Waits until a task at `position` is less than `window` ahead of the merge front,
    /// drops what the merges left of the shards `worker` read (by then, usually all of
    /// them), and makes the analyzer that reads the task.
    fn start(&self, worker: usize, position: usize, window: usize, config: &Config) -> Analyzer {
        let mut state = self.lock();
        while position >= state.merged + window {
            state = self.wait(state);
        }
        drop(state);
        if let Some(leftovers) = self.leftovers.get(worker) {
            drop(std::mem::take(
                &mut *leftovers.lock().unwrap_or_else(PoisonError::into_inner),
            ));
        }
        let mut state = self.lock();
        state.alive += 1;
        state.most_alive = state.most_alive.max(state.alive);
        let mut shard = Analyzer::new(config.clone());
        shard.bound_samples(&state.bounds);
        shard
    }

    /// Hands over the shard `worker` read for the task with `key`.
    fn finish(&self, key: (usize, usize), shard: Analyzer, done: Done, worker: usize) {
        self.lock()
            .done
            .insert(key, (Box::new(shard), done, worker));
        self.turn.notify_all();
    }

    /// Merges the shards in task order as they come into `merged`, until all `workers`
    /// have stopped and nothing is left to merge. A merge runs without the lock, so that
    /// the workers hand over and start shards meanwhile (a merge of a chunk's analyzer
    /// takes a millisecond or more, and a worker that blocked on the lock for it sat
    /// idle); only this thread merges, and `want` moves on once the merge is done.
    fn merge_all(&self, workers: usize, merged: &mut Analyzer) {
        let mut state = self.lock();
        loop {
            state.skip_finished();
            let want = state.want;
            if let Some((mut shard, done, worker)) = state.done.remove(&want) {
                drop(state);
                merged.merge_from(&mut shard);
                let bounds = merged.sample_bounds();
                self.lock().record_merge(done, bounds);
                self.turn.notify_all();
                if let Some(leftovers) = self.leftovers.get(worker) {
                    leftovers
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .push(shard);
                }
                state = self.lock();
            } else if state.stopped >= workers {
                break;
            } else {
                state = self.wait(state);
            }
        }
    }
}

impl Merging {
    /// Moves `want` past the planned tasks whose shards are all merged.
    fn skip_finished(&mut self) {
        while let Some(&count) = self.parts.get(&self.want.0) {
            if self.want.1 < count {
                break;
            }
            self.parts.remove(&self.want.0);
            self.want = (self.want.0 + 1, 0);
        }
    }

    /// Records that the shard whose turn it was is merged, its problem and lines, and
    /// the merged analyzer's sample `bounds` after it.
    fn record_merge(&mut self, done: Done, bounds: SampleBounds) {
        self.alive -= 1;
        self.bounds = bounds;
        let mut problem = done.problem;
        if let Some((id, lines)) = done.streamed {
            let before = self.lines_before.entry(id).or_default();
            if let Some(line) = problem.as_mut().and_then(|p| p.line.as_mut()) {
                *line += *before;
            }
            *before += lines;
        }
        self.problems.extend(problem);
        self.want.1 += 1;
        self.merged += 1;
    }
}

impl Scanner {
    /// Reads every input into one [`Analyzer`] made with `config`, in parallel over inputs
    /// and over 16 MiB chunks of large plain files, on the scanner's threads.
    ///
    /// Each task (an input, or a chunk) fills an analyzer of its own; they are merged in
    /// task order as they complete, so the report is the same for any thread count (the
    /// top-k summaries are exact only up to their capacity, so their result depends on
    /// how shards are grouped and in which order they merge). Workers start a task only
    /// within a window of the next to merge (`threads + 1` tasks, `threads` with
    /// archives), so no more task analyzers than that are alive at once however many
    /// tasks there are.
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
        let ran = self.run_tasks(tasks, config);
        problems.extend(ran.problems);
        problems.sort_by(|a, b| a.path.cmp(&b.path).then(a.line.cmp(&b.line)));
        Outcome {
            analyzer: ran.analyzer,
            problems,
        }
    }

    fn run_tasks(&self, tasks: Vec<Task<'_>>, config: &Config) -> Ran {
        let threads = self.thread_count();
        let archives = tasks.iter().any(|t| matches!(t, Task::Archive { .. }));
        // One task a thread being read, and one more read and waiting for its merge:
        // with a window of one a thread, a worker that finished the later of two chunks
        // first waited, idle, for the other to finish the earlier one (~10 % of each
        // worker's time on the nginx error gigabyte at two threads). Not with archives:
        // their readers wait for the decompressor rather than for each other, and the
        // third analyzer took the 1 GB `.zst`'s peak RSS from 56-59 MB to 58-63.
        let window = if archives { threads } else { threads + 1 };
        // An archive may become any number of tasks.
        let workers = if archives {
            threads
        } else {
            threads.min(tasks.len())
        };
        let queue = Mutex::new(Queue {
            planned: tasks.into(),
            next_planned: 0,
            before: 0,
            splitting: VecDeque::new(),
        });
        // Workers start a task only while it is less than `window` ahead of the merge.
        let merger = Merger::new(workers);
        let mut merged = Analyzer::new(config.clone());
        let work = |worker: usize| {
            let _stopping = Stopping(&merger);
            loop {
                // (A statement of its own: the queue is unlocked before reading.)
                let next = self.next_task(
                    &mut queue.lock().unwrap_or_else(PoisonError::into_inner),
                    &merger,
                    window,
                );
                let Some(Taken {
                    key,
                    position,
                    task,
                }) = next
                else {
                    break;
                };
                let mut shard = merger.start(worker, position, window, config);
                let done = self.run(task, &mut shard);
                merger.finish(key, shard, done, worker);
            }
        };
        thread::scope(|scope| {
            for worker in 0..workers {
                scope.spawn(move || work(worker));
            }
            merger.merge_all(workers, &mut merged);
        });
        // The archives' hand-over blocks are not needed for the report.
        release_stream_blocks();
        let merging = merger
            .state
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        Ran {
            analyzer: merged,
            problems: merging.problems,
            most_alive: merging.most_alive,
        }
    }

    /// The next task, where it merges and how far from the merge front it is. An
    /// archive's turn opens it and starts splitting its stream; its chunks are then
    /// handed out, one per call, as they come. While none is ready (its decoder has not
    /// reached the next boundary, or its stream is ending), the next archive in the plan
    /// is opened and split too, and its chunks are handed out meanwhile as long as they
    /// are less than `window` ahead of the merge front (shards merged): two archives are
    /// then decoded at once, and the cores the first leaves idle parse the second. Its
    /// shards still merge after all of the first's. Waiting for a chunk holds the queue,
    /// which is right: the tasks after it come later. What `merger` is told: how many
    /// shards each planned task gave.
    fn next_task<'a>(
        &self,
        queue: &mut Queue<'a>,
        merger: &Merger,
        window: usize,
    ) -> Option<Taken<'a>> {
        loop {
            let next_is_archive = queue.next_is_long_archive();
            // With no second archive open and none to open, wait for the first's chunk.
            let alone = queue.splitting.len() == 1 && !next_is_archive;
            if let Some(first) = queue.splitting.front_mut() {
                let next = if alone {
                    first.chunks.recv().map_err(|_| TryRecvError::Disconnected)
                } else {
                    first.chunks.try_recv()
                };
                match next {
                    Ok(chunk) => {
                        let position = queue.before + first.taken;
                        return Some(first.hand_out(chunk, position));
                    }
                    Err(TryRecvError::Disconnected) => {
                        // Its stream has ended: its chunks are all handed out.
                        merger.parts(first.planned, first.taken);
                        queue.before += first.taken;
                        queue.splitting.pop_front();
                        if let Some(next) = queue.splitting.front() {
                            // Another archive to come: its read-ahead stays lowered.
                            if next_is_archive {
                                next.ahead.share();
                            }
                            next.ahead.widen();
                        }
                        continue;
                    }
                    Err(TryRecvError::Empty) => {}
                }
                if queue.splitting.len() == 1 && next_is_archive {
                    if let Some(Task::Archive {
                        id,
                        input,
                        at_least,
                    }) = queue.planned.pop_front()
                    {
                        match self.split(input, at_least, true) {
                            Some(split) => {
                                // Two streams decompressed at once: the first's
                                // read-ahead is lowered, so the two hold no more
                                // memory than one.
                                if let Some(first) = queue.splitting.front() {
                                    first.ahead.share();
                                }
                                queue.push_splitting(id, input, split);
                            }
                            // Read whole when its turn comes, which names the problem.
                            None => queue.planned.push_front(Task::Whole { id, input }),
                        }
                        continue;
                    }
                }
                let first_taken = queue.splitting.front().map_or(0, |first| first.taken);
                if let Some(second) = queue.splitting.get_mut(1) {
                    let position = queue.before + first_taken + second.taken;
                    let room = position < merger.lock().merged + window;
                    if room {
                        if let Ok(chunk) = second.chunks.try_recv() {
                            return Some(second.hand_out(chunk, position));
                        }
                    }
                }
                // Neither has a chunk ready: wait a little for the first's.
                if let Some(first) = queue.splitting.front_mut() {
                    if let Ok(chunk) = first.chunks.recv_timeout(EARLY_POLL) {
                        let position = queue.before + first.taken;
                        return Some(first.hand_out(chunk, position));
                    }
                }
                continue;
            }
            let planned = queue.next_planned;
            let task = match queue.planned.pop_front()? {
                Task::Archive {
                    id,
                    input,
                    at_least,
                } => match self.split(input, at_least, false) {
                    Some(split) => {
                        // Another archive to come: its read-ahead is lowered from the
                        // start, as it will be once the next one is opened.
                        let (_, _, ahead) = &split;
                        if queue.next_is_long_archive() {
                            ahead.share();
                        }
                        queue.push_splitting(id, input, split);
                        continue;
                    }
                    // Read whole, which names the problem in opening it.
                    None => Task::Whole { id, input },
                },
                task => task,
            };
            merger.parts(planned, 1);
            queue.next_planned += 1;
            queue.before += 1;
            return Some(Taken {
                key: (planned, 0),
                position: queue.before - 1,
                task,
            });
        }
    }

    /// Opens an archive, chooses its format from its first lines as reading it whole
    /// would, and starts splitting its stream. The head is decompressed once: the bytes
    /// the sample took from the decoder are kept and go in front of the rest of the
    /// stream. `None` if it cannot be opened, its head cannot be read or it is in an
    /// envelope (entries framed from inner lines, whose pieces may lie on both sides of a
    /// boundary): it is then read whole, which names the problem where it is.
    /// Opened `early` (while another archive is being split), its read-ahead is narrow
    /// until widened.
    fn split(
        &self,
        input: &Input,
        at_least: u64,
        early: bool,
    ) -> Option<(Choice, Receiver<StreamChunk>, StreamAhead)> {
        let mut decoder = open_inline(input, self.progress.as_ref()).ok()?.reader;
        let mut head = Vec::new();
        let choice = {
            let keeping = Keeping {
                inner: &mut decoder,
                kept: &mut head,
            };
            let mut reader = EntryReader::new(keeping, self.reader);
            let lines = reader.sample(SAMPLE_LINES, SAMPLE_BYTES).ok()?;
            match self.choose(&lines, input) {
                (Some(_), _) => return None,
                (None, choice) => choice,
            }
        };
        let stream = Box::new(io::Cursor::new(head).chain(decoder));
        let starts = choice.clone();
        // Known to be long enough to split (`at_least`), the stream need not be held
        // back until it proves so (see `split_stream`).
        let (chunks, ahead) = split_stream_narrow(
            stream,
            CHUNK_SIZE,
            at_least,
            Box::new(move |line: &[u8]| starts.starts_entry(line)),
        )
        .ok()?;
        if !early {
            ahead.widen();
        }
        Some((choice, chunks, ahead))
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
        match sniff_compression(path) {
            Ok(Compression::None) if size >= 2 * CHUNK_SIZE => {}
            Ok(Compression::None) | Err(_) => return whole,
            // Its format is chosen when its turn comes, from the head its stream is split
            // from (so it is decompressed once for both).
            Ok(_) if size >= SPLIT_ARCHIVES_FROM => {
                let at_least = decompressed_at_least(path).unwrap_or(0);
                let task = Task::Archive {
                    id,
                    input,
                    at_least,
                };
                return (vec![task], None);
            }
            Ok(_) => return whole,
        }
        let choice = match open_inline(input, None).and_then(|opened| {
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

#[cfg(test)]
mod tests {
    use std::num::NonZeroUsize;

    use logscan_analyze::Config;
    use logscan_input::Input;

    use crate::{Formats, Scanner};

    /// A directory of many small logs (hourly rotated files, in effect) read with 1 to 4
    /// threads: the scan loop never has more per-file analyzers alive at once than one a
    /// thread and one waiting for its merge, and the report does not depend on the
    /// thread count.
    #[test]
    fn many_small_files_keep_at_most_one_analyzer_per_thread_and_one_more() {
        let dir = tempfile::tempdir().unwrap();
        let mut inputs = Vec::new();
        for hour in 0..240u32 {
            let mut log = String::new();
            for line in 0..(hour % 7 + 1) {
                log.push_str(&format!(
                    "2026/11/25 {:02}:{:02}:{:02} [error] 812#812: *{hour} connect() failed (111: Connection refused) while connecting to upstream, client: 10.0.0.{line}, server: localhost, request: \"GET /api/{hour} HTTP/1.1\", upstream: \"http://127.0.0.1:{}/api/{hour}\", host: \"localhost\"\n",
                    hour % 24,
                    hour % 60,
                    line,
                    19000 + hour % 5
                ));
            }
            if hour % 11 == 0 {
                log.push_str("PHP Fatal error:  Uncaught Exception in /var/www/x.php:4\n");
            }
            let path = dir.path().join(format!("error.log.{hour}"));
            std::fs::write(&path, &log).unwrap();
            inputs.push(Input::file(path, Some(log.len() as u64)));
        }
        let mut reports = Vec::new();
        for threads in 1..=4 {
            let scanner =
                Scanner::new(Formats::default()).threads(NonZeroUsize::new(threads).unwrap());
            let tasks = inputs
                .iter()
                .enumerate()
                .flat_map(|(id, input)| scanner.plan(id as u32, input).0)
                .collect();
            let ran = scanner.run_tasks(tasks, &Config::default());
            assert!(
                (1..=threads + 1).contains(&ran.most_alive),
                "{} analyzers alive at once with {threads} threads",
                ran.most_alive
            );
            assert!(ran.problems.is_empty());
            let report = ran.analyzer.finish();
            assert_eq!(report.inputs.len(), inputs.len());
            reports.push(serde_json::to_string(&report).unwrap());
        }
        assert!(reports.iter().all(|r| *r == reports[0]));
    }
}
