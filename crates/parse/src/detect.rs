//! Choosing the format of an input from its first lines.
//!
//! Every candidate parser reads the sample; the one that reads the most lines cleanly wins
//! (text left after an access format that is not `key=value` pairs, or a client field read
//! loosely from a forwarded-for list, counts against it: `common` loses to `combined` on a
//! combined log though it reads every line). The other parsers of the same kind become
//! fallbacks for the lines further down that the winner cannot read
//! ([`Parser::with_fallbacks`]). Ties are broken, in this order, by
//! 1. how many lines were read at all, then how cleanly,
//! 2. the parsers the caller gave (`--log-format`) before the built-in ones,
//! 3. the content: `%b` logged as `-` for zero bytes and `\"` escapes are Apache; status
//!    499, `\x22`-style upper-case hex escapes and `$upstream_*` fields are nginx,
//! 4. the path: `apache2`, `httpd` → Apache; `nginx` → nginx; `php-fpm`, `php8.2-fpm.log`
//!    → PHP-FPM,
//! 5. how many fields the records have, then the order of the candidates.
//!
//! ```
//! use logscan_parse::{Format, detect::detect};
//!
//! let sample: [&[u8]; 2] = [
//!     br#"10.0.0.7 - - [25/Nov/2026:01:29:10 +0100] "GET /api HTTP/1.1" 502 157 "-" "curl/8.5.0" rt=0.004 uct="0.001" uht="0.004" urt="0.004" ua="127.0.0.1:8080" us="502""#,
//!     br#"10.0.0.7 - - [25/Nov/2026:01:29:11 +0100] "GET / HTTP/1.1" 200 615 "-" "curl/8.5.0" rt=0.000 uct="-" uht="-" urt="-" ua="-" us="-""#,
//! ];
//! let found = detect(&sample, Some("/var/log/nginx/access.log"), &[]).expect("a format");
//! assert_eq!(found.parser.format(), Format::NginxAccess);
//! assert_eq!(found.matched, 2);
//! ```

use std::cmp::Ordering;
use std::sync::OnceLock;

use crate::parser::Parser;
use crate::record::{AccessRecord, Record, Server};

/// The outcome of format detection.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Detection {
    /// The parser that read the sample best, with the other parsers of its kind (access
    /// formats; Apache error layouts) as fallbacks for lines it cannot read.
    pub parser: Parser,
    /// How many sample lines it parsed (continuation lines of a parsed nginx error entry
    /// included).
    pub matched: usize,
    /// How many non-empty sample lines there were.
    pub sampled: usize,
    /// Per non-empty sample line, whether the parser (its own format, without the
    /// fallbacks) read it as the start of an entry.
    read: Vec<bool>,
}

impl Detection {
    /// Per non-empty sample line (the lines [`Detection::sampled`] counts, in order),
    /// whether the chosen parser read it as the start of an entry with its own format:
    /// a line it read, it reads again (so does the parser with its fallbacks). Lets a
    /// caller look at only the other lines without parsing the sample again.
    pub fn read_lines(&self) -> &[bool] {
        &self.read
    }
}

/// The built-in parsers [`detect`] tries after the caller's candidates, in order: nginx
/// error, Apache error, PHP-FPM; nginx `combined`, `combined` with `key=value` upstream
/// timings, the distribution `main` (`combined` + `"$http_x_forwarded_for"`), the
/// ingress-nginx default; Apache `combined`, `common`, `vhost_combined`, `combinedio`,
/// `combined` + `%D`, and the `ssl_request_log` of RHEL's `ssl.conf`. The built-in nginx
/// formats read a forwarded-for list or a virtual host in front of the client address.
/// [`detect`] also tries the edge formats: HAProxy, AWS ALB, CloudFront (with the columns
/// of the sample's `#Fields:` line), Cloudflare Logpush and Google Cloud load balancer logs.
pub fn builtin_parsers() -> Vec<Parser> {
    builtins().to_vec()
}

