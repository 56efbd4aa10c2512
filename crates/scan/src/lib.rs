//! # logscan-scan
//!
//! The one read loop of logscan, as a library: inputs → open (decompressing by magic
//! bytes) → sample the first lines → choose a parser ([`Formats::choose_parser`]) → frame
//! entries → parse each → hand it to a [`Sink`]. The sinks here are the
//! [`Analyzer`](logscan_analyze::Analyzer) (a report) and the [`EventWriter`] (one ECS
//! JSON object per record); anything else that wants every record of a log implements
//! [`Sink`] and reuses the loop.
//!
//! Two lines of an nginx error log to a report, without the command line:
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use logscan_analyze::{Analyzer, Config};
//! use logscan_input::Input;
//! use logscan_scan::{Formats, Scanner};
//!
//! let log = "\
//! 2026/11/25 01:27:19 [error] 812#812: *31 connect() failed (111: Connection refused) while connecting to upstream, client: 127.0.0.1, server: localhost, request: \"GET /api/items HTTP/1.1\", upstream: \"http://127.0.0.1:19020/api/items\", host: \"localhost\"
//! 2026/11/25 01:27:20 [error] 812#812: *33 connect() failed (111: Connection refused) while connecting to upstream, client: 127.0.0.1, server: localhost, request: \"GET /api/users HTTP/1.1\", upstream: \"http://127.0.0.1:19020/api/users\", host: \"localhost\"
//! ";
//! let scanner = Scanner::new(Formats::default()); // detect each input's format
//! let mut analyzer = Analyzer::new(Config::default());
//! scanner.scan_reader(0, &Input::file("error.log", None), log.as_bytes(), &mut analyzer)?;
//! let report = analyzer.finish();
//!
//! assert_eq!(report.inputs[0].format.to_string(), "nginx-error");
//! assert_eq!((report.inputs[0].lines, report.inputs[0].parsed), (2, 2));
//! let top = &report.findings[0];
//! assert_eq!((top.cause.id(), top.upstream.as_str(), top.count), ("upstream_refused", "127.0.0.1:19020", 2));
//! # Ok(()) }
//! ```
//!
//! For files, [`Scanner::analyze`] reads many inputs into one analyzer in parallel (large
//! plain files in chunks) and merges in an order that makes the report independent of the
//! thread count; [`Scanner::scan_all`] reads them in order into any sink, e.g. an
//! [`EventWriter`] over stdout. [`Scanner::duplicate_access_logs`] finds access logs that
//! repeat another one's requests. [`Scanner::stream`] reads an input that is still being
//! written, in steps, as it grows (live mode).
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod choose;
mod duplicates;
mod events;
mod parallel;
mod read;
mod sink;
mod stream;
mod unwrap;

use std::fmt;
use std::num::NonZeroUsize;
use std::sync::OnceLock;

use logscan_input::{InputError, Progress, ReaderConfig};

pub use choose::{Choice, Formats};
pub use events::EventWriter;
pub use logscan_envelope::{Envelope, Meta, Problem, Programs, is_controller_line};
pub use parallel::{CHUNK_SIZE, Outcome};
pub use sink::{Entry, Sink, Start, Unrecognized};
pub use stream::Stream;

/// Which envelope the inputs' lines are in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Envelopes {
    /// Found per input from its first lines (a plain log when they are in none).
    #[default]
    Auto,
    /// Every input is a plain log.
    None,
    /// Every input is in this envelope (its lines in no envelope are read as they are
    /// and counted as envelope problems).
    Always(Envelope),
}

/// Reads inputs with one set of formats, reader limits and threads. See the crate docs.
#[derive(Debug)]
pub struct Scanner {
    formats: Formats,
    reader: ReaderConfig,
    progress: Option<Progress>,
    threads: Option<NonZeroUsize>,
    /// The scanner's own thread pool (never the global one), built on first use.
    pool: OnceLock<Option<rayon::ThreadPool>>,
}

impl Scanner {
    /// A scanner choosing parsers with `formats`, with the default reader limits
    /// (lines and entries up to 1 MiB), no progress counters and one thread per core.
    pub fn new(formats: Formats) -> Scanner {
        Scanner {
            formats,
            reader: ReaderConfig::default(),
            progress: None,
            threads: None,
            pool: OnceLock::new(),
        }
    }

    /// How the envelope of each input is chosen (default: found from its first lines);
    /// the same as setting [`Formats::envelopes`].
    #[must_use]
    pub fn envelopes(mut self, envelopes: Envelopes) -> Scanner {
        self.formats.envelopes = envelopes;
        self
    }

    /// Whose syslog and journald lines are the server's: nginx, Apache and PHP-FPM's
    /// usual names, and the names `programs` adds (a custom nginx
    /// `syslog:server=…,tag=web`); the same as setting [`Formats::programs`]. The other
    /// programs' lines count as `other`.
    #[must_use]
    pub fn programs(mut self, programs: Programs) -> Scanner {
        self.formats.programs = programs;
        self
    }

    /// Other limits for framing entries (a longer line is unrecognized, its start kept).
    #[must_use]
    pub fn reader_config(mut self, reader: ReaderConfig) -> Scanner {
        self.reader = reader;
        self
    }

    /// Counts the bytes read (and, in [`Scanner::analyze`] and [`Scanner::scan_all`], the
    /// bytes planned) for a progress display.
    #[must_use]
    pub fn progress(mut self, progress: Progress) -> Scanner {
        self.progress = Some(progress);
        self
    }

    /// How many threads [`Scanner::analyze`] and [`Scanner::duplicate_access_logs`] use
    /// (default: rayon's, one per core unless `RAYON_NUM_THREADS` says otherwise).
    #[must_use]
    pub fn threads(mut self, threads: NonZeroUsize) -> Scanner {
        self.threads = Some(threads);
        self.pool = OnceLock::new();
        self
    }

    /// The pool, if its threads could be started.
    fn pool(&self) -> Option<&rayon::ThreadPool> {
        self.pool
            .get_or_init(|| {
                let mut builder = rayon::ThreadPoolBuilder::new();
                if let Some(threads) = self.threads {
                    builder = builder.num_threads(threads.get());
                }
                builder.build().ok()
            })
            .as_ref()
    }

    /// Runs `work` (which uses rayon's parallel iterators) on the scanner's pool.
    fn install<R: Send>(&self, work: impl FnOnce() -> R + Send) -> R {
        match self.pool() {
            Some(pool) => pool.install(work),
            None => work(),
        }
    }

    fn thread_count(&self) -> usize {
        match self.pool() {
            Some(pool) => pool.current_num_threads(),
            None => self.threads.map_or(1, NonZeroUsize::get),
        }
    }
}

/// Why [`Scanner::scan`] stopped before the end of an input.
#[derive(Debug)]
pub enum ScanError<E> {
    /// The input could not be opened or read in full (named by path, and by line or byte
    /// offset where reading stopped). Entries before the problem were handed to the sink.
    Input(InputError),
    /// The sink said stop.
    Sink(E),
}

impl<E: fmt::Display> fmt::Display for ScanError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScanError::Input(problem) => problem.fmt(f),
            ScanError::Sink(e) => e.fmt(f),
        }
    }
}

impl<E: fmt::Debug + fmt::Display> std::error::Error for ScanError<E> {}
