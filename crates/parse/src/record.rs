//! Typed records: what one log entry says, borrowing from the input bytes.

use std::fmt;

use crate::cause::{Cause, Phase};
use crate::edge::{Edge, EdgeRecord};
use crate::errno::{Errno, SysError};
use crate::time::Timestamp;

/// Which server wrote a log.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Server {
    /// nginx (including OpenResty and ingress-nginx).
    Nginx,
    /// Apache httpd 2.2 or 2.4.
    Apache,
    /// The PHP-FPM master process.
    PhpFpm,
    /// A CDN or load balancer in front of the origin (its logs are edge logs).
    Edge(Edge),
}

impl Server {
    /// The stable lower-case name: `nginx`, `apache`, `php-fpm`, or the edge product's id
    /// (`haproxy`, `aws-alb`, `cloudfront`, `cloudflare`, `gcp-lb`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Server::Nginx => "nginx",
            Server::Apache => "apache",
            Server::PhpFpm => "php-fpm",
            Server::Edge(edge) => edge.id(),
        }
    }

    /// The edge product, for a CDN or load balancer.
    pub const fn edge(self) -> Option<Edge> {
        match self {
            Server::Edge(edge) => Some(edge),
            _ => None,
        }
    }

    /// Every server, edges included.
    pub const ALL: [Server; 8] = [
        Server::Nginx,
        Server::Apache,
        Server::PhpFpm,
        Server::Edge(Edge::Haproxy),
        Server::Edge(Edge::AwsAlb),
        Server::Edge(Edge::CloudFront),
        Server::Edge(Edge::Cloudflare),
        Server::Edge(Edge::GcpLb),
    ];
}

impl fmt::Display for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A log format family.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Format {
    /// nginx `error_log`.
    #[default]
    NginxError,
    /// nginx `access_log` (any `log_format`).
    NginxAccess,
    /// Apache httpd 2.2 or 2.4 `ErrorLog` (default or custom `ErrorLogFormat`).
    ApacheError,
    /// Apache httpd `CustomLog` (any `LogFormat`).
    ApacheAccess,
    /// The PHP-FPM master log (`error_log` in php-fpm.conf).
    PhpFpm,
    /// HAProxy's HTTP log (`option httplog`), plain or through syslog.
    Haproxy,
    /// AWS Application Load Balancer access logs.
    AwsAlb,
    /// Amazon CloudFront standard logs.
    CloudFront,
    /// Cloudflare Logpush `http_requests` (NDJSON).
    Cloudflare,
    /// Google Cloud external Application Load Balancer request logs (Cloud Logging JSON).
    GcpLb,
}

impl Format {
    /// Every format.
    pub const ALL: [Format; 10] = [
        Format::NginxError,
        Format::NginxAccess,
        Format::ApacheError,
        Format::ApacheAccess,
        Format::PhpFpm,
        Format::Haproxy,
        Format::AwsAlb,
        Format::CloudFront,
        Format::Cloudflare,
        Format::GcpLb,
    ];

    /// The stable id used on the command line and in reports, e.g. `"nginx-error"`.
    pub const fn id(self) -> &'static str {
        match self {
            Format::NginxError => "nginx-error",
            Format::NginxAccess => "nginx-access",
            Format::ApacheError => "apache-error",
            Format::ApacheAccess => "apache-access",
            Format::PhpFpm => "php-fpm",
            Format::Haproxy => "haproxy",
            Format::AwsAlb => "aws-alb",
            Format::CloudFront => "cloudfront",
            Format::Cloudflare => "cloudflare",
            Format::GcpLb => "gcp-lb",
        }
    }

    /// The Elastic Common Schema `event.dataset`, e.g. `"nginx.error"`.
    pub const fn dataset(self) -> &'static str {
        match self {
            Format::NginxError => "nginx.error",
            Format::NginxAccess => "nginx.access",
            Format::ApacheError => "apache.error",
            Format::ApacheAccess => "apache.access",
            Format::PhpFpm => "php_fpm.log",
            // The datasets of Elastic's integrations for these products.
            Format::Haproxy => "haproxy.log",
            Format::AwsAlb => "aws.elb_logs",
            Format::CloudFront => "aws.cloudfront_logs",
            Format::Cloudflare => "cloudflare_logpush.http_request",
            Format::GcpLb => "gcp.loadbalancing_logs",
        }
    }

    /// The server that writes this format.
    pub const fn server(self) -> Server {
        match self {
            Format::NginxError | Format::NginxAccess => Server::Nginx,
            Format::ApacheError | Format::ApacheAccess => Server::Apache,
            Format::PhpFpm => Server::PhpFpm,
            Format::Haproxy => Server::Edge(Edge::Haproxy),
            Format::AwsAlb => Server::Edge(Edge::AwsAlb),
            Format::CloudFront => Server::Edge(Edge::CloudFront),
            Format::Cloudflare => Server::Edge(Edge::Cloudflare),
            Format::GcpLb => Server::Edge(Edge::GcpLb),
        }
    }

    /// Whether this is an origin's access log (one line per request). Edge logs are one
    /// line per request too, but [`Format::is_edge`].
    pub const fn is_access(self) -> bool {
        matches!(self, Format::NginxAccess | Format::ApacheAccess)
    }

    /// Whether this is the log of a CDN or load balancer in front of the origin.
    pub const fn is_edge(self) -> bool {
        self.edge().is_some()
    }

    /// The edge product whose log this is.
    pub const fn edge(self) -> Option<Edge> {
        self.server().edge()
    }

    /// Looks a format up by its id.
    pub fn from_id(id: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.id() == id)
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// A log level, normalised across servers (PHP-FPM `WARNING` is [`Level::Warn`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Level {
    /// `emerg`
    Emerg,
    /// `alert`
    Alert,
    /// `crit`
    Crit,
    /// `error` (Apache and nginx; PHP-FPM `ERROR`)
    Error,
    /// `warn` (PHP-FPM `WARNING`)
    Warn,
    /// `notice`
    Notice,
    /// `info`
    Info,
    /// `debug`
    Debug,
    /// Apache `trace1` ... `trace8`.
    Trace(u8),
}

