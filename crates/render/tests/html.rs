//! The HTML report: structure, escaping of hostile log text, size on large inputs, no
//! network references, balanced tags, and a snapshot of one hand-built report.

use std::collections::BTreeMap;

use logscan_analyze::report::{
    AccessSummary, ConfigMismatch, ConfigRead, ConfigSetting, ConfigWarning, Counted, Example,
    Finding, Fix, Incident, InputFormat, InputReport, Interval, Layer, Peak, Quantiles, Report,
    ReportTime, Timeline, Trigger, ZoneSource, ZoneUsed,
};
use logscan_analyze::{Analyzer, Config, InputInfo, Origin};
use logscan_parse::records;
use logscan_parse::{Category, Cause, Format, Phase, Record, Role, Server, Severity, Timestamp};
use logscan_render::html::{self, MAX_SPARKLINE_POINTS, MAX_TIMELINE_POINTS};

// ---------------------------------------------------------------------------------------
// Hand-built reports.

fn counted(value: &str, count: u64) -> Counted {
    Counted::new(value, count)
}

/// A report time from its JSON form.
fn t(text: &str) -> ReportTime {
    text.parse().unwrap()
}

fn map(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
}

fn q(count: u64, p50: f64, p90: f64, p99: f64, max: f64) -> Quantiles {
    Quantiles::new(count, p50, p90, p99, max)
}

