//! The HTML report: one self-contained page a team can open offline in any browser, mail
//! around or attach to a ticket.
//!
//! The page has a header (the plain-language summary, totals, inputs, time span and zone),
//! an overall timeline chart, one section per finding (severity, cause, counts, a
//! sparkline, endpoints and clients, the fix and example lines), an incidents table linking
//! to the findings, and what the access logs showed.
//!
//! Everything is inline: CSS in one `<style>` element, charts as inline SVG. There are no
//! scripts, fonts, images or URLs to fetch, so the page reads the same offline, with scripts
//! disabled and on paper. Every string that came from a log goes through
//! [`escape::html`](crate::escape::html); the helpers that write HTML take a `Markup`
//! (HTML this module made) rather than a string, so log text cannot reach them unescaped.
//!
//! Long timelines are merged ([`downsample`]): the overall chart draws at most
//! [`MAX_TIMELINE_POINTS`] bars and each finding's sparkline at most
//! [`MAX_SPARKLINE_POINTS`], each bar the sum of a whole number of consecutive windows, so
//! the file stays small however long the logs are.
//!
//! Stable hooks for tests and scripts: `#summary`, `#timeline` (the overall chart's
//! `<svg>`), `section.finding` with `id="finding-N"` (N = rank), `#incidents`, `#access`.

use std::collections::BTreeMap;
use std::fmt::{self, Write};

use logscan_analyze::report::{
    AccessSummary, Counted, Finding, Quantiles, Report, ReportTime, ZoneSource,
};

use crate::escape::html as esc;
use logscan_text::thousands;

/// HTML to write as it is: markup this module wrote, in which every text from the report
/// is escaped. The helpers that write HTML take `Markup`, not `&str`, so a raw log string
/// where HTML is expected does not compile. Text becomes `Markup` only through
/// [`Markup::text`] (which escapes it), [`Markup::literal`] (a string literal of this
/// module) or `markup!` (a format string of this module whose arguments are escaped text,
/// numbers or other `Markup`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Markup(String);

impl Markup {
    /// Text from a report, escaped.
    fn text(text: &str) -> Markup {
        Markup(esc(text).to_string())
    }

    /// Markup written in this module's source.
    fn literal(html: &'static str) -> Markup {
        Markup(html.to_owned())
    }

    /// `parts` with `separator` between them.
    fn join(parts: impl IntoIterator<Item = Markup>, separator: &'static str) -> Markup {
        let mut out = String::new();
        for (i, part) in parts.into_iter().enumerate() {
            if i > 0 {
                out.push_str(separator);
            }
            out.push_str(&part.0);
        }
        Markup(out)
    }
}

impl fmt::Display for Markup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// `format!` for HTML fragments: the format string is this module's markup, and every
/// argument must already be HTML (escaped text, a number, a `Markup`).
macro_rules! markup {
    ($($arg:tt)*) => {
        Markup(format!($($arg)*))
    };
}

mod chart;
mod finding;

pub use chart::downsample;

/// The most bars the overall timeline chart draws; longer timelines are merged.
pub const MAX_TIMELINE_POINTS: usize = 600;

/// The most bars a finding's sparkline draws; longer timelines are merged.
pub const MAX_SPARKLINE_POINTS: usize = 120;

/// The page's style sheet (light and dark schemes, narrow screens, print).
const CSS: &str = include_str!("report.css");

/// Renders the report as one self-contained HTML document, showing at most `top`
/// findings.
pub fn render(report: &Report, top: usize) -> String {
    let shown: Vec<&Finding> = report.findings.iter().take(top).collect();
    let ctx = Ctx {
        long_span: crate::spans_days(report),
        shown: shown.iter().map(|f| f.rank).collect(),
    };
    let mut out = String::with_capacity(64 * 1024);
    head(&mut out, report);
    out.push_str("<body>\n");
    header(&mut out, report);
    nav(&mut out, report, &shown);
    out.push_str("<main>\n");
    chart::timeline_section(&mut out, report, &ctx);
    finding::findings_section(&mut out, report, &shown, &ctx);
    incidents_section(&mut out, report, &ctx);
    access_section(&mut out, report.access.as_ref());
    inputs_section(&mut out, report);
    out.push_str("</main>\n");
    out.push_str(
        "<footer><p>Made by logscan from the logs listed above. \
         This page is self-contained: it loads nothing and runs no scripts.</p></footer>\n",
    );
    out.push_str("</body>\n</html>\n");
    out
}

