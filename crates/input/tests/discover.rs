//! Discovery: directory selection, rotated order, globs, stdin, and inputs that cannot be read.
//!
//! Permission errors need a non-root user (root reads any file whatever its mode), so the
//! test for them is `#[ignore]`d. Run it as a normal user, or as root with the test binary
//! dropped to `nobody`: `setpriv --reuid=65534 --regid=65534 --clear-groups
//! target/debug/deps/discover-HASH --ignored` (the target directory must be readable).

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

use std::fs;
use std::io::Read;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::Command;

use logscan_input::{Discovery, Input, Source, discover, open};

fn touch(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).unwrap();
    }
    fs::write(&path, name.as_bytes()).unwrap();
    path
}

/// Display names relative to `root`.
fn names(found: &Discovery, root: &Path) -> Vec<String> {
    let prefix = format!("{}/", root.display());
    found
        .inputs
        .iter()
        .map(|i| {
            i.display
                .strip_prefix(&prefix)
                .unwrap_or(&i.display)
                .to_string()
        })
        .collect()
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(status.success());
}

#[test]
fn directory_search_takes_log_files_in_rotation_order() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for name in [
        "nginx/access.log",
        "nginx/access.log.1",
        "nginx/access.log.2.gz",
        "nginx/access.log.10.gz",
        "nginx/access.log.3.zst",
        "nginx/error.log",
        "nginx/error.log-20240502.xz",
        "nginx/error.log-20240430.bz2",
        "nginx/error.log-20240501",
        "nginx/nginx.pid",
        "nginx/nginx.conf",
        "nginx/.error.log.swp",
        "nginx/error.log.swp",
        "nginx/labels.json",
        "httpd/access_log",
        "httpd/error_log",
        "httpd/error_log-20240501.gz",
        "httpd/ssl_error_log",
        "httpd/ssl_error_log.1",
        "httpd/README",
        "php7.4-fpm.log",
        "php7.4-fpm.log.1",
        "php-fpm/www-error.log",
        ".hidden/secret.log",
    ] {
        touch(root, name);
    }
    let found = discover(&[root.to_path_buf()]);
    assert!(found.problems.is_empty(), "{:?}", found.problems);
    assert_eq!(found.searched, [root.to_path_buf()]);
    assert_eq!(
        names(&found, root),
        [
            "php7.4-fpm.log.1",
            "php7.4-fpm.log",
            "httpd/access_log",
            "httpd/error_log-20240501.gz",
            "httpd/error_log",
            "httpd/ssl_error_log.1",
            "httpd/ssl_error_log",
            "nginx/access.log.10.gz",
            "nginx/access.log.3.zst",
            "nginx/access.log.2.gz",
            "nginx/access.log.1",
            "nginx/access.log",
            "nginx/error.log-20240430.bz2",
            "nginx/error.log-20240501",
            "nginx/error.log-20240502.xz",
            "nginx/error.log",
            "php-fpm/www-error.log",
        ]
    );
    // Deterministic, and sizes are known for regular files.
    assert_eq!(discover(&[root.to_path_buf()]), found);
    for input in &found.inputs {
        let Source::Path(p) = &input.source else {
            panic!()
        };
        assert_eq!(input.size, Some(fs::metadata(p).unwrap().len()));
        assert_eq!(input.display, p.to_string_lossy());
    }
}

#[test]
fn explicit_files_are_always_taken_and_listed_once() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let conf = touch(root, "odd-name.txt");
    let log = touch(root, "a/error.log");
    let found = discover(&[
        root.join("a"),
        conf.clone(),
        log.clone(),
        PathBuf::from("-"),
        root.join("a/../a/error.log"),
    ]);
    assert!(found.problems.is_empty(), "{:?}", found.problems);
    assert_eq!(found.inputs[0], Input::stdin());
    // Files of a directory come before those of its subdirectories.
    assert_eq!(
        names(&found, root),
        ["<stdin>", "odd-name.txt", "a/error.log"]
    );
}