impl Level {
    /// The canonical lower-case name (`warn`, `trace3`, ...).
    pub fn as_str(self) -> &'static str {
        const TRACE: [&str; 9] = [
            "trace", "trace1", "trace2", "trace3", "trace4", "trace5", "trace6", "trace7", "trace8",
        ];
        match self {
            Level::Emerg => "emerg",
            Level::Alert => "alert",
            Level::Crit => "crit",
            Level::Error => "error",
            Level::Warn => "warn",
            Level::Notice => "notice",
            Level::Info => "info",
            Level::Debug => "debug",
            Level::Trace(n) => TRACE.get(usize::from(n)).copied().unwrap_or("trace"),
        }
    }

    /// Reads a level name as any of the servers write it (case-insensitive):
    /// `emerg`, `alert`, `crit`, `error`/`err`, `warn`/`warning`, `notice`, `info`, `debug`,
    /// `trace1`..`trace8`.
    pub fn from_bytes(name: &[u8]) -> Option<Level> {
        // The names as nginx and Apache write them, without a lower-cased copy.
        match name {
            b"error" => return Some(Level::Error),
            b"warn" => return Some(Level::Warn),
            b"notice" => return Some(Level::Notice),
            b"info" => return Some(Level::Info),
            _ => {}
        }
        let mut buf = [0u8; 8];
        if name.is_empty() || name.len() > buf.len() {
            return None;
        }
        for (dst, src) in buf.iter_mut().zip(name) {
            *dst = src.to_ascii_lowercase();
        }
        Some(match &buf[..name.len()] {
            b"emerg" | b"emergency" => Level::Emerg,
            b"alert" => Level::Alert,
            b"crit" | b"critical" => Level::Crit,
            b"error" | b"err" => Level::Error,
            b"warn" | b"warning" => Level::Warn,
            b"notice" => Level::Notice,
            b"info" => Level::Info,
            b"debug" => Level::Debug,
            [b't', b'r', b'a', b'c', b'e', d @ b'1'..=b'8'] => Level::Trace(d - b'0'),
            _ => return None,
        })
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One parsed log entry.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Record<'a> {
    /// An error-log entry (nginx, Apache or PHP-FPM).
    Error(ErrorRecord<'a>),
    /// An access-log entry (one request).
    Access(AccessRecord<'a>),
    /// A request as a CDN or load balancer in front of the origin logged it.
    Edge(EdgeRecord<'a>),
}

impl<'a> Record<'a> {
    /// When the entry was written, as the line says.
    pub fn time(&self) -> Option<Timestamp> {
        match self {
            Record::Error(r) => r.time,
            Record::Access(r) => r.time,
            Record::Edge(r) => r.time,
        }
    }

    /// The format family of the entry.
    pub fn format(&self) -> Format {
        match self {
            Record::Error(r) => r.format,
            Record::Access(r) => r.format,
            Record::Edge(r) => r.edge.format(),
        }
    }

    /// The failure the entry reports, if it is an error entry about one.
    pub fn failure(&self) -> Option<&Failure<'a>> {
        match self {
            Record::Error(r) => r.failure.as_ref(),
            Record::Access(_) => None,
            Record::Edge(r) => r.failure.as_ref(),
        }
    }
}

/// An error-log entry: nginx `error_log`, Apache `ErrorLog`, or the PHP-FPM master log.
///
/// Fields the line does not have are `None`. Byte fields borrow from the input and are not
/// guaranteed to be UTF-8 (nginx writes request lines and headers raw). The context fields
/// of nginx (`client:`, `server:`, `request:`, ...) and Apache (`[client ...]`, `(errno)`,
/// `AHnnnnn`) are split out of `message`.
#[derive(Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct ErrorRecord<'a> {
    /// `NginxError`, `ApacheError` or `PhpFpm`.
    pub format: Format,
    /// Local wall-clock time (no offset unless the format wrote one).
    pub time: Option<Timestamp>,
    /// The level.
    pub level: Option<Level>,
    /// Process id (nginx `PID#`, Apache `[pid N]`, PHP-FPM debug lines).
    pub pid: Option<u32>,
    /// Thread id (nginx `#TID`, Apache `:tid N`).
    pub tid: Option<u64>,
    /// nginx connection number (`*CID`).
    pub connection: Option<u64>,
    /// Apache module short name (`proxy`, `proxy_http`, empty for `[:error]`).
    pub module: Option<&'a [u8]>,
    /// Apache message tag, e.g. `AH01114`.
    pub code: Option<&'a [u8]>,
    /// The errno / APR status of the line (nginx `(111: Connection refused)`, Apache
    /// `(111)Connection refused: `).
    pub sys_error: Option<SysError<'a>>,
    /// The message text, without the prefix, errno, action and context fields.
    pub message: &'a [u8],
    /// nginx `while <action>` text (e.g. `connecting to upstream`).
    pub action: Option<&'a [u8]>,
    /// Client address (no port).
    pub client: Option<&'a [u8]>,
    /// Client port, where logged (Apache 2.4 `[client ip:port]`).
    pub client_port: Option<u16>,
    /// nginx `server:` (the first `server_name` of the matched server block, or the listen address).
    pub server_name: Option<&'a [u8]>,
    /// nginx `request: "..."`: the raw request line.
    pub request: Option<&'a [u8]>,
    /// nginx `subrequest: "..."`.
    pub subrequest: Option<&'a [u8]>,
    /// nginx `upstream: "..."` as logged: the URL of the upstream request (scheme, peer
    /// and URI, `http://10.0.0.5:8080/checkout`). The peer alone is [`Failure::peer`].
    pub upstream_url: Option<&'a [u8]>,
    /// nginx `host: "..."`.
    pub host: Option<&'a [u8]>,
    /// The HTTP `Referer` header (spelled as the header is): nginx `referrer: "..."`,
    /// Apache `, referer: ...`.
    pub referer: Option<&'a [u8]>,
    /// PHP-FPM `[pool name]`.
    pub pool: Option<&'a [u8]>,
    /// The line was cut by the server's length limit (nginx 2047 bytes, Apache 8190).
    pub truncated: bool,
    /// What upstream failure this entry reports, if any.
    pub failure: Option<Failure<'a>>,
}

impl fmt::Debug for ErrorRecord<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("ErrorRecord");
        d.field("format", &self.format)
            .field("time", &self.time)
            .field("level", &self.level);
        opt(&mut d, "pid", &self.pid);
        opt(&mut d, "tid", &self.tid);
        opt(&mut d, "connection", &self.connection);
        bytes_opt(&mut d, "module", self.module);
        bytes_opt(&mut d, "code", self.code);
        opt(&mut d, "sys_error", &self.sys_error);
        d.field("message", &Lossy(self.message));
        bytes_opt(&mut d, "action", self.action);
        bytes_opt(&mut d, "client", self.client);
        opt(&mut d, "client_port", &self.client_port);
        bytes_opt(&mut d, "server_name", self.server_name);
        bytes_opt(&mut d, "request", self.request);
        bytes_opt(&mut d, "subrequest", self.subrequest);
        bytes_opt(&mut d, "upstream_url", self.upstream_url);
        bytes_opt(&mut d, "host", self.host);
        bytes_opt(&mut d, "referer", self.referer);
        bytes_opt(&mut d, "pool", self.pool);
        if self.truncated {
            d.field("truncated", &true);
        }
        opt(&mut d, "failure", &self.failure);
        d.finish()
    }
}

