//! [`Parser`]: one configured log format, turning entries into [`Record`]s.

use std::fmt;

use crate::access::{AccessFormat, Probe, Quality};
use crate::apache_error::ErrorLogFormat;
use crate::edge::cloudfront::Columns;
use crate::edge::{alb, cloudflare, cloudfront, gcp, haproxy};
use crate::error::{FormatError, ParseError};
use crate::record::{AccessRecord, ErrorRecord, Format, Record};
use crate::{apache_error, fpm, nginx_error};

/// A parser for one log format.
///
/// Cheap to clone, `Send + Sync`, and stateless: [`Parser::parse`] takes `&self`, so one
/// parser can serve many threads. Records borrow from the bytes given to `parse`.
///
/// ```
/// use logscan_parse::{Cause, Parser, Record};
///
/// let parser = Parser::nginx_error();
/// let line = b"2026/11/25 01:27:19 [error] 812#812: *31 connect() failed (111: Connection refused) while connecting to upstream, client: 127.0.0.1, server: localhost, request: \"GET /api/items HTTP/1.1\", upstream: \"http://127.0.0.1:19020/api/items\", host: \"localhost\"";
/// let Ok(Record::Error(record)) = parser.parse(line) else { panic!("not an error record") };
/// let failure = record.failure.expect("an upstream failure");
/// assert_eq!(failure.cause, Cause::UpstreamRefused);
/// assert_eq!(failure.peer, Some(&b"127.0.0.1:19020"[..]));
/// assert_eq!(record.request, Some(&b"GET /api/items HTTP/1.1"[..]));
/// ```
#[derive(Clone)]
pub struct Parser {
    kind: Kind,
}

#[derive(Clone)]
enum Kind {
    NginxError,
    ApacheError,
    ApacheErrorCustom(Box<ErrorLogFormat>),
    PhpFpm,
    Access(Box<AccessFormat>),
    Chain(Box<Chain>),
    Haproxy,
    AwsAlb,
    CloudFront(Box<Columns>),
    Cloudflare,
    GcpLb,
}

/// A parser with others to try on the lines it cannot read (see [`Parser::with_fallbacks`]).
#[derive(Clone)]
struct Chain {
    primary: Parser,
    fallbacks: Box<[Parser]>,
    /// Also try the fallbacks on access lines the primary reads with words left over
    /// after its format (a `combined` line in a log read as `common`).
    retry_leftovers: bool,
    /// A byte every parser of the chain needs a line to hold (see [`Parser::may_read`]),
    /// when all are access formats and share one: a line without it is turned down by
    /// one question instead of one a parser (the nginx access formats asked about each
    /// continuation line of an nginx error log all need `[`).
    shared_need: Option<u8>,
}

impl Parser {
    /// nginx `error_log` (any nginx version; glibc, musl and BSD errno texts).
    pub fn nginx_error() -> Parser {
        Parser {
            kind: Kind::NginxError,
        }
    }

    /// Apache httpd error log in the default layout of 2.4 (threaded or prefork, with or
    /// without module, AH code, client and status parts) or of 2.2. The leading time may
    /// also be in the compact ISO 8601 form of `ErrorLogFormat "[%{cu}t] ..."`
    /// (`2026-11-25 01:29:10.123456`, with or without microseconds and ` +hhmm`).
    pub fn apache_error() -> Parser {
        Parser {
            kind: Kind::ApacheError,
        }
    }

    /// Apache httpd error log written with a custom `ErrorLogFormat` string, e.g.
    /// `"[%{cu}t] [%-m:%l] [pid %P] %F: %E: [client %a] %M"`.
    pub fn apache_error_format(error_log_format: &str) -> Result<Parser, FormatError> {
        Ok(Parser {
            kind: Kind::ApacheErrorCustom(Box::new(ErrorLogFormat::compile(error_log_format)?)),
        })
    }

    /// The PHP-FPM master log (`[25-Nov-2026 01:29:10] WARNING: [pool www] ...`).
    pub fn php_fpm() -> Parser {
        Parser { kind: Kind::PhpFpm }
    }

