//! Broken and hostile configurations: include cycles and chains, globs that match nothing,
//! files that cannot be read, unterminated quotes and blocks, 10 MB lines, bytes that are
//! not UTF-8, terminal escapes, floods of errors, include trees that blow up. Every reader
//! returns what it could read, with warnings that name the file and line and carry no raw
//! control character, and never panics or hangs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use logscan_config::{
    ApacheConfig, BlockId, Configs, FpmConfig, Kind, NginxConfig, Options, Severity, Warning,
};

/// What the three readers are asked here: read from memory or disk with the default
/// options, and what they met.
trait Reader: Sized {
    fn from_memory(
        files: BTreeMap<PathBuf, Vec<u8>>,
        main: &Path,
        options: &Options,
    ) -> Result<Self, Warning>;
    fn read(path: &Path, options: &Options) -> Result<Self, Warning>;
    fn warnings(&self) -> &[Warning];
}

macro_rules! reader {
    ($($config:ident),*) => {$(
        impl Reader for $config {
            fn from_memory(
                files: BTreeMap<PathBuf, Vec<u8>>,
                main: &Path,
                options: &Options,
            ) -> Result<Self, Warning> {
                $config::from_memory(files, main, options)
            }
            fn read(path: &Path, options: &Options) -> Result<Self, Warning> {
                $config::read(path, options)
            }
            fn warnings(&self) -> &[Warning] {
                $config::warnings(self)
            }
        }
    )*};
}
reader!(NginxConfig, ApacheConfig, FpmConfig);

/// `files` (path, contents) held in memory, read from `main`.
fn in_memory<C: Reader>(files: &[(String, Vec<u8>)], main: &str) -> C {
    let files = files
        .iter()
        .map(|(p, t)| (PathBuf::from(p), t.clone()))
        .collect();
    C::from_memory(files, Path::new(main), &Options::default()).unwrap()
}

/// `path` read from disk.
fn on_disk<C: Reader>(path: &Path) -> C {
    C::read(path, &Options::default()).unwrap()
}

/// One file in memory; its warnings must be clean.
fn one_file<C: Reader>(main: &str, text: &[u8]) -> C {
    let c: C = in_memory(&[(main.to_owned(), text.to_vec())], main);
    clean(c.warnings());
    c
}

fn clean(warnings: &[Warning]) {
    for w in warnings {
        assert!(
            !w.message.chars().any(char::is_control),
            "raw control character in {w:?}"
        );
        assert!(w.message.len() < 400, "{w:?}");
    }
}

const MB10: usize = 10 << 20;

fn nginx(text: &[u8]) -> NginxConfig {
    one_file("/e/nginx.conf", text)
}

fn apache(text: &[u8]) -> ApacheConfig {
    one_file("/e/httpd.conf", text)
}

fn fpm(text: &[u8]) -> FpmConfig {
    one_file("/e/php-fpm.conf", text)
}

#[test]
fn ten_megabyte_lines() {
    // One huge word, one huge quoted string, one never closed.
    let mut word = b"http { proxy_pass ".to_vec();
    word.extend(std::iter::repeat_n(b'a', MB10));
    word.extend_from_slice(b"; }\n");
    let c = nginx(&word);
    let http = c.blocks_named("http").next().unwrap();
    assert_eq!(c.tree().block(http).settings[0].args[0].len(), MB10);

    let mut open = b"a \"".to_vec();
    open.extend(std::iter::repeat_n(b'x', MB10));
    let c = nginx(&open);
    assert!(
        c.warnings()[0].message.contains("never closed"),
        "{:?}",
        c.warnings()
    );

    // Ten million braces, semicolons, closing braces: bounded depth and bounded warnings.
    for filler in [b'{', b';', b'}'] {
        let c = nginx(&vec![filler; MB10]);
        assert!(c.warnings().len() <= 102, "{} warnings", c.warnings().len());
    }
    // Ten megabytes of one-letter words: the word budget stops it.
    let c = nginx(&b"a ".repeat(MB10 / 2));
    assert!(
        c.warnings().iter().any(|w| w.message.contains("words")),
        "{:?}",
        c.warnings()
    );

    let mut line = b"ProxyPass / ".to_vec();
    line.extend(std::iter::repeat_n(b'b', MB10));
    apache(&line);
    apache(&b"${X}".repeat(MB10 / 4));
    apache(&b"<a\n".repeat(MB10 / 3));
    apache(&b"x \\\n".repeat(MB10 / 4));

    let mut value = b"[www]\nlisten = ".to_vec();
    value.extend(std::iter::repeat_n(b'/', MB10));
    let c = fpm(&value);
    let pool = c.pool("www").unwrap();
    assert_eq!(c.listen(pool).unwrap().1.args[0].len(), MB10);
    let c = fpm(&b"junk\n".repeat(MB10 / 5));
    assert!(c.warnings().len() <= 101, "{} warnings", c.warnings().len());
}

