//! The report: what the CLI renders (table, markdown, HTML) and prints as JSON.
//!
//! Its JSON form (`logscan --output json`) is a stable interface: fields may be added,
//! existing ones keep their names and meaning. Inside, values are typed ([`ReportTime`],
//! [`ZoneSource`], [`InputFormat`], [`Cause`]), and only their
//! `Serialize` impls make the strings the JSON carries (`"2026-11-25T01:27:30+01:00"`,
//! `"access_log"`, `"nginx-error"`, `"upstream_refused"`).
//!
//! The types are `#[non_exhaustive]`: a field or variant added later is not a breaking
//! change. Outside this crate they are built with their constructors (or `Default`) and
//! then their fields are set; a struct literal does not compile:
//!
//! ```
//! use logscan_analyze::report::{Finding, Report, ReportTime};
//! use logscan_parse::{Category, Cause, Server};
//!
//! let at: ReportTime = "2026-11-25T01:27:30+00:00".parse().unwrap();
//! let mut finding = Finding::new(Cause::UpstreamRefused, Server::Nginx, "127.0.0.1:19020", at, at);
//! finding.count = 3;
//! assert_eq!(finding.category, Category::BackendDown); // the cause's own
//! let mut report = Report::default();
//! report.findings.push(finding);
//! assert_eq!(report.findings[0].first_seen, "2026-11-25T01:27:30+00:00");
//! ```
//!
//! ```compile_fail,E0639
//! let counted = logscan_analyze::report::Counted { value: "GET /".to_owned(), count: 1 };
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone};
use logscan_parse::{Category, Cause, Format, Server, Severity};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Everything logscan found in its inputs.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Report {
    /// A short plain-language summary a non-specialist can act on.
    pub summary: String,
    /// How local-time lines were placed on the time line.
    pub zone: ZoneUsed,
    /// One entry per input, in the order they were registered.
    pub inputs: Vec<InputReport>,
    /// Totals over all inputs.
    pub totals: Totals,
    /// The time span covered by the inputs (times in the report zone).
    pub span: Option<Interval>,
    /// The width of one timeline window, in seconds.
    pub window_seconds: i64,
    /// Findings, most important first.
    pub findings: Vec<Finding>,
    /// Time intervals where failures rose well above their baseline.
    pub incidents: Vec<Incident>,
    /// Overall timeline: requests, 5xx and failures per window.
    pub timeline: Timeline,
    /// What the access logs showed, when any were read.
    pub access: Option<AccessSummary>,
    /// What the logs of the CDN or load balancer in front showed, when any were read.
    #[serde(default)]
    pub edge: Option<EdgeSummary>,
    /// The server configurations read (`--config`, or this machine's), with what could not
    /// be read in them. Empty, and left out of the JSON, when none was read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub configs: Vec<ConfigRead>,
}

/// Which layer a finding is in.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Layer {
    /// The CDN or load balancer in front (HAProxy, AWS ALB, CloudFront, Cloudflare, Google).
    Edge,
    /// The origin: nginx, Apache httpd, PHP-FPM.
    #[default]
    Origin,
}

impl Layer {
    /// `edge` or `origin`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Layer::Edge => "edge",
            Layer::Origin => "origin",
        }
    }
}

/// Where the failed requests of an edge finding went, from the origin's logs.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct OriginReach {
    /// Failed requests the origin's logs have a line for.
    pub reached: u64,
    /// Failed requests the origin's access log shows no trace of, though it covers their
    /// time: they never reached the origin.
    pub never_reached: u64,
    /// Failed requests that could not be told either way.
    pub unknown: u64,
    /// What the origin answered to the ones that reached it (`0`: only its error log had
    /// them).
    pub statuses: BTreeMap<String, u64>,
    /// The origin server whose access logs were read (`nginx`, `apache`).
    pub server: Option<String>,
}

