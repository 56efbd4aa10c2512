//! Incidents as they happen (live mode).
//!
//! The same baseline logic as the report's incidents (see `incidents.rs`), applied while
//! records arrive: per cause, a second is active when its failures reach the threshold
//! (1 while the median second is empty, else three times the median plus one); active
//! seconds less than [`GAP`] apart form a run; a run of at least [`MIN_EVENTS`] failures
//! opens an incident, and the incident closes once its runs have all been quiet for
//! longer than the gap. The median is taken over the seconds watched so far, at most the
//! last [`HORIZON`] seconds: older counts roll off, so memory does not grow with time.
//! While a run lasts its threshold stays what it was when it began, so an outage does not
//! raise its own baseline and close itself, until it covers half of the seconds watched:
//! then it is what the report calls the baseline, and it goes on only while it stays above
//! that. Runs start once the baseline has a minute of history.
//!
//! Times are the analysis seconds of the lines. A log whose clock goes back (a DST change
//! without `--tz`, an NTP step) is carried on from where it was: each log keeps the
//! amount its clock went back, and its later lines are moved forward by that much here
//! (only here: the report keeps the times as logged).

use std::collections::{BTreeMap, HashMap};

use logscan_parse::Cause;
use serde::Serialize;

use crate::incidents::MIN_EVENTS;
use crate::report::ReportTime;

/// Seconds of per-cause counts kept for the baseline.
pub(crate) const HORIZON: i64 = 3_600;
/// Active seconds at most this far apart belong to one run (the report joins active
/// buckets less than five seconds apart at a 1 s resolution).
pub(crate) const GAP: i64 = 5;
/// An error log's clock going back by more than this is a jump (its lines are written in
/// time order).
const JUMP_ERROR: i64 = 30;
/// An access log's clock going back by more than this is a jump (Apache logs the time a
/// request started, once it ended: its lines lag by up to the longest request).
const JUMP_ACCESS: i64 = 900;
/// Seconds of history the baseline needs before a run can start (following starts at
/// `--since`, which gives it that much at once).
const WARM_UP: i64 = 60;
/// The baseline of a cause is taken again at most this often (seconds of log time): the
/// median of an hour moves slowly, and taking it costs an hour of counts.
const THRESHOLD_EVERY: i64 = 10;
/// The rate of an incident is its failures per second over this many seconds.
const RATE_SECONDS: i64 = 10;
/// Upstreams counted per incident.
const UPSTREAMS: usize = 16;

/// An incident seen as it happens.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct LiveIncident {
    /// Numbered from 1 in the order incidents opened.
    pub id: u64,
    /// Its first failing second (as report times are shown).
    pub start: ReportTime,
    /// Its last failing second so far.
    pub end: ReportTime,
    /// Failures in its active seconds so far.
    pub count: u64,
    /// Its causes, most failures first.
    pub causes: Vec<Cause>,
    /// The upstreams that failed most in it (up to 3).
    pub upstreams: Vec<String>,
    /// Failures per second over the last ten seconds.
    pub rate: f64,
    /// One sentence.
    pub summary: String,
    /// Still open.
    pub open: bool,
}

impl LiveIncident {
    /// Incident `id`, open, from `start` to `end`, with nothing counted yet (for a view or a
    /// stream shown without an analyzer, such as their tests).
    pub fn new(id: u64, start: ReportTime, end: ReportTime) -> LiveIncident {
        LiveIncident {
            id,
            start,
            end,
            count: 0,
            causes: Vec::new(),
            upstreams: Vec::new(),
            rate: 0.0,
            summary: String::new(),
            open: true,
        }
    }
}

/// What happened to an incident since the last look ([`Analyzer::incident_changes`]).
///
/// [`Analyzer::incident_changes`]: crate::Analyzer::incident_changes
#[derive(Clone, Debug, PartialEq)]
pub enum IncidentChange {
    /// It opened: failures rose well above their baseline.
    Opened(LiveIncident),
    /// It grew (more failures, another cause joined).
    Updated(LiveIncident),
    /// Its failures stopped.
    Closed(LiveIncident),
}

