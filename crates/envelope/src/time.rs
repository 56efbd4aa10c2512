//! The times envelopes write: RFC 3339 (Docker, CRI, `kubectl --timestamps`, RFC 5424,
//! rsyslog's `RSYSLOG_FileFormat`, `journalctl -o short-iso`) and RFC 3164's
//! `Mmm dd HH:MM:SS`, which has neither year nor zone.

use std::time::{SystemTime, UNIX_EPOCH};

use logscan_parse::Timestamp;
use logscan_parse::chrono::{DateTime, Datelike};

/// Where an RFC 3164 time (`Nov 25 01:27:19`, no year) gets its year: the year and month of
/// the newest line the input can hold, usually the file's modification time.
///
/// A line whose month is after the hint's month was written in the year before (a
/// December line in a file last written in January); any other line in the hint's year.
/// So a file that crosses New Year reads right, and nothing depends on the lines before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct YearHint {
    /// The year of the newest line.
    pub year: i32,
    /// Its month, 1-12.
    pub month: u32,
}

impl YearHint {
    /// The year and month (UTC) of a Unix time, such as a file's modification time.
    /// Times chrono cannot hold (beyond the years ±262 143) give January 1970.
    pub fn from_unix(seconds: i64) -> YearHint {
        DateTime::from_timestamp(seconds, 0).map_or(
            YearHint {
                year: 1970,
                month: 1,
            },
            |t| YearHint {
                year: t.year(),
                month: t.month(),
            },
        )
    }

    /// The year and month (UTC) of this machine's clock.
    pub fn now() -> YearHint {
        let seconds = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        YearHint::from_unix(seconds)
    }

    /// The year of a line written in `month`.
    pub fn year_of(&self, month: u32) -> i32 {
        if month > self.month {
            self.year - 1
        } else {
            self.year
        }
    }
}

/// `n` ASCII digits at `at` as a number.
fn digits(s: &[u8], at: usize, n: usize) -> Option<u32> {
    let field = s.get(at..at + n)?;
    field.iter().try_fold(0u32, |acc, &b| {
        b.is_ascii_digit().then(|| acc * 10 + u32::from(b - b'0'))
    })
}

/// A UTC offset as RFC 3339 (`+02:00`) or journalctl (`+0200`) writes it, in seconds east.
fn offset(text: &[u8]) -> Option<i32> {
    let sign = match text.first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let minutes_at = if text.len() == 6 && text[3] == b':' {
        4
    } else {
        3
    };
    if text.len() != minutes_at + 2 {
        return None;
    }
    let hours = digits(text, 1, 2).filter(|&h| h <= 23)?;
    let minutes = digits(text, minutes_at, 2).filter(|&m| m <= 59)?;
    i32::try_from(hours * 3_600 + minutes * 60)
        .ok()
        .map(|seconds| sign * seconds)
}

/// The month (1-12) of an English abbreviation as syslog writes it (`Nov`, any case).
fn month(abbrev: &[u8]) -> Option<u32> {
    const MONTHS: [&[u8]; 12] = [
        b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov",
        b"dec",
    ];
    let index = MONTHS.iter().position(|m| m.eq_ignore_ascii_case(abbrev))?;
    u32::try_from(index + 1).ok()
}

/// A fraction of a second `.ddd…` at the start of `s` (the dot included): microseconds
/// (digits past the sixth are read and dropped) and the bytes taken; `(0, 0)` if none.
fn fraction(s: &[u8]) -> Option<(u32, usize)> {
    if s.first() != Some(&b'.') {
        return Some((0, 0));
    }
    let count = s[1..].iter().take_while(|b| b.is_ascii_digit()).count();
    if count == 0 {
        return None;
    }
    let mut micros = 0u32;
    for i in 0..6 {
        let digit = s.get(1 + i).filter(|_| i < count).map_or(0, |b| b - b'0');
        micros = micros * 10 + u32::from(digit);
    }
    Some((micros, 1 + count))
}

/// An RFC 3339 time at the start of `s` (`2026-11-25T01:27:19.123456789Z`, `…+02:00`,
/// also `+0200` as `journalctl -o short-iso` writes it): the timestamp and the bytes it
/// took. `Err(len)` when the shape is right but a field is out of range (February 30).
pub(crate) fn rfc3339(s: &[u8]) -> Option<Result<(Timestamp, usize), usize>> {
    if s.len() < 20
        || s[4] != b'-'
        || s[7] != b'-'
        || !matches!(s[10], b'T' | b't')
        || s[13] != b':'
        || s[16] != b':'
    {
        return None;
    }
    let year = digits(s, 0, 4)?;
    let month = digits(s, 5, 2)?;
    let day = digits(s, 8, 2)?;
    let hour = digits(s, 11, 2)?;
    let minute = digits(s, 14, 2)?;
    let second = digits(s, 17, 2)?;
    let (micros, frac_len) = fraction(&s[19..])?;
    let at = 19 + frac_len;
    let (offset, len) = match s.get(at)? {
        b'Z' | b'z' => (0, at + 1),
        b'+' | b'-' => {
            let colon = s.get(at + 3) == Some(&b':');
            let len = if colon { 6 } else { 5 };
            let text = s.get(at..at + len)?;
            (offset(text)?, at + len)
        }
        _ => return None,
    };
    let year = i32::try_from(year).ok()?;
    Some(
        Timestamp::from_parts(year, month, day, hour, minute, second, micros, Some(offset))
            .map(|t| (t, len))
            .ok_or(len),
    )
}

