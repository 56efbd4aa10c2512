//! `logscan`: tells you why nginx or Apache answered 502, 503 or 504.
//!
//! The binary is thin: arguments ([`args`]), inputs and parallel analysis ([`pipeline`]),
//! rendering (the `logscan-render` crate). See `logscan --help`.

// Argument docs are clap help texts written for terminals (`[:SS]`), not intra-doc links.
#![allow(rustdoc::broken_intra_doc_links)]

mod args;
mod nginx_conf;
mod pipeline;
mod timearg;

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

use clap::{CommandFactory, Parser as _};
use logscan_analyze::{Config, Report};
use logscan_input::{Discovery, Progress, Source, default_locations, discover};
use logscan_parse::{Parser, Severity, Zone};

use args::{Args, OutputForm, SeverityArg, When};
use pipeline::Settings;

/// Exit code: a finding reached `--fail-on`.
const EXIT_FINDING: u8 = 1;
/// Exit code: bad arguments or an unreadable input.
const EXIT_TROUBLE: u8 = 2;
/// The most worker threads `--threads` may ask for (each reader holds up to ~1 MiB).
const MAX_THREADS: usize = 1024;

fn main() -> ExitCode {
    let args = Args::parse();
    match run(args) {
        Ok(code) => ExitCode::from(code),
        Err(Failure::Usage(message)) => {
            eprintln!("logscan: {message}");
            ExitCode::from(EXIT_TROUBLE)
        }
        Err(Failure::Io(e)) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(Failure::Io(e)) => {
            eprintln!("logscan: {e}");
            ExitCode::from(EXIT_TROUBLE)
        }
    }
}

enum Failure {
    Usage(String),
    Io(io::Error),
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Self {
        Failure::Io(e)
    }
}

