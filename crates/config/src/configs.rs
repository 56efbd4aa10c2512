//! Several configurations read together (an nginx in front of PHP-FPM, an Apache), and
//! the questions that need more than one of them.

use std::path::{Path, PathBuf};

use crate::answer::{Effective, Route, Source};
use crate::apache::ApacheConfig;
use crate::fpm::FpmConfig;
use crate::nginx::{NginxConfig, Request};
use crate::options::Options;
use crate::place::Warning;
use crate::target::Target;
use crate::tree::Setting;

/// What a configuration file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
pub enum Kind {
    /// An nginx main file (`nginx.conf`).
    Nginx,
    /// Saved `nginx -T` output.
    NginxDump,
    /// An Apache httpd main file (`apache2.conf`, `httpd.conf`).
    Apache,
    /// A PHP-FPM file (`php-fpm.conf`, a pool file).
    PhpFpm,
}

impl Kind {
    /// `nginx`, `nginx-dump`, `apache`, `php-fpm` (the report's `configs[].kind`).
    pub fn id(self) -> &'static str {
        match self {
            Kind::Nginx => "nginx",
            Kind::NginxDump => "nginx-dump",
            Kind::Apache => "apache",
            Kind::PhpFpm => "php-fpm",
        }
    }

    /// Guesses what a file is from its name and its first bytes: `nginx -T` output by its
    /// `# configuration file` lines; then the usual names (`nginx.conf`, `apache2.conf`,
    /// `httpd.conf`, `php-fpm.conf`, files under `pool.d/`, `php-fpm.d/`); then the look of
    /// the text (ini sections and `key = value`; `<VirtualHost>`-style sections and
    /// httpd directives; braces and semicolons).
    pub fn detect(path: &Path, head: &[u8]) -> Option<Kind> {
        let text = String::from_utf8_lossy(head);
        if text
            .lines()
            .any(|l| l.starts_with("# configuration file ") && l.trim_end().ends_with(':'))
        {
            return Some(Kind::NginxDump);
        }
        // What `nginx -T > f 2>&1` leaves of a configuration nginx refused.
        if text.lines().next().is_some_and(|l| {
            l.starts_with("nginx: [") || l.starts_with("nginx: configuration file ")
        }) {
            return Some(Kind::NginxDump);
        }
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let parent = path
            .parent()
            .and_then(|p| p.file_name())
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        match name {
            "nginx.conf" => return Some(Kind::Nginx),
            "apache2.conf" | "httpd.conf" => return Some(Kind::Apache),
            "php-fpm.conf" => return Some(Kind::PhpFpm),
            _ if matches!(parent, "pool.d" | "php-fpm.d") => return Some(Kind::PhpFpm),
            _ => {}
        }
        let lines: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with(';'))
            .collect();
        let ini = lines
            .iter()
            .filter(|l| {
                (l.starts_with('[') && l.ends_with(']'))
                    || (l.contains('=') && !l.ends_with(';') && !l.contains('{'))
            })
            .count();
        let apache = lines
            .iter()
            .filter(|l| {
                let lower = l.to_ascii_lowercase();
                (l.starts_with('<') && l.ends_with('>'))
                    || [
                        "serverroot ",
                        "loadmodule ",
                        "documentroot ",
                        "proxypass ",
                        "servername ",
                        "listen ",
                        "include ",
                        "includeoptional ",
                        "errorlog ",
                        "customlog ",
                    ]
                    .iter()
                    .any(|d| lower.starts_with(d) && !l.ends_with(';'))
            })
            .count();
        let nginx = lines
            .iter()
            .filter(|l| l.ends_with(';') || l.ends_with('{') || *l == &"}")
            .count();
        let best = [
            (ini, Kind::PhpFpm),
            (apache, Kind::Apache),
            (nginx, Kind::Nginx),
        ]
        .into_iter()
        .max_by_key(|(n, _)| *n)?;
        (best.0 > 0).then_some(best.1)
    }
}

/// A configuration read, or the reason it could not be.
#[derive(Clone, Debug)]
pub enum Parsed {
    /// nginx (from files or a dump).
    Nginx(NginxConfig),
    /// Apache httpd.
    Apache(ApacheConfig),
    /// PHP-FPM.
    Fpm(FpmConfig),
}

/// One configuration given to [`Configs`]: where, what, and what came of it (the
/// report's `configs[]`).
#[derive(Clone, Debug)]
pub struct Config {
    /// The path given (a main file or a dump).
    pub path: PathBuf,
    /// What it is, if that could be told.
    pub kind: Option<Kind>,
    /// The configuration, or why it could not be read at all.
    pub parsed: Result<Parsed, Warning>,
}

