//! Mismatches: configuration that explains a failure by itself (a socket no pool listens
//! on), or together with what the logs saw (headers larger than the buffer).

use std::time::Duration;

use crate::answer::{Effective, Module, Route};
use crate::configs::Configs;
use crate::place::Place;
use crate::target::Target;
use crate::tree::BlockId;
use crate::value::{duration, show, size};

/// What is wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum MismatchKind {
    /// A `fastcgi_pass` (or Apache `unix:...|fcgi://`) socket or address no PHP-FPM pool
    /// listens on.
    SocketWithoutPool,
    /// A pool socket the web server's worker user may not open (`listen.owner`,
    /// `listen.group`, `listen.mode` against nginx's `user` or Apache's `User`/`Group`).
    SocketNotWritable,
    /// An upstream `keepalive` that cannot work: `proxy_http_version` is not 1.1, or
    /// `Connection: close` is still sent, or FastCGI without `fastcgi_keep_conn on`.
    KeepaliveWithoutHttp11,
    /// Idle upstream connections kept open longer than the backend keeps them.
    KeepaliveOutlivesBackend,
    /// A `*_pass` with variables in its host and no `resolver`.
    VariablePassWithoutResolver,
    /// PHP's `max_execution_time`, FPM's `request_terminate_timeout` and the web server's
    /// read timeout are not in that order (shortest first).
    PhpTimeoutOrder,
    /// `worker_rlimit_nofile` below what `worker_connections` needs.
    WorkerFilesLimit,
    /// `*_buffer_size` (or `responsefieldsize`) below the response header sizes seen.
    HeaderBufferBelowObserved,
    /// `pm.max_children` below the concurrency seen.
    MaxChildrenBelowObserved,
}

impl MismatchKind {
    /// A stable id: `socket_without_pool`, `socket_not_writable`, ...
    pub fn id(self) -> &'static str {
        match self {
            MismatchKind::SocketWithoutPool => "socket_without_pool",
            MismatchKind::SocketNotWritable => "socket_not_writable",
            MismatchKind::KeepaliveWithoutHttp11 => "keepalive_without_http11",
            MismatchKind::KeepaliveOutlivesBackend => "keepalive_outlives_backend",
            MismatchKind::VariablePassWithoutResolver => "variable_pass_without_resolver",
            MismatchKind::PhpTimeoutOrder => "php_timeout_order",
            MismatchKind::WorkerFilesLimit => "worker_files_limit",
            MismatchKind::HeaderBufferBelowObserved => "header_buffer_below_observed",
            MismatchKind::MaxChildrenBelowObserved => "max_children_below_observed",
        }
    }

    /// The cause ids this mismatch can explain.
    pub fn explains(self) -> &'static [&'static str] {
        match self {
            MismatchKind::SocketWithoutPool => {
                &["socket_missing", "upstream_refused", "proxy_config_error"]
            }
            MismatchKind::SocketNotWritable => &["socket_permission"],
            MismatchKind::KeepaliveWithoutHttp11 => {
                &["ephemeral_ports", "upstream_timeout_connect"]
            }
            MismatchKind::KeepaliveOutlivesBackend => &["upstream_reset", "upstream_closed_early"],
            MismatchKind::VariablePassWithoutResolver => &["dns_resolution"],
            MismatchKind::PhpTimeoutOrder => &[
                "php_timeout",
                "upstream_timeout_read",
                "upstream_closed_early",
                "upstream_reset",
            ],
            MismatchKind::WorkerFilesLimit => &["fd_exhaustion", "worker_connections"],
            MismatchKind::HeaderBufferBelowObserved => &["header_too_big"],
            MismatchKind::MaxChildrenBelowObserved => &[
                "fpm_pool_exhausted",
                "backlog_full",
                "upstream_timeout_read",
            ],
        }
    }
}

/// A mismatch, in words, with the lines involved.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Mismatch {
    /// What is wrong.
    pub kind: MismatchKind,
    /// In plain words, citing `path:line` and the values in force.
    pub message: String,
    /// The lines involved (for a default, where it would go).
    pub places: Vec<Place>,
    /// The upstreams it concerns (empty for server-wide ones, e.g. file limits).
    pub targets: Vec<Target>,
}

impl Mismatch {
    /// Whether this mismatch concerns requests to `target` (server-wide ones concern all).
    pub fn concerns(&self, target: &Target) -> bool {
        self.targets.is_empty() || self.targets.iter().any(|t| t.same(target))
    }

