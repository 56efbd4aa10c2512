//! [`EventWriter`]: the `--events` sink, one ECS JSON object per record (NDJSON).

use std::io::{self, Write};

use logscan_analyze::{Config, EventConfig};
use logscan_envelope::Meta;
use logscan_parse::{Companions, Record, Zone};
use logscan_render::events::{Source, event};
use logscan_render::json_safe::write_compact;
use serde_json::Value;

use crate::sink::{Entry, Sink, Start, Unrecognized};

/// Writes one JSON object per parsed record, named after the Elastic Common Schema
/// ([`logscan_render::events`]), one per line. Local-time lines are placed in a zone;
/// records outside the `since`/`until` of a [`Config`] are left out, as the analyzer leaves
/// them out of a report. Unrecognized entries write nothing. Text is JSON-escaped so that
/// no control character reaches a terminal.
///
/// As the report pairs them, an Apache line that completes a failure logged on two lines
/// (`AH01114`/`AH01079` after the connect error, `AH00898` after the `(70007)` timeout,
/// `End of script output before headers` after mod_fcgid's timeout) takes the cause of the
/// line its process and thread wrote just before ([`Companions`], one per input).
///
/// An error writing (the reader of a pipe went away) stops the loop. Call
/// [`EventWriter::finish`] to flush.
#[derive(Debug)]
pub struct EventWriter<W: Write> {
    out: W,
    zone: Zone,
    limits: Config,
    companions: Companions,
    config: Option<EventConfig>,
}

impl<W: Write> EventWriter<W> {
    /// A writer to `out` (buffer it: each event is several small writes), placing
    /// local-time lines in `zone` and keeping what `limits` admits
    /// ([`Config::admits`]; only its `since`/`until` and zone matter).
    pub fn new(out: W, zone: Zone, limits: Config) -> Self {
        EventWriter {
            out,
            zone,
            limits,
            companions: Companions::new(),
            config: None,
        }
    }

    /// Adds to each failure event the servers' configuration that decides its cause:
    /// `logscan.config` (the directives, as a report finding's `config` entries) and
    /// `logscan.config_mismatches` (the kinds of the mismatches the configuration alone
    /// shows for it), when there are any ([`EventConfig`]).
    pub fn with_config(mut self, config: EventConfig) -> Self {
        self.config = Some(config);
        self
    }

    /// Flushes what was written so far (a live stream flushes after each batch).
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    /// Keeps what `limits` admits from now on (live mode admits every new line once the
    /// lines already there were read).
    pub fn set_limits(&mut self, limits: Config) {
        self.limits = limits;
    }

    /// Flushes and gives back the writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}

impl<W: Write> Sink for EventWriter<W> {
    type Error = io::Error;

    fn start(&mut self, _: &Start<'_>) -> io::Result<()> {
        self.companions = Companions::new();
        Ok(())
    }

    fn record(&mut self, entry: &Entry<'_>, record: &Record<'_>) -> io::Result<()> {
        let placed = crate::sink::placed_by_envelope(entry, record);
        let record = placed.as_ref().unwrap_or(record);
        let paired;
        let record = match record {
            Record::Error(error) => {
                let mut error = error.clone();
                self.companions.apply(&mut error);
                paired = Record::Error(error);
                &paired
            }
            _ => record,
        };
        if !self.limits.admits(record.time().as_ref()) {
            return Ok(());
        }
        let source = Source {
            path: entry.path,
            line: entry.line,
            text: entry.bytes,
        };
        let mut event = event(record, &source, &self.zone);
        if let Some(meta) = &entry.envelope {
            envelope_fields(&mut event, meta);
        }
        if let Some(config) = &mut self.config {
            config_fields(&mut event, config);
        }
        write_compact(&mut self.out, &event)?;
        self.out.write_all(b"\n")
    }

    fn unrecognized(&mut self, _: &Entry<'_>, _: Unrecognized) -> io::Result<()> {
        Ok(())
    }
}

/// The configuration of a failure event's cause, upstream, host and URI.
fn config_fields(event: &mut Value, config: &mut EventConfig) {
    let text = |v: &Value| v.as_str().map(str::to_owned);
    let (Some(cause), Some(upstream)) = (
        text(&event["logscan"]["cause"]),
        text(&event["destination"]["address"]),
    ) else {
        return;
    };
    let (host, uri) = (
        text(&event["url"]["domain"]),
        text(&event["url"]["original"]),
    );
    let evidence = config.evidence(&cause, &upstream, host.as_deref(), uri.as_deref());
    if !evidence.config.is_empty() {
        event["logscan"]["config"] = serde_json::to_value(&evidence.config).unwrap_or_default();
    }
    if !evidence.mismatches.is_empty() {
        event["logscan"]["config_mismatches"] =
            serde_json::to_value(&evidence.mismatches).unwrap_or_default();
    }
}

/// What the envelope says about the record: `host.name`, `log.syslog.appname`,
/// `log.syslog.procid`, `log.syslog.msgid`, `log.syslog.facility.code`,
/// `log.syslog.severity.code` (ECS names) and `stream` (`stdout`/`stderr`).
fn envelope_fields(event: &mut Value, meta: &Meta<'_>) {
    let text = |bytes: &[u8]| Value::String(String::from_utf8_lossy(bytes).into_owned());
    if let Some(host) = meta.host {
        event["host"]["name"] = text(host);
    }
    if let Some(app) = meta.app {
        event["log"]["syslog"]["appname"] = text(app);
    }
    if let Some(pid) = meta.proc_id {
        event["log"]["syslog"]["procid"] = text(pid);
    }
    if let Some(id) = meta.msg_id {
        event["log"]["syslog"]["msgid"] = text(id);
    }
    if let Some(facility) = meta.facility {
        event["log"]["syslog"]["facility"]["code"] = Value::from(facility);
    }
    if let Some(severity) = meta.severity {
        event["log"]["syslog"]["severity"]["code"] = Value::from(severity);
    }
    if let Some(stream) = meta.stream {
        event["stream"] = Value::String(stream.name().to_owned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use logscan_parse::Parser;

    /// The Apache companion lines: AH00898 after the `(70007)` AH01102 of its thread says
    /// what the report says, a read timeout, not its own fallback (a premature close).
    #[test]
    fn companion_lines_take_their_threads_cause() {
        let lines: [&[u8]; 2] = [
            b"[Wed Nov 25 09:47:33.742494 2026] [proxy_http:error] [pid 26117:tid 26126] (70007)The timeout specified has expired: [client 127.0.0.1:55978] AH01102: error reading status line from remote server 127.0.0.1:19155",
            b"[Wed Nov 25 09:47:33.742590 2026] [proxy:error] [pid 26117:tid 26126] [client 127.0.0.1:55978] AH00898: Error reading from remote server returned by /api/items",
        ];
        let parser = Parser::apache_error();
        let mut writer = EventWriter::new(Vec::new(), Zone::Utc, Config::default());
        for (i, line) in lines.iter().enumerate() {
            let record = parser.parse(line).expect("an Apache error line");
            let entry = Entry {
                input: 0,
                chunk: 0,
                path: "error.log",
                line: i as u64 + 1,
                lines: 1,
                bytes: line,
                envelope: None,
            };
            writer.record(&entry, &record).expect("written");
        }
        let out = String::from_utf8(writer.finish().expect("flushed")).expect("UTF-8");
        let causes: Vec<String> = out
            .lines()
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).expect("JSON");
                v["logscan"]["cause"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned()
            })
            .collect();
        assert_eq!(causes, ["upstream_timeout_read", "upstream_timeout_read"]);
    }
}
