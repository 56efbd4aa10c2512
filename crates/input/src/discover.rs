//! Turning PATH arguments into an ordered list of inputs.

use std::cmp::Reverse;
use std::collections::HashMap;
use std::ffi::OsStr;
use std::fs::{self, File, Metadata};
use std::io;
use std::path::{Path, PathBuf};

use crate::error::{InputError, io_reason};

/// Where an input's bytes come from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Source {
    /// A file (regular file, FIFO or character device such as `/dev/stdin`).
    Path(PathBuf),
    /// The process's standard input (the PATH argument `-`).
    Stdin,
}

/// One input to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// Where the bytes come from.
    pub source: Source,
    /// The path as the user gave it (files under a directory: the directory as given joined
    /// with the rest), lossy UTF-8; `<stdin>` for standard input. Use it in messages.
    pub display: String,
    /// The size in bytes of a regular file when it was found (compressed size for archives);
    /// `None` for stdin, FIFOs and devices.
    pub size: Option<u64>,
}

impl Input {
    /// The display name of standard input.
    pub const STDIN_DISPLAY: &'static str = "<stdin>";

    /// Standard input.
    pub fn stdin() -> Self {
        Input {
            source: Source::Stdin,
            display: Input::STDIN_DISPLAY.to_string(),
            size: None,
        }
    }

    /// A file at `path`, displayed as given, of the given size (if known).
    pub fn file(path: impl Into<PathBuf>, size: Option<u64>) -> Self {
        let path = path.into();
        Input {
            display: path.to_string_lossy().into_owned(),
            source: Source::Path(path),
            size,
        }
    }
}

/// What [`discover`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Discovery {
    /// The inputs to read, in reading order: standard input first if it was given, then the
    /// files, each rotated series oldest first (`x.log.10.gz` … `x.log.2.gz`, `x.log.1`,
    /// `x.log`; dated names by date), series ordered by directory and name. Each file is
    /// listed once, however many arguments reach it.
    pub inputs: Vec<Input>,
    /// Paths that could not be used, in the order met. `fatal` ones are inputs the user asked
    /// for that cannot be read (missing, permission denied, a pattern matching nothing);
    /// the others are notes (a symlink loop not followed, a FIFO skipped in a directory).
    pub problems: Vec<InputError>,
    /// The directories searched and the patterns expanded, as given.
    pub searched: Vec<PathBuf>,
}

impl Discovery {
    /// True if any problem is fatal.
    pub fn has_fatal(&self) -> bool {
        self.problems.iter().any(|p| p.fatal)
    }
}

/// Turns PATH arguments into inputs.
///
/// * `-` is standard input (read once, however often given).
/// * A file is always taken, whatever its name; a FIFO or character device too (no size).
/// * A directory is searched recursively, following symlinks (a loop is reported as a
///   non-fatal problem and not followed), skipping hidden entries. It yields only log files:
///   names that, after an optional `.gz`/`.zst`/`.bz2`/`.xz`, look like `*.log`, `*.log.N`,
///   `*.log-YYYYMMDD`, `*.log.YYYY-MM-DD`, `*-YYYYMMDD.log`, `*_log` and its rotations
///   (Apache on RHEL: `access_log`, `ssl_error_log.1`), `php*-fpm.log*`, or the names CDNs
///   and load balancers give their deliveries in a synced bucket (CloudFront's
///   `<id>.<YYYY-MM-DD-HH>.<unique>.gz`, Google's `<HH:MM:SS>_<HH:MM:SS>_S0.json`; AWS ALB
///   and Cloudflare Logpush files end in `.log.gz`). Other files (configs, pid files, editor
///   swap files) are ignored.
/// * An argument that does not exist but contains `*`, `?` or `[` is a glob pattern
///   (`/var/log/nginx/*.log*`); its matches count as given (directories are searched).
///   Leading dots must be matched literally, as in a shell.
/// * Anything that cannot be found, listed or opened is a fatal problem naming the path
///   and the operating system's reason; everything else is still listed.
///
/// Nothing is read beyond directory listings and metadata; regular files are opened and
/// closed again to surface permission errors early.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use logscan_input::discover;
///
/// let dir = tempfile::tempdir()?;
/// for name in ["access.log", "access.log.1", "access.log.2.gz", "nginx.conf", "error.log"] {
///     std::fs::write(dir.path().join(name), "")?;
/// }
/// let found = discover(&[dir.path().to_path_buf()]);
/// let names: Vec<_> = found.inputs.iter()
///     .map(|i| i.display.rsplit('/').next().unwrap_or_default().to_string())
///     .collect();
/// assert_eq!(names, ["access.log.2.gz", "access.log.1", "access.log", "error.log"]);
/// assert!(found.problems.is_empty());
/// # Ok(()) }
/// ```
pub fn discover(paths: &[PathBuf]) -> Discovery {
    let mut d = Discoverer::default();
    for path in paths {
        d.argument(path);
    }
    d.finish()
}

