//! A finding in the HTML report: the overview table of the findings shown, and each
//! finding's section (facts, sparkline, top endpoints and clients, notes, the fix and
//! example lines).

use std::collections::BTreeMap;
use std::fmt::Write;

use logscan_analyze::report::{Counted, Finding, Report};
use logscan_parse::Severity;

use super::{Ctx, Markup, chart, counted_table, display_time, plural, share, time_tag};
use crate::escape::html as esc;
use logscan_text::thousands;

fn severity_label(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "Critical",
        Severity::High => "High",
        Severity::Medium => "Medium",
        Severity::Low => "Low",
        Severity::Info => "Info",
        _ => "Other",
    }
}

fn severity_badge(s: Severity) -> Markup {
    markup!(
        "<span class=\"sev sev-{}\">{}</span>",
        s.as_str(),
        severity_label(s)
    )
}

pub(super) fn findings_section(out: &mut String, report: &Report, shown: &[&Finding], ctx: &Ctx) {
    out.push_str("<section id=\"findings\">\n<h2>Findings</h2>\n");
    if report.findings.is_empty() {
        out.push_str("<p>No findings: nothing in these logs explains a 502, 503 or 504.</p>\n");
    } else if shown.is_empty() {
        let _ = writeln!(
            out,
            "<p class=\"muted\">{} finding{} not shown (the report was limited to none).</p>",
            report.findings.len(),
            plural(report.findings.len())
        );
    } else {
        let has_affected = shown.iter().any(|f| f.affected_requests.is_some());
        out.push_str("<div class=\"scroll\"><table class=\"overview\">\n<thead><tr><th class=\"n\">#</th><th>Severity</th><th>Cause</th><th>Upstream</th><th class=\"n\">Events</th><th class=\"n\">Share</th>");
        if has_affected {
            out.push_str("<th class=\"n\">Requests</th>");
        }
        out.push_str("<th>First</th><th>Last</th></tr></thead>\n<tbody>\n");
        for f in shown {
            let _ = write!(
                out,
                "<tr><td class=\"n\"><a href=\"#finding-{0}\">{0}</a></td><td>{1}</td><td><a href=\"#finding-{0}\">{2}</a></td><td>{3}</td><td class=\"n\">{4}</td><td class=\"n\">{5}</td>",
                f.rank,
                severity_badge(f.severity),
                esc(f.cause.title()),
                upstream_html(&f.upstream),
                thousands(f.count),
                share(f.share)
            );
            if has_affected {
                let _ = write!(
                    out,
                    "<td class=\"n\">{}</td>",
                    f.affected_requests.map_or("–".to_owned(), thousands)
                );
            }
            let _ = writeln!(
                out,
                "<td class=\"t\">{}</td><td class=\"t\">{}</td></tr>",
                time_tag(
                    &f.first_seen,
                    &crate::time_short(&f.first_seen, ctx.long_span)
                ),
                time_tag(
                    &f.last_seen,
                    &crate::time_short(&f.last_seen, ctx.long_span)
                )
            );
        }
        out.push_str("</tbody>\n</table></div>\n");
        for f in shown {
            finding(out, f, report);
        }
        if report.findings.len() > shown.len() {
            let _ = writeln!(
                out,
                "<p class=\"muted\">{} more finding{} not shown (the report was limited to the top {}).</p>",
                report.findings.len() - shown.len(),
                plural(report.findings.len() - shown.len()),
                shown.len()
            );
        }
    }
    out.push_str("</section>\n");
}

fn upstream_html(upstream: &str) -> Markup {
    if upstream.is_empty() {
        Markup::literal("<span class=\"muted\">unknown</span>")
    } else {
        markup!("<code>{}</code>", esc(upstream))
    }
}