/// Counts per second over the last [`HORIZON`] seconds.
#[derive(Clone, Debug)]
struct Ring {
    counts: Vec<u32>,
    /// The latest second covered.
    head: i64,
}

impl Ring {
    fn new(head: i64) -> Ring {
        Ring {
            counts: vec![0; HORIZON as usize],
            head,
        }
    }

    fn slot(t: i64) -> usize {
        t.rem_euclid(HORIZON) as usize
    }

    fn advance(&mut self, head: i64) {
        if head <= self.head {
            return;
        }
        let steps = (head - self.head).min(HORIZON);
        for i in 1..=steps {
            if let Some(c) = self.counts.get_mut(Ring::slot(self.head + i)) {
                *c = 0;
            }
        }
        self.head = head;
    }

    fn covers(&self, t: i64) -> bool {
        t <= self.head && t > self.head - HORIZON
    }

    fn add(&mut self, t: i64) {
        if self.covers(t) {
            if let Some(c) = self.counts.get_mut(Ring::slot(t)) {
                *c = c.saturating_add(1);
            }
        }
    }

    fn get(&self, t: i64) -> u32 {
        if self.covers(t) {
            self.counts.get(Ring::slot(t)).copied().unwrap_or(0)
        } else {
            0
        }
    }
}

/// Active seconds of one cause, close together.
#[derive(Clone, Debug)]
struct Run {
    start: i64,
    start_raw: i64,
    last_active: i64,
    last_raw: i64,
    events: u64,
    threshold: u32,
    incident: Option<u64>,
    upstreams: BTreeMap<String, u64>,
}

#[derive(Clone, Debug)]
struct CauseWatch {
    ring: Ring,
    threshold: u32,
    threshold_at: Option<i64>,
    run: Option<Run>,
}

/// An open incident, in analysis seconds.
#[derive(Clone, Debug)]
pub(crate) struct Open {
    pub(crate) id: u64,
    pub(crate) start_raw: i64,
    pub(crate) end_raw: i64,
    pub(crate) causes: BTreeMap<Cause, u64>,
    upstreams: BTreeMap<String, u64>,
    open_runs: u32,
    changed: bool,
    pub(crate) rate: f64,
    pub(crate) open: bool,
}

impl Open {
    pub(crate) fn count(&self) -> u64 {
        self.causes.values().sum()
    }

    pub(crate) fn ranked_causes(&self) -> Vec<Cause> {
        let mut causes: Vec<(Cause, u64)> = self.causes.iter().map(|(c, n)| (*c, *n)).collect();
        causes.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        causes.into_iter().map(|(c, _)| c).collect()
    }

    pub(crate) fn top_upstreams(&self) -> Vec<String> {
        let mut ups: Vec<(&String, &u64)> = self.upstreams.iter().collect();
        ups.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        ups.into_iter().take(3).map(|(u, _)| u.clone()).collect()
    }
}

/// Where a log's clock is.
#[derive(Clone, Copy, Debug, Default)]
struct LogClock {
    latest: Option<i64>,
    /// How far its clock went back in all, added to its times here.
    skew: i64,
}

/// What changed, for the analyzer to format.
#[derive(Clone, Debug)]
pub(crate) enum Raw {
    Opened(Open),
    Updated(Open),
    Closed(Open),
}

/// The live incident state of an analyzer.
#[derive(Clone, Debug, Default)]
pub(crate) struct Watch {
    head: Option<i64>,
    span_start: Option<i64>,
    causes: BTreeMap<Cause, CauseWatch>,
    open: BTreeMap<u64, Open>,
    next_id: u64,
    /// Input id -> (the log it continues, whether it is an access log).
    inputs: HashMap<u32, (u64, bool)>,
    clocks: HashMap<u64, LogClock>,
    changes: Vec<Raw>,
    scratch: Vec<u32>,
}

