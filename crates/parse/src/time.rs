//! Timestamps as the log line wrote them, and how to turn them into instants.
//!
//! nginx and Apache error logs write local wall-clock time without a zone; access logs
//! write local time with a UTC offset. A [`Timestamp`] keeps exactly what the line says.
//! [`Timestamp::to_instant`] places it on the time line with the line's own offset when it
//! has one, else with a [`Zone`] the caller chooses.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, Offset, TimeZone, Utc};

/// The first wall-clock second a [`Timestamp`] can hold: -9999-01-01T00:00:00.
const MIN_WALL_SECONDS: i64 = days_from_civil(-9999, 1, 1) * 86_400;
/// The last: 9999-12-31T23:59:59.
const MAX_WALL_SECONDS: i64 = days_from_civil(9999, 12, 31) * 86_400 + 86_399;

/// A point in time as written in a log line: local wall-clock time, with the UTC offset when
/// the line carries one.
///
/// Internally the wall-clock time is kept as seconds since 1970-01-01T00:00:00 *of the same
/// wall clock* (so no zone database is needed to parse, compare or bucket timestamps of one
/// log) plus microseconds.
///
/// # Order
///
/// Timestamps order by instant: `10:00+01:00` comes before `09:30+00:00`, so `min` and `max`
/// give the first and the last. A timestamp without an offset (nginx and Apache error logs)
/// has no instant of its own; it is ordered as if its wall clock were UTC, which orders the
/// lines of one local-time log by their wall clock. To compare local times with times that
/// carry an offset, place them first with [`Timestamp::to_instant`] and the log's zone.
/// Two timestamps of the same instant written at different offsets are different values
/// (`Eq` compares what the line says); they order by wall clock, then by offset (none
/// first), so the order agrees with `Eq`.
///
/// ```
/// use logscan_parse::Timestamp;
///
/// let berlin = Timestamp::from_parts(2026, 11, 25, 10, 0, 0, 0, Some(3_600)).unwrap();
/// let london = Timestamp::from_parts(2026, 11, 25, 9, 30, 0, 0, Some(0)).unwrap();
/// assert!(berlin < london); // 09:00 UTC is before 09:30 UTC
/// assert_eq!(berlin.min(london), berlin);
/// assert_eq!(berlin.to_utc().unwrap().to_rfc3339(), "2026-11-25T09:00:00+00:00");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Timestamp {
    wall_seconds: i64,
    micros: u32,
    offset_seconds: Option<i32>,
}

impl Timestamp {
    /// Builds a timestamp from calendar fields; `None` if a field is out of range.
    ///
    /// `offset_seconds` is the UTC offset written in the line (east positive), if any.
    #[allow(clippy::too_many_arguments)] // the calendar fields are what the logs write
    pub fn from_parts(
        year: i32,
        month: u32,
        day: u32,
        hour: u32,
        minute: u32,
        second: u32,
        micros: u32,
        offset_seconds: Option<i32>,
    ) -> Option<Timestamp> {
        if !(1..=12).contains(&month)
            || day == 0
            || day > days_in_month(year, month)
            || hour > 23
            || minute > 59
            || second > 60
            || micros > 999_999
            || !(-9999..=9999).contains(&year)
        {
            return None;
        }
        if let Some(offset) = offset_seconds {
            if offset.unsigned_abs() >= 86_400 {
                return None;
            }
        }
        // A leap second (:60) is folded into the next second, as chrono and most tools do.
        let wall_seconds = days_from_civil(year, month, day) * 86_400
            + i64::from(hour) * 3_600
            + i64::from(minute) * 60
            + i64::from(second);
        Some(Timestamp {
            wall_seconds,
            micros,
            offset_seconds,
        })
    }

    /// Builds a timestamp from Unix seconds and microseconds, written at the given offset;
    /// `None` outside the years -9999 to 9999 that [`Timestamp::from_parts`] accepts.
    pub fn from_unix(unix_seconds: i64, micros: u32, offset_seconds: i32) -> Option<Timestamp> {
        if micros > 999_999 || offset_seconds.unsigned_abs() >= 86_400 {
            return None;
        }
        let wall_seconds = unix_seconds.checked_add(i64::from(offset_seconds))?;
        if !(MIN_WALL_SECONDS..=MAX_WALL_SECONDS).contains(&wall_seconds) {
            return None;
        }
        Some(Timestamp {
            wall_seconds,
            micros,
            offset_seconds: Some(offset_seconds),
        })
    }

