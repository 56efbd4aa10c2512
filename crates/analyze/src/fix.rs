//! Fixes: what to check and change for each cause, with the evidence filled in.
//!
//! Each cause has its own ingredients (for a refused connection: is the backend running
//! and listening where `proxy_pass` points; for a read timeout: how slow the backend was
//! against `proxy_read_timeout`). Every text names the upstream, the count and the time,
//! and the directive of the server that logged the failure (nginx directives for nginx,
//! including its stream module, Apache directives for Apache with mod_proxy or mod_fcgid,
//! PHP-FPM pool settings for FPM, the Lua balancer's own objects for ingress-nginx, Kong and
//! APISIX). Steps go in order: check first, then change.

use logscan_parse::{Cause, Edge, Server};

use crate::report::Fix;
use crate::text::{human_seconds, thousands};

/// The evidence a fix text is built from.
#[derive(Clone, Debug, Default)]
pub struct FixContext {
    /// The cause.
    pub cause: Option<Cause>,
    /// Which server logged it.
    pub server: Option<Server>,
    /// The upstream (peer, socket, group, host or FPM pool).
    pub upstream: String,
    /// Upstream protocol (`http`, `fastcgi`, ...), most frequent.
    pub protocol: Option<String>,
    /// Events.
    pub count: u64,
    /// "between 14:02:11 and 14:07:40" or "at 14:02:11".
    pub when: String,
    /// Most frequent variant.
    pub variant: Option<String>,
    /// Most frequent errno name.
    pub errno: Option<String>,
    /// Observed upstream/request time of the failed responses (seconds), from access logs.
    pub observed_timeout: Option<f64>,
    /// For no_live_upstreams: the cause and upstream of the errors before it.
    pub trigger: Option<(Cause, String, u64)>,
    /// A line from another log that proves the cause (e.g. php-fpm.log).
    pub evidence: Option<String>,
    /// The most affected endpoint.
    pub endpoint: Option<String>,
    /// Apache: the `retry` seconds seen in AH00959 ("disabling worker ... for 60s").
    pub retry_seconds: Option<u64>,
    /// PHP-FPM pm.max_children value seen in the FPM log.
    pub max_children: Option<u64>,
    /// Edge findings: what the edge log adds (`None` for the origin's findings).
    pub edge: Option<EdgeContext>,
}

/// The evidence of an edge finding (a CDN or load balancer failure).
#[derive(Clone, Debug, Default)]
pub struct EdgeContext {
    /// The product.
    pub edge: Edge,
    /// The status the edge sent most often.
    pub status: Option<u16>,
    /// The status the origin answered most often, where the edge logs one.
    pub origin_status: Option<u16>,
    /// How long the failed requests took at the edge: (shortest, median, longest) seconds.
    pub took: Option<(f64, f64, f64)>,
    /// The join with the origin's logs: (reached, never reached, unknown), when origin logs
    /// were read.
    pub reach: Option<(u64, u64, u64)>,
    /// The origin finding that explains the failures, in words ("nginx's upstream_refused
    /// at 127.0.0.1:19101, finding #1").
    pub explained: Option<String>,
    /// Which server's access log the join read (`nginx`, `apache`).
    pub origin_server: Option<String>,
}

impl FixContext {
    fn server(&self) -> Server {
        self.server.unwrap_or(Server::Nginx)
    }

    fn protocol(&self) -> &str {
        self.protocol
            .as_deref()
            .unwrap_or(if self.upstream.starts_with("unix:") {
                "fastcgi"
            } else {
                "http"
            })
    }

    fn is_fastcgi(&self) -> bool {
        matches!(self.protocol(), "fastcgi" | "fcgi")
    }

    fn is_unix(&self) -> bool {
        self.upstream.starts_with("unix:")
    }

    /// A TCP/UDP upstream of nginx's stream module (`proxy_pass 10.0.0.5:3306;` in a
    /// `stream {}` block): its directives differ from the HTTP proxy's.
    fn is_stream(&self) -> bool {
        matches!(self.protocol.as_deref(), Some("tcp" | "udp"))
    }

    /// A FastCGI application run by Apache's mod_fcgid rather than mod_proxy.
    fn is_fcgid(&self) -> bool {
        self.variant
            .as_deref()
            .is_some_and(|v| v.starts_with("fcgid"))
    }

    /// The nginx directive prefix for the upstream protocol: `proxy`, `fastcgi`, ...
    fn module(&self) -> &'static str {
        match self.protocol() {
            "fastcgi" | "fcgi" => "fastcgi",
            "uwsgi" | "suwsgi" => "uwsgi",
            "scgi" => "scgi",
            "grpc" | "grpcs" => "grpc",
            "memcached" => "memcached",
            _ => "proxy",
        }
    }

    /// `proxy_read_timeout`, `fastcgi_read_timeout`, ...
    fn directive(&self, suffix: &str) -> String {
        format!("{}_{suffix}", self.module())
    }

    fn pass_directive(&self) -> String {
        self.directive("pass")
    }

    /// What the `*_pass` directive names: `http://127.0.0.1:8080`, `unix:/run/php.sock`
    /// (fastcgi/uwsgi/scgi take the address without a scheme; proxy_pass needs one).
    fn pass_target(&self) -> String {
        if self.is_stream() {
            return self.upstream.clone();
        }
        match self.module() {
            "proxy" | "grpc" => format!("{}://{}", self.protocol(), self.upstream),
            _ => self.upstream.clone(),
        }
    }

    fn upstream_or(&self, fallback: &str) -> String {
        if self.upstream.is_empty() {
            fallback.to_owned()
        } else {
            self.upstream.clone()
        }
    }

    fn socket_path(&self) -> &str {
        self.upstream
            .strip_prefix("unix:")
            .unwrap_or(&self.upstream)
    }

    fn port(&self) -> Option<&str> {
        if self.is_unix() {
            return None;
        }
        self.upstream
            .rsplit_once(':')
            .map(|(_, port)| port)
            .filter(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    }

    fn n(&self) -> String {
        thousands(self.count)
    }

    fn times(&self, singular: &str, plural: &str) -> String {
        if self.count == 1 {
            format!("1 {singular}")
        } else {
            format!("{} {plural}", self.n())
        }
    }

    fn observed(&self) -> Option<String> {
        self.observed_timeout.map(human_seconds)
    }

    /// " php-fpm.log says: <line>" for summaries, or nothing.
    fn evidence_note(&self) -> String {
        self.evidence
            .as_ref()
            .map(|line| format!(" The PHP-FPM log says: {line}"))
            .unwrap_or_default()
    }
}

