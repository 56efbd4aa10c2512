//! The public API as a program outside the crate meets it: the report types are
//! `#[non_exhaustive]`, so they are built with constructors and `Default`, and `Config`
//! with its `with_*` methods; what they make serializes to the JSON contract's text.

use logscan_analyze::report::{
    Finding, Incident, InputFormat, InputReport, Report, ReportTime, ZoneSource, ZoneUsed,
};
use logscan_analyze::{Bound, Config, LiveIncident};
use logscan_parse::{Cause, Format, Server, Zone};

fn t(text: &str) -> ReportTime {
    text.parse().unwrap()
}

#[test]
fn config_builders_set_what_the_fields_say() {
    let built = Config::default()
        .with_zone(Zone::Utc)
        .with_window(60)
        .with_since(Bound::instant(10, 20))
        .with_until(Bound::wall(30));
    let mut assigned = Config::default();
    assigned.zone = Some(Zone::Utc);
    assigned.window = Some(60);
    assigned.since = Some(Bound::instant(10, 20));
    assigned.until = Some(Bound::wall(30));
    assert_eq!(built, assigned);
    assert_ne!(built, Config::default());
}

#[test]
fn a_new_finding_takes_category_severity_and_title_from_its_cause() {
    for cause in [
        Cause::UpstreamRefused,
        Cause::UpstreamTimeoutRead,
        Cause::FpmPoolExhausted,
    ] {
        let f = Finding::new(
            cause,
            Server::Nginx,
            "10.0.0.5:8080",
            t("2026-11-25T01:27:30+01:00"),
            t("2026-11-25T01:28:00+01:00"),
        );
        assert_eq!(f.category, cause.category());
        assert_eq!(f.category_text, cause.category().plain());
        assert_eq!(f.severity, cause.severity());
        assert_eq!(f.title, cause.title());
        assert_eq!((f.rank, f.count, f.affected_requests), (0, 0, None));
        assert!(f.examples.is_empty() && f.fix.steps.is_empty() && f.timeline.is_empty());
        let json = serde_json::to_value(&f).unwrap();
        assert_eq!(json["cause"], cause.id());
        assert_eq!(json["upstream"], "10.0.0.5:8080");
        assert_eq!(json["first_seen"], "2026-11-25T01:27:30+01:00");
        assert_eq!(json["last_seen"], "2026-11-25T01:28:00+01:00");
    }
}

#[test]
fn reports_built_outside_the_crate_round_trip_through_json() {
    let mut report = Report::default();
    assert_eq!(report.zone.source, ZoneSource::AsLogged);
    report.zone = ZoneUsed::new("Europe/Berlin", ZoneSource::Caller);
    let mut input = InputReport::new("error.log", InputFormat::Known(Format::NginxError));
    input.lines = 2;
    input.parsed = 2;
    input.first = Some(t("2026-11-25T01:27:30"));
    report.inputs.push(input);
    let mut incident = Incident::new(
        t("2026-11-25T01:27:30+01:00"),
        t("2026-11-25T01:27:40+01:00"),
    );
    incident.count = 2;
    incident.causes.push(Cause::UpstreamRefused);
    report.incidents.push(incident);
    let json = serde_json::to_string(&report).unwrap();
    // The typed times are written as they were given: with an offset, or as logged.
    assert!(json.contains(r#""first":"2026-11-25T01:27:30""#), "{json}");
    assert!(
        json.contains(r#""start":"2026-11-25T01:27:30+01:00""#),
        "{json}"
    );
    assert!(
        json.contains(r#""zone":{"name":"Europe/Berlin","source":"caller"}"#),
        "{json}"
    );
    let back: Report = serde_json::from_str(&json).unwrap();
    assert_eq!(back, report);
    assert_eq!(serde_json::to_string(&back).unwrap(), json);
}

#[test]
fn a_live_incident_starts_open_and_empty() {
    let i = LiveIncident::new(
        3,
        t("2026-11-25T09:58:36+00:00"),
        t("2026-11-25T09:58:36+00:00"),
    );
    assert_eq!((i.id, i.count, i.open), (3, 0, true));
    assert!(i.causes.is_empty() && i.summary.is_empty());
    assert_eq!(
        serde_json::to_value(&i).unwrap()["start"],
        "2026-11-25T09:58:36+00:00"
    );
}
