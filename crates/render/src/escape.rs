//! Making log text safe to show in Markdown and HTML.
//!
//! Logs carry attacker-controlled bytes: request lines with terminal escape sequences
//! (colour changes, title changes, OSC 8 hyperlinks, cursor movement), C1 controls and
//! Unicode bidirectional overrides that make text read differently from what it is. Every
//! string from a log goes through one of these functions, or through
//! [`logscan_text::terminal`] for a terminal, before it is printed. All of them make the
//! same characters visible ([`logscan_text::is_unsafe_char`]); these add the syntax of
//! their format.

use std::fmt;

use logscan_text::{is_unsafe_char, write_visible as push_visible};

/// Text for Markdown (tickets, chat): terminal-safe, and Markdown syntax characters that
/// could change the rendering (`|`, `` ` ``, `*`, `_`, `<`, `>`, `[`, `]`, `#` ...) escaped
/// with a backslash.
pub fn markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe_char(c) {
            let _ = push_visible(&mut out, c);
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
            c if is_unsafe_char(c) => {
                let _ = push_visible(&mut out, c);
            }
            c => out.push(c),
        }
    }
    out
}

/// Text for HTML (element content and quoted attribute values): `& < > " '` as entities,
/// unsafe characters as visible escapes. The escaping happens as the result is written,
/// without allocating: `write!(out, "<td>{}</td>", html(text))`.
pub fn html(text: &str) -> Html<'_> {
    Html(text)
}

/// Text escaped for HTML when it is displayed; made by [`html`].
#[derive(Clone, Copy, Debug)]
pub struct Html<'a>(&'a str);

impl fmt::Display for Html<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.0;
        // Runs of characters that need nothing are written as one slice.
        let mut start = 0;
        for (i, c) in text.char_indices() {
            let entity = match c {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                c if is_unsafe_char(c) => "",
                _ => continue,
            };
            f.write_str(&text[start..i])?;
            if entity.is_empty() {
                push_visible(f, c)?;
            } else {
                f.write_str(entity)?;
            }
            start = i + c.len_utf8();
        }
        f.write_str(&text[start..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
            html("<script>alert('x')</script>&").to_string(),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;"
        );
        assert_eq!(html("\u{1b}[31m").to_string(), "\\x1b[31m");
        assert_eq!(
            html("é\"x\"\u{202e}!").to_string(),
            "é&quot;x&quot;\\u{202e}!"
        );
        assert_eq!(html("").to_string(), "");
    }

    #[test]
    fn invisible_format_characters_are_made_visible() {
        assert_eq!(markdown("soft\u{ad}hyphen"), "soft\\xadhyphen");
        assert_eq!(markdown_code("\u{e0041}"), "\\u{e0041}");
        assert_eq!(html("\u{600}1").to_string(), "\\u{600}1");
    }
}
