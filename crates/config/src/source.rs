//! Reading files for the grammars: from disk (through a rebase), or from memory (the files
//! of an `nginx -T` dump, tests, fuzzing). Globs, limits, and text that is not UTF-8.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::options::Options;
use crate::place::Warning;

/// Where the files of one configuration come from.
#[derive(Debug)]
pub(crate) enum Files<'o> {
    /// The file system, paths mapped through the options' rebase.
    Disk(&'o Options),
    /// A fixed set of files by the paths the configuration knows them by.
    Memory(BTreeMap<PathBuf, Vec<u8>>),
}

/// A file's text, decoded.
#[derive(Debug)]
pub(crate) struct Text {
    pub text: String,
    /// A warning about the bytes (not UTF-8), with the first line where it matters.
    pub warning: Option<Warning>,
}

impl Files<'_> {
    /// Reads a file by the path the configuration knows it by. The error says why, in
    /// words (`No such file or directory`, `Permission denied`, `is a directory`, ...).
    pub fn read(&self, path: &Path, max_bytes: u64) -> Result<Text, String> {
        let bytes = match self {
            Files::Disk(options) => read_disk(&options.disk_path(path), max_bytes)?,
            Files::Memory(files) => match files.get(path) {
                Some(bytes) if bytes.len() as u64 > max_bytes => {
                    return Err(format!("larger than {max_bytes} bytes: not read"));
                }
                Some(bytes) => bytes.clone(),
                None => return Err("not in the saved configuration".into()),
            },
        };
        Ok(decode(path, bytes))
    }

    /// The files a glob pattern names, sorted like glob(3) does (byte order), with a
    /// leading dot matched only by a literal dot. Paths are as the configuration knows them.
    pub fn glob(&self, pattern: &Path) -> Result<Vec<PathBuf>, String> {
        let options = glob::MatchOptions {
            case_sensitive: true,
            require_literal_separator: true,
            require_literal_leading_dot: true,
        };
        match self {
            Files::Disk(opts) => {
                let disk = opts.disk_path(pattern);
                let text = disk
                    .to_str()
                    .ok_or_else(|| "the pattern is not valid UTF-8".to_string())?;
                let paths = glob::glob_with(text, options).map_err(|e| e.to_string())?;
                let mut out: Vec<PathBuf> = paths
                    .filter_map(Result::ok)
                    .filter(|p| !p.is_dir())
                    .map(|p| opts.config_path(&p))
                    .collect();
                out.sort();
                Ok(out)
            }
            Files::Memory(files) => {
                let text = pattern
                    .to_str()
                    .ok_or_else(|| "the pattern is not valid UTF-8".to_string())?;
                let pattern = glob::Pattern::new(text).map_err(|e| e.to_string())?;
                Ok(files
                    .keys()
                    .filter(|p| pattern.matches_path_with(p, options))
                    .cloned()
                    .collect())
            }
        }
    }

    /// Whether a path is a directory (Apache includes whole directories).
    pub fn is_dir(&self, path: &Path) -> bool {
        match self {
            Files::Disk(opts) => opts.disk_path(path).is_dir(),
            Files::Memory(files) => files
                .keys()
                .any(|p| p.starts_with(path) && p.as_path() != path),
        }
    }

    /// The files under a directory, recursively, sorted (Apache's `Include dir/`).
    pub fn files_under(&self, dir: &Path, max: usize) -> Vec<PathBuf> {
        match self {
            Files::Disk(opts) => {
                let mut out = Vec::new();
                let mut stack = vec![opts.disk_path(dir)];
                while let Some(d) = stack.pop() {
                    let Ok(entries) = std::fs::read_dir(&d) else {
                        continue;
                    };
                    for entry in entries.flatten() {
                        if out.len() >= max {
                            break;
                        }
                        let path = entry.path();
                        match entry.file_type() {
                            Ok(t) if t.is_dir() => stack.push(path),
                            Ok(_) => out.push(opts.config_path(&path)),
                            Err(_) => {}
                        }
                    }
                }
                out.sort();
                out
            }
            Files::Memory(files) => files
                .keys()
                .filter(|p| p.starts_with(dir) && p.as_path() != dir)
                .take(max)
                .cloned()
                .collect(),
        }
    }
}