    /// Seconds since 1970-01-01T00:00:00 of the wall clock the line was written in
    /// (equal to Unix time only when the offset is zero).
    pub const fn wall_seconds(&self) -> i64 {
        self.wall_seconds
    }

    /// The sub-second part in microseconds (0 when the line has second resolution).
    pub const fn micros(&self) -> u32 {
        self.micros
    }

    /// The UTC offset the line carried, in seconds east of UTC.
    pub const fn offset_seconds(&self) -> Option<i32> {
        self.offset_seconds
    }

    /// Unix seconds when the line carried an offset.
    pub fn unix_seconds(&self) -> Option<i64> {
        self.offset_seconds
            .map(|offset| self.wall_seconds - i64::from(offset))
    }

    /// The instant in UTC when the line carried an offset; for a local time, use
    /// [`Timestamp::to_instant`] with the log's zone (and `.to_utc()` on its result).
    pub fn to_utc(&self) -> Option<DateTime<Utc>> {
        let offset = FixedOffset::east_opt(self.offset_seconds?)?;
        Some(fixed_from_local(&offset, self.to_naive()).to_utc())
    }

    /// The seconds `Ord` sorts by first: Unix seconds, or the wall clock read as UTC.
    fn sort_seconds(&self) -> i64 {
        self.wall_seconds - i64::from(self.offset_seconds.unwrap_or(0))
    }

    /// The same second with another sub-second part (`micros` at most 999,999).
    pub(crate) const fn with_micros(self, micros: u32) -> Timestamp {
        Timestamp { micros, ..self }
    }

    /// The same wall-clock time with a different (or no) offset.
    pub const fn with_offset(self, offset_seconds: Option<i32>) -> Timestamp {
        Timestamp {
            offset_seconds,
            ..self
        }
    }

    /// The wall-clock date and time, without zone.
    pub fn to_naive(&self) -> NaiveDateTime {
        let days = self.wall_seconds.div_euclid(86_400);
        let secs = self.wall_seconds.rem_euclid(86_400) as u32;
        let (y, m, d) = civil_from_days(days);
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|date| {
                date.and_hms_micro_opt(secs / 3_600, secs / 60 % 60, secs % 60, self.micros)
            })
            .unwrap_or_default()
    }

    /// Places the timestamp on the time line.
    ///
    /// A timestamp with an offset keeps it (the zone is ignored). A local time uses `zone`.
    /// A wall-clock time that occurs twice (the hour repeated when clocks go back) takes the
    /// earlier instant; one that does not exist (skipped when clocks go forward) is read with
    /// the offset in force just before the gap.
    pub fn to_instant(&self, zone: &Zone) -> DateTime<FixedOffset> {
        let naive = self.to_naive();
        if let Some(offset) = self.offset_seconds.and_then(FixedOffset::east_opt) {
            return fixed_from_local(&offset, naive);
        }
        match zone {
            Zone::Utc => fixed_from_local(&chrono::Utc, naive),
            Zone::Fixed(offset) => fixed_from_local(offset, naive),
            #[cfg(feature = "tz")]
            Zone::Named(tz) => fixed_from_local(tz, naive),
            Zone::Local => fixed_from_local(&chrono::Local, naive),
        }
    }
}

/// The layouts of the per-thread "same second" cache, one number each, so that keys of
/// different readers never stand for one another.
pub(crate) mod layout {
    /// nginx error: `YYYY/MM/DD HH:MM:SS`.
    pub(crate) const NGINX_ERROR: u8 = 1;
    /// Apache error, the general reader: `Www Mmm dd hh:mm:ss` and ` yyyy`.
    pub(crate) const APACHE_GENERAL: u8 = 2;
    /// Apache error, the ctime head reader (`apache_error/head.rs`).
    pub(crate) const APACHE_CTIME: u8 = 3;
    /// PHP-FPM: `dd-Mmm-YYYY HH:MM:SS`.
    pub(crate) const FPM: u8 = 4;
}

