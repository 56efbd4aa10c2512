//! Command-line arguments. The options, their values and the exit codes are a stable
//! interface (README.md, "Using it" and "Exit codes"): they may be added to, not changed.

use std::io::{self, IsTerminal};
use std::num::NonZeroUsize;
use std::path::PathBuf;

use clap::{Parser as _, ValueEnum};
use logscan_analyze::Config;
use logscan_parse::{Format, Parser, Severity, Zone};
use logscan_scan::{Envelope, Envelopes, Formats, Programs};

use crate::messages::note;
use crate::timearg::{self, TimeArg};

/// The most worker threads `--threads` may ask for (each reader holds up to ~1 MiB).
const MAX_THREADS: i64 = 1024;

const EXAMPLES: &str = "\
Examples:
  Why is my site answering 502/504? (looks in /var/log/nginx, /var/log/apache2, /var/log/httpd
  and the nginx, ingress, httpd and apache logs in /var/log/containers/)
    logscan

  One error log, ranked findings with fixes:
    logscan /var/log/nginx/error.log

  Error and access logs together (5xx in the access log are attributed to error-log causes):
    logscan /var/log/nginx/error.log /var/log/nginx/access.log

  Containers, Kubernetes, syslog, journald (the envelope is found per input; error and access
  lines of one stream are each read in their format):
    docker logs web 2>&1 | logscan -
    kubectl logs deploy/ingress-nginx-controller | logscan -
    journalctl -u nginx -o json | logscan -
    logscan /var/log/containers/
    logscan --syslog-tag web /var/log/syslog

  A year of rotated and compressed archives, in parallel:
    logscan /srv/archive/nginx/

  Only the last two hours, nginx logs written in Berlin time:
    logscan --since 2h --tz Europe/Berlin /var/log/nginx/

  A custom access log format (nginx or Apache syntax), or all formats of an nginx.conf:
    logscan --log-format '$remote_addr [$time_local] \"$request\" $status $upstream_response_time' access.log
    logscan --nginx-conf /etc/nginx/nginx.conf /var/log/nginx/

  Fixes that cite your configuration (file:line and the value in force); without --config, the
  configuration of this machine is read when its own logs are:
    logscan --config /etc/nginx/nginx.conf --config /etc/php/8.2/fpm/php-fpm.conf /var/log/nginx/
    logscan --config nginx-T.txt --config-rebase /etc=/srv/bundle/etc bundle/logs/

  For tickets, scripts and dashboards:
    logscan --output markdown error.log > incident.md
    logscan --output json error.log | jq '.findings[0].fix'
    logscan --output html -o report.html /var/log/nginx/
    logscan --events error.log | curl -XPOST -H 'Content-Type: application/x-ndjson' --data-binary @- ...

  Many machines, or an archive in slices: a state on each, then one report (logscan merge --help):
    logscan --label web1 --save-state web1.state /var/log/nginx/
    logscan merge web1.state web2.state web3.state

  From cron or monitoring: exit 1 when something high or critical is found:
    logscan --since 10m --fail-on high /var/log/nginx/error.log

  During an outage: follow the logs as nginx writes them (a live view on a terminal, an NDJSON
  incident stream otherwise), or run as a watchdog that exits 1 at the first critical finding:
    logscan -f /var/log/nginx/
    logscan -f /var/log/nginx/ | jq -c 'select(.type == \"incident_open\")'
    logscan -f --fail-on critical /var/log/nginx/error.log > /dev/null

Exit codes: 0 analysed; 1 a finding reached --fail-on; 2 bad arguments or an input that could not be
read (the report still covers every input that could be).";

