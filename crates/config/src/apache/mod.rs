//! Apache httpd configuration: `apache2.conf`/`httpd.conf` and what it includes.
//!
//! Read in order, as httpd does: `Define`/`UnDefine`, `${NAME}`, `ServerRoot`,
//! `LoadModule`, `<IfDefine>`, `<IfModule>`, `Include` and `IncludeOptional` take effect
//! where they are. Relative includes resolve against `ServerRoot` (by default the directory
//! of the main file, or its parent when that is RHEL's `conf/`). Debian's `envvars` next
//! to `apache2.conf` is read for `${APACHE_LOG_DIR}` and friends, as `apache2ctl` does.
//!
//! `<IfModule>` is decided by the `LoadModule` lines read so far (and the modules Debian
//! and RHEL build in); when none was read (a lone site file), every `<IfModule>` counts as
//! true. `<IfVersion>`, `<IfFile>`, `<IfDirective>` and `<IfSection>` count as true.

pub(crate) mod grammar;
mod query;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

pub use query::ProxyLine;

use crate::options::Options;
use crate::place::{Place, Warning, quote_text};

/// Warnings recorded per file.
const MAX_PER_FILE: usize = 100;
use crate::source::{Files, has_magic};
use crate::tree::{BlockId, Setting, Tree};
use grammar::Statement;

/// One directive or section of an Apache file, as written (variables resolved).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Directive {
    /// Its name as written (`ProxyPass`, `VirtualHost`).
    pub name: String,
    /// Its arguments, as httpd splits them.
    pub args: Vec<String>,
    /// The line it starts on.
    pub line: u32,
    /// The directives inside, for a section.
    pub block: Option<Vec<Directive>>,
    /// For `Include`/`IncludeOptional`: the files it brought in (indices into the
    /// configuration's files).
    pub includes: Vec<usize>,
    /// `false` inside an `<IfDefine>`/`<IfModule>` that does not hold (httpd skips those).
    pub active: bool,
}

/// One file of an Apache configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct File {
    /// The path httpd knows it by.
    pub path: PathBuf,
    /// Its directives.
    pub directives: Vec<Directive>,
}

/// An Apache httpd configuration: its files as written, and the effective tree (includes
/// spliced in, conditional sections decided) that questions are asked of.
#[derive(Clone, Debug)]
pub struct ApacheConfig {
    files: Vec<File>,
    tree: Tree,
    warnings: Vec<Warning>,
    prefork: bool,
}

/// Modules built into Debian's and RHEL's httpd.
const STATIC_MODULES: &[&str] = &[
    "core",
    "so",
    "watchdog",
    "http",
    "log_config",
    "logio",
    "version",
    "unixd",
];

/// Sections that only decide whether what they hold is read.
const CONDITIONS: &[&str] = &[
    "IfModule",
    "IfDefine",
    "IfVersion",
    "IfFile",
    "IfDirective",
    "IfSection",
];

// The tree: the main server ([`BlockId::MAIN`]) and its sections (`VirtualHost`,
// `Location`, `Proxy`, ...), conditional sections spliced away.
crate::reader::shared_reader!(ApacheConfig, "`apache2.conf`/`httpd.conf`");

struct Reader<'a> {
    files: &'a Files<'a>,
    options: &'a Options,
    list: Vec<File>,
    index: HashMap<PathBuf, usize>,
    stack: Vec<PathBuf>,
    defined: BTreeSet<String>,
    vars: BTreeMap<String, String>,
    env: BTreeMap<String, String>,
    server_root: PathBuf,
    modules: BTreeSet<String>,
    any_module: bool,
    lines: usize,
    warnings: Vec<Warning>,
    /// Warnings per file, to keep a broken file from flooding.
    per_file: HashMap<PathBuf, usize>,
}

