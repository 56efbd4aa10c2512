//! PHP-FPM configuration: `php-fpm.conf`, the pool files it includes, and the `php.ini`
//! next to it.
//!
//! Read in order, as FPM does: `[global]` and pool sections (a section named again brings
//! that pool back), `include=` globs (the section in force carries on into the included
//! files and out of them), `$pool` replaced by the pool's name, `${VAR}` by a variable given
//! in the [`Options`]. A relative `include` is read from the main file's directory (FPM
//! itself uses its `-p` prefix, which files alone do not tell).

pub(crate) mod grammar;

use std::collections::{BTreeMap, HashMap};

pub use grammar::print_entry;
use std::path::{Path, PathBuf};

use crate::answer::{Effective, Module, Route, Server, Source};
use crate::options::Options;
use crate::place::{Place, Warning, quote_text};

/// Warnings recorded per file.
const MAX_PER_FILE: usize = 100;
use crate::source::{Files, has_magic};
use crate::target::Target;
use crate::tree::{BlockId, Setting, Tree};
use grammar::Line;

/// One meaningful line of a PHP-FPM (or php.ini) file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    /// `[name]`.
    Section {
        /// The section's name (`global`, a pool's name).
        name: String,
        /// Its line.
        line: u32,
    },
    /// `key = value`.
    Entry {
        /// The key, with its index (`php_admin_value[memory_limit]`).
        key: String,
        /// The value: quotes removed, `${VAR}` and `$pool` replaced.
        value: String,
        /// Its line.
        line: u32,
    },
    /// `include = pattern`.
    Include {
        /// The pattern as written.
        pattern: String,
        /// Its line.
        line: u32,
        /// The files it brought in (indices into the configuration's files).
        includes: Vec<usize>,
    },
}

/// One file of a PHP-FPM configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct File {
    /// Its path.
    pub path: PathBuf,
    /// Its sections, entries and includes, in order.
    pub items: Vec<Item>,
}

/// A PHP-FPM configuration: the global section ([`BlockId::MAIN`]) and one block per pool
/// (named `pool`, its argument the pool's name), plus `php.ini` when found next to the main
/// file.
#[derive(Clone, Debug)]
pub struct FpmConfig {
    files: Vec<File>,
    tree: Tree,
    php_ini: Option<File>,
    warnings: Vec<Warning>,
}

/// Global-section settings (the rest belong to pools).
const GLOBAL: &[&str] = &[
    "pid",
    "error_log",
    "syslog.facility",
    "syslog.ident",
    "log_level",
    "log_limit",
    "log_buffering",
    "emergency_restart_threshold",
    "emergency_restart_interval",
    "process_control_timeout",
    "process.max",
    "process.priority",
    "daemonize",
    "rlimit_files",
    "rlimit_core",
    "events.mechanism",
    "systemd_interval",
];

/// Pool defaults in PHP 8.2 (sapi/fpm/php-fpm.conf.in, www.conf.in). The socket's owner
/// and group default to the user FPM's master runs as (root, as a service).
const POOL: &[(&str, &str)] = &[
    ("request_terminate_timeout", "0"),
    ("request_slowlog_timeout", "0"),
    ("listen.backlog", "-1"),
    ("listen.owner", "root"),
    ("listen.group", "root"),
    ("listen.mode", "0660"),
    ("pm.max_requests", "0"),
    ("pm.process_idle_timeout", "10s"),
    ("catch_workers_output", "no"),
];

// The tree: the global section ([`BlockId::MAIN`]) and the pools.
crate::reader::shared_reader!(FpmConfig, "`php-fpm.conf` (or a pool file alone)");

impl FpmConfig {
    /// `php.ini` next to the main file, if one was read (apart from
    /// [`FpmConfig::files`]; [`FpmConfig::read`] looks for it next to the main file).
    pub fn php_ini(&self) -> Option<&File> {
        self.php_ini.as_ref()
    }