/// The fix for a finding.
pub fn fix(ctx: &FixContext) -> Fix {
    if let Some(edge) = &ctx.edge {
        return crate::edge_fix::fix(ctx, edge);
    }
    let cause = ctx.cause.unwrap_or(Cause::UpstreamRefused);
    let server = ctx.server();
    let u = ctx.upstream_or("the backend");
    let when = &ctx.when;
    let (summary, mut steps): (String, Vec<String>) = match cause {
        Cause::UpstreamRefused => {
            let listen_check = match ctx.port() {
                Some(port) => format!("`ss -ltnp | grep ':{port}'`"),
                None if ctx.is_unix() => format!("`ls -l {}` and `ss -lxp | grep '{}'`", ctx.socket_path(), ctx.socket_path()),
                None => "`ss -ltnp`".to_owned(),
            };
            let summary = format!(
                "{u} refused {} {when}: nothing was accepting connections there, so the backend was down, crashed, restarting, or listening on another address or port.",
                ctx.times("connection", "connections")
            );
            let mut steps = vec![format!(
                "Check the backend service: `systemctl status <backend service>` (or `docker ps`), and that it listens on {u}: {listen_check}."
            )];
            match server {
                Server::Apache => {
                    steps.push(format!("Check that the `ProxyPass`/`BalancerMember` address is exactly {u} (use 127.0.0.1 rather than localhost, which may resolve to ::1 first)."));
                    steps.push("Set `ProxyPass ... retry=0` (or a few seconds) so one failed connect does not turn into 60 s of 503s while mod_proxy keeps the worker in error state (AH00940); add spare `BalancerMember`s for restarts.".to_owned());
                }
                _ if ctx.is_stream() => {
                    steps.push(format!(
                        "Check that `proxy_pass {};` in the `stream {{}}` block matches the backend's listen address exactly ({}).",
                        ctx.pass_target(),
                        if ctx.protocol.as_deref() == Some("udp") { "for UDP, a refusal is the ICMP port-unreachable of a closed port" } else { "prefer 127.0.0.1:<port> over localhost" }
                    ));
                    steps.push("To ride out restarts: several `server`s in the stream `upstream` block with `proxy_next_upstream on;` (the default) and `proxy_next_upstream_tries`.".to_owned());
                }
                _ => {
                    steps.push(format!(
                        "Check that `{} {}` matches the backend's listen address exactly (prefer 127.0.0.1:<port> over localhost, which may resolve to [::1] first).",
                        ctx.pass_directive(),
                        ctx.pass_target()
                    ));
                    steps.push(format!(
                        "To ride out restarts and deploys: list more than one `server` (or a `backup`) in the upstream block, keep `{}_next_upstream error timeout` and set `{}_next_upstream_tries`; in containers use `resolver 127.0.0.11 valid=10s;` with a variable in `{}` so new addresses are picked up.",
                        ctx.module(), ctx.module(), ctx.pass_directive()
                    ));
                }
            }
            (summary, steps)
        }
        Cause::UpstreamUnreachable => (
            format!(
                "{u} was unreachable {} {when} ({}): no route to the host or network, the host is down, or a firewall rejects the traffic.",
                ctx.times("time", "times"),
                ctx.errno.as_deref().unwrap_or("EHOSTUNREACH/ENETUNREACH")
            ),
            vec![
                format!("Check the path to {u} from this machine: `ip route get <backend ip>`, `ping`, and the firewall/security-group rules (a REJECT with icmp-host-prohibited produces this error)."),
                "Check that the address is still the backend's (a stale DNS answer or a moved container gives a dead IP).".to_owned(),
                if server == Server::Apache {
                    "If an IPv6 address is unreachable, point `ProxyPass` at the IPv4 address.".to_owned()
                } else {
                    "If AAAA records point at unreachable IPv6 addresses, use `resolver <ip> ipv6=off;` or an IPv4 address in the upstream.".to_owned()
                },
            ],
        ),
        Cause::UpstreamTimeoutConnect => {
            let directive = if server == Server::Apache {
                "`ProxyPass ... connectiontimeout=<s>`".to_owned()
            } else {
                format!("`{}`", ctx.directive("connect_timeout"))
            };
            (
                format!(
                    "Connecting to {u} timed out {} {when}: the backend did not accept the connection within {directive}{}. Usually its accept queue is full (overloaded) or a firewall drops the packets.",
                    ctx.times("time", "times"),
                    ctx.observed().map(|t| format!(" (observed {t})")).unwrap_or_default()
                ),
                vec![
                    format!("Check the backend's load and accept queue: `ss -ltn` (Recv-Q at the backlog means a full queue), CPU, and whether {u} answers at all (`curl -v`)."),
                    "Raise the backend's capacity and its listen backlog (`net.core.somaxconn`, `net.ipv4.tcp_max_syn_backlog`, the application's backlog setting).".to_owned(),
                    if server == Server::Apache {
                        "Keep `connectiontimeout` short (1-5 s) so a dead backend fails fast, and add balancer members.".to_owned()
                    } else if ctx.is_stream() {
                        "Keep the stream module's `proxy_connect_timeout` short (1-5 s) with several servers in the stream `upstream` block and `proxy_next_upstream on;` so another server is tried.".to_owned()
                    } else {
                        format!("Keep `{}` short (1-5 s) with `{}_next_upstream timeout` so another server is tried.", ctx.directive("connect_timeout"), ctx.module())
                    },
                ],
            )
        }
        Cause::UpstreamTimeoutRead => {
            let (directive, backend_timeouts) = match server {
                Server::Apache if ctx.variant.as_deref() == Some("fcgid_busy_timeout") => (
                    "mod_fcgid's `FcgidBusyTimeout` (default 300 s, after which the process is killed)".to_owned(),
                    "PHP `max_execution_time`",
                ),
                Server::Apache if ctx.is_fcgid() => (
                    "mod_fcgid's `FcgidIOTimeout` (default 40 s)".to_owned(),
                    "PHP `max_execution_time`",
                ),
                Server::Apache => (
                    if ctx.is_fastcgi() { "`ProxyTimeout` (or `ProxySet timeout=` for the fcgi:// worker)".to_owned() } else { "`ProxyTimeout` (or `ProxyPass ... timeout=`)".to_owned() },
                    "PHP-FPM `request_terminate_timeout`, gunicorn `--timeout`, uWSGI `harakiri`",
                ),
                _ if ctx.is_stream() => (
                    "the stream module's `proxy_timeout` (default 10m: the time between two reads or writes)".to_owned(),
                    "the backend's own idle and query timeouts",
                ),
                _ => (
                    format!("`{}`", ctx.directive("read_timeout")),
                    "PHP-FPM `request_terminate_timeout`, gunicorn `--timeout`, uWSGI `harakiri`",
                ),
            };
            let observed = match ctx.observed() {
                Some(t) => format!(" The failed requests waited {t} for the upstream: that is the {directive} in force."),
                None => String::new(),
            };
            let endpoint = ctx
                .endpoint
                .as_ref()
                .map(|e| format!(" Slowest hit: {e}."))
                .unwrap_or_default();
            let mut steps = vec![
                format!("Find out why {u} is slow: look at the endpoints below and the backend's own logs for the same times (slow database queries, external calls, all workers busy).{endpoint}"),
            ];
            if server == Server::Apache && ctx.is_fcgid() {
                steps.push("mod_fcgid ends the request with 500 (`End of script output before headers`) when the FastCGI process does not answer in time.".to_owned());
            } else if server == Server::Apache {
                steps.push("mod_proxy_http answers 502 (not 504) when the status line times out; mod_proxy_fcgi answers 504.".to_owned());
            }
            steps.push(format!(
                "Only if the endpoint is legitimately slow, raise {directive} for that location alone, and keep the backend's own timeouts ({backend_timeouts}) below it so the backend, not the proxy, cuts off."
            ));
            (
                format!(
                    "{u} answered too slowly {} {when}: the request was accepted but no response came within {directive}.{observed}",
                    ctx.times("time", "times")
                ),
                steps,
            )
        }
        Cause::UpstreamTimeoutSend => (
            format!(
                "Sending requests to {u} timed out {} {when}: the backend stopped reading the request body.",
                ctx.times("time", "times")
            ),
            vec![
                format!("Check whether {u} reads request bodies (large uploads to a stuck or slow backend) and its upload limits."),
                if server == Server::Apache {
                    "Raise `ProxyTimeout` only for upload locations; fix the backend first.".to_owned()
                } else {
                    format!("Keep `{}_request_buffering on` (the default) so nginx sends the body in one go, and raise `{}` only for upload locations.", ctx.module(), ctx.directive("send_timeout"))
                },
            ],
        ),
        Cause::UpstreamReset => {
            let mut steps = vec![format!(
                "Check whether the backend at {u} crashed or was killed at those times: its logs, `dmesg -T | grep -i -E 'oom|killed'`, worker timeouts (gunicorn worker timeout, PHP-FPM `request_terminate_timeout`)."
            )];
            match server {
                Server::Apache => steps.push("Connection reuse race: set `ProxyPass ... ttl=<s>` shorter than the backend's keep-alive timeout, or `disablereuse=On`; `SetEnv proxy-initial-not-pooled 1` for non-idempotent requests.".to_owned()),
                _ => steps.push(format!(
                    "Keep-alive race: if the upstream block has `keepalive`, set its `keepalive_timeout` below the backend's idle timeout and use `{}_http_version 1.1` with `{}_set_header Connection \"\";`.",
                    ctx.module(), ctx.module()
                )),
            }
            if ctx.is_fastcgi() {
                steps.push("PHP-FPM: check `listen.allowed_clients` includes the web server.".to_owned());
            }
            (
                format!(
                    "{u} reset {} {when}: the backend process died or dropped the connection mid-request (crash, OOM kill, worker timeout) or a reused keep-alive connection had just been closed by the backend.",
                    ctx.times("connection", "connections")
                ),
                steps,
            )
        }
        Cause::UpstreamClosedEarly => {
            let mut steps = vec![format!(
                "Look at the backend's log at the same seconds ({}) for a crash, a kill or a timeout: the process serving the request exited before answering.",
                ctx.when
            )];
            if ctx.is_fastcgi() {
                steps.push("PHP-FPM: `grep -E 'exited|execution timed out' php-fpm.log` for the same times; raise `memory_limit` or fix the crash; keep `request_terminate_timeout` consistent with the proxy timeout.".to_owned());
            } else {
                steps.push("Check `dmesg -T | grep -i oom`, the application server's worker timeout and max-requests recycling.".to_owned());
            }
            (
                format!(
                    "{u} closed the connection before sending a complete response {} {when}.",
                    ctx.times("time", "times")
                ),
                steps,
            )
        }
        Cause::BackendCrash => (
            format!(
                "The backend process{} died {} {when}.{}",
                if ctx.upstream.is_empty() { String::new() } else { format!(" ({u})") },
                ctx.times("time", "times"),
                ctx.evidence_note()
            ),
            vec![
                "Find what killed it: `dmesg -T | grep -i -E 'oom|segfault'` (SIGKILL is usually the OOM killer, SIGSEGV a crashing extension).".to_owned(),
                "For PHP-FPM: enable core dumps (`rlimit_core = unlimited`), disable or upgrade the crashing extension (opcache JIT, PECL modules); if memory-bound, lower `pm.max_children`.".to_owned(),
            ],
        ),
        Cause::NoLiveUpstreams => {
            let trigger = match &ctx.trigger {
                Some((cause, up, n)) => format!(
                    " It started after {} {} errors from {} just before: that is the real cause.",
                    thousands(*n),
                    cause.id(),
                    if up.is_empty() { "the same upstream" } else { up }
                ),
                None => String::new(),
            };
            let (summary_tail, steps) = match server {
                _ if ctx.variant.as_deref() == Some("no_endpoints") => (
                    format!(
                        "the Lua balancer (ingress-nginx, Kong, APISIX) had no backend to offer for {u}, so nginx dialed the placeholder 0.0.0.1 of its `upstream` block (or answered 502/503 at once). This is not a network problem: the service had no ready endpoints, targets or nodes."
                    ),
                    vec![
                        format!("ingress-nginx: {u} is `<namespace>-<service>-<port>`; check that the Service has ready endpoints: `kubectl get endpointslices -n <namespace> -l kubernetes.io/service-name=<service>` and `kubectl get pods -n <namespace> -l <selector>`."),
                        "Then why the pods are not ready: the Service's selector matches the pods' labels, the targetPort is the port the container listens on, and the readiness probe passes (`kubectl describe pod`); during deploys keep `maxUnavailable` low and use a PodDisruptionBudget.".to_owned(),
                        "Kong: check the upstream's targets and their health (`curl -s localhost:8001/upstreams/<name>/health`); APISIX: the upstream's `nodes` and its health checks.".to_owned(),
                    ],
                ),
                Server::Apache => (
                    format!(
                        "mod_proxy had every worker of {u} in error state and answered 503 without trying the backend{}.",
                        ctx.retry_seconds.map(|s| format!(" for {s} s after each failure (retry={s})")).unwrap_or_default()
                    ),
                    vec![
                        "Fix the trigger first: the connect errors just before the first of these lines.".to_owned(),
                        "Then lower `retry=` on the `ProxyPass`/`BalancerMember` (e.g. `retry=5`) so recovered backends are used again quickly, and add a hot standby (`BalancerMember ... status=+H`).".to_owned(),
                    ],
                ),
                _ => (
                    format!("nginx had marked every server of upstream group `{u}` as failed and did not try any."),
                    vec![
                        "Fix the trigger first: the errors logged just before the first `no live upstreams`.".to_owned(),
                        "Then review `max_fails`/`fail_timeout` on the `server` lines (defaults 1 and 10s: one error takes a server out for 10 s), add a `backup` server, and check `max_conns`.".to_owned(),
                        "A group with a single server is never marked down: there `no live upstreams` means `max_conns` was reached or the server is marked `down`.".to_owned(),
                    ],
                ),
            };
            (
                format!(
                    "{} {when}: {summary_tail}{trigger}",
                    ctx.times("request found no live upstream", "requests found no live upstream")
                ),
                steps,
            )
        }
        Cause::HeaderTooBig => (
            format!(
                "{u} sent response headers bigger than the proxy's header buffer {} {when}.",
                ctx.times("time", "times")
            ),
            match server {
                Server::Apache => vec![
                    "Find the big header: many/large `Set-Cookie`, CSP or debug headers from the backend.".to_owned(),
                    "Raise `ProxyPass ... responsefieldsize=<bytes>` (default 8192, httpd 2.4.34+) and reduce the headers.".to_owned(),
                ],
                _ => vec![
                    format!("Find the big header: `curl -s -D - -o /dev/null http://{u}/...` on the failing endpoint (cookies, CSP, JWTs, debug headers, PHP warnings before the output)."),
                    if ctx.is_fastcgi() {
                        "Raise the buffer: `fastcgi_buffer_size 32k; fastcgi_buffers 16 16k;` in the location that talks to PHP-FPM.".to_owned()
                    } else {
                        format!("Raise the buffer: `{0}_buffer_size 16k; {0}_buffers 8 16k; {0}_busy_buffers_size 32k;` (busy must be at least the buffer size or nginx refuses to start).", ctx.module())
                    },
                    "Then shrink the headers at the source.".to_owned(),
                ],
            },
        ),
        Cause::BadUpstreamResponse => {
            let fastcgi_http = ctx.variant.as_deref() == Some("fastcgi_to_http_port");
            (
                format!(
                    "{u} sent an invalid {} response {} {when}{}.",
                    if ctx.is_fastcgi() { "FastCGI" } else { "HTTP" },
                    ctx.times("time", "times"),
                    if fastcgi_http { " (an HTTP server answered a FastCGI request)" } else { "" }
                ),
                match server {
                    Server::Apache => vec![
                        format!("Check that the `ProxyPass` scheme matches what {u} speaks (http:// vs https://, fcgi:// only for FastCGI)."),
                        "Fix the application's headers (duplicate Content-Length, invalid bytes); as a stopgap `ProxyBadHeader Ignore`.".to_owned(),
                    ],
                    _ => vec![
                        format!("Check that `{}` points at a port that speaks that protocol: `https://` for TLS backends, `fastcgi_pass` only to PHP-FPM, not to an HTTP port.", ctx.pass_directive()),
                        "Fix the application's response (duplicate or conflicting Content-Length/Transfer-Encoding, invalid header bytes, output before headers): nginx has no option to accept invalid upstream headers.".to_owned(),
                    ],
                },
            )
        }
        Cause::TlsToUpstream => {
            let wrong_version = ctx.variant.as_deref() == Some("wrong_version_number");
            (
                format!(
                    "TLS to {u} failed {} {when}{}.",
                    ctx.times("time", "times"),
                    if wrong_version { ": the backend speaks plain HTTP on that port (\"wrong version number\")" } else { "" }
                ),
                match server {
                    Server::Apache => vec![
                        "Check `SSLProxyEngine on`, and that the ProxyPass scheme matches the backend (https:// only for TLS ports).".to_owned(),
                        "Check trust and names: `SSLProxyCACertificateFile`, `SSLProxyVerify`, `SSLProxyCheckPeerName`, `SSLProxyCheckPeerExpire`; `openssl s_client -connect <backend> -servername <name>`.".to_owned(),
                    ],
                    _ => {
                        let mut steps = Vec::new();
                        if wrong_version {
                            steps.push(format!("Use `http://` in `{}` for a plain-HTTP backend, or point it at the backend's TLS port.", ctx.pass_directive()));
                        }
                        steps.push(format!("Test the handshake: `openssl s_client -connect {u} -servername <name>`."));
                        steps.push("Then set what it needs: `proxy_ssl_server_name on;` (SNI) and `proxy_ssl_name`, `proxy_ssl_trusted_certificate` with `proxy_ssl_verify on`, `proxy_ssl_protocols`, or a client certificate (`proxy_ssl_certificate`/`proxy_ssl_certificate_key`).".to_owned());
                        steps
                    }
                },
            )
        }
        Cause::DnsResolution => {
            let variant = ctx.variant.as_deref().unwrap_or("");
            let why = match variant {
                "nxdomain" => "the name does not exist (NXDOMAIN)",
                "servfail" => "the DNS server failed (SERVFAIL)",
                "refused" => "the DNS server refused the query",
                "timeout" => "the DNS server did not answer in time",
                "no_resolver" => "no `resolver` is configured",
                "startup" => "it could not be resolved when the configuration was loaded",
                _ => "the lookup failed",
            };
            (
                format!(
                    "The backend name `{u}` could not be resolved {} {when}: {why}.",
                    ctx.times("time", "times")
                ),
                match server {
                    Server::Apache => vec![
                        format!("Check the name: `getent hosts {u}` / `dig {u}` from this machine."),
                        "Fix the DNS record or `/etc/hosts`; httpd 2.4.59+ answers 500 (earlier 502) for this.".to_owned(),
                    ],
                    _ => vec![
                        format!("Check the name against the resolver nginx uses: `dig {u} @<resolver ip>`."),
                        if variant == "no_resolver" {
                            "Add `resolver <dns ip> valid=30s;` (Docker: 127.0.0.11; Kubernetes: the cluster DNS with the FQDN `svc.cluster.local`).".to_owned()
                        } else {
                            "Fix the record, or the `resolver` directive (address, `valid=`, `ipv6=off`, `resolver_timeout`); in Docker use 127.0.0.11, in Kubernetes the cluster DNS and the FQDN.".to_owned()
                        },
                        "For names that may be missing at start or reload, use a variable in `proxy_pass` (with `resolver`) or `server ... resolve` in a `zone` upstream so nginx starts without them.".to_owned(),
                    ],
                },
            )
        }
        Cause::SocketMissing => {
            let path = ctx.socket_path().to_owned();
            (
                format!(
                    "The unix socket {path} did not exist {} {when}: PHP-FPM (or the backend) is not running, or it listens on another path.",
                    ctx.times("time", "times")
                ),
                vec![
                    format!("Check the service and the path: `systemctl status php*-fpm` and `ls -l {path}`."),
                    match server {
                        Server::Apache => format!("Make the `ProxyPassMatch`/`SetHandler \"proxy:unix:{path}|fcgi://localhost\"` path and the FPM pool's `listen =` the same (version upgrades change it, e.g. php8.1-fpm.sock → php8.2-fpm.sock)."),
                        _ => format!("Make `fastcgi_pass unix:{path};` and the FPM pool's `listen =` the same (version upgrades change it, e.g. php8.1-fpm.sock → php8.2-fpm.sock)."),
                    },
                    "If the socket is in /tmp, systemd's PrivateTmp hides it from the web server: use /run/php/. In containers, share the socket directory.".to_owned(),
                ],
            )
        }
        Cause::SocketPermission => {
            if ctx.is_unix() {
                let path = ctx.socket_path().to_owned();
                (
                    format!(
                        "Permission denied connecting to {path} {} {when}: the web server's user may not write the socket.",
                        ctx.times("time", "times")
                    ),
                    vec![
                        format!("Check owner and mode: `ls -l {path}` and the web server's user (`ps -o user= -C nginx,apache2,httpd`)."),
                        "In the FPM pool set `listen.owner`/`listen.group` to the web server's user/group and `listen.mode = 0660` (or `listen.acl_users`), then restart FPM.".to_owned(),
                    ],
                )
            } else {
                (
                    format!(
                        "Permission denied connecting to {u} {} {when}: on a TCP address this is almost always SELinux.",
                        ctx.times("time", "times")
                    ),
                    vec![
                        "Check `ausearch -m avc -ts recent` for denials.".to_owned(),
                        "Allow it: `setsebool -P httpd_can_network_connect 1` (or `httpd_can_network_relay`).".to_owned(),
                    ],
                )
            }
        }
        Cause::BacklogFull => (
            format!(
                "The listen queue of {u} was full {} {when}: every backend worker was busy and the queue overflowed.",
                ctx.times("time", "times")
            ),
            vec![
                "Check how busy the pool is (PHP-FPM status page, `ss -lx | grep <socket>`).".to_owned(),
                "Raise capacity: `pm.max_children` as far as RAM allows, faster scripts; then `listen.backlog` in the pool and `sysctl net.core.somaxconn` (it caps the backlog).".to_owned(),
            ],
        ),
        Cause::FdExhaustion => (
            format!(
                "The server ran out of file descriptors {} {when} (EMFILE/ENFILE).",
                ctx.times("time", "times")
            ),
            match server {
                Server::Apache => vec![
                    "Check the limits: `cat /proc/$(pgrep -o apache2 || pgrep -o httpd)/limits | grep files` and `ls /proc/<pid>/fd | wc -l`.".to_owned(),
                    "Raise `LimitNOFILE=` in the systemd unit (or `ulimit -n` in envvars) and look for descriptor leaks.".to_owned(),
                ],
                _ => vec![
                    "Check the limits: `cat /proc/$(pgrep -o nginx)/limits | grep files`, and for leaks many CLOSE_WAIT sockets (`ss -tan state close-wait | wc -l`).".to_owned(),
                    "Raise `worker_rlimit_nofile` (at least 2 × `worker_connections` for a proxy) and `LimitNOFILE=` in the systemd unit; `fs.file-max` for ENFILE.".to_owned(),
                ],
            },
        ),
        Cause::WorkerConnections => (
            format!(
                "The {} had no free connection slots {} {when}.",
                if server == Server::Apache { "Apache workers" } else { "nginx workers" },
                ctx.times("time", "times")
            ),
            match server {
                Server::Apache => vec![
                    "Check the scoreboard (`apachectl status` / server-status) at peak.".to_owned(),
                    "Raise `MaxRequestWorkers` (and `ServerLimit`, `ThreadsPerChild`) as memory allows; prefer the event MPM over prefork.".to_owned(),
                ],
                _ => vec![
                    "Each proxied request uses two connections (client and upstream): check `worker_connections` × `worker_processes` against peak concurrency.".to_owned(),
                    "Raise `worker_connections` (with `worker_rlimit_nofile` to match), use `worker_processes auto`, and shorten `keepalive_timeout`.".to_owned(),
                ],
            },
        ),
        Cause::EphemeralPorts if matches!(ctx.errno.as_deref(), Some("ENOBUFS" | "EADDRINUSE")) => (
            format!(
                "No local port was free for connections to {u} {} {when} ({}): on Windows this is how connect() reports that the dynamic port range is used up.",
                ctx.times("time", "times"),
                ctx.errno.as_deref().unwrap_or("WSAENOBUFS")
            ),
            vec![
                "Count them: `netstat -ano | find /c \"TIME_WAIT\"` and `netsh int ipv4 show dynamicport tcp`.".to_owned(),
                if server == Server::Apache {
                    "Reuse backend connections (no `disablereuse=On`); widen the range (`netsh int ipv4 set dynamicport tcp start=10000 num=55535`) and shorten `TcpTimedWaitDelay`.".to_owned()
                } else {
                    "Reuse backend connections (`keepalive` in the upstream block with `proxy_http_version 1.1;`), widen the range (`netsh int ipv4 set dynamicport tcp start=10000 num=55535`) and shorten `TcpTimedWaitDelay`.".to_owned()
                },
            ],
        ),
        Cause::EphemeralPorts => (
            format!(
                "No local port was free for connections to {u} {} {when} (EADDRNOTAVAIL): too many connections in use or TIME_WAIT.",
                ctx.times("time", "times")
            ),
            match server {
                Server::Apache => vec![
                    "Count them: `ss -tan state time-wait | wc -l`.".to_owned(),
                    "Reuse connections (no `disablereuse=On`), widen `net.ipv4.ip_local_port_range`, enable `net.ipv4.tcp_tw_reuse=1`.".to_owned(),
                ],
                _ => vec![
                    format!("Count them: `ss -tan state time-wait dst {u} | wc -l`."),
                    "Reuse connections: `keepalive 32;` in the upstream block with `proxy_http_version 1.1;` and `proxy_set_header Connection \"\";`.".to_owned(),
                    "Then widen `net.ipv4.ip_local_port_range`, set `net.ipv4.tcp_tw_reuse=1`, or spread over several upstream addresses / `proxy_bind` source addresses.".to_owned(),
                ],
            },
        ),
        Cause::FpmPoolExhausted if ctx.is_fcgid() => (
            format!(
                "mod_fcgid had no FastCGI process for {} {when}: every process of the class was busy and no new one could be started, so Apache answered 503.",
                ctx.times("request", "requests")
            ),
            vec![
                "Check how many processes run and why they are slow: `ps -C php-cgi -o pid,etime,rss,args`, slow scripts in the application log.".to_owned(),
                "Raise `FcgidMaxProcessesPerClass` (default 100) and `FcgidMaxProcesses` (default 1000) as memory allows, and lower `FcgidSpawnScoreUpLimit` waits only if spawning is the bottleneck; better, move PHP to PHP-FPM (mod_proxy_fcgi) with a sized `pm.max_children`.".to_owned(),
            ],
        ),
        Cause::FpmPoolExhausted => {
            let max = ctx
                .max_children
                .map(|m| format!(" (pm.max_children = {m})"))
                .unwrap_or_default();
            let mut steps = Vec::new();
            steps.push("Measure the children's memory (`ps -o rss= -C php-fpm8.2 | sort -n | tail`) and raise `pm.max_children` only as far as RAM allows (about free RAM ÷ average child RSS).".to_owned());
            steps.push("Find the slow scripts that hold the children: `request_slowlog_timeout = 5s` with `slowlog`; add `request_terminate_timeout`; enable opcache.".to_owned());
            steps.push("Tune `pm.start_servers`, `pm.min_spare_servers`, `pm.max_spare_servers` (or `pm = static` for steady load); `listen.backlog` decides how many requests may wait.".to_owned());
            (
                format!(
                    "The PHP-FPM pool {} had all children busy{max} {when}: {} waited for a free child until the {} timed out.{}",
                    if ctx.upstream.is_empty() { String::new() } else { format!("behind {u}") },
                    ctx.times("request", "requests"),
                    if server == Server::Apache { "ProxyTimeout" } else { "fastcgi_read_timeout" },
                    ctx.evidence_note()
                ),
                steps,
            )
        }
        Cause::PhpFatal => {
            let what = match ctx.variant.as_deref() {
                Some("memory_limit") => "scripts ran out of memory (\"Allowed memory size exhausted\")",
                Some("parse_error") => "a PHP file does not parse (a broken deploy)",
                Some("uncaught_exception") => "uncaught exceptions",
                _ => "PHP fatal errors",
            };
            (
                format!(
                    "{} {when}: {what}. Clients got 500 (or a broken page when output had started).",
                    ctx.times("request failed", "requests failed")
                ),
                vec![
                    "The message names the file and line: open the example lines below.".to_owned(),
                    match ctx.variant.as_deref() {
                        Some("memory_limit") => "Fix the memory use, or raise `memory_limit` (php.ini or `php_admin_value[memory_limit]` in the pool) for that script.".to_owned(),
                        Some("parse_error") => "Roll back the deploy that shipped the file, then fix it.".to_owned(),
                        _ => "Fix the code (undefined function/class, uncaught exception); roll back if it came with a deploy.".to_owned(),
                    },
                ],
            )
        }
        Cause::PhpTimeout => {
            let terminate = ctx.variant.as_deref() == Some("request_terminate_timeout");
            let mut steps = Vec::new();
            steps.push("Find the slow script (example lines, FPM `slowlog`) and make it faster, or move long jobs to a queue.".to_owned());
            steps.push(format!(
                "If it must run longer, raise the limits consistently: `max_execution_time` < `request_terminate_timeout` (pool) < {} (use `set_time_limit()` for batch endpoints).",
                if server == Server::Apache { "`ProxyTimeout`" } else { "`fastcgi_read_timeout`" }
            ));
            (
                format!(
                    "{} ran out of time {when}{}.{}",
                    ctx.times("PHP request", "PHP requests"),
                    if terminate {
                        ": PHP-FPM killed the child at `request_terminate_timeout`, so the web server saw the connection close"
                    } else {
                        ": `max_execution_time` was exceeded"
                    },
                    ctx.evidence_note()
                ),
                steps,
            )
        }
        Cause::PhpScriptNotFound => (
            format!(
                "PHP-FPM could not find or open the script {} {when} (404 \"File not found.\" / 403 \"Access denied.\").",
                ctx.times("time", "times")
            ),
            match server {
                Server::Apache => vec![
                    "Check that httpd and PHP-FPM see the same `DocumentRoot` (containers!) and that the `ProxyPassMatch` path maps to it.".to_owned(),
                    "Check file permissions, `open_basedir` and `security.limit_extensions`.".to_owned(),
                ],
                _ => vec![
                    "Check `fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;` and that `root` is set in that location (the same path must exist inside the PHP-FPM container).".to_owned(),
                    "If the files exist: permissions for the pool user, `open_basedir`, `security.limit_extensions`, FPM `chroot`. Requests for missing .php files (scanners) can be answered by nginx with `try_files $uri =404;`.".to_owned(),
                ],
            },
        ),
        Cause::ClientAbort => match server {
            Server::Apache => (
                format!(
                    "Clients closed {} before the response {when}: they (or a CDN or load balancer in front) gave up first.",
                    ctx.times("connection", "connections")
                ),
                vec![
                    "Usually a symptom of slow responses: log `%D` in the `LogFormat` and compare the request times of the same endpoints; if every client is a CDN or load balancer address, its origin timeout is the limit.".to_owned(),
                    "Speed up the endpoint or align CDN/LB timeouts; for aborted uploads check `RequestReadTimeout` (mod_reqtimeout); behind a CDN set `RemoteIPHeader` + `RemoteIPTrustedProxy` (mod_remoteip) to see real clients.".to_owned(),
                ],
            ),
            _ => (
                format!(
                    "Clients closed {} before the response {when} (nginx logs 499).",
                    ctx.times("request", "requests")
                ),
                vec![
                    "Usually a symptom of slow responses: compare with the request times of the same endpoints; if every client is a CDN or load balancer address, its origin timeout is the limit.".to_owned(),
                    "Speed up the endpoint or align CDN/LB timeouts; for work that must finish, `proxy_ignore_client_abort on` / `fastcgi_ignore_client_abort on`; behind a CDN set `set_real_ip_from` + `real_ip_header` to see real clients.".to_owned(),
                ],
            ),
        },
        Cause::RateLimited => match server {
            Server::Apache => (
                format!(
                    "The server rejected {} by rate limiting {when}.",
                    ctx.times("request", "requests")
                ),
                vec![
                    "Check whether these are real users or abuse: the clients below; behind a CDN/LB every visitor shares one address unless `RemoteIPHeader` + `RemoteIPTrustedProxy` (mod_remoteip) are set.".to_owned(),
                    "Tune the limiting module's thresholds (mod_evasive `DOSPageCount`/`DOSSiteCount`, mod_qos, ModSecurity rules) and whitelist monitoring and internal clients.".to_owned(),
                ],
            ),
            _ => (
                format!(
                    "nginx rejected {} by rate limiting {when} (503 unless `limit_req_status` says otherwise).",
                    ctx.times("request", "requests")
                ),
                vec![
                    "Check whether these are real users or abuse: the clients below; behind a CDN/LB every visitor shares one key unless `set_real_ip_from` + `real_ip_header` are set.".to_owned(),
                    "Tune `limit_req_zone ... rate=` and `limit_req ... burst=<n> nodelay`, try `limit_req_dry_run on` first, and answer 429 with `limit_req_status 429;` (`limit_conn_status 429;`).".to_owned(),
                ],
            ),
        },
        Cause::BufferedToDisk => {
            if ctx.variant.as_deref() == Some("temp_path_error") {
                let dir = &ctx.upstream;
                let (directive, what) = temp_path_kind(dir);
                let why = match ctx.errno.as_deref() {
                    Some("EACCES") => "the nginx worker user may not write there (the directory is owned by another user, typically after a `user` change, a package upgrade or a restored backup)".to_owned(),
                    Some("ENOSPC") => "the disk is full".to_owned(),
                    Some("ENOENT") => "the directory does not exist (removed, or on a filesystem that was not mounted)".to_owned(),
                    Some("EMFILE" | "ENFILE") => "nginx ran out of file descriptors".to_owned(),
                    _ => "the directory is not writable or the disk is full".to_owned(),
                };
                let place = if dir.is_empty() {
                    format!("`{directive}`")
                } else {
                    format!("{dir} (`{directive}`)")
                };
                (
                    format!(
                        "nginx could not write its temporary files in {place} {} {when}: {why}. {what}",
                        ctx.times("time", "times")
                    ),
                    vec![
                        format!(
                            "Check the directory and the disk: `ls -ld {0} {0}/..`, `ps -o user= -C nginx` (the workers' user, the `user` directive), `df -h {0}; df -i {0}`.",
                            if dir.is_empty() { "<temp path>" } else { dir.as_str() }
                        ),
                        format!(
                            "Give it back to the workers' user (`chown -R www-data: {}`, or the user of the `user` directive) or free space; nginx repairs the owner of its temp paths only when it starts, so `nginx -s reload` after fixing.",
                            if dir.is_empty() { "<temp path>" } else { dir.as_str() }
                        ),
                        format!("To avoid the temporary files altogether for this traffic: raise `client_body_buffer_size` (uploads) or `{}` (responses), or set `{}_max_temp_file_size 0`.", ctx.directive("buffers"), ctx.module()),
                    ],
                )
            } else {
                (
                    format!(
                        "{} buffered to temporary files {when}: extra disk I/O for large responses.",
                        ctx.times("response was", "responses were")
                    ),
                    vec![
                        format!("Raise `{}` so typical responses fit in memory, or `{}_max_temp_file_size 0` to stream them synchronously.", ctx.directive("buffers"), ctx.module()),
                        format!("For streaming endpoints `{}_buffering off`; consider tmpfs for the temp path.", ctx.module()),
                    ],
                )
            }
        }
        // Only edge logs report these (handled above); a finding without the edge's
        // context gets the edge fix's generic text.
        Cause::OriginErrorResponse
        | Cause::EdgeInternalError
        | Cause::EdgeFunctionError
        | Cause::UpstreamQueueTimeout => {
            let f = crate::edge_fix::fix(ctx, &EdgeContext::default());
            (f.summary, f.steps)
        }
        Cause::ProxyConfigError => {
            let what = match ctx.variant.as_deref() {
                Some("fastcgi_to_http_port") => format!("`fastcgi_pass` points at {u}, which is an HTTP server (FastCGI \"version 72\" is the letter H of \"HTTP/1.1\")"),
                Some("proxy_protocol") => "the listener expects the PROXY protocol but the load balancer does not send it (or the reverse)".to_owned(),
                Some("missing_module") => "the proxy module for that scheme is not loaded".to_owned(),
                _ => "the proxy configuration is wrong".to_owned(),
            };
            (
                format!("{} {when}: {what}.", ctx.times("request failed", "requests failed")),
                match ctx.variant.as_deref() {
                    Some("fastcgi_to_http_port") => vec![
                        format!("Point `fastcgi_pass` at PHP-FPM's `listen` address, or use `proxy_pass http://{u}` if the backend speaks HTTP."),
                    ],
                    Some("proxy_protocol") => vec![
                        "Make `listen ... proxy_protocol` match the load balancer: enable the PROXY protocol on the LB, or remove it from `listen`.".to_owned(),
                    ],
                    Some("missing_module") => vec![
                        "Load the module: `a2enmod proxy_http` (or `proxy_fcgi`, `proxy_wstunnel`) / `LoadModule proxy_http_module ...`, then reload.".to_owned(),
                    ],
                    _ => vec!["Read the example lines: the message names the directive to fix.".to_owned()],
                },
            )
        }
        // A cause this version has no fix text for.
        _ => (
            format!("{} {when}.", ctx.times("request failed", "requests failed")),
            Vec::new(),
        ),
    };
    if steps.is_empty() {
        steps.push("Read the example lines below.".to_owned());
    }
    Fix {
        summary: capitalized(summary),
        steps,
    }
}