impl Config {
    /// The problems met while reading (for a configuration that could not be read at all,
    /// the one reason).
    pub fn warnings(&self) -> &[Warning] {
        match &self.parsed {
            Ok(Parsed::Nginx(c)) => c.warnings(),
            Ok(Parsed::Apache(c)) => c.warnings(),
            Ok(Parsed::Fpm(c)) => c.warnings(),
            Err(w) => std::slice::from_ref(w),
        }
    }

    /// The nginx configuration, if this is one.
    pub fn nginx(&self) -> Option<&NginxConfig> {
        match &self.parsed {
            Ok(Parsed::Nginx(c)) => Some(c),
            _ => None,
        }
    }

    /// The Apache configuration, if this is one.
    pub fn apache(&self) -> Option<&ApacheConfig> {
        match &self.parsed {
            Ok(Parsed::Apache(c)) => Some(c),
            _ => None,
        }
    }

    /// The PHP-FPM configuration, if this is one.
    pub fn fpm(&self) -> Option<&FpmConfig> {
        match &self.parsed {
            Ok(Parsed::Fpm(c)) => Some(c),
            _ => None,
        }
    }
}

/// The main files looked for in a directory given as a configuration.
const MAIN_FILES: &[&str] = &[
    "nginx.conf",
    "nginx/nginx.conf",
    "etc/nginx/nginx.conf",
    "apache2.conf",
    "apache2/apache2.conf",
    "etc/apache2/apache2.conf",
    "httpd.conf",
    "conf/httpd.conf",
    "httpd/conf/httpd.conf",
    "etc/httpd/conf/httpd.conf",
    "php-fpm.conf",
    "fpm/php-fpm.conf",
    "php/*/fpm/php-fpm.conf",
    "etc/php/*/fpm/php-fpm.conf",
    "etc/php-fpm.conf",
];

/// Where this machine's configurations usually are (Debian, Ubuntu, RHEL and the like).
pub const USUAL_PATHS: &[&str] = &[
    "/etc/nginx/nginx.conf",
    "/etc/apache2/apache2.conf",
    "/etc/httpd/conf/httpd.conf",
    "/etc/php/*/fpm/php-fpm.conf",
    "/etc/php-fpm.conf",
];

/// Configurations read together.
#[derive(Clone, Debug, Default)]
pub struct Configs {
    configs: Vec<Config>,
}

impl Configs {
    /// None yet.
    pub fn new() -> Configs {
        Configs::default()
    }

    /// Reads a configuration: a main file of any kind (told by [`Kind::detect`]), saved
    /// `nginx -T` output, or a directory holding main files (`/etc/nginx`, `/etc`, a support
    /// bundle: `nginx.conf`, `apache2.conf`, `httpd.conf`, `php-fpm.conf` are looked for in
    /// it and in the usual places under it). Never fails: what could not be read is a
    /// [`Config`] with an error.
    pub fn read(&mut self, path: &Path, options: &Options) {
        if path.is_dir() {
            let mut found = Vec::new();
            for pattern in MAIN_FILES {
                let full = path.join(pattern);
                if pattern.contains('*') {
                    if let Ok(paths) = glob::glob(&full.to_string_lossy()) {
                        found.extend(paths.flatten());
                    }
                } else if full.is_file() {
                    found.push(full);
                }
            }
            if found.is_empty() {
                self.configs.push(Config {
                    path: path.to_path_buf(),
                    kind: None,
                    parsed: Err(Warning::file(
                        path,
                        "no nginx.conf, apache2.conf, httpd.conf or php-fpm.conf in this directory",
                    )),
                });
            }
            for file in found {
                self.read_file(&file, options);
            }
            return;
        }
        self.read_file(path, options);
    }

    fn read_file(&mut self, path: &Path, options: &Options) {
        let head = read_head(path);
        let kind = Kind::detect(path, &head);
        match kind {
            Some(kind) => self.read_as(path, kind, options),
            None => self.configs.push(Config {
                path: path.to_path_buf(),
                kind: None,
                parsed: Err(match std::fs::metadata(path) {
                    Err(e) => Warning::file(path, crate::source::io_reason(&e)),
                    Ok(_) => {
                        Warning::file(path, "not an nginx, Apache httpd or PHP-FPM configuration")
                    }
                }),
            }),
        }
    }

