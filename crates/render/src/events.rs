//! One JSON object per record (NDJSON), named after the Elastic Common Schema, so the
//! stream can go straight into Elasticsearch/OpenSearch, Loki or ClickHouse.
//!
//! Keys are dotted ECS paths written as nested objects. A field the line logs as `-` is left
//! out. Text from the log is a JSON string; invalid UTF-8 appears as `\xHH` text.

use chrono::SecondsFormat;
use logscan_parse::{AccessRecord, EdgeRecord, ErrorRecord, Failure, Record, Zone};
use logscan_text::escape_bytes;
use serde_json::{Map, Value};

/// Longest text value written (bytes of the log).
const MAX_TEXT: usize = 64 * 1024;

/// Where an event came from.
#[derive(Clone, Copy, Debug)]
pub struct Source<'a> {
    /// `log.file.path`.
    pub path: &'a str,
    /// `log.file.line`: 1-based line of the record's first line.
    pub line: u64,
    /// The entry's text (the access line is its `message`).
    pub text: &'a [u8],
}

/// The ECS event of one record. Local-time lines are placed in `zone`.
pub fn event(record: &Record<'_>, source: &Source<'_>, zone: &Zone) -> Value {
    let mut map = Map::new();
    if let Some(ts) = record.time() {
        let when = ts
            .to_instant(zone)
            .to_rfc3339_opts(SecondsFormat::AutoSi, false);
        map.insert("@timestamp".into(), Value::String(when));
    }
    put(
        &mut map,
        "event.dataset",
        Value::String(record.format().dataset().into()),
    );
    put(&mut map, "log.file.path", Value::String(source.path.into()));
    put(&mut map, "log.file.line", Value::from(source.line));
    match record {
        Record::Error(r) => error_fields(&mut map, r),
        Record::Access(r) => access_fields(&mut map, r, source.text),
        Record::Edge(r) => edge_fields(&mut map, r, source.text),
        // A kind of record this version does not know: the common keys only.
        _ => {}
    }
    Value::Object(map)
}

/// A request of the CDN or load balancer in front: the access-log keys, plus the origin it
/// chose (`destination.address`), what the origin answered (`logscan.origin.status`), the
/// product's reason code (`logscan.edge.reason`) and the id it sends the origin
/// (`trace.id`).
fn edge_fields(map: &mut Map<String, Value>, r: &EdgeRecord<'_>, line: &[u8]) {
    put(
        map,
        "message",
        text(line.strip_suffix(b"\r").unwrap_or(line)),
    );
    put(
        map,
        "logscan.edge.product",
        Value::String(r.edge.id().into()),
    );
    if r.header {
        if let Some(f) = &r.failure {
            failure_fields(map, f);
        }
        return;
    }
    opt_text(map, "source.address", r.client);
    if let Some(port) = r.client_port {
        put(map, "source.port", Value::from(port));
    }
    opt_text(map, "http.request.method", r.method);
    opt_text(map, "url.scheme", r.scheme);
    opt_text(map, "url.original", r.target);
    if let Some(p) = r.protocol {
        put(
            map,
            "http.version",
            text(p.strip_prefix(b"HTTP/").unwrap_or(p)),
        );
    }
    host_fields(map, r.host);
    if let Some(status) = r.status {
        put(map, "http.response.status_code", Value::from(status));
    }
    if let Some(bytes) = r.bytes_sent {
        put(map, "http.response.body.bytes", Value::from(bytes));
    }
    opt_text(map, "http.request.referrer", r.referer);
    opt_text(map, "user_agent.original", r.user_agent);
    if let Some(us) = r.duration_us {
        put(map, "event.duration", Value::from(us.saturating_mul(1_000)));
    }
    opt_text(map, "destination.address", r.origin);
    opt_text(map, "logscan.origin.group", r.origin_group);
    if let Some(s) = r.origin_status {
        put(map, "logscan.origin.status", Value::from(s));
    }
    opt_text(map, "logscan.edge.listener", r.listener);
    opt_text(map, "logscan.edge.reason", r.reason);
    opt_text(map, "logscan.edge.result", r.result);
    opt_text(map, "trace.id", r.trace_id);
    if let Some(f) = &r.failure {
        failure_fields(map, f);
    }
}

