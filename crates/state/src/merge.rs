//! Many states to one analyzer.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, sync_channel};

use logscan_analyze::Analyzer;
use logscan_input::{Input, discovery_order};

use crate::{State, StateError, Summary, load, read_summary};

/// A state left out of a merge, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refused {
    /// The name it was given under (its path).
    pub name: String,
    /// Why, in words.
    pub reason: String,
}

/// What [`merge`] and [`merge_files`] give.
#[derive(Debug)]
pub struct Merged {
    /// Every good state merged; `None` when no state was good.
    pub analyzer: Option<Analyzer>,
    /// The states left out, in the order given.
    pub refused: Vec<Refused>,
    /// Things worth saying that are not errors (a state given twice, one path in two
    /// states, states of different logscan versions).
    pub notes: Vec<String>,
}

/// Merges states read whole, in any order given, into the analyzer of one run over all
/// their inputs. See [`merge_files`], which does the same reading one body at a time.
pub fn merge(states: Vec<(String, Result<State, StateError>)>) -> Merged {
    let mut bodies: Vec<Mutex<Option<State>>> = Vec::with_capacity(states.len());
    let summaries = states
        .into_iter()
        .map(|(name, state)| match state {
            Ok(state) => {
                let summary = state.summary();
                bodies.push(Mutex::new(Some(state)));
                (name, Ok(summary))
            }
            Err(e) => {
                bodies.push(Mutex::new(None));
                (name, Err(e))
            }
        })
        .collect();
    run(summaries, |at, _| {
        bodies
            .get(at)
            .and_then(|slot| slot.lock().ok()?.take())
            .map(|s| s.analyzer)
            .ok_or(StateError::Empty)
    })
}

/// Merges state files, in any order given, into the analyzer of one run over all their
/// inputs. Only the headers are read first; then the bodies, each decoded on one of a few
/// threads (one per core) while this one merges the previous ones in the merge order, so
/// memory holds the merged analyzer and a few states (one per thread), however many there
/// are.
///
/// **Order.** The result does not depend on the order of `paths`. The inputs of all
/// states are put in the order one run over all their files lists them (standard input,
/// then by directory, each rotated series oldest first, then by name; a `--label` prefix
/// is part of the directory), which is the order of a report's `inputs`; each state's
/// inputs get their ids in that order, so examples and ties come out as in that one run.
/// The states are merged in the order of their lists of paths (then checksums).
///
/// **Refused**, each with its reason: a state that could not be read, and one whose
/// [`Settings`](crate::Settings) differ from those most states share (on a tie, those of
/// the state merged first). A state given twice (same bytes) is merged once, with a note.
pub fn merge_files(paths: &[PathBuf]) -> Merged {
    let summaries = paths
        .iter()
        .map(|p| (p.display().to_string(), read_summary(p)))
        .collect();
    run(summaries, |at, planned| {
        let path = paths.get(at).map_or(Path::new(""), PathBuf::as_path);
        let state = load(path)?;
        // The file read whole must be the one whose header the plan was made from.
        if state.summary() != *planned {
            return Err(StateError::Corrupt(
                "changed while it was merged".to_owned(),
            ));
        }
        Ok(state.analyzer)
    })
}

