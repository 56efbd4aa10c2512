//! Choosing the parser of an input from its first lines.

use logscan_envelope::{Programs, is_controller_line};
use logscan_parse::detect::{builtins, detect};
use logscan_parse::{Format, ParseError, Parser, Record};

use crate::Envelopes;

/// How the format of each input is chosen: detected from its first lines, or forced, with
/// the access formats and the Apache `ErrorLogFormat` the user gave; and the envelope its
/// lines are in.
#[derive(Clone, Debug, Default)]
pub struct Formats {
    /// A forced format family (`None`: detect per input).
    pub format: Option<Format>,
    /// Access log formats the user gave (nginx `log_format` or Apache `LogFormat`
    /// strings, built), tried before the built-in ones.
    pub access: Vec<Parser>,
    /// An Apache `ErrorLogFormat` the user gave, tried first.
    pub error: Option<Parser>,
    /// How the envelope of each input is chosen (default: found from its first lines).
    pub envelopes: Envelopes,
    /// Whose syslog and journald lines are the server's (the built-in names and the ones
    /// added); the other programs' lines count as `other`.
    pub programs: Programs,
}

/// The parsers chosen for an input: its format's, and the one of the other kind of the
/// same server that may be interleaved with it (nginx error and access lines in one
/// `docker logs` stream; Apache error and access lines).
#[derive(Clone, Debug)]
pub struct Choice {
    /// The parser to read every entry with.
    pub parser: Parser,
    /// The parser of the same server's other log (access for an error log, error for an
    /// access log), tried only on the entries `parser` cannot read and on the lines it
    /// takes for continuation lines, so a single-format log pays nothing for it. `None`
    /// for PHP-FPM, a forced format, or an input whose format was not recognised.
    pub also: Option<Parser>,
    /// `false` when nothing fitted: the input is read with the nginx error parser, its
    /// lines count as unrecognized and reports call its format `unknown`.
    pub detected: bool,
}

impl Choice {
    fn found(parser: Parser) -> Choice {
        Choice {
            parser,
            also: None,
            detected: true,
        }
    }

    /// Whether every line starts an entry ([`Choice::starts_entry`] is then always `true`:
    /// the chosen parser says so first).
    pub fn lines_are_entries(&self) -> bool {
        self.parser.lines_are_entries()
    }

    /// Whether `line` starts an entry: the chosen parser says so, or it says the line
    /// continues an entry but the other kind's parser reads it (an access line after an
    /// nginx error entry is a line of its own, never a continuation).
    /// A klog line of an ingress controller starts an entry too (it is never part of an
    /// nginx error entry).
    #[inline]
    pub fn starts_entry(&self, line: &[u8]) -> bool {
        self.parser.starts_entry(line)
            || self
                .also
                .as_ref()
                .is_some_and(|also| also.may_read(line) && also.parse(line).is_ok())
            || (self.controller_lines() && logscan_envelope::is_klog(line))
    }

    /// Whether an entry neither parser reads is a line the ingress controller wrote
    /// itself (a klog line, its start banner: see
    /// [`is_controller_line`](logscan_envelope::is_controller_line)): then it counts as
    /// another program's line, not as unrecognized. Asked in nginx inputs only, plain or
    /// wrapped: `kubectl logs` of an ingress-nginx pod is a plain stream, and a klog line
    /// can never be an nginx line (those start with a date `YYYY/MM/DD` or a log format's
    /// first field), so the check costs nothing on the lines nginx wrote.
    ///
    /// The entry's first line decides: the lines joined to it (a klog message of several
    /// lines, the banner's lines and its empty lines) are the controller's too.
    #[inline]
    pub fn is_other(&self, entry: &[u8]) -> bool {
        if !self.controller_lines() {
            return false;
        }
        let first = entry.split(|&b| b == b'\n').next().unwrap_or(entry);
        logscan_envelope::is_controller_line(first)
    }

    fn controller_lines(&self) -> bool {
        self.detected
            && matches!(
                self.parser.format(),
                Format::NginxError | Format::NginxAccess
            )
    }

