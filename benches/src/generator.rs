//! The log generator. Line shapes are copied from the real captures in `fixtures/`.

use std::fmt;
use std::io::{self, Write};
use std::str::FromStr;

use logscan_parse::Parser;

mod edge;

/// nginx `log_format upstream` of `fixtures/README.md` (`combined` + `key=value` timings).
pub const NGINX_UPSTREAM_FORMAT: &str = r#"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" rt=$request_time uct="$upstream_connect_time" uht="$upstream_header_time" urt="$upstream_response_time" ua="$upstream_addr" us="$upstream_status""#;
/// Apache `LogFormat` of `access_timing.log` in `fixtures/` (`combined` + `%D`).
pub const APACHE_TIMING_FORMAT: &str =
    r#"%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\" %D"#;

/// Which log to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LogKind {
    /// nginx `error_log` (multi-line FastCGI stderr entries included).
    NginxError,
    /// nginx access log, `combined`.
    NginxAccess,
    /// nginx access log, `combined` + `key=value` upstream fields (`NGINX_UPSTREAM_FORMAT`).
    NginxUpstream,
    /// Kubernetes ingress-nginx default access format.
    Ingress,
    /// Apache httpd 2.4 error log, default event-MPM layout.
    ApacheError,
    /// Apache access log, `combined` + `%D` (`APACHE_TIMING_FORMAT`).
    ApacheAccess,
    /// PHP-FPM master log.
    PhpFpm,
    /// HAProxy `option httplog` lines as rsyslog writes them on Debian.
    Haproxy,
    /// AWS Application Load Balancer access log.
    AwsAlb,
    /// Amazon CloudFront standard log (`#Version`/`#Fields` header, tab-separated).
    CloudFront,
    /// Cloudflare Logpush `http_requests`, NDJSON with `unixnano` timestamps.
    Cloudflare,
    /// Google Cloud external Application Load Balancer request log entries.
    GcpLb,
}

impl LogKind {
    /// Every kind, in a stable order.
    pub const ALL: [LogKind; 12] = [
        LogKind::NginxError,
        LogKind::NginxAccess,
        LogKind::NginxUpstream,
        LogKind::Ingress,
        LogKind::ApacheError,
        LogKind::ApacheAccess,
        LogKind::PhpFpm,
        LogKind::Haproxy,
        LogKind::AwsAlb,
        LogKind::CloudFront,
        LogKind::Cloudflare,
        LogKind::GcpLb,
    ];

    /// The name used on the command line (`nginx-error`, `nginx-upstream`, ...).
    pub fn name(self) -> &'static str {
        match self {
            LogKind::NginxError => "nginx-error",
            LogKind::NginxAccess => "nginx-access",
            LogKind::NginxUpstream => "nginx-upstream",
            LogKind::Ingress => "ingress",
            LogKind::ApacheError => "apache-error",
            LogKind::ApacheAccess => "apache-access",
            LogKind::PhpFpm => "php-fpm",
            LogKind::Haproxy => "haproxy",
            LogKind::AwsAlb => "aws-alb",
            LogKind::CloudFront => "cloudfront",
            LogKind::Cloudflare => "cloudflare",
            LogKind::GcpLb => "gcp-lb",
        }
    }

    /// The parser that reads this kind.
    pub fn parser(self) -> Parser {
        match self {
            LogKind::NginxError => Parser::nginx_error(),
            LogKind::NginxAccess => Parser::nginx_combined(),
            LogKind::NginxUpstream => {
                Parser::nginx_access(NGINX_UPSTREAM_FORMAT).unwrap_or_else(|_| unreachable())
            }
            LogKind::Ingress => Parser::ingress_nginx(),
            LogKind::ApacheError => Parser::apache_error(),
            LogKind::ApacheAccess => {
                Parser::apache_access(APACHE_TIMING_FORMAT).unwrap_or_else(|_| unreachable())
            }
            LogKind::PhpFpm => Parser::php_fpm(),
            LogKind::Haproxy => Parser::haproxy(),
            LogKind::AwsAlb => Parser::aws_alb(),
            LogKind::CloudFront => Parser::cloudfront(),
            LogKind::Cloudflare => Parser::cloudflare(),
            LogKind::GcpLb => Parser::gcp_lb(),
        }
    }

    /// One line per request: an access log or an edge log.
    fn is_access(self) -> bool {
        matches!(
            self,
            LogKind::NginxAccess
                | LogKind::NginxUpstream
                | LogKind::Ingress
                | LogKind::ApacheAccess
        ) || self.is_edge()
    }

    /// A log of the layer in front (HAProxy, a CDN or a cloud load balancer).
    pub fn is_edge(self) -> bool {
        matches!(
            self,
            LogKind::Haproxy
                | LogKind::AwsAlb
                | LogKind::CloudFront
                | LogKind::Cloudflare
                | LogKind::GcpLb
        )
    }
}

fn unreachable() -> Parser {
    // The built-in format strings above compile (tested); keep clippy's panic lints quiet.
    Parser::nginx_combined()
}

impl fmt::Display for LogKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for LogKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        LogKind::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = LogKind::ALL.iter().map(|k| k.name()).collect();
                format!("unknown format {s:?}; one of {}", names.join(", "))
            })
    }
}

/// `123`, `64K`, `100M`, `1G` (binary units) → bytes.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let (digits, unit) = match s.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => s.split_at(i),
        None => (s, ""),
    };
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("bad size {s:?} (e.g. 100M, 1G)"))?;
    let shift = match unit.to_ascii_uppercase().trim_end_matches(['B', 'I']) {
        "" => 0,
        "K" => 10,
        "M" => 20,
        "G" => 30,
        _ => return Err(format!("bad size unit in {s:?} (K, M or G)")),
    };
    n.checked_mul(1 << shift)
        .ok_or_else(|| format!("size {s:?} too large"))
}

/// What to generate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// The log kind.
    pub kind: LogKind,
    /// Bytes to write (the output ends at the first entry boundary at or after this).
    pub size: u64,
    /// Seed: the same options give the same bytes.
    pub seed: u64,
    /// Distinct URLs and distinct clients to draw from (about half of all requests go to
    /// a hot few, the rest uniformly over all of them).
    pub cardinality: u64,
    /// Access and edge logs: the per cent of requests answered 2xx or 3xx, the rest failing
    /// (404, 499, 5xx; incidents still come and go). `None` keeps the built-in mix, and the
    /// same bytes as before this option existed for the same seed.
    pub healthy: Option<u8>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            kind: LogKind::NginxUpstream,
            size: 1 << 20,
            seed: 1,
            cardinality: 10_000,
            healthy: None,
        }
    }
}

/// splitmix64: small, fast, and the same everywhere.
#[derive(Clone, Debug)]
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n.max(1))) >> 64) as u64
    }

    /// True with probability `per_mille / 1000`.
    fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }

    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Exponentially distributed with the given mean.
    fn exp(&mut self, mean: f64) -> f64 {
        -mean * (1.0 - self.unit()).ln()
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// What an incident breaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cause {
    Refused,
    ReadTimeout,
    ConnectTimeout,
    Reset,
    ClosedEarly,
    NoLive,
    PoolExhausted,
    PhpFatal,
    SocketMissing,
}