fn failure_fields(map: &mut Map<String, Value>, f: &Failure<'_>) {
    put(map, "logscan.cause", Value::String(f.cause.id().into()));
    if let Some(phase) = f.phase {
        put(map, "logscan.phase", Value::String(phase.id().into()));
    }
    if let Some(variant) = f.variant {
        put(map, "logscan.variant", Value::String(variant.into()));
    }
}

fn error_fields(map: &mut Map<String, Value>, r: &ErrorRecord<'_>) {
    if let Some(level) = r.level {
        put(map, "log.level", Value::String(level.as_str().into()));
    }
    put(map, "message", Value::String(message_text(r)));
    if let Some(pid) = r.pid {
        put(map, "process.pid", Value::from(pid));
    }
    if let Some(tid) = r.tid {
        put(map, "process.thread.id", Value::from(tid));
    }
    if let Some(cid) = r.connection {
        put(map, "nginx.error.connection_id", Value::from(cid));
    }
    // `[:error]` (mod_php and others without a module name) leaves it out.
    opt_text(map, "apache.error.module", r.module);
    opt_text(map, "source.address", r.client);
    if let Some(port) = r.client_port {
        put(map, "source.port", Value::from(port));
    }
    if let Some(request) = r.request {
        request_line(map, request);
    }
    host_fields(map, r.host);
    opt_text(map, "http.request.referrer", r.referer);
    opt_text(map, "server.address", r.server_name);
    let peer = r.failure.as_ref().and_then(|f| f.peer).or(r.upstream_url);
    opt_text(map, "destination.address", peer);
    let code = match (r.code, r.sys_error) {
        (Some(ah), _) => Some(text(ah)),
        (None, Some(e)) => Some(Value::String(e.number.to_string())),
        _ => None,
    };
    if let Some(code) = code {
        put(map, "error.code", code);
    }
    if let Some(e) = r.sys_error {
        put(map, "error.message", text(e.text));
    }
    if let Some(pool) = r.pool {
        put(map, "php_fpm.pool", text(pool));
    }
    if let Some(f) = &r.failure {
        put(map, "logscan.cause", Value::String(f.cause.id().into()));
        if let Some(phase) = f.phase {
            put(map, "logscan.phase", Value::String(phase.id().into()));
        }
        if let Some(variant) = f.variant {
            put(map, "logscan.variant", Value::String(variant.into()));
        }
        // What the line is to a failure, so a log store can count failures as the report
        // does: `context` lines are evidence, not failures; an `effect` line repeats the
        // failure of the `cause` line before it (Apache AH00957 + AH01114).
        put(map, "logscan.role", Value::String(f.role.id().into()));
    }
    if r.truncated {
        put(map, "logscan.truncated", Value::Bool(true));
    }
}

/// The message as the line wrote it, without the prefix (time, level, pid) and without
/// the context fields that have their own keys (nginx `, client: ...`, Apache
/// `[client ...]` and `, referer: ...`): nginx keeps its errno and `while` parts, Apache its
/// `(status)text: ` and `AHnnnnn: ` parts.
pub fn message_text(r: &ErrorRecord<'_>) -> String {
    use logscan_parse::{CodeSpace, Format};
    let mut out = String::new();
    match r.format {
        Format::NginxError => {
            out.push_str(&escape_bytes(r.message, MAX_TEXT));
            if let Some(e) = r.sys_error {
                out.push_str(&format!(" ({}: {})", e.number, escape_bytes(e.text, 512)));
            }
            if let Some(action) = r.action {
                out.push_str(" while ");
                out.push_str(&escape_bytes(action, 512));
            }
        }
        Format::ApacheError => {
            if let Some(e) = r.sys_error {
                let number = match e.space {
                    CodeSpace::Eai => format!("EAI {}", e.number),
                    CodeSpace::Windows => format!("OS {}", e.number),
                    _ => e.number.to_string(),
                };
                out.push_str(&format!("({number}){}: ", escape_bytes(e.text, 512)));
            }
            if let Some(code) = r.code {
                out.push_str(&escape_bytes(code, 16));
                out.push_str(": ");
            }
            out.push_str(&escape_bytes(r.message, MAX_TEXT));
        }
        _ => out.push_str(&escape_bytes(r.message, MAX_TEXT)),
    }
    out
}

