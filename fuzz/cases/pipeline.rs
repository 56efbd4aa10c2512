//! The `pipeline` fuzz case: bytes -> settings -> the library read loop
//! (`logscan_scan::Scanner`, the one the CLI runs) into an `Analyzer` and an `EventWriter`
//! -> every renderer, with the checks that must hold for any input.
//!
//! Shared, so that the fuzz target (`fuzz/fuzz_targets/pipeline.rs`) and the crasher replay
//! (`crates/cli/tests/fuzz_regressions.rs`) map bytes to settings the same way: both include
//! this file. The first byte picks the format (0-3 detection, then nginx error, Apache
//! error, PHP-FPM, nginx access, Apache access, nginx access), the second a zone (its two
//! low bits) and an envelope (the next three: detection, none, docker, cri, timestamped,
//! syslog, journald, detection), the rest is the log. [`Case::args`] gives the same
//! settings as command-line flags.
//!
//! Checks, besides "no panic": every physical line is counted once (`lines = parsed +
//! unrecognized + other`, equal to the newline count plus one for a last line without
//! `\n`); the
//! table (with and without colour), Markdown, HTML, the JSON report and every event carry
//! no character of the Unicode general categories Cc, Cf, Zl or Zp other than `\n` (the
//! table's own SGR colour codes aside), by a table of the Unicode standard that logscan's
//! escaping does not use; the report JSON and each event are valid JSON.

use logscan_analyze::{Analyzer, Config};
use logscan_input::{Input, ReaderConfig};
use logscan_parse::{Format, Zone};
use logscan_scan::{Envelope, Envelopes, EventWriter, Formats, Scanner};
use unicode_general_category::{GeneralCategory, get_general_category};

/// The input's name: hostile too, since it is shown in every form.
pub const NAME: &str = "fuzz/\u{1b}[31mx\u{202e}.log";

/// One fuzz input, decoded.
#[derive(Debug)]
pub struct Case<'a> {
    /// `--format` (`None`: detect).
    pub format: Option<Format>,
    /// `--tz`.
    pub zone: Option<&'static str>,
    /// `--envelope`.
    pub envelopes: Envelopes,
    /// The log.
    pub log: &'a [u8],
}