impl Cause {
    /// Whether the PHP-FPM side (rather than the HTTP backends) fails.
    fn php(self) -> bool {
        matches!(
            self,
            Cause::PoolExhausted | Cause::PhpFatal | Cause::SocketMissing
        )
    }
}

const NGINX_CAUSES: &[Cause] = &[
    Cause::Refused,
    Cause::Refused,
    Cause::ReadTimeout,
    Cause::ReadTimeout,
    Cause::ConnectTimeout,
    Cause::Reset,
    Cause::ClosedEarly,
    Cause::NoLive,
    Cause::PoolExhausted,
    Cause::PoolExhausted,
    Cause::PhpFatal,
    Cause::SocketMissing,
];

const APACHE_CAUSES: &[Cause] = &[
    Cause::Refused,
    Cause::Refused,
    Cause::ReadTimeout,
    Cause::Reset,
    Cause::NoLive,
    Cause::PoolExhausted,
    Cause::PhpFatal,
    Cause::SocketMissing,
];

const FPM_CAUSES: &[Cause] = &[Cause::PoolExhausted, Cause::PhpFatal, Cause::ReadTimeout];

#[derive(Clone, Copy, Debug)]
struct Incident {
    cause: Cause,
    /// Backend index (0..BACKENDS).
    backend: usize,
    /// Share of affected requests, per mille.
    intensity: u64,
    end_us: i64,
}

const BACKENDS: [&str; 4] = [
    "10.0.1.11:8080",
    "10.0.1.12:8080",
    "10.0.1.13:8080",
    "10.0.1.14:8080",
];
const FPM_SOCKET: &str = "unix:/run/php/php8.2-fpm.sock";
const VHOSTS: [&str; 2] = ["shop.example.test", "api.example.test"];

const USER_AGENTS: [&str; 6] = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    "curl/7.88.1",
    "python-requests/2.31.0",
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
];
const REFERERS: [&str; 3] = [
    "https://shop.example.test/cart",
    "https://shop.example.test/",
    "https://www.google.com/",
];

/// 2026-11-25T00:00:00Z, the day of the fixtures.
const START_UNIX: i64 = 1_795_564_800;