/// What every section needs to know.
struct Ctx {
    /// Whether times need their date.
    long_span: bool,
    /// Ranks of the findings that have a section (links to others would dangle).
    shown: Vec<usize>,
}

impl Ctx {
    fn finding_link(&self, rank: usize) -> Markup {
        if self.shown.contains(&rank) {
            markup!("<a href=\"#finding-{rank}\">#{rank}</a>")
        } else {
            markup!("#{rank}")
        }
    }
}

// ---------------------------------------------------------------------------------------
// Document head.

fn head(out: &mut String, report: &Report) {
    let when = report
        .span
        .as_ref()
        .map(|s| format!(" {}", display_time(&s.start)))
        .unwrap_or_default();
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str("<meta name=\"color-scheme\" content=\"light dark\">\n");
    out.push_str("<meta name=\"generator\" content=\"logscan\">\n");
    let _ = writeln!(
        out,
        "<title>logscan report: {} finding{}{}</title>",
        report.findings.len(),
        plural(report.findings.len()),
        esc(&when)
    );
    let _ = writeln!(out, "<style>\n{CSS}</style>\n</head>");
}

// ---------------------------------------------------------------------------------------
// Header: summary, totals, span and zone.

fn header(out: &mut String, report: &Report) {
    out.push_str("<header id=\"header\">\n<h1>logscan report</h1>\n");
    let span = match &report.span {
        Some(s) => {
            let same_day = s.start.wall().date() == s.end.wall().date();
            let end = if same_day {
                crate::time_short(&s.end, false)
            } else {
                display_time(&s.end)
            };
            markup!(
                "{} to {}",
                time_tag(&s.start, &display_time(&s.start)),
                time_tag(&s.end, &end)
            )
        }
        None => Markup::literal("no timestamps"),
    };
    let _ = writeln!(
        out,
        "<p class=\"meta\">{span} · {} · {} input{} · window {}</p>",
        esc(&zone_text(report)),
        report.inputs.len(),
        plural(report.inputs.len()),
        esc(&logscan_text::human_duration(report.window_seconds))
    );
    let _ = writeln!(out, "<p id=\"summary\">{}</p>", esc(&report.summary));

    let t = &report.totals;
    out.push_str("<dl class=\"stats\">\n");
    if report.access.is_some() || t.requests > 0 {
        stat(out, "Requests (access logs)", count(t.requests));
        stat(out, "5xx responses", count(t.server_errors));
    }
    stat(out, "Failure events (error logs)", count(t.failures));
    stat(out, "Findings", count(report.findings.len() as u64));
    stat(out, "Incidents", count(report.incidents.len() as u64));
    let lines = if t.unrecognized > 0 {
        markup!(
            "{} <small class=\"muted\">({} unrecognized)</small>",
            thousands(t.lines),
            thousands(t.unrecognized)
        )
    } else {
        count(t.lines)
    };
    stat(out, "Lines read", lines);
    out.push_str("</dl>\n");

    if !report.inputs.is_empty() {
        out.push_str("<div class=\"scroll\"><table class=\"inputs\">\n<thead><tr><th>Input</th><th>Format</th><th class=\"n\">Lines</th><th class=\"n\">Parsed</th><th class=\"n\">Unrecognized</th><th class=\"n\">Filtered</th><th>First</th><th>Last</th></tr></thead>\n<tbody>\n");
        for i in &report.inputs {
            let _ = writeln!(
                out,
                "<tr><td><code>{}</code></td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"t\">{}</td><td class=\"t\">{}</td></tr>",
                esc(&i.path),
                esc(&crate::input_format_text(i)),
                thousands(i.lines),
                thousands(i.parsed),
                thousands(i.unrecognized),
                thousands(i.filtered),
                opt_time(i.first.as_ref()),
                opt_time(i.last.as_ref()),
            );
        }
        out.push_str("</tbody>\n</table></div>\n");
    }
    out.push_str("</header>\n");
}

/// One figure of a `<dl class="stats">`.
fn stat(out: &mut String, label: &'static str, value: Markup) {
    let _ = writeln!(out, "<div><dt>{label}</dt><dd>{value}</dd></div>");
}

