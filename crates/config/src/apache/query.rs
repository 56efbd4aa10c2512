//! Questions asked of an Apache configuration: which section proxies to a target, and the
//! values in force for its worker (`timeout=`, `ProxyTimeout`, `Timeout`, ...).

use super::ApacheConfig;
use crate::answer::{Effective, Module, Route, Server, Source};
use crate::nginx::Request;
use crate::target::{Target, matches_with_variables};
use crate::tree::{BlockId, Setting};

/// A line that sends requests to a backend: `ProxyPass`, `ProxyPassMatch`,
/// `BalancerMember`, or `SetHandler "proxy:..."`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProxyLine {
    /// The section it is in (the main server is [`BlockId::MAIN`]).
    pub block: BlockId,
    /// The line.
    pub setting: Setting,
    /// The backend URL as written (`http://127.0.0.1:8080/api/`,
    /// `unix:/run/php/php8.2-fpm.sock|fcgi://localhost`, `balancer://app/`).
    pub url: String,
    /// Its `key=value` parameters, in order.
    pub params: Vec<(String, String)>,
}

impl ProxyLine {
    /// A parameter as written on the line (names compared without case).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Directives of the server (main server, inherited by each `VirtualHost`), and their
/// defaults in httpd 2.4 (`include/httpd.h`, `modules/proxy/mod_proxy.c`).
const SERVER: &[(&str, Option<&str>)] = &[
    ("Timeout", Some("60")),
    ("ProxyTimeout", None),
    ("KeepAlive", Some("On")),
    ("KeepAliveTimeout", Some("5")),
    ("MaxKeepAliveRequests", Some("100")),
    ("LimitRequestFieldSize", Some("8190")),
    ("ProxyBadHeader", Some("IsError")),
    ("ProxyIOBufferSize", Some("8192")),
    ("User", None),
    ("Group", None),
];

/// Worker parameters of `ProxyPass`/`BalancerMember`/`ProxySet` and their defaults;
/// `timeout` and `connectiontimeout` fall back to `ProxyTimeout`, then `Timeout`.
const WORKER: &[(&str, Option<&str>)] = &[
    ("timeout", None),
    ("connectiontimeout", None),
    ("retry", Some("60")),
    ("responsefieldsize", Some("8192")),
    ("disablereuse", Some("Off")),
    ("keepalive", Some("Off")),
    ("ttl", None),
    ("max", None),
    ("acquire", None),
    ("status", None),
];

impl ApacheConfig {
    /// A section in words, outermost first: `VirtualHost 127.0.0.1:80 (shop.example.test)
    /// / Location /api/`; the main server is `main server`.
    pub fn describe(&self, block: BlockId) -> String {
        let tree = self.tree();
        let mut parts: Vec<String> = tree
            .ancestry(block)
            .filter(|&b| b == block || b != BlockId::MAIN)
            .map(|b| {
                let s = tree.block(b);
                if b == BlockId::MAIN {
                    return "main server".to_string();
                }
                let mut text = if s.args.is_empty() {
                    s.name.clone()
                } else {
                    format!("{} {}", s.name, s.args.join(" "))
                };
                if s.name.eq_ignore_ascii_case("VirtualHost") {
                    if let Some(name) = tree
                        .last(b, "ServerName", true)
                        .and_then(|n| n.args.first())
                    {
                        text.push_str(&format!(" ({name})"));
                    }
                }
                text
            })
            .collect();
        parts.reverse();
        parts.join(" / ")
    }

    /// The `VirtualHost` a block is in, or the main server.
    pub fn server_of(&self, block: BlockId) -> BlockId {
        self.tree()
            .enclosing(block, "VirtualHost")
            .unwrap_or(BlockId::MAIN)
    }

