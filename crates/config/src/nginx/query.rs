//! Questions asked of an nginx configuration: which block sends to a target, the value in
//! force of a directive there, the `upstream` groups, the `log_format`s.

use super::NginxConfig;
use super::defaults::{self, Scope};
use crate::answer::{Effective, Module, Route, Server, Source};
use crate::place::Place;
use crate::target::{Target, matches_with_variables};
use crate::tree::{BlockId, Setting};

/// A `log_format` definition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogFormat {
    /// Its name.
    pub name: String,
    /// The format string: its quoted parts joined without separator, as nginx does.
    pub format: String,
    /// The `escape=` parameter, if given (`default`, `json`, `none`).
    pub escape: Option<String>,
    /// Where it is defined.
    pub place: Place,
}

/// A `server` line of an `upstream` block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UpstreamServer {
    /// The address as written (`127.0.0.1:8080`, `unix:/run/app.sock`, `app.internal`).
    pub address: String,
    /// The peer it names (port 80 when none is written, as nginx assumes).
    pub target: Option<Target>,
    /// Its parameters in order: `("max_fails", Some("2"))`, `("backup", None)`.
    pub params: Vec<(String, Option<String>)>,
    /// The line itself.
    pub setting: Setting,
}

impl UpstreamServer {
    /// A parameter's value as written, if given.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .and_then(|(_, v)| v.as_deref())
    }
}

/// The directives that send requests upstream, and their modules.
const PASSES: &[(&str, Module)] = &[
    ("proxy_pass", Module::NginxProxy),
    ("fastcgi_pass", Module::NginxFastcgi),
    ("uwsgi_pass", Module::NginxUwsgi),
    ("scgi_pass", Module::NginxScgi),
    ("grpc_pass", Module::NginxGrpc),
    ("memcached_pass", Module::NginxMemcached),
];

impl NginxConfig {
    /// A block in words, outermost first: `server shop.example.test / location /api/`,
    /// `upstream backend`, `http`, `events`, `main`.
    pub fn describe(&self, block: BlockId) -> String {
        let tree = self.tree();
        let mut parts: Vec<String> = tree
            .ancestry(block)
            .filter(|&b| b == block || !matches!(tree.block(b).name.as_str(), "main" | "http"))
            .map(|b| self.describe_one(b))
            .collect();
        parts.reverse();
        parts.join(" / ")
    }

    fn describe_one(&self, id: BlockId) -> String {
        let tree = self.tree();
        let b = tree.block(id);
        match b.name.as_str() {
            "server" => {
                let name = tree
                    .all(id, "server_name", false)
                    .flat_map(|s| s.args.iter())
                    .find(|n| !n.is_empty() && *n != "_")
                    .or_else(|| tree.all(id, "listen", false).find_map(|s| s.args.first()));
                match name {
                    // `listen 80` is every address.
                    Some(n) if n.parse::<u16>().is_ok() => format!("server *:{n}"),
                    Some(n) => format!("server {n}"),
                    None => "server".into(),
                }
            }
            "if" => format!("if ({})", b.args.join(" ")),
            _ if b.args.is_empty() => b.name.clone(),
            _ => format!("{} {}", b.name, b.args.join(" ")),
        }
    }

    /// The value in force of `directive` for `block`: set there, inherited from an
    /// enclosing block (`http`, `server`), or nginx's default (then the place is the block's
    /// own line, where it would go). Directives of the main context (`worker_processes`)
    /// and of `events` are looked up there whatever the block; `upstream` directives
    /// (`keepalive`, its `keepalive_timeout`) only in the enclosing `upstream` block.
    /// `None` when it is not set and has no default (`resolver`, `keepalive`).
    pub fn effective(&self, block: BlockId, directive: &str) -> Option<Effective> {
        let tree = self.tree();
        let upstream = tree.enclosing(block, "upstream");
        let (scope, default) = match defaults::lookup(directive, upstream.is_some()) {
            Some(found) => found,
            None => (Scope::Http, None),
        };
        let described = self.describe(block);
        let found = |b: BlockId| tree.last(b, directive, false).cloned();
        let answer = |setting: Setting, source: Source| Effective {
            directive: directive.to_string(),
            value: setting.value(),
            place: setting.place,
            source,
            block: described.clone(),
            server: Server::Nginx,
        };
        let source_for = |b: BlockId| {
            if b == block {
                Source::Here
            } else {
                Source::Inherited
            }
        };
        let (set, default_place) = match scope {
            Scope::Main => (
                found(BlockId::MAIN).map(|s| (s, source_for(BlockId::MAIN))),
                tree.block(BlockId::MAIN).place.clone(),
            ),
            Scope::Events => {
                let events = tree
                    .block(BlockId::MAIN)
                    .children
                    .iter()
                    .copied()
                    .find(|&c| tree.block(c).name == "events");
                let place = events.map_or_else(
                    || tree.block(BlockId::MAIN).place.clone(),
                    |e| tree.block(e).place.clone(),
                );
                (
                    events.and_then(|e| found(e).map(|s| (s, source_for(e)))),
                    place,
                )
            }
            Scope::Upstream => match upstream {
                Some(u) => (
                    found(u).map(|s| (s, source_for(u))),
                    tree.block(u).place.clone(),
                ),
                None => (None, tree.block(block).place.clone()),
            },
            Scope::Http => (
                tree.ancestry(block)
                    .find_map(|b| found(b).map(|s| (s, source_for(b)))),
                tree.block(block).place.clone(),
            ),
        };
        if let Some((setting, source)) = set {
            return Some(answer(setting, source));
        }
        default.map(|value| Effective {
            directive: directive.to_string(),
            value: value.to_string(),
            place: default_place,
            source: Source::Default,
            block: described.clone(),
            server: Server::Nginx,
        })
    }