/// A count with thousands separators (digits and commas: nothing to escape).
fn count(n: u64) -> Markup {
    Markup(thousands(n))
}

fn zone_text(report: &Report) -> String {
    match report.zone.source {
        ZoneSource::Caller => format!("times in {} (given with --tz)", report.zone.name),
        ZoneSource::AccessLog if report.zone.name.contains('/') => format!(
            "times in {} (the offsets of the access log at each time)",
            report.zone.name
        ),
        ZoneSource::AccessLog => format!(
            "times in {} (the offset of the access log)",
            report.zone.name
        ),
        ZoneSource::Envelope => format!(
            "times in {} (the container, syslog or journal envelope's times)",
            report.zone.name
        ),
        ZoneSource::AsLogged => "times as the servers logged them (no zone known)".to_owned(),
        // A source added to the report later: its JSON id says where the zone came from.
        source => format!("times in {} ({source})", report.zone.name),
    }
}

fn nav(out: &mut String, report: &Report, shown: &[&Finding]) {
    out.push_str("<nav class=\"toc\" aria-label=\"Contents\"><ul>");
    out.push_str("<li><a href=\"#summary\">Summary</a></li>");
    out.push_str("<li><a href=\"#timeline-section\">Timeline</a></li>");
    let _ = write!(
        out,
        "<li><a href=\"#findings\">Findings ({})</a></li>",
        shown.len()
    );
    let _ = write!(
        out,
        "<li><a href=\"#incidents\">Incidents ({})</a></li>",
        report.incidents.len()
    );
    out.push_str("<li><a href=\"#access\">Access logs</a></li>");
    out.push_str("<li><a href=\"#inputs\">Inputs</a></li>");
    out.push_str("</ul></nav>\n");
}

// ---------------------------------------------------------------------------------------
// Time.

/// `2026-11-25T01:27:30+00:00` → `2026-11-25 01:27:30` (the zone is stated in the header).
fn display_time(time: &ReportTime) -> String {
    time.wall().format("%Y-%m-%d %H:%M:%S").to_string()
}

/// A `<time>` element with the full report time in `datetime` and `title`.
fn time_tag(full: &ReportTime, shown: &str) -> Markup {
    markup!(
        "<time datetime=\"{0}\" title=\"{0}\">{1}</time>",
        esc(&full.to_string()),
        esc(shown)
    )
}

fn opt_time(t: Option<&ReportTime>) -> Markup {
    t.map_or_else(|| Markup::literal("–"), |t| time_tag(t, &display_time(t)))
}

// ---------------------------------------------------------------------------------------
// Incidents, access logs, inputs.

fn incidents_section(out: &mut String, report: &Report, ctx: &Ctx) {
    out.push_str("<section id=\"incidents\">\n<h2>Incidents</h2>\n");
    if report.incidents.is_empty() {
        out.push_str(
            "<p>No incidents: failures never rose well above their baseline.</p>\n</section>\n",
        );
        return;
    }
    out.push_str("<div class=\"scroll\"><table>\n<thead><tr><th class=\"n\">#</th><th>From</th><th>To</th><th class=\"n\">Events</th><th>What happened</th><th>Causes</th><th>Upstreams</th><th>Findings</th></tr></thead>\n<tbody>\n");
    for (j, inc) in report.incidents.iter().enumerate() {
        let causes = Markup::join(
            inc.causes
                .iter()
                .map(|c| markup!("<code>{}</code>", esc(c.id()))),
            ", ",
        );
        let upstreams = Markup::join(
            inc.upstreams
                .iter()
                .map(|u| markup!("<code>{}</code>", esc(u))),
            ", ",
        );
        let findings = Markup::join(inc.findings.iter().map(|&r| ctx.finding_link(r)), ", ");
        let _ = writeln!(
            out,
            "<tr id=\"incident-{}\"><td class=\"n\">{0}</td><td class=\"t\">{}</td><td class=\"t\">{}</td><td class=\"n\">{}</td><td>{}</td><td>{causes}</td><td>{upstreams}</td><td>{findings}</td></tr>",
            j + 1,
            time_tag(&inc.start, &crate::time_short(&inc.start, ctx.long_span)),
            time_tag(&inc.end, &crate::time_short(&inc.end, ctx.long_span)),
            thousands(inc.count),
            esc(&inc.summary),
        );
    }
    out.push_str("</tbody>\n</table></div>\n</section>\n");
}

