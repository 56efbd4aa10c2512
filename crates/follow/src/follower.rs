//! [`Follower`]: which files are followed under which names, and what happened to them.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::fs::{self, File, Metadata};
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use logscan_input::{Compression, Source, discover, is_rotated_name, sniff_compression};
use notify::{EventKind, RecursiveMode, Watcher};

use crate::mounts;
use crate::tail::Tail;

/// How a [`Follower`] watches.
#[derive(Clone, Debug)]
pub struct Options {
    /// Poll instead of using inotify, for every path (inotify is used where it works,
    /// and polling where it does not or the file system is remote, e.g. NFS, without
    /// this).
    pub poll: bool,
    /// How often to look when polling.
    pub poll_interval: Duration,
    /// How long a file that was rotated away or deleted is still read after its last
    /// growth (a server writes to it until it reopens its logs).
    pub grace: Duration,
    /// What a [`Tail`] remembers of a line being written at most (the entry reader's
    /// longest line plus one).
    pub keep: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            poll: false,
            poll_interval: Duration::from_secs(1),
            grace: Duration::from_secs(30),
            keep: (1 << 20) + 1,
        }
    }
}

/// Which file: device and inode. A rename keeps it; a new file under the old name has
/// another.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileKey {
    dev: u64,
    ino: u64,
}

impl FileKey {
    fn of(meta: &Metadata) -> FileKey {
        FileKey {
            dev: meta.dev(),
            ino: meta.ino(),
        }
    }
}

/// Something that happened to the followed files, from [`Follower::poll`].
#[derive(Debug)]
pub enum Change {
    /// A file to read with `tail`, from its start: a file found when following began, a
    /// new file under a followed name (after a rotation, or created again after being
    /// deleted), a new file in a followed directory or matching a followed pattern.
    Opened {
        /// Which file.
        key: FileKey,
        /// Its name.
        path: PathBuf,
        /// Its lines as they are written.
        tail: Tail,
    },
    /// A compressed file found when following began: read it once (compressed files are
    /// not written to; ones that appear later are rotated copies of lines already read,
    /// and are left alone).
    Archive {
        /// Its name.
        path: PathBuf,
    },
    /// The file read under a name is no longer there: renamed (`to`, when it was found in
    /// the same directory), moved away or deleted. Its tail keeps reading until it has been
    /// quiet for the grace time ([`Change::Retired`]).
    Moved {
        /// Which file.
        key: FileKey,
        /// Its new name.
        to: Option<PathBuf>,
    },
    /// A file that was moved away or deleted has not grown for the grace time: read it to
    /// its end ([`Tail::finish`]) and let it go.
    Retired {
        /// Which file.
        key: FileKey,
    },
    /// A followed name cannot be read now. Said once, until it changes.
    Problem {
        /// The name.
        path: PathBuf,
        /// What is wrong.
        problem: Problem,
    },
    /// A followed name that had a problem is read again.
    Recovered {
        /// The name.
        path: PathBuf,
    },
}

/// What is wrong with a followed name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// It was there and is gone (deleted, or moved out of its directory); it is read again
    /// once created.
    Deleted,
    /// It does not exist yet; it is read once created.
    Missing,
    /// It is a directory (or another kind of file that is not a regular file) now.
    NotAFile(&'static str),
    /// It cannot be opened or looked at; the operating system's reason.
    Unreadable(String),
    /// It can never be followed: its directory does not exist. Nothing is watched for it.
    Unfollowable(String),
}

impl Problem {
    /// Whether the name is given up (no use waiting for it).
    pub fn is_fatal(&self) -> bool {
        matches!(self, Problem::Unfollowable(_))
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Deleted => f.write_str("deleted; following it again once it is created"),
            Problem::Missing => f.write_str("does not exist yet; following it once it is created"),
            Problem::NotAFile(kind) => {
                write!(
                    f,
                    "is {kind} now, not a file; following it again once it is a file"
                )
            }
            Problem::Unreadable(reason) => {
                write!(f, "cannot be read: {reason}; trying again as it changes")
            }
            Problem::Unfollowable(reason) => write!(f, "cannot be followed: {reason}"),
        }
    }
}