/// A 2-minute outage report: 20 windows of 6 s, refused connections then read timeouts.
fn sample_report() -> Report {
    let refused_tl: Vec<u64> = (0..20)
        .map(|i| if (5..9).contains(&i) { 20 } else { 0 })
        .collect();
    let timeout_tl: Vec<u64> = (0..20)
        .map(|i| if (9..14).contains(&i) { 24 } else { 0 })
        .collect();
    let failures: Vec<u64> = refused_tl
        .iter()
        .zip(&timeout_tl)
        .map(|(a, b)| a + b)
        .collect();
    let requests = vec![24u64; 20];
    let mut refused = Finding::new(
        Cause::UpstreamRefused,
        Server::Nginx,
        "127.0.0.1:19020",
        t("2026-11-25T01:27:30+00:00"),
        t("2026-11-25T01:27:53+00:00"),
    );
    refused.rank = 1;
    refused.severity = Severity::Critical;
    refused.title = "Backend 127.0.0.1:19020 refused connections".to_owned();
    refused.vhost = Some("shop.example".to_owned());
    refused.count = 80;
    refused.affected_requests = Some(80);
    refused.share = 0.4;
    refused.upstreams = vec![counted("127.0.0.1:19020", 80)];
    refused.requests = vec![counted("GET /api/items", 40), counted("GET /api/users", 40)];
    refused.clients = vec![counted("203.0.113.7", 80)];
    refused.statuses = map(&[("502", 80)]);
    refused.peak = Some(Peak::new(
        t("2026-11-25T01:27:30+00:00"),
        t("2026-11-25T01:27:36+00:00"),
        20,
    ));
    refused.timeline = refused_tl.clone();
    refused.phases = map(&[("connect", 80)]);
    refused.notes = vec!["Paired with 80 access-log lines by time and request.".to_owned()];
    refused.fix = Fix::new(
        "Nothing listened on 127.0.0.1:19020: start the backend & check it.",
        vec![
            "Check the backend: systemctl status app".to_owned(),
            "Make it restart on failure: Restart=on-failure".to_owned(),
        ],
    );
    refused.examples = vec![Example::new(
        "/var/log/nginx/error.log",
        12,
        "2026/11/25 01:27:30 [error] 7#7: *1 connect() failed (111: Connection refused) while connecting to upstream",
    )];
    assert_eq!(refused.category, Category::BackendDown);
    assert_eq!(refused.category_text, Category::BackendDown.plain());

    let mut timeout = Finding::new(
        Cause::UpstreamTimeoutRead,
        Server::Nginx,
        "127.0.0.1:19020",
        t("2026-11-25T01:27:54+00:00"),
        t("2026-11-25T01:28:23+00:00"),
    );
    timeout.rank = 2;
    timeout.severity = Severity::High;
    timeout.title = "Backend 127.0.0.1:19020 answered too slowly".to_owned();
    timeout.count = 120;
    timeout.affected_requests = Some(120);
    timeout.share = 0.6;
    timeout.upstreams = vec![counted("127.0.0.1:19020", 120)];
    timeout.requests = vec![counted("GET /api/items", 60)];
    timeout.statuses = map(&[("504", 120)]);
    timeout.timeline = timeout_tl.clone();
    timeout.phases = map(&[("read_header", 120)]);
    timeout.truncated_responses = 3;
    timeout.trigger = Some(Trigger::new(Cause::UpstreamRefused, "127.0.0.1:19020", 4));
    timeout.fix = Fix::new(
        "Responses took longer than proxy_read_timeout (3 s).",
        vec!["Find the slow endpoint".to_owned()],
    );
    assert_eq!(timeout.category, Category::Overload);

    let mut error_log = InputReport::new(
        "/var/log/nginx/error.log",
        InputFormat::Known(Format::NginxError),
    );
    error_log.formats = [("nginx-error".to_owned(), 200)].into();
    (error_log.lines, error_log.parsed, error_log.unrecognized) = (201, 200, 1);
    error_log.first = Some(t("2026-11-25T01:27:30+00:00"));
    error_log.last = Some(t("2026-11-25T01:28:23+00:00"));
    error_log.unrecognized_examples = vec![Example::new("/var/log/nginx/error.log", 3, "garbage")];
    let mut access_log = InputReport::new(
        "/var/log/nginx/access.log",
        InputFormat::Known(Format::NginxAccess),
    );
    access_log.formats = [("nginx-access".to_owned(), 480)].into();
    (access_log.lines, access_log.parsed) = (480, 480);
    access_log.first = Some(t("2026-11-25T01:27:00+00:00"));
    access_log.last = Some(t("2026-11-25T01:28:59+00:00"));

    let mut report = Report::default();
    report.summary = "Visitors got 80 × 502 and 120 × 504 between 01:27:30 and 01:28:23 because the backend was down, then slow.".to_owned();
    report.zone = ZoneUsed::new("+00:00", ZoneSource::AccessLog);
    report.inputs = vec![error_log, access_log];
    let totals = &mut report.totals;
    (totals.lines, totals.parsed, totals.unrecognized) = (681, 680, 1);
    (totals.failures, totals.requests, totals.server_errors) = (200, 480, 200);
    report.span = Some(Interval::new(
        t("2026-11-25T01:27:00+00:00"),
        t("2026-11-25T01:28:59+00:00"),
    ));
    report.window_seconds = 6;
    report.findings = vec![refused, timeout];
    let mut first = Incident::new(
        t("2026-11-25T01:27:30+00:00"),
        t("2026-11-25T01:27:53+00:00"),
    );
    first.count = 80;
    first.causes = vec![Cause::UpstreamRefused];
    first.upstreams = vec!["127.0.0.1:19020".to_owned()];
    first.findings = vec![1];
    first.summary =
        "01:27:30-01:27:53 (23 s): backend 127.0.0.1:19020 refused 80 connections".to_owned();
    first.layers = vec![Layer::Origin];
    let mut second = Incident::new(
        t("2026-11-25T01:27:54+00:00"),
        t("2026-11-25T01:28:23+00:00"),
    );
    second.count = 120;
    second.causes = vec![Cause::UpstreamTimeoutRead];
    second.upstreams = vec!["127.0.0.1:19020".to_owned()];
    second.findings = vec![2];
    second.summary =
        "01:27:54-01:28:23 (29 s): backend 127.0.0.1:19020 timed out 120 times".to_owned();
    second.layers = vec![Layer::Origin];
    report.incidents = vec![first, second];
    let timeline = &mut report.timeline;
    timeline.start = Some(t("2026-11-25T01:27:00+00:00"));
    timeline.window_seconds = 6;
    timeline.requests = requests;
    timeline.server_errors = failures.clone();
    timeline.failures = failures;
    timeline.by_cause = [
        ("upstream_refused".to_owned(), refused_tl),
        ("upstream_timeout_read".to_owned(), timeout_tl),
    ]
    .into_iter()
    .collect();
    let mut access = AccessSummary::default();
    access.requests = 480;
    access.statuses = map(&[("200", 280), ("502", 80), ("504", 120)]);
    access.server_errors = 200;
    access.attributed = 200;
    access.attributed_share = 1.0;
    access.upstream_statuses = map(&[("200", 280), ("502", 80), ("504", 120)]);
    access.request_time = Some(q(480, 0.004, 3.0, 3.001, 3.001));
    access.upstream_time = Some(q(480, 0.004, 3.0, 3.001, 3.001));
    access.time_by_status = [("504".to_owned(), q(120, 3.0, 3.001, 3.001, 3.001))]
        .into_iter()
        .collect();
    access.top_5xx_requests = vec![counted("GET /api/items", 100)];
    report.access = Some(access);
    report
}

