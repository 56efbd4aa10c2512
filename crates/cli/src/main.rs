//! `logscan`: tells you why nginx or Apache answered 502, 503 or 504.
//!
//! The binary is thin: arguments ([`args`]), wiring, output. Reading, format choice and
//! parallel analysis are the `logscan-scan` library; rendering is `logscan-render`; every
//! stderr message goes through [`messages`]. See `logscan --help`.

// Argument docs are clap help texts written for terminals (`[:SS]`), not intra-doc links.
#![allow(rustdoc::broken_intra_doc_links)]

mod args;
mod messages;
mod output;
mod timearg;

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

use clap::CommandFactory;
use logscan_analyze::{Analyzer, Report};
use logscan_input::{Discovery, Input, Progress, Source, default_locations, discover};
use logscan_parse::Severity;
use logscan_scan::{EventWriter, Scanner};

use args::{Args, Command, ConfigChoice, MergeSettings, Output, OutputForm, Settings, When};
use logscan_config::Configs;
use messages::{note, trouble};

/// Exit code: a finding reached `--fail-on`.
const EXIT_FINDING: u8 = 1;
/// Exit code: bad arguments or an unreadable input.
const EXIT_TROUBLE: u8 = 2;

fn main() -> ExitCode {
    let args = match Args::from_env() {
        Ok(args) => args,
        Err(e) => return messages::clap_error(&e),
    };
    if let Some(shell) = args.completions {
        let mut command = Args::command();
        clap_complete::generate(shell, &mut command, "logscan", &mut io::stdout());
        return ExitCode::SUCCESS;
    }
    if args.man {
        return match clap_mangen::Man::new(Args::command()).render(&mut io::stdout()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => failed(e),
        };
    }
    let outcome = match args.command {
        Some(Command::Merge(merge)) => run_merge(MergeSettings::from(merge)),
        None => Settings::try_from(args)
            .map_err(Failure::Usage)
            .and_then(run),
    };
    match outcome {
        Ok(_) if messages::had_trouble() => ExitCode::from(EXIT_TROUBLE),
        Ok(code) => ExitCode::from(code),
        Err(Failure::Usage(message)) => {
            trouble!("{message}");
            ExitCode::from(EXIT_TROUBLE)
        }
        Err(Failure::Io(e)) => failed(e),
    }
}