fn read_disk(path: &Path, max_bytes: u64) -> Result<Vec<u8>, String> {
    // Look before opening: opening a FIFO would wait for a writer.
    let meta = std::fs::metadata(path).map_err(|e| io_reason(&e))?;
    if meta.is_dir() {
        return Err("is a directory".into());
    }
    if !meta.is_file() {
        return Err("not a regular file".into());
    }
    // Refuse a file known to be too large without reading it (it may still grow while
    // read: the `take` below bounds that).
    if meta.len() > max_bytes {
        return Err(format!("larger than {max_bytes} bytes: not read"));
    }
    let file = std::fs::File::open(path).map_err(|e| io_reason(&e))?;
    let mut bytes = Vec::new();
    file.take(max_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| io_reason(&e))?;
    if bytes.len() as u64 > max_bytes {
        return Err(format!("larger than {max_bytes} bytes: not read"));
    }
    Ok(bytes)
}

/// An I/O error in words, without Rust's `(os error N)`.
pub(crate) fn io_reason(e: &std::io::Error) -> String {
    let text = e.to_string();
    match text.find(" (os error") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

/// Bytes to text: invalid UTF-8 sequences become U+FFFD and the first one is reported with
/// its line, so a file with a stray Latin-1 byte is still read.
pub(crate) fn decode(path: &Path, bytes: Vec<u8>) -> Text {
    match String::from_utf8(bytes) {
        Ok(text) => Text {
            text,
            warning: None,
        },
        Err(e) => {
            let bad_at = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            let line = 1 + memchr::memchr_iter(b'\n', &bytes[..bad_at]).count();
            Text {
                text: String::from_utf8_lossy(&bytes).into_owned(),
                warning: Some(Warning::at(
                    path,
                    u32::try_from(line).unwrap_or(u32::MAX),
                    "bytes that are not UTF-8 (read as U+FFFD)",
                )),
            }
        }
    }
}

/// Whether a path holds glob(3) magic characters.
pub(crate) fn has_magic(path: &str) -> bool {
    path.contains(['*', '?', '['])
}

/// 1-based line count of the newlines in `text`, saturating.
pub(crate) fn newlines(text: &str) -> u32 {
    u32::try_from(memchr::memchr_iter(b'\n', text.as_bytes()).count()).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_utf8_is_read_and_its_line_reported() {
        let t = decode(Path::new("x.conf"), b"a;\nb \xff;\n".to_vec());
        assert_eq!(t.text, "a;\nb \u{fffd};\n");
        let w = t.warning.unwrap();
        assert_eq!(w.line, Some(2));
    }

    #[test]
    fn memory_globs_match_like_glob3() {
        let mut files = BTreeMap::new();
        for p in [
            "/e/conf.d/b.conf",
            "/e/conf.d/a.conf",
            "/e/conf.d/.hidden.conf",
            "/e/conf.d/sub/c.conf",
        ] {
            files.insert(PathBuf::from(p), Vec::new());
        }
        let files = Files::Memory(files);
        assert_eq!(
            files.glob(Path::new("/e/conf.d/*.conf")).unwrap(),
            [
                PathBuf::from("/e/conf.d/a.conf"),
                PathBuf::from("/e/conf.d/b.conf")
            ]
        );
        assert!(files.is_dir(Path::new("/e/conf.d")));
        assert_eq!(files.files_under(Path::new("/e/conf.d"), 10).len(), 4);
    }

    #[test]
    fn disk_errors_are_words() {
        let dir = tempfile::tempdir().unwrap();
        let opts = Options::default();
        let files = Files::Disk(&opts);
        let missing = files.read(&dir.path().join("nope"), 100).unwrap_err();
        assert_eq!(missing, "No such file or directory");
        assert_eq!(files.read(dir.path(), 100).unwrap_err(), "is a directory");
        std::fs::write(dir.path().join("big"), vec![b'a'; 101]).unwrap();
        // A FIFO is refused without being opened (opening would wait for a writer).
        let fifo = dir.path().join("fifo");
        assert!(
            std::process::Command::new("mkfifo")
                .arg(&fifo)
                .status()
                .unwrap()
                .success()
        );
        assert_eq!(files.read(&fifo, 100).unwrap_err(), "not a regular file");
        assert!(
            files
                .read(&dir.path().join("big"), 100)
                .unwrap_err()
                .contains("larger")
        );
    }
}
