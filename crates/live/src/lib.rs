//! # logscan-live
//!
//! logscan during the outage: follows the logs as the servers write them
//! ([`logscan_follow`]), reads each new line into the analyzer ([`logscan_scan::Stream`]),
//! and says what happens as it happens:
//!
//! - [`Mode::Stream`]: an NDJSON incident stream on stdout, one object per line, flushed
//!   at once: `incident_open`, `incident_update` (at most once per refresh per incident),
//!   `incident_close`, `finding` (a cause × upstream seen for the first time) and, when the
//!   run ends, `report` with the whole report (citing the servers' configuration when
//!   [`LiveSettings::server_config`] holds it). For `jq`, a log shipper, or a watchdog.
//! - [`Mode::View`]: a full-screen terminal view (ratatui over crossterm) with the summary
//!   sentence, open incidents, ranked findings with sparklines and requests and 5xx per
//!   window; `q` quits and the caller prints the final report.
//! - [`Mode::Events`]: ECS events as lines arrive (`--events --follow`).
//!
//! The run ends on SIGINT or SIGTERM, at the end of standard input (when that is the only
//! input), or, with `fail_on`, as soon as a finding reaches that severity.
//!
//! ```no_run
//! use std::time::Duration;
//! use logscan_analyze::Config;
//! use logscan_live::{LiveSettings, Mode, run};
//!
//! let mut settings = LiveSettings::default();
//! settings.paths = vec!["/var/log/nginx".into()];
//! settings.config = Config::default().with_window(60);
//! settings.mode = Mode::Stream;
//! let outcome = run(settings, &mut |notice| eprintln!("logscan: {}", notice.text))?;
//! if let Some(report) = outcome.report {
//!     println!("{} findings", report.findings.len());
//! }
//! # Ok::<(), std::io::Error>(())
//! ```
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod engine;
mod ndjson;
mod session;
mod terminal;
pub mod view;

use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread;
use std::time::{Duration, Instant};

use logscan_analyze::report::Report;
use logscan_analyze::{Analyzer, Config};
use logscan_config::Configs;
use logscan_parse::{Severity, Zone};
use logscan_scan::{EventWriter, Formats, Scanner};

pub use logscan_follow::Options as FollowOptions;
pub use ndjson::Ndjson;

use engine::Engine;
use session::{Session, Target, Wake};

/// What to follow and how to show it. `#[non_exhaustive]`: start from
/// `LiveSettings::default()` and set the fields wanted, so a setting added later is not a
/// breaking change.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct LiveSettings {
    /// Files, directories, glob patterns, `-` for standard input.
    pub paths: Vec<PathBuf>,
    /// How each input's parser is chosen.
    pub formats: Formats,
    /// Zone, window and `since` (applied to the lines already written when following
    /// starts; every line written later is read).
    pub config: Config,
    /// How often the view is redrawn and findings are looked for.
    pub refresh: Duration,
    /// End the run as soon as a finding is at least this severe.
    pub fail_on: Option<Severity>,
    /// What to show.
    pub mode: Mode,
    /// How files are watched.
    pub follow: FollowOptions,
    /// The servers' configuration: the final report cites it (`configs`, each finding's
    /// `config` and `mismatches`, fix steps with `path:line`) as a one-shot report does,
    /// and in events mode each failure event carries `logscan.config`.
    pub server_config: Option<Arc<Configs>>,
}

impl Default for LiveSettings {
    fn default() -> Self {
        LiveSettings {
            paths: Vec::new(),
            formats: Formats::default(),
            config: Config::default(),
            refresh: Duration::from_secs(1),
            fail_on: None,
            mode: Mode::Stream,
            follow: FollowOptions::default(),
            server_config: None,
        }
    }
}

/// What live mode shows.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Mode {
    /// The NDJSON incident stream on stdout.
    Stream,
    /// The terminal view.
    View {
        /// Colours (off for `NO_COLOR`).
        color: bool,
        /// How many findings to list.
        top: usize,
    },
    /// ECS events as lines arrive.
    Events {
        /// Zone for local-time lines.
        zone: Zone,
    },
}

/// A message for the user (a followed file deleted, truncated, unreadable...).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Notice {
    /// The message, without a prefix; it may hold text from file names (escape it).
    pub text: String,
    /// Whether it means something could not be done (exit code 2).
    pub trouble: bool,
}

impl Notice {
    fn note(text: String) -> Notice {
        Notice {
            text,
            trouble: false,
        }
    }

    fn trouble(text: String) -> Notice {
        Notice {
            text,
            trouble: true,
        }
    }
}

/// Why the run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum End {
    /// SIGINT, SIGTERM, `q`, or the end of standard input.
    Stopped,
    /// A finding reached `fail_on`.
    FailOn,
    /// None of the paths can be followed.
    NothingToFollow,
}

/// How the run ended.
#[derive(Debug)]
#[non_exhaustive]
pub struct Outcome {
    /// The final report (none in events mode and when nothing could be followed).
    pub report: Option<Report>,
    /// Why it ended.
    pub end: End,
}