/// Exit 2 for a failed write, quietly when the reader of stdout went away.
fn failed(e: io::Error) -> ExitCode {
    if e.kind() == io::ErrorKind::BrokenPipe {
        return ExitCode::SUCCESS;
    }
    trouble!("{e}");
    ExitCode::from(EXIT_TROUBLE)
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

/// Reads the inputs and writes what `settings` asks for; returns 0, or 1 when a finding
/// reached `--fail-on` (2, for trouble, is decided by [`messages`]).
fn run(settings: Settings) -> Result<u8, Failure> {
    if let Some(refresh) = settings.follow {
        return follow(settings, refresh);
    }
    let (mut inputs, configs) = inputs(&settings)?;
    if inputs.is_empty() {
        trouble!("no log files to read");
        return Ok(0);
    }
    match &settings.output {
        Output::Report { out: Some(out), .. } => refuse_to_overwrite_an_input(out, &inputs, "-o")?,
        Output::State { path } => refuse_to_overwrite_an_input(path, &inputs, "--save-state")?,
        _ => {}
    }
    let show_progress = match settings.progress {
        When::Always => true,
        When::Never => false,
        When::Auto => {
            messages::stderr_is_terminal()
                && inputs.iter().filter_map(|i| i.size).sum::<u64>() >= 64 << 20
        }
    };
    let progress = show_progress.then(Progress::new);
    let mut scanner = Scanner::new(settings.formats);
    if let Some(threads) = settings.threads {
        scanner = scanner.threads(threads);
    }
    if let Some(progress) = &progress {
        scanner = scanner.progress(progress.clone());
    }
    // An access log that repeats another one's requests is read once.
    let duplicates = scanner.duplicate_access_logs(&inputs);
    for &(skipped, kept) in &duplicates {
        note!(
            "{}: same requests as {}; reading only the latter",
            inputs[skipped].display,
            inputs[kept].display
        );
    }
    let mut index = 0;
    inputs.retain(|_| {
        index += 1;
        !duplicates.iter().any(|d| d.0 == index - 1)
    });
    let bar = progress.map(ProgressBar::start);

    let form = match settings.output {
        Output::Events { zone } => {
            let stdout = io::BufWriter::with_capacity(1 << 16, io::stdout().lock());
            let mut events = EventWriter::new(stdout, zone, settings.config);
            if let Some(configs) = configs {
                events = events.with_config(logscan_analyze::EventConfig::new(Arc::new(configs)));
            }
            let problems = scanner.scan_all(&inputs, &mut events)?;
            events.finish()?;
            drop(bar);
            for problem in &problems {
                trouble!("{problem}");
            }
            return Ok(0);
        }
        Output::State { path } => {
            let analyzer = analyze(
                &scanner,
                &inputs,
                &settings.config,
                settings.label.as_deref(),
                bar,
            );
            save_state(&path, &analyzer)?;
            return Ok(0);
        }
        report @ Output::Report { .. } => report,
    };
    let analyzer = analyze(
        &scanner,
        &inputs,
        &settings.config,
        settings.label.as_deref(),
        bar,
    );
    let mut report = analyzer.finish();
    if let Some(configs) = &configs {
        report.add_configs(configs);
    }
    warn_unrecognized(&report);
    write_report(&report, &form, settings.fail_on)
}

/// Reads every input into one analyzer (problems said on stderr), labelled with `--label`.
fn analyze(
    scanner: &Scanner,
    inputs: &[Input],
    config: &logscan_analyze::Config,
    label: Option<&str>,
    bar: Option<ProgressBar>,
) -> Analyzer {
    let outcome = scanner.analyze(inputs, config);
    drop(bar);
    for problem in &outcome.problems {
        trouble!("{problem}");
    }
    let mut analyzer = outcome.analyzer;
    if let Some(label) = label {
        analyzer.label_inputs(label);
    }
    analyzer
}

/// `--save-state FILE` (`-`: stdout, when it is not a terminal).
fn save_state(path: &std::path::Path, analyzer: &Analyzer) -> Result<(), Failure> {
    if path.as_os_str() == "-" {
        if io::stdout().is_terminal() {
            return Err(Failure::Usage(
                "--save-state -: a state is binary; redirect stdout to a file".to_owned(),
            ));
        }
        let bytes = logscan_state::encode(analyzer)
            .map_err(|e| Failure::Usage(format!("--save-state: {e}")))?;
        let mut stdout = io::stdout().lock();
        stdout.write_all(&bytes)?;
        stdout.flush()?;
        return Ok(());
    }
    logscan_state::save(path, analyzer)
        .map_err(|e| Failure::Usage(format!("--save-state {}: {e}", path.display())))
}

/// `logscan merge`: the states read, the bad ones named, the others merged into one report.
fn run_merge(settings: MergeSettings) -> Result<u8, Failure> {
    if let Output::Report { out: Some(out), .. } = &settings.output {
        let out = std::fs::canonicalize(out).ok();
        if let Some(state) = settings
            .states
            .iter()
            .find(|s| out.is_some() && std::fs::canonicalize(s).ok() == out)
        {
            return Err(Failure::Usage(format!(
                "-o {}: that is one of the states; logscan does not write over its inputs",
                state.display()
            )));
        }
    }
    let merged = logscan_state::merge_files(&settings.states);
    for refused in &merged.refused {
        trouble!("{}: {}", refused.name, refused.reason);
    }
    for note in &merged.notes {
        note!("{note}");
    }
    let Some(analyzer) = merged.analyzer else {
        trouble!("no state could be merged");
        return Ok(0);
    };
    let mut report = analyzer.finish();
    if let Some(configs) = read_configs(&settings.configs, &[], false) {
        warn_configs(&configs);
        report.add_configs(&configs);
    }
    warn_unrecognized(&report);
    write_report(&report, &settings.output, settings.fail_on)
}

/// Writes the report as `output` says; 1 when a finding reached `fail_on`.
fn write_report(
    report: &Report,
    output: &Output,
    fail_on: Option<Severity>,
) -> Result<u8, Failure> {
    let Output::Report {
        form,
        out,
        color,
        to_terminal,
        top,
    } = output
    else {
        return Ok(0);
    };
    let rendered = render(report, *form, *top, *color, *to_terminal);
    match out {
        Some(path) => output::write_atomically(path, rendered.as_bytes())
            .map_err(|e| Failure::Usage(format!("{}: {e}", path.display())))?,
        None => {
            let mut stdout = io::stdout().lock();
            stdout.write_all(rendered.as_bytes())?;
            stdout.flush()?;
        }
    }
    let threshold_met =
        fail_on.is_some_and(|threshold| report.findings.iter().any(|f| f.severity >= threshold));
    Ok(if threshold_met { EXIT_FINDING } else { 0 })
}

/// `--follow`: live mode (logscan-live) until SIGINT, SIGTERM, `q`, the end of stdin or
/// `--fail-on`; then the final report where it belongs (the stream already carries it).
fn follow(settings: Settings, refresh: std::time::Duration) -> Result<u8, Failure> {
    let paths: Vec<PathBuf> = if settings.paths.is_empty() {
        let found = default_locations();
        if found.is_empty() {
            return Err(Failure::Usage(
                "no PATH given and none of /var/log/nginx, /var/log/apache2, /var/log/httpd exists (nor an nginx, ingress, httpd or apache log in /var/log/containers/); \
                 give the logs to follow, e.g. logscan -f /var/log/nginx/"
                    .to_owned(),
            ));
        }
        found
    } else {
        settings.paths.clone()
    };
    let defaults = settings.paths.is_empty();
    let configs = read_configs(&settings.configs, &paths, defaults);
    let config_note = config_note(&settings.configs, configs.as_ref());
    if defaults {
        let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        note!("following {}{config_note}", shown.join(", "));
    } else if !config_note.is_empty() {
        note!("following this machine's logs{config_note}");
    }
    if let Some(configs) = &configs {
        warn_configs(configs);
    }
    let mode = match (&settings.output, settings.live_view) {
        (Output::Events { zone }, _) => logscan_live::Mode::Events { zone: zone.clone() },
        (Output::Report { top, .. }, Some(color)) => logscan_live::Mode::View { color, top: *top },
        (Output::Report { .. }, None) => logscan_live::Mode::Stream,
        // clap refuses --save-state with --follow.
        (Output::State { .. }, _) => {
            return Err(Failure::Usage(
                "--save-state cannot be used with --follow".to_owned(),
            ));
        }
    };
    let view = matches!(mode, logscan_live::Mode::View { .. });
    let mut live = logscan_live::LiveSettings::default();
    live.paths = paths;
    live.formats = settings.formats.clone();
    live.config = settings.config.clone();
    live.refresh = refresh;
    live.fail_on = settings.fail_on;
    live.mode = mode;
    live.server_config = configs.map(Arc::new);
    let outcome = logscan_live::run(live, &mut |notice| {
        if notice.trouble {
            trouble!("{}", notice.text);
        } else {
            note!("{}", notice.text);
        }
    })?;
    if outcome.end == logscan_live::End::NothingToFollow {
        trouble!("nothing can be followed");
        return Ok(0);
    }
    if let (
        Some(report),
        Output::Report {
            form,
            out,
            color,
            top,
            ..
        },
    ) = (&outcome.report, &settings.output)
    {
        // logscan-live tied it to the configuration already.
        match out {
            Some(path) => {
                let rendered = render(report, *form, *top, *color, false);
                output::write_atomically(path, rendered.as_bytes())
                    .map_err(|e| Failure::Usage(format!("{}: {e}", path.display())))?;
            }
            None if view => {
                // The live view is gone: the final report on the normal screen.
                let color = settings.live_view.unwrap_or(false);
                let rendered = render(report, *form, *top, color, true);
                let mut stdout = io::stdout().lock();
                stdout.write_all(rendered.as_bytes())?;
                stdout.flush()?;
            }
            None => {}
        }
    }
    Ok(if outcome.end == logscan_live::End::FailOn {
        EXIT_FINDING
    } else {
        0
    })
}

/// The inputs the paths name (the usual places when none is given), and the server
/// configuration to read with them; problems finding them are reported.
fn inputs(settings: &Settings) -> Result<(Vec<Input>, Option<Configs>), Failure> {
    let defaults = settings.paths.is_empty();
    let paths: Vec<PathBuf> = if defaults {
        let found = default_locations();
        if found.is_empty() {
            return Err(Failure::Usage(
                "no PATH given and none of /var/log/nginx, /var/log/apache2, /var/log/httpd exists (nor an nginx, ingress, httpd or apache log in /var/log/containers/); \
                 give the logs to read, e.g. logscan /var/log/nginx/error.log /var/log/nginx/access.log"
                    .to_owned(),
            ));
        }
        found
    } else {
        settings.paths.clone()
    };
    let configs = read_configs(&settings.configs, &paths, defaults);
    let config_note = config_note(&settings.configs, configs.as_ref());
    if defaults {
        let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        note!("reading {}{config_note}", shown.join(", "));
    } else if !config_note.is_empty() {
        note!("reading this machine's logs{config_note}");
    }
    if let Some(configs) = &configs {
        warn_configs(configs);
    }
    let Discovery {
        inputs, problems, ..
    } = discover(&paths);
    for problem in &problems {
        if problem.fatal {
            trouble!("{problem}");
        } else {
            note!("{problem}");
        }
    }
    Ok((inputs, configs))
}

/// The configuration to read: what `--config` names; with neither it nor `--no-config`,
/// this machine's, when the logs read are its own (the usual places). `None`: none.
fn read_configs(choice: &ConfigChoice, paths: &[PathBuf], defaults: bool) -> Option<Configs> {
    match choice {
        ConfigChoice::Nothing => None,
        ConfigChoice::Given { paths: given, .. } => {
            let options = choice.options();
            let mut configs = Configs::new();
            for path in given {
                configs.read(path, &options);
            }
            Some(configs)
        }
        ConfigChoice::ThisMachine => {
            let own = defaults || {
                let usual: Vec<PathBuf> = default_locations()
                    .iter()
                    .filter_map(|p| std::fs::canonicalize(p).ok())
                    .collect();
                paths.iter().all(|p| {
                    std::fs::canonicalize(p).is_ok_and(|p| usual.iter().any(|u| p.starts_with(u)))
                })
            };
            // Logs from elsewhere get no fixes from this machine's files, so they are not
            // read at all (parsing /etc/nginx and /etc/apache2 costs every run ~1 ms).
            if !own {
                return None;
            }
            let configs = Configs::this_machine(&choice.options());
            (!configs.is_empty()).then_some(configs)
        }
    }
}

/// What the first stderr line adds when this machine's configuration was read by default.
fn config_note(choice: &ConfigChoice, configs: Option<&Configs>) -> String {
    match (choice, configs) {
        (ConfigChoice::ThisMachine, Some(c)) => {
            let read: Vec<String> = c
                .configs()
                .iter()
                .map(|c| c.path.display().to_string())
                .collect();
            format!(
                "; configuration {} (--no-config to skip it)",
                read.join(", ")
            )
        }
        _ => String::new(),
    }
}

/// A configuration that could not be read, or only in part, is said on stderr (the
/// report's `configs[]` has every warning); the logs are analysed all the same.
fn warn_configs(configs: &Configs) {
    const SHOWN: usize = 5;
    for c in configs.configs() {
        if let Err(e) = &c.parsed {
            note!("configuration not read: {e}");
            continue;
        }
        let problems: Vec<_> = c
            .warnings()
            .iter()
            .filter(|w| w.severity == logscan_config::Severity::Problem)
            .collect();
        for w in problems.iter().take(SHOWN) {
            note!("configuration: {w}");
        }
        if problems.len() > SHOWN {
            note!(
                "configuration {}: {} more problems (listed in the report's configs[])",
                c.path.display(),
                problems.len() - SHOWN
            );
        }
    }
}

/// Inputs are only read: `-o` must not name one of them.
fn refuse_to_overwrite_an_input(
    out: &std::path::Path,
    inputs: &[Input],
    option: &str,
) -> Result<(), Failure> {
    let Ok(out) = std::fs::canonicalize(out) else {
        return Ok(());
    };
    let clash = inputs.iter().find(|input| match &input.source {
        Source::Path(p) => std::fs::canonicalize(p).is_ok_and(|p| p == out),
        Source::Stdin => false,
    });
    match clash {
        Some(input) => Err(Failure::Usage(format!(
            "{option} {}: that is an input; logscan does not write over its inputs",
            input.display
        ))),
        None => Ok(()),
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
            logscan_render::text::render(report, &logscan_render::Options::new(width, color, top))
        }
    }
}

