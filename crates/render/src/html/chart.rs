//! The charts of the HTML report: the overall timeline (requests, 5xx and failures by
//! cause, stacked per window, with incident bands and wall-clock ticks) and each finding's
//! sparkline, as inline SVG drawn in data units.

use std::fmt::Write;

use chrono::TimeDelta;
use logscan_analyze::report::{Finding, Report, ReportTime, ZoneSource};
use logscan_parse::Cause;

use super::{Ctx, MAX_SPARKLINE_POINTS, MAX_TIMELINE_POINTS, Markup, plural};
use crate::escape::html as esc;
use logscan_text::thousands;

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

/// The x axis of the overall chart: `len` windows of `window` seconds from `start`.
struct Axis {
    start: Option<ReportTime>,
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

    /// Seconds from the axis start to a report time, when the axis has a start.
    fn offset_of(&self, time: &ReportTime) -> Option<i64> {
        Some(time.seconds() - self.start?.seconds())
    }

    /// The wall-clock label of `secs` after the start, in the start's offset.
    fn label(&self, secs: i64, step: i64) -> String {
        let Some(start) = self.start else {
            return format!("+{}", logscan_text::human_duration(secs));
        };
        let t = start.wall() + TimeDelta::seconds(secs);
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
        let wall0 = self.start.map_or(0, |s| s.wall().and_utc().timestamp());
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

pub(super) fn timeline_section(out: &mut String, report: &Report, ctx: &Ctx) {
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
    let per = logscan_text::human_duration(window.saturating_mul(factor as i64));
    let axis = Axis {
        start: t.start,
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
            esc(&logscan_text::human_duration(window)),
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
        logscan_text::human_duration(window),
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
    let axis_title = match (axis.start, report.zone.source) {
        (None, _) => "Time since the start".to_owned(),
        (Some(_), ZoneSource::AsLogged) => "Time as logged (no zone known)".to_owned(),
        (Some(s), _) => match s.offset() {
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
                .map(|id| markup!(" <code>{}</code>", esc(id)))
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
            Markup::join(
                other_ids
                    .iter()
                    .map(|id| markup!("<code>{}</code>", esc(id))),
                ", "
            )
        );
    }
    out.push_str("</section>\n");
}

pub(super) fn sparkline_svg(out: &mut String, f: &Finding, report: &Report) {
    if f.timeline.is_empty() {
        return;
    }
    let len = f.timeline.len();
    let (values, factor) = downsample(&f.timeline, MAX_SPARKLINE_POINTS);
    let max = values.iter().copied().max().unwrap_or(0).max(1);
    let window = report.window_seconds.max(1).saturating_mul(factor as i64);
    let per = logscan_text::human_duration(window);
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

    fn time(text: &str) -> ReportTime {
        text.parse().unwrap()
    }

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
    fn ticks_fall_on_round_wall_clock_times_in_the_start_offset() {
        let axis = Axis {
            start: Some(time("2026-11-25T01:27:30+05:30")),
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
            start: Some(time("2026-11-25T13:00:00+00:00")),
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
