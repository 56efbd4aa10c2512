//! Checking an analyzer read from a state file before it is merged and finished.
//!
//! An analyzer built by [`Analyzer::observe`] keeps its invariants; one deserialised from
//! bytes that were crafted (or written by a bug) may not, and the report arithmetic trusts
//! them (indexes, time spans, sums). [`Analyzer::check`] refuses what no run could have
//! produced, so that whatever passes merges and finishes without a panic or an overflow.
//! A field added to the analyzer that holds times, counts or bounded structures must be
//! checked here too.

use super::{Analyzer, FPM_MARKS, MARKS, MAX_WINDOW, Pending};
use crate::config::Bound;
use crate::limits::{TIME_LIMIT, sum};
use crate::state::{ChunkStats, ExampleSet, GROUPS_PER_CAUSE, Group, TOPK_CAPACITY};

fn time(t: i64) -> Result<(), &'static str> {
    if (-TIME_LIMIT..=TIME_LIMIT).contains(&t) {
        Ok(())
    } else {
        Err("a time out of range")
    }
}

fn examples(set: &ExampleSet) -> Result<(), &'static str> {
    set.check()?;
    set.items().iter().try_for_each(|item| {
        time(item.key.0).or(if item.key.0 == i64::MIN {
            Ok(())
        } else {
            Err("an example out of the time range")
        })
    })
}

fn group(g: &Group, max_res: i64) -> Result<(), &'static str> {
    sum([g.count, g.truncated].into_iter())?;
    if g.truncated > g.count {
        return Err("a finding with more truncated responses than events");
    }
    if g.count > 0 {
        time(g.first)?;
        time(g.last)?;
        if g.first > g.last {
            return Err("a finding that ends before it starts");
        }
    }
    g.series.check(max_res, TIME_LIMIT)?;
    g.endpoints.check(TOPK_CAPACITY)?;
    g.clients.check(TOPK_CAPACITY)?;
    g.peers.check(TOPK_CAPACITY / 4)?;
    for map in [&g.variants, &g.errnos, &g.protocols] {
        sum(map.values().copied())?;
    }
    sum(g.phases.values().copied())?;
    examples(&g.examples)?;
    examples(&g.evidence)
}

fn pending(p: &Pending) -> Result<(), &'static str> {
    time(p.t)
}

fn bound(b: Option<Bound>) -> Result<(), &'static str> {
    match b {
        Some(b) => {
            time(b.wall)?;
            b.unix.map_or(Ok(()), time)
        }
        None => Ok(()),
    }
}

impl Analyzer {
    /// Whether this analyzer is one that reading logs could have built: sizes, capacities,
    /// times and counts within what the analysis produces. An analyzer read from a state
    /// file is checked before it is merged; one that fails is refused (the reason says
    /// what is wrong), never finished.
    pub fn check(&self) -> Result<(), &'static str> {
        if let Some(w) = self.window {
            if !(1..=MAX_WINDOW).contains(&w) {
                return Err("a window out of range");
            }
        }
        if self.base_resolution != self.window.unwrap_or(1) {
            return Err("a timeline resolution that is not the window's");
        }
        bound(self.since)?;
        bound(self.until)?;
        // Timelines coarsen by doubling past a week: anything up to 2^31 s is reachable.
        let max_res = 1i64 << 40;
        for input in self.inputs.values() {
            let stats: Vec<ChunkStats> = input.chunks.values().copied().collect();
            sum(stats.iter().map(|c| c.lines))?;
            for c in &stats {
                if c.lines != c.parsed.saturating_add(c.unrecognized) || c.filtered > c.parsed {
                    return Err("an input whose lines do not add up");
                }
            }
            input.first.map_or(Ok(()), time)?;
            input.last.map_or(Ok(()), time)?;
            examples(&input.unrecognized)?;
        }
        for g in self.groups.iter() {
            group(g, max_res)?;
        }
        let mut per_cause = std::collections::BTreeMap::new();
        for g in self.groups.iter() {
            let n = per_cause
                .entry((g.key.cause, g.key.server, g.key.other))
                .or_insert(0usize);
            *n += 1;
            if *n > if g.key.other { 1 } else { GROUPS_PER_CAUSE } {
                return Err("more findings of one cause than the analysis keeps");
            }
        }
        for (count, set) in self.context.values() {
            sum([*count].into_iter())?;
            examples(set)?;
        }
        for series in self.causes.values().chain([&self.failures]) {
            series.check(max_res, TIME_LIMIT)?;
        }
        let access = &self.access;
        access.requests.check(max_res, TIME_LIMIT)?;
        access.server_errors.check(max_res, TIME_LIMIT)?;
        access.in_flight.check(max_res, TIME_LIMIT)?;
        // The edge join's marks: times within the calendar, a request of at most 30 days,
        // analysis seconds within two days of Unix seconds (an offset or a wall clock), so
        // that the join's windows neither overflow nor span more than the join can step.
        let mark = |start: i64, end: i64, unix: Option<(i64, i64)>| {
            const LONGEST: i64 = 30 * 86_400;
            time(start)?;
            time(end)?;
            if !(0..=LONGEST).contains(&(end - start)) {
                return Err("an edge join mark with an impossible duration");
            }
            if let Some((unix_start, unix_end)) = unix {
                time(unix_start)?;
                time(unix_end)?;
                if !(0..=LONGEST).contains(&(unix_end - unix_start))
                    || (start - unix_start).abs() > 2 * 86_400
                {
                    return Err("an edge join mark with an impossible offset");
                }
            }
            Ok(())
        };
        for m in self.edge.marks.items() {
            mark(m.start, m.end, m.unix)?;
        }
        for m in self.edge.origin.items() {
            mark(m.start, m.end, m.unix)?;
        }
        sum(access.statuses.to_map().into_values())?;
        sum(access.upstream_statuses.to_map().into_values())?;
        sum([access.retried].into_iter())?;
        access.endpoints_5xx.check(TOPK_CAPACITY)?;
        for (&offset, seen) in self.access.offsets.iter().chain(&self.envelope_offsets) {
            sum([seen.count].into_iter())?;
            if seen.count > 0 {
                time(seen.first)?;
                time(seen.last)?;
            }
            if !(-86_400..=86_400).contains(&offset) {
                return Err("a UTC offset out of range");
            }
        }
        group(&access.aborts, max_res)?;
        self.error_marks.check(MARKS)?;
        self.request_marks.check(MARKS)?;
        self.fpm_marks.check(FPM_MARKS)?;
        for m in self.error_marks.items() {
            time(m.t)?;
        }
        for m in self.request_marks.items() {
            time(m.start)?;
            time(m.end)?;
        }
        for m in self.fpm_marks.items() {
            time(m.t)?;
        }
        self.pending.values().try_for_each(pending)?;
        for map in [&self.tails, &self.heads] {
            map.values().try_for_each(pending)?;
        }
        self.last_time.values().try_for_each(|&t| time(t))?;
        Ok(())
    }
}
