//! The terminal view's loop: ratatui's terminal set-up over crossterm (raw mode, the
//! alternate screen), keys read on a thread of their own, a redraw every refresh.

use std::io;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::thread;
use std::time::Instant;

use crossterm::event::{Event, KeyCode, KeyEventKind, KeyModifiers};
use logscan_analyze::LiveIncident;

use crate::engine::Engine;
use crate::session::{Session, Target, Wake};
use crate::view::{self, Model, ViewState};
use crate::{End, LiveSettings, Notice, Outcome};

/// What a key asks for.
enum Action {
    Quit,
    Redraw,
    Nothing,
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn run(
    settings: &LiveSettings,
    mut session: Session,
    mut engine: Engine,
    rx: Receiver<Wake>,
    tx: Sender<Wake>,
    color: bool,
    top: usize,
    notices: &mut dyn FnMut(&Notice),
) -> io::Result<Outcome> {
    let mut terminal = ratatui::try_init()?;
    thread::spawn(move || {
        while let Ok(event) = crossterm::event::read() {
            if tx.send(Wake::Terminal(event)).is_err() {
                break;
            }
        }
    });
    let mut said: Vec<Notice> = Vec::new();
    let mut state = ViewState::default();
    let mut incidents: Vec<LiveIncident> = Vec::new();
    let mut end = End::Stopped;
    let result = (|| -> io::Result<()> {
        let mut draw =
            |engine: &Engine, session: &Session, state: &ViewState, incidents: &[LiveIncident]| {
                let updated = chrono::Local::now().format("%H:%M:%S").to_string();
                let model = Model {
                    report: engine.report.as_ref(),
                    incidents,
                    following: session.reading(),
                    lines: session.lines,
                    updated: &updated,
                    color,
                    top,
                };
                terminal
                    .draw(|frame| view::draw(frame, &model, state))
                    .map(|_| ())
            };
        draw(&engine, &session, &state, &incidents)?;
        engine.read(&mut session)?;
        engine.analyzer.admit_all();
        let mut next_tick = Instant::now();
        loop {
            for notice in session.take_notices() {
                state.status = Some(notice.text.clone());
                said.push(notice);
            }
            let now = Instant::now();
            let _ = engine.incidents(&session, now);
            let mut redraw = false;
            if now >= next_tick {
                if !state.paused {
                    if let Some((_, reached)) = engine.refresh() {
                        if reached {
                            end = End::FailOn;
                            return Ok(());
                        }
                    }
                    incidents = engine.open_incidents();
                }
                redraw = true;
                next_tick = now + settings.refresh;
            }
            let until = match session.poll_interval() {
                Some(interval) => next_tick.min(Instant::now() + interval),
                None => next_tick,
            };
            let count = engine
                .report
                .as_ref()
                .map_or(0, |r| r.findings.len().min(top));
            state.select(0, count);
            if redraw {
                draw(&engine, &session, &state, &incidents)?;
            }
            let timeout = until.saturating_duration_since(Instant::now());
            let mut wakes = Vec::new();
            match rx.recv_timeout(timeout) {
                Ok(wake) => wakes.push(wake),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return Ok(()),
            }
            while let Ok(wake) = rx.try_recv() {
                wakes.push(wake);
            }
            let mut input = false;
            let mut keyed = false;
            for wake in wakes {
                match wake {
                    Wake::Quit => return Ok(()),
                    Wake::Input => input = true,
                    Wake::Terminal(event) => match key(&event, &mut state, count) {
                        Action::Quit => return Ok(()),
                        Action::Redraw => keyed = true,
                        Action::Nothing => {}
                    },
                }
            }
            if input {
                engine.read(&mut session)?;
            }
            if keyed {
                draw(&engine, &session, &state, &incidents)?;
            }
        }
    })();
    ratatui::restore();
    result?;
    session.finish(&mut Target::<io::Sink>::Analyzer(&mut engine.analyzer))?;
    said.extend(session.take_notices());
    for notice in &said {
        notices(notice);
    }
    Ok(Outcome {
        report: Some(crate::final_report(settings, engine.analyzer)),
        end,
    })
}

/// What a key or a resize does to the view.
fn key(event: &Event, state: &mut ViewState, count: usize) -> Action {
    let key = match event {
        Event::Key(key) if key.kind != KeyEventKind::Release => key,
        Event::Resize(..) => return Action::Redraw,
        _ => return Action::Nothing,
    };
    match key.code {
        KeyCode::Char('q' | 'Q') => Action::Quit,
        KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => Action::Quit,
        KeyCode::Down | KeyCode::Char('j') => {
            state.select(1, count);
            Action::Redraw
        }
        KeyCode::Up | KeyCode::Char('k') => {
            state.select(-1, count);
            Action::Redraw
        }
        KeyCode::Enter => {
            state.detail = !state.detail && count > 0;
            Action::Redraw
        }
        KeyCode::Esc => {
            state.detail = false;
            Action::Redraw
        }
        KeyCode::Char('p' | 'P') => {
            state.paused = !state.paused;
            Action::Redraw
        }
        _ => Action::Nothing,
    }
}