fn load(files: &Files<'_>, main: &Path, options: &Options) -> Result<ApacheConfig, Warning> {
    let text = files
        .read(main, options.limits.file_bytes)
        .map_err(|reason| Warning::file(main, reason))?;
    let dir = main.parent().unwrap_or(Path::new("/"));
    let server_root = if dir.file_name().is_some_and(|n| n == "conf") {
        dir.parent().unwrap_or(dir).to_path_buf()
    } else {
        dir.to_path_buf()
    };
    let mut env = envvars(files, &dir.join("envvars"));
    env.extend(options.env.clone());
    let mut reader = Reader {
        files,
        options,
        list: Vec::new(),
        index: HashMap::new(),
        stack: Vec::new(),
        defined: options.defines.iter().cloned().collect(),
        vars: BTreeMap::new(),
        env,
        server_root,
        modules: STATIC_MODULES
            .iter()
            .flat_map(|m| [format!("{m}_module"), format!("mod_{m}.c")])
            .collect(),
        any_module: false,
        lines: 0,
        warnings: text.warning.into_iter().collect(),
        per_file: HashMap::new(),
    };
    reader.file(main, &text.text);
    reader.summarize();
    let prefork = reader.modules.contains("mpm_prefork_module");
    let mut warnings = reader.warnings;
    let tree = build_tree(&reader.list, options, &mut warnings);
    Ok(ApacheConfig {
        files: reader.list,
        tree,
        warnings,
        prefork,
    })
}

/// Debian's `/etc/apache2/envvars`: its `export NAME=value` lines, as `apache2ctl` sources
/// them. Anything else in it (conditionals, `unset`) is skipped; `$NAME` refers to names
/// read before, unknown ones are empty (`$SUFFIX` of a single instance).
fn envvars(files: &Files<'_>, path: &Path) -> BTreeMap<String, String> {
    let mut vars = BTreeMap::new();
    let Ok(text) = files.read(path, 1 << 20) else {
        return vars;
    };
    for line in text.text.lines() {
        let Some(assign) = line.strip_prefix("export ") else {
            continue;
        };
        let Some((name, value)) = assign.trim().split_once('=') else {
            continue;
        };
        let value = value.trim().trim_matches(|c| c == '"' || c == '\'');
        let mut out = String::new();
        let mut rest = value;
        while let Some(at) = rest.find('$') {
            out.push_str(&rest[..at]);
            let after = &rest[at + 1..];
            let (var, skip) = if let Some(inner) = after.strip_prefix('{') {
                match inner.find('}') {
                    Some(end) => (&inner[..end], end + 2),
                    None => (inner, after.len()),
                }
            } else {
                let end = after
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(after.len());
                (&after[..end], end)
            };
            if let Some(v) = vars.get(var) {
                out.push_str(v);
            }
            rest = &after[skip..];
        }
        out.push_str(rest);
        vars.insert(name.trim().to_string(), out);
    }
    vars
}

struct Frame {
    directive: Directive,
    children: Vec<Directive>,
    parent_active: bool,
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

    fn lookup(&self, name: &str) -> Option<String> {
        self.vars.get(name).or_else(|| self.env.get(name)).cloned()
    }