/// Tells you why nginx or Apache answered 502, 503 or 504.
///
/// logscan reads nginx and Apache httpd error and access logs (and the PHP-FPM log) and
/// prints ranked findings: which upstream failed, how (refused, timed out, reset, closed
/// early, header too big, DNS, TLS, PHP-FPM pool exhausted, ...), when it started and
/// stopped, how many requests it hit, and what to change to fix it.
#[derive(Debug, clap::Parser)]
#[command(name = "logscan", version = env!("LOGSCAN_VERSION"), after_long_help = EXAMPLES, after_help = "Examples and exit codes: logscan --help")]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    /// `logscan merge STATE...` (the PATH arguments are then not read).
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Log files, directories (searched recursively for logs, rotated and compressed ones
    /// included), glob patterns, or - for stdin. Default: /var/log/nginx, /var/log/apache2,
    /// /var/log/httpd, PHP-FPM logs, and the nginx, ingress, httpd and apache logs in
    /// /var/log/containers/ that exist.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Report form. Default: table on a terminal, json when stdout is a pipe or file (or
    /// from the -o file name: .html, .json, .md).
    #[arg(long, value_enum, value_name = "FORM")]
    pub output: Option<OutputForm>,

    /// Write the report to FILE instead of stdout, e.g. -o report.html.
    #[arg(short = 'o', long = "out", value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// Instead of a report, print one JSON object per parsed record (NDJSON, Elastic Common
    /// Schema names), e.g. for Elasticsearch, Loki or ClickHouse.
    #[arg(long, conflicts_with = "output")]
    pub events: bool,

    /// The format of the inputs (default: detected per input from its first lines).
    #[arg(long, value_enum, default_value = "auto", value_name = "FORMAT")]
    pub format: FormatArg,

    /// An access log format: an nginx log_format string ('$remote_addr - ...') or an Apache
    /// LogFormat string ('%h %l %u %t ...'); the syntax is detected. May be repeated.
    #[arg(long = "log-format", value_name = "STRING", value_parser = Parser::access)]
    pub log_format: Vec<Parser>,

    /// Take the log_format definitions from an nginx.conf (includes are followed).
    #[arg(long = "nginx-conf", value_name = "FILE")]
    pub nginx_conf: Vec<PathBuf>,

    /// The servers' configuration, to cite in each fix the directives that decide it, with
    /// file:line and the value in force: an nginx.conf, saved `nginx -T` output, an Apache
    /// apache2.conf/httpd.conf, a PHP-FPM php-fpm.conf or pool file, or a directory holding
    /// them (/etc). Includes are followed. May be repeated. Default: when the logs read are
    /// this machine's own (no PATH, or only /var/log/nginx, /var/log/apache2,
    /// /var/log/httpd and the PHP-FPM logs), this machine's configuration is read. With
    /// --events, each failure event gets `logscan.config` (only when --config is given).
    /// Not with --save-state: give it to `logscan merge`.
    #[arg(long = "config", value_name = "PATH", conflicts_with = "no_config")]
    pub config: Vec<PathBuf>,

    /// Read no configuration, not even this machine's.
    #[arg(long = "no-config")]
    pub no_config: bool,

    /// Read a configuration copied from another machine (a support bundle): paths under
    /// ORIGINAL, as the configuration names them in includes, are read from under NOW. The
    /// report keeps the original paths. E.g. --config-rebase /etc=/srv/bundle/etc.
    #[arg(long = "config-rebase", value_name = "ORIGINAL=NOW", value_parser = rebase_arg, requires = "config")]
    pub config_rebase: Option<(PathBuf, PathBuf)>,

    /// An Apache ErrorLogFormat string, for error logs written with a custom one, e.g.
    /// '[%{cu}t] [%-m:%l] [pid %P] %F: %E: [client %a] %M'.
    #[arg(long = "error-log-format", value_name = "STRING", value_parser = Parser::apache_error_format)]
    pub error_log_format: Option<Parser>,

    /// The envelope the inputs' lines are in (default: found per input from its first
    /// lines): docker (json-file), cri (containerd, CRI-O, /var/log/containers/),
    /// timestamped (kubectl logs --timestamps, docker logs -t), syslog (RFC 3164/5424,
    /// rsyslog files, journalctl's short output), journald (journalctl -o json); none: plain.
    #[arg(long, value_enum, default_value = "auto", value_name = "ENVELOPE")]
    pub envelope: EnvelopeArg,

    /// A program name whose syslog or journald lines are the server's, besides nginx,
    /// apache2, httpd and php-fpm (e.g. the tag= of nginx's syslog:server=). Other
    /// programs' lines are counted as other. May be repeated.
    #[arg(long = "syslog-tag", value_name = "NAME")]
    pub syslog_tag: Vec<String>,

    /// Only entries at or after this time: RFC 3339 (2024-05-01T14:02:00+02:00),
    /// 'YYYY-MM-DD HH:MM[:SS]', or relative to now (30m, 2h, 7d).
    #[arg(long, value_name = "TIME", value_parser = str::parse::<TimeArg>)]
    pub since: Option<TimeArg>,

    /// Only entries before this time (same forms as --since).
    #[arg(long, value_name = "TIME", value_parser = str::parse::<TimeArg>)]
    pub until: Option<TimeArg>,

    /// Time-window size for grouping and timelines, e.g. 10s, 1m, 1h (default: chosen
    /// from the time span: about 1 min for an hour, 1 h for a month).
    #[arg(long, value_name = "DURATION", value_parser = timearg::duration_seconds)]
    pub window: Option<i64>,

    /// Zone for logs that write local time without one (nginx and Apache error logs):
    /// UTC, +02:00, -05:00, Europe/Berlin, local. Default: the offset the same server's
    /// access log shows, else times are shown as logged.
    #[arg(long, value_name = "ZONE", allow_hyphen_values = true, value_parser = str::parse::<Zone>)]
    pub tz: Option<Zone>,

    /// How many findings to show.
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub top: usize,

    /// Exit with code 1 if any finding is at least this severe (for cron and monitoring).
    #[arg(long = "fail-on", value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<SeverityArg>,

    /// Colour in the table output (NO_COLOR is respected with auto).
    #[arg(long, value_enum, default_value = "auto", value_name = "WHEN")]
    pub color: When,

    /// Progress bar on stderr for large inputs (auto: only when stderr is a terminal).
    #[arg(long, value_enum, default_value = "auto", value_name = "WHEN")]
    pub progress: When,

    /// Worker threads, 1 to 1024 (default: one per core).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=MAX_THREADS))]
    pub threads: Option<u16>,

    /// Instead of a report, save the analysis to FILE (a state, a few MB however large the
    /// logs), for `logscan merge` to combine with the states of other machines or of other
    /// slices of the logs into one report. Written atomically; - writes it to stdout.
    #[arg(long = "save-state", value_name = "FILE", conflicts_with_all = ["events", "output", "out", "fail_on", "follow"])]
    pub save_state: Option<PathBuf>,

    /// Prefix the paths of this run's inputs with NAME: (a host name), so that a report
    /// merged from many machines says where each example came from.
    #[arg(long, value_name = "NAME", value_parser = label, conflicts_with_all = ["events", "follow"])]
    pub label: Option<String>,

    /// Keep reading as the servers write, like tail -F (rotated, truncated and recreated
    /// files, new files in a followed directory), starting --since ago (default 10m). On a
    /// terminal: a live view (q quits and prints the report). Otherwise, or with --output
    /// json: an NDJSON incident stream (incident_open, incident_update, incident_close,
    /// finding, and the report at the end: SIGINT, SIGTERM or the end of stdin).
    #[arg(short = 'f', long, conflicts_with = "until")]
    pub follow: bool,

    /// With --follow: how often the view is redrawn and findings are looked for, e.g.
    /// 500ms, 1s, 5s.
    #[arg(long, value_name = "DURATION", default_value = "1s", value_parser = timearg::refresh, requires = "follow")]
    pub refresh: std::time::Duration,

    /// Print a shell completion script and exit.
    #[arg(long, value_enum, value_name = "SHELL", hide = true)]
    pub completions: Option<clap_complete::Shell>,

    /// Print the man page (roff) and exit.
    #[arg(long, hide = true)]
    pub man: bool,
}