/// What the edge logs showed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EdgeSummary {
    /// Requests the edge logged.
    pub requests: u64,
    /// Requests per product (`haproxy`, `aws-alb`, ...).
    pub products: BTreeMap<String, u64>,
    /// Responses by status (`0`: no response sent).
    pub statuses: BTreeMap<String, u64>,
    /// 5xx responses.
    pub server_errors: u64,
}

/// The zone used to turn local wall-clock times into instants.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ZoneUsed {
    /// The zone or offset, e.g. `Europe/Berlin`, `+01:00`; empty when times are shown as logged.
    pub name: String,
    /// Where it came from.
    pub source: ZoneSource,
}

/// Where the report's zone came from; in JSON `caller`, `access_log`, `envelope` or
/// `as_logged`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ZoneSource {
    /// Given by the caller (`--tz`): times are instants shown in that zone.
    Caller,
    /// The offset (or offsets) the same server's access log carries: times are the
    /// servers' wall clock, each shown with the offset of the access lines around it.
    AccessLog,
    /// The envelope the lines were in (Docker, CRI, `kubectl logs --timestamps`, journald,
    /// RFC 5424 syslog) gave the instants of lines that carry no zone themselves (nginx
    /// and Apache error logs): times are shown in UTC.
    Envelope,
    /// No zone known: times are the servers' wall clock, without an offset.
    #[default]
    AsLogged,
}

impl ZoneSource {
    /// The id used in JSON: `caller`, `access_log`, `envelope` or `as_logged`.
    pub const fn id(self) -> &'static str {
        match self {
            ZoneSource::Caller => "caller",
            ZoneSource::AccessLog => "access_log",
            ZoneSource::Envelope => "envelope",
            ZoneSource::AsLogged => "as_logged",
        }
    }
}

impl fmt::Display for ZoneSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// Compares with the JSON id: `source == "caller"`.
impl PartialEq<str> for ZoneSource {
    fn eq(&self, id: &str) -> bool {
        self.id() == id
    }
}

impl PartialEq<&str> for ZoneSource {
    fn eq(&self, id: &&str) -> bool {
        self.id() == *id
    }
}

/// A time in the report: the wall-clock date and time, and the UTC offset it was shown in
/// when one is known (always with a zone; without one, the offset of the access lines
/// around it, if any).
///
/// Written as RFC 3339 with the offset (`2026-11-25T01:27:30+01:00`), or without one
/// (`2026-11-25T01:27:30`) when none is known: in JSON it is that string.
///
/// ```
/// use logscan_analyze::report::ReportTime;
///
/// let t: ReportTime = "2026-11-25T01:27:30+01:00".parse().unwrap();
/// assert_eq!(t.to_string(), "2026-11-25T01:27:30+01:00");
/// assert_eq!(t.wall().format("%H:%M").to_string(), "01:27");
/// assert_eq!(t.seconds(), "2026-11-25T00:27:30+00:00".parse::<ReportTime>().unwrap().seconds());
/// let wall: ReportTime = "2026-11-25T01:27:30".parse().unwrap();
/// assert_eq!(wall.offset(), None);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ReportTime {
    wall: NaiveDateTime,
    offset: Option<FixedOffset>,
}

impl ReportTime {
    /// A wall-clock time, with its UTC offset when known.
    pub fn new(wall: NaiveDateTime, offset: Option<FixedOffset>) -> ReportTime {
        ReportTime { wall, offset }
    }

    /// The wall-clock date and time as shown (in the offset, when there is one).
    pub fn wall(&self) -> NaiveDateTime {
        self.wall
    }

    /// The UTC offset, when known.
    pub fn offset(&self) -> Option<FixedOffset> {
        self.offset
    }

    /// Seconds on one line: Unix seconds when the offset is known, else the wall clock
    /// read as if it were UTC (so times without an offset compare among themselves).
    pub fn seconds(&self) -> i64 {
        self.wall.and_utc().timestamp() - self.offset.map_or(0, |o| i64::from(o.local_minus_utc()))
    }

    /// The time with its offset, when it has one that chrono can place.
    fn zoned(&self) -> Option<DateTime<FixedOffset>> {
        self.offset?.from_local_datetime(&self.wall).single()
    }
}