    /// nginx access log written with the given `log_format` string (the part after the
    /// name; quotes from nginx.conf may be left on or taken off). `combined` is accepted as a
    /// name.
    ///
    /// Text after the end of the format is read as `key=value` pairs (`rt=0.004
    /// urt="0.004" ua="..." us="..."`), so `combined` also types the timing fields many
    /// sites append.
    ///
    /// ```
    /// use logscan_parse::{Parser, Record};
    ///
    /// let parser = Parser::nginx_access(
    ///     r#"'$remote_addr [$time_local] "$request" $status $request_time '
    ///        '$upstream_addr $upstream_status $upstream_response_time'"#,
    /// )?;
    /// let line = br#"10.0.0.7 [25/Nov/2026:01:29:10 +0100] "GET /api HTTP/1.1" 502 3.004 10.0.0.5:80, 10.0.0.6:80 504, 502 3.001, 0.003"#;
    /// let Ok(Record::Access(r)) = parser.parse(line) else { panic!("no access record") };
    /// assert_eq!(r.status, Some(502));
    /// assert_eq!(r.target, Some(&b"/api"[..]));
    /// assert_eq!(r.request_time_us, Some(3_004_000));
    /// assert_eq!(r.upstream.tries(), 2);
    /// assert_eq!(r.upstream.statuses().collect::<Vec<_>>(), [Some(504), Some(502)]);
    /// assert_eq!(r.time.unwrap().to_string(), "2026-11-25T01:29:10+01:00");
    /// # Ok::<(), logscan_parse::FormatError>(())
    /// ```
    pub fn nginx_access(log_format: &str) -> Result<Parser, FormatError> {
        Ok(Parser::from_access(AccessFormat::nginx(log_format)?))
    }

    /// nginx access log in the predefined `combined` format.
    pub fn nginx_combined() -> Parser {
        Parser::from_access(AccessFormat::nginx_combined())
    }

    /// The default access log format of the Kubernetes ingress-nginx controller
    /// (`log-format-upstream`).
    pub fn ingress_nginx() -> Parser {
        Parser::from_access(AccessFormat::ingress_nginx())
    }

    /// Apache access log written with the given `LogFormat` string; the nicknames `common`,
    /// `combined`, `combinedio` and `vhost_combined` are accepted too. The string may be
    /// given as in httpd.conf (`\"%r\"`, even the whole `LogFormat "..." name` line).
    ///
    /// ```
    /// use logscan_parse::{Parser, Record};
    ///
    /// let parser = Parser::apache_access(r#"%h %l %u %t \"%r\" %>s %b %D"#)?;
    /// let line = br#"10.0.0.7 - - [25/Nov/2026:01:29:10 +0100] "GET /a HTTP/1.1" 503 - 60012345"#;
    /// let Ok(Record::Access(r)) = parser.parse(line) else { panic!("no access record") };
    /// assert_eq!(r.status, Some(503));
    /// assert_eq!(r.bytes_sent, None); // `%b` writes `-` for no body
    /// assert_eq!(r.request_time_us, Some(60_012_345));
    /// assert!(r.time_is_start); // Apache `%t` is when the request started
    /// # Ok::<(), logscan_parse::FormatError>(())
    /// ```
    pub fn apache_access(log_format: &str) -> Result<Parser, FormatError> {
        Ok(Parser::from_access(AccessFormat::apache(log_format)?))
    }

    /// An access log format in either syntax: nginx (`$remote_addr ...`) or Apache
    /// (`%h %l ...`), told apart by the variables it uses.
    pub fn access(log_format: &str) -> Result<Parser, FormatError> {
        Ok(Parser::from_access(AccessFormat::detect_syntax(
            log_format,
        )?))
    }

    /// HAProxy's HTTP log (`option httplog`), bare (`log stdout format raw`) or in a syslog
    /// line (`<134>Feb  6 12:14:14 haproxy[14389]: ...`, rsyslog's files, RFC 5424).
    ///
    /// ```
    /// use logscan_parse::{Cause, Parser, Record};
    ///
    /// let line = br#"Nov 25 01:27:19 web1 haproxy[812]: 10.0.1.2:33317 [25/Nov/2026:01:27:09.655] www app/nginx1 0/0/0/-1/10001 504 198 - - sH-- 1/1/0/0/0 0/0 "GET /api/items HTTP/1.1""#;
    /// let Ok(Record::Edge(r)) = Parser::haproxy().parse(line) else { panic!("not HAProxy") };
    /// assert_eq!(r.status, Some(504));
    /// assert_eq!(r.failure.unwrap().cause, Cause::UpstreamTimeoutRead); // `sH`: timeout server
    /// assert_eq!(r.origin, Some(&b"app/nginx1"[..]));
    /// ```
    pub fn haproxy() -> Parser {
        Parser {
            kind: Kind::Haproxy,
        }
    }