/// An RFC 3164 time at the start of `s`: `Nov 25 01:27:19`, the day padded with a space
/// (`Nov  5`, nginx and rsyslog) or a zero (`Nov 05`, journalctl), optionally with a
/// fraction (`journalctl -o short-precise`). The year comes from `hint`; there is no
/// zone. `Err(len)` for a shape that is right with a field out of range.
pub(crate) fn rfc3164(s: &[u8], hint: YearHint) -> Option<Result<(Timestamp, usize), usize>> {
    if s.len() < 15 || s[3] != b' ' || s[6] != b' ' || s[9] != b':' || s[12] != b':' {
        return None;
    }
    let month = month(&s[..3])?;
    let day = match (s[4], s[5]) {
        (b' ', d) if d.is_ascii_digit() => u32::from(d - b'0'),
        _ => digits(s, 4, 2)?,
    };
    let hour = digits(s, 7, 2)?;
    let minute = digits(s, 10, 2)?;
    let second = digits(s, 13, 2)?;
    let (micros, frac_len) = fraction(&s[15..])?;
    let len = 15 + frac_len;
    Some(
        Timestamp::from_parts(
            hint.year_of(month),
            month,
            day,
            hour,
            minute,
            second,
            micros,
            None,
        )
        .map(|t| (t, len))
        .ok_or(len),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_months_and_year_hints() {
        assert_eq!(offset(b"+02:00"), Some(7_200));
        assert_eq!(offset(b"-0330"), Some(-12_600));
        assert_eq!(offset(b"+24:00"), None);
        assert_eq!(offset(b"+02:60"), None);
        assert_eq!(offset(b"+02:0"), None);
        assert_eq!(offset(b"02:00"), None);
        assert_eq!(month(b"Nov"), Some(11));
        assert_eq!(month(b"jAN"), Some(1));
        assert_eq!(month(b"Nox"), None);
        assert_eq!(month(b"November"), None);
        let hint = YearHint::from_unix(1_764_034_039); // 2025-11-25T01:27:19Z
        assert_eq!((hint.year, hint.month), (2025, 11));
        let new_year = YearHint::from_unix(1_767_225_599); // 2025-12-31T23:59:59Z
        assert_eq!((new_year.year, new_year.month), (2025, 12));
        let before_1970 = YearHint::from_unix(-1);
        assert_eq!((before_1970.year, before_1970.month), (1969, 12));
        let absurd = YearHint::from_unix(i64::MAX);
        assert_eq!((absurd.year, absurd.month), (1970, 1));
    }

    fn utc(s: &str) -> (i64, u32, Option<i32>) {
        let (t, _) = rfc3339(s.as_bytes()).unwrap().unwrap();
        (t.wall_seconds(), t.micros(), t.offset_seconds())
    }

    #[test]
    fn rfc3339_with_any_fraction_and_offset() {
        let base = 1_764_034_039; // 2025-11-25T01:27:19Z
        assert_eq!(utc("2025-11-25T01:27:19Z"), (base, 0, Some(0)));
        assert_eq!(utc("2025-11-25T01:27:19.5Z"), (base, 500_000, Some(0)));
        assert_eq!(
            utc("2025-11-25T01:27:19.123456789Z"),
            (base, 123_456, Some(0))
        );
        assert_eq!(
            utc("2025-11-25T01:27:19.123+02:00"),
            (base, 123_000, Some(7200))
        );
        assert_eq!(utc("2025-11-25T01:27:19+0000"), (base, 0, Some(0)));
        assert_eq!(utc("2025-11-25T01:27:19-05:30"), (base, 0, Some(-19_800)));
        let (_, len) = rfc3339(b"2025-11-25T01:27:19.1234Z rest").unwrap().unwrap();
        assert_eq!(len, 25);
    }

    #[test]
    fn rfc3339_shapes_that_are_not_times() {
        for bad in [
            "2025/11/25 01:27:19 [error]",
            "2025-11-25T01:27:19",
            "2025-11-25T01:27:19.Z",
            "2025-11-25 01:27:19Z",
            "2025-11-25T01:27:19+2",
            "x",
            "",
        ] {
            assert!(rfc3339(bad.as_bytes()).is_none(), "{bad}");
        }
        assert_eq!(rfc3339(b"2025-02-30T01:27:19Z"), Some(Err(20)));
        assert_eq!(rfc3339(b"2025-11-25T25:27:19Z"), Some(Err(20)));
    }

    #[test]
    fn rfc3164_years_come_from_the_hint() {
        let hint = YearHint {
            year: 2026,
            month: 1,
        };
        let (t, len) = rfc3164(b"Jan  5 01:27:19 host", hint).unwrap().unwrap();
        assert_eq!(len, 15);
        assert_eq!(t.offset_seconds(), None);
        assert_eq!(t.to_naive().to_string(), "2026-01-05 01:27:19");
        // December in a file last written in January: the year before.
        let (t, _) = rfc3164(b"Dec 31 23:59:59 host", hint).unwrap().unwrap();
        assert_eq!(t.to_naive().to_string(), "2025-12-31 23:59:59");
        let (t, len) = rfc3164(b"Jan 05 01:27:19.654321 host", hint)
            .unwrap()
            .unwrap();
        assert_eq!((len, t.micros()), (22, 654_321));
        assert_eq!(rfc3164(b"Feb 30 01:27:19 x", hint), Some(Err(15)));
        assert!(rfc3164(b"Foo  5 01:27:19 x", hint).is_none());
        assert!(rfc3164(b"2026/01/05 01:27:19", hint).is_none());
    }

    #[test]
    fn year_hint_from_unix_time() {
        assert_eq!(
            YearHint::from_unix(1_764_034_039),
            YearHint {
                year: 2025,
                month: 11
            }
        );
        assert!(YearHint::now().year >= 2025);
    }
}