/// What the user named.
#[derive(Debug)]
enum Spec {
    /// A file (which may not exist yet).
    File(PathBuf),
    /// A directory: log files in it and under it.
    Dir(PathBuf),
    /// A glob pattern.
    Glob(PathBuf),
}

/// A followed name.
#[derive(Debug, Default)]
struct Name {
    /// The file read under it now.
    current: Option<FileKey>,
    /// What was said about it last (said again only once it changed).
    problem: Option<Problem>,
    /// Found in a directory or by a pattern (forgotten once it is gone), not named.
    found: bool,
}

/// A file being read.
#[derive(Debug)]
struct Generation {
    /// For looking at its size after it was moved away.
    probe: File,
    /// The followed name it is under, if any.
    name: Option<PathBuf>,
    /// When it lost its followed name.
    moved: Option<Instant>,
    size: u64,
    grew: Instant,
}

/// Follows files as they are written: the names given (files, directories, glob
/// patterns), through rotations, truncations, deletions and files that appear.
///
/// [`Follower::poll`] looks at every followed name and says what changed; the caller
/// reads the [`Tail`]s it hands out. `wake` is called from a watcher thread whenever
/// something may have changed (inotify), so a caller can sleep until then; where inotify
/// cannot be used (a remote file system, no inotify, or [`Options::poll`]),
/// [`Follower::poll_interval`] says how often to poll instead. Nothing is read here;
/// files are opened read-only and only looked at (`stat`, directory listings).
pub struct Follower {
    specs: Vec<Spec>,
    options: Options,
    names: BTreeMap<PathBuf, Name>,
    generations: HashMap<FileKey, Generation>,
    /// Names that appeared in a followed directory after the start as rotated copies
    /// (`error.log.1` from copytruncate, `error.log.2.gz`): not read.
    ignored: BTreeSet<PathBuf>,
    /// Watcher events say a name appeared or went away: list the directories again.
    rescan: Arc<AtomicBool>,
    started: bool,
    /// Why polling is used, if it is.
    polling: Option<String>,
    last_scan: Option<Instant>,
    /// Kept for its watches (inotify), dropped with the follower.
    _watcher: Option<notify::RecommendedWatcher>,
}

impl fmt::Debug for Follower {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Follower")
            .field("specs", &self.specs)
            .field("names", &self.names.len())
            .field("generations", &self.generations.len())
            .field("polling", &self.polling)
            .finish_non_exhaustive()
    }
}