    /// The value in force of `directive` for `block`. Server directives (`Timeout`,
    /// `ProxyTimeout`, `KeepAliveTimeout`, `User`, ...) come from the block's
    /// `VirtualHost`, else the main server, else httpd's default; an unset `ProxyTimeout`
    /// is `Timeout`'s value (so the answer may name `Timeout`). MPM directives
    /// (`MaxRequestWorkers`, `ServerLimit`, `ThreadsPerChild`) come from the main server.
    /// Others are looked up from the block outwards. Names compare without case.
    pub fn effective(&self, block: BlockId, directive: &str) -> Option<Effective> {
        let tree = self.tree();
        let described = self.describe(block);
        let answer = |s: &Setting, source: Source| Effective {
            directive: s.name.clone(),
            value: s.value(),
            place: s.place.clone(),
            source,
            block: described.clone(),
            server: Server::Apache,
        };
        let source_for = |b: BlockId| {
            if b == block {
                Source::Here
            } else {
                Source::Inherited
            }
        };
        let default = |name: &str, value: &str, place| Effective {
            directive: name.to_string(),
            value: value.to_string(),
            place,
            source: Source::Default,
            block: described.clone(),
            server: Server::Apache,
        };
        if let Some((name, def)) = SERVER
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(directive))
        {
            let server = self.server_of(block);
            for b in [server, BlockId::MAIN] {
                if let Some(s) = tree.last(b, name, true) {
                    return Some(answer(s, source_for(b)));
                }
            }
            if name.eq_ignore_ascii_case("ProxyTimeout") {
                return self.effective(block, "Timeout");
            }
            return def.map(|v| default(name, v, tree.block(server).place.clone()));
        }
        if let Some((name, def)) = self.mpm_default(directive) {
            return match tree.last(BlockId::MAIN, name, true) {
                Some(s) => Some(answer(s, source_for(BlockId::MAIN))),
                None => Some(default(name, def, tree.block(BlockId::MAIN).place.clone())),
            };
        }
        tree.ancestry(block).find_map(|b| {
            tree.last(b, directive, true)
                .map(|s| answer(s, source_for(b)))
        })
    }

    fn mpm_default(&self, directive: &str) -> Option<(&'static str, &'static str)> {
        let table: &[(&'static str, &'static str)] = if self.prefork {
            &[
                ("MaxRequestWorkers", "256"),
                ("ServerLimit", "256"),
                ("ThreadsPerChild", "1"),
            ]
        } else {
            &[
                ("MaxRequestWorkers", "400"),
                ("ServerLimit", "16"),
                ("ThreadsPerChild", "25"),
            ]
        };
        table
            .iter()
            .copied()
            .find(|(n, _)| n.eq_ignore_ascii_case(directive))
    }

    /// Every line that proxies: `ProxyPass`, `ProxyPassMatch` (not `!` exclusions),
    /// `BalancerMember`, `SetHandler "proxy:..."`.
    pub fn proxy_lines(&self) -> Vec<ProxyLine> {
        let mut out = Vec::new();
        for (id, b) in self.tree().blocks() {
            out.extend(b.settings.iter().filter_map(|s| self.proxy_line(id, s)));
        }
        out
    }