fn finding(out: &mut String, f: &Finding, report: &Report) {
    let sev = f.severity.as_str();
    let _ = writeln!(
        out,
        "<section class=\"finding sev-{sev}\" id=\"finding-{0}\" aria-labelledby=\"finding-{0}-title\">",
        f.rank
    );
    let _ = writeln!(
        out,
        "<div class=\"fhead\">{} <h3 id=\"finding-{1}-title\"><a href=\"#finding-{1}\">#{1}</a> {2}</h3></div>",
        severity_badge(f.severity),
        f.rank,
        esc(&f.title)
    );
    let _ = writeln!(
        out,
        "<p class=\"cause\">{} (<code>{}</code>) · {} severity · category: {}</p>",
        esc(f.cause.title()),
        esc(f.cause.id()),
        severity_label(f.severity),
        esc(&f.category_text)
    );

    out.push_str("<div class=\"fgrid\">\n<dl class=\"facts\">\n");
    fact(
        out,
        "Events",
        markup!(
            "{} ({} of all failure events)",
            thousands(f.count),
            share(f.share)
        ),
    );
    if let Some(n) = f.affected_requests {
        fact(
            out,
            "Requests affected",
            markup!("{} (5xx/499 responses in the access logs)", thousands(n)),
        );
    }
    if !f.statuses.is_empty() {
        let statuses = Markup::join(
            f.statuses.iter().map(|(s, n)| {
                if f.statuses_inferred {
                    markup!("<strong>{}</strong>", esc(s))
                } else {
                    markup!("<strong>{}</strong> × {}", esc(s), thousands(*n))
                }
            }),
            ", ",
        );
        fact(
            out,
            "Statuses",
            markup!(
                "{statuses}{}",
                if f.statuses_inferred {
                    " <span class=\"muted\">(what the server sends for this cause; no access log to count them)</span>"
                } else {
                    " <span class=\"muted\">(sent to clients)</span>"
                }
            ),
        );
    }
    fact(out, "Upstream", upstream_html(&f.upstream));
    if f.upstreams.len() > 1 || f.upstreams.first().is_some_and(|u| u.value != f.upstream) {
        fact(out, "Peers", counted_inline(&f.upstreams));
    }
    if let Some(vhost) = &f.vhost {
        fact(out, "Virtual host", markup!("<code>{}</code>", esc(vhost)));
    }
    fact(out, "Server", Markup::text(f.server.as_str()));
    if let Some(layer) = crate::layer_text(f) {
        fact(out, "Layer", Markup::text(&layer));
    }
    fact(
        out,
        "First seen",
        time_tag(&f.first_seen, &display_time(&f.first_seen)),
    );
    fact(
        out,
        "Last seen",
        time_tag(&f.last_seen, &display_time(&f.last_seen)),
    );
    if let Some(peak) = &f.peak {
        fact(
            out,
            "Busiest window",
            markup!(
                "{} events, {}–{}",
                thousands(peak.count),
                time_tag(&peak.start, &crate::time_short(&peak.start, false)),
                time_tag(&peak.end, &crate::time_short(&peak.end, false))
            ),
        );
    }
    if !f.phases.is_empty() {
        fact(out, "Phases", map_inline(&f.phases));
    }
    if !f.variants.is_empty() {
        fact(out, "Variants", map_inline(&f.variants));
    }
    if f.truncated_responses > 0 {
        fact(
            out,
            "Truncated responses",
            markup!(
                "{} (after the header was sent: clients got a cut-off body, not a 5xx)",
                thousands(f.truncated_responses)
            ),
        );
    }
    if let Some(trigger) = &f.trigger {
        fact(
            out,
            "Triggered by",
            markup!(
                "{} × {} (<code>{}</code>) at {} in the minute before",
                thousands(trigger.count),
                esc(trigger.cause.title()),
                esc(trigger.cause.id()),
                upstream_html(&trigger.upstream)
            ),
        );
    }
    out.push_str("</dl>\n");
    chart::sparkline_svg(out, f, report);
    out.push_str("</div>\n");

    if !f.requests.is_empty() || !f.clients.is_empty() {
        out.push_str("<div class=\"tops\">\n");
        if !f.requests.is_empty() {
            counted_table(out, "Top endpoints", "Endpoint", &f.requests);
        }
        if !f.clients.is_empty() {
            counted_table(out, "Top clients", "Client", &f.clients);
        }
        out.push_str("</div>\n");
    }
    if !f.notes.is_empty() {
        out.push_str("<h4>Notes</h4>\n<ul class=\"notes\">\n");
        for note in &f.notes {
            let _ = writeln!(out, "<li>{}</li>", esc(note));
        }
        out.push_str("</ul>\n");
    }
    if !f.config.is_empty() || !f.mismatches.is_empty() {
        out.push_str("<h4>Configuration</h4>\n");
    }
    if !f.config.is_empty() {
        out.push_str("<div class=\"scroll\"><table class=\"config\">\n<thead><tr><th>Directive</th><th>Value</th><th>Block</th><th>Where</th></tr></thead>\n<tbody>\n");
        for c in &f.config {
            let how = match c.source.as_str() {
                "default" => " (default)",
                "inherited" => " (inherited)",
                _ => "",
            };
            let _ = writeln!(
                out,
                "<tr><td><code>{}</code></td><td><code>{}</code>{how}</td><td>{}</td><td><code>{}</code></td></tr>",
                esc(&c.directive),
                esc(&c.value),
                esc(&c.block),
                esc(&c.place())
            );
        }
        out.push_str("</tbody></table></div>\n");
    }
    if !f.mismatches.is_empty() {
        out.push_str("<ul class=\"notes\">\n");
        for m in &f.mismatches {
            let _ = writeln!(out, "<li>{}</li>", esc(&m.message));
        }
        out.push_str("</ul>\n");
    }
    let _ = writeln!(
        out,
        "<div class=\"fix\">\n<h4>Fix</h4>\n<p>{}</p>",
        esc(&f.fix.summary)
    );
    if !f.fix.steps.is_empty() {
        out.push_str("<ol>\n");
        for step in &f.fix.steps {
            let _ = writeln!(out, "<li>{}</li>", esc(step));
        }
        out.push_str("</ol>\n");
    }
    out.push_str("</div>\n");
    if !f.examples.is_empty() {
        out.push_str("<h4>Example lines</h4>\n<pre class=\"examples\">");
        for ex in &f.examples {
            let _ = writeln!(
                out,
                "<span class=\"loc\">{}:{}:</span> {}",
                esc(&ex.path),
                ex.line,
                esc(&ex.text)
            );
        }
        out.push_str("</pre>\n");
    }
    out.push_str("</section>\n");
}

/// One fact of a finding's `<dl class="facts">`.
fn fact(out: &mut String, label: &'static str, value: Markup) {
    let _ = writeln!(out, "<dt>{label}</dt><dd>{value}</dd>");
}

/// `<code>value</code> (count)`, comma-separated.
fn counted_inline(values: &[Counted]) -> Markup {
    Markup::join(
        values
            .iter()
            .map(|c| markup!("<code>{}</code> ({})", esc(&c.value), thousands(c.count))),
        ", ",
    )
}

/// `key count`, comma-separated.
fn map_inline(map: &BTreeMap<String, u64>) -> Markup {
    Markup::join(
        map.iter()
            .map(|(k, n)| markup!("{} {}", esc(k), thousands(*n))),
        ", ",
    )
}