impl Follower {
    /// Starts watching `paths` (files, directories or glob patterns; not `-`). `wake` is
    /// called from another thread when something under them may have changed.
    pub fn new(
        paths: &[PathBuf],
        options: Options,
        wake: impl Fn() + Send + Sync + 'static,
    ) -> Follower {
        let specs: Vec<Spec> = paths.iter().map(|p| classify(p)).collect();
        let rescan = Arc::new(AtomicBool::new(true));
        let mut polling = options.poll.then(|| "polling was asked for".to_owned());
        let watched: BTreeSet<(PathBuf, bool)> = specs.iter().filter_map(watch_target).collect();
        let mut watcher = None;
        if polling.is_none() && !watched.is_empty() {
            let flag = Arc::clone(&rescan);
            let made = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
                let names_changed = match &event {
                    Ok(event) => {
                        event.need_rescan()
                            || !matches!(
                                event.kind,
                                EventKind::Access(_)
                                    | EventKind::Modify(notify::event::ModifyKind::Data(_))
                            )
                    }
                    Err(_) => true,
                };
                if names_changed {
                    flag.store(true, Ordering::Relaxed);
                }
                wake();
            });
            match made {
                Ok(mut w) => {
                    for (dir, recursive) in &watched {
                        if let Some(fs) = mounts::remote_file_system(dir) {
                            polling = Some(format!("{} is on {fs}", dir.display()));
                        }
                        let mode = if *recursive {
                            RecursiveMode::Recursive
                        } else {
                            RecursiveMode::NonRecursive
                        };
                        if let Err(e) = w.watch(dir, mode) {
                            polling = Some(format!("inotify: {}", notify_reason(&e)));
                        }
                    }
                    watcher = Some(w);
                }
                Err(e) => polling = Some(format!("inotify: {}", notify_reason(&e))),
            }
        }
        Follower {
            specs,
            options,
            names: BTreeMap::new(),
            generations: HashMap::new(),
            ignored: BTreeSet::new(),
            rescan,
            started: false,
            polling,
            last_scan: None,
            _watcher: watcher,
        }
    }

    /// How often to call [`Follower::poll`] when nothing wakes the caller: `Some` when
    /// polling (no inotify for some path), `None` when inotify watches everything.
    pub fn poll_interval(&self) -> Option<Duration> {
        self.polling.as_ref().map(|_| self.options.poll_interval)
    }

    /// Why the follower polls, if it does ("/mnt/logs is on nfs4").
    pub fn polling_reason(&self) -> Option<&str> {
        self.polling.as_deref()
    }

    /// Whether anything can be followed: a name that exists or whose directory does.
    pub fn can_follow(&self) -> bool {
        !self.names.is_empty()
            || self.specs.iter().any(|s| match s {
                Spec::File(p) => parent_of(p).is_dir(),
                Spec::Dir(p) => p.is_dir(),
                Spec::Glob(p) => glob_base(p).is_dir(),
            })
    }

    /// The name a file is read under now.
    pub fn name_of(&self, key: FileKey) -> Option<&Path> {
        self.generations.get(&key).and_then(|g| g.name.as_deref())
    }

    /// Looks at every followed name (and, when names may have come or gone, lists the
    /// followed directories and patterns again) and says what changed. The first call
    /// opens every file there is.
    pub fn poll(&mut self) -> Vec<Change> {
        let mut changes = Vec::new();
        let now = Instant::now();
        let scan_due = self.polling.is_some()
            && self
                .last_scan
                .is_none_or(|t| now.duration_since(t) >= self.options.poll_interval);
        if !self.started || self.rescan.swap(false, Ordering::Relaxed) || scan_due {
            self.scan(&mut changes);
            self.last_scan = Some(now);
        }
        self.started = true;
        let paths: Vec<PathBuf> = self.names.keys().cloned().collect();
        for path in paths {
            self.check(&path, &mut changes);
        }
        self.names.retain(|_, n| !n.found || n.current.is_some());
        self.retire(&mut changes);
        changes
    }

    /// Forgets a file (its tail was dropped).
    pub fn forget(&mut self, key: FileKey) {
        self.generations.remove(&key);
        for name in self.names.values_mut() {
            if name.current == Some(key) {
                name.current = None;
            }
        }
    }

    /// Lists the followed directories and patterns: new names, names gone.
    fn scan(&mut self, changes: &mut Vec<Change>) {
        let first = !self.started;
        let mut found: BTreeSet<PathBuf> = BTreeSet::new();
        for spec in &self.specs {
            match spec {
                Spec::File(path) => {
                    if first {
                        if parent_of(path).is_dir() {
                            self.names.entry(path.clone()).or_default();
                        } else {
                            changes.push(Change::Problem {
                                path: path.clone(),
                                problem: Problem::Unfollowable(format!(
                                    "its directory {} does not exist",
                                    parent_of(path).display()
                                )),
                            });
                        }
                    }
                }
                Spec::Dir(path) | Spec::Glob(path) => {
                    if first
                        && !match spec {
                            Spec::Glob(_) => glob_base(path).is_dir(),
                            _ => path.is_dir(),
                        }
                    {
                        changes.push(Change::Problem {
                            path: path.clone(),
                            problem: Problem::Unfollowable("no such directory".to_owned()),
                        });
                    }
                    for input in discover(std::slice::from_ref(path)).inputs {
                        if let Source::Path(p) = input.source {
                            found.insert(p);
                        }
                    }
                }
            }
        }
        self.ignored.retain(|p| found.contains(p));
        for path in found.iter() {
            if self.names.contains_key(path) || self.ignored.contains(path) {
                continue;
            }
            if first {
                if matches!(sniff_compression(path), Ok(c) if c != Compression::None) {
                    self.ignored.insert(path.clone());
                    changes.push(Change::Archive { path: path.clone() });
                    continue;
                }
            } else {
                // A name that appeared later: a file already read under another name (a
                // rename within the directory), a rotated copy, or a new log.
                let known = fs::metadata(path)
                    .ok()
                    .map(|m| FileKey::of(&m))
                    .filter(|k| self.generations.contains_key(k));
                if known.is_none() && path.file_name().is_some_and(is_rotated_name) {
                    self.ignored.insert(path.clone());
                    continue;
                }
            }
            self.names.insert(
                path.clone(),
                Name {
                    found: true,
                    ..Name::default()
                },
            );
        }
        // Found names that are gone: their files lose the name.
        let gone: Vec<PathBuf> = self
            .names
            .iter()
            .filter(|(p, n)| n.found && !found.contains(*p))
            .map(|(p, _)| p.clone())
            .collect();
        for path in gone {
            if let Some(name) = self.names.remove(&path) {
                if let Some(key) = name.current {
                    self.unname(key, &path, changes);
                }
            }
        }
    }

    /// Looks at one followed name.
    fn check(&mut self, path: &Path, changes: &mut Vec<Change>) {
        let Some(mut name) = self.names.remove(path) else {
            return;
        };
        let problem = match fs::metadata(path) {
            Ok(meta) if meta.is_file() => {
                let key = FileKey::of(&meta);
                if name.current != Some(key) {
                    if let Some(old) = name.current.take() {
                        self.unname(old, path, changes);
                    }
                    if let Some(generation) = self.generations.get_mut(&key) {
                        // A file already read under another name moved here.
                        generation.name = Some(path.to_path_buf());
                        generation.moved = None;
                        name.current = Some(key);
                        None
                    } else {
                        match self.open(key, path) {
                            Ok(tail) => {
                                name.current = Some(key);
                                changes.push(Change::Opened {
                                    key,
                                    path: path.to_path_buf(),
                                    tail,
                                });
                                None
                            }
                            Err(e) => Some(Problem::Unreadable(reason(&e))),
                        }
                    }
                } else {
                    None
                }
            }
            Ok(meta) => {
                if let Some(old) = name.current.take() {
                    self.unname(old, path, changes);
                }
                Some(Problem::NotAFile(if meta.is_dir() {
                    "a directory"
                } else {
                    "a special file"
                }))
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => match name.current.take() {
                Some(old) => {
                    let found_elsewhere = self.unname(old, path, changes);
                    (!found_elsewhere).then_some(Problem::Deleted)
                }
                None if name.problem == Some(Problem::Deleted) => Some(Problem::Deleted),
                None => Some(Problem::Missing),
            },
            Err(e) => Some(Problem::Unreadable(reason(&e))),
        };
        match (&problem, &name.problem) {
            (Some(new), old) if old.as_ref() != Some(new) && !name.found => {
                changes.push(Change::Problem {
                    path: path.to_path_buf(),
                    problem: new.clone(),
                });
            }
            (None, Some(old)) if !matches!(old, Problem::Missing) => {
                changes.push(Change::Recovered {
                    path: path.to_path_buf(),
                });
            }
            _ => {}
        }
        name.problem = problem;
        self.names.insert(path.to_path_buf(), name);
    }

    fn open(&mut self, key: FileKey, path: &Path) -> io::Result<Tail> {
        let file = File::open(path)?;
        let probe = file.try_clone()?;
        let size = probe.metadata()?.len();
        self.generations.insert(
            key,
            Generation {
                probe,
                name: Some(path.to_path_buf()),
                moved: None,
                size,
                grew: Instant::now(),
            },
        );
        Ok(Tail::file(file, 0, self.options.keep))
    }

    /// The file `key` is no longer under `path`. Returns whether it was found under
    /// another name in the same directory (a rename).
    fn unname(&mut self, key: FileKey, path: &Path, changes: &mut Vec<Change>) -> bool {
        let followed_elsewhere = self
            .names
            .iter()
            .find(|(p, n)| n.current == Some(key) && p.as_path() != path)
            .map(|(p, _)| p.clone());
        let Some(generation) = self.generations.get_mut(&key) else {
            return false;
        };
        if let Some(other) = followed_elsewhere {
            generation.name = Some(other.clone());
            changes.push(Change::Moved {
                key,
                to: Some(other),
            });
            return true;
        }
        generation.name = None;
        generation.moved = Some(Instant::now());
        let to = renamed_to(key, parent_of(path));
        let found = to.is_some();
        changes.push(Change::Moved { key, to });
        found
    }

    /// Files without a followed name that stopped growing for the grace time.
    fn retire(&mut self, changes: &mut Vec<Change>) {
        let now = Instant::now();
        let grace = self.options.grace;
        let mut done = Vec::new();
        for (key, generation) in &mut self.generations {
            let Some(moved) = generation.moved else {
                continue;
            };
            let size = generation
                .probe
                .metadata()
                .map_or(generation.size, |m| m.len());
            if size != generation.size {
                generation.size = size;
                generation.grew = now;
            }
            if now.duration_since(moved.max(generation.grew)) >= grace {
                done.push(*key);
            }
        }
        for key in done {
            self.generations.remove(&key);
            changes.push(Change::Retired { key });
        }
    }
}

