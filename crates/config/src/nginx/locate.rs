//! Which `server` and `location` serve a request, as nginx chooses them
//! (ngx_http_core_find_location): an exact `=` match wins; otherwise the longest prefix; a
//! longest prefix marked `^~` wins; otherwise the first regex (`~`, `~*`) in order that
//! matches; otherwise the longest prefix. Nested locations are searched the same way
//! inside the chosen one.

use regex::RegexBuilder;

use super::NginxConfig;
use crate::tree::BlockId;

/// A request as a log line shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Request<'a> {
    /// The `Host` (nginx's `host:` field, Apache's virtual host), if known.
    pub host: Option<&'a str>,
    /// The request target (`/api/items?id=3`); the query is ignored.
    pub uri: &'a str,
}

enum Kind {
    Exact,
    Prefix { no_regex: bool },
    Regex { caseless: bool },
    Named,
}

fn kind_of(args: &[String]) -> (Kind, &str) {
    match args {
        [m, p, ..] if m == "=" => (Kind::Exact, p),
        [m, p, ..] if m == "^~" => (Kind::Prefix { no_regex: true }, p),
        [m, p, ..] if m == "~" => (Kind::Regex { caseless: false }, p),
        [m, p, ..] if m == "~*" => (Kind::Regex { caseless: true }, p),
        [p, ..] if p.starts_with('@') => (Kind::Named, p),
        [p, ..] => match p.strip_prefix('=') {
            Some(rest) if !rest.is_empty() => (Kind::Exact, rest),
            _ => (Kind::Prefix { no_regex: false }, p),
        },
        [] => (Kind::Named, ""),
    }
}

impl NginxConfig {
    /// The location directly in `parent` (a `server` or a `location`) that serves `path`:
    /// `Some(None)` when none does, `None` when it cannot be told (a regex nginx's PCRE
    /// takes and Rust's `regex` does not).
    fn choose(&self, parent: BlockId, path: &str) -> Option<Option<BlockId>> {
        let tree = self.tree();
        let locations: Vec<BlockId> = tree
            .block(parent)
            .children
            .iter()
            .copied()
            .filter(|&c| tree.block(c).name == "location")
            .collect();
        let mut longest: Option<(usize, BlockId, bool)> = None;
        for &l in &locations {
            match kind_of(&tree.block(l).args) {
                (Kind::Exact, p) if p == path => return Some(Some(l)),
                (Kind::Prefix { no_regex }, p)
                    if path.starts_with(p) && longest.is_none_or(|(n, _, _)| p.len() > n) =>
                {
                    longest = Some((p.len(), l, no_regex));
                }
                _ => {}
            }
        }
        if let Some((_, l, true)) = longest {
            return Some(Some(l));
        }
        for &l in &locations {
            if let (Kind::Regex { caseless }, p) = kind_of(&tree.block(l).args) {
                let re = RegexBuilder::new(p)
                    .case_insensitive(caseless)
                    .size_limit(1 << 20)
                    .build()
                    .ok()?;
                if re.is_match(path) {
                    return Some(Some(l));
                }
            }
        }
        Some(longest.map(|(_, l, _)| l))
    }

    /// Whether a server block answers for `host` by its `server_name`s (exact names,
    /// `*.example.com`, `.example.com`, `example.*`, `~regex`).
    fn server_named(&self, server: BlockId, host: &str) -> Option<bool> {
        let host = host.split(':').next().unwrap_or(host).to_ascii_lowercase();
        let mut any_undecided = false;
        for name in self
            .tree()
            .all(server, "server_name", false)
            .flat_map(|s| s.args.iter())
        {
            let name = name.to_ascii_lowercase();
            let hit = if let Some(re) = name.strip_prefix('~') {
                match RegexBuilder::new(re).size_limit(1 << 20).build() {
                    Ok(re) => re.is_match(&host),
                    Err(_) => {
                        any_undecided = true;
                        false
                    }
                }
            } else if let Some(rest) = name.strip_prefix("*.") {
                host.ends_with(&format!(".{rest}"))
            } else if let Some(rest) = name.strip_prefix('.') {
                host == rest || host.ends_with(&name)
            } else if let Some(rest) = name.strip_suffix(".*") {
                host.starts_with(&format!("{rest}."))
            } else {
                host == name
            };
            if hit {
                return Some(true);
            }
        }
        if any_undecided { None } else { Some(false) }
    }

