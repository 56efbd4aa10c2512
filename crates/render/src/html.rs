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
//! [`escape::html`](crate::escape::html).
//!
//! Long timelines are merged ([`downsample`]): the overall chart draws at most
//! [`MAX_TIMELINE_POINTS`] bars and each finding's sparkline at most
//! [`MAX_SPARKLINE_POINTS`], each bar the sum of a whole number of consecutive windows, so
//! the file stays small however long the logs are.
//!
//! Stable hooks for tests and scripts: `#summary`, `#timeline` (the overall chart's
//! `<svg>`), `section.finding` with `id="finding-N"` (N = rank), `#incidents`, `#access`.

use std::fmt::Write;

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeDelta};
use logscan_analyze::report::{AccessSummary, Counted, Finding, Quantiles, Report};
use logscan_parse::{Cause, Severity};

use crate::escape::html as esc;
use crate::thousands;

/// The most bars the overall timeline chart draws; longer timelines are merged.
pub const MAX_TIMELINE_POINTS: usize = 600;

/// The most bars a finding's sparkline draws; longer timelines are merged.
pub const MAX_SPARKLINE_POINTS: usize = 120;

/// Causes drawn in a colour of their own; the others share one "other causes" layer.
const MAX_CHART_CAUSES: usize = 8;

/// Merges consecutive windows so that at most `max` values remain: each value is the sum
/// of `factor` consecutive windows (the last one of fewer when the length is not a
/// multiple). Returns the merged values and `factor` (1 when nothing was merged).
///
/// ```
/// use logscan_render::html::downsample;
///
/// assert_eq!(downsample(&[1, 2, 3, 4, 5], 10), (vec![1, 2, 3, 4, 5], 1));
/// assert_eq!(downsample(&[1, 2, 3, 4, 5], 2), (vec![6, 9], 3));
/// ```
pub fn downsample(values: &[u64], max: usize) -> (Vec<u64>, usize) {
    let factor = merge_factor(values.len(), max);
    (merge(values, factor, values.len().div_ceil(factor)), factor)
}

/// How many windows one merged value covers so that `len` windows give at most `max`.
fn merge_factor(len: usize, max: usize) -> usize {
    if max == 0 || len <= max {
        1
    } else {
        len.div_ceil(max)
    }
}

/// Sums `values` in groups of `factor` into `points` values (missing windows count 0).
fn merge(values: &[u64], factor: usize, points: usize) -> Vec<u64> {
    let mut out = vec![0u64; points];
    for (i, v) in values.iter().enumerate() {
        if let Some(slot) = out.get_mut(i / factor.max(1)) {
            *slot += v;
        }
    }
    out
}

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
    timeline_section(&mut out, report, &ctx);
    findings_section(&mut out, report, &shown, &ctx);
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
    fn finding_link(&self, rank: usize) -> String {
        if self.shown.contains(&rank) {
            format!("<a href=\"#finding-{rank}\">#{rank}</a>")
        } else {
            format!("#{rank}")
        }
    }
}

// ---------------------------------------------------------------------------------------
// Document head and style.