    /// Whether it can explain a cause id.
    pub fn explains(&self, cause: &str) -> bool {
        self.kind.explains().contains(&cause)
    }
}

fn cite(e: &Effective) -> String {
    let default = if e.is_default() { " (default)" } else { "" };
    format!("`{}` is {}{} at {}", e.directive, e.value, default, e.place)
}

impl Configs {
    /// The mismatches that depend on the configurations alone: sockets no pool listens on
    /// or the web server's user may not open, keep-alive that cannot work or outlives the
    /// backend's, variable `*_pass` without `resolver`, PHP timeouts out of order, file
    /// limits below `worker_connections`.
    pub fn mismatches(&self) -> Vec<Mismatch> {
        let mut out = Vec::new();
        self.socket_checks(&mut out);
        self.keepalive_checks(&mut out);
        self.resolver_checks(&mut out);
        self.php_timeout_checks(&mut out);
        self.file_limit_checks(&mut out);
        out
    }

    /// Every FastCGI destination of the web servers: the route line and its target.
    fn fastcgi_targets(&self) -> Vec<(usize, BlockId, crate::tree::Setting, Target, Module)> {
        let mut out = Vec::new();
        for (i, n) in self.nginx_configs() {
            for (block, via, module) in n.passes() {
                if module != Module::NginxFastcgi {
                    continue;
                }
                let Some(arg) = via.args.first() else {
                    continue;
                };
                if arg.contains('$') {
                    continue;
                }
                match n.upstream(arg).map(|g| n.upstream_servers(g)) {
                    Some(servers) => out.extend(
                        servers
                            .into_iter()
                            .filter_map(|s| Some((i, block, s.setting.clone(), s.target?, module))),
                    ),
                    None => out.extend(
                        Target::parse_with_default_port(arg, false)
                            .map(|t| (i, block, via.clone(), t, module)),
                    ),
                }
            }
        }
        for (i, a) in self.apache_configs() {
            for line in a.proxy_lines() {
                let lower = line.url.to_ascii_lowercase();
                if !(lower.contains("fcgi://")) {
                    continue;
                }
                if let Some(t) = Target::parse(&line.url) {
                    out.push((i, line.block, line.setting.clone(), t, Module::ApacheProxy));
                }
            }
        }
        out
    }

    fn socket_checks(&self, out: &mut Vec<Mismatch>) {
        let pools: Vec<_> = self.fpm_configs().collect();
        if pools.is_empty() {
            return;
        }
        for (config, _block, via, target, module) in self.fastcgi_targets() {
            let routes: Vec<Route> = self
                .routes_to(&target)
                .into_iter()
                .filter(|r| r.module == Module::FpmPool)
                .collect();
            if routes.is_empty() {
                let listening: Vec<String> = pools
                    .iter()
                    .flat_map(|(_, f)| {
                        f.pools().filter_map(|p| {
                            f.listen(p).map(|(t, s)| {
                                format!("{} (pool {}, {})", t, f.pool_name(p), s.place)
                            })
                        })
                    })
                    .collect();
                let mut places = vec![via.place.clone()];
                places.extend(pools.iter().flat_map(|(_, f)| {
                    f.pools().filter_map(|p| f.listen(p).map(|(_, s)| s.place))
                }));
                out.push(Mismatch {
                    kind: MismatchKind::SocketWithoutPool,
                    message: format!(
                        "`{} {}` at {} names {} where no PHP-FPM pool listens; the pools listen on {}",
                        via.name,
                        via.value(),
                        via.place,
                        target,
                        if listening.is_empty() { "nothing".to_string() } else { listening.join(", ") }
                    ),
                    places,
                    targets: vec![target],
                });
                continue;
            }
            // The web server's user against the socket's owner, group and mode.
            let Target::Unix(_) = target else { continue };
            let Some(user) = self.worker_user(config, module) else {
                continue;
            };
            for route in routes {
                let Some(f) = self.configs().get(route.config).and_then(|c| c.fpm()) else {
                    continue;
                };
                if f.tree()
                    .last(route.block, "listen.acl_users", true)
                    .is_some()
                    || f.tree()
                        .last(route.block, "listen.acl_groups", true)
                        .is_some()
                {
                    continue;
                }
                let get = |k: &str| f.effective(route.block, k);
                let (Some(owner), Some(group), Some(mode)) =
                    (get("listen.owner"), get("listen.group"), get("listen.mode"))
                else {
                    continue;
                };
                let Ok(bits) = u32::from_str_radix(mode.value.trim_start_matches("0o"), 8) else {
                    continue;
                };
                let (allowed, by) = if user.0 == owner.value {
                    (bits & 0o200 != 0, format!("owner {}", owner.value))
                } else if user.1 == group.value {
                    (bits & 0o020 != 0, format!("group {}", group.value))
                } else {
                    (bits & 0o002 != 0, "others".to_string())
                };
                if allowed {
                    continue;
                }
                out.push(Mismatch {
                    kind: MismatchKind::SocketNotWritable,
                    message: format!(
                        "the web server's workers run as {}:{} ({}) but the socket {} of pool {} is {}:{} mode {} ({}; {}; {}): as {by} they may not connect{}",
                        user.0,
                        user.1,
                        user.2,
                        target,
                        f.pool_name(route.block),
                        owner.value,
                        group.value,
                        mode.value,
                        cite(&owner),
                        cite(&group),
                        cite(&mode),
                        if by == "others" { format!(" (unless {} is a member of group {})", user.0, group.value) } else { String::new() }
                    ),
                    places: vec![via.place.clone(), owner.place, group.place, mode.place],
                    targets: vec![target.clone()],
                });
            }
        }
    }

