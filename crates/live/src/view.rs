//! The terminal view, drawn with ratatui: a pure function of the latest report, the open
//! incidents and the view's state ([`draw`]), so it can be drawn on any backend (the tests
//! draw it on ratatui's `TestBackend`).
//!
//! Every text that comes from a log or a file name is shown through
//! [`logscan_text::terminal`], the same escaping as the table output: a log line
//! holding `ESC [ 2 J` shows as the text `\x1b[2J`.

use logscan_analyze::LiveIncident;
use logscan_analyze::report::{Finding, Report};
use logscan_parse::Severity;
use logscan_render::{sparkline, time_short, upstream_label};
use logscan_text::{terminal, thousands};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{
    Block, Borders, Cell, Clear, Paragraph, Row, Sparkline, Table, TableState, Wrap,
};

/// What the view shows besides the report.
#[derive(Debug, Clone, Default)]
pub struct ViewState {
    /// The selected finding (index into the findings shown).
    pub selected: usize,
    /// The selected finding's fix and examples are open.
    pub detail: bool,
    /// The view is not updated (reading goes on).
    pub paused: bool,
    /// The latest message (a file deleted, truncated, ...).
    pub status: Option<String>,
}

/// One frame's data.
#[derive(Debug, Clone, Copy)]
pub struct Model<'a> {
    /// The latest report (none before the first lines).
    pub report: Option<&'a Report>,
    /// Incidents open now.
    pub incidents: &'a [LiveIncident],
    /// Inputs being read.
    pub following: usize,
    /// Lines read in all.
    pub lines: u64,
    /// The wall-clock time of the last update (`HH:MM:SS`).
    pub updated: &'a str,
    /// Colours.
    pub color: bool,
    /// How many findings to list at most.
    pub top: usize,
}

impl ViewState {
    /// Moves the selection by `delta` within `count` findings.
    pub fn select(&mut self, delta: isize, count: usize) {
        if count == 0 {
            self.selected = 0;
            return;
        }
        let next = self.selected.saturating_add_signed(delta);
        self.selected = next.min(count - 1);
    }
}

/// How many findings the view lists.
pub fn shown(model: &Model<'_>) -> usize {
    model.report.map_or(0, |r| r.findings.len().min(model.top))
}

/// Draws the whole view.
pub fn draw(frame: &mut Frame<'_>, model: &Model<'_>, state: &ViewState) {
    let area = frame.area();
    let incident_rows = model.incidents.len().clamp(1, 4) as u16;
    let [title, summary, incidents, findings, windows, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(3),
        Constraint::Length(incident_rows + 2),
        Constraint::Min(5),
        Constraint::Length(5),
        Constraint::Length(1),
    ])
    .areas(area);
    draw_title(frame, title, model, state);
    draw_summary(frame, summary, model);
    draw_incidents(frame, incidents, model);
    draw_findings(frame, findings, model, state);
    draw_windows(frame, windows, model);
    draw_status(frame, status, state);
    if state.detail {
        if let Some(finding) = model
            .report
            .and_then(|r| r.findings.iter().take(model.top).nth(state.selected))
        {
            draw_detail(frame, area, finding, model.color);
        }
    }
}

fn style(color: bool, fg: Color) -> Style {
    if color {
        Style::default().fg(fg)
    } else {
        Style::default()
    }
}