/// Compares two paths by where [`discover`] lists them: by directory, then each rotated
/// series oldest first (`error.log.2.gz`, `error.log.1`, `error.log`), then by name. For
/// callers that put inputs read elsewhere (the state files of other runs) in the order of
/// one run over all of them.
pub fn discovery_order(a: &Path, b: &Path) -> std::cmp::Ordering {
    sort_key(a).cmp(&sort_key(b))
}

/// The usual places for web-server logs on this machine, those that exist:
/// `/var/log/nginx`, `/var/log/apache2`, `/var/log/httpd`, `/var/log/php*-fpm.log*`,
/// `/var/log/php-fpm/`, and the files of a Kubernetes node's `/var/log/containers/` whose
/// name says `nginx`, `ingress`, `httpd` or `apache` (containers' logs in the CRI format).
/// Hand them to [`discover`].
pub fn default_locations() -> Vec<PathBuf> {
    default_locations_in(Path::new("/"))
}

/// [`default_locations`] under another root (for tests).
fn default_locations_in(root: &Path) -> Vec<PathBuf> {
    let var_log = root.join("var/log");
    let mut found = Vec::new();
    for dir in ["nginx", "apache2", "httpd"] {
        let p = var_log.join(dir);
        if p.is_dir() {
            found.push(p);
        }
    }
    if let Ok(entries) = fs::read_dir(&var_log) {
        let mut fpm: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .filter(|e| {
                let name = e.file_name();
                let name = name.to_string_lossy();
                is_php_fpm_log(strip_compression(&name)) && e.path().is_file()
            })
            .map(|e| e.path())
            .collect();
        fpm.sort_by_cached_key(|p| sort_key(p));
        found.extend(fpm);
    }
    let p = var_log.join("php-fpm");
    if p.is_dir() {
        found.push(p);
    }
    if let Ok(entries) = fs::read_dir(var_log.join("containers")) {
        let mut containers: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .filter(|e| {
                let name = e.file_name().to_string_lossy().to_ascii_lowercase();
                ["nginx", "ingress", "httpd", "apache"]
                    .iter()
                    .any(|server| name.contains(server))
                    && e.path().is_file()
            })
            .map(|e| e.path())
            .collect();
        containers.sort();
        found.extend(containers);
    }
    found
}

/// A file found, before duplicates are dropped.
struct Found {
    input: Input,
    id: Option<FileId>,
    /// The path itself is a symlink: a duplicate reached directly is preferred.
    via_link: bool,
}

#[derive(Default)]
struct Discoverer {
    stdin: bool,
    files: Vec<Found>,
    problems: Vec<InputError>,
    searched: Vec<PathBuf>,
}

impl Discoverer {
    fn argument(&mut self, path: &Path) {
        if path.as_os_str() == "-" {
            if self.stdin {
                self.problems.push(InputError::note(
                    Input::STDIN_DISPLAY,
                    "standard input given more than once; read once",
                ));
            }
            self.stdin = true;
            return;
        }
        let display = path.to_string_lossy().into_owned();
        match fs::metadata(path) {
            Ok(meta) if meta.is_dir() => {
                self.searched.push(path.to_path_buf());
                self.walk(path);
            }
            Ok(meta) => self.explicit_file(path, display, &meta),
            Err(err) if err.kind() == io::ErrorKind::NotFound && is_glob(&display) => {
                self.searched.push(path.to_path_buf());
                self.glob(&display);
            }
            Err(err) => self.problems.push(missing(path, display, &err)),
        }
    }