    /// The pools, in the order they are defined.
    pub fn pools(&self) -> impl Iterator<Item = BlockId> + '_ {
        self.tree
            .blocks()
            .filter(|(_, b)| b.name == "pool")
            .map(|(id, _)| id)
    }

    /// A pool's name.
    pub fn pool_name(&self, pool: BlockId) -> &str {
        self.tree
            .block(pool)
            .args
            .first()
            .map(String::as_str)
            .unwrap_or("")
    }

    /// The pool with this name.
    pub fn pool(&self, name: &str) -> Option<BlockId> {
        self.pools().find(|&p| self.pool_name(p) == name)
    }

    /// The value in force of a setting for a pool: set in the pool, in `[global]` (for
    /// global settings), or FPM's default (then the place is the pool's section line).
    /// `pm.max_children` and `pm` have no default (FPM refuses to start without them):
    /// `None` then. `max_execution_time`, `memory_limit` and other PHP settings are looked
    /// up as PHP does: the pool's `php_admin_value[...]`, its `php_value[...]`, `php.ini`,
    /// then PHP's default.
    pub fn effective(&self, pool: BlockId, key: &str) -> Option<Effective> {
        let described = format!("pool {}", self.pool_name(pool));
        let answer = |s: &Setting, source| Effective {
            directive: s.name.clone(),
            value: s.value(),
            place: s.place.clone(),
            source,
            block: described.clone(),
            server: Server::PhpFpm,
        };
        if let Some(php) = php_default(key) {
            for kind in ["php_admin_value", "php_value", "php_admin_flag", "php_flag"] {
                if let Some(s) = self.tree.last(pool, &format!("{kind}[{key}]"), false) {
                    return Some(answer(s, Source::Here));
                }
            }
            if let Some(ini) = &self.php_ini {
                let found = ini.items.iter().rev().find_map(|i| match i {
                    Item::Entry {
                        key: k,
                        value,
                        line,
                    } if k == key => Some((value, line)),
                    _ => None,
                });
                if let Some((value, line)) = found {
                    return Some(Effective {
                        directive: key.to_string(),
                        value: value.clone(),
                        place: Place::new(ini.path.clone(), *line),
                        source: Source::Inherited,
                        block: described,
                        server: Server::PhpFpm,
                    });
                }
            }
            return Some(Effective {
                directive: key.to_string(),
                value: php.to_string(),
                place: self.tree.block(pool).place.clone(),
                source: Source::Default,
                block: described,
                server: Server::PhpFpm,
            });
        }
        if let Some(s) = self.tree.last(pool, key, true) {
            return Some(answer(s, Source::Here));
        }
        if GLOBAL.iter().any(|g| g.eq_ignore_ascii_case(key)) {
            if let Some(s) = self.tree.last(BlockId::MAIN, key, true) {
                return Some(answer(
                    s,
                    if pool == BlockId::MAIN {
                        Source::Here
                    } else {
                        Source::Inherited
                    },
                ));
            }
        }
        let default = POOL.iter().find(|(k, _)| k.eq_ignore_ascii_case(key))?.1;
        Some(Effective {
            directive: key.to_string(),
            value: default.to_string(),
            place: self.tree.block(pool).place.clone(),
            source: Source::Default,
            block: described,
            server: Server::PhpFpm,
        })
    }

    /// What a pool's `listen` names, as a target (`None` without a `listen`). A port alone
    /// (`9000`) or a wildcard address (`0.0.0.0:9000`, `[::]:9000`) is returned with host
    /// `*`, which [`FpmConfig::routes_to`] matches with any host.
    pub fn listen(&self, pool: BlockId) -> Option<(Target, Setting)> {
        let s = self.tree.last(pool, "listen", true)?;
        let value = s.args.first()?.trim();
        let target = if value.starts_with('/') {
            Target::Unix(value.to_string())
        } else if let Ok(port) = value.parse::<u16>() {
            Target::Address {
                host: "*".into(),
                port: Some(port),
            }
        } else if let Some(t) = Target::parse_with_default_port(value, false)
            .filter(|t| matches!(t, Target::Address { port: Some(_), .. }))
        {
            match t {
                Target::Address { host, port }
                    if matches!(host.as_str(), "0.0.0.0" | "::" | "*") =>
                {
                    Target::Address {
                        host: "*".into(),
                        port,
                    }
                }
                other => other,
            }
        } else {
            // A relative socket path: FPM puts it under the pool's `prefix`.
            let prefix = self
                .tree
                .last(pool, "prefix", true)
                .and_then(|p| p.args.first().cloned());
            match prefix {
                Some(p) => Target::Unix(format!("{}/{value}", p.trim_end_matches('/'))),
                None => Target::Unix(value.to_string()),
            }
        };
        Some((target, s.clone()))
    }

    /// The pools that listen on `target`. [`Route::config`] is 0.
    pub fn routes_to(&self, target: &Target) -> Vec<Route> {
        let mut out = Vec::new();
        for pool in self.pools() {
            let Some((listen, via)) = self.listen(pool) else {
                continue;
            };
            let hit = match (&listen, target) {
                (Target::Address { host, port }, Target::Address { port: tp, .. })
                    if host == "*" =>
                {
                    port == tp
                }
                (l, t) => l.same(t),
            };
            if hit {
                out.push(Route {
                    config: 0,
                    module: Module::FpmPool,
                    block: pool,
                    block_name: format!("pool {}", self.pool_name(pool)),
                    via,
                    group: None,
                    member: None,
                    exact: true,
                });
            }
        }
        out
    }
}