const HOSTILE: [&str; 8] = [
    "<script>alert(1)</script>",
    "\"onmouseover=alert(1) x=\"",
    "'onfocus='alert(1)",
    "</style><style>body{display:none}</style>",
    "\u{1b}[31mred\u{1b}[0m",
    "\u{1b}]8;;https://evil.example/\u{7}click\u{1b}]8;;\u{7}",
    "\u{202e}gpj.exe",
    "<a href=\"https://evil.example/\" style=\"background:url(//evil.example/x.png)\">x</a>",
];

fn hostile_text() -> String {
    HOSTILE.concat()
}

/// The sample report with hostile text in every string that can come from a log.
fn hostile_report() -> Report {
    let h = hostile_text();
    let mut r = sample_report();
    r.summary = format!("summary {h}");
    r.zone.name = h.clone();
    r.zone.source = ZoneSource::Caller;
    // (`inputs[].format` and `findings[].server` are typed: no log text can reach them.)
    for i in &mut r.inputs {
        i.path = format!("path {h}");
        for ex in &mut i.unrecognized_examples {
            ex.path = h.clone();
            ex.text = format!("unrecognized {h}");
        }
    }
    for f in &mut r.findings {
        f.title = format!("title {h}");
        f.category_text = h.clone();
        f.upstream = format!("upstream {h}");
        f.vhost = Some(format!("vhost {h}"));
        f.upstreams = vec![counted(&format!("peer {h}"), 1), counted("p2", 2)];
        f.requests = vec![counted(&format!("GET /{h}"), 3)];
        f.clients = vec![counted(&format!("client {h}"), 3)];
        f.statuses = map(&[(h.as_str(), 1)]);
        f.phases = map(&[(h.as_str(), 1)]);
        f.variants = map(&[(h.as_str(), 1)]);
        f.notes = vec![format!("note {h}")];
        f.fix.summary = format!("fix {h}");
        f.fix.steps = vec![format!("step {h}")];
        f.examples = vec![Example::new(
            format!("/var/log/{h}"),
            7,
            format!("example {h}"),
        )];
        f.trigger = Some(Trigger::new(
            Cause::UpstreamReset,
            format!("trigger {h}"),
            1,
        ));
        // Configuration files may hold anything too.
        let mut setting = ConfigSetting::default();
        setting.path = format!("/etc/{h}");
        setting.line = 3;
        setting.directive = format!("directive {h}");
        setting.value = format!("value {h}");
        setting.block = format!("block {h}");
        setting.source = "here".to_owned();
        setting.server = "nginx".to_owned();
        f.config = vec![setting];
        let mut mismatch = ConfigMismatch::default();
        mismatch.kind = "php_timeout_order".to_owned();
        mismatch.message = format!("mismatch {h}");
        mismatch.places = vec![format!("/etc/{h}:3")];
        f.mismatches = vec![mismatch];
    }
    let mut warning = ConfigWarning::default();
    warning.path = format!("/etc/{h}");
    warning.line = Some(9);
    warning.message = format!("warning {h}");
    warning.severity = "problem".to_owned();
    let mut config = ConfigRead::default();
    config.path = format!("/etc/{h}");
    config.kind = Some("nginx".to_owned());
    config.ok = true;
    config.files = 2;
    config.warnings = vec![warning];
    r.configs = vec![config];
    for inc in &mut r.incidents {
        inc.summary = format!("incident {h}");
        inc.upstreams = vec![format!("incident upstream {h}")];
    }
    let by_cause = std::mem::take(&mut r.timeline.by_cause);
    r.timeline.by_cause = by_cause
        .into_values()
        .enumerate()
        .map(|(i, v)| (format!("{i}{h}"), v))
        .collect();
    if let Some(a) = &mut r.access {
        a.unattributed = vec![counted(&format!("unattributed {h}"), 5)];
        a.statuses.insert(h.clone(), 1);
        a.upstream_statuses.insert(h.clone(), 1);
        a.time_by_status.insert(h.clone(), q(1, 0.1, 0.2, 0.3, 0.4));
        a.top_5xx_requests = vec![counted(&format!("POST /{h}"), 9)];
    }
    r
}