    /// `setting`, in `block`, as a proxy line, if it is one.
    fn proxy_line(&self, block: BlockId, s: &Setting) -> Option<ProxyLine> {
        let b = self.tree().block(block);
        let in_location =
            b.name.eq_ignore_ascii_case("Location") || b.name.eq_ignore_ascii_case("LocationMatch");
        let balancer = (b.name.eq_ignore_ascii_case("Proxy")
            || b.name.eq_ignore_ascii_case("ProxyMatch"))
            && b.args
                .first()
                .is_some_and(|a| a.to_ascii_lowercase().starts_with("balancer://"));
        let name = s.name.to_ascii_lowercase();
        let (url, rest): (Option<&String>, &[String]) = match name.as_str() {
            "proxypass" | "proxypassmatch" if in_location => {
                (s.args.first(), s.args.get(1..).unwrap_or_default())
            }
            "proxypass" | "proxypassmatch" => (s.args.get(1), s.args.get(2..).unwrap_or_default()),
            "balancermember" if balancer => (s.args.first(), s.args.get(1..).unwrap_or_default()),
            "balancermember" => (s.args.get(1), s.args.get(2..).unwrap_or_default()),
            "sethandler" => match s.args.first().and_then(|a| strip_prefix_ci(a, "proxy:")) {
                Some(_) => (s.args.first(), s.args.get(1..).unwrap_or_default()),
                None => (None, &[]),
            },
            _ => (None, &[]),
        };
        let url = url?;
        let url = strip_prefix_ci(url, "proxy:").unwrap_or(url);
        if url == "!" {
            return None;
        }
        let params = rest
            .iter()
            .filter_map(|p| p.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Some(ProxyLine {
            block,
            setting: s.clone(),
            url: url.to_string(),
            params,
        })
    }

    /// The `<Proxy balancer://name>` section and its members.
    pub fn balancer(&self, name: &str) -> Option<(BlockId, Vec<ProxyLine>)> {
        self.balancer_in(&self.proxy_lines(), name)
    }

    fn balancer_in(&self, lines: &[ProxyLine], name: &str) -> Option<(BlockId, Vec<ProxyLine>)> {
        let tree = self.tree();
        let wanted = format!("balancer://{}", name.to_ascii_lowercase());
        let (id, _) = tree.blocks().find(|(_, b)| {
            b.name.eq_ignore_ascii_case("Proxy")
                && b.args
                    .first()
                    .is_some_and(|a| a.to_ascii_lowercase().trim_end_matches('/') == wanted)
        })?;
        let members = lines
            .iter()
            .filter(|l| {
                l.setting.name.eq_ignore_ascii_case("BalancerMember")
                    && (l.block == id
                        || l.setting.args.first().is_some_and(|a| {
                            a.to_ascii_lowercase().trim_end_matches('/') == wanted
                        }))
            })
            .cloned()
            .collect();
        Some((id, members))
    }

    /// The sections that proxy to `target`: a `ProxyPass`/`ProxyPassMatch`/`SetHandler`
    /// whose URL is it, or whose balancer it is or has it as a member. [`Route::config`] is
    /// 0.
    pub fn routes_to(&self, target: &Target) -> Vec<Route> {
        let mut out = Vec::new();
        let lines = self.proxy_lines();
        for line in &lines {
            if line.setting.name.eq_ignore_ascii_case("BalancerMember") {
                continue;
            }
            let route = |group: Option<BlockId>, member: Option<Setting>, exact: bool| Route {
                config: 0,
                module: Module::ApacheProxy,
                block: line.block,
                block_name: self.describe(line.block),
                via: line.setting.clone(),
                group,
                member,
                exact,
            };
            if line.url.contains('$') && !line.url.to_ascii_lowercase().starts_with("balancer://") {
                if matches_with_variables(&line.url, target) {
                    out.push(route(None, None, false));
                }
                continue;
            }
            match Target::parse(&line.url) {
                Some(Target::Balancer(name)) => {
                    let Some((group, members)) = self.balancer_in(&lines, &name) else {
                        if target.same(&Target::Balancer(name)) {
                            out.push(route(None, None, true));
                        }
                        continue;
                    };
                    if target.same(&Target::Balancer(name.clone())) {
                        out.push(route(Some(group), None, true));
                        continue;
                    }
                    for m in members {
                        if Target::parse(&m.url).is_some_and(|t| t.same(target)) {
                            out.push(route(Some(group), Some(m.setting.clone()), true));
                        }
                    }
                }
                Some(t) if t.same(target) => out.push(route(None, None, true)),
                _ => {}
            }
        }
        out
    }

    /// A worker parameter in force for a route (`timeout`, `connectiontimeout`, `retry`,
    /// `responsefieldsize`, `disablereuse`, `keepalive`, `ttl`, ...): on the member or
    /// `ProxyPass` line (`ProxyPass timeout=`), on a `ProxySet` in the `<Proxy>` section of
    /// that URL, and for the timeouts `ProxyTimeout`, then `Timeout`, of the server. The
    /// default's place is the line itself.
    pub fn worker_param(&self, route: &Route, param: &str) -> Option<Effective> {
        let line = route.member.as_ref().unwrap_or(&route.via);
        let tree = self.tree();
        let proxy_line = tree.blocks().find_map(|(id, b)| {
            b.settings
                .iter()
                .find(|s| s.place == line.place)
                .and_then(|s| self.proxy_line(id, s))
        })?;
        let block = match &route.member {
            Some(m) => format!("{} / {} {}", route.block_name, m.name, proxy_line.url),
            None => route.block_name.clone(),
        };
        let effective =
            |directive: String, value: &str, setting: &Setting, source: Source| Effective {
                directive,
                value: value.to_string(),
                place: setting.place.clone(),
                source,
                block: block.clone(),
                server: Server::Apache,
            };
        if let Some(v) = proxy_line.param(param) {
            return Some(effective(
                format!("{} {param}=", line.name),
                v,
                line,
                Source::Here,
            ));
        }
        // `<Proxy url> ProxySet param=... </Proxy>` for this worker.
        let tree = self.tree();
        let url = proxy_line.url.trim_end_matches('/').to_ascii_lowercase();
        for (id, b) in tree.blocks() {
            if !b.name.eq_ignore_ascii_case("Proxy")
                || b.args
                    .first()
                    .is_none_or(|a| a.trim_end_matches('/').to_ascii_lowercase() != url)
            {
                continue;
            }
            for s in tree.all(id, "ProxySet", true) {
                if let Some(v) = s
                    .args
                    .iter()
                    .filter_map(|a| a.split_once('='))
                    .find(|(k, _)| k.eq_ignore_ascii_case(param))
                    .map(|(_, v)| v)
                {
                    return Some(effective(
                        format!("ProxySet {param}="),
                        v,
                        s,
                        Source::Inherited,
                    ));
                }
            }
        }
        let (_, def) = WORKER.iter().find(|(n, _)| n.eq_ignore_ascii_case(param))?;
        if param.eq_ignore_ascii_case("timeout") || param.eq_ignore_ascii_case("connectiontimeout")
        {
            let from_server = self.effective(route.block, "ProxyTimeout")?;
            if !from_server.is_default() {
                return Some(Effective {
                    block,
                    source: Source::Inherited,
                    ..from_server
                });
            }
            return Some(effective(
                format!("{} {param}=", line.name),
                &from_server.value,
                line,
                Source::Default,
            ));
        }
        def.map(|v| effective(format!("{} {param}=", line.name), v, line, Source::Default))
    }
}

impl ApacheConfig {
    /// Whether a route's line handles `request`: the `VirtualHost` answers for its host
    /// (when some `ServerName`/`ServerAlias` names it), and the `ProxyPass` path (or the
    /// enclosing `Location`, `LocationMatch`, `Files`, `FilesMatch`) matches its path.
    /// `None` when it cannot be told.
    pub fn serves(&self, route: &Route, request: &Request<'_>) -> Option<bool> {
        let tree = self.tree();
        if let Some(host) = request.host {
            let host = host.split(':').next().unwrap_or(host);
            let vhosts: Vec<BlockId> = tree
                .blocks()
                .filter(|(_, b)| b.name.eq_ignore_ascii_case("VirtualHost"))
                .map(|(id, _)| id)
                .collect();
            let names = |v: BlockId| {
                tree.all(v, "ServerName", true)
                    .chain(tree.all(v, "ServerAlias", true))
                    .flat_map(|s| s.args.iter())
                    .any(|n| {
                        glob::Pattern::new(n).is_ok_and(|p| {
                            p.matches_with(
                                host,
                                glob::MatchOptions {
                                    case_sensitive: false,
                                    ..Default::default()
                                },
                            )
                        })
                    })
            };
            if vhosts.iter().any(|&v| names(v)) {
                let server = self.server_of(route.block);
                if server != BlockId::MAIN && !names(server) {
                    return Some(false);
                }
            }
        }
        let path = request.uri.split(['?', '#']).next().unwrap_or("/");
        let regex = |re: &str, caseless: bool| {
            regex::RegexBuilder::new(re)
                .case_insensitive(caseless)
                .size_limit(1 << 20)
                .build()
                .ok()
                .map(|r| r.is_match(path))
        };
        for b in tree.ancestry(route.block) {
            let block = tree.block(b);
            let arg = block.args.first().map(String::as_str).unwrap_or("");
            let hit = match block.name.to_ascii_lowercase().as_str() {
                "location" => Some(path.starts_with(arg)),
                "locationmatch" => regex(arg, false),
                "files" => glob::Pattern::new(arg)
                    .ok()
                    .map(|p| p.matches(path.rsplit('/').next().unwrap_or(path))),
                "filesmatch" => regex(arg, false),
                _ => Some(true),
            };
            if !hit? {
                return Some(false);
            }
        }
        let via = &route.via;
        let in_location = ["location", "locationmatch"]
            .contains(&tree.block(route.block).name.to_ascii_lowercase().as_str());
        match via.name.to_ascii_lowercase().as_str() {
            "proxypass" if !in_location => Some(
                via.args
                    .first()
                    .is_some_and(|p| path.starts_with(p.as_str())),
            ),
            "proxypassmatch" if !in_location => {
                regex(via.args.first().map(String::as_str).unwrap_or(""), false)
            }
            _ => Some(true),
        }
    }
}

fn strip_prefix_ci<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::{Path, PathBuf};

