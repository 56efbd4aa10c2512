//! # logscan-render
//!
//! Shows a [`logscan_analyze::Report`] to people and programs: a terminal table
//! ([`text::render`]), Markdown for tickets ([`markdown::render`]), a self-contained HTML
//! page ([`html::render`]), JSON ([`json`]), and records as Elastic Common Schema events
//! ([`events`]). Every string that came from a log
//! is escaped for its destination ([`escape`] for Markdown and HTML, [`logscan_text::terminal`]
//! for a terminal): nothing printed can carry a raw control
//! byte, escape sequence or bidi override from a log.
//!
//! One nginx error line, a report, and the report for a terminal, a ticket and a program;
//! the escape sequence an attacker put into the request reaches none of them raw:
//!
//! ```
//! use logscan_analyze::{Analyzer, Config, InputInfo, Origin};
//! use logscan_parse::{Format, Parser};
//! use logscan_render::{Options, json, markdown, text};
//!
//! let line = b"2026/11/25 01:27:19 [error] 812#812: *31 connect() failed (111: Connection refused) while connecting to upstream, client: 127.0.0.1, server: localhost, request: \"GET /\x1b[2J HTTP/1.1\", upstream: \"http://127.0.0.1:19020/\", host: \"localhost\"";
//! let mut analyzer = Analyzer::new(Config::default());
//! analyzer.add_input(0, InputInfo::new("error.log", Format::NginxError, "web1"));
//! let origin = Origin { input: 0, chunk: 0, line: 1, lines: 1, text: line };
//! analyzer.observe(&Parser::nginx_error().parse(line)?, &origin);
//! let report = analyzer.finish();
//!
//! let table = text::render(&report, &Options::new(100, false, 10));
//! assert!(table.contains("upstream_refused") && table.contains("127.0.0.1:19020"));
//! assert!(table.contains(r"GET /\x1b[2J")); // shown as text, not sent to the terminal
//! let ticket = markdown::render(&report, 10);
//! assert!(ticket.contains("`127.0.0.1:19020`"));
//! let program = json(&report);
//! assert!(!program.contains('\x1b') && !ticket.contains('\x1b'));
//! // JSON keeps the text: the escape is written as \u001b and parses back.
//! let value: serde_json::Value = serde_json::from_str(&program)?;
//! assert_eq!(value["findings"][0]["cause"], "upstream_refused");
//! assert_eq!(value["findings"][0]["requests"][0]["value"], "GET /\u{1b}[2J");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod escape;
pub mod events;
pub mod html;
pub mod json_safe;
pub mod markdown;
pub mod text;

use logscan_analyze::Report;
use logscan_analyze::report::ReportTime;
use logscan_text::thousands;

/// How to render for a terminal. `#[non_exhaustive]`, so that an option added later is
/// not a breaking change: made with [`Options::new`], then its fields may be changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Options {
    /// Columns available.
    pub width: usize,
    /// Whether to use ANSI colours.
    pub color: bool,
    /// How many findings to show.
    pub top: usize,
}

impl Options {
    /// `width` columns, ANSI colours when `color`, the `top` findings.
    pub fn new(width: usize, color: bool, top: usize) -> Options {
        Options { width, color, top }
    }
}

/// The report as pretty-printed JSON (the "Report JSON" contract). Strings from logs keep
/// their text; invalid UTF-8 in a log was already turned into `\xHH` text by the analyzer,
/// so the output is always valid JSON. Control, bidi and invisible format characters are
/// written as `\uXXXX` escapes ([`json_safe`]), so the JSON is safe to print to a terminal.
pub fn json(report: &Report) -> String {
    let mut text = json_safe::to_string_pretty(report)
        .unwrap_or_else(|e| serde_json::json!({ "error": e.to_string() }).to_string());
    text.push('\n');
    text
}

/// A sparkline of `values` resampled to `width` characters (`▁▂▃▄▅▆▇█`, blank for zero).
pub fn sparkline(values: &[u64], width: usize) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    if values.is_empty() || width == 0 {
        return String::new();
    }
    let width = width.min(values.len());
    let mut buckets = vec![0u64; width];
    for (i, v) in values.iter().enumerate() {
        let b = i * width / values.len();
        if let Some(slot) = buckets.get_mut(b) {
            *slot += v;
        }
    }
    let max = buckets.iter().copied().max().unwrap_or(0);
    buckets
        .iter()
        .map(|&v| {
            if v == 0 || max == 0 {
                ' '
            } else {
                // Eight levels: the smallest non-zero bucket still shows as ▁.
                let level = ((v as f64 / max as f64) * 8.0).ceil() as usize;
                BARS[level.clamp(1, 8) - 1]
            }
        })
        .collect()
}

/// `2026-11-25T01:27:30+00:00` → `01:27:30` (or `11-25 01:27` when `with_date`).
pub fn time_short(time: &ReportTime, with_date: bool) -> String {
    let pattern = if with_date { "%m-%d %H:%M" } else { "%H:%M:%S" };
    time.wall().format(pattern).to_string()
}

/// Whether the report spans a day or more (then times show their date).
pub fn spans_days(report: &Report) -> bool {
    report
        .span
        .as_ref()
        .is_some_and(|s| s.start.wall().date() != s.end.wall().date())
}