    /// Reads an entry with the chosen parser, else with the other kind's; the chosen
    /// parser's error when neither reads it.
    #[inline]
    pub fn parse<'a>(&self, entry: &'a [u8]) -> Result<Record<'a>, ParseError> {
        self.read_with_either(|parser| parser.parse(entry))
    }

    /// `read` with the chosen parser, else with the other kind's: the chosen parser's error
    /// when neither reads the entry (the one fallback behind every way of reading).
    #[inline(always)]
    fn read_with_either<T>(
        &self,
        mut read: impl FnMut(&Parser) -> Result<T, ParseError>,
    ) -> Result<T, ParseError> {
        match read(&self.parser) {
            Ok(read) => Ok(read),
            Err(e) => match &self.also {
                Some(also) => read(also).map_err(|_| e),
                None => Err(e),
            },
        }
    }

    /// [`Choice::parse`] into `record`, a slot the caller keeps (see
    /// `Parser::parse_into`): the per-entry reading, without copying the record out.
    #[inline]
    pub fn parse_into<'a>(
        &self,
        entry: &'a [u8],
        record: &mut Record<'a>,
    ) -> Result<(), ParseError> {
        self.read_with_either(|parser| parser.parse_into(entry, record))
    }

    /// [`Choice::parse_into`] for an entry the reader framed, with its count of lines
    /// (`Parser::parse_entry_into`: an nginx error line read without a search for its
    /// line breaks).
    #[inline]
    pub fn parse_entry_into<'a>(
        &self,
        entry: &'a [u8],
        lines: u32,
        record: &mut Record<'a>,
    ) -> Result<(), ParseError> {
        self.read_with_either(|parser| parser.parse_entry_into(entry, lines, record))
    }

    /// Whether an entry may have continuation lines: the chosen parser is nginx error's.
    /// (A line continues an entry only when [`starts_entry`](Choice::starts_entry) says
    /// no, and an access parser says every line starts one: in a stream read as an access
    /// log, the nginx error lines among the access lines are read one line each.)
    pub fn may_continue(&self) -> bool {
        self.parser.format() == Format::NginxError
    }

    /// Adds the other kind's parser for an input chosen from `sample`; `read` says, per
    /// non-empty line of it, whether the chosen parser read it (see
    /// [`Detection::read_lines`](logscan_parse::detect::Detection::read_lines); lines past
    /// its end are looked at again).
    fn with_other_kind(mut self, formats: &Formats, sample: &[&[u8]], read: &[bool]) -> Choice {
        let wanted = match self.parser.format() {
            Format::NginxError => Format::NginxAccess,
            Format::NginxAccess => Format::NginxError,
            Format::ApacheError => Format::ApacheAccess,
            Format::ApacheAccess => Format::ApacheError,
            _ => return self, // PHP-FPM and the edge formats: one kind of log each
        };
        let mut candidates: Vec<Parser> = formats
            .error
            .iter()
            .chain(&formats.access)
            .chain(builtins().iter())
            .filter(|p| p.format() == wanted)
            .cloned()
            .collect();
        // The sample's lines the chosen parser does not read decide which goes first
        // (most lines read; ties keep the user's formats, then the built-in order).
        // (A line the chosen parser read as an entry's start it reads again: not parsed
        // twice.)
        let mut read = read.iter();
        let others: Vec<&[u8]> = sample
            .iter()
            .copied()
            .filter(|l| !l.trim_ascii().is_empty())
            .filter(|l| {
                !read.next().is_some_and(|&read| read)
                    && (!self.parser.starts_entry(l) || self.parser.parse(l).is_err())
            })
            .collect();
        let reads = |p: &Parser| others.iter().filter(|l| p.parse(l).is_ok()).count();
        let best = (0..candidates.len()).max_by_key(|&i| (reads(&candidates[i]), usize::MAX - i));
        let Some(best) = best else { return self };
        let first = candidates.remove(best);
        self.also = Some(first.with_fallbacks(candidates, true));
        self
    }
}

