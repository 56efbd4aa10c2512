//! nginx configuration: a file tree with `include`s, or saved `nginx -T` output.
//!
//! Relative `include` paths are resolved as nginx does, against the directory of the main
//! file (nginx's `conf_prefix`, which `-c` sets), whatever file the `include` is in. A
//! glob that matches nothing is accepted (a note); a plain path that cannot be read is a
//! problem, as nginx refuses to start then. Every file is read once and listed in the
//! order nginx meets it; `include` directives list the files they brought in, like
//! crossplane's JSON.

mod defaults;
pub(crate) mod grammar;
mod locate;
mod query;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

pub use grammar::{Directive, print};
pub use locate::Request;
pub use query::{LogFormat, UpstreamServer};

use crate::options::Options;
use crate::place::{Place, Warning, quote_text};
use crate::source::{Files, has_magic};
use crate::tree::{BlockId, Setting, Tree};

/// One file of an nginx configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct File {
    /// The path nginx knows it by.
    pub path: PathBuf,
    /// Its directives, as written.
    pub directives: Vec<Directive>,
}

/// An nginx configuration: its files as written, and the effective tree (includes
/// spliced in) that questions are asked of.
#[derive(Clone, Debug)]
pub struct NginxConfig {
    files: Vec<File>,
    tree: Tree,
    warnings: Vec<Warning>,
}

// The tree: blocks (`http`, `server`, `location`, `upstream`, `if`, ...) with the
// directives in them, includes spliced in. Its loader takes the warnings of a dump too,
// so only the accessors are shared.
crate::reader::shared_reader!(accessors NginxConfig);

impl NginxConfig {
    /// Reads `nginx.conf` (or any main file) and everything it includes from disk.
    /// Fails only when the main file cannot be read; every other problem is a warning.
    pub fn read(path: &Path, options: &Options) -> Result<NginxConfig, Warning> {
        load(
            &Files::Disk(options),
            &options.config_path(path),
            options,
            Vec::new(),
        )
    }

    /// Reads saved `nginx -T` output (stdout alone, or with stderr mixed in). A dump of a
    /// configuration nginx refused holds no files: that is an error naming nginx's own
    /// complaint and its `path:line`.
    pub fn read_dump(path: &Path, options: &Options) -> Result<NginxConfig, Warning> {
        let text = Files::Disk(options)
            .read(path, options.limits.file_bytes)
            .map_err(|reason| Warning::file(path, reason))?;
        let mut config = NginxConfig::from_dump_text(&text.text, path, options)?;
        config.warnings.splice(0..0, text.warning);
        Ok(config)
    }

    /// Reads a configuration held in memory: `files` by the paths nginx knows them by,
    /// `main` among them. Nothing is read from disk.
    pub fn from_memory(
        files: BTreeMap<PathBuf, Vec<u8>>,
        main: &Path,
        options: &Options,
    ) -> Result<NginxConfig, Warning> {
        load(&Files::Memory(files), main, options, Vec::new())
    }

    /// Reads `nginx -T` output held in memory (`origin` names it in warnings).
    pub fn from_dump_text(
        text: &str,
        origin: &Path,
        options: &Options,
    ) -> Result<NginxConfig, Warning> {
        let dump = split_dump(origin, text);
        let Some(main) = dump.files.first().map(|(p, _)| p.clone()) else {
            let why = dump
                .warnings
                .iter()
                .find(|w| w.message.starts_with("nginx refused"))
                .cloned();
            return Err(why.unwrap_or_else(|| {
                Warning::file(
                    origin,
                    "no \"# configuration file <path>:\" line: not nginx -T output",
                )
            }));
        };
        let files = Files::Memory(
            dump.files
                .into_iter()
                .map(|(p, t)| (p, t.into_bytes()))
                .collect(),
        );
        load(&files, &main, options, dump.warnings)
    }

    /// The blocks whose directive is `name` (`server`, `location`, `upstream`).
    pub fn blocks_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = BlockId> + 'a {
        self.tree
            .blocks()
            .filter(move |(_, b)| b.name == name)
            .map(|(id, _)| id)
    }
}

