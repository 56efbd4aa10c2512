//! The terminal view drawn on ratatui's `TestBackend`: snapshots of a real outage's report
//! (the fixture captured from nginx), the detail panel, hostile text, tiny terminals.

use std::path::Path;

use logscan_analyze::report::Report;
use logscan_analyze::{Config, LiveIncident};
use logscan_input::Input;
use logscan_live::view::{Model, ViewState, draw};
use logscan_parse::{Cause, Zone};
use logscan_scan::{Formats, Scanner};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// The report of the nginx outage-then-timeouts fixture.
fn fixture_report() -> Report {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/nginx/mixed");
    let inputs = [
        Input::file(dir.join("error.log"), None),
        Input::file(dir.join("access_upstream.log"), None),
    ];
    let config = Config::default().with_zone(Zone::Utc);
    let outcome = Scanner::new(Formats::default()).analyze(&inputs, &config);
    assert!(outcome.problems.is_empty());
    let mut report = outcome.analyzer.finish();
    // Paths as in the repository, whatever the checkout's location.
    for f in &mut report.findings {
        for e in &mut f.examples {
            e.path = e
                .path
                .rsplit("fixtures/")
                .next()
                .unwrap_or_default()
                .to_owned();
        }
    }
    report
}

fn incident() -> LiveIncident {
    let mut incident = LiveIncident::new(
        2,
        "2026-11-25T09:58:36+00:00".parse().unwrap(),
        "2026-11-25T09:59:06+00:00".parse().unwrap(),
    );
    incident.count = 147;
    incident.causes = vec![Cause::UpstreamTimeoutRead];
    incident.upstreams = vec!["127.0.0.1:19149".into()];
    incident.rate = 4.9;
    incident.summary = "since 09:58:36: backend 127.0.0.1:19149 timed out 147 times".into();
    incident
}

fn render(
    report: Option<&Report>,
    incidents: &[LiveIncident],
    state: &ViewState,
    w: u16,
    h: u16,
) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    let model = Model {
        report,
        incidents,
        following: 2,
        lines: 1_234,
        updated: "09:59:07",
        color: false,
        top: 10,
    };
    terminal.draw(|frame| draw(frame, &model, state)).unwrap();
    terminal
}

#[test]
fn the_view_of_a_real_outage() {
    let report = fixture_report();
    let terminal = render(Some(&report), &[incident()], &ViewState::default(), 140, 36);
    insta::assert_snapshot!("outage", terminal.backend());
}

#[test]
fn enter_shows_the_fix_and_examples_of_the_selected_finding() {
    let report = fixture_report();
    let mut state = ViewState::default();
    state.select(1, report.findings.len());
    state.detail = true;
    state.status = Some("logs/error.log: truncated; reading it again from the start".into());
    let terminal = render(Some(&report), &[], &state, 140, 36);
    insta::assert_snapshot!("detail", terminal.backend());
}

#[test]
fn paused_and_waiting() {
    let state = ViewState {
        paused: true,
        ..ViewState::default()
    };
    let terminal = render(None, &[], &state, 100, 20);
    let text = terminal.backend().to_string();
    assert!(text.contains("PAUSED (p resumes)"), "{text}");
    assert!(text.contains("Waiting for lines"), "{text}");
}

#[test]
fn text_from_logs_is_escaped_as_in_the_table() {
    let mut report = fixture_report();
    let hostile = "\u{1b}[2J\u{1b}]0;pwned\u{7}evil\u{202e}txt\u{9b}31m";
    report.summary = format!("Visitors got 502 {hostile}");
    report.findings[0].upstream = format!("10.0.0.1:80{hostile}");
    report.findings[0].fix.summary = format!("fix {hostile}");
    report.findings[0].examples[0].text = format!("GET /{hostile}");
    let mut live = incident();
    live.summary = format!("since 09:58:36: {hostile}");
    let mut state = ViewState::default();
    for detail in [false, true] {
        state.detail = detail;
        let terminal = render(Some(&report), std::slice::from_ref(&live), &state, 200, 50);
        let buffer = terminal.backend().buffer();
        for cell in buffer.content() {
            assert!(
                !cell
                    .symbol()
                    .chars()
                    .any(|c| c.is_control() || ('\u{202a}'..='\u{202e}').contains(&c)),
                "raw control character {:?} on screen",
                cell.symbol()
            );
        }
        let text = terminal.backend().to_string();
        assert!(
            text.contains(r"\x1b[2J\x1b]0;pwned\x07evil\u{202e}txt\x9b31m"),
            "{text}"
        );
    }
}

#[test]
fn any_terminal_size_is_drawn_without_panicking() {
    let report = fixture_report();
    let mut state = ViewState {
        detail: true,
        ..ViewState::default()
    };
    state.select(5, report.findings.len());
    for (w, h) in [(1, 1), (2, 3), (10, 5), (40, 12), (80, 24), (300, 100)] {
        render(Some(&report), &[incident()], &state, w, h);
    }
}