    /// AWS Application Load Balancer access logs (fields AWS adds at the end are skipped).
    pub fn aws_alb() -> Parser {
        Parser { kind: Kind::AwsAlb }
    }

    /// CloudFront standard logs in the documented default field order (a file without a
    /// `#Fields:` line). See [`Parser::cloudfront_fields`].
    pub fn cloudfront() -> Parser {
        Parser {
            kind: Kind::CloudFront(Box::default()),
        }
    }

    /// CloudFront standard logs with the columns of a `#Fields: ...` header line; `None`
    /// if `fields_line` is not one (or lacks `date`, `time`, `sc-status`).
    pub fn cloudfront_fields(fields_line: &[u8]) -> Option<Parser> {
        Some(Parser {
            kind: Kind::CloudFront(Box::new(Columns::from_fields_line(fields_line)?)),
        })
    }

    /// CloudFront standard logs with the columns of the first `#Fields:` line among
    /// `sample` (an input's first lines), else the documented default order.
    pub fn cloudfront_for(sample: &[&[u8]]) -> Parser {
        sample
            .iter()
            .find_map(|line| Parser::cloudfront_fields(line.strip_suffix(b"\r").unwrap_or(line)))
            .unwrap_or_else(Parser::cloudfront)
    }

    /// Cloudflare Logpush `http_requests` lines (NDJSON; any `timestamp_format`).
    pub fn cloudflare() -> Parser {
        Parser {
            kind: Kind::Cloudflare,
        }
    }

    /// Google Cloud external Application Load Balancer request logs (one Cloud Logging
    /// entry per line).
    pub fn gcp_lb() -> Parser {
        Parser { kind: Kind::GcpLb }
    }

    /// The built-in default parser for a format family: nginx `combined`, Apache
    /// `combined`, the default error layouts, and the edge formats (CloudFront in its
    /// default field order: see [`Parser::cloudfront_for`]).
    pub fn for_format(format: Format) -> Parser {
        match format {
            Format::NginxError => Parser::nginx_error(),
            Format::ApacheError => Parser::apache_error(),
            Format::PhpFpm => Parser::php_fpm(),
            Format::NginxAccess => Parser::nginx_combined(),
            Format::ApacheAccess => Parser::from_access(AccessFormat::apache_combined()),
            Format::Haproxy => Parser::haproxy(),
            Format::AwsAlb => Parser::aws_alb(),
            Format::CloudFront => Parser::cloudfront(),
            Format::Cloudflare => Parser::cloudflare(),
            Format::GcpLb => Parser::gcp_lb(),
        }
    }

    /// This parser, with `fallbacks` to try in order on the entries it cannot read: a log
    /// that mixes formats (Apache `common` and `combined` lines, lines with and without a
    /// leading virtual host, startup lines written before an `ErrorLogFormat` took effect).
    /// With `retry_leftovers`, the fallbacks are also tried on access lines this parser
    /// reads with words left over after its format, and the first that reads the line
    /// without any wins.
    ///
    /// [`Parser::format`], [`Parser::format_string`] and [`Parser::starts_entry`] are this
    /// parser's; each record says which format read it. Entries this parser reads cleanly
    /// cost nothing extra.
    ///
    /// ```
    /// use logscan_parse::{Parser, Record};
    ///
    /// let common = Parser::apache_access("common")?;
    /// let parser = common.with_fallbacks(vec![Parser::apache_access("combined")?], true);
    /// let line = br#"10.0.0.7 - - [25/Nov/2026:01:29:10 +0100] "GET / HTTP/1.1" 200 5 "-" "curl/8.5.0""#;
    /// let Ok(Record::Access(r)) = parser.parse(line) else { panic!("no access record") };
    /// assert_eq!(r.user_agent, Some(&b"curl/8.5.0"[..]));
    /// # Ok::<(), logscan_parse::FormatError>(())
    /// ```
    pub fn with_fallbacks(self, fallbacks: Vec<Parser>, retry_leftovers: bool) -> Parser {
        let primary = match self.kind {
            Kind::Chain(chain) => chain.primary,
            kind => Parser { kind },
        };
        let fallbacks: Box<[Parser]> = fallbacks
            .into_iter()
            .map(|p| match p.kind {
                Kind::Chain(chain) => chain.primary,
                kind => Parser { kind },
            })
            .collect();
        if fallbacks.is_empty() {
            return primary;
        }
        let shared_need = shared_need(&primary, &fallbacks);
        Parser {
            kind: Kind::Chain(Box::new(Chain {
                primary,
                fallbacks,
                retry_leftovers,
                shared_need,
            })),
        }
    }

