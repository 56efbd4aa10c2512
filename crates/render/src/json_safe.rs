//! JSON that is safe to print: serde_json escapes `"`, `\` and C0 controls, but writes
//! DEL, C1 controls (U+0080..U+009F, which some terminals take as CSI/OSC), bidi controls
//! and invisible format characters raw. These formatters write every such character as a
//! `\uXXXX` escape instead (a UTF-16 surrogate pair outside the Basic Multilingual Plane),
//! so the JSON parses to the same strings and nothing from a log can act on a terminal
//! that shows it (`logscan --events | less`, `jq`, `cat`).

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::{CompactFormatter, Formatter, PrettyFormatter};

use logscan_text::is_unsafe_char;

/// Writes `fragment`, a part of a string serde_json does not escape itself, with unsafe
/// characters as `\uXXXX`. A character outside the Basic Multilingual Plane (the tag
/// characters U+E0000–U+E007F) is written as its UTF-16 surrogate pair, as JSON requires:
/// U+E0041 is `\udb40\udc41`, which parses back to U+E0041.
fn write_fragment<W: ?Sized + Write>(writer: &mut W, fragment: &str) -> io::Result<()> {
    let mut start = 0;
    for (i, c) in fragment.char_indices() {
        if is_unsafe_char(c) {
            writer.write_all(&fragment.as_bytes()[start..i])?;
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                write!(writer, "\\u{:04x}", unit)?;
            }
            start = i + c.len_utf8();
        }
    }
    writer.write_all(&fragment.as_bytes()[start..])
}

/// serde_json's compact form, terminal-safe.
#[derive(Debug, Default)]
pub(crate) struct SafeCompact(CompactFormatter);

impl Formatter for SafeCompact {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        write_fragment(writer, fragment)
    }
}

/// serde_json's pretty form, terminal-safe.
#[derive(Debug, Default)]
pub(crate) struct SafePretty(PrettyFormatter<'static>);

impl Formatter for SafePretty {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        write_fragment(writer, fragment)
    }
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_value(w)
    }
}

/// Writes `value` as compact, terminal-safe JSON (no trailing newline). I/O errors keep
/// their kind (a closed pipe stays [`io::ErrorKind::BrokenPipe`]).
pub fn write_compact<W: Write, T: ?Sized + Serialize>(writer: W, value: &T) -> io::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(writer, SafeCompact::default());
    value.serialize(&mut ser).map_err(io::Error::from)
}

/// `value` as pretty-printed, terminal-safe JSON.
pub fn to_string_pretty<T: ?Sized + Serialize>(value: &T) -> Result<String, serde_json::Error> {
    let mut out = Vec::with_capacity(4096);
    let mut ser = serde_json::Serializer::with_formatter(&mut out, SafePretty::default());
    value.serialize(&mut ser)?;
    // The formatter writes only what serde_json and `write_fragment` produce: UTF-8.
    Ok(String::from_utf8_lossy(&out).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsafe_characters_become_u_escapes_and_parse_back() {
        let text = "a\u{1b}[2J\u{7f}\u{9b}31m\u{202e}x\u{61c}é\"\\\n";
        let pretty = to_string_pretty(&serde_json::json!({ "k": text })).unwrap();
        assert!(
            pretty.contains("\\u001b[2J\\u007f\\u009b31m\\u202ex\\u061cé"),
            "{pretty}"
        );
        assert!(!pretty.chars().any(|c| c != '\n' && is_unsafe_char(c)));
        let back: serde_json::Value = serde_json::from_str(&pretty).unwrap();
        assert_eq!(back["k"], text);
        let mut compact = Vec::new();
        write_compact(&mut compact, &serde_json::json!([text])).unwrap();
        let compact = String::from_utf8(compact).unwrap();
        assert_eq!(
            compact,
            "[\"a\\u001b[2J\\u007f\\u009b31m\\u202ex\\u061cé\\\"\\\\\\n\"]"
        );
    }

    #[test]
    fn characters_outside_the_bmp_become_surrogate_pairs_and_parse_back() {
        // A tag-character payload (invisible "ADMIN") between visible text, and an emoji
        // outside the BMP that is safe and stays raw.
        let text = "user\u{e0001}\u{e0041}\u{e0044}\u{e004d}\u{e0049}\u{e004e}\u{e007f} 🦀\u{ad}";
        let pretty = to_string_pretty(&serde_json::json!({ "k": text })).unwrap();
        assert!(
            pretty.contains(
                "user\\udb40\\udc01\\udb40\\udc41\\udb40\\udc44\\udb40\\udc4d\\udb40\\udc49\\udb40\\udc4e\\udb40\\udc7f 🦀\\u00ad"
            ),
            "{pretty}"
        );
        // The old BMP-only form `\ue0041` would have read back as U+E004 followed by "1".
        let back: serde_json::Value = serde_json::from_str(&pretty).unwrap();
        assert_eq!(back["k"], text);
        let mut compact = Vec::new();
        write_compact(&mut compact, &serde_json::json!([text])).unwrap();
        let back: serde_json::Value = serde_json::from_slice(&compact).unwrap();
        assert_eq!(back[0], text);
        assert!(
            !String::from_utf8(compact)
                .unwrap()
                .chars()
                .any(is_unsafe_char)
        );
    }
}