fn access_fields(map: &mut Map<String, Value>, r: &AccessRecord<'_>, line: &[u8]) {
    put(
        map,
        "message",
        text(line.strip_suffix(b"\r").unwrap_or(line)),
    );
    opt_text(map, "source.address", r.client);
    opt_text(map, "user.name", r.user);
    match (r.method, r.target, r.protocol) {
        (None, None, None) => {
            if let Some(request) = r.request {
                request_line(map, request);
            }
        }
        (method, target, protocol) => {
            opt_text(map, "http.request.method", method);
            opt_text(map, "url.original", target);
            if let Some(p) = protocol {
                put(
                    map,
                    "http.version",
                    text(p.strip_prefix(b"HTTP/").unwrap_or(p)),
                );
            }
        }
    }
    if let Some(status) = r.status {
        put(map, "http.response.status_code", Value::from(status));
    }
    if let Some(bytes) = r.bytes_sent {
        put(map, "http.response.body.bytes", Value::from(bytes));
    }
    opt_text(map, "http.request.referrer", r.referer);
    opt_text(map, "user_agent.original", r.user_agent);
    host_fields(map, r.host);
    if let Some(us) = r.request_time_us {
        put(map, "event.duration", Value::from(us.saturating_mul(1_000)));
    }
    let last_peer = r.upstream.addrs().filter_map(|v| v.value).last();
    opt_text(map, "destination.address", last_peer);
    if let Some(s) = r.upstream.last_status() {
        put(map, "logscan.upstream.status", Value::from(s));
    }
    if let Some(us) = r.upstream.total_response_time_us() {
        put(map, "logscan.upstream.response_time_us", Value::from(us));
    }
    if let Some(id) = r.request_id {
        put(map, "http.request.id", text(id));
    }
    opt_text(map, "trace.id", r.trace_id);
}

/// The Host header or virtual host: `url.domain`, and `url.port` when it carries one
/// (`example.com:8080`, `[2001:db8::1]:443`).
fn host_fields(map: &mut Map<String, Value>, host: Option<&[u8]>) {
    let Some(host) = host.filter(|v| !v.is_empty() && *v != b"-") else {
        return;
    };
    let (domain, port) = split_host_port(host);
    opt_text(map, "url.domain", Some(domain));
    if let Some(port) = port {
        put(map, "url.port", Value::from(port));
    }
}

/// `host:port` into its parts; a bare IPv6 address or a non-numeric tail stays whole.
fn split_host_port(host: &[u8]) -> (&[u8], Option<u16>) {
    let port_of = |digits: &[u8]| {
        (!digits.is_empty() && digits.len() <= 5 && digits.iter().all(u8::is_ascii_digit))
            .then(|| std::str::from_utf8(digits).ok()?.parse::<u16>().ok())
            .flatten()
    };
    if let Some(inner) = host.strip_prefix(b"[") {
        if let Some(close) = inner.iter().position(|&b| b == b']') {
            let (addr, rest) = inner.split_at(close);
            let port = rest.strip_prefix(b"]:").and_then(port_of);
            return (addr, port);
        }
    }
    let mut colons = host.iter().enumerate().filter(|(_, b)| **b == b':');
    if let (Some((at, _)), None) = (colons.next(), colons.next()) {
        let (name, rest) = host.split_at(at);
        if let Some(port) = port_of(rest.get(1..).unwrap_or_default()) {
            return (name, Some(port));
        }
    }
    (host, None)
}