impl From<DateTime<FixedOffset>> for ReportTime {
    fn from(t: DateTime<FixedOffset>) -> ReportTime {
        ReportTime::new(t.naive_local(), Some(*t.offset()))
    }
}

/// Compares with a time written as text: `first_seen == "2026-11-25T01:27:30+01:00"`.
/// Text that is not a report time is never equal.
impl PartialEq<str> for ReportTime {
    fn eq(&self, text: &str) -> bool {
        text.parse::<ReportTime>().is_ok_and(|t| t == *self)
    }
}

impl PartialEq<&str> for ReportTime {
    fn eq(&self, text: &&str) -> bool {
        *self == **text
    }
}

impl fmt::Display for ReportTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.zoned() {
            Some(t) => write!(f, "{}", t.format("%Y-%m-%dT%H:%M:%S%:z")),
            None => write!(f, "{}", self.wall.format("%Y-%m-%dT%H:%M:%S")),
        }
    }
}

/// A report time could not be read: it is neither RFC 3339 nor `YYYY-MM-DDTHH:MM:SS`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportTimeError(String);

impl fmt::Display for ReportTimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "not a report time: {:?}", self.0)
    }
}

impl std::error::Error for ReportTimeError {}

impl FromStr for ReportTime {
    type Err = ReportTimeError;

    /// Reads what [`Display`](fmt::Display) writes (and RFC 3339's `Z`).
    fn from_str(text: &str) -> Result<ReportTime, ReportTimeError> {
        if let Ok(t) = DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%:z") {
            return Ok(t.into());
        }
        if let Ok(t) = DateTime::parse_from_rfc3339(text) {
            return Ok(t.into());
        }
        NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S")
            .map(|wall| ReportTime::new(wall, None))
            .map_err(|_| ReportTimeError(text.to_owned()))
    }
}

impl Serialize for ReportTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ReportTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// The format of an input as the report names it; in JSON the format id
/// (`nginx-error`, ...), `mixed` or `unknown`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum InputFormat {
    /// The input was read in this format.
    Known(Format),
    /// Lines of more than one format were read (nginx error and access lines interleaved
    /// by `docker logs`, say): [`InputReport::formats`] counts each.
    Mixed,
    /// No parser recognised the input's first lines: its lines count as unrecognized.
    Unknown,
}

impl InputFormat {
    /// The id used in JSON: the format's id, or `unknown`.
    pub const fn id(self) -> &'static str {
        match self {
            InputFormat::Known(format) => format.id(),
            InputFormat::Mixed => "mixed",
            InputFormat::Unknown => "unknown",
        }
    }

    /// The format, when known.
    pub const fn format(self) -> Option<Format> {
        match self {
            InputFormat::Known(format) => Some(format),
            InputFormat::Mixed | InputFormat::Unknown => None,
        }
    }
}

impl fmt::Display for InputFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl Serialize for InputFormat {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.id())
    }
}

impl<'de> Deserialize<'de> for InputFormat {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        match Format::from_id(&text) {
            Some(format) => Ok(InputFormat::Known(format)),
            None if text == "unknown" => Ok(InputFormat::Unknown),
            None if text == "mixed" => Ok(InputFormat::Mixed),
            None => Err(serde::de::Error::custom(format!(
                "unknown input format {text:?}"
            ))),
        }
    }
}