    /// Whether `block` (a `location`, an `if` inside one, or a `server`) is where nginx
    /// handles `request`. `None` when it cannot be told. The host only counts when some
    /// `server_name` of this configuration names it (else nginx's default server, which
    /// this does not work out, answers).
    pub fn serves(&self, block: BlockId, request: &Request<'_>) -> Option<bool> {
        let tree = self.tree();
        let server = tree.enclosing(block, "server")?;
        if let Some(host) = request.host {
            // This server answers by name, or another does (then not this one), or none
            // does (then nginx's default server, not worked out here).
            match self.server_named(server, host) {
                Some(true) => {}
                None => return None,
                Some(false) => {
                    let others = self.blocks_named("server").filter(|&s| s != server);
                    let mut undecided = false;
                    for other in others {
                        match self.server_named(other, host) {
                            Some(true) => return Some(false),
                            Some(false) => {}
                            None => undecided = true,
                        }
                    }
                    if undecided {
                        return None;
                    }
                }
            }
        }
        let path = request.uri.split(['?', '#']).next().unwrap_or("/");
        // The chain of locations from the server inwards.
        let mut chain: Vec<BlockId> = tree
            .ancestry(block)
            .take_while(|&b| b != server)
            .filter(|&b| tree.block(b).name == "location")
            .collect();
        chain.reverse();
        let mut parent = server;
        for want in chain {
            if self.choose(parent, path)? != Some(want) {
                return Some(false);
            }
            parent = want;
        }
        // A location that holds nested ones hands the request to them when one matches.
        if block == server || tree.block(block).name == "location" {
            if let Some(Some(inner)) = self.choose(parent, path) {
                return Some(inner == block);
            }
        }
        Some(true)
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
        NginxConfig::from_memory(files, Path::new("/e/nginx.conf"), &Options::default()).unwrap()
    }

    const SITE: &str = r"http {
  server {
    server_name shop.example *.shop.example;
    location / { proxy_pass http://a; }
    location /api/ { proxy_pass http://b; location /api/admin/ { proxy_pass http://c; } }
    location ^~ /static/ { root /srv; }
    location = /health { return 200; }
    location ~ \.php$ { fastcgi_pass unix:/run/php.sock; }
    location ~* \.(png|jpg)$ { expires 1d; }
  }
  server {
    server_name other.example;
    location / { proxy_pass http://d; }
  }
}
";

    fn at(c: &NginxConfig, arg: &str) -> BlockId {
        c.blocks_named("location")
            .find(|&l| c.tree().block(l).args.last().is_some_and(|a| a == arg))
            .unwrap()
    }

    #[test]
    fn nginx_location_choice() {
        let c = config(SITE);
        let req = |uri| Request {
            host: Some("shop.example"),
            uri,
        };
        assert_eq!(
            c.serves(at(&c, "/api/"), &req("/api/items?x=1")),
            Some(true)
        );
        assert_eq!(c.serves(at(&c, "/"), &req("/api/items")), Some(false));
        assert_eq!(
            c.serves(at(&c, "/api/"), &req("/api/admin/users")),
            Some(false)
        );
        assert_eq!(
            c.serves(at(&c, "/api/admin/"), &req("/api/admin/users")),
            Some(true)
        );
        assert_eq!(c.serves(at(&c, "\\.php$"), &req("/index.php")), Some(true));
        assert_eq!(c.serves(at(&c, "/"), &req("/index.php")), Some(false));
        // ^~ stops the regexes; = wins over everything.
        assert_eq!(
            c.serves(at(&c, "/static/"), &req("/static/a.png")),
            Some(true)
        );
        assert_eq!(
            c.serves(at(&c, "\\.(png|jpg)$"), &req("/img/A.PNG")),
            Some(true)
        );
        assert_eq!(c.serves(at(&c, "/health"), &req("/health")), Some(true));
        // Hosts pick the server.
        assert_eq!(
            c.serves(
                at(&c, "/"),
                &Request {
                    host: Some("www.shop.example"),
                    uri: "/x"
                }
            ),
            Some(true)
        );
        let other = c.blocks_named("location").last().unwrap();
        assert_eq!(
            c.serves(
                other,
                &Request {
                    host: Some("shop.example"),
                    uri: "/x"
                }
            ),
            Some(false)
        );
        assert_eq!(
            c.serves(
                other,
                &Request {
                    host: Some("unknown.example"),
                    uri: "/x"
                }
            ),
            Some(true)
        );
    }

    #[test]
    fn regexes_rust_cannot_read_are_undecided() {
        let c = config("http { server { location ~ (?<=a)b { } location / { } } }\n");
        let root = c.blocks_named("location").last().unwrap();
        assert_eq!(
            c.serves(
                root,
                &Request {
                    host: None,
                    uri: "/x"
                }
            ),
            None
        );
    }
}