/// 50 findings and 4096-window timelines with every cause present.
fn large_report() -> Report {
    const WINDOWS: usize = 4096;
    let mut r = sample_report();
    r.window_seconds = 60;
    r.span = Some(Interval::new(
        t("2026-11-20T00:00:00+01:00"),
        t("2026-11-22T20:15:59+01:00"),
    ));
    let wave = |seed: u64| -> Vec<u64> {
        (0..WINDOWS as u64)
            .map(|i| (i * 7919 + seed * 104_729) % 97)
            .collect()
    };
    let base = r.findings[0].clone();
    r.findings = (0..50)
        .map(|i| {
            let mut f = base.clone();
            f.rank = i + 1;
            f.cause = Cause::ALL[i % Cause::ALL.len()];
            f.title =
                format!("Finding number {i} with a long title about upstream 10.0.0.{i}:8080");
            f.timeline = wave(i as u64);
            f.requests = (0..10)
                .map(|k| counted(&format!("GET /api/v1/resource/{k}/items"), 100 - k))
                .collect();
            f.clients = (0..10)
                .map(|k| counted(&format!("198.51.100.{k}"), 50 - k))
                .collect();
            f.examples = (0..3)
                .map(|k| Example::new("/var/log/nginx/error.log", 1000 + k, "x".repeat(1000)))
                .collect();
            f
        })
        .collect();
    r.incidents = (0..40)
        .map(|i| {
            let mut incident = Incident::new(
                t(&format!(
                    "2026-11-{:02}T{:02}:00:00+01:00",
                    20 + i / 20,
                    i % 20
                )),
                t(&format!(
                    "2026-11-{:02}T{:02}:30:00+01:00",
                    20 + i / 20,
                    i % 20
                )),
            );
            incident.count = 100;
            incident.causes = vec![Cause::UpstreamRefused, Cause::BackendCrash];
            incident.upstreams = vec!["10.0.0.1:8080".to_owned()];
            incident.findings = vec![1, 2, 3, 60];
            incident.summary = format!("incident {i}");
            incident.layers = vec![Layer::Origin];
            incident
        })
        .collect();
    r.timeline = Timeline::default();
    r.timeline.start = Some(t("2026-11-20T00:00:00+01:00"));
    r.timeline.window_seconds = 60;
    r.timeline.requests = wave(1000).iter().map(|v| v * 100).collect();
    r.timeline.server_errors = wave(1001);
    r.timeline.failures = wave(1002);
    r.timeline.by_cause = Cause::ALL
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id().to_owned(), wave(i as u64 + 2000)))
        .collect();
    r
}

// ---------------------------------------------------------------------------------------
// Checks.

/// Elements HTML lets stand without a closing tag (the ones this page could use).
const VOID: [&str; 6] = ["meta", "br", "hr", "img", "link", "wbr"];

/// Checks that every opened element is closed in order; returns the element names seen.
fn check_balanced(html: &str) -> Vec<String> {
    let mut stack: Vec<String> = Vec::new();
    let mut seen = Vec::new();
    // The text inside <style> has no '<', so a plain scan works.
    for tag in tags(html) {
        if tag.starts_with('!') {
            assert!(tag.eq_ignore_ascii_case("!DOCTYPE html"), "{tag}");
            continue;
        }
        if let Some(name) = tag.strip_prefix('/') {
            let top = stack
                .pop()
                .unwrap_or_else(|| panic!("</{name}> closes nothing"));
            assert_eq!(top, name, "</{name}> closes <{top}>");
            continue;
        }
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        assert!(!name.is_empty(), "bad tag <{tag}>");
        // Attribute values are quoted and escaped: no stray quotes or '<' inside a tag.
        assert_eq!(
            tag.matches('"').count() % 2,
            0,
            "unbalanced quotes in <{tag}>"
        );
        seen.push(name.clone());
        if tag.ends_with('/') || VOID.contains(&name.as_str()) {
            continue;
        }
        stack.push(name);
    }
    assert!(stack.is_empty(), "unclosed: {stack:?}");
    seen
}

