//! Lines from the wild give the same causes in the report and in `--events`: for the real
//! captures of the stream module, a `listen unix:` server, a Lua balancer and its
//! placeholder, temp files nginx cannot write, mod_fcgid and the documented Apache
//! `ErrorLogFormat`s, for Apache's companion lines (the socket error before AH01079, the
//! `(70007)` before AH00898, mod_fcgid's timeout before `End of script output`), and for
//! lines built from the format strings of builds that cannot run here (Windows, FreeBSD,
//! musl, Apache 2.2, Kong, APISIX, Tengine, ngx_http_proxy_connect_module).

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use logscan_parse::{Parser, Record, Role};
use serde_json::Value;

use common::{fixtures, run};

/// The causes of the report's findings.
fn finding_causes(report: &Value) -> BTreeSet<String> {
    report["findings"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|f| f["cause"].as_str().map(str::to_owned))
        .collect()
}

/// Runs the report and the events over `file` and checks they agree: every cause of an
/// event that is not context (a line the report keeps as evidence, such as `AH00959
/// disabling worker`) is a finding's cause, and every finding's cause is some event's.
/// Returns the findings' causes.
fn agree(file: &Path, parser: &Parser, extra: &[&str]) -> BTreeSet<String> {
    let path = file.to_string_lossy().into_owned();
    let mut args: Vec<&str> = extra.to_vec();
    args.extend(["--output", "json", &path]);
    let report = run(&args);
    assert_eq!(report.code, 0, "{}", report.stderr);
    let findings = finding_causes(&report.json());
    let mut args: Vec<&str> = extra.to_vec();
    args.extend(["--events", &path]);
    let events = run(&args);
    assert_eq!(events.code, 0, "{}", events.stderr);
    let text = std::fs::read_to_string(file).expect("log");
    let lines: Vec<&str> = text.lines().collect();
    let mut seen = BTreeSet::new();
    for event in events.stdout_str().lines() {
        let event: Value = serde_json::from_str(event).expect("an event");
        let Some(cause) = event["logscan"]["cause"].as_str() else {
            continue;
        };
        let number = event["log"]["file"]["line"]
            .as_u64()
            .expect("log.file.line");
        let line = lines
            .get(usize::try_from(number).unwrap() - 1)
            .copied()
            .unwrap_or_default();
        let role = match parser.parse(line.as_bytes()) {
            Ok(Record::Error(r)) => r.failure.map(|f| f.role),
            _ => None,
        };
        if role == Some(Role::Context) {
            continue;
        }
        assert!(
            findings.contains(cause),
            "{}:{number}: event says {cause}, the report's findings are {findings:?}\n{line}",
            file.display()
        );
        seen.insert(cause.to_owned());
    }
    assert_eq!(seen, findings, "{}: events vs report", file.display());
    findings
}

#[test]
fn real_captures_agree_and_report_their_labelled_cause() {
    let cases: [(&str, &str); 15] = [
        ("nginx/stream_refused", "upstream_refused"),
        ("nginx/stream_timeout", "upstream_timeout_connect"),
        ("nginx/stream_reset", "upstream_reset"),
        ("nginx/unix_client", "upstream_reset"),
        ("nginx/lua_no_endpoints", "no_live_upstreams"),
        ("nginx/temp_path_permission", "buffered_to_disk"),
        ("apache/fcgid_read_timeout", "upstream_timeout_read"),
        ("apache/errorlogformat_simple", "upstream_refused"),
        ("apache/errorlogformat_logid", "upstream_timeout_read"),
        // The companion cases of mod_proxy: AH00957 → AH01114, AH02454 → AH01079,
        // (70007) AH01102 → AH00898, (70007) AH01075 of mod_proxy_fcgi.
        ("apache/refused", "upstream_refused"),
        ("apache/prefork_refused", "upstream_refused"),
        ("apache/socket_missing", "socket_missing"),
        ("apache/read_timeout", "upstream_timeout_read"),
        ("apache/fcgi_read_timeout", "upstream_timeout_read"),
        ("apache/reset", "upstream_reset"),
    ];
    for (scenario, cause) in cases {
        let dir = fixtures().join(scenario);
        let label: Value = serde_json::from_str(
            &std::fs::read_to_string(dir.join("labels.json")).expect("labels.json"),
        )
        .expect("label");
        let format = label["error_log_format"].as_str();
        let (parser, extra) = match (scenario.starts_with("nginx"), format) {
            (true, _) => (Parser::nginx_error(), vec![]),
            (false, Some(f)) => (
                Parser::apache_error_format(f).expect("format"),
                vec!["--error-log-format", f],
            ),
            (false, None) => (Parser::apache_error(), vec![]),
        };
        let findings = agree(&dir.join("error.log"), &parser, &extra);
        assert!(findings.contains(cause), "{scenario}: {findings:?}");
        assert_eq!(label["cause"], cause, "{scenario}");
    }
}

