//! The NDJSON incident stream: one JSON object per line, flushed as it happens.

use std::io::{self, Write};

use logscan_analyze::report::{Finding, Report};
use logscan_analyze::{IncidentChange, LiveIncident};
use logscan_render::json_safe::write_compact;
use serde::Serialize;

/// Writes the stream's objects. Text from logs is JSON-escaped (control, bidi and
/// invisible characters as `\uXXXX`), so the stream is safe to print to a terminal.
#[derive(Debug)]
pub struct Ndjson<W: Write> {
    out: W,
}

#[derive(Serialize)]
struct IncidentLine<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    at: String,
    #[serde(flatten)]
    incident: &'a LiveIncident,
}

#[derive(Serialize)]
struct FindingLine<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    at: String,
    finding: &'a Finding,
}

#[derive(Serialize)]
struct ReportLine<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    at: String,
    report: &'a Report,
}

/// The machine's clock now, RFC 3339 with milliseconds and the local offset.
pub fn now() -> String {
    chrono::Local::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, false)
}

impl<W: Write> Ndjson<W> {
    /// A stream to `out`.
    pub fn new(out: W) -> Self {
        Ndjson { out }
    }

    /// `incident_open`, `incident_update` or `incident_close`.
    pub fn incident(&mut self, change: &IncidentChange) -> io::Result<()> {
        let (kind, incident) = match change {
            IncidentChange::Opened(i) => ("incident_open", i),
            IncidentChange::Updated(i) => ("incident_update", i),
            IncidentChange::Closed(i) => ("incident_close", i),
        };
        self.line(&IncidentLine {
            kind,
            at: now(),
            incident,
        })
    }

    /// `finding`: a cause × upstream seen for the first time.
    pub fn finding(&mut self, finding: &Finding) -> io::Result<()> {
        self.line(&FindingLine {
            kind: "finding",
            at: now(),
            finding,
        })
    }

    /// `report`: the final report.
    pub fn report(&mut self, report: &Report) -> io::Result<()> {
        self.line(&ReportLine {
            kind: "report",
            at: now(),
            report,
        })
    }

    fn line<T: Serialize>(&mut self, value: &T) -> io::Result<()> {
        write_compact(&mut self.out, value)?;
        self.out.write_all(b"\n")?;
        self.out.flush()
    }
}