/// [`builtin_parsers`] without copying them: built once per process (detection runs for
/// every input, and a rotated series is hundreds of small inputs; compiling the ten access
/// formats each time cost more than reading the sample with them).
pub fn builtins() -> &'static [Parser] {
    static BUILTINS: OnceLock<Vec<Parser>> = OnceLock::new();
    BUILTINS.get_or_init(|| {
        let mut parsers = vec![
            Parser::nginx_error(),
            Parser::apache_error(),
            Parser::php_fpm(),
        ];
        parsers.extend(
            crate::access::builtin_access_formats()
                .into_iter()
                .map(Parser::from_access),
        );
        parsers
    })
}

/// The edge parsers [`detect`] tries after [`builtins`], but CloudFront's, whose columns
/// come from the sample: HAProxy, AWS ALB, then (after CloudFront) Cloudflare, Google.
fn edge_builtins() -> &'static [Parser; 4] {
    static EDGE: OnceLock<[Parser; 4]> = OnceLock::new();
    EDGE.get_or_init(|| {
        [
            Parser::haproxy(),
            Parser::aws_alb(),
            Parser::cloudflare(),
            Parser::gcp_lb(),
        ]
    })
}

/// Picks the parser that reads the most of `sample` (the first lines of an input, without
/// line terminators). `path` (the file name, if any) breaks ties such as nginx vs Apache
/// `combined` access logs. `candidates` are extra parsers to try first (user-given
/// `--log-format` strings). `None` if no parser reads any sample line.
pub fn detect(sample: &[&[u8]], path: Option<&str>, candidates: &[Parser]) -> Option<Detection> {
    detect_with(sample, path, candidates, true)
}

/// [`detect`] with every parser reading the whole sample: the same choice (parser,
/// fallbacks, counts and read lines), only slower. [`detect`] stops reading a sample with
/// a parser once it can no longer win or be a fallback of the winner; this is the oracle
/// that the shortcut is checked against (tests, the `detect` fuzz target).
pub fn detect_exhaustive(
    sample: &[&[u8]],
    path: Option<&str>,
    candidates: &[Parser],
) -> Option<Detection> {
    detect_with(sample, path, candidates, false)
}

/// [`detect`], reading the sample with the access formats and the parsers of a kind of
/// their own only as far as it can matter (`cut`; see [`access_cutoff`]) or to the end
/// ([`detect_exhaustive`]; the tests and the fuzz target check that both choose alike).
fn detect_with(
    sample: &[&[u8]],
    path: Option<&str>,
    candidates: &[Parser],
    cut: bool,
) -> Option<Detection> {
    let lines: Vec<&[u8]> = sample
        .iter()
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line))
        .filter(|line| !line.trim_ascii().is_empty())
        .collect();
    if lines.is_empty() {
        return None;
    }
    let cloudfront = Parser::cloudfront_for(&lines);
    let [haproxy, alb, cloudflare, gcp] = edge_builtins();
    let builtins = builtins()
        .iter()
        .chain([haproxy, alb, &cloudfront, cloudflare, gcp]);
    let parsers: Vec<(usize, &Parser, bool)> = candidates
        .iter()
        .map(|parser| (parser, true))
        .chain(builtins.map(|parser| (parser, false)))
        .enumerate()
        .map(|(order, (parser, candidate))| (order, parser, candidate))
        .collect();
    let is_access = |parser: &Parser| parser.access_format().is_some();
    // What the fallbacks of a winner are chosen by: access formats, else the format.
    let kind = |p: &Parser| (p.access_format().is_some(), p.format());
    // The other parsers first: what they read says how many lines an access format must
    // read to matter at all. One whose kind no other parser has (nginx error, PHP-FPM, each
    // edge format; not Apache error with a user's `ErrorLogFormat`) matters only if it
    // wins: it stops once it cannot read as many lines cleanly as the best before it
    // (its score then stays below that best, and it is nobody's fallback, which are of the
    // winner's kind). The others, and every parser without `cut`, read to the end.
    let mut scores: Vec<Score<'_>> = Vec::with_capacity(parsers.len());
    let mut best_clean = 0;
    for &(order, parser, candidate) in parsers.iter().filter(|(_, p, _)| !is_access(p)) {
        let alone = || {
            parsers
                .iter()
                .filter(|(_, other, _)| kind(other) == kind(parser))
                .count()
                == 1
        };
        let cutoff = (cut && best_clean > 0 && alone()).then_some(best_clean);
        let score = score(parser, candidate, order, &lines, cutoff);
        if score.clean() >= best_clean {
            best_clean = score.clean();
        }
        scores.push(score);
    }
    let cutoff = access_cutoff(&scores).filter(|_| cut);
    let score_access = |cutoff: Option<usize>| {
        parsers
            .iter()
            .filter(|(_, parser, _)| is_access(parser))
            .map(|&(order, parser, candidate)| score(parser, candidate, order, &lines, cutoff))
            .collect::<Vec<_>>()
    };
    let mut access = score_access(cutoff);
    if let Some(cutoff) = cutoff {
        if access.iter().any(|s| s.clean() >= cutoff) {
            // An access format reads as much as the others' best: every score counts.
            access = score_access(None);
        }
    }
    scores.extend(access);
    let content = content_vote(&lines, &scores);
    let hint = path.and_then(path_hint);
    for score in &mut scores {
        let server = score.parser.format().server();
        score.content = agreement(content, server);
        score.path = agreement(hint, server);
    }
    scores.sort_by(|a, b| b.cmp(a));
    let best = scores.first()?;
    if best.matched == 0 {
        return None;
    }
    // Lines further down may be in another format of the same kind (`common` among
    // `combined`, a startup line before the `ErrorLogFormat` took effect): the others are
    // fallbacks, best first.
    let fallbacks: Vec<Parser> = scores
        .iter()
        .skip(1)
        .filter(|s| {
            if best.parser.access_format().is_some() {
                s.parser.access_format().is_some()
            } else {
                kind(s.parser) == kind(best.parser)
            }
        })
        .map(|s| s.parser.clone())
        .collect();
    Some(Detection {
        parser: best
            .parser
            .clone()
            .with_fallbacks(fallbacks, best.junk_lines == 0),
        matched: best.matched,
        sampled: lines.len(),
        read: best.read.clone(),
    })
}