/// Lines of builds and platforms that cannot run here, built from their format strings.
fn constructed() -> Vec<(
    &'static str,
    bool,
    Vec<&'static str>,
    &'static [&'static str],
)> {
    vec![
        (
            "nginx-windows",
            true,
            vec![
                r#"2026/11/25 10:00:00 [error] 4242#4250: *1 connect() failed (10061: No connection could be made because the target machine actively refused it) while connecting to upstream, client: 127.0.0.1, server: localhost, request: "GET / HTTP/1.1", upstream: "http://127.0.0.1:8080/", host: "localhost""#,
                r#"2026/11/25 10:00:01 [error] 4242#4250: *2 WSARecv() failed (10054: An existing connection was forcibly closed by the remote host) while reading response header from upstream, client: 127.0.0.1, server: localhost, request: "GET / HTTP/1.1", upstream: "http://127.0.0.1:8081/", host: "localhost""#,
                r#"2026/11/25 10:00:02 [error] 4242#4250: *3 connect() failed (10055: An operation on a socket could not be performed because the system lacked sufficient buffer space or because a queue was full) while connecting to upstream, client: 127.0.0.1, server: localhost, request: "GET / HTTP/1.1", upstream: "http://127.0.0.1:8082/", host: "localhost""#,
            ],
            &["upstream_refused", "upstream_reset", "ephemeral_ports"],
        ),
        (
            "nginx-bsd-musl-redacted",
            true,
            vec![
                r#"2026/11/25 10:00:00 [error] 77#0: *3 kevent() reported that connect() failed (61: Connection refused) while connecting to upstream, client: xxx, server: a, request: "GET / HTTP/1.1", upstream: "http://10.0.0.5:8080/", host: "a""#,
                r#"2026/11/25 10:00:01 [error] 77#0: *4 upstream timed out (60: Operation timed out) while reading response header from upstream, client: X.X.X.X, server: a, request: "GET / HTTP/1.1", upstream: "http://10.0.0.6:8080/", host: "a""#,
                r#"2026/11/25 10:00:02 [error] 7#7: *5 connect() failed (113: Host is unreachable) while connecting to upstream, client: [IP], server: a, request: "GET / HTTP/1.1", upstream: "http://10.0.0.7:8080/", host: "a""#,
                r#"2026/11/25 10:00:03 [error] 7#7: *6 recv() failed (104: Connection reset by peer) while reading response header from upstream, client: , server: a, request: "GET / HTTP/1.1", upstream: "http://10.0.0.8:8080/", host: "a""#,
            ],
            &[
                "upstream_refused",
                "upstream_timeout_read",
                "upstream_unreachable",
                "upstream_reset",
            ],
        ),
        (
            "nginx-modules",
            true,
            vec![
                r#"2026/11/25 10:00:00 [error] 7#7: *1 connect() failed (111: Connection refused) while connecting to upstream(proxy_connect), client: 10.0.0.1, server: , request: "CONNECT example.com:443 HTTP/1.1", host: "example.com:443""#,
                r#"2026/11/25 10:00:01 [error] 7#7: *2 [lua] balancer.lua:456: run(): failed to pick server: no valid upstream node while connecting to upstream, client: 10.0.0.1, server: api, request: "GET / HTTP/1.1", host: "api""#,
                r#"2026/11/25 10:00:02 [error] 7#7: *3 all servers are down, client: 10.0.0.1, server: api, request: "GET / HTTP/1.1", host: "api""#,
                r#"2026/11/25 10:00:03 [error] 7#7: unexpected response for api.internal"#,
                r#"2026/11/25 10:00:04 [error] 7#7: *4 recv() failed (104: Connection reset by peer) while proxying connection, client: 10.0.0.1, server: 0.0.0.0:5432, upstream: "10.0.0.9:5432", bytes from/to client:120/0, bytes from/to upstream:0/120"#,
            ],
            &[
                "upstream_refused",
                "no_live_upstreams",
                "dns_resolution",
                "upstream_reset",
            ],
        ),
        (
            "apache-22-fcgid-windows",
            false,
            vec![
                "[Tue Nov 25 10:00:00 2025] [error] [client 203.0.113.9] (70007)The timeout specified has expired: proxy: error reading status line from remote server localhost:8080",
                "[Tue Nov 25 10:00:00 2025] [error] [client 203.0.113.9] proxy: Error reading from remote server returned by /slow",
                "[Tue Nov 25 10:00:05 2025] [warn] [client 203.0.113.9] mod_fcgid: read data timeout in 40 seconds",
                "[Tue Nov 25 10:00:05 2025] [error] [client 203.0.113.9] Premature end of script headers: index.php",
                "[Tue Nov 25 10:00:10.000001 2025] [proxy:error] [pid 1:tid 2] (OS 10061)No connection could be made because the target machine actively refused it.  : AH00957: HTTP: attempt to connect to 127.0.0.1:8080 (localhost) failed",
                "[Tue Nov 25 10:00:10.000002 2025] [proxy_http:error] [pid 1:tid 2] [client 203.0.113.9:50000] AH01114: HTTP: failed to make connection to backend: localhost",
            ],
            &["upstream_timeout_read", "upstream_refused"],
        ),
    ]
}

#[test]
fn constructed_lines_agree() {
    let dir = std::env::temp_dir().join(format!("logscan-wild-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    for (name, nginx, lines, causes) in constructed() {
        let file: PathBuf = dir.join(format!("{name}.log"));
        std::fs::write(&file, lines.join("\n") + "\n").expect("write");
        let parser = if nginx {
            Parser::nginx_error()
        } else {
            Parser::apache_error()
        };
        let findings = agree(&file, &parser, &[]);
        let expected: BTreeSet<String> = causes.iter().map(|c| (*c).to_owned()).collect();
        assert_eq!(findings, expected, "{name}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
