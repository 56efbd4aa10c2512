//! Joining a report with the servers' configuration: the directives that decide each
//! finding's cause, where they are and what they are set to, and the mismatches that
//! explain it, cited in the fix.

use crate::text::human_seconds;
use logscan_config::{Config, Configs, Effective, Mismatch, Request, Server, Source, Target};

use crate::report::{
    AccessSummary, ConfigMismatch, ConfigRead, ConfigSetting, ConfigWarning, Finding, Report,
};

/// At most this many directives are cited as fix steps (all of them stay in `config`).
const CITED: usize = 4;

impl Report {
    /// Ties the report to the servers' configuration: `configs` lists what was read,
    /// each finding gets the directives that decide its cause for its upstream (and the
    /// request most affected) in `config`, the mismatches that explain it in
    /// `mismatches`, and fix steps that cite `path:line` and the values in force.
    ///
    /// A report to which no configuration was added is what it was: nothing here runs on
    /// the analysis itself, so a configuration that could not be read changes nothing but
    /// `configs`.
    ///
    /// ```
    /// use logscan_analyze::{Analyzer, Config, InputInfo, Origin};
    /// use logscan_config::{Configs, Options};
    /// use logscan_parse::{Format, Parser};
    ///
    /// let dir = std::env::temp_dir().join(format!("logscan-analyze-doc-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir).unwrap();
    /// let conf = dir.join("nginx.conf");
    /// std::fs::write(&conf, "events {}\nhttp {\n  server {\n    location /api/ {\n      proxy_pass http://127.0.0.1:19020;\n      proxy_read_timeout 1s;\n    }\n  }\n}\n").unwrap();
    ///
    /// let line = "2026/11/25 01:27:19 [error] 812#812: *31 upstream timed out (110: Connection timed out) while reading response header from upstream, client: 127.0.0.1, server: localhost, request: \"GET /api/items HTTP/1.1\", upstream: \"http://127.0.0.1:19020/api/items\", host: \"localhost\"";
    /// let mut analyzer = Analyzer::new(Config::default());
    /// analyzer.add_input(0, InputInfo::new("error.log", Format::NginxError, "web1"));
    /// let record = Parser::nginx_error().parse(line.as_bytes()).unwrap();
    /// analyzer.observe(&record, &Origin { input: 0, chunk: 0, line: 1, lines: 1, text: line.as_bytes() });
    /// let mut report = analyzer.finish();
    ///
    /// let mut configs = Configs::new();
    /// configs.read(&conf, &Options::default());
    /// report.add_configs(&configs);
    /// let top = &report.findings[0];
    /// assert_eq!(top.config[0].directive, "proxy_read_timeout");
    /// assert_eq!((top.config[0].value.as_str(), top.config[0].line), ("1s", 6));
    /// assert!(top.fix.steps[0].contains("nginx.conf:6"));
    /// # std::fs::remove_dir_all(&dir).unwrap();
    /// ```
    pub fn add_configs(&mut self, configs: &Configs) {
        self.configs = configs.configs().iter().map(config_read).collect();
        let mut mismatches = configs.mismatches();
        for finding in &mut self.findings {
            let observed = slowest(self.access.as_ref(), finding);
            let seen = seen_mismatches(configs, self.access.as_ref(), finding);
            mismatches.extend(seen.iter().cloned());
            explain(finding, configs, &mismatches, observed.as_deref());
            mismatches.truncate(mismatches.len() - seen.len());
        }
    }
}

/// The mismatches that need what the logs saw, for one finding: the header buffer in force
/// when the server said the headers did not fit, and `pm.max_children` against the
/// requests the access log shows in flight at once to the finding's upstream.
fn seen_mismatches(
    configs: &Configs,
    access: Option<&AccessSummary>,
    finding: &Finding,
) -> Vec<Mismatch> {
    use logscan_config::MismatchKind::{HeaderBufferBelowObserved, MaxChildrenBelowObserved};
    let cause = finding.cause.id();
    let Some(target) = Target::parse(&finding.upstream) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if HeaderBufferBelowObserved.explains().contains(&cause) {
        out.extend(configs.header_buffer_exceeded(&target));
    }
    if MaxChildrenBelowObserved.explains().contains(&cause) {
        let peak = access
            .into_iter()
            .flat_map(|a| &a.in_flight)
            .filter(|(upstream, _)| Target::parse(upstream).is_some_and(|t| t.same(&target)))
            .map(|(_, &peak)| u64::from(peak))
            .max();
        if let Some(peak) = peak {
            out.extend(configs.max_children_check(&target, peak));
        }
    }
    out
}