/// The upstream as a table shows it: `-` when unknown, and with its virtual host when
/// another shown finding has the same cause and upstream (they differ only by vhost).
pub fn upstream_label(
    f: &logscan_analyze::report::Finding,
    shown: &[&logscan_analyze::report::Finding],
) -> String {
    let base = if f.upstream.is_empty() {
        "-".to_owned()
    } else {
        f.upstream.clone()
    };
    // An edge finding says which edge: `aws-alb → 10.0.1.15:80`.
    let base = match &f.edge {
        Some(edge) => format!("{edge} → {base}"),
        None => base,
    };
    let ambiguous = shown
        .iter()
        .any(|o| o.rank != f.rank && o.cause == f.cause && o.upstream == f.upstream);
    match (&f.vhost, ambiguous) {
        (Some(vhost), true) => format!("{base} ({vhost})"),
        _ => base,
    }
}

/// How an input's lines were read, for the inputs lists: its format (`nginx-error`), or
/// `mixed (nginx-access 46, nginx-error 34)`, after its envelope when it had one
/// (`docker: ...`), with the other programs' lines (`, 5 other`). Format ids and envelope
/// names only: nothing from a log.
pub fn input_format_text(input: &logscan_analyze::report::InputReport) -> String {
    use logscan_analyze::report::InputFormat;
    let mut text = match input.envelope.as_deref() {
        Some(envelope) => format!("{envelope}: "),
        None => String::new(),
    };
    text.push_str(input.format.id());
    if input.format == InputFormat::Mixed {
        let parts: Vec<String> = input
            .formats
            .iter()
            .map(|(format, n)| format!("{format} {}", thousands(*n)))
            .collect();
        text.push_str(&format!(" ({})", parts.join(", ")));
    }
    if input.other > 0 {
        text.push_str(&format!(", {} other", thousands(input.other)));
    }
    text
}

/// Whether the inputs lists should say more than the format: an input in an envelope, of
/// mixed formats, or with other programs' lines.
pub fn input_needs_format_text(input: &logscan_analyze::report::InputReport) -> bool {
    input.envelope.is_some()
        || input.other > 0
        || input.format == logscan_analyze::report::InputFormat::Mixed
}

/// A configuration read, in one line: `configuration /etc/nginx/nginx.conf (nginx, 12
/// files, 1 warning)`, or why it could not be read.
pub fn config_line(c: &logscan_analyze::report::ConfigRead) -> String {
    if !c.ok {
        let why = c.error.as_deref().unwrap_or("could not be read");
        return format!("configuration not read: {why}");
    }
    let kind = c.kind.as_deref().unwrap_or("unknown kind");
    let warnings = c.warnings.len();
    format!(
        "configuration {} ({kind}, {} file{}, {} warning{})",
        c.path,
        c.files,
        if c.files == 1 { "" } else { "s" },
        warnings,
        if warnings == 1 { "" } else { "s" }
    )
}

/// A warning met while reading a configuration, as `path:line: message`.
pub fn config_warning(w: &logscan_analyze::report::ConfigWarning) -> String {
    let note = if w.severity == "note" { " (note)" } else { "" };
    match w.line {
        Some(line) => format!("{}:{line}: {}{note}", w.path, w.message),
        None => format!("{}: {}{note}", w.path, w.message),
    }
}

/// The layer of a finding in words, with what the join with the origin's logs found:
/// "edge (haproxy): 24 never reached the origin (nginx's access log has no line for
/// them)", "edge (aws-alb): explained by #1", or `None` for an origin finding. Every
/// output form shows it.
pub fn layer_text(f: &logscan_analyze::report::Finding) -> Option<String> {
    let edge = f.edge.as_deref()?;
    let mut text = format!("edge ({edge})");
    let mut parts = Vec::new();
    if let Some(o) = &f.origin {
        let server = o.server.as_deref().unwrap_or("the origin");
        if o.never_reached > 0 {
            parts.push(format!(
                "{} never reached the origin ({server}'s access log has no line for them)",
                thousands(o.never_reached)
            ));
        }
        if o.reached > 0 {
            let statuses: Vec<String> = o
                .statuses
                .iter()
                .map(|(s, n)| {
                    if s == "0" {
                        format!("{} in its error log", thousands(*n))
                    } else {
                        format!("{} × {s}", thousands(*n))
                    }
                })
                .collect();
            parts.push(format!(
                "{} reached it ({server} logged {})",
                thousands(o.reached),
                statuses.join(", ")
            ));
        }
        if o.unknown > 0 {
            parts.push(format!("{} could not be told", thousands(o.unknown)));
        }
    }
    if let Some(rank) = f.explained_by {
        parts.push(format!("explained by #{rank}"));
    }
    if !parts.is_empty() {
        text.push_str(": ");
        text.push_str(&parts.join("; "));
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparklines_scale_and_resample() {
        assert_eq!(sparkline(&[0, 1, 2, 4, 8], 5), " ▁▂▄█");
        assert_eq!(sparkline(&[1, 1, 1, 1], 2).chars().count(), 2);
        assert_eq!(sparkline(&[], 5), "");
        assert_eq!(sparkline(&[5; 100], 10), "██████████");
    }

    #[test]
    fn short_times() {
        let time = |text: &str| text.parse::<ReportTime>().unwrap();
        assert_eq!(
            time_short(&time("2026-11-25T01:27:30+00:00"), false),
            "01:27:30"
        );
        assert_eq!(
            time_short(&time("2026-11-25T01:27:30+05:30"), true),
            "11-25 01:27"
        );
        assert_eq!(
            time_short(&time("2026-11-25T01:27:30"), true),
            "11-25 01:27"
        );
    }
}