    use super::*;
    use crate::Options;

    fn config(text: &str) -> ApacheConfig {
        let mut files = BTreeMap::new();
        files.insert(
            PathBuf::from("/etc/apache2/apache2.conf"),
            text.as_bytes().to_vec(),
        );
        let c = ApacheConfig::from_memory(
            files,
            Path::new("/etc/apache2/apache2.conf"),
            &Options::default(),
        )
        .unwrap();
        assert!(c.warnings().is_empty(), "{:?}", c.warnings());
        c
    }

    const SITE: &str = r#"Timeout 300
ProxyTimeout 30
<VirtualHost 127.0.0.1:80>
    ServerName shop.example.test
    ProxyPass "/api/" "http://127.0.0.1:19000/api/" timeout=5 retry=0
    ProxyPass "/app/" "balancer://app/"
    <Proxy "balancer://app">
        BalancerMember "http://127.0.0.1:19001" connectiontimeout=2
        BalancerMember "http://127.0.0.1:19002"
    </Proxy>
    <FilesMatch "\.php$">
        SetHandler "proxy:unix:/run/php/php8.2-fpm.sock|fcgi://localhost"
    </FilesMatch>
    <Location "/report/">
        ProxyPass "http://127.0.0.1:19003/"
    </Location>
</VirtualHost>
<VirtualHost 127.0.0.1:81>
    Timeout 10
    ProxyPass "/" "http://127.0.0.1:19004/"
</VirtualHost>
"#;

