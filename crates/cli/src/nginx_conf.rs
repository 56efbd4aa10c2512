//! `log_format` definitions from a real nginx.conf, following `include`s.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// A `log_format` found in a configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogFormat {
    /// Its name.
    pub name: String,
    /// The format string (the quoted parts concatenated).
    pub format: String,
    /// The `escape=` parameter, if given (`default`, `json`, `none`).
    pub escape: Option<String>,
    /// Where it was defined.
    pub file: PathBuf,
}

/// Reads `path` and the files it includes (glob patterns, relative to the including file's
/// directory as nginx resolves them relative to the prefix; both are tried), and returns
/// every `log_format`. Missing included files are skipped; a missing top file is an error.
pub fn log_formats(path: &Path) -> Result<Vec<LogFormat>, String> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    let text = fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    collect(
        path,
        &String::from_utf8_lossy(&text),
        &mut seen,
        &mut out,
        0,
    );
    Ok(out)
}

fn collect(
    path: &Path,
    text: &str,
    seen: &mut BTreeSet<PathBuf>,
    out: &mut Vec<LogFormat>,
    depth: usize,
) {
    let canonical = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    if depth > 16 || !seen.insert(canonical) {
        return;
    }
    let base = path.parent().unwrap_or(Path::new("."));
    for statement in statements(text) {
        let Some((directive, args)) = statement.split_first() else {
            continue;
        };
        match directive.as_str() {
            "log_format" if args.len() >= 2 => {
                let name = args[0].clone();
                let (escape, parts) = match args[1].strip_prefix("escape=") {
                    Some(escape) => (Some(escape.to_owned()), &args[2..]),
                    None => (None, &args[1..]),
                };
                out.push(LogFormat {
                    name,
                    format: parts.concat(),
                    escape,
                    file: path.to_path_buf(),
                });
            }
            "include" if !args.is_empty() => {
                for pattern in args {
                    let candidates = if Path::new(pattern).is_absolute() {
                        vec![PathBuf::from(pattern)]
                    } else {
                        vec![base.join(pattern)]
                    };
                    for candidate in candidates {
                        let matches = glob::glob(&candidate.to_string_lossy())
                            .map(|paths| paths.flatten().collect::<Vec<_>>())
                            .unwrap_or_default();
                        for file in matches {
                            if let Ok(bytes) = fs::read(&file) {
                                collect(
                                    &file,
                                    &String::from_utf8_lossy(&bytes),
                                    seen,
                                    out,
                                    depth + 1,
                                );
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

/// Splits a configuration into statements (words up to `;`), with quotes and escapes
/// resolved and comments dropped. Block braces end a statement too.
fn statements(text: &str) -> Vec<Vec<String>> {
    let mut statements = Vec::new();
    let mut words: Vec<String> = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '#' => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
            }
            ';' | '{' | '}' => {
                if !words.is_empty() {
                    statements.push(std::mem::take(&mut words));
                }
            }
            c if c.is_whitespace() => {}
            '"' | '\'' => {
                let quote = c;
                let mut word = String::new();
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            if let Some(next) = chars.next() {
                                match next {
                                    '"' | '\'' | '\\' => word.push(next),
                                    'n' => word.push('\n'),
                                    't' => word.push('\t'),
                                    other => {
                                        word.push('\\');
                                        word.push(other);
                                    }
                                }
                            }
                        }
                        c if c == quote => break,
                        c => word.push(c),
                    }
                }
                words.push(word);
            }
            c => {
                let mut word = String::from(c);
                while let Some(&next) = chars.peek() {
                    if next.is_whitespace() || matches!(next, ';' | '{' | '}') {
                        break;
                    }
                    word.push(next);
                    chars.next();
                }
                words.push(word);
            }
        }
    }
    statements
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_from_main_file_and_includes() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("conf.d")).unwrap();
        fs::write(
            dir.path().join("nginx.conf"),
            "# main\nhttp {\n  log_format main '$remote_addr - $remote_user [$time_local] \"$request\" '\n                  '$status $body_bytes_sent'; # trailing\n  include conf.d/*.conf;\n  include missing/*.conf;\n}\n",
        )
        .unwrap();
        fs::write(
            dir.path().join("conf.d/upstream.conf"),
            "log_format upstream escape=json \"$remote_addr rt=$request_time ua=\\\"$upstream_addr\\\"\";\ninclude ../nginx.conf;\n",
        )
        .unwrap();
        let found = log_formats(&dir.path().join("nginx.conf")).unwrap();
        let names: Vec<&str> = found.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["main", "upstream"]);
        assert_eq!(
            found[0].format,
            "$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent"
        );
        assert_eq!(
            found[1].format,
            "$remote_addr rt=$request_time ua=\"$upstream_addr\""
        );
        assert_eq!(found[1].escape.as_deref(), Some("json"));
        assert!(log_formats(&dir.path().join("nope.conf")).is_err());
    }
}