/// The configuration evidence of single failure events (`--events` with `--config`): for a
/// line's cause, upstream, host and URI, the directives that decide it (as a finding's
/// `config` entries) and the kinds of the mismatches the configuration alone shows for it
/// (`socket_without_pool`, ...). Mismatches that need what many lines saw (header sizes,
/// requests in flight at once) are a report's, not an event's.
///
/// Answers are kept for the last [`EventConfig::KEPT`] distinct questions: a stream of
/// failures asks the same few again and again.
///
/// ```
/// use std::sync::Arc;
/// use logscan_analyze::EventConfig;
/// use logscan_config::{Configs, Options};
///
/// let dir = std::env::temp_dir().join(format!("logscan-event-config-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let conf = dir.join("nginx.conf");
/// std::fs::write(&conf, "events {}\nhttp {\n  server {\n    location /api/ {\n      proxy_pass http://127.0.0.1:19020;\n      proxy_read_timeout 1s;\n    }\n  }\n}\n").unwrap();
/// let mut configs = Configs::new();
/// configs.read(&conf, &Options::default());
///
/// let mut events = EventConfig::new(Arc::new(configs));
/// let evidence = events.evidence("upstream_timeout_read", "127.0.0.1:19020", None, Some("/api/items?id=1"));
/// assert_eq!(evidence.config[0].directive, "proxy_read_timeout");
/// assert_eq!((evidence.config[0].value.as_str(), evidence.config[0].line), ("1s", 6));
/// # std::fs::remove_dir_all(&dir).unwrap();
/// ```
#[derive(Debug)]
pub struct EventConfig {
    configs: std::sync::Arc<Configs>,
    mismatches: Vec<Mismatch>,
    answers: std::collections::HashMap<EventQuestion, EventEvidence>,
}

type EventQuestion = (String, String, Option<String>, Option<String>);

/// What the configuration says about one failure event.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct EventEvidence {
    /// The directives that decide the cause, with their values in force.
    pub config: Vec<ConfigSetting>,
    /// The kinds of the mismatches that explain it.
    pub mismatches: Vec<String>,
}

impl EventConfig {
    /// Distinct (cause, upstream, host, path) answers kept.
    pub const KEPT: usize = 1024;

    /// Evidence from `configs`.
    pub fn new(configs: std::sync::Arc<Configs>) -> EventConfig {
        let mismatches = configs.mismatches();
        EventConfig {
            configs,
            mismatches,
            answers: std::collections::HashMap::new(),
        }
    }

    /// The evidence for a failure with cause id `cause` of a request to `upstream` (as the
    /// log writes it: `127.0.0.1:8080`, `http://backend/x`, `unix:/run/php.sock`), for
    /// `host` and `uri` when the line names them (the query string plays no part).
    pub fn evidence(
        &mut self,
        cause: &str,
        upstream: &str,
        host: Option<&str>,
        uri: Option<&str>,
    ) -> &EventEvidence {
        let path = uri.map(|u| u.split(['?', '#']).next().unwrap_or(u));
        let question: EventQuestion = (
            cause.to_owned(),
            upstream.to_owned(),
            host.map(str::to_owned),
            path.map(str::to_owned),
        );
        if !self.answers.contains_key(&question) {
            if self.answers.len() >= Self::KEPT {
                self.answers.clear();
            }
            let target = Target::parse(upstream);
            let request = path.map(|uri| Request { host, uri });
            let config = self
                .configs
                .deciding_for(cause, target.as_ref(), request.as_ref())
                .iter()
                .map(setting)
                .collect();
            let mismatches = self
                .mismatches
                .iter()
                .filter(|m| m.explains(cause))
                .filter(|m| match &target {
                    Some(t) => m.concerns(t),
                    None => m.targets.is_empty(),
                })
                .map(|m| m.kind.id().to_owned())
                .collect();
            self.answers
                .insert(question.clone(), EventEvidence { config, mismatches });
        }
        static NONE: EventEvidence = EventEvidence {
            config: Vec::new(),
            mismatches: Vec::new(),
        };
        self.answers.get(&question).unwrap_or(&NONE)
    }
}