/// The directive a temporary directory belongs to, and what failing there does to clients,
/// told from nginx's default names (`client_body_temp`, `proxy_temp`, ...; Debian's
/// `/var/lib/nginx/body`, `/var/lib/nginx/proxy`, ...).
fn temp_path_kind(dir: &str) -> (&'static str, &'static str) {
    let last = dir.rsplit(['/', '\\']).next().unwrap_or(dir);
    let has = |names: &[&str]| names.iter().any(|n| last.contains(n));
    if has(&["client_body", "body"]) {
        (
            "client_body_temp_path",
            "Requests with bodies larger than `client_body_buffer_size` (uploads, large POSTs) failed with 500.",
        )
    } else if has(&["fastcgi"]) {
        (
            "fastcgi_temp_path",
            "FastCGI responses larger than the `fastcgi_buffers` reached clients truncated.",
        )
    } else if has(&["uwsgi"]) {
        (
            "uwsgi_temp_path",
            "uwsgi responses larger than the `uwsgi_buffers` reached clients truncated.",
        )
    } else if has(&["scgi"]) {
        (
            "scgi_temp_path",
            "SCGI responses larger than the `scgi_buffers` reached clients truncated.",
        )
    } else {
        (
            "proxy_temp_path",
            "Proxied responses larger than the `proxy_buffers` reached clients truncated.",
        )
    }
}

