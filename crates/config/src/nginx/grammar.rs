//! The nginx configuration grammar, as `ngx_conf_read_token` reads it (src/core/ngx_conf_file.c):
//!
//! - tokens are separated by space, tab, CR and LF; `;` ends a directive, `{` opens its
//!   block, `}` closes one;
//! - `#` at the start of a token comments out the rest of the line; inside a word it is a
//!   plain character;
//! - `"..."` and `'...'` quote a token (newlines allowed inside); a backslash keeps the next
//!   character from ending anything;
//! - in every token `\"`, `\'` and `\\` stand for the character, `\t`, `\r` and `\n` for
//!   tab, CR and LF; any other backslash stays;
//! - a `{` right after `$` belongs to the word (`${var}`), and `}` inside a word is plain;
//! - the body of an OpenResty `*_by_lua_block { ... }` is Lua, kept whole as the
//!   directive's last argument (braces inside Lua strings and comments do not count);
//! - the arguments of `if` lose their parentheses, as the rewrite module reads them.
//!
//! Where nginx stops at the first error, this grammar records it with its line and goes
//! on, so the rest of the file is still read.

use nom::branch::alt;
use nom::bytes::complete::{tag, take_till, take_while1};
use nom::character::complete::{anychar, char};
use nom::combinator::recognize;
use nom::multi::{many0_count, many1_count};
use nom::sequence::{delimited, preceded};
use nom::{IResult, Parser};

use crate::source::newlines;

/// One directive of an nginx file, as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Directive {
    /// Its name (`proxy_pass`, `server`, `location`).
    pub name: String,
    /// Its arguments, quotes removed and escapes resolved as nginx does.
    pub args: Vec<String>,
    /// The line its name is on.
    pub line: u32,
    /// The directives in its block, if it has one (`server { ... }`).
    pub block: Option<Vec<Directive>>,
    /// For `include`: the files it brought in (indices into the configuration's files),
    /// in the order nginx reads them.
    pub includes: Vec<usize>,
}

/// A syntax error in one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    pub line: u32,
    pub message: String,
}

/// Bounds for one parse.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Bounds {
    /// Deepest block nesting kept.
    pub depth: usize,
    /// Most tokens (directive names and arguments) kept.
    pub tokens: usize,
}

/// Syntax errors reported per file; a broken file says how many more there were.
pub(crate) const MAX_ERRORS: usize = 100;

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

fn spaces(i: &str) -> IResult<&str, &str> {
    take_while1(is_space).parse(i)
}

fn comment(i: &str) -> IResult<&str, &str> {
    recognize(preceded(char('#'), take_till(|c| c == '\n'))).parse(i)
}

/// A backslash and the character it escapes.
fn escaped(i: &str) -> IResult<&str, &str> {
    recognize(preceded(char('\\'), anychar)).parse(i)
}

/// The inside of a quoted token (without the quotes), raw.
fn quoted(quote: char) -> impl Fn(&str) -> IResult<&str, &str> {
    move |i| {
        delimited(
            char(quote),
            recognize(many0_count(alt((
                escaped,
                take_while1(move |c| c != quote && c != '\\'),
            )))),
            char(quote),
        )
        .parse(i)
    }
}

/// A bare word, raw: up to space, `;` or `{` (except a `{` right after `$`).
fn word(i: &str) -> IResult<&str, &str> {
    recognize(many1_count(alt((
        escaped,
        tag("${"),
        take_while1(|c: char| !is_space(c) && !matches!(c, ';' | '{' | '\\' | '$')),
        tag("$"),
        // a backslash at the very end of the file
        tag("\\"),
    ))))
    .parse(i)
}