/// One input's counts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct InputReport {
    /// The path as given (or `-` for stdin).
    pub path: String,
    /// The envelope the lines were in (`docker`, `cri`, `timestamped`, `syslog`,
    /// `journald`); `null` for a plain log.
    #[serde(default)]
    pub envelope: Option<String>,
    /// The format, e.g. `nginx-error`; `mixed` when lines of several formats were read.
    pub format: InputFormat,
    /// Parsed lines by format id (`{"nginx-error": 12, "nginx-access": 950}`); empty when
    /// nothing was parsed. The counts add up to `parsed`.
    #[serde(default)]
    pub formats: BTreeMap<String, u64>,
    /// Physical lines read (what `wc -l` counts, plus a last line without newline):
    /// `lines = parsed + unrecognized + other`.
    pub lines: u64,
    /// Lines that are part of a parsed record (continuation lines included).
    pub parsed: u64,
    /// Lines no parser recognised.
    pub unrecognized: u64,
    /// Lines of other programs in a syslog file or journal (`sshd`, `CRON`, ...), and
    /// `journalctl` markers: neither parsed nor unrecognized. 0 for plain logs.
    #[serde(default)]
    pub other: u64,
    /// Parsed lines outside `--since`/`--until`.
    pub filtered: u64,
    /// The first and last time seen.
    pub first: Option<ReportTime>,
    /// See `first`.
    pub last: Option<ReportTime>,
    /// The first few unrecognised lines (line number and reason).
    pub unrecognized_examples: Vec<Example>,
    /// Lines whose envelope was broken (a Docker line that is not JSON, a bad syslog
    /// `<PRI>`, pieces of a split line without their last piece, ...). Each is still
    /// counted as parsed, unrecognized or other.
    #[serde(default)]
    pub envelope_problems: u64,
    /// The first few of them (line number and what was wrong).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub envelope_problem_examples: Vec<Example>,
}

/// Totals over all inputs.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Totals {
    /// Physical lines read.
    pub lines: u64,
    /// Lines that are part of a parsed record.
    pub parsed: u64,
    /// Lines no parser recognised.
    pub unrecognized: u64,
    /// Lines of other programs (see [`InputReport::other`]).
    #[serde(default)]
    pub other: u64,
    /// Parsed lines outside `--since`/`--until`.
    pub filtered: u64,
    /// Failure events in error logs (one per failed upstream attempt, paired lines counted once).
    pub failures: u64,
    /// Requests in access logs.
    pub requests: u64,
    /// 5xx responses in access logs.
    pub server_errors: u64,
}

/// A time interval.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Interval {
    /// Start (inclusive).
    pub start: ReportTime,
    /// End.
    pub end: ReportTime,
}

/// A value and how often it was seen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Counted {
    /// The value (invalid UTF-8 shown as `\xHH`).
    pub value: String,
    /// How often.
    pub count: u64,
}

/// The window with the most events.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Peak {
    /// Window start.
    pub start: ReportTime,
    /// Window end.
    pub end: ReportTime,
    /// Events in the window.
    pub count: u64,
}

/// What to do about a finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Fix {
    /// One paragraph naming the upstream, the evidence and the directive.
    pub summary: String,
    /// Steps in order: check first, then change.
    pub steps: Vec<String>,
}

/// A log line shown as evidence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Example {
    /// The input path.
    pub path: String,
    /// 1-based line number in that input.
    pub line: u64,
    /// The line (invalid UTF-8 shown as `\xHH`, cut at 1000 bytes).
    pub text: String,
}

/// What triggered a `no_live_upstreams` finding: the errors just before it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Trigger {
    /// The cause of the errors before the first `no live upstreams`.
    pub cause: Cause,
    /// Their upstream.
    pub upstream: String,
    /// How many in the minute before.
    pub count: u64,
}

