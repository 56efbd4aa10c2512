//! PHP-FPM master log lines (CAUSES.md 1.4, 2.8).
//!
//! `[25-Nov-2026 01:29:10] WARNING: [pool www] message`, with `.uuuuuu` and a
//! `pid N, function(), line N: ` part at `log_level = debug`; children's lines have no
//! timestamp (`WARNING: ...`), syslog mode writes `[WARNING] message`.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use crate::bytes::{at, find, fixed_u32, head, leading_u64, sub, tail};
use crate::classify;
use crate::errno::{CodeSpace, SysError};
use crate::error::ParseError;
use crate::record::{ErrorRecord, Format, Level};
use crate::time::{Timestamp, month_from_abbrev};

/// Parses one PHP-FPM log line.
pub(crate) fn parse(line: &[u8]) -> Result<ErrorRecord<'_>, ParseError> {
    let mut rec = ErrorRecord {
        format: Format::PhpFpm,
        ..ErrorRecord::default()
    };
    let mut p = 0;
    if at(line, 0) == b'[' {
        let close = memchr::memchr(b']', head(line, 40))
            .ok_or(ParseError::new("']' closing the timestamp or level", 0))?;
        let inner = sub(line, 1, close);
        if let Some(t) = parse_time(inner) {
            rec.time = Some(t);
            p = close + 1;
            if at(line, p) == b' ' {
                p += 1;
            }
        } else if let Some(level) = Level::from_bytes(inner) {
            // Syslog mode: `[WARNING] message`.
            rec.level = Some(level);
            p = close + 1;
            if at(line, p) == b' ' {
                p += 1;
            }
        } else {
            return Err(ParseError::new(
                "PHP-FPM timestamp [dd-Mmm-YYYY HH:MM:SS]",
                1,
            ));
        }
    }
    if rec.level.is_none() {
        // `LEVEL: ` (also on children's lines without a timestamp).
        let rest = tail(line, p);
        let word = rest.iter().take_while(|b| b.is_ascii_uppercase()).count();
        if word > 0 && tail(rest, word).starts_with(b": ") {
            rec.level = Level::from_bytes(head(rest, word));
        }
        match rec.level {
            Some(_) => p += word + 2,
            None if rec.time.is_some() => {
                return Err(ParseError::new("PHP-FPM level (NOTICE, WARNING, ...)", p));
            }
            None if rest.starts_with(b"PHP ") => {
                // A raw PHP error line (`PHP Fatal error:  ...`).
                rec.level = php_level(rest);
            }
            None => {
                return Err(ParseError::new(
                    "PHP-FPM line ([dd-Mmm-YYYY HH:MM:SS] LEVEL: ...)",
                    0,
                ));
            }
        }
    }
    // Debug: `pid 123, fpm_function(), line 45: `.
    let rest = tail(line, p);
    if rest.starts_with(b"pid ") {
        let (pid, n) = leading_u64(tail(rest, 4));
        let after = tail(rest, 4 + n);
        if n > 0 && after.starts_with(b", ") {
            if let Some(colon) = find(head(after, 160), b": ") {
                if find(head(after, colon), b"line ").is_some() {
                    rec.pid = u32::try_from(pid).ok();
                    p += 4 + n + colon + 2;
                }
            }
        }
    }
    // `[pool www] `
    let rest = tail(line, p);
    if rest.starts_with(b"[pool ") {
        if let Some(close) = memchr::memchr(b']', rest) {
            rec.pool = Some(sub(rest, 6, close));
            p += close + 1;
            if at(line, p) == b' ' {
                p += 1;
            }
        }
    }
    let mut message = tail(line, p);
    // ZLOG_SYSERROR: `...: <strerror> (<errno>)`.
    if let Some((msg, err)) = syserror_suffix(message) {
        rec.sys_error = Some(err);
        message = msg;
    }
    rec.message = message;
    classify::fpm(&mut rec);
    Ok(rec)
}

/// `dd-Mmm-YYYY HH:MM:SS[.uuuuuu]`.
fn parse_time(s: &[u8]) -> Option<Timestamp> {
    if at(s, 2) != b'-' || at(s, 6) != b'-' || at(s, 11) != b' ' {
        return None;
    }
    let day = fixed_u32(sub(s, 0, 2))?;
    let month = month_from_abbrev(sub(s, 3, 6))?;
    let year = i32::try_from(fixed_u32(sub(s, 7, 11))?).ok()?;
    let t = sub(s, 12, 20);
    if at(t, 2) != b':' || at(t, 5) != b':' || t.len() != 8 {
        return None;
    }
    let (h, m, sec) = (
        fixed_u32(sub(t, 0, 2))?,
        fixed_u32(sub(t, 3, 5))?,
        fixed_u32(sub(t, 6, 8))?,
    );
    let mut micros = 0;
    match s.len() {
        20 => {}
        n if n > 21 && n <= 27 && at(s, 20) == b'.' => {
            let frac = tail(s, 21);
            let value = fixed_u32(frac)?;
            micros = value * 10u32.pow(u32::try_from(6 - frac.len()).ok()?);
        }
        _ => return None,
    }
    Timestamp::from_parts(year, month, day, h, m, sec, micros, None)
}

/// The level of a raw `PHP <type>:` line.
fn php_level(s: &[u8]) -> Option<Level> {
    let s = tail(s, 4);
    if s.starts_with(b"Fatal") || s.starts_with(b"Parse") || s.starts_with(b"Recoverable") {
        Some(Level::Error)
    } else if s.starts_with(b"Warning") {
        Some(Level::Warn)
    } else if s.starts_with(b"Notice") || s.starts_with(b"Deprecated") {
        Some(Level::Notice)
    } else {
        None
    }
}

/// `<message>: <strerror> (<errno>)` at the end of a line.
fn syserror_suffix(msg: &[u8]) -> Option<(&[u8], SysError<'_>)> {
    let body = msg.strip_suffix(b")")?;
    let open = memchr::memrchr(b'(', body)?;
    let digits = tail(body, open + 1);
    let (number, n) = leading_u64(digits);
    if n == 0 || n != digits.len() || open == 0 || at(body, open - 1) != b' ' {
        return None;
    }
    let before = head(body, open - 1);
    let colon = memchr::memmem::rfind(before, b": ")?;
    let text = tail(before, colon + 2);
    if text.is_empty() || text.contains(&b'\'') || text.contains(&b'"') || text.len() > 64 {
        return None;
    }
    Some((
        head(before, colon),
        SysError {
            space: CodeSpace::Os,
            number: i64::try_from(number).ok()?,
            text,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times() {
        assert_eq!(
            parse_time(b"25-Nov-2026 01:29:10").map(|t| t.to_string()),
            Some("2026-11-25T01:29:10".to_owned())
        );
        assert_eq!(
            parse_time(b"25-Nov-2026 01:29:10.000123").map(|t| t.to_string()),
            Some("2026-11-25T01:29:10.000123".to_owned())
        );
        assert_eq!(parse_time(b"25-Nov-2026 01:29"), None);
    }

    #[test]
    fn syserror() {
        let (msg, err) = syserror_suffix(
            b"unable to bind listening socket for address '/run/php/x.sock': No such file or directory (2)",
        )
        .unwrap();
        assert_eq!(
            msg,
            b"unable to bind listening socket for address '/run/php/x.sock'"
        );
        assert_eq!(err.number, 2);
        assert!(
            syserror_suffix(b"server reached pm.max_children setting (5), consider raising it")
                .is_none()
        );
        assert!(
            syserror_suffix(b"child 12 exited on signal 15 (SIGTERM) after 1.0 seconds from start")
                .is_none()
        );
    }
}