/// How an error line relates to the lines around it when one failure is logged on several
/// lines (Apache logs the errno on `AH00957` and the client on the `AH01114` that follows).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Role {
    /// A complete failure event on its own line.
    #[default]
    Event,
    /// The first half of an event: it carries the cause (errno) but not the client; the
    /// client-side line of the same process/thread usually follows ([`Role::Effect`]).
    Cause,
    /// The client-visible half: if the previous failure line of the same process/thread is
    /// a [`Role::Cause`] or [`Role::Event`] from the same moment, this line belongs to that
    /// same event (take its cause); otherwise it is an event with its own (fallback) cause.
    Effect,
    /// Supporting evidence that is not a failed request by itself (e.g. nginx `upstream
    /// server temporarily disabled`, Apache `AH00959 ... disabling worker`).
    Context,
}

impl Role {
    /// The stable lower-case id: `event`, `cause`, `effect` or `context` (the
    /// `logscan.role` of logscan's events).
    pub const fn id(self) -> &'static str {
        match self {
            Role::Event => "event",
            Role::Cause => "cause",
            Role::Effect => "effect",
            Role::Context => "context",
        }
    }
}

/// What an error entry says about an upstream failure.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Failure<'a> {
    /// Why it failed.
    pub cause: Cause,
    /// When in the request it failed, where the line tells.
    pub phase: Option<Phase>,
    /// The normalised errno / APR status, if the line has one.
    pub errno: Option<Errno>,
    /// The peer the failure is about: the upstream server (`127.0.0.1:8080`,
    /// `unix:/run/php/php8.2-fpm.sock`), an nginx upstream group name for `no live
    /// upstreams`, `balancer://name` for Apache; for DNS failures, the host name that did
    /// not resolve, or the resolver that did not answer. The whole URL nginx logged is
    /// [`ErrorRecord::upstream_url`].
    pub peer: Option<&'a [u8]>,
    /// The upstream protocol where known: `http`, `https`, `fastcgi`, `uwsgi`, `scgi`,
    /// `grpc`, `grpcs`, `memcached`, `fcgi`, `ajp`, `ws`, `wss`.
    pub protocol: Option<&'a [u8]>,
    /// A finer variant of the cause where the line tells it, e.g. `nxdomain`, `timeout`,
    /// `no_resolver` (dns), `temp_path_error` (buffering), `max_execution_time`,
    /// `request_terminate_timeout` (PHP), `memory_limit`, `wrong_version_number` (TLS),
    /// `fastcgi_to_http_port`.
    pub variant: Option<&'static str>,
    /// How this line pairs with neighbouring lines.
    pub role: Role,
}