/// Resolves the escapes nginx resolves in every token.
pub(crate) fn unescape(raw: &str) -> String {
    if !raw.contains('\\') {
        return raw.to_string();
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some(e @ ('"' | '\'' | '\\')) => out.push(e),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('n') => out.push('\n'),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// The body of a `*_by_lua_block`, from just after its `{` to its matching `}`: Lua
/// strings (with escapes), long brackets and comments are skipped so braces inside them do
/// not count. Returns the body and the rest after the closing brace.
fn lua_body(i: &str) -> Option<(&str, &str)> {
    let bytes = i.as_bytes();
    let mut depth = 1usize;
    let mut at = 0;
    while at < bytes.len() {
        match bytes[at] {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Some((&i[..at], &i[at + 1..]));
                }
            }
            q @ (b'"' | b'\'') => {
                at += 1;
                while at < bytes.len() && bytes[at] != q && bytes[at] != b'\n' {
                    if bytes[at] == b'\\' {
                        at += 1;
                    }
                    at += 1;
                }
            }
            b'[' => {
                if let Some(end) = long_bracket(&bytes[at..]) {
                    at += end;
                    continue;
                }
            }
            b'-' if bytes.get(at + 1) == Some(&b'-') => {
                at += 2;
                if bytes.get(at) == Some(&b'[') {
                    if let Some(end) = long_bracket(&bytes[at..]) {
                        at += end;
                        continue;
                    }
                }
                while at < bytes.len() && bytes[at] != b'\n' {
                    at += 1;
                }
                continue;
            }
            _ => {}
        }
        at += 1;
    }
    None
}

/// The length of a Lua long bracket (`[[...]]`, `[==[...]==]`) at the start of `b`, if one
/// starts there and ends in `b`.
fn long_bracket(b: &[u8]) -> Option<usize> {
    let level = b.iter().skip(1).take_while(|&&c| c == b'=').count();
    if b.get(1 + level) != Some(&b'[') {
        return None;
    }
    let mut close = Vec::with_capacity(level + 2);
    close.push(b']');
    close.extend(std::iter::repeat_n(b'=', level));
    close.push(b']');
    let body = 2 + level;
    memchr::memmem::find(b.get(body..)?, &close).map(|end| body + end + close.len())
}

/// Strips the parentheses of `if ( ... )`, as the rewrite module does (and crossplane).
fn strip_if_parens(args: &mut Vec<String>) {
    let (Some(first), Some(last)) = (args.first(), args.last()) else {
        return;
    };
    if !(first.starts_with('(') && last.ends_with(')')) {
        return;
    }
    if let Some(first) = args.first_mut() {
        *first = first[1..].trim_start().to_string();
    }
    if let Some(last) = args.last_mut() {
        let cut = last.len() - 1;
        *last = last[..cut].trim_end().to_string();
    }
    if args.first().is_some_and(String::is_empty) {
        args.remove(0);
    }
    if args.last().is_some_and(String::is_empty) {
        args.pop();
    }
}

struct Pending {
    name: String,
    line: u32,
    args: Vec<String>,
}

struct Frame {
    directive: Directive,
    children: Vec<Directive>,
}