    /// The user and group the web server's workers run as, and where that is said.
    fn worker_user(&self, config: usize, module: Module) -> Option<(String, String, String)> {
        let c = self.configs().get(config)?;
        if module == Module::ApacheProxy {
            let a = c.apache()?;
            let user = a.effective(BlockId::MAIN, "User")?;
            let group = a
                .effective(BlockId::MAIN, "Group")
                .map(|g| g.value)
                .unwrap_or_else(|| user.value.clone());
            return Some((user.value.clone(), group, cite(&user)));
        }
        let n = c.nginx()?;
        let e = n.effective(BlockId::MAIN, "user")?;
        let mut words = e.value.split_whitespace();
        let user = words.next()?.to_string();
        let group = words
            .next()
            .map(str::to_string)
            .unwrap_or_else(|| user.clone());
        Some((user, group, cite(&e)))
    }

    fn keepalive_checks(&self, out: &mut Vec<Mismatch>) {
        for (_, n) in self.nginx_configs() {
            for (block, via, module) in n.passes() {
                let Some(arg) = via.args.first() else {
                    continue;
                };
                let host = arg
                    .split_once("://")
                    .map_or(arg.as_str(), |(_, r)| r)
                    .split('/')
                    .next()
                    .unwrap_or_default();
                let Some(group) = n.upstream(host) else {
                    continue;
                };
                let Some(keepalive) = n.effective(group, "keepalive") else {
                    continue;
                };
                let members: Vec<Target> = n
                    .upstream_servers(group)
                    .into_iter()
                    .filter_map(|s| s.target)
                    .collect();
                let problem = match module {
                    Module::NginxProxy => {
                        let version = n.effective(block, "proxy_http_version");
                        match &version {
                            Some(v) if v.value == "1.1" => {
                                if connection_header_cleared(n, block) {
                                    None
                                } else {
                                    Some((
                                        format!(
                                            "no `proxy_set_header Connection \"\";` applies to {}: nginx sends `Connection: close` and the backend closes each connection",
                                            n.describe(block)
                                        ),
                                        v.place.clone(),
                                    ))
                                }
                            }
                            Some(v) => Some((
                                format!(
                                    "{} for {}: HTTP/1.0 connections are closed after each request",
                                    cite(v),
                                    n.describe(block)
                                ),
                                v.place.clone(),
                            )),
                            None => None,
                        }
                    }
                    Module::NginxFastcgi => n
                        .effective(block, "fastcgi_keep_conn")
                        .filter(|e| e.value != "on")
                        .map(|e| {
                            (
                                format!(
                                    "{} for {}: FastCGI connections are closed after each request",
                                    cite(&e),
                                    n.describe(block)
                                ),
                                e.place.clone(),
                            )
                        }),
                    _ => None,
                };
                if let Some((why, place)) = problem {
                    out.push(Mismatch {
                        kind: MismatchKind::KeepaliveWithoutHttp11,
                        message: format!(
                            "`keepalive {}` at {} keeps no connection open: {why}",
                            keepalive.value, keepalive.place
                        ),
                        places: vec![keepalive.place.clone(), place, via.place.clone()],
                        targets: members.clone(),
                    });
                }
                // The backend's idle timeout, where the backend's configuration is known.
                let Some(ours) = n.effective(group, "keepalive_timeout") else {
                    continue;
                };
                let Some(our_time) = duration(&ours.value) else {
                    continue;
                };
                for member in &members {
                    if let Some((theirs, their_time)) = self.backend_idle_timeout(member) {
                        if our_time >= their_time {
                            out.push(Mismatch {
                                kind: MismatchKind::KeepaliveOutlivesBackend,
                                message: format!(
                                    "nginx keeps idle connections to {member} for {} ({}) but the backend closes them after {} ({}): a request sent on a connection the backend is closing fails (reset, or closed before the response)",
                                    show(our_time),
                                    cite(&ours),
                                    show(their_time),
                                    cite(&theirs)
                                ),
                                places: vec![ours.place.clone(), theirs.place.clone()],
                                targets: vec![member.clone()],
                            });
                        }
                    }
                }
            }
        }
    }