/// The `log_format`s of `--nginx-conf` (an nginx.conf with its includes, or saved `nginx
/// -T` output), read by logscan-config like every configuration; a file that cannot be
/// read at all is a usage error.
fn nginx_log_formats(
    conf: &std::path::Path,
) -> Result<Vec<logscan_config::nginx::LogFormat>, String> {
    use logscan_config::{Kind, NginxConfig, Options};
    let head = std::fs::read(conf)
        .map(|mut bytes| {
            bytes.truncate(64 << 10);
            bytes
        })
        .unwrap_or_default();
    let read = match Kind::detect(conf, &head) {
        Some(Kind::NginxDump) => NginxConfig::read_dump(conf, &Options::default()),
        _ => NginxConfig::read(conf, &Options::default()),
    };
    let nginx = read.map_err(|e| format!("--nginx-conf: {e}"))?;
    Ok(nginx.log_formats())
}

/// `ORIGINAL=NOW` of `--config-rebase`.
fn rebase_arg(text: &str) -> Result<(PathBuf, PathBuf), String> {
    match text.split_once('=') {
        Some((from, to)) if !from.is_empty() && !to.is_empty() => {
            Ok((PathBuf::from(from), PathBuf::from(to)))
        }
        _ => Err("expected ORIGINAL=NOW, e.g. /etc=/srv/bundle/etc".to_owned()),
    }
}