/// Parses one file. Always returns what could be read, with every syntax error met.
pub(crate) fn parse(text: &str, bounds: Bounds) -> (Vec<Directive>, Vec<SyntaxError>) {
    let mut root: Vec<Directive> = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut errors = Vec::new();
    let mut pending: Option<Pending> = None;
    // Blocks nested deeper than the bound are skipped whole: how deep we are in them.
    let mut skipping = 0usize;
    let mut tokens = 0usize;
    let mut line = 1u32;
    let mut rest = text;

    let mut dropped = 0usize;
    let mut error = |errors: &mut Vec<SyntaxError>, line: u32, message: String| {
        if errors.len() < MAX_ERRORS {
            errors.push(SyntaxError { line, message });
        } else {
            dropped += 1;
        }
    };

    loop {
        if let Ok((after, taken)) = spaces(rest) {
            line = line.saturating_add(newlines(taken));
            rest = after;
        }
        let Some(first) = rest.chars().next() else {
            break;
        };
        let start_line = line;
        match first {
            '#' => {
                // A comment only starts at the start of a token, which is where we are.
                let (after, _) = comment(rest).unwrap_or(("", rest));
                rest = after;
            }
            ';' => {
                rest = &rest[1..];
                if skipping > 0 {
                    continue;
                }
                match pending.take() {
                    Some(p) => push(&mut root, &mut stack, finish(p, None)),
                    None => error(&mut errors, start_line, "unexpected \";\"".into()),
                }
            }
            '{' => {
                rest = &rest[1..];
                if skipping > 0 {
                    skipping += 1;
                    continue;
                }
                match pending.take() {
                    Some(mut p) if p.name.ends_with("_by_lua_block") => match lua_body(rest) {
                        Some((body, after)) => {
                            line = line.saturating_add(newlines(body));
                            rest = after;
                            p.args.push(body.to_string());
                            push(&mut root, &mut stack, finish(p, None));
                        }
                        None => {
                            error(
                                &mut errors,
                                start_line,
                                format!(
                                    "unexpected end of file in the Lua block of \"{}\", expecting \"}}\"",
                                    crate::place::quote_text(&p.name)
                                ),
                            );
                            rest = "";
                        }
                    },
                    Some(p) => {
                        if stack.len() >= bounds.depth {
                            error(
                                &mut errors,
                                start_line,
                                format!(
                                    "blocks nested deeper than {}: this block is not read",
                                    bounds.depth
                                ),
                            );
                            skipping = 1;
                        } else {
                            stack.push(Frame {
                                directive: finish(p, Some(Vec::new())),
                                children: Vec::new(),
                            });
                        }
                    }
                    None => {
                        error(&mut errors, start_line, "unexpected \"{\"".into());
                        skipping = 1;
                    }
                }
            }
            '}' => {
                rest = &rest[1..];
                if skipping > 0 {
                    skipping -= 1;
                    continue;
                }
                if let Some(p) = pending.take() {
                    error(
                        &mut errors,
                        start_line,
                        format!(
                            "unexpected \"}}\": \"{}\" is not terminated by \";\"",
                            crate::place::quote_text(&p.name)
                        ),
                    );
                }
                match stack.pop() {
                    Some(frame) => {
                        let mut d = frame.directive;
                        d.block = Some(frame.children);
                        push(&mut root, &mut stack, d);
                    }
                    None => error(&mut errors, start_line, "unexpected \"}\"".into()),
                }
            }
            '"' | '\'' => match quoted(first)(rest) {
                Ok((after, raw)) => {
                    line = line.saturating_add(newlines(raw));
                    rest = after;
                    if skipping == 0 {
                        take_token(&mut pending, unescape(raw), start_line, &mut tokens);
                    }
                }
                Err(_) => {
                    error(
                        &mut errors,
                        start_line,
                        "unexpected end of file: a quoted string that starts here is never closed"
                            .into(),
                    );
                    line = line.saturating_add(newlines(rest));
                    rest = "";
                }
            },
            _ => {
                let (after, raw) = match word(rest) {
                    Ok(ok) => ok,
                    // Unreachable: any character other than the ones above starts a word.
                    Err(_) => (&rest[first.len_utf8()..], &rest[..first.len_utf8()]),
                };
                rest = after;
                if skipping == 0 {
                    take_token(&mut pending, unescape(raw), start_line, &mut tokens);
                }
            }
        }
        if tokens > bounds.tokens {
            error(
                &mut errors,
                line,
                format!(
                    "more than {} words: the rest of the file is not read",
                    bounds.tokens
                ),
            );
            pending = None;
            break;
        }
    }
    if let Some(p) = pending.take() {
        error(
            &mut errors,
            line,
            format!(
                "unexpected end of file, expecting \";\" or \"}}\" after \"{}\"",
                crate::place::quote_text(&p.name)
            ),
        );
    }
    if !stack.is_empty() {
        error(
            &mut errors,
            line,
            "unexpected end of file, expecting \"}\"".into(),
        );
        while let Some(frame) = stack.pop() {
            let mut d = frame.directive;
            d.block = Some(frame.children);
            push(&mut root, &mut stack, d);
        }
    }
    if dropped > 0 {
        errors.push(SyntaxError {
            line,
            message: format!("{dropped} more syntax errors in this file not shown"),
        });
    }
    (root, errors)
}

fn take_token(pending: &mut Option<Pending>, token: String, line: u32, tokens: &mut usize) {
    *tokens += 1;
    match pending {
        Some(p) => p.args.push(token),
        None => {
            *pending = Some(Pending {
                name: token,
                line,
                args: Vec::new(),
            })
        }
    }
}

fn finish(p: Pending, block: Option<Vec<Directive>>) -> Directive {
    let mut args = p.args;
    if p.name == "if" {
        strip_if_parens(&mut args);
    }
    Directive {
        name: p.name,
        args,
        line: p.line,
        block,
        includes: Vec::new(),
    }
}

