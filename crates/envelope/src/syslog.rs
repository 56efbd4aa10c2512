//! The syslog header grammar, in the forms nginx, rsyslog and journalctl write:
//!
//! ```text
//! line     = [PRI] (rfc5424 / iso / bsd)
//! PRI      = "<" 1*3DIGIT ">"                                  ; 0-191
//! rfc5424  = VERSION SP (RFC3339 / "-") SP HOST SP APP SP PROCID SP MSGID SP SD [SP MSG]
//! iso      = RFC3339 SP HOST SP tagpart                        ; RSYSLOG_FileFormat, journalctl -o short-iso
//! bsd      = Mmm SP dd SP hh:mm:ss [SP HOST] SP tagpart        ; RFC 3164, nginx, rsyslog traditional, journalctl short
//! tagpart  = TAG ["[" PID "]"] [":"] [SP MSG]
//! ```
//!
//! nginx (src/core/ngx_syslog.c) sends `<PRI>Mmm dd hh:mm:ss HOST TAG: MSG` (`HOST ` left
//! out with `nohostname`); rsyslog's traditional and RFC 3339 file templates write
//! `HOST TAG[PID]: MSG`, or `HOST TAG[PID] MSG` and `HOST TAG MSG` (no colon) for messages
//! it received as RFC 5424; its `RSYSLOG_SyslogProtocol23Format` writes the MSG of an RFC
//! 3164 message with the space that followed the tag's colon, so one leading space of an
//! RFC 5424 MSG is dropped (and a UTF-8 BOM, which RFC 5424 allows before MSG).

use logscan_parse::Timestamp;
use nom::branch::alt;
use nom::bytes::complete::{tag, take_while_m_n, take_while1};
use nom::combinator::{opt, rest};
use nom::sequence::{delimited, terminated};
use nom::{IResult, Parser};

use crate::time::{self, YearHint};

/// Which syslog form a line is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Form {
    /// RFC 5424.
    Rfc5424,
    /// An RFC 3339 time, then host and tag (rsyslog's `RSYSLOG_FileFormat`, journalctl
    /// `short-iso`). `utc_z`: the time ends in `Z`, as `timestamped` lines do.
    Iso { utc_z: bool },
    /// RFC 3164's `Mmm dd hh:mm:ss`.
    Bsd,
}

/// A parsed syslog header and the message after it, borrowed from the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Header<'a> {
    pub(crate) form: Form,
    /// The time; `Err(())` when it has the shape of a time but is not one.
    pub(crate) time: Option<Result<Timestamp, ()>>,
    pub(crate) facility: Option<u8>,
    pub(crate) severity: Option<u8>,
    /// The line starts with a `<…>` that is not a valid PRI.
    pub(crate) bad_pri: bool,
    pub(crate) host: Option<&'a [u8]>,
    pub(crate) app: Option<&'a [u8]>,
    pub(crate) proc_id: Option<&'a [u8]>,
    pub(crate) msg_id: Option<&'a [u8]>,
    pub(crate) message: &'a [u8],
}

type Res<'a, T> = IResult<&'a [u8], T>;

/// A tag, its `[pid]` and the message after them.
type TagPart<'a> = (&'a [u8], Option<&'a [u8]>, &'a [u8]);

/// The syslog header of `line`, or `None` if it is not a syslog line.
pub(crate) fn parse(line: &[u8], hint: YearHint) -> Option<Header<'_>> {
    let (after_pri, pri, bad_pri) = pri(line)?;
    let mut header = if pri.is_some() || bad_pri {
        rfc5424(after_pri)
            .or_else(|| iso(after_pri))
            .or_else(|| bsd(after_pri, hint))?
    } else {
        iso(after_pri).or_else(|| bsd(after_pri, hint))?
    };
    header.bad_pri = bad_pri;
    if let Some(pri) = pri {
        header.facility = Some(pri / 8);
        header.severity = Some(pri % 8);
    }
    Some(header)
}