/// Says on stderr which inputs had lines no parser recognised, naming the first; lines
/// whose envelope was broken; and inputs whose lines were all other programs'.
fn warn_unrecognized(report: &Report) {
    for input in &report.inputs {
        let envelope = input.envelope.as_deref().unwrap_or("envelope");
        if input.envelope_problems > 0 {
            let first = input
                .envelope_problem_examples
                .first()
                .map(|e| format!(" (first at line {}: {})", e.line, cut(&e.text, 160)))
                .unwrap_or_default();
            note!(
                "{}: {} of {} lines with a broken {envelope} envelope, read as far as they could be{first}",
                input.path,
                input.envelope_problems,
                input.lines,
            );
        }
        if input.other > 0 && input.parsed == 0 && input.unrecognized == 0 {
            note!(
                "{}: all {} lines are other programs' ({envelope}); if the server logs under another name, add --syslog-tag NAME",
                input.path,
                input.other,
            );
        }
        if input.unrecognized == 0 {
            continue;
        }
        let first = input
            .unrecognized_examples
            .first()
            .map(|e| format!(" (first at line {}: {})", e.line, cut(&e.text, 160)))
            .unwrap_or_default();
        note!(
            "{}: {} of {} lines not recognized as {}{first}",
            input.path,
            input.unrecognized,
            input.lines,
            input.format,
        );
    }
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
