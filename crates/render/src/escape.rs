//! Making log text safe to show.
//!
//! Logs carry attacker-controlled bytes: request lines with terminal escape sequences
//! (colour changes, title changes, OSC 8 hyperlinks, cursor movement), C1 controls and
//! Unicode bidirectional overrides that make text read differently from what it is. Every
//! string from a log goes through one of these functions before it is printed.

use std::borrow::Cow;
use std::fmt::Write;

/// Whether a character must not reach a terminal raw: C0 controls (including ESC, but not
/// space), DEL, C1 controls, bidirectional embeddings/overrides/isolates and marks (the
/// Arabic letter mark U+061C included), and other invisible format characters that can
/// hide text.
pub fn is_unsafe_char(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}'
        | '\u{7f}'..='\u{9f}'
        | '\u{61c}'
        | '\u{200b}'..='\u{200f}'
        | '\u{2028}'..='\u{202e}'
        | '\u{2060}'..='\u{2069}'
        | '\u{feff}'
        | '\u{fff9}'..='\u{fffb}'
    )
}

/// Text for a terminal: unsafe characters become visible escapes (`\x1b`, `\n`, `\u{202e}`).
pub fn terminal(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        push_visible(&mut out, c);
    }
    Cow::Owned(out)
}

fn push_visible(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if (c as u32) < 0x100 && is_unsafe_char(c) => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c if is_unsafe_char(c) => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
        c => out.push(c),
    }
}

/// Text for Markdown (tickets, chat): terminal-safe, and Markdown syntax characters that
/// could change the rendering (`|`, `` ` ``, `*`, `_`, `<`, `>`, `[`, `]`, `#` ...) escaped
/// with a backslash.
pub fn markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe_char(c) {
            push_visible(&mut out, c);
        } else if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '~'
        ) {
            out.push('\\');
            out.push(c);
        } else {
            out.push(c);
        }
    }
    out
}

/// logscan's own prose with `code spans` (fix texts, summaries) that may embed values from
/// logs: prose parts are escaped like [`markdown`], code spans are kept as code (where
/// Markdown renders nothing), controls are made visible everywhere. An unpaired backtick is
/// escaped.
pub fn markdown_inline(text: &str) -> String {
    let parts: Vec<&str> = text.split('`').collect();
    let paired = parts.len() % 2 == 1;
    let mut out = String::with_capacity(text.len() + 8);
    for (i, part) in parts.iter().enumerate() {
        let is_code = i % 2 == 1 && (paired || i + 1 < parts.len());
        if is_code {
            out.push('`');
            out.push_str(&markdown_code(part));
            out.push('`');
        } else {
            if i % 2 == 1 {
                out.push_str("\\`");
            }
            out.push_str(&markdown(part));
        }
    }
    out
}

/// Text inside a Markdown code span: terminal-safe, backticks replaced by `'` so the span
/// cannot be closed early.
pub fn markdown_code(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    for c in text.chars() {
        match c {
            '`' => out.push('\''),
            c if is_unsafe_char(c) => push_visible(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

/// Text for HTML (element content and quoted attribute values): `& < > " '` as entities,
/// unsafe characters as visible escapes.
pub fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if is_unsafe_char(c) => push_visible(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_escapes_are_made_visible() {
        let hostile = "GET /\u{1b}]8;;http://evil\u{7}click\u{1b}]8;;\u{7}\u{1b}[2J\u{9b}31m\u{202e}txt.exe HTTP/1.1";
        let safe = terminal(hostile);
        assert!(!safe.chars().any(is_unsafe_char), "{safe}");
        assert!(safe.contains("\\x1b]8;;http://evil\\x07"));
        assert!(safe.contains("\\x9b31m"));
        assert!(safe.contains("\\u{202e}"));
        assert!(matches!(terminal("plain text é"), Cow::Borrowed(_)));
        // The Arabic letter mark is a bidi control too (Trojan Source list).
        assert_eq!(terminal("a\u{61c}b"), "a\\u{61c}b");
    }

    #[test]
    fn markdown_and_html_cannot_be_broken_out_of() {
        assert_eq!(markdown("a|b`c*"), "a\\|b\\`c\\*");
        assert_eq!(
            markdown_inline("raise `proxy_read_timeout` for [x](y)"),
            "raise `proxy_read_timeout` for \\[x\\](y)"
        );
        assert_eq!(markdown_inline("odd ` tick"), "odd \\` tick");
        assert_eq!(markdown_inline("`a_b` and c_d"), "`a_b` and c\\_d");
        assert_eq!(markdown_code("x`y\u{1b}"), "x'y\\x1b");
        assert_eq!(
            html("<script>alert('x')</script>&"),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;"
        );
        assert_eq!(html("\u{1b}[31m"), "\\x1b[31m");
    }
}