/// One cause at one upstream: what failed, how often, when, and what to change.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Finding {
    /// 1 = most important.
    pub rank: usize,
    /// The cause (its id, e.g. `upstream_refused`, is one of the stable cause ids).
    pub cause: Cause,
    /// The plain-words category id: `overload`, `backend_down`, `cdn`, `dns`, `app_bug`.
    pub category: Category,
    /// The category in plain words.
    pub category_text: String,
    /// Severity after scaling by volume and share.
    pub severity: Severity,
    /// A short title naming cause and upstream.
    pub title: String,
    /// The server that logged it: `nginx`, `apache` or `php-fpm`.
    pub server: Server,
    /// The upstream (peer, socket, group or host name); empty when not known.
    pub upstream: String,
    /// The virtual host (nginx `server:`), when known.
    pub vhost: Option<String>,
    /// Failure events (error-log lines; paired lines counted once).
    pub count: u64,
    /// Client requests this finding explains (5xx/499 access-log lines attributed to it),
    /// when access logs were given.
    pub affected_requests: Option<u64>,
    /// Share of all failure events.
    pub share: f64,
    /// First event.
    pub first_seen: ReportTime,
    /// Last event.
    pub last_seen: ReportTime,
    /// Upstream peers involved.
    pub upstreams: Vec<Counted>,
    /// Top endpoints (`METHOD /path`).
    pub requests: Vec<Counted>,
    /// Top clients.
    pub clients: Vec<Counted>,
    /// Statuses clients got, from attributed access-log lines (or the status the server
    /// sends for this cause, when no access log was given: see `statuses_inferred`).
    pub statuses: BTreeMap<String, u64>,
    /// Whether `statuses` is what the server sends for this cause rather than counted.
    pub statuses_inferred: bool,
    /// The busiest window.
    pub peak: Option<Peak>,
    /// Events per window over the report span (see `Report::window_seconds`).
    pub timeline: Vec<u64>,
    /// Phases (`connect`, `read_header`, ...) and how often.
    pub phases: BTreeMap<String, u64>,
    /// Variants (`nxdomain`, `max_execution_time`, ...) and how often.
    pub variants: BTreeMap<String, u64>,
    /// Events after the response header was already sent (truncated responses, not 5xx).
    pub truncated_responses: u64,
    /// For `no_live_upstreams`: the errors that preceded it.
    pub trigger: Option<Trigger>,
    /// Notes on how the finding was derived (cross-log correlation, reclassification).
    pub notes: Vec<String>,
    /// What to change.
    pub fix: Fix,
    /// Up to 3 example lines with path and line number.
    pub examples: Vec<Example>,
    /// `edge` for a failure the CDN or load balancer in front logged, else `origin`.
    #[serde(default)]
    pub layer: Layer,
    /// The edge product (`haproxy`, `aws-alb`, `cloudfront`, `cloudflare`, `gcp-lb`), for an
    /// edge finding.
    #[serde(default)]
    pub edge: Option<String>,
    /// For an edge finding: the rank of the origin finding that explains it (its requests
    /// reached the origin, which failed them).
    #[serde(default)]
    pub explained_by: Option<usize>,
    /// For an edge finding, with origin logs in the run: where its requests went.
    #[serde(default)]
    pub origin: Option<OriginReach>,
    /// For an edge finding: how long its requests took at the edge, in seconds.
    #[serde(default)]
    pub took: Option<Quantiles>,
    /// The configuration directives that decide this finding's cause for its upstream
    /// (and the request most affected), with their values in force and where they are.
    /// Empty, and left out of the JSON, when no configuration was read or none routes
    /// there.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub config: Vec<ConfigSetting>,
    /// What the configuration shows by itself that explains this finding (a socket no
    /// PHP-FPM pool listens on, timeouts in the wrong order, ...). Left out of the JSON
    /// when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mismatches: Vec<ConfigMismatch>,
}

/// A directive in force for a finding: `{"path": "/etc/nginx/sites-enabled/shop", "line": 14,
/// "directive": "proxy_read_timeout", "value": "60s", "default": true, "block": "server
/// shop.example / location /api/", "source": "default", "server": "nginx"}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ConfigSetting {
    /// The file it is set in; for a default, the file of the block where it would go.
    pub path: String,
    /// The line, 1-based; for a default, the line of the block where it would go.
    pub line: u32,
    /// The directive (`proxy_read_timeout`, `pm.max_children`), or a parameter of a line
    /// (`server max_fails=`, `ProxyPass timeout=`).
    pub directive: String,
    /// The value in force, as written (`60s`, `8 4k`); for a default, the server's.
    pub value: String,
    /// Whether it is the server's built-in default (set nowhere).
    pub default: bool,
    /// The block it applies to, in words (`server shop.example / location /api/`,
    /// `pool www`).
    pub block: String,
    /// `here` (set in that block), `inherited` (from an enclosing one) or `default`.
    pub source: String,
    /// The server whose configuration it is: `nginx`, `apache` or `php-fpm`.
    pub server: String,
}