#[test]
fn stdin_given_twice_is_read_once() {
    let found = discover(&[PathBuf::from("-"), PathBuf::from("-")]);
    assert_eq!(found.inputs, [Input::stdin()]);
    assert_eq!(found.problems.len(), 1);
    assert!(!found.problems[0].fatal);
}

#[test]
fn glob_patterns_that_do_not_exist_literally_are_expanded() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for name in [
        "access.log",
        "access.log.1",
        "access.log.2.gz",
        "error.log",
        ".access.log.swp",
    ] {
        touch(root, name);
    }
    let pattern = root.join("access.log*");
    let found = discover(std::slice::from_ref(&pattern));
    assert!(found.problems.is_empty(), "{:?}", found.problems);
    assert_eq!(found.searched, [pattern]);
    assert_eq!(
        names(&found, root),
        ["access.log.2.gz", "access.log.1", "access.log"]
    );

    let nothing = root.join("nope*.log");
    let found = discover(&[nothing.clone(), root.join("error.log")]);
    assert_eq!(names(&found, root), ["error.log"]);
    assert_eq!(found.problems.len(), 1);
    assert!(found.problems[0].fatal);
    assert_eq!(found.problems[0].path, nothing.to_string_lossy());
}

#[test]
fn a_glob_character_in_an_existing_name_is_literal() {
    let dir = tempfile::tempdir().unwrap();
    let odd = touch(dir.path(), "we[ir]d*.log");
    touch(dir.path(), "wid.log");
    let found = discover(std::slice::from_ref(&odd));
    assert!(found.problems.is_empty());
    assert_eq!(names(&found, dir.path()), ["we[ir]d*.log"]);
    assert!(found.searched.is_empty());
}

#[test]
fn missing_paths_are_fatal_and_the_rest_is_still_listed() {
    let dir = tempfile::tempdir().unwrap();
    let log = touch(dir.path(), "error.log");
    let missing = dir.path().join("missing.log");
    let found = discover(&[missing.clone(), log]);
    assert_eq!(names(&found, dir.path()), ["error.log"]);
    assert_eq!(found.problems.len(), 1);
    let p = &found.problems[0];
    assert!(p.fatal && found.has_fatal());
    assert_eq!(p.path, missing.to_string_lossy());
    assert_eq!(p.reason, "No such file or directory");
    assert_eq!(
        p.to_string(),
        format!("{}: No such file or directory", missing.display())
    );
}

#[test]
fn a_path_through_a_file_is_not_a_directory() {
    let dir = tempfile::tempdir().unwrap();
    let log = touch(dir.path(), "error.log");
    let found = discover(&[log.join("x.log")]);
    assert!(found.inputs.is_empty());
    assert!(found.problems[0].fatal);
    assert_eq!(found.problems[0].reason, "Not a directory");
}

#[test]
fn dangling_symlinks() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    touch(root, "logs/error.log");
    symlink(root.join("gone.log"), root.join("logs/access.log")).unwrap();
    symlink(root.join("gone.conf"), root.join("logs/site.conf")).unwrap();

    // Given explicitly: fatal, naming the target.
    let found = discover(&[root.join("logs/access.log")]);
    assert!(found.inputs.is_empty());
    assert!(found.problems[0].fatal);
    assert!(
        found.problems[0].reason.starts_with("dangling symlink to "),
        "{}",
        found.problems[0]
    );

    // Met in a directory: a log name is fatal, anything else is ignored.
    let found = discover(&[root.join("logs")]);
    assert_eq!(names(&found, root), ["logs/error.log"]);
    assert_eq!(found.problems.len(), 1, "{:?}", found.problems);
    assert!(found.problems[0].fatal);
    assert_eq!(
        found.problems[0].path,
        root.join("logs/access.log").to_string_lossy()
    );
    assert!(
        found.problems[0]
            .reason
            .contains("No such file or directory")
    );
}