#[test]
fn terminal_escapes_and_invalid_utf8_in_messages_are_escaped() {
    let nasty = b"\x1b[2J\x1b]0;pwned\x07 \xff\xfe \xe2\x80\xae }\n\"\x1b[31m";
    let c = nginx(nasty);
    assert!(!c.warnings().is_empty());
    assert!(
        c.warnings()
            .iter()
            .any(|w| w.message.contains("not UTF-8") && w.line == Some(1))
    );
    let c = apache(b"</\x1b[31mVirtualHost>\nX ${\x1b[2J}\n");
    assert!(
        c.warnings().iter().any(|w| w.message.contains("\\u{1b}")),
        "{:?}",
        c.warnings()
    );
    fpm(b"[\x1b[2J\n\x9b\x1b = \"\x1b\n");
}

#[test]
fn include_chains_cycles_and_blowups_are_bounded() {
    // A chain of 100 files, each including the next: the include depth stops it.
    let mut files: Vec<(String, Vec<u8>)> = (0..100)
        .map(|i| {
            (
                format!("/e/{i}.conf"),
                format!("include /e/{}.conf;\nworker_processes {i};\n", i + 1).into_bytes(),
            )
        })
        .collect();
    files.push(("/e/nginx.conf".into(), b"include /e/0.conf;\n".to_vec()));
    let c: NginxConfig = in_memory(&files, "/e/nginx.conf");
    assert!(
        c.warnings()
            .iter()
            .any(|w| w.message.contains("nested deeper")),
        "{:?}",
        c.warnings()
    );

    // Each level includes the next twice: 2^40 expansions without the directive limit.
    let mut files: Vec<(String, Vec<u8>)> = (0..40)
        .map(|i| {
            (
                format!("/e/{i}.conf"),
                format!(
                    "include /e/{}.conf;\ninclude /e/{}.conf;\nsendfile on;\n",
                    i + 1,
                    i + 1
                )
                .into_bytes(),
            )
        })
        .collect();
    files.push(("/e/nginx.conf".into(), b"include /e/0.conf;\n".to_vec()));
    let c: NginxConfig = in_memory(&files, "/e/nginx.conf");
    assert!(
        c.warnings()
            .iter()
            .any(|w| w.message.contains("with includes expanded")),
        "{:?}",
        c.warnings()
    );
    assert!(c.tree().block(BlockId::MAIN).settings.len() <= 1_000_000);

    let mut files: Vec<(String, Vec<u8>)> = (0..40)
        .map(|i| {
            (
                format!("/e/{i}.conf"),
                format!(
                    "Include /e/{}.conf\nInclude /e/{}.conf\nKeepAlive On\n",
                    i + 1,
                    i + 1
                )
                .into_bytes(),
            )
        })
        .collect();
    files.push(("/e/httpd.conf".into(), b"Include /e/0.conf\n".to_vec()));
    let c: ApacheConfig = in_memory(&files, "/e/httpd.conf");
    assert!(
        c.warnings()
            .iter()
            .any(|w| w.message.contains("nested deeper")
                || w.message.contains("with includes expanded")),
        "{:?}",
        c.warnings()
    );

    // Mutual includes between PHP-FPM files.
    let c: FpmConfig = in_memory(
        &[
            ("/e/php-fpm.conf".into(), b"include=/e/a.conf\n".to_vec()),
            ("/e/a.conf".into(), b"include=/e/b.conf\n[a]\n".to_vec()),
            ("/e/b.conf".into(), b"include=/e/a.conf\n[b]\n".to_vec()),
        ],
        "/e/php-fpm.conf",
    );
    assert!(
        c.warnings()
            .iter()
            .any(|w| w.message.contains("include cycle")
                && w.path == Path::new("/e/b.conf")
                && w.line == Some(1))
    );
    assert_eq!(c.pools().count(), 2);
}