/// How one parser read the sample.
struct Score<'p> {
    parser: &'p Parser,
    candidate: bool,
    order: usize,
    matched: usize,
    /// Lines with words after the access format that are not `key=value` pairs.
    junk_lines: usize,
    /// Lines read only with words left over or a loosely read client field.
    loose_lines: usize,
    /// Fields set in the access records.
    typed: usize,
    /// Signs of the server in the records: (nginx, Apache).
    signs: (usize, usize),
    /// Per line read (all of them, unless a cutoff stopped it), whether it was read as the
    /// start of an entry.
    read: Vec<bool>,
    content: i8,
    path: i8,
}

impl Score<'_> {
    /// Lines read with nothing left over.
    fn clean(&self) -> usize {
        self.matched.saturating_sub(self.loose_lines)
    }

    fn cmp(&self, other: &Score<'_>) -> Ordering {
        self.clean()
            .cmp(&other.clean())
            .then(self.matched.cmp(&other.matched))
            .then(other.junk_lines.cmp(&self.junk_lines))
            .then(self.candidate.cmp(&other.candidate))
            .then(self.content.cmp(&other.content))
            .then(self.path.cmp(&other.path))
            .then(self.typed.cmp(&other.typed))
            .then(other.order.cmp(&self.order))
    }
}

/// How many lines an access format must read cleanly to matter, when it is known before
/// reading the sample with the access formats: the most lines the other parsers read
/// cleanly, if those that read that many (and as many lines in all, with as few words left
/// over, given by the user or not alike) are all of one server. An access format that
/// reads fewer can neither win nor be a fallback of the winner (fallbacks are of the
/// winner's kind), and the content vote it takes part in only breaks ties between
/// parsers of different servers, which the winner then has none of: its reading of the
/// sample can stop as soon as it cannot reach the cutoff, with the same outcome.
fn access_cutoff(others: &[Score<'_>]) -> Option<usize> {
    let key = |s: &Score<'_>| {
        (
            s.clean(),
            s.matched,
            std::cmp::Reverse(s.junk_lines),
            s.candidate,
        )
    };
    let top = others.iter().map(key).max()?;
    let mut servers = others
        .iter()
        .filter(|s| key(s) == top)
        .map(|s| s.parser.format().server());
    let server = servers.next()?;
    (top.0 > 0 && servers.all(|s| s == server)).then_some(top.0)
}