impl<'a> Failure<'a> {
    /// A failure of `cause` in `role`, with nothing else known yet: set the other fields
    /// (they are public) as the line tells them. (The struct is `#[non_exhaustive]`, so a
    /// field added later breaks no caller.)
    ///
    /// ```
    /// use logscan_parse::{Cause, Failure, Role};
    /// let mut failure = Failure::new(Cause::UpstreamRefused, Role::Event);
    /// failure.peer = Some(b"127.0.0.1:8080");
    /// assert_eq!(failure.cause.id(), "upstream_refused");
    /// ```
    ///
    /// Outside this crate, the records cannot be written as struct literals:
    ///
    /// ```compile_fail,E0639
    /// let access = logscan_parse::AccessRecord { status: Some(502), ..Default::default() };
    /// ```
    pub fn new(cause: Cause, role: Role) -> Self {
        Failure {
            cause,
            phase: None,
            errno: None,
            peer: None,
            protocol: None,
            variant: None,
            role,
        }
    }

    /// Whether the failure happened after the response header went to the client, so the
    /// client saw a truncated response (usually logged as 200), not a 5xx.
    pub fn truncated_response(&self) -> bool {
        self.phase == Some(Phase::ReadBody)
    }

    /// The filesystem path when the upstream is a unix socket, whichever way the line
    /// wrote it: nginx `unix:/run/php/php8.2-fpm.sock`, or the bare path Apache logs
    /// (`AH02454: ... Unix domain socket /run/php/php8.2-fpm.sock ...`, which has no
    /// `unix:` text to borrow) and PHP-FPM's listen address.
    pub fn unix_socket_path(&self) -> Option<&'a [u8]> {
        let upstream = self.peer?;
        match upstream.strip_prefix(b"unix:") {
            Some(path) => Some(path),
            None => upstream.starts_with(b"/").then_some(upstream),
        }
    }
}

impl fmt::Debug for Failure<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Failure");
        d.field("cause", &self.cause);
        opt(&mut d, "phase", &self.phase);
        opt(&mut d, "errno", &self.errno);
        bytes_opt(&mut d, "peer", self.peer);
        bytes_opt(&mut d, "protocol", self.protocol);
        opt(&mut d, "variant", &self.variant);
        if self.role != Role::Event {
            d.field("role", &self.role);
        }
        d.finish()
    }
}

/// An access-log entry: one request.
#[derive(Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct AccessRecord<'a> {
    /// `NginxAccess` or `ApacheAccess`.
    pub format: Format,
    /// The logged time, usually with its UTC offset.
    pub time: Option<Timestamp>,
    /// Whether `time` is when the request started (Apache `%t`) rather than when it ended
    /// and was logged (nginx `$time_local`, Apache `%{end:...}t`).
    pub time_is_start: bool,
    /// Client address (`$remote_addr`, `%h`, `%a`).
    pub client: Option<&'a [u8]>,
    /// Remote user (`$remote_user`, `%u`).
    pub user: Option<&'a [u8]>,
    /// The request line as logged (`$request`, `%r`), escapes left as logged.
    pub request: Option<&'a [u8]>,
    /// Method (from the request line, `$request_method` or `%m`).
    pub method: Option<&'a [u8]>,
    /// Request target: path and query (from the request line, `$request_uri`, `%U%q`).
    pub target: Option<&'a [u8]>,
    /// Protocol, e.g. `HTTP/1.1`.
    pub protocol: Option<&'a [u8]>,
    /// Response status (`$status`, `%>s`).
    pub status: Option<u16>,
    /// Response bytes (`$body_bytes_sent`, `$bytes_sent`, `%b`, `%B`, `%O`).
    pub bytes_sent: Option<u64>,
    /// `Referer` header.
    pub referer: Option<&'a [u8]>,
    /// `User-Agent` header.
    pub user_agent: Option<&'a [u8]>,
    /// Virtual host / Host (`$host`, `$server_name`, `%v`, `%V`, `%{Host}i`).
    pub host: Option<&'a [u8]>,
    /// Total request time in microseconds (`$request_time`, `%D`, `%T`, `%{ms}T`).
    pub request_time_us: Option<u64>,
    /// nginx `$upstream_*` values (multi-value lists kept as logged).
    pub upstream: UpstreamFields<'a>,
    /// nginx `$connection` (matches the error log's `*CID`).
    pub connection: Option<u64>,
    /// Request id (`$request_id`, `%L`, ingress `$req_id`).
    pub request_id: Option<&'a [u8]>,
    /// The id the CDN or load balancer in front sent with the request, when logged
    /// (`$http_x_amzn_trace_id`, `$http_cf_ray`, `$http_x_cloud_trace_context`,
    /// `%{X-Amzn-Trace-Id}i`, `%{CF-Ray}i`): joins the line with the edge's log.
    pub trace_id: Option<&'a [u8]>,
    /// ingress-nginx `$proxy_upstream_name`.
    pub upstream_name: Option<&'a [u8]>,
}