/// Splits `GET /path HTTP/1.1` into method, `url.original` and `http.version` (`1.1`).
fn request_line(map: &mut Map<String, Value>, request: &[u8]) {
    let mut parts = request.split(|&b| b == b' ').filter(|p| !p.is_empty());
    match (parts.next(), parts.next(), parts.next()) {
        (Some(method), Some(target), protocol) => {
            put(map, "http.request.method", text(method));
            put(map, "url.original", text(target));
            if let Some(p) = protocol {
                put(
                    map,
                    "http.version",
                    text(p.strip_prefix(b"HTTP/").unwrap_or(p)),
                );
            }
        }
        _ => put(map, "url.original", text(request)),
    }
}

fn text(bytes: &[u8]) -> Value {
    Value::String(escape_bytes(bytes, MAX_TEXT))
}

fn opt_text(map: &mut Map<String, Value>, key: &str, value: Option<&[u8]>) {
    if let Some(v) = value.filter(|v| !v.is_empty() && *v != b"-") {
        put(map, key, text(v));
    }
}

/// Inserts `value` at a dotted path, creating nested objects.
fn put(map: &mut Map<String, Value>, path: &str, value: Value) {
    match path.split_once('.') {
        None => {
            map.insert(path.to_owned(), value);
        }
        Some((head, rest)) if head == "@timestamp" => {
            map.insert(format!("{head}.{rest}"), value);
        }
        Some((head, rest)) => {
            let child = map
                .entry(head.to_owned())
                .or_insert_with(|| Value::Object(Map::new()));
            if !child.is_object() {
                *child = Value::Object(Map::new());
            }
            if let Value::Object(inner) = child {
                put(inner, rest, value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use logscan_parse::{Cause, Format, Phase, Role, Timestamp, records};

    #[test]
    fn host_and_port_are_split() {
        assert_eq!(
            split_host_port(b"example.com:8080"),
            (&b"example.com"[..], Some(8080))
        );
        assert_eq!(split_host_port(b"example.com"), (&b"example.com"[..], None));
        assert_eq!(
            split_host_port(b"[2001:db8::1]:443"),
            (&b"2001:db8::1"[..], Some(443))
        );
        assert_eq!(
            split_host_port(b"[2001:db8::1]"),
            (&b"2001:db8::1"[..], None)
        );
        assert_eq!(split_host_port(b"2001:db8::1"), (&b"2001:db8::1"[..], None));
        assert_eq!(split_host_port(b"host:99999"), (&b"host:99999"[..], None));
        assert_eq!(split_host_port(b"host:"), (&b"host:"[..], None));
        let record = Record::Error({
            let mut lit = ErrorRecord::default();
            lit.format = Format::ApacheError;
            lit.message = b"PHP Warning: x";
            lit.module = Some(b"");
            lit.host = Some(b"localhost:8080");
            lit
        });
        let source = Source {
            path: "error.log",
            line: 1,
            text: b"",
        };
        let v = event(&record, &source, &Zone::Utc);
        assert_eq!(v["url"]["domain"], "localhost");
        assert_eq!(v["url"]["port"], 8080);
        assert!(v.get("apache").is_none(), "[:error] has no module: {v}");
    }

    #[test]
    fn nested_ecs_keys_and_dashes_left_out() {
        let time = Timestamp::from_parts(2026, 11, 25, 1, 27, 19, 0, None).unwrap();
        let refused = records::failure(
            Cause::UpstreamRefused,
            Role::Event,
            Phase::Connect,
            b"127.0.0.1:19020",
            b"http",
        );
        let mut error = records::nginx_error(time, b"GET /api/items HTTP/1.1", refused);
        error.pid = Some(812);
        error.tid = Some(812);
        error.connection = Some(31);
        error.message = b"connect() failed";
        error.host = Some(b"-");
        let record = Record::Error(error);
        let source = Source {
            path: "error.log",
            line: 7,
            text: b"",
        };
        let v = event(&record, &source, &Zone::Utc);
        assert_eq!(v["@timestamp"], "2026-11-25T01:27:19+00:00");
        assert_eq!(v["log"]["level"], "error");
        assert_eq!(v["log"]["file"]["line"], 7);
        assert_eq!(v["event"]["dataset"], "nginx.error");
        assert_eq!(v["http"]["request"]["method"], "GET");
        assert_eq!(v["url"]["original"], "/api/items");
        assert_eq!(v["http"]["version"], "1.1");
        assert_eq!(v["destination"]["address"], "127.0.0.1:19020");
        assert_eq!(v["nginx"]["error"]["connection_id"], 31);
        assert_eq!(v["logscan"]["cause"], "upstream_refused");
        assert_eq!(v["logscan"]["phase"], "connect");
        assert_eq!(v["logscan"]["role"], "event");
        assert!(
            v.get("url").and_then(|u| u.get("domain")).is_none(),
            "'-' is left out"
        );
    }

    #[test]
    fn invalid_utf8_stays_valid_json() {
        let record = Record::Access({
            let mut lit = AccessRecord::default();
            lit.format = Format::NginxAccess;
            lit.request = Some(b"GET /\xff\x1b[2J HTTP/1.1");
            lit.status = Some(502);
            lit
        });
        let source = Source {
            path: "access.log",
            line: 1,
            text: b"raw \xff",
        };
        let v = event(&record, &source, &Zone::Utc);
        let json = serde_json::to_string(&v).unwrap();
        assert!(json.contains("\\\\xff"));
        assert!(json.contains("\\u001b[2J"));
        assert_eq!(v["http"]["response"]["status_code"], 502);
    }

    /// An edge request: the access keys, the origin it chose, its status, the reason code,
    /// the trace id, and the failure's cause.
    #[test]
    fn edge_requests_are_ecs_events() {
        let line = br#"https 2026-11-25T09:57:47.416396Z app/shop-alb/50dc6c495c0c9188 198.51.100.137:8660 10.0.2.20:80 0.001 -1 -1 504 - 312 190 "GET https://shop.example.test:443/index.php?page=7 HTTP/1.1" "python-requests/2.31.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/shop-web/73e2d6bc24d8a067 "Root=1-6b06b111-2b7e6d03babebbe6d0666662" "shop.example.test" "-" 0 2026-11-25T09:57:37.416396Z "forward" "-" "-" "10.0.2.20:80" "-" "-" "-""#;
        let record = logscan_parse::Parser::aws_alb().parse(line).unwrap();
        let source = Source {
            path: "alb.log",
            line: 3,
            text: line,
        };
        let v = event(&record, &source, &Zone::Utc);
        assert_eq!(v["@timestamp"], "2026-11-25T09:57:47.416396+00:00");
        assert_eq!(v["event"]["dataset"], "aws.elb_logs");
        assert_eq!(v["event"]["duration"], 10_000_000_000u64);
        assert_eq!(v["source"]["address"], "198.51.100.137");
        assert_eq!(v["source"]["port"], 8660);
        assert_eq!(v["url"]["domain"], "shop.example.test");
        assert_eq!(v["url"]["original"], "/index.php?page=7");
        assert_eq!(v["http"]["response"]["status_code"], 504);
        assert_eq!(v["destination"]["address"], "10.0.2.20:80");
        assert_eq!(v["trace"]["id"], "Root=1-6b06b111-2b7e6d03babebbe6d0666662");
        assert_eq!(v["logscan"]["edge"]["product"], "aws-alb");
        assert_eq!(v["logscan"]["cause"], "upstream_timeout_connect");
        assert_eq!(v["logscan"]["variant"], "connect_timeout_by_time");
        assert!(
            v["logscan"]
                .get("origin")
                .and_then(|o| o.get("status"))
                .is_none()
        );
    }
}