impl ConfigSetting {
    /// `path:line`.
    pub fn place(&self) -> String {
        format!("{}:{}", self.path, self.line)
    }
}

/// Configuration that explains a finding by itself.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ConfigMismatch {
    /// A stable id: `socket_without_pool`, `socket_not_writable`, `keepalive_without_http11`,
    /// `keepalive_outlives_backend`, `variable_pass_without_resolver`, `php_timeout_order`,
    /// `worker_files_limit`, `header_buffer_below_observed`, `max_children_below_observed`.
    pub kind: String,
    /// In plain words, citing `path:line` and the values in force.
    pub message: String,
    /// The lines involved, as `path:line`.
    pub places: Vec<String>,
}

/// A configuration given to logscan (or found on this machine) and what became of it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ConfigRead {
    /// The path given (or found).
    pub path: String,
    /// `nginx`, `nginx-dump` (saved `nginx -T` output), `apache`, `php-fpm`; `null` when
    /// it is none of them.
    pub kind: Option<String>,
    /// Whether it could be read (parts of it may still be missing: see `warnings`).
    pub ok: bool,
    /// Why it could not be read at all, when `ok` is false.
    pub error: Option<String>,
    /// How many files it was read from (includes followed).
    pub files: usize,
    /// What was met while reading it, each with its file and line.
    pub warnings: Vec<ConfigWarning>,
}

/// A problem met while reading a configuration.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ConfigWarning {
    /// The file.
    pub path: String,
    /// The line, when the problem is at one.
    pub line: Option<u32>,
    /// What went wrong (control characters quoted from the file are escaped).
    pub message: String,
    /// `problem` (the server would refuse it, or part of the configuration is missing) or
    /// `note` (accepted by the server, worth knowing).
    pub severity: String,
}

/// A time interval where failures rose well above their baseline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Incident {
    /// Start of the interval.
    pub start: ReportTime,
    /// End of the interval (its last second).
    pub end: ReportTime,
    /// Failure events in it.
    pub count: u64,
    /// Dominant causes, most events first.
    pub causes: Vec<Cause>,
    /// Dominant upstreams.
    pub upstreams: Vec<String>,
    /// Ranks of the findings involved.
    pub findings: Vec<usize>,
    /// One line: "14:02:11-14:07:40: backend 10.0.0.5:8080 refused 1,204 connections".
    pub summary: String,
    /// The layers of the findings involved (`edge`, `origin`): both when the edge failed
    /// because the origin did, or at the same time.
    #[serde(default)]
    pub layers: Vec<Layer>,
}

/// The overall timeline.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Timeline {
    /// Start of the first window.
    pub start: Option<ReportTime>,
    /// Window width in seconds.
    pub window_seconds: i64,
    /// Requests per window (access logs).
    pub requests: Vec<u64>,
    /// 5xx per window (access logs).
    pub server_errors: Vec<u64>,
    /// Failure events per window (error logs).
    pub failures: Vec<u64>,
    /// Failure events per window for each cause that occurred.
    pub by_cause: BTreeMap<String, Vec<u64>>,
}

/// Quantiles of a time distribution, in seconds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Quantiles {
    /// How many values.
    pub count: u64,
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Largest value.
    pub max: f64,
}

