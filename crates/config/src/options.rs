//! How to read: a moved tree, variables, limits.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Settings for reading configuration files. `Options::default()` reads files where their
/// paths say, with no variables defined and generous limits.
#[derive(Clone, Debug)]
pub struct Options {
    rebase: Option<(PathBuf, PathBuf)>,
    pub(crate) env: BTreeMap<String, String>,
    pub(crate) defines: Vec<String>,
    pub(crate) limits: Limits,
}

/// Bounds that keep a hostile or broken tree from taking unbounded time or memory.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    /// Largest file read, in bytes.
    pub file_bytes: u64,
    /// Most files read for one configuration.
    pub files: usize,
    /// Deepest nesting of includes.
    pub include_depth: usize,
    /// Deepest nesting of blocks / sections.
    pub block_depth: usize,
    /// Most directives in the expanded tree of one configuration.
    pub directives: usize,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            rebase: None,
            env: BTreeMap::new(),
            defines: Vec::new(),
            limits: Limits {
                file_bytes: 64 << 20,
                files: 4096,
                include_depth: 32,
                block_depth: 64,
                directives: 1_000_000,
            },
        }
    }
}

impl Options {
    /// Reads a tree that has moved: paths under `original` (as the configuration names
    /// them, e.g. `/etc/nginx`) are read from under `now` (e.g. a copy in a support
    /// bundle). Places keep the original paths, which are what the server uses.
    pub fn rebase(mut self, original: impl Into<PathBuf>, now: impl Into<PathBuf>) -> Options {
        self.rebase = Some((original.into(), now.into()));
        self
    }

    /// Defines `${NAME}` for Apache and PHP-FPM files (Apache's environment, e.g. the
    /// `APACHE_LOG_DIR` of Debian's `envvars`, which is also read by itself when it sits
    /// next to `apache2.conf`).
    pub fn var(mut self, name: impl Into<String>, value: impl Into<String>) -> Options {
        self.env.insert(name.into(), value.into());
        self
    }

    /// An Apache `-D NAME` start-up parameter, for `<IfDefine NAME>`.
    pub fn define(mut self, name: impl Into<String>) -> Options {
        self.defines.push(name.into());
        self
    }

    /// Where a path the configuration names is read from.
    pub(crate) fn disk_path(&self, path: &Path) -> PathBuf {
        match &self.rebase {
            Some((from, to)) => match path.strip_prefix(from) {
                Ok(rest) if rest.as_os_str().is_empty() => to.clone(),
                Ok(rest) => to.join(rest),
                Err(_) => path.to_path_buf(),
            },
            None => path.to_path_buf(),
        }
    }

    /// The path the configuration knows a file by, from where it was read.
    pub(crate) fn config_path(&self, disk: &Path) -> PathBuf {
        match &self.rebase {
            Some((from, to)) => match disk.strip_prefix(to) {
                Ok(rest) if rest.as_os_str().is_empty() => from.clone(),
                Ok(rest) => from.join(rest),
                Err(_) => disk.to_path_buf(),
            },
            None => disk.to_path_buf(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_moved_tree_is_read_from_its_new_place_and_named_by_its_old_one() {
        let o = Options::default().rebase("/tmp/logscan-capture/nginx/x", "fixtures/nginx/x");
        assert_eq!(
            o.disk_path(Path::new(
                "/tmp/logscan-capture/nginx/x/etc/nginx/nginx.conf"
            )),
            Path::new("fixtures/nginx/x/etc/nginx/nginx.conf")
        );
        assert_eq!(
            o.config_path(Path::new("fixtures/nginx/x/etc/nginx/conf.d/a.conf")),
            Path::new("/tmp/logscan-capture/nginx/x/etc/nginx/conf.d/a.conf")
        );
        // Paths outside the original prefix are read where they are.
        assert_eq!(
            o.disk_path(Path::new("/etc/nginx/mime.types")),
            Path::new("/etc/nginx/mime.types")
        );
        // A prefix is matched by whole components only.
        assert_eq!(
            o.disk_path(Path::new("/tmp/logscan-capture/nginx/xy/a")),
            Path::new("/tmp/logscan-capture/nginx/xy/a")
        );
    }
}
