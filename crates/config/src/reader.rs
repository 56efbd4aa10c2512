//! What the three readers share: reading a main file and its includes from disk or from
//! memory, and the files, the main path, the effective tree and the warnings they keep.
//! One definition for all, so that they cannot drift apart.

/// The shared constructors and accessors of a configuration type with fields `files`
/// (each with a `path`), `tree` and `warnings`, whose module has a
/// `load(&Files, main, options)`. `accessors` alone gives the accessors (nginx's loader
/// takes more).
macro_rules! shared_reader {
    ($config:ident, $main:literal) => {
        impl $config {
            #[doc = concat!("Reads ", $main, " (or any main file) and what it includes from disk.")]
            /// Fails only when the main file cannot be read; every other problem is a
            /// warning.
            pub fn read(path: &Path, options: &Options) -> Result<$config, Warning> {
                load(&Files::Disk(options), &options.config_path(path), options)
            }

            /// Reads a configuration held in memory: `files` by the paths the server
            /// knows them by, `main` among them. Nothing is read from disk.
            pub fn from_memory(
                files: BTreeMap<PathBuf, Vec<u8>>,
                main: &Path,
                options: &Options,
            ) -> Result<$config, Warning> {
                load(&Files::Memory(files), main, options)
            }
        }
        $crate::reader::shared_reader!(accessors $config);
    };
    (accessors $config:ident) => {
        impl $config {
            /// The files read, the main file first, in the order the server reads them.
            pub fn files(&self) -> &[File] {
                &self.files
            }

            /// The main file's path.
            pub fn main_path(&self) -> &Path {
                self.files
                    .first()
                    .map(|f| f.path.as_path())
                    .unwrap_or(Path::new(""))
            }

            /// The effective tree: the main context ([`BlockId::MAIN`]) and its blocks,
            /// includes spliced in and conditions decided.
            pub fn tree(&self) -> &Tree {
                &self.tree
            }

            /// What was met while reading (syntax errors, unreadable includes, cycles, ...).
            pub fn warnings(&self) -> &[Warning] {
                &self.warnings
            }
        }
    };
}

pub(crate) use shared_reader;
