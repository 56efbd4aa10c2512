//! The terminal report: a header, the summary, ranked findings as a table with a sparkline
//! timeline, each finding's fix, incidents, and what the access logs showed.

use std::fmt::Write;

use logscan_analyze::report::{Finding, Report, ZoneSource};
use logscan_parse::Severity;
use tabled::builder::Builder;
use tabled::settings::object::Columns;
use tabled::settings::{Alignment, Modify, Padding, Style, Width};

use crate::{Options, sparkline, time_short};
use logscan_text::terminal;

const RESET: &str = "\u{1b}[0m";

fn paint(text: &str, style: &str, color: bool) -> String {
    if color && !style.is_empty() {
        format!("\u{1b}[{style}m{text}{RESET}")
    } else {
        text.to_owned()
    }
}

fn severity_style(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "1;31",
        Severity::High => "31",
        Severity::Medium => "33",
        Severity::Low => "36",
        Severity::Info => "2",
        _ => "0",
    }
}

/// Renders the report for a terminal `options.width` columns wide.
pub fn render(report: &Report, options: &Options) -> String {
    let width = options.width.clamp(60, 400);
    let color = options.color;
    let bold = |t: &str| paint(t, "1", color);
    let dim = |t: &str| paint(t, "2", color);
    let mut out = String::new();
    let long_span = crate::spans_days(report);

    // Header.
    let totals = &report.totals;
    let span = match &report.span {
        Some(s) => format!(
            "{} to {}",
            s.start.to_string().replace('T', " "),
            time_short(&s.end, long_span)
        ),
        None => "no timestamps".to_owned(),
    };
    let zone = match report.zone.source {
        ZoneSource::Caller => format!("zone {}", report.zone.name),
        ZoneSource::AccessLog => format!("zone {} (from the access log)", report.zone.name),
        ZoneSource::Envelope => format!("zone {} (from the envelope)", report.zone.name),
        ZoneSource::AsLogged => "times as logged".to_owned(),
        // A source added to the report later: its JSON id says where the zone came from.
        source => format!("zone {} ({source})", report.zone.name),
    };
    let header = format!(
        "logscan: {} input{}, {} lines ({} unrecognized), {span}, {zone}",
        report.inputs.len(),
        if report.inputs.len() == 1 { "" } else { "s" },
        logscan_text::thousands(totals.lines),
        logscan_text::thousands(totals.unrecognized),
    );
    push_styled(&mut out, &header, width, "", "1", color);
    for input in report
        .inputs
        .iter()
        .filter(|i| crate::input_needs_format_text(i))
    {
        let line = format!(
            "{}: {}",
            terminal(&input.path),
            crate::input_format_text(input)
        );
        push_styled(&mut out, &line, width, "  ", "2", color);
    }
    if totals.requests > 0 {
        let line = format!(
            "{} requests, {} × 5xx, {} failure events in {} logs",
            logscan_text::thousands(totals.requests),
            logscan_text::thousands(totals.server_errors),
            logscan_text::thousands(totals.failures),
            if report.edge.is_some() {
                "error and edge"
            } else {
                "error"
            }
        );
        push_styled(&mut out, &line, width, "", "2", color);
    }
    out.push('\n');
    push_wrapped(&mut out, &terminal(&report.summary), width, "");
    out.push('\n');

    let shown: Vec<&Finding> = report.findings.iter().take(options.top).collect();
    if shown.is_empty() {
        out.push_str("No findings.\n");
    } else {
        out.push_str(&findings_table(&shown, width, color, long_span));
        out.push('\n');
        for f in &shown {
            out.push('\n');
            finding_detail(&mut out, f, width, color);
        }
        if report.findings.len() > shown.len() {
            let _ = writeln!(
                out,
                "\n{}",
                dim(&format!(
                    "… {} more finding(s); --top {} shows all.",
                    report.findings.len() - shown.len(),
                    report.findings.len()
                ))
            );
        }
    }

    if !report.incidents.is_empty() {
        let _ = writeln!(out, "\n{}", bold("Incidents"));
        for inc in &report.incidents {
            push_wrapped(
                &mut out,
                &format!("• {}", terminal(&inc.summary)),
                width,
                "  ",
            );
        }
    }

    if let Some(access) = &report.access {
        let _ = writeln!(out, "\n{}", bold("Access logs"));
        let mut line = format!(
            "{} requests, {} × 5xx",
            logscan_text::thousands(access.requests),
            logscan_text::thousands(access.server_errors)
        );
        if access.server_errors > 0 {
            let _ = write!(
                line,
                " ({:.0}% attributed to error-log causes)",
                access.attributed_share * 100.0
            );
        }
        if access.client_closed > 0 {
            let _ = write!(
                line,
                ", {} × 499",
                logscan_text::thousands(access.client_closed)
            );
        }
        if let Some(q) = &access.upstream_time {
            let _ = write!(
                line,
                "; upstream time p50 {} p99 {} max {}",
                secs(q.p50),
                secs(q.p99),
                secs(q.max)
            );
        } else if let Some(q) = &access.request_time {
            let _ = write!(
                line,
                "; request time p50 {} p99 {} max {}",
                secs(q.p50),
                secs(q.p99),
                secs(q.max)
            );
        }
        push_wrapped(&mut out, &line, width, "  ");
        for u in access.unattributed.iter().take(3) {
            push_wrapped(
                &mut out,
                &format!(
                    "• {} × {}",
                    logscan_text::thousands(u.count),
                    terminal(&u.value)
                ),
                width,
                "  ",
            );
        }
    }

    for input in &report.inputs {
        for ex in input.unrecognized_examples.iter().take(2) {
            let _ = writeln!(
                out,
                "{}",
                dim(&format!(
                    "unrecognized: {}:{}: {}",
                    terminal(&ex.path),
                    ex.line,
                    terminal(&cut(&ex.text, width.saturating_sub(20)))
                ))
            );
        }
    }
    for c in &report.configs {
        let _ = writeln!(
            out,
            "{}",
            dim(&terminal(&cut(&crate::config_line(c), width)))
        );
        for w in c.warnings.iter().filter(|_| c.ok).take(5) {
            let _ = writeln!(
                out,
                "{}",
                dim(&terminal(&cut(
                    &format!("  {}", crate::config_warning(w)),
                    width
                )))
            );
        }
    }
    out
}