    /// Reads one file in order, following its includes as they come; returns its index.
    fn file(&mut self, path: &Path, text: &str) -> usize {
        let id = self.list.len();
        self.list.push(File {
            path: path.to_path_buf(),
            directives: Vec::new(),
        });
        self.index.insert(path.to_path_buf(), id);
        self.stack.push(path.to_path_buf());
        let mut root: Vec<Directive> = Vec::new();
        let mut stack: Vec<Frame> = Vec::new();
        // Sections opened beyond the depth limit, by name, innermost last.
        let mut skipped: Vec<String> = Vec::new();
        let mut active = true;
        for line in grammar::logical_lines(text) {
            self.lines += 1;
            if self.lines > self.options.limits.directives {
                self.warn(Warning::at(
                    path,
                    line.number,
                    format!(
                        "more than {} lines: the rest is not read",
                        self.options.limits.directives
                    ),
                ));
                break;
            }
            let resolved = if active {
                let (resolved, missing) = grammar::resolve_vars(&line.text, |n| self.lookup(n));
                for name in missing {
                    self.warn(Warning::at(
                        path,
                        line.number,
                        format!("config variable ${{{}}} is not defined", quote_text(&name)),
                    ));
                }
                resolved
            } else {
                line.text.clone()
            };
            match grammar::statement(&resolved) {
                Statement::Open { name, args, closed } => {
                    if !closed {
                        self.warn(Warning::at(
                            path,
                            line.number,
                            format!("<{}> directive missing closing '>'", quote_text(&name)),
                        ));
                    }
                    if stack.len() >= self.options.limits.block_depth {
                        // Not nested further (the tree stays shallow); what it holds counts as
                        // inactive, and its closing tag is matched here.
                        if skipped.is_empty() {
                            self.warn(Warning::at(path, line.number, format!("sections nested deeper than {}: <{}> and what it holds are not read", self.options.limits.block_depth, quote_text(&name))));
                        }
                        skipped.push(name);
                        active = false;
                        continue;
                    }
                    let holds = active && self.condition(&name, &args);
                    stack.push(Frame {
                        directive: Directive {
                            name,
                            args,
                            line: line.number,
                            block: Some(Vec::new()),
                            includes: Vec::new(),
                            active,
                        },
                        children: Vec::new(),
                        parent_active: active,
                    });
                    active = holds;
                }
                Statement::Close { name } if !skipped.is_empty() => {
                    if skipped
                        .last()
                        .is_some_and(|s| s.eq_ignore_ascii_case(&name))
                    {
                        skipped.pop();
                    }
                    if skipped.is_empty() {
                        active = stack.last().is_none_or(|f| {
                            f.parent_active && self.condition(&f.directive.name, &f.directive.args)
                        });
                    }
                }
                Statement::Close { name } => {
                    let Some(depth) = stack
                        .iter()
                        .rposition(|f| f.directive.name.eq_ignore_ascii_case(&name))
                    else {
                        self.warn(Warning::at(
                            path,
                            line.number,
                            format!("</{0}> without matching <{0}> section", quote_text(&name)),
                        ));
                        continue;
                    };
                    while stack.len() > depth {
                        let Some(frame) = stack.pop() else { break };
                        if stack.len() > depth {
                            self.warn(Warning::at(
                                path,
                                line.number,
                                format!(
                                    "expected </{}> but saw </{}>",
                                    quote_text(&frame.directive.name),
                                    quote_text(&name)
                                ),
                            ));
                        }
                        active = frame.parent_active;
                        let mut d = frame.directive;
                        d.block = Some(frame.children);
                        match stack.last_mut() {
                            Some(parent) => parent.children.push(d),
                            None => root.push(d),
                        }
                    }
                }
                Statement::Directive { name, args } => {
                    if name.is_empty() {
                        continue;
                    }
                    let mut d = Directive {
                        name,
                        args,
                        line: line.number,
                        block: None,
                        includes: Vec::new(),
                        active,
                    };
                    if active {
                        self.apply(path, &mut d);
                    }
                    match stack.last_mut() {
                        Some(parent) => parent.children.push(d),
                        None => root.push(d),
                    }
                }
            }
        }
        while let Some(frame) = stack.pop() {
            self.warn(Warning::at(
                path,
                frame.directive.line,
                format!(
                    "<{}> section is never closed",
                    quote_text(&frame.directive.name)
                ),
            ));
            let mut d = frame.directive;
            d.block = Some(frame.children);
            match stack.last_mut() {
                Some(parent) => parent.children.push(d),
                None => root.push(d),
            }
        }
        self.stack.pop();
        if let Some(f) = self.list.get_mut(id) {
            f.directives = root;
        }
        id
    }

