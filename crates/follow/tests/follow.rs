//! The follower over real files: rotations, truncations, deletions, files that appear, and
//! a property test (random appends, partial lines, rotations and truncations: every line
//! written is read exactly once).

use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use logscan_follow::{Change, FileKey, Follower, Options, Problem, Tail, TailState};
use proptest::prelude::*;

fn options() -> Options {
    Options {
        grace: Duration::ZERO,
        poll: true,
        ..Options::default()
    }
}

/// A reader of everything a follower hands out, the way logscan-live reads it.
struct Reader {
    follower: Follower,
    /// Open tails and the bytes each handed out.
    tails: Vec<(Option<FileKey>, Tail, Vec<u8>)>,
    /// Generations read to their end: their bytes.
    done: Vec<Vec<u8>>,
    problems: Vec<(PathBuf, Problem)>,
    moved: Vec<Option<PathBuf>>,
}

impl Reader {
    fn new(paths: &[PathBuf], options: Options) -> Reader {
        Reader {
            follower: Follower::new(paths, options, || {}),
            tails: Vec::new(),
            done: Vec::new(),
            problems: Vec::new(),
            moved: Vec::new(),
        }
    }

    fn round(&mut self) {
        for change in self.follower.poll() {
            match change {
                Change::Opened { key, tail, .. } => self.tails.push((Some(key), tail, Vec::new())),
                Change::Retired { key } => {
                    for (k, tail, _) in &mut self.tails {
                        if *k == Some(key) {
                            tail.finish();
                        }
                    }
                }
                Change::Problem { path, problem } => self.problems.push((path, problem)),
                Change::Moved { to, .. } => self.moved.push(to),
                Change::Archive { .. } | Change::Recovered { .. } => {}
            }
        }
        let mut i = 0;
        while i < self.tails.len() {
            let (key, tail, bytes) = &mut self.tails[i];
            tail.read_to_end(bytes).unwrap();
            match tail.state() {
                TailState::Truncated => {
                    let again = tail.restart().unwrap();
                    let key = *key;
                    let (_, _, bytes) = self.tails.remove(i);
                    self.done.push(bytes);
                    self.tails.push((key, again, Vec::new()));
                }
                TailState::Finishing | TailState::Ended => {
                    let (key, _, bytes) = self.tails.remove(i);
                    if let Some(key) = key {
                        self.follower.forget(key);
                    }
                    self.done.push(bytes);
                }
                TailState::Following => i += 1,
            }
        }
    }

    /// Ends the run: every tail read to its very end.
    fn finish(mut self) -> Vec<Vec<u8>> {
        self.round();
        for (_, mut tail, mut bytes) in self.tails.drain(..) {
            tail.finish();
            tail.read_to_end(&mut bytes).unwrap();
            self.done.push(bytes);
        }
        self.done
    }
}

/// Lines as a log reader counts them: split on `\n`, a last piece without one included.
fn lines(bytes: &[u8]) -> Vec<String> {
    let mut out: Vec<String> = bytes
        .split(|&b| b == b'\n')
        .map(|l| String::from_utf8_lossy(l).into_owned())
        .collect();
    if out.last().is_some_and(String::is_empty) {
        out.pop();
    }
    out
}

fn append(path: &Path) -> File {
    OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .unwrap()
}

#[derive(Clone, Debug)]
enum Op {
    /// Lines written whole.
    Lines(u8),
    /// Part of a line, the rest later.
    Partial,
    /// The follower looks.
    Poll,
    /// logrotate's default: rename, create, the server reopens.
    Rename,
    /// logrotate's copytruncate.
    CopyTruncate,
    /// Deleted and created again.
    Recreate,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (1u8..20).prop_map(Op::Lines),
        2 => Just(Op::Partial),
        3 => Just(Op::Poll),
        1 => Just(Op::Rename),
        1 => Just(Op::CopyTruncate),
        1 => Just(Op::Recreate),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Whatever the order of appends, partial lines, rotations and truncations, every line
    /// is read exactly once, in order, and a line cut by a rotation or truncation is
    /// one line.
    #[test]
    fn every_line_is_read_exactly_once(ops in prop::collection::vec(op(), 1..60)) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.log");
        let mut log = append(&path);
        let mut reader = Reader::new(std::slice::from_ref(&path), options());
        reader.round();
        // What each generation of the file held when it stopped being written.
        let mut generations: Vec<Vec<u8>> = Vec::new();
        let mut current: Vec<u8> = Vec::new();
        let mut next = 0u32;
        let mut partial = false;
        for op in ops {
            match op {
                Op::Lines(n) => {
                    let mut text = String::new();
                    for _ in 0..n {
                        if !partial {
                            text.push_str(&format!("line {next} "));
                            next += 1;
                        }
                        text.push_str("end\n");
                        partial = false;
                    }
                    log.write_all(text.as_bytes()).unwrap();
                    current.extend_from_slice(text.as_bytes());
                }
                Op::Partial => {
                    let text = if partial { "more ".to_owned() } else { format!("line {next} part ") };
                    if !partial {
                        next += 1;
                    }
                    partial = true;
                    log.write_all(text.as_bytes()).unwrap();
                    current.extend_from_slice(text.as_bytes());
                }
                Op::Poll => reader.round(),
                Op::Rename | Op::CopyTruncate | Op::Recreate => {
                    // The follower has seen the file (a file created and gone between two
                    // looks is never seen by anyone).
                    reader.round();
                    match op {
                        Op::Rename => {
                            fs::rename(&path, dir.path().join("app.log.1")).unwrap();
                            log = append(&path);
                        }
                        Op::CopyTruncate => {
                            fs::copy(&path, dir.path().join("app.log.1")).unwrap();
                            log.set_len(0).unwrap();
                        }
                        _ => {
                            fs::remove_file(&path).unwrap();
                            log = append(&path);
                        }
                    }
                    generations.push(std::mem::take(&mut current));
                    partial = false;
                }
            }
        }
        generations.push(current);
        let read = reader.finish();
        let mut expected: Vec<String> = generations.iter().flat_map(|g| lines(g)).collect();
        let mut got: Vec<String> = read.iter().flat_map(|g| lines(g)).collect();
        // Each generation is read in order; generations may finish in another order.
        expected.sort();
        got.sort();
        prop_assert_eq!(got, expected);
    }
}