    /// The `upstream` block with this name.
    pub fn upstream(&self, name: &str) -> Option<BlockId> {
        self.blocks_named("upstream")
            .find(|&b| self.tree().block(b).args.first().is_some_and(|n| n == name))
    }

    /// The `server` lines of an `upstream` block.
    pub fn upstream_servers(&self, upstream: BlockId) -> Vec<UpstreamServer> {
        self.tree()
            .all(upstream, "server", false)
            .filter_map(|s| {
                let address = s.args.first()?.clone();
                let target = upstream_target(&address);
                let params = s
                    .args
                    .iter()
                    .skip(1)
                    .map(|p| match p.split_once('=') {
                        Some((k, v)) => (k.to_string(), Some(v.to_string())),
                        None => (p.clone(), None),
                    })
                    .collect();
                Some(UpstreamServer {
                    address,
                    target,
                    params,
                    setting: s.clone(),
                })
            })
            .collect()
    }

    /// A parameter of an upstream `server` line in force (`max_fails`, `fail_timeout`,
    /// `weight`, `max_conns`): as written on the line, or nginx's default (then the place is
    /// the line itself). The directive is named `server <param>=`.
    pub fn server_param(
        &self,
        upstream: BlockId,
        server: &UpstreamServer,
        param: &str,
    ) -> Option<Effective> {
        let block = format!("{} / server {}", self.describe(upstream), server.address);
        let (value, source) = match server.param(param) {
            Some(v) => (v.to_string(), Source::Here),
            None => (defaults::server_param(param)?.to_string(), Source::Default),
        };
        Some(Effective {
            directive: format!("server {param}="),
            value,
            place: server.setting.place.clone(),
            source,
            block,
            server: Server::Nginx,
        })
    }

    /// Every line that sends requests upstream (`proxy_pass`, `fastcgi_pass`, `uwsgi_pass`,
    /// `scgi_pass`, `grpc_pass`, `memcached_pass`), with its block and module.
    pub fn passes(&self) -> Vec<(BlockId, Setting, Module)> {
        let mut out = Vec::new();
        for (id, b) in self.tree().blocks() {
            for s in &b.settings {
                if let Some((_, module)) = PASSES.iter().find(|(n, _)| *n == s.name) {
                    out.push((id, s.clone(), *module));
                }
            }
        }
        out
    }

    /// The blocks that send requests to `target`: directly (`proxy_pass
    /// http://127.0.0.1:8080`, `fastcgi_pass unix:/run/php/php8.2-fpm.sock`), through an
    /// `upstream` group the target names or is a member of, or possibly through variables
    /// (then [`Route::exact`] is `false`). [`Route::config`] is 0.
    pub fn routes_to(&self, target: &Target) -> Vec<Route> {
        let mut out = Vec::new();
        for (block, via, module) in self.passes() {
            let Some(arg) = via.args.first() else {
                continue;
            };
            let route = |group: Option<BlockId>, member: Option<Setting>, exact: bool| Route {
                config: 0,
                module,
                block,
                block_name: self.describe(block),
                via: via.clone(),
                group,
                member,
                exact,
            };
            if arg.contains('$') {
                if matches_with_variables(arg, target) {
                    out.push(route(None, None, false));
                }
                continue;
            }
            let pass = PassTarget::read(module, arg);
            if let Some(group) = pass.group_name.as_deref().and_then(|g| self.upstream(g)) {
                let named = match target {
                    Target::Name(n) | Target::Address { host: n, .. } => {
                        pass.group_name.as_deref() == Some(n.as_str())
                    }
                    _ => false,
                };
                if named {
                    out.push(route(Some(group), None, true));
                    continue;
                }
                for server in self.upstream_servers(group) {
                    if server.target.as_ref().is_some_and(|t| t.same(target)) {
                        out.push(route(Some(group), Some(server.setting.clone()), true));
                    }
                }
                continue;
            }
            if pass.target.as_ref().is_some_and(|t| t.same(target)) {
                out.push(route(None, None, true));
            }
        }
        out
    }