/// The inside of every tag (`<` ... `>`): markup only, since escaped text has no `<`.
fn tags(html: &str) -> Vec<&str> {
    html.split('<')
        .skip(1)
        .map(|t| &t[..t.find('>').expect("unterminated tag")])
        .collect()
}

/// Every `src=`, `href=`, `action=` ... value is an in-page anchor, no attribute holds a
/// URL, and the CSS has no `url(` (except to in-page anchors) or `@import`.
fn check_no_external_references(html: &str) {
    let lower = html.to_ascii_lowercase();
    for tag in tags(&lower) {
        for attr in [
            "src=",
            "href=",
            "action=",
            "srcset=",
            "poster=",
            "data=",
            "xlink:href=",
        ] {
            for (i, _) in tag.match_indices(attr) {
                if !matches!(tag[..i].chars().last(), Some(' ' | ':')) {
                    continue;
                }
                assert!(
                    tag[i + attr.len()..].starts_with("\"#"),
                    "{attr} must be an in-page anchor: <{tag}>"
                );
            }
        }
        for (i, _) in tag.match_indices("=\"") {
            let value = &tag[i + 2..];
            let value = &value[..value.find('"').unwrap_or(value.len())];
            assert!(
                !value.starts_with("http:")
                    && !value.starts_with("https:")
                    && !value.starts_with("//")
                    && !value.contains("url("),
                "URL in an attribute: <{tag}>"
            );
        }
        let name: String = tag
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect();
        assert!(
            ![
                "script", "link", "img", "iframe", "object", "embed", "base", "a"
            ]
            .contains(&name.as_str())
                || (name == "a" && tag.starts_with("a href=\"#")),
            "<{tag}> in the page"
        );
    }
    // CSS lives in the one <style> element (no style attributes carry URLs, checked above).
    let (Some(a), Some(b)) = (lower.find("<style>"), lower.find("</style>")) else {
        panic!("no style element");
    };
    let css = &lower[a..b];
    assert!(!css.contains("@import") && !css.contains("@font-face"));
    for (i, _) in css.match_indices("url(") {
        let target = css[i + 4..].trim_start_matches(['"', '\'', ' ']);
        assert!(target.starts_with('#'), "url( in CSS: {}", &css[i..]);
    }
}

fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

// ---------------------------------------------------------------------------------------
// Tests.

