//! nginx's built-in defaults for the directives logscan asks about, from the sources of
//! nginx 1.22-1.29 (`ngx_http_proxy_module.c` merge functions: timeouts 60 s, buffers one
//! memory page; `ngx_http_upstream.c`: `max_fails=1 fail_timeout=10s`;
//! `ngx_event.c`: `worker_connections 512`; `ngx_http_core_module.c`: `resolver_timeout
//! 30s`, `keepalive_timeout 75s`; `ngx_http_upstream_keepalive_module.c`: upstream
//! `keepalive_timeout 60s`, `keepalive_requests 1000`, `keepalive_time 1h`).
//!
//! Buffer sizes default to one memory page: 4k on x86-64 and most arm64 Linux builds.

/// The context a directive belongs to, which decides where it is looked up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scope {
    /// The main context (`worker_processes`, `user`).
    Main,
    /// `events {}`.
    Events,
    /// `http`/`server`/`location`, inherited inwards.
    Http,
    /// An `upstream {}` block, not inherited from `http`.
    Upstream,
}

const MAIN: &[(&str, Option<&str>)] = &[
    ("user", Some("nobody nogroup")),
    ("worker_processes", Some("1")),
    ("worker_rlimit_nofile", None),
];

const EVENTS: &[(&str, Option<&str>)] = &[("worker_connections", Some("512"))];

const UPSTREAM: &[(&str, Option<&str>)] = &[
    ("keepalive", None),
    ("keepalive_timeout", Some("60s")),
    ("keepalive_requests", Some("1000")),
    ("keepalive_time", Some("1h")),
];

/// Per-module directives (`{m}` is `proxy`, `fastcgi`, `uwsgi`, `scgi`, `grpc`), then
/// plain ones.
const MODULE: &[(&str, Option<&str>)] = &[
    ("{m}_connect_timeout", Some("60s")),
    ("{m}_send_timeout", Some("60s")),
    ("{m}_read_timeout", Some("60s")),
    ("{m}_buffer_size", Some("4k")),
    ("{m}_buffers", Some("8 4k")),
    ("{m}_busy_buffers_size", Some("8k")),
    ("{m}_buffering", Some("on")),
    ("{m}_max_temp_file_size", Some("1024m")),
    ("{m}_next_upstream", Some("error timeout")),
    ("{m}_next_upstream_tries", Some("0")),
    ("{m}_next_upstream_timeout", Some("0")),
    ("{m}_ignore_client_abort", Some("off")),
    ("{m}_pass", None),
];

const HTTP: &[(&str, Option<&str>)] = &[
    ("proxy_http_version", Some("1.0")),
    ("proxy_ssl_server_name", Some("off")),
    ("proxy_ssl_verify", Some("off")),
    ("fastcgi_keep_conn", Some("off")),
    ("resolver", None),
    ("resolver_timeout", Some("30s")),
    ("keepalive_timeout", Some("75s")),
    ("keepalive_requests", Some("1000")),
    ("send_timeout", Some("60s")),
    ("client_header_buffer_size", Some("1k")),
    ("large_client_header_buffers", Some("4 8k")),
    ("client_max_body_size", Some("1m")),
    ("limit_req", None),
    ("limit_req_status", Some("503")),
    ("limit_conn_status", Some("503")),
];

const MODULES: &[&str] = &["proxy", "fastcgi", "uwsgi", "scgi", "grpc"];

/// The scope of a directive, and its default: `Some(None)` for a known directive without
/// a default (`resolver`, `keepalive`), `None` for one this table does not know.
pub(crate) fn lookup(name: &str, in_upstream: bool) -> Option<(Scope, Option<&'static str>)> {
    let find = |table: &[(&str, Option<&'static str>)]| {
        table.iter().find(|(n, _)| *n == name).map(|(_, d)| *d)
    };
    if in_upstream {
        if let Some(d) = find(UPSTREAM) {
            return Some((Scope::Upstream, d));
        }
    }
    if let Some(d) = find(MAIN) {
        return Some((Scope::Main, d));
    }
    if let Some(d) = find(EVENTS) {
        return Some((Scope::Events, d));
    }
    if let Some(d) = find(HTTP) {
        return Some((Scope::Http, d));
    }
    for m in MODULES {
        if let Some(rest) = name.strip_prefix(m).and_then(|r| r.strip_prefix('_')) {
            if let Some((_, d)) = MODULE
                .iter()
                .find(|(n, _)| n.strip_prefix("{m}_") == Some(rest))
            {
                return Some((Scope::Http, *d));
            }
        }
    }
    if !in_upstream {
        if let Some(d) = find(UPSTREAM) {
            return Some((Scope::Upstream, d));
        }
    }
    None
}

/// Defaults of the parameters of an `upstream` block's `server` lines.
pub(crate) fn server_param(name: &str) -> Option<&'static str> {
    match name {
        "max_fails" => Some("1"),
        "fail_timeout" => Some("10s"),
        "weight" => Some("1"),
        "max_conns" => Some("0"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_directives_share_their_defaults() {
        assert_eq!(
            lookup("proxy_read_timeout", false),
            Some((Scope::Http, Some("60s")))
        );
        assert_eq!(
            lookup("fastcgi_buffer_size", false),
            Some((Scope::Http, Some("4k")))
        );
        assert_eq!(
            lookup("grpc_connect_timeout", false),
            Some((Scope::Http, Some("60s")))
        );
        assert_eq!(lookup("resolver", false), Some((Scope::Http, None)));
        assert_eq!(
            lookup("worker_connections", false),
            Some((Scope::Events, Some("512")))
        );
        assert_eq!(
            lookup("keepalive_timeout", true),
            Some((Scope::Upstream, Some("60s")))
        );
        assert_eq!(
            lookup("keepalive_timeout", false),
            Some((Scope::Http, Some("75s")))
        );
        assert_eq!(lookup("keepalive", false), Some((Scope::Upstream, None)));
        assert_eq!(lookup("no_such_directive", false), None);
        assert_eq!(server_param("fail_timeout"), Some("10s"));
    }
}
