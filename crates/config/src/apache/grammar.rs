//! The Apache httpd configuration grammar, as httpd 2.4 reads it (server/util.c
//! `ap_cfg_getline`, `ap_getword_conf`, `ap_resolve_env`; server/config.c
//! `ap_build_config`):
//!
//! - a physical line ending in a backslash right before its line break continues on the
//!   next line (the backslash and the break are dropped); leading and trailing white space
//!   is trimmed;
//! - a (logical) line starting with `#` is a comment, an empty one is ignored;
//! - `${NAME}` is replaced by a `Define`d value or an environment variable before the line
//!   is split; an unknown name stays as written (httpd warns);
//! - words are split at white space; a word that starts with `"` or `'` runs to the
//!   matching quote (a backslash before that quote or before a backslash escapes it), an
//!   unterminated one to the end of the line;
//! - `<Name args>` opens a section (its arguments end at the last `>` of the line) and
//!   `</Name>` closes it, names compared without case.

use nom::branch::alt;
use nom::bytes::complete::{take_while, take_while1};
use nom::character::complete::char;
use nom::combinator::{opt, recognize};
use nom::multi::many0_count;
use nom::sequence::preceded;
use nom::{IResult, Parser};

/// One logical line: its first physical line and its text, continuations joined.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Line {
    pub number: u32,
    pub text: String,
}

/// Splits a file into logical lines: continuations joined, white space trimmed, comments
/// and empty lines dropped.
pub(crate) fn logical_lines(text: &str) -> Vec<Line> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut start = 0u32;
    let mut number = 0u32;
    for physical in text.split('\n') {
        number = number.saturating_add(1);
        let physical = physical.strip_suffix('\r').unwrap_or(physical);
        if current.is_empty() {
            start = number;
        }
        // `[^\\]\\` at the end: a single backslash continues the line.
        let continued = physical.ends_with('\\') && !physical.ends_with("\\\\");
        if continued {
            current.push_str(&physical[..physical.len() - 1]);
            continue;
        }
        current.push_str(physical);
        let trimmed = current.trim();
        if !trimmed.is_empty() && !trimmed.starts_with('#') {
            out.push(Line {
                number: start,
                text: trimmed.to_string(),
            });
        }
        current.clear();
    }
    let trimmed = current.trim();
    if !trimmed.is_empty() && !trimmed.starts_with('#') {
        out.push(Line {
            number: start,
            text: trimmed.to_string(),
        });
    }
    out
}

