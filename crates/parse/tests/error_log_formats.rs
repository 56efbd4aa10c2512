//! Apache error logs written with the `ErrorLogFormat` examples of httpd's own documentation
//! (`docs/manual/mod/core.xml`), read without being told the format: format detection
//! picks the Apache error reader, and it gives the same records (cause, errno, client and
//! port, AH code, level, process and thread) as the parser compiled from the exact
//! documented string, which is the ground truth here. Lines come from the fixtures that
//! real Apache 2.4 wrote with these formats (`fixtures/apache/errorlogformat_*`) and from
//! the documented field rules (an item with no output removes its whole field).

use std::path::Path;

use logscan_parse::detect::detect;
use logscan_parse::{Cause, Companions, Errno, ErrorRecord, Format, Parser, Record};

/// "Simple example".
const SIMPLE: &str = r"[%t] [%l] [pid %P] %F: %E: [client %a] %M";
/// "Example (default format for threaded MPMs)".
const THREADED: &str =
    r"[%{u}t] [%-m:%l] [pid %P:tid %T] %7F: %E: [client\ %a] %M% ,\ referer\ %{Referer}i";
/// "Example (similar to the 2.2.x format)".
const LIKE_22: &str = r"[%t] [%l] %7F: %E: [client\ %a] %M% ,\ referer\ %{Referer}i";
/// "Advanced example with request/connection log IDs" (its main format).
const LOG_IDS: &str = r"[%{uc}t] [%-m:%-l] [R:%L] [C:%{C}L] %7F: %E: %M";

fn fixture(path: &str) -> Vec<String> {
    let root = std::env::var_os("LOGSCAN_FIXTURES")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures"));
    std::fs::read_to_string(root.join(path))
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// What must agree between the two readings of a line.
type Key = (
    Option<Cause>,
    Option<Errno>,
    Option<Vec<u8>>,
    Option<u16>,
    Option<Vec<u8>>,
    Option<String>,
    Option<u32>,
    Option<u64>,
    Option<String>,
);

fn key(r: &ErrorRecord<'_>) -> Key {
    (
        r.failure.map(|f| f.cause),
        r.failure.and_then(|f| f.errno),
        r.client.map(<[u8]>::to_vec),
        r.client_port,
        r.code.map(<[u8]>::to_vec),
        r.level.map(|l| l.as_str().to_owned()),
        r.pid,
        r.tid,
        r.time.map(|t| t.to_string()),
    )
}

fn error_record<'a>(parser: &Parser, line: &'a str) -> Option<ErrorRecord<'a>> {
    match parser.parse(line.as_bytes()) {
        Ok(Record::Error(r)) => Some(r),
        _ => None,
    }
}

/// Detects the format of `lines` and checks every line the documented format reads gives
/// the same record both ways; returns how many lines were compared and how many of them
/// reported each cause.
fn agree(format: &str, lines: &[String]) -> (usize, Vec<Cause>) {
    assert!(!lines.is_empty(), "no lines for {format}");
    let truth = Parser::apache_error_format(format).expect("documented format compiles");
    let sample: Vec<&[u8]> = lines.iter().map(|l| l.as_bytes()).collect();
    let found = detect(&sample, None, &[]).expect("a format");
    assert_eq!(found.parser.format(), Format::ApacheError, "{format}");
    assert_eq!(found.matched, lines.len(), "every line read: {format}");
    let mut compared = 0;
    let mut causes = Vec::new();
    for line in lines {
        let detected = error_record(&found.parser, line)
            .unwrap_or_else(|| panic!("not read after detection: {line}"));
        let Some(expected) = error_record(&truth, line) else {
            // Only the once-per-request/connection lines of the log-id example are not in
            // the main format; they carry no failure.
            assert_eq!(detected.failure, None, "{line}");
            continue;
        };
        assert_eq!(key(&detected), key(&expected), "{format}\n{line}");
        compared += 1;
        causes.extend(expected.failure.map(|f| f.cause));
    }
    (compared, causes)
}

#[test]
fn the_simple_example_real() {
    let lines = fixture("apache/errorlogformat_simple/error.log");
    let (compared, causes) = agree(SIMPLE, &lines);
    assert_eq!(compared, lines.len());
    // The refused connects keep their errno: refused, not "unreachable".
    assert!(
        causes.iter().all(|&c| c == Cause::UpstreamRefused),
        "{causes:?}"
    );
    assert!(causes.len() >= 30);
}

#[test]
fn the_log_id_example_real() {
    let lines = fixture("apache/errorlogformat_logid/error.log");
    let (compared, causes) = agree(LOG_IDS, &lines);
    assert!(compared >= 24 && compared < lines.len(), "{compared}");
    // The read timeouts keep their (70007): a timeout, not "closed early"; the AH00898
    // that follows each takes it from its companion.
    assert_eq!(
        causes
            .iter()
            .filter(|&&c| c == Cause::UpstreamTimeoutRead)
            .count(),
        12,
        "{causes:?}"
    );
    let parser = Parser::apache_error();
    let mut companions = Companions::new();
    for line in &lines {
        if let Some(mut r) = error_record(&parser, line) {
            companions.apply(&mut r);
            if let Some(f) = r.failure {
                assert_eq!(f.cause, Cause::UpstreamTimeoutRead, "{line}");
            }
        }
    }
}