#[test]
fn the_page_has_every_section() {
    let report = sample_report();
    let page = html::render(&report, 10);
    assert!(page.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    assert!(page.contains("<meta charset=\"utf-8\">"));
    assert!(page.contains("name=\"viewport\""));
    assert!(page.contains("<header id=\"header\">"));
    assert!(page.contains("<p id=\"summary\">Visitors got 80 × 502"));
    assert!(page.contains("<svg id=\"timeline\""));
    assert_eq!(count(&page, "<section class=\"finding "), 2);
    for f in &report.findings {
        assert!(page.contains(&format!("id=\"finding-{}\"", f.rank)));
        assert!(page.contains(&format!("href=\"#finding-{}\"", f.rank)));
    }
    assert!(page.contains("<section id=\"incidents\">"));
    assert!(page.contains("<section id=\"access\">"));
    // Header facts: inputs with format and line counts, zone, totals.
    assert!(page.contains(
        "<code>/var/log/nginx/error.log</code></td><td>nginx-error</td><td class=\"n\">201</td>"
    ));
    assert!(page.contains("times in +00:00 (the offset of the access log)"));
    assert!(page.contains("<dt>5xx responses</dt><dd>200</dd>"));
    assert!(page.contains("<dt>Failure events (error logs)</dt><dd>200</dd>"));
    // Chart: three panels, legend per cause, incident bands with labels, axis in the zone.
    assert!(page.contains(">Requests per 6 s</text>"));
    assert!(page.contains(">5xx responses per 6 s</text>"));
    assert!(page.contains(">Failure events per 6 s (error logs), by cause</text>"));
    assert_eq!(count(&page, "<rect class=\"band\""), 2);
    assert_eq!(count(&page, "<g class=\"blabel\">"), 2);
    assert!(page.contains("Backend refused the connection <code>upstream_refused</code> — 80"));
    assert!(page.contains(">01:27:30</text>"), "ticks on round times");
    assert!(page.contains(">Time (+00:00)</text>"));
    // Findings: severity as text and class, category, fix steps, example with path:line.
    assert!(page.contains("<span class=\"sev sev-critical\">Critical</span>"));
    assert!(page.contains("category: backend down, crashed or restarting"));
    assert!(page.contains("<li>Make it restart on failure: Restart=on-failure</li>"));
    assert!(page.contains("<span class=\"loc\">/var/log/nginx/error.log:12:</span>"));
    assert!(page.contains("start the backend &amp; check it"));
    assert_eq!(count(&page, "<svg class=\"spark "), 2);
    // Incidents link to their findings.
    assert!(page.contains("<tr id=\"incident-1\">"));
    assert!(page.contains("<td><a href=\"#finding-2\">#2</a></td></tr>"));
    // Access: attribution, quantiles.
    assert!(page.contains("<strong>200 of 200 5xx responses (100%)</strong>"));
    assert!(page.contains(
        "<tr><td>Time of 504 responses</td><td class=\"n\">120</td><td class=\"n\">3.00 s</td>"
    ));
    check_balanced(&page);
    check_no_external_references(&page);
}

#[test]
fn top_limits_the_findings_and_links_only_to_shown_ones() {
    let page = html::render(&sample_report(), 1);
    assert_eq!(count(&page, "<section class=\"finding "), 1);
    assert!(!page.contains("id=\"finding-2\""));
    assert!(!page.contains("href=\"#finding-2\""));
    assert!(
        page.contains("<td>#2</td></tr>"),
        "incident names the finding without a link"
    );
    assert!(page.contains("1 more finding not shown"));
    check_balanced(&page);
    let none = html::render(&sample_report(), 0);
    assert!(none.contains("2 findings not shown"));
    assert!(!none.contains("No findings"));
    assert!(!none.contains("href=\"#finding-"));
    check_balanced(&none);
}

#[test]
fn hostile_log_text_is_escaped_everywhere() {
    let report = hostile_report();
    let page = html::render(&report, 10);
    let lower = page.to_ascii_lowercase();
    assert!(!lower.contains("<script"), "a script element got through");
    assert!(!page.contains("\"onmouseover"), "an attribute got through");
    assert!(
        !page.contains("'onfocus"),
        "a single-quoted attribute got through"
    );
    assert_eq!(count(&lower, "<style"), 1);
    assert_eq!(count(&lower, "</style>"), 1);
    for c in ['\u{1b}', '\u{7}', '\u{202e}', '\u{9b}'] {
        assert!(!page.contains(c), "raw {c:?} in the page");
    }
    // An OSC 8 hyperlink shows as inert text, never as a link.
    assert!(page.contains("\\x1b]8;;https://evil.example/\\x07click"));
    assert!(!page.contains("href=\"https://evil"));
    assert!(!lower.contains("<a href=\"https:"));
    // The escaped form is what a reader sees, in every place the text goes.
    let escaped = logscan_render::escape::html(&hostile_text()).to_string();
    assert!(escaped.contains("&lt;script&gt;") && escaped.contains("\\x1b]8;;"));
    let places = [
        format!("<p id=\"summary\">summary {escaped}</p>"),
        format!("<code>path {escaped}</code>"),
        format!("title {escaped}</h3>"),
        format!("category: {escaped}</p>"),
        format!("<code>upstream {escaped}</code>"),
        format!("<code>vhost {escaped}</code>"),
        format!("<code>peer {escaped}</code>"),
        format!("<code>GET /{escaped}</code>"),
        format!("<code>client {escaped}</code>"),
        format!("<strong>{escaped}</strong> × 1"),
        format!("<li>note {escaped}</li>"),
        format!("<p>fix {escaped}</p>"),
        format!("<li>step {escaped}</li>"),
        format!("<span class=\"loc\">/var/log/{escaped}:7:</span> example {escaped}"),
        format!("<code>trigger {escaped}</code>"),
        format!("<td>incident {escaped}</td>"),
        format!("<title>Incident 1: incident {escaped}</title>"),
        format!("<code>incident upstream {escaped}</code>"),
        format!("<code>0{escaped}</code>"),
        format!("<code>unattributed {escaped}</code>"),
        format!("<td>Time of {escaped} responses</td>"),
        format!("<code>POST /{escaped}</code>"),
        format!("unrecognized {escaped}"),
        format!("times in {escaped} (given with --tz)"),
    ];
    assert!(
        page.contains(">Time (&lt;script&gt;alert(1)&lt;/script&gt;&quot;onmouseover=a…)</text>")
    );
    for place in &places {
        assert!(page.contains(place.as_str()), "missing: {place}");
    }
    check_balanced(&page);
    check_no_external_references(&page);
}

#[test]
fn a_large_report_stays_small() {
    let report = large_report();
    let page = html::render(&report, 50);
    eprintln!("50 findings, 4096 windows: {} bytes", page.len());
    // LOGSCAN_HTML_DUMP=DIR writes the large, sample and hostile pages there, to look at
    // them in a browser.
    if let Ok(dir) = std::env::var("LOGSCAN_HTML_DUMP") {
        std::fs::write(format!("{dir}/large.html"), &page).unwrap();
        std::fs::write(
            format!("{dir}/sample.html"),
            html::render(&sample_report(), 10),
        )
        .unwrap();
        std::fs::write(
            format!("{dir}/hostile.html"),
            html::render(&hostile_report(), 10),
        )
        .unwrap();
    }
    assert!(page.len() < 1_000_000, "{} bytes", page.len());
    assert_eq!(count(&page, "<section class=\"finding "), 50);
    // Overall chart: 4096 windows merged by 7 into 586 bars; each layer one path with at
    // most one rectangle per bar.
    assert!(page.contains("4,096 windows of 60 s merged into 586 bars of 7 min each."));
    let svg_start = page.find("<svg id=\"timeline\"").unwrap();
    let svg = &page[svg_start..svg_start + page[svg_start..].find("</svg>").unwrap()];
    let bars = count(svg, "height=\"1\"><title>");
    assert!(bars <= MAX_TIMELINE_POINTS && bars > 500, "{bars}");
    let paths: Vec<&str> = svg.split("<path ").skip(1).collect();
    assert_eq!(paths.len(), 3 + 8, "requests, 5xx, 8 causes and the others");
    for path in paths {
        let d = &path[path.find(" d=\"").unwrap()..path.find("\"/>").unwrap()];
        assert!(count(d, "H") <= MAX_TIMELINE_POINTS, "{}", count(d, "H"));
    }
    // 8 cause colours and one layer for the other causes.
    assert!(page.contains("<li><span class=\"sw c7\"></span>"));
    assert!(!page.contains("<li><span class=\"sw c8\"></span>"));
    assert!(page.contains(&format!(
        "<li><span class=\"sw cother\"></span>{} other causes",
        Cause::ALL.len() - 8
    )));
    // Sparklines: at most 120 bars each.
    for spark in page.split("<svg class=\"spark ").skip(1) {
        let spark = &spark[..spark.find("</svg>").unwrap()];
        assert!(
            count(spark, "H") <= MAX_SPARKLINE_POINTS,
            "{}",
            count(spark, "H")
        );
    }
    // Links to findings that exist; rank 60 is not a finding.
    assert!(!page.contains("href=\"#finding-60\""));
    // Day-spanning timeline: ticks at midnight carry dates.
    assert!(page.contains(">11-21 00:00</text>"));
    check_balanced(&page);
    check_no_external_references(&page);
}

#[test]
fn empty_and_error_log_only_reports_still_have_the_hooks() {
    let empty = Analyzer::new(Config::default()).finish();
    let page = html::render(&empty, 10);
    for hook in [
        "id=\"summary\"",
        "<svg id=\"timeline\"",
        "id=\"incidents\"",
        "id=\"access\"",
    ] {
        assert!(page.contains(hook), "{hook}");
    }
    assert!(page.contains("No findings"));
    assert!(page.contains("No timed events to chart."));
    assert!(page.contains("No access logs were given"));
    check_balanced(&page);
    check_no_external_references(&page);

    let mut errors_only = sample_report();
    errors_only.access = None;
    errors_only.totals.requests = 0;
    errors_only.totals.server_errors = 0;
    errors_only.timeline.requests.clear();
    errors_only.timeline.server_errors.clear();
    errors_only.zone = ZoneUsed::new("", ZoneSource::AsLogged);
    for f in &mut errors_only.findings {
        f.affected_requests = None;
        f.statuses_inferred = true;
    }
    let page = html::render(&errors_only, 10);
    assert!(!page.contains(">Requests per"));
    assert!(page.contains(">Failure events per 6 s (error logs), by cause</text>"));
    assert!(page.contains(">Time as logged (no zone known)</text>"));
    assert!(page.contains("what the server sends for this cause"));
    assert!(!page.contains("<th class=\"n\">Requests</th>"));
    check_balanced(&page);
}

// ---------------------------------------------------------------------------------------
// A report from the analyzer itself, fed hand-built records.

fn at(second: i64) -> Timestamp {
    let secs = 27 * 60 + second;
    Timestamp::from_parts(
        2026,
        11,
        25,
        1,
        (secs / 60) as u32,
        (secs % 60) as u32,
        0,
        None,
    )
    .unwrap()
}

fn nginx_error(second: i64, request: &'static str) -> Record<'static> {
    let refused = records::failure(
        Cause::UpstreamRefused,
        Role::Event,
        Phase::Connect,
        b"127.0.0.1:19020",
        b"http",
    );
    Record::Error(records::nginx_error(
        at(second),
        request.as_bytes(),
        refused,
    ))
}

fn nginx_access(second: i64, status: u16, request: &'static str) -> Record<'static> {
    let upstream_status = if status == 502 { b"502" } else { b"200" };
    let upstream = records::upstream(b"127.0.0.1:19020", upstream_status, b"0.001");
    let time = at(second).with_offset(Some(0));
    Record::Access(records::nginx_access(
        time,
        status,
        request.as_bytes(),
        upstream,
    ))
}

#[test]
fn renders_what_the_analyzer_reports() {
    let mut a = Analyzer::new(Config::default());
    a.add_input(0, InputInfo::new("error.log", Format::NginxError, "site"));
    a.add_input(1, InputInfo::new("access.log", Format::NginxAccess, "site"));
    let mut lines = [0u64; 2];
    let hostile = "GET /<script>alert(1)</script>\u{1b}[2J\u{202e} HTTP/1.1";
    for s in 0..120i64 {
        for k in 0..3 {
            let request = if k == 0 {
                hostile
            } else {
                "GET /api/items HTTP/1.1"
            };
            let mut push = |input: u32, record: Record<'static>| {
                lines[input as usize] += 1;
                let origin = Origin {
                    input,
                    chunk: 0,
                    line: lines[input as usize],
                    lines: 1,
                    text: hostile.as_bytes(),
                };
                a.observe(&record, &origin);
            };
            if (30..50).contains(&s) {
                push(0, nginx_error(s, request));
                push(1, nginx_access(s, 502, request));
            } else {
                push(1, nginx_access(s, 200, request));
            }
        }
    }
    let report = a.finish();
    assert!(!report.findings.is_empty());
    let page = html::render(&report, 10);
    assert_eq!(
        count(&page, "<section class=\"finding "),
        report.findings.len()
    );
    assert!(!page.to_ascii_lowercase().contains("<script"));
    assert!(!page.contains('\u{1b}') && !page.contains('\u{202e}'));
    if !report.incidents.is_empty() {
        assert!(page.contains("<rect class=\"band\""));
        assert!(page.contains("href=\"#finding-1\""));
    }
    check_balanced(&page);
    check_no_external_references(&page);
}

#[test]
fn snapshot_of_a_small_report() {
    insta::assert_snapshot!("sample_report", html::render(&sample_report(), 10));
}

#[test]
fn every_form_says_the_envelope_and_the_formats_of_a_mixed_input() {
    let mut r = sample_report();
    r.inputs[0].envelope = Some("docker".to_owned());
    r.inputs[0].format = InputFormat::Mixed;
    r.inputs[0].formats = [
        ("nginx-access".to_owned(), 480),
        ("nginx-error".to_owned(), 200),
    ]
    .into();
    r.inputs[0].other = 5;
    let want = "docker: mixed (nginx-access 480, nginx-error 200), 5 other";
    let html = logscan_render::html::render(&r, 10);
    assert!(html.contains(want), "html");
    let md = logscan_render::markdown::render(&r, 10);
    assert!(md.contains(want), "{md}");
    let options = logscan_render::Options::new(200, false, 10);
    let text = logscan_render::text::render(&r, &options);
    assert!(text.contains(want), "{text}");
    // A plain single-format input adds no line.
    let plain = logscan_render::text::render(&sample_report(), &options);
    assert!(!plain.contains("nginx-error:"), "{plain}");
}