    /// The idle keep-alive timeout of a backend listening on `target`, when it is an Apache
    /// or nginx configuration read here.
    fn backend_idle_timeout(&self, target: &Target) -> Option<(Effective, Duration)> {
        for (_, a) in self.apache_configs() {
            let listens = a.tree().blocks().any(|(id, _)| {
                a.tree().all(id, "Listen", true).any(|l| {
                    listen_matches(l.args.first().map(String::as_str).unwrap_or(""), target)
                })
            });
            if listens {
                let vhost = a
                    .tree()
                    .blocks()
                    .find(|(_, b)| {
                        b.name.eq_ignore_ascii_case("VirtualHost")
                            && b.args.iter().any(|x| listen_matches(x, target))
                    })
                    .map_or(BlockId::MAIN, |(id, _)| id);
                let e = a.effective(vhost, "KeepAliveTimeout")?;
                let d = duration(&e.value)?;
                return Some((e, d));
            }
        }
        for (_, n) in self.nginx_configs() {
            for server in n.blocks_named("server") {
                if n.tree().all(server, "listen", false).any(|l| {
                    listen_matches(l.args.first().map(String::as_str).unwrap_or(""), target)
                }) {
                    let e = n.effective(server, "keepalive_timeout")?;
                    let d = duration(e.value.split_whitespace().next()?)?;
                    return Some((e, d));
                }
            }
        }
        None
    }

    fn resolver_checks(&self, out: &mut Vec<Mismatch>) {
        for (_, n) in self.nginx_configs() {
            for (block, via, _) in n.passes() {
                let Some(arg) = via.args.first() else {
                    continue;
                };
                let host = arg
                    .split_once("://")
                    .map_or(arg.as_str(), |(_, r)| r)
                    .split('/')
                    .next()
                    .unwrap_or_default();
                if !host.contains('$') || host.starts_with("unix:") {
                    continue;
                }
                if n.effective(block, "resolver").is_some() {
                    continue;
                }
                out.push(Mismatch {
                    kind: MismatchKind::VariablePassWithoutResolver,
                    message: format!(
                        "`{} {}` at {} has a variable in its host and no `resolver` applies to {}: names are looked up at request time and fail with \"no resolver defined\" (unless the variable always holds an `upstream` name)",
                        via.name,
                        via.value(),
                        via.place,
                        n.describe(block)
                    ),
                    places: vec![via.place.clone(), n.tree().block(block).place.clone()],
                    targets: Vec::new(),
                });
            }
        }
    }