    /// Reads a configuration of a known kind.
    pub fn read_as(&mut self, path: &Path, kind: Kind, options: &Options) {
        let parsed = match kind {
            Kind::Nginx => NginxConfig::read(path, options).map(Parsed::Nginx),
            Kind::NginxDump => NginxConfig::read_dump(path, options).map(Parsed::Nginx),
            Kind::Apache => ApacheConfig::read(path, options).map(Parsed::Apache),
            Kind::PhpFpm => FpmConfig::read(path, options).map(Parsed::Fpm),
        };
        self.configs.push(Config {
            path: path.to_path_buf(),
            kind: Some(kind),
            parsed,
        });
    }

    /// Adds a configuration read by other means.
    pub fn push(&mut self, path: &Path, parsed: Parsed) {
        let kind = Some(match &parsed {
            Parsed::Nginx(_) => Kind::Nginx,
            Parsed::Apache(_) => Kind::Apache,
            Parsed::Fpm(_) => Kind::PhpFpm,
        });
        self.configs.push(Config {
            path: path.to_path_buf(),
            kind,
            parsed: Ok(parsed),
        });
    }

    /// Reads this machine's configurations from [`USUAL_PATHS`], those that exist.
    pub fn this_machine(options: &Options) -> Configs {
        let mut configs = Configs::new();
        for pattern in USUAL_PATHS {
            let Ok(paths) = glob::glob(pattern) else {
                continue;
            };
            for path in paths.flatten() {
                configs.read(&path, options);
            }
        }
        configs
    }

    /// Every configuration given, in order.
    pub fn configs(&self) -> &[Config] {
        &self.configs
    }

    /// Whether none was given.
    pub fn is_empty(&self) -> bool {
        self.configs.is_empty()
    }

    fn nginx(&self) -> impl Iterator<Item = (usize, &NginxConfig)> {
        self.configs
            .iter()
            .enumerate()
            .filter_map(|(i, c)| c.nginx().map(|n| (i, n)))
    }

    fn apache(&self) -> impl Iterator<Item = (usize, &ApacheConfig)> {
        self.configs
            .iter()
            .enumerate()
            .filter_map(|(i, c)| c.apache().map(|n| (i, n)))
    }

    fn fpm(&self) -> impl Iterator<Item = (usize, &FpmConfig)> {
        self.configs
            .iter()
            .enumerate()
            .filter_map(|(i, c)| c.fpm().map(|n| (i, n)))
    }

    pub(crate) fn nginx_configs(&self) -> impl Iterator<Item = (usize, &NginxConfig)> {
        self.nginx()
    }

    pub(crate) fn apache_configs(&self) -> impl Iterator<Item = (usize, &ApacheConfig)> {
        self.apache()
    }

    pub(crate) fn fpm_configs(&self) -> impl Iterator<Item = (usize, &FpmConfig)> {
        self.fpm()
    }

    /// Every block of every configuration that sends requests to `target` (or, for
    /// PHP-FPM, listens on it): nginx locations, Apache sections, PHP-FPM pools. Exact
    /// routes come before those through variables.
    pub fn routes_to(&self, target: &Target) -> Vec<Route> {
        let mut out = Vec::new();
        for (i, c) in self.configs.iter().enumerate() {
            let routes = match &c.parsed {
                Ok(Parsed::Nginx(n)) => n.routes_to(target),
                Ok(Parsed::Apache(a)) => a.routes_to(target),
                Ok(Parsed::Fpm(f)) => f.routes_to(target),
                Err(_) => Vec::new(),
            };
            out.extend(routes.into_iter().map(|mut r| {
                r.config = i;
                r
            }));
        }
        out.sort_by_key(|r| !r.exact);
        out
    }

    /// Of the routes to `target`, those that handle `request` (its host and path pick the
    /// nginx `server` and `location`, the Apache `VirtualHost` and `ProxyPass` path), and
    /// those where it cannot be told. When none would, all routes to `target`.
    pub fn routes_serving(&self, target: &Target, request: &Request<'_>) -> Vec<Route> {
        let all = self.routes_to(target);
        let serving: Vec<Route> = all
            .iter()
            .filter(|r| {
                let c = self.configs.get(r.config);
                let serves = match c.map(|c| &c.parsed) {
                    Some(Ok(Parsed::Nginx(n))) => n.serves(r.block, request),
                    Some(Ok(Parsed::Apache(a))) => a.serves(r, request),
                    _ => None,
                };
                serves != Some(false)
            })
            .cloned()
            .collect();
        if serving.is_empty() { all } else { serving }
    }