impl Watch {
    /// Watching from `since` (analysis seconds), if the lines before it are left out: the
    /// time before the first line counts as quiet from there.
    pub(crate) fn new(since: Option<i64>) -> Watch {
        Watch {
            span_start: since,
            next_id: 1,
            ..Watch::default()
        }
    }

    /// An input: `log` names the log it continues (the same for every file written under
    /// one name, rotation after rotation).
    pub(crate) fn input(&mut self, id: u32, log: u64, access: bool) {
        self.inputs.insert(id, (log, access));
    }

    fn log_of(&self, input: u32) -> (u64, bool) {
        self.inputs
            .get(&input)
            .copied()
            .unwrap_or((u64::from(input) | 1 << 63, false))
    }

    /// A line of `input` at `t`: moves the watch's clock.
    pub(crate) fn saw(&mut self, input: u32, t: i64) {
        let (log, access) = self.log_of(input);
        let jump = if access { JUMP_ACCESS } else { JUMP_ERROR };
        let clock = self.clocks.entry(log).or_default();
        match clock.latest {
            Some(latest) if t < latest - jump => {
                clock.skew = clock.skew.saturating_add(latest - t);
                clock.latest = Some(t);
            }
            Some(latest) => clock.latest = Some(latest.max(t)),
            None => clock.latest = Some(t),
        }
        let mapped = t.saturating_add(clock.skew);
        self.span_start.get_or_insert(mapped);
        self.head = Some(self.head.map_or(mapped, |h| h.max(mapped)));
    }

    fn mapped(&self, input: u32, t: i64) -> i64 {
        let (log, _) = self.log_of(input);
        t.saturating_add(self.clocks.get(&log).map_or(0, |c| c.skew))
    }

    /// Seconds kept per cause and incidents open (for memory accounting).
    pub(crate) fn size(&self) -> (usize, usize) {
        (
            self.causes.values().map(|c| c.ring.counts.len()).sum(),
            self.open.len(),
        )
    }

    /// One failure of `cause` at `t` (analysis seconds) logged by `input`, at `upstream`.
    pub(crate) fn failure(&mut self, input: u32, cause: Cause, t: i64, upstream: &str) {
        let at = self.mapped(input, t);
        let head = self.head.map_or(at, |h| h.max(at));
        self.head = Some(head);
        let span_start = self.span_start.unwrap_or(at);
        if self
            .causes
            .get(&cause)
            .and_then(|c| c.run.as_ref())
            .is_some_and(|r| at > r.last_active + 1 + GAP)
        {
            self.end_run(cause);
        }
        let watch = self.causes.entry(cause).or_insert_with(|| CauseWatch {
            ring: Ring::new(head),
            threshold: 1,
            threshold_at: None,
            run: None,
        });
        watch.ring.advance(head);
        watch.ring.add(at);
        let count = watch.ring.get(at);
        if count == 0 {
            // Older than the seconds kept: counted in the report, not here.
            return;
        }
        let added = match &mut watch.run {
            Some(run) => {
                if at < run.start || count < run.threshold {
                    return;
                }
                let added = if count == run.threshold {
                    u64::from(count)
                } else {
                    1
                };
                run.events += added;
                if at > run.last_active {
                    run.last_active = at;
                }
                run.last_raw = run.last_raw.max(t);
                added
            }
            None => {
                if head - span_start + 1 < WARM_UP {
                    return;
                }
                if watch
                    .threshold_at
                    .is_none_or(|at| head - at >= THRESHOLD_EVERY || head < at)
                {
                    watch.threshold = threshold(&watch.ring, span_start, head, &mut self.scratch);
                    watch.threshold_at = Some(head);
                }
                if count < watch.threshold {
                    return;
                }
                watch.run = Some(Run {
                    start: at,
                    start_raw: t,
                    last_active: at,
                    last_raw: t,
                    events: u64::from(count),
                    threshold: watch.threshold,
                    incident: None,
                    upstreams: BTreeMap::new(),
                });
                u64::from(count)
            }
        };
        let Some(run) = watch.run.as_mut() else {
            return;
        };
        if !upstream.is_empty()
            && (run.upstreams.len() < UPSTREAMS || run.upstreams.contains_key(upstream))
        {
            *run.upstreams.entry(upstream.to_owned()).or_insert(0) += added;
        }
        match run.incident {
            Some(id) => {
                if let Some(open) = self.open.get_mut(&id) {
                    *open.causes.entry(cause).or_insert(0) += added;
                    if !upstream.is_empty()
                        && (open.upstreams.len() < UPSTREAMS
                            || open.upstreams.contains_key(upstream))
                    {
                        *open.upstreams.entry(upstream.to_owned()).or_insert(0) += added;
                    }
                    open.end_raw = open.end_raw.max(t);
                    open.changed = true;
                }
            }
            None if run.events >= MIN_EVENTS => self.announce(cause),
            None => {}
        }
    }