/// For a timeout finding, how long its failed requests waited, from the access log's
/// times of the status the server answers timeouts with (nginx 504; Apache 502 or 504).
fn slowest(access: Option<&AccessSummary>, finding: &Finding) -> Option<String> {
    use logscan_parse::Cause::{PhpTimeout, UpstreamTimeoutRead, UpstreamTimeoutSend};
    if !matches!(
        finding.cause,
        UpstreamTimeoutRead | UpstreamTimeoutSend | PhpTimeout
    ) {
        return None;
    }
    let statuses: &[&str] = match finding.server {
        logscan_parse::Server::Apache => &["502", "504"],
        _ => &["504"],
    };
    let access = access?;
    let q = statuses
        .iter()
        .find_map(|s| access.time_by_status.get(*s))?;
    Some(format!(
        "the failed requests waited up to {}",
        human_seconds(q.max)
    ))
}

fn explain(
    finding: &mut Finding,
    configs: &Configs,
    mismatches: &[Mismatch],
    observed: Option<&str>,
) {
    let cause = finding.cause.id();
    let target = Target::parse(&finding.upstream);
    let uri = finding
        .requests
        .first()
        .and_then(|r| r.value.split(' ').nth(1))
        .map(str::to_owned);
    let request = uri.as_deref().map(|uri| Request {
        host: finding.vhost.as_deref(),
        uri,
    });
    let deciding = configs.deciding_for(cause, target.as_ref(), request.as_ref());
    finding.config = deciding.iter().map(setting).collect();
    finding.mismatches = mismatches
        .iter()
        .filter(|m| m.explains(cause))
        .filter(|m| match &target {
            Some(t) => m.concerns(t),
            None => m.targets.is_empty(),
        })
        .map(|m| ConfigMismatch {
            kind: m.kind.id().to_owned(),
            message: m.message.clone(),
            places: m.places.iter().map(ToString::to_string).collect(),
        })
        .collect();

    let mut steps: Vec<String> = deciding
        .iter()
        .take(CITED)
        .enumerate()
        .map(|(i, e)| cite(e, observed.filter(|_| i == 0 && is_timeout(&e.directive))))
        .collect();
    steps.extend(
        finding
            .mismatches
            .iter()
            .map(|m| format!("The configuration shows why: {}.", trim_period(&m.message))),
    );
    if let Some(first) = deciding.first() {
        finding.fix.summary.push_str(&format!(
            " The configuration: `{}` is {}{} at {}.",
            first.directive,
            first.value,
            if first.is_default() { " (default)" } else { "" },
            first.place
        ));
    }
    finding.fix.steps.splice(0..0, steps);
}

/// A fix step citing a directive in force: what it is, for which block, where, and
/// what to do about it there.
fn cite(e: &Effective, observed: Option<&str>) -> String {
    let how = match e.source {
        Source::Here => "set",
        Source::Inherited => "inherited",
        Source::Default => "the default",
    };
    let server = match e.server {
        Server::Nginx => "nginx",
        Server::Apache => "Apache",
        Server::PhpFpm => "PHP-FPM",
    };
    let place = if e.is_default() {
        format!(
            "set nowhere, so {server}'s default applies; it would go in the block at {}",
            e.place
        )
    } else {
        format!("{how} at {}", e.place)
    };
    let block = if e.block.is_empty() {
        String::new()
    } else {
        format!(" for `{}`", e.block)
    };
    let observed = observed.map(|o| format!("; {o}")).unwrap_or_default();
    format!(
        "`{}` is {}{block} ({place}){observed}{}",
        e.directive,
        e.value,
        advice(e)
    )
}