impl<'a> Case<'a> {
    /// `[format byte, zone byte, log...]`; `None` for fewer than two bytes.
    pub fn from_bytes(data: &'a [u8]) -> Option<Case<'a>> {
        let [choice, zone, log @ ..] = data else {
            return None;
        };
        let format = match choice % 10 {
            0..=3 => None,
            4 => Some(Format::NginxError),
            5 => Some(Format::ApacheError),
            6 => Some(Format::PhpFpm),
            7 | 9 => Some(Format::NginxAccess),
            _ => Some(Format::ApacheAccess),
        };
        let envelopes = match (zone >> 2) % 8 {
            1 => Envelopes::None,
            n @ 2..=6 => Envelopes::Always(Envelope::ALL[usize::from(n - 2)]),
            _ => Envelopes::Auto,
        };
        let zone = match zone % 4 {
            0 => None,
            1 => Some("UTC"),
            2 => Some("Europe/Berlin"),
            _ => Some("-03:30"),
        };
        Some(Case {
            format,
            zone,
            envelopes,
            log,
        })
    }

    /// The same settings as `logscan` flags.
    pub fn args(&self) -> Vec<String> {
        let mut args = vec![
            "--format".to_owned(),
            self.format.map_or("auto", Format::id).to_owned(),
        ];
        if let Some(zone) = self.zone {
            args.push(format!("--tz={zone}"));
        }
        args.push("--envelope".to_owned());
        args.push(
            match self.envelopes {
                Envelopes::Auto => "auto",
                Envelopes::None => "none",
                Envelopes::Always(envelope) => envelope.name(),
            }
            .to_owned(),
        );
        args
    }

    /// Reads the log through the library loop into a report and events, renders every
    /// form, and panics if a promise is broken.
    pub fn run(&self) {
        let zone: Option<Zone> = self
            .zone
            .map(|z| z.parse().expect("a zone the CLI accepts"));
        // Small limits, so over-long lines and entries are reached with small inputs.
        let scanner = Scanner::new(Formats {
            format: self.format,
            envelopes: self.envelopes,
            ..Formats::default()
        })
        .reader_config(ReaderConfig {
            max_line: 512,
            max_entry: 1024,
            max_continuation_lines: 8,
        });
        let input = Input::file(NAME, None);
        let mut config = Config::default();
        config.zone = zone.clone();
        let mut analyzer = Analyzer::new(config.clone());
        if let Err(e) = scanner.scan_reader(0, &input, self.log, &mut analyzer) {
            panic!("bytes in memory could not be read: {e}");
        }
        let report = analyzer.finish();

        // Every physical line counted once.
        let newlines = self.log.iter().filter(|&&b| b == b'\n').count() as u64;
        let physical = newlines + u64::from(!self.log.is_empty() && !self.log.ends_with(b"\n"));
        let counted = &report.inputs[0];
        assert_eq!(
            counted.lines,
            counted.parsed + counted.unrecognized + counted.other
        );
        if counted.envelope.is_none() {
            assert_eq!(counted.other, 0);
        }
        assert_eq!(counted.lines, physical);
        assert_eq!(report.totals.lines, physical);

        // Renderers: nothing raw from the log.
        for color in [false, true] {
            let options = logscan_render::Options::new(100, color, 10);
            let table = logscan_render::text::render(&report, &options);
            assert_clean("table", &strip_sgr(&table));
        }
        assert_clean("markdown", &logscan_render::markdown::render(&report, 10));
        assert_clean("html", &logscan_render::html::render(&report, 10));
        let json = logscan_render::json(&report);
        serde_json::from_str::<serde_json::Value>(&json).expect("report JSON is valid");
        assert_clean("json", &json);

        // Events, through the same loop.
        let mut events = EventWriter::new(Vec::new(), zone.unwrap_or(Zone::Utc), config);
        if let Err(e) = scanner.scan_reader(0, &input, self.log, &mut events) {
            panic!("bytes in memory could not be read: {e}");
        }
        let written = events.finish().expect("writing to memory");
        let text = String::from_utf8(written).expect("events are UTF-8");
        assert_clean("events", &text);
        for line in text.lines() {
            serde_json::from_str::<serde_json::Value>(line).expect("event JSON is valid");
        }
    }
}

/// Whether a character must not reach a terminal raw: Unicode controls (Cc), format
/// characters (Cf: bidi controls, zero-width and invisible characters, tags), line and
/// paragraph separators (Zl, Zp).
pub fn is_control_or_format(c: char) -> bool {
    matches!(
        get_general_category(c),
        GeneralCategory::Control
            | GeneralCategory::Format
            | GeneralCategory::LineSeparator
            | GeneralCategory::ParagraphSeparator
    )
}

/// Panics, showing the character and where, if `text` carries one that
/// [`is_control_or_format`] (`\n` aside).
pub fn assert_clean(form: &str, text: &str) {
    if let Some((i, c)) = text
        .char_indices()
        .find(|&(_, c)| c != '\n' && is_control_or_format(c))
    {
        let from = text[..i].char_indices().rev().nth(60).map_or(0, |(j, _)| j);
        let to = text[i..]
            .char_indices()
            .nth(20)
            .map_or(text.len(), |(j, _)| i + j);
        panic!(
            "{form} output carries a raw {c:?} (U+{:04X}) at byte {i}: ...{:?}...",
            c as u32,
            &text[from..to]
        );
    }
}

/// Removes the SGR colour sequences the table writes itself (`ESC [ digits ; m`).
pub fn strip_sgr(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('\u{1b}') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let body_len = after.strip_prefix('[').map(|b| {
            b.bytes()
                .take_while(|c| c.is_ascii_digit() || *c == b';')
                .count()
        });
        match body_len {
            Some(n) if after.as_bytes().get(1 + n) == Some(&b'm') => rest = &after[n + 2..],
            _ => {
                out.push('\u{1b}');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}