impl Formats {
    /// Picks the parser for an input from `sample`, its first lines (without line
    /// terminators), and `display`, its name (which breaks ties, and names the format of an
    /// input that holds only blank lines).
    ///
    /// ```
    /// use logscan_parse::Format;
    /// use logscan_scan::Formats;
    ///
    /// let sample: [&[u8]; 1] = [b"2026/11/25 01:27:19 [error] 812#812: *31 upstream timed out"];
    /// let choice = Formats::default().choose_parser(&sample, "/var/log/nginx/error.log");
    /// assert_eq!(choice.parser.format(), Format::NginxError);
    /// assert!(choice.detected);
    /// let nothing = Formats::default().choose_parser(&[b"hello"], "notes.log");
    /// assert!(!nothing.detected);
    /// ```
    pub fn choose_parser(&self, sample: &[&[u8]], display: &str) -> Choice {
        // An ingress controller's own lines (klog, its start banner) say nothing of the
        // format: choose from nginx's lines. A sample of nothing else (a pod that had no
        // traffic yet) is an ingress-nginx stream: nginx error and access lines.
        let nginx_lines: Vec<&[u8]>;
        let mut sample = sample;
        if self.format.is_none() && sample.iter().any(|l| is_controller_line(l)) {
            nginx_lines = sample
                .iter()
                .copied()
                .filter(|l| !is_controller_line(l))
                .collect();
            if nginx_lines.iter().all(|l| l.trim_ascii().is_empty()) {
                return Choice::found(Parser::nginx_error()).with_other_kind(self, &[], &[]);
            }
            sample = &nginx_lines;
        }
        let mut candidates = self.access.clone();
        if let Some(custom) = &self.error {
            candidates.insert(0, custom.clone());
        }
        let unknown = || Choice {
            parser: Parser::nginx_error(),
            also: None,
            detected: false,
        };
        match self.format {
            None if sample.iter().all(|l| l.trim_ascii().is_empty()) => {
                // Nothing to read: name the format the file name suggests.
                match format_from_name(display) {
                    Some(format) => Choice::found(Parser::for_format(format)),
                    None => unknown(),
                }
            }
            None => match detect(sample, Some(display), &candidates) {
                Some(found) if found.matched > 0 => {
                    let read = found.read_lines().to_vec();
                    Choice::found(found.parser).with_other_kind(self, sample, &read)
                }
                _ => unknown(),
            },
            Some(Format::ApacheError) => {
                Choice::found(self.error.clone().unwrap_or_else(Parser::apache_error))
            }
            // CloudFront's columns come from the `#Fields:` line among the first lines.
            Some(Format::CloudFront) => Choice::found(Parser::cloudfront_for(sample)),
            Some(format) if !format.is_access() => Choice::found(Parser::for_format(format)),
            Some(format) => {
                let of_family: Vec<Parser> = candidates
                    .into_iter()
                    .filter(|p| p.format() == format)
                    .collect();
                match detect(sample, Some(display), &of_family) {
                    Some(found) if found.parser.format() == format && found.matched > 0 => {
                        Choice::found(found.parser)
                    }
                    _ => Choice::found(
                        of_family
                            .into_iter()
                            .next()
                            .unwrap_or_else(|| Parser::for_format(format)),
                    ),
                }
            }
        }
    }
}

/// The format a file name suggests (`/var/log/nginx/error.log`, `access_log`, `php8.2-fpm.log`).
fn format_from_name(display: &str) -> Option<Format> {
    let lower = display.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    let apache = lower.contains("apache") || lower.contains("httpd");
    if name.contains("fpm") {
        Some(Format::PhpFpm)
    } else if name.contains("error") {
        Some(if apache {
            Format::ApacheError
        } else {
            Format::NginxError
        })
    } else if name.contains("access") {
        Some(if apache {
            Format::ApacheAccess
        } else {
            Format::NginxAccess
        })
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_inputs_are_named_by_their_file_name() {
        let blank: [&[u8]; 2] = [b"", b"  "];
        let formats = Formats::default();
        let format = |name: &str| {
            let choice = formats.choose_parser(&blank, name);
            choice.detected.then(|| choice.parser.format())
        };
        assert_eq!(format("/var/log/nginx/error.log"), Some(Format::NginxError));
        assert_eq!(
            format("/var/log/httpd/error_log"),
            Some(Format::ApacheError)
        );
        assert_eq!(
            format("/var/log/apache2/access.log"),
            Some(Format::ApacheAccess)
        );
        assert_eq!(format("/var/log/php8.2-fpm.log"), Some(Format::PhpFpm));
        assert_eq!(format("/tmp/x.log"), None);
    }

    #[test]
    fn a_forced_access_format_prefers_the_users_formats_of_that_family() {
        let custom = Parser::access("$remote_addr [$time_local] \"$request\" $status").unwrap();
        let formats = Formats {
            format: Some(Format::NginxAccess),
            access: vec![custom],
            ..Formats::default()
        };
        let line: [&[u8]; 1] = [b"10.0.0.1 [25/Nov/2026:01:27:19 +0100] \"GET / HTTP/1.1\" 502"];
        let choice = formats.choose_parser(&line, "x.log");
        assert!(choice.detected);
        assert_eq!(
            choice.parser.format_string(),
            Some("$remote_addr [$time_local] \"$request\" $status")
        );
        // Forced, but nothing of that family reads the sample: the family's default.
        let other: [&[u8]; 1] = [b"garbage"];
        let forced = Formats {
            format: Some(Format::PhpFpm),
            ..Formats::default()
        }
        .choose_parser(&other, "x.log");
        assert!(forced.detected);
        assert_eq!(forced.parser.format(), Format::PhpFpm);
    }
}