/// `<PRI>` at the start: the rest, the value if valid, and whether a `<…>` was there but
/// invalid. `None` for a `<` with no `>` within 5 bytes (not a syslog line).
fn pri(line: &[u8]) -> Option<(&[u8], Option<u8>, bool)> {
    if line.first() != Some(&b'<') {
        return Some((line, None, false));
    }
    let close = memchr::memchr(b'>', &line[1..line.len().min(6)])? + 1;
    let digits = &line[1..close];
    let rest = &line[close + 1..];
    let value = (!digits.is_empty() && digits.len() <= 3 && digits.iter().all(u8::is_ascii_digit))
        .then(|| {
            digits
                .iter()
                .fold(0u16, |acc, &d| acc * 10 + u16::from(d - b'0'))
        })
        .filter(|&v| v <= 191)
        .and_then(|v| u8::try_from(v).ok());
    Some((rest, value, value.is_none()))
}

fn sp(i: &[u8]) -> Res<'_, &[u8]> {
    tag(&b" "[..]).parse(i)
}

/// RFC 5424 PRINTUSASCII field of 1-255 bytes; `-` is nil.
fn field(i: &[u8]) -> Res<'_, Option<&[u8]>> {
    let (i, value) = take_while_m_n(1, 255, |b: u8| (33..=126).contains(&b)).parse(i)?;
    Ok((i, (value != b"-").then_some(value)))
}

/// One SD-ELEMENT: `[` id params `]`, where `]`, `"` and `\` are escaped inside quoted
/// values.
fn sd_element(i: &[u8]) -> Res<'_, &[u8]> {
    let err = || nom::Err::Error(nom::error::Error::new(i, nom::error::ErrorKind::Char));
    if i.first() != Some(&b'[') {
        return Err(err());
    }
    let mut quoted = false;
    let mut escaped = false;
    for (at, &b) in i.iter().enumerate().skip(1) {
        match b {
            _ if escaped => escaped = false,
            b'\\' if quoted => escaped = true,
            b'"' => quoted = !quoted,
            b']' if !quoted => return Ok((&i[at + 1..], &i[..=at])),
            _ => {}
        }
    }
    Err(err())
}

/// STRUCTURED-DATA: `-` or one or more SD-ELEMENTs.
fn structured_data(i: &[u8]) -> Res<'_, ()> {
    if let Ok((rest, _)) = tag::<_, _, nom::error::Error<&[u8]>>(&b"-"[..]).parse(i) {
        return Ok((rest, ()));
    }
    let (mut i, _) = sd_element(i)?;
    while let Ok((rest, _)) = sd_element(i) {
        i = rest;
    }
    Ok((i, ()))
}

fn rfc5424(i: &[u8]) -> Option<Header<'_>> {
    let (i, _version) = terminated(take_while_m_n(1, 2, |b: u8| b.is_ascii_digit()), sp)
        .parse(i)
        .ok()?;
    let (time, i) = if let Some(rest) = i.strip_prefix(b"- ") {
        (None, rest)
    } else {
        let (time, len) = match time::rfc3339(i)? {
            Ok((t, len)) => (Ok(t), len),
            Err(len) => (Err(()), len),
        };
        (Some(time), i.get(len..)?.strip_prefix(b" ")?)
    };
    let (i, (host, _, app, _, proc_id, _, msg_id, _, ())) =
        (field, sp, field, sp, field, sp, field, sp, structured_data)
            .parse(i)
            .ok()?;
    let message = match i {
        [] => i,
        [b' ', msg @ ..] => {
            let msg = msg.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(msg);
            msg.strip_prefix(b" ").unwrap_or(msg)
        }
        _ => return None,
    };
    Some(Header {
        form: Form::Rfc5424,
        time,
        facility: None,
        severity: None,
        bad_pri: false,
        host,
        app,
        proc_id,
        msg_id,
        message,
    })
}