impl Args {
    /// The arguments of this process, or clap's error (a usage mistake, or `--help` and
    /// `--version`, which clap reports the same way), to show with
    /// [`messages::clap_error`](crate::messages::clap_error).
    pub fn from_env() -> Result<Args, clap::Error> {
        Args::try_parse()
    }
}

/// Subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Merge state files (written by `logscan --save-state`) into one report: the report one
    /// run over all their inputs gives. States whose settings disagree with the rest, or
    /// that are corrupt, truncated or of another format version, are named and left out
    /// (exit 2); the others are still merged.
    #[command(after_long_help = MERGE_EXAMPLES)]
    Merge(MergeArgs),
}

const MERGE_EXAMPLES: &str = "\
Examples:
  One state per host, merged into one report:
    parallel 'ssh {} logscan --label {} --save-state - /var/log/nginx > {}.state' ::: web1 web2
    logscan merge --output html -o fleet.html web1.state web2.state

  A large archive in slices with GNU parallel, one state per slice, here and on web1:
    parallel --sshlogin web1,: --trc {}.state logscan --save-state {}.state {} ::: archive/*.gz
    logscan merge archive/*.state";

/// `logscan merge` options.
#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// State files written by `logscan --save-state`, in any order.
    #[arg(value_name = "STATE", required = true)]
    pub states: Vec<PathBuf>,

    /// Report form. Default: table on a terminal, json when stdout is a pipe or file (or
    /// from the -o file name: .html, .json, .md).
    #[arg(long, value_enum, value_name = "FORM")]
    pub output: Option<OutputForm>,

    /// Write the report to FILE instead of stdout.
    #[arg(short = 'o', long = "out", value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// How many findings to show.
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub top: usize,

    /// Exit with code 1 if any finding is at least this severe.
    #[arg(long = "fail-on", value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<SeverityArg>,

    /// Colour in the table output (NO_COLOR is respected with auto).
    #[arg(long, value_enum, default_value = "auto", value_name = "WHEN")]
    pub color: When,

    /// The servers' configuration, cited in each fix of the merged report (as with
    /// `logscan --config`; the machines whose states are merged should share it). May be
    /// repeated.
    #[arg(long = "config", value_name = "PATH")]
    pub config: Vec<PathBuf>,

    /// Read a configuration copied from another machine: paths under ORIGINAL are read
    /// from under NOW (as with `logscan --config-rebase`).
    #[arg(long = "config-rebase", value_name = "ORIGINAL=NOW", value_parser = rebase_arg, requires = "config")]
    pub config_rebase: Option<(PathBuf, PathBuf)>,
}

/// What `logscan merge` does.
#[derive(Debug)]
pub struct MergeSettings {
    /// The states.
    pub states: Vec<PathBuf>,
    /// Always [`Output::Report`].
    pub output: Output,
    /// `--fail-on`.
    pub fail_on: Option<Severity>,
    /// `--config` (never this machine's: states come from elsewhere).
    pub configs: ConfigChoice,
}

impl From<MergeArgs> for MergeSettings {
    fn from(args: MergeArgs) -> MergeSettings {
        MergeSettings {
            states: args.states,
            output: report_output(args.output, args.out, args.color, args.top),
            fail_on: args.fail_on.map(SeverityArg::severity),
            configs: if args.config.is_empty() {
                ConfigChoice::Nothing
            } else {
                ConfigChoice::Given {
                    paths: args.config,
                    rebase: args.config_rebase,
                }
            },
        }
    }
}

/// A `--label`: a host name or any short printable text.
fn label(text: &str) -> Result<String, String> {
    if text.is_empty() || text.chars().count() > 255 {
        return Err("a label is 1 to 255 characters, e.g. a host name".to_owned());
    }
    if text.chars().any(char::is_control) {
        return Err("a label cannot hold control characters".to_owned());
    }
    Ok(text.to_owned())
}

/// What to do, worked out from the [`Args`]: the arguments checked, defaults decided, the
/// time limits resolved against the zone and the current time, the access formats of
/// `--nginx-conf` read.
#[derive(Debug)]
pub struct Settings {
    /// The inputs as given (empty: the usual places).
    pub paths: Vec<PathBuf>,
    /// How each input's parser is chosen.
    pub formats: Formats,
    /// Zone, window, since and until.
    pub config: Config,
    /// `--threads` (default: one per core).
    pub threads: Option<NonZeroUsize>,
    /// `--progress`.
    pub progress: When,
    /// A report or events.
    pub output: Output,
    /// `--fail-on`.
    pub fail_on: Option<Severity>,
    /// `--label`: prefix of every input's path.
    pub label: Option<String>,
    /// `--follow`, with its `--refresh`.
    pub follow: Option<std::time::Duration>,
    /// Which configuration to read.
    pub configs: ConfigChoice,
    /// Following with the live view on the terminal (stdout is one, and neither `--events`
    /// nor `--output json` asks for the stream), and whether it has colour.
    pub live_view: Option<bool>,
}

/// Which server configuration to read (`--config`, `--no-config`).
#[derive(Debug)]
pub enum ConfigChoice {
    /// `--no-config`.
    Nothing,
    /// This machine's, if the logs read are its own (the default).
    ThisMachine,
    /// `--config PATH...`, with the `--config-rebase` of a copied tree.
    Given {
        /// The paths.
        paths: Vec<PathBuf>,
        /// `--config-rebase ORIGINAL=NOW`.
        rebase: Option<(PathBuf, PathBuf)>,
    },
}

impl ConfigChoice {
    /// How to read the configuration.
    pub fn options(&self) -> logscan_config::Options {
        match self {
            ConfigChoice::Given {
                rebase: Some((from, to)),
                ..
            } => logscan_config::Options::default().rebase(from, to),
            _ => logscan_config::Options::default(),
        }
    }
}

/// What to write.
#[derive(Debug)]
pub enum Output {
    /// `--events`: NDJSON on stdout, local-time lines placed in `zone`.
    Events {
        /// `--tz`, else the machine's zone.
        zone: Zone,
    },
    /// `--save-state FILE`: the analyzer's state instead of a report.
    State {
        /// Where.
        path: PathBuf,
    },
    /// A report.
    Report {
        /// The form (from `--output`, the `-o` file name, or whether stdout is a terminal).
        form: OutputForm,
        /// `-o FILE`.
        out: Option<PathBuf>,
        /// Colour in the table.
        color: bool,
        /// Written to a terminal (the table takes its width).
        to_terminal: bool,
        /// `--top`.
        top: usize,
    },
}

impl TryFrom<Args> for Settings {
    /// A usage error (exit 2) that only reading something could show (`--nginx-conf`).
    type Error = String;

    fn try_from(args: Args) -> Result<Settings, String> {
        let mut access = args.log_format;
        for conf in &args.nginx_conf {
            for f in nginx_log_formats(conf)? {
                let text = match &f.escape {
                    Some(escape) => format!("escape={escape} {}", f.format),
                    None => f.format.clone(),
                };
                match Parser::nginx_access(&text) {
                    Ok(parser) => access.push(parser),
                    Err(e) => note!("{}: log_format {}: {e} (skipped)", f.place, f.name),
                }
            }
        }
        // A state holds what the logs showed, not the configuration: the configuration is
        // read when states are merged into a report, where the findings are.
        if let (Some(_), false) = (&args.save_state, args.config.is_empty()) {
            return Err("--config with --save-state: a state keeps what the logs showed, not the configuration; give --config to `logscan merge`, which ties the merged findings to it".to_owned());
        }
        // Events carry configuration only when it is given: this machine's is not read for
        // them, nor for states.
        let configs = if args.no_config
            || (args.events && args.config.is_empty())
            || args.save_state.is_some()
        {
            ConfigChoice::Nothing
        } else if args.config.is_empty() {
            ConfigChoice::ThisMachine
        } else {
            ConfigChoice::Given {
                paths: args.config.clone(),
                rebase: args.config_rebase.clone(),
            }
        };
        // Events place local-time lines in a zone (the machine's by default), and --since and
        // --until compare instants there.
        let zone = match (args.tz, args.events) {
            (None, true) => Some(Zone::Local),
            (zone, _) => zone,
        };
        // 'local' is another zone on each machine: a state names it.
        let zone = match zone {
            Some(Zone::Local) if args.save_state.is_some() => Some(local_zone_by_name()?),
            zone => zone,
        };
        let now = timearg::now();
        // Following starts 10 minutes back unless told otherwise.
        let since = match (args.since, args.follow) {
            (None, true) => Some(TimeArg::Relative(600)),
            (since, _) => since,
        };
        let mut config = Config::default();
        config.since = since.map(|t| t.resolve(zone.as_ref(), now));
        config.until = args.until.map(|t| t.resolve(zone.as_ref(), now));
        config.zone = zone;
        config.window = args.window;
        let stdout_is_terminal = io::stdout().is_terminal();
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let live_view = (args.follow
            && !args.events
            && stdout_is_terminal
            && args.output != Some(OutputForm::Json))
        .then_some(match args.color {
            When::Always => true,
            When::Never => false,
            When::Auto => !no_color,
        });
        let output = if args.events {
            Output::Events {
                zone: config.zone.clone().unwrap_or(Zone::Local),
            }
        } else if let Some(path) = args.save_state {
            Output::State { path }
        } else {
            report_output(args.output, args.out, args.color, args.top)
        };
        Ok(Settings {
            paths: args.paths,
            formats: Formats {
                format: args.format.format(),
                access,
                error: args.error_log_format,
                envelopes: args.envelope.envelopes(),
                programs: Programs::with(&args.syslog_tag),
            },
            config,
            threads: args.threads.and_then(|t| NonZeroUsize::new(usize::from(t))),
            progress: args.progress,
            output,
            fail_on: args.fail_on.map(SeverityArg::severity),
            label: args.label,
            follow: args.follow.then_some(args.refresh),
            configs,
            live_view,
        })
    }
}

/// A report's form and destination from the options that choose them.
fn report_output(
    output: Option<OutputForm>,
    out: Option<PathBuf>,
    color: When,
    top: usize,
) -> Output {
    let stdout_is_terminal = io::stdout().is_terminal();
    let form = match (output, &out) {
        (Some(form), _) => form,
        (None, Some(path)) => match path.extension().and_then(|e| e.to_str()) {
            Some("html" | "htm") => OutputForm::Html,
            Some("json") => OutputForm::Json,
            Some("md" | "markdown") => OutputForm::Markdown,
            _ => OutputForm::Table,
        },
        (None, None) if stdout_is_terminal => OutputForm::Table,
        (None, None) => OutputForm::Json,
    };
    let to_terminal = out.is_none() && stdout_is_terminal;
    let color = match color {
        When::Always => true,
        When::Never => false,
        When::Auto => to_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    };
    Output::Report {
        form,
        out,
        color,
        to_terminal,
        top,
    }
}

/// This machine's zone by its IANA name (`TZ`, else /etc/localtime), for a state: the
/// machine that merges it may live in another zone.
fn local_zone_by_name() -> Result<Zone, String> {
    // `local` follows TZ when it is set (as the clock of the logs does), else the system's.
    if let Some(tz) = std::env::var_os("TZ").filter(|tz| !tz.is_empty()) {
        let tz = tz.to_string_lossy();
        let name = tz.strip_prefix(':').unwrap_or(&tz);
        return match name.parse::<Zone>() {
            Ok(zone @ Zone::Named(_)) | Ok(zone @ Zone::Utc) => Ok(zone),
            _ => Err(format!(
                "--tz local is TZ={tz}, which is not a zone name a state can carry; give one, e.g. --tz Europe/Berlin"
            )),
        };
    }
    let name = iana_time_zone::get_timezone().map_err(|e| {
        format!("--tz local: this machine's zone has no name logscan can find ({e}); give it, e.g. --tz Europe/Berlin")
    })?;
    name.parse::<Zone>()
        .map_err(|e| format!("--tz local is {name}: {e}"))
}

/// `--output` forms.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputForm {
    /// Ranked findings as a table, fixes and incidents, for a terminal.
    Table,
    /// The report as JSON (the Report JSON contract).
    Json,
    /// Markdown, for tickets and chat.
    Markdown,
    /// One self-contained HTML page (inline CSS and SVG).
    Html,
}

/// `--envelope` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum EnvelopeArg {
    /// Found per input from its first lines.
    Auto,
    /// Plain logs.
    None,
    /// Docker's json-file driver.
    Docker,
    /// containerd / CRI-O (/var/log/containers/, /var/log/pods/).
    Cri,
    /// kubectl logs --timestamps, docker logs -t.
    Timestamped,
    /// Syslog: RFC 3164 and 5424, rsyslog files, journalctl's short output.
    Syslog,
    /// journalctl -o json.
    Journald,
}

impl EnvelopeArg {
    fn envelopes(self) -> Envelopes {
        match self {
            EnvelopeArg::Auto => Envelopes::Auto,
            EnvelopeArg::None => Envelopes::None,
            EnvelopeArg::Docker => Envelopes::Always(Envelope::Docker),
            EnvelopeArg::Cri => Envelopes::Always(Envelope::Cri),
            EnvelopeArg::Timestamped => Envelopes::Always(Envelope::Timestamped),
            EnvelopeArg::Syslog => Envelopes::Always(Envelope::Syslog),
            EnvelopeArg::Journald => Envelopes::Always(Envelope::Journald),
        }
    }
}

/// `--format` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// Detect per input.
    Auto,
    /// nginx error_log.
    NginxError,
    /// nginx access_log (combined or --log-format).
    NginxAccess,
    /// Apache httpd 2.2/2.4 ErrorLog.
    ApacheError,
    /// Apache httpd access log (combined or --log-format).
    ApacheAccess,
    /// The PHP-FPM log.
    PhpFpm,
    /// HAProxy's HTTP log (option httplog), plain or through syslog.
    Haproxy,
    /// AWS Application Load Balancer access logs.
    AwsAlb,
    /// Amazon CloudFront standard logs.
    Cloudfront,
    /// Cloudflare Logpush http_requests (NDJSON).
    Cloudflare,
    /// Google Cloud external Application Load Balancer request logs (Cloud Logging JSON).
    GcpLb,
}

impl FormatArg {
    /// The format forced (`None`: detect).
    pub fn format(self) -> Option<Format> {
        match self {
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
        }
    }
}

/// Severities for `--fail-on`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SeverityArg {
    /// Context only.
    Info,
    /// Performance or hygiene.
    Low,
    /// Partial or degraded.
    Medium,
    /// User-visible failures.
    High,
    /// A full outage.
    Critical,
}

impl SeverityArg {
    /// The severity meant.
    pub fn severity(self) -> Severity {
        match self {
            SeverityArg::Info => Severity::Info,
            SeverityArg::Low => Severity::Low,
            SeverityArg::Medium => Severity::Medium,
            SeverityArg::High => Severity::High,
            SeverityArg::Critical => Severity::Critical,
        }
    }
}

/// `auto|always|never`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum When {
    /// Decide from the terminal.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}
