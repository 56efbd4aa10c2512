//! `--since`, `--until` and `--window` values.

use std::str::FromStr;

use chrono::{DateTime, Datelike, Local, NaiveDate, NaiveDateTime, TimeZone, Timelike, Utc};
use logscan_analyze::Bound;
use logscan_parse::{Timestamp, Zone};

/// Parses a duration: `45s`, `30m`, `2h`, `7d`, `1w` (a bare number is seconds).
pub fn duration_seconds(text: &str) -> Result<i64, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let n: i64 = number
        .parse()
        .map_err(|_| "use e.g. 30s, 5m, 2h, 7d".to_owned())?;
    let scale = match unit.trim() {
        "" | "s" | "sec" | "secs" | "second" | "seconds" => 1,
        "m" | "min" | "mins" | "minute" | "minutes" => 60,
        "h" | "hour" | "hours" => 3_600,
        "d" | "day" | "days" => 86_400,
        "w" | "week" | "weeks" => 604_800,
        other => {
            return Err(format!("unknown unit {other:?}: use s, m, h, d or w"));
        }
    };
    n.checked_mul(scale)
        .filter(|s| (1..=MAX_DURATION).contains(s))
        .ok_or_else(|| "from 1s to 100 years".to_owned())
}

/// A `--refresh` interval: `500ms`, `1s`, `2` (seconds), `1m`; from 100 ms to an hour.
pub fn refresh(text: &str) -> Result<std::time::Duration, String> {
    let text = text.trim();
    let millis = match text.strip_suffix("ms") {
        Some(ms) => ms
            .trim()
            .parse::<u64>()
            .map_err(|_| "use e.g. 500ms, 1s, 2s".to_owned())?,
        None => u64::try_from(duration_seconds(text)?)
            .map_err(|_| "use e.g. 500ms, 1s, 2s".to_owned())?
            .saturating_mul(1_000),
    };
    if (100..=3_600_000).contains(&millis) {
        Ok(std::time::Duration::from_millis(millis))
    } else {
        Err("from 100ms to 1h".to_owned())
    }
}

/// The longest duration accepted (100 years): longer windows and relative times make no
/// sense for logs, and would overflow time arithmetic.
const MAX_DURATION: i64 = 100 * 365 * 86_400;

/// A `--since`/`--until` value, its syntax checked when the argument is parsed; turned
/// into a [`Bound`] by [`TimeArg::resolve`] once the zone and the current time are known.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeArg {
    /// `30m`, `2h`, `7d`: this many seconds before now.
    Relative(i64),
    /// RFC 3339 with an offset (`2024-05-01T14:02:00+02:00`): an instant.
    Instant(DateTime<Utc>),
    /// `YYYY-MM-DD[ HH:MM[:SS]]`: a wall-clock time, placed in the zone if one is given.
    Wall(NaiveDateTime),
}

impl FromStr for TimeArg {
    type Err = String;

    fn from_str(text: &str) -> Result<TimeArg, String> {
        let text = text.trim();
        if text.ends_with(|c: char| c.is_ascii_alphabetic())
            && text.starts_with(|c: char| c.is_ascii_digit())
        {
            if let Ok(seconds) = duration_seconds(text) {
                return Ok(TimeArg::Relative(seconds));
            }
        }
        if let Ok(t) = DateTime::parse_from_rfc3339(text) {
            return Ok(TimeArg::Instant(t.with_timezone(&Utc)));
        }
        let naive = [
            "%Y-%m-%d %H:%M:%S",
            "%Y-%m-%d %H:%M",
            "%Y-%m-%dT%H:%M:%S",
            "%Y-%m-%dT%H:%M",
        ]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
        .or_else(|| {
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
        })
        .ok_or_else(|| {
            "use RFC 3339, 'YYYY-MM-DD HH:MM[:SS]' or a relative time like 2h".to_owned()
        })?;
        // Only dates a log line can carry (years -9999..=9999) can be placed in a zone.
        wall_timestamp(naive).ok_or_else(|| "a date out of range".to_owned())?;
        Ok(TimeArg::Wall(naive))
    }
}