    /// Every `log_format`, in the order nginx reads them.
    pub fn log_formats(&self) -> Vec<LogFormat> {
        let mut out = Vec::new();
        for (_, b) in self.tree().blocks() {
            for s in b.settings.iter().filter(|s| s.name == "log_format") {
                let Some((name, rest)) = s.args.split_first() else {
                    continue;
                };
                let (escape, parts) = match rest.split_first() {
                    Some((first, parts)) if first.starts_with("escape=") => {
                        (Some(first["escape=".len()..].to_string()), parts)
                    }
                    _ => (None, rest),
                };
                if parts.is_empty() {
                    continue;
                }
                out.push(LogFormat {
                    name: name.clone(),
                    format: parts.concat(),
                    escape,
                    place: s.place.clone(),
                });
            }
        }
        out
    }
}

/// What a `*_pass` argument points to.
struct PassTarget {
    /// The peer, with the scheme's default port.
    target: Option<Target>,
    /// The host, when written without a port: it may name an `upstream` group.
    group_name: Option<String>,
}

impl PassTarget {
    fn read(module: Module, arg: &str) -> PassTarget {
        let target = match module {
            // `proxy_pass` and `grpc_pass` carry a scheme; the others an address alone
            // (uwsgi may add `uwsgi://`).
            Module::NginxProxy | Module::NginxGrpc | Module::NginxUwsgi => Target::parse(arg),
            _ => Target::parse_with_default_port(arg, false),
        };
        let rest = arg.split_once("://").map_or(arg, |(_, r)| r);
        let authority = rest.split('/').next().unwrap_or_default();
        let group_name =
            (!authority.starts_with("unix:") && !authority.contains(':') && !authority.is_empty())
                .then(|| authority.to_string());
        PassTarget { target, group_name }
    }
}

