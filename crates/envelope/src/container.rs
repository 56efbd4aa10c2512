//! Container runtimes' envelopes: Docker's json-file records, the CRI log format of
//! containerd and CRI-O, and the RFC 3339 prefix of `kubectl logs --timestamps` /
//! `docker logs -t`. Each parse borrows from the physical line only.

use logscan_parse::Timestamp;
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::Stream;
use crate::time::SameSecond;

/// One json-file record: `{"log":"…\n","stream":"stderr","attrs":{…},"time":"…"}`, its
/// strings still in their JSON form (borrowed) until they are read.
///
/// moby (daemon/logger/jsonfilelog/jsonlog/jsonlogbytes.go) writes the keys in that order,
/// `attrs` only when labels, env or a tag are configured, with no space. That exact shape
/// without `attrs`, by far the most common, is read by hand; any other JSON object (other
/// key order, `attrs`, spaces, other keys) through serde_json.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DockerRecord<'a> {
    /// The `log` string between its quotes, escapes not yet decoded.
    body: &'a [u8],
    /// The `stream` string, if it is there and has no escape.
    stream: Option<&'a [u8]>,
    /// The `time` string (empty if it is not a plain string), if it is there.
    time: Option<&'a [u8]>,
}

/// The fields serde_json reads of a record in any other shape.
#[derive(Deserialize)]
struct Fields<'a> {
    #[serde(borrow)]
    log: Option<&'a RawValue>,
    #[serde(borrow, default)]
    stream: Option<&'a RawValue>,
    #[serde(borrow, default)]
    time: Option<&'a RawValue>,
}