/// PHP's built-in defaults (main/main.c) for the settings logscan asks about.
fn php_default(key: &str) -> Option<&'static str> {
    Some(match key {
        "max_execution_time" => "30",
        "max_input_time" => "-1",
        "memory_limit" => "128M",
        "display_errors" => "1",
        "log_errors" => "1",
        "default_socket_timeout" => "60",
        _ => return None,
    })
}

struct Reader<'a> {
    files: &'a Files<'a>,
    options: &'a Options,
    list: Vec<File>,
    index: HashMap<PathBuf, usize>,
    stack: Vec<PathBuf>,
    tree: Tree,
    current: BlockId,
    base: PathBuf,
    lines: usize,
    warnings: Vec<Warning>,
    /// Warnings per file, to keep a broken file from flooding.
    per_file: HashMap<PathBuf, usize>,
}

fn load(files: &Files<'_>, main: &Path, options: &Options) -> Result<FpmConfig, Warning> {
    let text = files
        .read(main, options.limits.file_bytes)
        .map_err(|reason| Warning::file(main, reason))?;
    let base = main.parent().unwrap_or(Path::new("/")).to_path_buf();
    let mut reader = Reader {
        files,
        options,
        list: Vec::new(),
        index: HashMap::new(),
        stack: Vec::new(),
        tree: Tree::new(Place::new(main, 1)),
        current: BlockId::MAIN,
        base: base.clone(),
        lines: 0,
        warnings: text.warning.into_iter().collect(),
        per_file: HashMap::new(),
    };
    reader.file(main, &text.text);
    reader.summarize();
    let php_ini = match files.read(&base.join("php.ini"), options.limits.file_bytes) {
        Ok(text) => {
            let path = base.join("php.ini");
            let mut reader_ini = Reader {
                files,
                options,
                list: Vec::new(),
                index: HashMap::new(),
                stack: vec![path.clone()],
                tree: Tree::new(Place::new(path.clone(), 1)),
                current: BlockId::MAIN,
                base: base.clone(),
                lines: 0,
                warnings: text.warning.into_iter().collect(),
                per_file: HashMap::new(),
            };
            let items = reader_ini.items(&path, &text.text, false);
            reader_ini.summarize();
            reader.warnings.extend(reader_ini.warnings);
            Some(File { path, items })
        }
        Err(_) => None,
    };
    Ok(FpmConfig {
        files: reader.list,
        tree: reader.tree,
        php_ini,
        warnings: reader.warnings,
    })
}