fn run(args: Args) -> Result<u8, Failure> {
    if let Some(shell) = args.completions {
        let mut command = Args::command();
        clap_complete::generate(shell, &mut command, "logscan", &mut io::stdout());
        return Ok(0);
    }
    if args.man {
        clap_mangen::Man::new(Args::command()).render(&mut io::stdout())?;
        return Ok(0);
    }

    let zone: Option<Zone> = args
        .tz
        .as_deref()
        .map(|tz| {
            tz.parse::<Zone>()
                .map_err(|e| Failure::Usage(e.to_string()))
        })
        .transpose()?;
    // Events place local-time lines in a zone (the machine's by default), and --since and
    // --until compare instants there.
    let filter_zone = match (&zone, args.events) {
        (None, true) => Some(Zone::Local),
        (zone, _) => zone.clone(),
    };
    let now = timearg::now();
    let since = args
        .since
        .as_deref()
        .map(|t| timearg::point_in_time(t, filter_zone.as_ref(), now).map_err(Failure::Usage))
        .transpose()?;
    let until = args
        .until
        .as_deref()
        .map(|t| timearg::point_in_time(t, filter_zone.as_ref(), now).map_err(Failure::Usage))
        .transpose()?;
    let window = args
        .window
        .as_deref()
        .map(|w| timearg::duration_seconds(w).map_err(Failure::Usage))
        .transpose()?;

    if args.threads.is_some_and(|t| t > MAX_THREADS) {
        return Err(Failure::Usage(format!(
            "--threads: at most {MAX_THREADS} (one per core is the default)"
        )));
    }

    let mut candidates = Vec::new();
    for format in &args.log_format {
        candidates.push(
            Parser::access(format)
                .map_err(|e| Failure::Usage(format!("--log-format {format:?}: {e}")))?,
        );
    }
    for conf in &args.nginx_conf {
        let formats = nginx_conf::log_formats(conf)
            .map_err(|e| Failure::Usage(format!("--nginx-conf: {e}")))?;
        for f in formats {
            let text = match &f.escape {
                Some(escape) => format!("escape={escape} {}", f.format),
                None => f.format.clone(),
            };
            match Parser::nginx_access(&text) {
                Ok(parser) => candidates.push(parser),
                Err(e) => eprintln!(
                    "logscan: {}: log_format {}: {e} (skipped)",
                    f.file.display(),
                    f.name
                ),
            }
        }
    }
    let error_format = args
        .error_log_format
        .as_deref()
        .map(|f| {
            Parser::apache_error_format(f)
                .map_err(|e| Failure::Usage(format!("--error-log-format: {e}")))
        })
        .transpose()?;

    // Inputs.
    let paths: Vec<PathBuf> = if args.paths.is_empty() {
        let found = default_locations();
        if found.is_empty() {
            return Err(Failure::Usage(
                "no PATH given and none of /var/log/nginx, /var/log/apache2, /var/log/httpd exists.\n\
                 Give the logs to read, e.g.: logscan /var/log/nginx/error.log /var/log/nginx/access.log"
                    .to_owned(),
            ));
        }
        let shown: Vec<String> = found.iter().map(|p| p.display().to_string()).collect();
        eprintln!("logscan: reading {}", shown.join(", "));
        found
    } else {
        args.paths.clone()
    };
    let Discovery {
        mut inputs,
        problems,
        ..
    } = discover(&paths);
    let mut trouble = false;
    for problem in &problems {
        eprintln!("logscan: {}", safe(&problem.to_string()));
        trouble |= problem.fatal;
    }
    if inputs.is_empty() {
        eprintln!("logscan: no log files to read");
        return Ok(EXIT_TROUBLE);
    }
    // Inputs are only read: never let `-o` overwrite one of them.
    if let Some(out) = args
        .out
        .as_deref()
        .and_then(|o| std::fs::canonicalize(o).ok())
    {
        let clash = inputs.iter().find(|input| match &input.source {
            Source::Path(p) => std::fs::canonicalize(p).is_ok_and(|p| p == out),
            Source::Stdin => false,
        });
        if let Some(input) = clash {
            return Err(Failure::Usage(format!(
                "-o {}: that is an input; logscan does not write over its inputs",
                safe(&input.display)
            )));
        }
    }

    if let Some(threads) = args.threads {
        // Ignore the error if a pool already exists (only in tests that call run twice).
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(threads.max(1))
            .build_global();
    }

    let show_progress = match args.progress {
        When::Always => true,
        When::Never => false,
        When::Auto => {
            io::stderr().is_terminal()
                && inputs.iter().filter_map(|i| i.size).sum::<u64>() >= 64 << 20
        }
    };
    let settings = Settings {
        format: args.format,
        candidates,
        error_format,
        config: Config {
            zone: filter_zone.clone(),
            window,
            since,
            until,
        },
        progress: show_progress.then(Progress::new),
    };
    // An access log that repeats another one's requests is read once.
    let duplicates = pipeline::duplicate_access_logs(&inputs, &settings);
    for &(skipped, kept) in &duplicates {
        eprintln!(
            "logscan: {}: same requests as {}; reading only the latter",
            inputs[skipped].display, inputs[kept].display
        );
    }
    let skipped: Vec<usize> = duplicates.iter().map(|d| d.0).collect();
    inputs = inputs
        .into_iter()
        .enumerate()
        .filter(|(i, _)| !skipped.contains(i))
        .map(|(_, input)| input)
        .collect();
    let bar = settings.progress.clone().map(ProgressBar::start);

    if args.events {
        let stdout = io::stdout();
        let mut out = io::BufWriter::with_capacity(1 << 16, stdout.lock());
        let event_zone = filter_zone.unwrap_or(Zone::Local);
        let read_problems = pipeline::events(&inputs, &settings, &event_zone, &mut out)?;
        drop(bar);
        for problem in &read_problems {
            eprintln!("logscan: {}", safe(&problem.to_string()));
        }
        trouble |= !read_problems.is_empty();
        return Ok(if trouble { EXIT_TROUBLE } else { 0 });
    }

    let outcome = pipeline::analyze(&inputs, &settings);
    drop(bar);
    for problem in &outcome.problems {
        eprintln!("logscan: {}", safe(&problem.to_string()));
    }
    trouble |= !outcome.problems.is_empty();
    let report = outcome.analyzer.finish();
    warn_unrecognized(&report);

    let form = match (args.output, &args.out) {
        (Some(form), _) => form,
        (None, Some(path)) => match path.extension().and_then(|e| e.to_str()) {
            Some("html" | "htm") => OutputForm::Html,
            Some("json") => OutputForm::Json,
            Some("md" | "markdown") => OutputForm::Markdown,
            _ => OutputForm::Table,
        },
        (None, None) if io::stdout().is_terminal() => OutputForm::Table,
        (None, None) => OutputForm::Json,
    };
    let to_terminal = args.out.is_none() && io::stdout().is_terminal();
    let color = match args.color {
        When::Always => true,
        When::Never => false,
        When::Auto => to_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    };
    let rendered = render(&report, form, args.top, color, to_terminal);
    match &args.out {
        Some(path) => std::fs::write(path, rendered.as_bytes())
            .map_err(|e| Failure::Usage(format!("{}: {e}", path.display())))?,
        None => {
            let mut stdout = io::stdout().lock();
            stdout.write_all(rendered.as_bytes())?;
            stdout.flush()?;
        }
    }

    if trouble {
        return Ok(EXIT_TROUBLE);
    }
    if let Some(threshold) = args.fail_on {
        let threshold = severity(threshold);
        if report.findings.iter().any(|f| f.severity >= threshold) {
            return Ok(EXIT_FINDING);
        }
    }
    Ok(0)
}