#[test]
fn a_directory_follows_new_logs_but_not_rotated_copies() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("error.log"), "a\n").unwrap();
    let mut gz = Vec::new();
    {
        // Not real gzip: only the magic bytes matter to be taken as an archive.
        gz.extend_from_slice(&[0x1f, 0x8b, 8, 0]);
    }
    fs::write(dir.path().join("error.log.2.gz"), &gz).unwrap();
    let mut follower = Follower::new(&[dir.path().to_path_buf()], options(), || {});
    let first = follower.poll();
    let archives = first
        .iter()
        .filter(|c| matches!(c, Change::Archive { .. }))
        .count();
    let opened: Vec<&PathBuf> = first
        .iter()
        .filter_map(|c| match c {
            Change::Opened { path, .. } => Some(path),
            _ => None,
        })
        .collect();
    assert_eq!(archives, 1);
    assert_eq!(opened, [&dir.path().join("error.log")]);
    // A new log appears; so does a rotated copy and a compressed rotation.
    fs::write(dir.path().join("shop.access.log"), "b\n").unwrap();
    fs::write(dir.path().join("error.log.1"), "a\n").unwrap();
    fs::write(dir.path().join("error.log.3.gz"), &gz).unwrap();
    let later = follower.poll();
    let opened: Vec<&PathBuf> = later
        .iter()
        .filter_map(|c| match c {
            Change::Opened { path, .. } => Some(path),
            _ => None,
        })
        .collect();
    assert_eq!(opened, [&dir.path().join("shop.access.log")], "{later:?}");
    assert!(!later.iter().any(|c| matches!(c, Change::Archive { .. })));
}

#[test]
fn a_rename_within_a_followed_directory_keeps_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("error.log");
    fs::write(&path, "a\n").unwrap();
    let mut reader = Reader::new(&[dir.path().to_path_buf()], options());
    reader.round();
    fs::rename(&path, dir.path().join("error.log.1")).unwrap();
    fs::write(&path, "b\n").unwrap();
    reader.round();
    assert_eq!(reader.moved, [Some(dir.path().join("error.log.1"))]);
    // Still followed under its new name: late lines from the server are read.
    append(&dir.path().join("error.log.1"))
        .write_all(b"late\n")
        .unwrap();
    reader.round();
    let mut all: Vec<String> = reader.finish().iter().flat_map(|g| lines(g)).collect();
    all.sort();
    assert_eq!(all, ["a", "b", "late"]);
}

#[test]
fn problems_are_said_once_each() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("error.log");
    fs::write(&path, "a\n").unwrap();
    let missing_dir = dir.path().join("nope/error.log");
    let mut reader = Reader::new(&[path.clone(), missing_dir.clone()], options());
    reader.round();
    assert!(reader.follower.can_follow());
    assert_eq!(reader.problems.len(), 1);
    assert!(reader.problems[0].1.is_fatal());
    // Deleted: said once, however often it is looked at.
    fs::remove_file(&path).unwrap();
    reader.round();
    reader.round();
    // Replaced by a directory.
    fs::create_dir(&path).unwrap();
    reader.round();
    reader.round();
    // A file again.
    fs::remove_dir(&path).unwrap();
    fs::write(&path, "b\n").unwrap();
    reader.round();
    let said: Vec<(String, Problem)> = reader.problems[1..]
        .iter()
        .map(|(p, pr)| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                pr.clone(),
            )
        })
        .collect();
    assert_eq!(
        said,
        [
            ("error.log".to_owned(), Problem::Deleted),
            ("error.log".to_owned(), Problem::NotAFile("a directory")),
        ]
    );
    assert_eq!(
        Problem::Deleted.to_string(),
        "deleted; following it again once it is created"
    );
    let all: Vec<String> = reader.finish().iter().flat_map(|g| lines(g)).collect();
    assert_eq!(all.len(), 2);
}

#[test]
fn nothing_can_be_followed_without_a_directory() {
    let follower = Follower::new(&[PathBuf::from("/nonexistent/dir/x.log")], options(), || {});
    assert!(!follower.can_follow());
}

#[test]
fn inotify_wakes_the_caller_when_a_line_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("error.log");
    fs::write(&path, "").unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let tx = std::sync::Mutex::new(tx);
    let mut follower = Follower::new(std::slice::from_ref(&path), Options::default(), move || {
        let _ = tx.lock().unwrap().send(());
    });
    if let Some(reason) = follower.polling_reason() {
        eprintln!("SKIPPED: no inotify here ({reason})");
        return;
    }
    assert_eq!(follower.poll_interval(), None);
    let mut tails: HashMap<u8, Tail> = HashMap::new();
    for change in follower.poll() {
        if let Change::Opened { tail, .. } = change {
            tails.insert(0, tail);
        }
    }
    while rx.try_recv().is_ok() {}
    append(&path).write_all(b"hello\n").unwrap();
    rx.recv_timeout(Duration::from_secs(5))
        .expect("a wake-up within 5 s of the write");
    let mut text = String::new();
    tails
        .get_mut(&0)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    assert_eq!(text, "hello\n");
}