/// How `parser` reads `lines`. With a `cutoff`, reading stops once the parser can no
/// longer read that many lines (its score is then short, and below the cutoff).
fn score<'p>(
    parser: &'p Parser,
    candidate: bool,
    order: usize,
    lines: &[&[u8]],
    cutoff: Option<usize>,
) -> Score<'p> {
    let mut score = Score {
        parser,
        candidate,
        order,
        matched: 0,
        junk_lines: 0,
        loose_lines: 0,
        typed: 0,
        signs: (0, 0),
        read: Vec::with_capacity(lines.len()),
        content: 0,
        path: 0,
    };
    let access = parser.access_format();
    // Whether the entry the current line continues was parsed (a sample may start inside
    // an entry: such lines count for the parser).
    let mut entry_ok = true;
    let mut entries_parsed = 0usize;
    for (read, &line) in lines.iter().enumerate() {
        if cutoff.is_some_and(|cutoff| score.matched + (lines.len() - read) < cutoff) {
            break;
        }
        if !parser.starts_entry(line) {
            if entry_ok {
                score.matched += 1;
            }
            score.read.push(false);
            continue;
        }
        entry_ok = match access {
            Some(access) => match access.parse_quality(line) {
                Ok((record, quality)) => {
                    score.junk_lines += usize::from(quality.junk > 0);
                    score.loose_lines += usize::from(quality.junk > 0 || quality.loose);
                    score.typed += typed_fields(&record);
                    if quality.dash_bytes {
                        score.signs.1 += 1;
                    }
                    if record.status == Some(499) || !record.upstream.is_empty() {
                        score.signs.0 += 1;
                    }
                    true
                }
                Err(_) => false,
            },
            None => match parser.parse(line) {
                Ok(Record::Access(record)) => {
                    score.typed += typed_fields(&record);
                    true
                }
                Ok(Record::Error(_) | Record::Edge(_)) => true,
                Err(_) => false,
            },
        };
        if entry_ok {
            score.matched += 1;
            entries_parsed += 1;
        }
        score.read.push(entry_ok);
    }
    // Continuation lines only count when the parser read at least one entry: a sample of
    // lines that never start an entry (an access log, for the nginx error parser) is not a
    // match.
    if entries_parsed == 0 {
        score.matched = 0;
    }
    score
}

fn typed_fields(r: &AccessRecord<'_>) -> usize {
    [
        r.time.is_some(),
        r.client.is_some(),
        r.user.is_some(),
        r.request.is_some(),
        r.method.is_some(),
        r.target.is_some(),
        r.protocol.is_some(),
        r.status.is_some(),
        r.bytes_sent.is_some(),
        r.referer.is_some(),
        r.user_agent.is_some(),
        r.host.is_some(),
        r.request_time_us.is_some(),
        r.upstream.addr.is_some(),
        r.upstream.status.is_some(),
        r.upstream.response_time.is_some(),
        r.upstream.connect_time.is_some(),
        r.upstream.header_time.is_some(),
        r.upstream.response_length.is_some(),
        r.connection.is_some(),
        r.request_id.is_some(),
        r.trace_id.is_some(),
        r.upstream_name.is_some(),
    ]
    .into_iter()
    .filter(|&set| set)
    .count()
}