impl fmt::Debug for AccessRecord<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("AccessRecord");
        d.field("format", &self.format).field("time", &self.time);
        if self.time_is_start {
            d.field("time_is_start", &true);
        }
        bytes_opt(&mut d, "client", self.client);
        bytes_opt(&mut d, "user", self.user);
        bytes_opt(&mut d, "request", self.request);
        bytes_opt(&mut d, "method", self.method);
        bytes_opt(&mut d, "target", self.target);
        bytes_opt(&mut d, "protocol", self.protocol);
        opt(&mut d, "status", &self.status);
        opt(&mut d, "bytes_sent", &self.bytes_sent);
        bytes_opt(&mut d, "referer", self.referer);
        bytes_opt(&mut d, "user_agent", self.user_agent);
        bytes_opt(&mut d, "host", self.host);
        opt(&mut d, "request_time_us", &self.request_time_us);
        if self.upstream != UpstreamFields::default() {
            d.field("upstream", &self.upstream);
        }
        opt(&mut d, "connection", &self.connection);
        bytes_opt(&mut d, "request_id", self.request_id);
        bytes_opt(&mut d, "trace_id", self.trace_id);
        bytes_opt(&mut d, "upstream_name", self.upstream_name);
        d.finish()
    }
}

/// nginx `$upstream_*` variables as logged.
///
/// With retries (`proxy_next_upstream`) nginx logs one value per tried server separated by
/// `, `, and ` : ` between groups after an internal redirect (`X-Accel-Redirect`,
/// `error_page`); `-` marks a missing value. The raw text is kept; the methods read it.
#[derive(Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct UpstreamFields<'a> {
    /// `$upstream_addr`
    pub addr: Option<&'a [u8]>,
    /// `$upstream_status`
    pub status: Option<&'a [u8]>,
    /// `$upstream_response_time`
    pub response_time: Option<&'a [u8]>,
    /// `$upstream_connect_time`
    pub connect_time: Option<&'a [u8]>,
    /// `$upstream_header_time`
    pub header_time: Option<&'a [u8]>,
    /// `$upstream_response_length`
    pub response_length: Option<&'a [u8]>,
}

impl<'a> UpstreamFields<'a> {
    /// The tried upstream addresses, in order (`None` for `-`).
    pub fn addrs(&self) -> UpstreamValues<'a> {
        UpstreamValues::new(self.addr.unwrap_or_default())
    }

    /// The upstream statuses, one per try in the order tried, across every group: the
    /// tries after an internal redirect (` : `) follow those before it (`502, 504 : 200`
    /// gives 502, 504, 200). `None` for `-` or a non-number. [`UpstreamFields::addrs`]
    /// tells where a group starts.
    pub fn statuses(&self) -> impl Iterator<Item = Option<u16>> + 'a {
        UpstreamValues::new(self.status.unwrap_or_default()).map(|v| v.value.and_then(parse_u16))
    }

    /// The status of the last tried upstream (in the last group): the one whose answer
    /// nginx passed on. `None` when it is `-` or missing.
    pub fn last_status(&self) -> Option<u16> {
        let text = self.status.unwrap_or_default();
        if is_single(text) {
            return parse_u16(text);
        }
        self.statuses().last().flatten()
    }

    /// The upstream response times in microseconds, one per try in the order tried, across
    /// every group as in [`UpstreamFields::statuses`]. `None` for `-`.
    pub fn response_times_us(&self) -> impl Iterator<Item = Option<u64>> + 'a {
        UpstreamValues::new(self.response_time.unwrap_or_default())
            .map(|v| v.value.and_then(parse_seconds_us))
    }

    /// The response time of the last tried upstream, in microseconds. `None` when it is
    /// `-` or missing.
    pub fn last_response_time_us(&self) -> Option<u64> {
        let text = self.response_time.unwrap_or_default();
        if is_single(text) {
            return parse_seconds_us(text);
        }
        self.response_times_us().last().flatten()
    }

    /// The sum of the upstream response times (all tries, all groups), in microseconds.
    pub fn total_response_time_us(&self) -> Option<u64> {
        let text = self.response_time.unwrap_or_default();
        if is_single(text) {
            return parse_seconds_us(text);
        }
        let mut any = false;
        let total = self
            .response_times_us()
            .flatten()
            .inspect(|_| any = true)
            .fold(0u64, u64::saturating_add);
        any.then_some(total)
    }

    /// How many upstream servers the request was passed to: the addresses in
    /// `$upstream_addr`, across every group, not counting `-` (nginx writes `-` when
    /// the request never reached an upstream, so a lone `-` is 0 tries).
    pub fn tries(&self) -> usize {
        let text = self.addr.unwrap_or_default();
        if is_single(text) {
            return usize::from(!text.is_empty() && text != b"-");
        }
        self.addrs().filter(|v| v.value.is_some()).count()
    }

    /// The total response time, the tries and the last status together
    /// ([`UpstreamFields::total_response_time_us`], [`UpstreamFields::tries`],
    /// [`UpstreamFields::last_status`]): what the analyzer reads of every line, in one
    /// inlined call. A time in nginx's millisecond shape and a status of digits are single
    /// values (neither holds a comma or a space), so they are read without first looking
    /// for a separator; anything else is read by the accessor.
    /// A lone `-` (a request nginx answered itself, a static file: a fifth of a busy
    /// log's lines) is no value in any of the three, read as none without a call.
    #[inline]
    pub fn summary(&self) -> UpstreamSummary {
        let logged = |field: Option<&'a [u8]>| field.filter(|text| *text != b"-");
        UpstreamSummary {
            total_response_time_us: logged(self.response_time)
                .and_then(|text| millis_us(text).or_else(|| self.total_response_time_us())),
            tries: logged(self.addr).map_or(0, |text| {
                if is_single(text) {
                    usize::from(!text.is_empty())
                } else {
                    self.tries()
                }
            }),
            last_status: logged(self.status)
                .and_then(|text| parse_u16(text).or_else(|| self.last_status())),
        }
    }

    /// Whether no `$upstream_*` field holds a value: none was logged, or each logged one is
    /// empty or only `-` (a request nginx answered itself, without an upstream).
    pub fn is_empty(&self) -> bool {
        [
            self.addr,
            self.status,
            self.response_time,
            self.connect_time,
            self.header_time,
            self.response_length,
        ]
        .into_iter()
        .flatten()
        .all(|text| UpstreamValues::new(text).all(|v| v.value.is_none()))
    }
}

