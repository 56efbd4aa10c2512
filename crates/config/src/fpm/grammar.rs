//! The ini grammar of `php-fpm.conf`, its pool files and `php.ini`, as PHP's ini scanner
//! reads them for FPM (one line at a time, sapi/fpm/fpm/fpm_conf.c):
//!
//! - `[name]` starts a section (`[global]`, or a pool);
//! - `key = value`, where the key may carry an index (`php_admin_value[memory_limit]`);
//! - a value is bare (up to a `;` comment, trimmed), `"double quoted"` (a backslash escapes
//!   the quote; `${VAR}` is expanded) or `'single quoted'` (taken as is); pieces next to
//!   each other join;
//! - `;` and `#` start comment lines.

use nom::branch::alt;
use nom::bytes::complete::{tag, take_till, take_while, take_while1};
use nom::character::complete::{anychar, char};
use nom::combinator::{opt, recognize, rest};
use nom::multi::many0_count;
use nom::sequence::{delimited, preceded};
use nom::{IResult, Parser};

/// What one line is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Line {
    /// Empty or a comment.
    Nothing,
    /// `[name]`.
    Section(String),
    /// `key = value` (`key` with its `[index]`, the value's quotes removed).
    Entry { key: String, value: String },
    /// A line that is none of these.
    Error(String),
}

fn blank(c: char) -> bool {
    c == ' ' || c == '\t' || c == '\r'
}

fn section(i: &str) -> IResult<&str, &str> {
    delimited(char('['), take_till(|c| c == ']'), char(']')).parse(i)
}

fn key(i: &str) -> IResult<&str, &str> {
    recognize((
        take_while1(|c: char| !blank(c) && !matches!(c, '=' | '[' | ';' | '"' | '\'')),
        opt(delimited(char('['), take_till(|c| c == ']'), char(']'))),
    ))
    .parse(i)
}

/// A double-quoted piece, raw.
fn double(i: &str) -> IResult<&str, &str> {
    delimited(
        char('"'),
        recognize(many0_count(alt((
            recognize(preceded(char('\\'), anychar)),
            take_while1(|c| c != '"' && c != '\\'),
        )))),
        char('"'),
    )
    .parse(i)
}

fn single(i: &str) -> IResult<&str, &str> {
    delimited(char('\''), take_till(|c| c == '\''), char('\'')).parse(i)
}

fn bare(i: &str) -> IResult<&str, &str> {
    take_while1(|c: char| !matches!(c, ';' | '"' | '\'')).parse(i)
}

/// A piece of a value: its text and whether it came from double quotes (where escapes
/// and `${VAR}` apply).
enum Piece<'a> {
    Bare(&'a str),
    Double(&'a str),
    Single(&'a str),
}

fn piece(i: &str) -> IResult<&str, Piece<'_>> {
    alt((
        |i| double(i).map(|(r, s)| (r, Piece::Double(s))),
        |i| single(i).map(|(r, s)| (r, Piece::Single(s))),
        |i| bare(i).map(|(r, s)| (r, Piece::Bare(s))),
    ))
    .parse(i)
}

/// Reads one line. `expand` resolves `${VAR}` in bare and double-quoted pieces.
pub(crate) fn line(text: &str, expand: &mut dyn FnMut(&str) -> String) -> Line {
    let text = text.trim_matches(blank);
    if text.is_empty() || text.starts_with(';') || text.starts_with('#') {
        return Line::Nothing;
    }
    if text.starts_with('[') {
        return match section(text) {
            Ok((after, name))
                if after.trim_start_matches(blank).is_empty()
                    || after.trim_start_matches(blank).starts_with(';') =>
            {
                Line::Section(name.trim().to_string())
            }
            _ => Line::Error("expected \"[section]\"".into()),
        };
    }
    let parsed: IResult<&str, (&str, &str)> = (
        key,
        preceded((take_while(blank), tag("="), take_while(blank)), rest),
    )
        .parse(text);
    let Ok((_, (key, value_text))) = parsed else {
        return Line::Error("expected \"key = value\", \"[section]\" or a \"; comment\"".into());
    };
    let mut value = String::new();
    let mut input = value_text;
    loop {
        input = input.trim_start_matches(blank);
        if input.is_empty() || input.starts_with(';') {
            break;
        }
        match piece(input) {
            Ok((after, Piece::Bare(s))) => {
                value.push_str(&expand(s.trim_end_matches(blank)));
                input = after;
            }
            Ok((after, Piece::Double(s))) => {
                value.push_str(&expand(&unescape_double(s)));
                input = after;
            }
            Ok((after, Piece::Single(s))) => {
                value.push_str(s);
                input = after;
            }
            Err(_) => {
                let quote = input.chars().next().unwrap_or('"');
                return Line::Error(format!("unterminated {quote}quoted{quote} value"));
            }
        }
    }
    Line::Entry {
        key: key.to_string(),
        value,
    }
}

fn unescape_double(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('"') => out.push('"'),
                Some('\\') => out.push('\\'),
                Some(o) => {
                    out.push('\\');
                    out.push(o);
                }
                None => out.push('\\'),
            },
            c => out.push(c),
        }
    }
    out
}