/// The peer of an upstream `server` line: nginx assumes port 80 when none is written.
fn upstream_target(address: &str) -> Option<Target> {
    match Target::parse_with_default_port(address, false)? {
        Target::Name(host) => Some(Target::Address {
            host,
            port: Some(80),
        }),
        Target::Address { host, port: None } => Some(Target::Address {
            host,
            port: Some(80),
        }),
        other => Some(other),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::{Path, PathBuf};

    use super::*;
    use crate::Options;

    fn config(text: &str) -> NginxConfig {
        let mut files = BTreeMap::new();
        files.insert(PathBuf::from("/e/nginx.conf"), text.as_bytes().to_vec());
        let c = NginxConfig::from_memory(files, Path::new("/e/nginx.conf"), &Options::default())
            .unwrap();
        assert!(c.warnings().is_empty(), "{:?}", c.warnings());
        c
    }

    const SHOP: &str = "user www-data;
worker_processes 2;
events { worker_connections 1024; }
http {
    proxy_read_timeout 30s;
    upstream backend {
        server 127.0.0.1:19101 max_fails=3;
        server 127.0.0.1:19102;
        keepalive 16;
    }
    server {
        listen 80;
        server_name shop.example.test www.shop.example.test;
        proxy_buffer_size 16k;
        location /api/ {
            proxy_pass http://127.0.0.1:19020;
            proxy_read_timeout 5s;
        }
        location /app/ {
            proxy_pass http://backend;
        }
        location ~ \\.php$ {
            fastcgi_pass unix:/run/php/php8.2-fpm.sock;
        }
        location /dyn/ {
            proxy_pass http://$dyn_host:8080;
        }
    }
}
";

    #[test]
    fn routes_are_found_by_address_socket_group_and_member() {
        let c = config(SHOP);
        let r = c.routes_to(&Target::parse("127.0.0.1:19020").unwrap());
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].block_name, "server shop.example.test / location /api/");
        assert_eq!(r[0].via.place.line, 16);
        assert_eq!(r[0].module, Module::NginxProxy);

        let r = c.routes_to(&Target::parse("unix:/run/php/php8.2-fpm.sock").unwrap());
        assert_eq!(r[0].module, Module::NginxFastcgi);
        assert_eq!(
            r[0].block_name,
            "server shop.example.test / location ~ \\.php$"
        );

        // The group by its name; `$dyn_host` could hold that name too.
        let r = c.routes_to(&Target::parse("backend").unwrap());
        assert_eq!(r.len(), 2);
        assert!(r[0].exact && r[0].member.is_none() && r[0].group.is_some());
        assert!(!r[1].exact);

        let r = c.routes_to(&Target::parse("127.0.0.1:19102").unwrap());
        assert_eq!(r[0].member.as_ref().unwrap().place.line, 8);
        assert_eq!(r[0].block_name, "server shop.example.test / location /app/");

        let r = c.routes_to(&Target::parse("api.dc1.example:8080").unwrap());
        assert_eq!(r.len(), 1);
        assert!(!r[0].exact);
        assert!(
            c.routes_to(&Target::parse("127.0.0.1:9").unwrap())
                .is_empty()
        );
    }

    #[test]
    fn effective_values_say_where_they_come_from() {
        let c = config(SHOP);
        let api = c.routes_to(&Target::parse("127.0.0.1:19020").unwrap())[0].block;
        let app = c.routes_to(&Target::parse("backend").unwrap())[0].block;

        let e = c.effective(api, "proxy_read_timeout").unwrap();
        assert_eq!(
            (e.value.as_str(), e.source, e.place.line),
            ("5s", Source::Here, 17)
        );
        let e = c.effective(app, "proxy_read_timeout").unwrap();
        assert_eq!(
            (e.value.as_str(), e.source, e.place.line),
            ("30s", Source::Inherited, 5)
        );
        let e = c.effective(app, "proxy_buffer_size").unwrap();
        assert_eq!(
            (e.value.as_str(), e.source, e.place.line),
            ("16k", Source::Inherited, 14)
        );
        let e = c.effective(app, "proxy_connect_timeout").unwrap();
        assert_eq!(
            (e.value.as_str(), e.source, e.place.line),
            ("60s", Source::Default, 19)
        );
        assert_eq!(e.block, "server shop.example.test / location /app/");
        let e = c.effective(app, "worker_connections").unwrap();
        assert_eq!(
            (e.value.as_str(), e.source, e.place.line),
            ("1024", Source::Inherited, 3)
        );
        assert!(c.effective(app, "resolver").is_none());

        let up = c.upstream("backend").unwrap();
        let e = c.effective(up, "keepalive_timeout").unwrap();
        assert_eq!(
            (e.value.as_str(), e.source, e.place.line),
            ("60s", Source::Default, 6)
        );
        let e = c.effective(app, "keepalive_timeout").unwrap();
        assert_eq!(e.value, "75s");

        let servers = c.upstream_servers(up);
        let e = c.server_param(up, &servers[0], "max_fails").unwrap();
        assert_eq!(
            (e.directive.as_str(), e.value.as_str(), e.source),
            ("server max_fails=", "3", Source::Here)
        );
        let e = c.server_param(up, &servers[1], "fail_timeout").unwrap();
        assert_eq!(
            (e.value.as_str(), e.source, e.place.line),
            ("10s", Source::Default, 8)
        );
        assert_eq!(e.block, "upstream backend / server 127.0.0.1:19102");
    }

    /// The case crates/cli/src/nginx_conf.rs is tested with gives the same formats.
    #[test]
    fn log_formats_as_the_cli_reads_them() {
        let mut files = BTreeMap::new();
        files.insert(PathBuf::from("/e/nginx.conf"), b"# main\nhttp {\n  log_format main '$remote_addr - $remote_user [$time_local] \"$request\" '\n                  '$status $body_bytes_sent'; # trailing\n  include conf.d/*.conf;\n  include missing/*.conf;\n}\n".to_vec());
        files.insert(PathBuf::from("/e/conf.d/upstream.conf"), b"log_format upstream escape=json \"$remote_addr rt=$request_time ua=\\\"$upstream_addr\\\"\";\ninclude nginx.conf;\n".to_vec());
        let c = NginxConfig::from_memory(files, Path::new("/e/nginx.conf"), &Options::default())
            .unwrap();
        let found = c.log_formats();
        let names: Vec<&str> = found.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["main", "upstream"]);
        assert_eq!(
            found[0].format,
            "$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent"
        );
        assert_eq!(
            found[1].format,
            "$remote_addr rt=$request_time ua=\"$upstream_addr\""
        );
        assert_eq!(found[1].escape.as_deref(), Some("json"));
        // `include nginx.conf` from conf.d/ is the main file again (relative to the main
        // file's directory): a cycle, reported and cut.
        assert!(
            c.warnings()
                .iter()
                .any(|w| w.message.contains("include cycle")),
            "{:?}",
            c.warnings()
        );
    }

    #[test]
    fn log_formats_keep_escape_and_join_parts() {
        let c = config(
            "http {\n  log_format main '$remote_addr \"$request\" '\n                  '$status';\n  log_format j escape=json '{\"a\":\"$a\"}';\n}\n",
        );
        let f = c.log_formats();
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].format, "$remote_addr \"$request\" $status");
        assert_eq!(f[0].place.line, 2);
        assert_eq!(
            (f[1].escape.as_deref(), f[1].format.as_str()),
            (Some("json"), "{\"a\":\"$a\"}")
        );
    }
}