impl fmt::Debug for UpstreamFields<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("UpstreamFields");
        bytes_opt(&mut d, "addr", self.addr);
        bytes_opt(&mut d, "status", self.status);
        bytes_opt(&mut d, "response_time", self.response_time);
        bytes_opt(&mut d, "connect_time", self.connect_time);
        bytes_opt(&mut d, "header_time", self.header_time);
        bytes_opt(&mut d, "response_length", self.response_length);
        d.finish()
    }
}

/// What [`UpstreamFields::summary`] reads of a request's upstream fields.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct UpstreamSummary {
    /// [`UpstreamFields::total_response_time_us`]
    pub total_response_time_us: Option<u64>,
    /// [`UpstreamFields::tries`]
    pub tries: usize,
    /// [`UpstreamFields::last_status`]
    pub last_status: Option<u16>,
}

/// One value of a multi-value `$upstream_*` field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct UpstreamValue<'a> {
    /// The value; `None` when logged as `-`.
    pub value: Option<&'a [u8]>,
    /// Whether this value starts a new group (it followed ` : `, an internal redirect).
    pub new_group: bool,
}

/// Iterator over the values of a multi-value `$upstream_*` field.
#[derive(Clone, Debug)]
pub struct UpstreamValues<'a> {
    rest: &'a [u8],
    new_group: bool,
}

impl<'a> UpstreamValues<'a> {
    /// Iterates over the values of `text` (`a, b : c`).
    pub fn new(text: &'a [u8]) -> UpstreamValues<'a> {
        UpstreamValues {
            rest: text,
            new_group: false,
        }
    }
}

impl<'a> Iterator for UpstreamValues<'a> {
    type Item = UpstreamValue<'a>;

    fn next(&mut self) -> Option<UpstreamValue<'a>> {
        let text = trim_spaces(self.rest);
        if text.is_empty() {
            return None;
        }
        let end = text
            .iter()
            .position(|&b| b == b',' || b == b' ')
            .unwrap_or(text.len());
        let (raw, mut rest) = text.split_at(end);
        let new_group = std::mem::replace(&mut self.new_group, false);
        // Skip the separator: ", " or " : ".
        rest = trim_spaces(rest);
        match rest.first() {
            Some(b',') => rest = &rest[1..],
            Some(b':') => {
                rest = &rest[1..];
                self.new_group = true;
            }
            _ => {}
        }
        self.rest = rest;
        let value = (raw != b"-" && !raw.is_empty()).then_some(raw);
        Some(UpstreamValue { value, new_group })
    }
}

/// Whether a `$upstream_*` field holds at most one value (no separator, no space): the
/// common case, read without the iterator.
#[inline]
fn is_single(text: &[u8]) -> bool {
    // Eight bytes at a time, the last ones too: an address is 10 to 40 bytes and nearly
    // every line has one.
    !crate::word_search::contains_any([b',', b' '], text)
}

fn trim_spaces(mut s: &[u8]) -> &[u8] {
    while let [b' ', rest @ ..] = s {
        s = rest;
    }
    s
}

/// Parses a small unsigned decimal (at most 5 digits) such as an HTTP status.
pub(crate) fn parse_u16(text: &[u8]) -> Option<u16> {
    if text.is_empty() || text.len() > 5 {
        return None;
    }
    let mut n: u32 = 0;
    for &b in text {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n * 10 + u32::from(b - b'0');
    }
    u16::try_from(n).ok()
}

/// Parses an unsigned decimal integer (`None` on anything else or on overflow).
pub(crate) fn parse_u64(text: &[u8]) -> Option<u64> {
    if text.is_empty() || text.len() > 20 {
        return None;
    }
    let mut n: u64 = 0;
    for &b in text {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
    }
    Some(n)
}

/// Parses seconds with an optional fraction (`0.123`, `12`, `3.000001`) into microseconds.
pub(crate) fn parse_seconds_us(text: &[u8]) -> Option<u64> {
    millis_us(text).or_else(|| any_seconds_us(text))
}