#[test]
fn symlink_loops_are_a_note_and_the_search_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    touch(root, "logs/error.log");
    touch(root, "logs/sub/access.log");
    symlink(root.join("logs"), root.join("logs/sub/loop")).unwrap();
    // Followed symlinks to files and directories are fine; the same file is listed once.
    symlink(root.join("logs/error.log"), root.join("logs/current.log")).unwrap();

    let found = discover(&[root.join("logs")]);
    assert_eq!(
        names(&found, root),
        ["logs/error.log", "logs/sub/access.log"]
    );
    assert_eq!(found.problems.len(), 1, "{:?}", found.problems);
    let p = &found.problems[0];
    assert!(!p.fatal);
    assert!(p.reason.contains("symlink loop"), "{p}");
    assert_eq!(p.path, root.join("logs/sub/loop").to_string_lossy());
}

#[test]
fn fifos_named_are_streams_and_skipped_in_directories() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("live.log");
    mkfifo(&fifo);
    touch(dir.path(), "error.log");

    // In a directory search: skipped with a note (opening it could block forever).
    let found = discover(&[dir.path().to_path_buf()]);
    assert_eq!(names(&found, dir.path()), ["error.log"]);
    assert_eq!(found.problems.len(), 1);
    assert!(!found.problems[0].fatal);
    assert_eq!(found.problems[0].path, fifo.to_string_lossy());

    // Named: taken, without a size, and readable (compressed data detected by magic).
    let found = discover(std::slice::from_ref(&fifo));
    assert!(found.problems.is_empty());
    assert_eq!(found.inputs, [Input::file(&fifo, None)]);
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let mut gz = flate2::write::GzEncoder::new(
                fs::File::create(fifo).unwrap(),
                flate2::Compression::fast(),
            );
            for i in 0..1000 {
                std::io::Write::write_all(&mut gz, format!("line {i}\n").as_bytes()).unwrap();
            }
            gz.finish().unwrap();
        })
    };
    let mut opened = open(&found.inputs[0], None).unwrap();
    assert_eq!(opened.compression, logscan_input::Compression::Gzip);
    let mut text = String::new();
    opened.reader.read_to_string(&mut text).unwrap();
    writer.join().unwrap();
    assert_eq!(text.lines().count(), 1000);
    assert!(text.ends_with("line 999\n"));
}

#[test]
fn a_directory_where_a_file_is_expected() {
    let dir = tempfile::tempdir().unwrap();
    let err = open(&Input::file(dir.path(), None), None).unwrap_err();
    assert!(err.fatal);
    assert_eq!(err.path, dir.path().to_string_lossy());
    assert!(err.reason.contains("directory"));
}

#[test]
fn special_files_given_explicitly() {
    // A character device is a stream without a size, like a FIFO.
    let found = discover(&[PathBuf::from("/dev/null")]);
    assert!(found.problems.is_empty());
    assert_eq!(found.inputs, [Input::file("/dev/null", None)]);
    let mut opened = open(&found.inputs[0], None).unwrap();
    let mut buf = Vec::new();
    assert_eq!(opened.reader.read_to_end(&mut buf).unwrap(), 0);
}

#[test]
#[ignore = "needs a non-root user: root opens files whatever their mode"]
fn unreadable_files_and_directories_are_fatal() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let secret = touch(root, "logs/secret.log");
    touch(root, "logs/closed/inner.log");
    touch(root, "logs/open.log");
    fs::set_permissions(&secret, fs::Permissions::from_mode(0o000)).unwrap();
    fs::set_permissions(root.join("logs/closed"), fs::Permissions::from_mode(0o000)).unwrap();
    if fs::File::open(&secret).is_ok() {
        eprintln!("skipped: this user reads files with mode 000 (root?)");
        return;
    }
    let found = discover(&[root.join("logs"), secret.clone()]);
    assert_eq!(names(&found, root), ["logs/open.log"]);
    let fatal: Vec<_> = found.problems.iter().filter(|p| p.fatal).collect();
    assert!(
        fatal
            .iter()
            .any(|p| p.path == secret.to_string_lossy() && p.reason == "Permission denied")
    );
    assert!(
        fatal
            .iter()
            .any(|p| p.path.ends_with("logs/closed") && p.reason.contains("Permission denied"))
    );
    fs::set_permissions(root.join("logs/closed"), fs::Permissions::from_mode(0o755)).unwrap();
}