fn severity(arg: SeverityArg) -> Severity {
    match arg {
        SeverityArg::Info => Severity::Info,
        SeverityArg::Low => Severity::Low,
        SeverityArg::Medium => Severity::Medium,
        SeverityArg::High => Severity::High,
        SeverityArg::Critical => Severity::Critical,
    }
}

fn render(report: &Report, form: OutputForm, top: usize, color: bool, to_terminal: bool) -> String {
    match form {
        OutputForm::Json => logscan_render::json(report),
        OutputForm::Markdown => logscan_render::markdown::render(report, top),
        OutputForm::Html => logscan_render::html::render(report, top),
        OutputForm::Table => {
            let width = if to_terminal {
                terminal_size::terminal_size().map_or(100, |(w, _)| usize::from(w.0))
            } else {
                std::env::var("COLUMNS")
                    .ok()
                    .and_then(|c| c.parse().ok())
                    .unwrap_or(100)
            };
            logscan_render::text::render(report, &logscan_render::Options { width, color, top })
        }
    }
}

/// Says on stderr which inputs had lines no parser recognised, naming the first.
fn warn_unrecognized(report: &Report) {
    for input in &report.inputs {
        if input.unrecognized == 0 {
            continue;
        }
        let first = input
            .unrecognized_examples
            .first()
            .map(|e| {
                format!(
                    " (first at line {}: {})",
                    e.line,
                    logscan_render::escape::terminal(&cut(&e.text, 160))
                )
            })
            .unwrap_or_default();
        eprintln!(
            "logscan: {}: {} of {} lines not recognized as {}{first}",
            logscan_render::escape::terminal(&input.path),
            input.unrecognized,
            input.lines,
            input.format,
        );
    }
}

/// A message naming an input, for stderr: a path (or a reason quoting one) may carry
/// control characters, which are shown escaped.
fn safe(text: &str) -> std::borrow::Cow<'_, str> {
    logscan_render::escape::terminal(text)
}

fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let mut s: String = text.chars().take(max).collect();
        s.push('…');
        s
    }
}

/// A progress bar on stderr that follows the byte counters from a background thread.
struct ProgressBar {
    stop: Arc<AtomicBool>,
    thread: Option<thread::JoinHandle<()>>,
}

impl ProgressBar {
    fn start(progress: Progress) -> ProgressBar {
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        let thread = thread::spawn(move || {
            let bar = indicatif::ProgressBar::new(progress.total());
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} [{elapsed_precise}] [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} ETA {eta}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            while !stopped.load(Ordering::Relaxed) {
                bar.set_length(progress.total().max(progress.bytes_read()));
                bar.set_position(progress.bytes_read());
                thread::sleep(Duration::from_millis(100));
            }
            bar.finish_and_clear();
        });
        ProgressBar {
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for ProgressBar {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