/// What the access logs showed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AccessSummary {
    /// Requests.
    pub requests: u64,
    /// Responses by status.
    pub statuses: BTreeMap<String, u64>,
    /// 5xx responses.
    pub server_errors: u64,
    /// 499 (client closed the connection first).
    pub client_closed: u64,
    /// 5xx responses attributed to an error-log cause.
    pub attributed: u64,
    /// `attributed / server_errors` (0 when there were none).
    pub attributed_share: f64,
    /// What the 5xx that could not be attributed look like.
    pub unattributed: Vec<Counted>,
    /// Upstream statuses (last try of each request).
    pub upstream_statuses: BTreeMap<String, u64>,
    /// Requests that tried more than one upstream.
    pub retried: u64,
    /// `$request_time` / `%D`.
    pub request_time: Option<Quantiles>,
    /// `$upstream_response_time` (all tries summed).
    pub upstream_time: Option<Quantiles>,
    /// Upstream (or request) time of the responses with each 5xx status.
    pub time_by_status: BTreeMap<String, Quantiles>,
    /// Top endpoints among 5xx responses.
    pub top_5xx_requests: Vec<Counted>,
    /// Per upstream address, the most requests it surely had in flight at once (a lower
    /// bound: the largest average over a bucket of the time each request was surely in
    /// flight, from each line's time and `$request_time` / `$upstream_response_time` or
    /// `%D`): the concurrency `pm.max_children` is checked against.
    #[serde(default)]
    pub in_flight: BTreeMap<String, u32>,
}

// The report types are `#[non_exhaustive]`, so that a field added to the report is not a
// breaking change: outside this crate they are built (by renderers' tests, or a program
// that makes reports of its own) with these constructors, or `Default`, and then their
// fields are set.

impl ZoneUsed {
    /// The zone `name` (`Europe/Berlin`, `+01:00`, empty when times are as logged), from
    /// `source`.
    pub fn new(name: impl Into<String>, source: ZoneSource) -> ZoneUsed {
        ZoneUsed {
            name: name.into(),
            source,
        }
    }
}

impl InputReport {
    /// An input at `path` read as `format`, with nothing counted yet.
    pub fn new(path: impl Into<String>, format: InputFormat) -> InputReport {
        InputReport {
            path: path.into(),
            envelope: None,
            format,
            formats: BTreeMap::new(),
            lines: 0,
            parsed: 0,
            unrecognized: 0,
            other: 0,
            filtered: 0,
            first: None,
            last: None,
            unrecognized_examples: Vec::new(),
            envelope_problems: 0,
            envelope_problem_examples: Vec::new(),
        }
    }
}

impl Interval {
    /// From `start` to `end`.
    pub fn new(start: ReportTime, end: ReportTime) -> Interval {
        Interval { start, end }
    }
}

impl Counted {
    /// `value`, seen `count` times.
    pub fn new(value: impl Into<String>, count: u64) -> Counted {
        Counted {
            value: value.into(),
            count,
        }
    }
}

impl Peak {
    /// The window from `start` to `end` with `count` events.
    pub fn new(start: ReportTime, end: ReportTime, count: u64) -> Peak {
        Peak { start, end, count }
    }
}

impl Fix {
    /// A fix: its `summary` and its `steps`.
    pub fn new(summary: impl Into<String>, steps: Vec<String>) -> Fix {
        Fix {
            summary: summary.into(),
            steps,
        }
    }
}

impl Example {
    /// Line `line` of the input at `path`, with its `text`.
    pub fn new(path: impl Into<String>, line: u64, text: impl Into<String>) -> Example {
        Example {
            path: path.into(),
            line,
            text: text.into(),
        }
    }
}

impl Trigger {
    /// `count` errors of `cause` at `upstream` before the first `no live upstreams`.
    pub fn new(cause: Cause, upstream: impl Into<String>, count: u64) -> Trigger {
        Trigger {
            cause,
            upstream: upstream.into(),
            count,
        }
    }
}

impl Quantiles {
    /// `count` values with these quantiles, in seconds.
    pub fn new(count: u64, p50: f64, p90: f64, p99: f64, max: f64) -> Quantiles {
        Quantiles {
            count,
            p50,
            p90,
            p99,
            max,
        }
    }
}

impl Incident {
    /// An incident from `start` to `end`, with no events, causes or findings yet.
    pub fn new(start: ReportTime, end: ReportTime) -> Incident {
        Incident {
            start,
            end,
            count: 0,
            causes: Vec::new(),
            upstreams: Vec::new(),
            findings: Vec::new(),
            summary: String::new(),
            layers: Vec::new(),
        }
    }
}