fn load(
    files: &Files<'_>,
    main: &Path,
    options: &Options,
    mut warnings: Vec<Warning>,
) -> Result<NginxConfig, Warning> {
    let limits = options.limits;
    let bounds = grammar::Bounds {
        depth: limits.block_depth,
        tokens: limits.directives,
    };
    let text = files
        .read(main, limits.file_bytes)
        .map_err(|reason| Warning::file(main, reason))?;
    let conf_dir = main.parent().unwrap_or(Path::new("/")).to_path_buf();
    let mut list: Vec<File> = Vec::new();
    let mut index: HashMap<PathBuf, usize> = HashMap::new();
    let read_one = |path: &Path, text: crate::source::Text, warnings: &mut Vec<Warning>| {
        warnings.extend(text.warning);
        let (directives, errors) = grammar::parse(&text.text, bounds);
        warnings.extend(
            errors
                .into_iter()
                .map(|e| Warning::at(path, e.line, e.message)),
        );
        File {
            path: path.to_path_buf(),
            directives,
        }
    };
    let first = read_one(main, text, &mut warnings);
    index.insert(main.to_path_buf(), 0);
    list.push(first);

    // Breadth-first over files, in the order their includes appear (crossplane's order).
    let mut next = 0;
    while next < list.len() {
        let mut directives = std::mem::take(&mut list[next].directives);
        let path = list[next].path.clone();
        let mut includes = Vec::new();
        collect_includes(&mut directives, &mut includes, &mut Vec::new());
        for at in includes {
            let Some(d) = directive_at(&mut directives, &at) else {
                continue;
            };
            if d.args.len() != 1 {
                warnings.push(Warning::at(
                    &path,
                    d.line,
                    "invalid number of arguments in \"include\" directive",
                ));
                continue;
            }
            let pattern = PathBuf::from(&d.args[0]);
            let full = if pattern.is_absolute() {
                pattern
            } else {
                conf_dir.join(pattern)
            };
            let shown = quote_text(&full.to_string_lossy());
            let matched: Vec<PathBuf> = if has_magic(&d.args[0]) {
                match files.glob(&full) {
                    Ok(m) if m.is_empty() => {
                        warnings.push(Warning::note(
                            &path,
                            d.line,
                            format!("include \"{shown}\" matches no file"),
                        ));
                        m
                    }
                    Ok(m) => m,
                    Err(e) => {
                        warnings.push(Warning::at(
                            &path,
                            d.line,
                            format!("include \"{shown}\": {}", quote_text(&e)),
                        ));
                        Vec::new()
                    }
                }
            } else {
                vec![full]
            };
            for file in matched {
                if let Some(&i) = index.get(&file) {
                    d.includes.push(i);
                    continue;
                }
                if list.len() >= limits.files {
                    warnings.push(Warning::at(
                        &path,
                        d.line,
                        format!(
                            "more than {} files: \"{}\" is not read",
                            limits.files,
                            quote_text(&file.to_string_lossy())
                        ),
                    ));
                    break;
                }
                match files.read(&file, limits.file_bytes) {
                    Ok(text) => {
                        let f = read_one(&file, text, &mut warnings);
                        index.insert(file, list.len());
                        d.includes.push(list.len());
                        list.push(f);
                    }
                    Err(reason) => warnings.push(Warning::at(
                        &path,
                        d.line,
                        format!(
                            "include \"{}\": {}",
                            quote_text(&file.to_string_lossy()),
                            quote_text(&reason)
                        ),
                    )),
                }
            }
        }
        list[next].directives = directives;
        next += 1;
    }

    let tree = build_tree(&list, options, &mut warnings);
    Ok(NginxConfig {
        files: list,
        tree,
        warnings,
    })
}

/// The positions (index paths through nested blocks) of every `include` directive, in
/// document order.
fn collect_includes(directives: &mut [Directive], out: &mut Vec<Vec<usize>>, at: &mut Vec<usize>) {
    for (i, d) in directives.iter_mut().enumerate() {
        at.push(i);
        if d.name == "include" {
            out.push(at.clone());
        }
        if let Some(block) = d.block.as_mut() {
            collect_includes(block, out, at);
        }
        at.pop();
    }
}

fn directive_at<'d>(directives: &'d mut [Directive], at: &[usize]) -> Option<&'d mut Directive> {
    let (first, rest) = at.split_first()?;
    let d = directives.get_mut(*first)?;
    if rest.is_empty() {
        Some(d)
    } else {
        directive_at(d.block.as_mut()?, rest)
    }
}

/// Splices includes into one tree of blocks. Include cycles (a file that includes itself,
/// directly or not) are reported and cut.
fn build_tree(files: &[File], options: &Options, warnings: &mut Vec<Warning>) -> Tree {
    let main = files.first().map(|f| f.path.clone()).unwrap_or_default();
    let mut tree = Tree::new(Place::new(main, 1));
    let mut walk = Walk {
        files,
        tree: &mut tree,
        warnings,
        stack: vec![0],
        count: 0,
        limit: options.limits.directives,
        include_depth: options.limits.include_depth,
        over: false,
    };
    if let Some(f) = files.first() {
        walk.directives(0, &f.directives, BlockId::MAIN);
    }
    tree
}

struct Walk<'a> {
    files: &'a [File],
    tree: &'a mut Tree,
    warnings: &'a mut Vec<Warning>,
    stack: Vec<usize>,
    count: usize,
    limit: usize,
    include_depth: usize,
    over: bool,
}