#[test]
fn glob_bombs_stop_at_the_file_limit() {
    let mut files: Vec<(String, Vec<u8>)> = (0..5000)
        .map(|i| (format!("/e/conf.d/{i:05}.conf"), b"sendfile on;\n".to_vec()))
        .collect();
    files.push(("/e/nginx.conf".into(), b"include conf.d/*.conf;\n".to_vec()));
    let c: NginxConfig = in_memory(&files, "/e/nginx.conf");
    assert_eq!(c.files().len(), 4096);
    assert!(
        c.warnings()
            .iter()
            .any(|w| w.message.starts_with("more than 4096 files")),
        "{:?}",
        &c.warnings()[..1]
    );
}

#[test]
fn files_that_cannot_be_read_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("conf.d")).unwrap();
    assert!(
        std::process::Command::new("mkfifo")
            .arg(d.join("conf.d/fifo.conf"))
            .status()
            .unwrap()
            .success()
    );
    std::fs::create_dir(d.join("conf.d/dir.conf")).unwrap();
    std::fs::write(d.join("secret.conf"), "x;\n").unwrap();
    std::fs::write(
        d.join("nginx.conf"),
        "include conf.d/fifo.conf;\ninclude /proc/self/mem;\ninclude conf.d/dir.conf;\ninclude secret.conf;\ninclude conf.d/*.conf;\nevents {}\n",
    )
    .unwrap();
    let c: NginxConfig = on_disk(&d.join("nginx.conf"));
    let w: Vec<(Option<u32>, String)> = c
        .warnings()
        .iter()
        .map(|w| (w.line, w.message.clone()))
        .collect();
    assert!(
        w[0].1.ends_with("not a regular file") && w[0].0 == Some(1),
        "{w:?}"
    );
    assert!(
        w[1].1.ends_with("Input/output error") && w[1].0 == Some(2),
        "{w:?}"
    );
    assert!(
        w[2].1.ends_with("is a directory") && w[2].0 == Some(3),
        "{w:?}"
    );
    // The glob skips directories and FIFOs are refused without blocking.
    assert!(c.blocks_named("events").next().is_some());
    clean(c.warnings());

    // Permission denied, where the tests do not run as root.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(
        d.join("secret.conf"),
        std::fs::Permissions::from_mode(0o000),
    )
    .unwrap();
    if std::fs::read(d.join("secret.conf")).is_err() {
        let c: NginxConfig = on_disk(&d.join("nginx.conf"));
        assert!(
            c.warnings()
                .iter()
                .any(|w| w.message.ends_with("Permission denied") && w.line == Some(4))
        );
    } else {
        eprintln!("permission denied case SKIPPED: running as root");
    }

    // A main file that cannot be read is an error for that configuration only.
    let mut configs = Configs::new();
    configs.read(&d.join("missing.conf"), &Options::default());
    configs.read_as(&d.join("nginx.conf"), Kind::Nginx, &Options::default());
    assert!(configs.configs()[0].parsed.is_err());
    assert!(configs.configs()[1].parsed.is_ok());
    assert_eq!(
        configs.configs()[0].warnings()[0].to_string(),
        format!(
            "{}: No such file or directory",
            d.join("missing.conf").display()
        )
    );
}

#[test]
fn unterminated_things_in_every_grammar() {
    let c = nginx(b"http {\n  server {\n    location / { proxy_pass http://x;\n");
    assert_eq!(c.blocks_named("location").count(), 1);
    assert!(
        c.warnings()
            .iter()
            .any(|w| w.message.contains("expecting \"}\""))
    );

    let c = apache(b"<VirtualHost *:80>\n  <Location /a>\n    ProxyPass http://127.0.0.1:9/\n");
    assert_eq!(c.tree().len(), 3);
    assert_eq!(
        c.warnings()
            .iter()
            .filter(|w| w.message.contains("never closed"))
            .count(),
        2
    );
    let lines: Vec<Option<u32>> = c.warnings().iter().map(|w| w.line).collect();
    assert!(
        lines.contains(&Some(1)) && lines.contains(&Some(2)),
        "{lines:?}"
    );

    let c = fpm(b"[www]\nlisten = \"/run/x.sock\npm = static\n");
    assert_eq!(c.warnings()[0].line, Some(2));
    assert_eq!(c.tree().block(c.pool("www").unwrap()).settings.len(), 1);
}