    /// The parser itself, without fallbacks.
    fn primary(&self) -> &Parser {
        match &self.kind {
            Kind::Chain(chain) => &chain.primary,
            _ => self,
        }
    }

    /// The compiled access format, for format detection.
    pub(crate) fn access_format(&self) -> Option<&AccessFormat> {
        match &self.primary().kind {
            Kind::Access(access) => Some(access),
            _ => None,
        }
    }

    pub(crate) fn from_access(format: AccessFormat) -> Parser {
        Parser {
            kind: Kind::Access(Box::new(format)),
        }
    }

    /// The format family this parser reads.
    pub fn format(&self) -> Format {
        match &self.primary().kind {
            Kind::NginxError => Format::NginxError,
            Kind::ApacheError | Kind::ApacheErrorCustom(_) => Format::ApacheError,
            Kind::PhpFpm => Format::PhpFpm,
            Kind::Access(access) => access.format(),
            Kind::Chain(chain) => chain.primary.format(),
            Kind::Haproxy => Format::Haproxy,
            Kind::AwsAlb => Format::AwsAlb,
            Kind::CloudFront(_) => Format::CloudFront,
            Kind::Cloudflare => Format::Cloudflare,
            Kind::GcpLb => Format::GcpLb,
        }
    }

    /// The format string this parser was built from, for access logs and custom
    /// `ErrorLogFormat`s.
    pub fn format_string(&self) -> Option<&str> {
        match &self.primary().kind {
            Kind::Access(access) => Some(access.source()),
            Kind::ApacheErrorCustom(custom) => Some(custom.source()),
            _ => None,
        }
    }