/// Which server the sample's content points to, if any.
fn content_vote(lines: &[&[u8]], scores: &[Score<'_>]) -> Option<Server> {
    let (mut nginx, mut apache) = (0usize, 0usize);
    for &line in lines {
        let mut rest = line;
        while let Some(at) = memchr::memchr(b'\\', rest) {
            let after = rest.get(at + 1..).unwrap_or_default();
            match after {
                // Apache escapes `"` as `\"`; nginx writes `\x22`.
                [b'"', ..] => apache += 1,
                [b'x', a, b, ..] if a.is_ascii_hexdigit() && b.is_ascii_hexdigit() => {
                    // nginx: upper-case hex (`\x5C`); Apache: lower-case (`\x5c`).
                    if a.is_ascii_uppercase() || b.is_ascii_uppercase() {
                        nginx += 1;
                    } else if a.is_ascii_lowercase() || b.is_ascii_lowercase() {
                        apache += 1;
                    } else if [*a, *b] == *b"22" {
                        nginx += 1;
                    }
                }
                _ => {}
            }
            rest = after.get(1..).unwrap_or_default();
        }
    }
    // Record signs, from the best-fitting access parser of each server.
    for server in [Server::Nginx, Server::Apache] {
        if let Some(best) = scores
            .iter()
            .filter(|s| s.parser.access_format().is_some() && s.parser.format().server() == server)
            .max_by(|a, b| {
                a.matched
                    .cmp(&b.matched)
                    .then(b.junk_lines.cmp(&a.junk_lines))
            })
        {
            nginx += best.signs.0;
            apache += best.signs.1;
        }
    }
    match nginx.cmp(&apache) {
        Ordering::Greater => Some(Server::Nginx),
        Ordering::Less => Some(Server::Apache),
        Ordering::Equal => None,
    }
}

fn agreement(hint: Option<Server>, server: Server) -> i8 {
    match hint {
        Some(hint) if hint == server => 1,
        Some(_) => -1,
        None => 0,
    }
}

/// The server a path points to: `/var/log/apache2/`, `/var/log/httpd/`, `/var/log/nginx/`,
/// `php-fpm.log`, `php8.2-fpm.log`.
fn path_hint(path: &str) -> Option<Server> {
    let lower = path.to_ascii_lowercase();
    let file = lower.rsplit(['/', '\\']).next().unwrap_or_default();
    if lower.contains("php-fpm") || (file.starts_with("php") && file.contains("-fpm")) {
        Some(Server::PhpFpm)
    } else if lower.contains("apache") || lower.contains("httpd") {
        Some(Server::Apache)
    } else if lower.contains("nginx") || lower.contains("ingress") {
        Some(Server::Nginx)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Format;

    fn access(parser: &Parser, line: &str) -> AccessRecord<'static> {
        let line: &'static [u8] = Box::leak(line.as_bytes().to_vec().into_boxed_slice());
        match parser.parse(line) {
            Ok(Record::Access(r)) => r,
            other => panic!("{}: {other:?}", String::from_utf8_lossy(line)),
        }
    }

    const COMBINED_LINE: &str = r#"10.0.0.1 - - [13/Nov/2023:10:44:31 +0000] "GET /a HTTP/1.1" 200 483 "https://r/" "curl/8""#;
    const COMMON_LINE: &str =
        r#"10.0.0.9 - - [13/Nov/2023:10:44:31 +0000] "GET /c HTTP/1.1" 200 483"#;

    #[test]
    fn combined_with_a_few_common_lines_keeps_the_user_agents() {
        // `common` reads every line, but leaves the referrer and user agent of the combined
        // ones over: the format that reads most lines cleanly wins, the rest fall back.
        let mut sample = vec![COMBINED_LINE.as_bytes(); 10];
        sample.push(COMMON_LINE.as_bytes());
        let found = detect(&sample, Some("/var/log/apache2/access.log"), &[]).unwrap();
        assert_eq!(
            found.matched, 10,
            "the winner reads the combined lines; a fallback the other"
        );
        let r = access(&found.parser, COMBINED_LINE);
        assert_eq!(r.user_agent, Some(&b"curl/8"[..]));
        assert_eq!(r.referer, Some(&b"https://r/"[..]));
        assert_eq!(
            access(&found.parser, COMMON_LINE).client,
            Some(&b"10.0.0.9"[..])
        );
        // The same with the user's own `combined` string.
        let given = Parser::apache_access("combined").unwrap();
        let found = detect(&sample, None, &[given]).unwrap();
        assert_eq!(found.parser.format_string(), Some("combined"));
        assert_eq!(
            access(&found.parser, COMBINED_LINE).user_agent,
            Some(&b"curl/8"[..])
        );
        assert_eq!(access(&found.parser, COMMON_LINE).status, Some(200));
    }

    #[test]
    fn combined_lines_after_a_common_sample_are_read_whole() {
        let sample = vec![COMMON_LINE.as_bytes(); 5];
        let found = detect(&sample, Some("/var/log/httpd/access_log"), &[]).unwrap();
        assert_eq!(found.parser.format(), Format::ApacheAccess);
        assert_eq!(access(&found.parser, COMMON_LINE).user_agent, None);
        // Further down, a combined line: read by the format that leaves nothing over.
        let r = access(&found.parser, COMBINED_LINE);
        assert_eq!(r.user_agent, Some(&b"curl/8"[..]));
        // A line no format reads is still an error.
        assert!(found.parser.parse(b"garbage here").is_err());
    }

    #[test]
    fn leftovers_are_not_retried_when_the_sample_always_has_them() {
        // Every line has a positional extra no built-in names: the best reader keeps it as
        // leftovers, and no fallback is asked line after line.
        let line = r#"10.0.0.1 - - [13/Nov/2023:10:44:31 +0000] "GET /a HTTP/1.1" 200 483 "-" "curl/8" 0.123 extra"#;
        let found = detect(&[line.as_bytes(); 4], None, &[]).unwrap();
        let r = access(&found.parser, line);
        assert_eq!(r.status, Some(200));
        assert_eq!(r.user_agent, Some(&b"curl/8"[..]));
    }

    #[test]
    fn vhost_combined_stays_apache_though_nginx_reads_it_loosely() {
        let line = r#"shop.example:443 203.0.113.9 - - [25/Nov/2026:01:29:10 +0100] "GET / HTTP/1.1" 200 5 "-" "curl/8""#;
        let found = detect(&[line.as_bytes(); 3], None, &[]).unwrap();
        assert_eq!(found.parser.format(), Format::ApacheAccess);
        assert_eq!(
            found.parser.format_string(),
            Some(crate::access::VHOST_COMBINED_SOURCE)
        );
    }

    #[test]
    fn forwarded_for_lists_and_virtual_hosts_in_front_of_combined() {
        // Layouts Filebeat's nginx module documents: an X-Forwarded-For list, quoted or
        // not, before or instead of `$remote_addr`, and the virtual host in front.
        let lines = [
            r#"10.0.0.2, 10.0.0.1, 81.2.69.143 - - [07/Dec/2016:11:05:07 +0100] "GET /ocelot HTTP/1.1" 200 571 "-" "Mozilla/5.0""#,
            r#""10.5.102.222, 175.16.199.1, 204.246.1.1" 10.2.1.185 - - [22/Jan/2016:13:18:29 +0000] "GET /assets/x?q=100 HTTP/1.1" 200 25507 "-" "Amazon CloudFront""#,
            r#"example.com 172.17.0.1 - - [29/May/2017:19:02:48 +0000] "GET /stringpatch HTTP/1.1" 404 612 "-" "Mozilla/5.0" "-""#,
            r#"172.17.0.1 - - [29/May/2017:19:02:48 +0000] "GET /x HTTP/1.1" 404 612 "-" "Mozilla/5.0""#,
        ];
        let sample: Vec<&[u8]> = lines.iter().map(|l| l.as_bytes()).collect();
        let found = detect(&sample, Some("/var/log/nginx/access.log"), &[]).unwrap();
        assert_eq!(found.matched, 4);
        assert_eq!(found.parser.format(), Format::NginxAccess);
        let clients: Vec<_> = lines
            .iter()
            .map(|l| access(&found.parser, l).client)
            .collect();
        assert_eq!(
            clients,
            [
                Some(&b"81.2.69.143"[..]),
                Some(&b"175.16.199.1"[..]),
                Some(&b"172.17.0.1"[..]),
                Some(&b"172.17.0.1"[..]),
            ]
        );
        assert_eq!(
            access(&found.parser, lines[2]).host,
            Some(&b"example.com"[..])
        );
        assert_eq!(access(&found.parser, lines[1]).status, Some(200));
    }

    #[test]
    fn ssl_request_log() {
        let line = r#"[07/Mar/2004:16:10:42 -0800] 10.0.0.5 TLSv1.3 TLS_AES_256_GCM_SHA384 "GET /secure HTTP/1.1" 1024"#;
        let found = detect(
            &[line.as_bytes()],
            Some("/var/log/httpd/ssl_request_log"),
            &[],
        )
        .unwrap();
        assert_eq!(found.parser.format(), Format::ApacheAccess);
        let r = access(&found.parser, line);
        assert_eq!(r.client, Some(&b"10.0.0.5"[..]));
        assert_eq!(r.target, Some(&b"/secure"[..]));
        assert_eq!(r.bytes_sent, Some(1024));
    }

    #[test]
    fn path_hints() {
        assert_eq!(
            path_hint("/var/log/apache2/access.log"),
            Some(Server::Apache)
        );
        assert_eq!(path_hint("/var/log/httpd/access_log"), Some(Server::Apache));
        assert_eq!(
            path_hint("/var/log/nginx/access.log.1"),
            Some(Server::Nginx)
        );
        assert_eq!(path_hint("/var/log/php8.2-fpm.log"), Some(Server::PhpFpm));
        assert_eq!(
            path_hint("/var/log/php-fpm/error.log"),
            Some(Server::PhpFpm)
        );
        assert_eq!(path_hint("/srv/logs/access.log"), None);
    }

    /// The first 64 lines of every fixture log (`fixtures/**/*.log`), read once.
    fn fixture_heads() -> &'static [Vec<Vec<u8>>] {
        fn logs(dir: &std::path::Path, out: &mut Vec<Vec<u8>>) {
            let Ok(entries) = std::fs::read_dir(dir) else {
                return;
            };
            let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
            paths.sort();
            for path in paths {
                if path.is_dir() {
                    logs(&path, out);
                } else if path.extension().is_some_and(|e| e == "log") {
                    out.push(std::fs::read(&path).unwrap());
                }
            }
        }
        static HEADS: OnceLock<Vec<Vec<Vec<u8>>>> = OnceLock::new();
        HEADS.get_or_init(|| {
            let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
            let mut files = Vec::new();
            logs(&fixtures, &mut files);
            files
                .iter()
                .map(|f| {
                    f.split(|&b| b == b'\n')
                        .take(64)
                        .map(<[u8]>::to_vec)
                        .collect::<Vec<_>>()
                })
                .filter(|h| h.iter().any(|l| !l.trim_ascii().is_empty()))
                .collect()
        })
    }

    /// Detection with the access cutoff chooses what reading every sample line with
    /// every parser chooses: the same parser and fallbacks, counts, lines read, and the
    /// same record for every sample line.
    fn assert_same_choice(sample: &[&[u8]], candidates: &[Parser]) {
        let cut = detect(sample, Some("x.log"), candidates);
        let full = detect_exhaustive(sample, Some("x.log"), candidates);
        match (cut, full) {
            (None, None) => {}
            (Some(cut), Some(full)) => {
                assert_eq!(format!("{:?}", cut.parser), format!("{:?}", full.parser));
                assert_eq!((cut.matched, cut.sampled), (full.matched, full.sampled));
                assert_eq!(cut.read_lines(), full.read_lines());
                for line in sample {
                    assert_eq!(
                        format!("{:?}", cut.parser.parse(line)),
                        format!("{:?}", full.parser.parse(line))
                    );
                }
            }
            (cut, full) => panic!("{cut:?} / {full:?}"),
        }
    }

    /// Detection that stops reading the sample with an access format once it cannot
    /// matter chooses what reading it to the end chooses: the same parser, fallbacks and
    /// counts, on every fixture log's first lines, and on pairs of them one after the other
    /// and interleaved (error and access lines of one server, of two servers).
    #[test]
    fn the_access_cutoff_changes_no_choice() {
        let heads: Vec<Vec<&[u8]>> = fixture_heads()
            .iter()
            .map(|h| h.iter().map(Vec::as_slice).collect())
            .collect();
        assert!(heads.len() > 50, "{} fixture logs", heads.len());
        let same = |sample: &[&[u8]]| assert_same_choice(sample, &[]);
        let mut tried = 0;
        for (i, a) in heads.iter().enumerate() {
            same(a);
            // Pairs with a few other logs (every log is paired with its neighbours, which
            // in the fixture tree are the other logs of the same scenario).
            for b in heads.iter().skip(i + 1).take(4) {
                let after: Vec<&[u8]> = a
                    .iter()
                    .take(32)
                    .chain(b.iter().take(32))
                    .copied()
                    .collect();
                let mixed: Vec<&[u8]> = a
                    .iter()
                    .zip(b.iter())
                    .flat_map(|(x, y)| [*x, *y])
                    .take(64)
                    .collect();
                same(&after);
                same(&mixed);
                tried += 2;
            }
        }
        assert!(tried > 100);
    }

    /// One change to a sample: what real logs do to their first lines (a line cut short,
    /// a stray byte, a line of another log, a line lost or doubled).
    #[derive(Clone, Debug)]
    enum Mutation {
        /// Truncate line `line` to `at` bytes (modulo its length).
        Cut { line: usize, at: usize },
        /// Replace byte `at` of line `line` (modulo) with `byte`.
        Byte { line: usize, at: usize, byte: u8 },
        /// Insert byte `byte` at `at` in line `line` (modulo).
        Insert { line: usize, at: usize, byte: u8 },
        /// Drop line `line`.
        Drop { line: usize },
        /// Repeat line `line` after itself.
        Repeat { line: usize },
        /// Put line `from` of fixture log `log` before line `line`.
        Splice {
            line: usize,
            log: usize,
            from: usize,
        },
    }

    fn mutation() -> impl proptest::strategy::Strategy<Value = Mutation> {
        use proptest::prelude::*;
        let n = 0..64usize;
        prop_oneof![
            (n.clone(), 0..400usize).prop_map(|(line, at)| Mutation::Cut { line, at }),
            (n.clone(), 0..400usize, any::<u8>()).prop_map(|(line, at, byte)| Mutation::Byte {
                line,
                at,
                byte
            }),
            (n.clone(), 0..400usize, any::<u8>()).prop_map(|(line, at, byte)| Mutation::Insert {
                line,
                at,
                byte
            }),
            n.clone().prop_map(|line| Mutation::Drop { line }),
            n.clone().prop_map(|line| Mutation::Repeat { line }),
            (n.clone(), 0..10_000usize, n).prop_map(|(line, log, from)| Mutation::Splice {
                line,
                log,
                from
            }),
        ]
    }

    fn mutate(sample: &mut Vec<Vec<u8>>, change: &Mutation, heads: &[Vec<Vec<u8>>]) {
        if sample.is_empty() {
            return;
        }
        let len = sample.len();
        match *change {
            Mutation::Cut { line, at } => {
                let l = &mut sample[line % len];
                l.truncate(at % (l.len() + 1));
            }
            Mutation::Byte { line, at, byte } => {
                let l = &mut sample[line % len];
                if !l.is_empty() {
                    let at = at % l.len();
                    l[at] = byte;
                }
            }
            Mutation::Insert { line, at, byte } => {
                let l = &mut sample[line % len];
                l.insert(at % (l.len() + 1), byte);
            }
            Mutation::Drop { line } => {
                sample.remove(line % len);
            }
            Mutation::Repeat { line } => {
                let l = sample[line % len].clone();
                sample.insert(line % len, l);
            }
            Mutation::Splice { line, log, from } => {
                let other = &heads[log % heads.len()];
                let l = other[from % other.len()].clone();
                sample.insert(line % len, l);
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(400))]

        /// The cutoff's equality on fixture samples changed the way logs get damaged:
        /// lines cut, bytes replaced or added, lines lost, doubled, or taken from another
        /// log; with and without a user-given format among the candidates.
        #[test]
        fn the_access_cutoff_changes_no_choice_on_mutated_samples(
            log in 0..10_000usize,
            changes in proptest::collection::vec(mutation(), 1..8),
            with_candidate in proptest::prelude::any::<bool>(),
        ) {
            let heads = fixture_heads();
            proptest::prop_assume!(!heads.is_empty());
            let mut sample = heads[log % heads.len()].clone();
            for change in &changes {
                mutate(&mut sample, change, heads);
            }
            sample.truncate(64);
            let lines: Vec<&[u8]> = sample.iter().map(Vec::as_slice).collect();
            let candidates: Vec<Parser> = if with_candidate {
                vec![Parser::apache_access(r#"%h %l %u %t "%r" %>s %b"#).unwrap()]
            } else {
                Vec::new()
            };
            assert_same_choice(&lines, &candidates);
        }
    }
}