impl Finding {
    /// A finding of `cause` logged by `server` at `upstream`, seen from `first_seen` to
    /// `last_seen`: its category and severity are the cause's own, its title the cause's
    /// title, and everything counted is empty (rank 0, no events, no fix text) until set.
    pub fn new(
        cause: Cause,
        server: Server,
        upstream: impl Into<String>,
        first_seen: ReportTime,
        last_seen: ReportTime,
    ) -> Finding {
        let category = cause.category();
        Finding {
            rank: 0,
            cause,
            category,
            category_text: category.plain().to_owned(),
            severity: cause.severity(),
            title: cause.title().to_owned(),
            server,
            upstream: upstream.into(),
            vhost: None,
            count: 0,
            affected_requests: None,
            share: 0.0,
            first_seen,
            last_seen,
            upstreams: Vec::new(),
            requests: Vec::new(),
            clients: Vec::new(),
            statuses: BTreeMap::new(),
            statuses_inferred: false,
            peak: None,
            timeline: Vec::new(),
            phases: BTreeMap::new(),
            variants: BTreeMap::new(),
            truncated_responses: 0,
            trigger: None,
            notes: Vec::new(),
            fix: Fix::new(String::new(), Vec::new()),
            examples: Vec::new(),
            layer: Layer::Origin,
            edge: None,
            explained_by: None,
            origin: None,
            took: None,
            config: Vec::new(),
            mismatches: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_times_read_back_what_they_write() {
        for text in [
            "2026-11-25T01:27:30+00:00",
            "2026-11-25T01:27:30+05:30",
            "2026-03-29T03:00:00-03:00",
            "0001-01-01T00:00:00+01:00",
            "9999-12-31T23:59:59",
        ] {
            let t: ReportTime = text.parse().unwrap();
            assert_eq!(t.to_string(), text);
            assert_eq!(t, text);
            let json = serde_json::to_string(&t).unwrap();
            assert_eq!(json, format!("\"{text}\""));
            assert_eq!(serde_json::from_str::<ReportTime>(&json).unwrap(), t);
        }
        let utc: ReportTime = "2026-11-25T01:27:30Z".parse().unwrap();
        assert_eq!(utc.to_string(), "2026-11-25T01:27:30+00:00");
        // The same instant in two offsets is two different report times (they are
        // written differently), with the same seconds.
        let berlin: ReportTime = "2026-11-25T02:27:30+01:00".parse().unwrap();
        assert_ne!(utc, berlin);
        assert_eq!(utc.seconds(), berlin.seconds());
        assert!("yesterday".parse::<ReportTime>().is_err());
        assert!(serde_json::from_str::<ReportTime>("\"25/Nov/2026\"").is_err());
    }

    #[test]
    fn zone_sources_and_input_formats_keep_their_json_ids() {
        for (source, id) in [
            (ZoneSource::Caller, "caller"),
            (ZoneSource::AccessLog, "access_log"),
            (ZoneSource::AsLogged, "as_logged"),
        ] {
            assert_eq!(serde_json::to_value(source).unwrap(), id);
            assert_eq!(source.to_string(), id);
            assert_eq!(source, id);
            let back: ZoneSource = serde_json::from_value(id.into()).unwrap();
            assert_eq!(back, source);
        }
        for format in Format::ALL {
            let known = InputFormat::Known(format);
            assert_eq!(serde_json::to_value(known).unwrap(), format.id());
            assert_eq!(
                serde_json::from_value::<InputFormat>(format.id().into()).unwrap(),
                known
            );
        }
        assert_eq!(
            serde_json::to_value(InputFormat::Unknown).unwrap(),
            "unknown"
        );
        assert_eq!(
            serde_json::from_value::<InputFormat>("unknown".into()).unwrap(),
            InputFormat::Unknown
        );
        assert!(serde_json::from_value::<InputFormat>("syslog".into()).is_err());
    }
}
