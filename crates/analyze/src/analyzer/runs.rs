//! A run's analyzer as a unit that travels: the settings it was made with, its inputs
//! labelled with a host name, and its inputs renumbered so that it merges with the
//! analyzers of other runs (state files from other machines or shards) as one run.
//!
//! Input ids and site hashes are spread over the analyzer (examples, attribution marks,
//! paired lines waiting for their other half). Every place that holds one is rewritten
//! here: a field added to [`Analyzer`] that holds an input id or a site hash must be added
//! to `Analyzer::renumber` or [`Analyzer::label_inputs`] too.

use std::collections::BTreeMap;

use super::{Analyzer, Pending};
use crate::config::Config;
use crate::state::{ExampleSet, LineKey};
use crate::text::hash_bytes;

impl Analyzer {
    /// The settings this analyzer counts with (the window as held to its limits). Two
    /// analyzers merge into one meaningful report only when these are equal.
    pub fn config(&self) -> Config {
        Config {
            zone: self.clock.zone().cloned(),
            window: self.window,
            since: self.since,
            until: self.until,
        }
    }

    /// The fields of the marks in each sample a state file writes column by column (error
    /// marks, access-log marks, edge failures, origin lines), in order: what serde's view
    /// of the analyzer shows only as byte strings, so that a state file's shape test sees
    /// them change.
    pub fn sample_layouts() -> [&'static str; 4] {
        crate::columns::layouts()
    }

    /// The ids of the inputs, in input order.
    pub fn input_ids(&self) -> impl Iterator<Item = u32> + '_ {
        self.inputs.keys().copied()
    }

    /// The paths of the inputs, in input order.
    pub fn input_paths(&self) -> impl Iterator<Item = &str> {
        self.inputs.values().map(|i| i.info.path.as_str())
    }

    /// Prefixes every input's path and site with `label:` (a host name), so that a report
    /// merged from many machines says where each example came from, and error and access
    /// logs are correlated only with logs of the same machine.
    pub fn label_inputs(&mut self, label: &str) {
        self.forget_head();
        let mut sites: BTreeMap<u64, u64> = BTreeMap::new();
        for input in self.inputs.values_mut() {
            let old = hash_bytes(input.info.site.as_bytes());
            input.info.path = format!("{label}:{}", input.info.path);
            input.info.site = format!("{label}:{}", input.info.site);
            sites.insert(old, hash_bytes(input.info.site.as_bytes()));
        }
        let relabel = |site: &mut u64| {
            if let Some(&new) = sites.get(site) {
                *site = new;
            }
        };
        self.error_marks.rewrite(|m| relabel(&mut m.site));
        self.request_marks.rewrite(|m| relabel(&mut m.site));
        self.pending.values_mut().for_each(|p| relabel(&mut p.site));
        for map in [&mut self.tails, &mut self.heads] {
            map.values_mut().for_each(|p| relabel(&mut p.site));
        }
    }

    /// Gives the inputs new ids: `ids` maps each input's id to its new one (an id it does
    /// not name, which only a corrupt state holds, becomes `u32::MAX`). Another run's
    /// analyzer renumbered so that its ids and this one's are those of one run over the
    /// inputs of both can then be [merged](Analyzer::merge) into it. New ids that keep the
    /// inputs' order keep everything else exactly as it was.
    pub fn renumber_inputs(&mut self, ids: &BTreeMap<u32, u32>) {
        self.renumber(|id| ids.get(&id).copied().unwrap_or(u32::MAX));
    }

    /// Rewrites every input id with `map`.
    fn renumber(&mut self, map: impl Fn(u32) -> u32) {
        self.forget_head();
        let key = |k: &mut LineKey| k.1 = map(k.1);
        let set = |s: &mut ExampleSet| s.map_keys(key);
        self.inputs = std::mem::take(&mut self.inputs)
            .into_iter()
            .map(|(id, mut input)| {
                set(&mut input.unrecognized);
                (map(id), input)
            })
            .collect();
        for group in self.groups.iter_mut() {
            set(&mut group.examples);
            set(&mut group.evidence);
        }
        set(&mut self.access.aborts.examples);
        set(&mut self.access.aborts.evidence);
        self.context.values_mut().for_each(|(_, s)| set(s));
        self.error_marks.rewrite(|m| m.line.0 = map(m.line.0));
        self.request_marks.rewrite(|m| m.line.0 = map(m.line.0));
        self.fpm_marks.rewrite(|m| m.line.0 = map(m.line.0));
        let renumbered = |held: Vec<((u32, u32, u32, u64), Pending)>| {
            held.into_iter().map(|((input, chunk, pid, tid), mut p)| {
                p.line.0 = map(p.line.0);
                ((map(input), chunk, pid, tid), p)
            })
        };
        self.pending =
            renumbered(std::mem::take(&mut self.pending).into_iter().collect()).collect();
        self.tails = renumbered(std::mem::take(&mut self.tails).into_iter().collect()).collect();
        self.heads = renumbered(std::mem::take(&mut self.heads).into_iter().collect()).collect();
        self.touched = std::mem::take(&mut self.touched)
            .into_iter()
            .map(|(input, chunk, pid, tid)| (map(input), chunk, pid, tid))
            .collect();
        self.last_time = std::mem::take(&mut self.last_time)
            .into_iter()
            .map(|((input, chunk), t)| ((map(input), chunk), t))
            .collect();
    }
}