/// Replaces `${NAME}` with `lookup(NAME)`, collecting unknown names.
pub(crate) fn expand_vars(
    text: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
    missing: &mut Vec<String>,
) -> String {
    let (out, names) = crate::apache::grammar::resolve_vars(text, lookup);
    missing.extend(names);
    out
}

/// Writes `key = value` as ini text that reads back into the same key and value (single
/// quotes, or double quotes with escapes when the value holds a single quote).
pub fn print_entry(key: &str, value: &str) -> String {
    if !value.contains('\'') {
        format!("{key} = '{value}'")
    } else {
        let mut v = String::new();
        for c in value.chars() {
            match c {
                '"' => v.push_str("\\\""),
                '\\' => v.push_str("\\\\"),
                c => v.push(c),
            }
        }
        format!("{key} = \"{v}\"")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Line {
        line(text, &mut |s: &str| s.to_string())
    }

    fn entry(k: &str, v: &str) -> Line {
        Line::Entry {
            key: k.into(),
            value: v.into(),
        }
    }

    #[test]
    fn sections_entries_comments() {
        assert_eq!(read("[www]"), Line::Section("www".into()));
        assert_eq!(
            read("  [global] ; the global section"),
            Line::Section("global".into())
        );
        assert_eq!(read("; listen = x"), Line::Nothing);
        assert_eq!(read("# old-style comment"), Line::Nothing);
        assert_eq!(read(""), Line::Nothing);
        assert_eq!(read("pm.max_children = 5"), entry("pm.max_children", "5"));
        assert_eq!(
            read("listen=/run/php/php8.2-fpm.sock ; the socket"),
            entry("listen", "/run/php/php8.2-fpm.sock")
        );
        assert_eq!(
            read("php_admin_value[max_execution_time] = 1"),
            entry("php_admin_value[max_execution_time]", "1")
        );
        assert_eq!(
            read("security.limit_extensions = .php .php3"),
            entry("security.limit_extensions", ".php .php3")
        );
        assert_eq!(
            read("env[PATH] = \"/usr/bin:/bin\""),
            entry("env[PATH]", "/usr/bin:/bin")
        );
        assert_eq!(
            read("slowlog = '/var/log/$pool ; not a comment'"),
            entry("slowlog", "/var/log/$pool ; not a comment")
        );
        assert_eq!(read("x = \"a \\\"b\\\"\""), entry("x", "a \"b\""));
        assert_eq!(read("empty ="), entry("empty", ""));
        assert_eq!(
            read("x = \"never closed"),
            Line::Error("unterminated \"quoted\" value".into())
        );
        assert!(matches!(read("just words"), Line::Error(_)));
        assert!(matches!(read("[open"), Line::Error(_)));
    }

    #[test]
    fn printed_entries_read_back() {
        for v in ["a b", "it's", "\"q\" \\ ;x", "", "${X}"] {
            let text = print_entry("k", v);
            assert_eq!(
                line(&text, &mut |s: &str| s.to_string()),
                entry("k", v),
                "{text}"
            );
        }
    }
}