    /// Whether a section's contents are read.
    fn condition(&self, name: &str, args: &[String]) -> bool {
        let Some(arg) = args.first() else {
            return true;
        };
        let (negated, what) = match arg.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, arg.as_str()),
        };
        let holds = if name.eq_ignore_ascii_case("IfDefine") {
            self.defined.contains(what)
        } else if name.eq_ignore_ascii_case("IfModule") {
            !self.any_module || self.modules.contains(what)
        } else {
            return true;
        };
        holds != negated
    }

    /// The directives that act while the configuration is read.
    fn apply(&mut self, path: &Path, d: &mut Directive) {
        match d.name.to_ascii_lowercase().as_str() {
            "define" => {
                if let Some(name) = d.args.first() {
                    self.defined.insert(name.clone());
                    if d.args.len() > 1 {
                        self.vars.insert(name.clone(), d.args[1..].join(" "));
                    }
                }
            }
            "undefine" => {
                if let Some(name) = d.args.first() {
                    self.defined.remove(name);
                    self.vars.remove(name);
                }
            }
            "serverroot" => {
                if let Some(root) = d.args.first() {
                    self.server_root = PathBuf::from(root);
                }
            }
            "loadmodule" => {
                self.any_module = true;
                if let Some(id) = d.args.first() {
                    self.modules.insert(id.clone());
                }
                if let Some(stem) = d
                    .args
                    .get(1)
                    .and_then(|f| Path::new(f).file_stem())
                    .and_then(|s| s.to_str())
                {
                    self.modules.insert(format!("{stem}.c"));
                }
            }
            "include" | "includeoptional" => {
                let optional = d.name.eq_ignore_ascii_case("IncludeOptional");
                d.includes = self.include(path, d.line, &d.args, optional);
            }
            _ => {}
        }
    }

    fn include(&mut self, path: &Path, line: u32, args: &[String], optional: bool) -> Vec<usize> {
        let Some(pattern) = args.first() else {
            self.warn(Warning::at(path, line, "Include takes one argument"));
            return Vec::new();
        };
        let full = if Path::new(pattern).is_absolute() {
            PathBuf::from(pattern)
        } else {
            self.server_root.join(pattern)
        };
        let shown = quote_text(&full.to_string_lossy());
        let paths = if has_magic(pattern) {
            match self.files.glob(&full) {
                Ok(found) if found.is_empty() => {
                    if optional {
                        self.warn(Warning::note(
                            path,
                            line,
                            format!("IncludeOptional \"{shown}\" matches no file"),
                        ));
                    } else {
                        self.warn(Warning::at(path, line, format!("Include \"{shown}\": no matches for the wildcard (httpd refuses to start)")));
                    }
                    found
                }
                Ok(found) => found,
                Err(e) => {
                    self.warn(Warning::at(
                        path,
                        line,
                        format!("Include \"{shown}\": {}", quote_text(&e)),
                    ));
                    Vec::new()
                }
            }
        } else if self.files.is_dir(&full) {
            self.files.files_under(&full, self.options.limits.files)
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
            if self.stack.len() >= self.options.limits.include_depth {
                self.warn(Warning::at(
                    path,
                    line,
                    format!(
                        "includes nested deeper than {}: not followed",
                        self.options.limits.include_depth
                    ),
                ));
                continue;
            }
            if self.list.len() >= self.options.limits.files {
                self.warn(Warning::at(
                    path,
                    line,
                    format!(
                        "more than {} files: \"{}\" is not read",
                        self.options.limits.files,
                        quote_text(&file.to_string_lossy())
                    ),
                ));
                break;
            }
            match self.files.read(&file, self.options.limits.file_bytes) {
                Ok(text) => {
                    self.warnings.extend(text.warning);
                    out.push(self.file(&file, &text.text));
                }
                Err(reason) if optional && reason.contains("No such file") => {}
                Err(reason) => self.warn(Warning::at(
                    path,
                    line,
                    format!(
                        "could not open configuration file \"{}\": {}",
                        quote_text(&file.to_string_lossy()),
                        quote_text(&reason)
                    ),
                )),
            }
        }
        out
    }
}

/// Writes directives back as httpd text that reads into the same directives: every
/// argument double-quoted (a backslash before `"` and `\\`), sections as `<Name args>` ...
/// `</Name>`. Arguments must not hold line breaks (httpd has no way to write one).
pub fn print(directives: &[Directive]) -> String {
    let mut out = String::new();
    print_into(&mut out, directives, 0);
    out
}

fn print_into(out: &mut String, directives: &[Directive], depth: usize) {
    let quote = |a: &str| {
        let mut q = String::from('"');
        for c in a.chars() {
            if c == '"' || c == '\\' {
                q.push('\\');
            }
            q.push(c);
        }
        q.push('"');
        q
    };
    for d in directives {
        let indent = "    ".repeat(depth);
        let args: Vec<String> = d.args.iter().map(|a| quote(a)).collect();
        let head = if args.is_empty() {
            d.name.clone()
        } else {
            format!("{} {}", d.name, args.join(" "))
        };
        match &d.block {
            Some(children) => {
                out.push_str(&format!("{indent}<{head}>\n"));
                print_into(out, children, depth + 1);
                out.push_str(&format!("{indent}</{}>\n", d.name));
            }
            None => out.push_str(&format!("{indent}{head}\n")),
        }
    }
}