/// A host name or address: letters, digits, `.`, `-`, `_`, `:` (IPv6).
fn host(i: &[u8]) -> Res<'_, &[u8]> {
    take_while1(|b: u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b':'))
        .parse(i)
}

/// A tag: starts with a letter, digit, `_` or `(`; then anything but space, `[`, `:`.
fn tag_name(i: &[u8]) -> Res<'_, &[u8]> {
    let starts = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'(';
    if !i.first().is_some_and(|&b| starts(b)) {
        return Err(nom::Err::Error(nom::error::Error::new(
            i,
            nom::error::ErrorKind::Alpha,
        )));
    }
    take_while_m_n(1, 64, |b: u8| {
        b > b' ' && b != b'[' && b != b':' && b != 0x7f
    })
    .parse(i)
}

/// `TAG[PID]: MSG`, `TAG: MSG`, `TAG[PID] MSG`, `TAG MSG`, or the tag alone.
/// `colon`: whether the colon form is required (a tag right after the time, no host).
fn tag_part(i: &[u8], colon_required: bool) -> Option<TagPart<'_>> {
    let (i, (app, pid)) = (
        tag_name,
        opt(delimited(
            tag(&b"["[..]),
            take_while_m_n(1, 32, |b: u8| b != b']' && b > b' '),
            tag(&b"]"[..]),
        )),
    )
        .parse(i)
        .ok()?;
    let colon: Res<'_, Option<&[u8]>> = opt(tag(&b":"[..])).parse(i);
    let (i, colon) = colon.ok()?;
    if colon_required && colon.is_none() {
        return None;
    }
    let (_, message) = alt((nom::combinator::eof, nom::sequence::preceded(sp, rest)))
        .parse(i)
        .ok()?;
    Some((app, pid, message))
}

/// A second `HOST TAG: ` header at the start of a message, when `host` is the host the
/// outer header (or the journal entry) names: the tag, its pid and the message after it.
///
/// nginx's `syslog:server=unix:/dev/log` without `nohostname` sends its host name on the
/// local socket, where journald expects none: journald then keeps `HOST nginx: ` at the
/// start of MESSAGE (and journalctl's short output shows both headers).
pub(crate) fn nested_header<'a>(message: &'a [u8], host: &[u8]) -> Option<TagPart<'a>> {
    let rest = message.strip_prefix(host)?.strip_prefix(b" ")?;
    tag_part(rest, true)
}

fn iso(i: &[u8]) -> Option<Header<'_>> {
    let (time, len) = match time::rfc3339(i)? {
        Ok((t, len)) => (Ok(t), len),
        Err(len) => (Err(()), len),
    };
    let utc_z = matches!(i.get(len - 1), Some(b'Z' | b'z'));
    let i = i.get(len..)?.strip_prefix(b" ")?;
    let (i, host) = terminated(host, sp).parse(i).ok()?;
    let (app, proc_id, message) = tag_part(i, false)?;
    Some(Header {
        form: Form::Iso { utc_z },
        time: Some(time),
        facility: None,
        severity: None,
        bad_pri: false,
        host: Some(host),
        app: Some(app),
        proc_id,
        msg_id: None,
        message,
    })
}