/// Replaces `${NAME}` by `lookup(NAME)`; returns the names that were not defined.
pub(crate) fn resolve_vars(
    line: &str,
    lookup: impl Fn(&str) -> Option<String>,
) -> (String, Vec<String>) {
    if !line.contains("${") {
        return (line.to_string(), Vec::new());
    }
    let mut out = String::with_capacity(line.len());
    let mut missing = Vec::new();
    let mut rest = line;
    while let Some(at) = rest.find("${") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        match after.find('}') {
            Some(end) => {
                let name = &after[..end];
                match lookup(name) {
                    Some(v) => out.push_str(&v),
                    None => {
                        out.push_str(&rest[at..at + 3 + end]);
                        missing.push(name.to_string());
                    }
                }
                rest = &after[end + 1..];
            }
            None => {
                out.push_str(&rest[at..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    (out, missing)
}

fn space(c: char) -> bool {
    c.is_ascii_whitespace()
}

/// A quoted word, raw (without the quotes); the closing quote is optional.
fn quoted(q: char) -> impl Fn(&str) -> IResult<&str, &str> {
    move |i| {
        let (i, _) = char(q).parse(i)?;
        let (i, body) = recognize(many0_count(alt((
            recognize(preceded(
                char('\\'),
                nom::character::complete::satisfy(move |c| c == q || c == '\\'),
            )),
            recognize(char('\\')),
            take_while1(move |c| c != q && c != '\\'),
        ))))
        .parse(i)?;
        let (i, _) = opt(char(q)).parse(i)?;
        Ok((i, body))
    }
}

fn bare(i: &str) -> IResult<&str, &str> {
    take_while1(|c| !space(c)).parse(i)
}

/// Removes the backslashes `ap_getword_conf` removes: before a backslash, and inside
/// quotes before the quote.
fn unescape(raw: &str, quote: Option<char>) -> String {
    if !raw.contains('\\') {
        return raw.to_string();
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(&n) = chars.peek() {
                if n == '\\' || Some(n) == quote {
                    out.push(n);
                    chars.next();
                    continue;
                }
            }
        }
        out.push(c);
    }
    out
}

/// One word as `ap_getword_conf` reads it, and the rest of the line.
fn word(i: &str) -> IResult<&str, String> {
    let (i, _) = take_while(space).parse(i)?;
    if let Ok((rest, raw)) = alt((quoted('"'), quoted('\''))).parse(i) {
        let q = i.chars().next();
        return Ok((rest, unescape(raw, q)));
    }
    let (rest, raw) = bare(i)?;
    Ok((rest, unescape(raw, None)))
}

/// Splits a line into words.
pub(crate) fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Ok((after, w)) = word(rest) {
        out.push(w);
        rest = after;
    }
    out
}

/// What one logical line is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Statement {
    /// `<Name args>`; `closed` says whether the `>` was there.
    Open {
        name: String,
        args: Vec<String>,
        closed: bool,
    },
    /// `</Name>`.
    Close { name: String },
    /// `Name args`.
    Directive { name: String, args: Vec<String> },
}

/// Reads one logical line (variables already resolved).
pub(crate) fn statement(line: &str) -> Statement {
    if let Some(rest) = line.strip_prefix("</") {
        let name: String = rest
            .chars()
            .take_while(|&c| c != '>' && !space(c))
            .collect();
        return Statement::Close { name };
    }
    if let Some(rest) = line.strip_prefix('<') {
        let (name, args) = match preceded(take_while(space), bare).parse(rest) {
            Ok((args, name)) => (name, args),
            Err(_) => (rest, ""),
        };
        // `<Location />`: the name may carry the `>` of an argument-less section.
        let (name, args) = match name.strip_suffix('>') {
            Some(n) if args.trim().is_empty() => (n, ">"),
            _ => (name, args),
        };
        let (inner, closed) = match args.rfind('>') {
            Some(end) => (&args[..end], true),
            None => (args, false),
        };
        return Statement::Open {
            name: name.to_string(),
            args: words(inner),
            closed,
        };
    }
    let mut all = words(line);
    let name = if all.is_empty() {
        String::new()
    } else {
        all.remove(0)
    };
    Statement::Directive { name, args: all }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuation_lines_join_and_keep_their_first_line() {
        let lines = logical_lines(
            "# c\nProxyPass /a \\\n    http://x/ \\\n    timeout=5\r\n\n  Timeout 30  \nA \\\\\nB\n",
        );
        assert_eq!(
            lines,
            [
                Line {
                    number: 2,
                    text: "ProxyPass /a     http://x/     timeout=5".into()
                },
                Line {
                    number: 6,
                    text: "Timeout 30".into()
                },
                Line {
                    number: 7,
                    text: "A \\\\".into()
                },
                Line {
                    number: 8,
                    text: "B".into()
                },
            ]
        );
    }

    #[test]
    fn a_continued_comment_is_one_comment() {
        let lines = logical_lines("# one \\\nstill comment\nX 1\n");
        assert_eq!(
            lines,
            [Line {
                number: 3,
                text: "X 1".into()
            }]
        );
    }

    #[test]
    fn words_follow_ap_getword_conf() {
        assert_eq!(
            words(r#"LogFormat "%h \"%r\" %>s \\ x" combined 'a b' c\\d e\f"#),
            [
                "LogFormat",
                "%h \"%r\" %>s \\ x",
                "combined",
                "a b",
                "c\\d",
                "e\\f"
            ]
        );
        assert_eq!(
            words("SetHandler \"proxy:unix:/run/php.sock|fcgi://localhost\""),
            ["SetHandler", "proxy:unix:/run/php.sock|fcgi://localhost"]
        );
        assert_eq!(words("X \"unterminated here"), ["X", "unterminated here"]);
    }

    #[test]
    fn sections_open_and_close() {
        assert_eq!(
            statement("<VirtualHost 127.0.0.1:80 [::1]:80>"),
            Statement::Open {
                name: "VirtualHost".into(),
                args: vec!["127.0.0.1:80".into(), "[::1]:80".into()],
                closed: true
            }
        );
        assert_eq!(
            statement("<Location />"),
            Statement::Open {
                name: "Location".into(),
                args: vec!["/".into()],
                closed: true
            }
        );
        assert_eq!(
            statement("<Proxy \"balancer://app\">"),
            Statement::Open {
                name: "Proxy".into(),
                args: vec!["balancer://app".into()],
                closed: true
            }
        );
        assert_eq!(
            statement("<IfModule !mod_ssl.c>"),
            Statement::Open {
                name: "IfModule".into(),
                args: vec!["!mod_ssl.c".into()],
                closed: true
            }
        );
        assert_eq!(
            statement("<Else>"),
            Statement::Open {
                name: "Else".into(),
                args: vec![],
                closed: true
            }
        );
        assert_eq!(
            statement("<Directory /var/www"),
            Statement::Open {
                name: "Directory".into(),
                args: vec!["/var/www".into()],
                closed: false
            }
        );
        assert_eq!(
            statement("</VirtualHost>"),
            Statement::Close {
                name: "VirtualHost".into()
            }
        );
    }

    #[test]
    fn variables_resolve_before_splitting() {
        let (line, missing) = resolve_vars("ErrorLog ${LOG}/error.log ${NOPE} ${open", |n| {
            (n == "LOG").then(|| "/var/log/apache2".to_string())
        });
        assert_eq!(line, "ErrorLog /var/log/apache2/error.log ${NOPE} ${open");
        assert_eq!(missing, ["NOPE"]);
        let (line, _) = resolve_vars("X ${A}", |_| Some("a b".into()));
        assert_eq!(words(&line), ["X", "a", "b"]);
    }
}
