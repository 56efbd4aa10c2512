//! Which directives decide which cause, per server: the configuration half of the fix
//! ingredients (a cause's id names what failed; these are the knobs that set when and
//! how).

use crate::answer::{Effective, Module, Route};
use crate::configs::{Configs, via_effective};
use crate::tree::BlockId;

/// The deciding directives of `cause` for one route, with their values in force.
pub(crate) fn for_route(configs: &Configs, route: &Route, cause: &str) -> Vec<Effective> {
    let mut wanted: Vec<Want> = Vec::new();
    macro_rules! want {
        ($name:expr) => {
            wanted.push(Want::Name(($name).to_string()))
        };
    }
    let mut out = Vec::new();
    match route.module {
        Module::FpmPool => match cause {
            "fpm_pool_exhausted" | "backlog_full" => ["pm.max_children", "pm", "listen.backlog"]
                .iter()
                .for_each(|n| want!(n)),
            "php_timeout" => ["request_terminate_timeout", "max_execution_time"]
                .iter()
                .for_each(|n| want!(n)),
            "upstream_timeout_read" => ["pm.max_children", "request_terminate_timeout"]
                .iter()
                .for_each(|n| want!(n)),
            "upstream_reset" | "upstream_closed_early" => want!("request_terminate_timeout"),
            "socket_permission" => ["listen.owner", "listen.group", "listen.mode"]
                .iter()
                .for_each(|n| want!(n)),
            "backend_crash" => ["pm.max_requests", "memory_limit"]
                .iter()
                .for_each(|n| want!(n)),
            "php_fatal" => want!("memory_limit"),
            _ => {}
        },
        Module::ApacheProxy => {
            let via = || via_effective(route, &route.via);
            match cause {
                "upstream_timeout_read" | "fpm_pool_exhausted" | "php_timeout" => want!("timeout"),
                "upstream_timeout_connect" => want!("connectiontimeout"),
                "upstream_refused" | "no_live_upstreams" => {
                    want!("retry");
                    if cause == "upstream_refused" {
                        wanted.push(Want::Value(via()));
                    }
                }
                "header_too_big" => want!("responsefieldsize"),
                "upstream_reset" | "upstream_closed_early" => ["ttl", "disablereuse", "keepalive"]
                    .iter()
                    .for_each(|n| want!(n)),
                "worker_connections" => ["MaxRequestWorkers", "ServerLimit", "ThreadsPerChild"]
                    .iter()
                    .for_each(|n| want!(n)),
                "socket_missing"
                | "socket_permission"
                | "bad_upstream_response"
                | "proxy_config_error"
                | "tls_to_upstream"
                | "upstream_unreachable" => wanted.push(Want::Value(via())),
                _ => {}
            }
        }
        module => {
            let Some(p) = module.nginx_prefix() else {
                return Vec::new();
            };
            let m = |suffix: &str| format!("{p}_{suffix}");
            let pass = || via_effective(route, &route.via);
            match cause {
                "upstream_timeout_read" => want!(&m("read_timeout")),
                "upstream_timeout_connect" => {
                    want!(&m("connect_timeout"));
                    want!(&m("next_upstream"));
                }
                "upstream_timeout_send" => want!(&m("send_timeout")),
                "header_too_big" => {
                    want!(&m("buffer_size"));
                    want!(&m("buffers"));
                }
                "buffered_to_disk" => ["buffers", "buffer_size", "max_temp_file_size", "buffering"]
                    .iter()
                    .for_each(|s| want!(&m(s))),
                "upstream_refused" | "upstream_unreachable" => {
                    wanted.push(Want::Value(pass()));
                    want!(&m("next_upstream"));
                }
                "no_live_upstreams" => {
                    wanted.extend(member_params(configs, route).into_iter().map(Want::Value));
                    want!(&m("next_upstream"));
                }
                "upstream_reset" | "upstream_closed_early" | "ephemeral_ports" => {
                    wanted.extend(
                        upstream_keepalive(configs, route)
                            .into_iter()
                            .map(Want::Value),
                    );
                    if module == Module::NginxProxy {
                        want!("proxy_http_version");
                    }
                    if module == Module::NginxFastcgi {
                        want!("fastcgi_keep_conn");
                    }
                }
                "dns_resolution" => {
                    wanted.push(Want::Value(pass()));
                    want!("resolver");
                    want!("resolver_timeout");
                }
                "tls_to_upstream" => {
                    wanted.push(Want::Value(pass()));
                    want!("proxy_ssl_server_name");
                    want!("proxy_ssl_verify");
                }
                "bad_upstream_response"
                | "proxy_config_error"
                | "socket_missing"
                | "socket_permission"
                | "backlog_full" => wanted.push(Want::Value(pass())),
                "fpm_pool_exhausted" | "php_timeout" => want!(&m("read_timeout")),
                "client_abort" => {
                    want!(&m("ignore_client_abort"));
                    want!(&m("read_timeout"));
                }
                "rate_limited" => {
                    want!("limit_req");
                    want!("limit_req_status");
                }
                "worker_connections" => {
                    want!("worker_connections");
                    want!("worker_processes");
                }
                "fd_exhaustion" => {
                    want!("worker_rlimit_nofile");
                    want!("worker_connections");
                }
                _ => {}
            }
        }
    }
    for w in wanted {
        match w {
            Want::Name(name) => out.extend(configs.effective(route, &name)),
            Want::Value(e) => out.push(e),
        }
    }
    out
}

/// A directive to look up, or a value already found, in the order they are reported.
enum Want {
    Name(String),
    Value(Effective),
}

/// `max_fails` and `fail_timeout` of the group's members (the one the route names, or all).
fn member_params(configs: &Configs, route: &Route) -> Vec<Effective> {
    let Some(n) = configs.configs().get(route.config).and_then(|c| c.nginx()) else {
        return Vec::new();
    };
    let Some(group) = route.group else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for server in n.upstream_servers(group) {
        if route
            .member
            .as_ref()
            .is_some_and(|m| m.place != server.setting.place)
        {
            continue;
        }
        for p in ["max_fails", "fail_timeout"] {
            out.extend(n.server_param(group, &server, p));
        }
    }
    out
}

/// The upstream group's `keepalive` and its `keepalive_timeout`.
fn upstream_keepalive(configs: &Configs, route: &Route) -> Vec<Effective> {
    let (Some(n), Some(group)) = (
        configs.configs().get(route.config).and_then(|c| c.nginx()),
        route.group,
    ) else {
        return Vec::new();
    };
    ["keepalive", "keepalive_timeout"]
        .iter()
        .filter_map(|d| n.effective(group, d))
        .collect()
}

/// Directives of the main context that decide causes no upstream names.
pub(crate) fn global(configs: &Configs, cause: &str) -> Vec<Effective> {
    let mut out = Vec::new();
    for (_, n) in configs.nginx_configs() {
        let names: &[&str] = match cause {
            "worker_connections" => &["worker_connections", "worker_processes"],
            "fd_exhaustion" => &[
                "worker_rlimit_nofile",
                "worker_connections",
                "worker_processes",
            ],
            _ => &[],
        };
        out.extend(names.iter().filter_map(|d| n.effective(BlockId::MAIN, d)));
    }
    for (_, a) in configs.apache_configs() {
        let names: &[&str] = match cause {
            "worker_connections" => &["MaxRequestWorkers", "ServerLimit", "ThreadsPerChild"],
            _ => &[],
        };
        out.extend(names.iter().filter_map(|d| a.effective(BlockId::MAIN, d)));
    }
    out
}