/// nginx writes every time in milliseconds (`0.004`, `60.001`): that shape, up to six
/// whole digits, in one pass of arithmetic; `None` for anything else (which
/// [`any_seconds_us`] reads).
#[inline]
fn millis_us(text: &[u8]) -> Option<u64> {
    let [whole @ .., b'.', a, b, c] = text else {
        return None;
    };
    if whole.is_empty() || whole.len() > 6 {
        return None;
    }
    let digit = |d: u8| d.is_ascii_digit().then(|| u64::from(d - b'0'));
    let mut seconds = 0;
    for &d in whole {
        seconds = seconds * 10 + digit(d)?;
    }
    let millis = digit(*a)? * 100 + digit(*b)? * 10 + digit(*c)?;
    Some(seconds * 1_000_000 + millis * 1_000)
}

/// [`parse_seconds_us`] of any number of digits before and after the point.
fn any_seconds_us(text: &[u8]) -> Option<u64> {
    // Times are a few bytes long: a plain loop beats a memchr call.
    let (int, frac) = match text.iter().position(|&b| b == b'.') {
        Some(dot) => (&text[..dot], &text[dot + 1..]),
        None => (text, &b""[..]),
    };
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    let whole = if int.is_empty() { 0 } else { parse_u64(int)? };
    let mut micros: u64 = 0;
    let mut scale: u64 = 100_000;
    for &b in frac {
        if !b.is_ascii_digit() {
            return None;
        }
        micros += u64::from(b - b'0') * scale;
        scale /= 10;
    }
    whole.checked_mul(1_000_000)?.checked_add(micros)
}

/// Shows bytes as lossy UTF-8 in `Debug` output.
struct Lossy<'a>(&'a [u8]);

impl fmt::Debug for Lossy<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&String::from_utf8_lossy(self.0), f)
    }
}

pub(crate) fn bytes_opt(d: &mut fmt::DebugStruct<'_, '_>, name: &str, value: Option<&[u8]>) {
    if let Some(v) = value {
        d.field(name, &Lossy(v));
    }
}

pub(crate) fn opt<T: fmt::Debug>(d: &mut fmt::DebugStruct<'_, '_>, name: &str, value: &Option<T>) {
    if let Some(v) = value {
        d.field(name, v);
    }
}

#[cfg(feature = "serde")]
mod serde_impls {
    use super::{Format, Level, Server};
    use serde::{Deserialize, Deserializer, Serialize, Serializer, de::Error};