    /// A run reached the size of an incident: it opens one, or joins the one open.
    fn announce(&mut self, cause: Cause) {
        let Some(start) = self
            .causes
            .get(&cause)
            .and_then(|c| c.run.as_ref())
            .map(|r| r.start)
        else {
            return;
        };
        // Causes failing at the same time are one incident (a backend down shows refused
        // connections and "no live upstreams" together); one cause following another after
        // a pause is another (an outage, then slowness), as in the report.
        let joined = self
            .causes
            .iter()
            .filter(|(c, _)| **c != cause)
            .filter_map(|(_, w)| w.run.as_ref())
            .filter(|r| r.last_active + 1 >= start)
            .find_map(|r| r.incident);
        let Some(run) = self.causes.get_mut(&cause).and_then(|c| c.run.as_mut()) else {
            return;
        };
        let id = joined.unwrap_or(self.next_id);
        run.incident = Some(id);
        let open = self.open.entry(id).or_insert_with(|| Open {
            id,
            start_raw: run.start_raw,
            end_raw: run.last_raw,
            causes: BTreeMap::new(),
            upstreams: BTreeMap::new(),
            open_runs: 0,
            changed: false,
            rate: 0.0,
            open: true,
        });
        open.start_raw = open.start_raw.min(run.start_raw);
        open.end_raw = open.end_raw.max(run.last_raw);
        *open.causes.entry(cause).or_insert(0) += run.events;
        for (upstream, n) in &run.upstreams {
            if open.upstreams.len() < UPSTREAMS || open.upstreams.contains_key(upstream) {
                *open.upstreams.entry(upstream.clone()).or_insert(0) += n;
            }
        }
        open.open_runs += 1;
        if joined.is_none() {
            self.next_id += 1;
            let snapshot = self.with_rate(id);
            self.changes.extend(snapshot.map(Raw::Opened));
        } else if let Some(open) = self.open.get_mut(&id) {
            open.changed = true;
        }
    }

    /// The run of `cause` is over.
    fn end_run(&mut self, cause: Cause) {
        let Some(run) = self.causes.get_mut(&cause).and_then(|c| c.run.take()) else {
            return;
        };
        let Some(id) = run.incident else { return };
        let Some(open) = self.open.get_mut(&id) else {
            return;
        };
        open.open_runs = open.open_runs.saturating_sub(1);
        open.end_raw = open.end_raw.max(run.last_raw);
        if open.open_runs == 0 {
            let mut closed = self.with_rate(id);
            self.open.remove(&id);
            if let Some(closed) = closed.as_mut() {
                closed.open = false;
            }
            self.changes.extend(closed.map(Raw::Closed));
        }
    }