/// The bytes a key of [`same_second`] may hold: the four words of [`same_second_words`].
const SECOND_KEY: usize = 32;

thread_local! {
    /// The last second read through [`same_second_words`] on this thread: the layout (and,
    /// for a key given as bytes, its length), the key words and the time they gave.
    static LAST_SECOND: std::cell::Cell<(u16, [u64; 4], Option<Timestamp>)> =
        const { std::cell::Cell::new((0, [0; 4], None)) };
}

/// [`same_second_words`] for a key given as bytes: its bytes as the words, its length
/// beside the layout (the words are padded with zeros). A key longer than [`SECOND_KEY`]
/// bytes is always read.
#[inline]
pub(crate) fn same_second(
    layout: u8,
    key: &[u8],
    parse: impl FnOnce() -> Option<Timestamp>,
) -> Option<Timestamp> {
    let mut bytes = [0u8; SECOND_KEY];
    let Some(dst) = bytes.get_mut(..key.len()) else {
        return parse();
    };
    dst.copy_from_slice(key);
    let words = [
        key_word(&bytes, 0),
        key_word(&bytes, 8),
        key_word(&bytes, 16),
        key_word(&bytes, 24),
    ];
    // Below 64 bytes, the length fits beside the layout.
    let tag = u16::from(layout) | ((key.len() as u16) << 8);
    cached_second(tag, words, parse)
}

/// The timestamp `key` writes (its date and time to the second, in the layout `layout`
/// names; see [`key_word`] and [`layout`]), read by `parse` unless it is the one this
/// thread read last. Error logs are written in time order, many lines to a second:
/// comparing four words costs a fraction of reading the time. Only a key that gave a time
/// is kept.
#[inline]
pub(crate) fn same_second_words(
    layout: u8,
    key: [u64; 4],
    parse: impl FnOnce() -> Option<Timestamp>,
) -> Option<Timestamp> {
    cached_second(u16::from(layout), key, parse)
}

/// The cache of [`same_second`] and [`same_second_words`], by a tag that is not 0.
#[inline]
fn cached_second(
    tag: u16,
    key: [u64; 4],
    parse: impl FnOnce() -> Option<Timestamp>,
) -> Option<Timestamp> {
    let (last_tag, last_key, last) = LAST_SECOND.get();
    if let Some(t) = last.filter(|_| last_tag == tag && last_key == key) {
        return Some(t);
    }
    let t = parse();
    if t.is_some() {
        LAST_SECOND.set((tag, key, t));
    }
    t
}

/// The eight bytes of `s` from `from` as a word for a [`same_second_words`] key (bytes
/// past the end read as 0).
#[inline]
pub(crate) fn key_word(s: &[u8], from: usize) -> u64 {
    let mut w = [0u8; 8];
    if let Some(bytes) = s.get(from..from + 8) {
        w.copy_from_slice(bytes);
    }
    u64::from_le_bytes(w)
}

fn fixed_from_local<Z: TimeZone>(zone: &Z, naive: NaiveDateTime) -> DateTime<FixedOffset> {
    match zone.from_local_datetime(&naive) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.fixed_offset(),
        LocalResult::None => {
            // In a DST gap: use the offset of one hour earlier, which is outside the gap.
            let before = naive - chrono::Duration::hours(1);
            let offset = match zone.from_local_datetime(&before) {
                LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.offset().fix(),
                LocalResult::None => chrono::Utc.fix(),
            };
            fixed_from_local(&offset, naive)
        }
    }
}

impl Ord for Timestamp {
    /// By instant (a time without offset read as UTC), then by wall clock, then by offset:
    /// see "Order" in the type's documentation.
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (
            self.sort_seconds(),
            self.micros,
            self.wall_seconds,
            self.offset_seconds,
        )
            .cmp(&(
                other.sort_seconds(),
                other.micros,
                other.wall_seconds,
                other.offset_seconds,
            ))
    }
}

