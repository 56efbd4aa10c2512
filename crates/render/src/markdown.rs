//! The Markdown report, for tickets and chat: the summary, a findings table, each fix as a
//! list, incidents. Every value from a log is escaped so it cannot change the rendering.

use std::fmt::Write;

use logscan_analyze::report::Report;

use crate::escape::{markdown as md, markdown_code as code, markdown_inline as prose};
use crate::{sparkline, time_short};
use logscan_text::thousands;

/// Renders the report as GitHub-flavoured Markdown, showing at most `top` findings.
pub fn render(report: &Report, top: usize) -> String {
    let mut out = String::new();
    let long_span = crate::spans_days(report);
    let _ = writeln!(out, "## logscan report\n");
    let _ = writeln!(out, "{}\n", prose(&report.summary));
    let t = &report.totals;
    let span = report
        .span
        .as_ref()
        .map(|s| format!("{} to {}", s.start, s.end))
        .unwrap_or_else(|| "no timestamps".to_owned());
    let _ = writeln!(
        out,
        "{} input(s), {} lines ({} unrecognized), {}; {} requests, {} × 5xx, {} failure events.\n",
        report.inputs.len(),
        thousands(t.lines),
        thousands(t.unrecognized),
        span,
        thousands(t.requests),
        thousands(t.server_errors),
        thousands(t.failures)
    );
    for input in report
        .inputs
        .iter()
        .filter(|i| crate::input_needs_format_text(i))
    {
        let _ = writeln!(
            out,
            "- {}: {}",
            code(&input.path),
            crate::input_format_text(input)
        );
    }
    if report.inputs.iter().any(crate::input_needs_format_text) {
        out.push('\n');
    }
    let findings: Vec<_> = report.findings.iter().take(top).collect();
    if findings.is_empty() {
        let _ = writeln!(out, "No findings.");
        return out;
    }
    let _ = writeln!(
        out,
        "| # | Severity | Cause | Upstream | Count | Share | First | Last | Timeline |"
    );
    let _ = writeln!(out, "|---:|---|---|---|---:|---:|---|---|---|");
    for f in &findings {
        let _ = writeln!(
            out,
            "| {} | {} | `{}` | `{}` | {} | {:.0}% | {} | {} | {} |",
            f.rank,
            f.severity.as_str().to_uppercase(),
            f.cause.id(),
            code(&crate::upstream_label(f, &findings)),
            thousands(f.count),
            f.share * 100.0,
            time_short(&f.first_seen, long_span),
            time_short(&f.last_seen, long_span),
            sparkline(&f.timeline, 24)
        );
    }
    for f in &findings {
        let _ = writeln!(out, "\n### {}. {}\n", f.rank, md(&f.title));
        let _ = writeln!(
            out,
            "*{}* — {} ({} severity)\n",
            md(&f.category_text),
            md(f.cause.title()),
            f.severity.as_str()
        );
        if !f.statuses.is_empty() {
            let statuses: Vec<String> = f
                .statuses
                .iter()
                .map(|(s, n)| format!("{} × {s}", thousands(*n)))
                .collect();
            let _ = writeln!(
                out,
                "- Statuses{}: {}",
                if f.statuses_inferred {
                    " (expected)"
                } else {
                    ""
                },
                statuses.join(", ")
            );
        }
        if let Some(layer) = crate::layer_text(f) {
            let _ = writeln!(out, "- Layer: {}", prose(&layer));
        }
        if !f.requests.is_empty() {
            let top: Vec<String> = f
                .requests
                .iter()
                .take(3)
                .map(|r| format!("`{}` ({})", code(&r.value), thousands(r.count)))
                .collect();
            let _ = writeln!(out, "- Endpoints: {}", top.join(", "));
        }
        for note in &f.notes {
            let _ = writeln!(out, "- Note: {}", prose(note));
        }
        for c in &f.config {
            let _ = writeln!(
                out,
                "- Config: `{}` = `{}`{} for {} at `{}`",
                code(&c.directive),
                code(&c.value),
                if c.default { " (default)" } else { "" },
                prose(&c.block),
                code(&c.place())
            );
        }
        for m in &f.mismatches {
            let _ = writeln!(out, "- Config mismatch: {}", prose(&m.message));
        }
        let _ = writeln!(out, "\n**Fix:** {}\n", prose(&f.fix.summary));
        for (i, step) in f.fix.steps.iter().enumerate() {
            let _ = writeln!(out, "{}. {}", i + 1, prose(step));
        }
        if !f.examples.is_empty() {
            let _ = writeln!(out, "\n```text");
            for ex in &f.examples {
                let _ = writeln!(
                    out,
                    "{}:{}: {}",
                    code(&ex.path),
                    ex.line,
                    code(&ex.text).replace("```", "'''")
                );
            }
            let _ = writeln!(out, "```");
        }
    }
    if !report.incidents.is_empty() {
        let _ = writeln!(out, "\n### Incidents\n");
        for inc in &report.incidents {
            let _ = writeln!(out, "- {}", md(&inc.summary));
        }
    }
    if !report.configs.is_empty() {
        let _ = writeln!(out, "\n### Configuration read\n");
        for c in &report.configs {
            let _ = writeln!(out, "- {}", prose(&crate::config_line(c)));
            for w in c.warnings.iter().filter(|_| c.ok) {
                let _ = writeln!(out, "  - {}", prose(&crate::config_warning(w)));
            }
        }
    }
    out
}