    fn glob(&mut self, pattern: &str) {
        let options = glob::MatchOptions {
            case_sensitive: true,
            require_literal_separator: true,
            require_literal_leading_dot: true,
        };
        let paths = match glob::glob_with(pattern, options) {
            Ok(paths) => paths,
            Err(err) => {
                self.problems.push(InputError::fatal(
                    pattern,
                    format!("bad pattern: {}", err.msg),
                ));
                return;
            }
        };
        let mut any = false;
        for entry in paths {
            any = true;
            match entry {
                Ok(path) => {
                    let display = path.to_string_lossy().into_owned();
                    match fs::metadata(&path) {
                        Ok(meta) if meta.is_dir() => self.walk(&path),
                        Ok(meta) => self.explicit_file(&path, display, &meta),
                        Err(err) => self.problems.push(missing(&path, display, &err)),
                    }
                }
                Err(err) => self.problems.push(InputError::io(
                    err.path().to_string_lossy().into_owned(),
                    err.error(),
                )),
            }
        }
        if !any {
            self.problems.push(InputError::fatal(
                pattern,
                "no such file or directory, and no file matches this pattern",
            ));
        }
    }

    /// A non-directory the user named (or a pattern matched): always taken if readable.
    fn explicit_file(&mut self, path: &Path, display: String, meta: &Metadata) {
        match kind_of(meta) {
            Kind::Regular => self.regular(path, display, meta),
            Kind::Stream => self.push(path, display, None, meta),
            Kind::Other(what) => self.problems.push(InputError::fatal(
                display,
                format!("is a {what}, not a log file"),
            )),
        }
    }

    /// A regular file: opened and closed to surface permission errors now.
    fn regular(&mut self, path: &Path, display: String, meta: &Metadata) {
        match File::open(path) {
            Ok(_) => self.push(path, display, Some(meta.len()), meta),
            Err(err) => self.problems.push(InputError::io(display, &err)),
        }
    }

    fn push(&mut self, path: &Path, display: String, size: Option<u64>, meta: &Metadata) {
        let via_link = fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
        self.files.push(Found {
            input: Input {
                source: Source::Path(path.to_path_buf()),
                display,
                size,
            },
            id: file_id(meta),
            via_link,
        });
    }

    fn walk(&mut self, root: &Path) {
        let walker = walkdir::WalkDir::new(root)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !is_hidden(e.file_name()));
        for entry in walker {
            let entry = match entry {
                Ok(entry) => entry,
                Err(err) => {
                    self.walk_error(&err);
                    continue;
                }
            };
            if entry.file_type().is_dir() || !is_log_name(entry.file_name()) {
                continue;
            }
            let path = entry.path();
            let display = path.to_string_lossy().into_owned();
            let meta = match entry.metadata() {
                Ok(meta) => meta,
                Err(err) => {
                    self.walk_error(&err);
                    continue;
                }
            };
            match kind_of(&meta) {
                Kind::Regular => self.regular(path, display, &meta),
                Kind::Stream => self.problems.push(InputError::note(
                    display,
                    "not a regular file (FIFO or device); skipped in a directory search, name it to read it",
                )),
                Kind::Other(what) => self
                    .problems
                    .push(InputError::note(display, format!("is a {what}; skipped"))),
            }
        }
    }

    fn walk_error(&mut self, err: &walkdir::Error) {
        let path = err.path().map(Path::to_path_buf).unwrap_or_default();
        let display = path.to_string_lossy().into_owned();
        if let Some(ancestor) = err.loop_ancestor() {
            self.problems.push(InputError::note(
                display,
                format!(
                    "symlink loop (leads back to {}); not followed",
                    ancestor.to_string_lossy()
                ),
            ));
            return;
        }
        let reason = match err.io_error() {
            Some(io) => io_reason(io),
            None => err.to_string(),
        };
        // Below the root, a file we would not take anyway (a broken symlink named
        // `site.conf`, say) is no problem; a directory, or anything named like a log, is.
        let is_dir = fs::metadata(&path).is_ok_and(|m| m.is_dir());
        if path.as_os_str().is_empty()
            || (err.depth() > 0 && !is_dir && !path.file_name().is_some_and(is_log_name))
        {
            return;
        }
        let reason = match fs::read_link(&path) {
            Ok(target) if !path.exists() => {
                format!("dangling symlink to {}: {reason}", target.to_string_lossy())
            }
            _ => reason,
        };
        self.problems.push(InputError::fatal(display, reason));
    }

    fn finish(self) -> Discovery {
        // One input per file: the first path met that is not itself a symlink, else the first.
        let mut keep: HashMap<FileId, usize> = HashMap::new();
        for (i, found) in self.files.iter().enumerate() {
            if let Some(id) = found.id {
                let kept = keep.entry(id).or_insert(i);
                if self.files[*kept].via_link && !found.via_link {
                    *kept = i;
                }
            }
        }
        let mut files: Vec<Input> = self
            .files
            .into_iter()
            .enumerate()
            .filter(|(i, found)| found.id.is_none_or(|id| keep.get(&id) == Some(i)))
            .map(|(_, found)| found.input)
            .collect();
        files.sort_by_cached_key(|input| match &input.source {
            Source::Path(p) => sort_key(p),
            Source::Stdin => SortKey::default(),
        });
        let mut inputs = Vec::with_capacity(files.len() + 1);
        if self.stdin {
            inputs.push(Input::stdin());
        }
        inputs.extend(files);
        Discovery {
            inputs,
            problems: self.problems,
            searched: self.searched,
        }
    }
}