    impl Serialize for Server {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_str(self.as_str())
        }
    }

    impl<'de> Deserialize<'de> for Server {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
            Server::ALL
                .into_iter()
                .find(|s| s.as_str() == text)
                .ok_or_else(|| D::Error::custom(format!("unknown server {text:?}")))
        }
    }

    impl Serialize for Format {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_str(self.id())
        }
    }

    impl<'de> Deserialize<'de> for Format {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
            Format::from_id(&text)
                .ok_or_else(|| D::Error::custom(format!("unknown format {text:?}")))
        }
    }

    impl Serialize for Level {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_str(self.as_str())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_millisecond_time_of_an_hour_reads_as_the_general_rule_reads_it() {
        for ms in 0..=3_600_000u64 {
            let text = format!("{}.{:03}", ms / 1000, ms % 1000);
            assert_eq!(millis_us(text.as_bytes()), Some(ms * 1000), "{text}");
            assert_eq!(any_seconds_us(text.as_bytes()), Some(ms * 1000), "{text}");
        }
        // Past six whole digits, and other shapes, the general rule reads them.
        assert_eq!(millis_us(b"1234567.000"), None);
        assert_eq!(parse_seconds_us(b"1234567.000"), Some(1_234_567_000_000));
        assert_eq!(millis_us(b".123"), None);
        assert_eq!(parse_seconds_us(b".123"), Some(123_000));
        assert_eq!(parse_seconds_us(b"1.2x3"), None);
    }

    proptest::proptest! {
        /// The millisecond shortcut reads what the general rule reads, wherever it reads
        /// anything, on nginx-like times and on any short text.
        #[test]
        fn millis_are_read_as_the_general_rule_reads_them(
            text in "[0-9]{0,8}\\.?[0-9]{0,4}|[-0-9. a]{0,9}",
        ) {
            let t = text.as_bytes();
            if let Some(us) = millis_us(t) {
                proptest::prop_assert_eq!(Some(us), any_seconds_us(t));
            }
            proptest::prop_assert_eq!(parse_seconds_us(t), any_seconds_us(t));
        }

        /// The eight-bytes-at-a-time check says what a byte loop says.
        #[test]
        fn is_single_is_no_comma_and_no_space(
            text in proptest::collection::vec(proptest::sample::select(&b", a:.-\x2c\x20\xff\x00\x0c"[..]), 0..40),
        ) {
            proptest::prop_assert_eq!(
                is_single(&text),
                !text.iter().any(|&b| b == b',' || b == b' ')
            );
        }

        /// The single-value fast paths agree with the iterators they short-cut.
        #[test]
        fn single_value_fast_paths_match_the_iterators(
            text in "[-0-9.:, a-z]{0,12}",
        ) {
            let t = text.as_bytes();
            let f = UpstreamFields {
                addr: Some(t),
                status: Some(t),
                response_time: Some(t),
                ..UpstreamFields::default()
            };
            proptest::prop_assert_eq!(f.tries(), f.addrs().filter(|v| v.value.is_some()).count());
            proptest::prop_assert_eq!(f.last_status(), f.statuses().last().flatten());
            proptest::prop_assert_eq!(
                f.last_response_time_us(),
                f.response_times_us().last().flatten()
            );
            let mut any = false;
            let total = f
                .response_times_us()
                .flatten()
                .inspect(|_| any = true)
                .fold(0u64, u64::saturating_add);
            proptest::prop_assert_eq!(f.total_response_time_us(), any.then_some(total));
            let none = UpstreamFields::default();
            proptest::prop_assert_eq!(none.tries(), 0);
            proptest::prop_assert_eq!(none.last_status(), None);
            proptest::prop_assert_eq!(none.total_response_time_us(), None);
        }
    }

    /// One upstream value as nginx writes them, and the odd ones a parser may be handed.
    fn upstream_value() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        prop_oneof![
            Just("-".to_owned()),
            Just(String::new()),
            "[0-9]{1,3}\\.[0-9]{3}",
            "[1-5][0-9]{2}",
            "10\\.0\\.[0-9]\\.[0-9]{1,3}:[0-9]{2,4}",
            Just("unix:/run/php/php8.2-fpm.sock".to_owned()),
            "[-0-9.:, a-z]{0,8}",
        ]
    }

    /// A list of upstream values joined by `, ` (tries) and ` : ` (redirect groups).
    fn upstream_list() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        proptest::collection::vec((upstream_value(), proptest::bool::ANY), 1..12).prop_map(
            |values| {
                let mut text = String::new();
                for (i, (value, group)) in values.iter().enumerate() {
                    if i > 0 {
                        text.push_str(if *group { " : " } else { ", " });
                    }
                    text.push_str(value);
                }
                text
            },
        )
    }

    proptest::proptest! {
        /// The summary reads what the three accessors read, on single values, lists of
        /// many tries and groups, `-`, empty and missing fields.
        #[test]
        fn summary_agrees_with_the_accessors(
            addr in proptest::option::of(upstream_list()),
            status in proptest::option::of(upstream_list()),
            time in proptest::option::of(upstream_list()),
        ) {
            let f = UpstreamFields {
                addr: addr.as_deref().map(str::as_bytes),
                status: status.as_deref().map(str::as_bytes),
                response_time: time.as_deref().map(str::as_bytes),
                ..UpstreamFields::default()
            };
            let summary = f.summary();
            proptest::prop_assert_eq!(summary.total_response_time_us, f.total_response_time_us());
            proptest::prop_assert_eq!(summary.tries, f.tries());
            proptest::prop_assert_eq!(summary.last_status, f.last_status());
        }
    }

    #[test]
    fn upstream_lists_with_retries_and_redirect_groups() {
        let fields = UpstreamFields {
            addr: Some(b"127.0.0.1:1, 127.0.0.1:2 : unix:/run/a.sock"),
            status: Some(b"502, 504 : 200"),
            response_time: Some(b"0.001, 3.000 : 0.012"),
            ..UpstreamFields::default()
        };
        let addrs: Vec<_> = fields.addrs().collect();
        assert_eq!(addrs.len(), 3);
        assert_eq!(addrs[0].value, Some(&b"127.0.0.1:1"[..]));
        assert!(!addrs[1].new_group);
        assert!(addrs[2].new_group);
        assert_eq!(addrs[2].value, Some(&b"unix:/run/a.sock"[..]));
        assert_eq!(
            fields.statuses().collect::<Vec<_>>(),
            [Some(502), Some(504), Some(200)]
        );
        assert_eq!(fields.last_status(), Some(200));
        assert_eq!(fields.total_response_time_us(), Some(3_013_000));
        assert_eq!(fields.tries(), 3);
    }

    #[test]
    fn dashes_are_missing_values() {
        let fields = UpstreamFields {
            addr: Some(b"-"),
            status: Some(b"-"),
            response_time: Some(b"-"),
            ..UpstreamFields::default()
        };
        assert_eq!(fields.addrs().next().map(|v| v.value), Some(None));
        assert_eq!(fields.last_status(), None);
        assert_eq!(fields.total_response_time_us(), None);
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_seconds_us(b"0.123"), Some(123_000));
        assert_eq!(parse_seconds_us(b"12"), Some(12_000_000));
        assert_eq!(parse_seconds_us(b"1.0000019"), Some(1_000_001));
        assert_eq!(parse_seconds_us(b"1.2.3"), None);
        assert_eq!(parse_seconds_us(b""), None);
        assert_eq!(parse_u16(b"502"), Some(502));
        assert_eq!(parse_u16(b"99999"), None);
        assert_eq!(parse_u64(b"18446744073709551616"), None);
    }

    #[test]
    fn levels_from_all_servers() {
        assert_eq!(Level::from_bytes(b"WARNING"), Some(Level::Warn));
        assert_eq!(Level::from_bytes(b"warn"), Some(Level::Warn));
        assert_eq!(Level::from_bytes(b"trace8"), Some(Level::Trace(8)));
        assert_eq!(Level::Trace(3).as_str(), "trace3");
        assert_eq!(Level::from_bytes(b"trace9"), None);
        assert_eq!(Level::from_bytes(b""), None);
    }
}