fn bsd(i: &[u8], hint: YearHint) -> Option<Header<'_>> {
    let (time, len) = match time::rfc3164(i, hint)? {
        Ok((t, len)) => (Ok(t), len),
        Err(len) => (Err(()), len),
    };
    let i = i.get(len..)?.strip_prefix(b" ")?;
    // nginx's `nohostname`: the tag (with its colon) right after the time.
    let (host, (app, proc_id, message)) = match tag_part(i, true) {
        Some(parts) => (None, parts),
        None => {
            let (i, host) = terminated(host, sp).parse(i).ok()?;
            (Some(host), tag_part(i, false)?)
        }
    };
    Some(Header {
        form: Form::Bsd,
        time: Some(time),
        facility: None,
        severity: None,
        bad_pri: false,
        host,
        app: Some(app),
        proc_id,
        msg_id: None,
        message,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HINT: YearHint = YearHint {
        year: 2026,
        month: 12,
    };

    fn p(line: &str) -> Header<'_> {
        parse(line.as_bytes(), HINT).unwrap_or_else(|| panic!("not syslog: {line}"))
    }

    fn s(b: Option<&[u8]>) -> Option<&str> {
        b.map(|b| std::str::from_utf8(b).unwrap())
    }

    #[test]
    fn nginx_datagrams() {
        let h = p("<187>Dec  5 20:54:01 vm nginx: 2026/12/05 20:54:01 [error] 6483#6483: *2 boom");
        assert_eq!(h.form, Form::Bsd);
        assert_eq!((h.facility, h.severity), (Some(23), Some(3)));
        assert_eq!(
            (s(h.host), s(h.app), s(h.proc_id)),
            (Some("vm"), Some("nginx"), None)
        );
        assert_eq!(h.message, b"2026/12/05 20:54:01 [error] 6483#6483: *2 boom");
        let t = h.time.unwrap().unwrap();
        assert_eq!(t.to_naive().to_string(), "2026-12-05 20:54:01");
        assert_eq!(t.offset_seconds(), None);

        let h = p(
            "<190>Dec  5 20:54:01 nginx: 127.0.0.1 - - [05/Dec/2026:20:54:01 +0000] \"GET / HTTP/1.1\" 502 157",
        );
        assert_eq!((s(h.host), s(h.app)), (None, Some("nginx")));
        assert!(h.message.starts_with(b"127.0.0.1 - - ["));
    }

    #[test]
    fn rsyslog_file_formats() {
        let h = p("Dec  5 20:54:01 vm sshd[4711]: Accepted publickey for deploy");
        assert_eq!(
            (s(h.host), s(h.app), s(h.proc_id)),
            (Some("vm"), Some("sshd"), Some("4711"))
        );
        assert_eq!(h.message, b"Accepted publickey for deploy");
        assert_eq!(h.facility, None);

        let h = p("Dec  5 20:54:01 vm CRON[4712] (root) CMD (command -v debian-sa1)");
        assert_eq!((s(h.app), s(h.proc_id)), (Some("CRON"), Some("4712")));
        assert_eq!(h.message, b"(root) CMD (command -v debian-sa1)");

        let h = p("2026-12-05T20:54:01.830678+00:00 vm systemd Started session-42.scope.");
        assert_eq!(h.form, Form::Iso { utc_z: false });
        assert_eq!((s(h.app), s(h.proc_id)), (Some("systemd"), None));
        assert_eq!(h.message, b"Started session-42.scope.");
        assert_eq!(h.time.unwrap().unwrap().micros(), 830_678);

        let h = p("2026-12-05T20:54:01+00:00 vm nginx: 2026/12/05 20:54:01 [error] x");
        assert_eq!(h.message, b"2026/12/05 20:54:01 [error] x");
    }

    #[test]
    fn rfc5424_lines() {
        let h = p("<187>1 2026-12-05T20:54:01+00:00 vm nginx - - -  2026/12/05 20:54:01 [error] x");
        assert_eq!(h.form, Form::Rfc5424);
        assert_eq!(
            (s(h.host), s(h.app), s(h.proc_id), s(h.msg_id)),
            (Some("vm"), Some("nginx"), None, None)
        );
        assert_eq!(h.message, b"2026/12/05 20:54:01 [error] x");

        let h = p(
            r#"<13>1 2026-12-05T20:54:01.830678+00:00 vm systemd - ID47 [timeQuality tzKnown="1" isSynced="0"][origin@32473 software="log\]ger"] Started x"#,
        );
        assert_eq!((s(h.app), s(h.msg_id)), (Some("systemd"), Some("ID47")));
        assert_eq!(h.message, b"Started x");

        let h = p("<165>1 - host app 42 - -");
        assert_eq!(
            (h.time, s(h.proc_id), h.message),
            (None, Some("42"), &b""[..])
        );

        let h = p(
            "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 - \u{feff}An application event",
        );
        assert_eq!(h.message, b"An application event");
        assert_eq!(h.time.unwrap().unwrap().offset_seconds(), Some(0));
    }

    #[test]
    fn journalctl_short_forms() {
        let h = p("Dec 05 20:54:01 vm nginx[812]: 2026/12/05 20:54:01 [error] 812#812: x");
        assert_eq!((s(h.app), s(h.proc_id)), (Some("nginx"), Some("812")));
        let h = p("Dec 05 20:54:01.123456 vm nginx[812]: x");
        assert_eq!(h.time.unwrap().unwrap().micros(), 123_456);
        let h = p("2026-12-05T20:54:01+0000 vm php-fpm8.2[77]: [05-Dec-2026 20:54:01] WARNING: x");
        assert_eq!(s(h.app), Some("php-fpm8.2"));
        assert_eq!(h.message, b"[05-Dec-2026 20:54:01] WARNING: x");
    }

    #[test]
    fn bad_priorities_are_flagged_and_the_rest_read() {
        for line in [
            "<999>Dec  5 20:54:01 vm nginx: x",
            "<ab>Dec  5 20:54:01 vm nginx: x",
            "<>Dec  5 20:54:01 vm nginx: x",
        ] {
            let h = p(line);
            assert!(h.bad_pri, "{line}");
            assert_eq!((h.facility, h.message), (None, &b"x"[..]));
        }
        assert!(parse(b"<1234567 nothing", HINT).is_none());
        assert!(!p("<0>Dec  5 20:54:01 vm kernel: x").bad_pri);
    }

    #[test]
    fn inner_lines_of_other_envelopes_are_not_syslog() {
        for line in [
            "2026/12/05 20:54:01 [error] 6483#6483: *2 connect() failed",
            "127.0.0.1 - - [05/Dec/2026:20:54:01 +0000] \"GET / HTTP/1.1\" 502 157",
            "[Sat Dec 05 20:54:01.123456 2026] [proxy:error] [pid 1:tid 2] AH00957",
            "[05-Dec-2026 20:54:01] WARNING: [pool www] server reached pm.max_children",
            "{\"log\":\"x\\n\",\"stream\":\"stdout\",\"time\":\"2026-12-05T20:54:01Z\"}",
            "",
        ] {
            assert!(parse(line.as_bytes(), HINT).is_none(), "{line}");
        }
        // timestamped lines whose inner line is an nginx or Apache line
        for line in [
            "2026-12-05T20:54:01.1Z 2026/12/05 20:54:01 [error] 1#1: *2 x",
            "2026-12-05T20:54:01.1Z 127.0.0.1 - - [05/Dec/2026:20:54:01 +0000] \"GET /\"",
            "2026-12-05T20:54:01.1Z [Sat Dec 05 20:54:01.123456 2026] [proxy:error] x",
        ] {
            assert!(parse(line.as_bytes(), HINT).is_none(), "{line}");
        }
    }

    #[test]
    fn nested_headers() {
        let (app, pid, msg) = nested_header(b"vm nginx: 127.0.0.1 - -", b"vm").unwrap();
        assert_eq!(
            (app, pid, msg),
            (&b"nginx"[..], None, &b"127.0.0.1 - -"[..])
        );
        assert!(nested_header(b"web nginx: x", b"vm").is_none());
        assert!(nested_header(b"vm server started", b"vm").is_none());
    }

    #[test]
    fn invalid_times_keep_the_line() {
        let h = p("Feb 30 20:54:01 vm nginx: x");
        assert_eq!((h.time, h.message), (Some(Err(())), &b"x"[..]));
    }
}