    /// The value in force of a directive for a route's block, in the route's
    /// configuration. For Apache, worker parameters (`timeout`, `connectiontimeout`,
    /// `retry`, `responsefieldsize`, `ttl`, `disablereuse`, `keepalive`) are looked up for
    /// the route's worker (see [`ApacheConfig::worker_param`]).
    pub fn effective(&self, route: &Route, directive: &str) -> Option<Effective> {
        match &self.configs.get(route.config)?.parsed {
            Ok(Parsed::Nginx(n)) => n.effective(route.block, directive),
            Ok(Parsed::Apache(a)) if directive.chars().all(|c| c.is_ascii_lowercase()) => {
                a.worker_param(route, directive)
            }
            Ok(Parsed::Apache(a)) => a.effective(route.block, directive),
            Ok(Parsed::Fpm(f)) => f.effective(route.block, directive),
            Err(_) => None,
        }
    }

    /// The line a route sends through, as an effective value (`fastcgi_pass
    /// unix:/run/php/php8.1-fpm.sock` set here).
    pub fn via(&self, route: &Route) -> Effective {
        via_effective(route, &route.via)
    }

    /// The directives that decide `cause` (a cause id: `upstream_timeout_read`,
    /// `fpm_pool_exhausted`, ...) for requests to `target`, with their values in force, in
    /// every configuration that routes there: the `*_read_timeout` of the nginx location,
    /// the `ProxyPass timeout=` (or `ProxyTimeout`, `Timeout`) of the Apache worker, the
    /// `pm.max_children` of the PHP-FPM pool listening on that socket, the `max_fails` of
    /// each `server` of the upstream group, ... Causes without a target (`worker_connections`,
    /// `fd_exhaustion`) give the main-context directives of each configuration. Without a
    /// target, only those. Duplicates (the same line reached twice) are dropped.
    pub fn deciding(&self, cause: &str, target: Option<&Target>) -> Vec<Effective> {
        self.deciding_for(cause, target, None)
    }

    /// Like [`Configs::deciding`], for the routes that handle `request` (see
    /// [`Configs::routes_serving`]): the `location /api/` that served `GET /api/items`,
    /// not the `location /` that sends to the same backend.
    pub fn deciding_for(
        &self,
        cause: &str,
        target: Option<&Target>,
        request: Option<&Request<'_>>,
    ) -> Vec<Effective> {
        let mut out: Vec<Effective> = Vec::new();
        if let Some(target) = target {
            let routes = match request {
                Some(r) => self.routes_serving(target, r),
                None => self.routes_to(target),
            };
            for route in routes.iter().filter(|r| r.exact) {
                out.extend(crate::decide::for_route(self, route, cause));
            }
        }
        if out.is_empty() {
            out.extend(crate::decide::global(self, cause));
        }
        let mut seen = std::collections::HashSet::new();
        out.retain(|e| seen.insert((e.directive.clone(), e.place.clone(), e.block.clone())));
        out
    }
}

pub(crate) fn via_effective(route: &Route, via: &Setting) -> Effective {
    Effective {
        directive: via.name.clone(),
        value: via.value(),
        place: via.place.clone(),
        source: Source::Here,
        block: route.block_name.clone(),
        server: route.module.server(),
    }
}

/// The first 64 KiB of a file, for [`Kind::detect`].
fn read_head(path: &Path) -> Vec<u8> {
    use std::io::Read;
    let mut head = Vec::new();
    if let Ok(f) = std::fs::File::open(path) {
        let _ = f.take(64 << 10).read_to_end(&mut head);
    }
    head
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_told_apart() {
        let k = |name: &str, text: &str| Kind::detect(Path::new(name), text.as_bytes());
        assert_eq!(
            k(
                "x.txt",
                "nginx: the configuration file /e/n.conf syntax is ok\n# configuration file /e/n.conf:\nevents {}\n"
            ),
            Some(Kind::NginxDump)
        );
        assert_eq!(k("/etc/nginx/nginx.conf", ""), Some(Kind::Nginx));
        assert_eq!(
            k("/etc/php/8.2/fpm/pool.d/www.conf", ""),
            Some(Kind::PhpFpm)
        );
        assert_eq!(
            k(
                "site.conf",
                "server {\n  listen 80;\n  location / { proxy_pass http://x; }\n}\n"
            ),
            Some(Kind::Nginx)
        );
        assert_eq!(
            k(
                "site.conf",
                "<VirtualHost *:80>\n  ServerName a\n  ProxyPass / http://x/\n</VirtualHost>\n"
            ),
            Some(Kind::Apache)
        );
        assert_eq!(
            k("pool.conf", "[www]\nlisten = /run/x.sock\npm = static\n"),
            Some(Kind::PhpFpm)
        );
        assert_eq!(k("empty", ""), None);
    }
}