/// Splices includes and decided conditions into one tree of sections.
fn build_tree(files: &[File], options: &Options, warnings: &mut Vec<Warning>) -> Tree {
    let main = files.first().map(|f| f.path.clone()).unwrap_or_default();
    let mut splice = Splice {
        files,
        tree: Tree::new(Place::new(main, 1)),
        stack: vec![0usize],
        options,
        count: 0,
        over: false,
    };
    if let Some(f) = files.first() {
        splice.directives(0, &f.directives, BlockId::MAIN);
    }
    if splice.over {
        let path = files.first().map(|f| f.path.clone()).unwrap_or_default();
        warnings.push(Warning::file(
            &path,
            format!(
                "more than {} directives with includes expanded: the rest is not read",
                options.limits.directives
            ),
        ));
    }
    splice.tree
}

/// Splicing state: a file included many times over is expanded each time, up to the
/// directive limit.
struct Splice<'a> {
    files: &'a [File],
    tree: Tree,
    stack: Vec<usize>,
    options: &'a Options,
    count: usize,
    over: bool,
}

impl Splice<'_> {
    fn directives(&mut self, file: usize, directives: &[Directive], block: BlockId) {
        splice(self, file, directives, block);
    }
}

fn splice(s: &mut Splice<'_>, file: usize, directives: &[Directive], block: BlockId) {
    let files = s.files;
    let options = s.options;
    let Some(path) = files.get(file).map(|f| f.path.clone()) else {
        return;
    };
    for d in directives.iter().filter(|d| d.active) {
        s.count += 1;
        if s.over || s.count > options.limits.directives {
            s.over = true;
            return;
        }
        let place = Place::new(path.clone(), d.line);
        if d.name.eq_ignore_ascii_case("Include") || d.name.eq_ignore_ascii_case("IncludeOptional")
        {
            for &f in &d.includes {
                if s.stack.contains(&f) || s.stack.len() >= options.limits.include_depth {
                    // Reported while reading.
                    continue;
                }
                s.stack.push(f);
                if let Some(inc) = files.get(f) {
                    splice(s, f, &inc.directives, block);
                }
                s.stack.pop();
            }
            continue;
        }
        match &d.block {
            Some(children) if CONDITIONS.iter().any(|c| c.eq_ignore_ascii_case(&d.name)) => {
                splice(s, file, children, block);
            }
            Some(children) => {
                let id = s.tree.open(block, &d.name, &d.args, place);
                splice(s, file, children, id);
            }
            None => s.tree.set(
                block,
                Setting {
                    name: d.name.clone(),
                    args: d.args.clone(),
                    place,
                },
            ),
        }
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

    fn settings(c: &ApacheConfig, block: BlockId) -> Vec<(String, String)> {
        c.tree()
            .block(block)
            .settings
            .iter()
            .map(|s| (s.name.clone(), s.place.to_string()))
            .collect()
    }

    #[test]
    fn debian_layout_with_envvars_defines_and_conditions() {
        let files = memory(&[
            (
                "/etc/apache2/envvars",
                "unset HOME\nif [ x ]; then\n  SUFFIX=\nfi\nexport APACHE_RUN_USER=www-data\nexport APACHE_LOG_DIR=/var/log/apache2$SUFFIX\n",
            ),
            (
                "/etc/apache2/apache2.conf",
                "Timeout 300\nUser ${APACHE_RUN_USER}\nErrorLog ${APACHE_LOG_DIR}/error.log\nDefine SHOP 127.0.0.1:8080\nIncludeOptional mods-enabled/*.load\nIncludeOptional conf-enabled/*.conf\nInclude sites-enabled/*.conf\n<IfModule mod_ssl.c>\n  Listen 443\n</IfModule>\n<IfModule !mod_ssl.c>\n  Listen 80\n</IfModule>\n<IfDefine !SHOP>\n  Include /nowhere/x.conf\n</IfDefine>\n",
            ),
            (
                "/etc/apache2/mods-enabled/proxy.load",
                "LoadModule proxy_module /usr/lib/apache2/modules/mod_proxy.so\n",
            ),
            (
                "/etc/apache2/conf-enabled/timeouts.conf",
                "<IfModule mod_proxy.c>\n    ProxyTimeout 2\n</IfModule>\n",
            ),
            (
                "/etc/apache2/sites-enabled/shop.conf",
                "<VirtualHost ${SHOP}>\n    ServerName shop.example.test\n    ProxyPass /api/ http://127.0.0.1:19000/api/ \\\n        timeout=5\n</VirtualHost>\n",
            ),
        ]);
        let c = ApacheConfig::from_memory(
            files,
            Path::new("/etc/apache2/apache2.conf"),
            &Options::default(),
        )
        .unwrap();
        assert!(
            c.warnings()
                .iter()
                .all(|w| w.severity == crate::Severity::Note),
            "{:?}",
            c.warnings()
        );
        let main = settings(&c, BlockId::MAIN);
        let names: Vec<&str> = main.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "Timeout",
                "User",
                "ErrorLog",
                "Define",
                "LoadModule",
                "ProxyTimeout",
                "Listen"
            ]
        );
        assert_eq!(main[5].1, "/etc/apache2/conf-enabled/timeouts.conf:2");
        let user = &c.tree().block(BlockId::MAIN).settings[1];
        assert_eq!(user.args, ["www-data"]);
        assert_eq!(
            c.tree().block(BlockId::MAIN).settings[2].args,
            ["/var/log/apache2/error.log"]
        );
        // mod_ssl is not loaded: the `!mod_ssl.c` branch holds.
        assert_eq!(c.tree().block(BlockId::MAIN).settings[6].args, ["80"]);
        let vhost = c
            .tree()
            .blocks()
            .find(|(_, b)| b.name == "VirtualHost")
            .unwrap();
        assert_eq!(vhost.1.args, ["127.0.0.1:8080"]);
        assert_eq!(
            vhost.1.settings[1].args,
            ["/api/", "http://127.0.0.1:19000/api/", "timeout=5"]
        );
        assert_eq!(
            vhost.1.settings[1].place.to_string(),
            "/etc/apache2/sites-enabled/shop.conf:3"
        );
    }

    #[test]
    fn broken_sections_and_includes_are_warnings() {
        let files = memory(&[
            (
                "/a/httpd.conf",
                "Include missing.conf\nInclude sub/*.conf\n<VirtualHost *:80>\n<Location />\n</VirtualHost>\n</Directory>\nInclude loop.conf\n<Proxy x>\nX ${UNDEFINED}\n",
            ),
            ("/a/loop.conf", "Include /a/loop.conf\nKeepAliveTimeout 3\n"),
        ]);
        let c = ApacheConfig::from_memory(files, Path::new("/a/httpd.conf"), &Options::default())
            .unwrap();
        let w: Vec<String> = c.warnings().iter().map(ToString::to_string).collect();
        assert!(
            w[0].starts_with(
                "/a/httpd.conf:1: could not open configuration file \"/a/missing.conf\""
            ),
            "{w:?}"
        );
        assert!(
            w[1].starts_with("/a/httpd.conf:2: Include \"/a/sub/*.conf\": no matches"),
            "{w:?}"
        );
        assert!(
            w.contains(&"/a/httpd.conf:5: expected </Location> but saw </VirtualHost>".to_string()),
            "{w:?}"
        );
        assert!(
            w.contains(
                &"/a/httpd.conf:6: </Directory> without matching <Directory> section".to_string()
            ),
            "{w:?}"
        );
        assert!(
            w.iter()
                .any(|w| w.starts_with("/a/loop.conf:1: include cycle")),
            "{w:?}"
        );
        assert!(
            w.contains(&"/a/httpd.conf:9: config variable ${UNDEFINED} is not defined".to_string()),
            "{w:?}"
        );
        assert!(
            w.contains(&"/a/httpd.conf:8: <Proxy> section is never closed".to_string()),
            "{w:?}"
        );
        assert_eq!(
            c.tree()
                .last(BlockId::MAIN, "keepalivetimeout", true)
                .unwrap()
                .args,
            ["3"]
        );
    }
}