impl TimeArg {
    /// The limit this value sets. With a zone, every form is an instant. Without one, a
    /// relative time or an RFC 3339 time is an instant too (compared with the instants of
    /// access-log lines; local-time lines are compared with it on the machine's wall
    /// clock), and `YYYY-MM-DD HH:MM[:SS]` is a wall-clock time, compared with every line's
    /// time as logged.
    pub fn resolve(self, zone: Option<&Zone>, now: DateTime<Utc>) -> Bound {
        let to_base = |instant: DateTime<Utc>| -> Bound {
            let unix = instant.timestamp();
            match zone {
                Some(_) => Bound::instant(unix, unix),
                None => Bound::instant(
                    unix,
                    instant
                        .with_timezone(&Local)
                        .naive_local()
                        .and_utc()
                        .timestamp(),
                ),
            }
        };
        match (self, zone) {
            (TimeArg::Relative(seconds), _) => to_base(now - chrono::Duration::seconds(seconds)),
            (TimeArg::Instant(instant), _) => to_base(instant),
            (TimeArg::Wall(naive), None) => Bound::wall(naive.and_utc().timestamp()),
            (TimeArg::Wall(naive), Some(zone)) => {
                let unix = wall_timestamp(naive).map_or_else(
                    || naive.and_utc().timestamp(),
                    |wall| wall.to_instant(zone).timestamp(),
                );
                Bound::instant(unix, unix)
            }
        }
    }
}

/// A wall-clock time as a log line's [`Timestamp`] (`None` outside the years a log line
/// can carry).
fn wall_timestamp(naive: NaiveDateTime) -> Option<Timestamp> {
    Timestamp::from_parts(
        naive.year(),
        naive.month(),
        naive.day(),
        naive.hour(),
        naive.minute(),
        naive.second(),
        0,
        None,
    )
}

/// The current time, overridable for tests with `LOGSCAN_NOW` (RFC 3339).
pub fn now() -> DateTime<Utc> {
    std::env::var("LOGSCAN_NOW")
        .ok()
        .and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| {
            Utc.timestamp_opt(Utc::now().timestamp(), 0)
                .single()
                .unwrap_or_default()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(duration_seconds("30s"), Ok(30));
        assert_eq!(duration_seconds("2h"), Ok(7_200));
        assert_eq!(duration_seconds("7d"), Ok(604_800));
        assert_eq!(duration_seconds("90"), Ok(90));
        assert!(duration_seconds("2x").is_err());
        assert!(duration_seconds("0s").is_err());
    }

    #[test]
    fn points_in_time() {
        let now = DateTime::parse_from_rfc3339("2026-11-25T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let utc = Zone::Utc;
        let point =
            |text: &str, zone: Option<&Zone>| text.parse::<TimeArg>().map(|t| t.resolve(zone, now));
        let at = |unix: i64| Ok(Bound::instant(unix, unix));
        assert_eq!(point("2h", Some(&utc)), at(now.timestamp() - 7_200));
        assert_eq!(
            point("2026-11-25T10:00:00+02:00", Some(&utc)),
            at(now.timestamp() - 4 * 3_600)
        );
        let berlin: Zone = "Europe/Berlin".parse().unwrap();
        assert_eq!(
            point("2026-11-25 13:00", Some(&berlin)),
            at(now.timestamp())
        );
        // Without a zone, naive times are wall-clock seconds as logged...
        assert_eq!(
            point("2026-11-25 12:00:00", None),
            Ok(Bound::wall(now.timestamp()))
        );
        assert_eq!(
            point("2026-11-25", None),
            Ok(Bound::wall(now.timestamp() - 12 * 3_600))
        );
        // ... and an RFC 3339 time stays an instant.
        let bound = point("2026-11-25T10:00:00+02:00", None).unwrap();
        assert_eq!(bound.unix, Some(now.timestamp() - 4 * 3_600));
    }

    #[test]
    fn time_syntax_is_checked_when_parsed() {
        assert_eq!("2h".parse(), Ok(TimeArg::Relative(7_200)));
        assert!(matches!("2026-11-25".parse(), Ok(TimeArg::Wall(_))));
        assert!(matches!(
            "2026-11-25T10:00:00Z".parse(),
            Ok(TimeArg::Instant(_))
        ));
        for bad in [
            "yesterday",
            "99999999999h",
            "9223372036854775807s",
            "5000000000d",
            "",
        ] {
            assert!(bad.parse::<TimeArg>().is_err(), "{bad}");
        }
    }
}