/// Calendar fields of one second, computed once per second.
#[derive(Clone, Copy, Debug, Default)]
struct Civil {
    second: i64,
    year: i64,
    month: usize,
    day: u32,
    hour: u32,
    minute: u32,
    sec: u32,
    weekday: usize,
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

impl Civil {
    fn of(second: i64) -> Civil {
        let days = second.div_euclid(86_400);
        let rem = second.rem_euclid(86_400);
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as usize;
        let year = yoe + era * 400 + i64::from(month <= 2);
        Civil {
            second,
            year,
            month,
            day,
            hour: (rem / 3600) as u32,
            minute: (rem / 60 % 60) as u32,
            sec: (rem % 60) as u32,
            weekday: (days + 4).rem_euclid(7) as usize,
        }
    }
}

/// Appends decimal digits.
fn num(out: &mut Vec<u8>, n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    let mut n = n;
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

/// Appends `n` zero-padded to `width` digits.
fn pad(out: &mut Vec<u8>, n: u64, width: usize) {
    let mut buf = [b'0'; 20];
    let mut i = buf.len();
    let mut n = n;
    while n > 0 && i > 0 {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
    }
    let start = (buf.len() - width).min(i);
    out.extend_from_slice(&buf[start..]);
}

/// Appends milliseconds as seconds with three decimals (`0.004`, `60.001`).
fn secs(out: &mut Vec<u8>, ms: u64) {
    num(out, ms / 1000);
    out.push(b'.');
    pad(out, ms % 1000, 3);
}

fn hex(out: &mut Vec<u8>, n: u64) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut buf = [0u8; 16];
    let mut i = buf.len();
    let mut n = n;
    loop {
        i -= 1;
        buf[i] = DIGITS[(n & 15) as usize];
        n >>= 4;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

/// Where a request goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Route {
    Api,
    Php,
    Static,
}

/// A request of the simulated site.
#[derive(Clone, Copy, Debug)]
struct Request {
    url: u64,
    client: u64,
    route: Route,
    post: bool,
    ua: usize,
    referer: Option<usize>,
    vhost: usize,
    /// An escaped byte in the target (`café` search) or user agent.
    odd: u8,
}

/// How one access-log request went.
#[derive(Clone, Copy, Debug)]
struct Outcome {
    status: u16,
    bytes: u64,
    request_ms: u64,
    /// Up to two tries: (backend or socket index, status, connect ms, header ms, response ms).
    tries: [Option<Try>; 2],
    /// `a : b` (internal redirect) instead of `a, b` (next upstream).
    redirect: bool,
}

#[derive(Clone, Copy, Debug)]
struct Try {
    /// Backend index, or `BACKENDS.len()` for the PHP-FPM socket, `usize::MAX` for the
    /// `backend` upstream group name (no live upstreams).
    peer: usize,
    status: u16,
    connect_ms: Option<u64>,
    header_ms: Option<u64>,
    response_ms: u64,
}

/// Writes one log kind, entry after entry. See the crate docs.
#[derive(Debug)]
pub struct Generator {
    options: Options,
    rng: Rng,
    /// Microseconds since the Unix epoch.
    now_us: i64,
    civil: Civil,
    incident: Option<Incident>,
    next_incident_us: i64,
    connection: u64,
    fpm_child: u64,
    written: u64,
}

impl Generator {
    /// A generator for `options`.
    pub fn new(options: Options) -> Generator {
        let rng = Rng(options.seed ^ 0x6c6f_6773_6361_6e21);
        let now_us = START_UNIX * 1_000_000;
        let first = now_us + 15_000_000;
        Generator {
            options,
            rng,
            now_us,
            civil: Civil::of(START_UNIX),
            incident: None,
            next_incident_us: first,
            connection: 1,
            fpm_child: 20_000,
            written: 0,
        }
    }

    /// The options.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// Writes entries until `options.size` bytes are written (ending with a whole entry).
    pub fn write_to<W: Write>(mut self, mut out: W) -> io::Result<u64> {
        let mut buf = Vec::with_capacity(1 << 20);
        if self.options.kind == LogKind::CloudFront && self.written == 0 {
            Generator::cloudfront_header(&mut buf);
            out.write_all(&buf)?;
            self.written += buf.len() as u64;
        }
        while self.written < self.options.size {
            buf.clear();
            while buf.len() < (1 << 20) - 16_384
                && self.written + (buf.len() as u64) < self.options.size
            {
                self.entry(&mut buf);
            }
            out.write_all(&buf)?;
            self.written += buf.len() as u64;
        }
        out.flush()?;
        Ok(self.written)
    }

    /// Appends the next entry, with its final `\n` (nginx FastCGI entries span lines).
    pub fn entry(&mut self, out: &mut Vec<u8>) {
        self.advance();
        match self.options.kind {
            LogKind::NginxError => self.nginx_error(out),
            LogKind::ApacheError => self.apache_error(out),
            LogKind::PhpFpm => self.fpm(out),
            kind => {
                let request = self.request(None);
                let outcome = self.outcome(&request);
                match kind {
                    _ if kind.is_edge() => self.edge(out, &request, &outcome),
                    LogKind::ApacheAccess => self.apache_access(out, &request, &outcome),
                    _ => self.nginx_access(out, &request, &outcome),
                }
            }
        }
    }

    /// Moves the clock on and starts or ends incidents.
    fn advance(&mut self) {
        let kind = self.options.kind;
        let in_incident = self.incident.is_some();
        // Mean seconds between entries.
        let mean = match (kind.is_access(), kind, in_incident) {
            (true, _, _) => 1.0 / 400.0,
            (false, LogKind::PhpFpm, false) => 2.0,
            (false, LogKind::PhpFpm, true) => 1.0 / 40.0,
            (false, _, false) => 1.0 / 5.0,
            (false, _, true) => 1.0 / 150.0,
        };
        self.now_us += (self.rng.exp(mean) * 1e6) as i64 + 1;
        if let Some(incident) = self.incident {
            if self.now_us >= incident.end_us {
                self.incident = None;
                self.next_incident_us = self.now_us + (self.rng.exp(1_800.0) * 1e6) as i64;
            }
        } else if self.now_us >= self.next_incident_us {
            let causes = match kind {
                LogKind::ApacheError | LogKind::ApacheAccess => APACHE_CAUSES,
                LogKind::PhpFpm => FPM_CAUSES,
                _ => NGINX_CAUSES,
            };
            let duration_s = 60 + self.rng.below(540);
            self.incident = Some(Incident {
                cause: *self.rng.pick(causes),
                backend: self.rng.below(BACKENDS.len() as u64) as usize,
                intensity: 300 + self.rng.below(650),
                end_us: self.now_us + duration_s as i64 * 1_000_000,
            });
        }
        let second = self.now_us.div_euclid(1_000_000);
        if second != self.civil.second {
            self.civil = Civil::of(second);
        }
    }

    /// An index below the cardinality, half of the time one of a hot few.
    fn skewed(&mut self, hot: u64) -> u64 {
        let n = self.options.cardinality.max(1);
        if self.rng.chance(500) {
            self.rng.below(n.min(hot))
        } else {
            self.rng.below(n)
        }
    }

    /// A request; `route` forces where it goes.
    fn request(&mut self, route: Option<Route>) -> Request {
        let mut url = self.skewed(16);
        let template = match route {
            Some(Route::Api) => *self.rng.pick(&[0u64, 1, 4]),
            Some(Route::Php) => *self.rng.pick(&[2u64, 3]),
            Some(Route::Static) => 5,
            None => url % 6,
        };
        url = url - url % 6 + template;
        let route = match template {
            0 | 1 | 4 => Route::Api,
            2 | 3 => Route::Php,
            _ => Route::Static,
        };
        let client = self.skewed(8);
        let odd = if self.rng.chance(3) {
            1 + self.rng.below(2) as u8
        } else {
            0
        };
        Request {
            url,
            client,
            route,
            post: template == 4 && self.rng.chance(600),
            ua: self.rng.below(USER_AGENTS.len() as u64) as usize,
            referer: if self.rng.chance(250) {
                Some(self.rng.below(REFERERS.len() as u64) as usize)
            } else {
                None
            },
            vhost: usize::from(self.rng.chance(200)),
            odd,
        }
    }

    fn client(&self, out: &mut Vec<u8>, client: u64) {
        if client % 10 == 9 {
            out.extend_from_slice(b"2001:db8::");
            hex(out, client);
        } else {
            num(out, 10 + (client >> 24));
            for shift in [16, 8, 0] {
                out.push(b'.');
                num(out, (client >> shift) & 255);
            }
        }
    }

    fn target(&self, out: &mut Vec<u8>, r: &Request, apache: bool) {
        let n = r.url / 6;
        match r.url % 6 {
            0 => {
                out.extend_from_slice(b"/api/items/");
                num(out, n);
            }
            1 => {
                out.extend_from_slice(b"/api/users/");
                num(out, n);
                out.extend_from_slice(b"?fields=name,email");
            }
            2 => {
                out.extend_from_slice(b"/index.php?page=");
                num(out, n);
            }
            3 => {
                out.extend_from_slice(b"/product/");
                num(out, n);
                out.extend_from_slice(b"-blue-widget.php");
            }
            4 => {
                out.extend_from_slice(b"/api/orders/");
                num(out, n);
                out.extend_from_slice(b"/status");
            }
            _ => {
                out.extend_from_slice(b"/static/img/");
                hex(out, n);
                out.extend_from_slice(b".webp");
            }
        }
        if r.odd == 1 {
            // nginx escapes bytes >= 0x7f in access logs as \xHH; Apache too.
            out.extend_from_slice(if apache {
                b"&q=caf\\xc3\\xa9"
            } else {
                b"&q=caf\\xC3\\xA9"
            });
        }
    }

    fn request_line(&self, out: &mut Vec<u8>, r: &Request, apache: bool) {
        out.extend_from_slice(if r.post { b"POST " } else { b"GET " });
        self.target(out, r, apache);
        out.extend_from_slice(b" HTTP/1.1");
    }

    /// The raw (unescaped) request line as nginx's error log writes it.
    fn raw_request_line(&self, out: &mut Vec<u8>, r: &Request) {
        let start = out.len();
        self.request_line(out, r, false);
        if r.odd == 1 {
            // The error log writes the bytes as they came.
            let text = out.split_off(start);
            let raw = String::from_utf8_lossy(&text).replace("\\xC3\\xA9", "é");
            out.extend_from_slice(raw.as_bytes());
        }
    }

    fn user_agent(&self, out: &mut Vec<u8>, r: &Request, apache: bool) {
        if r.odd == 2 {
            out.extend_from_slice(if apache {
                br#"Mozilla/5.0 (compatible; \"Scanner\"/1.0; +https://scan.example/)"#
            } else {
                br#"Mozilla/5.0 (compatible; \x22Scanner\x22/1.0; +https://scan.example/)"#
            });
        } else {
            out.extend_from_slice(USER_AGENTS[r.ua].as_bytes());
        }
    }

    /// Status, sizes, times and upstream tries of one request.
    fn outcome(&mut self, r: &Request) -> Outcome {
        let base_ms = if self.rng.chance(50) {
            200 + self.rng.below(2_000)
        } else {
            1 + self.rng.below(60)
        };
        let peer = match r.route {
            Route::Php => BACKENDS.len(),
            _ => self.rng.below(BACKENDS.len() as u64) as usize,
        };
        let ok = Try {
            peer,
            status: 200,
            connect_ms: Some(0),
            header_ms: Some(base_ms),
            response_ms: base_ms,
        };
        let mut outcome = Outcome {
            status: 200,
            bytes: 500 + self.rng.below(40_000),
            request_ms: base_ms,
            tries: [Some(ok), None],
            redirect: false,
        };
        // With `--healthy`, one draw decides whether this request fails (`Some(true)`);
        // without it no extra draw is made, so the default output stays as it was.
        let failing = self
            .options
            .healthy
            .map(|per_cent| !self.rng.chance(u64::from(per_cent.min(100)) * 10));
        if r.route == Route::Static {
            outcome.tries = [None, None];
            outcome.request_ms = 0;
            let draw = match failing {
                None => self.rng.below(1000),
                // 404 only.
                Some(true) => 50 + self.rng.below(30),
                // 200 or 304.
                Some(false) => match self.rng.below(1000) {
                    50..=79 => 999,
                    draw => draw,
                },
            };
            match draw {
                0..=49 => {
                    outcome.status = 304;
                    outcome.bytes = 0;
                }
                50..=79 => {
                    outcome.status = 404;
                    outcome.bytes = 153;
                }
                _ => {}
            }
            return outcome;
        }
        let incident = self.incident.filter(|i| {
            failing != Some(false)
                && (i.cause.php() == (r.route == Route::Php))
                && self.rng.chance(i.intensity)
        });
        if let Some(incident) = incident {
            self.fail(&mut outcome, incident, failing != Some(true));
            return outcome;
        }
        let draw = match failing {
            None => self.rng.below(10_000),
            // A reset (502), a client that gave up (499) or a 404.
            Some(true) => match self.rng.below(100) {
                0..=9 => 0,
                10..=29 => 10,
                _ => 80,
            },
            // 2xx or 3xx: the failing draws become plain 200s.
            Some(false) => match self.rng.below(10_000) {
                0..=29 | 80..=379 => 9_999,
                draw => draw,
            },
        };
        match draw {
            0..=9 => self.fail(
                &mut outcome,
                Incident {
                    cause: Cause::Reset,
                    backend: peer.min(BACKENDS.len() - 1),
                    intensity: 0,
                    end_us: 0,
                },
                failing != Some(true),
            ),
            10..=29 => {
                // Client gave up.
                outcome.status = 499;
                outcome.bytes = 0;
                outcome.request_ms = 1_000 + self.rng.below(9_000);
                if let Some(t) = &mut outcome.tries[0] {
                    t.status = 0;
                    t.header_ms = None;
                    t.response_ms = outcome.request_ms;
                }
            }
            30..=79 => {
                // X-Accel-Redirect / error_page: an internal redirect, `a : b`.
                outcome.redirect = true;
                outcome.tries[0] = Some(Try { status: 404, ..ok });
                outcome.tries[1] = Some(Try {
                    peer: BACKENDS.len(),
                    ..ok
                });
            }
            80..=379 => {
                outcome.status = 404;
                outcome.bytes = 153;
                if let Some(t) = &mut outcome.tries[0] {
                    t.status = 404;
                }
            }
            380..=579 => {
                outcome.status = 302;
                outcome.bytes = 0;
                if let Some(t) = &mut outcome.tries[0] {
                    t.status = 302;
                }
            }
            _ => {}
        }
        outcome
    }

    /// A failed request; `may_rescue`: a retry on another backend may still answer 200.
    fn fail(&mut self, o: &mut Outcome, incident: Incident, may_rescue: bool) {
        let peer = match incident.cause {
            c if c.php() => BACKENDS.len(),
            Cause::NoLive => usize::MAX,
            _ => incident.backend,
        };
        o.bytes = 157 + self.rng.below(400);
        let mut first = Try {
            peer,
            status: 502,
            connect_ms: None,
            header_ms: None,
            response_ms: self.rng.below(2),
        };
        o.status = 502;
        match incident.cause {
            Cause::Refused | Cause::SocketMissing | Cause::Reset | Cause::ClosedEarly => {
                if matches!(incident.cause, Cause::Reset | Cause::ClosedEarly) {
                    first.connect_ms = Some(0);
                    first.response_ms = self.rng.below(3_000);
                }
            }
            Cause::ReadTimeout | Cause::PoolExhausted => {
                o.status = 504;
                first.status = 504;
                first.connect_ms = Some(0);
                first.response_ms = 60_000 + self.rng.below(5);
            }
            Cause::ConnectTimeout => {
                o.status = 504;
                first.status = 504;
                first.response_ms = 5_000 + self.rng.below(5);
            }
            Cause::NoLive => {
                first.response_ms = 0;
            }
            Cause::PhpFatal => {
                o.status = 500;
                first.status = 500;
                first.connect_ms = Some(0);
                first.header_ms = Some(first.response_ms + 20);
                first.response_ms += 20;
            }
        }
        o.request_ms = first.response_ms + self.rng.below(2);
        o.tries = [Some(first), None];
        // proxy_next_upstream: a second try on another backend.
        if peer < BACKENDS.len()
            && matches!(
                incident.cause,
                Cause::Refused | Cause::Reset | Cause::ConnectTimeout
            )
            && self.rng.chance(400)
        {
            // The draw is made either way, so that the default output does not change.
            let rescued = self.rng.chance(500) && may_rescue;
            let second = Try {
                peer: (peer + 1) % BACKENDS.len(),
                status: if rescued { 200 } else { 502 },
                connect_ms: Some(0),
                header_ms: rescued.then_some(3),
                response_ms: if rescued { 3 } else { 0 },
            };
            o.tries[1] = Some(second);
            o.request_ms += second.response_ms;
            if rescued {
                o.status = 200;
                o.bytes = 500 + self.rng.below(40_000);
            } else if o.status == 504 {
                o.status = 502;
            }
        }
    }

    fn peer(&self, out: &mut Vec<u8>, peer: usize) {
        match peer {
            p if p < BACKENDS.len() => out.extend_from_slice(BACKENDS[p].as_bytes()),
            usize::MAX => out.extend_from_slice(b"backend"),
            _ => out.extend_from_slice(FPM_SOCKET.as_bytes()),
        }
    }

    /// One multi-value upstream field: `a, b`, `a : b`, or `-`.
    fn upstream_field(&self, out: &mut Vec<u8>, o: &Outcome, field: impl Fn(&mut Vec<u8>, &Try)) {
        let mut any = false;
        for t in o.tries.iter().flatten() {
            if any {
                out.extend_from_slice(if o.redirect { b" : " } else { b", " });
            }
            field(out, t);
            any = true;
        }
        if !any {
            out.push(b'-');
        }
    }

    fn access_time(&self, out: &mut Vec<u8>) {
        let c = &self.civil;
        out.push(b'[');
        pad(out, u64::from(c.day), 2);
        out.push(b'/');
        out.extend_from_slice(MONTHS[c.month - 1].as_bytes());
        out.push(b'/');
        num(out, c.year as u64);
        out.push(b':');
        pad(out, u64::from(c.hour), 2);
        out.push(b':');
        pad(out, u64::from(c.minute), 2);
        out.push(b':');
        pad(out, u64::from(c.sec), 2);
        out.extend_from_slice(b" +0000]");
    }

    /// The `combined` part shared by every access kind.
    fn combined(&self, out: &mut Vec<u8>, r: &Request, o: &Outcome, apache: bool) {
        self.client(out, r.client);
        out.extend_from_slice(b" - - ");
        self.access_time(out);
        out.extend_from_slice(b" \"");
        self.request_line(out, r, apache);
        out.extend_from_slice(b"\" ");
        num(out, u64::from(o.status));
        out.push(b' ');
        if apache && o.bytes == 0 {
            out.push(b'-');
        } else {
            num(out, o.bytes);
        }
        out.extend_from_slice(b" \"");
        match r.referer {
            Some(i) => out.extend_from_slice(REFERERS[i].as_bytes()),
            None => out.push(b'-'),
        }
        out.extend_from_slice(b"\" \"");
        self.user_agent(out, r, apache);
        out.push(b'"');
    }

    fn nginx_access(&mut self, out: &mut Vec<u8>, r: &Request, o: &Outcome) {
        self.combined(out, r, o, false);
        match self.options.kind {
            LogKind::NginxUpstream => {
                out.extend_from_slice(b" rt=");
                secs(out, o.request_ms);
                out.extend_from_slice(b" uct=\"");
                self.upstream_field(out, o, |out, t| match t.connect_ms {
                    Some(ms) => secs(out, ms),
                    None => out.push(b'-'),
                });
                out.extend_from_slice(b"\" uht=\"");
                self.upstream_field(out, o, |out, t| match t.header_ms {
                    Some(ms) => secs(out, ms),
                    None => out.push(b'-'),
                });
                out.extend_from_slice(b"\" urt=\"");
                self.upstream_field(out, o, |out, t| secs(out, t.response_ms));
                out.extend_from_slice(b"\" ua=\"");
                self.upstream_field(out, o, |out, t| self.peer(out, t.peer));
                out.extend_from_slice(b"\" us=\"");
                self.upstream_field(out, o, |out, t| match t.status {
                    0 => out.push(b'-'),
                    s => num(out, u64::from(s)),
                });
                out.push(b'"');
            }
            LogKind::Ingress => {
                out.push(b' ');
                num(out, 300 + self.rng.below(600));
                out.push(b' ');
                secs(out, o.request_ms);
                out.extend_from_slice(if r.route == Route::Php {
                    b" [shop-php-80] [] "
                } else {
                    b" [shop-api-8080] [] "
                });
                self.upstream_field(out, o, |out, t| match t.peer {
                    p if p < BACKENDS.len() => {
                        out.extend_from_slice(b"10.244.0.");
                        num(out, 7 + p as u64);
                        out.extend_from_slice(b":8080");
                    }
                    usize::MAX => out.push(b'-'),
                    _ => out.extend_from_slice(b"10.244.1.3:9000"),
                });
                out.push(b' ');
                self.upstream_field(out, o, |out, t| {
                    num(out, if t.status == 200 { o.bytes } else { 0 })
                });
                out.push(b' ');
                self.upstream_field(out, o, |out, t| secs(out, t.response_ms));
                out.push(b' ');
                self.upstream_field(out, o, |out, t| match t.status {
                    0 => out.push(b'-'),
                    s => num(out, u64::from(s)),
                });
                out.push(b' ');
                hex(out, self.rng.next());
                hex(out, self.rng.next() | 1 << 63);
            }
            _ => {}
        }
        out.push(b'\n');
    }

    fn apache_access(&mut self, out: &mut Vec<u8>, r: &Request, o: &Outcome) {
        let mut o = *o;
        // Apache answers 503 when it cannot connect, 502 when the backend misbehaves.
        if o.status == 502
            && o.tries[0].is_some_and(|t| t.connect_ms.is_none() || t.peer == usize::MAX)
        {
            o.status = 503;
        }
        self.combined(out, r, &o, true);
        out.push(b' ');
        num(out, o.request_ms * 1000 + self.rng.below(1000));
        out.push(b'\n');
    }

    // ---- nginx error log -------------------------------------------------------------

    fn nginx_prefix(&mut self, out: &mut Vec<u8>, level: &str, connection: bool) {
        let c = self.civil;
        num(out, c.year as u64);
        out.push(b'/');
        pad(out, c.month as u64, 2);
        out.push(b'/');
        pad(out, u64::from(c.day), 2);
        out.push(b' ');
        pad(out, u64::from(c.hour), 2);
        out.push(b':');
        pad(out, u64::from(c.minute), 2);
        out.push(b':');
        pad(out, u64::from(c.sec), 2);
        out.extend_from_slice(b" [");
        out.extend_from_slice(level.as_bytes());
        out.extend_from_slice(b"] ");
        let pid = 11_338 + self.rng.below(4);
        num(out, pid);
        out.push(b'#');
        num(out, pid);
        out.extend_from_slice(b": ");
        if connection {
            out.push(b'*');
            self.connection += 1 + self.rng.below(3);
            num(out, self.connection);
            out.push(b' ');
        }
    }

    /// `, client: ..., server: ..., request: "...", upstream: "...", host: "..."`.
    fn nginx_context(&self, out: &mut Vec<u8>, r: &Request, upstream: Option<usize>) {
        out.extend_from_slice(b", client: ");
        self.client(out, r.client);
        out.extend_from_slice(b", server: ");
        out.extend_from_slice(VHOSTS[r.vhost].as_bytes());
        out.extend_from_slice(b", request: \"");
        self.raw_request_line(out, r);
        out.push(b'"');
        if let Some(peer) = upstream {
            out.extend_from_slice(b", upstream: \"");
            if peer == BACKENDS.len() {
                out.extend_from_slice(b"fastcgi://");
                out.extend_from_slice(FPM_SOCKET.as_bytes());
                out.push(b':');
            } else {
                out.extend_from_slice(b"http://");
                self.peer(out, peer);
                let start = out.len();
                self.target(out, r, false);
                if r.odd == 1 {
                    out.truncate(start);
                    self.target(out, &Request { odd: 0, ..*r }, false);
                }
            }
            out.push(b'"');
        }
        out.extend_from_slice(b", host: \"");
        out.extend_from_slice(VHOSTS[r.vhost].as_bytes());
        out.push(b'"');
        if let Some(i) = r.referer {
            out.extend_from_slice(b", referrer: \"");
            out.extend_from_slice(REFERERS[i].as_bytes());
            out.push(b'"');
        }
        out.push(b'\n');
    }

    fn nginx_error(&mut self, out: &mut Vec<u8>) {
        let incident = self.incident.filter(|_| self.rng.chance(950));
        let Some(incident) = incident else {
            return self.nginx_baseline(out);
        };
        let route = if incident.cause.php() {
            Route::Php
        } else {
            Route::Api
        };
        let r = self.request(Some(route));
        let backend = incident.backend;
        let php = BACKENDS.len();
        match incident.cause {
            Cause::Refused => {
                self.nginx_prefix(out, "error", true);
                out.extend_from_slice(
                    b"connect() failed (111: Connection refused) while connecting to upstream",
                );
                self.nginx_context(out, &r, Some(backend));
                if self.rng.chance(100) {
                    // The same request, marked down (max_fails reached).
                    let connection = self.connection;
                    self.nginx_prefix(out, "warn", false);
                    out.push(b'*');
                    num(out, connection);
                    out.extend_from_slice(
                        b" upstream server temporarily disabled while connecting to upstream",
                    );
                    self.nginx_context(out, &r, Some(backend));
                }
            }
            Cause::ReadTimeout => {
                self.nginx_prefix(out, "error", true);
                out.extend_from_slice(b"upstream timed out (110: Connection timed out) while reading response header from upstream");
                self.nginx_context(out, &r, Some(backend));
            }
            Cause::ConnectTimeout => {
                self.nginx_prefix(out, "error", true);
                out.extend_from_slice(
                    b"upstream timed out (110: Connection timed out) while connecting to upstream",
                );
                self.nginx_context(out, &r, Some(backend));
            }
            Cause::Reset => {
                self.nginx_prefix(out, "error", true);
                out.extend_from_slice(b"recv() failed (104: Connection reset by peer) while reading response header from upstream");
                self.nginx_context(out, &r, Some(backend));
            }
            Cause::ClosedEarly => {
                self.nginx_prefix(out, "error", true);
                out.extend_from_slice(b"upstream prematurely closed connection while reading response header from upstream");
                self.nginx_context(out, &r, Some(backend));
            }
            Cause::NoLive => {
                self.nginx_prefix(out, "error", true);
                out.extend_from_slice(b"no live upstreams while connecting to upstream");
                self.nginx_context(out, &r, Some(usize::MAX));
            }
            Cause::PoolExhausted => {
                if self.rng.chance(700) {
                    self.nginx_prefix(out, "error", true);
                    out.extend_from_slice(b"upstream timed out (110: Connection timed out) while reading response header from upstream");
                } else {
                    self.nginx_prefix(out, "error", true);
                    out.extend_from_slice(b"connect() to ");
                    out.extend_from_slice(FPM_SOCKET.as_bytes());
                    out.extend_from_slice(b" failed (11: Resource temporarily unavailable) while connecting to upstream");
                }
                self.nginx_context(out, &r, Some(php));
            }
            Cause::PhpFatal => self.php_fatal(out, &r),
            Cause::SocketMissing => {
                self.nginx_prefix(out, "crit", true);
                out.extend_from_slice(b"connect() to ");
                out.extend_from_slice(FPM_SOCKET.as_bytes());
                out.extend_from_slice(
                    b" failed (2: No such file or directory) while connecting to upstream",
                );
                self.nginx_context(out, &r, Some(php));
            }
        }
    }

    /// A FastCGI stderr entry with a PHP stack trace: several physical lines.
    fn php_fatal(&mut self, out: &mut Vec<u8>, r: &Request) {
        self.nginx_prefix(out, "error", true);
        let cents = 100 + self.rng.below(10_000);
        match self.rng.below(3) {
            0 => {
                out.extend_from_slice(b"FastCGI sent in stderr: \"PHP message: PHP Fatal error:  Uncaught RuntimeException: gateway returned HTTP 500 for charge of ");
                num(out, cents);
                out.extend_from_slice(b" cents in /var/www/shop/src/Payment/Gateway.php:42\nStack trace:\n#0 /var/www/shop/src/Checkout.php(88): PaymentGateway->charge(");
                num(out, cents);
                out.extend_from_slice(b")\n#1 /var/www/shop/public/index.php(10): checkout(Object(PaymentGateway), Array)\n#2 {main}\n  thrown in /var/www/shop/src/Payment/Gateway.php on line 42\"");
            }
            1 => out.extend_from_slice(b"FastCGI sent in stderr: \"PHP message: PHP Fatal error:  Uncaught Error: Call to undefined function render_cart_widget() in /var/www/shop/templates/cart.php:4\nStack trace:\n#0 {main}\n  thrown in /var/www/shop/templates/cart.php on line 4\""),
            _ => out.extend_from_slice(b"FastCGI sent in stderr: \"PHP message: PHP Fatal error:  Maximum execution time of 30 seconds exceeded in /var/www/shop/src/Report.php on line 118\""),
        }
        out.extend_from_slice(b" while reading response header from upstream");
        self.nginx_context(out, r, Some(BACKENDS.len()));
    }

    fn nginx_baseline(&mut self, out: &mut Vec<u8>) {
        let r = self.request(None);
        match self.rng.below(100) {
            0..=29 => {
                self.nginx_prefix(out, "error", true);
                out.extend_from_slice(b"open() \"/usr/share/nginx/html/favicon.ico\" failed (2: No such file or directory)");
                let r = Request {
                    url: 5,
                    odd: 0,
                    post: false,
                    ..r
                };
                out.extend_from_slice(b", client: ");
                self.client(out, r.client);
                out.extend_from_slice(b", server: ");
                out.extend_from_slice(VHOSTS[r.vhost].as_bytes());
                out.extend_from_slice(b", request: \"GET /favicon.ico HTTP/1.1\", host: \"");
                out.extend_from_slice(VHOSTS[r.vhost].as_bytes());
                out.extend_from_slice(b"\"\n");
            }
            30..=54 => {
                self.nginx_prefix(out, "warn", true);
                out.extend_from_slice(
                    b"an upstream response is buffered to a temporary file /var/lib/nginx/proxy/",
                );
                num(out, self.rng.below(10));
                out.push(b'/');
                pad(out, self.rng.below(100), 2);
                out.push(b'/');
                pad(out, self.connection, 10);
                out.extend_from_slice(b" while reading upstream");
                let r = Request {
                    route: Route::Api,
                    url: r.url - r.url % 6,
                    ..r
                };
                let backend = self.rng.below(4) as usize;
                self.nginx_context(out, &r, Some(backend));
            }
            55..=64 => {
                self.nginx_prefix(out, "warn", true);
                out.extend_from_slice(
                    b"a client request body is buffered to a temporary file /var/lib/nginx/body/",
                );
                pad(out, self.connection, 10);
                let r = Request {
                    post: true,
                    url: r.url - r.url % 6 + 4,
                    ..r
                };
                self.nginx_context(out, &r, None);
            }
            65..=74 => {
                self.nginx_prefix(out, "error", true);
                out.extend_from_slice(b"limiting requests, excess: ");
                num(out, 5 + self.rng.below(5));
                out.push(b'.');
                pad(out, self.rng.below(1000), 3);
                out.extend_from_slice(b" by zone \"api\"");
                self.nginx_context(out, &r, None);
            }
            75..=82 => {
                self.nginx_prefix(out, "info", true);
                out.extend_from_slice(
                    b"client closed connection while waiting for request, client: ",
                );
                self.client(out, r.client);
                out.extend_from_slice(b", server: 0.0.0.0:443\n");
            }
            83..=88 => {
                let r = self.request(Some(Route::Api));
                self.nginx_prefix(out, "error", true);
                out.extend_from_slice(b"upstream prematurely closed connection while reading response header from upstream");
                let backend = self.rng.below(4) as usize;
                self.nginx_context(out, &r, Some(backend));
            }
            89..=93 => {
                let r = self.request(Some(Route::Php));
                self.nginx_prefix(out, "error", true);
                out.extend_from_slice(b"FastCGI sent in stderr: \"PHP message: PHP Warning:  Undefined array key \"timeout\" in /var/www/shop/src/Cart.php on line 3\" while reading response header from upstream");
                self.nginx_context(out, &r, Some(BACKENDS.len()));
            }
            94..=96 => {
                let r = self.request(Some(Route::Php));
                self.php_fatal(out, &r);
            }
            _ => {
                self.nginx_prefix(out, "notice", false);
                out.extend_from_slice(b"signal process started\n");
            }
        }
    }

    // ---- Apache error log --------------------------------------------------------------

    fn apache_prefix(&mut self, out: &mut Vec<u8>, module: &str, pid: u64, tid: u64) {
        let c = self.civil;
        out.push(b'[');
        out.extend_from_slice(WEEKDAYS[c.weekday].as_bytes());
        out.push(b' ');
        out.extend_from_slice(MONTHS[c.month - 1].as_bytes());
        out.push(b' ');
        pad(out, u64::from(c.day), 2);
        out.push(b' ');
        pad(out, u64::from(c.hour), 2);
        out.push(b':');
        pad(out, u64::from(c.minute), 2);
        out.push(b':');
        pad(out, u64::from(c.sec), 2);
        out.push(b'.');
        pad(out, self.now_us.rem_euclid(1_000_000) as u64, 6);
        out.push(b' ');
        num(out, c.year as u64);
        out.extend_from_slice(b"] [");
        out.extend_from_slice(module.as_bytes());
        out.extend_from_slice(b"] [pid ");
        num(out, pid);
        out.extend_from_slice(b":tid ");
        num(out, tid);
        out.extend_from_slice(b"] ");
    }

    fn apache_client(&self, out: &mut Vec<u8>, r: &Request) {
        out.extend_from_slice(b"[client ");
        if r.client % 10 == 9 {
            out.push(b'[');
            self.client(out, r.client);
            out.push(b']');
        } else {
            self.client(out, r.client);
        }
        out.push(b':');
        num(out, 32_768 + (r.client.wrapping_mul(7919) % 28_000));
        out.extend_from_slice(b"] ");
    }

    fn apache_referer(out: &mut Vec<u8>, r: &Request) {
        if let Some(i) = r.referer {
            out.extend_from_slice(b", referer: ");
            out.extend_from_slice(REFERERS[i].as_bytes());
        }
        out.push(b'\n');
    }

    fn apache_path(&self, out: &mut Vec<u8>, r: &Request) {
        let start = out.len();
        self.target(out, &Request { odd: 0, ..*r }, true);
        if let Some(q) = out[start..].iter().position(|&b| b == b'?') {
            out.truncate(start + q);
        }
    }

    fn apache_error(&mut self, out: &mut Vec<u8>) {
        let pid = 15_930 + self.rng.below(3);
        let tid = pid + 3 + self.rng.below(25);
        let incident = self.incident.filter(|_| self.rng.chance(950));
        let Some(incident) = incident else {
            return self.apache_baseline(out, pid, tid);
        };
        let route = if incident.cause.php() {
            Route::Php
        } else {
            Route::Api
        };
        let r = self.request(Some(route));
        let backend = BACKENDS[incident.backend];
        let host = &backend[..backend.len() - 5];
        match incident.cause {
            Cause::Refused | Cause::ConnectTimeout | Cause::ClosedEarly => {
                self.apache_prefix(out, "proxy:error", pid, tid);
                out.extend_from_slice(
                    b"(111)Connection refused: AH00957: http: attempt to connect to ",
                );
                out.extend_from_slice(backend.as_bytes());
                out.extend_from_slice(b" (");
                out.extend_from_slice(backend.as_bytes());
                out.extend_from_slice(b") failed\n");
                self.now_us += 40 + self.rng.below(80) as i64;
                self.apache_prefix(out, "proxy_http:error", pid, tid);
                self.apache_client(out, &r);
                out.extend_from_slice(b"AH01114: HTTP: failed to make connection to backend: ");
                out.extend_from_slice(host.as_bytes());
                Self::apache_referer(out, &r);
            }
            Cause::ReadTimeout | Cause::Reset => {
                self.apache_prefix(out, "proxy_http:error", pid, tid);
                out.extend_from_slice(if incident.cause == Cause::Reset {
                    b"(104)Connection reset by peer: "
                } else {
                    b"(70007)The timeout specified has expired: "
                });
                self.apache_client(out, &r);
                out.extend_from_slice(b"AH01102: error reading status line from remote server ");
                out.extend_from_slice(backend.as_bytes());
                out.push(b'\n');
                self.now_us += 20 + self.rng.below(80) as i64;
                self.apache_prefix(out, "proxy:error", pid, tid);
                self.apache_client(out, &r);
                out.extend_from_slice(b"AH00898: Error reading from remote server returned by ");
                self.apache_path(out, &r);
                Self::apache_referer(out, &r);
            }
            Cause::NoLive => {
                self.apache_prefix(out, "proxy_balancer:error", pid, tid);
                self.apache_client(out, &r);
                out.extend_from_slice(b"AH01170: balancer://api: All workers are in error state");
                Self::apache_referer(out, &r);
            }
            Cause::PoolExhausted => {
                self.apache_prefix(out, "proxy_fcgi:error", pid, tid);
                out.extend_from_slice(b"(70007)The timeout specified has expired: ");
                self.apache_client(out, &r);
                out.extend_from_slice(b"AH01075: Error dispatching request to : (polling)");
                Self::apache_referer(out, &r);
            }
            Cause::PhpFatal => {
                self.apache_prefix(out, "proxy_fcgi:error", pid, tid);
                self.apache_client(out, &r);
                if self.rng.chance(500) {
                    out.extend_from_slice(b"AH01071: Got error 'PHP message: PHP Fatal error:  Uncaught Error: Call to undefined function render_cart_widget() in /var/www/shop/templates/cart.php:4\\nStack trace:\\n#0 {main}\\n  thrown in /var/www/shop/templates/cart.php on line 4'");
                } else {
                    out.extend_from_slice(b"AH01071: Got error 'PHP message: PHP Fatal error:  Maximum execution time of 30 seconds exceeded in /var/www/shop/src/Report.php on line 118'");
                }
                Self::apache_referer(out, &r);
            }
            Cause::SocketMissing => {
                self.apache_prefix(out, "proxy:error", pid, tid);
                out.extend_from_slice(b"(2)No such file or directory: AH02454: FCGI: attempt to connect to Unix domain socket /run/php/php8.2-fpm.sock (localhost:8000) failed\n");
                self.now_us += 20 + self.rng.below(80) as i64;
                self.apache_prefix(out, "proxy_fcgi:error", pid, tid);
                self.apache_client(out, &r);
                out.extend_from_slice(b"AH01079: failed to make connection to backend: localhost");
                Self::apache_referer(out, &r);
            }
        }
    }

    fn apache_baseline(&mut self, out: &mut Vec<u8>, pid: u64, tid: u64) {
        let r = self.request(None);
        match self.rng.below(100) {
            0..=44 => {
                self.apache_prefix(out, "authz_core:error", pid, tid);
                self.apache_client(out, &r);
                out.extend_from_slice(
                    b"AH01630: client denied by server configuration: /var/www/shop/.env",
                );
                Self::apache_referer(out, &r);
            }
            45..=74 => {
                let r = self.request(Some(Route::Api));
                self.apache_prefix(out, "proxy_http:warn", pid, tid);
                self.apache_client(out, &r);
                out.extend_from_slice(b"AH01106: bad HTTP/1.1 header returned by ");
                self.apache_path(out, &r);
                out.extend_from_slice(if r.post { b" (POST)" } else { b" (GET)" });
                Self::apache_referer(out, &r);
            }
            75..=89 => {
                let r = self.request(Some(Route::Api));
                let backend = BACKENDS[self.rng.below(4) as usize];
                self.apache_prefix(out, "proxy_http:error", pid, tid);
                out.extend_from_slice(b"(104)Connection reset by peer: ");
                self.apache_client(out, &r);
                out.extend_from_slice(b"AH01102: error reading status line from remote server ");
                out.extend_from_slice(backend.as_bytes());
                out.push(b'\n');
                self.now_us += 20;
                self.apache_prefix(out, "proxy:error", pid, tid);
                self.apache_client(out, &r);
                out.extend_from_slice(b"AH00898: Error reading from remote server returned by ");
                self.apache_path(out, &r);
                Self::apache_referer(out, &r);
            }
            _ => {
                self.apache_prefix(out, "mpm_event:notice", 15_929, 15_929);
                out.extend_from_slice(
                    b"AH00489: Apache/2.4.71 (Debian) configured -- resuming normal operations\n",
                );
            }
        }
    }

    // ---- PHP-FPM master log ------------------------------------------------------------

    fn fpm_prefix(&self, out: &mut Vec<u8>, level: &str) {
        let c = self.civil;
        out.push(b'[');
        pad(out, u64::from(c.day), 2);
        out.push(b'-');
        out.extend_from_slice(MONTHS[c.month - 1].as_bytes());
        out.push(b'-');
        num(out, c.year as u64);
        out.push(b' ');
        pad(out, u64::from(c.hour), 2);
        out.push(b':');
        pad(out, u64::from(c.minute), 2);
        out.push(b':');
        pad(out, u64::from(c.sec), 2);
        out.extend_from_slice(b"] ");
        out.extend_from_slice(level.as_bytes());
        out.extend_from_slice(b": ");
    }

    fn fpm_stderr(&mut self, out: &mut Vec<u8>, child: u64, text: &[u8]) {
        self.fpm_prefix(out, "WARNING");
        out.extend_from_slice(b"[pool www] child ");
        num(out, child);
        out.extend_from_slice(b" said into stderr: \"");
        out.extend_from_slice(text);
        out.extend_from_slice(b"\"\n");
    }

    fn fpm(&mut self, out: &mut Vec<u8>) {
        let child = 20_000 + self.rng.below(50);
        match self.incident.map(|i| i.cause) {
            Some(Cause::PoolExhausted) => {
                if self.rng.chance(500) {
                    self.fpm_prefix(out, "WARNING");
                    out.extend_from_slice(b"[pool www] server reached pm.max_children setting (50), consider raising it\n");
                } else {
                    self.fpm_prefix(out, "WARNING");
                    out.extend_from_slice(b"[pool www] seems busy (you may need to increase pm.start_servers, or pm.min/max_spare_servers), spawning 8 children, there are 0 idle, and ");
                    num(out, 40 + self.rng.below(10));
                    out.extend_from_slice(b" total children\n");
                }
            }
            Some(Cause::PhpFatal) => {
                let lines: [&[u8]; 4] = [
                    b"NOTICE: PHP message: PHP Fatal error:  Uncaught Error: Call to undefined function render_cart_widget() in /var/www/shop/templates/cart.php:4",
                    b"Stack trace:",
                    b"#0 {main}",
                    b"  thrown in /var/www/shop/templates/cart.php on line 4",
                ];
                for line in lines {
                    self.fpm_stderr(out, child, line);
                }
            }
            Some(_) => {
                self.fpm_prefix(out, "WARNING");
                out.extend_from_slice(b"[pool www] child ");
                num(out, child);
                let r = self.request(Some(Route::Php));
                out.extend_from_slice(b", script '/var/www/shop/public/index.php' (request: \"");
                out.extend_from_slice(if r.post { b"POST " } else { b"GET " });
                self.target(out, &Request { odd: 0, ..r }, false);
                out.extend_from_slice(b"\") execution timed out (");
                num(out, 60 + self.rng.below(2));
                out.push(b'.');
                pad(out, self.rng.below(1_000_000), 6);
                out.extend_from_slice(b" sec), terminating\n");
                self.fpm_prefix(out, "WARNING");
                out.extend_from_slice(b"[pool www] child ");
                num(out, child);
                out.extend_from_slice(b" exited on signal 15 (SIGTERM) after ");
                num(out, 100 + self.rng.below(5_000));
                out.push(b'.');
                pad(out, self.rng.below(1_000_000), 6);
                out.extend_from_slice(b" seconds from start\n");
            }
            None => match self.rng.below(10) {
                0..=5 => {
                    self.fpm_prefix(out, "NOTICE");
                    out.extend_from_slice(b"[pool www] child ");
                    self.fpm_child += 1 + self.rng.below(5);
                    num(out, self.fpm_child);
                    out.extend_from_slice(b" started\n");
                }
                6..=8 => self.fpm_stderr(
                    out,
                    child,
                    b"NOTICE: PHP message: PHP Warning:  Undefined array key \"timeout\" in /var/www/shop/src/Cart.php on line 3",
                ),
                _ => {
                    self.fpm_prefix(out, "WARNING");
                    out.extend_from_slice(b"[pool www] child ");
                    num(out, child);
                    out.extend_from_slice(b" exited on signal 9 (SIGKILL) after ");
                    num(out, 100 + self.rng.below(5_000));
                    out.extend_from_slice(b".000000 seconds from start\n");
                }
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        let c = Civil::of(START_UNIX);
        assert_eq!((c.year, c.month, c.day, c.weekday), (2026, 11, 25, 3));
        let c = Civil::of(START_UNIX + 7 * 86_400 + 3_723);
        assert_eq!(
            (c.year, c.month, c.day, c.hour, c.minute, c.sec),
            (2026, 12, 2, 1, 2, 3)
        );
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("1G"), Ok(1 << 30));
        assert_eq!(parse_size("100M"), Ok(100 << 20));
        assert_eq!(parse_size("64k"), Ok(64 << 10));
        assert_eq!(parse_size("12345"), Ok(12345));
        assert_eq!(parse_size("2GiB"), Ok(2 << 30));
        assert!(parse_size("1T").is_err());
    }

    #[test]
    fn number_formatting() {
        let mut out = Vec::new();
        secs(&mut out, 60_004);
        out.push(b' ');
        secs(&mut out, 4);
        out.push(b' ');
        pad(&mut out, 7, 2);
        out.push(b' ');
        hex(&mut out, 255);
        assert_eq!(out, b"60.004 0.004 07 ff");
    }
}