    /// Parses one entry: a physical line without its line terminator (a trailing `\r` is
    /// tolerated), or for nginx error logs a line followed by its continuation lines
    /// (joined with `\n`, see [`Parser::starts_entry`]).
    pub fn parse<'a>(&self, entry: &'a [u8]) -> Result<Record<'a>, ParseError> {
        let mut record = Record::Error(ErrorRecord::default());
        self.parse_into(entry, &mut record)?;
        Ok(record)
    }

    /// [`Parser::parse`] into `record`, a slot the caller keeps (its contents on entry do
    /// not matter; after an error it holds no meaningful record). The record, 300 to 400
    /// bytes, is built where it is read: returned by value, it was copied once a line
    /// (~76 instructions), and once more for each parser it passed through (a detected
    /// parser is a chain of the format's readers).
    pub fn parse_into<'a>(
        &self,
        entry: &'a [u8],
        record: &mut Record<'a>,
    ) -> Result<(), ParseError> {
        let entry = entry.strip_suffix(b"\r").unwrap_or(entry);
        match &self.kind {
            Kind::NginxError | Kind::ApacheError | Kind::PhpFpm => {
                *record = Record::Error(ErrorRecord::default());
                if let Record::Error(rec) = record {
                    match self.kind {
                        Kind::NginxError => nginx_error::parse_into(entry, false, rec)?,
                        Kind::PhpFpm => fpm::parse_into(entry, rec)?,
                        _ => apache_error::parse_default_into(entry, rec)?,
                    }
                }
            }
            Kind::ApacheErrorCustom(custom) => *record = Record::Error(custom.parse(entry)?),
            Kind::Access(access) => {
                *record = Record::Access(AccessRecord::default());
                read_access(access, entry, record)?;
            }
            Kind::Chain(chain) => chain.parse_into(entry, record)?,
            Kind::Haproxy => *record = Record::Edge(haproxy::parse(entry)?),
            Kind::AwsAlb => *record = Record::Edge(alb::parse(entry)?),
            Kind::CloudFront(columns) => *record = Record::Edge(cloudfront::parse(entry, columns)?),
            Kind::Cloudflare => *record = Record::Edge(cloudflare::parse(entry)?),
            Kind::GcpLb => *record = Record::Edge(gcp::parse(entry)?),
        }
        Ok(())
    }

    /// [`Parser::parse_into`] for an entry an [`EntryReader`](crate::EntryReader) framed,
    /// with its [`Entry::lines`](crate::Entry::lines): an nginx error entry of one line
    /// (no `\n` in it) is read without looking for its last line's start. The record is the
    /// same as `parse_into`'s for any `lines` that is right: 1 only for bytes with no `\n`.
    /// (`parse_into` itself is left as it was: a shared body moved its inlining of the
    /// access chain, +0.7 % on the access inputs.)
    pub fn parse_entry_into<'a>(
        &self,
        entry: &'a [u8],
        lines: u32,
        record: &mut Record<'a>,
    ) -> Result<(), ParseError> {
        if lines != 1 || !matches!(self.kind, Kind::NginxError) {
            return self.parse_into(entry, record);
        }
        let line = entry.strip_suffix(b"\r").unwrap_or(entry);
        *record = Record::Error(ErrorRecord::default());
        if let Record::Error(rec) = record {
            nginx_error::parse_into(line, true, rec)?;
        }
        Ok(())
    }

    /// Whether [`parse`](Parser::parse) may read `line`: `false` only when it cannot,
    /// because every access format it would try needs a byte the line lacks (a bracket, a
    /// quote of the format's literals); always `true` for the other kinds. A few `memchr`
    /// calls, for asking about lines seldom of this parser's format: the continuation
    /// lines of an nginx error entry (a PHP stack trace) asked whether they are access
    /// lines between its entries.
    ///
    /// ```
    /// use logscan_parse::Parser;
    ///
    /// let access = Parser::nginx_combined();
    /// assert!(!access.may_read(b"#0 /var/www/shop/src/Checkout.php(88): charge(2943)"));
    /// let line = br#"10.0.0.1 - - [25/Nov/2026:00:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "curl""#;
    /// assert!(access.may_read(line) && access.parse(line).is_ok());
    /// ```
    pub fn may_read(&self, line: &[u8]) -> bool {
        self.may_read_probed(&mut Probe::new(line))
    }

    fn may_read_probed(&self, probe: &mut Probe<'_>) -> bool {
        match &self.kind {
            Kind::Access(access) => access.may_read(probe),
            Kind::Chain(chain) => {
                if chain.shared_need.is_some_and(|byte| !probe.holds(byte)) {
                    return false;
                }
                chain.primary.may_read_probed(probe)
                    || chain.fallbacks.iter().any(|p| p.may_read_probed(probe))
            }
            _ => true,
        }
    }

    /// Whether `line` starts a new entry. `false` means it continues the entry before it:
    /// nginx writes FastCGI stderr and some Lua messages with embedded newlines, so the
    /// lines after the first do not begin with a timestamp. Every other format has one
    /// entry per line, so this is always `true` for them.
    pub fn starts_entry(&self, line: &[u8]) -> bool {
        match &self.primary().kind {
            Kind::NginxError => nginx_error::starts_entry(line),
            _ => true,
        }
    }

    /// Whether [`starts_entry`](Parser::starts_entry) is `true` for every line: then each
    /// line is an entry, and a reader need not look at the next line before handing one
    /// over ([`EntryReader::next_line`](crate::EntryReader::next_line)).
    pub fn lines_are_entries(&self) -> bool {
        !matches!(self.primary().kind, Kind::NginxError)
    }
}

/// The first byte the primary needs (see [`Parser::may_read`]) that every fallback needs
/// too, when all are access formats.
fn shared_need(primary: &Parser, fallbacks: &[Parser]) -> Option<u8> {
    fn needs(parser: &Parser) -> Option<&[u8]> {
        match &parser.kind {
            Kind::Access(access) => Some(access.needed_bytes()),
            _ => None,
        }
    }
    let others: Vec<&[u8]> = fallbacks.iter().map(needs).collect::<Option<_>>()?;
    needs(primary)?
        .iter()
        .copied()
        .find(|b| others.iter().all(|o| o.contains(b)))
}

