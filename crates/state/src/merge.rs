//! Many states to one analyzer.

use std::collections::BTreeMap;

use logscan_analyze::Analyzer;

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
/// **Order.** The result does not depend on the order of `states`: they are merged sorted
/// by the list of their input paths (each state's inputs keep their own order), ties by
/// checksum. A report's `inputs` come in that order, which is the order a single run given
/// the same paths in that order lists them (for one input per state, the paths sorted).
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
    let mut merging = Vec::new();
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
        merging.push(name.as_str());
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

    let mut analyzer: Option<Analyzer> = None;
    for (_, _, state, _) in kept {
        if state.settings != settings {
            continue;
        }
        analyzer
            .get_or_insert_with(|| Analyzer::new(state.analyzer.config()))
            .append(state.analyzer);
    }
    finish(analyzer, refused, notes)
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