const CSS: &str = r#"
:root{--bg:#fff;--fg:#1f2328;--muted:#57606a;--line:#d0d7de;--panel:#f6f8fa;--link:#0550ae;
--crit:#a40e26;--crit-bg:#ffebe9;--high:#9a3412;--high-bg:#fff1e5;--med:#7d4e00;--med-bg:#fff8c5;
--low:#0550ae;--low-bg:#ddf4ff;--info:#57606a;--info-bg:#f6f8fa;
--req:#8c959f;--err:#cf222e;--band:#bf8700;--blabel:#7d4e00;--blabel-fg:#fff;--other:#9aa4ae;
--c0:#0072b2;--c1:#e69f00;--c2:#009e73;--c3:#cc79a7;--c4:#56b4e9;--c5:#d55e00;--c6:#6e40c9;--c7:#8a6d1f;
color-scheme:light dark}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;--line:#3d444d;
--panel:#151b23;--link:#4493f8;--crit:#ff8182;--crit-bg:#3c1618;--high:#ffa657;--high-bg:#3d1f00;
--med:#e3b341;--med-bg:#2e2a00;--low:#79c0ff;--low-bg:#0c2d4a;--info:#9198a1;--info-bg:#151b23;
--req:#6e7681;--err:#ff6a69;--band:#d29922;--blabel:#d29922;--blabel-fg:#0d1117}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0 auto;max-width:1120px;padding:16px 20px 40px;background:var(--bg);color:var(--fg);
font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
h1,h2,h3,h4,p,li,dd,figcaption{overflow-wrap:anywhere}
h1{font-size:1.6rem;margin:.2em 0}
h2{font-size:1.3rem;margin:2em 0 .6em;padding-bottom:.2em;border-bottom:1px solid var(--line)}
h3{font-size:1.1rem;margin:0}
h4{font-size:.95rem;margin:1em 0 .3em}
a{color:var(--link)}
code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:.9em}
code{overflow-wrap:anywhere}
.muted{color:var(--muted)}
.meta{color:var(--muted);margin:.2em 0}
#summary{font-size:1.15rem;line-height:1.55;margin:1em 0;padding:14px 18px;background:var(--panel);
border-left:5px solid var(--err);border-radius:4px}
.stats{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:10px;margin:1em 0;padding:0}
.stats div{border:1px solid var(--line);border-radius:6px;padding:8px 12px}
.stats dt{color:var(--muted);font-size:.85rem}
.stats dd{margin:0;font-size:1.35rem;font-weight:600;font-variant-numeric:tabular-nums}
.stats dd small{display:block;font-size:.8rem;font-weight:400}
nav.toc ul{list-style:none;display:flex;flex-wrap:wrap;gap:6px 18px;padding:0;margin:1em 0}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch;max-width:100%}
table{border-collapse:collapse;margin:.4em 0;font-size:.92rem}
th,td{padding:5px 10px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{background:var(--panel);font-weight:600;white-space:nowrap}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.t{white-space:nowrap}
td code{white-space:nowrap}
.tops td:first-child{min-width:14em}
.tops td code{white-space:normal}
.sev{display:inline-block;padding:1px 8px;border-radius:10px;font-size:.8rem;font-weight:700;
letter-spacing:.04em;text-transform:uppercase;border:1px solid currentColor;white-space:nowrap}
.sev-critical{color:var(--crit);background:var(--crit-bg)}
.sev-high{color:var(--high);background:var(--high-bg)}
.sev-medium{color:var(--med);background:var(--med-bg)}
.sev-low{color:var(--low);background:var(--low-bg)}
.sev-info{color:var(--info);background:var(--info-bg)}
.chart{overflow-x:auto;margin:.5em 0}
.chart svg{display:block;width:100%;min-width:720px;height:auto}
svg text{fill:var(--muted);font:13px system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif}
svg .ptitle{fill:var(--fg);font-weight:600}
svg .grid{stroke:var(--line);stroke-width:1}
svg .base{stroke:var(--muted);stroke-width:1}
svg .req{fill:var(--req)}
svg .err{fill:var(--err)}
svg .band{fill:var(--band);fill-opacity:.14;stroke:var(--band);stroke-opacity:.7;stroke-dasharray:4 3}
svg .blabel rect{fill:var(--blabel)}
svg .blabel text{fill:var(--blabel-fg);font-weight:700;font-size:12px}
svg .hits rect{fill:transparent}
svg .hits rect:hover{fill:var(--fg);fill-opacity:.07}
.c0{fill:var(--c0);background:var(--c0)}.c1{fill:var(--c1);background:var(--c1)}
.c2{fill:var(--c2);background:var(--c2)}.c3{fill:var(--c3);background:var(--c3)}
.c4{fill:var(--c4);background:var(--c4)}.c5{fill:var(--c5);background:var(--c5)}
.c6{fill:var(--c6);background:var(--c6)}.c7{fill:var(--c7);background:var(--c7)}
.cother{fill:var(--other);background:var(--other)}
.legend{list-style:none;padding:0;margin:.3em 0;display:flex;flex-wrap:wrap;gap:4px 18px;font-size:.88rem}
.sw{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:6px;vertical-align:-1px}
.sw.req{background:var(--req)}.sw.err{background:var(--err)}
.sw.band{background:transparent;border:1px dashed var(--band);box-shadow:inset 0 0 0 10px rgba(191,135,0,.18)}
section.finding{border:1px solid var(--line);border-left-width:6px;border-radius:6px;padding:14px 18px;margin:18px 0}
section.finding.sev-critical{border-left-color:var(--crit);background:none}
section.finding.sev-high{border-left-color:var(--high);background:none}
section.finding.sev-medium{border-left-color:var(--med);background:none}
section.finding.sev-low{border-left-color:var(--low);background:none}
section.finding.sev-info{border-left-color:var(--info);background:none}
section.finding,section.finding h3{color:var(--fg)}
.fhead{display:flex;flex-wrap:wrap;align-items:baseline;gap:6px 12px}
.fhead h3{min-width:0}
.fhead h3 a{text-decoration:none;color:var(--muted)}
.cause{margin:.3em 0 .6em;color:var(--muted)}
.fgrid{display:grid;grid-template-columns:minmax(0,1fr) auto;gap:8px 24px;align-items:start}
dl.facts{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:3px 14px;margin:0}
dl.facts dt{color:var(--muted)}
dl.facts dd{margin:0;overflow-wrap:anywhere}
figure{margin:0}
figcaption{color:var(--muted);font-size:.8rem}
svg.spark{display:block;width:240px;max-width:100%;height:40px;color:var(--muted);border-bottom:1px solid var(--line)}
svg.spark.sev-critical{color:var(--crit)}svg.spark.sev-high{color:var(--high)}
svg.spark.sev-medium{color:var(--med)}svg.spark.sev-low{color:var(--low)}
svg.spark path{fill:currentColor}
.tops{display:grid;grid-template-columns:repeat(auto-fit,minmax(260px,1fr));gap:0 24px}
.fix{background:var(--panel);border-radius:6px;padding:4px 16px 8px;margin:12px 0}
.fix ol{margin:.3em 0;padding-left:1.4em}
.fix li{margin:.2em 0}
pre.examples{background:var(--panel);border:1px solid var(--line);border-radius:6px;padding:8px 10px;
margin:.3em 0;white-space:pre-wrap;overflow-wrap:anywhere;font-size:.82rem;line-height:1.45}
pre.examples .loc{color:var(--muted)}
.meter{height:10px;max-width:320px;background:var(--panel);border:1px solid var(--line);border-radius:5px;overflow:hidden}
.meter span{display:block;height:100%;background:var(--link)}
details summary{cursor:pointer;color:var(--muted)}
footer{margin-top:3em;color:var(--muted);font-size:.85rem;border-top:1px solid var(--line)}
@media (max-width:640px){body{padding:10px 12px 30px;font-size:14px}
svg#timeline text{font-size:17px}svg#timeline .blabel text{font-size:12px}
#summary{font-size:1.02rem;padding:10px 12px}.fgrid{grid-template-columns:minmax(0,1fr)}
dl.facts{grid-template-columns:minmax(0,1fr)}dl.facts dd{margin-bottom:4px}
section.finding{padding:10px 12px}}
@media print{:root{--bg:#fff;--fg:#000;--muted:#444;--panel:#f3f3f3}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
body{max-width:none;padding:0;font-size:10.5pt}
nav.toc,footer,svg .hits{display:none}
a{color:inherit;text-decoration:none}
.chart{overflow:visible}.chart svg{min-width:0}.scroll{overflow:visible}
h2,h3,h4{break-after:avoid}
table,figure,pre,.fix,.fhead,tr{break-inside:avoid}
.fhead,.cause{break-after:avoid}
section.finding{break-inside:auto}
pre.examples{white-space:pre-wrap}}
"#;

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
    let _ = writeln!(out, "<style>{CSS}</style>\n</head>");
}

// ---------------------------------------------------------------------------------------
// Header: summary, totals, span and zone.

fn header(out: &mut String, report: &Report) {
    out.push_str("<header id=\"header\">\n<h1>logscan report</h1>\n");
    let span = match &report.span {
        Some(s) => {
            let same_day = s.start.get(..10) == s.end.get(..10);
            format!(
                "{} to {}",
                time_tag(&s.start, &display_time(&s.start)),
                time_tag(
                    &s.end,
                    &if same_day {
                        crate::time_short(&s.end, false)
                    } else {
                        display_time(&s.end)
                    }
                )
            )
        }
        None => "no timestamps".to_owned(),
    };
    let _ = writeln!(
        out,
        "<p class=\"meta\">{span} · {} · {} input{} · window {}</p>",
        esc(&zone_text(report)),
        report.inputs.len(),
        plural(report.inputs.len()),
        esc(&logscan_analyze::human_duration(report.window_seconds))
    );
    let _ = writeln!(out, "<p id=\"summary\">{}</p>", esc(&report.summary));

    let t = &report.totals;
    out.push_str("<dl class=\"stats\">\n");
    if report.access.is_some() || t.requests > 0 {
        stat(out, "Requests (access logs)", &thousands(t.requests));
        stat(out, "5xx responses", &thousands(t.server_errors));
    }
    stat(out, "Failure events (error logs)", &thousands(t.failures));
    stat(out, "Findings", &thousands(report.findings.len() as u64));
    stat(out, "Incidents", &thousands(report.incidents.len() as u64));
    let lines = if t.unrecognized > 0 {
        format!(
            "{} <small class=\"muted\">({} unrecognized)</small>",
            thousands(t.lines),
            thousands(t.unrecognized)
        )
    } else {
        thousands(t.lines)
    };
    stat(out, "Lines read", &lines);
    out.push_str("</dl>\n");

    if !report.inputs.is_empty() {
        out.push_str("<div class=\"scroll\"><table class=\"inputs\">\n<thead><tr><th>Input</th><th>Format</th><th class=\"n\">Lines</th><th class=\"n\">Parsed</th><th class=\"n\">Unrecognized</th><th class=\"n\">Filtered</th><th>First</th><th>Last</th></tr></thead>\n<tbody>\n");
        for i in &report.inputs {
            let _ = writeln!(
                out,
                "<tr><td><code>{}</code></td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"t\">{}</td><td class=\"t\">{}</td></tr>",
                esc(&i.path),
                esc(&i.format),
                thousands(i.lines),
                thousands(i.parsed),
                thousands(i.unrecognized),
                thousands(i.filtered),
                opt_time(i.first.as_deref()),
                opt_time(i.last.as_deref()),
            );
        }
        out.push_str("</tbody>\n</table></div>\n");
    }
    out.push_str("</header>\n");
}

fn stat(out: &mut String, label: &str, value_html: &str) {
    let _ = writeln!(out, "<div><dt>{label}</dt><dd>{value_html}</dd></div>");
}

fn zone_text(report: &Report) -> String {
    match report.zone.source.as_str() {
        "caller" => format!("times in {} (given with --tz)", report.zone.name),
        "access_log" if report.zone.name.contains('/') => format!(
            "times in {} (the offsets of the access log at each time)",
            report.zone.name
        ),
        "access_log" => format!(
            "times in {} (the offset of the access log)",
            report.zone.name
        ),
        _ => "times as the servers logged them (no zone known)".to_owned(),
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

/// A time from the report: the wall clock as written and its offset, if it had one.
#[derive(Clone, Copy, Debug)]
struct Time {
    local: NaiveDateTime,
    offset: Option<FixedOffset>,
}

impl Time {
    fn parse(text: &str) -> Option<Time> {
        if let Ok(t) = DateTime::parse_from_rfc3339(text) {
            return Some(Time {
                local: t.naive_local(),
                offset: Some(*t.offset()),
            });
        }
        NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S")
            .ok()
            .map(|local| Time {
                local,
                offset: None,
            })
    }

    /// Seconds on one line: the instant when the offset is known, else the wall clock.
    fn seconds(&self) -> i64 {
        self.local.and_utc().timestamp() - self.offset.map_or(0, |o| i64::from(o.local_minus_utc()))
    }
}

/// `2026-11-25T01:27:30+00:00` → `2026-11-25 01:27:30` (the zone is stated in the header).
fn display_time(text: &str) -> String {
    match (text.get(..10), text.get(11..19)) {
        (Some(date), Some(time)) if text.len() >= 19 => format!("{date} {time}"),
        _ => text.to_owned(),
    }
}

/// A `<time>` element with the full report time in `datetime` and `title`.
fn time_tag(full: &str, shown: &str) -> String {
    format!(
        "<time datetime=\"{0}\" title=\"{0}\">{1}</time>",
        esc(full),
        esc(shown)
    )
}

fn opt_time(t: Option<&str>) -> String {
    t.map_or_else(|| "–".to_owned(), |t| time_tag(t, &display_time(t)))
}

/// The x axis of the overall chart: `len` windows of `window` seconds from `start`.
struct Axis {
    start: Option<Time>,
    window: i64,
    len: usize,
    long_span: bool,
}

impl Axis {
    fn span(&self) -> i64 {
        self.window.saturating_mul(self.len as i64).max(1)
    }

    /// x of a point `secs` after the start.
    fn x(&self, secs: f64) -> f64 {
        PLOT_LEFT + (secs / self.span() as f64).clamp(0.0, 1.0) * plot_width()
    }

    /// Seconds from the axis start to a report time, when both parse.
    fn offset_of(&self, text: &str) -> Option<i64> {
        let start = self.start?;
        Some(Time::parse(text)?.seconds() - start.seconds())
    }

    /// The wall-clock label of `secs` after the start, in the start's offset.
    fn label(&self, secs: i64, step: i64) -> String {
        let Some(start) = self.start else {
            return format!("+{}", logscan_analyze::human_duration(secs));
        };
        let t = start.local + TimeDelta::seconds(secs);
        let pattern = if step >= 86_400 {
            "%m-%d"
        } else if self.long_span {
            "%m-%d %H:%M"
        } else if step < 60 {
            "%H:%M:%S"
        } else {
            "%H:%M"
        };
        t.format(pattern).to_string()
    }

    /// Tick positions (seconds after the start) on round wall-clock times, at most ~7.
    fn ticks(&self) -> (Vec<i64>, i64) {
        const STEPS: [i64; 22] = [
            1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1_800, 3_600, 7_200, 10_800, 21_600,
            43_200, 86_400, 172_800, 604_800, 1_209_600, 2_592_000,
        ];
        let span = self.span();
        let step = STEPS
            .into_iter()
            .find(|s| span / s <= 6)
            .unwrap_or_else(|| (span / 6).max(1));
        // Align to the wall clock of the start's offset (midnight for day steps).
        let wall0 = self.start.map_or(0, |s| s.local.and_utc().timestamp());
        let first = wall0.div_euclid(step) * step;
        let first = if first < wall0 { first + step } else { first };
        let ticks = (0..)
            .map(|k| first - wall0 + k * step)
            .take_while(|&s| s <= span)
            .take(64)
            .collect();
        (ticks, step)
    }
}

// ---------------------------------------------------------------------------------------
// The overall timeline chart.

const CHART_WIDTH: f64 = 1000.0;
const PLOT_LEFT: f64 = 64.0;
const PLOT_RIGHT: f64 = 14.0;
const PANEL_HEIGHT: f64 = 92.0;
const PANEL_TITLE: f64 = 28.0;
const LABEL_ROW: f64 = 15.0;
const LABEL_ROWS: usize = 3;
const AXIS_HEIGHT: f64 = 46.0;

fn plot_width() -> f64 {
    CHART_WIDTH - PLOT_LEFT - PLOT_RIGHT
}

/// One horizontal panel of the chart.
struct Panel {
    title: String,
    /// Layers stacked bottom up: CSS class and merged values.
    layers: Vec<(String, Vec<u64>)>,
}

/// A cause layer of the failures panel.
struct CauseLayer {
    class: String,
    label: String,
    id: Option<String>,
    total: u64,
    values: Vec<u64>,
}

/// An incident on the chart: its band and, when there is room, its label.
struct Band {
    index: usize,
    x0: f64,
    x1: f64,
    label_x: f64,
    row: Option<usize>,
}

fn label_width(n: usize) -> f64 {
    10.0 + 8.0 * n.to_string().len() as f64
}

fn incident_bands(report: &Report, axis: &Axis) -> Vec<Band> {
    let mut row_end = [f64::NEG_INFINITY; LABEL_ROWS];
    let mut bands = Vec::new();
    for (index, inc) in report.incidents.iter().enumerate() {
        let (Some(s), Some(e)) = (axis.offset_of(&inc.start), axis.offset_of(&inc.end)) else {
            continue;
        };
        let x0 = axis.x(s as f64);
        let x1 = axis.x((e + 1) as f64).max(x0 + 3.0);
        let w = label_width(index + 1);
        let label_x = x0.clamp(PLOT_LEFT, CHART_WIDTH - PLOT_RIGHT - w);
        let row = (0..LABEL_ROWS).find(|&r| label_x >= row_end[r] + 3.0);
        if let Some(r) = row {
            row_end[r] = label_x + w;
        }
        bands.push(Band {
            index,
            x0,
            x1,
            label_x,
            row,
        });
    }
    bands
}

fn timeline_section(out: &mut String, report: &Report, ctx: &Ctx) {
    let t = &report.timeline;
    let window = [t.window_seconds, report.window_seconds, 60]
        .into_iter()
        .find(|&w| w > 0)
        .unwrap_or(60);
    let len = [t.requests.len(), t.server_errors.len(), t.failures.len()]
        .into_iter()
        .chain(t.by_cause.values().map(Vec::len))
        .max()
        .unwrap_or(0);
    let factor = merge_factor(len, MAX_TIMELINE_POINTS);
    let points = len.div_ceil(factor);
    let per = logscan_analyze::human_duration(window.saturating_mul(factor as i64));
    let axis = Axis {
        start: t.start.as_deref().and_then(Time::parse),
        window,
        len,
        long_span: ctx.long_span,
    };

    let has_access = report.access.is_some() || report.totals.requests > 0;
    let has_failures = report.totals.failures > 0
        || t.failures.iter().any(|&v| v > 0)
        || t.by_cause.values().any(|v| v.iter().any(|&n| n > 0));

    // Cause layers: the biggest causes get their own colour, the rest one layer.
    let mut causes: Vec<(&String, u64)> = t
        .by_cause
        .iter()
        .map(|(id, v)| (id, v.iter().sum::<u64>()))
        .filter(|(_, n)| *n > 0)
        .collect();
    causes.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let mut layers: Vec<CauseLayer> = Vec::new();
    let mut other = CauseLayer {
        class: "cother".to_owned(),
        label: String::new(),
        id: None,
        total: 0,
        values: vec![0; points],
    };
    let mut other_ids = Vec::new();
    for (i, (id, total)) in causes.iter().enumerate() {
        let merged = merge(&t.by_cause[*id], factor, points);
        if i < MAX_CHART_CAUSES {
            layers.push(CauseLayer {
                class: format!("c{i}"),
                label: Cause::from_id(id).map_or_else(|| (*id).clone(), |c| c.title().to_owned()),
                id: Some((*id).clone()),
                total: *total,
                values: merged,
            });
        } else {
            other.total += total;
            other_ids.push((*id).clone());
            for (slot, v) in other.values.iter_mut().zip(merged) {
                *slot += v;
            }
        }
    }
    // Failures not broken down by cause (should not happen, but the chart must add up).
    let failures = merge(&t.failures, factor, points);
    if !other_ids.is_empty() {
        other.label = format!("{} other causes", other_ids.len());
        layers.push(other);
    } else if layers.is_empty() && has_failures {
        layers.push(CauseLayer {
            class: "cother".to_owned(),
            label: "failure events".to_owned(),
            id: None,
            total: failures.iter().sum(),
            values: failures.clone(),
        });
    }

    let requests = merge(&t.requests, factor, points);
    let errors = merge(&t.server_errors, factor, points);
    let mut panels = Vec::new();
    if has_access {
        panels.push(Panel {
            title: format!("Requests per {per}"),
            layers: vec![("req".to_owned(), requests.clone())],
        });
        panels.push(Panel {
            title: format!("5xx responses per {per}"),
            layers: vec![("err".to_owned(), errors.clone())],
        });
    }
    if has_failures {
        panels.push(Panel {
            title: format!("Failure events per {per} (error logs), by cause"),
            layers: layers
                .iter()
                .map(|l| (l.class.clone(), l.values.clone()))
                .collect(),
        });
    }

    out.push_str("<section id=\"timeline-section\">\n<h2>Timeline</h2>\n");
    if factor > 1 {
        let _ = writeln!(
            out,
            "<p class=\"muted\">{} windows of {} merged into {} bars of {} each.</p>",
            thousands(len as u64),
            esc(&logscan_analyze::human_duration(window)),
            thousands(points as u64),
            esc(&per)
        );
    }
    out.push_str("<div class=\"chart\">\n");
    if panels.is_empty() || len == 0 {
        out.push_str("<svg id=\"timeline\" viewBox=\"0 0 1000 60\" role=\"img\" aria-label=\"No timeline\"><text x=\"500\" y=\"34\" text-anchor=\"middle\">No timed events to chart.</text></svg>\n</div>\n</section>\n");
        return;
    }
    // Incident bands and where their numbered labels go: up to three rows above the
    // panels; a label with no room is left out (its band keeps its tooltip, the table
    // lists every incident).
    let bands = incident_bands(report, &axis);
    let label_rows = bands
        .iter()
        .filter_map(|b| b.row)
        .max()
        .map_or(0, |r| r + 1);
    let top = 8.0 + label_rows as f64 * LABEL_ROW;
    let height = top + panels.len() as f64 * (PANEL_TITLE + PANEL_HEIGHT) + AXIS_HEIGHT;
    let desc = format!(
        "{} windows of {}{}{}; {} incident{}.",
        thousands(len as u64),
        logscan_analyze::human_duration(window),
        if has_access {
            format!(
                "; {} requests, {} 5xx responses",
                thousands(report.totals.requests),
                thousands(report.totals.server_errors)
            )
        } else {
            String::new()
        },
        if has_failures {
            format!("; {} failure events", thousands(report.totals.failures))
        } else {
            String::new()
        },
        report.incidents.len(),
        plural(report.incidents.len())
    );
    let _ = writeln!(
        out,
        "<svg id=\"timeline\" viewBox=\"0 0 {CHART_WIDTH} {}\" role=\"img\" aria-labelledby=\"timeline-title timeline-desc\">",
        num(height)
    );
    let _ = writeln!(
        out,
        "<title id=\"timeline-title\">Timeline: {}</title><desc id=\"timeline-desc\">{}</desc>",
        esc(&panels
            .iter()
            .map(|p| p.title.as_str())
            .collect::<Vec<_>>()
            .join("; ")),
        esc(&desc)
    );

    let panels_top = top + PANEL_TITLE;
    let panels_bottom = top + panels.len() as f64 * (PANEL_TITLE + PANEL_HEIGHT);

    // Incident bands under the bars, labels above the panels.
    if !bands.is_empty() {
        out.push_str("<g class=\"incidents\">\n");
        for band in &bands {
            let inc = &report.incidents[band.index];
            let n = band.index + 1;
            let _ = writeln!(
                out,
                "<rect class=\"band\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"><title>Incident {n}: {}</title></rect>",
                num(band.x0),
                num(panels_top - 4.0),
                num(band.x1 - band.x0),
                num(panels_bottom - panels_top + 4.0),
                esc(&inc.summary)
            );
            if let Some(row) = band.row {
                let y = 2.0 + row as f64 * LABEL_ROW;
                let _ = writeln!(
                    out,
                    "<g class=\"blabel\"><title>Incident {n}: {}</title><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"14\" rx=\"3\"/><text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{n}</text></g>",
                    esc(&inc.summary),
                    num(band.label_x),
                    num(y),
                    num(label_width(n)),
                    num(band.label_x + label_width(n) / 2.0),
                    num(y + 11.5),
                );
            }
        }
        out.push_str("</g>\n");
    }

    for (p, panel) in panels.iter().enumerate() {
        let ptop = top + PANEL_TITLE + p as f64 * (PANEL_TITLE + PANEL_HEIGHT);
        let base = ptop + PANEL_HEIGHT;
        let totals: Vec<u64> = (0..points)
            .map(|i| panel.layers.iter().map(|(_, v)| v[i]).sum())
            .collect();
        let highest = totals.iter().copied().max().unwrap_or(0);
        let max = highest.max(1);
        let _ = writeln!(
            out,
            "<text class=\"ptitle\" x=\"{PLOT_LEFT}\" y=\"{}\">{}</text>",
            num(ptop - 9.0),
            esc(&panel.title)
        );
        let _ = writeln!(
            out,
            "<line class=\"grid\" x1=\"{PLOT_LEFT}\" x2=\"{right}\" y1=\"{top}\" y2=\"{top}\"/><line class=\"grid\" x1=\"{PLOT_LEFT}\" x2=\"{right}\" y1=\"{mid}\" y2=\"{mid}\"/>",
            right = num(CHART_WIDTH - PLOT_RIGHT),
            top = num(ptop),
            mid = num(ptop + PANEL_HEIGHT / 2.0),
        );
        let _ = writeln!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text><text x=\"{0}\" y=\"{}\" text-anchor=\"end\">0</text>",
            num(PLOT_LEFT - 6.0),
            num(ptop + 5.0),
            if highest > 0 {
                thousands(highest)
            } else {
                String::new()
            },
            num(base + 4.0)
        );
        // Stacked layers drawn as step areas from the baseline, in data units (x: windows,
        // y: counts): the tallest cumulative layer first, each smaller one painted over it.
        let _ = writeln!(
            out,
            "<g transform=\"translate({PLOT_LEFT} {}) scale({} {})\" shape-rendering=\"crispEdges\">",
            num(base),
            scale(plot_width() / len as f64),
            scale(-PANEL_HEIGHT / max as f64)
        );
        let mut cumulative = vec![0u64; points];
        let mut areas = Vec::new();
        for (class, values) in &panel.layers {
            for (c, v) in cumulative.iter_mut().zip(values) {
                *c += v;
            }
            if values.iter().any(|&v| v > 0) {
                areas.push((class, step_area(&cumulative, factor, len)));
            }
        }
        for (class, d) in areas.iter().rev() {
            let _ = writeln!(out, "<path class=\"{class}\" d=\"{d}\"/>");
        }
        out.push_str("</g>\n");
        let _ = writeln!(
            out,
            "<line class=\"base\" x1=\"{PLOT_LEFT}\" x2=\"{}\" y1=\"{}\" y2=\"{1}\"/>",
            num(CHART_WIDTH - PLOT_RIGHT),
            num(base)
        );
    }

    // X axis: ticks on round wall-clock times.
    let (ticks, step) = axis.ticks();
    out.push_str("<g class=\"axis\">\n");
    for s in ticks {
        let x = axis.x(s as f64);
        let anchor = if x < PLOT_LEFT + 30.0 {
            "start"
        } else if x > CHART_WIDTH - PLOT_RIGHT - 30.0 {
            "end"
        } else {
            "middle"
        };
        let _ = writeln!(
            out,
            "<line class=\"base\" x1=\"{0}\" x2=\"{0}\" y1=\"{1}\" y2=\"{2}\"/><text x=\"{0}\" y=\"{3}\" text-anchor=\"{anchor}\">{4}</text>",
            num(x),
            num(panels_bottom),
            num(panels_bottom + 5.0),
            num(panels_bottom + 19.0),
            esc(&axis.label(s, step))
        );
    }
    let axis_title = match (axis.start, report.zone.source.as_str()) {
        (None, _) => "Time since the start".to_owned(),
        (Some(_), "as_logged") => "Time as logged (no zone known)".to_owned(),
        (Some(s), _) => match s.offset {
            Some(o) if report.zone.name.is_empty() => format!("Time (UTC{o})"),
            _ => format!("Time ({})", cut(&report.zone.name, 40)),
        },
    };
    let _ = writeln!(
        out,
        "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\n</g>",
        num(CHART_WIDTH - PLOT_RIGHT),
        num(panels_bottom + 38.0),
        esc(&axis_title)
    );

    // Hover targets with the numbers of each bar (native tooltips, no script), in window
    // units across the height of all panels.
    let _ = writeln!(
        out,
        "<g class=\"hits\" transform=\"translate({PLOT_LEFT} {}) scale({} {})\">",
        num(panels_top),
        scale(plot_width() / len as f64),
        num(panels_bottom - panels_top)
    );
    for i in 0..points {
        let f = failures.get(i).copied().unwrap_or(0);
        let r = requests[i];
        let e = errors[i];
        if r == 0 && e == 0 && f == 0 {
            continue;
        }
        let w0 = i * factor;
        let w1 = ((i + 1) * factor).min(len);
        let _ = writeln!(
            out,
            "<rect x=\"{w0}\" width=\"{}\" height=\"1\"><title>{}</title></rect>",
            w1 - w0,
            esc(&bar_tip(
                &axis,
                &layers,
                (w0, w1),
                i,
                (r, e, f),
                (has_access, has_failures)
            ))
        );
    }
    out.push_str("</g>\n</svg>\n</div>\n");

    // Legend in HTML so it wraps on narrow screens.
    out.push_str("<ul class=\"legend\">");
    if has_access {
        out.push_str("<li><span class=\"sw req\"></span>Requests</li>");
        out.push_str("<li><span class=\"sw err\"></span>5xx responses</li>");
    }
    for l in &layers {
        let _ = write!(
            out,
            "<li><span class=\"sw {}\"></span>{}{} — {}</li>",
            l.class,
            esc(&l.label),
            l.id.as_deref()
                .map(|id| format!(" <code>{}</code>", esc(id)))
                .unwrap_or_default(),
            thousands(l.total)
        );
    }
    if !report.incidents.is_empty() {
        out.push_str("<li><span class=\"sw band\"></span>Incident (numbered as in the <a href=\"#incidents\">incidents table</a>)</li>");
    }
    out.push_str("</ul>\n");
    if !other_ids.is_empty() {
        let _ = writeln!(
            out,
            "<p class=\"muted\">Other causes: {}.</p>",
            other_ids
                .iter()
                .map(|id| format!("<code>{}</code>", esc(id)))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    out.push_str("</section>\n");
}

// ---------------------------------------------------------------------------------------
// Findings.

fn severity_label(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "Critical",
        Severity::High => "High",
        Severity::Medium => "Medium",
        Severity::Low => "Low",
        Severity::Info => "Info",
    }
}

fn severity_badge(s: Severity) -> String {
    format!(
        "<span class=\"sev sev-{}\">{}</span>",
        s.as_str(),
        severity_label(s)
    )
}

fn share(x: f64) -> String {
    let pct = x * 100.0;
    if pct > 0.0 && pct < 1.0 {
        "&lt;1%".to_owned()
    } else {
        format!("{pct:.0}%")
    }
}

fn findings_section(out: &mut String, report: &Report, shown: &[&Finding], ctx: &Ctx) {
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

fn upstream_html(upstream: &str) -> String {
    if upstream.is_empty() {
        "<span class=\"muted\">unknown</span>".to_owned()
    } else {
        format!("<code>{}</code>", esc(upstream))
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
        &format!(
            "{} ({} of all failure events)",
            thousands(f.count),
            share(f.share)
        ),
    );
    if let Some(n) = f.affected_requests {
        fact(
            out,
            "Requests affected",
            &format!("{} (5xx/499 responses in the access logs)", thousands(n)),
        );
    }
    if !f.statuses.is_empty() {
        let statuses: Vec<String> = f
            .statuses
            .iter()
            .map(|(s, n)| {
                if f.statuses_inferred {
                    format!("<strong>{}</strong>", esc(s))
                } else {
                    format!("<strong>{}</strong> × {}", esc(s), thousands(*n))
                }
            })
            .collect();
        fact(
            out,
            "Statuses",
            &format!(
                "{}{}",
                statuses.join(", "),
                if f.statuses_inferred {
                    " <span class=\"muted\">(what the server sends for this cause; no access log to count them)</span>"
                } else {
                    " <span class=\"muted\">(sent to clients)</span>"
                }
            ),
        );
    }
    fact(out, "Upstream", &upstream_html(&f.upstream));
    if f.upstreams.len() > 1 || f.upstreams.first().is_some_and(|u| u.value != f.upstream) {
        fact(out, "Peers", &counted_inline(&f.upstreams));
    }
    if let Some(vhost) = &f.vhost {
        fact(out, "Virtual host", &format!("<code>{}</code>", esc(vhost)));
    }
    fact(out, "Server", &esc(&f.server));
    if let Some(layer) = crate::layer_text(f) {
        fact(out, "Layer", &esc(&layer));
    }
    fact(
        out,
        "First seen",
        &time_tag(&f.first_seen, &display_time(&f.first_seen)),
    );
    fact(
        out,
        "Last seen",
        &time_tag(&f.last_seen, &display_time(&f.last_seen)),
    );
    if let Some(peak) = &f.peak {
        fact(
            out,
            "Busiest window",
            &format!(
                "{} events, {}–{}",
                thousands(peak.count),
                time_tag(&peak.start, &crate::time_short(&peak.start, false)),
                time_tag(&peak.end, &crate::time_short(&peak.end, false))
            ),
        );
    }
    if !f.phases.is_empty() {
        fact(out, "Phases", &map_inline(&f.phases));
    }
    if !f.variants.is_empty() {
        fact(out, "Variants", &map_inline(&f.variants));
    }
    if f.truncated_responses > 0 {
        fact(
            out,
            "Truncated responses",
            &format!(
                "{} (after the header was sent: clients got a cut-off body, not a 5xx)",
                thousands(f.truncated_responses)
            ),
        );
    }
    if let Some(trigger) = &f.trigger {
        fact(
            out,
            "Triggered by",
            &format!(
                "{} × {} (<code>{}</code>) at {} in the minute before",
                thousands(trigger.count),
                esc(trigger.cause.title()),
                esc(trigger.cause.id()),
                upstream_html(&trigger.upstream)
            ),
        );
    }
    out.push_str("</dl>\n");
    sparkline_svg(out, f, report);
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

fn fact(out: &mut String, label: &str, value_html: &str) {
    let _ = writeln!(out, "<dt>{label}</dt><dd>{value_html}</dd>");
}

fn counted_inline(values: &[Counted]) -> String {
    values
        .iter()
        .map(|c| format!("<code>{}</code> ({})", esc(&c.value), thousands(c.count)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn map_inline(map: &std::collections::BTreeMap<String, u64>) -> String {
    map.iter()
        .map(|(k, n)| format!("{} {}", esc(k), thousands(*n)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn counted_table(out: &mut String, title: &str, column: &str, values: &[Counted]) {
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

fn sparkline_svg(out: &mut String, f: &Finding, report: &Report) {
    if f.timeline.is_empty() {
        return;
    }
    let len = f.timeline.len();
    let (values, factor) = downsample(&f.timeline, MAX_SPARKLINE_POINTS);
    let max = values.iter().copied().max().unwrap_or(0).max(1);
    let window = report.window_seconds.max(1).saturating_mul(factor as i64);
    let per = logscan_analyze::human_duration(window);
    let label = format!(
        "Events per {per} over the report span; at most {} in one bar",
        thousands(max)
    );
    // Data units stretched to the box: x in windows, y in events (flipped).
    let _ = writeln!(
        out,
        "<figure><svg class=\"spark sev-{}\" viewBox=\"0 0 {len} {max}\" preserveAspectRatio=\"none\" width=\"240\" height=\"40\" role=\"img\" aria-label=\"{}\"><title>{1}</title><path transform=\"matrix(1 0 0 -1 0 {max})\" shape-rendering=\"crispEdges\" d=\"{}\"/></svg><figcaption>events per {}, whole span</figcaption></figure>",
        f.severity.as_str(),
        esc(&label),
        step_area(&values, factor, len),
        esc(&per)
    );
}

/// A closed step area over `values` from y = 0: value `i` spans x from `i * width` to
/// `(i + 1) * width` (the last one ends at `end`). Runs of equal values are one step.
fn step_area(values: &[u64], width: usize, end: usize) -> String {
    let mut d = String::new();
    let mut i = 0;
    while i < values.len() {
        let y = values[i];
        let mut j = i + 1;
        while j < values.len() && values[j] == y {
            j += 1;
        }
        let x = (j * width).min(end);
        if i == 0 {
            let _ = write!(d, "M0 {y}H{x}");
        } else {
            let _ = write!(d, "V{y}H{x}");
        }
        i = j;
    }
    d.push_str("V0H0Z");
    d
}

/// The tooltip of one merged bar of the overall chart.
fn bar_tip(
    axis: &Axis,
    layers: &[CauseLayer],
    (w0, w1): (usize, usize),
    i: usize,
    (requests, errors, failures): (u64, u64, u64),
    (has_access, has_failures): (bool, bool),
) -> String {
    let window = axis.window;
    let mut tip = format!(
        "{}–{}",
        axis.label(w0 as i64 * window, window),
        axis.label(w1 as i64 * window, window)
    );
    if has_access {
        let _ = write!(
            tip,
            ": {} requests, {} × 5xx",
            thousands(requests),
            thousands(errors)
        );
    }
    if has_failures {
        let _ = write!(
            tip,
            "{} {} failure events",
            if has_access { ";" } else { ":" },
            thousands(failures)
        );
        let mut parts: Vec<(u64, &str)> = layers
            .iter()
            .filter_map(|l| {
                let v = l.values.get(i).copied().unwrap_or(0);
                (v > 0).then(|| (v, l.id.as_deref().unwrap_or(&l.label)))
            })
            .collect();
        parts.sort_by_key(|p| std::cmp::Reverse(p.0));
        if !parts.is_empty() {
            let more = parts.len().saturating_sub(3);
            let mut shown: Vec<String> = parts
                .iter()
                .take(3)
                .map(|(v, id)| format!("{id} {}", thousands(*v)))
                .collect();
            if more > 0 {
                shown.push(format!("{more} more"));
            }
            let _ = write!(tip, " ({})", shown.join(", "));
        }
    }
    tip
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
        let causes: Vec<String> = inc
            .causes
            .iter()
            .map(|c| format!("<code>{}</code>", esc(c.id())))
            .collect();
        let upstreams: Vec<String> = inc
            .upstreams
            .iter()
            .map(|u| format!("<code>{}</code>", esc(u)))
            .collect();
        let findings: Vec<String> = inc.findings.iter().map(|&r| ctx.finding_link(r)).collect();
        let _ = writeln!(
            out,
            "<tr id=\"incident-{}\"><td class=\"n\">{0}</td><td class=\"t\">{}</td><td class=\"t\">{}</td><td class=\"n\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            j + 1,
            time_tag(&inc.start, &crate::time_short(&inc.start, ctx.long_span)),
            time_tag(&inc.end, &crate::time_short(&inc.end, ctx.long_span)),
            thousands(inc.count),
            esc(&inc.summary),
            causes.join(", "),
            upstreams.join(", "),
            findings.join(", ")
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

fn quantile_row(out: &mut String, label: &str, q: &Quantiles) {
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
    stat(out, "Requests", &thousands(a.requests));
    stat(out, "5xx responses", &thousands(a.server_errors));
    stat(out, "499 (client gave up)", &thousands(a.client_closed));
    stat(out, "Retried on another upstream", &thousands(a.retried));
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
        quantile_row(&mut times, "Request time (all requests)", q);
    }
    if let Some(q) = &a.upstream_time {
        quantile_row(&mut times, "Upstream response time (all tries)", q);
    }
    for (status, q) in &a.time_by_status {
        quantile_row(&mut times, &format!("Time of {} responses", esc(status)), q);
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
    title: &str,
    statuses: &std::collections::BTreeMap<String, u64>,
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
    out.push_str("</section>\n");
}

// ---------------------------------------------------------------------------------------
// Small helpers.

/// At most `max` characters, with an ellipsis when cut (for SVG text, which cannot wrap).
fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// A scale factor with enough digits for thousands of windows.
fn scale(x: f64) -> String {
    let text = format!("{x:.6}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text.is_empty() || text == "-" {
        "0".to_owned()
    } else {
        text.to_owned()
    }
}

/// A coordinate with at most one decimal, without a trailing `.0`.
fn num(x: f64) -> String {
    let r = (x * 10.0).round() / 10.0;
    if r == 0.0 {
        "0".to_owned()
    } else if r.fract() == 0.0 {
        format!("{r:.0}")
    } else {
        format!("{r:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn downsampling_sums_whole_windows() {
        let (v, k) = downsample(&[1; 4096], 600);
        assert_eq!(k, 7);
        assert_eq!(v.len(), 586);
        assert_eq!(v.iter().sum::<u64>(), 4096);
        assert_eq!(v[0], 7);
        assert_eq!(*v.last().unwrap(), 4096 - 585 * 7);
        assert_eq!(downsample(&[], 10), (vec![], 1));
        assert_eq!(downsample(&[3; 600], 600).1, 1);
        assert_eq!(downsample(&[3; 601], 600).0.len(), 301);
    }

    #[test]
    fn times_parse_with_and_without_offset() {
        let a = Time::parse("2026-11-25T01:27:30+01:00").unwrap();
        let b = Time::parse("2026-11-25T00:27:30Z").unwrap();
        assert_eq!(a.seconds(), b.seconds());
        let c = Time::parse("2026-11-25T01:27:30").unwrap();
        assert!(c.offset.is_none());
        assert!(Time::parse("yesterday").is_none());
        assert_eq!(
            display_time("2026-11-25T01:27:30+01:00"),
            "2026-11-25 01:27:30"
        );
    }

    #[test]
    fn ticks_fall_on_round_wall_clock_times_in_the_start_offset() {
        let axis = Axis {
            start: Time::parse("2026-11-25T01:27:30+05:30"),
            window: 60,
            len: 60,
            long_span: false,
        };
        let (ticks, step) = axis.ticks();
        assert_eq!(step, 600);
        assert_eq!(ticks[0], 150);
        assert_eq!(axis.label(ticks[0], step), "01:30");
        assert!(ticks.len() <= 9);
        let days = Axis {
            start: Time::parse("2026-11-25T13:00:00+00:00"),
            window: 3_600,
            len: 24 * 30,
            long_span: true,
        };
        let (ticks, step) = days.ticks();
        assert!(step >= 86_400);
        assert_eq!(days.label(ticks[0], step), "11-26");
    }

    #[test]
    fn numbers_are_short() {
        assert_eq!(num(12.0), "12");
        assert_eq!(num(12.345), "12.3");
        assert_eq!(num(-0.04), "0");
    }
}
