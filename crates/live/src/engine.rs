//! The analysing side of live mode, shared by the stream and the terminal view: reading
//! rounds into the analyzer, incidents as they change, findings as they first appear,
//! the `--fail-on` watchdog.

use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::time::{Duration, Instant};

use logscan_analyze::report::{Finding, Report};
use logscan_analyze::{Analyzer, IncidentChange, LiveIncident};
use logscan_parse::{Cause, Severity};

use crate::session::{Session, Target};

/// A finding's identity: cause × upstream × virtual host.
type FindingKey = (Cause, String, Option<String>);

/// The analyzer and what was already said about it.
pub(crate) struct Engine {
    pub analyzer: Analyzer,
    refresh: Duration,
    fail_on: Option<Severity>,
    seen: BTreeSet<FindingKey>,
    /// The latest report, made at most once per refresh, when lines arrived.
    pub report: Option<Report>,
    dirty: bool,
    /// Updates held back (at most one per refresh per incident), by incident.
    held: BTreeMap<u64, (LiveIncident, Option<Instant>)>,
    sent: BTreeMap<u64, Instant>,
}

impl Engine {
    pub fn new(analyzer: Analyzer, refresh: Duration, fail_on: Option<Severity>) -> Engine {
        Engine {
            analyzer,
            refresh,
            fail_on,
            seen: BTreeSet::new(),
            report: None,
            dirty: true,
            held: BTreeMap::new(),
            sent: BTreeMap::new(),
        }
    }

    /// One reading round; renamed inputs are renamed in the analyzer.
    pub fn read(&mut self, session: &mut Session) -> io::Result<u64> {
        let round = session.round::<io::Sink>(&mut Target::Analyzer(&mut self.analyzer))?;
        for (id, name) in round.renamed {
            self.analyzer.rename_input(id, name);
        }
        if round.lines > 0 {
            self.dirty = true;
        }
        Ok(round.lines)
    }

    /// Incidents that opened, grew or closed: opening and closing at once, growth at most
    /// once per refresh per incident (the latest).
    pub fn incidents(&mut self, session: &Session, now: Instant) -> Vec<IncidentChange> {
        self.analyzer.settle();
        let idle = i64::try_from(now.duration_since(session.last_lines).as_secs()).unwrap_or(0);
        let mut out = Vec::new();
        for change in self.analyzer.incident_changes(idle) {
            match change {
                IncidentChange::Updated(incident) => {
                    let id = incident.id;
                    let last = self.sent.get(&id).copied();
                    self.held.insert(id, (incident, last));
                }
                IncidentChange::Opened(incident) => {
                    self.sent.insert(incident.id, now);
                    out.push(IncidentChange::Opened(incident));
                }
                IncidentChange::Closed(incident) => {
                    self.held.remove(&incident.id);
                    self.sent.remove(&incident.id);
                    out.push(IncidentChange::Closed(incident));
                }
            }
        }
        let due: Vec<u64> = self
            .held
            .iter()
            .filter(|(_, (_, last))| last.is_none_or(|t| now.duration_since(t) >= self.refresh))
            .map(|(id, _)| *id)
            .collect();
        for id in due {
            if let Some((incident, _)) = self.held.remove(&id) {
                self.sent.insert(id, now);
                out.push(IncidentChange::Updated(incident));
            }
        }
        out
    }

    /// A new report when lines arrived since the last one, with the findings that appeared
    /// in it for the first time, and whether one of them (or any) reached `--fail-on`.
    pub fn refresh(&mut self) -> Option<(Vec<Finding>, bool)> {
        if !self.dirty {
            return None;
        }
        self.dirty = false;
        let report = self.analyzer.snapshot();
        let mut new = Vec::new();
        for finding in &report.findings {
            let key = (
                finding.cause,
                finding.upstream.clone(),
                finding.vhost.clone(),
            );
            if self.seen.insert(key) {
                new.push(finding.clone());
            }
        }
        let reached = self
            .fail_on
            .is_some_and(|t| report.findings.iter().any(|f| f.severity >= t));
        self.report = Some(report);
        Some((new, reached))
    }

    /// The incidents open now.
    pub fn open_incidents(&mut self) -> Vec<LiveIncident> {
        self.analyzer.open_incidents()
    }
}