/// The text with its first letter upper-case ("the backend ..." → "The backend ...").
fn capitalized(mut text: String) -> String {
    if let Some(first) = text.chars().next().filter(char::is_ascii_lowercase) {
        text.replace_range(..1, &first.to_ascii_uppercase().to_string());
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(cause: Cause, server: Server, upstream: &str) -> FixContext {
        FixContext {
            cause: Some(cause),
            server: Some(server),
            upstream: upstream.to_owned(),
            count: 1_204,
            when: "between 14:02:11 and 14:07:40".to_owned(),
            ..FixContext::default()
        }
    }

    /// Every cause has a fix for every server kind that names the evidence.
    #[test]
    fn every_cause_has_a_specific_fix() {
        for cause in Cause::ALL {
            for server in [Server::Nginx, Server::Apache] {
                let f = fix(&ctx(cause, server, "10.0.0.5:8080"));
                assert!(!f.summary.is_empty() && !f.steps.is_empty(), "{cause:?}");
                assert!(
                    f.summary.contains("1,204") || f.summary.contains("10.0.0.5:8080"),
                    "{cause:?}/{server:?} fix does not name the evidence: {}",
                    f.summary
                );
                assert!(f.summary.contains("14:02:11"), "{cause:?}: {}", f.summary);
            }
        }
    }

    /// Each cause's fix, per server, carries its ingredients: the directives and commands
    /// of that server, never the other server's.
    #[test]
    fn each_fix_has_the_ingredients_of_causes_md() {
        use Cause as C;
        // (cause, upstream, nginx ingredients, Apache ingredients)
        let table: &[(Cause, &str, &[&str], &[&str])] = &[
            (
                C::UpstreamRefused,
                "127.0.0.1:8080",
                &[
                    "systemctl status",
                    "ss -ltnp",
                    "proxy_pass",
                    "proxy_next_upstream",
                    "backup",
                ],
                &[
                    "systemctl status",
                    "ss -ltnp",
                    "ProxyPass",
                    "retry=0",
                    "BalancerMember",
                ],
            ),
            (
                C::UpstreamUnreachable,
                "10.0.0.5:8080",
                &["ip route", "firewall", "ipv6=off"],
                &["ip route", "firewall", "ProxyPass"],
            ),
            (
                C::UpstreamTimeoutConnect,
                "10.0.0.5:8080",
                &[
                    "proxy_connect_timeout",
                    "proxy_next_upstream timeout",
                    "net.core.somaxconn",
                ],
                &["connectiontimeout", "net.core.somaxconn"],
            ),
            (
                C::UpstreamTimeoutRead,
                "10.0.0.5:8080",
                &[
                    "proxy_read_timeout",
                    "request_terminate_timeout",
                    "harakiri",
                ],
                &["ProxyTimeout", "timeout=", "502"],
            ),
            (
                C::UpstreamTimeoutSend,
                "10.0.0.5:8080",
                &["proxy_send_timeout", "proxy_request_buffering on"],
                &["ProxyTimeout"],
            ),
            (
                C::UpstreamReset,
                "10.0.0.5:8080",
                &[
                    "dmesg",
                    "keepalive_timeout",
                    "proxy_http_version 1.1",
                    "Connection \"\"",
                ],
                &[
                    "dmesg",
                    "ttl=",
                    "disablereuse=On",
                    "proxy-initial-not-pooled",
                ],
            ),
            (
                C::UpstreamClosedEarly,
                "10.0.0.5:8080",
                &["backend's log", "oom"],
                &["backend's log", "oom"],
            ),
            (
                C::BackendCrash,
                "unix:/run/php/php8.2-fpm.sock",
                &["dmesg", "rlimit_core", "pm.max_children"],
                &["dmesg", "rlimit_core", "pm.max_children"],
            ),
            (
                C::NoLiveUpstreams,
                "backend",
                &[
                    "trigger",
                    "max_fails",
                    "fail_timeout",
                    "backup",
                    "max_conns",
                ],
                &["trigger", "retry=", "status=+H"],
            ),
            (
                C::HeaderTooBig,
                "10.0.0.5:8080",
                &[
                    "proxy_buffer_size",
                    "proxy_buffers",
                    "proxy_busy_buffers_size",
                ],
                &["responsefieldsize="],
            ),
            (
                C::BadUpstreamResponse,
                "10.0.0.5:8080",
                &[
                    "proxy_pass",
                    "https://",
                    "no option to accept invalid upstream headers",
                ],
                &["ProxyPass", "ProxyBadHeader"],
            ),
            (
                C::TlsToUpstream,
                "10.0.0.5:8443",
                &[
                    "proxy_ssl_server_name on",
                    "proxy_ssl_name",
                    "proxy_ssl_trusted_certificate",
                    "proxy_ssl_protocols",
                    "proxy_ssl_certificate",
                ],
                &[
                    "SSLProxyEngine on",
                    "SSLProxyCACertificateFile",
                    "SSLProxyVerify",
                    "SSLProxyCheckPeerName",
                    "SSLProxyCheckPeerExpire",
                ],
            ),
            (
                C::DnsResolution,
                "backend.internal",
                &[
                    "resolver",
                    "valid=",
                    "resolver_timeout",
                    "127.0.0.11",
                    "variable in `proxy_pass`",
                ],
                &["DNS", "500"],
            ),
            (
                C::SocketMissing,
                "unix:/run/php/php8.2-fpm.sock",
                &[
                    "systemctl status php",
                    "fastcgi_pass unix:",
                    "listen =",
                    "PrivateTmp",
                ],
                &[
                    "systemctl status php",
                    "ProxyPassMatch",
                    "listen =",
                    "PrivateTmp",
                ],
            ),
            (
                C::SocketPermission,
                "unix:/run/php/php8.2-fpm.sock",
                &["listen.owner", "listen.group", "listen.mode = 0660"],
                &["listen.owner", "listen.group", "listen.mode = 0660"],
            ),
            (
                C::SocketPermission,
                "10.0.0.5:8080",
                &["ausearch -m avc", "httpd_can_network_connect"],
                &["ausearch -m avc", "httpd_can_network_connect"],
            ),
            (
                C::BacklogFull,
                "unix:/run/php/php8.2-fpm.sock",
                &["pm.max_children", "listen.backlog", "net.core.somaxconn"],
                &["pm.max_children", "listen.backlog", "net.core.somaxconn"],
            ),
            (
                C::FdExhaustion,
                "10.0.0.5:8080",
                &[
                    "worker_rlimit_nofile",
                    "worker_connections",
                    "LimitNOFILE=",
                    "fs.file-max",
                    "CLOSE_WAIT",
                ],
                &["LimitNOFILE=", "ulimit -n"],
            ),
            (
                C::WorkerConnections,
                "",
                &[
                    "worker_connections",
                    "worker_rlimit_nofile",
                    "worker_processes auto",
                    "keepalive_timeout",
                ],
                &[
                    "MaxRequestWorkers",
                    "ServerLimit",
                    "ThreadsPerChild",
                    "event",
                ],
            ),
            (
                C::EphemeralPorts,
                "10.0.0.5:8080",
                &[
                    "keepalive",
                    "proxy_http_version 1.1",
                    "ip_local_port_range",
                    "tcp_tw_reuse",
                    "proxy_bind",
                ],
                &["disablereuse", "ip_local_port_range", "tcp_tw_reuse"],
            ),
            (
                C::FpmPoolExhausted,
                "unix:/run/php/php8.2-fpm.sock",
                &[
                    "pm.max_children",
                    "RAM",
                    "request_slowlog_timeout",
                    "request_terminate_timeout",
                    "pm.max_spare_servers",
                    "fastcgi_read_timeout",
                ],
                &[
                    "pm.max_children",
                    "RAM",
                    "request_slowlog_timeout",
                    "ProxyTimeout",
                ],
            ),
            (
                C::PhpFatal,
                "unix:/run/php/php8.2-fpm.sock",
                &["file and line", "roll back", "500"],
                &["file and line", "roll back", "500"],
            ),
            (
                C::PhpTimeout,
                "unix:/run/php/php8.2-fpm.sock",
                &[
                    "max_execution_time",
                    "request_terminate_timeout",
                    "fastcgi_read_timeout",
                    "set_time_limit()",
                    "queue",
                ],
                &[
                    "max_execution_time",
                    "request_terminate_timeout",
                    "ProxyTimeout",
                    "set_time_limit()",
                ],
            ),
            (
                C::PhpScriptNotFound,
                "unix:/run/php/php8.2-fpm.sock",
                &[
                    "SCRIPT_FILENAME $document_root$fastcgi_script_name",
                    "root",
                    "open_basedir",
                    "security.limit_extensions",
                ],
                &[
                    "DocumentRoot",
                    "ProxyPassMatch",
                    "open_basedir",
                    "security.limit_extensions",
                ],
            ),
            (
                C::ClientAbort,
                "10.0.0.5:8080",
                &[
                    "499",
                    "CDN",
                    "proxy_ignore_client_abort on",
                    "set_real_ip_from",
                    "real_ip_header",
                ],
                &["%D", "CDN", "RemoteIPHeader", "RequestReadTimeout"],
            ),
            (
                C::RateLimited,
                "",
                &[
                    "limit_req_zone",
                    "burst=",
                    "limit_req_dry_run on",
                    "limit_req_status 429",
                    "set_real_ip_from",
                ],
                &["RemoteIPHeader", "mod_evasive"],
            ),
            (
                C::BufferedToDisk,
                "10.0.0.5:8080",
                &[
                    "proxy_buffers",
                    "proxy_max_temp_file_size 0",
                    "proxy_buffering off",
                    "tmpfs",
                ],
                &[],
            ),
            (
                C::ProxyConfigError,
                "10.0.0.5:8080",
                &["directive"],
                &["directive"],
            ),
        ];
        let covered: std::collections::BTreeSet<Cause> = table.iter().map(|row| row.0).collect();
        // Edge-only causes have their own table (edge_fix.rs tests).
        let origin_causes = Cause::ALL.iter().filter(|c| !c.edge_only()).count();
        assert_eq!(covered.len(), origin_causes, "a row for every cause id");
        let nginx_only = [
            "proxy_pass",
            "fastcgi_pass",
            "proxy_read_timeout",
            "limit_req",
            "set_real_ip_from",
            "worker_connections",
        ];
        let apache_only = [
            "ProxyPass",
            "ProxyTimeout",
            "BalancerMember",
            "MaxRequestWorkers",
            "RemoteIPHeader",
        ];
        for &(cause, upstream, nginx, apache) in table {
            for (server, wanted, foreign) in [
                (Server::Nginx, nginx, &apache_only[..]),
                (Server::Apache, apache, &nginx_only[..]),
            ] {
                if wanted.is_empty() {
                    continue; // nginx only: Apache never logs it
                }
                let mut c = ctx(cause, server, upstream);
                if upstream.starts_with("unix:") {
                    c.protocol = Some("fastcgi".into());
                }
                let f = fix(&c);
                let text = format!("{}\n{}", f.summary, f.steps.join("\n"));
                for w in wanted {
                    assert!(
                        text.contains(w),
                        "{cause:?}/{server:?}: no {w:?} in\n{text}"
                    );
                }
                for w in foreign {
                    assert!(
                        !text.contains(&format!("`{w}")),
                        "{cause:?}/{server:?}: the other server's {w:?} in\n{text}"
                    );
                }
            }
        }
    }

    #[test]
    fn refused_names_upstream_and_check_then_change() {
        let f = fix(&ctx(
            Cause::UpstreamRefused,
            Server::Nginx,
            "127.0.0.1:8080",
        ));
        assert!(
            f.summary
                .starts_with("127.0.0.1:8080 refused 1,204 connections between 14:02:11")
        );
        assert!(
            f.steps[0].contains("systemctl status")
                && f.steps[0].contains("ss -ltnp | grep ':8080'")
        );
        assert!(
            f.steps[1].contains("`proxy_pass http://127.0.0.1:8080`"),
            "{}",
            f.steps[1]
        );
        let mut fcgi = ctx(Cause::UpstreamRefused, Server::Nginx, "127.0.0.1:9000");
        fcgi.protocol = Some("fastcgi".into());
        assert!(
            fix(&fcgi).steps[1].contains("`fastcgi_pass 127.0.0.1:9000`"),
            "{:?}",
            fix(&fcgi).steps
        );
        let mut sock = ctx(
            Cause::UpstreamRefused,
            Server::Nginx,
            "unix:/run/php/php8.2-fpm.sock",
        );
        sock.protocol = Some("fastcgi".into());
        assert!(fix(&sock).steps[1].contains("`fastcgi_pass unix:/run/php/php8.2-fpm.sock`"));
        let apache = fix(&ctx(
            Cause::UpstreamRefused,
            Server::Apache,
            "127.0.0.1:8080",
        ));
        assert!(apache.steps.iter().any(|s| s.contains("retry=0")));
        assert!(!apache.steps.iter().any(|s| s.contains("proxy_pass")));
    }

    #[test]
    fn read_timeout_shows_observed_time_and_the_right_directive() {
        let mut c = ctx(
            Cause::UpstreamTimeoutRead,
            Server::Nginx,
            "unix:/run/php/php8.2-fpm.sock",
        );
        c.protocol = Some("fastcgi".into());
        c.observed_timeout = Some(3.001);
        let f = fix(&c);
        assert!(f.summary.contains("fastcgi_read_timeout"), "{}", f.summary);
        assert!(f.summary.contains("3.0 s"));
        c.protocol = Some("http".into());
        assert!(fix(&c).summary.contains("proxy_read_timeout"));
        c.server = Some(Server::Apache);
        let apache = fix(&c);
        assert!(
            apache.summary.contains("ProxyTimeout")
                && !apache.summary.contains("proxy_read_timeout")
        );
    }

    #[test]
    fn fpm_pool_cites_max_children_and_the_fpm_line() {
        let mut c = ctx(
            Cause::FpmPoolExhausted,
            Server::Nginx,
            "unix:/run/php/php8.2-fpm.sock",
        );
        c.max_children = Some(1);
        c.evidence = Some("[25-Nov-2026 01:29:10] WARNING: [pool www] server reached pm.max_children setting (1), consider raising it".into());
        let f = fix(&c);
        assert!(f.summary.contains("pm.max_children = 1"));
        assert!(f.summary.contains("server reached pm.max_children"));
        assert!(
            f.steps[0].contains("Measure"),
            "the first step is something to do"
        );
        assert!(
            f.steps
                .iter()
                .any(|s| s.contains("pm.max_children") && s.contains("RAM"))
        );
    }

    #[test]
    fn variants_change_the_advice() {
        let mut c = ctx(Cause::DnsResolution, Server::Nginx, "backend.internal");
        c.variant = Some("no_resolver".into());
        assert!(
            fix(&c)
                .steps
                .iter()
                .any(|s| s.contains("resolver <dns ip>"))
        );
        let mut t = ctx(Cause::TlsToUpstream, Server::Nginx, "127.0.0.1:8443");
        t.variant = Some("wrong_version_number".into());
        assert!(fix(&t).steps[0].contains("http://"));
        let mut p = ctx(Cause::ProxyConfigError, Server::Nginx, "127.0.0.1:8080");
        p.variant = Some("fastcgi_to_http_port".into());
        assert!(fix(&p).summary.contains("HTTP server"));
        let mut b = ctx(Cause::BufferedToDisk, Server::Nginx, "");
        b.variant = Some("temp_path_error".into());
        assert!(fix(&b).summary.contains("truncated"));
    }

    /// Lines from the wild: temp paths, Lua balancers, mod_fcgid, the stream module and
    /// Windows each get the advice of their own directives.
    #[test]
    fn wild_variants_name_their_own_directives() {
        let mut body = ctx(Cause::BufferedToDisk, Server::Nginx, "/var/lib/nginx/body");
        body.variant = Some("temp_path_error".into());
        body.errno = Some("EACCES".into());
        let f = fix(&body);
        assert!(
            f.summary.contains("`client_body_temp_path`"),
            "{}",
            f.summary
        );
        assert!(f.summary.contains("may not write there"), "{}", f.summary);
        assert!(f.summary.contains("500"), "{}", f.summary);
        assert!(
            f.steps
                .iter()
                .any(|s| s.contains("chown -R www-data: /var/lib/nginx/body"))
        );
        let mut proxy = ctx(
            Cause::BufferedToDisk,
            Server::Nginx,
            "/var/cache/nginx/proxy_temp",
        );
        proxy.variant = Some("temp_path_error".into());
        proxy.errno = Some("ENOSPC".into());
        let f = fix(&proxy);
        assert!(f.summary.contains("`proxy_temp_path`") && f.summary.contains("disk is full"));

        let mut lua = ctx(Cause::NoLiveUpstreams, Server::Nginx, "shop-web-80");
        lua.variant = Some("no_endpoints".into());
        let f = fix(&lua);
        assert!(f.summary.contains("0.0.0.1") && f.summary.contains("not a network problem"));
        assert!(
            f.steps
                .iter()
                .any(|s| s.contains("kubectl get endpointslices"))
        );
        assert!(!f.steps.iter().any(|s| s.contains("max_fails")));

        let mut fcgid = ctx(Cause::UpstreamTimeoutRead, Server::Apache, "");
        fcgid.variant = Some("fcgid_io_timeout".into());
        let f = fix(&fcgid);
        assert!(f.summary.contains("FcgidIOTimeout"), "{}", f.summary);
        assert!(!f.summary.contains("ProxyTimeout"), "{}", f.summary);
        let mut slot = ctx(Cause::FpmPoolExhausted, Server::Apache, "");
        slot.variant = Some("fcgid_process_slot".into());
        let f = fix(&slot);
        assert!(
            f.steps
                .iter()
                .any(|s| s.contains("FcgidMaxProcessesPerClass"))
        );

        let mut stream = ctx(Cause::UpstreamTimeoutRead, Server::Nginx, "10.0.0.9:5432");
        stream.protocol = Some("tcp".into());
        assert!(fix(&stream).summary.contains("`proxy_timeout`"));
        let mut refused = ctx(Cause::UpstreamRefused, Server::Nginx, "10.0.0.9:5432");
        refused.protocol = Some("tcp".into());
        let f = fix(&refused);
        assert!(
            f.steps
                .iter()
                .any(|s| s.contains("`proxy_pass 10.0.0.9:5432;` in the `stream {}` block"))
        );

        let mut windows = ctx(Cause::EphemeralPorts, Server::Nginx, "127.0.0.1:8080");
        windows.errno = Some("ENOBUFS".into());
        assert!(fix(&windows).steps.iter().any(|s| s.contains("netsh")));
    }
}