/// What a deciding directive means for the fix, by what it is, said where the value is.
fn advice(e: &Effective) -> String {
    let name = e.directive.as_str();
    let what = if name.ends_with("_connect_timeout") || name == "connectiontimeout" {
        Some(
            "keep it short (1-5 s) so a dead backend fails fast; a full accept queue on the backend is the usual culprit",
        )
    } else if is_timeout(name) {
        Some(
            "raise it only if the backend legitimately needs longer; otherwise make the slow requests faster",
        )
    } else if name.ends_with("_buffers") {
        Some(
            "the buffers for the rest of the response; raised with the header buffer, nginx wants `*_busy_buffers_size` below their total minus one buffer",
        )
    } else if name.ends_with("_buffer_size") || name == "responsefieldsize" {
        Some("it must hold the largest response header the backend sends")
    } else if name == "pm.max_children" {
        Some(
            "raise it if memory allows (each child can take up to PHP's memory_limit), or make requests faster",
        )
    } else if name.ends_with("max_fails=")
        || name.ends_with("fail_timeout=")
        || name.ends_with("retry=")
    {
        Some("it decides how many failures take a server out and for how long")
    } else if name.ends_with("_pass") || name.starts_with("ProxyPass") || name == "BalancerMember" {
        Some("requests go there: it must be where the backend listens")
    } else {
        None
    };
    let there = if e.is_default() {
        "set it in that block"
    } else {
        "change it there"
    };
    match what {
        Some(what) => format!(": {what}; {there}."),
        None => format!("; {there} if the evidence above points at it."),
    }
}

/// A timeout that a request's wait is measured against (not a connect timeout).
fn is_timeout(name: &str) -> bool {
    name.ends_with("_read_timeout")
        || name.ends_with("_send_timeout")
        || matches!(
            name,
            "ProxyTimeout"
                | "Timeout"
                | "timeout"
                | "ProxyPass timeout="
                | "request_terminate_timeout"
                | "max_execution_time"
        )
}

fn trim_period(text: &str) -> &str {
    text.strip_suffix('.').unwrap_or(text)
}

fn setting(e: &Effective) -> ConfigSetting {
    ConfigSetting {
        path: e.place.path.display().to_string(),
        line: e.place.line,
        directive: e.directive.clone(),
        value: e.value.clone(),
        default: e.is_default(),
        block: e.block.clone(),
        source: match e.source {
            Source::Here => "here",
            Source::Inherited => "inherited",
            Source::Default => "default",
        }
        .to_owned(),
        server: e.server.id().to_owned(),
    }
}