impl<'a> DockerRecord<'a> {
    /// The record on `line`, or `None` if the line is not a JSON object with a string `log`.
    pub(crate) fn parse(line: &'a [u8]) -> Option<DockerRecord<'a>> {
        DockerRecord::as_moby_writes_it(line).or_else(|| DockerRecord::any_object(line))
    }

    /// `{"log":"…","stream":"…","time":"…"}` exactly (trailing whitespace allowed), read
    /// from both ends: the `stream` and `time` strings hold no quote, so the `log` string
    /// ends where `","stream":"` begins, found without scanning the line itself. The `log`
    /// string is not checked further: what moby writes is valid JSON, and anything else in
    /// this shape is read leniently (its escapes decoded where they make sense, other bytes
    /// kept).
    fn as_moby_writes_it(line: &'a [u8]) -> Option<DockerRecord<'a>> {
        const LOG: &[u8] = b"{\"log\":\"";
        const STREAM: &[u8] = b"\",\"stream\":\"";
        const TIME: &[u8] = b"\",\"time\":\"";
        let end = line.len()
            - line
                .iter()
                .rev()
                .take_while(|b| b.is_ascii_whitespace())
                .count();
        let rest = line.get(..end)?.strip_prefix(LOG)?.strip_suffix(b"\"}")?;
        let time_at = memchr::memrchr(b'"', rest)? + 1;
        let time = &rest[time_at..];
        let rest = rest[..time_at].strip_suffix(TIME)?;
        let stream_at = memchr::memrchr(b'"', rest)? + 1;
        let stream = &rest[stream_at..];
        let body = rest[..stream_at].strip_suffix(STREAM)?;
        // The quote that closes `log` must not be escaped itself. (A `stream` or `time`
        // with an escape needs no check here: it is no stream name and no time, as
        // through serde_json.)
        let backslashes = body.iter().rev().take_while(|&&b| b == b'\\').count();
        if backslashes % 2 == 1 {
            return None;
        }
        Some(DockerRecord {
            body,
            stream: Some(stream),
            time: Some(time),
        })
    }

    /// Any JSON object (leading and trailing whitespace allowed) with a string `log`.
    fn any_object(line: &'a [u8]) -> Option<DockerRecord<'a>> {
        let fields: Fields<'a> = serde_json::from_slice(line).ok()?;
        let body = crate::json::string_body(fields.log?.get().as_bytes())?;
        Some(DockerRecord {
            body,
            stream: fields.stream.and_then(crate::json::plain_str),
            time: fields
                .time
                .map(|t| crate::json::plain_str(t).unwrap_or_default()),
        })
    }

    /// The `log` string's JSON text between its quotes, and whether it ends with the `\n`
    /// escape Docker adds to the last piece of a line (then without it).
    pub(crate) fn content(&self) -> (&'a [u8], bool) {
        match self.body.strip_suffix(b"\\n") {
            // `\\n` is a backslash and an `n`: the escape is ours only if the backslashes
            // before the `n` are odd in number.
            Some(head) if head.iter().rev().take_while(|&&b| b == b'\\').count() % 2 == 0 => {
                (head, true)
            }
            _ => (self.body, false),
        }
    }

    pub(crate) fn stream(&self) -> Option<Stream> {
        self.stream.and_then(Stream::from_bytes)
    }

    /// The time: `None` if absent, `Err` if not an RFC 3339 time. `same` keeps the
    /// second of the previous record's time.
    pub(crate) fn time(&self, same: &mut SameSecond) -> Option<Result<Timestamp, ()>> {
        let text = self.time?;
        Some(match same.rfc3339(text) {
            Some(Ok((ts, len))) if len == text.len() => Ok(ts),
            _ => Err(()),
        })
    }
}

/// One CRI line: `<RFC3339Nano> <stdout|stderr> <tags> <content>`, tags separated by `:`,
/// the first `P` (partial) or `F` (full).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CriLine<'a> {
    pub(crate) time: Result<Timestamp, ()>,
    pub(crate) stream: Stream,
    pub(crate) partial: bool,
    pub(crate) content: &'a [u8],
}

impl<'a> CriLine<'a> {
    /// `same` keeps the second of the previous line's time.
    pub(crate) fn parse(line: &'a [u8], same: &mut SameSecond) -> Option<CriLine<'a>> {
        let (time, rest) = time_prefix(line, same)?;
        let rest = rest.strip_prefix(b" ")?;
        let (stream, rest) = if let Some(rest) = rest.strip_prefix(b"stdout ") {
            (Stream::Stdout, rest)
        } else {
            (Stream::Stderr, rest.strip_prefix(b"stderr ")?)
        };
        let tags_end = memchr::memchr(b' ', rest).unwrap_or(rest.len());
        let tags = &rest[..tags_end];
        let first = tags.split(|&b| b == b':').next().unwrap_or_default();
        let partial = match first {
            b"P" => true,
            b"F" => false,
            _ => return None,
        };
        // kubelet requires the space after the tags; an `F` at the very end is an empty
        // line written by a runtime that leaves it out.
        let content = rest.get(tags_end + 1..).unwrap_or_default();
        Some(CriLine {
            time,
            stream,
            partial,
            content,
        })
    }
}

/// An RFC 3339 time at the start of `line` and what follows it.
pub(crate) fn time_prefix<'a>(
    line: &'a [u8],
    same: &mut SameSecond,
) -> Option<(Result<Timestamp, ()>, &'a [u8])> {
    match same.rfc3339(line)? {
        Ok((t, len)) => Some((Ok(t), &line[len..])),
        Err(len) => Some((Err(()), &line[len..])),
    }
}

/// A `timestamped` line: an RFC 3339 time, one space, the line (or nothing).
pub(crate) fn timestamped<'a>(
    line: &'a [u8],
    same: &mut SameSecond,
) -> Option<(Result<Timestamp, ()>, &'a [u8])> {
    let (time, rest) = time_prefix(line, same)?;
    match rest {
        [] => Some((time, rest)),
        [b' ', content @ ..] => Some((time, content)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_records() {
        let line = br#"{"log":"2026/12/05 20:54:01 [error] 7#7: *2 x, request: \"GET / HTTP/1.1\"\n","stream":"stderr","time":"2026-12-05T20:54:01.123456789Z"}"#;
        let r = DockerRecord::parse(line).unwrap();
        let (content, last) = r.content();
        assert!(last);
        assert_eq!(
            content,
            br#"2026/12/05 20:54:01 [error] 7#7: *2 x, request: \"GET / HTTP/1.1\""#
        );
        assert_eq!(r.stream(), Some(Stream::Stderr));
        assert_eq!(
            r.time(&mut SameSecond::default())
                .unwrap()
                .unwrap()
                .micros(),
            123_456
        );

        // a piece, attrs, another key order, CRLF after the object
        let line = b"{\"time\":\"2026-12-05T20:54:01Z\",\"attrs\":{\"tag\":\"web\"},\"log\":\"abc\",\"stream\":\"stdout\"}\r";
        let r = DockerRecord::parse(line).unwrap();
        assert_eq!(r.content(), (&b"abc"[..], false));
        assert_eq!(r.stream(), Some(Stream::Stdout));

        // an escaped backslash before n is not the line's end
        let r = DockerRecord::parse(br#"{"log":"ends in \\n","time":"x"}"#).unwrap();
        assert_eq!(r.content(), (&br"ends in \\n"[..], false));
        assert_eq!(r.time(&mut SameSecond::default()), Some(Err(())));
        let r = DockerRecord::parse(br#"{"log":"\\\n"}"#).unwrap();
        assert_eq!(r.content(), (&br"\\"[..], true));
        assert_eq!(
            (r.time(&mut SameSecond::default()), r.stream()),
            (None, None)
        );

        // the hand-read shape and serde_json agree
        for line in [
            &br#"{"log":"a \"b\" \\\"\n","stream":"stderr","time":"2026-12-05T20:54:01Z"}"#[..],
            br#"{"log":"piece","stream":"stdout","time":"2026-12-05T20:54:01.5Z"}  "#,
            br#"{"log":"","stream":"x","time":""}"#,
        ] {
            assert_eq!(
                DockerRecord::as_moby_writes_it(line),
                DockerRecord::any_object(line)
            );
            assert!(DockerRecord::as_moby_writes_it(line).is_some());
        }
        assert!(
            DockerRecord::as_moby_writes_it(
                br#"{"log":"x","stream":"stdout","attrs":{},"time":"t"}"#
            )
            .is_none()
        );
        assert!(
            DockerRecord::as_moby_writes_it(br#"{"log":"x","stream":"stdout","time":"t"}x"#)
                .is_none()
        );
        assert!(DockerRecord::as_moby_writes_it(br#"{"log":"x\""#).is_none());

        for bad in [
            &b"{\"log\":\"x\\n\",\"stream\":\"stdout\""[..],
            b"{\"stream\":\"stdout\"}",
            b"{\"log\":12}",
            b"[1]",
            b"plain line",
            b"",
        ] {
            assert!(
                DockerRecord::parse(bad).is_none(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn cri_lines() {
        let l = CriLine::parse(
            b"2026-12-05T20:54:01.669794202Z stderr F 2026/12/05 x",
            &mut SameSecond::default(),
        )
        .unwrap();
        assert_eq!(
            (l.stream, l.partial, l.content),
            (Stream::Stderr, false, &b"2026/12/05 x"[..])
        );
        let l = CriLine::parse(
            b"2026-12-05T21:54:01.6+01:00 stdout P:x abc",
            &mut SameSecond::default(),
        )
        .unwrap();
        assert_eq!(
            (l.stream, l.partial, l.content),
            (Stream::Stdout, true, &b"abc"[..])
        );
        assert_eq!(l.time.unwrap().offset_seconds(), Some(3600));
        let l = CriLine::parse(
            b"2026-12-05T20:54:01Z stdout F ",
            &mut SameSecond::default(),
        )
        .unwrap();
        assert_eq!(l.content, b"");
        let l =
            CriLine::parse(b"2026-12-05T20:54:01Z stdout F", &mut SameSecond::default()).unwrap();
        assert_eq!(l.content, b"");
        for bad in [
            "2026-12-05T20:54:01Z stdin F x",
            "2026-12-05T20:54:01Z stdout X x",
            "2026-12-05T20:54:01Z 2026/12/05 x",
            "2026/12/05 20:54:01 [error] x",
        ] {
            assert!(
                CriLine::parse(bad.as_bytes(), &mut SameSecond::default()).is_none(),
                "{bad}"
            );
        }
    }

    #[test]
    fn timestamped_lines() {
        let (t, rest) = timestamped(
            b"2026-12-05T20:54:01.123456789Z 127.0.0.1 - -",
            &mut SameSecond::default(),
        )
        .unwrap();
        assert_eq!(
            (t.unwrap().micros(), rest),
            (123_456, &b"127.0.0.1 - -"[..])
        );
        assert_eq!(
            timestamped(b"2026-12-05T20:54:01Z", &mut SameSecond::default())
                .unwrap()
                .1,
            b""
        );
        assert!(timestamped(b"2026-12-05T20:54:01Zx", &mut SameSecond::default()).is_none());
        assert_eq!(
            timestamped(b"2026-13-05T20:54:01Z x", &mut SameSecond::default())
                .unwrap()
                .0,
            Err(())
        );
    }
}
