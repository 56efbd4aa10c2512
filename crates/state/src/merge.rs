//! Many states to one analyzer.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::path::Path;

use logscan_analyze::Analyzer;
use logscan_input::{Input, discovery_order};

use crate::{State, StateError};

/// A state left out of a merge, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refused {
    /// The name it was given under (its path).
    pub name: String,
    /// Why, in words.
    pub reason: String,
}

/// What [`merge`] gives.
#[derive(Debug)]
pub struct Merged {
    /// Every good state appended in the merge order; `None` when no state was good.
    pub analyzer: Option<Analyzer>,
    /// The states left out, in the order given.
    pub refused: Vec<Refused>,
    /// Things worth saying that are not errors (a state given twice, one path in two
    /// states, states of different logscan versions).
    pub notes: Vec<String>,
}

/// Merges states, in any order given, into the analyzer of one run over all their inputs.
///
/// **Order.** The result does not depend on the order of `states`. The inputs of all
/// states are put in the order one run over all their files lists them (standard input,
/// then by directory, each rotated series oldest first, then by name; a `--label` prefix
/// is part of the directory), which is the order of a report's `inputs`; each state's
/// inputs get their ids in that order, so examples and ties come out as in that one run.
/// The states are merged in the order of their lists of paths (then checksums).
///
/// **Refused**, each with its reason: a state that could not be read, and one whose
/// [`Settings`](crate::Settings) differ from those most states share (on a tie, those of the state merged
/// first). A state given twice (same bytes) is merged once, with a note.
pub fn merge(states: Vec<(String, Result<State, StateError>)>) -> Merged {
    let mut refused: Vec<(usize, Refused)> = Vec::new();
    let mut good: Vec<(usize, String, State, Vec<String>)> = Vec::new();
    for (given, (name, state)) in states.into_iter().enumerate() {
        match state {
            Ok(state) => {
                let paths = state.analyzer.input_paths().map(str::to_owned).collect();
                good.push((given, name, state, paths));
            }
            Err(e) => refused.push((
                given,
                Refused {
                    name,
                    reason: e.to_string(),
                },
            )),
        }
    }
    good.sort_by(|a, b| (&a.3, a.2.checksum, &a.1, a.0).cmp(&(&b.3, b.2.checksum, &b.1, b.0)));

    let mut notes = Vec::new();
    // The same bytes twice: merged once.
    let mut kept: Vec<(usize, String, State, Vec<String>)> = Vec::with_capacity(good.len());
    for state in good {
        match kept.last() {
            Some(last) if last.3 == state.3 && last.2.checksum == state.2.checksum => {
                notes.push(format!(
                    "{}: the same state as {}; merged once",
                    state.1, last.1
                ));
            }
            _ => kept.push(state),
        }
    }

    // The settings most states share; on a tie, the first state's.
    let mut votes: BTreeMap<usize, usize> = BTreeMap::new();
    for (i, state) in kept.iter().enumerate() {
        let first = kept
            .iter()
            .position(|s| s.2.settings == state.2.settings)
            .unwrap_or(i);
        *votes.entry(first).or_insert(0) += 1;
    }
    let winner = votes
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
        .map(|(&first, _)| first);
    let Some(settings) = winner
        .and_then(|w| kept.get(w))
        .map(|s| s.2.settings.clone())
    else {
        return finish(None, refused, notes);
    };

    let mut versions: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut seen_paths: BTreeMap<&str, &str> = BTreeMap::new();
    for (given, name, state, paths) in &kept {
        if state.settings != settings {
            refused.push((
                *given,
                Refused {
                    name: name.clone(),
                    reason: format!(
                        "saved with other settings than the rest: {}",
                        state.settings.difference(&settings)
                    ),
                },
            ));
            continue;
        }
        versions
            .entry(state.logscan_version.as_str())
            .or_default()
            .push(name.as_str());
        for path in paths {
            if let Some(other) = seen_paths.insert(path.as_str(), name.as_str()) {
                if other != name {
                    notes.push(format!(
                        "{other} and {name} both read {path}: merged as two inputs (give each machine's run a --label)"
                    ));
                }
            }
        }
    }
    if versions.len() > 1 {
        let list: Vec<String> = versions
            .iter()
            .map(|(version, names)| format!("logscan {version} wrote {}", names.join(", ")))
            .collect();
        notes.push(format!(
            "states of different logscan versions ({}): counts may differ slightly from one run",
            list.join("; ")
        ));
    }

    // Every input of every state, in the order one run over all of them lists them; each
    // state's inputs get their ids in that order.
    let merging: Vec<(String, State)> = kept
        .into_iter()
        .filter(|s| s.2.settings == settings)
        .map(|s| (s.1, s.2))
        .collect();
    let mut all: Vec<(usize, u32, String)> = Vec::new();
    for (at, (_, state)) in merging.iter().enumerate() {
        for (id, path) in state.analyzer.input_ids().zip(state.analyzer.input_paths()) {
            all.push((at, id, path.to_owned()));
        }
    }
    all.sort_by(|a, b| {
        input_order(&a.2, &b.2)
            .then(a.0.cmp(&b.0))
            .then(a.1.cmp(&b.1))
    });
    let mut ids: Vec<BTreeMap<u32, u32>> = vec![BTreeMap::new(); merging.len()];
    for (new, (at, old, _)) in all.iter().enumerate() {
        if let Some(map) = ids.get_mut(*at) {
            map.insert(*old, u32::try_from(new).unwrap_or(u32::MAX));
        }
    }
    let mut analyzer: Option<Analyzer> = None;
    for ((_, mut state), ids) in merging.into_iter().zip(ids) {
        state.analyzer.renumber_inputs(&ids);
        analyzer
            .get_or_insert_with(|| Analyzer::new(state.analyzer.config()))
            .merge(state.analyzer);
    }
    finish(analyzer, refused, notes)
}

/// Where one run lists an input: standard input first, then files as
/// [`logscan_input::discovery_order`] sorts them (a `--label`'s prefix is the same for all
/// of a run's inputs, so it keeps that order).
fn input_order(a: &str, b: &str) -> Ordering {
    let stdin = |p: &str| p == Input::STDIN_DISPLAY;
    stdin(b)
        .cmp(&stdin(a))
        .then_with(|| discovery_order(Path::new(a), Path::new(b)))
        .then_with(|| a.cmp(b))
}

fn finish(
    analyzer: Option<Analyzer>,
    mut refused: Vec<(usize, Refused)>,
    notes: Vec<String>,
) -> Merged {
    refused.sort_by_key(|r| r.0);
    Merged {
        analyzer,
        refused: refused.into_iter().map(|r| r.1).collect(),
        notes,
    }
}