    fn with_rate(&mut self, id: u64) -> Option<Open> {
        let head = self.head?;
        let open = self.open.get(&id)?;
        let failures: u64 = open
            .causes
            .keys()
            .filter_map(|c| self.causes.get(c))
            .map(|c| {
                (head - RATE_SECONDS + 1..=head)
                    .map(|t| u64::from(c.ring.get(t)))
                    .sum::<u64>()
            })
            .sum();
        let mut snapshot = open.clone();
        snapshot.rate = (failures as f64 / RATE_SECONDS as f64 * 10.0).round() / 10.0;
        Some(snapshot)
    }

    /// Ends the runs that have been quiet for longer than the gap, `idle` seconds of the
    /// wall clock after the latest line, and gives what changed since the last call.
    pub(crate) fn changes(&mut self, idle: i64) -> Vec<Raw> {
        if let Some(head) = self.head {
            // A run that has lasted half of the seconds watched is what the report would
            // call the baseline: it goes on only while it stays above the baseline with it.
            let span_start = self.span_start.unwrap_or(head);
            let watched = (head - span_start + 1).min(HORIZON);
            for watch in self.causes.values_mut() {
                let Some(run) = watch.run.as_mut() else {
                    continue;
                };
                if 2 * (head - run.start + 1) > watched
                    && watch
                        .threshold_at
                        .is_none_or(|at| head - at >= THRESHOLD_EVERY)
                {
                    watch.threshold = threshold(&watch.ring, span_start, head, &mut self.scratch);
                    watch.threshold_at = Some(head);
                    run.threshold = run.threshold.max(watch.threshold);
                }
            }
            let now = head.saturating_add(idle.max(0));
            let over: Vec<Cause> = self
                .causes
                .iter()
                .filter(|(_, c)| {
                    c.run
                        .as_ref()
                        .is_some_and(|r| now > r.last_active + 1 + GAP)
                })
                .map(|(cause, _)| *cause)
                .collect();
            for cause in over {
                self.end_run(cause);
            }
        }
        let changed: Vec<u64> = self
            .open
            .iter()
            .filter(|(_, o)| o.changed)
            .map(|(id, _)| *id)
            .collect();
        for id in changed {
            if let Some(open) = self.open.get_mut(&id) {
                open.changed = false;
            }
            let snapshot = self.with_rate(id);
            self.changes.extend(snapshot.map(Raw::Updated));
        }
        std::mem::take(&mut self.changes)
    }

    /// The incidents open now.
    pub(crate) fn open_incidents(&mut self) -> Vec<Open> {
        let ids: Vec<u64> = self.open.keys().copied().collect();
        ids.into_iter()
            .filter_map(|id| self.with_rate(id))
            .collect()
    }
}