#[test]
fn the_threaded_default_and_the_22_like_examples() {
    let threaded = [
        "[Tue Nov 25 10:00:00.123456 2025] [proxy:error] [pid 4321:tid 140234567890432] (111)Connection refused: AH00957: http: attempt to connect to 127.0.0.1:8080 (localhost:8080) failed",
        "[Tue Nov 25 10:00:00.123530 2025] [proxy_http:error] [pid 4321:tid 140234567890432] [client 203.0.113.9:50312] AH01114: HTTP: failed to make connection to backend: localhost, referer https://example.com/",
        "[Tue Nov 25 10:00:31.000044 2025] [proxy_http:error] [pid 4321:tid 140234567890433] (70007)The timeout specified has expired: [client 203.0.113.9:50400] AH01102: error reading status line from remote server localhost:8080",
        "[Tue Nov 25 10:00:31.000090 2025] [proxy:error] [pid 4321:tid 140234567890433] [client 203.0.113.9:50400] AH00898: Error reading from remote server returned by /slow",
        "[Tue Nov 25 10:00:32.000090 2025] [-:error] [pid 4321:tid 140234567890433] [client ::1:58619] PHP Fatal error:  Uncaught Error: boom in /x.php:3",
        "[Tue Nov 25 10:00:33.000001 2025] [proxy:debug] [pid 4321:tid 140234567890433] proxy_util.c(2156): AH00942: HTTP: has acquired connection for (localhost)",
    ]
    .map(str::to_owned);
    let (compared, causes) = agree(THREADED, &threaded);
    assert_eq!(compared, threaded.len());
    assert_eq!(
        causes,
        [
            Cause::UpstreamRefused,
            Cause::UpstreamRefused,
            Cause::UpstreamTimeoutRead,
            Cause::UpstreamClosedEarly,
            Cause::PhpFatal
        ]
    );
    let like_22 = [
        "[Tue Nov 25 10:00:00 2025] [error] (111)Connection refused: AH00957: http: attempt to connect to 127.0.0.1:8080 (localhost:8080) failed",
        "[Tue Nov 25 10:00:00 2025] [error] [client 203.0.113.9:50312] AH01114: HTTP: failed to make connection to backend: localhost, referer https://example.com/",
        "[Tue Nov 25 10:00:31 2025] [error] (70007)The timeout specified has expired: [client 203.0.113.9:50400] AH01102: error reading status line from remote server localhost:8080",
        "[Tue Nov 25 10:00:31 2025] [error] [client 2001:db8::7:50400] AH00898: Error reading from remote server returned by /slow",
        "[Tue Nov 25 10:00:35 2025] [notice] AH00489: Apache/2.4.67 (Debian) configured -- resuming normal operations",
    ]
    .map(str::to_owned);
    let (compared, causes) = agree(LIKE_22, &like_22);
    assert_eq!(compared, like_22.len());
    assert_eq!(
        causes,
        [
            Cause::UpstreamRefused,
            Cause::UpstreamRefused,
            Cause::UpstreamTimeoutRead,
            Cause::UpstreamClosedEarly
        ]
    );
    // The `, referer ` of these formats (no colon) is the referrer, not message text.
    let r = error_record(&Parser::apache_error(), &like_22[1]).unwrap();
    assert_eq!(r.referer, Some(&b"https://example.com/"[..]));
    assert_eq!(
        r.message,
        b"HTTP: failed to make connection to backend: localhost"
    );
}

#[test]
fn log_id_placeholders_and_the_extra_lines() {
    // `%-L` writes `-` for a message without a request; `[%{c}L]` the connection id.
    let format = r"[%{cu}t] [%-m:%l] [%-L] [%{c}L] [pid %P:tid %T] %7F: %E: [client\ %a] %M";
    let lines = [
        "[2026-12-05 21:09:22.931777] [proxy:error] [-] [pid 25920:tid 140188617975488] (111)Connection refused: AH00957: http: attempt to connect to 127.0.0.1:19116 (127.0.0.1:19116) failed",
        "[2026-12-05 21:09:22.931801] [proxy_http:error] [PNQoaAFQJDY] [XVpHaAFQJDY] [pid 25920:tid 140188617975488] [client 127.0.0.1:41722] AH01114: HTTP: failed to make connection to backend: 127.0.0.1",
    ]
    .map(str::to_owned);
    let (compared, causes) = agree(format, &lines);
    assert_eq!(compared, 2);
    assert_eq!(causes, [Cause::UpstreamRefused; 2]);
    // The once-per-request and once-per-connection lines alone are read too, without a
    // level or a failure.
    for line in [
        "[2026-12-05 21:09:25.044935] [R:PNQoaAFQJDY] Request 0 on C:XVpHaAFQJDY pid:25920 tid:140188617975488",
        "[2026-12-05 21:09:25.044841] [C:XVpHaAFQJDY] remote 127.0.0.1:41722 local 127.0.0.1:19115",
    ] {
        let r = error_record(&Parser::apache_error(), line).unwrap();
        assert_eq!((r.level, r.failure), (None, None), "{line}");
    }
}