fn push(root: &mut Vec<Directive>, stack: &mut [Frame], d: Directive) {
    match stack.last_mut() {
        Some(frame) => frame.children.push(d),
        None => root.push(d),
    }
}

/// Writes directives back as nginx text that this grammar reads into the same directives
/// (every argument double-quoted, so any text survives). Lua block bodies are written as
/// quoted arguments too.
pub fn print(directives: &[Directive]) -> String {
    let mut out = String::new();
    print_into(&mut out, directives, 0);
    out
}

fn print_into(out: &mut String, directives: &[Directive], depth: usize) {
    for d in directives {
        for _ in 0..depth {
            out.push_str("    ");
        }
        out.push_str(&d.name);
        for a in &d.args {
            out.push(' ');
            out.push('"');
            for c in a.chars() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    c => out.push(c),
                }
            }
            out.push('"');
        }
        match &d.block {
            Some(children) => {
                out.push_str(" {\n");
                print_into(out, children, depth + 1);
                for _ in 0..depth {
                    out.push_str("    ");
                }
                out.push_str("}\n");
            }
            None => out.push_str(";\n"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOUNDS: Bounds = Bounds {
        depth: 64,
        tokens: 1_000_000,
    };

    fn names(ds: &[Directive]) -> Vec<(String, Vec<String>, u32)> {
        ds.iter()
            .map(|d| (d.name.clone(), d.args.clone(), d.line))
            .collect()
    }

    fn ok(text: &str) -> Vec<Directive> {
        let (ds, errors) = parse(text, BOUNDS);
        assert!(errors.is_empty(), "{errors:?}");
        ds
    }

    #[test]
    fn blocks_lines_and_comments() {
        let ds =
            ok("user www-data; # the worker user\nhttp {\n  server {\n    listen 80;\n  }\n}\n");
        assert_eq!(ds.len(), 2);
        assert_eq!(
            names(&ds[..1]),
            [("user".into(), vec!["www-data".into()], 1)]
        );
        let http = &ds[1];
        assert_eq!((http.name.as_str(), http.line), ("http", 2));
        let server = &http.block.as_ref().unwrap()[0];
        assert_eq!(server.line, 3);
        assert_eq!(
            names(server.block.as_ref().unwrap()),
            [("listen".into(), vec!["80".into()], 4)]
        );
    }

    #[test]
    fn quotes_and_escapes_resolve_as_nginx_does() {
        let ds = ok(
            r#"log_format main '$remote_addr "$request" \'q\'' "a\"b" 'tab\there' "x\\y" un\;quoted;"#,
        );
        assert_eq!(
            ds[0].args,
            [
                "main",
                "$remote_addr \"$request\" 'q'",
                "a\"b",
                "tab\there",
                "x\\y",
                "un\\;quoted"
            ]
        );
    }

    #[test]
    fn a_quoted_string_may_span_lines_and_keeps_the_line_of_its_start() {
        let ds = ok("a \"one\ntwo\";\nb;\n");
        assert_eq!(ds[0].args, ["one\ntwo"]);
        assert_eq!(ds[1].line, 3);
    }

    #[test]
    fn crlf_files_read_like_lf_files() {
        let ds = ok("http {\r\n    proxy_read_timeout 5s;\r\n}\r\n");
        let inner = ds[0].block.as_ref().unwrap();
        assert_eq!(
            names(inner),
            [("proxy_read_timeout".into(), vec!["5s".into()], 2)]
        );
    }

    #[test]
    fn variables_in_braces_stay_one_word() {
        let ds = ok("set $a ${host}x;\nreturn 200 \"${a}\";\nmap $x $y { default ${z}; }\n");
        assert_eq!(ds[0].args, ["$a", "${host}x"]);
        assert_eq!(ds[1].args, ["200", "${a}"]);
        let map = ds[2].block.as_ref().unwrap();
        assert_eq!(names(map), [("default".into(), vec!["${z}".into()], 3)]);
    }

    #[test]
    fn hash_inside_a_word_is_not_a_comment() {
        let ds = ok("add_header X a#b;\n");
        assert_eq!(ds[0].args, ["X", "a#b"]);
    }

    #[test]
    fn if_loses_its_parentheses() {
        let ds =
            ok("if ($request_method = POST) { return 405; }\nif ( $a ) { }\nif ($x = \"y\" ) {}\n");
        assert_eq!(ds[0].args, ["$request_method", "=", "POST"]);
        assert_eq!(ds[1].args, ["$a"]);
        assert_eq!(ds[2].args, ["$x", "=", "y"]);
    }

    #[test]
    fn lua_blocks_are_opaque() {
        let text = "location / {\n  content_by_lua_block {\n    local t = { a = \"}\" } -- } in a comment\n    ngx.say([[ } ]])\n  }\n  proxy_pass http://x;\n}\n";
        let ds = ok(text);
        let inner = ds[0].block.as_ref().unwrap();
        assert_eq!(inner[0].name, "content_by_lua_block");
        assert!(inner[0].block.is_none());
        assert!(
            inner[0].args[0].contains("ngx.say([[ } ]])"),
            "{:?}",
            inner[0].args
        );
        assert_eq!(
            names(&inner[1..]),
            [("proxy_pass".into(), vec!["http://x".into()], 6)]
        );
        let ds = ok("set_by_lua_block $res { return 1 }\n");
        assert_eq!(ds[0].args, ["$res", " return 1 "]);
    }

    #[test]
    fn errors_carry_lines_and_the_rest_is_read() {
        let (ds, errors) = parse("a 1;\n}\nb 2;\nc 3 }\nd 4;\n", BOUNDS);
        assert_eq!(
            names(&ds),
            [
                ("a".into(), vec!["1".into()], 1),
                ("b".into(), vec!["2".into()], 3),
                ("d".into(), vec!["4".into()], 5)
            ]
        );
        assert_eq!(errors.iter().map(|e| e.line).collect::<Vec<_>>(), [2, 4, 4]);
    }

    #[test]
    fn unterminated_blocks_and_quotes_keep_what_came_before() {
        let (ds, errors) = parse("http {\n  server {\n    listen 80;\n", BOUNDS);
        assert_eq!(ds[0].name, "http");
        assert_eq!(
            ds[0].block.as_ref().unwrap()[0].block.as_ref().unwrap()[0].name,
            "listen"
        );
        assert_eq!(errors.len(), 1);
        assert!(errors[0].message.contains("expecting \"}\""));

        let (ds, errors) = parse("a 1;\nb \"never\nclosed;\n", BOUNDS);
        assert_eq!(names(&ds), [("a".into(), vec!["1".into()], 1)]);
        assert_eq!(errors[0].line, 2);
        assert!(errors[0].message.contains("never closed"));

        let (_, errors) = parse("a 1", BOUNDS);
        assert!(errors[0].message.contains("expecting \";\" or \"}\""));
        let (_, errors) = parse("{ a; }\n;", BOUNDS);
        assert_eq!(errors.len(), 2);
    }

    #[test]
    fn deep_nesting_is_bounded_not_recursed() {
        let text = "a{".repeat(100_000);
        let (ds, errors) = parse(&text, BOUNDS);
        assert_eq!(ds.len(), 1);
        let mut depth = 0;
        let mut d = &ds[0];
        while let Some(inner) = d.block.as_ref().and_then(|b| b.first()) {
            d = inner;
            depth += 1;
        }
        assert_eq!(depth, BOUNDS.depth - 1);
        assert!(errors.iter().any(|e| e.message.contains("nested deeper")));
    }

    #[test]
    fn a_token_budget_bounds_memory() {
        let text = "a ".repeat(50);
        let (_, errors) = parse(
            &text,
            Bounds {
                depth: 8,
                tokens: 10,
            },
        );
        assert!(
            errors
                .iter()
                .any(|e| e.message.contains("more than 10 words"))
        );
    }

    #[test]
    fn printing_and_reading_back_gives_the_same_tree() {
        let text = "http {\n  log_format m '\"$a\" \\\\ \\'x\\'';\n  server { listen 80; location ~ \\.php$ { fastcgi_pass unix:/run/x.sock; } }\n}\n";
        let ds = ok(text);
        let again = ok(&print(&ds));
        assert_eq!(strip_lines(ds), strip_lines(again));
    }

    fn strip_lines(mut ds: Vec<Directive>) -> Vec<Directive> {
        for d in &mut ds {
            d.line = 0;
            if let Some(b) = d.block.take() {
                d.block = Some(strip_lines(b));
            }
        }
        ds
    }
}