impl Reader<'_> {
    /// Records a warning, at most [`MAX_PER_FILE`] per file; the rest are counted.
    fn warn(&mut self, w: Warning) {
        let n = self.per_file.entry(w.path.clone()).or_default();
        *n += 1;
        if *n <= MAX_PER_FILE {
            self.warnings.push(w);
        }
    }

    /// Says how many warnings of each file were not recorded.
    fn summarize(&mut self) {
        let mut over: Vec<(PathBuf, usize)> = self
            .per_file
            .iter()
            .filter(|(_, n)| **n > MAX_PER_FILE)
            .map(|(p, n)| (p.clone(), *n - MAX_PER_FILE))
            .collect();
        over.sort();
        for (path, n) in over {
            self.warnings.push(Warning::file(
                &path,
                format!("{n} more problems in this file not shown"),
            ));
        }
    }

    fn file(&mut self, path: &Path, text: &str) -> usize {
        let id = self.list.len();
        self.list.push(File {
            path: path.to_path_buf(),
            items: Vec::new(),
        });
        self.index.insert(path.to_path_buf(), id);
        self.stack.push(path.to_path_buf());
        let items = self.items(path, text, true);
        self.stack.pop();
        if let Some(f) = self.list.get_mut(id) {
            f.items = items;
        }
        id
    }

    /// Reads the lines of one file; `fpm` says whether sections are pools and includes are
    /// followed (not so for php.ini).
    fn items(&mut self, path: &Path, text: &str, fpm: bool) -> Vec<Item> {
        let mut items = Vec::new();
        for (n, raw) in text.split('\n').enumerate() {
            let number = u32::try_from(n + 1).unwrap_or(u32::MAX);
            self.lines += 1;
            if self.lines > self.options.limits.directives {
                self.warn(Warning::at(
                    path,
                    number,
                    format!(
                        "more than {} lines: the rest is not read",
                        self.options.limits.directives
                    ),
                ));
                break;
            }
            let env = &self.options.env;
            let mut missing = Vec::new();
            let parsed = grammar::line(raw, &mut |s: &str| {
                grammar::expand_vars(s, &|name| env.get(name).cloned(), &mut missing)
            });
            for name in missing {
                self.warn(Warning::at(
                    path,
                    number,
                    format!("variable ${{{}}} is not defined", quote_text(&name)),
                ));
            }
            match parsed {
                Line::Nothing => {}
                Line::Error(message) => self.warn(Warning::at(path, number, message)),
                Line::Section(name) => {
                    if fpm {
                        self.section(path, number, &name);
                    }
                    items.push(Item::Section { name, line: number });
                }
                Line::Entry { key, value } if fpm && key == "include" => {
                    let includes = self.include(path, number, &value);
                    items.push(Item::Include {
                        pattern: value,
                        line: number,
                        includes,
                    });
                }
                Line::Entry { key, value } => {
                    let value = if fpm && self.current != BlockId::MAIN && value.contains("$pool") {
                        let name = self
                            .tree
                            .block(self.current)
                            .args
                            .first()
                            .cloned()
                            .unwrap_or_default();
                        value.replace("$pool", &name)
                    } else {
                        value
                    };
                    if fpm {
                        if self.current == BlockId::MAIN && value.contains("$pool") {
                            self.warn(Warning::at(
                                path,
                                number,
                                "can't use '$pool' when the pool is not defined",
                            ));
                        }
                        self.tree.set(
                            self.current,
                            Setting {
                                name: key.clone(),
                                args: vec![value.clone()],
                                place: Place::new(path, number),
                            },
                        );
                    }
                    items.push(Item::Entry {
                        key,
                        value,
                        line: number,
                    });
                }
            }
        }
        items
    }

    fn section(&mut self, path: &Path, line: u32, name: &str) {
        if name.eq_ignore_ascii_case("global") {
            self.current = BlockId::MAIN;
            return;
        }
        let existing = self
            .tree
            .blocks()
            .find(|(_, b)| {
                b.name == "pool" && b.args.first().is_some_and(|n| n.eq_ignore_ascii_case(name))
            })
            .map(|(id, _)| id);
        self.current = match existing {
            Some(id) => id,
            None => self.tree.open(
                BlockId::MAIN,
                "pool",
                &[name.to_string()],
                Place::new(path, line),
            ),
        };
    }

    fn include(&mut self, path: &Path, line: u32, pattern: &str) -> Vec<usize> {
        let full = if Path::new(pattern).is_absolute() {
            PathBuf::from(pattern)
        } else {
            self.base.join(pattern)
        };
        let shown = quote_text(&full.to_string_lossy());
        let paths = if has_magic(pattern) {
            match self.files.glob(&full) {
                Ok(found) => {
                    if found.is_empty() {
                        self.warn(Warning::note(
                            path,
                            line,
                            format!("nothing matches the include pattern \"{shown}\""),
                        ));
                    }
                    found
                }
                Err(e) => {
                    self.warn(Warning::at(
                        path,
                        line,
                        format!("include \"{shown}\": {}", quote_text(&e)),
                    ));
                    Vec::new()
                }
            }
        } else {
            vec![full]
        };
        let mut out = Vec::new();
        for file in paths {
            if self.stack.contains(&file) {
                self.warn(Warning::at(
                    path,
                    line,
                    format!(
                        "include cycle: \"{}\" includes itself again; not followed",
                        quote_text(&file.to_string_lossy())
                    ),
                ));
                continue;
            }
            if let Some(&i) = self.index.get(&file) {
                out.push(i);
                continue;
            }
            if self.stack.len() >= self.options.limits.include_depth
                || self.list.len() >= self.options.limits.files
            {
                self.warn(Warning::at(
                    path,
                    line,
                    format!(
                        "too many or too deeply nested includes: \"{}\" is not read",
                        quote_text(&file.to_string_lossy())
                    ),
                ));
                continue;
            }
            match self.files.read(&file, self.options.limits.file_bytes) {
                Ok(text) => {
                    self.warnings.extend(text.warning);
                    out.push(self.file(&file, &text.text));
                }
                Err(reason) => self.warn(Warning::at(
                    path,
                    line,
                    format!(
                        "unable to include \"{}\": {}",
                        quote_text(&file.to_string_lossy()),
                        quote_text(&reason)
                    ),
                )),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn memory(files: &[(&str, &str)]) -> BTreeMap<PathBuf, Vec<u8>> {
        files
            .iter()
            .map(|(p, t)| (PathBuf::from(p), t.as_bytes().to_vec()))
            .collect()
    }

    const DEBIAN: &[(&str, &str)] = &[
        (
            "/etc/php/8.2/fpm/php-fpm.conf",
            "[global]\npid = /run/php/php8.2-fpm.pid\nprocess_control_timeout = 10s\ninclude=/etc/php/8.2/fpm/pool.d/*.conf\n",
        ),
        (
            "/etc/php/8.2/fpm/pool.d/www.conf",
            "[www]\nuser = www-data\ngroup = www-data\nlisten = /run/php/php8.2-fpm-$pool.sock\nlisten.owner = www-data\npm = dynamic\npm.max_children = 5\n[reports]\nlisten = 127.0.0.1:9001\nphp_admin_value[max_execution_time] = 1\nrequest_terminate_timeout = 30s\n",
        ),
        (
            "/etc/php/8.2/fpm/php.ini",
            "[PHP]\nmax_execution_time = 45\nmemory_limit = 256M\n",
        ),
    ];

    #[test]
    fn pools_settings_and_php_ini() {
        let c = FpmConfig::from_memory(
            memory(DEBIAN),
            Path::new("/etc/php/8.2/fpm/php-fpm.conf"),
            &Options::default(),
        )
        .unwrap();
        assert!(c.warnings().is_empty(), "{:?}", c.warnings());
        let names: Vec<&str> = c.pools().map(|p| c.pool_name(p)).collect();
        assert_eq!(names, ["www", "reports"]);
        let www = c.pool("www").unwrap();
        let (listen, via) = c.listen(www).unwrap();
        assert_eq!(listen, Target::Unix("/run/php/php8.2-fpm-www.sock".into()));
        assert_eq!(via.place.to_string(), "/etc/php/8.2/fpm/pool.d/www.conf:4");

        let e = c.effective(www, "pm.max_children").unwrap();
        assert_eq!(
            (e.value.as_str(), e.source, e.place.line),
            ("5", Source::Here, 7)
        );
        let e = c.effective(www, "request_terminate_timeout").unwrap();
        assert_eq!(
            (e.value.as_str(), e.source, e.place.line, e.block.as_str()),
            ("0", Source::Default, 1, "pool www")
        );
        let e = c.effective(www, "max_execution_time").unwrap();
        assert_eq!(
            (e.value.as_str(), e.source, e.place.to_string().as_str()),
            ("45", Source::Inherited, "/etc/php/8.2/fpm/php.ini:2")
        );
        let e = c.effective(www, "process_control_timeout").unwrap();
        assert_eq!((e.value.as_str(), e.source), ("10s", Source::Inherited));

        let reports = c.pool("reports").unwrap();
        let e = c.effective(reports, "max_execution_time").unwrap();
        assert_eq!(
            (e.directive.as_str(), e.value.as_str(), e.source),
            ("php_admin_value[max_execution_time]", "1", Source::Here)
        );
        assert!(c.effective(reports, "pm.max_children").is_none());

        let r = c.routes_to(&Target::parse("unix:/run/php/php8.2-fpm-www.sock").unwrap());
        assert_eq!((r.len(), r[0].block_name.as_str()), (1, "pool www"));
        assert_eq!(
            c.routes_to(&Target::parse("localhost:9001").unwrap())[0].block,
            reports
        );
    }

    #[test]
    fn ports_alone_and_wildcards_listen_everywhere() {
        let c = FpmConfig::from_memory(
            memory(&[("/f.conf", "[a]\nlisten = 9000\n[b]\nlisten = [::]:9001\n")]),
            Path::new("/f.conf"),
            &Options::default(),
        )
        .unwrap();
        assert_eq!(
            c.routes_to(&Target::parse("10.0.0.5:9000").unwrap()).len(),
            1
        );
        assert_eq!(
            c.routes_to(&Target::parse("127.0.0.1:9001").unwrap()).len(),
            1
        );
        assert!(
            c.routes_to(&Target::parse("127.0.0.1:9002").unwrap())
                .is_empty()
        );
    }

    #[test]
    fn problems_are_warnings_with_lines() {
        let files = memory(&[
            (
                "/e/php-fpm.conf",
                "[global]\nlisten = /x/$pool.sock\ninclude=/e/none/*.conf\ninclude=/e/missing.conf\ninclude=/e/self.conf\nbroken line\nx = \"open\n",
            ),
            (
                "/e/self.conf",
                "include=/e/self.conf\n[p]\nlisten = ${SOCK}\n",
            ),
        ]);
        let c = FpmConfig::from_memory(
            files,
            Path::new("/e/php-fpm.conf"),
            &Options::default().var("SOCK", "/run/p.sock"),
        )
        .unwrap();
        let w: Vec<String> = c.warnings().iter().map(ToString::to_string).collect();
        assert_eq!(
            w,
            [
                "/e/php-fpm.conf:2: can't use '$pool' when the pool is not defined",
                "/e/php-fpm.conf:3: nothing matches the include pattern \"/e/none/*.conf\"",
                "/e/php-fpm.conf:4: unable to include \"/e/missing.conf\": not in the saved configuration",
                "/e/self.conf:1: include cycle: \"/e/self.conf\" includes itself again; not followed",
                "/e/php-fpm.conf:6: expected \"key = value\", \"[section]\" or a \"; comment\"",
                "/e/php-fpm.conf:7: unterminated \"quoted\" value",
            ]
        );
        // The pool opened in the included file stays current after it.
        let p = c.pool("p").unwrap();
        assert_eq!(c.listen(p).unwrap().0, Target::Unix("/run/p.sock".into()));
    }
}
