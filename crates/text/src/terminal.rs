//! Text for a terminal.
//!
//! Logs carry attacker-controlled bytes: request lines with terminal escape sequences
//! (colour changes, title changes, OSC 8 hyperlinks, cursor movement), C1 controls and
//! Unicode bidirectional overrides that make text read differently from what it is. Every
//! string from a log goes through [`terminal`] (or an escaper built on [`write_visible`])
//! before it is shown.

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
        let _ = write_visible(&mut out, c);
    }
    Cow::Owned(out)
}

/// Writes `c` as it may be shown: `\n`, `\r`, `\t`, `\x1b` (characters below U+0100),
/// `\u{202e}` (the others) for an unsafe character (see [`is_unsafe_char`]), else `c`
/// itself. Escapers for other formats (Markdown, HTML) call it for the characters they do
/// not escape themselves, so every output follows one policy.
///
/// ```
/// let mut out = String::new();
/// for c in "a\u{1b}\u{202e}".chars() {
///     logscan_text::write_visible(&mut out, c)?;
/// }
/// assert_eq!(out, "a\\x1b\\u{202e}");
/// # Ok::<(), std::fmt::Error>(())
/// ```
pub fn write_visible<W: fmt::Write + ?Sized>(out: &mut W, c: char) -> fmt::Result {
    match c {
        '\n' => out.write_str("\\n"),
        '\r' => out.write_str("\\r"),
        '\t' => out.write_str("\\t"),
        c if (c as u32) < 0x100 && is_unsafe_char(c) => write!(out, "\\x{:02x}", c as u32),
        c if is_unsafe_char(c) => write!(out, "\\u{{{:x}}}", c as u32),
        c => out.write_char(c),
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

    /// Every C0 control, DEL and every C1 control, one at a time: each is written as a
    /// visible escape and nothing of it reaches the output raw.
    #[test]
    fn every_control_byte_is_escaped() {
        for code in (0u32..0x20).chain(0x7f..0xa0) {
            let c = char::from_u32(code).unwrap();
            let shown = terminal(&format!("a{c}b")).into_owned();
            let expected = match c {
                '\n' => "a\\nb".to_owned(),
                '\r' => "a\\rb".to_owned(),
                '\t' => "a\\tb".to_owned(),
                _ => format!("a\\x{code:02x}b"),
            };
            assert_eq!(shown, expected, "U+{code:04X}");
            assert!(
                shown.chars().all(|c| c == ' ' || !c.is_control()),
                "{shown:?}"
            );
        }
        // Space and printable ASCII are left alone.
        let printable: String = (0x20u8..0x7f).map(char::from).collect();
        assert!(matches!(terminal(&printable), Cow::Borrowed(_)));
    }

    /// Escape sequences (CSI, OSC with BEL and ST terminators, DCS, 8-bit CSI) lose their
    /// introducer, so a terminal shows them as text and runs none.
    #[test]
    fn escape_sequences_cannot_run() {
        for sequence in [
            "\u{1b}[31m",
            "\u{1b}[2J\u{1b}[H",
            "\u{1b}]0;owned\u{7}",
            "\u{1b}]8;;http://evil\u{1b}\\",
            "\u{1b}P+q\u{1b}\\",
            "\u{9b}6n",
            "\u{1b}c",
        ] {
            let shown = terminal(sequence);
            assert!(
                !shown.contains('\u{1b}') && !shown.contains('\u{9b}'),
                "{shown}"
            );
            assert!(!shown.contains('\u{7}'), "{shown}");
            assert!(
                shown.starts_with("\\x1b") || shown.starts_with("\\x9b"),
                "{shown}"
            );
        }
    }

    /// Invalid UTF-8 from a log goes through `escape_bytes` first; what it makes is safe
    /// text, and the controls in it are escaped here.
    #[test]
    fn invalid_utf8_then_terminal() {
        let kept = crate::escape_bytes(b"\xff\x1b[1m\xc3", 100);
        assert_eq!(kept, "\\xff\u{1b}[1m\\xc3");
        assert_eq!(terminal(&kept), "\\xff\\x1b[1m\\xc3");
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
        assert_eq!(terminal("\u{600}1"), "\\u{600}1");
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