/// The plan and the merge: `fetch(i, summary)` gives the analyzer of the `i`-th state
/// given, whose summary the plan was made from (called from several threads at once).
fn run(
    states: Vec<(String, Result<Summary, StateError>)>,
    fetch: impl Fn(usize, &Summary) -> Result<Analyzer, StateError> + Sync,
) -> Merged {
    let mut refused: Vec<(usize, Refused)> = Vec::new();
    let mut good: Vec<(usize, String, Summary)> = Vec::new();
    for (given, (name, summary)) in states.into_iter().enumerate() {
        match summary {
            Ok(summary) => good.push((given, name, summary)),
            Err(e) => refused.push((
                given,
                Refused {
                    name,
                    reason: e.to_string(),
                },
            )),
        }
    }
    good.sort_by(|a, b| {
        (&a.2.inputs, a.2.checksum, &a.1, a.0).cmp(&(&b.2.inputs, b.2.checksum, &b.1, b.0))
    });

    let mut notes = Vec::new();
    // The same bytes twice: merged once.
    let mut kept: Vec<(usize, String, Summary)> = Vec::with_capacity(good.len());
    for state in good {
        match kept.last() {
            Some(last)
                if last.2.inputs == state.2.inputs && last.2.checksum == state.2.checksum =>
            {
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
    let (merging, other): (Vec<_>, Vec<_>) =
        kept.into_iter().partition(|s| s.2.settings == settings);
    for (given, name, summary) in other {
        refused.push((
            given,
            Refused {
                name,
                reason: format!(
                    "saved with other settings than the rest: {}",
                    summary.settings.difference(&settings)
                ),
            },
        ));
    }

    notes.extend(notes_on(&merging));

    // Every input of every state, in the order one run over all of them lists them; each
    // state's inputs (by rank) get their ids in that order.
    let mut all: Vec<(usize, usize, &str)> = Vec::new();
    for (at, (_, _, summary)) in merging.iter().enumerate() {
        for (rank, path) in summary.inputs.iter().enumerate() {
            all.push((at, rank, path));
        }
    }
    all.sort_by(|a, b| {
        input_order(a.2, b.2)
            .then(a.0.cmp(&b.0))
            .then(a.1.cmp(&b.1))
    });
    let mut ids: Vec<Vec<u32>> = merging.iter().map(|s| vec![0; s.2.inputs.len()]).collect();
    for (new, (at, rank, _)) in all.iter().enumerate() {
        if let Some(slot) = ids.get_mut(*at).and_then(|v| v.get_mut(*rank)) {
            *slot = u32::try_from(new).unwrap_or(u32::MAX);
        }
    }

    let plan: Vec<Planned> = merging
        .into_iter()
        .zip(ids)
        .map(|((given, name, summary), ids)| Planned {
            given,
            name,
            summary,
            ids,
        })
        .collect();
    let mut analyzer: Option<Analyzer> = None;
    // Decoding (decompressing, reading, checking) is most of the work and each state's is
    // its own: it runs on `workers` threads, state `i` on thread `i % workers`, each
    // handing its states over in order, while this thread merges them in the plan's order
    // (so the result is the same however the threads are scheduled).
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, MAX_WORKERS)
        .min(plan.len().max(1));
    let fetch = &fetch;
    std::thread::scope(|scope| {
        let mut handed: Vec<Receiver<Result<Analyzer, StateError>>> = Vec::with_capacity(workers);
        for worker in 0..workers {
            // A rendezvous: a thread decodes its next state only once the last one was
            // taken, so at most one decoded state per thread waits.
            let (send, receive) = sync_channel(0);
            handed.push(receive);
            let plan = &plan;
            scope.spawn(move || {
                for planned in plan.iter().skip(worker).step_by(workers) {
                    let state = fetch(planned.given, &planned.summary).map(|mut state| {
                        let map: BTreeMap<u32, u32> =
                            state.input_ids().zip(planned.ids.iter().copied()).collect();
                        state.renumber_inputs(&map);
                        state
                    });
                    if send.send(state).is_err() {
                        return;
                    }
                }
            });
        }
        for (at, planned) in plan.iter().enumerate() {
            let state = handed
                .get(at % workers)
                .ok_or(StateError::Empty)
                .and_then(|from| {
                    from.recv().unwrap_or_else(|_| {
                        Err(StateError::Corrupt("its reader stopped".to_owned()))
                    })
                });
            match state {
                Ok(state) => analyzer
                    .get_or_insert_with(|| Analyzer::new(state.config()))
                    .merge(state),
                Err(e) => refused.push((
                    planned.given,
                    Refused {
                        name: planned.name.clone(),
                        reason: e.to_string(),
                    },
                )),
            }
        }
    });
    finish(analyzer, refused, notes)
}

/// The most threads that decode states: beyond a few, the merge on one thread is the
/// bottleneck and each thread only holds another decoded state in memory.
const MAX_WORKERS: usize = 4;

/// A state as the plan merges it: where it was given, its name and summary, and the new
/// id of each of its inputs, in input order.
struct Planned {
    given: usize,
    name: String,
    summary: Summary,
    ids: Vec<u32>,
}

/// A state given twice, one path in two states, states of other logscan versions.
fn notes_on(merging: &[(usize, String, Summary)]) -> Vec<String> {
    let mut notes = Vec::new();
    let mut versions: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut seen_paths: BTreeMap<&str, &str> = BTreeMap::new();
    for (_, name, summary) in merging {
        versions
            .entry(summary.logscan_version.as_str())
            .or_default()
            .push(name.as_str());
        for path in &summary.inputs {
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
    notes
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