    fn php_timeout_checks(&self, out: &mut Vec<Mismatch>) {
        for (config, block, via, target, module) in self.fastcgi_targets() {
            let Some(front) = (match module {
                Module::ApacheProxy => self
                    .configs()
                    .get(config)
                    .and_then(|c| c.apache())
                    .and_then(|a| {
                        let route = a
                            .routes_to(&target)
                            .into_iter()
                            .find(|r| r.via.place == via.place)?;
                        a.worker_param(&route, "timeout")
                    }),
                _ => self
                    .configs()
                    .get(config)
                    .and_then(|c| c.nginx())
                    .and_then(|n| n.effective(block, "fastcgi_read_timeout")),
            }) else {
                continue;
            };
            for route in self
                .routes_to(&target)
                .into_iter()
                .filter(|r| r.module == Module::FpmPool)
            {
                let Some(f) = self.configs().get(route.config).and_then(|c| c.fpm()) else {
                    continue;
                };
                let (Some(php), Some(fpm)) = (
                    f.effective(route.block, "max_execution_time"),
                    f.effective(route.block, "request_terminate_timeout"),
                ) else {
                    continue;
                };
                let (Some(php_t), Some(fpm_t), Some(front_t)) = (
                    duration(&php.value),
                    duration(&fpm.value),
                    duration(&front.value),
                ) else {
                    continue;
                };
                let zero = Duration::ZERO;
                let mut wrong = Vec::new();
                if php_t > zero && fpm_t > zero && php_t >= fpm_t {
                    wrong.push(
                        "FPM kills the script before PHP's own limit can end it with an error"
                            .to_string(),
                    );
                }
                if fpm_t > zero && fpm_t >= front_t {
                    wrong.push(
                        "the web server gives up (504) before FPM ends the script".to_string(),
                    );
                }
                if fpm_t == zero && php_t > zero && php_t >= front_t {
                    wrong.push("the web server gives up (504) before PHP's limit, and nothing in FPM ends the script".to_string());
                }
                if wrong.is_empty() {
                    continue;
                }
                out.push(Mismatch {
                    kind: MismatchKind::PhpTimeoutOrder,
                    message: format!(
                        "for pool {} the timeouts should grow from PHP to FPM to the web server, but {}; {}; {}: {}",
                        f.pool_name(route.block),
                        cite(&php),
                        cite(&fpm),
                        cite(&front),
                        wrong.join("; ")
                    ),
                    places: vec![php.place, fpm.place, front.place.clone()],
                    targets: vec![target.clone()],
                });
            }
        }
    }

    fn file_limit_checks(&self, out: &mut Vec<Mismatch>) {
        for (_, n) in self.nginx_configs() {
            let Some(limit) = n.effective(BlockId::MAIN, "worker_rlimit_nofile") else {
                continue;
            };
            let (Some(conns), Some(procs)) = (
                n.effective(BlockId::MAIN, "worker_connections"),
                n.effective(BlockId::MAIN, "worker_processes"),
            ) else {
                continue;
            };
            let (Ok(l), Ok(c)) = (limit.value.parse::<u64>(), conns.value.parse::<u64>()) else {
                continue;
            };
            let proxying = !n.passes().is_empty();
            let need = if proxying { c.saturating_mul(2) } else { c };
            if l >= need {
                continue;
            }
            let total = procs
                .value
                .parse::<u64>()
                .map(|p| {
                    format!(
                        " ({} connections over {p} worker processes)",
                        c.saturating_mul(p)
                    )
                })
                .unwrap_or_default();
            out.push(Mismatch {
                kind: MismatchKind::WorkerFilesLimit,
                message: format!(
                    "each worker may hold {c} connections{total} ({}){} but may open only {l} files ({}): connections fail with \"Too many open files\" before worker_connections is reached",
                    cite(&conns),
                    if proxying { ", and every proxied request takes two (client and upstream)" } else { "" },
                    cite(&limit)
                ),
                places: vec![limit.place.clone(), conns.place.clone()],
                targets: Vec::new(),
            });
        }
    }

    /// `*_buffer_size` (nginx) or `responsefieldsize` (Apache) of the routes to `target`
    /// below the largest response header seen (`observed` bytes).
    pub fn header_buffer_check(&self, target: &Target, observed: u64) -> Vec<Mismatch> {
        self.header_buffers(target, Some(observed))
    }

    /// `*_buffer_size` (nginx) or `responsefieldsize` (Apache) of the routes to `target`,
    /// when the server said the backend's response headers did not fit but no size is
    /// known: nginx's "upstream sent too big header" names none, and no access-log
    /// variable holds the header size of a response nginx refused (`$upstream_bytes_received`
    /// counts what was read until it gave up). The mismatch cites the buffer in force and
    /// says that the headers exceeded it.
    pub fn header_buffer_exceeded(&self, target: &Target) -> Vec<Mismatch> {
        self.header_buffers(target, None)
    }

    fn header_buffers(&self, target: &Target, observed: Option<u64>) -> Vec<Mismatch> {
        let mut out = Vec::new();
        for route in self.routes_to(target).into_iter().filter(|r| r.exact) {
            let name = match route.module.nginx_prefix() {
                Some(p) => format!("{p}_buffer_size"),
                None if route.module == Module::ApacheProxy => "responsefieldsize".to_string(),
                None => continue,
            };
            let Some(e) = self.effective(&route, &name) else {
                continue;
            };
            let Some(bytes) = size(&e.value) else {
                continue;
            };
            let seen = match observed {
                Some(observed) if bytes >= observed => continue,
                Some(observed) => {
                    format!("the backend's response headers reached {observed} bytes")
                }
                None => format!(
                    "the backend's response headers did not fit in those {bytes} bytes (the log gives no size)"
                ),
            };
            out.push(Mismatch {
                kind: MismatchKind::HeaderBufferBelowObserved,
                message: format!("{} for {}, but {seen}", cite(&e), e.block),
                places: vec![e.place.clone()],
                targets: vec![target.clone()],
            });
        }
        out
    }