fn secs(s: f64) -> String {
    if s < 1.0 {
        format!("{:.0} ms", s * 1_000.0)
    } else {
        format!("{s:.2} s")
    }
}

fn quantile_row(out: &mut String, label: Markup, q: &Quantiles) {
    let _ = writeln!(
        out,
        "<tr><td>{label}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
        thousands(q.count),
        secs(q.p50),
        secs(q.p90),
        secs(q.p99),
        secs(q.max)
    );
}

fn access_section(out: &mut String, access: Option<&AccessSummary>) {
    out.push_str("<section id=\"access\">\n<h2>Access logs</h2>\n");
    let Some(a) = access else {
        out.push_str("<p>No access logs were given, so requests and the statuses clients got are not counted. Add the access log next to the error log to see which requests each finding broke.</p>\n</section>\n");
        return;
    };
    out.push_str("<dl class=\"stats\">\n");
    stat(out, "Requests", count(a.requests));
    stat(out, "5xx responses", count(a.server_errors));
    stat(out, "499 (client gave up)", count(a.client_closed));
    stat(out, "Retried on another upstream", count(a.retried));
    out.push_str("</dl>\n");
    if a.server_errors > 0 {
        let pct = (a.attributed_share * 100.0).clamp(0.0, 100.0);
        let _ = writeln!(
            out,
            "<p><strong>{} of {} 5xx responses ({pct:.0}%)</strong> were attributed to a cause found in the error logs.</p>\n<div class=\"meter\" role=\"img\" aria-label=\"{pct:.0}% attributed\"><span style=\"width:{pct:.1}%\"></span></div>",
            thousands(a.attributed),
            thousands(a.server_errors),
        );
    }
    if !a.unattributed.is_empty() {
        out.push_str("<h4>5xx responses no error-log line explains</h4>\n<ul>\n");
        for u in &a.unattributed {
            let _ = writeln!(
                out,
                "<li>{} × <code>{}</code></li>",
                thousands(u.count),
                esc(&u.value)
            );
        }
        out.push_str("</ul>\n");
    }
    let mut times = String::new();
    if let Some(q) = &a.request_time {
        quantile_row(
            &mut times,
            Markup::literal("Request time (all requests)"),
            q,
        );
    }
    if let Some(q) = &a.upstream_time {
        quantile_row(
            &mut times,
            Markup::literal("Upstream response time (all tries)"),
            q,
        );
    }
    for (status, q) in &a.time_by_status {
        quantile_row(&mut times, markup!("Time of {} responses", esc(status)), q);
    }
    if !times.is_empty() {
        out.push_str("<h4>Response times</h4>\n<div class=\"scroll\"><table>\n<thead><tr><th></th><th class=\"n\">Count</th><th class=\"n\">p50</th><th class=\"n\">p90</th><th class=\"n\">p99</th><th class=\"n\">Max</th></tr></thead>\n<tbody>\n");
        out.push_str(&times);
        out.push_str("</tbody>\n</table></div>\n");
    }
    out.push_str("<div class=\"tops\">\n");
    status_table(out, "Statuses", &a.statuses, a.requests);
    if !a.upstream_statuses.is_empty() {
        let total = a.upstream_statuses.values().sum();
        status_table(
            out,
            "Upstream statuses (last try)",
            &a.upstream_statuses,
            total,
        );
    }
    out.push_str("</div>\n");
    if !a.top_5xx_requests.is_empty() {
        counted_table(
            out,
            "Endpoints with most 5xx",
            "Endpoint",
            &a.top_5xx_requests,
        );
    }
    out.push_str("</section>\n");
}

fn status_table(
    out: &mut String,
    title: &'static str,
    statuses: &BTreeMap<String, u64>,
    total: u64,
) {
    let _ = writeln!(
        out,
        "<div><h4>{title}</h4><div class=\"scroll\"><table><thead><tr><th>Status</th><th class=\"n\">Count</th><th class=\"n\">Share</th></tr></thead><tbody>"
    );
    for (s, n) in statuses {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            esc(s),
            thousands(*n),
            share(*n as f64 / total.max(1) as f64)
        );
    }
    out.push_str("</tbody></table></div></div>\n");
}