fn config_read(c: &Config) -> ConfigRead {
    let files = match (c.nginx(), c.apache(), c.fpm()) {
        (Some(n), _, _) => n.files().len(),
        (_, Some(a), _) => a.files().len(),
        (_, _, Some(f)) => f.files().len(),
        _ => 0,
    };
    let warning = |w: &logscan_config::Warning| ConfigWarning {
        path: w.path.display().to_string(),
        line: w.line,
        message: w.message.clone(),
        severity: match w.severity {
            logscan_config::Severity::Note => "note",
            logscan_config::Severity::Problem => "problem",
        }
        .to_owned(),
    };
    ConfigRead {
        path: c.path.display().to_string(),
        kind: c.kind.map(|k| k.id().to_owned()),
        ok: c.parsed.is_ok(),
        error: c.parsed.as_ref().err().map(ToString::to_string),
        files,
        warnings: c.warnings().iter().map(warning).collect(),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::{Path, PathBuf};

    use logscan_config::{Configs, FpmConfig, NginxConfig, Options, Parsed};
    use logscan_parse::{Format, Parser};

    use crate::{Analyzer, Config, InputInfo, Origin, Report};

    fn report(lines: &[&str]) -> Report {
        let parser = Parser::nginx_error();
        let mut analyzer = Analyzer::new(Config::default());
        analyzer.add_input(0, InputInfo::new("error.log", Format::NginxError, "web1"));
        for (i, line) in lines.iter().enumerate() {
            let origin = Origin {
                input: 0,
                chunk: 0,
                line: i as u64 + 1,
                lines: 1,
                text: line.as_bytes(),
            };
            analyzer.observe(&parser.parse(line.as_bytes()).unwrap(), &origin);
        }
        analyzer.finish()
    }

    fn configs(nginx: &str, fpm: Option<&str>) -> Configs {
        let mut configs = Configs::new();
        let main = PathBuf::from("/etc/nginx/nginx.conf");
        let files = BTreeMap::from([(main.clone(), nginx.as_bytes().to_vec())]);
        let n = NginxConfig::from_memory(files, &main, &Options::default()).unwrap();
        configs.push(&main, Parsed::Nginx(n));
        if let Some(fpm) = fpm {
            let main = PathBuf::from("/etc/php/8.2/fpm/php-fpm.conf");
            let files = BTreeMap::from([(main.clone(), fpm.as_bytes().to_vec())]);
            let f = FpmConfig::from_memory(files, &main, &Options::default()).unwrap();
            configs.push(&main, Parsed::Fpm(f));
        }
        configs
    }

    const SOCKET: &str = "2026/11/25 01:27:19 [crit] 812#812: *31 connect() to unix:/run/php/php8.1-fpm.sock failed (2: No such file or directory) while connecting to upstream, client: 127.0.0.1, server: shop, request: \"GET /index.php HTTP/1.1\", upstream: \"fastcgi://unix:/run/php/php8.1-fpm.sock:\", host: \"shop\"";

    #[test]
    fn a_socket_no_pool_listens_on_is_cited_and_explained() {
        let mut r = report(&[SOCKET]);
        let before = r.findings[0].fix.clone();
        r.add_configs(&configs(
            "events {}\nhttp {\n  server {\n    server_name shop;\n    location ~ \\.php$ {\n      fastcgi_pass unix:/run/php/php8.1-fpm.sock;\n    }\n  }\n}\n",
            Some("[www]\nuser = www-data\nlisten = /run/php/php8.2-fpm.sock\npm = static\npm.max_children = 5\n"),
        ));
        let f = &r.findings[0];
        assert_eq!(f.cause.id(), "socket_missing");
        assert_eq!(f.config[0].directive, "fastcgi_pass");
        assert_eq!(f.config[0].place(), "/etc/nginx/nginx.conf:6");
        assert_eq!(f.mismatches.len(), 1, "{:?}", f.mismatches);
        assert_eq!(f.mismatches[0].kind, "socket_without_pool");
        assert!(
            f.mismatches[0]
                .places
                .contains(&"/etc/php/8.2/fpm/php-fpm.conf:3".to_owned())
        );
        // The citations come first, the fix as it was after them.
        assert!(f.fix.steps[0].contains("/etc/nginx/nginx.conf:6"));
        assert!(f.fix.steps[1].starts_with("The configuration shows why:"));
        assert!(f.fix.steps.ends_with(&before.steps));
        assert!(f.fix.summary.starts_with(&before.summary));
        assert_eq!(r.configs.len(), 2);
        assert!(r.configs.iter().all(|c| c.ok && c.files == 1));
    }

    #[test]
    fn a_configuration_that_routes_elsewhere_changes_no_finding() {
        let plain = report(&[SOCKET]);
        let mut r = plain.clone();
        r.add_configs(&configs(
            "events {}\nhttp {\n  server {\n    location / {\n      proxy_pass http://127.0.0.1:8080;\n    }\n  }\n}\n",
            None,
        ));
        assert_eq!(r.findings, plain.findings);
        assert_eq!(r.configs.len(), 1);
    }

    #[test]
    fn an_unreadable_configuration_is_listed_with_why() {
        let mut r = report(&[SOCKET]);
        let plain = r.clone();
        let mut configs = Configs::new();
        configs.read(
            Path::new("/nonexistent/logscan/nginx.conf"),
            &Options::default(),
        );
        r.add_configs(&configs);
        assert_eq!(r.findings, plain.findings);
        assert!(!r.configs[0].ok);
        assert!(
            r.configs[0]
                .error
                .as_deref()
                .is_some_and(|e| e.contains("/nonexistent/logscan/nginx.conf"))
        );
        assert_eq!(r.configs[0].warnings[0].severity, "problem");
    }
}