    /// `pm.max_children` of the pools listening on `target` below the number of requests
    /// seen at once (`observed`: the web server's requests to `target` in flight at once,
    /// waiting ones included, as its access log shows them).
    pub fn max_children_check(&self, target: &Target, observed: u64) -> Vec<Mismatch> {
        let mut out = Vec::new();
        for route in self
            .routes_to(target)
            .into_iter()
            .filter(|r| r.module == Module::FpmPool)
        {
            let Some(e) = self.effective(&route, "pm.max_children") else {
                continue;
            };
            let Ok(n) = e.value.parse::<u64>() else {
                continue;
            };
            if n >= observed {
                continue;
            }
            out.push(Mismatch {
                kind: MismatchKind::MaxChildrenBelowObserved,
                message: format!(
                    "{} for {}, but the access log shows at least {observed} requests to it in flight at once: the others waited in the listen queue",
                    cite(&e),
                    e.block
                ),
                places: vec![e.place.clone()],
                targets: vec![target.clone()],
            });
        }
        out
    }

    /// Whether nginx keeps idle connections to `target` open longer than a backend idle
    /// timeout known from elsewhere (`backend_idle`: gunicorn's `--keep-alive`, Node's
    /// `keepAliveTimeout`, a load balancer's idle timeout).
    ///
    /// logscan's own reports take the backend's idle timeout from the backend's
    /// configuration when it is read too ([`Configs::mismatches`]: Apache
    /// `KeepAliveTimeout`, an nginx `keepalive_timeout`), not from the logs: no log line
    /// says how long the upstream connection a request reused had been idle (nginx's
    /// `$connection_requests` counts the client's connection, not the upstream one).
    pub fn keepalive_check(&self, target: &Target, backend_idle: Duration) -> Vec<Mismatch> {
        let mut out = Vec::new();
        for route in self.routes_to(target) {
            let (Some(group), Some(n)) = (
                route.group,
                self.configs().get(route.config).and_then(|c| c.nginx()),
            ) else {
                continue;
            };
            if n.effective(group, "keepalive").is_none() {
                continue;
            }
            let Some(ours) = n.effective(group, "keepalive_timeout") else {
                continue;
            };
            let Some(t) = duration(&ours.value) else {
                continue;
            };
            if t >= backend_idle {
                out.push(Mismatch {
                    kind: MismatchKind::KeepaliveOutlivesBackend,
                    message: format!("nginx keeps idle connections to {target} for {} ({}) but the backend closes them after {}", show(t), cite(&ours), show(backend_idle)),
                    places: vec![ours.place.clone()],
                    targets: vec![target.clone()],
                });
            }
        }
        out
    }
}

/// Whether `Listen 8080`, `Listen 127.0.0.1:8080`, `listen [::]:80`, `*:80` accept
/// connections for `target`.
fn listen_matches(listen: &str, target: &Target) -> bool {
    let Target::Address {
        port: Some(port), ..
    } = target
    else {
        return false;
    };
    let listen = listen.split_whitespace().next().unwrap_or("");
    if let Ok(p) = listen.parse::<u16>() {
        return p == *port;
    }
    match Target::parse_with_default_port(listen, false) {
        Some(Target::Address {
            host,
            port: Some(p),
        }) if matches!(host.as_str(), "*" | "0.0.0.0" | "::") => p == *port,
        Some(t @ Target::Address { .. }) => t.same(target),
        _ => false,
    }
}

/// Whether a `proxy_set_header Connection ""` (or `keep-alive`, or an `$http_...`-style
/// variable) applies to a block: nginx takes `proxy_set_header` from the nearest level that
/// has any.
fn connection_header_cleared(n: &crate::nginx::NginxConfig, block: BlockId) -> bool {
    let tree = n.tree();
    let Some(level) = tree
        .ancestry(block)
        .find(|&b| tree.all(b, "proxy_set_header", false).next().is_some())
    else {
        return false;
    };
    tree.all(level, "proxy_set_header", false).any(|s| {
        s.args
            .first()
            .is_some_and(|h| h.eq_ignore_ascii_case("connection"))
            && s.args
                .get(1)
                .is_some_and(|v| !v.eq_ignore_ascii_case("close"))
    })
}