#[test]
fn problems_and_notes_are_told_apart() {
    let c = nginx(b"include /nowhere/*.conf;\n");
    assert_eq!(c.warnings()[0].severity, Severity::Note);
    let c = nginx(b"include /nowhere.conf;\n");
    assert_eq!(c.warnings()[0].severity, Severity::Problem);
}

/// The warnings of one file stop at 100, and the ones left out are counted, not lost.
#[test]
fn warnings_past_the_limit_are_counted_exactly() {
    // 150 stray closing braces: 150 syntax errors in one file.
    let c = nginx(&b"}\n".repeat(150));
    let w = c.warnings();
    assert_eq!(w.len(), 101, "{:?}", &w[..2]);
    assert!(
        w[..100]
            .iter()
            .all(|w| w.path == Path::new("/e/nginx.conf"))
    );
    assert_eq!(w[0].line, Some(1));
    assert_eq!(w[99].line, Some(100));
    assert_eq!(
        w[100].message,
        "50 more syntax errors in this file not shown"
    );

    let c = apache(&b"</Location>\n".repeat(150));
    let w = c.warnings();
    assert_eq!(w.len(), 101, "{:?}", &w[..2]);
    assert_eq!(w[99].line, Some(100));
    assert_eq!(w[100].message, "50 more problems in this file not shown");
    assert_eq!(w[100].path, Path::new("/e/httpd.conf"));

    let c = fpm(&b"[www]\n"
        .iter()
        .chain(&b"junk\n".repeat(250))
        .copied()
        .collect::<Vec<u8>>());
    let w = c.warnings();
    assert_eq!(w.len(), 101, "{:?}", &w[..2]);
    assert_eq!(w[0].line, Some(2));
    assert_eq!(w[100].message, "150 more problems in this file not shown");
    assert!(c.pool("www").is_some());
}

/// Include cycles on disk, in each server's syntax: the cycle is named at the `include`
/// line that closes it, every file is read once, and what follows is still read.
#[test]
fn include_cycles_on_disk_are_named_and_cut() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("nginx.conf"),
        "events {}\nhttp {\n    include a.conf;\n    keepalive_timeout 5s;\n}\n",
    )
    .unwrap();
    std::fs::write(
        d.join("a.conf"),
        "proxy_read_timeout 7s;\ninclude b.conf;\n",
    )
    .unwrap();
    std::fs::write(d.join("b.conf"), "proxy_buffer_size 8k;\ninclude a.conf;\n").unwrap();
    let c: NginxConfig = on_disk(&d.join("nginx.conf"));
    clean(c.warnings());
    let cycles: Vec<&Warning> = c
        .warnings()
        .iter()
        .filter(|w| w.message.contains("include cycle"))
        .collect();
    assert_eq!(cycles.len(), 1, "{:?}", c.warnings());
    assert_eq!(
        (cycles[0].path.as_path(), cycles[0].line),
        (d.join("b.conf").as_path(), Some(2))
    );
    assert_eq!(cycles[0].severity, Severity::Problem);
    let http = c.blocks_named("http").next().unwrap();
    let names: Vec<&str> = c
        .tree()
        .block(http)
        .settings
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "proxy_read_timeout",
            "proxy_buffer_size",
            "keepalive_timeout"
        ]
    );

    // Apache: a conf-enabled/ directory that includes its own directory.
    std::fs::create_dir(d.join("conf-enabled")).unwrap();
    std::fs::write(
        d.join("httpd.conf"),
        format!(
            "ServerRoot {}\nIncludeOptional conf-enabled/*.conf\nTimeout 30\n",
            d.display()
        ),
    )
    .unwrap();
    std::fs::write(
        d.join("conf-enabled/loop.conf"),
        "ProxyTimeout 9\nInclude conf-enabled/\n",
    )
    .unwrap();
    let c: ApacheConfig = on_disk(&d.join("httpd.conf"));
    clean(c.warnings());
    let cycle = c
        .warnings()
        .iter()
        .find(|w| w.message.contains("include cycle"))
        .unwrap_or_else(|| panic!("{:?}", c.warnings()));
    assert_eq!(cycle.path, d.join("conf-enabled/loop.conf"));
    assert_eq!(cycle.line, Some(2));
    let main = &c.tree().block(BlockId::MAIN).settings;
    assert_eq!(
        main.iter()
            .filter(|s| s.name == "ProxyTimeout" || s.name == "Timeout")
            .map(|s| s.value())
            .collect::<Vec<_>>(),
        ["9", "30"]
    );
}