/// The problem for a path that could not be stat'ed (names the target of a dangling link).
fn missing(path: &Path, display: String, err: &io::Error) -> InputError {
    let reason = io_reason(err);
    match fs::read_link(path) {
        Ok(target) => InputError::fatal(
            display,
            format!("dangling symlink to {}: {reason}", target.to_string_lossy()),
        ),
        Err(_) => InputError::fatal(display, reason),
    }
}

fn is_glob(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

fn is_hidden(name: &OsStr) -> bool {
    name.as_encoded_bytes().first() == Some(&b'.')
}

enum Kind {
    Regular,
    /// FIFO or character device: readable as a stream, no size.
    Stream,
    Other(&'static str),
}

#[cfg(unix)]
fn kind_of(meta: &Metadata) -> Kind {
    use std::os::unix::fs::FileTypeExt;
    let ft = meta.file_type();
    if ft.is_file() {
        Kind::Regular
    } else if ft.is_fifo() || ft.is_char_device() {
        Kind::Stream
    } else if ft.is_socket() {
        Kind::Other("socket")
    } else if ft.is_block_device() {
        Kind::Other("block device")
    } else if ft.is_dir() {
        Kind::Other("directory")
    } else {
        Kind::Other("special file")
    }
}

#[cfg(not(unix))]
fn kind_of(meta: &Metadata) -> Kind {
    if meta.is_file() {
        Kind::Regular
    } else if meta.is_dir() {
        Kind::Other("directory")
    } else {
        Kind::Stream
    }
}

type FileId = (u64, u64);

#[cfg(unix)]
fn file_id(meta: &Metadata) -> Option<FileId> {
    use std::os::unix::fs::MetadataExt;
    meta.is_file().then(|| (meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
fn file_id(_meta: &Metadata) -> Option<FileId> {
    None
}

// ---------------------------------------------------------------------------------------
// Log names and rotation order
// ---------------------------------------------------------------------------------------

/// Where a file sits in its rotated series, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Rank {
    /// `x.log-20240501`, `x.log.2024-05-01`, `x-20240501.log`: by date (digits only).
    Dated(String),
    /// `x.log.N`: larger N is older.
    Numbered(Reverse<u64>),
    /// `x.log`: the live file, newest.
    Current,
}

/// A file name understood as a member of a rotated series.
#[derive(Debug, Clone, PartialEq, Eq)]
struct LogName {
    series: String,
    rank: Rank,
}

/// The name without one compression suffix.
fn strip_compression(name: &str) -> &str {
    for ext in [".gz", ".zst", ".bz2", ".xz"] {
        if let Some(stem) = name.strip_suffix(ext) {
            if !stem.is_empty() {
                return stem;
            }
        }
    }
    name
}

/// True if a file name is an older member of a rotated series or a compressed log
/// (`error.log.1`, `access.log-20240501`, `access-20240501.log`, `error.log.2.gz`), the
/// names that rotation gives the files it moves or copies away; false for the file being
/// written (`error.log`, `access_log`, `php8.2-fpm.log`) and for names that are not logs.
///
/// ```
/// use logscan_input::is_rotated_name;
///
/// assert!(is_rotated_name("error.log.1".as_ref()));
/// assert!(is_rotated_name("access.log-20240501".as_ref()));
/// assert!(is_rotated_name("error.log.2.gz".as_ref()));
/// assert!(!is_rotated_name("error.log".as_ref()));
/// assert!(!is_rotated_name("nginx.conf".as_ref()));
/// ```
pub fn is_rotated_name(name: &OsStr) -> bool {
    let name = name.to_string_lossy();
    let stem = strip_compression(&name);
    match parse_log_name(stem) {
        Some(log) => stem.len() != name.len() || log.rank != Rank::Current,
        None => false,
    }
}

/// True if a directory search should take a file of this name.
fn is_log_name(name: &OsStr) -> bool {
    let name = name.to_string_lossy();
    !name.starts_with('.') && parse_log_name(strip_compression(&name)).is_some()
}

fn is_php_fpm_log(stem: &str) -> bool {
    stem.starts_with("php") && stem.contains("-fpm.log")
}

/// Parses a (compression-stripped) name as a log of a rotated series, if it is one.
fn parse_log_name(stem: &str) -> Option<LogName> {
    // logrotate's `extension .log`: access-20240501.log, access.2024-05-01.log
    for marker in [".log", "_log"] {
        if let Some(head) = stem.strip_suffix(marker) {
            if let Some(cut) = head.rfind(['-', '.', '_']) {
                if let Some(date) = date_key(&head[cut + 1..]) {
                    if cut > 0 {
                        return Some(LogName {
                            series: format!("{}{marker}", &head[..cut]),
                            rank: Rank::Dated(date),
                        });
                    }
                }
            }
        }
    }
    // x.log, x.log.N, x.log-DATE, x.log.DATE, x_log...: the last marker with a valid rest.
    let bytes = stem.as_bytes();
    let mut i = stem.len();
    while i >= 4 {
        let at = i - 4;
        if (bytes[at] == b'.' || bytes[at] == b'_') && &bytes[at + 1..i] == b"log" && at > 0 {
            if let Some(rank) = rotation(&stem[i..]) {
                return Some(LogName {
                    series: stem[..i].to_string(),
                    rank,
                });
            }
        }
        i -= 1;
    }
    if is_php_fpm_log(stem) {
        return Some(LogName {
            series: stem.to_string(),
            rank: Rank::Current,
        });
    }
    edge_log_name(stem)
}

/// The names CDNs and load balancers give their log files in a bucket (ALB and Cloudflare
/// Logpush names end in `.log` and are taken above):
/// - CloudFront standard logs: `<distribution id>.<YYYY-MM-DD-HH>.<unique id>` (gzip);
/// - Google Cloud Logging sinks to Cloud Storage: `<HH:MM:SS>_<HH:MM:SS>_S<n>.json` in
///   `<log>/<YYYY>/<MM>/<DD>/` directories.
///
/// Each file is a series of its own, ordered by its date.
fn edge_log_name(stem: &str) -> Option<LogName> {
    let mut parts = stem.split('.');
    if let (Some(id), Some(hour), Some(unique), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    {
        let id_ok = (8..=20).contains(&id.len())
            && id
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        let unique_ok = !unique.is_empty() && unique.bytes().all(|b| b.is_ascii_alphanumeric());
        let hour_ok = hour.len() == 13 && hour.as_bytes().get(10) == Some(&b'-');
        if id_ok && unique_ok && hour_ok {
            if let Some(date) = date_key(hour) {
                return Some(LogName {
                    series: stem.to_string(),
                    rank: Rank::Dated(date),
                });
            }
        }
    }
    let sink = stem.strip_suffix(".json")?;
    let b = sink.as_bytes();
    let clock = |at: usize| {
        b.get(at..at + 8).is_some_and(|t| {
            t.iter().enumerate().all(|(i, c)| {
                if i % 3 == 2 {
                    *c == b':'
                } else {
                    c.is_ascii_digit()
                }
            })
        })
    };
    let shard = b.get(18..).is_some_and(|rest| {
        rest.first() == Some(&b'S') && rest.len() > 1 && rest[1..].iter().all(u8::is_ascii_digit)
    });
    (clock(0) && b.get(8) == Some(&b'_') && clock(9) && b.get(17) == Some(&b'_') && shard).then(
        || LogName {
            series: stem.to_string(),
            rank: Rank::Current,
        },
    )
}

/// The rotation suffix after `.log`: "", ".N", "-DATE", ".DATE", "_DATE".
fn rotation(rest: &str) -> Option<Rank> {
    let Some(sep) = rest.bytes().next() else {
        return Some(Rank::Current);
    };
    if !matches!(sep, b'.' | b'-' | b'_') {
        return None;
    }
    let body = &rest[1..];
    if let Some(date) = date_key(body) {
        return Some(Rank::Dated(date));
    }
    if sep == b'.' && (1..=6).contains(&body.len()) && body.bytes().all(|b| b.is_ascii_digit()) {
        return body.parse().ok().map(|n| Rank::Numbered(Reverse(n)));
    }
    None
}

/// A sortable key for a date suffix: `YYYYMMDD`, `YYYY-MM-DD`, optionally followed by more
/// digits and separators (an hour, `-%s` seconds). Digits only in the key.
fn date_key(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|x| x.iter().all(u8::is_ascii_digit));
    let (date, rest) = if digits(0..4)
        && b.get(4) == Some(&b'-')
        && digits(5..7)
        && b.get(7) == Some(&b'-')
        && digits(8..10)
    {
        (format!("{}{}{}", &s[0..4], &s[5..7], &s[8..10]), &s[10..])
    } else if digits(0..8) {
        (s[0..8].to_string(), &s[8..])
    } else {
        return None;
    };
    let db = date.as_bytes();
    let year_ok = db[0] == b'1' || db[0] == b'2';
    let month = (db[4] - b'0') * 10 + (db[5] - b'0');
    let day = (db[6] - b'0') * 10 + (db[7] - b'0');
    if !year_ok || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    if !rest
        .bytes()
        .all(|c| c.is_ascii_digit() || matches!(c, b'-' | b'_' | b'.' | b':' | b'T'))
    {
        return None;
    }
    let mut key = date;
    key.extend(rest.chars().filter(char::is_ascii_digit));
    Some(key)
}

/// Directory, series, place in the series, then the whole name.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord)]
struct SortKey {
    dir: PathBuf,
    series: String,
    rank: Option<Rank>,
    name: String,
}

fn sort_key(path: &Path) -> SortKey {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let parsed = parse_log_name(strip_compression(&name));
    let (series, rank) = match parsed {
        Some(n) => (n.series, n.rank),
        None => (strip_compression(&name).to_string(), Rank::Current),
    };
    SortKey {
        dir: path.parent().map(Path::to_path_buf).unwrap_or_default(),
        series,
        rank: Some(rank),
        name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log(name: &str) -> bool {
        is_log_name(OsStr::new(name))
    }

    #[test]
    fn log_names_taken() {
        for name in [
            "access.log",
            "error.log.1",
            "error.log.10.gz",
            "error.log.2.zst",
            "error.log.3.bz2",
            "error.log.4.xz",
            "access.log-20240501",
            "access.log-20240501.gz",
            "access.log-2024050114",
            "access.log-20240501-1714521600",
            "access.log.2024-05-01",
            "access.log.2024-05-01.gz",
            "access-20240501.log",
            "access_log",
            "error_log",
            "ssl_error_log",
            "ssl_access_log.1",
            "error_log-20240501",
            "error_log-20240501.gz",
            "php7.4-fpm.log",
            "php-fpm.log.1",
            "php8.2-fpm.log-20240501.gz",
            "php-fpm.log.old",
            "my.site.access.log",
            // CDN and load balancer deliveries.
            "123456789012_elasticloadbalancing_us-east-2_app.my-lb.50dc6c495c0c9188_20140215T2340Z_172.160.001.192_20sl55k9.log.gz",
            "E2K2LNL5N3WR51.2026-11-25-09.a1b2c3d4.gz",
            "20261125T095500Z_20261125T100000Z_5a5ba43b.log.gz",
            "09:00:00_09:59:59_S0.json",
        ] {
            assert!(log(name), "{name} should be taken");
        }
    }

    #[test]
    fn other_names_ignored() {
        for name in [
            "nginx.conf",
            "nginx.pid",
            "labels.json",
            ".error.log.swp",
            "error.log.swp",
            ".access.log",
            "access.log.bak",
            "catalog",
            "changelog",
            "log",
            ".log",
            "README.md",
            "error.log.1.orig",
            "access.log.1234567",
            "wtmp",
            "lastlog",
            "gz",
            "package.json",
            "09:00:00_09:59:59.json",
            "E2K2LNL5N3WR51.2026-13-25-09.a1b2c3d4.gz",
            "e2k2lnl5n3wr51.2026-11-25-09.a1b2c3d4.gz",
        ] {
            assert!(!log(name), "{name} should be ignored");
        }
    }

    #[test]
    fn names_parse_into_series() {
        let p = |s: &str| parse_log_name(strip_compression(s)).unwrap();
        assert_eq!(p("x.log.10.gz").series, "x.log");
        assert_eq!(p("x.log.10.gz").rank, Rank::Numbered(Reverse(10)));
        assert_eq!(p("x.log").rank, Rank::Current);
        assert_eq!(p("x.log-20240501").rank, Rank::Dated("20240501".into()));
        assert_eq!(p("x.log.2024-05-01").rank, Rank::Dated("20240501".into()));
        assert_eq!(p("x-20240501.log").series, "x.log");
        assert_eq!(p("error_log-20240501").series, "error_log");
        assert_eq!(
            p("access.log.20240501").rank,
            Rank::Dated("20240501".into())
        );
    }

    #[test]
    fn rotated_series_ordered_oldest_first() {
        let mut names = vec![
            "d/x.log",
            "d/x.log.1",
            "d/x.log.2.gz",
            "d/x.log.10.gz",
            "d/x.log.3.gz",
            "d/a.log-20240502.gz",
            "d/a.log-20240430",
            "d/a.log",
            "d/a.log-20240501",
            "d/error_log",
            "d/error_log-20231231",
        ];
        names.sort_by_cached_key(|n| sort_key(Path::new(n)));
        assert_eq!(
            names,
            [
                "d/a.log-20240430",
                "d/a.log-20240501",
                "d/a.log-20240502.gz",
                "d/a.log",
                "d/error_log-20231231",
                "d/error_log",
                "d/x.log.10.gz",
                "d/x.log.3.gz",
                "d/x.log.2.gz",
                "d/x.log.1",
                "d/x.log",
            ]
        );
    }

    #[test]
    fn default_locations_under_a_root() {
        let root = tempfile::tempdir().unwrap();
        let var_log = root.path().join("var/log");
        fs::create_dir_all(var_log.join("nginx")).unwrap();
        fs::create_dir_all(var_log.join("httpd")).unwrap();
        fs::create_dir_all(var_log.join("php-fpm")).unwrap();
        fs::write(var_log.join("php8.2-fpm.log"), "").unwrap();
        fs::write(var_log.join("php8.2-fpm.log.1.gz"), "").unwrap();
        fs::write(var_log.join("syslog"), "").unwrap();
        let containers = var_log.join("containers");
        fs::create_dir_all(&containers).unwrap();
        for name in [
            "web-7d9c_default_nginx-0a1b.log",
            "ingress-nginx-controller-5c8d_ingress-nginx_controller-9f8e.log",
            "shop-api-66f_default_api-1c2d.log",
        ] {
            fs::write(containers.join(name), "").unwrap();
        }
        let found = default_locations_in(root.path());
        assert_eq!(
            found,
            [
                var_log.join("nginx"),
                var_log.join("httpd"),
                var_log.join("php8.2-fpm.log.1.gz"),
                var_log.join("php8.2-fpm.log"),
                var_log.join("php-fpm"),
                containers.join("ingress-nginx-controller-5c8d_ingress-nginx_controller-9f8e.log"),
                containers.join("web-7d9c_default_nginx-0a1b.log"),
            ]
        );
        assert!(default_locations_in(&root.path().join("nothing")).is_empty());
    }
}