/// The report's threshold over the seconds watched: 1 while the median second is empty,
/// else three times the median plus one.
fn threshold(ring: &Ring, span_start: i64, head: i64, scratch: &mut Vec<u32>) -> u32 {
    let from = span_start.max(head - HORIZON + 1).min(head);
    scratch.clear();
    scratch.extend((from..=head).map(|t| ring.get(t)));
    let middle = scratch.len() / 2;
    let (_, median, _) = scratch.select_nth_unstable(middle);
    let median = *median;
    if median == 0 {
        1
    } else {
        median.saturating_mul(3).saturating_add(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(raw: &[Raw]) -> Vec<(&'static str, u64)> {
        raw.iter()
            .map(|r| match r {
                Raw::Opened(o) => ("open", o.count()),
                Raw::Updated(o) => ("update", o.count()),
                Raw::Closed(o) => ("close", o.count()),
            })
            .collect()
    }

    fn fail(w: &mut Watch, t: i64, n: usize) {
        for _ in 0..n {
            w.saw(0, t);
            w.failure(0, Cause::UpstreamRefused, t, "10.0.0.1:80");
        }
    }

    #[test]
    fn a_burst_opens_at_the_third_failure_and_closes_after_the_gap() {
        let mut w = Watch::new(Some(0));
        w.saw(0, 100);
        fail(&mut w, 100, 2);
        assert!(w.changes(0).is_empty());
        fail(&mut w, 100, 1);
        assert_eq!(kinds(&w.changes(0)), [("open", 3)]);
        fail(&mut w, 101, 5);
        assert_eq!(kinds(&w.changes(0)), [("update", 8)]);
        assert!(w.changes(5).is_empty(), "still within the gap");
        let closed = w.changes(7);
        assert_eq!(kinds(&closed), [("close", 8)]);
        let Raw::Closed(c) = &closed[0] else { panic!() };
        assert_eq!((c.start_raw, c.end_raw), (100, 101));
        assert_eq!(c.top_upstreams(), ["10.0.0.1:80"]);
    }

    #[test]
    fn a_chronic_rate_is_no_incident_and_a_rise_above_it_is() {
        let mut w = Watch::new(None);
        for t in 0..600 {
            fail(&mut w, t, 1);
        }
        assert!(
            w.changes(0).is_empty(),
            "one failure a second is the baseline"
        );
        fail(&mut w, 600, 4);
        assert_eq!(kinds(&w.changes(0)), [("open", 4)]);
    }

    #[test]
    fn a_cause_that_follows_another_after_a_pause_is_another_incident() {
        let mut w = Watch::new(Some(0));
        w.saw(0, 100);
        fail(&mut w, 100, 3);
        for _ in 0..3 {
            w.saw(0, 103);
            w.failure(0, Cause::UpstreamTimeoutRead, 103, "10.0.0.1:80");
        }
        assert_eq!(kinds(&w.changes(0)), [("open", 3), ("open", 3)]);
        assert_eq!(kinds(&w.changes(10)), [("close", 3), ("close", 3)]);
    }

    #[test]
    fn a_run_that_becomes_half_of_what_was_watched_is_the_baseline() {
        let mut w = Watch::new(Some(0));
        w.saw(0, 100);
        for t in 100..140 {
            fail(&mut w, t, 1);
        }
        assert_eq!(kinds(&w.changes(0))[0], ("open", 3), "a new steady failure");
        let mut closed = Vec::new();
        for t in 140..400 {
            fail(&mut w, t, 1);
            closed.extend(w.changes(0));
        }
        // Once it covered half of the 400 s watched, one a second is the baseline.
        assert!(
            closed.iter().any(|c| matches!(c, Raw::Closed(_))),
            "{:?}",
            kinds(&closed)
        );
    }

    #[test]
    fn a_clock_that_goes_back_an_hour_keeps_incidents_coming() {
        let mut w = Watch::new(Some(0));
        w.saw(0, 7_200);
        fail(&mut w, 7_200, 3);
        assert_eq!(kinds(&w.changes(0)), [("open", 3)]);
        assert_eq!(kinds(&w.changes(10)), [("close", 3)]);
        // DST: the same log writes an hour earlier from now on.
        for t in 3_620..3_640 {
            w.saw(0, t);
        }
        fail(&mut w, 3_640, 3);
        let opened = w.changes(0);
        assert_eq!(kinds(&opened), [("open", 3)]);
        let Raw::Opened(o) = &opened[0] else { panic!() };
        assert_eq!(o.start_raw, 3_640, "shown as logged");
    }

    #[test]
    fn causes_failing_together_are_one_incident() {
        let mut w = Watch::new(Some(0));
        w.saw(0, 100);
        fail(&mut w, 100, 3);
        for _ in 0..3 {
            w.failure(0, Cause::NoLiveUpstreams, 101, "backend");
        }
        let changes = w.changes(0);
        assert_eq!(kinds(&changes), [("open", 3), ("update", 6)]);
        let Raw::Updated(o) = &changes[1] else {
            panic!()
        };
        assert_eq!(o.causes.len(), 2);
    }
}
