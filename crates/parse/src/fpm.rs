//! PHP-FPM master log lines (`zlog.c` of php-src's `sapi/fpm`: `[dd-Mmm-YYYY HH:MM:SS] LEVEL:
//! message`).
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
use crate::time::{Timestamp, key_word, month_from_abbrev, same_second_words};

/// Parses one PHP-FPM log line.
#[cfg(test)]
pub(crate) fn parse(line: &[u8]) -> Result<ErrorRecord<'_>, ParseError> {
    let mut rec = ErrorRecord::default();
    parse_into(line, &mut rec)?;
    Ok(rec)
}

/// Parses one PHP-FPM log line into `rec`, a record as `ErrorRecord::default()` leaves it
/// (on an error it holds no meaningful record): built where the caller keeps it, as the
/// Apache reader's is, rather than copied out (some 300 bytes a line).
pub(crate) fn parse_into<'a>(line: &'a [u8], rec: &mut ErrorRecord<'a>) -> Result<(), ParseError> {
    read_into(line, rec, true)
}

/// [`parse_into`], with the time at its fixed place tried first when `plain_time` is set
/// (the tests compare the two readings).
#[inline(always)]
fn read_into<'a>(
    line: &'a [u8],
    rec: &mut ErrorRecord<'a>,
    plain_time: bool,
) -> Result<(), ParseError> {
    rec.format = Format::PhpFpm;
    let mut p = 0;
    // `[dd-Mmm-YYYY HH:MM:SS] `, the master's time without microseconds: its `]` where
    // the layout puts it, so no search (a time that reads holds no `]`).
    let plain = (plain_time && at(line, 0) == b'[' && at(line, PLAIN_CLOSE) == b']')
        .then(|| parse_time(sub(line, 1, PLAIN_CLOSE)))
        .flatten();
    if let Some(t) = plain {
        rec.time = Some(t);
        p = PLAIN_CLOSE + 1;
        if at(line, p) == b' ' {
            p += 1;
        }
    } else if at(line, 0) == b'[' {
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
            rec.level = level_word(head(rest, word));
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
    classify::fpm(rec);
    Ok(())
}

/// Where the `]` of a time without microseconds is: `[` and 20 bytes before it.
const PLAIN_CLOSE: usize = 21;

/// The layout byte of [`same_second_words`] for PHP-FPM times.
const FPM_LAYOUT: u8 = crate::time::layout::FPM;

/// A level as php-fpm writes it (`zlog.c`: upper case), matched as written before the
/// general reading, which lowers a copy of the name first.
fn level_word(word: &[u8]) -> Option<Level> {
    match word {
        b"WARNING" => Some(Level::Warn),
        b"NOTICE" => Some(Level::Notice),
        b"ERROR" => Some(Level::Error),
        b"DEBUG" => Some(Level::Debug),
        b"ALERT" => Some(Level::Alert),
        _ => Level::from_bytes(word),
    }
}

/// `dd-Mmm-YYYY HH:MM:SS[.uuuuuu]`.
fn parse_time(s: &[u8]) -> Option<Timestamp> {
    let second = head(s, 20);
    if second.len() < 20 {
        return None;
    }
    // Lines come in time order, many to a second: the date and second are read once (the
    // three words cover the 20 bytes).
    let key = [
        key_word(second, 0),
        key_word(second, 8),
        key_word(second, 12),
        0,
    ];
    let t = same_second_words(FPM_LAYOUT, key, || parse_second(second))?;
    match s.len() {
        20 => Some(t),
        n if n > 21 && n <= 27 && at(s, 20) == b'.' => {
            let frac = tail(s, 21);
            let value = fixed_u32(frac)?;
            Some(t.with_micros(value * 10u32.pow(u32::try_from(6 - frac.len()).ok()?)))
        }
        _ => None,
    }
}

/// `dd-Mmm-YYYY HH:MM:SS`.
fn parse_second(s: &[u8]) -> Option<Timestamp> {
    if s.len() != 20 {
        return None;
    }
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
    Timestamp::from_parts(year, month, day, h, m, sec, 0, None)
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
    use crate::test_support::{Readings, both_readings};
    use crate::{Cause, Role};
    use proptest::prelude::*;

    fn rec(line: &str) -> ErrorRecord<'_> {
        match parse(line.as_bytes()) {
            Ok(r) => r,
            Err(e) => panic!("{e}: {line}"),
        }
    }

    #[test]
    fn master_lines() {
        // real: fixtures/nginx/php_timeout/php-fpm.log
        let r = rec("[25-Nov-2026 09:48:19] NOTICE: fpm is running, pid 31736");
        assert_eq!(
            r.time.map(|t| t.to_string()),
            Some("2026-11-25T09:48:19".to_owned())
        );
        assert_eq!(r.level, Some(Level::Notice));
        assert_eq!(r.message, b"fpm is running, pid 31736");
        assert_eq!(r.format, Format::PhpFpm);
        let r = rec(
            "[25-Nov-2026 09:48:22] WARNING: [pool www] child 31742 exited on signal 15 (SIGTERM) after 2.234567 seconds from start",
        );
        assert_eq!(
            (r.level, r.pool, r.pid),
            (Some(Level::Warn), Some(&b"www"[..]), Some(31742))
        );
        assert_eq!(
            r.failure.map(|f| (f.cause, f.role)),
            Some((Cause::PhpTimeout, Role::Effect))
        );
    }

    #[test]
    fn debug_syslog_child_and_raw_lines() {
        let r = rec(
            "[25-Nov-2026 01:29:10.123456] DEBUG: pid 812, fpm_pctl_perform_idle_server_maintenance(), line 378: [pool www] currently 5 active children, 0 spare children, 5 running children. Spawning rate 1",
        );
        assert_eq!(r.time.map(|t| t.micros()), Some(123_456));
        assert_eq!(
            (r.level, r.pid, r.pool),
            (Some(Level::Debug), Some(812), Some(&b"www"[..]))
        );
        assert!(r.message.starts_with(b"currently 5 active"));
        let r = rec(
            "[WARNING] [pool www] server reached pm.max_children setting (5), consider raising it",
        );
        assert_eq!((r.time, r.level), (None, Some(Level::Warn)));
        assert_eq!(r.failure.map(|f| f.cause), Some(Cause::FpmPoolExhausted));
        let r = rec(
            "WARNING: [pool www] child 12 said into stderr: \"ERROR: Connection disallowed: IP address '10.0.0.3' has been dropped.\"",
        );
        assert_eq!(
            (r.time, r.level, r.pid),
            (None, Some(Level::Warn), Some(12))
        );
        assert_eq!(r.failure.map(|f| f.cause), Some(Cause::UpstreamReset));
        let r = rec(
            "PHP Fatal error:  Allowed memory size of 134217728 bytes exhausted (tried to allocate 20480 bytes) in /var/www/x.php on line 7",
        );
        assert_eq!(r.level, Some(Level::Error));
        assert_eq!(
            r.failure.map(|f| (f.cause, f.variant)),
            Some((Cause::PhpFatal, Some("memory_limit")))
        );
        let r = rec(
            "[25-Nov-2026 01:29:10] ERROR: unable to bind listening socket for address '127.0.0.1:9000': Address already in use (98)",
        );
        assert_eq!(
            r.message,
            b"unable to bind listening socket for address '127.0.0.1:9000'"
        );
        assert_eq!(r.sys_error.map(|e| e.number), Some(98));
        assert_eq!(
            r.failure.map(|f| (f.cause, f.peer)),
            Some((Cause::UpstreamRefused, Some(&b"127.0.0.1:9000"[..])))
        );
        assert!(parse(b"random text").is_err());
        assert!(parse(b"[25-Nov-2026 01:29:10] lowercase: x").is_err());
        assert!(parse(b"[32-Nov-2026 01:29:10] NOTICE: x").is_err());
        assert!(parse(b"").is_err());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = parse(&bytes);
            let mut prefixed = b"[25-Nov-2026 01:29:10] WARNING: ".to_vec();
            prefixed.extend_from_slice(&bytes);
            let _ = parse(&prefixed);
        }

        #[test]
        fn mutated_real_lines_never_panic(
            edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0..3u8), 0..12),
        ) {
            let line = crate::test_support::mutate(b"[25-Nov-2026 09:48:22.000001] WARNING: [pool www] child 31742, script '/x/busy.php' (request: \"GET /busy.php\") execution timed out (2.219999 sec), terminating: x (2)", &edits, b"");
            let _ = parse(&line);
        }
    }

    /// The names php-fpm writes read as the general reading reads them.
    #[test]
    fn level_words_read_like_level_names() {
        for word in [
            &b"WARNING"[..],
            b"NOTICE",
            b"ERROR",
            b"DEBUG",
            b"ALERT",
            b"EMERG",
            b"WARN",
            b"BOGUS",
        ] {
            assert_eq!(level_word(word), Level::from_bytes(word));
        }
    }

    fn both(line: &[u8]) -> Readings<'_> {
        both_readings(line, read_into)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        /// The fixed-place time agrees with the searched one, on real and damaged heads
        /// (the cached second must not outlive its bytes).
        #[test]
        fn plain_time_reads_like_the_general_reader(
            time in prop_oneof![
                Just("25-Nov-2026 00:00:03".to_owned()),
                Just("29-Feb-2024 23:59:59".to_owned()),
                Just("25-Nov-2026 00:00:03.123456".to_owned()),
                "[0-3][0-9]-(Nov|Feb|Xyz|nov)-[0-9]{4} [0-2][0-9]:[0-6][0-9]:[0-6][0-9]",
                "[0-9A-Za-z :.\\]-]{0,24}",
            ],
            level in prop_oneof![
                Just("WARNING: "), Just("NOTICE: "), Just("ERROR: "), Just("warning: "),
                Just("ALERT:"), Just(""),
            ],
            rest in prop_oneof![
                Just(&b"[pool www] child 20024 exited on signal 9 (SIGKILL) after 4313.000000 seconds from start"[..]),
                Just(&b"pid 812, fpm_x(), line 378: [pool www] currently 5 active children"[..]),
                Just(&b"unable to bind listening socket for address '127.0.0.1:9000': Address already in use (98)"[..]),
                Just(&b"caf\xc3\xa9 \xff"[..]),
            ],
            edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0..4u8), 0..4),
            cut in 1..200usize,
        ) {
            let mut line = format!("[{time}] {level}").into_bytes();
            line.extend_from_slice(rest);
            line.truncate(cut);
            let line = crate::test_support::mutate(&line, &edits, b"[]-: 0123456789");
            let (plain, general) = both(&line);
            prop_assert_eq!(plain, general);
        }
    }

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