impl Walk<'_> {
    fn directives(&mut self, file: usize, directives: &[Directive], block: BlockId) {
        let Some(path) = self.files.get(file).map(|f| f.path.clone()) else {
            return;
        };
        for d in directives {
            if self.over {
                return;
            }
            self.count += 1;
            if self.count > self.limit {
                self.over = true;
                self.warnings.push(Warning::at(
                    &path,
                    d.line,
                    format!(
                        "more than {} directives with includes expanded: the rest is not read",
                        self.limit
                    ),
                ));
                return;
            }
            let place = Place::new(path.clone(), d.line);
            if d.name == "include" && d.block.is_none() {
                for &f in &d.includes {
                    if self.stack.contains(&f) {
                        let target = self
                            .files
                            .get(f)
                            .map(|f| f.path.display().to_string())
                            .unwrap_or_default();
                        self.warnings.push(Warning::at(
                            &path,
                            d.line,
                            format!(
                                "include cycle: \"{}\" includes itself again; not followed",
                                quote_text(&target)
                            ),
                        ));
                        continue;
                    }
                    if self.stack.len() >= self.include_depth {
                        self.warnings.push(Warning::at(
                            &path,
                            d.line,
                            format!(
                                "includes nested deeper than {}: not followed",
                                self.include_depth
                            ),
                        ));
                        continue;
                    }
                    self.stack.push(f);
                    if let Some(inc) = self.files.get(f) {
                        self.directives(f, &inc.directives, block);
                    }
                    self.stack.pop();
                }
                continue;
            }
            match &d.block {
                Some(children) => {
                    let id = self.tree.open(block, &d.name, &d.args, place);
                    self.directives(file, children, id);
                }
                None => self.tree.set(
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
}

/// The files of `nginx -T` output and what nginx said around them.
struct Dump {
    files: Vec<(PathBuf, String)>,
    warnings: Vec<Warning>,
}

const HEADER: &str = "# configuration file ";

/// Splits `nginx -T` output at its `# configuration file <path>:` lines. nginx writes each
/// file it read once, in the order it read them, followed by a line break. Lines nginx
/// writes to stderr (`nginx: [emerg] ... in <path>:<line>`, `... test failed`) become
/// warnings at the place they name.
fn split_dump(origin: &Path, text: &str) -> Dump {
    let mut files: Vec<(PathBuf, String)> = Vec::new();
    let mut warnings = Vec::new();
    let mut current: Option<(PathBuf, String)> = None;
    for (n, line) in text.split_inclusive('\n').enumerate() {
        let number = u32::try_from(n + 1).unwrap_or(u32::MAX);
        let bare = line.trim_end_matches(['\n', '\r']);
        if let Some(path) = bare.strip_prefix(HEADER).and_then(|p| p.strip_suffix(':')) {
            if let Some(done) = current.take() {
                files.push(done);
            }
            current = Some((PathBuf::from(path), String::new()));
            continue;
        }
        // stderr comes before the dump when both were saved (`nginx -T > f 2>&1`).
        if current.is_none() {
            if let Some(w) = nginx_message(origin, number, bare) {
                warnings.push(w);
            }
            continue;
        }
        if let Some((_, body)) = current.as_mut() {
            body.push_str(line);
        }
    }
    if let Some(done) = current.take() {
        files.push(done);
    }
    // nginx ends each file with a line break of its own.
    for (_, body) in &mut files {
        if body.ends_with('\n') {
            body.pop();
        }
    }
    Dump { files, warnings }
}

/// A line nginx wrote to stderr around a dump, as a warning at the place it names.
fn nginx_message(origin: &Path, line: u32, text: &str) -> Option<Warning> {
    let Some(message) = text.strip_prefix("nginx: ") else {
        return (!text.trim().is_empty()).then(|| {
            Warning::at(
                origin,
                line,
                format!("not part of nginx -T output: \"{}\"", quote_text(text)),
            )
        });
    };
    if message.ends_with("syntax is ok") || message.ends_with("test is successful") {
        return None;
    }
    // "[emerg] unknown directive "x" in /etc/nginx/sites-enabled/a:3"
    if let Some(at) = message.rfind(" in ") {
        let place = &message[at + 4..];
        if let Some((path, l)) = place.rsplit_once(':') {
            if let Ok(l) = l.parse::<u32>() {
                return Some(Warning::at(
                    Path::new(path),
                    l,
                    format!(
                        "nginx refused this configuration: {}",
                        quote_text(&message[..at])
                    ),
                ));
            }
        }
    }
    Some(Warning::at(
        origin,
        line,
        format!("nginx refused this configuration: {}", quote_text(message)),
    ))
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

    #[test]
    fn relative_includes_resolve_against_the_main_files_directory() {
        let files = memory(&[
            (
                "/etc/nginx/nginx.conf",
                "http {\n  include conf.d/*.conf;\n  include /etc/nginx/sites-enabled/*;\n}\n",
            ),
            (
                "/etc/nginx/conf.d/a.conf",
                "proxy_read_timeout 5s;\ninclude snippets/x.conf;\n",
            ),
            ("/etc/nginx/snippets/x.conf", "proxy_buffer_size 16k;\n"),
            ("/etc/nginx/sites-enabled/shop", "server { listen 80; }\n"),
        ]);
        let c = NginxConfig::from_memory(
            files,
            Path::new("/etc/nginx/nginx.conf"),
            &Options::default(),
        )
        .unwrap();
        assert!(c.warnings().is_empty(), "{:?}", c.warnings());
        let paths: Vec<_> = c
            .files()
            .iter()
            .map(|f| f.path.to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            paths,
            [
                "/etc/nginx/nginx.conf",
                "/etc/nginx/conf.d/a.conf",
                "/etc/nginx/sites-enabled/shop",
                "/etc/nginx/snippets/x.conf"
            ]
        );
        let http = c.blocks_named("http").next().unwrap();
        let names: Vec<_> = c
            .tree()
            .block(http)
            .settings
            .iter()
            .map(|s| (s.name.as_str(), s.place.to_string()))
            .collect();
        assert_eq!(
            names,
            [
                (
                    "proxy_read_timeout",
                    "/etc/nginx/conf.d/a.conf:1".to_string()
                ),
                (
                    "proxy_buffer_size",
                    "/etc/nginx/snippets/x.conf:1".to_string()
                )
            ]
        );
        assert_eq!(c.blocks_named("server").count(), 1);
    }

    #[test]
    fn include_problems_are_warnings_with_their_line() {
        let files = memory(&[
            (
                "/n/nginx.conf",
                "include missing.conf;\ninclude none/*.conf;\ninclude a.conf;\nevents {}\n",
            ),
            ("/n/a.conf", "include /n/b.conf;\n"),
            ("/n/b.conf", "include /n/a.conf;\nworker_processes 2;\n"),
        ]);
        let c = NginxConfig::from_memory(files, Path::new("/n/nginx.conf"), &Options::default())
            .unwrap();
        let w: Vec<String> = c.warnings().iter().map(ToString::to_string).collect();
        assert!(
            w[0].starts_with("/n/nginx.conf:1: include \"/n/missing.conf\""),
            "{w:?}"
        );
        assert_eq!(
            w[1],
            "/n/nginx.conf:2: include \"/n/none/*.conf\" matches no file"
        );
        assert!(
            w.iter()
                .any(|w| w.starts_with("/n/b.conf:1: include cycle")),
            "{w:?}"
        );
        // The cycle is cut, what it holds is still read once.
        let main = c.tree().block(BlockId::MAIN);
        assert_eq!(
            main.settings
                .iter()
                .filter(|s| s.name == "worker_processes")
                .count(),
            1
        );
        assert_eq!(c.blocks_named("events").count(), 1);
    }

    #[test]
    fn a_missing_main_file_is_an_error() {
        let e = NginxConfig::from_memory(
            BTreeMap::new(),
            Path::new("/x/nginx.conf"),
            &Options::default(),
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "/x/nginx.conf: not in the saved configuration"
        );
    }

    #[test]
    fn dumps_split_at_their_headers_and_keep_line_numbers() {
        let dump = "nginx: the configuration file /e/nginx.conf syntax is ok\nnginx: configuration file /e/nginx.conf test is successful\n# configuration file /e/nginx.conf:\nevents {}\nhttp {\n    include /e/conf.d/*.conf;\n}\n\n# configuration file /e/conf.d/t.conf:\nproxy_read_timeout 7s;\n\n";
        let c =
            NginxConfig::from_dump_text(dump, Path::new("dump.txt"), &Options::default()).unwrap();
        assert!(c.warnings().is_empty(), "{:?}", c.warnings());
        assert_eq!(c.files().len(), 2);
        let http = c.blocks_named("http").next().unwrap();
        assert_eq!(c.tree().block(http).place.to_string(), "/e/nginx.conf:2");
        assert_eq!(
            c.tree().block(http).settings[0].place.to_string(),
            "/e/conf.d/t.conf:1"
        );
    }

    #[test]
    fn a_dump_of_a_refused_configuration_names_nginxs_complaint() {
        let dump = "nginx: [emerg] unknown directive \"proxy_read_timout\" in /etc/nginx/sites-enabled/shop:14\nnginx: configuration file /etc/nginx/nginx.conf test failed\n";
        let e =
            NginxConfig::from_dump_text(dump, Path::new("t.txt"), &Options::default()).unwrap_err();
        assert_eq!(e.path, Path::new("/etc/nginx/sites-enabled/shop"));
        assert_eq!(e.line, Some(14));
        assert!(e.message.contains("unknown directive"), "{e}");
    }
}