impl PartialOrd for Timestamp {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for Timestamp {
    /// RFC 3339 style: `2026-11-25T01:29:10[.123456][+01:00]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let naive = self.to_naive();
        write!(f, "{}", naive.format("%Y-%m-%dT%H:%M:%S"))?;
        if self.micros != 0 {
            write!(f, ".{:06}", self.micros)?;
        }
        if let Some(offset) = self.offset_seconds {
            let sign = if offset < 0 { '-' } else { '+' };
            let abs = offset.unsigned_abs();
            write!(f, "{sign}{:02}:{:02}", abs / 3_600, abs / 60 % 60)?;
        }
        Ok(())
    }
}

/// A time zone for local-time log lines.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Zone {
    /// Coordinated Universal Time.
    Utc,
    /// A fixed offset such as `+02:00`.
    Fixed(FixedOffset),
    /// A named IANA zone such as `Europe/Berlin` (daylight saving time applied). Only with
    /// the `tz` feature (on by default), which compiles in the zone database.
    #[cfg(feature = "tz")]
    Named(chrono_tz::Tz),
    /// The zone of the machine logscan runs on (`TZ` or `/etc/localtime`).
    Local,
}

impl Zone {
    /// An instant as the clocks of this zone show it (with the offset in force then).
    ///
    /// ```
    /// use logscan_parse::{chrono::DateTime, Zone};
    ///
    /// let utc = DateTime::from_timestamp(1_795_566_550, 0).unwrap();
    /// let zone: Zone = "-03:30".parse()?;
    /// assert_eq!(zone.from_utc(utc).to_rfc3339(), "2026-11-24T20:59:10-03:30");
    /// # Ok::<(), logscan_parse::time::ZoneError>(())
    /// ```
    pub fn from_utc(&self, utc: DateTime<Utc>) -> DateTime<FixedOffset> {
        match self {
            Zone::Utc => utc.fixed_offset(),
            Zone::Fixed(offset) => utc.with_timezone(offset),
            #[cfg(feature = "tz")]
            Zone::Named(tz) => utc.with_timezone(tz).fixed_offset(),
            Zone::Local => utc.with_timezone(&chrono::Local).fixed_offset(),
        }
    }

    /// The UTC offset in force at the given wall-clock time, in seconds east.
    pub fn offset_at(&self, wall: &Timestamp) -> i32 {
        wall.with_offset(None)
            .to_instant(self)
            .offset()
            .local_minus_utc()
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Zone::Utc => f.write_str("UTC"),
            Zone::Fixed(offset) => write!(f, "{offset}"),
            #[cfg(feature = "tz")]
            Zone::Named(tz) => f.write_str(tz.name()),
            Zone::Local => f.write_str("local"),
        }
    }
}

/// The text given was not a zone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZoneError(String);

impl fmt::Display for ZoneError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if cfg!(feature = "tz") {
            write!(
                f,
                "unknown time zone {:?}: use UTC, local, an offset like +02:00 or an IANA name like Europe/Berlin",
                self.0
            )
        } else {
            write!(
                f,
                "unknown time zone {:?}: use UTC, local or an offset like +02:00 (IANA names like Europe/Berlin need logscan-parse's `tz` feature)",
                self.0
            )
        }
    }
}

impl std::error::Error for ZoneError {}

impl FromStr for Zone {
    type Err = ZoneError;

    /// Accepts `UTC`/`Z`, `local`, `+HH:MM`/`-HHMM`/`+HH`, or (with the `tz` feature) an
    /// IANA name.
    fn from_str(text: &str) -> Result<Zone, ZoneError> {
        let trimmed = text.trim();
        if trimmed.eq_ignore_ascii_case("utc")
            || trimmed == "Z"
            || trimmed.eq_ignore_ascii_case("gmt")
        {
            return Ok(Zone::Utc);
        }
        if trimmed.eq_ignore_ascii_case("local") {
            return Ok(Zone::Local);
        }
        if let Some(offset) = parse_offset(trimmed.as_bytes()) {
            return FixedOffset::east_opt(offset)
                .map(Zone::Fixed)
                .ok_or_else(|| ZoneError(text.to_owned()));
        }
        #[cfg(feature = "tz")]
        if let Ok(tz) = trimmed.parse::<chrono_tz::Tz>() {
            return Ok(Zone::Named(tz));
        }
        Err(ZoneError(text.to_owned()))
    }
}