    #[test]
    fn routes_by_url_socket_balancer_and_member() {
        let c = config(SITE);
        let r = c.routes_to(&Target::parse("127.0.0.1:19000").unwrap());
        assert_eq!(r.len(), 1);
        assert_eq!(
            r[0].block_name,
            "VirtualHost 127.0.0.1:80 (shop.example.test)"
        );
        assert_eq!(r[0].via.place.line, 5);

        let r = c.routes_to(&Target::parse("/run/php/php8.2-fpm.sock").unwrap());
        assert_eq!(
            r[0].block_name,
            "VirtualHost 127.0.0.1:80 (shop.example.test) / FilesMatch \\.php$"
        );

        let r = c.routes_to(&Target::parse("127.0.0.1:19002").unwrap());
        assert_eq!(r[0].member.as_ref().unwrap().place.line, 9);
        assert_eq!(r[0].via.place.line, 6);
        let r = c.routes_to(&Target::parse("balancer://app").unwrap());
        assert!(r[0].group.is_some() && r[0].member.is_none());

        let r = c.routes_to(&Target::parse("127.0.0.1:19003").unwrap());
        assert_eq!(
            r[0].block_name,
            "VirtualHost 127.0.0.1:80 (shop.example.test) / Location /report/"
        );
    }

    #[test]
    fn worker_timeouts_fall_back_to_proxy_timeout_then_timeout() {
        let c = config(SITE);
        let at = |t: &str| c.routes_to(&Target::parse(t).unwrap()).remove(0);

        let e = c.worker_param(&at("127.0.0.1:19000"), "timeout").unwrap();
        assert_eq!(
            (
                e.directive.as_str(),
                e.value.as_str(),
                e.source,
                e.place.line
            ),
            ("ProxyPass timeout=", "5", Source::Here, 5)
        );
        let e = c.worker_param(&at("127.0.0.1:19003"), "timeout").unwrap();
        assert_eq!(
            (
                e.directive.as_str(),
                e.value.as_str(),
                e.source,
                e.place.line
            ),
            ("ProxyTimeout", "30", Source::Inherited, 2)
        );
        let e = c
            .worker_param(&at("127.0.0.1:19001"), "connectiontimeout")
            .unwrap();
        assert_eq!(
            (e.directive.as_str(), e.value.as_str()),
            ("BalancerMember connectiontimeout=", "2")
        );
        let e = c.worker_param(&at("127.0.0.1:19000"), "retry").unwrap();
        assert_eq!((e.value.as_str(), e.source), ("0", Source::Here));
        let e = c.worker_param(&at("127.0.0.1:19004"), "retry").unwrap();
        assert_eq!(
            (
                e.directive.as_str(),
                e.value.as_str(),
                e.source,
                e.place.line
            ),
            ("ProxyPass retry=", "60", Source::Default, 20)
        );
        let e = c
            .worker_param(&at("127.0.0.1:19004"), "responsefieldsize")
            .unwrap();
        assert_eq!(e.value, "8192");
    }

    #[test]
    fn server_directives_inherit_from_the_main_server() {
        let c = config(
            "KeepAliveTimeout 7\n<VirtualHost *:80>\n  Timeout 10\n  ProxyPass / http://127.0.0.1:9/\n</VirtualHost>\n",
        );
        let r = c
            .routes_to(&Target::parse("127.0.0.1:9").unwrap())
            .remove(0);
        let e = c.effective(r.block, "ProxyTimeout").unwrap();
        assert_eq!(
            (e.directive.as_str(), e.value.as_str(), e.source),
            ("Timeout", "10", Source::Here)
        );
        let e = c.worker_param(&r, "timeout").unwrap();
        assert_eq!(
            (e.directive.as_str(), e.value.as_str(), e.source),
            ("Timeout", "10", Source::Inherited)
        );
        let e = c.effective(r.block, "keepalivetimeout").unwrap();
        assert_eq!((e.value.as_str(), e.source), ("7", Source::Inherited));
        let e = c.effective(BlockId::MAIN, "Timeout").unwrap();
        assert_eq!((e.value.as_str(), e.source), ("60", Source::Default));
        let e = c.effective(BlockId::MAIN, "MaxRequestWorkers").unwrap();
        assert_eq!(e.value, "400");
    }
}