/// Where a file moved within `dir`, if it is there under another name.
fn renamed_to(key: FileKey, dir: &Path) -> Option<PathBuf> {
    fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .find(|entry| {
            entry
                .metadata()
                .is_ok_and(|m| m.is_file() && FileKey::of(&m) == key)
        })
        .map(|entry| entry.path())
}

fn classify(path: &Path) -> Spec {
    if path.is_dir() {
        Spec::Dir(path.to_path_buf())
    } else if !path.exists() && path.to_string_lossy().contains(['*', '?', '[']) {
        Spec::Glob(path.to_path_buf())
    } else {
        Spec::File(path.to_path_buf())
    }
}

/// The directory to watch for a spec, and whether recursively.
fn watch_target(spec: &Spec) -> Option<(PathBuf, bool)> {
    let (dir, recursive) = match spec {
        Spec::File(p) => (parent_of(p).to_path_buf(), false),
        Spec::Dir(p) => (p.clone(), true),
        Spec::Glob(p) => (glob_base(p), true),
    };
    dir.is_dir().then_some((dir, recursive))
}

fn parent_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// The directories of a pattern before its first wildcard.
fn glob_base(pattern: &Path) -> PathBuf {
    let mut base = PathBuf::new();
    for part in pattern.components() {
        if part.as_os_str().to_string_lossy().contains(['*', '?', '[']) {
            break;
        }
        base.push(part);
    }
    if base.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        base
    }
}

/// The operating system's reason, without Rust's `(os error N)`.
fn reason(e: &io::Error) -> String {
    let text = e.to_string();
    match text.find(" (os error") {
        Some(i) => text[..i].to_owned(),
        None => text,
    }
}

fn notify_reason(e: &notify::Error) -> String {
    match &e.kind {
        notify::ErrorKind::Io(io) => reason(io),
        notify::ErrorKind::MaxFilesWatch => "too many watches (fs.inotify.max_user_watches)".into(),
        other => format!("{other:?}"),
    }
}