fn secs(s: f64) -> String {
    if s < 1.0 {
        format!("{:.0}ms", s * 1_000.0)
    } else {
        format!("{s:.1}s")
    }
}

fn findings_table(findings: &[&Finding], width: usize, color: bool, long_span: bool) -> String {
    const GAP: usize = 2;
    let time_w = if long_span { 11 } else { 8 };
    let cause_w = findings
        .iter()
        .map(|f| f.cause.id().len())
        .max()
        .unwrap_or(10)
        .min(24);
    let upstream_need = findings
        .iter()
        .map(|f| crate::upstream_label(f, findings).chars().count())
        .max()
        .unwrap_or(1)
        .clamp(8, 40);
    // Columns that go first when the terminal is narrow: LAST, then SHARE.
    let count_w = findings
        .iter()
        .map(|f| logscan_text::thousands(f.count).len())
        .max()
        .unwrap_or(1)
        .max(5);
    let base = 2 + 8 + cause_w + count_w + time_w + 6 * GAP;
    let (show_share, show_last) = match width {
        w if w >= base + 5 + time_w + 2 * GAP + upstream_need + 16 => (true, true),
        w if w >= base + 5 + GAP + 12 + 10 => (true, false),
        _ => (false, false),
    };
    let mut used = base;
    if show_share {
        used += 5 + GAP;
    }
    if show_last {
        used += time_w + GAP;
    }
    let room = width.saturating_sub(used);
    let upstream_w = upstream_need.min(room.saturating_sub(8)).max(8);
    let spark_w = room.saturating_sub(upstream_w).clamp(6, 48);
    let mut header = vec!["#", "SEVERITY", "CAUSE", "UPSTREAM", "COUNT"];
    if show_share {
        header.push("SHARE");
    }
    header.push("FIRST");
    if show_last {
        header.push("LAST");
    }
    header.push("TIMELINE");
    let mut builder = Builder::default();
    builder.push_record(header);
    for f in findings {
        let upstream = crate::upstream_label(f, findings);
        let severity = f.severity.as_str().to_uppercase();
        let mut row = vec![
            f.rank.to_string(),
            paint(&severity, severity_style(f.severity), color),
            f.cause.id().to_owned(),
            cut(&terminal(&upstream), upstream_w),
            logscan_text::thousands(f.count),
        ];
        if show_share {
            row.push(format!("{:.0}%", f.share * 100.0));
        }
        row.push(time_short(&f.first_seen, long_span));
        if show_last {
            row.push(time_short(&f.last_seen, long_span));
        }
        row.push(sparkline(&f.timeline, spark_w));
        builder.push_record(row);
    }
    let right = if show_share { 4..6 } else { 4..5 };
    let mut table = builder.build();
    table
        .with(Style::blank())
        .with(Padding::new(0, 1, 0, 0))
        .with(Modify::new(Columns::new(right)).with(Alignment::right()))
        .with(Modify::new(Columns::one(2)).with(Width::truncate(cause_w).suffix("…")));
    let mut text = table.to_string();
    // Trailing spaces from padding are noise in a terminal and in snapshots.
    text = text
        .lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n");
    text.push('\n');
    text
}