/// Follows `settings.paths` until the run ends (see the crate docs). `notices` gets every
/// message as it happens (in view mode, once the view is closed, since the screen belongs
/// to the view until then; the view shows the latest on its status line).
pub fn run(settings: LiveSettings, notices: &mut dyn FnMut(&Notice)) -> io::Result<Outcome> {
    let (tx, rx) = mpsc::channel();
    watch_signals(tx.clone());
    let scanner = Scanner::new(settings.formats.clone());
    let mut session = Session::new(
        scanner,
        &settings.paths,
        settings.follow.clone(),
        tx.clone(),
    );
    if !session.followable {
        session.look();
        for notice in session.take_notices() {
            notices(&notice);
        }
        return Ok(Outcome {
            report: None,
            end: End::NothingToFollow,
        });
    }
    match settings.mode.clone() {
        Mode::Events { zone } => run_events(&settings, session, zone, &rx, notices),
        Mode::Stream => {
            let engine = engine(&settings);
            run_stream(&settings, session, engine, &rx, notices)
        }
        Mode::View { color, top } => {
            let engine = engine(&settings);
            terminal::run(&settings, session, engine, rx, tx, color, top, notices)
        }
    }
}

/// The report when the run ends, tied to the servers' configuration when there is one.
fn final_report(settings: &LiveSettings, analyzer: Analyzer) -> Report {
    let mut report = analyzer.finish();
    if let Some(configs) = &settings.server_config {
        report.add_configs(configs);
    }
    report
}

fn engine(settings: &LiveSettings) -> Engine {
    let mut analyzer = Analyzer::new(settings.config.clone());
    analyzer.watch();
    Engine::new(analyzer, settings.refresh, settings.fail_on)
}

/// SIGINT and SIGTERM end the run (with the final report written).
fn watch_signals(tx: Sender<Wake>) {
    use signal_hook::consts::{SIGINT, SIGTERM};
    if let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) {
        thread::spawn(move || {
            if signals.forever().next().is_some() {
                let _ = tx.send(Wake::Quit);
            }
        });
    }
}

/// Waits until input may have arrived, the next refresh is due, or the run must end
/// (then `false`). Several wake-ups waiting count as one.
fn wait(rx: &Receiver<Wake>, until: Instant) -> bool {
    let timeout = until.saturating_duration_since(Instant::now());
    let first = match rx.recv_timeout(timeout) {
        Ok(wake) => wake,
        Err(RecvTimeoutError::Timeout) => return true,
        Err(RecvTimeoutError::Disconnected) => return false,
    };
    let mut quit = matches!(first, Wake::Quit);
    while let Ok(wake) = rx.try_recv() {
        quit |= matches!(wake, Wake::Quit);
    }
    !quit
}

/// The next time to look without being woken: the refresh, or the poll interval.
fn next_look(session: &Session, next_tick: Instant) -> Instant {
    match session.poll_interval() {
        Some(interval) => next_tick.min(Instant::now() + interval),
        None => next_tick,
    }
}

fn run_stream(
    settings: &LiveSettings,
    mut session: Session,
    mut engine: Engine,
    rx: &Receiver<Wake>,
    notices: &mut dyn FnMut(&Notice),
) -> io::Result<Outcome> {
    let stdout = io::stdout();
    let mut out = Ndjson::new(BufWriter::new(stdout.lock()));
    // The lines already written, then everything new.
    engine.read(&mut session)?;
    engine.analyzer.admit_all();
    let mut next_tick = Instant::now();
    let mut end = End::Stopped;
    loop {
        for notice in session.take_notices() {
            notices(&notice);
        }
        let now = Instant::now();
        for change in engine.incidents(&session, now) {
            out.incident(&change)?;
        }
        if now >= next_tick {
            if let Some((new, reached)) = engine.refresh() {
                for finding in &new {
                    out.finding(finding)?;
                }
                if reached {
                    end = End::FailOn;
                    break;
                }
            }
            next_tick = now + settings.refresh;
        }
        if session.stdin_ended() || !wait(rx, next_look(&session, next_tick)) {
            break;
        }
        engine.read(&mut session)?;
    }
    session.finish(&mut Target::<io::Sink>::Analyzer(&mut engine.analyzer))?;
    for notice in session.take_notices() {
        notices(&notice);
    }
    for change in engine.incidents(&session, Instant::now()) {
        out.incident(&change)?;
    }
    let report = final_report(settings, engine.analyzer);
    out.report(&report)?;
    Ok(Outcome {
        report: Some(report),
        end,
    })
}

fn run_events(
    settings: &LiveSettings,
    mut session: Session,
    zone: Zone,
    rx: &Receiver<Wake>,
    notices: &mut dyn FnMut(&Notice),
) -> io::Result<Outcome> {
    let stdout = io::stdout();
    let out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut events = EventWriter::new(out, zone, settings.config.clone());
    if let Some(configs) = &settings.server_config {
        events = events.with_config(logscan_analyze::EventConfig::new(Arc::clone(configs)));
    }
    session.round(&mut Target::Events(&mut events))?;
    events.flush()?;
    let mut unlimited = settings.config.clone();
    (unlimited.since, unlimited.until) = (None, None);
    events.set_limits(unlimited);
    loop {
        for notice in session.take_notices() {
            notices(&notice);
        }
        let next = next_look(&session, Instant::now() + Duration::from_secs(3600));
        if session.stdin_ended() || !wait(rx, next) {
            break;
        }
        session.round(&mut Target::Events(&mut events))?;
        events.flush()?;
    }
    session.finish(&mut Target::Events(&mut events))?;
    for notice in session.take_notices() {
        notices(&notice);
    }
    let mut out = events.finish()?;
    out.flush()?;
    Ok(Outcome {
        report: None,
        end: End::Stopped,
    })
}