/// A file larger than the size limit (64 MB) is named and skipped without being read; the
/// rest of the configuration is read. The file is sparse, so the test writes nothing.
#[test]
fn files_over_the_size_limit_are_named_and_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let huge = std::fs::File::create(d.join("huge.conf")).unwrap();
    huge.set_len(65 << 20).unwrap();
    drop(huge);
    std::fs::write(
        d.join("nginx.conf"),
        "events {}\ninclude huge.conf;\nhttp { proxy_read_timeout 3s; }\n",
    )
    .unwrap();
    let c: NginxConfig = on_disk(&d.join("nginx.conf"));
    clean(c.warnings());
    assert_eq!(c.warnings().len(), 1, "{:?}", c.warnings());
    let w = &c.warnings()[0];
    assert_eq!(
        (w.path.as_path(), w.line),
        (d.join("nginx.conf").as_path(), Some(2))
    );
    assert!(w.message.contains("huge.conf"), "{w:?}");
    assert!(
        w.message.ends_with("larger than 67108864 bytes: not read"),
        "{w:?}"
    );
    assert!(c.blocks_named("http").next().is_some());

    std::fs::write(
        d.join("php-fpm.conf"),
        format!(
            "[global]\ninclude={}/huge.conf\n[www]\nlisten = /run/x.sock\n",
            d.display()
        ),
    )
    .unwrap();
    let c: FpmConfig = on_disk(&d.join("php-fpm.conf"));
    assert!(
        c.warnings()
            .iter()
            .any(|w| w.line == Some(2) && w.message.ends_with("not read")),
        "{:?}",
        c.warnings()
    );
    assert!(c.pool("www").is_some());

    // The main file itself: an error for that configuration only, which names it.
    let mut configs = Configs::new();
    configs.read_as(&d.join("huge.conf"), Kind::Nginx, &Options::default());
    configs.read_as(&d.join("nginx.conf"), Kind::Nginx, &Options::default());
    let w = configs.configs()[0].warnings();
    assert!(
        w[0].to_string()
            .starts_with(&format!("{}:", d.join("huge.conf").display()))
    );
    assert!(configs.configs()[1].parsed.is_ok());
}

/// Bytes that are not UTF-8 in each grammar: the line is named, the value is read with
/// U+FFFD in place of the bad bytes, and the directives around it are in force.
#[test]
fn invalid_utf8_is_named_and_the_rest_is_read() {
    let c = nginx(b"events {}\nhttp {\n  server_name caf\xe9;\n  proxy_read_timeout 9s;\n}\n");
    let w = c.warnings();
    assert_eq!(w.len(), 1, "{w:?}");
    assert_eq!(w[0].line, Some(3));
    assert!(w[0].message.contains("not UTF-8"));
    let http = c.blocks_named("http").next().unwrap();
    let settings = &c.tree().block(http).settings;
    assert_eq!(settings[0].args, ["caf\u{fffd}"]);
    assert_eq!(settings[1].value(), "9s");

    let c = apache(b"Timeout 30\nServerName caf\xe9\xff\nProxyTimeout 4\n");
    assert_eq!(c.warnings().len(), 1, "{:?}", c.warnings());
    assert_eq!(c.warnings()[0].line, Some(2));
    let main = &c.tree().block(BlockId::MAIN).settings;
    assert_eq!(main.len(), 3);
    assert_eq!(main[2].value(), "4");

    let c = fpm(b"[www]\nlisten = /run/\xc3(.sock\npm.max_children = 3\n");
    assert_eq!(c.warnings().len(), 1, "{:?}", c.warnings());
    assert_eq!(c.warnings()[0].line, Some(2));
    let pool = c.pool("www").unwrap();
    assert_eq!(c.effective(pool, "pm.max_children").unwrap().value, "3");
}