fn draw_title(frame: &mut Frame<'_>, area: Rect, model: &Model<'_>, state: &ViewState) {
    let mut spans = vec![
        Span::styled(" logscan ", Style::default().add_modifier(Modifier::BOLD)),
        Span::raw(format!(
            "· following {} input{} · {} lines · updated {}",
            model.following,
            if model.following == 1 { "" } else { "s" },
            thousands(model.lines),
            model.updated
        )),
    ];
    if let Some(report) = model.report {
        spans.push(Span::raw(format!(
            " · {} requests, {} × 5xx, {} failures",
            thousands(report.totals.requests),
            thousands(report.totals.server_errors),
            thousands(report.totals.failures)
        )));
    }
    if state.paused {
        spans.push(Span::styled(
            "  PAUSED (p resumes)",
            style(model.color, Color::Yellow).add_modifier(Modifier::BOLD),
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn draw_summary(frame: &mut Frame<'_>, area: Rect, model: &Model<'_>) {
    let text = match model.report {
        Some(report) => terminal(&report.summary).into_owned(),
        None => "Waiting for lines…".to_owned(),
    };
    frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), area);
}

fn draw_incidents(frame: &mut Frame<'_>, area: Rect, model: &Model<'_>) {
    let block = Block::default()
        .borders(Borders::TOP | Borders::BOTTOM)
        .title(format!(" Open incidents ({}) ", model.incidents.len()));
    let lines: Vec<Line<'_>> = if model.incidents.is_empty() {
        vec![Line::from(Span::styled(
            "none",
            Style::default().add_modifier(Modifier::DIM),
        ))]
    } else {
        model
            .incidents
            .iter()
            .take(4)
            .map(|i| {
                Line::from(vec![
                    Span::styled("● ", style(model.color, Color::Red)),
                    Span::raw(terminal(&i.summary).into_owned()),
                    Span::styled(
                        format!("  {:.1}/s", i.rate),
                        Style::default().add_modifier(Modifier::DIM),
                    ),
                ])
            })
            .collect()
    };
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

fn severity_style(severity: Severity, color: bool) -> Style {
    match severity {
        Severity::Critical => style(color, Color::Red).add_modifier(Modifier::BOLD),
        Severity::High => style(color, Color::Red),
        Severity::Medium => style(color, Color::Yellow),
        _ => Style::default(),
    }
}

fn draw_findings(frame: &mut Frame<'_>, area: Rect, model: &Model<'_>, state: &ViewState) {
    let block = Block::default()
        .borders(Borders::BOTTOM)
        .title(" Findings (↑↓/j/k select · enter: fix and examples) ");
    let Some(report) = model.report else {
        frame.render_widget(Paragraph::new("").block(block), area);
        return;
    };
    let shown: Vec<&Finding> = report.findings.iter().take(model.top).collect();
    if shown.is_empty() {
        frame.render_widget(Paragraph::new("No findings.").block(block), area);
        return;
    }
    let long = logscan_render::spans_days(report);
    let spark_width = 24usize.min(area.width.saturating_sub(80).max(8) as usize);
    let rows: Vec<Row<'_>> = shown
        .iter()
        .map(|f| {
            let points = &f.timeline[f.timeline.len().saturating_sub(spark_width * 4)..];
            Row::new(vec![
                Cell::from(f.rank.to_string()),
                Cell::from(Span::styled(
                    f.severity.to_string().to_uppercase(),
                    severity_style(f.severity, model.color),
                )),
                Cell::from(f.cause.id()),
                Cell::from(terminal(&upstream_label(f, &shown)).into_owned()),
                Cell::from(thousands(f.count)),
                Cell::from(format!("{:.0}%", f.share * 100.0)),
                Cell::from(time_short(&f.last_seen, long)),
                Cell::from(Span::styled(
                    sparkline(points, spark_width),
                    style(model.color, Color::Cyan),
                )),
            ])
        })
        .collect();
    let header = Row::new(vec![
        "#", "SEVERITY", "CAUSE", "UPSTREAM", "COUNT", "SHARE", "LAST", "TIMELINE",
    ])
    .style(Style::default().add_modifier(Modifier::BOLD));
    let widths = [
        Constraint::Length(3),
        Constraint::Length(9),
        Constraint::Length(24),
        Constraint::Min(16),
        Constraint::Length(8),
        Constraint::Length(6),
        Constraint::Length(if long { 12 } else { 9 }),
        Constraint::Length(spark_width as u16),
    ];
    let table = Table::new(rows, widths)
        .header(header)
        .block(block)
        .row_highlight_style(Style::default().add_modifier(Modifier::REVERSED))
        .highlight_symbol("›");
    let mut table_state = TableState::default().with_selected(Some(state.selected));
    frame.render_stateful_widget(table, area, &mut table_state);
}

fn draw_windows(frame: &mut Frame<'_>, area: Rect, model: &Model<'_>) {
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(area);
    let (requests, errors, window) = match model.report {
        Some(r) => (
            &r.timeline.requests[..],
            &r.timeline.server_errors[..],
            r.timeline.window_seconds,
        ),
        None => (&[][..], &[][..], 0),
    };
    let width = usize::from(left.width.saturating_sub(2));
    let last = |v: &[u64]| v[v.len().saturating_sub(width)..].to_vec();
    let per = logscan_text::human_duration(window.max(1));
    let total = |v: &[u64]| thousands(v.iter().sum());
    frame.render_widget(
        Sparkline::default()
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .title(format!(" requests per {per} ({} in all) ", total(requests))),
            )
            .data(last(requests))
            .style(style(model.color, Color::Green)),
        left,
    );
    frame.render_widget(
        Sparkline::default()
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .title(format!(" 5xx per {per} ({} in all) ", total(errors))),
            )
            .data(last(errors))
            .style(style(model.color, Color::Red)),
        right,
    );
}

fn draw_status(frame: &mut Frame<'_>, area: Rect, state: &ViewState) {
    let keys = "q quit · ↑↓ j k select · enter details · p pause";
    let line = match &state.status {
        Some(status) => Line::from(vec![
            Span::styled(
                terminal(status).into_owned(),
                Style::default().add_modifier(Modifier::BOLD),
            ),
            Span::styled(
                format!("  ({keys})"),
                Style::default().add_modifier(Modifier::DIM),
            ),
        ]),
        None => Line::from(Span::styled(
            keys,
            Style::default().add_modifier(Modifier::DIM),
        )),
    };
    frame.render_widget(Paragraph::new(line), area);
}

fn draw_detail(frame: &mut Frame<'_>, area: Rect, finding: &Finding, color: bool) {
    let popup = Rect {
        x: area.x + area.width / 10,
        y: area.y + area.height / 8,
        width: area.width - area.width / 5,
        height: area.height - area.height / 4,
    };
    let bold = Style::default().add_modifier(Modifier::BOLD);
    let mut text = Text::default();
    text.push_line(Line::from(Span::styled(
        terminal(&finding.title).into_owned(),
        bold,
    )));
    text.push_line(Line::from(format!(
        "{} × {} · {} · {} to {}",
        thousands(finding.count),
        finding.cause.id(),
        finding.severity,
        finding.first_seen,
        finding.last_seen
    )));
    text.push_line(Line::default());
    text.push_line(Line::from(Span::styled("Fix", bold)));
    text.push_line(Line::from(terminal(&finding.fix.summary).into_owned()));
    for (i, step) in finding.fix.steps.iter().enumerate() {
        text.push_line(Line::from(format!("{}. {}", i + 1, terminal(step))));
    }
    text.push_line(Line::default());
    text.push_line(Line::from(Span::styled("Examples", bold)));
    for example in &finding.examples {
        text.push_line(Line::from(Span::styled(
            format!("{}:{}", terminal(&example.path), example.line),
            style(color, Color::Cyan),
        )));
        text.push_line(Line::from(format!("  {}", terminal(&example.text))));
    }
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(text).wrap(Wrap { trim: false }).block(
            Block::default()
                .borders(Borders::ALL)
                .title(" Fix and examples (enter or esc closes) "),
        ),
        popup,
    );
}