impl Chain {
    /// Reads `entry` into `record` (see [`Parser::parse_into`]): the primary's reading is
    /// built there, and a fallback's replaces it only when it wins.
    fn parse_into<'a>(&self, entry: &'a [u8], record: &mut Record<'a>) -> Result<(), ParseError> {
        let first = match &self.primary.kind {
            Kind::Access(access) if self.retry_leftovers => {
                *record = Record::Access(AccessRecord::default());
                match read_access(access, entry, record) {
                    Ok(quality) if quality.junk == 0 => return Ok(()),
                    Ok(_) => Ok(()),
                    Err(e) => Err(e),
                }
            }
            _ => match self.primary.parse_into(entry, record) {
                Ok(()) => return Ok(()),
                Err(e) => Err(e),
            },
        };
        // The first fallback that reads the entry cleanly wins; else the primary's read
        // with leftovers, else the first fallback's.
        // (`record` holds the primary's reading while `first` is `Ok`: only a clean
        // fallback reading replaces it then.)
        let mut with_leftovers = None;
        for parser in &*self.fallbacks {
            match &parser.kind {
                Kind::Access(access) => {
                    if let Ok((read, quality)) = access.parse_quality(entry) {
                        if quality.junk == 0 {
                            *record = Record::Access(read);
                            return Ok(());
                        }
                        if first.is_err() && with_leftovers.is_none() {
                            with_leftovers = Some(read);
                        }
                    }
                }
                _ if first.is_err() && parser.parse_into(entry, record).is_ok() => {
                    return Ok(());
                }
                _ => {}
            }
        }
        match (first, with_leftovers) {
            (Ok(()), _) => Ok(()),
            (Err(_), Some(read)) => {
                *record = Record::Access(read);
                Ok(())
            }
            (Err(e), None) => Err(e),
        }
    }
}

/// Reads an access line into `record`, a `Record::Access` the caller returns: the record is
/// some 400 bytes, built where it ends up rather than copied there.
fn read_access<'a>(
    access: &AccessFormat,
    entry: &'a [u8],
    record: &mut Record<'a>,
) -> Result<Quality, ParseError> {
    match record {
        Record::Access(rec) => access.parse_into(entry, rec),
        // The callers pass an access record; anything else reads as no line.
        _ => Err(ParseError::new("an access line", 0)),
    }
}

impl fmt::Debug for Parser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Parser");
        d.field("format", &self.format());
        if let Some(source) = self.format_string() {
            d.field("format_string", &source);
        }
        d.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The chain an nginx error log asks about its continuation lines: every built-in
    /// nginx access format.
    fn nginx_access_chain() -> Parser {
        let mut formats = crate::access::builtin_access_formats()
            .into_iter()
            .filter(|f| f.format() == Format::NginxAccess)
            .map(Parser::from_access);
        let primary = formats.next().expect("a built-in nginx access format");
        primary.with_fallbacks(formats.collect(), true)
    }

    #[test]
    fn shared_need_of_the_nginx_access_formats() {
        let Kind::Chain(chain) = &nginx_access_chain().kind else {
            panic!("not a chain")
        };
        assert_eq!(chain.shared_need, Some(b'['));
        let mixed = Parser::nginx_combined().with_fallbacks(vec![Parser::nginx_error()], false);
        let Kind::Chain(chain) = &mixed.kind else {
            panic!("not a chain")
        };
        assert_eq!(chain.shared_need, None);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn a_chain_may_read_what_one_of_its_parsers_may(
            line in proptest::collection::vec(
                prop::sample::select(&b"[]\"-:/. ,|{}0a"[..]),
                0..40,
            ),
        ) {
            let chain = nginx_access_chain();
            let Kind::Chain(parts) = &chain.kind else { panic!("not a chain") };
            let each = parts.primary.may_read(&line)
                || parts.fallbacks.iter().any(|p| p.may_read(&line));
            prop_assert_eq!(chain.may_read(&line), each);
        }
    }
}
