//! The read side of live mode: followed files and standard input, read as they grow into a
//! sink (the analyzer, or the events writer).

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::time::Instant;

use logscan_analyze::Analyzer;
use logscan_follow::{Change, FileKey, Follower, Options, Tail, TailState};
use logscan_input::Input;
use logscan_scan::{EventWriter, ScanError, Scanner, Stream};

use crate::Notice;

/// Why the main loop woke up.
#[derive(Debug)]
pub(crate) enum Wake {
    /// A followed file or standard input may have something new.
    Input,
    /// SIGINT or SIGTERM.
    Quit,
    /// A key or a resize (the terminal view).
    Terminal(crossterm::event::Event),
}

/// Where the lines go.
pub(crate) enum Target<'a, W: io::Write> {
    /// The report (and incidents).
    Analyzer(&'a mut Analyzer),
    /// ECS events.
    Events(&'a mut EventWriter<W>),
}

/// One file (or standard input) being read.
struct Reading {
    stream: Stream<Tail>,
    /// The file, for the follower (none for standard input and archives).
    key: Option<FileKey>,
    /// Stop once read to the end.
    last: bool,
}

/// What one round of reading did.
#[derive(Debug, Default)]
pub(crate) struct Round {
    /// Physical lines handed to the sink.
    pub lines: u64,
    /// Inputs renamed: (input id, new name).
    pub renamed: Vec<(u32, String)>,
}

/// Every followed input and its place.
pub(crate) struct Session {
    scanner: Scanner,
    follower: Option<Follower>,
    readings: Vec<Reading>,
    next_id: u32,
    stdin: Option<u32>,
    /// Archives found at the start, read once before anything else.
    archives: Vec<PathBuf>,
    /// Whether the wake-up signal for input is already on its way (the watcher may fire
    /// thousands of times a second under load; one wake-up is enough).
    woken: Arc<AtomicBool>,
    notices: Vec<Notice>,
    /// Lines read in all.
    pub lines: u64,
    /// When lines last arrived.
    pub last_lines: Instant,
    /// Whether anything could be followed at the start.
    pub followable: bool,
}

impl Session {
    /// Starts following `paths` (`-` for standard input).
    pub fn new(
        scanner: Scanner,
        paths: &[PathBuf],
        options: Options,
        wake: Sender<Wake>,
    ) -> Session {
        let woken = Arc::new(AtomicBool::new(false));
        let waker = {
            let woken = Arc::clone(&woken);
            let wake = wake.clone();
            move || {
                if !woken.swap(true, Ordering::AcqRel) {
                    let _ = wake.send(Wake::Input);
                }
            }
        };
        let keep = options.keep;
        let files: Vec<PathBuf> = paths
            .iter()
            .filter(|p| p.as_os_str() != "-")
            .cloned()
            .collect();
        let follower = (!files.is_empty()).then(|| Follower::new(&files, options, waker.clone()));
        let mut session = Session {
            scanner,
            followable: follower.as_ref().is_some_and(Follower::can_follow),
            follower,
            readings: Vec::new(),
            next_id: 0,
            stdin: None,
            archives: Vec::new(),
            woken,
            notices: Vec::new(),
            lines: 0,
            last_lines: Instant::now(),
        };
        if paths.iter().any(|p| p.as_os_str() == "-") {
            let tail = logscan_follow::stdin(keep, waker);
            let id = session.add(Input::stdin(), tail, None);
            session.stdin = Some(id);
            session.followable = true;
        }
        if let Some(reason) = session.follower.as_ref().and_then(Follower::polling_reason) {
            session.notices.push(Notice::note(format!(
                "following by polling every second ({reason})"
            )));
        }
        session
    }

    fn add(&mut self, input: Input, tail: Tail, key: Option<FileKey>) -> u32 {
        let id = self.next_id;
        self.next_id += 1;
        self.readings.push(Reading {
            stream: self.scanner.stream(id, input, tail),
            key,
            last: false,
        });
        id
    }

    /// Messages to show since the last call.
    pub fn take_notices(&mut self) -> Vec<Notice> {
        std::mem::take(&mut self.notices)
    }

    /// Whether the only input is standard input and it ended.
    pub fn stdin_ended(&self) -> bool {
        self.follower.is_none()
            && self.stdin.is_some()
            && !self
                .readings
                .iter()
                .any(|r| Some(r.stream.id()) == self.stdin)
    }

    /// How many inputs are being read.
    pub fn reading(&self) -> usize {
        self.readings.len()
    }

    /// Looks at the followed names without reading anything (to say why nothing can be
    /// followed).
    pub fn look(&mut self) {
        let changes = self
            .follower
            .as_mut()
            .map(Follower::poll)
            .unwrap_or_default();
        let mut round = Round::default();
        for change in changes {
            if let Change::Problem { .. } = change {
                self.apply(change, &mut round);
            }
        }
    }

    /// Looks at the followed names (files that appeared, rotated, truncated, deleted),
    /// then reads what every input has. The first round reads everything already written.
    pub fn round<W: io::Write>(&mut self, target: &mut Target<'_, W>) -> io::Result<Round> {
        self.woken.store(false, Ordering::Release);
        let mut round = Round::default();
        let changes = self
            .follower
            .as_mut()
            .map(Follower::poll)
            .unwrap_or_default();
        for change in changes {
            self.apply(change, &mut round);
        }
        for path in std::mem::take(&mut self.archives) {
            let id = self.next_id;
            self.next_id += 1;
            let input = Input::file(&path, None);
            let read = match target {
                Target::Analyzer(a) => self.scanner.scan(id, &input, &mut **a).map_err(sink_never),
                Target::Events(e) => self.scanner.scan(id, &input, &mut **e),
            };
            match read {
                Ok(()) => {}
                Err(ScanError::Input(problem)) => {
                    self.notices.push(Notice::trouble(problem.to_string()));
                }
                Err(ScanError::Sink(e)) => return Err(e),
            }
        }
        round.lines += self.pump(target)?;
        Ok(round)
    }

    fn apply(&mut self, change: Change, round: &mut Round) {
        match change {
            Change::Opened { key, path, tail } => {
                let input = Input::file(&path, None);
                self.add(input, tail, Some(key));
            }
            Change::Archive { path } => self.archives.push(path),
            Change::Moved { key, to } => {
                if let (Some(reading), Some(to)) =
                    (self.readings.iter().find(|r| r.key == Some(key)), to)
                {
                    round
                        .renamed
                        .push((reading.stream.id(), to.to_string_lossy().into_owned()));
                }
            }
            Change::Retired { key } => {
                for reading in self.readings.iter_mut().filter(|r| r.key == Some(key)) {
                    reading.stream.reader_mut().finish();
                    reading.last = true;
                }
            }
            Change::Problem { path, problem } => {
                let text = format!("{}: {problem}", path.display());
                self.notices.push(if problem.is_fatal() {
                    Notice::trouble(text)
                } else {
                    Notice::note(text)
                });
            }
            Change::Recovered { path } => {
                self.notices.push(Notice::note(format!(
                    "{}: following it again",
                    path.display()
                )));
            }
        }
    }

    /// Reads every input as far as it goes now; returns the lines read.
    fn pump<W: io::Write>(&mut self, target: &mut Target<'_, W>) -> io::Result<u64> {
        let mut lines = 0;
        let mut restarted = Vec::new();
        let mut done = Vec::new();
        for (i, reading) in self.readings.iter_mut().enumerate() {
            let pumped = match target {
                Target::Analyzer(a) => reading
                    .stream
                    .pump(&self.scanner, &mut **a)
                    .map_err(sink_never),
                Target::Events(e) => reading.stream.pump(&self.scanner, &mut **e),
            };
            match pumped {
                Ok(n) => lines += n,
                Err(ScanError::Input(problem)) => {
                    self.notices
                        .push(Notice::note(format!("{problem}; no longer following it")));
                    done.push(i);
                    continue;
                }
                Err(ScanError::Sink(e)) => return Err(e),
            }
            match reading.stream.reader().state() {
                TailState::Truncated => {
                    let name = reading.stream.input().display.clone();
                    self.notices.push(Notice::note(format!(
                        "{name}: truncated; reading it again from the start"
                    )));
                    match reading.stream.reader().restart() {
                        Ok(tail) => restarted.push((name, tail, reading.key)),
                        Err(e) => self.notices.push(Notice::note(format!("{name}: {e}"))),
                    }
                    done.push(i);
                }
                TailState::Ended => done.push(i),
                TailState::Finishing if reading.last => done.push(i),
                _ => {}
            }
        }
        for i in done.into_iter().rev() {
            let reading = self.readings.remove(i);
            let restarted_key = restarted.iter().any(|(_, _, k)| *k == reading.key);
            if let (Some(key), false) = (reading.key, restarted_key) {
                if let Some(follower) = self.follower.as_mut() {
                    follower.forget(key);
                }
            }
        }
        for (name, tail, key) in restarted {
            let id = self.add(Input::file(Path::new(&name), None), tail, key);
            // The new generation may already hold lines.
            if let Some(reading) = self.readings.iter_mut().find(|r| r.stream.id() == id) {
                let pumped = match target {
                    Target::Analyzer(a) => reading
                        .stream
                        .pump(&self.scanner, &mut **a)
                        .map_err(sink_never),
                    Target::Events(e) => reading.stream.pump(&self.scanner, &mut **e),
                };
                match pumped {
                    Ok(n) => lines += n,
                    Err(ScanError::Sink(e)) => return Err(e),
                    Err(ScanError::Input(problem)) => {
                        self.notices.push(Notice::note(problem.to_string()));
                    }
                }
            }
        }
        if lines > 0 {
            self.lines += lines;
            self.last_lines = Instant::now();
        }
        Ok(lines)
    }

    /// Reads every input to its very end (the last line even without its `\n`): the run
    /// is ending.
    pub fn finish<W: io::Write>(&mut self, target: &mut Target<'_, W>) -> io::Result<()> {
        for reading in &mut self.readings {
            reading.stream.reader_mut().finish();
            reading.last = true;
        }
        self.pump(target).map(|_| ())
    }

    /// Whether the follower asks to be polled, and how often.
    pub fn poll_interval(&self) -> Option<std::time::Duration> {
        self.follower.as_ref().and_then(Follower::poll_interval)
    }
}

/// The analyzer never refuses an entry.
fn sink_never<E>(e: ScanError<std::convert::Infallible>) -> ScanError<E> {
    match e {
        ScanError::Input(problem) => ScanError::Input(problem),
        ScanError::Sink(never) => match never {},
    }
}