fn finding_detail(out: &mut String, f: &Finding, width: usize, color: bool) {
    let title = format!("{}. {} — {}", f.rank, terminal(&f.title), f.category_text);
    push_styled(out, &title, width, "   ", severity_style(f.severity), color);
    let mut facts = Vec::new();
    if !f.statuses.is_empty() {
        let statuses: Vec<String> = f
            .statuses
            .iter()
            .map(|(s, n)| format!("{} × {s}", logscan_text::thousands(*n)))
            .collect();
        facts.push(format!(
            "{}{}",
            statuses.join(", "),
            if f.statuses_inferred {
                " (expected status)"
            } else {
                " to clients"
            }
        ));
    }
    if let Some(peak) = &f.peak {
        facts.push(format!(
            "peak {} at {}",
            logscan_text::thousands(peak.count),
            time_short(&peak.start, false)
        ));
    }
    if f.truncated_responses > 0 {
        facts.push(format!(
            "{} truncated responses",
            logscan_text::thousands(f.truncated_responses)
        ));
    }
    if !facts.is_empty() {
        push_wrapped(out, &facts.join("; "), width, "   ");
    }
    if let Some(layer) = crate::layer_text(f) {
        push_wrapped(
            out,
            &format!("   Layer: {}", terminal(&layer)),
            width,
            "     ",
        );
    }
    if !f.requests.is_empty() {
        let top: Vec<String> = f
            .requests
            .iter()
            .take(3)
            .map(|r| {
                format!(
                    "{} ({})",
                    terminal(&r.value),
                    logscan_text::thousands(r.count)
                )
            })
            .collect();
        push_wrapped(
            out,
            &format!("   Endpoints: {}", top.join(", ")),
            width,
            "     ",
        );
    }
    if let Some(trigger) = &f.trigger {
        push_wrapped(
            out,
            &format!(
                "   Trigger: {} × {} at {}",
                logscan_text::thousands(trigger.count),
                trigger.cause.id(),
                terminal(&trigger.upstream)
            ),
            width,
            "     ",
        );
    }
    for note in &f.notes {
        push_wrapped(out, &format!("   Note: {}", terminal(note)), width, "     ");
    }
    for m in &f.mismatches {
        push_wrapped(
            out,
            &format!("   Config: {}", terminal(&m.message)),
            width,
            "     ",
        );
    }
    push_wrapped(
        out,
        &format!("   Fix: {}", terminal(&f.fix.summary)),
        width,
        "     ",
    );
    for (i, step) in f.fix.steps.iter().enumerate() {
        push_wrapped(
            out,
            &format!("     {}. {}", i + 1, terminal(step)),
            width,
            "        ",
        );
    }
    if let Some(ex) = f.examples.first() {
        let line = format!(
            "   e.g. {}:{}: {}",
            terminal(&ex.path),
            ex.line,
            terminal(&ex.text)
        );
        let _ = writeln!(out, "{}", paint(&cut(&line, width), "2", color));
    }
}

/// Cuts text to `width` characters with an ellipsis.
fn cut(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(width.saturating_sub(1)).collect();
    out.push('…');
    out
}

fn push_wrapped(out: &mut String, text: &str, width: usize, indent: &str) {
    push_styled(out, text, width, indent, "", false);
}

/// Wraps plain text, then styles each line (escape codes must not count as width).
fn push_styled(out: &mut String, text: &str, width: usize, indent: &str, style: &str, color: bool) {
    let options = textwrap::Options::new(width).subsequent_indent(indent);
    for line in textwrap::wrap(text, options) {
        out.push_str(&paint(line.trim_end(), style, color));
        out.push('\n');
    }
}