/// Parses `+HH:MM`, `+HHMM`, `+HH` (also `-`) into seconds east of UTC.
pub(crate) fn parse_offset(text: &[u8]) -> Option<i32> {
    let (sign, rest) = match text.split_first()? {
        (b'+', rest) => (1, rest),
        (b'-', rest) => (-1, rest),
        _ => return None,
    };
    let digits = |s: &[u8]| -> Option<i32> {
        if s.len() == 2 && s.iter().all(u8::is_ascii_digit) {
            Some(i32::from(s[0] - b'0') * 10 + i32::from(s[1] - b'0'))
        } else {
            None
        }
    };
    let (hours, minutes) = match rest.len() {
        2 => (digits(rest)?, 0),
        4 => (digits(&rest[..2])?, digits(&rest[2..])?),
        5 if rest[2] == b':' => (digits(&rest[..2])?, digits(&rest[3..])?),
        _ => return None,
    };
    if hours > 23 || minutes > 59 {
        return None;
    }
    Some(sign * (hours * 3_600 + minutes * 60))
}

/// Days in a month of the proleptic Gregorian calendar.
pub(crate) const fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub(crate) const fn days_from_civil(year: i32, month: u32, day: u32) -> i64 {
    let y = year as i64 - if month <= 2 { 1 } else { 0 };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = month as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01 (inverse of [`days_from_civil`]).
pub(crate) const fn civil_from_days(days: i64) -> (i32, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    ((y + if m <= 2 { 1 } else { 0 }) as i32, m, d)
}

/// Month number (1-12) of an English three-letter abbreviation (`Jan` ... `Dec`, any case).
pub(crate) fn month_from_abbrev(abbrev: &[u8]) -> Option<u32> {
    let [a, b, c] = abbrev else { return None };
    let key = [
        a.to_ascii_lowercase(),
        b.to_ascii_lowercase(),
        c.to_ascii_lowercase(),
    ];
    Some(match &key {
        b"jan" => 1,
        b"feb" => 2,
        b"mar" => 3,
        b"apr" => 4,
        b"may" => 5,
        b"jun" => 6,
        b"jul" => 7,
        b"aug" => 8,
        b"sep" => 9,
        b"oct" => 10,
        b"nov" => 11,
        b"dec" => 12,
        _ => return None,
    })
}

#[cfg(feature = "serde")]
impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trips_over_four_centuries() {
        for days in (-200_000..200_000).step_by(97) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days, "{y}-{m}-{d}");
        }
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
    }

    #[test]
    fn from_parts_rejects_impossible_dates() {
        assert!(Timestamp::from_parts(2026, 2, 29, 0, 0, 0, 0, None).is_none());
        assert!(Timestamp::from_parts(2024, 2, 29, 0, 0, 0, 0, None).is_some());
        assert!(Timestamp::from_parts(2026, 13, 1, 0, 0, 0, 0, None).is_none());
        assert!(Timestamp::from_parts(2026, 1, 1, 24, 0, 0, 0, None).is_none());
        assert!(Timestamp::from_parts(2026, 1, 1, 0, 0, 0, 1_000_000, None).is_none());
    }

    /// An epoch field of `i64::MAX` (`%{sec}t`, `$msec`) made a timestamp whose bucket
    /// arithmetic overflowed in the analyzer (a panic in debug builds) and that showed as
    /// 1970; epochs are now held to the years `from_parts` accepts.
    #[test]
    fn unix_times_outside_the_calendar_range_are_refused() {
        assert!(Timestamp::from_unix(i64::MAX, 0, 0).is_none());
        assert!(Timestamp::from_unix(i64::MIN, 0, 0).is_none());
        assert!(Timestamp::from_unix(253_402_300_800, 0, 0).is_none()); // 10000-01-01
        let last = Timestamp::from_unix(253_402_300_799, 0, 0).unwrap();
        assert_eq!(last.to_string(), "9999-12-31T23:59:59+00:00");
        assert!(Timestamp::from_unix(253_402_300_799, 0, 3_600).is_none());
        let first = Timestamp::from_parts(-9999, 1, 1, 0, 0, 0, 0, Some(0)).unwrap();
        assert_eq!(
            Timestamp::from_unix(first.unix_seconds().unwrap(), 0, 0),
            Some(first)
        );
    }

    #[test]
    #[cfg(feature = "tz")]
    fn offset_lines_keep_their_offset_whatever_the_zone() {
        let t = Timestamp::from_parts(2026, 11, 25, 1, 29, 10, 0, Some(3_600)).unwrap();
        assert_eq!(t.to_string(), "2026-11-25T01:29:10+01:00");
        let berlin: Zone = "America/New_York".parse().unwrap();
        assert_eq!(
            t.to_instant(&berlin).to_rfc3339(),
            "2026-11-25T01:29:10+01:00"
        );
        assert_eq!(t.unix_seconds(), Some(1_795_566_550));
    }

    #[test]
    #[cfg(feature = "tz")]
    fn local_lines_take_the_zone_including_dst() {
        let summer = Timestamp::from_parts(2026, 7, 1, 12, 0, 0, 0, None).unwrap();
        let winter = Timestamp::from_parts(2026, 1, 1, 12, 0, 0, 0, None).unwrap();
        let berlin: Zone = "Europe/Berlin".parse().unwrap();
        assert_eq!(
            summer.to_instant(&berlin).to_rfc3339(),
            "2026-07-01T12:00:00+02:00"
        );
        assert_eq!(
            winter.to_instant(&berlin).to_rfc3339(),
            "2026-01-01T12:00:00+01:00"
        );
        assert_eq!(berlin.offset_at(&summer), 7_200);
        let fixed: Zone = "-0330".parse().unwrap();
        assert_eq!(
            winter.to_instant(&fixed).to_rfc3339(),
            "2026-01-01T12:00:00-03:30"
        );
    }

    #[test]
    #[cfg(feature = "tz")]
    fn dst_gap_and_fold_are_resolved_without_panic() {
        let berlin: Zone = "Europe/Berlin".parse().unwrap();
        // 2026-03-29 02:30 does not exist in Berlin; 2026-10-25 02:30 exists twice.
        let gap = Timestamp::from_parts(2026, 3, 29, 2, 30, 0, 0, None).unwrap();
        assert_eq!(
            gap.to_instant(&berlin).to_rfc3339(),
            "2026-03-29T02:30:00+01:00"
        );
        let fold = Timestamp::from_parts(2026, 10, 25, 2, 30, 0, 0, None).unwrap();
        assert_eq!(
            fold.to_instant(&berlin).to_rfc3339(),
            "2026-10-25T02:30:00+02:00"
        );
    }

    #[test]
    fn zones_parse_from_common_spellings() {
        assert_eq!("utc".parse::<Zone>(), Ok(Zone::Utc));
        assert_eq!("local".parse::<Zone>(), Ok(Zone::Local));
        assert!(
            matches!("+02:00".parse::<Zone>(), Ok(Zone::Fixed(o)) if o.local_minus_utc() == 7_200)
        );
        assert!("Mars/Olympus".parse::<Zone>().is_err());
        assert_eq!(
            "Europe/Berlin".parse::<Zone>().is_ok(),
            cfg!(feature = "tz"),
            "IANA names exactly with the tz feature"
        );
        assert_eq!(parse_offset(b"+0530"), Some(19_800));
        assert_eq!(parse_offset(b"-08"), Some(-28_800));
        assert_eq!(parse_offset(b"+2400"), None);
    }

    #[test]
    fn month_abbreviations() {
        assert_eq!(month_from_abbrev(b"Nov"), Some(11));
        assert_eq!(month_from_abbrev(b"nov"), Some(11));
        assert_eq!(month_from_abbrev(b"Nox"), None);
        assert_eq!(month_from_abbrev(b"November"), None);
    }
}
