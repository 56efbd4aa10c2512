//! Making log text safe to show.
//!
//! Logs carry attacker-controlled bytes: request lines with terminal escape sequences
//! (colour changes, title changes, OSC 8 hyperlinks, cursor movement), C1 controls and
//! Unicode bidirectional overrides that make text read differently from what it is. Every
//! string from a log goes through one of these functions before it is printed.

use std::borrow::Cow;
use std::fmt;

/// Whether a character must not reach a terminal raw. The set is the union of what
/// terminal-safety tools agree on (fd's sanitizer among them) and Unicode's invisible
/// categories, so it covers every character of the general categories Cc, Cf, Zl and Zp
/// (a test checks this against a Unicode table):
///
/// - C0 controls (ESC included; space is not), DEL and the C1 controls U+0080–U+009F;
/// - bidirectional embeddings, overrides, isolates and marks: U+202A–U+202E,
///   U+2066–U+2069, U+200E/U+200F and the Arabic letter mark U+061C (the Trojan Source
///   list);
/// - the line and paragraph separators U+2028/U+2029;
/// - invisible format characters that hide or disguise text: the soft hyphen U+00AD, the
///   Mongolian vowel separator U+180E, zero-width characters U+200B–U+200D, word joiner
///   and invisible operators U+2060–U+2064, the deprecated format characters
///   U+206A–U+206F, the BOM U+FEFF, interlinear annotations U+FFF9–U+FFFB and the tag
///   characters U+E0000–U+E007F (which spell hidden ASCII);
/// - the remaining format characters: Arabic and Syriac number and end-of-ayah signs
///   (U+0600–U+0605, U+06DD, U+070F, U+0890/U+0891, U+08E2), Kaithi number signs
///   (U+110BD, U+110CD), Egyptian hieroglyph, shorthand and musical-beam format controls
///   (U+13430–U+1343F, U+1BCA0–U+1BCA3, U+1D173–U+1D17A).
pub fn is_unsafe_char(c: char) -> bool {
    // Printable ASCII is by far the most common case: one comparison.
    if c < '\u{7f}' {
        return c < ' ';
    }
    matches!(c,
        '\u{7f}'..='\u{9f}'
        | '\u{ad}'
        | '\u{600}'..='\u{605}'
        | '\u{61c}'
        | '\u{6dd}'
        | '\u{70f}'
        | '\u{890}'..='\u{891}'
        | '\u{8e2}'
        | '\u{180e}'
        | '\u{200b}'..='\u{200f}'
        | '\u{2028}'..='\u{202e}'
        | '\u{2060}'..='\u{206f}'
        | '\u{feff}'
        | '\u{fff9}'..='\u{fffb}'
        | '\u{110bd}'
        | '\u{110cd}'
        | '\u{13430}'..='\u{1343f}'
        | '\u{1bca0}'..='\u{1bca3}'
        | '\u{1d173}'..='\u{1d17a}'
        | '\u{e0000}'..='\u{e007f}'
    )
}

/// Text for a terminal: unsafe characters become visible escapes (`\x1b`, `\n`, `\u{202e}`).
pub fn terminal(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        let _ = push_visible(&mut out, c);
    }
    Cow::Owned(out)
}

/// Writes `c` visibly: `\n`, `\x1b`, `\u{202e}` for unsafe characters, else `c` itself.
fn push_visible<W: fmt::Write + ?Sized>(out: &mut W, c: char) -> fmt::Result {
    match c {
        '\n' => out.write_str("\\n"),
        '\r' => out.write_str("\\r"),
        '\t' => out.write_str("\\t"),
        c if (c as u32) < 0x100 && is_unsafe_char(c) => write!(out, "\\x{:02x}", c as u32),
        c if is_unsafe_char(c) => write!(out, "\\u{{{:x}}}", c as u32),
        c => out.write_char(c),
    }
}

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
        assert_eq!(terminal("soft\u{ad}hyphen"), "soft\\xadhyphen");
        assert_eq!(
            terminal("a\u{180e}b\u{206a}c\u{206f}"),
            "a\\u{180e}b\\u{206a}c\\u{206f}"
        );
        // Tag characters spell ASCII invisibly ("hi" here); each is shown.
        assert_eq!(
            terminal("x\u{e0001}\u{e0068}\u{e0069}\u{e007f}"),
            "x\\u{e0001}\\u{e0068}\\u{e0069}\\u{e007f}"
        );
        assert_eq!(markdown_code("\u{e0041}"), "\\u{e0041}");
        assert_eq!(html("\u{600}1").to_string(), "\\u{600}1");
        // Visible text outside the BMP and variation selectors stay as they are.
        assert!(matches!(
            terminal("🦀 \u{2764}\u{fe0f} \u{6f22}\u{e0101}"),
            Cow::Borrowed(_)
        ));
    }

    /// The policy is checked against the Unicode tables, not against itself: every
    /// control (Cc), format (Cf), line separator (Zl) and paragraph separator (Zp)
    /// character is escaped, whatever Unicode version added it.
    #[test]
    fn every_control_format_and_separator_character_is_unsafe() {
        use unicode_general_category::{GeneralCategory, get_general_category};
        let mut missed = Vec::new();
        for c in (0..=0x10_ffff).filter_map(char::from_u32) {
            let invisible = matches!(
                get_general_category(c),
                GeneralCategory::Control
                    | GeneralCategory::Format
                    | GeneralCategory::LineSeparator
                    | GeneralCategory::ParagraphSeparator
            );
            if invisible && !is_unsafe_char(c) {
                missed.push(format!("U+{:04X}", c as u32));
            }
            if is_unsafe_char(c) {
                assert!(!terminal(&c.to_string()).chars().any(is_unsafe_char));
            }
        }
        assert!(missed.is_empty(), "not escaped: {missed:?}");
        // Letters, digits, punctuation and spaces other than controls are left alone.
        for c in ['a', ' ', 'é', '€', '\u{a0}', '\u{3000}', '\u{fffd}'] {
            assert!(!is_unsafe_char(c), "{c:?}");
        }
    }
}