/// A table of values and their counts (top endpoints, clients), at most ten rows.
fn counted_table(out: &mut String, title: &'static str, column: &'static str, values: &[Counted]) {
    let _ = writeln!(
        out,
        "<div><h4>{title}</h4><div class=\"scroll\"><table><thead><tr><th>{column}</th><th class=\"n\">Count</th></tr></thead><tbody>"
    );
    for c in values.iter().take(10) {
        let _ = writeln!(
            out,
            "<tr><td><code>{}</code></td><td class=\"n\">{}</td></tr>",
            esc(&c.value),
            thousands(c.count)
        );
    }
    out.push_str("</tbody></table></div></div>\n");
}

fn inputs_section(out: &mut String, report: &Report) {
    let examples: Vec<_> = report
        .inputs
        .iter()
        .flat_map(|i| i.unrecognized_examples.iter())
        .collect();
    out.push_str("<section id=\"inputs\">\n<h2>Inputs</h2>\n");
    let _ = writeln!(
        out,
        "<p>{} input{}, {} lines: {} parsed, {} unrecognized, {} outside the time filter. The table is in the <a href=\"#header\">header</a>.</p>",
        report.inputs.len(),
        plural(report.inputs.len()),
        thousands(report.totals.lines),
        thousands(report.totals.parsed),
        thousands(report.totals.unrecognized),
        thousands(report.totals.filtered)
    );
    if !examples.is_empty() {
        let _ = writeln!(
            out,
            "<details><summary>Unrecognized lines ({} shown)</summary>\n<pre class=\"examples\">",
            examples.len()
        );
        for ex in examples {
            let _ = writeln!(
                out,
                "<span class=\"loc\">{}:{}:</span> {}",
                esc(&ex.path),
                ex.line,
                esc(&ex.text)
            );
        }
        out.push_str("</pre></details>\n");
    }
    if !report.configs.is_empty() {
        out.push_str("<h3>Configuration read</h3>\n<ul class=\"notes\">\n");
        for c in &report.configs {
            let _ = write!(out, "<li>{}", esc(&crate::config_line(c)));
            let warnings: Vec<_> = c.warnings.iter().filter(|_| c.ok).collect();
            if !warnings.is_empty() {
                out.push_str("<ul>\n");
                for w in warnings {
                    let _ = writeln!(out, "<li>{}</li>", esc(&crate::config_warning(w)));
                }
                out.push_str("</ul>");
            }
            out.push_str("</li>\n");
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</section>\n");
}

// ---------------------------------------------------------------------------------------
// Small helpers.

/// A share as a percentage; below 1% as `<1%` rather than `0%`.
fn share(x: f64) -> Markup {
    let pct = x * 100.0;
    if pct > 0.0 && pct < 1.0 {
        Markup::literal("&lt;1%")
    } else {
        markup!("{pct:.0}%")
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn time(text: &str) -> ReportTime {
        text.parse().unwrap()
    }

    #[test]
    fn times_show_their_wall_clock() {
        assert_eq!(
            display_time(&time("2026-11-25T01:27:30+01:00")),
            "2026-11-25 01:27:30"
        );
        assert_eq!(
            display_time(&time("2026-11-25T01:27:30")),
            "2026-11-25 01:27:30"
        );
        assert_eq!(
            time_tag(&time("2026-11-25T01:27:30+01:00"), "01:27:30").to_string(),
            "<time datetime=\"2026-11-25T01:27:30+01:00\" title=\"2026-11-25T01:27:30+01:00\">01:27:30</time>"
        );
    }

    #[test]
    fn markup_escapes_text_and_keeps_its_own_markup() {
        assert_eq!(Markup::text("<b>&").to_string(), "&lt;b&gt;&amp;");
        let joined = Markup::join([Markup::literal("<i>a</i>"), Markup::text("<b>")], ", ");
        assert_eq!(joined.to_string(), "<i>a</i>, &lt;b&gt;");
        assert_eq!(share(0.004).to_string(), "&lt;1%");
        assert_eq!(share(0.5).to_string(), "50%");
    }
}
